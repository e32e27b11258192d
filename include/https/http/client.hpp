// The HTTP/1.1 client: sends requests over pooled keep-alive connections, reads responses with
// the incremental parser, follows redirects, and enforces timeouts and size limits.
#pragma once

#include "../core/config.hpp"
#include "../core/result.hpp"
#include "../net/socket.hpp"
#include "../net/stream.hpp"
#include "client_options.hpp"
#include "request.hpp"
#include "response.hpp"
#include "response_parser.hpp"
#include "url.hpp"

#include <array>
#include <chrono>
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

/// Apply --resolve overrides, else resolve the host, bounded by the deadline.
HTTPS_DECL result<std::vector<net::endpoint>> resolve_target(const url& u, const client_options& o,
                                                             net::deadline d);

} // namespace detail

/// Plain TCP connections (http:// URLs).
HTTPS_DECL result<std::unique_ptr<net::stream>> connect_plain(const connect_request& req);

/// A session: keeps idle connections per origin and reuses them, so many requests to one host
/// pay for one connection and one handshake. Not thread-safe; use one client per thread.
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

    static std::string origin_key(const url& u) { return u.scheme + "://" + u.authority(); }

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
    std::map<std::string, std::vector<stream_ptr>> pool_;
    std::size_t opened_ = 0;
};

} // namespace https::http

#if !defined(HTTPS_SEPARATE_COMPILATION)
#include "impl/client.ipp"
#endif
