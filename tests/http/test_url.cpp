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
    CHECK(http::resolve_redirect(base, "")->to_string() == base.to_string()); // RFC 3986 5.2.2
    CHECK_FALSE(http::resolve_redirect(base, "javascript://x y").ok());
}

TEST_CASE("a relative Location whose query or path holds :// stays relative", "[http][url]") {
    auto base = *parse_url("https://a.test:8443/dir/page?x=1");
    CHECK(http::resolve_redirect(base, "/login?next=https://x")->to_string() ==
          "https://a.test:8443/login?next=https://x");
    CHECK(http::resolve_redirect(base, "login?next=http://x/y")->to_string() ==
          "https://a.test:8443/dir/login?next=http://x/y");
    CHECK(http::resolve_redirect(base, "?u=https://b.test/")->to_string() ==
          "https://a.test:8443/dir/page?u=https://b.test/");
    CHECK(http::resolve_redirect(base, "/p/https://b.test/")->to_string() ==
          "https://a.test:8443/p/https://b.test/");
}

TEST_CASE("resolve_reference gives every RFC 3986 5.4 example result", "[http][url]") {
    // RFC 3986 5.4.1 (normal) and 5.4.2 (abnormal) examples, base http://a/b/c/d;p?q, verbatim.
    const auto base = *parse_url("http://a/b/c/d;p?q");
    REQUIRE(base.to_string() == "http://a/b/c/d;p?q");
    const std::pair<const char*, const char*> examples[] = {
        // 5.4.1
        {"g:h", "g:h"},
        {"g", "http://a/b/c/g"},
        {"./g", "http://a/b/c/g"},
        {"g/", "http://a/b/c/g/"},
        {"/g", "http://a/g"},
        {"//g", "http://g"},
        {"?y", "http://a/b/c/d;p?y"},
        {"g?y", "http://a/b/c/g?y"},
        {"#s", "http://a/b/c/d;p?q#s"},
        {"g#s", "http://a/b/c/g#s"},
        {"g?y#s", "http://a/b/c/g?y#s"},
        {";x", "http://a/b/c/;x"},
        {"g;x", "http://a/b/c/g;x"},
        {"g;x?y#s", "http://a/b/c/g;x?y#s"},
        {"", "http://a/b/c/d;p?q"},
        {".", "http://a/b/c/"},
        {"./", "http://a/b/c/"},
        {"..", "http://a/b/"},
        {"../", "http://a/b/"},
        {"../g", "http://a/b/g"},
        {"../..", "http://a/"},
        {"../../", "http://a/"},
        {"../../g", "http://a/g"},
        // 5.4.2
        {"../../../g", "http://a/g"},
        {"../../../../g", "http://a/g"},
        {"/./g", "http://a/g"},
        {"/../g", "http://a/g"},
        {"g.", "http://a/b/c/g."},
        {".g", "http://a/b/c/.g"},
        {"g..", "http://a/b/c/g.."},
        {"..g", "http://a/b/c/..g"},
        {"./../g", "http://a/b/g"},
        {"./g/.", "http://a/b/c/g/"},
        {"g/./h", "http://a/b/c/g/h"},
        {"g/../h", "http://a/b/c/h"},
        {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
        {"g;x=1/../y", "http://a/b/c/y"},
        {"g?y/./x", "http://a/b/c/g?y/./x"},
        {"g?y/../x", "http://a/b/c/g?y/../x"},
        {"g#s/./x", "http://a/b/c/g#s/./x"},
        {"g#s/../x", "http://a/b/c/g#s/../x"},
        {"http:g", "http:g"}, // strict parsers
    };
    int checked = 0;
    for (const auto& [reference, expected] : examples) {
        INFO(reference);
        CHECK(http::resolve_reference(base, reference) == expected);
        ++checked;
    }
    CHECK(checked == 42); // 23 normal + 19 abnormal
}

TEST_CASE("remove_dot_segments (RFC 3986 5.2.4) and scheme detection by the grammar",
          "[http][url]") {
    using http::detail::remove_dot_segments;
    CHECK(remove_dot_segments("/a/b/c/./../../g") == "/a/g"); // the RFC's worked examples
    CHECK(remove_dot_segments("mid/content=5/../6") == "mid/6");
    CHECK(remove_dot_segments("/..") == "/");
    CHECK(remove_dot_segments("/../..") == "/");
    CHECK(remove_dot_segments("") == "");
    CHECK(remove_dot_segments("a/..") == "/"); // as 5.2.4 defines it (C then E)
    const auto base = *parse_url("https://a.test/x/y");
    // Not a scheme by the grammar (starts with a digit, or holds '_'): a relative path.
    CHECK(http::resolve_reference(base, "1x:y") == "https://a.test/x/1x:y");
    CHECK(http::resolve_reference(base, "a_b:c") == "https://a.test/x/a_b:c");
    CHECK(http::resolve_reference(base, "HTTPS://b.test/p/../q") == "HTTPS://b.test/q");
    CHECK(http::resolve_redirect(base, "HTTPS://b.test/p/../q")->to_string() ==
          "https://b.test/q");
    CHECK(http::resolve_redirect(base, "mailto:x@a.test").error() ==
          errc::http_unsupported_scheme);
    CHECK(http::resolve_redirect(base, "//[::1]:8443/v6")->to_string() == "https://[::1]:8443/v6");
    CHECK(http::resolve_redirect(base, "//evil.test\\@a.test/").error() == errc::http_bad_url);
    // A long run of dot segments is linear work and ends at the root.
    std::string many;
    for (int i = 0; i < 2000; ++i) {
        many += "../";
    }
    CHECK(http::resolve_reference(base, many + "z") == "https://a.test/z");
}

TEST_CASE("redirects follow every RFC 3986 5.4 example reference", "[http][url]") {
    // RFC 3986 5.4.1 and 5.4.2 with base http://a/b/c/d;p?q. A followed redirect drops the
    // fragment (never sent); results with another scheme, or "http:g" (no authority), are named
    // errors.
    auto base = *parse_url("http://a/b/c/d;p?q");
    struct example {
        const char* reference;
        const char* expected; // URL after the redirect, or nullptr for `error`
        errc error = errc::ok;
    };
    const example examples[] = {
        // 5.4.1 normal examples
        {"g:h", nullptr, errc::http_unsupported_scheme},
        {"g", "http://a/b/c/g"},
        {"./g", "http://a/b/c/g"},
        {"g/", "http://a/b/c/g/"},
        {"/g", "http://a/g"},
        {"//g", "http://g/"},
        {"?y", "http://a/b/c/d;p?y"},
        {"g?y", "http://a/b/c/g?y"},
        {"#s", "http://a/b/c/d;p?q"},
        {"g#s", "http://a/b/c/g"},
        {"g?y#s", "http://a/b/c/g?y"},
        {";x", "http://a/b/c/;x"},
        {"g;x", "http://a/b/c/g;x"},
        {"g;x?y#s", "http://a/b/c/g;x?y"},
        {"", "http://a/b/c/d;p?q"},
        {".", "http://a/b/c/"},
        {"./", "http://a/b/c/"},
        {"..", "http://a/b/"},
        {"../", "http://a/b/"},
        {"../g", "http://a/b/g"},
        {"../..", "http://a/"},
        {"../../", "http://a/"},
        {"../../g", "http://a/g"},
        // 5.4.2 abnormal examples
        {"../../../g", "http://a/g"},
        {"../../../../g", "http://a/g"},
        {"/./g", "http://a/g"},
        {"/../g", "http://a/g"},
        {"g.", "http://a/b/c/g."},
        {".g", "http://a/b/c/.g"},
        {"g..", "http://a/b/c/g.."},
        {"..g", "http://a/b/c/..g"},
        {"./../g", "http://a/b/g"},
        {"./g/.", "http://a/b/c/g/"},
        {"g/./h", "http://a/b/c/g/h"},
        {"g/../h", "http://a/b/c/h"},
        {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
        {"g;x=1/../y", "http://a/b/c/y"},
        {"g?y/./x", "http://a/b/c/g?y/./x"},
        {"g?y/../x", "http://a/b/c/g?y/../x"},
        {"g#s/./x", "http://a/b/c/g"},
        {"g#s/../x", "http://a/b/c/g"},
        {"http:g", nullptr, errc::http_bad_url}, // strict parser: scheme, no authority
    };
    int checked = 0;
    for (const auto& e : examples) {
        INFO(e.reference);
        auto r = http::resolve_redirect(base, e.reference);
        if (e.expected != nullptr) {
            REQUIRE(r.ok());
            CHECK(r->to_string() == e.expected);
        } else {
            CHECK(r.error() == e.error);
        }
        ++checked;
    }
    CHECK(checked == 42); // 23 normal + 19 abnormal
}
