// TLS 1.2 record protection: round trips of every protection over awkward lengths, records built
// independently with OpenSSL (AES-GCM / ChaCha20-Poly1305 / AES-CBC + HMAC) opened by ours and
// ours opened by OpenSSL, and the CBC check: every padding length accepted, and a wrong MAC,
// wrong padding bytes or a padding length too large all rejected alike with bad_record_mac.
#include <https/tls/tls12_record_protection.hpp>

#include "support/tls12_oracle.hpp"
#include "support/vectors.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace https;
using namespace https::tls;

namespace {

test::bytes random_bytes(std::mt19937& rng, std::size_t n) {
    test::bytes b(n);
    for (auto& x : b) {
        x = static_cast<std::uint8_t>(rng());
    }
    return b;
}

template <std::size_t N> std::span<const std::uint8_t, N> fixed(const test::bytes& b) {
    REQUIRE(b.size() == N);
    return std::span<const std::uint8_t, N>(b.data(), N);
}

/// Split one sealed record into header and payload.
struct wire_record {
    record_header header;
    test::bytes payload;
};

wire_record split(const test::bytes& rec) {
    REQUIRE(rec.size() >= 5);
    wire_record w;
    w.header.type = static_cast<content_type>(rec[0]);
    w.header.legacy_version = static_cast<std::uint16_t>(rec[1] << 8 | rec[2]);
    w.header.length = static_cast<std::uint16_t>(rec[3] << 8 | rec[4]);
    w.payload.assign(rec.begin() + 5, rec.end());
    REQUIRE(w.payload.size() == w.header.length);
    return w;
}

template <class Protection>
result<test::bytes> open_payload(Protection& p, std::uint8_t type, test::bytes payload) {
    record_header h;
    h.type = static_cast<content_type>(type);
    h.legacy_version = 0x0303;
    h.length = static_cast<std::uint16_t>(payload.size());
    auto r = p.open(h, payload);
    if (!r) {
        return r.error();
    }
    return test::bytes(r->payload.begin(), r->payload.end());
}

const std::size_t awkward_lengths[] = {0,  1,  15,  16,  17,  31,  32,   33,    47,   48,
                                       63, 64, 100, 255, 256, 257, 1000, 16383, 16384};

template <class P, class Make> void round_trip(Make make) {
    std::mt19937 rng(7);
    P writer = make();
    P reader = make();
    for (std::size_t len : awkward_lengths) {
        const auto msg = random_bytes(rng, len);
        test::bytes wire;
        writer.seal(content_type::application_data, 0x0303, msg, wire);
        auto w = split(wire);
        CHECK(w.header.type == content_type::application_data);
        auto opened = reader.open(w.header, w.payload);
        REQUIRE(opened);
        CHECK(test::bytes(opened->payload.begin(), opened->payload.end()) == msg);
        CHECK(opened->type == content_type::application_data);
    }
    CHECK(writer.sequence_number() == std::size(awkward_lengths));
    CHECK(reader.sequence_number() == std::size(awkward_lengths));
}

} // namespace

TEST_CASE("TLS 1.2 protections round-trip over awkward lengths", "[tls][tls12][record]") {
    std::mt19937 rng(3);
    const auto k16 = random_bytes(rng, 16), k32 = random_bytes(rng, 32),
               k32b = random_bytes(rng, 32);
    const auto iv4 = random_bytes(rng, 4), iv12 = random_bytes(rng, 12);
    const auto m32 = random_bytes(rng, 32), m48 = random_bytes(rng, 48);
    round_trip<tls12_aes128_gcm_protection>(
        [&] { return tls12_aes128_gcm_protection(fixed<16>(k16), fixed<4>(iv4)); });
    round_trip<tls12_aes256_gcm_protection>(
        [&] { return tls12_aes256_gcm_protection(fixed<32>(k32), fixed<4>(iv4)); });
    round_trip<tls12_chacha20_poly1305_protection>(
        [&] { return tls12_chacha20_poly1305_protection(fixed<32>(k32), fixed<12>(iv12)); });
    for (bool etm : {false, true}) {
        round_trip<tls12_aes128_cbc_sha256_protection>([&] {
            return tls12_aes128_cbc_sha256_protection(fixed<16>(k16), m32, fixed<16>(k16), etm);
        });
        round_trip<tls12_aes256_cbc_sha256_protection>([&] {
            return tls12_aes256_cbc_sha256_protection(fixed<32>(k32), m32, fixed<32>(k32b), etm);
        });
        round_trip<tls12_aes256_cbc_sha384_protection>([&] {
            return tls12_aes256_cbc_sha384_protection(fixed<32>(k32), m48, fixed<32>(k32b), etm);
        });
    }
}

