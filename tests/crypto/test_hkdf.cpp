// HKDF: RFC 5869 (SHA-256 and SHA-1), Wycheproof, output-length limits, and the TLS 1.3
// HKDF-Expand-Label / Derive-Secret against RFC 8448 and OpenSSL's TLS13-KDF.
#include <https/core/hex.hpp>
#include <https/crypto/hkdf.hpp>
#include <https/crypto/sha1.hpp>
#include <https/crypto/sha2.hpp>

#include "support/hash_conformance.hpp"
#include "support/vectors.hpp"

#include <catch2/catch.hpp>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cstdint>
#include <random>
#include <regex>
#include <string>
#include <vector>

using namespace https;

namespace {

template <crypto::hash_function H>
void check_rfc5869(const test::bytes& ikm, const test::bytes& salt, const test::bytes& info,
                   std::size_t length, const test::bytes& prk, const test::bytes& okm) {
    const auto got_prk = crypto::hkdf<H>::extract(salt, ikm);
    REQUIRE(test::bytes(got_prk.begin(), got_prk.end()) == prk);
    test::bytes got(length);
    REQUIRE(crypto::hkdf<H>::expand(got_prk, info, got).ok());
    REQUIRE(got == okm);
}

} // namespace

TEST_CASE("HKDF: RFC 5869 Appendix A (SHA-256 A.1-A.3, SHA-1 A.4-A.7)", "[crypto][hkdf][rfc5869]") {
    // The file is `key = value` records under [A.n] headers, the .rsp layout. A salt of
    // "(not provided)" is HKDF's absent salt, i.e. empty (equal to HashLen zero bytes).
    const auto records = test::read_rsp("rfc/extracted/rfc5869_hkdf.txt");
    const auto paths = test::sha_ni_paths();
    std::size_t ran256 = 0, ran1 = 0;
    for (bool ni : paths) {
        test::scoped_sha_ni path(ni);
        for (const auto& r : records) {
            const auto ikm = r.bytes_of("IKM");
            const auto salt = r.at("salt") == "(not provided)" ? test::bytes{} : r.bytes_of("salt");
            const auto info = r.bytes_of("info");
            const std::size_t length = std::stoul(r.at("L"));
            INFO(r.section.begin()->first);
            if (r.at("Hash") == "SHA-256") {
                check_rfc5869<crypto::sha256>(ikm, salt, info, length, r.bytes_of("PRK"),
                                              r.bytes_of("OKM"));
                ++ran256;
            } else {
                REQUIRE(r.at("Hash") == "SHA-1");
                check_rfc5869<crypto::sha1>(ikm, salt, info, length, r.bytes_of("PRK"),
                                            r.bytes_of("OKM"));
                ++ran1;
            }
        }
    }
    CHECK(ran256 == 3 * paths.size());
    CHECK(ran1 == 4 * paths.size());
}

namespace {

/// A Wycheproof HkdfTest file. `valid`: Extract then Expand gives `okm`. `invalid` (all flagged
/// SizeTooLarge: size = 255 * HashLen + 1): Expand refuses with errc::out_of_range. There are
/// no `acceptable` cases.
template <crypto::hash_function H> std::size_t run_wycheproof_hkdf(const std::string& file) {
    const auto j = test::read_wycheproof(file);
    std::size_t ran = 0, invalid = 0;
    for (const auto& g : j.at("testGroups")) {
        for (const auto& t : g.at("tests")) {
            const auto ikm = test::hex(t.at("ikm").get<std::string>());
            const auto salt = test::hex(t.at("salt").get<std::string>());
            const auto info = test::hex(t.at("info").get<std::string>());
            const auto size = t.at("size").get<std::size_t>();
            const std::string result = t.at("result").get<std::string>();
            INFO(file << " tcId " << t.at("tcId").get<int>() << " " << result << " size " << size);
            const auto prk = crypto::hkdf<H>::extract(salt, ikm);
            test::bytes okm(size, 0xaa);
            const status s = crypto::hkdf<H>::expand(prk, info, okm);
            if (result == "valid") {
                REQUIRE(s.ok());
                CHECK(okm == test::hex(t.at("okm").get<std::string>()));
            } else {
                REQUIRE(result == "invalid");
                CHECK(size > crypto::hkdf<H>::max_output);
                CHECK(s.error() == errc::out_of_range);
                CHECK(okm == test::bytes(size, 0xaa)); // nothing written
                ++invalid;
            }
            ++ran;
        }
    }
    CHECK(invalid == 3);
    CHECK(ran == test::wycheproof_declared_tests(j));
    return ran;
}

} // namespace

