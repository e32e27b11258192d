// Hexadecimal encoding and strict decoding (used by tools, diagnostics and tests).
#pragma once

#include "bytes.hpp"

#include <string>
#include <string_view>

namespace https {

/// Lower-case hexadecimal of `data`.
inline std::string to_hex(bytes_view data) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(data.size() * 2);
    for (std::uint8_t b : data) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

/// Decode hexadecimal (either case, no separators); odd length or a non-hex digit is `bad_hex`.
inline result<byte_vector> from_hex(std::string_view text) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    };
    if (text.size() % 2 != 0) {
        return errc::bad_hex;
    }
    byte_vector out(text.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = nibble(text[2 * i]);
        const int lo = nibble(text[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return errc::bad_hex;
        }
        out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
    }
    return out;
}

} // namespace https
