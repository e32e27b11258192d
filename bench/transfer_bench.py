#!/usr/bin/env python3
"""Whole-transfer benchmark: https-get next to curl against a local nginx (TLS 1.3 with
AES-256-GCM, and TLS 1.2), timed in the same run.
  - bulk: download a 64 MiB file with -o (wall time; peak RSS of the client process)
  - small: 200 sequential small GETs, a new connection each (time per request)
Prints `<name> ours=<v> curl=<v> ratio=<ours/curl> <unit>` lines (lower is better for time and
memory; the targets are ratio <= 1.2 for bulk time, <= 1.0 for per-request time and memory).

  transfer_bench.py --https-get PATH [--size-mib 64] [--requests 200]"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "interop"))
import pki  # noqa: E402
import run_matrix  # noqa: E402


def timed(argv):
    """Run argv; return (wall seconds, peak RSS in KiB of that program). The peak comes from GNU
    time (Debian package `time`), whose own pre-exec footprint is about 1 MiB; measuring from
    Python instead would report Python's RSS, which the forked child carries until exec."""
    gnu_time = shutil.which("time") or "/usr/bin/time"
    if not os.path.exists(gnu_time):
        raise RuntimeError("GNU time is needed for peak RSS: apt-get install -y time")
    with tempfile.NamedTemporaryFile("r") as report:
        t = time.perf_counter()
        r = subprocess.run([gnu_time, "-q", "-f", "%M", "-o", report.name, *argv])
        wall = time.perf_counter() - t
        rss = int(report.read().split()[-1])
    if r.returncode != 0:
        raise RuntimeError("failed (%d): %s" % (r.returncode, " ".join(argv)))
    return wall, rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--https-get", required=True)
    ap.add_argument("--size-mib", type=int, default=64)
    ap.add_argument("--requests", type=int, default=200)
    a = ap.parse_args()
    curl = shutil.which("curl")
    tmp = tempfile.mkdtemp(prefix="transfer-")
    try:
        os.chmod(tmp, 0o755)
        env = {"pki": os.path.join(tmp, "pki"), "www": os.path.join(tmp, "www"), "tmp": tmp}
        os.makedirs(env["pki"])
        os.makedirs(env["www"])
        os.chmod(env["www"], 0o755)
        pki.make_pki(env["pki"])
        with open(os.path.join(env["www"], "big.bin"), "wb") as f:
            for _ in range(a.size_mib):
                f.write(os.urandom(1 << 20))
        with open(os.path.join(env["www"], "small.txt"), "wb") as f:
            f.write(b"small\n")
        for name in ("big.bin", "small.txt"):
            os.chmod(os.path.join(env["www"], name), 0o644)
        root = os.path.join(env["pki"], "root.pem")
        out = os.path.join(tmp, "out.bin")
        for label, protocols, tls_args in (("tls13", "TLSv1.3", []),
                                          ("tls12", "TLSv1.2", ["--tls-max", "1.2"])):
            port = run_matrix.free_port()
            argv, cwd = run_matrix.nginx(protocols, suites="aes256gcm")(env, port)
            with run_matrix.server(argv, cwd, port):
                url = "https://127.0.0.1:%d/" % port
                results = {}
                for tool_name, tool in (("ours", a.https_get), ("curl", curl)):
                    if tool is None:
                        continue
                    base = [tool, "-s", "--cacert", root, *tls_args]
                    timed(base + ["-o", out, url + "small.txt"])  # warm up
                    best = min((timed(base + ["-o", out, url + "big.bin"]) for _ in range(3)),
                               key=lambda x: x[0])
                    script = os.path.join(tmp, "many.sh")
                    with open(script, "w") as f:
                        f.write("#!/bin/sh\nfor i in $(seq %d); do \"$@\" || exit 1; done\n" % a.requests)
                    os.chmod(script, 0o755)
                    many, _ = timed([script, *base, "-o", out, url + "small.txt"])
                    results[tool_name] = (best[0], best[1], many / a.requests)
                for i, (name, unit) in enumerate((("download_%dmib_%s" % (a.size_mib, label), "s"),
                                                  ("download_%dmib_%s_peak_rss" % (a.size_mib, label), "KiB"),
                                                  ("small_get_%s" % label, "s/request"))):
                    ours = results["ours"][i]
                    if "curl" in results:
                        theirs = results["curl"][i]
                        print("%s ours=%.4g curl=%.4g ratio=%.2f %s" % (name, ours, theirs, ours / theirs, unit))
                    else:
                        print("%s ours=%.4g curl=- ratio=- %s" % (name, ours, unit))
                    sys.stdout.flush()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
