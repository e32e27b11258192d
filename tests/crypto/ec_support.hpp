// Shared helpers for the P-256/P-384 tests: OpenSSL (libcrypto) as the oracle, scalar and DER
// helpers for vector files.
#pragma once

#include <https/crypto/ec_public_key.hpp>

#include "support/vectors.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace ectest {

using test::bytes;

template <class Curve> const char* openssl_name() {
    return Curve::field_size == 32 ? "P-256" : "P-384";
}

struct pkey_deleter {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_deleter>;
struct ctx_deleter {
    void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
using ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, ctx_deleter>;

inline void ossl_check(bool ok, const char* what) {
    if (!ok) {
        throw std::runtime_error(std::string("OpenSSL call failed: ") + what);
    }
}

/// A fresh OpenSSL EC key pair on the named curve.
inline pkey_ptr openssl_keygen(const char* curve) {
    EVP_PKEY* p = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve);
    ossl_check(p != nullptr, "EVP_PKEY_Q_keygen");
    return pkey_ptr(p);
}

/// The uncompressed public point of an OpenSSL key.
inline bytes openssl_public_point(EVP_PKEY* key) {
    std::uint8_t buf[200];
    std::size_t len = 0;
    ossl_check(
        EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, buf, sizeof buf, &len) == 1,
        "get public key");
    return bytes(buf, buf + len);
}

/// The private scalar of an OpenSSL key, big-endian, padded to `size` bytes.
inline bytes openssl_private_scalar(EVP_PKEY* key, std::size_t size) {
    BIGNUM* bn = nullptr;
    ossl_check(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &bn) == 1, "get private key");
    bytes out(size);
    const int ok = BN_bn2binpad(bn, out.data(), static_cast<int>(size));
    BN_clear_free(bn);
    ossl_check(ok == static_cast<int>(size), "BN_bn2binpad");
    return out;
}

/// An OpenSSL public key from an encoded point (null if OpenSSL rejects the point).
inline pkey_ptr openssl_public_from_point(const char* curve, const bytes& point) {
    ctx_ptr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    ossl_check(ctx != nullptr, "EVP_PKEY_CTX_new_from_name");
    ossl_check(EVP_PKEY_fromdata_init(ctx.get()) == 1, "EVP_PKEY_fromdata_init");
    std::string name = curve;
    bytes copy = point;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, name.data(), 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, copy.data(), copy.size()),
        OSSL_PARAM_construct_end()};
    EVP_PKEY* p = nullptr;
    if (EVP_PKEY_fromdata(ctx.get(), &p, EVP_PKEY_PUBLIC_KEY, params) != 1) {
        return nullptr;
    }
    return pkey_ptr(p);
}

/// OpenSSL's ECDH shared secret (x-coordinate) of `priv` with `peer`.
inline bytes openssl_derive(EVP_PKEY* priv, EVP_PKEY* peer) {
    ctx_ptr ctx(EVP_PKEY_CTX_new(priv, nullptr));
    ossl_check(ctx != nullptr, "EVP_PKEY_CTX_new");
    ossl_check(EVP_PKEY_derive_init(ctx.get()) == 1, "EVP_PKEY_derive_init");
    ossl_check(EVP_PKEY_derive_set_peer(ctx.get(), peer) == 1, "EVP_PKEY_derive_set_peer");
    std::size_t len = 0;
    ossl_check(EVP_PKEY_derive(ctx.get(), nullptr, &len) == 1, "EVP_PKEY_derive (size)");
    bytes out(len);
    ossl_check(EVP_PKEY_derive(ctx.get(), out.data(), &len) == 1, "EVP_PKEY_derive");
    out.resize(len);
    return out;
}

