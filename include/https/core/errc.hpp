// The project's one error enum, grouped in ranges by layer, wired into std::error_code.
#pragma once

#include <string>
#include <system_error>

namespace https {

/// Every error the library reports below the facade. Values are grouped by layer in ranges of
/// 100 so that a value alone says where it came from; `layer_of` returns that range.
/// Add new values inside their layer's range, never renumber existing ones.
enum class errc : int {
    ok = 0,

    // 100..199 decoding of peer or file input (bounds-checked reader, DER, PEM, base64, hex)
    truncated = 100,          ///< input ended before a field it announced
    trailing_data,            ///< bytes left over after a complete structure
    length_overflow,          ///< a length larger than the input, a limit or its length field
    too_large,                ///< input larger than the configured size limit
    too_deep,                 ///< nesting deeper than the configured limit
    bad_encoding,             ///< malformed encoding (not a more specific decode error)
    non_minimal_encoding,     ///< DER: a length or integer not in its shortest form
    indefinite_length,        ///< BER indefinite length in a DER context
    unexpected_tag,           ///< DER: a tag other than the one the structure requires
    bad_time,                 ///< UTCTime/GeneralizedTime not in the strict DER form
    bad_pem,                  ///< PEM armour or base64 malformed
    bad_hex,                  ///< hexadecimal text malformed
    // 150..169 compressed content: RFC 1951 DEFLATE and its RFC 1950 (zlib) and RFC 1952 (gzip)
    // wrappers, as HTTP's deflate and gzip content codings carry them
    inflate_truncated = 150,  ///< the compressed stream ended before its last block or trailer
    inflate_bad_header,       ///< zlib or gzip header invalid (method, flags, check bits, dictionary)
    inflate_bad_block_type,   ///< DEFLATE block type 3, which RFC 1951 §3.2.3 reserves
    inflate_bad_stored_length,///< a stored block's LEN is not the complement of its NLEN
    inflate_bad_code_lengths, ///< Huffman code lengths over-subscribed, incomplete or miscounted
    inflate_bad_symbol,       ///< a literal/length or distance code that stands for nothing
    inflate_distance_too_far, ///< a back-reference to before the start of the output
    inflate_bad_checksum,     ///< Adler-32, CRC-32, ISIZE or gzip header CRC does not match
    inflate_trailing_data,    ///< bytes after the end of the compressed stream
    inflate_too_large,        ///< decoded output above the configured size cap
    inflate_ratio_exceeded,   ///< decoded output above the configured multiple of its input

    // 200..299 cryptography
    bad_key_size = 200,       ///< a key of a length the algorithm does not accept
    bad_nonce_size,           ///< a nonce/IV of a length the algorithm does not accept
    bad_tag,                  ///< AEAD tag or MAC did not verify (no plaintext released)
    bad_padding,              ///< block-cipher padding invalid
    message_too_long,         ///< input beyond the algorithm's length limit
    output_too_small,         ///< caller's output buffer shorter than needed
    bad_signature,            ///< a signature that does not verify or is malformed
    bad_public_key,           ///< a public key that is malformed or fails validation
    weak_key,                 ///< a key below the policy's minimum strength
    point_not_on_curve,       ///< an elliptic-curve point that is not on the curve
    point_at_infinity,        ///< the identity where a proper point is required
    unsupported_curve,        ///< a named curve we do not implement
    unsupported_algorithm,    ///< an algorithm identifier we do not implement or allow
    zero_shared_secret,       ///< X25519 produced the all-zero output (small-order point)
    random_failure,           ///< the operating system's random number source failed
    out_of_range,             ///< a numeric value outside the range the algorithm allows
    bad_ciphertext_size,      ///< a KEM ciphertext of a length the algorithm does not accept
    bad_private_key,          ///< a private key that is malformed or fails its consistency check
    signing_fault,            ///< a signature failed its own check before release (a fault while signing)
    // Private-key files (x509/private_key.hpp): PKCS #8, PKCS #1, SEC 1, PBES2 encryption.
    key_passphrase_required,  ///< the key file is encrypted and no passphrase was given
    key_decrypt_failed,       ///< wrong passphrase, or the encrypted key is corrupt (bad padding or contents)
    key_legacy_encryption,    ///< OpenSSL's traditional "Proc-Type: 4,ENCRYPTED" PEM, which we refuse
    key_certificate_mismatch, ///< the private key does not belong to the certificate's public key
    kdf_iterations_exceeded,  ///< a password-based KDF asks for more iterations than the cap

