// Interop: the client engine, driven over a loopback socket, against real TLS 1.3 servers
// (openssl s_server and gnutls-serv) started by the test on free ports and stopped afterwards.
#include <https/tls/client.hpp>

#include "support/tls_loopback.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace https;
using namespace https::tls;

namespace {

std::string pki(const std::string& file) {
    return test::test_pki_dir() + "/" + file;
}

std::string known_body() {
    std::ifstream in(pki("index.txt"), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// The TLS engine's tests check chains with OpenSSL as the oracle verifier, so that they test
/// this layer alone; "end to end" below puts our X.509 layer in its place.
client_config base_config(const std::string& host = "localhost") {
    client_config cfg;
    cfg.server_name = host;
    cfg.verify_certificate = test::openssl_verifier(pki("ca.pem"));
    return cfg;
}

/// Our whole stack: the chain checked by our X.509 layer against the test root.
client_config our_stack_config(const std::string& host = "localhost") {
    client_config cfg = base_config(host);
    cfg.verify_certificate = test::x509_verifier(pki("ca.pem"));
    return cfg;
}

/// `openssl s_server -tls1_3 -WWW` serving the PKI directory with `cert`, plus `extra` options.
struct openssl_server {
    test::server_process process;
    openssl_server(const std::string& cert, std::vector<std::string> extra)
        : openssl_server(cert, std::move(extra), test::free_port()) {}
    openssl_server(const std::string& cert, std::vector<std::string> extra, int port)
        : process(args(cert, std::move(extra), port), port, test::test_pki_dir(), log_path()) {}
    static std::vector<std::string> args(const std::string& cert, std::vector<std::string> extra,
                                         int port) {
        std::vector<std::string> a = {"openssl", "s_server",
                                      "-accept", "127.0.0.1:" + std::to_string(port),
                                      "-tls1_3", "-WWW",
                                      "-cert",   pki(cert + ".pem"),
                                      "-key",    pki(cert + ".key")};
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    }
    static std::string log_path() {
        static int n = 0;
        return test::test_pki_dir() + "/s_server." + std::to_string(++n) + ".log";
    }
};

/// Fetch /index.txt over HTTP/1.0 and return the session; the body must equal the file.
test::tls_session fetch(client& c, int port) {
    return test::run_client(c, port, "GET /index.txt HTTP/1.0\r\n\r\n");
}

void check_body(const test::tls_session& s) {
    INFO("error: " << describe(s.error));
    REQUIRE(s.error == errc::ok);
    CHECK(s.handshake_done);
    const std::string body = known_body();
    REQUIRE(s.received.size() >= body.size());
    // s_server -WWW answers "HTTP/1.0 200 ok\r\nContent-type: text/plain\r\n\r\n" + the file.
    const auto head_end = s.received.find("\r\n\r\n");
    REQUIRE(head_end != std::string::npos);
    CHECK(s.received.rfind("HTTP/1.0 200", 0) == 0);
    CHECK(s.received.substr(head_end + 4) == body);
}

} // namespace

TEST_CASE("interop: openssl s_server with each TLS 1.3 suite", "[tls][interop]") {
    const std::pair<const char*, cipher_suite> suites[] = {
        {"TLS_AES_128_GCM_SHA256", cipher_suite::tls_aes_128_gcm_sha256},
        {"TLS_AES_256_GCM_SHA384", cipher_suite::tls_aes_256_gcm_sha384},
        {"TLS_CHACHA20_POLY1305_SHA256", cipher_suite::tls_chacha20_poly1305_sha256},
    };
    int ran = 0;
    for (const auto& [name, suite] : suites) {
        INFO(name);
        openssl_server server("rsa", {"-ciphersuites", name});
        client c(base_config());
        check_body(fetch(c, server.process.port()));
        CHECK(c.negotiated_suite() == suite);
        CHECK(c.negotiated_version() == protocol_version::tls13);
        ++ran;
    }
    CHECK(ran == 3);
}

TEST_CASE("interop: openssl s_server key exchange groups", "[tls][interop]") {
    SECTION("X25519 only") {
        openssl_server server("rsa", {"-groups", "X25519"});
        client c(base_config());
        check_body(fetch(c, server.process.port()));
        CHECK(c.negotiated_group() == named_group::x25519);
        CHECK_FALSE(c.hello_retry_requested());
    }
    SECTION("P-256 only, P-256 offered first") {
        openssl_server server("rsa", {"-groups", "P-256"});
        client_config cfg = base_config();
        cfg.groups = {named_group::secp256r1, named_group::x25519};
        client c(cfg);
        check_body(fetch(c, server.process.port()));
        CHECK(c.negotiated_group() == named_group::secp256r1);
        CHECK_FALSE(c.hello_retry_requested());
    }
    SECTION("P-256 only: HelloRetryRequest from our X25519 share") {
        openssl_server server("rsa", {"-groups", "P-256"});
        client c(base_config());
        check_body(fetch(c, server.process.port()));
        CHECK(c.negotiated_group() == named_group::secp256r1);
        CHECK(c.hello_retry_requested());
    }
    SECTION("P-384 only forces a HelloRetryRequest") {
        openssl_server server("rsa", {"-groups", "P-384"});
        client c(base_config());
        check_body(fetch(c, server.process.port()));
        CHECK(c.negotiated_group() == named_group::secp384r1);
        CHECK(c.hello_retry_requested());
    }
    SECTION("a group we do not offer is a handshake failure") {
        openssl_server server("rsa", {"-groups", "P-521"});
        client c(base_config());
        const auto s = fetch(c, server.process.port());
        CHECK_FALSE(s.handshake_done);
        CHECK(c.received_alert() == alert_description::handshake_failure);
        CHECK(s.error == errc::tls_alert_received);
    }
}

TEST_CASE("interop: openssl s_server certificates and record sizes", "[tls][interop]") {
    SECTION("RSA certificate, RSA-PSS CertificateVerify") {
        openssl_server server("rsa", {});
        client c(base_config());
        check_body(fetch(c, server.process.port()));
        CHECK(c.peer_certificates().size() == 1);
        CHECK(c.negotiated_signature_scheme() == signature_scheme::rsa_pss_rsae_sha256);
    }
    SECTION("ECDSA P-256 certificate") {
        openssl_server server("ecdsa", {});
        client c(base_config());
        check_body(fetch(c, server.process.port()));
        CHECK(c.negotiated_signature_scheme() == signature_scheme::ecdsa_secp256r1_sha256);
    }
    SECTION("Ed25519 certificate, ed25519 CertificateVerify (RFC 8446 §4.2.3, RFC 8410)") {
        openssl_server server("ed25519", {});
        client c(base_config());
        check_body(fetch(c, server.process.port()));
        CHECK(c.negotiated_signature_scheme() == signature_scheme::ed25519);
    }
    SECTION("by IP address (no SNI, IP SAN)") {
        openssl_server server("rsa", {});
        client c(base_config("127.0.0.1"));
        check_body(fetch(c, server.process.port()));
    }
    SECTION("-max_send_frag 512: the body arrives in small records") {
        openssl_server server("rsa", {"-max_send_frag", "512"});
        client c(base_config());
        check_body(fetch(c, server.process.port()));
    }
    SECTION("our records capped at 512 bytes too") {
        openssl_server server("rsa", {});
        client_config cfg = base_config();
        cfg.max_fragment = 512;
        client c(cfg);
        check_body(fetch(c, server.process.port()));
    }
    SECTION("server asks for a client certificate; we answer with none") {
        openssl_server server("rsa", {"-verify", "1"});
        client c(base_config());
        check_body(fetch(c, server.process.port()));
    }
    SECTION("session tickets are stored") {
        openssl_server server("rsa", {});
        client c(base_config());
        check_body(fetch(c, server.process.port()));
        CHECK(!c.session_tickets().empty());
    }
}

TEST_CASE("interop: negative cases", "[tls][interop]") {
    struct bad_case {
        const char* cert;
        errc error;
        alert_description alert;
        const char* server_says; ///< what s_server logs when it receives our alert
    };
    const bad_case cases[] = {
        {"other", errc::cert_hostname_mismatch, alert_description::bad_certificate,
         "bad certificate"},
        {"expired", errc::cert_expired, alert_description::certificate_expired,
         "certificate expired"},
        {"rogue", errc::cert_unknown_issuer, alert_description::unknown_ca, "unknown ca"},
    };
    int ran = 0;
    for (const bool ours : {true, false}) {
        for (const auto& bc : cases) {
            INFO(bc.cert << (ours ? " (our X.509 layer)" : " (OpenSSL as verifier)"));
            openssl_server server(bc.cert, {});
            client_config cfg = ours ? our_stack_config() : base_config();
            client c(cfg);
            const auto s = fetch(c, server.process.port());
            CHECK_FALSE(s.handshake_done);
            CHECK(s.error == bc.error);
            CHECK(c.sent_alert() == bc.alert);
            // The alert reached the server and decrypted there (under our handshake key).
            std::string log;
            for (int i = 0; i < 50 && log.find(bc.server_says) == std::string::npos; ++i) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                log = server.process.log_text();
            }
            CHECK(log.find(bc.server_says) != std::string::npos);
            ++ran;
        }
    }
    CHECK(ran == 6);
}

TEST_CASE("interop: end to end with our X.509 layer", "[tls][interop]") {
    for (const char* cert : {"rsa", "ecdsa", "ed25519"}) {
        INFO(cert);
        openssl_server server(cert, {});
        client c(our_stack_config());
        check_body(fetch(c, server.process.port()));
    }
    openssl_server server("rsa", {});
    client c(our_stack_config("127.0.0.1"));
    check_body(fetch(c, server.process.port()));
}

TEST_CASE("interop: a plain TCP port answering HTTP fails fast", "[tls][interop]") {
    // A tiny loopback server that answers anything with an HTTP error and closes.
    const int port = test::free_port();
    const int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    REQUIRE(::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(lfd, 1) == 0);
    std::thread http([lfd] {
        const int fd = ::accept(lfd, nullptr, nullptr);
        if (fd < 0) {
            return;
        }
        char buf[1024];
        (void)::recv(fd, buf, sizeof buf, 0);
        const char reply[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
        (void)::send(fd, reply, sizeof reply - 1, MSG_NOSIGNAL);
        std::this_thread::sleep_for(std::chrono::milliseconds(500)); // keep it open: no EOF
        ::close(fd);
    });
    client c(base_config());
    const auto start = std::chrono::steady_clock::now();
    const auto s = test::run_client(c, port, "", std::chrono::seconds(5));
    http.join();
    ::close(lfd);
    CHECK_FALSE(s.handshake_done);
    // 'H' (0x48) is no record content type: unexpected_message, decided from the first bytes.
    CHECK(s.error == errc::tls_unexpected_message);
    CHECK(c.sent_alert() == alert_description::unexpected_message);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

TEST_CASE("interop: gnutls-serv with its defaults", "[tls][interop]") {
    const int port = test::free_port();
    test::server_process server({"gnutls-serv", "--echo", "-p", std::to_string(port),
                                 "--x509certfile", pki("rsa.pem"), "--x509keyfile", pki("rsa.key")},
                                port, test::test_pki_dir(), pki("gnutls-serv.log"));
    client c(base_config());
    const std::string body = known_body().substr(0, 3000);
    const auto s = test::run_client(c, port, body, std::chrono::seconds(10), body.size());
    INFO("error: " << describe(s.error));
    CHECK(s.handshake_done);
    CHECK(c.negotiated_version() == protocol_version::tls13);
    CHECK(s.received == body); // the echo, byte for byte
}
