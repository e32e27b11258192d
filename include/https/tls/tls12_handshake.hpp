// The TLS 1.2 client handshake (RFC 5246 §7.3-7.4) as an explicit state machine, entered after a
// ServerHello that selects TLS 1.2: Certificate, ServerKeyExchange (ECDHE), CertificateRequest,
// ServerHelloDone; our ClientKeyExchange, ChangeCipherSpec and Finished; the server's
// NewSessionTicket, ChangeCipherSpec and Finished. Extended master secret (RFC 7627), secure
// renegotiation indication (RFC 5746) and encrypt-then-MAC (RFC 7366) are negotiated here.
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../core/result.hpp"
#include "../crypto/random.hpp"
#include "extensions.hpp"
#include "key_share.hpp"
#include "messages.hpp"
#include "record_protection.hpp"
#include "refusal.hpp"
#include "cipher_suite.hpp"
#include "tls12_key_exchange.hpp"
#include "tls12_key_schedule.hpp"
#include "tls12_record_protection.hpp"
#include "transcript.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "detail/macro_scope.hpp"

namespace https::tls {

class test_hooks; // test builds only (HTTPS_TESTING), at the end of client.hpp

/// Every TLS 1.2 record protection, chosen once per key change.
using tls12_protection =
    std::variant<tls12_aes128_gcm_protection, tls12_aes256_gcm_protection,
                 tls12_chacha20_poly1305_protection, tls12_aes128_cbc_sha256_protection,
                 tls12_aes256_cbc_sha256_protection, tls12_aes256_cbc_sha384_protection>;

/// Build the protection of one direction from the key block. `iv_key` keys the CBC record IV
/// generator of a direction we write (see tls12_cbc_protection). Exhaustive switches choose it
/// (a new cipher kind or hash is a -Wswitch warning); a value outside the enumerations is
/// `errc::tls_internal_error`, never a default cipher.
/// CT: keys are secret; lengths only.
inline result<tls12_protection> make_tls12_protection(const tls12_suite_info& suite,
                                                      const tls12_key_block& kb, bool client_write,
                                                      bool encrypt_then_mac,
                                                      std::span<const std::uint8_t, 32> iv_key) {
    const bytes_view key = client_write ? kb.client_write_key() : kb.server_write_key();
    const bytes_view iv = client_write ? kb.client_write_iv() : kb.server_write_iv();
    const bytes_view mac = client_write ? kb.client_mac_key() : kb.server_mac_key();
    auto k16 = [&] { return std::span<const std::uint8_t, 16>(key.data(), 16); };
    auto k32 = [&] { return std::span<const std::uint8_t, 32>(key.data(), 32); };
    switch (suite.cipher) {
    case record_cipher::aes_128_gcm:
        return tls12_protection(
            tls12_aes128_gcm_protection(k16(), std::span<const std::uint8_t, 4>(iv.data(), 4)));
    case record_cipher::aes_256_gcm:
        return tls12_protection(
            tls12_aes256_gcm_protection(k32(), std::span<const std::uint8_t, 4>(iv.data(), 4)));
    case record_cipher::chacha20_poly1305:
        return tls12_protection(tls12_chacha20_poly1305_protection(
            k32(), std::span<const std::uint8_t, 12>(iv.data(), 12)));
    case record_cipher::aes_128_cbc:
        return tls12_protection(
            tls12_aes128_cbc_sha256_protection(k16(), mac, iv_key.first<16>(), encrypt_then_mac));
    case record_cipher::aes_256_cbc:
        switch (suite.prf_hash) {
        case hash_algorithm::sha256:
            return tls12_protection(
                tls12_aes256_cbc_sha256_protection(k32(), mac, iv_key, encrypt_then_mac));
        case hash_algorithm::sha384:
            return tls12_protection(
                tls12_aes256_cbc_sha384_protection(k32(), mac, iv_key, encrypt_then_mac));
        }
        break;
    }
    return errc::tls_internal_error; // outside the enumerations: fail closed
}

/// RFC 8422 §5.1.2, RFC 7627 §5.1, RFC 5746 §3.4, RFC 5077 §3.2, RFC 7366 §2: the extension
/// bodies a TLS 1.2 offer needs. encrypt_then_mac only matters when a CBC suite is offered.
inline std::vector<std::pair<extension_type, byte_vector>>
tls12_client_hello_extensions(bool offer_cbc) {
    std::vector<std::pair<extension_type, byte_vector>> out;
    out.emplace_back(extension_type::ec_point_formats, byte_vector{1, 0}); // uncompressed
    out.emplace_back(extension_type::extended_master_secret, byte_vector{});
    out.emplace_back(extension_type::renegotiation_info, byte_vector{0}); // empty
    out.emplace_back(extension_type::session_ticket, byte_vector{});      // no ticket to offer
    if (offer_cbc) {
        out.emplace_back(extension_type::encrypt_then_mac, byte_vector{});
    }
    return out;
}

/// Where a TLS 1.2 handshake stands (RFC 5246 §7.3, client side).
enum class tls12_state : std::uint8_t {
    wait_certificate,                 ///< after ServerHello
    wait_certificate_status,          ///< after Certificate, status_request acknowledged
    wait_server_key_exchange,         ///< ECDHE: after Certificate
    wait_certificate_request_or_done, ///< after ServerKeyExchange (RSA: after Certificate)
    wait_server_hello_done,           ///< after CertificateRequest
    wait_new_session_ticket,          ///< our flight sent; the server promised a ticket
    wait_change_cipher_spec,          ///< our flight sent
    wait_finished,                    ///< the server's ChangeCipherSpec received
    connected,                        ///< both Finished verified
};

/// Settings the TLS 1.2 handshake takes from the client's configuration.
struct tls12_settings {
    std::string server_name;
    /// The chain check (`certificate_verifier` of client.hpp), given the stapled OCSP response.
    std::function<status(std::span<const bytes_view> chain, std::string_view host,
                         std::optional<bytes_view> ocsp_staple)>
        verify_certificate;
    crypto::random_source* random = nullptr;
    std::size_t min_rsa_key_bits = crypto::rsa_min_bits;
    bool require_extended_master_secret = false;
    std::size_t max_fragment = max_plaintext_length;
};

/// One TLS 1.2 client handshake. `Records` is the engine's record layer: the handshake writes
/// its messages through it and installs the new protections in it.
class tls12_handshake {
  public:
    /// Start from the ServerHello that selected TLS 1.2. `offer` is what our ClientHello offered,
    /// `client_hello` that message exactly as sent; `server_hello_raw` the ServerHello message
    /// (header included).
    /// Errors are those of RFC 5246 §7.4.1.3 and of the extensions' RFCs; `why` receives the
    /// refusal of a failure.
    template <class Records>
    static result<tls12_handshake> start(tls12_settings settings, const client_hello& offer,
                                         bytes_view client_hello, const server_hello& sh,
                                         bytes_view server_hello_raw, Records& records,
                                         refusal& why) {
        // RFC 8446 §4.2.1: a ClientHello with supported_versions offers exactly those versions.
        if (!offer.supported_versions.empty() &&
            std::find(offer.supported_versions.begin(), offer.supported_versions.end(),
                      protocol_version::tls12) == offer.supported_versions.end()) {
            why = refusal::version_not_offered;
            return error_of(why);
        }
        tls12_handshake h(std::move(settings), offer);
        if (auto s = h.on_server_hello(sh, records); !s) {
            why = h.refusal_;
            return s.error();
        }
        h.transcript_.select(h.suite_.prf_hash);
        h.transcript_.update(client_hello);
        h.transcript_.update(server_hello_raw);
        return h;
    }

