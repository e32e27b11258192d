// The group of edwards25519 (RFC 8032 §5.1: -x^2 + y^2 = 1 + d x^2 y^2 over GF(2^255 - 19)) and
// scalars modulo its order L, as Ed25519 needs them: point decoding and encoding,
// extended-coordinate addition and doubling, a variable-time double-scalar multiplication for
// verification (public values only), and for signing a constant-time fixed-base multiplication
// and constant-time scalar reduction and multiply-add modulo L. Each function's CT line says
// which kind it is.
#pragma once

#include "../../core/bytes.hpp"
#include "../../core/ct.hpp"
#include "../../core/errc.hpp"
#include "field25519.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace https::crypto::detail::ed25519 {

// ---- constants ----------------------------------------------------------------------------------

/// The 64-bit limbs (least significant first) of a number written in hexadecimal, most
/// significant digit first. Compile time only: a digit that is not lowercase hex, or a number too
/// large for N limbs, is a compile error.
template <std::size_t N> consteval std::array<std::uint64_t, N> hex_limbs(std::string_view hex) {
    if (hex.size() > 16 * N) {
        throw "constant too large";
    }
    std::array<std::uint64_t, N> w{};
    for (const char c : hex) {
        std::uint64_t digit = 0;
        if (c >= '0' && c <= '9') {
            digit = static_cast<std::uint64_t>(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            digit = static_cast<std::uint64_t>(c - 'a') + 10;
        } else {
            throw "not a hexadecimal digit";
        }
        for (std::size_t i = N - 1; i > 0; --i) {
            w[i] = (w[i] << 4) | (w[i - 1] >> 60);
        }
        w[0] = (w[0] << 4) | digit;
    }
    return w;
}

/// A field element from its value in hexadecimal (below p). Compile time only.
consteval fe25519 field_constant(std::string_view hex) {
    const std::array<std::uint64_t, 4> w = hex_limbs<4>(hex);
    constexpr std::uint64_t m = fe25519_mask51;
    return {{w[0] & m, ((w[0] >> 51) | (w[1] << 13)) & m, ((w[1] >> 38) | (w[2] << 26)) & m,
             ((w[2] >> 25) | (w[3] << 39)) & m, (w[3] >> 12) & m}};
}

// RFC 8032 §5.1: d = -121665/121666 mod p (decimal 370957059346694393431380835087545651895421138
// 79843219016388785533085940283555); 2d for the addition formulas; sqrt(-1) = 2^((p-1)/4) for
// point decoding (§5.1.3 step 3). Checked against their definitions by the tests.
inline constexpr fe25519 curve_d =
    field_constant("52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3");
inline constexpr fe25519 curve_2d =
    field_constant("2406d9dc56dffce7198e80f2eef3d13000e0149a8283b156ebd69b9426b2f159");
inline constexpr fe25519 sqrt_m1 =
    field_constant("2b8324804fc1df0b2b4d00993dfbd7a72f431806ad2fe478c4ee1b274a0ea0b0");
inline constexpr fe25519 fe_zero{{0, 0, 0, 0, 0}};
inline constexpr fe25519 fe_one{{1, 0, 0, 0, 0}};

/// The encoding of the base point B of RFC 8032 §5.1 (y = 4/5, x even).
inline constexpr std::array<std::uint8_t, 32> base_point_encoding = {
    0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66};

// ---- field helpers for public values ------------------------------------------------------------

/// Whether f = 0 mod p. Takes a loose element. CT: variable time (public values only).
inline bool is_zero_vartime(const fe25519& f) noexcept {
    std::array<std::uint8_t, 32> bytes{};
    fe25519_encode(fe25519_carry(f), bytes);
    return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

/// The low bit of the canonical representative ("negative" in RFC 8032 §5.1.2). Tight input.
/// CT: variable time (public values only).
inline bool is_odd_vartime(const fe25519& f) noexcept {
    std::array<std::uint8_t, 32> bytes{};
    fe25519_encode(f, bytes);
    return (bytes[0] & 1) != 0;
}

/// Field products for the code that runs once per verification or once in all (decoding,
/// encoding, the base-point table): one out-of-line copy instead of fe25519_mul's forced inlining
/// at each call, which took 15 KB of code; the doubling and addition formulas keep it inlined.
[[gnu::noinline]] inline fe25519 mul_cold(const fe25519& f, const fe25519& g) noexcept {
    return fe25519_mul(f, g);
}
[[gnu::noinline]] inline fe25519 sq_cold(const fe25519& f) noexcept {
    return fe25519_sq(f);
}

// ---- points -------------------------------------------------------------------------------------

/// A point in extended coordinates (Hisil, Wong, Carter, Dawson, "Twisted Edwards Curves
/// Revisited", 2008; RFC 8032 §5.1.4): x = X/Z, y = Y/Z, x y = T/Z, Z != 0. Tight limbs.
struct point {
    fe25519 x, y, z, t;
};

/// Projective coordinates (x = X/Z, y = Y/Z): all that doubling reads. Tight limbs.
struct projective {
    fe25519 x, y, z;
};

/// The result of a doubling or an addition before its last multiplications: x = X/Z, y = Y/T.
/// Loose limbs. Three multiplications make it projective, four make it extended, so a doubling
/// followed by another doubling skips the product T needs.
struct completed {
    fe25519 x, y, z, t;
};

/// A point prepared as the right operand of additions: (Y + X, Y - X, 2Z, 2dT). Loose limbs.
struct cached {
    fe25519 y_plus_x, y_minus_x, z2, t2d;
};

/// An affine point (Z = 1) prepared likewise: (y + x, y - x, 2dxy), for the base-point table.
/// Loose limbs.
struct affine_cached {
    fe25519 y_plus_x, y_minus_x, xy2d;
};

inline projective to_projective(const completed& c) noexcept {
    return {fe25519_mul(c.x, c.t), fe25519_mul(c.y, c.z), fe25519_mul(c.z, c.t)};
}

inline point to_point(const completed& c) noexcept {
    return {fe25519_mul(c.x, c.t), fe25519_mul(c.y, c.z), fe25519_mul(c.z, c.t),
            fe25519_mul(c.x, c.y)};
}

inline cached to_cached(const point& p) noexcept {
    return {fe25519_add(p.y, p.x), fe25519_sub(p.y, p.x), fe25519_add(p.z, p.z),
            fe25519_mul(p.t, curve_2d)};
}

/// 2P by the doubling of RFC 8032 §5.1.4 (HWCD 2008, a = -1) with every coordinate negated,
/// which is the same point: with XX = X^2, YY = Y^2, x = 2XY / (YY - XX) and
/// y = (YY + XX) / (2Z^2 - (YY - XX)), where 2XY = (X + Y)^2 - (YY + XX).
inline completed dbl(const projective& p) noexcept {
    const fe25519 xx = fe25519_sq(p.x);
    const fe25519 yy = fe25519_sq(p.y);
    const fe25519 zz2 = fe25519_carry(fe25519_add(fe25519_sq(p.z), fe25519_sq(p.z)));
    const fe25519 s = fe25519_sq(fe25519_add(p.x, p.y));
    completed r;
    r.y = fe25519_add(yy, xx);
    r.z = fe25519_sub(yy, xx);
    r.x = fe25519_sub(s, fe25519_carry(r.y));
    r.t = fe25519_sub(zz2, fe25519_carry(r.z));
    return r;
}

/// P + Q or, with `subtract`, P - Q, by the addition of RFC 8032 §5.1.4 (HWCD 2008,
/// "add-2008-hwcd-3"): A = (Y1 - X1)(Y2 - X2), B = (Y1 + X1)(Y2 + X2), C = 2d T1 T2, D = 2 Z1 Z2,
/// then x = (B - A) / (D + C) and y = (B + A) / (D - C). Negating Q swaps Y2 + X2 with Y2 - X2
/// and negates T2, which swaps D + C with D - C. `dz` is D, computed by the caller (2 Z1 for an
/// affine Q).
inline completed add_prepared(const point& p, const fe25519& q_y_plus_x, const fe25519& q_y_minus_x,
                              const fe25519& q_t2d, const fe25519& dz, bool subtract) noexcept {
    const fe25519 a = fe25519_mul(fe25519_sub(p.y, p.x), subtract ? q_y_plus_x : q_y_minus_x);
    const fe25519 b = fe25519_mul(fe25519_add(p.y, p.x), subtract ? q_y_minus_x : q_y_plus_x);
    const fe25519 c = fe25519_mul(p.t, q_t2d);
    const fe25519 d_plus_c = fe25519_add(dz, c);
    const fe25519 d_minus_c = fe25519_sub(dz, c);
    completed r;
    r.x = fe25519_sub(b, a);
    r.y = fe25519_add(b, a);
    r.z = subtract ? d_minus_c : d_plus_c;
    r.t = subtract ? d_plus_c : d_minus_c;
    return r;
}

inline completed add(const point& p, const cached& q, bool subtract) noexcept {
    return add_prepared(p, q.y_plus_x, q.y_minus_x, q.t2d, fe25519_mul(p.z, q.z2), subtract);
}

inline completed add(const point& p, const affine_cached& q, bool subtract) noexcept {
    return add_prepared(p, q.y_plus_x, q.y_minus_x, q.xy2d, fe25519_carry(fe25519_add(p.z, p.z)),
                        subtract);
}

/// Decode a point (RFC 8032 §5.1.3), strictly: y must be canonical (< p), x must exist, and the
/// encoding x = 0 with the sign bit set is refused. Errors: `bad_public_key` for a non-canonical
/// y or the negative zero, `point_not_on_curve` when (y^2 - 1) / (d y^2 + 1) is not a square.
/// CT: variable time (public input).
inline errc decode(std::span<const std::uint8_t, 32> in, point& out) noexcept {
    const bool sign = (in[31] >> 7) != 0;
    const fe25519 y = fe25519_decode(in); // the top bit ignored; limbs < 2^51
    // Step 1: y < p, i.e. its canonical encoding gives back the input (without the sign bit).
    std::array<std::uint8_t, 32> canonical{};
    fe25519_encode(y, canonical);
    canonical[31] |= static_cast<std::uint8_t>(in[31] & 0x80);
    if (!std::equal(canonical.begin(), canonical.end(), in.begin())) {
        return errc::bad_public_key;
    }
    // Step 2: x = u v^3 (u v^7)^((p-5)/8) is a square root of u / v if one exists.
    const fe25519 yy = sq_cold(y);
    const fe25519 u = fe25519_carry(fe25519_sub(yy, fe_one));
    const fe25519 v = fe25519_add(mul_cold(yy, curve_d), fe_one);
    const fe25519 v2 = sq_cold(v);
    const fe25519 uv3 = mul_cold(u, mul_cold(v2, v));
    const fe25519 uv7 = mul_cold(uv3, sq_cold(v2));
    fe25519 x = mul_cold(uv3, fe25519_pow_p58(uv7));
    // Step 3: v x^2 = u, or = -u and then x sqrt(-1) is the root; otherwise no root exists.
    const fe25519 vxx = mul_cold(v, sq_cold(x));
    if (!is_zero_vartime(fe25519_sub(vxx, u))) {
        if (!is_zero_vartime(fe25519_add(vxx, u))) {
            return errc::point_not_on_curve;
        }
        x = mul_cold(x, sqrt_m1);
    }
    // Step 4: x = 0 has no negative; otherwise pick the root whose low bit is the sign bit.
    if (is_zero_vartime(x) && sign) {
        return errc::bad_public_key;
    }
    if (is_odd_vartime(x) != sign) {
        x = fe25519_carry(fe25519_sub(fe_zero, x));
    }
    out = {x, y, fe_one, mul_cold(x, y)};
    return errc::ok;
}

/// The encoding of a point (RFC 8032 §5.1.2): y in 255 little-endian bits, the low bit of x on
/// top. CT: branch-free (a signer encodes R = [r]B before it is public): a fixed-exponent
/// inversion, and the sign bit moved by shifts.
inline void encode(const projective& p, std::span<std::uint8_t, 32> out) noexcept {
    const fe25519 z_inv = fe25519_invert(p.z);
    std::array<std::uint8_t, 32> x{};
    fe25519_encode(mul_cold(p.x, z_inv), x);
    fe25519_encode(mul_cold(p.y, z_inv), out);
    out[31] = static_cast<std::uint8_t>(out[31] | ((x[0] & 1) << 7));
}

// ---- scalars modulo L ---------------------------------------------------------------------------

/// An integer below 2^256 in 64-bit limbs, least significant first.
using scalar = std::array<std::uint64_t, 4>;

/// L = 2^252 + 27742317777372353535851937790883648493, the order of B (RFC 8032 §5.1).
inline constexpr scalar order =
    hex_limbs<4>("1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed");

/// floor(2^512 / L), Barrett's constant for reducing 512-bit numbers (checked by the tests).
inline constexpr std::array<std::uint64_t, 5> barrett_mu =
    hex_limbs<5>("fffffffffffffffffffffffffffffffeb2106215d086329a7ed9ce5a30a2c131b");

/// 32 little-endian bytes as limbs.
inline scalar load_scalar(std::span<const std::uint8_t, 32> in) noexcept {
    using https::detail::load_le64;
    return {load_le64(in.data()), load_le64(in.data() + 8), load_le64(in.data() + 16),
            load_le64(in.data() + 24)};
}

/// Whether a < b, for equal limb counts. CT: variable time (public values only).
template <std::size_t N>
bool less_vartime(const std::array<std::uint64_t, N>& a,
                  const std::array<std::uint64_t, N>& b) noexcept {
    for (std::size_t i = N; i-- > 0;) {
        if (a[i] != b[i]) {
            return a[i] < b[i];
        }
    }
    return false;
}

/// Whether 32 little-endian bytes encode an integer below L: RFC 8032 §5.1.7 step 1 refuses
/// signatures whose S is not, which keeps signatures non-malleable (§8.4).
/// CT: variable time (public input).
inline bool is_canonical_scalar(std::span<const std::uint8_t, 32> s) noexcept {
    return less_vartime(load_scalar(s), order);
}

/// A 512-bit integer in 64-bit limbs, least significant first.
using wide_scalar = std::array<std::uint64_t, 8>;

/// x mod L for x < 2^512, by Barrett reduction (Handbook of Applied Cryptography, algorithm
/// 14.42, with base b = 2^64 and k = 4 limbs): q = floor(floor(x / b^3) mu / b^5) is at most 2
/// below floor(x / L), so x - q L, computed mod b^5, needs at most two subtractions of L, both
/// always computed and kept under a mask.
/// CT: a fixed sequence of multiplications, additions and masked selections (signing reduces
/// the secret nonce hash and S = r + k s with it).
inline scalar reduce_limbs(const wide_scalar& x) noexcept {
    using u128 = fe25519_u128;
    // q2 = floor(x / b^3) * mu (10 limbs); only its top five limbs, q3 = floor(q2 / b^5), are used
    std::array<std::uint64_t, 10> q2{};
    for (std::size_t i = 0; i < 5; ++i) {
        std::uint64_t carry = 0;
        for (std::size_t j = 0; j < 5; ++j) {
            const u128 t = u128{x[3 + i]} * barrett_mu[j] + q2[i + j] + carry;
            q2[i + j] = static_cast<std::uint64_t>(t);
            carry = static_cast<std::uint64_t>(t >> 64);
        }
        q2[i + 5] = carry;
    }
    // r = (x mod b^5) - (q3 L mod b^5), mod b^5
    std::array<std::uint64_t, 5> q3_l{};
    for (std::size_t i = 0; i < 5; ++i) {
        std::uint64_t carry = 0;
        for (std::size_t j = 0; i + j < 5; ++j) {
            const std::uint64_t l = j < 4 ? order[j] : 0;
            const u128 t = u128{q2[5 + i]} * l + q3_l[i + j] + carry;
            q3_l[i + j] = static_cast<std::uint64_t>(t);
            carry = static_cast<std::uint64_t>(t >> 64);
        }
    }
    std::array<std::uint64_t, 5> r{};
    std::uint64_t borrow = 0;
    for (std::size_t i = 0; i < 5; ++i) {
        const u128 t = u128{x[i]} - q3_l[i] - borrow;
        r[i] = static_cast<std::uint64_t>(t);
        borrow = static_cast<std::uint64_t>(t >> 64) & 1;
    }
    const std::array<std::uint64_t, 5> l5{order[0], order[1], order[2], order[3], 0};
    for (int pass = 0; pass < 2; ++pass) { // r < 3L: at most two subtractions
        std::array<std::uint64_t, 5> d{};
        borrow = 0;
        for (std::size_t i = 0; i < 5; ++i) {
            const u128 t = u128{r[i]} - l5[i] - borrow;
            d[i] = static_cast<std::uint64_t>(t);
            borrow = static_cast<std::uint64_t>(t >> 64) & 1;
        }
        // keep r where r - L borrowed (r < L), else take r - L
        const std::uint64_t keep = ct::value_barrier(std::uint64_t{0} - borrow);
        for (std::size_t i = 0; i < 5; ++i) {
            r[i] = (r[i] & keep) | (d[i] & ~keep);
        }
    }
    return {r[0], r[1], r[2], r[3]};
}

/// x mod L for a 64-byte little-endian x (the SHA-512 output that RFC 8032 §5.1.6 steps 2 and 4
/// and §5.1.7 step 2 read as an integer). CT: as reduce_limbs.
inline scalar reduce_wide(std::span<const std::uint8_t, 64> in) noexcept {
    wide_scalar x{};
    for (std::size_t i = 0; i < 8; ++i) {
        x[i] = https::detail::load_le64(in.data() + 8 * i);
    }
    const scalar r = reduce_limbs(x);
    ct::wipe(x);
    return r;
}

/// (a b + c) mod L for a, b, c < 2^256 (then a b + c < 2^512): the S = r + k s of RFC 8032
/// §5.1.6 step 5, with s the clamped secret scalar (not reduced mod L).
/// CT: a fixed sequence of word multiplications and additions, then reduce_limbs.
inline scalar mul_add(const scalar& a, const scalar& b, const scalar& c) noexcept {
    using u128 = fe25519_u128;
    wide_scalar x{};
    for (std::size_t i = 0; i < 4; ++i) {
        std::uint64_t carry = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            const u128 t = u128{a[i]} * b[j] + x[i + j] + carry;
            x[i + j] = static_cast<std::uint64_t>(t);
            carry = static_cast<std::uint64_t>(t >> 64);
        }
        x[i + 4] = carry;
    }
    std::uint64_t carry = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        const u128 t = u128{x[i]} + (i < 4 ? c[i] : 0) + carry;
        x[i] = static_cast<std::uint64_t>(t);
        carry = static_cast<std::uint64_t>(t >> 64);
    }
    const scalar r = reduce_limbs(x);
    ct::wipe(x);
    return r;
}

