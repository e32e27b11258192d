// TLS 1.2 sessions recorded once from `openssl s_server -tls1_2` (tests/fixtures/tls12/record.sh,
// our randoms and keys injected through crypto::replay_random) and replayed byte for byte: every
// byte we send must come out identical, and the master secret and both Finished values must
// equal what the server logged (its key log and its -msg trace). The same recordings, altered,
// drive the negative tests: a suite we did not offer, a bad ServerKeyExchange signature, a bad
// Finished, CBC records with a wrong MAC or padding, and HelloRequest.
#include <https/core/hex.hpp>
#include <https/crypto/random.hpp>
#include <https/tls/client.hpp>
#include <https/tls/tls12_key_schedule.hpp>

#include "support/client_hello_reader.hpp"
#include "support/tls12_oracle.hpp"
#include "support/vectors.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace https;
using namespace https::tls;

namespace {

const std::string request = "GET /index.txt HTTP/1.0\r\n\r\n";

/// The random stream injected in recording and replay: generous, and free of zero bytes so that
/// the RSA padding (which redraws zeros) consumes it predictably.
test::bytes random_pool() {
    test::bytes pool(2048);
    for (std::size_t i = 0; i < pool.size(); ++i) {
        pool[i] = static_cast<std::uint8_t>((i * 167 + 13) % 255 + 1);
    }
    return pool;
}

/// What each fixture's client offers: TLS 1.2 only, so that the random stream is consumed in a
/// fixed order (client random, then the ECDHE key or the RSA premaster and its padding, then a
/// CBC IV key) whatever the TLS 1.3 offer does. On replay `client_hello` (the recorded one) is
/// sent instead of ours and enters the transcript, so the fixtures survive changes to how our
/// ClientHello is encoded; every later byte must still match.
client_config fixture_config(crypto::random_source& rng, test::bytes leaf,
                             test::bytes client_hello = {}) {
    client_config cfg;
    cfg.server_name = "localhost";
    cfg.random = &rng;
    cfg.max_version = protocol_version::tls12;
    // The chain is pinned to the recorded leaf (path validation is not under test here).
    cfg.verify_certificate = [leaf](std::span<const bytes_view> chain, std::string_view,
                                    std::optional<bytes_view>) {
        if (chain.empty() ||
            !std::equal(chain[0].begin(), chain[0].end(), leaf.begin(), leaf.end())) {
            return status{errc::cert_unknown_issuer};
        }
        return status{};
    };
    if (!client_hello.empty()) {
        test::replay_client_hello(
            cfg, [client_hello](const byte_vector&, unsigned) { return client_hello; });
    }
    return cfg;
}

struct step {
    char dir = 0; ///< 'C' (we sent), 'S' (server sent), 'X' (we closed)
    test::bytes data;
};

struct fixture {
    std::map<std::string, std::string> fields;
    std::vector<step> steps;
    [[nodiscard]] test::bytes hex(const std::string& k) const { return test::hex(fields.at(k)); }
    /// Our recorded ClientHello message (the first record we sent, without its header).
    [[nodiscard]] test::bytes client_hello() const {
        const auto& first = steps.at(0);
        REQUIRE(first.dir == 'C');
        REQUIRE(first.data.at(0) == 22);
        const std::size_t len = std::size_t{first.data[3]} << 8 | first.data[4];
        REQUIRE(first.data.size() == 5 + len);
        return test::bytes(first.data.begin() + 5, first.data.end());
    }
    /// The configuration of a replay.
    [[nodiscard]] client_config config(crypto::random_source& rng) const {
        return fixture_config(rng, hex("leaf"), client_hello());
    }
};

fixture load(const std::string& name) {
    std::istringstream in(
        test::read_file(std::string(HTTPS_SOURCE_DIR) + "/tests/fixtures/tls12/" + name + ".txt"));
    fixture f;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') {
            continue;
        }
        if (line == "close") {
            f.steps.push_back({'X', {}});
        } else if (line.rfind("C ", 0) == 0 || line.rfind("S ", 0) == 0) {
            f.steps.push_back({line[0], test::hex(line.substr(2))});
        } else if (const auto eq = line.find(" = "); eq != std::string::npos) {
            f.fields[line.substr(0, eq)] = line.substr(eq + 3);
        }
    }
    return f;
}

