// Request bodies read while they are sent (http::body_source, http::file_body) over plain TCP:
// Content-Length and chunked framing, small pieces for any size, servers that answer before
// reading the body (RFC 9112 §9.5), interim responses, redirects that resend or drop the body.
#include <https/http/client.hpp>

#include "support/loopback.hpp"
#include "support/pattern_source.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace https;
using namespace std::chrono_literals;

namespace {

/// One accepted connection as a handler sees it: the request head (CRLFs included, up to the
/// blank line) and the bytes that came after it.
struct connection {
    int fd = -1;
    std::string head;
    std::string rest;
    const std::atomic<bool>* stopping = nullptr;

    /// Receive more into `rest`; false at the end, on an error, or after 10 s of silence.
    bool fill() {
        for (int waited = 0; waited < 200 && !*stopping; ++waited) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 50) == 0) {
                continue;
            }
            char chunk[65536];
            const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0) {
                return false;
            }
            rest.append(chunk, static_cast<std::size_t>(n));
            return true;
        }
        return false;
    }
    void send(const std::string& data) const {
        std::size_t off = 0;
        while (off < data.size()) {
            const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
            if (n <= 0) {
                return;
            }
            off += static_cast<std::size_t>(n);
        }
    }
    [[nodiscard]] bool head_has(const std::string& text) const {
        return head.find(text) != std::string::npos;
    }
    [[nodiscard]] std::string request_line() const { return head.substr(0, head.find("\r\n")); }
};

/// A loopback server for upload tests: per connection it reads a request head, then hands the
/// connection to `serve`, which reads as much of the body as it likes and answers; returning
/// true waits for another request on the same connection.
class upload_server {
public:
    using handler = std::function<bool(connection&)>;

    explicit upload_server(handler serve) : serve_(std::move(serve)) {
        int port = 0;
        fd_ = test::listen_loopback(port);
        port_ = static_cast<decltype(port_)>(port);
        thread_ = std::thread([this] { accept_loop(); });
    }
    ~upload_server() {
        stopping_ = true;
        thread_.join();
        for (auto& t : workers_) {
            t.join();
        }
        ::close(fd_);
    }
    upload_server(const upload_server&) = delete;
    upload_server& operator=(const upload_server&) = delete;

    [[nodiscard]] std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }
    [[nodiscard]] int connections() const { return connections_.load(); }

private:
    void accept_loop() {
        while (!stopping_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) {
                continue;
            }
            const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (c >= 0) {
                ++connections_;
                workers_.emplace_back([this, c] { run(c); });
            }
        }
    }
    void run(int c) {
        // No Nagle delay: an answer must leave before a close that resets the connection.
        const int one = 1;
        ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        connection conn{c, {}, {}, &stopping_};
        for (;;) {
            std::size_t end = 0;
            while ((end = conn.rest.find("\r\n\r\n")) == std::string::npos) {
                if (!conn.fill()) {
                    ::close(c);
                    return;
                }
            }
            conn.head = conn.rest.substr(0, end + 4);
            conn.rest.erase(0, end + 4);
            if (!serve_(conn)) {
                break;
            }
        }
        ::close(c);
    }

    handler serve_;
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::thread thread_;
    std::vector<std::thread> workers_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> connections_{0};
};

/// FNV-1a, 64 bits: enough to tell whether the server got exactly the bytes sent.
struct digest {
    std::uint64_t length = 0;
    std::uint64_t fnv = 0xcbf29ce484222325;
    void update(std::string_view data) {
        for (const char ch : data) {
            fnv = (fnv ^ static_cast<std::uint8_t>(ch)) * 0x100000001b3;
        }
        length += data.size();
    }
    [[nodiscard]] std::string text() const {
        char hex[17];
        std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv));
        return "length=" + std::to_string(length) + " fnv=" + hex;
    }
};

std::string digest_of(const std::string& data) {
    digest d;
    d.update(data);
    return d.text();
}

/// Take `n` body bytes from the connection into `d`; false if it ends first.
bool take(connection& c, std::uint64_t n, digest& d) {
    while (n > 0) {
        if (c.rest.empty() && !c.fill()) {
            return false;
        }
        const auto k = static_cast<std::size_t>(std::min<std::uint64_t>(n, c.rest.size()));
        d.update(std::string_view(c.rest).substr(0, k));
        c.rest.erase(0, k);
        n -= k;
    }
    return true;
}

