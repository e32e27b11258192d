// X.509 figures: parsing the system CA bundle (`x509_parse_bundle`, bundles per second) and
// verifying a 3-certificate RSA chain (`x509_verify_chain`, chains per second), ours next to
// OpenSSL's PEM_read_bio_X509 loop and X509_verify_cert on the same input.
#include "bench.hpp"

#include <https/x509/certificate.hpp>
#include <https/x509/pem.hpp>
#include <https/x509/verify.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#if HTTPS_BENCH_OPENSSL
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#endif

namespace {

// The good_rsa chain of tests/fixtures/x509 (leaf <- intermediate <- root, RSA-2048, SHA-256),
// verified at 2025-06-01T00:00:00Z as the tests do.
constexpr const char* leaf_pem = R"(-----BEGIN CERTIFICATE-----
MIIDjzCCAnegAwIBAgIQdTmCLFLCTUqFDrZvGVvNRjANBgkqhkiG9w0BAQsFADBA
MQswCQYDVQQGEwJYWDERMA8GA1UECgwIVGVzdCBQS0kxHjAcBgNVBAMMFVRlc3Qg
UlNBIEludGVybWVkaWF0ZTAeFw0yNTAxMDEwMDAwMDBaFw0yNjAxMDEwMDAwMDBa
MBsxGTAXBgNVBAMMEGdvb2QuZXhhbXBsZS5jb20wggEiMA0GCSqGSIb3DQEBAQUA
A4IBDwAwggEKAoIBAQCrFb8rCD/ZjmRX2tpZ1D2O+23E4MwXAYZgH/NAJAeLYy2e
yJOAc8pB0cRqNZZtouOmQAaJ/qQBj+jDgBaOkOCdHDY2O/ofiAdgDzSNWnk3CXIG
EW8LXLyCLBgb1d9/oCmO+7uxMMYT3TVvQubL4Y6EWq8koBx1d/g+/bcECHIwI7CQ
qxionG35mRL2R65WKOUEL9f3g8DaQcyjsBUYfK+SiZOZwJHjh0ZtmV1ByTCJaWMT
zXTGV9RKGMUwUg9zM8L7TuGQBNXimCPI2RUjdAKzilnx13zEoC0RrZz3WUDFH/HU
vmxDUx8l3cqRxHAvY0RC0qfVmxJ2OyqKJ9bWbfMHAgMBAAGjgakwgaYwDAYDVR0T
AQH/BAIwADAOBgNVHQ8BAf8EBAMCBaAwEwYDVR0lBAwwCgYIKwYBBQUHAwEwHQYD
VR0OBBYEFCZfIA8l6KeRARcab8it2oRWdb/FMB8GA1UdIwQYMBaAFGmn2XF6jtep
qnFuyZwy1xVH1+PZMDEGA1UdEQQqMCiCEGdvb2QuZXhhbXBsZS5jb22CFHd3dy5n
b29kLmV4YW1wbGUuY29tMA0GCSqGSIb3DQEBCwUAA4IBAQCO/dj/sEUi9tBACC14
qhSaR5Pu8h+hoXON6l3qhhPZP38ETHPOugHS9sBql9h2B+Edr+cAAK94WeM6abgc
bs8VqA0zJFhRRYcprMEEtQQCQ22klrerlByob3x7JDbmgDMBRLXJzweVID7Q5rJR
MFPLZ8CxczIUcLB+82Vfc/pFoIueMiO3h2NAxhLMlbpyt5+agp6z1DMlVLf02kLO
TpKHWG5Ntq6Hw9oS7oq8taczxlZJ0Hbrr3x/znNbuFvaekJ6eMulJwOahYFczdck
lwAEbd/zFCV7Bz34D6h4Uo0G1rlLaM0M1wSYwm5j2aTzCkxCDm6j2cCO8YwGIS9i
RreX
-----END CERTIFICATE-----
)";
constexpr const char* intermediate_pem = R"(-----BEGIN CERTIFICATE-----
MIIDZTCCAk2gAwIBAgIQMSDizx2T1OMeKo8K3fsoxTANBgkqhkiG9w0BAQsFADA4
MQswCQYDVQQGEwJYWDERMA8GA1UECgwIVGVzdCBQS0kxFjAUBgNVBAMMDVRlc3Qg
UlNBIFJvb3QwHhcNMjQwMTAxMDAwMDAwWhcNMzQwMTAxMDAwMDAwWjBAMQswCQYD
VQQGEwJYWDERMA8GA1UECgwIVGVzdCBQS0kxHjAcBgNVBAMMFVRlc3QgUlNBIElu
dGVybWVkaWF0ZTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAJhDcVW0
glEQm7zf0egChkzRvpERM4FDlmfFyWN9Wmxcb76sNgOLkn2oNAAro9cP0JLviDJI
Yq0bRp21g/IoMKf/7Ctqf/Aurif1xxKOkfgV7ZFMIwBM9I3YA8ntXsEyj53RvP9X
lasvHoZm6bfanLtj1TjQQklJ0HJpCtjYpFMUCh4HcGEgUXBVEG7kfhqwbkbOEW/P
pJmE4r73DLUbIVOx+KCSbbGAIjhr/D77ILCV9yfogMtXuU+evWuNj4NAiQAUDjd8
xEdA/47fVGcmzy7ks6UKE6MPJTF0fHpEwzzGRgtj8Ff3tubdHqaBcY17gQxMZDzd
ariGA7OFq+5lefsCAwEAAaNjMGEwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8E
BAMCAQYwHQYDVR0OBBYEFGmn2XF6jtepqnFuyZwy1xVH1+PZMB8GA1UdIwQYMBaA
FG9PbNjI2WeVTwukzXSTEiGMaQaOMA0GCSqGSIb3DQEBCwUAA4IBAQABmHbNkCma
B7dSC7hx1V3Q5XcO6kWihzhI0p/N5h28T+rxJgLf9f96NUsApk+mKkWqjXU9hMGA
/bVnzkN/8PRQxMVNKp3iZaJlVMcYdgTRlK2znRE8iEx9Jw9cASJdxeyycnP7r0IP
/Fn2fUqgrHCpHQccRt5y0wB6UMxVLKsohptY+gFAsHx5U6pkC4Lh9dbomj7xAfFS
F142hBfXQC7En1BefCn8sK76dHTONwDN+HWn/bYsD/g5xTMIL634WY++nEJln6lo
53LjOcsc+NZ5sqC0f3pPOkO3DVp7NAbO7YEc4iM9BaPeSNCtSjwNKUvajNtIYK71
4xd0HCUUjT8O
-----END CERTIFICATE-----
)";
constexpr const char* root_pem = R"(-----BEGIN CERTIFICATE-----
MIIDPDCCAiSgAwIBAgIQf/0y74qDZIrrjg1m0VL0lDANBgkqhkiG9w0BAQsFADA4
MQswCQYDVQQGEwJYWDERMA8GA1UECgwIVGVzdCBQS0kxFjAUBgNVBAMMDVRlc3Qg
UlNBIFJvb3QwHhcNMjQwMTAxMDAwMDAwWhcNMzQwMTAxMDAwMDAwWjA4MQswCQYD
VQQGEwJYWDERMA8GA1UECgwIVGVzdCBQS0kxFjAUBgNVBAMMDVRlc3QgUlNBIFJv
b3QwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQCsGFRkstmZ18r/zuUB
qjn5Ssq2EH0h05P8D46/6zNM9V4EBnpi4zbdz5ojdM0bgM5eA+Qdo0NwxeAHppHm
86UoIWKigy9nNUUKS9ykvKsr88Wn8Ffc6CvnNG7b78jzqyDg+oBvWfBIbtBQnj1T
W3n6YKQ3I17j0pLpZdldxfUNLnu75vqrBHdJqC4FLE42ceiXbukCk1yl4Uhz4NSb
oLnUrL6GAr0SSY2c+JW1P1eU3Gsi1UpBq1zXI2WVZqGKx+Cb37zdA2qzzAwJ4xJ1
sCu8i0axhiT+F6bumFJZSQaxszNmNmqzzLJLyjWDADW99jDCHZmgmxJNc0WcG8A4
Paq5AgMBAAGjQjBAMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEGMB0G
A1UdDgQWBBRvT2zYyNlnlU8LpM10kxIhjGkGjjANBgkqhkiG9w0BAQsFAAOCAQEA
jPiM7uwFIGUbIseqMPVI4BBfaL76C46JsnMwNTSLRDirr8/8n/+vTCgLFmAP0daK
Ll8i6tiY0kAaEsQeJ4NYlgl3O1NtaMAsX743ytBx2OQgWHBuABAJVC0MwkLRn49U
QWVvmnnfmyzJXN0NyXNv13xEAnSjmGVC6OsmhEeVouHfajJkIwQvc830xKyvEx4t
7XSJcB/sUywbak7DB8bdJ8XU9J/UKePkp2o4CyI/kFwetISixmxpPQKfnDLU4kH3
Tar4aNHnu/JouYKzwg3x+GKak0vMqQ3YQ7F+jBoSNwipJP621GUKIYQtUGWalQCS
ebvM1Ih7seIuKaebxPr9Lw==
-----END CERTIFICATE-----
)";
constexpr long long verify_time = 1748736000;
constexpr const char* host = "good.example.com";

