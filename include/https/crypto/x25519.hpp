// X25519 Diffie-Hellman (RFC 7748): the constant-time Montgomery ladder over the field of
// detail/field25519.hpp, and key pairs.
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../core/result.hpp"
#include "detail/field25519.hpp"
#include "random.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace https::crypto {

namespace detail {

/// RFC 7748 §5 decodeScalar25519: clear bits 0-2 (a multiple of the cofactor 8), clear bit 255
/// and set bit 254 (a fixed ladder length). CT: branch-free.
inline void x25519_clamp(std::array<std::uint8_t, 32>& k) noexcept {
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
}

/// The x-coordinate (u) of [k]P for the clamped scalar k and P with u-coordinate x1, by the
/// Montgomery ladder of RFC 7748 §5, written to `out` in canonical form. `base_nine` says x1 is
/// the base point u = 9, so multiplying by it is a small-constant multiplication (a public run-time
/// flag rather than a template parameter: one compiled ladder serves both uses).
/// The ladder runs 255 identical steps (bits 254..0); which register pair is "current" is chosen
/// by masked swaps driven by the scalar bits, never by branches or indices.
/// CT: no branch or memory index depends on k or x1.
inline void x25519_ladder(const std::array<std::uint8_t, 32>& k, const fe25519& x1, bool base_nine,
                          std::span<std::uint8_t, 32> out) noexcept {
    fe25519 x2{{1, 0, 0, 0, 0}};
    fe25519 z2{{0, 0, 0, 0, 0}};
    fe25519 x3 = x1;
    fe25519 z3{{1, 0, 0, 0, 0}};
    std::uint64_t swap = 0;
    for (int t = 254; t >= 0; --t) {
        // t is public: the byte index depends on the loop counter only.
        const std::uint64_t bit = (k[static_cast<std::size_t>(t >> 3)] >> (t & 7)) & 1;
        swap ^= bit;
        const auto m = ct::mask<std::uint64_t>::from_bit(swap);
        fe25519_cswap(m, x2, x3);
        fe25519_cswap(m, z2, z3);
        swap = bit;

        // RFC 7748 §5 ladder step (a24 = 121665, so AA + a24*E = AA + 121665 * (AA - BB)).
        const fe25519 a = fe25519_add(x2, z2);
        const fe25519 aa = fe25519_sq(a);
        const fe25519 b = fe25519_sub(x2, z2);
        const fe25519 bb = fe25519_sq(b);
        const fe25519 e = fe25519_sub(aa, bb);
        const fe25519 c = fe25519_add(x3, z3);
        const fe25519 d = fe25519_sub(x3, z3);
        const fe25519 da = fe25519_mul(d, a);
        const fe25519 cb = fe25519_mul(c, b);
        x3 = fe25519_sq(fe25519_add(da, cb));
        const fe25519 dmc2 = fe25519_sq(fe25519_sub(da, cb));
        if (base_nine) {
            z3 = fe25519_mul_small(dmc2, 9);
        } else {
            z3 = fe25519_mul(x1, dmc2);
        }
        x2 = fe25519_mul(aa, bb);
        z2 = fe25519_mul(e, fe25519_add(aa, fe25519_mul_small(e, 121665)));
    }
    const auto m = ct::mask<std::uint64_t>::from_bit(swap);
    fe25519_cswap(m, x2, x3);
    fe25519_cswap(m, z2, z3);

    fe25519 r = fe25519_mul(x2, fe25519_invert(z2));
    fe25519_encode(r, out);
    ct::wipe(x2.v);
    ct::wipe(z2.v);
    ct::wipe(x3.v);
    ct::wipe(z3.v);
    ct::wipe(r.v);
}

} // namespace detail

/// X25519(scalar, u) of RFC 7748 §5: the scalar is clamped, the top bit of u is ignored and
/// non-canonical u (>= p) is reduced, as §5 requires. The result is always written to `out`;
/// when it is all zero (u of small order, or u = 0) the call fails with
/// `errc::zero_shared_secret`, the check RFC 7748 §6.1 and RFC 8446 §7.4.2 ask for, and `out`
/// (zero) must not be used. `out` may overlap `scalar` or `u`: both are read before it is written.
/// CT: time does not depend on scalar or u; only the verdict "output is all zero" is public.
[[nodiscard]] inline status x25519(std::span<const std::uint8_t, 32> scalar,
                                   std::span<const std::uint8_t, 32> u,
                                   std::span<std::uint8_t, 32> out) noexcept {
    std::array<std::uint8_t, 32> k;
    std::copy(scalar.begin(), scalar.end(), k.begin());
    detail::x25519_clamp(k);
    detail::x25519_ladder(k, detail::fe25519_decode(u), false, out);
    ct::wipe(k);
    std::uint32_t acc = 0;
    for (std::uint8_t byte : out) {
        acc |= byte;
    }
    if (ct::mask<std::uint32_t>::is_zero(acc).declassify()) {
        return errc::zero_shared_secret;
    }
    return {};
}

/// The public key X25519(scalar, 9) of a private key (RFC 7748 §6.1). Never zero: 9 generates
/// the subgroup of prime order, and a clamped scalar is never a multiple of that order.
/// CT: time does not depend on the scalar.
inline void x25519_public_key(std::span<const std::uint8_t, 32> scalar,
                              std::span<std::uint8_t, 32> out) noexcept {
    std::array<std::uint8_t, 32> k;
    std::copy(scalar.begin(), scalar.end(), k.begin());
    detail::x25519_clamp(k);
    const detail::fe25519 nine{{9, 0, 0, 0, 0}};
    detail::x25519_ladder(k, nine, true, out);
    ct::wipe(k);
}

/// An X25519 key pair. The private key is kept as the 32 random bytes (clamped at each use, as
/// RFC 7748 §5 specifies) and wiped on destruction.
struct x25519_key_pair {
    ct::secret_array<32> private_key;
    std::array<std::uint8_t, 32> public_key{};

    /// A fresh key pair from `rng`; fails only with `errc::random_failure`.
    /// CT: time does not depend on the private key.
    [[nodiscard]] static result<x25519_key_pair> generate(random_source& rng = default_random()) {
        x25519_key_pair kp;
        HTTPS_TRY(rng.fill(kp.private_key.span()));
        x25519_public_key(kp.private_key.span(), kp.public_key);
        return kp;
    }

    /// The key pair of a given private key (e.g. one from a test vector).
    /// CT: time does not depend on the private key.
    [[nodiscard]] static x25519_key_pair from_private(std::span<const std::uint8_t, 32> key) {
        x25519_key_pair kp;
        std::copy(key.begin(), key.end(), kp.private_key.bytes.begin());
        x25519_public_key(kp.private_key.span(), kp.public_key);
        return kp;
    }

    /// The shared secret with a peer's public key, X25519(private_key, peer_public); fails with
    /// `errc::zero_shared_secret` for small-order peer keys (see `x25519`).
    /// CT: time does not depend on the private key or the peer key; only the zero verdict leaks.
    [[nodiscard]] status shared_secret(std::span<const std::uint8_t, 32> peer_public,
                                       std::span<std::uint8_t, 32> out) const noexcept {
        return x25519(private_key.span(), peer_public, out);
    }
};

} // namespace https::crypto
