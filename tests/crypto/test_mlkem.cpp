// ML-KEM-768 (FIPS 203): all four Wycheproof files (key generation from seeds, encapsulation
// with the modulus check, decapsulation with implicit rejection and the §7.3 checks), round
// trips through the randomised API, the rejection key J(z || c), and the arithmetic underneath
// (Barrett reduction, compression, NTT) against plain integer formulas.
#include <https/core/hex.hpp>
#include <https/crypto/mlkem.hpp>

#include "support/vectors.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

using namespace https;
namespace kem = crypto::mlkem768;
namespace mk = crypto::detail::mlkem;

namespace {

/// Verdict tallies of one Wycheproof file, for the count assertions.
struct tally {
    std::size_t valid = 0;
    std::size_t invalid = 0;
    std::size_t acceptable = 0;
    [[nodiscard]] std::size_t total() const { return valid + invalid + acceptable; }
};

void count(tally& t, const std::string& verdict) {
    if (verdict == "valid") {
        ++t.valid;
    } else if (verdict == "invalid") {
        ++t.invalid;
    } else {
        REQUIRE(verdict == "acceptable");
        ++t.acceptable;
    }
}

test::bytes field(const nlohmann::json& t, const char* name) {
    return test::hex(t.at(name).get<std::string>());
}

std::string hex_of(std::span<const std::uint8_t> b) {
    return to_hex(b);
}

} // namespace

TEST_CASE("ML-KEM-768: Wycheproof key generation from seeds", "[crypto][mlkem][wycheproof]") {
    const auto j = test::read_wycheproof("mlkem_768_keygen_seed_test.json");
    tally t;
    for (const auto& group : j.at("testGroups")) {
        REQUIRE(group.at("parameterSet") == "ML-KEM-768");
        for (const auto& c : group.at("tests")) {
            INFO("tcId " << c.at("tcId") << ": " << c.value("comment", ""));
            const std::string verdict = c.at("result");
            count(t, verdict);
            const auto kp = kem::from_seed(field(c, "seed"));
            if (verdict == "invalid") {
                CHECK(!kp.ok());
                continue;
            }
            REQUIRE(kp.ok());
            CHECK(hex_of(kp->encapsulation_key) == c.at("ek").get<std::string>());
            CHECK(hex_of(kp->decapsulation_key.bytes) == c.at("dk").get<std::string>());
        }
    }
    CHECK(t.total() == test::wycheproof_declared_tests(j));
    CHECK(t.total() == 100);
    CHECK(t.valid == 100);
}

TEST_CASE("ML-KEM-768: Wycheproof key generation and decapsulation (incl. implicit rejection)",
          "[crypto][mlkem][wycheproof]") {
    // Each case: the key pair of `seed` must have encapsulation key `ek`, and decapsulating `c`
    // must give `K` (for ciphertexts that do not re-encrypt, K is the rejection key J(z || c)).
    // Invalid cases are seeds or ciphertexts of the wrong length.
    const auto j = test::read_wycheproof("mlkem_768_test.json");
    tally t;
    std::size_t wrong_seed = 0;
    std::size_t wrong_ct = 0;
    for (const auto& group : j.at("testGroups")) {
        REQUIRE(group.at("parameterSet") == "ML-KEM-768");
        for (const auto& c : group.at("tests")) {
            INFO("tcId " << c.at("tcId") << ": " << c.value("comment", ""));
            const std::string verdict = c.at("result");
            count(t, verdict);
            const auto kp = kem::from_seed(field(c, "seed"));
            if (!kp.ok()) {
                CHECK(verdict == "invalid");
                CHECK(kp.error() == errc::bad_key_size);
                ++wrong_seed;
                continue;
            }
            if (c.contains("ek") && !c.at("ek").get<std::string>().empty()) {
                CHECK(hex_of(kp->encapsulation_key) == c.at("ek").get<std::string>());
            }
            const auto ss = kem::decapsulate(kp->decapsulation_key.bytes, field(c, "c"));
            if (verdict == "invalid") {
                CHECK(!ss.ok());
                if (!ss.ok()) {
                    CHECK(ss.error() == errc::bad_ciphertext_size);
                    ++wrong_ct;
                }
                continue;
            }
            if (verdict == "acceptable" && !ss.ok()) {
                continue;
            }
            REQUIRE(ss.ok());
            CHECK(hex_of(ss->bytes) == c.at("K").get<std::string>());
        }
    }
    CHECK(t.total() == test::wycheproof_declared_tests(j));
    CHECK(t.total() == 193);
    CHECK(t.valid == 153);
    CHECK(t.invalid == 40);
    CHECK(wrong_seed + wrong_ct == 40);
}

