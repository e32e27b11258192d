"""A small scripted TLS 1.3 server for the hybrid post-quantum key exchange X25519MLKEM768
(draft-ietf-tls-ecdhe-mlkem, group 0x11EC), which no Debian server speaks yet. Written on the
`cryptography` package (its ML-KEM-768, X25519, ECDSA and AES-GCM; HKDF from the standard
library's hmac), independently of the client under test.

One connection per `serve_one` call: ClientHello, then ServerHello (plus HelloRetryRequest when
the client's shares do not include the group asked for), EncryptedExtensions, Certificate,
CertificateVerify and Finished under TLS_AES_128_GCM_SHA256; the client's Finished is checked,
an HTTP request read and a fixed body served. `mode` plants the faults the tests need:
  "ok"            a correct server
  "short_share"   the server's hybrid share one byte short
  "bad_ciphertext" a random ML-KEM ciphertext: the client decapsulates it to its implicit
                  rejection secret, so the handshake keys differ
  "want_p256"     only secp256r1 is accepted: a HelloRetryRequest asks for it
  "want_x25519"   only X25519 is accepted (a server without post-quantum support)
Records what the client offered in `log` (groups, share groups and lengths, alerts)."""
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, mlkem, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

X25519MLKEM768 = 0x11EC
X25519 = 0x001D
SECP256R1 = 0x0017
HRR_RANDOM = hashlib.sha256(b"HelloRetryRequest").digest()
BODY = b"hybrid post-quantum key exchange works\n"


def u8(n): return struct.pack("!B", n)
def u16(n): return struct.pack("!H", n)
def u24(n): return struct.pack("!I", n)[1:]
def vec(prefix, data): return {1: u8, 2: u16, 3: u24}[prefix](len(data)) + data
def hs(t, body): return u8(t) + vec(3, body)
def ext(t, body): return u16(t) + vec(2, body)


def hkdf_extract(salt, ikm):
    return hmac.new(salt, ikm, hashlib.sha256).digest()


def hkdf_expand_label(secret, label, context, length):
    info = u16(length) + vec(1, b"tls13 " + label) + vec(1, context)
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(secret, block + info + u8(i), hashlib.sha256).digest()
        out += block
        i += 1
    return out[:length]


def derive(secret, label, transcript):
    return hkdf_expand_label(secret, label, hashlib.sha256(transcript).digest(), 32)


class Protection:
    def __init__(self, secret):
        self.aead = AESGCM(hkdf_expand_label(secret, b"key", b"", 16))
        self.iv = hkdf_expand_label(secret, b"iv", b"", 12)
        self.seq = 0

    def nonce(self):
        n = bytes(a ^ b for a, b in zip(self.iv, b"\0" * 4 + struct.pack("!Q", self.seq)))
        self.seq += 1
        return n

    def seal(self, content_type, payload):
        header = b"\x17\x03\x03" + u16(len(payload) + 1 + 16)
        return header + self.aead.encrypt(self.nonce(), payload + u8(content_type), header)

    def open(self, header, body):
        inner = self.aead.decrypt(self.nonce(), body, header).rstrip(b"\0")
        return inner[-1], inner[:-1]


class Conn:
    def __init__(self, sock, log):
        self.sock, self.log, self.buf, self.hs_buf = sock, log, b"", b""
        self.read_protection = None

    def record(self):
        while len(self.buf) < 5 or len(self.buf) < 5 + struct.unpack("!H", self.buf[3:5])[0]:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("client closed")
            self.buf += data
        n = 5 + struct.unpack("!H", self.buf[3:5])[0]
        header, body, self.buf = self.buf[:5], self.buf[5:n], self.buf[n:]
        if header[0] == 23 and self.read_protection:
            return self.read_protection.open(header, body)
        return header[0], body

    def handshake_message(self):
        while len(self.hs_buf) < 4 or len(self.hs_buf) < 4 + int.from_bytes(self.hs_buf[1:4], "big"):
            t, payload = self.record()
            if t == 20:
                continue  # the client's compatibility change_cipher_spec
            if t == 21:
                self.log.setdefault("alerts", []).append(payload[1])
                raise EOFError("client alert %d" % payload[1])
            assert t == 22, "record type %d during the handshake" % t
            self.hs_buf += payload
        n = 4 + int.from_bytes(self.hs_buf[1:4], "big")
        msg, self.hs_buf = self.hs_buf[:n], self.hs_buf[n:]
        return msg


def parse_client_hello(msg):
    body = msg[4:]
    pos = 2 + 32
    sid = body[pos + 1:pos + 1 + body[pos]]
    pos += 1 + body[pos]
    pos += 2 + struct.unpack("!H", body[pos:pos + 2])[0]  # cipher suites
    pos += 1 + body[pos]  # compression
    end = pos + 2 + struct.unpack("!H", body[pos:pos + 2])[0]
    pos += 2
    exts = {}
    while pos < end:
        t, n = struct.unpack("!HH", body[pos:pos + 4])
        exts[t] = body[pos + 4:pos + 4 + n]
        pos += 4 + n
    groups = [struct.unpack("!H", exts[10][i:i + 2])[0] for i in range(2, len(exts[10]), 2)]
    shares, data, i = [], exts[51], 2
    while i < len(data):
        g, n = struct.unpack("!HH", data[i:i + 4])
        shares.append((g, data[i + 4:i + 4 + n]))
        i += 4 + n
    return sid, groups, shares


