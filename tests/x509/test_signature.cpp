// Certificate signatures: our verify_signature (RSA PKCS#1 v1.5 and PSS, ECDSA) against OpenSSL on
// every issuer/subject pair of the fixtures, intact and tampered.
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
    std::vector<certificate> certs;
    for (const auto& d : ders) {
        certs.push_back(*parse_certificate(d));
    }
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