/// Width-W non-adjacent form of s < 2^253: digits[i] is zero or odd in (-2^(W-1), 2^(W-1)), any
/// W consecutive digits hold at most one non-zero, and s = sum of digits[i] 2^i.
/// Scanning up from bit 0 with a carry c: where bit i + c is even the digit is 0 and c passes
/// on; otherwise the W-bit window w (plus c) becomes the digit w or w - 2^W (then c = 1), which
/// clears the window, so the scan jumps W bits. CT: variable time (public scalars only).
template <unsigned W>
void wnaf_vartime(const scalar& s, std::array<std::int8_t, 256>& digits) noexcept {
    static_assert(W >= 2 && W <= 8);
    const std::array<std::uint64_t, 5> v{s[0], s[1], s[2], s[3], 0};
    digits.fill(0);
    std::uint64_t carry = 0;
    for (std::size_t pos = 0; pos < 256;) {
        const std::size_t limb = pos / 64;
        const std::size_t shift = pos % 64;
        std::uint64_t bits = v[limb] >> shift;
        if (shift + W > 64) { // then shift > 0
            bits |= v[limb + 1] << (64 - shift);
        }
        const std::uint64_t window = carry + (bits & ((std::uint64_t{1} << W) - 1));
        if ((window & 1) == 0) {
            ++pos;
            continue;
        }
        if (window < (std::uint64_t{1} << (W - 1))) {
            digits[pos] = static_cast<std::int8_t>(window);
            carry = 0;
        } else {
            digits[pos] = static_cast<std::int8_t>(static_cast<std::int64_t>(window) - (1 << W));
            carry = 1;
        }
        pos += W;
    }
    // s < 2^253 leaves no carry: the top window starts at bit 253 - W or above, where the
    // remaining value (at most 2^(W-1)) is a positive digit or, when even, carries into one.
    assert(carry == 0);
}