/// One CRLF-terminated line from the connection.
std::optional<std::string> line(connection& c) {
    std::size_t end = 0;
    while ((end = c.rest.find("\r\n")) == std::string::npos) {
        if (!c.fill()) {
            return std::nullopt;
        }
    }
    std::string out = c.rest.substr(0, end);
    c.rest.erase(0, end + 2);
    return out;
}

/// Read the whole request body as its head frames it (Content-Length or chunked).
std::optional<digest> read_body(connection& c) {
    digest d;
    if (c.head_has("Transfer-Encoding: chunked")) {
        for (;;) {
            auto size_line = line(c);
            if (!size_line) {
                return std::nullopt;
            }
            const auto size = std::stoull(*size_line, nullptr, 16);
            if (size == 0) {
                auto trailer_end = line(c);
                if (!trailer_end || !trailer_end->empty()) {
                    return std::nullopt;
                }
                return d;
            }
            if (!take(c, size, d)) {
                return std::nullopt;
            }
            auto crlf = line(c);
            if (!crlf || !crlf->empty()) {
                return std::nullopt;
            }
        }
    }
    const auto at = c.head.find("Content-Length: ");
    const std::uint64_t n = at == std::string::npos ? 0 : std::stoull(c.head.substr(at + 16));
    return take(c, n, d) ? std::optional<digest>(d) : std::nullopt;
}

std::string response(int status, const std::string& body, const std::string& extra = "") {
    return "HTTP/1.1 " + std::to_string(status) + " X\r\n" + extra +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

/// Reads the whole body and answers with the request line and what arrived.
bool echo(connection& c) {
    auto d = read_body(c);
    if (!d) {
        return false;
    }
    c.send(response(200, c.request_line() + " " + d->text()));
    return true;
}

/// Answers 413 after the head alone and closes with the body unread (the kernel resets).
bool answer_413_and_close(connection& c) {
    c.send(response(413, "too large", "Connection: close\r\n"));
    return false;
}

http::request put(const std::string& url, http::body_source& source) {
    http::request r;
    r.method = "PUT";
    r.url = *http::parse_url(url);
    r.source = &source;
    return r;
}

http::client_options quick_options() {
    http::client_options o;
    o.idle_timeout = 5s; // a client stuck sending to a server that stopped reading fails here
    o.total_timeout = 60s;
    return o;
}

} // namespace

TEST_CASE("a body source goes out with Content-Length, pulled in pieces of at most 16 KiB",
          "[http][upload]") {
    std::vector<std::string> heads;
    std::mutex m;
    upload_server server([&](connection& c) {
        const std::lock_guard<std::mutex> lock(m);
        heads.push_back(c.head);
        return echo(c);
    });
    http::client client(nullptr);
    for (const std::uint64_t size : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{16384},
                                     std::uint64_t{16385}, std::uint64_t{512} * 1024}) {
        CAPTURE(size);
        test::pattern_source source(size);
        auto r = client.perform(put(server.url("/up"), source), quick_options());
        REQUIRE(r.ok());
        CHECK(r->status == 200);
        CHECK(r->body == "PUT /up HTTP/1.1 " + digest_of(test::pattern_source::text(size)));
        CHECK(source.largest_read <= 16384);
        const std::lock_guard<std::mutex> lock(m);
        CHECK(heads.back().find("Content-Length: " + std::to_string(size) + "\r\n") !=
              std::string::npos);
        CHECK(heads.back().find("Transfer-Encoding") == std::string::npos);
    }
    CHECK(client.connections_opened() == 1); // complete uploads leave the connection reusable

    // 64 MiB: memory stays bounded because the source is pulled piece by piece as the socket
    // takes it (about 4096 reads), never gathered.
    const std::uint64_t big = std::uint64_t{64} << 20;
    test::pattern_source source(big);
    auto r = client.perform(put(server.url("/big"), source), quick_options());
    REQUIRE(r.ok());
    digest expected;
    std::string block;
    for (std::uint64_t at = 0; at < big; at += block.size()) {
        block.resize(static_cast<std::size_t>(std::min<std::uint64_t>(1 << 20, big - at)));
        for (std::size_t i = 0; i < block.size(); ++i) {
            block[i] = static_cast<char>(test::pattern_source::byte_at(at + i));
        }
        expected.update(block);
    }
    CHECK(r->body == "PUT /big HTTP/1.1 " + expected.text());
    CHECK(source.largest_read <= 16384);
    CHECK(source.reads >= big / 16384);
}

