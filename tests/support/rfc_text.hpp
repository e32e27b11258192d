// Reading test vectors straight out of RFC plain text: sections, labelled hex dumps, word tables.
// Page footers and headers are dropped first, so dumps that cross a page break read as one.
// Every reader throws (failing the test) when a label is missing or its data is malformed.
#pragma once

#include "vectors.hpp"

#include <cctype>
#include <cstdint>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace test::rfc {

inline std::string trim(std::string_view s) {
    const char* ws = " \t\r\n";
    const auto b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) {
        return {};
    }
    const auto e = s.find_last_not_of(ws);
    return std::string(s.substr(b, e - b + 1));
}

/// A run of lines (a section or one "Test Vector #n" of it) and readers for labelled data.
class section {
  public:
    section() = default;
    explicit section(std::vector<std::string> lines) : lines_(std::move(lines)) {}

    const std::vector<std::string>& lines() const { return lines_; }

    /// The pieces that start at a line beginning "Test Vector #", in order.
    std::vector<section> test_vectors() const {
        std::vector<section> out;
        for (const auto& line : lines_) {
            if (trim(line).rfind("Test Vector #", 0) == 0) {
                out.emplace_back();
            }
            if (!out.empty()) {
                out.back().lines_.push_back(line);
            }
        }
        return out;
    }

    /// The bytes labelled `label`: either inline after it (`Key = 00:01:...`, possibly wrapped
    /// onto the next line), or on the following lines as an offset dump (`016  c7 d1 ...`), as
    /// colon-separated hex, or as space-separated hex.
    bytes hex(std::string_view label) const {
        std::size_t i = find(label);
        std::string rest = after_label(lines_[i], label);
        bytes out;
        if (!rest.empty()) {
            // inline colon form, e.g. "(00:00:00:09:...)" or "85:d6:...:01:0" wrapped mid-byte
            std::string joined = colon_run(rest);
            while (wraps(joined) && i + 1 < lines_.size()) {
                joined += colon_run(trim(lines_[++i]));
            }
            return parse_colon(joined, label);
        }
        std::size_t j = next_nonblank(i + 1);
        const std::string& first = lines_.at(j);
        if (is_dump_line(first)) {
            while (j < lines_.size() && is_dump_line(lines_[j])) {
                read_dump_line(lines_[j], out, label);
                j = next_nonblank(j + 1, false);
            }
        } else if (is_colon_line(first)) {
            std::string joined;
            for (; j < lines_.size() && is_colon_line(lines_[j]); ++j) {
                if (!joined.empty() && !wraps(joined)) {
                    joined += ':';
                }
                joined += trim(lines_[j]);
            }
            out = parse_colon(joined, label);
        } else if (is_spaced_line(first)) {
            for (; j < lines_.size() && is_spaced_line(lines_[j]); ++j) {
                std::string t = trim(lines_[j]);
                for (std::size_t k = 0; k < t.size(); k += 3) {
                    out.push_back(byte_at(t, k, label));
                }
            }
        } else {
            throw std::runtime_error("no hex data after label " + std::string(label));
        }
        return out;
    }

    /// `count` 32-bit words in the rows after `label` (ChaCha state tables; `*` marks ignored).
    std::vector<std::uint32_t> words(std::string_view label, std::size_t count = 16) const {
        std::size_t j = next_nonblank(find(label) + 1);
        std::vector<std::uint32_t> out;
        static const std::regex row(R"(^\s*(\*?[0-9a-f]{8}\s*)+$)");
        while (out.size() < count && j < lines_.size() && std::regex_match(lines_[j], row)) {
            std::string line = lines_[j];
            for (auto& c : line) {
                c = c == '*' ? ' ' : c;
            }
            std::size_t pos = 0;
            while ((pos = line.find_first_not_of(' ', pos)) != std::string::npos) {
                out.push_back(
                    static_cast<std::uint32_t>(std::stoul(line.substr(pos, 8), nullptr, 16)));
                pos += 8;
            }
            j = next_nonblank(j + 1, false);
        }
        if (out.size() != count) {
            throw std::runtime_error("word table after " + std::string(label) + " has " +
                                     std::to_string(out.size()) + " words");
        }
        return out;
    }

    /// A decimal number after `label`, e.g. `Block Counter = 1` or `Initial Counter = 1.`.
    std::uint64_t number(std::string_view label) const {
        const std::string rest = after_label(lines_[find(label)], label);
        std::size_t used = 0;
        const auto v = std::stoull(rest, &used, 10);
        if (used == 0) {
            throw std::runtime_error("no number after " + std::string(label));
        }
        return v;
    }

  private:
    std::size_t find(std::string_view label) const {
        for (std::size_t i = 0; i < lines_.size(); ++i) {
            if (unbulleted(lines_[i]).rfind(label, 0) == 0) {
                return i;
            }
        }
        throw std::runtime_error("label not found: " + std::string(label));
    }

    static std::string unbulleted(const std::string& line) {
        std::string t = trim(line);
        if (t.rfind("o ", 0) == 0) {
            t = trim(t.substr(2));
        }
        return t;
    }

    /// What follows the label on its line, without separators (":", "=") and brackets.
    static std::string after_label(const std::string& line, std::string_view label) {
        std::string rest = unbulleted(line).substr(label.size());
        std::size_t b = rest.find_first_not_of(" :=(");
        return b == std::string::npos ? std::string{} : rest.substr(b);
    }

