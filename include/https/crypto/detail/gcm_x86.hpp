// GCM's bulk pass on x86: AES-NI counter mode and PCLMULQDQ GHASH interleaved in one pass over the
// data, twelve blocks at a time on 128-bit vectors, or sixteen on 256-bit ones (VAES/VPCLMULQDQ).
#pragma once

#if defined(__x86_64__) || defined(__i386__)

#include "../../core/bytes.hpp"
#include "../../core/ct.hpp"
#include "ghash.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <immintrin.h>

// The 128-bit body is written once with SSE intrinsics and compiled twice, once per entry point:
// one for SSE4.1 and one for AVX, where the same intrinsics get the three-operand VEX encoding (no
// register copies; measured 5-10% faster on AMD Zen 3). The 256-bit loop hands its last blocks to
// the AVX one. Each entry point is one out-of-line function for both key sizes (the round count is
// a run-time argument) and both directions, so a program holds three copies of the loop, not one
// per key size, direction and CPU path. The body and its helpers are forced inline: GCC would
// otherwise call the SSE-encoded helpers from the AVX entry point. On Zen 3, AES-128-GCM at 16 KiB:
// 128-bit SSE 0.96x OpenSSL 3.0, AVX 1.03x, 256-bit 1.7x (OpenSSL 3.0.19 as installed, same run,
// same buffers).
#define HTTPS_GCM_FN __attribute__((target("aes,sse4.1,pclmul"), always_inline))

