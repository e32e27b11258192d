// Ed25519 signing (RFC 8032 §5.1.5, §5.1.6): the RFC 8032 §7.1 vectors byte for byte, keys and
// signatures compared with OpenSSL's libcrypto on random seeds, the constant-time fixed-base
// multiplication against the verifier's variable-time one, and the constant-time scalar
// arithmetic modulo L against OpenSSL's BIGNUMs.
#include <https/core/hex.hpp>
#include <https/crypto/ed25519_private_key.hpp>

#include "support/vectors.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <string>

using namespace https;
using key32 = std::array<std::uint8_t, 32>;

namespace {

namespace ed = crypto::detail::ed25519;

struct ossl_deleter {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
    void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
    void operator()(BIGNUM* p) const { BN_free(p); }
    void operator()(BN_CTX* p) const { BN_CTX_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, ossl_deleter>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, ossl_deleter>;
using bn_ptr = std::unique_ptr<BIGNUM, ossl_deleter>;
using bn_ctx_ptr = std::unique_ptr<BN_CTX, ossl_deleter>;

pkey_ptr openssl_private(const test::bytes& seed) {
    pkey_ptr k(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
    REQUIRE(k);
    return k;
}

test::bytes openssl_public(EVP_PKEY* k) {
    test::bytes pub(32);
    std::size_t len = pub.size();
    REQUIRE(EVP_PKEY_get_raw_public_key(k, pub.data(), &len) == 1);
    REQUIRE(len == 32);
    return pub;
}

test::bytes openssl_sign(EVP_PKEY* k, const test::bytes& msg) {
    md_ctx_ptr ctx(EVP_MD_CTX_new());
    REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, k) == 1);
    test::bytes sig(64);
    std::size_t len = sig.size();
    REQUIRE(EVP_DigestSign(ctx.get(), sig.data(), &len, msg.data(), msg.size()) == 1);
    REQUIRE(len == 64);
    return sig;
}

bool openssl_verify(bytes_view pub, const test::bytes& msg, bytes_view sig) {
    pkey_ptr k(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, pub.data(), pub.size()));
    REQUIRE(k);
    md_ctx_ptr ctx(EVP_MD_CTX_new());
    REQUIRE(EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, k.get()) == 1);
    return EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), msg.data(), msg.size()) == 1;
}

test::bytes random_bytes(std::size_t n) {
    test::bytes b(n);
    if (n > 0) {
        REQUIRE(RAND_bytes(b.data(), static_cast<int>(n)) == 1);
    }
    return b;
}

bn_ptr le_to_bn(std::span<const std::uint8_t> in) {
    bn_ptr r(BN_lebin2bn(in.data(), static_cast<int>(in.size()), nullptr));
    REQUIRE(r);
    return r;
}

key32 bn_to_le32(const BIGNUM* b) {
    key32 out{};
    REQUIRE(BN_bn2lebinpad(b, out.data(), 32) == 32);
    return out;
}

key32 scalar_bytes(const ed::scalar& s) {
    key32 out{};
    for (std::size_t i = 0; i < 4; ++i) {
        https::detail::store_le64(out.data() + 8 * i, s[i]);
    }
    return out;
}

/// L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032 §5.1).
bn_ptr group_order() {
    bn_ptr l(BN_new());
    REQUIRE(BN_set_word(l.get(), 1) == 1);
    REQUIRE(BN_lshift(l.get(), l.get(), 252) == 1);
    BIGNUM* c = nullptr;
    REQUIRE(BN_dec2bn(&c, "27742317777372353535851937790883648493") > 0);
    bn_ptr cp(c);
    REQUIRE(BN_add(l.get(), l.get(), cp.get()) == 1);
    return l;
}

} // namespace

TEST_CASE("Ed25519 signing: RFC 8032 §7.1 vectors byte for byte", "[crypto][ed25519][sign]") {
    int ran = 0;
    for (const auto& r : test::read_rsp("rfc/extracted/rfc8032_ed25519.txt")) {
        REQUIRE(r.section.size() == 1);
        INFO(r.section.begin()->first);
        const test::bytes seed = r.bytes_of("secret_key");
        const test::bytes pub = r.bytes_of("public_key");
        const test::bytes msg = r.bytes_of("message");
        const test::bytes sig = r.bytes_of("signature");
        auto key = crypto::ed25519_private_key::from_seed(seed);
        REQUIRE(key.ok());
        CHECK(to_hex(key->public_key().encoded()) == to_hex(pub));
        const auto ours = key->sign(msg);
        CHECK(to_hex(ours) == to_hex(sig));
        std::array<std::uint8_t, 64> into{};
        key->sign(msg, into);
        CHECK(into == ours);
        CHECK(crypto::ed25519_verify(key->public_key(), msg, ours).ok());
        ++ran;
    }
    CHECK(ran == 5); // TEST 1, 2, 3, 1024 and SHA(abc)
}

