// Message codecs, the record layer and handshake reassembly in isolation.
#include <https/tls/client.hpp>
#include <https/tls/messages.hpp>
#include <https/tls/record_layer.hpp>

#include "support/vectors.hpp"

#include <catch2/catch.hpp>

#include <chrono>

using namespace https;
using namespace https::tls;
using bytes = test::bytes;

namespace {

/// The extensions of an encoded ClientHello, parsed back with the server-side view.
extension_list client_hello_extensions(const bytes& msg, reader& body_out) {
    reader r(bytes_view(msg).subspan(4));
    (void)r.skip(2 + 32);
    (void)r.read_prefixed<1>();
    (void)r.read_prefixed<2>();
    (void)r.read_prefixed<1>();
    body_out = r;
    auto exts = extension_list::parse(r);
    REQUIRE(exts);
    REQUIRE(r.empty());
    return *exts;
}

} // namespace

TEST_CASE("ClientHello encoding", "[tls][messages]") {
    crypto::replay_random rng(bytes(200, 0x11));
    client_config cfg;
    cfg.server_name = "example.com";
    cfg.random = &rng;
    cfg.min_version = protocol_version::tls13; // the TLS 1.3-only offer (with TLS 1.2:
                                               // test_tls12_client_hello.cpp)
    client c(cfg);
    REQUIRE(c.start());
    const bytes record = c.take_output();
    REQUIRE(record.size() > 5);
    CHECK(record[0] == 22);
    CHECK(record[1] == 3);
    CHECK(record[2] == 1); // 0x0301 for the first ClientHello (RFC 8446 §5.1)
    const bytes msg(record.begin() + 5, record.end());
    CHECK(msg[0] == 1);
    reader r(bytes_view(msg).subspan(4));
    CHECK(*r.read_u16() == 0x0303);
    CHECK(r.read_bytes(32)->size() == 32);
    CHECK(r.read_prefixed<1>()->size() == 32); // compatibility-mode session id
    const auto suites = *r.read_prefixed<2>();
    CHECK(bytes(suites.begin(), suites.end()) == bytes{0x13, 0x01, 0x13, 0x02, 0x13, 0x03});
    reader dummy;
    const extension_list exts = client_hello_extensions(msg, dummy);
    const std::uint16_t expected[] = {0, 10, 13, 50, 16, 28, 43, 5, 51}; // 5: status_request
    for (auto t : expected) {
        INFO(t);
        CHECK(exts.find(t) != nullptr);
    }
    CHECK(exts.items().size() == std::size(expected));
    const auto* sv = exts.find(extension_type::supported_versions);
    CHECK(bytes(sv->data.begin(), sv->data.end()) == bytes{2, 3, 4});
    const auto* groups = exts.find(extension_type::supported_groups);
    CHECK(bytes(groups->data.begin(), groups->data.end()) ==
          bytes{0, 8, 0x11, 0xec, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18});
    // X25519MLKEM768 first (ML-KEM-768 encapsulation key, then X25519 key), then X25519.
    const auto* ks = exts.find(extension_type::key_share);
    REQUIRE(ks->data.size() == 2 + 4 + 1184 + 32 + 4 + 32);
    CHECK(bytes(ks->data.begin() + 2, ks->data.begin() + 6) == bytes{0x11, 0xec, 0x04, 0xc0});
    CHECK(bytes(ks->data.begin() + 6 + 1216, ks->data.begin() + 10 + 1216) ==
          bytes{0x00, 0x1d, 0x00, 0x20});
    const auto* sni = exts.find(extension_type::server_name);
    const std::string host(sni->data.begin() + 5, sni->data.end());
    CHECK(host == "example.com");
    const auto* sigs = exts.find(extension_type::signature_algorithms);
    // rsa_pkcs1_* only in signature_algorithms_cert (RFC 8446 §4.2.3).
    const bytes pkcs1 = {0x04, 0x01};
    CHECK(std::search(sigs->data.begin(), sigs->data.end(), pkcs1.begin(), pkcs1.end()) ==
          sigs->data.end());
    const auto* sigs_cert = exts.find(extension_type::signature_algorithms_cert);
    CHECK(std::search(sigs_cert->data.begin(), sigs_cert->data.end(), pkcs1.begin(), pkcs1.end()) !=
          sigs_cert->data.end());
    // ed25519 (RFC 8446 §4.2.3) in both lists, right after ecdsa_secp256r1_sha256.
    const bytes p256_then_ed25519 = {0x04, 0x03, 0x08, 0x07};
    for (const auto* list : {sigs, sigs_cert}) {
        CHECK(std::search(list->data.begin(), list->data.end(), p256_then_ed25519.begin(),
                          p256_then_ed25519.end()) != list->data.end());
    }
    const auto* alpn = exts.find(extension_type::application_layer_protocol_negotiation);
    CHECK(bytes(alpn->data.begin(), alpn->data.end()) ==
          bytes{0, 9, 8, 'h', 't', 't', 'p', '/', '1', '.', '1'});
}