namespace https::crypto::detail {

/// Blocks per batch of the one-pass loop. With eight, the AES chains (four-cycle aesenc latency,
/// two per cycle) have no slack left once PCLMULQDQ shares their execution ports; twelve keep the
/// AES units busy and still fit the sixteen vector registers. Measured on Zen 3 (16 KiB): 8 blocks
/// 0.91x OpenSSL, 10: 0.96x, 12: 1.03x, 14: 1.02x, 16: 0.96x (spills).
inline constexpr std::size_t gcm_ni_blocks = 12;
static_assert(gcm_ni_blocks <= ghash_batch);

/// The same pointer, hidden from the optimiser: blocks hashed in a batch are then loaded from
/// memory inside the rounds instead of being kept in (too few) registers across the batch.
inline const __m128i* gcm_opaque(const __m128i* p) noexcept {
    __asm__("" : "+r"(p));
    return p;
}

/// gcm_opaque for the 256-bit loop.
inline const __m256i* gcm_opaque_wide(const __m256i* p) noexcept {
    __asm__("" : "+r"(p));
    return p;
}

/// A batch of counter blocks from `ctr` (byte-reversed, so the 32-bit counter is lane 0 and adding
/// wraps it modulo 2^32 as inc32 of SP 800-38D §6.2 requires), whitened with round key 0. CT:
/// constant-time instructions (the counter is public, round key 0 is not).
HTTPS_GCM_FN inline void gcm_ni_counters(__m128i& ctr, __m128i k0, __m128i* b) noexcept {
    const __m128i swap = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
#pragma GCC unroll 16
    for (std::size_t j = 0; j < gcm_ni_blocks; ++j) {
        b[j] = _mm_xor_si128(
            _mm_shuffle_epi8(_mm_add_epi32(ctr, _mm_set_epi32(0, 0, 0, static_cast<int>(j))), swap),
            k0);
    }
    ctr = _mm_add_epi32(ctr, _mm_set_epi32(0, 0, 0, static_cast<int>(gcm_ni_blocks)));
}

/// AES rounds 1..(rounds - 10) of a batch: none for AES-128, four for AES-256. The rest of a batch
/// is then the same ten rounds for both key sizes, with round keys from `k + rounds - 10`: one
/// unrolled stitched loop serves both, its GHASH multiplications spread over the last ten rounds.
/// CT: constant-time instructions; `rounds` (10 or 14) is public.
HTTPS_GCM_FN inline const __m128i* gcm_ni_first_rounds(const __m128i* k, unsigned rounds,
                                                       __m128i* b) noexcept {
    if (rounds > 10) {
        // unrolled: as a loop, GCC copies all the blocks between registers every round
#pragma GCC unroll 4
        for (unsigned r = 1; r <= 4; ++r) {
            const __m128i kr = _mm_load_si128(k + r);
#pragma GCC unroll 16
            for (std::size_t j = 0; j < gcm_ni_blocks; ++j) {
                b[j] = _mm_aesenc_si128(b[j], kr);
            }
        }
    }
    return k + (rounds - 10);
}

/// A batch of keystream blocks into `b` (`rounds` = 10 or 14) while folding the batch of ciphertext
/// blocks at `hash_src` into the GHASH state `y` with one reduction: block i is multiplied by
/// H^(n-i), and the multiplications are spread over the last nine middle rounds. CT: constant-time
/// instructions only; `rounds` is public (the key size).
HTTPS_GCM_FN inline void gcm_ni_stitched(const __m128i* k, unsigned rounds, const ghash_key& hk,
                                         __m128i& ctr, __m128i& y, const __m128i* hash_src,
                                         __m128i* b) noexcept {
    constexpr std::size_t n = gcm_ni_blocks;
    gcm_ni_counters(ctr, _mm_load_si128(k), b);
    k = gcm_ni_first_rounds(k, rounds, b);
    ghash_acc acc{};
#pragma GCC unroll 9
    for (unsigned r = 1; r < 10; ++r) {
        const __m128i kr = _mm_load_si128(k + r);
#pragma GCC unroll 16
        for (std::size_t j = 0; j < n; ++j) {
            b[j] = _mm_aesenc_si128(b[j], kr);
        }
        // blocks [first, last) of the hash batch go with this round
        const std::size_t first = (r - 1) * n / 9, last = r * n / 9;
#pragma GCC unroll 4
        for (std::size_t i = first; i < last; ++i) {
            const __m128i x = ghash_byteswap(_mm_loadu_si128(hash_src + i));
            const std::size_t power = n - 1 - i; // H^(n-i)
            if (i == 0) {
                acc = ghash_mul_first(_mm_xor_si128(x, y), ghash_load_power(hk, power),
                                      ghash_load_karatsuba(hk, power));
            } else {
                ghash_mul_acc(acc, x, ghash_load_power(hk, power), ghash_load_karatsuba(hk, power));
            }
        }
    }
    const __m128i kl = _mm_load_si128(k + 10);
#pragma GCC unroll 16
    for (std::size_t j = 0; j < n; ++j) {
        b[j] = _mm_aesenclast_si128(b[j], kl);
    }
    y = ghash_reduce(acc);
}

/// A batch of keystream blocks, no hashing (the first batch when encrypting, and the tail): a plain
/// loop over the rounds, as it is not the hot path. CT: constant-time instructions only.
HTTPS_GCM_FN inline void gcm_ni_keystream(const __m128i* k, unsigned rounds, __m128i& ctr,
                                          __m128i* b) noexcept {
    gcm_ni_counters(ctr, _mm_load_si128(k), b);
    for (unsigned r = 1; r < rounds; ++r) {
        const __m128i kr = _mm_load_si128(k + r);
#pragma GCC unroll 16
        for (std::size_t j = 0; j < gcm_ni_blocks; ++j) {
            b[j] = _mm_aesenc_si128(b[j], kr);
        }
    }
    const __m128i kl = _mm_load_si128(k + rounds);
#pragma GCC unroll 16
    for (std::size_t j = 0; j < gcm_ni_blocks; ++j) {
        b[j] = _mm_aesenclast_si128(b[j], kl);
    }
}

/// GHASH of `bytes` bytes at `p`, the last partial block zero-padded, one reduction per
/// gcm_ni_blocks blocks. CT: constant-time instructions; time depends on the length only.
HTTPS_GCM_FN inline __m128i gcm_ni_hash(const ghash_key& hk, __m128i y, const std::uint8_t* p,
                                        std::size_t bytes) noexcept {
    __m128i x[gcm_ni_blocks];
    while (bytes != 0) {
        const std::size_t take = bytes < 16 * gcm_ni_blocks ? bytes : 16 * gcm_ni_blocks;
        const std::size_t full = take / 16, rest = take % 16;
        for (std::size_t i = 0; i < full; ++i) {
            x[i] = ghash_byteswap(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p) + i));
        }
        std::size_t count = full;
        if (rest != 0) {
            alignas(16) std::array<std::uint8_t, 16> last{};
            std::memcpy(last.data(), p + 16 * full, rest);
            x[count++] =
                ghash_byteswap(_mm_load_si128(reinterpret_cast<const __m128i*>(last.data())));
            ct::wipe(last);
        }
        y = ghash_clmul_batch(hk, y, x, count);
        p += take;
        bytes -= take;
    }
    return y;
}

