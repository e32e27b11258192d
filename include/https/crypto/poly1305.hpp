// Poly1305 (RFC 8439 §2.5): the one-time authenticator; 64-bit limbs with 128-bit products, and
// an AVX2 path that runs four blocks at once in 26-bit limbs.
#pragma once

#include "../core/bytes.hpp"
#include "../core/cpu.hpp"
#include "../core/ct.hpp"

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>

#if !defined(__SIZEOF_INT128__)
#error "https: poly1305.hpp needs a compiler with unsigned __int128 (64-bit GCC or Clang)"
#endif

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HTTPS_POLY1305_HAVE_AVX2 1
#else
#define HTTPS_POLY1305_HAVE_AVX2 0
#endif

namespace https::crypto {

namespace detail {

__extension__ typedef unsigned __int128 poly1305_u128;

/// The accumulator h and the clamped key r, both mod p = 2^130 - 5.
/// h = h0 + h1*2^64 + h2*2^128 is kept only partially reduced (h2 stays below 8).
struct poly1305_state {
    std::uint64_t r0 = 0, r1 = 0;
    std::uint64_t s1 = 0; // r1 + r1/4 = 5*r1/4: folds h1*r1*2^128 back below 2^128 (r1 % 4 == 0)
    std::uint64_t h0 = 0, h1 = 0, h2 = 0;
    /// For the AVX2 path: r^1 .. r^4 in 26-bit limbs (`powers[k - 1][i]` = limb i of r^k),
    /// computed on first use.
    std::array<std::array<std::uint32_t, 5>, 4> powers{};
    bool have_powers = false;
};

/// RFC 8439 §2.5: for each 16-byte block m, h = (h + m + hibit*2^128) * r mod p.
/// `hibit` is 1 for full blocks and 0 for the final, already padded, partial block.
///
/// With 2^130 = 5 (mod p), and r1 a multiple of 4 (clamping), the product splits as
///   d0 = h0*r0 + h1*s1,  d1 = h0*r1 + h1*r0 + h2*s1,  d2 = h2*r0
/// and the bits of d from 2^130 up, c, fold back as 5*c = c*4 + c.
/// Bounds: r0, r1 < 2^60, s1 < 2^61, h2 <= 6 on entry to the product, so d0, d1 < 2^126 and
/// d2 + (d1 >> 64) < 2^63; after the fold h2 <= 4.
/// CT: fixed sequence of multiplications and additions; only `nblocks` steers the loop.
inline void poly1305_blocks_scalar(poly1305_state& st, const std::uint8_t* p, std::size_t nblocks,
                                   std::uint64_t hibit) noexcept {
    using u128 = poly1305_u128;
    const std::uint64_t r0 = st.r0, r1 = st.r1, s1 = st.s1;
    std::uint64_t h0 = st.h0, h1 = st.h1, h2 = st.h2;
    for (; nblocks > 0; --nblocks, p += 16) {
        // h += m + hibit*2^128, carries by hand: GCC spills badly on 128-bit additions here
        std::uint64_t c0 = __builtin_add_overflow(h0, https::detail::load_le64(p), &h0);
        std::uint64_t c1 = __builtin_add_overflow(h1, https::detail::load_le64(p + 8), &h1);
        c1 += __builtin_add_overflow(h1, c0, &h1);
        h2 += c1 + hibit;

        const u128 d0 = u128{h0} * r0 + u128{h1} * s1;
        const u128 d1 = u128{h0} * r1 + u128{h1} * r0 + u128{std::uint64_t{h2 * s1}} + (d0 >> 64);
        const std::uint64_t d2 = h2 * r0 + static_cast<std::uint64_t>(d1 >> 64);

        // fold the bits from 2^130 up: c * 2^130 = 5c = 4c + c (mod p)
        const std::uint64_t c = (d2 & ~std::uint64_t{3}) + (d2 >> 2);
        h2 = d2 & 3;
        h0 = static_cast<std::uint64_t>(d0);
        h1 = static_cast<std::uint64_t>(d1);
        c0 = __builtin_add_overflow(h0, c, &h0);
        c1 = __builtin_add_overflow(h1, c0, &h1);
        h2 += c1;
    }
    st.h0 = h0;
    st.h1 = h1;
    st.h2 = h2;
}

// ---- 26-bit limbs, for the AVX2 path --------------------------------------------------------
// A value mod p as l0 + l1*2^26 + l2*2^52 + l3*2^78 + l4*2^104. Products of two such values fold
// the part from 2^130 up back in as 5x (2^130 = 5 mod p), so the schoolbook product is
//   d0 = a0b0 + 5(a1b4 + a2b3 + a3b2 + a4b1)      d3 = a0b3 + a1b2 + a2b1 + a3b0 + 5 a4b4
//   d1 = a0b1 + a1b0 + 5(a2b4 + a3b3 + a4b2)      d4 = a0b4 + a1b3 + a2b2 + a3b1 + a4b0
//   d2 = a0b2 + a1b1 + a2b0 + 5(a3b4 + a4b3)
// With limbs below 2^28 and 5b below 2^29 every d stays below 2^60, and a 32x32->64 multiply
// (vpmuludq) is all the SIMD path needs.

using poly1305_limbs = std::array<std::uint64_t, 5>;

inline constexpr std::uint64_t poly1305_mask26 = 0x3ffffff;

/// Split lo + hi*2^64 + top*2^128 into 26-bit limbs (the top limb takes whatever is left).
/// CT: shifts and masks.
inline poly1305_limbs poly1305_to_limbs(std::uint64_t lo, std::uint64_t hi,
                                        std::uint64_t top) noexcept {
    constexpr std::uint64_t m = poly1305_mask26;
    return {lo & m, (lo >> 26) & m, ((lo >> 52) | (hi << 12)) & m, (hi >> 14) & m,
            (hi >> 40) | (top << 24)};
}

/// Propagate carries so that every limb is below 2^26, except limb 1 which may exceed it by under
/// 2^14 (from the final 5x fold). Limbs must be below 2^62 on entry.
/// CT: shifts, masks and additions.
inline void poly1305_carry_limbs(poly1305_limbs& d) noexcept {
    constexpr std::uint64_t m = poly1305_mask26;
    std::uint64_t c = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        c = d[i] >> 26;
        d[i] &= m;
        d[i + 1] += c;
    }
    c = d[4] >> 26;
    d[4] &= m;
    d[0] += c * 5;
    c = d[0] >> 26;
    d[0] &= m;
    d[1] += c;
}

/// a * b mod p (partially reduced, carried).
/// CT: fixed multiplications and additions.
inline poly1305_limbs poly1305_mul_limbs(const poly1305_limbs& a,
                                         const poly1305_limbs& b) noexcept {
    const std::uint64_t s1 = b[1] * 5, s2 = b[2] * 5, s3 = b[3] * 5, s4 = b[4] * 5;
    poly1305_limbs d = {
        a[0] * b[0] + a[1] * s4 + a[2] * s3 + a[3] * s2 + a[4] * s1,
        a[0] * b[1] + a[1] * b[0] + a[2] * s4 + a[3] * s3 + a[4] * s2,
        a[0] * b[2] + a[1] * b[1] + a[2] * b[0] + a[3] * s4 + a[4] * s3,
        a[0] * b[3] + a[1] * b[2] + a[2] * b[1] + a[3] * b[0] + a[4] * s4,
        a[0] * b[4] + a[1] * b[3] + a[2] * b[2] + a[3] * b[1] + a[4] * b[0],
    };
    poly1305_carry_limbs(d);
    return d;
}

/// r^1 .. r^4 into `st.powers`.
/// CT: fixed multiplications.
inline void poly1305_compute_powers(poly1305_state& st) noexcept {
    std::array<poly1305_limbs, 4> pw;
    pw[0] = poly1305_to_limbs(st.r0, st.r1, 0);
    for (std::size_t k = 1; k < 4; ++k) {
        pw[k] = poly1305_mul_limbs(pw[k - 1], pw[0]);
    }
    for (std::size_t k = 0; k < 4; ++k) {
        for (std::size_t i = 0; i < 5; ++i) {
            st.powers[k][i] = static_cast<std::uint32_t>(pw[k][i]); // all below 2^27
        }
    }
    st.have_powers = true;
    ct::wipe(pw.data(), sizeof pw);
}

#if HTTPS_POLY1305_HAVE_AVX2

// Forced inline: GCC keeps poly1305_avx2_mul out of line otherwise (measured 8% slower). Each
// helper has one call site.
#define HTTPS_POLY1305_AVX2 __attribute__((target("avx2"), always_inline))

/// One schoolbook column: x0*y0 + x1*y1 + x2*y2 + x3*y3 + x4*y4 on the low 32 bits of each lane.
/// CT: fixed vector multiplications and additions.
HTTPS_POLY1305_AVX2 inline __m256i poly1305_avx2_dot(__m256i x0, __m256i y0, __m256i x1, __m256i y1,
                                                     __m256i x2, __m256i y2, __m256i x3, __m256i y3,
                                                     __m256i x4, __m256i y4) noexcept {
    const __m256i t01 = _mm256_add_epi64(_mm256_mul_epu32(x0, y0), _mm256_mul_epu32(x1, y1));
    const __m256i t23 = _mm256_add_epi64(_mm256_mul_epu32(x2, y2), _mm256_mul_epu32(x3, y3));
    return _mm256_add_epi64(_mm256_add_epi64(t01, t23), _mm256_mul_epu32(x4, y4));
}

/// a = a * (r, 5r) per 64-bit lane, then carried: afterwards every limb is below 2^26 except
/// limbs 1 and 4, which may exceed it by under 2^13. Two carry chains run interleaved
/// (3 -> 4 -> 0 -> 1 and 0 -> 1 -> 2 -> 3 -> 4) to shorten the dependency path.
/// Bounds: limbs of `a` below 2^28, of r below 2^27 (5r below 2^30), so each d < 2^61.
/// CT: fixed vector multiplications, shifts and additions.
HTTPS_POLY1305_AVX2 inline void poly1305_avx2_mul(__m256i* a, const __m256i* r,
                                                  const __m256i* s) noexcept {
    const __m256i m = _mm256_set1_epi64x(static_cast<long long>(poly1305_mask26));
    __m256i d0 = poly1305_avx2_dot(a[0], r[0], a[1], s[4], a[2], s[3], a[3], s[2], a[4], s[1]);
    __m256i d1 = poly1305_avx2_dot(a[0], r[1], a[1], r[0], a[2], s[4], a[3], s[3], a[4], s[2]);
    __m256i d2 = poly1305_avx2_dot(a[0], r[2], a[1], r[1], a[2], r[0], a[3], s[4], a[4], s[3]);
    __m256i d3 = poly1305_avx2_dot(a[0], r[3], a[1], r[2], a[2], r[1], a[3], r[0], a[4], s[4]);
    __m256i d4 = poly1305_avx2_dot(a[0], r[4], a[1], r[3], a[2], r[2], a[3], r[1], a[4], r[0]);
    __m256i c = _mm256_srli_epi64(d3, 26);
    d3 = _mm256_and_si256(d3, m);
    d4 = _mm256_add_epi64(d4, c); // < 2^61 + 2^35
    c = _mm256_srli_epi64(d0, 26);
    d0 = _mm256_and_si256(d0, m);
    d1 = _mm256_add_epi64(d1, c); // < 2^61 + 2^35
    c = _mm256_srli_epi64(d4, 26);
    d4 = _mm256_and_si256(d4, m);
    d0 = _mm256_add_epi64(d0, _mm256_add_epi64(c, _mm256_slli_epi64(c, 2))); // + 5c: < 2^39
    c = _mm256_srli_epi64(d1, 26);
    d1 = _mm256_and_si256(d1, m);
    d2 = _mm256_add_epi64(d2, c); // < 2^61 + 2^36
    c = _mm256_srli_epi64(d0, 26);
    d0 = _mm256_and_si256(d0, m);
    d1 = _mm256_add_epi64(d1, c); // < 2^26 + 2^13
    c = _mm256_srli_epi64(d2, 26);
    d2 = _mm256_and_si256(d2, m);
    d3 = _mm256_add_epi64(d3, c); // < 2^26 + 2^36
    c = _mm256_srli_epi64(d3, 26);
    d3 = _mm256_and_si256(d3, m);
    d4 = _mm256_add_epi64(d4, c); // < 2^26 + 2^11
    a[0] = d0;
    a[1] = d1;
    a[2] = d2;
    a[3] = d3;
    a[4] = d4;
}

/// Absorb `groups` * 4 full blocks (hibit set). Lane j of the accumulator takes blocks
/// j, j+4, j+8, ... and is multiplied by r^4 after each, except the last, where the lanes are
/// multiplied by r^4, r^3, r^2, r^1: summing the lanes then gives exactly the serial Horner
/// result. The loads put blocks 0, 2, 1, 3 of a group into lanes 0..3, so the last powers are
/// laid out as r^4, r^2, r^3, r^1. h enters in lane 0, alongside block 0.
/// CT: fixed vector operations; only `groups` steers the loop.
__attribute__((target("avx2"))) inline void
poly1305_blocks_avx2(poly1305_state& st, const std::uint8_t* p, std::size_t groups) noexcept {
    const __m256i m = _mm256_set1_epi64x(static_cast<long long>(poly1305_mask26));
    const __m256i hibit = _mm256_set1_epi64x(1 << 24); // 2^128 = 2^24 in limb 4
    const auto& pw = st.powers;
    __m256i r4[5], s4[5], rf[5], sf[5];
    for (std::size_t i = 0; i < 5; ++i) {
        r4[i] = _mm256_set1_epi64x(pw[3][i]);
        rf[i] = _mm256_setr_epi64x(pw[3][i], pw[1][i], pw[2][i], pw[0][i]);
        s4[i] = _mm256_add_epi64(r4[i], _mm256_slli_epi64(r4[i], 2));
        sf[i] = _mm256_add_epi64(rf[i], _mm256_slli_epi64(rf[i], 2));
    }
    const poly1305_limbs h = poly1305_to_limbs(st.h0, st.h1, st.h2);
    __m256i a[5];
    for (std::size_t i = 0; i < 5; ++i) {
        a[i] = _mm256_setr_epi64x(static_cast<long long>(h[i]), 0, 0, 0);
    }
    for (; groups > 0; --groups, p += 64) {
        const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
        const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
        const __m256i lo = _mm256_unpacklo_epi64(x, y); // bytes 0..7 of blocks 0, 2, 1, 3
        const __m256i hi = _mm256_unpackhi_epi64(x, y); // bytes 8..15
        a[0] = _mm256_add_epi64(a[0], _mm256_and_si256(lo, m));
        a[1] = _mm256_add_epi64(a[1], _mm256_and_si256(_mm256_srli_epi64(lo, 26), m));
        a[2] = _mm256_add_epi64(
            a[2], _mm256_and_si256(
                      _mm256_or_si256(_mm256_srli_epi64(lo, 52), _mm256_slli_epi64(hi, 12)), m));
        a[3] = _mm256_add_epi64(a[3], _mm256_and_si256(_mm256_srli_epi64(hi, 14), m));
        a[4] = _mm256_add_epi64(a[4], _mm256_or_si256(_mm256_srli_epi64(hi, 40), hibit));
        // one multiplication, its factors chosen by the public count (one inlined copy)
        poly1305_avx2_mul(a, groups > 1 ? r4 : rf, groups > 1 ? s4 : sf);
    }
    // Sum the lanes, carry, and repack into h0 + h1*2^64 + h2*2^128 (h2 <= 4 afterwards).
    poly1305_limbs sum;
    for (std::size_t i = 0; i < 5; ++i) {
        const __m256i v = a[i];
        __m128i t = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
        t = _mm_add_epi64(t, _mm_unpackhi_epi64(t, t));
        sum[i] = static_cast<std::uint64_t>(_mm_cvtsi128_si64(t));
    }
    poly1305_carry_limbs(sum);
    using u128 = poly1305_u128;
    const u128 lo = u128{sum[0]} + (u128{sum[1]} << 26) + (u128{sum[2]} << 52);
    const u128 hi = (lo >> 64) + (u128{sum[3]} << 14) + (u128{sum[4]} << 40);
    st.h0 = static_cast<std::uint64_t>(lo);
    st.h1 = static_cast<std::uint64_t>(hi);
    st.h2 = static_cast<std::uint64_t>(hi >> 64);
    ct::wipe(sum.data(), sizeof sum);
}

#undef HTTPS_POLY1305_AVX2

#endif // HTTPS_POLY1305_HAVE_AVX2

/// Below this many blocks the scalar code wins: the AVX2 path pays for r^2..r^4 (once per key)
/// and for converting h in and out. Measured on Zen 3: even at 24 blocks, ahead from 32 on.
inline constexpr std::size_t poly1305_avx2_min_blocks = 32;

/// RFC 8439 §2.5: absorb `nblocks` 16-byte blocks; groups of four go through AVX2 when the CPU
/// has it and the run is long enough, the rest through the scalar code.
/// CT: the choice of path depends only on the CPU and the length.
inline void poly1305_blocks(poly1305_state& st, const std::uint8_t* p, std::size_t nblocks,
                            std::uint64_t hibit) noexcept {
#if HTTPS_POLY1305_HAVE_AVX2
    if (hibit == 1 && nblocks >= poly1305_avx2_min_blocks && https::detail::cpu().avx2) {
        if (!st.have_powers) {
            poly1305_compute_powers(st);
        }
        const std::size_t groups = nblocks / 4;
        poly1305_blocks_avx2(st, p, groups);
        p += 64 * groups;
        nblocks -= 4 * groups;
    }
#endif
    poly1305_blocks_scalar(st, p, nblocks, hibit);
}

/// RFC 8439 §2.5: reduce h fully mod p, add s, and write the low 128 bits little-endian.
/// h < 2p here (h2 <= 4), so one conditional subtraction of p suffices: h - p = h + 5 - 2^130.
/// CT: the subtraction is a masked select, never a branch.
inline void poly1305_final(const poly1305_state& st, std::uint64_t s0, std::uint64_t s1,
                           std::span<std::uint8_t, 16> tag) noexcept {
    using u128 = poly1305_u128;
    u128 t = u128{st.h0} + 5;
    const std::uint64_t g0 = static_cast<std::uint64_t>(t);
    t = u128{st.h1} + (t >> 64);
    const std::uint64_t g1 = static_cast<std::uint64_t>(t);
    const std::uint64_t g2 = st.h2 + static_cast<std::uint64_t>(t >> 64);
    const auto ge_p = ct::mask<std::uint64_t>::from_bit(g2 >> 2); // h + 5 >= 2^130
    const std::uint64_t f0 = ge_p.select(g0, st.h0);
    const std::uint64_t f1 = ge_p.select(g1, st.h1);
    t = u128{f0} + s0;
    https::detail::store_le64(tag.data(), static_cast<std::uint64_t>(t));
    t = u128{f1} + s1 + (t >> 64);
    https::detail::store_le64(tag.data() + 8, static_cast<std::uint64_t>(t));
}

} // namespace detail