TEST_CASE("HKDF: Wycheproof hkdf_sha256 / hkdf_sha384", "[crypto][hkdf][wycheproof]") {
    const auto paths = test::sha_ni_paths();
    std::size_t ran256 = 0;
    for (bool ni : paths) {
        test::scoped_sha_ni path(ni);
        ran256 += run_wycheproof_hkdf<crypto::sha256>("hkdf_sha256_test.json");
    }
    CHECK(ran256 == 86 * paths.size());
    CHECK(run_wycheproof_hkdf<crypto::sha384>("hkdf_sha384_test.json") == 83);
}

TEST_CASE("HKDF: output length limits", "[crypto][hkdf]") {
    using K = crypto::hkdf<crypto::sha256>;
    STATIC_REQUIRE(K::max_output == 8160);
    STATIC_REQUIRE(crypto::hkdf<crypto::sha384>::max_output == 12240);
    const auto prk = K::extract(as_bytes("salt"), as_bytes("ikm"));
    test::bytes longest(K::max_output);
    REQUIRE(K::expand(prk, as_bytes("info"), longest).ok());
    test::bytes too_long(K::max_output + 1);
    CHECK(K::expand(prk, as_bytes("info"), too_long).error() == errc::out_of_range);
    CHECK(K::expand(prk, as_bytes("info"), {}).ok()); // L = 0: nothing to write
    // Every shorter output is a prefix of the longest one.
    for (std::size_t n : {1u, 31u, 32u, 33u, 64u, 65u, 1000u}) {
        test::bytes out(n);
        REQUIRE(K::expand(prk, as_bytes("info"), out).ok());
        CHECK(out == test::bytes(longest.begin(), longest.begin() + static_cast<long>(n)));
    }
    // An empty salt is HashLen zero bytes (RFC 5869 §2.2).
    const test::bytes zeros(32, 0);
    CHECK(K::extract({}, as_bytes("ikm")) == K::extract(zeros, as_bytes("ikm")));
}

namespace {

/// Hex of the first Message_/Record_ value named `key` in the Simple_1RTT_Handshake section.
test::bytes rfc8448_value(const std::string& key) {
    const std::string text = test::read_file(test::vector_path("rfc/rfc8448/transcripts.vec"));
    const auto start = text.find("[Simple_1RTT_Handshake]");
    REQUIRE(start != std::string::npos);
    const auto line = text.find("\n" + key + " = ", start);
    REQUIRE(line != std::string::npos);
    const auto value = line + key.size() + 4;
    return test::hex(text.substr(value, text.find_first_of("\r\n", value) - value));
}

} // namespace

TEST_CASE("TLS 1.3 key schedule: RFC 8448 §3 early, handshake and traffic secrets",
          "[crypto][hkdf][tls13]") {
    // RFC 8448 §3 (simple 1-RTT handshake) values; the RFC text is not in vectors/, so these were
    // re-derived with Python's hmac/hashlib from the ClientHello/ServerHello in
    // vectors/rfc/rfc8448/transcripts.vec and the ECDHE shared secret listed in vectors/README.md.
    using K = crypto::hkdf<crypto::sha256>;
    for (bool ni : test::sha_ni_paths()) {
        test::scoped_sha_ni path(ni);
        const test::bytes zeros(32, 0);
        const auto early = K::extract({}, zeros); // salt 0, IKM = 32 zero bytes (no PSK)
        CHECK(to_hex(early) == "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a");

        crypto::digest<crypto::sha256> derived{};
        K::derive_secret(early, "derived", crypto::hash<crypto::sha256>({}), derived);
        CHECK(to_hex(derived) ==
              "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba");

        const auto shared =
            test::hex("8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d");
        const auto handshake = K::extract(derived, shared);
        CHECK(to_hex(handshake) ==
              "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac");

        // Transcript-Hash(ClientHello, ServerHello): the ClientHello is the record minus its
        // 5-byte header.
        const auto client_hello_record = rfc8448_value("Record_ClientHello_1");
        crypto::sha256 th;
        th.update(bytes_view(client_hello_record).subspan(5));
        th.update(rfc8448_value("Message_ServerHello"));
        crypto::digest<crypto::sha256> transcript{};
        th.finish(transcript);
        CHECK(to_hex(transcript) ==
              "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8");

        crypto::digest<crypto::sha256> c_hs{}, s_hs{};
        K::derive_secret(handshake, "c hs traffic", transcript, c_hs);
        K::derive_secret(handshake, "s hs traffic", transcript, s_hs);
        CHECK(to_hex(c_hs) == "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21");
        CHECK(to_hex(s_hs) == "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38");

        // RFC 8446 §7.3: traffic key and IV.
        std::array<std::uint8_t, 16> key{};
        std::array<std::uint8_t, 12> iv{};
        K::expand_label(s_hs, "key", {}, key);
        K::expand_label(s_hs, "iv", {}, iv);
        CHECK(to_hex(key) == "3fce516009c21727d0f2e4e86ee403bc");
        CHECK(to_hex(iv) == "5d313eb2671276ee13000b30");
    }
}

