// Portable constant-time AES (FIPS 197): bitsliced, four blocks at a time in eight 64-bit words.
#pragma once

#include "../../core/bytes.hpp"
#include "../../core/ct.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace https::crypto::detail {

// Layout. Four blocks (b = 0..3) of 16 bytes are held as eight bit planes q[0..7]: q[k] holds bit
// k of all 64 bytes. The byte in row r, column c of block b (FIPS 197 §3.4: input byte 4c + r)
// sits at bit 16r + 4c + b of each plane. So a row is a 16-bit lane, ShiftRows rotates each lane
// by a multiple of 4 bits, and MixColumns combines lanes with 64-bit rotations by 16 and 32.
// Nothing in this file indexes memory with, or branches on, key or data bits.

using aes_planes = std::array<std::uint64_t, 8>;

/// CT: a rotation by a public amount.
inline std::uint64_t aes_rotr64(std::uint64_t x, unsigned n) noexcept {
    return (x >> n) | (x << (64 - n));
}

/// The S-box on every byte of the planes at once (q[7] is the most significant bit). This is
/// the depth-16 Boolean circuit of Boyar and Peralta ("A depth-16 circuit for the AES S-box",
/// 2011): a linear layer into the GF(2^4)-tower inversion, 34 AND gates, and a linear layer that
/// merges the inverse with the affine map of FIPS 197 §5.1.1 (its constant 0x63 is the XNORs).
/// CT: straight-line bitwise logic.
inline void aes_ct_sbox(aes_planes& q) noexcept {
    const std::uint64_t u0 = q[7], u1 = q[6], u2 = q[5], u3 = q[4];
    const std::uint64_t u4 = q[3], u5 = q[2], u6 = q[1], u7 = q[0];

    // top linear layer
    const std::uint64_t t1 = u0 ^ u3, t2 = u0 ^ u5, t3 = u0 ^ u6, t4 = u3 ^ u5, t5 = u4 ^ u6;
    const std::uint64_t t6 = t1 ^ t5, t7 = u1 ^ u2, t8 = u7 ^ t6, t9 = u7 ^ t7, t10 = t6 ^ t7;
    const std::uint64_t t11 = u1 ^ u5, t12 = u2 ^ u5, t13 = t3 ^ t4, t14 = t6 ^ t11;
    const std::uint64_t t15 = t5 ^ t11, t16 = t5 ^ t12, t17 = t9 ^ t16, t18 = u3 ^ u7;
    const std::uint64_t t19 = t7 ^ t18, t20 = t1 ^ t19, t21 = u6 ^ u7, t22 = t7 ^ t21;
    const std::uint64_t t23 = t2 ^ t22, t24 = t2 ^ t10, t25 = t20 ^ t17, t26 = t3 ^ t16;
    const std::uint64_t t27 = t1 ^ t12;

    // middle non-linear layer (inversion in the tower field)
    const std::uint64_t m1 = t13 & t6, m2 = t23 & t8, m3 = t14 ^ m1, m4 = t19 & u7;
    const std::uint64_t m5 = m4 ^ m1, m6 = t3 & t16, m7 = t22 & t9, m8 = t26 ^ m6;
    const std::uint64_t m9 = t20 & t17, m10 = m9 ^ m6, m11 = t1 & t15, m12 = t4 & t27;
    const std::uint64_t m13 = m12 ^ m11, m14 = t2 & t10, m15 = m14 ^ m11, m16 = m3 ^ m2;
    const std::uint64_t m17 = m5 ^ t24, m18 = m8 ^ m7, m19 = m10 ^ m15, m20 = m16 ^ m13;
    const std::uint64_t m21 = m17 ^ m15, m22 = m18 ^ m13, m23 = m19 ^ t25, m24 = m22 ^ m23;
    const std::uint64_t m25 = m22 & m20, m26 = m21 ^ m25, m27 = m20 ^ m21, m28 = m23 ^ m25;
    const std::uint64_t m29 = m28 & m27, m30 = m26 & m24, m31 = m20 & m23, m32 = m27 & m31;
    const std::uint64_t m33 = m27 ^ m25, m34 = m21 & m22, m35 = m24 & m34, m36 = m24 ^ m25;
    const std::uint64_t m37 = m21 ^ m29, m38 = m32 ^ m33, m39 = m23 ^ m30, m40 = m35 ^ m36;
    const std::uint64_t m41 = m38 ^ m40, m42 = m37 ^ m39, m43 = m37 ^ m38, m44 = m39 ^ m40;
    const std::uint64_t m45 = m42 ^ m41, m46 = m44 & t6, m47 = m40 & t8, m48 = m39 & u7;
    const std::uint64_t m49 = m43 & t16, m50 = m38 & t9, m51 = m37 & t17, m52 = m42 & t15;
    const std::uint64_t m53 = m45 & t27, m54 = m41 & t10, m55 = m44 & t13, m56 = m40 & t23;
    const std::uint64_t m57 = m39 & t19, m58 = m43 & t3, m59 = m38 & t22, m60 = m37 & t20;
    const std::uint64_t m61 = m42 & t1, m62 = m45 & t4, m63 = m41 & t2;

    // bottom linear layer
    const std::uint64_t l0 = m61 ^ m62, l1 = m50 ^ m56, l2 = m46 ^ m48, l3 = m47 ^ m55;
    const std::uint64_t l4 = m54 ^ m58, l5 = m49 ^ m61, l6 = m62 ^ l5, l7 = m46 ^ l3;
    const std::uint64_t l8 = m51 ^ m59, l9 = m52 ^ m53, l10 = m53 ^ l4, l11 = m60 ^ l2;
    const std::uint64_t l12 = m48 ^ m51, l13 = m50 ^ l0, l14 = m52 ^ m61, l15 = m55 ^ l1;
    const std::uint64_t l16 = m56 ^ l0, l17 = m57 ^ l1, l18 = m58 ^ l8, l19 = m63 ^ l4;
    const std::uint64_t l20 = l0 ^ l1, l21 = l1 ^ l7, l22 = l3 ^ l12, l23 = l18 ^ l2;
    const std::uint64_t l24 = l15 ^ l9, l25 = l6 ^ l10, l26 = l7 ^ l9, l27 = l8 ^ l10;
    const std::uint64_t l28 = l11 ^ l14, l29 = l11 ^ l17;

    q[7] = l6 ^ l24;
    q[6] = ~(l16 ^ l26);
    q[5] = ~(l19 ^ l28);
    q[4] = l6 ^ l21;
    q[3] = l20 ^ l22;
    q[2] = l25 ^ l29;
    q[1] = ~(l13 ^ l27);
    q[0] = ~(l6 ^ l23);
}

