// Test-vector readers: files under vectors/, NIST CAVP .rsp records, Wycheproof JSON groups.
#pragma once

#include <https/core/hex.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace test {

using bytes = std::vector<std::uint8_t>;

/// A tool or file a test needs (the openssl CLI, the system CA bundle) is missing. The test
/// command installs all of them, so by default this FAILS the test; only an explicit
/// HTTPS_ALLOW_SKIP=1 in the environment (which scripts/test.sh never sets) turns it into a
/// warning and a skip. Returns true when the caller should return (skip allowed).
inline bool missing_prerequisite(const std::string& what) {
    const char* allow = std::getenv("HTTPS_ALLOW_SKIP");
    if (allow != nullptr && std::string(allow) == "1") {
        WARN(what << " is missing; skipped because HTTPS_ALLOW_SKIP=1");
        return true;
    }
    FAIL(what << " is missing (scripts/test.sh installs it; HTTPS_ALLOW_SKIP=1 skips instead)");
    return true;
}

/// Absolute path of a file under vectors/.
inline std::string vector_path(const std::string& relative) {
    return std::string(HTTPS_VECTORS_DIR) + "/" + relative;
}

/// The whole file; throws (failing the test) if it cannot be read, so a missing vector file can
/// never pass as zero cases.
inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot open " + path);
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Hex to bytes; throws on malformed hex (vector files are trusted to be well-formed).
inline bytes hex(const std::string& text) {
    auto r = https::from_hex(text);
    if (!r) {
        throw std::runtime_error("bad hex in test data: " + text.substr(0, 40));
    }
    return std::move(r).value();
}

/// One record of a NIST CAVP .rsp file: its `key = value` lines, plus the `[section]` headers in
/// force where it appears (e.g. `L` -> "32", or `ENCRYPT` -> "").
struct rsp_record {
    std::map<std::string, std::string> fields;
    std::map<std::string, std::string> section;

    bool has(const std::string& k) const { return fields.count(k) != 0; }
    const std::string& at(const std::string& k) const {
        auto it = fields.find(k);
        if (it == fields.end()) {
            throw std::runtime_error("rsp record lacks field " + k);
        }
        return it->second;
    }
    bytes bytes_of(const std::string& k) const { return hex(at(k)); }
};

/// Parse a .rsp file (CRLF or LF) into records; a record ends at a blank line. Lines without
/// '=' that are not headers (e.g. the bare `FAIL` of GCM decrypt files) become fields with an
/// empty value.
inline std::vector<rsp_record> read_rsp(const std::string& relative) {
    std::istringstream in(read_file(vector_path(relative)));
    std::vector<rsp_record> out;
    std::map<std::string, std::string> section;
    rsp_record cur;
    bool section_open = false; // a run of [..] lines replaces the previous section set
    auto trim = [](std::string s) {
        const char* ws = " \t\r\n";
        s.erase(0, s.find_first_not_of(ws));
        s.erase(s.find_last_not_of(ws) + 1);
        return s;
    };
    auto flush = [&] {
        if (!cur.fields.empty()) {
            cur.section = section;
            out.push_back(std::move(cur));
            cur = rsp_record{};
        }
    };
    std::string line;
    while (std::getline(in, line)) {
        line = trim(line);
        if (line.empty()) {
            flush();
            continue;
        }
        if (line[0] == '#') {
            continue;
        }
        if (line.front() == '[' && line.back() == ']') {
            flush();
            if (!section_open) {
                section.clear();
                section_open = true;
            }
            std::string body = line.substr(1, line.size() - 2);
            auto eq = body.find('=');
            if (eq == std::string::npos) {
                section[trim(body)] = "";
            } else {
                section[trim(body.substr(0, eq))] = trim(body.substr(eq + 1));
            }
            continue;
        }
        section_open = false;
        auto eq = line.find('=');
        if (eq == std::string::npos) {
            cur.fields[line] = "";
        } else {
            cur.fields[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
        }
    }
    flush();
    return out;
}

/// A parsed Wycheproof file (`testGroups[].tests[]`).
inline nlohmann::json read_wycheproof(const std::string& name) {
    return nlohmann::json::parse(read_file(vector_path("wycheproof/" + name)));
}

/// Number of tests a Wycheproof file declares; tests compare it with the number they ran.
inline std::size_t wycheproof_declared_tests(const nlohmann::json& j) {
    return j.at("numberOfTests").get<std::size_t>();
}

} // namespace test
