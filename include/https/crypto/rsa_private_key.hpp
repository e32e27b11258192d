// RSA private keys (RFC 8017 §3.2, the CRT representation: n, e, d, p, q, dp, dq, qinv) and the
// private-key operation behind RSASSA-PKCS1-v1_5 and RSASSA-PSS signing: constant time, with the
// CRT, base blinding by a fresh random value per signature, and every signature checked with the
// public key before it is released.
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../core/result.hpp"
#include "bigint.hpp"
#include "hash.hpp"
#include "hash_id.hpp"
#include "random.hpp"
#include "rsa.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>

namespace https::crypto {

/// The eight integers of an RSA private key, big-endian magnitudes (RFC 8017 A.1.2 RSAPrivateKey
/// without the version, or the JWK members n, e, d, p, q, dp, dq, qi). Leading zero bytes are
/// allowed everywhere except in n (see rsa_public_key::from_components). The views must stay
/// valid only for the call that reads them.
struct rsa_private_components {
    bytes_view n;    ///< modulus
    bytes_view e;    ///< public exponent
    bytes_view d;    ///< private exponent
    bytes_view p;    ///< first prime
    bytes_view q;    ///< second prime
    bytes_view dp;   ///< d mod (p - 1)
    bytes_view dq;   ///< d mod (q - 1)
    bytes_view qinv; ///< q^-1 mod p
};

class rsa_test_hooks; // test builds only (HTTPS_TESTING), below

namespace detail {

/// Which half of the CRT a test corrupts (rsa_test_hooks); `none` in every real signature.
enum class rsa_crt_fault : std::uint8_t { none, mod_p, mod_q };

struct rsa_signer; // the signing functions' access to the private operation

/// A public size or verdict computed from secrets: tell valgrind's constant-time check that it
/// may be revealed (no effect outside that check).
inline std::size_t declassify_size(std::size_t v) noexcept {
    ct::unpoison(&v, sizeof v);
    return v;
}

/// Import a big-endian magnitude into exactly `limbs` limbs. Longer input is allowed when the
/// excess bytes are zero. Returns false (public verdict) when the value does not fit.
/// CT: time depends on the lengths only; the fits verdict is declassified.
template <bigint_limb Limb>
bool import_exact(bytes_view in, std::size_t limbs, bigint<Limb>& out) noexcept {
    const std::size_t own = bigint<Limb>::limbs_for_bytes(in.size());
    auto x = bigint<Limb>::from_bytes_be(in, std::max(own, limbs));
    if (!x) {
        return false; // longer than 8192 bits: its length alone says so
    }
    Limb excess = 0;
    for (std::size_t i = limbs; i < x->size(); ++i) {
        excess |= (*x)[i];
    }
    const bool fits = ct::mask<Limb>::is_zero(excess).declassify();
    out = *x;
    for (std::size_t i = limbs; i < out.size(); ++i) {
        out[i] = 0; // dropped below, but not left in memory
    }
    out.resize(limbs);
    x->wipe(); // every limb, the excess ones included
    return fits;
}

/// All ones when the s-limb values a and b are equal. CT: no branch on the values.
template <bigint_limb Limb>
ct::mask<Limb> equal_n(const Limb* a, const Limb* b, std::size_t s) noexcept {
    Limb diff = 0;
    for (std::size_t i = 0; i < s; ++i) {
        diff |= static_cast<Limb>(a[i] ^ b[i]);
    }
    return ct::mask<Limb>::is_zero(diff);
}

/// a^-1 mod n by the binary extended Euclidean algorithm, for a PUBLIC odd modulus n and a value
/// a that may be revealed (the blinded product r v below); false when gcd(a, n) != 1.
/// Invariants: A a = u and B a = v (mod n), with u, v > 0 and v odd; each step halves u or
/// subtracts the smaller of u, v from the larger, until u = v = gcd(a, n).
/// Variable time: branches on a and n. Public (or declassified) values only.
template <bigint_limb Limb>
bool inverse_mod_vartime(bigint<Limb>& out, const bigint<Limb>& a,
                         const bigint<Limb>& n) noexcept {
    using W = wide_t<Limb>;
    constexpr unsigned w = limb_bits_v<Limb>;
    const std::size_t s = n.size();
    assert(a.size() == s && n.is_odd());
    const Limb n0inv = static_cast<Limb>(0 - montgomery_inverse(n[0])); // n^-1 mod 2^w
    bigint<Limb> u = a;
    bigint<Limb> v = n;
    bigint<Limb> A(s);
    bigint<Limb> B(s);
    A[0] = 1;
    std::size_t len = s; // limbs of u and v that may be non-zero
    auto is_zero = [&](const bigint<Limb>& x) {
        for (std::size_t i = 0; i < len; ++i) {
            if (x[i] != 0) {
                return false;
            }
        }
        return true;
    };
    // x = x / 2^k mod n for x < n and 0 < k < w: add t n, t = -x n^-1 mod 2^k, which clears the
    // low k bits; (x + t n) / 2^k < (n + (2^k - 1) n) / 2^k = n, so no subtraction follows.
    auto halve = [&](bigint<Limb>& x, unsigned k) {
        const Limb t = static_cast<Limb>(static_cast<Limb>(0 - x[0] * n0inv) &
                                         ((Limb{1} << k) - 1));
        Limb carry = 0;
        for (std::size_t i = 0; i < s; ++i) {
            const W sum = W(t) * n[i] + x[i] + carry;
            x[i] = static_cast<Limb>(sum);
            carry = high_half<Limb>(sum);
        }
        for (std::size_t i = 0; i + 1 < s; ++i) {
            x[i] = static_cast<Limb>((x[i] >> k) | (x[i + 1] << (w - k)));
        }
        x[s - 1] = static_cast<Limb>((x[s - 1] >> k) | (carry << (w - k)));
    };
    auto make_odd = [&](bigint<Limb>& x, bigint<Limb>& coef) {
        while ((x[0] & 1) == 0) {
            unsigned k = 0;
            if (x[0] == 0) {
                k = w - 1;
            } else {
                k = static_cast<unsigned>(std::countr_zero(x[0]));
            }
            for (std::size_t i = 0; i + 1 < len; ++i) {
                x[i] = static_cast<Limb>((x[i] >> k) | (x[i + 1] << (w - k)));
            }
            x[len - 1] >>= k;
            halve(coef, k);
        }
    };
    auto sub_mod = [&](bigint<Limb>& x, const bigint<Limb>& y) { // x = x - y mod n
        if (sub_n(x.data(), x.data(), y.data(), s) != 0) {
            add_n(x.data(), x.data(), n.data(), s);
        }
    };
    if (is_zero(u)) {
        return false;
    }
    for (;;) {
        make_odd(u, A);
        while (len > 1 && u[len - 1] == 0 && v[len - 1] == 0) {
            --len;
        }
        const int c = compare_n_vartime(u.data(), v.data(), len);
        if (c == 0) {
            break;
        }
        if (c > 0) {
            sub_n(u.data(), u.data(), v.data(), len);
            sub_mod(A, B);
        } else {
            sub_n(v.data(), v.data(), u.data(), len);
            sub_mod(B, A);
            make_odd(v, B);
        }
    }
    // u = v = gcd(a, n)
    if (len != 1 || u[0] != 1) {
        return false;
    }
    out = A;
    return true;
}

/// The signed type twice a limb's width, for the update factors of the batched inverse.
template <bigint_limb Limb> struct signed_wide;
template <> struct signed_wide<std::uint32_t> { using type = std::int64_t; };
#if defined(__SIZEOF_INT128__)
__extension__ typedef __int128 int128;
template <> struct signed_wide<std::uint64_t> { using type = int128; };
#endif

/// Bits [pos, pos + count) of the s-limb value x (count <= limb bits). Variable time.
template <bigint_limb Limb>
Limb bits_at(const Limb* x, std::size_t s, std::size_t pos, unsigned count) noexcept {
    constexpr unsigned w = limb_bits_v<Limb>;
    const std::size_t i = pos / w;
    const unsigned off = static_cast<unsigned>(pos % w);
    Limb v = i < s ? static_cast<Limb>(x[i] >> off) : 0;
    if (off != 0 && i + 1 < s) {
        v |= static_cast<Limb>(x[i + 1] << (w - off));
    }
    return count == w ? v : static_cast<Limb>(v & ((Limb{1} << count) - 1));
}

/// a^-1 mod n for a PUBLIC odd modulus n > 1 and a value a < n that may be revealed, by the
/// binary extended GCD with batched steps (Pornin, "Optimized Binary GCD for Modular Inversion",
/// 2020, Algorithm 2, without the constant-time requirement): k - 1 steps at a time (k = half a
/// limb's bits) run on one-limb approximations of a and b (their low k - 1 bits, exact, and their
/// top k + 1 bits), and the factors they produce are applied to the full values and to the
/// coefficients. Invariants: a = u x and b = v x (mod n), b odd; at the end a = 0, b = gcd.
/// Returns false when gcd(a, n) != 1 or when the batched loop did not converge in its bound
/// (then the caller falls back to the bit-by-bit algorithm).
/// Variable time: public (or declassified) values only.
template <bigint_limb Limb>
bool inverse_mod_batched(bigint<Limb>& out, const bigint<Limb>& x, const bigint<Limb>& n) noexcept {
    using SW = typename signed_wide<Limb>::type;
    constexpr unsigned w = limb_bits_v<Limb>;
    constexpr unsigned k = w / 2;
    constexpr unsigned steps = k - 1;
    const std::size_t s = n.size();
    const Limb n0inv = static_cast<Limb>(0 - montgomery_inverse(n[0])); // n^-1 mod 2^w
    Limb a[bigint_max_limbs<Limb> + 1] = {};
    Limb b[bigint_max_limbs<Limb> + 1] = {};
    Limb u[bigint_max_limbs<Limb> + 1] = {};
    Limb v[bigint_max_limbs<Limb> + 1] = {};
    Limb t[bigint_max_limbs<Limb> + 2];
    std::copy(x.data(), x.data() + s, a);
    std::copy(n.data(), n.data() + s, b);
    u[0] = 1;
    auto bit_length = [&](const Limb* y) -> std::size_t {
        for (std::size_t i = s; i-- > 0;) {
            if (y[i] != 0) {
                return i * w + static_cast<std::size_t>(std::bit_width(y[i]));
            }
        }
        return 0;
    };
    // y = |f p + g q| >> steps over the sl limbs that may be non-zero; returns whether
    // f p + g q was negative (|f|, |g| <= 2^steps: the result is at most max(p, q))
    std::size_t sl = s;
    auto combine = [&](Limb* y, const Limb* p, const Limb* q, SW f, SW g) -> bool {
        SW carry = 0;
        for (std::size_t i = 0; i < sl; ++i) {
            const SW z = SW(p[i]) * f + SW(q[i]) * g + carry;
            t[i] = static_cast<Limb>(z);
            carry = z >> w;
        }
        t[sl] = static_cast<Limb>(carry);
        const bool negative = carry < 0;
        if (negative) {
            Limb c = 1;
            for (std::size_t i = 0; i <= sl; ++i) {
                t[i] = static_cast<Limb>(~t[i] + c);
                c = static_cast<Limb>(c != 0 && t[i] == 0);
            }
        }
        for (std::size_t i = 0; i < sl; ++i) {
            y[i] = static_cast<Limb>((t[i] >> steps) | (t[i + 1] << (w - steps)));
        }
        return negative;
    };
    // y = (f p + g q) / 2^steps mod n, for p, q < n
    auto combine_mod = [&](Limb* y, const Limb* p, const Limb* q, SW f, SW g) {
        // + 2^k n keeps the sum non-negative (|f|, |g| <= 2^steps) without changing it mod
        // 2^steps or mod n
        SW carry = 0;
        for (std::size_t i = 0; i < s; ++i) {
            const SW z = SW(p[i]) * f + SW(q[i]) * g + (SW(n[i]) << k) + carry;
            t[i] = static_cast<Limb>(z);
            carry = z >> w;
        }
        t[s] = static_cast<Limb>(carry);
        t[s + 1] = 0;
        // + m n with m = -t n^-1 mod 2^steps makes it divisible by 2^steps
        const Limb m = static_cast<Limb>((0 - t[0] * n0inv) & ((Limb{1} << steps) - 1));
        Limb c = 0;
        for (std::size_t i = 0; i < s; ++i) {
            const wide_t<Limb> z = wide_t<Limb>(m) * n[i] + t[i] + c;
            t[i] = static_cast<Limb>(z);
            c = high_half<Limb>(z);
        }
        for (std::size_t i = s; i < s + 2; ++i) {
            const wide_t<Limb> z = wide_t<Limb>(t[i]) + c;
            t[i] = static_cast<Limb>(z);
            c = high_half<Limb>(z);
        }
        for (std::size_t i = 0; i <= s; ++i) {
            t[i] = static_cast<Limb>((t[i] >> steps) | (t[i + 1] << (w - steps)));
        }
        // now below 2^(k + 2) n / 2^steps = 8 n
        while (t[s] != 0 || compare_n_vartime(t, n.data(), s) >= 0) {
            t[s] -= sub_n(t, t, n.data(), s);
        }
        std::copy(t, t + s, y);
    };
    const std::size_t bound = (2 * bit_length(b) + steps - 1) / steps + 4;
    for (std::size_t iter = 0;; ++iter) {
        const std::size_t la = bit_length(a);
        if (la == 0) {
            break;
        }
        if (iter == bound) {
            return false;
        }
        const std::size_t lb = bit_length(b);
        const std::size_t len = std::max({la, lb, std::size_t{2 * k}});
        sl = (std::max(la, lb) + w - 1) / w;
        const Limb low = static_cast<Limb>((Limb{1} << steps) - 1);
        Limb ah = static_cast<Limb>((a[0] & low) | (bits_at(a, s, len - k - 1, k + 1) << steps));
        Limb bh = static_cast<Limb>((b[0] & low) | (bits_at(b, s, len - k - 1, k + 1) << steps));
        SW f0 = 1, g0 = 0, f1 = 0, g1 = 1;
        for (unsigned j = 0; j < steps; ++j) {
            if ((ah & 1) != 0) {
                if (ah < bh) {
                    std::swap(ah, bh);
                    std::swap(f0, f1);
                    std::swap(g0, g1);
                }
                ah -= bh;
                f0 -= f1;
                g0 -= g1;
            }
            ah >>= 1;
            f1 += f1;
            g1 += g1;
        }
        Limb na[bigint_max_limbs<Limb> + 1];
        const bool neg_a = combine(na, a, b, f0, g0);
        const bool neg_b = combine(b, a, b, f1, g1);
        std::copy(na, na + sl, a); // limbs above sl are zero, and stay so
        if (neg_a) {
            f0 = -f0;
            g0 = -g0;
        }
        if (neg_b) {
            f1 = -f1;
            g1 = -g1;
        }
        Limb nu[bigint_max_limbs<Limb> + 1];
        combine_mod(nu, u, v, f0, g0);
        combine_mod(v, u, v, f1, g1);
        std::copy(nu, nu + s, u);
    }
    // b = gcd(x, n)
    if (bit_length(b) != 1) {
        return false;
    }
    out = bigint<Limb>(s);
    std::copy(v, v + s, out.data());
    return true;
}

/// An RSA private key in CRT form over `Limb`-sized limbs; users name it `rsa_private_key`.
/// Holds the public key (n, e), the primes p and q as Montgomery contexts sharing one limb count,
/// dp and dq as big-endian strings exactly as long as p and q (the exponent length the
/// exponentiation treats as public is the primes' length, never that of dp or dq), and qinv.
/// d is checked at construction and not kept: the CRT never needs it. Every secret is wiped when
/// the key is destroyed (copies wipe themselves too).
template <bigint_limb Limb> class basic_rsa_private_key {
  public:
    using integer = bigint<Limb>;
    using public_key_type = basic_rsa_public_key<Limb>;

    /// From the eight big-endian integers. Checks, in order:
    ///  - n and e as `public_key_type::from_components` (errc::bad_public_key, weak_key below
    ///    `min_bits`, bad_key_size above 8192 bits);
    ///  - every other component non-empty and no longer than n: else errc::bad_private_key;
    ///  - p and q odd, at least 3, with lengths that add up to n's (bits(p) + bits(q) is
    ///    bits(n) or bits(n) + 1): else errc::bad_private_key;
    ///  - n = p q; qinv < p and q qinv = 1 mod p; e dp = 1 mod (p - 1) and d = dp mod (p - 1),
    ///    the same for q: else errc::bad_private_key.
    /// p and q are not tested for primality: a composite one passes these checks only to make
    /// every signature fail its check (errc::signing_fault), never to release a wrong signature.
    /// CT: the bit lengths of p and q and the verdicts are revealed; no branch or index depends
    /// on the values of d, p, q, dp, dq or qinv otherwise.
    static result<basic_rsa_private_key> from_components(const rsa_private_components& c,
                                                         std::size_t min_bits = rsa_min_bits) {
        auto pub = public_key_type::from_components(c.n, c.e, min_bits);
        if (!pub) {
            return pub.error();
        }
        const std::size_t k = pub->size();
        for (bytes_view part : {c.d, c.p, c.q, c.dp, c.dq, c.qinv}) {
            if (part.empty() || part.size() > k) {
                return errc::bad_private_key;
            }
        }
        basic_rsa_private_key key(*pub);
        const integer& n = pub->context().modulus();
        const std::size_t sn = n.size();
        // The lengths of p and q are public (as in every RSA implementation: they follow from n
        // up to a bit); their values are not.
        integer p;
        integer q;
        if (!import_exact(c.p, sn, p) || !import_exact(c.q, sn, q)) {
            return errc::bad_private_key;
        }
        const std::size_t p_bits = declassify_size(bit_length_n(p.data(), sn));
        const std::size_t q_bits = declassify_size(bit_length_n(q.data(), sn));
        const std::size_t n_bits = pub->bits();
        const bool odd = ct::mask<Limb>::from_bit(static_cast<Limb>(p[0] & q[0] & 1)).declassify();
        if (!odd || p_bits < 2 || q_bits < 2 || p_bits + q_bits < n_bits ||
            p_bits + q_bits > n_bits + 1) {
            p.wipe();
            q.wipe();
            return errc::bad_private_key;
        }
        // One limb count for both halves, the larger prime's: then p, q < R and n < R^2, which
        // the reduction of the blinded message into the halves relies on (rsa_signer).
        const std::size_t sh =
            (std::max(p_bits, q_bits) + integer::limb_bits - 1) / integer::limb_bits;
        p.resize(sh);
        q.resize(sh);
        key.p_bytes_ = (p_bits + 7) / 8;
        key.q_bytes_ = (q_bits + 7) / 8;
        const bool ok = key.check_and_store(c, n, p, q);
        p.wipe();
        q.wipe();
        if (!ok) {
            return errc::bad_private_key;
        }
        key.ctx_p_ = montgomery<Limb>::create_secret(key.p_, p_bits);
        key.ctx_q_ = montgomery<Limb>::create_secret(key.q_, q_bits);
        return key;
    }

    basic_rsa_private_key(const basic_rsa_private_key&) = default;
    basic_rsa_private_key& operator=(const basic_rsa_private_key&) = default;
    // Moving is copying (every member lives in place, no heap buffer to steal); the source keeps
    // its copy until it is destroyed, and wipes it then.
    basic_rsa_private_key(basic_rsa_private_key&&) noexcept = default;
    basic_rsa_private_key& operator=(basic_rsa_private_key&&) noexcept = default;
    ~basic_rsa_private_key() { wipe(); }

    /// The public half (n, e), e.g. to check that the key matches a certificate.
    [[nodiscard]] const public_key_type& public_key() const noexcept { return pub_; }
    /// Modulus length in bits.
    [[nodiscard]] std::size_t bits() const noexcept { return pub_.bits(); }
    /// Modulus length in bytes (k): the signature length.
    [[nodiscard]] std::size_t size() const noexcept { return pub_.size(); }

  private:
    friend struct detail::rsa_signer;
    friend class crypto::rsa_test_hooks;

    explicit basic_rsa_private_key(const public_key_type& pub) noexcept : pub_(pub) {}

    void wipe() noexcept {
        ctx_p_.wipe();
        ctx_q_.wipe();
        p_.wipe();
        q_.wipe();
        qinv_.wipe();
        ct::wipe(dp_);
        ct::wipe(dq_);
    }

    /// The consistency checks of from_components on the imported primes (sh limbs each), and on
    /// success, the stored p, q, qinv, dp, dq. CT: only the verdict is revealed.
    bool check_and_store(const rsa_private_components& c, const integer& n, const integer& p,
                         const integer& q) noexcept {
        const std::size_t sh = p.size();
        const std::size_t sn = n.size();
        Limb wide[2 * integer::max_limbs + 2];
        Limb rem[integer::max_limbs];
        integer dp;
        integer dq;
        integer qinv;
        integer d;
        bool fits = import_exact(c.dp, sh, dp);
        fits = import_exact(c.dq, sh, dq) && fits;
        fits = import_exact(c.qinv, sh, qinv) && fits;
        fits = import_exact(c.d, sn, d) && fits;
        ct::mask<Limb> good = ct::mask<Limb>::from_bit(fits ? 1 : 0);
        if (fits) {
            // n = p q (the product has 2 sh >= sn limbs; n's missing limbs are zero)
            mul_n(wide, p.data(), sh, q.data(), sh);
            good = good & equal_n(wide, n.data(), sn);
            Limb high = 0;
            for (std::size_t i = sn; i < 2 * sh; ++i) {
                high |= wide[i];
            }
            good = good & ct::mask<Limb>::is_zero(high);
            // qinv < p and q qinv = 1 mod p
            good = good & less(qinv, p);
            mul_n(wide, q.data(), sh, qinv.data(), sh);
            mod_bitwise_n(rem, wide, 2 * sh, p.data(), sh);
            good = good & is_one(rem, sh);
            // e dp = 1 mod (p - 1), d = dp mod (p - 1); the same for q
            good = good & check_crt_exponent(p, dp, d, wide, rem);
            good = good & check_crt_exponent(q, dq, d, wide, rem);
        }
        ct::wipe(wide, sizeof wide);
        ct::wipe(rem, sizeof rem);
        const bool verdict = fits && good.declassify();
        if (verdict) {
            p_ = p;
            q_ = q;
            qinv_ = qinv;
            [[maybe_unused]] bool stored = dp.to_bytes_be(std::span(dp_).first(p_bytes_));
            stored = dq.to_bytes_be(std::span(dq_).first(q_bytes_)) && stored;
            assert(stored); // dp < p - 1 was just checked
        }
        dp.wipe();
        dq.wipe();
        qinv.wipe();
        d.wipe();
        return verdict;
    }

    static ct::mask<Limb> is_one(const Limb* x, std::size_t s) noexcept {
        Limb rest = static_cast<Limb>(x[0] ^ 1);
        for (std::size_t i = 1; i < s; ++i) {
            rest |= x[i];
        }
        return ct::mask<Limb>::is_zero(rest);
    }

    /// All ones when e de = 1 mod (prime - 1) and d mod (prime - 1) = de. prime is odd, >= 3.
    /// CT: no branch or index depends on the values.
    ct::mask<Limb> check_crt_exponent(const integer& prime, const integer& de, const integer& d,
                                      Limb* wide, Limb* rem) const noexcept {
        const std::size_t sh = prime.size();
        integer one(sh);
        one[0] = 1;
        integer pm1;
        sub(pm1, prime, one); // prime - 1 (no borrow: the prime is at least 3)
        // e as limbs: 64 bits, one or two limbs
        constexpr std::size_t e_limbs = 8 / sizeof(Limb);
        Limb e[e_limbs];
        const std::uint64_t ev = pub_.exponent();
        for (std::size_t i = 0; i < e_limbs; ++i) {
            e[i] = static_cast<Limb>(ev >> (i * limb_bits_v<Limb>));
        }
        mul_n(wide, de.data(), sh, e, e_limbs);
        mod_bitwise_n(rem, wide, sh + e_limbs, pm1.data(), sh);
        ct::mask<Limb> good = is_one(rem, sh);
        mod_bitwise_n(rem, d.data(), d.size(), pm1.data(), sh);
        good = good & equal_n(rem, de.data(), sh);
        pm1.wipe();
        return good;
    }

    public_key_type pub_;
    montgomery<Limb> ctx_p_;
    montgomery<Limb> ctx_q_;
    integer p_;    // sh limbs, the modulus of ctx_p_
    integer q_;    // sh limbs
    integer qinv_; // sh limbs, < p
    std::array<std::uint8_t, rsa_max_bytes> dp_{}; // first p_bytes_ bytes used, big-endian
    std::array<std::uint8_t, rsa_max_bytes> dq_{}; // first q_bytes_ bytes used
    std::size_t p_bytes_ = 0;
    std::size_t q_bytes_ = 0;
};

/// The private-key operation (RSASP1, RFC 8017 §5.2.1) with its countermeasures. Only the
/// signature schemes below and the test hooks reach it.
struct rsa_signer {
    /// signature = EM^d mod n for an encoded message EM of k bytes that is below n (both EMSA
    /// encodings start with a zero byte or clear n's top bit), computed as:
    ///  1. blinding (Kocher 1996; RFC 8017 §5.2.1 note): r, v uniform in [1, n) from `rng`;
    ///     r^-1 = v (r v)^-1 mod n, the inverse taken in variable time of r v, which is uniform
    ///     and independent of r (v masks it), so its timing says nothing of r or of the key;
    ///     x = EM r^e mod n;
    ///  2. CRT (§5.1.2 step 2b): m1 = x^dp mod p, m2 = x^dq mod q with the fixed-window
    ///     exponentiation over the primes' length, h = qinv (m1 - m2) mod p, s' = m2 + q h;
    ///  3. unblinding: s = s' r^-1 mod n;
    ///  4. fault check (Boneh-DeMillo-Lipton 1997): s^e mod n must equal EM, or the signature is
    ///     wiped and errc::signing_fault returned: one faulty CRT half would give away p.
    /// errc::random_failure when the source fails (or, with negligible probability, draws a
    /// multiple of p or q). `signature` is zeroed on every error.
    /// CT: no branch or index depends on EM, d, p, q, dp, dq, qinv, r or v; revealed: r v mod n
    /// (see 1), the verdicts of the rejection sampling, the fault check.
    /// The signature of the encoded message `em`, unless its encoding failed (`encoded`): then
    /// that error, with `signature` zeroed. EM is wiped either way.
    template <bigint_limb Limb>
    static status sign_encoded(const basic_rsa_private_key<Limb>& key, status encoded,
                               mutable_bytes em, mutable_bytes signature,
                               random_source& rng) noexcept {
        status st = encoded;
        if (!encoded) {
            std::fill(signature.begin(), signature.end(), std::uint8_t{0});
        } else {
            st = private_op(key, em, signature, rng);
        }
        ct::wipe(em.data(), em.size());
        return st;
    }

