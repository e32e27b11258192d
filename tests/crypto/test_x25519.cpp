// X25519 (RFC 7748): RFC vectors, Wycheproof, small-order rejection, key pairs, and a
// differential test against OpenSSL's libcrypto.
#include <https/crypto/x25519.hpp>

#include "support/vectors.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

using namespace https;
using key32 = std::array<std::uint8_t, 32>;

namespace {

key32 to_key(const test::bytes& b) {
    REQUIRE(b.size() == 32);
    key32 k{};
    std::copy(b.begin(), b.end(), k.begin());
    return k;
}

key32 hex32(const std::string& h) {
    return to_key(test::hex(h));
}

const key32 zero_key{};

/// RFC 7748 §5.2 vectors and §6.1 exchange, by section name.
std::map<std::string, test::rsp_record> rfc7748_records() {
    std::map<std::string, test::rsp_record> out;
    for (const auto& r : test::read_rsp("rfc/extracted/rfc7748_x25519.txt")) {
        REQUIRE(r.section.size() == 1);
        out[r.section.begin()->first] = r;
    }
    return out;
}

/// RFC 7748 §5.2 iteration: k = u = 9; repeat (k, u) = (X25519(k, u), k).
key32 iterate(std::size_t times) {
    key32 k{9}, u{9};
    for (std::size_t i = 0; i < times; ++i) {
        key32 out{};
        REQUIRE(crypto::x25519(k, u, out).ok());
        u = k;
        k = out;
    }
    return k;
}

struct pkey_deleter {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
    void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_deleter>;
using pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, pkey_deleter>;

/// OpenSSL's public key for a raw X25519 private key.
key32 openssl_public(const key32& priv) {
    pkey_ptr pk(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, priv.data(), priv.size()));
    REQUIRE(pk);
    key32 pub{};
    std::size_t len = pub.size();
    REQUIRE(EVP_PKEY_get_raw_public_key(pk.get(), pub.data(), &len) == 1);
    REQUIRE(len == 32);
    return pub;
}

/// OpenSSL's X25519(priv, peer); false when libcrypto refuses (it rejects an all-zero result).
bool openssl_derive(const key32& priv, const key32& peer, key32& out) {
    pkey_ptr pk(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, priv.data(), priv.size()));
    pkey_ptr pp(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer.data(), peer.size()));
    REQUIRE(pk);
    REQUIRE(pp);
    pkey_ctx_ptr ctx(EVP_PKEY_CTX_new(pk.get(), nullptr));
    REQUIRE(ctx);
    REQUIRE(EVP_PKEY_derive_init(ctx.get()) == 1);
    REQUIRE(EVP_PKEY_derive_set_peer(ctx.get(), pp.get()) == 1);
    std::size_t len = out.size();
    if (EVP_PKEY_derive(ctx.get(), out.data(), &len) != 1) {
        return false;
    }
    REQUIRE(len == 32);
    return true;
}

key32 random_key(std::mt19937_64& gen) {
    key32 k{};
    for (auto& b : k) {
        b = static_cast<std::uint8_t>(gen());
    }
    return k;
}

} // namespace

TEST_CASE("X25519 RFC 7748 §5.2 test vectors", "[crypto][x25519]") {
    auto recs = rfc7748_records();
    int ran = 0;
    for (const char* name : {"Section5.2-Vector1", "Section5.2-Vector2"}) {
        const auto& r = recs.at(name);
        key32 out{};
        REQUIRE(crypto::x25519(to_key(r.bytes_of("scalar")), to_key(r.bytes_of("u")), out).ok());
        CHECK(out == to_key(r.bytes_of("output")));
        ++ran;
    }
    CHECK(ran == 2);
}

TEST_CASE("X25519 RFC 7748 §5.2 iterated 1 and 1,000 times", "[crypto][x25519]") {
    const auto recs = rfc7748_records();
    const auto& r = recs.at("Section5.2-Iterations");
    CHECK(iterate(1) == to_key(r.bytes_of("after_1_iteration")));
    CHECK(iterate(1000) == to_key(r.bytes_of("after_1000_iterations")));
}

