#!/usr/bin/env python3
"""The reference figure of https-bench's ML-KEM-768 entries: pyca/cryptography's ML-KEM-768
(OpenSSL's implementation underneath; libcrypto 3.0, which the other figures use, has none).

  mlkem_reference.py keygen|encaps|decaps SECONDS   prints operations per second on stdout

The figure includes the Python call overhead (about 0.03 us for an empty call here, against tens
of microseconds per operation). Exits with status 3 and the reason on stderr when this Python's
cryptography package has no ML-KEM (it needs a release built with OpenSSL >= 3.5)."""
import sys
import time


def main():
    op, seconds = sys.argv[1], float(sys.argv[2])
    try:
        from cryptography import __version__ as version
        from cryptography.hazmat.backends.openssl.backend import backend
        from cryptography.hazmat.primitives.asymmetric import mlkem
        key = mlkem.MLKEM768PrivateKey.generate()
    except Exception as e:  # ImportError, UnsupportedAlgorithm
        print(f"reference n/a: python3 cryptography has no usable ML-KEM-768 ({e})", file=sys.stderr)
        return 3
    public = key.public_key()
    _, ciphertext = public.encapsulate()
    ops = {
        "keygen": mlkem.MLKEM768PrivateKey.generate,
        "encaps": public.encapsulate,
        "decaps": lambda: key.decapsulate(ciphertext),
    }[op]
    print(f"reference: pyca/cryptography {version}, {backend.openssl_version_text()}",
          file=sys.stderr)
    done, batch = 0, 1
    start = time.perf_counter()
    while True:
        for _ in range(batch):
            ops()
        done += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
        if elapsed < seconds / 10:
            batch *= 2
    print(done / elapsed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