    template <bigint_limb Limb>
    static status private_op(const basic_rsa_private_key<Limb>& key, bytes_view em,
                             mutable_bytes signature, random_source& rng,
                             rsa_crt_fault fault = rsa_crt_fault::none) noexcept {
        using integer = bigint<Limb>;
        const std::size_t k = key.size();
        assert(em.size() == k && signature.size() == k);
        const montgomery<Limb>& mn = key.pub_.context();
        const integer& n = mn.modulus();
        const std::size_t sn = n.size();
        const std::size_t sh = key.p_.size();
        auto fail = [&](errc e) {
            std::fill(signature.begin(), signature.end(), std::uint8_t{0});
            return e;
        };
        auto x = integer::from_bytes_be(em, sn);
        assert(x.has_value());
        if (!less(*x, n).declassify()) {
            x->wipe();
            return fail(errc::out_of_range); // a caller bug: the encodings are always below n
        }
        // 1. blinding
        integer r;
        integer rinv;
        if (status st = blinding_pair(mn, rng, r, rinv); !st) {
            x->wipe();
            return fail(st.error());
        }
        integer re;
        std::array<std::uint8_t, 8> e_bytes{};
        https::detail::store_be64(e_bytes.data(), key.pub_.exponent());
        mn.exp_public(re, r, e_bytes);
        mn.mod_mul(*x, *x, re);
        // 2. CRT halves: x mod p and x mod q, then the exponentiations
        Limb halves[2 * integer::max_limbs] = {};
        std::copy(x->data(), x->data() + sn, halves);
        integer m1;
        integer m2;
        reduce_half(key.ctx_p_, halves, sh, m1);
        reduce_half(key.ctx_q_, halves, sh, m2);
        ct::wipe(halves, sizeof(Limb) * 2 * sh);
        key.ctx_p_.exp_secret(m1, m1, std::span(key.dp_).first(key.p_bytes_));
        key.ctx_q_.exp_secret(m2, m2, std::span(key.dq_).first(key.q_bytes_));
        if (fault == rsa_crt_fault::mod_p) { // test hook only: a flipped bit in one half
            m1[0] ^= 4;
        } else if (fault == rsa_crt_fault::mod_q) {
            m2[0] ^= 4;
        }
        // Garner: h = qinv (m1 - m2) mod p, in Montgomery form until the product with qinv
        // (m2 < q may exceed p; the Montgomery product reduces any value below R)
        integer t1;
        integer t2;
        key.ctx_p_.to_mont(t1, m1); // m1 R mod p
        key.ctx_p_.to_mont(t2, m2); // m2 R mod p
        const Limb borrow = sub_n(t1.data(), t1.data(), t2.data(), sh);
        masked_add_n(t1.data(), key.p_.data(), static_cast<Limb>(0 - borrow), sh);
        key.ctx_p_.mul(t2, t1, key.qinv_); // h = (m1 - m2) qinv mod p, ordinary form
        // s' = m2 + q h < n
        Limb wide[2 * integer::max_limbs];
        mul_n(wide, key.q_.data(), sh, t2.data(), sh);
        Limb carry = add_n(wide, wide, m2.data(), sh);
        for (std::size_t i = sh; i < 2 * sh; ++i) {
            const Limb v = wide[i];
            wide[i] = static_cast<Limb>(v + carry);
            carry = static_cast<Limb>(wide[i] < v);
        }
        integer sb(sn);
        std::copy(wide, wide + sn, sb.data()); // limbs beyond sn are zero: s' < n
        ct::wipe(wide, sizeof(Limb) * 2 * sh);
        // 3. unblinding
        mn.mod_mul(sb, sb, rinv);
        [[maybe_unused]] const bool fits = sb.to_bytes_be(signature);
        assert(fits);
        for (integer* v : {&*x, &r, &rinv, &re, &m1, &m2, &t1, &t2, &sb}) {
            v->wipe();
        }
        // 4. the check: s^e = EM, in constant time in both (the public exponentiation is
        // constant time in its base); only the verdict is revealed.
        std::array<std::uint8_t, rsa_max_bytes> back_buf;
        const mutable_bytes back(back_buf.data(), k);
        const bool applied = key.pub_.apply(signature, back).ok();
        const bool same = applied && ct::equal(back, em);
        ct::wipe(back.data(), k);
        if (!same) {
            return fail(errc::signing_fault);
        }
        return {};
    }

