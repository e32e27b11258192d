// Checking one certificate signature: the issuer's key, the algorithm, the TBS bytes, the value.
#pragma once

#include "../core/bytes.hpp"
#include "../core/der.hpp"
#include "../core/result.hpp"
#include "../crypto/hash.hpp"
#include "../crypto/hash_id.hpp"
#include "../crypto/ec_public_key.hpp"
#include "../crypto/ecdsa.hpp"
#include "../crypto/rsa.hpp"
#include "../crypto/sha1.hpp"
#include "../crypto/sha2.hpp"
#include "certificate.hpp"

#include <algorithm>
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
inline std::size_t digest_of(crypto::hash_id h, bytes_view data,
                             std::array<std::uint8_t, crypto::max_digest_size>& out) {
    auto put = [&](const auto& d) {
        std::copy(d.begin(), d.end(), out.begin());
        return d.size();
    };
    switch (h) {
    case crypto::hash_id::sha1:
        return put(crypto::hash<crypto::sha1>(data));
    case crypto::hash_id::sha224:
        return put(crypto::hash<crypto::sha224>(data));
    case crypto::hash_id::sha256:
        return put(crypto::hash<crypto::sha256>(data));
    case crypto::hash_id::sha384:
        return put(crypto::hash<crypto::sha384>(data));
    case crypto::hash_id::sha512:
        return put(crypto::hash<crypto::sha512>(data));
    }
    return 0;
}

/// Verify a certificate signature: `signature` by `key` over `tbs` under `alg` (RSASSA-PKCS1-v1_5
/// and RSASSA-PSS per RFC 4055, ECDSA per RFC 5758). Weak digests are refused before this is
/// reached (see `path_search::check_edge`), and RSA keys below 2048 bits too. Any failure,
/// including an algorithm or key we cannot verify with, is `errc::cert_bad_signature`.
/// CT: public data only.
inline status verify_signature(const public_key_info& key, const signature_algorithm& alg,
                               bytes_view tbs, bytes_view signature) {
    using scheme = signature_algorithm::scheme;
    if (!key_fits_algorithm(key, alg)) {
        return errc::cert_bad_signature;
    }
    const std::optional<crypto::hash_id> hash = to_hash_id(alg.hash);
    if (!hash) {
        return errc::cert_bad_signature;
    }
    std::array<std::uint8_t, crypto::max_digest_size> buffer{};
    const bytes_view digest(buffer.data(), digest_of(*hash, tbs, buffer));
    status verdict = errc::cert_bad_signature;
    switch (alg.kind) {
    case scheme::rsa_pkcs1:
    case scheme::rsa_pss: {
        auto rsa = crypto::rsa_public_key::from_components(key.rsa_modulus, key.rsa_exponent);
        if (!rsa) {
            return errc::cert_bad_signature;
        }
        if (alg.kind == scheme::rsa_pkcs1) {
            verdict = crypto::verify_pkcs1v15(*rsa, *hash, digest, signature);
        } else {
            crypto::pss_params params;
            params.hash = *hash;
            params.mgf1_hash = *hash; // the parser refuses PSS parameters that differ
            params.salt_length = alg.pss_salt_length;
            verdict = crypto::verify_pss(*rsa, params, digest, signature);
        }
        break;
    }
    case scheme::ecdsa: {
        // `key.key` is the SEC 1 point from the BIT STRING; the curve came from the parameters.
        auto verify_on = [&](auto curve_tag) -> status {
            using curve = decltype(curve_tag);
            auto point = crypto::ec_public_key<curve>::parse(key.key);
            if (!point) {
                return errc::cert_bad_signature;
            }
            return crypto::ecdsa_verify_digest(*point, *hash, digest, signature);
        };
        verdict = key.algorithm == key_algorithm::ec_p256 ? verify_on(crypto::p256{})
                                                          : verify_on(crypto::p384{});
        break;
    }
    case scheme::ed25519: // not implemented: Ed25519-signed web PKI certificates do not exist yet
    case scheme::unknown:
        break;
    }
    return verdict ? status{} : status{errc::cert_bad_signature};
}

} // namespace https::x509::detail
