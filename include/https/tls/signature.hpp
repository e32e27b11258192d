// The server's key and the one route that verifies its signatures: the TLS 1.3 CertificateVerify
// (RFC 8446 §4.4.3) and the TLS 1.2 ServerKeyExchange, with the leaf's key parsed once.
#pragma once

#include "../core/bytes.hpp"
#include "../core/result.hpp"
#include "../crypto/ec_public_key.hpp"
#include "../crypto/ecdsa.hpp"
#include "../crypto/ed25519.hpp"
#include "../crypto/rsa.hpp"
#include "../crypto/sha2.hpp"
#include "../x509/certificate.hpp"
#include "cipher_suite.hpp"
#include "extensions.hpp"
#include "key_schedule.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <variant>

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

/// The server certificate's key, taken from the leaf once, when its Certificate arrives, and used
/// for every check after it (CertificateVerify, ServerKeyExchange, the RSA key exchange).
struct peer_key {
    x509::key_algorithm algorithm = x509::key_algorithm::unsupported;
    byte_vector spki; ///< the DER SubjectPublicKeyInfo
};

/// Extract the key of the leaf certificate and check that it fits the key exchange `kx`: any
/// key for TLS 1.3 (the CertificateVerify scheme decides), an ECDSA or Ed25519 key for
/// ECDHE_ECDSA, an RSA key for ECDHE_RSA and RSA (RFC 5246 §7.4.2, RFC 8422 §5.3); then that a
/// keyUsage allows the use the key exchange makes of it (`check_leaf_key_usage`). An unparsable
/// leaf is `cert_malformed`, a key of the wrong type `tls_illegal_parameter`.
inline result<peer_key> leaf_key(bytes_view leaf_der, key_exchange_kind kx) {
    auto cert = x509::parse_certificate(leaf_der);
    if (!cert) {
        return errc::cert_malformed;
    }
    peer_key k{cert->spki.algorithm, byte_vector(cert->spki.der.begin(), cert->spki.der.end())};
    const bool is_ec =
        k.algorithm == x509::key_algorithm::ec_p256 || k.algorithm == x509::key_algorithm::ec_p384;
    const bool is_rsa = k.algorithm == x509::key_algorithm::rsa;
    bool fits = false;
    leaf_key_use use = leaf_key_use::sign;
    switch (kx) {
    case key_exchange_kind::tls13:
        fits = true;
        break;
    case key_exchange_kind::ecdhe_ecdsa:
        fits = is_ec || k.algorithm == x509::key_algorithm::ed25519;
        break;
    case key_exchange_kind::ecdhe_rsa:
        fits = is_rsa;
        break;
    case key_exchange_kind::rsa:
        fits = is_rsa;
        use = leaf_key_use::encipher;
        break;
    }
    if (!fits) {
        return errc::tls_illegal_parameter; // the wrong certificate type for the suite
    }
    HTTPS_TRY(check_leaf_key_usage(*cert, use));
    return k;
}

/// Verify `signature` over `content` with the server's key under `scheme`: the TLS 1.3
/// CertificateVerify (RFC 8446 §4.4.3) and the TLS 1.2 ServerKeyExchange (RFC 5246 §7.4.3) alike.
/// The versions differ in two rules: in TLS 1.3 an ECDSA scheme names the curve, which must be
/// the key's, while in TLS 1.2 it names the hash only (§7.4.1.4.1); and RSASSA-PKCS1-v1_5 signs
/// in TLS 1.2 only (RFC 8446 §4.2.3 keeps it for certificates). Ed25519 signs `content` itself
/// (RFC 8032 §5.1, RFC 8422 §5.4). A scheme that does not fit the key is
/// `tls_illegal_parameter`; an RSA key under `min_rsa_bits` is `weak_key`; a signature that does
/// not verify is `bad_signature` (which the handshakes send as decrypt_error).
/// CT: public inputs only.
inline status verify_signature(signature_scheme scheme, const peer_key& key, bytes_view content,
                               bytes_view signature, std::size_t min_rsa_bits,
                               protocol_version version) {
    using std::type_identity;
    const bool tls13 = version == protocol_version::tls13;
    const auto checked = [](status s) { return s.ok() ? status{} : status{errc::bad_signature}; };
    auto ecdsa = [&]<class Hash, class Curve>(type_identity<Hash>, type_identity<Curve>) -> status {
        auto k = crypto::parse_ec_public_key_info(key.spki);
        if (!k || (tls13 && !std::holds_alternative<crypto::ec_public_key<Curve>>(*k))) {
            return errc::tls_illegal_parameter;
        }
        return checked(std::visit(
            [&](const auto& pub) { return crypto::ecdsa_verify<Hash>(pub, content, signature); },
            *k));
    };
    auto rsa = [&]<class Hash>(type_identity<Hash>, bool pss) -> status {
        if ((!pss && tls13) || key.algorithm != x509::key_algorithm::rsa) {
            return errc::tls_illegal_parameter;
        }
        auto k = crypto::rsa_public_key::parse_spki(key.spki, min_rsa_bits);
        if (!k) {
            return k.error() == errc::weak_key ? errc::weak_key : errc::tls_illegal_parameter;
        }
        return checked(pss ? crypto::verify_pss<Hash>(*k, content, signature)
                           : crypto::verify_pkcs1v15<Hash>(*k, content, signature));
    };
    const type_identity<crypto::sha256> sha256;
    const type_identity<crypto::sha384> sha384;
    const type_identity<crypto::sha512> sha512;
    switch (scheme) {
    case signature_scheme::ecdsa_secp256r1_sha256:
        return ecdsa(sha256, type_identity<crypto::p256>{});
    case signature_scheme::ecdsa_secp384r1_sha384:
        return ecdsa(sha384, type_identity<crypto::p384>{});
    case signature_scheme::rsa_pss_rsae_sha256:
        return rsa(sha256, true);
    case signature_scheme::rsa_pss_rsae_sha384:
        return rsa(sha384, true);
    case signature_scheme::rsa_pss_rsae_sha512:
        return rsa(sha512, true);
    case signature_scheme::rsa_pkcs1_sha256:
        return rsa(sha256, false);
    case signature_scheme::rsa_pkcs1_sha384:
        return rsa(sha384, false);
    case signature_scheme::rsa_pkcs1_sha512:
        return rsa(sha512, false);
    case signature_scheme::ed25519: {
        auto k = crypto::parse_ed25519_public_key_info(key.spki);
        if (!k) {
            return errc::tls_illegal_parameter;
        }
        return crypto::ed25519_verify(*k, content, signature);
    }
    default:
        return errc::tls_illegal_parameter; // not a scheme we offer
    }
}

} // namespace https::tls