  private:
    /// r += b where mask is all ones. CT: no branch on the mask or the values.
    template <bigint_limb Limb>
    static void masked_add_n(Limb* r, const Limb* b, Limb mask, std::size_t s) noexcept {
        Limb carry = 0;
        for (std::size_t i = 0; i < s; ++i) {
            const wide_t<Limb> t = wide_t<Limb>(r[i]) + (b[i] & mask) + carry;
            r[i] = static_cast<Limb>(t);
            carry = high_half<Limb>(t);
        }
    }

    /// out = x mod m (ordinary form, sh limbs) for x < m m' given as 2 sh limbs, where m' < R is
    /// the other prime: x = x1 R + x0 with x1 < m, so x mod m = (x1 R mod m) + (x0 mod m), both
    /// Montgomery products (x1 R2 R^-1, and x0 R2 R^-1 taken out of Montgomery form), and x0 < R
    /// is a valid Montgomery operand even when it exceeds m.
    /// CT: no branch or index depends on x or m.
    template <bigint_limb Limb>
    static void reduce_half(const montgomery<Limb>& ctx, const Limb* x, std::size_t sh,
                            bigint<Limb>& out) noexcept {
        bigint<Limb> x0(sh);
        bigint<Limb> x1(sh);
        std::copy(x, x + sh, x0.data());
        std::copy(x + sh, x + 2 * sh, x1.data());
        bigint<Limb> a;
        ctx.to_mont(a, x1);   // x1 R mod m
        ctx.to_mont(x0, x0);  // x0 R mod m
        ctx.from_mont(x0, x0); // x0 mod m
        const Limb carry = add_n(a.data(), a.data(), x0.data(), sh);
        final_subtract(a.data(), carry, ctx.modulus().data(), sh);
        out = a;
        a.wipe();
        x0.wipe();
        x1.wipe();
    }