namespace {

struct kdf_ctx_deleter {
    void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); }
};

/// OpenSSL's TLS13-KDF in expand-only mode: HKDF-Expand-Label with its own HkdfLabel encoder.
test::bytes openssl_expand_label(const char* digest, const test::bytes& secret,
                                 const std::string& label, const test::bytes& context,
                                 std::size_t length) {
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "TLS13-KDF", nullptr);
    REQUIRE(kdf != nullptr);
    std::unique_ptr<EVP_KDF_CTX, kdf_ctx_deleter> ctx(EVP_KDF_CTX_new(kdf));
    EVP_KDF_free(kdf);
    REQUIRE(ctx != nullptr);
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    static const char prefix[] = "tls13 ";
    static const unsigned char none = 0;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(digest), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                          const_cast<std::uint8_t*>(secret.data()), secret.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PREFIX, const_cast<char*>(prefix), 6),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_LABEL, const_cast<char*>(label.data()),
                                          label.size()),
        OSSL_PARAM_construct_octet_string(
            OSSL_KDF_PARAM_DATA,
            const_cast<unsigned char*>(context.empty() ? &none : context.data()), context.size()),
        OSSL_PARAM_construct_end()};
    test::bytes out(length);
    REQUIRE(EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) == 1);
    return out;
}

template <crypto::hash_function H>
std::size_t expand_label_differential(const char* digest, std::uint64_t seed, std::size_t count) {
    std::mt19937_64 rng(seed);
    std::size_t ran = 0;
    for (std::size_t i = 0; i < count; ++i) {
        test::bytes secret(H::digest_size);
        for (auto& b : secret) {
            b = static_cast<std::uint8_t>(rng());
        }
        std::string label(1 + rng() % crypto::hkdf<H>::max_label, 'x');
        for (auto& c : label) {
            c = static_cast<char>('a' + rng() % 26);
        }
        test::bytes context(rng() % 256);
        for (auto& b : context) {
            b = static_cast<std::uint8_t>(rng());
        }
        const std::size_t length = 1 + rng() % (3 * H::digest_size);
        test::bytes ours(length);
        crypto::hkdf<H>::expand_label(secret, label, context, ours);
        INFO("case " << i << " label " << label.size() << " context " << context.size()
                     << " length " << length);
        REQUIRE(ours == openssl_expand_label(digest, secret, label, context, length));
        ++ran;
    }
    return ran;
}

} // namespace

TEST_CASE("TLS 1.3 HKDF-Expand-Label matches OpenSSL's TLS13-KDF on random inputs",
          "[crypto][hkdf][tls13][openssl]") {
    CHECK(expand_label_differential<crypto::sha256>("SHA256", 21, 300) == 300);
    CHECK(expand_label_differential<crypto::sha384>("SHA384", 22, 300) == 300);
    // The extremes: a 249-byte label, a 255-byte context.
    const test::bytes secret(48, 7);
    const std::string label(crypto::hkdf<crypto::sha384>::max_label, 'L');
    const test::bytes context(255, 9);
    test::bytes ours(100);
    crypto::hkdf<crypto::sha384>::expand_label(secret, label, context, ours);
    CHECK(ours == openssl_expand_label("SHA384", secret, label, context, 100));
}
