// The ClientHello with TLS 1.2 in it: one hello offering TLS 1.3 and 1.2 by default, pinned
// versions (1.2 only, 1.3 only), a restricted TLS 1.2 suite list, and the version dispatch on the
// ServerHello (downgrade sentinel only when TLS 1.3 was offered).
#include <https/crypto/random.hpp>
#include <https/tls/client.hpp>

#include "support/vectors.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace https;
using namespace https::tls;
using test::bytes;

namespace {

struct parsed_hello {
    bytes session_id;
    std::vector<std::uint16_t> suites;
    std::vector<std::pair<std::uint16_t, bytes>> extensions;

    [[nodiscard]] const bytes* ext(extension_type t) const {
        for (const auto& [type, data] : extensions) {
            if (type == static_cast<std::uint16_t>(t)) {
                return &data;
            }
        }
        return nullptr;
    }
};

parsed_hello hello_of(client_config cfg) {
    crypto::replay_random rng(bytes(400, 0x42));
    cfg.server_name = "example.com";
    cfg.random = &rng;
    client c(std::move(cfg));
    REQUIRE(c.start());
    const bytes record = c.take_output();
    reader r(bytes_view(record).subspan(5 + 4));
    parsed_hello h;
    REQUIRE(*r.read_u16() == 0x0303);
    REQUIRE(r.read_bytes(32));
    const auto sid = *r.read_prefixed<1>();
    h.session_id.assign(sid.begin(), sid.end());
    reader suites = *r.read_nested<2>();
    while (!suites.empty()) {
        h.suites.push_back(*suites.read_u16());
    }
    REQUIRE(r.read_prefixed<1>());
    reader exts = *r.read_nested<2>();
    while (!exts.empty()) {
        const std::uint16_t type = *exts.read_u16();
        const auto data = *exts.read_prefixed<2>();
        h.extensions.emplace_back(type, bytes(data.begin(), data.end()));
    }
    REQUIRE(r.empty());
    return h;
}

const std::vector<std::uint16_t> all_tls12_suites = {0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                                                     0xcca8, 0xc023, 0xc027, 0xc024, 0xc028,
                                                     0x009d, 0x009c, 0x003d};

bool has(const bytes& list, std::uint8_t hi, std::uint8_t lo) {
    for (std::size_t i = 2; i + 1 < list.size(); i += 2) {
        if (list[i] == hi && list[i + 1] == lo) {
            return true;
        }
    }
    return false;
}

} // namespace

TEST_CASE("TLS 1.2 ClientHello: one hello offers TLS 1.3 and 1.2", "[tls][tls12][hello]") {
    const parsed_hello h = hello_of(client_config{});
    // TLS 1.3 suites first, then ours in preference order.
    std::vector<std::uint16_t> expected = {0x1301, 0x1302, 0x1303};
    expected.insert(expected.end(), all_tls12_suites.begin(), all_tls12_suites.end());
    CHECK(h.suites == expected);
    CHECK(h.session_id.size() == 32); // RFC 8446 §D.4 compatibility mode
    REQUIRE(h.ext(extension_type::supported_versions));
    CHECK(*h.ext(extension_type::supported_versions) == bytes{4, 3, 4, 3, 3});
    CHECK(h.ext(extension_type::key_share) != nullptr);
    // RFC 8422 §5.1.2: uncompressed points only.
    REQUIRE(h.ext(extension_type::ec_point_formats));
    CHECK(*h.ext(extension_type::ec_point_formats) == bytes{1, 0});
    REQUIRE(h.ext(extension_type::extended_master_secret));
    CHECK(h.ext(extension_type::extended_master_secret)->empty());
    // RFC 5746 §3.4: an empty renegotiated_connection.
    REQUIRE(h.ext(extension_type::renegotiation_info));
    CHECK(*h.ext(extension_type::renegotiation_info) == bytes{0});
    REQUIRE(h.ext(extension_type::session_ticket));
    CHECK(h.ext(extension_type::session_ticket)->empty());
    // CBC suites are offered, so encrypt_then_mac is too (RFC 7366 §2).
    REQUIRE(h.ext(extension_type::encrypt_then_mac));
    // TLS 1.2 servers sign ServerKeyExchange with PKCS#1 v1.5.
    const bytes* sigs = h.ext(extension_type::signature_algorithms);
    REQUIRE(sigs);
    CHECK(has(*sigs, 0x04, 0x01));
    CHECK(has(*sigs, 0x05, 0x01));
    CHECK(has(*sigs, 0x08, 0x04));
    CHECK(has(*sigs, 0x04, 0x03));
    CHECK(has(*sigs, 0x08, 0x07));       // ed25519 (RFC 8422 §5.1.3)
    CHECK_FALSE(has(*sigs, 0x02, 0x01)); // no SHA-1
    // Every extension type appears once.
    for (const auto& e : h.extensions) {
        const std::uint16_t t = e.first;
        INFO(t);
        CHECK(std::count_if(h.extensions.begin(), h.extensions.end(),
                            [t](const auto& x) { return x.first == t; }) == 1);
    }
}

