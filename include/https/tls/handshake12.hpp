// The TLS 1.2 client handshake (RFC 5246 §7.3-7.4) as an explicit state machine, entered after a
// ServerHello that selects TLS 1.2: Certificate, ServerKeyExchange (ECDHE), CertificateRequest,
// ServerHelloDone; our ClientKeyExchange, ChangeCipherSpec and Finished; the server's
// NewSessionTicket, ChangeCipherSpec and Finished. Extended master secret (RFC 7627), secure
// renegotiation indication (RFC 5746) and encrypt-then-MAC (RFC 7366) are negotiated here.
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../core/result.hpp"
#include "handshake_common.hpp"
#include "messages.hpp"
#include "tls12_key_exchange.hpp"
#include "tls12_key_schedule.hpp"

#include <array>
#include <cassert>
#include <optional>
#include <utility>
#include <vector>

#include "detail/macro_scope.hpp"

namespace https::tls {

class test_hooks; // test builds only (HTTPS_TESTING), at the end of client.hpp

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

/// One TLS 1.2 client handshake, started by the ServerHello that selected TLS 1.2.
class handshake12 : public handshake_base {
  public:
    /// The ServerHello (RFC 5246 §7.4.1.3): a suite and compression we offered, no resumption we
    /// did not ask for, and only extensions we offered, each well-formed. `m` is its message.
    status on_server_hello(const server_hello& sh, const handshake_message& m,
                           handshake_context& ctx) {
        const client_hello& offer = ctx.offer.hello();
        suite_ = find_cipher_suite(sh.cipher_suite, protocol_version::tls12);
        if (suite_ == nullptr || std::find(offer.cipher_suites.begin(), offer.cipher_suites.end(),
                                           sh.cipher_suite) == offer.cipher_suites.end()) {
            return ctx.refuse(refusal::cipher_suite_not_offered); // not offered for TLS 1.2
        }
        if (sh.legacy_compression_method != 0) {
            return ctx.refuse(refusal::compression_not_null);
        }
        client_random_ = offer.random;
        std::copy(sh.random.begin(), sh.random.end(), server_random_.begin());
        // Echoing our (random, never issued) session id would mean resuming a session we never
        // had: refuse rather than run an abbreviated handshake we cannot check.
        if (!offer.legacy_session_id.empty() &&
            std::equal(sh.legacy_session_id_echo.begin(), sh.legacy_session_id_echo.end(),
                       offer.legacy_session_id.begin(), offer.legacy_session_id.end())) {
            return ctx.refuse(refusal::session_id_echoed);
        }
        for (const auto& e : sh.extensions.items()) {
            HTTPS_TRY(on_server_hello_extension(e, offer, ctx));
        }
        if (ctx.config.require_extended_master_secret && !ems_) {
            return ctx.refuse(refusal::extended_master_secret_missing); // RFC 7627 §5.4
        }
        transcript_.select(suite_->prf_hash);
        transcript_.update(ctx.offer.message());
        transcript_.update(m.raw);
        return {};
    }

    /// A later handshake message from the server.
    status on_message(const handshake_message& m, handshake_context& ctx) {
        using t = handshake_type;
        // RFC 5246 §7.4.1.1: HelloRequest is ignored during a handshake and is not part of the
        // transcript; once connected it asks for a renegotiation, which we refuse.
        if (m.type == t::hello_request) {
            if (!m.body.empty()) {
                return ctx.refuse(refusal::malformed_hello_request);
            }
            return connected() ? status{ctx.refuse(refusal::renegotiation_refused)} : status{};
        }
        switch (state_) {
        case tls12_state::wait_certificate:
            if (m.type == t::certificate) {
                return on_certificate(m, ctx);
            }
            break;
        case tls12_state::wait_certificate_status:
            if (m.type == t::certificate_status) {
                return on_certificate_status(m, ctx);
            }
            // RFC 6066 §8: a server that acknowledged status_request MAY still send no
            // CertificateStatus: the chain is checked without a staple, then the message goes
            // where it belongs.
            HTTPS_TRY(check_chain(ctx, std::nullopt));
            return on_message(m, ctx);
        case tls12_state::wait_server_key_exchange:
            if (m.type == t::server_key_exchange) {
                return on_server_key_exchange(m, ctx);
            }
            break;
        case tls12_state::wait_certificate_request_or_done:
            if (m.type == t::certificate_request) {
                return on_certificate_request(m);
            }
            if (m.type == t::server_hello_done) {
                return on_server_hello_done(m, ctx);
            }
            break;
        case tls12_state::wait_server_hello_done:
            if (m.type == t::server_hello_done) {
                return on_server_hello_done(m, ctx);
            }
            break;
        case tls12_state::wait_new_session_ticket:
            if (m.type == t::new_session_ticket) {
                return on_new_session_ticket(m);
            }
            break;
        case tls12_state::wait_finished:
            if (m.type == t::finished) {
                return on_finished(m, ctx);
            }
            break;
        default:
            break;
        }
        if (m.type == t::certificate_status && !status_acknowledged_) {
            return ctx.refuse(refusal::certificate_status_not_acknowledged); // RFC 6066 §8
        }
        return ctx.refuse(refusal::unexpected_handshake_message);
    }

