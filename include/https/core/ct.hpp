// Constant-time building blocks: masks, a value barrier, comparison, selection, wiping, and
// valgrind "poison" hooks that let tests prove secrets never steer a branch or an address.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>

#if defined(HTTPS_CT_VALGRIND)
#include <valgrind/memcheck.h>
#endif

namespace https::ct {

/// Mark memory as secret for the valgrind constant-time check: any branch or address that depends
/// on it is reported as a use of uninitialised memory. No effect unless HTTPS_CT_VALGRIND is set.
inline void poison([[maybe_unused]] const void* p, [[maybe_unused]] std::size_t n) noexcept {
#if defined(HTTPS_CT_VALGRIND)
    VALGRIND_MAKE_MEM_UNDEFINED(p, n);
#endif
}

/// Mark memory as public again (a result that is meant to be revealed).
inline void unpoison([[maybe_unused]] const void* p, [[maybe_unused]] std::size_t n) noexcept {
#if defined(HTTPS_CT_VALGRIND)
    VALGRIND_MAKE_MEM_DEFINED(p, n);
#endif
}

/// Hide a value from the optimiser so that mask arithmetic cannot be turned back into a branch.
/// CT: no branch; the empty asm only pins the value in a register.
template <std::unsigned_integral T> [[nodiscard]] inline T value_barrier(T v) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    __asm__("" : "+r"(v));
#endif
    return v;
}

/// An all-ones or all-zeros word that stands for a secret boolean.
/// CT: every operation is branch-free arithmetic on the mask.
template <std::unsigned_integral T = std::uint32_t> class mask {
public:
    /// All ones if `bit` is 1, zero if it is 0. `bit` must be 0 or 1.
    static mask from_bit(T bit) noexcept { return mask(value_barrier(static_cast<T>(T(0) - bit))); }
    static mask set() noexcept { return mask(static_cast<T>(~T(0))); }
    static mask cleared() noexcept { return mask(T(0)); }
    /// Set when `v` is zero.
    static mask is_zero(T v) noexcept {
        // top bit of (~v & (v - 1)) is set exactly when v == 0
        return from_bit(static_cast<T>((~v & static_cast<T>(v - 1)) >> (sizeof(T) * 8 - 1)));
    }
    static mask equal(T a, T b) noexcept { return is_zero(static_cast<T>(a ^ b)); }
    /// Set when a < b (unsigned).
    static mask less(T a, T b) noexcept {
        // borrow out of a - b, computed without a branch
        T borrow = static_cast<T>((a ^ ((a ^ b) | (static_cast<T>(a - b) ^ b))) >> (sizeof(T) * 8 - 1));
        return from_bit(borrow);
    }

    [[nodiscard]] T value() const noexcept { return m_; }
    /// `a` where set, `b` where cleared.
    [[nodiscard]] T select(T a, T b) const noexcept { return static_cast<T>((a & m_) | (b & ~m_)); }
    /// `v` where set, zero where cleared.
    [[nodiscard]] T if_set(T v) const noexcept { return static_cast<T>(v & m_); }

    mask operator&(mask o) const noexcept { return mask(static_cast<T>(m_ & o.m_)); }
    mask operator|(mask o) const noexcept { return mask(static_cast<T>(m_ | o.m_)); }
    mask operator~() const noexcept { return mask(static_cast<T>(~m_)); }

    /// Leave constant time: only call when the outcome is public (e.g. a final MAC verdict).
    [[nodiscard]] bool declassify() const noexcept {
        bool verdict = value_barrier(m_) != 0;
        unpoison(&verdict, sizeof verdict);
        return verdict;
    }

private:
    explicit mask(T m) noexcept : m_(m) {}
    T m_;
};

/// Compare two equal-length byte strings; the verdict is public, the contents are not.
/// CT: time depends only on the length.
[[nodiscard]] inline bool equal(std::span<const std::uint8_t> a,
                                std::span<const std::uint8_t> b) noexcept {
    if (a.size() != b.size()) {
        return false; // lengths are public
    }
    std::uint32_t diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff |= static_cast<std::uint32_t>(a[i] ^ b[i]);
    }
    return mask<std::uint32_t>::is_zero(diff).declassify();
}

/// dst = m ? a : b, byte by byte. All three spans have the same length.
/// CT: no branch on `m` or the data.
inline void select(mask<std::uint8_t> m, std::span<const std::uint8_t> a,
                   std::span<const std::uint8_t> b, std::span<std::uint8_t> dst) noexcept {
    for (std::size_t i = 0; i < dst.size(); ++i) {
        dst[i] = m.select(a[i], b[i]);
    }
}

/// dst = src where `m` is set; dst unchanged otherwise.
/// CT: no branch on `m` or the data.
inline void conditional_copy(mask<std::uint8_t> m, std::span<const std::uint8_t> src,
                             std::span<std::uint8_t> dst) noexcept {
    for (std::size_t i = 0; i < dst.size(); ++i) {
        dst[i] = m.select(src[i], dst[i]);
    }
}

/// Swap two equal-length word arrays where `m` is set. CT: no branch on `m`.
template <std::unsigned_integral T>
inline void conditional_swap(mask<T> m, std::type_identity_t<std::span<T>> a,
                             std::type_identity_t<std::span<T>> b) noexcept {
    for (std::size_t i = 0; i < a.size(); ++i) {
        T t = m.if_set(static_cast<T>(a[i] ^ b[i]));
        a[i] ^= t;
        b[i] ^= t;
    }
}

/// Overwrite memory in a way the compiler may not elide (keys, intermediate secrets).
inline void wipe(void* p, std::size_t n) noexcept {
    if (n == 0) {
        return;
    }
    std::memset(p, 0, n);
#if defined(__GNUC__) || defined(__clang__)
    __asm__ __volatile__("" : : "r"(p) : "memory");
#endif
}

template <class T, std::size_t N> inline void wipe(std::array<T, N>& a) noexcept {
    wipe(a.data(), sizeof(T) * N);
}

/// A fixed-size buffer for key material that is wiped when it goes out of scope.
template <std::size_t N> struct secret_array {
    std::array<std::uint8_t, N> bytes{};

    secret_array() = default;
    secret_array(const secret_array&) = default;
    secret_array& operator=(const secret_array&) = default;
    secret_array(secret_array&&) noexcept = default;
    secret_array& operator=(secret_array&&) noexcept = default;
    ~secret_array() { wipe(bytes); }

    std::uint8_t* data() noexcept { return bytes.data(); }
    const std::uint8_t* data() const noexcept { return bytes.data(); }
    static constexpr std::size_t size() noexcept { return N; }
    std::span<std::uint8_t, N> span() noexcept { return bytes; }
    std::span<const std::uint8_t, N> span() const noexcept { return bytes; }
};

} // namespace https::ct
