// Cipher suites: one table holding every fact about each suite we implement (code point, IANA
// name, version, key exchange, record cipher, hash, key-block lengths), in our preference order.
// The offer lists, the record-protection factories and the names printed by `-v` all read it.
#pragma once

#include "extensions.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace https::tls {

/// CipherSuite code points: TLS 1.3 (RFC 8446 §B.4) and TLS 1.2 (RFC 5289, RFC 7905, RFC 5288,
/// RFC 5246 §A.5).
enum class cipher_suite : std::uint16_t {
    tls_aes_128_gcm_sha256 = 0x1301,
    tls_aes_256_gcm_sha384 = 0x1302,
    tls_chacha20_poly1305_sha256 = 0x1303,
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

/// The hash of the transcript, HKDF or PRF, Finished MAC (and, for CBC suites, the record HMAC).
enum class hash_algorithm : std::uint8_t { sha256, sha384 };

inline constexpr std::size_t hash_length(hash_algorithm h) noexcept {
    return h == hash_algorithm::sha256 ? 32 : 48;
}

/// How a suite protects records. TLS 1.3 suites use the three AEADs only.
enum class record_cipher : std::uint8_t {
    aes_128_gcm,       ///< TLS 1.2: RFC 5288, 4-byte implicit salt + 8-byte explicit nonce
    aes_256_gcm,       ///< RFC 5288
    chacha20_poly1305, ///< TLS 1.2: RFC 7905, 12-byte IV XOR sequence number
    aes_128_cbc,       ///< TLS 1.2 only: RFC 5246 §6.2.3.2, explicit IV, HMAC (or RFC 7366)
    aes_256_cbc,
};

/// How the premaster secret is agreed and what the certificate key must be.
enum class key_exchange_kind : std::uint8_t {
    tls13,       ///< TLS 1.3: not fixed by the suite (key_share and signature_algorithms)
    ecdhe_ecdsa, ///< ephemeral ECDH signed with the certificate's ECDSA key (RFC 8422)
    ecdhe_rsa,   ///< ephemeral ECDH signed with the certificate's RSA key (RFC 8422)
    rsa,         ///< premaster encrypted to the certificate's RSA key (RFC 5246 §7.4.7.1)
};

/// Everything a suite fixes: one row of `cipher_suites`. Lengths are those of the TLS 1.2 key
/// block (RFC 5246 §6.3); for TLS 1.3 suites the key and IV lengths of §7.3.
struct cipher_suite_info {
    cipher_suite suite{};
    std::string_view name;
    protocol_version version{};
    key_exchange_kind key_exchange{};
    record_cipher cipher{};
    hash_algorithm prf_hash{};      ///< PRF or HKDF, transcript and (for CBC) HMAC hash
    std::size_t mac_key_length = 0; ///< 0 for AEAD suites
    std::size_t enc_key_length = 0;
    std::size_t fixed_iv_length = 0; ///< implicit IV part from the key block (AEAD only)

