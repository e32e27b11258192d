// Verifying the server's CertificateVerify signature (RFC 8446 §4.4.3) with the key of its leaf
// certificate, for the signature schemes we offer.
#pragma once

#include "../core/bytes.hpp"
#include "../core/result.hpp"
#include "../crypto/ec_public_key.hpp"
#include "../crypto/ecdsa.hpp"
#include "../crypto/ed25519.hpp"
#include "../crypto/rsa.hpp"
#include "../crypto/sha2.hpp"
#include "../x509/certificate.hpp"
#include "extensions.hpp"
#include "key_schedule.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace https::tls {

/// The schemes we accept in CertificateVerify (signature_algorithms), in preference order;
/// ed25519 right after ecdsa_secp256r1_sha256, where most clients put it.
inline const std::vector<signature_scheme>& default_signature_schemes() {
    static const std::vector<signature_scheme> schemes = {
        signature_scheme::ecdsa_secp256r1_sha256, signature_scheme::ed25519,
        signature_scheme::ecdsa_secp384r1_sha384, signature_scheme::rsa_pss_rsae_sha256,
        signature_scheme::rsa_pss_rsae_sha384,    signature_scheme::rsa_pss_rsae_sha512,
    };
    return schemes;
}

/// The schemes we accept in certificates (signature_algorithms_cert): the above plus PKCS#1 v1.5,
/// which RFC 8446 §4.2.3 allows in certificates only.
inline const std::vector<signature_scheme>& default_certificate_signature_schemes() {
    static const std::vector<signature_scheme> schemes = [] {
        std::vector<signature_scheme> s = default_signature_schemes();
        s.push_back(signature_scheme::rsa_pkcs1_sha256);
        s.push_back(signature_scheme::rsa_pkcs1_sha384);
        s.push_back(signature_scheme::rsa_pkcs1_sha512);
        return s;
    }();
    return schemes;
}

/// What a handshake does with the server certificate's key.
enum class leaf_key_use : std::uint8_t {
    sign,     ///< TLS 1.3 CertificateVerify; TLS 1.2 ECDHE ServerKeyExchange
    encipher, ///< TLS 1.2 RSA key exchange: the premaster secret is encrypted to it
};

/// The key usage check both handshakes make on the leaf (RFC 5280 §4.2.1.3): when the leaf has a
/// keyUsage extension it must allow `use`, digitalSignature to sign (RFC 8446 §4.4.2.2, RFC 8422
/// §5.3) and keyEncipherment to encipher (RFC 5246 §7.4.2). `errc::cert_bad_key_usage`
/// otherwise. Path validation only asks that a leaf allow some TLS use; this asks for the one
/// the negotiated handshake makes.
inline status check_leaf_key_usage(const x509::certificate& leaf, leaf_key_use use) noexcept {
    std::uint16_t needed = 0;
    switch (use) {
    case leaf_key_use::sign:
        needed = x509::key_usage::digital_signature;
        break;
    case leaf_key_use::encipher:
        needed = x509::key_usage::key_encipherment;
        break;
    }
    if (needed == 0 || (leaf.key_usage && (*leaf.key_usage & needed) == 0)) {
        return errc::cert_bad_key_usage; // (needed == 0: a `use` outside the enumeration)
    }
    return {};
}

/// RFC 8446 §4.4.3: the signed content is 64 spaces, the context string, a zero byte and the
/// transcript hash.
inline byte_vector certificate_verify_content(const hash_value& transcript, bool server = true) {
    constexpr std::string_view server_context = "TLS 1.3, server CertificateVerify";
    constexpr std::string_view client_context = "TLS 1.3, client CertificateVerify";
    const std::string_view ctx = server ? server_context : client_context;
    // Sized once and filled in place (GCC 12 -O2 misreads the grow-by-insert form).
    byte_vector out(64 + ctx.size() + 1 + transcript.size, 0x20);
    std::memcpy(out.data() + 64, ctx.data(), ctx.size());
    out[64 + ctx.size()] = 0;
    std::memcpy(out.data() + 64 + ctx.size() + 1, transcript.bytes.data(), transcript.size);
    return out;
}

/// Ed25519 signs `content` itself, not a digest of it (PureEdDSA, RFC 8032 §5.1): RFC 8446 §4.4.3
/// for CertificateVerify, RFC 8422 §5.4 for a TLS 1.2 ServerKeyExchange. `spki` is the leaf's DER
/// SubjectPublicKeyInfo. A key that is not an Ed25519 key is `tls_illegal_parameter`; a signature
/// that does not verify is `bad_signature`.
/// CT: public inputs only.
inline status verify_ed25519_signature(bytes_view spki, bytes_view content, bytes_view signature) {
    auto key = crypto::parse_ed25519_public_key_info(spki);
    if (!key) {
        return errc::tls_illegal_parameter;
    }
    return crypto::ed25519_verify(*key, content, signature);
}

/// Verify `signature` over `content` with the public key of the DER certificate `leaf` under
/// `scheme` (RFC 8446 §4.4.3). A key that does not fit the scheme is `tls_illegal_parameter`; an
/// RSA key below `min_rsa_bits` is `weak_key`; a signature that does not verify is
/// `bad_signature` (which the handshake reports as decrypt_error).
/// CT: public inputs only.
inline status verify_signature(signature_scheme scheme, bytes_view leaf, bytes_view content,
                               bytes_view signature,
                               std::size_t min_rsa_bits = crypto::rsa_min_bits) {
    auto cert = x509::parse_certificate(leaf);
    if (!cert) {
        return errc::cert_malformed;
    }
    const x509::public_key_info& spki = cert->spki;
    auto ecdsa = [&]<class Hash, class Curve>(std::type_identity<Hash>,
                                              std::type_identity<Curve>) -> status {
        auto key = crypto::parse_ec_public_key_info(spki.der);
        if (!key || !std::holds_alternative<crypto::ec_public_key<Curve>>(*key)) {
            return errc::tls_illegal_parameter;
        }
        return crypto::ecdsa_verify<Hash>(std::get<crypto::ec_public_key<Curve>>(*key), content,
                                          signature);
    };
    auto pss = [&]<class Hash>(std::type_identity<Hash>) -> status {
        if (spki.algorithm != x509::key_algorithm::rsa) {
            return errc::tls_illegal_parameter;
        }
        auto key = crypto::rsa_public_key::parse_spki(spki.der, min_rsa_bits);
        if (!key) {
            return key.error() == errc::weak_key ? errc::weak_key : errc::tls_illegal_parameter;
        }
        return crypto::verify_pss<Hash>(*key, content, signature);
    };
    using std::type_identity;
    switch (scheme) {
    case signature_scheme::ecdsa_secp256r1_sha256:
        return ecdsa(type_identity<crypto::sha256>{}, type_identity<crypto::p256>{});
    case signature_scheme::ecdsa_secp384r1_sha384:
        return ecdsa(type_identity<crypto::sha384>{}, type_identity<crypto::p384>{});
    case signature_scheme::rsa_pss_rsae_sha256:
        return pss(type_identity<crypto::sha256>{});
    case signature_scheme::rsa_pss_rsae_sha384:
        return pss(type_identity<crypto::sha384>{});
    case signature_scheme::rsa_pss_rsae_sha512:
        return pss(type_identity<crypto::sha512>{});
    case signature_scheme::ed25519:
        return verify_ed25519_signature(spki.der, content, signature);
    default:
        return errc::tls_illegal_parameter; // not a scheme we offer for CertificateVerify
    }
}

} // namespace https::tls
