// RFC 8448 traces (Botan's transcripts.vec) replayed through the client engine byte for byte:
// injected randomness, the trace's own ClientHello in the transcript, the server's records fed
// in, and our Finished, application data and close_notify records compared with the trace's.
#include <https/crypto/x25519.hpp>
#include <https/tls/client.hpp>

#include "support/client_hello_reader.hpp"
#include "support/tls_traces.hpp"
#include "support/vectors.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace https;
using namespace https::tls;

namespace {

using section = std::map<std::string, std::string>;

const section& trace(const std::string& name) {
    static const auto all = test::read_rfc8448_transcripts();
    return all.at(name);
}

test::bytes field(const section& s, const std::string& key) {
    return test::hex(s.at(key));
}

/// A handshake message from a whole plaintext record (the 5-byte header dropped).
test::bytes record_body(const test::bytes& record) {
    return {record.begin() + 5, record.end()};
}

bool contains(const test::bytes& haystack, bytes_view needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
           haystack.end();
}

struct replay {
    crypto::replay_random rng;
    std::vector<test::bytes> hellos; ///< the trace's ClientHello messages, by attempt
    std::vector<test::bytes> ours;   ///< what our engine encoded, by attempt
    std::vector<test::bytes> chain;  ///< what the verifier was shown
    client engine;

    replay(const section& s, bool compat, std::vector<test::bytes> trace_hellos)
        : rng(field(s, "Client_RNG_Pool")), hellos(std::move(trace_hellos)),
          engine(make_config(compat)) {}

    client_config make_config(bool compat) {
        client_config cfg;
        cfg.server_name = "server";
        cfg.random = &rng;
        cfg.middlebox_compatibility = compat;
        cfg.min_rsa_key_bits = 1024; // the trace's RSA key is 1024 bits (replay only)
        // The trace's randomness makes an X25519 share first (no hybrid share).
        cfg.groups = {named_group::x25519, named_group::secp256r1, named_group::secp384r1};
        cfg.verify_certificate = [this](std::span<const bytes_view> c, std::string_view host,
                                        std::optional<bytes_view>) {
            CHECK(host == "server");
            for (auto der : c) {
                chain.emplace_back(der.begin(), der.end());
            }
            return status{}; // path validation bypassed for the trace's self-signed test key
        };
        test::replay_client_hello(cfg, [this](const byte_vector& mine, unsigned attempt) {
            ours.push_back(mine);
            return hellos.at(attempt);
        });
        return cfg;
    }
};

} // namespace

TEST_CASE("RFC 8448 simple 1-RTT handshake replayed", "[tls][rfc8448]") {
    const section& s = trace("Simple_1RTT_Handshake");
    const auto ch = field(s, "Record_ClientHello_1");
    replay r(s, false, {record_body(ch)});
    REQUIRE(r.engine.start());
    CHECK(r.engine.take_output() == ch); // the trace's record, version 0x0301 included
    REQUIRE(r.ours.size() == 1);
    // Our own ClientHello carries the same X25519 share as the trace's (same injected key).
    const auto priv = field(s, "Client_RNG_Pool");
    const auto kp = crypto::x25519_key_pair::from_private(
        std::span<const std::uint8_t, 32>(priv.data() + 32, 32));
    CHECK(contains(r.ours[0], kp.public_key));
    CHECK(contains(ch, kp.public_key));

    REQUIRE(r.engine.feed(field(s, "Record_ServerHello")));
    CHECK(r.engine.tls13_session()->state() == tls13_state::wait_encrypted_extensions);
    CHECK_FALSE(r.engine.has_output());
    REQUIRE(r.engine.feed(field(s, "Record_ServerHandshakeMessages")));
    CHECK(r.engine.is_connected());
    CHECK(r.engine.negotiated_suite() == cipher_suite::tls_aes_128_gcm_sha256);
    CHECK(r.engine.negotiated_group() == named_group::x25519);
    REQUIRE(r.chain.size() == 1);
    // The certificate handed to the verifier is the one in the trace's Certificate message.
    CHECK(contains(field(s, "Message_Server_Certificate"), r.chain[0]));
    CHECK(r.engine.take_output() == field(s, "Record_ClientFinished"));

    REQUIRE(r.engine.feed(field(s, "Record_NewSessionTicket")));
    REQUIRE(r.engine.session_tickets().size() == 1);
    CHECK(r.engine.session_tickets()[0].ticket == field(s, "SessionTicket"));
    CHECK(r.engine.session_tickets()[0].psk.size() == 32);

    REQUIRE(r.engine.send(field(s, "Client_AppData")));
    CHECK(r.engine.take_output() == field(s, "Record_Client_AppData"));
    REQUIRE(r.engine.feed(field(s, "Record_Server_AppData")));
    CHECK(r.engine.take_application_data() == field(s, "Server_AppData"));

    r.engine.close();
    CHECK(r.engine.take_output() == field(s, "Record_Client_CloseNotify"));
    REQUIRE(r.engine.feed(field(s, "Record_Server_CloseNotify")));
    CHECK(r.engine.peer_closed());
    CHECK(r.rng.remaining() == 0); // exactly the pool was used: random, then the X25519 key
}

