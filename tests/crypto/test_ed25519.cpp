// Ed25519 verification (RFC 8032): RFC 8032 §7.1 vectors, Wycheproof, strict point and scalar
// decoding checked against OpenSSL's BIGNUM arithmetic, and a differential test against OpenSSL's
// libcrypto (keys, signatures and tampered inputs).
#include <https/core/hex.hpp>
#include <https/crypto/ed25519.hpp>

#include "support/vectors.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstddef>
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

namespace ed = crypto::detail::ed25519;

// ---- OpenSSL as the oracle ---------------------------------------------------------------------

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

/// OpenSSL's Ed25519 key for a 32-byte seed (RFC 8032 §5.1.5 private key).
pkey_ptr openssl_private(const key32& seed) {
    pkey_ptr k(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
    REQUIRE(k);
    return k;
}

key32 openssl_public(EVP_PKEY* k) {
    key32 pub{};
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

/// OpenSSL's verdict (EVP_DigestVerify) on a raw public key, message and signature.
bool openssl_verify(const key32& pub, const test::bytes& msg, const test::bytes& sig) {
    pkey_ptr k(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, pub.data(), pub.size()));
    REQUIRE(k);
    md_ctx_ptr ctx(EVP_MD_CTX_new());
    REQUIRE(EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, k.get()) == 1);
    return EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), msg.data(), msg.size()) == 1;
}

/// A little-endian byte string as a BIGNUM.
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

bn_ptr bn_from_dec(const char* dec) {
    BIGNUM* r = nullptr;
    REQUIRE(BN_dec2bn(&r, dec) > 0);
    return bn_ptr(r);
}

/// p = 2^255 - 19 and L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032 §5.1).
bn_ptr field_prime() {
    bn_ptr p(BN_new());
    REQUIRE(BN_set_word(p.get(), 1) == 1);
    REQUIRE(BN_lshift(p.get(), p.get(), 255) == 1);
    REQUIRE(BN_sub_word(p.get(), 19) == 1);
    return p;
}

bn_ptr group_order() {
    bn_ptr l(BN_new());
    REQUIRE(BN_set_word(l.get(), 1) == 1);
    REQUIRE(BN_lshift(l.get(), l.get(), 252) == 1);
    bn_ptr c = bn_from_dec("27742317777372353535851937790883648493");
    REQUIRE(BN_add(l.get(), l.get(), c.get()) == 1);
    return l;
}

key32 encode_fe(const crypto::detail::fe25519& f) {
    key32 out{};
    crypto::detail::fe25519_encode(f, out);
    return out;
}

key32 to_key(const test::bytes& b) {
    REQUIRE(b.size() == 32);
    key32 k{};
    std::copy(b.begin(), b.end(), k.begin());
    return k;
}

key32 random_key(std::mt19937_64& gen) {
    key32 k{};
    for (auto& b : k) {
        b = static_cast<std::uint8_t>(gen());
    }
    return k;
}

test::bytes random_bytes(std::mt19937_64& gen, std::size_t n) {
    test::bytes b(n);
    for (auto& x : b) {
        x = static_cast<std::uint8_t>(gen());
    }
    return b;
}

bool verifies(const key32& pub, const test::bytes& msg, const test::bytes& sig) {
    return crypto::ed25519_verify(pub, msg, sig).ok();
}

} // namespace

