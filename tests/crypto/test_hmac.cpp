// HMAC: NIST CAVP HMAC.rsp, RFC 4231, Wycheproof, tag-length policy of verify, a differential
// test against OpenSSL, streaming behaviour, and a > 4 GiB message.
#include <https/core/hex.hpp>
#include <https/crypto/hmac.hpp>
#include <https/crypto/sha1.hpp>
#include <https/crypto/sha2.hpp>

#include "support/hash_conformance.hpp"
#include "support/vectors.hpp"

#include <catch2/catch.hpp>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace https;

namespace {

template <crypto::hash_function H>
test::bytes mac_vec(const test::bytes& key, const test::bytes& msg) {
    const auto tag = crypto::hmac<H>::mac(key, msg);
    return {tag.begin(), tag.end()};
}

/// Check one (key, msg, expected tag) triple; the tag may be truncated. Checks both `mac` (its
/// prefix) and `verify`, and that `verify` rejects the tag with its last bit flipped.
template <crypto::hash_function H>
void check_tag(const test::bytes& key, const test::bytes& msg, const test::bytes& tag) {
    REQUIRE(tag.size() <= H::digest_size);
    auto full = mac_vec<H>(key, msg);
    full.resize(tag.size());
    REQUIRE(full == tag);
    REQUIRE(crypto::hmac<H>::verify(key, msg, tag));
    auto bad = tag;
    bad.back() ^= 1;
    REQUIRE_FALSE(crypto::hmac<H>::verify(key, msg, bad));
}

/// One HMAC.rsp record under the hash its [L=..] section names.
std::size_t run_nist_record(const test::rsp_record& r) {
    const auto key = r.bytes_of("Key");
    const auto msg = r.bytes_of("Msg");
    const auto mac = r.bytes_of("Mac");
    REQUIRE(key.size() == std::stoul(r.at("Klen")));
    REQUIRE(mac.size() == std::stoul(r.at("Tlen")));
    const std::string l = r.section.at("L");
    INFO("L=" << l << " Count=" << r.at("Count"));
    if (l == "20") {
        check_tag<crypto::sha1>(key, msg, mac);
    } else if (l == "28") {
        check_tag<crypto::sha224>(key, msg, mac);
    } else if (l == "32") {
        check_tag<crypto::sha256>(key, msg, mac);
    } else if (l == "48") {
        check_tag<crypto::sha384>(key, msg, mac);
    } else if (l == "64") {
        check_tag<crypto::sha512>(key, msg, mac);
    } else {
        FAIL("unknown section L=" << l);
    }
    return 1;
}

} // namespace

TEST_CASE("HMAC: NIST CAVP HMAC.rsp (SHA-1/224/256/384/512, truncated tags)",
          "[crypto][hmac][nist]") {
    const auto records = test::read_rsp("nist/hmac/HMAC.rsp");
    const auto paths = test::sha_ni_paths();
    std::map<std::string, std::size_t> per_l;
    std::size_t ran = 0;
    for (bool ni : paths) {
        test::scoped_sha_ni path(ni);
        for (const auto& r : records) {
            ran += run_nist_record(r);
            ++per_l[r.section.at("L")];
        }
    }
    CHECK(ran == 1575 * paths.size());
    // 75 records per (L, Tlen): 4 tag lengths for SHA-1, 5 for SHA-224, 3 for SHA-256, ...
    const std::map<std::string, std::size_t> want = {
        {"20", 300}, {"28", 375}, {"32", 225}, {"48", 300}, {"64", 375}};
    for (const auto& [l, n] : want) {
        INFO("L=" << l);
        CHECK(per_l[l] == n * paths.size());
    }
}

TEST_CASE("HMAC: RFC 4231 test cases 1-7 (SHA-224/256/384/512)", "[crypto][hmac][rfc4231]") {
    const auto records = test::read_rsp("rfc/extracted/rfc4231_hmac_sha2.txt");
    const auto paths = test::sha_ni_paths();
    std::size_t ran = 0;
    for (bool ni : paths) {
        test::scoped_sha_ni path(ni);
        for (const auto& r : records) {
            const auto key = r.bytes_of("Key");
            const auto data = r.bytes_of("Data");
            INFO(r.section.begin()->first);
            check_tag<crypto::sha224>(key, data, r.bytes_of("HMAC-SHA-224"));
            check_tag<crypto::sha256>(key, data, r.bytes_of("HMAC-SHA-256"));
            check_tag<crypto::sha384>(key, data, r.bytes_of("HMAC-SHA-384"));
            check_tag<crypto::sha512>(key, data, r.bytes_of("HMAC-SHA-512"));
            ran += 4;
        }
    }
    CHECK(ran == 28 * paths.size());
}

