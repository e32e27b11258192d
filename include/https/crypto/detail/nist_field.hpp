// Montgomery arithmetic modulo the fixed odd moduli of the NIST curves (the field primes p and the
// group orders n) on 64-bit limbs with 128-bit products; constant-time unless marked otherwise.
#pragma once

#include "../../core/bytes.hpp"
#include "../../core/ct.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace https::crypto::detail::nist {

__extension__ typedef unsigned __int128 u128;

/// A multi-precision integer, least significant 64-bit limb first.
template <std::size_t N> using limbs = std::array<std::uint64_t, N>;

// ---- compile-time helpers (constants only; never used on secrets) -------------------------------

/// Limbs from a big-endian hexadecimal literal of exactly 16*N digits.
template <std::size_t N> consteval limbs<N> hex_limbs(std::string_view hex) {
    if (hex.size() != 16 * N) {
        throw "hex_limbs: wrong number of digits"; // a compile error, never a runtime throw
    }
    limbs<N> out{};
    for (std::size_t i = 0; i < hex.size(); ++i) {
        const char c = hex[i];
        const std::uint64_t v = c >= '0' && c <= '9'   ? static_cast<std::uint64_t>(c - '0')
                                : c >= 'a' && c <= 'f' ? static_cast<std::uint64_t>(c - 'a' + 10)
                                                       : throw "hex_limbs: bad digit";
        const std::size_t limb = N - 1 - i / 16;
        out[limb] = (out[limb] << 4) | v;
    }
    return out;
}

/// -m^-1 mod 2^64 for odd m0, by Newton's iteration x <- x(2 - m0 x): m0 is its own inverse
/// mod 8, and every step doubles the number of correct low bits (3, 6, 12, 24, 48, 96).
constexpr std::uint64_t neg_inverse(std::uint64_t m0) {
    std::uint64_t x = m0;
    for (int i = 0; i < 5; ++i) {
        x *= 2 - m0 * x;
    }
    return ~x + 1;
}

template <std::size_t N> constexpr bool geq_ce(const limbs<N>& a, const limbs<N>& b) {
    for (std::size_t i = N; i-- > 0;) {
        if (a[i] != b[i]) {
            return a[i] > b[i];
        }
    }
    return true;
}

template <std::size_t N> constexpr limbs<N> sub_ce(const limbs<N>& a, const limbs<N>& b) {
    limbs<N> r{};
    std::uint64_t borrow = 0;
    for (std::size_t i = 0; i < N; ++i) {
        const u128 t = static_cast<u128>(a[i]) - b[i] - borrow;
        r[i] = static_cast<std::uint64_t>(t);
        borrow = static_cast<std::uint64_t>(t >> 64) & 1;
    }
    return r;
}

/// a * 2^(64N) mod m for a < m, by 64N modular doublings (compile time only).
template <std::size_t N> constexpr limbs<N> times_r_ce(limbs<N> a, const limbs<N>& m) {
    for (std::size_t k = 0; k < 64 * N; ++k) {
        const std::uint64_t top = a[N - 1] >> 63;
        for (std::size_t i = N; i-- > 1;) {
            a[i] = (a[i] << 1) | (a[i - 1] >> 63);
        }
        a[0] <<= 1;
        if (top != 0 || geq_ce(a, m)) {
            a = sub_ce(a, m);
        }
    }
    return a;
}

/// Leave constant time with a public verdict: true when `mask` is non-zero (all ones).
/// CT: only the verdict becomes public.
inline bool declassify(std::uint64_t mask) noexcept {
    bool verdict = ct::value_barrier(mask) != 0;
    ct::unpoison(&verdict, sizeof verdict);
    return verdict;
}

// ---- run-time arithmetic ------------------------------------------------------------------------

/// An all-ones word when `bit` (0 or 1) is 1, hidden from the optimiser. CT: branch-free.
inline std::uint64_t bit_mask(std::uint64_t bit) noexcept {
    return ct::value_barrier(static_cast<std::uint64_t>(0 - bit));
}

