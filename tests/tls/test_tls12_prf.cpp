// TLS 1.2 PRF and key schedule: known answers computed with OpenSSL (`openssl kdf TLS1-PRF`),
// and a differential check against libcrypto's EVP_KDF "TLS1-PRF" for the master secret
// (classic and extended), the key block of every suite, and Finished verify_data.
#include <https/tls/tls12_key_schedule.hpp>

#include "support/vectors.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <catch2/catch.hpp>

#include <random>
#include <string>

using namespace https;
using namespace https::tls;

namespace {

test::bytes to_bytes(bytes_view b) {
    return {b.begin(), b.end()};
}

/// The oracle: OpenSSL's TLS1-PRF KDF (the seed parameter is label || seed, as in RFC 5246 §5).
test::bytes openssl_prf(hash_algorithm h, bytes_view secret_bytes, const std::string& label,
                        bytes_view seed, std::size_t length) {
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "TLS1-PRF", nullptr);
    REQUIRE(kdf != nullptr);
    EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    REQUIRE(ctx != nullptr);
    std::string digest = h == hash_algorithm::sha256 ? "SHA256" : "SHA384";
    test::bytes full_seed(label.begin(), label.end());
    full_seed.insert(full_seed.end(), seed.begin(), seed.end());
    test::bytes secret_copy(secret_bytes.begin(), secret_bytes.end());
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest.data(), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, secret_copy.data(),
                                          secret_copy.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, full_seed.data(), full_seed.size()),
        OSSL_PARAM_construct_end()};
    test::bytes out(length);
    REQUIRE(EVP_KDF_derive(ctx, out.data(), out.size(), params) == 1);
    EVP_KDF_CTX_free(ctx);
    return out;
}

test::bytes random_bytes(std::mt19937& rng, std::size_t n) {
    test::bytes b(n);
    for (auto& x : b) {
        x = static_cast<std::uint8_t>(rng());
    }
    return b;
}

} // namespace

TEST_CASE("TLS 1.2 PRF known answers", "[tls][tls12][prf]") {
    // Generated with OpenSSL 3.0:
    //   openssl kdf -keylen 100 -kdfopt digest:SHA256 -kdfopt hexsecret:9bbe...db35
    //       -kdfopt hexseed:<"test label" || a0ba...198c> TLS1-PRF
    // (the SHA-256 case is also the widely circulated TLS 1.2 PRF test vector).
    struct kat {
        hash_algorithm h;
        const char* secret;
        const char* seed;
        const char* expected;
    };
    const kat kats[] = {
        {hash_algorithm::sha256, "9bbe436ba940f017b17652849a71db35",
         "a0ba9f936cda311827a6f796ffd5198c",
         "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e"
         "14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5"
         "a72e5a5110fff70187347b66"},
        {hash_algorithm::sha384, "b80b733d6ceefcdc71566ea48e5567df",
         "cd665cf6a8447dd6ff8b27555edb7465",
         "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b123"
         "3c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd"
         "4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a2"
         "6854308d5eaa3be85e0990703d73e56f"},
    };
    int ran = 0;
    for (const auto& k : kats) {
        const auto expected = test::hex(k.expected);
        test::bytes out(expected.size());
        tls12_prf(k.h, test::hex(k.secret), "test label", test::hex(k.seed), out);
        CHECK(out == expected);
        ++ran;
    }
    CHECK(ran == 2);
}

TEST_CASE("TLS 1.2 PRF matches OpenSSL TLS1-PRF for every output length", "[tls][tls12][prf]") {
    std::mt19937 rng(1234);
    int ran = 0;
    for (auto h : {hash_algorithm::sha256, hash_algorithm::sha384}) {
        for (std::size_t len = 1; len <= 200; len += 7) {
            const auto secret = random_bytes(rng, 1 + rng() % 100);
            const auto seed = random_bytes(rng, rng() % 80);
            test::bytes out(len);
            tls12_prf(h, secret, "some label", seed, out);
            CHECK(out == openssl_prf(h, secret, "some label", seed, len));
            ++ran;
        }
    }
    CHECK(ran == 58);
}

