// PEM (RFC 7468) decoding: strict base64 between matching BEGIN/END lines, several blocks per text.
#pragma once

#include "../core/bytes.hpp"
#include "../core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace https::x509 {

/// One PEM block: its label (`CERTIFICATE`, `PRIVATE KEY`, ...) and its decoded contents.
struct pem_block {
    std::string label;
    byte_vector der;
};

namespace detail {

inline int base64_value(char c) noexcept {
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

/// Strict base64 (RFC 4648 §4) of `text`, which holds no whitespace: a multiple of four
/// characters, `=` padding only at the very end, and the padding's unused bits zero (so every
/// byte string has exactly one accepted encoding). Appends to `out`.
inline status base64_decode(std::string_view text, byte_vector& out) {
    if (text.size() % 4 != 0) {
        return errc::bad_pem;
    }
    out.reserve(out.size() + text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        int v[4];
        unsigned pad = 0;
        for (unsigned j = 0; j < 4; ++j) {
            const char c = text[i + j];
            if (c == '=' && last && j >= 2) {
                v[j] = 0;
                ++pad;
                continue;
            }
            if (pad != 0) {
                return errc::bad_pem; // data after padding ("ab=c")
            }
            v[j] = base64_value(c);
            if (v[j] < 0) {
                return errc::bad_pem;
            }
        }
        const std::uint32_t group = (std::uint32_t(v[0]) << 18) | (std::uint32_t(v[1]) << 12) |
                                    (std::uint32_t(v[2]) << 6) | std::uint32_t(v[3]);
        // RFC 4648 §3.5: the bits the padding leaves unused must be zero for a canonical encoding.
        if ((pad == 1 && (group & 0xff) != 0) || (pad == 2 && (group & 0xffff) != 0)) {
            return errc::bad_pem;
        }
        out.push_back(static_cast<std::uint8_t>(group >> 16));
        if (pad < 2) {
            out.push_back(static_cast<std::uint8_t>(group >> 8));
        }
        if (pad < 1) {
            out.push_back(static_cast<std::uint8_t>(group));
        }
    }
    return {};
}

inline bool pem_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\r';
}

inline std::string_view trim_right(std::string_view s) noexcept {
    while (!s.empty() && pem_space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

/// RFC 7468 §3 label: printable ASCII, no leading/trailing space or hyphen, no doubled separators.
inline bool valid_label(std::string_view label) noexcept {
    if (label.empty() || label.front() == ' ' || label.front() == '-' || label.back() == ' ' ||
        label.back() == '-') {
        return false;
    }
    char previous = 'A';
    for (char c : label) {
        if (c < 0x20 || c > 0x7e) {
            return false;
        }
        const bool separator = c == ' ' || c == '-';
        if (separator && (previous == ' ' || previous == '-')) {
            return false;
        }
        previous = c;
    }
    return true;
}

/// If `line` is an encapsulation boundary `-----<kind> LABEL-----`, its label; `bad` is set when
/// the line starts like a boundary but is malformed.
inline std::string_view boundary_label(std::string_view line, std::string_view kind, bool& bad) {
    const std::string_view dashes = "-----";
    if (line.substr(0, dashes.size()) != dashes ||
        line.substr(dashes.size(), kind.size()) != kind) {
        return {};
    }
    std::string_view rest = line.substr(dashes.size() + kind.size());
    if (rest.size() < dashes.size() + 2 || rest.front() != ' ' ||
        rest.substr(rest.size() - dashes.size()) != dashes) {
        bad = true;
        return {};
    }
    std::string_view label = rest.substr(1, rest.size() - 1 - dashes.size());
    if (!valid_label(label)) {
        bad = true;
        return {};
    }
    return label;
}

} // namespace detail

/// Every PEM block in `text`, in order. Text outside blocks is ignored (bundles carry comments);
/// inside a block only base64 and line breaks/blanks may appear (no RFC 1421 headers), the END
/// label must equal the BEGIN label, and the base64 must be canonical. Any violation, an
/// unterminated block or a stray END line is `errc::bad_pem`.
inline result<std::vector<pem_block>> parse_pem(std::string_view text) {
    std::vector<pem_block> blocks;
    bool inside = false;
    std::string body;
    std::string label;
    while (!text.empty()) {
        const std::size_t eol = text.find('\n');
        std::string_view line = detail::trim_right(text.substr(0, eol));
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);

        bool bad = false;
        const std::string_view begin = detail::boundary_label(line, "BEGIN", bad);
        const std::string_view end = detail::boundary_label(line, "END", bad);
        if (bad) {
            return errc::bad_pem;
        }
        if (!inside) {
            if (!end.empty()) {
                return errc::bad_pem; // END without BEGIN
            }
            if (!begin.empty()) {
                inside = true;
                label.assign(begin);
                body.clear();
            }
            continue;
        }
        if (!begin.empty()) {
            return errc::bad_pem; // BEGIN inside a block
        }
        if (!end.empty()) {
            if (end != label || body.empty()) {
                return errc::bad_pem;
            }
            pem_block block;
            block.label = label;
            HTTPS_TRY(detail::base64_decode(body, block.der));
            blocks.push_back(std::move(block));
            inside = false;
            continue;
        }
        for (char c : line) {
            if (detail::pem_space(c)) {
                continue;
            }
            if (detail::base64_value(c) < 0 && c != '=') {
                return errc::bad_pem; // includes "Proc-Type:" style headers
            }
            body.push_back(c);
        }
    }
    if (inside) {
        return errc::bad_pem;
    }
    return blocks;
}

/// The DER of every `CERTIFICATE` block in `text` (other labels skipped); the PEM rules of
/// `parse_pem` apply to all blocks.
inline result<std::vector<byte_vector>> parse_pem_certificates(std::string_view text) {
    auto blocks = parse_pem(text);
    if (!blocks) {
        return blocks.error();
    }
    std::vector<byte_vector> out;
    for (auto& b : *blocks) {
        if (b.label == "CERTIFICATE") {
            out.push_back(std::move(b.der));
        }
    }
    return out;
}

} // namespace https::x509