    /// The server's ChangeCipherSpec: from here on its records are protected (RFC 5246 §7.1).
    /// Only in wait_change_cipher_spec, with the single byte 1; anything else is
    /// unexpected_message (or decode_error for a malformed body).
    status on_change_cipher_spec(bytes_view payload, handshake_context& ctx) {
        if (state_ != tls12_state::wait_change_cipher_spec) {
            return ctx.refuse(refusal::unexpected_change_cipher_spec);
        }
        if (payload.size() != 1 || payload[0] != 1) {
            return ctx.refuse(refusal::malformed_change_cipher_spec);
        }
        assert(pending_read_.has_value());
        ctx.records.set_read_protection(std::move(*pending_read_));
        pending_read_.reset();
        state_ = tls12_state::wait_finished;
        return {};
    }

    [[nodiscard]] tls12_state state() const noexcept { return state_; }
    [[nodiscard]] bool connected() const noexcept { return state_ == tls12_state::connected; }
    [[nodiscard]] bool extended_master_secret() const noexcept { return ems_; }
    [[nodiscard]] bool encrypt_then_mac() const noexcept { return etm_; }
    [[nodiscard]] bool secure_renegotiation() const noexcept { return secure_renegotiation_; }
    [[nodiscard]] bool session_ticket_received() const noexcept { return ticket_received_; }
    /// The Finished verify_data we sent and the one the server sent.
    [[nodiscard]] const std::array<std::uint8_t, 12>& client_verify_data() const noexcept {
        return client_verify_;
    }
    [[nodiscard]] const std::array<std::uint8_t, 12>& server_verify_data() const noexcept {
        return server_verify_;
    }

  private:
    friend class test_hooks;

    /// One ServerHello extension (RFC 5246 §7.4.1.4: only those the client offered).
    status on_server_hello_extension(const extension& e, const client_hello& offer,
                                     handshake_context& ctx) {
        const auto type = static_cast<extension_type>(e.type);
        if (!offers_extension(offer, type)) {
            return ctx.refuse(refusal::extension_not_offered);
        }
        if (auto s = acknowledge(ctx, e, protocol_version::tls12)) {
            return *s;
        }
        const bool empty = e.data.empty();
        switch (type) {
        case extension_type::renegotiation_info:
            // RFC 5746 §3.4: on an initial handshake renegotiated_connection is empty.
            if (e.data.size() != 1 || e.data[0] != 0) {
                return ctx.refuse(refusal::renegotiation_info_not_empty);
            }
            secure_renegotiation_ = true;
            return {};
        case extension_type::extended_master_secret:
            ems_ = true;
            return empty ? status{} : status{ctx.refuse(refusal::malformed_extension)};
        case extension_type::ec_point_formats: {
            // RFC 8422 §5.2: the list must contain uncompressed (0).
            auto formats = parse_u8_list(e.data);
            if (!formats) {
                return ctx.refuse(refusal::malformed_extension);
            }
            if (std::find(formats->begin(), formats->end(), 0) == formats->end()) {
                return ctx.refuse(refusal::ec_point_formats_without_uncompressed);
            }
            return {};
        }
        case extension_type::session_ticket:
            ticket_expected_ = true; // RFC 5077 §3.2
            return empty ? status{} : status{ctx.refuse(refusal::malformed_extension)};
        case extension_type::encrypt_then_mac:
            // RFC 7366 §3: never with an AEAD suite.
            if (!empty) {
                return ctx.refuse(refusal::malformed_extension);
            }
            if (!suite_->is_cbc()) {
                return ctx.refuse(refusal::encrypt_then_mac_with_aead);
            }
            etm_ = true;
            return {};
        case extension_type::status_request:
            // RFC 6066 §8: an empty extension_data says a CertificateStatus may follow.
            if (!empty) {
                return ctx.refuse(refusal::status_request_acknowledgement_not_empty);
            }
            status_acknowledged_ = true;
            return {};
        default:
            // Offered but not a TLS 1.2 ServerHello extension (key_share, supported_groups,
            // signature_algorithms, ...).
            return ctx.refuse(refusal::extension_not_allowed_here);
        }
    }

