// SHA-1 (FIPS 180-4) with a SHA-NI path, kept only for legacy certificate signatures and TLS 1.2
// HMAC-SHA1 suites.
#pragma once

#include "../core/bytes.hpp"
#include "../core/cpu.hpp"
#include "detail/merkle_damgard.hpp"
#include "hash.hpp"

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HTTPS_SHA1_X86 1
#else
#define HTTPS_SHA1_X86 0
#endif

namespace https::crypto {

namespace detail {

/// One SHA-1 round (FIPS 180-4 §6.1.2 step 3) for rounds 20*Stage .. 20*Stage+19. Instead of
/// shifting the five variables, the caller rotates their roles; the new `a` lands in `e` and the
/// rotated `b` in `b`.
template <int Stage>
[[gnu::always_inline]] inline void sha1_round(std::uint32_t a, std::uint32_t& b, std::uint32_t c,
                                              std::uint32_t d, std::uint32_t& e,
                                              std::uint32_t w) noexcept {
    std::uint32_t f = 0;
    std::uint32_t k = 0;
    // FIPS 180-4 §4.1.1 functions and §4.2.1 constants (Ch and Maj in their cheaper forms).
    if constexpr (Stage == 0) {
        f = d ^ (b & (c ^ d));
        k = 0x5a827999;
    } else if constexpr (Stage == 1) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
    } else if constexpr (Stage == 2) {
        f = (b & c) | (d & (b | c));
        k = 0x8f1bbcdc;
    } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6;
    }
    e += std::rotl(a, 5) + f + k + w;
    b = std::rotl(b, 30);
}

/// Message word t (FIPS 180-4 §6.1.2 step 1), expanded in place in a ring of sixteen.
[[gnu::always_inline]] inline std::uint32_t sha1_w(std::uint32_t* w, int t) noexcept {
    if (t >= 16) {
        w[t & 15] = std::rotl(w[(t - 3) & 15] ^ w[(t - 8) & 15] ^ w[(t - 14) & 15] ^ w[t & 15], 1);
    }
    return w[t & 15];
}

/// Twenty rounds of one stage, five at a time so that the roles come back to where they began.
template <int Stage>
[[gnu::always_inline]] inline void sha1_stage(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c,
                                              std::uint32_t& d, std::uint32_t& e,
                                              std::uint32_t* w) noexcept {
    for (int t = 20 * Stage; t < 20 * Stage + 20; t += 5) {
        sha1_round<Stage>(a, b, c, d, e, sha1_w(w, t));
        sha1_round<Stage>(e, a, b, c, d, sha1_w(w, t + 1));
        sha1_round<Stage>(d, e, a, b, c, sha1_w(w, t + 2));
        sha1_round<Stage>(c, d, e, a, b, sha1_w(w, t + 3));
        sha1_round<Stage>(b, c, d, e, a, sha1_w(w, t + 4));
    }
}

/// The SHA-1 compression function over `n` consecutive 64-byte blocks, portable C++.
/// CT: no secret-dependent branch or index.
inline void sha1_blocks_portable(std::uint32_t* state, const std::uint8_t* p,
                                 std::size_t n) noexcept {
    std::uint32_t w[16];
    for (; n != 0; --n, p += 64) {
        for (int i = 0; i < 16; ++i) {
            w[i] = https::detail::load_be32(p + std::size_t{4} * static_cast<std::size_t>(i));
        }
        std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
        sha1_stage<0>(a, b, c, d, e, w);
        sha1_stage<1>(a, b, c, d, e, w);
        sha1_stage<2>(a, b, c, d, e, w);
        sha1_stage<3>(a, b, c, d, e, w);
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
    }
}

#if HTTPS_SHA1_X86
/// Four SHA-1 rounds with SHA-NI (rounds 4g .. 4g+3, stage `Stage` = g / 5). `x` holds
/// W[4g..4g+3] (W[4g] in the top lane); `prev` is the state before the previous four rounds,
/// from which SHA1NEXTE derives this group's E (= ROTL30 of that A), added to W[4g].
/// CT: no branch or index on data.
template <int Stage>
__attribute__((target("sha,sse4.1,ssse3"))) inline void
sha1_shani_4rounds(__m128i& abcd, __m128i& prev, __m128i x) noexcept {
    const __m128i e_w = _mm_sha1nexte_epu32(prev, x);
    prev = abcd;
    abcd = _mm_sha1rnds4_epu32(abcd, e_w, Stage);
}

/// The next message group from the last four (W[t] = ROTL1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16])
/// four at a time: SHA1MSG1 folds in W[t-14], the XOR adds W[t-8], SHA1MSG2 adds W[t-3] and
/// rotates), then its four rounds. CT: no branch or index on data.
template <int Stage>
__attribute__((target("sha,sse4.1,ssse3"))) inline void
sha1_shani_step(__m128i& abcd, __m128i& prev, __m128i& x0, __m128i& x1, __m128i& x2,
                __m128i& x3) noexcept {
    const __m128i next = _mm_sha1msg2_epu32(_mm_xor_si128(_mm_sha1msg1_epu32(x0, x1), x2), x3);
    x0 = x1;
    x1 = x2;
    x2 = x3;
    x3 = next;
    sha1_shani_4rounds<Stage>(abcd, prev, x3);
}

