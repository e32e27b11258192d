// Fuzz URL parsing and redirect resolution; a parsed URL must re-serialise to a parsable URL.
#include <https/http/url.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto u = https::http::parse_url(text);
    if (u) {
        auto again = https::http::parse_url(u->to_string());
        if (!again || again->to_string() != u->to_string()) {
            __builtin_trap(); // round trip must be stable
        }
        (void)https::http::resolve_redirect(*u, text.substr(size / 2));
    }
    return 0;
}
