// The implementation paths of ChaCha20 and Poly1305 that the tests run the same vectors through:
// portable (no SIMD) and AVX2, both switched by the `avx2` CPU feature.
#pragma once

#include <https/core/cpu.hpp>

#include <string>
#include <vector>

namespace test {

struct chacha20_path {
    std::string name;
    bool avx2 = false;
};

/// Portable always; AVX2 when this CPU has it (the hardware path cannot run otherwise).
inline std::vector<chacha20_path> chacha20_paths() {
    std::vector<chacha20_path> out{{"portable", false}};
    if (https::detail::cpu_features::detect().avx2) {
        out.push_back({"avx2", true});
    }
    return out;
}

/// Selects a path for its lifetime and restores the detected features afterwards.
class use_chacha20_path {
  public:
    explicit use_chacha20_path(const chacha20_path& p)
        : saved_(https::detail::cpu_features::current()) {
        https::detail::cpu_features::current().avx2 = p.avx2;
    }
    ~use_chacha20_path() { https::detail::cpu_features::current() = saved_; }
    use_chacha20_path(const use_chacha20_path&) = delete;
    use_chacha20_path& operator=(const use_chacha20_path&) = delete;

  private:
    https::detail::cpu_features saved_;
};

} // namespace test