TEST_CASE("Ed25519 signing matches OpenSSL on random seeds", "[crypto][ed25519][sign][openssl]") {
    int ran = 0;
    for (int i = 0; i < 128; ++i) {
        const test::bytes seed = random_bytes(32);
        const test::bytes msg = random_bytes(static_cast<std::size_t>(i * 11 % 400));
        auto key = crypto::ed25519_private_key::from_seed(seed);
        REQUIRE(key.ok());
        const pkey_ptr theirs = openssl_private(seed);
        REQUIRE(to_hex(key->public_key().encoded()) == to_hex(openssl_public(theirs.get())));
        const auto sig = key->sign(msg);
        // deterministic: the same 64 bytes as OpenSSL's, which both verifiers accept
        CHECK(to_hex(sig) == to_hex(openssl_sign(theirs.get(), msg)));
        CHECK(crypto::ed25519_verify(key->public_key(), msg, sig).ok());
        CHECK(openssl_verify(key->public_key().encoded(), msg, sig));
        test::bytes other = msg;
        other.push_back(0x01);
        CHECK(crypto::ed25519_verify(key->public_key(), other, sig).error() == errc::bad_signature);
        ++ran;
    }
    CHECK(ran == 128);
    // generate(): a random seed from the source
    for (int i = 0; i < 8; ++i) {
        auto key = crypto::ed25519_private_key::generate();
        REQUIRE(key.ok());
        const test::bytes msg = random_bytes(33);
        CHECK(openssl_verify(key->public_key().encoded(), msg, key->sign(msg)));
    }
}

TEST_CASE("Ed25519 private key errors", "[crypto][ed25519][sign]") {
    using crypto::ed25519_private_key;
    CHECK(ed25519_private_key::from_seed(test::bytes(31, 1)).error() == errc::bad_key_size);
    CHECK(ed25519_private_key::from_seed(test::bytes(33, 1)).error() == errc::bad_key_size);
    CHECK(ed25519_private_key::from_seed(test::bytes(64, 1)).error() == errc::bad_key_size);
    CHECK(ed25519_private_key::from_seed({}).error() == errc::bad_key_size);
    // every 32-byte seed is a key, the all-zero and all-one ones included
    CHECK(ed25519_private_key::from_seed(test::bytes(32, 0)).ok());
    CHECK(ed25519_private_key::from_seed(test::bytes(32, 0xff)).ok());
    crypto::replay_random nothing(test::bytes{});
    CHECK(ed25519_private_key::generate(nothing).error() == errc::random_failure);
    crypto::replay_random fixed(test::bytes(32, 7));
    auto from_rng = ed25519_private_key::generate(fixed);
    auto direct = ed25519_private_key::from_seed(test::bytes(32, 7));
    REQUIRE(from_rng.ok());
    REQUIRE(direct.ok());
    CHECK(to_hex(from_rng->public_key().encoded()) == to_hex(direct->public_key().encoded()));
}

