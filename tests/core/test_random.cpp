// The OS CSPRNG facade and the deterministic replay hook.
#include <https/crypto/random.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <latch>
#include <set>
#include <thread>

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

TEST_CASE("scoped_default_random redirects only the thread that installed it", "[crypto][random]") {
    // Two threads, each with its own override alive at the same time, then a third with none.
    const std::uint8_t pool_a[] = {1, 1, 1};
    const std::uint8_t pool_b[] = {2, 2, 2};
    crypto::replay_random a(pool_a);
    crypto::replay_random b(pool_b);
    std::latch a_installed(1);
    std::latch b_installed(1);
    std::latch a_read(1);
    std::array<std::uint8_t, 3> seen_a{};
    std::array<std::uint8_t, 3> seen_b{};
    bool other_sees_os = false;
    std::thread ta([&] {
        crypto::scoped_default_random hook(a);
        a_installed.count_down();
        b_installed.wait();
        CHECK(crypto::random_bytes(seen_a).ok()); // b was installed after a, on another thread
        a_read.count_down();
    });
    std::thread tb([&] {
        a_installed.wait();
        crypto::scoped_default_random hook(b);
        b_installed.count_down();
        a_read.wait();
        CHECK(crypto::random_bytes(seen_b).ok());
        std::thread tc([&] { other_sees_os = &crypto::default_random() != &b; });
        tc.join();
    });
    ta.join();
    tb.join();
    CHECK(seen_a == std::array<std::uint8_t, 3>{1, 1, 1});
    CHECK(seen_b == std::array<std::uint8_t, 3>{2, 2, 2});
    CHECK(other_sees_os);
}
