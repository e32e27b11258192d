#!/usr/bin/env bash
# Packaging check: `cmake --install`, then consumers of the installed package through
# find_package(https CONFIG) in both modes (https::https header-only, https::https_compiled
# separately compiled), and a consumer that only adds include/ to its include path (no flags at
# all). The single-header distribution has its own check (check-single-header.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cxx=${CXX:-c++}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake -S "$root" -B "$work/build" -DCMAKE_CXX_COMPILER="$cxx" -DHTTPS_BUILD_TESTS=OFF \
      -DHTTPS_BUILD_SAMPLES=OFF -DHTTPS_BUILD_BENCH=OFF >/dev/null
cmake --build "$work/build" >/dev/null
cmake --install "$work/build" --prefix "$work/prefix" >/dev/null

# The consumer: the facade against a closed loopback port (a named error, no traffic leaves the
# machine) and a SHA-256 known answer.
mkdir "$work/consumer"
cat > "$work/consumer/main.cpp" <<'CPP'
#include <https/https.hpp>
#include <https/core/hex.hpp>
#include <https/crypto/sha2.hpp>
#include <cstdio>
int main() {
    std::error_code ec;
    https::options o;
    o.connect_timeout = std::chrono::seconds(5);
    auto r = https::get("https://127.0.0.1:1/", o, ec);
    if (!(ec == https::failure::connect) || r.status != 0) {
        std::printf("unexpected: %s\n", ec.message().c_str());
        return 1;
    }
    auto d = https::crypto::hash<https::crypto::sha256>(https::as_bytes("abc"));
    std::printf("%s\n", https::to_hex(d).c_str());
}
CPP
expected=ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
check() { # check NAME EXECUTABLE
    [ "$("$2")" = "$expected" ] || { echo "FAIL: $1 consumer"; exit 1; }
    echo "ok: $1"
}
for target in https https_compiled; do
    cat > "$work/consumer/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.21)
project(consumer CXX)
find_package(https 0.1 CONFIG REQUIRED)
add_executable(consumer main.cpp)
target_link_libraries(consumer PRIVATE https::$target)
CMAKE
    rm -rf "$work/consumer/build"
    cmake -S "$work/consumer" -B "$work/consumer/build" -DCMAKE_CXX_COMPILER="$cxx" \
          -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
    cmake --build "$work/consumer/build" >/dev/null
    check "find_package, https::$target" "$work/consumer/build/consumer"
done

"$cxx" -std=c++20 -I "$root/include" "$work/consumer/main.cpp" -o "$work/plain"
check "include/ only, header-only" "$work/plain"

echo "packaging: every consumer builds and runs"
