// TCP connect, timeouts and I/O over loopback.
#include <https/net/socket.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using namespace https;
using namespace std::chrono_literals;

namespace {
// A listening socket on 127.0.0.1 with a kernel-chosen port.
struct listener {
    int fd = -1;
    std::uint16_t port = 0;
    explicit listener(int backlog = 4) {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(::listen(fd, backlog) == 0);
        socklen_t len = sizeof a;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
    }
    ~listener() { ::close(fd); }
    listener(const listener&) = delete;
    listener& operator=(const listener&) = delete;
};
} // namespace

TEST_CASE("resolve numeric addresses without DNS", "[net]") {
    auto v4 = net::resolve("127.0.0.1", 443, net::deadline_after(2s));
    REQUIRE(v4.ok());
    CHECK(v4->front().family == AF_INET);
    CHECK(v4->front().to_string() == "127.0.0.1");
    auto v6 = net::resolve("::1", 443, net::deadline_after(2s));
    REQUIRE(v6.ok());
    CHECK(v6->front().family == AF_INET6);
    // "localhost" comes from /etc/hosts; tests never query DNS (no traffic leaves loopback).
    auto local = net::resolve("localhost", 80, net::deadline_after(5s));
    REQUIRE(local.ok());
    CHECK_FALSE(local->empty());
}

TEST_CASE("connect, echo, and EOF over loopback", "[net]") {
    listener l;
    std::thread server([&] {
        int c = ::accept(l.fd, nullptr, nullptr);
        char buf[16];
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        ::send(c, buf, static_cast<std::size_t>(n), 0);
        ::close(c);
    });
    auto eps = net::resolve("127.0.0.1", l.port, net::deadline_after(2s));
    REQUIRE(eps.ok());
    auto s = net::connect(*eps, net::deadline_after(2s));
    REQUIRE(s.ok());
    REQUIRE(s->write_all(as_bytes("ping"), net::deadline_after(2s)).ok());
    std::uint8_t buf[16];
    std::size_t got = 0;
    while (got < 4) {
        auto n = s->read_some(mutable_bytes(buf + got, sizeof buf - got), net::deadline_after(2s));
        REQUIRE(n.ok());
        REQUIRE(*n > 0);
        got += *n;
    }
    CHECK(std::string(reinterpret_cast<char*>(buf), 4) == "ping");
    auto eof = s->read_some(buf, net::deadline_after(2s));
    REQUIRE(eof.ok());
    CHECK(*eof == 0);
    server.join();
}

TEST_CASE("connection refused, read timeout, and writes to a closed peer", "[net]") {
    std::uint16_t closed_port = 0;
    {
        listener l;
        closed_port = l.port;
    }
    auto eps = net::resolve("127.0.0.1", closed_port, net::deadline_after(2s));
    REQUIRE(eps.ok());
    CHECK(net::connect(*eps, net::deadline_after(2s)).error() == errc::net_connect_failed);

    listener l;
    auto eps2 = net::resolve("127.0.0.1", l.port, net::deadline_after(2s));
    auto s = net::connect(*eps2, net::deadline_after(2s));
    REQUIRE(s.ok());
    int c = ::accept(l.fd, nullptr, nullptr); // accepted but silent: a stalled server
    std::uint8_t buf[8];
    const auto start = net::clock::now();
    CHECK(s->read_some(buf, net::deadline_after(200ms)).error() == errc::net_timeout);
    CHECK(net::clock::now() - start < 2s);
    CHECK_FALSE(s->idle_connection_broken());
    ::close(c);
    std::this_thread::sleep_for(50ms);
    CHECK(s->idle_connection_broken());
    // Writing into a closed connection must give an error, never SIGPIPE.
    std::vector<std::uint8_t> big(1 << 20, 'x');
    errc e = errc::ok;
    for (int i = 0; i < 20 && e == errc::ok; ++i) {
        e = s->write_all(big, net::deadline_after(2s)).error();
    }
    CHECK((e == errc::net_connection_closed || e == errc::net_io_error));
}

TEST_CASE("connect times out when the server never completes the handshake", "[net]") {
    // A listener that never accepts, with its backlog filled: Linux then drops further SYNs, so
    // the next connect hangs until our deadline (all on loopback: no traffic leaves the host).
    listener l(0);
    auto eps = net::resolve("127.0.0.1", l.port, net::deadline_after(1s));
    REQUIRE(eps.ok());
    std::vector<net::tcp_stream> fillers;
    errc outcome = errc::ok;
    const auto start = net::clock::now();
    for (int i = 0; i < 8 && outcome == errc::ok; ++i) {
        auto s = net::connect(*eps, net::deadline_after(300ms));
        if (s) {
            fillers.push_back(std::move(s).value());
        } else {
            outcome = s.error();
        }
    }
    CHECK(outcome == errc::net_timeout);
    CHECK(net::clock::now() - start < 5s);
}

