// Self-test of the fuzz check: a parser with a planted out-of-bounds read, reached by the kept
// regression input regressions/fuzz_planted_overflow/crash-planted. fuzz-run.sh MUST fail on it;
// if it does not, the sanitizer or the regression replay has silently stopped working.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size >= 4 && std::memcmp(data, "LEN:", 4) == 0) {
        std::vector<std::uint8_t> copy(data, data + size);
        // Planted bug: trusts a length byte from the input.
        const std::size_t claimed = size > 4 ? copy[4] : 0;
        volatile std::uint8_t sink = 0;
        for (std::size_t i = 0; i < claimed; ++i) {
            sink = sink ^ copy[5 + i];
        }
    }
    return 0;
}
