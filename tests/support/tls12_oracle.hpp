// Test-only TLS 1.2 record oracle on OpenSSL's libcrypto: AEAD and AES-CBC primitives, HMAC, the
// record additional data, and MAC-then-encrypt CBC payloads with a chosen (or spoiled) padding,
// so tests can build records independently of the library under test.
#pragma once

#include "vectors.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>

namespace test {

/// seq_num(8) || type || version 3,3 || length (RFC 5246 §6.2.3.1, §6.2.3.3).
inline bytes tls12_ad(std::uint64_t seq, std::uint8_t type, std::size_t len) {
    bytes ad(13);
    for (int i = 0; i < 8; ++i) {
        ad[i] = static_cast<std::uint8_t>(seq >> (56 - 8 * i));
    }
    ad[8] = type;
    ad[9] = 3;
    ad[10] = 3;
    ad[11] = static_cast<std::uint8_t>(len >> 8);
    ad[12] = static_cast<std::uint8_t>(len);
    return ad;
}

/// OpenSSL AEAD with a 12-byte nonce: seal returns ciphertext || tag; open returns the plaintext
/// or nothing when the tag fails.
inline std::optional<bytes> openssl_aead(const EVP_CIPHER* cipher, bool seal, const bytes& key,
                                         const bytes& nonce, const bytes& ad, const bytes& in) {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    REQUIRE(EVP_CipherInit_ex(ctx, cipher, nullptr, nullptr, nullptr, seal ? 1 : 0) == 1);
    REQUIRE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, nullptr) == 1);
    REQUIRE(EVP_CipherInit_ex(ctx, nullptr, nullptr, key.data(), nonce.data(), -1) == 1);
    int n = 0;
    REQUIRE(EVP_CipherUpdate(ctx, nullptr, &n, ad.data(), static_cast<int>(ad.size())) == 1);
    REQUIRE((seal || in.size() >= 16));
    const std::size_t body = seal ? in.size() : in.size() - 16;
    bytes out(body + 16);
    if (!seal) {
        bytes tag(in.end() - 16, in.end());
        REQUIRE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, tag.data()) == 1);
    }
    REQUIRE(EVP_CipherUpdate(ctx, out.data(), &n, in.data(), static_cast<int>(body)) == 1);
    int fin = 0;
    const bool ok = EVP_CipherFinal_ex(ctx, out.data() + n, &fin) == 1;
    if (seal) {
        REQUIRE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out.data() + body) == 1);
    }
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) {
        return std::nullopt;
    }
    if (!seal) {
        out.resize(body);
    }
    return out;
}

/// AES-CBC over whole blocks, no padding.
inline bytes openssl_cbc(bool encrypt, const bytes& key, const bytes& iv, const bytes& in) {
    const EVP_CIPHER* c = key.size() == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    REQUIRE(EVP_CipherInit_ex(ctx, c, nullptr, key.data(), iv.data(), encrypt ? 1 : 0) == 1);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    bytes out(in.size());
    int n = 0;
    REQUIRE(EVP_CipherUpdate(ctx, out.data(), &n, in.data(), static_cast<int>(in.size())) == 1);
    int fin = 0;
    REQUIRE(EVP_CipherFinal_ex(ctx, out.data() + n, &fin) == 1);
    EVP_CIPHER_CTX_free(ctx);
    return out;
}

inline bytes openssl_hmac(const EVP_MD* md, const bytes& key, const bytes& data) {
    bytes out(EVP_MAX_MD_SIZE);
    unsigned len = 0;
    REQUIRE(HMAC(md, key.data(), static_cast<int>(key.size()), data.data(), data.size(), out.data(),
                 &len) != nullptr);
    out.resize(len);
    return out;
}

/// How to spoil a MAC-then-encrypt record built by the oracle.
enum class spoil { none, mac, padding_byte, padding_too_long };

/// A MAC-then-encrypt CBC payload (IV || ciphertext, RFC 5246 §6.2.3.2) built by OpenSSL with
/// `pad` padding bytes, optionally spoiled.
inline bytes oracle_mte(const EVP_MD* md, const bytes& key, const bytes& mac_key, std::uint64_t seq,
                        std::uint8_t type, const bytes& content, std::size_t pad, spoil how,
                        const bytes& iv) {
    bytes mac_input = tls12_ad(seq, type, content.size());
    mac_input.insert(mac_input.end(), content.begin(), content.end());
    bytes mac = openssl_hmac(md, mac_key, mac_input);
    if (how == spoil::mac) {
        mac[mac.size() / 2] ^= 0x01;
    }
    bytes plain = content;
    plain.insert(plain.end(), mac.begin(), mac.end());
    plain.insert(plain.end(), pad + 1, static_cast<std::uint8_t>(pad));
    REQUIRE(plain.size() % 16 == 0);
    if (how == spoil::padding_byte) {
        REQUIRE(pad >= 1);
        plain[plain.size() - 1 - pad] ^= 0x80; // the first padding byte
    }
    if (how == spoil::padding_too_long) {
        plain.back() = 255; // claims more padding than the record holds past the MAC
    }
    bytes out = iv;
    const bytes c = openssl_cbc(true, key, iv, plain);
    out.insert(out.end(), c.begin(), c.end());
    return out;
}

} // namespace test
