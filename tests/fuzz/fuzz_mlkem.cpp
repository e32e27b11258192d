// Fuzz ML-KEM-768 on the inputs a peer or a key file controls: the ciphertext given to
// decapsulation, the decapsulation key itself, and the encapsulation key given to encapsulation.
// The first byte picks the target. Nothing may crash or read out of bounds, and each verdict must
// be the one FIPS 203 §7.2/§7.3 prescribe: lengths, the modulus check and the hash check only
// (a well-formed ciphertext is never refused: implicit rejection returns a key).
#include <https/crypto/mlkem.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace https;
namespace kem = https::crypto::mlkem768;

namespace {

const kem::key_pair& fixed_key_pair() {
    static const kem::key_pair kp = [] {
        std::array<std::uint8_t, kem::seed_size> seed{};
        seed[0] = 0x2a;
        seed[63] = 0x11;
        return *kem::from_seed(seed);
    }();
    return kp;
}

const kem::encapsulation& fixed_encapsulation() {
    static const kem::encapsulation e = [] {
        std::array<std::uint8_t, 32> m{};
        m[5] = 7;
        return *kem::test_hooks::encapsulate(fixed_key_pair().encapsulation_key, m);
    }();
    return e;
}

/// Arbitrary ciphertext under our key: accepted exactly when it has the right length.
void decapsulate_ciphertext(bytes_view c) {
    const auto ss = kem::decapsulate(fixed_key_pair().decapsulation_key.bytes, c);
    if (ss.ok() != (c.size() == kem::ciphertext_size) ||
        (!ss.ok() && ss.error() != errc::bad_ciphertext_size)) {
        std::abort();
    }
}

/// Arbitrary decapsulation key with a fixed ciphertext: refused only by the §7.3 checks.
void decapsulate_key(bytes_view dk) {
    const auto ss = kem::decapsulate(dk, fixed_encapsulation().ciphertext);
    if (dk.size() != kem::decapsulation_key_size) {
        if (ss.ok() || ss.error() != errc::bad_key_size) {
            std::abort();
        }
        return;
    }
    if (!ss.ok() && ss.error() != errc::bad_private_key) {
        std::abort();
    }
}

/// Arbitrary encapsulation key: refused only for its length or the modulus check; when
/// accepted, the result is deterministic in m.
void encapsulate_key(bytes_view ek) {
    const std::array<std::uint8_t, 32> m{1, 2, 3};
    const auto a = kem::test_hooks::encapsulate(ek, m);
    if (!a.ok()) {
        if (a.error() != errc::bad_key_size && a.error() != errc::bad_public_key) {
            std::abort();
        }
        if ((a.error() == errc::bad_key_size) != (ek.size() != kem::encapsulation_key_size)) {
            std::abort();
        }
        return;
    }
    const auto b = kem::test_hooks::encapsulate(ek, m);
    if (!b.ok() || a->ciphertext != b->ciphertext ||
        a->shared_secret.bytes != b->shared_secret.bytes) {
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const bytes_view in(data + 1, size - 1);
    switch (data[0] % 3) {
    case 0:
        decapsulate_ciphertext(in);
        break;
    case 1:
        decapsulate_key(in);
        break;
    default:
        encapsulate_key(in);
        break;
    }
    return 0;
}
