// Server identity: DNS name and wildcard rules, IP address parsing and matching.
#include "x509_fixtures.hpp"

#include <https/x509/hostname.hpp>
#include <https/x509/web_pki.hpp>

#include <catch2/catch.hpp>

#include <arpa/inet.h>

using namespace https;
using namespace https::x509;

TEST_CASE("x509 hostname: DNS name matching rules", "[x509][hostname]") {
    using x509::detail::dns_name_matches;
    struct row {
        const char* presented;
        const char* reference;
        bool match;
    };
    const row rows[] = {
        {"example.com", "example.com", true},
        {"Example.COM", "example.com", true},
        {"example.com", "EXAMPLE.com", true},
        {"example.com.", "example.com", false}, // never parsed (see test_verify.cpp)
        {"example.com", "www.example.com", false},
        {"www.example.com", "example.com", false},
        {"*.example.com", "www.example.com", true},
        {"*.example.com", "WWW.Example.Com", true},
        {"*.example.com", "example.com", false},     // not the bare parent
        {"*.example.com", "a.b.example.com", false}, // one label only
        {"*.example.com", ".example.com", false},
        {"*.com", "example.com", false}, // no wildcard over a bare TLD
        {"*.co", "x.co", false},
        {"*", "example", false},
        {"*.*.example.com", "a.b.example.com", false},
        {"w*.example.com", "www.example.com", false}, // partial-label wildcards refused
        {"*w.example.com", "www.example.com", false},
        {"www.*.com", "www.example.com", false},
        {"*.example.com", "*.example.com", false}, // reference is never a pattern
        {"xn--bcher-kva.example", "xn--bcher-kva.example", true},
        {"*.xn--bcher-kva.example", "a.xn--bcher-kva.example", true},
        {"", "example.com", false},
    };
    std::size_t ran = 0;
    for (const row& r : rows) {
        INFO(r.presented << " vs " << r.reference);
        std::string_view reference = r.reference;
        const bool valid = x509::detail::valid_reference_name(reference);
        CHECK((valid && dns_name_matches(r.presented, reference)) == r.match);
        ++ran;
    }
    CHECK(ran == 22);
}

TEST_CASE("x509 hostname: reference name syntax", "[x509][hostname]") {
    using x509::detail::valid_reference_name;
    CHECK(valid_reference_name("example.com"));
    CHECK(valid_reference_name("a-b_c.example"));
    CHECK(valid_reference_name("localhost"));
    CHECK_FALSE(valid_reference_name(""));
    CHECK_FALSE(valid_reference_name("a..b"));
    CHECK_FALSE(valid_reference_name(".a"));
    CHECK_FALSE(valid_reference_name("a."));
    CHECK_FALSE(valid_reference_name("a b"));
    CHECK_FALSE(valid_reference_name("*.example.com"));
    CHECK_FALSE(valid_reference_name(std::string(64, 'a') + ".com"));
    CHECK(valid_reference_name(std::string(63, 'a') + ".com"));
    CHECK_FALSE(valid_reference_name(std::string(254, 'a')));
    CHECK_FALSE(valid_reference_name("\xc3\xa9.example"));
}

TEST_CASE("x509 hostname: IP address parsing agrees with inet_pton", "[x509][hostname]") {
    const char* inputs[] = {
        "0.0.0.0",
        "192.0.2.10",
        "255.255.255.255",
        "1.2.3.4",
        "256.1.1.1",
        "1.2.3",
        "1.2.3.4.5",
        "01.2.3.4",
        "1.2.3.04",
        "1..2.3",
        "1.2.3.4 ",
        " 1.2.3.4",
        "::",
        "::1",
        "1::",
        "2001:db8::1",
        "2001:DB8:0:0:0:0:0:1",
        "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7::",
        "::2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7",
        ":::",
        "1:::2",
        "1::2::3",
        "12345::",
        "g::",
        "::ffff:192.0.2.1",
        "64:ff9b::198.51.100.7",
        "::192.0.2.1",
        "1:2:3:4:5:6:192.0.2.1",
        "1:2:3:4:5:6:7:192.0.2.1",
        "::ffff:1.2.3",
        "fe80::1%eth0",
        "[::1]",
        ":1::",
        "1::2:",
        "",
        "1.2.3.4:80",
    };
    std::size_t ran = 0;
    for (const char* in : inputs) {
        INFO(in);
        std::uint8_t want[16] = {};
        const bool is_v6 = std::string_view(in).find(':') != std::string_view::npos;
        // glibc's inet_pton (BIND's) refuses IPv4 leading zeros, zone indexes and brackets too.
        const bool ok = inet_pton(is_v6 ? AF_INET6 : AF_INET, in, want) == 1;
        auto ours = parse_ip_address(in);
        CHECK(ours.has_value() == ok);
        if (ours && ok) {
            CHECK(ours->size == (is_v6 ? 16 : 4));
            CHECK(std::equal(want, want + ours->size, ours->bytes.begin()));
        }
        ++ran;
    }
    CHECK(ran == 39);
}