TEST_CASE("Ed25519 RFC 8032 §7.1 test vectors", "[crypto][ed25519]") {
    int ran = 0;
    for (const auto& r : test::read_rsp("rfc/extracted/rfc8032_ed25519.txt")) {
        REQUIRE(r.section.size() == 1);
        INFO(r.section.begin()->first);
        const key32 pub = to_key(r.bytes_of("public_key"));
        const test::bytes msg = r.bytes_of("message");
        const test::bytes sig = r.bytes_of("signature");
        // The oracle agrees with the RFC: the key derives from the seed, signing reproduces it.
        const pkey_ptr k = openssl_private(to_key(r.bytes_of("secret_key")));
        REQUIRE(openssl_public(k.get()) == pub);
        REQUIRE(openssl_sign(k.get(), msg) == sig);

        CHECK(crypto::ed25519_verify(pub, msg, sig).ok());
        auto key = crypto::ed25519_public_key::parse(pub);
        REQUIRE(key.ok());
        CHECK(std::equal(pub.begin(), pub.end(), key->encoded().begin()));
        CHECK(crypto::ed25519_verify(*key, msg, sig).ok());

        // Every single-bit change of the signature fails, and so does any change of the message.
        int flips_rejected = 0;
        for (std::size_t bit = 0; bit < 512; ++bit) {
            test::bytes bad = sig;
            bad[bit / 8] = static_cast<std::uint8_t>(bad[bit / 8] ^ (1u << (bit % 8)));
            flips_rejected += crypto::ed25519_verify(*key, msg, bad).ok() ? 0 : 1;
        }
        CHECK(flips_rejected == 512);
        test::bytes longer = msg;
        longer.push_back(0);
        CHECK_FALSE(verifies(pub, longer, sig));
        if (!msg.empty()) {
            test::bytes changed = msg;
            changed.back() ^= 0x01;
            CHECK_FALSE(verifies(pub, changed, sig));
            CHECK_FALSE(verifies(pub, test::bytes(msg.begin(), msg.end() - 1), sig));
        }
        ++ran;
    }
    CHECK(ran == 5); // TEST 1, 2, 3, 1024 and SHA(abc)
}

// Wycheproof ed25519_test.json: every case is "valid" or "invalid" (none "acceptable"), and each
// must get its verdict. The invalid ones: S >= L (SignatureMalleability), R or S changed or
// out of range (InvalidSignature, InvalidEncoding: non-canonical R), wrong lengths
// (TruncatedSignature, SignatureWithGarbage, CompressedSignature) and one known-bad signature.
TEST_CASE("Ed25519 Wycheproof ed25519_test.json", "[crypto][ed25519][wycheproof]") {
    const auto j = test::read_wycheproof("ed25519_test.json");
    std::size_t ran = 0, valid = 0, invalid = 0;
    std::map<std::string, std::size_t> invalid_by_flag;
    for (const auto& group : j.at("testGroups")) {
        REQUIRE(group.at("publicKey").at("curve") == "edwards25519");
        const test::bytes pk = test::hex(group.at("publicKey").at("pk"));
        const auto key = crypto::ed25519_public_key::parse(pk);
        REQUIRE(key.ok()); // every group's key is a valid point
        for (const auto& t : group.at("tests")) {
            ++ran;
            INFO("tcId " << t.at("tcId").get<int>() << ": " << t.at("comment").get<std::string>());
            const test::bytes msg = test::hex(t.at("msg"));
            const test::bytes sig = test::hex(t.at("sig"));
            const std::string verdict = t.at("result");
            const status st = crypto::ed25519_verify(*key, msg, sig);
            if (verdict == "valid") {
                CHECK(st.ok());
                ++valid;
            } else {
                REQUIRE(verdict == "invalid");
                CHECK(st.error() == errc::bad_signature);
                ++invalid;
                for (const auto& f : t.at("flags")) {
                    ++invalid_by_flag[f.get<std::string>()];
                }
            }
        }
    }
    CHECK(ran == test::wycheproof_declared_tests(j));
    CHECK(ran == 151);
    CHECK(valid == 88);
    CHECK(invalid == 63);
    CHECK(invalid_by_flag["SignatureMalleability"] == 8);
    CHECK(invalid_by_flag["InvalidEncoding"] == 22);
}

