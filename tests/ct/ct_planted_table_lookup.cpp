// Self-test of the constant-time checker: a table lookup indexed by a secret byte and a branch on
// a secret. The checker MUST report this program; if it does not, every other ct_* check is
// worthless, and ct-check.sh fails this test.
#include "ct_harness.hpp"

#include <array>

namespace {
// A secret-indexed S-box lookup: the classic cache-timing leak of table-based AES.
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
        acc = static_cast<std::uint8_t>(acc ^ table[k]); // leak: address depends on the key
    }
    if (key[0] & 1) { // leak: branch depends on the key
        acc ^= 1;
    }
    sink = acc;
    return 0;
}
