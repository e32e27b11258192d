// Stapled OCSP responses (RFC 6960): responses made on the spot with OpenSSL's libcrypto for
// certificates made the same way, checked by x509::check_ocsp_response and by verify_chain's
// must-staple rule (RFC 7633).
#include <https/x509/ocsp.hpp>
#include <https/x509/verify.hpp>

#include "support/cert_factory.hpp"

#include <catch2/catch.hpp>

#include <openssl/ocsp.h>

#include <ctime>
#include <optional>
#include <string>

using namespace https;
using namespace https::x509;

namespace {

/// What to put in a response.
struct response_spec {
    int status = V_OCSP_CERTSTATUS_GOOD;
    long this_update_offset = -3600;               ///< from now, seconds
    std::optional<long> next_update_offset = 86400; ///< from now; nothing: no nextUpdate
    const EVP_MD* id_hash = EVP_sha1();            ///< CertID hash
    bool include_signer = true;                    ///< the signer's certificate in `certs`
    bool by_key = false;                           ///< ResponderID byKey, else byName
};

ASN1_GENERALIZEDTIME* at(long offset) {
    return ASN1_GENERALIZEDTIME_set(nullptr, std::time(nullptr) + offset);
}

/// An OCSPResponse for `leaf` (issued by `issuer`) signed by `signer`.
byte_vector make_response(const test::made_cert& leaf, const test::made_cert& issuer,
                          const test::made_cert& signer, const response_spec& spec = {}) {
    OCSP_CERTID* id = OCSP_cert_to_id(spec.id_hash, leaf.x509.get(), issuer.x509.get());
    OCSP_BASICRESP* basic = OCSP_BASICRESP_new();
    ASN1_GENERALIZEDTIME* this_update = at(spec.this_update_offset);
    ASN1_GENERALIZEDTIME* next_update =
        spec.next_update_offset ? at(*spec.next_update_offset) : nullptr;
    ASN1_GENERALIZEDTIME* revoked_at =
        spec.status == V_OCSP_CERTSTATUS_REVOKED ? at(-7200) : nullptr;
    REQUIRE(OCSP_basic_add1_status(basic, id, spec.status, OCSP_REVOKED_STATUS_NOSTATUS,
                                   revoked_at, this_update, next_update) != nullptr);
    unsigned long flags = spec.include_signer ? 0 : OCSP_NOCERTS;
    flags |= spec.by_key ? OCSP_RESPID_KEY : 0;
    REQUIRE(OCSP_basic_sign(basic, signer.x509.get(), signer.key.get(), EVP_sha256(), nullptr,
                            flags) == 1);
    OCSP_RESPONSE* response = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic);
    REQUIRE(response != nullptr);
    const int n = i2d_OCSP_RESPONSE(response, nullptr);
    byte_vector out(static_cast<std::size_t>(n));
    unsigned char* p = out.data();
    REQUIRE(i2d_OCSP_RESPONSE(response, &p) == n);
    OCSP_RESPONSE_free(response);
    OCSP_BASICRESP_free(basic);
    OCSP_CERTID_free(id);
    ASN1_GENERALIZEDTIME_free(this_update);
    ASN1_GENERALIZEDTIME_free(next_update);
    ASN1_GENERALIZEDTIME_free(revoked_at);
    return out;
}

test::made_cert make_ca(const std::string& name, const test::made_cert* issuer = nullptr) {
    return test::make_cert({name,
                            test::cert_key::p256,
                            {{"basicConstraints", "critical, CA:TRUE"},
                             {"keyUsage", "critical, keyCertSign, cRLSign"}}},
                           issuer);
}

test::made_cert make_leaf(const test::made_cert& issuer, bool must_staple,
                          const std::string& host = "ocsp.example") {
    test::cert_spec spec{host,
                         test::cert_key::p256,
                         {{"basicConstraints", "critical, CA:FALSE"},
                          {"keyUsage", "critical, digitalSignature"},
                          {"extendedKeyUsage", "serverAuth"},
                          {"subjectAltName", "DNS:" + host}}};
    if (must_staple) {
        spec.extensions.emplace_back("tlsfeature", "status_request");
    }
    return test::make_cert(spec, &issuer);
}

test::made_cert make_responder(const test::made_cert& issuer, bool ocsp_signing) {
    test::cert_spec spec{"OCSP Responder",
                         test::cert_key::p256,
                         {{"basicConstraints", "critical, CA:FALSE"},
                          {"keyUsage", "critical, digitalSignature"}}};
    if (ocsp_signing) {
        spec.extensions.emplace_back("extendedKeyUsage", "OCSPSigning");
    }
    return test::make_cert(spec, &issuer);
}

