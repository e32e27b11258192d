// A streaming decoder for compressed bodies: RFC 1951 DEFLATE, with the RFC 1950 (zlib) and
// RFC 1952 (gzip) wrappers, fed in pieces of any size, in constant memory, with bomb caps.
#pragma once

#include "../core/bytes.hpp"
#include "../core/config.hpp"
#include "../core/result.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>

namespace https::http {

/// The wrapper around the DEFLATE data.
enum class compression_format {
    raw,         ///< RFC 1951 DEFLATE alone
    zlib,        ///< RFC 1950: a 2-byte header, DEFLATE, Adler-32 of the output
    gzip,        ///< RFC 1952: header, DEFLATE, CRC-32 and size; concatenated members accepted
    zlib_or_raw, ///< HTTP's "deflate": zlib (RFC 9110 §8.4.1.2), or raw DEFLATE, which some
                 ///< servers send instead, told apart by the first two bytes (see inflater)
};

/// Caps against decompression bombs. Output beyond `max_output_bytes` is
/// `errc::inflate_too_large`; once the output passes `ratio_grace_bytes`, output of more than
/// `max_ratio` times the compressed bytes read so far is `errc::inflate_ratio_exceeded`
/// (DEFLATE's own limit is about 1032:1). Both are checked before output reaches the sink, in
/// steps of at most 64 KiB of output, so the sink never sees bytes past either cap.
struct inflate_limits {
    std::uint64_t max_output_bytes = std::numeric_limits<std::uint64_t>::max();
    std::uint32_t max_ratio = 0;                  ///< 0 = no ratio cap
    std::uint64_t ratio_grace_bytes = 1u << 20;   ///< output below this is never a ratio breach
};

namespace detail {

/// CRC-32 as RFC 1952 §8 defines it (reflected polynomial 0xEDB88320, pre- and post-inverted):
/// pass 0 to start and the previous value to continue.
HTTPS_DECL std::uint32_t crc32_update(std::uint32_t crc, bytes_view data) noexcept;

/// Adler-32 (RFC 1950 §8.2): pass 1 to start and the previous value to continue.
HTTPS_DECL std::uint32_t adler32_update(std::uint32_t adler, bytes_view data) noexcept;

struct inflate_state; // the window, the Huffman tables and the decoder's position (impl/)

} // namespace detail

/// A streaming DEFLATE decoder. Compressed bytes go in through `feed`, in pieces of any size
/// (one byte at a time works); decoded bytes come out through the sink, in pieces of at most
/// 64 KiB, before `feed` returns. Memory is constant: a 96 KiB buffer (the 32 KiB window of
/// RFC 1951 §3.2 plus room to decode ahead) and the Huffman tables, allocated once.
///
/// Every malformed input is a named `errc` (the `inflate_*` group), after which the decoder
/// stays failed; output decoded by the failing call and not yet handed over is dropped. The
/// checksum of a zlib or gzip stream is checked when its trailer arrives, so a mismatch is
/// reported after the output it covers has gone to the sink.
///
/// gzip: concatenated members (RFC 1952 §2.2, "a series of members") are decoded one after the
/// other, as gzip -d does; after a member, a byte that cannot start another is
/// `inflate_trailing_data`. zlib and raw: any byte after the stream is `inflate_trailing_data`.
/// Preset dictionaries (zlib FDICT) are refused as `inflate_bad_header`.
///
/// `zlib_or_raw`: a stream whose first two bytes form a valid zlib header (method 8, window
/// ≤ 32 KiB, check bits) is zlib; anything else is raw DEFLATE. Raw DEFLATE can look like a
/// zlib header only when it starts with a stored block whose padding bits are not zero, which
/// no encoder writes.
class inflater {
public:
    using sink = std::function<status(bytes_view)>;

    HTTPS_DECL explicit inflater(compression_format format, inflate_limits limits = {});
    HTTPS_DECL ~inflater();
    HTTPS_DECL inflater(inflater&& other) noexcept;
    HTTPS_DECL inflater& operator=(inflater&& other) noexcept;
    inflater(const inflater&) = delete;
    inflater& operator=(const inflater&) = delete;

    /// Decode `in`, handing every byte it completes to `out` (may be empty: output is counted
    /// and checked, then dropped). An error from `out` ends decoding with that error.
    HTTPS_DECL status feed(bytes_view in, const sink& out);

    /// The input has ended: success only if the stream (its last gzip member) is complete,
    /// `inflate_truncated` if it stopped part way, or the error that stopped `feed`.
    [[nodiscard]] HTTPS_DECL status finish() const noexcept;

    /// True once a complete stream (for gzip: at least one complete member) has been decoded.
    [[nodiscard]] HTTPS_DECL bool done() const noexcept;

    /// Compressed bytes consumed and decoded bytes produced so far.
    [[nodiscard]] HTTPS_DECL std::uint64_t total_in() const noexcept;
    [[nodiscard]] HTTPS_DECL std::uint64_t total_out() const noexcept;

private:
    std::unique_ptr<detail::inflate_state> state_;
};

} // namespace https::http

#if !defined(HTTPS_SEPARATE_COMPILATION)
#include "impl/inflate.ipp"
#endif