TEST_CASE("Ed25519 curve and scalar constants match their definitions", "[crypto][ed25519]") {
    using namespace crypto::detail;
    bn_ctx_ptr ctx(BN_CTX_new());
    const bn_ptr p = field_prime();
    const bn_ptr l = group_order();
    // d = -121665 / 121666 and 2d
    CHECK(encode_fe(fe25519_carry(fe25519_add(fe25519_mul_small(ed::curve_d, 121666),
                                              fe25519_mul_small(ed::fe_one, 121665)))) == key32{});
    CHECK(encode_fe(fe25519_carry(fe25519_add(ed::curve_d, ed::curve_d))) ==
          encode_fe(ed::curve_2d));
    // sqrt(-1) = 2^((p-1)/4) mod p
    bn_ptr e(BN_dup(p.get())), two(BN_new()), want(BN_new());
    REQUIRE(BN_sub_word(e.get(), 1) == 1);
    REQUIRE(BN_rshift(e.get(), e.get(), 2) == 1);
    REQUIRE(BN_set_word(two.get(), 2) == 1);
    REQUIRE(BN_mod_exp(want.get(), two.get(), e.get(), p.get(), ctx.get()) == 1);
    CHECK(encode_fe(ed::sqrt_m1) == bn_to_le32(want.get()));
    // L and floor(2^512 / L)
    key32 order_bytes{};
    for (std::size_t i = 0; i < 4; ++i) {
        https::detail::store_le64(order_bytes.data() + 8 * i, ed::order[i]);
    }
    CHECK(BN_cmp(le_to_bn(order_bytes).get(), l.get()) == 0);
    std::array<std::uint8_t, 40> mu_bytes{};
    for (std::size_t i = 0; i < 5; ++i) {
        https::detail::store_le64(mu_bytes.data() + 8 * i, ed::barrett_mu[i]);
    }
    bn_ptr two_512(BN_new()), quotient(BN_new());
    REQUIRE(BN_set_word(two_512.get(), 1) == 1);
    REQUIRE(BN_lshift(two_512.get(), two_512.get(), 512) == 1);
    REQUIRE(BN_div(quotient.get(), nullptr, two_512.get(), l.get(), ctx.get()) == 1);
    CHECK(BN_cmp(le_to_bn(mu_bytes).get(), quotient.get()) == 0);
    // The base point decodes, re-encodes, and has order L: [L]B is the neutral element (0, 1).
    ed::point b{};
    REQUIRE(ed::decode(ed::base_point_encoding, b) == errc::ok);
    key32 out{};
    ed::encode({b.x, b.y, b.z}, out);
    CHECK(out == ed::base_point_encoding);
    ed::encode(ed::double_scalar_mul_vartime(ed::order, ed::scalar{}, b), out);
    CHECK(out == key32{1});
    // [s]B - [s]B and [1]B - [0]B
    const ed::scalar s{0x0123456789abcdef, 0xfedcba9876543210, 0x0f1e2d3c4b5a6978, 0x0102030405};
    ed::encode(ed::double_scalar_mul_vartime(s, s, b), out);
    CHECK(out == key32{1});
    ed::encode(ed::double_scalar_mul_vartime(ed::scalar{1}, ed::scalar{}, b), out);
    CHECK(out == ed::base_point_encoding);
}

TEST_CASE("Ed25519 field: pow_p58 and carry agree with OpenSSL BN", "[crypto][ed25519]") {
    using namespace crypto::detail;
    bn_ctx_ptr ctx(BN_CTX_new());
    const bn_ptr p = field_prime();
    bn_ptr e(BN_dup(p.get()));
    REQUIRE(BN_sub_word(e.get(), 5) == 1);
    REQUIRE(BN_rshift(e.get(), e.get(), 3) == 1); // (p - 5) / 8
    std::mt19937_64 gen(8032);
    int ran = 0;
    for (int i = 0; i < 500; ++i) {
        const key32 raw = random_key(gen);
        const fe25519 f = fe25519_decode(raw);
        bn_ptr fb = le_to_bn(encode_fe(f)), want(BN_new());
        REQUIRE(BN_mod_exp(want.get(), fb.get(), e.get(), p.get(), ctx.get()) == 1);
        CHECK(encode_fe(fe25519_pow_p58(f)) == bn_to_le32(want.get()));
        // carry keeps the value of a loose element (a sum of two tight ones)
        const fe25519 g = fe25519_decode(random_key(gen));
        const fe25519 sum = fe25519_add(f, g);
        CHECK(encode_fe(fe25519_carry(sum)) == encode_fe(fe25519_mul(sum, ed::fe_one)));
        ++ran;
    }
    CHECK(ran == 500);
}

