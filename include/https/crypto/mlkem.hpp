// ML-KEM-768 (FIPS 203): key generation from a 64-byte seed, encapsulation and decapsulation with
// implicit rejection, the input checks of FIPS 203 §7.2 and §7.3, over a constant-time NTT.
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../core/result.hpp"
#include "random.hpp"
#include "sha3.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace https::crypto {

namespace detail::mlkem {

// ---- Parameters (FIPS 203 §8, Table 2) ---------------------------------------------------------

inline constexpr std::size_t n = 256;     ///< coefficients per polynomial
inline constexpr std::uint32_t q = 3329;  ///< the prime modulus, 13 * 2^8 + 1
inline constexpr std::uint32_t zeta = 17; ///< a primitive 256th root of unity mod q
inline constexpr std::size_t k = 3;       ///< ML-KEM-768: module rank
inline constexpr unsigned eta1 = 2;       ///< CBD parameter of s, e (key generation), y
inline constexpr unsigned eta2 = 2;       ///< CBD parameter of e1, e2 (encryption)
inline constexpr unsigned du = 10;        ///< compression of u in the ciphertext
inline constexpr unsigned dv = 4;         ///< compression of v in the ciphertext

inline constexpr std::size_t poly_bytes = 32 * 12;              ///< ByteEncode_12 of one poly
inline constexpr std::size_t ek_size = poly_bytes * k + 32;     ///< 1184
inline constexpr std::size_t dk_pke_size = poly_bytes * k;      ///< 1152
inline constexpr std::size_t dk_size = 2 * poly_bytes * k + 96; ///< 2400
inline constexpr std::size_t c1_size = 32 * du * k;             ///< 960
inline constexpr std::size_t c2_size = 32 * dv;                 ///< 128
inline constexpr std::size_t ct_size = c1_size + c2_size;       ///< 1088
static_assert(ek_size == 1184 && dk_size == 2400 && ct_size == 1088);

// ---- Arithmetic mod q ---------------------------------------------------------------------------
// Coefficients are kept canonical, in [0, q), as uint16_t. The NTT multiplies by Montgomery
// reduction (R = 2^16, 32-bit operations only, so the compiler can vectorise the butterflies);
// sums of products are reduced by Barrett reduction. Every conditional correction is a mask made
// from a sign bit by arithmetic, never a branch.

/// a - q if a >= q, for a < 2q. The mask comes from the sign bit of a - q by a shift: data flow,
/// not control flow, with no single secret bit widened into a mask (the pattern compilers have
/// turned into branches; see message_to_poly). Kept free of a value barrier so that the NTT loops
/// vectorise (the barrier made the NTT ~2x slower); the valgrind check (tests/ct/ct_mlkem.cpp)
/// confirms the compiled code has no branch on it. CT: shift, AND, add.
inline std::uint32_t csubq(std::uint32_t a) noexcept {
    a -= q;
    return a + ((0U - (a >> 31)) & q);
}

/// x mod q for any x < 2^32: t = floor(x * floor(2^32 / q) / 2^32) is floor(x / q) or one less,
/// so x - t q is in [0, 2q), and one csubq finishes. CT: multiply, shift, mask.
inline std::uint32_t reduce(std::uint32_t x) noexcept {
    constexpr std::uint64_t m = (std::uint64_t{1} << 32) / q;
    const auto t = static_cast<std::uint32_t>((x * m) >> 32);
    return csubq(x - t * q);
}

/// -q^-1 mod 2^16, by Newton's iteration x <- x (2 - q x), which doubles the correct low bits.
inline constexpr std::uint32_t q_neg_inv = [] {
    std::uint32_t x = q; // correct mod 2^3 (q is odd)
    for (int i = 0; i < 4; ++i) {
        x = x * (2 - q * x);
    }
    return (0U - x) & 0xFFFF;
}();
static_assert((q * q_neg_inv + 1) % 65536 == 0);

/// Montgomery product a b 2^-16 mod q for a, b < q, canonical: t = a b < 2^24; adding u q with
/// u = t (-q^-1) mod 2^16 makes the sum divisible by 2^16 (sum < 2^28), and the quotient is below
/// q + 2^8 < 2q. CT: multiplications, masks and shifts.
inline std::uint32_t mont_mul(std::uint32_t a, std::uint32_t b) noexcept {
    const std::uint32_t t = a * b;
    const std::uint32_t u = (t * q_neg_inv) & 0xFFFF;
    return csubq((t + u * q) >> 16);
}

/// x 2^16 mod q: a constant in Montgomery form, so that mont_mul by it multiplies by x.
constexpr std::uint16_t to_mont(std::uint32_t x) {
    return static_cast<std::uint16_t>((x << 16) % q);
}

inline std::uint32_t fq_mul(std::uint32_t a, std::uint32_t b) noexcept {
    return reduce(a * b);
}
inline std::uint32_t fq_add(std::uint32_t a, std::uint32_t b) noexcept {
    return csubq(a + b);
}
inline std::uint32_t fq_sub(std::uint32_t a, std::uint32_t b) noexcept {
    return csubq(a + q - b);
}

constexpr std::uint32_t pow_mod_q(std::uint32_t b, unsigned e) {
    std::uint32_t r = 1;
    for (unsigned i = 0; i < e; ++i) {
        r = r * b % q;
    }
    return r;
}

constexpr unsigned bitrev7(unsigned i) {
    unsigned r = 0;
    for (unsigned b = 0; b < 7; ++b) {
        r |= ((i >> b) & 1) << (6 - b);
    }
    return r;
}

/// FIPS 203 §4.3: zeta^BitRev7(i) mod q, i = 0..127 (the NTT's twiddle factors).
inline constexpr auto zetas = [] {
    std::array<std::uint16_t, 128> z{};
    for (unsigned i = 0; i < 128; ++i) {
        z[i] = static_cast<std::uint16_t>(pow_mod_q(zeta, bitrev7(i)));
    }
    return z;
}();

/// FIPS 203 §4.3.1 (Algorithm 11): gamma_i = zeta^(2 BitRev7(i) + 1) mod q, i = 0..127, the
/// moduli X^2 - gamma_i of the base-case products.
inline constexpr auto gammas = [] {
    std::array<std::uint16_t, 128> g{};
    for (unsigned i = 0; i < 128; ++i) {
        g[i] = static_cast<std::uint16_t>(pow_mod_q(zeta, 2 * bitrev7(i) + 1));
    }
    return g;
}();
static_assert(zetas[1] == 1729 && gammas[0] == 17 && gammas[1] == q - 17);

/// The zetas in Montgomery form, for the butterflies.
inline constexpr auto zetas_mont = [] {
    std::array<std::uint16_t, 128> z{};
    for (unsigned i = 0; i < 128; ++i) {
        z[i] = to_mont(zetas[i]);
    }
    return z;
}();

// ---- Polynomials --------------------------------------------------------------------------------

struct poly {
    std::array<std::uint16_t, n> c;
};
using polyvec = std::array<poly, k>;

/// FIPS 203 Algorithm 9, NTT: in place, f in R_q to its NTT representation.
/// CT: fixed loop structure; arithmetic by csubq/reduce only.
inline void ntt(poly& f) noexcept {
    std::size_t i = 1;
    for (std::size_t len = 128; len >= 2; len /= 2) {
        for (std::size_t start = 0; start < n; start += 2 * len) {
            const std::uint32_t z = zetas_mont[i++];
            for (std::size_t j = start; j < start + len; ++j) {
                const std::uint32_t t = mont_mul(z, f.c[j + len]);
                f.c[j + len] = static_cast<std::uint16_t>(fq_sub(f.c[j], t));
                f.c[j] = static_cast<std::uint16_t>(fq_add(f.c[j], t));
            }
        }
    }
}

/// FIPS 203 Algorithm 10, NTT^-1, including the final scaling by 128^-1 = 3303 mod q.
/// CT: as ntt.
inline void inverse_ntt(poly& f) noexcept {
    std::size_t i = 127;
    for (std::size_t len = 2; len <= 128; len *= 2) {
        for (std::size_t start = 0; start < n; start += 2 * len) {
            const std::uint32_t z = zetas_mont[i--];
            for (std::size_t j = start; j < start + len; ++j) {
                const std::uint32_t t = f.c[j];
                f.c[j] = static_cast<std::uint16_t>(fq_add(t, f.c[j + len]));
                f.c[j + len] = static_cast<std::uint16_t>(mont_mul(z, fq_sub(f.c[j + len], t)));
            }
        }
    }
    static_assert(128 * 3303 % q == 1);
    for (auto& x : f.c) {
        x = static_cast<std::uint16_t>(mont_mul(x, to_mont(3303)));
    }
}

/// sum_j a[j] x b[j] in the NTT domain (FIPS 203 Algorithms 11 and 12: per pair of coefficients
/// the product mod X^2 - gamma_i), plus `add` when given. The sums are accumulated unreduced in
/// 32 bits (each term < 2 q^2, k terms < 2^27) and reduced once.
/// CT: fixed sequence of multiplications and reductions.
inline poly multiply_accumulate(const poly* a, std::size_t a_stride, const polyvec& b,
                                const poly* add) noexcept {
    poly r;
    for (std::size_t i = 0; i < n / 2; ++i) {
        std::uint32_t c0 = 0;
        std::uint32_t c1 = 0;
        for (std::size_t j = 0; j < k; ++j) {
            const poly& x = a[j * a_stride];
            const std::uint32_t a0 = x.c[2 * i];
            const std::uint32_t a1 = x.c[2 * i + 1];
            const std::uint32_t b0 = b[j].c[2 * i];
            const std::uint32_t b1 = b[j].c[2 * i + 1];
            c0 += a0 * b0 + fq_mul(a1, b1) * gammas[i];
            c1 += a0 * b1 + a1 * b0;
        }
        if (add != nullptr) {
            c0 += add->c[2 * i];
            c1 += add->c[2 * i + 1];
        }
        r.c[2 * i] = static_cast<std::uint16_t>(reduce(c0));
        r.c[2 * i + 1] = static_cast<std::uint16_t>(reduce(c1));
    }
    return r;
}

inline void poly_add(poly& a, const poly& b) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
        a.c[i] = static_cast<std::uint16_t>(fq_add(a.c[i], b.c[i]));
    }
}