TEST_CASE("x509 hostname: checks against fixture certificates", "[x509][hostname]") {
    const auto der = x509test::der("ip_san");
    auto c = parse_certificate(der);
    REQUIRE(c.ok());
    CHECK(check_dns_name(*c, "ip.example.com").ok());
    CHECK(check_dns_name(*c, "ip.example.com.").ok());
    CHECK(check_dns_name(*c, "192.0.2.10").error() == errc::cert_hostname_mismatch);
    CHECK(check_ip_address(*c, *parse_ip_address("192.0.2.10")).ok());
    CHECK(check_ip_address(*c, *parse_ip_address("2001:db8:0::1")).ok());
    CHECK(check_ip_address(*c, *parse_ip_address("::ffff:192.0.2.10")).error() ==
          errc::cert_hostname_mismatch);
    CHECK(check_ip_address(*c, *parse_ip_address("192.0.2.1")).error() ==
          errc::cert_hostname_mismatch);
    CHECK(check_host(*c, "192.0.2.10").ok());
    CHECK(check_host(*c, "[2001:db8::1]").ok());
    CHECK(check_host(*c, "[192.0.2.10]").error() == errc::cert_hostname_mismatch);
    CHECK(check_host(*c, "IP.example.com").ok());
    CHECK(check_host(*c, "other.example.com").error() == errc::cert_hostname_mismatch);

    const auto cn_der = x509test::der("cn_only");
    auto cn = parse_certificate(cn_der);
    REQUIRE(cn.ok());
    CHECK(check_host(*cn, "cn_only.example.com").error() == errc::cert_hostname_mismatch);

    const auto wild_der = x509test::der("wildcard");
    auto wild = parse_certificate(wild_der);
    REQUIRE(wild.ok());
    CHECK(check_host(*wild, "x.wild.example.com").ok());
    CHECK(check_host(*wild, "wild.example.com").error() == errc::cert_hostname_mismatch);
    CHECK(check_host(*wild, "x.y.wild.example.com").error() == errc::cert_hostname_mismatch);
}

TEST_CASE("x509 addresses print in their one canonical text (RFC 5952 section 4)",
          "[x509][hostname]") {
    const std::pair<const char*, const char*> rows[] = {
        {"192.0.2.1", "192.0.2.1"},
        {"2001:DB8:0:0:0:0:0:1", "2001:db8::1"},
        {"2001:0db8::0001", "2001:db8::1"},
        {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"}, // one zero group stays (4.2.2)
        {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},         // the longest run (4.2.3)
        {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},   // the first of equal runs (4.2.3)
        {"::", "::"},
        {"::1", "::1"},
        {"1::", "1::"},
        {"::ffff:192.0.2.1", "::ffff:c000:201"},
    };
    for (const auto& [text, canonical] : rows) {
        INFO(text);
        auto a = parse_ip_address(text);
        REQUIRE(a);
        CHECK(format_ip_address(*a) == canonical);
        CHECK(parse_ip_address(canonical) == a); // and it reads back as the same address
    }
}

TEST_CASE("x509 web PKI: host name syntax and public suffixes", "[x509][hostname]") {
    using x509::detail::known_public_suffix;
    using x509::detail::preferred_dns_name;
    CHECK(preferred_dns_name("www.example.com", false));
    CHECK(preferred_dns_name("xn--bcher-kva.example", false));
    CHECK(preferred_dns_name("1.example-1.com", false));
    CHECK(preferred_dns_name(std::string(63, 'a') + ".com", false));
    CHECK_FALSE(preferred_dns_name(std::string(64, 'a') + ".com", false));
    CHECK_FALSE(preferred_dns_name("under_score.example.com", false));
    CHECK_FALSE(preferred_dns_name("-lead.example.com", false));
    CHECK_FALSE(preferred_dns_name("trail-.example.com", false));
    CHECK_FALSE(preferred_dns_name("a..b", false));
    CHECK_FALSE(preferred_dns_name(".example.com", false));
    CHECK_FALSE(preferred_dns_name("", false));
    CHECK_FALSE(preferred_dns_name("*.example.com", false));
    CHECK(preferred_dns_name("*.example.com", true));
    CHECK_FALSE(preferred_dns_name("*", true));
    CHECK_FALSE(preferred_dns_name("w*.example.com", true));
    CHECK_FALSE(preferred_dns_name("*.*.example.com", true));
    CHECK_FALSE(preferred_dns_name("www.*.example.com", true));
    CHECK(known_public_suffix("com"));
    CHECK(known_public_suffix("CO.UK"));
    CHECK(known_public_suffix("com.au"));
    CHECK_FALSE(known_public_suffix("example.com"));
    CHECK_FALSE(known_public_suffix("example.co.uk"));
    CHECK_FALSE(known_public_suffix("verylongname.uk"));
}
