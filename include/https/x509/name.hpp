// Distinguished names (RFC 5280 §4.1.2.4): validation, comparison per §7.1, and a printable form.
#pragma once

#include "../core/bytes.hpp"
#include "../core/der.hpp"
#include "../core/hex.hpp"
#include "../core/oid.hpp"
#include "../core/result.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace https::x509 {

/// A distinguished name: a view of its DER `Name` (a SEQUENCE OF RelativeDistinguishedName),
/// checked well-formed by `parse_name`.
struct name {
    bytes_view der; ///< the whole SEQUENCE encoding
    [[nodiscard]] bool empty() const noexcept { return der.size() <= 2; }
};

/// Limits on a Name: far above real certificates, low enough to bound the work of comparing.
inline constexpr std::size_t max_name_rdns = 64;
inline constexpr std::size_t max_rdn_attributes = 16;

/// Check that `encoded` is exactly one well-formed Name: SEQUENCE OF non-empty SET OF
/// AttributeTypeAndValue { OBJECT IDENTIFIER, ANY }; errors are the DER reader's.
inline result<name> parse_name(bytes_view encoded, unsigned depth = 0) noexcept {
    der::parser outer(encoded, depth);
    auto rdns = outer.read_sequence();
    if (!rdns) {
        return rdns.error();
    }
    HTTPS_TRY(outer.expect_empty());
    std::size_t rdn_count = 0;
    while (!rdns->empty()) {
        if (++rdn_count > max_name_rdns) {
            return errc::too_large;
        }
        auto rdn = rdns->read_set();
        if (!rdn) {
            return rdn.error();
        }
        if (rdn->empty()) {
            return errc::bad_encoding; // RDN ::= SET SIZE (1..MAX)
        }
        std::size_t attributes = 0;
        while (!rdn->empty()) {
            if (++attributes > max_rdn_attributes) {
                return errc::too_large;
            }
            auto ava = rdn->read_sequence();
            if (!ava) {
                return ava.error();
            }
            HTTPS_TRY(ava->read_oid());
            auto value = ava->read_any();
            if (!value) {
                return value.error();
            }
            HTTPS_TRY(ava->expect_empty());
        }
    }
    return name{encoded};
}

namespace detail {

/// One attribute of a name, as spans into its DER.
struct attribute {
    bytes_view type; ///< OID contents
    der::element value;
};

/// The attributes of one RDN of an already validated name.
/// (A `name` not made by `parse_name` stops at its first malformed attribute.)
inline std::vector<attribute> rdn_attributes(der::parser rdn) {
    std::vector<attribute> out;
    while (!rdn.empty()) {
        auto ava = rdn.read_sequence();
        if (!ava) {
            break;
        }
        auto type = ava->read_oid();
        auto value = ava->read_any();
        if (!type || !value) {
            break;
        }
        out.push_back({*type, *value});
    }
    return out;
}

/// Calls `f(der::parser rdn_set_contents)` for each RDN of an already validated name.
template <class F> void for_each_rdn(const name& n, F&& f) {
    der::parser outer(n.der);
    auto rdns = outer.read_sequence();
    while (rdns && !rdns->empty()) {
        auto rdn = rdns->read_set();
        if (!rdn) {
            break;
        }
        f(*rdn);
    }
}

inline bool is_space(std::uint8_t c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/// RFC 5280 §7.1 (after RFC 4518's insignificant-space handling), restricted to what we can do
/// without Unicode tables: PrintableString and UTF8String values compare with ASCII case folded,
/// leading and trailing white space removed and internal runs of white space collapsed to one
/// space; bytes >= 0x80 compare exactly. Any other string type compares byte for byte, tag too.
inline void append_value_key(std::string& key, const der::element& v) {
    if (v.tag == der::tag::printable_string || v.tag == der::tag::utf8_string) {
        key.push_back('s');
        bool pending_space = false;
        bool started = false;
        for (std::uint8_t c : v.contents) {
            if (is_space(c)) {
                pending_space = started;
                continue;
            }
            if (pending_space) {
                key.push_back(' ');
                pending_space = false;
            }
            started = true;
            key.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c));
        }
        return;
    }
    key.push_back('b');
    key.push_back(static_cast<char>(v.tag));
    key.append(reinterpret_cast<const char*>(v.contents.data()), v.contents.size());
}

inline void append_length_prefixed(std::string& out, std::string_view s) {
    const std::size_t n = s.size();
    out.push_back(static_cast<char>(n >> 24));
    out.push_back(static_cast<char>(n >> 16));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n));
    out.append(s);
}

/// One canonical key per RDN, in order: the RDN's attributes (a SET, so order-free) as
/// (type, value key) pairs, sorted. Two RDNs match under RFC 5280 §7.1 when their keys are equal.
inline std::vector<std::string> rdn_keys(const name& n) {
    std::vector<std::string> keys;
    for_each_rdn(n, [&](der::parser rdn) {
        std::vector<std::string> parts;
        for (const attribute& a : rdn_attributes(rdn)) {
            std::string part;
            append_length_prefixed(part,
                                   {reinterpret_cast<const char*>(a.type.data()), a.type.size()});
            std::string value;
            append_value_key(value, a.value);
            append_length_prefixed(part, value);
            parts.push_back(std::move(part));
        }
        std::sort(parts.begin(), parts.end());
        std::string key;
        for (const std::string& p : parts) {
            append_length_prefixed(key, p);
        }
        keys.push_back(std::move(key));
    });
    return keys;
}