TEST_CASE("ML-KEM-768: Wycheproof encapsulation (type and modulus checks of FIPS 203 §7.2)",
          "[crypto][mlkem][wycheproof]") {
    const auto j = test::read_wycheproof("mlkem_768_encaps_test.json");
    tally t;
    std::size_t modulus = 0;
    std::size_t length = 0;
    for (const auto& group : j.at("testGroups")) {
        REQUIRE(group.at("parameterSet") == "ML-KEM-768");
        for (const auto& c : group.at("tests")) {
            INFO("tcId " << c.at("tcId") << ": " << c.value("comment", ""));
            const std::string verdict = c.at("result");
            count(t, verdict);
            const auto m = field(c, "m");
            REQUIRE(m.size() == 32);
            const auto ek = field(c, "ek");
            const auto e =
                kem::test_hooks::encapsulate(ek, std::span<const std::uint8_t, 32>(m.data(), 32));
            if (verdict == "invalid") {
                REQUIRE(!e.ok());
                if (ek.size() == kem::encapsulation_key_size) {
                    CHECK(e.error() == errc::bad_public_key);
                    ++modulus;
                } else {
                    CHECK(e.error() == errc::bad_key_size);
                    ++length;
                }
                continue;
            }
            if (verdict == "acceptable" && !e.ok()) {
                continue;
            }
            REQUIRE(e.ok());
            CHECK(hex_of(e->ciphertext) == c.at("c").get<std::string>());
            CHECK(hex_of(e->shared_secret.bytes) == c.at("K").get<std::string>());
        }
    }
    CHECK(t.total() == test::wycheproof_declared_tests(j));
    CHECK(t.total() == 265);
    CHECK(t.valid == 133);
    CHECK(t.invalid == 132);
    CHECK(modulus + length == 132);
    CHECK(modulus > 0);
    CHECK(length > 0);
}

TEST_CASE("ML-KEM-768: Wycheproof decapsulation with expanded keys (FIPS 203 §7.3 checks)",
          "[crypto][mlkem][wycheproof]") {
    const auto j = test::read_wycheproof("mlkem_768_semi_expanded_decaps_test.json");
    tally t;
    std::size_t by_error[3] = {0, 0, 0}; // ciphertext size, key size, hash check
    for (const auto& group : j.at("testGroups")) {
        REQUIRE(group.at("parameterSet") == "ML-KEM-768");
        for (const auto& c : group.at("tests")) {
            INFO("tcId " << c.at("tcId") << ": " << c.value("comment", ""));
            const std::string verdict = c.at("result");
            count(t, verdict);
            const auto dk = field(c, "dk");
            const auto ss = kem::decapsulate(dk, field(c, "c"));
            if (verdict == "invalid") {
                REQUIRE(!ss.ok());
                const auto& flags = c.at("flags");
                const std::string flag = flags.empty() ? "" : flags.at(0).get<std::string>();
                if (flag == "IncorrectCiphertextLength") {
                    CHECK(ss.error() == errc::bad_ciphertext_size);
                    ++by_error[0];
                } else if (flag == "IncorrectDecapsulationKeyLength") {
                    CHECK(ss.error() == errc::bad_key_size);
                    ++by_error[1];
                } else {
                    CHECK(flag == "InvalidDecapsulationKey");
                    CHECK(ss.error() == errc::bad_private_key);
                    ++by_error[2];
                }
                continue;
            }
            if (verdict == "acceptable" && !ss.ok()) {
                continue;
            }
            REQUIRE(ss.ok());
            CHECK(hex_of(ss->bytes) == c.at("K").get<std::string>());
            // The ek given with the case is the one inside dk.
            REQUIRE(dk.size() == kem::decapsulation_key_size);
            CHECK(hex_of(std::span(dk).subspan(1152, 1184)) == c.at("ek").get<std::string>());
        }
    }
    CHECK(t.total() == test::wycheproof_declared_tests(j));
    CHECK(t.total() == 9);
    CHECK(t.valid == 3);
    CHECK(t.invalid == 6);
    CHECK(by_error[0] == 2);
    CHECK(by_error[1] == 2);
    CHECK(by_error[2] == 2);
}