/// The counter block nonce || counter, byte-reversed (the form gcm_ni_counters works on). CT: nonce
/// and counter are public.
HTTPS_GCM_FN inline __m128i gcm_ni_counter_block(const std::uint8_t* nonce,
                                                 std::uint32_t counter) noexcept {
    alignas(16) std::array<std::uint8_t, 16> block{};
    std::memcpy(block.data(), nonce, 12);
    https::detail::store_be32(block.data() + 12, counter);
    return ghash_byteswap(_mm_load_si128(reinterpret_cast<const __m128i*>(block.data())));
}

/// SP 800-38D §7.1 steps 3-5 (or §7.2 steps 3-6) for the data: counter mode from nonce || `counter`
/// (2 for a whole message) over `len` bytes of `in` into `out` (in place allowed), with `rounds` =
/// 10 (AES-128) or 14 (AES-256), and GHASH of the ciphertext (the output when `encrypt`, the input
/// otherwise) into `state`, zero-padding the last block. Encrypting, a batch's ciphertext is hashed
/// while the next batch is encrypted; decrypting, it is hashed (read from memory) while its own
/// keystream is made, before any of its plaintext is stored, so decrypting in place is safe. Always
/// inlined into its two entry points below (one copy each): that is how the AVX one gets the VEX
/// encoding of the same intrinsics. CT: constant-time instructions; time depends on the length;
/// `rounds` and `encrypt` are public.
HTTPS_GCM_FN inline void gcm_ni_crypt_body(const std::uint8_t* round_keys, unsigned rounds,
                                           bool encrypt, const ghash_key& hk,
                                           const std::uint8_t* nonce, std::uint32_t counter,
                                           const std::uint8_t* in, std::uint8_t* out,
                                           std::size_t len, gf128& state) noexcept {
    constexpr std::size_t n = gcm_ni_blocks;
    const auto* k = reinterpret_cast<const __m128i*>(round_keys);
    __m128i ctr = gcm_ni_counter_block(nonce, counter);
    __m128i y = ghash_to_lanes(state);
    const auto* src = reinterpret_cast<const __m128i*>(in);
    auto* dst = reinterpret_cast<__m128i*>(out);
    __m128i b[n];

    std::size_t blocks = len / 16;
    std::size_t held = 0; // encrypting: ciphertext bytes before `dst` not hashed yet
    if (encrypt && blocks >= n) {
        gcm_ni_keystream(k, rounds, ctr, b);
#pragma GCC unroll 16
        for (std::size_t j = 0; j < n; ++j) {
            _mm_storeu_si128(dst + j, _mm_xor_si128(b[j], _mm_loadu_si128(src + j)));
        }
        src += n;
        dst += n;
        blocks -= n;
        held = 16 * n;
    }
    for (; blocks >= n; blocks -= n, src += n, dst += n) {
        gcm_ni_stitched(k, rounds, hk, ctr, y, gcm_opaque(encrypt ? dst - n : src), b);
#pragma GCC unroll 16
        for (std::size_t j = 0; j < n; ++j) {
            _mm_storeu_si128(dst + j, _mm_xor_si128(b[j], _mm_loadu_si128(src + j)));
        }
    }

    // Fewer than n blocks left (the last possibly partial): one more batch of keystream, of which
    // only what is needed is used, and aggregated GHASH.
    const std::size_t rest = len % (16 * n);
    const auto* s = reinterpret_cast<const std::uint8_t*>(src);
    auto* d = reinterpret_cast<std::uint8_t*>(dst);
    if (rest != 0) {
        if (!encrypt) {
            y = gcm_ni_hash(hk, y, s, rest);
        }
        gcm_ni_keystream(k, rounds, ctr, b);
        const std::size_t full = rest / 16;
        for (std::size_t j = 0; j < full; ++j) {
            _mm_storeu_si128(dst + j, _mm_xor_si128(b[j], _mm_loadu_si128(src + j)));
        }
        if (rest % 16 != 0) {
            alignas(16) std::array<std::uint8_t, 16> buf{};
            std::memcpy(buf.data(), s + 16 * full, rest % 16);
            auto* bp = reinterpret_cast<__m128i*>(buf.data());
            _mm_store_si128(bp, _mm_xor_si128(_mm_load_si128(bp), b[full]));
            std::memcpy(d + 16 * full, buf.data(), rest % 16);
            ct::wipe(buf);
        }
    }
    if (encrypt) {
        y = gcm_ni_hash(hk, y, d - held, held + rest);
    }
    state = ghash_from_lanes(y);
}

