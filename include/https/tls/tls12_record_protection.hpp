// TLS 1.2 record protection (RFC 5246 §6.2.3): AES-GCM with an explicit nonce (RFC 5288),
// ChaCha20-Poly1305 with the TLS 1.3-style nonce (RFC 7905), and AES-CBC with HMAC, either
// MAC-then-encrypt with a constant-time padding-and-MAC check or encrypt-then-MAC (RFC 7366).
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../core/result.hpp"
#include "../crypto/aead.hpp"
#include "../crypto/aes.hpp"
#include "../crypto/cbc.hpp"
#include "../crypto/chacha20_poly1305.hpp"
#include "../crypto/gcm.hpp"
#include "../crypto/sha2.hpp"
#include "record_protection.hpp"
#include "tls12_cbc_mac.hpp"

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>

namespace https::tls {

/// RFC 5246 §6.2.3: TLSCiphertext.length MUST NOT exceed 2^14 + 2048.
inline constexpr std::size_t max_tls12_ciphertext_length = max_plaintext_length + 2048;

namespace detail {

/// The additional data of TLS 1.2 AEAD records and the MAC'd header of CBC records
/// (RFC 5246 §6.2.3.1, §6.2.3.3): seq_num || type || version || length.
inline std::array<std::uint8_t, 13> tls12_record_ad(std::uint64_t seq, content_type type,
                                                    std::uint16_t version, std::size_t length) {
    std::array<std::uint8_t, 13> ad{};
    https::detail::store_be64(ad.data(), seq);
    ad[8] = static_cast<std::uint8_t>(type);
    ad[9] = static_cast<std::uint8_t>(version >> 8);
    ad[10] = static_cast<std::uint8_t>(version);
    ad[11] = static_cast<std::uint8_t>(length >> 8);
    ad[12] = static_cast<std::uint8_t>(length);
    return ad;
}

/// Content types a TLS 1.2 record may carry once protected.
inline bool tls12_known_type(content_type t) noexcept {
    return t == content_type::alert || t == content_type::handshake ||
           t == content_type::application_data || t == content_type::change_cipher_spec;
}

} // namespace detail

/// How a TLS 1.2 AEAD suite forms its per-record nonce.
enum class tls12_nonce_kind : std::uint8_t {
    /// RFC 5288 §3: 4-byte salt from the key block || 8-byte nonce_explicit sent in each record
    /// (we send the sequence number, which never repeats under one key).
    explicit_gcm,
    /// RFC 7905 §2: the 12-byte IV from the key block XOR the left-padded sequence number;
    /// nothing is sent.
    xor_sequence,
};

/// TLS 1.2 AEAD record protection with AEAD `A` (RFC 5246 §6.2.3.3).
template <crypto::aead A, tls12_nonce_kind Nonce> class tls12_aead_protection {
  public:
    static_assert(A::nonce_size == 12 && A::tag_size == 16);
    static constexpr std::size_t max_record_length = max_tls12_ciphertext_length;
    static constexpr std::size_t fixed_iv_length = Nonce == tls12_nonce_kind::explicit_gcm ? 4 : 12;
    static constexpr std::size_t explicit_nonce_length =
        Nonce == tls12_nonce_kind::explicit_gcm ? 8 : 0;

    /// CT: key and IV are secret; lengths only.
    tls12_aead_protection(std::span<const std::uint8_t, A::key_size> key,
                          std::span<const std::uint8_t, fixed_iv_length> iv)
        : aead_(key) {
        std::memcpy(iv_.data(), iv.data(), fixed_iv_length);
    }

    /// Appends one record carrying `fragment` of type `type`.
    /// CT: plaintext and key are secret; the length and type are public.
    void seal(content_type type, std::uint16_t version, bytes_view fragment, byte_vector& out) {
        assert(fragment.size() <= max_plaintext_length);
        assert(seq_ != std::numeric_limits<std::uint64_t>::max());
        const std::size_t length = explicit_nonce_length + fragment.size() + A::tag_size;
        detail::put_record_header(out, type, version, length);
        const std::array<std::uint8_t, 12> nonce = make_nonce(seq_);
        if constexpr (Nonce == tls12_nonce_kind::explicit_gcm) {
            out.insert(out.end(), nonce.begin() + 4, nonce.end()); // nonce_explicit
        }
        const std::size_t body = out.size();
        out.insert(out.end(), fragment.begin(), fragment.end());
        out.resize(out.size() + A::tag_size);
        const auto ad = detail::tls12_record_ad(seq_, type, version, fragment.size());
        const mutable_bytes sealed(out.data() + body, fragment.size() + A::tag_size);
        const status s = aead_.seal(nonce, ad, sealed.first(fragment.size()), sealed);
        assert(s.ok());
        (void)s;
        ++seq_;
    }

    /// Decrypts `payload` in place. A record too short for nonce and tag, or whose tag does not
    /// verify, is bad_record_mac; a plaintext over 2^14 is record_overflow (RFC 5246 §6.2.3).
    /// CT: the tag check is constant time; lengths are public.
    result<opened_record> open(const record_header& h, mutable_bytes payload) {
        if (payload.size() > max_record_length) {
            return errc::tls_record_overflow;
        }
        if (payload.size() < explicit_nonce_length + A::tag_size) {
            return errc::tls_bad_record_mac;
        }
        if (seq_ == std::numeric_limits<std::uint64_t>::max()) {
            return errc::tls_internal_error; // §6.1: sequence numbers must not wrap
        }
        std::array<std::uint8_t, 12> nonce = make_nonce(seq_);
        if constexpr (Nonce == tls12_nonce_kind::explicit_gcm) {
            std::memcpy(nonce.data() + 4, payload.data(), 8);
        }
        const mutable_bytes sealed = payload.subspan(explicit_nonce_length);
        const std::size_t plain_length = sealed.size() - A::tag_size;
        const auto ad = detail::tls12_record_ad(seq_, h.type, h.legacy_version, plain_length);
        const mutable_bytes plain = sealed.first(plain_length);
        if (!aead_.open(nonce, ad, sealed, plain)) {
            return errc::tls_bad_record_mac;
        }
        ++seq_;
        if (plain_length > max_plaintext_length) {
            return errc::tls_record_overflow;
        }
        return opened_record{h.type, plain};
    }

    [[nodiscard]] std::uint64_t sequence_number() const noexcept { return seq_; }

  private:
    /// GCM: salt || seq (the explicit part, as sent); ChaCha20: iv XOR seq.
    std::array<std::uint8_t, 12> make_nonce(std::uint64_t seq) const noexcept {
        if constexpr (Nonce == tls12_nonce_kind::explicit_gcm) {
            std::array<std::uint8_t, 12> nonce{};
            std::memcpy(nonce.data(), iv_.data(), 4);
            https::detail::store_be64(nonce.data() + 4, seq);
            return nonce;
        } else {
            return detail::xor_sequence_nonce(iv_.span(), seq);
        }
    }

    A aead_;
    ct::secret_array<12> iv_; // wiped on destruction
    std::uint64_t seq_ = 0;
};

/// TLS 1.2 block-cipher record protection: AES-CBC with HMAC-`Hash` (RFC 5246 §6.2.3.2), each
/// record carrying its own IV. MAC-then-encrypt by default; encrypt-then-MAC (RFC 7366) when
/// negotiated.
template <class Cipher, class Hash> class tls12_cbc_protection {
    using mac_type = tls12_record_mac<Hash>;

  public:
    static constexpr std::size_t max_record_length = max_tls12_ciphertext_length;
    static constexpr std::size_t block_size = 16;
    static constexpr std::size_t mac_size = mac_type::size;

    /// `iv_key` keys the generator of this direction's record IVs (only used for sealing):
    /// IV_i = E_iv_key(i), unpredictable to anyone without the key as RFC 5246 §6.2.3.2 requires,
    /// and never failing once the connection runs. Draw it from the CSPRNG.
    /// CT: keys are secret; lengths only.
    tls12_cbc_protection(std::span<const std::uint8_t, Cipher::key_size> key, bytes_view mac_key,
                         std::span<const std::uint8_t, Cipher::key_size> iv_key,
                         bool encrypt_then_mac)
        : cipher_(key), iv_cipher_(iv_key), mac_(mac_key), etm_(encrypt_then_mac) {
        assert(mac_key.size() == mac_size);
    }

    /// Appends one record: IV || E(fragment || MAC || padding) for MAC-then-encrypt,
    /// IV || E(fragment || padding) || MAC for encrypt-then-MAC.
    /// CT: plaintext and keys are secret; the length and type are public.
    void seal(content_type type, std::uint16_t version, bytes_view fragment, byte_vector& out) {
        assert(fragment.size() <= max_plaintext_length);
        assert(seq_ != std::numeric_limits<std::uint64_t>::max());
        const std::size_t inner = etm_ ? fragment.size() : fragment.size() + mac_size;
        // §6.2.3.2: padding_length bytes of value padding_length plus the length byte itself
        // make the whole a multiple of the block; we use the shortest.
        const std::size_t pad = block_size - 1 - inner % block_size;
        const std::size_t encrypted = inner + pad + 1;
        const std::size_t length = block_size + encrypted + (etm_ ? mac_size : 0);
        detail::put_record_header(out, type, version, length);
        const std::size_t iv_pos = out.size();
        out.resize(out.size() + length);
        std::uint8_t* iv = out.data() + iv_pos;
        std::uint8_t* body = iv + block_size;

        std::array<std::uint8_t, 16> counter{};
        https::detail::store_be64(counter.data() + 8, seq_);
        iv_cipher_.encrypt_block(counter, std::span<std::uint8_t, 16>(iv, 16));

        std::copy(fragment.begin(), fragment.end(), body);
        if (!etm_) {
            const auto hdr = detail::tls12_record_ad(seq_, type, version, fragment.size());
            mac_.mac(hdr, fragment,
                     std::span<std::uint8_t, mac_size>(body + fragment.size(), mac_size));
        }
        std::memset(body + inner, static_cast<int>(pad), pad + 1);
        crypto::cbc_encrypt(cipher_, std::span<const std::uint8_t, 16>(iv, 16),
                            bytes_view(body, encrypted), mutable_bytes(body, encrypted));
        if (etm_) {
            // RFC 7366 §3: MAC(MAC_write_key, seq_num + type + version + length + IV +
            // ciphertext), length being that of IV + ciphertext.
            const auto hdr = detail::tls12_record_ad(seq_, type, version, block_size + encrypted);
            mac_.mac(hdr, bytes_view(iv, block_size + encrypted),
                     std::span<std::uint8_t, mac_size>(body + encrypted, mac_size));
        }
        ++seq_;
    }

    /// Decrypts and checks `payload` in place; every failure (bad length, padding or MAC) is
    /// the one error bad_record_mac (RFC 5246 §7.2.2), so they cannot be told apart.
    /// CT (MAC-then-encrypt): the padding check, the MAC computation (Lucky Thirteen) and the
    /// MAC comparison depend on the ciphertext length only; the content length is revealed once
    /// the record is authenticated. Encrypt-then-MAC authenticates before decrypting.
    result<opened_record> open(const record_header& h, mutable_bytes payload) {
        if (payload.size() > max_record_length) {
            return errc::tls_record_overflow;
        }
        if (seq_ == std::numeric_limits<std::uint64_t>::max()) {
            return errc::tls_internal_error;
        }
        auto opened = etm_ ? open_etm(h, payload) : open_mte(h, payload);
        if (!opened) {
            return opened;
        }
        ++seq_;
        if (opened->payload.size() > max_plaintext_length) {
            return errc::tls_record_overflow;
        }
        return opened;
    }

    [[nodiscard]] std::uint64_t sequence_number() const noexcept { return seq_; }

  private:
    /// MAC-then-encrypt: payload = IV || E(content || MAC || padding || padding_length).
    /// CT: see open().
    result<opened_record> open_mte(const record_header& h, mutable_bytes payload) {
        // The smallest valid ciphertext holds the MAC and the padding_length byte.
        constexpr std::size_t min_encrypted =
            (mac_size + 1 + block_size - 1) / block_size * block_size;
        if (payload.size() < block_size + min_encrypted ||
            (payload.size() - block_size) % block_size != 0) {
            return errc::tls_bad_record_mac; // lengths are public
        }
        const std::size_t n = payload.size() - block_size;
        const mutable_bytes plain = payload.subspan(block_size);
        crypto::cbc_decrypt(cipher_, std::span<const std::uint8_t, 16>(payload.data(), block_size),
                            plain, plain);

        using m32 = ct::mask<std::uint32_t>;
        const auto nn = static_cast<std::uint32_t>(n);
        const std::uint32_t pad = plain[n - 1];
        // The padding, its length byte and the MAC must fit: pad + 1 + mac_size <= n.
        const m32 fits = ~m32::less(nn, pad + 1 + static_cast<std::uint32_t>(mac_size));
        // Every padding byte equals pad. The loop covers the longest padding (256 bytes) or the
        // whole plaintext, whichever is shorter: a public bound.
        std::uint32_t bad_bytes = 0;
        const std::size_t scan = std::min<std::size_t>(256, n);
        for (std::size_t i = 1; i < scan; ++i) {
            const m32 in_padding = m32::less(static_cast<std::uint32_t>(i), pad + 1);
            bad_bytes |= in_padding.if_set(static_cast<std::uint32_t>(plain[n - 1 - i]) ^ pad);
        }
        const m32 good_padding = fits & m32::is_zero(bad_bytes);
        // With bad padding, go on as if there were none (pad = 0): the same work is done.
        const std::uint32_t used_pad = good_padding.if_set(pad);
        const std::size_t len = n - mac_size - 1 - used_pad; // secret
        const std::size_t max_len = n - mac_size - 1;
        const std::size_t min_len = max_len > 255 ? max_len - 255 : 0;

        std::array<std::uint8_t, mac_size> expected{};
        const auto prefix = detail::tls12_record_ad(seq_, h.type, h.legacy_version, 0);
        mac_.mac_secret_length(std::span<const std::uint8_t, 11>(prefix.data(), 11),
                               plain.first(max_len), min_len, len, expected);

        // The received MAC starts at `len`, somewhere in [min_len, max_len].
        std::array<std::uint8_t, mac_size> received{};
        std::array<std::uint8_t, mac_size + 256> scratch{};
        const std::size_t window = max_len + mac_size - min_len;
        ct_extract_at(bytes_view(plain.data() + min_len, window), len - min_len, received,
                      mutable_bytes(scratch.data(), window));

        std::uint32_t diff = 0;
        for (std::size_t i = 0; i < mac_size; ++i) {
            diff |= static_cast<std::uint32_t>(expected[i] ^ received[i]);
        }
        const bool good = (good_padding & m32::is_zero(diff)).declassify();
        ct::wipe(expected);
        ct::wipe(received);
        if (!good) {
            return errc::tls_bad_record_mac;
        }
        std::size_t content_length = len;
        ct::unpoison(&content_length, sizeof content_length); // authenticated: now public
        return opened_record{h.type, plain.first(content_length)};
    }

    /// Encrypt-then-MAC (RFC 7366 §3): payload = IV || E(content || padding) || MAC, the MAC
    /// checked over public data before anything is decrypted.
    /// CT: the MAC comparison is constant time; after it everything is authenticated.
    result<opened_record> open_etm(const record_header& h, mutable_bytes payload) {
        if (payload.size() < 2 * block_size + mac_size ||
            (payload.size() - mac_size) % block_size != 0) {
            return errc::tls_bad_record_mac;
        }
        const std::size_t authenticated = payload.size() - mac_size;
        const auto hdr = detail::tls12_record_ad(seq_, h.type, h.legacy_version, authenticated);
        std::array<std::uint8_t, mac_size> expected{};
        mac_.mac(hdr, payload.first(authenticated), expected);
        const bool mac_ok = ct::equal(expected, payload.subspan(authenticated));
        ct::wipe(expected);
        if (!mac_ok) {
            return errc::tls_bad_record_mac;
        }
        const std::size_t n = authenticated - block_size;
        const mutable_bytes plain = payload.subspan(block_size, n);
        crypto::cbc_decrypt(cipher_, std::span<const std::uint8_t, 16>(payload.data(), block_size),
                            plain, plain);
        // Authenticated already, so the padding is checked plainly (RFC 7366 §3.2: a bad one is
        // still bad_record_mac).
        const std::size_t pad = plain[n - 1];
        if (pad + 1 > n) {
            return errc::tls_bad_record_mac;
        }
        for (std::size_t i = 1; i <= pad; ++i) {
            if (plain[n - 1 - i] != pad) {
                return errc::tls_bad_record_mac;
            }
        }
        return opened_record{h.type, plain.first(n - pad - 1)};
    }

    Cipher cipher_;
    Cipher iv_cipher_;
    mac_type mac_;
    bool etm_;
    std::uint64_t seq_ = 0;
};

/// The TLS 1.2 protections the client record layer can hold.
using tls12_aes128_gcm_protection =
    tls12_aead_protection<crypto::aes128_gcm, tls12_nonce_kind::explicit_gcm>;
using tls12_aes256_gcm_protection =
    tls12_aead_protection<crypto::aes256_gcm, tls12_nonce_kind::explicit_gcm>;
using tls12_chacha20_poly1305_protection =
    tls12_aead_protection<crypto::chacha20_poly1305, tls12_nonce_kind::xor_sequence>;
using tls12_aes128_cbc_sha256_protection = tls12_cbc_protection<crypto::aes128, crypto::sha256>;
using tls12_aes256_cbc_sha256_protection = tls12_cbc_protection<crypto::aes256, crypto::sha256>;
using tls12_aes256_cbc_sha384_protection = tls12_cbc_protection<crypto::aes256, crypto::sha384>;

} // namespace https::tls