/// All server bytes of the fixture, cut into records (header + fragment).
std::vector<test::bytes> server_records(const fixture& f) {
    test::bytes all;
    for (const auto& s : f.steps) {
        if (s.dir == 'S') {
            all.insert(all.end(), s.data.begin(), s.data.end());
        }
    }
    std::vector<test::bytes> out;
    std::size_t pos = 0;
    while (pos + 5 <= all.size()) {
        const std::size_t len = std::size_t{all[pos + 3]} << 8 | all[pos + 4];
        REQUIRE(pos + 5 + len <= all.size());
        out.emplace_back(all.begin() + static_cast<std::ptrdiff_t>(pos),
                         all.begin() + static_cast<std::ptrdiff_t>(pos + 5 + len));
        pos += 5 + len;
    }
    REQUIRE(pos == all.size());
    return out;
}

test::bytes record_of(std::uint8_t type, const test::bytes& fragment) {
    // Sized once and filled in place (GCC 12 -O2 misreads the grow-by-insert form).
    test::bytes r(5 + fragment.size());
    r[0] = type;
    r[1] = 3;
    r[2] = 3;
    r[3] = static_cast<std::uint8_t>(fragment.size() >> 8);
    r[4] = static_cast<std::uint8_t>(fragment.size());
    std::copy(fragment.begin(), fragment.end(), r.begin() + 5);
    return r;
}

/// The plaintext handshake messages of the server's first flight (ServerHello ...
/// ServerHelloDone), each as its own record, and the index of the first record after them.
struct first_flight {
    std::vector<test::bytes> messages; ///< handshake messages, header included
    std::size_t next_record = 0;
};

first_flight split_first_flight(const std::vector<test::bytes>& records) {
    first_flight out;
    test::bytes buf;
    for (std::size_t i = 0; i < records.size(); ++i) {
        REQUIRE(records[i][0] == 22);
        buf.insert(buf.end(), records[i].begin() + 5, records[i].end());
        while (buf.size() >= 4) {
            const std::size_t len = std::size_t{buf[1]} << 16 | std::size_t{buf[2]} << 8 | buf[3];
            if (buf.size() < 4 + len) {
                break;
            }
            out.messages.emplace_back(buf.begin(),
                                      buf.begin() + static_cast<std::ptrdiff_t>(4 + len));
            buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(4 + len));
            if (out.messages.back()[0] == 14) { // ServerHelloDone
                REQUIRE(buf.empty());
                out.next_record = i + 1;
                return out;
            }
        }
    }
    FAIL("no ServerHelloDone in the recording");
    return out;
}

/// Feed records one by one until the engine fails or they run out.
status feed_all(client& c, const std::vector<test::bytes>& records) {
    for (const auto& r : records) {
        if (auto s = c.feed(r); !s) {
            return s;
        }
    }
    return {};
}

/// The keys both sides use, derived from the server's logged master secret (independent of our
/// own handshake) and the randoms in the recording.
tls12_key_block fixture_keys(const fixture& f, const cipher_suite_info& suite,
                             const test::bytes& server_random) {
    const auto ms = f.hex("master_secret");
    const auto cr = f.hex("client_random");
    return derive_key_block(suite,
                            tls12_master_secret(std::span<const std::uint8_t, 48>(ms.data(), 48)),
                            std::span<const std::uint8_t, 32>(cr.data(), 32),
                            std::span<const std::uint8_t, 32>(server_random.data(), 32));
}

test::bytes server_random_of(const first_flight& ff) {
    const auto& sh = ff.messages.at(0);
    REQUIRE(sh[0] == 2);
    return test::bytes(sh.begin() + 6, sh.begin() + 38);
}