    std::size_t next_nonblank(std::size_t j, bool must_exist = true) const {
        while (j < lines_.size() && trim(lines_[j]).empty()) {
            ++j;
        }
        if (must_exist && j >= lines_.size()) {
            throw std::runtime_error("data expected after a label");
        }
        return j;
    }

    /// The leading run of hex digits and colons.
    static std::string colon_run(const std::string& s) {
        std::size_t e = 0;
        while (e < s.size() && (std::isxdigit(static_cast<unsigned char>(s[e])) || s[e] == ':')) {
            ++e;
        }
        return s.substr(0, e);
    }

    /// The RFC wraps long colon lists after a ':' or in the middle of a byte ("01:0" / "3:80").
    static bool wraps(const std::string& joined) {
        if (joined.empty() || joined.back() == ':') {
            return true;
        }
        const auto colon = joined.rfind(':');
        const std::size_t last =
            colon == std::string::npos ? joined.size() : joined.size() - colon - 1;
        return last == 1;
    }

    static bytes parse_colon(const std::string& s, std::string_view label) {
        bytes out;
        std::size_t pos = 0;
        while (pos < s.size()) {
            const auto colon = s.find(':', pos);
            const std::string tok =
                s.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
            if (tok.size() != 2) {
                throw std::runtime_error("bad colon hex after " + std::string(label));
            }
            out.push_back(byte_at(tok, 0, label));
            if (colon == std::string::npos) {
                break;
            }
            pos = colon + 1;
        }
        return out;
    }

    static std::uint8_t byte_at(const std::string& s, std::size_t k, std::string_view label) {
        if (k + 2 > s.size() || !std::isxdigit(static_cast<unsigned char>(s[k])) ||
            !std::isxdigit(static_cast<unsigned char>(s[k + 1]))) {
            throw std::runtime_error("bad hex after " + std::string(label));
        }
        return static_cast<std::uint8_t>(std::stoul(s.substr(k, 2), nullptr, 16));
    }

    static bool is_dump_line(const std::string& line) {
        static const std::regex re(R"(^\s*\d{3}  [0-9a-f]{2}( .*)?$)");
        return std::regex_match(line, re);
    }
    static bool is_colon_line(const std::string& line) {
        static const std::regex re(R"(^\s*[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2})+:?\s*$)");
        return std::regex_match(line, re);
    }
    static bool is_spaced_line(const std::string& line) {
        static const std::regex re(R"(^\s*[0-9a-fA-F]{2}( [0-9a-fA-F]{2})*\s*$)");
        return std::regex_match(line, re);
    }

    /// `016  c7 d1 f4 ...  ascii`: checks the offset continues the dump, reads up to 16 bytes.
    static void read_dump_line(const std::string& line, bytes& out, std::string_view label) {
        const std::string t = trim(line);
        const auto offset = std::stoul(t.substr(0, 3));
        if (offset != out.size()) {
            throw std::runtime_error("dump offset " + std::to_string(offset) + " after " +
                                     std::string(label) + " does not follow " +
                                     std::to_string(out.size()));
        }
        std::size_t k = 5;
        for (int n = 0;
             n < 16 && k + 2 <= t.size() && std::isxdigit(static_cast<unsigned char>(t[k])) &&
             std::isxdigit(static_cast<unsigned char>(t[k + 1])) &&
             (k + 2 == t.size() || t[k + 2] == ' ');
             ++n, k += 3) {
            out.push_back(byte_at(t, k, label));
        }
    }

    std::vector<std::string> lines_;
};

/// An RFC's text with page breaks removed, split into numbered sections.
class document {
  public:
    /// `relative` is under vectors/, e.g. "rfc/rfc8439.txt". `rfc_number` names the page headers.
    document(const std::string& relative, const std::string& rfc_number) {
        std::string text = read_file(vector_path(relative));
        std::size_t start = 0;
        const std::string header = "RFC " + rfc_number + " ";
        static const std::regex footer(R"(^.*\[Page \d+\]\s*$)");
        while (start <= text.size()) {
            auto end = text.find('\n', start);
            if (end == std::string::npos) {
                end = text.size();
            }
            std::string line = text.substr(start, end - start);
            start = end + 1;
            std::erase(line, '\f');
            std::erase(line, '\r');
            if (line.rfind(header, 0) == 0 || std::regex_match(line, footer)) {
                continue;
            }
            lines_.push_back(std::move(line));
        }
    }

    /// The section whose heading starts at column 0 with `number` (e.g. "2.4.2." or "A.3."),
    /// up to the next heading.
    section at(const std::string& number) const {
        static const std::regex heading(R"(^(Appendix [A-Z]\.|([0-9]+|[A-Z])(\.[0-9]+)*\.)\s.*)");
        std::vector<std::string> out;
        bool inside = false;
        for (const auto& line : lines_) {
            if (std::regex_match(line, heading)) {
                if (inside) {
                    break;
                }
                inside = line.rfind(number + " ", 0) == 0;
            }
            if (inside) {
                out.push_back(line);
            }
        }
        if (out.empty()) {
            throw std::runtime_error("section not found: " + number);
        }
        return section(std::move(out));
    }

  private:
    std::vector<std::string> lines_;
};

} // namespace test::rfc
