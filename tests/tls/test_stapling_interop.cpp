// Interop for OCSP stapling (RFC 6066 §8, RFC 8446 §4.4.2.1): `openssl s_server -status_file`
// staples responses made here with libcrypto, over TLS 1.3 and TLS 1.2, for a leaf with and one
// without must-staple (RFC 7633); the engine hands the staple to our X.509 layer, whose verdict
// is checked case by case.
#include <https/tls/client.hpp>

#include "support/cert_factory.hpp"
#include "support/tls_loopback.hpp"

#include <catch2/catch.hpp>

#include <openssl/ocsp.h>
#include <openssl/pem.h>

#include <ctime>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

using namespace https;
using namespace https::tls;

namespace {

/// A directory of its own for the stapling PKI, beside the shared test PKI.
const std::string& staple_dir() {
    static const std::string dir = [] {
        std::string d = test::test_pki_dir() + "/stapling";
        test::sh("mkdir -p " + d);
        return d;
    }();
    return dir;
}

void write_file(const std::string& path, const byte_vector& data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data.data()),
              static_cast<std::streamsize>(data.size()));
    REQUIRE(out.good());
}

/// `cert` and its key as PEM files `<name>.pem` and `<name>.key`.
void write_pem(const test::made_cert& cert, const std::string& name) {
    const std::string base = staple_dir() + "/" + name;
    FILE* f = std::fopen((base + ".pem").c_str(), "w");
    REQUIRE(f != nullptr);
    REQUIRE(PEM_write_X509(f, cert.x509.get()) == 1);
    std::fclose(f);
    f = std::fopen((base + ".key").c_str(), "w");
    REQUIRE(f != nullptr);
    REQUIRE(PEM_write_PrivateKey(f, cert.key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
    std::fclose(f);
}

test::made_cert make_root(const std::string& name) {
    return test::make_cert({name,
                            test::cert_key::p256,
                            {{"basicConstraints", "critical, CA:TRUE"},
                             {"keyUsage", "critical, keyCertSign, cRLSign"}}});
}

/// A web PKI server certificate for localhost (CN = first SAN, serverAuth), optionally with the
/// TLS feature status_request (must-staple).
test::made_cert make_server(const test::made_cert& root, bool must_staple) {
    test::cert_spec spec{"localhost",
                         test::cert_key::p256,
                         {{"basicConstraints", "critical, CA:FALSE"},
                          {"keyUsage", "critical, digitalSignature"},
                          {"extendedKeyUsage", "serverAuth"},
                          {"subjectAltName", "DNS:localhost"}}};
    if (must_staple) {
        spec.extensions.emplace_back("tlsfeature", "status_request");
    }
    return test::make_cert(spec, &root);
}

/// A DER OCSPResponse for `leaf` (issued by `issuer`) with `status`, current from `from` to `to`
/// (seconds from now), signed by `signer`, which the response carries.
byte_vector ocsp_response(const test::made_cert& leaf, const test::made_cert& issuer,
                          const test::made_cert& signer, int status, long from, long to) {
    OCSP_CERTID* id = OCSP_cert_to_id(EVP_sha1(), leaf.x509.get(), issuer.x509.get());
    REQUIRE(id != nullptr);
    OCSP_BASICRESP* basic = OCSP_BASICRESP_new();
    const std::time_t now = std::time(nullptr);
    ASN1_GENERALIZEDTIME* this_update = ASN1_GENERALIZEDTIME_set(nullptr, now + from);
    ASN1_GENERALIZEDTIME* next_update = ASN1_GENERALIZEDTIME_set(nullptr, now + to);
    ASN1_GENERALIZEDTIME* revoked = status == V_OCSP_CERTSTATUS_REVOKED
                                        ? ASN1_GENERALIZEDTIME_set(nullptr, now + from - 60)
                                        : nullptr;
    REQUIRE(OCSP_basic_add1_status(basic, id, status, OCSP_REVOKED_STATUS_KEYCOMPROMISE, revoked,
                                   this_update, next_update) != nullptr);
    REQUIRE(OCSP_basic_sign(basic, signer.x509.get(), signer.key.get(), EVP_sha256(), nullptr, 0) ==
            1);
    OCSP_RESPONSE* response = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic);
    REQUIRE(response != nullptr);
    unsigned char* der = nullptr;
    const int n = i2d_OCSP_RESPONSE(response, &der);
    REQUIRE(n > 0);
    byte_vector out(der, der + n);
    OPENSSL_free(der);
    OCSP_RESPONSE_free(response);
    OCSP_BASICRESP_free(basic);
    OCSP_CERTID_free(id);
    ASN1_GENERALIZEDTIME_free(this_update);
    ASN1_GENERALIZEDTIME_free(next_update);
    ASN1_GENERALIZEDTIME_free(revoked);
    return out;
}

/// `openssl s_server -WWW` with `name`'s certificate, stapling `status_file` if given; TLS 1.2
/// and TLS 1.3 both allowed, the client chooses.
struct stapling_server {
    test::server_process process;
    stapling_server(const std::string& name, const std::optional<std::string>& status_file,
                    int port = test::free_port())
        : process(args(name, status_file, port), port, staple_dir(),
                  staple_dir() + "/s_server." + name + "." + std::to_string(port) + ".log") {}
    static std::vector<std::string> args(const std::string& name,
                                         const std::optional<std::string>& status_file, int port) {
        std::vector<std::string> a = {"openssl",
                                      "s_server",
                                      "-accept",
                                      "127.0.0.1:" + std::to_string(port),
                                      "-WWW",
                                      "-cert",
                                      staple_dir() + "/" + name + ".pem",
                                      "-key",
                                      staple_dir() + "/" + name + ".key"};
        if (status_file) {
            a.insert(a.end(), {"-status_file", *status_file});
        }
        return a;
    }
};

} // namespace

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
