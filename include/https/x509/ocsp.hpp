// Stapled OCSP responses (RFC 6960) as a TLS server sends them (RFC 6066 §8, RFC 8446 §4.4.2.1):
// a strict parse, the check that the issuer (or a responder it authorised) signed a current
// status for the leaf, and what that status is.
#pragma once

#include "../core/bytes.hpp"
#include "../core/config.hpp"
#include "../core/result.hpp"
#include "certificate.hpp"
#include "name.hpp"
#include "time.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace https::x509 {

/// Responses larger than this are refused unparsed (a stapled response is 1-4 KiB).
inline constexpr std::size_t max_ocsp_response_size = 64 * 1024;
/// Limit on the SingleResponses and on the certificates of one response.
inline constexpr std::size_t max_ocsp_entries = 64;
/// How far thisUpdate may lie in the future, and nextUpdate in the past, for clocks that differ.
inline constexpr unix_time ocsp_clock_skew = 5 * 60;
/// How long a response without nextUpdate counts as current after its thisUpdate (RFC 6960
/// §4.2.2.1 leaves it to the client; the BRs ask responders for at most a few days).
inline constexpr unix_time ocsp_validity_without_next_update = 4 * 24 * 3600;

/// What a response says of a certificate (RFC 6960 §4.2.1 CertStatus).
enum class revocation_status : std::uint8_t { good, revoked, unknown };

/// One SingleResponse (RFC 6960 §4.2.1), as views into the response.
struct ocsp_single_response {
    hash_algorithm id_hash = hash_algorithm::none; ///< CertID.hashAlgorithm
    bytes_view issuer_name_hash;
    bytes_view issuer_key_hash;
    bytes_view serial; ///< CertID.serialNumber, INTEGER contents
    revocation_status status = revocation_status::unknown;
    unix_time revocation_time = 0; ///< revoked only
    unix_time this_update = 0;
    std::optional<unix_time> next_update;
};

/// A BasicOCSPResponse (RFC 6960 §4.2.1) of a successful OCSPResponse, as views into its DER.
struct ocsp_response {
    bytes_view tbs; ///< the signed ResponseData encoding
    signature_algorithm sig_alg;
    bytes_view signature;
    /// ResponderID: the SHA-1 of the responder's public key (byKey) or its name (byName).
    bytes_view responder_key_hash;
    std::optional<name> responder_name;
    unix_time produced_at = 0;
    std::vector<ocsp_single_response> responses;
    std::vector<bytes_view> certificates; ///< `certs`: DER certificates, e.g. a delegated responder
};

/// Parse an OCSPResponse under strict DER. Anything but a successful response of type
/// id-pkix-ocsp-basic, a malformed field, or a critical extension (response or single) is
/// `errc::cert_ocsp_malformed`; if `cause` is given it receives the underlying error.
HTTPS_DECL result<ocsp_response> parse_ocsp_response(bytes_view der, errc* cause = nullptr);

/// What a verified response says of the leaf, and for how long.
struct ocsp_status {
    revocation_status status = revocation_status::unknown;
    unix_time this_update = 0;
    std::optional<unix_time> next_update;
    unix_time revocation_time = 0; ///< revoked only
};

/// Check a stapled response for `leaf`, whose issuer is `issuer`, at time `now` (RFC 6960 §3.2):
/// it parses (`cert_ocsp_malformed`); it is signed by the issuer, or by a certificate in the
/// response that the issuer signed and that has id-kp-OCSPSigning and is valid at `now`
/// (§4.2.2.2; else `cert_ocsp_bad_responder`, also for MD5 or SHA-1 signatures); it has a
/// SingleResponse whose CertID names the leaf (issuer name and key hashes and serial number; else
/// `cert_ocsp_unknown`); and that response is current within `ocsp_clock_skew`
/// (`cert_ocsp_stale`). The status it gives is returned as is, revoked and unknown included.
HTTPS_DECL result<ocsp_status> check_ocsp_response(bytes_view der, const certificate& leaf,
                                                   const certificate& issuer, unix_time now);

} // namespace https::x509

#if !defined(HTTPS_SEPARATE_COMPILATION)
#include "impl/ocsp.ipp"
#endif