TEST_CASE("Ed25519 reduction mod L agrees with OpenSSL BN", "[crypto][ed25519]") {
    bn_ctx_ptr ctx(BN_CTX_new());
    const bn_ptr l = group_order();
    auto check = [&](const std::array<std::uint8_t, 64>& x) {
        const ed::scalar got = ed::reduce_wide(x);
        key32 got_bytes{};
        for (std::size_t i = 0; i < 4; ++i) {
            https::detail::store_le64(got_bytes.data() + 8 * i, got[i]);
        }
        bn_ptr want(BN_new());
        REQUIRE(BN_nnmod(want.get(), le_to_bn(x).get(), l.get(), ctx.get()) == 1);
        CHECK(got_bytes == bn_to_le32(want.get()));
    };
    std::vector<std::array<std::uint8_t, 64>> edges;
    std::array<std::uint8_t, 64> x{};
    edges.push_back(x); // 0
    x.fill(0xff);
    edges.push_back(x); // 2^512 - 1
    // multiples of L and their neighbours: k L - 1, k L, k L + 1 for k = 1, 2, 2^259 (near 2^512)
    for (const int shift : {0, 1, 259}) {
        bn_ptr m(BN_dup(group_order().get()));
        REQUIRE(BN_lshift(m.get(), m.get(), shift) == 1);
        for (const int delta : {-1, 0, 1}) {
            bn_ptr v(BN_dup(m.get()));
            REQUIRE((delta < 0 ? BN_sub_word(v.get(), 1) : BN_add_word(v.get(), delta)) == 1);
            REQUIRE(BN_bn2lebinpad(v.get(), x.data(), 64) == 64);
            edges.push_back(x);
        }
    }
    for (const auto& e : edges) {
        check(e);
    }
    std::mt19937_64 gen(512);
    int ran = 0;
    for (int i = 0; i < 5000; ++i) {
        for (auto& b : x) {
            b = static_cast<std::uint8_t>(gen());
        }
        if (i % 4 == 1) { // values below 2^(8n) for every n, not only full-size ones
            std::fill(x.begin() + 1 + static_cast<std::ptrdiff_t>(gen() % 63), x.end(), 0);
        }
        check(x);
        ++ran;
    }
    CHECK(ran == 5000);
    CHECK(edges.size() == 11);

    // S < L: L - 1 is canonical, L and above are not
    key32 s = bn_to_le32(l.get());
    CHECK_FALSE(ed::is_canonical_scalar(s));
    s[0] = static_cast<std::uint8_t>(s[0] - 1);
    CHECK(ed::is_canonical_scalar(s));
    CHECK(ed::is_canonical_scalar(key32{}));
    s.fill(0xff);
    CHECK_FALSE(ed::is_canonical_scalar(s));
}

TEST_CASE("Ed25519 width-w NAF digits recompose the scalar", "[crypto][ed25519]") {
    std::mt19937_64 gen(5);
    int ran = 0;
    auto run = [&](auto width, const ed::scalar& s) {
        constexpr unsigned w = decltype(width)::value;
        std::array<std::int8_t, 256> digits{};
        ed::wnaf_vartime<w>(s, digits);
        // the digits obey the NAF rules, and the sum of digits[i] 2^i (signed BIGNUM) is s
        bn_ptr sum(BN_new()), term(BN_new());
        BN_zero(sum.get());
        std::size_t last_nonzero = 0;
        bool first = true;
        for (std::size_t i = 0; i < 256; ++i) {
            const int d = digits[i];
            if (d == 0) {
                continue;
            }
            CHECK(d % 2 != 0);
            CHECK(d > -(1 << (w - 1)));
            CHECK(d < (1 << (w - 1)));
            if (!first) {
                CHECK(i - last_nonzero >= w);
            }
            first = false;
            last_nonzero = i;
            REQUIRE(BN_set_word(term.get(), static_cast<BN_ULONG>(d < 0 ? -d : d)) == 1);
            REQUIRE(BN_lshift(term.get(), term.get(), static_cast<int>(i)) == 1);
            REQUIRE((d < 0 ? BN_sub(sum.get(), sum.get(), term.get())
                           : BN_add(sum.get(), sum.get(), term.get())) == 1);
        }
        key32 bytes{};
        for (std::size_t i = 0; i < 4; ++i) {
            https::detail::store_le64(bytes.data() + 8 * i, s[i]);
        }
        CHECK(BN_cmp(sum.get(), le_to_bn(bytes).get()) == 0);
        ++ran;
    };
    const ed::scalar top{~std::uint64_t{0}, ~std::uint64_t{0}, ~std::uint64_t{0},
                         (std::uint64_t{1} << 61) - 1}; // 2^253 - 1
    for (int i = 0; i < 1000; ++i) {
        ed::scalar s{gen(), gen(), gen(), gen() >> 3}; // < 2^253
        if (i == 0) {
            s = top;
        } else if (i == 1) {
            s = ed::order;
        } else if (i == 2) {
            s = ed::scalar{};
        }
        run(std::integral_constant<unsigned, ed::base_window>{}, s);
        run(std::integral_constant<unsigned, ed::key_window>{}, s);
    }
    CHECK(ran == 2000);
}

