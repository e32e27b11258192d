// URL parsing and redirect resolution.
#include <https/http/url.hpp>

#include <catch2/catch.hpp>

using namespace https;
using https::http::parse_url;

TEST_CASE("parse_url accepts the forms clients meet", "[http][url]") {
    auto u = parse_url("https://Example.COM/a/b%20c?x=1&y=%2F#frag");
    REQUIRE(u.ok());
    CHECK(u->scheme == "https");
    CHECK(u->host == "example.com");
    CHECK(u->port == 443);
    CHECK(u->target == "/a/b%20c?x=1&y=%2F"); // percent-encoding preserved, fragment dropped
    CHECK(u->authority() == "example.com");

    auto p = parse_url("HTTPS://host.test:8443");
    REQUIRE(p.ok());
    CHECK(p->port == 8443);
    CHECK(p->target == "/");
    CHECK(p->authority() == "host.test:8443");

    auto q = parse_url("https://h.test?q=1");
    REQUIRE(q.ok());
    CHECK(q->target == "/?q=1");

    auto v4 = parse_url("https://127.0.0.1:4433/x");
    REQUIRE(v4.ok());
    CHECK(v4->host == "127.0.0.1");
    CHECK_FALSE(v4->host_is_ipv6);

    auto v6 = parse_url("https://[::1]:4433/x");
    REQUIRE(v6.ok());
    CHECK(v6->host == "::1");
    CHECK(v6->host_is_ipv6);
    CHECK(v6->authority() == "[::1]:4433");
    CHECK(parse_url("https://[2001:db8::8a2e:370:7334]/").ok());
    CHECK(parse_url("https://[::ffff:192.0.2.1]/").ok());
    CHECK(parse_url("https://[1:2:3:4:5:6:7:8]/").ok());

    auto plain = parse_url("http://example.org");
    REQUIRE(plain.ok());
    CHECK(plain->port == 80);
    CHECK_FALSE(plain->is_https());

    auto dot = parse_url("https://example.com./");
    REQUIRE(dot.ok());
    CHECK(dot->host == "example.com");
}

TEST_CASE("parse_url rejects malformed and unsafe URLs", "[http][url]") {
    const char* bad[] = {
        "", "example.com", "https:/x", "https://", "https:///path", "https://user:pw@host/",
        "https://host@evil/", "https://host:0/", "https://host:65536/", "https://host:/",
        "https://host:12a/", "https://ho st/", "https://host/a b", "https://host/%zz",
        "https://host/%4", "https://[::1/", "https://[::1]x/", "https://[1:2:3:4:5:6:7:8:9]/",
        "https://[1::2::3]/", "https://[12345::]/", "https://-bad.test/", "https://bad-.test/",
        "https://a..b/", "https://host/\x01", "https://999.1.1.1/x.y",
        "https://host/\xc3\xa9",
    };
    int rejected = 0;
    for (const char* s : bad) {
        INFO(s);
        auto r = parse_url(s);
        CHECK_FALSE(r.ok());
        rejected += !r.ok();
    }
    CHECK(rejected == static_cast<int>(std::size(bad)));
    CHECK(parse_url("ftp://host/").error() == errc::http_unsupported_scheme);
    CHECK(parse_url("https://user@host/").error() == errc::http_bad_url);
}

TEST_CASE("resolve_redirect handles absolute, scheme-relative and relative targets", "[http][url]") {
    auto base = *parse_url("https://a.test:8443/dir/page?x=1");
    CHECK(http::resolve_redirect(base, "https://b.test/new")->to_string() == "https://b.test/new");
    CHECK(http::resolve_redirect(base, "//c.test/p")->to_string() == "https://c.test/p");
    CHECK(http::resolve_redirect(base, "/root")->to_string() == "https://a.test:8443/root");
    CHECK(http::resolve_redirect(base, "other")->to_string() == "https://a.test:8443/dir/other");
    CHECK(http::resolve_redirect(base, "?y=2")->to_string() == "https://a.test:8443/dir/page?y=2");
    CHECK(http::resolve_redirect(base, "http://d.test/")->scheme == "http");
    CHECK_FALSE(http::resolve_redirect(base, "").ok());
    CHECK_FALSE(http::resolve_redirect(base, "javascript://x y").ok());
}
