// Big integers and Montgomery arithmetic, 32- and 64-bit limbs, against Python-computed vectors.
#include <https/crypto/bigint.hpp>

#include "support/vectors.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace https;
using namespace https::crypto;

namespace {

#if defined(__SIZEOF_INT128__)
#define BIGINT_LIMBS std::uint32_t, std::uint64_t
#else
#define BIGINT_LIMBS std::uint32_t
#endif

/// Hex of any length (odd lengths get a leading zero nibble) to big-endian bytes.
test::bytes bytes_of(std::string hex) {
    if (hex.size() % 2 != 0) {
        hex.insert(hex.begin(), '0');
    }
    return test::hex(hex);
}

test::bytes left_pad(const test::bytes& b, std::size_t n) {
    REQUIRE(b.size() <= n);
    test::bytes out(n - b.size(), 0);
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

template <class Limb> bigint<Limb> import(const test::bytes& b, std::size_t limbs) {
    auto x = bigint<Limb>::from_bytes_be(b, limbs);
    REQUIRE(x.has_value());
    return *x;
}

template <class Limb> test::bytes export_bytes(const bigint<Limb>& x, std::size_t n) {
    test::bytes out(n);
    CHECK(x.to_bytes_be(out));
    return out;
}

std::vector<std::vector<std::string>> read_bigint_vectors() {
    std::istringstream in(
        test::read_file(std::string(HTTPS_SOURCE_DIR) + "/tests/fixtures/bigint_vectors.txt"));
    std::vector<std::vector<std::string>> rows;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') {
            continue;
        }
        std::istringstream fields(line);
        std::vector<std::string> row;
        std::string f;
        while (fields >> f) {
            row.push_back(f);
        }
        rows.push_back(row);
    }
    return rows;
}

} // namespace

TEMPLATE_TEST_CASE("bigint byte import and export", "[crypto][bigint]", BIGINT_LIMBS) {
    using integer = bigint<TestType>;
    const test::bytes in = test::hex("0102030405060708090a0b0c0d0e0f10111213");
    auto x = integer::from_bytes_be(in);
    REQUIRE(x.has_value());
    CHECK(x->size() == integer::limbs_for_bytes(in.size()));
    CHECK(x->bit_length_vartime() == 8 * 18 + 1);
    CHECK(export_bytes(*x, in.size()) == in);
    CHECK(export_bytes(*x, in.size() + 5) == left_pad(in, in.size() + 5));
    // too short an output: reported, and the low bytes are still written
    test::bytes small(4);
    CHECK_FALSE(x->to_bytes_be(small));
    CHECK(small == test::hex("10111213"));
    // input longer than the limbs requested
    CHECK_FALSE(integer::from_bytes_be(in, 1).has_value());
    CHECK_FALSE(integer::from_bytes_be(test::bytes(1025, 1)).has_value()); // > 8192 bits
    CHECK(integer::from_bytes_be(test::bytes(1024, 0xff)).has_value());
    // leading zeros are kept as limbs but do not count as bits
    auto z = integer::from_bytes_be(test::hex("000000000000000000000001"));
    REQUIRE(z.has_value());
    CHECK(z->bit_length_vartime() == 1);
    CHECK(integer(3).bit_length_vartime() == 0);
}

TEMPLATE_TEST_CASE("bigint comparison", "[crypto][bigint]", BIGINT_LIMBS) {
    using integer = bigint<TestType>;
    auto a = import <TestType>(test::hex("00ff0000000000000001"), 4);
    auto b = import <TestType>(test::hex("00ff0000000000000002"), 4);
    CHECK(compare_vartime(a, b) == -1);
    CHECK(compare_vartime(b, a) == 1);
    CHECK(compare_vartime(a, a) == 0);
    CHECK(less(a, b).declassify());
    CHECK_FALSE(less(b, a).declassify());
    CHECK_FALSE(less(a, a).declassify());
    // different limb counts compare by value
    auto c = import <TestType>(test::hex("01"), 1);
    auto d = import <TestType>(test::hex("01"), 5);
    CHECK(compare_vartime(c, d) == 0);
    CHECK(compare_vartime(integer(2), c) == -1);
}

TEMPLATE_TEST_CASE("montgomery_inverse gives -m^-1 mod 2^w", "[crypto][bigint]", BIGINT_LIMBS) {
    TestType x = 1;
    for (int i = 0; i < 1000; ++i) {
        x = static_cast<TestType>(x * 6364136223846793005ull + 1442695040888963407ull) | 1;
        CHECK(static_cast<TestType>(x * crypto::detail::montgomery_inverse(x)) ==
              static_cast<TestType>(-1));
    }
    CHECK(static_cast<TestType>(crypto::detail::montgomery_inverse<TestType>(1)) ==
          static_cast<TestType>(-1));
}

