// X.509 times (RFC 5280 §4.1.2.5): strict DER UTCTime/GeneralizedTime to seconds since the epoch.
#pragma once

#include "../core/bytes.hpp"
#include "../core/der.hpp"
#include "../core/result.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace https::x509 {

/// Seconds since 1970-01-01T00:00:00Z, negative before (the representation of every X.509 time).
using unix_time = std::int64_t;

/// The current time from the system clock.
inline unix_time current_time() noexcept {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

namespace detail {

/// Days from 1970-01-01 to the proleptic Gregorian date y-m-d (m 1..12, d 1..31): count whole
/// 400-year eras from 0000-03-01 so that the leap day falls at the end of each counted year.
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto year_of_era = static_cast<unsigned>(y - era * 400);                // 0..399
    const unsigned day_of_year = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; // from March 1
    const unsigned day_of_era =
        year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

/// The inverse of `days_from_civil`.
constexpr void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) noexcept {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto day_of_era = static_cast<unsigned>(z - era * 146097);
    const unsigned year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const unsigned day_of_year =
        day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned mp = (5 * day_of_year + 2) / 153;
    d = day_of_year - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<std::int64_t>(year_of_era) + era * 400 + (m <= 2 ? 1 : 0);
}

constexpr bool leap_year(std::int64_t y) noexcept {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
    constexpr unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

/// Read `n` ASCII digits starting at `s[pos]`; false if any is not a digit.
inline bool read_digits(bytes_view s, std::size_t pos, unsigned n, unsigned& out) noexcept {
    out = 0;
    for (unsigned i = 0; i < n; ++i) {
        const std::uint8_t c = s[pos + i];
        if (c < '0' || c > '9') {
            return false;
        }
        out = out * 10 + (c - '0');
    }
    return true;
}

/// The common tail `MMDDHHMMSSZ` after a year already read.
inline result<unix_time> parse_time_tail(bytes_view s, std::size_t pos,
                                         std::int64_t year) noexcept {
    unsigned month = 0;
    unsigned day = 0;
    unsigned hour = 0;
    unsigned minute = 0;
    unsigned second = 0;
    if (!read_digits(s, pos, 2, month) || !read_digits(s, pos + 2, 2, day) ||
        !read_digits(s, pos + 4, 2, hour) || !read_digits(s, pos + 6, 2, minute) ||
        !read_digits(s, pos + 8, 2, second) || s[pos + 10] != 'Z') {
        return errc::bad_time;
    }
    // RFC 5280 §4.1.2.5.1-2: seconds always present, no leap second, no fractions, Zulu only.
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
        minute > 59 || second > 59) {
        return errc::bad_time;
    }
    return days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

} // namespace detail

/// UTCTime contents `YYMMDDHHMMSSZ`; RFC 5280 §4.1.2.5.1: YY >= 50 is 19YY, else 20YY.
inline result<unix_time> parse_utc_time(bytes_view contents) noexcept {
    if (contents.size() != 13) {
        return errc::bad_time;
    }
    unsigned yy = 0;
    if (!detail::read_digits(contents, 0, 2, yy)) {
        return errc::bad_time;
    }
    return detail::parse_time_tail(contents, 2, yy >= 50 ? 1900 + yy : 2000 + yy);
}

/// GeneralizedTime contents `YYYYMMDDHHMMSSZ` (RFC 5280 §4.1.2.5.2: no fractional seconds).
inline result<unix_time> parse_generalized_time(bytes_view contents) noexcept {
    if (contents.size() != 15) {
        return errc::bad_time;
    }
    unsigned yyyy = 0;
    if (!detail::read_digits(contents, 0, 4, yyyy)) {
        return errc::bad_time;
    }
    return detail::parse_time_tail(contents, 4, yyyy);
}

/// A `Time ::= CHOICE { utcTime, generalTime }` element. RFC 5280 asks CAs to use UTCTime through
/// 2049; we accept GeneralizedTime for any year, as Go, OpenSSL and browsers do.
inline result<unix_time> parse_time(const der::element& e) noexcept {
    if (e.tag == der::tag::utc_time) {
        return parse_utc_time(e.contents);
    }
    if (e.tag == der::tag::generalized_time) {
        return parse_generalized_time(e.contents);
    }
    return errc::bad_time;
}

/// ISO 8601 form `YYYY-MM-DDTHH:MM:SSZ` for diagnostics.
inline std::string format_time(unix_time t) {
    std::int64_t days = t / 86400;
    std::int64_t secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        --days;
    }
    std::int64_t y = 0;
    unsigned m = 0;
    unsigned d = 0;
    detail::civil_from_days(days, y, m, d);
    char buf[48];
    (void)std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
                        static_cast<long long>(y), m, d, static_cast<long long>(secs / 3600),
                        static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
    return buf;
}

} // namespace https::x509
