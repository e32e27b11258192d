// ChaCha20-Poly1305 AEAD: RFC 8439 §2.6.2, §2.8.2, A.4, A.5 from the RFC text, every Wycheproof
// case, the generic AEAD conformance suite and OpenSSL's EVP_chacha20_poly1305, on each path.
#include "chacha20_paths.hpp"

#include <https/crypto/chacha20_poly1305.hpp>

#include <support/aead_conformance.hpp>
#include <support/rfc_text.hpp>
#include <support/vectors.hpp>

#include <catch2/catch.hpp>
#include <openssl/evp.h>
#include <sys/mman.h>

#include <array>
#include <cstdint>
#include <random>
#include <span>

using namespace https;
using crypto::chacha20_poly1305;

namespace {

const test::rfc::document& rfc8439() {
    static const test::rfc::document doc("rfc/rfc8439.txt", "8439");
    return doc;
}

chacha20_poly1305 make(const test::bytes& key) {
    REQUIRE(key.size() == 32);
    return chacha20_poly1305(std::span<const std::uint8_t, 32>(key.data(), 32));
}

/// RFC 8439 §2.6: the Poly1305 key is the first 32 bytes of block 0 — taken, as the AEAD takes
/// it, from the first keystream batch of the current path.
test::bytes poly1305_key_gen(const test::bytes& key, const test::bytes& nonce) {
    REQUIRE(key.size() == 32);
    REQUIRE(nonce.size() == 12);
    crypto::detail::chacha20_state s;
    crypto::detail::chacha20_setup(s, std::span<const std::uint8_t, 32>(key.data(), 32), 0,
                                   std::span<const std::uint8_t, 12>(nonce.data(), 12));
    std::array<std::uint8_t, 512> ks{};
    crypto::detail::chacha20_keystream_head(s, ks, 1);
    return {ks.begin(), ks.begin() + 32};
}

test::bytes poly1305(const test::bytes& key, const test::bytes& msg) {
    crypto::poly1305 p(std::span<const std::uint8_t, 32>(key.data(), 32));
    p.update(msg);
    std::array<std::uint8_t, 16> tag{};
    p.finish(tag);
    return {tag.begin(), tag.end()};
}

test::bytes concat(test::bytes a, const test::bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

} // namespace

TEST_CASE("RFC 8439 §2.6.2 and A.4: Poly1305 key generation", "[chacha20_poly1305][rfc8439]") {
    std::size_t ran = 0;
    for (const auto& path : test::chacha20_paths()) {
        INFO(path.name);
        test::use_chacha20_path use(path);
        const auto sec = rfc8439().at("2.6.2.");
        const auto key = sec.hex("Key:");
        const auto nonce = sec.hex("Nonce:");
        crypto::detail::chacha20_state s;
        crypto::detail::chacha20_setup(s, std::span<const std::uint8_t, 32>(key.data(), 32), 0,
                                       std::span<const std::uint8_t, 12>(nonce.data(), 12));
        const auto setup =
            sec.words("The ChaCha state setup with key, nonce, and block counter zero:");
        CHECK(std::equal(s.begin(), s.end(), setup.begin()));
        CHECK(poly1305_key_gen(key, nonce) == sec.hex("Output bytes:"));
        ++ran;
        for (const auto& tv : rfc8439().at("A.4.").test_vectors()) {
            CHECK(poly1305_key_gen(tv.hex("The ChaCha20 Key"), tv.hex("The nonce:")) ==
                  tv.hex("Poly1305 one-time key:"));
            ++ran;
        }
    }
    CHECK(ran == 4 * test::chacha20_paths().size());
}

TEST_CASE("RFC 8439 §2.8.2: AEAD example", "[chacha20_poly1305][rfc8439]") {
    const auto sec = rfc8439().at("2.8.2.");
    const auto plaintext = sec.hex("Plaintext:");
    const auto aad = sec.hex("AAD:");
    const auto key = sec.hex("Key:");
    // The nonce is the 32-bit sender constant followed by the 64-bit IV.
    const auto nonce = concat(sec.hex("32-bit fixed-common part:"), sec.hex("IV:"));
    const auto otk = sec.hex("Poly1305 Key:");
    const auto keystream = sec.hex("keystream bytes:");
    const auto ciphertext = sec.hex("Ciphertext:");
    const auto mac_data = sec.hex("AEAD Construction for Poly1305:");
    const auto tag = sec.hex("Tag:");
    REQUIRE(plaintext.size() == 114);
    REQUIRE(nonce.size() == 12);
    REQUIRE(keystream.size() == 114);
    REQUIRE(ciphertext.size() == 114);
    REQUIRE(mac_data.size() == 160);
    REQUIRE(tag.size() == 16);

    crypto::detail::chacha20_state s;
    crypto::detail::chacha20_setup(s, std::span<const std::uint8_t, 32>(key.data(), 32), 0,
                                   std::span<const std::uint8_t, 12>(nonce.data(), 12));
    const auto setup = sec.words("Setup for generating Poly1305 one-time key (sender id=7):");
    CHECK(std::equal(s.begin(), s.end(), setup.begin()));
    crypto::detail::chacha20_state after;
    crypto::detail::chacha20_block_words(s, after);
    const auto after_words = sec.words("After generating Poly1305 one-time key:");
    CHECK(std::equal(after.begin(), after.end(), after_words.begin()));
    CHECK(poly1305(otk, mac_data) == tag);

    std::size_t ran = 0;
    for (const auto& path : test::chacha20_paths()) {
        INFO(path.name);
        test::use_chacha20_path use(path);
        CHECK(poly1305_key_gen(key, nonce) == otk);
        test::bytes ks(keystream.size());
        crypto::chacha20_xor(std::span<const std::uint8_t, 32>(key.data(), 32),
                             std::span<const std::uint8_t, 12>(nonce.data(), 12), 1,
                             test::bytes(keystream.size(), 0), ks);
        CHECK(ks == keystream);

        const auto aead = make(key);
        test::bytes sealed(plaintext.size() + 16);
        REQUIRE(aead.seal(nonce, aad, plaintext, sealed).ok());
        CHECK(sealed == concat(ciphertext, tag));
        test::bytes opened(plaintext.size());
        REQUIRE(aead.open(nonce, aad, sealed, opened).ok());
        CHECK(opened == plaintext);
        ++ran;
    }
    CHECK(ran == test::chacha20_paths().size());
}

TEST_CASE("RFC 8439 A.5: AEAD decryption", "[chacha20_poly1305][rfc8439]") {
    const auto sec = rfc8439().at("A.5.");
    const auto key = sec.hex("The ChaCha20 Key");
    const auto ciphertext = sec.hex("Ciphertext:");
    const auto nonce = sec.hex("The nonce:");
    const auto aad = sec.hex("The AAD:");
    const auto tag = sec.hex("Received Tag:");
    const auto otk = sec.hex("Poly1305 one-time key:");
    const auto mac_data = sec.hex("Poly1305 Input:");
    const auto plaintext = sec.hex("Plaintext:"); // printed as "Plaintext::" in the RFC
    REQUIRE(ciphertext.size() == 265);
    REQUIRE(plaintext.size() == 265);
    REQUIRE(mac_data.size() == 304);
    CHECK(sec.hex("Calculated Tag:") == tag);
    CHECK(sec.hex("out bytes:") == otk);
    CHECK(poly1305(otk, mac_data) == tag);

    std::size_t ran = 0;
    for (const auto& path : test::chacha20_paths()) {
        INFO(path.name);
        test::use_chacha20_path use(path);
        CHECK(poly1305_key_gen(key, nonce) == otk);
        const auto aead = make(key);
        const auto sealed = concat(ciphertext, tag);
        test::bytes opened(ciphertext.size());
        REQUIRE(aead.open(nonce, aad, sealed, opened).ok());
        CHECK(opened == plaintext);
        test::bytes resealed(sealed.size());
        REQUIRE(aead.seal(nonce, aad, plaintext, resealed).ok());
        CHECK(resealed == sealed);
        ++ran;
    }
    CHECK(ran == test::chacha20_paths().size());
}

TEST_CASE("Wycheproof chacha20_poly1305_test.json", "[chacha20_poly1305][wycheproof]") {
    const auto j = test::read_wycheproof("chacha20_poly1305_test.json");
    REQUIRE(test::wycheproof_declared_tests(j) == 325);
    for (const auto& path : test::chacha20_paths()) {
        INFO(path.name);
        test::use_chacha20_path use(path);
        std::size_t ran = 0, valid = 0, forged = 0, bad_nonce = 0;
        for (const auto& group : j.at("testGroups")) {
            for (const auto& t : group.at("tests")) {
                INFO("tcId " << t.at("tcId").get<int>() << " "
                             << t.at("comment").get<std::string>());
                const auto key = test::hex(t.at("key"));
                const auto iv = test::hex(t.at("iv"));
                const auto aad = test::hex(t.at("aad"));
                const auto msg = test::hex(t.at("msg"));
                const auto ct = test::hex(t.at("ct"));
                const auto tag = test::hex(t.at("tag"));
                const auto result = t.at("result").get<std::string>();
                // The file has no "acceptable" cases; should one appear, the test must decide.
                REQUIRE((result == "valid" || result == "invalid"));
                const auto aead = make(key);
                const auto sealed = concat(ct, tag);
                test::bytes out(msg.size() + 16, 0x55);
                test::bytes opened(ct.size(), 0x55);
                if (iv.size() != chacha20_poly1305::nonce_size) {
                    // InvalidNonceSize: both directions refuse, nothing released
                    CHECK(result == "invalid");
                    CHECK(aead.seal(iv, aad, msg, out).error() == errc::bad_nonce_size);
                    CHECK(aead.open(iv, aad, sealed, opened).error() == errc::bad_nonce_size);
                    CHECK(std::all_of(opened.begin(), opened.end(), [](auto b) { return b == 0; }));
                    ++bad_nonce;
                } else if (result == "valid") {
                    REQUIRE(aead.seal(iv, aad, msg, out).ok());
                    CHECK(out == sealed);
                    REQUIRE(aead.open(iv, aad, sealed, opened).ok());
                    CHECK(opened == msg);
                    ++valid;
                } else {
                    CHECK(aead.open(iv, aad, sealed, opened).error() == errc::bad_tag);
                    CHECK(std::all_of(opened.begin(), opened.end(), [](auto b) { return b == 0; }));
                    ++forged;
                }
                ++ran;
            }
        }
        CHECK(ran == 325);
        CHECK(valid == 256);
        CHECK(forged == 60);
        CHECK(bad_nonce == 9);
    }
}

TEST_CASE("chacha20_poly1305 passes the AEAD conformance suite",
          "[chacha20_poly1305][conformance]") {
    const auto lengths = test::detail::conformance_lengths().size();
    for (const auto& path : test::chacha20_paths()) {
        INFO(path.name);
        test::use_chacha20_path use(path);
        const auto report = test::aead_conformance<chacha20_poly1305>();
        CHECK(report.round_trips == lengths);
        CHECK(report.rejections > 10 * lengths);
    }
}

TEST_CASE("chacha20_poly1305 agrees with OpenSSL EVP_chacha20_poly1305",
          "[chacha20_poly1305][openssl]") {
    std::mt19937_64 rng(7539);
    auto random_bytes = [&](std::size_t n) {
        test::bytes b(n);
        for (auto& x : b) {
            x = static_cast<std::uint8_t>(rng());
        }
        return b;
    };
    constexpr int iterations = 600;
    std::size_t ran = 0;
    for (const auto& path : test::chacha20_paths()) {
        INFO(path.name);
        test::use_chacha20_path use(path);
        for (int i = 0; i < iterations; ++i) {
            const std::size_t n = i <= 520 ? static_cast<std::size_t>(i) : rng() % 4097;
            INFO("length " << n);
            const auto key = random_bytes(32);
            const auto nonce = random_bytes(12);
            const auto aad = random_bytes(rng() % 3 == 0 ? 0 : rng() % 300);
            const auto msg = random_bytes(n);

            test::bytes ours(n + 16);
            REQUIRE(make(key).seal(nonce, aad, msg, ours).ok());

            EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
            REQUIRE(ctx != nullptr);
            int len = 0, fin = 0;
            test::bytes theirs(n + 16);
            REQUIRE(EVP_EncryptInit_ex(ctx, EVP_chacha20_poly1305(), nullptr, nullptr, nullptr) ==
                    1);
            REQUIRE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, nullptr) == 1);
            REQUIRE(EVP_EncryptInit_ex(ctx, nullptr, nullptr, key.data(), nonce.data()) == 1);
            if (!aad.empty()) {
                REQUIRE(EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(),
                                          static_cast<int>(aad.size())) == 1);
            }
            REQUIRE(EVP_EncryptUpdate(ctx, theirs.data(), &len, msg.data(), static_cast<int>(n)) ==
                    1);
            REQUIRE(EVP_EncryptFinal_ex(ctx, theirs.data() + len, &fin) == 1);
            REQUIRE(static_cast<std::size_t>(len + fin) == n);
            REQUIRE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, theirs.data() + n) == 1);
            EVP_CIPHER_CTX_free(ctx);
            REQUIRE(ours == theirs);

            test::bytes opened(n);
            REQUIRE(make(key).open(nonce, aad, theirs, opened).ok());
            REQUIRE(opened == msg);
            ++ran;
        }
    }
    CHECK(ran == iterations * test::chacha20_paths().size());
}

TEST_CASE("chacha20_poly1305 refuses messages beyond the 32-bit block counter",
          "[chacha20_poly1305]") {
    // RFC 8439 §2.8: at most (2^32 - 1) * 64 bytes. A real buffer one byte longer is reserved
    // (never touched: the length is refused before any access).
    constexpr std::uint64_t max = chacha20_poly1305::max_plaintext_size;
    STATIC_REQUIRE(max == 274877906880ULL);
    const std::size_t n = max + 1;
    void* mem = ::mmap(nullptr, n + 16, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) {
        WARN("could not reserve 256 GiB of address space; skipped");
        return;
    }
    auto* p = static_cast<std::uint8_t*>(mem);
    const test::bytes key(32, 1), nonce(12, 2);
    const auto aead = make(key);
    CHECK(aead.seal(nonce, {}, std::span(p, n), std::span(p, n + 16)).error() ==
          errc::message_too_long);
    CHECK(aead.open(nonce, {}, std::span(p, n + 16), std::span(p, n)).error() ==
          errc::message_too_long);
    ::munmap(mem, n + 16);
}
