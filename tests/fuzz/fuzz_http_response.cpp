// Fuzz the HTTP response parser: arbitrary bytes, split at a point chosen by the input, then EOF.
#include <https/http/response_parser.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) {
        return 0;
    }
    https::http::parser_limits limits;
    limits.max_body_bytes = data[0] * 64u;
    https::http::response_parser p((data[1] & 1) != 0, limits);
    const std::size_t split = size > 2 ? data[1] % (size - 1) : 0;
    https::bytes_view in(data + 2, size - 2);
    std::size_t delivered = 0;
    auto sink = [&](https::bytes_view b) -> https::status {
        delivered += b.size();
        return {};
    };
    auto first = p.feed(in.first(std::min(split, in.size())), sink);
    if (first.ok() && !p.complete()) {
        (void)p.feed(in.subspan(std::min(split, in.size())), sink);
    }
    (void)p.finish_eof();
    if (delivered > limits.max_body_bytes) {
        __builtin_trap(); // the body cap must hold
    }
    return 0;
}
