#!/usr/bin/env bash
# A longer fuzzing campaign than the test suite's smoke runs: every libFuzzer target in BUILD
# (built with -DHTTPS_BUILD_FUZZERS=ON) for SECONDS each, one after the other, through
# fuzz-run.sh (regressions replayed, seed corpus copied). Prints one line per target with its
# executions; exits non-zero if any target found something. SECURITY.md quotes its output.
#   fuzz-campaign.sh BUILD_DIR SECONDS
set -u
build=$1
seconds=$2
root=$(cd "$(dirname "$0")/.." && pwd)
failed=0
total=0
for fuzzer in "$build"/tests/fuzz_*; do
    name=$(basename "$fuzzer")
    [ -x "$fuzzer" ] && [ "$name" != fuzz_planted_overflow ] || continue
    out=$("$root/scripts/fuzz-run.sh" "$fuzzer" "$root/tests/fuzz" "$seconds" 2>&1)
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' <<<"$out")
    if [ "$rc" -ne 0 ]; then
        failed=1
        echo "$out" | tail -30
        echo "FAIL  $name"
    else
        echo "ok    $name ${seconds}s ${execs:-?} executions"
        total=$((total + seconds))
    fi
done
echo "fuzzed ${total}s in total"
exit $failed
