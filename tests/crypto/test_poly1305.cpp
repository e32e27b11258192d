// Poly1305: RFC 8439 §2.5.2 and A.3 read from the RFC text, update split at every offset, and
// random keys and messages against OpenSSL's EVP_MAC "POLY1305".
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
    CHECK(mac(key, msg) == sec.hex("Tag:"));
}

TEST_CASE("RFC 8439 A.3: Poly1305 vectors", "[poly1305][rfc8439]") {
    std::size_t ran = 0;
    for (const auto& tv : rfc8439().at("A.3.").test_vectors()) {
        INFO(tv.lines().front());
        test::bytes key, msg, tag;
        if (ran < 4) {
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
    CHECK(ran == 11);
}

TEST_CASE("Poly1305 update split at every offset gives the same tag", "[poly1305]") {
    std::mt19937_64 rng(1305);
    test::bytes key(32), msg(131);
    for (auto& b : key) {
        b = static_cast<std::uint8_t>(rng());
    }
    for (auto& b : msg) {
        b = static_cast<std::uint8_t>(rng());
    }
    const auto whole = mac(key, msg);
    std::size_t ran = 0;
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
    CHECK(ran > 1000);
}

TEST_CASE("Poly1305 agrees with OpenSSL on random keys and messages", "[poly1305][openssl]") {
    std::mt19937_64 rng(8439);
    std::size_t ran = 0;
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
    CHECK(ran == 2000);
}
