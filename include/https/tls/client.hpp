// The TLS client engine (sans-I/O): bytes from the server in, bytes to send and application data
// out. The TLS 1.3 handshake (RFC 8446) as an explicit state machine; the version is dispatched
// on the ServerHello so that the TLS 1.2 handshake can join later on the same record layer.
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../core/result.hpp"
#include "../crypto/chacha20_poly1305.hpp"
#include "../crypto/gcm.hpp"
#include "../crypto/random.hpp"
#include "alert.hpp"
#include "cipher_suite.hpp"
#include "extensions.hpp"
#include "key_schedule.hpp"
#include "key_share.hpp"
#include "messages.hpp"
#include "record_layer.hpp"
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

/// Checks the server's certificate chain (DER, leaf first, as sent) for `host`: path validation
/// to a trust anchor and the host-name match. Returns an x509 error (`cert_expired`, ...) which
/// the engine turns into the matching alert.
using certificate_verifier =
    std::function<status(std::span<const bytes_view> chain, std::string_view host)>;

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
    /// Host name for SNI and the certificate check (SNI is left out for an IP literal).
    std::string server_name;
    /// ALPN protocols offered, in preference order (empty: no ALPN).
    std::vector<std::string> alpn = {"http/1.1"};
    /// TLS 1.3 suites offered, in preference order.
    std::vector<cipher_suite> cipher_suites = {cipher_suite::tls_aes_128_gcm_sha256,
                                               cipher_suite::tls_aes_256_gcm_sha384,
                                               cipher_suite::tls_chacha20_poly1305_sha256};
    /// Groups offered in supported_groups, in preference order; the first gets a key share in
    /// the first ClientHello, any other only on HelloRetryRequest.
    std::vector<named_group> groups = {named_group::x25519, named_group::secp256r1,
                                       named_group::secp384r1};
    /// Required: the chain check (the X.509 layer provides the usual one).
    certificate_verifier verify_certificate;
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

    /// TEST HOOK, never set outside tests: replaces the encoding of our ClientHello number
    /// `attempt` (0, or 1 after HelloRetryRequest) on the wire and in the transcript, so that a
    /// recorded trace's exact ClientHello can be replayed. The engine still expects the answer
    /// to what it offered itself.
    std::function<byte_vector(const byte_vector& ours, unsigned attempt)> test_replace_client_hello;

    // ---- TLS 1.2 (RFC 5246) ----
    /// Lowest and highest version offered; one ClientHello offers both when they differ, and
    /// the server's choice decides which handshake runs.
    protocol_version min_version = protocol_version::tls12;
    protocol_version max_version = protocol_version::tls13;
    /// TLS 1.2 suites offered, in preference order (restrict it, e.g. to the RSA key exchange
    /// suites only; empty offers no TLS 1.2 suite).
    std::vector<cipher_suite> tls12_cipher_suites = default_tls12_cipher_suites();
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
    explicit client(client_config config)
        : config_(std::move(config)), handshake_(config_.max_handshake_message) {
        records_.set_max_fragment(config_.max_fragment);
    }

    /// Queue the ClientHello. Precondition: called once, first.
    status start() {
        assert(state_ == client_state::start);
        const bool tls13 = offers(protocol_version::tls13);
        if (!tls13 && !offers_tls12()) {
            return fail(errc::tls_internal_error); // min_version above max_version
        }
        if ((tls13 && config_.cipher_suites.empty()) || config_.groups.empty()) {
            return fail(errc::tls_internal_error);
        }
        ch_.cipher_suites.clear();
        for (auto s : tls13 ? config_.cipher_suites : std::vector<cipher_suite>{}) {
            ch_.cipher_suites.push_back(static_cast<std::uint16_t>(s));
        }
        if (auto s = rng().fill(ch_.random); !s) {
            return fail(s.error());
        }
        if (config_.middlebox_compatibility && tls13) {
            ch_.legacy_session_id.resize(32);
            if (auto s = rng().fill(ch_.legacy_session_id); !s) {
                return fail(s.error());
            }
        }
        if (!is_ip_literal(config_.server_name)) {
            ch_.server_name = config_.server_name;
        }
        ch_.supported_groups = config_.groups;
        ch_.signature_algorithms = default_signature_schemes();
        ch_.signature_algorithms_cert = default_certificate_signature_schemes();
        ch_.supported_versions = {protocol_version::tls13};
        ch_.alpn = config_.alpn;
        // RFC 8449 §4: in TLS 1.3 the limit counts the content type byte, so 2^14 + 1 says
        // "full-size records"; advertising it lets servers announce a smaller limit of theirs.
        ch_.record_size_limit = static_cast<std::uint16_t>(max_plaintext_length + 1);
        if (tls13) {
            auto share = key_exchange::generate(config_.groups.front(), rng());
            if (!share) {
                return fail(share.error());
            }
            shares_.clear();
            shares_.push_back(std::move(*share));
            ch_.key_shares = {
                key_share_entry{shares_[0].group(), to_vector(shares_[0].public_key())}};
        }
        if (auto s = add_tls12_offer(); !s) {
            return fail(s.error());
        }
        // RFC 8446 §5.1: 0x0301 is allowed (and most compatible) for the initial ClientHello.
        records_.set_write_version(0x0301);
        send_client_hello(0);
        records_.set_write_version(0x0303);
        state_ = client_state::wait_server_hello;
        return {};
    }

    /// Process bytes received from the server: handshake progress, application data, alerts.
    status feed(bytes_view data) {
        if (state_ == client_state::failed) {
            return error_;
        }
        assert(state_ != client_state::start);
        records_.feed(data);
        while (state_ != client_state::failed) {
            auto rec = records_.read();
            if (!rec) {
                return fail(rec.error());
            }
            if (!rec->has_value()) {
                break;
            }
            if (auto s = on_record(**rec); !s) {
                return fail(s.error());
            }
        }
        return state_ == client_state::failed ? status{error_} : status{};
    }

    /// Encrypt application data for sending. Only once connected and before `close()`.
    status send(bytes_view data) {
        if (state_ == client_state::failed) {
            return error_;
        }
        if (state_ != client_state::connected || local_closed_) {
            return errc::tls_closed;
        }
        records_.write(content_type::application_data, data, output_);
        return {};
    }

    /// Queue close_notify (RFC 8446 §6.1); nothing more can be sent afterwards.
    void close() {
        if (local_closed_ || state_ == client_state::failed || state_ == client_state::start) {
            return;
        }
        send_alert(alert_level::warning, alert_description::close_notify);
        local_closed_ = true;
    }

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
    /// The ALPN protocol the server selected (empty if none).
    [[nodiscard]] const std::string& alpn_protocol() const noexcept { return alpn_; }
    /// The server's certificate chain as sent (DER, leaf first).
    [[nodiscard]] const std::vector<byte_vector>& peer_certificates() const noexcept {
        return peer_chain_;
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

    status on_record(record& rec) {
        switch (rec.type) {
        case content_type::change_cipher_spec:
            if (tls12_) {
                return on_tls12_change_cipher_spec(rec);
            }
            // RFC 8446 §5: an unprotected CCS of value 1 between our first ClientHello and the
            // server's Finished is dropped; any other is unexpected_message.
            if (rec.was_protected || !ccs_allowed() || rec.payload.size() != 1 ||
                rec.payload[0] != 1) {
                return errc::tls_unexpected_message;
            }
            return {};
        case content_type::alert:
            return on_alert(rec.payload);
        case content_type::handshake:
            HTTPS_TRY(handshake_.append(rec.payload));
            return drain_handshake();
        case content_type::application_data:
            // §5.1: handshake messages must not be interleaved with other record types.
            if (state_ != client_state::connected || !handshake_.empty()) {
                return errc::tls_unexpected_message;
            }
            if (!peer_closed_) { // §6.1: data after close_notify is ignored
                app_data_.insert(app_data_.end(), rec.payload.begin(), rec.payload.end());
            }
            return {};
        default:
            return errc::tls_unexpected_message;
        }
    }

    [[nodiscard]] bool ccs_allowed() const noexcept {
        return state_ >= client_state::wait_server_hello && state_ <= client_state::wait_finished;
    }

    status on_alert(bytes_view payload) {
        // §5.1: alerts are never fragmented or coalesced: exactly level + description.
        if (payload.size() != 2) {
            return errc::tls_decode_error;
        }
        const auto description = static_cast<alert_description>(payload[1]);
        if (tls12_ && payload[0] == static_cast<std::uint8_t>(alert_level::warning) &&
            description != alert_description::close_notify) {
            return on_tls12_warning_alert();
        }
        if (description == alert_description::close_notify) {
            peer_closed_ = true;
            // Closing before the handshake completes is a failure of the handshake.
            return state_ == client_state::connected ? status{} : status{errc::tls_closed};
        }
        if (description == alert_description::user_canceled) {
            return {}; // §6.1: a close_notify follows
        }
        // §6: every other alert is an error alert, whatever its level says.
        received_alert_ = description;
        return errc::tls_alert_received;
    }

    status drain_handshake() {
        while (true) {
            auto msg = handshake_.next();
            if (!msg) {
                return msg.error();
            }
            if (!msg->has_value()) {
                return {};
            }
            HTTPS_TRY(on_handshake(**msg));
        }
    }

    // ---- the state machine -----------------------------------------------------------------

    /// Dispatch a complete handshake message on the current state; anything not expected in
    /// that state is unexpected_message (RFC 8446 §4 and §A.1).
    status on_handshake(const handshake_message& m) {
        using t = handshake_type;
        if (tls12_) {
            return on_tls12_handshake(m);
        }
        switch (state_) {
        case client_state::wait_server_hello:
            if (m.type == t::server_hello) {
                return on_server_hello(m);
            }
            break;
        case client_state::wait_encrypted_extensions:
            if (m.type == t::encrypted_extensions) {
                return on_encrypted_extensions(m);
            }
            break;
        case client_state::wait_certificate_or_request:
            if (m.type == t::certificate_request) {
                return on_certificate_request(m);
            }
            [[fallthrough]];
        case client_state::wait_certificate:
            if (m.type == t::certificate) {
                return on_certificate(m);
            }
            break;
        case client_state::wait_certificate_verify:
            if (m.type == t::certificate_verify) {
                return on_certificate_verify(m);
            }
            break;
        case client_state::wait_finished:
            if (m.type == t::finished) {
                return on_finished(m);
            }
            break;
        case client_state::connected:
            if (m.type == t::new_session_ticket) {
                return on_new_session_ticket(m);
            }
            if (m.type == t::key_update) {
                return on_key_update(m);
            }
            break; // post-handshake CertificateRequest: we never offered post_handshake_auth
        default:
            break;
        }
        return errc::tls_unexpected_message;
    }

    /// WAIT_SH: ServerHello or HelloRetryRequest (RFC 8446 §4.1.3-4.1.4).
    /// Preconditions: our ClientHello (and, after HRR, the second one) is in the transcript.
    status on_server_hello(const handshake_message& m) {
        HTTPS_TLS_ASSIGN(server_hello sh, parse_server_hello(m.body));

        // Version dispatch. Without supported_versions the server chose TLS 1.2 or older.
        const extension* sv = sh.extensions.find(extension_type::supported_versions);
        if (sv == nullptr) {
            // §4.1.3: a TLS 1.3 server that falls back sets a sentinel in its random; seeing it
            // means someone removed our 1.3 offer (a 1.2-only offer expects it).
            const bytes_view tail = bytes_view(sh.random).subspan(24);
            if (offers(protocol_version::tls13) &&
                (std::equal(tail.begin(), tail.end(), downgrade_sentinel_tls12.begin()) ||
                 std::equal(tail.begin(), tail.end(), downgrade_sentinel_tls11.begin()))) {
                return errc::tls_downgrade_detected;
            }
            return start_tls12(sh, m);
        }
        HTTPS_TLS_ASSIGN(std::uint16_t selected, parse_selected_version(sv->data));
        // §4.2.1: a version we did not offer, or below 1.3 here, is illegal_parameter.
        if (selected != static_cast<std::uint16_t>(protocol_version::tls13) ||
            sh.legacy_version != static_cast<std::uint16_t>(protocol_version::tls12)) {
            return errc::tls_illegal_parameter;
        }
        // §4.1.3: session id echo, compression and suite must match what we sent.
        if (!std::equal(sh.legacy_session_id_echo.begin(), sh.legacy_session_id_echo.end(),
                        ch_.legacy_session_id.begin(), ch_.legacy_session_id.end()) ||
            sh.legacy_compression_method != 0) {
            return errc::tls_illegal_parameter;
        }
        const auto info = tls13_suite_info(sh.cipher_suite);
        if (!info || std::find(ch_.cipher_suites.begin(), ch_.cipher_suites.end(),
                               sh.cipher_suite) == ch_.cipher_suites.end()) {
            return errc::tls_illegal_parameter;
        }
        // §4.1.4: the ServerHello after a HelloRetryRequest keeps its suite.
        if (suite_ && suite_->suite != info->suite) {
            return errc::tls_illegal_parameter;
        }
        suite_ = *info;
        version_ = protocol_version::tls13;
        if (sh.is_hello_retry_request()) {
            return on_hello_retry_request(sh, m);
        }

        // §4.2: the ServerHello may carry only supported_versions, key_share and pre_shared_key
        // (and we offered no PSK).
        for (const auto& e : sh.extensions.items()) {
            const auto type = static_cast<extension_type>(e.type);
            if (type != extension_type::supported_versions && type != extension_type::key_share) {
                return unexpected_extension(e.type);
            }
        }
        const extension* ks = sh.extensions.find(extension_type::key_share);
        if (ks == nullptr) {
            return errc::tls_missing_extension; // §9.2: (EC)DHE needs key_share
        }
        HTTPS_TLS_ASSIGN(key_share_entry server_share, parse_server_key_share(ks->data));
        const key_exchange* mine = nullptr;
        for (const auto& s : shares_) {
            if (s.group() == server_share.group) {
                mine = &s;
            }
        }
        if (mine == nullptr) {
            return errc::tls_illegal_parameter; // §4.2.8: a group we sent no share for
        }
        HTTPS_TLS_ASSIGN(secret shared, mine->shared_secret(server_share.key_exchange));
        group_ = server_share.group;

        transcript_.select(suite_->hash);
        transcript_.update(m.raw);
        // Key schedule §7.1: Early Secret (no PSK) -> Handshake Secret.
        handshake_secret hs = early_secret(suite_->hash).derive_handshake(shared.bytes());
        const hash_value th = transcript_.current();
        client_hs_traffic_ = hs.client_traffic(th);
        server_hs_traffic_ = hs.server_traffic(th);
        handshake_secret_ = std::move(hs);

        // §5.1: the ServerHello must end at a record boundary, the keys change after it.
        if (!handshake_.empty()) {
            return errc::tls_unexpected_message;
        }
        records_.set_read_protection(make_protection(server_hs_traffic_));
        // Our alerts from here on go under the client handshake key, which the server now reads.
        records_.set_write_protection(make_protection(client_hs_traffic_));
        state_ = client_state::wait_encrypted_extensions;
        return {};
    }

    /// HelloRetryRequest (RFC 8446 §4.1.4): answer once with a new ClientHello carrying the
    /// cookie and a share for the group asked for; a second HRR is unexpected_message.
    status on_hello_retry_request(const server_hello& hrr, const handshake_message& m) {
        if (hrr_seen_) {
            return errc::tls_unexpected_message;
        }
        hrr_seen_ = true;
        std::optional<named_group> group;
        std::optional<bytes_view> cookie;
        for (const auto& e : hrr.extensions.items()) {
            switch (static_cast<extension_type>(e.type)) {
            case extension_type::supported_versions:
                break;
            case extension_type::key_share: {
                HTTPS_TLS_ASSIGN(group, parse_hrr_key_share(e.data));
                break;
            }
            case extension_type::cookie: {
                HTTPS_TLS_ASSIGN(cookie, parse_cookie(e.data));
                break;
            }
            default:
                return unexpected_extension(e.type);
            }
        }
        // §4.1.4: an HRR that would not change the ClientHello is illegal_parameter.
        if (!group && !cookie) {
            return errc::tls_illegal_parameter;
        }
        if (group) {
            // §4.2.8: the group must be one we support and not one we already sent a share for.
            const bool supported = std::find(config_.groups.begin(), config_.groups.end(),
                                             *group) != config_.groups.end();
            const bool already = std::any_of(shares_.begin(), shares_.end(),
                                             [&](const auto& s) { return s.group() == *group; });
            if (!supported || already) {
                return errc::tls_illegal_parameter;
            }
            // The second key share is generated only now, for the group the server wants.
            HTTPS_TLS_ASSIGN(key_exchange share, key_exchange::generate(*group, rng()));
            shares_.clear();
            shares_.push_back(std::move(share));
            ch_.key_shares = {
                key_share_entry{shares_[0].group(), to_vector(shares_[0].public_key())}};
        }
        if (cookie) {
            ch_.cookie = to_vector(*cookie);
        }
        // §4.4.1: ClientHello1 becomes message_hash in the transcript, then HRR, ClientHello2.
        transcript_.select(suite_->hash);
        transcript_.replace_with_message_hash();
        transcript_.update(m.raw);
        if (!handshake_.empty()) {
            return errc::tls_unexpected_message; // nothing may follow an HRR in its flight
        }
        // §D.4: in compatibility mode the dummy CCS goes right before the second ClientHello.
        send_compat_ccs();
        send_client_hello(1);
        return {};
    }

    /// WAIT_EE: EncryptedExtensions (RFC 8446 §4.3.1).
    status on_encrypted_extensions(const handshake_message& m) {
        HTTPS_TLS_ASSIGN(extension_list exts, parse_encrypted_extensions(m.body));
        for (const auto& e : exts.items()) {
            switch (static_cast<extension_type>(e.type)) {
            case extension_type::server_name:
                // RFC 6066 §3: the server acknowledges SNI with an empty extension.
                if (ch_.server_name.empty()) {
                    return errc::tls_unsupported_extension;
                }
                if (!e.data.empty()) {
                    return errc::tls_decode_error;
                }
                break;
            case extension_type::supported_groups:
                break; // the server's preferences (§4.2.7)
            case extension_type::record_size_limit: {
                // RFC 8449 §4: the server's limit on what we send, content type byte included.
                HTTPS_TLS_ASSIGN(std::uint16_t limit, parse_record_size_limit(e.data));
                records_.set_max_fragment(std::min<std::size_t>(
                    {config_.max_fragment, std::size_t{limit} - 1u, max_plaintext_length}));
                break;
            }
            case extension_type::application_layer_protocol_negotiation: {
                if (ch_.alpn.empty()) {
                    return errc::tls_unsupported_extension;
                }
                HTTPS_TLS_ASSIGN(bytes_view name, parse_alpn_selection(e.data));
                const std::string chosen(name.begin(), name.end());
                // RFC 7301 §3.2: the server must choose one of ours.
                if (std::find(ch_.alpn.begin(), ch_.alpn.end(), chosen) == ch_.alpn.end()) {
                    return errc::tls_illegal_parameter;
                }
                alpn_ = chosen;
                break;
            }
            default:
                return unexpected_extension(e.type);
            }
        }
        transcript_.update(m.raw);
        state_ = client_state::wait_certificate_or_request;
        return {};
    }

    /// WAIT_CERT_CR: CertificateRequest (RFC 8446 §4.3.2). We have no client certificate and
    /// will answer with an empty Certificate.
    status on_certificate_request(const handshake_message& m) {
        HTTPS_TLS_ASSIGN(certificate_request cr, parse_certificate_request(m.body));
        certificate_requested_ = true;
        request_context_ = to_vector(cr.certificate_request_context);
        transcript_.update(m.raw);
        state_ = client_state::wait_certificate;
        return {};
    }

    /// WAIT_CERT: the server's Certificate (RFC 8446 §4.4.2), checked by the configured verifier.
    status on_certificate(const handshake_message& m) {
        HTTPS_TLS_ASSIGN(certificate_message cert, parse_certificate(m.body));
        if (!cert.certificate_request_context.empty()) {
            return errc::tls_illegal_parameter; // §4.4.2: empty for server authentication
        }
        if (cert.entries.empty()) {
            return errc::tls_decode_error; // §4.4.2.4: an empty server Certificate
        }
        std::vector<bytes_view> chain;
        for (const auto& entry : cert.entries) {
            // We request neither OCSP stapling nor SCTs, so no entry extension is expected.
            if (!entry.extensions.items().empty()) {
                return errc::tls_unsupported_extension;
            }
            chain.push_back(entry.cert_data);
        }
        if (!config_.verify_certificate) {
            return errc::trust_store_unavailable; // fail closed without a verifier
        }
        HTTPS_TRY(config_.verify_certificate(chain, config_.server_name));
        peer_chain_.clear();
        for (auto c : chain) {
            peer_chain_.push_back(to_vector(c));
        }
        transcript_.update(m.raw);
        state_ = client_state::wait_certificate_verify;
        return {};
    }

    /// WAIT_CV: the server proves possession of the leaf key over the transcript (§4.4.3).
    status on_certificate_verify(const handshake_message& m) {
        HTTPS_TLS_ASSIGN(certificate_verify cv, parse_certificate_verify(m.body));
        const auto scheme = static_cast<signature_scheme>(cv.algorithm);
        // §4.4.3: a scheme we did not offer in signature_algorithms is illegal_parameter.
        if (std::find(ch_.signature_algorithms.begin(), ch_.signature_algorithms.end(), scheme) ==
            ch_.signature_algorithms.end()) {
            return errc::tls_illegal_parameter;
        }
        const byte_vector content = certificate_verify_content(transcript_.current());
        if (auto s = verify_signature(scheme, peer_chain_.front(), content, cv.signature,
                                      config_.min_rsa_key_bits);
            !s) {
            // §4.4.3: a signature that does not verify is decrypt_error.
            return s.error() == errc::bad_signature ? errc::tls_decrypt_error : s.error();
        }
        transcript_.update(m.raw);
        state_ = client_state::wait_finished;
        return {};
    }

    /// WAIT_FINISHED: check the server Finished, derive the application secrets, send our
    /// second flight (§4.4.4, §7.1).
    status on_finished(const handshake_message& m) {
        const hash_algorithm h = suite_->hash;
        const secret expected = finished_verify_data(h, server_hs_traffic_, transcript_.current());
        if (m.body.size() != expected.size()) {
            return errc::tls_decode_error;
        }
        if (!ct::equal(m.body, expected.bytes())) {
            return errc::tls_decrypt_error;
        }
        transcript_.update(m.raw);
        master_secret ms = std::move(*handshake_secret_).derive_master();
        handshake_secret_.reset();
        const hash_value th = transcript_.current(); // ClientHello..server Finished
        client_ap_traffic_ = ms.client_application_traffic(th);
        server_ap_traffic_ = ms.server_application_traffic(th);
        exporter_secret_ = ms.exporter(th);

        // §5.1: the server Finished must end at a record boundary, the keys change after it.
        if (!handshake_.empty()) {
            return errc::tls_unexpected_message;
        }
        records_.set_read_protection(make_protection(server_ap_traffic_));

        // Second flight: [CCS] [empty Certificate] Finished, under the client handshake key.
        send_compat_ccs();
        if (certificate_requested_) {
            const byte_vector empty = encode_empty_certificate(request_context_);
            transcript_.update(empty);
            records_.write(content_type::handshake, empty, output_);
        }
        const secret verify = finished_verify_data(h, client_hs_traffic_, transcript_.current());
        const byte_vector fin = encode_finished(verify.bytes());
        transcript_.update(fin);
        records_.write(content_type::handshake, fin, output_);
        resumption_secret_ = ms.resumption(transcript_.current());
        records_.set_write_protection(make_protection(client_ap_traffic_));
        state_ = client_state::connected;
        return {};
    }

    /// NewSessionTicket (§4.6.1): kept with its PSK for a later resumption, or dropped.
    status on_new_session_ticket(const handshake_message& m) {
        HTTPS_TLS_ASSIGN(new_session_ticket nst, parse_new_session_ticket(m.body));
        if (config_.max_session_tickets == 0) {
            return {};
        }
        session_ticket t;
        t.suite = suite_->suite;
        t.lifetime_seconds = nst.ticket_lifetime;
        t.age_add = nst.ticket_age_add;
        t.ticket = to_vector(nst.ticket);
        ct::secret_array<max_hash_length> psk;
        const std::size_t n = hash_length(suite_->hash);
        hkdf_expand_label(suite_->hash, resumption_secret_.bytes(), "resumption", nst.ticket_nonce,
                          mutable_bytes(psk.data(), n));
        t.psk = secret(bytes_view(psk.data(), n));
        t.received = now();
        if (tickets_.size() >= config_.max_session_tickets) {
            tickets_.erase(tickets_.begin());
        }
        tickets_.push_back(std::move(t));
        return {};
    }

    /// KeyUpdate (§4.6.3): new read keys; if asked, answer and move to new write keys.
    status on_key_update(const handshake_message& m) {
        HTTPS_TLS_ASSIGN(bool update_requested, parse_key_update(m.body));
        if (!handshake_.empty()) {
            return errc::tls_unexpected_message; // a key change must be on a record boundary
        }
        server_ap_traffic_ = next_traffic_secret(suite_->hash, server_ap_traffic_);
        records_.set_read_protection(make_protection(server_ap_traffic_));
        if (update_requested && !local_closed_) {
            records_.write(content_type::handshake, encode_key_update(false), output_);
            client_ap_traffic_ = next_traffic_secret(suite_->hash, client_ap_traffic_);
            records_.set_write_protection(make_protection(client_ap_traffic_));
        }
        return {};
    }

    // ---- helpers ---------------------------------------------------------------------------

    /// Extensions the server may not send here: one we never offered is unsupported_extension,
    /// one we offered but that does not belong in this message is illegal_parameter (§4.2).
    [[nodiscard]] errc unexpected_extension(std::uint16_t type) const {
        using e = extension_type;
        switch (static_cast<e>(type)) {
        case e::server_name:
        case e::supported_groups:
        case e::signature_algorithms:
        case e::signature_algorithms_cert:
        case e::application_layer_protocol_negotiation:
        case e::supported_versions:
        case e::key_share:
        case e::cookie:
            return errc::tls_illegal_parameter;
        default:
            return errc::tls_unsupported_extension;
        }
    }

    /// Build the record protection of the negotiated suite for one traffic secret: the AEAD is
    /// chosen here, once per key change.
    /// CT: the traffic secret and derived keys are secret; lengths only.
    record_layer::protection make_protection(const secret& traffic) const {
        const traffic_keys k =
            derive_traffic_keys(suite_->hash, traffic, aead_key_length(suite_->aead));
        switch (suite_->aead) {
        case aead_algorithm::aes_128_gcm:
            return tls13_aead_protection<crypto::aes128_gcm>(
                std::span<const std::uint8_t, 16>(k.key.data(), 16), k.iv.span());
        case aead_algorithm::aes_256_gcm:
            return tls13_aead_protection<crypto::aes256_gcm>(
                std::span<const std::uint8_t, 32>(k.key.data(), 32), k.iv.span());
        case aead_algorithm::chacha20_poly1305:
            return tls13_aead_protection<crypto::chacha20_poly1305>(
                std::span<const std::uint8_t, 32>(k.key.data(), 32), k.iv.span());
        }
        return plaintext_protection{};
    }

    void send_client_hello(unsigned attempt) {
        byte_vector msg = encode_client_hello(ch_);
        if (config_.test_replace_client_hello) {
            msg = config_.test_replace_client_hello(msg, attempt);
        }
        transcript_.update(msg);
        records_.write(content_type::handshake, msg, output_);
        client_hello_sent_ = msg; // a TLS 1.2 handshake reads its offer back from it
    }

    /// RFC 8446 §D.4: one unprotected change_cipher_spec record, at most once per connection.
    void send_compat_ccs() {
        if (!config_.middlebox_compatibility || ccs_sent_) {
            return;
        }
        ccs_sent_ = true;
        const std::uint8_t one = 1;
        plaintext_protection{}.seal(content_type::change_cipher_spec, 0x0303, bytes_view(&one, 1),
                                    output_);
    }

    void send_alert(alert_level level, alert_description d) {
        const std::uint8_t body[2] = {static_cast<std::uint8_t>(level),
                                      static_cast<std::uint8_t>(d)};
        records_.write(content_type::alert, body, output_);
    }

    /// Enter the failed state; queue the alert the error table names (if any, and once).
    errc fail(errc e) {
        if (state_ == client_state::failed) {
            return error_;
        }
        // Nothing was sent yet if start() itself failed: there is no peer to alert.
        const bool started = state_ != client_state::start;
        state_ = client_state::failed;
        error_ = e;
        alert_description a{};
        if (started && alert_for(e, a) && !local_closed_) {
            // RFC 5246 §7.2.2: no_renegotiation is always a warning.
            send_alert(a == alert_description::no_renegotiation ? alert_level::warning
                                                                : alert_level::fatal,
                       a);
            sent_alert_ = a;
        }
        return e;
    }

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
    status add_tls12_offer() {
        const bool tls13 = offers(protocol_version::tls13);
        if (!offers_tls12()) {
            return {};
        }
        bool cbc = false;
        for (auto s : config_.tls12_cipher_suites) {
            const auto info = tls12_suite_info_of(static_cast<std::uint16_t>(s));
            if (!info) {
                return errc::tls_internal_error; // not a TLS 1.2 suite we implement
            }
            cbc = cbc || info->is_cbc();
            ch_.cipher_suites.push_back(static_cast<std::uint16_t>(s));
        }
        ch_.extra_extensions = tls12_client_hello_extensions(cbc);
        for (auto scheme : tls12_signature_schemes()) {
            if (std::find(ch_.signature_algorithms.begin(), ch_.signature_algorithms.end(),
                          scheme) == ch_.signature_algorithms.end()) {
                ch_.signature_algorithms.push_back(scheme);
            }
        }
        if (tls13) {
            ch_.supported_versions = {protocol_version::tls13, protocol_version::tls12};
        } else {
            ch_.supported_versions.clear();
        }
        return {};
    }

    /// A ServerHello without supported_versions selects TLS 1.2 (or older) by legacy_version.
    status start_tls12(const server_hello& sh, const handshake_message& m) {
        if (hrr_seen_) {
            return errc::tls_illegal_parameter; // RFC 8446 §4.1.4: HRR chose TLS 1.3
        }
        if (sh.legacy_version != static_cast<std::uint16_t>(protocol_version::tls12) ||
            !offers_tls12()) {
            return errc::tls_protocol_version;
        }
        tls12_settings settings;
        settings.server_name = config_.server_name;
        settings.verify_certificate = config_.verify_certificate;
        settings.random = config_.random;
        settings.min_rsa_key_bits = config_.min_rsa_key_bits;
        settings.require_extended_master_secret = config_.require_extended_master_secret;
        settings.max_fragment = config_.max_fragment;
        HTTPS_TLS_ASSIGN(
            tls12_handshake h,
            tls12_handshake::start(std::move(settings), client_hello_sent_, sh, m.raw, records_));
        tls12_.emplace(std::move(h));
        version_ = protocol_version::tls12;
        alpn_ = tls12_->alpn();
        state_ = client_state::tls12_handshake;
        return {};
    }

    status on_tls12_handshake(const handshake_message& m) {
        HTTPS_TRY(tls12_->on_message(m, records_, output_));
        if (state_ == client_state::tls12_handshake && tls12_->connected()) {
            peer_chain_ = tls12_->peer_chain();
            group_ = tls12_->group();
            state_ = client_state::connected;
        }
        return {};
    }

    /// RFC 5246 §7.1: ChangeCipherSpec is a record type of its own, so it may not cut a
    /// handshake message in two.
    status on_tls12_change_cipher_spec(const record& rec) {
        if (!handshake_.empty()) {
            return errc::tls_unexpected_message;
        }
        return tls12_->on_change_cipher_spec(rec.payload, records_);
    }

    /// RFC 5246 §7.2: a warning alert other than close_notify (unrecognized_name,
    /// no_renegotiation, ...) does not end a TLS 1.2 connection; a stream of them does, so a
    /// peer cannot keep us busy.
    status on_tls12_warning_alert() {
        if (++tls12_warning_alerts_ > 16) {
            return errc::tls_unexpected_message;
        }
        return {};
    }

    crypto::random_source& rng() const {
        return config_.random != nullptr ? *config_.random : crypto::default_random();
    }
    std::chrono::system_clock::time_point now() const {
        return config_.clock ? config_.clock() : std::chrono::system_clock::now();
    }

    static byte_vector to_vector(bytes_view b) { return {b.begin(), b.end()}; }

    /// RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in HostName".
    static bool is_ip_literal(std::string_view host) {
        if (host.empty()) {
            return true;
        }
        if (host.find(':') != std::string_view::npos) {
            return true; // IPv6
        }
        return std::all_of(host.begin(), host.end(),
                           [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
    }

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
    std::optional<handshake_secret> handshake_secret_;
    secret client_hs_traffic_, server_hs_traffic_;
    secret client_ap_traffic_, server_ap_traffic_;
    secret exporter_secret_, resumption_secret_;
    std::string alpn_;
    std::vector<byte_vector> peer_chain_;
    std::vector<session_ticket> tickets_;

    byte_vector output_;
    byte_vector app_data_;
    bool peer_closed_ = false;
    bool local_closed_ = false;
    errc error_ = errc::ok;
    std::optional<alert_description> sent_alert_;
    std::optional<alert_description> received_alert_;
};

} // namespace https::tls

#include "detail/macro_unscope.hpp"