inline void poly_sub(poly& a, const poly& b) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
        a.c[i] = static_cast<std::uint16_t>(fq_sub(a.c[i], b.c[i]));
    }
}

// ---- Sampling (FIPS 203 §4.2.2) -----------------------------------------------------------------

/// Algorithm 7, SampleNTT(rho || j || i): rejection sampling of 12-bit values below q from the
/// SHAKE128 stream, read a block (168 bytes, a multiple of 3) at a time.
/// CT: NOT constant time in rho, which is public (it is part of the encapsulation key); callers
/// that derive rho from a secret declassify it first.
inline poly sample_ntt(std::span<const std::uint8_t, 32> rho, std::uint8_t j, std::uint8_t i) {
    shake128 xof;
    xof.update(rho);
    const std::uint8_t ji[2] = {j, i};
    xof.update(ji);
    poly a;
    std::size_t count = 0;
    std::array<std::uint8_t, shake128::rate> buf;
    while (count < n) {
        xof.squeeze(buf);
        for (std::size_t p = 0; p + 3 <= buf.size() && count < n; p += 3) {
            const std::uint32_t b0 = buf[p];
            const std::uint32_t b1 = buf[p + 1];
            const std::uint32_t b2 = buf[p + 2];
            const std::uint32_t d1 = b0 | ((b1 & 0x0F) << 8);
            const std::uint32_t d2 = (b1 >> 4) | (b2 << 4);
            if (d1 < q) {
                a.c[count++] = static_cast<std::uint16_t>(d1);
            }
            if (d2 < q && count < n) {
                a.c[count++] = static_cast<std::uint16_t>(d2);
            }
        }
    }
    return a;
}

