// A TLS server that ends the TCP connection without close_notify, as a truncation attacker does:
// the HTTP client over net::tls_stream must report an error, for a Content-Length body cut short
// and for a close-delimited body alike, never a short success. With close_notify, a
// close-delimited body is complete and a short Content-Length body is http_truncated_body. The
// server speaks the RFC 8448 §3 trace (its keys, our engine replaying the trace's ClientHello),
// then sends the response under the server application traffic key.
#include <https/http/client.hpp>
#include <https/net/tls_stream.hpp>

#include "support/rfc8448_server.hpp"
#include "support/tls_loopback.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

using namespace https;
using namespace std::chrono_literals;
using test::rfc8448_server;
using bytes = test::bytes;

namespace {

/// One connection on a loopback listener: reads records until `count` have arrived.
bool read_records(int fd, bytes& buf, std::size_t count) {
    auto complete = [&] {
        std::size_t n = 0;
        std::size_t off = 0;
        while (off + 5 <= buf.size()) {
            const std::size_t len = std::size_t{buf[off + 3]} << 8 | buf[off + 4];
            if (off + 5 + len > buf.size()) {
                break;
            }
            off += 5 + len;
            ++n;
        }
        return n;
    };
    while (complete() < count) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 10000) <= 0) {
            return false;
        }
        std::uint8_t chunk[4096];
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) {
            return false;
        }
        buf.insert(buf.end(), chunk, chunk + n);
    }
    return true;
}

void send_all(int fd, const bytes& data) {
    std::size_t off = 0;
    while (off < data.size()) {
        const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
        if (n <= 0) {
            return;
        }
        off += static_cast<std::size_t>(n);
    }
}

/// Serves one TLS connection with the trace's server flight, then `response` in application
/// data records, then close_notify (if `close_notify`) and a TCP FIN.
class scripted_tls_server {
  public:
    scripted_tls_server(std::string response, bool close_notify)
        : response_(std::move(response)), close_notify_(close_notify) {
        int port = 0;
        fd_ = test::listen_loopback(port, 4);
        port_ = static_cast<decltype(port_)>(port);
        // The trace's flight and the sealed response are made here, on the test thread.
        rfc8448_server::sealer app(srv_.server_ap);
        for (std::size_t off = 0; off < response_.size(); off += 1000) {
            const std::string part = response_.substr(off, 1000);
            const bytes r = app.seal(tls::content_type::application_data, bytes(part.begin(), part.end()));
            after_.insert(after_.end(), r.begin(), r.end());
        }
        if (close_notify_) {
            const bytes r = app.seal(tls::content_type::alert, {1, 0});
            after_.insert(after_.end(), r.begin(), r.end());
        }
        thread_ = std::thread([this] { serve(); });
    }
    ~scripted_tls_server() {
        thread_.join();
        ::close(fd_);
    }
    scripted_tls_server(const scripted_tls_server&) = delete;
    scripted_tls_server& operator=(const scripted_tls_server&) = delete;

    /// The client's TLS configuration: the trace's ClientHello and randomness.
    tls::client_config config() { return srv_.config(); }
    [[nodiscard]] int port() const { return port_; }

  private:
    void serve() {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 10000) <= 0) {
            return;
        }
        const int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) {
            return;
        }
        bytes in;
        // ClientHello; then our flight; then the client's Finished and its request.
        if (read_records(c, in, 1)) {
            send_all(c, rfc8448_server::concat({srv_.server_hello_record, srv_.flight_record}));
            if (read_records(c, in, 3)) {
                send_all(c, after_);
            }
        }
        // A FIN, not a reset: stop writing, then drain until the client closes.
        ::shutdown(c, SHUT_WR);
        std::uint8_t sink[4096];
        for (;;) {
            pollfd q{c, POLLIN, 0};
            if (::poll(&q, 1, 10000) <= 0 || ::recv(c, sink, sizeof sink, 0) <= 0) {
                break;
            }
        }
        ::close(c);
    }

    rfc8448_server srv_;
    std::string response_;
    bool close_notify_;
    bytes after_;
    int fd_ = -1;
    int port_ = 0;
    std::thread thread_;
};

/// GET / over TLS to the scripted server, through the HTTP client and net::tls_stream.
result<http::response> fetch(scripted_tls_server& server) {
    http::client c([&server](const http::connect_request& req)
                       -> result<std::unique_ptr<net::stream>> {
        const int fd = test::connect_loopback(server.port());
        if (fd < 0) {
            return errc::net_connect_failed;
        }
        auto s = net::tls_stream::handshake(net::tcp_stream(fd), server.config(), req.deadline);
        if (!s) {
            return s.error();
        }
        return std::unique_ptr<net::stream>(std::move(*s));
    });
    http::request r;
    r.url = *http::parse_url("https://127.0.0.1:" + std::to_string(server.port()) + "/");
    http::client_options o;
    o.total_timeout = 20s;
    return c.perform(std::move(r), o);
}

} // namespace

TEST_CASE("truncation: a TCP close without close_notify ends no body successfully",
          "[http][tls][truncation]") {
    const std::string close_delimited = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n0123456789";
    const std::string short_length = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789";
    const std::string full_length = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789";
    SECTION("close-delimited body, FIN without close_notify: an error, not a short success") {
        scripted_tls_server s(close_delimited, false);
        CHECK(fetch(s).error() == errc::net_connection_closed);
    }
    SECTION("close-delimited body ended by close_notify: complete") {
        scripted_tls_server s(close_delimited, true);
        auto r = fetch(s);
        REQUIRE(r);
        CHECK(r->status == 200);
        CHECK(r->body == "0123456789");
    }
    SECTION("Content-Length body cut short, FIN without close_notify") {
        scripted_tls_server s(short_length, false);
        CHECK(fetch(s).error() == errc::net_connection_closed);
    }
    SECTION("Content-Length body cut short, then close_notify") {
        scripted_tls_server s(short_length, true);
        CHECK(fetch(s).error() == errc::http_truncated_body);
    }
    SECTION("control: a complete Content-Length body, FIN without close_notify") {
        // The framing says the body is complete before the close: nothing is missing.
        scripted_tls_server s(full_length, false);
        auto r = fetch(s);
        REQUIRE(r);
        CHECK(r->body == "0123456789");
    }
    SECTION("a close-delimited body of several records, FIN without close_notify") {
        scripted_tls_server s("HTTP/1.1 200 OK\r\n\r\n" + std::string(5000, 'x'), false);
        CHECK(fetch(s).error() == errc::net_connection_closed);
    }
}
