// GF(2^255 - 19) arithmetic in radix 2^51, shared by X25519 (x25519.hpp) and Ed25519
// (ed25519.hpp, through detail/edwards25519.hpp).
#pragma once

#include "../../core/bytes.hpp"
#include "../../core/ct.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace https::crypto::detail {

__extension__ typedef unsigned __int128 fe25519_u128; // -Wpedantic: a GCC/Clang extension

/// An element of GF(p), p = 2^255 - 19, as v[0] + v[1]*2^51 + ... + v[4]*2^204. Limbs may exceed
/// 2^51 (carries are lazy); each operation says which limb bounds it accepts and returns:
///   "tight": every limb < 2^51 + 2^13 (what mul, sq, mul_small and decode return),
///   "loose": every limb < 2^53 (what add and sub return from tight inputs).
/// mul and sq accept loose inputs: with limbs < 2^53 every 128-bit column sum stays below 2^113
/// and the carry out of the top column times 19 below 2^64 (worked out at fe25519_mul).
struct fe25519 {
    std::array<std::uint64_t, 5> v;
};

inline constexpr std::uint64_t fe25519_mask51 = (std::uint64_t{1} << 51) - 1;

/// h = f + g, no carry. Tight + tight -> loose (< 2^52 + 2^14). CT: branch-free.
inline fe25519 fe25519_add(const fe25519& f, const fe25519& g) noexcept {
    return {{f.v[0] + g.v[0], f.v[1] + g.v[1], f.v[2] + g.v[2], f.v[3] + g.v[3], f.v[4] + g.v[4]}};
}

/// h = f - g + 2p, so no limb goes negative. Requires g tight (each limb of 2p, 2^52 - 38 or
/// 2^52 - 2, exceeds 2^51 + 2^13) and f tight; returns loose (< 2^53). CT: branch-free.
inline fe25519 fe25519_sub(const fe25519& f, const fe25519& g) noexcept {
    constexpr std::uint64_t two_p0 = 0xfffffffffffdaULL; // 2 * (2^51 - 19)
    constexpr std::uint64_t two_pi = 0xffffffffffffeULL; // 2 * (2^51 - 1)
    return {{f.v[0] + two_p0 - g.v[0], f.v[1] + two_pi - g.v[1], f.v[2] + two_pi - g.v[2],
             f.v[3] + two_pi - g.v[3], f.v[4] + two_pi - g.v[4]}};
}

/// Carry five 128-bit column sums into a tight element. Requires t0..t3 < 2^114 (every carry
/// then fits in 63 bits) and t4 < 2^110, so that the carry out of the top column, times 19
/// (2^255 = 19 mod p), fits in 64 bits. CT: branch-free.
[[gnu::always_inline]] inline fe25519 fe25519_carry_wide(fe25519_u128 t0, fe25519_u128 t1,
                                                         fe25519_u128 t2, fe25519_u128 t3,
                                                         fe25519_u128 t4) noexcept {
    constexpr std::uint64_t m = fe25519_mask51;
    // Two interleaved chains (0 -> 1 -> 2 -> 3 and 3 -> 4 -> 0 -> 1) halve the dependent steps.
    t1 += static_cast<std::uint64_t>(t0 >> 51);
    t4 += static_cast<std::uint64_t>(t3 >> 51);
    std::uint64_t r0 = static_cast<std::uint64_t>(t0) & m;
    std::uint64_t r3 = static_cast<std::uint64_t>(t3) & m;
    t2 += static_cast<std::uint64_t>(t1 >> 51);
    r0 += static_cast<std::uint64_t>(t4 >> 51) * 19;
    std::uint64_t r1 = static_cast<std::uint64_t>(t1) & m;
    std::uint64_t r4 = static_cast<std::uint64_t>(t4) & m;
    r3 += static_cast<std::uint64_t>(t2 >> 51);
    std::uint64_t r2 = static_cast<std::uint64_t>(t2) & m;
    r1 += r0 >> 51;
    r0 &= m;
    r4 += r3 >> 51;
    r3 &= m;
    return {{r0, r1, r2, r3, r4}};
}

