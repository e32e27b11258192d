#!/usr/bin/env python3
"""Interop matrix: start real TLS/HTTP servers on 127.0.0.1 (openssl s_server, gnutls-serv,
nginx), run https-get against each configuration, and compare the body and exit code with the
expectation and, when curl is installed, with curl run with the same arguments.
Prints one line per case and 'N passed, M failed'; exits non-zero if any case failed.

  run_matrix.py --https-get PATH [--only REGEX] [--no-curl] [--plant-mismatch]

--plant-mismatch adds a case whose expectation is deliberately wrong; the meta-test runs the
matrix with it and requires that it be reported as a failure (a runner that cannot fail is
worthless)."""
import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pki  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, seconds=10.0):
    end = time.time() + seconds
    while time.time() < end:
        if proc.poll() is not None:
            return False
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.05)
    return False


@contextlib.contextmanager
def server(argv, cwd, port):
    log = open(os.path.join(cwd, "server-%d.log" % port), "w")
    proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.PIPE, stdout=log, stderr=log,
                            start_new_session=True)
    try:
        if not wait_listening(port, proc):
            raise RuntimeError("server did not start: " + " ".join(argv))
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


# ---- servers --------------------------------------------------------------------------------

def s_server(*extra, cert="ecdsa", no_ems=False):
    """openssl s_server -WWW; `no_ems` turns extended master secret off (OpenSSL has no command
    line option for it, only the configuration file)."""
    def make(env, port):
        d = env["pki"]
        prefix = []
        if no_ems:
            conf = os.path.join(env["tmp"], "no_ems.cnf")
            with open(conf, "w") as f:
                f.write("openssl_conf = c\n[c]\nssl_conf = s\n[s]\nsystem_default = d\n"
                        "[d]\nOptions = -ExtendedMasterSecret\n")
            prefix = ["env", "OPENSSL_CONF=" + conf]
        return prefix + ["openssl", "s_server", "-accept", "127.0.0.1:%d" % port, "-naccept", "1000",
                "-cert", os.path.join(d, cert + ".pem"), "-key", os.path.join(d, cert + ".key"),
                "-cert_chain", os.path.join(d, "inter.pem"), "-WWW", "-quiet", *extra], env["www"]
    return make


def stapling_server(version, leaf, staple):
    """openssl s_server -WWW with leaf `leaf` (pki.py: staple or muststaple), stapling the OCSP
    response of kind `staple` (pki.STAPLES), or none."""
    def make(env, port):
        d = env["pki"]
        status = ["-status_file", os.path.join(d, "%s.%s.ocsp" % (leaf, staple))] if staple else []
        return ["openssl", "s_server", "-accept", "127.0.0.1:%d" % port, "-naccept", "1000",
                "-cert", os.path.join(d, leaf + ".pem"), "-key", os.path.join(d, leaf + ".key"),
                "-cert_chain", os.path.join(d, "inter.pem"), "-WWW", "-quiet", version,
                *status], env["www"]
    return make


def stapling_cases():
    """RFC 6066 §8 / RFC 7633: every staple kind, and none, for a leaf with and one without
    must-staple, over TLS 1.3 and TLS 1.2. A revoked leaf is refused (60) either way; an expired,
    wrongly signed or missing staple only when the leaf demands one. curl does not look at
    staples without --cert-status, so where we refuse, curl is expected to succeed."""
    out = []
    for version in ("-tls1_3", "-tls1_2"):
        for leaf in ("muststaple", "staple"):
            for staple in pki.STAPLES + (None,):
                refused = staple == "revoked" or (leaf == "muststaple" and staple != "good")
                out.append(Case("stapling %s %s, %s staple" % (version[1:], leaf, staple or "no"),
                                stapling_server(version, leaf, staple),
                                exit_code=60 if refused else 0,
                                curl_exit=0 if refused else None))
    return out


def gnutls_serv(priority):
    def make(env, port):
        d = env["pki"]
        return ["gnutls-serv", "--http", "--port", str(port), "--priority", priority,
                "--x509certfile", os.path.join(d, "ecdsa-chain.pem"),
                "--x509keyfile", os.path.join(d, "ecdsa.key")], env["www"]
    return make


