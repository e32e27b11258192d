// The web PKI certificate profile (x509/web_pki.hpp), out of line for separate compilation.
#pragma once

#include "../web_pki.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace https::x509 {

namespace detail {

HTTPS_DECL bool preferred_dns_name(std::string_view name, bool allow_wildcard) noexcept {
    if (allow_wildcard && name.size() > 2 && name[0] == '*' && name[1] == '.') {
        name.remove_prefix(2);
    }
    if (name.empty() || name.size() > 253) {
        return false;
    }
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t end = name.find('.', start);
        if (end == std::string_view::npos) {
            end = name.size();
        }
        const std::string_view label = name.substr(start, end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
            return false;
        }
        for (char c : label) {
            const bool ldh = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                             (c >= '0' && c <= '9') || c == '-';
            if (!ldh) {
                return false;
            }
        }
        start = end + 1;
    }
    return true;
}

HTTPS_DECL bool known_public_suffix(std::string_view name) noexcept {
    if (name.find('.') == std::string_view::npos) {
        return true; // a top-level domain
    }
    // Second-level suffixes of the ICANN section of the Public Suffix List under which registries
    // sell names, for the country codes with the most certificates. Sorted, lower case.
    static constexpr std::array<std::string_view, 64> suffixes = {
        "ac.in",  "ac.jp",  "ac.kr",  "ac.nz",  "ac.uk",  "ac.za",  "co.id",  "co.il",
        "co.in",  "co.jp",  "co.kr",  "co.nz",  "co.th",  "co.uk",  "co.za",  "com.ar",
        "com.au", "com.br", "com.cn", "com.co", "com.hk", "com.mx", "com.my", "com.pl",
        "com.sg", "com.tr", "com.tw", "com.ua", "com.vn", "edu.au", "edu.cn", "edu.tw",
        "go.jp",  "go.kr",  "gob.mx", "gov.au", "gov.br", "gov.cn", "gov.in", "gov.uk",
        "govt.nz", "id.au", "ltd.uk", "me.uk",  "ne.jp",  "ne.kr",  "net.au", "net.br",
        "net.cn", "net.in", "net.nz", "nhs.uk", "or.jp",  "or.kr",  "org.au", "org.br",
        "org.cn", "org.in", "org.mx", "org.nz", "org.tw", "org.uk", "org.za", "plc.uk",
    };
    if (name.size() > 8) {
        return false;
    }
    std::array<char, 8> lower{};
    for (std::size_t i = 0; i < name.size(); ++i) {
        lower[i] = ascii_lower(name[i]);
    }
    return std::binary_search(suffixes.begin(), suffixes.end(),
                              std::string_view(lower.data(), name.size()));
}

/// The Common Name attribute values of a name, as text (nothing for a string type that cannot
/// hold a host name); `count` receives the number of commonName attributes.
HTTPS_DECL std::vector<std::string_view> common_names(const name& n, std::size_t& count) {
    std::vector<std::string_view> out;
    count = 0;
    for_each_rdn(n, [&](der::parser rdn) {
        for (const attribute& a : rdn_attributes(rdn)) {
            if (!der::oid_equals(a.type, oid::at_common_name)) {
                continue;
            }
            ++count;
            const std::uint8_t t = a.value.tag;
            if (t == der::tag::utf8_string || t == der::tag::printable_string ||
                t == der::tag::ia5_string) {
                out.push_back(as_string(a.value.contents));
            }
        }
    });
    return out;
}

/// BR 7.1.4.3: the commonName, if present, is exactly one entry, a copy of one subjectAltName
/// value: a DNS name (compared case-insensitively, so in the same A-label form) or an IP address
/// in its canonical text (RFC 3986 §3.2.2 dotted decimal, RFC 5952 §4 for IPv6).
HTTPS_DECL status check_common_name(const certificate& c) {
    std::size_t count = 0;
    const std::vector<std::string_view> names = common_names(c.subject, count);
    if (count == 0) {
        return {};
    }
    if (count != 1 || names.size() != 1) {
        return errc::cert_common_name_mismatch;
    }
    const std::string_view cn = names.front();
    const general_names& san = c.subject_alt_names;
    if (std::any_of(san.dns_names.begin(), san.dns_names.end(),
                    [&](std::string_view d) { return iequals(d, cn); })) {
        return {};
    }
    for (bytes_view ip : san.ip_addresses) {
        ip_address a;
        a.size = static_cast<std::uint8_t>(ip.size());
        std::copy(ip.begin(), ip.end(), a.bytes.begin());
        if (format_ip_address(a) == cn) {
            return {};
        }
    }
    return errc::cert_common_name_mismatch;
}

/// BR 7.1.2.7.12 with RFC 5280 §4.2.1.6: a server certificate names its hosts in a
/// subjectAltName of dNSName and iPAddress entries only, critical exactly when the subject is
/// empty; each DNS name in the preferred name syntax, a wildcard only as the whole left-most label
/// and never directly over a public suffix (BR 3.2.2.6).
HTTPS_DECL status check_server_subject_alt_name(const certificate& c) {
    if (!c.has(extension::subject_alt_name)) {
        return errc::cert_bad_subject_alt_name;
    }
    if (c.is_critical(extension::subject_alt_name) != c.subject.empty()) {
        return errc::cert_bad_subject_alt_name;
    }
    const general_names& san = c.subject_alt_names;
    if (san.other_forms != 0 || !san.directory_names.empty()) {
        return errc::cert_bad_subject_alt_name;
    }
    for (std::string_view d : san.dns_names) {
        if (!preferred_dns_name(d, true)) {
            return errc::cert_bad_subject_alt_name;
        }
        if (d.size() > 2 && d[0] == '*' && known_public_suffix(d.substr(2))) {
            return errc::cert_bad_subject_alt_name;
        }
    }
    return {};
}