    /// A complete handshake message from the server.
    template <class Records>
    status on_message(const handshake_message& m, Records& records, byte_vector& out) {
        using t = handshake_type;
        // RFC 5246 §7.4.1.1: HelloRequest is ignored during a handshake and is not part of the
        // transcript; once connected it asks for a renegotiation, which we refuse.
        if (m.type == t::hello_request) {
            if (!m.body.empty()) {
                return refuse(refusal::malformed_hello_request);
            }
            return state_ == tls12_state::connected ? status{refuse(refusal::renegotiation_refused)}
                                                    : status{};
        }
        switch (state_) {
        case tls12_state::wait_certificate:
            if (m.type == t::certificate) {
                return on_certificate(m);
            }
            break;
        case tls12_state::wait_certificate_status:
            if (m.type == t::certificate_status) {
                return on_certificate_status(m);
            }
            // RFC 6066 §8: a server that acknowledged status_request MAY still send no
            // CertificateStatus: the chain is checked without a staple, then the message goes
            // where it belongs.
            HTTPS_TRY(check_certificate(std::nullopt));
            return on_message(m, records, out);
        case tls12_state::wait_server_key_exchange:
            if (m.type == t::server_key_exchange) {
                return on_server_key_exchange(m);
            }
            break;
        case tls12_state::wait_certificate_request_or_done:
            if (m.type == t::certificate_request) {
                return on_certificate_request(m);
            }
            if (m.type == t::server_hello_done) {
                return on_server_hello_done(m, records, out);
            }
            break;
        case tls12_state::wait_server_hello_done:
            if (m.type == t::server_hello_done) {
                return on_server_hello_done(m, records, out);
            }
            break;
        case tls12_state::wait_new_session_ticket:
            if (m.type == t::new_session_ticket) {
                return on_new_session_ticket(m);
            }
            break;
        case tls12_state::wait_finished:
            if (m.type == t::finished) {
                return on_finished(m);
            }
            break;
        default:
            break;
        }
        if (m.type == t::certificate_status && !status_acknowledged_) {
            return refuse(refusal::certificate_status_not_acknowledged); // RFC 6066 §8
        }
        return refuse(refusal::unexpected_handshake_message);
    }

