// The incremental HTTP/1.1 response parser: framing, limits and the smuggling defences.
#include <https/http/request.hpp>
#include <https/http/response_parser.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace https;
using http::response_parser;

namespace {
struct parsed {
    errc error = errc::ok;
    std::string body;
    std::size_t consumed = 0;
    bool complete = false;
};

// Feed `wire` in pieces of `step` bytes, then EOF if `eof`.
parsed run(response_parser& p, const std::string& wire, std::size_t step, bool eof = true) {
    parsed out;
    auto sink = [&](bytes_view b) -> status {
        out.body.append(reinterpret_cast<const char*>(b.data()), b.size());
        return {};
    };
    for (std::size_t i = 0; i < wire.size() && !p.complete(); i += step) {
        auto piece = as_bytes(std::string_view(wire).substr(i, step));
        auto r = p.feed(piece, sink);
        if (!r) {
            out.error = r.error();
            return out;
        }
        out.consumed += *r;
    }
    if (eof && !p.complete()) {
        auto st = p.finish_eof();
        out.error = st.error();
    }
    out.complete = p.complete();
    return out;
}

parsed run_all_splits_equal(const std::string& wire, bool head = false) {
    response_parser whole(head);
    parsed reference = run(whole, wire, wire.size() + 1);
    for (std::size_t step = 1; step < 8; ++step) {
        response_parser p(head);
        parsed r = run(p, wire, step);
        REQUIRE(r.error == reference.error);
        REQUIRE(r.body == reference.body);
    }
    return reference;
}
} // namespace

TEST_CASE("Content-Length body, split at every size, with the next response left over", "[http][parser]") {
    std::string wire = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\ncontent-length: 5\r\n\r\nhello";
    auto r = run_all_splits_equal(wire);
    CHECK(r.error == errc::ok);
    CHECK(r.body == "hello");

    response_parser p;
    std::string two = wire + "HTTP/1.1 204 No Content\r\n\r\n";
    auto used = p.feed(as_bytes(two), {});
    REQUIRE(used.ok());
    CHECK(*used == wire.size());
    CHECK(p.complete());
    CHECK(p.keep_alive());
    CHECK(p.head().status == 200);
    CHECK(p.head().reason == "OK");
    CHECK(*p.head().headers.get("CONTENT-TYPE") == "text/plain");
}

TEST_CASE("chunked bodies with extensions and trailers", "[http][parser]") {
    std::string wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: t\r\n\r\n";
    auto r = run_all_splits_equal(wire);
    CHECK(r.error == errc::ok);
    CHECK(r.body == "helloabcdefghijklmnopqrstuvwxyz");
    response_parser p;
    run(p, wire, 3);
    CHECK(*p.trailers().get("x-trailer") == "t");
    CHECK(p.keep_alive());
}

