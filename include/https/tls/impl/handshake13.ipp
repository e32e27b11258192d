// The TLS 1.3 handshake's member functions (tls/handshake13.hpp), out of line for separate
// compilation.
#pragma once

#include "../handshake13.hpp"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "../detail/macro_scope.hpp"

namespace https::tls {

HTTPS_DECL status handshake13::on_message(const handshake_message& m, handshake_context& ctx) {
    using t = handshake_type;
    switch (state_) {
    case tls13_state::wait_server_hello:
        if (m.type == t::server_hello) {
            return on_server_hello_message(m, ctx);
        }
        break;
    case tls13_state::wait_encrypted_extensions:
        if (m.type == t::encrypted_extensions) {
            return on_encrypted_extensions(m, ctx);
        }
        break;
    case tls13_state::wait_certificate_or_request:
        if (m.type == t::certificate_request) {
            return on_certificate_request(m);
        }
        [[fallthrough]];
    case tls13_state::wait_certificate:
        if (m.type == t::certificate) {
            return on_certificate(m, ctx);
        }
        break;
    case tls13_state::wait_certificate_verify:
        if (m.type == t::certificate_verify) {
            return on_certificate_verify(m, ctx);
        }
        break;
    case tls13_state::wait_finished:
        if (m.type == t::finished) {
            return on_finished(m, ctx);
        }
        break;
    case tls13_state::connected:
        if (m.type == t::new_session_ticket) {
            return on_new_session_ticket(m, ctx);
        }
        if (m.type == t::key_update) {
            return on_key_update(m, ctx);
        }
        break; // post-handshake CertificateRequest: we never offered post_handshake_auth
    }
    return ctx.refuse(refusal::unexpected_handshake_message);
}

HTTPS_DECL status handshake13::on_server_hello_message(const handshake_message& m,
                                                       handshake_context& ctx) {
    HTTPS_TLS_ASSIGN(server_hello sh, parse_server_hello(m.body));
    const auto v = ctx.offer.select_version(sh, ctx.why);
    // §4.1.4: after a HelloRetryRequest the server has chosen TLS 1.3.
    if ((v && *v != protocol_version::tls13) ||
        (!v && ctx.why == refusal::version_not_offered)) {
        return ctx.refuse(refusal::tls12_after_hello_retry_request);
    }
    if (!v) {
        return v.error();
    }
    return on_server_hello(sh, m, ctx);
}

HTTPS_DECL status handshake13::on_server_hello(const server_hello& sh, const handshake_message& m,
                                               handshake_context& ctx) {
    const client_hello& offer = ctx.offer.hello();
    // §4.1.3: session id echo, compression and suite must match what we sent.
    if (!std::equal(sh.legacy_session_id_echo.begin(), sh.legacy_session_id_echo.end(),
                    offer.legacy_session_id.begin(), offer.legacy_session_id.end())) {
        return ctx.refuse(refusal::session_id_echo_mismatch);
    }
    if (sh.legacy_compression_method != 0) {
        return ctx.refuse(refusal::compression_not_null);
    }
    const cipher_suite_info* info = find_cipher_suite(sh.cipher_suite, protocol_version::tls13);
    if (info == nullptr ||
        std::find(offer.cipher_suites.begin(), offer.cipher_suites.end(), sh.cipher_suite) ==
            offer.cipher_suites.end()) {
        return ctx.refuse(refusal::cipher_suite_not_offered);
    }
    // §4.1.4: the ServerHello after a HelloRetryRequest keeps its suite.
    if (suite_ != nullptr && suite_ != info) {
        return ctx.refuse(refusal::cipher_suite_changed_after_hello_retry);
    }
    if (suite_ == nullptr) {
        suite_ = info;
        transcript_.select(suite_->prf_hash);
        transcript_.update(ctx.offer.message());
    }
    if (sh.is_hello_retry_request()) {
        return on_hello_retry_request(sh, m, ctx);
    }

    // §4.2: the ServerHello may carry only supported_versions, key_share and pre_shared_key
    // (and we offered no PSK).
    for (const auto& e : sh.extensions.items()) {
        const auto type = static_cast<extension_type>(e.type);
        if (type != extension_type::supported_versions && type != extension_type::key_share) {
            return unexpected_extension(e.type, ctx);
        }
    }
    const extension* ks = sh.extensions.find(extension_type::key_share);
    if (ks == nullptr) {
        return ctx.refuse(refusal::missing_key_share); // §9.2: (EC)DHE needs key_share
    }
    HTTPS_TLS_ASSIGN(key_share_entry server_share, parse_server_key_share(ks->data));
    const auto& shares = ctx.offer.shares();
    const auto mine = std::find_if(shares.begin(), shares.end(),
                                   [&](const auto& s) { return s.group() == server_share.group; });
    if (mine == shares.end()) {
        return ctx.refuse(refusal::key_share_group_not_offered); // §4.2.8
    }
    auto shared = mine->shared_secret(server_share.key_exchange);
    if (!shared) {
        return ctx.refuse(refusal::invalid_key_share);
    }
    group_ = server_share.group;

    transcript_.update(m.raw);
    // Key schedule §7.1: Early Secret (no PSK) -> Handshake Secret.
    handshake_secret hs = early_secret(suite_->prf_hash).derive_handshake(shared->bytes());
    const hash_value th = transcript_.current();
    client_hs_traffic_ = hs.client_traffic(th);
    server_hs_traffic_ = hs.server_traffic(th);
    handshake_secret_ = std::move(hs);
    HTTPS_TRY(set_keys(ctx, server_hs_traffic_, false));
    // Our alerts from here on go under the client handshake key, which the server now reads.
    HTTPS_TRY(set_keys(ctx, client_hs_traffic_, true));
    state_ = tls13_state::wait_encrypted_extensions;
    return {};
}

HTTPS_DECL status handshake13::on_hello_retry_request(const server_hello& hrr,
                                                      const handshake_message& m,
                                                      handshake_context& ctx) {
    if (hrr_seen_) {
        return ctx.refuse(refusal::second_hello_retry_request);
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
            return unexpected_extension(e.type, ctx);
        }
    }
    // §4.1.4: an HRR that would not change the ClientHello is illegal_parameter.
    if (!group && !cookie) {
        return ctx.refuse(refusal::hello_retry_request_without_change);
    }
    if (group) {
        // §4.2.8: the group must be one we support and not one we already sent a share for.
        const auto& groups = ctx.config.groups;
        if (std::find(groups.begin(), groups.end(), *group) == groups.end()) {
            return ctx.refuse(refusal::hello_retry_group_not_offered);
        }
        const auto& shares = ctx.offer.shares();
        if (std::any_of(shares.begin(), shares.end(),
                        [&](const auto& s) { return s.group() == *group; })) {
            return ctx.refuse(refusal::hello_retry_group_already_shared);
        }
    }
    // §4.4.1: ClientHello1 becomes message_hash in the transcript, then HRR, ClientHello2.
    HTTPS_TRY(transcript_.replace_with_message_hash());
    transcript_.update(m.raw);
    if (!ctx.incoming.empty()) {
        return ctx.refuse(refusal::key_change_not_at_record_boundary); // nothing may follow an HRR
    }
    if (auto s = ctx.offer.retry(ctx.config, group, cookie); !s) {
        // The cookie is the only part of it the server chose: one that leaves no room for the
        // rest of the ClientHello (§4.1.2: extensions<8..2^16-1>) cannot be answered.
        return s.error() == errc::length_overflow ? ctx.refuse(refusal::hello_retry_cookie_too_long)
                                                  : s.error();
    }
    // §D.4: in compatibility mode the dummy CCS goes right before the second ClientHello.
    send_compat_ccs(ctx);
    send(ctx, ctx.offer.message());
    return {};
}