TEMPLATE_TEST_CASE("montgomery contexts need an odd modulus above 1", "[crypto][bigint]",
                   BIGINT_LIMBS) {
    using integer = bigint<TestType>;
    CHECK(montgomery<TestType>::create(integer()).error() == errc::out_of_range);
    CHECK(montgomery<TestType>::create(integer(4)).error() == errc::out_of_range);
    CHECK(montgomery<TestType>::create(import <TestType>(test::hex("01"), 2)).error() ==
          errc::out_of_range);
    CHECK(montgomery<TestType>::create(import <TestType>(test::hex("0100"), 2)).error() ==
          errc::out_of_range);
    auto ok = montgomery<TestType>::create(import <TestType>(test::hex("03"), 2));
    REQUIRE(ok.ok());
    // Montgomery round trip and the form of 1
    auto five = import <TestType>(test::hex("02"), 2);
    integer m, back;
    ok->to_mont(m, five);
    ok->from_mont(back, m);
    CHECK(compare_vartime(back, five) == 0);
    integer one;
    ok->from_mont(one, ok->one());
    CHECK(compare_vartime(one, import <TestType>(test::hex("01"), 2)) == 0);
}

TEMPLATE_TEST_CASE("bigint vectors from Python integers", "[crypto][bigint]", BIGINT_LIMBS) {
    using integer = bigint<TestType>;
    using ctx_t = montgomery<TestType>;
    std::map<std::string, int> ran;
    for (const auto& row : read_bigint_vectors()) {
        const std::string& op = row.at(0);
        INFO(op << " " << row.at(1).substr(0, 40));
        if (op == "add" || op == "sub") {
            REQUIRE(row.size() == 6);
            const std::size_t bytes = std::stoul(row[1]) / 8;
            const std::size_t limbs = integer::limbs_for_bytes(bytes);
            auto a = import <TestType>(bytes_of(row[2]), limbs);
            auto b = import <TestType>(bytes_of(row[3]), limbs);
            integer r;
            const TestType carry = op == "add" ? add(r, a, b) : sub(r, a, b);
            CHECK(export_bytes(r, bytes) == left_pad(bytes_of(row[4]), bytes));
            CHECK(carry == std::stoul(row[5]));
            // in place, aliasing the first operand
            const TestType carry2 = op == "add" ? add(a, a, b) : sub(a, a, b);
            CHECK(carry2 == carry);
            CHECK(compare_vartime(a, r) == 0);
            ++ran[op];
        } else if (op == "mulmod" || op == "expmod") {
            REQUIRE(row.size() == 5);
            const test::bytes mb = bytes_of(row[1]);
            const std::size_t limbs = integer::limbs_for_bytes(mb.size());
            auto ctx = ctx_t::create(import <TestType>(mb, limbs));
            REQUIRE(ctx.ok());
            auto a = import <TestType>(bytes_of(row[2]), limbs);
            const test::bytes want = left_pad(bytes_of(row[4]), mb.size());
            if (op == "mulmod") {
                auto b = import <TestType>(bytes_of(row[3]), limbs);
                integer r;
                ctx->mod_mul(r, a, b);
                CHECK(export_bytes(r, mb.size()) == want);
                // the Montgomery forms multiply and square consistently
                integer am, bm, pm, p;
                ctx->to_mont(am, a);
                ctx->to_mont(bm, b);
                ctx->mul(pm, am, bm);
                ctx->from_mont(p, pm);
                CHECK(export_bytes(p, mb.size()) == want);
                integer sq, sq_ref;
                ctx->sqr(sq, am);
                ctx->mul(sq_ref, am, am);
                CHECK(compare_vartime(sq, sq_ref) == 0);
            } else {
                const test::bytes e = bytes_of(row[3]);
                integer r1, r2;
                ctx->exp_public(r1, a, e);
                CHECK(export_bytes(r1, mb.size()) == want);
                ctx->exp_secret(r2, a, e);
                CHECK(export_bytes(r2, mb.size()) == want);
            }
            ++ran[op];
        } else {
            FAIL("unknown operation " << op);
        }
    }
    CHECK(ran["add"] == 109);
    CHECK(ran["sub"] == 100);
    CHECK(ran["mulmod"] == 845);
    CHECK(ran["expmod"] == 1052);
}