TEST_CASE("TLS 1.2 AEAD records agree with OpenSSL both ways", "[tls][tls12][record]") {
    std::mt19937 rng(11);
    int ran = 0;
    for (int which = 0; which < 3; ++which) {
        const bool chacha = which == 2;
        const auto key = random_bytes(rng, which == 0 ? 16 : 32);
        const auto iv = random_bytes(rng, chacha ? 12 : 4);
        const EVP_CIPHER* cipher = which == 0   ? EVP_aes_128_gcm()
                                   : which == 1 ? EVP_aes_256_gcm()
                                                : EVP_chacha20_poly1305();
        auto seal_ours = [&](std::uint64_t, const test::bytes& msg, auto& p) {
            test::bytes wire;
            p.seal(content_type::handshake, 0x0303, msg, wire);
            return split(wire);
        };
        auto check_all = [&](auto ours_writer, auto ours_reader) {
            for (std::uint64_t seq = 0; seq < 5; ++seq) {
                const auto msg = random_bytes(rng, 10 + 37 * seq);
                // ours -> OpenSSL
                const auto w = seal_ours(seq, msg, ours_writer);
                test::bytes nonce(12);
                test::bytes sealed;
                if (chacha) {
                    // RFC 7905 §2: iv XOR left-padded sequence number
                    nonce = iv;
                    for (int i = 0; i < 8; ++i) {
                        nonce[11 - i] ^= static_cast<std::uint8_t>(seq >> (8 * i));
                    }
                    sealed = w.payload;
                } else {
                    // RFC 5288 §3: salt || nonce_explicit (we send the sequence number)
                    std::copy(iv.begin(), iv.end(), nonce.begin());
                    std::copy(w.payload.begin(), w.payload.begin() + 8, nonce.begin() + 4);
                    for (int i = 0; i < 8; ++i) {
                        CHECK(nonce[4 + i] == static_cast<std::uint8_t>(seq >> (56 - 8 * i)));
                    }
                    sealed.assign(w.payload.begin() + 8, w.payload.end());
                }
                const auto ad = test::tls12_ad(seq, 22, msg.size());
                const auto plain = test::openssl_aead(cipher, false, key, nonce, ad, sealed);
                REQUIRE(plain);
                CHECK(*plain == msg);
                // OpenSSL -> ours, with a nonce_explicit that is not the sequence number
                test::bytes nonce2 = nonce;
                test::bytes payload;
                if (!chacha) {
                    for (int i = 4; i < 12; ++i) {
                        nonce2[i] = static_cast<std::uint8_t>(rng());
                    }
                    payload.assign(nonce2.begin() + 4, nonce2.end());
                }
                const auto c = test::openssl_aead(cipher, true, key, nonce2, ad, msg);
                REQUIRE(c);
                payload.insert(payload.end(), c->begin(), c->end());
                auto opened = open_payload(ours_reader, 22, payload);
                REQUIRE(opened);
                CHECK(*opened == msg);
                ++ran;
            }
        };
        if (which == 0) {
            check_all(tls12_aes128_gcm_protection(fixed<16>(key), fixed<4>(iv)),
                      tls12_aes128_gcm_protection(fixed<16>(key), fixed<4>(iv)));
        } else if (which == 1) {
            check_all(tls12_aes256_gcm_protection(fixed<32>(key), fixed<4>(iv)),
                      tls12_aes256_gcm_protection(fixed<32>(key), fixed<4>(iv)));
        } else {
            check_all(tls12_chacha20_poly1305_protection(fixed<32>(key), fixed<12>(iv)),
                      tls12_chacha20_poly1305_protection(fixed<32>(key), fixed<12>(iv)));
        }
    }
    CHECK(ran == 15);
}

