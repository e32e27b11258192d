// Fuzz the TLS 1.2 path of the client engine with server bytes, starting from the sessions
// recorded from openssl s_server (tests/fixtures/tls12/, fixed randomness). The first input byte
// picks how deep the fuzzer starts:
//   0: the raw bytes are the server's whole answer to our ClientHello (which offers TLS 1.2);
//   1: after the recorded ServerHello, the rest is split into records [type, len16, payload] sent
//      in plaintext: Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone, ...;
//   2: after the recorded first flight and our answer, plaintext records as in 1 up to a
//      ChangeCipherSpec, then records encrypted under the server key (AES-128-GCM): tickets,
//      ChangeCipherSpec, Finished;
//   3: connected (AES-128-GCM), records as in 1 encrypted under the server key: application
//      data, alerts, HelloRequest and any other post-handshake message;
//   4: connected (AES-256-CBC-SHA256, MAC-then-encrypt), records as in 3 with valid MACs;
//   5: connected (AES-256-CBC-SHA256), the raw bytes as the server's CBC records (garbage for
//      the constant-time padding and MAC check).
// Nothing may crash, leak or hang; every failure must be a named error.
#include <https/core/hex.hpp>
#include <https/crypto/random.hpp>
#include <https/tls/client.hpp>
#include <https/tls/tls12_key_schedule.hpp>

#include "../support/client_hello_reader.hpp"

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace https;
using namespace https::tls;

namespace {

byte_vector unhex(const std::string& s) {
    return std::move(from_hex(s)).value();
}

/// One recorded session: its fields, the server's records in order, and the keys of both sides.
struct session {
    std::map<std::string, std::string> fields;
    std::vector<byte_vector> server_records;
    std::size_t first_flight_end = 0; ///< index after the ServerHelloDone record
    std::size_t ccs_index = 0;        ///< the server's ChangeCipherSpec record
    cipher_suite_info suite{};
    tls12_key_block keys;
    byte_vector leaf;
    byte_vector client_hello;
};

session load(const std::string& name, std::uint16_t suite_code) {
    std::string path = __FILE__;
    path = path.substr(0, path.rfind('/')) + "/../fixtures/tls12/" + name + ".txt";
    std::ifstream in(path);
    session s;
    byte_vector all;
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("S ", 0) == 0) {
            const byte_vector b = unhex(line.substr(2));
            all.insert(all.end(), b.begin(), b.end());
        } else if (line.rfind("C ", 0) == 0 && s.client_hello.empty()) {
            const byte_vector b = unhex(line.substr(2));
            s.client_hello.assign(b.begin() + 5, b.end()); // our first record: the ClientHello
        } else if (const auto eq = line.find(" = "); eq != std::string::npos && line[0] != '#') {
            s.fields[line.substr(0, eq)] = line.substr(eq + 3);
        }
    }
    for (std::size_t pos = 0; pos + 5 <= all.size();) {
        const std::size_t len = std::size_t{all[pos + 3]} << 8 | all[pos + 4];
        s.server_records.emplace_back(all.begin() + static_cast<std::ptrdiff_t>(pos),
                                      all.begin() + static_cast<std::ptrdiff_t>(pos + 5 + len));
        pos += 5 + len;
    }
    for (std::size_t i = 0; i < s.server_records.size(); ++i) {
        const auto& r = s.server_records[i];
        if (r[0] == 22 && r.size() >= 6 && r[5] == 14 && s.first_flight_end == 0) {
            s.first_flight_end = i + 1;
        }
        if (r[0] == 20 && s.ccs_index == 0) {
            s.ccs_index = i;
        }
    }
    s.suite = *find_cipher_suite(suite_code, protocol_version::tls12);
    const byte_vector ms = unhex(s.fields.at("master_secret"));
    const byte_vector cr = unhex(s.fields.at("client_random"));
    const byte_vector& sh = s.server_records.at(0); // ServerHello: random after the headers
    s.keys = derive_key_block(s.suite,
                              tls12_master_secret(std::span<const std::uint8_t, 48>(ms.data(), 48)),
                              std::span<const std::uint8_t, 32>(cr.data(), 32),
                              std::span<const std::uint8_t, 32>(sh.data() + 11, 32));
    s.leaf = unhex(s.fields.at("leaf"));
    return s;
}

const session& gcm_session() {
    static const session s = load("ecdhe_rsa_aes128_gcm_sha256", 0xc02f);
    return s;
}
const session& cbc_session() {
    static const session s = load("rsa_aes256_cbc_sha256", 0x003d);
    return s;
}

byte_vector random_pool() {
    byte_vector pool(2048);
    for (std::size_t i = 0; i < pool.size(); ++i) {
        pool[i] = static_cast<std::uint8_t>((i * 167 + 13) % 255 + 1); // as the recording's
    }
    return pool;
}

