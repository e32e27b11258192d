// Readers for the TLS 1.3 trace vectors: Botan's RFC 8448 transcripts.vec (sections of
// `Key = hex`) and the editor's-copy draft trace text (labelled hex dumps in blocks).
#pragma once

#include "vectors.hpp"

#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace test {

/// transcripts.vec: section name -> key -> value (hex text as written, spaces trimmed).
inline std::map<std::string, std::map<std::string, std::string>> read_rfc8448_transcripts() {
    std::istringstream in(read_file(vector_path("rfc/rfc8448/transcripts.vec")));
    std::map<std::string, std::map<std::string, std::string>> out;
    std::string line, section;
    auto trim = [](std::string s) {
        const char* ws = " \t\r\n";
        s.erase(0, s.find_first_not_of(ws));
        s.erase(s.find_last_not_of(ws) + 1);
        return s;
    };
    while (std::getline(in, line)) {
        line = trim(line);
        if (line.empty() || line[0] == '#') {
            continue;
        }
        if (line.front() == '[' && line.back() == ']') {
            section = line.substr(1, line.size() - 2);
            continue;
        }
        auto eq = line.find('=');
        if (eq != std::string::npos) {
            out[section][trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
        }
    }
    return out;
}

/// One block of the draft trace: its title line ("{server}  derive secret ...") and its labelled
/// values ("PRK", "info", "expanded", ...), each read for exactly the announced octet count.
struct trace_block {
    std::string title;
    std::string section; ///< e.g. "3.  Simple 1-RTT Handshake"
    std::map<std::string, bytes> fields;
    bool has(const std::string& k) const { return fields.count(k) != 0; }
};

inline std::vector<trace_block> read_draft_trace() {
    std::istringstream in(read_file(vector_path(
        "rfc/draft-ietf-tls-tls13-vectors-editors-copy-2018-09-27.NOT-RFC8448-values.txt")));
    static const std::regex section_re(R"(^([3-7])\.  (.*)$)");
    static const std::regex block_re(R"(^   \{(client|server)\}  (.*)$)");
    static const std::regex field_re(R"(^      ([A-Za-z][A-Za-z ]*) \((\d+) octets\):\s*(.*)$)");
    static const std::regex hexline_re(R"(^\s+((?:[0-9a-f]{2} ?)+)\s*$)");
    std::vector<trace_block> blocks;
    std::string line, section;
    std::string pending_name;
    std::size_t pending_left = 0;
    auto add_hex = [&](const std::string& text) {
        std::istringstream hs(text);
        std::string byte;
        while (hs >> byte && pending_left > 0) {
            blocks.back().fields[pending_name].push_back(
                static_cast<std::uint8_t>(std::stoul(byte, nullptr, 16)));
            --pending_left;
        }
    };
    std::smatch m;
    while (std::getline(in, line)) {
        if (std::regex_match(line, m, section_re)) {
            section = line;
            pending_left = 0;
            continue;
        }
        if (std::regex_match(line, m, block_re)) {
            blocks.push_back({line, section, {}});
            pending_left = 0;
            continue;
        }
        if (blocks.empty()) {
            continue;
        }
        if (std::regex_match(line, m, field_re)) {
            pending_name = m[1].str();
            pending_left = std::stoul(m[2].str());
            blocks.back().fields[pending_name]; // present even when empty
            if (pending_left > 0) {
                add_hex(m[3].str());
            }
            continue;
        }
        if (pending_left > 0 && std::regex_match(line, m, hexline_re)) {
            add_hex(m[1].str());
        }
    }
    return blocks;
}

} // namespace test
