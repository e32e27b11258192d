// Issue #15's TLS negative tests, each pinned to its error and the alert the client sends:
// invalid EC points in a TLS 1.3 key_share and a TLS 1.2 ServerKeyExchange, certificate keys
// that do not fit the suite or the signature scheme, a ServerHello after HelloRetryRequest that
// changes its choices, a CertificateVerify signed over the client's context string, TLS 1.2
// application data before Finished and a missing ChangeCipherSpec, and a non-null compression
// method. The TLS 1.3 cases use the RFC 8448 scripted server; the TLS 1.2 ones a scripted server
// whose certificate and ECDHE keys are made here with OpenSSL, so that its signatures verify and
// the check under test is the one that fails. Last, OCSP stapling: the staple of the leaf's
// CertificateEntry (TLS 1.3) or of CertificateStatus (TLS 1.2) reaches the verifier, and
// unsolicited or malformed ones are refused.
#include <https/tls/client.hpp>
#include <https/tls/tls12_key_schedule.hpp>

#include "support/cert_factory.hpp"
#include "support/rfc8448_server.hpp"
#include "support/tls12_oracle.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace https;
using namespace https::tls;
using test::rfc8448_server;
using bytes = test::bytes;

namespace {

// ---- OpenSSL helpers (the oracle side: keys, points, signatures, ECDH) ------------------------

using pkey_ptr = std::shared_ptr<EVP_PKEY>;

pkey_ptr ec_key(const char* curve) {
    pkey_ptr k(EVP_EC_gen(curve), EVP_PKEY_free);
    REQUIRE(k != nullptr);
    return k;
}

/// The uncompressed SEC 1 encoding of the public key: 04 || x || y.
bytes public_point(EVP_PKEY* k) {
    std::size_t len = 0;
    REQUIRE(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0,
                                            &len) == 1);
    bytes out(len);
    REQUIRE(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out.data(),
                                            out.size(), &len) == 1);
    REQUIRE(out.size() == len);
    REQUIRE(out[0] == 0x04);
    return out;
}

/// The same point compressed: 02/03 (the parity of y) || x.
bytes compressed(const bytes& point) {
    const std::size_t n = (point.size() - 1) / 2;
    bytes out = {static_cast<std::uint8_t>(0x02 | (point.back() & 1))};
    out.insert(out.end(), point.begin() + 1, point.begin() + 1 + static_cast<std::ptrdiff_t>(n));
    return out;
}

/// A point off the curve: y changed in its last bit (x stays a valid coordinate).
bytes off_curve(bytes point) {
    point.back() ^= 0x01;
    return point;
}

/// A DER ECDSA (or any) signature of `data` with `key` under digest `md`.
bytes sign(EVP_PKEY* key, const EVP_MD* md, const bytes& data) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    REQUIRE(EVP_DigestSignInit(ctx, nullptr, md, nullptr, key) == 1);
    std::size_t len = 0;
    REQUIRE(EVP_DigestSign(ctx, nullptr, &len, data.data(), data.size()) == 1);
    bytes sig(len);
    REQUIRE(EVP_DigestSign(ctx, sig.data(), &len, data.data(), data.size()) == 1);
    sig.resize(len);
    EVP_MD_CTX_free(ctx);
    return sig;
}

bytes digest(const EVP_MD* md, const bytes& data) {
    bytes out(EVP_MAX_MD_SIZE);
    unsigned len = 0;
    REQUIRE(EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) == 1);
    out.resize(len);
    return out;
}

/// ECDH between our (server) key and the client's encoded point: the x-coordinate.
bytes ecdh(EVP_PKEY* mine, const char* curve, const bytes& peer_point) {
    pkey_ptr peer = ec_key(curve);
    REQUIRE(EVP_PKEY_set1_encoded_public_key(peer.get(), peer_point.data(), peer_point.size()) ==
            1);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(mine, nullptr);
    REQUIRE(EVP_PKEY_derive_init(ctx) == 1);
    REQUIRE(EVP_PKEY_derive_set_peer(ctx, peer.get()) == 1);
    std::size_t len = 0;
    REQUIRE(EVP_PKEY_derive(ctx, nullptr, &len) == 1);
    bytes out(len);
    REQUIRE(EVP_PKEY_derive(ctx, out.data(), &len) == 1);
    out.resize(len);
    EVP_PKEY_CTX_free(ctx);
    return out;
}

// ---- message builders -------------------------------------------------------------------------

bytes u24(std::size_t n) {
    return {static_cast<std::uint8_t>(n >> 16), static_cast<std::uint8_t>(n >> 8),
            static_cast<std::uint8_t>(n)};
}

