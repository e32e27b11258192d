// GHASH (NIST SP 800-38D §6.4): multiplication in GF(2^128) by the hash key H, portable
// constant-time (carry-less products from integer multiplications) and with PCLMULQDQ.
#pragma once

#include "../../core/bytes.hpp"
#include "../../core/cpu.hpp"
#include "../../core/ct.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HTTPS_GHASH_X86 1
#define HTTPS_GHASH_FN __attribute__((target("pclmul,sse4.1")))
// Helpers are always inlined, so that in gcm_x86.hpp's AVX entry point they get VEX encoding.
#define HTTPS_GHASH_INLINE __attribute__((target("pclmul,sse4.1"), always_inline))
#endif

namespace https::crypto::detail {

// Representation. SP 800-38D §6.3 numbers the bits of a block from the left, bit 0 being the
// coefficient of x^0. Read as a big-endian 128-bit integer, the coefficient of x^i is integer
// bit 127 - i: the polynomial "reflected". The carry-less product of two reflected numbers is
// the reflected 255-bit product shifted right by one, so after a one-bit left shift the upper 128
// bits hold the coefficients of x^0..x^127 and the lower 128 bits those of x^128..x^255, each
// reflected. Folding the lower half uses x^128 = x^7 + x^2 + x + 1, where multiplying by x^k is a
// right shift by k of a reflected number.

/// A field element: `hi` is block bytes 0..7, `lo` bytes 8..15, both read big-endian.
struct gf128 {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
};

/// CT: straight-line loads.
inline gf128 gf128_load(const std::uint8_t* p) noexcept {
    return {https::detail::load_be64(p), https::detail::load_be64(p + 8)};
}

/// CT: straight-line stores.
inline void gf128_store(std::uint8_t* p, gf128 v) noexcept {
    https::detail::store_be64(p, v.hi);
    https::detail::store_be64(p + 8, v.lo);
}

#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 clmul_u128; // NOLINT(modernize-use-using)

/// Carry-less 64x64 -> 128-bit product from ordinary multiplications with "holes": each operand
/// is split into five parts holding every fifth bit, so a column of an integer product of two
/// parts sums at most 13 one-bits, which fits in the five bits before the next used column and
/// never carries into it. Keeping only the columns of each residue class leaves the XOR of the
/// partial products, i.e. the carry-less product. 25 multiplications.
/// CT: multiplications, shifts and masks only (64-bit MUL is constant time on the targets).
inline void clmul64(std::uint64_t a, std::uint64_t b, std::uint64_t& hi,
                    std::uint64_t& lo) noexcept {
    constexpr std::uint64_t m[5] = {0x1084210842108421ull, 0x2108421084210842ull,
                                    0x4210842108421084ull, 0x8421084210842108ull,
                                    0x0842108421084210ull};
    std::uint64_t x[5], y[5];
#pragma GCC unroll 5
    for (unsigned i = 0; i < 5; ++i) {
        x[i] = a & m[i];
        y[i] = b & m[i];
    }
    clmul_u128 z = 0;
#pragma GCC unroll 5
    for (unsigned k = 0; k < 5; ++k) {
        clmul_u128 acc = 0;
#pragma GCC unroll 5
        for (unsigned i = 0; i < 5; ++i) {
            acc ^= static_cast<clmul_u128>(x[i]) * y[(k + 5 - i) % 5];
        }
        // bit p of the 128-bit result has p = k mod 5: low word mask m[k], high word (64 = 4 mod
        // 5) mask m[(k + 1) % 5]
        const clmul_u128 keep = (static_cast<clmul_u128>(m[(k + 1) % 5]) << 64) | m[k];
        z |= acc & keep;
    }
    hi = static_cast<std::uint64_t>(z >> 64);
    lo = static_cast<std::uint64_t>(z);
}
#endif

/// Carry-less 32x32 -> 64-bit product with four-way holes (8 bits per part: column sums <= 8 fit
/// in four bits). 16 multiplications. CT: multiplications, shifts and masks only.
inline std::uint64_t clmul32(std::uint32_t a, std::uint32_t b) noexcept {
    constexpr std::uint32_t m[4] = {0x11111111u, 0x22222222u, 0x44444444u, 0x88888888u};
    constexpr std::uint64_t m64[4] = {0x1111111111111111ull, 0x2222222222222222ull,
                                      0x4444444444444444ull, 0x8888888888888888ull};
    std::uint64_t z = 0;
#pragma GCC unroll 4
    for (unsigned k = 0; k < 4; ++k) {
        std::uint64_t acc = 0;
#pragma GCC unroll 4
        for (unsigned i = 0; i < 4; ++i) {
            acc ^= static_cast<std::uint64_t>(a & m[i]) * (b & m[(k + 4 - i) % 4]);
        }
        z |= acc & m64[k];
    }
    return z;
}

/// Carry-less 64x64 -> 128-bit product from three 32-bit ones (Karatsuba), for targets without
/// a 128-bit integer type. CT: multiplications, shifts and masks only.
inline void clmul64_narrow(std::uint64_t a, std::uint64_t b, std::uint64_t& hi,
                           std::uint64_t& lo) noexcept {
    const auto a0 = static_cast<std::uint32_t>(a), a1 = static_cast<std::uint32_t>(a >> 32);
    const auto b0 = static_cast<std::uint32_t>(b), b1 = static_cast<std::uint32_t>(b >> 32);
    const std::uint64_t l = clmul32(a0, b0), h = clmul32(a1, b1);
    const std::uint64_t m = clmul32(a0 ^ a1, b0 ^ b1) ^ l ^ h;
    lo = l ^ (m << 32);
    hi = h ^ (m >> 32);
}

#if !defined(__SIZEOF_INT128__)
/// clmul64 without a 128-bit integer type. CT: as clmul64_narrow.
inline void clmul64(std::uint64_t a, std::uint64_t b, std::uint64_t& hi,
                    std::uint64_t& lo) noexcept {
    clmul64_narrow(a, b, hi, lo);
}
#endif

/// Fold a 256-bit reflected product r3:r2:r1:r0 (r3 most significant), already shifted left by
/// one, modulo x^128 + x^7 + x^2 + x + 1. The low half L = r1:r0 stands for x^128 L; its bits
/// that fall off the right when multiplied by x, x^2, x^7 (r0's low seven bits, multiples of
/// x^128 again) are folded once more into r1 first. CT: shifts and XORs.
inline gf128 gf128_reduce(std::uint64_t r3, std::uint64_t r2, std::uint64_t r1,
                          std::uint64_t r0) noexcept {
    const std::uint64_t l1 = r1 ^ (r0 << 63) ^ (r0 << 62) ^ (r0 << 57);
    return {r3 ^ l1 ^ (l1 >> 1) ^ (l1 >> 2) ^ (l1 >> 7),
            r2 ^ r0 ^ (r0 >> 1) ^ (r0 >> 2) ^ (r0 >> 7) ^ (l1 << 63) ^ (l1 << 62) ^ (l1 << 57)};
}

/// x * h in GF(2^128) (SP 800-38D §6.3), Karatsuba over three 64-bit carry-less products.
/// Kept out of line: inlined, each GHASH call site carried its own 800-byte copy, and the call
/// costs little next to 75 multiplications.
/// CT: no branch or memory index depends on x or h.
[[gnu::noinline]] inline gf128 gf128_mul(gf128 x, gf128 h) noexcept {
    std::uint64_t a1 = 0, a0 = 0, b1 = 0, b0 = 0, c1 = 0, c0 = 0;
    clmul64(x.hi, h.hi, a1, a0);
    clmul64(x.lo, h.lo, b1, b0);
    clmul64(x.hi ^ x.lo, h.hi ^ h.lo, c1, c0);
    c1 ^= a1 ^ b1;
    c0 ^= a0 ^ b0;
    std::uint64_t r3 = a1, r2 = a0 ^ c1, r1 = b1 ^ c0, r0 = b0;
    r3 = (r3 << 1) | (r2 >> 63);
    r2 = (r2 << 1) | (r1 >> 63);
    r1 = (r1 << 1) | (r0 >> 63);
    r0 <<= 1;
    return gf128_reduce(r3, r2, r1, r0);
}

/// Number of powers of H kept for the aggregated (one reduction per batch) hardware GHASH.
inline constexpr std::size_t ghash_batch = 16;

/// The GHASH key H, plus (for the PCLMULQDQ paths) H^16..H^1 in the layout that code loads
/// directly: entry j (16 bytes: low word, high word) holds H^(16-j), so that a 256-bit load at an
/// even entry pairs the powers two consecutive blocks need; and for Karatsuba, lo ^ hi of each
/// power in both halves of its entry. Wiped on destruction.
struct ghash_key {
    gf128 h{};
    alignas(32) std::array<std::uint64_t, 2 * ghash_batch> powers{};
    alignas(32) std::array<std::uint64_t, 2 * ghash_batch> karatsuba{};
    bool clmul = false;