def server_hello(sid, random, extensions):
    body = u16(0x0303) + random + vec(1, sid) + u16(0x1301) + u8(0) + vec(2, b"".join(extensions))
    return hs(2, body)


def serve_one(sock, cert_chain_der, key, mode, log):
    c = Conn(sock, log)
    ch = c.handshake_message()
    sid, groups, shares = parse_client_hello(ch)
    log["groups"], log["shares"] = groups, [(g, len(k)) for g, k in shares]
    transcript = ch
    wanted = {"want_p256": SECP256R1, "want_x25519": X25519}.get(mode, X25519MLKEM768)
    share = dict(shares).get(wanted)
    if share is None:
        # RFC 8446 §4.1.4: ask for the group, ClientHello1 becomes message_hash.
        hrr = server_hello(sid, HRR_RANDOM, [ext(43, u16(0x0304)), ext(51, u16(wanted))])
        sock.sendall(b"\x16\x03\x03" + vec(2, hrr))
        transcript = hs(254, hashlib.sha256(transcript).digest()) + hrr
        ch2 = c.handshake_message()
        sid, groups, shares = parse_client_hello(ch2)
        log["retry_shares"] = [(g, len(k)) for g, k in shares]
        transcript += ch2
        share = dict(shares)[wanted]
    log["group"] = wanted
    if wanted == X25519MLKEM768:
        assert len(share) == 1184 + 32, "hybrid client share of %d bytes" % len(share)
        ek, client_x = share[:1184], share[1184:]
        ss_kem, ciphertext = mlkem.MLKEM768PublicKey.from_public_bytes(ek).encapsulate()
        if mode == "bad_ciphertext":
            ciphertext = os.urandom(1088)
        mine = x25519.X25519PrivateKey.generate()
        ss_x = mine.exchange(x25519.X25519PublicKey.from_public_bytes(client_x))
        server_share = ciphertext + mine.public_key().public_bytes_raw()
        if mode == "short_share":
            server_share = server_share[:-1]
        shared = ss_kem + ss_x  # ML-KEM first, as the draft says
    elif wanted == X25519:
        mine = x25519.X25519PrivateKey.generate()
        shared = mine.exchange(x25519.X25519PublicKey.from_public_bytes(share))
        server_share = mine.public_key().public_bytes_raw()
    else:
        mine = ec.generate_private_key(ec.SECP256R1())
        peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), share)
        shared = mine.exchange(ec.ECDH(), peer)
        server_share = mine.public_key().public_bytes(serialization.Encoding.X962,
                                                      serialization.PublicFormat.UncompressedPoint)
    sh = server_hello(sid, os.urandom(32),
                      [ext(43, u16(0x0304)), ext(51, u16(wanted) + vec(2, server_share))])
    sock.sendall(b"\x16\x03\x03" + vec(2, sh))
    transcript += sh

    zero = b"\0" * 32
    early = hkdf_extract(zero, zero)
    hs_secret = hkdf_extract(derive(early, b"derived", b""), shared)
    c_hs, s_hs = derive(hs_secret, b"c hs traffic", transcript), derive(hs_secret, b"s hs traffic", transcript)
    write = Protection(s_hs)
    chain = b"".join(vec(3, der) + u16(0) for der in cert_chain_der)
    flight = [hs(8, vec(2, b"")), hs(11, vec(1, b"") + vec(3, chain))]
    transcript += b"".join(flight)
    content = b" " * 64 + b"TLS 1.3, server CertificateVerify\0" + hashlib.sha256(transcript).digest()
    flight.append(hs(15, u16(0x0403) + vec(2, key.sign(content, ec.ECDSA(hashes.SHA256())))))
    transcript += flight[-1]
    fin_key = hkdf_expand_label(s_hs, b"finished", b"", 32)
    flight.append(hs(20, hmac.new(fin_key, hashlib.sha256(transcript).digest(), hashlib.sha256).digest()))
    transcript += flight[-1]
    sock.sendall(b"".join(write.seal(22, m) for m in flight))

    ms = hkdf_extract(derive(hs_secret, b"derived", b""), zero)
    c_ap, s_ap = derive(ms, b"c ap traffic", transcript), derive(ms, b"s ap traffic", transcript)
    c.read_protection = Protection(c_hs)
    fin = c.handshake_message()
    expected = hmac.new(hkdf_expand_label(c_hs, b"finished", b"", 32),
                        hashlib.sha256(transcript).digest(), hashlib.sha256).digest()
    assert fin == hs(20, expected), "client Finished does not verify"
    log["handshake"] = "complete"
    c.read_protection = Protection(c_ap)
    request = b""
    while b"\r\n\r\n" not in request:
        t, payload = c.record()
        if t == 23:
            request += payload
    write = Protection(s_ap)
    response = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                b"Content-Length: %d\r\n\r\n" % len(BODY)) + BODY
    sock.sendall(write.seal(23, response) + write.seal(21, b"\x01\x00"))
