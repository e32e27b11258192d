// TCP connections over POSIX sockets with deadlines: name resolution (getaddrinfo, bounded by the
// deadline), non-blocking connect with fallback across addresses, and timed send/receive.
#pragma once

#include "../core/bytes.hpp"
#include "../core/result.hpp"
#include "stream.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace https::net {

/// A deadline `timeout` from now; a zero or negative timeout means "no limit".
inline deadline deadline_after(std::chrono::milliseconds timeout) {
    if (timeout.count() <= 0) {
        return deadline::max();
    }
    return clock::now() + timeout;
}

namespace detail {

/// Milliseconds left until `d` for poll(2): -1 for no deadline, 0 once it has passed.
inline int poll_timeout(deadline d) {
    if (d == deadline::max()) {
        return -1;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(d - clock::now());
    if (left.count() <= 0) {
        return 0;
    }
    return left.count() > 1'000'000'000 ? 1'000'000'000 : static_cast<int>(left.count());
}

/// Wait until `fd` is ready for `events` and return the events that happened (poll's revents,
/// which may include POLLHUP and POLLERR): net_timeout when the deadline passes first,
/// net_idle_timeout when `idle` (if not 0) passes before the deadline does.
inline result<short> wait_for(int fd, short events, deadline d,
                              std::chrono::milliseconds idle = std::chrono::milliseconds{0}) {
    const auto now = clock::now();
    const bool idle_first = idle.count() > 0 && (d == deadline::max() || now + idle < d);
    const deadline until = idle_first ? now + idle : d;
    for (;;) {
        pollfd p{fd, events, 0};
        const int n = ::poll(&p, 1, poll_timeout(until));
        if (n > 0) {
            return p.revents;
        }
        if (n == 0) {
            return idle_first ? errc::net_idle_timeout : errc::net_timeout;
        }
        if (errno != EINTR) {
            return errc::net_io_error;
        }
    }
}

struct addrinfo_deleter {
    void operator()(addrinfo* a) const noexcept { ::freeaddrinfo(a); }
};
using addrinfo_ptr = std::unique_ptr<addrinfo, addrinfo_deleter>;

} // namespace detail

/// One resolved address, ready for connect(2).
struct endpoint {
    sockaddr_storage address{};
    socklen_t length = 0;
    int family = AF_UNSPEC;

    /// Numeric form, for diagnostics ("127.0.0.1", "::1").
    [[nodiscard]] std::string to_string() const {
        char buf[INET6_ADDRSTRLEN] = {};
        const void* src = family == AF_INET6
                              ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr)
                              : static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(&address)->sin_addr);
        ::inet_ntop(family, src, buf, sizeof buf);
        return buf;
    }
};

/// Resolve `host` (a name or a numeric IPv4/IPv6 address) for TCP on `port`. Numeric hosts never
/// touch DNS. getaddrinfo cannot be cancelled, so name lookups run on a helper thread and are
/// abandoned (net_timeout) when the deadline passes. Errors: net_resolve_failed, net_timeout.
inline result<std::vector<endpoint>> resolve(const std::string& host, std::uint16_t port,
                                             deadline d) {
    struct lookup {
        std::mutex m;
        std::condition_variable cv;
        bool done = false;
        int rc = 0;
        detail::addrinfo_ptr list;
    };
    auto job = std::make_shared<lookup>();
    const std::string service = std::to_string(port);
    auto run = [job, host, service](int flags) {
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = flags;
        addrinfo* out = nullptr;
        const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &out);
        std::lock_guard<std::mutex> lock(job->m);
        job->rc = rc;
        job->list.reset(out);
        job->done = true;
        job->cv.notify_all();
    };
    run(AI_NUMERICHOST | AI_NUMERICSERV);
    if (job->rc != 0) {
        job->done = false;
        std::thread(run, AI_NUMERICSERV | AI_ADDRCONFIG).detach();
        std::unique_lock<std::mutex> lock(job->m);
        if (d == deadline::max()) {
            job->cv.wait(lock, [&] { return job->done; });
        } else if (!job->cv.wait_until(lock, d, [&] { return job->done; })) {
            return errc::net_timeout;
        }
    }
    if (job->rc != 0 || !job->list) {
        return errc::net_resolve_failed;
    }
    std::vector<endpoint> out;
    for (const addrinfo* a = job->list.get(); a != nullptr; a = a->ai_next) {
        if ((a->ai_family != AF_INET && a->ai_family != AF_INET6) ||
            a->ai_addrlen > sizeof(sockaddr_storage)) {
            continue;
        }
        endpoint e;
        std::memcpy(&e.address, a->ai_addr, a->ai_addrlen);
        e.length = a->ai_addrlen;
        e.family = a->ai_family;
        out.push_back(e);
    }
    if (out.empty()) {
        return errc::net_resolve_failed;
    }
    return out;
}

/// A connected TCP socket (owning its descriptor), with deadline-bounded I/O. Writes never raise
/// SIGPIPE (MSG_NOSIGNAL), so a peer that hangs up cannot kill the host program.
class tcp_stream final : public stream {
public:
    tcp_stream() = default;
    explicit tcp_stream(int fd) noexcept : fd_(fd) {}
    tcp_stream(tcp_stream&& o) noexcept : fd_(o.fd_), peer_(o.peer_), idle_(o.idle_) { o.fd_ = -1; }
    tcp_stream& operator=(tcp_stream&& o) noexcept {
        if (this != &o) {
            close();
            fd_ = o.fd_;
            peer_ = o.peer_;
            idle_ = o.idle_;
            o.fd_ = -1;
        }
        return *this;
    }
    tcp_stream(const tcp_stream&) = delete;
    tcp_stream& operator=(const tcp_stream&) = delete;
    ~tcp_stream() override { close(); }

