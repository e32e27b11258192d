// The strict DER reader: accepted encodings and every rejection rule.
#include <https/core/der.hpp>
#include <https/core/hex.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace https;

namespace {
byte_vector h(const char* s) { return *from_hex(s); }
} // namespace

TEST_CASE("der reads nested structures and primitive types", "[core][der]") {
    // SEQUENCE { INTEGER 5, BOOLEAN TRUE, NULL, OID 1.2.840.113549, BIT STRING 0x0a/1 unused,
    //            OCTET STRING 'ab', [0] { INTEGER 0 } }
    auto data = h("301d" "020105" "0101ff" "0500" "06062a864886f70d" "0302010a" "04026162"
                  "a003020100");
    der::parser top(data);
    auto seq = top.read_sequence();
    REQUIRE(seq.ok());
    CHECK(top.expect_empty().ok());
    CHECK(*seq->read_small_unsigned(10) == 5);
    CHECK(*seq->read_boolean() == true);
    CHECK(seq->read_null().ok());
    CHECK(to_hex(*seq->read_oid()) == "2a864886f70d");
    auto bits = seq->read_bit_string();
    REQUIRE(bits.ok());
    CHECK(bits->unused_bits == 1);
    CHECK(bits->bit(4));
    CHECK_FALSE(bits->bit(5));
    CHECK(bits->bit(6));
    CHECK_FALSE(bits->bit(7)); // unused
    auto os = seq->read_octet_string();
    REQUIRE(os.ok());
    CHECK(to_hex(*os) == "6162");
    auto ctx = seq->read_constructed(der::tag::context_constructed(0));
    REQUIRE(ctx.ok());
    CHECK(*ctx->read_small_unsigned(0) == 0);
    CHECK(ctx->expect_empty().ok());
    CHECK(seq->expect_empty().ok());
}

TEST_CASE("der long-form lengths must be minimal and definite", "[core][der]") {
    byte_vector body(200, 0x41);
    byte_vector good = h("0481c8");
    good.insert(good.end(), body.begin(), body.end());
    der::parser p(good);
    auto os = p.read_octet_string();
    REQUIRE(os.ok());
    CHECK(os->size() == 200);

    CHECK(der::parser(h("04810141")).read_any().error() == errc::non_minimal_encoding);
    CHECK(der::parser(h("0482000141")).read_any().error() == errc::non_minimal_encoding);
    CHECK(der::parser(h("048000")).read_any().error() == errc::indefinite_length);
    CHECK(der::parser(h("0485ffffffffff")).read_any().error() == errc::length_overflow);
    CHECK(der::parser(h("0484ffffffff")).read_any().error() == errc::truncated);
    CHECK(der::parser(h("0405414141")).read_any().error() == errc::truncated);
    CHECK(der::parser(h("04")).read_any().error() == errc::truncated);
    CHECK(der::parser(h("")).read_any().error() == errc::truncated);
    CHECK(der::parser(h("1f0100")).read_any().error() == errc::bad_encoding); // high tag number
}

TEST_CASE("der integers must be minimal; unsigned strips the sign byte", "[core][der]") {
    CHECK(der::parser(h("02020001")).read_integer().error() == errc::non_minimal_encoding);
    CHECK(der::parser(h("0202ff80")).read_integer().error() == errc::non_minimal_encoding);
    CHECK(der::parser(h("0200")).read_integer().error() == errc::bad_encoding);
    CHECK(to_hex(*der::parser(h("02020080")).read_unsigned_integer()) == "80");
    CHECK(to_hex(*der::parser(h("020100")).read_unsigned_integer()) == "00");
    CHECK(der::parser(h("020180")).read_unsigned_integer().error() == errc::out_of_range);
    CHECK(der::parser(h("02020100")).read_small_unsigned(255).error() == errc::out_of_range);
    CHECK(*der::parser(h("020200ff")).read_small_unsigned(255) == 255);
    CHECK(der::parser(h("0209010000000000000000")).read_small_unsigned(~0ULL).error() ==
          errc::out_of_range);
}

TEST_CASE("der booleans, nulls, bit strings and OIDs are canonical", "[core][der]") {
    CHECK(der::parser(h("010101")).read_boolean().error() == errc::bad_encoding);
    CHECK(*der::parser(h("010100")).read_boolean() == false);
    CHECK(der::parser(h("05020000")).read_null().error() == errc::bad_encoding);
    CHECK(der::parser(h("0300")).read_bit_string().error() == errc::bad_encoding);
    CHECK(der::parser(h("030101")).read_bit_string().error() == errc::bad_encoding);
    CHECK(der::parser(h("03020801")).read_bit_string().error() == errc::bad_encoding);
    CHECK(der::parser(h("03020101")).read_bit_string().error() == errc::bad_encoding); // unused bit set
    CHECK(der::parser(h("030100")).read_bit_string().ok());
    CHECK(der::parser(h("0600")).read_oid().error() == errc::bad_encoding);
    CHECK(der::parser(h("0602802a")).read_oid().error() == errc::bad_encoding);
    CHECK(der::parser(h("06022a86")).read_oid().error() == errc::bad_encoding);
}

TEST_CASE("der tags, optional elements, trailing data and depth", "[core][der]") {
    auto one = h("020101");
    der::parser p(one);
    CHECK(p.read(der::tag::octet_string).error() == errc::unexpected_tag);
    auto opt = p.read_optional(der::tag::context_constructed(0));
    REQUIRE(opt.ok());
    CHECK_FALSE(opt->has_value());
    CHECK(p.read_integer().ok());
    CHECK(p.expect_empty().ok());

    CHECK(der::parse_single(h("020101" "00"), der::tag::integer).error() == errc::trailing_data);
    CHECK(der::parse_single(h("020101"), der::tag::integer).ok());

    // 40 nested SEQUENCEs: deeper than max_depth
    byte_vector deep;
    for (int i = 0; i < 40; ++i) {
        byte_vector outer{0x30, static_cast<std::uint8_t>(deep.size())};
        outer.insert(outer.end(), deep.begin(), deep.end());
        deep = outer;
    }
    der::parser d(deep);
    errc failure = errc::ok;
    for (int i = 0; i < 40 && failure == errc::ok; ++i) {
        auto inner = d.read_sequence();
        if (!inner) {
            failure = inner.error();
        } else {
            d = *inner;
        }
    }
    CHECK(failure == errc::too_deep);
}
