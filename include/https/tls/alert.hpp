// TLS alerts (RFC 8446 §6): levels, descriptions, and the one table mapping errors to alerts.
#pragma once

#include "../core/errc.hpp"

#include <cstdint>

namespace https::tls {

enum class alert_level : std::uint8_t { warning = 1, fatal = 2 };

/// RFC 8446 §6 AlertDescription, plus the TLS 1.2 values a 1.2 peer may still send.
enum class alert_description : std::uint8_t {
    close_notify = 0,
    unexpected_message = 10,
    bad_record_mac = 20,
    decryption_failed = 21, // TLS 1.2 and earlier; never sent
    record_overflow = 22,
    handshake_failure = 40,
    bad_certificate = 42,
    unsupported_certificate = 43,
    certificate_revoked = 44,
    certificate_expired = 45,
    certificate_unknown = 46,
    illegal_parameter = 47,
    unknown_ca = 48,
    access_denied = 49,
    decode_error = 50,
    decrypt_error = 51,
    protocol_version = 70,
    insufficient_security = 71,
    internal_error = 80,
    inappropriate_fallback = 86,
    user_canceled = 90,
    no_renegotiation = 100,
    missing_extension = 109,
    unsupported_extension = 110,
    unrecognized_name = 112,
    bad_certificate_status_response = 113,
    unknown_psk_identity = 115,
    certificate_required = 116,
    no_application_protocol = 120,
};

/// The RFC name of an alert ("bad_record_mac"), or "unknown" for a value not in the registry.
inline const char* describe(alert_description d) noexcept {
    switch (d) {
    case alert_description::close_notify:
        return "close_notify";
    case alert_description::unexpected_message:
        return "unexpected_message";
    case alert_description::bad_record_mac:
        return "bad_record_mac";
    case alert_description::decryption_failed:
        return "decryption_failed";
    case alert_description::record_overflow:
        return "record_overflow";
    case alert_description::handshake_failure:
        return "handshake_failure";
    case alert_description::bad_certificate:
        return "bad_certificate";
    case alert_description::unsupported_certificate:
        return "unsupported_certificate";
    case alert_description::certificate_revoked:
        return "certificate_revoked";
    case alert_description::certificate_expired:
        return "certificate_expired";
    case alert_description::certificate_unknown:
        return "certificate_unknown";
    case alert_description::illegal_parameter:
        return "illegal_parameter";
    case alert_description::unknown_ca:
        return "unknown_ca";
    case alert_description::access_denied:
        return "access_denied";
    case alert_description::decode_error:
        return "decode_error";
    case alert_description::decrypt_error:
        return "decrypt_error";
    case alert_description::protocol_version:
        return "protocol_version";
    case alert_description::insufficient_security:
        return "insufficient_security";
    case alert_description::internal_error:
        return "internal_error";
    case alert_description::inappropriate_fallback:
        return "inappropriate_fallback";
    case alert_description::user_canceled:
        return "user_canceled";
    case alert_description::no_renegotiation:
        return "no_renegotiation";
    case alert_description::missing_extension:
        return "missing_extension";
    case alert_description::unsupported_extension:
        return "unsupported_extension";
    case alert_description::unrecognized_name:
        return "unrecognized_name";
    case alert_description::bad_certificate_status_response:
        return "bad_certificate_status_response";
    case alert_description::unknown_psk_identity:
        return "unknown_psk_identity";
    case alert_description::certificate_required:
        return "certificate_required";
    case alert_description::no_application_protocol:
        return "no_application_protocol";
    }
    return "unknown";
}

/// The alert we send when we abort because of `e`: THE table from errors to alerts, used by every
/// handshake and the record layer, so each error has exactly one alert. Returns false for errors
/// after which no alert is sent (the peer already closed or alerted us).
inline bool alert_for(errc e, alert_description& out) noexcept {
    using a = alert_description;
    switch (e) {
    case errc::ok:
    case errc::tls_alert_received: // the peer already aborted; RFC 8446 §6.2: no reply
    case errc::tls_closed:
        return false;

    // TLS layer: one alert per error, named alike.
    case errc::tls_unexpected_message:
        out = a::unexpected_message;
        return true;
    case errc::tls_decode_error:
        out = a::decode_error;
        return true;
    case errc::tls_illegal_parameter:
        out = a::illegal_parameter;
        return true;
    case errc::tls_handshake_failure:
        out = a::handshake_failure;
        return true;
    case errc::tls_protocol_version:
        out = a::protocol_version;
        return true;
    case errc::tls_record_overflow:
        out = a::record_overflow;
        return true;
    case errc::tls_bad_record_mac:
        out = a::bad_record_mac;
        return true;
    case errc::tls_decrypt_error:
        out = a::decrypt_error;
        return true;
    case errc::tls_missing_extension:
        out = a::missing_extension;
        return true;
    case errc::tls_unsupported_extension:
        out = a::unsupported_extension;
        return true;
    case errc::tls_insufficient_security:
        out = a::insufficient_security;
        return true;
    case errc::tls_no_application_protocol:
        out = a::no_application_protocol;
        return true;
    case errc::tls_downgrade_detected:
        out = a::illegal_parameter;
        return true; // §4.1.3
    case errc::tls_no_renegotiation:
        out = a::no_renegotiation;
        return true;
    case errc::tls_internal_error:
        out = a::internal_error;
        return true;

    // Certificate validation (RFC 8446 §6.2 gives the meaning of each certificate alert).
    case errc::cert_expired:
    case errc::cert_not_yet_valid:
        out = a::certificate_expired;
        return true;
    case errc::cert_unknown_issuer:
    case errc::cert_self_signed_leaf:
    case errc::trust_store_unavailable:
        out = a::unknown_ca;
        return true;
    case errc::cert_unknown_critical_extension:
    case errc::cert_weak_key:
    case errc::cert_weak_signature:
        out = a::unsupported_certificate;
        return true;
    case errc::cert_malformed:
    case errc::cert_hostname_mismatch:
    case errc::cert_bad_signature:
    case errc::cert_not_ca:
    case errc::cert_path_length_exceeded:
    case errc::cert_name_constraint_violated:
    case errc::cert_bad_eku:
    case errc::cert_chain_too_long:
    case errc::cert_bad_key_usage:
    case errc::cert_bad_key_identifier:
    case errc::cert_bad_basic_constraints:
    case errc::cert_bad_name_constraints:
    case errc::cert_bad_subject_alt_name:
    case errc::cert_common_name_mismatch:
    case errc::cert_bad_serial:
    case errc::cert_ocsp_missing:
        out = a::bad_certificate;
        return true;
    case errc::cert_revoked:
        out = a::certificate_revoked;
        return true;
    case errc::cert_ocsp_malformed:
    case errc::cert_ocsp_bad_responder:
    case errc::cert_ocsp_stale:
    case errc::cert_ocsp_unknown:
        out = a::bad_certificate_status_response; // RFC 6066 §8
        return true;
    case errc::cert_no_identity: // our configuration named no server: not the certificate's fault
        out = a::internal_error;
        return true;

    // Cryptographic failures on peer input.
    case errc::bad_tag:
        out = a::bad_record_mac;
        return true;
    case errc::bad_signature:
        out = a::decrypt_error;
        return true; // §4.4.3
    case errc::bad_public_key:
    case errc::point_not_on_curve:
    case errc::point_at_infinity:
    case errc::zero_shared_secret:
    case errc::unsupported_curve:
    case errc::unsupported_algorithm:
        out = a::illegal_parameter;
        return true;
    case errc::weak_key:
        out = a::insufficient_security;
        return true;

    default:
        break;
    }
    // Any other decode-layer error is malformed peer input; anything else is our own failure.
    out = layer_of(e) == error_layer::decode ? a::decode_error : a::internal_error;
    return true;
}

} // namespace https::tls
