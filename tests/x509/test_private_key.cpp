// Private-key files (x509/private_key.hpp) and PBKDF2 (crypto/pbkdf2.hpp): RFC 6070 vectors,
// libcrypto's PKCS5_PBKDF2_HMAC as the oracle, and the openssl-made fixtures of
// tests/fixtures/keys/ (make_key_fixtures.sh): every form parses, signs what libcrypto verifies
// with the certificate's key, matches its certificate and no other, and every corruption is a
// named error.
#include <https/core/hex.hpp>
#include <https/crypto/ecdsa_private_key.hpp>
#include <https/crypto/ed25519_private_key.hpp>
#include <https/crypto/pbkdf2.hpp>
#include <https/crypto/rsa_private_key.hpp>
#include <https/crypto/sha1.hpp>
#include <https/crypto/sha2.hpp>
#include <https/x509/certificate.hpp>
#include <https/x509/pem.hpp>
#include <https/x509/private_key.hpp>

#include <support/vectors.hpp>

#include <catch2/catch.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace https;

namespace {

const std::string passphrase = "correct horse";

std::string key_path(const std::string& name) {
    return std::string(HTTPS_SOURCE_DIR) + "/tests/fixtures/keys/" + name;
}
std::string key_text(const std::string& name) { return test::read_file(key_path(name)); }
byte_vector key_bytes(const std::string& name) {
    const std::string s = key_text(name);
    return {s.begin(), s.end()};
}
/// The DER of the one PEM block of a fixture (any label).
byte_vector pem_der(const std::string& name) {
    auto blocks = x509::parse_pem(key_text(name));
    REQUIRE(blocks.ok());
    REQUIRE(blocks->size() == 1);
    return (*blocks)[0].der;
}
byte_vector cert_der(const std::string& key_name) {
    auto certs = x509::parse_pem_certificates(key_text(key_name + "_cert.pem"));
    REQUIRE(certs.ok());
    REQUIRE(certs->size() == 1);
    return (*certs)[0];
}

/// libcrypto's verdict on `sig` over `msg` by the key of certificate `key_name`_cert.pem.
bool openssl_verifies(const std::string& key_name, x509::key_algorithm alg, bytes_view msg,
                      bytes_view sig) {
    const byte_vector der = cert_der(key_name);
    const unsigned char* p = der.data();
    std::unique_ptr<X509, decltype(&X509_free)> cert(
        d2i_X509(nullptr, &p, static_cast<long>(der.size())), X509_free);
    REQUIRE(cert);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pub(X509_get_pubkey(cert.get()),
                                                            EVP_PKEY_free);
    REQUIRE(pub);
    const EVP_MD* md = nullptr;
    switch (alg) {
    case x509::key_algorithm::rsa:
    case x509::key_algorithm::ec_p256:
        md = EVP_sha256();
        break;
    case x509::key_algorithm::ec_p384:
        md = EVP_sha384();
        break;
    default:
        break;
    }
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                EVP_MD_CTX_free);
    return EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, pub.get()) == 1 &&
           EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), msg.data(), msg.size()) == 1;
}

/// Sign `msg` with whatever key `key` holds (RSA PKCS#1 v1.5 SHA-256, ECDSA SHA-256/384 DER,
/// Ed25519).
byte_vector sign_with(const x509::private_key& key, bytes_view msg) {
    if (const auto* rsa = key.get_if<crypto::rsa_private_key>()) {
        byte_vector sig(rsa->size());
        REQUIRE(crypto::sign_pkcs1v15<crypto::sha256>(*rsa, msg, sig).ok());
        return sig;
    }
    if (const auto* p256 = key.get_if<crypto::ecdsa_p256_private_key>()) {
        auto sig = p256->sign<crypto::sha256>(msg);
        REQUIRE(sig.ok());
        return {sig->der().begin(), sig->der().end()};
    }
    if (const auto* p384 = key.get_if<crypto::ecdsa_p384_private_key>()) {
        auto sig = p384->sign<crypto::sha384>(msg);
        REQUIRE(sig.ok());
        return {sig->der().begin(), sig->der().end()};
    }
    const auto* ed = key.get_if<crypto::ed25519_private_key>();
    REQUIRE(ed != nullptr);
    const auto sig = ed->sign(msg);
    return {sig.begin(), sig.end()};
}

