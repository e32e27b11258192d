// Shared X.509 test data: the generated chains of tests/fixtures/x509/ and the table of cases that
// the rule tests and the OpenSSL differential test both run.
#pragma once

#include <https/x509/pem.hpp>
#include <https/x509/verify.hpp>

#include <support/vectors.hpp>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace x509test {

using https::byte_vector;
using https::bytes_view;
using https::errc;

/// Every fixture is valid or invalid as its name says at this instant, 2025-06-01T00:00:00Z
/// (see make_chains.sh).
inline constexpr https::x509::unix_time verify_time = 1748736000;

inline std::string fixture_path(const std::string& name) {
    return std::string(HTTPS_SOURCE_DIR) + "/tests/fixtures/x509/" + name + ".pem";
}

inline std::string fixture_text(const std::string& name) {
    return test::read_file(fixture_path(name));
}

/// The single certificate of a fixture file, as DER.
inline byte_vector der(const std::string& name) {
    auto certs = https::x509::parse_pem_certificates(fixture_text(name));
    if (!certs || certs->size() != 1) {
        throw std::runtime_error("fixture " + name + " is not one PEM certificate");
    }
    return std::move(certs->front());
}

/// A signature verifier backed by OpenSSL's libcrypto, the oracle test_signature.cpp compares our
/// verify_signature with on every fixture edge.
inline https::status openssl_verify_signature(const https::x509::public_key_info& key,
                                              const https::x509::signature_algorithm& alg,
                                              bytes_view tbs, bytes_view signature) {
    using https::x509::hash_algorithm;
    using scheme = https::x509::signature_algorithm::scheme;
    if (!https::x509::detail::key_fits_algorithm(key, alg)) {
        return errc::cert_bad_signature;
    }
    const unsigned char* p = key.der.data();
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
        d2i_PUBKEY(nullptr, &p, static_cast<long>(key.der.size())), EVP_PKEY_free);
    if (!pkey) {
        return errc::cert_bad_signature;
    }
    const EVP_MD* md = nullptr;
    switch (alg.hash) {
    case hash_algorithm::md5:
        md = EVP_md5();
        break;
    case hash_algorithm::sha1:
        md = EVP_sha1();
        break;
    case hash_algorithm::sha224:
        md = EVP_sha224();
        break;
    case hash_algorithm::sha256:
        md = EVP_sha256();
        break;
    case hash_algorithm::sha384:
        md = EVP_sha384();
        break;
    case hash_algorithm::sha512:
        md = EVP_sha512();
        break;
    case hash_algorithm::none:
        break;
    }
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_PKEY_CTX* pctx = nullptr;
    if (EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, pkey.get()) != 1) {
        return errc::cert_bad_signature;
    }
    if (alg.kind == scheme::rsa_pss) {
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, static_cast<int>(alg.pss_salt_length)) != 1 ||
            EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1) {
            return errc::cert_bad_signature;
        }
    }
    const int ok =
        EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), tbs.data(), tbs.size());
    return ok == 1 ? https::status{} : https::status{errc::cert_bad_signature};
}

/// One verification scenario over the fixtures.
struct chain_case {
    std::string name;
    std::string leaf;
    std::vector<std::string> untrusted; ///< fixture names, in the order the "server" sends them
    std::vector<std::string> roots;     ///< fixture names making up the trust store
    std::string dns_name;               ///< -verify_hostname
    std::string ip;                     ///< -verify_ip
    errc expected = errc::ok;
    std::size_t path_length = 0; ///< for accepted cases: certificates leaf..anchor
    /// Does `openssl verify -x509_strict` agree with `expected`? When not, `why` says why we
    /// differ.
    bool openssl_agrees = true;
    std::string why;

    chain_case(std::string name_, std::string leaf_, std::vector<std::string> untrusted_,
               std::vector<std::string> roots_, std::string dns_name_, std::string ip_,
               errc expected_ = errc::ok, std::size_t path_length_ = 0, bool openssl_agrees_ = true,
               std::string why_ = {})
        : name(std::move(name_)), leaf(std::move(leaf_)), untrusted(std::move(untrusted_)),
          roots(std::move(roots_)), dns_name(std::move(dns_name_)), ip(std::move(ip_)),
          expected(expected_), path_length(path_length_), openssl_agrees(openssl_agrees_),
          why(std::move(why_)) {}
};