HTTPS_DECL status handshake13::on_encrypted_extensions(const handshake_message& m,
                                                       handshake_context& ctx) {
    HTTPS_TLS_ASSIGN(extension_list exts, parse_encrypted_extensions(m.body));
    for (const auto& e : exts.items()) {
        if (auto s = acknowledge(ctx, e, protocol_version::tls13)) {
            HTTPS_TRY(*s);
        } else if (static_cast<extension_type>(e.type) != extension_type::supported_groups) {
            return unexpected_extension(e.type, ctx); // supported_groups: preferences (§4.2.7)
        }
    }
    transcript_.update(m.raw);
    state_ = tls13_state::wait_certificate_or_request;
    return {};
}

HTTPS_DECL status handshake13::on_certificate_request(const handshake_message& m) {
    HTTPS_TLS_ASSIGN(certificate_request cr, parse_certificate_request(m.body));
    certificate_requested_ = true;
    request_context_.assign(cr.certificate_request_context.begin(),
                            cr.certificate_request_context.end());
    transcript_.update(m.raw);
    state_ = tls13_state::wait_certificate;
    return {};
}

HTTPS_DECL status handshake13::on_certificate(const handshake_message& m, handshake_context& ctx) {
    HTTPS_TLS_ASSIGN(certificate_message cert, parse_certificate(m.body));
    if (!cert.certificate_request_context.empty()) {
        return ctx.refuse(refusal::certificate_request_context_not_empty); // §4.4.2
    }
    if (cert.entries.empty()) {
        return ctx.refuse(refusal::empty_certificate_chain); // §4.4.2.4
    }
    const bool staple_requested =
        offers_extension(ctx.offer.hello(), extension_type::status_request);
    std::vector<byte_vector> chain;
    std::optional<bytes_view> staple;
    for (const auto& entry : cert.entries) {
        // §4.4.2: entry extensions must answer ones we offered; status_request is the only one
        // of ours that may appear here (§4.4.2.1), and we request no SCTs.
        for (const auto& e : entry.extensions.items()) {
            if (static_cast<extension_type>(e.type) != extension_type::status_request ||
                !staple_requested) {
                return ctx.refuse(refusal::certificate_entry_extension);
            }
            // §4.4.2.1: the leaf's staple is the one the verifier wants; a server may staple
            // intermediates too, which we do not check.
            if (chain.empty()) {
                auto response = parse_certificate_status(e.data);
                if (!response) {
                    return ctx.refuse(refusal::malformed_certificate_status);
                }
                staple = *response;
            }
        }
        chain.emplace_back(entry.cert_data.begin(), entry.cert_data.end());
    }
    HTTPS_TRY(check_certificate(ctx, std::move(chain), staple, key_exchange_kind::tls13));
    transcript_.update(m.raw);
    state_ = tls13_state::wait_certificate_verify;
    return {};
}

