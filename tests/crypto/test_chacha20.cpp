// ChaCha20: RFC 8439 §2.1.1-2.4.2 and A.1-A.2 read from the RFC text, the portable and AVX2
// paths against each other and against OpenSSL's EVP_chacha20.
#include "chacha20_paths.hpp"

#include <https/crypto/chacha20.hpp>

#include <support/rfc_text.hpp>
#include <support/vectors.hpp>

#include <catch2/catch.hpp>
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <random>
#include <regex>
#include <span>
#include <vector>

using namespace https;
using crypto::detail::chacha20_state;

namespace {

const test::rfc::document& rfc8439() {
    static const test::rfc::document doc("rfc/rfc8439.txt", "8439");
    return doc;
}

std::span<const std::uint8_t, 32> key32(const test::bytes& b) {
    REQUIRE(b.size() == 32);
    return std::span<const std::uint8_t, 32>(b.data(), 32);
}
std::span<const std::uint8_t, 12> nonce12(const test::bytes& b) {
    REQUIRE(b.size() == 12);
    return std::span<const std::uint8_t, 12>(b.data(), 12);
}

chacha20_state to_state(const std::vector<std::uint32_t>& w) {
    REQUIRE(w.size() == 16);
    chacha20_state s{};
    std::copy(w.begin(), w.end(), s.begin());
    return s;
}

/// The keystream-XOR of `in` through the chosen path's kernel, not the dispatcher: the AVX2
/// path pads the input to whole 512-byte strides so every byte goes through the 8-block code,
/// which the dispatcher would skip for short tails.
test::bytes kernel_xor(bool avx2, std::span<const std::uint8_t, 32> key,
                       std::span<const std::uint8_t, 12> nonce, std::uint32_t counter,
                       const test::bytes& in) {
    chacha20_state s;
    crypto::detail::chacha20_setup(s, key, counter, nonce);
    test::bytes out(in.size());
    if (!avx2) {
        crypto::detail::chacha20_xor_portable(s, in.data(), out.data(), in.size());
        return out;
    }
#if HTTPS_CHACHA20_HAVE_AVX2
    test::bytes padded(in);
    padded.resize((in.size() + 511) / 512 * 512);
    for (std::size_t off = 0; off < padded.size(); off += 512) {
        crypto::detail::chacha20_avx2_8blocks(s, padded.data() + off, padded.data() + off);
        s[12] += 8;
    }
    std::copy(padded.begin(), padded.begin() + static_cast<std::ptrdiff_t>(in.size()), out.begin());
#endif
    return out;
}

/// Both the public function (dispatching on the current path) and the kernel give `expected`.
void check_stream(const test::chacha20_path& path, const test::bytes& key, const test::bytes& nonce,
                  std::uint32_t counter, const test::bytes& in, const test::bytes& expected) {
    test::bytes out(in.size());
    crypto::chacha20_xor(key32(key), nonce12(nonce), counter, in, out);
    CHECK(out == expected);
    CHECK(kernel_xor(path.avx2, key32(key), nonce12(nonce), counter, in) == expected);
    test::bytes inplace = in; // in place
    crypto::chacha20_xor(key32(key), nonce12(nonce), counter, inplace, inplace);
    CHECK(inplace == expected);
}

} // namespace

TEST_CASE("RFC 8439 §2.1.1 and §2.2.1: the quarter round", "[chacha20][rfc8439]") {
    const auto sec = rfc8439().at("2.1.1.");
    static const std::regex assign(R"(^\s*([abcd]) = 0x([0-9a-f]{8})\s*$)");
    std::vector<std::uint32_t> v;
    for (const auto& line : sec.lines()) {
        std::smatch m;
        if (std::regex_match(line, m, assign)) {
            v.push_back(static_cast<std::uint32_t>(std::stoul(m[2], nullptr, 16)));
        }
    }
    REQUIRE(v.size() == 8); // a, b, c, d before and after
    crypto::detail::chacha20_quarter_round(v[0], v[1], v[2], v[3]);
    CHECK(v[0] == v[4]);
    CHECK(v[1] == v[5]);
    CHECK(v[2] == v[6]);
    CHECK(v[3] == v[7]);

    const auto sec2 = rfc8439().at("2.2.1.");
    auto x = to_state(sec2.words("Sample ChaCha State"));
    const auto want = to_state(sec2.words("After applying QUARTERROUND(2, 7, 8, 13)"));
    crypto::detail::chacha20_quarter_round(x[2], x[7], x[8], x[13]);
    CHECK(x == want);
}

