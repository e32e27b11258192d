// AES-GCM (NIST SP 800-38D) as an aead: gcm<BlockCipher>, aes128_gcm and aes256_gcm.
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../core/result.hpp"
#include "aead.hpp"
#include "aes.hpp"
#include "block_cipher.hpp"
#include "detail/gcm_x86.hpp"
#include "detail/ghash.hpp"

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace https::crypto {

template <block_cipher BlockCipher> class gcm;

namespace detail {

struct gcm_internals;

/// The keyed part of GCM: the cipher, the hash key H = E_K(0^128) (SP 800-38D §7.1 step 1), and
/// which bulk pass to use. The one-pass AES-NI + PCLMULQDQ loop is used when the cipher is AES on
/// its AES-NI path and GHASH has PCLMULQDQ: on 256-bit vectors when the CPU has VAES and
/// VPCLMULQDQ, else on 128-bit vectors in AVX (VEX) or SSE4.1 encoding. Otherwise counter mode
/// goes through the cipher's multi-block call and GHASH through its own (portable or
/// PCLMULQDQ) code.
template <block_cipher BlockCipher> class gcm_engine {
  public:
    /// CT: no branch or memory index depends on the key.
    explicit gcm_engine(std::span<const std::uint8_t, BlockCipher::key_size> key) noexcept
        : cipher_(key) {
        std::array<std::uint8_t, 16> h{};
        cipher_.encrypt_block(h, h);
        ghash_.set(h.data());
        ct::wipe(h);
#if defined(__x86_64__) || defined(__i386__)
        if constexpr (aes_based<BlockCipher>) {
            stitched_ = ghash_.clmul && aes_internals::ni_encryption_keys(cipher_) != nullptr;
            avx_ = stitched_ && https::detail::cpu().avx;
            wide_ = stitched_ && gcm_wide_usable(https::detail::cpu());
        }
#endif
    }

    /// SP 800-38D §7.1 (encrypt) / §7.2 steps 2-8 (decrypt) with a 96-bit IV: counter mode from
    /// J0 + 1 = nonce || 00000002 over `len` bytes (in place allowed), and the full 16-byte tag
    /// E_K(J0) ^ GHASH_H(A || 0* || C || 0* || [len(A)]64 || [len(C)]64) into `tag`.
    /// CT: no branch or memory index depends on the key, data or tag; time depends on lengths.
    void crypt(bool encrypt, const std::uint8_t* nonce, bytes_view ad, const std::uint8_t* in,
               std::uint8_t* out, std::size_t len, std::uint8_t* tag) const noexcept {
        gf128 y{};
        ghash_padded(y, ghash_, ad);
        bool done = false;
#if defined(__x86_64__) || defined(__i386__)
        if constexpr (aes_based<BlockCipher>) {
            if (stitched_) {
                const std::uint8_t* keys = aes_internals::ni_encryption_keys(cipher_);
                constexpr unsigned rounds = BlockCipher::rounds;
                if (wide_) {
                    gcm_wide_crypt(keys, rounds, encrypt, ghash_, nonce, in, out, len, y);
                } else if (avx_) {
                    gcm_ni_crypt_avx(keys, rounds, encrypt, ghash_, nonce, 2, in, out, len, y);
                } else {
                    gcm_ni_crypt(keys, rounds, encrypt, ghash_, nonce, 2, in, out, len, y);
                }
                done = true;
            }
        }
#endif
        if (!done) {
            crypt_generic(encrypt, nonce, in, out, len, y);
        }
        std::array<std::uint8_t, 16> block{};
        https::detail::store_be64(block.data(), static_cast<std::uint64_t>(ad.size()) * 8);
        https::detail::store_be64(block.data() + 8, static_cast<std::uint64_t>(len) * 8);
        ghash_blocks(y, ghash_, block.data(), 1);
        // tag = E_K(J0) ^ S, J0 = nonce || 00000001
        std::memcpy(block.data(), nonce, 12);
        https::detail::store_be32(block.data() + 12, 1);
        cipher_.encrypt_block(block, block);
        gf128_store(tag, y);
        for (std::size_t i = 0; i < 16; ++i) {
            tag[i] ^= block[i];
        }
        ct::wipe(block);
        ct::wipe(&y, sizeof y);
    }

  private:
    friend struct gcm_internals;

    /// Counter mode in batches of eight blocks through the cipher's multi-block call (two calls of
    /// the four-block bitsliced code, or one of the eight-wide AES-NI code), GHASH of
    /// each batch's ciphertext (hashed before it is overwritten when decrypting in place).
    /// CT: no branch or memory index depends on the key or data; time depends on the length.
    void crypt_generic(bool encrypt, const std::uint8_t* nonce, const std::uint8_t* in,
                       std::uint8_t* out, std::size_t len, gf128& y) const noexcept {
        constexpr std::size_t batch = 16 * 8;
        std::array<std::uint8_t, batch> counters{}, stream{};
        for (std::size_t i = 0; i < batch; i += 16) {
            std::memcpy(counters.data() + i, nonce, 12);
        }
        std::uint32_t counter = 2; // inc32 (SP 800-38D §6.2) wraps modulo 2^32
        while (len > 0) {
            const std::size_t n = len < batch ? len : batch;
            const std::size_t padded = (n + 15) & ~std::size_t{15};
            for (std::size_t i = 0; i < padded; i += 16) {
                https::detail::store_be32(counters.data() + i + 12, counter++);
            }
            cipher_.encrypt_blocks(bytes_view(counters.data(), padded),
                                   mutable_bytes(stream.data(), padded));
            if (!encrypt) {
                ghash_padded(y, ghash_, bytes_view(in, n));
            }
            for (std::size_t i = 0; i < n; ++i) {
                out[i] = static_cast<std::uint8_t>(in[i] ^ stream[i]);
            }
            if (encrypt) {
                ghash_padded(y, ghash_, bytes_view(out, n));
            }
            in += n;
            out += n;
            len -= n;
        }
        ct::wipe(stream);
    }

    BlockCipher cipher_;
    ghash_key ghash_;
    bool stitched_ = false;
    bool avx_ = false;  // the one-pass loop in VEX encoding
    bool wide_ = false; // the one-pass loop on 256-bit vectors (VAES, VPCLMULQDQ)
};

} // namespace detail

/// Galois/Counter Mode (NIST SP 800-38D) over a 128-bit block cipher, as used by TLS 1.2
/// (RFC 5288) and TLS 1.3 (RFC 8446 §5.3): 96-bit nonces only (other IV lengths are refused
/// with `errc::bad_nonce_size`), 128-bit tags. See the `aead` concept for the contract of
/// `seal` and `open`.
template <block_cipher BlockCipher> class gcm {
  public:
    static constexpr std::size_t key_size = BlockCipher::key_size;
    static constexpr std::size_t nonce_size = 12;
    static constexpr std::size_t tag_size = 16;
    /// SP 800-38D §5.2.1.1: len(P) <= 2^39 - 256 bits.
    static constexpr std::uint64_t max_plaintext_size = (std::uint64_t{1} << 36) - 32;
    /// SP 800-38D §5.2.1.1: len(A) <= 2^64 - 1 bits.
    static constexpr std::uint64_t max_ad_size = (std::uint64_t{1} << 61) - 1;

    /// CT: no branch or memory index depends on the key.
    explicit gcm(std::span<const std::uint8_t, key_size> key) noexcept : engine_(key) {}

    /// Encrypt `plaintext` and authenticate it with `ad`: `out.size() == plaintext.size() + 16`
    /// receives the ciphertext then the tag. In place allowed (`out.data() == plaintext.data()`).
    /// Errors: `bad_nonce_size` (nonce not 12 bytes), `message_too_long` (SP 800-38D limits).
    /// CT: time depends on the lengths only.
    [[nodiscard]] status seal(bytes_view nonce, bytes_view ad, bytes_view plaintext,
                              mutable_bytes out) const noexcept {
        assert(out.size() == plaintext.size() + tag_size);
        HTTPS_TRY(check(nonce, ad, plaintext.size()));
        engine_.crypt(true, nonce.data(), ad, plaintext.data(), out.data(), plaintext.size(),
                      out.data() + plaintext.size());
        return {};
    }

    /// Verify and decrypt `sealed` = ciphertext || tag: `out.size() == sealed.size() - 16`. In
    /// place allowed (`out.data() == sealed.data()`). The plaintext is produced in the same pass
    /// that hashes the ciphertext, but the call returns it only after the tag has been compared
    /// in constant time: on `bad_tag` (also for input shorter than a tag) `out` is zero-filled
    /// before returning. A bad nonce size zero-fills `out` too; `message_too_long` leaves it alone.
    /// CT: time depends on the lengths only; only the verdict is revealed.
    [[nodiscard]] status open(bytes_view nonce, bytes_view ad, bytes_view sealed,
                              mutable_bytes out) const noexcept {
        if (sealed.size() < tag_size) {
            ct::wipe(out.data(), out.size());
            return errc::bad_tag;
        }
        assert(out.size() == sealed.size() - tag_size);
        const std::size_t len = sealed.size() - tag_size;
        if (auto st = check(nonce, ad, len); !st) {
            if (st.error() == errc::bad_nonce_size) {
                ct::wipe(out.data(), out.size()); // the aead contract: failure zero-fills `out`
            }
            return st; // message_too_long: `out` (over 64 GiB) is left alone
        }
        // copy the tag first: decrypting in place overwrites only the first `len` bytes, but the
        // copy keeps the comparison independent of where `out` lies
        std::array<std::uint8_t, tag_size> tag{};
        std::memcpy(tag.data(), sealed.data() + len, tag_size);
        return verify_and_decrypt(nonce, ad, sealed.first(len), tag, out);
    }

    /// seal with the tag written separately: `ciphertext.size() == plaintext.size()`.
    [[nodiscard]] status seal_detached(bytes_view nonce, bytes_view ad, bytes_view plaintext,
                                       mutable_bytes ciphertext,
                                       std::span<std::uint8_t, tag_size> tag) const noexcept {
        assert(ciphertext.size() == plaintext.size());
        HTTPS_TRY(check(nonce, ad, plaintext.size()));
        engine_.crypt(true, nonce.data(), ad, plaintext.data(), ciphertext.data(), plaintext.size(),
                      tag.data());
        return {};
    }

    /// open with the tag given separately: `plaintext.size() == ciphertext.size()`.
    [[nodiscard]] status open_detached(bytes_view nonce, bytes_view ad, bytes_view ciphertext,
                                       std::span<const std::uint8_t, tag_size> tag,
                                       mutable_bytes plaintext) const noexcept {
        assert(plaintext.size() == ciphertext.size());
        HTTPS_TRY(check(nonce, ad, ciphertext.size()));
        return verify_and_decrypt(nonce, ad, ciphertext, tag, plaintext);
    }

  private:
    friend struct detail::gcm_internals;

    /// The argument checks of SP 800-38D §5.2.1.1 (and 96-bit nonces only). CT: lengths only.
    static status check(bytes_view nonce, bytes_view ad, std::size_t len) noexcept {
        if (nonce.size() != nonce_size) {
            return errc::bad_nonce_size;
        }
        if (static_cast<std::uint64_t>(len) > max_plaintext_size ||
            static_cast<std::uint64_t>(ad.size()) > max_ad_size) {
            return errc::message_too_long;
        }
        return {};
    }

    /// Decrypt, then compare the first `tag.size()` (1..16) bytes of the computed tag with `tag`;
    /// on a mismatch zero `plaintext`. Arguments already checked.
    /// CT: time depends on the lengths only; only the verdict is revealed.
    status verify_and_decrypt(bytes_view nonce, bytes_view ad, bytes_view ciphertext,
                              bytes_view tag, mutable_bytes plaintext) const noexcept {
        assert(tag.size() >= 1 && tag.size() <= tag_size);
        std::array<std::uint8_t, tag_size> expected{};
        engine_.crypt(false, nonce.data(), ad, ciphertext.data(), plaintext.data(),
                      ciphertext.size(), expected.data());
        const bool ok = ct::equal(bytes_view(expected.data(), tag.size()), tag);
        ct::wipe(expected);
        if (!ok) {
            ct::wipe(plaintext.data(), plaintext.size());
            return errc::bad_tag;
        }
        return {};
    }

    detail::gcm_engine<BlockCipher> engine_;
};

namespace detail {

/// Test access to truncated tags (SP 800-38D §5.2.1.2 allows 32..128 bits; NIST's CAVP files use
/// them). Not part of the public API: TLS uses 128-bit tags only.
struct gcm_internals {
    template <class BlockCipher>
    static status open_truncated(const gcm<BlockCipher>& g, bytes_view nonce, bytes_view ad,
                                 bytes_view ciphertext, bytes_view tag,
                                 mutable_bytes plaintext) noexcept {
        assert(plaintext.size() == ciphertext.size());
        HTTPS_TRY(g.check(nonce, ad, ciphertext.size()));
        return g.verify_and_decrypt(nonce, ad, ciphertext, tag, plaintext);
    }
};

} // namespace detail

using aes128_gcm = gcm<aes128>;
using aes256_gcm = gcm<aes256>;

static_assert(aead<aes128_gcm> && aead<aes256_gcm>);

} // namespace https::crypto
