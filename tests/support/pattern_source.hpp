// A request body made on demand for upload tests: a known byte pattern of any length, with
// counters that show how the client pulled it (reads, largest buffer, rewinds).
#pragma once

#include <https/http/body_source.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

namespace test {

class pattern_source final : public https::http::body_source {
public:
    /// `announce`: whether size() tells the length (else the body goes chunked);
    /// `rewindable`: whether rewind() can start over once bytes have been read.
    explicit pattern_source(std::uint64_t length, bool announce = true, bool rewindable = true)
        : length_(length), announce_(announce), rewindable_(rewindable) {}

    /// The byte at `offset` of every pattern body (not periodic in powers of two).
    static std::uint8_t byte_at(std::uint64_t offset) {
        return static_cast<std::uint8_t>((offset * 31) ^ (offset >> 9) ^ (offset / 251));
    }
    /// The first `n` bytes of the pattern.
    static std::string text(std::uint64_t n) {
        std::string out(n, '\0');
        for (std::uint64_t i = 0; i < n; ++i) {
            out[i] = static_cast<char>(byte_at(i));
        }
        return out;
    }

    [[nodiscard]] std::optional<std::uint64_t> size() const override {
        return announce_ ? std::optional<std::uint64_t>(length_) : std::nullopt;
    }
    https::result<std::size_t> read(https::mutable_bytes buf) override {
        ++reads;
        largest_read = std::max(largest_read, buf.size());
        const auto n =
            static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), length_ - position));
        for (std::size_t i = 0; i < n; ++i) {
            buf[i] = byte_at(position + i);
        }
        position += n;
        return n;
    }
    https::status rewind() override {
        if (position == 0) {
            return {};
        }
        if (!rewindable_) {
            return https::errc::http_body_not_rewindable;
        }
        ++rewinds;
        position = 0;
        return {};
    }

    std::uint64_t position = 0;   ///< bytes handed out since the last rewind
    std::uint64_t reads = 0;      ///< calls to read()
    std::size_t largest_read = 0; ///< the largest buffer read() was asked to fill
    int rewinds = 0;              ///< rewinds that went back (not the no-op first one)

private:
    std::uint64_t length_;
    bool announce_;
    bool rewindable_;
};

} // namespace test
