// AES-GCM and AES-CBC throughput on 16 KiB buffers, ours next to OpenSSL's EVP on the same data.
// The machine these figures come from is shared, so rates are measured against the thread's CPU
// time (time spent descheduled does not count), best of five slices, for ours and OpenSSL alike.
#include "bench.hpp"

#include <ctime>

#include <https/core/cpu.hpp>
#include <https/crypto/aes.hpp>
#include <https/crypto/cbc.hpp>
#include <https/crypto/gcm.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#if HTTPS_BENCH_OPENSSL
#include <openssl/evp.h>
#endif

namespace {

using namespace https;
using namespace https::crypto;

std::vector<std::uint8_t> filled(std::size_t n, std::uint8_t seed) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) {
        v[i] = static_cast<std::uint8_t>(seed + i * 31);
    }
    return v;
}

double thread_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

/// MB/s of `op` (which processes `bytes` per call) per second of CPU time: the best of five
/// slices of `seconds / 5`.
template <class Op> double cpu_rate(double seconds, std::size_t bytes, Op&& op) {
    double best = 0;
    for (int slice = 0; slice < 5; ++slice) {
        std::size_t calls = 0;
        const double start = thread_seconds();
        double used = 0;
        do {
            for (int i = 0; i < 16; ++i) {
                op();
            }
            calls += 16;
            used = thread_seconds() - start;
        } while (used < seconds / 5);
        const double rate = static_cast<double>(calls * bytes) / used / 1e6;
        best = rate > best ? rate : best;
    }
    return best;
}

const std::array<std::uint8_t, 12> nonce = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
const std::array<std::uint8_t, 13> aad = {0x17, 3, 3, 0x40, 0x11, 1, 2, 3, 4, 5, 6, 7, 8};

/// Run `f` with the hardware paths switched off (the portable figures).
template <class F> double portable(F&& f) {
    auto& features = https::detail::cpu_features::current();
    const auto saved = features;
    features.aesni = false;
    features.pclmul = false;
    const double r = f();
    features = saved;
    return r;
}

template <class Aead> double our_seal(double seconds) {
    const auto key = filled(Aead::key_size, 1);
    const Aead a(std::span<const std::uint8_t, Aead::key_size>(key.data(), Aead::key_size));
    const auto in = filled(bench::buffer_size, 2);
    std::vector<std::uint8_t> out(in.size() + 16);
    return cpu_rate(seconds, in.size(), [&] {
        if (!a.seal(nonce, aad, in, out).ok()) {
            std::abort();
        }
        bench::keep(out);
    });
}

template <class Aead> double our_open(double seconds) {
    const auto key = filled(Aead::key_size, 1);
    const Aead a(std::span<const std::uint8_t, Aead::key_size>(key.data(), Aead::key_size));
    const auto in = filled(bench::buffer_size, 2);
    std::vector<std::uint8_t> sealed(in.size() + 16), out(in.size());
    if (!a.seal(nonce, aad, in, sealed).ok()) {
        std::abort();
    }
    return cpu_rate(seconds, in.size(), [&] {
        if (!a.open(nonce, aad, sealed, out).ok()) {
            std::abort();
        }
        bench::keep(out);
    });
}

double our_cbc_decrypt(double seconds) {
    const auto key = filled(32, 1);
    const aes256 c(std::span<const std::uint8_t, 32>(key.data(), 32));
    const auto iv = filled(16, 3);
    const auto in = filled(bench::buffer_size, 2);
    std::vector<std::uint8_t> out(in.size());
    return cpu_rate(seconds, in.size(), [&] {
        cbc_decrypt(c, std::span<const std::uint8_t, 16>(iv.data(), 16), in, out);
        bench::keep(out);
    });
}