/// Carry chains: the x86-64 intrinsics compile to ADC/SBB chains with both GCC and clang. The
/// multiply-accumulate rows differ: GCC does best with the low and high product halves summed
/// in two separate ADC chains, clang with a 128-bit multiply-add-carry per product (each is
/// about twice as fast as the other form on that compiler, measured on x86-64).
#if defined(__x86_64__)
#define HTTPS_NIST_CARRY_INTRINSICS 1
#else
#define HTTPS_NIST_CARRY_INTRINSICS 0
#endif
#if defined(__x86_64__) && !defined(__clang__)
#define HTTPS_NIST_SPLIT_ROWS 1
#else
#define HTTPS_NIST_SPLIT_ROWS 0
#endif

/// a + b + carry; carry (0 or 1) is updated. CT: branch-free.
inline std::uint64_t add_carry(std::uint64_t a, std::uint64_t b, unsigned char& carry) noexcept {
#if HTTPS_NIST_CARRY_INTRINSICS
    unsigned long long out = 0;
    carry = _addcarry_u64(carry, a, b, &out);
    return out;
#else
    const u128 t = static_cast<u128>(a) + b + carry;
    carry = static_cast<unsigned char>(t >> 64);
    return static_cast<std::uint64_t>(t);
#endif
}

/// a - b - borrow; borrow (0 or 1) is updated. CT: branch-free.
inline std::uint64_t sub_borrow(std::uint64_t a, std::uint64_t b, unsigned char& borrow) noexcept {
#if HTTPS_NIST_CARRY_INTRINSICS
    unsigned long long out = 0;
    borrow = _subborrow_u64(borrow, a, b, &out);
    return out;
#else
    const u128 t = static_cast<u128>(a) - b - borrow;
    borrow = static_cast<unsigned char>((t >> 64) & 1);
    return static_cast<std::uint64_t>(t);
#endif
}

/// The 128-bit product a*b as (lo, hi). CT: one multiplication instruction.
inline void mul_wide(std::uint64_t a, std::uint64_t b, std::uint64_t& lo,
                     std::uint64_t& hi) noexcept {
    const u128 p = static_cast<u128>(a) * b;
    lo = static_cast<std::uint64_t>(p);
    hi = static_cast<std::uint64_t>(p >> 64);
}

