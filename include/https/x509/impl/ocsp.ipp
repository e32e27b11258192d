// Stapled OCSP responses (x509/ocsp.hpp), out of line for separate compilation.
#pragma once

#include "../ocsp.hpp"
#include "../signature.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace https::x509 {

namespace detail {

/// A GeneralizedTime (RFC 6960 uses no UTCTime).
HTTPS_DECL result<unix_time> read_generalized_time(der::parser& p) {
    auto el = p.read(der::tag::generalized_time);
    if (!el) {
        return el.error();
    }
    return parse_time(*el);
}

/// Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension, none of which we process: a critical one
/// makes the response unusable (RFC 5280 §4.2 by way of RFC 6960 §4.4).
HTTPS_DECL status check_ocsp_extensions(der::parser& p, std::uint8_t tag) {
    if (!p.next_is(tag)) {
        return {};
    }
    auto wrapper = p.read_constructed(tag);
    if (!wrapper) {
        return wrapper.error();
    }
    auto list = wrapper->read_sequence();
    if (!list) {
        return list.error();
    }
    HTTPS_TRY(wrapper->expect_empty());
    return for_each_element(*list, [](der::parser& e) -> status {
        auto ext = e.read_sequence();
        if (!ext) {
            return ext.error();
        }
        HTTPS_TRY(ext->read_oid());
        if (ext->next_is(der::tag::boolean)) {
            auto critical = ext->read_boolean();
            if (!critical) {
                return critical.error();
            }
            if (*critical) {
                return errc::unsupported_algorithm; // an extension we would have to process
            }
        }
        HTTPS_TRY(ext->read_octet_string());
        return ext->expect_empty();
    });
}

/// SingleResponse ::= SEQUENCE { certID, certStatus, thisUpdate, nextUpdate [0] EXPLICIT
/// OPTIONAL, singleExtensions [1] EXPLICIT OPTIONAL }.
HTTPS_DECL result<ocsp_single_response> parse_single_response(der::parser& p) {
    auto seq = p.read_sequence();
    if (!seq) {
        return seq.error();
    }
    ocsp_single_response r;
    auto id = seq->read_sequence();
    if (!id) {
        return id.error();
    }
    auto hash = parse_hash_identifier(*id);
    if (!hash) {
        return hash.error();
    }
    r.id_hash = *hash;
    auto name_hash = id->read_octet_string();
    if (!name_hash) {
        return name_hash.error();
    }
    auto key_hash = id->read_octet_string();
    if (!key_hash) {
        return key_hash.error();
    }
    auto serial = id->read_integer();
    if (!serial) {
        return serial.error();
    }
    HTTPS_TRY(id->expect_empty());
    r.issuer_name_hash = *name_hash;
    r.issuer_key_hash = *key_hash;
    r.serial = *serial;

    // CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo,
    // unknown [2] IMPLICIT NULL }; RevokedInfo ::= SEQUENCE { revocationTime, revocationReason
    // [0] EXPLICIT CRLReason OPTIONAL }.
    auto cert_status = seq->read_any();
    if (!cert_status) {
        return cert_status.error();
    }
    if (cert_status->tag == der::tag::context_primitive(0) ||
        cert_status->tag == der::tag::context_primitive(2)) {
        if (!cert_status->contents.empty()) {
            return errc::bad_encoding;
        }
        r.status = cert_status->tag == der::tag::context_primitive(0) ? revocation_status::good
                                                                      : revocation_status::unknown;
    } else if (cert_status->tag == der::tag::context_constructed(1)) {
        der::parser info(cert_status->contents, seq->depth() + 1);
        auto when = read_generalized_time(info);
        if (!when) {
            return when.error();
        }
        if (info.next_is(der::tag::context_constructed(0))) {
            auto reason = info.read_constructed(der::tag::context_constructed(0));
            if (!reason) {
                return reason.error();
            }
            auto code = reason->read(0x0a); // ENUMERATED
            if (!code) {
                return code.error();
            }
            HTTPS_TRY(reason->expect_empty());
        }
        HTTPS_TRY(info.expect_empty());
        r.status = revocation_status::revoked;
        r.revocation_time = *when;
    } else {
        return errc::unexpected_tag;
    }
    auto this_update = read_generalized_time(*seq);
    if (!this_update) {
        return this_update.error();
    }
    r.this_update = *this_update;
    if (seq->next_is(der::tag::context_constructed(0))) {
        auto wrapper = seq->read_constructed(der::tag::context_constructed(0));
        if (!wrapper) {
            return wrapper.error();
        }
        auto next = read_generalized_time(*wrapper);
        if (!next) {
            return next.error();
        }
        HTTPS_TRY(wrapper->expect_empty());
        if (*next < r.this_update) {
            return errc::out_of_range;
        }
        r.next_update = *next;
    }
    HTTPS_TRY(check_ocsp_extensions(*seq, der::tag::context_constructed(1)));
    HTTPS_TRY(seq->expect_empty());
    return r;
}

/// The parse proper; errors are the underlying decode errors.
HTTPS_DECL status parse_ocsp_response_into(bytes_view data, ocsp_response& out) {
    if (data.size() > max_ocsp_response_size) {
        return errc::too_large;
    }
    // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT
    // ResponseBytes OPTIONAL }: only successful(0) carries a response.
    der::parser top(data);
    auto outer = top.read_sequence();
    if (!outer) {
        return outer.error();
    }
    HTTPS_TRY(top.expect_empty());
    auto response_status = outer->read(0x0a);
    if (!response_status) {
        return response_status.error();
    }
    if (response_status->contents.size() != 1 || response_status->contents[0] != 0) {
        return errc::out_of_range; // malformedRequest, internalError, tryLater, ...
    }
    auto bytes_wrapper = outer->read_constructed(der::tag::context_constructed(0));
    if (!bytes_wrapper) {
        return bytes_wrapper.error();
    }
    HTTPS_TRY(outer->expect_empty());
    auto response_bytes = bytes_wrapper->read_sequence();
    if (!response_bytes) {
        return response_bytes.error();
    }
    HTTPS_TRY(bytes_wrapper->expect_empty());
    auto type = response_bytes->read_oid();
    if (!type) {
        return type.error();
    }
    if (!der::oid_equals(*type, oid::ocsp_basic)) {
        return errc::unsupported_algorithm;
    }
    auto basic_der = response_bytes->read_octet_string();
    if (!basic_der) {
        return basic_der.error();
    }
    HTTPS_TRY(response_bytes->expect_empty());

    // BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm, signature BIT STRING,
    // certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }.
    der::parser basic_top(*basic_der, response_bytes->depth() + 1);
    auto basic = basic_top.read_sequence();
    if (!basic) {
        return basic.error();
    }
    HTTPS_TRY(basic_top.expect_empty());
    auto tbs = basic->read_any();
    if (!tbs) {
        return tbs.error();
    }
    if (tbs->tag != der::tag::sequence) {
        return errc::unexpected_tag;
    }
    out.tbs = tbs->encoded;
    auto alg = parse_signature_algorithm(*basic);
    if (!alg) {
        return alg.error();
    }
    out.sig_alg = *alg;
    auto signature = basic->read_bit_string();
    if (!signature) {
        return signature.error();
    }
    if (signature->unused_bits != 0) {
        return errc::bad_encoding;
    }
    out.signature = signature->bytes;
    if (basic->next_is(der::tag::context_constructed(0))) {
        auto wrapper = basic->read_constructed(der::tag::context_constructed(0));
        if (!wrapper) {
            return wrapper.error();
        }
        auto certs = wrapper->read_sequence();
        if (!certs) {
            return certs.error();
        }
        HTTPS_TRY(wrapper->expect_empty());
        while (!certs->empty()) {
            if (out.certificates.size() == max_ocsp_entries) {
                return errc::too_large;
            }
            auto cert = certs->read_any();
            if (!cert) {
                return cert.error();
            }
            if (cert->tag != der::tag::sequence) {
                return errc::unexpected_tag;
            }
            out.certificates.push_back(cert->encoded);
        }
    }
    HTTPS_TRY(basic->expect_empty());

    // ResponseData ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, responderID, producedAt,
    // responses SEQUENCE OF SingleResponse, responseExtensions [1] EXPLICIT OPTIONAL }. v1 is the
    // only version and DER omits a default, so a version field is refused.
    der::parser data_fields(tbs->contents, basic->depth() + 1);
    if (data_fields.next_is(der::tag::context_constructed(0))) {
        return errc::non_minimal_encoding;
    }
    // ResponderID ::= CHOICE { byName [1] EXPLICIT Name, byKey [2] EXPLICIT KeyHash }.
    auto responder = data_fields.read_any();
    if (!responder) {
        return responder.error();
    }
    der::parser choice(responder->contents, data_fields.depth() + 1);
    if (responder->tag == der::tag::context_constructed(1)) {
        auto n = choice.read_any();
        if (!n) {
            return n.error();
        }
        auto parsed = parse_name(n->encoded, choice.depth());
        if (!parsed) {
            return parsed.error();
        }
        out.responder_name = *parsed;
    } else if (responder->tag == der::tag::context_constructed(2)) {
        auto hash = choice.read_octet_string();
        if (!hash) {
            return hash.error();
        }
        if (hash->size() != 20) { // SHA-1 of the key (RFC 6960 §4.2.1)
            return errc::bad_encoding;
        }
        out.responder_key_hash = *hash;
    } else {
        return errc::unexpected_tag;
    }
    HTTPS_TRY(choice.expect_empty());
    auto produced = read_generalized_time(data_fields);
    if (!produced) {
        return produced.error();
    }
    out.produced_at = *produced;
    auto responses = data_fields.read_sequence();
    if (!responses) {
        return responses.error();
    }
    while (!responses->empty()) {
        if (out.responses.size() == max_ocsp_entries) {
            return errc::too_large;
        }
        auto single = parse_single_response(*responses);
        if (!single) {
            return single.error();
        }
        out.responses.push_back(*single);
    }
    HTTPS_TRY(check_ocsp_extensions(data_fields, der::tag::context_constructed(1)));
    return data_fields.expect_empty();
}

/// Is `hash` the digest (under `alg`) of `data`?
HTTPS_DECL bool digest_equals(hash_algorithm alg, bytes_view data, bytes_view hash) {
    const auto id = to_hash_id(alg);
    if (!id) {
        return false;
    }
    std::array<std::uint8_t, crypto::max_digest_size> d{};
    const std::size_t n = digest_of(*id, data, d);
    return n == hash.size() && std::equal(hash.begin(), hash.end(), d.begin());
}

/// Does the ResponderID name the certificate `c` (by the SHA-1 of its key, or by its subject)?
HTTPS_DECL bool responder_is(const ocsp_response& r, const certificate& c) {
    if (r.responder_name) {
        return names_equal(*r.responder_name, c.subject);
    }
    return digest_equals(hash_algorithm::sha1, c.spki.key, r.responder_key_hash);
}

/// Is `signature` over `tbs` by `key` under `alg`, with a digest we still accept?
HTTPS_DECL bool signed_by(const public_key_info& key, const signature_algorithm& alg,
                          bytes_view tbs, bytes_view signature) {
    const bool weak = alg.hash == hash_algorithm::md5 || alg.hash == hash_algorithm::sha1;
    return !weak && verify_signature(key, alg, tbs, signature).ok();
}

} // namespace detail

