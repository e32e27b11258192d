#!/usr/bin/env bash
# Header checks, run by the test suite (release tree only):
#   check-headers.sh alone CXX      every public header compiles on its own (twice, for its
#                                   include guard) with separate compilation: the stricter mode,
#                                   since header-only adds the .ipp includes at the end (the
#                                   all_headers target compiles every header and .ipp header-only)
#   check-headers.sh light CXX      in separate-compilation mode <https/https.hpp> includes no
#                                   header of tls/, x509/ or crypto/, nor the DEFLATE decoder (the
#                                   light facade); the same probe run header-only must find them,
#                                   or the probe is broken
#   check-headers.sh hooks CXX      the test hooks (a replayed RNG, the default-RNG override, the
#                                   ClientHello rewrite, the TLS 1.2 master secret, the RSA signer's
#                                   CRT fault) cannot be named without HTTPS_TESTING: each use
#                                   fails to compile alone, and all
#                                   of them compile with the macro (or the probe is broken)
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
    # named tls, x509 or crypto under our include root, and the DEFLATE decoder (http/inflate.hpp,
    # http/content_coding.hpp), which only the client's implementation needs
    heavy="^\\.+ $root/include/https/((.*/)?(tls|x509|crypto)/|.*/(inflate|content_coding)\\.hpp)"
    # preprocessing is enough to list the headers (-H), and costs a fraction of parsing them
    flags=(-std=c++20 -E -I "$root/include")
    # -H lists every header opened, one per line, on stderr
    included=$(printf '%s\n' "$example" | "$cxx" "${flags[@]}" -H -x c++ - 2>&1 >/dev/null)
    if ! grep -Eq "$heavy" <<<"$included"; then
        echo "FAIL: the probe found no tls/x509/crypto/inflate header in header-only mode; it is broken"
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
hooks)
    flags=(-std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Werror -I "$root/include"
           -DHTTPS_SEPARATE_COMPILATION)
    # HEADER|USE: each USE must fail to compile without HTTPS_TESTING, for want of the hook's name
    uses=(
        'https/crypto/random.hpp|https::crypto::replay_random r({}); (void)r;'
        'https/crypto/random.hpp|https::crypto::scoped_default_random s(https::crypto::default_random());'
        'https/tls/client.hpp|https::tls::client_config c; https::tls::test_hooks::replace_client_hello(c, nullptr);'
        'https/tls/client.hpp|(void)&https::tls::test_hooks::master_secret;'
        'https/crypto/mlkem.hpp|(void)&https::crypto::mlkem768::test_hooks::encapsulate;'
        'https/crypto/rsa_private_key.hpp|(void)https::crypto::rsa_test_hooks::half::mod_p;'
    )
    probe() { # probe HEADERS BODY [FLAGS...]: compile BODY in a function after the #includes
        local headers=$1 body=$2
        shift 2
        { printf '#include <%s>\n' $headers; printf 'void probe() {\n%s\n}\n' "$body"; } |
            "$cxx" "${flags[@]}" "$@" -x c++ - 2>&1
    }
    all_headers=""
    all_uses=""
    for entry in "${uses[@]}"; do
        header=${entry%%|*}
        use=${entry#*|}
        all_headers+=" $header"
        all_uses+="$use"$'\n'
        if out=$(probe "$header" "$use"); then
            echo "FAIL: compiles without HTTPS_TESTING: $use"
            exit 1
        fi
        if ! grep -Eq "error: .*(replay_random|scoped_default_random|test_hooks)" <<<"$out"; then
            echo "FAIL: '$use' failed for another reason than the missing hook:"
            echo "$out"
            exit 1
        fi
    done
    if ! out=$(probe "$all_headers" "$all_uses" -DHTTPS_TESTING); then
        echo "FAIL: the hooks do not compile with HTTPS_TESTING; the probe is broken:"
        echo "$out"
        exit 1
    fi
    # The slot for the ClientHello rewrite is in every client_config, but private to the engine.
    if probe https/tls/client.hpp 'https::tls::client_config c; c.test_hook.replace_ = nullptr;' \
        >/dev/null; then
        echo "FAIL: client_config's test hook can be set without tls::test_hooks"
        exit 1
    fi
    echo "the test hooks exist only with HTTPS_TESTING"
    ;;
*)
    echo "usage: check-headers.sh alone|light|hooks CXX" >&2
    exit 2
    ;;
esac
