// SHA-3 and SHAKE (FIPS 202): NIST CAVP byte-oriented ShortMsg/LongMsg vectors, FIPS 202 example
// values, split-update conformance, and SHAKE outputs of every length up to three blocks squeezed
// in pieces, compared with OpenSSL's libcrypto as the oracle.
#include <https/core/hex.hpp>
#include <https/crypto/sha3.hpp>

#include "support/hash_conformance.hpp"
#include "support/vectors.hpp"

#include <catch2/catch.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

using namespace https;

namespace {

/// A SHA3 ShortMsg/LongMsg file (`Len`, `Msg`, `MD`; byte-oriented, so Len is a multiple of 8).
/// The message is hashed in one update and again split in two at Len/3 bytes.
template <crypto::hash_function H> std::size_t run_sha3_file(const std::string& file) {
    std::size_t ran = 0;
    for (const auto& r : test::read_rsp(file)) {
        if (!r.has("Len")) {
            continue;
        }
        const std::size_t bits = std::stoul(r.at("Len"));
        REQUIRE(bits % 8 == 0);
        auto msg = r.bytes_of("Msg");
        msg.resize(bits / 8);
        const auto want = r.bytes_of("MD");
        INFO(file << " Len = " << bits);
        const auto one = crypto::hash<H>(msg);
        CHECK(test::bytes(one.begin(), one.end()) == want);
        H h;
        const std::span<const std::uint8_t> m(msg);
        h.update(m.first(msg.size() / 3));
        h.update(m.subspan(msg.size() / 3));
        crypto::digest<H> split{};
        h.finish(split);
        CHECK(split == one);
        ++ran;
    }
    return ran;
}

/// A SHAKE ShortMsg/LongMsg file (`Len`, `Msg`, `Output`): the output is squeezed at once, and
/// again one byte and then the rest.
template <class X> std::size_t run_shake_file(const std::string& file, std::size_t out_len) {
    std::size_t ran = 0;
    for (const auto& r : test::read_rsp(file)) {
        if (!r.has("Len")) {
            continue;
        }
        const std::size_t bits = std::stoul(r.at("Len"));
        REQUIRE(bits % 8 == 0);
        auto msg = r.bytes_of("Msg");
        msg.resize(bits / 8);
        const auto want = r.bytes_of("Output");
        REQUIRE(want.size() == out_len);
        INFO(file << " Len = " << bits);
        test::bytes got(out_len);
        X::compute(msg, got);
        CHECK(got == want);
        X x;
        x.update(msg);
        test::bytes pieces(out_len);
        x.squeeze(std::span(pieces).first(1));
        x.squeeze(std::span(pieces).subspan(1));
        CHECK(pieces == want);
        ++ran;
    }
    return ran;
}

struct md_ctx_deleter {
    void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};

/// OpenSSL's one-shot digest or XOF output of `msg` (`out_len` bytes for an XOF).
test::bytes openssl_digest(const EVP_MD* md, const test::bytes& msg, std::size_t out_len,
                           bool xof) {
    std::unique_ptr<EVP_MD_CTX, md_ctx_deleter> ctx(EVP_MD_CTX_new());
    REQUIRE(ctx);
    REQUIRE(EVP_DigestInit_ex(ctx.get(), md, nullptr) == 1);
    REQUIRE(EVP_DigestUpdate(ctx.get(), msg.data(), msg.size()) == 1);
    test::bytes out(out_len);
    if (xof) {
        REQUIRE(EVP_DigestFinalXOF(ctx.get(), out.data(), out.size()) == 1);
    } else {
        unsigned len = 0;
        REQUIRE(EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1);
        REQUIRE(len == out_len);
    }
    return out;
}

/// SHAKE outputs of every length 0 .. 3 * rate + 1 for messages around the rate, each squeezed
/// at once and in three uneven pieces, against OpenSSL. Returns the comparisons made.
template <class X> std::size_t shake_variable_output(const EVP_MD* md) {
    std::size_t checks = 0;
    for (std::size_t msg_len :
         {std::size_t{0}, std::size_t{1}, X::rate - 1, X::rate, X::rate + 1, 2 * X::rate + 7}) {
        const auto msg = test::conformance_message(msg_len, static_cast<std::uint32_t>(msg_len));
        const auto longest = openssl_digest(md, msg, 3 * X::rate + 1, true);
        for (std::size_t n = 0; n <= 3 * X::rate + 1; ++n) {
            INFO("message " << msg_len << " bytes, output " << n << " bytes");
            // An XOF's shorter outputs are prefixes of the longer ones (checked once per message
            // against OpenSSL's own shorter output, then used for every length).
            const test::bytes want(longest.begin(), longest.begin() + static_cast<long>(n));
            if (n == 0 || n == X::rate || n == 3 * X::rate + 1) {
                REQUIRE(openssl_digest(md, msg, n, true) == want);
            }
            test::bytes got(n);
            X::compute(msg, got);
            REQUIRE(got == want);
            X x;
            x.update(msg);
            const std::size_t a = n / 3;
            const std::size_t b = n - n / 5;
            std::span<std::uint8_t> s(got);
            std::fill(got.begin(), got.end(), 0);
            x.squeeze(s.first(a));
            x.squeeze(s.subspan(a, b - a));
            x.squeeze(s.subspan(b));
            REQUIRE(got == want);
            checks += 2;
        }
    }
    return checks;
}

/// Each digest against OpenSSL for messages of 0 .. 3 * block + 1 bytes.
template <crypto::hash_function H> std::size_t sha3_against_openssl(const EVP_MD* md) {
    std::size_t checks = 0;
    for (std::size_t len = 0; len <= 3 * H::block_size + 1; ++len) {
        const auto msg = test::conformance_message(len, 7);
        const auto d = crypto::hash<H>(msg);
        INFO("length " << len);
        REQUIRE(test::bytes(d.begin(), d.end()) == openssl_digest(md, msg, H::digest_size, false));
        ++checks;
    }
    return checks;
}

} // namespace