/// Window widths of the verification: the base point's odd multiples are computed once (64
/// affine points, 7.5 KB); the public key's (8 points) once per verification.
inline constexpr unsigned base_window = 8;
inline constexpr unsigned key_window = 5;
inline constexpr std::size_t base_table_size = std::size_t{1} << (base_window - 2);
inline constexpr std::size_t key_table_size = std::size_t{1} << (key_window - 2);

/// B, 3B, 5B, ..., 127B, affine.
struct base_table {
    std::array<affine_cached, base_table_size> points;

    base_table() noexcept {
        point b{};
        [[maybe_unused]] const errc e = decode(base_point_encoding, b);
        assert(e == errc::ok);
        const cached twice_b = to_cached(to_point(dbl({b.x, b.y, b.z})));
        std::array<point, base_table_size> odd;
        odd[0] = b;
        for (std::size_t i = 1; i < odd.size(); ++i) {
            odd[i] = to_point(add(odd[i - 1], twice_b, false));
        }
        // One inversion for all (Montgomery's trick): prefix[i] = Z0 ... Zi.
        std::array<fe25519, base_table_size> prefix;
        prefix[0] = odd[0].z;
        for (std::size_t i = 1; i < odd.size(); ++i) {
            prefix[i] = mul_cold(prefix[i - 1], odd[i].z);
        }
        fe25519 inv = fe25519_invert(prefix.back()); // 1 / (Z0 ... Zn)
        for (std::size_t i = odd.size(); i-- > 0;) {
            const fe25519 z_inv = i == 0 ? inv : mul_cold(inv, prefix[i - 1]);
            inv = mul_cold(inv, odd[i].z); // 1 / (Z0 ... Z(i-1))
            const fe25519 x = mul_cold(odd[i].x, z_inv);
            const fe25519 y = mul_cold(odd[i].y, z_inv);
            points[i] = {fe25519_add(y, x), fe25519_sub(y, x), mul_cold(mul_cold(x, y), curve_2d)};
        }
    }
};