bytes handshake(handshake_type type, const bytes& body) {
    bytes out = {static_cast<std::uint8_t>(type)};
    const bytes len = u24(body.size());
    out.insert(out.end(), len.begin(), len.end());
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

struct ext {
    std::uint16_t type;
    bytes data;
};

/// A ServerHello (RFC 8446 §4.1.3, RFC 5246 §7.4.1.3) from parts, compression method included.
bytes make_hello(const bytes& random, std::uint16_t suite, const std::vector<ext>& exts,
                   std::uint8_t compression = 0, const bytes& session_id = {}) {
    byte_vector body;
    writer w(body);
    w.put_u16(0x0303);
    w.put_bytes(random);
    w.put_u8(static_cast<std::uint8_t>(session_id.size()));
    w.put_bytes(session_id);
    w.put_u16(suite);
    w.put_u8(compression);
    const auto m = w.begin_prefixed(2);
    for (const auto& e : exts) {
        w.put_u16(e.type);
        w.put_u16(static_cast<std::uint16_t>(e.data.size()));
        w.put_bytes(e.data);
    }
    REQUIRE(w.end_prefixed(m, 2));
    return handshake(handshake_type::server_hello, bytes(body.begin(), body.end()));
}

bytes key_share(std::uint16_t group, const bytes& point) {
    bytes out = {static_cast<std::uint8_t>(group >> 8), static_cast<std::uint8_t>(group),
                 static_cast<std::uint8_t>(point.size() >> 8),
                 static_cast<std::uint8_t>(point.size())};
    out.insert(out.end(), point.begin(), point.end());
    return out;
}

const bytes tls13_version = {0x03, 0x04};
const std::uint16_t ext_key_share = 51;
const std::uint16_t ext_supported_versions = 43;
const std::uint16_t p256 = 0x0017;
const std::uint16_t p384 = 0x0018;
const bytes fatal_illegal_parameter = {21, 3, 3, 0, 2, 2, 47}; // a plaintext alert record

/// A TLS 1.3 Certificate message carrying `leaf` alone (RFC 8446 §4.4.2).
bytes tls13_certificate(const bytes& leaf) {
    bytes entry = u24(leaf.size());
    entry.insert(entry.end(), leaf.begin(), leaf.end());
    entry.insert(entry.end(), {0, 0}); // no entry extensions
    bytes body = {0};                  // empty certificate_request_context
    const bytes list = u24(entry.size());
    body.insert(body.end(), list.begin(), list.end());
    body.insert(body.end(), entry.begin(), entry.end());
    return handshake(handshake_type::certificate, body);
}

/// A TLS 1.2 Certificate message (RFC 5246 §7.4.2) carrying `leaf` alone.
bytes tls12_certificate(const bytes& leaf) {
    bytes list = u24(leaf.size());
    list.insert(list.end(), leaf.begin(), leaf.end());
    bytes body = u24(list.size());
    body.insert(body.end(), list.begin(), list.end());
    return handshake(handshake_type::certificate, body);
}

bytes record_of(std::uint8_t type, const bytes& fragment) {
    bytes r(5 + fragment.size());
    r[0] = type;
    r[1] = 3;
    r[2] = 3;
    r[3] = static_cast<std::uint8_t>(fragment.size() >> 8);
    r[4] = static_cast<std::uint8_t>(fragment.size());
    std::copy(fragment.begin(), fragment.end(), r.begin() + 5);
    return r;
}

/// A self-signed server certificate for "server" allowed to sign.
test::made_cert signing_leaf(test::cert_key key) {
    return test::make_cert({"server",
                            key,
                            {{"basicConstraints", "critical, CA:FALSE"},
                             {"keyUsage", "critical, digitalSignature, keyEncipherment"},
                             {"extendedKeyUsage", "serverAuth"},
                             {"subjectAltName", "DNS:server"}}});
}

client_config accept_any(client_config cfg) {
    cfg.server_name = "server";
    cfg.verify_certificate = [](std::span<const bytes_view>, std::string_view,
                                std::optional<bytes_view>) { return status{}; };
    return cfg;
}

/// A TLS 1.3-only client whose only key share is for `group`, started, its ClientHello taken.
struct tls13_client {
    client c;
    explicit tls13_client(std::vector<named_group> groups)
        : c([&] {
              client_config cfg = accept_any({});
              cfg.min_version = protocol_version::tls13;
              cfg.middlebox_compatibility = false; // no session id to echo
              cfg.groups = std::move(groups);
              return cfg;
          }()) {
        REQUIRE(c.start());
        (void)c.take_output();
    }
    status feed_handshake(const bytes& msg) { return c.feed(record_of(22, msg)); }
    void expect(errc e, alert_description a) {
        CHECK(c.error() == e);
        CHECK(c.state() == client_state::failed);
        CHECK(c.sent_alert() == a);
    }
};

} // namespace

// ---- 1. invalid EC points ---------------------------------------------------------------------

TEST_CASE("negative: P-256/P-384 key_share points in a TLS 1.3 ServerHello",
          "[tls][client][negative]") {
    const bytes random(32, 0x11);
    struct curve_case {
        const char* name;
        named_group group;
        std::uint16_t id;
    };
    int ran = 0;
    for (const auto& cc : {curve_case{"P-256", named_group::secp256r1, p256},
                           curve_case{"P-384", named_group::secp384r1, p384}}) {
        INFO(cc.name);
        const bytes good = public_point(ec_key(cc.name).get());
        auto hello = [&](const bytes& point) {
            return make_hello(random, 0x1301,
                                {{ext_key_share, key_share(cc.id, point)},
                                 {ext_supported_versions, tls13_version}});
        };
        { // control: a valid point gets the handshake to EncryptedExtensions
            tls13_client t({cc.group});
            REQUIRE(t.feed_handshake(hello(good)));
            CHECK(t.c.tls13_session()->state() == tls13_state::wait_encrypted_extensions);
        }
        bytes wrong_format = good;
        wrong_format[0] = 0x05;
        const std::pair<const char*, bytes> bad[] = {
            {"off the curve", off_curve(good)},
            {"one byte short", bytes(good.begin(), good.end() - 1)},
            {"one byte long", [&] {
                 bytes b = good;
                 b.push_back(0);
                 return b;
             }()},
            {"compressed", compressed(good)},
            {"uncompressed length, wrong format byte", wrong_format},
            {"x and y all zero", [&] {
                 bytes b(good.size(), 0);
                 b[0] = 0x04;
                 return b;
             }()},
        };
        for (const auto& [what, point] : bad) {
            INFO(what);
            tls13_client t({cc.group});
            CHECK(t.feed_handshake(hello(point)).error() == errc::tls_illegal_parameter);
            t.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
            CHECK(t.c.take_output() == fatal_illegal_parameter);
            ++ran;
        }
    }
    CHECK(ran == 12);
}

namespace {

/// A scripted TLS 1.2 server: ECDHE with a certificate and ephemeral keys made here, every
/// message built by the test and signed with OpenSSL. The client offers TLS 1.2 only.
struct tls12_script {
    test::made_cert leaf;
    pkey_ptr ecdhe;
    const char* curve;
    std::uint16_t group;
    /// What the verifier was given as the stapled OCSP response, one entry per call.
    std::shared_ptr<std::vector<std::optional<bytes>>> staples =
        std::make_shared<std::vector<std::optional<bytes>>>();
    client c;
    bytes client_hello;
    bytes client_random;
    bytes server_random = bytes(32, 0x22);

