// The HTTP/1.1 client: sends requests over pooled keep-alive connections, reads responses with
// the incremental parser, follows redirects, and enforces timeouts and size limits.
#pragma once

#include "../core/config.hpp"
#include "../core/result.hpp"
#include "../net/socket.hpp"
#include "../net/stream.hpp"
#include "body_source.hpp"
#include "client_options.hpp"
#include "request.hpp"
#include "response.hpp"
#include "response_parser.hpp"
#include "url.hpp"

#include <array>
#include <chrono>
#include <compare>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace https::http {

/// What a connector needs to open a connection.
struct connect_request {
    const url& target;
    const client_options& options;
    net::deadline deadline; ///< for resolving, connecting and the TLS handshake
};

/// Opens a stream to a URL's origin: plain TCP for http://, TLS for https://.
using connector = std::function<result<std::unique_ptr<net::stream>>(const connect_request&)>;

namespace detail {

/// The bytes of a request in the order they go out: the head (with an in-memory body), then a
/// source's body read piece by piece, framed by chunked coding when its size is unknown.
class request_writer {
public:
    request_writer(bytes_view head, body_source* source) : head_(head), source_(source) {
        if (source != nullptr) {
            left_ = source->size();
        }
    }
    /// The next piece to send (valid until the next call); empty once all has been handed out.
    HTTPS_DECL result<bytes_view> next();

private:
    // A piece fills one TLS record at most (16 KiB of plaintext), chunk framing included: a
    // chunk's hex size and CRLF go in the first size_room bytes, its CRLF after the data.
    static constexpr std::size_t piece_size = 16 * 1024;
    static constexpr std::size_t size_room = 8 + 2;
    static constexpr std::size_t chunk_data_size = piece_size - size_room - 2;

    bytes_view head_;
    body_source* source_;
    std::optional<std::uint64_t> left_; // of a body with Content-Length
    bool done_ = false;
    std::array<std::uint8_t, piece_size> buf_{};
};

/// Apply --resolve overrides, else resolve the host, bounded by the deadline.
HTTPS_DECL result<std::vector<net::endpoint>> resolve_target(const url& u, const client_options& o,
                                                             net::deadline d);

} // namespace detail

/// Plain TCP connections (http:// URLs).
HTTPS_DECL result<std::unique_ptr<net::stream>> connect_plain(const connect_request& req);

/// A session: keeps idle connections per origin and reuses them, so many requests to one host
/// pay for one connection and one handshake. A connection is reused only by a request whose
/// options would have made and authenticated it the same way (see `pool_key`). Not thread-safe;
/// use one client per thread.
class client {
public:
    /// `secure` opens https:// connections (the facade passes the TLS connector);
    /// `plain` opens http:// ones.
    HTTPS_DECL explicit client(connector secure, connector plain = connect_plain);

    /// Perform `req`, following redirects if the options say so.
    HTTPS_DECL result<response> perform(request req, const client_options& opts);

    /// Connections opened so far (for tests and diagnostics).
    [[nodiscard]] std::size_t connections_opened() const noexcept { return opened_; }
    /// Drop every idle connection.
    void close_idle() { pool_.clear(); }

private:
    using stream_ptr = std::unique_ptr<net::stream>;

    // Idle connections are kept per origin and per every option that decides where a connection
    // goes and how the server was authenticated, so that a connection opened under weaker
    // settings (insecure, other trust anchors, a resolve override, other TLS versions) never
    // carries a request that asks for more (class of CVE-2024-35195). A new such option in
    // client_options must be added here.
    struct pool_key {
        std::string scheme;
        std::string host;
        std::uint16_t port = 0;
        std::vector<std::string> resolve;
        std::string ca_file;
        std::string ca_pem;
        bool insecure = false;
        bool web_pki_profile = true;
        bool post_quantum_key_exchange = true;
        tls_version min_version = tls_version::tls1_2;
        tls_version max_version = tls_version::tls1_3;
        auto operator<=>(const pool_key&) const = default;
    };

    static pool_key pool_key_for(const url& u, const client_options& o) {
        return {.scheme = u.scheme,
                .host = u.host,
                .port = u.port,
                .resolve = o.resolve,
                .ca_file = o.ca_file,
                .ca_pem = o.ca_pem,
                .insecure = o.insecure,
                .web_pki_profile = o.web_pki_profile,
                .post_quantum_key_exchange = o.post_quantum_key_exchange,
                .min_version = o.min_version,
                .max_version = o.max_version};
    }

    HTTPS_DECL result<stream_ptr> open(const url& u, const client_options& opts,
                                       net::deadline total);

    // One request, no redirects; `with_credentials` false leaves out Authorization, Cookie and
    // Proxy-Authorization.
    HTTPS_DECL result<response> perform_once(const request& req, const client_options& opts,
                                             net::deadline total, bool with_credentials);

    // One request/response on one connection; the bool says whether it can be reused.
    HTTPS_DECL result<std::pair<response, bool>> exchange(net::stream& s, bytes_view wire,
                                                          const request& req,
                                                          const client_options& opts,
                                                          net::deadline total, bool& got_any);

    connector secure_;
    connector plain_;
    std::map<pool_key, std::vector<stream_ptr>> pool_;
    std::size_t opened_ = 0;
};

} // namespace https::http

#if !defined(HTTPS_SEPARATE_COMPILATION)
#include "impl/client.ipp"
#endif