/// The web PKI profile's pairs (make_chains.sh group `webpki`): for each rule, a chain that
/// satisfies it and one that breaks exactly it. `why` explains each verdict OpenSSL does not share
/// (`openssl verify -x509_strict` applies RFC 5280 and a few of its own strict checks, not the
/// CA/Browser Forum profile).
inline void add_web_pki_cases(std::vector<chain_case>& v) {
    const std::vector<std::string> w_int = {"w_int"};
    const std::vector<std::string> w_root = {"w_root"};
    // rule: name, leaf, untrusted, roots, host, expected, path length (accepted) or 0
    auto add = [&](std::string name, std::string leaf, std::vector<std::string> untrusted,
                   std::vector<std::string> roots, std::string host, errc expected,
                   std::size_t length = 0) {
        v.push_back({"web PKI: " + name, std::move(leaf), std::move(untrusted), std::move(roots),
                     std::move(host), "", expected, length});
    };
    auto under_w_int = [&](std::string name, std::string leaf, std::string host, errc expected) {
        add(std::move(name), std::move(leaf), w_int, w_root, std::move(host), expected,
            expected == errc::ok ? 3 : 0);
    };
    under_w_int("a leaf that satisfies every rule", "w_good", "good.webpki.example.com", errc::ok);
    v.push_back({"web PKI: the same leaf, checked by IP address", "w_good", w_int, w_root, "",
                 "192.0.2.1", errc::ok, 3});
    // Key identifiers.
    under_w_int("no authorityKeyIdentifier below the root", "w_no_aki", "no-aki.example.com",
                errc::cert_bad_key_identifier);
    under_w_int("authorityKeyIdentifier marked critical", "w_aki_critical",
                "aki-critical.example.com", errc::cert_bad_key_identifier);
    under_w_int("subjectKeyIdentifier marked critical", "w_ski_critical",
                "ski-critical.example.com", errc::cert_bad_key_identifier);
    add("a root whose authorityKeyIdentifier is its own key identifier", "w_good", w_int,
        {"w_root_aki_keyid"}, "good.webpki.example.com", errc::ok, 3);
    add("a root whose authorityKeyIdentifier names an issuer and serial", "w_good", w_int,
        {"w_root_aki_issuer"}, "good.webpki.example.com", errc::cert_bad_key_identifier);
    add("a CA without subjectKeyIdentifier", "w_under_no_ski", {"w_int_no_ski"}, w_root,
        "no-ski.example.com", errc::cert_bad_key_identifier);
    // basicConstraints and keyUsage.
    add("an intermediate whose basicConstraints is not critical", "w_good",
        {"w_int_bc_noncritical"}, w_root, "good.webpki.example.com",
        errc::cert_bad_basic_constraints);
    add("a root whose basicConstraints is not critical", "w_good", w_int,
        {"w_root_bc_noncritical"}, "good.webpki.example.com", errc::cert_bad_basic_constraints);
    under_w_int("keyCertSign without cA", "w_cert_sign", "cert-sign.example.com",
                errc::cert_bad_basic_constraints);
    under_w_int("cA without keyCertSign", "w_ca_no_cert_sign", "ca-no-cert-sign.example.com",
                errc::cert_bad_basic_constraints);
    under_w_int("a CA certificate as the leaf, its own pathLenConstraint 0 not counted",
                "w_ca_leaf", "ca-leaf.example.com", errc::ok);
    // nameConstraints.
    under_w_int("nameConstraints (critical) in an end-entity certificate", "w_nc_critical",
                "nc-leaf.example.com", errc::cert_bad_name_constraints);
    under_w_int("nameConstraints (not critical) in an end-entity certificate", "w_nc_leaf",
                "nc-leaf.example.com", errc::cert_bad_name_constraints);
    add("a dNSName constraint that is a DNS name", "w_nc_ok", {"w_int_nc"}, w_root,
        "www.nc.example.com", errc::ok, 3);
    add("a dNSName constraint with a leading period", "w_nc_ok", {"w_int_nc_dot"}, w_root,
        "www.nc.example.com", errc::cert_bad_name_constraints);
    add("a permitted subtree does not bless a SAN that is not a host name", "w_nc_underscore",
        {"w_int_nc"}, w_root, "www.nc.example.com", errc::cert_name_constraint_violated);
    // extendedKeyUsage.
    under_w_int("a leaf without extendedKeyUsage", "w_no_eku", "no-eku.example.com",
                errc::cert_bad_eku);
    under_w_int("anyExtendedKeyUsage in a leaf", "w_eku_any", "eku-any.example.com",
                errc::cert_bad_eku);
    under_w_int("extendedKeyUsage critical in a leaf", "w_eku_critical",
                "eku-critical.example.com", errc::cert_bad_eku);
    add("a root with extendedKeyUsage serverAuth (a constraint, honoured)", "w_good", w_int,
        {"w_root_eku_server"}, "good.webpki.example.com", errc::ok, 3);
    add("a root with extendedKeyUsage clientAuth only", "w_good", w_int, {"w_root_eku_client"},
        "good.webpki.example.com", errc::cert_bad_eku);
    // subjectAltName.
    under_w_int("a leaf without subjectAltName", "w_no_san", "", errc::cert_bad_subject_alt_name);
    under_w_int("subjectAltName critical beside a subject", "w_san_critical",
                "san-critical.example.com", errc::cert_bad_subject_alt_name);
    under_w_int("an empty subject and a critical subjectAltName", "w_empty_subject",
                "empty-subject.example.com", errc::ok);
    under_w_int("an empty subject and a subjectAltName not critical",
                "w_empty_subject_noncritical", "empty-subject.example.com",
                errc::cert_bad_subject_alt_name);
    under_w_int("a dNSName with an underscore", "w_san_underscore", "",
                errc::cert_bad_subject_alt_name);
    under_w_int("a dNSName with an empty label", "w_san_empty_label", "",
                errc::cert_bad_subject_alt_name);
    under_w_int("a wildcard that is part of a label", "w_san_partial_wildcard", "",
                errc::cert_bad_subject_alt_name);
    under_w_int("an email address in a server certificate's SAN", "w_san_email",
                "email.example.com", errc::cert_bad_subject_alt_name);
    under_w_int("a wildcard under a registered domain", "w_wildcard", "www.example.co.uk",
                errc::ok);
    under_w_int("a wildcard over a top-level domain", "w_wildcard_tld", "",
                errc::cert_bad_subject_alt_name);
    under_w_int("a wildcard over a public suffix", "w_wildcard_suffix", "",
                errc::cert_bad_subject_alt_name);
    // The Common Name.
    under_w_int("a commonName that is not a SAN", "w_cn_mismatch", "cn.example.com",
                errc::cert_common_name_mismatch);
    under_w_int("a commonName equal to a SAN but for case", "w_cn_case", "cn-case.example.com",
                errc::ok);
    v.push_back({"web PKI: a commonName that is an IPv6 SAN in canonical text", "w_cn_ipv6",
                 w_int, w_root, "", "2001:db8::1", errc::ok, 3});
    v.push_back({"web PKI: a commonName that is an IPv6 SAN in other text",
                 "w_cn_ipv6_noncanonical", w_int, w_root, "", "2001:db8::1",
                 errc::cert_common_name_mismatch});
    // Serial numbers.
    under_w_int("serial number zero", "w_serial_zero", "serial-zero.example.com",
                errc::cert_bad_serial);
    under_w_int("a serial number of 20 octets", "w_serial_20", "serial-20.example.com", errc::ok);
    under_w_int("a serial number of 21 octets", "w_serial_21", "serial-21.example.com",
                errc::cert_malformed);
    // Keys.
    under_w_int("an RSA modulus that is not a multiple of 8 bits", "w_rsa2052",
                "rsa2052.example.com", errc::cert_weak_key);
    under_w_int("a P-521 leaf key", "w_p521", "p521.example.com", errc::unsupported_algorithm);
    under_w_int("a P-192 leaf key", "w_p192", "p192.example.com", errc::unsupported_algorithm);
    under_w_int("a DSA leaf key", "w_dsa", "dsa.example.com", errc::unsupported_algorithm);
    add("an intermediate with a P-521 key", "w_under_p521", {"w_int_p521"}, w_root,
        "under-p521.example.com", errc::unsupported_algorithm);
    // Extensions present but not used must be well formed.
    under_w_int("well-formed authorityInfoAccess, CRL distribution points and policies", "w_aia",
                "aia.example.com", errc::ok);
    under_w_int("an authorityInfoAccess entry without a location", "w_aia_malformed",
                "aia.example.com", errc::cert_malformed);
    under_w_int("a CRL distribution point naming nothing", "w_crldp_malformed",
                "crldp.example.com", errc::cert_malformed);
    under_w_int("a certificate policy listed twice", "w_policies_repeated",
                "policies.example.com", errc::cert_malformed);
    // pathLenConstraint counts intermediates that are not self-issued.
    add("a self-issued intermediate below a pathLenConstraint 0 CA", "w_under_rollover",
        {"w_int_p0_rollover", "w_int_p0"}, w_root, "rollover.example.com", errc::ok, 4);
    add("another CA below a pathLenConstraint 0 CA", "w_under_p0_sub",
        {"w_int_p0_sub", "w_int_p0"}, w_root, "below-p0.example.com",
        errc::cert_path_length_exceeded);

    // Where `openssl verify -x509_strict` decides otherwise, and why.
    auto openssl_differs = [&](const std::string& name, std::string why) {
        for (chain_case& c : v) {
            if (c.name == "web PKI: " + name) {
                c.openssl_agrees = false;
                c.why = std::move(why);
                return;
            }
        }
        throw std::logic_error("no web PKI case named " + name);
    };
    const std::string no_syntax = "OpenSSL checks no dNSName syntax unless a host is matched; ";
    openssl_differs("a root whose authorityKeyIdentifier names an issuer and serial",
                    "OpenSSL accepts any authorityKeyIdentifier on a root; BR 7.1.2.1.3 allows a "
                    "keyIdentifier only");
    openssl_differs("cA without keyCertSign",
                    "OpenSSL checks keyCertSign only on issuers; in a leaf, cA without it is an "
                    "inconsistent certificate (RFC 5280 §4.2.1.3, BR 7.1.2.10.7)");
    for (const char* n : {"nameConstraints (critical) in an end-entity certificate",
                          "nameConstraints (not critical) in an end-entity certificate"}) {
        openssl_differs(n, "OpenSSL ignores nameConstraints in an end-entity certificate; RFC "
                           "5280 §4.2.1.10 allows them in CA certificates only");
    }
    openssl_differs("a dNSName constraint with a leading period",
                    "OpenSSL reads '.nc.example.com' as a subtree; it is not a DNS name, which "
                    "RFC 5280 §4.2.1.10 and BR 7.1.2.10.8 require");
    openssl_differs("a permitted subtree does not bless a SAN that is not a host name",
                    "OpenSSL matches the suffix of bad_name.nc.example.com; a name outside the "
                    "preferred name syntax is inside no subtree for us");
    openssl_differs("a leaf without extendedKeyUsage",
                    "OpenSSL takes an absent extendedKeyUsage as any purpose; BR 7.1.2.7.6 "
                    "requires it");
    openssl_differs("anyExtendedKeyUsage in a leaf",
                    "OpenSSL accepts anyExtendedKeyUsage beside serverAuth; BR 7.1.2.7.10 forbids "
                    "it");
    openssl_differs("extendedKeyUsage critical in a leaf",
                    "OpenSSL accepts a critical extendedKeyUsage; BR 7.1.2.7.6 requires it not "
                    "critical");
    openssl_differs("a leaf without subjectAltName",
                    "with no host to match, OpenSSL needs no SAN; BR 7.1.2.7.6 requires one");
    openssl_differs("subjectAltName critical beside a subject",
                    "OpenSSL checks only that an empty subject comes with a critical SAN; RFC 5280 "
                    "§4.2.1.6 and BR 7.1.2.7.12 want it not critical beside a subject");
    openssl_differs("a dNSName with an underscore", no_syntax + "LDH labels have no '_'");
    openssl_differs("a dNSName with an empty label", no_syntax + "labels are not empty");
    openssl_differs("a wildcard that is part of a label",
                    no_syntax + "a wildcard is the whole left-most label (BR 7.1.2.7.12)");
    openssl_differs("an email address in a server certificate's SAN",
                    "OpenSSL accepts any SAN form; BR 7.1.2.7.12 allows dNSName and iPAddress");
    for (const char* n :
         {"a wildcard over a top-level domain", "a wildcard over a public suffix"}) {
        openssl_differs(n, no_syntax + "BR 3.2.2.6 forbids a wildcard over a public suffix");
    }
    for (const char* n : {"a commonName that is not a SAN",
                          "a commonName that is an IPv6 SAN in other text"}) {
        openssl_differs(n, "OpenSSL never compares the commonName with the SAN; BR 7.1.4.3 "
                           "requires a copy of one (an address in RFC 5952 text)");
    }
    openssl_differs("serial number zero",
                    "OpenSSL accepts serial number zero; BR 7.1 requires it positive");
    openssl_differs("a serial number of 21 octets",
                    "OpenSSL accepts it; RFC 5280 §4.1.2.2 allows at most 20 octets");
    openssl_differs("an RSA modulus that is not a multiple of 8 bits",
                    "OpenSSL accepts any modulus length; BR 6.1.5 requires a multiple of 8");
    for (const char* n : {"a P-521 leaf key", "an intermediate with a P-521 key"}) {
        openssl_differs(n, "OpenSSL implements P-521 and we do not: unsupported_algorithm");
    }
    openssl_differs("a DSA leaf key", "OpenSSL accepts DSA-2048 at security level 2; BR 6.1.5 "
                                      "allows RSA and ECDSA keys only");
    openssl_differs("an authorityInfoAccess entry without a location",
                    "OpenSSL decodes authorityInfoAccess only to use it; RFC 5280 §4.2.2.1 makes "
                    "accessLocation mandatory");
    openssl_differs("a certificate policy listed twice",
                    "OpenSSL processes policies only when asked to; RFC 5280 §4.2.1.4 forbids a "
                    "repeated policy identifier");
}