// About a minute of CPU in an optimised build (53 s measured): hidden, run with "[.long]".
TEST_CASE("X25519 RFC 7748 §5.2 iterated 1,000,000 times", "[crypto][x25519][.long]") {
    const auto recs = rfc7748_records();
    const auto& r = recs.at("Section5.2-Iterations");
    CHECK(iterate(1000000) == to_key(r.bytes_of("after_1000000_iterations")));
}

TEST_CASE("X25519 RFC 7748 §6.1 Diffie-Hellman exchange", "[crypto][x25519]") {
    const auto recs = rfc7748_records();
    const auto& r = recs.at("Section6.1-DiffieHellman");
    const auto alice = crypto::x25519_key_pair::from_private(to_key(r.bytes_of("alice_private")));
    const auto bob = crypto::x25519_key_pair::from_private(to_key(r.bytes_of("bob_private")));
    CHECK(alice.public_key == to_key(r.bytes_of("alice_public")));
    CHECK(bob.public_key == to_key(r.bytes_of("bob_public")));
    key32 k_alice{}, k_bob{};
    REQUIRE(alice.shared_secret(bob.public_key, k_alice).ok());
    REQUIRE(bob.shared_secret(alice.public_key, k_bob).ok());
    CHECK(k_alice == to_key(r.bytes_of("shared_secret")));
    CHECK(k_bob == k_alice);
}

// Wycheproof x25519_test.json verdicts:
//  - valid: the shared secret must match.
//  - acceptable without ZeroSharedSecret (twist points, non-canonical u >= p, special u values):
//    RFC 7748 §5 defines the result (top bit masked, u taken mod p), so we compute it and it must
//    match.
//  - acceptable with ZeroSharedSecret (all 31 have shared = 0: small-order u): we reject them with
//    errc::zero_shared_secret, as RFC 7748 §6.1 allows and RFC 8446 §7.4.2 requires for TLS.
TEST_CASE("X25519 Wycheproof x25519_test.json", "[crypto][x25519][wycheproof]") {
    const auto j = test::read_wycheproof("x25519_test.json");
    std::size_t ran = 0, valid = 0, acceptable_computed = 0, zero_rejected = 0;
    std::size_t non_canonical = 0;
    for (const auto& group : j.at("testGroups")) {
        REQUIRE(group.at("curve") == "curve25519");
        for (const auto& t : group.at("tests")) {
            ++ran;
            INFO("tcId " << t.at("tcId").get<int>() << ": " << t.at("comment").get<std::string>());
            const key32 priv = hex32(t.at("private"));
            const key32 pub = hex32(t.at("public"));
            const key32 shared = hex32(t.at("shared"));
            const std::string verdict = t.at("result");
            bool zero_flag = false;
            for (const auto& f : t.at("flags")) {
                zero_flag = zero_flag || f == "ZeroSharedSecret";
                non_canonical += f == "NonCanonicalPublic";
            }
            key32 out{};
            const status st = crypto::x25519(priv, pub, out);
            if (zero_flag) {
                REQUIRE(verdict == "acceptable");
                REQUIRE(shared == zero_key);
                CHECK(st.error() == errc::zero_shared_secret);
                CHECK(out == zero_key); // still computed in full
                ++zero_rejected;
            } else {
                REQUIRE((verdict == "valid" || verdict == "acceptable"));
                REQUIRE(shared != zero_key);
                CHECK(st.ok());
                CHECK(out == shared);
                (verdict == "valid" ? valid : acceptable_computed) += 1;
            }
        }
    }
    CHECK(ran == test::wycheproof_declared_tests(j));
    CHECK(ran == 518);
    CHECK(valid == 264);
    CHECK(acceptable_computed == 223);
    CHECK(zero_rejected == 31);
    CHECK(non_canonical == 19);
}

