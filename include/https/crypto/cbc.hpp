// CBC mode (NIST SP 800-38A §6.2) over whole blocks for any block_cipher, and PKCS#7 padding
// (RFC 5652 §6.3) with a constant-time check.
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../core/result.hpp"
#include "aes.hpp"
#include "block_cipher.hpp"

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace https::crypto {

/// CBC-encrypt whole blocks: C_i = E(P_i ^ C_i-1), C_0 = E(P_0 ^ iv). `in.size() == out.size()`,
/// a multiple of 16 (no padding is added: see pkcs7_pad); in place allowed. The next record's
/// chaining value, if wanted, is the last ciphertext block.
/// CT: time depends on the length only.
template <block_cipher BlockCipher>
void cbc_encrypt(const BlockCipher& cipher, std::span<const std::uint8_t, 16> iv, bytes_view in,
                 mutable_bytes out) noexcept {
    assert(in.size() == out.size() && in.size() % 16 == 0);
    const std::size_t blocks = in.size() / 16;
#if defined(__x86_64__) || defined(__i386__)
    if constexpr (detail::aes_based<BlockCipher>) {
        if (const std::uint8_t* keys = detail::aes_internals::ni_encryption_keys(cipher)) {
            std::array<std::uint8_t, 16> chain{};
            std::memcpy(chain.data(), iv.data(), 16);
            detail::aesni_cbc_encrypt(keys, BlockCipher::rounds, chain.data(), in.data(),
                                      out.data(), blocks);
            return;
        }
    }
#endif
    std::array<std::uint8_t, 16> x{};
    const std::uint8_t* prev = iv.data();
    for (std::size_t i = 0; i < blocks; ++i) {
        for (std::size_t j = 0; j < 16; ++j) {
            x[j] = static_cast<std::uint8_t>(in[16 * i + j] ^ prev[j]);
        }
        auto dst = out.subspan(16 * i).template first<16>();
        cipher.encrypt_block(x, dst);
        prev = dst.data();
    }
    ct::wipe(x);
}

/// CBC-decrypt whole blocks: P_i = D(C_i) ^ C_i-1, with C_-1 = iv. `in.size() == out.size()`, a
/// multiple of 16; in place allowed. Padding is left for the caller (pkcs7_unpad, or the TLS
/// 1.2 record layer's own check). Blocks are decrypted several at a time.
/// CT: time depends on the length only.
template <block_cipher BlockCipher>
void cbc_decrypt(const BlockCipher& cipher, std::span<const std::uint8_t, 16> iv, bytes_view in,
                 mutable_bytes out) noexcept {
    assert(in.size() == out.size() && in.size() % 16 == 0);
    std::size_t blocks = in.size() / 16;
    std::array<std::uint8_t, 16> prev{};
    std::memcpy(prev.data(), iv.data(), 16);
#if defined(__x86_64__) || defined(__i386__)
    if constexpr (detail::aes_based<BlockCipher>) {
        if (const std::uint8_t* keys = detail::aes_internals::ni_decryption_keys(cipher)) {
            detail::aesni_cbc_decrypt(keys, BlockCipher::rounds, prev.data(), in.data(), out.data(),
                                      blocks);
            return;
        }
    }
#endif
    // Eight blocks at a time: keep the ciphertext (it is both the chaining value and, in place,
    // about to be overwritten), decrypt the batch in parallel, then chain.
    constexpr std::size_t batch = 8;
    std::array<std::uint8_t, 16 * batch> c{};
    const std::uint8_t* src = in.data();
    std::uint8_t* dst = out.data();
    while (blocks > 0) {
        const std::size_t n = blocks < batch ? blocks : batch;
        std::memcpy(c.data(), src, 16 * n);
        cipher.decrypt_blocks(bytes_view(c.data(), 16 * n), mutable_bytes(dst, 16 * n));
        for (std::size_t j = 0; j < 16; ++j) {
            dst[j] ^= prev[j];
        }
        for (std::size_t j = 16; j < 16 * n; ++j) {
            dst[j] ^= c[j - 16];
        }
        std::memcpy(prev.data(), c.data() + 16 * (n - 1), 16);
        src += 16 * n;
        dst += 16 * n;
        blocks -= n;
    }
}

/// Append PKCS#7 padding (RFC 5652 §6.3): after the `len` data bytes at the front of `buffer`,
/// write k = BlockSize - len % BlockSize bytes of value k (1..BlockSize). Returns the padded
/// length; `buffer` must have room for it. CT: time depends on the length only.
template <std::size_t BlockSize = 16>
[[nodiscard]] std::size_t pkcs7_pad(mutable_bytes buffer, std::size_t len) noexcept {
    static_assert(BlockSize >= 1 && BlockSize <= 255);
    const std::size_t k = BlockSize - len % BlockSize;
    assert(buffer.size() >= len + k);
    std::memset(buffer.data() + len, static_cast<int>(k), k);
    return len + k;
}

/// The data length inside PKCS#7-padded `padded`, or `errc::bad_padding` when `padded` is empty,
/// not a multiple of BlockSize, or its padding is malformed.
/// CT: the time depends on padded.size() only; which byte was wrong, and the pad value when the
/// padding is bad, do not leak (a valid pad value is revealed by the returned length).
template <std::size_t BlockSize = 16>
[[nodiscard]] result<std::size_t> pkcs7_unpad(bytes_view padded) noexcept {
    static_assert(BlockSize >= 1 && BlockSize <= 255);
    if (padded.empty() || padded.size() % BlockSize != 0) {
        return errc::bad_padding; // lengths are public
    }
    using m32 = ct::mask<std::uint32_t>;
    const std::uint8_t* last = padded.data() + padded.size() - BlockSize;
    const std::uint32_t pad = last[BlockSize - 1];
    m32 bad = m32::is_zero(pad) | m32::less(static_cast<std::uint32_t>(BlockSize), pad);
    for (std::uint32_t i = 0; i < BlockSize; ++i) {
        // the i-th byte from the end must equal `pad` when i < pad
        const m32 in_pad = m32::less(i, pad);
        bad = bad | (in_pad & ~m32::equal(last[BlockSize - 1 - i], pad));
    }
    if (bad.declassify()) {
        return errc::bad_padding;
    }
    std::size_t data_len = padded.size() - pad;
    ct::unpoison(&data_len, sizeof data_len); // the length of valid data is public
    return data_len;
}

} // namespace https::crypto