    [[nodiscard]] constexpr bool is_cbc() const noexcept {
        return cipher == record_cipher::aes_128_cbc || cipher == record_cipher::aes_256_cbc;
    }
    [[nodiscard]] constexpr bool is_ecdhe() const noexcept {
        return key_exchange != key_exchange_kind::rsa;
    }
    /// Total key block length: two MAC keys, two encryption keys, two fixed IVs.
    [[nodiscard]] constexpr std::size_t key_block_length() const noexcept {
        return 2 * (mac_key_length + enc_key_length + fixed_iv_length);
    }
};

/// Every suite we implement, in our preference order within each version. TLS 1.2: forward-secret
/// AEAD first (AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305), then forward-secret CBC, then the RSA
/// key exchange (no forward secrecy) for servers that offer nothing else.
inline constexpr std::array<cipher_suite_info, 16> cipher_suites = [] {
    using s = cipher_suite;
    using k = key_exchange_kind;
    using c = record_cipher;
    constexpr auto v13 = protocol_version::tls13;
    constexpr auto v12 = protocol_version::tls12;
    constexpr auto sha256 = hash_algorithm::sha256;
    constexpr auto sha384 = hash_algorithm::sha384;
    return std::array<cipher_suite_info, 16>{{
        // RFC 8446 §B.4; §5.3: iv_length 12.
        {s::tls_aes_128_gcm_sha256, "TLS_AES_128_GCM_SHA256", v13, k::tls13, c::aes_128_gcm,
         sha256, 0, 16, 12},
        {s::tls_aes_256_gcm_sha384, "TLS_AES_256_GCM_SHA384", v13, k::tls13, c::aes_256_gcm,
         sha384, 0, 32, 12},
        {s::tls_chacha20_poly1305_sha256, "TLS_CHACHA20_POLY1305_SHA256", v13, k::tls13,
         c::chacha20_poly1305, sha256, 0, 32, 12},
        // RFC 5289 §3.2 (GCM) and RFC 5288 §3: fixed_iv_length 4 (the salt).
        {s::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
         v12, k::ecdhe_ecdsa, c::aes_128_gcm, sha256, 0, 16, 4},
        {s::tls_ecdhe_rsa_with_aes_128_gcm_sha256, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", v12,
         k::ecdhe_rsa, c::aes_128_gcm, sha256, 0, 16, 4},
        {s::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
         v12, k::ecdhe_ecdsa, c::aes_256_gcm, sha384, 0, 32, 4},
        {s::tls_ecdhe_rsa_with_aes_256_gcm_sha384, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", v12,
         k::ecdhe_rsa, c::aes_256_gcm, sha384, 0, 32, 4},
        // RFC 7905 §2: fixed_iv_length 12.
        {s::tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256,
         "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", v12, k::ecdhe_ecdsa,
         c::chacha20_poly1305, sha256, 0, 32, 12},
        {s::tls_ecdhe_rsa_with_chacha20_poly1305_sha256,
         "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", v12, k::ecdhe_rsa, c::chacha20_poly1305,
         sha256, 0, 32, 12},
        // RFC 5289 §3.1 (CBC with HMAC-SHA256/384). RFC 5246 §6.3: no IV comes from the key block
        // for CBC in TLS 1.2 (each record carries its own).
        {s::tls_ecdhe_ecdsa_with_aes_128_cbc_sha256, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
         v12, k::ecdhe_ecdsa, c::aes_128_cbc, sha256, 32, 16, 0},
        {s::tls_ecdhe_rsa_with_aes_128_cbc_sha256, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", v12,
         k::ecdhe_rsa, c::aes_128_cbc, sha256, 32, 16, 0},
        {s::tls_ecdhe_ecdsa_with_aes_256_cbc_sha384, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
         v12, k::ecdhe_ecdsa, c::aes_256_cbc, sha384, 48, 32, 0},
        {s::tls_ecdhe_rsa_with_aes_256_cbc_sha384, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", v12,
         k::ecdhe_rsa, c::aes_256_cbc, sha384, 48, 32, 0},
        // RFC 5288 §3 and RFC 5246 §A.5 (the RSA key exchange).
        {s::tls_rsa_with_aes_256_gcm_sha384, "TLS_RSA_WITH_AES_256_GCM_SHA384", v12, k::rsa,
         c::aes_256_gcm, sha384, 0, 32, 4},
        {s::tls_rsa_with_aes_128_gcm_sha256, "TLS_RSA_WITH_AES_128_GCM_SHA256", v12, k::rsa,
         c::aes_128_gcm, sha256, 0, 16, 4},
        {s::tls_rsa_with_aes_256_cbc_sha256, "TLS_RSA_WITH_AES_256_CBC_SHA256", v12, k::rsa,
         c::aes_256_cbc, sha256, 32, 32, 0},
    }};
}();

/// The row of a code point, or null for one we do not implement (for `version`, if given).
inline constexpr const cipher_suite_info*
find_cipher_suite(std::uint16_t code, std::optional<protocol_version> version = {}) noexcept {
    for (const auto& row : cipher_suites) {
        if (static_cast<std::uint16_t>(row.suite) == code && (!version || row.version == *version)) {
            return &row;
        }
    }
    return nullptr;
}

/// The IANA name of a suite we implement, for diagnostics (curl -v style output).
inline constexpr std::string_view cipher_suite_name(std::uint16_t code) noexcept {
    const cipher_suite_info* row = find_cipher_suite(code);
    return row != nullptr ? row->name : "unknown cipher suite";
}

/// Our suites of `version`, in preference order: the default offer.
inline std::vector<cipher_suite> default_cipher_suites(protocol_version version) {
    std::vector<cipher_suite> out;
    for (const auto& row : cipher_suites) {
        if (row.version == version) {
            out.push_back(row.suite);
        }
    }
    return out;
}

} // namespace https::tls
