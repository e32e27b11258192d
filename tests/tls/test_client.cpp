// The client state machine against a scripted server (the RFC 8448 §3 trace's keys): every
// protocol violation ends the handshake with its named error and the alert of the one table.
#include <https/tls/client.hpp>

#include "support/cert_factory.hpp"
#include "support/rfc8448_server.hpp"

#include <https/x509/verify.hpp>

#include <catch2/catch.hpp>

using namespace https;
using namespace https::tls;
using test::rfc8448_server;
using bytes = test::bytes;

namespace {

struct ext {
    std::uint16_t type;
    bytes data;
};

/// A ServerHello handshake message from parts (RFC 8446 §4.1.3).
bytes make_server_hello(std::uint16_t version, const bytes& random, const bytes& session_id,
                        std::uint16_t suite, const std::vector<ext>& exts, bool with_exts = true) {
    byte_vector body;
    writer w(body);
    w.put_u16(version);
    w.put_bytes(random);
    w.put_u8(static_cast<std::uint8_t>(session_id.size()));
    w.put_bytes(session_id);
    w.put_u16(suite);
    w.put_u8(0);
    if (with_exts) {
        const auto m = w.begin_prefixed(2);
        for (const auto& e : exts) {
            w.put_u16(e.type);
            w.put_u16(static_cast<std::uint16_t>(e.data.size()));
            w.put_bytes(e.data);
        }
        REQUIRE(w.end_prefixed(m, 2));
    }
    return *https::tls::detail::handshake_with_body(handshake_type::server_hello, body);
}

bytes key_share_x25519(const bytes& sh) { // the trace ServerHello's key_share body
    bytes out = {0x00, 0x1d, 0x00, 0x20};
    out.insert(out.end(), sh.end() - 6 - 32, sh.end() - 6);
    return out;
}

const bytes tls13_version = {0x03, 0x04};

struct fixture {
    rfc8448_server srv;
    client c{srv.config()};
    fixture() {
        REQUIRE(c.start());
        (void)c.take_output();
    }
    /// `msg` in plaintext records of at most 2^14 bytes.
    status feed_plain_handshake(const bytes& msg) {
        bytes records;
        for (std::size_t off = 0; off < msg.size(); off += max_plaintext_length) {
            const std::size_t n = std::min(max_plaintext_length, msg.size() - off);
            const bytes r = rfc8448_server::plaintext_record(
                content_type::handshake, bytes(msg.begin() + off, msg.begin() + off + n));
            records.insert(records.end(), r.begin(), r.end());
        }
        return c.feed(records);
    }
    /// The trace's ServerHello, then `records` encrypted under the server handshake key.
    status after_server_hello(const std::vector<std::pair<content_type, bytes>>& records) {
        REQUIRE(c.feed(srv.server_hello_record));
        rfc8448_server::sealer s(srv.server_hs);
        bytes all;
        for (const auto& [t, p] : records) {
            const bytes r = s.seal(t, p);
            all.insert(all.end(), r.begin(), r.end());
        }
        return c.feed(all);
    }
    void connect() {
        REQUIRE(c.feed(srv.server_hello_record));
        REQUIRE(c.feed(srv.flight_record));
        REQUIRE(c.is_connected());
        (void)c.take_output();
    }
    void expect(errc e, alert_description a) {
        CHECK(c.error() == e);
        CHECK(c.state() == client_state::failed);
        CHECK(c.sent_alert() == a);
        CHECK(c.has_output()); // the alert record
    }
};

} // namespace

