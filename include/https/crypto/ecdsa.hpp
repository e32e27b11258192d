// ECDSA signature verification on P-256 and P-384 (FIPS 186-4 §6.4, SEC 1 §4.1.4) for DER
// signatures (RFC 5480 §2.2 / RFC 3279 Ecdsa-Sig-Value), as TLS 1.3 and X.509 carry them.
#pragma once

#include "../core/bytes.hpp"
#include "../core/der.hpp"
#include "../core/result.hpp"
#include "ec_public_key.hpp"
#include "hash.hpp"
#include "hash_id.hpp"
#include "sha1.hpp"
#include "sha2.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>

namespace https::crypto {

namespace detail::nist {

/// One INTEGER of an Ecdsa-Sig-Value as a scalar in [1, n - 1], or false.
/// CT: variable time (signatures are public).
template <class Curve>
bool read_signature_scalar(der::parser& p, typename Curve::group::scalar& out) noexcept {
    using fn = typename Curve::group::fn;
    auto magnitude = p.read_unsigned_integer(); // strict DER: minimal, non-negative
    if (!magnitude || magnitude->size() > Curve::field_size) {
        return false;
    }
    std::array<std::uint8_t, Curve::field_size> padded{};
    std::copy(magnitude->begin(), magnitude->end(),
              padded.end() - static_cast<std::ptrdiff_t>(magnitude->size()));
    out = fn::load_be(padded);
    return fn::is_zero(out) == 0 && fn::less_than_modulus(out) != 0;
}

/// Parse Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } in strict DER, nothing after it,
/// with r and s in [1, n - 1] (FIPS 186-4 §6.4.2 step 1). CT: variable time (public input).
template <class Curve>
bool parse_signature(bytes_view signature, typename Curve::group::scalar& r,
                     typename Curve::group::scalar& s) noexcept {
    der::parser top(signature);
    auto seq = top.read_sequence();
    if (!seq || !top.expect_empty()) {
        return false;
    }
    return read_signature_scalar<Curve>(*seq, r) && read_signature_scalar<Curve>(*seq, s) &&
           seq->expect_empty().ok();
}

/// e = the leftmost bits(n) bits of the digest as an integer, reduced mod n (FIPS 186-4 §6.4.2
/// steps 2-3; both curves have bits(n) a multiple of 8, so the truncation is whole bytes).
/// CT: variable time (the digest of a signed message is public).
template <class Curve> typename Curve::group::scalar digest_to_scalar(bytes_view digest) noexcept {
    using fn = typename Curve::group::fn;
    const std::size_t take = std::min(digest.size(), Curve::field_size);
    std::array<std::uint8_t, Curve::field_size> padded{};
    std::copy(digest.begin(), digest.begin() + static_cast<std::ptrdiff_t>(take),
              padded.end() - static_cast<std::ptrdiff_t>(take));
    // e < 2^bits < 2n (n > 2^(bits-1) for both curves): one conditional subtraction reduces it
    return fn::reduce_once(fn::load_be(padded), 0);
}

/// The verification equation for parsed (r, s) and a digest-derived e: accept when
/// x(u1 G + u2 Q) mod n == r with w = s^-1, u1 = e w, u2 = r w (FIPS 186-4 §6.4.2 steps 4-8).
/// CT: variable time (all inputs public).
template <class Curve>
bool verify_scalars(const ec_public_key<Curve>& key, const typename Curve::group::scalar& e,
                    const typename Curve::group::scalar& r,
                    const typename Curve::group::scalar& s) noexcept {
    using fn = typename Curve::group::fn;
    // Montgomery forms: invert(s R) = s^-1 R, and mul(x, s^-1 R) = x s^-1 (plain).
    const auto w = fn::invert(fn::to_mont(s));
    const auto u1 = fn::mul(e, w);
    const auto u2 = fn::mul(r, w);
    return Curve::group::verify_combination_vartime(u1, u2, key.point(), r);
}

/// Parse, then check, a signature over an already-computed digest. CT: variable time.
template <class Curve>
status verify_digest(const ec_public_key<Curve>& key, bytes_view digest,
                     bytes_view signature) noexcept {
    typename Curve::group::scalar r{};
    typename Curve::group::scalar s{};
    if (!parse_signature<Curve>(signature, r, s) ||
        !verify_scalars(key, digest_to_scalar<Curve>(digest), r, s)) {
        return errc::bad_signature;
    }
    return {};
}

} // namespace detail::nist

/// Verify a DER ECDSA signature over a message digest made with `hash` (the digest must be
/// exactly `digest_size(hash)` bytes: a precondition). Digests longer than the curve order are
/// truncated to its bit length, so any of SHA-1/SHA-2 works with either curve (policy about
/// which pairs to allow belongs to the caller). Every failure, malformed DER included (BER
/// forms, non-minimal or negative integers, r or s outside [1, n - 1], trailing bytes), is
/// `errc::bad_signature`.
/// CT: variable time; a signature check has only public inputs.
template <class Curve>
[[nodiscard]] status ecdsa_verify_digest(const ec_public_key<Curve>& key, hash_id hash,
                                         bytes_view digest, bytes_view signature) noexcept {
    assert(digest.size() == digest_size(hash));
    (void)hash;
    return detail::nist::verify_digest(key, digest, signature);
}

/// Verify a DER ECDSA signature over `message`, hashed with `Hash` (e.g. sha256 for
/// ecdsa_secp256r1_sha256, sha384 for ecdsa_secp384r1_sha384, RFC 8446 §4.2.3).
/// CT: variable time (public inputs).
template <hash_function Hash, class Curve>
[[nodiscard]] status ecdsa_verify(const ec_public_key<Curve>& key, bytes_view message,
                                  bytes_view signature) {
    const digest<Hash> d = hash<Hash>(message);
    return detail::nist::verify_digest(key, d, signature);
}

/// Verify a DER ECDSA signature over `message` hashed with the function `hash` names (our
/// SHA-1/SHA-2): what TLS 1.3 CertificateVerify (RFC 8446 §4.4.3) and X.509 signatures need,
/// where the hash comes from a SignatureScheme or an AlgorithmIdentifier at run time.
/// CT: variable time (public inputs).
template <class Curve>
[[nodiscard]] status ecdsa_verify(const ec_public_key<Curve>& key, hash_id hash, bytes_view message,
                                  bytes_view signature) {
    switch (hash) {
    case hash_id::sha1:
        return ecdsa_verify<sha1>(key, message, signature);
    case hash_id::sha224:
        return ecdsa_verify<sha224>(key, message, signature);
    case hash_id::sha256:
        return ecdsa_verify<sha256>(key, message, signature);
    case hash_id::sha384:
        return ecdsa_verify<sha384>(key, message, signature);
    case hash_id::sha512:
        return ecdsa_verify<sha512>(key, message, signature);
    }
    return errc::unsupported_algorithm;
}

} // namespace https::crypto