inline const base_table& base_multiples() noexcept {
    static const base_table table; // thread-safe initialisation (C++11 "magic statics")
    return table;
}

/// [s]B - [k]A by Straus' method (interleaved width-8 NAF of s over the table of B and width-5
/// NAF of k over odd multiples of A computed here), sharing the doublings: about 253 doublings
/// and 28 + 42 additions, against 253 doublings and about 127 + 127 additions for two separate
/// double-and-add ladders. Requires s, k < 2^253.
/// CT: variable time (public inputs only: a verification).
inline projective double_scalar_mul_vartime(const scalar& s, const scalar& k,
                                            const point& a) noexcept {
    std::array<std::int8_t, 256> s_digits;
    std::array<std::int8_t, 256> k_digits;
    wnaf_vartime<base_window>(s, s_digits);
    wnaf_vartime<key_window>(k, k_digits);

    std::array<cached, key_table_size> a_odd; // A, 3A, ..., 15A
    a_odd[0] = to_cached(a);
    const cached twice_a = to_cached(to_point(dbl({a.x, a.y, a.z})));
    point multiple = a;
    for (std::size_t i = 1; i < a_odd.size(); ++i) {
        multiple = to_point(add(multiple, twice_a, false));
        a_odd[i] = to_cached(multiple);
    }
    const base_table& b_odd = base_multiples();

    std::size_t top = 256;
    while (top > 0 && s_digits[top - 1] == 0 && k_digits[top - 1] == 0) {
        --top;
    }
    projective acc{fe_zero, fe_one, fe_one}; // the neutral element (0, 1)
    for (std::size_t i = top; i-- > 0;) {
        completed c = dbl(acc);
        // wNAF digits are signed by design (odd, in -2^(W-1)..2^(W-1)).
        // NOLINTNEXTLINE(bugprone-signed-char-misuse,cert-str34-c)
        if (const int digit = s_digits[i]; digit != 0) {
            const auto& q =
                b_odd.points[static_cast<std::size_t>((digit < 0 ? -digit : digit) / 2)];
            c = add(to_point(c), q, digit < 0);
        }
        // NOLINTNEXTLINE(bugprone-signed-char-misuse,cert-str34-c)
        if (const int digit = k_digits[i]; digit != 0) { // subtracts [digit]A
            const auto& q = a_odd[static_cast<std::size_t>((digit < 0 ? -digit : digit) / 2)];
            c = add(to_point(c), q, digit > 0);
        }
        acc = to_projective(c);
    }
    return acc;
}


