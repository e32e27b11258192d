// A strict DER (X.690 Distinguished Encoding Rules) reader: definite minimal lengths, checked tags,
// minimal INTEGERs, canonical BOOLEAN/BIT STRING, bounded nesting; spans into the input, no copies.
#pragma once

#include "bytes.hpp"
#include "result.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace https::der {

/// Universal tags used by X.509, PKCS#1 and SEC 1 structures (single-byte identifier octets).
namespace tag {
inline constexpr std::uint8_t boolean = 0x01;
inline constexpr std::uint8_t integer = 0x02;
inline constexpr std::uint8_t bit_string = 0x03;
inline constexpr std::uint8_t octet_string = 0x04;
inline constexpr std::uint8_t null = 0x05;
inline constexpr std::uint8_t oid = 0x06;
inline constexpr std::uint8_t utf8_string = 0x0c;
inline constexpr std::uint8_t printable_string = 0x13;
inline constexpr std::uint8_t teletex_string = 0x14;
inline constexpr std::uint8_t ia5_string = 0x16;
inline constexpr std::uint8_t utc_time = 0x17;
inline constexpr std::uint8_t generalized_time = 0x18;
inline constexpr std::uint8_t universal_string = 0x1c;
inline constexpr std::uint8_t bmp_string = 0x1e;
inline constexpr std::uint8_t sequence = 0x30;
inline constexpr std::uint8_t set = 0x31;
/// `[n]` context-specific, constructed (EXPLICIT tagging or a constructed IMPLICIT type).
constexpr std::uint8_t context_constructed(unsigned n) { return static_cast<std::uint8_t>(0xa0 | n); }
/// `[n]` context-specific, primitive (IMPLICIT tagging of a primitive type).
constexpr std::uint8_t context_primitive(unsigned n) { return static_cast<std::uint8_t>(0x80 | n); }
} // namespace tag

/// Nesting deeper than this is `errc::too_deep` (certificates need about 10).
inline constexpr unsigned max_depth = 32;

/// One TLV: its identifier octet, its contents, and the whole encoding (tag+length+contents).
struct element {
    std::uint8_t tag = 0;
    bytes_view contents;
    bytes_view encoded;
};

/// A BIT STRING: its bytes and the number of unused bits in the last byte (0..7).
struct bit_string {
    bytes_view bytes;
    unsigned unused_bits = 0;
    /// Bit `i`, numbered as X.509 numbers named bits (bit 0 is the most significant of byte 0).
    [[nodiscard]] bool bit(std::size_t i) const noexcept {
        if (i / 8 >= bytes.size() || (i / 8 == bytes.size() - 1 && 7 - i % 8 < unused_bits)) {
            return false;
        }
        return ((bytes[i / 8] >> (7 - i % 8)) & 1) != 0;
    }
};

/// Reads a sequence of DER elements from a buffer. Every read checks bounds and rules and returns
/// a named error; a failed read consumes nothing.
class parser {
public:
    explicit parser(bytes_view data, unsigned depth = 0) noexcept : data_(data), depth_(depth) {}

    [[nodiscard]] bool empty() const noexcept { return pos_ == data_.size(); }
    [[nodiscard]] status expect_empty() const noexcept {
        return empty() ? status{} : status{errc::trailing_data};
    }
    /// The identifier octet of the next element, if there is one.
    [[nodiscard]] std::optional<std::uint8_t> peek_tag() const noexcept {
        if (empty()) {
            return std::nullopt;
        }
        return data_[pos_];
    }
    [[nodiscard]] bool next_is(std::uint8_t t) const noexcept { return peek_tag() == t; }

