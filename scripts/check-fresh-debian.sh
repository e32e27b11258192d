#!/usr/bin/env bash
# The README's commands as a newcomer runs them: in a minimal Debian 12 made with debootstrap
# (no compiler, no cmake, empty package lists), from a clone of this repository's HEAD.
# Not part of the test command (it downloads a Debian base system and packages); run it by hand,
# as root, before changing what the commands install:
#   scripts/check-fresh-debian.sh DIR [demo|test|both]     (default: demo)
# DIR is created if missing and reused afterwards (the base system is downloaded once; each run
# removes the compiler, cmake and the package lists again, and re-clones the repository).
set -euo pipefail
dir=$1
what=${2:-demo}
root=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "run as root (debootstrap and chroot)" >&2; exit 2; }
command -v debootstrap >/dev/null || { apt-get update -qq; apt-get install -y -qq debootstrap; }

if [ ! -x "$dir/bin/bash" ]; then
    debootstrap --variant=minbase bookworm "$dir" http://deb.debian.org/debian
fi
cp /etc/resolv.conf "$dir/etc/"
# What a container runtime provides and debootstrap does not: a hosts file naming localhost.
[ -f "$dir/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$dir/etc/hosts"
mountpoint -q "$dir/proc" || mount -t proc proc "$dir/proc"
mountpoint -q "$dir/dev" || mount --rbind /dev "$dir/dev"
cleanup() { umount -R "$dir/dev" 2>/dev/null || true; umount "$dir/proc" 2>/dev/null || true; }
trap cleanup EXIT

in_chroot() { chroot "$dir" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
                  /bin/bash -c "$1"; }
# Back to a newcomer's machine: no toolchain, no cmake, no package lists.
in_chroot 'apt-get purge -y -qq cmake g++ make gcc cpp >/dev/null 2>&1 || true
           apt-get autoremove -y -qq --purge >/dev/null 2>&1 || true
           rm -rf /var/lib/apt/lists/*
           for t in cmake g++ make; do ! command -v $t >/dev/null || { echo "$t still here"; exit 1; }; done'
rm -rf "$dir/root/https"
git clone -q "$root" "$dir/root/https"

run() { # run NAME COMMAND
    local start=$(date +%s)
    in_chroot "cd /root/https && $2"
    echo "== $1 passed in a fresh Debian 12 in $(( $(date +%s) - start )) s"
}
case "$what" in
demo) run "./scripts/demo.sh" ./scripts/demo.sh ;;
test) run "./scripts/test.sh" ./scripts/test.sh ;;
both) run "./scripts/demo.sh" ./scripts/demo.sh; run "./scripts/test.sh" ./scripts/test.sh ;;
*) echo "usage: check-fresh-debian.sh DIR [demo|test|both]" >&2; exit 2 ;;
esac