    explicit tls12_script(test::cert_key key = test::cert_key::p256,
                          const char* curve_name = "P-256", std::uint16_t group_id = p256)
        : leaf(signing_leaf(key)), ecdhe(ec_key(curve_name)), curve(curve_name), group(group_id),
          c([seen = staples] {
              client_config cfg = accept_any({});
              cfg.max_version = protocol_version::tls12;
              cfg.verify_certificate = [seen](std::span<const bytes_view>, std::string_view,
                                              std::optional<bytes_view> staple) {
                  seen->push_back(staple
                                      ? std::optional<bytes>(bytes(staple->begin(), staple->end()))
                                      : std::nullopt);
                  return status{};
              };
              return cfg;
          }()) {
        REQUIRE(c.start());
        const bytes out = c.take_output();
        client_hello.assign(out.begin() + 5, out.end());
        client_random.assign(client_hello.begin() + 6, client_hello.begin() + 38);
    }

    /// ServerHello for `suite` with the renegotiation_info a TLS 1.2 server sends (no EMS).
    [[nodiscard]] bytes hello(std::uint16_t suite, std::uint8_t compression = 0) const {
        return make_hello(server_random, suite, {{0xff01, {0}}}, compression);
    }
    [[nodiscard]] bytes certificate() const {
        return tls12_certificate(bytes(leaf.der.begin(), leaf.der.end()));
    }
    /// ServerKeyExchange (RFC 8422 §5.4) for `point`, signed ecdsa_secp256r1_sha256 (or, with
    /// an RSA certificate, rsa_pkcs1_sha256) with the certificate key.
    [[nodiscard]] bytes key_exchange(const bytes& point) const {
        bytes params = {3, static_cast<std::uint8_t>(group >> 8), static_cast<std::uint8_t>(group),
                        static_cast<std::uint8_t>(point.size())};
        params.insert(params.end(), point.begin(), point.end());
        bytes signed_content = client_random;
        signed_content.insert(signed_content.end(), server_random.begin(), server_random.end());
        signed_content.insert(signed_content.end(), params.begin(), params.end());
        const bytes sig = sign(leaf.key.get(), EVP_sha256(), signed_content);
        const bool ec = EVP_PKEY_get_base_id(leaf.key.get()) == EVP_PKEY_EC;
        bytes body = params;
        body.insert(body.end(), {0x04, static_cast<std::uint8_t>(ec ? 0x03 : 0x01),
                                 static_cast<std::uint8_t>(sig.size() >> 8),
                                 static_cast<std::uint8_t>(sig.size())});
        body.insert(body.end(), sig.begin(), sig.end());
        return handshake(handshake_type::server_key_exchange, body);
    }
    [[nodiscard]] bytes good_key_exchange() const { return key_exchange(public_point(ecdhe.get())); }
    static bytes hello_done() { return {14, 0, 0, 0}; }

    /// Feed handshake messages, one plaintext record each, until one fails.
    status feed(const std::vector<bytes>& messages) {
        for (const auto& m : messages) {
            HTTPS_TRY(c.feed(record_of(22, m)));
        }
        return {};
    }
    void expect(errc e, alert_description a) {
        CHECK(c.error() == e);
        CHECK(c.state() == client_state::failed);
        CHECK(c.sent_alert() == a);
    }
};

} // namespace

TEST_CASE("negative: P-256/P-384 points in a TLS 1.2 ServerKeyExchange",
          "[tls][tls12][negative]") {
    struct curve_case {
        const char* name;
        std::uint16_t id;
    };
    int ran = 0;
    for (const auto& cc : {curve_case{"P-256", p256}, curve_case{"P-384", p384}}) {
        INFO(cc.name);
        { // control: a valid point, correctly signed, gets our flight out
            tls12_script s(test::cert_key::p256, cc.name, cc.id);
            REQUIRE(s.feed({s.hello(0xc02b), s.certificate(), s.good_key_exchange(),
                            tls12_script::hello_done()}));
            CHECK(s.c.tls12_session() != nullptr);
            CHECK(s.c.tls12_session()->state() == tls12_state::wait_change_cipher_spec);
        }
        const bytes good = public_point(ec_key(cc.name).get());
        const std::pair<const char*, bytes> bad[] = {
            {"off the curve", off_curve(good)},
            {"one byte short", bytes(good.begin(), good.end() - 1)},
            {"compressed", compressed(good)},
        };
        for (const auto& [what, point] : bad) {
            INFO(what);
            tls12_script s(test::cert_key::p256, cc.name, cc.id);
            // The signature over the bad point verifies: the point check is what fails.
            CHECK(s.feed({s.hello(0xc02b), s.certificate(), s.key_exchange(point)}).error() ==
                  errc::tls_illegal_parameter);
            s.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
            CHECK(s.c.take_output() == fatal_illegal_parameter);
            ++ran;
        }
    }
    CHECK(ran == 6);
}

// ---- 2. certificate keys that do not fit the suite or the scheme -------------------------------

