// What the TLS client engine is configured with (`client_config`), and what it hands back for
// later: the certificate check it calls and the session tickets it keeps.
#pragma once

#include "../core/bytes.hpp"
#include "../core/result.hpp"
#include "../crypto/random.hpp"
#include "../x509/hostname.hpp"
#include "cipher_suite.hpp"
#include "extensions.hpp"
#include "key_schedule.hpp"
#include "messages.hpp"
#include "record_protection.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace https::tls {

class client_offer;
class test_hooks;

namespace detail {

/// The slot of the test hook that rewrites our ClientHello. It is part of every client_config,
/// so that the struct's layout never depends on HTTPS_TESTING (the library and the tests are
/// compiled apart), but only `tls::test_hooks`, which test builds alone define, can fill it.
class client_hello_hook {
    friend class tls::client_offer;
    friend class tls::test_hooks;
    std::function<byte_vector(const byte_vector& ours, unsigned attempt)> replace_;
    /// Reads the offer of the ClientHello sent, for a TLS 1.2 handshake to hold the server to.
    std::function<std::optional<client_hello>(bytes_view message)> read_;
};

} // namespace detail

/// Checks the server's certificate chain (DER, leaf first, as sent) for `host`: path validation
/// to a trust anchor and the host-name match. `ocsp_staple` is the DER OCSP response the server
/// stapled (RFC 6066 §8, RFC 8446 §4.4.2.1), if we asked for one and it sent one; a verifier
/// built on `x509::verify_chain` passes it on as `verify_options::ocsp_staple`, with
/// `staple_requested` set when `client_config::request_ocsp_staple` is. Returns an x509 error
/// (`cert_expired`, `cert_revoked`, ...) which the engine turns into the matching alert.
using certificate_verifier =
    std::function<status(std::span<const bytes_view> chain, std::string_view host,
                         std::optional<bytes_view> ocsp_staple)>;

/// A session ticket from NewSessionTicket (RFC 8446 §4.6.1) with the PSK it stands for, kept for
/// resumption.
struct session_ticket {
    cipher_suite suite{};
    std::uint32_t lifetime_seconds = 0;
    std::uint32_t age_add = 0;
    byte_vector ticket;
    secret psk; ///< HKDF-Expand-Label(resumption_master_secret, "resumption", nonce, Hash.length)
    std::chrono::system_clock::time_point received{};
};

/// How to connect.
struct client_config {
    /// Host name for SNI and the certificate check (SNI is left out for an IP literal). Required:
    /// an empty name fails `start()` with `errc::cert_no_identity`, unless `check_host` says
    /// otherwise.
    std::string server_name;
    /// `x509::host_check::none` connects without naming the server: `server_name` may be empty,
    /// and the verifier is then called with an empty host (a verifier built on
    /// `x509::verify_chain` must set its own `verify_options::check_host` likewise).
    x509::host_check check_host = x509::host_check::required;
    /// ALPN protocols offered, in preference order (empty: no ALPN).
    std::vector<std::string> alpn = {"http/1.1"};
    /// TLS 1.3 suites offered, in preference order.
    std::vector<cipher_suite> cipher_suites = default_cipher_suites(protocol_version::tls13);
    /// Groups offered in supported_groups, in preference order. The first gets a key share in the
    /// first ClientHello, and so does the second when the first is the hybrid X25519MLKEM768
    /// (a server without post-quantum support then takes the X25519 share without a retry, as
    /// with Chrome, Firefox, Go and rustls); any other only on HelloRetryRequest.
    std::vector<named_group> groups = {named_group::x25519_mlkem768, named_group::x25519,
                                       named_group::secp256r1, named_group::secp384r1};
    /// Required: the chain check (the X.509 layer provides the usual one).
    certificate_verifier verify_certificate;
    /// Offer status_request (RFC 6066 §8) in both the TLS 1.3 and the TLS 1.2 offer, so that the
    /// server may staple an OCSP response for its leaf, which the verifier then receives.
    bool request_ocsp_staple = true;
    /// Randomness for ClientHello.random, the session id and key shares (null: the OS CSPRNG).
    crypto::random_source* random = nullptr;
    /// Wall clock (null: std::chrono::system_clock::now).
    std::function<std::chrono::system_clock::time_point()> clock;
    /// RFC 8446 §D.4 middlebox compatibility: a 32-byte legacy_session_id and a dummy
    /// change_cipher_spec before our second flight.
    bool middlebox_compatibility = true;
    /// Largest handshake message accepted (certificate chains are the big ones).
    std::size_t max_handshake_message = std::size_t{256} * 1024;
    /// Largest plaintext per record we send (at most 2^14).
    std::size_t max_fragment = max_plaintext_length;
    /// Smallest RSA key accepted for CertificateVerify. Only trace replays with their 1024-bit
    /// test key lower it; certificate chains have their own policy in the verifier.
    std::size_t min_rsa_key_bits = 2048;
    /// Session tickets kept (older ones are dropped first); 0 ignores tickets.
    std::size_t max_session_tickets = 4;

    /// Empty unless a test build set it (`tls::test_hooks::replace_client_hello`).
    detail::client_hello_hook test_hook;

    // ---- TLS 1.2 (RFC 5246) ----
    /// Lowest and highest version offered; one ClientHello offers both when they differ, and
    /// the server's choice decides which handshake runs.
    protocol_version min_version = protocol_version::tls12;
    protocol_version max_version = protocol_version::tls13;
    /// TLS 1.2 suites offered, in preference order (restrict it, e.g. to the RSA key exchange
    /// suites only; empty offers no TLS 1.2 suite).
    std::vector<cipher_suite> tls12_cipher_suites = default_cipher_suites(protocol_version::tls12);
    /// Refuse a TLS 1.2 server that does not negotiate extended_master_secret (RFC 7627 §5.4).
    bool require_extended_master_secret = false;

    /// The randomness source in effect.
    [[nodiscard]] crypto::random_source& rng() const {
        return random != nullptr ? *random : crypto::default_random();
    }
    /// The time in effect.
    [[nodiscard]] std::chrono::system_clock::time_point now() const {
        return clock ? clock() : std::chrono::system_clock::now();
    }
    /// Whether `v` lies within [min_version, max_version].
    [[nodiscard]] bool offers(protocol_version v) const noexcept {
        const auto x = static_cast<std::uint16_t>(v);
        return static_cast<std::uint16_t>(min_version) <= x &&
               x <= static_cast<std::uint16_t>(max_version);
    }
};

} // namespace https::tls
