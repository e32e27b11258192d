// P-256/P-384 figures: ECDH shared-secret computations, ECDSA verifications and ECDSA signatures
// per second, ours next to OpenSSL's EVP interface on the same keys, digests and signatures.
#include "bench.hpp"

#include <https/core/hex.hpp>
#include <https/crypto/ecdh.hpp>
#include <https/crypto/ecdsa.hpp>
#include <https/crypto/ecdsa_private_key.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

#if HTTPS_BENCH_OPENSSL
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#endif

namespace {

using namespace https;
using namespace https::crypto;

/// A fixed key, digest and DER signature per curve, made once with the openssl CLI
/// (`openssl dgst -sha256 -sign`), so both sides verify exactly the same thing.
struct ec_fixture {
    const char* curve;
    hash_id hash;
    const char* public_key;
    const char* digest;
    const char* signature;
};

const ec_fixture p256_fixture{
    "P-256", hash_id::sha256,
    "04a946b09784741b83b35be6a25274649da3c63728329f45c8f58291e95ba107cb64e7ab02965116d8ffcab1e0d3e1"
    "30a3631cfcc5de1ee91a318d61023d4b5b54",
    "e7c46be303fd281626dbf25f9ecd44b566ddaa17a183fd1004d8914c9bfc560e",
    "3045022068dd2c17d98ae0955579fb9d5cffa299f22b12099415d98ac345a2742a3d671e022100daa6f2c190913071"
    "ad319b80c6cdb2cf35ab72b9a8378f8e099674214cfbd6ba"};

const ec_fixture p384_fixture{
    "P-384", hash_id::sha384,
    "04dd411cbbef401a470b7ff52bc408cda04f20401b32cf0ebf19666f3e3a1319d8a9c37aae4c0814f2c0c4402ae645"
    "4d29da6a82db2a72e96d7f2437d0956d278664ca6a29e0a0f634651e24881fac42b7d49bbdfed734574f8f5a768d51"
    "7c8ecf",
    "a9f081322d29e08a951c87724f47de0836b05b48fd1e7686359a9144d0628327fe687aae69678b76905325189d02df"
    "f9",
    "3065023100d38f16c3cbbcfb80ed15e7b495b463fa48c0b5f9f89dbb5fca60c6f00183cd180a5b51123a593a716a29"
    "d3f8b838753c0230659e06d921af67c6b5d9d90960e3ef4f7e5d7c1f406883c51d7206b8776595c6272e91061266dc"
    "2b6aa3806e0a66e003"};

byte_vector unhex(const char* s) {
    auto r = from_hex(s);
    if (!r) {
        std::fprintf(stderr, "bench_ec: bad fixture hex\n");
        std::abort();
    }
    return *r;
}

void require(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "bench_ec: %s failed\n", what);
        std::abort();
    }
}

/// Ours: one shared secret from a fixed key pair and the peer's encoded point (decoding and
/// validating the point is part of each operation, as in a TLS handshake).
template <class Curve> double ours_ecdh(const ec_fixture& f, double seconds) {
    auto kp = ecdh_key_pair<Curve>::generate();
    require(kp.ok(), "ecdh generate");
    const byte_vector peer = unhex(f.public_key);
    std::array<std::uint8_t, Curve::field_size> secret{};
    return bench::ops_per_second(seconds, [&] {
        require(kp->shared_secret(peer, secret).ok(), "ecdh shared_secret");
        bench::keep(secret);
    });
}

template <class Curve> double ours_verify(const ec_fixture& f, double seconds) {
    auto key = ec_public_key<Curve>::parse(unhex(f.public_key));
    require(key.ok(), "parse public key");
    const byte_vector digest = unhex(f.digest);
    const byte_vector sig = unhex(f.signature);
    require(ecdsa_verify_digest(*key, f.hash, digest, sig).ok(), "fixture signature verifies");
    return bench::ops_per_second(seconds, [&] {
        auto st = ecdsa_verify_digest(*key, f.hash, digest, sig);
        bench::keep(st);
    });
}

