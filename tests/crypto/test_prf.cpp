// The TLS 1.2 PRF (RFC 5246 §5) against OpenSSL's TLS1-PRF on random inputs.
#include <https/core/hex.hpp>
#include <https/crypto/sha2.hpp>
#include <https/crypto/tls12_prf.hpp>

#include "support/hash_conformance.hpp"
#include "support/vectors.hpp"

#include <catch2/catch.hpp>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace https;

namespace {

struct kdf_ctx_deleter {
    void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); }
};

/// OpenSSL's TLS1-PRF with one digest is exactly P_hash(secret, label + seed); its "seed"
/// parameter may be given several times and is concatenated, so label and seed go in as two.
test::bytes openssl_prf(const char* digest, const test::bytes& secret, const std::string& label,
                        const test::bytes& seed, std::size_t length) {
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "TLS1-PRF", nullptr);
    REQUIRE(kdf != nullptr);
    std::unique_ptr<EVP_KDF_CTX, kdf_ctx_deleter> ctx(EVP_KDF_CTX_new(kdf));
    EVP_KDF_free(kdf);
    REQUIRE(ctx != nullptr);
    static const unsigned char none = 0;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(digest), 0),
        OSSL_PARAM_construct_octet_string(
            OSSL_KDF_PARAM_SECRET,
            const_cast<unsigned char*>(secret.empty() ? &none : secret.data()), secret.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, const_cast<char*>(label.data()),
                                          label.size()),
        OSSL_PARAM_construct_octet_string(
            OSSL_KDF_PARAM_SEED, const_cast<unsigned char*>(seed.empty() ? &none : seed.data()),
            seed.size()),
        OSSL_PARAM_construct_end()};
    test::bytes out(length);
    REQUIRE(EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) == 1);
    return out;
}

template <crypto::hash_function H>
std::size_t prf_differential(const char* digest, std::uint64_t seed_value, std::size_t count) {
    std::mt19937_64 rng(seed_value);
    std::size_t ran = 0;
    for (std::size_t i = 0; i < count; ++i) {
        test::bytes secret(rng() % 200); // 48-byte master secrets, longer PSK-style ones, ...
        test::bytes seed(rng() % 100);
        std::string label(1 + rng() % 30, 'x');
        for (auto& b : secret) {
            b = static_cast<std::uint8_t>(rng());
        }
        for (auto& b : seed) {
            b = static_cast<std::uint8_t>(rng());
        }
        for (auto& c : label) {
            c = static_cast<char>('a' + rng() % 26);
        }
        const std::size_t length = 1 + rng() % 300;
        test::bytes ours(length);
        crypto::tls12_prf<H>(secret, label, seed, ours);
        INFO("case " << i << " secret " << secret.size() << " seed " << seed.size() << " length "
                     << length);
        REQUIRE(ours == openssl_prf(digest, secret, label, seed, length));
        ++ran;
    }
    return ran;
}

} // namespace

TEST_CASE("TLS 1.2 PRF: P_SHA256 and P_SHA384 match OpenSSL's TLS1-PRF", "[crypto][prf][openssl]") {
    const auto paths = test::sha_ni_paths();
    std::size_t ran256 = 0;
    for (bool ni : paths) {
        test::scoped_sha_ni path(ni);
        ran256 += prf_differential<crypto::sha256>("SHA256", 31, 500);
    }
    CHECK(ran256 == 500 * paths.size());
    CHECK(prf_differential<crypto::sha384>("SHA384", 32, 500) == 500);
}

TEST_CASE("TLS 1.2 PRF: the RFC 5246 §8.1 / §6.3 shapes", "[crypto][prf]") {
    // master_secret = PRF(pre_master_secret, "master secret", client_random + server_random)[0..47]
    // and a key block: shorter outputs are prefixes of longer ones, and OpenSSL agrees.
    const auto pms = test::conformance_message(48, 41);
    const auto randoms = test::conformance_message(64, 42);
    test::bytes master(48), longer(104);
    crypto::tls12_prf<crypto::sha256>(pms, "master secret", randoms, master);
    crypto::tls12_prf<crypto::sha256>(pms, "master secret", randoms, longer);
    CHECK(master == test::bytes(longer.begin(), longer.begin() + 48));
    CHECK(master == openssl_prf("SHA256", pms, "master secret", randoms, 48));
    // Empty output writes nothing and must not crash.
    crypto::tls12_prf<crypto::sha256>(pms, "key expansion", randoms, {});
}
