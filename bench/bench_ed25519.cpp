// Ed25519 figures: signature verifications per second (`ed25519_verify`) and signatures per
// second (`ed25519_sign`), ours next to OpenSSL's EVP_DigestVerify / EVP_DigestSign, on the same
// key, message and signature.
#include "bench.hpp"

#include <https/core/hex.hpp>
#include <https/crypto/ed25519.hpp>
#include <https/crypto/ed25519_private_key.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#if HTTPS_BENCH_OPENSSL
#include <openssl/evp.h>
#endif

namespace {

using namespace https;

// RFC 8032 §7.1 TEST 3 (a 2-byte message, so the figure is the curve arithmetic, not SHA-512).
constexpr const char* seed_hex = "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7";
constexpr const char* public_key_hex =
    "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025";
constexpr const char* message_hex = "af82";
constexpr const char* signature_hex =
    "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6"
    "594a7c15e9716ed28dc027beceea1ec40a";

byte_vector unhex(const char* s) {
    auto r = from_hex(s);
    if (!r) {
        std::fprintf(stderr, "bench_ed25519: bad fixture hex\n");
        std::abort();
    }
    return *r;
}

void require(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "bench_ed25519: %s failed\n", what);
        std::abort();
    }
}

/// Ours: each operation decodes the 32-byte key, as OpenSSL does from its raw key.
double ours_verify(double seconds) {
    const byte_vector key = unhex(public_key_hex);
    const byte_vector msg = unhex(message_hex);
    const byte_vector sig = unhex(signature_hex);
    require(crypto::ed25519_verify(key, msg, sig).ok(), "fixture signature verifies");
    return bench::ops_per_second(seconds, [&] {
        auto st = crypto::ed25519_verify(key, msg, sig);
        bench::keep(st);
    });
}

/// Ours: one signature with a key made once from the seed (SHA-512 of the seed and [s]B are
/// not part of the figure, as OpenSSL's key object also keeps them).
double ours_sign(double seconds) {
    auto key = crypto::ed25519_private_key::from_seed(unhex(seed_hex));
    require(key.ok(), "key from seed");
    const byte_vector msg = unhex(message_hex);
    const byte_vector want = unhex(signature_hex);
    const auto sig = key->sign(msg);
    require(std::equal(sig.begin(), sig.end(), want.begin(), want.end()), "RFC signature");
    return bench::ops_per_second(seconds, [&] {
        const auto s = key->sign(msg);
        bench::keep(s);
    });
}

#if HTTPS_BENCH_OPENSSL
/// OpenSSL: one EVP_DigestSignInit + EVP_DigestSign per operation (one-shot, as Ed25519
/// requires), with a key object made once from the seed.
double openssl_sign(double seconds) {
    const byte_vector seed = unhex(seed_hex);
    const byte_vector msg = unhex(message_hex);
    EVP_PKEY* pkey =
        EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size());
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    require(pkey != nullptr && ctx != nullptr, "OpenSSL key import");
    unsigned char sig[64];
    auto sign = [&] {
        std::size_t len = sizeof sig;
        return EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, pkey) == 1 &&
               EVP_DigestSign(ctx, sig, &len, msg.data(), msg.size()) == 1;
    };
    require(sign(), "OpenSSL signs");
    const double rate = bench::ops_per_second(seconds, [&] {
        const bool ok = sign();
        bench::keep(ok);
    });
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return rate;
}

/// OpenSSL: one EVP_DigestVerifyInit + EVP_DigestVerify (one-shot, as Ed25519 requires) per
/// operation.
double openssl_verify(double seconds) {
    const byte_vector key = unhex(public_key_hex);
    const byte_vector msg = unhex(message_hex);
    const byte_vector sig = unhex(signature_hex);
    EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size());
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    require(pkey != nullptr && ctx != nullptr, "OpenSSL key import");
    auto verify = [&] {
        return EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey) == 1 &&
               EVP_DigestVerify(ctx, sig.data(), sig.size(), msg.data(), msg.size()) == 1;
    };
    require(verify(), "OpenSSL verifies the fixture");
    const double rate = bench::ops_per_second(seconds, [&] {
        const bool ok = verify();
        bench::keep(ok);
    });
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return rate;
}
#endif

} // namespace

#if HTTPS_BENCH_OPENSSL
HTTPS_BENCH("ed25519_verify", "ops/s", ours_verify, openssl_verify);
HTTPS_BENCH("ed25519_sign", "ops/s", ours_sign, openssl_sign);
#else
HTTPS_BENCH("ed25519_verify", "ops/s", ours_verify, {});
HTTPS_BENCH("ed25519_sign", "ops/s", ours_sign, {});
#endif
