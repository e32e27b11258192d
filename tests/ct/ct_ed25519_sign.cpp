// Constant-time check of Ed25519 signing: the seed (imported and generated) is poisoned, so the
// clamped scalar s, the prefix, the nonce r, [s]B, [r]B and S = r + k s are secret; only the
// public key A and the signature R || S may be declassified (the library does it).
#include "ct_harness.hpp"

#include <https/crypto/ed25519.hpp>
#include <https/crypto/ed25519_private_key.hpp>

#include <array>

using namespace https;
using namespace https::crypto;

namespace {

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

void check_key(const ed25519_private_key& key, std::uint32_t seed) {
    for (const std::size_t len : {std::size_t{0}, std::size_t{3}, std::size_t{200}}) {
        std::array<std::uint8_t, 200> msg{};
        ct_check::fill(msg, seed + static_cast<std::uint32_t>(len)); // public message
        const bytes_view m(msg.data(), len);
        std::array<std::uint8_t, 64> sig = key.sign(m);
        ct_check::reveal(sig); // public output (already unpoisoned by the library)
        ct_check::expect(ed25519_verify(key.public_key(), m, sig).ok(), "signature verifies");
    }
}

} // namespace

int main() {
    std::array<std::uint8_t, 32> seed{};
    ct_check::fill(seed, 1);
    ct_check::secret(seed);
    auto imported = ed25519_private_key::from_seed(seed);
    ct_check::expect(imported.ok(), "from_seed");
    check_key(*imported, 10);

    poisoned_random rng(2);
    auto generated = ed25519_private_key::generate(rng);
    ct_check::expect(generated.ok(), "generate");
    check_key(*generated, 20);
    return 0;
}