TEST_CASE("TLS 1.2 AEAD records: a flipped bit anywhere is bad_record_mac",
          "[tls][tls12][record]") {
    std::mt19937 rng(5);
    const auto key = random_bytes(rng, 16);
    const auto iv = random_bytes(rng, 4);
    tls12_aes128_gcm_protection w(fixed<16>(key), fixed<4>(iv));
    test::bytes wire;
    w.seal(content_type::application_data, 0x0303, random_bytes(rng, 40), wire);
    const auto rec = split(wire);
    for (std::size_t i = 0; i < rec.payload.size(); ++i) {
        tls12_aes128_gcm_protection r(fixed<16>(key), fixed<4>(iv));
        auto bad = rec.payload;
        bad[i] ^= 0x10;
        CHECK(open_payload(r, 23, bad).error() == errc::tls_bad_record_mac);
    }
    tls12_aes128_gcm_protection r(fixed<16>(key), fixed<4>(iv));
    CHECK(open_payload(r, 22, rec.payload).error() == errc::tls_bad_record_mac);     // type in AD
    CHECK(open_payload(r, 23, test::bytes(23)).error() == errc::tls_bad_record_mac); // too short
}

TEST_CASE("TLS 1.2 CBC records: every padding length, and every bad record alike",
          "[tls][tls12][record][cbc]") {
    std::mt19937 rng(21);
    int accepted = 0, rejected = 0;
    auto run = [&]<class P>(std::type_identity<P>, std::size_t key_size, const EVP_MD* md) {
        const std::size_t mac_size = P::mac_size;
        const auto key = random_bytes(rng, key_size);
        const auto mac_key = random_bytes(rng, mac_size);
        auto make = [&] {
            if constexpr (std::is_same_v<P, tls12_aes128_cbc_sha256_protection>) {
                return P(fixed<16>(key), mac_key, fixed<16>(key), false);
            } else {
                return P(fixed<32>(key), mac_key, fixed<32>(key), false);
            }
        };
        P in_order = make(); // sees only the good records, in sequence
        std::uint64_t next_seq = 0;
        for (std::size_t content_len : {0, 1, 5, 20, 300}) {
            const auto content = random_bytes(rng, content_len);
            // Every padding length that keeps the plaintext a whole number of blocks.
            for (std::size_t pad = 0; pad < 256; ++pad) {
                if ((content_len + mac_size + pad + 1) % 16 != 0) {
                    continue;
                }
                const auto iv = random_bytes(rng, 16);
                const auto good = test::oracle_mte(md, key, mac_key, next_seq, 23, content, pad,
                                                   test::spoil::none, iv);
                auto opened = open_payload(in_order, 23, good);
                REQUIRE(opened);
                CHECK(*opened == content);
                ++next_seq;
                ++accepted;
                for (test::spoil how :
                     {test::spoil::mac, test::spoil::padding_byte, test::spoil::padding_too_long}) {
                    if (how == test::spoil::padding_byte && pad == 0) {
                        continue;
                    }
                    if (how == test::spoil::padding_too_long && content_len + pad + 1 >= 256) {
                        continue; // a length byte of 255 would still fit
                    }
                    P fresh = make();
                    const auto bad =
                        test::oracle_mte(md, key, mac_key, 0, 23, content, pad, how, iv);
                    auto r = open_payload(fresh, 23, bad);
                    REQUIRE(!r);
                    CHECK(r.error() == errc::tls_bad_record_mac);
                    ++rejected;
                }
            }
        }
        // The right record at the wrong sequence number, or with another type, fails too.
        P fresh = make();
        const auto content = random_bytes(rng, 10);
        const auto at1 =
            test::oracle_mte(md, key, mac_key, 1, 23, content, 15 - (10 + mac_size) % 16,
                             test::spoil::none, random_bytes(rng, 16));
        CHECK(open_payload(fresh, 23, at1).error() == errc::tls_bad_record_mac);
        CHECK(open_payload(fresh, 22, at1).error() == errc::tls_bad_record_mac);
        // Lengths that cannot be a record: not whole blocks, or too short for IV + MAC + 1.
        CHECK(open_payload(fresh, 23, test::bytes(16 + 47)).error() == errc::tls_bad_record_mac);
        CHECK(open_payload(fresh, 23, test::bytes(16 + mac_size - mac_size % 16)).error() ==
              errc::tls_bad_record_mac);
    };
    run(std::type_identity<tls12_aes128_cbc_sha256_protection>{}, 16, EVP_sha256());
    run(std::type_identity<tls12_aes256_cbc_sha256_protection>{}, 32, EVP_sha256());
    run(std::type_identity<tls12_aes256_cbc_sha384_protection>{}, 32, EVP_sha384());
    CHECK(accepted == 240); // 3 protections x 5 contents x 16 padding lengths
    CHECK(rejected == 657);
}