TEST_CASE("RFC 8448 HelloRetryRequest handshake replayed", "[tls][rfc8448]") {
    const section& s = trace("HelloRetryRequest_Handshake");
    const auto ch1 = field(s, "Record_ClientHello_1");
    const auto ch2 = field(s, "Record_ClientHello_2");
    replay r(s, false, {record_body(ch1), record_body(ch2)});
    REQUIRE(r.engine.start());
    CHECK(r.engine.take_output() == ch1);
    // The HRR asks for secp256r1: our second ClientHello gets a P-256 share made only now.
    REQUIRE(r.engine.feed(field(s, "Record_HelloRetryRequest")));
    CHECK(r.engine.hello_retry_requested());
    CHECK(r.engine.take_output() == ch2);
    REQUIRE(r.ours.size() == 2);
    // Our second ClientHello's P-256 share is the trace's: same injected scalar.
    const auto pool = field(s, "Client_RNG_Pool");
    auto p256 =
        crypto::ecdh_p256::from_private(std::span<const std::uint8_t, 32>(pool.data() + 64, 32));
    REQUIRE(p256);
    CHECK(contains(r.ours[1], p256->public_key()));
    CHECK(contains(ch2, p256->public_key()));
    // Both ClientHellos carry the cookie only in the second one.
    CHECK(contains(r.ours[1], field(s, "HelloRetryRequest_Cookie")));
    CHECK_FALSE(contains(r.ours[0], field(s, "HelloRetryRequest_Cookie")));

    REQUIRE(r.engine.feed(field(s, "Record_ServerHello")));
    REQUIRE(r.engine.feed(field(s, "Record_ServerHandshakeMessages")));
    CHECK(r.engine.is_connected());
    CHECK(r.engine.negotiated_group() == named_group::secp256r1);
    CHECK(r.engine.take_output() == field(s, "Record_ClientFinished"));
    r.engine.close();
    CHECK(r.engine.take_output() == field(s, "Record_Client_CloseNotify"));
    REQUIRE(r.engine.feed(field(s, "Record_Server_CloseNotify")));
    CHECK(r.engine.peer_closed());
    CHECK(r.rng.remaining() == 0);
}

TEST_CASE("RFC 8448 middlebox compatibility mode replayed", "[tls][rfc8448]") {
    // Compatibility mode: a 32-byte legacy_session_id (drawn after the random), the server's
    // CCS before its encrypted flight (dropped), and ours before our Finished (RFC 8446 §D.4).
    const section& s = trace("Middlebox_Compatibility_Mode");
    const auto ch = field(s, "Record_ClientHello_1");
    replay r(s, true, {record_body(ch)});
    REQUIRE(r.engine.start());
    CHECK(r.engine.take_output() == ch);
    REQUIRE(r.engine.feed(field(s, "Record_ServerHello")));
    REQUIRE(r.engine.feed(field(s, "Record_ServerHandshakeMessages")));
    CHECK(r.engine.is_connected());
    CHECK(r.engine.take_output() == field(s, "Record_ClientFinished"));
    r.engine.close();
    CHECK(r.engine.take_output() == field(s, "Record_Client_CloseNotify"));
    CHECK(r.rng.remaining() == 0);
}