// ---- constant-time fixed-base multiplication (signing: secret scalars) --------------------------

/// Rows of the signing table: row j holds [k] 256^j B for k = 1..8, so a scalar written in 64
/// signed radix-16 digits e_i (a = sum e_i 16^i, e_i in [-8, 8]) takes one entry per digit: the
/// even digits e_2j from row j directly, the odd ones e_(2j+1) from row j too, their sum then
/// multiplied by 16 (16^(2j+1) = 16 * 256^j), which costs four doublings in all.
inline constexpr std::size_t signing_rows = 32;
inline constexpr std::size_t signing_row_size = 8;

/// The signing table, affine and prepared for additions, every limb carried (tight) so an entry
/// can be negated by swapping y + x with y - x and negating 2dxy. About 30 KB, computed on first
/// use from B with the verification formulas (public data, so variable time is fine there).
struct signing_table {
    std::array<std::array<affine_cached, signing_row_size>, signing_rows> rows;

    signing_table() noexcept {
        point b{};
        [[maybe_unused]] const errc e = decode(base_point_encoding, b);
        assert(e == errc::ok);
        point row_base = b; // 256^j B
        for (auto& row : rows) {
            std::array<point, signing_row_size> multiples;
            multiples[0] = row_base;
            const cached base_cached = to_cached(row_base);
            for (std::size_t k = 1; k < signing_row_size; ++k) {
                multiples[k] = to_point(add(multiples[k - 1], base_cached, false));
            }
            // One inversion per row (Montgomery's trick): prefix[k] = Z0 ... Zk.
            std::array<fe25519, signing_row_size> prefix;
            prefix[0] = multiples[0].z;
            for (std::size_t k = 1; k < signing_row_size; ++k) {
                prefix[k] = mul_cold(prefix[k - 1], multiples[k].z);
            }
            fe25519 inv = fe25519_invert(prefix.back());
            for (std::size_t k = signing_row_size; k-- > 0;) {
                const fe25519 z_inv = k == 0 ? inv : mul_cold(inv, prefix[k - 1]);
                inv = mul_cold(inv, multiples[k].z);
                const fe25519 x = mul_cold(multiples[k].x, z_inv);
                const fe25519 y = mul_cold(multiples[k].y, z_inv);
                row[k] = {fe25519_carry(fe25519_add(y, x)), fe25519_carry(fe25519_sub(y, x)),
                          mul_cold(mul_cold(x, y), curve_2d)};
            }
            // 256^(j+1) B = 2^8 (256^j B): eight doublings
            projective p{row_base.x, row_base.y, row_base.z};
            for (int i = 0; i < 7; ++i) {
                p = to_projective(dbl(p));
            }
            row_base = to_point(dbl(p));
        }
    }
};