/// Arithmetic modulo the odd modulus `Mod::value` (N limbs, top limb non-zero), on elements in
/// Montgomery form x*R mod m with R = 2^(64N), always fully reduced into [0, m).
/// CT: every function is branch-free and index-free in its operands unless its name ends in
/// `_vartime` or its comment says otherwise.
template <class Mod> struct mont {
    static constexpr std::size_t n = std::tuple_size_v<std::remove_cvref_t<decltype(Mod::value)>>;
    static constexpr std::size_t bytes = 8 * n;
    using elem = limbs<n>;

    static constexpr elem m = Mod::value;
    static constexpr std::uint64_t m0inv = neg_inverse(m[0]);
    /// 1 in Montgomery form (R mod m) and R^2 mod m (converts into Montgomery form).
    static constexpr elem one = times_r_ce(elem{1}, m);
    static constexpr elem r2 = times_r_ce(one, m);
    static constexpr elem zero{};

    /// The Montgomery form of a constant, at compile time.
    static consteval elem constant(const elem& plain) { return times_r_ce(plain, m); }

    /// t (N limbs plus a top word `hi` of 0 or 1, value < 2m) reduced into [0, m).
    /// CT: the subtraction is always done; the choice is a mask.
    static elem reduce_once(const elem& t, std::uint64_t hi) noexcept {
        elem d;
        unsigned char borrow = 0;
        for (std::size_t i = 0; i < n; ++i) {
            d[i] = sub_borrow(t[i], m[i], borrow);
        }
        // t < m exactly when the subtraction borrows out of the N+1 word value hi:t
        sub_borrow(hi, 0, borrow);
        const std::uint64_t keep = bit_mask(borrow);
        elem r;
        for (std::size_t i = 0; i < n; ++i) {
            // the barrier keeps each word in a general register: GCC would otherwise turn this
            // loop into SSE code with memory round trips, twice as slow in the point formulas
            r[i] = ct::value_barrier((t[i] & keep) | (d[i] & ~keep));
        }
        return r;
    }

    /// a + b mod m. CT: branch-free.
    static elem add(const elem& a, const elem& b) noexcept {
        elem t;
        unsigned char carry = 0;
        for (std::size_t i = 0; i < n; ++i) {
            t[i] = add_carry(a[i], b[i], carry);
        }
        return reduce_once(t, carry);
    }

    /// a - b mod m. CT: branch-free (m is added back under a mask).
    static elem sub(const elem& a, const elem& b) noexcept {
        elem t;
        unsigned char borrow = 0;
        for (std::size_t i = 0; i < n; ++i) {
            t[i] = sub_borrow(a[i], b[i], borrow);
        }
        const std::uint64_t mask = bit_mask(borrow);
        unsigned char carry = 0;
        for (std::size_t i = 0; i < n; ++i) {
            t[i] = add_carry(t[i], m[i] & mask, carry);
        }
        return t;
    }

    static elem neg(const elem& a) noexcept { return sub(zero, a); }
    static elem twice(const elem& a) noexcept { return add(a, a); }

    /// Montgomery product a*b/R mod m, by coarsely integrated operand scanning (CIOS): after
    /// each outer step the running value stays below 2m, so one final subtraction suffices.
    /// CT: a fixed sequence of multiplications and additions.
    static elem mul(const elem& a, const elem& b) noexcept {
        std::uint64_t t[n + 2] = {}; // indexed by constants only (after unrolling): registers
#if HTTPS_NIST_SPLIT_ROWS
        for (std::size_t i = 0; i < n; ++i) {
            // t += a b[i]
            unsigned char c = 0;
            t[n] = add_carry(t[n], mul_add_row<0, n>(t, a, b[i]), c);
            t[n + 1] = c;
            // t += q m with q making the low word zero, then t /= 2^64
            const std::uint64_t q = t[0] * m0inv;
            c = 0;
            t[n] = add_carry(t[n], mul_add_row<0, n>(t, m, q), c);
            t[n + 1] += c;
            for (std::size_t j = 0; j <= n; ++j) {
                t[j] = t[j + 1];
            }
        }
#else
        for (std::size_t i = 0; i < n; ++i) {
            // t += a b[i]
            std::uint64_t c = 0;
            for (std::size_t j = 0; j < n; ++j) {
                const u128 x = static_cast<u128>(a[j]) * b[i] + t[j] + c;
                t[j] = static_cast<std::uint64_t>(x);
                c = static_cast<std::uint64_t>(x >> 64);
            }
            u128 s = static_cast<u128>(t[n]) + c;
            t[n] = static_cast<std::uint64_t>(s);
            t[n + 1] = static_cast<std::uint64_t>(s >> 64);
            // t += q m with q making the low word zero, then t /= 2^64 (merged into the row)
            const std::uint64_t q = t[0] * m0inv;
            u128 x = static_cast<u128>(q) * m[0] + t[0];
            c = static_cast<std::uint64_t>(x >> 64);
            for (std::size_t j = 1; j < n; ++j) {
                x = static_cast<u128>(q) * m[j] + t[j] + c;
                t[j - 1] = static_cast<std::uint64_t>(x);
                c = static_cast<std::uint64_t>(x >> 64);
            }
            s = static_cast<u128>(t[n]) + c;
            t[n - 1] = static_cast<std::uint64_t>(s);
            t[n] = t[n + 1] + static_cast<std::uint64_t>(s >> 64);
        }
#endif
        elem r;
        for (std::size_t i = 0; i < n; ++i) {
            r[i] = t[i];
        }
        return reduce_once(r, t[n]);
    }

    /// Montgomery square a^2/R mod m. With GCC on x86-64: the n(n-1)/2 cross products once,
    /// doubled, plus the n squares (10 products instead of 16 for n = 4), then n reduction rows
    /// (separated operand scanning), about 30% faster than `mul` there; elsewhere `mul(a, a)`,
    /// which clang compiles better than this form. CT: a fixed sequence of operations.
    static elem sqr(const elem& a) noexcept {
#if !HTTPS_NIST_SPLIT_ROWS
        return mul(a, a);
#else
        std::uint64_t t[2 * n] = {};
        for (std::size_t i = 0; i + 1 < n; ++i) { // cross products a[i] a[j], i < j
            std::uint64_t c = 0;
            for (std::size_t j = i + 1; j < n; ++j) {
                const u128 x = static_cast<u128>(a[i]) * a[j] + t[i + j] + c;
                t[i + j] = static_cast<std::uint64_t>(x);
                c = static_cast<std::uint64_t>(x >> 64);
            }
            t[i + n] = c; // no earlier row reached this word
        }
        for (std::size_t k = 2 * n - 1; k > 0; --k) { // double (barrier: see reduce_once)
            t[k] = ct::value_barrier((t[k] << 1) | (t[k - 1] >> 63));
        }
        unsigned char c = 0;
        for (std::size_t i = 0; i < n; ++i) { // add the squares a[i]^2 at word 2i
            std::uint64_t lo = 0;
            std::uint64_t hi = 0;
            mul_wide(a[i], a[i], lo, hi);
            t[2 * i] = add_carry(t[2 * i], lo, c);
            t[2 * i + 1] = add_carry(t[2 * i + 1], hi, c);
        }
        std::uint64_t pending = 0; // the carry out of word i + n, added with the next row
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t q = t[i] * m0inv;
            std::uint64_t cw = 0;
            for (std::size_t j = 0; j < n; ++j) {
                const u128 x = static_cast<u128>(q) * m[j] + t[i + j] + cw;
                t[i + j] = static_cast<std::uint64_t>(x);
                cw = static_cast<std::uint64_t>(x >> 64);
            }
            const u128 x = static_cast<u128>(t[i + n]) + cw + pending;
            t[i + n] = static_cast<std::uint64_t>(x);
            pending = static_cast<std::uint64_t>(x >> 64);
        }
        elem r;
        for (std::size_t i = 0; i < n; ++i) {
            r[i] = t[n + i];
        }
        return reduce_once(r, pending);
#endif
    }

