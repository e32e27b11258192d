// PEM (RFC 7468) decoding: strict base64 between matching BEGIN/END lines, several blocks per text.
#pragma once

#include "../core/bytes.hpp"
#include "../core/result.hpp"

#include <array>
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

/// Base64 alphabet values (RFC 4648 Table 1); 0xff marks every other byte.
inline constexpr std::array<std::uint8_t, 256> base64_table = [] {
    std::array<std::uint8_t, 256> t{};
    t.fill(0xff);
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::uint8_t i = 0; i < 64; ++i) {
        t[static_cast<unsigned char>(alphabet[i])] = i;
    }
    return t;
}();

inline int base64_value(char c) noexcept {
    const std::uint8_t v = base64_table[static_cast<unsigned char>(c)];
    return v == 0xff ? -1 : v;
}

/// Strict base64 (RFC 4648 §4) of `text`, which holds no whitespace: a multiple of four
/// characters, `=` padding only at the very end, and the padding's unused bits zero (so every
/// byte string has exactly one accepted encoding). Appends to `out`.
/// CT: not constant-time (table lookups by input byte); meant for public data such as
/// certificates, not for private keys.
inline status base64_decode(std::string_view text, byte_vector& out) {
    if (text.size() % 4 != 0) {
        return errc::bad_pem;
    }
    std::size_t pad = 0;
    if (!text.empty() && text.back() == '=') {
        pad = text[text.size() - 2] == '=' ? 2 : 1;
    }
    const std::size_t start = out.size();
    out.resize(start + text.size() / 4 * 3);
    std::uint8_t* dst = out.data() + start;
    const std::size_t groups = text.size() / 4;
    for (std::size_t g = 0; g < groups; ++g) {
        const char* src = text.data() + 4 * g;
        const bool last = g + 1 == groups;
        std::uint32_t group = 0;
        std::uint8_t bad = 0;
        for (unsigned j = 0; j < 4; ++j) {
            std::uint8_t v = base64_table[static_cast<unsigned char>(src[j])];
            if (last && j >= 4 - pad) {
                v = src[j] == '=' ? 0 : 0xff;
            }
            bad |= v;
            group = (group << 6) | (v & 0x3f);
        }
        if ((bad & 0xc0) != 0) {
            return errc::bad_pem; // outside the alphabet, or '=' before the final padding
        }
        dst[3 * g] = static_cast<std::uint8_t>(group >> 16);
        dst[3 * g + 1] = static_cast<std::uint8_t>(group >> 8);
        dst[3 * g + 2] = static_cast<std::uint8_t>(group);
    }
    if (pad != 0) {
        // RFC 4648 §3.5: the bits the padding leaves unused must be zero (canonical encoding).
        const std::uint8_t* tail = dst + 3 * groups - 3;
        if ((pad == 1 && tail[2] != 0) || (pad == 2 && (tail[1] != 0 || tail[2] != 0))) {
            return errc::bad_pem;
        }
        out.resize(out.size() - pad);
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
        std::size_t n = body.size();
        body.resize(n + line.size());
        for (char c : line) {
            if (detail::base64_table[static_cast<unsigned char>(c)] == 0xff) {
                if (detail::pem_space(c)) {
                    continue;
                }
                if (c != '=') {
                    return errc::bad_pem; // includes "Proc-Type:" style headers
                }
            }
            body[n++] = c;
        }
        body.resize(n);
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