/// The map f(z) = A^-1 z + 0x05, where A is the affine matrix of FIPS 197 §5.1.1: bit i of the
/// output is z[i+2] ^ z[i+5] ^ z[i+7] (indices mod 8) ^ bit i of 0x05 (FIPS 197 §5.3.2). Since
/// S(x) = A inv(x) + 0x63 and A^-1 0x63 = 0x05, the inverse S-box is f o S o f.
/// CT: straight-line bitwise logic.
inline void aes_ct_inverse_affine(aes_planes& q) noexcept {
    aes_planes r{};
#pragma GCC unroll 8
    for (unsigned i = 0; i < 8; ++i) {
        r[i] = q[(i + 2) % 8] ^ q[(i + 5) % 8] ^ q[(i + 7) % 8];
    }
    r[0] = ~r[0];
    r[2] = ~r[2];
    q = r;
}

/// InvSubBytes (FIPS 197 §5.3.2) through the forward circuit. CT: straight-line bitwise logic.
inline void aes_ct_inverse_sbox(aes_planes& q) noexcept {
    aes_ct_inverse_affine(q);
    aes_ct_sbox(q);
    aes_ct_inverse_affine(q);
}

/// ShiftRows (FIPS 197 §5.1.2): row r turns left by r columns, i.e. lane r rotates right by 4r
/// bits. CT: fixed shifts and masks.
inline void aes_ct_shift_rows(aes_planes& q) noexcept {
    for (auto& x : q) {
        x = (x & 0x000000000000FFFFull) | ((x >> 4) & 0x000000000FFF0000ull) |
            ((x << 12) & 0x00000000F0000000ull) | ((x >> 8) & 0x000000FF00000000ull) |
            ((x << 8) & 0x0000FF0000000000ull) | ((x >> 12) & 0x000F000000000000ull) |
            ((x << 4) & 0xFFF0000000000000ull);
    }
}