TEST_CASE("X25519 rejects all-zero and small-order u with zero_shared_secret", "[crypto][x25519]") {
    // The u-coordinates of the points of order 1, 2, 4 and 8 on Curve25519 (0, 1, p - 1 and the
    // two of order 8), their non-canonical forms u + p where that is below 2^255, and all of them
    // with the ignored top bit set. Every clamped scalar is a multiple of 8, so the result is 0.
    const std::vector<std::string> small_order = {
        "0000000000000000000000000000000000000000000000000000000000000000", // 0
        "0100000000000000000000000000000000000000000000000000000000000000", // 1
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p - 1
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", // order 8
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", // order 8
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p = 0
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p + 1 = 1
    };
    std::mt19937_64 gen(7748);
    int ran = 0;
    for (const auto& h : small_order) {
        for (const bool top_bit : {false, true}) {
            key32 u = hex32(h);
            u[31] = static_cast<std::uint8_t>(u[31] | (top_bit ? 0x80 : 0));
            for (int i = 0; i < 4; ++i) {
                const key32 k = random_key(gen);
                key32 out{};
                out.fill(0xaa);
                CHECK(crypto::x25519(k, u, out).error() == errc::zero_shared_secret);
                CHECK(out == zero_key);
                const auto kp = crypto::x25519_key_pair::from_private(k);
                CHECK(kp.shared_secret(u, out).error() == errc::zero_shared_secret);
                ++ran;
            }
        }
    }
    CHECK(ran == 7 * 2 * 4);
}

