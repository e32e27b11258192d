// Self-test of the constant-time checker, second kind of leak: a branch on a secret bit, with
// every memory address public. The checker MUST report this program; ct_planted_secret_index.cpp
// proves the same for a secret memory index on its own.
#include "ct_harness.hpp"

#include <array>
#include <cstdio>

int main() {
    std::array<std::uint8_t, 16> key{};
    ct_check::fill(key, 7);
    ct_check::secret(key);
    // leak: whether the call happens depends on the key. A call with a side effect, so that no
    // optimiser can turn the branch into a branch-free select.
    if (key[0] & 1) {
        std::puts("the secret's low bit is set");
    }
    return 0;
}
