// Constant-time check of ML-KEM-768: key generation with the seed d || z poisoned (only rho,
// which the encapsulation key publishes, is declassified inside); encapsulation with the message
// m poisoned; decapsulation with the whole decapsulation key poisoned, on a valid ciphertext and
// on an altered one, so that both the accepting and the implicit-rejection paths run secret.
#include "ct_harness.hpp"

#include <https/crypto/mlkem.hpp>

#include <array>
#include <cstdint>

using namespace https;
namespace kem = crypto::mlkem768;

namespace {

/// Hands out a fixed message m, marked secret as it leaves the "RNG" when `poison` is set.
class fixed_random final : public crypto::random_source {
  public:
    explicit fixed_random(bool poison) : poison_(poison) {}
    status fill(mutable_bytes out) noexcept override {
        ct_check::fill(out, 2);
        if (poison_) {
            ct::poison(out.data(), out.size());
        }
        return {};
    }

  private:
    bool poison_;
};

} // namespace

int main() {
    std::array<std::uint8_t, kem::seed_size> seed{};
    ct_check::fill(seed, 1);
    const auto reference = kem::from_seed(seed); // computed in the clear, for comparison
    ct_check::expect(reference.ok(), "reference key generation");

    // 1. Key generation with a secret seed.
    auto secret_seed = seed;
    ct_check::secret(secret_seed);
    auto kp = kem::from_seed(secret_seed);
    ct_check::expect(kp.ok(), "key generation");
    ct_check::reveal(kp->encapsulation_key);
    ct_check::reveal(kp->decapsulation_key.bytes);
    ct_check::expect(kp->encapsulation_key == reference->encapsulation_key &&
                         kp->decapsulation_key.bytes == reference->decapsulation_key.bytes,
                     "key pair from a poisoned seed");

    // 2. Encapsulation with a secret m (the encapsulation key is public): the same fixed m from
    //    a source that poisons it, and from one that does not, for the reference.
    fixed_random clear_rng(false);
    const auto clear = kem::encapsulate(kp->encapsulation_key, clear_rng);
    ct_check::expect(clear.ok(), "reference encapsulation");
    fixed_random secret_rng(true);
    auto enc = kem::encapsulate(kp->encapsulation_key, secret_rng);
    ct_check::expect(enc.ok(), "encapsulation");
    ct_check::reveal(enc->ciphertext);
    ct_check::reveal(enc->shared_secret.bytes);
    ct_check::expect(enc->ciphertext == clear->ciphertext &&
                         enc->shared_secret.bytes == clear->shared_secret.bytes,
                     "encapsulation with a poisoned m");

    // 3. Decapsulation of the valid ciphertext with a secret decapsulation key.
    auto dk = kp->decapsulation_key;
    ct_check::secret(dk.bytes);
    auto ss = kem::decapsulate(dk.bytes, enc->ciphertext); // the §7.3 verdict is declassified
    ct_check::expect(ss.ok(), "decapsulation");
    ct_check::reveal(ss->bytes);
    ct_check::expect(ss->bytes == clear->shared_secret.bytes, "decapsulated shared secret");

    // 4. An altered ciphertext: implicit rejection, K-bar = J(z || c'), still without a branch.
    auto altered = enc->ciphertext;
    altered[500] ^= 0x10;
    auto rejected = kem::decapsulate(dk.bytes, altered);
    ct_check::expect(rejected.ok(), "decapsulation of an altered ciphertext");
    ct_check::reveal(rejected->bytes);
    std::array<std::uint8_t, 32> k_bar{};
    crypto::shake256 j;
    j.update(std::span(reference->decapsulation_key.bytes).subspan(2368, 32)); // z, in the clear
    j.update(altered);
    j.squeeze(k_bar);
    ct_check::expect(rejected->bytes == k_bar, "implicit rejection key");
    return 0;
}
