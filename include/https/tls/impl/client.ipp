// The TLS client engine's member functions (tls/client.hpp), out of line for separate compilation.
#pragma once

#include "../client.hpp"

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "../detail/macro_scope.hpp"

namespace https::tls {

HTTPS_DECL client::client(client_config config)
    : config_(std::move(config)), incoming_(config_.max_handshake_message) {
    records_.set_max_fragment(config_.max_fragment);
}

HTTPS_DECL status client::start() {
    assert(state_ == client_state::start);
    auto offer = client_offer::make(config_);
    if (!offer) {
        return fail(offer.error());
    }
    offer_.emplace(std::move(*offer));
    // RFC 8446 §5.1: 0x0301 is allowed (and most compatible) for the initial ClientHello.
    records_.set_write_version(0x0301);
    records_.write(content_type::handshake, offer_->message(), output_);
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
        return on_change_cipher_spec(rec);
    case content_type::alert:
        return on_alert(rec.payload);
    case content_type::handshake:
        if (!incoming_.append(rec.payload)) {
            return refuse(refusal::empty_handshake_record);
        }
        return drain_handshake();
    case content_type::application_data:
        // §5.1: handshake messages must not be interleaved with other record types.
        if (!incoming_.empty()) {
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

HTTPS_DECL status client::on_change_cipher_spec(const record& rec) {
    if (auto* h12 = std::get_if<handshake12>(&handshake_)) {
        // RFC 5246 §7.1: ChangeCipherSpec is a record type of its own, so it may not cut a
        // handshake message in two.
        if (!incoming_.empty()) {
            return refuse(refusal::record_interleaved);
        }
        handshake_context ctx = context();
        return h12->on_change_cipher_spec(rec.payload, ctx);
    }
    // RFC 8446 §5: an unprotected CCS of value 1 between our first ClientHello and the server's
    // Finished is dropped; any other is unexpected_message.
    const bool allowed = state_ == client_state::wait_server_hello ||
                         (state_ == client_state::handshaking && tls13_session() != nullptr);
    if (rec.was_protected || !allowed || rec.payload.size() != 1 || rec.payload[0] != 1) {
        return refuse(refusal::unexpected_change_cipher_spec);
    }
    return {};
}

HTTPS_DECL status client::on_alert(bytes_view payload) {
    // §5.1: alerts are never fragmented or coalesced: exactly level + description.
    if (payload.size() != 2) {
        return refuse(refusal::malformed_alert);
    }
    const auto description = static_cast<alert_description>(payload[1]);
    // RFC 5246 §7.2: a warning alert other than close_notify (unrecognized_name,
    // no_renegotiation, ...) does not end a TLS 1.2 connection; a stream of them does, so that a
    // peer cannot keep us busy.
    if (tls12_session() != nullptr && payload[0] == static_cast<std::uint8_t>(alert_level::warning) &&
        description != alert_description::close_notify) {
        return ++warning_alerts_ > 16 ? status{refuse(refusal::too_many_warning_alerts)}
                                      : status{};
    }
    if (description == alert_description::close_notify) {
        peer_closed_ = true;
        // Closing before the handshake completes is a failure of the handshake.
        return state_ == client_state::connected
                   ? status{}
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
        auto msg = incoming_.next();
        if (!msg) {
            return msg.error() == errc::too_large
                       ? status{refuse(refusal::handshake_message_too_large)}
                       : status{msg.error()};
        }
        if (!msg->has_value()) {
            return {};
        }
        HTTPS_TRY(on_handshake(**msg));
    }
}

HTTPS_DECL status client::on_handshake(const handshake_message& m) {
    handshake_context ctx = context();
    status s = std::visit(
        [&](auto& h) -> status {
            if constexpr (std::is_same_v<std::decay_t<decltype(h)>, std::monostate>) {
                return on_first_server_hello(m, ctx);
            } else {
                HTTPS_TRY(h.on_message(m, ctx));
                if (state_ == client_state::handshaking && h.connected()) {
                    state_ = client_state::connected;
                }
                return {};
            }
        },
        handshake_);
    // What no rule of ours named came from a message's parser: the message is malformed.
    if (!s && refusal_ == refusal::none &&
        (s.error() == errc::tls_decode_error || s.error() == errc::tls_illegal_parameter)) {
        refusal_ = malformed(m.type);
    }
    return s;
}

HTTPS_DECL status client::on_first_server_hello(const handshake_message& m,
                                                handshake_context& ctx) {
    if (m.type != handshake_type::server_hello) {
        return refuse(refusal::unexpected_handshake_message);
    }
    HTTPS_TLS_ASSIGN(server_hello sh, parse_server_hello(m.body));
    HTTPS_TLS_ASSIGN(protocol_version v, offer_->select_version(sh, refusal_));
    state_ = client_state::handshaking;
    if (v == protocol_version::tls13) {
        return handshake_.emplace<handshake13>().on_server_hello(sh, m, ctx);
    }
    return handshake_.emplace<handshake12>().on_server_hello(sh, m, ctx);
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

} // namespace https::tls

#include "../detail/macro_unscope.hpp"