    /// The server's ChangeCipherSpec: from here on its records are protected (RFC 5246 §7.1).
    /// Only in wait_change_cipher_spec, with the single byte 1; anything else is
    /// unexpected_message (or decode_error for a malformed body).
    template <class Records> status on_change_cipher_spec(bytes_view payload, Records& records) {
        if (state_ != tls12_state::wait_change_cipher_spec) {
            return refuse(refusal::unexpected_change_cipher_spec);
        }
        if (payload.size() != 1 || payload[0] != 1) {
            return refuse(refusal::malformed_change_cipher_spec);
        }
        assert(pending_read_.has_value());
        install(records, std::move(*pending_read_), false);
        pending_read_.reset();
        state_ = tls12_state::wait_finished;
        return {};
    }

    [[nodiscard]] tls12_state state() const noexcept { return state_; }
    [[nodiscard]] bool connected() const noexcept { return state_ == tls12_state::connected; }
    [[nodiscard]] const tls12_suite_info& suite() const noexcept { return suite_; }
    [[nodiscard]] std::optional<named_group> group() const noexcept { return group_; }
    /// The scheme of the ServerKeyExchange signature (none for the RSA key exchange).
    [[nodiscard]] std::optional<signature_scheme> server_signature_scheme() const noexcept {
        return server_scheme_;
    }
    [[nodiscard]] const std::string& alpn() const noexcept { return alpn_; }
    [[nodiscard]] const std::vector<byte_vector>& peer_chain() const noexcept { return chain_; }
    /// The OCSP response of the server's CertificateStatus (DER), empty if none came.
    [[nodiscard]] const byte_vector& ocsp_staple() const noexcept { return staple_; }
    [[nodiscard]] bool extended_master_secret() const noexcept { return ems_; }
    [[nodiscard]] bool encrypt_then_mac() const noexcept { return etm_; }
    [[nodiscard]] bool secure_renegotiation() const noexcept { return secure_renegotiation_; }
    [[nodiscard]] bool session_ticket_received() const noexcept { return ticket_received_; }
    /// The rule the server broke, once a call failed because of it.
    [[nodiscard]] refusal refusal_cause() const noexcept { return refusal_; }
    /// The Finished verify_data we sent and the one the server sent.
    [[nodiscard]] const std::array<std::uint8_t, 12>& client_verify_data() const noexcept {
        return client_verify_;
    }
    [[nodiscard]] const std::array<std::uint8_t, 12>& server_verify_data() const noexcept {
        return server_verify_;
    }

