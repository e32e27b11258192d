#!/usr/bin/env bash
# Smoke-run one libFuzzer target: replay its kept regression inputs, then fuzz for a bounded time
# starting from a scratch copy of its seed corpus (the checked-in corpus is never modified).
#   fuzz-run.sh FUZZER FUZZ_DIR SECONDS
set -eu
fuzzer=$1
dir=$2
seconds=$3
name=$(basename "$fuzzer")
seeds="$dir/corpus/$name"
regressions="$dir/regressions/$name"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
    "$fuzzer" -runs=0 "$regressions"/* >/dev/null 2>&1 || { echo "FAIL: a regression input crashes $name"; "$fuzzer" -runs=0 "$regressions"/*; exit 1; }
    echo "replayed $(ls "$regressions" | wc -l) regression inputs"
fi
if [ -d "$seeds" ]; then
    cp -r "$seeds"/. "$work/"
fi
# Crashing inputs are kept outside the scratch corpus (which is deleted on exit).
artifacts=${FUZZ_ARTIFACTS:-${TMPDIR:-/tmp}/fuzz-artifacts}/$name
mkdir -p "$artifacts"
rc=0
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 "$work" >"$work.log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
    tail -n 60 "$work.log"
    echo "FAIL: $name found a problem (exit $rc); the input is in $artifacts/:"
    ls -l "$artifacts"
    echo "keep it under $regressions/ once fixed"
else
    grep -E "^stat::number_of_executed_units|^Done" "$work.log" || true
    echo "$name: no finding in ${seconds}s"
fi
rm -f "$work.log"
exit "$rc"