/// Open one of our records with the client write keys (AES-128-GCM fixture): type, plaintext.
std::pair<std::uint8_t, test::bytes> open_ours_gcm(const tls12_key_block& kb, std::uint64_t seq,
                                                   const test::bytes& rec) {
    REQUIRE(rec.size() >= 5 + 8 + 16);
    test::bytes nonce(kb.client_write_iv().begin(), kb.client_write_iv().end());
    nonce.insert(nonce.end(), rec.begin() + 5, rec.begin() + 13);
    const test::bytes sealed(rec.begin() + 13, rec.end());
    const test::bytes key(kb.client_write_key().begin(), kb.client_write_key().end());
    auto plain = test::openssl_aead(EVP_aes_128_gcm(), false, key, nonce,
                                    test::tls12_ad(seq, rec[0], sealed.size() - 16), sealed);
    REQUIRE(plain);
    return {rec[0], *plain};
}

/// Seal a record as the server would (AES-128-GCM fixture), with OpenSSL.
test::bytes seal_as_server_gcm(const tls12_key_block& kb, std::uint64_t seq, std::uint8_t type,
                               const test::bytes& plain) {
    test::bytes nonce(kb.server_write_iv().begin(), kb.server_write_iv().end());
    test::bytes explicit_nonce(8);
    for (int i = 0; i < 8; ++i) {
        explicit_nonce[i] = static_cast<std::uint8_t>(0xa0 + seq + i); // any value will do
    }
    nonce.insert(nonce.end(), explicit_nonce.begin(), explicit_nonce.end());
    const test::bytes key(kb.server_write_key().begin(), kb.server_write_key().end());
    auto sealed = test::openssl_aead(EVP_aes_128_gcm(), true, key, nonce,
                                     test::tls12_ad(seq, type, plain.size()), plain);
    REQUIRE(sealed);
    explicit_nonce.insert(explicit_nonce.end(), sealed->begin(), sealed->end());
    return record_of(type, explicit_nonce);
}

/// Run a fixture through a fresh engine, checking every byte we send against the recording.
/// Returns the application data received.
std::string replay(const fixture& f, client& c) {
    std::string received;
    bool request_sent = false;
    REQUIRE(c.start());
    for (const auto& s : f.steps) {
        if (s.dir == 'C') {
            const auto out = c.take_output();
            CHECK(to_hex(out) == to_hex(s.data));
        } else if (s.dir == 'S') {
            REQUIRE(c.feed(s.data));
            const auto data = c.take_application_data();
            received.append(data.begin(), data.end());
            if (c.is_connected() && !request_sent) {
                request_sent = true;
                REQUIRE(c.send(as_bytes(request)));
            }
        } else {
            c.close();
        }
    }
    CHECK(!c.has_output());
    return received;
}

} // namespace

// ---- recording ------------------------------------------------------------------------------

TEST_CASE("record a TLS 1.2 session (run by tests/fixtures/tls12/record.sh)", "[.tls12-record]") {
    const char* port_env = std::getenv("HTTPS_TLS12_RECORD_PORT");
    const char* out_env = std::getenv("HTTPS_TLS12_RECORD_OUT");
    const char* leaf_env = std::getenv("HTTPS_TLS12_RECORD_LEAF");
    REQUIRE(port_env != nullptr);
    REQUIRE(out_env != nullptr);
    REQUIRE(leaf_env != nullptr);
    const auto pool = random_pool();
    crypto::replay_random rng(pool);
    client c(fixture_config(rng, test::hex(leaf_env)));

    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(std::atoi(port_env)));
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    std::ofstream out(out_env);
    out << "client_random = " << to_hex(bytes_view(pool).first(32)) << "\n";
    auto flush = [&] {
        const auto bytes = c.take_output();
        if (!bytes.empty()) {
            out << "C " << to_hex(bytes) << "\n";
            REQUIRE(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
                    static_cast<ssize_t>(bytes.size()));
        }
    };
    REQUIRE(c.start());
    flush();
    bool request_sent = false;
    std::string received;
    while (!c.peer_closed()) {
        pollfd p{fd, POLLIN, 0};
        REQUIRE(::poll(&p, 1, 5000) == 1);
        std::uint8_t buf[16384];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            break;
        }
        out << "S " << to_hex(bytes_view(buf, static_cast<std::size_t>(n))) << "\n";
        REQUIRE(c.feed(bytes_view(buf, static_cast<std::size_t>(n))));
        const auto data = c.take_application_data();
        received.append(data.begin(), data.end());
        if (c.is_connected() && !request_sent) {
            request_sent = true;
            REQUIRE(c.send(as_bytes(request)));
        }
        flush();
    }
    c.close();
    out << "close\n";
    flush();
    ::close(fd);
    out << "application_data = " << to_hex(as_bytes(received)) << "\n";
    CHECK(c.peer_closed());
}