/// InvShiftRows (FIPS 197 §5.3.1). CT: fixed shifts and masks.
inline void aes_ct_inverse_shift_rows(aes_planes& q) noexcept {
    for (auto& x : q) {
        x = (x & 0x000000000000FFFFull) | ((x >> 12) & 0x00000000000F0000ull) |
            ((x << 4) & 0x00000000FFF00000ull) | ((x >> 8) & 0x000000FF00000000ull) |
            ((x << 8) & 0x0000FF0000000000ull) | ((x >> 4) & 0x0FFF000000000000ull) |
            ((x << 12) & 0xF000000000000000ull);
    }
}

/// Multiply every byte by x in GF(2^8) mod x^8+x^4+x^3+x+1 (FIPS 197 §4.2.1), on planes.
/// CT: XORs of whole planes.
inline aes_planes aes_ct_xtime(const aes_planes& t) noexcept {
    return {t[7], t[0] ^ t[7], t[1], t[2] ^ t[7], t[3] ^ t[7], t[4], t[5], t[6]};
}

/// MixColumns (FIPS 197 §5.1.3): out_r = 2 a_r + 3 a_r+1 + a_r+2 + a_r+3
///                                     = 2 (a_r + a_r+1) + a_r+1 + (a_r+2 + a_r+3).
/// Row r+1 is the plane rotated right by 16 bits. CT: straight-line bitwise logic.
inline void aes_ct_mix_columns(aes_planes& q) noexcept {
    aes_planes a1{}, t{};
#pragma GCC unroll 8
    for (unsigned i = 0; i < 8; ++i) {
        a1[i] = aes_rotr64(q[i], 16);
        t[i] = q[i] ^ a1[i];
    }
    const aes_planes t2 = aes_ct_xtime(t);
#pragma GCC unroll 8
    for (unsigned i = 0; i < 8; ++i) {
        q[i] = t2[i] ^ a1[i] ^ aes_rotr64(t[i], 32);
    }
}

/// InvMixColumns (FIPS 197 §5.3.3). The matrix {0e,0b,0d,09} equals {02,03,01,01} times
/// {05,00,04,00}, so first a_r += 4 (a_r + a_r+2), then MixColumns.
/// CT: straight-line bitwise logic.
inline void aes_ct_inverse_mix_columns(aes_planes& q) noexcept {
    aes_planes u{};
#pragma GCC unroll 8
    for (unsigned i = 0; i < 8; ++i) {
        u[i] = q[i] ^ aes_rotr64(q[i], 32);
    }
    const aes_planes u4 = aes_ct_xtime(aes_ct_xtime(u));
#pragma GCC unroll 8
    for (unsigned i = 0; i < 8; ++i) {
        q[i] ^= u4[i];
    }
    aes_ct_mix_columns(q);
}

/// AddRoundKey (FIPS 197 §5.1.4). CT: XORs.
inline void aes_ct_add_round_key(aes_planes& q, const std::uint64_t* rk) noexcept {
#pragma GCC unroll 8
    for (unsigned i = 0; i < 8; ++i) {
        q[i] ^= rk[i];
    }
}

/// Swap the bits selected by `m` in `b` with those selected by `m << s` in `a`.
/// CT: fixed shifts and masks.
inline void aes_swapmove(std::uint64_t& a, std::uint64_t& b, std::uint64_t m, unsigned s) noexcept {
    const std::uint64_t t = ((a >> s) ^ b) & m;
    b ^= t;
    a ^= t << s;
}

/// Transpose the 8x8 bit matrices formed by the eight words: bit k of byte j of word m trades
/// places with bit m of byte j of word k. An involution. CT: fixed shifts and masks.
inline void aes_ct_transpose(aes_planes& q) noexcept {
#pragma GCC unroll 8
    for (unsigned i = 0; i < 8; i += 2) {
        aes_swapmove(q[i], q[i + 1], 0x5555555555555555ull, 1);
    }
    for (unsigned i : {0u, 1u, 4u, 5u}) {
        aes_swapmove(q[i], q[i + 2], 0x3333333333333333ull, 2);
    }
#pragma GCC unroll 8
    for (unsigned i = 0; i < 4; ++i) {
        aes_swapmove(q[i], q[i + 4], 0x0F0F0F0F0F0F0F0Full, 4);
    }
}

