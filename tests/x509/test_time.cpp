// UTCTime and GeneralizedTime: the strict DER forms, calendar checks, and conversions.
#include <https/x509/time.hpp>

#include <catch2/catch.hpp>

#include <ctime>
#include <string>

using namespace https;
using namespace https::x509;

namespace {
result<unix_time> utc(const std::string& s) {
    return parse_utc_time(as_bytes(s));
}
result<unix_time> gen(const std::string& s) {
    return parse_generalized_time(as_bytes(s));
}
} // namespace

TEST_CASE("x509 time: accepted forms", "[x509][time]") {
    CHECK(*utc("700101000000Z") == 0);
    CHECK(*utc("250601000000Z") == 1748736000);
    CHECK(*utc("491231235959Z") == 2524607999); // 2049-12-31T23:59:59Z
    CHECK(*utc("500101000000Z") == -631152000); // 1950
    CHECK(*utc("991231235959Z") == 946684799);  // 1999
    CHECK(*gen("19700101000000Z") == 0);
    CHECK(*gen("20500101000000Z") == 2524608000);
    CHECK(*gen("99991231235959Z") == 253402300799);
    CHECK(*gen("20000229120000Z") == 951825600); // leap day of a 400-year
    CHECK(*gen("20240229000000Z") == 1709164800);
    CHECK(*gen("19000101000000Z") == -2208988800);
}

TEST_CASE("x509 time: agrees with timegm over a sweep of dates", "[x509][time]") {
    std::size_t ran = 0;
    for (int year = 1950; year <= 2100; year += 7) {
        for (int month = 1; month <= 12; month += 5) {
            for (int day : {1, 15, 28}) {
                std::tm tm{};
                tm.tm_year = year - 1900;
                tm.tm_mon = month - 1;
                tm.tm_mday = day;
                tm.tm_hour = 13;
                tm.tm_min = 7;
                tm.tm_sec = 59;
                char buf[32];
                std::snprintf(buf, sizeof buf, "%04d%02d%02d130759Z", year, month, day);
                CHECK(*gen(buf) == static_cast<unix_time>(timegm(&tm)));
                CHECK(format_time(*gen(buf)).substr(0, 10) == std::string(buf, 4) + "-" +
                                                                  std::string(buf + 4, 2) + "-" +
                                                                  std::string(buf + 6, 2));
                ++ran;
            }
        }
    }
    CHECK(ran == 22 * 3 * 3);
    CHECK(format_time(1748736000) == "2025-06-01T00:00:00Z");
    CHECK(format_time(-1) == "1969-12-31T23:59:59Z");
}

TEST_CASE("x509 time: invalid strings are bad_time", "[x509][time]") {
    const char* bad_utc[] = {
        "2506010000Z",       // no seconds
        "250601000000",      // no Z
        "250601000000+0000", // offset
        "250601000000.5Z",   // fraction
        "2506010000000Z",    // too long
        "25060100000Z",      // too short
        "251301000000Z",     // month 13
        "250001000000Z",     // month 0
        "250600000000Z",     // day 0
        "250631000000Z",     // June 31
        "250229000000Z",     // 2025 is not a leap year
        "250601240000Z",     // hour 24
        "250601006000Z",     // minute 60
        "250601000060Z",     // second 60 (no leap seconds)
        "2506010000 0Z",     // space
        "25060100000aZ",     // letter
        "+50601000000Z",     // sign
        "250601000000z",     // lower-case z
    };
    std::size_t ran = 0;
    for (const char* s : bad_utc) {
        INFO(s);
        CHECK(utc(s).error() == errc::bad_time);
        ++ran;
    }
    const char* bad_gen[] = {
        "20250601000000",    // no Z
        "202506010000Z",     // no seconds
        "20250601000000.0Z", // fraction
        "20250601000000.Z",
        "2025060100000Z",  // short
        "21000229000000Z", // 2100 is not a leap year
        "20251232000000Z",
        "250601000000Z", // a UTCTime in a GeneralizedTime
    };
    for (const char* s : bad_gen) {
        INFO(s);
        CHECK(gen(s).error() == errc::bad_time);
        ++ran;
    }
    CHECK(ran == 26);

    // The CHOICE: other tags are bad_time.
    const std::string v = "250601000000Z";
    der::element e;
    e.contents = as_bytes(v);
    e.tag = der::tag::utc_time;
    CHECK(*parse_time(e) == 1748736000);
    e.tag = der::tag::generalized_time;
    CHECK(parse_time(e).error() == errc::bad_time);
    e.tag = der::tag::printable_string;
    CHECK(parse_time(e).error() == errc::bad_time);
}
