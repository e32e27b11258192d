// Interop for OCSP stapling (RFC 6066 §8, RFC 8446 §4.4.2.1): `openssl s_server -status_file`
// staples responses made here with libcrypto, over TLS 1.3 and TLS 1.2, for a leaf with and one
// without must-staple (RFC 7633); the engine hands the staple to our X.509 layer, whose verdict
// is checked case by case.
#include <https/tls/client.hpp>

#include "support/stapling_pki.hpp"

#include <catch2/catch.hpp>

#include <openssl/ocsp.h>

#include <optional>
#include <string>

using namespace https;
using namespace https::tls;

using namespace test::stapling;

TEST_CASE("interop: OCSP staples from openssl s_server, checked by our X.509 layer",
          "[tls][interop][stapling]") {
    const test::made_cert root = make_root("Stapling Test Root");
    const test::made_cert stranger = make_root("Stapling Stranger Root");
    write_pem(root, "root");
    const test::made_cert plain = make_server(root, false);
    const test::made_cert must = make_server(root, true);
    write_pem(plain, "plain");
    write_pem(must, "must_staple");

    struct staple_case {
        const char* name;
        int status;
        long from, to;
        bool wrong_responder;
        bool missing;
        errc with_must_staple;
        errc without;
    };
    const long day = 86400;
    const staple_case cases[] = {
        {"good", V_OCSP_CERTSTATUS_GOOD, -3600, day, false, false, errc::ok, errc::ok},
        {"revoked", V_OCSP_CERTSTATUS_REVOKED, -3600, day, false, false, errc::cert_revoked,
         errc::cert_revoked},
        {"expired", V_OCSP_CERTSTATUS_GOOD, -3 * day, -day, false, false, errc::cert_ocsp_stale,
         errc::ok},
        {"wrong responder", V_OCSP_CERTSTATUS_GOOD, -3600, day, true, false,
         errc::cert_ocsp_bad_responder, errc::ok},
        {"missing", 0, 0, 0, false, true, errc::cert_ocsp_missing, errc::ok},
    };
    int ran = 0;
    for (const auto& sc : cases) {
        for (const bool must_staple : {true, false}) {
            const test::made_cert& leaf = must_staple ? must : plain;
            const std::string name = must_staple ? "must_staple" : "plain";
            std::optional<std::string> status_file;
            if (!sc.missing) {
                status_file = staple_dir() + "/" + name + "." + std::to_string(ran) + ".ocsp.der";
                write_file(*status_file,
                           ocsp_response(leaf, root, sc.wrong_responder ? stranger : root,
                                         sc.status, sc.from, sc.to));
            }
            stapling_server server(name, status_file);
            for (const auto version : {protocol_version::tls13, protocol_version::tls12}) {
                INFO(sc.name << (must_staple ? ", must-staple" : ", no must-staple")
                             << (version == protocol_version::tls13 ? ", TLS 1.3" : ", TLS 1.2"));
                client_config cfg;
                cfg.server_name = "localhost";
                cfg.min_version = version;
                cfg.max_version = version;
                cfg.verify_certificate = test::x509_verifier(staple_dir() + "/root.pem");
                client c(cfg);
                const test::tls_session s =
                    test::run_client(c, server.process.port(), "GET /root.pem HTTP/1.0\r\n\r\n");
                const errc expected = must_staple ? sc.with_must_staple : sc.without;
                INFO("error: " << describe(s.error)
                               << "; server log: " << server.process.log_text());
                CHECK(s.error == expected);
                CHECK(c.negotiated_version() == version);
                // The staple arrived whenever the server had one to send.
                CHECK(c.ocsp_staple().empty() == sc.missing);
                if (expected == errc::ok) {
                    CHECK(s.handshake_done);
                    CHECK(s.received.find("BEGIN CERTIFICATE") != std::string::npos);
                } else {
                    CHECK_FALSE(s.handshake_done);
                    CHECK(c.sent_alert().has_value());
                }
                ++ran;
            }
        }
    }
    CHECK(ran == 20);
}