TEST_CASE("a body source of unknown length goes out chunked", "[http][upload]") {
    std::string last_head;
    std::mutex m;
    upload_server server([&](connection& c) {
        const std::lock_guard<std::mutex> lock(m);
        last_head = c.head;
        return echo(c);
    });
    http::client client(nullptr);
    for (const std::uint64_t size : {std::uint64_t{0}, std::uint64_t{5}, std::uint64_t{16372},
                                     std::uint64_t{16373}, std::uint64_t{100000}}) {
        CAPTURE(size);
        test::pattern_source source(size, /*announce=*/false);
        http::request req = put(server.url("/chunked"), source);
        req.method = "POST";
        auto r = client.perform(req, quick_options());
        REQUIRE(r.ok());
        CHECK(r->body == "POST /chunked HTTP/1.1 " + digest_of(test::pattern_source::text(size)));
        const std::lock_guard<std::mutex> lock(m);
        CHECK(source.largest_read <= 16372); // framed, a chunk still fits one TLS record
        CHECK(last_head.find("Transfer-Encoding: chunked\r\n") != std::string::npos);
        CHECK(last_head.find("Content-Length") == std::string::npos);
    }
    CHECK(client.connections_opened() == 1);
}

TEST_CASE("a server that answers before reading the body and closes: its answer is returned",
          "[http][upload]") {
    upload_server server(answer_413_and_close);
    http::client client(nullptr);
    // 512 KiB may still fit in the socket buffers; 64 MiB cannot, so the client is mid-body
    // when the reset comes and must read the answer that arrived before it.
    for (const std::uint64_t size : {std::uint64_t{512} << 10, std::uint64_t{64} << 20}) {
        for (int round = 0; round < 5; ++round) {
            CAPTURE(size, round);
            test::pattern_source source(size);
            auto r = client.perform(put(server.url("/full"), source), quick_options());
            REQUIRE(r.ok());
            CHECK(r->status == 413);
            CHECK(r->body == "too large");
            if (size > (std::uint64_t{1} << 20)) {
                CHECK(source.position < size); // it stopped sending
            }
        }
    }
    CHECK(client.connections_opened() == 10); // never reused
    CHECK(server.connections() == 10);
}

TEST_CASE("a server that answers before reading the body and stops reading: no stall",
          "[http][upload]") {
    upload_server server([](connection& c) {
        c.send(response(413, "too large"));
        while (!*c.stopping) { // keep the connection open without reading
            std::this_thread::sleep_for(10ms);
        }
        return false;
    });
    http::client client(nullptr);
    test::pattern_source source(std::uint64_t{64} << 20);
    const auto start = std::chrono::steady_clock::now();
    auto r = client.perform(put(server.url("/full"), source), quick_options());
    REQUIRE(r.ok()); // not net_idle_timeout: the client noticed the answer while blocked
    CHECK(r->status == 413);
    CHECK(r->body == "too large");
    CHECK(std::chrono::steady_clock::now() - start < 3s);
    CHECK(source.position < (std::uint64_t{64} << 20));
}

TEST_CASE("a 2xx answer streamed while the body is read does not stop the upload",
          "[http][upload]") {
    // Full duplex: the head and one chunk per read go out as the body comes in, the digest at
    // the end. A client that stopped sending at the head would wait for the rest of a response
    // that waits for the rest of its body.
    upload_server streaming([](connection& c) {
        c.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        const auto at = c.head.find("Content-Length: ");
        std::uint64_t left = std::stoull(c.head.substr(at + 16));
        digest d;
        while (left > 0) {
            if (c.rest.empty() && !c.fill()) {
                return false;
            }
            const auto k = static_cast<std::size_t>(std::min<std::uint64_t>(left, c.rest.size()));
            d.update(std::string_view(c.rest).substr(0, k));
            c.rest.erase(0, k);
            left -= k;
            c.send("1\r\n.\r\n");
        }
        const std::string text = "\n" + d.text();
        char size[16];
        std::snprintf(size, sizeof size, "%zx", text.size());
        c.send(std::string(size) + "\r\n" + text + "\r\n0\r\n\r\n");
        return true;
    });
    http::client client(nullptr);
    const std::uint64_t size = std::uint64_t{8} << 20;
    test::pattern_source source(size);
    auto r = client.perform(put(streaming.url("/duplex"), source), quick_options());
    REQUIRE(r.ok());
    CHECK(r->status == 200);
    CHECK(source.position == size);
    const auto last = r->body.rfind('\n');
    REQUIRE(last != std::string::npos);
    CHECK(r->body.substr(last + 1) == digest_of(test::pattern_source::text(size)));
    CHECK(r->body.find_first_not_of('.') == last); // dots while the body was coming in

    // A complete 2xx before the body was read, then a reset: the sending stops there.
    upload_server early_ok([](connection& c) {
        c.send(response(200, "ok", "Connection: close\r\n"));
        return false;
    });
    test::pattern_source big(std::uint64_t{64} << 20);
    auto ok = client.perform(put(early_ok.url("/ok"), big), quick_options());
    REQUIRE(ok.ok());
    CHECK(ok->status == 200);
    CHECK(ok->body == "ok");
    CHECK(big.position < (std::uint64_t{64} << 20));
}