  private:
    friend class test_hooks;

    tls12_handshake(tls12_settings s, client_hello o)
        : settings_(std::move(s)), offer_(std::move(o)) {}

    crypto::random_source& rng() const {
        return settings_.random != nullptr ? *settings_.random : crypto::default_random();
    }

    errc refuse(refusal r) noexcept {
        refusal_ = r;
        return error_of(r);
    }

    template <class Records> static void install(Records& records, tls12_protection p, bool write) {
        std::visit(
            [&](auto& prot) {
                typename Records::protection rp(std::move(prot));
                if (write) {
                    records.set_write_protection(std::move(rp));
                } else {
                    records.set_read_protection(std::move(rp));
                }
            },
            p);
    }

    /// ServerHello (RFC 5246 §7.4.1.3): a suite and compression we offered, no resumption we did
    /// not ask for, and only extensions we offered, each well-formed.
    template <class Records> status on_server_hello(const server_hello& sh, Records& records) {
        const auto info = tls12_suite_info_of(sh.cipher_suite);
        if (!info || std::find(offer_.cipher_suites.begin(), offer_.cipher_suites.end(),
                               sh.cipher_suite) == offer_.cipher_suites.end()) {
            return refuse(refusal::cipher_suite_not_offered); // not offered for TLS 1.2
        }
        suite_ = *info;
        if (sh.legacy_compression_method != 0) {
            return refuse(refusal::compression_not_null);
        }
        std::copy(sh.random.begin(), sh.random.end(), server_random_.begin());
        // Echoing our (random, never issued) session id would mean resuming a session we never
        // had: refuse rather than run an abbreviated handshake we cannot check.
        if (!offer_.legacy_session_id.empty() &&
            std::equal(sh.legacy_session_id_echo.begin(), sh.legacy_session_id_echo.end(),
                       offer_.legacy_session_id.begin(), offer_.legacy_session_id.end())) {
            return refuse(refusal::session_id_echoed);
        }
        bool renegotiation_info_seen = false;
        for (const auto& e : sh.extensions.items()) {
            const auto type = static_cast<extension_type>(e.type);
            // RFC 5246 §7.4.1.4: only extensions the client offered may appear.
            if (!offers_extension(offer_, type)) {
                return refuse(refusal::extension_not_offered);
            }
            switch (type) {
            case extension_type::renegotiation_info:
                // RFC 5746 §3.4: on an initial handshake renegotiated_connection is empty.
                if (e.data.size() != 1 || e.data[0] != 0) {
                    return refuse(refusal::renegotiation_info_not_empty);
                }
                renegotiation_info_seen = true;
                break;
            case extension_type::extended_master_secret:
                if (!e.data.empty()) {
                    return refuse(refusal::malformed_extension);
                }
                ems_ = true;
                break;
            case extension_type::ec_point_formats: {
                // RFC 8422 §5.2: the list must contain uncompressed (0).
                auto formats = parse_u8_list(e.data);
                if (!formats) {
                    return refuse(refusal::malformed_extension);
                }
                if (std::find(formats->begin(), formats->end(), 0) == formats->end()) {
                    return refuse(refusal::ec_point_formats_without_uncompressed);
                }
                break;
            }
            case extension_type::session_ticket:
                if (!e.data.empty()) {
                    return refuse(refusal::malformed_extension);
                }
                ticket_expected_ = true; // RFC 5077 §3.2
                break;
            case extension_type::encrypt_then_mac:
                // RFC 7366 §3: never with an AEAD suite.
                if (!e.data.empty()) {
                    return refuse(refusal::malformed_extension);
                }
                if (!suite_.is_cbc()) {
                    return refuse(refusal::encrypt_then_mac_with_aead);
                }
                etm_ = true;
                break;
            case extension_type::server_name:
                if (auto r = detail::check_server_name_ack(e.data); r != refusal::none) {
                    return refuse(r);
                }
                break;
            case extension_type::status_request:
                // RFC 6066 §8: an empty extension_data says a CertificateStatus may follow.
                if (!e.data.empty()) {
                    return refuse(refusal::status_request_acknowledgement_not_empty);
                }
                status_acknowledged_ = true;
                break;
            case extension_type::application_layer_protocol_negotiation: {
                if (auto r = detail::check_alpn_selection(e.data, offer_.alpn, alpn_);
                    r != refusal::none) {
                    return refuse(r);
                }
                break;
            }
            case extension_type::record_size_limit: {
                // RFC 8449 §4: in TLS 1.2 the limit counts the plaintext fragment only.
                std::uint16_t limit = 0;
                if (auto r = detail::check_record_size_limit(e.data, limit); r != refusal::none) {
                    return refuse(r);
                }
                records.set_max_fragment(std::min<std::size_t>(
                    {settings_.max_fragment, std::size_t{limit}, max_plaintext_length}));
                break;
            }
            default:
                // Offered but not a TLS 1.2 ServerHello extension (key_share, supported_groups,
                // signature_algorithms, ...).
                return refuse(refusal::extension_not_allowed_here);
            }
        }
        secure_renegotiation_ = renegotiation_info_seen;
        if (settings_.require_extended_master_secret && !ems_) {
            return refuse(refusal::extended_master_secret_missing); // RFC 7627 §5.4
        }
        state_ = tls12_state::wait_certificate;
        return {};
    }

