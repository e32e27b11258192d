// Path validation and verify_chain (x509/verify.hpp), out of line for separate compilation.
#pragma once

#include "../verify.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace https::x509 {

namespace detail {

HTTPS_DECL status check_name_constraints(const certificate& c, const name_constraints& nc) {
    const general_names& names = c.subject_alt_names;
    if ((names.other_forms & (nc.permitted.other_forms | nc.excluded.other_forms)) != 0) {
        return errc::cert_name_constraint_violated;
    }
    for (std::string_view dns : names.dns_names) {
        // A permitted subtree blesses host names only: a SAN that is not one in the preferred
        // name syntax is never inside it, whatever its suffix.
        if (!nc.permitted.dns_names.empty() &&
            (!preferred_dns_name(dns, true) ||
             std::none_of(nc.permitted.dns_names.begin(), nc.permitted.dns_names.end(),
                         [&](std::string_view p) { return dns_within(dns, p); }))) {
            return errc::cert_name_constraint_violated;
        }
        if (std::any_of(nc.excluded.dns_names.begin(), nc.excluded.dns_names.end(),
                        [&](std::string_view e) {
                            return dns_within(dns, e) || wildcard_may_enter(dns, e);
                        })) {
            return errc::cert_name_constraint_violated;
        }
    }
    for (bytes_view ip : names.ip_addresses) {
        if (!nc.permitted.ip_addresses.empty() &&
            std::none_of(nc.permitted.ip_addresses.begin(), nc.permitted.ip_addresses.end(),
                         [&](bytes_view p) { return ip_within(ip, p); })) {
            return errc::cert_name_constraint_violated;
        }
        if (std::any_of(nc.excluded.ip_addresses.begin(), nc.excluded.ip_addresses.end(),
                        [&](bytes_view e) { return ip_within(ip, e); })) {
            return errc::cert_name_constraint_violated;
        }
    }
    if (nc.permitted.directory_names.empty() && nc.excluded.directory_names.empty()) {
        return {};
    }
    std::vector<name> directories = names.directory_names;
    if (!c.subject.empty()) {
        directories.push_back(c.subject);
    }
    for (const name& n : directories) {
        const std::vector<std::string> rdns = rdn_keys(n);
        if (!nc.permitted.directory_names.empty() &&
            std::none_of(nc.permitted.directory_names.begin(), nc.permitted.directory_names.end(),
                         [&](const name& p) { return directory_within(rdns, p); })) {
            return errc::cert_name_constraint_violated;
        }
        if (std::any_of(nc.excluded.directory_names.begin(), nc.excluded.directory_names.end(),
                        [&](const name& e) { return directory_within(rdns, e); })) {
            return errc::cert_name_constraint_violated;
        }
    }
    return {};
}

HTTPS_DECL status validate_path_element(const std::vector<const path_node*>& path,
                                        std::size_t i, unix_time now,
                                        certificate_profile profile) {
    const std::size_t n = path.size();
    const certificate& c = *path[i]->cert;
    if (now < c.not_before) {
        return errc::cert_not_yet_valid;
    }
    if (now > c.not_after) {
        return errc::cert_expired;
    }
    if (c.unknown_critical_extension) {
        return errc::cert_unknown_critical_extension;
    }
    if (c.spki.algorithm == key_algorithm::rsa && c.spki.rsa_bits < min_rsa_bits) {
        return errc::cert_weak_key;
    }
    if (i + 1 < n && weak_hash(c.sig_alg.hash)) {
        return errc::cert_weak_signature;
    }
    if (i >= 1) {
        // §6.1.4 (k): an issuer must be a CA.
        const bool legacy_anchor = i == n - 1 && c.version < 3;
        if (!legacy_anchor && !(c.has(extension::basic_constraints) && c.is_ca)) {
            return errc::cert_not_ca;
        }
        // §6.1.4 (n): keyCertSign when keyUsage is present.
        if (c.key_usage && (*c.key_usage & key_usage::key_cert_sign) == 0) {
            return errc::cert_bad_key_usage;
        }
        // EKU on a CA restricts what it may issue for (CA/B Forum BR 7.1.2.2; every browser).
        // A trust anchor's EKU is honoured the same way, as a constraint on what it may
        // issue for (as NSS and Chrome do), although BR 7.1.2.1.2 forbids EKU in roots:
        // refusing such a root outright would only refuse what it was trusted for.
        if (c.has(extension::ext_key_usage) && !c.ext_key_usage.server_auth &&
            !c.ext_key_usage.any) {
            return errc::cert_bad_eku;
        }
        // §6.1.4 (l)-(m): at most pathLenConstraint non-self-issued intermediates below it.
        if (c.path_len_constraint) {
            std::size_t below = 0;
            for (std::size_t j = 1; j < i; ++j) {
                below += path[j]->self_issued ? 0 : 1;
            }
            if (below > *c.path_len_constraint) {
                return errc::cert_path_length_exceeded;
            }
        }
    } else {
        // The leaf: serverAuth when EKU is present (anyExtendedKeyUsage is not enough, as in
        // OpenSSL; BR 7.1.2.3 forbids it in server certificates) and a keyUsage that allows
        // a TLS key exchange or handshake signature.
        if (c.has(extension::ext_key_usage) && !c.ext_key_usage.server_auth) {
            return errc::cert_bad_eku;
        }
        constexpr std::uint16_t tls_uses = key_usage::digital_signature |
                                           key_usage::key_encipherment |
                                           key_usage::key_agreement;
        if (c.key_usage && (*c.key_usage & tls_uses) == 0) {
            return errc::cert_bad_key_usage;
        }
    }
    // §6.1.3 (b)-(c): names below a constraining CA; self-issued intermediates are exempt.
    if (i == 0 || !path[i]->self_issued) {
        for (std::size_t k = i + 1; k < n; ++k) {
            if (path[k]->cert->constraints) {
                HTTPS_TRY(check_name_constraints(c, *path[k]->cert->constraints));
            }
        }
    }
    if (profile == certificate_profile::web_pki) {
        const path_role role = i == 0       ? path_role::leaf
                               : i == n - 1 ? path_role::anchor
                                            : path_role::intermediate;
        HTTPS_TRY(check_web_pki_profile(c, role, path[i]->self_issued));
    }
    return {};
}

HTTPS_DECL status validate_path(const std::vector<const path_node*>& path, unix_time now,
                                certificate_profile profile, std::size_t* failed_at) {
    for (std::size_t i = path.size(); i-- > 0;) {
        if (const status s = validate_path_element(path, i, now, profile); !s) {
            if (failed_at != nullptr) {
                *failed_at = i;
            }
            return s;
        }
    }
    return {};
}

} // namespace detail

HTTPS_DECL result<verified_path> verify_chain(bytes_view leaf,
                                              std::span<const bytes_view> untrusted,
                                              const trust_store& anchors,
                                              const verify_options& options) {
    return detail::verify_chain_with(detail::verify_signature, leaf, untrusted, anchors, options);
}

} // namespace https::x509
