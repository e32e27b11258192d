// SHA-224, SHA-256, SHA-384 and SHA-512 (FIPS 180-4), with a SHA-NI path for SHA-224/256.
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
#define HTTPS_SHA2_X86 1
#else
#define HTTPS_SHA2_X86 0
#endif

namespace https::crypto {

namespace detail {

// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first
// 64 primes.
alignas(16) inline constexpr std::uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// FIPS 180-4 §4.2.3: the first 64 bits of the fractional parts of the cube roots of the first
// 80 primes.
inline constexpr std::uint64_t sha512_k[80] = {
    0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc,
    0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
    0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
    0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
    0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
    0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
    0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
    0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
    0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30,
    0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
    0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
    0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178,
    0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
    0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
};

/// The rotation and shift amounts of SHA-256 and SHA-512 (FIPS 180-4 §4.1.2, §4.1.3): S* for
/// Sigma0, E* for Sigma1 in the rounds, s0*/s1* for sigma0/sigma1 in the message schedule.
template <class W> struct sha2_params;
template <> struct sha2_params<std::uint32_t> {
    static constexpr int S0 = 2, S1 = 13, S2 = 22, E0 = 6, E1 = 11, E2 = 25;
    static constexpr int s0a = 7, s0b = 18, s0c = 3, s1a = 17, s1b = 19, s1c = 10;
};
template <> struct sha2_params<std::uint64_t> {
    static constexpr int S0 = 28, S1 = 34, S2 = 39, E0 = 14, E1 = 18, E2 = 41;
    static constexpr int s0a = 1, s0b = 8, s0c = 7, s1a = 19, s1b = 61, s1c = 6;
};

/// One round (FIPS 180-4 §6.2.2 / §6.4.2 step 3), `kw` = K[t] + W[t]. Ch is written as
/// g ^ (e & (f ^ g)) and Maj as (a & b) | (c & (a | b)): the same functions, one operation fewer.
/// Only `d` and `h` change; the caller rotates the roles of the eight variables.
template <class W>
[[gnu::always_inline]] inline void sha2_round(W a, W b, W c, W& d, W e, W f, W g, W& h,
                                              W kw) noexcept {
    using P = sha2_params<W>;
    const W t1 = h + (std::rotr(e, P::E0) ^ std::rotr(e, P::E1) ^ std::rotr(e, P::E2)) +
                 (g ^ (e & (f ^ g))) + kw;
    const W t2 = (std::rotr(a, P::S0) ^ std::rotr(a, P::S1) ^ std::rotr(a, P::S2)) +
                 ((a & b) | (c & (a | b)));
    d += t1;
    h = t1 + t2;
}

/// Message word `I` of the current sixteen plus its round constant. With `Expand` set, first
/// replaces w[I] by the next schedule word (FIPS 180-4 §6.2.2 / §6.4.2 step 1):
/// W[t] = sigma1(W[t-2]) + W[t-7] + sigma0(W[t-15]) + W[t-16], kept in a ring of sixteen.
template <class W, bool Expand, int I>
[[gnu::always_inline]] inline W sha2_wk(W* w, const W* k) noexcept {
    using P = sha2_params<W>;
    if constexpr (Expand) {
        const W x = w[(I + 1) & 15];
        const W y = w[(I + 14) & 15];
        w[I] += (std::rotr(x, P::s0a) ^ std::rotr(x, P::s0b) ^ (x >> P::s0c)) +
                (std::rotr(y, P::s1a) ^ std::rotr(y, P::s1b) ^ (y >> P::s1c)) + w[(I + 9) & 15];
    }
    return w[I] + k[I];
}

/// Sixteen rounds with constants k[0..15], expanding the schedule in step when `Expand` is set.
/// The eight working variables rotate roles each round instead of being shifted, so there are
/// no moves between rounds (portable SHA-256 measured ~250 MB/s, SHA-512 ~500 MB/s with g++ -O2
/// on the AMD EPYC development machine).
template <class W, bool Expand>
[[gnu::always_inline]] inline void sha2_16_rounds(W& a, W& b, W& c, W& d, W& e, W& f, W& g, W& h,
                                                  W* w, const W* k) noexcept {
    sha2_round(a, b, c, d, e, f, g, h, sha2_wk<W, Expand, 0>(w, k));
    sha2_round(h, a, b, c, d, e, f, g, sha2_wk<W, Expand, 1>(w, k));
    sha2_round(g, h, a, b, c, d, e, f, sha2_wk<W, Expand, 2>(w, k));
    sha2_round(f, g, h, a, b, c, d, e, sha2_wk<W, Expand, 3>(w, k));
    sha2_round(e, f, g, h, a, b, c, d, sha2_wk<W, Expand, 4>(w, k));
    sha2_round(d, e, f, g, h, a, b, c, sha2_wk<W, Expand, 5>(w, k));
    sha2_round(c, d, e, f, g, h, a, b, sha2_wk<W, Expand, 6>(w, k));
    sha2_round(b, c, d, e, f, g, h, a, sha2_wk<W, Expand, 7>(w, k));
    sha2_round(a, b, c, d, e, f, g, h, sha2_wk<W, Expand, 8>(w, k));
    sha2_round(h, a, b, c, d, e, f, g, sha2_wk<W, Expand, 9>(w, k));
    sha2_round(g, h, a, b, c, d, e, f, sha2_wk<W, Expand, 10>(w, k));
    sha2_round(f, g, h, a, b, c, d, e, sha2_wk<W, Expand, 11>(w, k));
    sha2_round(e, f, g, h, a, b, c, d, sha2_wk<W, Expand, 12>(w, k));
    sha2_round(d, e, f, g, h, a, b, c, sha2_wk<W, Expand, 13>(w, k));
    sha2_round(c, d, e, f, g, h, a, b, sha2_wk<W, Expand, 14>(w, k));
    sha2_round(b, c, d, e, f, g, h, a, sha2_wk<W, Expand, 15>(w, k));
}

/// One block of SHA-256 or SHA-512: `Rounds` rounds (64 or 80) on the state.
/// CT: no secret-dependent branch or index.
template <class W, int Rounds>
[[gnu::always_inline]] inline void sha2_block(W* state, W* w, const W* k) noexcept {
    W a = state[0], b = state[1], c = state[2], d = state[3];
    W e = state[4], f = state[5], g = state[6], h = state[7];
    sha2_16_rounds<W, false>(a, b, c, d, e, f, g, h, w, k);
    for (int r = 16; r < Rounds; r += 16) {
        sha2_16_rounds<W, true>(a, b, c, d, e, f, g, h, w, k + r);
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
}

/// The SHA-256 compression function over `n` consecutive 64-byte blocks, portable C++.
/// CT: no secret-dependent branch or index (rotations, additions and boolean functions only).
inline void sha256_blocks_portable(std::uint32_t* state, const std::uint8_t* p,
                                   std::size_t n) noexcept {
    std::uint32_t w[16];
    for (; n != 0; --n, p += 64) {
        for (int i = 0; i < 16; ++i) {
            w[i] = https::detail::load_be32(p + 4 * i);
        }
        sha2_block<std::uint32_t, 64>(state, w, sha256_k);
    }
}

/// The SHA-512 compression function over `n` consecutive 128-byte blocks, portable C++.
/// CT: no secret-dependent branch or index.
inline void sha512_blocks_portable(std::uint64_t* state, const std::uint8_t* p,
                                   std::size_t n) noexcept {
    std::uint64_t w[16];
    for (; n != 0; --n, p += 128) {
        for (int i = 0; i < 16; ++i) {
            w[i] = https::detail::load_be64(p + 8 * i);
        }
        sha2_block<std::uint64_t, 80>(state, w, sha512_k);
    }
}

#if HTTPS_SHA2_X86
/// Four SHA-256 rounds with SHA-NI: `w` holds W[4g..4g+3]; the round constants are added here.
/// s0/s1 hold the state as ABEF/CDGH and swap roles every two rounds.
/// CT: no branch or index on data.
__attribute__((target("sha,sse4.1,ssse3"))) inline void
sha256_shani_4rounds(__m128i& s0, __m128i& s1, __m128i w, int g) noexcept {
    const __m128i wk =
        _mm_add_epi32(w, _mm_load_si128(reinterpret_cast<const __m128i*>(sha256_k + 4 * g)));
    s1 = _mm_sha256rnds2_epu32(s1, s0, wk);
    s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(wk, 0x0E));
}

/// SHA-256 over `n` blocks with the x86 SHA extensions (Intel SHA-NI, also on AMD Zen).
/// SHA256RNDS2 runs two rounds on the state split as ABEF / CDGH; SHA256MSG1/MSG2 compute the
/// message schedule four words at a time.
/// CT: the SHA instructions have data-independent timing; no branch or index on data.
__attribute__((target("sha,sse4.1,ssse3"))) inline void
sha256_blocks_shani(std::uint32_t* state, const std::uint8_t* p, std::size_t n) noexcept {
    // Byte-swap each 32-bit lane: the message words are big-endian.
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    // state[0..7] = A..H; lane 0 is the lowest. Rearrange into ABEF (lanes F,E,B,A) and
    // CDGH (lanes H,G,D,C), the operand layout SHA256RNDS2 expects.
    __m128i t = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state)),
                                  0xB1); // B A D C
    __m128i s1 = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4)),
                                   0x1B);   // H G F E
    __m128i s0 = _mm_alignr_epi8(t, s1, 8); // F E B A
    s1 = _mm_blend_epi16(s1, t, 0xF0);      // H G D C

    for (; n != 0; --n, p += 64) {
        const __m128i abef = s0;
        const __m128i cdgh = s1;
        const auto* in = reinterpret_cast<const __m128i*>(p);
        __m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128(in + 0), bswap);
        __m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128(in + 1), bswap);
        __m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128(in + 2), bswap);
        __m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128(in + 3), bswap);
        sha256_shani_4rounds(s0, s1, m0, 0);
        sha256_shani_4rounds(s0, s1, m1, 1);
        sha256_shani_4rounds(s0, s1, m2, 2);
        sha256_shani_4rounds(s0, s1, m3, 3);
        for (int g = 4; g < 16; ++g) {
            // W[t] = sigma1(W[t-2]) + W[t-7] + sigma0(W[t-15]) + W[t-16], four at a time:
            // MSG1 adds the sigma0 terms, the shifted pair supplies W[t-7], MSG2 adds sigma1.
            const __m128i next = _mm_sha256msg2_epu32(
                _mm_add_epi32(_mm_sha256msg1_epu32(m0, m1), _mm_alignr_epi8(m3, m2, 4)), m3);
            m0 = m1;
            m1 = m2;
            m2 = m3;
            m3 = next;
            sha256_shani_4rounds(s0, s1, m3, g);
        }
        s0 = _mm_add_epi32(s0, abef);
        s1 = _mm_add_epi32(s1, cdgh);
    }

    t = _mm_shuffle_epi32(s0, 0x1B);  // A B E F (lanes, low first)
    s1 = _mm_shuffle_epi32(s1, 0xB1); // G H C D
    _mm_storeu_si128(reinterpret_cast<__m128i*>(state), _mm_blend_epi16(t, s1, 0xF0));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), _mm_alignr_epi8(s1, t, 8));
}
#endif

