// Byte-span aliases, big-endian load/store, and the bounds-checked reader and writer that all
// peer input and protocol output go through.
#pragma once

#include "result.hpp"

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace https {

using bytes_view = std::span<const std::uint8_t>;
using mutable_bytes = std::span<std::uint8_t>;
using byte_vector = std::vector<std::uint8_t>;

/// View a string's characters as bytes (no copy).
inline bytes_view as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

namespace detail {

inline std::uint32_t load_be32(const std::uint8_t* p) noexcept {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}
inline std::uint64_t load_be64(const std::uint8_t* p) noexcept {
    return (std::uint64_t{load_be32(p)} << 32) | load_be32(p + 4);
}
inline std::uint32_t load_le32(const std::uint8_t* p) noexcept {
    return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) |
           (std::uint32_t{p[3]} << 24);
}
inline std::uint64_t load_le64(const std::uint8_t* p) noexcept {
    return std::uint64_t{load_le32(p)} | (std::uint64_t{load_le32(p + 4)} << 32);
}
inline void store_be32(std::uint8_t* p, std::uint32_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}
inline void store_be64(std::uint8_t* p, std::uint64_t v) noexcept {
    store_be32(p, static_cast<std::uint32_t>(v >> 32));
    store_be32(p + 4, static_cast<std::uint32_t>(v));
}
inline void store_le32(std::uint8_t* p, std::uint32_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v);
    p[1] = static_cast<std::uint8_t>(v >> 8);
    p[2] = static_cast<std::uint8_t>(v >> 16);
    p[3] = static_cast<std::uint8_t>(v >> 24);
}
inline void store_le64(std::uint8_t* p, std::uint64_t v) noexcept {
    store_le32(p, static_cast<std::uint32_t>(v));
    store_le32(p + 4, static_cast<std::uint32_t>(v >> 32));
}

} // namespace detail

/// Reads big-endian fields from untrusted bytes. Every read checks the remaining length and
/// returns `errc::truncated` instead of touching memory past the end; a failed read consumes
/// nothing. The reader never copies: byte fields are spans into the original buffer.
class reader {
public:
    constexpr reader() noexcept = default;
    constexpr explicit reader(bytes_view data) noexcept : data_(data) {}

    [[nodiscard]] std::size_t remaining() const noexcept { return data_.size() - pos_; }
    [[nodiscard]] bool empty() const noexcept { return remaining() == 0; }
    [[nodiscard]] std::size_t position() const noexcept { return pos_; }
    /// The bytes not yet read.
    [[nodiscard]] bytes_view rest() const noexcept { return data_.subspan(pos_); }

    result<std::uint8_t> read_u8() noexcept { return read_uint<std::uint8_t>(1); }
    result<std::uint16_t> read_u16() noexcept { return read_uint<std::uint16_t>(2); }
    result<std::uint32_t> read_u24() noexcept { return read_uint<std::uint32_t>(3); }
    result<std::uint32_t> read_u32() noexcept { return read_uint<std::uint32_t>(4); }
    result<std::uint64_t> read_u64() noexcept { return read_uint<std::uint64_t>(8); }

    /// The next `n` bytes.
    result<bytes_view> read_bytes(std::size_t n) noexcept {
        if (n > remaining()) {
            return errc::truncated;
        }
        bytes_view out = data_.subspan(pos_, n);
        pos_ += n;
        return out;
    }

    /// A field preceded by its length in `LengthBytes` big-endian bytes (TLS vectors: 1, 2 or 3).
    template <unsigned LengthBytes> result<bytes_view> read_prefixed() noexcept {
        static_assert(LengthBytes >= 1 && LengthBytes <= 4);
        const std::size_t start = pos_;
        auto len = read_uint<std::uint32_t>(LengthBytes);
        if (!len) {
            return len.error();
        }
        auto body = read_bytes(*len);
        if (!body) {
            pos_ = start;
            return body.error();
        }
        return body;
    }

