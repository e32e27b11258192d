// Record protection variants: plaintext records and TLS 1.3 AEAD records (RFC 8446 §5.2-5.3);
// the TLS 1.2 work adds its own variants beside these.
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../core/result.hpp"
#include "../crypto/aead.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>

namespace https::tls {

/// ContentType (RFC 8446 §5.1).
enum class content_type : std::uint8_t {
    invalid = 0,
    change_cipher_spec = 20,
    alert = 21,
    handshake = 22,
    application_data = 23,
};

inline constexpr std::size_t record_header_size = 5;
/// RFC 8446 §5.1: TLSPlaintext.length MUST NOT exceed 2^14 bytes.
inline constexpr std::size_t max_plaintext_length = std::size_t{1} << 14;
/// RFC 8446 §5.2: TLSCiphertext.length MUST NOT exceed 2^14 + 256 bytes.
inline constexpr std::size_t max_tls13_ciphertext_length = max_plaintext_length + 256;

/// The 5-byte record header as received.
struct record_header {
    content_type type{};
    std::uint16_t legacy_version = 0;
    std::uint16_t length = 0;
};

/// A record after deprotection: its (inner) type and its plaintext.
struct opened_record {
    content_type type{};
    mutable_bytes payload;
};

namespace detail {
inline void put_record_header(byte_vector& out, content_type type, std::uint16_t version,
                              std::size_t length) {
    out.push_back(static_cast<std::uint8_t>(type));
    out.push_back(static_cast<std::uint8_t>(version >> 8));
    out.push_back(static_cast<std::uint8_t>(version));
    out.push_back(static_cast<std::uint8_t>(length >> 8));
    out.push_back(static_cast<std::uint8_t>(length));
}
} // namespace detail

/// No protection: records before the first key change.
class plaintext_protection {
  public:
    static constexpr std::size_t max_record_length = max_plaintext_length;

    /// Appends one TLSPlaintext record.
    void seal(content_type type, std::uint16_t version, bytes_view fragment, byte_vector& out) {
        assert(fragment.size() <= max_plaintext_length);
        detail::put_record_header(out, type, version, fragment.size());
        out.insert(out.end(), fragment.begin(), fragment.end());
    }