/// A fixed private scalar per curve for the signing figures (any value in [1, n - 1] would do;
/// OpenSSL imports the same one).
const char* const p256_private = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";
const char* const p384_private =
    "6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5";

template <class Curve> const char* private_of() {
    return Curve::field_size == 32 ? p256_private : p384_private;
}

/// Ours: one hedged signature (the default mode: RFC 6979 with fresh random bytes, read from
/// the OS per signature) over the fixture's digest, DER-encoded, as TLS CertificateVerify needs.
template <class Curve, class Hash> double ours_sign(const ec_fixture& f, double seconds) {
    auto key = ecdsa_private_key<Curve>::from_bytes(unhex(private_of<Curve>()));
    require(key.ok(), "ecdsa private key");
    const byte_vector digest = unhex(f.digest);
    {
        auto sig = key->template sign_digest<Hash>(digest);
        require(sig.ok() && ecdsa_verify_digest(key->public_key(), f.hash, digest, sig->der()).ok(),
                "our signature verifies");
    }
    return bench::ops_per_second(seconds, [&] {
        auto sig = key->template sign_digest<Hash>(digest);
        bench::keep(sig);
    });
}

#if HTTPS_BENCH_OPENSSL
/// OpenSSL's key for the same private scalar, with the public point our key derives (OpenSSL's
/// EC import takes both; the signing figures do not depend on where Q came from).
template <class Curve> EVP_PKEY* openssl_private(const ec_fixture& f) {
    const byte_vector d = unhex(private_of<Curve>());
    auto ours = ecdsa_private_key<Curve>::from_bytes(d);
    require(ours.ok(), "ecdsa private key");
    byte_vector point(ours->public_key().encoded().begin(), ours->public_key().encoded().end());
    // OSSL_PARAM_construct_BN takes the integer in native (little-endian on x86) byte order
    BIGNUM* bn = BN_bin2bn(d.data(), static_cast<int>(d.size()), nullptr);
    unsigned char priv_native[Curve::field_size] = {};
    require(bn != nullptr && BN_bn2nativepad(bn, priv_native, static_cast<int>(d.size())) ==
                                 static_cast<int>(d.size()),
            "OpenSSL scalar");
    BN_clear_free(bn);
    std::string name = f.curve;
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, name.data(), 0),
        OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, priv_native, sizeof priv_native),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
        OSSL_PARAM_construct_end()};
    EVP_PKEY* key = nullptr;
    require(ctx != nullptr && EVP_PKEY_fromdata_init(ctx) == 1 &&
                EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEYPAIR, params) == 1,
            "OpenSSL private key import");
    EVP_PKEY_CTX_free(ctx);
    return key;
}

/// OpenSSL: EVP_PKEY_sign on the digest with one context (its default: a random nonce), and
/// our verifier checks one of its signatures first (so the key import is the same key).
template <class Curve> double openssl_sign(const ec_fixture& f, double seconds) {
    EVP_PKEY* key = openssl_private<Curve>(f);
    const byte_vector digest = unhex(f.digest);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
    require(ctx != nullptr && EVP_PKEY_sign_init(ctx) == 1, "OpenSSL sign init");
    unsigned char sig[160];
    {
        std::size_t len = sizeof sig;
        auto ours = ecdsa_private_key<Curve>::from_bytes(unhex(private_of<Curve>()));
        require(ours.ok() && EVP_PKEY_sign(ctx, sig, &len, digest.data(), digest.size()) == 1 &&
                    ecdsa_verify_digest(ours->public_key(), f.hash, digest, bytes_view(sig, len)).ok(),
                "OpenSSL signature verifies with our key");
    }
    const double rate = bench::ops_per_second(seconds, [&] {
        std::size_t len = sizeof sig;
        require(EVP_PKEY_sign(ctx, sig, &len, digest.data(), digest.size()) == 1, "OpenSSL sign");
        bench::keep(sig);
    });
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(key);
    return rate;
}

