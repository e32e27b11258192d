// Why the engine refused the server: one value per rule the server can break, each with the error
// (and so the alert) it puts on the wire and a sentence for the user.
#pragma once

#include "../core/errc.hpp"

#include <cstdint>

namespace https::tls {

// The one table of refusals: name, the `errc` it reports (which names the alert, `alert_for`),
// and its description. The enumeration and `info` are both generated from it, so that a rule
// cannot be added without its error and its words.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define HTTPS_TLS_REFUSALS(X) \
    /* records */ \
    X(record_type_invalid, tls_unexpected_message, \
      "a record of an unknown content type, or of one not allowed under protection") \
    X(record_too_long, tls_record_overflow, "a record over the size limit") \
    X(record_authentication_failed, tls_bad_record_mac, \
      "a record failed authentication (bad MAC or tag)") \
    X(record_malformed, tls_decode_error, "a record that cannot be read") \
    X(empty_handshake_record, tls_unexpected_message, "an empty handshake record") \
    X(handshake_message_too_large, too_large, \
      "a handshake message over the configured size limit") \
    X(record_interleaved, tls_unexpected_message, \
      "a record of another type arrived in the middle of a handshake message") \
    X(key_change_not_at_record_boundary, tls_unexpected_message, \
      "a handshake message that changes keys did not end its record") \
    X(unexpected_change_cipher_spec, tls_unexpected_message, \
      "a change_cipher_spec record where none may come") \
    X(malformed_change_cipher_spec, tls_decode_error, \
      "a change_cipher_spec record other than the single byte 1") \
    X(application_data_before_finished, tls_unexpected_message, \
      "application data before the handshake completed") \
    X(malformed_alert, tls_decode_error, "an alert record not of 2 bytes") \
    X(too_many_warning_alerts, tls_unexpected_message, "too many warning alerts") \
    X(closed_during_handshake, tls_closed, \
      "the server closed the connection during the handshake") \
    /* handshake messages out of place or unreadable */ \
    X(unexpected_handshake_message, tls_unexpected_message, "a handshake message out of order") \
    X(malformed_server_hello, tls_decode_error, "a malformed ServerHello") \
    X(malformed_encrypted_extensions, tls_decode_error, "malformed EncryptedExtensions") \
    X(malformed_certificate, tls_decode_error, "a malformed Certificate message") \
    X(malformed_certificate_request, tls_decode_error, "a malformed CertificateRequest") \
    X(malformed_certificate_verify, tls_decode_error, "a malformed CertificateVerify") \
    X(malformed_new_session_ticket, tls_decode_error, "a malformed NewSessionTicket") \
    X(malformed_key_update, tls_decode_error, "a malformed KeyUpdate") \
    X(malformed_server_key_exchange, tls_decode_error, "a malformed ServerKeyExchange") \
    X(malformed_server_hello_done, tls_decode_error, "a malformed ServerHelloDone") \
    X(malformed_hello_request, tls_decode_error, "a malformed HelloRequest") \
    X(malformed_handshake_message, tls_decode_error, "a malformed handshake message") \
    X(renegotiation_refused, tls_no_renegotiation, \
      "the server asked for a renegotiation, which we refuse") \
    /* ServerHello and HelloRetryRequest */ \
    X(downgrade_sentinel, tls_downgrade_detected, \
      "the ServerHello random carries the TLS 1.3 downgrade sentinel") \
    X(version_not_offered, tls_protocol_version, "the server selected a version we did not offer") \
    X(selected_version_not_tls13, tls_illegal_parameter, \
      "the ServerHello's supported_versions selects a version other than TLS 1.3") \
    X(legacy_version_not_tls12, tls_illegal_parameter, \
      "the TLS 1.3 ServerHello's legacy_version is not TLS 1.2") \
    X(tls12_after_hello_retry_request, tls_illegal_parameter, \
      "the server selected TLS 1.2 after its HelloRetryRequest chose TLS 1.3") \
    X(session_id_echo_mismatch, tls_illegal_parameter, \
      "the ServerHello does not echo our session id") \
    X(session_id_echoed, tls_illegal_parameter, \
      "the server resumed a TLS 1.2 session we never had (it echoed our session id)") \
    X(compression_not_null, tls_illegal_parameter, "the server selected a compression method") \
    X(cipher_suite_not_offered, tls_illegal_parameter, \
      "the server selected a cipher suite we did not offer for that version") \
    X(cipher_suite_changed_after_hello_retry, tls_illegal_parameter, \
      "the ServerHello's cipher suite differs from its HelloRetryRequest's") \
    X(missing_key_share, tls_missing_extension, "the ServerHello has no key_share") \
    X(key_share_group_not_offered, tls_illegal_parameter, \
      "the server's key share is for a group we sent no share for") \
    X(invalid_key_share, tls_illegal_parameter, \
      "the server's key share is not a valid public key of its group") \
    X(second_hello_retry_request, tls_unexpected_message, "a second HelloRetryRequest") \
    X(hello_retry_request_without_change, tls_illegal_parameter, \
      "a HelloRetryRequest that would not change the ClientHello") \
    X(hello_retry_group_not_offered, tls_illegal_parameter, \
      "the HelloRetryRequest asks for a group we do not support") \
    X(hello_retry_group_already_shared, tls_illegal_parameter, \
      "the HelloRetryRequest asks for the group we already sent a share for") \
    X(hello_retry_cookie_too_long, tls_illegal_parameter, \
      "the HelloRetryRequest's cookie leaves no room for the rest of the ClientHello") \
    /* extensions */ \
    X(extension_not_offered, tls_unsupported_extension, \
      "the server sent an extension we did not offer") \
    X(extension_not_allowed_here, tls_illegal_parameter, \
      "the server sent an extension in a message where it may not appear") \
    X(malformed_extension, tls_decode_error, "a malformed extension from the server") \
    X(server_name_acknowledgement_not_empty, tls_decode_error, \
      "the server_name acknowledgement is not empty") \
    X(alpn_protocol_not_offered, tls_illegal_parameter, \
      "the server selected an ALPN protocol we did not offer") \
    X(record_size_limit_too_small, tls_illegal_parameter, \
      "the server's record_size_limit is below 64") \
    X(ec_point_formats_without_uncompressed, tls_illegal_parameter, \
      "the server's ec_point_formats does not include uncompressed") \
    X(encrypt_then_mac_with_aead, tls_illegal_parameter, \
      "the server chose encrypt_then_mac with an AEAD suite") \
    X(renegotiation_info_not_empty, tls_handshake_failure, \
      "the server's renegotiation_info is not empty on an initial handshake") \
    X(extended_master_secret_missing, tls_handshake_failure, \
      "the server did not negotiate extended_master_secret, which we require") \
    /* certificate and signatures */ \
    X(certificate_request_context_not_empty, tls_illegal_parameter, \
      "the server's Certificate has a non-empty request context") \
    X(empty_certificate_chain, tls_decode_error, "the server sent an empty certificate chain") \
    X(certificate_entry_extension, tls_unsupported_extension, \
      "a certificate entry carries an extension we did not ask for") \
    X(malformed_certificate_status, tls_decode_error, \
      "a malformed stapled OCSP response (CertificateStatus)") \
    X(certificate_status_not_acknowledged, tls_unexpected_message, \
      "a CertificateStatus although the ServerHello did not acknowledge status_request") \
    X(status_request_acknowledgement_not_empty, tls_decode_error, \
      "the server's status_request acknowledgement in a TLS 1.2 ServerHello is not empty") \
    X(certificate_key_wrong_for_suite, tls_illegal_parameter, \
      "the certificate's key type does not fit the selected cipher suite") \
    X(signature_scheme_not_offered, tls_illegal_parameter, \
      "the server signed with a signature scheme we did not offer") \
    X(signature_key_mismatch, tls_illegal_parameter, \
      "the certificate's key does not fit the signature scheme") \
    X(certificate_verify_signature_invalid, tls_decrypt_error, \
      "the CertificateVerify signature does not verify") \
    X(server_key_exchange_group_not_offered, tls_illegal_parameter, \
      "the ServerKeyExchange names a group we did not offer") \
    X(server_key_exchange_signature_invalid, tls_decrypt_error, \
      "the ServerKeyExchange signature does not verify") \
    /* Finished */ \
    X(finished_length_wrong, tls_decode_error, "the server's Finished has the wrong length") \
    X(finished_mismatch, tls_decrypt_error, \
      "the server's Finished does not match the handshake (keys or transcript differ)") \

/// The rule the server broke. The alert-named `errc` says what goes on the wire; this says why,
/// so that "illegal_parameter" is never the whole story (`client::refusal_cause()`).
enum class refusal : std::uint8_t {
    none, ///< no refusal recorded (the error came from elsewhere: a certificate, the network...)
#define HTTPS_TLS_REFUSAL_NAME(name, error, text) name,
    HTTPS_TLS_REFUSALS(HTTPS_TLS_REFUSAL_NAME)
#undef HTTPS_TLS_REFUSAL_NAME
};

/// A refusal's error and its description.
struct refusal_info {
    errc error;
    const char* text;
};

inline constexpr refusal_info info(refusal r) noexcept {
    switch (r) {
    case refusal::none:
        return {errc::ok, "no refusal"};
#define HTTPS_TLS_REFUSAL_ROW(name, error, text)                                                   \
    case refusal::name:                                                                            \
        return {errc::error, text};
        HTTPS_TLS_REFUSALS(HTTPS_TLS_REFUSAL_ROW)
#undef HTTPS_TLS_REFUSAL_ROW
    }
    return {errc::tls_internal_error, "unknown refusal"};
}
#undef HTTPS_TLS_REFUSALS
// NOLINTEND(bugprone-macro-parentheses)

/// The sentence for a refusal ("the server selected a cipher suite we did not offer ...").
inline constexpr const char* describe(refusal r) noexcept { return info(r).text; }

/// The error a refusal reports, which names the alert sent.
inline constexpr errc error_of(refusal r) noexcept { return info(r).error; }

} // namespace https::tls
