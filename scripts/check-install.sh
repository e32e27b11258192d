#!/usr/bin/env bash
# Packaging check: `cmake --install` then a consumer using find_package(https CONFIG), and a
# consumer that only adds include/ to its include path with no flags at all.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake -S "$root" -B "$work/build" -DHTTPS_BUILD_TESTS=OFF -DHTTPS_BUILD_SAMPLES=OFF \
      -DHTTPS_BUILD_BENCH=OFF >/dev/null
cmake --install "$work/build" --prefix "$work/prefix" >/dev/null
mkdir "$work/consumer"
cat > "$work/consumer/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.21)
project(consumer CXX)
find_package(https 0.1 CONFIG REQUIRED)
add_executable(consumer main.cpp)
target_link_libraries(consumer PRIVATE https::https)
CMAKE
cat > "$work/consumer/main.cpp" <<'CPP'
#include <https/crypto/sha2.hpp>
#include <https/core/hex.hpp>
#include <cstdio>
int main() {
    auto d = https::crypto::hash<https::crypto::sha256>(https::as_bytes("abc"));
    std::printf("%s\n", https::to_hex(d).c_str());
}
CPP
cmake -S "$work/consumer" -B "$work/consumer/build" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer/build" >/dev/null
expected=ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
[ "$("$work/consumer/build/consumer")" = "$expected" ] || { echo "FAIL: find_package consumer"; exit 1; }
"${CXX:-c++}" -std=c++20 -I "$root/include" "$work/consumer/main.cpp" -o "$work/plain"
[ "$("$work/plain")" = "$expected" ] || { echo "FAIL: include-path consumer"; exit 1; }
echo "install + find_package(https) and plain include/ consumers both build and run"