HTTPS_DECL status handshake13::on_certificate_verify(const handshake_message& m,
                                                     handshake_context& ctx) {
    HTTPS_TLS_ASSIGN(certificate_verify cv, parse_certificate_verify(m.body));
    const auto scheme = static_cast<signature_scheme>(cv.algorithm);
    // §4.4.3: a scheme we did not offer in signature_algorithms is illegal_parameter.
    const auto& offered = ctx.offer.hello().signature_algorithms;
    if (std::find(offered.begin(), offered.end(), scheme) == offered.end()) {
        return ctx.refuse(refusal::signature_scheme_not_offered);
    }
    const byte_vector content = certificate_verify_content(transcript_.current());
    if (auto s = verify_signature(scheme, peer_key_, content, cv.signature,
                                  ctx.config.min_rsa_key_bits, protocol_version::tls13);
        !s) {
        // §4.4.3: a signature that does not verify is decrypt_error.
        return signature_refusal(ctx, s.error(), refusal::certificate_verify_signature_invalid);
    }
    peer_scheme_ = scheme;
    transcript_.update(m.raw);
    state_ = tls13_state::wait_finished;
    return {};
}

HTTPS_DECL status handshake13::on_finished(const handshake_message& m, handshake_context& ctx) {
    const hash_algorithm h = suite_->prf_hash;
    const secret expected = finished_verify_data(h, server_hs_traffic_, transcript_.current());
    if (m.body.size() != expected.size()) {
        return ctx.refuse(refusal::finished_length_wrong);
    }
    if (!ct::equal(m.body, expected.bytes())) {
        return ctx.refuse(refusal::finished_mismatch);
    }
    transcript_.update(m.raw);
    master_secret ms = std::move(*handshake_secret_).derive_master();
    handshake_secret_.reset();
    const hash_value th = transcript_.current(); // ClientHello..server Finished
    client_ap_traffic_ = ms.client_application_traffic(th);
    server_ap_traffic_ = ms.server_application_traffic(th);
    exporter_secret_ = ms.exporter(th);
    HTTPS_TRY(set_keys(ctx, server_ap_traffic_, false));

    // Second flight: [CCS] [empty Certificate] Finished, under the client handshake key.
    send_compat_ccs(ctx);
    if (certificate_requested_) {
        HTTPS_TLS_ASSIGN(const byte_vector empty, encode_empty_certificate(request_context_));
        send(ctx, empty);
    }
    const secret verify = finished_verify_data(h, client_hs_traffic_, transcript_.current());
    HTTPS_TLS_ASSIGN(const byte_vector fin, encode_finished(verify.bytes()));
    send(ctx, fin);
    resumption_secret_ = ms.resumption(transcript_.current());
    HTTPS_TRY(set_keys(ctx, client_ap_traffic_, true));
    state_ = tls13_state::connected;
    return {};
}

