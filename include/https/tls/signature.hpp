// Verifying the server's CertificateVerify signature (RFC 8446 §4.4.3) with the key of its leaf
// certificate, for the signature schemes we offer.
#pragma once

#include "../core/bytes.hpp"
#include "../core/result.hpp"
#include "extensions.hpp"
#include "key_schedule.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace https::tls {

/// The schemes we accept in CertificateVerify (signature_algorithms), in preference order.
inline const std::vector<signature_scheme>& default_signature_schemes() {
    static const std::vector<signature_scheme> schemes = {
        signature_scheme::ecdsa_secp256r1_sha256, signature_scheme::ecdsa_secp384r1_sha384,
        signature_scheme::rsa_pss_rsae_sha256,    signature_scheme::rsa_pss_rsae_sha384,
        signature_scheme::rsa_pss_rsae_sha512,
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

/// RFC 8446 §4.4.3: the signed content is 64 spaces, the context string, a zero byte and the
/// transcript hash.
inline byte_vector certificate_verify_content(const hash_value& transcript, bool server = true) {
    constexpr std::string_view server_context = "TLS 1.3, server CertificateVerify";
    constexpr std::string_view client_context = "TLS 1.3, client CertificateVerify";
    const std::string_view ctx = server ? server_context : client_context;
    byte_vector out(64, 0x20);
    out.insert(out.end(), ctx.begin(), ctx.end());
    out.push_back(0);
    out.insert(out.end(), transcript.view().begin(), transcript.view().end());
    return out;
}

/// Verify `signature` over `content` with the public key of the DER certificate `leaf` under
/// `scheme`. A key that does not fit the scheme is `tls_illegal_parameter`; a signature that
/// does not verify is `bad_signature` (sent as decrypt_error).
inline status verify_signature(signature_scheme scheme, bytes_view leaf, bytes_view content,
                               bytes_view signature) {
    (void)scheme;
    (void)leaf;
    (void)content;
    (void)signature;
    return errc::unsupported_algorithm; // wired to x509 + rsa + ecdsa when they land
}

} // namespace https::tls
