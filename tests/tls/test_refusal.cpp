// Refusal causes: each rule a scripted server breaks is reported by its own `tls::refusal`, next
// to the alert-named error that goes on the wire, and every refusal has its own description.
#include <https/tls/client.hpp>
#include <https/tls/refusal.hpp>

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

using namespace https;
using namespace https::tls;
using bytes = std::vector<std::uint8_t>;

namespace {

struct ext {
    std::uint16_t type;
    bytes data;
};

void put_u16(bytes& out, std::size_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

bytes handshake(handshake_type type, const bytes& body) {
    bytes out = {static_cast<std::uint8_t>(type), static_cast<std::uint8_t>(body.size() >> 16)};
    put_u16(out, body.size());
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

/// A ServerHello from its parts (RFC 8446 §4.1.3, RFC 5246 §7.4.1.3).
struct hello_parts {
    std::uint16_t legacy_version = 0x0303;
    bytes random = bytes(32, 0x42);
    bytes session_id;
    std::uint16_t suite = 0x1301;
    std::uint8_t compression = 0;
    std::vector<ext> exts;

    [[nodiscard]] bytes encode() const {
        bytes body;
        put_u16(body, legacy_version);
        body.insert(body.end(), random.begin(), random.end());
        body.push_back(static_cast<std::uint8_t>(session_id.size()));
        body.insert(body.end(), session_id.begin(), session_id.end());
        put_u16(body, suite);
        body.push_back(compression);
        bytes list;
        for (const auto& e : exts) {
            put_u16(list, e.type);
            put_u16(list, e.data.size());
            list.insert(list.end(), e.data.begin(), e.data.end());
        }
        put_u16(body, list.size());
        body.insert(body.end(), list.begin(), list.end());
        return handshake(handshake_type::server_hello, body);
    }
};

bytes record_of(content_type type, const bytes& fragment) {
    bytes r = {static_cast<std::uint8_t>(type), 3, 3};
    put_u16(r, fragment.size());
    r.insert(r.end(), fragment.begin(), fragment.end());
    return r;
}

constexpr std::uint16_t ext_supported_versions = 43;
constexpr std::uint16_t ext_key_share = 51;
constexpr std::uint16_t ext_alpn = 16;
constexpr std::uint16_t ext_encrypt_then_mac = 22;
constexpr std::uint16_t ext_renegotiation_info = 0xff01;

/// An X25519 key share: the base point, a valid public key.
bytes x25519_share() {
    bytes out = {0x00, 0x1d, 0x00, 0x20, 9};
    out.resize(4 + 32, 0);
    return out;
}

ext tls13_version() { return {ext_supported_versions, {0x03, 0x04}}; }

/// A client offering TLS 1.3 and 1.2 (X25519 share, no session id), started; what `server` sends
/// next is fed to it.
struct scripted {
    client c;
    scripted()
        : c([] {
              client_config cfg;
              cfg.server_name = "server";
              cfg.middlebox_compatibility = false;
              cfg.verify_certificate = [](std::span<const bytes_view>, std::string_view,
                                          std::optional<bytes_view>) { return status{}; };
              return cfg;
          }()) {
        REQUIRE(c.start());
        (void)c.take_output();
    }
    refusal feed(const bytes& records) {
        CHECK_FALSE(c.feed(records));
        CHECK(c.state() == client_state::failed);
        CHECK(c.error() == error_of(c.refusal_cause()));
        return c.refusal_cause();
    }
    refusal hello(const hello_parts& h) {
        return feed(record_of(content_type::handshake, h.encode()));
    }
};

hello_parts good_tls13_hello() {
    hello_parts h;
    h.exts = {tls13_version(), {ext_key_share, x25519_share()}};
    return h;
}

} // namespace

TEST_CASE("refusals: each broken rule has its own cause and the alert stays the same",
          "[tls][client][refusal]") {
    SECTION("control: a well-formed TLS 1.3 ServerHello is accepted") {
        scripted s;
        REQUIRE(s.c.feed(record_of(content_type::handshake, good_tls13_hello().encode())));
        CHECK(s.c.tls13_session()->state() == tls13_state::wait_encrypted_extensions);
        CHECK(s.c.refusal_cause() == refusal::none);
    }

    std::set<refusal> seen;
    std::set<errc> errors;
    auto check = [&](refusal got, refusal expected, errc wire) {
        CHECK(got == expected);
        CHECK(error_of(got) == wire);
        seen.insert(got);
        errors.insert(wire);
    };

    {
        scripted s;
        hello_parts h = good_tls13_hello();
        h.suite = 0x1304; // TLS_AES_128_CCM_SHA256: not offered
        check(s.hello(h), refusal::cipher_suite_not_offered, errc::tls_illegal_parameter);
        CHECK(s.c.sent_alert() == alert_description::illegal_parameter);
    }
    {
        scripted s;
        hello_parts h = good_tls13_hello();
        h.session_id = bytes(32, 7); // we sent none
        check(s.hello(h), refusal::session_id_echo_mismatch, errc::tls_illegal_parameter);
    }
    {
        scripted s;
        hello_parts h = good_tls13_hello();
        h.compression = 1;
        check(s.hello(h), refusal::compression_not_null, errc::tls_illegal_parameter);
    }
    {
        scripted s;
        hello_parts h = good_tls13_hello();
        h.legacy_version = 0x0301;
        check(s.hello(h), refusal::legacy_version_not_tls12, errc::tls_illegal_parameter);
    }
    {
        scripted s;
        hello_parts h = good_tls13_hello();
        h.exts[1].data[1] = 0x17; // a secp256r1 share: we sent an X25519 one only
        check(s.hello(h), refusal::key_share_group_not_offered, errc::tls_illegal_parameter);
    }
    {
        scripted s;
        hello_parts h = good_tls13_hello();
        h.exts[1].data[4] = 0; // the all-zero X25519 point: a zero shared secret
        check(s.hello(h), refusal::invalid_key_share, errc::tls_illegal_parameter);
    }
    {
        scripted s;
        hello_parts h = good_tls13_hello();
        h.exts.pop_back();
        check(s.hello(h), refusal::missing_key_share, errc::tls_missing_extension);
        CHECK(s.c.sent_alert() == alert_description::missing_extension);
    }
    {
        scripted s;
        hello_parts h = good_tls13_hello();
        h.exts.push_back({ext_alpn, {0, 9, 8, 'h', 't', 't', 'p', '/', '1', '.', '1'}});
        check(s.hello(h), refusal::extension_not_allowed_here, errc::tls_illegal_parameter);
    }
    {
        scripted s;
        hello_parts h = good_tls13_hello();
        h.exts.push_back({0x1234, {}});
        check(s.hello(h), refusal::extension_not_offered, errc::tls_unsupported_extension);
        CHECK(s.c.sent_alert() == alert_description::unsupported_extension);
    }
    {
        scripted s;
        hello_parts h;
        h.suite = 0xc02f;
        std::copy(downgrade_sentinel_tls12.begin(), downgrade_sentinel_tls12.end(),
                  h.random.begin() + 24);
        check(s.hello(h), refusal::downgrade_sentinel, errc::tls_downgrade_detected);
    }
    {
        scripted s;
        bytes sh = good_tls13_hello().encode();
        sh.resize(20);
        sh[1] = 0;
        sh[2] = 0;
        sh[3] = 16; // a ServerHello cut short after 16 bytes of its random
        check(s.feed(record_of(content_type::handshake, sh)), refusal::malformed_server_hello,
              errc::tls_decode_error);
        CHECK(s.c.sent_alert() == alert_description::decode_error);
    }
    {
        scripted s;
        check(s.feed(record_of(content_type::handshake, handshake(handshake_type::finished,
                                                                  bytes(32, 0)))),
              refusal::unexpected_handshake_message, errc::tls_unexpected_message);
    }
    {
        scripted s;
        check(s.feed(record_of(content_type::alert, {2, 40, 0})), refusal::malformed_alert,
              errc::tls_decode_error);
    }
    {
        scripted s;
        check(s.feed(record_of(content_type::change_cipher_spec, {2})),
              refusal::unexpected_change_cipher_spec, errc::tls_unexpected_message);
    }
    {
        scripted s;
        check(s.feed(record_of(content_type::application_data, {1, 2, 3})),
              refusal::application_data_before_finished, errc::tls_unexpected_message);
    }
    // TLS 1.2 ServerHellos: no supported_versions.
    {
        scripted s;
        hello_parts h;
        h.suite = 0xc02f; // AES-GCM
        h.exts = {{ext_encrypt_then_mac, {}}};
        check(s.hello(h), refusal::encrypt_then_mac_with_aead, errc::tls_illegal_parameter);
    }
    {
        scripted s;
        hello_parts h;
        h.suite = 0xc02f;
        h.exts = {{ext_renegotiation_info, {1, 0}}};
        check(s.hello(h), refusal::renegotiation_info_not_empty, errc::tls_handshake_failure);
        CHECK(s.c.sent_alert() == alert_description::handshake_failure);
    }
    {
        scripted s;
        hello_parts h;
        h.suite = 0x1301; // a TLS 1.3 suite under TLS 1.2
        check(s.hello(h), refusal::cipher_suite_not_offered, errc::tls_illegal_parameter);
    }
    {
        scripted s;
        hello_parts h;
        h.suite = 0xc02f;
        h.exts = {{ext_key_share, x25519_share()}}; // offered, but not a TLS 1.2 extension
        check(s.hello(h), refusal::extension_not_allowed_here, errc::tls_illegal_parameter);
    }

    // Distinct rules, distinct causes: 17 causes behind only 7 alert-named errors.
    CHECK(seen.size() == 17);
    CHECK(errors.size() == 7);
}

TEST_CASE("refusals: every cause has its own description", "[tls][refusal]") {
    std::set<std::string> texts;
    int n = 0;
    for (auto r = refusal::none; r <= refusal::finished_mismatch;
         r = static_cast<refusal>(static_cast<int>(r) + 1)) {
        const std::string text = describe(r);
        CHECK_FALSE(text.empty());
        CHECK(text != "unknown refusal");
        texts.insert(text);
        ++n;
        if (r != refusal::none) {
            CHECK(error_of(r) != errc::ok);
        }
    }
    CHECK(static_cast<int>(texts.size()) == n);
    CHECK(n > 60);
}