certificate parsed(const test::made_cert& c) {
    auto p = parse_certificate(c.der);
    REQUIRE(p.ok());
    return *p;
}

} // namespace

TEST_CASE("x509 OCSP: each stapled response gives its status or its named error",
          "[x509][ocsp]") {
    const test::made_cert root = make_ca("OCSP Test Root");
    const test::made_cert leaf = make_leaf(root, false);
    const test::made_cert other_leaf = make_leaf(root, false, "other.example");
    const test::made_cert responder = make_responder(root, true);
    const test::made_cert responder_without_eku = make_responder(root, false);
    const test::made_cert rogue_root = make_ca("OCSP Rogue Root");
    const test::made_cert rogue_responder = make_responder(rogue_root, true);
    // A responder from another key under the root's very name: the issuer never signed it.
    const test::made_cert namesake_root = make_ca("OCSP Test Root");
    const test::made_cert impostor = make_responder(namesake_root, true);
    const certificate l = parsed(leaf);
    const certificate issuer = parsed(root);
    const unix_time now = std::time(nullptr);
    auto check = [&](const byte_vector& der) { return check_ocsp_response(der, l, issuer, now); };
    auto status_of = [&](const byte_vector& der) {
        auto r = check(der);
        REQUIRE(r.ok());
        return r->status;
    };

    // Signed by the issuer, named by name or by key; CertID by SHA-1 or SHA-256.
    CHECK(status_of(make_response(leaf, root, root)) == revocation_status::good);
    CHECK(status_of(make_response(leaf, root, root, {.by_key = true})) == revocation_status::good);
    CHECK(status_of(make_response(leaf, root, root, {.id_hash = EVP_sha256()})) ==
          revocation_status::good);
    auto revoked = check(make_response(leaf, root, root, {.status = V_OCSP_CERTSTATUS_REVOKED}));
    REQUIRE(revoked.ok());
    CHECK(revoked->status == revocation_status::revoked);
    CHECK(revoked->revocation_time <= now - 7200 + 1);
    CHECK(status_of(make_response(leaf, root, root, {.status = V_OCSP_CERTSTATUS_UNKNOWN})) ==
          revocation_status::unknown);

    // A delegated responder: issued by the issuer, with id-kp-OCSPSigning, sent along.
    CHECK(status_of(make_response(leaf, root, responder)) == revocation_status::good);
    CHECK(status_of(make_response(leaf, root, responder, {.by_key = true})) ==
          revocation_status::good);
    CHECK(check(make_response(leaf, root, responder_without_eku)).error() ==
          errc::cert_ocsp_bad_responder);
    CHECK(check(make_response(leaf, root, rogue_responder)).error() ==
          errc::cert_ocsp_bad_responder);
    CHECK(check(make_response(leaf, root, impostor)).error() == errc::cert_ocsp_bad_responder);
    CHECK(check(make_response(leaf, root, responder, {.include_signer = false})).error() ==
          errc::cert_ocsp_bad_responder);
    CHECK(check(make_response(leaf, root, rogue_root)).error() == errc::cert_ocsp_bad_responder);

    // A tampered signature.
    byte_vector tampered = make_response(leaf, root, root);
    const auto signature_at = [&] {
        auto r = parse_ocsp_response(tampered);
        REQUIRE(r.ok());
        return static_cast<std::size_t>(r->signature.data() - tampered.data());
    }();
    tampered[signature_at + 10] ^= 0x01;
    CHECK(check(tampered).error() == errc::cert_ocsp_bad_responder);

    // Freshness, with five minutes of skew either way.
    CHECK(check(make_response(leaf, root, root, {.this_update_offset = -7200,
                                                 .next_update_offset = -3600}))
              .error() == errc::cert_ocsp_stale);
    CHECK(status_of(make_response(leaf, root, root, {.this_update_offset = -7200,
                                                     .next_update_offset = -60})) ==
          revocation_status::good);
    CHECK(check(make_response(leaf, root, root, {.this_update_offset = 3600})).error() ==
          errc::cert_ocsp_stale);
    CHECK(status_of(make_response(leaf, root, root, {.this_update_offset = 60})) ==
          revocation_status::good);
    // Without nextUpdate a response counts as current for four days.
    CHECK(status_of(make_response(leaf, root, root, {.this_update_offset = -86400,
                                                     .next_update_offset = std::nullopt})) ==
          revocation_status::good);
    CHECK(check(make_response(leaf, root, root, {.this_update_offset = -5 * 86400,
                                                 .next_update_offset = std::nullopt}))
              .error() == errc::cert_ocsp_stale);

    // A response about another certificate.
    CHECK(check(make_response(other_leaf, root, root)).error() == errc::cert_ocsp_unknown);

    // Not a successful response; not a response at all; every truncation.
    OCSP_RESPONSE* try_later = OCSP_response_create(OCSP_RESPONSE_STATUS_TRYLATER, nullptr);
    byte_vector later(static_cast<std::size_t>(i2d_OCSP_RESPONSE(try_later, nullptr)));
    unsigned char* p = later.data();
    i2d_OCSP_RESPONSE(try_later, &p);
    OCSP_RESPONSE_free(try_later);
    errc cause = errc::ok;
    CHECK(parse_ocsp_response(later, &cause).error() == errc::cert_ocsp_malformed);
    CHECK(cause == errc::out_of_range);
    CHECK(check(later).error() == errc::cert_ocsp_malformed);
    CHECK(check(leaf.der).error() == errc::cert_ocsp_malformed);
    const byte_vector good = make_response(leaf, root, responder);
    for (std::size_t n = 0; n < good.size(); ++n) {
        CHECK(check(byte_vector(good.begin(), good.begin() + static_cast<long>(n))).error() ==
              errc::cert_ocsp_malformed);
    }
    auto whole = parse_ocsp_response(good);
    REQUIRE(whole.ok());
    CHECK(whole->responses.size() == 1);
    CHECK(whole->certificates.size() == 1);
    CHECK(whole->responder_name.has_value());
}