    /// A uniform value in [1, n) by rejection: k random bytes with n's excess top bits cleared,
    /// drawn again while >= n or zero (the verdicts of rejected draws say nothing of the value
    /// kept). CT: the value steers no branch; each verdict is revealed.
    template <bigint_limb Limb>
    static status random_below(const montgomery<Limb>& mn, std::size_t bits, random_source& rng,
                               bigint<Limb>& out) noexcept {
        const bigint<Limb>& n = mn.modulus();
        const std::size_t k = (bits + 7) / 8;
        std::array<std::uint8_t, rsa_max_bytes> buf;
        const mutable_bytes b(buf.data(), k);
        // 2^bits > n >= 2^(bits - 1): each draw is accepted with probability above 1/2
        for (int tries = 0; tries < 128; ++tries) {
            if (!rng.fill(b)) {
                ct::wipe(b.data(), k);
                return errc::random_failure;
            }
            // secret, whichever source produced it: the valgrind check (ct_rsa_sign) treats it so
            // even when the bytes come from the operating system, which valgrind sees as defined
            ct::poison(b.data(), k);
            b[0] &= static_cast<std::uint8_t>(0xff >> (8 * k - bits));
            auto v = bigint<Limb>::from_bytes_be(b, n.size());
            ct::wipe(b.data(), k);
            Limb any = 0;
            for (Limb limb : v->limbs()) {
                any |= limb;
            }
            const bool ok = (less(*v, n) & ~ct::mask<Limb>::is_zero(any)).declassify();
            if (ok) {
                out = *v;
                v->wipe();
                return {};
            }
            v->wipe();
        }
        return errc::random_failure; // a source that never lands below n is broken
    }

