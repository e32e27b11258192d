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
MIIDkzCCAnugAwIBAgIQe9yloAejZ82tOZ6gnKi1rDANBgkqhkiG9w0BAQsFADBA
MQswCQYDVQQGEwJYWDERMA8GA1UECgwIVGVzdCBQS0kxHjAcBgNVBAMMFVRlc3Qg
UlNBIEludGVybWVkaWF0ZTAeFw0yNTAxMDEwMDAwMDBaFw0yNjAxMDEwMDAwMDBa
MB8xHTAbBgNVBAMMFGdvb2RfcnNhLmV4YW1wbGUuY29tMIIBIjANBgkqhkiG9w0B
AQEFAAOCAQ8AMIIBCgKCAQEA0lLXuHuC+1+4msAUBx4xlwSFEiKjeeelcaPVerP/
AKJ5ePGT8dtgWcKR4SPkPQXW/OCCSW70LWfheixaBXX/ynG64lq151oraKNsYyVP
mBEuc8k8CB1ElCVyEF8B87OyGbQydBu+i35zxgMtL4Pla2eMWT8zYOz9jMVH90VF
9xtv/exCoOPf6rAdnbX99JQlqOk8LDg0OlWjETk7se7UARdKGl08Je0Gl83AHNsB
drn7mi0rlYviARCme+quvNCynM9Z8ON1FixnRJ7SWDhmBW7EltfuCCKqtEGHltKA
7ZAewXWMvFNxX+ECw3yIfw1rxf6AOWQhIddshfoLWrcGDQIDAQABo4GpMIGmMAwG
A1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgWgMBMGA1UdJQQMMAoGCCsGAQUFBwMB
MB0GA1UdDgQWBBRXIVupTxwgfyKWeEMh3QhGC1eiFjAfBgNVHSMEGDAWgBQNg4JL
PbG6ttK3NbdeUtb00iWtSzAxBgNVHREEKjAoghBnb29kLmV4YW1wbGUuY29tghR3
d3cuZ29vZC5leGFtcGxlLmNvbTANBgkqhkiG9w0BAQsFAAOCAQEAF+/ve/xS8Uzr
5zJAWgeFhe6GZ2xVR458u1AyA4FeDoW+QjG7pGBJMJYNUenrZT0uLTJcHsNIykq4
8uEZB8acnD6BXa2C8Xyk7QghPT2PJV7e5rKZR9Igi24NZ2klAIcJv4/d/uAAf1K+
/paSNKAcF7VsVIAZweVs6Wpd2JW0DVD53l6ZUmmkT6A/NjgVRINQZzrFWdcahwxb
pmkR74B6GO8kffcikmq8ECg4qzZXy4KlJkxVnbx33wvULw9NbWAjZg9nTEJAT7zy
kGZYpcNvT1HiMhHRfVEM+S8Ue4nuPlK9nxRA3r1V+Y8jiiD1gP659zjhW0SbSbvN
/ba3fMdJdA==
-----END CERTIFICATE-----
)";
constexpr const char* intermediate_pem = R"(-----BEGIN CERTIFICATE-----
MIIDZTCCAk2gAwIBAgIQfoxPAVx4IOcjpe/ckQ3WvjANBgkqhkiG9w0BAQsFADA4
MQswCQYDVQQGEwJYWDERMA8GA1UECgwIVGVzdCBQS0kxFjAUBgNVBAMMDVRlc3Qg
UlNBIFJvb3QwHhcNMjQwMTAxMDAwMDAwWhcNMzQwMTAxMDAwMDAwWjBAMQswCQYD
VQQGEwJYWDERMA8GA1UECgwIVGVzdCBQS0kxHjAcBgNVBAMMFVRlc3QgUlNBIElu
dGVybWVkaWF0ZTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAMefrs69
myIicWzF/SG8QMs1DsViXXTBATmNVVwXfRP7dKYVXgg7IrAMyOdWCsryBaGLKjT3
x3BGmzU1jXhlCEP3Na3X2Dv5woA+XVvVGbTmgIWiHzBMh5aRcCkc4byhLqKD1RED
5jlZcLC3dxvaHXhbubVuaN8yq8pi5lZGCRMAcT9uj9u/JRPwBN8fE4Z2Bjv1MpCv
tC3K2M5s6rQ4CzNhQ3X9kDOcpirBmG5wt6FweFoAAl7i1Mb9KFztRymWcGxqcPq9
VWBocw+/yeV7tK3Hf4VwcLD9h4q5ssNvWAwjDRbU5DL+Ku3sX2BaXoGokCp/LDq/
YPhgVmadQbux0ZUCAwEAAaNjMGEwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8E
BAMCAQYwHQYDVR0OBBYEFA2Dgks9sbq20rc1t15S1vTSJa1LMB8GA1UdIwQYMBaA
FGON2PRWyhOdR+oRK2Pakl5r2BV5MA0GCSqGSIb3DQEBCwUAA4IBAQBiA058ucvX
PTgantT8egi1gzx6jGPY+Xq77upnqunYr10eElxK8gL5LdfxrCpkWODnFPn6cj01
rYg46qey0fIDoJRzBT4YY9mCa7+E21V3a21AttMQtgbRASUjcQSXYUHfqHZjuBlu
dWxYNixO4k+clwKI+xNsOIxYFpfHTb0pQP37RoUNvqRkW6gK+J+2andY9nh2FKk2
Zh7mbHZvlZQyY4MCSAgfCK2R+7K4supHu1wpsl3JyLPWaUmfVZQ+dS9jcp9rCMGq
q2ddEwCbbIcVWyY9RywgVG0S0CJTjsGtjr09MYcxKIFJcYGFIeThZ065eGIcn5mV
SPD0xpxMFsLl
-----END CERTIFICATE-----
)";
constexpr const char* root_pem = R"(-----BEGIN CERTIFICATE-----
MIIDPDCCAiSgAwIBAgIQf2gSHipDfgPDWFqoVnkZbTANBgkqhkiG9w0BAQsFADA4
MQswCQYDVQQGEwJYWDERMA8GA1UECgwIVGVzdCBQS0kxFjAUBgNVBAMMDVRlc3Qg
UlNBIFJvb3QwHhcNMjQwMTAxMDAwMDAwWhcNMzQwMTAxMDAwMDAwWjA4MQswCQYD
VQQGEwJYWDERMA8GA1UECgwIVGVzdCBQS0kxFjAUBgNVBAMMDVRlc3QgUlNBIFJv
b3QwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQCMP3dMacctCuKlDuqu
c+5gwWa+CGiYQYu7aZbZDcEaLwH1roMPAqCu8s1Ir+FcWI4KofC5XaISCtwJtVAY
RFnGjSxnATxlveprBrYyKudcV/h67WT5MvF2jucGRAqsNWAglMKo/I+QC7zsOSJo
oCNiYZ1oHfvwL6WE/2JXbzEHbFAOr+WOIU8f1mgPRzjNweXCrTeTg7p9xFIbyBHS
BaQldSx7KcSQ3vS3nNSMkr2VKCY2CJufz/Is7fCYhvJiAWLgLvQscOmCG+9Qfjco
uSSfk5gafwLNJlbnEFwZEZcazVrcrk+Uez2dwKPTF4KORysxJH5XReXhYq+7kYHN
sOsXAgMBAAGjQjBAMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEGMB0G
A1UdDgQWBBRjjdj0VsoTnUfqEStj2pJea9gVeTANBgkqhkiG9w0BAQsFAAOCAQEA
MUiUQ2T8VDLyAoZRNJQpUGAHFEm8UOO6CCDOVNh4VqG16MotgTTDKM1tVqw1Ql9p
Oz8r/9FU6WAFKzBElJNe+q6pZzGt01DX922sTwLEz4I8oI+YqSQjhD3lYs9COmjY
gJUGc/cHGeVDvkSX6nmGq/AZaa2k48zXYg6ioRoOb0c8dhuVNPYRrmlB2iKBFsgd
8AnEW90l9PiNHfgg+mEExN9STPdW6vM9RsfMAShenWx4kDzQBIf2h6BXY+1BwOCT
8PrIawK+wDvxdUgd8DYFEFwcFEZvodOClioyPEtrh1nestvPEe6mvOm47V7ZMnsB
Qqu3JKNwyFgRlrG5uiPNFQ==
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
