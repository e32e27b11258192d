// Generic conformance checks every hash_function implementation (and every CPU path) must pass.
#pragma once

#include <https/core/cpu.hpp>
#include <https/crypto/hash.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace test {

/// Runs the body with the SHA-NI path switched on or off, restoring the detected value after.
class scoped_sha_ni {
  public:
    explicit scoped_sha_ni(bool enabled) : saved_(https::detail::cpu_features::current().sha_ni) {
        https::detail::cpu_features::current().sha_ni = enabled && saved_;
    }
    scoped_sha_ni(const scoped_sha_ni&) = delete;
    scoped_sha_ni& operator=(const scoped_sha_ni&) = delete;
    ~scoped_sha_ni() { https::detail::cpu_features::current().sha_ni = saved_; }

  private:
    bool saved_;
};

/// The SHA-NI settings to run SHA-1 and SHA-256 vectors under: {true, false} on a CPU with
/// SHA-NI (the hardware path, then the forced portable path), {false} elsewhere.
inline std::vector<bool> sha_ni_paths() {
    if (https::detail::cpu_features::detect().sha_ni) {
        return {true, false};
    }
    WARN("CPU without SHA-NI: only the portable SHA-1/SHA-256 paths are tested");
    return {false};
}

/// Deterministic test message: bytes of a simple LCG (content need not be random, only varied).
inline std::vector<std::uint8_t> conformance_message(std::size_t n, std::uint32_t seed = 1) {
    std::vector<std::uint8_t> m(n);
    std::uint32_t x = seed;
    for (auto& b : m) {
        x = x * 1664525u + 1013904223u;
        b = static_cast<std::uint8_t>(x >> 24);
    }
    return m;
}

/// Split-update conformance of a hash: for every message length 0 .. 2 * block_size + 1 and every
/// split offset, update(first part) + update(second part) gives the one-shot digest; feeding one
/// byte at a time and in three uneven pieces does too; `finish` resets (a second `finish` is the
/// empty-input digest); `reset` discards pending input; a copy taken mid-stream finishes
/// independently. Returns the number of comparisons made, for the caller to assert.
template <https::crypto::hash_function H> std::size_t hash_conformance() {
    using https::crypto::digest;
    std::size_t checks = 0;
    const std::size_t max_len = 2 * H::block_size + 1;
    const auto msg = conformance_message(max_len);
    const digest<H> empty = https::crypto::hash<H>({});

    for (std::size_t len = 0; len <= max_len; ++len) {
        const std::span<const std::uint8_t> m(msg.data(), len);
        const digest<H> want = https::crypto::hash<H>(m);
        H h;
        digest<H> got{};
        for (std::size_t cut = 0; cut <= len; ++cut) {
            h.update(m.first(cut));
            h.update(m.subspan(cut));
            h.finish(got);
            REQUIRE(got == want);
            ++checks;
        }
        // one byte at a time
        for (std::size_t i = 0; i < len; ++i) {
            h.update(m.subspan(i, 1));
        }
        h.finish(got);
        REQUIRE(got == want);
        // three pieces with empty updates in between
        const std::size_t a = len / 3, b = len - len / 5;
        h.update({});
        h.update(m.first(a));
        h.update({});
        h.update(m.subspan(a, b - a));
        h.update(m.subspan(b));
        h.finish(got);
        REQUIRE(got == want);
        // finish resets: the next digest is that of the empty input
        h.finish(got);
        REQUIRE(got == empty);
        // reset discards what was fed
        h.update(msg);
        h.reset();
        h.update(m);
        h.finish(got);
        REQUIRE(got == want);
        // a copy taken mid-stream continues on its own
        h.update(m.first(len / 2));
        H copy = h;
        h.update(m.subspan(len / 2));
        copy.update(m.subspan(len / 2));
        digest<H> got2{};
        h.finish(got);
        copy.finish(got2);
        REQUIRE(got == want);
        REQUIRE(got2 == want);
        checks += 6;
    }
    return checks;
}

/// The number of comparisons hash_conformance<H> makes.
template <https::crypto::hash_function H> constexpr std::size_t hash_conformance_checks() {
    const std::size_t max_len = 2 * H::block_size + 1;
    return (max_len + 1) * (max_len + 2) / 2 + 6 * (max_len + 1);
}

} // namespace test
