// Fuzz the strict DER reader: walk arbitrary input as a tree, reading every element with the
// typed readers; nothing may crash, read out of bounds, or recurse without limit.
#include <https/core/der.hpp>

#include <cstddef>
#include <cstdint>

namespace {
void walk(https::der::parser p) {
    while (!p.empty()) {
        auto tag = *p.peek_tag();
        if ((tag & 0x20) != 0) {
            auto inner = p.read_constructed(tag);
            if (!inner) {
                return;
            }
            walk(*inner);
            continue;
        }
        bool ok = true;
        switch (tag) {
        case https::der::tag::integer: ok = p.read_unsigned_integer().ok() || p.read_integer().ok(); break;
        case https::der::tag::boolean: ok = p.read_boolean().ok(); break;
        case https::der::tag::bit_string: ok = p.read_bit_string().ok(); break;
        case https::der::tag::oid: ok = p.read_oid().ok(); break;
        case https::der::tag::null: ok = p.read_null().ok(); break;
        default: ok = p.read_any().ok(); break;
        }
        if (!ok && !p.read_any().ok()) {
            return;
        }
    }
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    walk(https::der::parser({data, size}));
    return 0;
}
