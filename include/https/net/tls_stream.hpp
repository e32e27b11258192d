// TLS over a TCP connection: drives the sans-I/O tls::client engine with a socket and deadlines.
#pragma once

#include "../core/config.hpp"
#include "../tls/client.hpp"
#include "../tls/cipher_suite.hpp"
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

    /// Connect TLS over an open TCP connection, before the deadline. When the engine refuses the
    /// server, `why` (if given) receives the rule the server broke.
    HTTPS_DECL static result<std::unique_ptr<tls_stream>>
    handshake(tcp_stream tcp, tls::client_config cfg, deadline d, tls::refusal* why = nullptr);

    HTTPS_DECL status write_all(bytes_view data, deadline d) override;

    /// Encrypts one record's worth at a time and sends it while watching for the peer: records
    /// received meanwhile are decrypted (session tickets, KeyUpdate), and the call returns early
    /// once application data, close_notify, the end of the connection or an error has arrived.
    /// Ciphertext already made but not yet sent stays queued, ahead of anything sent later.
    HTTPS_DECL result<std::size_t> write_unless_readable(bytes_view data, deadline d) override;

    HTTPS_DECL result<std::size_t> read_some(mutable_bytes buf, deadline d) override;

    void set_idle_timeout(std::chrono::milliseconds timeout) override {
        tcp_.set_idle_timeout(timeout);
    }

    [[nodiscard]] bool reusable() const override {
        return engine_.is_connected() && !engine_.peer_closed() && pending_.size() == pending_pos_ &&
               out_.size() == out_pos_ && read_error_ == errc::ok && tcp_.reusable();
    }

    [[nodiscard]] HTTPS_DECL std::string describe() const override;

    [[nodiscard]] const tls::client& engine() const noexcept { return engine_; }

private:
    // Move what the engine has made (handshake flights, records, alerts) behind out_.
    HTTPS_DECL void queue_output();

    // Send everything queued, before the deadline.
    HTTPS_DECL status flush(deadline d);

    // Send what the socket takes now of everything queued; the rest waits for the next write.
    HTTPS_DECL void try_flush();

    // Read one batch from the socket into the engine, collecting application data.
    HTTPS_DECL status pump(deadline d);

    tcp_stream tcp_;
    tls::client engine_;
    std::array<std::uint8_t, 16 * 1024 + 512> buffer_{};
    byte_vector pending_; // application data received, not yet read (from pending_pos_)
    std::size_t pending_pos_ = 0;
    byte_vector out_; // ciphertext made, not yet sent (from out_pos_)
    std::size_t out_pos_ = 0;
    // A receive failure met while sending, reported by read_some once the application data that
    // arrived before it has been read.
    errc read_error_ = errc::ok;
};

} // namespace https::net

#if !defined(HTTPS_SEPARATE_COMPILATION)
#include "impl/tls_stream.ipp"
#endif
