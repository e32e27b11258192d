// Poly1305: RFC 8439 §2.5.2 and A.3 read from the RFC text, update split at every offset, the
// AVX2 kernel against the scalar code on extreme values, and random keys and messages against
// OpenSSL's EVP_MAC "POLY1305"; on the portable and the AVX2 path.
#include "chacha20_paths.hpp"

#include <https/crypto/poly1305.hpp>

#include <support/rfc_text.hpp>
#include <support/vectors.hpp>

#include <catch2/catch.hpp>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <random>
#include <span>

using namespace https;

namespace {

const test::rfc::document& rfc8439() {
    static const test::rfc::document doc("rfc/rfc8439.txt", "8439");
    return doc;
}

test::bytes mac(const test::bytes& key, const test::bytes& msg) {
    REQUIRE(key.size() == 32);
    crypto::poly1305 p(std::span<const std::uint8_t, 32>(key.data(), 32));
    p.update(msg);
    std::array<std::uint8_t, 16> tag{};
    p.finish(tag);
    return {tag.begin(), tag.end()};
}

test::bytes openssl_mac(const test::bytes& key, const test::bytes& msg) {
    EVP_MAC* alg = EVP_MAC_fetch(nullptr, "POLY1305", nullptr);
    REQUIRE(alg != nullptr);
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(alg);
    REQUIRE(ctx != nullptr);
    REQUIRE(EVP_MAC_init(ctx, key.data(), key.size(), nullptr) == 1);
    REQUIRE(EVP_MAC_update(ctx, msg.data(), msg.size()) == 1);
    test::bytes tag(16);
    std::size_t len = 0;
    REQUIRE(EVP_MAC_final(ctx, tag.data(), &len, tag.size()) == 1);
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(alg);
    REQUIRE(len == 16);
    return tag;
}

} // namespace

TEST_CASE("RFC 8439 §2.5.2: Poly1305 example", "[poly1305][rfc8439]") {
    const auto sec = rfc8439().at("2.5.2.");
    const auto key = sec.hex("Key Material:"); // wraps mid-byte in the RFC text
    REQUIRE(key.size() == 32);
    CHECK(test::bytes(key.begin() + 16, key.end()) == sec.hex("s as an octet string:"));
    CHECK(test::bytes(key.begin(), key.begin() + 16) == sec.hex("r before clamping:"));
    const auto msg = sec.hex("Message to be Authenticated:");
    REQUIRE(msg.size() == 34);
    for (const auto& path : test::chacha20_paths()) {
        INFO(path.name);
        test::use_chacha20_path use(path);
        CHECK(mac(key, msg) == sec.hex("Tag:"));
    }
}

TEST_CASE("RFC 8439 A.3: Poly1305 vectors", "[poly1305][rfc8439]") {
    std::size_t ran = 0;
    for (const auto& path : test::chacha20_paths()) {
        INFO(path.name);
        test::use_chacha20_path use(path);
        std::size_t index = 0;
        for (const auto& tv : rfc8439().at("A.3.").test_vectors()) {
            INFO(tv.lines().front());
            test::bytes key, msg, tag;
            if (index++ < 4) {
                key = tv.hex("One-time Poly1305 Key:");
                msg = tv.hex("Text to MAC:");
                tag = tv.hex("Tag:");
            } else {
                // #5-#11 give r and s separately, as space-separated hex
                key = tv.hex("R:");
                const auto s = tv.hex("S:");
                key.insert(key.end(), s.begin(), s.end());
                msg = tv.hex("data:");
                tag = tv.hex("tag:");
            }
            REQUIRE(key.size() == 32);
            REQUIRE(tag.size() == 16);
            CHECK(mac(key, msg) == tag);
            CHECK(openssl_mac(key, msg) == tag); // the parse, checked by an independent oracle
            ++ran;
        }
    }
    CHECK(ran == 11 * test::chacha20_paths().size());
}

TEST_CASE("Poly1305 update split at every offset gives the same tag", "[poly1305]") {
    std::mt19937_64 rng(1305);
    test::bytes key(32), msg(1031); // long enough for the AVX2 groups in several splits
    for (auto& b : key) {
        b = static_cast<std::uint8_t>(rng());
    }
    for (auto& b : msg) {
        b = static_cast<std::uint8_t>(rng());
    }
    std::size_t ran = 0;
    for (const auto& path : test::chacha20_paths()) {
        INFO(path.name);
        test::use_chacha20_path use(path);
        const auto whole = mac(key, msg);
        for (std::size_t i = 0; i <= msg.size(); ++i) {
            for (std::size_t j = i; j <= msg.size(); j += 7) {
                crypto::poly1305 p(std::span<const std::uint8_t, 32>(key.data(), 32));
                p.update(std::span(msg).first(i));
                p.update(std::span(msg).subspan(i, j - i));
                p.update(std::span(msg).subspan(j));
                std::array<std::uint8_t, 16> tag{};
                p.finish(tag);
                REQUIRE(test::bytes(tag.begin(), tag.end()) == whole);
                ++ran;
            }
        }
    }
    CHECK(ran > 1000 * test::chacha20_paths().size());
}

