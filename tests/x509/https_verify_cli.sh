#!/usr/bin/env bash
# The https-verify tool on committed fixtures: the web PKI profile by default, path validation
# alone with -profile rfc5280, and its exit codes (0 valid, 1 invalid, 2 usage).
#   tests/x509/https_verify_cli.sh PATH/TO/https-verify
set -uo pipefail
tool=$1
fixtures=$(cd "$(dirname "$0")/../fixtures/x509" && pwd)
at=1748736000 # 2025-06-01, the instant the fixtures are made for
failures=0
expect() { # expect STATUS TEXT ARGS...: exit status and a piece of the output
    local want=$1 text=$2 out status
    shift 2
    out=$("$tool" -attime $at -CAfile "$fixtures/w_root.pem" "$@" 2>&1)
    status=$?
    if [ "$status" -ne "$want" ] || ! grep -qF -- "$text" <<<"$out"; then
        echo "FAIL: https-verify $* -> $status (want $want, output containing '$text'):"
        echo "$out"
        failures=$((failures + 1))
    else
        echo "ok:   https-verify $* -> $status"
    fi
}
int=(-untrusted "$fixtures/w_int.pem")
expect 0 OK "${int[@]}" -verify_hostname good.webpki.example.com "$fixtures/w_good.pem"
expect 1 "extended key usage" "${int[@]}" "$fixtures/w_no_eku.pem"
expect 1 "extended key usage" "${int[@]}" -profile web_pki "$fixtures/w_no_eku.pem"
expect 0 OK "${int[@]}" -profile rfc5280 "$fixtures/w_no_eku.pem"
expect 1 "common name" "${int[@]}" "$fixtures/w_cn_mismatch.pem"
expect 0 OK "${int[@]}" -profile rfc5280 "$fixtures/w_cn_mismatch.pem"
# RFC 5280 rules hold in both profiles.
expect 1 "path length" -untrusted "$fixtures/w_int_p0_sub.pem" -untrusted "$fixtures/w_int_p0.pem" \
    -profile rfc5280 "$fixtures/w_under_p0_sub.pem"
expect 2 "-profile" -profile lenient "$fixtures/w_good.pem"
[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
