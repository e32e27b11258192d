// TLS 1.2 interop: the client engine over a loopback socket against `openssl s_server -tls1_2`
// (each required suite, with and without extended master secret, encrypt-then-MAC on and off,
// a client certificate request, session tickets) and `gnutls-serv` limited to TLS 1.2, each
// fetching a known body byte for byte. The servers run on free ports and stop with the test.
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

client_config base_config() {
    client_config cfg;
    cfg.server_name = "localhost";
    cfg.verify_certificate = test::openssl_verifier(pki("ca.pem"));
    return cfg;
}

std::string log_path(const std::string& what) {
    static int n = 0;
    return test::test_pki_dir() + "/" + what + "." + std::to_string(++n) + ".log";
}

/// An OpenSSL configuration that turns extended master secret off in every SSL_CTX
/// (OpenSSL 3.0's s_server has no command-line switch for it; SSL_CONF "Options" does).
std::string no_ems_config() {
    const std::string path = pki("no_ems.cnf");
    std::ofstream out(path);
    out << "openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n"
           "[ssl_sect]\nsystem_default = system_default_sect\n"
           "[system_default_sect]\nOptions = -ExtendedMasterSecret\n";
    return path;
}

/// `openssl s_server -tls1_2 -WWW` serving the PKI directory with `cert`, plus `extra` options;
/// `env` entries (NAME=value) go to the server's environment.
struct openssl_server {
    test::server_process process;
    openssl_server(const std::string& cert, std::vector<std::string> extra,
                   std::vector<std::string> env = {})
        : openssl_server(cert, std::move(extra), std::move(env), test::free_port()) {}
    openssl_server(const std::string& cert, std::vector<std::string> extra,
                   std::vector<std::string> env, int port)
        : process(args(cert, std::move(extra), std::move(env), port), port, test::test_pki_dir(),
                  log_path("s_server12")) {}
    static std::vector<std::string> args(const std::string& cert, std::vector<std::string> extra,
                                         std::vector<std::string> env, int port) {
        std::vector<std::string> a = {"env"};
        a.insert(a.end(), env.begin(), env.end());
        for (const char* x : {"openssl", "s_server", "-accept"}) {
            a.emplace_back(x);
        }
        a.push_back("127.0.0.1:" + std::to_string(port));
        for (const std::string& x :
             {std::string("-tls1_2"), std::string("-WWW"), std::string("-cert"), pki(cert + ".pem"),
              std::string("-key"), pki(cert + ".key")}) {
            a.push_back(x);
        }
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    }
    [[nodiscard]] int port() const { return process.port(); }
};

test::tls_session fetch(client& c, int port) {
    return test::run_client(c, port, "GET /index.txt HTTP/1.0\r\n\r\n");
}

void check_body(const test::tls_session& s) {
    INFO("error: " << describe(s.error));
    REQUIRE(s.error == errc::ok);
    CHECK(s.handshake_done);
    const std::string body = known_body();
    const auto head_end = s.received.find("\r\n\r\n");
    REQUIRE(head_end != std::string::npos);
    CHECK(s.received.rfind("HTTP/1.0 200", 0) == 0);
    CHECK(s.received.substr(head_end + 4) == body);
}

} // namespace

TEST_CASE("TLS 1.2 interop: openssl s_server -tls1_2, each required suite",
          "[tls][tls12][interop]") {
    struct suite_case {
        const char* openssl_name;
        const char* cert;
        cipher_suite expected;
    };
    const suite_case cases[] = {
        {"ECDHE-RSA-AES128-GCM-SHA256", "rsa", cipher_suite::tls_ecdhe_rsa_with_aes_128_gcm_sha256},
        {"ECDHE-ECDSA-AES256-GCM-SHA384", "ecdsa",
         cipher_suite::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384},
        {"ECDHE-RSA-CHACHA20-POLY1305", "rsa",
         cipher_suite::tls_ecdhe_rsa_with_chacha20_poly1305_sha256},
        {"AES256-SHA256", "rsa", cipher_suite::tls_rsa_with_aes_256_cbc_sha256},
        {"AES256-GCM-SHA384", "rsa", cipher_suite::tls_rsa_with_aes_256_gcm_sha384},
        // Beyond the required list: the remaining ECDHE suites we offer.
        {"ECDHE-ECDSA-AES128-GCM-SHA256", "ecdsa",
         cipher_suite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256},
        {"ECDHE-RSA-AES256-GCM-SHA384", "rsa", cipher_suite::tls_ecdhe_rsa_with_aes_256_gcm_sha384},
        {"ECDHE-ECDSA-CHACHA20-POLY1305", "ecdsa",
         cipher_suite::tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256},
        {"ECDHE-RSA-AES128-SHA256", "rsa", cipher_suite::tls_ecdhe_rsa_with_aes_128_cbc_sha256},
        {"ECDHE-ECDSA-AES256-SHA384", "ecdsa",
         cipher_suite::tls_ecdhe_ecdsa_with_aes_256_cbc_sha384},
        {"AES128-GCM-SHA256", "rsa", cipher_suite::tls_rsa_with_aes_128_gcm_sha256},
    };
    int ran = 0;
    for (const auto& sc : cases) {
        INFO(sc.openssl_name);
        openssl_server server(sc.cert, {"-cipher", sc.openssl_name});
        client c(base_config());
        check_body(fetch(c, server.port()));
        CHECK(c.negotiated_version() == protocol_version::tls12);
        CHECK(c.negotiated_suite() == sc.expected);
        ++ran;
    }
    CHECK(ran == 11);
}