    /// A sub-reader over a length-prefixed field.
    template <unsigned LengthBytes> result<reader> read_nested() noexcept {
        auto body = read_prefixed<LengthBytes>();
        if (!body) {
            return body.error();
        }
        return reader(*body);
    }

    /// Skip `n` bytes.
    status skip(std::size_t n) noexcept {
        if (n > remaining()) {
            return errc::truncated;
        }
        pos_ += n;
        return {};
    }

    /// Succeeds only if every byte has been consumed.
    [[nodiscard]] status expect_empty() const noexcept {
        return empty() ? status{} : status{errc::trailing_data};
    }

private:
    template <class T> result<T> read_uint(unsigned n) noexcept {
        if (n > remaining()) {
            return errc::truncated;
        }
        T v = 0;
        for (unsigned i = 0; i < n; ++i) {
            v = static_cast<T>((v << 8) | data_[pos_ + i]);
        }
        pos_ += n;
        return v;
    }

    bytes_view data_{};
    std::size_t pos_ = 0;
};

/// Appends big-endian fields to a growable buffer; length prefixes are back-patched.
class writer {
public:
    writer() = default;
    explicit writer(byte_vector& out) noexcept : out_(&out) {}
    writer(const writer&) = delete;
    writer& operator=(const writer&) = delete;
    writer(writer&&) = delete;
    writer& operator=(writer&&) = delete;
    ~writer() = default;

    void put_u8(std::uint8_t v) { buf().push_back(v); }
    void put_u16(std::uint16_t v) { put_uint(v, 2); }
    void put_u24(std::uint32_t v) {
        assert(v < (1u << 24));
        put_uint(v, 3);
    }
    void put_u32(std::uint32_t v) { put_uint(v, 4); }
    void put_u64(std::uint64_t v) { put_uint(v, 8); }
    void put_bytes(bytes_view b) { buf().insert(buf().end(), b.begin(), b.end()); }

    /// Start a field with a `length_bytes` length prefix; returns a mark for `end_prefixed`.
    std::size_t begin_prefixed(unsigned length_bytes) {
        assert(length_bytes >= 1 && length_bytes <= 4);
        std::size_t mark = buf().size();
        buf().resize(mark + length_bytes);
        return mark;
    }
    /// Fill in the length of a field started by `begin_prefixed`. A field longer than its prefix
    /// can count is `errc::length_overflow` in every build, never a wrapped length; the buffer is
    /// then unfinished and must not be sent.
    [[nodiscard]] status end_prefixed(std::size_t mark, unsigned length_bytes) {
        assert(length_bytes >= 1 && length_bytes <= 4);
        const std::size_t len = buf().size() - mark - length_bytes;
        if ((std::uint64_t{len} >> (8 * length_bytes)) != 0) {
            return errc::length_overflow;
        }
        for (unsigned i = 0; i < length_bytes; ++i) {
            buf()[mark + i] = static_cast<std::uint8_t>(len >> (8 * (length_bytes - 1 - i)));
        }
        return {};
    }
    /// `b` with a `length_bytes` length prefix (`errc::length_overflow` as `end_prefixed`).
    [[nodiscard]] status put_prefixed(unsigned length_bytes, bytes_view b) {
        const std::size_t mark = begin_prefixed(length_bytes);
        put_bytes(b);
        return end_prefixed(mark, length_bytes);
    }

    [[nodiscard]] const byte_vector& bytes() const noexcept { return *out_; }
    [[nodiscard]] std::size_t size() const noexcept { return out_->size(); }

private:
    byte_vector& buf() noexcept { return *out_; }
    void put_uint(std::uint64_t v, unsigned n) {
        for (unsigned i = 0; i < n; ++i) {
            buf().push_back(static_cast<std::uint8_t>(v >> (8 * (n - 1 - i))));
        }
    }

    byte_vector own_;
    byte_vector* out_ = &own_;
};

} // namespace https
