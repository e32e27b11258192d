// Compressed responses through the HTTP client (client_options::accept_compressed) against a
// scripted local server: gzip, deflate (zlib and raw) and x-gzip bodies decoded in memory and
// streamed, the header fields the caller sees, unknown codings passed through, nothing decoded
// when not asked, and malformed or bomb bodies stopped with their named error.
#include <https/http/client.hpp>
#include <https/https.hpp>

#include "support/test_server.hpp"

#include <catch2/catch.hpp>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

using namespace https;

namespace {

http::request get(const std::string& u, const char* method = "GET") {
    http::request r;
    r.method = method;
    r.url = *http::parse_url(u);
    return r;
}

/// zlib's deflate of `in`: window_bits -15 raw, 15 zlib, 31 gzip.
std::string compress(const std::string& in, int window_bits, int level = 6) {
    z_stream z{};
    REQUIRE(deflateInit2(&z, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out(deflateBound(&z, in.size()) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

std::string text(std::size_t size) {
    std::string out;
    for (std::size_t i = 0; out.size() < size; ++i) {
        out += "line " + std::to_string(i) + ": the quick brown fox jumps over the lazy dog\n";
    }
    out.resize(size);
    return out;
}

std::string with_length(const std::string& coding, const std::string& body) {
    return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" +
           (coding.empty() ? std::string() : "Content-Encoding: " + coding + "\r\n") +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

/// The body in chunks of `piece` bytes (RFC 9112 §7.1).
std::string chunked(const std::string& coding, const std::string& body, std::size_t piece) {
    std::string out = "HTTP/1.1 200 OK\r\nContent-Encoding: " + coding +
                      "\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (std::size_t at = 0; at < body.size(); at += piece) {
        const std::string part = body.substr(at, piece);
        char size[16];
        std::snprintf(size, sizeof size, "%zx", part.size());
        out += std::string(size) + "\r\n" + part + "\r\n";
    }
    return out + "0\r\n\r\n";
}

} // namespace

TEST_CASE("compressed responses are asked for and decoded only when the caller wants them",
          "[http][client][compressed]") {
    const std::string plain = text(200000);
    const std::string gzip = compress(plain, 31);
    const std::string zlib = compress(plain, 15);
    const std::string raw = compress(plain, -15);
    std::vector<std::string> request_heads;
    std::mutex m;
    test::test_server server([&](const test::received_request& req, const auto& send) {
        {
            std::lock_guard<std::mutex> lock(m);
            request_heads.push_back(req.head);
        }
        const std::string& h = req.head;
        if (h.rfind("GET /gzip ", 0) == 0 || h.rfind("HEAD /gzip ", 0) == 0) {
            send(h[0] == 'H' ? "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " +
                                   std::to_string(gzip.size()) + "\r\n\r\n"
                             : with_length("gzip", gzip));
        } else if (h.rfind("GET /x-gzip ", 0) == 0) {
            send(with_length("X-GZIP", gzip));
        } else if (h.rfind("GET /deflate ", 0) == 0) {
            send(with_length("deflate", zlib));
        } else if (h.rfind("GET /raw-deflate ", 0) == 0) {
            send(with_length("deflate", raw));
        } else if (h.rfind("GET /chunked-gzip ", 0) == 0) {
            send(chunked("gzip", gzip, 1000));
        } else if (h.rfind("GET /chunked-deflate ", 0) == 0) {
            send(chunked("deflate", zlib, 7));
        } else if (h.rfind("GET /br ", 0) == 0) {
            send(with_length("br", "not really brotli"));
        } else if (h.rfind("GET /empty-gzip ", 0) == 0) {
            send(with_length("gzip", ""));
        } else {
            send(with_length("", plain));
        }
        return true;
    });
    http::client c(nullptr);
    http::client_options asked;
    asked.accept_compressed = true;

    SECTION("in memory: gzip, x-gzip, deflate as zlib and as raw DEFLATE") {
        for (const char* path : {"/gzip", "/x-gzip", "/deflate", "/raw-deflate"}) {
            INFO(path);
            auto r = c.perform(get(server.url(path)), asked);
            REQUIRE(r.ok());
            CHECK(r->status == 200);
            CHECK(r->body == plain);
            CHECK(!r->headers.contains("Content-Encoding"));
            CHECK(!r->headers.contains("Content-Length"));
            CHECK(r->headers.get("Content-Type") == "text/plain");
        }
        CHECK(c.connections_opened() == 1); // decoded bodies leave the connection reusable
        for (const auto& head : request_heads) {
            CHECK(head.find("\r\nAccept-Encoding: gzip, deflate\r\n") != std::string::npos);
        }
    }
    SECTION("streamed: chunked gzip and deflate to on_body, on_head sees the decoded fields") {
        for (const char* path : {"/chunked-gzip", "/chunked-deflate", "/gzip"}) {
            INFO(path);
            std::string streamed;
            std::size_t pieces = 0;
            bool head_has_coding = true;
            std::uint64_t progress = 0;
            http::client_options o = asked;
            o.on_body = [&](bytes_view b) {
                streamed.append(reinterpret_cast<const char*>(b.data()), b.size());
                ++pieces;
                return true;
            };
            o.on_head = [&](const http::response_head& h) {
                head_has_coding =
                    h.headers.contains("Content-Encoding") || h.headers.contains("Content-Length");
            };
            o.on_progress = [&](std::uint64_t n, std::optional<std::uint64_t>) { progress = n; };
            auto r = c.perform(get(server.url(path)), o);
            REQUIRE(r.ok());
            CHECK(r->body.empty());
            CHECK(streamed == plain);
            CHECK(pieces > 1);
            CHECK(!head_has_coding);
            // progress counts the bytes received: the encoded body
            const bool deflated = std::string(path) == "/chunked-deflate";
            CHECK(progress == (deflated ? zlib.size() : gzip.size()));
        }
    }
    SECTION("not asked: no Accept-Encoding, the body and its fields as they came") {
        auto r = c.perform(get(server.url("/gzip")), {});
        REQUIRE(r.ok());
        CHECK(r->body == gzip);
        CHECK(r->headers.get("Content-Encoding") == "gzip");
        CHECK(r->headers.get("Content-Length") == std::to_string(gzip.size()));
        REQUIRE(request_heads.size() == 1);
        CHECK(request_heads[0].find("Accept-Encoding") == std::string::npos);
        // the caller's own Accept-Encoding, without asking for decoding, is sent as it is
        http::client_options own;
        own.headers.add("Accept-Encoding", "gzip");
        r = c.perform(get(server.url("/gzip")), own);
        REQUIRE(r.ok());
        CHECK(r->body == gzip);
        CHECK(request_heads.back().find("\r\nAccept-Encoding: gzip\r\n") != std::string::npos);
    }
    SECTION("asked: unknown codings and identity pass through; HEAD and empty bodies are empty") {
        auto r = c.perform(get(server.url("/br")), asked);
        REQUIRE(r.ok());
        CHECK(r->body == "not really brotli");
        CHECK(r->headers.get("Content-Encoding") == "br");
        r = c.perform(get(server.url("/plain")), asked);
        REQUIRE(r.ok());
        CHECK(r->body == plain);
        CHECK(r->headers.get("Content-Length") == std::to_string(plain.size()));
        r = c.perform(get(server.url("/gzip"), "HEAD"), asked);
        REQUIRE(r.ok());
        CHECK(r->body.empty());
        CHECK(!r->headers.contains("Content-Encoding"));
        r = c.perform(get(server.url("/empty-gzip")), asked);
        REQUIRE(r.ok());
        CHECK(r->body.empty());
    }
}

TEST_CASE("malformed and bomb compressed bodies end with their named error",
          "[http][client][compressed]") {
    const std::string plain = text(50000);
    std::string bad_crc = compress(plain, 31);
    bad_crc[bad_crc.size() - 6] ^= 1;
    const std::string cut = compress(plain, 31).substr(0, 1000);
    const std::string bomb = compress(std::string(16 << 20, 'a'), 31, 9); // about 16 KiB
    test::test_server server([&](const test::received_request& req, const auto& send) {
        const std::string& h = req.head;
        if (h.rfind("GET /bad-crc ", 0) == 0) {
            send(with_length("gzip", bad_crc));
        } else if (h.rfind("GET /cut ", 0) == 0) {
            send(with_length("gzip", cut)); // complete HTTP body, truncated gzip stream
        } else if (h.rfind("GET /garbage ", 0) == 0) {
            send(with_length("deflate", "this is not compressed at all"));
        } else if (h.rfind("GET /bomb ", 0) == 0) {
            send(chunked("gzip", bomb, 4096));
        } else {
            send(with_length("", "?"));
        }
        return true;
    });
    http::client c(nullptr);
    http::client_options o;
    o.accept_compressed = true;
    auto error_of = [&](const char* path, const http::client_options& opts) {
        auto r = c.perform(get(server.url(path)), opts);
        return r.ok() ? errc::ok : r.error();
    };
    CHECK(error_of("/bad-crc", o) == errc::inflate_bad_checksum);
    // the facade's kinds: a mis-encoded body is the server breaking HTTP, a bomb is too large
    CHECK(make_error_code(errc::inflate_bad_checksum) == https::failure::protocol);
    CHECK(make_error_code(errc::inflate_truncated) == https::failure::protocol);
    CHECK(make_error_code(errc::inflate_too_large) == https::failure::too_large);
    CHECK(make_error_code(errc::inflate_ratio_exceeded) == https::failure::too_large);
    CHECK(error_of("/cut", o) == errc::inflate_truncated);
    CHECK(error_of("/garbage", o) != errc::ok);
    CHECK(https::layer_of(error_of("/garbage", o)) == error_layer::decode);
    // the ratio cap (default 200:1 past 1 MiB) stops a 1000:1 bomb, streamed or not
    CHECK(error_of("/bomb", o) == errc::inflate_ratio_exceeded);
    std::uint64_t streamed = 0;
    http::client_options s = o;
    s.on_body = [&](bytes_view b) {
        streamed += b.size();
        return true;
    };
    CHECK(error_of("/bomb", s) == errc::inflate_ratio_exceeded);
    CHECK(streamed <= (2u << 20));
    // max_body_bytes caps the decoded body; with the ratio cap lifted, the bomb decodes whole
    http::client_options capped = o;
    capped.max_compression_ratio = 0;
    capped.max_body_bytes = 4 << 20;
    CHECK(error_of("/bomb", capped) == errc::inflate_too_large);
    capped.max_body_bytes.reset();
    auto r = c.perform(get(server.url("/bomb")), capped);
    REQUIRE(r.ok());
    CHECK(r->body == std::string(16 << 20, 'a'));
}
