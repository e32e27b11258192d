// Shared helpers for the valgrind constant-time checks (built with HTTPS_CT_VALGRIND).
// Pattern: fill inputs, ct::poison the secret ones, run the operation, ct::unpoison the outputs
// that are meant to become public, then check them. Memcheck reports any branch or memory index
// that depended on poisoned bytes, and ct-check.sh turns that report into a failure.
#pragma once

#include <https/core/ct.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <span>

namespace ct_check {

/// Deterministic filler (the inputs need not be random, only not all equal).
inline void fill(std::span<std::uint8_t> out, std::uint32_t seed) {
    std::uint32_t x = seed * 2654435761u + 1;
    for (auto& b : out) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b = static_cast<std::uint8_t>(x);
    }
}

template <class T> void secret(T& object) { https::ct::poison(&object, sizeof(object)); }
template <class T> void reveal(T& object) { https::ct::unpoison(&object, sizeof(object)); }

/// Wrong answers are failures too (exit 2, distinct from memcheck's 99).
inline void expect(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "ct check: wrong result: %s\n", what);
        std::exit(2);
    }
}

} // namespace ct_check
