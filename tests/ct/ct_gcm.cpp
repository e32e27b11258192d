// Constant-time check of AES-GCM (gcm.hpp): GHASH (portable, then PCLMULQDQ), counter mode, and
// the tag comparison in open, with key, plaintext and tags poisoned. Run on the portable paths
// (AES-NI and PCLMULQDQ forced off) and then on the hardware ones when the CPU has them.
// Valgrind 3.19 does not implement VAES and hides it in the CPUID it presents, so the 256-bit
// one-pass loop is not exercised here (its control flow is that of the 128-bit loop, which is).
#include "ct_harness.hpp"

#include <https/core/cpu.hpp>
#include <https/crypto/gcm.hpp>

#include <array>

using namespace https;
using namespace https::crypto;

namespace {

template <class Aead> void check_aead(std::uint32_t seed) {
    std::array<std::uint8_t, Aead::key_size> key{};
    std::array<std::uint8_t, 12> nonce{};
    std::array<std::uint8_t, 13> aad{};
    std::array<std::uint8_t, 16 * 26 + 5> pt{}; // two 12-block batches, full blocks and a partial
    ct_check::fill(key, seed);
    ct_check::fill(nonce, seed + 1);
    ct_check::fill(aad, seed + 2);
    ct_check::fill(pt, seed + 3);
    const auto original = pt;
    ct_check::secret(key);
    ct_check::secret(pt);
    ct_check::secret(aad);

    const Aead a(key);
    std::array<std::uint8_t, pt.size() + 16> sealed{};
    const bool sealed_ok = a.seal(nonce, aad, pt, sealed).ok();
    // The ciphertext and tag go on the wire (public); poison them again as the open side
    // receives them, so that everything open derives from them is tracked too.
    ct_check::secret(sealed);
    std::array<std::uint8_t, pt.size()> opened{};
    const bool open_ok = a.open(nonce, aad, sealed, opened).ok();
    // a wrong tag: the comparison must not exit early on the first differing byte
    sealed[sealed.size() - 1] ^= 0x80;
    std::array<std::uint8_t, pt.size()> rejected{};
    rejected.fill(0x55);
    const auto bad = a.open(nonce, aad, sealed, rejected);
    // in place
    sealed[sealed.size() - 1] ^= 0x80;
    const bool inplace_ok = a.open(nonce, aad, sealed, std::span(sealed).first(pt.size())).ok();

    ct_check::reveal(opened);
    ct_check::reveal(rejected);
    ct_check::reveal(sealed);
    ct_check::expect(sealed_ok && open_ok && inplace_ok, "seal/open succeed");
    ct_check::expect(opened == original, "GCM round trip");
    ct_check::expect(std::equal(original.begin(), original.end(), sealed.begin()),
                     "GCM in-place round trip");
    ct_check::expect(bad.error() == errc::bad_tag, "a modified tag is rejected");
    bool zeroed = true;
    for (auto b : rejected) {
        zeroed = zeroed && b == 0;
    }
    ct_check::expect(zeroed, "rejected output is zero-filled");
}

void check_all() {
    check_aead<aes128_gcm>(11);
    check_aead<aes256_gcm>(12);
}

} // namespace

int main() {
    auto& f = https::detail::cpu_features::current();
    const auto saved = f;
    f.aesni = false; // bitsliced AES and the multiplication-based GHASH
    f.pclmul = false;
    check_all();
    f.aesni = saved.aesni; // AES-NI counter mode with portable GHASH
    check_all();
    f = saved; // the one-pass AES-NI + PCLMULQDQ loop
    check_all();
    f.avx = false;
    check_all();
    f = saved;
    return 0;
}
