// Fixed-capacity unsigned big integers over 32- or 64-bit limbs, and Montgomery arithmetic for odd
// moduli up to 8192 bits: product-scanning multiplication, dedicated squaring, and two
// exponentiations (constant-time fixed windows for secret exponents, square-and-multiply for
// public ones).
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../core/result.hpp"

#include <array>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>

// GCC runs the product-scanning inner loops about 10% faster unrolled by 4 (the loop counter
// costs 3 of ~15 instructions per step); Clang's own choice is better than any forced one.
#if defined(__GNUC__) && !defined(__clang__)
#define HTTPS_BIGINT_UNROLL _Pragma("GCC unroll 4")
#else
#define HTTPS_BIGINT_UNROLL
#endif

namespace https::crypto {

namespace detail {

/// The double-width type a limb product fits in.
template <class Limb> struct wide_limb;
template <> struct wide_limb<std::uint32_t> { using type = std::uint64_t; };
#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 uint128;
template <> struct wide_limb<std::uint64_t> { using type = uint128; };
/// 64-bit limbs where the compiler offers a 128-bit product, 32-bit limbs otherwise.
using native_limb = std::uint64_t;
#else
using native_limb = std::uint32_t;
#endif

template <class Limb>
concept bigint_limb = std::is_same_v<Limb, std::uint32_t> || std::is_same_v<Limb, std::uint64_t>;

template <class Limb> using wide_t = typename wide_limb<Limb>::type;
template <class Limb> inline constexpr unsigned limb_bits_v = sizeof(Limb) * 8;

/// The largest operand the raw routines accept, in bits (RSA-8192).
inline constexpr std::size_t bigint_max_bits = 8192;
template <class Limb>
inline constexpr std::size_t bigint_max_limbs = bigint_max_bits / limb_bits_v<Limb>;

template <class Limb> [[gnu::always_inline]] inline Limb high_half(wide_t<Limb> w) noexcept {
    return static_cast<Limb>(w >> limb_bits_v<Limb>);
}

// ---- raw limb arrays: little-endian limb order, `n` limbs each ----

/// r = a + b, returning the carry out. r may alias a or b.
/// CT: no branch or index depends on the values.
template <bigint_limb Limb>
inline Limb add_n(Limb* r, const Limb* a, const Limb* b, std::size_t n) noexcept {
    using W = wide_t<Limb>;
    Limb carry = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const W t = W(a[i]) + b[i] + carry;
        r[i] = static_cast<Limb>(t);
        carry = high_half<Limb>(t);
    }
    return carry;
}

/// r = a - b, returning the borrow out (0 or 1). r may alias a or b.
/// CT: no branch or index depends on the values.
template <bigint_limb Limb>
inline Limb sub_n(Limb* r, const Limb* a, const Limb* b, std::size_t n) noexcept {
    using W = wide_t<Limb>;
    Limb borrow = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const W t = W(a[i]) - b[i] - borrow;
        r[i] = static_cast<Limb>(t);
        borrow = high_half<Limb>(t) & 1; // the high half is all ones after a wrap
    }
    return borrow;
}

/// The borrow out of a - b, without storing the difference: 1 when a < b.
/// CT: no branch or index depends on the values.
template <bigint_limb Limb>
inline Limb borrow_n(const Limb* a, const Limb* b, std::size_t n) noexcept {
    using W = wide_t<Limb>;
    Limb borrow = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const W t = W(a[i]) - b[i] - borrow;
        borrow = high_half<Limb>(t) & 1;
    }
    return borrow;
}

/// r -= b where `mask` is all ones; r unchanged (same work) where it is zero. Returns the borrow
/// (zero when the mask is clear). CT: no branch or index depends on the values or the mask.
template <bigint_limb Limb>
inline Limb masked_sub_n(Limb* r, const Limb* b, Limb mask, std::size_t n) noexcept {
    using W = wide_t<Limb>;
    Limb borrow = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const W t = W(r[i]) - (b[i] & mask) - borrow;
        r[i] = static_cast<Limb>(t);
        borrow = high_half<Limb>(t) & 1;
    }
    return borrow;
}

