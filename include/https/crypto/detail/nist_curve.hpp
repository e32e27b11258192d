// Point arithmetic on the NIST prime curves P-256 and P-384 (y^2 = x^3 - 3x + b): complete
// projective formulas, constant-time scalar multiplication, SEC 1 point coding, and the
// variable-time double-scalar multiplication that ECDSA verification uses.
#pragma once

#include "../../core/bytes.hpp"
#include "../../core/ct.hpp"
#include "../../core/result.hpp"
#include "nist_field.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace https::crypto::detail::nist {

/// P-256 domain parameters (FIPS 186-4 §D.1.2.3; SEC 2 secp256r1).
struct p256_params {
    struct field_modulus {
        static constexpr limbs<4> value =
            hex_limbs<4>("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
    };
    struct order_modulus {
        static constexpr limbs<4> value =
            hex_limbs<4>("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    };
    static constexpr limbs<4> b =
        hex_limbs<4>("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b");
    static constexpr limbs<4> gx =
        hex_limbs<4>("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296");
    static constexpr limbs<4> gy =
        hex_limbs<4>("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
};

/// P-384 domain parameters (FIPS 186-4 §D.1.2.4; SEC 2 secp384r1).
struct p384_params {
    struct field_modulus {
        static constexpr limbs<6> value =
            hex_limbs<6>("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe"
                         "ffffffff0000000000000000ffffffff");
    };
    struct order_modulus {
        static constexpr limbs<6> value =
            hex_limbs<6>("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf"
                         "581a0db248b0a77aecec196accc52973");
    };
    static constexpr limbs<6> b =
        hex_limbs<6>("b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875a"
                     "c656398d8a2ed19d2a85c8edd3ec2aef");
    static constexpr limbs<6> gx =
        hex_limbs<6>("aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a38"
                     "5502f25dbf55296c3a545e3872760ab7");
    static constexpr limbs<6> gy =
        hex_limbs<6>("3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c0"
                     "0a60b1ce1d7e819d7a431d7c90ea0e5f");
};

/// The group of a curve with a = -3, prime order n and cofactor 1 (both NIST curves we support).
/// Field elements are in Montgomery form; scalars are plain integers (limbs, not Montgomery).
template <class Params> struct curve {
    using fp = mont<typename Params::field_modulus>;
    using fn = mont<typename Params::order_modulus>;
    using fe = typename fp::elem;
    using scalar = typename fn::elem;
    static constexpr std::size_t limb_count = fp::n;
    static constexpr std::size_t field_bytes = fp::bytes;
    static constexpr std::size_t point_bytes = 1 + 2 * field_bytes; // SEC 1 uncompressed
    static constexpr std::size_t bits = 64 * limb_count;            // = bit length of p and of n

    // p and n both fill their top limb: scalars and coordinates are exactly `bits` long, which
    // the signed-digit recoding and the ECDSA digest truncation (whole bytes) rely on.
    static_assert(fp::m[limb_count - 1] >> 63 == 1 && fn::m[limb_count - 1] >> 63 == 1);
    static_assert(fn::n == limb_count);

    static constexpr fe b = fp::constant(Params::b);
    static constexpr fe three = fp::constant(fe{3});

    /// An affine point (never the identity).
    struct affine {
        fe x, y;
    };
    /// Homogeneous projective (X:Y:Z) for (X/Z, Y/Z); the identity is (0:1:0).
    struct projective {
        fe x, y, z;
    };
    /// Jacobian (X:Y:Z) for (X/Z^2, Y/Z^3); the identity has Z = 0. Variable-time paths only.
    struct jacobian {
        fe x, y, z;
    };

    static constexpr affine generator{fp::constant(Params::gx), fp::constant(Params::gy)};
    static projective identity() noexcept { return {fp::zero, fp::one, fp::zero}; }
    static projective lift(const affine& p) noexcept { return {p.x, p.y, fp::one}; }

    // ---- complete formulas: Renes, Costello, Batina, "Complete addition formulas for prime
    // order elliptic curves" (EUROCRYPT 2016), the a = -3 algorithms. Correct for every pair of
    // inputs, the identity included, so the constant-time paths need no special cases.

    /// p + q, RCB 2016 Algorithm 4 (12M + 2m_b). CT: fixed sequence of field operations.
    static projective add(const projective& p, const projective& q) noexcept {
        fe t0 = fp::mul(p.x, q.x);
        fe t1 = fp::mul(p.y, q.y);
        fe t2 = fp::mul(p.z, q.z);
        fe t3 = fp::add(p.x, p.y);
        fe t4 = fp::add(q.x, q.y);
        t3 = fp::mul(t3, t4);
        t4 = fp::add(t0, t1);
        t3 = fp::sub(t3, t4); // X1Y2 + X2Y1
        t4 = fp::add(p.y, p.z);
        fe x3 = fp::add(q.y, q.z);
        t4 = fp::mul(t4, x3);
        x3 = fp::add(t1, t2);
        t4 = fp::sub(t4, x3); // Y1Z2 + Y2Z1
        x3 = fp::add(p.x, p.z);
        fe y3 = fp::add(q.x, q.z);
        x3 = fp::mul(x3, y3);
        y3 = fp::add(t0, t2);
        y3 = fp::sub(x3, y3); // X1Z2 + X2Z1
        return add_tail(t0, t1, t2, t3, t4, y3);
    }

    /// p + q for an affine q (Z2 = 1), RCB 2016 Algorithm 5 (11M + 2m_b). Complete as long as q
    /// is a genuine point (not the identity); p may be anything. CT: fixed sequence.
    static projective add(const projective& p, const affine& q) noexcept {
        fe t0 = fp::mul(p.x, q.x);
        fe t1 = fp::mul(p.y, q.y);
        fe t3 = fp::add(q.x, q.y);
        fe t4 = fp::add(p.x, p.y);
        t3 = fp::mul(t3, t4);
        t4 = fp::add(t0, t1);
        t3 = fp::sub(t3, t4); // X1Y2 + X2Y1
        t4 = fp::mul(q.y, p.z);
        t4 = fp::add(t4, p.y); // Y1 + Y2Z1
        fe s = fp::mul(q.x, p.z);
        s = fp::add(s, p.x); // X1 + X2Z1
        return add_tail(t0, t1, p.z, t3, t4, s);
    }

    /// The common end of Algorithms 4 and 5, from t0 = X1X2, t1 = Y1Y2, t2 = Z1Z2,
    /// t3 = X1Y2 + X2Y1, t4 = Y1Z2 + Y2Z1, s = X1Z2 + X2Z1. CT: fixed sequence.
    static projective add_tail(fe t0, fe t1, fe t2, const fe& t3, const fe& t4,
                               const fe& s) noexcept {
        fe z3 = fp::mul(b, t2);
        fe x3 = fp::sub(s, z3);
        z3 = fp::add(x3, x3);
        x3 = fp::add(x3, z3); // 3(s - b t2)
        z3 = fp::sub(t1, x3); // Y1Y2 + a s + 3b t2
        x3 = fp::add(t1, x3); // Y1Y2 - a s - 3b t2
        fe y3 = fp::mul(b, s);
        fe u = fp::add(t2, t2);
        t2 = fp::add(u, t2); // 3 t2
        y3 = fp::sub(y3, t2);
        y3 = fp::sub(y3, t0);
        u = fp::add(y3, y3);
        y3 = fp::add(u, y3); // a X1X2 + 3b s - a^2 t2
        u = fp::add(t0, t0);
        t0 = fp::add(u, t0);
        t0 = fp::sub(t0, t2); // 3 X1X2 + a t2
        const fe v = fp::mul(t4, y3);
        const fe w = fp::mul(t0, y3);
        y3 = fp::mul(x3, z3);
        y3 = fp::add(y3, w);
        x3 = fp::mul(t3, x3);
        x3 = fp::sub(x3, v);
        z3 = fp::mul(t4, z3);
        u = fp::mul(t3, t0);
        z3 = fp::add(z3, u);
        return {x3, y3, z3};
    }

    /// 2p, RCB 2016 Algorithm 6 (8M + 3S + 2m_b). CT: fixed sequence.
    static projective dbl(const projective& p) noexcept {
        fe t0 = fp::sqr(p.x);
        const fe t1 = fp::sqr(p.y);
        fe t2 = fp::sqr(p.z);
        fe t3 = fp::mul(p.x, p.y);
        t3 = fp::add(t3, t3);
        fe z3 = fp::mul(p.x, p.z);
        z3 = fp::add(z3, z3);
        fe y3 = fp::mul(b, t2);
        y3 = fp::sub(y3, z3);
        fe x3 = fp::add(y3, y3);
        y3 = fp::add(x3, y3);
        x3 = fp::sub(t1, y3);
        y3 = fp::add(t1, y3);
        y3 = fp::mul(x3, y3);
        x3 = fp::mul(x3, t3);
        t3 = fp::add(t2, t2);
        t2 = fp::add(t2, t3);
        z3 = fp::mul(b, z3);
        z3 = fp::sub(z3, t2);
        z3 = fp::sub(z3, t0);
        t3 = fp::add(z3, z3);
        z3 = fp::add(z3, t3);
        t3 = fp::add(t0, t0);
        t0 = fp::add(t3, t0);
        t0 = fp::sub(t0, t2);
        t0 = fp::mul(t0, z3);
        y3 = fp::add(y3, t0);
        t0 = fp::mul(p.y, p.z);
        t0 = fp::add(t0, t0);
        z3 = fp::mul(t0, z3);
        x3 = fp::sub(x3, z3);
        z3 = fp::mul(t0, t1);
        z3 = fp::add(z3, z3);
        z3 = fp::add(z3, z3);
        return {x3, y3, z3};
    }

    /// dst = src where `mask` is all ones. CT: branch-free.
    static void cmov(projective& dst, const projective& src, std::uint64_t mask) noexcept {
        fp::cmov(dst.x, src.x, mask);
        fp::cmov(dst.y, src.y, mask);
        fp::cmov(dst.z, src.z, mask);
    }
    static void cmov(affine& dst, const affine& src, std::uint64_t mask) noexcept {
        fp::cmov(dst.x, src.x, mask);
        fp::cmov(dst.y, src.y, mask);
    }

    /// y = -y where `mask` is all ones. CT: branch-free.
    static void cneg_y(fe& y, std::uint64_t mask) noexcept { fp::cmov(y, fp::neg(y), mask); }

    /// The affine form of p; returns an all-ones mask when p is the identity (then `out` is
    /// (0, 0)). CT: one inversion with a fixed exponent; no branch on p.
    static std::uint64_t to_affine(const projective& p, affine& out) noexcept {
        const fe zinv = fp::invert(p.z);
        out.x = fp::mul(p.x, zinv);
        out.y = fp::mul(p.y, zinv);
        return fp::is_zero(p.z);
    }

    /// y^2 == x^3 - 3x + b (SEC 1 §3.2.2.1 step 2). CT: branch-free; returns a mask.
    static std::uint64_t on_curve(const affine& p) noexcept {
        const fe y2 = fp::sqr(p.y);
        fe rhs = fp::sqr(p.x);
        rhs = fp::sub(rhs, three);
        rhs = fp::mul(rhs, p.x); // x^3 - 3x
        rhs = fp::add(rhs, b);
        return fp::equal(y2, rhs);
    }

    // ---- SEC 1 §2.3.3/§2.3.4 point encoding
    // -------------------------------------------------------

    /// Decode a peer's public point. Accepted: the uncompressed form 0x04 || X || Y with X, Y < p
    /// and the point on the curve (SEC 1 §3.2.2.1 public key validation; with cofactor 1 every
    /// curve point other than the identity has order n). Rejected: the identity (a single 0x00
    /// byte) -> point_at_infinity; compressed forms (0x02/0x03, which RFC 8446 §4.2.8.2 does not
    /// allow in TLS 1.3) and every other prefix or length -> bad_public_key; a coordinate >= p
    /// -> bad_public_key; a point off the curve -> point_not_on_curve.
    /// CT: variable time (the point is public).
    static result<affine> decode(bytes_view in) noexcept {
        reader r(in);
        auto prefix = r.read_u8();
        if (!prefix) {
            return errc::bad_public_key;
        }
        if (*prefix == 0x00 && r.empty()) {
            return errc::point_at_infinity;
        }
        if (*prefix != 0x04) {
            return errc::bad_public_key;
        }
        auto xs = r.read_bytes(field_bytes);
        auto ys = r.read_bytes(field_bytes);
        if (!xs || !ys || !r.expect_empty()) {
            return errc::bad_public_key;
        }
        const fe x = fp::load_be(xs->template first<field_bytes>());
        const fe y = fp::load_be(ys->template first<field_bytes>());
        if ((fp::less_than_modulus(x) & fp::less_than_modulus(y)) == 0) {
            return errc::bad_public_key;
        }
        const affine p{fp::to_mont(x), fp::to_mont(y)};
        if (on_curve(p) == 0) {
            return errc::point_not_on_curve;
        }
        return p;
    }

    /// 0x04 || X || Y. CT: branch-free.
    static void encode(const affine& p, std::span<std::uint8_t, point_bytes> out) noexcept {
        out[0] = 0x04;
        fp::store_be(fp::from_mont(p.x), out.template subspan<1, field_bytes>());
        fp::store_be(fp::from_mont(p.y), out.template subspan<1 + field_bytes, field_bytes>());
    }

    // ---- constant-time scalar multiplication
    // ------------------------------------------------------

    /// Signed fixed windows of W bits: k = sum d_i 2^(W i), d_i in [-2^(W-1), 2^(W-1)].
    /// `digits<W>` windows cover bits + 1 bits, enough to absorb the last carry of any
    /// k < 2^bits. The variable-base ladder uses W = 5 (table 1p..16p, built per call); the
    /// fixed-base table W = 6 (rows of 1..32 multiples, built once).
    template <unsigned W> static constexpr std::size_t digits = (bits + W) / W;
    static constexpr unsigned window = 5;
    static constexpr std::size_t digit_count = digits<window>;
    static constexpr std::size_t table_size = 1u << (window - 1); // multiples 1..16

    /// A recoded digit: its magnitude (0..2^(W-1)) and an all-ones mask when it is negative.
    struct digit {
        std::uint64_t magnitude;
        std::uint64_t negative;
    };

    /// Booth-style signed recoding of k: each W-bit window plus the carry from below, mapped from
    /// [2^(W-1) + 1, 2^W] to [-2^(W-1) + 1, 0] with a carry of one into the next window.
    /// CT: arithmetic only; bit positions depend on the loop index, never on k.
    template <unsigned W = window>
    static void recode(const scalar& k, std::array<digit, digits<W>>& out) noexcept {
        static_assert(W >= 2 && W < 16);
        std::uint64_t carry = 0;
        for (std::size_t i = 0; i < digits<W>; ++i) {
            const std::size_t pos = W * i;
            const std::size_t limb = pos / 64;
            const std::size_t shift = pos % 64;
            std::uint64_t w = limb < limb_count ? k[limb] >> shift : 0;
            if (shift > 64 - W && limb + 1 < limb_count) {
                w |= k[limb + 1] << (64 - shift);
            }
            const std::uint64_t v = (w & ((1u << W) - 1)) + carry;     // 0..2^W
            carry = ((std::uint64_t{1} << (W - 1)) - v) >> 63;        // v > 2^(W-1)
            const std::uint64_t d = v - (carry << W);                 // two's complement
            const std::uint64_t neg = bit_mask(d >> 63);
            out[i].negative = neg;
            out[i].magnitude = (d ^ neg) - neg;
        }
    }

    /// table[idx] scanned in full: every entry is read and masked in. CT: no secret index.
    template <class Point, std::size_t Size>
    static Point select(const std::array<Point, Size>& table, std::uint64_t idx) noexcept {
        Point r{};
        for (std::size_t j = 0; j < Size; ++j) {
            cmov(r, table[j], ct::mask<std::uint64_t>::equal(j, idx).value());
        }
        return r;
    }

    /// 2p in Jacobian coordinates, "dbl-2001-b" for a = -3 (3M + 5S, against 8M + 3S for the
    /// complete projective doubling). Exception-free on our curves: there is no point of order
    /// 2 (prime order), and a Jacobian identity (Z = 0, X and Y non-zero) doubles to one.
    /// CT: a fixed sequence of field operations, no branch.
    static jacobian dbl(const jacobian& p) noexcept {
        const fe delta = fp::sqr(p.z);
        const fe gamma = fp::sqr(p.y);
        const fe beta = fp::mul(p.x, gamma);
        fe alpha = fp::mul(fp::sub(p.x, delta), fp::add(p.x, delta));
        alpha = fp::add(alpha, fp::twice(alpha));
        const fe beta4 = fp::twice(fp::twice(beta));
        jacobian r;
        r.x = fp::sub(fp::sqr(alpha), fp::twice(beta4));
        r.z = fp::sub(fp::sub(fp::sqr(fp::add(p.y, p.z)), gamma), delta);
        const fe gamma2 = fp::sqr(gamma);
        r.y = fp::sub(fp::mul(alpha, fp::sub(beta4, r.x)), fp::twice(fp::twice(fp::twice(gamma2))));
        return r;
    }

    /// (X:Y:Z) homogeneous -> (XZ : YZ^2 : Z) Jacobian, the same point; the identity (Z = 0)
    /// becomes (1:1:0), a Jacobian identity that doubling keeps (the direct image (0:0:0) is not
    /// a point). CT: branch-free.
    static jacobian to_jacobian(const projective& p) noexcept {
        const fe zz = fp::sqr(p.z);
        jacobian r{fp::mul(p.x, p.z), fp::mul(p.y, zz), p.z};
        const std::uint64_t at_infinity = fp::is_zero(p.z);
        fp::cmov(r.x, fp::one, at_infinity);
        fp::cmov(r.y, fp::one, at_infinity);
        return r;
    }

    /// (X:Y:Z) Jacobian -> (XZ : Y : Z^3) homogeneous, the same point (x = X/Z^2 = XZ/Z^3,
    /// y = Y/Z^3); a Jacobian identity (X, Y, 0) maps to (0 : Y : 0), the identity.
    /// CT: branch-free.
    static projective to_projective(const jacobian& p) noexcept {
        return {fp::mul(p.x, p.z), p.y, fp::mul(fp::sqr(p.z), p.z)};
    }

    /// k * p for a secret k < 2^bits and a public or secret point p, by 5-bit signed fixed
    /// windows over the table 0p, 1p, ..., 16p: per window five exception-free Jacobian
    /// doublings, then one complete projective addition (RCB 2016 Algorithm 4), so no input
    /// (the identity, equal or opposite points) needs a special case. The doublings in Jacobian
    /// form make a P-256 ECDH about 20% faster than with the complete doubling.
    /// CT: no branch or memory index depends on k (or p); the table is scanned in full.
    static projective mul(const scalar& k, const affine& p) noexcept {
        std::array<projective, table_size + 1> table;
        table[0] = identity();
        table[1] = lift(p);
        for (std::size_t i = 2; i <= table_size; ++i) {
            table[i] = (i % 2 == 0) ? dbl(table[i / 2]) : add(table[i - 1], table[1]);
        }
        std::array<digit, digit_count> d;
        recode(k, d);
        projective acc = select(table, d[digit_count - 1].magnitude);
        cneg_y(acc.y, d[digit_count - 1].negative);
        for (std::size_t i = digit_count - 1; i-- > 0;) {
            jacobian j = to_jacobian(acc);
            for (unsigned w = 0; w < window; ++w) {
                j = dbl(j);
            }
            acc = to_projective(j);
            projective t = select(table, d[i].magnitude);
            cneg_y(t.y, d[i].negative);
            acc = add(acc, t);
        }
        ct::wipe(d.data(), sizeof d);
        ct::wipe(table.data(), sizeof table);
        return acc;
    }

    /// The fixed-base windows: 6 bits, so 43 rows of 32 multiples for P-256 (65 for P-384).
    /// Against 5-bit windows (52 rows of 16) that is 9 fewer additions for twice the entries
    /// scanned per row: P-256 k G went from 18.0 to 14.5 us (thread CPU time, g++ -O3), an ECDSA
    /// signature from 32.5 to 28 us; 7-bit windows (37 rows of 64) measured slower (18-19 us).
    static constexpr unsigned base_window = 6;
    static constexpr std::size_t base_digit_count = digits<base_window>;
    static constexpr std::size_t base_row_size = 1u << (base_window - 1); // multiples 1..32

    /// The fixed-base table: rows[i][j] = (j + 1) * 2^(6i) * G, affine. Built once on first use
    /// (public data; about 88 KB for P-256 and 200 KB for P-384, in static storage).
    struct base_table {
        std::array<std::array<affine, base_row_size>, base_digit_count> rows;
        base_table() noexcept {
            projective base = lift(generator);
            for (auto& row : rows) {
                std::array<projective, base_row_size> proj;
                proj[0] = base;
                for (std::size_t j = 1; j < base_row_size; ++j) {
                    proj[j] = (j % 2 == 1) ? dbl(proj[j / 2]) : add(proj[j - 1], proj[0]);
                }
                batch_to_affine_vartime(proj, row);
                base = dbl(proj[base_row_size - 1]); // 64 * 2^(6i) G = 2^(6(i+1)) G
            }
        }
    };
    static const base_table& base() noexcept {
        static const base_table table; // thread-safe one-time initialisation (C++11 statics)
        return table;
    }

    /// k * G for a secret k < 2^bits: one mixed addition per window from the fixed-base table,
    /// no doublings. A zero digit still performs the addition (of a dummy) and discards it.
    /// CT: no branch or memory index depends on k; each row is scanned in full.
    static projective mul_base(const scalar& k) noexcept {
        const base_table& t = base();
        std::array<digit, base_digit_count> d;
        recode<base_window>(k, d);
        projective acc = identity();
        for (std::size_t i = 0; i < base_digit_count; ++i) {
            // entry (j + 1) sits at j, so magnitude - 1; for magnitude 0 nothing matches
            affine q{};
            for (std::size_t j = 0; j < base_row_size; ++j) {
                cmov(q, t.rows[i][j],
                     ct::mask<std::uint64_t>::equal(j + 1, d[i].magnitude).value());
            }
            cneg_y(q.y, d[i].negative);
            const projective sum = add(acc, q);
            cmov(acc, sum, ~ct::mask<std::uint64_t>::is_zero(d[i].magnitude).value());
        }
        ct::wipe(d.data(), sizeof d);
        return acc;
    }

    /// Affine forms of public points with one shared inversion (Montgomery's trick). None of the
    /// inputs may be the identity. CT: variable time; public data only.
    template <std::size_t Size>
    static void batch_to_affine_vartime(const std::array<projective, Size>& in,
                                        std::array<affine, Size>& out) noexcept {
        std::array<fe, Size> prefix;
        fe acc = fp::one;
        for (std::size_t i = 0; i < Size; ++i) {
            prefix[i] = acc;
            acc = fp::mul(acc, in[i].z);
        }
        fe inv = fp::invert(acc);
        for (std::size_t i = Size; i-- > 0;) {
            const fe zinv = fp::mul(inv, prefix[i]);
            inv = fp::mul(inv, in[i].z);
            out[i].x = fp::mul(in[i].x, zinv);
            out[i].y = fp::mul(in[i].y, zinv);
        }
    }

    // ---- variable-time double-scalar multiplication (ECDSA verification: public inputs)
    // -----------

    static bool is_identity(const jacobian& p) noexcept { return fp::is_zero(p.z) != 0; }

    /// p + q for affine q, "madd-2007-bl" (7M + 4S), with the exceptional cases (p the
    /// identity, p = q, p = -q) handled by branches. CT: variable time (public inputs only).
    static jacobian add_vartime(const jacobian& p, const affine& q) noexcept {
        if (is_identity(p)) {
            return {q.x, q.y, fp::one};
        }
        const fe z1z1 = fp::sqr(p.z);
        const fe u2 = fp::mul(q.x, z1z1);
        const fe s2 = fp::mul(q.y, fp::mul(p.z, z1z1));
        const fe h = fp::sub(u2, p.x);
        const fe rr = fp::twice(fp::sub(s2, p.y));
        if (fp::is_zero(h) != 0) {
            if (fp::is_zero(rr) != 0) {
                return dbl(p);
            }
            return {fp::zero, fp::one, fp::zero};
        }
        const fe hh = fp::sqr(h);
        const fe i = fp::twice(fp::twice(hh));
        const fe j = fp::mul(h, i);
        const fe v = fp::mul(p.x, i);
        jacobian r;
        r.x = fp::sub(fp::sub(fp::sqr(rr), j), fp::twice(v));
        r.y = fp::sub(fp::mul(rr, fp::sub(v, r.x)), fp::twice(fp::mul(p.y, j)));
        r.z = fp::sub(fp::sub(fp::sqr(fp::add(p.z, h)), z1z1), hh);
        return r;
    }

    /// p + q, "add-2007-bl" (11M + 5S), exceptional cases by branches.
    /// CT: variable time (public inputs only).
    static jacobian add_vartime(const jacobian& p, const jacobian& q) noexcept {
        if (is_identity(p)) {
            return q;
        }
        if (is_identity(q)) {
            return p;
        }
        const fe z1z1 = fp::sqr(p.z);
        const fe z2z2 = fp::sqr(q.z);
        const fe u1 = fp::mul(p.x, z2z2);
        const fe u2 = fp::mul(q.x, z1z1);
        const fe s1 = fp::mul(p.y, fp::mul(q.z, z2z2));
        const fe s2 = fp::mul(q.y, fp::mul(p.z, z1z1));
        const fe h = fp::sub(u2, u1);
        const fe rr = fp::twice(fp::sub(s2, s1));
        if (fp::is_zero(h) != 0) {
            if (fp::is_zero(rr) != 0) {
                return dbl(p);
            }
            return {fp::zero, fp::one, fp::zero};
        }
        const fe i = fp::sqr(fp::twice(h));
        const fe j = fp::mul(h, i);
        const fe v = fp::mul(u1, i);
        jacobian r;
        r.x = fp::sub(fp::sub(fp::sqr(rr), j), fp::twice(v));
        r.y = fp::sub(fp::mul(rr, fp::sub(v, r.x)), fp::twice(fp::mul(s1, j)));
        r.z = fp::mul(fp::sub(fp::sub(fp::sqr(fp::add(p.z, q.z)), z1z1), z2z2), h);
        return r;
    }

    static jacobian negate(const jacobian& p) noexcept { return {p.x, fp::neg(p.y), p.z}; }
    static affine negate(const affine& p) noexcept { return {p.x, fp::neg(p.y)}; }

    /// Width-w NAF of k < 2^bits: digits odd in (-2^(w-1), 2^(w-1)) or zero, at most one non-zero
    /// in any w consecutive positions; out[i] is the digit of 2^i. Returns the number of digits.
    /// CT: variable time (public scalars only).
    template <unsigned W>
    static std::size_t wnaf_vartime(const scalar& k,
                                    std::array<std::int8_t, bits + 1>& out) noexcept {
        limbs<limb_count + 1> v{};
        for (std::size_t i = 0; i < limb_count; ++i) {
            v[i] = k[i];
        }
        auto nonzero = [&] {
            for (std::uint64_t w : v) {
                if (w != 0) {
                    return true;
                }
            }
            return false;
        };
        std::size_t len = 0;
        out.fill(0);
        while (nonzero()) {
            std::int64_t d = 0;
            if ((v[0] & 1) != 0) {
                d = static_cast<std::int64_t>(v[0] & ((1u << W) - 1));
                if (d >= (1 << (W - 1))) {
                    d -= 1 << W;
                }
                // v -= d, making the low W bits zero
                if (d > 0) {
                    std::uint64_t borrow = static_cast<std::uint64_t>(d);
                    for (std::size_t i = 0; i < v.size() && borrow != 0; ++i) {
                        const std::uint64_t before = v[i];
                        v[i] -= borrow;
                        borrow = before < borrow ? 1 : 0;
                    }
                } else {
                    std::uint64_t carry = static_cast<std::uint64_t>(-d);
                    for (std::size_t i = 0; i < v.size() && carry != 0; ++i) {
                        v[i] += carry;
                        carry = v[i] < carry ? 1 : 0;
                    }
                }
            }
            out[len++] = static_cast<std::int8_t>(d);
            for (std::size_t i = 0; i + 1 < v.size(); ++i) {
                v[i] = (v[i] >> 1) | (v[i + 1] << 63);
            }
            v[v.size() - 1] >>= 1;
        }
        return len;
    }

    /// Odd multiples G, 3G, ..., 63G (affine) for the width-7 NAF of u1 in verification.
    static constexpr unsigned g_window = 7;
    static constexpr unsigned q_window = 5;
    struct g_odd_table {
        std::array<affine, 1u << (g_window - 2)> points;
        g_odd_table() noexcept {
            std::array<projective, 1u << (g_window - 2)> proj;
            proj[0] = lift(generator);
            const projective twice_g = dbl(proj[0]);
            for (std::size_t i = 1; i < proj.size(); ++i) {
                proj[i] = add(proj[i - 1], twice_g);
            }
            batch_to_affine_vartime(proj, points);
        }
    };
    static const g_odd_table& g_odd() noexcept {
        static const g_odd_table table;
        return table;
    }

    /// Whether the x-coordinate of u1*G + u2*Q, reduced mod n, equals r (FIPS 186-4 §6.4.2 steps
    /// 5-8). Interleaved width-7 NAF on G (precomputed affine table) and width-5 NAF on Q.
    /// The final comparison avoids an inversion: x(R) = X/Z^2, so test X == r Z^2 and, when
    /// r + n < p, X == (r + n) Z^2 (x(R) in [0, p) may exceed n once).
    /// CT: variable time; every input is public (ECDSA verification).
    static bool verify_combination_vartime(const scalar& u1, const scalar& u2, const affine& q,
                                           const scalar& r) noexcept {
        std::array<std::int8_t, bits + 1> naf1;
        std::array<std::int8_t, bits + 1> naf2;
        const std::size_t len1 = wnaf_vartime<g_window>(u1, naf1);
        const std::size_t len2 = wnaf_vartime<q_window>(u2, naf2);

        std::array<jacobian, 1u << (q_window - 2)> qt; // Q, 3Q, ..., 15Q
        qt[0] = {q.x, q.y, fp::one};
        const jacobian q2 = dbl(qt[0]);
        for (std::size_t i = 1; i < qt.size(); ++i) {
            qt[i] = add_vartime(qt[i - 1], q2);
        }
        const g_odd_table& gt = g_odd();

        jacobian acc{fp::zero, fp::one, fp::zero};
        for (std::size_t i = (len1 > len2 ? len1 : len2); i-- > 0;) {
            acc = dbl(acc);
            // wNAF digits are signed by design (odd, in -2^(w-1)..2^(w-1)).
            // NOLINTNEXTLINE(bugprone-signed-char-misuse,cert-str34-c)
            if (const int d = naf1[i]; d > 0) {
                acc = add_vartime(acc, gt.points[static_cast<std::size_t>(d / 2)]);
            } else if (d < 0) {
                acc = add_vartime(acc, negate(gt.points[static_cast<std::size_t>(-d / 2)]));
            }
            // wNAF digits are signed by design (odd, in -2^(w-1)..2^(w-1)).
            // NOLINTNEXTLINE(bugprone-signed-char-misuse,cert-str34-c)
            if (const int d = naf2[i]; d > 0) {
                acc = add_vartime(acc, qt[static_cast<std::size_t>(d / 2)]);
            } else if (d < 0) {
                acc = add_vartime(acc, negate(qt[static_cast<std::size_t>(-d / 2)]));
            }
        }
        if (is_identity(acc)) {
            return false; // SEC 1 §4.1.4 step 5: R = O is invalid
        }
        const fe z2 = fp::sqr(acc.z);
        const fe rf = fp::to_mont(r); // r < n < p: a valid field element
        if (fp::equal(fp::mul(rf, z2), acc.x) != 0) {
            return true;
        }
        // r + n < p? (as plain integers; r + n cannot overflow the top limb here since n < p)
        scalar rn;
        std::uint64_t carry = 0;
        for (std::size_t i = 0; i < limb_count; ++i) {
            const u128 t = static_cast<u128>(r[i]) + fn::m[i] + carry;
            rn[i] = static_cast<std::uint64_t>(t);
            carry = static_cast<std::uint64_t>(t >> 64);
        }
        if (carry != 0 || fp::less_than_modulus(rn) == 0) {
            return false;
        }
        return fp::equal(fp::mul(fp::to_mont(rn), z2), acc.x) != 0;
    }
};

using p256_curve = curve<p256_params>;
using p384_curve = curve<p384_params>;

} // namespace https::crypto::detail::nist
