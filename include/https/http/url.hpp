// URL parsing for http:// and https:// (RFC 3986 subset that HTTP clients need) and resolution of
// redirect targets against a base URL (RFC 3986 §5).
#pragma once

#include "../core/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace https::http {

/// A parsed absolute http(s) URL. `target` is what goes on the request line: the path and query,
/// with their percent-encoding preserved exactly; the fragment is dropped (it is never sent).
struct url {
    std::string scheme;  ///< "https" or "http", lower case
    std::string host;    ///< lower-cased host name, IPv4 dotted quad, or IPv6 without brackets
    std::uint16_t port = 0;
    std::string target;  ///< "/path?query", at least "/"
    bool host_is_ipv6 = false;

    [[nodiscard]] bool is_https() const noexcept { return scheme == "https"; }
    [[nodiscard]] bool default_port() const noexcept {
        return port == (is_https() ? 443 : 80);
    }
    /// The Host header value: host (bracketed if IPv6) plus ":port" unless default.
    [[nodiscard]] std::string authority() const {
        std::string a;
        if (host_is_ipv6) {
            a.push_back('[');
            a.append(host);
            a.push_back(']');
        } else {
            a = host;
        }
        if (!default_port()) {
            a.push_back(':');
            a.append(std::to_string(port));
        }
        return a;
    }
    [[nodiscard]] std::string to_string() const { return scheme + "://" + authority() + target; }
    /// Same origin (RFC 6454 §5): scheme, host and port all equal.
    [[nodiscard]] bool same_origin(const url& o) const noexcept {
        return scheme == o.scheme && host == o.host && port == o.port;
    }
};

namespace detail {

inline bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
inline bool is_hex(char c) noexcept {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
inline char to_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
/// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
inline bool is_scheme(std::string_view s) noexcept {
    if (s.empty() || !is_alpha(s[0])) {
        return false;
    }
    for (char c : s) {
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') {
            return false;
        }
    }
    return true;
}

/// RFC 3986 unreserved / sub-delims / ':' '@' '/' '?' — what may stand unencoded in path+query.
inline bool is_target_char(char c) noexcept {
    if (is_alpha(c) || is_digit(c)) {
        return true;
    }
    switch (c) {
    case '-': case '.': case '_': case '~': case '!': case '$': case '&': case '\'': case '(':
    case ')': case '*': case '+': case ',': case ';': case '=': case ':': case '@': case '/':
    case '?': case '%':
        return true;
    default:
        return false;
    }
}

/// Check percent-escapes are well-formed (`%` then two hex digits) and every character allowed.
inline bool valid_target(std::string_view t) noexcept {
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (!is_target_char(t[i])) {
            return false;
        }
        if (t[i] == '%') {
            if (i + 2 >= t.size() || !is_hex(t[i + 1]) || !is_hex(t[i + 2])) {
                return false;
            }
        }
    }
    return true;
}

/// Dotted-quad IPv4 with each part 0..255 and no leading zeros.
inline bool is_ipv4(std::string_view s) noexcept {
    int parts = 0;
    std::size_t i = 0;
    while (i <= s.size()) {
        std::size_t start = i;
        unsigned value = 0;
        while (i < s.size() && is_digit(s[i])) {
            value = value * 10 + static_cast<unsigned>(s[i] - '0');
            if (value > 255) {
                return false;
            }
            ++i;
        }
        const std::size_t len = i - start;
        if (len == 0 || (len > 1 && s[start] == '0')) {
            return false;
        }
        ++parts;
        if (i == s.size()) {
            break;
        }
        if (s[i] != '.' || parts == 4) {
            return false;
        }
        ++i;
    }
    return parts == 4;
}

/// Textual IPv6 (RFC 4291 §2.2, including one "::" and a trailing dotted quad); no zone ids.
inline bool is_ipv6(std::string_view s) noexcept {
    if (s.empty() || s.size() > 45) {
        return false;
    }
    int groups = 0;
    bool compressed = false;
    std::size_t i = 0;
    if (s.substr(0, 2) == "::") {
        compressed = true;
        i = 2;
        if (i == s.size()) {
            return true;
        }
    } else if (s[0] == ':') {
        return false;
    }
    while (i < s.size()) {
        std::size_t start = i;
        while (i < s.size() && is_hex(s[i])) {
            ++i;
        }
        if (i < s.size() && s[i] == '.') { // embedded IPv4 must be last
            if (!is_ipv4(s.substr(start))) {
                return false;
            }
            groups += 2;
            i = s.size();
            break;
        }
        const std::size_t len = i - start;
        if (len == 0 || len > 4) {
            return false;
        }
        ++groups;
        if (i == s.size()) {
            break;
        }
        if (s[i] != ':') {
            return false;
        }
        ++i;
        if (i < s.size() && s[i] == ':') {
            if (compressed) {
                return false;
            }
            compressed = true;
            ++i;
            if (i == s.size()) {
                break;
            }
        } else if (i == s.size()) {
            return false; // trailing single ':'
        }
    }
    return compressed ? groups < 8 : groups == 8;
}

