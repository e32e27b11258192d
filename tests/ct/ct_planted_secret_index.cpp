// Self-test of the constant-time checker, first kind of leak: a table lookup indexed by a secret
// byte (the cache-timing leak of table-based AES), and nothing else. The checker MUST report this
// program; ct_planted_secret_branch.cpp proves the same for a secret branch on its own.
#include "ct_harness.hpp"

#include <array>

namespace {
volatile std::uint8_t sink;
std::array<std::uint8_t, 256> table = [] {
    std::array<std::uint8_t, 256> t{};
    for (unsigned i = 0; i < 256; ++i) {
        t[i] = static_cast<std::uint8_t>(i * 7 + 3);
    }
    return t;
}();
} // namespace

int main() {
    std::array<std::uint8_t, 16> key{};
    ct_check::fill(key, 7);
    ct_check::secret(key);
    std::uint8_t acc = 0;
    for (auto k : key) {
        acc = static_cast<std::uint8_t>(acc ^ table[k]); // leak: the address depends on the key
    }
    ct_check::reveal(acc); // the value itself may be published: only the address leaked
    sink = acc;
    return 0;
}
