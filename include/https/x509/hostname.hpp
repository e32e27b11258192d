// Server identity checks (RFC 9525, formerly RFC 6125): DNS names and IP addresses against the
// subjectAltName of a certificate; no Common Name fallback.
#pragma once

#include "../core/bytes.hpp"
#include "../core/result.hpp"
#include "certificate.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace https::x509 {

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address in network byte order.
struct ip_address {
    std::array<std::uint8_t, 16> bytes{};
    std::uint8_t size = 0;
    [[nodiscard]] bytes_view view() const noexcept { return {bytes.data(), size}; }
    friend bool operator==(const ip_address& a, const ip_address& b) noexcept {
        return a.size == b.size &&
               std::equal(a.bytes.begin(), a.bytes.begin() + a.size, b.bytes.begin());
    }
};

/// Whether a certificate check must name the server it is for. Leaving the identity out is a
/// choice made explicitly (`none`: path validation only, as `openssl verify` without
/// -verify_hostname), never the effect of an empty host name.
enum class host_check : std::uint8_t {
    required, ///< a host name or address must be given and must match (the default)
    none,     ///< no identity to check; one given anyway is still checked
};

namespace detail {

/// Dotted-quad IPv4: exactly four decimal parts 0..255, no leading zeros (so "010" is never
/// read as octal by one program and decimal by another), nothing else.
inline bool parse_ipv4(std::string_view s, std::uint8_t* out) noexcept {
    for (int part = 0; part < 4; ++part) {
        if (part > 0) {
            if (s.empty() || s.front() != '.') {
                return false;
            }
            s.remove_prefix(1);
        }
        std::size_t n = 0;
        unsigned value = 0;
        while (n < s.size() && n < 4 && s[n] >= '0' && s[n] <= '9') {
            value = value * 10 + static_cast<unsigned>(s[n] - '0');
            ++n;
        }
        if (n == 0 || n > 3 || value > 255 || (n > 1 && s[0] == '0')) {
            return false;
        }
        out[part] = static_cast<std::uint8_t>(value);
        s.remove_prefix(n);
    }
    return s.empty();
}

inline int hex_digit(char c) noexcept {
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
}

/// Colon-separated 16-bit groups (RFC 4291 §2.2), the last of which may be a dotted IPv4 address
/// when `allow_v4_tail`; appends bytes to `out` and counts them in `n`. Empty input is no groups.
inline bool parse_v6_groups(std::string_view s, bool allow_v4_tail, std::uint8_t* out,
                            std::size_t& n) noexcept {
    if (s.empty()) {
        return true;
    }
    for (;;) {
        const std::size_t colon = s.find(':');
        std::string_view group = s.substr(0, colon);
        const bool last = colon == std::string_view::npos;
        if (last && allow_v4_tail && group.find('.') != std::string_view::npos) {
            if (n + 4 > 16 || !parse_ipv4(group, out + n)) {
                return false;
            }
            n += 4;
            return true;
        }
        if (group.empty() || group.size() > 4 || n + 2 > 16) {
            return false;
        }
        unsigned value = 0;
        for (char c : group) {
            const int d = hex_digit(c);
            if (d < 0) {
                return false;
            }
            value = value * 16 + static_cast<unsigned>(d);
        }
        out[n++] = static_cast<std::uint8_t>(value >> 8);
        out[n++] = static_cast<std::uint8_t>(value);
        if (last) {
            return true;
        }
        s.remove_prefix(colon + 1);
    }
}

inline bool parse_ipv6(std::string_view s, std::uint8_t* out) noexcept {
    const std::size_t gap = s.find("::");
    std::uint8_t head[16] = {};
    std::uint8_t tail[16] = {};
    std::size_t head_n = 0;
    std::size_t tail_n = 0;
    if (gap == std::string_view::npos) {
        if (!parse_v6_groups(s, true, head, head_n) || head_n != 16) {
            return false;
        }
        std::copy(head, head + 16, out);
        return true;
    }
    const std::string_view before = s.substr(0, gap);
    const std::string_view after = s.substr(gap + 2);
    if (after.find("::") != std::string_view::npos) {
        return false; // at most one "::"
    }
    if (!parse_v6_groups(before, false, head, head_n) ||
        !parse_v6_groups(after, true, tail, tail_n) || head_n + tail_n > 14) {
        return false; // "::" stands for at least one zero group
    }
    std::fill(out, out + 16, std::uint8_t{0});
    std::copy(head, head + head_n, out);
    std::copy(tail, tail + tail_n, out + 16 - tail_n);
    return true;
}

inline char ascii_lower(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

inline bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return ascii_lower(x) == ascii_lower(y);
           });
}

/// A reference identity we are willing to look up: letters, digits, hyphens and underscores
/// (seen in real host names) in dot-separated labels of 1..63 characters, 253 in all.
inline bool valid_reference_name(std::string_view host) noexcept {
    if (host.empty() || host.size() > 253) {
        return false;
    }
    std::size_t label = 0;
    for (char c : host) {
        if (c == '.') {
            if (label == 0) {
                return false;
            }
            label = 0;
            continue;
        }
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok || ++label > 63) {
            return false;
        }
    }
    return label != 0;
}

