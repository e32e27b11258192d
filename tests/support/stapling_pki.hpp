// OCSP stapling test PKI: a root, localhost leaves with and without must-staple (RFC 7633),
// OCSP responses made with libcrypto for any status and validity window, written as files for
// `openssl s_server -status_file`, and that server. Shared by the TLS and facade interop tests.
#pragma once

#include "support/cert_factory.hpp"
#include "support/tls_loopback.hpp"

#include <catch2/catch.hpp>

#include <openssl/ocsp.h>
#include <openssl/pem.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <unistd.h>

namespace test::stapling {

using https::byte_vector;

/// A directory of its own for the stapling PKI, beside the shared test PKI: one per process, so
/// that test executables run side by side do not collide, removed when the process ends.
inline const std::string& staple_dir() {
    struct directory {
        std::string path = test::test_pki_dir() + "/stapling." + std::to_string(::getpid());
        directory() { std::filesystem::create_directories(path); }
        ~directory() {
            std::error_code ignored;
            std::filesystem::remove_all(path, ignored);
        }
    };
    static const directory dir;
    return dir.path;
}

inline void write_file(const std::string& path, const byte_vector& data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data.data()),
              static_cast<std::streamsize>(data.size()));
    REQUIRE(out.good());
}

/// `cert` and its key as PEM files `<name>.pem` and `<name>.key`.
inline void write_pem(const test::made_cert& cert, const std::string& name) {
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

inline test::made_cert make_root(const std::string& name) {
    return test::make_cert({name,
                            test::cert_key::p256,
                            {{"basicConstraints", "critical, CA:TRUE"},
                             {"keyUsage", "critical, keyCertSign, cRLSign"}}});
}

/// A web PKI server certificate for localhost (CN = first SAN, serverAuth), optionally with the
/// TLS feature status_request (must-staple).
inline test::made_cert make_server(const test::made_cert& root, bool must_staple) {
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
inline byte_vector ocsp_response(const test::made_cert& leaf, const test::made_cert& issuer,
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

} // namespace test::stapling