TEST_CASE("client: ServerHello checks", "[tls][client]") {
    fixture f;
    const bytes& sh = f.srv.server_hello;
    const bytes random(sh.begin() + 6, sh.begin() + 38);
    const std::vector<ext> good = {{51, key_share_x25519(sh)}, {43, tls13_version}};
    SECTION("the trace's ServerHello, rebuilt, is accepted") {
        REQUIRE(make_server_hello(0x0303, random, {}, 0x1301, good) == sh);
        CHECK(f.feed_plain_handshake(make_server_hello(0x0303, random, {}, 0x1301, good)));
    }
    SECTION("TLS 1.2 with the downgrade sentinel") {
        bytes r = random;
        const bytes sentinel = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01};
        std::copy(sentinel.begin(), sentinel.end(), r.end() - 8);
        CHECK_FALSE(f.feed_plain_handshake(make_server_hello(0x0303, r, {}, 0xc02f, {}, false)));
        f.expect(errc::tls_downgrade_detected, alert_description::illegal_parameter);
    }
    SECTION("TLS 1.1 downgrade sentinel") {
        bytes r = random;
        const bytes sentinel = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00};
        std::copy(sentinel.begin(), sentinel.end(), r.end() - 8);
        CHECK_FALSE(f.feed_plain_handshake(make_server_hello(0x0302, r, {}, 0xc013, {})));
        f.expect(errc::tls_downgrade_detected, alert_description::illegal_parameter);
    }
    SECTION("TLS 1.2 without the sentinel: a version we did not offer") {
        CHECK_FALSE(f.feed_plain_handshake(make_server_hello(0x0303, random, {}, 0xc02f, {})));
        f.expect(errc::tls_protocol_version, alert_description::protocol_version);
    }
    SECTION("supported_versions naming TLS 1.2") {
        CHECK_FALSE(f.feed_plain_handshake(make_server_hello(
            0x0303, random, {}, 0x1301, {{51, key_share_x25519(sh)}, {43, {3, 3}}})));
        f.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
    SECTION("a suite we did not offer") {
        CHECK_FALSE(f.feed_plain_handshake(make_server_hello(0x0303, random, {}, 0x1304, good)));
        f.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
    SECTION("a session id we did not send") {
        CHECK_FALSE(
            f.feed_plain_handshake(make_server_hello(0x0303, random, {1, 2, 3}, 0x1301, good)));
        f.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
    SECTION("no key_share") {
        CHECK_FALSE(f.feed_plain_handshake(
            make_server_hello(0x0303, random, {}, 0x1301, {{43, tls13_version}})));
        f.expect(errc::tls_missing_extension, alert_description::missing_extension);
    }
    SECTION("a key share for a group we sent no share for") {
        bytes ks = key_share_x25519(sh);
        ks[1] = 0x17; // secp256r1
        CHECK_FALSE(f.feed_plain_handshake(
            make_server_hello(0x0303, random, {}, 0x1301, {{51, ks}, {43, tls13_version}})));
        f.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
    SECTION("an X25519 share of the wrong length") {
        bytes ks = {0x00, 0x1d, 0x00, 0x03, 1, 2, 3};
        CHECK_FALSE(f.feed_plain_handshake(
            make_server_hello(0x0303, random, {}, 0x1301, {{51, ks}, {43, tls13_version}})));
        f.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
    SECTION("an all-zero X25519 share (small order)") {
        bytes ks = {0x00, 0x1d, 0x00, 0x20};
        ks.resize(4 + 32, 0);
        CHECK_FALSE(f.feed_plain_handshake(
            make_server_hello(0x0303, random, {}, 0x1301, {{51, ks}, {43, tls13_version}})));
        f.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
    SECTION("an extension we never offered") {
        auto exts = good;
        exts.push_back({42, {}}); // early_data
        CHECK_FALSE(f.feed_plain_handshake(make_server_hello(0x0303, random, {}, 0x1301, exts)));
        f.expect(errc::tls_unsupported_extension, alert_description::unsupported_extension);
    }
    SECTION("an offered extension that does not belong in ServerHello") {
        auto exts = good;
        exts.push_back({16, {0, 9, 8, 'h', 't', 't', 'p', '/', '1', '.', '1'}});
        CHECK_FALSE(f.feed_plain_handshake(make_server_hello(0x0303, random, {}, 0x1301, exts)));
        f.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
    SECTION("a repeated extension") {
        auto exts = good;
        exts.push_back({43, tls13_version});
        CHECK_FALSE(f.feed_plain_handshake(make_server_hello(0x0303, random, {}, 0x1301, exts)));
        f.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
    SECTION("truncated ServerHello") {
        bytes bad = sh;
        bad.resize(bad.size() - 3);
        bad[3] = static_cast<std::uint8_t>(bad.size() - 4);
        CHECK_FALSE(f.feed_plain_handshake(bad));
        f.expect(errc::tls_decode_error, alert_description::decode_error);
    }
    SECTION("a message other than ServerHello first") {
        CHECK_FALSE(f.feed_plain_handshake(f.srv.encrypted_extensions));
        f.expect(errc::tls_unexpected_message, alert_description::unexpected_message);
    }
}

TEST_CASE("client: HelloRetryRequest checks", "[tls][client]") {
    fixture f;
    const bytes hrr_random(hello_retry_request_random.begin(), hello_retry_request_random.end());
    auto hrr = [&](std::vector<ext> exts) {
        exts.insert(exts.begin(), {43, tls13_version});
        return make_server_hello(0x0303, hrr_random, {}, 0x1301, exts);
    };
    SECTION("a second HelloRetryRequest is unexpected_message") {
        f.srv.pool.resize(f.srv.pool.size() + 64, 0x42); // randomness for the P-256 share
        client c(f.srv.config());
        REQUIRE(c.start());
        REQUIRE(c.feed(
            rfc8448_server::plaintext_record(content_type::handshake, hrr({{51, {0x00, 0x17}}}))));
        CHECK(c.hello_retry_requested());
        CHECK_FALSE(c.feed(rfc8448_server::plaintext_record(
            content_type::handshake, hrr({{44, {0x00, 0x02, 0xab, 0xcd}}}))));
        CHECK(c.error() == errc::tls_unexpected_message);
        CHECK(c.sent_alert() == alert_description::unexpected_message);
    }
    SECTION("asking for the group we already sent a share for") {
        CHECK_FALSE(f.feed_plain_handshake(hrr({{51, {0x00, 0x1d}}})));
        f.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
    SECTION("asking for a group we do not support") {
        CHECK_FALSE(f.feed_plain_handshake(hrr({{51, {0x00, 0x19}}})));
        f.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
    SECTION("a HelloRetryRequest that changes nothing") {
        CHECK_FALSE(f.feed_plain_handshake(hrr({})));
        f.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
    SECTION("a cookie-only HRR is answered with the cookie") {
        REQUIRE(f.feed_plain_handshake(hrr({{44, {0x00, 0x03, 'c', 'k', '!'}}})));
        const bytes out = f.c.take_output();
        const bytes cookie_ext = {0x00, 0x2c, 0x00, 0x05, 0x00, 0x03, 'c', 'k', '!'};
        CHECK(std::search(out.begin(), out.end(), cookie_ext.begin(), cookie_ext.end()) !=
              out.end());
        CHECK(f.c.tls13_session()->state() == tls13_state::wait_server_hello);
    }
    SECTION("a cookie too large for the second ClientHello is illegal_parameter") {
        // cookie<1..2^16-1> allows it in the HRR, but with our other extensions the second
        // ClientHello's extension block would pass 2^16 - 1 bytes (RFC 8446 §4.1.2): refused,
        // never sent with a wrapped length.
        const std::size_t n = 65400;
        bytes cookie = {static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
        cookie.resize(2 + n, 0x5a);
        CHECK_FALSE(f.feed_plain_handshake(hrr({{44, cookie}})));
        f.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
        CHECK(f.c.take_output() == bytes{21, 3, 3, 0, 2, 2, 47}); // the alert alone
    }
}

namespace {

/// A Certificate message (RFC 8446 §4.4.2) carrying `leaf` alone, without entry extensions.
bytes server_certificate(const bytes& leaf) {
    auto u24 = [](std::size_t n) {
        return bytes{static_cast<std::uint8_t>(n >> 16), static_cast<std::uint8_t>(n >> 8),
                     static_cast<std::uint8_t>(n)};
    };
    bytes entry = u24(leaf.size());
    entry.insert(entry.end(), leaf.begin(), leaf.end());
    entry.insert(entry.end(), {0, 0}); // no extensions
    bytes body = {0};                  // empty certificate_request_context
    const bytes list = u24(entry.size());
    body.insert(body.end(), list.begin(), list.end());
    body.insert(body.end(), entry.begin(), entry.end());
    bytes msg = {static_cast<std::uint8_t>(handshake_type::certificate)};
    const bytes len = u24(body.size());
    msg.insert(msg.end(), len.begin(), len.end());
    msg.insert(msg.end(), body.begin(), body.end());
    return msg;
}

/// A self-signed RSA server certificate for "server" with the given keyUsage.
test::made_cert leaf_with_key_usage(const std::string& key_usage) {
    return test::make_cert({"server",
                            test::cert_key::rsa2048,
                            {{"basicConstraints", "critical, CA:FALSE"},
                             {"keyUsage", "critical, " + key_usage},
                             {"extendedKeyUsage", "serverAuth"},
                             {"subjectAltName", "DNS:server"}}});
}

} // namespace

TEST_CASE("client: TLS 1.3 refuses a leaf whose keyUsage forbids signing", "[tls][client]") {
    // RFC 8446 §4.4.2.2: "the digitalSignature bit MUST be set if the Key Usage extension is
    // present". A keyEncipherment-only RSA leaf (made for the TLS 1.2 RSA key exchange) passes
    // path validation, which allows every TLS use...
    const test::made_cert enc_only = leaf_with_key_usage("keyEncipherment");
    x509::trust_store pinned;
    REQUIRE(pinned.add_der(enc_only.der));
    x509::verify_options vo;
    vo.dns_name = "server";
    REQUIRE(x509::verify_chain(enc_only.der, {}, pinned, vo));
    // ... but the TLS 1.3 handshake, which needs the key to sign CertificateVerify, refuses it.
    fixture f;
    const auto hs = content_type::handshake;
    CHECK_FALSE(f.after_server_hello(
        {{hs, f.srv.encrypted_extensions}, {hs, server_certificate(enc_only.der)}}));
    f.expect(errc::cert_bad_key_usage, alert_description::bad_certificate);

    // Control: the same certificate with digitalSignature gets past the Certificate message.
    fixture g;
    const test::made_cert signer = leaf_with_key_usage("digitalSignature, keyEncipherment");
    CHECK(g.after_server_hello(
        {{hs, g.srv.encrypted_extensions}, {hs, server_certificate(signer.der)}}));
    CHECK(g.c.tls13_session()->state() == tls13_state::wait_certificate_verify);
}

namespace {

/// A self-signed server certificate for "server" whose key (of `kind`) may only sign.
test::made_cert signing_leaf(test::cert_key kind) {
    return test::make_cert({"server",
                            kind,
                            {{"basicConstraints", "critical, CA:FALSE"},
                             {"keyUsage", "critical, digitalSignature"},
                             {"extendedKeyUsage", "serverAuth"},
                             {"subjectAltName", "DNS:server"}}});
}

/// OpenSSL's signature of `content` with `key`: Ed25519 over the content itself (no digest),
/// ECDSA over its SHA-256.
bytes openssl_sign(EVP_PKEY* key, const bytes& content) {
    const bool pure = EVP_PKEY_get_id(key) == EVP_PKEY_ED25519;
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, pure ? nullptr : EVP_sha256(), nullptr, key) ==
            1);
    std::size_t n = 0;
    REQUIRE(EVP_DigestSign(ctx.get(), nullptr, &n, content.data(), content.size()) == 1);
    bytes sig(n);
    REQUIRE(EVP_DigestSign(ctx.get(), sig.data(), &n, content.data(), content.size()) == 1);
    sig.resize(n);
    return sig;
}

/// A CertificateVerify message (RFC 8446 §4.4.3).
bytes certificate_verify_message(signature_scheme scheme, const bytes& signature) {
    byte_vector body;
    writer w(body);
    w.put_u16(static_cast<std::uint16_t>(scheme));
    w.put_u16(static_cast<std::uint16_t>(signature.size()));
    w.put_bytes(signature);
    return *https::tls::detail::handshake_with_body(handshake_type::certificate_verify, body);
}

} // namespace

TEST_CASE("client: ed25519 CertificateVerify needs an Ed25519 leaf and signs the content itself",
          "[tls][client]") {
    const auto hs = content_type::handshake;
    const test::made_cert ed = signing_leaf(test::cert_key::ed25519);
    const test::made_cert ec = signing_leaf(test::cert_key::p256);
    const bytes ed_cert = server_certificate(ed.der);
    const bytes ec_cert = server_certificate(ec.der);
    fixture f;
    // The transcript hash the server signs (and the client checks): the trace's ClientHello and
    // ServerHello, then the EncryptedExtensions and the Certificate message sent here.
    auto transcript_after = [&f](const bytes& certificate_message) {
        transcript_hash th;
        th.update(f.srv.client_hello);
        th.update(f.srv.server_hello);
        th.select(hash_algorithm::sha256);
        th.update(f.srv.encrypted_extensions);
        th.update(certificate_message);
        return th.current();
    };
    // RFC 8446 §4.4.3: 64 spaces, the server context string, a zero byte, the transcript hash.
    auto content_after = [&](const bytes& certificate_message) {
        return certificate_verify_content(transcript_after(certificate_message));
    };
    auto flight = [&](const bytes& certificate_message, signature_scheme scheme,
                      const bytes& signature) {
        return f.after_server_hello({{hs, f.srv.encrypted_extensions},
                                     {hs, certificate_message},
                                     {hs, certificate_verify_message(scheme, signature)}});
    };
    SECTION("an Ed25519 leaf's signature is accepted") {
        CHECK(flight(ed_cert, signature_scheme::ed25519,
                     openssl_sign(ed.key.get(), content_after(ed_cert))));
        CHECK(f.c.tls13_session()->state() == tls13_state::wait_finished);
        CHECK(f.c.negotiated_signature_scheme() == signature_scheme::ed25519);
    }
    SECTION("one bit flipped: decrypt_error") {
        bytes sig = openssl_sign(ed.key.get(), content_after(ed_cert));
        sig[40] ^= 0x01;
        CHECK_FALSE(flight(ed_cert, signature_scheme::ed25519, sig));
        f.expect(errc::tls_decrypt_error, alert_description::decrypt_error);
        CHECK_FALSE(f.c.negotiated_signature_scheme());
    }
    SECTION("signed over the transcript hash alone, as a prehashing signer would: decrypt_error") {
        const auto transcript = transcript_after(ed_cert); // the digest, kept alive for the view
        const bytes_view digest = transcript.view();
        CHECK_FALSE(flight(ed_cert, signature_scheme::ed25519,
                           openssl_sign(ed.key.get(), bytes(digest.begin(), digest.end()))));
        f.expect(errc::tls_decrypt_error, alert_description::decrypt_error);
    }
    SECTION("scheme ed25519 with an ECDSA leaf: illegal_parameter") {
        // A valid Ed25519 signature of the right content, by a key the leaf does not hold.
        CHECK_FALSE(flight(ec_cert, signature_scheme::ed25519,
                           openssl_sign(ed.key.get(), content_after(ec_cert))));
        f.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
    SECTION("scheme ecdsa_secp256r1_sha256 with an Ed25519 leaf: illegal_parameter") {
        CHECK_FALSE(flight(ed_cert, signature_scheme::ecdsa_secp256r1_sha256,
                           openssl_sign(ec.key.get(), content_after(ed_cert))));
        f.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
}

TEST_CASE("client: an empty server_name is refused instead of skipping the identity check",
          "[tls][client]") {
    rfc8448_server srv;
    {
        client_config cfg = srv.config();
        cfg.server_name.clear();
        client c(cfg);
        CHECK(c.start().error() == errc::cert_no_identity);
        CHECK_FALSE(c.has_output()); // nothing was sent
    }
    // Connecting without a name is an explicit choice; the verifier then sees an empty host.
    client_config cfg = srv.config(); // the trace's randomness again
    cfg.server_name.clear();
    cfg.check_host = x509::host_check::none;
    std::string seen = "unset";
    cfg.verify_certificate = [&seen](std::span<const bytes_view>, std::string_view host,
                                     std::optional<bytes_view>) {
        seen = host;
        return status{};
    };
    client c(cfg);
    REQUIRE(c.start());
    REQUIRE(c.feed(srv.server_hello_record));
    rfc8448_server::sealer s(srv.server_hs);
    const bytes no_sni_ack = {0x08, 0, 0, 2, 0, 0}; // EncryptedExtensions, empty
    REQUIRE(c.feed(rfc8448_server::concat({s.seal(content_type::handshake, no_sni_ack),
                                           s.seal(content_type::handshake, srv.certificate)})));
    CHECK(c.tls13_session()->state() == tls13_state::wait_certificate_verify);
    CHECK(seen.empty());
}

TEST_CASE("client: encrypted flight checks", "[tls][client]") {
    fixture f;
    const auto hs = content_type::handshake;
    SECTION("the trace's flight, one message per record") {
        CHECK(f.after_server_hello({{hs, f.srv.encrypted_extensions},
                                    {hs, f.srv.certificate},
                                    {hs, f.srv.certificate_verify},
                                    {hs, f.srv.finished}}));
        CHECK(f.c.is_connected());
    }
    SECTION("one message split over three records") {
        const bytes& cert = f.srv.certificate;
        CHECK(f.after_server_hello({{hs, f.srv.encrypted_extensions},
                                    {hs, bytes(cert.begin(), cert.begin() + 2)},
                                    {hs, bytes(cert.begin() + 2, cert.begin() + 300)},
                                    {hs, bytes(cert.begin() + 300, cert.end())},
                                    {hs, f.srv.certificate_verify},
                                    {hs, f.srv.finished}}));
        CHECK(f.c.is_connected());
    }
    SECTION("a CCS between encrypted records is dropped") {
        REQUIRE(f.c.feed(f.srv.server_hello_record));
        const bytes ccs = rfc8448_server::plaintext_record(content_type::change_cipher_spec, {1});
        REQUIRE(f.c.feed(ccs));
        REQUIRE(f.c.feed(f.srv.flight_record));
        CHECK(f.c.is_connected());
    }
    SECTION("a CCS of another value") {
        REQUIRE(f.c.feed(f.srv.server_hello_record));
        CHECK_FALSE(
            f.c.feed(rfc8448_server::plaintext_record(content_type::change_cipher_spec, {2})));
        f.expect(errc::tls_unexpected_message, alert_description::unexpected_message);
    }
    SECTION("an encrypted CCS") {
        CHECK_FALSE(f.after_server_hello({{content_type::change_cipher_spec, {1}}}));
        f.expect(errc::tls_unexpected_message, alert_description::unexpected_message);
    }
    SECTION("a plaintext handshake record after the ServerHello") {
        REQUIRE(f.c.feed(f.srv.server_hello_record));
        CHECK_FALSE(f.c.feed(rfc8448_server::plaintext_record(hs, f.srv.encrypted_extensions)));
        f.expect(errc::tls_unexpected_message, alert_description::unexpected_message);
    }
    SECTION("Certificate before EncryptedExtensions") {
        CHECK_FALSE(f.after_server_hello({{hs, f.srv.certificate}}));
        f.expect(errc::tls_unexpected_message, alert_description::unexpected_message);
    }
    SECTION("application data during the handshake") {
        CHECK_FALSE(f.after_server_hello({{content_type::application_data, {1, 2, 3}}}));
        f.expect(errc::tls_unexpected_message, alert_description::unexpected_message);
    }
    SECTION("EncryptedExtensions with an extension we never offered") {
        // early_data (42), empty
        const bytes ee = {0x08, 0x00, 0x00, 0x06, 0x00, 0x04, 0x00, 0x2a, 0x00, 0x00};
        CHECK_FALSE(f.after_server_hello({{hs, ee}}));
        f.expect(errc::tls_unsupported_extension, alert_description::unsupported_extension);
    }
    SECTION("EncryptedExtensions with key_share") {
        const bytes ee = {0x08, 0x00, 0x00, 0x08, 0x00, 0x06, 0x00, 0x33, 0x00, 0x02, 0x00, 0x1d};
        CHECK_FALSE(f.after_server_hello({{hs, ee}}));
        f.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
    SECTION("ALPN naming a protocol we did not offer") {
        const bytes alpn_h2 = {0x08, 0x00, 0x00, 0x0b, 0x00, 0x09, 0x00, 0x10,
                               0x00, 0x05, 0x00, 0x03, 0x02, 'h',  '2'};
        CHECK_FALSE(f.after_server_hello({{hs, alpn_h2}}));
        f.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
    SECTION("an empty Certificate") {
        const bytes cert = {0x0b, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00};
        CHECK_FALSE(f.after_server_hello({{hs, f.srv.encrypted_extensions}, {hs, cert}}));
        f.expect(errc::tls_decode_error, alert_description::decode_error);
    }
    SECTION("CertificateVerify with a scheme we did not offer") {
        bytes cv = f.srv.certificate_verify;
        cv[4] = 0x04; // rsa_pkcs1_sha256: certificates only
        cv[5] = 0x01;
        CHECK_FALSE(f.after_server_hello(
            {{hs, f.srv.encrypted_extensions}, {hs, f.srv.certificate}, {hs, cv}}));
        f.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
    SECTION("CertificateVerify with a bad signature") {
        bytes cv = f.srv.certificate_verify;
        cv[20] ^= 0x01;
        CHECK_FALSE(f.after_server_hello(
            {{hs, f.srv.encrypted_extensions}, {hs, f.srv.certificate}, {hs, cv}}));
        f.expect(errc::tls_decrypt_error, alert_description::decrypt_error);
    }
    SECTION("a wrong Finished") {
        bytes fin = f.srv.finished;
        fin.back() ^= 0x80;
        CHECK_FALSE(f.after_server_hello({{hs, f.srv.encrypted_extensions},
                                          {hs, f.srv.certificate},
                                          {hs, f.srv.certificate_verify},
                                          {hs, fin}}));
        f.expect(errc::tls_decrypt_error, alert_description::decrypt_error);
    }
    SECTION("data after Finished in the same record (a key change mid-record)") {
        bytes fin_and_more = f.srv.finished;
        fin_and_more.insert(fin_and_more.end(), {0x04, 0x00});
        CHECK_FALSE(f.after_server_hello({{hs, f.srv.encrypted_extensions},
                                          {hs, f.srv.certificate},
                                          {hs, f.srv.certificate_verify},
                                          {hs, fin_and_more}}));
        f.expect(errc::tls_unexpected_message, alert_description::unexpected_message);
    }
    SECTION("a fatal alert from the server") {
        CHECK_FALSE(f.after_server_hello({{content_type::alert, {2, 40}}}));
        CHECK(f.c.error() == errc::tls_alert_received);
        CHECK(f.c.received_alert() == alert_description::handshake_failure);
        CHECK_FALSE(f.c.sent_alert()); // no alert answers an alert
    }
    SECTION("a warning-level error alert is still fatal in TLS 1.3") {
        CHECK_FALSE(f.after_server_hello({{content_type::alert, {1, 42}}}));
        CHECK(f.c.received_alert() == alert_description::bad_certificate);
    }
    SECTION("a malformed alert") {
        CHECK_FALSE(f.after_server_hello({{content_type::alert, {2, 40, 0}}}));
        f.expect(errc::tls_decode_error, alert_description::decode_error);
    }
    SECTION("close_notify during the handshake") {
        CHECK_FALSE(f.after_server_hello({{content_type::alert, {1, 0}}}));
        CHECK(f.c.error() == errc::tls_closed);
    }
    SECTION("an all-zero inner plaintext (no content type)") {
        REQUIRE(f.c.feed(f.srv.server_hello_record));
        rfc8448_server::sealer s(f.srv.server_hs);
        CHECK_FALSE(f.c.feed(s.seal_raw_inner(bytes(10, 0))));
        f.expect(errc::tls_unexpected_message, alert_description::unexpected_message);
    }
    SECTION("a zero-length handshake record") {
        CHECK_FALSE(f.after_server_hello({{hs, {}}}));
        f.expect(errc::tls_unexpected_message, alert_description::unexpected_message);
    }
    SECTION("an oversized handshake message is refused from its header") {
        const bytes huge = {0x0b, 0x10, 0x00, 0x00}; // 1 MiB Certificate announced
        CHECK_FALSE(f.after_server_hello({{hs, f.srv.encrypted_extensions}, {hs, huge}}));
        f.expect(errc::too_large, alert_description::decode_error);
    }
}

TEST_CASE("client: record layer limits", "[tls][client]") {
    fixture f;
    SECTION("an unknown record type") {
        CHECK_FALSE(f.c.feed(bytes{0x19, 0x03, 0x03, 0x00, 0x01, 0x00}));
        f.expect(errc::tls_unexpected_message, alert_description::unexpected_message);
    }
    SECTION("a plaintext record over 2^14") {
        CHECK_FALSE(f.c.feed(bytes{0x16, 0x03, 0x03, 0x40, 0x01}));
        f.expect(errc::tls_record_overflow, alert_description::record_overflow);
    }
    SECTION("a protected record over 2^14 + 256") {
        REQUIRE(f.c.feed(f.srv.server_hello_record));
        CHECK_FALSE(f.c.feed(bytes{0x17, 0x03, 0x03, 0x41, 0x01}));
        f.expect(errc::tls_record_overflow, alert_description::record_overflow);
    }
    SECTION("an inner plaintext over 2^14 + 1") {
        REQUIRE(f.c.feed(f.srv.server_hello_record));
        rfc8448_server::sealer s(f.srv.server_hs);
        // 2^14 + 1 content bytes and the type: 2^14 + 2 > 2^14 + 1 (RFC 8446 §5.4)
        const bytes big = s.seal_raw_inner([] {
            bytes b((1u << 14) + 1, 0x41);
            b.push_back(22);
            return b;
        }());
        CHECK_FALSE(f.c.feed(big));
        f.expect(errc::tls_record_overflow, alert_description::record_overflow);
    }
    SECTION("application data before any handshake") {
        CHECK_FALSE(f.c.feed(bytes{0x17, 0x03, 0x03, 0x00, 0x01, 0x00}));
        f.expect(errc::tls_unexpected_message, alert_description::unexpected_message);
    }
    SECTION("a CCS before any ServerHello is tolerated") {
        CHECK(f.c.feed(bytes{0x14, 0x03, 0x03, 0x00, 0x01, 0x01}));
    }
}

TEST_CASE("client: after the handshake", "[tls][client]") {
    fixture f;
    f.connect();
    rfc8448_server::sealer server(f.srv.server_ap);
    SECTION("application data both ways") {
        REQUIRE(f.c.feed(server.seal(content_type::application_data, {'h', 'i'})));
        CHECK(f.c.take_application_data() == bytes{'h', 'i'});
        REQUIRE(f.c.send(as_bytes("ping")));
        const auto opened = rfc8448_server::open_all(f.srv.client_ap, f.c.take_output());
        REQUIRE(opened.size() == 1);
        CHECK(opened[0].first == content_type::application_data);
        CHECK(opened[0].second == bytes{'p', 'i', 'n', 'g'});
    }
    SECTION("a large write is split into records of at most 2^14") {
        const bytes big(40000, 0x5a);
        REQUIRE(f.c.send(big));
        const auto opened = rfc8448_server::open_all(f.srv.client_ap, f.c.take_output());
        REQUIRE(opened.size() == 3);
        CHECK(opened[0].second.size() == 16384);
        CHECK(opened[2].second.size() == 40000 - 2 * 16384);
    }
    SECTION("a CCS after the handshake") {
        CHECK_FALSE(f.c.feed(bytes{0x14, 0x03, 0x03, 0x00, 0x01, 0x01}));
        f.expect(errc::tls_unexpected_message, alert_description::unexpected_message);
    }
    SECTION("KeyUpdate with update_requested: new read keys, answered, new write keys") {
        REQUIRE(f.c.feed(server.seal(content_type::handshake, {24, 0, 0, 1, 1})));
        // Our answer, under the old client key: KeyUpdate(update_not_requested).
        const auto answer = rfc8448_server::open_all(f.srv.client_ap, f.c.take_output());
        REQUIRE(answer.size() == 1);
        CHECK(answer[0].second == bytes{24, 0, 0, 1, 0});
        // The server's next records use its next traffic secret (RFC 8446 §7.2).
        const secret next_server = next_traffic_secret(hash_algorithm::sha256, f.srv.server_ap);
        rfc8448_server::sealer server2(next_server);
        REQUIRE(f.c.feed(server2.seal(content_type::application_data, {'o', 'k'})));
        CHECK(f.c.take_application_data() == bytes{'o', 'k'});
        // And ours use our next secret.
        REQUIRE(f.c.send(as_bytes("x")));
        const secret next_client = next_traffic_secret(hash_algorithm::sha256, f.srv.client_ap);
        const auto after = rfc8448_server::open_all(next_client, f.c.take_output());
        REQUIRE(after.size() == 1);
        CHECK(after[0].second == bytes{'x'});
    }
    SECTION("KeyUpdate without request: no answer") {
        REQUIRE(f.c.feed(server.seal(content_type::handshake, {24, 0, 0, 1, 0})));
        CHECK_FALSE(f.c.has_output());
    }
    SECTION("KeyUpdate with an illegal value") {
        CHECK_FALSE(f.c.feed(server.seal(content_type::handshake, {24, 0, 0, 1, 2})));
        f.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
    SECTION("KeyUpdate followed by more data in the same record") {
        CHECK_FALSE(f.c.feed(server.seal(content_type::handshake, {24, 0, 0, 1, 0, 4, 0})));
        f.expect(errc::tls_unexpected_message, alert_description::unexpected_message);
    }
    SECTION("NewSessionTicket stored, then a malformed one") {
        const bytes good = {4, 0, 0, 16, 0, 0, 0x1c, 0x20, 1, 2, 3, 4, 1, 9, 0, 2, 't', 'k', 0, 0};
        REQUIRE(f.c.feed(server.seal(content_type::handshake, good)));
        REQUIRE(f.c.session_tickets().size() == 1);
        CHECK(f.c.session_tickets()[0].ticket == bytes{'t', 'k'});
        CHECK(f.c.session_tickets()[0].lifetime_seconds == 7200);
        CHECK_FALSE(f.c.feed(server.seal(content_type::handshake, {4, 0, 0, 3, 0, 0, 0})));
        f.expect(errc::tls_decode_error, alert_description::decode_error);
    }
    SECTION("a ticket lifetime over 7 days") {
        const bytes nst = {4, 0, 0, 16, 0, 0x09, 0x3a, 0x81, 1, 2,
                           3, 4, 1, 9,  0, 2,    't',  'k',  0, 0};
        CHECK_FALSE(f.c.feed(server.seal(content_type::handshake, nst)));
        f.expect(errc::tls_illegal_parameter, alert_description::illegal_parameter);
    }
    SECTION("a post-handshake CertificateRequest we never allowed") {
        CHECK_FALSE(f.c.feed(server.seal(content_type::handshake, {13, 0, 0, 3, 0, 0, 0})));
        f.expect(errc::tls_unexpected_message, alert_description::unexpected_message);
    }
    SECTION("close_notify from the server, then ours") {
        REQUIRE(f.c.feed(server.seal(content_type::application_data, {'z'})));
        REQUIRE(f.c.feed(server.seal(content_type::alert, {1, 0})));
        CHECK(f.c.peer_closed());
        CHECK(f.c.take_application_data() == bytes{'z'});
        f.c.close();
        const auto opened = rfc8448_server::open_all(f.srv.client_ap, f.c.take_output());
        REQUIRE(opened.size() == 1);
        CHECK(opened[0].first == content_type::alert);
        CHECK(opened[0].second == bytes{1, 0});
        CHECK(f.c.send(as_bytes("late")).error() == errc::tls_closed);
    }
    SECTION("user_canceled is not an error") {
        CHECK(f.c.feed(server.seal(content_type::alert, {1, 90})));
        CHECK(f.c.is_connected());
    }
}

TEST_CASE("alert table: one alert per error", "[tls][client]") {
    alert_description a{};
    CHECK_FALSE(alert_for(errc::tls_alert_received, a));
    CHECK_FALSE(alert_for(errc::tls_closed, a));
    const std::pair<errc, alert_description> rows[] = {
        {errc::tls_unexpected_message, alert_description::unexpected_message},
        {errc::tls_decode_error, alert_description::decode_error},
        {errc::truncated, alert_description::decode_error},
        {errc::tls_downgrade_detected, alert_description::illegal_parameter},
        {errc::cert_expired, alert_description::certificate_expired},
        {errc::cert_unknown_issuer, alert_description::unknown_ca},
        {errc::cert_hostname_mismatch, alert_description::bad_certificate},
        {errc::bad_signature, alert_description::decrypt_error},
        {errc::weak_key, alert_description::insufficient_security},
        {errc::random_failure, alert_description::internal_error},
        {errc::net_io_error, alert_description::internal_error},
    };
    for (const auto& [e, expected] : rows) {
        INFO(describe(e));
        REQUIRE(alert_for(e, a));
        CHECK(a == expected);
    }
    CHECK(std::string(describe(alert_description::certificate_expired)) == "certificate_expired");
}
