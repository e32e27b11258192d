// ChaCha20 (RFC 8439 §2.1-2.4): the block function and the stream cipher, portable and AVX2.
#pragma once

#include "../core/bytes.hpp"
#include "../core/cpu.hpp"
#include "../core/ct.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HTTPS_CHACHA20_HAVE_AVX2 1
#else
#define HTTPS_CHACHA20_HAVE_AVX2 0
#endif

namespace https::crypto {

namespace detail {

/// The 16-word ChaCha state (RFC 8439 §2.3): constants, key, block counter (word 12), nonce.
using chacha20_state = std::array<std::uint32_t, 16>;

/// RFC 8439 §2.1: the quarter round on four words.
/// CT: additions, xors and fixed rotations only.
inline void chacha20_quarter_round(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c,
                                   std::uint32_t& d) noexcept {
    a += b;
    d = std::rotl(d ^ a, 16);
    c += d;
    b = std::rotl(b ^ c, 12);
    a += b;
    d = std::rotl(d ^ a, 8);
    c += d;
    b = std::rotl(b ^ c, 7);
}

/// RFC 8439 §2.3: lay out "expand 32-byte k", the key, the counter and the nonce.
/// CT: copies the key; no branch on it.
inline void chacha20_setup(chacha20_state& s, std::span<const std::uint8_t, 32> key,
                           std::uint32_t counter,
                           std::span<const std::uint8_t, 12> nonce) noexcept {
    s[0] = 0x61707865;
    s[1] = 0x3320646e;
    s[2] = 0x79622d32;
    s[3] = 0x6b206574;
    for (std::size_t i = 0; i < 8; ++i) {
        s[4 + i] = https::detail::load_le32(key.data() + 4 * i);
    }
    s[12] = counter;
    for (std::size_t i = 0; i < 3; ++i) {
        s[13 + i] = https::detail::load_le32(nonce.data() + 4 * i);
    }
}

/// RFC 8439 §2.3: 20 rounds (10 column + 10 diagonal) over a copy of `in`, then add `in`.
/// CT: fixed sequence of word operations.
inline void chacha20_block_words(const chacha20_state& in, chacha20_state& x) noexcept {
    x = in;
    for (int i = 0; i < 10; ++i) {
        chacha20_quarter_round(x[0], x[4], x[8], x[12]);
        chacha20_quarter_round(x[1], x[5], x[9], x[13]);
        chacha20_quarter_round(x[2], x[6], x[10], x[14]);
        chacha20_quarter_round(x[3], x[7], x[11], x[15]);
        chacha20_quarter_round(x[0], x[5], x[10], x[15]);
        chacha20_quarter_round(x[1], x[6], x[11], x[12]);
        chacha20_quarter_round(x[2], x[7], x[8], x[13]);
        chacha20_quarter_round(x[3], x[4], x[9], x[14]);
    }
    for (std::size_t i = 0; i < 16; ++i) {
        x[i] += in[i];
    }
}

/// One 64-byte keystream block for the state's current counter (RFC 8439 §2.3, serialised
/// little-endian). The counter in `s` is not advanced.
/// CT: no branch or index on the key or the output.
inline void chacha20_block(const chacha20_state& s, std::span<std::uint8_t, 64> out) noexcept {
    chacha20_state x;
    chacha20_block_words(s, x);
    for (std::size_t i = 0; i < 16; ++i) {
        https::detail::store_le32(out.data() + 4 * i, x[i]);
    }
    ct::wipe(x);
}

/// out = a XOR b over n bytes, eight at a time; `out` may equal `a` or `b` (in place).
/// CT: only `n` steers branches.
inline void xor_bytes(std::uint8_t* out, const std::uint8_t* a, const std::uint8_t* b,
                      std::size_t n) noexcept {
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t x = 0, y = 0;
        std::memcpy(&x, a + i, 8);
        std::memcpy(&y, b + i, 8);
        x ^= y;
        std::memcpy(out + i, &x, 8);
    }
    for (; i < n; ++i) {
        out[i] = static_cast<std::uint8_t>(a[i] ^ b[i]);
    }
}

/// out = in XOR keystream, one block at a time, advancing the counter in `s` by one per block
/// (also for a final partial block). `in == out` is allowed.
/// CT: only `n` (public) steers branches and addresses.
inline void chacha20_xor_portable(chacha20_state& s, const std::uint8_t* in, std::uint8_t* out,
                                  std::size_t n) noexcept {
    chacha20_state x;
    while (n >= 64) {
        chacha20_block_words(s, x);
        for (std::size_t i = 0; i < 16; ++i) {
            https::detail::store_le32(out + 4 * i, https::detail::load_le32(in + 4 * i) ^ x[i]);
        }
        ++s[12];
        in += 64;
        out += 64;
        n -= 64;
    }
    if (n > 0) {
        std::array<std::uint8_t, 64> ks;
        chacha20_block(s, ks);
        xor_bytes(out, in, ks.data(), n);
        ++s[12];
        ct::wipe(ks);
    }
    ct::wipe(x);
}

#if HTTPS_CHACHA20_HAVE_AVX2

// The AVX2 path runs eight blocks at once: YMM register j holds state word j of blocks
// counter+0 .. counter+7, one per 32-bit lane, so each quarter round is 12 vector operations
// for eight blocks. A transpose at the end turns the lanes back into consecutive blocks.

// Helpers of chacha20_avx2_8blocks: small, so GCC inlines them there without being forced.
#define HTTPS_CHACHA20_AVX2 __attribute__((target("avx2")))

HTTPS_CHACHA20_AVX2 inline __m256i chacha20_avx2_rotl(__m256i v, int n) noexcept {
    return _mm256_or_si256(_mm256_slli_epi32(v, n), _mm256_srli_epi32(v, 32 - n));
}

/// CT: vector additions, xors, byte shuffles with constant control, constant shifts.
HTTPS_CHACHA20_AVX2 inline void chacha20_avx2_quarter_round(__m256i& a, __m256i& b, __m256i& c,
                                                            __m256i& d, __m256i rot16,
                                                            __m256i rot8) noexcept {
    a = _mm256_add_epi32(a, b);
    d = _mm256_shuffle_epi8(_mm256_xor_si256(d, a), rot16);
    c = _mm256_add_epi32(c, d);
    b = chacha20_avx2_rotl(_mm256_xor_si256(b, c), 12);
    a = _mm256_add_epi32(a, b);
    d = _mm256_shuffle_epi8(_mm256_xor_si256(d, a), rot8);
    c = _mm256_add_epi32(c, d);
    b = chacha20_avx2_rotl(_mm256_xor_si256(b, c), 7);
}

/// Transpose eight registers of eight words (v[j] lane i = word j of block i) so that
/// v[i] holds words 0..7 of block i.
/// CT: fixed shuffles.
HTTPS_CHACHA20_AVX2 inline void chacha20_avx2_transpose(__m256i* v) noexcept {
    const __m256i t0 = _mm256_unpacklo_epi32(v[0], v[1]);
    const __m256i t1 = _mm256_unpackhi_epi32(v[0], v[1]);
    const __m256i t2 = _mm256_unpacklo_epi32(v[2], v[3]);
    const __m256i t3 = _mm256_unpackhi_epi32(v[2], v[3]);
    const __m256i t4 = _mm256_unpacklo_epi32(v[4], v[5]);
    const __m256i t5 = _mm256_unpackhi_epi32(v[4], v[5]);
    const __m256i t6 = _mm256_unpacklo_epi32(v[6], v[7]);
    const __m256i t7 = _mm256_unpackhi_epi32(v[6], v[7]);
    // u_k holds words 0..3 (u0..u3) or 4..7 (u4..u7) of blocks k (low lane) and k+4 (high lane)
    const __m256i u0 = _mm256_unpacklo_epi64(t0, t2);
    const __m256i u1 = _mm256_unpackhi_epi64(t0, t2);
    const __m256i u2 = _mm256_unpacklo_epi64(t1, t3);
    const __m256i u3 = _mm256_unpackhi_epi64(t1, t3);
    const __m256i u4 = _mm256_unpacklo_epi64(t4, t6);
    const __m256i u5 = _mm256_unpackhi_epi64(t4, t6);
    const __m256i u6 = _mm256_unpacklo_epi64(t5, t7);
    const __m256i u7 = _mm256_unpackhi_epi64(t5, t7);
    v[0] = _mm256_permute2x128_si256(u0, u4, 0x20);
    v[1] = _mm256_permute2x128_si256(u1, u5, 0x20);
    v[2] = _mm256_permute2x128_si256(u2, u6, 0x20);
    v[3] = _mm256_permute2x128_si256(u3, u7, 0x20);
    v[4] = _mm256_permute2x128_si256(u0, u4, 0x31);
    v[5] = _mm256_permute2x128_si256(u1, u5, 0x31);
    v[6] = _mm256_permute2x128_si256(u2, u6, 0x31);
    v[7] = _mm256_permute2x128_si256(u3, u7, 0x31);
}

/// Eight keystream blocks (512 bytes) for counters s[12] .. s[12]+7, XORed with `in` into `out`
/// (`in == out` allowed). The counter in `s` is not advanced.
/// CT: fixed sequence of vector operations; addresses depend only on the pointers.
__attribute__((target("avx2"))) inline void
chacha20_avx2_8blocks(const chacha20_state& s, const std::uint8_t* in, std::uint8_t* out) noexcept {
    const __m256i rot16 = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2,
                                           3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
    const __m256i rot8 = _mm256_setr_epi8(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, 3,
                                          0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);
    __m256i base[16];
    for (std::size_t j = 0; j < 16; ++j) {
        base[j] = _mm256_set1_epi32(static_cast<int>(s[j]));
    }
    base[12] = _mm256_add_epi32(base[12], _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    __m256i x[16];
    for (std::size_t j = 0; j < 16; ++j) {
        x[j] = base[j];
    }
    for (int i = 0; i < 10; ++i) {
        chacha20_avx2_quarter_round(x[0], x[4], x[8], x[12], rot16, rot8);
        chacha20_avx2_quarter_round(x[1], x[5], x[9], x[13], rot16, rot8);
        chacha20_avx2_quarter_round(x[2], x[6], x[10], x[14], rot16, rot8);
        chacha20_avx2_quarter_round(x[3], x[7], x[11], x[15], rot16, rot8);
        chacha20_avx2_quarter_round(x[0], x[5], x[10], x[15], rot16, rot8);
        chacha20_avx2_quarter_round(x[1], x[6], x[11], x[12], rot16, rot8);
        chacha20_avx2_quarter_round(x[2], x[7], x[8], x[13], rot16, rot8);
        chacha20_avx2_quarter_round(x[3], x[4], x[9], x[14], rot16, rot8);
    }
    for (std::size_t j = 0; j < 16; ++j) {
        x[j] = _mm256_add_epi32(x[j], base[j]);
    }
    chacha20_avx2_transpose(x);     // x[i] = words 0..7 of block i
    chacha20_avx2_transpose(x + 8); // x[8 + i] = words 8..15 of block i
    for (std::size_t i = 0; i < 8; ++i) {
        const auto* src = reinterpret_cast<const __m256i*>(in + 64 * i);
        auto* dst = reinterpret_cast<__m256i*>(out + 64 * i);
        const __m256i lo = _mm256_xor_si256(_mm256_loadu_si256(src), x[i]);
        const __m256i hi = _mm256_xor_si256(_mm256_loadu_si256(src + 1), x[8 + i]);
        _mm256_storeu_si256(dst, lo);
        _mm256_storeu_si256(dst + 1, hi);
    }
}

#undef HTTPS_CHACHA20_AVX2

/// The AVX2 stream: 512-byte strides, a final partial stride through a stack buffer (or the
/// portable code when at most one block remains: one scalar block costs less than eight lanes).
/// Advances the counter like the portable path.
/// CT: only `n` (public) steers branches and addresses.
__attribute__((target("avx2"))) inline void chacha20_xor_avx2(chacha20_state& s,
                                                              const std::uint8_t* in,
                                                              std::uint8_t* out,
                                                              std::size_t n) noexcept {
    while (n >= 512) {
        chacha20_avx2_8blocks(s, in, out);
        s[12] += 8;
        in += 512;
        out += 512;
        n -= 512;
    }
    if (n > 64) {
        std::array<std::uint8_t, 512> buf{};
        chacha20_avx2_8blocks(s, buf.data(), buf.data()); // keystream = 0 XOR keystream
        xor_bytes(out, in, buf.data(), n);
        s[12] += static_cast<std::uint32_t>((n + 63) / 64);
        ct::wipe(buf);
    } else if (n > 0) {
        chacha20_xor_portable(s, in, out, n);
    }
}

#endif // HTTPS_CHACHA20_HAVE_AVX2

/// The dispatcher: the AVX2 path when the CPU (and the tests' override) allows it.
/// CT: the choice depends only on the CPU; see the two paths.
inline void chacha20_xor_state(chacha20_state& s, const std::uint8_t* in, std::uint8_t* out,
                               std::size_t n) noexcept {
#if HTTPS_CHACHA20_HAVE_AVX2
    if (https::detail::cpu().avx2) {
        chacha20_xor_avx2(s, in, out, n);
        return;
    }
#endif
    chacha20_xor_portable(s, in, out, n);
}

/// Keystream blocks for counters s[12], s[12]+1, ... into `out`: at least `nblocks` (1..8) of
/// them. The AVX2 path always makes eight, as that costs the same as making fewer; the portable
/// path makes exactly `nblocks`. The counter in `s` is not advanced. The AEAD takes its Poly1305
/// key block and the first seven data blocks from one call.
/// CT: only `nblocks` (public) steers branches.
inline void chacha20_keystream_head(const chacha20_state& s, std::span<std::uint8_t, 512> out,
                                    std::size_t nblocks) noexcept {
    assert(nblocks >= 1 && nblocks <= 8);
#if HTTPS_CHACHA20_HAVE_AVX2
    if (https::detail::cpu().avx2) {
        std::fill(out.begin(), out.end(), std::uint8_t{0});
        chacha20_avx2_8blocks(s, out.data(), out.data()); // 0 XOR keystream
        return;
    }
#endif
    chacha20_state t = s;
    for (std::size_t i = 0; i < nblocks; ++i, ++t[12]) {
        chacha20_block(t, out.subspan(64 * i).first<64>());
    }
    ct::wipe(t);
}

/// True when two buffers either coincide exactly or do not overlap at all (the in-place rule).
inline bool same_or_disjoint(const std::uint8_t* a, std::size_t na, const std::uint8_t* b,
                             std::size_t nb) noexcept {
    if (a == b || na == 0 || nb == 0) {
        return true;
    }
    const auto pa = reinterpret_cast<std::uintptr_t>(a);
    const auto pb = reinterpret_cast<std::uintptr_t>(b);
    return pa + na <= pb || pb + nb <= pa;
}

} // namespace detail

/// ChaCha20 (RFC 8439 §2.4): `out = in XOR keystream`, the keystream starting at block `counter`
/// of (`key`, `nonce`). Encryption and decryption are the same operation; `in` and `out` must
/// have the same size and either coincide (in place) or not overlap. The 32-bit block counter
/// must not wrap: `in.size()` may be at most `(2^32 - counter) * 64` bytes.
/// CT: only the length steers branches and addresses.
inline void chacha20_xor(std::span<const std::uint8_t, 32> key,
                         std::span<const std::uint8_t, 12> nonce, std::uint32_t counter,
                         bytes_view in, mutable_bytes out) noexcept {
    assert(in.size() == out.size());
    assert(detail::same_or_disjoint(in.data(), in.size(), out.data(), out.size()));
    assert(in.size() / 64 + (in.size() % 64 != 0 ? 1 : 0) <=
           (std::uint64_t{1} << 32) - std::uint64_t{counter});
    detail::chacha20_state s;
    detail::chacha20_setup(s, key, counter, nonce);
    detail::chacha20_xor_state(s, in.data(), out.data(), in.size());
    ct::wipe(s);
}

} // namespace https::crypto
