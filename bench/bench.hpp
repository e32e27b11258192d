// The benchmark registry: each bench_*.cpp registers named figures, main.cpp runs and prints them
// as `<name> ours=<v> openssl=<v> ratio=<ours/openssl> <unit>` (higher is better); a figure whose
// reference is another library names it instead of openssl (`zlib=<v>`).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace bench {

/// A measurement: given a time budget in seconds, return a rate (higher is better).
using measure_fn = std::function<double(double seconds)>;

struct figure {
    std::string name;
    std::string unit;   // "MB/s" or "ops/s"
    measure_fn ours;
    measure_fn openssl; // the reference; empty when it is not available
    const char* reference = "openssl"; // whose figure `openssl` measures (zlib for inflate)
};

inline std::vector<figure>& registry() {
    static std::vector<figure> figures;
    return figures;
}

struct registrar {
    explicit registrar(figure f) { registry().push_back(std::move(f)); }
};

/// Run `op` repeatedly for about `seconds`; return operations per second.
template <class Op> double ops_per_second(double seconds, Op&& op) {
    using clock = std::chrono::steady_clock;
    std::size_t iterations = 0;
    std::size_t batch = 1;
    const auto start = clock::now();
    double elapsed = 0;
    for (;;) {
        for (std::size_t i = 0; i < batch; ++i) {
            op();
        }
        iterations += batch;
        elapsed = std::chrono::duration<double>(clock::now() - start).count();
        if (elapsed >= seconds) {
            break;
        }
        if (elapsed < seconds / 10) {
            batch *= 2;
        }
    }
    return static_cast<double>(iterations) / elapsed;
}

/// Throughput in MB/s (10^6 bytes) of `op`, which processes `bytes_per_op` bytes per call.
template <class Op> double megabytes_per_second(double seconds, std::size_t bytes_per_op, Op&& op) {
    return ops_per_second(seconds, std::forward<Op>(op)) * static_cast<double>(bytes_per_op) / 1e6;
}

/// Keep the optimiser from discarding a result.
template <class T> inline void keep(const T& value) {
    __asm__ __volatile__("" : : "r"(&value) : "memory");
}

constexpr std::size_t buffer_size = 16 * 1024; // the 16 KiB buffers the issues name

} // namespace bench

#define HTTPS_BENCH_CONCAT2(a, b) a##b
#define HTTPS_BENCH_CONCAT(a, b) HTTPS_BENCH_CONCAT2(a, b)
/// Register a figure at static-initialisation time.
#define HTTPS_BENCH(...)                                                                           \
    static const ::bench::registrar HTTPS_BENCH_CONCAT(bench_registrar_, __LINE__){               \
        ::bench::figure{__VA_ARGS__}}
