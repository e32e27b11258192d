// Fuzz the HTTP response parser: arbitrary bytes, split at a point chosen by the input, then EOF.
// Invariants: the body cap holds, and every stored field (obs-fold unfolded or not) has a token
// name and a value with no CR/LF/NUL and no surrounding whitespace.
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
    for (const auto* fields : {&p.head().headers, &p.trailers()}) {
        for (const auto& [name, value] : *fields) {
            const bool padded = !value.empty() && (value.front() == ' ' || value.front() == '\t' ||
                                                   value.back() == ' ' || value.back() == '\t');
            if (!https::http::detail::is_token(name) ||
                !https::http::detail::is_field_value(value) || padded) {
                __builtin_trap(); // a field value must never carry line structure or padding
            }
        }
    }
    return 0;
}