struct fixture {
    const char* file;       // under tests/fixtures/keys/
    const char* key;        // the key (and certificate) it holds
    bool encrypted;
    x509::key_algorithm alg;
};

using ka = x509::key_algorithm;
const std::vector<fixture> fixtures = {
    {"rsa2048.pem", "rsa2048", false, ka::rsa},
    {"rsa2048.der", "rsa2048", false, ka::rsa},
    {"rsa2048_trad.pem", "rsa2048", false, ka::rsa},
    {"rsa2048_trad.der", "rsa2048", false, ka::rsa},
    {"rsa2048_aes256.pem", "rsa2048", true, ka::rsa},
    {"rsa2048_aes256.der", "rsa2048", true, ka::rsa},
    {"rsa2048_aes128.pem", "rsa2048", true, ka::rsa},
    {"p256.pem", "p256", false, ka::ec_p256},
    {"p256.der", "p256", false, ka::ec_p256},
    {"p256_trad.pem", "p256", false, ka::ec_p256},
    {"p256_trad.der", "p256", false, ka::ec_p256},
    {"p256_nopub_trad.pem", "p256", false, ka::ec_p256},
    {"p256_aes256.pem", "p256", true, ka::ec_p256},
    {"p256_aes256.der", "p256", true, ka::ec_p256},
    {"p256_aes128.pem", "p256", true, ka::ec_p256},
    {"p256_genpkey_aes256.pem", "p256_genpkey", true, ka::ec_p256},
    {"p384.pem", "p384", false, ka::ec_p384},
    {"p384.der", "p384", false, ka::ec_p384},
    {"p384_trad.pem", "p384", false, ka::ec_p384},
    {"p384_trad.der", "p384", false, ka::ec_p384},
    {"p384_aes256.pem", "p384", true, ka::ec_p384},
    {"p384_aes256.der", "p384", true, ka::ec_p384},
    {"p384_aes128.pem", "p384", true, ka::ec_p384},
    {"ed25519.pem", "ed25519", false, ka::ed25519},
    {"ed25519.der", "ed25519", false, ka::ed25519},
    {"ed25519_aes256.pem", "ed25519", true, ka::ed25519},
    {"ed25519_aes256.der", "ed25519", true, ka::ed25519},
    {"ed25519_aes128.pem", "ed25519", true, ka::ed25519},
};
const std::vector<std::string> key_names = {"rsa2048", "p256", "p384", "ed25519"};

bool is_pem(const std::string& file) { return file.ends_with(".pem"); }

result<x509::private_key> parse(const std::string& file, std::optional<std::string_view> pass) {
    if (is_pem(file)) {
        return x509::parse_private_key_pem(key_text(file), pass);
    }
    return x509::parse_private_key_der(key_bytes(file), pass);
}

/// The DER a fixture's parse starts from (the PEM body for .pem files).
byte_vector fixture_der(const std::string& file) {
    return is_pem(file) ? pem_der(file) : key_bytes(file);
}

byte_vector tlv(std::uint8_t tag, const byte_vector& body) {
    byte_vector out{tag};
    if (body.size() < 0x80) {
        out.push_back(static_cast<std::uint8_t>(body.size()));
    } else {
        out.push_back(0x82);
        out.push_back(static_cast<std::uint8_t>(body.size() >> 8));
        out.push_back(static_cast<std::uint8_t>(body.size()));
    }
    out.insert(out.end(), body.begin(), body.end());
    return out;
}
byte_vector cat(std::initializer_list<byte_vector> parts) {
    byte_vector out;
    for (const auto& p : parts) {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}
template <std::size_t N> byte_vector oid_tlv(const oid::encoded<N>& o) {
    return tlv(0x06, byte_vector(o.begin(), o.end()));
}

} // namespace