/// The matrix A-hat of K-PKE (Algorithm 13 step 3-7, Algorithm 14 steps 4-8):
/// A[i][j] = SampleNTT(rho || j || i), stored row-major. CT: public rho only (see sample_ntt).
inline void expand_matrix(std::span<const std::uint8_t, 32> rho, std::array<poly, k * k>& a) {
    for (std::size_t i = 0; i < k; ++i) {
        for (std::size_t j = 0; j < k; ++j) {
            a[i * k + j] =
                sample_ntt(rho, static_cast<std::uint8_t>(j), static_cast<std::uint8_t>(i));
        }
    }
}

/// Algorithm 8, SamplePolyCBD_eta(PRF_eta(s, b)) with PRF_eta(s, b) = SHAKE256(s || b, 64 eta)
/// (§4.1): each coefficient is (sum of eta bits) - (sum of the next eta bits) mod q.
/// CT: bit extraction and additions at public positions; no branch or index on the bits.
/// (The general loop serves eta = 3, which ML-KEM-512 would need; ML-KEM-768 uses eta = 2.)
template <unsigned Eta>
inline poly sample_cbd(std::span<const std::uint8_t, 32> s, std::uint8_t b) {
    std::array<std::uint8_t, 64 * Eta> buf;
    shake256 prf;
    prf.update(s);
    prf.update(std::span<const std::uint8_t, 1>(&b, 1));
    prf.squeeze(buf);
    poly f;
    if constexpr (Eta == 2) {
        // Four bits per coefficient, two coefficients per byte: adding the even bits to the odd
        // ones gives the four 2-bit sums x0, y0, x1, y1 of a byte at once.
        for (std::size_t i = 0; i < n / 2; ++i) {
            const std::uint32_t byte = buf[i];
            const std::uint32_t sums = (byte & 0x55U) + ((byte >> 1) & 0x55U);
            f.c[2 * i] = static_cast<std::uint16_t>(csubq((sums & 3U) + q - ((sums >> 2) & 3U)));
            f.c[2 * i + 1] =
                static_cast<std::uint16_t>(csubq(((sums >> 4) & 3U) + q - ((sums >> 6) & 3U)));
        }
        ct::wipe(buf);
        return f;
    }
    for (std::size_t i = 0; i < n; ++i) {
        std::uint32_t x = 0;
        std::uint32_t y = 0;
        for (std::size_t j = 0; j < Eta; ++j) {
            const std::size_t bx = 2 * i * Eta + j;
            const std::size_t by = bx + Eta;
            x += (buf[bx / 8] >> (bx % 8)) & 1U;
            y += (buf[by / 8] >> (by % 8)) & 1U;
        }
        f.c[i] = static_cast<std::uint16_t>(csubq(x + q - y));
    }
    ct::wipe(buf);
    return f;
}