TEST_CASE("interim (1xx) responses during the upload do not stop it", "[http][upload]") {
    upload_server server([](connection& c) {
        c.send("HTTP/1.1 100 Continue\r\n\r\n");
        std::this_thread::sleep_for(20ms); // let the client see it mid-body
        c.send("HTTP/1.1 102 Processing\r\n\r\n");
        return echo(c);
    });
    http::client client(nullptr);
    const std::uint64_t size = std::uint64_t{8} << 20;
    test::pattern_source source(size);
    auto r = client.perform(put(server.url("/slow"), source), quick_options());
    REQUIRE(r.ok());
    CHECK(r->status == 200);
    CHECK(source.position == size);
    CHECK(r->body.find(" length=" + std::to_string(size) + " ") != std::string::npos);
}

TEST_CASE("redirects: 307/308 resend the body from its start, 303 drops it", "[http][upload]") {
    upload_server server([](connection& c) {
        const std::string line = c.request_line();
        if (line.find(" /early-307 ") != std::string::npos) { // before reading the body
            c.send(response(307, "", "Location: /echo\r\nConnection: close\r\n"));
            return false;
        }
        auto d = read_body(c);
        if (!d) {
            return false;
        }
        if (line.find(" /308 ") != std::string::npos) {
            c.send(response(308, "", "Location: /echo\r\n"));
        } else if (line.find(" /303 ") != std::string::npos) {
            c.send(response(303, "", "Location: /echo\r\n"));
        } else if (line.find(" /301 ") != std::string::npos) {
            c.send(response(301, "", "Location: /echo\r\n"));
        } else {
            c.send(response(200, line + " " + d->text()));
        }
        return true;
    });
    http::client client(nullptr);
    auto follow = quick_options();
    follow.follow_redirects = true;
    const std::uint64_t size = 300000;
    const std::string sent = digest_of(test::pattern_source::text(size));

    for (const char* path : {"/308", "/early-307"}) {
        CAPTURE(path);
        test::pattern_source source(size);
        auto r = client.perform(put(server.url(path), source), follow);
        REQUIRE(r.ok());
        CHECK(r->body == "PUT /echo HTTP/1.1 " + sent);
        CHECK(source.rewinds == 1);
    }

    // curl's rules: 301/302 turn POST (only) into GET; 303 turns everything into GET.
    test::pattern_source put_source(size);
    auto moved = client.perform(put(server.url("/301"), put_source), follow);
    REQUIRE(moved.ok());
    CHECK(moved->body == "PUT /echo HTTP/1.1 " + sent);
    test::pattern_source post_source(size);
    http::request post = put(server.url("/301"), post_source);
    post.method = "POST";
    auto got = client.perform(post, follow);
    REQUIRE(got.ok());
    CHECK(got->body == "GET /echo HTTP/1.1 length=0 fnv=cbf29ce484222325");
    test::pattern_source other_source(size);
    auto see_other = client.perform(put(server.url("/303"), other_source), follow);
    REQUIRE(see_other.ok());
    CHECK(see_other->body == "GET /echo HTTP/1.1 length=0 fnv=cbf29ce484222325");

    // A body that cannot start over cannot follow a 307/308.
    test::pattern_source once(size, true, /*rewindable=*/false);
    CHECK(client.perform(put(server.url("/308"), once), follow).error() ==
          errc::http_body_not_rewindable);
}