TEST_CASE("TLS 1.2 master secret, key block and Finished match OpenSSL", "[tls][tls12][prf]") {
    std::mt19937 rng(99);
    const std::uint16_t suites[] = {0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc023,
                                    0xc027, 0xc024, 0xc028, 0x009d, 0x009c, 0x003d};
    int ran = 0;
    for (std::uint16_t code : suites) {
        const auto info = find_cipher_suite(code, protocol_version::tls12);
        REQUIRE(info);
        const auto h = info->prf_hash;
        const auto pms = random_bytes(rng, info->is_ecdhe() ? 32 : 48);
        const auto cr = random_bytes(rng, 32);
        const auto sr = random_bytes(rng, 32);
        const std::span<const std::uint8_t, 32> crs(cr.data(), 32), srs(sr.data(), 32);

        // RFC 5246 §8.1
        const tls12_master_secret ms = derive_master_secret(h, pms, crs, srs);
        test::bytes randoms = cr;
        randoms.insert(randoms.end(), sr.begin(), sr.end());
        const auto expected_ms = openssl_prf(h, pms, "master secret", randoms, 48);
        CHECK(to_bytes(ms.bytes()) == expected_ms);

        // RFC 7627 §4
        hash_value session_hash;
        session_hash.size = hash_length(h);
        const auto sh = random_bytes(rng, session_hash.size);
        std::copy(sh.begin(), sh.end(), session_hash.bytes.begin());
        const tls12_master_secret ems = derive_extended_master_secret(h, pms, session_hash);
        CHECK(to_bytes(ems.bytes()) == openssl_prf(h, pms, "extended master secret", sh, 48));

        // RFC 5246 §6.3: key expansion, then the partition.
        const tls12_key_block kb = derive_key_block(*info, ms, crs, srs);
        test::bytes swapped = sr;
        swapped.insert(swapped.end(), cr.begin(), cr.end());
        const auto block =
            openssl_prf(h, ms.bytes(), "key expansion", swapped, info->key_block_length());
        test::bytes ours;
        for (bytes_view part :
             {kb.client_mac_key(), kb.server_mac_key(), kb.client_write_key(),
              kb.server_write_key(), kb.client_write_iv(), kb.server_write_iv()}) {
            ours.insert(ours.end(), part.begin(), part.end());
        }
        CHECK(ours == block);
        CHECK(kb.client_mac_key().size() == info->mac_key_length);
        CHECK(kb.client_write_key().size() == info->enc_key_length);
        CHECK(kb.server_write_iv().size() == info->fixed_iv_length);

        // RFC 5246 §7.4.9
        const auto fc = tls12_finished_verify_data(h, ms, true, session_hash);
        const auto fs = tls12_finished_verify_data(h, ms, false, session_hash);
        CHECK(to_bytes(fc) == openssl_prf(h, ms.bytes(), "client finished", sh, 12));
        CHECK(to_bytes(fs) == openssl_prf(h, ms.bytes(), "server finished", sh, 12));
        ++ran;
    }
    CHECK(ran == 13);
}

TEST_CASE("TLS 1.2 key block known answer", "[tls][tls12][prf]") {
    // A fixed AES-128-GCM (SHA-256) derivation; the expected block was computed with
    //   openssl kdf -keylen 40 -kdfopt digest:SHA256 -kdfopt hexsecret:<master>
    //       -kdfopt hexseed:<"key expansion" || server_random || client_random> TLS1-PRF
    const auto master = test::hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                                  "202122232425262728292a2b2c2d2e2f");
    test::bytes cr(32), sr(32);
    for (int i = 0; i < 32; ++i) {
        cr[i] = static_cast<std::uint8_t>(0xa0 + i);
        sr[i] = static_cast<std::uint8_t>(0x50 + i);
    }
    const tls12_master_secret ms(std::span<const std::uint8_t, 48>(master.data(), 48));
    const auto info = find_cipher_suite(0xc02f, protocol_version::tls12);
    REQUIRE(info);
    const tls12_key_block kb = derive_key_block(*info, ms, std::span<const std::uint8_t, 32>(cr),
                                                std::span<const std::uint8_t, 32>(sr));
    test::bytes ours;
    for (bytes_view part : {kb.client_write_key(), kb.server_write_key(), kb.client_write_iv(),
                            kb.server_write_iv()}) {
        ours.insert(ours.end(), part.begin(), part.end());
    }
    CHECK(test::bytes(ours.begin(), ours.end()) ==
          test::hex(
              "e208855db6076dabb270712f6d7fb5158fbb1cffcda4bfaf66fde11e5e05b445167a4386321093ee"));
}
