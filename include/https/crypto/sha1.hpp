// SHA-1 (FIPS 180-4), kept only for legacy certificate signatures and TLS 1.2 HMAC-SHA1 suites.
#pragma once

#include "../core/bytes.hpp"
#include "detail/merkle_damgard.hpp"
#include "hash.hpp"

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

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

/// The SHA-1 compression function over `n` consecutive 64-byte blocks.
/// CT: no secret-dependent branch or index.
inline void sha1_blocks(std::uint32_t* state, const std::uint8_t* p, std::size_t n) noexcept {
    std::uint32_t w[16];
    for (; n != 0; --n, p += 64) {
        for (int i = 0; i < 16; ++i) {
            w[i] = https::detail::load_be32(p + 4 * i);
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

} // namespace detail

/// SHA-1 (FIPS 180-4). Collisions are practical: use it only where a legacy protocol or
/// certificate requires it (HMAC-SHA1 in TLS 1.2 CBC suites, old signatures under policy).
/// `finish` writes the 20-byte digest and resets the object (a second `finish` yields the digest
/// of the empty input).
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
    void update(bytes_view in) noexcept {
        buf_.update(in, [this](const std::uint8_t* p, std::size_t n) {
            detail::sha1_blocks(state_.data(), p, n);
        });
    }

    /// Write the digest, then reset. CT: time depends on lengths only.
    void finish(std::span<std::uint8_t, digest_size> out) noexcept {
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