    /// Certificate (RFC 5246 §7.4.2): a non-empty chain, checked by the configured verifier, whose
    /// leaf key fits the suite. After a status_request acknowledgement the check waits for the
    /// CertificateStatus that may follow (RFC 6066 §8), so that the verifier gets the staple.
    status on_certificate(const handshake_message& m, handshake_context& ctx) {
        HTTPS_TLS_ASSIGN(std::vector<bytes_view> chain, parse_tls12_certificate_list(m.body));
        if (chain.empty()) {
            return ctx.refuse(refusal::empty_certificate_chain);
        }
        received_chain_.clear();
        for (auto c : chain) {
            received_chain_.emplace_back(c.begin(), c.end());
        }
        transcript_.update(m.raw);
        if (status_acknowledged_) {
            state_ = tls12_state::wait_certificate_status;
            return {};
        }
        return check_chain(ctx, std::nullopt);
    }

    /// CertificateStatus (RFC 6066 §8): one OCSP response for the leaf, then the chain check.
    status on_certificate_status(const handshake_message& m, handshake_context& ctx) {
        auto response = parse_certificate_status(m.body);
        if (!response) {
            return ctx.refuse(refusal::malformed_certificate_status);
        }
        transcript_.update(m.raw);
        return check_chain(ctx, *response);
    }

    /// The chain received, checked with `staple`; moves on to ServerKeyExchange (ECDHE) or
    /// ServerHelloDone (RSA).
    status check_chain(handshake_context& ctx, std::optional<bytes_view> staple) {
        HTTPS_TRY(check_certificate(ctx, std::move(received_chain_), staple, suite_->key_exchange));
        state_ = suite_->is_ecdhe() ? tls12_state::wait_server_key_exchange
                                    : tls12_state::wait_certificate_request_or_done;
        return {};
    }

