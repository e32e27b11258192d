// AES (FIPS 197) with the x86 AES-NI instructions, eight blocks in flight to hide aesenc latency.
#pragma once

#if defined(__x86_64__) || defined(__i386__)

#include "../../core/cpu.hpp"

#include <cstddef>
#include <cstdint>
#include <immintrin.h>

// Function-level target: the rest of the program is compiled without these extensions, and the
// caller checks https::detail::cpu() before calling in. The round count (10 for AES-128, 14 for
// AES-256; public) is a run-time argument, so one copy of each loop serves both key sizes.
#define HTTPS_AESNI_FN __attribute__((target("aes,sse4.1,pclmul")))

namespace https::crypto::detail {

/// Whether the CPU runs this file's code (AES-NI, plus SSSE3/SSE4.1 for byte shuffles).
inline bool aesni_usable(const https::detail::cpu_features& f) noexcept {
    return f.aesni && f.ssse3 && f.sse41;
}

/// From FIPS 197 round keys (16 bytes each, in order) to the encryption schedule, unchanged,
/// and the decryption schedule of the Equivalent Inverse Cipher (FIPS 197 §5.3.5): the keys in
/// reverse order with InvMixColumns applied to all but the outer two. `enc` and `dec` are
/// 16-byte aligned. CT: AES-NI instructions run in constant time.
HTTPS_AESNI_FN inline void aesni_prepare_keys(const std::uint8_t* round_keys, unsigned rounds,
                                              std::uint8_t* enc, std::uint8_t* dec) noexcept {
    auto* e = reinterpret_cast<__m128i*>(enc);
    auto* d = reinterpret_cast<__m128i*>(dec);
    for (unsigned i = 0; i <= rounds; ++i) {
        _mm_store_si128(e + i, _mm_loadu_si128(reinterpret_cast<const __m128i*>(round_keys) + i));
    }
    _mm_store_si128(d, _mm_load_si128(e + rounds));
    for (unsigned i = 1; i < rounds; ++i) {
        _mm_store_si128(d + i, _mm_aesimc_si128(_mm_load_si128(e + rounds - i)));
    }
    _mm_store_si128(d + rounds, _mm_load_si128(e));
}

/// Encrypt one block held in a register. CT: constant-time instructions.
HTTPS_AESNI_FN inline __m128i aesni_encrypt1(const __m128i* k, unsigned rounds,
                                             __m128i b) noexcept {
    b = _mm_xor_si128(b, _mm_load_si128(k));
    for (unsigned r = 1; r < rounds; ++r) {
        b = _mm_aesenc_si128(b, _mm_load_si128(k + r));
    }
    return _mm_aesenclast_si128(b, _mm_load_si128(k + rounds));
}

/// Encrypt eight blocks in registers. CT: constant-time instructions.
HTTPS_AESNI_FN inline void aesni_encrypt8(const __m128i* k, unsigned rounds, __m128i* b) noexcept {
    const __m128i k0 = _mm_load_si128(k);
#pragma GCC unroll 8
    for (unsigned j = 0; j < 8; ++j) {
        b[j] = _mm_xor_si128(b[j], k0);
    }
    for (unsigned r = 1; r < rounds; ++r) {
        const __m128i kr = _mm_load_si128(k + r);
#pragma GCC unroll 8
        for (unsigned j = 0; j < 8; ++j) {
            b[j] = _mm_aesenc_si128(b[j], kr);
        }
    }
    const __m128i kl = _mm_load_si128(k + rounds);
#pragma GCC unroll 8
    for (unsigned j = 0; j < 8; ++j) {
        b[j] = _mm_aesenclast_si128(b[j], kl);
    }
}

/// Decrypt eight blocks in registers with the decryption schedule. CT: constant-time
/// instructions.
HTTPS_AESNI_FN inline void aesni_decrypt8(const __m128i* k, unsigned rounds, __m128i* b) noexcept {
    const __m128i k0 = _mm_load_si128(k);
#pragma GCC unroll 8
    for (unsigned j = 0; j < 8; ++j) {
        b[j] = _mm_xor_si128(b[j], k0);
    }
    for (unsigned r = 1; r < rounds; ++r) {
        const __m128i kr = _mm_load_si128(k + r);
#pragma GCC unroll 8
        for (unsigned j = 0; j < 8; ++j) {
            b[j] = _mm_aesdec_si128(b[j], kr);
        }
    }
    const __m128i kl = _mm_load_si128(k + rounds);
#pragma GCC unroll 8
    for (unsigned j = 0; j < 8; ++j) {
        b[j] = _mm_aesdeclast_si128(b[j], kl);
    }
}

/// Encrypt `blocks` blocks (in place allowed). CT: branches on the block count only.
HTTPS_AESNI_FN inline void aesni_encrypt(const std::uint8_t* enc, unsigned rounds,
                                         const std::uint8_t* in, std::uint8_t* out,
                                         std::size_t blocks) noexcept {
    const auto* k = reinterpret_cast<const __m128i*>(enc);
    const auto* src = reinterpret_cast<const __m128i*>(in);
    auto* dst = reinterpret_cast<__m128i*>(out);
    for (; blocks >= 8; blocks -= 8, src += 8, dst += 8) {
        __m128i b[8];
#pragma GCC unroll 8
        for (unsigned j = 0; j < 8; ++j) {
            b[j] = _mm_loadu_si128(src + j);
        }
        aesni_encrypt8(k, rounds, b);
#pragma GCC unroll 8
        for (unsigned j = 0; j < 8; ++j) {
            _mm_storeu_si128(dst + j, b[j]);
        }
    }
    for (; blocks > 0; --blocks, ++src, ++dst) {
        _mm_storeu_si128(dst, aesni_encrypt1(k, rounds, _mm_loadu_si128(src)));
    }
}

/// Decrypt `blocks` blocks (in place allowed). CT: branches on the block count only.
HTTPS_AESNI_FN inline void aesni_decrypt(const std::uint8_t* dec, unsigned rounds,
                                         const std::uint8_t* in, std::uint8_t* out,
                                         std::size_t blocks) noexcept {
    const auto* k = reinterpret_cast<const __m128i*>(dec);
    const auto* src = reinterpret_cast<const __m128i*>(in);
    auto* dst = reinterpret_cast<__m128i*>(out);
    for (; blocks >= 8; blocks -= 8, src += 8, dst += 8) {
        __m128i b[8];
#pragma GCC unroll 8
        for (unsigned j = 0; j < 8; ++j) {
            b[j] = _mm_loadu_si128(src + j);
        }
        aesni_decrypt8(k, rounds, b);
#pragma GCC unroll 8
        for (unsigned j = 0; j < 8; ++j) {
            _mm_storeu_si128(dst + j, b[j]);
        }
    }
    for (; blocks > 0; --blocks, ++src, ++dst) {
        __m128i b = _mm_xor_si128(_mm_loadu_si128(src), _mm_load_si128(k));
        for (unsigned r = 1; r < rounds; ++r) {
            b = _mm_aesdec_si128(b, _mm_load_si128(k + r));
        }
        _mm_storeu_si128(dst, _mm_aesdeclast_si128(b, _mm_load_si128(k + rounds)));
    }
}

/// CBC decryption (NIST SP 800-38A §6.2) of whole blocks, eight at a time; in place allowed.
/// `iv` is updated to the last ciphertext block. CT: branches on the block count only.
HTTPS_AESNI_FN inline void aesni_cbc_decrypt(const std::uint8_t* dec, unsigned rounds,
                                             std::uint8_t* iv, const std::uint8_t* in,
                                             std::uint8_t* out, std::size_t blocks) noexcept {
    const auto* k = reinterpret_cast<const __m128i*>(dec);
    const auto* src = reinterpret_cast<const __m128i*>(in);
    auto* dst = reinterpret_cast<__m128i*>(out);
    __m128i prev = _mm_loadu_si128(reinterpret_cast<const __m128i*>(iv));
    for (; blocks >= 8; blocks -= 8, src += 8, dst += 8) {
        __m128i c[8], b[8];
#pragma GCC unroll 8
        for (unsigned j = 0; j < 8; ++j) {
            c[j] = _mm_loadu_si128(src + j); // kept: `out` may overwrite `in`
            b[j] = c[j];
        }
        aesni_decrypt8(k, rounds, b);
        _mm_storeu_si128(dst, _mm_xor_si128(b[0], prev));
#pragma GCC unroll 7
        for (unsigned j = 1; j < 8; ++j) {
            _mm_storeu_si128(dst + j, _mm_xor_si128(b[j], c[j - 1]));
        }
        prev = c[7];
    }
    for (; blocks > 0; --blocks, ++src, ++dst) {
        const __m128i c = _mm_loadu_si128(src);
        __m128i b = _mm_xor_si128(c, _mm_load_si128(k));
        for (unsigned r = 1; r < rounds; ++r) {
            b = _mm_aesdec_si128(b, _mm_load_si128(k + r));
        }
        _mm_storeu_si128(dst,
                         _mm_xor_si128(_mm_aesdeclast_si128(b, _mm_load_si128(k + rounds)), prev));
        prev = c;
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(iv), prev);
}

/// CBC encryption (NIST SP 800-38A §6.2): inherently one block after another; in place allowed.
/// `iv` is updated to the last ciphertext block. CT: branches on the block count only.
HTTPS_AESNI_FN inline void aesni_cbc_encrypt(const std::uint8_t* enc, unsigned rounds,
                                             std::uint8_t* iv, const std::uint8_t* in,
                                             std::uint8_t* out, std::size_t blocks) noexcept {
    const auto* k = reinterpret_cast<const __m128i*>(enc);
    const auto* src = reinterpret_cast<const __m128i*>(in);
    auto* dst = reinterpret_cast<__m128i*>(out);
    __m128i prev = _mm_loadu_si128(reinterpret_cast<const __m128i*>(iv));
    for (; blocks > 0; --blocks, ++src, ++dst) {
        prev = aesni_encrypt1(k, rounds, _mm_xor_si128(_mm_loadu_si128(src), prev));
        _mm_storeu_si128(dst, prev);
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(iv), prev);
}

} // namespace https::crypto::detail

#undef HTTPS_AESNI_FN

#endif // x86
