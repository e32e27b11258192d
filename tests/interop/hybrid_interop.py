#!/usr/bin/env python3
"""Interop for X25519MLKEM768: https-get against the scripted TLS 1.3 server of hybrid_server.py
on 127.0.0.1, one case per connection. Needs a Python whose `cryptography` package offers
ML-KEM (version 44 or later): this interpreter if it has one, else the first `python3` on PATH,
or of pyenv's installed versions, that does; with none the test fails and says what is missing
(never a skip).

usage: hybrid_interop.py --https-get PATH"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading


def has_mlkem():
    try:
        from cryptography.hazmat.primitives.asymmetric import mlkem  # noqa: F401
        return True
    except ImportError:
        return False


def reexec_with_mlkem():
    """Run this script again under a python3 that has ML-KEM, or fail saying what is missing."""
    if os.environ.get("HTTPS_HYBRID_REEXEC"):
        return
    # The python3 programs on PATH, then those of pyenv's versions (PYENV_ROOT, else ~/.pyenv).
    candidates = [shutil.which("python3", path=d) for d in os.environ.get("PATH", "").split(os.pathsep)]
    versions = os.path.join(os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv")), "versions")
    if os.path.isdir(versions):
        candidates += [os.path.join(versions, v, "bin", "python3") for v in sorted(os.listdir(versions))]
    for candidate in candidates:
        if not candidate or not os.access(candidate, os.X_OK) or \
                os.path.realpath(candidate) == os.path.realpath(sys.executable):
            continue
        probe = subprocess.run([candidate, "-c",
                                "from cryptography.hazmat.primitives.asymmetric import mlkem"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if probe.returncode == 0:
            env = dict(os.environ, HTTPS_HYBRID_REEXEC="1")
            os.execve(candidate, [candidate, *sys.argv], env)


if not has_mlkem():
    reexec_with_mlkem()
    sys.exit("FAIL  no Python with ML-KEM: the hybrid interop server needs the `cryptography` "
             "package 44 or later (its hazmat.primitives.asymmetric.mlkem); this interpreter (%s) "
             "and no python3 on PATH or among pyenv's versions has it" % sys.executable)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hybrid_server  # noqa: E402
import pki  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.exceptions import InvalidTag  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402

# (name, server mode, extra https-get arguments, expected exit code, expectations on the log,
#  expected text in https-get's stderr)
CASES = [
    ("hybrid share offered first and used", "ok", ["-v"], 0,
     lambda log: log["shares"] == [(0x11EC, 1216), (0x001D, 32)] and
     log["groups"][:2] == [0x11EC, 0x001D] and log.get("handshake") == "complete",
     "group X25519MLKEM768"),
    ("P-256 after HelloRetryRequest", "want_p256", ["-v"], 0,
     lambda log: log["retry_shares"] == [(0x0017, 65)] and log.get("handshake") == "complete",
     "group secp256r1"),
    ("server share one byte short: illegal_parameter", "short_share", [], 35,
     lambda log: log.get("alerts") == [47], "TLS illegal parameter"),
    # The client's keys differ from the server's: it cannot open EncryptedExtensions and sends
    # bad_record_mac under its own handshake key, which the server cannot open either.
    ("ciphertext that decapsulates to the implicit-rejection secret: bad_record_mac",
     "bad_ciphertext", [], 35,
     lambda log: log.get("undecryptable") and "handshake" not in log, "TLS bad record MAC"),
    ("a server without the hybrid group takes the X25519 share", "want_x25519", ["-v"], 0,
     lambda log: log["shares"][1] == (0x001D, 32) and "retry_shares" not in log and
     log.get("handshake") == "complete", "group x25519"),
    ("hybrid turned off: X25519 share only", "want_x25519", ["--no-post-quantum"], 0,
     lambda log: log["shares"] == [(0x001D, 32)] and 0x11EC not in log["groups"] and
     log.get("handshake") == "complete", None),
]


def run_case(tool, d, chain, key, case):
    name, mode, args, exit_code, check_log, stderr_text = case
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(30)
    port = listener.getsockname()[1]
    log, errors = {}, []

    def serve():
        try:
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(30)
                hybrid_server.serve_one(conn, chain, key, mode, log)
        except InvalidTag:
            log["undecryptable"] = True
        except (EOFError, OSError, AssertionError, ValueError) as e:
            errors.append(repr(e))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    out = os.path.join(d, "body.out")
    if os.path.exists(out):
        os.remove(out)
    p = subprocess.run([tool, "--cacert", os.path.join(d, "root.pem"), "-o", out,
                        "--max-time", "20", *args, "https://localhost:%d/" % port],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    thread.join(30)
    listener.close()
    stderr = p.stderr.decode(errors="replace")
    problems = []
    if p.returncode != exit_code:
        problems.append("exit %d, expected %d" % (p.returncode, exit_code))
    if exit_code == 0 and (not os.path.exists(out) or open(out, "rb").read() != hybrid_server.BODY):
        problems.append("body differs")
    if stderr_text and stderr_text not in stderr:
        problems.append("stderr lacks %r" % stderr_text)
    try:
        if not check_log(log):
            problems.append("server saw %r" % log)
    except (KeyError, IndexError, TypeError):
        problems.append("server saw %r" % log)
    status = "ok  " if not problems else "FAIL"
    print("%s  %s%s" % (status, name, "" if not problems else ": " + "; ".join(problems) +
                        " | https-get: " + stderr.strip() + " | server: " + " ".join(errors)))
    return not problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--https-get", required=True)
    a = ap.parse_args()
    import cryptography
    print("server: scripted TLS 1.3 on cryptography %s (%s)" % (cryptography.__version__,
                                                             sys.executable))
    with tempfile.TemporaryDirectory() as d:
        pki.make_pki(d)
        chain = [x509.load_pem_x509_certificate(open(os.path.join(d, n), "rb").read())
                 .public_bytes(serialization.Encoding.DER) for n in ("ecdsa.pem", "inter.pem")]
        key = serialization.load_pem_private_key(open(os.path.join(d, "ecdsa.key"), "rb").read(),
                                                 password=None)
        results = [run_case(a.https_get, d, chain, key, c) for c in CASES]
    print("%d of %d hybrid interop cases passed" % (sum(results), len(results)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