    ghash_key() = default;
    ghash_key(const ghash_key&) = default;
    ghash_key& operator=(const ghash_key&) = default;
    ghash_key(ghash_key&&) noexcept = default;
    ghash_key& operator=(ghash_key&&) noexcept = default;
    ~ghash_key() {
        ct::wipe(&h, sizeof h);
        ct::wipe(powers);
        ct::wipe(karatsuba);
    }

    /// Set H from the block E_K(0^128); choose the implementation from the CPU features.
    /// CT: no branch or memory index depends on H.
    void set(const std::uint8_t* hash_subkey) noexcept {
        h = gf128_load(hash_subkey);
        clmul = usable(https::detail::cpu());
        if (!clmul) {
            return;
        }
        gf128 p = h;
        for (std::size_t e = 1; e <= ghash_batch; ++e) {
            const std::size_t j = ghash_batch - e;
            powers[2 * j] = p.lo;
            powers[2 * j + 1] = p.hi;
            karatsuba[2 * j] = p.lo ^ p.hi;
            karatsuba[2 * j + 1] = p.lo ^ p.hi;
            p = gf128_mul(p, h);
        }
        ct::wipe(&p, sizeof p);
    }

    static bool usable(const https::detail::cpu_features& f) noexcept {
#if defined(HTTPS_GHASH_X86)
        return f.pclmul && f.ssse3 && f.sse41;
#else
        (void)f;
        return false;
#endif
    }
};

/// y = (...((y + X_1) H + X_2) H ... + X_n) H over whole 16-byte blocks, portable.
/// CT: no branch or memory index depends on the data or H; time depends on the length.
inline void ghash_ct_blocks(gf128& y, gf128 h, const std::uint8_t* data,
                            std::size_t blocks) noexcept {
    for (std::size_t i = 0; i < blocks; ++i) {
        const gf128 x = gf128_load(data + 16 * i);
        y = gf128_mul({y.hi ^ x.hi, y.lo ^ x.lo}, h);
    }
}

#if defined(HTTPS_GHASH_X86)

/// Reverse the 16 bytes: a block in memory becomes the reflected number as a little-endian
/// 128-bit lane pair (lane 1 = hi, lane 0 = lo). CT: one shuffle with a constant pattern.
HTTPS_GHASH_INLINE inline __m128i ghash_byteswap(__m128i x) noexcept {
    return _mm_shuffle_epi8(x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

/// Unreduced sum of 256-bit products: lo and hi halves and the Karatsuba middle term.
struct ghash_acc {
    __m128i lo;
    __m128i hi;
    __m128i mid;
};

/// acc += x * h (unreduced), `hk` = h.lo ^ h.hi in lane 0. CT: constant-time instructions.
HTTPS_GHASH_INLINE inline void ghash_mul_acc(ghash_acc& acc, __m128i x, __m128i h,
                                             __m128i hk) noexcept {
    acc.lo = _mm_xor_si128(acc.lo, _mm_clmulepi64_si128(x, h, 0x00));
    acc.hi = _mm_xor_si128(acc.hi, _mm_clmulepi64_si128(x, h, 0x11));
    const __m128i xk = _mm_xor_si128(x, _mm_shuffle_epi32(x, 0x4E));
    acc.mid = _mm_xor_si128(acc.mid, _mm_clmulepi64_si128(xk, hk, 0x00));
    // Keep the sums in three registers: without this, GCC re-associates the XOR chains of a
    // whole batch into a tree whose 24 leaves are spilled to the stack.
    __asm__("" : "+x"(acc.lo), "+x"(acc.hi), "+x"(acc.mid));
}

/// The first product of a batch (saves clearing the accumulator). CT: constant-time instructions.
HTTPS_GHASH_INLINE inline ghash_acc ghash_mul_first(__m128i x, __m128i h, __m128i hk) noexcept {
    const __m128i xk = _mm_xor_si128(x, _mm_shuffle_epi32(x, 0x4E));
    return {_mm_clmulepi64_si128(x, h, 0x00), _mm_clmulepi64_si128(x, h, 0x11),
            _mm_clmulepi64_si128(xk, hk, 0x00)};
}

/// Reduce an accumulated product to a field element (the same fold as gf128_reduce, on lanes).
/// CT: constant-time instructions.
HTTPS_GHASH_INLINE inline __m128i ghash_reduce(const ghash_acc& acc) noexcept {
    const __m128i mid = _mm_xor_si128(acc.mid, _mm_xor_si128(acc.lo, acc.hi));
    __m128i lo = _mm_xor_si128(acc.lo, _mm_slli_si128(mid, 8));
    __m128i hi = _mm_xor_si128(acc.hi, _mm_srli_si128(mid, 8));
    // 256-bit shift left by one
    const __m128i clo = _mm_srli_epi64(lo, 63);
    const __m128i chi = _mm_srli_epi64(hi, 63);
    lo = _mm_or_si128(_mm_slli_epi64(lo, 1), _mm_slli_si128(clo, 8));
    hi = _mm_or_si128(_mm_or_si128(_mm_slli_epi64(hi, 1), _mm_slli_si128(chi, 8)),
                      _mm_srli_si128(clo, 8));
    // fold r0's low bits into r1, then the whole low half into the high half
    __m128i u = _mm_xor_si128(_mm_xor_si128(_mm_slli_epi64(lo, 63), _mm_slli_epi64(lo, 62)),
                              _mm_slli_epi64(lo, 57));
    lo = _mm_xor_si128(lo, _mm_slli_si128(u, 8));
    u = _mm_xor_si128(_mm_xor_si128(_mm_slli_epi64(lo, 63), _mm_slli_epi64(lo, 62)),
                      _mm_slli_epi64(lo, 57));
    const __m128i s = _mm_xor_si128(_mm_xor_si128(_mm_srli_epi64(lo, 1), _mm_srli_epi64(lo, 2)),
                                    _mm_srli_epi64(lo, 7));
    return _mm_xor_si128(_mm_xor_si128(hi, lo), _mm_xor_si128(s, _mm_srli_si128(u, 8)));
}

/// H^(i+1), and its Karatsuba term. CT: the index is a public batch position.
HTTPS_GHASH_INLINE inline __m128i ghash_load_power(const ghash_key& k, std::size_t i) noexcept {
    return _mm_load_si128(reinterpret_cast<const __m128i*>(k.powers.data()) +
                          (ghash_batch - 1 - i));
}
HTTPS_GHASH_INLINE inline __m128i ghash_load_karatsuba(const ghash_key& k, std::size_t i) noexcept {
    return _mm_load_si128(reinterpret_cast<const __m128i*>(k.karatsuba.data()) +
                          (ghash_batch - 1 - i));
}

/// Between the word pair and the register form. CT: moves only.
HTTPS_GHASH_INLINE inline __m128i ghash_to_lanes(gf128 v) noexcept {
    return _mm_set_epi64x(static_cast<long long>(v.hi), static_cast<long long>(v.lo));
}
HTTPS_GHASH_INLINE inline gf128 ghash_from_lanes(__m128i v) noexcept {
    alignas(16) std::uint64_t w[2];
    _mm_store_si128(reinterpret_cast<__m128i*>(w), v);
    return {w[1], w[0]};
}

/// Hash `count` (1..8) blocks already in lane form with one reduction:
/// y' = (y + X_1) H^count + X_2 H^(count-1) + ... + X_count H. CT: constant-time instructions.
HTTPS_GHASH_INLINE inline __m128i ghash_clmul_batch(const ghash_key& k, __m128i y, const __m128i* x,
                                                    std::size_t count) noexcept {
    ghash_acc acc = ghash_mul_first(_mm_xor_si128(x[0], y), ghash_load_power(k, count - 1),
                                    ghash_load_karatsuba(k, count - 1));
    for (std::size_t i = 1; i < count; ++i) {
        ghash_mul_acc(acc, x[i], ghash_load_power(k, count - 1 - i),
                      ghash_load_karatsuba(k, count - 1 - i));
    }
    return ghash_reduce(acc);
}

/// GHASH over whole blocks with PCLMULQDQ, up to ghash_batch blocks per reduction.
/// CT: constant-time instructions; time depends on the length only.
HTTPS_GHASH_FN inline void ghash_clmul_blocks(gf128& state, const ghash_key& k,
                                              const std::uint8_t* data,
                                              std::size_t blocks) noexcept {
    __m128i y = ghash_to_lanes(state);
    const auto* p = reinterpret_cast<const __m128i*>(data);
    __m128i x[ghash_batch];
    while (blocks > 0) {
        const std::size_t n = blocks < ghash_batch ? blocks : ghash_batch;
        for (std::size_t i = 0; i < n; ++i) {
            x[i] = ghash_byteswap(_mm_loadu_si128(p + i));
        }
        y = ghash_clmul_batch(k, y, x, n);
        p += n;
        blocks -= n;
    }
    state = ghash_from_lanes(y);
}

#endif // HTTPS_GHASH_X86

/// GHASH over whole blocks with the implementation chosen in `k`.
/// CT: no branch or memory index depends on the data or H; time depends on the length.
inline void ghash_blocks(gf128& y, const ghash_key& k, const std::uint8_t* data,
                         std::size_t blocks) noexcept {
#if defined(HTTPS_GHASH_X86)
    if (k.clmul) {
        ghash_clmul_blocks(y, k, data, blocks);
        return;
    }
#endif
    ghash_ct_blocks(y, k.h, data, blocks);
}

/// GHASH over any number of bytes, the last partial block padded with zeros (SP 800-38D §7.1
/// step 5 pads A and C this way). CT: time depends on the length only.
inline void ghash_padded(gf128& y, const ghash_key& k, bytes_view data) noexcept {
    const std::size_t full = data.size() / 16;
    ghash_blocks(y, k, data.data(), full);
    const std::size_t rest = data.size() % 16;
    if (rest != 0) {
        std::array<std::uint8_t, 16> last{};
        std::memcpy(last.data(), data.data() + 16 * full, rest);
        ghash_blocks(y, k, last.data(), 1);
        ct::wipe(last);
    }
}

} // namespace https::crypto::detail

#undef HTTPS_GHASH_FN
#undef HTTPS_GHASH_INLINE
#undef HTTPS_GHASH_X86
