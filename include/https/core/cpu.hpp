// Runtime CPU feature detection for the hardware paths (AES-NI, PCLMULQDQ, SHA-NI, AVX2).
#pragma once

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace https::detail {

/// The instruction-set extensions the hardware paths need. Detected once; tests may switch a
/// feature off (`cpu_features::override`) to force the portable path through the same vectors.
struct cpu_features {
    bool aesni = false;
    bool pclmul = false;
    bool ssse3 = false;
    bool sse41 = false;
    bool avx = false;
    bool avx2 = false;
    bool sha_ni = false;
    bool bmi2 = false;
    bool adx = false;
    bool vaes = false;       ///< AES instructions on 256-bit vectors (VEX), AVX state enabled
    bool vpclmulqdq = false; ///< carry-less multiply on 256-bit vectors, AVX state enabled

    static cpu_features detect() noexcept {
        cpu_features f;
#if defined(__x86_64__) || defined(__i386__)
        unsigned a = 0, b = 0, c = 0, d = 0;
        if (__get_cpuid(1, &a, &b, &c, &d) == 0) {
            return f;
        }
        f.pclmul = (c & bit_PCLMUL) != 0;
        f.ssse3 = (c & bit_SSSE3) != 0;
        f.sse41 = (c & bit_SSE4_1) != 0;
        f.aesni = (c & bit_AES) != 0;
        const bool osxsave = (c & bit_OSXSAVE) != 0;
        bool ymm_enabled = false;
        if (osxsave && (c & bit_AVX) != 0) {
            unsigned lo = 0, hi = 0;
            __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
            ymm_enabled = (lo & 0x6) == 0x6; // XMM and YMM state saved by the OS
        }
        f.avx = ymm_enabled;
        if (__get_cpuid_count(7, 0, &a, &b, &c, &d) != 0) {
            f.avx2 = ymm_enabled && (b & bit_AVX2) != 0;
            f.sha_ni = (b & bit_SHA) != 0;
            f.bmi2 = (b & bit_BMI2) != 0;
            f.adx = (b & bit_ADX) != 0;
            f.vaes = ymm_enabled && (c & (1u << 9)) != 0;        // CPUID.(7,0):ECX.VAES
            f.vpclmulqdq = ymm_enabled && (c & (1u << 10)) != 0; // CPUID.(7,0):ECX.VPCLMULQDQ
        }
#endif
        return f;
    }

    /// The features the library uses. Mutable only so tests can disable hardware paths.
    static cpu_features& current() noexcept {
        static cpu_features f = detect();
        return f;
    }
};

/// Shorthand used by dispatching code: `if (detail::cpu().aesni) ...`
inline const cpu_features& cpu() noexcept { return cpu_features::current(); }

} // namespace https::detail