TEST_CASE("TLS 1.2 CBC encrypt-then-MAC records agree with OpenSSL", "[tls][tls12][record][cbc]") {
    std::mt19937 rng(31);
    const auto key = random_bytes(rng, 32);
    const auto mac_key = random_bytes(rng, 32);
    tls12_aes256_cbc_sha256_protection writer(fixed<32>(key), mac_key, fixed<32>(key), true);
    tls12_aes256_cbc_sha256_protection reader(fixed<32>(key), mac_key, fixed<32>(key), true);
    int ran = 0;
    for (std::uint64_t seq = 0; seq < 6; ++seq) {
        const auto content = random_bytes(rng, 7 * seq * seq);
        // ours -> OpenSSL: MAC over header(len of IV + ciphertext) || IV || ciphertext
        test::bytes wire;
        writer.seal(content_type::application_data, 0x0303, content, wire);
        const auto w = split(wire);
        const std::size_t authenticated = w.payload.size() - 32;
        test::bytes mac_input = test::tls12_ad(seq, 23, authenticated);
        mac_input.insert(mac_input.end(), w.payload.begin(), w.payload.begin() + authenticated);
        CHECK(test::openssl_hmac(EVP_sha256(), mac_key, mac_input) ==
              test::bytes(w.payload.begin() + authenticated, w.payload.end()));
        const test::bytes iv(w.payload.begin(), w.payload.begin() + 16);
        const auto plain = test::openssl_cbc(
            false, key, iv, test::bytes(w.payload.begin() + 16, w.payload.begin() + authenticated));
        const std::size_t pad = plain.back();
        CHECK(test::bytes(plain.begin(), plain.end() - pad - 1) == content);
        // OpenSSL -> ours, with the longest padding that fits
        test::bytes padded = content;
        std::size_t p = 15 - content.size() % 16 + 16 * 15;
        padded.insert(padded.end(), p + 1, static_cast<std::uint8_t>(p));
        const auto iv2 = random_bytes(rng, 16);
        test::bytes payload = iv2;
        const auto c = test::openssl_cbc(true, key, iv2, padded);
        payload.insert(payload.end(), c.begin(), c.end());
        test::bytes in2 = test::tls12_ad(seq, 23, payload.size());
        in2.insert(in2.end(), payload.begin(), payload.end());
        const auto mac = test::openssl_hmac(EVP_sha256(), mac_key, in2);
        payload.insert(payload.end(), mac.begin(), mac.end());
        auto bad = payload;
        bad[20] ^= 1;
        tls12_aes256_cbc_sha256_protection fresh(fixed<32>(key), mac_key, fixed<32>(key), true);
        CHECK(open_payload(fresh, 23, bad).error() == errc::tls_bad_record_mac);
        auto opened = open_payload(reader, 23, payload);
        REQUIRE(opened);
        CHECK(*opened == content);
        ++ran;
    }
    CHECK(ran == 6);
}