// ---- replay ---------------------------------------------------------------------------------

TEST_CASE("TLS 1.2 replay: recorded sessions reproduce master secret and Finished",
          "[tls][tls12][replay]") {
    struct fixture_case {
        const char* name;
        cipher_suite suite;
        bool ems;
        bool etm;
    };
    const fixture_case cases[] = {
        {"ecdhe_rsa_aes128_gcm_sha256", cipher_suite::tls_ecdhe_rsa_with_aes_128_gcm_sha256, true,
         false},
        {"rsa_aes256_cbc_sha256", cipher_suite::tls_rsa_with_aes_256_cbc_sha256, false, false},
    };
    int ran = 0;
    for (const auto& fc : cases) {
        INFO(fc.name);
        const fixture f = load(fc.name);
        const auto pool = random_pool();
        crypto::replay_random rng(pool);
        client c(f.config(rng));
        const std::string received = replay(f, c);
        CHECK(c.error() == errc::ok);
        CHECK(c.peer_closed());
        CHECK(c.negotiated_version() == protocol_version::tls12);
        CHECK(c.negotiated_suite() == fc.suite);
        const handshake12* h = c.tls12_session();
        REQUIRE(h != nullptr);
        CHECK(h->extended_master_secret() == fc.ems);
        CHECK(h->encrypt_then_mac() == fc.etm);
        CHECK(h->secure_renegotiation());
        // The values the server logged: its key log and its -msg trace of both Finished.
        CHECK(to_hex(test_hooks::master_secret(*h).bytes()) == f.fields.at("master_secret"));
        CHECK(to_hex(h->client_verify_data()) == f.fields.at("client_finished"));
        CHECK(to_hex(h->server_verify_data()) == f.fields.at("server_finished"));
        CHECK(to_hex(as_bytes(received)) == f.fields.at("application_data"));
        CHECK(received.find("hello from the TLS 1.2 replay fixture") != std::string::npos);
        ++ran;
    }
    CHECK(ran == 2);
}

TEST_CASE("TLS 1.2 replay: a HelloRequest during the handshake is ignored",
          "[tls][tls12][replay]") {
    const fixture f = load("ecdhe_rsa_aes128_gcm_sha256");
    const auto records = server_records(f);
    const auto ff = split_first_flight(records);
    crypto::replay_random rng(random_pool());
    client c(f.config(rng));
    REQUIRE(c.start());
    // RFC 5246 §7.4.1.1: ignored while negotiating, and not part of the transcript.
    for (std::size_t i = 0; i < ff.messages.size(); ++i) {
        if (i == ff.messages.size() - 1) {
            REQUIRE(c.feed(record_of(22, {0, 0, 0, 0})));
        }
        REQUIRE(c.feed(record_of(22, ff.messages[i])));
    }
    REQUIRE(feed_all(
        c, {records.begin() + static_cast<std::ptrdiff_t>(ff.next_record), records.end()}));
    CHECK(c.is_connected());
}

// ---- negative tests -------------------------------------------------------------------------

