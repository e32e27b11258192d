// The P-256/P-384 internals: Montgomery field and scalar arithmetic against OpenSSL's BIGNUM,
// the complete formulas on their edge cases, scalar multiplication, and NIST PKV validation.
#include <https/crypto/ec_public_key.hpp>

#include "ec_support.hpp"

#include <catch2/catch.hpp>

#include <openssl/bn.h>

#include <string>
#include <vector>

using namespace https;
using namespace https::crypto;
using ectest::bytes;

namespace {

struct bn_deleter {
    void operator()(BIGNUM* b) const { BN_free(b); }
};
using bn_ptr = std::unique_ptr<BIGNUM, bn_deleter>;

template <class Mont> bn_ptr to_bn(const typename Mont::elem& plain) {
    std::array<std::uint8_t, Mont::bytes> buf{};
    Mont::store_be(plain, buf);
    return bn_ptr(BN_bin2bn(buf.data(), static_cast<int>(buf.size()), nullptr));
}
template <class Mont> typename Mont::elem from_bn(const BIGNUM* b) {
    std::array<std::uint8_t, Mont::bytes> buf{};
    REQUIRE(BN_bn2binpad(b, buf.data(), static_cast<int>(buf.size())) ==
            static_cast<int>(buf.size()));
    return Mont::load_be(buf);
}

/// Values worth testing modulo m: 0, 1, 2, m - 1, m - 2, 2^64 - 1, powers of two, random.
template <class Mont> std::vector<typename Mont::elem> sample_values(int random_count) {
    using elem = typename Mont::elem;
    std::vector<elem> v;
    v.push_back(elem{});
    v.push_back(elem{1});
    v.push_back(elem{2});
    v.push_back(elem{~std::uint64_t{0}});
    elem m1 = Mont::m;
    m1[0] -= 1;
    v.push_back(m1);
    elem m2 = Mont::m;
    m2[0] -= 2;
    v.push_back(m2);
    for (std::size_t i = 0; i < Mont::n; ++i) {
        elem e{};
        e[i] = std::uint64_t{1} << 63;
        if (Mont::less_than_modulus(e) != 0) {
            v.push_back(e);
        }
    }
    for (int i = 0; i < random_count; ++i) {
        const bytes r = ectest::random_bytes(Mont::bytes);
        elem e = Mont::load_be(std::span<const std::uint8_t, Mont::bytes>(r.data(), Mont::bytes));
        if (Mont::less_than_modulus(e) != 0) {
            v.push_back(e);
        }
    }
    return v;
}

template <class Mont> int check_modular_arithmetic() {
    BN_CTX* ctx = BN_CTX_new();
    const bn_ptr m = to_bn<Mont>(Mont::m);
    const auto values = sample_values<Mont>(24);
    int checked = 0;
    for (const auto& a : values) {
        const auto am = Mont::to_mont(a);
        CHECK(Mont::from_mont(am) == a);
        const bn_ptr ab = to_bn<Mont>(a);
        // inverse (a != 0)
        if (Mont::is_zero(a) == 0) {
            bn_ptr inv(BN_mod_inverse(nullptr, ab.get(), m.get(), ctx));
            REQUIRE(inv != nullptr);
            CHECK(Mont::from_mont(Mont::invert(am)) == from_bn<Mont>(inv.get()));
        } else {
            CHECK(Mont::is_zero(Mont::invert(am)) != 0);
        }
        CHECK(Mont::from_mont(Mont::neg(am)) == Mont::sub(Mont::zero, a));
        for (const auto& b : values) {
            const auto bm = Mont::to_mont(b);
            const bn_ptr bb = to_bn<Mont>(b);
            bn_ptr r(BN_new());
            BN_mod_mul(r.get(), ab.get(), bb.get(), m.get(), ctx);
            CHECK(Mont::from_mont(Mont::mul(am, bm)) == from_bn<Mont>(r.get()));
            BN_mod_add(r.get(), ab.get(), bb.get(), m.get(), ctx);
            CHECK(Mont::add(a, b) == from_bn<Mont>(r.get()));
            BN_mod_sub(r.get(), ab.get(), bb.get(), m.get(), ctx);
            CHECK(Mont::sub(a, b) == from_bn<Mont>(r.get()));
            CHECK((Mont::equal(a, b) != 0) == (a == b));
            ++checked;
        }
        // squaring
        bn_ptr sq(BN_new());
        BN_mod_sqr(sq.get(), ab.get(), m.get(), ctx);
        CHECK(Mont::from_mont(Mont::sqr(am)) == from_bn<Mont>(sq.get()));
    }
    BN_CTX_free(ctx);
    return checked;
}

} // namespace