    /// The next element, whatever its tag.
    result<element> read_any() noexcept {
        reader r(data_.subspan(pos_));
        auto t = r.read_u8();
        if (!t) {
            return errc::truncated;
        }
        if ((*t & 0x1f) == 0x1f) {
            return errc::bad_encoding; // high-tag-number form: never used by the structures we read
        }
        auto first = r.read_u8();
        if (!first) {
            return errc::truncated;
        }
        std::size_t length = *first;
        if (*first == 0x80) {
            return errc::indefinite_length;
        }
        if (*first > 0x80) {
            const unsigned n = *first & 0x7f;
            if (n > 4) {
                return errc::length_overflow; // > 4 GiB: larger than anything we accept
            }
            length = 0;
            for (unsigned i = 0; i < n; ++i) {
                auto b = r.read_u8();
                if (!b) {
                    return errc::truncated;
                }
                if (i == 0 && *b == 0) {
                    return errc::non_minimal_encoding; // leading zero length octet
                }
                length = (length << 8) | *b;
            }
            if (length < 0x80) {
                return errc::non_minimal_encoding; // long form where the short form fits
            }
        }
        auto contents = r.read_bytes(length);
        if (!contents) {
            return errc::truncated;
        }
        element e;
        e.tag = *t;
        e.contents = *contents;
        e.encoded = data_.subspan(pos_, r.position());
        pos_ += r.position();
        return e;
    }

    /// The next element, which must carry tag `t` (else `errc::unexpected_tag`).
    result<element> read(std::uint8_t t) noexcept {
        if (empty()) {
            return errc::truncated;
        }
        if (data_[pos_] != t) {
            return errc::unexpected_tag;
        }
        return read_any();
    }

    /// The next element if it carries tag `t`; nothing (and no error) if another tag or the end.
    result<std::optional<element>> read_optional(std::uint8_t t) noexcept {
        if (!next_is(t)) {
            return std::optional<element>{};
        }
        auto e = read_any();
        if (!e) {
            return e.error();
        }
        return std::optional<element>{*e};
    }

    /// A parser over the contents of a constructed element with tag `t` (SEQUENCE, SET, [n]).
    result<parser> read_constructed(std::uint8_t t) noexcept {
        if ((t & 0x20) == 0) {
            return errc::unexpected_tag;
        }
        if (depth_ + 1 > max_depth) {
            return errc::too_deep;
        }
        auto e = read(t);
        if (!e) {
            return e.error();
        }
        return parser(e->contents, depth_ + 1);
    }
    result<parser> read_sequence() noexcept { return read_constructed(tag::sequence); }
    result<parser> read_set() noexcept { return read_constructed(tag::set); }

    /// INTEGER contents (two's complement, big-endian), checked to be minimally encoded.
    result<bytes_view> read_integer() noexcept {
        auto e = read(tag::integer);
        if (!e) {
            return e.error();
        }
        HTTPS_TRY(check_integer(e->contents));
        return e->contents;
    }

    /// A non-negative INTEGER's magnitude, big-endian, without the sign-padding zero byte
    /// (zero comes back as one 0x00 byte). Negative values are `errc::out_of_range`.
    result<bytes_view> read_unsigned_integer() noexcept {
        const std::size_t start = pos_;
        auto c = read_integer();
        if (!c) {
            return c;
        }
        bytes_view v = *c;
        if ((v[0] & 0x80) != 0) {
            pos_ = start;
            return errc::out_of_range;
        }
        if (v.size() > 1 && v[0] == 0) {
            v = v.subspan(1);
        }
        return v;
    }

    /// A small non-negative INTEGER (versions, path lengths): at most `max`, else out_of_range.
    result<std::uint64_t> read_small_unsigned(std::uint64_t max) noexcept {
        const std::size_t start = pos_;
        auto mag = read_unsigned_integer();
        if (!mag) {
            return mag.error();
        }
        if (mag->size() > 8) {
            pos_ = start;
            return errc::out_of_range;
        }
        std::uint64_t v = 0;
        for (std::uint8_t b : *mag) {
            v = (v << 8) | b;
        }
        if (v > max) {
            pos_ = start;
            return errc::out_of_range;
        }
        return v;
    }

