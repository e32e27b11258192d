// The OS CSPRNG facade and the deterministic replay hook.
#include <https/crypto/random.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <set>

using namespace https;

TEST_CASE("system_random fills buffers of every size with distinct output", "[crypto][random]") {
    crypto::system_random rng;
    std::set<std::array<std::uint8_t, 32>> seen;
    for (int i = 0; i < 64; ++i) {
        std::array<std::uint8_t, 32> buf{};
        REQUIRE(rng.fill(buf).ok());
        seen.insert(buf);
    }
    CHECK(seen.size() == 64);
    std::vector<std::uint8_t> big(1 << 20);
    REQUIRE(rng.fill(big).ok());
    std::size_t zeros = 0;
    for (auto b : big) {
        zeros += (b == 0);
    }
    CHECK(zeros < 5000); // expected ~4096
    REQUIRE(rng.fill({}).ok());
}

TEST_CASE("replay_random hands out its pool in order, then fails", "[crypto][random]") {
    const std::uint8_t pool[] = {1, 2, 3, 4, 5};
    crypto::replay_random rng(pool);
    std::array<std::uint8_t, 2> a{};
    REQUIRE(rng.fill(a).ok());
    CHECK(a == std::array<std::uint8_t, 2>{1, 2});
    std::array<std::uint8_t, 4> b{};
    CHECK(rng.fill(b).error() == errc::random_failure);
    std::array<std::uint8_t, 3> c{};
    REQUIRE(rng.fill(c).ok());
    CHECK(c == std::array<std::uint8_t, 3>{3, 4, 5});
    CHECK(rng.remaining() == 0);
}

TEST_CASE("scoped_default_random redirects default_random for its lifetime", "[crypto][random]") {
    const std::uint8_t pool[] = {9, 8, 7};
    crypto::replay_random rng(pool);
    {
        crypto::scoped_default_random hook(rng);
        std::array<std::uint8_t, 3> out{};
        REQUIRE(crypto::random_bytes(out).ok());
        CHECK(out == std::array<std::uint8_t, 3>{9, 8, 7});
    }
    std::array<std::uint8_t, 3> out{};
    CHECK(crypto::random_bytes(out).ok()); // back to the OS source
}
