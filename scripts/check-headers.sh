#!/usr/bin/env bash
# Header checks, run by the test suite (release tree only):
#   check-headers.sh alone CXX      every public header compiles on its own (twice, for its
#                                   include guard) with separate compilation: the stricter mode,
#                                   since header-only adds the .ipp includes at the end (the
#                                   all_headers target compiles every header and .ipp header-only)
#   check-headers.sh light CXX      in separate-compilation mode <https/https.hpp> includes no
#                                   header of tls/, x509/ or crypto/ (the light facade); the same
#                                   probe run header-only must find them, or the probe is broken
set -euo pipefail
mode=$1
cxx=$2
root=$(cd "$(dirname "$0")/.." && pwd)
case "$mode" in
alone)
    cd "$root/include"
    export cxx root
    # one compiler per header; -P spreads them over the cores
    find https -name '*.hpp' | sort |
        xargs -P "$(nproc)" -n 1 sh -c '
            printf "#include <%s>\n#include <%s>\n" "$1" "$1" |
                "$cxx" -std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Werror \
                       -I "$root/include" -DHTTPS_SEPARATE_COMPILATION -x c++ - ||
                { echo "FAIL: $1 does not compile alone"; exit 255; }' sh
    echo "every header under include/https compiles alone"
    ;;
light)
    example='#include <https/https.hpp>
int main() { return https::get("https://example.com/").status == 200 ? 0 : 1; }'
    # paths as the compiler opened them (include/https/impl/../tls/client.hpp); any directory
    # named tls, x509 or crypto under our include root
    heavy="^\\.+ $root/include/https/(.*/)?(tls|x509|crypto)/"
    # preprocessing is enough to list the headers (-H), and costs a fraction of parsing them
    flags=(-std=c++20 -E -I "$root/include")
    # -H lists every header opened, one per line, on stderr
    included=$(printf '%s\n' "$example" | "$cxx" "${flags[@]}" -H -x c++ - 2>&1 >/dev/null)
    if ! grep -Eq "$heavy" <<<"$included"; then
        echo "FAIL: the probe found no tls/x509/crypto header in header-only mode; it is broken"
        exit 1
    fi
    included=$(printf '%s\n' "$example" |
               "$cxx" "${flags[@]}" -DHTTPS_SEPARATE_COMPILATION -H -x c++ - 2>&1 >/dev/null)
    if grep -E "$heavy" <<<"$included"; then
        echo "FAIL: with HTTPS_SEPARATE_COMPILATION, <https/https.hpp> pulls in the headers above"
        exit 1
    fi
    echo "<https/https.hpp> with HTTPS_SEPARATE_COMPILATION includes only:"
    grep -Eo "$root/include/https/[a-z0-9_/.]+\.(hpp|ipp)" <<<"$included" | sed "s#$root/include/##" |
        sort -u | sed 's/^/  /'
    ;;
*)
    echo "usage: check-headers.sh alone|light CXX" >&2
    exit 2
    ;;
esac