/// SHA-256 compression over `n` blocks on the fastest path this CPU has.
/// CT: the path choice depends on the CPU only.
inline void sha256_blocks(std::uint32_t* state, const std::uint8_t* p, std::size_t n) noexcept {
#if HTTPS_SHA2_X86
    const auto& cpu = https::detail::cpu();
    if (cpu.sha_ni && cpu.sse41 && cpu.ssse3) {
        sha256_blocks_shani(state, p, n);
        return;
    }
#endif
    sha256_blocks_portable(state, p, n);
}

/// SHA-224 and SHA-256 differ only in the initial value and the output length.
/// `update` and `finish` are kept out of line (here, in sha512_engine and in sha1): HMAC, HKDF,
/// the TLS 1.2 PRF and MGF1 call them many times each, and inlined, every call site carried its
/// own copy of the buffering code (the TLS 1.2 PRF over SHA-256 alone made 6.5 KB).
template <std::size_t DigestSize> class sha256_engine {
    static_assert(DigestSize == 28 || DigestSize == 32);

  public:
    static constexpr std::size_t digest_size = DigestSize;
    static constexpr std::size_t block_size = 64;

    sha256_engine() noexcept { reset(); }

    /// Back to the initial state (buffered input is wiped).
    void reset() noexcept {
        if constexpr (DigestSize == 32) {
            // FIPS 180-4 §5.3.3
            state_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
        } else {
            // FIPS 180-4 §5.3.2
            state_ = {0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939,
                      0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4};
        }
        buf_.reset();
    }

    /// Absorb `in`. CT: time depends on lengths only.
    [[gnu::noinline]] void update(bytes_view in) noexcept {
        buf_.update(in, [this](const std::uint8_t* p, std::size_t n) {
            sha256_blocks(state_.data(), p, n);
        });
    }

    /// Write the digest of everything absorbed since the last reset, then reset, so the object
    /// is ready for a new message (a second `finish` gives the digest of the empty input).
    /// CT: time depends on lengths only.
    [[gnu::noinline]] void finish(std::span<std::uint8_t, digest_size> out) noexcept {
        buf_.finish(
            [this](const std::uint8_t* p, std::size_t n) { sha256_blocks(state_.data(), p, n); });
        for (std::size_t i = 0; i < digest_size / 4; ++i) {
            https::detail::store_be32(out.data() + 4 * i, state_[i]);
        }
        reset();
    }

  private:
    std::array<std::uint32_t, 8> state_{};
    md_buffer<64, 8> buf_;
};

