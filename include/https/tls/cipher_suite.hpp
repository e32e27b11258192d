// Cipher suites: code points and what each one fixes (AEAD, key length, handshake hash).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace https::tls {

/// CipherSuite code points. TLS 1.3 suites (RFC 8446 §B.4) name only the AEAD and the hash;
/// the TLS 1.2 work adds its suites here.
enum class cipher_suite : std::uint16_t {
    tls_aes_128_gcm_sha256 = 0x1301,
    tls_aes_256_gcm_sha384 = 0x1302,
    tls_chacha20_poly1305_sha256 = 0x1303,

    // TLS 1.2 (RFC 5289, RFC 7905, RFC 5288, RFC 5246 §A.5); what each fixes is in
    // tls12_cipher_suites.hpp.
    tls_ecdhe_ecdsa_with_aes_128_gcm_sha256 = 0xc02b,
    tls_ecdhe_rsa_with_aes_128_gcm_sha256 = 0xc02f,
    tls_ecdhe_ecdsa_with_aes_256_gcm_sha384 = 0xc02c,
    tls_ecdhe_rsa_with_aes_256_gcm_sha384 = 0xc030,
    tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256 = 0xcca9,
    tls_ecdhe_rsa_with_chacha20_poly1305_sha256 = 0xcca8,
    tls_ecdhe_ecdsa_with_aes_128_cbc_sha256 = 0xc023,
    tls_ecdhe_rsa_with_aes_128_cbc_sha256 = 0xc027,
    tls_ecdhe_ecdsa_with_aes_256_cbc_sha384 = 0xc024,
    tls_ecdhe_rsa_with_aes_256_cbc_sha384 = 0xc028,
    tls_rsa_with_aes_256_gcm_sha384 = 0x009d,
    tls_rsa_with_aes_128_gcm_sha256 = 0x009c,
    tls_rsa_with_aes_256_cbc_sha256 = 0x003d,
};

/// The hash of the transcript, HKDF and Finished MAC.
enum class hash_algorithm : std::uint8_t { sha256, sha384 };

inline constexpr std::size_t hash_length(hash_algorithm h) noexcept {
    return h == hash_algorithm::sha256 ? 32 : 48;
}

/// The record-protection algorithm of a suite.
enum class aead_algorithm : std::uint8_t { aes_128_gcm, aes_256_gcm, chacha20_poly1305 };

inline constexpr std::size_t aead_key_length(aead_algorithm a) noexcept {
    return a == aead_algorithm::aes_128_gcm ? 16 : 32;
}

struct suite_info {
    cipher_suite suite;
    aead_algorithm aead;
    hash_algorithm hash;
};

/// What a TLS 1.3 suite fixes, or nothing for a code point that is not a TLS 1.3 suite we
/// implement.
inline constexpr std::optional<suite_info> tls13_suite_info(std::uint16_t code) noexcept {
    switch (code) {
    case 0x1301:
        return suite_info{cipher_suite::tls_aes_128_gcm_sha256, aead_algorithm::aes_128_gcm,
                          hash_algorithm::sha256};
    case 0x1302:
        return suite_info{cipher_suite::tls_aes_256_gcm_sha384, aead_algorithm::aes_256_gcm,
                          hash_algorithm::sha384};
    case 0x1303:
        return suite_info{cipher_suite::tls_chacha20_poly1305_sha256,
                          aead_algorithm::chacha20_poly1305, hash_algorithm::sha256};
    default:
        return std::nullopt;
    }
}

inline const char* describe(cipher_suite s) noexcept {
    switch (s) {
    case cipher_suite::tls_aes_128_gcm_sha256:
        return "TLS_AES_128_GCM_SHA256";
    case cipher_suite::tls_aes_256_gcm_sha384:
        return "TLS_AES_256_GCM_SHA384";
    case cipher_suite::tls_chacha20_poly1305_sha256:
        return "TLS_CHACHA20_POLY1305_SHA256";
    case cipher_suite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256:
        return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    case cipher_suite::tls_ecdhe_rsa_with_aes_128_gcm_sha256:
        return "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    case cipher_suite::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384:
        return "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    case cipher_suite::tls_ecdhe_rsa_with_aes_256_gcm_sha384:
        return "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
    case cipher_suite::tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256:
        return "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
    case cipher_suite::tls_ecdhe_rsa_with_chacha20_poly1305_sha256:
        return "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
    case cipher_suite::tls_ecdhe_ecdsa_with_aes_128_cbc_sha256:
        return "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256";
    case cipher_suite::tls_ecdhe_rsa_with_aes_128_cbc_sha256:
        return "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256";
    case cipher_suite::tls_ecdhe_ecdsa_with_aes_256_cbc_sha384:
        return "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384";
    case cipher_suite::tls_ecdhe_rsa_with_aes_256_cbc_sha384:
        return "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384";
    case cipher_suite::tls_rsa_with_aes_256_gcm_sha384:
        return "TLS_RSA_WITH_AES_256_GCM_SHA384";
    case cipher_suite::tls_rsa_with_aes_128_gcm_sha256:
        return "TLS_RSA_WITH_AES_128_GCM_SHA256";
    case cipher_suite::tls_rsa_with_aes_256_cbc_sha256:
        return "TLS_RSA_WITH_AES_256_CBC_SHA256";
    }
    return "unknown";
}

} // namespace https::tls
