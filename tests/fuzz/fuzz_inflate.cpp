// Fuzz the DEFLATE decoder (http/inflate.hpp). The first byte picks the wrapper and the second
// how the rest is split into pieces. Invariants: the output cap holds and the sink never gets an
// empty piece; fed whole or in pieces, the verdict is the same, and so is the output of a
// success; on raw DEFLATE, zlib (the oracle) and we agree on success and on the output.
#include <https/http/inflate.hpp>

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace {

using https::http::compression_format;

constexpr std::uint64_t max_output = 1u << 20;

struct run {
    https::errc error = https::errc::ok;
    std::vector<std::uint8_t> out;
};

run decode(compression_format format, https::bytes_view in, std::size_t piece,
           https::http::inflate_limits limits) {
    https::http::inflater inf(format, limits);
    run r;
    auto sink = [&](https::bytes_view b) -> https::status {
        if (b.empty()) {
            __builtin_trap(); // pieces handed to the sink are never empty
        }
        r.out.insert(r.out.end(), b.begin(), b.end());
        return {};
    };
    https::status st;
    for (std::size_t at = 0; at < in.size() && st.ok(); at += piece) {
        st = inf.feed(in.subspan(at, std::min(piece, in.size() - at)), sink);
    }
    if (st.ok()) {
        st = inf.finish();
    }
    r.error = st.error();
    if (r.out.size() > limits.max_output_bytes || r.out.size() != inf.total_out()) {
        __builtin_trap(); // the output cap must hold, and the count must be right
    }
    return r;
}

/// zlib's verdict on raw DEFLATE: success only if the stream ends exactly at the end of the
/// input, with at most max_output bytes of output.
bool zlib_raw(https::bytes_view in, std::vector<std::uint8_t>& out) {
    z_stream z{};
    if (inflateInit2(&z, -15) != Z_OK) {
        return false;
    }
    out.resize(max_output + 1);
    z.next_in = const_cast<std::uint8_t*>(in.data());
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    const int r = inflate(&z, Z_FINISH);
    const bool ok = r == Z_STREAM_END && z.avail_in == 0 && z.total_out <= max_output;
    out.resize(z.total_out);
    inflateEnd(&z);
    return ok;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) {
        return 0;
    }
    static constexpr compression_format formats[] = {
        compression_format::raw, compression_format::zlib, compression_format::gzip,
        compression_format::zlib_or_raw};
    const compression_format format = formats[data[0] & 3];
    const https::bytes_view in(data + 2, size - 2);
    https::http::inflate_limits limits;
    limits.max_output_bytes = max_output;

    const run whole = decode(format, in, in.size() + 1, limits);
    const run pieces = decode(format, in, 1 + data[1] % 97, limits);
    // The size cap is checked when output is handed over, which a split input does more often:
    // a stream that passes the cap and then goes wrong may be stopped by either.
    const bool capped = whole.error == https::errc::inflate_too_large ||
                        pieces.error == https::errc::inflate_too_large;
    if (!capped && (whole.error != pieces.error ||
                    (whole.error == https::errc::ok && whole.out != pieces.out))) {
        __builtin_trap(); // how the input is split must not change the verdict or the output
    }
    // the ratio cap, exercised: the output cap still holds (checked in decode)
    limits.max_ratio = 1 + (data[0] >> 2);
    limits.ratio_grace_bytes = data[1];
    (void)decode(format, in, 1 + data[1] % 13, limits);

    if (format == compression_format::raw) {
        std::vector<std::uint8_t> expected;
        const bool zlib_ok = zlib_raw(in, expected);
        if (zlib_ok != (whole.error == https::errc::ok) || (zlib_ok && expected != whole.out)) {
            __builtin_trap(); // zlib and we disagree about this raw DEFLATE stream
        }
    }
    return 0;
}