/// Bytes 0..3 of `x` to bytes 0, 2, 4, 6 of the result. CT: fixed shifts and masks.
inline std::uint64_t aes_spread_bytes(std::uint32_t x) noexcept {
    std::uint64_t v = x;
    v = (v | (v << 16)) & 0x0000FFFF0000FFFFull;
    return (v | (v << 8)) & 0x00FF00FF00FF00FFull;
}

/// Bytes 0, 2, 4, 6 of `v` to bytes 0..3 of the result. CT: fixed shifts and masks.
inline std::uint32_t aes_gather_bytes(std::uint64_t v) noexcept {
    v &= 0x00FF00FF00FF00FFull;
    v = (v | (v >> 8)) & 0x0000FFFF0000FFFFull;
    return static_cast<std::uint32_t>(v | (v >> 16));
}

/// Load up to four blocks (missing ones read as zero) into planes. Before the transpose, word
/// m = 4 c0 + b holds block b's columns c0 and c0 + 2, byte-interleaved, so that the transpose
/// puts byte (r, c, b) at bit 8 (2r + c1) + 4 c0 + b = 16r + 4c + b.
/// CT: branches on the public block count only.
inline void aes_ct_load(aes_planes& q, const std::uint8_t* in, std::size_t blocks) noexcept {
#pragma GCC unroll 8
    for (std::size_t b = 0; b < 4; ++b) {
        std::uint32_t col[4] = {0, 0, 0, 0};
        if (b < blocks) {
#pragma GCC unroll 8
            for (std::size_t c = 0; c < 4; ++c) {
                col[c] = https::detail::load_le32(in + 16 * b + 4 * c);
            }
        }
        q[b] = aes_spread_bytes(col[0]) | (aes_spread_bytes(col[2]) << 8);
        q[4 + b] = aes_spread_bytes(col[1]) | (aes_spread_bytes(col[3]) << 8);
    }
    aes_ct_transpose(q);
}

/// Inverse of aes_ct_load: store the first `blocks` blocks. Consumes `q`.
/// CT: branches on the public block count only.
inline void aes_ct_store(aes_planes& q, std::uint8_t* out, std::size_t blocks) noexcept {
    aes_ct_transpose(q);
#pragma GCC unroll 8
    for (std::size_t b = 0; b < blocks; ++b) {
        https::detail::store_le32(out + 16 * b, aes_gather_bytes(q[b]));
        https::detail::store_le32(out + 16 * b + 4, aes_gather_bytes(q[4 + b]));
        https::detail::store_le32(out + 16 * b + 8, aes_gather_bytes(q[b] >> 8));
        https::detail::store_le32(out + 16 * b + 12, aes_gather_bytes(q[4 + b] >> 8));
    }
}

/// One S-box application to each byte of a 32-bit word (SubWord, FIPS 197 §5.2), through the
/// same circuit: plane k holds bit k of the four bytes at bits 0, 8, 16, 24.
/// CT: straight-line bitwise logic.
inline std::uint32_t aes_ct_sub_word(std::uint32_t x) noexcept {
    aes_planes q{};
#pragma GCC unroll 8
    for (unsigned k = 0; k < 8; ++k) {
        q[k] = (x >> k) & 0x01010101u;
    }
    aes_ct_sbox(q);
    std::uint32_t r = 0;
#pragma GCC unroll 8
    for (unsigned k = 0; k < 8; ++k) {
        r |= static_cast<std::uint32_t>(q[k] & 0x01010101u) << k;
    }
    return r;
}

/// KeyExpansion (FIPS 197 §5.2) into (Rounds + 1) 16-byte round keys, in byte order.
/// CT: no branch or index depends on the key.
template <unsigned Rounds>
inline void aes_expand_key(const std::uint8_t* key, std::uint8_t* round_keys) noexcept {
    constexpr unsigned nk = Rounds - 6;
    constexpr unsigned words = 4 * (Rounds + 1);
    std::array<std::uint32_t, words> w{};
    for (unsigned i = 0; i < nk; ++i) {
        w[i] = https::detail::load_le32(key + 4 * i); // byte 0 of the word in the low bits
    }
    std::uint32_t rcon = 1;
    for (unsigned i = nk; i < words; ++i) {
        std::uint32_t t = w[i - 1];
        if (i % nk == 0) {                                    // public loop index
            t = aes_ct_sub_word((t >> 8) | (t << 24)) ^ rcon; // SubWord(RotWord(t)) + Rcon
            rcon = (rcon << 1) ^ (0x11Bu & (0u - (rcon >> 7)));
        } else if (nk > 6 && i % nk == 4) {
            t = aes_ct_sub_word(t);
        }
        w[i] = w[i - nk] ^ t;
    }
    for (unsigned i = 0; i < words; ++i) {
        https::detail::store_le32(round_keys + 4 * i, w[i]);
    }
    ct::wipe(w);
}