/// h = f * g. Loose inputs, tight output.
/// Bounds: with limbs < 2^53, 19 * g_i < 2^57.3, so every product is < 2^110.3 and each column of
/// five products < 2^112.7; the top column has no factor 19 and stays < 2^108.4 with the carry
/// it receives, so its carry out is < 2^57.4 and 19 times that < 2^61.7.
/// CT: fixed sequence of multiplications (constant-time on x86-64 and AArch64), no branch.
[[gnu::always_inline]] inline fe25519 fe25519_mul(const fe25519& f, const fe25519& g) noexcept {
    using w = fe25519_u128;
    const std::uint64_t f0 = f.v[0], f1 = f.v[1], f2 = f.v[2], f3 = f.v[3], f4 = f.v[4];
    const std::uint64_t g0 = g.v[0], g1 = g.v[1], g2 = g.v[2], g3 = g.v[3], g4 = g.v[4];
    // 2^255 = 19 (mod p): a product landing in column 5+i is folded into column i times 19.
    const std::uint64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
    const w t0 = w{f0} * g0 + w{f1} * g4_19 + w{f2} * g3_19 + w{f3} * g2_19 + w{f4} * g1_19;
    const w t1 = w{f0} * g1 + w{f1} * g0 + w{f2} * g4_19 + w{f3} * g3_19 + w{f4} * g2_19;
    const w t2 = w{f0} * g2 + w{f1} * g1 + w{f2} * g0 + w{f3} * g4_19 + w{f4} * g3_19;
    const w t3 = w{f0} * g3 + w{f1} * g2 + w{f2} * g1 + w{f3} * g0 + w{f4} * g4_19;
    const w t4 = w{f0} * g4 + w{f1} * g3 + w{f2} * g2 + w{f3} * g1 + w{f4} * g0;
    return fe25519_carry_wide(t0, t1, t2, t3, t4);
}

/// h = f^2: 15 products instead of 25 by doubling the cross terms. Loose input, tight output.
/// Bounds: with limbs < 2^53 a doubled limb is < 2^54 and 19 times a limb < 2^57.3, so each
/// column of three products is < 2^112.4 and the top one (no factor 19) < 2^108.3.
/// CT: fixed sequence of multiplications, no branch.
[[gnu::always_inline]] inline fe25519 fe25519_sq(const fe25519& f) noexcept {
    using w = fe25519_u128;
    const std::uint64_t f0 = f.v[0], f1 = f.v[1], f2 = f.v[2], f3 = f.v[3], f4 = f.v[4];
    const std::uint64_t f0_2 = 2 * f0, f1_2 = 2 * f1, f2_2 = 2 * f2, f3_2 = 2 * f3;
    const std::uint64_t f3_19 = 19 * f3, f4_19 = 19 * f4;
    const w t0 = w{f0} * f0 + w{f1_2} * f4_19 + w{f2_2} * f3_19;
    const w t1 = w{f0_2} * f1 + w{f2_2} * f4_19 + w{f3} * f3_19;
    const w t2 = w{f0_2} * f2 + w{f1} * f1 + w{f3_2} * f4_19;
    const w t3 = w{f0_2} * f3 + w{f1_2} * f2 + w{f4} * f4_19;
    const w t4 = w{f0_2} * f4 + w{f1_2} * f3 + w{f2} * f2;
    return fe25519_carry_wide(t0, t1, t2, t3, t4);
}

/// h = f^(2^n): n squarings (n is public). CT: n only.
inline fe25519 fe25519_sq_n(fe25519 f, unsigned n) noexcept {
    for (unsigned i = 0; i < n; ++i) {
        f = fe25519_sq(f);
    }
    return f;
}