TEST_CASE("RFC 8439 §2.3.2: the block function", "[chacha20][rfc8439]") {
    const auto sec = rfc8439().at("2.3.2.");
    const auto key = sec.hex("Key =");
    const auto nonce = sec.hex("Nonce =");
    const auto counter = static_cast<std::uint32_t>(sec.number("Block Count ="));
    REQUIRE(counter == 1);
    chacha20_state s;
    crypto::detail::chacha20_setup(s, key32(key), counter, nonce12(nonce));
    CHECK(s == to_state(sec.words("ChaCha state with the key setup.")));
    chacha20_state end;
    crypto::detail::chacha20_block_words(s, end);
    CHECK(end == to_state(sec.words("ChaCha state at the end of the ChaCha20 operation")));
    const auto rounds = to_state(sec.words("ChaCha state after 20 rounds"));
    for (std::size_t i = 0; i < 16; ++i) {
        CHECK(end[i] - s[i] == rounds[i]); // the end state is the rounds' output plus the input
    }
    const auto serialized = sec.hex("Serialized Block:");
    REQUIRE(serialized.size() == 64);
    std::array<std::uint8_t, 64> block{};
    crypto::detail::chacha20_block(s, block);
    CHECK(test::bytes(block.begin(), block.end()) == serialized);
    for (const auto& path : test::chacha20_paths()) {
        INFO(path.name);
        test::use_chacha20_path use(path);
        check_stream(path, key, nonce, counter, test::bytes(64, 0), serialized);
    }
}

TEST_CASE("RFC 8439 §2.4.2: the cipher", "[chacha20][rfc8439]") {
    const auto sec = rfc8439().at("2.4.2.");
    const auto key = sec.hex("Key =");
    const auto nonce = sec.hex("Nonce =");
    const auto counter = static_cast<std::uint32_t>(sec.number("Initial Counter ="));
    const auto plaintext = sec.hex("Plaintext Sunscreen:");
    const auto keystream = sec.hex("Keystream:");
    const auto ciphertext = sec.hex("Ciphertext Sunscreen:");
    REQUIRE(plaintext.size() == 114);
    REQUIRE(keystream.size() == 114);
    REQUIRE(ciphertext.size() == 114);

    chacha20_state s;
    crypto::detail::chacha20_setup(s, key32(key), counter, nonce12(nonce));
    CHECK(s == to_state(sec.words("First block setup:")));
    chacha20_state x;
    crypto::detail::chacha20_block_words(s, x);
    // the RFC prints the state after the rounds and the addition of the input
    CHECK(x == to_state(sec.words("First block after block operation:")));
    ++s[12];
    CHECK(s == to_state(sec.words("Second block setup:")));
    crypto::detail::chacha20_block_words(s, x);
    CHECK(x == to_state(sec.words("Second block after block operation:")));

    for (const auto& path : test::chacha20_paths()) {
        INFO(path.name);
        test::use_chacha20_path use(path);
        check_stream(path, key, nonce, counter, plaintext, ciphertext);
        check_stream(path, key, nonce, counter, test::bytes(114, 0), keystream);
        check_stream(path, key, nonce, counter, ciphertext, plaintext);
    }
}

TEST_CASE("RFC 8439 A.1: block function vectors", "[chacha20][rfc8439]") {
    std::size_t ran = 0;
    for (const auto& path : test::chacha20_paths()) {
        INFO(path.name);
        test::use_chacha20_path use(path);
        for (const auto& tv : rfc8439().at("A.1.").test_vectors()) {
            const auto key = tv.hex("Key:");
            const auto nonce = tv.hex("Nonce:");
            const auto counter = static_cast<std::uint32_t>(tv.number("Block Counter ="));
            const auto keystream = tv.hex("Keystream:");
            REQUIRE(keystream.size() == 64);
            chacha20_state s, end;
            crypto::detail::chacha20_setup(s, key32(key), counter, nonce12(nonce));
            crypto::detail::chacha20_block_words(s, end);
            CHECK(end == to_state(tv.words("ChaCha state at the end")));
            check_stream(path, key, nonce, counter, test::bytes(64, 0), keystream);
            ++ran;
        }
    }
    CHECK(ran == 5 * test::chacha20_paths().size());
}