/// Registered name per RFC 3986 restricted to what DNS host names use: letters, digits, '-', '.';
/// labels 1..63 characters, total ≤ 253, no leading/trailing '-' in a label.
inline bool is_host_name(std::string_view s) noexcept {
    if (!s.empty() && s.back() == '.') {
        s.remove_suffix(1); // fully qualified form
    }
    if (s.empty() || s.size() > 253) {
        return false;
    }
    std::size_t label = 0;
    char prev = '.';
    for (char c : s) {
        if (c == '.') {
            if (label == 0 || prev == '-') {
                return false;
            }
            label = 0;
        } else if (is_alpha(c) || is_digit(c) || c == '-' || c == '_') {
            if (label == 0 && c == '-') {
                return false;
            }
            if (++label > 63) {
                return false;
            }
        } else {
            return false;
        }
        prev = c;
    }
    if (prev == '-') {
        return false;
    }
    // A name whose last label is numeric would be read as an IPv4 address by other software
    // (WHATWG URL); not being a valid dotted quad, it is rejected rather than resolved as a name.
    const auto last = s.rfind('.');
    const std::string_view tail = last == std::string_view::npos ? s : s.substr(last + 1);
    for (char c : tail) {
        if (!is_digit(c)) {
            return true;
        }
    }
    return false;
}

} // namespace detail

/// Parse an absolute `http://` or `https://` URL. Userinfo (`user@host`) is rejected: credentials
/// in URLs leak into logs and redirects, and we never send them. Errors: `http_bad_url`,
/// `http_unsupported_scheme`.
inline result<url> parse_url(std::string_view text) {
    constexpr std::size_t max_url = 8192;
    if (text.empty() || text.size() > max_url) {
        return errc::http_bad_url;
    }
    for (char c : text) {
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
            return errc::http_bad_url; // spaces, controls, raw non-ASCII: must be percent-encoded
        }
    }
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || !detail::is_scheme(text.substr(0, colon))) {
        return errc::http_bad_url;
    }
    url u;
    for (char c : text.substr(0, colon)) {
        u.scheme.push_back(detail::to_lower(c));
    }
    if (u.scheme != "https" && u.scheme != "http") {
        return errc::http_unsupported_scheme;
    }
    std::string_view rest = text.substr(colon + 1);
    if (rest.substr(0, 2) != "//") {
        return errc::http_bad_url;
    }
    rest.remove_prefix(2);
    const auto hash = rest.find('#');
    if (hash != std::string_view::npos) {
        rest = rest.substr(0, hash); // the fragment is never sent
    }
    const auto auth_end = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, auth_end);
    std::string_view target =
        auth_end == std::string_view::npos ? std::string_view{} : rest.substr(auth_end);
    if (authority.find('@') != std::string_view::npos) {
        return errc::http_bad_url;
    }
    std::string_view host;
    std::string_view port_text;
    if (!authority.empty() && authority[0] == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            return errc::http_bad_url;
        }
        host = authority.substr(1, close - 1);
        if (!detail::is_ipv6(host)) {
            return errc::http_bad_url;
        }
        u.host_is_ipv6 = true;
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') {
                return errc::http_bad_url;
            }
            port_text = after.substr(1);
        }
    } else {
        const auto pc = authority.rfind(':');
        host = authority.substr(0, pc);
        if (pc != std::string_view::npos) {
            port_text = authority.substr(pc + 1);
        }
        if (!detail::is_ipv4(host) && !detail::is_host_name(host)) {
            return errc::http_bad_url;
        }
    }
    for (char c : host) {
        u.host.push_back(detail::to_lower(c));
    }
    if (!u.host.empty() && u.host.back() == '.') {
        u.host.pop_back(); // "example.com." names the same host
    }
    u.port = u.is_https() ? 443 : 80;
    if (authority.size() > host.size() + (u.host_is_ipv6 ? 2 : 0)) {
        // a ':' was present: the port must be 1..65535 digits
        if (port_text.empty() || port_text.size() > 5) {
            return errc::http_bad_url;
        }
        unsigned p = 0;
        for (char c : port_text) {
            if (!detail::is_digit(c)) {
                return errc::http_bad_url;
            }
            p = p * 10 + static_cast<unsigned>(c - '0');
        }
        if (p == 0 || p > 65535) {
            return errc::http_bad_url;
        }
        u.port = static_cast<std::uint16_t>(p);
    }
    if (!detail::valid_target(target)) {
        return errc::http_bad_url;
    }
    u.target.reserve(target.size() + 1);
    if (target.empty() || target[0] == '?') {
        u.target.push_back('/');
    }
    u.target.append(target.data(), target.size());
    return u;
}

