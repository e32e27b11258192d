// Fuzz the TLS client engine with arbitrary server bytes after a valid ClientHello. The first
// input byte picks how deep the fuzzer starts, using the RFC 8448 §3 trace (fixed randomness):
//   0: the raw bytes are the server's whole answer (records, ServerHello, anything);
//   1: after the trace's ServerHello, the rest is split into records [type, len16, payload] that
//      the harness encrypts under the server handshake key, so the fuzzer reaches the parsers of
//      EncryptedExtensions, Certificate, CertificateVerify and Finished;
//   2: after the trace's whole server flight (connected), records as in 1 under the server
//      application key: NewSessionTicket, KeyUpdate, alerts, application data.
// Nothing may crash, leak or hang; every failure must be a named error.
#include <https/core/hex.hpp>
#include <https/crypto/x25519.hpp>
#include <https/tls/client.hpp>

#include "../support/client_hello_reader.hpp"
#include "rfc8448_simple.inc"

#include <cstddef>
#include <cstdint>
#include <optional>

using namespace https;
using namespace https::tls;

namespace {

byte_vector unhex(const char* s) {
    return std::move(from_hex(s)).value();
}

struct trace_keys {
    byte_vector pool, client_hello, server_hello, server_flight;
    secret server_hs, server_ap;
};

/// The trace's keys, derived once with our own key schedule from the injected private key.
const trace_keys& keys() {
    static const trace_keys k = [] {
        trace_keys t;
        t.pool = unhex(rfc8448_simple::client_rng_pool);
        t.client_hello = unhex(rfc8448_simple::client_hello_record);
        t.server_hello = unhex(rfc8448_simple::server_hello_record);
        t.server_flight = unhex(rfc8448_simple::server_flight_record);
        const bytes_view ch = bytes_view(t.client_hello).subspan(5);
        const bytes_view sh = bytes_view(t.server_hello).subspan(5);
        // ServerHello: key_share is the last-but-one extension; its 32-byte key sits before the
        // trailing supported_versions extension (6 bytes).
        const bytes_view server_pub = sh.subspan(sh.size() - 6 - 32, 32);
        std::array<std::uint8_t, 32> shared{};
        (void)crypto::x25519(std::span<const std::uint8_t, 32>(t.pool.data() + 32, 32),
                             std::span<const std::uint8_t, 32>(server_pub.data(), 32), shared);
        transcript_hash th;
        th.update(ch);
        th.update(sh);
        th.select(hash_algorithm::sha256);
        handshake_secret hs = early_secret(hash_algorithm::sha256).derive_handshake(shared);
        t.server_hs = hs.server_traffic(th.current());
        // Decrypt the server flight to continue the transcript up to the server Finished.
        const traffic_keys hk = derive_traffic_keys(hash_algorithm::sha256, t.server_hs, 16);
        tls13_aead_protection<crypto::aes128_gcm> p(
            std::span<const std::uint8_t, 16>(hk.key.data(), 16), hk.iv.span());
        byte_vector flight = t.server_flight;
        record_header h{content_type::application_data, 0x0303,
                        static_cast<std::uint16_t>(flight.size() - 5)};
        auto opened = p.open(h, mutable_bytes(flight).subspan(5));
        if (opened) {
            th.update(opened->payload);
        }
        master_secret ms = std::move(hs).derive_master();
        t.server_ap = ms.server_application_traffic(th.current());
        return t;
    }();
    return k;
}

/// Encrypt the fuzzer's records under `traffic` (AES-128-GCM, sequence from 0).
byte_vector seal_records(const secret& traffic, bytes_view data) {
    const traffic_keys k = derive_traffic_keys(hash_algorithm::sha256, traffic, 16);
    tls13_aead_protection<crypto::aes128_gcm> p(std::span<const std::uint8_t, 16>(k.key.data(), 16),
                                                k.iv.span());
    byte_vector out;
    reader r(data);
    while (!r.empty()) {
        const auto type = static_cast<content_type>(*r.read_u8());
        auto len = r.read_u16();
        std::size_t n = len ? std::min<std::size_t>(*len, r.remaining()) : r.remaining();
        n = std::min(n, max_plaintext_length);
        const bytes_view payload = *r.read_bytes(n);
        p.seal(type, 0x0303, payload, out);
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const trace_keys& k = keys();
    const unsigned mode = data[0] % 3;
    const bytes_view input(data + 1, size - 1);

    crypto::replay_random rng(k.pool);
    client_config cfg;
    cfg.server_name = "server";
    cfg.random = &rng;
    cfg.middlebox_compatibility = false;
    cfg.min_rsa_key_bits = 1024;
    cfg.verify_certificate = [](std::span<const bytes_view>, std::string_view,
                                std::optional<bytes_view>) { return status{}; };
    test::replay_client_hello(cfg, [&](const byte_vector& ours, unsigned attempt) {
        // After a (fuzzed) HelloRetryRequest the engine's own second ClientHello is used.
        return attempt == 0 ? byte_vector(k.client_hello.begin() + 5, k.client_hello.end()) : ours;
    });
    client c(cfg);
    if (!c.start()) {
        return 0;
    }
    (void)c.take_output();
    switch (mode) {
    case 0: {
        // Feed in two pieces so that record and message reassembly across calls is exercised.
        const std::size_t half = input.size() / 2;
        if (c.feed(input.first(half))) {
            (void)c.feed(input.subspan(half));
        }
        break;
    }
    case 1:
        if (c.feed(k.server_hello)) {
            (void)c.feed(seal_records(k.server_hs, input));
        }
        break;
    default:
        if (c.feed(k.server_hello) && c.feed(k.server_flight)) {
            (void)c.feed(seal_records(k.server_ap, input));
            if (c.is_connected()) {
                (void)c.send(input.first(std::min<std::size_t>(input.size(), 100)));
                c.close();
            }
        }
        break;
    }
    (void)c.take_output();
    (void)c.take_application_data();
    return 0;
}
