// Self-test of the constant-time checker on the leak RSA signing must not have: an exponentiation
// whose squarings and multiplications follow the bits of a secret exponent. montgomery::exp_public
// is that algorithm (right for RSA's public e, wrong for d): given a secret exponent, it skips its
// leading zeros and multiplies only for its one bits. The checker MUST report this program, as
// it must not report ct_rsa_sign, which runs the fixed-window exponentiation on such input.
#include "ct_harness.hpp"

#include <https/crypto/bigint.hpp>

#include <array>
#include <cstdint>

using namespace https::crypto;

int main() {
    using integer = bigint<detail::native_limb>;
    std::array<std::uint8_t, 128> modulus{};
    ct_check::fill(modulus, 3);
    modulus[0] |= 0x80;
    modulus.back() |= 1;
    const integer m = *integer::from_bytes_be(modulus);
    auto ctx = montgomery<detail::native_limb>::create(m);
    ct_check::expect(ctx.ok(), "montgomery context");
    std::array<std::uint8_t, 128> base_bytes{};
    ct_check::fill(base_bytes, 4);
    base_bytes[0] &= 0x3f;
    const integer base = *integer::from_bytes_be(base_bytes, m.size());
    std::array<std::uint8_t, 128> exponent{}; // a CRT exponent's worth of secret bits
    ct_check::fill(exponent, 5);
    ct_check::secret(exponent);
    integer r;
    ctx->exp_public(r, base, exponent); // leak: square-and-multiply on secret bits
    std::array<std::uint8_t, 128> out{};
    const bool fits = r.to_bytes_be(out);
    ct_check::reveal(out);
    ct_check::expect(fits, "result fits");
    return 0;
}