TEST_CASE("PBKDF2-HMAC-SHA1: RFC 6070 test vectors", "[pbkdf2]") {
    struct vec {
        std::string p, s;
        std::uint64_t c;
        const char* dk;
    };
    const std::vector<vec> vectors = {
        {"password", "salt", 1, "0c60c80f961f0e71f3a9b524af6012062fe037a6"},
        {"password", "salt", 2, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"},
        {"password", "salt", 4096, "4b007901b765489abead49d926f721d065a429c1"},
        {"passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096,
         "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"},
        {std::string("pass\0word", 9), std::string("sa\0lt", 5), 4096,
         "56fa6aa75548099dcc37d7f03425e0c3"},
    };
    int ran = 0;
    for (const auto& v : vectors) {
        const byte_vector expected = *from_hex(v.dk);
        byte_vector out(expected.size());
        const bytes_view p(reinterpret_cast<const std::uint8_t*>(v.p.data()), v.p.size());
        const bytes_view s(reinterpret_cast<const std::uint8_t*>(v.s.data()), v.s.size());
        REQUIRE(crypto::pbkdf2<crypto::sha1>(p, s, v.c, out).ok());
        CHECK(out == expected);
        ++ran;
    }
    CHECK(ran == 5);
    // RFC 6070's fourth vector, c = 16777216, is above the cap: refused at once, output zeroed.
    byte_vector out(20, 0xaa);
    const std::string pw = "password";
    const bytes_view p(reinterpret_cast<const std::uint8_t*>(pw.data()), pw.size());
    CHECK(crypto::pbkdf2<crypto::sha1>(p, p, 16777216, out).error() ==
          errc::kdf_iterations_exceeded);
    CHECK(out == byte_vector(20, 0));
    CHECK(crypto::pbkdf2<crypto::sha1>(p, p, crypto::pbkdf2_max_iterations + 1, out).error() ==
          errc::kdf_iterations_exceeded);
    CHECK(crypto::pbkdf2<crypto::sha1>(p, p, 100, out, 99).error() ==
          errc::kdf_iterations_exceeded);
    CHECK(crypto::pbkdf2<crypto::sha1>(p, p, 0, out).error() == errc::out_of_range);
    CHECK(crypto::pbkdf2<crypto::sha1>(p, p, 1, mutable_bytes{}).error() == errc::out_of_range);
}

namespace {
template <class H> int compare_with_openssl(const EVP_MD* md, std::uint32_t seed) {
    std::mt19937 rng(seed);
    int ran = 0;
    for (int i = 0; i < 40; ++i) {
        byte_vector pw(rng() % 80);
        byte_vector salt(rng() % 40);
        for (auto& b : pw) {
            b = static_cast<std::uint8_t>(rng());
        }
        for (auto& b : salt) {
            b = static_cast<std::uint8_t>(rng());
        }
        const int iterations = 1 + static_cast<int>(rng() % 300);
        const std::size_t len = 1 + rng() % 150; // up to several blocks, odd tails
        byte_vector ours(len);
        byte_vector theirs(len);
        REQUIRE(crypto::pbkdf2<H>(pw, salt, static_cast<std::uint64_t>(iterations), ours).ok());
        REQUIRE(PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(pw.data()),
                                  static_cast<int>(pw.size()), salt.data(),
                                  static_cast<int>(salt.size()), iterations, md,
                                  static_cast<int>(len), theirs.data()) == 1);
        CHECK(ours == theirs);
        ++ran;
    }
    return ran;
}
} // namespace

TEST_CASE("PBKDF2 agrees with libcrypto's PKCS5_PBKDF2_HMAC", "[pbkdf2]") {
    CHECK(compare_with_openssl<crypto::sha1>(EVP_sha1(), 1) == 40);
    CHECK(compare_with_openssl<crypto::sha256>(EVP_sha256(), 2) == 40);
    CHECK(compare_with_openssl<crypto::sha384>(EVP_sha384(), 3) == 40);
    CHECK(compare_with_openssl<crypto::sha512>(EVP_sha512(), 4) == 40);
}