// ---- Encoding and compression (FIPS 203 §4.2.1) -------------------------------------------------

/// Algorithm 5, ByteEncode_d of one polynomial whose coefficients are below 2^d (or q for d = 12):
/// 32 d bytes, little-endian bit order. CT: shifts and masks at public positions.
template <unsigned D>
inline void byte_encode(const poly& f, std::span<std::uint8_t, 32 * D> out) noexcept {
    std::uint32_t acc = 0;
    unsigned bits = 0;
    std::size_t o = 0;
    for (std::size_t i = 0; i < n; ++i) {
        acc |= std::uint32_t{f.c[i]} << bits;
        bits += D;
        while (bits >= 8) {
            out[o++] = static_cast<std::uint8_t>(acc);
            acc >>= 8;
            bits -= 8;
        }
    }
}

/// Algorithm 6, ByteDecode_d: 32 d bytes to 256 d-bit values. For d = 12 the values are NOT
/// reduced here (see decode12_reduced and the modulus check). CT: as byte_encode.
template <unsigned D> inline poly byte_decode(std::span<const std::uint8_t, 32 * D> in) noexcept {
    poly f;
    std::uint32_t acc = 0;
    unsigned bits = 0;
    std::size_t p = 0;
    for (std::size_t i = 0; i < n; ++i) {
        while (bits < D) {
            acc |= std::uint32_t{in[p++]} << bits;
            bits += 8;
        }
        f.c[i] = static_cast<std::uint16_t>(acc & ((1U << D) - 1));
        acc >>= D;
        bits -= D;
    }
    return f;
}

/// ByteDecode_12 as FIPS 203 defines it for d = 12: each 12-bit value taken mod q (one csubq, as
/// values are below 4096 < 2q). CT: used on the secret s-hat of the decapsulation key.
inline poly decode12_reduced(std::span<const std::uint8_t, poly_bytes> in) noexcept {
    poly f = byte_decode<12>(in);
    for (auto& x : f.c) {
        x = static_cast<std::uint16_t>(csubq(x));
    }
    return f;
}

/// Compress_d(x) = round(2^d x / q) mod 2^d (§4.2.1 eq. 4.7) = floor((2^(d+1) x + q) / 2q) mod 2^d.
/// The division by the constant 2q is a multiply-shift: t = floor(N floor(2^32 / 2q) / 2^32) is
/// the quotient or one less (N < 2^24), corrected by a mask. No division instruction, whose
/// timing may depend on its operands. CT: multiply, shift, masks.
template <unsigned D> inline std::uint32_t compress(std::uint32_t x) noexcept {
    constexpr std::uint32_t d2q = 2 * q;
    constexpr std::uint64_t m = (std::uint64_t{1} << 32) / d2q;
    const std::uint32_t num = (x << (D + 1)) + q;
    auto t = static_cast<std::uint32_t>((num * m) >> 32);
    const std::uint32_t r = num - t * d2q; // in [0, 2 * 2q)
    t += ((d2q - 1) - r) >> 31;            // +1 when r >= 2q
    return t & ((1U << D) - 1);
}

/// Decompress_d(y) = round(q y / 2^d) (eq. 4.8) = floor((q y + 2^(d-1)) / 2^d): a shift.
template <unsigned D> inline std::uint32_t decompress(std::uint32_t y) noexcept {
    return (q * y + (1U << (D - 1))) >> D;
}

template <unsigned D>
inline void compress_encode(const poly& f, std::span<std::uint8_t, 32 * D> out) noexcept {
    poly c;
    for (std::size_t i = 0; i < n; ++i) {
        c.c[i] = static_cast<std::uint16_t>(compress<D>(f.c[i]));
    }
    byte_encode<D>(c, out);
    ct::wipe(c.c);
}