    /// ServerKeyExchange for ECDHE (RFC 8422 §5.4): a group and a signature scheme we offered,
    /// the signature over both randoms and the parameters made with the certificate key; then
    /// our key share and the premaster secret.
    status on_server_key_exchange(const handshake_message& m, handshake_context& ctx) {
        HTTPS_TLS_ASSIGN(tls12_server_ecdh_params p, parse_tls12_server_key_exchange(m.body));
        // The hybrid group is TLS 1.3 only (draft-ietf-tls-ecdhe-mlkem §3): not an ECDHE curve.
        const auto& groups = ctx.offer.hello().supported_groups;
        if (p.group == named_group::x25519_mlkem768 ||
            std::find(groups.begin(), groups.end(), p.group) == groups.end()) {
            return ctx.refuse(refusal::server_key_exchange_group_not_offered); // RFC 8422 §5.4
        }
        const auto scheme = static_cast<signature_scheme>(p.scheme);
        const auto& schemes = ctx.offer.hello().signature_algorithms;
        if (std::find(schemes.begin(), schemes.end(), scheme) == schemes.end()) {
            return ctx.refuse(refusal::signature_scheme_not_offered); // RFC 5246 §7.4.1.4.1
        }
        const byte_vector signed_content =
            tls12_signed_params(client_random_, server_random_, p.params);
        if (auto s = verify_signature(scheme, peer_key_, signed_content, p.signature,
                                      ctx.config.min_rsa_key_bits, protocol_version::tls12);
            !s) {
            return signature_refusal(ctx, s.error(), refusal::server_key_exchange_signature_invalid);
        }
        HTTPS_TLS_ASSIGN(key_exchange mine, key_exchange::generate(p.group, ctx.config.rng()));
        auto shared = mine.shared_secret(p.public_key);
        if (!shared) {
            return ctx.refuse(refusal::invalid_key_share);
        }
        HTTPS_TLS_ASSIGN(client_key_exchange_,
                         encode_tls12_client_key_exchange_ecdhe(mine.public_key()));
        premaster_ = byte_vector(shared->bytes().begin(), shared->bytes().end());
        group_ = p.group;
        peer_scheme_ = scheme;
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
    status on_server_hello_done(const handshake_message& m, handshake_context& ctx) {
        if (!m.body.empty()) {
            return ctx.refuse(refusal::malformed_server_hello_done);
        }
        transcript_.update(m.raw);
        if (certificate_requested_) {
            // §7.4.6: an empty certificate_list when we have no suitable certificate.
            const std::uint8_t empty[3] = {0, 0, 0};
            HTTPS_TLS_ASSIGN(const byte_vector no_certificate,
                             detail::handshake_with_body(handshake_type::certificate, empty));
            send(ctx, no_certificate);
        }
        if (suite_->key_exchange == key_exchange_kind::rsa) {
            HTTPS_TLS_ASSIGN(
                tls12_rsa_premaster pm,
                tls12_make_rsa_premaster(peer_key_, ctx.config.rng(), ctx.config.min_rsa_key_bits));
            HTTPS_TLS_ASSIGN(client_key_exchange_,
                             encode_tls12_client_key_exchange_rsa(pm.encrypted));
            premaster_.assign(pm.premaster.bytes.begin(), pm.premaster.bytes.end());
        }
        send(ctx, client_key_exchange_);

        // RFC 7627 §4: the session hash covers ClientHello up to and including
        // ClientKeyExchange; RFC 5246 §8.1 otherwise.
        const hash_algorithm h = suite_->prf_hash;
        master_ = ems_ ? derive_extended_master_secret(h, premaster_, transcript_.current())
                       : derive_master_secret(h, premaster_, client_random_, server_random_);
        ct::wipe(premaster_.data(), premaster_.size());
        premaster_.clear();
        const tls12_key_block kb =
            derive_key_block(*suite_, master_, client_random_, server_random_);
        ct::secret_array<32> iv_key; // keys our CBC record IVs (unused by AEAD suites)
        if (suite_->is_cbc()) {
            HTTPS_TRY(ctx.config.rng().fill(iv_key.span()));
        }
        const ct::secret_array<32> unused;
        HTTPS_TLS_ASSIGN(auto write, make_tls12_protection(*suite_, kb, true, etm_, iv_key.span()));
        HTTPS_TLS_ASSIGN(pending_read_,
                         make_tls12_protection(*suite_, kb, false, etm_, unused.span()));

        // §7.1: ChangeCipherSpec, then the Finished under the new keys.
        detail::append_change_cipher_spec(ctx.output);
        ctx.records.set_write_protection(std::move(write));
        client_verify_ = tls12_finished_verify_data(h, master_, true, transcript_.current());
        HTTPS_TLS_ASSIGN(const byte_vector finished, encode_finished(client_verify_));
        send(ctx, finished);
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
    status on_finished(const handshake_message& m, handshake_context& ctx) {
        if (m.body.size() != tls12_verify_data_length) {
            return ctx.refuse(refusal::finished_length_wrong);
        }
        server_verify_ =
            tls12_finished_verify_data(suite_->prf_hash, master_, false, transcript_.current());
        if (!ct::equal(m.body, server_verify_)) {
            return ctx.refuse(refusal::finished_mismatch);
        }
        transcript_.update(m.raw);
        state_ = tls12_state::connected;
        return {};
    }

    tls12_state state_ = tls12_state::wait_certificate;
    std::array<std::uint8_t, 32> client_random_{};
    std::array<std::uint8_t, 32> server_random_{};
    bool ems_ = false;
    bool etm_ = false;
    bool secure_renegotiation_ = false;
    bool ticket_expected_ = false;
    bool ticket_received_ = false;
    bool certificate_requested_ = false;
    bool status_acknowledged_ = false; ///< the ServerHello answered our status_request
    std::vector<byte_vector> received_chain_; ///< until the CertificateStatus that may follow
    byte_vector premaster_; // wiped as soon as the master secret exists
    byte_vector client_key_exchange_;
    tls12_master_secret master_;
    std::optional<record_layer::protection> pending_read_;
    std::array<std::uint8_t, 12> client_verify_{};
    std::array<std::uint8_t, 12> server_verify_{};
};

} // namespace https::tls

#include "detail/macro_unscope.hpp"