/// One dNSName against a valid reference host (both without a trailing dot: the certificate
/// parser refuses dNSNames that end in one, `check_dns_name` strips it from the host). RFC 9525
/// §6.3: case-insensitive ASCII comparison; a wildcard only as the entire left-most label `*`,
/// matching exactly one non-empty label, and (as CA/Browser Forum rules and browsers do) only when
/// at least two labels follow it, so `*.com` matches nothing and `*.example.com` never matches
/// `example.com` or `a.b.example.com`.
inline bool dns_name_matches(std::string_view presented, std::string_view reference) noexcept {
    if (presented.size() > 2 && presented[0] == '*' && presented[1] == '.') {
        const std::string_view parent = presented.substr(2);
        if (parent.find('*') != std::string_view::npos ||
            parent.find('.') == std::string_view::npos || !valid_reference_name(parent)) {
            return false;
        }
        const std::size_t dot = reference.find('.');
        if (dot == std::string_view::npos || dot == 0) {
            return false;
        }
        return iequals(reference.substr(dot + 1), parent);
    }
    if (presented.find('*') != std::string_view::npos) {
        return false; // partial-label wildcards (`f*o.example.com`) are refused (RFC 9525 §6.3)
    }
    return iequals(presented, reference);
}

} // namespace detail

/// Parse the text of an IPv4 address (dotted quad) or IPv6 address (RFC 4291 §2.2, with `::`
/// and an embedded IPv4 tail; no zone index, no brackets). Nothing if the text is neither.
inline std::optional<ip_address> parse_ip_address(std::string_view text) noexcept {
    ip_address a;
    if (text.find(':') != std::string_view::npos) {
        if (!detail::parse_ipv6(text, a.bytes.data())) {
            return std::nullopt;
        }
        a.size = 16;
        return a;
    }
    if (!detail::parse_ipv4(text, a.bytes.data())) {
        return std::nullopt;
    }
    a.size = 4;
    return a;
}

/// The text form of an address: IPv4 dotted decimal; IPv6 as RFC 5952 §4 recommends (lower-case
/// hexadecimal without leading zeros, the longest run of two or more zero groups, the first when
/// tied, shortened to `::`). The one canonical text for each address.
inline std::string format_ip_address(const ip_address& a) {
    std::string out;
    if (a.size == 4) {
        for (std::size_t i = 0; i < 4; ++i) {
            if (i != 0) {
                out.push_back('.');
            }
            out += std::to_string(a.bytes[i]);
        }
        return out;
    }
    std::array<unsigned, 8> groups{};
    for (std::size_t i = 0; i < 8; ++i) {
        groups[i] = static_cast<unsigned>(a.bytes[2 * i] << 8 | a.bytes[2 * i + 1]);
    }
    std::size_t best = 8;
    std::size_t best_length = 1; // a single zero group is not shortened (§4.2.2)
    for (std::size_t i = 0; i < 8;) {
        std::size_t j = i;
        while (j < 8 && groups[j] == 0) {
            ++j;
        }
        if (j - i > best_length) {
            best = i;
            best_length = j - i;
        }
        i = j == i ? i + 1 : j;
    }
    static constexpr char digits[] = "0123456789abcdef";
    for (std::size_t i = 0; i < 8; ++i) {
        if (i == best) {
            out += "::";
            i += best_length - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') {
            out.push_back(':');
        }
        bool started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            const unsigned d = (groups[i] >> shift) & 0xf;
            if (d != 0 || started || shift == 0) {
                out.push_back(digits[d]);
                started = true;
            }
        }
    }
    return out;
}

/// Does one of the certificate's dNSName SANs match `host`? One trailing dot on `host` is
/// ignored; a `host` that is not a syntactically valid DNS name never matches. The subject's
/// Common Name is never consulted (RFC 9525 §6.3, CA/Browser Forum BR 7.1.4.3).
/// Mismatch: `errc::cert_hostname_mismatch`.
inline status check_dns_name(const certificate& cert, std::string_view host) noexcept {
    if (!host.empty() && host.back() == '.') {
        host.remove_suffix(1);
    }
    if (!detail::valid_reference_name(host)) {
        return errc::cert_hostname_mismatch;
    }
    for (std::string_view presented : cert.subject_alt_names.dns_names) {
        if (detail::dns_name_matches(presented, host)) {
            return {};
        }
    }
    return errc::cert_hostname_mismatch;
}

/// Does one of the certificate's iPAddress SANs equal `address` (byte-exact, same family)?
inline status check_ip_address(const certificate& cert, const ip_address& address) noexcept {
    const bytes_view want = address.view();
    for (bytes_view presented : cert.subject_alt_names.ip_addresses) {
        if (presented.size() == want.size() &&
            std::equal(want.begin(), want.end(), presented.begin())) {
            return {};
        }
    }
    return errc::cert_hostname_mismatch;
}

/// The host a client connected to, as written in a URL: an IP literal (IPv6 optionally in
/// brackets) is checked against iPAddress SANs only, anything else against dNSName SANs only.
inline status check_host(const certificate& cert, std::string_view host) noexcept {
    std::string_view literal = host;
    if (literal.size() > 2 && literal.front() == '[' && literal.back() == ']') {
        literal = literal.substr(1, literal.size() - 2);
        if (auto ip = parse_ip_address(literal); ip && ip->size == 16) {
            return check_ip_address(cert, *ip);
        }
        return errc::cert_hostname_mismatch;
    }
    if (auto ip = parse_ip_address(literal)) {
        return check_ip_address(cert, *ip);
    }
    return check_dns_name(cert, host);
}

} // namespace https::x509