    result<opened_record> open(const record_header& h, mutable_bytes payload) {
        return opened_record{h.type, payload};
    }
};

namespace detail {

/// RFC 8446 §5.4: where the content of a TLSInnerPlaintext ends, its type byte included: one past
/// its last non-zero byte; 0 when every byte is zero (no content type).
/// CT: reads every byte, eight at a time, with masks: the time depends only on `inner.size()`,
/// not on where the zero padding starts (padding is there to hide the content length, which a
/// scan stopping at the first non-zero byte from the end leaks by its time). Only the result is
/// declassified: the length of a delivered record is public.
inline std::size_t tls13_inner_content_end(bytes_view inner) noexcept {
    using m = ct::mask<std::uint64_t>;
    const auto word = [&](std::size_t i) { // bytes 8i .. 8i+7, zero past the end (a public size)
        std::uint64_t w = 0;
        std::memcpy(&w, inner.data() + 8 * i, std::min<std::size_t>(8, inner.size() - 8 * i));
        return w;
    };
    std::uint64_t last_word = 0; // one past the last word holding a non-zero byte
    const std::size_t words = (inner.size() + 7) / 8;
    for (std::size_t i = 0; i < words; ++i) {
        last_word = (~m::is_zero(word(i))).select(i + 1, last_word);
    }
    ct::unpoison(&last_word, sizeof last_word); // public: the end is declassified below anyway
    if (last_word == 0) {
        return 0;
    }
    const std::uint64_t w = word(last_word - 1);
    std::uint64_t in_word = 0; // one past the last non-zero byte of that word
    for (unsigned b = 0; b < 8; ++b) {
        const unsigned shift = std::endian::native == std::endian::little ? 8 * b : 8 * (7 - b);
        in_word = (~m::is_zero((w >> shift) & 0xff)).select(b + 1, in_word);
    }
    std::size_t end = (last_word - 1) * 8 + in_word;
    ct::unpoison(&end, sizeof end);
    return end;
}

/// RFC 8446 §5.3, and RFC 7905 §2 for TLS 1.2 ChaCha20-Poly1305: the per-record nonce is the
/// 12-byte IV XOR the 64-bit sequence number, left-padded with zeros.
/// CT: the IV is secret; the sequence number is public; no branch on either.
inline std::array<std::uint8_t, 12> xor_sequence_nonce(std::span<const std::uint8_t, 12> iv,
                                                       std::uint64_t seq) noexcept {
    std::array<std::uint8_t, 12> nonce{};
    std::memcpy(nonce.data(), iv.data(), nonce.size());
    for (int i = 0; i < 8; ++i) {
        nonce[11 - i] ^= static_cast<std::uint8_t>(seq >> (8 * i));
    }
    return nonce;
}

} // namespace detail

/// TLS 1.3 record protection with AEAD `A` (RFC 8446 §5.2-5.3): per-record nonce = iv XOR the
/// 64-bit sequence number, the record header as additional data, the true content type inside
/// the encrypted TLSInnerPlaintext after the content and before any zero padding.
template <crypto::aead A> class tls13_aead_protection {
  public:
    static_assert(A::nonce_size == 12 && A::tag_size == 16);
    static constexpr std::size_t max_record_length = max_tls13_ciphertext_length;

    /// CT: key and iv are secret; only lengths leak.
    tls13_aead_protection(std::span<const std::uint8_t, A::key_size> key,
                          std::span<const std::uint8_t, 12> iv)
        : aead_(key) {
        std::memcpy(iv_.data(), iv.data(), iv_.size());
    }

    /// Appends one TLSCiphertext record carrying `fragment` of type `type`, unpadded.
    /// CT: the plaintext and key are secret; its length and type are public.
    void seal(content_type type, std::uint16_t /*version*/, bytes_view fragment, byte_vector& out) {
        assert(fragment.size() <= max_plaintext_length);
        assert(seq_ != std::numeric_limits<std::uint64_t>::max());
        const std::size_t inner = fragment.size() + 1;
        const std::size_t length = inner + A::tag_size;
        const std::size_t start = out.size();
        // RFC 8446 §5.2: opaque_type is application_data and legacy_record_version 0x0303.
        detail::put_record_header(out, content_type::application_data, 0x0303, length);
        out.insert(out.end(), fragment.begin(), fragment.end());
        out.push_back(static_cast<std::uint8_t>(type));
        out.resize(out.size() + A::tag_size);
        const bytes_view header(out.data() + start, record_header_size);
        const mutable_bytes body(out.data() + start + record_header_size, length);
        const auto nonce = next_nonce();
        // In place: the inner plaintext becomes the ciphertext followed by the tag.
        const status s = aead_.seal(nonce, header, body.first(inner), body);
        assert(s.ok());
        (void)s;
    }

    /// Decrypts `payload` in place. The outer type must be application_data (§5.2: anything
    /// else under protection is unexpected_message), the tag must verify (else bad_record_mac),
    /// the inner plaintext must be at most 2^14 + 1 bytes (else record_overflow) and must hold a
    /// non-zero content type (else unexpected_message, §5.4).
    /// CT: the tag check and the scan for the content type are constant time (the padding
    /// length does not show in the time); the content length and type are declassified.
    result<opened_record> open(const record_header& h, mutable_bytes payload) {
        if (h.type != content_type::application_data) {
            return errc::tls_unexpected_message;
        }
        if (payload.size() > max_tls13_ciphertext_length) {
            return errc::tls_record_overflow;
        }
        if (payload.size() < A::tag_size + 1) {
            return errc::tls_bad_record_mac;
        }
        if (seq_ == std::numeric_limits<std::uint64_t>::max()) {
            return errc::tls_internal_error; // §5.3: the sequence number must not wrap
        }
        std::array<std::uint8_t, record_header_size> header{};
        header[0] = static_cast<std::uint8_t>(h.type);
        header[1] = static_cast<std::uint8_t>(h.legacy_version >> 8);
        header[2] = static_cast<std::uint8_t>(h.legacy_version);
        header[3] = static_cast<std::uint8_t>(payload.size() >> 8);
        header[4] = static_cast<std::uint8_t>(payload.size());
        const auto nonce = next_nonce();
        const mutable_bytes plain = payload.first(payload.size() - A::tag_size);
        if (!aead_.open(nonce, header, payload, plain)) {
            return errc::tls_bad_record_mac;
        }
        const std::size_t n = detail::tls13_inner_content_end(plain);
        if (n == 0) {
            return errc::tls_unexpected_message; // all zeros: no content type
        }
        if (n - 1 > max_plaintext_length) {
            return errc::tls_record_overflow;
        }
        std::uint8_t type = plain[n - 1];
        ct::unpoison(&type, sizeof type); // the record layer dispatches on it: public
        return opened_record{static_cast<content_type>(type), plain.first(n - 1)};
    }

    [[nodiscard]] std::uint64_t sequence_number() const noexcept { return seq_; }

  private:
    std::array<std::uint8_t, 12> next_nonce() noexcept {
        return detail::xor_sequence_nonce(iv_.span(), seq_++);
    }

    A aead_;
    ct::secret_array<12> iv_; // wiped on destruction
    std::uint64_t seq_ = 0;
};

} // namespace https::tls
