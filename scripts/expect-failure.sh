#!/usr/bin/env bash
# Meta-test helper: run a check that MUST fail, and pass only if it fails with the expected
# marker in its output (so "failed for an unrelated reason" does not count as caught).
#   expect-failure.sh MARKER COMMAND...
set -u
marker=$1
shift
out=$("$@" 2>&1)
rc=$?
if [ "$rc" -eq 0 ]; then
    echo "$out" | tail -20
    echo "FAIL: the check passed, but it was given a planted defect it must catch"
    exit 1
fi
if ! grep -q -- "$marker" <<<"$out"; then
    echo "$out" | tail -20
    echo "FAIL: the check failed (exit $rc) but without the expected '$marker' report"
    exit 1
fi
echo "planted defect caught as expected (exit $rc, '$marker' reported)"
