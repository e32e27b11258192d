// What a request can be told: timeouts, redirects, extra header fields, body limits and
// callbacks, DNS overrides and the TLS settings (trust anchors, versions).
#pragma once

#include "../core/bytes.hpp"
#include "headers.hpp"
#include "response.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace https::http {

/// The body cap when a body is kept in memory (`response::body`) and `max_body_bytes` is unset.
inline constexpr std::uint64_t default_max_stored_body_bytes = std::uint64_t{1} << 30; // 1 GiB

/// TLS protocol versions a caller may pin.
enum class tls_version { tls1_2 = 0x0303, tls1_3 = 0x0304 };

/// Everything a request can be told. Defaults: 30 s connect timeout, 30 s idle timeout, no total
/// timeout, no redirects (the facade's `https::get` turns them on), bodies kept in memory capped
/// at 1 GiB, no compressed responses asked for.
struct client_options {
    std::chrono::milliseconds connect_timeout{30'000}; ///< DNS + TCP connect + TLS handshake
    std::chrono::milliseconds total_timeout{0};        ///< whole request incl. body; 0 = none
    /// Longest wait without progress: for the TCP connect, for each byte of the TLS handshake and
    /// the response, for room to send the request; `net_idle_timeout` when it passes. 0 = none.
    /// (Not how long a pooled connection is kept; DNS is bounded by connect_timeout alone.)
    std::chrono::milliseconds idle_timeout{30'000};
    /// Follow 301/302/303/307/308. Unset: the call's default (`https::get` follows,
    /// `https::request` and `http::client::perform` do not).
    std::optional<bool> follow_redirects;
    int max_redirects = 10;
    /// Authorization, Cookie and Proxy-Authorization (from `headers` or the request) go only to
    /// the origin (scheme, host, port) of the URL first asked for; a redirect elsewhere drops
    /// them (curl's rule since CVE-2018-1000007 and CVE-2022-27776). True sends them to every
    /// host a redirect leads to, like curl's --location-trusted.
    bool credentials_follow_redirects = false;
    http::headers headers;                 ///< extra request header fields
    /// Largest body accepted (`http_body_too_large` beyond it). Unset: 1 GiB
    /// (`default_max_stored_body_bytes`) when the body is kept in `response::body`, no limit when
    /// it streams to `on_body`. Set it to lower or lift the cap in either case
    /// (`std::numeric_limits<std::uint64_t>::max()` for none).
    std::optional<std::uint64_t> max_body_bytes;
    /// Ask for a compressed response and decode it, as curl's --compressed: the request carries
    /// `Accept-Encoding: gzip, deflate` (unless `headers` has its own Accept-Encoding), and a
    /// body whose Content-Encoding is gzip, x-gzip or deflate is decoded as it arrives. The body
    /// handed over (`response::body`, `on_body`) is then the decoded one, and the header fields
    /// seen (`on_head`, `response::headers`) lose Content-Encoding and Content-Length, which
    /// described the encoded bytes; `on_progress` still counts encoded bytes. Any other coding
    /// passes through untouched, with its fields. False: nothing is asked for or decoded.
    /// `max_body_bytes` caps the decoded body too (`inflate_too_large`).
    bool accept_compressed = false;
    /// Decompression-bomb cap for decoded bodies: once a decoded body passes 1 MiB, more than
    /// this many decoded bytes per encoded byte received is `inflate_ratio_exceeded`. 0 = none.
    /// Ordinary text and JSON compress 3-20:1; DEFLATE's ceiling is about 1032:1.
    std::uint32_t max_compression_ratio = 200;
    /// Receives the body as it arrives instead of storing it; return false to abort.
    std::function<bool(bytes_view)> on_body;
    /// Called with the status and header fields of each final response before its body (not for
    /// redirects that are being followed).
    std::function<void(const response_head&)> on_head;
    /// Called as body bytes arrive: (received so far, Content-Length if known).
    std::function<void(std::uint64_t, std::optional<std::uint64_t>)> on_progress;
    /// curl's --resolve: "host:port:address" entries that bypass DNS for that host and port.
    std::vector<std::string> resolve;
    // TLS settings, used by the TLS connector. These and `resolve` are part of the connection
    // pool's key: a pooled connection is reused only under the same values.
    std::string ca_file;     ///< PEM bundle of trust anchors (instead of the system store)
    std::string ca_pem;      ///< in-memory PEM trust anchors (instead of the system store)
    bool insecure = false;   ///< skip certificate verification (curl -k); never the default
    /// Hold the server's certificates to the web PKI profile (RFC 5280 §4 and the CA/Browser
    /// Forum Baseline Requirements §7.1: serverAuth EKU, a host-name SAN, key identifiers, ...)
    /// on top of path validation. False for a private PKI whose certificates do not follow it
    /// (`x509::certificate_profile::rfc5280`): the path, names and keys are still checked.
    bool web_pki_profile = true;
    /// Offer the hybrid post-quantum key exchange X25519MLKEM768 first (TLS 1.3), with an X25519
    /// share beside it for servers without it. False offers the classical groups only.
    bool post_quantum_key_exchange = true;
    tls_version min_version = tls_version::tls1_2;
    tls_version max_version = tls_version::tls1_3;
    /// Where diagnostics go for verbose output (curl -v); empty = silent.
    std::function<void(const std::string&)> on_verbose;
};


} // namespace https::http