TEST_CASE("nist field and scalar arithmetic agree with OpenSSL BIGNUM", "[crypto][nist_curve]") {
    CHECK(check_modular_arithmetic<p256::group::fp>() > 900);
    CHECK(check_modular_arithmetic<p256::group::fn>() > 900);
    CHECK(check_modular_arithmetic<p384::group::fp>() > 900);
    CHECK(check_modular_arithmetic<p384::group::fn>() > 900);
}

namespace {

template <class G>
bool same_point(const typename G::projective& a, const typename G::projective& b) {
    using fp = typename G::fp;
    // X1 Z2 == X2 Z1 and Y1 Z2 == Y2 Z1 (projective equality, identity included)
    return fp::equal(fp::mul(a.x, b.z), fp::mul(b.x, a.z)) != 0 &&
           fp::equal(fp::mul(a.y, b.z), fp::mul(b.y, a.z)) != 0;
}
template <class G> bool is_identity(const typename G::projective& p) {
    return G::fp::is_zero(p.z) != 0 && G::fp::is_zero(p.x) != 0 && G::fp::is_zero(p.y) == 0;
}
template <class G> bool on_curve(const typename G::projective& p) {
    typename G::affine a;
    if (G::to_affine(p, a) != 0) {
        return false;
    }
    return G::on_curve(a) != 0;
}

template <class Curve> void complete_formula_edge_cases() {
    using G = typename Curve::group;
    using proj = typename G::projective;
    const proj o = G::identity();
    const proj g = G::lift(G::generator);
    const proj g2 = G::dbl(g);
    const proj neg_g = G::lift(G::negate(G::generator));

    CHECK(same_point<G>(G::add(g, g), g2));             // P + P = 2P through the addition formula
    CHECK(is_identity<G>(G::add(g, neg_g)));            // P + (-P) = O
    CHECK(same_point<G>(G::add(o, g), g));              // O + P
    CHECK(same_point<G>(G::add(g, o), g));              // P + O
    CHECK(is_identity<G>(G::add(o, o)));                // O + O
    CHECK(is_identity<G>(G::dbl(o)));                   // 2 O
    CHECK(same_point<G>(G::add(o, G::generator), g));   // mixed: O + P
    CHECK(same_point<G>(G::add(g, G::generator), g2));  // mixed: P + P
    CHECK(is_identity<G>(G::add(neg_g, G::generator))); // mixed: -P + P
    CHECK(on_curve<G>(g2));
    // A scaled representation of the same point behaves the same.
    const auto k = G::fp::to_mont({12345});
    const proj g_scaled{G::fp::mul(g.x, k), G::fp::mul(g.y, k), G::fp::mul(g.z, k)};
    CHECK(same_point<G>(G::add(g_scaled, g), g2));
    CHECK(same_point<G>(G::dbl(g_scaled), g2));
    CHECK(is_identity<G>(G::add(g_scaled, neg_g)));
    // Jacobian doubling inside the constant-time ladder: conversions and the identity
    const auto jo = G::to_jacobian(o);
    CHECK(jo.x == G::fp::one);
    CHECK(jo.y == G::fp::one);
    CHECK(G::fp::is_zero(jo.z) != 0);
    const auto jo2 = G::dbl(G::dbl(jo));
    CHECK((jo2.x == G::fp::one && jo2.y == G::fp::one && G::fp::is_zero(jo2.z) != 0));
    CHECK(is_identity<G>(G::to_projective(jo2)));
    CHECK(same_point<G>(G::to_projective(G::to_jacobian(g_scaled)), g));
    CHECK(same_point<G>(G::to_projective(G::dbl(G::to_jacobian(g_scaled))), g2));
    CHECK(same_point<G>(G::add(G::to_projective(G::dbl(G::to_jacobian(g))), neg_g), g));
}

template <class Curve> typename Curve::group::scalar scalar_of(std::uint64_t v) {
    typename Curve::group::scalar s{};
    s[0] = v;
    return s;
}

template <class Curve> void scalar_multiplication_checks() {
    using G = typename Curve::group;
    using proj = typename G::projective;
    using fn = typename G::fn;
    // small multiples: k G by repeated addition, by the variable-base and the fixed-base ladders
    proj acc = G::identity();
    for (std::uint64_t k = 0; k <= 40; ++k) {
        INFO("k = " << k);
        CHECK(same_point<G>(G::mul(scalar_of<Curve>(k), G::generator), acc));
        CHECK(same_point<G>(G::mul_base(scalar_of<Curve>(k)), acc));
        acc = G::add(acc, G::generator);
    }
    // n G = O, (n - 1) G = -G, (n + 1) G = G, for both paths (scalars up to 2^bits - 1 allowed)
    auto n = fn::m;
    CHECK(G::fp::is_zero(G::mul(n, G::generator).z) != 0);
    CHECK(G::fp::is_zero(G::mul_base(n).z) != 0);
    auto n1 = n;
    n1[0] -= 1;
    const proj neg_g = G::lift(G::negate(G::generator));
    CHECK(same_point<G>(G::mul(n1, G::generator), neg_g));
    CHECK(same_point<G>(G::mul_base(n1), neg_g));
    auto np1 = n;
    np1[0] += 1;
    CHECK(same_point<G>(G::mul(np1, G::generator), G::lift(G::generator)));
    CHECK(same_point<G>(G::mul_base(np1), G::lift(G::generator)));
    // random scalars: both paths agree, and k (l P) = (k l) P
    for (int i = 0; i < 8; ++i) {
        const bytes kb = ectest::random_bytes(Curve::field_size);
        const auto k = fn::reduce_once(
            fn::load_be(std::span<const std::uint8_t, Curve::field_size>(kb.data(), kb.size())), 0);
        const proj a = G::mul(k, G::generator);
        CHECK(same_point<G>(a, G::mul_base(k)));
        typename G::affine aa;
        REQUIRE(G::to_affine(a, aa) == 0);
        CHECK(G::on_curve(aa) != 0);
        const auto l = scalar_of<Curve>(0x1234567u + static_cast<std::uint64_t>(i));
        const auto kl = fn::mul(fn::to_mont(k), l); // k * l mod n (plain)
        CHECK(same_point<G>(G::mul(l, aa), G::mul_base(kl)));
    }
    // all-ones scalar windows (every digit recodes with a carry)
    typename G::scalar ones{};
    for (auto& w : ones) {
        w = ~std::uint64_t{0};
    }
    CHECK(same_point<G>(G::mul(ones, G::generator), G::mul_base(ones)));
}

/// Variable-time verification path: u1 G + u2 Q against the constant-time paths.
template <class Curve> void double_scalar_checks() {
    using G = typename Curve::group;
    using fn = typename G::fn;
    for (int i = 0; i < 8; ++i) {
        const bytes b1 = ectest::random_bytes(Curve::field_size);
        const bytes b2 = ectest::random_bytes(Curve::field_size);
        const bytes dq = ectest::random_bytes(Curve::field_size);
        auto load = [](const bytes& b) {
            return fn::reduce_once(
                fn::load_be(std::span<const std::uint8_t, Curve::field_size>(b.data(), b.size())),
                0);
        };
        const auto u1 = load(b1);
        const auto u2 = i == 0 ? u1 : load(b2); // i == 0 with Q = G: u1 G + u1 G, a doubling
        const auto d = i == 0 ? typename G::scalar{1} : load(dq);
        typename G::affine q;
        REQUIRE(G::to_affine(G::mul_base(d), q) == 0);
        // expected R = (u1 + u2 d) G
        const auto e = fn::add(u1, fn::mul(fn::to_mont(u2), d));
        typename G::affine r;
        REQUIRE(G::to_affine(G::mul_base(e), r) == 0);
        // r = x(R) mod n
        const auto x = G::fp::from_mont(r.x);
        const auto xr = fn::reduce_once(x, 0);
        CHECK(G::verify_combination_vartime(u1, u2, q, xr));
        auto wrong = xr;
        wrong[0] ^= 1;
        CHECK_FALSE(G::verify_combination_vartime(u1, u2, q, wrong));
    }
    // u1 G + u2 Q = O (Q = G, u2 = n - u1) is rejected
    const auto u1 = typename G::scalar{5};
    auto u2 = fn::m;
    u2[0] -= 5;
    CHECK_FALSE(G::verify_combination_vartime(u1, u2, G::generator, typename G::scalar{0}));
}

} // namespace