/// r = a where `mask` is all ones, b where it is zero. CT: no branch on the mask or the values.
template <bigint_limb Limb>
inline void select_n(Limb* r, Limb mask, const Limb* a, const Limb* b, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
        r[i] = static_cast<Limb>((a[i] & mask) | (b[i] & ~mask));
    }
}

/// -1, 0 or 1 as a is less than, equal to or greater than b.
/// Variable time: returns at the first differing limb. Public values only.
template <bigint_limb Limb>
inline int compare_n_vartime(const Limb* a, const Limb* b, std::size_t n) noexcept {
    for (std::size_t i = n; i-- > 0;) {
        if (a[i] != b[i]) {
            return a[i] < b[i] ? -1 : 1;
        }
    }
    return 0;
}

/// -m^-1 mod 2^limb_bits for odd m0, by Newton's iteration x <- x(2 - m0 x), which doubles the
/// number of correct low bits each step; m0 itself is correct to 3 bits (m0^2 = 1 mod 8).
/// CT: fixed number of steps, arithmetic only.
template <bigint_limb Limb> constexpr Limb montgomery_inverse(Limb m0) noexcept {
    Limb x = m0;
    for (unsigned correct = 3; correct < limb_bits_v<Limb>; correct *= 2) {
        x = static_cast<Limb>(x * static_cast<Limb>(2 - m0 * x));
    }
    return static_cast<Limb>(0 - x);
}

/// Subtract m from the s-limb value r + top * 2^(s * limb_bits) when that value is >= m; the caller
/// guarantees it is below 2m, so the result is fully reduced.
/// CT: the subtraction is always performed, masked; no branch on the values.
template <bigint_limb Limb>
[[gnu::always_inline]] inline void final_subtract(Limb* r, Limb top, const Limb* m,
                                                  std::size_t s) noexcept {
    const Limb below = borrow_n(r, m, s); // 1 when r < m (ignoring top)
    const Limb need = static_cast<Limb>(top | (below ^ 1));
    masked_sub_n(r, m, ct::value_barrier(static_cast<Limb>(0 - need)), s);
}

/// A three-limb column accumulator for product scanning: `lo` holds two limbs, `hi` the third.
/// A column of a Montgomery product sums at most 2s + 1 double-limb terms (s <= 256), far below
/// 2^(3w).
template <bigint_limb Limb> struct accumulator {
    wide_t<Limb> lo = 0;
    Limb hi = 0;

    /// += x y. CT: arithmetic only (the carry is a comparison turned into 0/1, not a branch).
    [[gnu::always_inline]] void mac(Limb x, Limb y) noexcept {
        const wide_t<Limb> p = wide_t<Limb>(x) * y;
        lo += p;
        hi += static_cast<Limb>(lo < p);
    }
    /// += 2 o, for the doubled cross products of a square.
    [[gnu::always_inline]] void add_twice(const accumulator& o) noexcept {
        constexpr unsigned w = limb_bits_v<Limb>;
        const wide_t<Limb> lo2 = o.lo << 1;
        const Limb hi2 = static_cast<Limb>((o.hi << 1) | static_cast<Limb>(o.lo >> (2 * w - 1)));
        lo += lo2;
        hi = static_cast<Limb>(hi + hi2 + static_cast<Limb>(lo < lo2));
    }
    /// Return the low limb and shift the accumulator down by one limb.
    [[gnu::always_inline]] Limb shift_out() noexcept {
        constexpr unsigned w = limb_bits_v<Limb>;
        const Limb out = static_cast<Limb>(lo);
        lo = (lo >> w) | (wide_t<Limb>(hi) << w);
        hi = 0;
        return out;
    }
};