/// The SSE4.1 entry point of gcm_ni_crypt_body: one out-of-line copy for both key sizes and both
/// directions.
__attribute__((target("aes,sse4.1,pclmul"), noinline)) inline void
gcm_ni_crypt(const std::uint8_t* round_keys, unsigned rounds, bool encrypt, const ghash_key& hk,
             const std::uint8_t* nonce, std::uint32_t counter, const std::uint8_t* in,
             std::uint8_t* out, std::size_t len, gf128& state) noexcept {
    gcm_ni_crypt_body(round_keys, rounds, encrypt, hk, nonce, counter, in, out, len, state);
}

/// The AVX entry point of gcm_ni_crypt_body (VEX encoding of the same code).
__attribute__((target("aes,pclmul,avx"), noinline)) inline void
gcm_ni_crypt_avx(const std::uint8_t* round_keys, unsigned rounds, bool encrypt, const ghash_key& hk,
                 const std::uint8_t* nonce, std::uint32_t counter, const std::uint8_t* in,
                 std::uint8_t* out, std::size_t len, gf128& state) noexcept {
    gcm_ni_crypt_body(round_keys, rounds, encrypt, hk, nonce, counter, in, out, len, state);
}

// ---- 256-bit vectors: VAES and VPCLMULQDQ, two blocks per register ----------------------------

// Helpers of gcm_wide_crypt, each called from it once; forced inline because GCC keeps the stitched
// batch out of line otherwise (measured 25% slower).
#define HTTPS_GCM_WIDE_FN __attribute__((target("vaes,vpclmulqdq,avx2,aes,pclmul"), always_inline))

/// Blocks per batch of the 256-bit loop: sixteen in eight registers.
inline constexpr std::size_t gcm_wide_blocks = 16;
static_assert(gcm_wide_blocks <= ghash_batch);

/// Whether the CPU runs the 256-bit loop.
inline bool gcm_wide_usable(const https::detail::cpu_features& f) noexcept {
    return f.vaes && f.vpclmulqdq && f.avx2;
}

/// ghash_byteswap on both lanes. CT: one shuffle with a constant pattern.
HTTPS_GCM_WIDE_FN inline __m256i gcm_wide_byteswap(__m256i x) noexcept {
    const __m256i swap = _mm256_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1,
                                         2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    return _mm256_shuffle_epi8(x, swap);
}

/// Unreduced GHASH sums, two independent ones per register (one per 128-bit lane).
struct gcm_wide_acc {
    __m256i lo;
    __m256i hi;
    __m256i mid;
};

/// acc (+)= x * h lane by lane (Karatsuba; `hk` holds lo ^ hi of each lane's power). CT:
/// constant-time instructions.
HTTPS_GCM_WIDE_FN inline void gcm_wide_mul(gcm_wide_acc& acc, __m256i x, __m256i h, __m256i hk,
                                           bool first) noexcept {
    const __m256i xk = _mm256_xor_si256(x, _mm256_shuffle_epi32(x, 0x4E));
    const __m256i lo = _mm256_clmulepi64_epi128(x, h, 0x00);
    const __m256i hi = _mm256_clmulepi64_epi128(x, h, 0x11);
    const __m256i mid = _mm256_clmulepi64_epi128(xk, hk, 0x00);
    if (first) {
        acc = {lo, hi, mid};
    } else {
        acc.lo = _mm256_xor_si256(acc.lo, lo);
        acc.hi = _mm256_xor_si256(acc.hi, hi);
        acc.mid = _mm256_xor_si256(acc.mid, mid);
    }
    __asm__("" : "+x"(acc.lo), "+x"(acc.hi), "+x"(acc.mid)); // see ghash_mul_acc
}

