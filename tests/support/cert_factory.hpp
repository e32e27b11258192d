// Test-only certificates made on the spot with OpenSSL's libcrypto (the oracle library the tests
// already link): a fresh key, a subject, X.509v3 extensions written as in openssl.cnf, signed by an
// issuer or by the certificate's own key. For rules that no committed fixture breaks, so that a
// test shows the certificate it needs next to the check it makes (the committed chains are made by
// tests/fixtures/x509/make_chains.sh).
#pragma once

#include <https/core/bytes.hpp>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace test {

enum class cert_key { p256, rsa2048, ed25519 };

/// What to put in a certificate. Key identifiers are added unless `extensions` names them.
struct cert_spec {
    std::string common_name;
    cert_key key = cert_key::p256;
    /// Extensions by their openssl.cnf names, e.g. {"keyUsage", "critical, keyEncipherment"}.
    std::vector<std::pair<std::string, std::string>> extensions;
};

/// A certificate (DER) with its key, usable as the issuer of further certificates.
struct made_cert {
    https::byte_vector der;
    std::shared_ptr<EVP_PKEY> key;
    std::shared_ptr<X509> x509;
};

/// A fresh key of `kind`.
inline std::shared_ptr<EVP_PKEY> make_key(cert_key kind) {
    EVP_PKEY* key = nullptr;
    switch (kind) {
    case cert_key::p256:
        key = EVP_EC_gen("P-256");
        break;
    case cert_key::rsa2048:
        key = EVP_RSA_gen(2048);
        break;
    case cert_key::ed25519:
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
        break;
    }
    return {key, EVP_PKEY_free};
}

/// Make a version 3 certificate valid from an hour ago for 30 days, signed with SHA-256 by
/// `issuer`, or by its own key when `issuer` is null (Ed25519 signers sign without a digest,
/// RFC 8410 §6). Throws if OpenSSL refuses any part.
inline made_cert make_cert(const cert_spec& spec, const made_cert* issuer = nullptr) {
    auto check = [](bool ok, const char* what) {
        if (!ok) {
            throw std::runtime_error(std::string("make_cert: ") + what);
        }
    };
    made_cert out;
    out.key = make_key(spec.key);
    check(out.key != nullptr, "key generation");
    out.x509.reset(X509_new(), X509_free);
    X509* x = out.x509.get();
    static long serial = 1;
    check(X509_set_version(x, 2) == 1, "version");
    check(ASN1_INTEGER_set(X509_get_serialNumber(x), ++serial) == 1, "serial");
    check(X509_gmtime_adj(X509_getm_notBefore(x), -3600) != nullptr, "notBefore");
    check(X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400) != nullptr, "notAfter");
    check(X509_set_pubkey(x, out.key.get()) == 1, "public key");
    X509_NAME* subject = X509_get_subject_name(x);
    check(X509_NAME_add_entry_by_txt(
              subject, "CN", MBSTRING_ASC,
              reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1, -1, 0) == 1,
          "subject");
    X509* signer = issuer != nullptr ? issuer->x509.get() : x;
    EVP_PKEY* signing_key = issuer != nullptr ? issuer->key.get() : out.key.get();
    check(X509_set_issuer_name(x, X509_get_subject_name(signer)) == 1, "issuer");
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, signer, x, nullptr, nullptr, 0);
    // Key identifiers as the web PKI profile wants them, unless the spec says otherwise:
    // subjectKeyIdentifier always, authorityKeyIdentifier when another certificate issues.
    auto extensions = spec.extensions;
    auto named = [&](const char* n) {
        return std::any_of(extensions.begin(), extensions.end(),
                           [&](const auto& e) { return e.first == n; });
    };
    if (!named("subjectKeyIdentifier")) {
        extensions.insert(extensions.begin(), {"subjectKeyIdentifier", "hash"});
    }
    if (issuer != nullptr && !named("authorityKeyIdentifier")) {
        extensions.emplace_back("authorityKeyIdentifier", "keyid:always");
    }
    for (const auto& [name, value] : extensions) {
        X509_EXTENSION* e = X509V3_EXT_nconf(nullptr, &ctx, name.c_str(), value.c_str());
        check(e != nullptr, name.c_str());
        const int added = X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
        check(added == 1, name.c_str());
    }
    const bool pure = EVP_PKEY_get_id(signing_key) == EVP_PKEY_ED25519;
    check(X509_sign(x, signing_key, pure ? nullptr : EVP_sha256()) > 0, "signature");
    const int n = i2d_X509(x, nullptr);
    check(n > 0, "encoding");
    out.der.resize(static_cast<std::size_t>(n));
    unsigned char* p = out.der.data();
    check(i2d_X509(x, &p) == n, "encoding");
    return out;
}

} // namespace test