TEST_CASE("the idle timeout ends a read, a write and a connect that make no progress", "[net]") {
    listener l;
    auto eps = net::resolve("127.0.0.1", l.port, net::deadline_after(2s));
    REQUIRE(eps.ok());
    auto s = net::connect(*eps, net::deadline::max(), 200ms);
    REQUIRE(s.ok());
    int c = ::accept(l.fd, nullptr, nullptr); // accepted, never reads or writes
    std::uint8_t buf[8];
    auto start = net::clock::now();
    CHECK(s->read_some(buf, net::deadline::max()).error() == errc::net_idle_timeout);
    CHECK(net::clock::now() - start >= 190ms);
    CHECK(net::clock::now() - start < 2s);
    // The call's deadline, when nearer, is still reported as the deadline.
    CHECK(s->read_some(buf, net::deadline_after(50ms)).error() == errc::net_timeout);
    // A peer that never reads: the send buffers fill, then the wait for room times out.
    std::vector<std::uint8_t> big(64 << 20, 'x');
    start = net::clock::now();
    CHECK(s->write_all(big, net::deadline::max()).error() == errc::net_idle_timeout);
    CHECK(net::clock::now() - start < 5s);
    s->set_idle_timeout(0ms); // none: only the deadline remains
    CHECK(s->read_some(buf, net::deadline_after(100ms)).error() == errc::net_timeout);
    ::close(c);

    // A connect that never completes (backlog full, see the test above).
    listener full(0);
    auto eps2 = net::resolve("127.0.0.1", full.port, net::deadline_after(1s));
    REQUIRE(eps2.ok());
    std::vector<net::tcp_stream> fillers;
    errc outcome = errc::ok;
    for (int i = 0; i < 8 && outcome == errc::ok; ++i) {
        auto f = net::connect(*eps2, net::deadline::max(), 300ms);
        if (f) {
            fillers.push_back(std::move(f).value());
        } else {
            outcome = f.error();
        }
    }
    CHECK(outcome == errc::net_idle_timeout);
}

TEST_CASE("write_unless_readable sends everything, or stops once the peer has spoken", "[net]") {
    listener l;
    auto eps = net::resolve("127.0.0.1", l.port, net::deadline_after(2s));
    REQUIRE(eps.ok());
    auto s = net::connect(*eps, net::deadline_after(2s), 5s);
    REQUIRE(s.ok());
    const int c = ::accept(l.fd, nullptr, nullptr);
    REQUIRE(c >= 0);
    const std::vector<std::uint8_t> big(std::size_t{64} << 20, 'x');
    std::uint8_t buf[64];

    // A quiet peer: all of it goes.
    auto all = s->write_unless_readable(bytes_view(big).first(1000), net::deadline_after(2s));
    REQUIRE(all.ok());
    CHECK(*all == 1000);
    REQUIRE(::recv(c, buf, sizeof buf, MSG_WAITALL) == static_cast<ssize_t>(sizeof buf));

    // A peer that has spoken: nothing more is sent until that has been read.
    REQUIRE(::send(c, "early", 5, 0) == 5);
    std::this_thread::sleep_for(20ms);
    auto none = s->write_unless_readable(big, net::deadline_after(2s));
    REQUIRE(none.ok());
    CHECK(*none == 0);
    auto got = s->read_some(buf, net::deadline_after(2s));
    REQUIRE(got.ok());
    CHECK(std::string(reinterpret_cast<char*>(buf), *got) == "early");

    // A peer that stopped reading and answers while the writer waits for room: the wait ends
    // with the answer, not with the idle timeout.
    std::thread late([c] {
        std::this_thread::sleep_for(200ms);
        ::send(c, "late", 4, 0);
    });
    const auto start = net::clock::now();
    auto some = s->write_unless_readable(big, net::deadline_after(10s));
    late.join();
    REQUIRE(some.ok());
    CHECK(*some < big.size());
    CHECK(net::clock::now() - start < 3s);
    got = s->read_some(buf, net::deadline_after(2s));
    REQUIRE(got.ok());
    CHECK(std::string(reinterpret_cast<char*>(buf), *got) == "late");

    // A peer that answers and resets (it closes with our bytes unread): what it sent before
    // the reset is still read, then the end is reported. (Without TCP_NODELAY its kernel could
    // hold "bye" back for the ACK of "late" and then drop it with the reset.)
    const int one = 1;
    ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    REQUIRE(::send(c, "bye", 3, 0) == 3);
    ::close(c);
    std::this_thread::sleep_for(20ms);
    auto after = s->write_unless_readable(big, net::deadline_after(2s));
    REQUIRE(after.ok());
    CHECK(*after < big.size());
    got = s->read_some(buf, net::deadline_after(2s));
    REQUIRE(got.ok());
    CHECK(std::string(reinterpret_cast<char*>(buf), *got) == "bye");
    auto end = s->read_some(buf, net::deadline_after(2s));
    CHECK((end.error() == errc::net_connection_closed || (end.ok() && *end == 0)));
}
