// The record MAC of TLS 1.2 CBC suites (RFC 5246 §6.2.3.1) computed in constant time over a
// secret length (the Lucky Thirteen countermeasure), and the constant-time extraction of a MAC
// that sits at a secret offset.
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../crypto/hmac.hpp"
#include "../crypto/sha2.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>

namespace https::tls {

namespace detail {

/// Raw access to a SHA-2 compression function: what the constant-time MAC needs beyond the
/// streaming interface (the chaining state after any whole block, without final padding).
template <class Hash> struct sha2_compression;

template <> struct sha2_compression<crypto::sha256> {
    using word = std::uint32_t;
    static constexpr std::size_t block_size = 64;
    static constexpr std::size_t length_bytes = 8; // FIPS 180-4 §5.1.1: a 64-bit length
    static constexpr std::size_t digest_size = 32;
    // FIPS 180-4 §5.3.3
    static constexpr std::array<word, 8> initial = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    /// CT: no data-dependent branch or index (see sha2.hpp).
    static void compress(word* state, const std::uint8_t* p, std::size_t blocks) noexcept {
        crypto::detail::sha256_blocks(state, p, blocks);
    }
    static void store(const word* state, std::uint8_t* out) noexcept {
        for (std::size_t i = 0; i < digest_size / 4; ++i) {
            https::detail::store_be32(out + 4 * i, state[i]);
        }
    }
};

template <> struct sha2_compression<crypto::sha384> {
    using word = std::uint64_t;
    static constexpr std::size_t block_size = 128;
    static constexpr std::size_t length_bytes = 16; // FIPS 180-4 §5.1.2: a 128-bit length
    static constexpr std::size_t digest_size = 48;
    // FIPS 180-4 §5.3.4
    static constexpr std::array<word, 8> initial = {
        0xcbbb9d5dc1059ed8, 0x629a292a367cd507, 0x9159015a3070dd17, 0x152fecd8f70e5939,
        0x67332667ffc00b31, 0x8eb44a8768581511, 0xdb0c2e0d64f98fa7, 0x47b5481dbefa4fa4};
    /// CT: no data-dependent branch or index (see sha2.hpp).
    static void compress(word* state, const std::uint8_t* p, std::size_t blocks) noexcept {
        crypto::detail::sha512_blocks_portable(state, p, blocks);
    }
    static void store(const word* state, std::uint8_t* out) noexcept {
        for (std::size_t i = 0; i < digest_size / 8; ++i) {
            https::detail::store_be64(out + 8 * i, state[i]);
        }
    }
};

} // namespace detail

/// The MAC of TLS 1.2 CBC records, HMAC-`Hash` under one direction's MAC key, over
/// seq_num(8) || type(1) || version(2) || length(2) || data (RFC 5246 §6.2.3.1).
template <class Hash> class tls12_record_mac {
    using comp = detail::sha2_compression<Hash>;
    using word = typename comp::word;
    static constexpr std::size_t bs = comp::block_size;

  public:
    static constexpr std::size_t size = comp::digest_size;
    /// The MAC'd header before the data: seq_num, type, version, length.
    static constexpr std::size_t header_size = 13;

    /// CT: the key is secret; its length (the suite's) is public.
    explicit tls12_record_mac(bytes_view key) : hmac_(key) {
        assert(key.size() <= bs);
        std::array<std::uint8_t, bs> block{};
        std::copy(key.begin(), key.end(), block.begin());
        for (auto& b : block) {
            b ^= 0x36; // RFC 2104 ipad
        }
        inner_ = comp::initial;
        comp::compress(inner_.data(), block.data(), 1);
        for (auto& b : block) {
            b ^= 0x36 ^ 0x5c; // ipad -> opad
        }
        outer_ = comp::initial;
        comp::compress(outer_.data(), block.data(), 1);
        ct::wipe(block);
    }
    tls12_record_mac(const tls12_record_mac&) = default;
    tls12_record_mac& operator=(const tls12_record_mac&) = default;
    tls12_record_mac(tls12_record_mac&&) noexcept = default;
    tls12_record_mac& operator=(tls12_record_mac&&) noexcept = default;
    ~tls12_record_mac() {
        ct::wipe(inner_);
        ct::wipe(outer_);
    }

    /// The MAC over data whose length is public (what we send; encrypt-then-MAC records).
    /// CT: lengths only.
    void mac(std::span<const std::uint8_t, header_size> header, bytes_view data,
             std::span<std::uint8_t, size> out) const {
        crypto::hmac<Hash> h = hmac_;
        h.update(header);
        h.update(data);
        h.finish(out);
    }

    /// The MAC over `prefix` (seq_num, type, version), the two-byte big-endian `len`, and the
    /// first `len` bytes of `data`, where `len` is secret with min_len <= len <= data.size()
    /// (both bounds public). Lucky Thirteen (AlFardan and Paterson, 2013): the compression
    /// function runs the same number of times for every `len`, each block that may hold the end
    /// of the message is assembled with masks, and the chaining state after the block holding
    /// the length field is kept by a masked copy, never by a branch.
    /// CT: time and memory addresses depend on data.size() and min_len only.
    void mac_secret_length(std::span<const std::uint8_t, 11> prefix, bytes_view data,
                           std::size_t min_len, std::size_t len,
                           std::span<std::uint8_t, size> out) const {
        using m = ct::mask<word>;
        using m8 = ct::mask<std::uint32_t>;
        constexpr std::size_t lf = comp::length_bytes;
        assert(min_len <= data.size());

        // The message after the ipad block: prefix || len (2 bytes) || data[0..len).
        // Byte p of the longest possible message, as a public function of p (len masked below).
        std::array<std::uint8_t, 2> len_bytes = {static_cast<std::uint8_t>(len >> 8),
                                                 static_cast<std::uint8_t>(len)};
        auto byte_at = [&](std::size_t p) -> std::uint8_t {
            if (p < 11) {
                return prefix[p];
            }
            if (p < header_size) {
                return len_bytes[p - 11];
            }
            return p - header_size < data.size() ? data[p - header_size] : std::uint8_t{0};
        };

        const std::size_t total = header_size + len; // secret
        const std::size_t min_total = header_size + min_len;
        const std::size_t max_total = header_size + data.size();
        // The block holding the length field: the message, one 0x80 byte and the length end in
        // it (FIPS 180-4 §5.1). `final_block` is secret, the range it lies in is public.
        const std::size_t final_block = (total + lf) / bs;
        const std::size_t first_ct = min_total / bs;
        const std::size_t last_ct = (max_total + lf) / bs;
        // Bit length hashed by the inner hash: ipad block + message (< 2^32 for a record).
        const std::uint64_t bit_length = static_cast<std::uint64_t>(bs + total) * 8;

        std::array<word, 8> state = inner_;
        std::array<word, 8> kept{};
        std::array<std::uint8_t, bs> block{};

        // Blocks entirely before the shortest possible end: ordinary message bytes for every
        // len. (The header's length bytes are secret, but sit at public positions.)
        for (std::size_t i = 0; i < first_ct; ++i) {
            for (std::size_t j = 0; j < bs; ++j) {
                block[j] = byte_at(i * bs + j);
            }
            comp::compress(state.data(), block.data(), 1);
        }
        for (std::size_t i = first_ct; i <= last_ct; ++i) {
            const m8 is_final8 =
                m8::equal(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(final_block));
            for (std::size_t j = 0; j < bs; ++j) {
                const std::size_t p = i * bs + j;
                const auto pp = static_cast<std::uint32_t>(p);
                const auto tt = static_cast<std::uint32_t>(total);
                const m8 in_message = m8::less(pp, tt);
                const m8 is_end = m8::equal(pp, tt);
                std::uint32_t b = in_message.if_set(byte_at(p)) | is_end.if_set(0x80u);
                const std::size_t from_end = bs - 1 - j; // byte index within the length field
                if (from_end < lf) {
                    const std::uint32_t lb =
                        from_end < 8
                            ? static_cast<std::uint32_t>((bit_length >> (8 * from_end)) & 0xff)
                            : 0u;
                    b |= is_final8.if_set(lb);
                }
                block[j] = static_cast<std::uint8_t>(b);
            }
            comp::compress(state.data(), block.data(), 1);
            const m is_final = m::equal(static_cast<word>(i), static_cast<word>(final_block));
            for (std::size_t k = 0; k < 8; ++k) {
                kept[k] = is_final.select(state[k], kept[k]);
            }
        }

        // Outer hash over the inner digest: one block, all lengths public.
        std::array<std::uint8_t, bs> outer_block{};
        comp::store(kept.data(), outer_block.data());
        outer_block[size] = 0x80;
        const std::uint64_t outer_bits = static_cast<std::uint64_t>(bs + size) * 8;
        https::detail::store_be64(outer_block.data() + bs - 8, outer_bits);
        std::array<word, 8> o = outer_;
        comp::compress(o.data(), outer_block.data(), 1);
        comp::store(o.data(), out.data());

        ct::wipe(state);
        ct::wipe(kept);
        ct::wipe(block);
        ct::wipe(outer_block);
        ct::wipe(o);
        ct::wipe(len_bytes);
    }

  private:
    crypto::hmac<Hash> hmac_;
    std::array<word, 8> inner_{}; // state after K ^ ipad
    std::array<word, 8> outer_{}; // state after K ^ opad
};

/// Copy the `out.size()` bytes at secret `offset` of `window` into `out`, where
/// offset + out.size() <= window.size() and offset < 256: a barrel shift of the window by the
/// bits of `offset`, each stage a masked select over the whole window.
/// CT: time and addresses depend on window.size() and out.size() only.
inline void ct_extract_at(bytes_view window, std::size_t offset, mutable_bytes out,
                          mutable_bytes scratch) {
    assert(scratch.size() >= window.size() && out.size() <= window.size());
    std::copy(window.begin(), window.end(), scratch.begin());
    const std::size_t n = window.size();
    for (unsigned bit = 0; bit < 8; ++bit) {
        const std::size_t step = std::size_t{1} << bit;
        const auto take =
            ct::mask<std::uint32_t>::from_bit(static_cast<std::uint32_t>((offset >> bit) & 1u));
        // Ascending order reads scratch[i + step] before it is overwritten.
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint32_t shifted = i + step < n ? scratch[i + step] : 0u;
            scratch[i] = static_cast<std::uint8_t>(take.select(shifted, scratch[i]));
        }
    }
    std::copy(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(out.size()),
              out.begin());
    ct::wipe(scratch.data(), n);
}

} // namespace https::tls