template <unsigned D>
inline poly decode_decompress(std::span<const std::uint8_t, 32 * D> in) noexcept {
    poly f = byte_decode<D>(in);
    for (auto& x : f.c) {
        x = static_cast<std::uint16_t>(decompress<D>(x));
    }
    return f;
}

/// Decompress_1(ByteDecode_1(m)): bit i of m becomes 0 or round(q/2) = 1665.
/// CT: the bit becomes an all-ones/all-zero mask behind a value barrier (compilers have turned
/// the plain form of this into a branch on the message bit).
inline poly message_to_poly(std::span<const std::uint8_t, 32> m) noexcept {
    poly f;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t bit = (m[i / 8] >> (i % 8)) & 1U;
        f.c[i] = static_cast<std::uint16_t>(ct::value_barrier(0U - bit) & ((q + 1) / 2));
    }
    return f;
}

/// ByteEncode_1(Compress_1(w)). CT: compress<1> is branch-free.
inline void poly_to_message(const poly& w, std::span<std::uint8_t, 32> m) noexcept {
    for (std::size_t i = 0; i < 32; ++i) {
        std::uint32_t byte = 0;
        for (std::size_t b = 0; b < 8; ++b) {
            byte |= compress<1>(w.c[8 * i + b]) << b;
        }
        m[i] = static_cast<std::uint8_t>(byte);
    }
}

// ---- The hash functions of §4.1 -----------------------------------------------------------------

/// G(a || b) = SHA3-512, split into two 32-byte halves. CT: lengths only.
inline void hash_g(bytes_view a, bytes_view b, std::span<std::uint8_t, 32> first,
                   std::span<std::uint8_t, 32> second) noexcept {
    sha3_512 g;
    g.update(a);
    g.update(b);
    std::array<std::uint8_t, 64> out;
    g.finish(out);
    std::copy(out.begin(), out.begin() + 32, first.begin());
    std::copy(out.begin() + 32, out.end(), second.begin());
    ct::wipe(out);
}

/// H(s) = SHA3-256(s).
inline void hash_h(bytes_view s, std::span<std::uint8_t, 32> out) noexcept {
    sha3_256 h;
    h.update(s);
    h.finish(out);
}

// ---- K-PKE (FIPS 203 §5) ------------------------------------------------------------------------

/// Algorithm 13, K-PKE.KeyGen(d): writes ek_PKE (1184 bytes) and dk_PKE (1152 bytes).
/// CT: no branch or index on d; rho (published in ek) is declassified before sampling A.
inline void pke_keygen(std::span<const std::uint8_t, 32> d, std::span<std::uint8_t, ek_size> ek,
                       std::span<std::uint8_t, dk_pke_size> dk) {
    std::array<std::uint8_t, 32> rho;
    std::array<std::uint8_t, 32> sigma;
    const std::uint8_t kbyte = k; // FIPS 203: G(d || k), domain separation by the rank
    hash_g(d, std::span<const std::uint8_t, 1>(&kbyte, 1), rho, sigma);
    ct::unpoison(rho.data(), rho.size()); // public: the last 32 bytes of ek

    std::array<poly, k * k> a;
    expand_matrix(rho, a);
    polyvec s;
    polyvec e;
    std::uint8_t nonce = 0;
    for (auto& p : s) {
        p = sample_cbd<eta1>(sigma, nonce++);
    }
    for (auto& p : e) {
        p = sample_cbd<eta1>(sigma, nonce++);
    }
    for (auto& p : s) {
        ntt(p);
    }
    for (auto& p : e) {
        ntt(p);
    }
    for (std::size_t i = 0; i < k; ++i) {
        // t-hat[i] = sum_j A[i][j] x s-hat[j] + e-hat[i]
        const poly t = multiply_accumulate(&a[i * k], 1, s, &e[i]);
        byte_encode<12>(t, ek.subspan(i * poly_bytes).first<poly_bytes>());
        byte_encode<12>(s[i], dk.subspan(i * poly_bytes).first<poly_bytes>());
    }
    std::copy(rho.begin(), rho.end(), ek.subspan<k * poly_bytes, 32>().begin());
    ct::wipe(sigma);
    ct::wipe(s);
    ct::wipe(e);
}

