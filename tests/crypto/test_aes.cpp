// AES-128/256 block cipher: NIST CAVP ECB KAT/MMT/MCT on both paths, OpenSSL differential, wiping.
#include "aes_paths.hpp"

#include <https/crypto/aes.hpp>
#include <support/vectors.hpp>

#include <openssl/evp.h>

#include <array>
#include <cstring>
#include <new>
#include <random>

using namespace https;
using namespace https::crypto;

namespace {

template <class Cipher> Cipher make_cipher(const test::bytes& key) {
    REQUIRE(key.size() == Cipher::key_size);
    return Cipher(std::span<const std::uint8_t, Cipher::key_size>(key.data(), Cipher::key_size));
}

/// Runs every record of a NIST ECB KAT/MMT file; returns the number of records checked.
template <class Cipher> std::size_t run_ecb_file(const std::string& file) {
    std::size_t ran = 0;
    for (const auto& rec : test::read_rsp("nist/aes/" + file)) {
        const bool encrypt = rec.section.count("ENCRYPT") != 0;
        REQUIRE((encrypt || rec.section.count("DECRYPT") != 0));
        const Cipher c = make_cipher<Cipher>(rec.bytes_of("KEY"));
        const auto pt = rec.bytes_of("PLAINTEXT");
        const auto ct = rec.bytes_of("CIPHERTEXT");
        REQUIRE(pt.size() == ct.size());
        test::bytes out(pt.size());
        if (encrypt) {
            c.encrypt_blocks(pt, out);
            CHECK(out == ct);
        } else {
            c.decrypt_blocks(ct, out);
            CHECK(out == pt);
        }
        ++ran;
    }
    return ran;
}

/// The ECB Monte Carlo test of AESAVS §6.4.1: 100 checkpoints of 1000 chained operations each,
/// the key updated from the last outputs. Returns the number of checkpoints verified.
template <class Cipher> std::size_t run_ecb_mct(const std::string& file) {
    const auto recs = test::read_rsp("nist/aes/" + file);
    std::size_t ran = 0;
    for (const bool encrypt : {true, false}) {
        const char* section = encrypt ? "ENCRYPT" : "DECRYPT";
        const char* in_name = encrypt ? "PLAINTEXT" : "CIPHERTEXT";
        const char* out_name = encrypt ? "CIPHERTEXT" : "PLAINTEXT";
        test::bytes key, in;
        bool first = true;
        for (const auto& rec : recs) {
            if (rec.section.count(section) == 0) {
                continue;
            }
            if (first) {
                key = rec.bytes_of("KEY");
                in = rec.bytes_of(in_name);
                first = false;
            }
            REQUIRE(key == rec.bytes_of("KEY"));
            REQUIRE(in == rec.bytes_of(in_name));
            const Cipher c = make_cipher<Cipher>(key);
            std::array<std::uint8_t, 16> x{}, prev{};
            std::memcpy(x.data(), in.data(), 16);
            for (int j = 0; j < 1000; ++j) {
                prev = x;
                if (encrypt) {
                    c.encrypt_block(x, x);
                } else {
                    c.decrypt_block(x, x);
                }
            }
            REQUIRE(test::bytes(x.begin(), x.end()) == rec.bytes_of(out_name));
            // Key[i+1] = Key[i] ^ (last key-size bytes of out[998] || out[999])
            if (key.size() == 16) {
                for (std::size_t k = 0; k < 16; ++k) {
                    key[k] ^= x[k];
                }
            } else {
                for (std::size_t k = 0; k < 16; ++k) {
                    key[k] ^= prev[k];
                    key[16 + k] ^= x[k];
                }
            }
            in.assign(x.begin(), x.end());
            ++ran;
        }
    }
    return ran;
}

} // namespace

TEST_CASE("AES ECB: NIST CAVP KAT and MMT, both paths", "[crypto][aes][vectors]") {
    for (const auto& path : test::aes_paths()) {
        test::use_path use(path);
        INFO("path " << path.name());
        CHECK(run_ecb_file<aes128>("ECBGFSbox128.rsp") == 14);
        CHECK(run_ecb_file<aes128>("ECBKeySbox128.rsp") == 42);
        CHECK(run_ecb_file<aes128>("ECBVarKey128.rsp") == 256);
        CHECK(run_ecb_file<aes128>("ECBVarTxt128.rsp") == 256);
        CHECK(run_ecb_file<aes128>("ECBMMT128.rsp") == 20);
        CHECK(run_ecb_file<aes256>("ECBGFSbox256.rsp") == 10);
        CHECK(run_ecb_file<aes256>("ECBKeySbox256.rsp") == 32);
        CHECK(run_ecb_file<aes256>("ECBVarKey256.rsp") == 512);
        CHECK(run_ecb_file<aes256>("ECBVarTxt256.rsp") == 256);
        CHECK(run_ecb_file<aes256>("ECBMMT256.rsp") == 20);
    }
}