/// Montgomery multiplication by product scanning with integrated reduction (FIPS, "finely
/// integrated product scanning", Koç-Acar-Kaliski 1996): column k of a b + U m is summed in a
/// three-limb accumulator, and the quotient limb u_k that clears the low limb of column k is
/// chosen as soon as that column is known. Each inner step is two limb products feeding one
/// add/adc/adc chain, which compiles to tight code from plain C++ with either compiler (the
/// row-wise CIOS with two carry chains made GCC spill its carries to memory: 2.7x slower).
/// r = a b 2^(-s w) mod m for a, b < m and odd m, fully reduced. r may alias a or b: column
/// k >= s writes r[k - s] only after its last read of any limb at index <= k - s.
/// CT: the same operations and addresses for every value of a, b and m.
template <bigint_limb Limb>
inline void mont_mul(Limb* r, const Limb* a, const Limb* b, const Limb* m, Limb m0inv,
                     std::size_t s) noexcept {
    assert(s >= 1 && s <= bigint_max_limbs<Limb>);
    Limb u[bigint_max_limbs<Limb>]; // the Montgomery quotient, one limb per column
    accumulator<Limb> acc;
    for (std::size_t k = 0; k < s; ++k) {
        HTTPS_BIGINT_UNROLL
        for (std::size_t j = 0; j < k; ++j) {
            acc.mac(a[j], b[k - j]);
            acc.mac(u[j], m[k - j]);
        }
        acc.mac(a[k], b[0]);
        u[k] = static_cast<Limb>(static_cast<Limb>(acc.lo) * m0inv);
        acc.mac(u[k], m[0]); // makes the low limb zero
        acc.shift_out();
    }
    for (std::size_t k = s; k < 2 * s; ++k) {
        HTTPS_BIGINT_UNROLL
        for (std::size_t j = k - s + 1; j < s; ++j) {
            acc.mac(a[j], b[k - j]);
            acc.mac(u[j], m[k - j]);
        }
        r[k - s] = acc.shift_out();
    }
    // (a b + U m) / R < 2m: what is left is the top bit
    final_subtract(r, static_cast<Limb>(acc.lo), m, s);
}

/// Montgomery squaring, product scanning as in mont_mul, but each column's cross products
/// a_i a_j (i < j) are summed once and doubled, so a square costs about 1.5 s^2 limb products
/// instead of 2 s^2. r = a^2 2^(-s w) mod m for a < m. r may alias a.
/// CT: the same operations and addresses for every value of a and m.
template <bigint_limb Limb>
inline void mont_sqr(Limb* r, const Limb* a, const Limb* m, Limb m0inv, std::size_t s) noexcept {
    assert(s >= 1 && s <= bigint_max_limbs<Limb>);
    Limb u[bigint_max_limbs<Limb>];
    accumulator<Limb> acc;
    for (std::size_t k = 0; k < s; ++k) {
        accumulator<Limb> cross;
        HTTPS_BIGINT_UNROLL
        for (std::size_t j = 0; 2 * j < k; ++j) {
            cross.mac(a[j], a[k - j]);
        }
        acc.add_twice(cross);
        if (k % 2 == 0) { // the column index is public
            acc.mac(a[k / 2], a[k / 2]);
        }
        HTTPS_BIGINT_UNROLL
        for (std::size_t j = 0; j < k; ++j) {
            acc.mac(u[j], m[k - j]);
        }
        u[k] = static_cast<Limb>(static_cast<Limb>(acc.lo) * m0inv);
        acc.mac(u[k], m[0]);
        acc.shift_out();
    }
    for (std::size_t k = s; k < 2 * s; ++k) {
        accumulator<Limb> cross;
        HTTPS_BIGINT_UNROLL
        for (std::size_t j = k - s + 1; 2 * j < k; ++j) {
            cross.mac(a[j], a[k - j]);
        }
        acc.add_twice(cross);
        if (k % 2 == 0) {
            acc.mac(a[k / 2], a[k / 2]);
        }
        HTTPS_BIGINT_UNROLL
        for (std::size_t j = k - s + 1; j < s; ++j) {
            acc.mac(u[j], m[k - j]);
        }
        r[k - s] = acc.shift_out();
    }
    final_subtract(r, static_cast<Limb>(acc.lo), m, s);
}

/// r = a b, the full product: r has na + nb limbs and must not alias a or b. Schoolbook rows.
/// CT: the same operations and addresses for every value of a and b.
template <bigint_limb Limb>
inline void mul_n(Limb* r, const Limb* a, std::size_t na, const Limb* b, std::size_t nb) noexcept {
    using W = wide_t<Limb>;
    for (std::size_t i = 0; i < na + nb; ++i) {
        r[i] = 0;
    }
    for (std::size_t i = 0; i < na; ++i) {
        Limb carry = 0;
        for (std::size_t j = 0; j < nb; ++j) {
            const W t = W(a[i]) * b[j] + r[i + j] + carry;
            r[i + j] = static_cast<Limb>(t);
            carry = high_half<Limb>(t);
        }
        r[i + nb] = carry;
    }
}

