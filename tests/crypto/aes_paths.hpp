// Test helpers for AES/GCM: run a check once per implementation path (portable and hardware).
#pragma once

#include <https/core/cpu.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace test {

/// How GCM's one-pass AES-NI + PCLMULQDQ loop runs: on 256-bit vectors (VAES, VPCLMULQDQ), or on
/// 128-bit ones in AVX (VEX) or SSE4.1 encoding.
enum class gcm_loop { wide, avx, sse };

/// Switch hardware features off for a scope (never on: a feature the CPU lacks stays off).
class cpu_override {
  public:
    cpu_override(bool aesni, bool pclmul, gcm_loop loop = gcm_loop::wide)
        : saved_(https::detail::cpu_features::current()) {
        auto& f = https::detail::cpu_features::current();
        f.aesni = saved_.aesni && aesni;
        f.pclmul = saved_.pclmul && pclmul;
        f.avx = saved_.avx && loop != gcm_loop::sse;
        f.vaes = saved_.vaes && loop == gcm_loop::wide;
        f.vpclmulqdq = saved_.vpclmulqdq && loop == gcm_loop::wide;
    }
    cpu_override(const cpu_override&) = delete;
    cpu_override& operator=(const cpu_override&) = delete;
    ~cpu_override() { https::detail::cpu_features::current() = saved_; }

  private:
    https::detail::cpu_features saved_;
};

/// One AES/GHASH implementation combination (`loop` matters only with both hardware features).
struct impl_path {
    bool aesni;
    bool pclmul;
    gcm_loop loop = gcm_loop::wide;
    std::string name() const {
        std::string s =
            std::string(aesni ? "aesni" : "aes_ct64") + "+" + (pclmul ? "pclmul" : "ghash_ct");
        if (aesni && pclmul) {
            s += loop == gcm_loop::wide ? "+wide" : loop == gcm_loop::avx ? "+avx" : "+sse";
        }
        return s;
    }
};

/// A scope running one implementation path.
class use_path : public cpu_override {
  public:
    explicit use_path(const impl_path& p) : cpu_override(p.aesni, p.pclmul, p.loop) {}
};

/// The combinations this CPU can run: always portable/portable; the hardware ones when the
/// features exist (a warning says when they are missing, so the gap is visible in the log).
/// With AES-NI and PCLMULQDQ, each available encoding of GCM's one-pass loop is a path.
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
            if (!(a && p)) {
                out.push_back({a, p});
                continue;
            }
            if (f.vaes && f.vpclmulqdq && f.avx2) {
                out.push_back({a, p, gcm_loop::wide});
            } else {
                WARN("VAES/VPCLMULQDQ not available: the 256-bit GCM loop is not tested");
            }
            if (f.avx) {
                out.push_back({a, p, gcm_loop::avx});
            } else {
                WARN("AVX not available: the VEX-encoded GCM loop is not tested");
            }
            out.push_back({a, p, gcm_loop::sse});
        }
    }
    return out;
}

/// The AES-only paths: portable AES, and AES-NI (the block cipher has no other variants).
inline std::vector<impl_path> aes_paths() {
    std::vector<impl_path> out;
    bool have_ni = false;
    for (const auto& p : impl_paths()) {
        if (!p.aesni && !p.pclmul) {
            out.push_back(p);
        } else if (p.aesni && p.pclmul && !have_ni) {
            out.push_back(p);
            have_ni = true;
        }
    }
    return out;
}

} // namespace test