std::string system_bundle() {
    for (const char* path : {"/etc/ssl/certs/ca-certificates.crt",
                             "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"}) {
        std::ifstream in(path, std::ios::binary);
        if (in) {
            return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        }
    }
    std::fprintf(stderr, "x509_parse_bundle: no system CA bundle found\n");
    std::abort();
}

https::byte_vector one_der(const char* pem) {
    auto certs = https::x509::parse_pem_certificates(pem);
    if (!certs || certs->size() != 1) {
        std::abort();
    }
    return std::move(certs->front());
}

// Decode the PEM and fully parse every certificate (not the trust store's lazy load, so that the
// work matches PEM_read_bio_X509's).
double ours_parse_bundle(double seconds) {
    const std::string text = system_bundle();
    return bench::ops_per_second(seconds, [&] {
        auto certs = https::x509::parse_pem_certificates(text);
        if (!certs) {
            std::abort();
        }
        for (const auto& der : *certs) {
            auto c = https::x509::parse_certificate(der);
            if (!c) {
                std::abort();
            }
            bench::keep(c->not_after);
        }
    });
}

// Per chain: parse the two received certificates, build and validate the path, check the host.
double ours_verify_chain(double seconds) {
    const https::byte_vector leaf = one_der(leaf_pem);
    const https::byte_vector intermediate = one_der(intermediate_pem);
    auto store = https::x509::trust_store::from_pem(root_pem);
    if (!store) {
        std::abort();
    }
    https::x509::verify_options options;
    options.time = verify_time;
    options.dns_name = host;
    const https::bytes_view untrusted[] = {intermediate};
    if (!https::x509::verify_chain(leaf, untrusted, *store, options)) {
        std::fprintf(stderr, "x509_verify_chain: our verification fails\n");
        return 0;
    }
    return bench::ops_per_second(seconds, [&] {
        auto path = https::x509::verify_chain(leaf, untrusted, *store, options);
        if (!path) {
            std::abort();
        }
        bench::keep(path->certificates);
    });
}

