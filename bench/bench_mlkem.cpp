// ML-KEM-768 figures: key generations (`mlkem768_keygen`), encapsulations (`mlkem768_encaps`) and
// decapsulations (`mlkem768_decaps`) per second. libcrypto 3.0 has no ML-KEM, so the reference is
// pyca/cryptography's (OpenSSL's ML-KEM underneath), measured by bench/mlkem_reference.py; when
// that Python package has no ML-KEM the reference prints as "-" and the script says why.
#include "bench.hpp"

#include <https/crypto/mlkem.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

namespace kem = https::crypto::mlkem768;

/// A fixed key pair and a ciphertext for it (the seed need not be random to measure).
const kem::key_pair& fixed_key_pair() {
    static const kem::key_pair kp = [] {
        std::array<std::uint8_t, kem::seed_size> seed{};
        for (std::size_t i = 0; i < seed.size(); ++i) {
            seed[i] = static_cast<std::uint8_t>(i);
        }
        auto r = kem::from_seed(seed);
        if (!r.ok()) {
            std::abort();
        }
        return std::move(r).value();
    }();
    return kp;
}

double ours_keygen(double seconds) {
    return bench::ops_per_second(seconds, [] {
        auto kp = kem::generate(); // 64 bytes from the OS, then KeyGen_internal
        if (!kp.ok()) {
            std::abort();
        }
        bench::keep(kp->encapsulation_key);
    });
}

double ours_encaps(double seconds) {
    const auto& kp = fixed_key_pair();
    return bench::ops_per_second(seconds, [&] {
        auto e = kem::encapsulate(kp.encapsulation_key); // includes the §7.2 modulus check
        if (!e.ok()) {
            std::abort();
        }
        bench::keep(e->ciphertext);
    });
}

double ours_decaps(double seconds) {
    const auto& kp = fixed_key_pair();
    auto e = kem::encapsulate(kp.encapsulation_key);
    if (!e.ok()) {
        std::abort();
    }
    return bench::ops_per_second(seconds, [&] {
        auto ss = kem::decapsulate(kp.decapsulation_key.bytes, e->ciphertext); // incl. §7.3 checks
        if (!ss.ok()) {
            std::abort();
        }
        bench::keep(ss->bytes);
    });
}

/// Runs bench/mlkem_reference.py for `op`; NaN (printed as "-") when it cannot measure.
double python_reference(const char* op, double seconds) {
    const std::string cmd = std::string("python3 '") + HTTPS_BENCH_DIR + "/mlkem_reference.py' " +
                            op + " " + std::to_string(seconds);
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) {
        return std::nan("");
    }
    double rate = std::nan("");
    if (std::fscanf(p, "%lf", &rate) != 1) {
        rate = std::nan("");
    }
    if (::pclose(p) != 0) {
        rate = std::nan("");
    }
    return rate;
}

double pyca_keygen(double seconds) {
    return python_reference("keygen", seconds);
}
double pyca_encaps(double seconds) {
    return python_reference("encaps", seconds);
}
double pyca_decaps(double seconds) {
    return python_reference("decaps", seconds);
}

} // namespace

HTTPS_BENCH("mlkem768_keygen", "ops/s", ours_keygen, pyca_keygen, "pyca");
HTTPS_BENCH("mlkem768_encaps", "ops/s", ours_encaps, pyca_encaps, "pyca");
HTTPS_BENCH("mlkem768_decaps", "ops/s", ours_decaps, pyca_decaps, "pyca");