inline const signing_table& signing_multiples() noexcept {
    static const signing_table table; // thread-safe initialisation (C++11 "magic statics")
    return table;
}

/// dst = src where `mask` is all ones. CT: branch-free.
inline void cmov(fe25519& dst, const fe25519& src, std::uint64_t mask) noexcept {
    for (std::size_t i = 0; i < 5; ++i) {
        dst.v[i] ^= (dst.v[i] ^ src.v[i]) & mask;
    }
}

/// [|digit|] 256^j B from row j, negated when digit < 0; the neutral element (1, 1, 0) for 0.
/// CT: all eight entries are read and masked in; the sign is applied by masks.
inline affine_cached select_signing(const std::array<affine_cached, signing_row_size>& row,
                                    std::int8_t digit) noexcept {
    const auto d = static_cast<std::uint64_t>(static_cast<std::int64_t>(digit));
    const std::uint64_t negative = ct::value_barrier(std::uint64_t{0} - (d >> 63));
    const std::uint64_t magnitude = (d ^ negative) - negative; // 0..8
    affine_cached t{fe_one, fe_one, fe_zero};
    for (std::size_t k = 0; k < signing_row_size; ++k) {
        const std::uint64_t hit = ct::mask<std::uint64_t>::equal(magnitude, k + 1).value();
        cmov(t.y_plus_x, row[k].y_plus_x, hit);
        cmov(t.y_minus_x, row[k].y_minus_x, hit);
        cmov(t.xy2d, row[k].xy2d, hit);
    }
    // -(x, y) = (-x, y): y + x and y - x trade places, 2dxy changes sign
    const fe25519 plus = t.y_plus_x;
    cmov(t.y_plus_x, t.y_minus_x, negative);
    cmov(t.y_minus_x, plus, negative);
    cmov(t.xy2d, fe25519_carry(fe25519_sub(fe_zero, t.xy2d)), negative);
    return t;
}

