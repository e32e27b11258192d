// The block_cipher concept: a keyed 128-bit block cipher that modes (gcm<>, CBC) are written
// against.
#pragma once

#include "../core/bytes.hpp"

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>

namespace https::crypto {

/// A 128-bit block cipher bound to a key.
///  - `encrypt_block(in, out)` / `decrypt_block(in, out)`: one 16-byte block.
///  - `encrypt_blocks(in, out)` / `decrypt_blocks(in, out)`: `in.size() == out.size()`, a
///    multiple of 16; implementations process several blocks in parallel.
/// In place is supported (`out.data() == in.data()`); any other overlap is a precondition
/// violation.
template <class C>
concept block_cipher = requires(const C c, std::span<const std::uint8_t, 16> in,
                                std::span<std::uint8_t, 16> out, bytes_view ins,
                                mutable_bytes outs) {
    { C::key_size } -> std::convertible_to<std::size_t>;
    requires C::block_size == 16;
    c.encrypt_block(in, out);
    c.decrypt_block(in, out);
    c.encrypt_blocks(ins, outs);
    c.decrypt_blocks(ins, outs);
};

} // namespace https::crypto
