// SHA-1 and SHA-2: NIST CAVP vectors (both SHA-256 paths), split-update conformance, a
// differential test against OpenSSL, empty input, finish-twice, and > 4 GiB inputs.
#include <https/core/hex.hpp>
#include <https/crypto/sha1.hpp>
#include <https/crypto/sha2.hpp>

#include "support/hash_conformance.hpp"
#include "support/vectors.hpp"

#include <catch2/catch.hpp>
#include <openssl/evp.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

using namespace https;

namespace {

template <crypto::hash_function H> test::bytes as_vec(const crypto::digest<H>& d) {
    return {d.begin(), d.end()};
}

/// A ShortMsg/LongMsg file (byte-oriented: Len is a multiple of 8; Len = 0 has Msg = 00).
template <crypto::hash_function H> std::size_t run_msg_file(const std::string& file) {
    std::size_t ran = 0;
    for (const auto& r : test::read_rsp(file)) {
        if (!r.has("Len")) {
            continue;
        }
        const std::size_t bits = std::stoul(r.at("Len"));
        REQUIRE(bits % 8 == 0);
        auto msg = r.bytes_of("Msg");
        msg.resize(bits / 8);
        INFO(file << " Len = " << bits);
        REQUIRE(as_vec<H>(crypto::hash<H>(msg)) == r.bytes_of("MD"));
        ++ran;
    }
    return ran;
}

/// A Monte file, per the SHAVS document §6.4 (SHA-1/SHA-2): for each of the 100 checkpoints,
/// MD0 = MD1 = MD2 = Seed; MDi = H(MDi-3 || MDi-2 || MDi-1) for i = 3..1002; output and new
/// Seed = MD1002.
template <crypto::hash_function H> std::size_t run_monte_file(const std::string& file) {
    const auto records = test::read_rsp(file);
    REQUIRE(!records.empty());
    REQUIRE(records.front().has("Seed"));
    crypto::digest<H> seed{};
    const auto seed_bytes = records.front().bytes_of("Seed");
    REQUIRE(seed_bytes.size() == seed.size());
    std::copy(seed_bytes.begin(), seed_bytes.end(), seed.begin());
    std::size_t checkpoint = 0;
    for (const auto& r : records) {
        if (!r.has("COUNT")) {
            continue;
        }
        REQUIRE(std::stoul(r.at("COUNT")) == checkpoint);
        crypto::digest<H> md0 = seed, md1 = seed, md2 = seed, md3{};
        H h;
        for (int i = 3; i <= 1002; ++i) {
            h.update(md0);
            h.update(md1);
            h.update(md2);
            h.finish(md3);
            md0 = md1;
            md1 = md2;
            md2 = md3;
        }
        seed = md2;
        INFO(file << " COUNT = " << checkpoint);
        REQUIRE(as_vec<H>(seed) == r.bytes_of("MD"));
        ++checkpoint;
    }
    return checkpoint;
}

const char* path_name(bool sha_ni) {
    return sha_ni ? "SHA-NI" : "portable";
}

} // namespace

TEST_CASE("SHA-1: NIST CAVP ShortMsg, LongMsg, Monte on every path", "[crypto][sha][sha1][nist]") {
    const auto paths = test::sha_ni_paths();
    std::size_t short_ran = 0, long_ran = 0, monte_ran = 0;
    for (bool ni : paths) {
        test::scoped_sha_ni path(ni);
        INFO("path " << path_name(ni));
        short_ran += run_msg_file<crypto::sha1>("nist/sha/SHA1ShortMsg.rsp");
        long_ran += run_msg_file<crypto::sha1>("nist/sha/SHA1LongMsg.rsp");
        monte_ran += run_monte_file<crypto::sha1>("nist/sha/SHA1Monte.rsp");
    }
    CHECK(short_ran == 65 * paths.size());
    CHECK(long_ran == 64 * paths.size());
    CHECK(monte_ran == 100 * paths.size());
}

TEST_CASE("SHA-256: NIST CAVP ShortMsg, LongMsg, Monte on every path",
          "[crypto][sha][sha256][nist]") {
    const auto paths = test::sha_ni_paths();
    std::size_t short_ran = 0, long_ran = 0, monte_ran = 0;
    for (bool ni : paths) {
        test::scoped_sha_ni path(ni);
        INFO("path " << path_name(ni));
        short_ran += run_msg_file<crypto::sha256>("nist/sha/SHA256ShortMsg.rsp");
        long_ran += run_msg_file<crypto::sha256>("nist/sha/SHA256LongMsg.rsp");
        monte_ran += run_monte_file<crypto::sha256>("nist/sha/SHA256Monte.rsp");
    }
    CHECK(short_ran == 65 * paths.size());
    CHECK(long_ran == 64 * paths.size());
    CHECK(monte_ran == 100 * paths.size());
}

