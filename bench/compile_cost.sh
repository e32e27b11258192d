#!/usr/bin/env bash
# Compile-cost benchmark (not a test: it measures, it does not judge). For g++ and clang++ at -O2
# it compiles, one at a time, with GNU time:
#   - a reference TU: nlohmann/json parsing stdin and dumping it (Debian's nlohmann-json3-dev);
#   - the README's five-line example, header-only and with HTTPS_SEPARATE_COMPILATION;
#   - src/https.cpp, the one-time cost of separate compilation;
# then builds https-get (-O2, stripped), dynamic and -static.
# Prints `<name> ours=<value> ref=<value> ratio=<ours/ref> <unit>`: compile times against the
# reference TU of the same run (this machine's speed drifts by up to ±50 % between hours), the
# separate mode also against the header-only mode. Lower is better everywhere.
#   bench/compile_cost.sh [g++|clang++ ...]     (default: g++ clang++)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
compilers=("$@")
[ ${#compilers[@]} -gt 0 ] || compilers=(g++ clang++)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gnu_time=/usr/bin/time
[ -x "$gnu_time" ] || { echo "GNU time is needed: apt-get install -y time" >&2; exit 1; }

awk '/^```cpp$/ {on=1; next} /^```$/ && on {exit} on' "$root/README.md" > "$work/example.cpp"
cat > "$work/reference.cpp" <<'CPP'
#include <nlohmann/json.hpp>
#include <iostream>
int main() {
    auto j = nlohmann::json::parse(std::cin);
    std::cout << j.dump(2) << "\n";
}
CPP

measure() { # measure CXX ARGS... -> "seconds peak_MB" of one compile
    local cxx=$1; shift
    "$gnu_time" -f "%e %M" -o "$work/t" "$cxx" -std=c++20 -O2 -I "$root/include" "$@"
    awk '{printf "%.2f %.0f\n", $1, $2 / 1024}' "$work/t"
}
line() { # line NAME OURS REF UNIT
    awk -v n="$1" -v o="$2" -v r="$3" -v u="$4" \
        'BEGIN {printf "%s ours=%s ref=%s ratio=%.2f %s\n", n, o, r, o / r, u}'
}

for cxx in "${compilers[@]}"; do
    command -v "$cxx" >/dev/null || { echo "$cxx not found" >&2; exit 1; }
    read -r ref_s ref_mb < <(measure "$cxx" -c "$work/reference.cpp" -o "$work/ref.o")
    read -r ho_s ho_mb < <(measure "$cxx" -c "$work/example.cpp" -o "$work/ho.o")
    read -r sep_s sep_mb < <(measure "$cxx" -DHTTPS_SEPARATE_COMPILATION -c "$work/example.cpp" \
                             -o "$work/sep.o")
    read -r src_s src_mb < <(measure "$cxx" -c "$root/src/https.cpp" -o "$work/src.o")
    "$cxx" "$work/sep.o" "$work/src.o" -o "$work/linked" # the separate mode links and is whole
    echo "# $cxx -O2; ref = nlohmann/json TU (${ref_s} s, ${ref_mb} MB) unless said otherwise"
    line "example_header_only_${cxx}" "$ho_s" "$ref_s" s
    line "example_header_only_rss_${cxx}" "$ho_mb" "$ref_mb" MB
    line "example_separate_${cxx}" "$sep_s" "$ref_s" s
    line "example_separate_rss_${cxx}" "$sep_mb" "$ref_mb" MB
    line "example_separate_vs_header_only_${cxx}" "$sep_s" "$ho_s" s
    line "implementation_once_${cxx}" "$src_s" "$ref_s" s
    line "implementation_once_rss_${cxx}" "$src_mb" "$ref_mb" MB
done

# https-get as a user would build it: -O2, stripped; static too if the toolchain can.
cxx=${compilers[0]}
"$cxx" -std=c++20 -O2 -I "$root/include" "$root/samples/https-get.cpp" -o "$work/https-get"
strip "$work/https-get"
echo "https_get_stripped_dynamic ours=$(( $(stat -c %s "$work/https-get") / 1024 )) KB"
if "$cxx" -std=c++20 -O2 -static -I "$root/include" "$root/samples/https-get.cpp" \
       -o "$work/https-get-static" 2>/dev/null; then
    strip "$work/https-get-static"
    echo "https_get_stripped_static ours=$(( $(stat -c %s "$work/https-get-static") / 1024 )) KB"
else
    echo "https_get_stripped_static: -static does not link with $cxx here"
fi