TEST_CASE("Poly1305 agrees with OpenSSL on random keys and messages", "[poly1305][openssl]") {
    std::mt19937_64 rng(8439);
    std::size_t ran = 0;
    for (const auto& path : test::chacha20_paths()) {
        INFO(path.name);
        test::use_chacha20_path use(path);
        for (int i = 0; i < 2000; ++i) {
            test::bytes key(32);
            for (auto& b : key) {
                b = static_cast<std::uint8_t>(rng());
            }
            // Extreme keys and messages reach the carry and final-reduction edges: r with every
            // clamp-allowed bit set, s all ones, blocks of all ones.
            const int shape = i % 4;
            if (shape == 1) {
                std::fill(key.begin(), key.end(), 0xff);
            }
            const std::size_t n = i < 600 ? static_cast<std::size_t>(i) : rng() % 2048;
            test::bytes msg(n);
            for (auto& b : msg) {
                b = shape >= 2 ? 0xff : static_cast<std::uint8_t>(rng());
            }
            REQUIRE(mac(key, msg) == openssl_mac(key, msg));
            ++ran;
        }
    }
    CHECK(ran == 2000 * test::chacha20_paths().size());
}

#if HTTPS_POLY1305_HAVE_AVX2
namespace {

/// h mod p, fully reduced, as (low 64, high 64, top 2 bits): representations of the same value
/// may differ between the two kernels, the value may not.
std::array<std::uint64_t, 3> reduced(const crypto::detail::poly1305_state& st) {
    // h < 2^131 here; subtract p while h >= p (at most twice)
    crypto::detail::poly1305_u128 lo = st.h0 | (crypto::detail::poly1305_u128{st.h1} << 64);
    std::uint64_t top = st.h2;
    const crypto::detail::poly1305_u128 all_ones = ~crypto::detail::poly1305_u128{0};
    auto ge_p = [&] { return top > 3 || (top == 3 && lo >= all_ones - 4); };
    while (ge_p()) {
        // h - p = h - 2^130 + 5
        const auto sum = lo + 5;
        top = top - 4 + (sum < lo ? 1 : 0);
        lo = sum;
    }
    return {static_cast<std::uint64_t>(lo), static_cast<std::uint64_t>(lo >> 64), top};
}

} // namespace

TEST_CASE("Poly1305 AVX2 kernel equals the scalar code on extreme values", "[poly1305]") {
    if (!https::detail::cpu_features::detect().avx2) {
        WARN("no AVX2 on this CPU: kernel comparison skipped");
        return;
    }
    std::mt19937_64 rng(130);
    std::size_t ran = 0;
    for (int shape = 0; shape < 4; ++shape) {
        for (std::size_t groups = 1; groups <= 9; ++groups) {
            crypto::detail::poly1305_state st;
            // r: random, or every bit clamping allows; h: random partially reduced, or maximal
            const bool max_r = shape & 1, max_h = shape & 2;
            st.r0 = (max_r ? ~0ULL : rng()) & 0x0ffffffc0fffffffULL;
            st.r1 = (max_r ? ~0ULL : rng()) & 0x0ffffffc0ffffffcULL;
            st.s1 = st.r1 + (st.r1 >> 2);
            st.h0 = max_h ? ~0ULL : rng();
            st.h1 = max_h ? ~0ULL : rng();
            st.h2 = max_h ? 4 : rng() % 4;
            test::bytes msg(64 * groups);
            for (auto& b : msg) {
                b = max_h || rng() % 2 ? 0xff : static_cast<std::uint8_t>(rng());
            }
            auto scalar = st;
            crypto::detail::poly1305_blocks_scalar(scalar, msg.data(), 4 * groups, 1);
            auto simd = st;
            crypto::detail::poly1305_compute_powers(simd);
            crypto::detail::poly1305_blocks_avx2(simd, msg.data(), groups);
            CHECK(simd.h2 <= 4); // the scalar code and the final reduction rely on it
            CHECK(reduced(simd) == reduced(scalar));
            ++ran;
        }
    }
    CHECK(ran == 36);
}
#endif
