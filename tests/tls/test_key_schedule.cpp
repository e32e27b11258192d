// TLS 1.3 key schedule: RFC 8448 §3 anchor values, and every HKDF step printed in the
// editor's-copy draft trace (extract, Derive-Secret / HKDF-Expand-Label, traffic key and IV).
#include <https/crypto/x25519.hpp>
#include <https/tls/key_schedule.hpp>
#include <https/tls/transcript.hpp>

#include "support/tls_traces.hpp"
#include "support/vectors.hpp"

#include <catch2/catch.hpp>

using namespace https;
using namespace https::tls;

namespace {
test::bytes span_bytes(bytes_view b) {
    return {b.begin(), b.end()};
}
} // namespace

TEST_CASE("RFC 8448 §3 key schedule anchors", "[tls][key_schedule]") {
    // Values quoted in vectors/README.md from RFC 8448 §3.
    const auto priv = test::hex("49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005");
    const auto server_pub =
        test::hex("c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f");
    std::array<std::uint8_t, 32> shared{};
    REQUIRE(crypto::x25519(std::span<const std::uint8_t, 32>(priv.data(), 32),
                           std::span<const std::uint8_t, 32>(server_pub.data(), 32), shared));
    CHECK(span_bytes(shared) ==
          test::hex("8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d"));

    early_secret early(hash_algorithm::sha256);
    CHECK(span_bytes(early.value().bytes()) ==
          test::hex("33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a"));
    const secret derived = derive_secret(hash_algorithm::sha256, early.value(), "derived",
                                         empty_hash(hash_algorithm::sha256));
    CHECK(span_bytes(derived.bytes()) ==
          test::hex("6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba"));
    handshake_secret hs = std::move(early).derive_handshake(shared);
    CHECK(span_bytes(hs.value().bytes()) ==
          test::hex("1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac"));
}

TEST_CASE("draft trace: every HKDF step of the key schedule", "[tls][key_schedule]") {
    const auto blocks = test::read_draft_trace();
    int expands = 0, extracts = 0, key_ivs = 0, x25519_pairs = 0, contexts = 0;
    for (const auto& b : blocks) {
        INFO(b.section << " / " << b.title);
        if (b.has("PRK") && b.has("info") && b.has("expanded")) {
            // HkdfLabel = uint16 length || opaque label<7..255> || opaque context<0..255>
            const auto& prk = b.fields.at("PRK");
            const auto& info = b.fields.at("info");
            const auto h = prk.size() == 32 ? hash_algorithm::sha256 : hash_algorithm::sha384;
            reader r(info);
            const std::size_t length = *r.read_u16();
            const auto label = *r.read_prefixed<1>();
            const auto context = *r.read_prefixed<1>();
            REQUIRE(r.empty());
            const std::string full(label.begin(), label.end());
            REQUIRE(full.rfind("tls13 ", 0) == 0);
            test::bytes out(length);
            hkdf_expand_label(h, prk, full.substr(6), context, out);
            CHECK(out == b.fields.at("expanded"));
            if (b.has("hash") && !b.fields.at("hash").empty()) {
                CHECK(span_bytes(context) == b.fields.at("hash"));
                ++contexts;
                // Derive-Secret is HKDF-Expand-Label with the transcript hash and Hash.length.
                if (length == hash_length(h) && context.size() == hash_length(h)) {
                    hash_value th;
                    std::copy(context.begin(), context.end(), th.bytes.begin());
                    th.size = context.size();
                    CHECK(span_bytes(derive_secret(h, secret(prk), full.substr(6), th).bytes()) ==
                          b.fields.at("expanded"));
                }
            }
            ++expands;
        }
        if (b.has("IKM") && b.has("secret")) {
            const auto& ikm = b.fields.at("IKM");
            const auto h = ikm.size() == 32 ? hash_algorithm::sha256 : hash_algorithm::sha384;
            test::bytes salt = b.has("salt") ? b.fields.at("salt") : test::bytes{};
            // "salt: 0 (all zero octets)" is printed without a length: HashLen zeros.
            if (salt.empty()) {
                salt.assign(hash_length(h), 0);
            }
            CHECK(span_bytes(hkdf_extract(h, salt, ikm).bytes()) == b.fields.at("secret"));
            ++extracts;
        }
        if (b.has("PRK") && b.has("key info") && b.has("iv info")) {
            const auto& prk = b.fields.at("PRK");
            const auto h = prk.size() == 32 ? hash_algorithm::sha256 : hash_algorithm::sha384;
            const auto& key = b.fields.at("key expanded");
            const traffic_keys k = derive_traffic_keys(h, secret(prk), key.size());
            CHECK(span_bytes(bytes_view(k.key.data(), k.key_length)) == key);
            CHECK(span_bytes(k.iv.span()) == b.fields.at("iv expanded"));
            ++key_ivs;
        }
        if (b.title.find("create an ephemeral x25519 key pair") != std::string::npos) {
            const auto& priv = b.fields.at("private key");
            auto kp = crypto::x25519_key_pair::from_private(
                std::span<const std::uint8_t, 32>(priv.data(), 32));
            CHECK(span_bytes(kp.public_key) == b.fields.at("public key"));
            ++x25519_pairs;
        }
    }
    // Counts of labelled values in the file: 59 info/expanded, 15 secret (IKM), 21 key/iv pairs,
    // 9 x25519 pairs (the HelloRetryRequest section's second pair is P-256).
    CHECK(expands == 59);
    CHECK(extracts == 15);
    CHECK(key_ivs == 21);
    CHECK(x25519_pairs == 9);
    CHECK(contexts > 0);
}