    /// BOOLEAN: DER allows only 0x00 and 0xFF.
    result<bool> read_boolean() noexcept {
        const std::size_t start = pos_;
        auto e = read(tag::boolean);
        if (!e) {
            return e.error();
        }
        if (e->contents.size() != 1 || (e->contents[0] != 0x00 && e->contents[0] != 0xff)) {
            pos_ = start;
            return errc::bad_encoding;
        }
        return e->contents[0] == 0xff;
    }

    /// NULL: empty contents.
    status read_null() noexcept {
        const std::size_t start = pos_;
        auto e = read(tag::null);
        if (!e) {
            return e.error();
        }
        if (!e->contents.empty()) {
            pos_ = start;
            return errc::bad_encoding;
        }
        return {};
    }

    /// BIT STRING: unused-bit count 0..7, zero for an empty string, and the unused bits zero.
    result<bit_string> read_bit_string() noexcept {
        const std::size_t start = pos_;
        auto e = read(tag::bit_string);
        if (!e) {
            return e.error();
        }
        auto fail = [&](errc ec) {
            pos_ = start;
            return ec;
        };
        if (e->contents.empty()) {
            return fail(errc::bad_encoding);
        }
        const unsigned unused = e->contents[0];
        bytes_view bits = e->contents.subspan(1);
        if (unused > 7 || (bits.empty() && unused != 0)) {
            return fail(errc::bad_encoding);
        }
        if (!bits.empty() && (bits.back() & ((1u << unused) - 1)) != 0) {
            return fail(errc::bad_encoding);
        }
        return bit_string{bits, unused};
    }

    /// OCTET STRING contents.
    result<bytes_view> read_octet_string() noexcept {
        auto e = read(tag::octet_string);
        if (!e) {
            return e.error();
        }
        return e->contents;
    }

    /// OBJECT IDENTIFIER contents (the encoded arcs), checked well-formed: non-empty, every
    /// sub-identifier minimal (no leading 0x80) and terminated.
    result<bytes_view> read_oid() noexcept {
        const std::size_t start = pos_;
        auto e = read(tag::oid);
        if (!e) {
            return e.error();
        }
        if (!valid_oid(e->contents)) {
            pos_ = start;
            return errc::bad_encoding;
        }
        return e->contents;
    }

    /// How deep this parser sits (0 for the outermost).
    [[nodiscard]] unsigned depth() const noexcept { return depth_; }

    static status check_integer(bytes_view v) noexcept {
        if (v.empty()) {
            return errc::bad_encoding;
        }
        // X.690 §8.3.2: the first nine bits must not be all zeros or all ones.
        if (v.size() > 1 && ((v[0] == 0x00 && (v[1] & 0x80) == 0) ||
                             (v[0] == 0xff && (v[1] & 0x80) != 0))) {
            return errc::non_minimal_encoding;
        }
        return {};
    }

    static bool valid_oid(bytes_view v) noexcept {
        if (v.empty() || (v.back() & 0x80) != 0) {
            return false;
        }
        bool at_start = true;
        for (std::uint8_t b : v) {
            if (at_start && b == 0x80) {
                return false; // non-minimal sub-identifier
            }
            at_start = (b & 0x80) == 0;
        }
        return true;
    }

private:
    bytes_view data_;
    std::size_t pos_ = 0;
    unsigned depth_ = 0;
};

/// Parse exactly one element of tag `t` spanning all of `data` (no trailing bytes).
inline result<element> parse_single(bytes_view data, std::uint8_t t) noexcept {
    parser p(data);
    auto e = p.read(t);
    if (!e) {
        return e.error();
    }
    HTTPS_TRY(p.expect_empty());
    return e;
}

/// Compare an OID's encoded contents with a known one.
inline bool oid_equals(bytes_view encoded, bytes_view known) noexcept {
    return encoded.size() == known.size() &&
           std::equal(encoded.begin(), encoded.end(), known.begin());
}

} // namespace https::der