TEST_CASE("TLS 1.2 interop: the ServerKeyExchange signature scheme", "[tls][tls12][interop]") {
    SECTION("an Ed25519 certificate signs with ed25519 under ECDHE_ECDSA (RFC 8422 §5.1.3)") {
        openssl_server server("ed25519", {"-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"});
        client c(base_config());
        check_body(fetch(c, server.port()));
        CHECK(c.negotiated_version() == protocol_version::tls12);
        CHECK(c.negotiated_suite() == cipher_suite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256);
        CHECK(c.negotiated_signature_scheme() == signature_scheme::ed25519);
    }
    SECTION("an ECDSA certificate") {
        openssl_server server("ecdsa", {"-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"});
        client c(base_config());
        check_body(fetch(c, server.port()));
        CHECK(c.negotiated_signature_scheme() == signature_scheme::ecdsa_secp256r1_sha256);
    }
    SECTION("the RSA key exchange signs nothing") {
        openssl_server server("rsa", {"-cipher", "AES128-GCM-SHA256"});
        client c(base_config());
        check_body(fetch(c, server.port()));
        CHECK_FALSE(c.negotiated_signature_scheme());
    }
}

TEST_CASE("TLS 1.2 interop: extended master secret on and off", "[tls][tls12][interop]") {
    SECTION("with (OpenSSL's default)") {
        openssl_server server("rsa", {"-cipher", "ECDHE-RSA-AES128-GCM-SHA256"});
        client c(base_config());
        check_body(fetch(c, server.port()));
        CHECK(c.negotiated_version() == protocol_version::tls12);
        CHECK(c.tls12_session()->extended_master_secret());
    }
    SECTION("without: the classic master secret") {
        openssl_server server("rsa", {"-cipher", "ECDHE-RSA-AES128-GCM-SHA256"},
                              {"OPENSSL_CONF=" + no_ems_config()});
        client c(base_config());
        check_body(fetch(c, server.port()));
        CHECK_FALSE(c.tls12_session()->extended_master_secret());
    }
    SECTION("without, but we insist: handshake_failure") {
        openssl_server server("rsa", {}, {"OPENSSL_CONF=" + no_ems_config()});
        client_config cfg = base_config();
        cfg.require_extended_master_secret = true;
        client c(cfg);
        const auto s = fetch(c, server.port());
        CHECK_FALSE(s.handshake_done);
        CHECK(s.error == errc::tls_handshake_failure);
        CHECK(c.sent_alert() == alert_description::handshake_failure);
    }
    SECTION("without, RSA key exchange and CBC") {
        openssl_server server("rsa", {"-cipher", "AES256-SHA256"},
                              {"OPENSSL_CONF=" + no_ems_config()});
        client c(base_config());
        check_body(fetch(c, server.port()));
        CHECK_FALSE(c.tls12_session()->extended_master_secret());
    }
}

TEST_CASE("TLS 1.2 interop: CBC with and without encrypt-then-MAC", "[tls][tls12][interop]") {
    SECTION("encrypt-then-MAC (OpenSSL's default)") {
        openssl_server server("rsa", {"-cipher", "ECDHE-RSA-AES256-SHA384"});
        client c(base_config());
        check_body(fetch(c, server.port()));
        CHECK(c.tls12_session()->encrypt_then_mac());
    }
    SECTION("MAC-then-encrypt (-no_etm), small records") {
        openssl_server server("rsa",
                              {"-cipher", "AES256-SHA256", "-no_etm", "-max_send_frag", "700"});
        client_config cfg = base_config();
        cfg.max_fragment = 333;
        client c(cfg);
        check_body(fetch(c, server.port()));
        CHECK_FALSE(c.tls12_session()->encrypt_then_mac());
        CHECK(c.negotiated_suite() == cipher_suite::tls_rsa_with_aes_256_cbc_sha256);
    }
}