TEST_CASE("X25519 input handling: top bit masked, non-canonical u reduced", "[crypto][x25519]") {
    std::mt19937_64 gen(25519);
    for (int i = 0; i < 32; ++i) {
        const key32 k = random_key(gen);
        key32 u = random_key(gen);
        u[31] &= 0x7f;
        key32 u_top = u;
        u_top[31] |= 0x80;
        key32 a{}, b{};
        REQUIRE(crypto::x25519(k, u, a).ok());
        REQUIRE(crypto::x25519(k, u_top, b).ok());
        CHECK(a == b);
    }
    // u = p + 9 (non-canonical) must act as u = 9 (RFC 7748 §5).
    const key32 p_plus_9 =
        hex32("f6ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    const key32 nine{9};
    for (int i = 0; i < 8; ++i) {
        const key32 k = random_key(gen);
        key32 a{}, b{}, pub{};
        REQUIRE(crypto::x25519(k, p_plus_9, a).ok());
        REQUIRE(crypto::x25519(k, nine, b).ok());
        crypto::x25519_public_key(k, pub);
        CHECK(a == b);
        CHECK(pub == b);
    }
    // The output may overwrite either input.
    {
        const key32 k = random_key(gen), u = random_key(gen);
        key32 want{}, k_inout = k, u_inout = u;
        REQUIRE(crypto::x25519(k, u, want).ok());
        REQUIRE(crypto::x25519(k_inout, u, k_inout).ok());
        REQUIRE(crypto::x25519(k, u_inout, u_inout).ok());
        CHECK(k_inout == want);
        CHECK(u_inout == want);
    }
    // Wrong-length inputs cannot be passed: the parameters are fixed-extent spans.
    STATIC_REQUIRE(
        !std::is_convertible_v<std::array<std::uint8_t, 31>&, std::span<const std::uint8_t, 32>>);
    STATIC_REQUIRE(
        !std::is_convertible_v<std::array<std::uint8_t, 33>&, std::span<const std::uint8_t, 32>>);
    STATIC_REQUIRE(
        !std::is_convertible_v<std::array<std::uint8_t, 31>&, std::span<std::uint8_t, 32>>);
}

TEST_CASE("X25519 field arithmetic edge cases", "[crypto][x25519]") {
    using namespace crypto::detail;
    auto encode = [](const fe25519& f) {
        key32 out{};
        fe25519_encode(f, out);
        return out;
    };
    // Canonical encoding of values at and around p, given as raw limbs.
    constexpr std::uint64_t m = fe25519_mask51;
    const fe25519 p{{m - 18, m, m, m, m}};
    const fe25519 p_minus_1{{m - 19, m, m, m, m}};
    const fe25519 all_ones{{m, m, m, m, m}}; // 2^255 - 1 = p + 18
    CHECK(encode(p) == zero_key);
    CHECK(encode(p_minus_1) ==
          hex32("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"));
    CHECK(encode(all_ones) == key32{18});
    // Largest tight limbs (2^51 + 2^13 - 1 each) still encode to the right residue: compare with
    // the same value carried by a multiplication by 1.
    const std::uint64_t big = (std::uint64_t{1} << 51) + (1u << 13) - 1;
    const fe25519 tight{{big, big, big, big, big}};
    const fe25519 one{{1, 0, 0, 0, 0}};
    CHECK(encode(tight) == encode(fe25519_mul(tight, one)));
    // f * f^-1 = 1 for assorted values; 0^-1 = 0.
    std::mt19937_64 gen(1);
    for (int i = 0; i < 16; ++i) {
        const fe25519 f = fe25519_decode(random_key(gen));
        CHECK(encode(fe25519_mul(f, fe25519_invert(f))) == key32{1});
        CHECK(encode(fe25519_sq(f)) == encode(fe25519_mul(f, f)));
    }
    CHECK(encode(fe25519_invert(fe25519{{0, 0, 0, 0, 0}})) == zero_key);
    CHECK(encode(fe25519_invert(p)) == zero_key);
}

namespace {

struct bn_deleter {
    void operator()(BIGNUM* p) const { BN_free(p); }
    void operator()(BN_CTX* p) const { BN_CTX_free(p); }
};
using bn_ptr = std::unique_ptr<BIGNUM, bn_deleter>;

/// The integer sum v[i] * 2^(51 i) of a field element's limbs, as an OpenSSL BIGNUM.
bn_ptr limbs_to_bn(const crypto::detail::fe25519& f) {
    bn_ptr r(BN_new()), limb(BN_new());
    BN_zero(r.get());
    for (int i = 4; i >= 0; --i) {
        REQUIRE(BN_lshift(r.get(), r.get(), 51) == 1);
        REQUIRE(BN_set_word(limb.get(), f.v[static_cast<std::size_t>(i)]) == 1);
        REQUIRE(BN_add(r.get(), r.get(), limb.get()) == 1);
    }
    return r;
}

key32 bn_to_key(const BIGNUM* b) {
    key32 out{};
    REQUIRE(BN_bn2lebinpad(b, out.data(), 32) == 32);
    return out;
}

} // namespace

TEST_CASE("X25519 field mul and sq at the limb bounds agree with OpenSSL BN", "[crypto][x25519]") {
    using namespace crypto::detail;
    bn_ptr p(BN_new());
    REQUIRE(BN_set_word(p.get(), 1) == 1);
    REQUIRE(BN_lshift(p.get(), p.get(), 255) == 1);
    REQUIRE(BN_sub_word(p.get(), 19) == 1);
    std::unique_ptr<BN_CTX, bn_deleter> ctx(BN_CTX_new());
    // Loose inputs up to 2^53 - 1 per limb (the ladder never exceeds 2^52.6), biased to extremes.
    std::mt19937_64 gen(53);
    auto limb = [&] {
        switch (gen() % 4) {
        case 0:
            return (std::uint64_t{1} << 53) - 1;
        case 1:
            return gen() >> 11;
        case 2:
            return (std::uint64_t{1} << 51) + (gen() >> 50);
        default:
            return gen() >> (11 + gen() % 53);
        }
    };
    int ran = 0;
    for (int i = 0; i < 2000; ++i) {
        fe25519 f{}, g{};
        for (auto& x : f.v) {
            x = limb();
        }
        for (auto& x : g.v) {
            x = limb();
        }
        bn_ptr fb = limbs_to_bn(f), gb = limbs_to_bn(g), want(BN_new());
        key32 got{};
        REQUIRE(BN_mod_mul(want.get(), fb.get(), gb.get(), p.get(), ctx.get()) == 1);
        fe25519_encode(fe25519_mul(f, g), got);
        REQUIRE(got == bn_to_key(want.get()));
        REQUIRE(BN_mod_sqr(want.get(), fb.get(), p.get(), ctx.get()) == 1);
        fe25519_encode(fe25519_sq(f), got);
        REQUIRE(got == bn_to_key(want.get()));
        REQUIRE(BN_mul_word(fb.get(), 121665) == 1);
        REQUIRE(BN_nnmod(want.get(), fb.get(), p.get(), ctx.get()) == 1);
        fe25519_encode(fe25519_mul_small(f, 121665), got);
        REQUIRE(got == bn_to_key(want.get()));
        ++ran;
    }
    CHECK(ran == 2000);
}

TEST_CASE("X25519 key pairs: generation, replayed randomness, RNG failure", "[crypto][x25519]") {
    const auto kp = crypto::x25519_key_pair::generate();
    REQUIRE(kp.ok());
    key32 pub{};
    crypto::x25519_public_key(kp->private_key.span(), pub);
    CHECK(kp->public_key == pub);
    const auto kp2 = crypto::x25519_key_pair::generate();
    REQUIRE(kp2.ok());
    CHECK(kp2->private_key.bytes != kp->private_key.bytes);
    key32 s1{}, s2{};
    REQUIRE(kp->shared_secret(kp2->public_key, s1).ok());
    REQUIRE(kp2->shared_secret(kp->public_key, s2).ok());
    CHECK(s1 == s2);

    // A replayed RFC 7748 §6.1 private key yields Alice's public key.
    const auto recs = rfc7748_records();
    const auto& r = recs.at("Section6.1-DiffieHellman");
    const test::bytes alice = r.bytes_of("alice_private");
    crypto::replay_random rng(alice);
    const auto replayed = crypto::x25519_key_pair::generate(rng);
    REQUIRE(replayed.ok());
    CHECK(replayed->public_key == to_key(r.bytes_of("alice_public")));

    crypto::replay_random empty({});
    CHECK(crypto::x25519_key_pair::generate(empty).error() == errc::random_failure);
}

TEST_CASE("X25519 agrees with OpenSSL libcrypto", "[crypto][x25519][openssl]") {
    std::mt19937_64 gen(0x25519);
    int pairs = 0;
    for (int i = 0; i < 300; ++i) {
        const key32 a_priv = random_key(gen), b_priv = random_key(gen);
        const auto a = crypto::x25519_key_pair::from_private(a_priv);
        const auto b = crypto::x25519_key_pair::from_private(b_priv);
        // Public keys from private keys.
        REQUIRE(a.public_key == openssl_public(a_priv));
        REQUIRE(b.public_key == openssl_public(b_priv));
        // Shared secrets both ways, against libcrypto's derive in both directions.
        key32 ours_ab{}, ours_ba{}, theirs_ab{}, theirs_ba{};
        REQUIRE(a.shared_secret(b.public_key, ours_ab).ok());
        REQUIRE(b.shared_secret(a.public_key, ours_ba).ok());
        REQUIRE(openssl_derive(a_priv, b.public_key, theirs_ab));
        REQUIRE(openssl_derive(b_priv, a.public_key, theirs_ba));
        REQUIRE(ours_ab == theirs_ab);
        REQUIRE(ours_ba == theirs_ba);
        REQUIRE(ours_ab == ours_ba);
        ++pairs;
    }
    CHECK(pairs == 300);

    // Arbitrary 32-byte u values (about half on the twist, some >= p, top bit random).
    int arbitrary = 0, both_refused = 0;
    for (int i = 0; i < 200; ++i) {
        const key32 k = random_key(gen);
        key32 u = random_key(gen);
        if (i % 8 == 0) {
            u.fill(0xff); // non-canonical: 2^256 - 1 -> 2^255 - 1 -> 18 (mod p), plus noise
            u[0] = static_cast<std::uint8_t>(0xed + (i / 8) % 19);
        }
        key32 ours{}, theirs{};
        const status st = crypto::x25519(k, u, ours);
        const bool theirs_ok = openssl_derive(k, u, theirs);
        REQUIRE(st.ok() == theirs_ok); // both refuse u = 0 and u = 1 (here p and p + 1)
        if (theirs_ok) {
            REQUIRE(ours == theirs);
        } else {
            CHECK(st.error() == errc::zero_shared_secret);
            ++both_refused;
        }
        ++arbitrary;
    }
    CHECK(arbitrary == 200);
    CHECK(both_refused == 4); // u = p at i = 0, 152 and u = p + 1 at i = 8, 160
}
