// The DEFLATE decoder (http/inflate.hpp): byte for byte against zlib (every level and strategy,
// raw/zlib/gzip, fed whole, byte by byte and in random pieces), the RFC 1951 edge cases on
// hand-built streams, every prefix of a stream truncated, one hand-built stream per named error,
// the bomb caps, and the checksums against zlib's.
#include <https/http/inflate.hpp>

#include <catch2/catch.hpp>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace https;
using http::compression_format;
using bytes = std::vector<std::uint8_t>;

namespace {

// ---- zlib as the oracle ------------------------------------------------------------------

/// zlib's deflate of `in`: window_bits -15 raw, 15 zlib, 31 gzip (with `header` if given).
bytes zlib_compress(const bytes& in, int level, int window_bits, int strategy = Z_DEFAULT_STRATEGY,
                    gz_header* header = nullptr) {
    z_stream z{};
    REQUIRE(deflateInit2(&z, level, Z_DEFLATED, window_bits, 8, strategy) == Z_OK);
    if (header != nullptr) {
        REQUIRE(deflateSetHeader(&z, header) == Z_OK);
    }
    bytes out(deflateBound(&z, in.size()) + 1024);
    z.next_in = const_cast<std::uint8_t*>(in.data());
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

bytes zlib_decompress(const bytes& in, int window_bits) {
    z_stream z{};
    REQUIRE(inflateInit2(&z, window_bits) == Z_OK);
    bytes out(1 << 20);
    bytes all;
    z.next_in = const_cast<std::uint8_t*>(in.data());
    z.avail_in = static_cast<uInt>(in.size());
    int r = Z_OK;
    do {
        z.next_out = out.data();
        z.avail_out = static_cast<uInt>(out.size());
        r = inflate(&z, Z_NO_FLUSH);
        REQUIRE((r == Z_OK || r == Z_STREAM_END));
        all.insert(all.end(), out.data(), out.data() + (out.size() - z.avail_out));
    } while (r != Z_STREAM_END);
    inflateEnd(&z);
    return all;
}

// ---- feeding our decoder -----------------------------------------------------------------

enum class feeding { whole, byte_by_byte, random_pieces };

struct decoded {
    status result;
    bytes out;
};

/// Decode `in` fed as `how` says; `result` is the first error of feed, else finish().
decoded inflate_all(compression_format format, const bytes& in, feeding how,
                    http::inflate_limits limits = {}, std::uint32_t seed = 1) {
    http::inflater inf(format, limits);
    decoded d;
    auto sink = [&](bytes_view b) -> status {
        CHECK(!b.empty());
        CHECK(b.size() <= 64 * 1024);
        d.out.insert(d.out.end(), b.begin(), b.end());
        return {};
    };
    std::mt19937 rng(seed);
    std::size_t at = 0;
    while (at < in.size() || (at == 0 && in.empty())) {
        std::size_t n = in.size() - at;
        if (how == feeding::byte_by_byte) {
            n = std::min<std::size_t>(n, 1);
        } else if (how == feeding::random_pieces) {
            // mostly small pieces, now and then a large one
            n = std::min<std::size_t>(n, rng() % 8 == 0 ? rng() % 70000 : rng() % 300);
        }
        d.result = inf.feed(bytes_view(in).subspan(at, n), sink);
        at += n;
        if (!d.result.ok() || in.empty()) {
            break;
        }
    }
    if (d.result.ok()) {
        d.result = inf.finish();
    }
    CHECK(inf.total_out() == d.out.size());
    return d;
}

bytes compressible_text(std::size_t size, std::uint32_t seed) {
    static const char* const words[] = {"the ", "quick ", "brown ", "fox ", "jumps\n", "over ",
                                        "the lazy ", "dog; ", "<div class=\"item\">", "</div>\n",
                                        "{\"id\": ", "\"name\": \"", "\", ", "}, "};
    std::mt19937 rng(seed);
    bytes out;
    while (out.size() < size) {
        const char* w = words[rng() % std::size(words)];
        out.insert(out.end(), w, w + std::strlen(w));
        if (rng() % 40 == 0) {
            out.push_back(static_cast<std::uint8_t>(rng()));
        }
    }
    out.resize(size);
    return out;
}

bytes random_bytes(std::size_t size, std::uint32_t seed) {
    std::mt19937 rng(seed);
    bytes out(size);
    for (auto& b : out) {
        b = static_cast<std::uint8_t>(rng());
    }
    return out;
}

// ---- hand-built streams --------------------------------------------------------------------

/// Writes a DEFLATE bit stream: fields least significant bit first, Huffman codes most
/// significant bit first (RFC 1951 §3.1.1).
struct bit_writer {
    bytes out;
    std::uint32_t acc = 0;
    unsigned count = 0;

    void put(std::uint32_t value, unsigned bits) {
        for (unsigned i = 0; i < bits; ++i) {
            acc |= ((value >> i) & 1u) << count;
            if (++count == 8) {
                out.push_back(static_cast<std::uint8_t>(acc));
                acc = 0;
                count = 0;
            }
        }
    }
    void put_code(std::uint32_t code, unsigned len) {
        for (unsigned i = len; i-- > 0;) {
            put((code >> i) & 1u, 1);
        }
    }
    void align() {
        if (count != 0) {
            put(0, 8 - count);
        }
    }
    void put_bytes(const bytes& b) {
        for (auto v : b) {
            put(v, 8);
        }
    }
    bytes finish() {
        align();
        return out;
    }
};

// RFC 1951 §3.2.5, the test's own copy.
const std::uint16_t length_bases[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                        31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
const std::uint8_t length_extras[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                        2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
const std::uint16_t distance_bases[30] = {1,    2,    3,    4,    5,    7,     9,     13,
                                          17,   25,   33,   49,   65,   97,    129,   193,
                                          257,  385,  513,  769,  1025, 1537,  2049,  3073,
                                          4097, 6145, 8193, 12289, 16385, 24577};
const std::uint8_t distance_extras[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                          6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

/// RFC 1951 §3.2.6: the fixed literal/length code.
void put_fixed_symbol(bit_writer& w, unsigned s) {
    if (s < 144) {
        w.put_code(0x30 + s, 8);
    } else if (s < 256) {
        w.put_code(0x190 + (s - 144), 9);
    } else if (s < 280) {
        w.put_code(s - 256, 7);
    } else {
        w.put_code(0xc0 + (s - 280), 8);
    }
}

/// A length and distance in the fixed code: symbol, extra bits, 5-bit distance code, extra.
void put_fixed_match(bit_writer& w, unsigned length, unsigned distance) {
    unsigned li = 28;
    while (length_bases[li] > length) {
        --li;
    }
    if (length == 258) {
        li = 28;
    } else if (li == 28) {
        li = 27; // 258 is code 285 alone; 227..257 are code 284
    }
    put_fixed_symbol(w, 257 + li);
    w.put(length - length_bases[li], length_extras[li]);
    unsigned di = 29;
    while (distance_bases[di] > distance) {
        --di;
    }
    w.put_code(di, 5);
    w.put(distance - distance_bases[di], distance_extras[di]);
}

/// A stored block (RFC 1951 §3.2.4).
void put_stored(bit_writer& w, const bytes& data, bool final) {
    w.put(final ? 1 : 0, 1);
    w.put(0, 2);
    w.align();
    w.put(static_cast<std::uint32_t>(data.size()), 16);
    w.put(static_cast<std::uint32_t>(~data.size() & 0xffff), 16);
    w.put_bytes(data);
}

/// Canonical codes for the lengths (RFC 1951 §3.2.2), the test's own.
std::vector<std::uint32_t> canonical_codes(const std::vector<std::uint8_t>& lengths) {
    std::uint32_t count[16] = {};
    for (auto l : lengths) {
        ++count[l];
    }
    count[0] = 0;
    std::uint32_t next[16] = {};
    std::uint32_t code = 0;
    for (int bits = 1; bits < 16; ++bits) {
        code = (code + count[bits - 1]) << 1;
        next[bits] = code;
    }
    std::vector<std::uint32_t> codes(lengths.size());
    for (std::size_t s = 0; s < lengths.size(); ++s) {
        if (lengths[s] != 0) {
            codes[s] = next[lengths[s]]++;
        }
    }
    return codes;
}

/// One code-length instruction of a dynamic header: a symbol 0..18 and its extra bits value.
struct cl_item {
    unsigned symbol;
    unsigned extra;
};

/// A dynamic block header (RFC 1951 §3.2.7) from explicit parts, so that invalid ones can be
/// written too: HLIT/HDIST/HCLEN as counts, the code-length code's lengths in symbol order, and
/// the instructions coded with it.
void put_dynamic_header(bit_writer& w, bool final, unsigned hlit, unsigned hdist, unsigned hclen,
                        const std::vector<std::uint8_t>& cl_lengths,
                        const std::vector<cl_item>& items) {
    static const unsigned order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    w.put(final ? 1 : 0, 1);
    w.put(2, 2);
    w.put(hlit - 257, 5);
    w.put(hdist - 1, 5);
    w.put(hclen - 4, 4);
    for (unsigned i = 0; i < hclen; ++i) {
        w.put(cl_lengths[order[i]], 3);
    }
    const auto codes = canonical_codes(cl_lengths);
    for (const auto& it : items) {
        w.put_code(codes[it.symbol], cl_lengths[it.symbol]);
        if (it.symbol == 16) {
            w.put(it.extra, 2);
        } else if (it.symbol == 17) {
            w.put(it.extra, 3);
        } else if (it.symbol == 18) {
            w.put(it.extra, 7);
        }
    }
}

/// Code-length instructions for `lengths`, written with runs (16, 17, 18) where they fit.
std::vector<cl_item> run_length(const std::vector<std::uint8_t>& lengths) {
    std::vector<cl_item> items;
    std::size_t i = 0;
    while (i < lengths.size()) {
        std::size_t run = 1;
        while (i + run < lengths.size() && lengths[i + run] == lengths[i]) {
            ++run;
        }
        if (lengths[i] == 0 && run >= 11) {
            const std::size_t n = std::min<std::size_t>(run, 138);
            items.push_back({18, static_cast<unsigned>(n - 11)});
            i += n;
        } else if (lengths[i] == 0 && run >= 3) {
            const std::size_t n = std::min<std::size_t>(run, 10);
            items.push_back({17, static_cast<unsigned>(n - 3)});
            i += n;
        } else if (run >= 4) {
            items.push_back({lengths[i], 0});
            const std::size_t n = std::min<std::size_t>(run - 1, 6);
            items.push_back({16, static_cast<unsigned>(n - 3)});
            i += 1 + n;
        } else {
            items.push_back({lengths[i], 0});
            ++i;
        }
    }
    return items;
}

bytes as_vec(std::string_view s) { return bytes(s.begin(), s.end()); }

/// Our decoder's verdict on a raw stream fed whole.
errc raw_error(const bytes& stream) {
    return inflate_all(compression_format::raw, stream, feeding::whole).result.error();
}

} // namespace

TEST_CASE("inflate: byte for byte zlib's input, every level, strategy and wrapper",
          "[http][inflate]") {
    const std::vector<std::pair<std::string, bytes>> inputs = {
        {"text", compressible_text(150 * 1024, 7)},
        {"random", random_bytes(100 * 1024, 8)},
        {"small", as_vec("hello, hello, hello")},
        {"empty", {}},
    };
    const std::vector<std::pair<int, const char*>> strategies = {
        {Z_DEFAULT_STRATEGY, "default"}, {Z_FILTERED, "filtered"}, {Z_HUFFMAN_ONLY, "huffman"},
        {Z_RLE, "rle"}, {Z_FIXED, "fixed"}};
    const std::vector<std::pair<int, compression_format>> wrappers = {
        {-15, compression_format::raw}, {15, compression_format::zlib},
        {31, compression_format::gzip}};
    std::size_t cases = 0;
    for (const auto& [name, input] : inputs) {
        for (int level = 0; level <= 9; ++level) {
            for (const auto& [strategy, strategy_name] : strategies) {
                for (const auto& [window_bits, format] : wrappers) {
                    const bytes stream = zlib_compress(input, level, window_bits, strategy);
                    for (auto how : {feeding::whole, feeding::byte_by_byte, feeding::random_pieces}) {
                        // byte by byte on the big inputs at a few levels only (it is slow
                        // under the sanitizers, and the pieces already cover every split)
                        if (how == feeding::byte_by_byte && input.size() > 1000 &&
                            level % 3 != 0) {
                            continue;
                        }
                        INFO(name << " level " << level << " " << strategy_name << " wbits "
                                  << window_bits << " feeding " << static_cast<int>(how));
                        const auto d = inflate_all(format, stream, how, {},
                                                   static_cast<std::uint32_t>(cases));
                        REQUIRE(d.result.ok());
                        REQUIRE(d.out == input);
                        ++cases;
                    }
                    // HTTP's "deflate": zlib or raw, told apart by the first two bytes
                    if (format != compression_format::gzip) {
                        const auto d =
                            inflate_all(compression_format::zlib_or_raw, stream, feeding::whole);
                        REQUIRE(d.result.ok());
                        REQUIRE(d.out == input);
                        ++cases;
                    }
                }
            }
        }
    }
    // 4 inputs x 10 levels x 5 strategies: 3 wrappers x (whole + pieces) + zlib_or_raw for 2,
    // byte by byte for every small input and levels 0, 3, 6, 9 of the big ones
    CHECK(cases == 4 * 10 * 5 * (3 * 2 + 2) + 2 * 10 * 5 * 3 + 2 * 4 * 5 * 3);
}

TEST_CASE("inflate: zlib's output at memLevel 1 and 9 and with gzip header fields",
          "[http][inflate]") {
    const bytes input = compressible_text(200 * 1024, 3);
    for (int mem_level : {1, 9}) {
        z_stream z{};
        REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, -15, mem_level, Z_DEFAULT_STRATEGY) == Z_OK);
        bytes out(deflateBound(&z, input.size()));
        z.next_in = const_cast<std::uint8_t*>(input.data());
        z.avail_in = static_cast<uInt>(input.size());
        z.next_out = out.data();
        z.avail_out = static_cast<uInt>(out.size());
        REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
        out.resize(z.total_out);
        deflateEnd(&z);
        const auto d = inflate_all(compression_format::raw, out, feeding::random_pieces);
        REQUIRE(d.result.ok());
        CHECK(d.out == input);
    }
    // FEXTRA, FNAME, FCOMMENT and FHCRC (RFC 1952 §2.3.1), through zlib's deflateSetHeader
    std::string name = "file.txt", comment = "a comment";
    bytes extra(300, 0x42);
    gz_header h{};
    h.extra = extra.data();
    h.extra_len = static_cast<uInt>(extra.size());
    h.name = reinterpret_cast<Bytef*>(name.data());
    h.comment = reinterpret_cast<Bytef*>(comment.data());
    h.hcrc = 1;
    h.os = 3;
    const bytes stream = zlib_compress(input, 6, 31, Z_DEFAULT_STRATEGY, &h);
    REQUIRE(zlib_decompress(stream, 31) == input);
    for (auto how : {feeding::whole, feeding::byte_by_byte, feeding::random_pieces}) {
        const auto d = inflate_all(compression_format::gzip, stream, how);
        REQUIRE(d.result.ok());
        CHECK(d.out == input);
    }
}

TEST_CASE("inflate: RFC 1951 edge cases on hand-built streams", "[http][inflate]") {
    SECTION("empty stored blocks, and a stored block of 65535 bytes") {
        bit_writer w;
        put_stored(w, {}, false);
        const bytes big = random_bytes(65535, 1);
        put_stored(w, big, false);
        put_stored(w, {}, true);
        const bytes stream = w.finish();
        for (auto how : {feeding::whole, feeding::byte_by_byte, feeding::random_pieces}) {
            const auto d = inflate_all(compression_format::raw, stream, how);
            REQUIRE(d.result.ok());
            CHECK(d.out == big);
        }
        CHECK(zlib_decompress(stream, -15) == big);
        bit_writer only_empty;
        put_stored(only_empty, {}, true);
        const auto d = inflate_all(compression_format::raw, only_empty.finish(), feeding::whole);
        CHECK(d.result.ok());
        CHECK(d.out.empty());
    }
    SECTION("fixed Huffman: length 258 at distance 32768, and every length and distance code") {
        // 32 KiB of history in a stored block, then a fixed block that uses every length code
        // and every distance code at both ends of its extra-bits range.
        const bytes history = random_bytes(32768, 2);
        bit_writer w;
        put_stored(w, history, false);
        w.put(1, 1); // BFINAL
        w.put(1, 2); // fixed
        bytes expected = history;
        auto match = [&](unsigned length, unsigned distance) {
            put_fixed_match(w, length, distance);
            for (unsigned i = 0; i < length; ++i) {
                expected.push_back(expected[expected.size() - distance]);
            }
        };
        match(258, 32768);
        std::size_t pairs = 1;
        for (unsigned i = 0; i < 29; ++i) {
            const unsigned lo = length_bases[i];
            // code 284's 5 extra bits could reach 258, but RFC 1951 gives it 227..257 only
            const unsigned hi = i == 28 ? 258 : i == 27 ? 257 : lo + (1u << length_extras[i]) - 1;
            for (unsigned j = 0; j < 30; ++j) {
                const unsigned dlo = distance_bases[j];
                const unsigned dhi = dlo + (1u << distance_extras[j]) - 1;
                match(lo, dlo);
                match(hi, dhi);
                pairs += 2;
            }
        }
        // literals from each range of the fixed code
        for (unsigned c : std::initializer_list<unsigned>{'o', 'k', 0, 255, 143, 144}) {
            put_fixed_symbol(w, c);
            expected.push_back(static_cast<std::uint8_t>(c));
        }
        match(3, 1); // a run: distance shorter than length
        match(100, 2);
        put_fixed_symbol(w, 256);
        const bytes stream = w.finish();
        CHECK(pairs == 1 + 29 * 30 * 2);
        REQUIRE(zlib_decompress(stream, -15) == expected); // the oracle agrees on the stream
        for (auto how : {feeding::whole, feeding::byte_by_byte, feeding::random_pieces}) {
            const auto d = inflate_all(compression_format::raw, stream, how);
            REQUIRE(d.result.ok());
            CHECK(d.out == expected);
        }
    }
    SECTION("dynamic Huffman with all 19 code-length codes, runs 16, 17 and 18") {
        // Code-length code: 13 codes of 4 bits and 6 of 5 bits (13/16 + 6/32 = 1).
        std::vector<std::uint8_t> cl(19, 4);
        for (unsigned s = 13; s < 19; ++s) {
            cl[s] = 5;
        }
        // Literals 0..127 in 8 bits (1/2), 128..255 unused, 256 and 257 in 5 bits and
        // 258..285 in 6 bits (2/32 + 28/64 = 1/2). Distances: codes 0, 1, 2 and 8 in 2 bits,
        // the others unused (runs of 5 and 21 zeros).
        std::vector<std::uint8_t> lit(286, 0);
        std::fill(lit.begin(), lit.begin() + 128, 8);
        lit[256] = lit[257] = 5;
        std::fill(lit.begin() + 258, lit.end(), 6);
        std::vector<std::uint8_t> dist(30, 0);
        dist[0] = dist[1] = dist[2] = dist[8] = 2;
        std::vector<std::uint8_t> all = lit;
        all.insert(all.end(), dist.begin(), dist.end());
        const auto items = run_length(all);
        bool used[19] = {};
        for (const auto& it : items) {
            used[it.symbol] = true;
        }
        CHECK(used[16]);
        CHECK(used[17]);
        CHECK(used[18]);
        bit_writer w;
        put_dynamic_header(w, true, 286, 30, 19, cl, items);
        const auto lit_codes = canonical_codes(lit);
        const auto dist_codes = canonical_codes(dist);
        bytes expected;
        for (unsigned c : std::initializer_list<unsigned>{'a', 'b', 'c', 'd', 0, 127}) {
            w.put_code(lit_codes[c], lit[c]);
            expected.push_back(static_cast<std::uint8_t>(c));
        }
        // length 10 (code 264) at distance 3 (code 2), then length 258 (code 285) at
        // distance 1 (code 0)
        w.put_code(lit_codes[264], lit[264]);
        w.put_code(dist_codes[2], dist[2]);
        for (int i = 0; i < 10; ++i) {
            expected.push_back(expected[expected.size() - 3]);
        }
        w.put_code(lit_codes[285], lit[285]);
        w.put_code(dist_codes[0], dist[0]);
        for (int i = 0; i < 258; ++i) {
            expected.push_back(expected.back());
        }
        w.put_code(lit_codes[256], lit[256]);
        const bytes stream = w.finish();
        REQUIRE(zlib_decompress(stream, -15) == expected);
        for (auto how : {feeding::whole, feeding::byte_by_byte}) {
            const auto d = inflate_all(compression_format::raw, stream, how);
            REQUIRE(d.result.ok());
            CHECK(d.out == expected);
        }
    }
    SECTION("a single one-bit distance code, and no distance codes at all") {
        // literals 'x' and 256 in 1 bit each; distances: one code of 1 bit, or none
        std::vector<std::uint8_t> lengths(257 + 1, 0);
        lengths['x'] = 1;
        lengths[256] = 1;
        for (int distances : {0, 1}) {
            std::vector<std::uint8_t> all = lengths;
            all.back() = static_cast<std::uint8_t>(distances); // the one distance length
            std::vector<std::uint8_t> cl(19, 0);
            cl[0] = 1;
            cl[1] = 2;
            cl[18] = 2;
            bit_writer w;
            put_dynamic_header(w, true, 257, 1, 19, cl, run_length(all));
            const auto codes = canonical_codes(std::vector<std::uint8_t>(lengths.begin(), lengths.end() - 1));
            w.put_code(codes['x'], 1);
            w.put_code(codes['x'], 1);
            w.put_code(codes[256], 1);
            const bytes stream = w.finish();
            REQUIRE(zlib_decompress(stream, -15) == as_vec("xx"));
            const auto d = inflate_all(compression_format::raw, stream, feeding::byte_by_byte);
            REQUIRE(d.result.ok());
            CHECK(d.out == as_vec("xx"));
        }
    }
}

TEST_CASE("inflate: every prefix of a stream is truncated, never a success", "[http][inflate]") {
    const bytes input = compressible_text(3000, 11);
    std::string name = "n", comment = "c";
    bytes extra(5, 1);
    gz_header h{};
    h.extra = extra.data();
    h.extra_len = static_cast<uInt>(extra.size());
    h.name = reinterpret_cast<Bytef*>(name.data());
    h.comment = reinterpret_cast<Bytef*>(comment.data());
    h.hcrc = 1;
    bit_writer stored;
    put_stored(stored, bytes(input.begin(), input.begin() + 100), true);
    const std::vector<std::pair<bytes, compression_format>> streams = {
        {zlib_compress(input, 6, -15), compression_format::raw},
        {zlib_compress(input, 6, 15), compression_format::zlib},
        {zlib_compress(input, 6, 15), compression_format::zlib_or_raw},
        {zlib_compress(input, 1, 31, Z_DEFAULT_STRATEGY, &h), compression_format::gzip},
        {zlib_compress(input, 9, 31, Z_FIXED), compression_format::gzip},
        {stored.finish(), compression_format::raw},
    };
    std::size_t prefixes = 0;
    for (const auto& [stream, format] : streams) {
        for (std::size_t n = 0; n < stream.size(); ++n) {
            const bytes prefix(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(n));
            for (auto how : {feeding::whole, feeding::byte_by_byte}) {
                INFO("format " << static_cast<int>(format) << " prefix " << n);
                const auto d = inflate_all(format, prefix, how);
                REQUIRE(d.result.error() == errc::inflate_truncated);
            }
            ++prefixes;
        }
        CHECK(inflate_all(format, stream, feeding::byte_by_byte).result.ok());
    }
    std::size_t total = 0;
    for (const auto& s : streams) {
        total += s.first.size();
    }
    CHECK(prefixes == total);
}

TEST_CASE("inflate: each malformed input is its named error", "[http][inflate]") {
    const bytes input = compressible_text(5000, 5);
    const bytes zlib_stream = zlib_compress(input, 6, 15);
    const bytes gzip_stream = zlib_compress(input, 6, 31);
    auto error_of = [](compression_format f, const bytes& s) {
        const auto whole = inflate_all(f, s, feeding::whole).result.error();
        const auto bytewise = inflate_all(f, s, feeding::byte_by_byte).result.error();
        CHECK(whole == bytewise);
        return whole;
    };
    auto with = [](bytes s, std::size_t at, std::uint8_t value) {
        s.at(at) = value;
        return s;
    };

    SECTION("zlib and gzip headers") {
        CHECK(error_of(compression_format::zlib, with(zlib_stream, 0, 0x77)) ==
              errc::inflate_bad_header); // CM 7
        CHECK(error_of(compression_format::zlib, {0x88, 0x1c}) ==
              errc::inflate_bad_header); // CINFO 8 (a 64 KiB window)
        CHECK(error_of(compression_format::zlib, with(zlib_stream, 1, zlib_stream[1] ^ 1)) ==
              errc::inflate_bad_header); // FCHECK
        CHECK(error_of(compression_format::zlib, {0x78, 0xbb, 0, 0, 0, 1}) ==
              errc::inflate_bad_header); // FDICT: a preset dictionary
        CHECK(error_of(compression_format::gzip, with(gzip_stream, 1, 0x8c)) ==
              errc::inflate_bad_header); // ID2
        CHECK(error_of(compression_format::gzip, with(gzip_stream, 2, 7)) ==
              errc::inflate_bad_header); // CM
        CHECK(error_of(compression_format::gzip, with(gzip_stream, 3, 0x20)) ==
              errc::inflate_bad_header); // a reserved FLG bit
        bytes hcrc = {0x1f, 0x8b, 8, 2, 0, 0, 0, 0, 0, 3, 0x00, 0x00};
        CHECK(error_of(compression_format::gzip, hcrc) == errc::inflate_bad_checksum); // FHCRC
    }
    SECTION("block types and stored lengths") {
        CHECK(raw_error({0x07}) == errc::inflate_bad_block_type); // BFINAL, BTYPE 11
        CHECK(raw_error({0x01, 5, 0, 5, 0}) == errc::inflate_bad_stored_length);
        CHECK(raw_error({0x01, 5, 0, 0xfa, 0xfe}) == errc::inflate_bad_stored_length);
    }
    SECTION("Huffman code lengths") {
        std::vector<std::uint8_t> cl(19, 0);
        cl[0] = cl[1] = cl[2] = 2;
        cl[8] = 2;
        cl[18] = 2; // five codes of 2 bits: over-subscribed
        bit_writer over;
        put_dynamic_header(over, true, 257, 1, 19, cl, {});
        CHECK(raw_error(over.finish()) == errc::inflate_bad_code_lengths);
        cl[18] = 0;
        cl[8] = 3; // 3/4 + 1/8: incomplete
        bit_writer incomplete;
        put_dynamic_header(incomplete, true, 257, 1, 19, cl, {});
        CHECK(raw_error(incomplete.finish()) == errc::inflate_bad_code_lengths);

        // a valid code-length code for the rest: 0, 1, 8, 16, 17, 18 in... 3 bits each (6/8),
        // plus 2, 3 in 3 bits: complete
        std::vector<std::uint8_t> good(19, 0);
        for (unsigned s : {0u, 1u, 2u, 3u, 8u, 16u, 17u, 18u}) {
            good[s] = 3;
        }
        bit_writer hlit;
        put_dynamic_header(hlit, true, 287, 1, 19, good, {}); // HLIT 30: 287 codes
        CHECK(raw_error(hlit.finish()) == errc::inflate_bad_code_lengths);
        bit_writer hdist;
        put_dynamic_header(hdist, true, 257, 31, 19, good, {}); // HDIST 30: 31 codes
        CHECK(raw_error(hdist.finish()) == errc::inflate_bad_code_lengths);
        bit_writer repeat_first;
        put_dynamic_header(repeat_first, true, 257, 1, 19, good, {{16, 0}});
        CHECK(raw_error(repeat_first.finish()) == errc::inflate_bad_code_lengths);
        bit_writer past_end; // 257 + 1 lengths; 18 x 138 twice = 276 runs past them
        put_dynamic_header(past_end, true, 257, 1, 19, good, {{18, 127}, {18, 127}});
        CHECK(raw_error(past_end.finish()) == errc::inflate_bad_code_lengths);
        // no end-of-block code: 'a' and 'b' in 1 bit, 256 unused
        std::vector<std::uint8_t> lengths(258, 0);
        lengths['a'] = lengths['b'] = 1;
        bit_writer no_end;
        put_dynamic_header(no_end, true, 257, 1, 19, good, run_length(lengths));
        CHECK(raw_error(no_end.finish()) == errc::inflate_bad_code_lengths);
        // literal/length code over-subscribed: three codes of 1 bit
        lengths[256] = 1;
        bit_writer lit_over;
        put_dynamic_header(lit_over, true, 257, 1, 19, good, run_length(lengths));
        CHECK(raw_error(lit_over.finish()) == errc::inflate_bad_code_lengths);
        // literal/length code incomplete: 'a' 1 bit, 256 2 bits
        lengths['b'] = 0;
        lengths[256] = 2;
        bit_writer lit_incomplete;
        put_dynamic_header(lit_incomplete, true, 257, 1, 19, good, run_length(lengths));
        CHECK(raw_error(lit_incomplete.finish()) == errc::inflate_bad_code_lengths);
        // distance code incomplete with two codes: 1 and 2 bits
        std::vector<std::uint8_t> d2(257 + 2, 0);
        d2['a'] = 1;
        d2[256] = 1;
        d2[257] = 1;
        d2[258] = 2;
        bit_writer dist_incomplete;
        put_dynamic_header(dist_incomplete, true, 257, 2, 19, good, run_length(d2));
        CHECK(raw_error(dist_incomplete.finish()) == errc::inflate_bad_code_lengths);
    }
    SECTION("symbols that stand for nothing, and distances too far back") {
        bit_writer lit286; // fixed code 286
        lit286.put(1, 1);
        lit286.put(1, 2);
        put_fixed_symbol(lit286, 286);
        CHECK(raw_error(lit286.finish()) == errc::inflate_bad_symbol);
        bit_writer dist30; // 'a', then length 3 with distance code 30
        dist30.put(1, 1);
        dist30.put(1, 2);
        put_fixed_symbol(dist30, 'a');
        put_fixed_symbol(dist30, 257);
        dist30.put_code(30, 5);
        CHECK(raw_error(dist30.finish()) == errc::inflate_bad_symbol);
        bit_writer unused; // a single 1-bit distance code, and the other bit pattern used
        {
            std::vector<std::uint8_t> all(257 + 1, 0);
            all['x'] = 1;
            all[256] = 2;
            all[257] = 2; // length 3 (symbol 257)
            all[257 + 0] = 2;
            std::vector<std::uint8_t> lit(all.begin(), all.begin() + 258);
            lit.push_back(1); // distance code 0 in 1 bit
            std::vector<std::uint8_t> cl(19, 0);
            cl[0] = 1;
            cl[1] = 3;
            cl[2] = 3;
            cl[18] = 2;
            put_dynamic_header(unused, true, 258, 1, 19, cl, run_length(lit));
            const auto codes = canonical_codes(std::vector<std::uint8_t>(lit.begin(), lit.end() - 1));
            unused.put_code(codes['x'], 1);
            unused.put_code(codes[257], 2);
            unused.put_code(1, 1); // the distance code's unused pattern
        }
        CHECK(raw_error(unused.finish()) == errc::inflate_bad_symbol);
        bit_writer far; // distance 1 with nothing before it
        far.put(1, 1);
        far.put(1, 2);
        put_fixed_match(far, 3, 1);
        CHECK(raw_error(far.finish()) == errc::inflate_distance_too_far);
        bit_writer far2; // 3 bytes, then distance 4
        far2.put(1, 1);
        far2.put(1, 2);
        for (unsigned c : {'a', 'b', 'c'}) {
            put_fixed_symbol(far2, c);
        }
        put_fixed_match(far2, 3, 4);
        CHECK(raw_error(far2.finish()) == errc::inflate_distance_too_far);
        // a gzip member's back-references cannot reach into the member before it
        bytes two = zlib_compress(as_vec("abc"), 6, 31);
        bit_writer second;
        second.put(1, 1);
        second.put(1, 2);
        put_fixed_match(second, 3, 3);
        put_fixed_symbol(second, 256);
        bytes member = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
        const bytes body = second.finish();
        member.insert(member.end(), body.begin(), body.end());
        two.insert(two.end(), member.begin(), member.end());
        CHECK(error_of(compression_format::gzip, two) == errc::inflate_distance_too_far);
    }
    SECTION("checksums") {
        bytes z = zlib_stream;
        z.back() ^= 1; // Adler-32
        CHECK(error_of(compression_format::zlib, z) == errc::inflate_bad_checksum);
        CHECK(error_of(compression_format::zlib_or_raw, z) == errc::inflate_bad_checksum);
        bytes g = gzip_stream;
        g[g.size() - 8] ^= 0x80; // CRC-32
        CHECK(error_of(compression_format::gzip, g) == errc::inflate_bad_checksum);
        g = gzip_stream;
        g[g.size() - 4] ^= 1; // ISIZE
        CHECK(error_of(compression_format::gzip, g) == errc::inflate_bad_checksum);
    }
    SECTION("trailing data, concatenated gzip members, sticky errors") {
        bytes z = zlib_stream;
        z.push_back(0);
        CHECK(error_of(compression_format::zlib, z) == errc::inflate_trailing_data);
        bytes r = zlib_compress(input, 6, -15);
        r.push_back('x');
        CHECK(error_of(compression_format::raw, r) == errc::inflate_trailing_data);
        bytes g = gzip_stream;
        g.push_back('\n');
        CHECK(error_of(compression_format::gzip, g) == errc::inflate_trailing_data);
        // two members decode as one output (RFC 1952 §2.2), as gzip -d does
        bytes two = gzip_stream;
        const bytes more = zlib_compress(as_vec("and more"), 9, 31);
        two.insert(two.end(), more.begin(), more.end());
        const auto d = inflate_all(compression_format::gzip, two, feeding::byte_by_byte);
        REQUIRE(d.result.ok());
        bytes expected = input;
        expected.insert(expected.end(), {'a', 'n', 'd', ' ', 'm', 'o', 'r', 'e'});
        CHECK(d.out == expected);
        // a second member cut short
        two.pop_back();
        CHECK(error_of(compression_format::gzip, two) == errc::inflate_truncated);
        // after an error the decoder stays failed
        http::inflater inf(compression_format::raw);
        CHECK(inf.feed(bytes{0x07}, {}).error() == errc::inflate_bad_block_type);
        CHECK(inf.feed(bytes{0x03, 0x00}, {}).error() == errc::inflate_bad_block_type);
        CHECK(inf.finish().error() == errc::inflate_bad_block_type);
        CHECK(!inf.done());
        // the sink's error stops decoding and is returned
        http::inflater stopped(compression_format::zlib);
        CHECK(stopped.feed(zlib_stream, [](bytes_view) -> status { return errc::http_aborted; })
                  .error() == errc::http_aborted);
        // nothing at all is a truncated stream
        CHECK(inflate_all(compression_format::gzip, {}, feeding::whole).result.error() ==
              errc::inflate_truncated);
    }
}

TEST_CASE("inflate: bombs stop at the output cap and at the ratio cap", "[http][inflate]") {
    const bytes zeros(8 << 20, 0); // 8 MiB of zeros: about 1000:1
    const bytes bomb = zlib_compress(zeros, 9, 31);
    CHECK(bomb.size() < 10000);
    for (auto how : {feeding::whole, feeding::random_pieces}) {
        http::inflate_limits size_cap;
        size_cap.max_output_bytes = 1 << 20;
        auto d = inflate_all(compression_format::gzip, bomb, how, size_cap);
        CHECK(d.result.error() == errc::inflate_too_large);
        CHECK(d.out.size() <= size_cap.max_output_bytes);
        CHECK(d.out.size() > size_cap.max_output_bytes - 64 * 1024);

        http::inflate_limits ratio_cap;
        ratio_cap.max_ratio = 100;
        d = inflate_all(compression_format::gzip, bomb, how, ratio_cap);
        CHECK(d.result.error() == errc::inflate_ratio_exceeded);
        CHECK(d.out.size() <= 2 * ratio_cap.ratio_grace_bytes);
    }
    // The same caps let ordinary data through: text at about 4:1, and a bomb under the grace.
    const bytes text = compressible_text(3 << 20, 9);
    http::inflate_limits caps;
    caps.max_output_bytes = text.size();
    caps.max_ratio = 100;
    auto d = inflate_all(compression_format::gzip, zlib_compress(text, 6, 31), feeding::whole, caps);
    CHECK(d.result.ok());
    CHECK(d.out == text);
    const bytes small_bomb = zlib_compress(bytes(500000, 0), 9, 31);
    d = inflate_all(compression_format::gzip, small_bomb, feeding::whole, caps);
    CHECK(d.result.ok());
    CHECK(d.out.size() == 500000);
    caps.max_output_bytes = 499999;
    d = inflate_all(compression_format::gzip, small_bomb, feeding::whole, caps);
    CHECK(d.result.error() == errc::inflate_too_large);
}

TEST_CASE("inflate: CRC-32 and Adler-32 match zlib's at every length and split",
          "[http][inflate]") {
    const bytes data = random_bytes(1000, 4);
    std::size_t cases = 0;
    for (std::size_t n = 0; n <= data.size(); n += (n < 40 ? 1 : 37)) {
        const bytes_view all(data.data(), n);
        const auto crc = static_cast<std::uint32_t>(crc32(0, data.data(), static_cast<uInt>(n)));
        const auto adler =
            static_cast<std::uint32_t>(adler32(1, data.data(), static_cast<uInt>(n)));
        CHECK(http::detail::crc32_update(0, all) == crc);
        CHECK(http::detail::adler32_update(1, all) == adler);
        const std::size_t split = n / 3;
        CHECK(http::detail::crc32_update(http::detail::crc32_update(0, all.first(split)),
                                         all.subspan(split)) == crc);
        CHECK(http::detail::adler32_update(http::detail::adler32_update(1, all.first(split)),
                                           all.subspan(split)) == adler);
        ++cases;
    }
    CHECK(cases == 40 + 26); // 0..39, then 40, 77, ..., 965
    // Adler-32's deferred reduction at its worst: long runs of 0xff
    const bytes ff(200000, 0xff);
    CHECK(http::detail::adler32_update(1, ff) ==
          static_cast<std::uint32_t>(adler32(1, ff.data(), static_cast<uInt>(ff.size()))));
    CHECK(http::detail::crc32_update(0, as_bytes("123456789")) == 0xCBF43926u); // the check value
}
