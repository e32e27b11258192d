// The TLS client engine (sans-I/O): bytes from the server in, bytes to send and application data
// out. The TLS 1.3 handshake (RFC 8446) as an explicit state machine; the version is dispatched
// on the ServerHello so that the TLS 1.2 handshake can join later on the same record layer.
#pragma once

#include "../core/bytes.hpp"
#include "../core/config.hpp"
#include "../core/ct.hpp"
#include "../core/result.hpp"
#include "../crypto/chacha20_poly1305.hpp"
#include "../crypto/gcm.hpp"
#include "../crypto/random.hpp"
#include "../x509/hostname.hpp"
#include "alert.hpp"
#include "cipher_suite.hpp"
#include "extensions.hpp"
#include "key_schedule.hpp"
#include "key_share.hpp"
#include "messages.hpp"
#include "record_layer.hpp"
#include "refusal.hpp"
#include "signature.hpp"
#include "tls12_handshake.hpp"
#include "transcript.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "detail/macro_scope.hpp"

namespace https::tls {

/// The record layer of a client: plaintext, one of the TLS 1.3 AEADs, or a TLS 1.2 protection.
using record_layer =
    basic_record_layer<tls13_aead_protection<crypto::aes128_gcm>,
                       tls13_aead_protection<crypto::aes256_gcm>,
                       tls13_aead_protection<crypto::chacha20_poly1305>,
                       tls12_aes128_gcm_protection, tls12_aes256_gcm_protection,
                       tls12_chacha20_poly1305_protection, tls12_aes128_cbc_sha256_protection,
                       tls12_aes256_cbc_sha256_protection, tls12_aes256_cbc_sha384_protection>;

class client;

namespace detail {

/// The slot of the test hook that rewrites our ClientHello. It is part of every client_config,
/// so that the struct's layout never depends on HTTPS_TESTING (the library and the tests are
/// compiled apart), but only `tls::test_hooks`, which test builds alone define, can fill it.
class client_hello_hook {
    friend class tls::client;
    friend class tls::test_hooks;
    std::function<byte_vector(const byte_vector& ours, unsigned attempt)> replace_;
    /// Reads the offer of the ClientHello sent, for a TLS 1.2 handshake to hold the server to.
    std::function<std::optional<client_hello>(bytes_view message)> read_;
};

/// The TLS 1.3 record protection of `suite` for one traffic secret: the AEAD is chosen here,
/// once per key change, by an exhaustive switch (a new `aead_algorithm` is a -Wswitch warning).
/// A value outside the enumeration is `errc::tls_internal_error`, never a plaintext or default
/// protection.
/// CT: the traffic secret and derived keys are secret; lengths only.
HTTPS_DECL result<record_layer::protection> make_tls13_protection(const suite_info& suite,
                                                                  const secret& traffic);

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
    /// Groups offered in supported_groups, in preference order; the first gets a key share in
    /// the first ClientHello, any other only on HelloRetryRequest.
    std::vector<named_group> groups = {named_group::x25519, named_group::secp256r1,
                                       named_group::secp384r1};
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
};

/// Where the handshake stands. RFC 8446 §A.1 names the client states alike.
enum class client_state : std::uint8_t {
    start,                       ///< nothing sent yet
    wait_server_hello,           ///< ClientHello sent (WAIT_SH)
    wait_encrypted_extensions,   ///< handshake keys in place (WAIT_EE)
    wait_certificate_or_request, ///< WAIT_CERT_CR
    wait_certificate,            ///< after CertificateRequest (WAIT_CERT)
    wait_certificate_verify,     ///< WAIT_CV
    wait_finished,               ///< WAIT_FINISHED
    connected,                   ///< handshake done, application data both ways
    failed,                      ///< a fatal error; `error()` says which
    tls12_handshake,             ///< TLS 1.2 negotiated, its handshake under way (tls12_state)
};

/// A TLS client connection without I/O. Typical driver loop:
///   client c(cfg); c.start();
///   loop { send(c.take_output()); c.feed(recv()); data = c.take_application_data(); }
/// Every call that fails leaves the engine `failed` with the alert to send already queued in the
/// output: flush it, then close the socket.
class client {
  public:
    HTTPS_DECL explicit client(client_config config);

    /// Queue the ClientHello. Precondition: called once, first.
    HTTPS_DECL status start();

