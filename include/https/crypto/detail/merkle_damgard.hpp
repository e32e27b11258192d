// The Merkle-Damgard block buffer and length padding shared by SHA-1 and the SHA-2 family.
#pragma once

#include "../../core/bytes.hpp"
#include "../../core/ct.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace https::crypto::detail {

/// Cuts a byte stream into `BlockSize`-byte blocks for a compression function and appends the
/// FIPS 180-4 §5.1 padding: 0x80, zeros, then the message length in bits as a big-endian number
/// of `LengthBytes` bytes (8 for SHA-1/224/256, 16 for SHA-384/512).
///
/// The length is counted in bytes in two 64-bit words, so no input a program can produce
/// overflows it (a 32-bit counter would wrap after 4 GiB, or 512 MiB counted in bits).
/// Whole blocks of the input are handed to the compression function in place, without a copy,
/// so that a hardware path sees long runs of blocks.
template <std::size_t BlockSize, std::size_t LengthBytes> class md_buffer {
    static_assert(LengthBytes == 8 || LengthBytes == 16);

  public:
    /// Feed `in`; `compress(const std::uint8_t* blocks, std::size_t count)` absorbs whole blocks.
    /// CT: branches on lengths only.
    template <class Compress> void update(bytes_view in, Compress&& compress) noexcept {
        if (in.empty()) {
            return;
        }
        const std::uint8_t* p = in.data();
        std::size_t n = in.size();
        bytes_lo_ += n;
        bytes_hi_ += (bytes_lo_ < n) ? 1 : 0; // carry; only matters past 2^64 bytes
        if (used_ != 0) {
            const std::size_t take = std::min(n, BlockSize - used_);
            std::memcpy(buf_.data() + used_, p, take);
            used_ += take;
            p += take;
            n -= take;
            if (used_ < BlockSize) {
                return;
            }
            compress(buf_.data(), std::size_t{1});
            used_ = 0;
        }
        if (n >= BlockSize) {
            const std::size_t blocks = n / BlockSize;
            compress(p, blocks);
            p += blocks * BlockSize;
            n -= blocks * BlockSize;
        }
        if (n != 0) {
            std::memcpy(buf_.data(), p, n);
            used_ = n;
        }
    }

    /// Append the padding, compress the last block(s), then wipe the buffer and clear the count.
    /// CT: branches on lengths only.
    template <class Compress> void finish(Compress&& compress) noexcept {
        buf_[used_++] = 0x80;
        if (used_ > BlockSize - LengthBytes) {
            std::memset(buf_.data() + used_, 0, BlockSize - used_);
            compress(buf_.data(), std::size_t{1});
            used_ = 0;
        }
        std::memset(buf_.data() + used_, 0, BlockSize - LengthBytes - used_);
        // The bit count is bytes * 8 as a 128-bit number; SHA-1/256 keep its low 64 bits, which
        // FIPS 180-4 §5.1.1 makes exact for every message it allows (< 2^64 bits).
        const std::uint64_t bits_lo = bytes_lo_ << 3;
        const std::uint64_t bits_hi = (bytes_hi_ << 3) | (bytes_lo_ >> 61);
        if constexpr (LengthBytes == 16) {
            https::detail::store_be64(buf_.data() + BlockSize - 16, bits_hi);
        }
        https::detail::store_be64(buf_.data() + BlockSize - 8, bits_lo);
        compress(buf_.data(), std::size_t{1});
        reset();
    }

    /// Forget buffered input (wiped: it may be key material, e.g. inside HMAC).
    void reset() noexcept {
        ct::wipe(buf_);
        used_ = 0;
        bytes_lo_ = 0;
        bytes_hi_ = 0;
    }

  private:
    std::array<std::uint8_t, BlockSize> buf_{};
    std::size_t used_ = 0;
    std::uint64_t bytes_lo_ = 0;
    std::uint64_t bytes_hi_ = 0;
};

} // namespace https::crypto::detail