TEST_CASE("TLS 1.2 ClientHello: pinned versions and restricted suites", "[tls][tls12][hello]") {
    SECTION("TLS 1.2 only: no TLS 1.3 suites, key shares, versions or session id") {
        client_config cfg;
        cfg.max_version = protocol_version::tls12;
        const parsed_hello h = hello_of(cfg);
        CHECK(h.suites == all_tls12_suites);
        CHECK(h.ext(extension_type::supported_versions) == nullptr);
        CHECK(h.ext(extension_type::key_share) == nullptr);
        CHECK(h.session_id.empty());
        CHECK(h.ext(extension_type::extended_master_secret) != nullptr);
    }
    SECTION("TLS 1.3 only: nothing of TLS 1.2") {
        client_config cfg;
        cfg.min_version = protocol_version::tls13;
        const parsed_hello h = hello_of(cfg);
        CHECK(h.suites == std::vector<std::uint16_t>{0x1301, 0x1302, 0x1303});
        CHECK(*h.ext(extension_type::supported_versions) == bytes{2, 3, 4});
        for (auto t : {extension_type::ec_point_formats, extension_type::extended_master_secret,
                       extension_type::renegotiation_info, extension_type::session_ticket,
                       extension_type::encrypt_then_mac}) {
            CHECK(h.ext(t) == nullptr);
        }
    }
    SECTION("the RSA key exchange with AES-GCM only: no encrypt_then_mac") {
        client_config cfg;
        cfg.max_version = protocol_version::tls12;
        cfg.tls12_cipher_suites = {cipher_suite::tls_rsa_with_aes_256_gcm_sha384,
                                   cipher_suite::tls_rsa_with_aes_128_gcm_sha256};
        const parsed_hello h = hello_of(cfg);
        CHECK(h.suites == std::vector<std::uint16_t>{0x009d, 0x009c});
        CHECK(h.ext(extension_type::encrypt_then_mac) == nullptr);
    }
    SECTION("a TLS 1.3 suite in the TLS 1.2 list is a configuration error") {
        client_config cfg;
        cfg.tls12_cipher_suites = {cipher_suite::tls_aes_128_gcm_sha256};
        crypto::replay_random rng(bytes(400, 0x42));
        cfg.random = &rng;
        client c(cfg);
        CHECK(c.start().error() == errc::tls_internal_error);
    }
    SECTION("min_version above max_version is a configuration error") {
        client_config cfg;
        cfg.min_version = protocol_version::tls13;
        cfg.max_version = protocol_version::tls12;
        client c(cfg);
        CHECK(c.start().error() == errc::tls_internal_error);
    }
}