TEST_CASE("close-delimited, HEAD, 204, 304 and interim 1xx responses", "[http][parser]") {
    auto r = run_all_splits_equal("HTTP/1.1 200 OK\r\n\r\nuntil the end");
    CHECK(r.error == errc::ok);
    CHECK(r.body == "until the end");

    response_parser head(true);
    auto h = run(head, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", 4, false);
    CHECK(h.error == errc::ok);
    CHECK(h.complete);

    for (const char* s : {"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
                          "HTTP/1.1 304 Not Modified\r\n\r\n"}) {
        response_parser p;
        auto x = run(p, s, 2, false);
        CHECK(x.complete);
        CHECK(x.body.empty());
    }
    auto interim = run_all_splits_equal("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    CHECK(interim.body == "ok");

    response_parser close;
    run(close, "HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n", 100);
    CHECK_FALSE(close.keep_alive());
    response_parser old;
    run(old, "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 100);
    CHECK_FALSE(old.keep_alive());
}

TEST_CASE("malformed responses get named errors", "[http][parser]") {
    struct bad_case {
        const char* wire;
        errc expected;
    };
    const bad_case cases[] = {
        {"HTTP/2 200 OK\r\n\r\n", errc::http_bad_status_line},
        {"HTTP/1.1 20 OK\r\n\r\n", errc::http_bad_status_line},
        {"HTTP/1.1 2000 OK\r\n\r\n", errc::http_bad_status_line},
        {"ICY 200 OK\r\n\r\n", errc::http_bad_status_line},
        {"HTTP/1.1 101 Switching\r\n\r\n", errc::http_bad_status_line},
        {"HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n", errc::http_bad_header},
        {"HTTP/1.1 200 OK\r\nName : x\r\n\r\n", errc::http_bad_header},
        {"HTTP/1.1 200 OK\r\n folded\r\nA: b\r\n\r\n", errc::http_bad_header}, // fold, no field
        {"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", errc::http_bad_header},
        {"HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n", errc::http_bad_header},
        {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", errc::http_bad_content_length},
        {"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello", errc::http_bad_content_length},
        {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", errc::http_bad_content_length},
        {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", errc::http_bad_content_length},
        {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", errc::http_bad_content_length},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", errc::http_bad_header},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", errc::http_bad_chunk},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", errc::http_bad_chunk},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", errc::http_truncated_body},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n", errc::http_bad_chunk},
        {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", errc::http_truncated_body},
        {"HTTP/1.1 200 OK\r\nContent-Len", errc::http_truncated_body},
        {"", errc::net_connection_closed},
    };
    int checked = 0;
    for (const auto& c : cases) {
        INFO(c.wire);
        response_parser p;
        auto r = run(p, c.wire, 3);
        CHECK(r.error == c.expected);
        ++checked;
    }
    CHECK(checked == 23);
}

TEST_CASE("obs-fold in a response is replaced by SP before the value is used (RFC 9112 5.2)",
          "[http][parser]") {
    // Fed byte by byte, in small pieces and whole, each response must parse the same way.
    auto head_of = [](const std::string& wire) {
        for (std::size_t step : {std::size_t{1}, std::size_t{2}, std::size_t{5}, wire.size()}) {
            response_parser p;
            auto r = run(p, wire, step);
            REQUIRE(r.error == errc::ok);
        }
        response_parser p;
        auto r = run(p, wire, 1);
        return std::make_pair(p.head(), r.body);
    };
    auto [h1, body1] = head_of("HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\n\t three \r\n"
                               "Content-Length: 2\r\n\r\nok");
    CHECK(h1.headers.get("X-A") == "one two three");
    CHECK(h1.headers.size() == 2);
    CHECK(body1 == "ok");

    // A value that starts on the continuation line; framing read from the unfolded value.
    auto [h2, body2] = head_of("HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n chunked\r\n\r\n"
                               "2\r\nhi\r\n0\r\n\r\n");
    CHECK(h2.headers.get("Transfer-Encoding") == "chunked");
    CHECK(body2 == "hi");

    // Whitespace-only continuation lines, bare-LF line ends, a fold in the last field.
    auto [h3, body3] = head_of("HTTP/1.1 200 OK\nContent-Length: 1\nX-B: v\n   \n\tw\n\nz");
    CHECK(h3.headers.get("X-B") == "v w");
    CHECK(body3 == "z");

    // Trailer fields are field lines too.
    response_parser t;
    auto tr = run(t, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
                     "X-T: a\r\n b\r\n\r\n", 1);
    CHECK(tr.error == errc::ok);
    CHECK(t.trailers().get("X-T") == "a b");

    // Still rejected: a fold with no field before it (here after an interim response), a
    // folded Content-Length that becomes two numbers, control bytes on the continuation line.
    const std::pair<const char*, errc> bad[] = {
        {"HTTP/1.1 100 Continue\r\nA: b\r\n\r\nHTTP/1.1 200 OK\r\n c\r\n\r\n",
         errc::http_bad_header},
        {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n 6\r\n\r\nhello", errc::http_bad_content_length},
        {"HTTP/1.1 200 OK\r\nA: b\r\n c\x01\r\n\r\n", errc::http_bad_header},
    };
    for (const auto& [wire, expected] : bad) {
        INFO(wire);
        response_parser p;
        CHECK(run(p, wire, 1).error == expected);
    }

    // Within the limits: an unfolded field is bounded like one line, the head as a whole.
    const std::string prefix = "HTTP/1.1 200 OK\r\nX: a\r\n";
    std::string folds;
    for (int i = 0; i < 3000; ++i) {
        folds += " bbbbbb\r\n"; // 27 KB folded into one value: over the 16 KiB line limit
    }
    response_parser p1;
    CHECK(run(p1, prefix + folds + "\r\n", 512).error == errc::http_header_too_large);
    http::parser_limits roomy;
    roomy.max_line_bytes = 1 << 20;
    response_parser p2(false, roomy);
    const std::string longer = prefix + folds + folds + folds + "\r\n"; // 81 KB: over the head
    CHECK(run(p2, longer, 512).error == errc::http_header_too_large);
}

TEST_CASE("parser limits: header size, header count, body cap", "[http][parser]") {
    std::string huge = "HTTP/1.1 200 OK\r\nX: " + std::string(70000, 'a') + "\r\n\r\n";
    response_parser p1;
    CHECK(run(p1, huge, 4096).error == errc::http_header_too_large);

    std::string many = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 300; ++i) {
        many += "X-" + std::to_string(i) + ": v\r\n";
    }
    many += "\r\n";
    response_parser p2;
    CHECK(run(p2, many, 100).error == errc::http_header_too_large);

    http::parser_limits cap;
    cap.max_body_bytes = 4;
    response_parser p3(false, cap);
    CHECK(run(p3, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 1).error == errc::http_body_too_large);
    response_parser p4(false, cap);
    CHECK(run(p4, "HTTP/1.1 200 OK\r\n\r\nhello", 1).error == errc::http_body_too_large);
    response_parser p5(false, cap);
    CHECK(run(p5, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", 1).error == errc::http_body_too_large);

    // errors are sticky
    auto again = p5.feed(as_bytes("more"), {});
    CHECK(again.error() == errc::http_body_too_large);
}

TEST_CASE("interim (1xx) responses are capped", "[http][parser]") {
    const std::string early = "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n";
    const std::string cont = "HTTP/1.1 100 Continue\r\n\r\n";
    const std::string final_response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    auto with_interim = [&](int n) {
        std::string wire;
        for (int i = 0; i < n; ++i) {
            wire += (i % 2 == 0) ? early : cont;
        }
        return wire + final_response;
    };
    CHECK(http::parser_limits{}.max_interim_responses == 10);
    response_parser ten;
    auto r = run(ten, with_interim(10), 7);
    CHECK(r.error == errc::ok);
    CHECK(r.body == "ok");
    response_parser eleven;
    CHECK(run(eleven, with_interim(11), 7).error == errc::http_too_many_interim);
    // An endless stream of 100 Continue stops at the cap, not at the end of input.
    response_parser endless;
    CHECK(run(endless, with_interim(100000), 4096, false).error == errc::http_too_many_interim);
    http::parser_limits none;
    none.max_interim_responses = 0;
    response_parser strict(false, none);
    CHECK(run(strict, with_interim(1), 1).error == errc::http_too_many_interim);
}

TEST_CASE("encode_request builds a request and refuses header injection", "[http][request]") {
    http::request req;
    req.method = "POST";
    req.url = *http::parse_url("https://api.test:8443/v1/items?x=%20");
    req.headers.add("X-Token", "abc");
    req.body = "{}";
    auto wire = http::encode_request(req);
    REQUIRE(wire.ok());
    CHECK(*wire == "POST /v1/items?x=%20 HTTP/1.1\r\nHost: api.test:8443\r\nUser-Agent: https-cpp/0.1\r\n"
                   "Accept: */*\r\nX-Token: abc\r\nContent-Length: 2\r\n\r\n{}");

    http::request inj = req;
    inj.headers.add("X-Evil", "a\r\nHost: other");
    CHECK(http::encode_request(inj).error() == errc::http_bad_header);
    http::request badname = req;
    badname.headers.add("Bad Name", "x");
    CHECK(http::encode_request(badname).error() == errc::http_bad_header);
    http::request host = req;
    host.headers.add("host", "x");
    CHECK(http::encode_request(host).error() == errc::http_bad_header);
    http::request method = req;
    method.method = "GE T";
    CHECK(http::encode_request(method).error() == errc::http_bad_header);
}