/// Round keys in plane form, each copied into all four block positions. `out` holds
/// 8 (Rounds + 1) words. CT: no branch or index depends on the key.
template <unsigned Rounds>
inline void aes_ct_plane_keys(const std::uint8_t* round_keys, std::uint64_t* out) noexcept {
    for (unsigned r = 0; r <= Rounds; ++r) {
        std::array<std::uint8_t, 64> four{};
        for (unsigned b = 0; b < 4; ++b) {
            std::memcpy(four.data() + 16 * b, round_keys + 16 * r, 16);
        }
        aes_planes q{};
        aes_ct_load(q, four.data(), 4);
        for (unsigned i = 0; i < 8; ++i) {
            out[8 * r + i] = q[i];
        }
        ct::wipe(four);
        ct::wipe(q);
    }
}

/// Cipher (FIPS 197 §5.1) on the four blocks in `q`. CT: straight-line bitwise logic.
template <unsigned Rounds>
inline void aes_ct_encrypt_planes(aes_planes& q, const std::uint64_t* sk) noexcept {
    aes_ct_add_round_key(q, sk);
    for (unsigned r = 1; r < Rounds; ++r) {
        aes_ct_sbox(q);
        aes_ct_shift_rows(q);
        aes_ct_mix_columns(q);
        aes_ct_add_round_key(q, sk + 8 * r);
    }
    aes_ct_sbox(q);
    aes_ct_shift_rows(q);
    aes_ct_add_round_key(q, sk + 8 * Rounds);
}

/// InvCipher (FIPS 197 §5.3) on the four blocks in `q`. CT: straight-line bitwise logic.
template <unsigned Rounds>
inline void aes_ct_decrypt_planes(aes_planes& q, const std::uint64_t* sk) noexcept {
    aes_ct_add_round_key(q, sk + 8 * Rounds);
    for (unsigned r = Rounds - 1; r > 0; --r) {
        aes_ct_inverse_shift_rows(q);
        aes_ct_inverse_sbox(q);
        aes_ct_add_round_key(q, sk + 8 * r);
        aes_ct_inverse_mix_columns(q);
    }
    aes_ct_inverse_shift_rows(q);
    aes_ct_inverse_sbox(q);
    aes_ct_add_round_key(q, sk);
}

/// Encrypt `blocks` 16-byte blocks (in place allowed). CT: branches on the block count only.
template <unsigned Rounds>
inline void aes_ct_encrypt(const std::uint64_t* sk, const std::uint8_t* in, std::uint8_t* out,
                           std::size_t blocks) noexcept {
    aes_planes q{};
    while (blocks > 0) {
        const std::size_t n = blocks < 4 ? blocks : 4;
        aes_ct_load(q, in, n);
        aes_ct_encrypt_planes<Rounds>(q, sk);
        aes_ct_store(q, out, n);
        in += 16 * n;
        out += 16 * n;
        blocks -= n;
    }
    ct::wipe(q);
}

/// Decrypt `blocks` 16-byte blocks (in place allowed). CT: branches on the block count only.
template <unsigned Rounds>
inline void aes_ct_decrypt(const std::uint64_t* sk, const std::uint8_t* in, std::uint8_t* out,
                           std::size_t blocks) noexcept {
    aes_planes q{};
    while (blocks > 0) {
        const std::size_t n = blocks < 4 ? blocks : 4;
        aes_ct_load(q, in, n);
        aes_ct_decrypt_planes<Rounds>(q, sk);
        aes_ct_store(q, out, n);
        in += 16 * n;
        out += 16 * n;
        blocks -= n;
    }
    ct::wipe(q);
}

} // namespace https::crypto::detail