TEST_CASE("draft trace: handshake secret IKM is the X25519 shared secret", "[tls][key_schedule]") {
    // In each section the client's private key and the server's public key give the IKM of the
    // "handshake" extraction.
    const auto blocks = test::read_draft_trace();
    std::map<std::string, test::bytes> client_priv, server_pub;
    int checked = 0;
    for (const auto& b : blocks) {
        if (b.title.find("create an ephemeral x25519 key pair") != std::string::npos) {
            if (b.title.find("{client}") != std::string::npos) {
                client_priv[b.section] = b.fields.at("private key");
            } else {
                server_pub[b.section] = b.fields.at("public key");
            }
        }
        if (b.title.find("extract secret \"handshake\":") != std::string::npos &&
            b.title.find("{server}") != std::string::npos && client_priv.count(b.section) &&
            server_pub.count(b.section)) {
            std::array<std::uint8_t, 32> shared{};
            REQUIRE(crypto::x25519(
                std::span<const std::uint8_t, 32>(client_priv[b.section].data(), 32),
                std::span<const std::uint8_t, 32>(server_pub[b.section].data(), 32), shared));
            CHECK(span_bytes(shared) == b.fields.at("IKM"));
            ++checked;
        }
    }
    CHECK(checked == 4); // sections 3, 4, 6, 7 (section 5 ends on P-256 after the HRR)
}

TEST_CASE("transcript hash: buffered until selected; HRR rewrite", "[tls][key_schedule]") {
    const test::bytes ch = test::hex("0100000401020304");
    const test::bytes hrr = test::hex("020000020a0b");
    transcript_hash t;
    t.update(ch);
    t.select(hash_algorithm::sha256);
    const auto ch_hash = crypto::hash<crypto::sha256>(ch);
    CHECK(span_bytes(t.current().view()) == span_bytes(ch_hash));
    REQUIRE(t.replace_with_message_hash());
    t.update(hrr);
    // message_hash = fe 00 00 20 || Hash(ClientHello1), then the HRR (RFC 8446 §4.4.1).
    test::bytes expected = test::hex("fe000020");
    expected.insert(expected.end(), ch_hash.begin(), ch_hash.end());
    expected.insert(expected.end(), hrr.begin(), hrr.end());
    CHECK(span_bytes(t.current().view()) == span_bytes(crypto::hash<crypto::sha256>(expected)));

    transcript_hash t384;
    t384.update(ch);
    t384.select(hash_algorithm::sha384);
    CHECK(t384.current().size == 48);
    CHECK(span_bytes(t384.current().view()) == span_bytes(crypto::hash<crypto::sha384>(ch)));
}