TEST_CASE("AES ECB: NIST CAVP Monte Carlo, both paths", "[crypto][aes][vectors]") {
    for (const auto& path : test::aes_paths()) {
        test::use_path use(path);
        INFO("path " << path.name());
        CHECK(run_ecb_mct<aes128>("ECBMCT128.rsp") == 200);
        CHECK(run_ecb_mct<aes256>("ECBMCT256.rsp") == 200);
    }
}

TEST_CASE("AES: FIPS 197 Appendix C examples", "[crypto][aes]") {
    const auto pt = test::hex("00112233445566778899aabbccddeeff");
    for (const auto& path : test::aes_paths()) {
        test::use_path use(path);
        INFO("path " << path.name());
        test::bytes out(16), back(16);
        const auto c128 = make_cipher<aes128>(test::hex("000102030405060708090a0b0c0d0e0f"));
        c128.encrypt_blocks(pt, out);
        CHECK(out == test::hex("69c4e0d86a7b0430d8cdb78070b4c55a"));
        c128.decrypt_blocks(out, back);
        CHECK(back == pt);
        const auto c256 = make_cipher<aes256>(
            test::hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
        c256.encrypt_blocks(pt, out);
        CHECK(out == test::hex("8ea2b7ca516745bfeafc49904b496089"));
        c256.decrypt_blocks(out, back);
        CHECK(back == pt);
    }
}

namespace {

test::bytes openssl_ecb(const test::bytes& key, const test::bytes& in, bool encrypt) {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    REQUIRE(ctx != nullptr);
    const EVP_CIPHER* alg = key.size() == 16 ? EVP_aes_128_ecb() : EVP_aes_256_ecb();
    REQUIRE(EVP_CipherInit_ex(ctx, alg, nullptr, key.data(), nullptr, encrypt ? 1 : 0) == 1);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    test::bytes out(in.size() + 16);
    int n = 0, m = 0;
    REQUIRE(EVP_CipherUpdate(ctx, out.data(), &n, in.data(), static_cast<int>(in.size())) == 1);
    REQUIRE(EVP_CipherFinal_ex(ctx, out.data() + n, &m) == 1);
    EVP_CIPHER_CTX_free(ctx);
    out.resize(static_cast<std::size_t>(n + m));
    return out;
}

template <class Cipher> std::size_t differential(std::mt19937_64& rng) {
    std::size_t ran = 0;
    for (std::size_t blocks = 0; blocks <= 40; ++blocks) {
        test::bytes key(Cipher::key_size), in(16 * blocks);
        for (auto& b : key) {
            b = static_cast<std::uint8_t>(rng());
        }
        for (auto& b : in) {
            b = static_cast<std::uint8_t>(rng());
        }
        const auto c = make_cipher<Cipher>(key);
        test::bytes out(in.size());
        c.encrypt_blocks(in, out);
        REQUIRE(out == openssl_ecb(key, in, true));
        test::bytes inplace = in;
        c.encrypt_blocks(inplace, inplace);
        REQUIRE(inplace == out);
        c.decrypt_blocks(inplace, inplace);
        REQUIRE(inplace == in);
        REQUIRE(openssl_ecb(key, in, false).size() == in.size());
        c.decrypt_blocks(in, out);
        REQUIRE(out == openssl_ecb(key, in, false));
        ++ran;
    }
    return ran;
}

} // namespace

TEST_CASE("AES: multi-block encrypt/decrypt agrees with OpenSSL, both paths, in place",
          "[crypto][aes][openssl]") {
    for (const auto& path : test::aes_paths()) {
        test::use_path use(path);
        INFO("path " << path.name());
        std::mt19937_64 rng(7);
        CHECK(differential<aes128>(rng) == 41);
        CHECK(differential<aes256>(rng) == 41);
    }
}

TEST_CASE("AES: the key schedule is wiped on destruction", "[crypto][aes]") {
    for (const auto& path : test::aes_paths()) {
        test::use_path use(path);
        alignas(aes256) std::array<unsigned char, sizeof(aes256)> storage{};
        std::array<std::uint8_t, 32> key{};
        key.fill(0xA5);
        auto* c = new (storage.data()) aes256(key);
        bool any_nonzero = false;
        for (unsigned char b : storage) {
            any_nonzero = any_nonzero || b != 0;
        }
        CHECK(any_nonzero);
        c->~aes256();
        bool all_zero = true;
        // the whole object except the trailing implementation flag and padding
        for (std::size_t i = 0; i + 16 < storage.size(); ++i) {
            all_zero = all_zero && storage[i] == 0;
        }
        CHECK(all_zero);
    }
}
