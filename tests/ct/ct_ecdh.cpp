// Constant-time check of P-256/P-384 ECDH: key generation (fixed-base multiplication) and the
// shared secret (variable-base multiplication, inversion) with the private scalar poisoned.
#include "ct_harness.hpp"

#include <https/crypto/ecdh.hpp>

#include <array>
#include <cstring>

using namespace https;
using namespace https::crypto;

namespace {

/// Deterministic "randomness" for key generation; the bytes it hands out are poisoned, so the
/// private scalar is secret from the moment it exists.
class poisoned_random final : public random_source {
  public:
    explicit poisoned_random(std::uint32_t seed) : seed_(seed) {}
    status fill(mutable_bytes out) noexcept override {
        ct_check::fill(out, seed_++);
        ct::poison(out.data(), out.size());
        return {};
    }

  private:
    std::uint32_t seed_;
};

template <class Curve> void check_curve(std::uint32_t seed, const char* name) {
    // Key generation: the candidate scalar is secret; only its range verdict and the public key
    // are declassified (inside the library).
    poisoned_random rng(seed);
    auto alice = ecdh_key_pair<Curve>::generate(rng);
    auto bob = ecdh_key_pair<Curve>::generate(rng);
    ct_check::expect(alice.ok() && bob.ok(), name);

    // from_private with a poisoned scalar, including edge values whose recoding carries into
    // every window (all ones below n) and a small scalar (most windows zero).
    std::array<std::uint8_t, Curve::field_size> d{};
    ct_check::fill(d, seed + 100);
    d[0] = 0x7f;
    ct_check::secret(d);
    auto carol = ecdh_key_pair<Curve>::from_private(d);
    ct_check::expect(carol.ok(), "from_private");
    std::array<std::uint8_t, Curve::field_size> small{};
    small.back() = 3;
    ct_check::secret(small);
    auto dave = ecdh_key_pair<Curve>::from_private(small);
    ct_check::expect(dave.ok(), "from_private small");

    // Shared secrets both ways: the private scalars are secret, the peer points public.
    std::array<std::uint8_t, Curve::field_size> s1{}, s2{}, s3{}, s4{};
    ct_check::expect(alice->shared_secret(bob->public_key(), s1).ok(), "shared 1");
    ct_check::expect(bob->shared_secret(alice->public_key(), s2).ok(), "shared 2");
    ct_check::expect(carol->shared_secret(dave->public_key(), s3).ok(), "shared 3");
    ct_check::expect(dave->shared_secret(carol->public_key(), s4).ok(), "shared 4");
    ct_check::reveal(s1);
    ct_check::reveal(s2);
    ct_check::reveal(s3);
    ct_check::reveal(s4);
    ct_check::expect(std::memcmp(s1.data(), s2.data(), s1.size()) == 0, name);
    ct_check::expect(std::memcmp(s3.data(), s4.data(), s3.size()) == 0, name);
}

} // namespace

int main() {
    check_curve<p256>(1, "P-256 shared secrets agree");
    check_curve<p384>(2, "P-384 shared secrets agree");
    return 0;
}
