// The AES-128 and AES-256 block ciphers (FIPS 197): aes128 and aes256, each backed at run time by
// AES-NI or by a portable constant-time bitsliced implementation.
#pragma once

#include "../core/bytes.hpp"
#include "../core/cpu.hpp"
#include "../core/ct.hpp"
#include "block_cipher.hpp"
#include "detail/aes_ct64.hpp"
#include "detail/aes_ni.hpp"

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>

namespace https::crypto {
namespace detail {

struct aes_internals;

/// AES with a `KeyBytes`-byte key (16 or 32). The implementation (AES-NI or the bitsliced
/// portable code) is chosen when the key is set, from https::detail::cpu(); both give identical
/// results. The key schedule is wiped on destruction.
template <std::size_t KeyBytes> class aes_cipher {
    static_assert(KeyBytes == 16 || KeyBytes == 32, "AES-128 and AES-256 only");

  public:
    static constexpr std::size_t key_size = KeyBytes;
    static constexpr std::size_t block_size = 16;
    static constexpr unsigned rounds = static_cast<unsigned>(KeyBytes / 4 + 6);

    /// Expand `key` (FIPS 197 §5.2). CT: no branch or index depends on the key.
    explicit aes_cipher(std::span<const std::uint8_t, KeyBytes> key) noexcept {
        ct::secret_array<16 * (rounds + 1)> round_keys;
        aes_expand_key<rounds>(key.data(), round_keys.data());
#if defined(__x86_64__) || defined(__i386__)
        aesni_ = aesni_usable(https::detail::cpu()); // NOLINT(cppcoreguidelines-prefer-member-initializer): x86 only
        if (aesni_) {
            aesni_prepare_keys(round_keys.data(), rounds, ni_bytes(),
                               ni_bytes() + ni_schedule_size);
            return;
        }
#endif
        aes_ct_plane_keys<rounds>(round_keys.data(), keys_.data());
    }

    aes_cipher(const aes_cipher&) = default;
    aes_cipher& operator=(const aes_cipher&) = default;
    aes_cipher(aes_cipher&&) noexcept = default;
    aes_cipher& operator=(aes_cipher&&) noexcept = default;
    ~aes_cipher() {
        ct::wipe(keys_);
    }

    /// Encrypt one block. CT: constant time.
    void encrypt_block(std::span<const std::uint8_t, 16> in,
                       std::span<std::uint8_t, 16> out) const noexcept {
        encrypt(in.data(), out.data(), 1);
    }
    /// Decrypt one block. CT: constant time.
    void decrypt_block(std::span<const std::uint8_t, 16> in,
                       std::span<std::uint8_t, 16> out) const noexcept {
        decrypt(in.data(), out.data(), 1);
    }
    /// Encrypt whole blocks, several in parallel (ECB; the building block of modes).
    /// CT: time depends on the length only.
    void encrypt_blocks(bytes_view in, mutable_bytes out) const noexcept {
        assert(in.size() == out.size() && in.size() % 16 == 0);
        encrypt(in.data(), out.data(), in.size() / 16);
    }
    /// Decrypt whole blocks, several in parallel. CT: time depends on the length only.
    void decrypt_blocks(bytes_view in, mutable_bytes out) const noexcept {
        assert(in.size() == out.size() && in.size() % 16 == 0);
        decrypt(in.data(), out.data(), in.size() / 16);
    }

  private:
    friend struct aes_internals;

    // Either 8 (rounds + 1) bitsliced round-key words, or the AES-NI encryption schedule
    // followed by the decryption schedule (16 (rounds + 1) bytes each, which fits).
    static constexpr std::size_t ni_schedule_size = 16 * (rounds + 1);

    std::uint8_t* ni_bytes() noexcept {
        return reinterpret_cast<std::uint8_t*>(keys_.data());
    }
    const std::uint8_t* ni_bytes() const noexcept {
        return reinterpret_cast<const std::uint8_t*>(keys_.data());
    }

    /// CT: branches on the public implementation choice and block count only.
    void encrypt(const std::uint8_t* in, std::uint8_t* out, std::size_t blocks) const noexcept {
#if defined(__x86_64__) || defined(__i386__)
        if (aesni_) {
            aesni_encrypt(ni_bytes(), rounds, in, out, blocks);
            return;
        }
#endif
        aes_ct_encrypt<rounds>(keys_.data(), in, out, blocks);
    }

    /// CT: branches on the public implementation choice and block count only.
    void decrypt(const std::uint8_t* in, std::uint8_t* out, std::size_t blocks) const noexcept {
#if defined(__x86_64__) || defined(__i386__)
        if (aesni_) {
            aesni_decrypt(ni_bytes() + ni_schedule_size, rounds, in, out, blocks);
            return;
        }
#endif
        aes_ct_decrypt<rounds>(keys_.data(), in, out, blocks);
    }

    alignas(16) std::array<std::uint64_t, 8 * (rounds + 1)> keys_{};
    bool aesni_ = false;
};

/// What this library's modes (gcm.hpp, cbc.hpp) may see of an AES key: the AES-NI schedules,
/// so that CTR and GHASH can run in one pass. Not part of the public API.
struct aes_internals {
    /// The AES-NI encryption schedule, or null when the key uses the portable path.
    template <std::size_t K>
    static const std::uint8_t* ni_encryption_keys(const aes_cipher<K>& c) noexcept {
        return c.aesni_ ? c.ni_bytes() : nullptr;
    }
    /// The AES-NI decryption schedule, or null when the key uses the portable path.
    template <std::size_t K>
    static const std::uint8_t* ni_decryption_keys(const aes_cipher<K>& c) noexcept {
        return c.aesni_ ? c.ni_bytes() + aes_cipher<K>::ni_schedule_size : nullptr;
    }
};

/// Whether `C` is one of this file's AES ciphers (so its internals may be used).
template <class C>
concept aes_based = std::derived_from<C, aes_cipher<16>> || std::derived_from<C, aes_cipher<32>>;

} // namespace detail

/// AES-128 (FIPS 197): 16-byte key, 16-byte blocks, 10 rounds.
class aes128 final : public detail::aes_cipher<16> {
  public:
    using aes_cipher::aes_cipher;
};

/// AES-256 (FIPS 197): 32-byte key, 16-byte blocks, 14 rounds.
class aes256 final : public detail::aes_cipher<32> {
  public:
    using aes_cipher::aes_cipher;
};

static_assert(block_cipher<aes128> && block_cipher<aes256>);

} // namespace https::crypto
