// A scripted plain-TCP server on 127.0.0.1 for HTTP client tests: for each request it reads the
// request head (and Content-Length body), then runs a handler that writes raw bytes back.
#pragma once

#include "support/loopback.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace test {

/// What the handler sees of one request.
struct received_request {
    std::string head; ///< request line and header fields, CRLFs included
    std::string body;
    int connection_index = 0; ///< which accepted connection it arrived on
};

/// The handler writes a response with `send`; returning false closes the connection.
using handler =
    std::function<bool(const received_request&, const std::function<void(std::string)>& send)>;

class test_server {
  public:
    explicit test_server(handler h) : handler_(std::move(h)) {
        int port = 0;
        fd_ = test::listen_loopback(port);
        port_ = static_cast<decltype(port_)>(port);
        thread_ = std::thread([this] { accept_loop(); });
    }
    ~test_server() {
        stop_ = true;
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        thread_.join();
        for (auto& t : workers_) {
            t.join();
        }
    }
    test_server(const test_server&) = delete;
    test_server& operator=(const test_server&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] int connections() const { return connections_.load(); }
    [[nodiscard]] int requests() const { return requests_.load(); }
    [[nodiscard]] std::string url(const std::string& path = "/") const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }

  private:
    void accept_loop() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) {
                continue;
            }
            int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) {
                continue;
            }
            const int index = connections_++;
            workers_.emplace_back([this, c, index] { serve(c, index); });
        }
    }

    void serve(int c, int index) {
        std::string buffer;
        char chunk[4096];
        auto send = [c](std::string data) {
            std::size_t off = 0;
            while (off < data.size()) {
                ssize_t n = ::send(c, data.data() + off, data.size() - off, MSG_NOSIGNAL);
                if (n <= 0) {
                    return;
                }
                off += static_cast<std::size_t>(n);
            }
        };
        for (;;) {
            std::size_t end;
            while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
                pollfd p{c, POLLIN, 0};
                if (stop_ || ::poll(&p, 1, 50) < 0) {
                    ::close(c);
                    return;
                }
                if (p.revents == 0) {
                    continue;
                }
                ssize_t n = ::recv(c, chunk, sizeof chunk, 0);
                if (n <= 0) {
                    ::close(c);
                    return;
                }
                buffer.append(chunk, static_cast<std::size_t>(n));
            }
            received_request req;
            req.head = buffer.substr(0, end + 4);
            req.connection_index = index;
            buffer.erase(0, end + 4);
            std::size_t body_len = 0;
            auto cl = req.head.find("Content-Length: ");
            if (cl != std::string::npos) {
                body_len = std::stoul(req.head.substr(cl + 16));
            }
            while (buffer.size() < body_len) {
                ssize_t n = ::recv(c, chunk, sizeof chunk, 0);
                if (n <= 0) {
                    ::close(c);
                    return;
                }
                buffer.append(chunk, static_cast<std::size_t>(n));
            }
            req.body = buffer.substr(0, body_len);
            buffer.erase(0, body_len);
            ++requests_;
            if (!handler_(req, send)) {
                ::close(c);
                return;
            }
        }
    }

    handler handler_;
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::thread thread_;
    std::vector<std::thread> workers_;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0};
    std::atomic<int> requests_{0};
};

} // namespace test