    [[nodiscard]] bool is_open() const noexcept { return fd_ >= 0; }
    [[nodiscard]] int native_handle() const noexcept { return fd_; }
    [[nodiscard]] const endpoint& peer() const noexcept { return peer_; }

    void close() noexcept {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }

    /// Send what the socket takes without waiting: the number of bytes sent, 0 when its buffer
    /// is full; net_connection_closed when the peer has reset or closed the connection.
    result<std::size_t> send_now(bytes_view data) noexcept {
        for (;;) {
            const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n >= 0) {
                return static_cast<std::size_t>(n);
            }
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return std::size_t{0};
            }
            return (errno == EPIPE || errno == ECONNRESET) ? errc::net_connection_closed
                                                          : errc::net_io_error;
        }
    }

    /// Wait, within the deadline and the idle timeout, until there is room to send or something
    /// to read (bytes, the end of the stream or a reset); true when there is something to read.
    result<bool> wait_writable_or_readable(deadline d) const {
        auto events = detail::wait_for(fd_, POLLIN | POLLOUT, d, idle_);
        if (!events) {
            return events.error();
        }
        return (*events & (POLLIN | POLLHUP | POLLERR)) != 0;
    }

    /// Send all of `data` before the deadline.
    status write_all(bytes_view data, deadline d) override {
        std::size_t sent = 0;
        while (sent < data.size()) {
            auto n = send_now(data.subspan(sent));
            if (!n) {
                return n.error();
            }
            if (*n == 0) {
                HTTPS_TRY(detail::wait_for(fd_, POLLOUT, d, idle_));
            }
            sent += *n;
        }
        return {};
    }

    /// Send until all of `data` is sent or the peer has something to say (see stream). A reset
    /// peer stops the sending too: what it sent before the reset may still be waiting to be read.
    result<std::size_t> write_unless_readable(bytes_view data, deadline d) override {
        std::size_t sent = 0;
        while (sent < data.size()) {
            auto readable = wait_writable_or_readable(d);
            if (!readable) {
                return readable.error();
            }
            if (*readable) {
                break;
            }
            auto n = send_now(data.subspan(sent));
            if (!n && n.error() == errc::net_connection_closed) {
                break;
            }
            if (!n) {
                return n.error();
            }
            sent += *n;
        }
        return sent;
    }

    /// Receive at least one byte before the deadline; 0 means the peer closed the connection.
    result<std::size_t> read_some(mutable_bytes buf, deadline d) override {
        for (;;) {
            const ssize_t n = ::recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);
            if (n >= 0) {
                return static_cast<std::size_t>(n);
            }
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                HTTPS_TRY(detail::wait_for(fd_, POLLIN, d, idle_));
                continue;
            }
            return errno == ECONNRESET ? errc::net_connection_closed : errc::net_io_error;
        }
    }

    void set_idle_timeout(std::chrono::milliseconds timeout) override { idle_ = timeout; }

    /// True if the peer has closed or sent unexpected data on an idle connection (so a pooled
    /// connection must not be reused).
    [[nodiscard]] bool idle_connection_broken() const noexcept {
        pollfd p{fd_, POLLIN, 0};
        return ::poll(&p, 1, 0) != 0;
    }
    [[nodiscard]] bool reusable() const override { return is_open() && !idle_connection_broken(); }
    [[nodiscard]] std::string describe() const override { return "plain TCP to " + peer_.to_string(); }

private:
    friend result<tcp_stream> connect_endpoint(const endpoint& e, deadline d,
                                               std::chrono::milliseconds idle);
    int fd_ = -1;
    endpoint peer_{};
    std::chrono::milliseconds idle_{0};
};

/// Connect to one address with a non-blocking connect bounded by the deadline and by `idle`
/// (net_idle_timeout), which the stream then keeps as its idle timeout.
inline result<tcp_stream> connect_endpoint(const endpoint& e, deadline d,
                                           std::chrono::milliseconds idle) {
    const int fd = ::socket(e.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd < 0) {
        return errc::net_connect_failed;
    }
    tcp_stream s(fd);
    s.peer_ = e;
    s.idle_ = idle;
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); // requests are small writes
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&e.address), e.length) != 0) {
        if (errno != EINPROGRESS && errno != EINTR) {
            return errc::net_connect_failed;
        }
        HTTPS_TRY(detail::wait_for(fd, POLLOUT, d, idle));
        int err = 0;
        socklen_t len = sizeof err;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
            return errc::net_connect_failed;
        }
    }
    return s;
}

/// Connect to the first address that answers, trying each in turn (IPv6 and IPv4 as the
/// resolver ordered them). A timeout on one address moves on to the next while time remains.
/// `idle` (0 = none) bounds each attempt too and becomes the stream's idle timeout.
inline result<tcp_stream> connect(const std::vector<endpoint>& endpoints, deadline d,
                                  std::chrono::milliseconds idle = std::chrono::milliseconds{0}) {
    errc last = errc::net_connect_failed;
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
        // Give each remaining address a fair share of the time left, so one black-holed address
        // cannot consume the whole budget.
        deadline attempt = d;
        if (d != deadline::max()) {
            const auto left = d - clock::now();
            if (left.count() <= 0) {
                return errc::net_timeout;
            }
            attempt = clock::now() + left / static_cast<long>(endpoints.size() - i);
        }
        auto s = connect_endpoint(endpoints[i], attempt, idle);
        if (s) {
            return s;
        }
        last = s.error();
    }
    return last;
}

} // namespace https::net
