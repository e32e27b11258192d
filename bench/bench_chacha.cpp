// ChaCha20-Poly1305 figures: seal and open of 16 KiB records, and the portable path, each next to
// OpenSSL's EVP_chacha20_poly1305 on the same key, nonce and data.
#include "bench.hpp"

#include <https/crypto/chacha20_poly1305.hpp>

#if HTTPS_BENCH_OPENSSL
#include <openssl/evp.h>
#endif

#include <array>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace {

struct chacha_input {
    std::array<std::uint8_t, 32> key{};
    std::array<std::uint8_t, 12> nonce{};
    std::array<std::uint8_t, 13> aad{}; // a TLS 1.3 record header's worth
    std::vector<std::uint8_t> plaintext = std::vector<std::uint8_t>(bench::buffer_size);
    std::vector<std::uint8_t> sealed = std::vector<std::uint8_t>(bench::buffer_size + 16);

    chacha_input() {
        std::uint32_t x = 0x12345678;
        auto next = [&] {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            return static_cast<std::uint8_t>(x);
        };
        for (auto& b : key) {
            b = next();
        }
        for (auto& b : nonce) {
            b = next();
        }
        for (auto& b : aad) {
            b = next();
        }
        for (auto& b : plaintext) {
            b = next();
        }
        const https::crypto::chacha20_poly1305 aead(key);
        if (!aead.seal(nonce, aad, plaintext, sealed).ok()) {
            std::abort();
        }
    }
};

const chacha_input& input() {
    static const chacha_input in;
    return in;
}

double ours_seal(double seconds) {
    const auto& in = input();
    const https::crypto::chacha20_poly1305 aead(in.key);
    std::vector<std::uint8_t> out(bench::buffer_size + 16);
    return bench::megabytes_per_second(seconds, bench::buffer_size, [&] {
        if (!aead.seal(in.nonce, in.aad, in.plaintext, out).ok()) {
            std::abort();
        }
        bench::keep(out);
    });
}

double ours_open(double seconds) {
    const auto& in = input();
    const https::crypto::chacha20_poly1305 aead(in.key);
    std::vector<std::uint8_t> out(bench::buffer_size);
    return bench::megabytes_per_second(seconds, bench::buffer_size, [&] {
        if (!aead.open(in.nonce, in.aad, in.sealed, out).ok()) {
            std::abort();
        }
        bench::keep(out);
    });
}

/// Our seal with the SIMD path switched off.
double ours_seal_portable(double seconds) {
    auto& features = https::detail::cpu_features::current();
    const auto saved = features;
    features.avx2 = false;
    const double rate = ours_seal(seconds);
    features = saved;
    return rate;
}

#if HTTPS_BENCH_OPENSSL
double openssl_run(double seconds, bool encrypt) {
    const auto& in = input();
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    std::vector<std::uint8_t> out(bench::buffer_size + 16);
    std::array<std::uint8_t, 16> tag{};
    std::copy(in.sealed.end() - 16, in.sealed.end(), tag.begin());
    const double rate = bench::megabytes_per_second(seconds, bench::buffer_size, [&] {
        int len = 0, fin = 0;
        bool ok = EVP_CipherInit_ex(ctx, EVP_chacha20_poly1305(), nullptr, in.key.data(),
                                    in.nonce.data(), encrypt ? 1 : 0) == 1;
        ok = ok && EVP_CipherUpdate(ctx, nullptr, &len, in.aad.data(),
                                    static_cast<int>(in.aad.size())) == 1;
        const std::uint8_t* src = encrypt ? in.plaintext.data() : in.sealed.data();
        ok = ok && EVP_CipherUpdate(ctx, out.data(), &len, src,
                                    static_cast<int>(bench::buffer_size)) == 1;
        if (encrypt) {
            ok = ok && EVP_CipherFinal_ex(ctx, out.data() + len, &fin) == 1;
            ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16,
                                           out.data() + bench::buffer_size) == 1;
        } else {
            ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, tag.data()) == 1;
            ok = ok && EVP_CipherFinal_ex(ctx, out.data() + len, &fin) == 1;
        }
        if (!ok) {
            std::abort();
        }
        bench::keep(out);
    });
    EVP_CIPHER_CTX_free(ctx);
    return rate;
}
double openssl_seal(double seconds) {
    return openssl_run(seconds, true);
}
double openssl_open(double seconds) {
    return openssl_run(seconds, false);
}
#endif

} // namespace

#if HTTPS_BENCH_OPENSSL
HTTPS_BENCH("chacha20_poly1305", "MB/s", ours_seal, openssl_seal);
HTTPS_BENCH("chacha20_poly1305_open", "MB/s", ours_open, openssl_open);
HTTPS_BENCH("chacha20_poly1305_portable", "MB/s", ours_seal_portable, openssl_seal);
#else
HTTPS_BENCH("chacha20_poly1305", "MB/s", ours_seal, {});
HTTPS_BENCH("chacha20_poly1305_open", "MB/s", ours_open, {});
HTTPS_BENCH("chacha20_poly1305_portable", "MB/s", ours_seal_portable, {});
#endif