/// Algorithm 14, K-PKE.Encrypt(ek_PKE, m, r). `ek` must have passed the modulus check or come
/// from a decapsulation key (ByteDecode_12 reduces either way).
/// CT: no branch or index on m or r (nor on t-hat); rho is public.
inline void pke_encrypt(std::span<const std::uint8_t, ek_size> ek,
                        std::span<const std::uint8_t, 32> m, std::span<const std::uint8_t, 32> r,
                        std::span<std::uint8_t, ct_size> c) {
    polyvec t;
    for (std::size_t i = 0; i < k; ++i) {
        t[i] = decode12_reduced(ek.subspan(i * poly_bytes).first<poly_bytes>());
    }
    const auto rho = ek.subspan<k * poly_bytes, 32>();
    std::array<poly, k * k> a;
    expand_matrix(rho, a);

    std::uint8_t nonce = 0;
    polyvec y;
    polyvec e1;
    for (auto& p : y) {
        p = sample_cbd<eta1>(r, nonce++);
    }
    for (auto& p : e1) {
        p = sample_cbd<eta2>(r, nonce++);
    }
    poly e2 = sample_cbd<eta2>(r, nonce);
    for (auto& p : y) {
        ntt(p);
    }
    for (std::size_t i = 0; i < k; ++i) {
        // u[i] = NTT^-1(sum_j A[j][i] x y-hat[j]) + e1[i]: column i of A, stride k
        poly u = multiply_accumulate(&a[i], k, y, nullptr);
        inverse_ntt(u);
        poly_add(u, e1[i]);
        compress_encode<du>(u, c.subspan(i * 32 * du).first<32 * du>());
        ct::wipe(u.c);
    }
    // v = NTT^-1(t-hat^T x y-hat) + e2 + mu
    poly v = multiply_accumulate(t.data(), 1, y, nullptr);
    inverse_ntt(v);
    poly_add(v, e2);
    poly mu = message_to_poly(m);
    poly_add(v, mu);
    compress_encode<dv>(v, c.subspan<c1_size, c2_size>());
    ct::wipe(y);
    ct::wipe(e1);
    ct::wipe(e2.c);
    ct::wipe(v.c);
    ct::wipe(mu.c);
}

/// Algorithm 15, K-PKE.Decrypt(dk_PKE, c): the 32-byte message.
/// CT: no branch or index on dk_PKE (s-hat) or the result; c is public.
inline void pke_decrypt(std::span<const std::uint8_t, dk_pke_size> dk,
                        std::span<const std::uint8_t, ct_size> c,
                        std::span<std::uint8_t, 32> m) noexcept {
    polyvec u;
    for (std::size_t i = 0; i < k; ++i) {
        u[i] = decode_decompress<du>(c.subspan(i * 32 * du).first<32 * du>());
        ntt(u[i]);
    }
    poly v = decode_decompress<dv>(c.subspan<c1_size, c2_size>());
    polyvec s;
    for (std::size_t i = 0; i < k; ++i) {
        s[i] = decode12_reduced(dk.subspan(i * poly_bytes).first<poly_bytes>());
    }
    // w = v' - NTT^-1(s-hat^T x NTT(u'))
    poly w = multiply_accumulate(s.data(), 1, u, nullptr);
    inverse_ntt(w);
    poly_sub(v, w);
    poly_to_message(v, m);
    ct::wipe(s);
    ct::wipe(v.c);
    ct::wipe(w.c);
}

// ---- ML-KEM internal algorithms (FIPS 203 §6) --------------------------------------------------

/// Algorithm 16, ML-KEM.KeyGen_internal(d, z). CT: no branch or index on d or z.
inline void keygen_internal(std::span<const std::uint8_t, 32> d,
                            std::span<const std::uint8_t, 32> z,
                            std::span<std::uint8_t, ek_size> ek,
                            std::span<std::uint8_t, dk_size> dk) {
    pke_keygen(d, ek, dk.first<dk_pke_size>());
    // dk = dk_PKE || ek || H(ek) || z
    std::copy(ek.begin(), ek.end(), dk.subspan<dk_pke_size, ek_size>().begin());
    hash_h(ek, dk.subspan<dk_pke_size + ek_size, 32>());
    std::copy(z.begin(), z.end(), dk.subspan<dk_pke_size + ek_size + 32, 32>().begin());
}

/// FIPS 203 §7.2 modulus check: every 12-bit value of the encoded t-hat is below q, i.e.
/// ByteEncode_12(ByteDecode_12(ek)) = ek. ek is public: no constant-time requirement.
inline bool ek_modulus_ok(std::span<const std::uint8_t, ek_size> ek) noexcept {
    for (std::size_t i = 0; i < k; ++i) {
        const poly t = byte_decode<12>(ek.subspan(i * poly_bytes).first<poly_bytes>());
        for (const auto x : t.c) {
            if (x >= q) {
                return false;
            }
        }
    }
    return true;
}

