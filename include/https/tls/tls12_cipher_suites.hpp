// TLS 1.2 cipher suites: what each one fixes (key exchange, certificate key, record protection,
// PRF hash, key-block lengths), our default preference order, and the code points we parse.
#pragma once

#include "cipher_suite.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace https::tls {

/// How the premaster secret is agreed.
enum class tls12_key_exchange_kind : std::uint8_t {
    ecdhe_ecdsa, ///< ephemeral ECDH signed with the certificate's ECDSA key (RFC 8422)
    ecdhe_rsa,   ///< ephemeral ECDH signed with the certificate's RSA key (RFC 8422)
    rsa,         ///< premaster encrypted to the certificate's RSA key (RFC 5246 §7.4.7.1)
};

/// How records are protected.
enum class tls12_cipher_kind : std::uint8_t {
    aes_128_gcm,       ///< RFC 5288: 4-byte implicit salt + 8-byte explicit nonce
    aes_256_gcm,       ///< RFC 5288
    chacha20_poly1305, ///< RFC 7905: 12-byte IV XOR sequence number, no explicit nonce
    aes_128_cbc,       ///< RFC 5246 §6.2.3.2: explicit IV, HMAC then encrypt (or RFC 7366)
    aes_256_cbc,
};

/// Everything a TLS 1.2 suite fixes. Lengths are those of the key block (RFC 5246 §6.3).
struct tls12_suite_info {
    cipher_suite suite{};
    tls12_key_exchange_kind key_exchange{};
    tls12_cipher_kind cipher{};
    hash_algorithm prf_hash{};      ///< PRF, transcript and (for CBC) HMAC hash
    std::size_t mac_key_length = 0; ///< 0 for AEAD suites
    std::size_t enc_key_length = 0;
    std::size_t fixed_iv_length = 0; ///< implicit IV part from the key block (AEAD only)

    [[nodiscard]] constexpr bool is_cbc() const noexcept {
        return cipher == tls12_cipher_kind::aes_128_cbc || cipher == tls12_cipher_kind::aes_256_cbc;
    }
    [[nodiscard]] constexpr bool is_ecdhe() const noexcept {
        return key_exchange != tls12_key_exchange_kind::rsa;
    }
    /// Total key block length: two MAC keys, two encryption keys, two fixed IVs.
    [[nodiscard]] constexpr std::size_t key_block_length() const noexcept {
        return 2 * (mac_key_length + enc_key_length + fixed_iv_length);
    }
};

/// What a TLS 1.2 suite fixes, or nothing for a code point that is not a TLS 1.2 suite we
/// implement.
inline constexpr std::optional<tls12_suite_info> tls12_suite_info_of(std::uint16_t code) noexcept {
    using k = tls12_key_exchange_kind;
    using c = tls12_cipher_kind;
    constexpr auto sha256 = hash_algorithm::sha256;
    constexpr auto sha384 = hash_algorithm::sha384;
    const auto s = static_cast<cipher_suite>(code);
    switch (s) {
    // RFC 5289 §3.2 (GCM) and RFC 5288 §3: fixed_iv_length 4 (the salt).
    case cipher_suite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256:
        return tls12_suite_info{s, k::ecdhe_ecdsa, c::aes_128_gcm, sha256, 0, 16, 4};
    case cipher_suite::tls_ecdhe_rsa_with_aes_128_gcm_sha256:
        return tls12_suite_info{s, k::ecdhe_rsa, c::aes_128_gcm, sha256, 0, 16, 4};
    case cipher_suite::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384:
        return tls12_suite_info{s, k::ecdhe_ecdsa, c::aes_256_gcm, sha384, 0, 32, 4};
    case cipher_suite::tls_ecdhe_rsa_with_aes_256_gcm_sha384:
        return tls12_suite_info{s, k::ecdhe_rsa, c::aes_256_gcm, sha384, 0, 32, 4};
    // RFC 7905 §2: fixed_iv_length 12.
    case cipher_suite::tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256:
        return tls12_suite_info{s, k::ecdhe_ecdsa, c::chacha20_poly1305, sha256, 0, 32, 12};
    case cipher_suite::tls_ecdhe_rsa_with_chacha20_poly1305_sha256:
        return tls12_suite_info{s, k::ecdhe_rsa, c::chacha20_poly1305, sha256, 0, 32, 12};
    // RFC 5289 §3.1 (CBC with HMAC-SHA256/384). RFC 5246 §6.3: no IV comes from the key block
    // for CBC in TLS 1.2 (each record carries its own).
    case cipher_suite::tls_ecdhe_ecdsa_with_aes_128_cbc_sha256:
        return tls12_suite_info{s, k::ecdhe_ecdsa, c::aes_128_cbc, sha256, 32, 16, 0};
    case cipher_suite::tls_ecdhe_rsa_with_aes_128_cbc_sha256:
        return tls12_suite_info{s, k::ecdhe_rsa, c::aes_128_cbc, sha256, 32, 16, 0};
    case cipher_suite::tls_ecdhe_ecdsa_with_aes_256_cbc_sha384:
        return tls12_suite_info{s, k::ecdhe_ecdsa, c::aes_256_cbc, sha384, 48, 32, 0};
    case cipher_suite::tls_ecdhe_rsa_with_aes_256_cbc_sha384:
        return tls12_suite_info{s, k::ecdhe_rsa, c::aes_256_cbc, sha384, 48, 32, 0};
    // RFC 5288 §3 and RFC 5246 §A.5 (the RSA key exchange).
    case cipher_suite::tls_rsa_with_aes_256_gcm_sha384:
        return tls12_suite_info{s, k::rsa, c::aes_256_gcm, sha384, 0, 32, 4};
    case cipher_suite::tls_rsa_with_aes_128_gcm_sha256:
        return tls12_suite_info{s, k::rsa, c::aes_128_gcm, sha256, 0, 16, 4};
    case cipher_suite::tls_rsa_with_aes_256_cbc_sha256:
        return tls12_suite_info{s, k::rsa, c::aes_256_cbc, sha256, 32, 32, 0};
    default:
        return std::nullopt;
    }
}

/// Our TLS 1.2 suites in preference order: forward-secret AEAD first (AES-128-GCM, AES-256-GCM,
/// ChaCha20-Poly1305), then forward-secret CBC, then the RSA key exchange (no forward secrecy)
/// for servers that offer nothing else.
inline std::vector<cipher_suite> default_tls12_cipher_suites() {
    using s = cipher_suite;
    return {
        s::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256,
        s::tls_ecdhe_rsa_with_aes_128_gcm_sha256,
        s::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384,
        s::tls_ecdhe_rsa_with_aes_256_gcm_sha384,
        s::tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256,
        s::tls_ecdhe_rsa_with_chacha20_poly1305_sha256,
        s::tls_ecdhe_ecdsa_with_aes_128_cbc_sha256,
        s::tls_ecdhe_rsa_with_aes_128_cbc_sha256,
        s::tls_ecdhe_ecdsa_with_aes_256_cbc_sha384,
        s::tls_ecdhe_rsa_with_aes_256_cbc_sha384,
        s::tls_rsa_with_aes_256_gcm_sha384,
        s::tls_rsa_with_aes_128_gcm_sha256,
        s::tls_rsa_with_aes_256_cbc_sha256,
    };
}

/// RFC 5746 §3.3: the signalling cipher suite value, an alternative to an empty
/// renegotiation_info extension (we send the extension; the SCSV is recognised in tests).
inline constexpr std::uint16_t tls_empty_renegotiation_info_scsv = 0x00ff;

} // namespace https::tls
