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
MIIDkzCCAnugAwIBAgIQbRTCDK96IQelqH1oxGFUjTANBgkqhkiG9w0BAQsFADBA
MQswCQYDVQQGEwJYWDERMA8GA1UECgwIVGVzdCBQS0kxHjAcBgNVBAMMFVRlc3Qg
UlNBIEludGVybWVkaWF0ZTAeFw0yNTAxMDEwMDAwMDBaFw0yNjAxMDEwMDAwMDBa
MB8xHTAbBgNVBAMMFGdvb2RfcnNhLmV4YW1wbGUuY29tMIIBIjANBgkqhkiG9w0B
AQEFAAOCAQ8AMIIBCgKCAQEAxUzqAJA3ZYmZe23bTTnhCYA8B/2FhQxAUitgWTBf
1GKszpVp94dpfFulWy+dKX6ClVU+BrX5kZtj0mZpUMGPAIOT9dlxz8rEmWdBSh0n
o6flUylKS0IfnG/B4QtpxZe19/UjXCRRXjxFBcqZ57aP9fjdl49r7dxE7FZ/YuVi
VJKLcxJfNAT1AC4mPrA/MWI5Bt6mr/zdJ7KayDwLomWzMNZmjyKk8TfKTH85ze1N
I5CtJbrIvlEUvlwBOX9QANdQmRvICP2FqK4aNqDEe+FP+x2gaNRwlpq+SC9EGMEc
CTqhGkp3XEinnsUlaeyijbPuuohY2F5xo0Od+i0RRI7NfQIDAQABo4GpMIGmMAwG
A1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgWgMBMGA1UdJQQMMAoGCCsGAQUFBwMB
MB0GA1UdDgQWBBSzit8dDYJkabR6wSxTzX2mpdpA8jAfBgNVHSMEGDAWgBRoCi+k
WznxaaQAkI0fcPCRx+rN4zAxBgNVHREEKjAoghBnb29kLmV4YW1wbGUuY29tghR3
d3cuZ29vZC5leGFtcGxlLmNvbTANBgkqhkiG9w0BAQsFAAOCAQEAm+E4jcdPhQDn
h7vMmjVWXHe/onUeS9eHo1nkpkArlfw2tPfqbHN/ZU/wCD/yyWTgcCEm2ecl/L3c
zLC+nYNpNnxvstg09s5MTve1HdOeKJBOOTwO7Mj5JqbgfqSYiOCnWq6K3joDi5vr
bQ8YCxEML7vGWosva4TF8ihTz9VfDYoCcQsrl/Z3o2B8hXwVKoCzY6eQaQ/Gh/cm
hk7oP8y+QnAY73yS+h+cUTGuCCOtyUM15p3eAsVyoum/fLVXR9Eo9oae0Zt3spK6
dOmIfzefejP91Tqh4grqGgOYx2SLHls4R7ubblNHid1JxSH0JpgHeH2C8+w+wCwk
viHpJ5oQOg==
-----END CERTIFICATE-----
)";
constexpr const char* intermediate_pem = R"(-----BEGIN CERTIFICATE-----
MIIDZTCCAk2gAwIBAgIQUQunT073THUFm934P7TxeDANBgkqhkiG9w0BAQsFADA4
MQswCQYDVQQGEwJYWDERMA8GA1UECgwIVGVzdCBQS0kxFjAUBgNVBAMMDVRlc3Qg
UlNBIFJvb3QwHhcNMjQwMTAxMDAwMDAwWhcNMzQwMTAxMDAwMDAwWjBAMQswCQYD
VQQGEwJYWDERMA8GA1UECgwIVGVzdCBQS0kxHjAcBgNVBAMMFVRlc3QgUlNBIElu
dGVybWVkaWF0ZTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAK6yBxiC
TBJ81xc5AvNGJrCy+jyfsCyY/wRny9O8cBlEdXaBcAqmAb8GnMksznzxdOF6n+Gp
B6tPn3Yv2NaPvcTosu2qPK3pdVoQzwZqqB+Byg0xyGnlxl+5UXlMi/4jhebwMGur
KEtoWYO53yKe6CZNEV0GDwjgfLxV1l+6xi6UOiXAFfIQmvtj7a3yZbRY+PUr/rUj
S6IM/53A4Kgy1VBnRh6JrPDQ2FIdtN5LxH7v0sV2AYfiz/Semh4i8y+Ti9QzZGsh
aQcQ7IO07fE3EOHW0W363ixucHzhyUv98KfQRJOleNYTAMOhWPIUDDd6oR7KW1b7
lRnslWsW0WwRJk0CAwEAAaNjMGEwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8E
BAMCAQYwHQYDVR0OBBYEFGgKL6RbOfFppACQjR9w8JHH6s3jMB8GA1UdIwQYMBaA
FAtlRurYdJ8ooiGkhXi8Au2/IR37MA0GCSqGSIb3DQEBCwUAA4IBAQBrSpgeAuxc
TrWepQSaOZj4i2Ak1fdvdy3xkmTPWBoH39odogkJbXqrEzYXTYTOqHTj4vzFvf5t
fBoQ+czX4SEOw3qDY3ZAmAbqQjJFCgW9PfgazXzELHqkEFw85RAdtJxGcdgnf3sB
3A47HEaEFCraXys9zK9ylWgav5RraaanBuT+S2SniAUdBzOGtdyAO6uOGxgMl3Gi
weYu0VRM8F7B/A/5aG9uVFCRrOxIH6ox1dRru0cPriE85xNDSSHrzzw6z0Oj11UO
IqeuHa15Tsso/p9ld0qDxDYH44pFt+et11THuaEga9/pkhWYrkNv21OJKFB3vxDc
EF/l7dcrXQaP
-----END CERTIFICATE-----
)";
constexpr const char* root_pem = R"(-----BEGIN CERTIFICATE-----
MIIDPDCCAiSgAwIBAgIQdW2luXS5drVmLxpyeB5y8jANBgkqhkiG9w0BAQsFADA4
MQswCQYDVQQGEwJYWDERMA8GA1UECgwIVGVzdCBQS0kxFjAUBgNVBAMMDVRlc3Qg
UlNBIFJvb3QwHhcNMjQwMTAxMDAwMDAwWhcNMzQwMTAxMDAwMDAwWjA4MQswCQYD
VQQGEwJYWDERMA8GA1UECgwIVGVzdCBQS0kxFjAUBgNVBAMMDVRlc3QgUlNBIFJv
b3QwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQCQCbyrjY2GLMQ2OrmP
aPb4LG70wU5Z3v6C1bAELRABPmcqNwmMhXpmS0SNya5ojkpkVgkbg3lwzYPMKjFi
s6Yu5/j0wKKC11837uqKV1E/laoF2ztmnO8U3pfyJdkMwcQULPVtxudqDp6Upybt
heBSp5x/1nW4v/g6Ch0wI6+OyhuhOdfRorbjE2iIcqm5EC6+KALXhobVKJlEmxTB
jHcFfqytxBv+cR0j3LI+lxIuxlqzvLXhOQcCz1rg0P1rtXhcFXxg+C+l7Rxm1mxN
WbXO70wRjimhF8e5EJIkfrtzRbASsXg0AK1WJF+++X2C0iD5OAHmznvD50uk2Rab
I6d5AgMBAAGjQjBAMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEGMB0G
A1UdDgQWBBQLZUbq2HSfKKIhpIV4vALtvyEd+zANBgkqhkiG9w0BAQsFAAOCAQEA
FhmzEO3RWDUEn3TLeCpYOJXGeTMw/rGCYKVm/zAbrIawAUuQbao3I+Ek4pJmCAH7
E0jTcViCcOzvtxcT8s2Ryudk97NXVZ0Q/kzX82etJZZPTGv4owB/tGMI1eYFwhCW
pSwRgybOFFNrNLNE2yjLjPr/O0BVz3l2F/9TrFvdA6Mwz34UbSTkw3WwN2Rwwg8Z
lC73vZui2GxvbLp9f9re1RysMDjgx2MgRatPEEoz9npINeH05cmm2RHxeAR659ed
RfnrfbxVvWXcAu7qNXbHBJcu/+ZvOSuwKdkIPjUKVbxCwnD1Eb49jeK++5AHt9qH
4ZtVsVcBPjjDViUHkVyCbw==
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
