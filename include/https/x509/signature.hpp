// Checking one certificate signature: the issuer's key, the algorithm, the TBS bytes, the value.
#pragma once

#include "../core/bytes.hpp"
#include "../core/config.hpp"
#include "../core/der.hpp"
#include "../core/result.hpp"
#include "../crypto/hash_id.hpp"
#include "certificate.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace https::x509::detail {

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

/// The crypto layer's name for a digest a certificate names (MD5 has none: never verified).
inline std::optional<crypto::hash_id> to_hash_id(hash_algorithm h) noexcept {
    switch (h) {
    case hash_algorithm::sha1:
        return crypto::hash_id::sha1;
    case hash_algorithm::sha224:
        return crypto::hash_id::sha224;
    case hash_algorithm::sha256:
        return crypto::hash_id::sha256;
    case hash_algorithm::sha384:
        return crypto::hash_id::sha384;
    case hash_algorithm::sha512:
        return crypto::hash_id::sha512;
    case hash_algorithm::md5:
    case hash_algorithm::none:
        break;
    }
    return std::nullopt;
}

/// Hash `data` with `h` into `out`; returns the digest length.
HTTPS_DECL std::size_t digest_of(crypto::hash_id h, bytes_view data,
                                 std::array<std::uint8_t, crypto::max_digest_size>& out);

/// Verify a certificate signature: `signature` by `key` over `tbs` under `alg` (RSASSA-PKCS1-v1_5
/// and RSASSA-PSS per RFC 4055, ECDSA per RFC 5758, Ed25519 per RFC 8410). Weak digests are
/// refused before this is reached (see `path_search::check_edge`), and RSA keys below 2048 bits
/// too. Any failure, including an algorithm or key we cannot verify with, is
/// `errc::cert_bad_signature`.
/// CT: public data only.
HTTPS_DECL status verify_signature(const public_key_info& key, const signature_algorithm& alg,
                                   bytes_view tbs, bytes_view signature);

} // namespace https::x509::detail

#if !defined(HTTPS_SEPARATE_COMPILATION)
#include "impl/signature.ipp"
#endif
