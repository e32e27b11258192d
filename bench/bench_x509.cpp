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
MIIDkzCCAnugAwIBAgIQcUiGiwWix3OPFyrezkjPXjANBgkqhkiG9w0BAQsFADBA
MQswCQYDVQQGEwJYWDERMA8GA1UECgwIVGVzdCBQS0kxHjAcBgNVBAMMFVRlc3Qg
UlNBIEludGVybWVkaWF0ZTAeFw0yNTAxMDEwMDAwMDBaFw0yNjAxMDEwMDAwMDBa
MB8xHTAbBgNVBAMMFGdvb2RfcnNhLmV4YW1wbGUuY29tMIIBIjANBgkqhkiG9w0B
AQEFAAOCAQ8AMIIBCgKCAQEA8d/E5Yag4Lo28iahGXDasv/5zGOHU4z6xt8I1iax
LD2q/VSxtY4V9l0MWlqzV+GBW0TWKX/cgw0m64FN3Hj3ftJjhA6xMw4Tck6xoX+k
pY1pavCqwxoQlJ1zQ0IpkPXU6AIak8eJSIhzrDcQjIWSvZFLBJNc5XINrSxgAL+z
IwAuRzu3JzVfYTqWY03w4rXCTHm+BoOuLd3cSzw9S/X8S/DKmQvpZSbLoiyGjY39
KdQVMPETwYURkQu3myZuiHPC0YlsTfjNEPjif55wGW7/UCW5b5vx0RutQVpoINjx
ZedbbNGMQYKGLmKVNeQfTSgOYN1eG5Subdc222mAo5aYbwIDAQABo4GpMIGmMAwG
A1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgWgMBMGA1UdJQQMMAoGCCsGAQUFBwMB
MB0GA1UdDgQWBBRskXTdnFO1lThI0rfU4KIHGL19wjAfBgNVHSMEGDAWgBQl4ro/
YLCEb98FAtsYOloa65FpJzAxBgNVHREEKjAoghBnb29kLmV4YW1wbGUuY29tghR3
d3cuZ29vZC5leGFtcGxlLmNvbTANBgkqhkiG9w0BAQsFAAOCAQEApjT4Eu0rX+F9
e7MLjy545wL7i8ynNHtDIVjUZlkwx+NXDXUCbDBKvZ372MN83pPB6GCA/CngxIBd
xrcXTcST01JLBKxpAqvUSmEJXD3X+oYtVUkdjyQPuILqS1BW/j0jL/3ovc57J0VD
6e8m81PM1sX59EzKoVY9EzJBWJPEdt+cxBejHYIW14EnzIyagAswS9gvj46SIUQj
1qLosqNJ4C4CGryS/hYkVlFWZ5TCJFUqZhkTDtH+hlyCxbacvpdX+0lzzFdQimBp
sV2ZV+rzhBjIySuER/f9jS8HwR0g9WNLTsdgqya8maJnbASbkwk0EdADVN4ntmOM
OfRj+9mzhw==
-----END CERTIFICATE-----
)";
constexpr const char* intermediate_pem = R"(-----BEGIN CERTIFICATE-----
MIIDZTCCAk2gAwIBAgIQfi1Yg70Lewg12DsywOHOUzANBgkqhkiG9w0BAQsFADA4
MQswCQYDVQQGEwJYWDERMA8GA1UECgwIVGVzdCBQS0kxFjAUBgNVBAMMDVRlc3Qg
UlNBIFJvb3QwHhcNMjQwMTAxMDAwMDAwWhcNMzQwMTAxMDAwMDAwWjBAMQswCQYD
VQQGEwJYWDERMA8GA1UECgwIVGVzdCBQS0kxHjAcBgNVBAMMFVRlc3QgUlNBIElu
dGVybWVkaWF0ZTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAM6zz4Re
B7fsme/8+X7iWMcPw4uDBeUdQ9OTg+qPpMjl0JIxFkCdUCOg/Hkmh/IOdNebsrK/
WJOyaN5WvME2JtGlZtvqTx0SICYTIyE+6NcfoMvYYyxoGOBeFro3H2MYC20Ev4Av
c9y96wSrcRTpXHqBXs6nqMF9hdVJqc0Agoxc1NwUp3HYHooFe7rc+Qh4Oat8LcKd
bMpeGg8FSbQm75BROKhMu5KNw/VMA1BThDG62xGTaxr5Y13K/3KPG6caIbfkEiuX
+O0mJCCP9BadeKw6/2MHX3ySJY22jofdwJ9fDc5GaEB9j6ClkKf0GxigJPSPJ8Ue
71ZKBLSx86z/dBUCAwEAAaNjMGEwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8E
BAMCAQYwHQYDVR0OBBYEFCXiuj9gsIRv3wUC2xg6WhrrkWknMB8GA1UdIwQYMBaA
FDdn87jXcy33JfNDl46dkvyguSVkMA0GCSqGSIb3DQEBCwUAA4IBAQA4IWWKM3YN
gB0m6GuOqC4tgG+eB0clGMovhhPM71EGfayoyqLUQNjeMiamy85HaryQovy6yR48
+6wHHEGVHlIpWyqNE0KdIMyiOGz/UxUfNUAWTAJUMSQclyk0a41IpEVT104xpIws
guK6addzrt6qN3hV/j73XDyto0jgOvvVHO3/+EIljVW78IwA4y78cS1W3R43kbjA
pD02HTX+qoIDODEv/2DnLPDsmJnRZWoqgqA++OSB5lsnQGg5ceOM114hB+zpNH+R
yJO7WsjJTtTpKXw99DfiKUbLYWcEkGyvTppX/MR/I+78P7VAG75vHEFOg/hE78+h
MXfbiI2mHQI6
-----END CERTIFICATE-----
)";
constexpr const char* root_pem = R"(-----BEGIN CERTIFICATE-----
MIIDPDCCAiSgAwIBAgIQW2dJ+xDpIrMVMfOGGMCOLjANBgkqhkiG9w0BAQsFADA4
MQswCQYDVQQGEwJYWDERMA8GA1UECgwIVGVzdCBQS0kxFjAUBgNVBAMMDVRlc3Qg
UlNBIFJvb3QwHhcNMjQwMTAxMDAwMDAwWhcNMzQwMTAxMDAwMDAwWjA4MQswCQYD
VQQGEwJYWDERMA8GA1UECgwIVGVzdCBQS0kxFjAUBgNVBAMMDVRlc3QgUlNBIFJv
b3QwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQD09zYO4vEB0poSSBj5
UIUsMBmvwiMWDTSy/4MtWwgd2iIrZYSJPEYfKAje4Px+UY7Vh0lLbGbl2GEa9ktF
xDYVMTnF7cYS5x44WtgCITHm7CqIlNxbV1zE0K2JhmYZ43svn3HrJkIZwefyYEEt
9Jgt0fMBCuEklaleNHyoD0eUV6ZyMgKnYSBcGlLG/kMvpzdtxqEHtRhniy8rlCr6
8BxEjUGQs/ZvMBsEqDJfhAchGVT6C3FKZjgT22hqfHHUwKjz7oXUUb+CAWaHwiwm
IOoi7OcmXVKgGIktSl2DzDotTeW0S7qNodBDbd1DC1yHcr+e7kHRdytYlUwwveU3
0ca5AgMBAAGjQjBAMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEGMB0G
A1UdDgQWBBQ3Z/O413Mt9yXzQ5eOnZL8oLklZDANBgkqhkiG9w0BAQsFAAOCAQEA
23W0YB9lJ7KRnRkuTSfjwn4xjk8pY5sTIXRsY/jOcpbDwDPXoXFBr2rwYs9NwGYJ
+pj8WaoXenKw0bULyj2yaFMZaY2597y14hXV508yGcIAK1R/16RM3s6yvKzedycQ
5md9VdXKBOGoBkd6ABIGb4+Bh270KQDgENzHG5iw3E+zwWh+zkxfG9f9oOk3yuGM
AVGXzmIA13AnIJvsXDgBAZHRRISHIIGjDbfoKvG0Fd5hNnCQbIodIfqjOD38cR3+
Zo1qUOst97inJ1F30z+fU8qEVlyrapEj5X1pCHBGQ0asDRsV4pRtdL0U+pXqnOhh
7RG24Fi6puHwWaJjhZFefw==
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
