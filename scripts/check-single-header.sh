#!/usr/bin/env bash
# The single-header distribution: single_include/ must be what scripts/make-single-header.py
# generates from include/ today, the README's example must build from it, and a consumer must
# build and run from it header-only and separately compiled (its https.cpp compiled once).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cxx=${CXX:-c++}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 "$root/scripts/make-single-header.py" "$work/generated"
if ! diff -r "$work/generated" "$root/single_include/https" >/dev/null; then
    echo "FAIL: single_include/ is stale; run scripts/make-single-header.py and commit the result"
    diff -r "$work/generated" "$root/single_include/https" | head -20
    exit 1
fi
echo "ok: single_include/ is up to date"

flags=(-std=c++20 -Wall -Wextra -Wpedantic -Werror -I "$root/single_include")
# The README's first C++ block is the five-line example (it fetches example.com: built, not run).
awk '/^```cpp$/ {on=1; next} /^```$/ && on {exit} on' "$root/README.md" > "$work/readme.cpp"
grep -q 'https::get' "$work/readme.cpp" || { echo "FAIL: no example found in README.md"; exit 1; }
"$cxx" "${flags[@]}" "$work/readme.cpp" -o "$work/readme"
echo "ok: the README example builds from single_include/ (header-only)"

# A consumer that runs: a closed loopback port gives the named connect failure.
cat > "$work/consumer.cpp" <<'CPP'
#include <https/https.hpp>
#include <cstdio>
int main() {
    std::error_code ec;
    auto r = https::get("https://127.0.0.1:1/", {}, ec);
    std::printf("%s\n", ec == https::failure::connect && r.status == 0 ? "ok" : ec.message().c_str());
}
CPP
"$cxx" "${flags[@]}" "$work/consumer.cpp" -o "$work/header_only"
[ "$("$work/header_only")" = ok ] || { echo "FAIL: single-header consumer (header-only)"; exit 1; }
echo "ok: single-header consumer, header-only"
"$cxx" "${flags[@]}" -c "$root/single_include/https/https.cpp" -o "$work/https.o"
"$cxx" "${flags[@]}" -DHTTPS_SEPARATE_COMPILATION -c "$work/consumer.cpp" -o "$work/consumer.o"
"$cxx" "$work/consumer.o" "$work/https.o" -o "$work/separate"
[ "$("$work/separate")" = ok ] || { echo "FAIL: single-header consumer (separate compilation)"; exit 1; }
echo "ok: single-header consumer, separately compiled"