HTTPS_DECL result<ocsp_response> parse_ocsp_response(bytes_view der, errc* cause) {
    ocsp_response r;
    const status s = detail::parse_ocsp_response_into(der, r);
    if (cause != nullptr) {
        *cause = s.error();
    }
    if (!s) {
        return errc::cert_ocsp_malformed;
    }
    return r;
}

HTTPS_DECL result<ocsp_status> check_ocsp_response(bytes_view der, const certificate& leaf,
                                                   const certificate& issuer, unix_time now) {
    auto r = parse_ocsp_response(der);
    if (!r) {
        return r.error();
    }
    // §4.2.2.2: the issuer signs, or a responder whose certificate the issuer signed directly
    // and marked with id-kp-OCSPSigning, valid now.
    bool authentic = false;
    if (detail::responder_is(*r, issuer)) {
        authentic = detail::signed_by(issuer.spki, r->sig_alg, r->tbs, r->signature);
    } else {
        for (bytes_view cert_der : r->certificates) {
            auto responder = parse_certificate(cert_der);
            if (!responder || !detail::responder_is(*r, *responder)) {
                continue;
            }
            const certificate& c = *responder;
            authentic = names_equal(c.issuer, issuer.subject) &&
                        detail::signed_by(issuer.spki, c.sig_alg, c.tbs, c.signature) &&
                        c.ext_key_usage.ocsp_signing && !c.unknown_critical_extension &&
                        now >= c.not_before && now <= c.not_after &&
                        detail::signed_by(c.spki, r->sig_alg, r->tbs, r->signature);
            break;
        }
    }
    if (!authentic) {
        return errc::cert_ocsp_bad_responder;
    }
    // §4.1.1 CertID: the hashes of the issuer's name and key, and the leaf's serial number.
    const auto match = std::find_if(
        r->responses.begin(), r->responses.end(), [&](const ocsp_single_response& s) {
            return s.serial.size() == leaf.serial.size() &&
                   std::equal(s.serial.begin(), s.serial.end(), leaf.serial.begin()) &&
                   detail::digest_equals(s.id_hash, leaf.issuer.der, s.issuer_name_hash) &&
                   detail::digest_equals(s.id_hash, issuer.spki.key, s.issuer_key_hash);
        });
    if (match == r->responses.end()) {
        return errc::cert_ocsp_unknown;
    }
    // §3.2 (5)-(6): current, within the allowed skew.
    const unix_time expires =
        match->next_update ? *match->next_update : match->this_update + ocsp_validity_without_next_update;
    if (match->this_update > now + ocsp_clock_skew || now > expires + ocsp_clock_skew) {
        return errc::cert_ocsp_stale;
    }
    ocsp_status out;
    out.status = match->status;
    out.this_update = match->this_update;
    out.next_update = match->next_update;
    out.revocation_time = match->revocation_time;
    return out;
}

} // namespace https::x509