/// SHA-384 and SHA-512 differ only in the initial value and the output length.
template <std::size_t DigestSize> class sha512_engine {
    static_assert(DigestSize == 48 || DigestSize == 64);

  public:
    static constexpr std::size_t digest_size = DigestSize;
    static constexpr std::size_t block_size = 128;

    sha512_engine() noexcept { reset(); }

    /// Back to the initial state (buffered input is wiped).
    void reset() noexcept {
        if constexpr (DigestSize == 64) {
            // FIPS 180-4 §5.3.5
            state_ = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b,
                      0xa54ff53a5f1d36f1, 0x510e527fade682d1, 0x9b05688c2b3e6c1f,
                      0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};
        } else {
            // FIPS 180-4 §5.3.4
            state_ = {0xcbbb9d5dc1059ed8, 0x629a292a367cd507, 0x9159015a3070dd17,
                      0x152fecd8f70e5939, 0x67332667ffc00b31, 0x8eb44a8768581511,
                      0xdb0c2e0d64f98fa7, 0x47b5481dbefa4fa4};
        }
        buf_.reset();
    }

    /// Absorb `in`. CT: time depends on lengths only.
    [[gnu::noinline]] void update(bytes_view in) noexcept {
        buf_.update(in, [this](const std::uint8_t* p, std::size_t n) {
            sha512_blocks_portable(state_.data(), p, n);
        });
    }

    /// Write the digest and reset (see sha256_engine::finish). CT: lengths only.
    [[gnu::noinline]] void finish(std::span<std::uint8_t, digest_size> out) noexcept {
        buf_.finish([this](const std::uint8_t* p, std::size_t n) {
            sha512_blocks_portable(state_.data(), p, n);
        });
        for (std::size_t i = 0; i < digest_size / 8; ++i) {
            https::detail::store_be64(out.data() + 8 * i, state_[i]);
        }
        reset();
    }

  private:
    std::array<std::uint64_t, 8> state_{};
    md_buffer<128, 16> buf_; // FIPS 180-4 §5.1.2: a 128-bit length field
};

} // namespace detail

/// SHA-256 (FIPS 180-4). `update` any number of times, then `finish` writes the 32-byte digest
/// and resets the object, so a second `finish` yields the digest of the empty input.
/// Uses the SHA extensions when the CPU has them.
class sha256 final : public detail::sha256_engine<32> {};

/// SHA-224 (FIPS 180-4): SHA-256 with another initial value, truncated to 28 bytes.
class sha224 final : public detail::sha256_engine<28> {};

/// SHA-512 (FIPS 180-4); same streaming interface as sha256.
class sha512 final : public detail::sha512_engine<64> {};

/// SHA-384 (FIPS 180-4): SHA-512 with another initial value, truncated to 48 bytes.
class sha384 final : public detail::sha512_engine<48> {};

static_assert(hash_function<sha224> && hash_function<sha256> && hash_function<sha384> &&
              hash_function<sha512>);

} // namespace https::crypto

#undef HTTPS_SHA2_X86
