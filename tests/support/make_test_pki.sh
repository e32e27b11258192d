#!/usr/bin/env bash
# Make the throw-away PKI of the TLS interop tests in DIR (idempotent: skipped when present).
#   ca.pem/ca.key         trusted test root (RSA 2048)
#   rsa.pem/rsa.key       leaf for localhost + 127.0.0.1, RSA 2048 (signs with RSA-PSS in TLS 1.3)
#   ecdsa.pem/ecdsa.key   leaf for localhost + 127.0.0.1, ECDSA P-256
#   ed25519.pem/.key      leaf for localhost + 127.0.0.1, Ed25519 (RFC 8410; signs only)
#   other.pem/other.key   leaf for other.example only (host name mismatch)
#   expired.pem/.key      leaf for localhost whose validity ended in 2020
#   rogue_ca.pem, rogue.pem/.key  a leaf for localhost from a root the tests do not trust
#   index.txt             the file the servers serve
set -euo pipefail
dir=$1
mkdir -p "$dir"
# Test processes run in parallel (ctest -j): one makes the PKI, the others wait for it. The PKI
# is made again when this script has changed since (a build tree outlives its PKI's contents).
stamp=$(sha256sum "$0" | cut -d' ' -f1)
exec 9>"$dir/.lock"
flock 9
[ "$(cat "$dir/done" 2>/dev/null)" = "$stamp" ] && exit 0
cd "$dir"
days=3650
# Leaf extensions; KU overrides the keyUsage bits (an Ed25519 key cannot encipher).
ext() { printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,%s\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "${KU:-digitalSignature,keyEncipherment}" "$1"; }

make_ca() { # name cn
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.pem" -days $days \
        -subj "/CN=$2" -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign"
}
make_leaf() { # name keyspec san ca [start end]
    local name=$1 keyspec=$2 san=$3 ca=$4
    # The Common Name is the first SAN entry, as the web PKI profile wants (BR 7.1.4.3).
    local cn=${san%%,*}
    openssl req -new -newkey "$keyspec" -nodes -keyout "$name.key" -out "$name.csr" -subj "/CN=${cn#*:}"
    ext "$san" > "$name.ext"
    if [ $# -ge 6 ]; then
        # an explicit validity window (for the expired certificate), via a throw-away CA db
        mkdir -p db && : > db/index.txt && echo 01 > db/serial
        cat > db/ca.cnf <<CNF
[ca]
default_ca = c
[c]
database = db/index.txt
serial = db/serial
new_certs_dir = db
default_md = sha256
policy = p
copy_extensions = none
[p]
commonName = supplied
CNF
        openssl ca -batch -config db/ca.cnf -cert "$ca.pem" -keyfile "$ca.key" -in "$name.csr" \
            -out "$name.pem" -startdate "$5" -enddate "$6" -extfile "$name.ext" -notext
    else
        openssl x509 -req -in "$name.csr" -CA "$ca.pem" -CAkey "$ca.key" -CAcreateserial \
            -out "$name.pem" -days $days -sha256 -extfile "$name.ext"
    fi
}
make_ca ca "https test root"
make_ca rogue_ca "rogue root"
make_leaf rsa rsa:2048 "DNS:localhost,IP:127.0.0.1" ca
make_leaf ecdsa ec:<(openssl ecparam -name prime256v1) "DNS:localhost,IP:127.0.0.1" ca
KU=digitalSignature make_leaf ed25519 ed25519 "DNS:localhost,IP:127.0.0.1" ca
make_leaf other rsa:2048 "DNS:other.example" ca
make_leaf expired rsa:2048 "DNS:localhost,IP:127.0.0.1" ca 20190101000000Z 20200101000000Z
make_leaf rogue rsa:2048 "DNS:localhost,IP:127.0.0.1" rogue_ca
# A known body: 20000 bytes of varied text, so small-record servers split it over many records.
python3 -c "
import sys
sys.stdout.write(''.join('line %05d: the quick brown fox jumps over the lazy dog\n' % i for i in range(360)))
" > index.txt
echo "$stamp" > done