    /// Process bytes received from the server: handshake progress, application data, alerts.
    HTTPS_DECL status feed(bytes_view data);

    /// Encrypt application data for sending. Only once connected and before `close()`.
    HTTPS_DECL status send(bytes_view data);

    /// Queue close_notify (RFC 8446 §6.1); nothing more can be sent afterwards.
    HTTPS_DECL void close();

    /// Bytes to send to the server, in order; taking them empties the queue.
    [[nodiscard]] byte_vector take_output() { return std::exchange(output_, {}); }
    [[nodiscard]] bool has_output() const noexcept { return !output_.empty(); }

    /// Application data received so far; taking it empties the buffer.
    [[nodiscard]] byte_vector take_application_data() { return std::exchange(app_data_, {}); }
    [[nodiscard]] bool has_application_data() const noexcept { return !app_data_.empty(); }

    [[nodiscard]] client_state state() const noexcept { return state_; }
    [[nodiscard]] bool is_connected() const noexcept { return state_ == client_state::connected; }
    /// The server sent close_notify: no more application data will come.
    [[nodiscard]] bool peer_closed() const noexcept { return peer_closed_; }
    [[nodiscard]] errc error() const noexcept { return error_; }
    /// The rule the server broke, when the failure is a refusal of ours (`describe(refusal)`
    /// says it in words); `refusal::none` for any other failure.
    [[nodiscard]] refusal refusal_cause() const noexcept { return refusal_; }
    /// The fatal alert we sent, if any.
    [[nodiscard]] std::optional<alert_description> sent_alert() const noexcept {
        return sent_alert_;
    }
    /// The error alert the server sent, if any.
    [[nodiscard]] std::optional<alert_description> received_alert() const noexcept {
        return received_alert_;
    }
    [[nodiscard]] std::optional<cipher_suite> negotiated_suite() const noexcept {
        if (tls12_) {
            return tls12_->suite().suite;
        }
        return suite_ ? std::optional<cipher_suite>(suite_->suite) : std::nullopt;
    }
    [[nodiscard]] std::optional<protocol_version> negotiated_version() const noexcept {
        return version_;
    }
    [[nodiscard]] std::optional<named_group> negotiated_group() const noexcept { return group_; }
    /// The scheme the server signed the handshake with (CertificateVerify in TLS 1.3, the
    /// ServerKeyExchange in TLS 1.2), once verified; none for the TLS 1.2 RSA key exchange.
    [[nodiscard]] std::optional<signature_scheme> negotiated_signature_scheme() const noexcept {
        return peer_scheme_;
    }
    /// The ALPN protocol the server selected (empty if none).
    [[nodiscard]] const std::string& alpn_protocol() const noexcept { return alpn_; }
    /// The server's certificate chain as sent (DER, leaf first).
    [[nodiscard]] const std::vector<byte_vector>& peer_certificates() const noexcept {
        return peer_chain_;
    }
    /// The OCSP response the server stapled for its leaf (DER), empty if none; kept once received,
    /// so that it can be looked at even when the verifier refused the chain.
    [[nodiscard]] const byte_vector& ocsp_staple() const noexcept {
        return tls12_ ? tls12_->ocsp_staple() : ocsp_staple_;
    }
    [[nodiscard]] bool hello_retry_requested() const noexcept { return hrr_seen_; }
    [[nodiscard]] const std::vector<session_ticket>& session_tickets() const noexcept {
        return tickets_;
    }
    /// The TLS 1.2 handshake (extended master secret, encrypt-then-MAC, ...), or null when TLS 1.2
    /// was not negotiated.
    [[nodiscard]] const tls12_handshake* tls12_session() const noexcept {
        return tls12_ ? &*tls12_ : nullptr;
    }

  private:
    // ---- records -------------------------------------------------------------------------

    HTTPS_DECL status on_record(record& rec);

    [[nodiscard]] bool ccs_allowed() const noexcept {
        return state_ >= client_state::wait_server_hello && state_ <= client_state::wait_finished;
    }

    HTTPS_DECL status on_alert(bytes_view payload);

    HTTPS_DECL status drain_handshake();

    // ---- the state machine -----------------------------------------------------------------

    /// Dispatch a complete handshake message on the current state; anything not expected in
    /// that state is unexpected_message (RFC 8446 §4 and §A.1).
    HTTPS_DECL status on_handshake(const handshake_message& m);
    HTTPS_DECL status on_tls13_handshake(const handshake_message& m);