TEST_CASE("a body source that fails or ends before its size ends the request with a named error",
          "[http][upload]") {
    upload_server server(echo);
    http::client client(nullptr);

    struct failing final : http::body_source {
        [[nodiscard]] std::optional<std::uint64_t> size() const override { return 100000; }
        result<std::size_t> read(mutable_bytes buf) override {
            if (given > 50000) {
                return errc::http_body_read_failed;
            }
            given += buf.size();
            return buf.size();
        }
        status rewind() override { return {}; }
        std::uint64_t given = 0;
    } broken;
    CHECK(client.perform(put(server.url("/x"), broken), quick_options()).error() ==
          errc::http_body_read_failed);

    struct short_source final : http::body_source {
        [[nodiscard]] std::optional<std::uint64_t> size() const override { return 1000; }
        result<std::size_t> read(mutable_bytes buf) override {
            const std::size_t n = std::min<std::size_t>(buf.size(), 500 - given);
            given += n;
            return n;
        }
        status rewind() override { return {}; }
        std::size_t given = 0;
    } short_body;
    CHECK(client.perform(put(server.url("/x"), short_body), quick_options()).error() ==
          errc::http_body_length_mismatch);
}

TEST_CASE("file_body: size, rewind, descriptors, pipes and errors", "[http][upload]") {
    const std::string path = std::string(HTTPS_BINARY_DIR) + "/upload_test_file.bin";
    const std::string content = test::pattern_source::text(100000);
    {
        std::FILE* f = std::fopen(path.c_str(), "wb");
        REQUIRE(f != nullptr);
        REQUIRE(std::fwrite(content.data(), 1, content.size(), f) == content.size());
        std::fclose(f);
    }
    auto read_all = [](http::body_source& s) {
        std::string out;
        std::uint8_t buf[7000];
        for (;;) {
            auto n = s.read(buf);
            REQUIRE(n.ok());
            if (*n == 0) {
                return out;
            }
            out.append(reinterpret_cast<const char*>(buf), *n);
        }
    };

    auto file = http::file_body::open(path);
    REQUIRE(file.ok());
    CHECK(file->size() == content.size());
    CHECK(file->rewind().ok()); // nothing read yet
    CHECK(read_all(*file) == content);
    REQUIRE(file->rewind().ok());
    CHECK(read_all(*file) == content);

    // Sent through the client: the server gets the file's bytes.
    upload_server server(echo);
    http::client client(nullptr);
    auto r = client.perform(put(server.url("/file"), *file), quick_options());
    REQUIRE(r.ok());
    CHECK(r->body == "PUT /file HTTP/1.1 " + digest_of(content));

    // A descriptor is read from its current offset, and rewound to it.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    REQUIRE(::lseek(fd, 1000, SEEK_SET) == 1000);
    {
        auto from_fd = http::file_body::from_descriptor(fd);
        REQUIRE(from_fd.ok());
        CHECK(from_fd->size() == content.size() - 1000);
        CHECK(read_all(*from_fd) == content.substr(1000));
        REQUIRE(from_fd->rewind().ok());
        CHECK(read_all(*from_fd) == content.substr(1000));
    }
    CHECK(::fcntl(fd, F_GETFD) >= 0); // not closed: the caller owns it
    ::close(fd);

    // A pipe: no size (chunked), and only one pass.
    int p[2];
    REQUIRE(::pipe(p) == 0);
    REQUIRE(::write(p[1], "abc", 3) == 3);
    ::close(p[1]);
    auto piped = http::file_body::from_descriptor(p[0]);
    REQUIRE(piped.ok());
    CHECK(!piped->size().has_value());
    CHECK(piped->rewind().ok());
    CHECK(read_all(*piped) == "abc");
    CHECK(piped->rewind().error() == errc::http_body_not_rewindable);
    ::close(p[0]);

    CHECK(http::file_body::open(path + ".missing").error() == errc::http_body_read_failed);
    CHECK(http::file_body::open(HTTPS_BINARY_DIR).error() == errc::http_body_read_failed);
    const int write_only = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    REQUIRE(write_only >= 0);
    CHECK(http::file_body::from_descriptor(write_only).error() == errc::http_body_read_failed);
    ::close(write_only);
    CHECK(http::file_body::from_descriptor(-1).error() == errc::http_body_read_failed);
    ::unlink(path.c_str());
}