    // 300..399 X.509 path validation
    cert_malformed = 300,     ///< certificate does not parse under strict DER/RFC 5280 rules
    cert_expired,             ///< notAfter is before the verification time
    cert_not_yet_valid,       ///< notBefore is after the verification time
    cert_hostname_mismatch,   ///< no subjectAltName matches the requested host or address
    cert_unknown_issuer,      ///< no path to a trust anchor could be built
    cert_bad_signature,       ///< a signature in the chain does not verify
    cert_weak_key,            ///< a key outside policy (RSA < 2048 bits or not a multiple of 8)
    cert_weak_signature,      ///< a signature algorithm the policy refuses (MD5, SHA-1)
    cert_not_ca,              ///< an issuer without basicConstraints cA=TRUE or keyCertSign
    cert_path_length_exceeded,///< pathLenConstraint violated
    cert_name_constraint_violated,
    cert_bad_eku,             ///< extKeyUsage missing or wrong for a server (serverAuth)
    cert_unknown_critical_extension,
    cert_self_signed_leaf,    ///< the leaf is self-signed and not itself trusted
    cert_chain_too_long,      ///< path building gave up at the depth limit
    cert_bad_key_usage,       ///< keyUsage forbids the use the path needs
    trust_store_unavailable,  ///< no system or configured trust anchors could be loaded
    cert_no_identity,         ///< no host name or address to check, and host_check::none not set
    // The web PKI profile (x509::certificate_profile::web_pki): a certificate that parses and
    // chains but breaks a rule of RFC 5280 §4 or the CA/Browser Forum Baseline Requirements §7.1.
    cert_bad_key_identifier,  ///< authority/subjectKeyIdentifier missing, critical or inconsistent
    cert_bad_basic_constraints, ///< basicConstraints not critical in a CA, or cA and keyCertSign disagree
    cert_bad_name_constraints,///< nameConstraints in an end-entity certificate, or not a valid name
    cert_bad_subject_alt_name,///< subjectAltName missing, wrongly critical, or not a valid host name
    cert_common_name_mismatch,///< the subject commonName is not one of the subjectAltName entries
    cert_bad_serial,          ///< serial number zero in a certificate the server sent
    // Revocation through a stapled OCSP response (RFC 6960, RFC 6066 §8, RFC 7633).
    cert_revoked,             ///< a valid OCSP response says the certificate is revoked
    cert_ocsp_missing,        ///< the certificate demands a staple (must-staple) and none was usable
    cert_ocsp_malformed,      ///< the stapled response does not parse, or did not succeed
    cert_ocsp_bad_responder,  ///< not signed by the issuer or a responder it authorised
    cert_ocsp_stale,          ///< thisUpdate in the future, or nextUpdate passed
    cert_ocsp_unknown,        ///< the response has no status for this certificate, or "unknown"

    // 400..499 TLS
    tls_unexpected_message = 400,
    tls_decode_error,
    tls_illegal_parameter,
    tls_handshake_failure,
    tls_protocol_version,
    tls_record_overflow,
    tls_bad_record_mac,
    tls_decrypt_error,
    tls_missing_extension,
    tls_unsupported_extension,
    tls_insufficient_security,
    tls_no_application_protocol,
    tls_downgrade_detected,   ///< RFC 8446 §4.1.3 sentinel found in ServerHello.random
    tls_no_renegotiation,
    tls_alert_received,       ///< the peer sent a fatal alert (see the engine for which)
    tls_closed,               ///< the peer sent close_notify
    tls_internal_error,

    // 500..599 HTTP
    http_bad_url = 500,
    http_unsupported_scheme,
    http_bad_status_line,
    http_bad_header,
    http_header_too_large,
    http_bad_content_length,
    http_bad_chunk,
    http_body_too_large,
    http_too_many_redirects,
    http_insecure_redirect,
    http_truncated_body,
    http_aborted,             ///< the caller's body callback asked to stop
    http_too_many_interim,    ///< more interim (1xx) responses than parser_limits allows
    http_body_read_failed,    ///< a request body source could not be opened or read
    http_body_length_mismatch,///< a request body source ended before the size it announced
    http_body_not_rewindable, ///< a request body must be sent again and its source cannot restart

    // 600..699 network
    net_resolve_failed = 600,
    net_connect_failed,
    net_timeout,
    net_connection_closed,
    net_io_error,
    net_idle_timeout,         ///< no progress on a connection for the idle timeout
};

namespace detail {
class errc_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "https"; }
    std::string message(int value) const override;
};
} // namespace detail

/// The std::error_category of `https::errc`.
inline const std::error_category& errc_category() noexcept {
    static const detail::errc_category_impl instance;
    return instance;
}

inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), errc_category()};
}

/// A short English description of an error value.
inline const char* describe(errc e) noexcept {
    switch (e) {
    case errc::ok: return "success";
    case errc::truncated: return "input truncated";
    case errc::trailing_data: return "trailing data after structure";
    case errc::length_overflow: return "length field exceeds input or limit";
    case errc::too_large: return "input exceeds size limit";
    case errc::too_deep: return "nesting exceeds depth limit";
    case errc::bad_encoding: return "malformed encoding";
    case errc::non_minimal_encoding: return "non-minimal DER encoding";
    case errc::indefinite_length: return "indefinite length not allowed in DER";
    case errc::unexpected_tag: return "unexpected DER tag";
    case errc::bad_time: return "malformed time value";
    case errc::bad_pem: return "malformed PEM";
    case errc::bad_hex: return "malformed hexadecimal";
    case errc::inflate_truncated: return "compressed stream truncated";
    case errc::inflate_bad_header: return "invalid zlib or gzip header";
    case errc::inflate_bad_block_type: return "invalid DEFLATE block type";
    case errc::inflate_bad_stored_length: return "DEFLATE stored block length check failed";
    case errc::inflate_bad_code_lengths: return "invalid DEFLATE Huffman code lengths";
    case errc::inflate_bad_symbol: return "invalid DEFLATE literal/length or distance code";
    case errc::inflate_distance_too_far: return "DEFLATE distance too far back";
    case errc::inflate_bad_checksum: return "compressed stream checksum mismatch";
    case errc::inflate_trailing_data: return "data after the end of the compressed stream";
    case errc::inflate_too_large: return "decompressed body exceeds size limit";
    case errc::inflate_ratio_exceeded: return "decompression ratio exceeds limit";
    case errc::bad_key_size: return "unsupported key size";
    case errc::bad_nonce_size: return "unsupported nonce size";
    case errc::bad_tag: return "authentication tag mismatch";
    case errc::bad_padding: return "invalid padding";
    case errc::message_too_long: return "message exceeds algorithm limit";
    case errc::output_too_small: return "output buffer too small";
    case errc::bad_signature: return "signature verification failed";
    case errc::bad_public_key: return "invalid public key";
    case errc::weak_key: return "key below minimum strength";
    case errc::point_not_on_curve: return "point not on curve";
    case errc::point_at_infinity: return "point at infinity";
    case errc::unsupported_curve: return "unsupported curve";
    case errc::unsupported_algorithm: return "unsupported algorithm";
    case errc::zero_shared_secret: return "all-zero shared secret";
    case errc::random_failure: return "operating system random source failed";
    case errc::out_of_range: return "value out of range";
    case errc::bad_ciphertext_size: return "unsupported ciphertext size";
    case errc::bad_private_key: return "invalid private key";
    case errc::signing_fault: return "signature failed its check before release (fault while signing)";
    case errc::key_passphrase_required: return "private key is encrypted and no passphrase was given";
    case errc::key_decrypt_failed: return "private key decryption failed (wrong passphrase or corrupt key)";
    case errc::key_legacy_encryption: return "traditional OpenSSL PEM encryption (Proc-Type: 4,ENCRYPTED) is not supported; convert with openssl pkcs8 -topk8";
    case errc::key_certificate_mismatch: return "private key does not match the certificate's public key";
    case errc::kdf_iterations_exceeded: return "password-based key derivation asks for too many iterations";
    case errc::cert_malformed: return "certificate malformed";
    case errc::cert_expired: return "certificate expired";
    case errc::cert_not_yet_valid: return "certificate not yet valid";
    case errc::cert_hostname_mismatch: return "certificate does not match host name";
    case errc::cert_unknown_issuer: return "certificate issuer unknown (no path to a trust anchor)";
    case errc::cert_bad_signature: return "certificate signature invalid";
    case errc::cert_weak_key: return "certificate key too weak";
    case errc::cert_weak_signature: return "certificate signature algorithm too weak";
    case errc::cert_not_ca: return "issuer is not a CA";
    case errc::cert_path_length_exceeded: return "path length constraint exceeded";
    case errc::cert_name_constraint_violated: return "name constraint violated";
    case errc::cert_bad_eku: return "extended key usage missing or not for server authentication";
    case errc::cert_unknown_critical_extension: return "unknown critical extension";
    case errc::cert_self_signed_leaf: return "self-signed certificate";
    case errc::cert_chain_too_long: return "certificate chain too long";
    case errc::cert_bad_key_usage: return "key usage does not allow this use";
    case errc::trust_store_unavailable: return "no trust anchors available";
    case errc::cert_no_identity: return "no host name or address to check the certificate against";
    case errc::cert_bad_key_identifier: return "certificate key identifier missing, critical or inconsistent";
    case errc::cert_bad_basic_constraints: return "certificate basic constraints inconsistent with its key usage or not critical";
    case errc::cert_bad_name_constraints: return "name constraints in an end-entity certificate or not a valid name";
    case errc::cert_bad_subject_alt_name: return "certificate subject alternative name missing, wrongly critical or not a valid host name";
    case errc::cert_common_name_mismatch: return "certificate common name is not one of its subject alternative names";
    case errc::cert_bad_serial: return "certificate serial number is zero";
    case errc::cert_revoked: return "certificate revoked (stapled OCSP response)";
    case errc::cert_ocsp_missing: return "certificate requires a stapled OCSP response (must-staple) and none was usable";
    case errc::cert_ocsp_malformed: return "stapled OCSP response malformed or not successful";
    case errc::cert_ocsp_bad_responder: return "stapled OCSP response not signed by the issuer or its responder";
    case errc::cert_ocsp_stale: return "stapled OCSP response not current";
    case errc::cert_ocsp_unknown: return "stapled OCSP response gives no status for the certificate";
    case errc::tls_unexpected_message: return "TLS unexpected message";
    case errc::tls_decode_error: return "TLS decode error";
    case errc::tls_illegal_parameter: return "TLS illegal parameter";
    case errc::tls_handshake_failure: return "TLS handshake failure";
    case errc::tls_protocol_version: return "TLS protocol version not supported";
    case errc::tls_record_overflow: return "TLS record overflow";
    case errc::tls_bad_record_mac: return "TLS bad record MAC";
    case errc::tls_decrypt_error: return "TLS decrypt error";
    case errc::tls_missing_extension: return "TLS missing extension";
    case errc::tls_unsupported_extension: return "TLS unsupported extension";
    case errc::tls_insufficient_security: return "TLS insufficient security";
    case errc::tls_no_application_protocol: return "TLS no application protocol";
    case errc::tls_downgrade_detected: return "TLS downgrade detected";
    case errc::tls_no_renegotiation: return "TLS renegotiation refused";
    case errc::tls_alert_received: return "TLS fatal alert received from peer";
    case errc::tls_closed: return "TLS connection closed by peer";
    case errc::tls_internal_error: return "TLS internal error";
    case errc::http_bad_url: return "malformed URL";
    case errc::http_unsupported_scheme: return "unsupported URL scheme";
    case errc::http_bad_status_line: return "malformed HTTP status line";
    case errc::http_bad_header: return "malformed HTTP header";
    case errc::http_header_too_large: return "HTTP header too large";
    case errc::http_bad_content_length: return "invalid or conflicting Content-Length";
    case errc::http_bad_chunk: return "malformed chunked encoding";
    case errc::http_body_too_large: return "HTTP body exceeds limit";
    case errc::http_too_many_redirects: return "too many redirects";
    case errc::http_insecure_redirect: return "redirect from https to http refused";
    case errc::http_truncated_body: return "HTTP body truncated";
    case errc::http_aborted: return "transfer aborted by callback";
    case errc::http_too_many_interim: return "too many interim (1xx) responses";
    case errc::http_body_read_failed: return "could not read the request body";
    case errc::http_body_length_mismatch: return "request body shorter than its announced size";
    case errc::http_body_not_rewindable: return "request body cannot be sent again";
    case errc::net_resolve_failed: return "could not resolve host";
    case errc::net_connect_failed: return "could not connect";
    case errc::net_timeout: return "operation timed out";
    case errc::net_connection_closed: return "connection closed";
    case errc::net_io_error: return "network I/O error";
    case errc::net_idle_timeout: return "no data from the server within the idle timeout";
    }
    return "unknown error";
}

inline std::string detail::errc_category_impl::message(int value) const {
    return describe(static_cast<errc>(value));
}

/// The layer an error belongs to, from its numeric range.
enum class error_layer { none, decode, crypto, x509, tls, http, net };

inline error_layer layer_of(errc e) noexcept {
    switch (static_cast<int>(e) / 100) {
    case 1: return error_layer::decode;
    case 2: return error_layer::crypto;
    case 3: return error_layer::x509;
    case 4: return error_layer::tls;
    case 5: return error_layer::http;
    case 6: return error_layer::net;
    default: return error_layer::none;
    }
}

} // namespace https

template <> struct std::is_error_code_enum<https::errc> : std::true_type {};