TEST_CASE("RFC 8448 trace: server bytes split at every offset", "[tls][rfc8448]") {
    // The record layer and the handshake reassembly must not care how the bytes arrive.
    const section& s = trace("Simple_1RTT_Handshake");
    test::bytes server = field(s, "Record_ServerHello");
    const auto flight = field(s, "Record_ServerHandshakeMessages");
    server.insert(server.end(), flight.begin(), flight.end());
    const auto expected_finished = field(s, "Record_ClientFinished");
    int runs = 0;
    for (std::size_t chunk : {1u, 2u, 3u, 7u, 64u, 100u, 1000u}) {
        replay r(s, false, {record_body(field(s, "Record_ClientHello_1"))});
        REQUIRE(r.engine.start());
        (void)r.engine.take_output();
        for (std::size_t off = 0; off < server.size(); off += chunk) {
            const std::size_t n = std::min(chunk, server.size() - off);
            REQUIRE(r.engine.feed(bytes_view(server).subspan(off, n)));
        }
        CHECK(r.engine.is_connected());
        CHECK(r.engine.take_output() == expected_finished);
        ++runs;
    }
    CHECK(runs == 7);
}

TEST_CASE("RFC 8448 trace: tampering is caught", "[tls][rfc8448]") {
    const section& s = trace("Simple_1RTT_Handshake");
    auto start = [&](replay& r) {
        REQUIRE(r.engine.start());
        (void)r.engine.take_output();
        REQUIRE(r.engine.feed(field(s, "Record_ServerHello")));
    };
    SECTION("a flipped ciphertext bit is bad_record_mac") {
        replay r(s, false, {record_body(field(s, "Record_ClientHello_1"))});
        start(r);
        auto flight = field(s, "Record_ServerHandshakeMessages");
        flight[40] ^= 1;
        CHECK(r.engine.feed(flight).error() == errc::tls_bad_record_mac);
        CHECK(r.engine.sent_alert() == alert_description::bad_record_mac);
        CHECK(r.engine.has_output()); // the alert, encrypted under the client handshake key
    }
    SECTION("a verifier's rejection becomes its alert") {
        replay r(s, false, {record_body(field(s, "Record_ClientHello_1"))});
        client_config cfg = r.make_config(false);
        cfg.verify_certificate = [](std::span<const bytes_view>, std::string_view,
                                    std::optional<bytes_view>) {
            return status{errc::cert_hostname_mismatch};
        };
        r.engine = client(cfg);
        start(r);
        CHECK(r.engine.feed(field(s, "Record_ServerHandshakeMessages")).error() ==
              errc::cert_hostname_mismatch);
        CHECK(r.engine.sent_alert() == alert_description::bad_certificate);
    }
    SECTION("a 2048-bit policy refuses the trace's 1024-bit key") {
        replay r(s, false, {record_body(field(s, "Record_ClientHello_1"))});
        client_config cfg = r.make_config(false);
        cfg.min_rsa_key_bits = 2048;
        r.engine = client(cfg);
        start(r);
        CHECK(r.engine.feed(field(s, "Record_ServerHandshakeMessages")).error() == errc::weak_key);
        CHECK(r.engine.sent_alert() == alert_description::insufficient_security);
    }
    SECTION("a second ServerHello is unexpected_message") {
        replay r(s, false, {record_body(field(s, "Record_ClientHello_1"))});
        start(r);
        CHECK(r.engine.feed(field(s, "Record_ServerHello")).error() ==
              errc::tls_unexpected_message);
        CHECK(r.engine.sent_alert() == alert_description::unexpected_message);
    }
}