TEST_CASE("names: every signature scheme we offer has its IANA name", "[tls][messages]") {
    std::size_t named = 0;
    for (const signature_scheme s : default_certificate_signature_schemes()) {
        INFO(static_cast<unsigned>(s));
        CHECK(signature_scheme_name(static_cast<std::uint16_t>(s)) != "unknown signature scheme");
        ++named;
    }
    CHECK(named == 9);
    CHECK(signature_scheme_name(0x0807) == "ed25519");
    CHECK(signature_scheme_name(0x0804) == "rsa_pss_rsae_sha256");
    CHECK(signature_scheme_name(0xfefe) == "unknown signature scheme");
}

TEST_CASE("ClientHello: no SNI for IP literals; no session id without compatibility mode",
          "[tls][messages]") {
    for (const char* host : {"127.0.0.1", "::1", "2001:db8::1"}) {
        crypto::replay_random rng(bytes(200, 0x22));
        client_config cfg;
        cfg.server_name = host;
        cfg.random = &rng;
        cfg.middlebox_compatibility = false;
        client c(cfg);
        REQUIRE(c.start());
        const bytes record = c.take_output();
        const bytes msg(record.begin() + 5, record.end());
        CHECK(msg[4 + 2 + 32] == 0); // empty legacy_session_id
        reader dummy;
        CHECK(client_hello_extensions(msg, dummy).find(extension_type::server_name) == nullptr);
        // ClientHello.random, the hybrid key (ML-KEM seed, X25519 key), the X25519 key.
        CHECK(rng.remaining() == 200 - 32 - 64 - 32 - 32);
    }
}