TEST_CASE("TLS 1.2 negative: the server picks a suite we did not offer", "[tls][tls12][negative]") {
    const fixture f = load("ecdhe_rsa_aes128_gcm_sha256");
    const auto ff = split_first_flight(server_records(f));
    int ran = 0;
    // TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 (never offered), a TLS 1.3 suite in a TLS 1.2
    // ServerHello, and one of our TLS 1.2 suites the configuration left out.
    for (std::uint16_t suite : {0x009f, 0x1301, 0xc030}) {
        INFO(suite);
        auto sh = ff.messages[0];
        const std::size_t at = 4 + 2 + 32 + 1 + sh[4 + 2 + 32];
        sh[at] = static_cast<std::uint8_t>(suite >> 8);
        sh[at + 1] = static_cast<std::uint8_t>(suite);
        crypto::replay_random rng(random_pool());
        // Our own ClientHello this time: it must offer only what the configuration allows.
        client_config cfg = fixture_config(rng, f.hex("leaf"));
        cfg.tls12_cipher_suites = {cipher_suite::tls_ecdhe_rsa_with_aes_128_gcm_sha256};
        client c(cfg);
        REQUIRE(c.start());
        (void)c.take_output();
        const auto s = c.feed(record_of(22, sh));
        CHECK(s.error() == errc::tls_illegal_parameter);
        CHECK(c.sent_alert() == alert_description::illegal_parameter);
        // A fatal illegal_parameter alert in a plaintext record.
        CHECK(c.take_output() == test::bytes{21, 3, 3, 0, 2, 2, 47});
        ++ran;
    }
    CHECK(ran == 3);
}

TEST_CASE("TLS 1.2 negative: a bad ServerKeyExchange signature", "[tls][tls12][negative]") {
    const fixture f = load("ecdhe_rsa_aes128_gcm_sha256");
    const auto ff = split_first_flight(server_records(f));
    int ran = 0;
    for (int variant = 0; variant < 3; ++variant) {
        crypto::replay_random rng(random_pool());
        client c(f.config(rng));
        REQUIRE(c.start());
        (void)c.take_output();
        status s;
        for (auto m : ff.messages) {
            if (m[0] == 12) { // ServerKeyExchange
                if (variant == 0) {
                    m.back() ^= 0x01; // the signature
                } else if (variant == 1) {
                    m[4 + 4 + 5] ^= 0x40; // the server's public key (signed)
                } else {
                    // another scheme we offered (same key type): the SHA-384 twin
                    const std::size_t at = 4 + 1 + 2 + 1 + 32;
                    if (m[at] == 0x08) {
                        m[at + 1] ^= 0x01; // rsa_pss_rsae_sha256 <-> rsa_pss_rsae_sha384
                    } else {
                        m[at] = 0x05; // rsa_pkcs1_sha256 -> rsa_pkcs1_sha384
                    }
                }
            }
            s = c.feed(record_of(22, m));
            if (!s) {
                break;
            }
        }
        INFO(variant);
        CHECK(s.error() == errc::tls_decrypt_error);
        CHECK(c.sent_alert() == alert_description::decrypt_error);
        CHECK(c.take_output() == test::bytes{21, 3, 3, 0, 2, 2, 51});
        CHECK(!c.is_connected());
        ++ran;
    }
    CHECK(ran == 3);
}

TEST_CASE("TLS 1.2 negative: a bad server Finished", "[tls][tls12][negative]") {
    const fixture f = load("ecdhe_rsa_aes128_gcm_sha256");
    const auto records = server_records(f);
    const auto ff = split_first_flight(records);
    const auto suite = *find_cipher_suite(0xc02f, protocol_version::tls12);
    const tls12_key_block kb = fixture_keys(f, suite, server_random_of(ff));

    crypto::replay_random rng(random_pool());
    client c(f.config(rng));
    REQUIRE(c.start());
    (void)c.take_output();
    std::size_t i = 0;
    // The first flight, then the second up to (not including) the encrypted Finished.
    for (; i < records.size() && records[i][0] != 20; ++i) {
        REQUIRE(c.feed(records[i]));
    }
    REQUIRE(c.feed(records[i++])); // ChangeCipherSpec
    (void)c.take_output();
    // The server's Finished with one bit of verify_data changed, correctly encrypted.
    const auto fin = f.hex("server_finished");
    test::bytes msg = {20, 0, 0, 12};
    msg.insert(msg.end(), fin.begin(), fin.end());
    msg.back() ^= 0x80;
    const auto s = c.feed(seal_as_server_gcm(kb, 0, 22, msg));
    CHECK(s.error() == errc::tls_decrypt_error);
    CHECK(c.sent_alert() == alert_description::decrypt_error);
    // Our alert went out under our new keys, after our Finished (client sequence number 1).
    const auto [type, alert] = open_ours_gcm(kb, 1, c.take_output());
    CHECK(type == 21);
    CHECK(alert == test::bytes{2, 51});

    // The unaltered Finished, re-encrypted the same way, is accepted.
    crypto::replay_random rng2(random_pool());
    client ok(f.config(rng2));
    REQUIRE(ok.start());
    for (std::size_t j = 0; j < i; ++j) { // through the ChangeCipherSpec
        REQUIRE(ok.feed(records[j]));
    }
    msg.back() ^= 0x80;
    REQUIRE(ok.feed(seal_as_server_gcm(kb, 0, 22, msg)));
    CHECK(ok.is_connected());
}