EVP_PKEY* openssl_public(const ec_fixture& f) {
    byte_vector point = unhex(f.public_key);
    std::string name = f.curve;
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, name.data(), 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
        OSSL_PARAM_construct_end()};
    EVP_PKEY* key = nullptr;
    require(ctx != nullptr && EVP_PKEY_fromdata_init(ctx) == 1 &&
                EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1,
            "OpenSSL public key import");
    EVP_PKEY_CTX_free(ctx);
    return key;
}

/// OpenSSL: a fresh derive context per operation (set_peer validates the peer key), as a TLS
/// stack does per handshake.
double openssl_ecdh(const ec_fixture& f, double seconds) {
    EVP_PKEY* priv = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", f.curve);
    EVP_PKEY* peer = openssl_public(f);
    require(priv != nullptr, "OpenSSL keygen");
    unsigned char secret[64];
    const double rate = bench::ops_per_second(seconds, [&] {
        EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(priv, nullptr);
        std::size_t len = sizeof secret;
        require(ctx != nullptr && EVP_PKEY_derive_init(ctx) == 1 &&
                    EVP_PKEY_derive_set_peer(ctx, peer) == 1 &&
                    EVP_PKEY_derive(ctx, secret, &len) == 1,
                "OpenSSL derive");
        EVP_PKEY_CTX_free(ctx);
        bench::keep(secret);
    });
    EVP_PKEY_free(priv);
    EVP_PKEY_free(peer);
    return rate;
}

double openssl_verify(const ec_fixture& f, double seconds) {
    EVP_PKEY* key = openssl_public(f);
    const byte_vector digest = unhex(f.digest);
    const byte_vector sig = unhex(f.signature);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
    require(ctx != nullptr && EVP_PKEY_verify_init(ctx) == 1, "OpenSSL verify init");
    require(EVP_PKEY_verify(ctx, sig.data(), sig.size(), digest.data(), digest.size()) == 1,
            "OpenSSL verifies the fixture");
    const double rate = bench::ops_per_second(seconds, [&] {
        const int ok = EVP_PKEY_verify(ctx, sig.data(), sig.size(), digest.data(), digest.size());
        bench::keep(ok);
    });
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(key);
    return rate;
}
#endif

} // namespace

#if HTTPS_BENCH_OPENSSL
#define HTTPS_EC_OPENSSL(fn, fixture) [](double s) { return fn(fixture, s); }
#define HTTPS_EC_OPENSSL_SIGN(curve, fixture) [](double s) { return openssl_sign<curve>(fixture, s); }
#else
#define HTTPS_EC_OPENSSL(fn, fixture) nullptr
#define HTTPS_EC_OPENSSL_SIGN(curve, fixture) nullptr
#endif

HTTPS_BENCH(
    "p256_ecdh", "ops/s", [](double s) { return ours_ecdh<p256>(p256_fixture, s); },
    HTTPS_EC_OPENSSL(openssl_ecdh, p256_fixture));
HTTPS_BENCH(
    "p256_ecdsa_verify", "ops/s", [](double s) { return ours_verify<p256>(p256_fixture, s); },
    HTTPS_EC_OPENSSL(openssl_verify, p256_fixture));
HTTPS_BENCH(
    "p256_ecdsa_sign", "ops/s", [](double s) { return ours_sign<p256, sha256>(p256_fixture, s); },
    HTTPS_EC_OPENSSL_SIGN(p256, p256_fixture));
HTTPS_BENCH(
    "p384_ecdh", "ops/s", [](double s) { return ours_ecdh<p384>(p384_fixture, s); },
    HTTPS_EC_OPENSSL(openssl_ecdh, p384_fixture));
HTTPS_BENCH(
    "p384_ecdsa_verify", "ops/s", [](double s) { return ours_verify<p384>(p384_fixture, s); },
    HTTPS_EC_OPENSSL(openssl_verify, p384_fixture));
HTTPS_BENCH(
    "p384_ecdsa_sign", "ops/s", [](double s) { return ours_sign<p384, sha384>(p384_fixture, s); },
    HTTPS_EC_OPENSSL_SIGN(p384, p384_fixture));

#undef HTTPS_EC_OPENSSL
#undef HTTPS_EC_OPENSSL_SIGN