/// Poly1305 one-time MAC (RFC 8439 §2.5). A key must authenticate one message only. The object
/// wipes its key and state in `finish` and on destruction.
class poly1305 {
  public:
    static constexpr std::size_t key_size = 32;
    static constexpr std::size_t tag_size = 16;
    static constexpr std::size_t block_size = 16;

    /// `key` = r (clamped here, RFC 8439 §2.5) || s.
    /// CT: no branch or index on the key.
    explicit poly1305(std::span<const std::uint8_t, key_size> key) noexcept
        : pad0_(https::detail::load_le64(key.data() + 16)),
          pad1_(https::detail::load_le64(key.data() + 24)) {
        st_.r0 = https::detail::load_le64(key.data()) & 0x0ffffffc0fffffffULL;
        st_.r1 = https::detail::load_le64(key.data() + 8) & 0x0ffffffc0ffffffcULL;
        st_.s1 = st_.r1 + (st_.r1 >> 2);
    }
    poly1305(const poly1305&) = delete;
    poly1305& operator=(const poly1305&) = delete;
    poly1305(poly1305&&) = delete;
    poly1305& operator=(poly1305&&) = delete;
    ~poly1305() { clear(); }

    /// Absorb more message bytes.
    /// CT: only the lengths steer branches and addresses.
    void update(bytes_view data) noexcept {
        assert(!finished_);
        const std::uint8_t* p = data.data();
        std::size_t n = data.size();
        if (buffered_ > 0) {
            const std::size_t take = n < block_size - buffered_ ? n : block_size - buffered_;
            for (std::size_t i = 0; i < take; ++i) {
                buf_[buffered_ + i] = p[i];
            }
            buffered_ += take;
            p += take;
            n -= take;
            if (buffered_ < block_size) {
                return;
            }
            detail::poly1305_blocks(st_, buf_.data(), 1, 1);
            buffered_ = 0;
        }
        detail::poly1305_blocks(st_, p, n / block_size, 1);
        p += n - n % block_size;
        n %= block_size;
        for (std::size_t i = 0; i < n; ++i) {
            buf_[i] = p[i];
        }
        buffered_ = n;
    }

    /// Write the tag and wipe the key and state; no further use of the object is allowed.
    /// CT: only the buffered length steers branches.
    void finish(std::span<std::uint8_t, tag_size> tag) noexcept {
        assert(!finished_);
        if (buffered_ > 0) {
            // RFC 8439 §2.5: a final short block gets its 0x01 byte right after the data
            buf_[buffered_] = 1;
            for (std::size_t i = buffered_ + 1; i < block_size; ++i) {
                buf_[i] = 0;
            }
            detail::poly1305_blocks(st_, buf_.data(), 1, 0);
        }
        detail::poly1305_final(st_, pad0_, pad1_, tag);
        clear();
        finished_ = true;
    }

  private:
    void clear() noexcept {
        ct::wipe(&st_, sizeof st_);
        ct::wipe(&pad0_, sizeof pad0_);
        ct::wipe(&pad1_, sizeof pad1_);
        ct::wipe(buf_);
        buffered_ = 0;
    }

    detail::poly1305_state st_;
    std::uint64_t pad0_ = 0, pad1_ = 0; // s, added at the end
    std::array<std::uint8_t, block_size> buf_{};
    std::size_t buffered_ = 0;
    bool finished_ = false;
};

} // namespace https::crypto