/// r = x mod m for any m > 0 (even ones too) of s limbs, x of nx limbs, one bit of x at a time:
/// r = 2r + bit, then subtract m when r >= m (r < 2m always holds). Slow (nx * limb_bits masked
/// steps of s limbs), for checking private-key components once, not for per-signature work.
/// r has s limbs and must not alias x. CT: no branch or index depends on x or m.
template <bigint_limb Limb>
inline void mod_bitwise_n(Limb* r, const Limb* x, std::size_t nx, const Limb* m,
                          std::size_t s) noexcept {
    constexpr unsigned w = limb_bits_v<Limb>;
    for (std::size_t i = 0; i < s; ++i) {
        r[i] = 0;
    }
    for (std::size_t i = nx * w; i-- > 0;) {
        Limb carry = static_cast<Limb>((x[i / w] >> (i % w)) & 1);
        for (std::size_t j = 0; j < s; ++j) {
            const Limb v = r[j];
            r[j] = static_cast<Limb>((v << 1) | carry);
            carry = static_cast<Limb>(v >> (w - 1));
        }
        final_subtract(r, carry, m, s);
    }
}

/// The number of significant bits of x (s limbs), without a branch on its value.
/// CT: no branch or index depends on x; the caller decides whether the length is public.
template <bigint_limb Limb> inline std::size_t bit_length_n(const Limb* x, std::size_t s) noexcept {
    constexpr unsigned w = limb_bits_v<Limb>;
    std::size_t bits = 0;
    for (std::size_t i = 0; i < s; ++i) {
        // the length of limb i, counted in from the bottom, where it is non-zero
        Limb len = 0;
        for (unsigned b = 0; b < w; ++b) {
            const Limb set = static_cast<Limb>((x[i] >> b) & 1);
            const Limb here_len = static_cast<Limb>(static_cast<Limb>(b) + 1);
            len = ct::mask<Limb>::from_bit(set).select(here_len, len);
        }
        const Limb nonzero = static_cast<Limb>(~ct::mask<Limb>::is_zero(x[i]).value());
        const std::size_t here = i * w + len;
        bits = static_cast<std::size_t>(
            ct::mask<std::size_t>::from_bit(static_cast<std::size_t>(nonzero & 1))
                .select(here, bits));
    }
    return bits;
}

} // namespace detail

