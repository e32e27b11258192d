// Constant-time check of X25519: the private scalar (and, in a second run, the peer's u) poisoned
// through the ladder, the inversion, the encoding and the zero check; key generation with a
// random source whose output is poisoned as it is produced.
#include "ct_harness.hpp"

#include <https/crypto/x25519.hpp>

#include <array>
#include <cstring>

using namespace https;
using key32 = std::array<std::uint8_t, 32>;

namespace {

// RFC 7748 §6.1.
constexpr key32 alice_private = {0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d, 0x3c, 0x16, 0xc1,
                                 0x72, 0x51, 0xb2, 0x66, 0x45, 0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0,
                                 0x99, 0x2a, 0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9, 0x2c, 0x2a};
constexpr key32 alice_public = {0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54, 0x74, 0x8b, 0x7d,
                                0xdc, 0xb4, 0x3e, 0xf7, 0x5a, 0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38,
                                0x1a, 0xf4, 0xeb, 0xa4, 0xa9, 0x8e, 0xaa, 0x9b, 0x4e, 0x6a};
constexpr key32 bob_public = {0xde, 0x9e, 0xdb, 0x7d, 0x7b, 0x7d, 0xc1, 0xb4, 0xd3, 0x5b, 0x61,
                              0xc2, 0xec, 0xe4, 0x35, 0x37, 0x3f, 0x83, 0x43, 0xc8, 0x5b, 0x78,
                              0x67, 0x4d, 0xad, 0xfc, 0x7e, 0x14, 0x6f, 0x88, 0x2b, 0x4f};
constexpr key32 shared = {0x4a, 0x5d, 0x9d, 0x5b, 0xa4, 0xce, 0x2d, 0xe1, 0x72, 0x8e, 0x3b,
                          0xf4, 0x80, 0x35, 0x0f, 0x25, 0xe0, 0x7e, 0x21, 0xc9, 0x47, 0xd1,
                          0x9e, 0x33, 0x76, 0xf0, 0x9b, 0x3c, 0x1e, 0x16, 0x17, 0x42};

/// Hands out Alice's private key and marks it secret as it leaves the "RNG".
class poisoning_random final : public crypto::random_source {
  public:
    status fill(mutable_bytes out) noexcept override {
        for (std::size_t i = 0; i < out.size(); ++i) {
            out[i] = alice_private[i % 32];
        }
        ct::poison(out.data(), out.size());
        return {};
    }
};

} // namespace

int main() {
    // 1. Shared secret with a secret scalar and a public peer key.
    {
        key32 k = alice_private;
        key32 out{};
        ct_check::secret(k);
        const bool ok = crypto::x25519(k, bob_public, out).ok(); // verdict declassified inside
        ct_check::reveal(out);
        ct_check::expect(ok && out == shared, "X25519(alice, bob) = RFC 7748 §6.1 secret");
    }
    // 2. Both scalar and u secret (the ladder must not branch on u either).
    {
        key32 k = alice_private;
        key32 u = bob_public;
        key32 out{};
        ct_check::secret(k);
        ct_check::secret(u);
        const bool ok = crypto::x25519(k, u, out).ok();
        ct_check::reveal(out);
        ct_check::expect(ok && out == shared, "X25519 with secret u");
    }
    // 3. A small-order u: the all-zero check runs on secret data, only its verdict is public.
    {
        key32 k = alice_private;
        key32 u{1};
        key32 out{};
        ct_check::secret(k);
        const status st = crypto::x25519(k, u, out);
        ct_check::reveal(out);
        ct_check::expect(st.error() == errc::zero_shared_secret, "small-order u rejected");
    }
    // 4. Key generation: the private key is secret from the moment the RNG writes it.
    {
        poisoning_random rng;
        auto kp = crypto::x25519_key_pair::generate(rng);
        ct_check::expect(kp.ok(), "generate");
        ct_check::reveal(kp->public_key);
        ct_check::expect(kp->public_key == alice_public, "generated public key");
        key32 out{};
        const bool ok = kp->shared_secret(bob_public, out).ok();
        ct_check::reveal(out);
        ct_check::expect(ok && out == shared, "key pair shared secret");
    }
    return 0;
}