// Strict decoding (RFC 8032 §5.1.3) of every y in 0..63 and p-64..2^255-1, with both sign bits,
// against an independent oracle: y must be below p; x^2 = (y^2 - 1) / (d y^2 + 1) must have a
// root (Euler's criterion with OpenSSL BN); x = 0 (y = 1 or p - 1) may not carry the sign bit.
TEST_CASE("Ed25519 public key decoding: canonical y, squares, negative zero", "[crypto][ed25519]") {
    bn_ctx_ptr ctx(BN_CTX_new());
    const bn_ptr p = field_prime();
    bn_ptr d = le_to_bn(encode_fe(ed::curve_d));
    bn_ptr euler(BN_dup(p.get()));
    REQUIRE(BN_sub_word(euler.get(), 1) == 1);
    REQUIRE(BN_rshift1(euler.get(), euler.get()) == 1); // (p - 1) / 2
    std::vector<bn_ptr> ys;
    for (int i = 0; i < 64; ++i) {
        bn_ptr y(BN_new());
        REQUIRE(BN_set_word(y.get(), static_cast<BN_ULONG>(i)) == 1);
        ys.push_back(std::move(y));
        bn_ptr top(BN_new()); // 2^255 - 1 - i, covering p - 1 .. 2^255 - 1 (19 non-canonical)
        REQUIRE(BN_set_word(top.get(), 1) == 1);
        REQUIRE(BN_lshift(top.get(), top.get(), 255) == 1);
        REQUIRE(BN_sub_word(top.get(), static_cast<BN_ULONG>(1 + i)) == 1);
        ys.push_back(std::move(top));
    }
    int accepted = 0, non_canonical = 0, non_square = 0, negative_zero = 0;
    for (const auto& y : ys) {
        for (const bool sign : {false, true}) {
            key32 enc = bn_to_le32(y.get());
            enc[31] = static_cast<std::uint8_t>(enc[31] | (sign ? 0x80 : 0));
            INFO("encoding " << to_hex(enc));
            const auto key = crypto::ed25519_public_key::parse(enc);
            if (BN_cmp(y.get(), p.get()) >= 0) {
                CHECK(key.error() == errc::bad_public_key);
                ++non_canonical;
                continue;
            }
            // u / v with u = y^2 - 1, v = d y^2 + 1 (v is never 0: -1/d is not a square)
            bn_ptr yy(BN_new()), u(BN_new()), v(BN_new()), q(BN_new()), chi(BN_new());
            REQUIRE(BN_mod_sqr(yy.get(), y.get(), p.get(), ctx.get()) == 1);
            REQUIRE(BN_copy(u.get(), yy.get()) != nullptr);
            REQUIRE(BN_sub_word(u.get(), 1) == 1); // y = 0 gives -1: BN is signed
            REQUIRE(BN_nnmod(u.get(), u.get(), p.get(), ctx.get()) == 1);
            REQUIRE(BN_mod_mul(v.get(), d.get(), yy.get(), p.get(), ctx.get()) == 1);
            REQUIRE(BN_add_word(v.get(), 1) == 1);
            REQUIRE(BN_mod_inverse(q.get(), v.get(), p.get(), ctx.get()) != nullptr);
            REQUIRE(BN_mod_mul(q.get(), q.get(), u.get(), p.get(), ctx.get()) == 1);
            REQUIRE(BN_mod_exp(chi.get(), q.get(), euler.get(), p.get(), ctx.get()) == 1);
            if (BN_is_zero(q.get())) {
                if (sign) {
                    CHECK(key.error() == errc::bad_public_key);
                    ++negative_zero;
                } else {
                    CHECK(key.ok());
                    ++accepted;
                }
            } else if (!BN_is_one(chi.get())) {
                CHECK(key.error() == errc::point_not_on_curve);
                ++non_square;
            } else {
                REQUIRE(key.ok());
                // x^2 = u/v, and the sign bit picks its parity
                const key32 x = encode_fe(key->point().x);
                bn_ptr xb = le_to_bn(x), xx(BN_new());
                REQUIRE(BN_mod_sqr(xx.get(), xb.get(), p.get(), ctx.get()) == 1);
                CHECK(BN_cmp(xx.get(), q.get()) == 0);
                CHECK(((x[0] & 1) != 0) == sign);
                // and the point re-encodes to the input
                key32 out{};
                ed::encode({key->point().x, key->point().y, key->point().z}, out);
                CHECK(out == enc);
                ++accepted;
            }
        }
    }
    CHECK(non_canonical == 2 * 19);
    CHECK(negative_zero == 2); // y = 1 and y = p - 1
    CHECK(accepted + non_square + negative_zero + non_canonical == 256);
    CHECK(accepted > 40); // about half of the canonical y have a point
    CHECK(non_square > 40);
}