namespace detail {

/// A URI reference split into its five components (RFC 3986 Appendix B, except that a scheme is
/// recognised only when it matches the scheme grammar; otherwise the text is a relative path).
struct uri_parts {
    std::optional<std::string_view> scheme;
    std::optional<std::string_view> authority;
    std::string_view path;
    std::optional<std::string_view> query;
    std::optional<std::string_view> fragment;
};

inline uri_parts split_reference(std::string_view s) {
    uri_parts r;
    const auto hash = s.find('#');
    if (hash != std::string_view::npos) {
        r.fragment = s.substr(hash + 1);
        s = s.substr(0, hash);
    }
    const auto question = s.find('?');
    if (question != std::string_view::npos) {
        r.query = s.substr(question + 1);
        s = s.substr(0, question);
    }
    const auto colon = s.find_first_of(":/");
    if (colon != std::string_view::npos && s[colon] == ':' && is_scheme(s.substr(0, colon))) {
        r.scheme = s.substr(0, colon);
        s.remove_prefix(colon + 1);
    }
    if (s.substr(0, 2) == "//") {
        const auto end = s.find('/', 2);
        r.authority = s.substr(2, end == std::string_view::npos ? end : end - 2);
        s = end == std::string_view::npos ? std::string_view{} : s.substr(end);
    }
    r.path = s;
    return r;
}

/// RFC 3986 §5.2.4 remove_dot_segments, in one pass over the input.
inline std::string remove_dot_segments(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    auto drop_last_segment = [&out] {
        const auto slash = out.rfind('/');
        out.erase(slash == std::string::npos ? 0 : slash);
    };
    while (!in.empty()) {
        if (in.substr(0, 3) == "../") { // A
            in.remove_prefix(3);
        } else if (in.substr(0, 2) == "./" || in.substr(0, 3) == "/./") { // A; B: "/./" to "/"
            in.remove_prefix(2);
        } else if (in == "/.") { // B
            out.push_back('/');
            in = {};
        } else if (in.substr(0, 4) == "/../") { // C: "/../" becomes "/", one segment dropped
            in.remove_prefix(3);
            drop_last_segment();
        } else if (in == "/..") {
            drop_last_segment();
            out.push_back('/');
            in = {};
        } else if (in == "." || in == "..") { // D
            in = {};
        } else { // E: move the first segment (with its leading "/", if any) to the output
            const auto end = in.find('/', 1);
            out.append(in.substr(0, end));
            in = end == std::string_view::npos ? std::string_view{} : in.substr(end);
        }
    }
    return out;
}

} // namespace detail

/// Resolve a URI reference (a Location value) against an absolute URL: RFC 3986 §5.2 (strict:
/// a reference with a scheme is absolute even when the scheme is the base's), returning the
/// target URI as text. It may name any scheme and keeps a fragment; `resolve_redirect` parses it.
inline std::string resolve_reference(const url& base, std::string_view reference) {
    const detail::uri_parts r = detail::split_reference(reference);
    const std::string base_authority = base.authority();
    const auto base_question = base.target.find('?');
    const std::string_view base_path = std::string_view(base.target).substr(0, base_question);
    std::optional<std::string_view> base_query;
    if (base_question != std::string::npos) {
        base_query = std::string_view(base.target).substr(base_question + 1);
    }

    // §5.2.2, with the merge of §5.2.3 (the base always has an authority and a path "/...")
    std::string_view scheme = base.scheme;
    std::optional<std::string_view> authority = base_authority;
    std::string path;
    std::optional<std::string_view> query = r.query;
    if (r.scheme) {
        scheme = *r.scheme;
        authority = r.authority;
        path = detail::remove_dot_segments(r.path);
    } else if (r.authority) {
        authority = r.authority;
        path = detail::remove_dot_segments(r.path);
    } else if (r.path.empty()) {
        path = base_path;
        if (!r.query) {
            query = base_query;
        }
    } else if (r.path[0] == '/') {
        path = detail::remove_dot_segments(r.path);
    } else {
        std::string merged(base_path.substr(0, base_path.rfind('/') + 1));
        merged.append(r.path);
        path = detail::remove_dot_segments(merged);
    }

    // §5.3 recomposition
    std::string out(scheme);
    out.push_back(':');
    if (authority) {
        out.append("//");
        out.append(*authority);
    }
    out.append(path);
    if (query) {
        out.push_back('?');
        out.append(*query);
    }
    if (r.fragment) {
        out.push_back('#');
        out.append(*r.fragment);
    }
    return out;
}

/// Resolve a Location header value against the URL it came from (RFC 9110 §10.2.2, with RFC 3986
/// §5 reference resolution) and parse the result. A reference to another scheme is
/// `http_unsupported_scheme`; anything that does not resolve to a valid http(s) URL (e.g.
/// "http:g", which has no authority) is `http_bad_url`.
inline result<url> resolve_redirect(const url& base, std::string_view location) {
    return parse_url(resolve_reference(base, location));
}

} // namespace https::http
