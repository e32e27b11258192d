// Certificate signature checks (x509/signature.hpp), out of line for separate compilation.
#pragma once

#include "../signature.hpp"

#include "../../crypto/ec_public_key.hpp"
#include "../../crypto/ecdsa.hpp"
#include "../../crypto/ed25519.hpp"
#include "../../crypto/hash.hpp"
#include "../../crypto/rsa.hpp"
#include "../../crypto/sha1.hpp"
#include "../../crypto/sha2.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace https::x509::detail {

/// Hash `data` with `h` into `out`; returns the digest length.
HTTPS_DECL std::size_t digest_of(crypto::hash_id h, bytes_view data,
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

HTTPS_DECL status verify_signature(const public_key_info& key, const signature_algorithm& alg,
                                   bytes_view tbs, bytes_view signature) {
    using scheme = signature_algorithm::scheme;
    if (!key_fits_algorithm(key, alg)) {
        return errc::cert_bad_signature;
    }
    // RSA and ECDSA sign a digest of the TBSCertificate; Ed25519 signs the TBSCertificate itself
    // (PureEdDSA, RFC 8410 §6) and its algorithm names no digest.
    const std::optional<crypto::hash_id> hash = to_hash_id(alg.hash);
    if (!hash && alg.kind != scheme::ed25519) {
        return errc::cert_bad_signature;
    }
    std::array<std::uint8_t, crypto::max_digest_size> buffer{};
    const bytes_view digest(buffer.data(), hash ? digest_of(*hash, tbs, buffer) : 0);
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
    case scheme::ed25519:
        // `key.key` is the 32-byte encoding the certificate parser already decoded once.
        verdict = crypto::ed25519_verify(key.key, tbs, signature);
        break;
    case scheme::unknown:
        break;
    }
    return verdict ? status{} : status{errc::cert_bad_signature};
}

} // namespace https::x509::detail
