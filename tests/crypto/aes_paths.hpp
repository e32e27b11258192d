// Test helpers for AES/GCM: run a check once per implementation path (portable and hardware).
#pragma once

#include <https/core/cpu.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace test {

/// Switch hardware features off for a scope (never on: a feature the CPU lacks stays off).
class cpu_override {
  public:
    cpu_override(bool aesni, bool pclmul, bool avx = true)
        : saved_(https::detail::cpu_features::current()) {
        auto& f = https::detail::cpu_features::current();
        f.aesni = saved_.aesni && aesni;
        f.pclmul = saved_.pclmul && pclmul;
        f.avx = saved_.avx && avx;
    }
    cpu_override(const cpu_override&) = delete;
    cpu_override& operator=(const cpu_override&) = delete;
    ~cpu_override() { https::detail::cpu_features::current() = saved_; }

  private:
    https::detail::cpu_features saved_;
};

/// One AES/GHASH implementation combination. With both hardware features, GCM runs its one-pass
/// loop, in VEX encoding when `avx` (the CPU permitting).
struct impl_path {
    bool aesni;
    bool pclmul;
    bool avx = true;
    std::string name() const {
        std::string s =
            std::string(aesni ? "aesni" : "aes_ct64") + "+" + (pclmul ? "pclmul" : "ghash_ct");
        return aesni && pclmul ? s + (avx ? "+avx" : "+sse") : s;
    }
};

/// A scope running one implementation path.
class use_path : public cpu_override {
  public:
    explicit use_path(const impl_path& p) : cpu_override(p.aesni, p.pclmul, p.avx) {}
};

/// The combinations this CPU can run: always portable/portable; the hardware ones when the
/// features exist (a warning says when they are missing, so the gap is visible in the log).
inline std::vector<impl_path> impl_paths() {
    const auto& f = https::detail::cpu();
    const bool ni = f.aesni && f.ssse3 && f.sse41, clmul = f.pclmul && f.ssse3 && f.sse41;
    std::vector<impl_path> out;
    for (bool a : {false, true}) {
        for (bool p : {false, true}) {
            if ((a && !ni) || (p && !clmul)) {
                WARN("hardware path " << (impl_path{a, p}.name()) << " not available on this CPU");
                continue;
            }
            out.push_back({a, p, true});
            if (a && p) {
                if (f.avx) {
                    out.push_back({a, p, false}); // the SSE4.1 encoding of the one-pass loop
                } else {
                    WARN("AVX not available: only the SSE4.1 one-pass GCM loop is tested");
                }
            }
        }
    }
    return out;
}

/// The AES-only paths (GHASH left at its hardware setting).
inline std::vector<impl_path> aes_paths() {
    std::vector<impl_path> out;
    for (const auto& p : impl_paths()) {
        if (p.pclmul == p.aesni && p.avx) {
            out.push_back(p);
        }
    }
    return out;
}

} // namespace test