TEST_CASE("SHA3-256: NIST CAVP ShortMsg, LongMsg", "[crypto][sha3][nist]") {
    CHECK(run_sha3_file<crypto::sha3_256>("nist/sha3/SHA3_256ShortMsg.rsp") == 136);
    CHECK(run_sha3_file<crypto::sha3_256>("nist/sha3/SHA3_256LongMsg.rsp") == 100);
}

TEST_CASE("SHA3-512: NIST CAVP ShortMsg, LongMsg", "[crypto][sha3][nist]") {
    CHECK(run_sha3_file<crypto::sha3_512>("nist/sha3/SHA3_512ShortMsg.rsp") == 72);
    CHECK(run_sha3_file<crypto::sha3_512>("nist/sha3/SHA3_512LongMsg.rsp") == 100);
}

TEST_CASE("SHAKE128: NIST CAVP ShortMsg, LongMsg (128-bit outputs)",
          "[crypto][sha3][shake][nist]") {
    CHECK(run_shake_file<crypto::shake128>("nist/sha3/SHAKE128ShortMsg.rsp", 16) == 336);
    CHECK(run_shake_file<crypto::shake128>("nist/sha3/SHAKE128LongMsg.rsp", 16) == 100);
}

TEST_CASE("SHAKE256: NIST CAVP ShortMsg, LongMsg (256-bit outputs)",
          "[crypto][sha3][shake][nist]") {
    CHECK(run_shake_file<crypto::shake256>("nist/sha3/SHAKE256ShortMsg.rsp", 32) == 272);
    CHECK(run_shake_file<crypto::shake256>("nist/sha3/SHAKE256LongMsg.rsp", 32) == 100);
}

TEST_CASE("SHA-3 and SHAKE: the empty message (FIPS 202 example values)", "[crypto][sha3]") {
    // The CAVP byte-oriented files start at Len = 8; these are the published empty-input values.
    CHECK(to_hex(crypto::hash<crypto::sha3_256>({})) ==
          "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
    CHECK(to_hex(crypto::hash<crypto::sha3_512>({})) ==
          "a69f73cca23a9ac5c8b567dc185a756e97c982164fe25859e0d1dcc1475c80a6"
          "15b2123af1f5f94c11e3e9402c3ac558f500199d95b6d3e301758586281dcd26");
    std::array<std::uint8_t, 32> s128{};
    crypto::shake128::compute({}, s128);
    CHECK(to_hex(s128) == "7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26");
    std::array<std::uint8_t, 64> s256{};
    crypto::shake256::compute({}, s256);
    CHECK(to_hex(s256) == "46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762f"
                          "d75dc4ddd8c0f200cb05019d67b592f6fc821c49479ab48640292eacb3b7c4be");
}

TEST_CASE("SHA-3: split updates, finish resets, copies (hash_conformance)", "[crypto][sha3]") {
    CHECK(test::hash_conformance<crypto::sha3_256>() ==
          test::hash_conformance_checks<crypto::sha3_256>());
    CHECK(test::hash_conformance<crypto::sha3_512>() ==
          test::hash_conformance_checks<crypto::sha3_512>());
}

TEST_CASE("SHA-3: every length up to three blocks against OpenSSL", "[crypto][sha3][openssl]") {
    CHECK(sha3_against_openssl<crypto::sha3_256>(EVP_sha3_256()) == 3 * 136 + 2);
    CHECK(sha3_against_openssl<crypto::sha3_512>(EVP_sha3_512()) == 3 * 72 + 2);
}

TEST_CASE("SHAKE: variable output lengths, squeezed in pieces, against OpenSSL",
          "[crypto][sha3][shake][openssl]") {
    // No CAVP VariableOut file is in the vector set; OpenSSL's EVP_DigestFinalXOF is the oracle.
    CHECK(shake_variable_output<crypto::shake128>(EVP_shake128()) == 6 * 2 * (3 * 168 + 2));
    CHECK(shake_variable_output<crypto::shake256>(EVP_shake256()) == 6 * 2 * (3 * 136 + 2));
}

TEST_CASE("SHAKE: a copy taken mid-squeeze continues the same stream, and reset starts over",
          "[crypto][sha3][shake]") {
    const auto msg = test::conformance_message(300, 3);
    test::bytes want(1000);
    crypto::shake128::compute(msg, want);
    crypto::shake128 x;
    x.update(msg);
    test::bytes a(1000);
    x.squeeze(std::span(a).first(170));
    crypto::shake128 copy = x;
    x.squeeze(std::span(a).subspan(170));
    CHECK(a == want);
    test::bytes b(830);
    copy.squeeze(b);
    CHECK(std::equal(b.begin(), b.end(), want.begin() + 170));
    x.reset();
    x.update(msg);
    test::bytes c(1000);
    x.squeeze(c);
    CHECK(c == want);
}