TEST_CASE("x509 OCSP: revocation and must-staple in verify_chain", "[x509][ocsp]") {
    const test::made_cert root = make_ca("OCSP Chain Root");
    const test::made_cert must_staple = make_leaf(root, true);
    const test::made_cert plain = make_leaf(root, false);
    trust_store store;
    REQUIRE(store.add_der(root.der));
    auto verify = [&](const test::made_cert& leaf, bool requested,
                      std::optional<byte_vector> staple) {
        verify_options o;
        o.dns_name = "ocsp.example";
        o.staple_requested = requested;
        if (staple) {
            o.ocsp_staple = bytes_view(*staple);
        }
        return verify_chain(leaf.der, {}, store, o);
    };
    const response_spec stale{.this_update_offset = -7200, .next_update_offset = -3600};
    REQUIRE(parse_certificate(must_staple.der)->must_staple);
    REQUIRE_FALSE(parse_certificate(plain.der)->must_staple);

    // Must-staple: a good staple passes and is reported; none, or an unusable one, fails.
    auto good = verify(must_staple, true, make_response(must_staple, root, root));
    REQUIRE(good.ok());
    REQUIRE(good->revocation.has_value());
    CHECK(good->revocation->status == revocation_status::good);
    CHECK(verify(must_staple, true, std::nullopt).error() == errc::cert_ocsp_missing);
    CHECK(verify(must_staple, true, make_response(must_staple, root, root, stale)).error() ==
          errc::cert_ocsp_stale);
    CHECK(verify(must_staple, true,
                 make_response(must_staple, root, root, {.status = V_OCSP_CERTSTATUS_UNKNOWN}))
              .error() == errc::cert_ocsp_unknown);
    CHECK(verify(must_staple, true, make_response(plain, root, root)).error() ==
          errc::cert_ocsp_unknown);
    CHECK(verify(must_staple, true,
                 make_response(must_staple, root, root, {.status = V_OCSP_CERTSTATUS_REVOKED}))
              .error() == errc::cert_revoked);
    // A caller that could not ask for a staple (no status_request sent) cannot enforce it.
    CHECK(verify(must_staple, false, std::nullopt).ok());

    // Without must-staple: revoked still fails; an unusable staple is set aside and said so.
    CHECK(verify(plain, true,
                 make_response(plain, root, root, {.status = V_OCSP_CERTSTATUS_REVOKED}))
              .error() == errc::cert_revoked);
    auto set_aside = verify(plain, true, make_response(plain, root, root, stale));
    REQUIRE(set_aside.ok());
    CHECK_FALSE(set_aside->revocation.has_value());
    CHECK(set_aside->staple_error == errc::cert_ocsp_stale);
    auto none = verify(plain, true, std::nullopt);
    REQUIRE(none.ok());
    CHECK(none->staple_error == errc::ok);
}
