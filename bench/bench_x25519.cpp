// X25519 figures: shared-secret derivations per second (`x25519`) and key-pair generations per
// second (`x25519_keygen`), ours next to OpenSSL's EVP_PKEY_derive / EVP_PKEY_keygen.
#include "bench.hpp"

#include <https/crypto/x25519.hpp>

#include <array>
#include <cstdint>
#include <cstdlib>

#if HTTPS_BENCH_OPENSSL
#include <openssl/evp.h>
#endif

namespace {

// Fixed inputs (RFC 7748 §6.1 Alice's private key, Bob's public key) so both sides do the same
// work.
constexpr std::array<std::uint8_t, 32> alice_private = {
    0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d, 0x3c, 0x16, 0xc1, 0x72, 0x51, 0xb2, 0x66, 0x45,
    0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0, 0x99, 0x2a, 0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9, 0x2c, 0x2a};
constexpr std::array<std::uint8_t, 32> bob_public = {
    0xde, 0x9e, 0xdb, 0x7d, 0x7b, 0x7d, 0xc1, 0xb4, 0xd3, 0x5b, 0x61, 0xc2, 0xec, 0xe4, 0x35, 0x37,
    0x3f, 0x83, 0x43, 0xc8, 0x5b, 0x78, 0x67, 0x4d, 0xad, 0xfc, 0x7e, 0x14, 0x6f, 0x88, 0x2b, 0x4f};

double ours_derive(double seconds) {
    const auto kp = https::crypto::x25519_key_pair::from_private(alice_private);
    std::array<std::uint8_t, 32> out{};
    return bench::ops_per_second(seconds, [&] {
        if (!kp.shared_secret(bob_public, out).ok()) {
            std::abort();
        }
        bench::keep(out);
    });
}

double ours_keygen(double seconds) {
    return bench::ops_per_second(seconds, [&] {
        auto kp = https::crypto::x25519_key_pair::generate();
        if (!kp.ok()) {
            std::abort();
        }
        bench::keep(kp->public_key);
    });
}

#if HTTPS_BENCH_OPENSSL
double openssl_derive(double seconds) {
    EVP_PKEY* priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, alice_private.data(),
                                                  alice_private.size());
    EVP_PKEY* peer =
        EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, bob_public.data(), bob_public.size());
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(priv, nullptr);
    if (priv == nullptr || peer == nullptr || ctx == nullptr || EVP_PKEY_derive_init(ctx) != 1 ||
        EVP_PKEY_derive_set_peer(ctx, peer) != 1) {
        std::abort();
    }
    std::array<std::uint8_t, 32> out{};
    const double rate = bench::ops_per_second(seconds, [&] {
        std::size_t len = out.size();
        if (EVP_PKEY_derive(ctx, out.data(), &len) != 1) {
            std::abort();
        }
        bench::keep(out);
    });
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(peer);
    EVP_PKEY_free(priv);
    return rate;
}

double openssl_keygen(double seconds) {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, nullptr);
    if (ctx == nullptr || EVP_PKEY_keygen_init(ctx) != 1) {
        std::abort();
    }
    const double rate = bench::ops_per_second(seconds, [&] {
        EVP_PKEY* key = nullptr;
        if (EVP_PKEY_keygen(ctx, &key) != 1) {
            std::abort();
        }
        EVP_PKEY_free(key);
    });
    EVP_PKEY_CTX_free(ctx);
    return rate;
}
#endif

} // namespace

#if HTTPS_BENCH_OPENSSL
HTTPS_BENCH("x25519", "ops/s", ours_derive, openssl_derive);
HTTPS_BENCH("x25519_keygen", "ops/s", ours_keygen, openssl_keygen);
#else
HTTPS_BENCH("x25519", "ops/s", ours_derive, {});
HTTPS_BENCH("x25519_keygen", "ops/s", ours_keygen, {});
#endif
