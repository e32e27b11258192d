// Certificate parsing (x509/certificate.hpp), out of line for separate compilation.
#pragma once

#include "../certificate.hpp"

#include "../../crypto/ed25519.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace https::x509 {

namespace detail {

/// A digest AlgorithmIdentifier (RFC 4055 §2.1): parameters NULL or absent.
HTTPS_DECL result<hash_algorithm> parse_hash_identifier(der::parser& p) noexcept {
    auto seq = p.read_sequence();
    if (!seq) {
        return seq.error();
    }
    auto id = seq->read_oid();
    if (!id) {
        return id.error();
    }
    if (seq->next_is(der::tag::null)) {
        HTTPS_TRY(seq->read_null());
    }
    HTTPS_TRY(seq->expect_empty());
    if (der::oid_equals(*id, oid::sha256)) {
        return hash_algorithm::sha256;
    }
    if (der::oid_equals(*id, oid::sha384)) {
        return hash_algorithm::sha384;
    }
    if (der::oid_equals(*id, oid::sha512)) {
        return hash_algorithm::sha512;
    }
    if (der::oid_equals(*id, oid::sha224)) {
        return hash_algorithm::sha224;
    }
    if (der::oid_equals(*id, oid::sha1)) {
        return hash_algorithm::sha1;
    }
    return errc::unsupported_algorithm;
}

/// RSASSA-PSS-params (RFC 4055 §3.1) with its DER defaults (SHA-1, MGF1-SHA-1, salt 20, trailer
/// 1). The MGF1 digest must equal the message digest: certificates never mix them, and RFC 8446
/// §4.2.3 signature schemes fix them equal.
HTTPS_DECL status parse_pss_params(der::parser& p, signature_algorithm& alg) noexcept {
    auto params = p.read_sequence();
    if (!params) {
        return params.error();
    }
    hash_algorithm hash = hash_algorithm::sha1;
    hash_algorithm mgf_hash = hash_algorithm::sha1;
    std::uint64_t salt = 20;
    if (auto h = params->read_optional(der::tag::context_constructed(0)); !h) {
        return h.error();
    } else if (*h) {
        der::parser inner((*h)->contents, params->depth() + 1);
        auto v = parse_hash_identifier(inner);
        if (!v) {
            return v.error();
        }
        HTTPS_TRY(inner.expect_empty());
        hash = *v;
    }
    if (auto m = params->read_optional(der::tag::context_constructed(1)); !m) {
        return m.error();
    } else if (*m) {
        der::parser inner((*m)->contents, params->depth() + 1);
        auto mgf = inner.read_sequence();
        if (!mgf) {
            return mgf.error();
        }
        HTTPS_TRY(inner.expect_empty());
        auto id = mgf->read_oid();
        if (!id) {
            return id.error();
        }
        if (!der::oid_equals(*id, oid::mgf1)) {
            return errc::unsupported_algorithm;
        }
        auto v = parse_hash_identifier(*mgf);
        if (!v) {
            return v.error();
        }
        HTTPS_TRY(mgf->expect_empty());
        mgf_hash = *v;
    }
    if (auto s = params->read_optional(der::tag::context_constructed(2)); !s) {
        return s.error();
    } else if (*s) {
        der::parser inner((*s)->contents, params->depth() + 1);
        auto v = inner.read_small_unsigned(1024);
        if (!v) {
            return v.error();
        }
        HTTPS_TRY(inner.expect_empty());
        salt = *v;
    }
    if (auto t = params->read_optional(der::tag::context_constructed(3)); !t) {
        return t.error();
    } else if (*t) {
        der::parser inner((*t)->contents, params->depth() + 1);
        auto v = inner.read_small_unsigned(1);
        if (!v) {
            return v.error();
        }
        HTTPS_TRY(inner.expect_empty());
        if (*v != 1) {
            return errc::bad_encoding; // trailerFieldBC is the only defined value
        }
    }
    HTTPS_TRY(params->expect_empty());
    if (mgf_hash != hash) {
        return errc::unsupported_algorithm;
    }
    alg.hash = hash;
    alg.pss_salt_length = static_cast<std::uint32_t>(salt);
    return {};
}

/// A signature AlgorithmIdentifier. Unknown algorithms parse as `scheme::unknown` (the
/// certificate is still usable as a leaf signed by something else); malformed parameters of a
/// known algorithm are an error.
HTTPS_DECL result<signature_algorithm> parse_signature_algorithm(der::parser& p) noexcept {
    auto el = p.read_any();
    if (!el) {
        return el.error();
    }
    if (el->tag != der::tag::sequence) {
        return errc::unexpected_tag;
    }
    signature_algorithm alg;
    alg.der = el->encoded;
    der::parser seq(el->contents, p.depth() + 1);
    auto id = seq.read_oid();
    if (!id) {
        return id.error();
    }
    using scheme = signature_algorithm::scheme;
    struct known {
        bytes_view oid;
        scheme kind;
        hash_algorithm hash;
    };
    static const known table[] = {
        {oid::sha256_with_rsa, scheme::rsa_pkcs1, hash_algorithm::sha256},
        {oid::sha384_with_rsa, scheme::rsa_pkcs1, hash_algorithm::sha384},
        {oid::sha512_with_rsa, scheme::rsa_pkcs1, hash_algorithm::sha512},
        {oid::sha224_with_rsa, scheme::rsa_pkcs1, hash_algorithm::sha224},
        {oid::sha1_with_rsa, scheme::rsa_pkcs1, hash_algorithm::sha1},
        {oid::md5_with_rsa, scheme::rsa_pkcs1, hash_algorithm::md5},
        {oid::ecdsa_with_sha256, scheme::ecdsa, hash_algorithm::sha256},
        {oid::ecdsa_with_sha384, scheme::ecdsa, hash_algorithm::sha384},
        {oid::ecdsa_with_sha512, scheme::ecdsa, hash_algorithm::sha512},
        {oid::ecdsa_with_sha1, scheme::ecdsa, hash_algorithm::sha1},
        {oid::rsassa_pss, scheme::rsa_pss, hash_algorithm::none},
        {oid::ed25519, scheme::ed25519, hash_algorithm::none},
    };
    for (const known& k : table) {
        if (der::oid_equals(*id, k.oid)) {
            alg.kind = k.kind;
            alg.hash = k.hash;
            break;
        }
    }
    switch (alg.kind) {
    case scheme::rsa_pkcs1:
        // RFC 4055 §5: parameters NULL; absent parameters are tolerated as most verifiers do.
        if (seq.next_is(der::tag::null)) {
            HTTPS_TRY(seq.read_null());
        }
        break;
    case scheme::rsa_pss:
        HTTPS_TRY(parse_pss_params(seq, alg));
        break;
    case scheme::ecdsa:   // RFC 5758 §3.2: parameters absent
    case scheme::ed25519: // RFC 8410 §3: parameters absent
        break;
    case scheme::unknown:
        (void)seq.read_any(); // parameters, if any: opaque
        break;
    }
    HTTPS_TRY(seq.expect_empty());
    return alg;
}

/// Bit length of a big-endian magnitude without leading zero bytes.
HTTPS_DECL std::size_t bit_length(bytes_view magnitude) noexcept {
    if (magnitude.empty() || (magnitude.size() == 1 && magnitude[0] == 0)) {
        return 0;
    }
    std::size_t bits = (magnitude.size() - 1) * 8;
    for (std::uint8_t top = magnitude[0]; top != 0; top >>= 1) {
        ++bits;
    }
    return bits;
}

/// SubjectPublicKeyInfo (RFC 5280 §4.1.2.7; RFC 3279 §2.3.1 RSA; RFC 5480 EC; RFC 8410 Ed25519).
HTTPS_DECL result<public_key_info> parse_spki(der::parser& p) noexcept {
    public_key_info info;
    auto el = p.read_any();
    if (!el) {
        return el.error();
    }
    if (el->tag != der::tag::sequence) {
        return errc::unexpected_tag;
    }
    info.der = el->encoded;
    der::parser spki(el->contents, p.depth() + 1);
    auto alg = spki.read_sequence();
    if (!alg) {
        return alg.error();
    }
    auto id = alg->read_oid();
    if (!id) {
        return id.error();
    }
    auto bits = spki.read_bit_string();
    if (!bits) {
        return bits.error();
    }
    HTTPS_TRY(spki.expect_empty());
    if (bits->unused_bits != 0) {
        return errc::bad_encoding;
    }
    info.key = bits->bytes;

    if (der::oid_equals(*id, oid::rsa_encryption)) {
        if (alg->next_is(der::tag::null)) { // RFC 3279: NULL (absent tolerated)
            HTTPS_TRY(alg->read_null());
        }
        HTTPS_TRY(alg->expect_empty());
        der::parser outer(info.key, spki.depth() + 1);
        auto key = outer.read_sequence();
        if (!key) {
            return key.error();
        }
        HTTPS_TRY(outer.expect_empty());
        auto n = key->read_unsigned_integer();
        if (!n) {
            return n.error();
        }
        auto e = key->read_unsigned_integer();
        if (!e) {
            return e.error();
        }
        HTTPS_TRY(key->expect_empty());
        if ((*n)[0] == 0 || (*e)[0] == 0) {
            return errc::bad_public_key; // a zero modulus or exponent
        }
        info.algorithm = key_algorithm::rsa;
        info.rsa_modulus = *n;
        info.rsa_exponent = *e;
        info.rsa_bits = bit_length(*n);
        return info;
    }
    if (der::oid_equals(*id, oid::ec_public_key)) {
        // RFC 5480 §2.1.1: namedCurve only (implicitCurve and specifiedCurve MUST NOT be used).
        auto curve = alg->read_oid();
        if (!curve) {
            return curve.error();
        }
        HTTPS_TRY(alg->expect_empty());
        std::size_t coordinate = 0;
        if (der::oid_equals(*curve, oid::secp256r1)) {
            info.algorithm = key_algorithm::ec_p256;
            coordinate = 32;
        } else if (der::oid_equals(*curve, oid::secp384r1)) {
            info.algorithm = key_algorithm::ec_p384;
            coordinate = 48;
        } else {
            return info; // another curve: parsed, never verified with
        }
        // SEC 1 §2.3.3 uncompressed point; compressed points (allowed by RFC 5480) are not
        // supported by our ECDSA, so such keys are refused here rather than at verification.
        if (info.key.size() != 1 + 2 * coordinate || info.key[0] != 0x04) {
            return errc::bad_public_key;
        }
        return info;
    }
    if (der::oid_equals(*id, oid::ed25519)) {
        // RFC 8410 §3-4 (parameters absent, a 32-byte key) and RFC 8032 §5.1.3 (the key decodes
        // to a point), checked by the parser the TLS layer verifies with. A key that does not
        // decode is bad_public_key whichever part of the decoding refused it.
        if (auto key = crypto::parse_ed25519_public_key_info(info.der); !key) {
            return key.error() == errc::point_not_on_curve ? errc::bad_public_key : key.error();
        }
        info.algorithm = key_algorithm::ed25519;
        return info;
    }
    return info; // unknown algorithm: its parameters are opaque
}

/// One GeneralName (RFC 5280 §4.2.1.6) appended to `out`. `in_constraints`: iPAddress holds
/// address and mask (§4.2.1.10) and dNSName may be empty or start with a dot.
HTTPS_DECL status parse_general_name(der::parser& p, general_names& out, bool in_constraints) {
    auto el = p.read_any();
    if (!el) {
        return el.error();
    }
    switch (el->tag) {
    case der::tag::context_primitive(2): { // dNSName IA5String
        // §4.2.1.6 and §4.2.1.10 use the preferred name syntax (RFC 1034 §3.5), which has no
        // trailing dot; refusing one here means no later check can read a name two ways (a SAN
        // "www.bank.com." would step around an excluded "bank.com" and still match the host).
        const bool trailing_dot = !el->contents.empty() && el->contents.back() == '.';
        if (!all_ascii(el->contents) || (!in_constraints && el->contents.empty()) ||
            trailing_dot) {
            return errc::bad_encoding;
        }
        out.dns_names.push_back(as_string(el->contents));
        return {};
    }
    case der::tag::context_primitive(7): { // iPAddress OCTET STRING
        const std::size_t n = el->contents.size();
        if (!in_constraints) {
            if (n != 4 && n != 16) {
                return errc::bad_encoding;
            }
        } else {
            if (n != 8 && n != 32) {
                return errc::bad_encoding;
            }
            // The mask must be a run of ones then zeros (a CIDR prefix), as Go and BoringSSL
            // require; anything else has no sensible meaning.
            bool zero_seen = false;
            for (std::size_t i = n / 2; i < n; ++i) {
                for (int b = 7; b >= 0; --b) {
                    const bool one = ((el->contents[i] >> b) & 1) != 0;
                    if (one && zero_seen) {
                        return errc::bad_encoding;
                    }
                    zero_seen = zero_seen || !one;
                }
            }
        }
        out.ip_addresses.push_back(el->contents);
        return {};
    }
    case der::tag::context_constructed(4): { // directoryName: [4] EXPLICIT Name
        der::parser inner(el->contents, p.depth() + 1);
        auto n = inner.read_any();
        if (!n) {
            return n.error();
        }
        HTTPS_TRY(inner.expect_empty());
        auto parsed = parse_name(n->encoded, p.depth() + 1);
        if (!parsed) {
            return parsed.error();
        }
        out.directory_names.push_back(*parsed);
        return {};
    }
    case der::tag::context_constructed(0):
        out.other_forms |= name_form::other_name;
        return {};
    case der::tag::context_primitive(1):
        if (!all_ascii(el->contents)) {
            return errc::bad_encoding;
        }
        out.other_forms |= name_form::rfc822;
        return {};
    case der::tag::context_constructed(3):
        out.other_forms |= name_form::x400;
        return {};
    case der::tag::context_constructed(5):
        out.other_forms |= name_form::edi_party;
        return {};
    case der::tag::context_primitive(6):
        if (!all_ascii(el->contents)) {
            return errc::bad_encoding;
        }
        out.other_forms |= name_form::uri;
        return {};
    case der::tag::context_primitive(8): {
        if (!der::parser::valid_oid(el->contents)) {
            return errc::bad_encoding;
        }
        out.other_forms |= name_form::registered_id;
        return {};
    }
    default:
        return errc::unexpected_tag;
    }
}

/// An extension value that must be exactly one SEQUENCE: its contents.
HTTPS_DECL result<der::parser> sole_sequence(der::parser value) {
    auto seq = value.read_sequence();
    if (!seq) {
        return seq.error();
    }
    HTTPS_TRY(value.expect_empty());
    return *seq;
}

/// subjectAltName: GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName.
HTTPS_DECL status parse_subject_alt_name(der::parser value, certificate& c) {
    auto seq = sole_sequence(value);
    if (!seq) {
        return seq.error();
    }
    HTTPS_TRY(for_each_element(
        *seq, [&c](der::parser& p) { return parse_general_name(p, c.subject_alt_names, false); }));
    return {};
}

/// GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree { base, [0] minimum DEFAULT 0,
/// [1] maximum OPTIONAL }; RFC 5280 §4.2.1.10: minimum MUST be zero and maximum absent, so a
/// subtree carrying either is refused (DER omits the zero default).
HTTPS_DECL status parse_general_subtrees(der::parser subtrees, general_names& out) {
    return for_each_element(subtrees, [&out](der::parser& p) -> status {
        auto subtree = p.read_sequence();
        if (!subtree) {
            return subtree.error();
        }
        HTTPS_TRY(parse_general_name(*subtree, out, true));
        return subtree->expect_empty();
    });
}

HTTPS_DECL status parse_name_constraints(der::parser value, certificate& c) {
    auto seq = sole_sequence(value);
    if (!seq) {
        return seq.error();
    }
    name_constraints nc;
    bool any = false;
    if (seq->next_is(der::tag::context_constructed(0))) {
        auto permitted = seq->read_constructed(der::tag::context_constructed(0));
        if (!permitted) {
            return permitted.error();
        }
        HTTPS_TRY(parse_general_subtrees(*permitted, nc.permitted));
        any = true;
    }
    if (seq->next_is(der::tag::context_constructed(1))) {
        auto excluded = seq->read_constructed(der::tag::context_constructed(1));
        if (!excluded) {
            return excluded.error();
        }
        HTTPS_TRY(parse_general_subtrees(*excluded, nc.excluded));
        any = true;
    }
    HTTPS_TRY(seq->expect_empty());
    if (!any) {
        return errc::bad_encoding; // §4.2.1.10: MUST NOT be an empty sequence
    }
    c.constraints = std::move(nc);
    return {};
}

/// basicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }.
/// An explicit cA FALSE is not DER but common in old certificates; like OpenSSL and Go we accept
/// it. A path length without cA is meaningless and refused (§4.2.1.9: only if cA is set).
HTTPS_DECL status parse_basic_constraints(der::parser value, certificate& c) {
    auto seq = sole_sequence(value);
    if (!seq) {
        return seq.error();
    }
    if (seq->next_is(der::tag::boolean)) {
        auto ca = seq->read_boolean();
        if (!ca) {
            return ca.error();
        }
        c.is_ca = *ca;
    }
    if (seq->next_is(der::tag::integer)) {
        auto len = seq->read_small_unsigned(UINT32_MAX);
        if (!len) {
            return len.error();
        }
        if (!c.is_ca) {
            return errc::bad_encoding;
        }
        c.path_len_constraint = static_cast<std::uint32_t>(*len);
    }
    return seq->expect_empty();
}

/// keyUsage ::= BIT STRING; §4.2.1.3: at least one bit set. Bits beyond decipherOnly are ignored.
HTTPS_DECL status parse_key_usage(der::parser value, certificate& c) {
    auto bits = value.read_bit_string();
    if (!bits) {
        return bits.error();
    }
    HTTPS_TRY(value.expect_empty());
    std::uint16_t mask = 0;
    for (unsigned i = 0; i < 9; ++i) {
        if (bits->bit(i)) {
            mask = static_cast<std::uint16_t>(mask | (1u << i));
        }
    }
    if (mask == 0) {
        return errc::bad_encoding;
    }
    c.key_usage = mask;
    return {};
}

/// ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId.
HTTPS_DECL status parse_ext_key_usage(der::parser value, certificate& c) {
    auto seq = sole_sequence(value);
    if (!seq) {
        return seq.error();
    }
    HTTPS_TRY(for_each_element(*seq, [&c](der::parser& p) -> status {
        auto id = p.read_oid();
        if (!id) {
            return id.error();
        }
        if (der::oid_equals(*id, oid::kp_server_auth)) {
            c.ext_key_usage.server_auth = true;
        } else if (der::oid_equals(*id, oid::kp_client_auth)) {
            c.ext_key_usage.client_auth = true;
        } else if (der::oid_equals(*id, oid::kp_ocsp_signing)) {
            c.ext_key_usage.ocsp_signing = true;
        } else if (der::oid_equals(*id, oid::any_extended_key_usage)) {
            c.ext_key_usage.any = true;
        }
        return {};
    }));
    return {};
}

/// AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL,
/// authorityCertIssuer [1] GeneralNames OPTIONAL, authorityCertSerialNumber [2] OPTIONAL }.
HTTPS_DECL status parse_authority_key_id(der::parser value, certificate& c) {
    auto seq = sole_sequence(value);
    if (!seq) {
        return seq.error();
    }
    auto key_id = seq->read_optional(der::tag::context_primitive(0));
    if (!key_id) {
        return key_id.error();
    }
    if (*key_id) {
        c.authority_key_id = (*key_id)->contents;
    }
    // authorityCertIssuer [1] GeneralNames (the same syntax as a subjectAltName's contents).
    auto issuer = seq->read_optional(der::tag::context_constructed(1));
    if (!issuer) {
        return issuer.error();
    }
    auto serial = seq->read_optional(der::tag::context_primitive(2));
    if (!serial) {
        return serial.error();
    }
    if (issuer->has_value() != serial->has_value()) {
        return errc::bad_encoding; // §4.2.1.1: both or neither
    }
    if (*issuer) {
        general_names names;
        HTTPS_TRY(for_each_element(der::parser((*issuer)->contents, seq->depth() + 1),
                                   [&names](der::parser& p) {
                                       return parse_general_name(p, names, false);
                                   }));
        c.authority_key_id_names_issuer = true;
    }
    return seq->expect_empty();
}

HTTPS_DECL status parse_subject_key_id(der::parser value, certificate& c) {
    auto id = value.read_octet_string();
    if (!id) {
        return id.error();
    }
    HTTPS_TRY(value.expect_empty());
    c.subject_key_id = *id;
    return {};
}

/// authorityInfoAccess (RFC 5280 §4.2.2.1) ::= SEQUENCE SIZE (1..MAX) OF AccessDescription
/// { accessMethod OBJECT IDENTIFIER, accessLocation GeneralName }. Checked, not used.
HTTPS_DECL status parse_authority_info_access(der::parser value) {
    auto seq = sole_sequence(value);
    if (!seq) {
        return seq.error();
    }
    return for_each_element(*seq, [](der::parser& p) -> status {
        auto description = p.read_sequence();
        if (!description) {
            return description.error();
        }
        HTTPS_TRY(description->read_oid());
        general_names location;
        HTTPS_TRY(parse_general_name(*description, location, false));
        return description->expect_empty();
    });
}

/// GeneralNames held in an IMPLICIT context tag: the same contents as a SEQUENCE OF GeneralName.
HTTPS_DECL status parse_tagged_general_names(const der::element& el, unsigned depth) {
    general_names names;
    return for_each_element(der::parser(el.contents, depth), [&names](der::parser& p) {
        return parse_general_name(p, names, false);
    });
}

/// cRLDistributionPoints (RFC 5280 §4.2.1.13) ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint
/// { distributionPoint [0] DistributionPointName OPTIONAL, reasons [1] ReasonFlags OPTIONAL,
/// cRLIssuer [2] GeneralNames OPTIONAL }, where DistributionPointName ::= CHOICE { fullName [0]
/// GeneralNames, nameRelativeToCRLIssuer [1] RelativeDistinguishedName }. A point MUST have a
/// distributionPoint or a cRLIssuer. Checked, not used (we do not fetch CRLs).
HTTPS_DECL status parse_crl_distribution_points(der::parser value) {
    auto seq = sole_sequence(value);
    if (!seq) {
        return seq.error();
    }
    return for_each_element(*seq, [](der::parser& p) -> status {
        auto point = p.read_sequence();
        if (!point) {
            return point.error();
        }
        auto name = point->read_optional(der::tag::context_constructed(0));
        if (!name) {
            return name.error();
        }
        if (*name) {
            der::parser choice((*name)->contents, point->depth() + 1);
            auto form = choice.read_any();
            if (!form) {
                return form.error();
            }
            if (form->tag == der::tag::context_constructed(0)) {
                HTTPS_TRY(parse_tagged_general_names(*form, choice.depth() + 1));
            } else if (form->tag == der::tag::context_constructed(1)) {
                // RelativeDistinguishedName: a non-empty SET OF AttributeTypeAndValue, checked by
                // wrapping it as a one-RDN Name.
                HTTPS_TRY(for_each_element(der::parser(form->contents, choice.depth() + 1),
                                           [](der::parser& ava) -> status {
                                               auto a = ava.read_sequence();
                                               if (!a) {
                                                   return a.error();
                                               }
                                               HTTPS_TRY(a->read_oid());
                                               HTTPS_TRY(a->read_any());
                                               return a->expect_empty();
                                           }));
            } else {
                return errc::unexpected_tag;
            }
            HTTPS_TRY(choice.expect_empty());
        }
        auto reasons = point->read_optional(der::tag::context_primitive(1));
        if (!reasons) {
            return reasons.error();
        }
        auto issuer = point->read_optional(der::tag::context_constructed(2));
        if (!issuer) {
            return issuer.error();
        }
        if (*issuer) {
            HTTPS_TRY(parse_tagged_general_names(**issuer, point->depth() + 1));
        }
        if (!*name && !*issuer) {
            return errc::bad_encoding;
        }
        return point->expect_empty();
    });
}

/// certificatePolicies (RFC 5280 §4.2.1.4) ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation
/// { policyIdentifier OBJECT IDENTIFIER, policyQualifiers SEQUENCE SIZE (1..MAX) OF
/// PolicyQualifierInfo { policyQualifierId OBJECT IDENTIFIER, qualifier ANY } OPTIONAL }; a
/// policy OID MUST NOT appear more than once.
HTTPS_DECL status parse_certificate_policies(der::parser value) {
    auto seq = sole_sequence(value);
    if (!seq) {
        return seq.error();
    }
    std::vector<bytes_view> seen;
    return for_each_element(*seq, [&seen](der::parser& p) -> status {
        auto info = p.read_sequence();
        if (!info) {
            return info.error();
        }
        auto id = info->read_oid();
        if (!id) {
            return id.error();
        }
        if (std::any_of(seen.begin(), seen.end(),
                        [&](bytes_view other) { return der::oid_equals(*id, other); })) {
            return errc::bad_encoding;
        }
        seen.push_back(*id);
        if (!info->empty()) {
            auto qualifiers = info->read_sequence();
            if (!qualifiers) {
                return qualifiers.error();
            }
            HTTPS_TRY(for_each_element(*qualifiers, [](der::parser& q) -> status {
                auto qualifier = q.read_sequence();
                if (!qualifier) {
                    return qualifier.error();
                }
                HTTPS_TRY(qualifier->read_oid());
                HTTPS_TRY(qualifier->read_any());
                return qualifier->expect_empty();
            }));
        }
        return info->expect_empty();
    });
}

/// The embedded SCT list (RFC 6962 §3.3): an OCTET STRING holding the TLS encoding
/// `opaque SerializedSCT<1..2^16-1>; SerializedSCT sct_list<1..2^16-1>`. Checked, not used.
HTTPS_DECL status parse_sct_list(der::parser value) {
    auto list = value.read_octet_string();
    if (!list) {
        return list.error();
    }
    HTTPS_TRY(value.expect_empty());
    const bytes_view b = *list;
    if (b.size() < 2 || static_cast<std::size_t>(b[0] << 8 | b[1]) != b.size() - 2 ||
        b.size() == 2) {
        return errc::bad_encoding;
    }
    for (std::size_t pos = 2; pos < b.size();) {
        if (b.size() - pos < 2) {
            return errc::truncated;
        }
        const std::size_t n = static_cast<std::size_t>(b[pos] << 8 | b[pos + 1]);
        if (n == 0 || n > b.size() - pos - 2) {
            return errc::bad_encoding;
        }
        pos += 2 + n;
    }
    return {};
}

/// TLS Feature (RFC 7633 §4) ::= SEQUENCE OF INTEGER (TLS extension numbers); status_request
/// (5) makes the certificate must-staple.
HTTPS_DECL status parse_tls_feature(der::parser value, certificate& c) {
    auto seq = sole_sequence(value);
    if (!seq) {
        return seq.error();
    }
    return for_each_element(*seq, [&c](der::parser& p) -> status {
        auto feature = p.read_small_unsigned(0xffff);
        if (!feature) {
            return feature.error();
        }
        c.must_staple = c.must_staple || *feature == 5;
        return {};
    });
}

/// Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension { extnID, critical DEFAULT FALSE, extnValue
/// }.
HTTPS_DECL status parse_extensions(der::parser& tbs, certificate& c) {
    auto wrapper = tbs.read_constructed(der::tag::context_constructed(3));
    if (!wrapper) {
        return wrapper.error();
    }
    auto list = wrapper->read_sequence();
    if (!list) {
        return list.error();
    }
    HTTPS_TRY(wrapper->expect_empty());
    if (list->empty()) {
        return errc::bad_encoding;
    }
    std::vector<bytes_view> seen;
    while (!list->empty()) {
        if (seen.size() >= max_extensions) {
            return errc::too_large;
        }
        auto ext = list->read_sequence();
        if (!ext) {
            return ext.error();
        }
        auto id = ext->read_oid();
        if (!id) {
            return id.error();
        }
        bool critical = false;
        if (ext->next_is(der::tag::boolean)) {
            auto b = ext->read_boolean(); // explicit FALSE is non-DER but widespread; accepted
            if (!b) {
                return b.error();
            }
            critical = *b;
        }
        auto value = ext->read_octet_string();
        if (!value) {
            return value.error();
        }
        HTTPS_TRY(ext->expect_empty());
        // §4.2: "A certificate MUST NOT include more than one instance of a particular extension."
        for (bytes_view other : seen) {
            if (der::oid_equals(*id, other)) {
                return errc::bad_encoding;
            }
        }
        seen.push_back(*id);

        const der::parser v(*value, ext->depth() + 1);
        std::uint32_t known = 0;
        if (der::oid_equals(*id, oid::basic_constraints)) {
            known = extension::basic_constraints;
            HTTPS_TRY(parse_basic_constraints(v, c));
        } else if (der::oid_equals(*id, oid::key_usage)) {
            known = extension::key_usage;
            HTTPS_TRY(parse_key_usage(v, c));
        } else if (der::oid_equals(*id, oid::ext_key_usage)) {
            known = extension::ext_key_usage;
            HTTPS_TRY(parse_ext_key_usage(v, c));
        } else if (der::oid_equals(*id, oid::subject_alt_name)) {
            known = extension::subject_alt_name;
            HTTPS_TRY(parse_subject_alt_name(v, c));
        } else if (der::oid_equals(*id, oid::name_constraints)) {
            known = extension::name_constraints;
            HTTPS_TRY(parse_name_constraints(v, c));
        } else if (der::oid_equals(*id, oid::authority_key_identifier)) {
            known = extension::authority_key_id;
            HTTPS_TRY(parse_authority_key_id(v, c));
        } else if (der::oid_equals(*id, oid::subject_key_identifier)) {
            known = extension::subject_key_id;
            HTTPS_TRY(parse_subject_key_id(v, c));
        } else if (der::oid_equals(*id, oid::certificate_policies)) {
            // Understood in the sense of RFC 5280 §6.1 with initial-policy-set anyPolicy and no
            // explicit policy required: policies never restrict the path we accept. The policy
            // *constraints* extensions (policyConstraints, inhibitAnyPolicy, policyMappings)
            // could, so when critical they count as unknown below.
            known = extension::certificate_policies;
            HTTPS_TRY(parse_certificate_policies(v));
        } else if (der::oid_equals(*id, oid::authority_info_access)) {
            known = extension::authority_info_access;
            HTTPS_TRY(parse_authority_info_access(v));
        } else if (der::oid_equals(*id, oid::crl_distribution_points)) {
            known = extension::crl_distribution_points;
            HTTPS_TRY(parse_crl_distribution_points(v));
        } else if (der::oid_equals(*id, oid::sct_list)) {
            known = extension::sct_list;
            HTTPS_TRY(parse_sct_list(v));
        } else if (der::oid_equals(*id, oid::tls_feature)) {
            known = extension::tls_feature;
            HTTPS_TRY(parse_tls_feature(v, c));
        }
        if (known != 0) {
            c.extensions_present |= known;
            c.extensions_critical |= critical ? known : 0u;
        }
        // We only read the SCT list, CRL distribution points, access descriptions and TLS
        // features; a certificate that makes any of them critical asks for processing we do not
        // do, so it counts as unknown (RFC 5280 §4.2).
        constexpr std::uint32_t processed = ~(extension::sct_list |
                                              extension::crl_distribution_points |
                                              extension::authority_info_access |
                                              extension::tls_feature);
        if (critical && (known & processed) == 0) {
            c.unknown_critical_extension = true;
        }
    }
    return {};
}

/// The certificate parse proper; errors are the underlying decode errors.
HTTPS_DECL status parse_certificate_into(bytes_view data, certificate& c) {
    if (data.size() > max_certificate_size) {
        return errc::too_large;
    }
    der::parser top(data);
    auto cert = top.read_sequence();
    if (!cert) {
        return cert.error();
    }
    HTTPS_TRY(top.expect_empty());
    c.der = data;

    auto tbs_el = cert->read_any();
    if (!tbs_el) {
        return tbs_el.error();
    }
    if (tbs_el->tag != der::tag::sequence) {
        return errc::unexpected_tag;
    }
    c.tbs = tbs_el->encoded;
    auto outer_alg = parse_signature_algorithm(*cert);
    if (!outer_alg) {
        return outer_alg.error();
    }
    c.sig_alg = *outer_alg;
    auto sig = cert->read_bit_string();
    if (!sig) {
        return sig.error();
    }
    if (sig->unused_bits != 0) {
        return errc::bad_encoding;
    }
    c.signature = sig->bytes;
    HTTPS_TRY(cert->expect_empty());

    der::parser tbs(tbs_el->contents, cert->depth() + 1);
    // version [0] EXPLICIT INTEGER DEFAULT v1: DER omits v1, so an explicit 0 is refused.
    if (tbs.next_is(der::tag::context_constructed(0))) {
        auto v = tbs.read_constructed(der::tag::context_constructed(0));
        if (!v) {
            return v.error();
        }
        auto n = v->read_small_unsigned(2);
        if (!n) {
            return n.error();
        }
        HTTPS_TRY(v->expect_empty());
        if (*n == 0) {
            return errc::non_minimal_encoding;
        }
        c.version = static_cast<unsigned>(*n) + 1;
    }
    // serialNumber: §4.1.2.2 positive, at most 20 octets. We refuse negative serials (as Go
    // does since 1.23) and accept zero (old roots use it; §4.1.2.2 asks users to tolerate it).
    // 20 octets of magnitude may need a 21st sign octet, which is allowed.
    auto serial = tbs.read_integer();
    if (!serial) {
        return serial.error();
    }
    if (((*serial)[0] & 0x80) != 0) {
        return errc::out_of_range;
    }
    if (serial->size() > 21 || (serial->size() == 21 && (*serial)[0] != 0)) {
        return errc::too_large;
    }
    c.serial = *serial;

    auto inner_alg = tbs.read_any();
    if (!inner_alg) {
        return inner_alg.error();
    }
    // §4.1.1.2: signatureAlgorithm MUST equal the TBS signature field; compare the encodings.
    if (inner_alg->encoded.size() != c.sig_alg.der.size() ||
        !std::equal(inner_alg->encoded.begin(), inner_alg->encoded.end(), c.sig_alg.der.begin())) {
        return errc::bad_encoding;
    }

    auto issuer = tbs.read_any();
    if (!issuer) {
        return issuer.error();
    }
    auto issuer_name = parse_name(issuer->encoded, tbs.depth());
    if (!issuer_name) {
        return issuer_name.error();
    }
    if (issuer_name->empty()) {
        return errc::bad_encoding; // §4.1.2.4: the issuer MUST be a non-empty name
    }
    c.issuer = *issuer_name;

    auto validity = tbs.read_sequence();
    if (!validity) {
        return validity.error();
    }
    for (unix_time* t : {&c.not_before, &c.not_after}) {
        auto el = validity->read_any();
        if (!el) {
            return el.error();
        }
        auto v = parse_time(*el);
        if (!v) {
            return v.error();
        }
        *t = *v;
    }
    HTTPS_TRY(validity->expect_empty());

    auto subject = tbs.read_any();
    if (!subject) {
        return subject.error();
    }
    auto subject_name = parse_name(subject->encoded, tbs.depth());
    if (!subject_name) {
        return subject_name.error();
    }
    c.subject = *subject_name;

    auto spki = parse_spki(tbs);
    if (!spki) {
        return spki.error();
    }
    c.spki = *spki;

    // issuerUniqueID [1] / subjectUniqueID [2] IMPLICIT BIT STRING: v2 or v3 only, then ignored.
    for (unsigned n : {1u, 2u}) {
        auto uid = tbs.read_optional(der::tag::context_primitive(n));
        if (!uid) {
            return uid.error();
        }
        if (*uid && c.version < 2) {
            return errc::bad_encoding;
        }
    }
    if (tbs.next_is(der::tag::context_constructed(3))) {
        if (c.version != 3) {
            return errc::bad_encoding; // §4.1.2.9: extensions only in v3
        }
        HTTPS_TRY(parse_extensions(tbs, c));
    }
    return tbs.expect_empty();
}

} // namespace detail

HTTPS_DECL result<certificate> parse_certificate(bytes_view der, errc* cause) {
    certificate c;
    const status s = detail::parse_certificate_into(der, c);
    if (cause != nullptr) {
        *cause = s.error();
    }
    if (!s) {
        return errc::cert_malformed;
    }
    return c;
}

HTTPS_DECL std::string describe_certificate(bytes_view der) {
    errc cause = errc::ok;
    auto c = parse_certificate(der, &cause);
    if (!c) {
        return std::string("unparsable certificate (") + describe(cause) + ")";
    }
    return "subject: " + to_string(c->subject) + "; issuer: " + to_string(c->issuer) + "; valid " +
           format_time(c->not_before) + " to " + format_time(c->not_after);
}

} // namespace https::x509