namespace {

/// A Wycheproof MacTest file: `valid` tags must verify (and equal our truncated MAC), `invalid`
/// ones (flag ModifiedTag) must be rejected. These files have no `acceptable` cases; one would
/// fail the test.
template <crypto::hash_function H> std::size_t run_wycheproof_mac(const std::string& file) {
    const auto j = test::read_wycheproof(file);
    std::size_t ran = 0;
    for (const auto& g : j.at("testGroups")) {
        const std::size_t tag_bytes = g.at("tagSize").get<std::size_t>() / 8;
        for (const auto& t : g.at("tests")) {
            const auto key = test::hex(t.at("key").get<std::string>());
            const auto msg = test::hex(t.at("msg").get<std::string>());
            const auto tag = test::hex(t.at("tag").get<std::string>());
            const std::string result = t.at("result").get<std::string>();
            INFO(file << " tcId " << t.at("tcId").get<int>() << " " << result);
            REQUIRE(tag.size() == tag_bytes);
            auto ours = mac_vec<H>(key, msg);
            ours.resize(tag_bytes);
            if (result == "valid") {
                CHECK(ours == tag);
                CHECK(crypto::hmac<H>::verify(key, msg, tag));
            } else {
                REQUIRE(result == "invalid");
                CHECK(ours != tag);
                CHECK_FALSE(crypto::hmac<H>::verify(key, msg, tag));
            }
            ++ran;
        }
    }
    CHECK(ran == test::wycheproof_declared_tests(j));
    return ran;
}

} // namespace

TEST_CASE("HMAC: Wycheproof hmac_sha1/sha256/sha384/sha512", "[crypto][hmac][wycheproof]") {
    const auto paths = test::sha_ni_paths();
    std::size_t ran1 = 0, ran256 = 0;
    for (bool ni : paths) {
        test::scoped_sha_ni path(ni);
        ran1 += run_wycheproof_mac<crypto::sha1>("hmac_sha1_test.json");
        ran256 += run_wycheproof_mac<crypto::sha256>("hmac_sha256_test.json");
    }
    CHECK(ran1 == 170 * paths.size());
    CHECK(ran256 == 174 * paths.size());
    CHECK(run_wycheproof_mac<crypto::sha384>("hmac_sha384_test.json") == 174);
    CHECK(run_wycheproof_mac<crypto::sha512>("hmac_sha512_test.json") == 174);
}

TEST_CASE("HMAC: verify accepts full tags and truncations down to 10 bytes, nothing else",
          "[crypto][hmac]") {
    const auto key = test::conformance_message(40, 3);
    const auto msg = test::conformance_message(100, 4);
    auto check_policy = [&](auto tag_type) {
        using H = typename decltype(tag_type)::type;
        using M = crypto::hmac<H>;
        STATIC_REQUIRE(M::min_tag_size == 10);
        const auto full = M::mac(key, msg);
        const bytes_view f(full);
        CHECK(M::verify(key, msg, f));
        CHECK(M::verify(key, msg, f.first(10)));
        CHECK(M::verify(key, msg, f.first(H::digest_size - 1)));
        CHECK_FALSE(M::verify(key, msg, f.first(9))); // too short to be a MAC
        CHECK_FALSE(M::verify(key, msg, f.first(1)));
        CHECK_FALSE(M::verify(key, msg, {})); // the empty tag must never pass
        test::bytes longer(full.begin(), full.end());
        longer.push_back(0);
        CHECK_FALSE(M::verify(key, msg, longer));       // longer than the hash output
        for (std::size_t i = 0; i < full.size(); ++i) { // any flipped bit fails
            auto bad = longer;
            bad.pop_back();
            bad[i] ^= 0x80;
            CHECK_FALSE(M::verify(key, msg, bad));
        }
        auto other_key = key;
        other_key[0] ^= 1;
        CHECK_FALSE(M::verify(other_key, msg, f));
    };
    check_policy(std::type_identity<crypto::sha1>{});
    check_policy(std::type_identity<crypto::sha256>{});
    check_policy(std::type_identity<crypto::sha512>{});
}

