// HMAC (RFC 2104, FIPS 198-1) over any hash_function.
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "hash.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

namespace https::crypto {

/// HMAC-`H`: a keyed MAC. Construct with the key, `update` any number of times, `finish` writes
/// the tag and returns the object to its just-keyed state, ready for the next message under the
/// same key. The keyed states are wiped when the object is destroyed.
template <hash_function H> class hmac {
  public:
    static constexpr std::size_t digest_size = H::digest_size;
    static constexpr std::size_t block_size = H::block_size;
    /// The shortest truncated tag `verify` accepts: 10 bytes, the 80-bit floor of RFC 2104 §5
    /// (also TLS 1.2's truncated_hmac length, RFC 6066 §7). RFC 2104 further recommends at least
    /// half the hash output; that is the caller's policy to apply (RFC 4231 §4.6 tests 128-bit
    /// tags of HMAC-SHA-512, NIST CAVP and Wycheproof test exactly half).
    static constexpr std::size_t min_tag_size = 10;

    /// Key of any length; keys longer than the block are hashed first (RFC 2104 §2).
    /// CT: time depends on the key length only.
    explicit hmac(bytes_view key) noexcept {
        std::array<std::uint8_t, block_size> block{}; // the key, zero-padded to a block
        if (key.size() > block_size) {
            H kh;
            kh.update(key);
            kh.finish(std::span<std::uint8_t, digest_size>(block.data(), digest_size));
            wipe_object(kh);
        } else if (!key.empty()) {
            std::copy(key.begin(), key.end(), block.begin());
        }
        for (auto& b : block) {
            b ^= 0x36; // ipad
        }
        inner_init_.update(block);
        for (auto& b : block) {
            b ^= 0x36 ^ 0x5c; // ipad -> opad
        }
        outer_init_.update(block);
        ct::wipe(block);
        inner_ = inner_init_;
    }

    hmac(const hmac&) = default;
    hmac& operator=(const hmac&) = default;
    hmac(hmac&&) noexcept = default;
    hmac& operator=(hmac&&) noexcept = default;
    ~hmac() {
        wipe_object(inner_);
        wipe_object(inner_init_);
        wipe_object(outer_init_);
    }

    /// Absorb message bytes. CT: time depends on lengths only.
    void update(bytes_view in) noexcept { inner_.update(in); }

    /// Write the tag HASH((K ^ opad) || HASH((K ^ ipad) || message)), then reset to the keyed
    /// state. CT: time depends on lengths only.
    void finish(std::span<std::uint8_t, digest_size> out) noexcept {
        inner_.finish(out); // the inner hash, staged in the output buffer
        H outer = outer_init_;
        outer.update(out);
        outer.finish(out);
        wipe_object(outer);
        inner_ = inner_init_;
    }

    /// Forget the message absorbed so far; keep the key.
    void reset() noexcept { inner_ = inner_init_; }

    /// One-shot MAC of `data` under `key`. CT: lengths only.
    [[nodiscard]] static digest<H> mac(bytes_view key, bytes_view data) noexcept {
        hmac m(key);
        m.update(data);
        digest<H> out;
        m.finish(out);
        return out;
    }

    /// Check `tag` against the MAC of `data`: the full tag, or one truncated to its first
    /// `tag.size()` bytes (RFC 2104 §5) when min_tag_size <= tag.size() <= digest_size. Any other
    /// length is rejected. The comparison is constant-time (ct::equal).
    /// CT: the tag length and the verdict are public; the key, data and tags are not.
    [[nodiscard]] static bool verify(bytes_view key, bytes_view data, bytes_view tag) noexcept {
        if (tag.size() < min_tag_size || tag.size() > digest_size) {
            return false; // the length is public
        }
        digest<H> expected = mac(key, data);
        const bool ok = ct::equal(bytes_view(expected).first(tag.size()), tag);
        ct::wipe(expected);
        return ok;
    }

  private:
    // Hash states derived from the key are key material. Our hashes are plain arrays of words,
    // so overwriting the bytes is sound; for any other hash, fall back to its own reset.
    static void wipe_object(H& h) noexcept {
        if constexpr (std::is_trivially_copyable_v<H>) {
            ct::wipe(&h, sizeof h);
        } else {
            h.reset();
        }
    }

    H inner_init_; // after absorbing K ^ ipad
    H outer_init_; // after absorbing K ^ opad
    H inner_;      // inner_init_ plus the message so far
};

} // namespace https::crypto