TEST_CASE("negative: TLS 1.2 certificate key type against the suite", "[tls][tls12][negative]") {
    SECTION("an ECDSA certificate under ECDHE_RSA") {
        tls12_script s(test::cert_key::p256);
        CHECK(s.feed({s.hello(0xc02f), s.certificate()}).error() == errc::tls_illegal_parameter);
        s.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
        CHECK(s.c.take_output() == fatal_illegal_parameter);
    }
    SECTION("an RSA certificate under ECDHE_ECDSA") {
        tls12_script s(test::cert_key::rsa2048);
        CHECK(s.feed({s.hello(0xc02b), s.certificate()}).error() == errc::tls_illegal_parameter);
        s.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
    SECTION("an ECDSA certificate under the RSA key exchange") {
        tls12_script s(test::cert_key::p256);
        CHECK(s.feed({s.hello(0x009c), s.certificate()}).error() == errc::tls_illegal_parameter);
        s.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
    SECTION("control: an RSA certificate under ECDHE_RSA, signed rsa_pkcs1_sha256") {
        tls12_script s(test::cert_key::rsa2048);
        REQUIRE(s.feed({s.hello(0xc02f), s.certificate(), s.good_key_exchange(),
                        tls12_script::hello_done()}));
        CHECK(s.c.tls12_session()->state() == tls12_state::wait_change_cipher_spec);
    }
}

namespace {

/// The RFC 8448 client and keys, with our own Certificate and CertificateVerify: `leaf` is sent
/// after the trace's EncryptedExtensions, then a CertificateVerify of `scheme` whose signature
/// `sign_cv` makes over the given content.
struct tls13_cv_script {
    rfc8448_server srv;
    client c{accept_any(srv.config())};
    rfc8448_server::sealer sealer{srv.server_hs};
    bytes transcript; // ClientHello .. Certificate

    explicit tls13_cv_script(const test::made_cert& leaf) {
        REQUIRE(c.start());
        (void)c.take_output();
        REQUIRE(c.feed(srv.server_hello_record));
        const bytes cert = tls13_certificate(bytes(leaf.der.begin(), leaf.der.end()));
        REQUIRE(c.feed(sealer.seal(content_type::handshake, srv.encrypted_extensions)));
        REQUIRE(c.feed(sealer.seal(content_type::handshake, cert)));
        REQUIRE(c.tls13_session()->state() == tls13_state::wait_certificate_verify);
        transcript = rfc8448_server::concat(
            {srv.client_hello, srv.server_hello, srv.encrypted_extensions, cert});
    }
    /// RFC 8446 §4.4.3: 64 spaces, the context string, a zero byte, the transcript hash.
    [[nodiscard]] bytes content(const std::string& context) const {
        bytes out(64, 0x20);
        out.insert(out.end(), context.begin(), context.end());
        out.push_back(0);
        const bytes h = digest(EVP_sha256(), transcript);
        out.insert(out.end(), h.begin(), h.end());
        return out;
    }
    status certificate_verify(std::uint16_t scheme, const bytes& signature) {
        bytes body = {static_cast<std::uint8_t>(scheme >> 8), static_cast<std::uint8_t>(scheme),
                      static_cast<std::uint8_t>(signature.size() >> 8),
                      static_cast<std::uint8_t>(signature.size())};
        body.insert(body.end(), signature.begin(), signature.end());
        return c.feed(
            sealer.seal(content_type::handshake, handshake(handshake_type::certificate_verify, body)));
    }
    /// Our alert went out under the client handshake key.
    void expect(errc e, alert_description a) {
        CHECK(c.error() == e);
        CHECK(c.state() == client_state::failed);
        CHECK(c.sent_alert() == a);
        const auto opened = rfc8448_server::open_all(srv.client_hs, c.take_output());
        REQUIRE(opened.size() == 1);
        CHECK(opened[0].first == content_type::alert);
        CHECK(opened[0].second == bytes{2, static_cast<std::uint8_t>(a)});
    }
};

const std::string server_context = "TLS 1.3, server CertificateVerify";
const std::string client_context = "TLS 1.3, client CertificateVerify";

} // namespace

TEST_CASE("negative: TLS 1.3 CertificateVerify scheme against the certificate key",
          "[tls][client][negative]") {
    const test::made_cert leaf = signing_leaf(test::cert_key::p256);
    SECTION("control: a P-256 key, ecdsa_secp256r1_sha256") {
        tls13_cv_script s(leaf);
        REQUIRE(s.certificate_verify(0x0403,
                                     sign(leaf.key.get(), EVP_sha256(), s.content(server_context))));
        CHECK(s.c.tls13_session()->state() == tls13_state::wait_finished);
    }
    SECTION("a P-256 key under ecdsa_secp384r1_sha384 (a valid ECDSA-SHA-384 signature)") {
        tls13_cv_script s(leaf);
        CHECK(s.certificate_verify(0x0503, sign(leaf.key.get(), EVP_sha384(),
                                                s.content(server_context)))
                  .error() == errc::tls_illegal_parameter);
        s.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
    SECTION("a P-256 key under rsa_pss_rsae_sha256") {
        tls13_cv_script s(leaf);
        CHECK(s.certificate_verify(0x0804, sign(leaf.key.get(), EVP_sha256(),
                                                s.content(server_context)))
                  .error() == errc::tls_illegal_parameter);
        s.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
}

// ---- 4. CertificateVerify over the wrong context string ---------------------------------------

TEST_CASE("negative: TLS 1.3 CertificateVerify signed over the client context string",
          "[tls][client][negative]") {
    const test::made_cert leaf = signing_leaf(test::cert_key::p256);
    SECTION("control: the server context") {
        tls13_cv_script s(leaf);
        REQUIRE(s.certificate_verify(0x0403,
                                     sign(leaf.key.get(), EVP_sha256(), s.content(server_context))));
        CHECK(s.c.tls13_session()->state() == tls13_state::wait_finished);
    }
    SECTION("the client context: a valid signature, over the wrong content") {
        tls13_cv_script s(leaf);
        CHECK(s.certificate_verify(0x0403, sign(leaf.key.get(), EVP_sha256(),
                                                s.content(client_context)))
                  .error() == errc::tls_decrypt_error);
        s.expect(errc::tls_decrypt_error, alert_description::decrypt_error);
    }
    SECTION("no context string at all (the TLS 1.2 habit of signing the hash alone)") {
        tls13_cv_script s(leaf);
        CHECK(s.certificate_verify(0x0403, sign(leaf.key.get(), EVP_sha256(),
                                                digest(EVP_sha256(), s.transcript)))
                  .error() == errc::tls_decrypt_error);
        s.expect(errc::tls_decrypt_error, alert_description::decrypt_error);
    }
}

// ---- 3. ServerHello after HelloRetryRequest -------------------------------------------------

TEST_CASE("negative: a ServerHello after HelloRetryRequest that changes suite or group",
          "[tls][client][negative]") {
    const bytes hrr_random(hello_retry_request_random.begin(), hello_retry_request_random.end());
    // The client's first share is X25519; the HRR asks for P-256 under TLS_AES_128_GCM_SHA256.
    tls13_client t({named_group::x25519, named_group::secp256r1, named_group::secp384r1});
    REQUIRE(t.feed_handshake(make_hello(
        hrr_random, 0x1301,
        {{ext_supported_versions, tls13_version}, {ext_key_share, {0x00, 0x17}}})));
    REQUIRE(t.c.hello_retry_requested());
    (void)t.c.take_output(); // the second ClientHello
    const bytes random(32, 0x33);
    const bytes p256_point = public_point(ec_key("P-256").get());
    const bytes p384_point = public_point(ec_key("P-384").get());
    auto hello = [&](std::uint16_t suite, std::uint16_t group, const bytes& point) {
        return make_hello(random, suite,
                            {{ext_key_share, key_share(group, point)},
                             {ext_supported_versions, tls13_version}});
    };
    SECTION("control: the suite and group of the HelloRetryRequest") {
        REQUIRE(t.feed_handshake(hello(0x1301, p256, p256_point)));
        CHECK(t.c.tls13_session()->state() == tls13_state::wait_encrypted_extensions);
    }
    SECTION("another suite we offered") {
        CHECK(t.feed_handshake(hello(0x1302, p256, p256_point)).error() ==
              errc::tls_illegal_parameter);
        t.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
        CHECK(t.c.take_output() == fatal_illegal_parameter);
    }
    SECTION("the group of our first share (X25519), not the one asked for") {
        bytes x25519_point(32, 0);
        x25519_point[0] = 9; // the base point: a valid share
        CHECK(t.feed_handshake(hello(0x1301, 0x001d, x25519_point)).error() ==
              errc::tls_illegal_parameter);
        t.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
        CHECK(t.c.take_output() == fatal_illegal_parameter);
    }
    SECTION("another group we support but sent no share for (P-384)") {
        CHECK(t.feed_handshake(hello(0x1301, p384, p384_point)).error() ==
              errc::tls_illegal_parameter);
        t.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
    SECTION("a second HelloRetryRequest-shaped ServerHello with another suite") {
        CHECK_FALSE(t.feed_handshake(make_hello(
            hrr_random, 0x1303,
            {{ext_supported_versions, tls13_version}, {ext_key_share, {0x00, 0x18}}})));
        CHECK(t.c.state() == client_state::failed);
        CHECK(t.c.sent_alert().has_value());
    }
}

// ---- 6. a non-null compression method ---------------------------------------------------------

TEST_CASE("negative: a non-null compression method in ServerHello", "[tls][tls12][negative]") {
    SECTION("TLS 1.3: the RFC 8448 ServerHello with compression method 1 (DEFLATE)") {
        rfc8448_server srv;
        client c(srv.config());
        REQUIRE(c.start());
        (void)c.take_output();
        bytes sh = srv.server_hello;
        const std::size_t at = 4 + 2 + 32 + 1 + sh[4 + 2 + 32] + 2; // after the suite
        REQUIRE(sh[at] == 0);
        sh[at] = 1;
        CHECK(c.feed(record_of(22, sh)).error() == errc::tls_illegal_parameter);
        CHECK(c.sent_alert() == alert_description::illegal_parameter);
        CHECK(c.take_output() == fatal_illegal_parameter);
        sh[at] = 0; // control
        client ok(srv.config());
        REQUIRE(ok.start());
        REQUIRE(ok.feed(record_of(22, sh)));
    }
    SECTION("TLS 1.2") {
        tls12_script s;
        CHECK(s.feed({s.hello(0xc02b, 1)}).error() == errc::tls_illegal_parameter);
        s.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
        CHECK(s.c.take_output() == fatal_illegal_parameter);
        tls12_script ok;
        REQUIRE(ok.feed({ok.hello(0xc02b, 0)}));
    }
}

// ---- 5. TLS 1.2: application data before Finished, a missing ChangeCipherSpec -----------------

namespace {

/// The TLS 1.2 script run up to our flight (ECDHE_ECDSA_WITH_AES_128_GCM_SHA256), with the
/// record keys both sides use worked out from the server's ECDHE key and our ClientKeyExchange.
struct tls12_after_flight : tls12_script {
    bytes flight;           // our ClientKeyExchange, ChangeCipherSpec, Finished records
    bytes client_finished;  // our Finished message, decrypted with OpenSSL
    tls12_key_block kb{};
    bytes transcript;       // ClientHello .. our Finished

    tls12_after_flight() {
        const bytes sh = hello(0xc02b);
        const bytes cert = certificate();
        const bytes ske = good_key_exchange();
        REQUIRE(feed({sh, cert, ske, hello_done()}));
        flight = c.take_output();
        // ClientKeyExchange: a plaintext handshake record, type 16, ECPoint<1..255>.
        REQUIRE(flight.size() > 9);
        REQUIRE(flight[0] == 22);
        REQUIRE(flight[5] == 16);
        const std::size_t cke_len = std::size_t{flight[3]} << 8 | flight[4];
        const bytes cke(flight.begin() + 5, flight.begin() + 5 + static_cast<std::ptrdiff_t>(cke_len));
        const bytes point(cke.begin() + 5, cke.end());
        REQUIRE(point.size() == std::size_t{cke[4]});
        const bytes premaster = ecdh(ecdhe.get(), curve, point);
        const auto cr = std::span<const std::uint8_t, 32>(client_random.data(), 32);
        const auto sr = std::span<const std::uint8_t, 32>(server_random.data(), 32);
        const tls12_master_secret master =
            derive_master_secret(hash_algorithm::sha256, premaster, cr, sr);
        kb = derive_key_block(*find_cipher_suite(0xc02b, protocol_version::tls12), master, cr, sr);
        // Then ChangeCipherSpec and our Finished, sealed at our sequence number 0.
        std::size_t at = 5 + cke_len;
        REQUIRE(flight.at(at) == 20);
        at += 6;
        const bytes rec(flight.begin() + static_cast<std::ptrdiff_t>(at), flight.end());
        REQUIRE(rec.at(0) == 22);
        bytes nonce(kb.client_write_iv().begin(), kb.client_write_iv().end());
        nonce.insert(nonce.end(), rec.begin() + 5, rec.begin() + 13);
        const bytes sealed(rec.begin() + 13, rec.end());
        const bytes key(kb.client_write_key().begin(), kb.client_write_key().end());
        auto fin = test::openssl_aead(EVP_aes_128_gcm(), false, key, nonce,
                                      test::tls12_ad(0, 22, sealed.size() - 16), sealed);
        REQUIRE(fin);
        client_finished = *fin;
        REQUIRE(client_finished.size() == 16);
        REQUIRE(client_finished[0] == 20);
        transcript = rfc8448_server::concat({client_hello, sh, cert, ske, hello_done(), cke,
                                             client_finished});
        // The server's Finished over all of it (RFC 5246 §7.4.9).
        transcript_hash th;
        th.update(transcript);
        th.select(hash_algorithm::sha256);
        const auto vd = tls12_finished_verify_data(hash_algorithm::sha256, master, false,
                                                   th.current());
        server_finished = {20, 0, 0, 12};
        server_finished.insert(server_finished.end(), vd.begin(), vd.end());
    }
    bytes server_finished;

    /// A record sealed as the server would, with OpenSSL (AES-128-GCM, explicit nonce).
    [[nodiscard]] bytes seal(std::uint64_t seq, std::uint8_t type, const bytes& plain) const {
        bytes nonce(kb.server_write_iv().begin(), kb.server_write_iv().end());
        bytes explicit_nonce(8);
        for (int i = 0; i < 8; ++i) {
            explicit_nonce[i] = static_cast<std::uint8_t>(0xa0 + seq + i); // any value will do
        }
        nonce.insert(nonce.end(), explicit_nonce.begin(), explicit_nonce.end());
        const bytes key(kb.server_write_key().begin(), kb.server_write_key().end());
        auto sealed = test::openssl_aead(EVP_aes_128_gcm(), true, key, nonce,
                                         test::tls12_ad(seq, type, plain.size()), plain);
        REQUIRE(sealed);
        explicit_nonce.insert(explicit_nonce.end(), sealed->begin(), sealed->end());
        return record_of(type, explicit_nonce);
    }
    /// Our alert, sealed under our keys after our Finished (sequence number 1).
    [[nodiscard]] bytes our_alert() {
        const bytes out = c.take_output();
        REQUIRE(out.size() == 5 + 8 + 2 + 16);
        REQUIRE(out[0] == 21);
        bytes nonce(kb.client_write_iv().begin(), kb.client_write_iv().end());
        nonce.insert(nonce.end(), out.begin() + 5, out.begin() + 13);
        const bytes key(kb.client_write_key().begin(), kb.client_write_key().end());
        auto plain = test::openssl_aead(EVP_aes_128_gcm(), false, key, nonce,
                                        test::tls12_ad(1, 21, 2), bytes(out.begin() + 13, out.end()));
        REQUIRE(plain);
        return *plain;
    }
};

} // namespace

TEST_CASE("negative: TLS 1.2 application data before Finished, a missing ChangeCipherSpec",
          "[tls][tls12][negative]") {
    tls12_after_flight s;
    const bytes ccs = record_of(20, {1});
    SECTION("control: ChangeCipherSpec, Finished, then application data") {
        REQUIRE(s.c.feed(ccs));
        REQUIRE(s.c.feed(s.seal(0, 22, s.server_finished)));
        CHECK(s.c.is_connected());
        REQUIRE(s.c.feed(s.seal(1, 23, {'o', 'k'})));
        CHECK(s.c.take_application_data() == bytes{'o', 'k'});
    }
    SECTION("plaintext application data before the ChangeCipherSpec") {
        CHECK(s.c.feed(record_of(23, {'h', 'i'})).error() == errc::tls_unexpected_message);
        s.expect(errc::tls_unexpected_message, alert_description::unexpected_message);
        CHECK(s.our_alert() == bytes{2, 10});
        CHECK(s.c.take_application_data().empty());
    }
    SECTION("protected application data after the ChangeCipherSpec, before Finished") {
        REQUIRE(s.c.feed(ccs));
        CHECK(s.c.feed(s.seal(0, 23, {'h', 'i'})).error() == errc::tls_unexpected_message);
        s.expect(errc::tls_unexpected_message, alert_description::unexpected_message);
        CHECK(s.our_alert() == bytes{2, 10});
        CHECK(s.c.take_application_data().empty());
    }
    SECTION("application data and Finished in one flight: the data comes first, refused") {
        REQUIRE(s.c.feed(ccs));
        CHECK(s.c.feed(rfc8448_server::concat({s.seal(0, 23, {'h', 'i'}),
                                               s.seal(1, 22, s.server_finished)}))
                  .error() == errc::tls_unexpected_message);
        CHECK_FALSE(s.c.is_connected());
    }
    SECTION("missing ChangeCipherSpec: a plaintext Finished") {
        CHECK(s.c.feed(record_of(22, s.server_finished)).error() == errc::tls_unexpected_message);
        s.expect(errc::tls_unexpected_message, alert_description::unexpected_message);
        CHECK(s.our_alert() == bytes{2, 10});
    }
    SECTION("missing ChangeCipherSpec: the protected Finished read as plaintext") {
        // Read as plaintext, the record starts with its explicit nonce a0 a1 a2 a3: a handshake
        // header of an unknown type announcing 10 MB. It must fail, never connect.
        CHECK(s.c.feed(s.seal(0, 22, s.server_finished)).error() == errc::too_large);
        s.expect(errc::too_large, alert_description::decode_error);
        CHECK_FALSE(s.c.is_connected());
    }
    SECTION("two ChangeCipherSpecs") {
        REQUIRE(s.c.feed(ccs));
        CHECK(s.c.feed(ccs).error() == errc::tls_unexpected_message);
        s.expect(errc::tls_unexpected_message, alert_description::unexpected_message);
    }
}

// ---- 6. OCSP stapling (RFC 6066 §8, RFC 8446 §4.4.2.1) --------------------------------------

namespace {

/// The body of a CertificateStatus: status_type ocsp(1), then the response with a 24-bit length.
bytes certificate_status(const bytes& response, std::uint8_t status_type = 1) {
    bytes out = {status_type};
    const bytes len = u24(response.size());
    out.insert(out.end(), len.begin(), len.end());
    out.insert(out.end(), response.begin(), response.end());
    return out;
}

/// A stand-in OCSP response: the engine hands it on unread, the verifier here only records it.
const bytes fake_response = {0x30, 0x03, 0x0a, 0x01, 0x00};
const std::uint16_t ext_status_request = 5;

/// A TLS 1.3 Certificate of `certs`, entry i carrying the extensions `exts[i]` (if any).
bytes tls13_certificate_with(const std::vector<bytes>& certs,
                             const std::vector<std::vector<ext>>& exts) {
    bytes list;
    for (std::size_t i = 0; i < certs.size(); ++i) {
        const bytes len = u24(certs[i].size());
        list.insert(list.end(), len.begin(), len.end());
        list.insert(list.end(), certs[i].begin(), certs[i].end());
        bytes block;
        for (const auto& e : i < exts.size() ? exts[i] : std::vector<ext>{}) {
            block.insert(block.end(),
                         {static_cast<std::uint8_t>(e.type >> 8), static_cast<std::uint8_t>(e.type),
                          static_cast<std::uint8_t>(e.data.size() >> 8),
                          static_cast<std::uint8_t>(e.data.size())});
            block.insert(block.end(), e.data.begin(), e.data.end());
        }
        list.insert(list.end(), {static_cast<std::uint8_t>(block.size() >> 8),
                                 static_cast<std::uint8_t>(block.size())});
        list.insert(list.end(), block.begin(), block.end());
    }
    bytes body = {0};
    const bytes len = u24(list.size());
    body.insert(body.end(), len.begin(), len.end());
    body.insert(body.end(), list.begin(), list.end());
    return handshake(handshake_type::certificate, body);
}

/// The RFC 8448 client and keys up to our own Certificate message, with a verifier that records
/// the staple it is given.
struct tls13_staple_script {
    rfc8448_server srv;
    std::shared_ptr<std::vector<std::optional<bytes>>> staples =
        std::make_shared<std::vector<std::optional<bytes>>>();
    client c;
    rfc8448_server::sealer sealer{srv.server_hs};

    explicit tls13_staple_script(bool request_staple = true)
        : c([&] {
              client_config cfg = accept_any(srv.config());
              cfg.request_ocsp_staple = request_staple;
              cfg.verify_certificate = [seen = staples](std::span<const bytes_view>,
                                                        std::string_view,
                                                        std::optional<bytes_view> staple) {
                  seen->push_back(staple
                                      ? std::optional<bytes>(bytes(staple->begin(), staple->end()))
                                      : std::nullopt);
                  return status{};
              };
              return cfg;
          }()) {
        REQUIRE(c.start());
        (void)c.take_output();
        REQUIRE(c.feed(srv.server_hello_record));
        REQUIRE(c.feed(sealer.seal(content_type::handshake, srv.encrypted_extensions)));
    }
    status certificate(const bytes& message) {
        return c.feed(sealer.seal(content_type::handshake, message));
    }
    void expect(errc e, alert_description a, refusal why) {
        CHECK(c.error() == e);
        CHECK(c.state() == client_state::failed);
        CHECK(c.sent_alert() == a);
        CHECK(c.refusal_cause() == why);
    }
};

/// Whether `hello` (a ClientHello message or record) carries status_request as RFC 6066 §8 has
/// it: ocsp(1), no responder ids, no request extensions.
bool offers_ocsp_status_request(const bytes& hello) {
    const bytes ext = {0x00, 0x05, 0x00, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00};
    return std::search(hello.begin(), hello.end(), ext.begin(), ext.end()) != hello.end();
}

} // namespace

TEST_CASE("stapling: the ClientHello asks for an OCSP staple unless told not to",
          "[tls][client][stapling]") {
    for (const bool request : {true, false}) {
        for (const auto max : {protocol_version::tls13, protocol_version::tls12}) {
            INFO("request " << request << ", max version " << static_cast<int>(max));
            client_config cfg = accept_any({});
            cfg.max_version = max;
            cfg.request_ocsp_staple = request;
            client c(cfg);
            REQUIRE(c.start());
            CHECK(offers_ocsp_status_request(c.take_output()) == request);
        }
    }
}

TEST_CASE("stapling: TLS 1.3 staple in the leaf's CertificateEntry", "[tls][client][stapling]") {
    const test::made_cert leaf = signing_leaf(test::cert_key::p256);
    const test::made_cert other = signing_leaf(test::cert_key::p256);
    const bytes leaf_der(leaf.der.begin(), leaf.der.end());
    const bytes other_der(other.der.begin(), other.der.end());

    SECTION("the leaf's staple reaches the verifier; one on another entry is ignored") {
        tls13_staple_script s;
        const bytes other_response = {0x30, 0x00};
        const bytes cert = tls13_certificate_with(
            {leaf_der, other_der}, {{{ext_status_request, certificate_status(fake_response)}},
                                    {{ext_status_request, certificate_status(other_response)}}});
        REQUIRE(s.certificate(cert));
        CHECK(s.c.tls13_session()->state() == tls13_state::wait_certificate_verify);
        REQUIRE(s.staples->size() == 1);
        CHECK(s.staples->front() == std::optional<bytes>(fake_response));
        CHECK(bytes(s.c.ocsp_staple().begin(), s.c.ocsp_staple().end()) == fake_response);
        // The stapled Certificate is part of the transcript the CertificateVerify covers.
        bytes content(64, 0x20);
        const std::string context = "TLS 1.3, server CertificateVerify";
        content.insert(content.end(), context.begin(), context.end());
        content.push_back(0);
        const bytes h =
            digest(EVP_sha256(), rfc8448_server::concat({s.srv.client_hello, s.srv.server_hello,
                                                         s.srv.encrypted_extensions, cert}));
        content.insert(content.end(), h.begin(), h.end());
        const bytes sig = sign(leaf.key.get(), EVP_sha256(), content);
        bytes body = {0x04, 0x03, static_cast<std::uint8_t>(sig.size() >> 8),
                      static_cast<std::uint8_t>(sig.size())};
        body.insert(body.end(), sig.begin(), sig.end());
        REQUIRE(s.c.feed(s.sealer.seal(content_type::handshake,
                                       handshake(handshake_type::certificate_verify, body))));
        CHECK(s.c.tls13_session()->state() == tls13_state::wait_finished);
    }
    SECTION("no staple: the verifier is told so") {
        tls13_staple_script s;
        REQUIRE(s.certificate(tls13_certificate(leaf_der)));
        REQUIRE(s.staples->size() == 1);
        CHECK_FALSE(s.staples->front().has_value());
        CHECK(s.c.ocsp_staple().empty());
    }
    SECTION("a staple we did not ask for is unsupported_extension") {
        tls13_staple_script s(false);
        CHECK(s
                  .certificate(tls13_certificate_with(
                      {leaf_der}, {{{ext_status_request, certificate_status(fake_response)}}}))
                  .error() == errc::tls_unsupported_extension);
        s.expect(errc::tls_unsupported_extension, alert_description::unsupported_extension,
                 refusal::certificate_entry_extension);
        CHECK(s.staples->empty());
    }
    SECTION("status_request in EncryptedExtensions is illegal_parameter") {
        rfc8448_server srv;
        client c(accept_any(srv.config()));
        REQUIRE(c.start());
        REQUIRE(c.feed(srv.server_hello_record));
        rfc8448_server::sealer sealer{srv.server_hs};
        const bytes ee =
            handshake(handshake_type::encrypted_extensions, {0x00, 0x04, 0x00, 0x05, 0x00, 0x00});
        CHECK(c.feed(sealer.seal(content_type::handshake, ee)).error() ==
              errc::tls_illegal_parameter);
        CHECK(c.refusal_cause() == refusal::extension_not_allowed_here);
    }
    SECTION("a malformed CertificateStatus is decode_error") {
        const std::pair<const char*, bytes> bad[] = {
            {"status type 2 (ocsp_multi)", certificate_status(fake_response, 2)},
            {"an empty response", certificate_status({})},
            {"a response longer than its extension", bytes{1, 0, 0, 9, 0x30}},
            {"bytes after the response",
             [] {
                 bytes b = certificate_status(fake_response);
                 b.push_back(0);
                 return b;
             }()},
            {"no response length", bytes{1}},
        };
        int ran = 0;
        for (const auto& [what, data] : bad) {
            INFO(what);
            tls13_staple_script s;
            CHECK(s.certificate(tls13_certificate_with({leaf_der}, {{{ext_status_request, data}}}))
                      .error() == errc::tls_decode_error);
            s.expect(errc::tls_decode_error, alert_description::decode_error,
                     refusal::malformed_certificate_status);
            CHECK(s.staples->empty());
            ++ran;
        }
        CHECK(ran == 5);
    }
}

TEST_CASE("stapling: TLS 1.2 CertificateStatus after Certificate", "[tls][tls12][stapling]") {
    const auto acknowledging_hello = [](const tls12_script& s) {
        return make_hello(s.server_random, 0xc02b, {{0xff01, {0}}, {ext_status_request, {}}});
    };
    const bytes status_message =
        handshake(handshake_type::certificate_status, certificate_status(fake_response));

    SECTION("acknowledged and sent: the staple reaches the verifier") {
        tls12_script s;
        REQUIRE(s.feed({acknowledging_hello(s), s.certificate()}));
        CHECK(s.staples->empty()); // the check waits for the CertificateStatus
        REQUIRE(s.feed({status_message}));
        REQUIRE(s.staples->size() == 1);
        CHECK(s.staples->front() == std::optional<bytes>(fake_response));
        // The ServerKeyExchange signature and our flight go on as usual.
        REQUIRE(s.feed({s.good_key_exchange(), tls12_script::hello_done()}));
        CHECK(s.c.tls12_session()->state() == tls12_state::wait_change_cipher_spec);
        CHECK(bytes(s.c.tls12_session()->ocsp_staple().begin(),
                    s.c.tls12_session()->ocsp_staple().end()) == fake_response);
    }
    SECTION("acknowledged but not sent (RFC 6066 §8 allows it): no staple") {
        tls12_script s;
        REQUIRE(s.feed({acknowledging_hello(s), s.certificate(), s.good_key_exchange(),
                        tls12_script::hello_done()}));
        REQUIRE(s.staples->size() == 1);
        CHECK_FALSE(s.staples->front().has_value());
        CHECK(s.c.tls12_session()->state() == tls12_state::wait_change_cipher_spec);
    }
    SECTION("sent without the acknowledgement: unexpected_message") {
        tls12_script s;
        CHECK(s.feed({s.hello(0xc02b), s.certificate(), status_message}).error() ==
              errc::tls_unexpected_message);
        s.expect(errc::tls_unexpected_message, alert_description::unexpected_message);
        CHECK(s.c.refusal_cause() == refusal::certificate_status_not_acknowledged);
    }
    SECTION("sent twice: the second is out of order") {
        tls12_script s;
        CHECK(s.feed({acknowledging_hello(s), s.certificate(), status_message, status_message})
                  .error() == errc::tls_unexpected_message);
        CHECK(s.c.refusal_cause() == refusal::unexpected_handshake_message);
    }
    SECTION("a malformed CertificateStatus is decode_error") {
        tls12_script s;
        CHECK(s.feed({acknowledging_hello(s), s.certificate(),
                      handshake(handshake_type::certificate_status,
                                certificate_status(fake_response, 2))})
                  .error() == errc::tls_decode_error);
        s.expect(errc::tls_decode_error, alert_description::decode_error);
        CHECK(s.c.refusal_cause() == refusal::malformed_certificate_status);
        CHECK(s.staples->empty());
    }
    SECTION("an acknowledgement that is not empty is decode_error") {
        tls12_script s;
        CHECK(s.feed({make_hello(s.server_random, 0xc02b,
                                 {{0xff01, {0}}, {ext_status_request, {1, 0, 0, 0, 0}}})})
                  .error() == errc::tls_decode_error);
        CHECK(s.c.refusal_cause() == refusal::status_request_acknowledgement_not_empty);
    }
    SECTION("an acknowledgement of an offer we did not make is unsupported_extension") {
        tls12_script s;
        client_config cfg = accept_any({});
        cfg.max_version = protocol_version::tls12;
        cfg.request_ocsp_staple = false;
        client c(cfg);
        REQUIRE(c.start());
        (void)c.take_output();
        CHECK(c.feed(record_of(22, acknowledging_hello(s))).error() ==
              errc::tls_unsupported_extension);
        CHECK(c.refusal_cause() == refusal::extension_not_offered);
    }
}
