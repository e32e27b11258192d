// The X.509 v3 certificate model (RFC 5280 §4): a strict parse into spans of the original DER.
#pragma once

#include "../core/bytes.hpp"
#include "../core/config.hpp"
#include "../core/der.hpp"
#include "../core/oid.hpp"
#include "../core/result.hpp"
#include "name.hpp"
#include "time.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace https::x509 {

/// Certificates larger than this are rejected unparsed (real ones are a few KiB).
inline constexpr std::size_t max_certificate_size = 64 * 1024;
/// Limit on the entries of one subjectAltName and of one nameConstraints subtree list.
inline constexpr std::size_t max_general_names = 1024;
/// Limit on the number of extensions of one certificate.
inline constexpr std::size_t max_extensions = 64;

/// The digest named by a signature algorithm.
enum class hash_algorithm : std::uint8_t { none, md5, sha1, sha224, sha256, sha384, sha512 };

/// How a certificate is signed; `hash` says with which digest (MD5 and SHA-1 are refused later,
/// at validation, so that such certificates still parse and report `cert_weak_signature`).
struct signature_algorithm {
    enum class scheme : std::uint8_t { unknown, rsa_pkcs1, rsa_pss, ecdsa, ed25519 };
    scheme kind = scheme::unknown;
    hash_algorithm hash = hash_algorithm::none;
    std::uint32_t pss_salt_length = 0; ///< RSASSA-PSS only
    bytes_view der;                    ///< the whole AlgorithmIdentifier
};

/// The algorithm of a subject public key; `unsupported` covers algorithms and curves we parse
/// past but cannot verify with (DSA, P-521, brainpool, ...).
enum class key_algorithm : std::uint8_t { unsupported, rsa, ec_p256, ec_p384, ed25519 };

/// SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
struct public_key_info {
    bytes_view der; ///< the whole SubjectPublicKeyInfo
    key_algorithm algorithm = key_algorithm::unsupported;
    bytes_view key;           ///< subjectPublicKey BIT STRING contents
    bytes_view rsa_modulus;   ///< RSA: n, without sign padding
    bytes_view rsa_exponent;  ///< RSA: e, without sign padding
    std::size_t rsa_bits = 0; ///< RSA: bit length of n
};

/// keyUsage named bits (RFC 5280 §4.2.1.3), as a mask with bit i for named bit i.
namespace key_usage {
inline constexpr std::uint16_t digital_signature = 1u << 0;
inline constexpr std::uint16_t non_repudiation = 1u << 1;
inline constexpr std::uint16_t key_encipherment = 1u << 2;
inline constexpr std::uint16_t data_encipherment = 1u << 3;
inline constexpr std::uint16_t key_agreement = 1u << 4;
inline constexpr std::uint16_t key_cert_sign = 1u << 5;
inline constexpr std::uint16_t crl_sign = 1u << 6;
inline constexpr std::uint16_t encipher_only = 1u << 7;
inline constexpr std::uint16_t decipher_only = 1u << 8;
} // namespace key_usage

/// The extensions we know (RFC 5280 §4.2, RFC 6962 §3.3, RFC 7633), as bits of
/// `certificate::extensions_present` and `certificate::extensions_critical`.
namespace extension {
inline constexpr std::uint32_t basic_constraints = 1u << 0;
inline constexpr std::uint32_t key_usage = 1u << 1;
inline constexpr std::uint32_t ext_key_usage = 1u << 2;
inline constexpr std::uint32_t subject_alt_name = 1u << 3;
inline constexpr std::uint32_t name_constraints = 1u << 4;
inline constexpr std::uint32_t authority_key_id = 1u << 5;
inline constexpr std::uint32_t subject_key_id = 1u << 6;
inline constexpr std::uint32_t certificate_policies = 1u << 7;
inline constexpr std::uint32_t authority_info_access = 1u << 8;
inline constexpr std::uint32_t crl_distribution_points = 1u << 9;
inline constexpr std::uint32_t sct_list = 1u << 10;
inline constexpr std::uint32_t tls_feature = 1u << 11;
} // namespace extension

/// extKeyUsage (RFC 5280 §4.2.1.12): the purposes we act on.
struct extended_key_usage {
    bool server_auth = false;
    bool client_auth = false;
    bool ocsp_signing = false; ///< id-kp-OCSPSigning (RFC 6960 §4.2.2.2)
    bool any = false; ///< anyExtendedKeyUsage
};

/// GeneralName forms (RFC 5280 §4.2.1.6) we keep no values for, as bits of `other_forms`.
namespace name_form {
inline constexpr unsigned other_name = 1u << 0;
inline constexpr unsigned rfc822 = 1u << 1;
inline constexpr unsigned x400 = 1u << 3;
inline constexpr unsigned edi_party = 1u << 5;
inline constexpr unsigned uri = 1u << 6;
inline constexpr unsigned registered_id = 1u << 8;
} // namespace name_form