TEST_CASE("private keys: every fixture parses, signs for libcrypto and matches its certificate",
          "[private_key]") {
    const std::string msg_text = "client certificate proof of possession";
    const bytes_view msg(reinterpret_cast<const std::uint8_t*>(msg_text.data()), msg_text.size());
    int parsed = 0;
    int mismatches = 0;
    for (const auto& f : fixtures) {
        INFO(f.file);
        auto key = parse(f.file, f.encrypted ? std::optional<std::string_view>(passphrase)
                                             : std::nullopt);
        REQUIRE(key.ok());
        CHECK(key->algorithm() == f.alg);
        const byte_vector sig = sign_with(*key, msg);
        CHECK(openssl_verifies(f.key, f.alg, msg, sig));
        const byte_vector cert = cert_der(f.key);
        auto parsed_cert = x509::parse_certificate(cert);
        REQUIRE(parsed_cert.ok());
        CHECK(x509::check_matches(*key, *parsed_cert).ok());
        CHECK(x509::check_matches(*key, parsed_cert->spki.der).ok());
        // our SubjectPublicKeyInfo is the one openssl put in the certificate, byte for byte
        const byte_vector spki = key->public_key_info();
        CHECK(bytes_view(spki).size() == parsed_cert->spki.der.size());
        CHECK(std::equal(spki.begin(), spki.end(), parsed_cert->spki.der.begin(),
                         parsed_cert->spki.der.end()));
        for (const auto& other : key_names) {
            if (other == f.key) {
                continue;
            }
            const byte_vector other_der = cert_der(other); // the certificate views its DER
            auto other_cert = x509::parse_certificate(other_der);
            REQUIRE(other_cert.ok());
            CHECK(x509::check_matches(*key, *other_cert).error() ==
                  errc::key_certificate_mismatch);
            ++mismatches;
        }
        ++parsed;
    }
    CHECK(parsed == 28);
    CHECK(mismatches == 27 * 3 + 4); // p256_genpkey is a fifth key: all four others differ
}

TEST_CASE("private keys: another key of the same type does not match", "[private_key]") {
    // a second P-256 key made on the spot by the crypto layer, and the fixture's certificate
    auto fresh = crypto::ecdsa_p256_private_key::generate();
    REQUIRE(fresh.ok());
    const x509::private_key key(x509::private_key::key_type(std::move(*fresh)));
    const byte_vector cert_bytes = cert_der("p256"); // the certificate views its DER
    auto cert = x509::parse_certificate(cert_bytes);
    REQUIRE(cert.ok());
    CHECK(x509::check_matches(key, *cert).error() == errc::key_certificate_mismatch);
}

TEST_CASE("private keys: passphrases", "[private_key]") {
    int ran = 0;
    for (const auto& f : fixtures) {
        if (!f.encrypted) {
            // a passphrase given for a plain key is ignored
            CHECK(parse(f.file, "unused").ok());
            continue;
        }
        INFO(f.file);
        CHECK(parse(f.file, std::nullopt).error() == errc::key_passphrase_required);
        CHECK(parse(f.file, "correct horse!").error() == errc::key_decrypt_failed);
        CHECK(parse(f.file, "").error() == errc::key_decrypt_failed);
        ++ran;
    }
    CHECK(ran == 13);
}

TEST_CASE("private keys: refused files", "[private_key]") {
    CHECK(parse("rsa2048_legacy_enc.pem", passphrase).error() == errc::key_legacy_encryption);
    CHECK(parse("p256_explicit.pem", std::nullopt).error() == errc::unsupported_curve);
    CHECK(parse("rsa1024.pem", std::nullopt).error() == errc::weak_key);
    CHECK(parse("p521.pem", std::nullopt).error() == errc::unsupported_curve);
    CHECK(parse("x25519.pem", std::nullopt).error() == errc::unsupported_algorithm);
    // certificates only, or nothing at all
    CHECK(x509::parse_private_key_pem(key_text("p256_cert.pem")).error() == errc::bad_pem);
    CHECK(x509::parse_private_key_pem("").error() == errc::bad_pem);
    // two keys in one file
    CHECK(x509::parse_private_key_pem(key_text("p256.pem") + key_text("p384.pem")).error() ==
          errc::bad_private_key);
    // a key and its certificate in one file: fine
    CHECK(x509::parse_private_key_pem(key_text("p256_cert.pem") + key_text("p256.pem")).ok());
    // a label that names another container than the DER holds
    std::string relabelled = key_text("p256.pem");
    for (auto pos = relabelled.find("PRIVATE KEY"); pos != std::string::npos;
         pos = relabelled.find("PRIVATE KEY", pos + 14)) {
        relabelled.replace(pos, 11, "EC PRIVATE KEY");
    }
    CHECK(x509::parse_private_key_pem(relabelled).error() == errc::bad_private_key);
    std::string dsa = key_text("p256.pem");
    for (auto pos = dsa.find("PRIVATE KEY"); pos != std::string::npos;
         pos = dsa.find("PRIVATE KEY", pos + 15)) {
        dsa.replace(pos, 11, "DSA PRIVATE KEY");
    }
    CHECK(x509::parse_private_key_pem(dsa).error() == errc::unsupported_algorithm);
    // multi-prime RSA: RSAPrivateKey version 1
    byte_vector pkcs1 = key_bytes("rsa2048_trad.der");
    REQUIRE(pkcs1[4] == 0x02);
    REQUIRE(pkcs1[6] == 0x00);
    pkcs1[6] = 0x01;
    CHECK(x509::parse_private_key_der(pkcs1).error() == errc::unsupported_algorithm);
    // sizes
    CHECK(x509::parse_private_key_der(byte_vector(x509::max_private_key_der_size + 1, 0x30))
              .error() == errc::too_large);
    CHECK(x509::parse_private_key_pem(std::string(x509::max_private_key_pem_size + 1, 'A'))
              .error() == errc::too_large);
}

