// The byte-stream interface the HTTP client talks to: plain TCP or TLS over TCP, with deadlines.
#pragma once

#include "../core/bytes.hpp"
#include "../core/result.hpp"

#include <chrono>
#include <string>

namespace https::net {

using clock = std::chrono::steady_clock;
using deadline = clock::time_point;

/// A connected, ordered, reliable byte stream.
class stream {
public:
    stream() = default;
    stream(const stream&) = delete;
    stream& operator=(const stream&) = delete;
    stream(stream&&) = delete;
    stream& operator=(stream&&) = delete;
    virtual ~stream() = default;

    /// Send all of `data` before the deadline.
    virtual status write_all(bytes_view data, deadline d) = 0;
    /// Send from the front of `data` until all of it is sent or the peer has something for us to
    /// read (bytes, or the end or a reset of the connection), waiting for room to send within the
    /// deadline. Returns how many bytes of `data` the stream took: all of them, or fewer when the
    /// peer spoke first; then the caller reads (read_some delivers what arrived, then reports the
    /// end or the reset) and may call again with the rest. This is how a client notices a
    /// response that arrives while it is still sending a request body (RFC 9112 §9.5), instead of
    /// blocking on a server that has stopped reading.
    virtual result<std::size_t> write_unless_readable(bytes_view data, deadline d) = 0;
    /// Receive at least one byte before the deadline; 0 means the peer ended the stream cleanly.
    virtual result<std::size_t> read_some(mutable_bytes buf, deadline d) = 0;
    /// Bound every wait for the peer (for a byte to read, for room to write, and inside a TLS
    /// handshake) to `timeout`, whatever deadline the call was given: a wait that long without
    /// progress fails with net_idle_timeout. 0 = no bound but the deadline.
    virtual void set_idle_timeout(std::chrono::milliseconds timeout) = 0;
    /// Whether an idle pooled connection may carry another request (peer has not closed it).
    [[nodiscard]] virtual bool reusable() const = 0;
    /// A short description of the negotiated security, for `-v` output ("TLSv1.3 ...").
    [[nodiscard]] virtual std::string describe() const = 0;
};

} // namespace https::net