TEST_CASE("complete formulas handle every edge case", "[crypto][nist_curve]") {
    complete_formula_edge_cases<p256>();
    complete_formula_edge_cases<p384>();
}

TEST_CASE("scalar multiplication paths agree", "[crypto][nist_curve]") {
    scalar_multiplication_checks<p256>();
    scalar_multiplication_checks<p384>();
    double_scalar_checks<p256>();
    double_scalar_checks<p384>();
}

namespace {
/// NIST CAVP PKV (public key validation): "P" keys parse, "F" keys (coordinate out of range or
/// point off the curve) are refused with the matching error.
template <class Curve> int run_pkv(const std::string& section) {
    int ran = 0;
    for (const auto& rec : test::read_rsp("nist/ecdsa/PKV.rsp")) {
        if (rec.section.count(section) == 0) {
            continue;
        }
        INFO(section << " Qx " << rec.at("Qx"));
        const std::string result = rec.at("Result");
        const bool fit = ectest::fits(rec.at("Qx"), Curve::field_size) &&
                         ectest::fits(rec.at("Qy"), Curve::field_size);
        if (!fit) {
            // A coordinate wider than the field: its encoding has the wrong length.
            CHECK(result.rfind("F (1", 0) == 0);
            const std::string qx = rec.at("Qx");
            const std::string qy = rec.at("Qy");
            const bytes encoded = test::hex("04" + std::string(qx.size() % 2, '0') + qx +
                                            std::string(qy.size() % 2, '0') + qy);
            CHECK(encoded.size() != Curve::point_size);
            CHECK(ec_public_key<Curve>::parse(encoded).error() == errc::bad_public_key);
        } else {
            bytes point{0x04};
            for (const char* k : {"Qx", "Qy"}) {
                const bytes c = ectest::fixed_width(rec.at(k), Curve::field_size);
                point.insert(point.end(), c.begin(), c.end());
            }
            auto key = ec_public_key<Curve>::parse(point);
            if (result.rfind("P", 0) == 0) {
                CHECK(key.ok());
            } else if (result.rfind("F (1", 0) == 0) {
                CHECK(key.error() == errc::bad_public_key);
            } else {
                CHECK(key.error() == errc::point_not_on_curve);
            }
        }
        ++ran;
    }
    return ran;
}
} // namespace

TEST_CASE("NIST CAVP PKV public key validation", "[crypto][nist_curve][nist]") {
    CHECK(run_pkv<p256>("P-256") == 12);
    CHECK(run_pkv<p384>("P-384") == 12);
}