TEST_CASE("TLS 1.2 negative: HelloRequest after the handshake", "[tls][tls12][negative]") {
    const fixture f = load("ecdhe_rsa_aes128_gcm_sha256");
    const auto records = server_records(f);
    const auto ff = split_first_flight(records);
    const auto suite = *find_cipher_suite(0xc02f, protocol_version::tls12);
    const tls12_key_block kb = fixture_keys(f, suite, server_random_of(ff));
    crypto::replay_random rng(random_pool());
    client c(f.config(rng));
    REQUIRE(c.start());
    std::size_t i = 0;
    for (; !c.is_connected(); ++i) {
        REQUIRE(i < records.size());
        REQUIRE(c.feed(records[i]));
    }
    (void)c.take_output();
    // HelloRequest (RFC 5246 §7.4.1.1) as the server's first record after its Finished.
    const auto s = c.feed(seal_as_server_gcm(kb, 1, 22, {0, 0, 0, 0}));
    CHECK(s.error() == errc::tls_no_renegotiation);
    CHECK(c.sent_alert() == alert_description::no_renegotiation);
    CHECK(c.state() == client_state::failed);
    // RFC 5746 §4.2 / RFC 5246 §7.2.2: refused with a *warning* no_renegotiation.
    const auto [type, alert] = open_ours_gcm(kb, 1, c.take_output());
    CHECK(type == 21);
    CHECK(alert == test::bytes{1, 100});
    CHECK(c.send(as_bytes(request)).error() == errc::tls_no_renegotiation);
}

TEST_CASE("TLS 1.2 negative: CBC records with a wrong MAC or padding", "[tls][tls12][negative]") {
    const fixture f = load("rsa_aes256_cbc_sha256");
    const auto records = server_records(f);
    const auto ff = split_first_flight(records);
    const auto suite = *find_cipher_suite(0x003d, protocol_version::tls12);
    const tls12_key_block kb = fixture_keys(f, suite, server_random_of(ff));
    const test::bytes key(kb.server_write_key().begin(), kb.server_write_key().end());
    const test::bytes mac_key(kb.server_mac_key().begin(), kb.server_mac_key().end());
    const test::bytes content(40, 'x');
    const test::bytes iv(16, 0x5a);
    int ran = 0;
    for (auto how : {test::spoil::none, test::spoil::mac, test::spoil::padding_byte,
                     test::spoil::padding_too_long}) {
        INFO(static_cast<int>(how));
        crypto::replay_random rng(random_pool());
        client c(f.config(rng));
        REQUIRE(c.start());
        std::size_t i = 0;
        for (; !c.is_connected(); ++i) {
            REQUIRE(i < records.size());
            REQUIRE(c.feed(records[i]));
        }
        (void)c.take_output();
        // application data at the server's sequence number 1 (its Finished was 0), 40 + 32 + 8:
        // padding of 7 (or 7 + 16 * 5) bytes, built by OpenSSL
        const std::size_t pad = how == test::spoil::padding_byte ? 7 + 16 * 5 : 7;
        const auto payload =
            test::oracle_mte(EVP_sha256(), key, mac_key, 1, 23, content, pad, how, iv);
        const auto s = c.feed(record_of(23, payload));
        if (how == test::spoil::none) {
            REQUIRE(s);
            const auto data = c.take_application_data();
            CHECK(test::bytes(data.begin(), data.end()) == content);
        } else {
            CHECK(s.error() == errc::tls_bad_record_mac);
            CHECK(c.sent_alert() == alert_description::bad_record_mac);
            // Our alert, MAC-then-encrypt under our keys at sequence number 1 (our Finished
            // was 0), checked with OpenSSL.
            auto out = c.take_output();
            REQUIRE(out.size() > 5 + 16);
            REQUIRE(out[0] == 21);
            const test::bytes civ(out.begin() + 5, out.begin() + 21);
            const test::bytes ckey(kb.client_write_key().begin(), kb.client_write_key().end());
            const auto plain =
                test::openssl_cbc(false, ckey, civ, test::bytes(out.begin() + 21, out.end()));
            CHECK(plain[0] == 2);
            CHECK(plain[1] == 20);
            test::bytes mac_input = test::tls12_ad(1, 21, 2);
            mac_input.push_back(2);
            mac_input.push_back(20);
            const test::bytes cmac(kb.client_mac_key().begin(), kb.client_mac_key().end());
            CHECK(test::bytes(plain.begin() + 2, plain.begin() + 34) ==
                  test::openssl_hmac(EVP_sha256(), cmac, mac_input));
        }
        ++ran;
    }
    CHECK(ran == 4);
}