/// An unsigned integer of a fixed number of limbs (chosen at run time, at most 8192 bits), stored
/// in place: no allocation. Arithmetic takes operands of equal limb counts.
template <detail::bigint_limb Limb> class bigint {
  public:
    using limb_type = Limb;
    static constexpr std::size_t limb_bits = detail::limb_bits_v<Limb>;
    static constexpr std::size_t limb_bytes = sizeof(Limb);
    static constexpr std::size_t max_limbs = detail::bigint_max_limbs<Limb>;

    /// Zero, with no limbs.
    bigint() noexcept = default;
    /// Zero, with `limbs` limbs.
    explicit bigint(std::size_t limbs) noexcept { resize(limbs); }

    // Copies move only the limbs in use: the storage is sized for 8192 bits, operands are
    // usually much shorter, and whole-array copies would cost more than a 2048-bit multiply.
    bigint(const bigint& o) noexcept : size_(o.size_) { copy_limbs(o); }
    bigint& operator=(const bigint& o) noexcept {
        if (this != &o) {
            size_ = o.size_;
            copy_limbs(o);
        }
        return *this;
    }
    // Moving is copying the limbs in use: there is no heap buffer to steal.
    // NOLINTNEXTLINE(performance-move-constructor-init,cert-oop11-cpp)
    bigint(bigint&& o) noexcept : bigint(static_cast<const bigint&>(o)) {}
    bigint& operator=(bigint&& o) noexcept {
        *this = static_cast<const bigint&>(o);
        return *this;
    }
    ~bigint() = default;

    /// Change the limb count; limbs added are zero, limbs dropped are discarded.
    void resize(std::size_t limbs) noexcept {
        assert(limbs <= max_limbs);
        for (std::size_t i = size_; i < limbs; ++i) {
            limbs_[i] = 0;
        }
        size_ = limbs;
    }

    /// The limbs needed for `bytes` bytes.
    static constexpr std::size_t limbs_for_bytes(std::size_t bytes) noexcept {
        return (bytes + limb_bytes - 1) / limb_bytes;
    }

    /// Import a big-endian byte string into `limbs` limbs (0: as few as hold `in.size()` bytes).
    /// Fails when `in` is longer than the limbs hold, whatever its leading bytes.
    /// CT: time depends on the lengths only.
    static std::optional<bigint> from_bytes_be(bytes_view in, std::size_t limbs = 0) noexcept {
        if (limbs == 0) {
            limbs = limbs_for_bytes(in.size());
        }
        if (limbs > max_limbs || in.size() > limbs * limb_bytes) {
            return std::nullopt;
        }
        bigint x(limbs);
        for (std::size_t i = 0; i < in.size(); ++i) {
            const std::size_t k = in.size() - 1 - i; // byte k counted from the least significant
            x.limbs_[k / limb_bytes] |= static_cast<Limb>(Limb{in[i]} << (8 * (k % limb_bytes)));
        }
        return x;
    }

    /// Export big-endian into exactly `out.size()` bytes, zero-padded on the left. Returns false
    /// (with `out` holding the low bytes) when the value needs more bytes than that.
    /// CT: time depends on the lengths only; the fits/does-not-fit verdict is public.
    [[nodiscard]] bool to_bytes_be(mutable_bytes out) const noexcept {
        const std::size_t n = out.size();
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t k = n - 1 - i;
            out[i] =
                k / limb_bytes < size_
                    ? static_cast<std::uint8_t>(limbs_[k / limb_bytes] >> (8 * (k % limb_bytes)))
                    : 0;
        }
        Limb excess = 0; // any byte beyond out.size()
        for (std::size_t k = n; k < size_ * limb_bytes; ++k) {
            excess |= static_cast<Limb>(limbs_[k / limb_bytes] >> (8 * (k % limb_bytes))) & 0xff;
        }
        return ct::mask<Limb>::is_zero(excess).declassify();
    }

    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] Limb* data() noexcept { return limbs_; }
    [[nodiscard]] const Limb* data() const noexcept { return limbs_; }
    [[nodiscard]] std::span<Limb> limbs() noexcept { return {limbs_, size_}; }
    [[nodiscard]] std::span<const Limb> limbs() const noexcept { return {limbs_, size_}; }
    Limb& operator[](std::size_t i) noexcept {
        assert(i < size_);
        return limbs_[i];
    }
    const Limb& operator[](std::size_t i) const noexcept {
        assert(i < size_);
        return limbs_[i];
    }

    /// The number of significant bits (0 for zero). Variable time: public values only.
    [[nodiscard]] std::size_t bit_length_vartime() const noexcept {
        for (std::size_t i = size_; i-- > 0;) {
            if (limbs_[i] != 0) {
                return i * limb_bits + static_cast<std::size_t>(std::bit_width(limbs_[i]));
            }
        }
        return 0;
    }
    [[nodiscard]] bool is_odd() const noexcept { return size_ != 0 && (limbs_[0] & 1) != 0; }

    /// Overwrite the limbs with zeros in a way the compiler keeps (secret values).
    void wipe() noexcept { ct::wipe(limbs_, sizeof(Limb) * size_); }

  private:
    void copy_limbs(const bigint& o) noexcept {
        for (std::size_t i = 0; i < size_; ++i) {
            limbs_[i] = o.limbs_[i];
        }
    }

    Limb limbs_[max_limbs]; // only the first size_ are ever written or read
    std::size_t size_ = 0;
};