TEST_CASE("Ed25519 constant-time fixed-base multiplication agrees with the verifier's",
          "[crypto][ed25519][sign]") {
    // [a]B by the signing table against [a]B - [0]A by the variable-time Straus ladder, for
    // a < 2^253 (what the latter accepts): random, small, all-ones and every single bit.
    std::mt19937_64 gen(6979);
    std::vector<key32> inputs;
    for (int i = 0; i < 64; ++i) {
        key32 a{};
        for (auto& b : a) {
            b = static_cast<std::uint8_t>(gen());
        }
        a[31] &= 0x1f;
        inputs.push_back(a);
    }
    inputs.push_back(key32{});
    key32 one{};
    one[0] = 1;
    inputs.push_back(one);
    key32 ones{};
    ones.fill(0xff);
    ones[31] = 0x1f;
    inputs.push_back(ones);
    key32 eights{}; // every nibble 8: each digit recodes to -8 with a carry
    eights.fill(0x88);
    eights[31] = 0x08;
    inputs.push_back(eights);
    for (std::size_t bit = 0; bit < 253; bit += 7) {
        key32 a{};
        a[bit / 8] = static_cast<std::uint8_t>(1u << (bit % 8));
        inputs.push_back(a);
    }
    const ed::point b_point = [] {
        ed::point p{};
        REQUIRE(ed::decode(ed::base_point_encoding, p) == errc::ok);
        return p;
    }();
    for (const key32& a : inputs) {
        INFO(to_hex(a));
        const ed::point ct_result = ed::mul_base(a);
        key32 ours{};
        ed::encode({ct_result.x, ct_result.y, ct_result.z}, ours);
        const ed::projective reference =
            ed::double_scalar_mul_vartime(ed::load_scalar(a), ed::scalar{}, b_point);
        key32 want{};
        ed::encode(reference, want);
        CHECK(to_hex(ours) == to_hex(want));
        // T = XY/Z holds for the extended result
        key32 t1{}, t2{};
        crypto::detail::fe25519_encode(
            crypto::detail::fe25519_mul(ct_result.t, ct_result.z), t1);
        crypto::detail::fe25519_encode(
            crypto::detail::fe25519_mul(ct_result.x, ct_result.y), t2);
        CHECK(t1 == t2);
    }
    CHECK(inputs.size() == 68 + 37);
}

TEST_CASE("Ed25519 scalar reduction and multiply-add mod L agree with BIGNUM",
          "[crypto][ed25519][sign]") {
    bn_ctx_ptr ctx(BN_CTX_new());
    const bn_ptr l = group_order();
    std::mt19937_64 gen(8032);
    auto random_wide = [&] {
        std::array<std::uint8_t, 64> w{};
        for (auto& b : w) {
            b = static_cast<std::uint8_t>(gen());
        }
        return w;
    };
    int ran = 0;
    // x mod L for 64-byte x: random, all ones (the largest), L itself, L - 1, multiples of L
    std::vector<std::array<std::uint8_t, 64>> wides;
    for (int i = 0; i < 200; ++i) {
        wides.push_back(random_wide());
    }
    std::array<std::uint8_t, 64> all_ones{};
    all_ones.fill(0xff);
    wides.push_back(all_ones);
    wides.push_back({});
    for (int mult : {1, 2, 3, 1000}) {
        bn_ptr v(BN_dup(l.get()));
        REQUIRE(BN_mul_word(v.get(), static_cast<BN_ULONG>(mult)) == 1);
        std::array<std::uint8_t, 64> w{};
        REQUIRE(BN_bn2lebinpad(v.get(), w.data(), 64) == 64);
        wides.push_back(w);
        REQUIRE(BN_sub_word(v.get(), 1) == 1);
        REQUIRE(BN_bn2lebinpad(v.get(), w.data(), 64) == 64);
        wides.push_back(w);
    }
    for (const auto& w : wides) {
        bn_ptr want(BN_new());
        REQUIRE(BN_nnmod(want.get(), le_to_bn(w).get(), l.get(), ctx.get()) == 1);
        CHECK(scalar_bytes(ed::reduce_wide(w)) == bn_to_le32(want.get()));
        ++ran;
    }
    // (a b + c) mod L for a, b, c < 2^256, including all ones
    for (int i = 0; i < 200; ++i) {
        const auto w1 = random_wide();
        const auto w2 = random_wide();
        key32 a{}, b{}, c{};
        std::copy(w1.begin(), w1.begin() + 32, a.begin());
        std::copy(w1.begin() + 32, w1.end(), b.begin());
        std::copy(w2.begin(), w2.begin() + 32, c.begin());
        if (i == 0) {
            a.fill(0xff);
            b.fill(0xff);
            c.fill(0xff);
        }
        bn_ptr want(BN_new());
        REQUIRE(BN_mul(want.get(), le_to_bn(a).get(), le_to_bn(b).get(), ctx.get()) == 1);
        REQUIRE(BN_add(want.get(), want.get(), le_to_bn(c).get()) == 1);
        REQUIRE(BN_nnmod(want.get(), want.get(), l.get(), ctx.get()) == 1);
        CHECK(scalar_bytes(ed::mul_add(ed::load_scalar(a), ed::load_scalar(b),
                                       ed::load_scalar(c))) == bn_to_le32(want.get()));
        ++ran;
    }
    CHECK(ran == 210 + 200);
}
