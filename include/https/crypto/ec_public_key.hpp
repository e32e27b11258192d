// Elliptic-curve public keys on P-256 and P-384: SEC 1 point decoding with full validation, and
// import from an X.509 SubjectPublicKeyInfo (RFC 5480).
#pragma once

#include "../core/bytes.hpp"
#include "../core/der.hpp"
#include "../core/oid.hpp"
#include "../core/result.hpp"
#include "detail/nist_curve.hpp"
#include "public_key_info.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>

namespace https::crypto {

/// NIST P-256 (secp256r1; TLS NamedGroup secp256r1 = 23).
struct p256 {
    using group = detail::nist::p256_curve;
    /// Bytes of a coordinate, of a private scalar and of an ECDH shared secret.
    static constexpr std::size_t field_size = 32;
    /// Bytes of an uncompressed SEC 1 point (0x04 || X || Y).
    static constexpr std::size_t point_size = 65;
};

/// NIST P-384 (secp384r1; TLS NamedGroup secp384r1 = 24).
struct p384 {
    using group = detail::nist::p384_curve;
    static constexpr std::size_t field_size = 48;
    static constexpr std::size_t point_size = 97;
};

/// A validated public point on `Curve` (p256 or p384): never the identity, coordinates in
/// range, on the curve (and so, the cofactor being 1, of order n).
template <class Curve> class ec_public_key {
    static_assert(Curve::group::field_bytes == Curve::field_size);
    static_assert(Curve::group::point_bytes == Curve::point_size);

  public:
    static constexpr std::size_t encoded_size = Curve::point_size;

    /// Decode an uncompressed SEC 1 point 0x04 || X || Y (SEC 1 §2.3.4, with the public key
    /// validation of §3.2.2.1). Errors: `point_at_infinity` for the one-byte encoding 0x00;
    /// `bad_public_key` for a wrong length, another prefix (compressed points 0x02/0x03 are
    /// refused: RFC 8446 §4.2.8.2 allows only the uncompressed form), or a coordinate >= p;
    /// `point_not_on_curve` when y^2 != x^3 - 3x + b.
    /// CT: variable time (a public key is public).
    [[nodiscard]] static result<ec_public_key> parse(bytes_view point) noexcept {
        auto p = Curve::group::decode(point);
        if (!p) {
            return p.error();
        }
        ec_public_key key;
        key.point_ = *p;
        Curve::group::encode(key.point_, key.encoded_);
        return key;
    }

    /// The uncompressed encoding 0x04 || X || Y.
    [[nodiscard]] std::span<const std::uint8_t, encoded_size> encoded() const noexcept {
        return encoded_;
    }

    /// The decoded point (Montgomery-form coordinates), for ECDH and ECDSA.
    [[nodiscard]] const typename Curve::group::affine& point() const noexcept { return point_; }

  private:
    ec_public_key() = default;

    std::array<std::uint8_t, encoded_size> encoded_{};
    typename Curve::group::affine point_{};
};

using ec_p256_public_key = ec_public_key<p256>;
using ec_p384_public_key = ec_public_key<p384>;

/// A public key on one of the curves we implement.
using any_ec_public_key = std::variant<ec_public_key<p256>, ec_public_key<p384>>;

/// Import an elliptic-curve key from a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7, RFC 5480
/// §2): SEQUENCE { SEQUENCE { id-ecPublicKey, namedCurve OID }, BIT STRING point }.
/// Errors: DER errors from the strict reader (`unexpected_tag`, `non_minimal_encoding`,
/// `trailing_data`, ...); `unsupported_algorithm` when the algorithm is not id-ecPublicKey;
/// `unsupported_curve` for a named curve other than P-256/P-384 and for the implicitCurve and
/// specifiedCurve forms, which RFC 5480 §2.1.1 forbids; `bad_public_key` for missing
/// parameters or a BIT STRING with unused bits; then everything `ec_public_key::parse` rejects.
/// CT: variable time (public input).
[[nodiscard]] inline result<any_ec_public_key> parse_ec_public_key_info(bytes_view spki) noexcept {
    auto info = open_public_key_info(spki, oid::ec_public_key);
    if (!info) {
        return info.error();
    }
    der::parser& algorithm = info->parameters;
    if (algorithm.empty()) {
        return errc::bad_public_key; // RFC 5480 §2.1.1: the parameters MUST be present
    }
    if (!algorithm.next_is(der::tag::oid)) {
        return errc::unsupported_curve; // implicitCurve (NULL) or specifiedCurve (SEQUENCE)
    }
    auto curve_oid = algorithm.read_oid();
    if (!curve_oid) {
        return curve_oid.error();
    }
    HTTPS_TRY(algorithm.expect_empty());
    auto key = info->key_bytes(); // an ECPoint is an OCTET STRING carried in whole bytes
    if (!key) {
        return key.error();
    }
    if (der::oid_equals(*curve_oid, oid::secp256r1)) {
        auto point = ec_public_key<p256>::parse(*key);
        if (!point) {
            return point.error();
        }
        return any_ec_public_key{*point};
    }
    if (der::oid_equals(*curve_oid, oid::secp384r1)) {
        auto point = ec_public_key<p384>::parse(*key);
        if (!point) {
            return point.error();
        }
        return any_ec_public_key{*point};
    }
    return errc::unsupported_curve;
}

} // namespace https::crypto