TEST_CASE("SHA-384: NIST CAVP ShortMsg, LongMsg, Monte", "[crypto][sha][sha384][nist]") {
    CHECK(run_msg_file<crypto::sha384>("nist/sha/SHA384ShortMsg.rsp") == 129);
    CHECK(run_msg_file<crypto::sha384>("nist/sha/SHA384LongMsg.rsp") == 128);
    CHECK(run_monte_file<crypto::sha384>("nist/sha/SHA384Monte.rsp") == 100);
}

TEST_CASE("SHA-512: NIST CAVP ShortMsg, LongMsg, Monte", "[crypto][sha][sha512][nist]") {
    CHECK(run_msg_file<crypto::sha512>("nist/sha/SHA512ShortMsg.rsp") == 129);
    CHECK(run_msg_file<crypto::sha512>("nist/sha/SHA512LongMsg.rsp") == 128);
    CHECK(run_monte_file<crypto::sha512>("nist/sha/SHA512Monte.rsp") == 100);
}

TEST_CASE("SHA-224 and the empty input: FIPS 180-4 example values", "[crypto][sha][sha224]") {
    // The NIST example messages "abc" and the 448-bit / 896-bit two-block messages.
    const std::string abc = "abc";
    const std::string m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    const std::string m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                             "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    std::size_t ran = 0;
    auto check = [&](auto tag, const std::string& msg, const char* want) {
        using H = typename decltype(tag)::type;
        INFO(want);
        CHECK(to_hex(crypto::hash<H>(as_bytes(msg))) == want);
        ++ran;
    };
    using std::type_identity;
    check(type_identity<crypto::sha224>{}, abc,
          "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7");
    check(type_identity<crypto::sha224>{}, m448,
          "75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525");
    check(
        type_identity<crypto::sha384>{}, m896,
        "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa9"
        "1746039");
    for (bool ni : test::sha_ni_paths()) {
        test::scoped_sha_ni path(ni);
        check(type_identity<crypto::sha256>{}, "",
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        check(type_identity<crypto::sha224>{}, "",
              "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f");
        check(type_identity<crypto::sha1>{}, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    }
    check(type_identity<crypto::sha384>{}, "",
          "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f"
          "14898b95b");
    check(type_identity<crypto::sha512>{}, "",
          "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d"
          "2877eec2f63b931bd47417a81a538327af927da3e");
    CHECK(ran == 5 + 3 * test::sha_ni_paths().size());
}

TEST_CASE("SHA: finish writes the digest and resets; a second finish is the empty digest",
          "[crypto][sha]") {
    crypto::sha256 h;
    h.update(as_bytes("abc"));
    crypto::digest<crypto::sha256> d1{}, d2{};
    h.finish(d1);
    h.finish(d2);
    CHECK(to_hex(d1) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(to_hex(d2) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    h.update(as_bytes("abc")); // usable again after finish
    h.finish(d2);
    CHECK(d2 == d1);

    crypto::sha512 g;
    g.update(as_bytes("abc"));
    crypto::digest<crypto::sha512> e1{}, e2{};
    g.finish(e1);
    g.finish(e2);
    CHECK(e2 == crypto::hash<crypto::sha512>({}));
    CHECK(e1 == crypto::hash<crypto::sha512>(as_bytes("abc")));

    // Hash objects are plain values (HMAC relies on this to wipe its keyed states).
    STATIC_REQUIRE(std::is_trivially_copyable_v<crypto::sha1>);
    STATIC_REQUIRE(std::is_trivially_copyable_v<crypto::sha256>);
    STATIC_REQUIRE(std::is_trivially_copyable_v<crypto::sha512>);
}

TEST_CASE("SHA: split-update conformance", "[crypto][sha][conformance]") {
    for (bool ni : test::sha_ni_paths()) {
        test::scoped_sha_ni path(ni);
        INFO("path " << path_name(ni));
        CHECK(test::hash_conformance<crypto::sha1>() ==
              test::hash_conformance_checks<crypto::sha1>());
        CHECK(test::hash_conformance<crypto::sha224>() ==
              test::hash_conformance_checks<crypto::sha224>());
        CHECK(test::hash_conformance<crypto::sha256>() ==
              test::hash_conformance_checks<crypto::sha256>());
    }
    CHECK(test::hash_conformance<crypto::sha384>() ==
          test::hash_conformance_checks<crypto::sha384>());
    CHECK(test::hash_conformance<crypto::sha512>() ==
          test::hash_conformance_checks<crypto::sha512>());
    // 64-byte blocks: lengths 0..129; 128-byte blocks: 0..257.
    CHECK(test::hash_conformance_checks<crypto::sha256>() == 130 * 131 / 2 + 6 * 130);
}

namespace {

struct evp_md_ctx_deleter {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using evp_md_ctx = std::unique_ptr<EVP_MD_CTX, evp_md_ctx_deleter>;

/// Hash `count` random messages (length 0..5000, fixed seed) with H, fed in random-sized pieces,
/// and compare with OpenSSL's one-shot digest. Returns the number of messages compared.
template <crypto::hash_function H>
std::size_t differential(const EVP_MD* md, std::uint64_t seed, std::size_t count) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<std::size_t> length(0, 5000);
    std::vector<std::uint8_t> msg;
    std::size_t ran = 0;
    for (std::size_t i = 0; i < count; ++i) {
        msg.resize(length(rng));
        for (auto& b : msg) {
            b = static_cast<std::uint8_t>(rng());
        }
        H h;
        std::size_t pos = 0;
        while (pos < msg.size()) {
            // Mostly small pieces (to cross block boundaries at every alignment), some large.
            const std::size_t limit = (rng() % 4 == 0) ? msg.size() : 2 * H::block_size + 3;
            const std::size_t piece = std::min<std::size_t>(rng() % (limit + 1), msg.size() - pos);
            h.update(bytes_view(msg).subspan(pos, piece));
            pos += piece;
        }
        crypto::digest<H> ours{};
        h.finish(ours);
        std::array<std::uint8_t, EVP_MAX_MD_SIZE> theirs{};
        unsigned theirs_len = 0;
        REQUIRE(EVP_Digest(msg.data(), msg.size(), theirs.data(), &theirs_len, md, nullptr) == 1);
        REQUIRE(theirs_len == H::digest_size);
        INFO("message " << i << " length " << msg.size());
        REQUIRE(as_vec<H>(ours) == test::bytes(theirs.begin(), theirs.begin() + theirs_len));
        ++ran;
    }
    return ran;
}

} // namespace

TEST_CASE("SHA: differential test against OpenSSL on random messages", "[crypto][sha][openssl]") {
    constexpr std::size_t n = 2000;
    for (bool ni : test::sha_ni_paths()) {
        test::scoped_sha_ni path(ni);
        INFO("path " << path_name(ni));
        CHECK(differential<crypto::sha1>(EVP_sha1(), 1, n) == n);
        CHECK(differential<crypto::sha224>(EVP_sha224(), 2, n) == n);
        CHECK(differential<crypto::sha256>(EVP_sha256(), 3, n) == n);
    }
    CHECK(differential<crypto::sha384>(EVP_sha384(), 4, n) == n);
    CHECK(differential<crypto::sha512>(EVP_sha512(), 5, n) == n);
}

namespace {

/// Hash 2^32 + 13 bytes (4096 chunks of 1 MiB, each slightly different, then 13 bytes) with ours
/// and OpenSSL's and compare: a 32-bit byte counter, or a bit counter narrower than 64 bits,
/// would give a wrong length in the padding.
template <crypto::hash_function H> void compare_over_4gib(const EVP_MD* md) {
    std::vector<std::uint8_t> chunk = test::conformance_message(std::size_t{1} << 20, 7);
    evp_md_ctx ctx(EVP_MD_CTX_new());
    REQUIRE(EVP_DigestInit_ex(ctx.get(), md, nullptr) == 1);
    H h;
    std::uint64_t total = 0;
    for (std::uint32_t i = 0; i < 4096; ++i) {
        https::detail::store_be32(chunk.data(), i);
        h.update(chunk);
        REQUIRE(EVP_DigestUpdate(ctx.get(), chunk.data(), chunk.size()) == 1);
        total += chunk.size();
    }
    h.update(bytes_view(chunk).first(13));
    REQUIRE(EVP_DigestUpdate(ctx.get(), chunk.data(), 13) == 1);
    total += 13;
    CHECK(total == (std::uint64_t{1} << 32) + 13);
    crypto::digest<H> ours{};
    h.finish(ours);
    std::array<std::uint8_t, EVP_MAX_MD_SIZE> theirs{};
    unsigned theirs_len = 0;
    REQUIRE(EVP_DigestFinal_ex(ctx.get(), theirs.data(), &theirs_len) == 1);
    CHECK(as_vec<H>(ours) == test::bytes(theirs.begin(), theirs.begin() + theirs_len));
}

} // namespace

// Slow (~20 s of CPU optimised): skipped in the sanitizer build. Only the fastest SHA-256 path
// runs here; the length counter is in md_buffer, shared by both paths and by every hash.
TEST_CASE("SHA-256 and SHA-512 of more than 4 GiB match OpenSSL", "[crypto][sha][no-sanitize]") {
    compare_over_4gib<crypto::sha256>(EVP_sha256());
    compare_over_4gib<crypto::sha512>(EVP_sha512());
}