namespace {

/// An extension block (length prefix included) of empty extensions of the given types.
bytes empty_extensions(const std::vector<std::uint16_t>& types) {
    const std::size_t n = 4 * types.size();
    bytes out = {static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
    for (std::uint16_t t : types) {
        out.insert(out.end(),
                   {static_cast<std::uint8_t>(t >> 8), static_cast<std::uint8_t>(t), 0, 0});
    }
    return out;
}

std::vector<std::uint16_t> types_up_to(std::uint16_t count) {
    std::vector<std::uint16_t> t(count);
    for (std::uint16_t i = 0; i < count; ++i) {
        t[i] = i;
    }
    return t;
}

} // namespace

TEST_CASE("extension blocks: duplicates refused in linearithmic time", "[tls][messages]") {
    // The largest block holds 16383 distinct empty extensions (4 bytes each, 65532 bytes). A
    // pairwise duplicate check costs 1.3e8 comparisons for it, and a server may send one in every
    // ServerHello, EncryptedExtensions, CertificateEntry and NewSessionTicket.
    const bytes block = empty_extensions(types_up_to(16383));
    REQUIRE(block.size() == 2 + 65532);
    const auto start = std::chrono::steady_clock::now();
    std::size_t parsed = 0;
    for (int i = 0; i < 200; ++i) {
        reader r(block);
        auto exts = extension_list::parse(r);
        parsed += exts ? exts->items().size() : 0;
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(parsed == 200 * 16383);
    // 200 blocks: 2.7e10 comparisons pairwise (minutes), a few milliseconds each sorted; the
    // bound leaves a wide margin for sanitizer builds and busy machines.
    CHECK(elapsed < std::chrono::seconds(5));

    // RFC 8446 §4.2: a repeated type is illegal_parameter wherever it sits in the block.
    auto repeated_last = types_up_to(16382);
    repeated_last.push_back(7);
    for (const auto& types :
         {repeated_last, std::vector<std::uint16_t>{5, 5}, std::vector<std::uint16_t>{5, 9, 5},
          std::vector<std::uint16_t>{0, 0xffff, 0xffff}}) {
        const bytes b = empty_extensions(types);
        reader r(b);
        CHECK(extension_list::parse(r).error() == errc::tls_illegal_parameter);
    }
    const bytes distinct = empty_extensions({0xffff, 0, 43});
    reader r(distinct);
    CHECK(extension_list::parse(r));
}

TEST_CASE("record protection factories fail closed outside their enumerations", "[tls][messages]") {
    // Each factory picks the protection by an exhaustive switch over an enum class (-Wswitch
    // flags a new enumerator); a value no case names is an error, never plaintext or a default.
    const secret traffic(bytes(32, 0x5c));
    for (const auto& row : cipher_suites) {
        if (row.version == protocol_version::tls13) {
            const auto p = make_tls13_protection(row, traffic);
            REQUIRE(p);
            CHECK_FALSE(std::holds_alternative<plaintext_protection>(*p));
        }
    }
    cipher_suite_info bogus = *find_cipher_suite(0x1301);
    bogus.cipher = static_cast<record_cipher>(5);
    CHECK(make_tls13_protection(bogus, traffic).error() == errc::tls_internal_error);
    bogus.cipher = record_cipher::aes_128_cbc; // a TLS 1.2 cipher
    CHECK(make_tls13_protection(bogus, traffic).error() == errc::tls_internal_error);

    const cipher_suite_info cbc = *find_cipher_suite(
        static_cast<std::uint16_t>(cipher_suite::tls_ecdhe_rsa_with_aes_256_cbc_sha384));
    const std::array<std::uint8_t, 32> r{};
    const tls12_key_block kb =
        derive_key_block(cbc, derive_master_secret(cbc.prf_hash, bytes(48, 1), r, r), r, r);
    REQUIRE(make_tls12_protection(cbc, kb, true, false, r));
    cipher_suite_info bad = cbc;
    bad.cipher = static_cast<record_cipher>(5);
    CHECK(make_tls12_protection(bad, kb, true, false, r).error() == errc::tls_internal_error);
    bad = cbc;
    bad.prf_hash = static_cast<hash_algorithm>(2); // CBC-HMAC with a hash we do not have
    CHECK(make_tls12_protection(bad, kb, true, false, r).error() == errc::tls_internal_error);
}

TEST_CASE("handshake reassembly", "[tls][messages]") {
    handshake_reassembler h(100);
    SECTION("several messages in one fragment, one across fragments") {
        REQUIRE(h.append(bytes{20, 0, 0, 2, 0xaa, 0xbb, 4, 0, 0, 3, 1}));
        auto m1 = h.next();
        REQUIRE(m1);
        REQUIRE(m1->has_value());
        CHECK((*m1)->type == handshake_type::finished);
        CHECK(bytes((*m1)->body.begin(), (*m1)->body.end()) == bytes{0xaa, 0xbb});
        CHECK(bytes((*m1)->raw.begin(), (*m1)->raw.end()) == bytes{20, 0, 0, 2, 0xaa, 0xbb});
        auto m2 = h.next();
        REQUIRE(m2);
        CHECK_FALSE(m2->has_value());
        CHECK_FALSE(h.empty());
        REQUIRE(h.append(bytes{2, 3}));
        m2 = h.next();
        REQUIRE(m2->has_value());
        CHECK(bytes((*m2)->body.begin(), (*m2)->body.end()) == bytes{1, 2, 3});
        CHECK(h.empty());
    }
    SECTION("a header split over fragments") {
        REQUIRE(h.append(bytes{8, 0}));
        CHECK_FALSE(h.next()->has_value());
        REQUIRE(h.append(bytes{0, 0}));
        auto m = h.next();
        REQUIRE(m->has_value());
        CHECK((*m)->body.empty());
    }
    SECTION("limits") {
        CHECK(h.append(bytes{}).error() == errc::tls_unexpected_message);
        REQUIRE(h.append(bytes{11, 0, 0, 101}));
        CHECK(h.next().error() == errc::too_large);
    }
}

TEST_CASE("record layer: framing and AEAD protection", "[tls][messages]") {
    std::array<std::uint8_t, 32> key{};
    std::array<std::uint8_t, 12> iv{};
    for (std::size_t i = 0; i < 32; ++i) {
        key[i] = static_cast<std::uint8_t>(i);
    }
    iv[11] = 7;
    using chacha = tls13_aead_protection<crypto::chacha20_poly1305>;
    record_layer writer_side, reader_side;
    writer_side.set_write_protection(chacha(key, iv));
    reader_side.set_read_protection(chacha(key, iv));
    byte_vector wire;
    writer_side.write(content_type::application_data, bytes(40000, 0x61), wire);
    writer_side.write(content_type::handshake, bytes{24, 0, 0, 1, 0}, wire);
    // 3 records for 40000 bytes, 1 for the handshake message; each 5 + len + 1 + 16 bytes.
    CHECK(wire.size() == 4 * (5 + 1 + 16) + 40000 + 5);
    // Feed byte by byte: the reader returns nothing until a record is complete.
    std::size_t got_app = 0;
    int records = 0;
    for (std::size_t i = 0; i < wire.size(); ++i) {
        reader_side.feed(bytes_view(wire).subspan(i, 1));
        auto rec = reader_side.read();
        REQUIRE(rec);
        if (rec->has_value()) {
            ++records;
            CHECK((*rec)->was_protected);
            if ((*rec)->type == content_type::application_data) {
                got_app += (*rec)->payload.size();
            } else {
                CHECK((*rec)->type == content_type::handshake);
                CHECK(bytes((*rec)->payload.begin(), (*rec)->payload.end()) ==
                      bytes{24, 0, 0, 1, 0});
            }
        }
    }
    CHECK(records == 4);
    CHECK(got_app == 40000);

    SECTION("a record replayed out of sequence fails") {
        record_layer again;
        again.set_read_protection(chacha(key, iv));
        const std::size_t first = 5 + 16384 + 17;
        again.feed(bytes_view(wire).subspan(first, first)); // the second record first
        CHECK(again.read().error() == errc::tls_bad_record_mac);
    }
    SECTION("a tampered header (it is the additional data) fails") {
        record_layer again;
        again.set_read_protection(chacha(key, iv));
        byte_vector w = wire;
        w[2] = 0x01; // legacy_record_version is authenticated
        again.feed(w);
        CHECK(again.read().error() == errc::tls_bad_record_mac);
    }
}

TEST_CASE("client: a configuration we cannot honour fails in start() without output",
          "[tls][messages]") {
    client_config cfg;
    cfg.groups = {named_group::x448}; // no implementation: no key share to offer
    client c(cfg);
    CHECK(c.start().error() == errc::unsupported_curve);
    CHECK(c.state() == client_state::failed);
    CHECK_FALSE(c.has_output());
    CHECK_FALSE(c.sent_alert());
}
