// DEFLATE decoding throughput (MB/s of decoded output) on 4 MiB of compressible text: raw
// DEFLATE (`inflate`) and gzip with its CRC-32 (`inflate_gzip`), ours next to zlib's inflate on
// the same compressed bytes, compressed once by zlib at level 6.
#include "bench.hpp"

#include <https/http/inflate.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#if HTTPS_BENCH_ZLIB
#include <zlib.h>
#endif

namespace {

/// Text with a word-frequency spread like prose or markup: pseudo-random words from a fixed
/// vocabulary (frequent short words, rarer long ones), lines and tags: mostly literals, as
/// prose is; zlib level 6 compresses it 2.65:1.
const std::vector<std::uint8_t>& plain_text() {
    static const std::vector<std::uint8_t> text = [] {
        std::mt19937 rng(2026);
        std::vector<std::string> words;
        const char* common[] = {"the", "of", "and", "to", "in", "a", "is", "that", "for", "it",
                                "as", "with", "was", "on", "be", "by", "this", "are", "or", "from"};
        for (const char* w : common) {
            words.emplace_back(w);
        }
        for (int i = 0; i < 2000; ++i) { // rarer words: random letters, 3 to 11 of them
            std::string w;
            const int len = 3 + static_cast<int>(rng() % 9);
            for (int k = 0; k < len; ++k) {
                w += static_cast<char>('a' + rng() % 26);
            }
            words.push_back(w);
        }
        std::vector<std::uint8_t> out;
        std::string line;
        while (out.size() < (4u << 20)) {
            const std::size_t pick = rng() % 100 < 45 ? rng() % 20 : 20 + rng() % 2000;
            line += words[pick];
            line += ' ';
            if (line.size() > 70) {
                line = (rng() % 4 == 0 ? "<p class=\"text\">" : "") + line + "\n";
                out.insert(out.end(), line.begin(), line.end());
                line.clear();
            }
        }
        out.resize(4u << 20);
        return out;
    }();
    return text;
}

#if HTTPS_BENCH_ZLIB
/// zlib level 6: window_bits -15 raw DEFLATE, 31 gzip.
std::vector<std::uint8_t> compressed(int window_bits) {
    const auto& in = plain_text();
    z_stream z{};
    deflateInit2(&z, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
    std::vector<std::uint8_t> out(deflateBound(&z, in.size()));
    z.next_in = const_cast<std::uint8_t*>(in.data());
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
        std::abort();
    }
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

/// Ours: the whole stream in one feed, decoded output copied out as a caller would.
double ours(double seconds, int window_bits) {
    const auto stream = compressed(window_bits);
    const auto format =
        window_bits < 0 ? https::http::compression_format::raw : https::http::compression_format::gzip;
    std::vector<std::uint8_t> out(plain_text().size());
    return bench::megabytes_per_second(seconds, out.size(), [&] {
        https::http::inflater inf(format);
        std::size_t at = 0;
        const auto st = inf.feed(stream, [&](https::bytes_view b) -> https::status {
            std::memcpy(out.data() + at, b.data(), b.size());
            at += b.size();
            return {};
        });
        if (!st.ok() || !inf.finish().ok() || at != out.size()) {
            std::abort();
        }
        bench::keep(out);
    });
}

/// zlib: one inflate call into a buffer the size of the output (its fastest use).
double reference(double seconds, int window_bits) {
    const auto stream = compressed(window_bits);
    std::vector<std::uint8_t> out(plain_text().size());
    return bench::megabytes_per_second(seconds, out.size(), [&] {
        z_stream z{};
        inflateInit2(&z, window_bits);
        z.next_in = const_cast<std::uint8_t*>(stream.data());
        z.avail_in = static_cast<uInt>(stream.size());
        z.next_out = out.data();
        z.avail_out = static_cast<uInt>(out.size());
        if (inflate(&z, Z_FINISH) != Z_STREAM_END) {
            std::abort();
        }
        inflateEnd(&z);
        bench::keep(out);
    });
}
#endif

} // namespace

#if HTTPS_BENCH_ZLIB
HTTPS_BENCH("inflate", "MB/s", [](double s) { return ours(s, -15); },
            [](double s) { return reference(s, -15); }, "zlib");
HTTPS_BENCH("inflate_gzip", "MB/s", [](double s) { return ours(s, 31); },
            [](double s) { return reference(s, 31); }, "zlib");
#endif
