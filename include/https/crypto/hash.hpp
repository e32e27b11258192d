// The hash_function concept that hmac<Hash>, hkdf<Hash>, the TLS PRF and signatures build on.
#pragma once

#include "../core/bytes.hpp"

#include <array>
#include <concepts>
#include <cstddef>
#include <span>

namespace https::crypto {

/// A streaming hash: `update` any number of times, then `finish` writes the digest and resets
/// the object to its initial state (so a second `finish` yields the digest of the empty input).
template <class H>
concept hash_function =
    std::default_initializable<H> && std::copyable<H> &&
    requires(H h, bytes_view in, std::span<std::uint8_t, H::digest_size> out) {
        { H::digest_size } -> std::convertible_to<std::size_t>;
        { H::block_size } -> std::convertible_to<std::size_t>;
        h.update(in);
        h.finish(out);
        h.reset();
    };

template <hash_function H> using digest = std::array<std::uint8_t, H::digest_size>;

/// One-shot hash of a single buffer.
template <hash_function H> [[nodiscard]] digest<H> hash(bytes_view data) {
    H h;
    h.update(data);
    digest<H> out;
    h.finish(out);
    return out;
}

} // namespace https::crypto