/// A list of GeneralNames, split by form. In a subjectAltName `ip_addresses` are 4 or 16 bytes;
/// in name constraints they are address and mask, 8 or 32 bytes.
struct general_names {
    std::vector<std::string_view> dns_names;
    std::vector<bytes_view> ip_addresses;
    std::vector<name> directory_names;
    unsigned other_forms = 0; ///< `name_form` bits present
    [[nodiscard]] bool empty() const noexcept {
        return dns_names.empty() && ip_addresses.empty() && directory_names.empty() &&
               other_forms == 0;
    }
};

/// nameConstraints (RFC 5280 §4.2.1.10).
struct name_constraints {
    general_names permitted;
    general_names excluded;
};

/// A parsed certificate. Every view points into the DER it was parsed from, which must outlive it.
struct certificate {
    bytes_view der;              ///< the whole Certificate
    bytes_view tbs;              ///< the signed TBSCertificate encoding
    unsigned version = 1;        ///< 1, 2 or 3
    bytes_view serial;           ///< INTEGER contents (positive; see `parse_certificate`)
    signature_algorithm sig_alg; ///< outer signatureAlgorithm (equal to the TBS one)
    bytes_view signature;        ///< signatureValue bits
    name issuer;
    name subject;
    unix_time not_before = 0;
    unix_time not_after = 0;
    public_key_info spki;

    // Extensions (RFC 5280 §4.2); absent ones keep these defaults. Every known extension is
    // checked well formed even when validation makes no use of it.
    std::uint32_t extensions_present = 0;  ///< `extension::` bits
    std::uint32_t extensions_critical = 0; ///< `extension::` bits marked critical
    bool is_ca = false;
    std::optional<std::uint32_t> path_len_constraint;
    std::optional<std::uint16_t> key_usage; ///< `key_usage::` bits
    extended_key_usage ext_key_usage;
    general_names subject_alt_names;
    std::optional<name_constraints> constraints;
    bytes_view authority_key_id; ///< keyIdentifier of authorityKeyIdentifier (may be empty)
    /// authorityKeyIdentifier names the issuer by authorityCertIssuer and SerialNumber.
    bool authority_key_id_names_issuer = false;
    bytes_view subject_key_id; ///< subjectKeyIdentifier (may be empty)
    /// The TLS Feature extension (RFC 7633) lists status_request: the server must staple an
    /// OCSP response ("must-staple").
    bool must_staple = false;
    /// A critical extension we do not process: RFC 5280 §4.2 says the certificate must then be
    /// rejected, which validation does (`errc::cert_unknown_critical_extension`).
    bool unknown_critical_extension = false;

    /// Issuer and subject are the same name (RFC 5280 §6.1: "self-issued").
    [[nodiscard]] bool self_issued() const { return names_equal(issuer, subject); }
    /// Is the extension (an `extension::` bit) present, and is it marked critical?
    [[nodiscard]] bool has(std::uint32_t ext) const noexcept {
        return (extensions_present & ext) != 0;
    }
    [[nodiscard]] bool is_critical(std::uint32_t ext) const noexcept {
        return (extensions_critical & ext) != 0;
    }
};

namespace detail {

inline bool all_ascii(bytes_view s) noexcept {
    return std::all_of(s.begin(), s.end(), [](std::uint8_t c) { return c < 0x80; });
}

inline std::string_view as_string(bytes_view b) noexcept {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

/// SEQUENCE SIZE (1..MAX) OF X with at most `max_general_names` elements: `read_one(parser&)`
/// consumes one element and returns a status.
template <class ReadOne> status for_each_element(der::parser seq, ReadOne&& read_one) {
    if (seq.empty()) {
        return errc::bad_encoding;
    }
    for (std::size_t count = 1; !seq.empty(); ++count) {
        if (count > max_general_names) {
            return errc::too_large;
        }
        HTTPS_TRY(read_one(seq));
    }
    return {};
}

} // namespace detail

namespace detail {

/// A digest AlgorithmIdentifier (RFC 4055 §2.1), parameters NULL or absent.
HTTPS_DECL result<hash_algorithm> parse_hash_identifier(der::parser& p) noexcept;
/// A signature AlgorithmIdentifier (RFC 4055, RFC 5758, RFC 8410); unknown algorithms parse as
/// `scheme::unknown`.
HTTPS_DECL result<signature_algorithm> parse_signature_algorithm(der::parser& p) noexcept;

} // namespace detail

/// Parse a DER certificate under strict DER and RFC 5280 rules. Any violation is
/// `errc::cert_malformed`; if `cause` is given it receives the underlying decode error
/// (`truncated`, `bad_time`, `non_minimal_encoding`, ...). The result's views point into `der`.
HTTPS_DECL result<certificate> parse_certificate(bytes_view der, errc* cause = nullptr);

/// One line for diagnostics (curl -v style): subject, issuer and validity period, or why the
/// certificate could not be parsed.
HTTPS_DECL std::string describe_certificate(bytes_view der);

} // namespace https::x509

#if !defined(HTTPS_SEPARATE_COMPILATION)
#include "impl/certificate.ipp"
#endif
