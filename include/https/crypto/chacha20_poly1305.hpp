// AEAD_CHACHA20_POLY1305 (RFC 8439 §2.8), the TLS 1.3 suite TLS_CHACHA20_POLY1305_SHA256.
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../core/result.hpp"
#include "aead.hpp"
#include "chacha20.hpp"
#include "poly1305.hpp"

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace https::crypto {

namespace detail {

/// RFC 8439 §2.8: the Poly1305 input is ad || pad16 || ciphertext || pad16 || le64(|ad|) ||
/// le64(|ciphertext|), under the one-time key taken from block 0 of the cipher (§2.6).
/// CT: only the lengths steer branches and addresses.
inline void chacha20_poly1305_tag(std::span<const std::uint8_t, 32> otk, bytes_view ad,
                                  bytes_view ciphertext, std::span<std::uint8_t, 16> tag) noexcept {
    static constexpr std::array<std::uint8_t, 16> zeros{};
    poly1305 mac(otk);
    mac.update(ad);
    mac.update(std::span(zeros).first((16 - ad.size() % 16) % 16));
    mac.update(ciphertext);
    mac.update(std::span(zeros).first((16 - ciphertext.size() % 16) % 16));
    std::array<std::uint8_t, 16> lengths;
    https::detail::store_le64(lengths.data(), ad.size());
    https::detail::store_le64(lengths.data() + 8, ciphertext.size());
    mac.update(lengths);
    mac.finish(tag);
}

} // namespace detail

/// ChaCha20-Poly1305 (RFC 8439 §2.8) bound to a 256-bit key; satisfies `aead`.
/// `seal` writes ciphertext || 16-byte tag; `open` checks the tag in constant time before it
/// decrypts, and zero-fills `out` when the tag does not verify.
class chacha20_poly1305 {
  public:
    static constexpr std::size_t key_size = 32;
    static constexpr std::size_t nonce_size = 12;
    static constexpr std::size_t tag_size = 16;
    /// RFC 8439 §2.8: block 0 makes the Poly1305 key, so blocks 1 .. 2^32-1 of the 32-bit counter
    /// carry data: 274,877,906,880 bytes.
    static constexpr std::uint64_t max_plaintext_size = ((std::uint64_t{1} << 32) - 1) * 64;

    /// CT: copies the key.
    explicit chacha20_poly1305(std::span<const std::uint8_t, key_size> key) noexcept {
        std::memcpy(key_.data(), key.data(), key_size);
    }

    /// Encrypt and authenticate: `out.size() == plaintext.size() + tag_size`, in place allowed.
    /// Errors: `bad_nonce_size` (nonce not 12 bytes), `message_too_long` (beyond the counter);
    /// `out` is untouched then.
    /// CT: only the lengths steer branches and addresses.
    [[nodiscard]] status seal(bytes_view nonce, bytes_view ad, bytes_view plaintext,
                              mutable_bytes out) const noexcept {
        if (nonce.size() != nonce_size) {
            return errc::bad_nonce_size;
        }
        if (plaintext.size() > max_plaintext_size) {
            return errc::message_too_long;
        }
        assert(out.size() == plaintext.size() + tag_size);
        assert(
            detail::same_or_disjoint(plaintext.data(), plaintext.size(), out.data(), out.size()));
        const std::size_t n = plaintext.size();
        const std::size_t head = n < head_size ? n : head_size;
        detail::chacha20_state s;
        std::array<std::uint8_t, 512> ks;
        start(s, ks, nonce, head);
        detail::xor_bytes(out.data(), plaintext.data(), ks.data() + 64, head);
        if (n > head) {
            detail::chacha20_xor_state(s, plaintext.data() + head, out.data() + head, n - head);
        }
        detail::chacha20_poly1305_tag(std::span(ks).first<32>(), ad, out.first(n),
                                      out.subspan(n).first<tag_size>());
        ct::wipe(s);
        ct::wipe(ks);
        return {};
    }

    /// Verify and decrypt: `sealed` = ciphertext || tag, `out.size() == sealed.size() - tag_size`,
    /// in place allowed. Errors: `bad_nonce_size`, `bad_tag` (also for `sealed` shorter than a
    /// tag), with `out` zero-filled; `message_too_long` (ciphertext beyond the counter: it cannot
    /// be authentic), with `out`, of that size, left alone rather than zeroed.
    /// CT: only the lengths and the final public verdict steer branches and addresses.
    [[nodiscard]] status open(bytes_view nonce, bytes_view ad, bytes_view sealed,
                              mutable_bytes out) const noexcept {
        if (nonce.size() != nonce_size) {
            ct::wipe(out.data(), out.size());
            return errc::bad_nonce_size;
        }
        if (sealed.size() < tag_size) {
            ct::wipe(out.data(), out.size());
            return errc::bad_tag;
        }
        const std::size_t n = sealed.size() - tag_size;
        if (n > max_plaintext_size) {
            return errc::message_too_long;
        }
        assert(out.size() == n);
        assert(detail::same_or_disjoint(sealed.data(), sealed.size(), out.data(), out.size()));
        const std::size_t head = n < head_size ? n : head_size;
        detail::chacha20_state s;
        std::array<std::uint8_t, 512> ks;
        start(s, ks, nonce, head);
        std::array<std::uint8_t, tag_size> expected;
        detail::chacha20_poly1305_tag(std::span(ks).first<32>(), ad, sealed.first(n), expected);
        const bool authentic = ct::equal(expected, sealed.subspan(n)); // CT: verdict public
        ct::wipe(expected);
        if (!authentic) {
            ct::wipe(s);
            ct::wipe(ks);
            ct::wipe(out.data(), out.size());
            return errc::bad_tag;
        }
        detail::xor_bytes(out.data(), sealed.data(), ks.data() + 64, head);
        if (n > head) {
            detail::chacha20_xor_state(s, sealed.data() + head, out.data() + head, n - head);
        }
        ct::wipe(s);
        ct::wipe(ks);
        return {};
    }

  private:
    /// Data bytes taken from the first keystream batch: blocks 1..7 (block 0 is the Poly1305 key).
    static constexpr std::size_t head_size = std::size_t{7} * 64;

    /// Set up the cipher for `nonce` (RFC 8439 §2.8), put block 0 (its first 32 bytes are the
    /// Poly1305 key, §2.6) and the keystream for the first `head` data bytes into `ks`, and leave
    /// the counter at block 8 for the rest.
    /// CT: no branch or index on the key; `head` is public.
    void start(detail::chacha20_state& s, std::span<std::uint8_t, 512> ks, bytes_view nonce,
               std::size_t head) const noexcept {
        detail::chacha20_setup(s, key_.span(), 0, nonce.first<nonce_size>());
        detail::chacha20_keystream_head(s, ks, 1 + (head + 63) / 64);
        s[12] = 8;
    }

    ct::secret_array<key_size> key_;
};

static_assert(aead<chacha20_poly1305>);

} // namespace https::crypto
