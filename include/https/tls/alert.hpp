// TLS alerts (RFC 8446 §6): levels, descriptions, and the one table mapping errors to alerts.
#pragma once

#include "../core/errc.hpp"

#include <cstdint>

namespace https::tls {

enum class alert_level : std::uint8_t { warning = 1, fatal = 2 };

// RFC 8446 §6 AlertDescription, plus the TLS 1.2 values a 1.2 peer may still send: the one table
// from which the enumeration and the names are generated.
#define HTTPS_TLS_ALERTS(X) \
    X(close_notify, 0) X(unexpected_message, 10) X(bad_record_mac, 20) \
    X(decryption_failed, 21) /* TLS 1.2 and earlier; never sent */ \
    X(record_overflow, 22) X(handshake_failure, 40) X(bad_certificate, 42) \
    X(unsupported_certificate, 43) X(certificate_revoked, 44) X(certificate_expired, 45) \
    X(certificate_unknown, 46) X(illegal_parameter, 47) X(unknown_ca, 48) X(access_denied, 49) \
    X(decode_error, 50) X(decrypt_error, 51) X(protocol_version, 70) \
    X(insufficient_security, 71) X(internal_error, 80) X(inappropriate_fallback, 86) \
    X(user_canceled, 90) X(no_renegotiation, 100) X(missing_extension, 109) \
    X(unsupported_extension, 110) X(unrecognized_name, 112) \
    X(bad_certificate_status_response, 113) X(unknown_psk_identity, 115) \
    X(certificate_required, 116) X(no_application_protocol, 120)

enum class alert_description : std::uint8_t {
#define HTTPS_TLS_ALERT_VALUE(name, value) name = (value),
    HTTPS_TLS_ALERTS(HTTPS_TLS_ALERT_VALUE)
#undef HTTPS_TLS_ALERT_VALUE
};

/// The RFC name of an alert ("bad_record_mac"), or "unknown" for a value not in the registry.
inline const char* describe(alert_description d) noexcept {
    switch (d) {
#define HTTPS_TLS_ALERT_NAME(name, value) \
    case alert_description::name: return #name;
        HTTPS_TLS_ALERTS(HTTPS_TLS_ALERT_NAME)
#undef HTTPS_TLS_ALERT_NAME
    }
    return "unknown";
}
#undef HTTPS_TLS_ALERTS

/// The alert we send when we abort because of `e`: THE table from errors to alerts, used by every
/// handshake and the record layer, so each error has exactly one alert. Returns false for errors
/// after which no alert is sent (the peer already closed or alerted us).
inline bool alert_for(errc e, alert_description& out) noexcept {
    using a = alert_description;
    const auto send = [&](a d) {
        out = d;
        return true;
    };
    switch (e) {
    case errc::ok:
    case errc::tls_alert_received: // the peer already aborted; RFC 8446 §6.2: no reply
    case errc::tls_closed:
        return false;

    // TLS layer: one alert per error, named alike.
    case errc::tls_unexpected_message: return send(a::unexpected_message);
    case errc::tls_decode_error: return send(a::decode_error);
    case errc::tls_illegal_parameter: return send(a::illegal_parameter);
    case errc::tls_handshake_failure: return send(a::handshake_failure);
    case errc::tls_protocol_version: return send(a::protocol_version);
    case errc::tls_record_overflow: return send(a::record_overflow);
    case errc::tls_bad_record_mac: return send(a::bad_record_mac);
    case errc::tls_decrypt_error: return send(a::decrypt_error);
    case errc::tls_missing_extension: return send(a::missing_extension);
    case errc::tls_unsupported_extension: return send(a::unsupported_extension);
    case errc::tls_insufficient_security: return send(a::insufficient_security);
    case errc::tls_no_application_protocol: return send(a::no_application_protocol);
    case errc::tls_downgrade_detected: return send(a::illegal_parameter); // §4.1.3
    case errc::tls_no_renegotiation: return send(a::no_renegotiation);
    case errc::tls_internal_error: return send(a::internal_error);

    // Certificate validation (RFC 8446 §6.2 gives the meaning of each certificate alert).
    case errc::cert_expired:
    case errc::cert_not_yet_valid: return send(a::certificate_expired);
    case errc::cert_unknown_issuer:
    case errc::cert_self_signed_leaf:
    case errc::trust_store_unavailable: return send(a::unknown_ca);
    case errc::cert_unknown_critical_extension:
    case errc::cert_weak_key:
    case errc::cert_weak_signature: return send(a::unsupported_certificate);
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
    case errc::cert_ocsp_missing: return send(a::bad_certificate);
    case errc::cert_revoked: return send(a::certificate_revoked);
    case errc::cert_ocsp_malformed:
    case errc::cert_ocsp_bad_responder:
    case errc::cert_ocsp_stale:
    case errc::cert_ocsp_unknown: return send(a::bad_certificate_status_response); // RFC 6066 §8
    case errc::cert_no_identity: // our configuration named no server: not the certificate's fault
        return send(a::internal_error);

    // Cryptographic failures on peer input.
    case errc::bad_tag: return send(a::bad_record_mac);
    case errc::bad_signature: return send(a::decrypt_error); // §4.4.3
    case errc::bad_public_key:
    case errc::point_not_on_curve:
    case errc::point_at_infinity:
    case errc::zero_shared_secret:
    case errc::unsupported_curve:
    case errc::unsupported_algorithm: return send(a::illegal_parameter);
    case errc::weak_key: return send(a::insufficient_security);

    default:
        break;
    }
    // Any other decode-layer error is malformed peer input; anything else is our own failure.
    return send(layer_of(e) == error_layer::decode ? a::decode_error : a::internal_error);
}

} // namespace https::tls
