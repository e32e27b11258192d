// A server the TLS engine refuses: the facade's error and the verbose log name the rule it broke,
// not only the alert. The server is a raw socket on 127.0.0.1 that answers the ClientHello with a
// ServerHello selecting a TLS 1.3 suite we never offer (TLS_AES_128_CCM_SHA256).
#include <https/https.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/loopback.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace {

using bytes = std::vector<std::uint8_t>;

/// Accepts connections one at a time; to each, after reading its first bytes, sends what `reply`
/// makes of them, then waits for the client to close.
class raw_server {
public:
    explicit raw_server(std::function<bytes(const bytes&)> reply) : reply_(std::move(reply)) {
        int port = 0;
        fd_ = test::listen_loopback(port, 4);
        port_ = static_cast<decltype(port_)>(port);
        thread_ = std::thread([this] { serve(); });
    }
    ~raw_server() {
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        thread_.join();
    }
    raw_server(const raw_server&) = delete;
    raw_server& operator=(const raw_server&) = delete;

    [[nodiscard]] std::string url() const {
        return "https://127.0.0.1:" + std::to_string(port_) + "/";
    }

private:
    void serve() {
        while (true) {
            const int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) {
                return;
            }
            std::array<std::uint8_t, 4096> buf{};
            if (const auto n = ::recv(c, buf.data(), buf.size(), 0); n > 0) {
                const bytes out = reply_(bytes(buf.begin(), buf.begin() + n));
                (void)::send(c, out.data(), out.size(), MSG_NOSIGNAL);
                while (::recv(c, buf.data(), buf.size(), 0) > 0) {
                }
            }
            ::close(c);
        }
    }

    std::function<bytes(const bytes&)> reply_;
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

/// A plaintext handshake record holding a TLS 1.3 ServerHello for suite 0x1304 with an X25519
/// share (the base point) and supported_versions, echoing the session id of `client_hello` (one
/// record: header, handshake header, version, random, then the session id).
bytes unoffered_suite_hello(const bytes& client_hello) {
    constexpr std::size_t sid_at = 5 + 4 + 2 + 32;
    // (Called on the server's thread: no Catch assertions here; a short read gets no answer.)
    if (client_hello.size() <= sid_at || client_hello.size() <= sid_at + client_hello[sid_at]) {
        return {};
    }
    const std::size_t sid_len = client_hello[sid_at];
    bytes body = {0x03, 0x03};
    body.insert(body.end(), 32, 0x42); // random
    body.insert(body.end(), client_hello.begin() + sid_at,
                client_hello.begin() + static_cast<std::ptrdiff_t>(sid_at + 1 + sid_len));
    body.insert(body.end(), {0x13, 0x04, 0x00});
    bytes exts = {0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, // supported_versions
                                      0x00, 0x33, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20, 9};
    exts.resize(exts.size() + 31, 0);
    body.push_back(static_cast<std::uint8_t>(exts.size() >> 8));
    body.push_back(static_cast<std::uint8_t>(exts.size()));
    body.insert(body.end(), exts.begin(), exts.end());
    bytes msg = {2, 0, static_cast<std::uint8_t>(body.size() >> 8),
                                     static_cast<std::uint8_t>(body.size())};
    msg.insert(msg.end(), body.begin(), body.end());
    bytes rec = {22, 3, 3, static_cast<std::uint8_t>(msg.size() >> 8),
                                     static_cast<std::uint8_t>(msg.size())};
    rec.insert(rec.end(), msg.begin(), msg.end());
    return rec;
}

} // namespace

TEST_CASE("facade: a refused handshake names the broken rule in what() and the verbose log",
          "[facade][refusal]") {
    raw_server server(unoffered_suite_hello);
    https::options o;
    o.insecure = true;
    o.connect_timeout = 10s;
    std::vector<std::string> lines;
    o.on_verbose = [&lines](const std::string& line) { lines.push_back(line); };
    const std::string cause = "the server selected a cipher suite we did not offer for that version";

    bool thrown = false;
    try {
        (void)https::get(server.url(), o);
    } catch (const https::error& e) {
        thrown = true;
        CHECK(e.code() == https::errc::tls_illegal_parameter);
        CHECK(std::string(e.what()).find(cause) != std::string::npos);
    }
    CHECK(thrown);
    CHECK(std::find(lines.begin(), lines.end(), "TLS handshake refused: " + cause) != lines.end());

    // The non-throwing form reports the same error code.
    std::error_code ec;
    (void)https::get(server.url(), o, ec);
    CHECK(ec == https::errc::tls_illegal_parameter);
}
