// SHA3-256, SHA3-512, SHAKE128 and SHAKE256 (FIPS 202): the Keccak-f[1600] permutation and the
// sponge construction, with incremental absorbing and (for the XOFs) incremental squeezing.
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "hash.hpp"

#include <array>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

namespace https::crypto {

namespace detail {

/// FIPS 202 §3.2.5 Algorithm 5, rc(t): bit 0 of an 8-bit LFSR with feedback polynomial
/// x^8 + x^6 + x^5 + x^4 + 1, stepped t mod 255 times from R = 10000000 (here bit i is R[i]).
constexpr bool keccak_rc_bit(unsigned t) {
    unsigned r = 1;
    for (unsigned i = 0; i < t % 255; ++i) {
        r <<= 1; // R = 0 || R
        if ((r & 0x100) != 0) {
            r ^= 0x171; // R[0], R[4], R[5], R[6] ^= R[8]; then Trunc8 drops R[8]
        }
    }
    return (r & 1) != 0;
}

/// FIPS 202 §3.2.5 Algorithm 6: the round constant of round `ir`, bit 2^j - 1 = rc(j + 7 ir).
constexpr std::uint64_t keccak_round_constant(unsigned ir) {
    std::uint64_t rc = 0;
    for (unsigned j = 0; j <= 6; ++j) {
        if (keccak_rc_bit(j + 7 * ir)) {
            rc |= std::uint64_t{1} << ((1U << j) - 1);
        }
    }
    return rc;
}

/// The 24 round constants of Keccak-f[1600] (n_r = 12 + 2l = 24), computed from the LFSR above.
inline constexpr auto keccak_rc = [] {
    std::array<std::uint64_t, 24> rc{};
    for (unsigned ir = 0; ir < 24; ++ir) {
        rc[ir] = keccak_round_constant(ir);
    }
    return rc;
}();
static_assert(keccak_rc[0] == 1 && keccak_rc[23] == 0x8000000080008008);

/// FIPS 202 §3.2.2 Algorithm 2 (rho): lane A[x, y] (index x + 5y) is rotated by
/// (t + 1)(t + 2) / 2 mod 64, where (x, y) walks from (1, 0) by (x, y) <- (y, (2x + 3y) mod 5).
inline constexpr auto keccak_rho = [] {
    std::array<unsigned, 25> r{};
    unsigned x = 1;
    unsigned y = 0;
    for (unsigned t = 0; t < 24; ++t) {
        r[x + 5 * y] = ((t + 1) * (t + 2) / 2) % 64;
        const unsigned nx = y;
        y = (2 * x + 3 * y) % 5;
        x = nx;
    }
    return r;
}();

/// FIPS 202 §3.2.3 Algorithm 3 (pi): A'[x, y] = A[(x + 3y) mod 5, x], i.e. lane (x, y) moves to
/// (y, 2x + 3y mod 5). keccak_pi[i] is the destination index of source lane i.
inline constexpr auto keccak_pi = [] {
    std::array<unsigned, 25> d{};
    for (unsigned x = 0; x < 5; ++x) {
        for (unsigned y = 0; y < 5; ++y) {
            d[x + 5 * y] = y + 5 * ((2 * x + 3 * y) % 5);
        }
    }
    return d;
}();

/// One round of Keccak-p[1600] (FIPS 202 §3.3): theta, rho, pi, chi, iota on the 25 lanes, lane
/// (x, y) at index x + 5y. X runs over the 5 columns, L over the 25 lanes: the fold expressions
/// spell every step out with constant indices, so the round is straight-line code (with g++ -O3
/// the loop form of the same steps was about twice as slow, ~1.3 us against ~0.65 us per
/// permutation on the loaded 2-core development machine; clang++ unrolled both alike).
/// CT: XOR, AND, NOT and constant rotations at constant indices; no branch or index on the state.
template <std::size_t... X, std::size_t... L>
[[gnu::always_inline]] inline void keccak_round(std::uint64_t* a, std::uint64_t rc,
                                                std::index_sequence<X...> /*columns*/,
                                                std::index_sequence<L...> /*lanes*/) noexcept {
    // theta (§3.2.1): each lane is XORed with the parities of two neighbouring columns, d[x].
    std::uint64_t c[5];
    ((c[X] = a[X] ^ a[X + 5] ^ a[X + 10] ^ a[X + 15] ^ a[X + 20]), ...);
    std::uint64_t d[5];
    ((d[X] = c[(X + 4) % 5] ^ std::rotl(c[(X + 1) % 5], 1)), ...);
    // theta's XOR, then rho (§3.2.2) and pi (§3.2.3), into b.
    std::uint64_t b[25];
    ((b[keccak_pi[L]] = std::rotl(a[L] ^ d[L % 5], static_cast<int>(keccak_rho[L]))), ...);
    // chi (§3.2.4): A[x, y] = B[x, y] ^ (~B[x + 1, y] & B[x + 2, y]).
    ((a[L] = b[L] ^ (~b[(L % 5 + 1) % 5 + L / 5 * 5] & b[(L % 5 + 2) % 5 + L / 5 * 5])), ...);
    // iota (§3.2.5)
    a[0] ^= rc;
}

/// Keccak-f[1600] = Keccak-p[1600, 24] (FIPS 202 §3.4): 24 rounds.
/// CT: see keccak_round.
inline void keccak_f1600(std::array<std::uint64_t, 25>& a) noexcept {
    for (unsigned round = 0; round < 24; ++round) {
        keccak_round(a.data(), keccak_rc[round], std::make_index_sequence<5>{},
                     std::make_index_sequence<25>{});
    }
}

/// The sponge of FIPS 202 §4 over Keccak-f[1600] with rate `Rate` bytes, and the domain
/// separation suffix and first padding bit folded into `Suffix` (§6.1: SHA-3 appends 01, §6.2:
/// SHAKE appends 1111, then pad10*1; bits are taken LSB first, so 01 + 1 = 0x06, 1111 + 1 = 0x1F).
/// Absorb any number of times, then squeeze any number of times; the state is wiped on
/// destruction and on reset (ML-KEM feeds it secrets).
/// CT: time depends on the lengths absorbed and squeezed only.
template <std::size_t Rate, std::uint8_t Suffix> class keccak_sponge {
    static_assert(Rate % 8 == 0 && Rate < 200);

  public:
    static constexpr std::size_t rate = Rate;

    keccak_sponge() noexcept = default;
    keccak_sponge(const keccak_sponge&) noexcept = default;
    keccak_sponge& operator=(const keccak_sponge&) noexcept = default;
    keccak_sponge(keccak_sponge&&) noexcept = default;
    keccak_sponge& operator=(keccak_sponge&&) noexcept = default;
    ~keccak_sponge() { ct::wipe(state_); }

    /// Back to the empty state.
    void reset() noexcept {
        ct::wipe(state_);
        pos_ = 0;
        squeezing_ = false;
    }

    /// Absorb `in`. Absorbing after squeezing began is a precondition violation (asserted).
    /// CT: time depends on the length only.
    void absorb(bytes_view in) noexcept {
        assert(!squeezing_);
        const std::uint8_t* p = in.data();
        std::size_t n = in.size();
        while (n != 0) {
            if (pos_ == 0 && n >= Rate) {
                // Whole blocks: XOR as little-endian lanes (FIPS 202 §B.1 byte order).
                for (std::size_t i = 0; i < Rate / 8; ++i) {
                    state_[i] ^= https::detail::load_le64(p + 8 * i);
                }
                keccak_f1600(state_);
                p += Rate;
                n -= Rate;
                continue;
            }
            const std::size_t take = n < Rate - pos_ ? n : Rate - pos_;
            for (std::size_t i = 0; i < take; ++i) {
                xor_byte(pos_ + i, p[i]);
            }
            pos_ += take;
            p += take;
            n -= take;
            if (pos_ == Rate) {
                keccak_f1600(state_);
                pos_ = 0;
            }
        }
    }

    /// Write the next `out.size()` bytes of output; the first call pads the input (pad10*1 with
    /// the suffix). Squeezing in pieces gives the same stream as squeezing at once.
    /// CT: time depends on the lengths only.
    void squeeze(mutable_bytes out) noexcept {
        if (!squeezing_) {
            xor_byte(pos_, Suffix);
            xor_byte(Rate - 1, 0x80);
            keccak_f1600(state_);
            pos_ = 0;
            squeezing_ = true;
        }
        std::uint8_t* p = out.data();
        std::size_t n = out.size();
        while (n != 0) {
            if (pos_ == Rate) {
                keccak_f1600(state_);
                pos_ = 0;
            }
            if (pos_ == 0 && n >= Rate) {
                for (std::size_t i = 0; i < Rate / 8; ++i) {
                    https::detail::store_le64(p + 8 * i, state_[i]);
                }
                pos_ = Rate;
                p += Rate;
                n -= Rate;
                continue;
            }
            const std::size_t take = n < Rate - pos_ ? n : Rate - pos_;
            for (std::size_t i = 0; i < take; ++i) {
                p[i] = static_cast<std::uint8_t>(state_[(pos_ + i) / 8] >> (8 * ((pos_ + i) % 8)));
            }
            pos_ += take;
            p += take;
            n -= take;
        }
    }

  private:
    void xor_byte(std::size_t i, std::uint8_t v) noexcept {
        state_[i / 8] ^= static_cast<std::uint64_t>(v) << (8 * (i % 8));
    }

    std::array<std::uint64_t, 25> state_{};
    std::size_t pos_ = 0; // bytes of the current block absorbed, or squeezed
    bool squeezing_ = false;
};

/// SHA3-256 and SHA3-512 (FIPS 202 §6.1): capacity twice the digest length, suffix 01.
template <std::size_t DigestSize> class sha3_engine {
  public:
    static constexpr std::size_t digest_size = DigestSize;
    static constexpr std::size_t block_size = 200 - 2 * DigestSize; // the rate, HMAC's B

    /// Back to the initial state.
    void reset() noexcept { sponge_.reset(); }

    /// Absorb `in`. CT: time depends on the length only.
    void update(bytes_view in) noexcept { sponge_.absorb(in); }

    /// Write the digest and reset (see sha256_engine::finish). CT: lengths only.
    void finish(std::span<std::uint8_t, digest_size> out) noexcept {
        sponge_.squeeze(out);
        sponge_.reset();
    }

  private:
    keccak_sponge<block_size, 0x06> sponge_;
};

/// SHAKE128 and SHAKE256 (FIPS 202 §6.2): capacity 256 or 512 bits, suffix 1111.
template <std::size_t Rate> class shake_engine {
  public:
    static constexpr std::size_t rate = Rate;

    /// Back to the initial state (input and output position discarded).
    void reset() noexcept { sponge_.reset(); }

    /// Absorb `in`; only before the first `squeeze` (asserted). CT: time depends on the length.
    void update(bytes_view in) noexcept { sponge_.absorb(in); }

    /// The next `out.size()` bytes of the output stream (the first call ends the input).
    /// CT: time depends on the lengths only.
    void squeeze(mutable_bytes out) noexcept { sponge_.squeeze(out); }

    /// One shot: the first `out.size()` output bytes for input `in`.
    static void compute(bytes_view in, mutable_bytes out) noexcept {
        shake_engine x;
        x.update(in);
        x.squeeze(out);
    }

  private:
    keccak_sponge<Rate, 0x1F> sponge_;
};

} // namespace detail

/// SHA3-256 (FIPS 202). `update` any number of times, then `finish` writes the 32-byte digest
/// and resets the object (the hash_function interface of sha256).
class sha3_256 final : public detail::sha3_engine<32> {};

/// SHA3-512 (FIPS 202); same interface, 64-byte digest.
class sha3_512 final : public detail::sha3_engine<64> {};

/// SHAKE128 (FIPS 202), an extendable-output function: `update` the input, then `squeeze` as
/// many output bytes as wanted, in as many calls as wanted.
class shake128 final : public detail::shake_engine<168> {};

/// SHAKE256 (FIPS 202); same interface as shake128.
class shake256 final : public detail::shake_engine<136> {};

static_assert(hash_function<sha3_256> && hash_function<sha3_512>);

} // namespace https::crypto