    /// The blinding pair (r, r^-1 mod n), see private_op step 1.
    template <bigint_limb Limb>
    static status blinding_pair(const montgomery<Limb>& mn, random_source& rng, bigint<Limb>& r,
                                bigint<Limb>& rinv) noexcept {
        const std::size_t bits = mn.modulus().bit_length_vartime(); // n is public
        bigint<Limb> v;
        HTTPS_TRY(random_below(mn, bits, rng, r));
        HTTPS_TRY(random_below(mn, bits, rng, v));
        bigint<Limb> rv;
        mn.mod_mul(rv, r, v);
        // r v mod n is uniform in Z_n and independent of r: revealing it (through the variable
        // time inversion) reveals nothing about r, so valgrind's check is told it is public.
        ct::unpoison(rv.data(), sizeof(Limb) * rv.size());
        bigint<Limb> inv;
        // the batched algorithm, checked (inv rv = 1); the bit-by-bit one should it ever fail
        bool invertible = inverse_mod_batched(inv, rv, mn.modulus());
        if (invertible) {
            bigint<Limb> check;
            mn.mod_mul(check, inv, rv);
            bigint<Limb> one(check.size());
            one[0] = 1;
            invertible = compare_vartime(check, one) == 0;
        }
        if (!invertible) {
            invertible = inverse_mod_vartime(inv, rv, mn.modulus());
        }
        rv.wipe();
        if (!invertible) {
            v.wipe();
            inv.wipe();
            return errc::random_failure; // r v shares a prime with n: probability ~2^-1023
        }
        mn.mod_mul(rinv, v, inv); // r^-1 = v (r v)^-1
        v.wipe();
        inv.wipe();
        return {};
    }
};

} // namespace detail

/// An RSA private key for signing: n of 2048..8192 bits (fewer only when the caller lowers
/// `min_bits`), built with `rsa_private_key::from_components`.
using rsa_private_key = detail::basic_rsa_private_key<detail::native_limb>;

/// RSASSA-PKCS1-v1_5 signature generation (RFC 8017 §8.2.1) of `digest`, computed with `h`, into
/// `signature` of exactly `key.size()` bytes. `rng` supplies the blinding values.
/// Errors: errc::message_too_long when the modulus is too short for the hash's DigestInfo;
/// errc::random_failure; errc::signing_fault when the signature failed its check (then
/// `signature` is zeroed).
/// CT: no branch or index depends on the key's secrets or the digest.
template <detail::bigint_limb Limb>
status sign_pkcs1v15(const detail::basic_rsa_private_key<Limb>& key, hash_id h, bytes_view digest,
                     mutable_bytes signature, random_source& rng = default_random()) noexcept {
    assert(digest.size() == digest_size(h) && signature.size() == key.size());
    const std::size_t k = key.size();
    std::array<std::uint8_t, rsa_max_bytes> em_buf;
    const mutable_bytes em(em_buf.data(), k);
    return detail::rsa_signer::sign_encoded(key, detail::emsa_pkcs1v15_encode(h, digest, em), em,
                                            signature, rng);
}

/// RSASSA-PSS signature generation (RFC 8017 §8.1.1, EMSA-PSS-ENCODE §9.1.1) of `digest`,
/// computed with `params.hash`, with MGF1 over `params.mgf1_hash` and the given `salt`, which
/// must be `params.salt_length` bytes. For tests and known-answer vectors; `sign_pss` draws the
/// salt. Errors as sign_pkcs1v15 (message_too_long: emLen < hLen + sLen + 2).
/// CT: no branch or index depends on the key's secrets, the digest or the salt.
template <detail::bigint_limb Limb>
status sign_pss_with_salt(const detail::basic_rsa_private_key<Limb>& key, const pss_params& params,
                          bytes_view digest, bytes_view salt, mutable_bytes signature,
                          random_source& rng = default_random()) noexcept {
    assert(digest.size() == digest_size(params.hash) && salt.size() == params.salt_length);
    assert(signature.size() == key.size());
    const std::size_t k = key.size();
    const std::size_t em_bits = key.bits() - 1; // §8.1.1 step 1
    const std::size_t em_len = (em_bits + 7) / 8;
    std::array<std::uint8_t, rsa_max_bytes> em_buf{};
    const mutable_bytes em(em_buf.data(), k);
    // EM is emLen bytes; as the integer fed to RSASP1 it has k bytes, the first zero when
    // emLen = k - 1 (modBits = 1 mod 8)
    em[0] = 0;
    const status encoded = detail::emsa_pss_encode(digest, salt, em_bits, em.last(em_len),
                                                   detail::digest_function_for(params.hash),
                                                   detail::mgf1_function_for(params.mgf1_hash));
    return detail::rsa_signer::sign_encoded(key, encoded, em, signature, rng);
}

/// RSASSA-PSS signature generation with a fresh random salt of `params.salt_length` bytes from
/// `rng` (TLS 1.3 rsa_pss_rsae_*: `pss_params::for_hash(h)`, salt as long as the digest).
template <detail::bigint_limb Limb>
status sign_pss(const detail::basic_rsa_private_key<Limb>& key, const pss_params& params,
                bytes_view digest, mutable_bytes signature,
                random_source& rng = default_random()) noexcept {
    std::array<std::uint8_t, rsa_max_bytes> salt_buf;
    if (params.salt_length > salt_buf.size()) {
        std::fill(signature.begin(), signature.end(), std::uint8_t{0});
        return errc::message_too_long;
    }
    const mutable_bytes salt(salt_buf.data(), params.salt_length);
    if (!rng.fill(salt)) {
        std::fill(signature.begin(), signature.end(), std::uint8_t{0});
        return errc::random_failure;
    }
    const status st = sign_pss_with_salt(key, params, digest, salt, signature, rng);
    ct::wipe(salt.data(), salt.size());
    return st;
}

/// RSASSA-PKCS1-v1_5 signature of a whole message, hashed with `Hash` (sha1 .. sha512).
template <hash_function Hash, detail::bigint_limb Limb>
status sign_pkcs1v15(const detail::basic_rsa_private_key<Limb>& key, bytes_view message,
                     mutable_bytes signature, random_source& rng = default_random()) noexcept {
    const digest<Hash> d = hash<Hash>(message);
    return sign_pkcs1v15(key, hash_id_of_v<Hash>, d, signature, rng);
}

/// RSASSA-PSS signature of a whole message with `Hash` for the message and MGF1 and a random
/// salt of the digest length (the TLS 1.3 form).
template <hash_function Hash, detail::bigint_limb Limb>
status sign_pss(const detail::basic_rsa_private_key<Limb>& key, bytes_view message,
                mutable_bytes signature, random_source& rng = default_random()) noexcept {
    const digest<Hash> d = hash<Hash>(message);
    return sign_pss(key, pss_params::for_hash(hash_id_of_v<Hash>), d, signature, rng);
}

#if defined(HTTPS_TESTING)
/// TEST HOOK (HTTPS_TESTING builds only): signs with one CRT half corrupted, to show that the
/// check before release refuses the faulty signature (errc::signing_fault).
class rsa_test_hooks {
  public:
    enum class half : std::uint8_t { mod_p, mod_q };

    /// RSASSA-PKCS1-v1_5 as sign_pkcs1v15, with a bit of m1 (mod_p) or m2 (mod_q) flipped after
    /// the exponentiation.
    template <detail::bigint_limb Limb>
    static status sign_pkcs1v15_with_fault(const detail::basic_rsa_private_key<Limb>& key,
                                           hash_id h, bytes_view digest, mutable_bytes signature,
                                           half which, random_source& rng = default_random()) {
        std::array<std::uint8_t, rsa_max_bytes> em_buf;
        const mutable_bytes em(em_buf.data(), key.size());
        HTTPS_TRY(detail::emsa_pkcs1v15_encode(h, digest, em));
        return detail::rsa_signer::private_op(key, em, signature, rng,
                                              which == half::mod_p ? detail::rsa_crt_fault::mod_p
                                                                   : detail::rsa_crt_fault::mod_q);
    }
};
#endif

} // namespace https::crypto