    /// Certificate (RFC 5246 §7.4.2): a non-empty chain, checked by the configured verifier, whose
    /// leaf key fits the suite. After a status_request acknowledgement the check waits for the
    /// CertificateStatus that may follow (RFC 6066 §8), so that the verifier gets the staple.
    status on_certificate(const handshake_message& m) {
        HTTPS_TLS_ASSIGN(std::vector<bytes_view> chain, parse_tls12_certificate_list(m.body));
        if (chain.empty()) {
            return refuse(refusal::empty_certificate_chain);
        }
        chain_.clear();
        for (auto c : chain) {
            chain_.emplace_back(c.begin(), c.end());
        }
        transcript_.update(m.raw);
        if (status_acknowledged_) {
            state_ = tls12_state::wait_certificate_status;
            return {};
        }
        return check_certificate(std::nullopt);
    }

    /// CertificateStatus (RFC 6066 §8): one OCSP response for the leaf, then the chain check.
    status on_certificate_status(const handshake_message& m) {
        auto response = parse_certificate_status(m.body);
        if (!response) {
            return refuse(refusal::malformed_certificate_status);
        }
        staple_.assign(response->begin(), response->end());
        transcript_.update(m.raw);
        return check_certificate(bytes_view(staple_));
    }

    /// The chain kept from Certificate, checked by the verifier with `staple`; the leaf key must
    /// fit the suite. Moves on to ServerKeyExchange (ECDHE) or ServerHelloDone (RSA).
    status check_certificate(std::optional<bytes_view> staple) {
        if (!settings_.verify_certificate) {
            return errc::trust_store_unavailable; // fail closed without a verifier
        }
        const std::vector<bytes_view> chain(chain_.begin(), chain_.end());
        HTTPS_TRY(settings_.verify_certificate(chain, settings_.server_name, staple));
        auto key = leaf_key(chain.front(), suite_.key_exchange);
        if (!key) {
            return key.error() == errc::tls_illegal_parameter
                       ? refuse(refusal::certificate_key_wrong_for_suite)
                       : key.error();
        }
        server_key_ = std::move(*key);
        state_ = suite_.is_ecdhe() ? tls12_state::wait_server_key_exchange
                                   : tls12_state::wait_certificate_request_or_done;
        return {};
    }