#if HTTPS_NIST_SPLIT_ROWS
    /// t[Off..Off+L-1] += x * y[0..L-1]; returns the carry word (x*y + t beyond those L words).
    /// The low and the high product halves are summed in two separate carry chains.
    /// CT: a fixed sequence of multiplications and additions.
    template <std::size_t Off, std::size_t L, std::size_t T>
    [[gnu::always_inline]] static std::uint64_t
    mul_add_row(std::uint64_t (&t)[T], const limbs<L>& y, std::uint64_t x) noexcept {
        static_assert(Off + L <= T);
        std::uint64_t lo[L];
        std::uint64_t hi[L];
        for (std::size_t j = 0; j < L; ++j) {
            mul_wide(x, y[j], lo[j], hi[j]);
        }
        unsigned char c1 = 0;
        for (std::size_t j = 0; j < L; ++j) {
            t[Off + j] = add_carry(t[Off + j], lo[j], c1);
        }
        unsigned char c2 = 0;
        for (std::size_t j = 1; j < L; ++j) {
            t[Off + j] = add_carry(t[Off + j], hi[j - 1], c2);
        }
        // cannot overflow: x*y + t < 2^(64(L+1))
        return hi[L - 1] + c1 + c2;
    }
#endif

    /// a^(2^k): k squarings (k public). CT: k only.
    static elem sqr_n(elem a, unsigned k) noexcept {
        for (unsigned i = 0; i < k; ++i) {
            a = sqr(a);
        }
        return a;
    }

    static elem to_mont(const elem& plain) noexcept {
        return mul(plain, r2);
    }
    static elem from_mont(const elem& a) noexcept {
        return mul(a, elem{1});
    }

    /// a^e for a public exponent e, by a fixed 4-bit window from the top.
    /// CT: the operation sequence depends on e only, never on a.
    static elem pow_public_exponent(const elem& a, const elem& e) noexcept {
        std::array<elem, 16> table;
        table[0] = one;
        table[1] = a;
        for (std::size_t i = 2; i < 16; ++i) {
            table[i] = mul(table[i - 1], a);
        }
        elem r = one;
        bool started = false; // public: depends on e only
        for (std::size_t i = 16 * n; i-- > 0;) {
            const std::size_t digit = (e[i / 16] >> (4 * (i % 16))) & 15;
            if (started) {
                r = sqr_n(r, 4);
            }
            if (digit != 0) {
                r = started ? mul(r, table[digit]) : table[digit];
                started = true;
            }
        }
        ct::wipe(table);
        return r;
    }

    /// 1/a mod m (and 0 for a = 0) by Fermat's little theorem, a^(m-2); m must be prime.
    /// CT: the exponent is a public constant, so the sequence of operations is fixed.
    static elem invert(const elem& a) noexcept {
        static constexpr elem m_minus_2 = sub_ce(m, elem{2});
        return pow_public_exponent(a, m_minus_2);
    }

    /// All ones when a == 0. CT: branch-free.
    static std::uint64_t is_zero(const elem& a) noexcept {
        std::uint64_t acc = 0;
        for (std::uint64_t w : a) {
            acc |= w;
        }
        return ct::mask<std::uint64_t>::is_zero(acc).value();
    }
    /// All ones when a == b. CT: branch-free.
    static std::uint64_t equal(const elem& a, const elem& b) noexcept {
        std::uint64_t acc = 0;
        for (std::size_t i = 0; i < n; ++i) {
            acc |= a[i] ^ b[i];
        }
        return ct::mask<std::uint64_t>::is_zero(acc).value();
    }
    /// dst = src where `mask` is all ones. CT: branch-free.
    static void cmov(elem& dst, const elem& src, std::uint64_t mask) noexcept {
        for (std::size_t i = 0; i < n; ++i) {
            dst[i] ^= (dst[i] ^ src[i]) & mask;
        }
    }

    /// All ones when the plain integer a is below m. CT: branch-free.
    static std::uint64_t less_than_modulus(const elem& a) noexcept {
        unsigned char borrow = 0;
        for (std::size_t i = 0; i < n; ++i) {
            sub_borrow(a[i], m[i], borrow);
        }
        return bit_mask(borrow);
    }

    /// The plain integer of `bytes` big-endian bytes (no range check). CT: branch-free.
    static elem load_be(std::span<const std::uint8_t, bytes> in) noexcept {
        elem r;
        for (std::size_t i = 0; i < n; ++i) {
            r[n - 1 - i] = https::detail::load_be64(in.data() + 8 * i);
        }
        return r;
    }
    /// A plain integer as `bytes` big-endian bytes. CT: branch-free.
    static void store_be(const elem& a, std::span<std::uint8_t, bytes> out) noexcept {
        for (std::size_t i = 0; i < n; ++i) {
            https::detail::store_be64(out.data() + 8 * i, a[n - 1 - i]);
        }
    }
};

} // namespace https::crypto::detail::nist

#undef HTTPS_NIST_CARRY_INTRINSICS
#undef HTTPS_NIST_SPLIT_ROWS