/// A byte string equal for two names exactly when RFC 5280 §7.1 says they match (the same RDN
/// keys in the same order); used to index names and to compare them.
inline std::string canonical_key(const name& n) {
    std::string key;
    for (const std::string& rdn : rdn_keys(n)) {
        append_length_prefixed(key, rdn);
    }
    return key;
}

/// Dotted-decimal form of an OID's contents (already checked well-formed).
inline std::string format_oid(bytes_view oid) {
    std::string out;
    std::uint64_t arc = 0;
    bool overflow = false; // an arc beyond 64 bits prints as "?" (never seen in real names)
    bool first = true;
    for (std::uint8_t b : oid) {
        if (arc > (UINT64_MAX >> 7)) {
            overflow = true;
        } else {
            arc = (arc << 7) | (b & 0x7f);
        }
        if ((b & 0x80) != 0) {
            continue;
        }
        if (!first) {
            out += ".";
        }
        if (overflow) {
            out += first ? "2.?" : "?";
        } else if (first) {
            // X.690 §8.19.4: the first sub-identifier packs the first two arcs as 40 * a + b.
            const std::uint64_t top = arc < 40 ? 0 : arc < 80 ? 1 : 2;
            out += std::to_string(top) + "." + std::to_string(arc - 40 * top);
        } else {
            out += std::to_string(arc);
        }
        first = false;
        arc = 0;
        overflow = false;
    }
    return out;
}

inline std::string_view attribute_short_name(bytes_view type) noexcept {
    struct entry {
        bytes_view oid;
        std::string_view label;
    };
    static const entry table[] = {
        {oid::at_common_name, "CN"},
        {oid::at_country, "C"},
        {oid::at_locality, "L"},
        {oid::at_state, "ST"},
        {oid::at_street, "STREET"},
        {oid::at_organization, "O"},
        {oid::at_organizational_unit, "OU"},
        {oid::at_serial_number, "serialNumber"},
        {oid::at_surname, "SN"},
        {oid::at_given_name, "GN"},
        {oid::at_title, "title"},
        {oid::at_postal_code, "postalCode"},
        {oid::at_dn_qualifier, "dnQualifier"},
        {oid::at_organization_identifier, "organizationIdentifier"},
        {oid::at_email_address, "emailAddress"},
        {oid::at_domain_component, "DC"},
        {oid::at_user_id, "UID"},
    };
    for (const entry& e : table) {
        if (der::oid_equals(type, e.oid)) {
            return e.label;
        }
    }
    return {};
}

inline void append_escaped(std::string& out, bytes_view s) {
    static constexpr char digits[] = "0123456789abcdef";
    for (std::uint8_t c : s) {
        if (c < 0x20 || c == 0x7f || c == '\\' || c == ',' || c == '+') {
            out.push_back('\\');
            if (c == '\\' || c == ',' || c == '+') {
                out.push_back(static_cast<char>(c));
            } else {
                out.push_back(digits[c >> 4]);
                out.push_back(digits[c & 15]);
            }
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
}

} // namespace detail

/// RFC 5280 §7.1 comparison (see `detail::append_value_key` for the value rules): byte-equal
/// encodings match at once, otherwise the canonical forms are compared.
inline bool names_equal(const name& a, const name& b) {
    if (a.der.size() == b.der.size() && std::equal(a.der.begin(), a.der.end(), b.der.begin())) {
        return true;
    }
    return detail::canonical_key(a) == detail::canonical_key(b);
}

/// A one-line form for tools and diagnostics, in encoded order: `C=US, O=Example, CN=host`.
/// Multi-valued RDNs are joined with ` + `; unknown attribute types print as dotted OIDs; string
/// values print as text with control bytes escaped (`\0a`); other values as `#` and their DER hex.
inline std::string to_string(const name& n) {
    std::string out;
    detail::for_each_rdn(n, [&](der::parser rdn) {
        bool first_in_rdn = true;
        for (const detail::attribute& a : detail::rdn_attributes(rdn)) {
            out += first_in_rdn ? (out.empty() ? "" : ", ") : " + ";
            first_in_rdn = false;
            const std::string_view label = detail::attribute_short_name(a.type);
            if (label.empty()) {
                out += detail::format_oid(a.type);
            } else {
                out += label;
            }
            out.push_back('=');
            switch (a.value.tag) {
            case der::tag::printable_string:
            case der::tag::utf8_string:
            case der::tag::ia5_string:
            case der::tag::teletex_string:
            case 0x1a: // VisibleString
                detail::append_escaped(out, a.value.contents);
                break;
            default:
                out.push_back('#');
                out += to_hex(a.value.encoded);
                break;
            }
        }
    });
    return out;
}

} // namespace https::x509