/// Split fuzz input into records [type, len16, payload]; `seal` protects each (or not).
template <class Seal> byte_vector records_from(bytes_view data, Seal&& seal) {
    byte_vector out;
    reader r(data);
    while (!r.empty()) {
        const auto type = static_cast<content_type>(*r.read_u8());
        auto len = r.read_u16();
        std::size_t n = len ? std::min<std::size_t>(*len, r.remaining()) : r.remaining();
        n = std::min(n, max_plaintext_length);
        seal(type, *r.read_bytes(n), out);
    }
    return out;
}

void plaintext(content_type type, bytes_view payload, byte_vector& out) {
    plaintext_protection{}.seal(type, 0x0303, payload, out);
}

/// Feed the recorded server records [from, to) until one fails.
bool feed_recorded(client& c, const session& s, std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to && i < s.server_records.size(); ++i) {
        if (!c.feed(s.server_records[i])) {
            return false;
        }
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const unsigned mode = data[0] % 6;
    const bytes_view input(data + 1, size - 1);
    const session& s = mode >= 4 ? cbc_session() : gcm_session();

    crypto::replay_random rng(random_pool());
    client_config cfg;
    cfg.server_name = "localhost";
    cfg.random = &rng;
    // As recorded: a TLS 1.2-only offer, and the recorded ClientHello on the wire and in the
    // transcript, so that the recorded server flights verify.
    cfg.max_version = protocol_version::tls12;
    test::replay_client_hello(cfg, [&s](const byte_vector&, unsigned) { return s.client_hello; });
    cfg.verify_certificate = [&s](std::span<const bytes_view> chain, std::string_view,
                                  std::optional<bytes_view>) {
        return !chain.empty() &&
                       std::equal(chain[0].begin(), chain[0].end(), s.leaf.begin(), s.leaf.end())
                   ? status{}
                   : status{errc::cert_unknown_issuer};
    };
    client c(cfg);
    if (!c.start()) {
        return 0;
    }
    (void)c.take_output();

    const auto& kb = s.keys;
    auto gcm_server = [&] {
        return tls12_aes128_gcm_protection(
            std::span<const std::uint8_t, 16>(kb.server_write_key().data(), 16),
            std::span<const std::uint8_t, 4>(kb.server_write_iv().data(), 4));
    };
    switch (mode) {
    case 0: {
        const std::size_t half = input.size() / 2;
        if (c.feed(input.first(half))) {
            (void)c.feed(input.subspan(half));
        }
        break;
    }
    case 1:
        if (feed_recorded(c, s, 0, 1)) {
            (void)c.feed(records_from(input, plaintext));
        }
        break;
    case 2:
        if (feed_recorded(c, s, 0, s.first_flight_end)) {
            // Plaintext until the fuzzer's own ChangeCipherSpec, encrypted afterwards.
            auto p = gcm_server();
            bool protect = false;
            (void)c.feed(records_from(input, [&](content_type t, bytes_view b, byte_vector& out) {
                if (protect) {
                    p.seal(t, 0x0303, b, out);
                } else {
                    plaintext(t, b, out);
                    protect = t == content_type::change_cipher_spec;
                }
            }));
        }
        break;
    case 3:
    case 4:
        if (feed_recorded(c, s, 0, s.ccs_index + 2) && c.is_connected()) {
            byte_vector records;
            if (mode == 3) {
                auto p = gcm_server();
                byte_vector ignored;
                p.seal(content_type::handshake, 0x0303, byte_vector{}, ignored); // seq 0: Finished
                records = records_from(input, [&](content_type t, bytes_view b, byte_vector& out) {
                    p.seal(t, 0x0303, b, out);
                });
            } else {
                const std::array<std::uint8_t, 32> iv_key{};
                tls12_aes256_cbc_sha256_protection p(
                    std::span<const std::uint8_t, 32>(kb.server_write_key().data(), 32),
                    kb.server_mac_key(), iv_key, false);
                byte_vector ignored;
                p.seal(content_type::handshake, 0x0303, byte_vector{}, ignored); // seq 0: Finished
                records = records_from(input, [&](content_type t, bytes_view b, byte_vector& out) {
                    p.seal(t, 0x0303, b, out);
                });
            }
            (void)c.feed(records);
            if (c.is_connected()) {
                (void)c.send(input.first(std::min<std::size_t>(input.size(), 100)));
                c.close();
            }
        }
        break;
    default:
        if (feed_recorded(c, s, 0, s.ccs_index + 2) && c.is_connected()) {
            (void)c.feed(records_from(input, [](content_type t, bytes_view b, byte_vector& out) {
                plaintext_protection{}.seal(t, 0x0303, b, out); // raw bytes as "ciphertext"
            }));
        }
        break;
    }
    (void)c.take_output();
    (void)c.take_application_data();
    return 0;
}
