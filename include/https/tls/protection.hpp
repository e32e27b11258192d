// The record protections a client may switch to (one list, for both versions), and the factories
// that build one from a suite's row of the cipher-suite table: from a traffic secret in TLS 1.3,
// from the key block in TLS 1.2.
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../core/result.hpp"
#include "../crypto/chacha20_poly1305.hpp"
#include "../crypto/gcm.hpp"
#include "cipher_suite.hpp"
#include "key_schedule.hpp"
#include "record_layer.hpp"
#include "record_protection.hpp"
#include "tls12_key_schedule.hpp"
#include "tls12_record_protection.hpp"

#include <cstdint>
#include <span>
#include <type_traits>

namespace https::tls {

/// The record layer of a client: plaintext, one of the TLS 1.3 AEADs, or a TLS 1.2 protection.
using record_layer =
    basic_record_layer<tls13_aead_protection<crypto::aes128_gcm>,
                       tls13_aead_protection<crypto::aes256_gcm>,
                       tls13_aead_protection<crypto::chacha20_poly1305>,
                       tls12_aes128_gcm_protection, tls12_aes256_gcm_protection,
                       tls12_chacha20_poly1305_protection, tls12_aes128_cbc_sha256_protection,
                       tls12_aes256_cbc_sha256_protection, tls12_aes256_cbc_sha384_protection>;

/// The TLS 1.3 record protection of `suite` for one traffic secret (RFC 8446 §7.3).
/// Exhaustive switches choose it, once per key change (a new cipher is a -Wswitch warning); a
/// value outside the enumeration, or a TLS 1.2-only cipher, is `errc::tls_internal_error`, never
/// a plaintext or default protection.
/// CT: the traffic secret and derived keys are secret; lengths only.
inline result<record_layer::protection> make_tls13_protection(const cipher_suite_info& suite,
                                                              const secret& traffic) {
    const auto make = [&]<class Aead>(std::type_identity<Aead>) {
        const traffic_keys k = derive_traffic_keys(suite.prf_hash, traffic, Aead::key_size);
        return result<record_layer::protection>(
            record_layer::protection(tls13_aead_protection<Aead>(
                std::span<const std::uint8_t, Aead::key_size>(k.key.data(), Aead::key_size),
                k.iv.span())));
    };
    switch (suite.cipher) {
    case record_cipher::aes_128_gcm:
        return make(std::type_identity<crypto::aes128_gcm>{});
    case record_cipher::aes_256_gcm:
        return make(std::type_identity<crypto::aes256_gcm>{});
    case record_cipher::chacha20_poly1305:
        return make(std::type_identity<crypto::chacha20_poly1305>{});
    case record_cipher::aes_128_cbc: // TLS 1.2 only
    case record_cipher::aes_256_cbc:
        break;
    }
    return errc::tls_internal_error;
}

/// The TLS 1.2 protection of one direction from the key block (RFC 5246 §6.3). `iv_key` keys the
/// CBC record IV generator of a direction we write (see tls12_cbc_protection). Fails closed as
/// `make_tls13_protection` does.
/// CT: keys are secret; lengths only.
inline result<record_layer::protection>
make_tls12_protection(const cipher_suite_info& suite, const tls12_key_block& kb, bool client_write,
                      bool encrypt_then_mac, std::span<const std::uint8_t, 32> iv_key) {
    using p = record_layer::protection;
    const bytes_view key = client_write ? kb.client_write_key() : kb.server_write_key();
    const bytes_view iv = client_write ? kb.client_write_iv() : kb.server_write_iv();
    const bytes_view mac = client_write ? kb.client_mac_key() : kb.server_mac_key();
    auto k16 = [&] { return std::span<const std::uint8_t, 16>(key.data(), 16); };
    auto k32 = [&] { return std::span<const std::uint8_t, 32>(key.data(), 32); };
    switch (suite.cipher) {
    case record_cipher::aes_128_gcm:
        return p(tls12_aes128_gcm_protection(k16(), std::span<const std::uint8_t, 4>(iv.data(), 4)));
    case record_cipher::aes_256_gcm:
        return p(tls12_aes256_gcm_protection(k32(), std::span<const std::uint8_t, 4>(iv.data(), 4)));
    case record_cipher::chacha20_poly1305:
        return p(tls12_chacha20_poly1305_protection(
            k32(), std::span<const std::uint8_t, 12>(iv.data(), 12)));
    case record_cipher::aes_128_cbc:
        return p(
            tls12_aes128_cbc_sha256_protection(k16(), mac, iv_key.first<16>(), encrypt_then_mac));
    case record_cipher::aes_256_cbc:
        switch (suite.prf_hash) {
        case hash_algorithm::sha256:
            return p(tls12_aes256_cbc_sha256_protection(k32(), mac, iv_key, encrypt_then_mac));
        case hash_algorithm::sha384:
            return p(tls12_aes256_cbc_sha384_protection(k32(), mac, iv_key, encrypt_then_mac));
        }
        break;
    }
    return errc::tls_internal_error;
}

} // namespace https::tls