TEST_CASE("private keys: crafted PBES2 parameters", "[private_key]") {
    const byte_vector salt(8, 0x11);
    const byte_vector iv(16, 0x22);
    auto build = [&](const byte_vector& iterations, const byte_vector& extra_kdf,
                     const byte_vector& cipher_oid, std::size_t data_size) {
        const byte_vector kdf_params =
            tlv(0x30, cat({tlv(0x04, salt), tlv(0x02, iterations), extra_kdf}));
        const byte_vector kdf = tlv(0x30, cat({oid_tlv(oid::pbkdf2), kdf_params}));
        const byte_vector enc = tlv(0x30, cat({cipher_oid, tlv(0x04, iv)}));
        const byte_vector alg = tlv(0x30, cat({oid_tlv(oid::pbes2), tlv(0x30, cat({kdf, enc}))}));
        return tlv(0x30, cat({alg, tlv(0x04, byte_vector(data_size, 0x33))}));
    };
    const byte_vector aes256 = oid_tlv(oid::aes256_cbc);
    auto err = [&](const byte_vector& der) {
        return x509::parse_private_key_der(der, std::string_view(passphrase)).error();
    };
    // a well-formed structure whose ciphertext is junk: the passphrase "fails"
    CHECK(err(build({0x08, 0x00}, {}, aes256, 32)) == errc::key_decrypt_failed);
    CHECK(x509::parse_private_key_der(build({0x08, 0x00}, {}, aes256, 32)).error() ==
          errc::key_passphrase_required);
    // iteration counts: 10,000,001 and a 5-byte count are over the cap, 0 is invalid
    CHECK(err(build({0x00, 0x98, 0x96, 0x81}, {}, aes256, 32)) == errc::kdf_iterations_exceeded);
    CHECK(err(build({0x01, 0x00, 0x00, 0x00, 0x00}, {}, aes256, 32)) ==
          errc::kdf_iterations_exceeded);
    CHECK(err(build({0x00}, {}, aes256, 32)) == errc::bad_private_key);
    CHECK(err(build({0xff}, {}, aes256, 32)) == errc::bad_private_key); // negative
    // keyLength other than the cipher's
    CHECK(err(build({0x08, 0x00}, tlv(0x02, {16}), aes256, 32)) == errc::bad_private_key);
    CHECK(err(build({0x08, 0x00}, tlv(0x02, {32}), aes256, 32)) == errc::key_decrypt_failed);
    // an unknown PRF (hmacWithMD5 1.2.840.113549.2.6 is not ours), a known one with NULL
    const byte_vector md5{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x06};
    CHECK(err(build({0x08, 0x00}, tlv(0x30, tlv(0x06, md5)), aes256, 32)) ==
          errc::unsupported_algorithm);
    CHECK(err(build({0x08, 0x00}, tlv(0x30, cat({oid_tlv(oid::hmac_with_sha512), tlv(0x05, {})})),
                    aes256, 32)) == errc::key_decrypt_failed);
    // another cipher (AES-192-CBC 2.16.840.1.101.3.4.1.22)
    const byte_vector aes192{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x16};
    CHECK(err(build({0x08, 0x00}, {}, tlv(0x06, aes192), 32)) == errc::unsupported_algorithm);
    // ciphertext not whole blocks, or empty
    CHECK(err(build({0x08, 0x00}, {}, aes256, 33)) == errc::bad_private_key);
    CHECK(err(build({0x08, 0x00}, {}, aes256, 0)) == errc::bad_private_key);
}