/// h = f * c for a small public constant c < 2^17. Loose input, tight output. CT: branch-free.
inline fe25519 fe25519_mul_small(const fe25519& f, std::uint32_t c) noexcept {
    using w = fe25519_u128;
    return fe25519_carry_wide(w{f.v[0]} * c, w{f.v[1]} * c, w{f.v[2]} * c, w{f.v[3]} * c,
                              w{f.v[4]} * c);
}

/// One step of an exponentiation chain: t[i + 1] = t[base]^(2^squarings) * t[factor].
struct fe25519_chain_step {
    std::uint8_t squarings, base, factor;
};

/// z^e for the exponents of the form 2^k * (2^250 - 1) + small that inversion and square roots
/// need: a fixed chain to t11 = z^(2^250 - 1) (keeping t0 = z, t3 = z^11 and the others for the
/// last step), then the caller's last step. 250 squarings and 11 multiplications (z^2 taken as
/// z * z) plus the last step. The chain is a table run by one loop, so one squaring and one
/// multiplication are compiled (written out step by step, the chain made 9.5 KB of code).
/// Loose input, tight output.
/// CT: fixed sequence of operations; the table indices are public; no branch on z.
inline fe25519 fe25519_pow_chain(const fe25519& z, fe25519_chain_step last) noexcept {
    static constexpr fe25519_chain_step chain[] = {
        {0, 0, 0},   // t1 = z^2
        {2, 1, 0},   // t2 = z^9
        {0, 2, 1},   // t3 = z^11
        {1, 3, 2},   // t4 = z^(2^5 - 1)
        {5, 4, 4},   // t5 = z^(2^10 - 1)
        {10, 5, 5},  // t6 = z^(2^20 - 1)
        {20, 6, 6},  // t7 = z^(2^40 - 1)
        {10, 7, 5},  // t8 = z^(2^50 - 1)
        {50, 8, 8},  // t9 = z^(2^100 - 1)
        {100, 9, 9}, // t10 = z^(2^200 - 1)
        {50, 10, 8}, // t11 = z^(2^250 - 1)
    };
    constexpr std::size_t steps = sizeof chain / sizeof chain[0] + 1;
    std::array<fe25519, steps + 1> t;
    t[0] = z;
    for (std::size_t i = 0; i < steps; ++i) {
        const fe25519_chain_step s = i + 1 < steps ? chain[i] : last;
        t[i + 1] = fe25519_mul(fe25519_sq_n(t[s.base], s.squarings), t[s.factor]);
    }
    const fe25519 r = t[steps];
    ct::wipe(t.data(), sizeof t);
    return r;
}

/// h = f^(p-2) = 1/f (and 0 for f = 0): p - 2 = 2^255 - 21 = 2^5 (2^250 - 1) + 11, 255
/// squarings and 12 multiplications, the same for every input. Loose input, tight output.
/// CT: fixed sequence of operations; no branch on f.
inline fe25519 fe25519_invert(const fe25519& z) noexcept {
    return fe25519_pow_chain(z, {5, 11, 3}); // t12 = t11^(2^5) * z^11 = z^(2^255 - 32 + 11)
}

/// h = f^((p-5)/8), the exponent of the square-root computation of RFC 8032 §5.1.3:
/// (p - 5) / 8 = 2^252 - 3 = 2^2 (2^250 - 1) + 1. Loose input, tight output.
/// CT: fixed sequence of operations; no branch on f.
inline fe25519 fe25519_pow_p58(const fe25519& z) noexcept {
    return fe25519_pow_chain(z, {2, 11, 0}); // t12 = t11^(2^2) * z = z^(2^252 - 4 + 1)
}