/// r = a + b over their common limb count; returns the carry out (0 or 1). r may alias a or b.
/// CT: no branch or index depends on the values.
template <detail::bigint_limb Limb>
inline Limb add(bigint<Limb>& r, const bigint<Limb>& a, const bigint<Limb>& b) noexcept {
    assert(a.size() == b.size());
    r.resize(a.size());
    return detail::add_n(r.data(), a.data(), b.data(), a.size());
}

/// r = a - b mod 2^(limbs * limb_bits); returns the borrow out (1 when a < b). r may alias.
/// CT: no branch or index depends on the values.
template <detail::bigint_limb Limb>
inline Limb sub(bigint<Limb>& r, const bigint<Limb>& a, const bigint<Limb>& b) noexcept {
    assert(a.size() == b.size());
    r.resize(a.size());
    return detail::sub_n(r.data(), a.data(), b.data(), a.size());
}

/// All ones when a < b (equal limb counts). CT: no branch or index depends on the values.
template <detail::bigint_limb Limb>
inline ct::mask<Limb> less(const bigint<Limb>& a, const bigint<Limb>& b) noexcept {
    assert(a.size() == b.size());
    return ct::mask<Limb>::from_bit(detail::borrow_n(a.data(), b.data(), a.size()));
}

/// -1, 0, 1 as a <, ==, > b; limb counts may differ. Variable time: public values only.
template <detail::bigint_limb Limb>
inline int compare_vartime(const bigint<Limb>& a, const bigint<Limb>& b) noexcept {
    const std::size_t n = a.size() > b.size() ? a.size() : b.size();
    for (std::size_t i = n; i-- > 0;) {
        const Limb x = i < a.size() ? a[i] : 0;
        const Limb y = i < b.size() ? b[i] : 0;
        if (x != y) {
            return x < y ? -1 : 1;
        }
    }
    return 0;
}

