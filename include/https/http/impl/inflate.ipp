// The DEFLATE decoder (http/inflate.hpp), out of line for separate compilation: CRC-32 and
// Adler-32, canonical Huffman tables, the block decoder and the zlib and gzip wrappers.
#pragma once

#include "../inflate.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>

namespace https::http {

namespace detail {

// ---- checksums ---------------------------------------------------------------------------

/// CRC-32 tables for eight bytes at a time: `crc32_tables[k][b]` is the CRC register after byte
/// `b` followed by `k` zero bytes (RFC 1952 §8's table is row 0).
inline constexpr std::array<std::array<std::uint32_t, 256>, 8> crc32_tables = [] {
    std::array<std::array<std::uint32_t, 256>, 8> t{};
    for (std::uint32_t n = 0; n < 256; ++n) {
        std::uint32_t c = n;
        for (int k = 0; k < 8; ++k) {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        t[0][n] = c;
    }
    for (std::size_t k = 1; k < 8; ++k) {
        for (std::size_t n = 0; n < 256; ++n) {
            t[k][n] = (t[k - 1][n] >> 8) ^ t[0][t[k - 1][n] & 0xff];
        }
    }
    return t;
}();

HTTPS_DECL std::uint32_t crc32_update(std::uint32_t crc, bytes_view data) noexcept {
    const auto& t = crc32_tables;
    std::uint32_t c = ~crc;
    const std::uint8_t* p = data.data();
    std::size_t n = data.size();
    // Eight bytes per step: the first byte travels furthest, through seven more bytes.
    while (n >= 8) {
        const std::uint32_t a = https::detail::load_le32(p) ^ c;
        const std::uint32_t b = https::detail::load_le32(p + 4);
        c = t[7][a & 0xff] ^ t[6][(a >> 8) & 0xff] ^ t[5][(a >> 16) & 0xff] ^ t[4][a >> 24] ^
            t[3][b & 0xff] ^ t[2][(b >> 8) & 0xff] ^ t[1][(b >> 16) & 0xff] ^ t[0][b >> 24];
        p += 8;
        n -= 8;
    }
    for (; n != 0; --n, ++p) {
        c = t[0][(c ^ *p) & 0xff] ^ (c >> 8);
    }
    return ~c;
}

HTTPS_DECL std::uint32_t adler32_update(std::uint32_t adler, bytes_view data) noexcept {
    // RFC 1950 §8.2: s1 = 1 + sum of bytes, s2 = sum of the s1 values, both modulo 65521. The
    // reduction waits as long as s2 cannot overflow 32 bits: 5552 bytes, the largest n with
    // 255 n (n + 1) / 2 + (n + 1) (65521 - 1) < 2^32.
    constexpr std::uint32_t modulus = 65521;
    constexpr std::size_t max_run = 5552;
    std::uint32_t s1 = adler & 0xffff;
    std::uint32_t s2 = adler >> 16;
    const std::uint8_t* p = data.data();
    std::size_t n = data.size();
    while (n != 0) {
        std::size_t run = std::min(n, max_run);
        n -= run;
        for (; run >= 4; run -= 4, p += 4) {
            s1 += p[0];
            s2 += s1;
            s1 += p[1];
            s2 += s1;
            s1 += p[2];
            s2 += s1;
            s1 += p[3];
            s2 += s1;
        }
        for (; run != 0; --run, ++p) {
            s1 += *p;
            s2 += s1;
        }
        s1 %= modulus;
        s2 %= modulus;
    }
    return (s2 << 16) | s1;
}

// ---- Huffman tables ----------------------------------------------------------------------

// A table entry is 32 bits:
//   bits 0..7    the code's length in bits: what decoding the symbol consumes
//   bits 8..11   extra bits after the code (lengths and distances, RFC 1951 §3.2.5), or for a
//                link the number of bits that index its second-level table
//   bits 12..15  the kind: literal, end of block, link, invalid; none of them for a length
//                (literal/length table), a distance or a code-length symbol
//   bits 16..31  the literal byte, the base length or distance, the code-length symbol, or the
//                link's offset in the table
// Codes up to `root` bits long are looked up in one step: the first-level table has an entry
// for every value of the next `root` input bits, repeated for the bits a shorter code leaves
// over. A longer code's first `root` bits lead to a link, and its remaining bits index the
// link's second-level table, sized for the longest code under that prefix.
inline constexpr std::uint32_t entry_literal = 1u << 12;
inline constexpr std::uint32_t entry_end = 1u << 13;
inline constexpr std::uint32_t entry_link = 1u << 14;
inline constexpr std::uint32_t entry_invalid = 1u << 15;
// What an unused slot of an incomplete code decodes to: invalid, one bit long.
inline constexpr std::uint32_t entry_unused = entry_invalid | 1u;

inline constexpr unsigned max_code_bits = 15; // RFC 1951 §3.2.7
inline constexpr unsigned literal_root_bits = 10;
inline constexpr unsigned distance_root_bits = 8;
inline constexpr unsigned code_length_root_bits = 7; // code-length codes are at most 7 bits

// Second-level room: a complete code's subtree of depth k under one prefix holds at least k + 1
// codes, so each table entry beyond the first level costs at most 2^k / (k + 1) codes' worth
// (k ≤ 15 - root): ≤ 286 * 32 / 6 < 1536 entries for literals/lengths (k ≤ 5) and
// ≤ 30 * 128 / 8 = 480 < 512 for distances (k ≤ 7). The builder checks the room anyway.
using literal_table = std::array<std::uint32_t, (1u << literal_root_bits) + 1536>;
using distance_table = std::array<std::uint32_t, (1u << distance_root_bits) + 512>;
using code_length_table = std::array<std::uint32_t, 1u << code_length_root_bits>;

// RFC 1951 §3.2.5: base lengths and extra bits of length codes 257..285, base distances and
// extra bits of distance codes 0..29.
inline constexpr std::array<std::uint16_t, 29> length_base = {
    3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
    31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
inline constexpr std::array<std::uint8_t, 29> length_extra = {
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
inline constexpr std::array<std::uint16_t, 30> distance_base = {
    1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
inline constexpr std::array<std::uint8_t, 30> distance_extra = {
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

// What each symbol decodes to, without its code length. Literal/length symbols 286 and 287 and
// distance symbols 30 and 31 have fixed codes (RFC 1951 §3.2.6) but stand for nothing.
inline constexpr std::array<std::uint32_t, 288> literal_symbols = [] {
    std::array<std::uint32_t, 288> t{};
    for (std::uint32_t s = 0; s < 256; ++s) {
        t[s] = entry_literal | (s << 16);
    }
    t[256] = entry_end;
    for (std::size_t i = 0; i < length_base.size(); ++i) {
        t[257 + i] = (std::uint32_t{length_extra[i]} << 8) | (std::uint32_t{length_base[i]} << 16);
    }
    t[286] = entry_invalid;
    t[287] = entry_invalid;
    return t;
}();
inline constexpr std::array<std::uint32_t, 32> distance_symbols = [] {
    std::array<std::uint32_t, 32> t{};
    for (std::size_t i = 0; i < distance_base.size(); ++i) {
        t[i] = (std::uint32_t{distance_extra[i]} << 8) | (std::uint32_t{distance_base[i]} << 16);
    }
    t[30] = entry_invalid;
    t[31] = entry_invalid;
    return t;
}();
inline constexpr std::array<std::uint32_t, 19> code_length_symbols = [] {
    std::array<std::uint32_t, 19> t{};
    for (std::uint32_t s = 0; s < 19; ++s) {
        t[s] = s << 16;
    }
    return t;
}();

/// Which alphabet a table codes: the rules for incomplete codes differ.
enum class huffman_alphabet { code_lengths, literals, distances };

/// Build the decoding table of the canonical Huffman code (RFC 1951 §3.2.2) with these code
/// lengths. Refused as `inflate_bad_code_lengths`: an over-subscribed code (more codes than the
/// lengths allow), and an incomplete one, except the two cases RFC 1951 §3.2.7 leaves open and
/// encoders use: a single code of one bit (literals/lengths or distances), and no distance
/// codes at all (a block of literals only). Unused slots decode as invalid.
template <std::size_t Size>
errc build_huffman_table(std::array<std::uint32_t, Size>& table, unsigned root,
                         const std::uint8_t* lengths, std::size_t count,
                         const std::uint32_t* symbols, huffman_alphabet alphabet) noexcept {
    std::array<std::uint16_t, max_code_bits + 1> per_length{};
    for (std::size_t s = 0; s < count; ++s) {
        ++per_length[lengths[s]];
    }
    per_length[0] = 0;
    // Kraft: `left` is how many codes of the current length are still free.
    int left = 1;
    unsigned codes = 0;
    for (unsigned len = 1; len <= max_code_bits; ++len) {
        left = 2 * left - per_length[len];
        if (left < 0) {
            return errc::inflate_bad_code_lengths; // over-subscribed
        }
        codes += per_length[len];
    }
    if (left > 0) {
        const bool single_one_bit = codes == 1 && per_length[1] == 1;
        const bool allowed = (alphabet != huffman_alphabet::code_lengths && single_one_bit) ||
                             (alphabet == huffman_alphabet::distances && codes == 0);
        if (!allowed) {
            return errc::inflate_bad_code_lengths; // incomplete
        }
    }
    std::fill(table.begin(), table.end(), entry_unused);
    // First code of each length (RFC 1951 §3.2.2 step 2).
    std::array<std::uint16_t, max_code_bits + 1> next{};
    unsigned code = 0;
    for (unsigned len = 1; len <= max_code_bits; ++len) {
        code = (code + per_length[len - 1]) << 1;
        next[len] = static_cast<std::uint16_t>(code);
    }
    // Each symbol's code, bit-reversed: DEFLATE sends codes most significant bit first into an
    // LSB-first bit stream, so the table is indexed by the reversed code.
    std::array<std::uint16_t, 288> reversed{};
    std::array<std::uint8_t, 1u << literal_root_bits> second_bits{}; // per first-level prefix
    const unsigned root_size = 1u << root;
    for (std::size_t s = 0; s < count; ++s) {
        const unsigned len = lengths[s];
        if (len == 0) {
            continue;
        }
        unsigned c = next[len]++;
        unsigned r = 0;
        for (unsigned i = 0; i < len; ++i, c >>= 1) {
            r = (r << 1) | (c & 1);
        }
        reversed[s] = static_cast<std::uint16_t>(r);
        if (len > root) {
            auto& bits = second_bits[r & (root_size - 1)];
            bits = static_cast<std::uint8_t>(std::max<unsigned>(bits, len - root));
        }
    }
    std::size_t free_at = root_size;
    for (unsigned prefix = 0; prefix < root_size; ++prefix) {
        if (second_bits[prefix] == 0) {
            continue;
        }
        const std::size_t size = std::size_t{1} << second_bits[prefix];
        if (free_at + size > table.size()) {
            return errc::inflate_bad_code_lengths; // unreachable for a complete code
        }
        table[prefix] = entry_link | (std::uint32_t{second_bits[prefix]} << 8) |
                        (static_cast<std::uint32_t>(free_at) << 16);
        free_at += size;
    }
    for (std::size_t s = 0; s < count; ++s) {
        const unsigned len = lengths[s];
        if (len == 0) {
            continue;
        }
        const std::uint32_t entry = symbols[s] | len;
        const unsigned r = reversed[s];
        if (len <= root) {
            for (unsigned i = r; i < root_size; i += 1u << len) {
                table[i] = entry;
            }
        } else {
            const std::uint32_t link = table[r & (root_size - 1)];
            const std::size_t offset = link >> 16;
            const unsigned size = 1u << ((link >> 8) & 0xf);
            for (unsigned i = r >> root; i < size; i += 1u << (len - root)) {
                table[offset + i] = entry;
            }
        }
    }
    return errc::ok;
}

/// The entry for the code at the bottom of `bits`.
inline std::uint32_t huffman_lookup(const std::uint32_t* table, unsigned root,
                                    std::uint64_t bits) noexcept {
    std::uint32_t e = table[bits & ((1u << root) - 1)];
    if ((e & entry_link) != 0) {
        e = table[(e >> 16) + ((bits >> root) & ((1u << ((e >> 8) & 0xf)) - 1))];
    }
    return e;
}

/// The fixed literal/length and distance codes of RFC 1951 §3.2.6, built once per process.
struct fixed_huffman_tables {
    literal_table literals{};
    distance_table distances{};
};

HTTPS_DECL const fixed_huffman_tables& fixed_tables() noexcept {
    static const fixed_huffman_tables tables = [] {
        fixed_huffman_tables t;
        std::array<std::uint8_t, 288> lengths{};
        std::fill(lengths.begin(), lengths.begin() + 144, 8);
        std::fill(lengths.begin() + 144, lengths.begin() + 256, 9);
        std::fill(lengths.begin() + 256, lengths.begin() + 280, 7);
        std::fill(lengths.begin() + 280, lengths.end(), 8);
        (void)build_huffman_table(t.literals, literal_root_bits, lengths.data(), 288,
                                  literal_symbols.data(), huffman_alphabet::literals);
        std::fill(lengths.begin(), lengths.begin() + 32, 5);
        (void)build_huffman_table(t.distances, distance_root_bits, lengths.data(), 32,
                                  distance_symbols.data(), huffman_alphabet::distances);
        return t;
    }();
    return tables;
}

// ---- the decoder ---------------------------------------------------------------------------

struct inflate_state {
    static constexpr std::size_t window_size = 32768;          // RFC 1951 §3.2: 32 KiB back
    static constexpr std::size_t buffer_size = 3 * window_size; // history + 64 KiB decoded ahead
    static constexpr std::size_t max_match = 258;
    static constexpr std::size_t max_piece = 2 * window_size; // most output per sink call
    static constexpr std::size_t copy_slack = 32; // match copies run up to 15 bytes past the end

    enum class step : std::uint8_t {
        header,              // zlib or gzip header (or the zlib-or-raw decision)
        block_header,        // BFINAL and BTYPE
        stored_header,       // LEN and NLEN
        stored_copy,         // a stored block's bytes
        table_counts,        // HLIT, HDIST, HCLEN
        code_length_lengths, // the code-length code's lengths, 3 bits each
        code_lengths,        // literal/length and distance code lengths
        codes,               // compressed data of a Huffman block
        trailer,             // zlib Adler-32 or gzip CRC-32 and ISIZE
        member_end,          // gzip: a member is complete; another may follow
        done,                // zlib or raw: the stream is complete
    };

    inflate_state(compression_format f, inflate_limits l) : format(f), limits(l) {}

    compression_format format; // zlib_or_raw turns into zlib or raw at the first two bytes
    inflate_limits limits;
    errc error = errc::ok;
    step at = step::header;
    bool complete = false;

    // Input of the current `feed` call, consumed through the bit buffer: `bits` holds
    // `bit_count` input bits, least significant first (RFC 1951 §3.1.1). Bits above bit_count are
    // zero or copies of input bytes not yet counted, which a later refill puts in the same place.
    const std::uint8_t* in = nullptr;
    const std::uint8_t* in_begin = nullptr;
    const std::uint8_t* in_end = nullptr;
    std::uint64_t consumed_before = 0; // input bytes consumed by earlier feed calls
    std::uint64_t bits = 0;
    unsigned bit_count = 0;

    // Block state.
    bool final_block = false;
    std::uint32_t stored_left = 0;
    unsigned literal_count = 0; // HLIT + 257
    unsigned distance_count = 0; // HDIST + 1
    unsigned code_length_count = 0; // HCLEN + 4
    unsigned lengths_read = 0;
    std::array<std::uint8_t, 19> code_length_lengths{};
    std::array<std::uint8_t, 286 + 30> lengths{};
    code_length_table code_length_codes{};
    literal_table literal_codes{};
    distance_table distance_codes{};
    const std::uint32_t* literals = nullptr;  // the current block's tables: fixed or dynamic
    const std::uint32_t* distances = nullptr;

    // Wrapper state.
    unsigned header_part = 0;      // how far into a gzip header, or which trailer word
    std::uint8_t gzip_flags = 0;
    std::uint32_t header_left = 0; // FEXTRA bytes still to skip
    std::uint32_t header_crc = 0;  // CRC-32 of the gzip header so far (for FHCRC)
    std::uint32_t check = 0;       // running Adler-32 (zlib) or CRC-32 (gzip) of the output
    std::uint64_t member_out = 0;  // output of this gzip member (ISIZE is it modulo 2^32)

    // Output: history and decoded bytes not yet handed to the sink.
    std::size_t pos = 0;      // next byte to write in `buffer`
    std::size_t flushed = 0;  // buffer[flushed, pos) has not gone to the sink yet
    std::uint64_t total_out = 0;
    std::array<std::uint8_t, buffer_size + copy_slack> buffer{};

    [[nodiscard]] std::uint64_t consumed() const noexcept {
        return consumed_before + static_cast<std::uint64_t>(in - in_begin);
    }

    // ---- bit input

    // Top the bit buffer up to more than 56 bits, or to the end of the input.
    void refill() noexcept {
        if (bit_count > 56) {
            return;
        }
        if (in_end - in >= 8) {
            // Load 8 bytes; count the whole bytes that fit. The rest are loaded again later.
            bits |= https::detail::load_le64(in) << bit_count;
            in += (63 - bit_count) >> 3;
            bit_count |= 56;
            return;
        }
        while (bit_count <= 56 && in != in_end) {
            bits |= std::uint64_t{*in++} << bit_count;
            bit_count += 8;
        }
    }
    // Make `n` (≤ 56) bits available; false when the input ran out first.
    bool need(unsigned n) noexcept {
        if (bit_count < n) {
            refill();
        }
        return bit_count >= n;
    }
    void drop(unsigned n) noexcept {
        bits >>= n;
        bit_count -= n;
    }
    [[nodiscard]] std::uint32_t peek(unsigned n) const noexcept {
        return static_cast<std::uint32_t>(bits & ((std::uint64_t{1} << n) - 1));
    }
    // Skip to a byte boundary (RFC 1951 §3.2.4: stored blocks, and the wrappers' trailers).
    void align() noexcept { drop(bit_count & 7); }
    // One whole byte (the input is byte-aligned); false when the input ran out.
    bool next_byte(std::uint8_t& out) noexcept {
        if (!need(8)) {
            return false;
        }
        out = static_cast<std::uint8_t>(bits);
        drop(8);
        return true;
    }

    // ---- output

    // Hand buffer[flushed, pos) to the sink after the caps and the running checksum.
    status flush(const inflater::sink& out) {
        const std::size_t n = pos - flushed;
        if (n == 0) {
            return {};
        }
        const std::uint64_t after = total_out + n;
        if (after > limits.max_output_bytes) {
            return errc::inflate_too_large;
        }
        if (limits.max_ratio != 0 && after > limits.ratio_grace_bytes &&
            after / limits.max_ratio > consumed()) {
            return errc::inflate_ratio_exceeded;
        }
        const bytes_view chunk(buffer.data() + flushed, n);
        if (format == compression_format::gzip) {
            check = crc32_update(check, chunk);
        } else if (format == compression_format::zlib) {
            check = adler32_update(check, chunk);
        }
        total_out = after;
        member_out += n;
        flushed = pos;
        return out ? out(chunk) : status{};
    }
    // Where output must stop until the next flush: a sink call gets at most max_piece bytes.
    [[nodiscard]] std::size_t output_limit() const noexcept {
        return std::min(buffer_size, flushed + max_piece);
    }
    // Flush, then keep only the last 32 KiB as history at the front of the buffer.
    status make_room(const inflater::sink& out) {
        HTTPS_TRY(flush(out));
        if (pos > window_size) {
            std::memmove(buffer.data(), buffer.data() + pos - window_size, window_size);
            pos = window_size;
            flushed = pos;
        }
        return {};
    }

    // ---- steps: each returns true when it finished, false when the input ran out first

    result<bool> read_header() {
        if (format == compression_format::zlib || format == compression_format::zlib_or_raw) {
            if (!need(16)) {
                return false;
            }
            // RFC 1950 §2.2: CMF (method 8, CINFO = log2(window) - 8 ≤ 7), FLG (FCHECK makes
            // CMF * 256 + FLG a multiple of 31, FDICT, FLEVEL).
            const std::uint32_t cmf = peek(8);
            const std::uint32_t flg = (peek(16) >> 8);
            const bool looks_zlib = (cmf & 0xf) == 8 && (cmf >> 4) <= 7 && (cmf * 256 + flg) % 31 == 0;
            if (format == compression_format::zlib_or_raw) {
                format = looks_zlib ? compression_format::zlib : compression_format::raw;
                if (!looks_zlib) {
                    at = step::block_header;
                    return true;
                }
            }
            if (!looks_zlib || (flg & 0x20) != 0) {
                return errc::inflate_bad_header; // or a preset dictionary, which HTTP never uses
            }
            drop(16);
            check = 1;
            at = step::block_header;
            return true;
        }
        if (format == compression_format::raw) {
            at = step::block_header;
            return true;
        }
        return read_gzip_header();
    }

    // RFC 1952 §2.3.1: ID1 ID2 CM FLG MTIME(4) XFL OS, then per FLG: FEXTRA (XLEN and XLEN
    // bytes), FNAME and FCOMMENT (zero-terminated), FHCRC (CRC-32 of the header, low 16 bits).
    result<bool> read_gzip_header() {
        // FLG bits; FTEXT (1) is a hint only
        constexpr std::uint8_t fhcrc = 2, fextra = 4, fname = 8, fcomment = 16;
        auto crc_bytes = [&](std::uint64_t value, unsigned count) {
            std::array<std::uint8_t, 8> b{};
            for (unsigned i = 0; i < count; ++i) {
                b[i] = static_cast<std::uint8_t>(value >> (8 * i));
            }
            header_crc = crc32_update(header_crc, bytes_view(b.data(), count));
        };
        for (;;) {
            switch (header_part) {
            case 0: { // ID1 ID2 CM FLG
                if (!need(32)) {
                    return false;
                }
                const std::uint32_t v = peek(32);
                if ((v & 0xffff) != 0x8b1f || ((v >> 16) & 0xff) != 8 || ((v >> 24) & 0xe0) != 0) {
                    return errc::inflate_bad_header; // not gzip, not DEFLATE, or reserved flags
                }
                gzip_flags = static_cast<std::uint8_t>(v >> 24);
                header_crc = 0;
                crc_bytes(v, 4);
                drop(32);
                header_part = 1;
                break;
            }
            case 1: // MTIME XFL OS: not used
                if (!need(48)) {
                    return false;
                }
                crc_bytes(bits, 6);
                drop(48);
                header_part = 2;
                break;
            case 2:
                if ((gzip_flags & fextra) != 0) {
                    if (!need(16)) {
                        return false;
                    }
                    header_left = peek(16);
                    crc_bytes(bits, 2);
                    drop(16);
                }
                header_part = 3;
                break;
            case 3: // the FEXTRA field's bytes
                while (header_left != 0) {
                    std::uint8_t b = 0;
                    if (!next_byte(b)) {
                        return false;
                    }
                    crc_bytes(b, 1);
                    --header_left;
                }
                header_part = 4;
                break;
            case 4:
            case 5: { // FNAME, then FCOMMENT: zero-terminated
                const std::uint8_t flag = header_part == 4 ? fname : fcomment;
                if ((gzip_flags & flag) != 0) {
                    for (;;) {
                        std::uint8_t b = 0;
                        if (!next_byte(b)) {
                            return false;
                        }
                        crc_bytes(b, 1);
                        if (b == 0) {
                            break;
                        }
                    }
                }
                ++header_part;
                break;
            }
            default: // FHCRC
                if ((gzip_flags & fhcrc) != 0) {
                    if (!need(16)) {
                        return false;
                    }
                    if (peek(16) != (header_crc & 0xffff)) {
                        return errc::inflate_bad_checksum;
                    }
                    drop(16);
                }
                header_part = 0;
                check = 0;
                member_out = 0;
                at = step::block_header;
                return true;
            }
        }
    }

    result<bool> read_block_header() {
        if (!need(3)) {
            return false;
        }
        // RFC 1951 §3.2.3: BFINAL (1 bit), BTYPE (2 bits).
        final_block = (bits & 1) != 0;
        const unsigned type = peek(3) >> 1;
        drop(3);
        switch (type) {
        case 0: at = step::stored_header; return true;
        case 1: {
            const auto& fixed = fixed_tables();
            literals = fixed.literals.data();
            distances = fixed.distances.data();
            at = step::codes;
            return true;
        }
        case 2: at = step::table_counts; return true;
        default: return errc::inflate_bad_block_type;
        }
    }

    result<bool> read_stored_header() {
        align();
        if (!need(32)) {
            return false;
        }
        // RFC 1951 §3.2.4: LEN, then NLEN, its one's complement.
        const std::uint32_t len = peek(16);
        const std::uint32_t nlen = peek(32) >> 16;
        if ((len ^ nlen) != 0xffff) {
            return errc::inflate_bad_stored_length;
        }
        drop(32);
        stored_left = len;
        at = step::stored_copy;
        return true;
    }

    result<bool> copy_stored(const inflater::sink& out) {
        while (stored_left != 0) {
            if (pos == output_limit()) {
                HTTPS_TRY(make_room(out));
            }
            if (bit_count != 0) { // whole bytes still in the bit buffer come first
                buffer[pos++] = static_cast<std::uint8_t>(bits);
                drop(8);
                --stored_left;
                continue;
            }
            bits = 0; // drop copies of bytes about to be taken directly
            const auto available = static_cast<std::size_t>(in_end - in);
            if (available == 0) {
                return false;
            }
            const std::size_t n =
                std::min({std::size_t{stored_left}, output_limit() - pos, available});
            std::memcpy(buffer.data() + pos, in, n);
            in += n;
            pos += n;
            stored_left -= static_cast<std::uint32_t>(n);
        }
        end_block();
        return true;
    }

    void end_block() noexcept { at = final_block ? step::trailer : step::block_header; }

    result<bool> read_table_counts() {
        if (!need(14)) {
            return false;
        }
        // RFC 1951 §3.2.7: HLIT (257..286 codes), HDIST (1..32, of which 30 exist), HCLEN.
        literal_count = peek(5) + 257;
        distance_count = (peek(10) >> 5) + 1;
        code_length_count = (peek(14) >> 10) + 4;
        drop(14);
        if (literal_count > 286 || distance_count > 30) {
            return errc::inflate_bad_code_lengths;
        }
        code_length_lengths.fill(0);
        lengths_read = 0;
        at = step::code_length_lengths;
        return true;
    }

    result<bool> read_code_length_lengths() {
        // The order in which the code-length code's lengths are sent (RFC 1951 §3.2.7).
        static constexpr std::array<std::uint8_t, 19> order = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                               11, 4,  12, 3, 13, 2, 14, 1, 15};
        while (lengths_read < code_length_count) {
            if (!need(3)) {
                return false;
            }
            code_length_lengths[order[lengths_read++]] = static_cast<std::uint8_t>(peek(3));
            drop(3);
        }
        const errc e = build_huffman_table(code_length_codes, code_length_root_bits,
                                           code_length_lengths.data(), 19,
                                           code_length_symbols.data(),
                                           huffman_alphabet::code_lengths);
        if (e != errc::ok) {
            return e;
        }
        lengths_read = 0;
        at = step::code_lengths;
        return true;
    }

    result<bool> read_code_lengths() {
        const unsigned total = literal_count + distance_count;
        while (lengths_read < total) {
            refill();
            const std::uint32_t e =
                huffman_lookup(code_length_codes.data(), code_length_root_bits, bits);
            const unsigned len = e & 0xff;
            if (len > bit_count) {
                return false;
            }
            const unsigned symbol = e >> 16;
            if (symbol < 16) { // a length
                lengths[lengths_read++] = static_cast<std::uint8_t>(symbol);
                drop(len);
                continue;
            }
            // 16: the previous length 3-6 times; 17: zero 3-10 times; 18: zero 11-138 times.
            const unsigned extra = symbol == 16 ? 2 : symbol == 17 ? 3 : 7;
            if (len + extra > bit_count) {
                return false;
            }
            const unsigned repeat = (symbol == 18 ? 11 : 3) + ((peek(len + extra)) >> len);
            std::uint8_t value = 0;
            if (symbol == 16) {
                if (lengths_read == 0) {
                    return errc::inflate_bad_code_lengths; // nothing to repeat
                }
                value = lengths[lengths_read - 1];
            }
            if (repeat > total - lengths_read) {
                return errc::inflate_bad_code_lengths; // runs past the last length
            }
            drop(len + extra);
            std::fill_n(lengths.begin() + lengths_read, repeat, value);
            lengths_read += repeat;
        }
        if (lengths[256] == 0) {
            return errc::inflate_bad_code_lengths; // no end-of-block code
        }
        errc e = build_huffman_table(literal_codes, literal_root_bits, lengths.data(),
                                     literal_count, literal_symbols.data(),
                                     huffman_alphabet::literals);
        if (e == errc::ok) {
            e = build_huffman_table(distance_codes, distance_root_bits,
                                    lengths.data() + literal_count, distance_count,
                                    distance_symbols.data(), huffman_alphabet::distances);
        }
        if (e != errc::ok) {
            return e;
        }
        literals = literal_codes.data();
        distances = distance_codes.data();
        at = step::codes;
        return true;
    }

    // The compressed data of a Huffman block (RFC 1951 §3.2.5). A length and its distance are
    // decoded together, only once all their bits (at most 15 + 5 + 15 + 13 = 48) are in the bit
    // buffer, so that running out of input never leaves a half-decoded pair. The hot loop keeps
    // its state in locals and writes it back on every exit.
    result<bool> decode_codes(const inflater::sink& out) {
        std::uint8_t* const buf = buffer.data();
        const std::uint32_t* const lit = literals;
        const std::uint32_t* const dist = distances;
        std::size_t p = pos;
        std::size_t last_start = output_limit() - max_match; // room for a longest match
        for (;;) {
            if (p > last_start) {
                pos = p;
                HTTPS_TRY(make_room(out));
                p = pos;
                last_start = output_limit() - max_match;
            }
            refill();
            const std::uint32_t e = huffman_lookup(lit, literal_root_bits, bits);
            const unsigned len = e & 0xff;
            if (len > bit_count) {
                pos = p;
                return false;
            }
            if ((e & entry_literal) != 0) {
                drop(len);
                buf[p++] = static_cast<std::uint8_t>(e >> 16);
                continue;
            }
            if ((e & (entry_end | entry_invalid)) != 0) {
                pos = p;
                if ((e & entry_invalid) != 0) {
                    return errc::inflate_bad_symbol;
                }
                drop(len);
                end_block();
                return true;
            }
            const unsigned extra = (e >> 8) & 0xf;
            unsigned used = len + extra;
            if (used > bit_count) {
                pos = p;
                return false;
            }
            const std::size_t length = (e >> 16) + ((bits >> len) & ((1u << extra) - 1));
            const std::uint64_t rest = bits >> used;
            const std::uint32_t d = huffman_lookup(dist, distance_root_bits, rest);
            const unsigned dlen = d & 0xff;
            const unsigned dextra = (d >> 8) & 0xf;
            if (used + dlen > bit_count || ((d & entry_invalid) == 0 && used + dlen + dextra > bit_count)) {
                pos = p;
                return false;
            }
            if ((d & entry_invalid) != 0) {
                pos = p;
                return errc::inflate_bad_symbol;
            }
            const std::size_t distance = (d >> 16) + ((rest >> dlen) & ((1u << dextra) - 1));
            used += dlen + dextra;
            if (distance > p) {
                pos = p;
                return errc::inflate_distance_too_far;
            }
            drop(used);
            copy_match(buf + p, distance, length);
            p += length;
        }
    }

    // Copy `length` bytes from `distance` back; the source may overlap the destination (a
    // distance shorter than the length repeats the last `distance` bytes). Wide copies may
    // write up to 15 bytes past the end, into bytes not yet decoded or the buffer's slack.
    static void copy_match(std::uint8_t* dst, std::size_t distance, std::size_t length) noexcept {
        const std::uint8_t* src = dst - distance;
        if (distance >= 16) {
            for (std::size_t i = 0; i < length; i += 16) {
                std::memcpy(dst + i, src + i, 16);
            }
        } else if (distance >= 8) {
            for (std::size_t i = 0; i < length; i += 8) {
                std::memcpy(dst + i, src + i, 8);
            }
        } else if (distance == 1) {
            std::memset(dst, *src, length);
        } else {
            for (std::size_t i = 0; i < length; ++i) {
                dst[i] = src[i];
            }
        }
    }

    result<bool> read_trailer(const inflater::sink& out) {
        HTTPS_TRY(flush(out)); // the checksum covers every byte of output
        align();
        if (format == compression_format::zlib) {
            if (!need(32)) {
                return false;
            }
            // RFC 1950 §2.2: ADLER32, most significant byte first.
            const std::uint32_t v = peek(32);
            const std::uint32_t adler = (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) |
                                        (v << 24);
            if (adler != check) {
                return errc::inflate_bad_checksum;
            }
            drop(32);
        } else if (format == compression_format::gzip) {
            // RFC 1952 §2.3.1: CRC32, then ISIZE (the input size modulo 2^32), both LSB first.
            if (header_part == 0) {
                if (!need(32)) {
                    return false;
                }
                if (peek(32) != check) {
                    return errc::inflate_bad_checksum;
                }
                drop(32);
                header_part = 1;
            }
            if (!need(32)) {
                return false;
            }
            if (peek(32) != static_cast<std::uint32_t>(member_out)) {
                return errc::inflate_bad_checksum;
            }
            drop(32);
            header_part = 0;
        }
        complete = true;
        at = format == compression_format::gzip ? step::member_end : step::done;
        return true;
    }

    // gzip: after a member, nothing, or the first byte of another (RFC 1952 §2.2).
    result<bool> next_member(const inflater::sink& out) {
        if (!need(8)) {
            return false;
        }
        if (peek(8) != 0x1f) {
            return errc::inflate_trailing_data;
        }
        HTTPS_TRY(flush(out));
        pos = 0; // a member's back-references cannot reach into the previous one
        flushed = 0;
        complete = false;
        at = step::header;
        return true;
    }

    status run(const inflater::sink& out) {
        for (;;) {
            result<bool> r = false;
            switch (at) {
            case step::header: r = read_header(); break;
            case step::block_header: r = read_block_header(); break;
            case step::stored_header: r = read_stored_header(); break;
            case step::stored_copy: r = copy_stored(out); break;
            case step::table_counts: r = read_table_counts(); break;
            case step::code_length_lengths: r = read_code_length_lengths(); break;
            case step::code_lengths: r = read_code_lengths(); break;
            case step::codes: r = decode_codes(out); break;
            case step::trailer: r = read_trailer(out); break;
            case step::member_end: r = next_member(out); break;
            case step::done:
                align();
                if (bit_count != 0 || in != in_end) {
                    return errc::inflate_trailing_data;
                }
                return {};
            }
            if (!r) {
                return r.error();
            }
            if (!*r) {
                return {}; // every input byte is in the bit buffer; wait for more
            }
        }
    }
};

} // namespace detail

HTTPS_DECL inflater::inflater(compression_format format, inflate_limits limits)
    : state_(std::make_unique<detail::inflate_state>(format, limits)) {}

HTTPS_DECL inflater::~inflater() = default;
HTTPS_DECL inflater::inflater(inflater&& other) noexcept = default;
HTTPS_DECL inflater& inflater::operator=(inflater&& other) noexcept = default;

HTTPS_DECL status inflater::feed(bytes_view in, const sink& out) {
    auto& s = *state_;
    if (s.error != errc::ok) {
        return s.error;
    }
    s.in_begin = in.data();
    s.in = in.data();
    s.in_end = in.data() + in.size();
    status st = s.run(out);
    if (st.ok()) {
        st = s.flush(out);
    }
    s.consumed_before = s.consumed();
    s.in_begin = s.in = s.in_end = nullptr;
    if (!st.ok()) {
        s.error = st.error();
    }
    return st;
}

HTTPS_DECL status inflater::finish() const noexcept {
    const auto& s = *state_;
    if (s.error != errc::ok) {
        return s.error;
    }
    return s.complete ? status{} : status{errc::inflate_truncated};
}

HTTPS_DECL bool inflater::done() const noexcept { return state_->complete; }
HTTPS_DECL std::uint64_t inflater::total_in() const noexcept { return state_->consumed_before; }
HTTPS_DECL std::uint64_t inflater::total_out() const noexcept { return state_->total_out; }

} // namespace https::http