/// Carry a loose element (limbs < 2^63) into a tight one, the value unchanged mod p: for
/// results of add or sub that must feed another add or sub. CT: branch-free.
inline fe25519 fe25519_carry(const fe25519& f) noexcept {
    constexpr std::uint64_t m = fe25519_mask51;
    // One pass: every carry is below 2^13 (limbs < 2^63 plus a carry), the top one times 19
    // below 2^18, so limb 0 ends below 2^51 + 2^18; carrying it once more leaves limb 1 at most
    // 2^51 and every other limb below 2^51.
    std::uint64_t h0 = f.v[0], h1 = f.v[1], h2 = f.v[2], h3 = f.v[3], h4 = f.v[4];
    h1 += h0 >> 51;
    h0 &= m;
    h2 += h1 >> 51;
    h1 &= m;
    h3 += h2 >> 51;
    h2 &= m;
    h4 += h3 >> 51;
    h3 &= m;
    h0 += (h4 >> 51) * 19;
    h4 &= m;
    h1 += h0 >> 51;
    h0 &= m;
    return {{h0, h1, h2, h3, h4}};
}

/// Decode 32 little-endian bytes, ignoring the top bit (RFC 7748 §5: "implementations of X25519
/// MUST mask the most significant bit in the final byte"). Values in [p, 2^255) are kept as they
/// are: the arithmetic is mod p, so they act as u - p, which is what §5 asks of non-canonical u.
/// Returns all limbs < 2^51. CT: branch-free.
inline fe25519 fe25519_decode(std::span<const std::uint8_t, 32> s) noexcept {
    using https::detail::load_le64;
    const std::uint64_t w0 = load_le64(s.data()), w1 = load_le64(s.data() + 8),
                        w2 = load_le64(s.data() + 16), w3 = load_le64(s.data() + 24);
    constexpr std::uint64_t m = fe25519_mask51;
    return {{w0 & m, ((w0 >> 51) | (w1 << 13)) & m, ((w1 >> 38) | (w2 << 26)) & m,
             ((w2 >> 25) | (w3 << 39)) & m, (w3 >> 12) & m}};
}

/// Encode the canonical representative (in [0, p)) as 32 little-endian bytes. Tight input.
/// CT: branch-free; the final subtraction of p is done by arithmetic on the carry q.
inline void fe25519_encode(const fe25519& f, std::span<std::uint8_t, 32> out) noexcept {
    constexpr std::uint64_t m = fe25519_mask51;
    std::uint64_t h0 = f.v[0], h1 = f.v[1], h2 = f.v[2], h3 = f.v[3], h4 = f.v[4];
    // One carry pass: limbs < 2^51 except h0 < 2^51 + 19, so h < 2^255 + 19 < 2p.
    h1 += h0 >> 51;
    h0 &= m;
    h2 += h1 >> 51;
    h1 &= m;
    h3 += h2 >> 51;
    h2 &= m;
    h4 += h3 >> 51;
    h3 &= m;
    h0 += (h4 >> 51) * 19;
    h4 &= m;
    // q = floor((h + 19) / 2^255), exactly, by carrying h + 19 without storing it; for h < 2p,
    // q is 1 when h >= p and 0 otherwise, and h - q*p = h + 19q - q*2^255 is the answer.
    std::uint64_t q = (h0 + 19) >> 51;
    q = (h1 + q) >> 51;
    q = (h2 + q) >> 51;
    q = (h3 + q) >> 51;
    q = (h4 + q) >> 51;
    h0 += 19 * q;
    h1 += h0 >> 51;
    h0 &= m;
    h2 += h1 >> 51;
    h1 &= m;
    h3 += h2 >> 51;
    h2 &= m;
    h4 += h3 >> 51;
    h3 &= m;
    h4 &= m; // drops the q * 2^255
    using https::detail::store_le64;
    store_le64(out.data(), h0 | (h1 << 51));
    store_le64(out.data() + 8, (h1 >> 13) | (h2 << 38));
    store_le64(out.data() + 16, (h2 >> 26) | (h3 << 25));
    store_le64(out.data() + 24, (h3 >> 39) | (h4 << 12));
}

/// Swap a and b when `m` is set. CT: no branch on m.
inline void fe25519_cswap(ct::mask<std::uint64_t> m, fe25519& a, fe25519& b) noexcept {
    ct::conditional_swap(m, std::span<std::uint64_t>(a.v), std::span<std::uint64_t>(b.v));
}

} // namespace https::crypto::detail
