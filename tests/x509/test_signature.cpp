// Certificate signatures: our verify_signature (RSA PKCS#1 v1.5 and PSS, ECDSA, Ed25519) against
// OpenSSL on every issuer/subject pair of the fixtures, intact and tampered; Ed25519's own rules.
#include "x509_fixtures.hpp"

#include <https/x509/signature.hpp>

#include <catch2/catch.hpp>

#include <filesystem>

using namespace https;
using namespace https::x509;

TEST_CASE("x509 signature: verify_signature agrees with OpenSSL on every fixture edge",
          "[x509][signature]") {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(std::string(HTTPS_SOURCE_DIR) +
                                                             "/tests/fixtures/x509")) {
        if (e.path().extension() == ".pem") {
            names.push_back(e.path().stem().string());
        }
    }
    std::vector<byte_vector> ders;
    for (const auto& n : names) {
        ders.push_back(x509test::der(n));
    }
    std::vector<certificate> certs; // every fixture but the few made not to parse
    for (const auto& d : ders) {
        if (auto c = parse_certificate(d)) {
            certs.push_back(*c);
        }
    }
    CHECK(certs.size() + 4 == ders.size());
    std::size_t edges = 0;
    std::size_t valid = 0;
    for (const certificate& child : certs) {
        for (const certificate& parent : certs) {
            if (!names_equal(child.issuer, parent.subject)) {
                continue;
            }
            INFO(to_string(child.subject) << " <- " << to_string(parent.subject));
            const bool theirs = x509test::openssl_verify_signature(parent.spki, child.sig_alg,
                                                                   child.tbs, child.signature)
                                    .ok();
            const status ours = x509::detail::verify_signature(parent.spki, child.sig_alg,
                                                               child.tbs, child.signature);
            if (child.sig_alg.hash == hash_algorithm::md5) {
                CHECK(ours.error() == errc::cert_bad_signature); // no MD5 here at all
                continue;
            }
            CHECK(ours.ok() == theirs);
            if (!ours) {
                CHECK(ours.error() == errc::cert_bad_signature);
            }
            valid += theirs ? 1 : 0;
            // Tampered signature and tampered TBS.
            byte_vector sig(child.signature.begin(), child.signature.end());
            sig[sig.size() / 2] ^= 0x10;
            CHECK_FALSE(
                x509::detail::verify_signature(parent.spki, child.sig_alg, child.tbs, sig).ok());
            byte_vector tbs(child.tbs.begin(), child.tbs.end());
            tbs[tbs.size() - 1] ^= 0x01;
            CHECK_FALSE(
                x509::detail::verify_signature(parent.spki, child.sig_alg, tbs, child.signature)
                    .ok());
            ++edges;
        }
    }
    CHECK(edges > 40);
    CHECK(valid > 30);
}

TEST_CASE("x509 signature: Ed25519 keys and algorithms are not interchangeable",
          "[x509][signature]") {
    const byte_vector ed_int_der = x509test::der("int_ed25519");
    const byte_vector ec_int_der = x509test::der("int_ec_under_ed25519");
    const byte_vector ed_signed_der = x509test::der("good_ed25519");          // by int_ed25519
    const byte_vector ec_signed_der = x509test::der("good_ed25519_under_ec"); // ECDSA-SHA256
    const certificate ed_int = *parse_certificate(ed_int_der);
    const certificate ec_int = *parse_certificate(ec_int_der);
    const certificate ed_signed = *parse_certificate(ed_signed_der);
    const certificate ec_signed = *parse_certificate(ec_signed_der);
    auto verify = [](const certificate& issuer, const signature_algorithm& alg,
                     const certificate& child, bytes_view signature) {
        return x509::detail::verify_signature(issuer.spki, alg, child.tbs, signature);
    };
    // Each edge as issued.
    CHECK(verify(ed_int, ed_signed.sig_alg, ed_signed, ed_signed.signature).ok());
    CHECK(verify(ec_int, ec_signed.sig_alg, ec_signed, ec_signed.signature).ok());
    // An Ed25519 signature checked with an ECDSA issuer key, and an ECDSA signature with an
    // Ed25519 issuer key.
    CHECK(verify(ec_int, ed_signed.sig_alg, ed_signed, ed_signed.signature).error() ==
          errc::cert_bad_signature);
    CHECK(verify(ed_int, ec_signed.sig_alg, ec_signed, ec_signed.signature).error() ==
          errc::cert_bad_signature);
    // The right Ed25519 key, but the signature relabelled as ECDSA-SHA256.
    CHECK(verify(ed_int, ec_signed.sig_alg, ed_signed, ed_signed.signature).error() ==
          errc::cert_bad_signature);
    // Signatures of the wrong length.
    byte_vector sig(ed_signed.signature.begin(), ed_signed.signature.end());
    byte_vector shorter(sig.begin(), sig.end() - 1);
    byte_vector longer = sig;
    longer.push_back(0);
    for (const byte_vector* s : {&shorter, &longer}) {
        CHECK(verify(ed_int, ed_signed.sig_alg, ed_signed, *s).error() == errc::cert_bad_signature);
    }
    // S + L for S (RFC 8032 §5.1.7 step 1): the same signature modulo L, which a check without
    // the S < L rule would accept.
    static constexpr std::uint8_t order[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
                                               0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                                               0,    0,    0,    0,    0,    0,    0,    0,
                                               0,    0,    0,    0,    0,    0,    0,    0x10};
    byte_vector malleated = sig;
    unsigned carry = 0;
    for (std::size_t i = 0; i < 32; ++i) {
        const unsigned v = malleated[32 + i] + order[i] + carry;
        malleated[32 + i] = static_cast<std::uint8_t>(v);
        carry = v >> 8;
    }
    REQUIRE(carry == 0);
    CHECK(verify(ed_int, ed_signed.sig_alg, ed_signed, malleated).error() ==
          errc::cert_bad_signature);
    // A key that does not decode (y = p), should one reach verification.
    public_key_info bad_key = ed_int.spki;
    byte_vector y_is_p(32, 0xff);
    y_is_p[0] = 0xed;
    y_is_p[31] = 0x7f;
    bad_key.key = y_is_p;
    CHECK(x509::detail::verify_signature(bad_key, ed_signed.sig_alg, ed_signed.tbs,
                                         ed_signed.signature)
              .error() == errc::cert_bad_signature);
}
