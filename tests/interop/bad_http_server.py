#!/usr/bin/env python3
"""A deliberately broken HTTPS server for the negative tests: TLS done right (Python's ssl
module), HTTP done wrong. The path picks the defect:

  /ok                 a correct 200 response (control)
  /bad-status         a status line that is not HTTP
  /folded-header      an obs-fold continuation line (RFC 9112 §5.2: unfold it to SP)
  /huge-header        one header field of 128 KiB
  /conflicting-length two different Content-Length values
  /truncated-chunk    a chunk that announces 16 bytes and the connection ends after 3
  /short-body         Content-Length 100, 7 bytes, then the connection ends
  /long-body          a correct 1 MiB body (for the body-size cap)
  /stall              the head and part of the body, then silence until the client gives up

Request bodies (uploads):
  /record/...         reads the whole request body (Content-Length or chunked) and answers 200
                      with a record of what it received: method, target, the body-framing and
                      Content-Type fields, the body's length and SHA-256; so two clients sent the
                      same request exactly when they get the same response body
  /early-413          answers 413 and closes right after the request head, with the body unread
                      (the kernel then resets the connection: RFC 9112 §9.5's early response)
  /early-413-open     answers 413 after the head, then neither reads nor closes for 30 s: a
                      client that keeps sending the body stalls

  bad_http_server.py PORT CERT KEY
Serves until killed; one thread per connection."""
import hashlib
import socket
import ssl
import sys
import threading
import time

OK_BODY = b"fine\n"

RESPONSES = {
    "/ok": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\n" + OK_BODY,
    "/bad-status": b"HTTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfine\n",
    "/folded-header": b"HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\nContent-Length: 5\r\n\r\nfine\n",
    "/huge-header": b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (128 * 1024) +
                    b"\r\nContent-Length: 5\r\n\r\nfine\n",
    "/conflicting-length": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"
                           b"fine\n!",
    "/truncated-chunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc",
    "/short-body": b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial",
    "/long-body": b"HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n" + b"x" * (1 << 20),
}


EARLY_BODY = b"too large, not reading it\n"
EARLY_413 = (b"HTTP/1.1 413 Content Too Large\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
             % len(EARLY_BODY) + EARLY_BODY)


class Reader:
    """Buffered reads from the connection: the request head, then the body as it arrives."""

    def __init__(self, conn):
        self.conn, self.buf = conn, b""

    def _fill(self):
        chunk = self.conn.recv(65536)
        if not chunk:
            raise EOFError("connection ended inside the request")
        self.buf += chunk

    def head(self):
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > 65536:
                raise EOFError("request head too long")
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        return head

    def line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def body(self, n, sink):
        while n > 0:
            if not self.buf:
                self._fill()
            take = self.buf[:n]
            self.buf = self.buf[len(take):]
            sink(take)
            n -= len(take)


def record(conn, reader, method, target, fields):
    """Read the body as its framing says and answer with what was received."""
    if fields.get("expect", "").lower() == "100-continue":
        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    digest, length = hashlib.sha256(), 0

    def sink(data):
        nonlocal length
        digest.update(data)
        length += len(data)
    if "chunked" in fields.get("transfer-encoding", "").lower():
        while True:
            size = int(reader.line().split(b";")[0], 16)
            if size == 0:
                while reader.line():  # trailer fields, up to the empty line
                    pass
                break
            reader.body(size, sink)
            if reader.line():
                raise EOFError("chunk data longer than its size")
    else:
        reader.body(int(fields.get("content-length", "0")), sink)
    text = "".join("%s: %s\n" % kv for kv in (
        ("method", method), ("target", target),
        ("content-type", fields.get("content-type", "-")),
        ("content-length", fields.get("content-length", "-")),
        ("transfer-encoding", fields.get("transfer-encoding", "-")),
        ("body-length", str(length)), ("body-sha256", digest.hexdigest()))).encode()
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                 % len(text) + text)


def serve(conn):
    try:
        reader = Reader(conn)
        lines = reader.head().decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        method, path = (parts[0], parts[1]) if len(parts) == 3 else ("", "/")
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        if path.startswith("/record/"):
            record(conn, reader, method, path, fields)
        elif path == "/early-413":
            # No Nagle delay: the answer must leave before close() resets the connection, since
            # a reset discards what is still queued to send (the client cannot read what never
            # arrived; what did arrive it must read).
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.sendall(EARLY_413)
            conn.close()  # the unread body makes the kernel answer with RST
            return
        elif path == "/early-413-open":
            conn.sendall(EARLY_413)
            time.sleep(30)
            return
        elif path == "/stall":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart")
            time.sleep(60)
            return
        else:
            conn.sendall(RESPONSES.get(path, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                                             b"Connection: close\r\n\r\n"))
        try:
            conn.unwrap()  # close_notify, so truncation is the HTTP framing's fault alone
        except (ssl.SSLError, OSError):
            pass
    except (ssl.SSLError, OSError, EOFError, ValueError):
        pass
    finally:
        conn.close()


def main():
    port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(16)
    while True:
        raw, _ = listener.accept()
        try:
            raw.settimeout(10)
            conn = ctx.wrap_socket(raw, server_side=True)
            conn.settimeout(None)
        except (ssl.SSLError, OSError):
            raw.close()
            continue
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
