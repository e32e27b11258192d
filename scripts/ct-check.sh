#!/usr/bin/env bash
# Run a constant-time check program under valgrind memcheck.
#   ct-check.sh clean PROGRAM      pass when memcheck reports nothing
#   ct-check.sh violation PROGRAM  pass only when memcheck reports a secret-dependent branch/index
# Memcheck errors exit with 99; the program's own failures (wrong answers) with anything else.
set -u
expect=$1
prog=$2
if ! command -v valgrind >/dev/null 2>&1; then
    # Not checking is not passing: only an explicit HTTPS_ALLOW_SKIP=1 (never set by
    # scripts/test.sh) turns a missing valgrind into a skip.
    if [ "${HTTPS_ALLOW_SKIP:-}" = 1 ]; then
        echo "SKIP: valgrind not installed; constant-time check not run (HTTPS_ALLOW_SKIP=1)"
        exit 0
    fi
    echo "FAIL: valgrind not installed (scripts/test.sh installs it); constant-time check not run"
    exit 1
fi
log=$(mktemp)
valgrind --tool=memcheck --error-exitcode=99 --track-origins=yes --quiet "$prog" >"$log" 2>&1
rc=$?
cat "$log"
rm -f "$log"
case "$expect:$rc" in
    clean:0) echo "constant-time check passed: no secret-dependent branch or index"; exit 0 ;;
    clean:99) echo "FAIL: secret-dependent branch or memory index reported above"; exit 1 ;;
    violation:99) echo "planted violation caught, as it must be"; exit 0 ;;
    violation:0) echo "FAIL: the planted violation was NOT caught: the checker is blind"; exit 1 ;;
    *) echo "FAIL: program exited with $rc"; exit 1 ;;
esac