#if HTTPS_BENCH_OPENSSL
double openssl_parse_bundle(double seconds) {
    const std::string text = system_bundle();
    return bench::ops_per_second(seconds, [&] {
        BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
        std::size_t n = 0;
        while (X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
            X509_free(x);
            ++n;
        }
        if (n == 0) {
            std::abort();
        }
        BIO_free(bio);
        bench::keep(n);
    });
}

X509* read_x509(const char* pem) {
    BIO* bio = BIO_new_mem_buf(pem, -1);
    X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (x == nullptr) {
        std::abort();
    }
    return x;
}

// The same work: decode both received certificates from DER, then X509_verify_cert with the
// root in an X509_STORE, purpose sslserver, the time and host name set.
double openssl_verify_chain(double seconds) {
    const https::byte_vector leaf = one_der(leaf_pem);
    const https::byte_vector intermediate = one_der(intermediate_pem);
    X509* root = read_x509(root_pem);
    X509_STORE* store = X509_STORE_new();
    X509_STORE_add_cert(store, root);
    auto verify_once = [&] {
        const unsigned char* p = leaf.data();
        X509* l = d2i_X509(nullptr, &p, static_cast<long>(leaf.size()));
        p = intermediate.data();
        X509* i = d2i_X509(nullptr, &p, static_cast<long>(intermediate.size()));
        STACK_OF(X509)* chain = sk_X509_new_null();
        sk_X509_push(chain, i);
        X509_STORE_CTX* ctx = X509_STORE_CTX_new();
        X509_STORE_CTX_init(ctx, store, l, chain);
        X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
        X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(verify_time));
        X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
        X509_VERIFY_PARAM_set1_host(param, host, 0);
        const int ok = X509_verify_cert(ctx);
        X509_STORE_CTX_free(ctx);
        sk_X509_pop_free(chain, X509_free);
        X509_free(l);
        return ok == 1;
    };
    if (!verify_once()) {
        std::abort();
    }
    const double rate = bench::ops_per_second(seconds, [&] {
        if (!verify_once()) {
            std::abort();
        }
    });
    X509_STORE_free(store);
    X509_free(root);
    return rate;
}
#endif

} // namespace

#if HTTPS_BENCH_OPENSSL
HTTPS_BENCH("x509_parse_bundle", "ops/s", ours_parse_bundle, openssl_parse_bundle);
HTTPS_BENCH("x509_verify_chain", "ops/s", ours_verify_chain, openssl_verify_chain);
#else
HTTPS_BENCH("x509_parse_bundle", "ops/s", ours_parse_bundle, {});
HTTPS_BENCH("x509_verify_chain", "ops/s", ours_verify_chain, {});
#endif