/// Add the two lanes of an accumulator, and reduce. CT: constant-time instructions.
HTTPS_GCM_WIDE_FN inline __m128i gcm_wide_fold(__m256i v) noexcept {
    return _mm_xor_si128(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
}
HTTPS_GCM_WIDE_FN inline __m128i gcm_wide_reduce(const gcm_wide_acc& acc) noexcept {
    return ghash_reduce({gcm_wide_fold(acc.lo), gcm_wide_fold(acc.hi), gcm_wide_fold(acc.mid)});
}

/// Pair i (blocks 2i and 2i+1) of a 16-block hash batch: byte-swapped blocks, `y` added to the
/// first block of the batch, times (H^(16-2i), H^(15-2i)). CT: constant-time instructions; `i` is a
/// public batch position.
HTTPS_GCM_WIDE_FN inline void gcm_wide_hash_pair(gcm_wide_acc& acc, const ghash_key& hk, __m128i y,
                                                 const __m256i* src, std::size_t i) noexcept {
    __m256i x = gcm_wide_byteswap(_mm256_loadu_si256(src + i));
    if (i == 0) {
        x = _mm256_xor_si256(x, _mm256_zextsi128_si256(y));
    }
    const auto* powers = reinterpret_cast<const __m256i*>(hk.powers.data());
    const auto* karatsuba = reinterpret_cast<const __m256i*>(hk.karatsuba.data());
    gcm_wide_mul(acc, x, _mm256_load_si256(powers + i), _mm256_load_si256(karatsuba + i), i == 0);
}

/// Sixteen counter blocks from `ctr` (see gcm_ni_counters) in eight registers, whitened. CT:
/// constant-time instructions.
HTTPS_GCM_WIDE_FN inline void gcm_wide_counters(__m128i& ctr, __m256i k0, __m256i* b) noexcept {
    const __m256i base = _mm256_add_epi32(_mm256_broadcastsi128_si256(ctr),
                                          _mm256_set_epi32(0, 0, 0, 1, 0, 0, 0, 0));
    const __m256i swap = _mm256_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1,
                                         2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
        const __m256i step = _mm256_set_epi32(0, 0, 0, 2 * j, 0, 0, 0, 2 * j);
        b[j] = _mm256_xor_si256(_mm256_shuffle_epi8(_mm256_add_epi32(base, step), swap), k0);
    }
    ctr = _mm_add_epi32(ctr, _mm_set_epi32(0, 0, 0, static_cast<int>(gcm_wide_blocks)));
}

/// Sixteen keystream blocks, no hashing (the first batch when encrypting); `rk` holds each round
/// key in both lanes. CT: constant-time instructions; `rounds` is public.
HTTPS_GCM_WIDE_FN inline void gcm_wide_keystream(const __m256i* rk, unsigned rounds, __m128i& ctr,
                                                 __m256i* b) noexcept {
    gcm_wide_counters(ctr, rk[0], b);
    for (unsigned r = 1; r < rounds; ++r) {
#pragma GCC unroll 8
        for (int j = 0; j < 8; ++j) {
            b[j] = _mm256_aesenc_epi128(b[j], rk[r]);
        }
    }
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
        b[j] = _mm256_aesenclast_epi128(b[j], rk[rounds]);
    }
}