def nginx(protocols="TLSv1.2 TLSv1.3", suites="", gzip=False):
    """nginx with a static root; `suites` pins the cipher suites (TLS 1.3 and 1.2 names);
    `gzip` compresses text and binary responses for clients that accept it (chunked, since
    the compressed length is not known in advance)."""
    def make(env, port):
        d = env["pki"]
        prefix = tempfile.mkdtemp(prefix="nginx-", dir=env["tmp"])
        os.makedirs(os.path.join(prefix, "logs"))
        conf = os.path.join(prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write("""
worker_processes 1;
error_log %(p)s/logs/error.log;
pid %(p)s/nginx.pid;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %(p)s/body;
    proxy_temp_path %(p)s/proxy;
    fastcgi_temp_path %(p)s/fastcgi;
    uwsgi_temp_path %(p)s/uwsgi;
    scgi_temp_path %(p)s/scgi;
    types { text/plain txt; application/octet-stream bin; }
    server {
        listen 127.0.0.1:%(port)d ssl;
        ssl_certificate %(d)s/rsa-chain.pem;
        ssl_certificate_key %(d)s/rsa.key;
        ssl_protocols %(protocols)s;
        %(suites)s
        %(gzip)s
        root %(www)s;
        location = /moved { return 301 /hello.txt; }
        location = /loop { return 302 /loop; }
        location = /to-http { return 301 http://127.0.0.1:%(port)d/hello.txt; }
        location /chunked/ { alias %(www)s/; sub_filter_types *; sub_filter 'zzz' 'zzz'; }
    }
}
""" % {"p": prefix, "port": port, "d": d, "www": env["www"], "protocols": protocols,
       "suites": ("ssl_conf_command Ciphersuites TLS_AES_256_GCM_SHA384; "
                  "ssl_ciphers ECDHE-RSA-AES256-GCM-SHA384;") if suites else "",
       "gzip": ("gzip on; gzip_types text/plain application/octet-stream; "
                "gzip_min_length 16; gzip_comp_level 6;") if gzip else ""})
        return ["nginx", "-p", prefix, "-c", conf, "-g", "daemon off;"], prefix
    return make


def silent_tcp():
    """Accepts connections and never answers: every timeout must fire."""
    def make(env, port):
        script = ("import socket, time\n"
                  "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                  "s.bind(('127.0.0.1', %d)); s.listen(8); held=[]\n"
                  "while True:\n"
                  "    c,_=s.accept(); held.append(c)\n" % port)
        return [sys.executable, "-c", script], env["tmp"]
    return make


def bad_http():
    """TLS done right, HTTP done wrong (tests/interop/bad_http_server.py)."""
    def make(env, port):
        d = env["pki"]
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bad_http_server.py")
        return [sys.executable, script, str(port), os.path.join(d, "ecdsa-chain.pem"),
                os.path.join(d, "ecdsa.key")], env["tmp"]
    return make


def no_server():
    """Nothing listens on the port: connection refused."""
    return None


def plain_http_text():
    """A plain-TCP port that answers HTTP text: TLS must fail cleanly, not hang."""
    def make(env, port):
        script = ("import socket\n"
                  "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                  "s.bind(('127.0.0.1', %d)); s.listen(8)\n"
                  "while True:\n"
                  "    c,_=s.accept(); c.recv(4096)\n"
                  "    c.sendall(b'HTTP/1.1 400 Bad Request\\r\\nContent-Length: 0\\r\\n\\r\\n'); c.close()\n"
                  % port)
        return [sys.executable, "-c", script], env["tmp"]
    return make


# ---- cases ----------------------------------------------------------------------------------

class Case:
    def __init__(self, name, make_server, path="/hello.txt", args=(), exit_code=0, body=None,
                 curl=True, contains=None, url=None, curl_exit=None, stdin=None, has=None):
        self.name, self.make_server, self.path = name, make_server, path
        self.args, self.exit_code, self.body, self.curl = list(args), exit_code, body, curl
        # `contains`: the body varies per connection (gnutls-serv's status page), so only this
        # text is checked and the body is not compared with curl's. `url`: a fixed URL (with
        # {port}) instead of https://127.0.0.1:{port}{path}.
        self.contains, self.url = contains, url
        # `curl_exit`: where we are deliberately stricter than curl, the exit code curl gives
        # (checked too, so that a change on either side is noticed).
        self.curl_exit = curl_exit
        # `stdin`: bytes piped to the client's standard input. Arguments may name the upload
        # files made in main() as {data}/NAME.
        self.stdin = stdin
        # `has`: text the body must contain, while it is still compared with curl's.
        self.has = has


EARLY_413_BODY = b"too large, not reading it\n"  # bad_http_server.py's early answer
TLS13 = ["-tls1_3"]
TLS12 = ["-tls1_2"]
CASES = [
    Case("s_server tls1.3 aes128gcm", s_server(*TLS13, "-ciphersuites", "TLS_AES_128_GCM_SHA256")),
    Case("s_server tls1.3 aes256gcm", s_server(*TLS13, "-ciphersuites", "TLS_AES_256_GCM_SHA384")),
    Case("s_server tls1.3 chacha20", s_server(*TLS13, "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256")),
    Case("s_server tls1.3 x25519 only", s_server(*TLS13, "-groups", "X25519")),
    Case("s_server tls1.3 p256 only", s_server(*TLS13, "-groups", "P-256")),
    Case("s_server tls1.3 p384 only (HelloRetryRequest)", s_server(*TLS13, "-groups", "P-384")),
    Case("s_server tls1.3 rsa-pss certificate", s_server(*TLS13, cert="rsa")),
    Case("s_server tls1.3 p384 certificate", s_server(*TLS13, cert="p384")),
    Case("s_server tls1.3 512-byte records", s_server(*TLS13, "-max_send_frag", "512"),
         path="/big.bin"),
    Case("s_server tls1.3 1 MiB body", s_server(*TLS13), path="/big.bin"),
    Case("s_server tls1.2 ECDHE-RSA-AES128-GCM-SHA256",
         s_server(*TLS12, "-cipher", "ECDHE-RSA-AES128-GCM-SHA256", cert="rsa")),
    Case("s_server tls1.2 ECDHE-ECDSA-AES256-GCM-SHA384",
         s_server(*TLS12, "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384")),
    Case("s_server tls1.2 ECDHE-RSA-CHACHA20-POLY1305",
         s_server(*TLS12, "-cipher", "ECDHE-RSA-CHACHA20-POLY1305", cert="rsa")),
    Case("s_server tls1.2 AES256-SHA256 (RSA key exchange, CBC)",
         s_server(*TLS12, "-cipher", "AES256-SHA256", cert="rsa"), path="/big.bin"),
    Case("s_server tls1.2 AES256-GCM-SHA384 (RSA key exchange)",
         s_server(*TLS12, "-cipher", "AES256-GCM-SHA384", cert="rsa")),
    Case("s_server tls1.2 without extended master secret",
         s_server(*TLS12, cert="rsa", no_ems=True)),
    Case("gnutls-serv defaults", gnutls_serv("NORMAL"), path="/", contains=b"TLS1.3"),
    Case("gnutls-serv tls1.2 only", gnutls_serv("NORMAL:-VERS-ALL:+VERS-TLS1.2"), path="/",
         contains=b"TLS1.2"),
    Case("nginx static Content-Length", nginx()),
    Case("nginx chunked", nginx(), path="/chunked/hello.txt"),
    Case("nginx 301 not followed", nginx(), path="/moved", body=False),
    Case("nginx 404 with -f", nginx(), path="/missing.txt", args=["-f"], exit_code=22),
    Case("nginx 301 followed -L", nginx(), path="/moved", args=["-L"]),
    Case("nginx HEAD -I", nginx(), args=["-I"], body=None),
    Case("nginx -i headers", nginx(), args=["-i"], body=None),
    # Content-Encoding: gzip (nginx's gzip filter, chunked), decoded by --compressed; the
    # decoded body must be the file, as curl --compressed gives it.
    Case("nginx gzip --compressed", nginx(gzip=True), path="/text.txt", args=["--compressed"]),
    Case("nginx gzip --compressed, 1 MiB incompressible", nginx(gzip=True), path="/big.bin",
         args=["--compressed"]),
    Case("nginx gzip --compressed -L", nginx(gzip=True), path="/moved", args=["--compressed", "-L"],
         body=False, has=b"hello from the interop matrix"),
    # Without --compressed nothing is decoded: asked for by hand, the gzip bytes come as sent.
    Case("nginx gzip not decoded unless asked", nginx(gzip=True), path="/text.txt",
         args=["-H", "Accept-Encoding: gzip"], body=False, has=b"\x1f\x8b"),
    Case("nginx tls1.2 pinned --tls-max 1.2", nginx(), args=["--tls-max", "1.2"]),
    Case("nginx tls1.3 required against 1.2-only", nginx("TLSv1.2"), args=["--tlsv1.3"],
         exit_code=35),
    Case("nginx --resolve", nginx(), url="https://localhost:{port}/hello.txt",
         args=["--resolve", "localhost:{port}:127.0.0.1"]),
    Case("nginx redirect loop --max-redirs 3", nginx(), path="/loop",
         args=["-L", "--max-redirs", "3"], exit_code=47),
    Case("nginx POST -d to a static file with -f", nginx(), args=["-f", "-d", "a=1"],
         exit_code=22),
    Case("unsupported scheme", no_server(), url="foo://127.0.0.1:{port}/", exit_code=1),
    Case("malformed URL", no_server(), url="https://[::1:{port}/", exit_code=3),
    Case("connection refused", no_server(), exit_code=7),
    Case("silent server --max-time 1", silent_tcp(), args=["--max-time", "1"], exit_code=28),
    Case("silent server --connect-timeout 1", silent_tcp(), args=["--connect-timeout", "1"],
         exit_code=28),
    Case("bad server: control", bad_http(), path="/ok", body=b"fine\n"),
    Case("bad server: status line", bad_http(), path="/bad-status", exit_code=8,
         curl_exit=1),  # curl reads "HTTTP/" as an unsupported protocol
    # RFC 9112 §5.2: a user agent unfolds obs-fold in a response (curl does too). Conflicting
    # Content-Length values (a request-smuggling vector) are rejected here; curl accepts them.
    Case("bad server: folded header", bad_http(), path="/folded-header", body=b"fine\n"),
    Case("bad server: conflicting Content-Length", bad_http(), path="/conflicting-length",
         exit_code=8, curl_exit=0),
    # A 128 KiB header field: curl's limit reports it as CURLE_OUT_OF_MEMORY (27); ours is a
    # receive failure.
    Case("bad server: oversized header", bad_http(), path="/huge-header", exit_code=56,
         curl_exit=27),
    Case("bad server: truncated chunk", bad_http(), path="/truncated-chunk", exit_code=18),
    Case("bad server: body shorter than Content-Length", bad_http(), path="/short-body",
         exit_code=18),
    Case("bad server: body over --max-filesize", bad_http(), path="/long-body",
         args=["--max-filesize", "1000"], exit_code=63),
    Case("bad server: stall mid-body", bad_http(), path="/stall", args=["--max-time", "2"],
         exit_code=28),
    # Request bodies: /record/ answers with what it received (method, target, framing fields,
    # body length and SHA-256), so the same response body as curl's means the same request.
    Case("upload -T FILE: PUT, file name appended to the URL", bad_http(), path="/record/",
         args=["-T", "{data}/up load.bin"], body=False,
         has=b"method: PUT\ntarget: /record/up%20load.bin\ncontent-type: -\n"
             b"content-length: 100000\ntransfer-encoding: -\nbody-length: 100000\n"),
    Case("upload -T FILE: name goes before the query", bad_http(), path="/record/?q=1",
         args=["-T", "{data}/up load.bin"], body=False,
         has=b"target: /record/up%20load.bin?q=1\n"),
    Case("upload -T -: stdin from a pipe, chunked", bad_http(), path="/record/",
         args=["-T", "-"], stdin=b"piped\r\nbody\n" * 1000, body=False,
         has=b"content-length: -\ntransfer-encoding: chunked\nbody-length: 12000\n"),
    Case("upload --data-binary @FILE: POST byte for byte", bad_http(), path="/record/data",
         args=["--data-binary", "@{data}/up load.bin"], body=False,
         has=b"method: POST\ntarget: /record/data\n"
             b"content-type: application/x-www-form-urlencoded\ncontent-length: 100000\n"),
    Case("upload --data-binary @- from a pipe", bad_http(), path="/record/data",
         args=["--data-binary", "@-"], stdin=b"a\r\nb\n" * 100, body=False,
         has=b"content-length: 500\ntransfer-encoding: -\nbody-length: 500\n"),
    Case("upload -d @FILE -d TEXT: CR and LF stripped, joined with &", bad_http(),
         path="/record/form", args=["-d", "@{data}/form.txt", "-d", "x=y"], body=False,
         has=b"content-length: 24\n"),  # "name=a bcity=xlast=1&x=y"
    Case("upload --data-raw @TEXT -H Content-Type", bad_http(), path="/record/raw",
         args=["--data-raw", "@not-a-file", "-H", "Content-Type: text/plain"], body=False,
         has=b"content-type: text/plain\ncontent-length: 11\n"),
    Case("upload -T missing file", bad_http(), path="/record/", args=["-T", "{data}/missing"],
         exit_code=26),
    # curl warns and posts an empty body; we refuse to send what was not asked for.
    Case("upload --data-binary @missing file", bad_http(), path="/record/",
         args=["--data-binary", "@{data}/missing"], exit_code=26, curl_exit=0),
    Case("upload -T with -d: two methods", no_server(), args=["-T", "{data}/form.txt", "-d", "a"],
         exit_code=2),
    # RFC 9112 §9.5: the server answers 413 after the head, before the 512 KiB body. (curl -T
    # sends Expect: 100-continue and waits for the answer before the body; we send the body and
    # watch for the answer while sending.)
    Case("upload 512 KiB -T, server answers 413 early and resets", bad_http(),
         path="/early-413", args=["-T", "{data}/512k.bin"], body=EARLY_413_BODY),
    Case("upload 512 KiB -T -f, server answers 413 early and resets", bad_http(),
         path="/early-413", args=["-f", "-T", "{data}/512k.bin"], exit_code=22),
    Case("upload 16 MiB --data-binary, server answers 413 early and stops reading", bad_http(),
         path="/early-413-open", args=["--data-binary", "@{data}/16m.bin"],
         body=EARLY_413_BODY),
    Case("upload 512 KiB --data-binary, server answers 413 early and resets", bad_http(),
         path="/early-413", args=["--data-binary", "@{data}/512k.bin"], body=EARLY_413_BODY,
         curl=False),  # curl 7.88 exits 55 (send failure) now and then: the reset races it
    Case("wrong host certificate", s_server(*TLS13, cert="wronghost"), exit_code=60),
    Case("expired certificate", s_server(*TLS13, cert="expired"), exit_code=60),
    Case("untrusted root", s_server(*TLS13, cert="untrusted"), exit_code=60),
    Case("plain HTTP port", plain_http_text(), exit_code=35, curl=False),
]
CASES += stapling_cases()

PLANTED = Case("planted mismatch (must FAIL)", s_server(*TLS13), body=b"not the real body")


def run_client(tool, case, url, env, out_path, port):
    args = [a.replace("{port}", str(port)).replace("{data}", env["data"]) for a in case.args]
    argv = [tool, "-s", "--cacert", os.path.join(env["pki"], "root.pem"), "-o", out_path,
            "--max-time", "20", *args, url]
    p = subprocess.run(argv, input=case.stdin or b"", stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    body = open(out_path, "rb").read() if os.path.exists(out_path) else b""
    return p.returncode, body, p.stderr.decode(errors="replace").strip()


def run_case(case, env, tool, curl):
    port = free_port()
    url = case.url.replace("{port}", str(port)) if case.url else \
        "https://127.0.0.1:%d%s" % (port, case.path)
    with (server(*case.make_server(env, port), port) if case.make_server
          else contextlib.nullcontext()):
        ours_out = os.path.join(env["tmp"], "ours.out")
        with contextlib.suppress(FileNotFoundError):
            os.remove(ours_out)
        code, body, err = run_client(tool, case, url, env, ours_out, port)
        problems = []
        if code != case.exit_code:
            problems.append("exit %d, expected %d (%s)" % (code, case.exit_code, err))
        expected = case.body
        if expected is False:  # not fixed in advance: compared with curl's only
            expected = None
        elif expected is None and case.exit_code == 0 and "-i" not in case.args and "-I" not in case.args:
            served = os.path.join(env["www"], case.path.split("/")[-1])
            expected = open(served, "rb").read() if os.path.isfile(served) else None
        if case.contains is not None:
            expected = None
            if code == 0 and case.contains not in body:
                problems.append("body lacks %r" % case.contains)
        if case.has is not None and code == 0 and case.has not in body:
            problems.append("body lacks %r" % case.has)
        if expected is not None and code == 0 and body != expected:
            problems.append("body differs (%d bytes, expected %d)" % (len(body), len(expected)))
        if curl and case.curl:
            curl_out = os.path.join(env["tmp"], "curl.out")
            with contextlib.suppress(FileNotFoundError):
                os.remove(curl_out)
            ccode, cbody, _ = run_client(curl, case, url, env, curl_out, port)
            if case.curl_exit is not None:
                if ccode != case.curl_exit:
                    problems.append("curl exit %d, expected curl to give %d" % (ccode, case.curl_exit))
            elif ccode != code:
                problems.append("curl exit %d, ours %d" % (ccode, code))
            elif (cbody != body and case.contains is None and "-i" not in case.args
                  and "-I" not in case.args):
                problems.append("body differs from curl's (%d vs %d bytes)" % (len(body), len(cbody)))
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--https-get", required=True)
    ap.add_argument("--only")
    ap.add_argument("--no-curl", action="store_true")
    ap.add_argument("--plant-mismatch", action="store_true")
    a = ap.parse_args()
    # A missing server or curl is a failure, not a pass: only HTTPS_ALLOW_SKIP=1 (never set by
    # scripts/test.sh) lets the cases that need it be skipped.
    allow_skip = os.environ.get("HTTPS_ALLOW_SKIP") == "1"
    missing = [t for t in ("openssl", "nginx", "gnutls-serv") + (() if a.no_curl else ("curl",))
               if shutil.which(t) is None]
    if missing and (not allow_skip or "openssl" in missing):  # the PKI is made with openssl
        print("FAIL: not installed: %s (scripts/test.sh installs them; HTTPS_ALLOW_SKIP=1 skips)"
              % ", ".join(missing))
        return 1
    curl = None if a.no_curl else shutil.which("curl")
    tmp = tempfile.mkdtemp(prefix="interop-")
    try:
        pki_dir = os.path.join(tmp, "pki")
        www = os.path.join(tmp, "www")
        os.makedirs(pki_dir)
        os.makedirs(www)
        os.chmod(tmp, 0o755)  # nginx workers run as an unprivileged user
        os.chmod(www, 0o755)
        pki.make_pki(pki_dir)
        with open(os.path.join(www, "hello.txt"), "wb") as f:
            f.write(b"hello from the interop matrix\n")
        with open(os.path.join(www, "big.bin"), "wb") as f:
            f.write(os.urandom(1 << 20))
        with open(os.path.join(www, "text.txt"), "wb") as f:  # compresses about 10:1
            f.write(b"".join(b"line %d: the quick brown fox jumps over the lazy dog\n" % i
                             for i in range(20000)))
        for name in ("hello.txt", "big.bin", "text.txt"):
            os.chmod(os.path.join(www, name), 0o644)
        data = os.path.join(tmp, "data")  # files to upload
        os.makedirs(data)
        for name, content in (("up load.bin", os.urandom(100000)),
                              ("form.txt", b"name=a b\r\ncity=x\n\nlast=1\n"),
                              ("512k.bin", os.urandom(512 * 1024)),
                              ("16m.bin", os.urandom(16 << 20))):
            with open(os.path.join(data, name), "wb") as f:
                f.write(content)
        env = {"pki": pki_dir, "www": www, "tmp": tmp, "data": data}
        cases = [c for c in CASES if not a.only or re.search(a.only, c.name)]
        if a.plant_mismatch:
            cases.append(PLANTED)
        passed = failed = 0
        for case in cases:
            needed = case.make_server(env, 0)[0][0] if case.make_server else sys.executable
            if shutil.which(needed) is None and needed != sys.executable:
                print("SKIP  %s (%s not installed; HTTPS_ALLOW_SKIP=1)" % (case.name, needed))
                continue
            try:
                problems = run_case(case, env, a.https_get, curl)
            except Exception as e:  # a server that would not start is a failure, not a crash
                problems = [str(e)]
            if problems:
                failed += 1
                print("FAIL  %s: %s" % (case.name, "; ".join(problems)))
            else:
                passed += 1
                print("ok    %s" % case.name)
            sys.stdout.flush()
        print("%d passed, %d failed" % (passed, failed))
        return 1 if failed else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