TEST_CASE("HMAC: streaming; finish resets to the keyed state; empty key and message",
          "[crypto][hmac]") {
    using M = crypto::hmac<crypto::sha256>;
    const auto key = test::conformance_message(100, 5); // longer than a block: hashed first
    const auto msg = test::conformance_message(1000, 6);
    const auto want = M::mac(key, msg);
    const auto want_empty = M::mac(key, {});

    M m(key);
    crypto::digest<crypto::sha256> got{};
    for (std::size_t i = 0; i < msg.size(); i += 37) {
        m.update(bytes_view(msg).subspan(i, std::min<std::size_t>(37, msg.size() - i)));
    }
    m.finish(got);
    CHECK(got == want);
    m.finish(got); // second finish: the MAC of the empty message under the same key
    CHECK(got == want_empty);
    m.update(msg);
    M copy = m; // a copy carries the key and the pending message
    m.finish(got);
    CHECK(got == want);
    copy.finish(got);
    CHECK(got == want);
    m.update(as_bytes("discarded"));
    m.reset();
    m.update(msg);
    m.finish(got);
    CHECK(got == want);

    // RFC 2104 §2: a key is zero-padded to the block, so an empty key equals a block of zeros,
    // and a key longer than the block equals its hash.
    const test::bytes zeros(64, 0);
    CHECK(M::mac({}, msg) == M::mac(zeros, msg));
    const auto key_hash = crypto::hash<crypto::sha256>(key);
    CHECK(M::mac(key, msg) == M::mac(key_hash, msg));
    CHECK(to_hex(M::mac({}, {})) ==
          "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    CHECK(to_hex(crypto::hmac<crypto::sha1>::mac({}, {})) ==
          "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
}

namespace {

/// OpenSSL's HMAC through the EVP_MAC interface (streaming).
class openssl_hmac {
  public:
    openssl_hmac(const char* digest, const test::bytes& key) {
        mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
        REQUIRE(mac_ != nullptr);
        ctx_ = EVP_MAC_CTX_new(mac_);
        REQUIRE(ctx_ != nullptr);
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest), 0),
            OSSL_PARAM_construct_end()};
        // A non-null key pointer even for the empty key, which EVP_MAC_init would otherwise
        // take as "keep the previous key".
        static const unsigned char none = 0;
        REQUIRE(EVP_MAC_init(ctx_, key.empty() ? &none : key.data(), key.size(), params) == 1);
    }
    openssl_hmac(const openssl_hmac&) = delete;
    openssl_hmac& operator=(const openssl_hmac&) = delete;
    ~openssl_hmac() {
        EVP_MAC_CTX_free(ctx_);
        EVP_MAC_free(mac_);
    }
    void update(bytes_view in) { REQUIRE(EVP_MAC_update(ctx_, in.data(), in.size()) == 1); }
    test::bytes finish() {
        test::bytes out(EVP_MAX_MD_SIZE);
        std::size_t len = 0;
        REQUIRE(EVP_MAC_final(ctx_, out.data(), &len, out.size()) == 1);
        out.resize(len);
        return out;
    }

  private:
    EVP_MAC* mac_ = nullptr;
    EVP_MAC_CTX* ctx_ = nullptr;
};

/// HMAC `count` random messages (0..5000 bytes) under random keys (0..300 bytes, so shorter
/// than, equal to and longer than a block), fed in random pieces; compare with OpenSSL.
template <crypto::hash_function H>
std::size_t differential(const char* digest, std::uint64_t seed, std::size_t count) {
    std::mt19937_64 rng(seed);
    std::size_t ran = 0;
    for (std::size_t i = 0; i < count; ++i) {
        test::bytes key(rng() % 301);
        if (i % 10 == 0) {
            key.resize(H::block_size); // exactly one block
        }
        test::bytes msg(rng() % 5001);
        for (auto& b : key) {
            b = static_cast<std::uint8_t>(rng());
        }
        for (auto& b : msg) {
            b = static_cast<std::uint8_t>(rng());
        }
        crypto::hmac<H> ours(key);
        openssl_hmac theirs(digest, key);
        std::size_t pos = 0;
        while (pos < msg.size()) {
            const std::size_t limit = (rng() % 4 == 0) ? msg.size() : 2 * H::block_size + 3;
            const std::size_t piece = std::min<std::size_t>(rng() % (limit + 1), msg.size() - pos);
            ours.update(bytes_view(msg).subspan(pos, piece));
            pos += piece;
        }
        theirs.update(msg);
        crypto::digest<H> tag{};
        ours.finish(tag);
        INFO("case " << i << " key " << key.size() << " message " << msg.size());
        REQUIRE(test::bytes(tag.begin(), tag.end()) == theirs.finish());
        ++ran;
    }
    return ran;
}

} // namespace

TEST_CASE("HMAC: differential test against OpenSSL on random keys and messages",
          "[crypto][hmac][openssl]") {
    constexpr std::size_t n = 2000;
    for (bool ni : test::sha_ni_paths()) {
        test::scoped_sha_ni path(ni);
        CHECK(differential<crypto::sha1>("SHA1", 11, n) == n);
        CHECK(differential<crypto::sha224>("SHA224", 12, n) == n);
        CHECK(differential<crypto::sha256>("SHA256", 13, n) == n);
    }
    CHECK(differential<crypto::sha384>("SHA384", 14, n) == n);
    CHECK(differential<crypto::sha512>("SHA512", 15, n) == n);
}

// Slow (~6 s optimised): skipped in the sanitizer build.
TEST_CASE("HMAC-SHA256 of more than 4 GiB matches OpenSSL", "[crypto][hmac][no-sanitize]") {
    const auto key = test::conformance_message(32, 9);
    std::vector<std::uint8_t> chunk = test::conformance_message(std::size_t{1} << 20, 10);
    crypto::hmac<crypto::sha256> ours(key);
    openssl_hmac theirs("SHA256", key);
    for (std::uint32_t i = 0; i < 4096; ++i) {
        https::detail::store_be32(chunk.data(), i);
        ours.update(chunk);
        theirs.update(chunk);
    }
    ours.update(bytes_view(chunk).first(13));
    theirs.update(bytes_view(chunk).first(13));
    crypto::digest<crypto::sha256> tag{};
    ours.finish(tag);
    CHECK(test::bytes(tag.begin(), tag.end()) == theirs.finish());
}