/// SHA-1 over `n` blocks with the x86 SHA extensions. SHA1RNDS4 runs four rounds on A..D held in
/// one register (A in the top lane); E travels in the top lane of the message operand.
/// CT: the SHA instructions have data-independent timing; no branch or index on data.
__attribute__((target("sha,sse4.1,ssse3"))) inline void
sha1_blocks_shani(std::uint32_t* state, const std::uint8_t* p, std::size_t n) noexcept {
    // Reverse all 16 bytes: big-endian words, W[4g] ends up in the top lane.
    const __m128i reverse = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
    __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state)),
                                     0x1B); // lanes D C B A, A on top
    __m128i e = _mm_set_epi32(static_cast<int>(state[4]), 0, 0, 0);

    for (; n != 0; --n, p += 64) {
        const __m128i abcd_saved = abcd;
        const __m128i e_saved = e;
        const auto* in = reinterpret_cast<const __m128i*>(p);
        __m128i x0 = _mm_shuffle_epi8(_mm_loadu_si128(in + 0), reverse);
        __m128i x1 = _mm_shuffle_epi8(_mm_loadu_si128(in + 1), reverse);
        __m128i x2 = _mm_shuffle_epi8(_mm_loadu_si128(in + 2), reverse);
        __m128i x3 = _mm_shuffle_epi8(_mm_loadu_si128(in + 3), reverse);

        // Rounds 0-3 take E from the block's starting state; later groups derive it.
        __m128i prev = abcd;
        abcd = _mm_sha1rnds4_epu32(abcd, _mm_add_epi32(e, x0), 0);
        sha1_shani_4rounds<0>(abcd, prev, x1);
        sha1_shani_4rounds<0>(abcd, prev, x2);
        sha1_shani_4rounds<0>(abcd, prev, x3);
        // Groups 4..19 (rounds 16-79); x0..x3 hold the last four message groups.
        sha1_shani_step<0>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<1>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<1>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<1>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<1>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<1>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<2>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<2>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<2>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<2>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<2>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<3>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<3>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<3>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<3>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<3>(abcd, prev, x0, x1, x2, x3);
        // E after the last four rounds is ROTL30 of A before them; add the saved E.
        e = _mm_sha1nexte_epu32(prev, e_saved);
        abcd = _mm_add_epi32(abcd, abcd_saved);
    }

    _mm_storeu_si128(reinterpret_cast<__m128i*>(state), _mm_shuffle_epi32(abcd, 0x1B));
    state[4] = static_cast<std::uint32_t>(_mm_extract_epi32(e, 3));
}
#endif

/// SHA-1 compression over `n` blocks on the fastest path this CPU has.
/// CT: the path choice depends on the CPU only.
inline void sha1_blocks(std::uint32_t* state, const std::uint8_t* p, std::size_t n) noexcept {
#if HTTPS_SHA1_X86
    const auto& cpu = https::detail::cpu();
    if (cpu.sha_ni && cpu.sse41 && cpu.ssse3) {
        sha1_blocks_shani(state, p, n);
        return;
    }
#endif
    sha1_blocks_portable(state, p, n);
}

} // namespace detail

/// SHA-1 (FIPS 180-4). Collisions are practical: use it only where a legacy protocol or
/// certificate requires it (HMAC-SHA1 in TLS 1.2 CBC suites, old signatures under policy).
/// `finish` writes the 20-byte digest and resets the object (a second `finish` yields the digest
/// of the empty input). Uses the SHA extensions when the CPU has them.
class sha1 {
  public:
    static constexpr std::size_t digest_size = 20;
    static constexpr std::size_t block_size = 64;

    sha1() noexcept { reset(); }

    /// Back to the initial state (buffered input is wiped).
    void reset() noexcept {
        state_ = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0}; // FIPS 180-4 §5.3.1
        buf_.reset();
    }

    /// Absorb `in`. CT: time depends on lengths only.
    [[gnu::noinline]] void update(bytes_view in) noexcept {
        buf_.update(in, [this](const std::uint8_t* p, std::size_t n) {
            detail::sha1_blocks(state_.data(), p, n);
        });
    }

    /// Write the digest, then reset. CT: time depends on lengths only.
    [[gnu::noinline]] void finish(std::span<std::uint8_t, digest_size> out) noexcept {
        buf_.finish([this](const std::uint8_t* p, std::size_t n) {
            detail::sha1_blocks(state_.data(), p, n);
        });
        for (std::size_t i = 0; i < 5; ++i) {
            https::detail::store_be32(out.data() + 4 * i, state_[i]);
        }
        reset();
    }

  private:
    std::array<std::uint32_t, 5> state_{};
    detail::md_buffer<64, 8> buf_;
};

static_assert(hash_function<sha1>);

} // namespace https::crypto

#undef HTTPS_SHA1_X86