/// Sixteen keystream blocks while hashing the sixteen ciphertext blocks at `hash_src` over the last
/// nine middle rounds (see gcm_ni_first_rounds). CT: constant-time instructions; `rounds` is
/// public.
HTTPS_GCM_WIDE_FN inline void gcm_wide_stitched(const __m256i* rk, unsigned rounds,
                                                const ghash_key& hk, __m128i& ctr, __m128i& y,
                                                const __m256i* hash_src, __m256i* b) noexcept {
    gcm_wide_counters(ctr, rk[0], b);
    if (rounds > 10) {
        // unrolled: as a loop, GCC copies all the blocks between registers every round
#pragma GCC unroll 4
        for (unsigned r = 1; r <= 4; ++r) {
#pragma GCC unroll 8
            for (int j = 0; j < 8; ++j) {
                b[j] = _mm256_aesenc_epi128(b[j], rk[r]);
            }
        }
    }
    rk += rounds - 10;
    gcm_wide_acc acc{};
#pragma GCC unroll 9
    for (unsigned r = 1; r < 10; ++r) {
#pragma GCC unroll 8
        for (int j = 0; j < 8; ++j) {
            b[j] = _mm256_aesenc_epi128(b[j], rk[r]);
        }
        const std::size_t first = (r - 1) * 8 / 9, last = r * 8 / 9;
#pragma GCC unroll 2
        for (std::size_t i = first; i < last; ++i) {
            gcm_wide_hash_pair(acc, hk, y, hash_src, i);
        }
    }
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
        b[j] = _mm256_aesenclast_epi128(b[j], rk[10]);
    }
    y = gcm_wide_reduce(acc);
}

/// XOR sixteen keystream blocks into the data. CT: constant-time instructions.
HTTPS_GCM_WIDE_FN inline void gcm_wide_xor(const __m256i* b, const __m256i* src,
                                           __m256i* dst) noexcept {
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
        _mm256_storeu_si256(dst + j, _mm256_xor_si256(b[j], _mm256_loadu_si256(src + j)));
    }
}

/// As gcm_ni_crypt_body, sixteen blocks per batch in 256-bit registers; the last (up to 15 blocks
/// and a partial one) goes through gcm_ni_crypt_avx. One copy for both key sizes and both
/// directions. CT: constant-time instructions; time depends on the length only; `rounds`, `encrypt`
/// public.
__attribute__((target("vaes,vpclmulqdq,avx2,aes,pclmul"), noinline)) inline void
gcm_wide_crypt(const std::uint8_t* round_keys, unsigned rounds, bool encrypt, const ghash_key& hk,
               const std::uint8_t* nonce, const std::uint8_t* in, std::uint8_t* out,
               std::size_t len, gf128& state) noexcept {
    constexpr std::size_t n = gcm_wide_blocks;
    const std::size_t batches = len / (16 * n);
    if (batches != 0) {
        const auto* k = reinterpret_cast<const __m128i*>(round_keys);
        __m256i rk[15];
        for (unsigned r = 0; r <= rounds; ++r) {
            rk[r] = _mm256_broadcastsi128_si256(_mm_load_si128(k + r));
        }
        __m128i ctr = gcm_ni_counter_block(nonce, 2);
        __m128i y = ghash_to_lanes(state);
        const auto* src = reinterpret_cast<const __m256i*>(in);
        auto* dst = reinterpret_cast<__m256i*>(out);
        __m256i b[8];
        std::size_t i = 0;
        if (encrypt) {
            // the ciphertext of a batch is hashed while the next batch is encrypted
            gcm_wide_keystream(rk, rounds, ctr, b);
            gcm_wide_xor(b, src, dst);
            src += 8;
            dst += 8;
            i = 1;
        }
        for (; i < batches; ++i, src += 8, dst += 8) {
            // encrypting, the previous batch's ciphertext; decrypting, this batch's, hashed (from
            // memory) before any of its plaintext is stored
            gcm_wide_stitched(rk, rounds, hk, ctr, y, gcm_opaque_wide(encrypt ? dst - 8 : src), b);
            gcm_wide_xor(b, src, dst);
        }
        if (encrypt) {
            gcm_wide_acc acc{};
            for (std::size_t i = 0; i < 8; ++i) {
                gcm_wide_hash_pair(acc, hk, y, dst - 8, i);
            }
            y = gcm_wide_reduce(acc);
        }
        state = ghash_from_lanes(y);
        ct::wipe(rk, sizeof rk);
    }
    const std::size_t done = 16 * n * batches;
    if (done != len) {
        gcm_ni_crypt_avx(round_keys, rounds, encrypt, hk, nonce,
                         static_cast<std::uint32_t>(2 + n * batches), in + done, out + done,
                         len - done, state);
    }
}

} // namespace https::crypto::detail

#undef HTTPS_GCM_FN
#undef HTTPS_GCM_WIDE_FN

#endif // x86