    /// WAIT_SH: ServerHello or HelloRetryRequest (RFC 8446 §4.1.3-4.1.4).
    /// Preconditions: our ClientHello (and, after HRR, the second one) is in the transcript.
    HTTPS_DECL status on_server_hello(const handshake_message& m);

    /// HelloRetryRequest (RFC 8446 §4.1.4): answer once with a new ClientHello carrying the
    /// cookie and a share for the group asked for; a second HRR is unexpected_message.
    HTTPS_DECL status on_hello_retry_request(const server_hello& hrr, const handshake_message& m);

    /// WAIT_EE: EncryptedExtensions (RFC 8446 §4.3.1).
    HTTPS_DECL status on_encrypted_extensions(const handshake_message& m);

    /// WAIT_CERT_CR: CertificateRequest (RFC 8446 §4.3.2). We have no client certificate and
    /// will answer with an empty Certificate.
    HTTPS_DECL status on_certificate_request(const handshake_message& m);

    /// WAIT_CERT: the server's Certificate (RFC 8446 §4.4.2), checked by the configured verifier.
    HTTPS_DECL status on_certificate(const handshake_message& m);

    /// WAIT_CV: the server proves possession of the leaf key over the transcript (§4.4.3).
    HTTPS_DECL status on_certificate_verify(const handshake_message& m);

    /// WAIT_FINISHED: check the server Finished, derive the application secrets, send our
    /// second flight (§4.4.4, §7.1).
    HTTPS_DECL status on_finished(const handshake_message& m);

    /// NewSessionTicket (§4.6.1): kept with its PSK for a later resumption, or dropped.
    HTTPS_DECL status on_new_session_ticket(const handshake_message& m);

    /// KeyUpdate (§4.6.3): new read keys; if asked, answer and move to new write keys.
    HTTPS_DECL status on_key_update(const handshake_message& m);

    // ---- helpers ---------------------------------------------------------------------------

    /// Extensions the server may not send here: one we never offered is unsupported_extension,
    /// one we offered but that does not belong in this message is illegal_parameter (§4.2).
    [[nodiscard]] HTTPS_DECL errc unexpected_extension(std::uint16_t type);

    /// Record why we refuse the server; the error (and alert) is the one the refusal names.
    errc refuse(refusal r) noexcept {
        refusal_ = r;
        return error_of(r);
    }
    /// The refusal of an error from the record layer, by its error.
    HTTPS_DECL errc record_refusal(errc e);
    /// The refusal of an error from signature verification: `invalid` for a signature that does
    /// not verify, a key that does not fit the scheme, or any other error as it is.
    HTTPS_DECL errc signature_refusal(errc e, refusal invalid);
    /// The refusal for a message its parser rejected.
    HTTPS_DECL static refusal malformed(handshake_type t) noexcept;

    /// Our ClientHello number `attempt` (0, or 1 after HelloRetryRequest) as it goes out: `ch_`
    /// encoded (`errc::length_overflow` if a field outgrows its length prefix), or what the test
    /// hook puts in its place.
    HTTPS_DECL result<byte_vector> client_hello_message(unsigned attempt) const;

    /// Queue a ClientHello message and add it to the transcript.
    HTTPS_DECL void send_client_hello(byte_vector msg);

    /// RFC 8446 §D.4: one unprotected change_cipher_spec record, at most once per connection.
    HTTPS_DECL void send_compat_ccs();

    HTTPS_DECL void send_alert(alert_level level, alert_description d);

    /// Enter the failed state; queue the alert the error table names (if any, and once).
    HTTPS_DECL errc fail(errc e);

    // ---- TLS 1.2 (RFC 5246): the offer, the dispatch, and the records it handles -----------

    [[nodiscard]] bool offers(protocol_version v) const noexcept {
        const auto x = static_cast<std::uint16_t>(v);
        return static_cast<std::uint16_t>(config_.min_version) <= x &&
               x <= static_cast<std::uint16_t>(config_.max_version);
    }
    [[nodiscard]] bool offers_tls12() const noexcept {
        return offers(protocol_version::tls12) && !config_.tls12_cipher_suites.empty();
    }