    /// ServerKeyExchange for ECDHE (RFC 8422 §5.4): a group and a signature scheme we offered,
    /// the signature over both randoms and the parameters made with the certificate key; then
    /// our key share and the premaster secret.
    status on_server_key_exchange(const handshake_message& m) {
        HTTPS_TLS_ASSIGN(tls12_server_ecdh_params p, parse_tls12_server_key_exchange(m.body));
        const auto& groups = offer_.supported_groups;
        if (std::find(groups.begin(), groups.end(), p.group) == groups.end()) {
            return refuse(refusal::server_key_exchange_group_not_offered); // RFC 8422 §5.4
        }
        const auto& schemes = offer_.signature_algorithms;
        if (std::find(schemes.begin(), schemes.end(), static_cast<signature_scheme>(p.scheme)) ==
            schemes.end()) {
            return refuse(refusal::signature_scheme_not_offered); // RFC 5246 §7.4.1.4.1
        }
        const byte_vector signed_content =
            tls12_signed_params(offer_.random, server_random_, p.params);
        if (auto s =
                verify_signature(static_cast<signature_scheme>(p.scheme), server_key_, signed_content,
                                 p.signature, settings_.min_rsa_key_bits, protocol_version::tls12);
            !s) {
            return s.error() == errc::bad_signature
                       ? refuse(refusal::server_key_exchange_signature_invalid)
                   : s.error() == errc::tls_illegal_parameter
                       ? refuse(refusal::signature_key_mismatch)
                       : s.error();
        }
        HTTPS_TLS_ASSIGN(key_exchange mine, key_exchange::generate(p.group, rng()));
        auto shared = mine.shared_secret(p.public_key);
        if (!shared) {
            return refuse(refusal::invalid_key_share);
        }
        HTTPS_TLS_ASSIGN(client_key_exchange_,
                         encode_tls12_client_key_exchange_ecdhe(mine.public_key()));
        premaster_ = byte_vector(shared->bytes().begin(), shared->bytes().end());
        group_ = p.group;
        server_scheme_ = static_cast<signature_scheme>(p.scheme);
        transcript_.update(m.raw);
        state_ = tls12_state::wait_certificate_request_or_done;
        return {};
    }

    /// CertificateRequest (RFC 5246 §7.4.4): we have no certificate and will send an empty one.
    status on_certificate_request(const handshake_message& m) {
        HTTPS_TRY(parse_tls12_certificate_request(m.body));
        certificate_requested_ = true;
        transcript_.update(m.raw);
        state_ = tls12_state::wait_server_hello_done;
        return {};
    }

    /// ServerHelloDone (RFC 5246 §7.4.5), then our flight: [empty Certificate],
    /// ClientKeyExchange, ChangeCipherSpec, Finished (§7.3).
    template <class Records>
    status on_server_hello_done(const handshake_message& m, Records& records, byte_vector& out) {
        if (!m.body.empty()) {
            return refuse(refusal::malformed_server_hello_done);
        }
        transcript_.update(m.raw);
        if (certificate_requested_) {
            // §7.4.6: an empty certificate_list when we have no suitable certificate.
            const std::uint8_t empty[3] = {0, 0, 0};
            HTTPS_TLS_ASSIGN(const byte_vector no_certificate,
                             detail::handshake_with_body(handshake_type::certificate, empty));
            send(no_certificate, records, out);
        }
        if (suite_.key_exchange == key_exchange_kind::rsa) {
            HTTPS_TLS_ASSIGN(
                tls12_rsa_premaster pm,
                tls12_make_rsa_premaster(server_key_, rng(), settings_.min_rsa_key_bits));
            HTTPS_TLS_ASSIGN(client_key_exchange_,
                             encode_tls12_client_key_exchange_rsa(pm.encrypted));
            premaster_.assign(pm.premaster.bytes.begin(), pm.premaster.bytes.end());
        }
        send(client_key_exchange_, records, out);

        // RFC 7627 §4: the session hash covers ClientHello up to and including
        // ClientKeyExchange; RFC 5246 §8.1 otherwise.
        const hash_algorithm h = suite_.prf_hash;
        master_ = ems_ ? derive_extended_master_secret(h, premaster_, transcript_.current())
                       : derive_master_secret(h, premaster_, offer_.random, server_random_);
        ct::wipe(premaster_.data(), premaster_.size());
        premaster_.clear();
        const tls12_key_block kb = derive_key_block(suite_, master_, offer_.random, server_random_);
        ct::secret_array<32> iv_key; // keys our CBC record IVs (unused by AEAD suites)
        if (suite_.is_cbc()) {
            HTTPS_TRY(rng().fill(iv_key.span()));
        }
        const ct::secret_array<32> unused;
        HTTPS_TLS_ASSIGN(tls12_protection write,
                         make_tls12_protection(suite_, kb, true, etm_, iv_key.span()));
        HTTPS_TLS_ASSIGN(pending_read_,
                         make_tls12_protection(suite_, kb, false, etm_, unused.span()));

        // §7.1: ChangeCipherSpec, then the Finished under the new keys.
        detail::append_change_cipher_spec(out);
        install(records, std::move(write), true);
        client_verify_ = tls12_finished_verify_data(h, master_, true, transcript_.current());
        HTTPS_TLS_ASSIGN(const byte_vector finished, encode_finished(client_verify_));
        send(finished, records, out);
        state_ = ticket_expected_ ? tls12_state::wait_new_session_ticket
                                  : tls12_state::wait_change_cipher_spec;
        return {};
    }