/// Path building in a tangled pool (make_chains.sh group `paths`): 32 untrusted certificates in
/// which only pb_leaf <- pb_a <- pb_b <- pb_c <- pb_root is valid, sent with every dead end
/// first; and its mirrors, where the good A is missing and every path that reaches the anchor
/// fails for one reason, which must be the error reported.
inline void add_path_building_cases(std::vector<chain_case>& v) {
    const std::vector<std::string> dead_ends = {
        "pb_a_other1", "pb_a_other2", "pb_a_other3", "pb_a_other4", "pb_a_other5",
        "pb_b_other1", "pb_b_other2", "pb_b_other3", "pb_b_other4", "pb_b_other5",
        "pb_c_other1", "pb_c_other2", "pb_c_other3", "pb_c_other4", "pb_c_other5",
        "pb_b_by_y",   "pb_y_by_x",   "pb_x_by_y",   "pb_c_by_x",   "pb_b_by_evil",
        "pb_evil",     "pb_c_by_root2", "pb_root2",  "pb_root_by_root2", "pb_root2_by_root",
        "pb_b_expired", "pb_c_expired"};
    auto pool = [&](std::vector<std::string> as) {
        std::vector<std::string> all = dead_ends;
        all.insert(all.end(), as.begin(), as.end());
        all.insert(all.end(), {"pb_b", "pb_c"});
        return all;
    };
    const std::string host = "www.pb.example.com";
    v.push_back({"path building: the one valid path among 32 untrusted certificates", "pb_leaf",
                 pool({"pb_a_expired", "pb_a_constrained", "pb_a"}), {"pb_root"}, host, "",
                 errc::ok, 5, false,
                 "OpenSSL follows the first issuer of each name it finds, here into the loop, and "
                 "does not backtrack: 'unable to get local issuer certificate'"});
    v.push_back({"path building: no valid path, every complete one through an expired A",
                 "pb_leaf", pool({"pb_a_expired"}), {"pb_root"}, host, "", errc::cert_expired});
    v.push_back({"path building: no valid path, every complete one through a constrained A",
                 "pb_leaf", pool({"pb_a_constrained"}), {"pb_root"}, host, "",
                 errc::cert_name_constraint_violated});
}

