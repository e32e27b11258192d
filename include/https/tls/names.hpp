// IANA names of TLS code points, for diagnostics (curl -v style output, error messages); a
// suite's name is in its row of the cipher-suite table (cipher_suite.hpp).
#pragma once

#include <cstdint>
#include <string_view>

namespace https::tls {

/// The IANA name of a named group (key-exchange curve) code point.
inline std::string_view named_group_name(std::uint16_t code) noexcept {
    switch (code) {
    case 0x0017: return "secp256r1";
    case 0x0018: return "secp384r1";
    case 0x0019: return "secp521r1";
    case 0x001d: return "x25519";
    case 0x001e: return "x448";
    default: return "unknown group";
    }
}

/// The IANA name of a signature scheme code point (RFC 8446 §4.2.3).
inline std::string_view signature_scheme_name(std::uint16_t code) noexcept {
    switch (code) {
    case 0x0401: return "rsa_pkcs1_sha256";
    case 0x0501: return "rsa_pkcs1_sha384";
    case 0x0601: return "rsa_pkcs1_sha512";
    case 0x0403: return "ecdsa_secp256r1_sha256";
    case 0x0503: return "ecdsa_secp384r1_sha384";
    case 0x0603: return "ecdsa_secp521r1_sha512";
    case 0x0804: return "rsa_pss_rsae_sha256";
    case 0x0805: return "rsa_pss_rsae_sha384";
    case 0x0806: return "rsa_pss_rsae_sha512";
    case 0x0807: return "ed25519";
    case 0x0808: return "ed448";
    case 0x0809: return "rsa_pss_pss_sha256";
    case 0x080a: return "rsa_pss_pss_sha384";
    case 0x080b: return "rsa_pss_pss_sha512";
    case 0x0201: return "rsa_pkcs1_sha1";
    case 0x0203: return "ecdsa_sha1";
    default: return "unknown signature scheme";
    }
}

} // namespace https::tls
