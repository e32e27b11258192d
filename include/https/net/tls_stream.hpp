// TLS over a TCP connection: drives the sans-I/O tls::client engine with a socket and deadlines.
#pragma once

#include "../core/config.hpp"
#include "../tls/client.hpp"
#include "../tls/names.hpp"
#include "socket.hpp"
#include "stream.hpp"

#include <array>
#include <chrono>
#include <string>
#include <utility>

namespace https::net {

/// A TLS connection. Created by `handshake`, which runs the whole handshake before returning.
/// A peer that ends the TCP connection without close_notify is reported as
/// `net_connection_closed` (a possible truncation), never as a clean end of stream.
class tls_stream final : public stream {
public:
    HTTPS_DECL tls_stream(tcp_stream tcp, tls::client engine);
    tls_stream(const tls_stream&) = delete;
    tls_stream& operator=(const tls_stream&) = delete;
    tls_stream(tls_stream&&) = delete;
    tls_stream& operator=(tls_stream&&) = delete;
    HTTPS_DECL ~tls_stream() override;

    /// Connect TLS over an open TCP connection, before the deadline.
    HTTPS_DECL static result<std::unique_ptr<tls_stream>>
    handshake(tcp_stream tcp, tls::client_config cfg, deadline d);

    HTTPS_DECL status write_all(bytes_view data, deadline d) override;

    HTTPS_DECL result<std::size_t> read_some(mutable_bytes buf, deadline d) override;

    void set_idle_timeout(std::chrono::milliseconds timeout) override {
        tcp_.set_idle_timeout(timeout);
    }

    [[nodiscard]] bool reusable() const override {
        return engine_.is_connected() && !engine_.peer_closed() && pending_.size() == pending_pos_ &&
               tcp_.reusable();
    }

    [[nodiscard]] HTTPS_DECL std::string describe() const override;

    [[nodiscard]] const tls::client& engine() const noexcept { return engine_; }

private:
    // Send whatever the engine has queued (handshake flights, records, alerts).
    HTTPS_DECL status flush(deadline d);

    // Read one batch from the socket into the engine, collecting application data.
    HTTPS_DECL status pump(deadline d);

    tcp_stream tcp_;
    tls::client engine_;
    std::array<std::uint8_t, 16 * 1024 + 512> buffer_{};
    byte_vector pending_;
    std::size_t pending_pos_ = 0;
};

} // namespace https::net

#if !defined(HTTPS_SEPARATE_COMPILATION)
#include "impl/tls_stream.ipp"
#endif