/// A DER ECDSA signature by OpenSSL over `msg` with hash `md`.
inline bytes openssl_sign(EVP_PKEY* key, const EVP_MD* md, const bytes& msg) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ossl_check(ctx != nullptr, "EVP_MD_CTX_new");
    std::size_t len = 0;
    bool ok = EVP_DigestSignInit(ctx, nullptr, md, nullptr, key) == 1 &&
              EVP_DigestSign(ctx, nullptr, &len, msg.data(), msg.size()) == 1;
    bytes sig(len);
    ok = ok && EVP_DigestSign(ctx, sig.data(), &len, msg.data(), msg.size()) == 1;
    EVP_MD_CTX_free(ctx);
    ossl_check(ok, "EVP_DigestSign");
    sig.resize(len);
    return sig;
}

/// A digest computed by OpenSSL (the oracle hash for vector files).
inline bytes openssl_digest(const EVP_MD* md, const bytes& msg) {
    std::uint8_t out[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    ossl_check(EVP_Digest(msg.data(), msg.size(), out, &len, md, nullptr) == 1, "EVP_Digest");
    return bytes(out, out + len);
}

/// The OpenSSL digest for a hash named as in NIST and Wycheproof files ("SHA-256").
inline const EVP_MD* md_by_name(const std::string& name) {
    if (name == "SHA-1") {
        return EVP_sha1();
    }
    if (name == "SHA-224") {
        return EVP_sha224();
    }
    if (name == "SHA-256") {
        return EVP_sha256();
    }
    if (name == "SHA-384") {
        return EVP_sha384();
    }
    if (name == "SHA-512") {
        return EVP_sha512();
    }
    throw std::runtime_error("unknown hash " + name);
}

/// A big-endian integer (any number of leading zeros, possibly odd-length hex) padded or
/// stripped to exactly `size` bytes; throws if the value does not fit.
inline bytes fixed_width(std::string hex, std::size_t size) {
    if (hex.size() % 2 != 0) {
        hex.insert(hex.begin(), '0');
    }
    bytes v = test::hex(hex);
    std::size_t lead = 0;
    while (lead < v.size() && v[lead] == 0) {
        ++lead;
    }
    v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(lead));
    if (v.size() > size) {
        throw std::runtime_error("integer too large for its field: " + hex);
    }
    bytes out(size - v.size(), 0);
    out.insert(out.end(), v.begin(), v.end());
    return out;
}

/// Whether a big-endian integer (hex) fits in `size` bytes.
inline bool fits(std::string hex, std::size_t size) {
    try {
        (void)fixed_width(std::move(hex), size);
        return true;
    } catch (const std::runtime_error&) {
        return false;
    }
}

/// A minimal DER INTEGER for a non-negative big-endian magnitude.
inline bytes der_integer(bytes mag) {
    std::size_t lead = 0;
    while (lead + 1 < mag.size() && mag[lead] == 0) {
        ++lead;
    }
    mag.erase(mag.begin(), mag.begin() + static_cast<std::ptrdiff_t>(lead));
    if (mag.empty()) {
        mag.push_back(0);
    }
    if ((mag[0] & 0x80) != 0) {
        mag.insert(mag.begin(), 0);
    }
    bytes out{0x02, static_cast<std::uint8_t>(mag.size())};
    out.insert(out.end(), mag.begin(), mag.end());
    return out;
}

/// DER Ecdsa-Sig-Value from r and s magnitudes (short lengths only: enough for P-384).
inline bytes der_signature(const bytes& r, const bytes& s) {
    bytes body = der_integer(r);
    bytes si = der_integer(s);
    body.insert(body.end(), si.begin(), si.end());
    bytes out{0x30};
    if (body.size() >= 0x80) {
        out.push_back(0x81);
    }
    out.push_back(static_cast<std::uint8_t>(body.size()));
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

/// Random bytes from OpenSSL's generator (test inputs).
inline bytes random_bytes(std::size_t n) {
    bytes out(n);
    ossl_check(RAND_bytes(out.data(), static_cast<int>(n)) == 1, "RAND_bytes");
    return out;
}

} // namespace ectest
