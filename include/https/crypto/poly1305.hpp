// Poly1305 (RFC 8439 §2.5): the one-time authenticator, in 64-bit limbs with 128-bit products.
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>

#if !defined(__SIZEOF_INT128__)
#error "https: poly1305.hpp needs a compiler with unsigned __int128 (64-bit GCC or Clang)"
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
inline void poly1305_blocks(poly1305_state& st, const std::uint8_t* p, std::size_t nblocks,
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
        const u128 d1 = u128{h0} * r1 + u128{h1} * r0 + u128{h2 * s1} + (d0 >> 64);
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
    explicit poly1305(std::span<const std::uint8_t, key_size> key) noexcept {
        st_.r0 = https::detail::load_le64(key.data()) & 0x0ffffffc0fffffffULL;
        st_.r1 = https::detail::load_le64(key.data() + 8) & 0x0ffffffc0ffffffcULL;
        st_.s1 = st_.r1 + (st_.r1 >> 2);
        pad0_ = https::detail::load_le64(key.data() + 16);
        pad1_ = https::detail::load_le64(key.data() + 24);
    }
    poly1305(const poly1305&) = delete;
    poly1305& operator=(const poly1305&) = delete;
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