    /// NewSessionTicket (RFC 5077 §3.3): accepted and ignored (we do not resume TLS 1.2
    /// sessions); it is part of the transcript the server's Finished covers.
    status on_new_session_ticket(const handshake_message& m) {
        HTTPS_TRY(detail::as_decode_error([&]() -> status {
            reader r(m.body);
            HTTPS_TRY(r.read_u32()); // ticket_lifetime_hint
            HTTPS_TRY(r.read_prefixed<2>());
            return r.expect_empty();
        }()));
        ticket_received_ = true;
        transcript_.update(m.raw);
        state_ = tls12_state::wait_change_cipher_spec;
        return {};
    }

    /// The server's Finished (RFC 5246 §7.4.9), over every message up to our Finished and the
    /// ticket: a mismatch is decrypt_error.
    status on_finished(const handshake_message& m) {
        if (m.body.size() != tls12_verify_data_length) {
            return refuse(refusal::finished_length_wrong);
        }
        server_verify_ =
            tls12_finished_verify_data(suite_.prf_hash, master_, false, transcript_.current());
        if (!ct::equal(m.body, server_verify_)) {
            return refuse(refusal::finished_mismatch);
        }
        transcript_.update(m.raw);
        state_ = tls12_state::connected;
        return {};
    }

    template <class Records> void send(bytes_view message, Records& records, byte_vector& out) {
        transcript_.update(message);
        records.write(content_type::handshake, message, out);
    }

    tls12_settings settings_;
    client_hello offer_; ///< what our ClientHello offered, which the server is held to
    refusal refusal_ = refusal::none;
    tls12_state state_ = tls12_state::wait_certificate;
    tls12_suite_info suite_{};
    std::array<std::uint8_t, 32> server_random_{};
    transcript_hash transcript_;
    bool ems_ = false;
    bool etm_ = false;
    bool secure_renegotiation_ = false;
    bool ticket_expected_ = false;
    bool ticket_received_ = false;
    bool certificate_requested_ = false;
    bool status_acknowledged_ = false; ///< the ServerHello answered our status_request
    std::string alpn_;
    std::vector<byte_vector> chain_;
    byte_vector staple_;
    peer_key server_key_;
    std::optional<named_group> group_;
    std::optional<signature_scheme> server_scheme_;
    byte_vector premaster_; // wiped as soon as the master secret exists
    byte_vector client_key_exchange_;
    tls12_master_secret master_;
    std::optional<tls12_protection> pending_read_;
    std::array<std::uint8_t, 12> client_verify_{};
    std::array<std::uint8_t, 12> server_verify_{};
};

} // namespace https::tls

#include "detail/macro_unscope.hpp"