TEST_CASE("RFC 8439 A.2: encryption vectors", "[chacha20][rfc8439]") {
    std::size_t ran = 0;
    for (const auto& path : test::chacha20_paths()) {
        INFO(path.name);
        test::use_chacha20_path use(path);
        for (const auto& tv : rfc8439().at("A.2.").test_vectors()) {
            const auto key = tv.hex("Key:");
            const auto nonce = tv.hex("Nonce:");
            const auto counter = static_cast<std::uint32_t>(tv.number("Initial Block Counter ="));
            const auto plaintext = tv.hex("Plaintext:");
            const auto ciphertext = tv.hex("Ciphertext:");
            REQUIRE(!plaintext.empty());
            REQUIRE(plaintext.size() == ciphertext.size());
            check_stream(path, key, nonce, counter, plaintext, ciphertext);
            check_stream(path, key, nonce, counter, ciphertext, plaintext);
            ++ran;
        }
    }
    CHECK(ran == 3 * test::chacha20_paths().size());
}

TEST_CASE("ChaCha20 paths agree with OpenSSL EVP_chacha20", "[chacha20][openssl]") {
    std::mt19937_64 rng(20);
    auto random_bytes = [&](std::size_t n) {
        test::bytes b(n);
        for (auto& x : b) {
            x = static_cast<std::uint8_t>(rng());
        }
        return b;
    };
    std::vector<std::size_t> lengths;
    for (std::size_t n = 0; n <= 1100; ++n) {
        lengths.push_back(n);
    }
    for (int i = 0; i < 60; ++i) {
        lengths.push_back(rng() % 8192);
    }
    std::size_t ran = 0;
    for (const auto& path : test::chacha20_paths()) {
        INFO(path.name);
        test::use_chacha20_path use(path);
        for (std::size_t n : lengths) {
            INFO("length " << n);
            const auto key = random_bytes(32);
            const auto nonce = random_bytes(12);
            // counters near the top of the 32-bit range too (the last block may be 2^32 - 1)
            const std::uint64_t blocks = (n + 63) / 64;
            std::uint32_t counter = static_cast<std::uint32_t>(rng());
            if (rng() % 4 == 0) {
                counter = static_cast<std::uint32_t>((std::uint64_t{1} << 32) - blocks);
            } else if (counter > (std::uint64_t{1} << 32) - blocks) {
                counter = 0;
            }
            const auto in = random_bytes(n);
            test::bytes ours(n);
            crypto::chacha20_xor(key32(key), nonce12(nonce), counter, in, ours);
            REQUIRE(kernel_xor(path.avx2, key32(key), nonce12(nonce), counter, in) == ours);

            // OpenSSL's IV is the 32-bit little-endian counter followed by the 96-bit nonce.
            std::array<std::uint8_t, 16> iv{};
            https::detail::store_le32(iv.data(), counter);
            std::copy(nonce.begin(), nonce.end(), iv.begin() + 4);
            test::bytes theirs(n + 1);
            EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
            REQUIRE(ctx != nullptr);
            int len = 0;
            REQUIRE(EVP_EncryptInit_ex(ctx, EVP_chacha20(), nullptr, key.data(), iv.data()) == 1);
            REQUIRE(EVP_EncryptUpdate(ctx, theirs.data(), &len, in.data(), static_cast<int>(n)) ==
                    1);
            EVP_CIPHER_CTX_free(ctx);
            REQUIRE(static_cast<std::size_t>(len) == n);
            theirs.resize(n);
            REQUIRE(ours == theirs);
            ++ran;
        }
    }
    CHECK(ran == lengths.size() * test::chacha20_paths().size());
}

TEST_CASE("ChaCha20 runs both paths on this machine", "[chacha20]") {
    // The AVX2 vectors above only count if the CPU has AVX2; say so loudly when it does not.
    if (!https::detail::cpu_features::detect().avx2) {
        WARN("no AVX2 on this CPU: only the portable ChaCha20 path was tested");
    }
    CHECK(!test::chacha20_paths().empty());
}