TEST_CASE("Ed25519 rejects malformed inputs with named errors", "[crypto][ed25519]") {
    const auto r = test::read_rsp("rfc/extracted/rfc8032_ed25519.txt");
    REQUIRE(r.size() == 5);
    const test::bytes pub = r[1].bytes_of("public_key"); // TEST 2
    const test::bytes msg = r[1].bytes_of("message");
    const test::bytes sig = r[1].bytes_of("signature");
    REQUIRE(crypto::ed25519_verify(pub, msg, sig).ok());

    // wrong lengths
    CHECK(crypto::ed25519_verify(test::bytes(pub.begin(), pub.end() - 1), msg, sig).error() ==
          errc::bad_public_key);
    test::bytes pub_long = pub;
    pub_long.push_back(0);
    CHECK(crypto::ed25519_verify(pub_long, msg, sig).error() == errc::bad_public_key);
    CHECK(crypto::ed25519_public_key::parse({}).error() == errc::bad_public_key);
    CHECK(crypto::ed25519_verify(pub, msg, test::bytes(sig.begin(), sig.end() - 1)).error() ==
          errc::bad_signature);
    test::bytes sig_long = sig;
    sig_long.push_back(0);
    CHECK(crypto::ed25519_verify(pub, msg, sig_long).error() == errc::bad_signature);
    CHECK(crypto::ed25519_verify(pub, msg, {}).error() == errc::bad_signature);

    // S + L: the same point [S]B, refused because S must be below L (RFC 8032 §5.1.7, §8.4)
    bn_ptr s = le_to_bn(std::span<const std::uint8_t>(sig).subspan(32));
    REQUIRE(BN_add(s.get(), s.get(), group_order().get()) == 1);
    test::bytes malleable = sig;
    REQUIRE(BN_bn2lebinpad(s.get(), malleable.data() + 32, 32) == 32);
    CHECK(crypto::ed25519_verify(pub, msg, malleable).error() == errc::bad_signature);
    CHECK_FALSE(openssl_verify(to_key(pub), msg, malleable));

    // The neutral element as the key (a small-order point RFC 8032 does not refuse) and S = 0,
    // R = the neutral element: [0]B = R + [k]A holds for any message; accepted as RFC 8032 and
    // OpenSSL accept it (only the holder of such a key could make it, and it signs nothing real).
    const key32 identity{1};
    test::bytes trivial(64, 0);
    trivial[0] = 1;
    CHECK(crypto::ed25519_verify(identity, msg, trivial).ok());
    CHECK(openssl_verify(identity, msg, trivial));
    // OpenSSL decodes keys leniently where RFC 8032 §5.1.3 says decoding fails: y = p + 1 (a
    // non-canonical 1) and x = 0 with the sign bit. We refuse both keys.
    key32 identity_non_canonical{};
    identity_non_canonical.fill(0xff);
    identity_non_canonical[0] = 0xee;
    identity_non_canonical[31] = 0x7f;
    key32 identity_negative_zero = identity;
    identity_negative_zero[31] = 0x80;
    for (const key32& lenient : {identity_non_canonical, identity_negative_zero}) {
        CHECK(openssl_verify(lenient, msg, trivial));
        CHECK(crypto::ed25519_verify(lenient, msg, trivial).error() == errc::bad_public_key);
    }
}