TEST_CASE("private keys: truncated and bit-flipped DER is a named error, never a crash",
          "[private_key]") {
    int truncations = 0;
    int flips = 0;
    int flips_refused = 0;
    for (const auto& f : fixtures) {
        INFO(f.file);
        const byte_vector der = fixture_der(f.file);
        const std::optional<std::string_view> pass =
            f.encrypted ? std::optional<std::string_view>(passphrase) : std::nullopt;
        const byte_vector cert_bytes = cert_der(f.key); // the certificate views its DER
        auto cert = x509::parse_certificate(cert_bytes);
        REQUIRE(cert.ok());
        // truncation at every length
        for (std::size_t n = 0; n < der.size(); ++n) {
            auto r = x509::parse_private_key_der(bytes_view(der).first(n), pass);
            REQUIRE(!r.ok());
            CHECK(r.error() != errc::ok);
            CHECK(std::string(describe(r.error())) != "unknown error");
            ++truncations;
        }
        if (f.encrypted && der.size() > 600) {
            continue; // RSA under PBKDF2: the plain forms cover every byte of the key already
        }
        // one bit flipped at every byte: an error, or a valid key that is not the certificate's
        // (a flipped scalar or seed with no public key stored beside it), or the same key in
        // another valid encoding (a PKCS #8 version 0 flipped to 1, a v2 without publicKey)
        for (std::size_t i = 0; i < der.size(); ++i) {
            byte_vector bad = der;
            bad[i] ^= static_cast<std::uint8_t>(1u << (i % 8));
            auto r = x509::parse_private_key_der(bad, pass);
            if (!r.ok()) {
                CHECK(std::string(describe(r.error())) != "unknown error");
                ++flips_refused;
            } else {
                INFO("flipped byte " << i);
                const status m = x509::check_matches(*r, *cert);
                CHECK((m.ok() || m.error() == errc::key_certificate_mismatch));
            }
            ++flips;
        }
    }
    INFO("truncations " << truncations << ", flips " << flips << ", refused " << flips_refused);
    CHECK(truncations > 10000);
    CHECK(flips > 5000);
    CHECK(flips_refused > flips * 9 / 10);
}

TEST_CASE("private keys: a caller's lower iteration cap", "[private_key]") {
    // the fixtures use openssl's 2048 iterations
    CHECK(x509::parse_private_key_pem(key_text("p256_aes256.pem"), passphrase, 2048).ok());
    CHECK(x509::parse_private_key_pem(key_text("p256_aes256.pem"), passphrase, 2047).error() ==
          errc::kdf_iterations_exceeded);
    CHECK(x509::parse_private_key_der(key_bytes("p256_aes256.der"), passphrase, 1000).error() ==
          errc::kdf_iterations_exceeded);
}

TEST_CASE("private keys: stored public keys must be the private key's", "[private_key]") {
    // RFC 5958 OneAsymmetricKey v2: ed25519.der with version 1 and publicKey [1] appended
    const byte_vector plain = key_bytes("ed25519.der");
    REQUIRE(plain.size() == 48);
    REQUIRE(plain[1] == 46);
    auto cert_key = x509::parse_private_key_der(plain);
    REQUIRE(cert_key.ok());
    const byte_vector a = cert_key->public_key_bytes();
    REQUIRE(a.size() == 32);
    auto v2 = [&](const byte_vector& pub, std::uint8_t version) {
        byte_vector body(plain.begin() + 2, plain.end());
        body[2] = version; // INTEGER 0 -> 1
        byte_vector bits{0x00};
        bits.insert(bits.end(), pub.begin(), pub.end());
        return tlv(0x30, cat({body, tlv(0x81, bits)}));
    };
    CHECK(x509::parse_private_key_der(v2(a, 1)).ok());
    byte_vector wrong = a;
    wrong[5] ^= 0x40;
    CHECK(x509::parse_private_key_der(v2(wrong, 1)).error() == errc::bad_private_key);
    CHECK(x509::parse_private_key_der(v2(a, 0)).error() == errc::bad_private_key); // v1 + [1]
    // SEC 1 with its publicKey [1] changed in the last byte of Y
    byte_vector sec1 = key_bytes("p256_trad.der");
    REQUIRE(x509::parse_private_key_der(sec1).ok());
    sec1.back() ^= 0x01;
    CHECK(x509::parse_private_key_der(sec1).error() == errc::bad_private_key);
}