namespace {

/// A minimal TLS 1.2 ServerHello record: version 0x0303, `random`, empty session id, `suite`,
/// renegotiation_info.
bytes server_hello_12(const bytes& random, std::uint16_t suite) {
    bytes body = {3, 3};
    body.insert(body.end(), random.begin(), random.end());
    body.push_back(0); // session id
    body.push_back(static_cast<std::uint8_t>(suite >> 8));
    body.push_back(static_cast<std::uint8_t>(suite));
    body.push_back(0);                              // compression
    const bytes exts = {0, 5, 0xff, 0x01, 0, 1, 0}; // renegotiation_info, empty
    body.insert(body.end(), exts.begin(), exts.end());
    bytes msg = {2, 0, static_cast<std::uint8_t>(body.size() >> 8),
                 static_cast<std::uint8_t>(body.size())};
    msg.insert(msg.end(), body.begin(), body.end());
    bytes rec = {22, 3, 3, static_cast<std::uint8_t>(msg.size() >> 8),
                 static_cast<std::uint8_t>(msg.size())};
    rec.insert(rec.end(), msg.begin(), msg.end());
    return rec;
}

} // namespace

TEST_CASE("TLS 1.2 version dispatch on the ServerHello", "[tls][tls12][hello]") {
    bytes random(32, 0x33);
    bytes sentinel = random;
    const bytes downgrd = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01};
    std::copy(downgrd.begin(), downgrd.end(), sentinel.end() - 8);
    auto run = [](client_config cfg, const bytes& sh) {
        crypto::replay_random rng(bytes(400, 0x42));
        cfg.random = &rng;
        cfg.server_name = "example.com";
        auto c = std::make_unique<client>(cfg);
        REQUIRE(c->start());
        (void)c->take_output();
        (void)c->feed(sh);
        return c;
    };
    SECTION("offered 1.3 and 1.2: a 1.2 ServerHello starts the TLS 1.2 handshake") {
        auto c = run(client_config{}, server_hello_12(random, 0xc02f));
        CHECK(c->error() == errc::ok);
        CHECK(c->state() == client_state::handshaking);
        CHECK(c->negotiated_version() == protocol_version::tls12);
        CHECK(c->negotiated_suite() == cipher_suite::tls_ecdhe_rsa_with_aes_128_gcm_sha256);
        REQUIRE(c->tls12_session());
        CHECK(c->tls12_session()->state() == tls12_state::wait_certificate);
        CHECK(c->tls12_session()->secure_renegotiation());
    }
    SECTION("offered 1.3 and 1.2: the downgrade sentinel is fatal") {
        auto c = run(client_config{}, server_hello_12(sentinel, 0xc02f));
        CHECK(c->error() == errc::tls_downgrade_detected);
        CHECK(c->sent_alert() == alert_description::illegal_parameter);
    }
    SECTION("pinned to 1.2: the sentinel is what a TLS 1.3 server must send, not an attack") {
        client_config cfg;
        cfg.max_version = protocol_version::tls12;
        auto c = run(cfg, server_hello_12(sentinel, 0xc02f));
        CHECK(c->error() == errc::ok);
        CHECK(c->state() == client_state::handshaking);
    }
    SECTION("1.3 only: a 1.2 ServerHello is protocol_version") {
        client_config cfg;
        cfg.min_version = protocol_version::tls13;
        auto c = run(cfg, server_hello_12(random, 0xc02f));
        CHECK(c->error() == errc::tls_protocol_version);
        CHECK(c->sent_alert() == alert_description::protocol_version);
    }
    SECTION("a TLS 1.3 suite in a TLS 1.2 ServerHello") {
        auto c = run(client_config{}, server_hello_12(random, 0x1301));
        CHECK(c->error() == errc::tls_illegal_parameter);
    }
    SECTION("renegotiation_info not empty on an initial handshake (RFC 5746 §3.4)") {
        bytes sh = server_hello_12(random, 0xc02f);
        sh.back() = 1; // renegotiated_connection length 1 ...
        sh.push_back(0);
        sh[4] = static_cast<std::uint8_t>(sh[4] + 1);                         // record length
        sh[8] = static_cast<std::uint8_t>(sh[8] + 1);                         // handshake length
        sh[sh.size() - 3] = static_cast<std::uint8_t>(sh[sh.size() - 3] + 1); // ext data length
        sh[sh.size() - 7] = static_cast<std::uint8_t>(sh[sh.size() - 7] + 1); // extensions length
        auto c = run(client_config{}, sh);
        CHECK(c->error() == errc::tls_handshake_failure);
        CHECK(c->sent_alert() == alert_description::handshake_failure);
    }
}
