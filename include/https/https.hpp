// The facade: https::get / https::request / https::client, one exception type and non-throwing
// overloads. This header is light on purpose: it declares the public API only. The TLS engine,
// X.509 and the crypto behind it are included by its implementation (impl/https.ipp), which the
// header pulls in when header-only and `src/https.cpp` compiles once with
// HTTPS_SEPARATE_COMPILATION.
#pragma once

#include "core/bytes.hpp"
#include "core/config.hpp"
#include "core/errc.hpp"
#include "http/body_source.hpp"
#include "http/client_options.hpp"
#include "http/headers.hpp"
#include "http/response.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <system_error>

namespace https {

using http::body_source;
using http::default_max_stored_body_bytes;
using http::file_body;
using http::headers;
using http::response;
using http::tls_version;
using options = http::client_options;

/// Broad kinds of failure, for callers that care about the kind rather than the exact error:
/// `if (e.code() == https::failure::certificate) ...`. Each `errc` belongs to exactly one.
enum class failure {
    resolve = 1,     ///< could not resolve the host name
    connect,         ///< could not connect
    timeout,         ///< a timeout expired (DNS, connect, handshake or a read)
    tls,             ///< the TLS handshake or record protocol failed
    certificate,     ///< the server's certificate was rejected (the errc says why)
    protocol,        ///< the server broke HTTP (malformed response, truncated body, ...)
    redirects,       ///< too many redirects, or an https-to-http redirect
    too_large,       ///< the response exceeded a size limit
    usage,           ///< a malformed URL or request, an unsupported scheme, or a request body
                     ///< that could not be read or sent again
    receive,         ///< the connection failed while sending or receiving
};

/// The `failure` an error belongs to.
HTTPS_DECL failure failure_of(errc e) noexcept;

/// The category of `failure` conditions; an `errc` code compares equal to its failure.
HTTPS_DECL const std::error_category& failure_category() noexcept;

inline std::error_condition make_error_condition(failure f) noexcept {
    return {static_cast<int>(f), failure_category()};
}

} // namespace https

template <> struct std::is_error_condition_enum<https::failure> : std::true_type {};

namespace https {

/// The one exception the facade throws. `code()` is the exact `https::errc`; compare it with a
/// `https::failure` for the kind.
class error : public std::system_error {
public:
    explicit error(std::error_code ec, const std::string& context = {})
        : std::system_error(ec, context) {}
};

/// A session that keeps connections alive: many requests to one host pay for one TCP connection
/// and one TLS handshake. A connection is reused only by requests with the same `insecure`,
/// `ca_file`, `ca_pem`, `resolve`, `min_version` and `max_version` as the one that opened it.
/// Not thread-safe; use one client per thread. Movable, not copyable.
class client {
public:
    HTTPS_DECL client();
    HTTPS_DECL ~client();
    HTTPS_DECL client(client&& other) noexcept;
    HTTPS_DECL client& operator=(client&& other) noexcept;
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    /// Any method. Redirects are followed only if `opts.follow_redirects` says so.
    HTTPS_DECL response request(std::string_view method, std::string_view url,
                                const options& opts = {}, std::string body = {});

    /// Non-throwing form: on failure `ec` is set and the returned response is empty.
    HTTPS_DECL response request(std::string_view method, std::string_view url,
                                const options& opts, std::string body, std::error_code& ec);

    /// Any method, with a body read from `body` while it is sent, so that a file of any size
    /// goes out in constant memory (`https::file_body`): with Content-Length when `body.size()`
    /// is known, chunked otherwise. `body` is rewound when a 307/308 redirect or a retry sends
    /// it again. A response that arrives before the whole body is sent (413, say) ends the
    /// sending and is returned.
    HTTPS_DECL response request(std::string_view method, std::string_view url,
                                const options& opts, body_source& body);
    HTTPS_DECL response request(std::string_view method, std::string_view url,
                                const options& opts, body_source& body, std::error_code& ec);

    /// GET, following redirects (up to `opts.max_redirects`) unless `opts` says otherwise.
    HTTPS_DECL response get(std::string_view url, options opts = {});
    HTTPS_DECL response get(std::string_view url, options opts, std::error_code& ec);

    /// TCP connections (and so TLS handshakes) opened so far.
    [[nodiscard]] HTTPS_DECL std::size_t connections_opened() const noexcept;

private:
    class impl; // the HTTP client with its connection pool and the TLS connector
    std::unique_ptr<impl> impl_;
};

/// Fetch a URL with GET, following redirects; throws `https::error` on failure.
inline response get(std::string_view url, const options& opts = {}) {
    return client().get(url, opts);
}
/// Non-throwing GET: on failure `ec` is set.
inline response get(std::string_view url, const options& opts, std::error_code& ec) {
    return client().get(url, opts, ec);
}
/// Any method (POST, PUT, DELETE, HEAD, PATCH, ...); redirects only if `opts` asks.
inline response request(std::string_view method, std::string_view url, const options& opts = {},
                        std::string body = {}) {
    return client().request(method, url, opts, std::move(body));
}
inline response request(std::string_view method, std::string_view url, const options& opts,
                        std::string body, std::error_code& ec) {
    return client().request(method, url, opts, std::move(body), ec);
}
/// Any method with a body read while it is sent (see `client::request`).
inline response request(std::string_view method, std::string_view url, const options& opts,
                        body_source& body) {
    return client().request(method, url, opts, body);
}
inline response request(std::string_view method, std::string_view url, const options& opts,
                        body_source& body, std::error_code& ec) {
    return client().request(method, url, opts, body, ec);
}

} // namespace https

#if !defined(HTTPS_SEPARATE_COMPILATION)
#include "impl/https.ipp"
#endif
