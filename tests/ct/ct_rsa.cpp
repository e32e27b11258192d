// Constant-time check of the bignum and RSA code that handles secrets: byte import/export,
// add/sub/compare, Montgomery multiply/square, the secret-exponent window exponentiation, the
// public-exponent path with a secret base, and RSAES-PKCS1-v1_5 encryption of a secret message.
#include "ct_harness.hpp"

#include <https/crypto/bigint.hpp>
#include <https/crypto/rsa.hpp>

#include <array>
#include <cstdint>
#include <vector>

using namespace https;
using namespace https::crypto;

namespace {

// A 2048-bit odd modulus (public); its value need not be an RSA modulus for the bignum checks.
std::vector<std::uint8_t> modulus_bytes(std::size_t bytes, std::uint32_t seed) {
    std::vector<std::uint8_t> n(bytes);
    ct_check::fill(n, seed);
    n[0] |= 0xc0;
    n.back() |= 1;
    return n;
}

/// A source that repeats a fixed non-zero pattern: the padding is not what is checked here.
class pattern_random final : public random_source {
  public:
    status fill(mutable_bytes out) noexcept override {
        for (auto& b : out) {
            b = static_cast<std::uint8_t>(0x41 + (counter_++ % 97));
        }
        return {};
    }

  private:
    std::uint32_t counter_ = 0;
};

template <class Limb> void check_bignum() {
    using integer = bigint<Limb>;
    const auto n_bytes = modulus_bytes(256, 7);
    const integer n = *integer::from_bytes_be(n_bytes);
    auto ctx = montgomery<Limb>::create(n);
    ct_check::expect(ctx.ok(), "montgomery context");

    std::array<std::uint8_t, 256> a_bytes{}, b_bytes{};
    ct_check::fill(a_bytes, 11);
    ct_check::fill(b_bytes, 12);
    a_bytes[0] &= 0x3f; // below n
    b_bytes[0] &= 0x3f;
    std::array<std::uint8_t, 64> exponent{};
    ct_check::fill(exponent, 13);
    ct_check::secret(a_bytes);
    ct_check::secret(b_bytes);
    ct_check::secret(exponent);

    integer a = *integer::from_bytes_be(a_bytes, n.size());
    integer b = *integer::from_bytes_be(b_bytes, n.size());
    integer sum, diff, prod, sq, e1, e2, e3;
    Limb carry = add(sum, a, b);
    Limb borrow = sub(diff, a, b);
    Limb lt = less(a, b).value();
    ctx->mul(prod, a, b);
    ctx->sqr(sq, a);
    ctx->mod_mul(prod, prod, b);
    ctx->exp_secret(e1, a, exponent);
    const std::array<std::uint8_t, 3> e65537{1, 0, 1};
    ctx->exp_public(e2, a, e65537); // secret base, public exponent
    ctx->exp_public(e3, a, std::array<std::uint8_t, 1>{2});

    std::array<std::uint8_t, 256> out1{}, out2{}, out3{};
    bool fits = e1.to_bytes_be(out1); // the verdict is declassified inside, by design
    fits = e2.to_bytes_be(out2) && fits;
    fits = sq.to_bytes_be(out3) && fits;
    ct_check::reveal(carry);
    ct_check::reveal(borrow);
    ct_check::reveal(lt);
    ct_check::reveal(out1);
    ct_check::reveal(out2);
    ct_check::reveal(out3);
    ct_check::expect(fits, "results fit in the modulus length");

    // cross-check the secret-exponent path against the public one on revealed values
    integer x = *integer::from_bytes_be(a_bytes, n.size());
    ct_check::reveal(x);
    std::array<std::uint8_t, 64> e_pub = exponent;
    ct_check::reveal(e_pub);
    integer y;
    ctx->exp_public(y, x, e_pub);
    std::array<std::uint8_t, 256> out4{};
    ct_check::expect(y.to_bytes_be(out4) && out4 == out1, "exp_secret == exp_public");
}

void check_encrypt() {
    // Encrypting needs a key with a real modulus shape only (odd, 2048 bits, e = 65537).
    const auto n_bytes = modulus_bytes(256, 21);
    const std::array<std::uint8_t, 3> e{1, 0, 1};
    auto key = rsa_public_key::from_components(n_bytes, e);
    ct_check::expect(key.ok(), "key");
    std::array<std::uint8_t, 48> premaster{};
    ct_check::fill(premaster, 5);
    ct_check::secret(premaster);
    pattern_random rng;
    std::array<std::uint8_t, 256> ct{};
    const status st = encrypt_pkcs1v15(*key, premaster, ct, rng);
    ct_check::reveal(ct);
    ct_check::expect(st.ok(), "encrypt");
}

} // namespace

int main() {
    check_bignum<std::uint32_t>();
#if defined(__SIZEOF_INT128__)
    check_bignum<std::uint64_t>();
#endif
    check_encrypt();
    return 0;
}