    /// Add TLS 1.2 to the ClientHello being built: its suites after the TLS 1.3 ones, the
    /// extensions it needs, the PKCS#1 v1.5 schemes TLS 1.2 servers sign ServerKeyExchange with,
    /// and supported_versions only when TLS 1.3 is offered too (RFC 8446 §4.2.1: without it a
    /// server negotiates TLS 1.2 or below).
    HTTPS_DECL status add_tls12_offer();

    /// A ServerHello without supported_versions selects TLS 1.2 (or older) by legacy_version.
    HTTPS_DECL status start_tls12(const server_hello& sh, const handshake_message& m);

    HTTPS_DECL status on_tls12_handshake(const handshake_message& m);

    /// RFC 5246 §7.1: ChangeCipherSpec is a record type of its own, so it may not cut a
    /// handshake message in two.
    HTTPS_DECL status on_tls12_change_cipher_spec(const record& rec);

    /// RFC 5246 §7.2: a warning alert other than close_notify (unrecognized_name,
    /// no_renegotiation, ...) does not end a TLS 1.2 connection; a stream of them does, so a
    /// peer cannot keep us busy.
    HTTPS_DECL status on_tls12_warning_alert();

    crypto::random_source& rng() const {
        return config_.random != nullptr ? *config_.random : crypto::default_random();
    }
    std::chrono::system_clock::time_point now() const {
        return config_.clock ? config_.clock() : std::chrono::system_clock::now();
    }

    static byte_vector to_vector(bytes_view b) { return {b.begin(), b.end()}; }

    /// RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in HostName".
    HTTPS_DECL static bool is_ip_literal(std::string_view host);

    client_config config_;
    client_state state_ = client_state::start;
    record_layer records_;
    handshake_reassembler handshake_;
    transcript_hash transcript_;
    client_hello ch_;
    std::vector<key_exchange> shares_;
    bool hrr_seen_ = false;
    bool ccs_sent_ = false;
    bool certificate_requested_ = false;
    byte_vector request_context_;

    std::optional<suite_info> suite_;
    byte_vector client_hello_sent_;
    std::optional<tls12_handshake> tls12_;
    unsigned tls12_warning_alerts_ = 0;
    std::optional<protocol_version> version_;
    std::optional<named_group> group_;
    std::optional<signature_scheme> peer_scheme_;
    std::optional<handshake_secret> handshake_secret_;
    secret client_hs_traffic_, server_hs_traffic_;
    secret client_ap_traffic_, server_ap_traffic_;
    secret exporter_secret_, resumption_secret_;
    std::string alpn_;
    std::vector<byte_vector> peer_chain_;
    byte_vector ocsp_staple_;
    peer_key peer_key_; ///< the leaf's key, for CertificateVerify
    std::vector<session_ticket> tickets_;

    byte_vector output_;
    byte_vector app_data_;
    bool peer_closed_ = false;
    bool local_closed_ = false;
    errc error_ = errc::ok;
    refusal refusal_ = refusal::none;
    std::optional<alert_description> sent_alert_;
    std::optional<alert_description> received_alert_;
};

#if defined(HTTPS_TESTING)
/// TEST HOOKS (HTTPS_TESTING builds only): what the tests reach inside the engine.
class test_hooks {
  public:
    /// Replace our ClientHello number `attempt` (0, or 1 after HelloRetryRequest) on the wire and
    /// in the transcript by what `f` returns, so that a recorded trace's exact ClientHello can be
    /// replayed. The engine still expects the answer to what it offered itself, unless `read`
    /// gives the offer of the ClientHello sent (nothing: malformed), which a TLS 1.2 handshake
    /// then holds the server to.
    static void
    replace_client_hello(client_config& cfg,
                         std::function<byte_vector(const byte_vector& ours, unsigned attempt)> f,
                         std::function<std::optional<client_hello>(bytes_view)> read = {}) {
        cfg.test_hook.replace_ = std::move(f);
        cfg.test_hook.read_ = std::move(read);
    }
    /// The TLS 1.2 master secret once derived (the replay test compares it with the recording).
    static const tls12_master_secret& master_secret(const tls12_handshake& h) noexcept {
        return h.master_;
    }
};
#endif

} // namespace https::tls

#include "detail/macro_unscope.hpp"

#if !defined(HTTPS_SEPARATE_COMPILATION)
#include "impl/client.ipp"
#endif
