// Ed25519 signing (RFC 8032 §5.1.5 key generation, §5.1.6 signing): a private key made from its
// 32-byte seed, and deterministic signatures that `ed25519_verify` (ed25519.hpp) checks.
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../core/result.hpp"
#include "detail/edwards25519.hpp"
#include "ed25519.hpp"
#include "random.hpp"
#include "sha2.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace https::crypto {

/// An Ed25519 private key (RFC 8032 §5.1.5): kept as the clamped secret scalar s and the
/// 32-byte prefix, both halves of SHA-512(seed), wiped on destruction; with its public key A.
class ed25519_private_key {
  public:
    static constexpr std::size_t seed_size = 32;
    static constexpr std::size_t signature_size = ed25519_signature_size;

    /// The key of a 32-byte seed (RFC 8032 §5.1.5: "the private key is 32 octets ... of
    /// cryptographically secure random data"; RFC 8410 §7 stores exactly these bytes). Every
    /// seed is valid. Errors: `bad_key_size` for another length.
    /// CT: time does not depend on the seed (only its length is public).
    [[nodiscard]] static result<ed25519_private_key> from_seed(bytes_view seed) noexcept {
        namespace ed = detail::ed25519;
        if (seed.size() != seed_size) {
            return errc::bad_key_size;
        }
        ed25519_private_key key;
        // §5.1.5 steps 1-2: h = SHA-512(seed); s = the low half with bits 0-2 and 255 cleared and
        // bit 254 set; the high half is the prefix that makes nonces.
        std::array<std::uint8_t, sha512::digest_size> h{};
        sha512 hasher;
        hasher.update(seed);
        hasher.finish(h);
        std::copy(h.begin(), h.begin() + 32, key.scalar_.bytes.begin());
        std::copy(h.begin() + 32, h.end(), key.prefix_.bytes.begin());
        ct::wipe(h);
        key.scalar_.bytes[0] &= 0xf8;
        key.scalar_.bytes[31] &= 0x7f;
        key.scalar_.bytes[31] |= 0x40;
        // Steps 3-4: A = [s]B, encoded. Public from here on.
        std::array<std::uint8_t, 32> a{};
        const ed::point p = ed::mul_base(key.scalar_.span());
        ed::encode(ed::projective{p.x, p.y, p.z}, a);
        ct::unpoison(a.data(), a.size());
        auto pub = ed25519_public_key::parse(a);
        if (!pub) {
            return pub.error(); // cannot happen: [s]B is a point and encodes canonically
        }
        key.public_ = *pub;
        return key;
    }

    /// A fresh key from a random seed. Errors: `random_failure` when `rng` fails.
    /// CT: as from_seed.
    [[nodiscard]] static result<ed25519_private_key>
    generate(random_source& rng = default_random()) noexcept {
        ct::secret_array<seed_size> seed;
        HTTPS_TRY(rng.fill(seed.span()));
        return from_seed(seed.span());
    }

    /// A's encoding and decoded point, to compare with a certificate's key and for verification.
    [[nodiscard]] const ed25519_public_key& public_key() const noexcept { return *public_; }

    /// Sign `message` (RFC 8032 §5.1.6, pure Ed25519: the whole message, no prehash, no
    /// context): deterministic, so the same key and message always give the same 64 bytes
    /// R || S.
    /// CT: time depends on the message length only; the key, the nonce r and the product k s
    /// never steer a branch or an index; R and S are public outputs.
    void sign(bytes_view message, std::span<std::uint8_t, signature_size> out) const noexcept {
        namespace ed = detail::ed25519;
        // Step 1-2: r = SHA-512(prefix || M) mod L (secret), R = [r]B.
        std::array<std::uint8_t, sha512::digest_size> h{};
        sha512 hasher;
        hasher.update(prefix_.span());
        hasher.update(message);
        hasher.finish(h);
        ed::scalar r = ed::reduce_wide(h);
        std::array<std::uint8_t, 32> r_bytes{};
        for (std::size_t i = 0; i < 4; ++i) {
            https::detail::store_le64(r_bytes.data() + 8 * i, r[i]);
        }
        const ed::point big_r = ed::mul_base(r_bytes);
        ct::wipe(r_bytes);
        const std::span<std::uint8_t, 32> r_out = out.first<32>();
        ed::encode(ed::projective{big_r.x, big_r.y, big_r.z}, r_out);
        ct::unpoison(r_out.data(), r_out.size()); // R is the signature's first half: public
        // Steps 3-4: k = SHA-512(R || A || M) mod L (public inputs), S = (r + k s) mod L.
        hasher.update(r_out);
        hasher.update(public_->encoded());
        hasher.update(message);
        hasher.finish(h);
        const ed::scalar k = ed::reduce_wide(h);
        ct::wipe(h);
        ed::scalar s = ed::load_scalar(scalar_.span());
        const ed::scalar big_s = ed::mul_add(k, s, r);
        ct::wipe(s);
        ct::wipe(r);
        const std::span<std::uint8_t, 32> s_out = out.last<32>();
        for (std::size_t i = 0; i < 4; ++i) {
            https::detail::store_le64(s_out.data() + 8 * i, big_s[i]);
        }
        ct::unpoison(s_out.data(), s_out.size()); // S is public once it is the signature
    }

    /// The signature R || S of `message`, as a value. CT: as the other overload.
    [[nodiscard]] std::array<std::uint8_t, signature_size> sign(bytes_view message) const noexcept {
        std::array<std::uint8_t, signature_size> out{};
        sign(message, out);
        return out;
    }

  private:
    ed25519_private_key() = default;

    ct::secret_array<32> scalar_; // s, little-endian, clamped (RFC 8032 §5.1.5 step 2)
    ct::secret_array<32> prefix_; // the upper half of SHA-512(seed)
    // A; an optional only because ed25519_public_key has no default state (from_seed sets it).
    std::optional<ed25519_public_key> public_;
};

} // namespace https::crypto