TEST_CASE("TLS 1.2 interop: version and suite choices", "[tls][tls12][interop]") {
    SECTION("pinned to TLS 1.2: no TLS 1.3 offer at all") {
        openssl_server server("ecdsa", {});
        client_config cfg = base_config();
        cfg.max_version = protocol_version::tls12;
        client c(cfg);
        check_body(fetch(c, server.port()));
        CHECK(c.negotiated_suite() == cipher_suite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256);
    }
    SECTION("restricted to the RSA key exchange") {
        openssl_server server("rsa", {});
        client_config cfg = base_config();
        cfg.tls12_cipher_suites = {cipher_suite::tls_rsa_with_aes_128_gcm_sha256};
        client c(cfg);
        check_body(fetch(c, server.port()));
        CHECK(c.negotiated_suite() == cipher_suite::tls_rsa_with_aes_128_gcm_sha256);
    }
    SECTION("TLS 1.3 only against a TLS 1.2 server: protocol_version from the server") {
        openssl_server server("rsa", {});
        client_config cfg = base_config();
        cfg.min_version = protocol_version::tls13;
        client c(cfg);
        const auto s = fetch(c, server.port());
        CHECK_FALSE(s.handshake_done);
        CHECK(s.error == errc::tls_alert_received);
        CHECK(c.received_alert() == alert_description::protocol_version);
    }
    SECTION("X25519, P-256 and P-384 for ECDHE") {
        for (const char* curve : {"X25519", "P-256", "P-384"}) {
            INFO(curve);
            openssl_server server("rsa", {"-groups", curve});
            client c(base_config());
            check_body(fetch(c, server.port()));
            CHECK(c.negotiated_group() == (std::string(curve) == "X25519" ? named_group::x25519
                                           : std::string(curve) == "P-256"
                                               ? named_group::secp256r1
                                               : named_group::secp384r1));
        }
    }
    SECTION("client certificate requested: we answer with an empty Certificate") {
        openssl_server server("rsa", {"-verify", "1"});
        client c(base_config());
        check_body(fetch(c, server.port()));
    }
    SECTION("ALPN: the server picks http/1.1") {
        openssl_server server("rsa", {"-alpn", "http/1.1"});
        client c(base_config());
        check_body(fetch(c, server.port()));
        CHECK(c.alpn_protocol() == "http/1.1");
    }
    SECTION("no session ticket offered back (-no_ticket)") {
        openssl_server server("rsa", {"-no_ticket"});
        client c(base_config());
        check_body(fetch(c, server.port()));
    }
}

TEST_CASE("TLS 1.2 interop: gnutls-serv limited to TLS 1.2", "[tls][tls12][interop]") {
    const std::string body = known_body().substr(0, 5000);
    int ran = 0;
    // %NO_SESSION_HASH is GnuTLS's switch for extended master secret (RFC 7627 "session hash");
    // -KX-ALL:+RSA leaves only the RSA key exchange.
    for (const char* priority :
         {"NORMAL:-VERS-ALL:+VERS-TLS1.2", "NORMAL:-VERS-ALL:+VERS-TLS1.2:%NO_SESSION_HASH",
          "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+RSA"}) {
        INFO(priority);
        const int port = test::free_port();
        test::server_process server({"gnutls-serv", "--echo", "-p", std::to_string(port),
                                     "--priority", priority, "--x509certfile", pki("rsa.pem"),
                                     "--x509keyfile", pki("rsa.key")},
                                    port, test::test_pki_dir(), log_path("gnutls-serv12"));
        client c(base_config());
        const auto s = test::run_client(c, port, body, std::chrono::seconds(10), body.size());
        INFO("error: " << describe(s.error));
        CHECK(s.handshake_done);
        CHECK(c.negotiated_version() == protocol_version::tls12);
        CHECK(s.received == body); // the echo, byte for byte
        REQUIRE(c.tls12_session() != nullptr);
        CHECK(c.tls12_session()->extended_master_secret() ==
              (std::string(priority).find("NO_SESSION_HASH") == std::string::npos));
        ++ran;
    }
    CHECK(ran == 3);
}
