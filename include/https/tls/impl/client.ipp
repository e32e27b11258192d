// The TLS client engine's member functions (tls/client.hpp), out of line for separate compilation.
#pragma once

#include "../client.hpp"

#include <algorithm>
#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../detail/macro_scope.hpp"

namespace https::tls {

HTTPS_DECL client::client(client_config config)
    : config_(std::move(config)), handshake_(config_.max_handshake_message) {
    records_.set_max_fragment(config_.max_fragment);
}

HTTPS_DECL status client::start() {
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
    ch_.status_request = config_.request_ocsp_staple;
    if (tls13) {
        auto share = key_exchange::generate(config_.groups.front(), rng());
        if (!share) {
            return fail(share.error());
        }
        shares_.clear();
        shares_.push_back(std::move(*share));
        ch_.key_shares = {key_share_entry{shares_[0].group(), to_vector(shares_[0].public_key())}};
    }
    if (auto s = add_tls12_offer(); !s) {
        return fail(s.error());
    }
    if (config_.server_name.empty() && config_.check_host != x509::host_check::none) {
        return fail(errc::cert_no_identity); // no silent skip of the certificate's identity
    }
    auto hello = client_hello_message(0);
    if (!hello) {
        return fail(hello.error()); // a configured name or list too long for its field
    }
    // RFC 8446 §5.1: 0x0301 is allowed (and most compatible) for the initial ClientHello.
    records_.set_write_version(0x0301);
    send_client_hello(std::move(*hello));
    records_.set_write_version(0x0303);
    state_ = client_state::wait_server_hello;
    return {};
}

HTTPS_DECL status client::feed(bytes_view data) {
    if (state_ == client_state::failed) {
        return error_;
    }
    assert(state_ != client_state::start);
    records_.feed(data);
    while (state_ != client_state::failed) {
        auto rec = records_.read();
        if (!rec) {
            return fail(record_refusal(rec.error()));
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

HTTPS_DECL status client::send(bytes_view data) {
    if (state_ == client_state::failed) {
        return error_;
    }
    if (state_ != client_state::connected || local_closed_) {
        return errc::tls_closed;
    }
    records_.write(content_type::application_data, data, output_);
    return {};
}

HTTPS_DECL void client::close() {
    if (local_closed_ || state_ == client_state::failed || state_ == client_state::start) {
        return;
    }
    send_alert(alert_level::warning, alert_description::close_notify);
    local_closed_ = true;
}

HTTPS_DECL status client::on_record(record& rec) {
    switch (rec.type) {
    case content_type::change_cipher_spec:
        if (tls12_) {
            return on_tls12_change_cipher_spec(rec);
        }
        // RFC 8446 §5: an unprotected CCS of value 1 between our first ClientHello and the
        // server's Finished is dropped; any other is unexpected_message.
        if (rec.was_protected || !ccs_allowed() || rec.payload.size() != 1 || rec.payload[0] != 1) {
            return refuse(refusal::unexpected_change_cipher_spec);
        }
        return {};
    case content_type::alert:
        return on_alert(rec.payload);
    case content_type::handshake:
        if (!handshake_.append(rec.payload)) {
            return refuse(refusal::empty_handshake_record);
        }
        return drain_handshake();
    case content_type::application_data:
        // §5.1: handshake messages must not be interleaved with other record types.
        if (!handshake_.empty()) {
            return refuse(refusal::record_interleaved);
        }
        if (state_ != client_state::connected) {
            return refuse(refusal::application_data_before_finished);
        }
        if (!peer_closed_) { // §6.1: data after close_notify is ignored
            app_data_.insert(app_data_.end(), rec.payload.begin(), rec.payload.end());
        }
        return {};
    default:
        return refuse(refusal::record_type_invalid);
    }
}

HTTPS_DECL status client::on_alert(bytes_view payload) {
    // §5.1: alerts are never fragmented or coalesced: exactly level + description.
    if (payload.size() != 2) {
        return refuse(refusal::malformed_alert);
    }
    const auto description = static_cast<alert_description>(payload[1]);
    if (tls12_ && payload[0] == static_cast<std::uint8_t>(alert_level::warning) &&
        description != alert_description::close_notify) {
        return on_tls12_warning_alert();
    }
    if (description == alert_description::close_notify) {
        peer_closed_ = true;
        // Closing before the handshake completes is a failure of the handshake.
        return state_ == client_state::connected ? status{}
                                                 : status{refuse(refusal::closed_during_handshake)};
    }
    if (description == alert_description::user_canceled) {
        return {}; // §6.1: a close_notify follows
    }
    // §6: every other alert is an error alert, whatever its level says.
    received_alert_ = description;
    return errc::tls_alert_received;
}

HTTPS_DECL status client::drain_handshake() {
    while (true) {
        auto msg = handshake_.next();
        if (!msg) {
            return msg.error() == errc::too_large ? refuse(refusal::handshake_message_too_large)
                                                  : msg.error();
        }
        if (!msg->has_value()) {
            return {};
        }
        HTTPS_TRY(on_handshake(**msg));
    }
}

HTTPS_DECL status client::on_handshake(const handshake_message& m) {
    status s = tls12_ ? on_tls12_handshake(m) : on_tls13_handshake(m);
    if (!s && refusal_ == refusal::none && tls12_) {
        refusal_ = tls12_->refusal_cause();
    }
    // What no rule of ours named came from a message's parser: the message is malformed.
    if (!s && refusal_ == refusal::none &&
        (s.error() == errc::tls_decode_error || s.error() == errc::tls_illegal_parameter)) {
        refusal_ = malformed(m.type);
    }
    return s;
}

HTTPS_DECL status client::on_tls13_handshake(const handshake_message& m) {
    using t = handshake_type;
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
    return refuse(refusal::unexpected_handshake_message);
}

HTTPS_DECL status client::on_server_hello(const handshake_message& m) {
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
            return refuse(refusal::downgrade_sentinel);
        }
        return start_tls12(sh, m);
    }
    HTTPS_TLS_ASSIGN(std::uint16_t selected, parse_selected_version(sv->data));
    // §4.2.1: a version we did not offer, or below 1.3 here, is illegal_parameter.
    if (selected != static_cast<std::uint16_t>(protocol_version::tls13)) {
        return refuse(refusal::selected_version_not_tls13);
    }
    if (sh.legacy_version != static_cast<std::uint16_t>(protocol_version::tls12)) {
        return refuse(refusal::legacy_version_not_tls12);
    }
    // §4.1.3: session id echo, compression and suite must match what we sent.
    if (!std::equal(sh.legacy_session_id_echo.begin(), sh.legacy_session_id_echo.end(),
                    ch_.legacy_session_id.begin(), ch_.legacy_session_id.end())) {
        return refuse(refusal::session_id_echo_mismatch);
    }
    if (sh.legacy_compression_method != 0) {
        return refuse(refusal::compression_not_null);
    }
    const auto info = tls13_suite_info(sh.cipher_suite);
    if (!info || std::find(ch_.cipher_suites.begin(), ch_.cipher_suites.end(), sh.cipher_suite) ==
                     ch_.cipher_suites.end()) {
        return refuse(refusal::cipher_suite_not_offered);
    }
    // §4.1.4: the ServerHello after a HelloRetryRequest keeps its suite.
    if (suite_ && suite_->suite != info->suite) {
        return refuse(refusal::cipher_suite_changed_after_hello_retry);
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
        return refuse(refusal::missing_key_share); // §9.2: (EC)DHE needs key_share
    }
    HTTPS_TLS_ASSIGN(key_share_entry server_share, parse_server_key_share(ks->data));
    const key_exchange* mine = nullptr;
    for (const auto& s : shares_) {
        if (s.group() == server_share.group) {
            mine = &s;
        }
    }
    if (mine == nullptr) {
        return refuse(refusal::key_share_group_not_offered); // §4.2.8
    }
    auto shared = mine->shared_secret(server_share.key_exchange);
    if (!shared) {
        return refuse(refusal::invalid_key_share);
    }
    group_ = server_share.group;

    transcript_.select(suite_->hash);
    transcript_.update(m.raw);
    // Key schedule §7.1: Early Secret (no PSK) -> Handshake Secret.
    handshake_secret hs = early_secret(suite_->hash).derive_handshake(shared->bytes());
    const hash_value th = transcript_.current();
    client_hs_traffic_ = hs.client_traffic(th);
    server_hs_traffic_ = hs.server_traffic(th);
    handshake_secret_ = std::move(hs);

    // §5.1: the ServerHello must end at a record boundary, the keys change after it.
    if (!handshake_.empty()) {
        return refuse(refusal::key_change_not_at_record_boundary);
    }
    HTTPS_TLS_ASSIGN(auto read, detail::make_tls13_protection(*suite_, server_hs_traffic_));
    HTTPS_TLS_ASSIGN(auto write, detail::make_tls13_protection(*suite_, client_hs_traffic_));
    records_.set_read_protection(std::move(read));
    // Our alerts from here on go under the client handshake key, which the server now reads.
    records_.set_write_protection(std::move(write));
    state_ = client_state::wait_encrypted_extensions;
    return {};
}

HTTPS_DECL status client::on_hello_retry_request(const server_hello& hrr,
                                                 const handshake_message& m) {
    if (hrr_seen_) {
        return refuse(refusal::second_hello_retry_request);
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
        return refuse(refusal::hello_retry_request_without_change);
    }
    if (group) {
        // §4.2.8: the group must be one we support and not one we already sent a share for.
        const bool supported =
            std::find(config_.groups.begin(), config_.groups.end(), *group) != config_.groups.end();
        const bool already = std::any_of(shares_.begin(), shares_.end(),
                                         [&](const auto& s) { return s.group() == *group; });
        if (!supported) {
            return refuse(refusal::hello_retry_group_not_offered);
        }
        if (already) {
            return refuse(refusal::hello_retry_group_already_shared);
        }
        // The second key share is generated only now, for the group the server wants.
        HTTPS_TLS_ASSIGN(key_exchange share, key_exchange::generate(*group, rng()));
        shares_.clear();
        shares_.push_back(std::move(share));
        ch_.key_shares = {key_share_entry{shares_[0].group(), to_vector(shares_[0].public_key())}};
    }
    if (cookie) {
        ch_.cookie = to_vector(*cookie);
    }
    // §4.4.1: ClientHello1 becomes message_hash in the transcript, then HRR, ClientHello2.
    transcript_.select(suite_->hash);
    HTTPS_TRY(transcript_.replace_with_message_hash());
    transcript_.update(m.raw);
    if (!handshake_.empty()) {
        return refuse(refusal::key_change_not_at_record_boundary); // nothing may follow an HRR
    }
    auto hello = client_hello_message(1);
    if (!hello) {
        // The cookie is the only part of it the server chose: one that leaves no room for the
        // rest of the ClientHello (§4.1.2: extensions<8..2^16-1>) cannot be answered.
        return hello.error() == errc::length_overflow
                   ? refuse(refusal::hello_retry_cookie_too_long)
                   : hello.error();
    }
    // §D.4: in compatibility mode the dummy CCS goes right before the second ClientHello.
    send_compat_ccs();
    send_client_hello(std::move(*hello));
    return {};
}

HTTPS_DECL status client::on_encrypted_extensions(const handshake_message& m) {
    HTTPS_TLS_ASSIGN(extension_list exts, parse_encrypted_extensions(m.body));
    for (const auto& e : exts.items()) {
        switch (static_cast<extension_type>(e.type)) {
        case extension_type::server_name:
            // RFC 6066 §3: the server acknowledges SNI with an empty extension.
            if (ch_.server_name.empty()) {
                return refuse(refusal::extension_not_offered);
            }
            if (auto r = detail::check_server_name_ack(e.data); r != refusal::none) {
                return refuse(r);
            }
            break;
        case extension_type::supported_groups:
            break; // the server's preferences (§4.2.7)
        case extension_type::record_size_limit: {
            // RFC 8449 §4: the server's limit on what we send, content type byte included.
            std::uint16_t limit = 0;
            if (auto r = detail::check_record_size_limit(e.data, limit); r != refusal::none) {
                return refuse(r);
            }
            records_.set_max_fragment(std::min<std::size_t>(
                {config_.max_fragment, std::size_t{limit} - 1u, max_plaintext_length}));
            break;
        }
        case extension_type::application_layer_protocol_negotiation: {
            if (ch_.alpn.empty()) {
                return refuse(refusal::extension_not_offered);
            }
            if (auto r = detail::check_alpn_selection(e.data, ch_.alpn, alpn_); r != refusal::none) {
                return refuse(r);
            }
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

HTTPS_DECL status client::on_certificate_request(const handshake_message& m) {
    HTTPS_TLS_ASSIGN(certificate_request cr, parse_certificate_request(m.body));
    certificate_requested_ = true;
    request_context_ = to_vector(cr.certificate_request_context);
    transcript_.update(m.raw);
    state_ = client_state::wait_certificate;
    return {};
}

HTTPS_DECL status client::on_certificate(const handshake_message& m) {
    HTTPS_TLS_ASSIGN(certificate_message cert, parse_certificate(m.body));
    if (!cert.certificate_request_context.empty()) {
        return refuse(refusal::certificate_request_context_not_empty); // §4.4.2
    }
    if (cert.entries.empty()) {
        return refuse(refusal::empty_certificate_chain); // §4.4.2.4
    }
    std::vector<bytes_view> chain;
    std::optional<bytes_view> staple;
    for (const auto& entry : cert.entries) {
        // §4.4.2: entry extensions must answer ones we offered; status_request is the only one
        // of ours that may appear here (§4.4.2.1), and we request no SCTs.
        for (const auto& e : entry.extensions.items()) {
            if (static_cast<extension_type>(e.type) != extension_type::status_request ||
                !ch_.status_request) {
                return refuse(refusal::certificate_entry_extension);
            }
            // §4.4.2.1: the leaf's staple is the one the verifier wants; a server may staple
            // intermediates too, which we do not check.
            if (chain.empty()) {
                auto response = parse_certificate_status(e.data);
                if (!response) {
                    return refuse(refusal::malformed_certificate_status);
                }
                staple = *response;
            }
        }
        chain.push_back(entry.cert_data);
    }
    if (!config_.verify_certificate) {
        return errc::trust_store_unavailable; // fail closed without a verifier
    }
    ocsp_staple_ = staple ? to_vector(*staple) : byte_vector{};
    HTTPS_TRY(config_.verify_certificate(chain, config_.server_name, staple));
    // §4.4.2.2: the leaf's key must be allowed to sign, for CertificateVerify.
    HTTPS_TLS_ASSIGN(peer_key_, leaf_key(chain.front(), key_exchange_kind::tls13));
    peer_chain_.clear();
    for (auto c : chain) {
        peer_chain_.push_back(to_vector(c));
    }
    transcript_.update(m.raw);
    state_ = client_state::wait_certificate_verify;
    return {};
}

HTTPS_DECL status client::on_certificate_verify(const handshake_message& m) {
    HTTPS_TLS_ASSIGN(certificate_verify cv, parse_certificate_verify(m.body));
    const auto scheme = static_cast<signature_scheme>(cv.algorithm);
    // §4.4.3: a scheme we did not offer in signature_algorithms is illegal_parameter.
    if (std::find(ch_.signature_algorithms.begin(), ch_.signature_algorithms.end(), scheme) ==
        ch_.signature_algorithms.end()) {
        return refuse(refusal::signature_scheme_not_offered);
    }
    const byte_vector content = certificate_verify_content(transcript_.current());
    if (auto s = verify_signature(scheme, peer_key_, content, cv.signature,
                                  config_.min_rsa_key_bits, protocol_version::tls13);
        !s) {
        // §4.4.3: a signature that does not verify is decrypt_error.
        return signature_refusal(s.error(), refusal::certificate_verify_signature_invalid);
    }
    peer_scheme_ = scheme;
    transcript_.update(m.raw);
    state_ = client_state::wait_finished;
    return {};
}

HTTPS_DECL status client::on_finished(const handshake_message& m) {
    const hash_algorithm h = suite_->hash;
    const secret expected = finished_verify_data(h, server_hs_traffic_, transcript_.current());
    if (m.body.size() != expected.size()) {
        return refuse(refusal::finished_length_wrong);
    }
    if (!ct::equal(m.body, expected.bytes())) {
        return refuse(refusal::finished_mismatch);
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
        return refuse(refusal::key_change_not_at_record_boundary);
    }
    HTTPS_TLS_ASSIGN(auto read, detail::make_tls13_protection(*suite_, server_ap_traffic_));
    HTTPS_TLS_ASSIGN(auto write, detail::make_tls13_protection(*suite_, client_ap_traffic_));
    records_.set_read_protection(std::move(read));

    // Second flight: [CCS] [empty Certificate] Finished, under the client handshake key.
    send_compat_ccs();
    if (certificate_requested_) {
        HTTPS_TLS_ASSIGN(const byte_vector empty, encode_empty_certificate(request_context_));
        transcript_.update(empty);
        records_.write(content_type::handshake, empty, output_);
    }
    const secret verify = finished_verify_data(h, client_hs_traffic_, transcript_.current());
    HTTPS_TLS_ASSIGN(const byte_vector fin, encode_finished(verify.bytes()));
    transcript_.update(fin);
    records_.write(content_type::handshake, fin, output_);
    resumption_secret_ = ms.resumption(transcript_.current());
    records_.set_write_protection(std::move(write));
    state_ = client_state::connected;
    return {};
}

HTTPS_DECL status client::on_new_session_ticket(const handshake_message& m) {
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

HTTPS_DECL status client::on_key_update(const handshake_message& m) {
    HTTPS_TLS_ASSIGN(bool update_requested, parse_key_update(m.body));
    if (!handshake_.empty()) {
        return refuse(refusal::key_change_not_at_record_boundary);
    }
    server_ap_traffic_ = next_traffic_secret(suite_->hash, server_ap_traffic_);
    HTTPS_TLS_ASSIGN(auto read, detail::make_tls13_protection(*suite_, server_ap_traffic_));
    records_.set_read_protection(std::move(read));
    if (update_requested && !local_closed_) {
        HTTPS_TLS_ASSIGN(const byte_vector answer, encode_key_update(false));
        records_.write(content_type::handshake, answer, output_);
        client_ap_traffic_ = next_traffic_secret(suite_->hash, client_ap_traffic_);
        HTTPS_TLS_ASSIGN(auto write, detail::make_tls13_protection(*suite_, client_ap_traffic_));
        records_.set_write_protection(std::move(write));
    }
    return {};
}

HTTPS_DECL errc client::unexpected_extension(std::uint16_t type) {
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
        return refuse(refusal::extension_not_allowed_here);
    case e::status_request: // §4.4.2.1: only in a CertificateEntry
        return refuse(ch_.status_request ? refusal::extension_not_allowed_here
                                         : refusal::extension_not_offered);
    default:
        return refuse(refusal::extension_not_offered);
    }
}

HTTPS_DECL result<record_layer::protection> detail::make_tls13_protection(const suite_info& suite,
                                                                          const secret& traffic) {
    const auto make = [&]<class Aead>(std::type_identity<Aead>) {
        const traffic_keys k = derive_traffic_keys(suite.hash, traffic, Aead::key_size);
        return result<record_layer::protection>(
            record_layer::protection(tls13_aead_protection<Aead>(
                std::span<const std::uint8_t, Aead::key_size>(k.key.data(), Aead::key_size),
                k.iv.span())));
    };
    switch (suite.aead) {
    case record_cipher::aes_128_gcm:
        return make(std::type_identity<crypto::aes128_gcm>{});
    case record_cipher::aes_256_gcm:
        return make(std::type_identity<crypto::aes256_gcm>{});
    case record_cipher::chacha20_poly1305:
        return make(std::type_identity<crypto::chacha20_poly1305>{});
    case record_cipher::aes_128_cbc: // TLS 1.2 only
    case record_cipher::aes_256_cbc:
        break;
    }
    return errc::tls_internal_error; // not a TLS 1.3 AEAD: fail closed
}

HTTPS_DECL result<byte_vector> client::client_hello_message(unsigned attempt) const {
    auto msg = encode_client_hello(ch_);
    if (msg && config_.test_hook.replace_) {
        return config_.test_hook.replace_(*msg, attempt);
    }
    return msg;
}

HTTPS_DECL void client::send_client_hello(byte_vector msg) {
    transcript_.update(msg);
    records_.write(content_type::handshake, msg, output_);
    client_hello_sent_ = std::move(msg); // a TLS 1.2 handshake starts its transcript with it
}

HTTPS_DECL void client::send_compat_ccs() {
    if (!config_.middlebox_compatibility || ccs_sent_) {
        return;
    }
    ccs_sent_ = true;
    detail::append_change_cipher_spec(output_);
}

HTTPS_DECL void client::send_alert(alert_level level, alert_description d) {
    const std::uint8_t body[2] = {static_cast<std::uint8_t>(level), static_cast<std::uint8_t>(d)};
    records_.write(content_type::alert, body, output_);
}

HTTPS_DECL errc client::fail(errc e) {
    if (state_ == client_state::failed) {
        return error_;
    }
    // Nothing was sent yet if start() itself failed: there is no peer to alert.
    const bool started = state_ != client_state::start;
    state_ = client_state::failed;
    error_ = e;
    if (refusal_ == refusal::none && tls12_) {
        refusal_ = tls12_->refusal_cause(); // e.g. its ChangeCipherSpec check
    }
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

HTTPS_DECL status client::add_tls12_offer() {
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
        if (std::find(ch_.signature_algorithms.begin(), ch_.signature_algorithms.end(), scheme) ==
            ch_.signature_algorithms.end()) {
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

HTTPS_DECL status client::start_tls12(const server_hello& sh, const handshake_message& m) {
    if (hrr_seen_) {
        return refuse(refusal::tls12_after_hello_retry_request); // RFC 8446 §4.1.4
    }
    if (sh.legacy_version != static_cast<std::uint16_t>(protocol_version::tls12) ||
        !offers_tls12()) {
        return refuse(refusal::version_not_offered);
    }
    tls12_settings settings;
    settings.server_name = config_.server_name;
    settings.verify_certificate = config_.verify_certificate;
    settings.random = config_.random;
    settings.min_rsa_key_bits = config_.min_rsa_key_bits;
    settings.require_extended_master_secret = config_.require_extended_master_secret;
    settings.max_fragment = config_.max_fragment;
    // The offer is ch_, unless a test replays a foreign ClientHello and reads its offer back.
    std::optional<client_hello> replayed;
    if (config_.test_hook.read_) {
        replayed = config_.test_hook.read_(client_hello_sent_);
        if (!replayed) {
            return errc::tls_internal_error;
        }
    }
    HTTPS_TLS_ASSIGN(tls12_handshake h, tls12_handshake::start(std::move(settings),
                                                               replayed ? *replayed : ch_,
                                                               client_hello_sent_, sh, m.raw,
                                                               records_, refusal_));
    tls12_.emplace(std::move(h));
    version_ = protocol_version::tls12;
    alpn_ = tls12_->alpn();
    state_ = client_state::tls12_handshake;
    return {};
}

HTTPS_DECL status client::on_tls12_handshake(const handshake_message& m) {
    HTTPS_TRY(tls12_->on_message(m, records_, output_));
    if (state_ == client_state::tls12_handshake && tls12_->connected()) {
        peer_chain_ = tls12_->peer_chain();
        group_ = tls12_->group();
        peer_scheme_ = tls12_->server_signature_scheme();
        state_ = client_state::connected;
    }
    return {};
}

HTTPS_DECL status client::on_tls12_change_cipher_spec(const record& rec) {
    if (!handshake_.empty()) {
        return refuse(refusal::record_interleaved);
    }
    return tls12_->on_change_cipher_spec(rec.payload, records_);
}

HTTPS_DECL status client::on_tls12_warning_alert() {
    if (++tls12_warning_alerts_ > 16) {
        return refuse(refusal::too_many_warning_alerts);
    }
    return {};
}

HTTPS_DECL errc client::record_refusal(errc e) {
    switch (e) {
    case errc::tls_unexpected_message:
        return refuse(refusal::record_type_invalid);
    case errc::tls_record_overflow:
        return refuse(refusal::record_too_long);
    case errc::tls_bad_record_mac:
        return refuse(refusal::record_authentication_failed);
    case errc::tls_decode_error:
        return refuse(refusal::record_malformed);
    default:
        return e;
    }
}

HTTPS_DECL errc client::signature_refusal(errc e, refusal invalid) {
    if (e == errc::bad_signature) {
        return refuse(invalid);
    }
    return e == errc::tls_illegal_parameter ? refuse(refusal::signature_key_mismatch) : e;
}

HTTPS_DECL refusal client::malformed(handshake_type t) noexcept {
    using h = handshake_type;
    switch (t) {
    case h::server_hello: return refusal::malformed_server_hello;
    case h::encrypted_extensions: return refusal::malformed_encrypted_extensions;
    case h::certificate: return refusal::malformed_certificate;
    case h::certificate_request: return refusal::malformed_certificate_request;
    case h::certificate_verify: return refusal::malformed_certificate_verify;
    case h::finished: return refusal::finished_length_wrong;
    case h::new_session_ticket: return refusal::malformed_new_session_ticket;
    case h::key_update: return refusal::malformed_key_update;
    case h::server_key_exchange: return refusal::malformed_server_key_exchange;
    case h::server_hello_done: return refusal::malformed_server_hello_done;
    case h::hello_request: return refusal::malformed_hello_request;
    default: return refusal::malformed_handshake_message;
    }
}

HTTPS_DECL bool client::is_ip_literal(std::string_view host) {
    if (host.empty()) {
        return true;
    }
    if (host.find(':') != std::string_view::npos) {
        return true; // IPv6
    }
    return std::all_of(host.begin(), host.end(),
                       [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

} // namespace https::tls

#include "../detail/macro_unscope.hpp"
