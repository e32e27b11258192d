// Ed25519 signature verification (RFC 8032 §5.1.7), as TLS 1.3 (RFC 8446 §4.2.3, SignatureScheme
// ed25519) and X.509 certificates (RFC 8410) use it: public keys, their SubjectPublicKeyInfo
// form and the verification equation.
#pragma once

#include "../core/bytes.hpp"
#include "../core/der.hpp"
#include "../core/oid.hpp"
#include "../core/result.hpp"
#include "detail/edwards25519.hpp"
#include "public_key_info.hpp"
#include "sha2.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace https::crypto {

/// Bytes of an Ed25519 signature: the encoded point R, then the scalar S (RFC 8032 §5.1.6).
inline constexpr std::size_t ed25519_signature_size = 64;

/// An Ed25519 public key (RFC 8032 §5.1.5): the encoding of a point A, decoded and checked once.
class ed25519_public_key {
  public:
    static constexpr std::size_t encoded_size = 32;

    /// Decode A as RFC 8032 §5.1.3 says, strictly. Errors: `bad_public_key` for a length other
    /// than 32 bytes, a y-coordinate not below p (a non-canonical encoding) or x = 0 with the sign
    /// bit set; `point_not_on_curve` when no x goes with y. Points of small order are accepted,
    /// as RFC 8032 accepts them: the key's owner could make such a key "sign" anything, but
    /// nobody else can sign for it.
    /// CT: variable time (a public key is public).
    [[nodiscard]] static result<ed25519_public_key> parse(bytes_view encoded) noexcept {
        if (encoded.size() != encoded_size) {
            return errc::bad_public_key;
        }
        ed25519_public_key key;
        std::copy(encoded.begin(), encoded.end(), key.encoded_.begin());
        if (const errc e = detail::ed25519::decode(key.encoded_, key.point_); e != errc::ok) {
            return e;
        }
        return key;
    }

    /// The 32-byte encoding, as given to `parse`.
    [[nodiscard]] std::span<const std::uint8_t, encoded_size> encoded() const noexcept {
        return encoded_;
    }

    /// The decoded point A, in extended coordinates.
    [[nodiscard]] const detail::ed25519::point& point() const noexcept { return point_; }

  private:
    ed25519_public_key() = default;

    std::array<std::uint8_t, encoded_size> encoded_{};
    detail::ed25519::point point_{};
};

/// Import an Ed25519 key from a DER SubjectPublicKeyInfo (RFC 8410 §4):
/// SEQUENCE { SEQUENCE { id-Ed25519 }, BIT STRING key }. Errors: DER errors from the strict
/// reader; `unsupported_algorithm` when the algorithm is not id-Ed25519; `trailing_data` when the
/// AlgorithmIdentifier has parameters (RFC 8410 §3: they MUST be absent); `bad_public_key` for a
/// BIT STRING with unused bits; then everything `ed25519_public_key::parse` rejects (a key other
/// than 32 bytes, or one that RFC 8032 §5.1.3 decoding refuses).
/// CT: variable time (public input).
[[nodiscard]] inline result<ed25519_public_key>
parse_ed25519_public_key_info(bytes_view spki) noexcept {
    auto info = open_public_key_info(spki, oid::ed25519);
    if (!info) {
        return info.error();
    }
    HTTPS_TRY(info->parameters.expect_empty());
    auto key = info->key_bytes();
    if (!key) {
        return key.error();
    }
    return ed25519_public_key::parse(*key);
}

/// Verify an Ed25519 signature (RFC 8032 §5.1.7) of `message` under `key`. The signature must be
/// exactly 64 bytes R || S with S < L (step 1: a larger S would make signatures malleable), and
/// then [S]B = R + [k]A with k = SHA-512(R || A || message) mod L: the cofactorless equation
/// §5.1.7 allows ("sufficient, but not required"), which OpenSSL, BoringSSL and Go check too.
/// It is checked as encode([S]B - [k]A) == R byte for byte: every point has exactly one
/// encoding, so this is R decoded strictly and compared as a point, without decoding R; an R that
/// strict decoding refuses (y >= p, x = 0 with the sign bit, not on the curve) matches nothing.
/// Every failure is `errc::bad_signature`.
/// CT: variable time; a signature check has only public inputs.
[[nodiscard]] inline status ed25519_verify(const ed25519_public_key& key, bytes_view message,
                                           bytes_view signature) noexcept {
    namespace ed = detail::ed25519;
    if (signature.size() != ed25519_signature_size) {
        return errc::bad_signature;
    }
    const std::span<const std::uint8_t, 32> r = signature.first<32>();
    const std::span<const std::uint8_t, 32> s = signature.subspan<32, 32>();
    if (!ed::is_canonical_scalar(s)) {
        return errc::bad_signature;
    }
    sha512 h;
    h.update(r);
    h.update(key.encoded());
    h.update(message);
    std::array<std::uint8_t, sha512::digest_size> digest{};
    h.finish(digest);
    const ed::projective check =
        ed::double_scalar_mul_vartime(ed::load_scalar(s), ed::reduce_wide(digest), key.point());
    std::array<std::uint8_t, 32> encoded{};
    ed::encode(check, encoded);
    if (!std::equal(encoded.begin(), encoded.end(), r.begin())) {
        return errc::bad_signature;
    }
    return {};
}

/// Verify an Ed25519 signature under a public key given as its 32-byte encoding. Errors: those
/// of `ed25519_public_key::parse` for the key, then `errc::bad_signature`.
/// CT: variable time (public inputs).
[[nodiscard]] inline status ed25519_verify(bytes_view public_key, bytes_view message,
                                           bytes_view signature) noexcept {
    auto key = ed25519_public_key::parse(public_key);
    if (!key) {
        return key.error();
    }
    return ed25519_verify(*key, message, signature);
}

} // namespace https::crypto
