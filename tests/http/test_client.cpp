// The HTTP client over plain TCP against a scripted local server: keep-alive reuse, redirects,
// streaming, limits, timeouts and malformed responses.
#include <https/http/client.hpp>

#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace https;
using namespace std::chrono_literals;

namespace {
http::request get(const std::string& u) {
    http::request r;
    r.url = *http::parse_url(u);
    return r;
}

std::string ok_response(const std::string& body) {
    return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}
} // namespace

TEST_CASE("ten requests through one client use one connection", "[http][client]") {
    test::test_server server([](const test::received_request& req, const auto& send) {
        send(ok_response("n=" + std::to_string(req.connection_index)));
        return true;
    });
    http::client c(nullptr);
    http::client_options opts;
    for (int i = 0; i < 10; ++i) {
        auto r = c.perform(get(server.url("/item/" + std::to_string(i))), opts);
        REQUIRE(r.ok());
        CHECK(r->status == 200);
        CHECK(r->body == "n=0");
    }
    CHECK(server.connections() == 1);
    CHECK(server.requests() == 10);
    CHECK(c.connections_opened() == 1);
}

TEST_CASE("Connection: close and server-side closes lead to fresh connections", "[http][client]") {
    test::test_server server([](const test::received_request&, const auto& send) {
        send("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
        return false;
    });
    http::client c(nullptr);
    for (int i = 0; i < 3; ++i) {
        auto r = c.perform(get(server.url()), {});
        REQUIRE(r.ok());
        CHECK(r->body == "ok");
    }
    CHECK(server.connections() == 3);

    // Keep-alive advertised, but the server closes the idle connection anyway: retried once.
    test::test_server flaky([](const test::received_request&, const auto& send) {
        send(ok_response("x"));
        return false;
    });
    http::client c2(nullptr);
    REQUIRE(c2.perform(get(flaky.url()), {}).ok());
    std::this_thread::sleep_for(50ms);
    auto again = c2.perform(get(flaky.url()), {});
    REQUIRE(again.ok());
    CHECK(again->body == "x");
    CHECK(flaky.connections() == 2);
}

TEST_CASE("redirects: followed when asked, bounded, methods rewritten", "[http][client]") {
    test::test_server server([](const test::received_request& req, const auto& send) {
        if (req.head.rfind("GET /loop", 0) == 0) {
            send("HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n");
        } else if (req.head.rfind("POST /old", 0) == 0) {
            send("HTTP/1.1 303 See Other\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n");
        } else if (req.head.rfind("POST /keep", 0) == 0) {
            send("HTTP/1.1 307 Temporary\r\nLocation: /echo\r\nContent-Length: 0\r\n\r\n");
        } else if (req.head.rfind("POST /echo", 0) == 0) {
            send(ok_response("posted:" + req.body));
        } else if (req.head.rfind("GET /new", 0) == 0) {
            send(ok_response("new"));
        } else {
            send("HTTP/1.1 301 Moved\r\nLocation: /new\r\nContent-Length: 3\r\n\r\nabc");
        }
        return true;
    });
    http::client c(nullptr);
    http::client_options no_follow;
    auto raw = c.perform(get(server.url("/start")), no_follow);
    REQUIRE(raw.ok());
    CHECK(raw->status == 301);
    CHECK(raw->body == "abc");

    http::client_options follow;
    follow.follow_redirects = true;
    auto r = c.perform(get(server.url("/start")), follow);
    REQUIRE(r.ok());
    CHECK(r->body == "new");
    CHECK(r->redirects == 1);
    CHECK(r->url == server.url("/new"));

    // Streaming while following: only the final response's head and body reach the callbacks.
    http::client_options streaming = follow;
    std::string streamed;
    std::vector<int> heads;
    streaming.on_body = [&](bytes_view b) {
        streamed.append(reinterpret_cast<const char*>(b.data()), b.size());
        return true;
    };
    streaming.on_head = [&](const http::response_head& h) { heads.push_back(h.status); };
    REQUIRE(c.perform(get(server.url("/start")), streaming).ok());
    CHECK(streamed == "new");
    CHECK(heads == std::vector<int>{200});

    follow.max_redirects = 5;
    CHECK(c.perform(get(server.url("/loop")), follow).error() == errc::http_too_many_redirects);

    http::request post = get(server.url("/old"));
    post.method = "POST";
    post.body = "data";
    auto see_other = c.perform(post, follow);
    REQUIRE(see_other.ok());
    CHECK(see_other->body == "new");

    post.url = *http::parse_url(server.url("/keep"));
    auto kept = c.perform(post, follow);
    REQUIRE(kept.ok());
    CHECK(kept->body == "posted:data");
}

TEST_CASE("streaming body callback, progress, body cap, abort", "[http][client]") {
    const std::string big(1 << 20, 'z');
    test::test_server server([&](const test::received_request&, const auto& send) {
        send(ok_response(big));
        return true;
    });
    http::client c(nullptr);
    http::client_options opts;
    std::size_t streamed = 0;
    std::uint64_t last_progress = 0;
    std::optional<std::uint64_t> total;
    opts.on_body = [&](bytes_view b) {
        streamed += b.size();
        return true;
    };
    opts.on_progress = [&](std::uint64_t got, std::optional<std::uint64_t> t) {
        last_progress = got;
        total = t;
    };
    auto r = c.perform(get(server.url()), opts);
    REQUIRE(r.ok());
    CHECK(r->body.empty());
    CHECK(streamed == big.size());
    CHECK(last_progress == big.size());
    CHECK(total == big.size());

    http::client_options capped;
    capped.max_body_bytes = 1000;
    CHECK(c.perform(get(server.url()), capped).error() == errc::http_body_too_large);

    http::client_options aborting;
    aborting.on_body = [](bytes_view) { return false; };
    CHECK(c.perform(get(server.url()), aborting).error() == errc::http_aborted);
}

TEST_CASE("a stalled server hits the total timeout; malformed responses are named", "[http][client]") {
    test::test_server stall([](const test::received_request&, const auto& send) {
        send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
        std::this_thread::sleep_for(1500ms);
        return false;
    });
    http::client c(nullptr);
    http::client_options opts;
    opts.total_timeout = 300ms;
    const auto start = std::chrono::steady_clock::now();
    CHECK(c.perform(get(stall.url()), opts).error() == errc::net_timeout);
    CHECK(std::chrono::steady_clock::now() - start < 1s);

    test::test_server bad([](const test::received_request& req, const auto& send) {
        if (req.head.find("/conflict") != std::string::npos) {
            send("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab");
        } else if (req.head.find("/truncated") != std::string::npos) {
            send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc");
        } else {
            send("HTTTP/1.1 200 OK\r\n\r\n");
        }
        return false;
    });
    CHECK(c.perform(get(bad.url("/conflict")), {}).error() == errc::http_bad_content_length);
    CHECK(c.perform(get(bad.url("/truncated")), {}).error() == errc::http_truncated_body);
    CHECK(c.perform(get(bad.url("/status")), {}).error() == errc::http_bad_status_line);
}

TEST_CASE("resolve overrides (curl --resolve) bypass DNS; https needs a connector", "[http][client]") {
    test::test_server server([](const test::received_request& req, const auto& send) {
        send(ok_response(req.head.substr(req.head.find("Host: "), 40)));
        return true;
    });
    http::client c(nullptr);
    http::client_options opts;
    opts.resolve.push_back("example.test:" + std::to_string(server.port()) + ":127.0.0.1");
    auto r = c.perform(get("http://example.test:" + std::to_string(server.port()) + "/"), opts);
    REQUIRE(r.ok());
    CHECK(r->body.rfind("Host: example.test:", 0) == 0);
    CHECK(c.perform(get("https://127.0.0.1:1/"), {}).error() == errc::http_unsupported_scheme);
}

namespace {
/// The request target of a received request ("GET /x HTTP/1.1" gives "/x").
std::string path_of(const test::received_request& req) {
    const auto sp = req.head.find(' ');
    return req.head.substr(sp + 1, req.head.find(' ', sp + 1) - sp - 1);
}

bool has_line(const std::string& head, const std::string& line) {
    return head.find("\r\n" + line + "\r\n") != std::string::npos;
}

/// Records the heads it receives and answers 200.
struct recording_server {
    std::mutex m;
    std::vector<std::string> heads;
    test::test_server server{[this](const test::received_request& req, const auto& send) {
        {
            std::lock_guard<std::mutex> lock(m);
            heads.push_back(req.head);
        }
        send(ok_response("recorded"));
        return true;
    }};
    std::string last() {
        std::lock_guard<std::mutex> lock(m);
        return heads.empty() ? std::string() : heads.back();
    }
};
} // namespace

TEST_CASE("credentials go only to the origin they were given for, across redirects",
          "[http][client]") {
    // curl's rule since CVE-2018-1000007 and CVE-2022-27776: Authorization, Cookie and
    // Proxy-Authorization follow a redirect only to the same scheme, host and port, unless the
    // caller opts in (curl --location-trusted).
    recording_server other;
    const std::string other_port = std::to_string(other.server.port());
    std::string home_port; // set before the first request
    test::test_server home([&](const test::received_request& req, const auto& send) {
        const std::string path = path_of(req);
        std::string to;
        if (path == "/to-name") {
            to = "http://other.test:" + other_port + "/landing"; // another name, another port
        } else if (path == "/to-port") {
            to = "http://127.0.0.1:" + other_port + "/landing"; // same host, another port
        } else if (path == "/to-name-same-port") {
            to = "http://other.test:" + home_port + "/landing"; // another name, this server
        } else if (path == "/to-scheme") {
            to = "https://127.0.0.1:" + home_port + "/landing"; // same host and port, https
        } else if (path == "/same") {
            to = "/landing";
        } else {
            send("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(req.head.size()) +
                 "\r\n\r\n" + req.head); // echo the head
            return true;
        }
        send("HTTP/1.1 302 Found\r\nLocation: " + to + "\r\nContent-Length: 0\r\n\r\n");
        return true;
    });
    home_port = std::to_string(home.port());
    // "https" is plain TCP here (the secure connector is connect_plain): only the origin matters.
    http::client c(http::connect_plain);
    http::client_options o;
    o.follow_redirects = true;
    o.resolve = {"other.test:" + other_port + ":127.0.0.1",
                 "other.test:" + home_port + ":127.0.0.1"};
    o.headers.add("Authorization", "Bearer secret");
    o.headers.add("Cookie", "session=1");
    o.headers.add("X-Trace", "t1"); // not a credential: goes everywhere
    const auto base = "http://127.0.0.1:" + home_port;
    auto request_with_proxy_auth = [&](const std::string& path) {
        http::request r = get(base + path);
        r.headers.add("Proxy-Authorization", "Basic cHJveHk6cHc="); // set on the request itself
        return r;
    };
    const char* credentials[] = {"Authorization: Bearer secret", "Cookie: session=1",
                                 "Proxy-Authorization: Basic cHJveHk6cHc="};

    for (const char* path : {"/to-name", "/to-port"}) {
        INFO(path);
        auto r = c.perform(request_with_proxy_auth(path), o);
        REQUIRE(r.ok());
        CHECK(r->body == "recorded");
        const std::string head = other.last();
        CHECK(has_line(head, "X-Trace: t1"));
        for (const char* cred : credentials) {
            CHECK_FALSE(has_line(head, cred));
        }
    }
    for (const char* path : {"/to-name-same-port", "/to-scheme"}) { // answered by `home`
        INFO(path);
        auto r = c.perform(request_with_proxy_auth(path), o);
        REQUIRE(r.ok());
        CHECK(r->url.find("/landing") != std::string::npos);
        CHECK(has_line(r->body, "X-Trace: t1"));
        for (const char* cred : credentials) {
            CHECK_FALSE(has_line(r->body, cred));
        }
    }

    // Same origin: credentials kept.
    auto same = c.perform(request_with_proxy_auth("/same"), o);
    REQUIRE(same.ok());
    for (const char* cred : credentials) {
        CHECK(has_line(same->body, cred));
    }

    // Opted in: sent to every host the redirects lead to.
    o.credentials_follow_redirects = true;
    for (const char* path : {"/to-name", "/to-port"}) {
        INFO(path);
        REQUIRE(c.perform(request_with_proxy_auth(path), o).ok());
        const std::string head = other.last();
        for (const char* cred : credentials) {
            CHECK(has_line(head, cred));
        }
    }
}

TEST_CASE("pooled connections are reused only under the same security options",
          "[http][client]") {
    // Class of CVE-2024-35195 (python-requests): a connection opened with verification off, or
    // against other trust anchors, addresses or TLS versions, must not serve a request that asks
    // for more. The "secure" connector is plain TCP here: only the pool's choice is under test.
    test::test_server server([](const test::received_request&, const auto& send) {
        send(ok_response("x"));
        return true;
    });
    http::client c(http::connect_plain);
    const std::string port = std::to_string(server.port());
    const std::string u = "https://127.0.0.1:" + port + "/";
    auto opened_after = [&](const http::client_options& o) {
        REQUIRE(c.perform(get(u), o).ok());
        return c.connections_opened();
    };
    const http::client_options base;
    CHECK(opened_after(base) == 1);
    CHECK(opened_after(base) == 1);
    std::size_t expected = 1;
    auto differs_by = [&](const char* what, const std::function<void(http::client_options&)>& f) {
        INFO(what);
        http::client_options o = base;
        f(o);
        CHECK(opened_after(o) == ++expected); // not base's connection
        CHECK(opened_after(o) == expected);   // but its own, again
        CHECK(opened_after(base) == expected); // and base's is still there for base
    };
    differs_by("insecure", [](auto& o) { o.insecure = true; });
    differs_by("web_pki_profile", [](auto& o) { o.web_pki_profile = false; });
    differs_by("ca_file", [](auto& o) { o.ca_file = "/nonexistent/other-ca.pem"; });
    differs_by("ca_pem", [](auto& o) { o.ca_pem = "-----BEGIN CERTIFICATE-----"; });
    differs_by("resolve", [&](auto& o) { o.resolve = {"127.0.0.1:" + port + ":127.0.0.1"}; });
    differs_by("min_version", [](auto& o) { o.min_version = http::tls_version::tls1_3; });
    differs_by("max_version", [](auto& o) { o.max_version = http::tls_version::tls1_2; });
    // Options that do not change how a connection is made share it.
    http::client_options timing = base;
    timing.total_timeout = 10s;
    timing.headers.add("X-Other", "1");
    CHECK(opened_after(timing) == expected);
}

TEST_CASE("a server that stops sending hits the idle timeout; a slow steady one does not",
          "[http][client]") {
    CHECK(http::client_options{}.idle_timeout == 30s);
    test::test_server server([](const test::received_request& req, const auto& send) {
        if (path_of(req) == "/stall") {
            send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
            std::this_thread::sleep_for(2s);
            return false;
        }
        send("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n");
        for (char ch : std::string("trickled")) {
            std::this_thread::sleep_for(150ms);
            send(std::string(1, ch));
        }
        return true;
    });
    http::client c(nullptr);
    http::client_options o;
    o.idle_timeout = 600ms; // and no total timeout
    const auto start = std::chrono::steady_clock::now();
    CHECK(c.perform(get(server.url("/stall")), o).error() == errc::net_idle_timeout);
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(took >= 550ms);
    CHECK(took < 1800ms);
    // 1.2 s in all, never 600 ms without a byte.
    auto r = c.perform(get(server.url("/trickle")), o);
    REQUIRE(r.ok());
    CHECK(r->body == "trickled");
}

TEST_CASE("a server that sends interim responses without end is stopped at the cap",
          "[http][client]") {
    test::test_server server([](const test::received_request& req, const auto& send) {
        const int n = path_of(req) == "/ten" ? 10 : path_of(req) == "/eleven" ? 11 : 100000;
        std::string wire;
        for (int i = 0; i < n; ++i) {
            wire += (i % 2 == 0) ? "HTTP/1.1 100 Continue\r\n\r\n"
                                 : "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n";
        }
        send(wire);
        send(ok_response("final"));
        return false;
    });
    http::client c(nullptr);
    auto ten = c.perform(get(server.url("/ten")), {});
    REQUIRE(ten.ok());
    CHECK(ten->body == "final");
    CHECK(c.perform(get(server.url("/eleven")), {}).error() == errc::http_too_many_interim);
    CHECK(c.perform(get(server.url("/endless")), {}).error() == errc::http_too_many_interim);
}

TEST_CASE("bodies kept in memory are capped by default; streamed bodies are not",
          "[http][client]") {
    CHECK(http::default_max_stored_body_bytes == (std::uint64_t{1} << 30));
    CHECK_FALSE(http::client_options{}.max_body_bytes.has_value());
    // Each announces 2 GiB, sends a few bytes and hangs up.
    test::test_server server([](const test::received_request& req, const auto& send) {
        if (path_of(req) == "/length") {
            send("HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\n\r\nabc");
        } else {
            send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n80000000\r\nabc");
        }
        return false;
    });
    http::client c(nullptr);
    http::client_options streaming;
    streaming.on_body = [](bytes_view) { return true; };
    http::client_options lifted;
    lifted.max_body_bytes = std::numeric_limits<std::uint64_t>::max();
    for (const char* path : {"/length", "/chunked"}) {
        INFO(path);
        CHECK(c.perform(get(server.url(path)), {}).error() == errc::http_body_too_large);
        CHECK(c.perform(get(server.url(path)), streaming).error() == errc::http_truncated_body);
        CHECK(c.perform(get(server.url(path)), lifted).error() == errc::http_truncated_body);
    }
}
