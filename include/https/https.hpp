// The facade: https::get / https::request / https::client, one exception type, non-throwing
// overloads, and the TLS connector that ties the HTTP client to the TLS engine and X.509 checks.
#pragma once

#include "core/errc.hpp"
#include "http/client.hpp"
#include "net/socket.hpp"
#include "net/tls_stream.hpp"
#include "tls/client.hpp"
#include "x509/trust_store.hpp"
#include "x509/verify.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>

namespace https {

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
    usage,           ///< a malformed URL or request, or an unsupported scheme
    receive,         ///< the connection failed while sending or receiving
};

/// The `failure` an error belongs to.
inline failure failure_of(errc e) noexcept {
    switch (e) {
    case errc::net_resolve_failed: return failure::resolve;
    case errc::net_connect_failed: return failure::connect;
    case errc::net_timeout: return failure::timeout;
    case errc::net_connection_closed:
    case errc::net_io_error: return failure::receive;
    case errc::http_too_many_redirects:
    case errc::http_insecure_redirect: return failure::redirects;
    case errc::http_body_too_large:
    case errc::http_header_too_large: return failure::too_large;
    case errc::http_bad_url:
    case errc::http_unsupported_scheme:
    case errc::http_aborted: return failure::usage;
    default: break;
    }
    switch (layer_of(e)) {
    case error_layer::x509: return failure::certificate;
    case error_layer::tls:
    case error_layer::crypto:
    case error_layer::decode: return failure::tls;
    default: return failure::protocol;
    }
}

namespace detail {
class failure_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "https.failure"; }
    std::string message(int value) const override {
        switch (static_cast<failure>(value)) {
        case failure::resolve: return "could not resolve host";
        case failure::connect: return "could not connect";
        case failure::timeout: return "timed out";
        case failure::tls: return "TLS handshake or protocol failure";
        case failure::certificate: return "server certificate rejected";
        case failure::protocol: return "HTTP protocol error";
        case failure::redirects: return "redirect refused or too many redirects";
        case failure::too_large: return "response too large";
        case failure::usage: return "invalid request";
        case failure::receive: return "connection failed while receiving";
        }
        return "unknown failure";
    }
    bool equivalent(const std::error_code& code, int condition) const noexcept override {
        return code.category() == errc_category() &&
               static_cast<int>(failure_of(static_cast<errc>(code.value()))) == condition;
    }
};
} // namespace detail

inline const std::error_category& failure_category() noexcept {
    static const detail::failure_category_impl instance;
    return instance;
}
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

namespace detail {

/// Trust stores are costly to load, so each source (system, a file, a PEM text) is loaded once
/// per process and shared.
inline result<std::shared_ptr<const x509::trust_store>> trust_store_for(const options& o) {
    static std::mutex m;
    static std::map<std::string, std::shared_ptr<const x509::trust_store>> cache;
    const std::string key = !o.ca_pem.empty() ? "pem:" + o.ca_pem
                            : !o.ca_file.empty() ? "file:" + o.ca_file
                                                 : std::string("system");
    std::lock_guard<std::mutex> lock(m);
    if (auto it = cache.find(key); it != cache.end()) {
        return it->second;
    }
    auto store = !o.ca_pem.empty()    ? x509::trust_store::from_pem(o.ca_pem)
                 : !o.ca_file.empty() ? x509::trust_store::from_file(o.ca_file)
                                      : x509::trust_store::system();
    if (!store) {
        return store.error();
    }
    auto shared = std::make_shared<const x509::trust_store>(std::move(store).value());
    cache.emplace(key, shared);
    return shared;
}

/// Open a TLS connection for an https:// URL: resolve, connect, handshake with full
/// certificate validation (unless `insecure`), all before the connect deadline.
inline result<std::unique_ptr<net::stream>> connect_tls(const http::connect_request& req) {
    const auto& o = req.options;
    if (o.min_version > o.max_version) {
        return errc::tls_protocol_version;
    }
    std::shared_ptr<const x509::trust_store> anchors;
    if (!o.insecure) {
        auto store = trust_store_for(o);
        if (!store) {
            return store.error();
        }
        anchors = std::move(store).value();
    }
    auto endpoints = http::detail::resolve_target(req.target, o, req.deadline);
    if (!endpoints) {
        return endpoints.error();
    }
    auto tcp = net::connect(*endpoints, req.deadline);
    if (!tcp) {
        return tcp.error();
    }
    tls::client_config cfg;
    cfg.server_name = req.target.host;
    cfg.alpn = {"http/1.1"};
    cfg.min_version = static_cast<tls::protocol_version>(o.min_version);
    cfg.max_version = static_cast<tls::protocol_version>(o.max_version);
    auto verbose = o.on_verbose;
    cfg.verify_certificate = [anchors, verbose](std::span<const bytes_view> chain,
                                                std::string_view host) -> status {
        if (!anchors) {
            return {}; // --insecure: the caller chose to skip path validation
        }
        if (chain.empty()) {
            return errc::cert_unknown_issuer;
        }
        x509::verify_options vo;
        vo.set_host(host);
        auto path = x509::verify_chain(chain[0], chain.subspan(1), *anchors, vo);
        if (!path) {
            return path.error();
        }
        if (verbose) {
            for (auto der : path->certificates) {
                verbose("certificate: " + x509::describe_certificate(der));
            }
        }
        return {};
    };
    auto s = net::tls_stream::handshake(std::move(tcp).value(), std::move(cfg), req.deadline);
    if (!s) {
        return s.error();
    }
    return std::unique_ptr<net::stream>(std::move(s).value());
}

inline http::request make_request(std::string_view method, std::string_view url,
                                  std::string body, std::error_code& ec) {
    http::request req;
    auto u = http::parse_url(url);
    if (!u) {
        ec = u.error();
        return req;
    }
    req.method = std::string(method);
    req.url = std::move(u).value();
    req.body = std::move(body);
    return req;
}

} // namespace detail

/// A session that keeps connections alive: many requests to one host pay for one TCP connection
/// and one TLS handshake. Not thread-safe; use one client per thread.
class client {
public:
    client() : impl_(detail::connect_tls) {}

    /// Any method. Redirects are followed only if `opts.follow_redirects` says so.
    response request(std::string_view method, std::string_view url, const options& opts = {},
                     std::string body = {}) {
        std::error_code ec;
        response r = request(method, url, opts, std::move(body), ec);
        if (ec) {
            throw error(ec, std::string(method) + " " + std::string(url));
        }
        return r;
    }

    /// Non-throwing form: on failure `ec` is set and the returned response is empty.
    response request(std::string_view method, std::string_view url, const options& opts,
                     std::string body, std::error_code& ec) {
        ec.clear();
        http::request req = detail::make_request(method, url, std::move(body), ec);
        if (ec) {
            return {};
        }
        auto r = impl_.perform(std::move(req), opts);
        if (!r) {
            ec = r.error();
            return {};
        }
        return std::move(r).value();
    }

    /// GET, following redirects (up to `opts.max_redirects`) unless `opts` says otherwise.
    response get(std::string_view url, options opts = {}) {
        opts.follow_redirects = opts.follow_redirects.value_or(true);
        return request("GET", url, opts);
    }
    response get(std::string_view url, options opts, std::error_code& ec) {
        opts.follow_redirects = opts.follow_redirects.value_or(true);
        return request("GET", url, opts, {}, ec);
    }

    /// TCP connections (and so TLS handshakes) opened so far.
    [[nodiscard]] std::size_t connections_opened() const noexcept {
        return impl_.connections_opened();
    }

private:
    http::client impl_;
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

} // namespace https
