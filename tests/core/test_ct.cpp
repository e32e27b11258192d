// Constant-time helpers: masks, comparison, selection, wiping.
#include <https/core/ct.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <vector>

using namespace https;

TEST_CASE("ct::mask comparisons agree with plain comparisons", "[core][ct]") {
    std::mt19937_64 rng(1);
    const std::uint32_t edges[] = {0, 1, 2, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff};
    std::vector<std::uint32_t> values(std::begin(edges), std::end(edges));
    for (int i = 0; i < 200; ++i) {
        values.push_back(static_cast<std::uint32_t>(rng()));
    }
    std::size_t checked = 0;
    for (auto a : values) {
        CHECK(ct::mask<std::uint32_t>::is_zero(a).declassify() == (a == 0));
        for (auto b : values) {
            REQUIRE(ct::mask<std::uint32_t>::less(a, b).declassify() == (a < b));
            REQUIRE(ct::mask<std::uint32_t>::equal(a, b).declassify() == (a == b));
            ++checked;
        }
    }
    CHECK(checked == values.size() * values.size());
    for (unsigned a = 0; a < 256; ++a) {
        for (unsigned b = 0; b < 256; ++b) {
            auto m = ct::mask<std::uint8_t>::less(static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b));
            REQUIRE(m.declassify() == (a < b));
        }
    }
    std::uint64_t big = 0xffffffffffffffffULL;
    CHECK(ct::mask<std::uint64_t>::less(big - 1, big).declassify());
    CHECK_FALSE(ct::mask<std::uint64_t>::less(big, big - 1).declassify());
}

TEST_CASE("ct::mask select and if_set", "[core][ct]") {
    auto set = ct::mask<std::uint32_t>::from_bit(1);
    auto clear = ct::mask<std::uint32_t>::from_bit(0);
    CHECK(set.select(5, 9) == 5);
    CHECK(clear.select(5, 9) == 9);
    CHECK(set.if_set(0xabcd) == 0xabcd);
    CHECK(clear.if_set(0xabcd) == 0);
    CHECK((~clear).declassify());
    CHECK_FALSE((set & clear).declassify());
    CHECK((set | clear).declassify());
}

TEST_CASE("ct::equal compares contents and lengths", "[core][ct]") {
    std::vector<std::uint8_t> a(64, 7), b(64, 7);
    CHECK(ct::equal(a, b));
    for (std::size_t i = 0; i < a.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            b[i] ^= static_cast<std::uint8_t>(1 << bit);
            REQUIRE_FALSE(ct::equal(a, b));
            b[i] ^= static_cast<std::uint8_t>(1 << bit);
        }
    }
    CHECK_FALSE(ct::equal(a, std::span(b).first(63)));
    CHECK(ct::equal({}, {}));
}

TEST_CASE("ct::select, conditional_copy, conditional_swap, wipe", "[core][ct]") {
    std::vector<std::uint8_t> a{1, 2, 3}, b{4, 5, 6}, out(3);
    ct::select(ct::mask<std::uint8_t>::from_bit(1), a, b, out);
    CHECK(out == a);
    ct::select(ct::mask<std::uint8_t>::from_bit(0), a, b, out);
    CHECK(out == b);
    ct::conditional_copy(ct::mask<std::uint8_t>::from_bit(0), a, out);
    CHECK(out == b);
    ct::conditional_copy(ct::mask<std::uint8_t>::from_bit(1), a, out);
    CHECK(out == a);

    std::vector<std::uint64_t> x{1, 2}, y{3, 4};
    ct::conditional_swap(ct::mask<std::uint64_t>::from_bit(0), x, y);
    CHECK(x == std::vector<std::uint64_t>{1, 2});
    ct::conditional_swap(ct::mask<std::uint64_t>::from_bit(1), x, y);
    CHECK(x == std::vector<std::uint64_t>{3, 4});
    CHECK(y == std::vector<std::uint64_t>{1, 2});

    ct::secret_array<16> key;
    key.bytes.fill(0xaa);
    ct::wipe(key.bytes);
    for (auto v : key.bytes) {
        CHECK(v == 0);
    }
}
