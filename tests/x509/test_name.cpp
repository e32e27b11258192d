// Distinguished names: structure checks, RFC 5280 §7.1 comparison, canonical keys, printing.
#include <https/x509/name.hpp>

#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <vector>

using namespace https;
using namespace https::x509;

namespace {

byte_vector tlv(std::uint8_t tag, const byte_vector& contents) {
    byte_vector out{tag};
    const std::size_t n = contents.size();
    if (n < 0x80) {
        out.push_back(static_cast<std::uint8_t>(n));
    } else if (n < 0x100) {
        out.push_back(0x81);
        out.push_back(static_cast<std::uint8_t>(n));
    } else {
        out.push_back(0x82);
        out.push_back(static_cast<std::uint8_t>(n >> 8));
        out.push_back(static_cast<std::uint8_t>(n));
    }
    out.insert(out.end(), contents.begin(), contents.end());
    return out;
}

byte_vector cat(std::initializer_list<byte_vector> parts) {
    byte_vector out;
    for (const auto& p : parts) {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

struct ava {
    bytes_view type;
    std::uint8_t tag;
    std::string value;
};

byte_vector attribute(const ava& a) {
    return tlv(0x30, cat({tlv(0x06, byte_vector(a.type.begin(), a.type.end())),
                          tlv(a.tag, byte_vector(a.value.begin(), a.value.end()))}));
}

/// A Name from RDNs, each a list of attributes.
byte_vector make_name(std::initializer_list<std::initializer_list<ava>> rdns) {
    byte_vector body;
    for (const auto& rdn : rdns) {
        byte_vector set;
        for (const ava& a : rdn) {
            auto enc = attribute(a);
            set.insert(set.end(), enc.begin(), enc.end());
        }
        auto enc = tlv(0x31, set);
        body.insert(body.end(), enc.begin(), enc.end());
    }
    return tlv(0x30, body);
}

constexpr std::uint8_t ps = der::tag::printable_string;
constexpr std::uint8_t utf8 = der::tag::utf8_string;
constexpr std::uint8_t ia5 = der::tag::ia5_string;

bool equal(const byte_vector& a, const byte_vector& b) {
    auto na = parse_name(a);
    auto nb = parse_name(b);
    REQUIRE(na.ok());
    REQUIRE(nb.ok());
    const bool eq = names_equal(*na, *nb);
    CHECK(eq == (x509::detail::canonical_key(*na) == x509::detail::canonical_key(*nb)));
    return eq;
}

} // namespace

TEST_CASE("x509 name: comparison per RFC 5280 section 7.1", "[x509][name]") {
    const auto base = make_name({{{oid::at_country, ps, "US"}},
                                 {{oid::at_organization, utf8, "Example Inc"}},
                                 {{oid::at_common_name, utf8, "Example Root"}}});
    CHECK(equal(base, base));
    // Case folding and white space normalisation, PrintableString vs UTF8String.
    CHECK(equal(base, make_name({{{oid::at_country, utf8, "us"}},
                                 {{oid::at_organization, ps, "  EXAMPLE   inc "}},
                                 {{oid::at_common_name, utf8, "example\troot"}}})));
    // Different value, different order of RDNs, missing RDN.
    CHECK_FALSE(equal(base, make_name({{{oid::at_country, ps, "US"}},
                                       {{oid::at_organization, utf8, "Example Inc."}},
                                       {{oid::at_common_name, utf8, "Example Root"}}})));
    CHECK_FALSE(equal(base, make_name({{{oid::at_organization, utf8, "Example Inc"}},
                                       {{oid::at_country, ps, "US"}},
                                       {{oid::at_common_name, utf8, "Example Root"}}})));
    CHECK_FALSE(equal(base, make_name({{{oid::at_country, ps, "US"}},
                                       {{oid::at_common_name, utf8, "Example Root"}}})));
    // Different attribute type with the same value.
    CHECK_FALSE(equal(make_name({{{oid::at_common_name, utf8, "x"}}}),
                      make_name({{{oid::at_organization, utf8, "x"}}})));
    // Inner spaces matter (one vs none), only runs collapse.
    CHECK_FALSE(equal(make_name({{{oid::at_common_name, utf8, "ab"}}}),
                      make_name({{{oid::at_common_name, utf8, "a b"}}})));
    // Other string types compare byte for byte, tag included.
    CHECK(equal(make_name({{{oid::at_email_address, ia5, "a@b.c"}}}),
                make_name({{{oid::at_email_address, ia5, "a@b.c"}}})));
    CHECK_FALSE(equal(make_name({{{oid::at_email_address, ia5, "A@b.c"}}}),
                      make_name({{{oid::at_email_address, ia5, "a@b.c"}}})));
    CHECK_FALSE(equal(make_name({{{oid::at_common_name, ia5, "x"}}}),
                      make_name({{{oid::at_common_name, utf8, "x"}}})));
    // Non-ASCII UTF-8 bytes compare exactly (no Unicode case folding).
    CHECK(equal(make_name({{{oid::at_common_name, utf8, "\xc3\xa9t\xc3\xa9"}}}),
                make_name({{{oid::at_common_name, ps, "\xc3\xa9T\xc3\xa9"}}})));
    CHECK_FALSE(equal(make_name({{{oid::at_common_name, utf8, "\xc3\xa9"}}}),
                      make_name({{{oid::at_common_name, utf8, "\xc3\x89"}}})));
    // Multi-valued RDNs are sets: attribute order does not matter.
    CHECK(equal(
        make_name({{{oid::at_common_name, utf8, "a"}, {oid::at_organizational_unit, utf8, "b"}}}),
        make_name({{{oid::at_organizational_unit, utf8, "B"}, {oid::at_common_name, utf8, "a"}}})));
    CHECK_FALSE(equal(
        make_name({{{oid::at_common_name, utf8, "a"}, {oid::at_organizational_unit, utf8, "b"}}}),
        make_name(
            {{{oid::at_common_name, utf8, "a"}}, {{oid::at_organizational_unit, utf8, "b"}}})));
    // Empty names.
    CHECK(equal(make_name({}), make_name({})));
    CHECK_FALSE(equal(make_name({}), base));
}

TEST_CASE("x509 name: printable form", "[x509][name]") {
    auto n =
        make_name({{{oid::at_country, ps, "XX"}},
                   {{oid::at_organization, utf8, "Test, Inc"}},
                   {{oid::at_common_name, utf8, "a"}, {oid::at_organizational_unit, utf8, "b\n"}},
                   {{oid::at_domain_component, ia5, "example"}}});
    auto parsed = parse_name(n);
    REQUIRE(parsed.ok());
    CHECK(to_string(*parsed) == "C=XX, O=Test\\, Inc, CN=a + OU=b\\0a, DC=example");

    const std::uint8_t private_oid[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82,
                                        0x37, 0x3c, 0x02, 0x01, 0x03};
    auto other = make_name(
        {{{private_oid, ps, "DE"}}, {{oid::at_common_name, 0x1e, std::string("\0a", 2)}}});
    auto parsed_other = parse_name(other);
    REQUIRE(parsed_other.ok());
    CHECK(to_string(*parsed_other) == "1.3.6.1.4.1.311.60.2.1.3=DE, CN=#1e020061");
    CHECK(to_string(*parse_name(make_name({}))).empty());
    CHECK(x509::detail::format_oid(oid::at_domain_component) == "0.9.2342.19200300.100.1.25");
    CHECK(x509::detail::format_oid(oid::ecdsa_with_sha256) == "1.2.840.10045.4.3.2");
}

TEST_CASE("x509 name: malformed names are rejected", "[x509][name]") {
    // Empty RDN set.
    CHECK(parse_name(tlv(0x30, tlv(0x31, {}))).error() == errc::bad_encoding);
    // AVA without value, AVA with extra element, non-OID type, SET replaced by SEQUENCE.
    const byte_vector type = tlv(0x06, {0x55, 0x04, 0x03});
    CHECK(!parse_name(tlv(0x30, tlv(0x31, tlv(0x30, type)))).ok());
    CHECK(
        parse_name(tlv(0x30, tlv(0x31, tlv(0x30, cat({type, tlv(0x0c, {'a'}), tlv(0x0c, {'b'})})))))
            .error() == errc::trailing_data);
    CHECK(parse_name(tlv(0x30, tlv(0x31, tlv(0x30, cat({tlv(0x04, {1}), tlv(0x0c, {'a'})})))))
              .error() == errc::unexpected_tag);
    CHECK(parse_name(tlv(0x30, tlv(0x30, tlv(0x30, cat({type, tlv(0x0c, {'a'})}))))).error() ==
          errc::unexpected_tag);
    // Trailing bytes after the Name.
    auto good = make_name({{{oid::at_common_name, utf8, "a"}}});
    auto trailing = good;
    trailing.push_back(0);
    CHECK(parse_name(trailing).error() == errc::trailing_data);
    // Too many RDNs.
    byte_vector many;
    for (std::size_t i = 0; i < max_name_rdns + 1; ++i) {
        auto rdn = tlv(0x31, attribute({oid::at_common_name, utf8, "a"}));
        many.insert(many.end(), rdn.begin(), rdn.end());
    }
    CHECK(parse_name(tlv(0x30, many)).error() == errc::too_large);
}
