// Elliptic-curve Diffie-Hellman on P-256 and P-384 (SEC 1 §3.3.1, NIST SP 800-56A §5.7.1.2):
// ephemeral key pairs and the x-coordinate shared secret that TLS 1.3 key_share uses.
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../core/result.hpp"
#include "ec_public_key.hpp"
#include "random.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace https::crypto {

/// An ECDH key pair on `Curve` (p256 or p384); use `ecdh_p256` / `ecdh_p384`. The private
/// scalar d is in [1, n - 1] and is wiped on destruction; the public key is d*G, uncompressed.
template <class Curve> class ecdh_key_pair {
    using group = typename Curve::group;
    using fp = typename group::fp;
    using fn = typename group::fn;

  public:
    static constexpr std::size_t private_key_size = Curve::field_size;
    static constexpr std::size_t public_key_size = Curve::point_size;
    static constexpr std::size_t shared_secret_size = Curve::field_size;

    /// A fresh key pair: d drawn uniformly from [1, n - 1] by rejection sampling (FIPS 186-4
    /// §B.4.2, "testing candidates"; n is 2^bits minus a small fraction, so a retry is rare).
    /// Fails with `errc::random_failure` if `rng` fails or yields no candidate in 64 tries.
    /// CT: time does not depend on d; only the rejection of discarded candidates is visible.
    [[nodiscard]] static result<ecdh_key_pair> generate(random_source& rng = default_random()) {
        ecdh_key_pair kp;
        for (int attempt = 0; attempt < 64; ++attempt) {
            HTTPS_TRY(rng.fill(kp.private_key_.span()));
            if (kp.derive_public()) {
                return kp;
            }
        }
        return errc::random_failure;
    }

    /// The key pair of a given big-endian private scalar (e.g. from a test vector); fails with
    /// `errc::out_of_range` unless 1 <= d <= n - 1.
    /// CT: time does not depend on d; only the range verdict is public.
    [[nodiscard]] static result<ecdh_key_pair>
    from_private(std::span<const std::uint8_t, private_key_size> d) {
        ecdh_key_pair kp;
        std::copy(d.begin(), d.end(), kp.private_key_.bytes.begin());
        if (!kp.derive_public()) {
            return errc::out_of_range;
        }
        return kp;
    }

    /// The public key 0x04 || X || Y to send to the peer (TLS 1.3 KeyShareEntry.key_exchange,
    /// RFC 8446 §4.2.8.2).
    [[nodiscard]] std::span<const std::uint8_t, public_key_size> public_key() const noexcept {
        return public_key_;
    }

    /// The shared secret: the x-coordinate of d*Q, big-endian, for the peer's encoded point Q
    /// (SEC 1 §3.3.1; RFC 8446 §7.4.2). The peer point is fully validated first: see
    /// `ec_public_key::parse` for the errors. `out` is written only on success.
    /// CT: time does not depend on d; the peer point is public.
    [[nodiscard]] status
    shared_secret(bytes_view peer_public,
                  std::span<std::uint8_t, shared_secret_size> out) const noexcept {
        auto q = group::decode(peer_public);
        if (!q) {
            return q.error();
        }
        return compute(*q, out);
    }

    /// The shared secret with an already-validated peer key.
    /// CT: time does not depend on d.
    [[nodiscard]] status
    shared_secret(const ec_public_key<Curve>& peer,
                  std::span<std::uint8_t, shared_secret_size> out) const noexcept {
        return compute(peer.point(), out);
    }

  private:
    ecdh_key_pair() = default;

    /// Range-check d and compute the public key; false when d is 0 or >= n.
    /// CT: only the range verdict is public.
    bool derive_public() noexcept {
        typename group::scalar d = fn::load_be(private_key_.span());
        const std::uint64_t in_range = fn::less_than_modulus(d) & ~fn::is_zero(d);
        if (!detail::nist::declassify(in_range)) {
            ct::wipe(d);
            return false;
        }
        const typename group::projective q = group::mul_base(d);
        typename group::affine a;
        const std::uint64_t infinity = group::to_affine(q, a);
        group::encode(a, public_key_);
        ct::wipe(d);
        // d in [1, n - 1] and G of prime order n: d*G is never the identity. The public key is
        // public by definition.
        ct::unpoison(public_key_.data(), public_key_.size());
        return !detail::nist::declassify(infinity);
    }

    /// x(d*Q) into `out`. CT: no branch or index on d; only the "identity" verdict is public.
    status compute(const typename group::affine& q,
                   std::span<std::uint8_t, shared_secret_size> out) const noexcept {
        typename group::scalar d = fn::load_be(private_key_.span());
        typename group::projective r = group::mul(d, q);
        typename group::affine a;
        const std::uint64_t infinity = group::to_affine(r, a);
        typename group::fe x = fp::from_mont(a.x);
        ct::wipe(d);
        ct::wipe(r.x);
        ct::wipe(r.y);
        ct::wipe(r.z);
        ct::wipe(a.y);
        ct::wipe(a.x);
        // Cannot happen for a validated Q (order n) and d in [1, n - 1]; checked regardless, as
        // SEC 1 §3.3.1 step 2 asks.
        if (detail::nist::declassify(infinity)) {
            ct::wipe(x);
            return errc::point_at_infinity;
        }
        fp::store_be(x, out);
        ct::wipe(x);
        return {};
    }

    ct::secret_array<private_key_size> private_key_; // d, big-endian
    std::array<std::uint8_t, public_key_size> public_key_{};
};

/// ECDH on P-256 (TLS 1.3 group secp256r1).
using ecdh_p256 = ecdh_key_pair<p256>;
/// ECDH on P-384 (TLS 1.3 group secp384r1).
using ecdh_p384 = ecdh_key_pair<p384>;

} // namespace https::crypto
