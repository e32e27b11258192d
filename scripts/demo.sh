#!/usr/bin/env bash
# The README's main command: build https-get and fetch a page with full certificate validation.
#   scripts/demo.sh          start a local HTTPS server (127.0.0.1, throwaway CA made on the spot)
#                            and fetch from it -- works on a machine without internet
#   scripts/demo.sh URL      fetch URL instead (uses the system trust store)
set -euo pipefail
cd "$(dirname "$0")/.."
need=""
for p in cmake g++ openssl; do command -v "$p" >/dev/null || need="$need $p"; done
if [ -n "$need" ]; then
    echo "== installing:$need"
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    pkgs=${need/g++/g++ make}
    # a fresh Debian machine or container has empty package lists: update them first
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $pkgs \
        ca-certificates >/dev/null
fi
cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=Release -DHTTPS_BUILD_TESTS=OFF -DHTTPS_BUILD_BENCH=OFF >/dev/null
cmake --build build/demo --target https-get -j "$(nproc)" >/dev/null
tool=$PWD/build/demo/samples/https-get

if [ $# -ge 1 ]; then
    exec "$tool" -L -v "$1"
fi

work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
# A throwaway CA and a server certificate for 127.0.0.1, valid for one day.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
    -subj "/CN=https demo CA" -days 1 -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr \
    -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' > ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -extfile ext \
    -out server.pem 2>/dev/null
mkdir www
printf '<!doctype html>\n<title>https demo</title>\n<p>Fetched over TLS by https-get, certificate verified against a CA made %s.</p>\n' "$(date -u +%FT%TZ)" > www/index.html
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 48443)
(cd www && exec openssl s_server -accept "127.0.0.1:$port" -cert ../server.pem -key ../server.key \
    -WWW -quiet) >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
echo "== https-get -v --cacert ca.pem https://127.0.0.1:$port/index.html"
"$tool" -v --cacert ca.pem "https://127.0.0.1:$port/index.html"
