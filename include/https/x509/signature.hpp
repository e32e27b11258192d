// Checking one certificate signature: the issuer's key, the algorithm, the TBS bytes, the value.
#pragma once

#include "../core/bytes.hpp"
#include "../core/der.hpp"
#include "../core/result.hpp"
#include "certificate.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

namespace https::x509::detail {

/// Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 5480 §2.2 / RFC 3279 §2.2.3) as the
/// fixed-width big-endian r || s of a curve with `width`-byte scalars. r and s must be positive
/// and fit; their range below the group order is the ECDSA verifier's business.
inline status decode_ecdsa_signature(bytes_view der, std::size_t width,
                                     std::span<std::uint8_t> out) noexcept {
    if (out.size() != 2 * width) {
        return errc::bad_signature;
    }
    der::parser top(der);
    auto seq = top.read_sequence();
    if (!seq || !top.expect_empty()) {
        return errc::bad_signature;
    }
    for (std::size_t half = 0; half < 2; ++half) {
        auto v = seq->read_unsigned_integer();
        if (!v || v->size() > width || (v->size() == 1 && (*v)[0] == 0)) {
            return errc::bad_signature;
        }
        std::fill(out.begin() + half * width, out.begin() + (half + 1) * width, std::uint8_t{0});
        std::copy(v->begin(), v->end(), out.begin() + (half + 1) * width - v->size());
    }
    if (!seq->expect_empty()) {
        return errc::bad_signature;
    }
    return {};
}

/// Does `key` have the type `alg` signs with?
inline bool key_fits_algorithm(const public_key_info& key,
                               const signature_algorithm& alg) noexcept {
    using scheme = signature_algorithm::scheme;
    switch (alg.kind) {
    case scheme::rsa_pkcs1:
    case scheme::rsa_pss:
        return key.algorithm == key_algorithm::rsa;
    case scheme::ecdsa:
        return key.algorithm == key_algorithm::ec_p256 || key.algorithm == key_algorithm::ec_p384;
    case scheme::ed25519:
        return key.algorithm == key_algorithm::ed25519;
    case scheme::unknown:
        return false;
    }
    return false;
}

/// Verify a certificate signature: `signature` by `key` over `tbs` under `alg`. Weak digests are
/// refused before this is reached (see `validate_path`). Any failure, including an algorithm or
/// key we cannot verify with, is `errc::cert_bad_signature`.
/// CT: public data only.
inline status verify_signature(const public_key_info& key, const signature_algorithm& alg,
                               bytes_view tbs, bytes_view signature) {
    if (!key_fits_algorithm(key, alg)) {
        return errc::cert_bad_signature;
    }
    // TEMPORARY (issue 6): the RSA, ECDSA and SHA-2 primitives (issues 2, 4, 5) have not landed
    // on main yet. Until they do, nothing verifies: the library fails closed. Tests inject an
    // OpenSSL-backed verifier through `detail::verify_chain_with`.
    (void)tbs;
    (void)signature;
    return errc::cert_bad_signature;
}

} // namespace https::x509::detail