/// [a]B for a secret a < 2^255 given as 32 little-endian bytes (the clamped secret scalar s of
/// RFC 8032 §5.1.5, or the nonce r reduced mod L of §5.1.6 step 2), in extended coordinates.
/// The digits: a's 64 nibbles, then recoded into [-8, 8) with a carry into the next (the top
/// digit ends in [0, 8] because a < 2^255). Then 64 additions of table entries (complete
/// formulas: the neutral element and equal points need no special case) and four doublings.
/// CT: no branch or memory index depends on a; each row is scanned in full.
inline point mul_base(std::span<const std::uint8_t, 32> a) noexcept {
    std::array<std::int8_t, 64> e{};
    for (std::size_t i = 0; i < 32; ++i) {
        e[2 * i] = static_cast<std::int8_t>(a[i] & 15);
        e[2 * i + 1] = static_cast<std::int8_t>(a[i] >> 4);
    }
    std::int8_t carry = 0;
    for (std::size_t i = 0; i < 63; ++i) {
        e[i] = static_cast<std::int8_t>(e[i] + carry);
        carry = static_cast<std::int8_t>((e[i] + 8) >> 4); // arithmetic shift (C++20)
        e[i] = static_cast<std::int8_t>(e[i] - carry * 16);
    }
    e[63] = static_cast<std::int8_t>(e[63] + carry);

    const signing_table& table = signing_multiples();
    point h{fe_zero, fe_one, fe_one, fe_zero}; // the neutral element (0, 1)
    for (std::size_t i = 1; i < 64; i += 2) {
        h = to_point(add(h, select_signing(table.rows[i / 2], e[i]), false));
    }
    projective p{h.x, h.y, h.z};
    for (int i = 0; i < 3; ++i) {
        p = to_projective(dbl(p));
    }
    h = to_point(dbl(p));
    for (std::size_t i = 0; i < 64; i += 2) {
        h = to_point(add(h, select_signing(table.rows[i / 2], e[i]), false));
    }
    ct::wipe(e.data(), e.size());
    return h;
}

} // namespace https::crypto::detail::ed25519