TEST_CASE("TLS 1.2: warning alerts are tolerated, a stream of them is not",
          "[tls][tls12][negative]") {
    const fixture f = load("ecdhe_rsa_aes128_gcm_sha256");
    const auto records = server_records(f);
    const auto ff = split_first_flight(records);
    const auto suite = *find_cipher_suite(0xc02f, protocol_version::tls12);
    const tls12_key_block kb = fixture_keys(f, suite, server_random_of(ff));
    crypto::replay_random rng(random_pool());
    client c(f.config(rng));
    REQUIRE(c.start());
    for (std::size_t i = 0; !c.is_connected(); ++i) {
        REQUIRE(i < records.size());
        REQUIRE(c.feed(records[i]));
    }
    (void)c.take_output();
    std::uint64_t seq = 1;
    // RFC 5246 §7.2: a warning (here unrecognized_name) does not end the connection.
    REQUIRE(c.feed(seal_as_server_gcm(kb, seq++, 21, {1, 112})));
    REQUIRE(c.feed(seal_as_server_gcm(kb, seq++, 23, {'o', 'k'})));
    CHECK(c.is_connected());
    const auto data = c.take_application_data();
    CHECK(std::string(data.begin(), data.end()) == "ok");
    // A fatal alert is the end, with its description kept.
    SECTION("a fatal alert") {
        CHECK(c.feed(seal_as_server_gcm(kb, seq++, 21, {2, 40})).error() ==
              errc::tls_alert_received);
        CHECK(c.received_alert() == alert_description::handshake_failure);
        CHECK(!c.has_output()); // no alert in reply (RFC 5246 §7.2.2)
    }
    SECTION("endless warnings") {
        status s;
        for (int i = 0; i < 20 && s.ok(); ++i) {
            s = c.feed(seal_as_server_gcm(kb, seq++, 21, {1, 112}));
        }
        CHECK(s.error() == errc::tls_unexpected_message);
    }
    SECTION("close_notify") {
        REQUIRE(c.feed(seal_as_server_gcm(kb, seq++, 21, {1, 0})));
        CHECK(c.peer_closed());
    }
    SECTION("a second ChangeCipherSpec after the handshake") {
        CHECK(c.feed(record_of(20, {1})).error() == errc::tls_unexpected_message);
    }
    SECTION("a TLS 1.3 KeyUpdate means nothing in TLS 1.2") {
        CHECK(c.feed(seal_as_server_gcm(kb, seq++, 22, {24, 0, 0, 1, 0})).error() ==
              errc::tls_unexpected_message);
    }
}