TEST_CASE("ML-KEM-768: round trips, and the rejection key J(z || c) for altered ciphertexts",
          "[crypto][mlkem]") {
    std::mt19937 gen(2031);
    std::size_t trips = 0;
    for (int i = 0; i < 20; ++i) {
        auto kp = kem::generate();
        REQUIRE(kp.ok());
        auto e = kem::encapsulate(kp->encapsulation_key);
        REQUIRE(e.ok());
        auto ss = kem::decapsulate(kp->decapsulation_key.bytes, e->ciphertext);
        REQUIRE(ss.ok());
        CHECK(ss->bytes == e->shared_secret.bytes);

        // Flip one bit anywhere: decapsulation still succeeds, with K-bar = SHAKE256(z || c', 32).
        auto altered = e->ciphertext;
        const std::size_t pos = gen() % altered.size();
        altered[pos] ^= static_cast<std::uint8_t>(1U << (gen() % 8));
        auto rejected = kem::decapsulate(kp->decapsulation_key.bytes, altered);
        REQUIRE(rejected.ok());
        std::array<std::uint8_t, 32> k_bar{};
        crypto::shake256 j;
        j.update(std::span(kp->decapsulation_key.bytes).subspan(2368, 32)); // z
        j.update(altered);
        j.squeeze(k_bar);
        CHECK(rejected->bytes == k_bar);
        CHECK(rejected->bytes != e->shared_secret.bytes);
        ++trips;
    }
    CHECK(trips == 20);
}

TEST_CASE("ML-KEM-768: the randomised API draws d || z and m from the random source",
          "[crypto][mlkem]") {
    std::array<std::uint8_t, 64> seed{};
    for (std::size_t i = 0; i < seed.size(); ++i) {
        seed[i] = static_cast<std::uint8_t>(3 * i + 1);
    }
    std::array<std::uint8_t, 32> m{};
    for (std::size_t i = 0; i < m.size(); ++i) {
        m[i] = static_cast<std::uint8_t>(200 - i);
    }
    crypto::replay_random keygen_rng(seed);
    auto kp = kem::generate(keygen_rng);
    REQUIRE(kp.ok());
    CHECK(keygen_rng.remaining() == 0);
    auto expected = kem::from_seed(seed);
    REQUIRE(expected.ok());
    CHECK(kp->decapsulation_key.bytes == expected->decapsulation_key.bytes);
    CHECK(kp->encapsulation_key == expected->encapsulation_key);

    crypto::replay_random encaps_rng(m);
    auto e = kem::encapsulate(kp->encapsulation_key, encaps_rng);
    REQUIRE(e.ok());
    auto e_internal = kem::test_hooks::encapsulate(kp->encapsulation_key, m);
    REQUIRE(e_internal.ok());
    CHECK(e->ciphertext == e_internal->ciphertext);
    CHECK(e->shared_secret.bytes == e_internal->shared_secret.bytes);

    crypto::replay_random empty(bytes_view{});
    CHECK(kem::generate(empty).error() == errc::random_failure);
    CHECK(kem::encapsulate(kp->encapsulation_key, empty).error() == errc::random_failure);
    // Malformed keys are refused before any randomness is drawn (the empty source is not reached).
    CHECK(kem::encapsulate(bytes_view(kp->encapsulation_key).first(1183), empty).error() ==
          errc::bad_key_size);
    auto unreduced = kp->encapsulation_key;
    unreduced[0] = 0xff; // the first 12-bit value of t-hat becomes 0xfff >= q
    unreduced[1] |= 0x0f;
    CHECK(kem::encapsulate(unreduced, empty).error() == errc::bad_public_key);
    CHECK(std::string(describe(errc::bad_ciphertext_size)) != "unknown error");
    CHECK(std::string(describe(errc::bad_private_key)) != "unknown error");
}