#if HTTPS_BENCH_OPENSSL
double openssl_gcm(double seconds, const EVP_CIPHER* alg, bool encrypt) {
    const auto key = filled(static_cast<std::size_t>(EVP_CIPHER_key_length(alg)), 1);
    const auto in = filled(bench::buffer_size, 2);
    std::vector<std::uint8_t> out(in.size() + 16);
    std::array<std::uint8_t, 16> tag{};
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    if (!encrypt) { // produce a valid tag to verify
        EVP_EncryptInit_ex(ctx, alg, nullptr, key.data(), nonce.data());
        int n = 0;
        EVP_EncryptUpdate(ctx, nullptr, &n, aad.data(), static_cast<int>(aad.size()));
        EVP_EncryptUpdate(ctx, out.data(), &n, in.data(), static_cast<int>(in.size()));
        EVP_EncryptFinal_ex(ctx, out.data() + n, &n);
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag.data());
    }
    const auto sealed = out;
    EVP_CipherInit_ex(ctx, alg, nullptr, key.data(), nullptr, encrypt ? 1 : 0);
    const double r = cpu_rate(seconds, in.size(), [&] {
        int n = 0, m = 0;
        EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data(), -1);
        EVP_CipherUpdate(ctx, nullptr, &n, aad.data(), static_cast<int>(aad.size()));
        if (encrypt) {
            EVP_CipherUpdate(ctx, out.data(), &n, in.data(), static_cast<int>(in.size()));
            EVP_CipherFinal_ex(ctx, out.data() + n, &m);
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out.data() + in.size());
        } else {
            EVP_CipherUpdate(ctx, out.data(), &n, sealed.data(), static_cast<int>(in.size()));
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag.data());
            if (EVP_CipherFinal_ex(ctx, out.data() + n, &m) != 1) {
                std::abort();
            }
        }
        bench::keep(out);
    });
    EVP_CIPHER_CTX_free(ctx);
    return r;
}

double openssl_cbc_decrypt(double seconds) {
    const auto key = filled(32, 1);
    const auto iv = filled(16, 3);
    const auto in = filled(bench::buffer_size, 2);
    std::vector<std::uint8_t> out(in.size() + 16);
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), nullptr, key.data(), iv.data());
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    const double r = cpu_rate(seconds, in.size(), [&] {
        int n = 0, m = 0;
        EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, iv.data());
        EVP_DecryptUpdate(ctx, out.data(), &n, in.data(), static_cast<int>(in.size()));
        EVP_DecryptFinal_ex(ctx, out.data() + n, &m);
        bench::keep(out);
    });
    EVP_CIPHER_CTX_free(ctx);
    return r;
}
#define HTTPS_OPENSSL_FN(expr) [](double s) { return expr; }
#else
#define HTTPS_OPENSSL_FN(expr) bench::measure_fn()
#endif

} // namespace

HTTPS_BENCH(
    "aes128_gcm", "MB/s", [](double s) { return our_seal<aes128_gcm>(s); },
    HTTPS_OPENSSL_FN(openssl_gcm(s, EVP_aes_128_gcm(), true)));
HTTPS_BENCH(
    "aes256_gcm", "MB/s", [](double s) { return our_seal<aes256_gcm>(s); },
    HTTPS_OPENSSL_FN(openssl_gcm(s, EVP_aes_256_gcm(), true)));
HTTPS_BENCH(
    "aes128_gcm_open", "MB/s", [](double s) { return our_open<aes128_gcm>(s); },
    HTTPS_OPENSSL_FN(openssl_gcm(s, EVP_aes_128_gcm(), false)));
HTTPS_BENCH(
    "aes256_gcm_open", "MB/s", [](double s) { return our_open<aes256_gcm>(s); },
    HTTPS_OPENSSL_FN(openssl_gcm(s, EVP_aes_256_gcm(), false)));
HTTPS_BENCH(
    "aes128_gcm_portable", "MB/s",
    [](double s) { return portable([s] { return our_seal<aes128_gcm>(s); }); },
    HTTPS_OPENSSL_FN(openssl_gcm(s, EVP_aes_128_gcm(), true)));
HTTPS_BENCH(
    "aes256_gcm_portable", "MB/s",
    [](double s) { return portable([s] { return our_seal<aes256_gcm>(s); }); },
    HTTPS_OPENSSL_FN(openssl_gcm(s, EVP_aes_256_gcm(), true)));
HTTPS_BENCH(
    "aes256_cbc_decrypt", "MB/s", [](double s) { return our_cbc_decrypt(s); },
    HTTPS_OPENSSL_FN(openssl_cbc_decrypt(s)));