HTTPS_DECL status check_web_pki_profile(const certificate& c, path_role role, bool self_issued) {
    // Keys (BR 6.1.5): RSA with a modulus of at least 2048 bits (checked for every path by
    // `validate_path`) that is a multiple of 8; ECDSA on P-256 or P-384. Ed25519 (RFC 8410) is
    // accepted beyond the BRs. DSA, other curves and unknown algorithms cannot be verified.
    if (c.spki.algorithm == key_algorithm::unsupported) {
        return errc::unsupported_algorithm;
    }
    if (c.spki.algorithm == key_algorithm::rsa && c.spki.rsa_bits % 8 != 0) {
        return errc::cert_weak_key;
    }
    if (role != path_role::anchor && c.sig_alg.kind == signature_algorithm::scheme::unknown) {
        return errc::unsupported_algorithm;
    }
    if (role == path_role::anchor &&
        (c.version < 3 || c.not_before < baseline_requirements_effective)) {
        // A v1 or v2 certificate has no extensions; only a trust anchor may be one (path
        // validation accepts it as a CA there). And the BRs bind certificates issued from their
        // effective date on (BR 1.1): a root in the store made before it is held to RFC 5280
        // path validation alone. (Eight roots of the Mozilla store, all from 2003-2012, lack a
        // subjectKeyIdentifier, name their issuer in authorityKeyIdentifier or mark
        // basicConstraints not critical.)
        return {};
    }

    // Key identifiers (RFC 5280 §4.2.1.1-2; BR 7.1.2.11.1, 7.1.2.1.3, 7.1.2.11.4): never
    // critical; authorityKeyIdentifier with a keyIdentifier in every certificate that is not
    // self-issued; on a self-issued root, if present, only a keyIdentifier equal to its own
    // subjectKeyIdentifier; subjectKeyIdentifier in every CA certificate.
    if (c.is_critical(extension::authority_key_id) || c.is_critical(extension::subject_key_id)) {
        return errc::cert_bad_key_identifier;
    }
    if (!self_issued && c.authority_key_id.empty()) {
        return errc::cert_bad_key_identifier;
    }
    if (role == path_role::anchor && self_issued && c.has(extension::authority_key_id)) {
        if (c.authority_key_id_names_issuer || c.authority_key_id.empty() ||
            !std::equal(c.authority_key_id.begin(), c.authority_key_id.end(),
                        c.subject_key_id.begin(), c.subject_key_id.end())) {
            return errc::cert_bad_key_identifier;
        }
    }
    if (c.is_ca && c.subject_key_id.empty()) {
        return errc::cert_bad_key_identifier;
    }
    // BR 7.1: serial numbers greater than zero. RFC 5280 §4.1.2.2 asks users to tolerate zero,
    // which roots of the Mozilla store made after 2012 still carry (HARICA's of 2015), so it
    // is refused in the certificates a server sends only.
    if (role != path_role::anchor && c.serial.size() == 1 && c.serial[0] == 0) {
        return errc::cert_bad_serial;
    }

    // basicConstraints and keyUsage agree (RFC 5280 §4.2.1.3, §4.2.1.9; BR 7.1.2.10.4,
    // 7.1.2.10.7, 7.1.2.7.8): a CA certificate marks basicConstraints critical and has keyUsage
    // with keyCertSign; keyCertSign without cA=TRUE is an inconsistent certificate.
    const bool cert_sign = c.key_usage && (*c.key_usage & key_usage::key_cert_sign) != 0;
    if (c.is_ca && (!c.is_critical(extension::basic_constraints) || !cert_sign)) {
        return errc::cert_bad_basic_constraints;
    }
    if (!c.is_ca && cert_sign) {
        return errc::cert_bad_basic_constraints;
    }

    // nameConstraints (RFC 5280 §4.2.1.10; BR 7.1.2.7.6, 7.1.2.10.8): only in CA certificates,
    // and each dNSName subtree a DNS name in the preferred syntax (no leading period) or empty.
    if (c.has(extension::name_constraints)) {
        if (!c.is_ca) {
            return errc::cert_bad_name_constraints;
        }
        for (const general_names* subtrees : {&c.constraints->permitted, &c.constraints->excluded}) {
            for (std::string_view d : subtrees->dns_names) {
                if (!d.empty() && !preferred_dns_name(d, false)) {
                    return errc::cert_bad_name_constraints;
                }
            }
        }
    }

    if (role != path_role::leaf) {
        return {};
    }
    // The server certificate. extendedKeyUsage (BR 7.1.2.7.6, 7.1.2.7.10): present, not
    // critical, with id-kp-serverAuth and without anyExtendedKeyUsage.
    if (!c.has(extension::ext_key_usage) || c.is_critical(extension::ext_key_usage) ||
        !c.ext_key_usage.server_auth || c.ext_key_usage.any) {
        return errc::cert_bad_eku;
    }
    HTTPS_TRY(check_server_subject_alt_name(c));
    return check_common_name(c);
}

} // namespace detail

} // namespace https::x509