TEST_CASE("ML-KEM arithmetic: reduction, compression and the NTT against integer formulas",
          "[crypto][mlkem]") {
    constexpr std::uint32_t q = 3329;
    // Barrett reduction: every x < 2^20 exhaustively, then random 32-bit values.
    for (std::uint32_t x = 0; x < (1U << 20); ++x) {
        REQUIRE(mk::reduce(x) == x % q);
    }
    std::mt19937 gen(5);
    for (int i = 0; i < 100000; ++i) {
        const std::uint32_t x = gen();
        REQUIRE(mk::reduce(x) == x % q);
    }
    // Compress_d and Decompress_d (FIPS 203 eq. 4.7, 4.8) for every x in Z_q, every d used.
    auto check_d = [&](auto d_tag) {
        constexpr unsigned d = decltype(d_tag)::value;
        for (std::uint32_t x = 0; x < q; ++x) {
            // round(2^d x / q) with ties up, exactly, mod 2^d
            const std::uint64_t want = ((std::uint64_t{x} << (d + 1)) + q) / (2 * q) % (1U << d);
            REQUIRE(mk::compress<d>(x) == want);
        }
        for (std::uint32_t y = 0; y < (1U << d); ++y) {
            const std::uint64_t want = ((std::uint64_t{q} * y << 1) + (1U << d)) / (1U << (d + 1));
            REQUIRE(mk::decompress<d>(y) == want);
        }
    };
    check_d(std::integral_constant<unsigned, 1>{});
    check_d(std::integral_constant<unsigned, 4>{});
    check_d(std::integral_constant<unsigned, 10>{});

    // NTT: the inverse undoes it, and pointwise (base-case) products in the NTT domain are
    // products in Z_q[X]/(X^256 + 1), computed here by schoolbook multiplication.
    for (int trial = 0; trial < 5; ++trial) {
        mk::poly f{};
        mk::poly g{};
        for (std::size_t i = 0; i < 256; ++i) {
            f.c[i] = static_cast<std::uint16_t>(gen() % q);
            g.c[i] = static_cast<std::uint16_t>(gen() % q);
        }
        mk::poly r = f;
        mk::ntt(r);
        mk::inverse_ntt(r);
        REQUIRE(r.c == f.c);

        std::vector<std::int64_t> want(256, 0);
        for (std::size_t i = 0; i < 256; ++i) {
            for (std::size_t j = 0; j < 256; ++j) {
                const std::int64_t p = std::int64_t{f.c[i]} * g.c[j];
                if (i + j < 256) {
                    want[i + j] += p;
                } else {
                    want[i + j - 256] -= p; // X^256 = -1
                }
            }
        }
        mk::polyvec fv{};
        mk::polyvec gv{};
        fv[0] = f;
        gv[0] = g;
        mk::ntt(fv[0]);
        mk::ntt(gv[0]);
        mk::poly h = mk::multiply_accumulate(fv.data(), 1, gv, nullptr);
        mk::inverse_ntt(h);
        for (std::size_t i = 0; i < 256; ++i) {
            REQUIRE(h.c[i] == static_cast<std::uint16_t>(((want[i] % q) + q) % q));
        }
    }
}
