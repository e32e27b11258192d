// The facade's implementation: the TLS connector that ties the HTTP client to the TLS engine and
// X.509 validation, the trust-store cache, and https::client's members. Included by https.hpp
// when header-only; compiled once by src/https.cpp with HTTPS_SEPARATE_COMPILATION.
#pragma once

#include "../https.hpp"
#include "../http/client.hpp"
#include "../net/socket.hpp"
#include "../net/tls_stream.hpp"
#include "../tls/client.hpp"
#include "../x509/trust_store.hpp"
#include "../x509/verify.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace https {

/// The `failure` an error belongs to.
HTTPS_DECL failure failure_of(errc e) noexcept {
    switch (e) {
    case errc::net_resolve_failed: return failure::resolve;
    case errc::net_connect_failed: return failure::connect;
    case errc::net_timeout:
    case errc::net_idle_timeout: return failure::timeout;
    case errc::net_connection_closed:
    case errc::net_io_error: return failure::receive;
    case errc::http_too_many_redirects:
    case errc::http_insecure_redirect: return failure::redirects;
    case errc::http_body_too_large:
    case errc::http_header_too_large:
    case errc::inflate_too_large:
    case errc::inflate_ratio_exceeded: return failure::too_large;
    case errc::inflate_truncated:
    case errc::inflate_bad_header:
    case errc::inflate_bad_block_type:
    case errc::inflate_bad_stored_length:
    case errc::inflate_bad_code_lengths:
    case errc::inflate_bad_symbol:
    case errc::inflate_distance_too_far:
    case errc::inflate_bad_checksum:
    case errc::inflate_trailing_data: return failure::protocol; // a body the server mis-encoded
    case errc::http_bad_url:
    case errc::http_unsupported_scheme:
    case errc::http_aborted:
    case errc::http_body_read_failed:
    case errc::http_body_length_mismatch:
    case errc::http_body_not_rewindable: return failure::usage;
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

HTTPS_DECL const std::error_category& failure_category() noexcept {
    static const detail::failure_category_impl instance;
    return instance;
}

namespace detail {

/// Trust stores are costly to load, so each source (system, a file, a PEM text) is loaded once
/// per process and shared.
HTTPS_DECL result<std::shared_ptr<const x509::trust_store>> trust_store_for(const options& o) {
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

/// The `-v` line for the stapled OCSP response a verified path was checked against.
HTTPS_DECL std::string describe_staple(const x509::verified_path& path, bool stapled) {
    if (path.revocation) {
        const auto& r = *path.revocation;
        std::string line = "OCSP staple: good (this update " + x509::format_time(r.this_update);
        line += r.next_update ? ", next update " + x509::format_time(*r.next_update)
                              : std::string(", no next update");
        return line + ")";
    }
    if (path.staple_error != errc::ok) {
        return std::string("OCSP staple set aside: ") + describe(path.staple_error);
    }
    return stapled ? "OCSP staple set aside: not checked (no issuer in the path)"
                   : "OCSP staple: none";
}

/// The `-v` line for a chain refused because of its staple, empty for any other refusal.
HTTPS_DECL std::string describe_staple_refusal(errc e, bool stapled) {
    switch (e) {
    case errc::cert_revoked: return "OCSP staple: revoked";
    case errc::cert_ocsp_missing:
        return stapled ? "OCSP staple unusable, and the certificate requires one (must-staple)"
                       : "OCSP staple: none, and the certificate requires one (must-staple)";
    case errc::cert_ocsp_malformed:
    case errc::cert_ocsp_bad_responder:
    case errc::cert_ocsp_stale:
    case errc::cert_ocsp_unknown:
        return std::string("OCSP staple unusable (") + describe(e) +
               "), and the certificate requires one (must-staple)";
    default: return {};
    }
}

/// Why the last TLS handshake refused its server, kept for the error the facade throws.
struct refusal_note {
    errc error = errc::ok;
    std::string text;
};

/// Open a TLS connection for an https:// URL: resolve, connect, handshake with full
/// certificate validation (unless `insecure`), all before the connect deadline. A handshake the
/// engine refuses is reported to `on_verbose` and in `note` with the rule the server broke.
HTTPS_DECL result<std::unique_ptr<net::stream>> connect_tls(const http::connect_request& req,
                                                            refusal_note* note) {
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
    auto tcp = net::connect(*endpoints, req.deadline, o.idle_timeout); // and the handshake
    if (!tcp) {
        return tcp.error();
    }
    tls::client_config cfg;
    cfg.server_name = req.target.host;
    cfg.alpn = {"http/1.1"};
    cfg.min_version = static_cast<tls::protocol_version>(o.min_version);
    cfg.max_version = static_cast<tls::protocol_version>(o.max_version);
    if (!o.post_quantum_key_exchange) {
        std::erase(cfg.groups, tls::named_group::x25519_mlkem768);
    }
    auto verbose = o.on_verbose;
    const auto profile = o.web_pki_profile ? x509::certificate_profile::web_pki
                                           : x509::certificate_profile::rfc5280;
    // RFC 6066 §8: ask for a stapled OCSP response; verify_chain refuses a revoked leaf and a
    // must-staple leaf (RFC 7633) without a usable staple.
    cfg.request_ocsp_staple = true;
    const bool staple_requested = cfg.request_ocsp_staple;
    cfg.verify_certificate = [anchors, verbose, profile, staple_requested](
                                 std::span<const bytes_view> chain, std::string_view host,
                                 std::optional<bytes_view> staple) -> status {
        if (!anchors) {
            return {}; // --insecure: the caller chose to skip path validation
        }
        if (chain.empty()) {
            return errc::cert_unknown_issuer;
        }
        x509::verify_options vo;
        vo.set_host(host);
        vo.profile = profile;
        vo.staple_requested = staple_requested;
        vo.ocsp_staple = staple;
        auto path = x509::verify_chain(chain[0], chain.subspan(1), *anchors, vo);
        if (!path) {
            if (verbose) {
                if (auto line = detail::describe_staple_refusal(path.error(), staple.has_value());
                    !line.empty()) {
                    verbose(line);
                }
            }
            return path.error();
        }
        if (verbose) {
            for (auto der : path->certificates) {
                verbose("certificate: " + x509::describe_certificate(der));
            }
            verbose(detail::describe_staple(*path, staple.has_value()));
        }
        return {};
    };
    tls::refusal why = tls::refusal::none;
    auto s =
        net::tls_stream::handshake(std::move(tcp).value(), std::move(cfg), req.deadline, &why);
    if (!s) {
        if (why != tls::refusal::none) {
            const std::string text = tls::describe(why);
            if (o.on_verbose) {
                o.on_verbose("TLS handshake refused: " + text);
            }
            if (note != nullptr) {
                *note = refusal_note{s.error(), text};
            }
        }
        return s.error();
    }
    return std::unique_ptr<net::stream>(std::move(s).value());
}

} // namespace detail

/// https::client's state: the HTTP client (connection pool, redirects) with the TLS connector.
class client::impl {
public:
    impl()
        : http_([this](const http::connect_request& req) {
              return detail::connect_tls(req, &refused_);
          }) {}

    /// Perform a request whose body is `body` or `source`; on failure `ec` is set.
    response perform(std::string_view method, std::string_view url, const options& opts,
                     std::string body, body_source* source, std::error_code& ec) {
        ec.clear();
        refused_ = {};
        auto u = http::parse_url(url);
        if (!u) {
            ec = u.error();
            return {};
        }
        http::request req;
        req.method = std::string(method);
        req.url = std::move(u).value();
        req.body = std::move(body);
        req.source = source;
        auto r = http_.perform(std::move(req), opts);
        if (!r) {
            ec = r.error();
            return {};
        }
        return std::move(r).value();
    }

    /// The context of the error for a failed request: the request, and the rule the server broke
    /// if a TLS handshake refused it with that very error.
    [[nodiscard]] std::string context(std::string_view method, std::string_view url,
                                      const std::error_code& ec) const {
        std::string out = std::string(method) + " " + std::string(url);
        if (!refused_.text.empty() && ec == make_error_code(refused_.error)) {
            out += " (" + refused_.text + ")";
        }
        return out;
    }

    detail::refusal_note refused_;
    http::client http_;
};

HTTPS_DECL client::client() : impl_(std::make_unique<impl>()) {}
HTTPS_DECL client::~client() = default;
HTTPS_DECL client::client(client&& other) noexcept = default;
HTTPS_DECL client& client::operator=(client&& other) noexcept = default;

HTTPS_DECL response client::request(std::string_view method, std::string_view url,
                                    const options& opts, std::string body) {
    std::error_code ec;
    response r = request(method, url, opts, std::move(body), ec);
    if (ec) {
        throw error(ec, impl_->context(method, url, ec));
    }
    return r;
}

HTTPS_DECL response client::request(std::string_view method, std::string_view url,
                                    const options& opts, std::string body,
                                    std::error_code& ec) {
    return impl_->perform(method, url, opts, std::move(body), nullptr, ec);
}

HTTPS_DECL response client::request(std::string_view method, std::string_view url,
                                    const options& opts, body_source& body) {
    std::error_code ec;
    response r = request(method, url, opts, body, ec);
    if (ec) {
        throw error(ec, impl_->context(method, url, ec));
    }
    return r;
}

HTTPS_DECL response client::request(std::string_view method, std::string_view url,
                                    const options& opts, body_source& body,
                                    std::error_code& ec) {
    return impl_->perform(method, url, opts, {}, &body, ec);
}

HTTPS_DECL response client::get(std::string_view url, options opts) {
    opts.follow_redirects = opts.follow_redirects.value_or(true);
    return request("GET", url, opts);
}

HTTPS_DECL response client::get(std::string_view url, options opts, std::error_code& ec) {
    opts.follow_redirects = opts.follow_redirects.value_or(true);
    return request("GET", url, opts, {}, ec);
}

HTTPS_DECL std::size_t client::connections_opened() const noexcept {
    return impl_->http_.connections_opened();
}

} // namespace https
