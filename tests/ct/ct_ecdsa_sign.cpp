// Constant-time check of P-256/P-384 ECDSA signing: the private scalar (key import and key
// generation) and the hedged-nonce randomness are poisoned; the RFC 6979 generator, k G, the
// inversion of k mod n and s = k^-1 (e + r d) must not branch or index on them. The library
// declassifies only the range verdicts, whether r or s is zero (retry), and the signature.
#include "ct_harness.hpp"

#include <https/crypto/ecdsa.hpp>
#include <https/crypto/ecdsa_private_key.hpp>

#include <array>

using namespace https;
using namespace https::crypto;

namespace {

/// Deterministic "randomness" handed out poisoned: generated keys and the k' of hedged
/// signatures are secret from the moment they exist.
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

template <class Curve, hash_function Hash> void check_curve(std::uint32_t seed, const char* name) {
    poisoned_random rng(seed);
    // An imported scalar, poisoned before the key sees it (the top byte keeps it below n).
    std::array<std::uint8_t, Curve::field_size> d{};
    ct_check::fill(d, seed + 100);
    d[0] = 0x7f;
    ct_check::secret(d);
    auto imported = ecdsa_private_key<Curve>::from_bytes(d);
    ct_check::expect(imported.ok(), name);
    // A generated one (its candidate bytes come poisoned from rng).
    auto generated = ecdsa_private_key<Curve>::generate(rng);
    ct_check::expect(generated.ok(), name);

    std::array<std::uint8_t, 100> msg{};
    ct_check::fill(msg, seed + 200); // the message is public
    for (const auto* key : {&*imported, &*generated}) {
        for (const ecdsa_nonce mode : {ecdsa_nonce::hedged, ecdsa_nonce::deterministic}) {
            auto sig = key->template sign<Hash>(msg, mode, rng);
            ct_check::expect(sig.ok(), name);
            // r and s are public: the library unpoisons them itself; done here too so that the
            // check below reads defined bytes whatever the library does
            auto raw = sig->raw();
            ct::unpoison(raw.data(), raw.size());
            ct_check::expect(ecdsa_verify<Hash>(key->public_key(), msg, sig->der()).ok(), name);
        }
    }
}

} // namespace

int main() {
    // valgrind cannot run SHA-NI: check the portable SHA-256 path (as ct_hmac does)
    https::detail::cpu_features::current().sha_ni = false;
    check_curve<p256, sha256>(1, "P-256 signatures verify");
    check_curve<p384, sha384>(2, "P-384 signatures verify");
    check_curve<p256, sha512>(3, "P-256 SHA-512 signatures verify");
    return 0;
}