// Differential test against OpenSSL: random seeds and messages, signed by OpenSSL, must verify;
// then each signature, message or key is tampered with at random (a flipped bit, a changed or
// random byte, a random R or S, S + L, a shortened or extended message) and our verdict must
// equal OpenSSL's (EVP_DigestVerify).
TEST_CASE("Ed25519 differential against OpenSSL libcrypto", "[crypto][ed25519][differential]") {
    std::mt19937_64 gen(0xed25519);
    const bn_ptr l = group_order();
    int signed_ok = 0, tampered = 0, both_reject = 0, both_accept = 0;
    for (int i = 0; i < 400; ++i) {
        const key32 seed = random_key(gen);
        const pkey_ptr k = openssl_private(seed);
        const key32 pub = openssl_public(k.get());
        const test::bytes msg = random_bytes(gen, gen() % (i % 10 == 0 ? 2000 : 200));
        const test::bytes sig = openssl_sign(k.get(), msg);
        REQUIRE(verifies(pub, msg, sig));
        ++signed_ok;
        for (int j = 0; j < 4; ++j) {
            key32 pub2 = pub;
            test::bytes msg2 = msg;
            test::bytes sig2 = sig;
            switch (gen() % 8) {
            case 0: { // one bit of the signature
                const std::size_t bit = gen() % 512;
                sig2[bit / 8] = static_cast<std::uint8_t>(sig2[bit / 8] ^ (1u << (bit % 8)));
                break;
            }
            case 1: // one byte of the signature
                sig2[gen() % 64] = static_cast<std::uint8_t>(gen());
                break;
            case 2: { // one bit of the key
                const std::size_t bit = gen() % 256;
                pub2[bit / 8] = static_cast<std::uint8_t>(pub2[bit / 8] ^ (1u << (bit % 8)));
                break;
            }
            case 3: // the message
                if (msg2.empty() || gen() % 2 == 0) {
                    msg2.push_back(static_cast<std::uint8_t>(gen()));
                } else {
                    msg2[gen() % msg2.size()] ^= static_cast<std::uint8_t>(1 + gen() % 255);
                }
                break;
            case 4: { // a random R
                const key32 r = random_key(gen);
                std::copy(r.begin(), r.end(), sig2.begin());
                break;
            }
            case 5: { // a random S below 2^253 (often >= L: the top bits are random)
                key32 s = random_key(gen);
                s[31] &= 0x1f;
                std::copy(s.begin(), s.end(), sig2.begin() + 32);
                break;
            }
            case 6: { // S + L
                bn_ptr s = le_to_bn(std::span<const std::uint8_t>(sig).subspan(32));
                REQUIRE(BN_add(s.get(), s.get(), l.get()) == 1);
                REQUIRE(BN_bn2lebinpad(s.get(), sig2.data() + 32, 32) == 32);
                break;
            }
            default: // another key altogether
                pub2 = random_key(gen);
                break;
            }
            const bool ours = verifies(pub2, msg2, sig2);
            const bool theirs = openssl_verify(pub2, msg2, sig2);
            INFO("case " << i << "." << j);
            CHECK(ours == theirs);
            (ours ? both_accept : both_reject) += ours == theirs ? 1 : 0;
            ++tampered;
        }
    }
    CHECK(signed_ok == 400);
    CHECK(tampered == 1600);
    CHECK(both_reject + both_accept == 1600);
    CHECK(both_reject > 1500); // a random change essentially never leaves a valid signature
}