/// Arithmetic modulo a fixed odd modulus m > 1 in Montgomery form (R = 2^(limbs * limb_bits)).
/// Operands have m's limb count and must be below m. The object is immutable after `create`,
/// so one context may serve many threads.
template <detail::bigint_limb Limb> class montgomery {
  public:
    using integer = bigint<Limb>;

    /// An empty context, to be assigned from `create`; using it before then is a precondition
    /// violation.
    montgomery() noexcept = default;

    /// The context for modulus `m`; errc::out_of_range unless m is odd and greater than 1.
    /// CT: variable time in the modulus only (the modulus is public in every use we make of it).
    static result<montgomery> create(const integer& m) noexcept {
        const std::size_t s = m.size();
        if (s == 0 || !m.is_odd() || m.bit_length_vartime() < 2) {
            return errc::out_of_range;
        }
        return create_secret(m, m.bit_length_vartime());
    }

    /// The context for a SECRET modulus `m` (an RSA prime) whose exact bit length `bits` is
    /// public. Preconditions, which the caller checks (in constant time): m is odd, has exactly
    /// `bits` bits, and bits >= 2. m may carry leading zero limbs (it shares a limb count with
    /// its sibling prime).
    /// CT: time and addresses depend only on `bits` and the limb count.
    static montgomery create_secret(const integer& m, std::size_t bits) noexcept {
        const std::size_t s = m.size();
        assert(s != 0 && bits >= 2 && bits <= s * integer::limb_bits);
        montgomery ctx;
        ctx.m_ = m;
        ctx.m0inv_ = detail::montgomery_inverse(m[0]);
        // R^2 mod m without division. Let total = s * limb_bits = w * 2^k (w odd). Start from
        // 2^(bits - 1) < m and double modulo m up to 2^total mod m = R mod m, then w more times to
        // 2^(total + w) = 2^w R mod m, the Montgomery form of 2^w; k Montgomery squarings turn
        // that into the form of 2^(w 2^k) = R, which is R^2 mod m.
        const std::size_t total = s * integer::limb_bits;
        const unsigned k = static_cast<unsigned>(std::countr_zero(total));
        const std::size_t w = total >> k;
        integer x(s);
        x[(bits - 1) / integer::limb_bits] = Limb{1} << ((bits - 1) % integer::limb_bits);
        for (std::size_t i = bits - 1; i < total; ++i) {
            ctx.double_mod(x);
        }
        ctx.one_ = x;
        for (std::size_t i = 0; i < w; ++i) {
            ctx.double_mod(x);
        }
        for (unsigned i = 0; i < k; ++i) {
            detail::mont_sqr(x.data(), x.data(), m.data(), ctx.m0inv_, s);
        }
        ctx.r2_ = x;
        return ctx;
    }

    [[nodiscard]] const integer& modulus() const noexcept { return m_; }
    /// Overwrite the modulus and its constants (a context over a secret prime); the context is
    /// empty afterwards.
    void wipe() noexcept {
        m_.wipe();
        one_.wipe();
        r2_.wipe();
        m0inv_ = 0;
    }
    /// Limb count of the modulus and of every operand.
    [[nodiscard]] std::size_t size() const noexcept { return m_.size(); }
    /// R mod m: the Montgomery form of 1.
    [[nodiscard]] const integer& one() const noexcept { return one_; }

    /// r = a b R^-1 mod m (the Montgomery product). r may alias a or b.
    /// CT: no branch or index depends on a or b.
    void mul(integer& r, const integer& a, const integer& b) const noexcept {
        check(a);
        check(b);
        r.resize(size());
        detail::mont_mul(r.data(), a.data(), b.data(), m_.data(), m0inv_, size());
    }

    /// r = a^2 R^-1 mod m. r may alias a. CT: no branch or index depends on a.
    void sqr(integer& r, const integer& a) const noexcept {
        check(a);
        r.resize(size());
        detail::mont_sqr(r.data(), a.data(), m_.data(), m0inv_, size());
    }

    /// r = a R mod m (into Montgomery form). CT: no branch or index depends on a.
    void to_mont(integer& r, const integer& a) const noexcept { mul(r, a, r2_); }

    /// r = a R^-1 mod m (out of Montgomery form). CT: no branch or index depends on a.
    void from_mont(integer& r, const integer& a) const noexcept {
        integer plain_one(size());
        plain_one[0] = 1;
        mul(r, a, plain_one);
    }

    /// r = a b mod m, all in ordinary form. CT: no branch or index depends on a or b.
    void mod_mul(integer& r, const integer& a, const integer& b) const noexcept {
        integer t(size());
        mul(t, a, b);   // a b R^-1
        mul(r, t, r2_); // a b
        t.wipe();
    }

    /// r = base^exponent mod m for a PUBLIC exponent (big-endian bytes): left-to-right
    /// square-and-multiply, which skips the exponent's leading zero bits and multiplies only for
    /// its one bits. This is the fast path for RSA's small public exponent e (65537: 16 squarings
    /// and 2 multiplications). The last multiplication, always present for an odd exponent, takes
    /// the base in ordinary form, which leaves the result in ordinary form and saves the
    /// conversion out of Montgomery form.
    /// CT: the base may be secret (RSA encryption): no branch or index depends on it. Timing
    /// depends on the exponent, which must be public.
    void exp_public(integer& r, const integer& base, bytes_view exponent) const noexcept {
        check(base);
        const std::size_t s = size();
        std::size_t top = exponent.size() * 8; // index of the top set bit, from the least
        for (std::size_t i = 0; i < exponent.size(); ++i) {
            if (exponent[i] != 0) {
                top = (exponent.size() - 1 - i) * 8 +
                      static_cast<std::size_t>(std::bit_width(exponent[i])) - 1;
                break;
            }
        }
        if (top == exponent.size() * 8) { // exponent 0: base^0 = 1 (m > 1)
            r = integer(s);
            r[0] = 1;
            return;
        }
        if (top == 0) { // exponent 1
            r = base;
            return;
        }
        auto bit = [&](std::size_t i) {
            return (exponent[exponent.size() - 1 - i / 8] >> (i % 8)) & 1;
        };
        Limb bm[integer::max_limbs];
        Limb acc[integer::max_limbs];
        const Limb* m = m_.data();
        detail::mont_mul(bm, base.data(), r2_.data(), m, m0inv_, s); // base R
        copy(acc, bm, s);
        for (std::size_t i = top; i-- > 0;) {
            detail::mont_sqr(acc, acc, m, m0inv_, s);
            if (bit(i) != 0) {
                // the final one-bit multiplies by the ordinary-form base: acc b R^-1 is ordinary
                detail::mont_mul(acc, acc, i == 0 ? base.data() : bm, m, m0inv_, s);
            }
        }
        r.resize(s);
        if (bit(0) != 0) {
            copy(r.data(), acc, s);
        } else {
            Limb plain_one[integer::max_limbs] = {1};
            detail::mont_mul(r.data(), acc, plain_one, m, m0inv_, s);
        }
        ct::wipe(bm, sizeof(Limb) * s);
        ct::wipe(acc, sizeof(Limb) * s);
    }

    /// r = base^exponent mod m for a SECRET exponent (big-endian bytes; only its length is
    /// public): fixed 4-bit windows over every bit, leading zeros included, each window costing 4
    /// squarings and one multiplication by a table entry fetched with a full masked scan of the
    /// 16-entry table. For a future RSA private-key operation.
    /// CT: time and memory addresses depend only on the lengths of the exponent and modulus.
    void exp_secret(integer& r, const integer& base, bytes_view exponent) const noexcept {
        check(base);
        const std::size_t s = size();
        constexpr std::size_t entries = 16;
        const Limb* m = m_.data();
        Limb table[entries][integer::max_limbs];
        copy(table[0], one_.data(), s);
        detail::mont_mul(table[1], base.data(), r2_.data(), m, m0inv_, s); // base R
        for (std::size_t e = 2; e < entries; ++e) {
            detail::mont_mul(table[e], table[e - 1], table[1], m, m0inv_, s);
        }
        // zero-initialised only for GCC 12, whose -Wmaybe-uninitialized misfires on acc once
        // this is inlined into the RSA signer at -O3 (every limb in use is written before use)
        Limb acc[integer::max_limbs] = {};
        Limb pick[integer::max_limbs];
        copy(acc, one_.data(), s);
        for (std::size_t i = 0; i < exponent.size() * 2; ++i) {
            if (i != 0) { // squaring R mod m (the initial 1) would change nothing
                for (int q = 0; q < 4; ++q) {
                    detail::mont_sqr(acc, acc, m, m0inv_, s);
                }
            }
            const unsigned window = (i % 2 == 0) ? (exponent[i / 2] >> 4) : (exponent[i / 2] & 15u);
            for (std::size_t j = 0; j < s; ++j) {
                pick[j] = 0;
            }
            for (std::size_t e = 0; e < entries; ++e) {
                const Limb sel =
                    ct::mask<Limb>::equal(static_cast<Limb>(e), static_cast<Limb>(window)).value();
                for (std::size_t j = 0; j < s; ++j) {
                    pick[j] |= table[e][j] & sel;
                }
            }
            detail::mont_mul(acc, acc, pick, m, m0inv_, s);
        }
        Limb plain_one[integer::max_limbs] = {1};
        r.resize(s);
        detail::mont_mul(r.data(), acc, plain_one, m, m0inv_, s);
        for (std::size_t e = 0; e < entries; ++e) {
            ct::wipe(table[e], sizeof(Limb) * s);
        }
        ct::wipe(acc, sizeof(Limb) * s);
        ct::wipe(pick, sizeof(Limb) * s);
    }

  private:
    void check([[maybe_unused]] const integer& a) const noexcept { assert(a.size() == m_.size()); }

    static void copy(Limb* dst, const Limb* src, std::size_t s) noexcept {
        for (std::size_t j = 0; j < s; ++j) {
            dst[j] = src[j];
        }
    }

    /// x = 2x mod m for x < m. CT: masked subtraction, no branch on x or m.
    void double_mod(integer& x) const noexcept {
        const std::size_t s = size();
        Limb carry = 0;
        for (std::size_t i = 0; i < s; ++i) {
            const Limb v = x[i];
            x[i] = static_cast<Limb>((v << 1) | carry);
            carry = v >> (integer::limb_bits - 1);
        }
        detail::final_subtract(x.data(), carry, m_.data(), s);
    }

    integer m_;
    integer one_; // R mod m
    integer r2_;  // R^2 mod m
    Limb m0inv_ = 0;
};

} // namespace https::crypto

#undef HTTPS_BIGINT_UNROLL
