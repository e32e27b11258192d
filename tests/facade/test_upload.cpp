// Uploads through the facade over TLS, against tests/interop/bad_http_server.py (Python's ssl
// module) on 127.0.0.1: a file streamed with https::file_body and recorded by the server
// (length and SHA-256, checked with OpenSSL), a body of unknown length sent chunked, and servers
// that answer 413 before reading the body, then reset the connection or stop reading.
#include <https/https.hpp>

#include "support/pattern_source.hpp"
#include "support/tls_loopback.hpp"

#include <catch2/catch.hpp>

#include <openssl/evp.h>

#include <chrono>
#include <cstdio>
#include <string>

using namespace std::chrono_literals;

namespace {

/// bad_http_server.py with the test PKI's RSA leaf for 127.0.0.1.
class python_server {
public:
    python_server()
        : port_(test::free_port()),
          process_({"python3", std::string(HTTPS_SOURCE_DIR) + "/tests/interop/bad_http_server.py",
                    std::to_string(port_), test::test_pki_dir() + "/rsa.pem",
                    test::test_pki_dir() + "/rsa.key"},
                   port_, test::test_pki_dir(),
                   test::test_pki_dir() + "/upload-server-" + std::to_string(port_) + ".log") {}

    [[nodiscard]] std::string url(const std::string& path) const {
        return "https://127.0.0.1:" + std::to_string(port_) + path;
    }

private:
    int port_;
    test::server_process process_;
};

https::options test_options() {
    https::options o;
    o.ca_file = test::test_pki_dir() + "/ca.pem";
    o.connect_timeout = 10s;
    o.idle_timeout = 5s; // a client stuck sending to a server that stopped reading fails here
    o.total_timeout = 60s;
    return o;
}

std::string sha256_hex(const std::string& data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    REQUIRE(EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) == 1);
    std::string out;
    char hex[3];
    for (unsigned int i = 0; i < len; ++i) {
        std::snprintf(hex, sizeof hex, "%02x", md[i]);
        out += hex;
    }
    return out;
}

/// What bad_http_server.py's /record/ answers for a body.
std::string record(const std::string& method, const std::string& target,
                   const std::string& content_length, const std::string& transfer_encoding,
                   const std::string& body) {
    return "method: " + method + "\ntarget: " + target + "\ncontent-type: -\ncontent-length: " +
           content_length + "\ntransfer-encoding: " + transfer_encoding +
           "\nbody-length: " + std::to_string(body.size()) + "\nbody-sha256: " +
           sha256_hex(body) + "\n";
}

} // namespace

TEST_CASE("a 512 KiB file streams over TLS to a server that reads it all", "[facade][upload]") {
    python_server server;
    const std::string path = test::test_pki_dir() + "/upload-512k.bin";
    const std::string content = test::pattern_source::text(512 * 1024);
    {
        std::FILE* f = std::fopen(path.c_str(), "wb");
        REQUIRE(f != nullptr);
        REQUIRE(std::fwrite(content.data(), 1, content.size(), f) == content.size());
        std::fclose(f);
    }
    auto file = https::file_body::open(path);
    REQUIRE(file.ok());
    https::client session;
    auto r = session.request("PUT", server.url("/record/a"), test_options(), *file);
    CHECK(r.status == 200);
    CHECK(r.body == record("PUT", "/record/a", "524288", "-", content));

    // The same file again (rewound), and a body of unknown length, chunked.
    std::error_code ec;
    auto again = https::request("POST", server.url("/record/b"), test_options(), *file, ec);
    REQUIRE(!ec);
    CHECK(again.body == record("POST", "/record/b", "524288", "-", content));
    test::pattern_source unknown(100000, /*announce=*/false);
    auto chunked = https::request("PUT", server.url("/record/c"), test_options(), unknown);
    CHECK(chunked.body ==
          record("PUT", "/record/c", "-", "chunked", test::pattern_source::text(100000)));
    std::remove(path.c_str());
}

TEST_CASE("a server that answers 413 before reading the body: the answer is returned",
          "[facade][upload]") {
    python_server server;
    https::client session;
    // It closes with the body unread, so its kernel resets the connection: the client reads the
    // answer that arrived before the reset. Repeated, as this depends on timing.
    for (int round = 0; round < 10; ++round) {
        CAPTURE(round);
        test::pattern_source source(512 * 1024);
        std::error_code ec;
        auto r = session.request("PUT", server.url("/early-413"), test_options(), source, ec);
        REQUIRE(!ec);
        CHECK(r.status == 413);
        CHECK(r.body == "too large, not reading it\n");
    }
    // It answers and stops reading, keeping the connection open for 30 s: the client must stop
    // sending rather than wait for room to send.
    test::pattern_source big(std::uint64_t{64} << 20);
    const auto start = std::chrono::steady_clock::now();
    auto r = session.request("PUT", server.url("/early-413-open"), test_options(), big);
    CHECK(r.status == 413);
    CHECK(r.body == "too large, not reading it\n");
    CHECK(std::chrono::steady_clock::now() - start < 3s);
    CHECK(big.position < (std::uint64_t{64} << 20));
}