HTTPS_DECL status handshake13::on_new_session_ticket(const handshake_message& m,
                                                     handshake_context& ctx) {
    HTTPS_TLS_ASSIGN(new_session_ticket nst, parse_new_session_ticket(m.body));
    if (ctx.config.max_session_tickets == 0) {
        return {};
    }
    session_ticket t;
    t.suite = suite_->suite;
    t.lifetime_seconds = nst.ticket_lifetime;
    t.age_add = nst.ticket_age_add;
    t.ticket.assign(nst.ticket.begin(), nst.ticket.end());
    ct::secret_array<max_hash_length> psk;
    const std::size_t n = hash_length(suite_->prf_hash);
    hkdf_expand_label(suite_->prf_hash, resumption_secret_.bytes(), "resumption", nst.ticket_nonce,
                      mutable_bytes(psk.data(), n));
    t.psk = secret(bytes_view(psk.data(), n));
    t.received = ctx.config.now();
    if (tickets_.size() >= ctx.config.max_session_tickets) {
        tickets_.erase(tickets_.begin());
    }
    tickets_.push_back(std::move(t));
    return {};
}

HTTPS_DECL status handshake13::on_key_update(const handshake_message& m, handshake_context& ctx) {
    HTTPS_TLS_ASSIGN(bool update_requested, parse_key_update(m.body));
    server_ap_traffic_ = next_traffic_secret(suite_->prf_hash, server_ap_traffic_);
    HTTPS_TRY(set_keys(ctx, server_ap_traffic_, false));
    if (update_requested && !ctx.closed) {
        HTTPS_TLS_ASSIGN(const byte_vector answer, encode_key_update(false));
        ctx.records.write(content_type::handshake, answer, ctx.output);
        client_ap_traffic_ = next_traffic_secret(suite_->prf_hash, client_ap_traffic_);
        HTTPS_TRY(set_keys(ctx, client_ap_traffic_, true));
    }
    return {};
}

HTTPS_DECL status handshake13::set_keys(handshake_context& ctx, const secret& traffic,
                                        bool write) {
    // §5.1: a message after which the server's keys change must end its record.
    if (!write && !ctx.incoming.empty()) {
        return ctx.refuse(refusal::key_change_not_at_record_boundary);
    }
    HTTPS_TLS_ASSIGN(auto protection, make_tls13_protection(*suite_, traffic));
    if (write) {
        ctx.records.set_write_protection(std::move(protection));
    } else {
        ctx.records.set_read_protection(std::move(protection));
    }
    return {};
}

HTTPS_DECL errc handshake13::unexpected_extension(std::uint16_t type, handshake_context& ctx) {
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
        return ctx.refuse(refusal::extension_not_allowed_here);
    case e::status_request: // §4.4.2.1: only in a CertificateEntry
        return ctx.refuse(offers_extension(ctx.offer.hello(), e::status_request) ? refusal::extension_not_allowed_here
                                                           : refusal::extension_not_offered);
    default:
        return ctx.refuse(refusal::extension_not_offered);
    }
}

HTTPS_DECL void handshake13::send_compat_ccs(handshake_context& ctx) {
    if (!ctx.config.middlebox_compatibility || ccs_sent_) {
        return;
    }
    ccs_sent_ = true;
    detail::append_change_cipher_spec(ctx.output);
}

} // namespace https::tls

#include "../detail/macro_unscope.hpp"