/// Algorithm 17, ML-KEM.Encaps_internal(ek, m) for an ek that passed the §7.2 checks.
/// CT: no branch or index on m.
inline void encaps_internal(std::span<const std::uint8_t, ek_size> ek,
                            std::span<const std::uint8_t, 32> m, std::span<std::uint8_t, ct_size> c,
                            std::span<std::uint8_t, 32> key) {
    std::array<std::uint8_t, 32> h;
    hash_h(ek, h);
    std::array<std::uint8_t, 32> r;
    hash_g(m, h, key, r); // (K, r) = G(m || H(ek))
    pke_encrypt(ek, m, r, c);
    ct::wipe(r);
}

/// Algorithm 18, ML-KEM.Decaps_internal(dk, c) for a dk that passed the §7.3 hash check: the
/// shared key, or the implicit-rejection key J(z || c) when re-encryption does not give c back.
/// CT: no branch or index on dk or on the rejection verdict: the re-encrypted ciphertext is
/// compared with an OR of differences and the key chosen by a masked select. The ek part of dk
/// is public; only its rho is declassified, for the rejection sampling of A.
inline void decaps_internal(std::span<const std::uint8_t, dk_size> dk,
                            std::span<const std::uint8_t, ct_size> c,
                            std::span<std::uint8_t, 32> key) {
    const auto dk_pke = dk.first<dk_pke_size>();
    std::array<std::uint8_t, ek_size> ek;
    const auto ek_in_dk = dk.subspan<dk_pke_size, ek_size>();
    std::copy(ek_in_dk.begin(), ek_in_dk.end(), ek.begin());
    ct::unpoison(ek.data() + k * poly_bytes, 32); // rho: public, part of the encapsulation key
    const auto h = dk.subspan<dk_pke_size + ek_size, 32>();
    const auto z = dk.subspan<dk_pke_size + ek_size + 32, 32>();

    std::array<std::uint8_t, 32> m;
    pke_decrypt(dk_pke, c, m);
    std::array<std::uint8_t, 32> k_prime;
    std::array<std::uint8_t, 32> r_prime;
    hash_g(m, h, k_prime, r_prime);
    std::array<std::uint8_t, 32> k_bar;
    shake256 j; // J(z || c) = SHAKE256(z || c, 32)
    j.update(z);
    j.update(c);
    j.squeeze(k_bar);
    std::array<std::uint8_t, ct_size> c_prime;
    pke_encrypt(ek, m, r_prime, c_prime);

    std::uint32_t diff = 0;
    for (std::size_t i = 0; i < ct_size; ++i) {
        diff |= static_cast<std::uint32_t>(c[i] ^ c_prime[i]);
    }
    // equal: all ones when c = c'; then K', else K-bar
    const auto equal = ct::mask<std::uint8_t>::from_bit(
        static_cast<std::uint8_t>(ct::mask<std::uint32_t>::is_zero(diff).value() & 1U));
    ct::select(equal, k_prime, k_bar, key);
    ct::wipe(m);
    ct::wipe(k_prime);
    ct::wipe(r_prime);
    ct::wipe(k_bar);
    ct::wipe(c_prime);
}

} // namespace detail::mlkem

