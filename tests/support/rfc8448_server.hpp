// A scripted server for client tests: the RFC 8448 §3 trace's keys (derived with our key
// schedule from the trace's client private key), so tests can send the trace's messages, or
// altered ones, encrypted as that server would.
#pragma once

#include <https/crypto/x25519.hpp>
#include <https/tls/client.hpp>

#include "support/client_hello_reader.hpp"
#include "support/tls_traces.hpp"

#include <catch2/catch.hpp>

namespace test {

class rfc8448_server {
  public:
    rfc8448_server() : s_(read_rfc8448_transcripts().at("Simple_1RTT_Handshake")) {
        pool = hex(s_.at("Client_RNG_Pool"));
        client_hello = record_body(hex(s_.at("Record_ClientHello_1")));
        server_hello_record = hex(s_.at("Record_ServerHello"));
        server_hello = record_body(server_hello_record);
        encrypted_extensions = hex(s_.at("Message_EncryptedExtensions"));
        certificate = hex(s_.at("Message_Server_Certificate"));
        certificate_verify = hex(s_.at("Message_Server_CertificateVerify"));
        finished = hex(s_.at("Message_Server_Finished"));
        flight_record = hex(s_.at("Record_ServerHandshakeMessages"));
        using namespace https::tls;
        const auto server_pub = bytes(server_hello.end() - 6 - 32, server_hello.end() - 6);
        std::array<std::uint8_t, 32> shared{};
        REQUIRE(https::crypto::x25519(std::span<const std::uint8_t, 32>(pool.data() + 32, 32),
                                      std::span<const std::uint8_t, 32>(server_pub.data(), 32),
                                      shared));
        transcript_hash th;
        th.update(client_hello);
        th.update(server_hello);
        th.select(hash_algorithm::sha256);
        handshake_secret hs = early_secret(hash_algorithm::sha256).derive_handshake(shared);
        server_hs = hs.server_traffic(th.current());
        client_hs = hs.client_traffic(th.current());
        for (const auto* m :
             {&encrypted_extensions, &certificate, &certificate_verify, &finished}) {
            th.update(*m);
        }
        master_secret ms = std::move(hs).derive_master();
        server_ap = ms.server_application_traffic(th.current());
        client_ap = ms.client_application_traffic(th.current());
    }

    /// A client that replays the trace's ClientHello with the trace's randomness.
    https::tls::client_config config() {
        https::tls::client_config cfg;
        cfg.server_name = "server";
        rng = std::make_unique<https::crypto::replay_random>(pool);
        cfg.random = rng.get();
        cfg.middlebox_compatibility = false;
        cfg.min_version = https::tls::protocol_version::tls13; // as the trace's ClientHello
        cfg.groups = {https::tls::named_group::x25519, https::tls::named_group::secp256r1,
                      https::tls::named_group::secp384r1};
        cfg.min_rsa_key_bits = 1024;
        cfg.verify_certificate = [](std::span<const https::bytes_view>, std::string_view,
                                    std::optional<https::bytes_view>) { return https::status{}; };
        const bytes ch = client_hello;
        // The engine holds the server to its own offer, which the trace's ClientHello matches
        // in every field the server's answers depend on.
        https::tls::test_hooks::replace_client_hello(
            cfg, [ch](const https::byte_vector& ours, unsigned attempt) {
                return attempt == 0 ? https::byte_vector(ch) : ours;
            });
        return cfg;
    }

    /// Records of `type` carrying `payload`, encrypted under `traffic` with a fresh sequence
    /// counter per sealer (one sealer per key, as a real server has). Written independently of
    /// the engine's record protection: nonce = iv XOR seq, AAD = the record header (RFC 8446 §5).
    class sealer {
      public:
        explicit sealer(const https::tls::secret& traffic)
            : keys_(
                  https::tls::derive_traffic_keys(https::tls::hash_algorithm::sha256, traffic, 16)),
              aead_(std::span<const std::uint8_t, 16>(keys_.key.data(), 16)) {}
        bytes seal(https::tls::content_type type, const bytes& payload) {
            bytes inner = payload;
            inner.push_back(static_cast<std::uint8_t>(type));
            return seal_raw_inner(inner);
        }
        /// An inner plaintext given verbatim (content, type byte, padding), for malformed cases.
        bytes seal_raw_inner(const bytes& inner) {
            const std::size_t len = inner.size() + 16;
            bytes out = {0x17, 0x03, 0x03, static_cast<std::uint8_t>(len >> 8),
                         static_cast<std::uint8_t>(len)};
            std::array<std::uint8_t, 12> nonce{};
            std::copy(keys_.iv.bytes.begin(), keys_.iv.bytes.end(), nonce.begin());
            for (int i = 0; i < 8; ++i) {
                nonce[11 - i] ^= static_cast<std::uint8_t>(seq_ >> (8 * i));
            }
            ++seq_;
            bytes body(len);
            REQUIRE(aead_.seal(nonce, out, inner, body));
            out.insert(out.end(), body.begin(), body.end());
            return out;
        }

      private:
        https::tls::traffic_keys keys_;
        https::crypto::aes128_gcm aead_;
        std::uint64_t seq_ = 0;
    };

    /// Opens records we sent under `traffic` (to check what the client wrote).
    static std::vector<std::pair<https::tls::content_type, bytes>>
    open_all(const https::tls::secret& traffic, bytes records) {
        auto k = https::tls::derive_traffic_keys(https::tls::hash_algorithm::sha256, traffic, 16);
        https::tls::tls13_aead_protection<https::crypto::aes128_gcm> p(
            std::span<const std::uint8_t, 16>(k.key.data(), 16), k.iv.span());
        std::vector<std::pair<https::tls::content_type, bytes>> out;
        std::size_t off = 0;
        while (off + 5 <= records.size()) {
            const std::size_t len = (std::size_t{records[off + 3]} << 8) | records[off + 4];
            https::tls::record_header h{static_cast<https::tls::content_type>(records[off]), 0x0303,
                                        static_cast<std::uint16_t>(len)};
            auto r = p.open(h, https::mutable_bytes(records).subspan(off + 5, len));
            REQUIRE(r);
            out.emplace_back(r->type, bytes(r->payload.begin(), r->payload.end()));
            off += 5 + len;
        }
        return out;
    }

    static bytes record_body(const bytes& record) { return {record.begin() + 5, record.end()}; }
    static bytes plaintext_record(https::tls::content_type type, const bytes& payload) {
        https::byte_vector out;
        https::tls::plaintext_protection{}.seal(type, 0x0303, payload, out);
        return out;
    }
    static bytes concat(std::initializer_list<bytes> parts) {
        bytes out;
        for (const auto& p : parts) {
            out.insert(out.end(), p.begin(), p.end());
        }
        return out;
    }

    bytes pool, client_hello, server_hello_record, server_hello, encrypted_extensions, certificate,
        certificate_verify, finished, flight_record;
    https::tls::secret server_hs, client_hs, server_ap, client_ap;
    std::unique_ptr<https::crypto::replay_random> rng;

  private:
    std::map<std::string, std::string> s_;
};

} // namespace test
