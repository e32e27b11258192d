// The web PKI certificate profile: the RFC 5280 §4 requirements on certificate contents and the
// CA/Browser Forum Baseline Requirements (BR) §7.1 certificate profile, checked on every
// certificate of a path during validation, on top of RFC 5280 §6 path validation.
#pragma once

#include "../core/config.hpp"
#include "../core/result.hpp"
#include "certificate.hpp"
#include "hostname.hpp"

#include <cstdint>
#include <string_view>

namespace https::x509 {

/// Which rules a server certificate is held to beyond RFC 5280 §6 path validation.
enum class certificate_profile : std::uint8_t {
    /// RFC 5280 §4 and CA/Browser Forum BR §7.1, as the strictest web verifiers apply them
    /// (the default; what every publicly trusted server certificate satisfies).
    web_pki,
    /// RFC 5280 §6 path validation only: for private PKIs whose certificates do not follow the
    /// BRs (no extendedKeyUsage, no key identifiers, a Common Name that is not a SAN, ...).
    rfc5280,
};

/// Where a certificate sits on a path being validated.
enum class path_role : std::uint8_t { leaf, intermediate, anchor };

namespace detail {

/// 2012-07-01T00:00:00Z, from when the Baseline Requirements bind issuance (BR 1.1).
inline constexpr unix_time baseline_requirements_effective = 1341100800;

/// Is `name` a host name in the preferred name syntax (RFC 1034 §3.5 as RFC 1123 §2.1 relaxes
/// it; RFC 5280 §4.2.1.6): dot-separated labels of 1..63 letters, digits and hyphens, neither
/// starting nor ending with a hyphen, 253 characters in all? With `allow_wildcard`, the whole
/// left-most label may be `*` (BR 7.1.2.7.12's Wildcard Domain Name); no other `*` anywhere.
HTTPS_DECL bool preferred_dns_name(std::string_view name, bool allow_wildcard) noexcept;

/// Is `name` a public suffix we know of: any single label (a top-level domain), or one of the
/// second-level registry suffixes most used under country codes (co.uk, com.au, co.jp, ...; the
/// list is at the definition). A wildcard directly over one (`*.co.uk`) is refused, as
/// BR 3.2.2.6 forbids such issuance. Case-insensitive.
HTTPS_DECL bool known_public_suffix(std::string_view name) noexcept;

/// The rules of the web PKI profile for one certificate in role `role` (`self_issued`: issuer
/// and subject are equal). Each check cites its rule; the error names the rule broken.
HTTPS_DECL status check_web_pki_profile(const certificate& c, path_role role, bool self_issued);

} // namespace detail

} // namespace https::x509

#if !defined(HTTPS_SEPARATE_COMPILATION)
#include "impl/web_pki.ipp"
#endif