inline const std::vector<chain_case>& cases() {
    static const std::vector<chain_case> all = [] {
        std::vector<chain_case> v;
        const std::vector<std::string> rsa = {"int_rsa"};
        // Good chains.
        v.push_back(
            {"good RSA chain", "good_rsa", rsa, {"root_rsa"}, "good.example.com", "", errc::ok, 3});
        v.push_back({"good RSA chain, second SAN",
                     "good_rsa",
                     rsa,
                     {"root_rsa"},
                     "www.good.example.com",
                     "",
                     errc::ok,
                     3});
        v.push_back({"good RSA chain, no identity requested",
                     "good_rsa",
                     rsa,
                     {"root_rsa"},
                     "",
                     "",
                     errc::ok,
                     3});
        v.push_back({"good RSA-PSS signed leaf",
                     "good_rsa_pss",
                     rsa,
                     {"root_rsa"},
                     "pss.example.com",
                     "",
                     errc::ok,
                     3});
        v.push_back({"good ECDSA chain (P-384 root, P-256 below)",
                     "good_ecdsa",
                     {"int_ec"},
                     {"root_ec"},
                     "ecdsa.example.com",
                     "",
                     errc::ok,
                     3});
        v.push_back({"good mixed chain (RSA root, EC intermediate)",
                     "good_mixed",
                     {"int_mixed"},
                     {"root_rsa"},
                     "mixed.example.com",
                     "",
                     errc::ok,
                     3});
        v.push_back({"good mixed chain (EC intermediate, RSA leaf)",
                     "good_rsa_under_ec",
                     {"int_ec"},
                     {"root_ec"},
                     "rsa-under-ec.example.com",
                     "",
                     errc::ok,
                     3});
        v.push_back({"leaf issued by the root",
                     "good_root_issued",
                     {},
                     {"root_rsa"},
                     "direct.example.com",
                     "",
                     errc::ok,
                     2});
        v.push_back({"root also sent by the server",
                     "good_rsa",
                     {"int_rsa", "root_rsa"},
                     {"root_rsa"},
                     "good.example.com",
                     "",
                     errc::ok,
                     3});
        v.push_back({"out-of-order chain with extras and duplicates",
                     "deep",
                     {"int_rsa", "int_ec", "evil_root", "int_sub", "int_rsa"},
                     {"root_rsa"},
                     "deep.example.com",
                     "",
                     errc::ok,
                     4});
        v.push_back({"wrong trust anchor among several",
                     "good_ecdsa",
                     {"int_ec"},
                     {"root_rsa", "evil_root", "root_ec"},
                     "ecdsa.example.com",
                     "",
                     errc::ok,
                     3});
        // Validity.
        v.push_back({"expired leaf",
                     "expired",
                     rsa,
                     {"root_rsa"},
                     "expired.example.com",
                     "",
                     errc::cert_expired});
        v.push_back({"not yet valid leaf",
                     "not_yet_valid",
                     rsa,
                     {"root_rsa"},
                     "future.example.com",
                     "",
                     errc::cert_not_yet_valid});
        // Host names.
        v.push_back({"wrong host",
                     "good_rsa",
                     rsa,
                     {"root_rsa"},
                     "other.example.com",
                     "",
                     errc::cert_hostname_mismatch});
        v.push_back({"CN-only certificate",
                     "cn_only",
                     rsa,
                     {"root_rsa"},
                     "cn_only.example.com",
                     "",
                     errc::cert_bad_subject_alt_name,
                     0,
                     false,
                     "OpenSSL falls back to the subject CN when there is no dNSName SAN; RFC 9525 "
                     "§6.3 and CA/B Forum BR 7.1.4.3 retire that fallback, and BR 7.1.2.7.6 "
                     "requires the SAN, so we refuse the certificate itself"});
        v.push_back({"wildcard matches one label",
                     "wildcard",
                     rsa,
                     {"root_rsa"},
                     "a.wild.example.com",
                     "",
                     errc::ok,
                     3});
        v.push_back({"wildcard is case-insensitive",
                     "wildcard",
                     rsa,
                     {"root_rsa"},
                     "A.WILD.Example.COM",
                     "",
                     errc::ok,
                     3});
        v.push_back({"wildcard does not match two labels",
                     "wildcard",
                     rsa,
                     {"root_rsa"},
                     "a.b.wild.example.com",
                     "",
                     errc::cert_hostname_mismatch});
        v.push_back({"wildcard does not match the bare parent",
                     "wildcard",
                     rsa,
                     {"root_rsa"},
                     "wild.example.com",
                     "",
                     errc::cert_hostname_mismatch});
        v.push_back({"IPv4 SAN", "ip_san", {"int_ec"}, {"root_ec"}, "", "192.0.2.10", errc::ok, 3});
        v.push_back(
            {"IPv6 SAN", "ip_san", {"int_ec"}, {"root_ec"}, "", "2001:db8::1", errc::ok, 3});
        v.push_back({"IPv6 SAN, other spelling",
                     "ip_san",
                     {"int_ec"},
                     {"root_ec"},
                     "",
                     "2001:DB8:0:0:0:0:0:1",
                     errc::ok,
                     3});
        v.push_back({"wrong IP",
                     "ip_san",
                     {"int_ec"},
                     {"root_ec"},
                     "",
                     "192.0.2.11",
                     errc::cert_hostname_mismatch});
        v.push_back({"IP given as a host name matches DNS SANs only",
                     "ip_san",
                     {"int_ec"},
                     {"root_ec"},
                     "192.0.2.10",
                     "",
                     errc::cert_hostname_mismatch});
        v.push_back({"DNS name of the IP certificate",
                     "ip_san",
                     {"int_ec"},
                     {"root_ec"},
                     "ip.example.com",
                     "",
                     errc::ok,
                     3});
        // Trust.
        v.push_back({"self-signed leaf",
                     "self_signed",
                     {},
                     {"root_rsa"},
                     "self.example.com",
                     "",
                     errc::cert_self_signed_leaf});
        v.push_back({"self-signed leaf that is itself trusted",
                     "self_signed",
                     {},
                     {"self_signed"},
                     "self.example.com",
                     "",
                     errc::ok,
                     1});
        v.push_back({"chain to an untrusted root",
                     "untrusted_root",
                     {"evil_int", "evil_root"},
                     {"root_rsa"},
                     "evil.example.com",
                     "",
                     errc::cert_unknown_issuer});
        v.push_back({"missing intermediate",
                     "good_rsa",
                     {},
                     {"root_rsa"},
                     "good.example.com",
                     "",
                     errc::cert_unknown_issuer});
        v.push_back({"issuer key does not match",
                     "good_ecdsa",
                     {"int_ec"},
                     {"root_rsa"},
                     "ecdsa.example.com",
                     "",
                     errc::cert_unknown_issuer});
        // CA rules.
        v.push_back({"intermediate without CA:TRUE",
                     "under_not_ca",
                     {"int_not_ca"},
                     {"root_rsa"},
                     "notca.example.com",
                     "",
                     errc::cert_not_ca});
        v.push_back({"pathlen 0 with the leaf right below",
                     "pathlen_ok",
                     {"int_p0"},
                     {"root_rsa"},
                     "pathlen-ok.example.com",
                     "",
                     errc::ok,
                     3});
        v.push_back({"pathlen 0 exceeded",
                     "pathlen_exceeded",
                     {"int_p0_sub", "int_p0"},
                     {"root_rsa"},
                     "pathlen.example.com",
                     "",
                     errc::cert_path_length_exceeded});
        v.push_back({"leaf with clientAuth-only EKU",
                     "client_auth",
                     rsa,
                     {"root_rsa"},
                     "client.example.com",
                     "",
                     errc::cert_bad_eku});
        v.push_back({"unknown critical extension",
                     "unknown_critical",
                     rsa,
                     {"root_rsa"},
                     "critical.example.com",
                     "",
                     errc::cert_unknown_critical_extension});
        v.push_back({"issuer without keyCertSign",
                     "under_no_cert_sign",
                     {"int_no_cert_sign"},
                     {"root_rsa"},
                     "nocertsign.example.com",
                     "",
                     errc::cert_bad_key_usage});
        v.push_back({"issuer whose EKU excludes serverAuth",
                     "under_client_eku",
                     {"int_client_eku"},
                     {"root_rsa"},
                     "clientca.example.com",
                     "",
                     errc::cert_bad_eku});
        v.push_back({"expired intermediate",
                     "under_expired_int",
                     {"int_expired"},
                     {"root_rsa"},
                     "expiredca.example.com",
                     "",
                     errc::cert_expired});
        v.push_back({"leaf keyUsage without a TLS use",
                     "crl_sign_only",
                     rsa,
                     {"root_rsa"},
                     "crlsign.example.com",
                     "",
                     errc::cert_bad_key_usage});
        // Algorithms.
        v.push_back({"SHA-1 signed leaf",
                     "sha1",
                     rsa,
                     {"root_rsa"},
                     "sha1.example.com",
                     "",
                     errc::cert_weak_signature});
        v.push_back({"MD5 signed leaf",
                     "md5",
                     rsa,
                     {"root_rsa"},
                     "md5.example.com",
                     "",
                     errc::cert_weak_signature});
        v.push_back({"ECDSA-SHA1 signed leaf",
                     "ecdsa_sha1",
                     {"int_ec"},
                     {"root_ec"},
                     "ecdsa-sha1.example.com",
                     "",
                     errc::cert_weak_signature});
        v.push_back({"RSA-PSS with SHA-1 (the parameter defaults)",
                     "pss_sha1",
                     rsa,
                     {"root_rsa"},
                     "pss-sha1.example.com",
                     "",
                     errc::cert_weak_signature});
        v.push_back({"RSA-1024 leaf",
                     "rsa1024",
                     rsa,
                     {"root_rsa"},
                     "rsa1024.example.com",
                     "",
                     errc::cert_weak_key});
        // Ed25519 (RFC 8410), alone and mixed with ECDSA in both directions.
        const std::vector<std::string> ed25519_root = {"root_ed25519"};
        v.push_back({"good Ed25519 chain",
                     "good_ed25519",
                     {"int_ed25519"},
                     ed25519_root,
                     "ed25519.example.com",
                     "",
                     errc::ok,
                     3});
        v.push_back({"Ed25519 leaf under an ECDSA intermediate under an Ed25519 root",
                     "good_ed25519_under_ec",
                     {"int_ec_under_ed25519"},
                     ed25519_root,
                     "ed25519-under-ec.example.com",
                     "",
                     errc::ok,
                     3});
        v.push_back({"ECDSA leaf under an Ed25519 intermediate",
                     "good_ecdsa_under_ed25519",
                     {"int_ed25519"},
                     ed25519_root,
                     "ecdsa-under-ed25519.example.com",
                     "",
                     errc::ok,
                     3});
        v.push_back({"Ed25519 chain, other roots trusted",
                     "good_ed25519",
                     {"int_ed25519"},
                     {"root_rsa", "root_ec"},
                     "ed25519.example.com",
                     "",
                     errc::cert_unknown_issuer});
        // Name constraints.
        v.push_back({"name constraints satisfied",
                     "nc_ok",
                     {"int_nc"},
                     {"root_rsa"},
                     "www.allowed.example.com",
                     "",
                     errc::ok,
                     3});
        v.push_back({"dNSName outside permitted subtree",
                     "nc_dns_violation",
                     {"int_nc"},
                     {"root_rsa"},
                     "www.other.example.org",
                     "",
                     errc::cert_name_constraint_violated});
        v.push_back({"dNSName in excluded subtree",
                     "nc_excluded",
                     {"int_nc"},
                     {"root_rsa"},
                     "x.bad.allowed.example.com",
                     "",
                     errc::cert_name_constraint_violated});
        v.push_back({"iPAddress outside permitted subtree",
                     "nc_ip_violation",
                     {"int_nc"},
                     {"root_rsa"},
                     "ip.allowed.example.com",
                     "",
                     errc::cert_name_constraint_violated});
        v.push_back({"subject inside a directoryName subtree",
                     "dir_ok",
                     {"int_nc_dir"},
                     {"root_rsa"},
                     "dir-ok.example.com",
                     "",
                     errc::ok,
                     3});
        v.push_back({"subject outside a directoryName subtree",
                     "dir_violation",
                     {"int_nc_dir"},
                     {"root_rsa"},
                     "dir-bad.example.com",
                     "",
                     errc::cert_name_constraint_violated});
        // Cross-signing: two candidate issuers named "Test New Root".
        const std::vector<std::string> cross = {"new_int", "new_root_cross"};
        v.push_back({"cross-signed: only the old root trusted",
                     "cross",
                     cross,
                     {"old_root"},
                     "cross.example.com",
                     "",
                     errc::ok,
                     4});
        v.push_back({"cross-signed: only the new root trusted",
                     "cross",
                     cross,
                     {"new_root"},
                     "cross.example.com",
                     "",
                     errc::ok,
                     3});
        v.push_back({"cross-signed: both roots trusted",
                     "cross",
                     cross,
                     {"old_root", "new_root"},
                     "cross.example.com",
                     "",
                     errc::ok,
                     3});
        v.push_back({"cross-signed: expired new root, backtrack to the old root",
                     "cross",
                     cross,
                     {"new_root_expired", "old_root"},
                     "cross.example.com",
                     "",
                     errc::ok,
                     4,
                     false,
                     "OpenSSL takes the expired trusted 'New Root' as the anchor and stops; we "
                     "backtrack past the failed path to the cross-signed certificate and the old "
                     "root (as Go, NSS and BoringSSL's path builders do)"});
        v.push_back({"cross-signed: only an expired new root trusted",
                     "cross",
                     cross,
                     {"new_root_expired"},
                     "cross.example.com",
                     "",
                     errc::cert_expired});
        add_web_pki_cases(v);
        add_path_building_cases(v);
        return v;
    }();
    return all;
}

/// The fixtures of a case as DER, and a trust store of its roots.
struct loaded_case {
    byte_vector leaf;
    std::vector<byte_vector> untrusted;
    std::vector<bytes_view> untrusted_views;
    https::x509::trust_store store;
    https::x509::verify_options options;
};

inline std::unique_ptr<loaded_case> load(const chain_case& c) {
    auto l = std::make_unique<loaded_case>();
    l->leaf = der(c.leaf);
    for (const auto& u : c.untrusted) {
        l->untrusted.push_back(der(u));
    }
    for (const auto& u : l->untrusted) {
        l->untrusted_views.push_back(u);
    }
    for (const auto& r : c.roots) {
        if (!l->store.add_der(der(r))) {
            throw std::runtime_error("cannot add root " + r);
        }
    }
    l->options.time = verify_time;
    l->options.dns_name = c.dns_name;
    if (c.dns_name.empty() && c.ip.empty()) {
        l->options.check_host = https::x509::host_check::none; // openssl verify without either
    }
    if (!c.ip.empty()) {
        l->options.ip = https::x509::parse_ip_address(c.ip);
        if (!l->options.ip) {
            throw std::runtime_error("bad IP in case " + c.name);
        }
    }
    return l;
}

} // namespace x509test
