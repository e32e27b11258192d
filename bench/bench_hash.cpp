// Hash and MAC throughput on 16 KiB buffers: SHA-256 (fastest path and forced portable),
// HMAC-SHA256, SHA-384, SHA-1, each next to OpenSSL's EVP on the same buffer.
#include "bench.hpp"

#include <https/core/cpu.hpp>
#include <https/crypto/hmac.hpp>
#include <https/crypto/sha1.hpp>
#include <https/crypto/sha2.hpp>

#include <array>
#include <cstdint>
#include <vector>

#if HTTPS_BENCH_OPENSSL
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#endif

namespace {

const std::vector<std::uint8_t>& input() {
    static const std::vector<std::uint8_t> buf = [] {
        std::vector<std::uint8_t> b(bench::buffer_size);
        for (std::size_t i = 0; i < b.size(); ++i) {
            b[i] = static_cast<std::uint8_t>(i * 131 + 7);
        }
        return b;
    }();
    return buf;
}

const std::array<std::uint8_t, 32> mac_key = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                              12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                              23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

template <https::crypto::hash_function H> double ours_hash(double seconds) {
    const auto& buf = input();
    return bench::megabytes_per_second(seconds, buf.size(), [&] {
        const auto d = https::crypto::hash<H>(buf);
        bench::keep(d);
    });
}

/// SHA-256 with the SHA-NI path switched off for the duration of the measurement.
double ours_sha256_portable(double seconds) {
    auto& cpu = https::detail::cpu_features::current();
    const bool saved = cpu.sha_ni;
    cpu.sha_ni = false;
    const double rate = ours_hash<https::crypto::sha256>(seconds);
    cpu.sha_ni = saved;
    return rate;
}

/// One MAC per 16 KiB buffer, key set-up included (as a TLS record MAC would not, but as a
/// one-shot `mac` does).
double ours_hmac_sha256(double seconds) {
    const auto& buf = input();
    return bench::megabytes_per_second(seconds, buf.size(), [&] {
        const auto tag = https::crypto::hmac<https::crypto::sha256>::mac(mac_key, buf);
        bench::keep(tag);
    });
}

#if HTTPS_BENCH_OPENSSL
/// OpenSSL's fastest digest pattern: a pre-fetched EVP_MD and a reused context (no implicit
/// fetch per call).
bench::measure_fn openssl_hash(const char* name) {
    return [name](double seconds) {
        EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        const auto& buf = input();
        const double rate = bench::megabytes_per_second(seconds, buf.size(), [&] {
            std::array<unsigned char, EVP_MAX_MD_SIZE> d{};
            unsigned len = 0;
            EVP_DigestInit_ex(ctx, md, nullptr);
            EVP_DigestUpdate(ctx, buf.data(), buf.size());
            EVP_DigestFinal_ex(ctx, d.data(), &len);
            bench::keep(d);
        });
        EVP_MD_CTX_free(ctx);
        EVP_MD_free(md);
        return rate;
    };
}

double openssl_hmac_sha256(double seconds) {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    const auto& buf = input();
    const double rate = bench::megabytes_per_second(seconds, buf.size(), [&] {
        std::array<unsigned char, EVP_MAX_MD_SIZE> tag{};
        std::size_t len = 0;
        EVP_MAC_init(ctx, mac_key.data(), mac_key.size(), params);
        EVP_MAC_update(ctx, buf.data(), buf.size());
        EVP_MAC_final(ctx, tag.data(), &len, tag.size());
        bench::keep(tag);
    });
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return rate;
}
#define HTTPS_BENCH_THEIRS(x) x
#else
#define HTTPS_BENCH_THEIRS(x)                                                                      \
    bench::measure_fn {}
#endif

} // namespace

HTTPS_BENCH("sha256", "MB/s", ours_hash<https::crypto::sha256>,
            HTTPS_BENCH_THEIRS(openssl_hash("SHA256")));
// OpenSSL's side is its normal (SHA-NI) SHA-256: the ratio says what the portable path costs.
HTTPS_BENCH("sha256_portable", "MB/s", ours_sha256_portable,
            HTTPS_BENCH_THEIRS(openssl_hash("SHA256")));
HTTPS_BENCH("hmac_sha256", "MB/s", ours_hmac_sha256, HTTPS_BENCH_THEIRS(openssl_hmac_sha256));
HTTPS_BENCH("sha384", "MB/s", ours_hash<https::crypto::sha384>,
            HTTPS_BENCH_THEIRS(openssl_hash("SHA384")));
HTTPS_BENCH("sha1", "MB/s", ours_hash<https::crypto::sha1>,
            HTTPS_BENCH_THEIRS(openssl_hash("SHA1")));

#undef HTTPS_BENCH_THEIRS
