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

  bad_http_server.py PORT CERT KEY
Serves until killed; one thread per connection."""
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


def serve(conn):
    try:
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                return
            data += chunk
        path = data.split(b" ", 2)[1].decode(errors="replace") if data.count(b" ") >= 2 else "/"
        if path == "/stall":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart")
            time.sleep(60)
            return
        conn.sendall(RESPONSES.get(path, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                                         b"Connection: close\r\n\r\n"))
        try:
            conn.unwrap()  # close_notify, so truncation is the HTTP framing's fault alone
        except (ssl.SSLError, OSError):
            pass
    except (ssl.SSLError, OSError):
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
