// The bounds-checked reader and writer, hex, and the error enum.
#include <https/core/bytes.hpp>
#include <https/core/errc.hpp>
#include <https/core/hex.hpp>

#include <catch2/catch.hpp>

#include <algorithm>

using namespace https;

TEST_CASE("reader reads big-endian fields and refuses to run past the end", "[core][reader]") {
    const std::uint8_t data[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};
    reader r(data);
    CHECK(*r.read_u8() == 0x01);
    CHECK(*r.read_u16() == 0x0203);
    CHECK(*r.read_u24() == 0x040506);
    CHECK(r.remaining() == 4);
    auto too_long = r.read_u64();
    CHECK(too_long.error() == errc::truncated);
    CHECK(r.remaining() == 4); // a failed read consumes nothing
    CHECK(*r.read_u32() == 0x0708090a);
    CHECK(r.read_u8().error() == errc::truncated);
    CHECK(r.expect_empty().ok());
}

TEST_CASE("reader length-prefixed fields", "[core][reader]") {
    const std::uint8_t good[] = {0x00, 0x03, 'a', 'b', 'c', 0x01, 0xff};
    reader r(good);
    auto f = r.read_prefixed<2>();
    REQUIRE(f.ok());
    CHECK(f->size() == 3);
    CHECK((*f)[2] == 'c');
    auto nested = r.read_nested<1>();
    REQUIRE(nested.ok());
    CHECK(*nested->read_u8() == 0xff);
    CHECK(nested->expect_empty().ok());
    CHECK(r.expect_empty().ok());

    const std::uint8_t lying[] = {0x00, 0x05, 'a', 'b'};
    reader bad(lying);
    CHECK(bad.read_prefixed<2>().error() == errc::truncated);
    CHECK(bad.position() == 0);
    CHECK(bad.read_prefixed<3>().error() == errc::truncated);

    const std::uint8_t extra[] = {0x01, 0x00, 0x00};
    reader trailing(extra);
    CHECK(trailing.read_prefixed<1>().ok());
    CHECK(trailing.expect_empty().error() == errc::trailing_data);
    CHECK(trailing.skip(2).error() == errc::truncated);
    CHECK(trailing.skip(1).ok());
}

TEST_CASE("writer back-patches length prefixes", "[core][writer]") {
    writer w;
    w.put_u8(0x16);
    auto outer = w.begin_prefixed(2);
    w.put_u24(0x010203);
    auto inner = w.begin_prefixed(1);
    w.put_bytes(as_bytes("hi"));
    REQUIRE(w.end_prefixed(inner, 1));
    REQUIRE(w.end_prefixed(outer, 2));
    w.put_u64(1);
    CHECK(to_hex(w.bytes()) == "16000601020302686900000000000000" "01");
}

TEST_CASE("writer refuses a field too long for its length prefix", "[core][writer]") {
    // Every prefix size at its largest length, then one byte more: the length is never wrapped
    // (in any build), the field is refused with a named error.
    for (unsigned prefix : {1u, 2u, 3u}) {
        INFO("prefix bytes: " << prefix);
        const std::size_t max = (std::size_t{1} << (8 * prefix)) - 1;
        const byte_vector fits(max, 0xab);
        writer ok;
        REQUIRE(ok.put_prefixed(prefix, fits));
        CHECK(ok.size() == prefix + max);
        CHECK(std::all_of(ok.bytes().begin(), ok.bytes().begin() + prefix,
                          [](std::uint8_t b) { return b == 0xff; }));

        const byte_vector too_long(max + 1, 0xab);
        writer bad;
        CHECK(bad.put_prefixed(prefix, too_long).error() == errc::length_overflow);
        writer nested;
        const auto mark = nested.begin_prefixed(prefix);
        nested.put_bytes(fits);
        nested.put_u8(0);
        CHECK(nested.end_prefixed(mark, prefix).error() == errc::length_overflow);
    }
    writer four;
    CHECK(four.put_prefixed(4, byte_vector(70000, 1)));
    CHECK(to_hex(bytes_view(four.bytes()).first(4)) == "00011170");
}

TEST_CASE("hex round trip and strict decoding", "[core][hex]") {
    CHECK(to_hex(*from_hex("00ff7Fa0")) == "00ff7fa0");
    CHECK(from_hex("").ok());
    CHECK(from_hex("abc").error() == errc::bad_hex);
    CHECK(from_hex("zz").error() == errc::bad_hex);
    CHECK(from_hex("0g").error() == errc::bad_hex);
}

TEST_CASE("errc is a std::error_code with messages and layers", "[core][errc]") {
    std::error_code ec = errc::cert_expired;
    CHECK(ec.category().name() == std::string("https"));
    CHECK(ec.message() == "certificate expired");
    CHECK(layer_of(errc::cert_expired) == error_layer::x509);
    CHECK(layer_of(errc::truncated) == error_layer::decode);
    CHECK(layer_of(errc::tls_bad_record_mac) == error_layer::tls);
    CHECK(layer_of(errc::net_timeout) == error_layer::net);
    CHECK(ec != std::error_code{});
    result<int> r = errc::truncated;
    CHECK_FALSE(r.ok());
    CHECK(r.error_code() == errc::truncated);
    result<int> v = 5;
    CHECK(*v == 5);
    CHECK(v.error() == errc::ok);
}