/// ML-KEM-768 (FIPS 203), the module-lattice KEM at security category 3.
/// Sizes are the spec's; keys and ciphertexts are the FIPS 203 byte encodings.
namespace mlkem768 {

inline constexpr std::size_t seed_size = 64;                                          ///< d || z
inline constexpr std::size_t encapsulation_key_size = crypto::detail::mlkem::ek_size; ///< 1184
inline constexpr std::size_t decapsulation_key_size = crypto::detail::mlkem::dk_size; ///< 2400
inline constexpr std::size_t ciphertext_size = crypto::detail::mlkem::ct_size;        ///< 1088
inline constexpr std::size_t shared_secret_size = 32;

/// A key pair: the expanded decapsulation key (wiped on destruction) and the encapsulation key.
struct key_pair {
    ct::secret_array<decapsulation_key_size> decapsulation_key;
    std::array<std::uint8_t, encapsulation_key_size> encapsulation_key{};
};

/// A ciphertext to send and the shared secret it carries (wiped on destruction).
struct encapsulation {
    std::array<std::uint8_t, ciphertext_size> ciphertext{};
    ct::secret_array<shared_secret_size> shared_secret;
};

/// The key pair of a 64-byte seed d || z (FIPS 203 ML-KEM.KeyGen_internal, the §7.1 seed
/// format); any other length is `errc::bad_key_size`.
/// CT: time does not depend on the seed.
[[nodiscard]] inline result<key_pair> from_seed(bytes_view seed) {
    if (seed.size() != seed_size) {
        return errc::bad_key_size;
    }
    key_pair kp;
    crypto::detail::mlkem::keygen_internal(seed.first<32>(), seed.subspan<32, 32>(),
                                           kp.encapsulation_key, kp.decapsulation_key.span());
    return kp;
}

/// A fresh key pair (FIPS 203 ML-KEM.KeyGen): 64 bytes from `rng` as d || z; fails only with
/// `errc::random_failure`. CT: time does not depend on the random bytes.
[[nodiscard]] inline result<key_pair> generate(random_source& rng = default_random()) {
    ct::secret_array<seed_size> seed;
    HTTPS_TRY(rng.fill(seed.span()));
    return from_seed(seed.span());
}

namespace detail {
/// The FIPS 203 §7.2 input checks: `ek` must be 1184 bytes (`errc::bad_key_size`) and pass the
/// modulus check (`errc::bad_public_key`). ek is public: no constant-time requirement.
[[nodiscard]] inline status check_encapsulation_key(bytes_view ek) noexcept {
    if (ek.size() != encapsulation_key_size) {
        return errc::bad_key_size;
    }
    if (!crypto::detail::mlkem::ek_modulus_ok(ek.first<encapsulation_key_size>())) {
        return errc::bad_public_key;
    }
    return {};
}

} // namespace detail

/// ML-KEM.Encaps (FIPS 203 Algorithm 20) on a peer's encapsulation key: a ciphertext and the
/// shared secret. Fails with `errc::bad_key_size` or `errc::bad_public_key` (the §7.2 type and
/// modulus checks, made before any randomness is drawn), or `errc::random_failure`.
/// CT: time does not depend on the random message or the shared secret.
[[nodiscard]] inline result<encapsulation> encapsulate(bytes_view ek,
                                                       random_source& rng = default_random()) {
    HTTPS_TRY(detail::check_encapsulation_key(ek));
    ct::secret_array<32> m;
    HTTPS_TRY(rng.fill(m.span()));
    encapsulation e;
    crypto::detail::mlkem::encaps_internal(ek.first<encapsulation_key_size>(), m.span(),
                                           e.ciphertext, e.shared_secret.span());
    return e;
}

#if defined(HTTPS_TESTING)
/// TEST HOOK (HTTPS_TESTING builds only): ML-KEM.Encaps_internal with a given m, after the same
/// §7.2 input checks as `encapsulate`. FIPS 203 §6 keeps the deterministic form away from
/// applications (m must be fresh randomness); tests need it for known-answer vectors.
class test_hooks {
  public:
    /// CT: time does not depend on m.
    [[nodiscard]] static result<encapsulation> encapsulate(bytes_view ek,
                                                           std::span<const std::uint8_t, 32> m) {
        HTTPS_TRY(detail::check_encapsulation_key(ek));
        encapsulation e;
        crypto::detail::mlkem::encaps_internal(ek.first<encapsulation_key_size>(), m, e.ciphertext,
                                               e.shared_secret.span());
        return e;
    }
};
#endif

/// ML-KEM.Decaps (FIPS 203 Algorithm 21): the shared secret of ciphertext `c` under the
/// decapsulation key `dk`. With implicit rejection, a ciphertext that does not re-encrypt to
/// itself yields the pseudo-random J(z || c) instead of an error. The §7.3 checks fail with
/// `errc::bad_ciphertext_size` (c not 1088 bytes), `errc::bad_key_size` (dk not 2400 bytes) and
/// `errc::bad_private_key` (the hash check: H(ek) stored in dk does not match its ek).
/// CT: time does not depend on dk's secret parts or on whether the ciphertext was rejected;
/// only the §7.3 verdicts are public.
[[nodiscard]] inline result<ct::secret_array<shared_secret_size>> decapsulate(bytes_view dk,
                                                                              bytes_view c) {
    namespace m = crypto::detail::mlkem;
    if (c.size() != ciphertext_size) {
        return errc::bad_ciphertext_size;
    }
    if (dk.size() != decapsulation_key_size) {
        return errc::bad_key_size;
    }
    const auto dk_fixed = dk.first<decapsulation_key_size>();
    std::array<std::uint8_t, 32> h;
    m::hash_h(dk_fixed.subspan<m::dk_pke_size, m::ek_size>(), h);
    // H(ek) and the stored hash are public (ek is): the verdict may be declassified.
    if (!ct::equal(h, dk_fixed.subspan<m::dk_pke_size + m::ek_size, 32>())) {
        return errc::bad_private_key;
    }
    ct::secret_array<shared_secret_size> key;
    m::decaps_internal(dk_fixed, c.first<ciphertext_size>(), key.span());
    return key;
}

} // namespace mlkem768

} // namespace https::crypto
