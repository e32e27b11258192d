"""Throwaway PKI for interop tests, made with the openssl command line in a temporary directory:
a root CA, an intermediate, and leaves (RSA, ECDSA P-256) for 127.0.0.1/localhost, plus the bad
ones the negative tests need (wrong host, expired, signed by an untrusted root); and, for OCSP
stapling, leaves with and without must-staple with OCSP responses made by `cryptography` (the
openssl command line cannot backdate a response)."""
import datetime
import os
import subprocess


def _run(*args, cwd):
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _key(cwd, name, kind):
    if kind == "rsa":
        _run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
             "-out", name + ".key", cwd=cwd)
    else:
        _run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:" + kind,
             "-out", name + ".key", cwd=cwd)


def _ext(cwd, name, text):
    with open(os.path.join(cwd, name + ".ext"), "w") as f:
        f.write(text)
    return name + ".ext"


def _issue(cwd, name, issuer, ext_text, days="30", subject=None):
    # A leaf's subject is its first host name (the web PKI profile wants the Common Name to be
    # one of the SANs); callers pass it.
    subject = subject or "/CN=" + name
    _run("openssl", "req", "-new", "-key", name + ".key", "-subj", subject, "-out", name + ".csr",
         cwd=cwd)
    args = ["openssl", "x509", "-req", "-in", name + ".csr", "-out", name + ".pem",
            "-extfile", _ext(cwd, name, ext_text), "-sha256"]
    if issuer is None:
        args += ["-signkey", name + ".key"]
    else:
        args += ["-CA", issuer + ".pem", "-CAkey", issuer + ".key", "-CAcreateserial"]
    args += ["-days", days]
    _run(*args, cwd=cwd)


CA_EXT = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n" \
         "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"


def leaf_ext(names):
    sans = ",".join(("IP:" if n[0].isdigit() else "DNS:") + n for n in names)
    return ("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth\nsubjectAltName=" + sans + "\n"
            "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")


def make_pki(cwd):
    """Create every certificate; return a dict of useful paths."""
    _key(cwd, "root", "P-256")
    _run("openssl", "req", "-x509", "-new", "-key", "root.key", "-subj", "/CN=Interop Test Root",
         "-days", "30", "-out", "root.pem", "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=cwd)
    _key(cwd, "inter", "P-256")
    _issue(cwd, "inter", "root", CA_EXT, subject="/CN=Interop Test Intermediate")
    good = ["127.0.0.1", "localhost"]
    for name, kind in (("rsa", "rsa"), ("ecdsa", "P-256"), ("p384", "P-384")):
        _key(cwd, name, kind)
        _issue(cwd, name, "inter", leaf_ext(good), subject="/CN=localhost")
    _key(cwd, "wronghost", "P-256")
    _issue(cwd, "wronghost", "inter", leaf_ext(["other.example"]), subject="/CN=other.example")
    # Expired: `openssl x509` (3.0) cannot backdate, `openssl ca` can (-startdate/-enddate).
    _key(cwd, "expired", "P-256")
    _run("openssl", "req", "-new", "-key", "expired.key", "-subj", "/CN=localhost", "-out",
         "expired.csr", cwd=cwd)
    with open(os.path.join(cwd, "ca.cnf"), "w") as f:
        f.write("[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\n"
                "default_md=sha256\npolicy=p\ncopy_extensions=none\n[p]\ncommonName=supplied\n"
                "[x]\n" + leaf_ext(good))
    open(os.path.join(cwd, "index.txt"), "w").close()
    with open(os.path.join(cwd, "serial"), "w") as f:
        f.write("1000\n")
    _run("openssl", "ca", "-batch", "-config", "ca.cnf", "-cert", "inter.pem", "-keyfile",
         "inter.key", "-in", "expired.csr", "-out", "expired.pem", "-startdate", "20200101000000Z",
         "-enddate", "20200201000000Z", "-extensions", "x", "-notext", cwd=cwd)
    # A chain to a root the client does not trust.
    _key(cwd, "evilroot", "P-256")
    _run("openssl", "req", "-x509", "-new", "-key", "evilroot.key", "-subj", "/CN=Untrusted Root",
         "-days", "30", "-out", "evilroot.pem", "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign", cwd=cwd)
    _key(cwd, "untrusted", "P-256")
    _issue(cwd, "untrusted", "evilroot", leaf_ext(good), subject="/CN=localhost")
    # Chains as servers send them: leaf then intermediate.
    for name in ("rsa", "ecdsa", "p384", "wronghost", "expired"):
        with open(os.path.join(cwd, name + "-chain.pem"), "w") as out:
            for part in (name + ".pem", "inter.pem"):
                with open(os.path.join(cwd, part)) as f:
                    out.write(f.read())
    with open(os.path.join(cwd, "untrusted-chain.pem"), "w") as out:
        with open(os.path.join(cwd, "untrusted.pem")) as f:
            out.write(f.read())
    _make_staples(cwd, good)
    return {"root": os.path.join(cwd, "root.pem"), "dir": cwd}


STAPLES = ("good", "revoked", "expired", "wrongresponder")


def _make_staples(cwd, names):
    """Leaves `staple` (no must-staple) and `muststaple` (RFC 7633 tlsfeature status_request),
    issued by the intermediate, and for each an OCSP response `<leaf>.<kind>.ocsp` of every kind
    in STAPLES: good, revoked, expired (nextUpdate a day ago) and signed by a responder the
    issuer never authorised (the untrusted root)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509 import ocsp

    def load(name):
        with open(os.path.join(cwd, name + ".pem"), "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
        with open(os.path.join(cwd, name + ".key"), "rb") as f:
            key = serialization.load_pem_private_key(f.read(), password=None)
        return cert, key

    for leaf, feature in (("staple", ""), ("muststaple", "tlsfeature=status_request\n")):
        _key(cwd, leaf, "P-256")
        _issue(cwd, leaf, "inter", leaf_ext(names) + feature, subject="/CN=localhost")
        with open(os.path.join(cwd, leaf + "-chain.pem"), "w") as out:
            for part in (leaf + ".pem", "inter.pem"):
                with open(os.path.join(cwd, part)) as f:
                    out.write(f.read())
    issuer, issuer_key = load("inter")
    stranger, stranger_key = load("evilroot")
    now = datetime.datetime.now(datetime.timezone.utc)
    hour, day = datetime.timedelta(hours=1), datetime.timedelta(days=1)
    for leaf in ("staple", "muststaple"):
        cert, _ = load(leaf)
        for kind in STAPLES:
            status = ocsp.OCSPCertStatus.REVOKED if kind == "revoked" else ocsp.OCSPCertStatus.GOOD
            this_update, next_update = (now - 3 * day, now - day) if kind == "expired" \
                else (now - hour, now + day)
            signer, signer_key = (stranger, stranger_key) if kind == "wrongresponder" \
                else (issuer, issuer_key)
            builder = ocsp.OCSPResponseBuilder().add_response(
                cert=cert, issuer=issuer, algorithm=hashes.SHA1(), cert_status=status,
                this_update=this_update, next_update=next_update,
                revocation_time=now - 2 * hour if kind == "revoked" else None,
                revocation_reason=x509.ReasonFlags.key_compromise if kind == "revoked" else None)
            builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, signer)
            if kind == "wrongresponder":
                builder = builder.certificates([signer])
            response = builder.sign(signer_key, hashes.SHA256())
            with open(os.path.join(cwd, "%s.%s.ocsp" % (leaf, kind)), "wb") as f:
                f.write(response.public_bytes(serialization.Encoding.DER))
