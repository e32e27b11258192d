// Constant-time check of core/ct.hpp: masks, equal, select, conditional copy/swap.
#include "ct_harness.hpp"

#include <array>

using namespace https;

int main() {
    std::array<std::uint8_t, 48> a{}, b{};
    ct_check::fill(a, 1);
    b = a;
    ct_check::secret(a);
    ct_check::secret(b);
    const bool same = ct::equal(a, b); // the verdict is declassified inside, by design
    ct_check::expect(same, "equal on identical buffers");

    std::array<std::uint8_t, 48> out{};
    std::uint8_t bit = 1;
    ct_check::secret(bit);
    auto m = ct::mask<std::uint8_t>::from_bit(bit);
    ct::select(m, a, b, out);
    ct::conditional_copy(m, b, out);
    std::uint32_t x = 0x1234, y = 0x5678;
    ct_check::secret(x);
    ct_check::secret(y);
    std::uint32_t lt = ct::mask<std::uint32_t>::less(x, y).value();
    std::uint32_t eq = ct::mask<std::uint32_t>::equal(x, y).value();
    std::array<std::uint64_t, 4> p{1, 2, 3, 4}, q{5, 6, 7, 8};
    ct::conditional_swap(ct::mask<std::uint64_t>::from_bit(bit), p, q);
    ct_check::reveal(out);
    ct_check::reveal(lt);
    ct_check::reveal(eq);
    ct_check::reveal(p);
    ct_check::expect(lt == 0xffffffffu && eq == 0, "mask comparisons");
    ct_check::expect(p[0] == 5 && p[3] == 8, "conditional_swap");
    return 0;
}
