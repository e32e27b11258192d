#!/usr/bin/env bash
# The project's whole test command (README "Run the tests"; CI's .ci/run calls exactly this).
# 1. installs what the tests need (idempotent), 2. builds the suite twice -- optimised with g++,
# and with clang++ under AddressSanitizer+UBSan plus the libFuzzer targets --, 3. runs everything
# (unit/vector tests in both builds, valgrind constant-time checks, fuzz smoke runs, interop
# against local servers) as ONE ctest run, so the output ends with ctest's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# Every check runs: a missing tool or file fails its test. HTTPS_ALLOW_SKIP=1 (for running ctest
# by hand on a machine without them) is never honoured here.
unset HTTPS_ALLOW_SKIP
start=$(date +%s)
jobs=${HTTPS_JOBS:-$(nproc)}

packages="build-essential cmake clang clang-tidy libclang-rt-14-dev catch2 nlohmann-json3-dev libssl-dev zlib1g-dev
          openssl ca-certificates valgrind gnutls-bin nginx-light curl python3 python3-cryptography time"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "== installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

echo "== configuring"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=g++ >/dev/null
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
      -DHTTPS_SANITIZE=ON -DHTTPS_BUILD_FUZZERS=ON -DHTTPS_BUILD_BENCH=OFF >/dev/null
echo "== building (optimised, g++)"
cmake --build build/release -j "$jobs"
echo "== building (sanitizers + fuzzers, clang++)"
cmake --build build/asan -j "$jobs"

# One ctest run over both builds: a hand-written top-level CTestTestfile that includes them.
cat > build/CTestTestfile.cmake <<CTEST
subdirs("release" "asan")
CTEST
echo "== build took $(( $(date +%s) - start ))s; running tests"
ctest --test-dir build -j "$jobs" --output-on-failure --timeout 1800 --no-label-summary
