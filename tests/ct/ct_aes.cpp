// Constant-time check of AES (aes.hpp) and CBC/PKCS#7 (cbc.hpp): key schedule, encryption and
// decryption of one and of many blocks, with key and data poisoned, on the portable bitsliced
// path (AES-NI forced off) and then, when the CPU has it, on the AES-NI path.
#include "ct_harness.hpp"

#include <https/core/cpu.hpp>
#include <https/crypto/aes.hpp>
#include <https/crypto/cbc.hpp>

#include <array>
#include <cstring>

using namespace https;
using namespace https::crypto;

namespace {

template <class Cipher> void check_cipher(std::uint32_t seed) {
    std::array<std::uint8_t, Cipher::key_size> key{};
    std::array<std::uint8_t, 16 * 9> data{}; // 9 blocks: a full batch of 8 (or 2x4) and a tail
    std::array<std::uint8_t, 16> iv{};
    ct_check::fill(key, seed);
    ct_check::fill(data, seed + 1);
    ct_check::fill(iv, seed + 2);
    const auto original = data;
    ct_check::secret(key);
    ct_check::secret(data);

    const Cipher c(key);
    std::array<std::uint8_t, 16 * 9> out{}, back{};
    c.encrypt_blocks(data, out);
    c.decrypt_blocks(out, back);
    std::array<std::uint8_t, 16> one{}, one_back{};
    c.encrypt_block(std::span<const std::uint8_t, 16>(data.data(), 16), one);
    c.decrypt_block(one, one_back);
    cbc_encrypt(c, iv, data, out);
    cbc_decrypt(c, iv, out, out); // in place

    // PKCS#7: a well-formed pad and a malformed one, both with secret contents
    std::array<std::uint8_t, 32> padded{};
    ct_check::fill(padded, seed + 3);
    const std::size_t len = pkcs7_pad(padded, 21);
    ct_check::secret(padded);
    const auto good = pkcs7_unpad(bytes_view(padded.data(), len)); // verdict is public
    padded[30] ^= 1;
    const auto bad = pkcs7_unpad(bytes_view(padded.data(), len));

    ct_check::reveal(back);
    ct_check::reveal(one_back);
    ct_check::reveal(out);
    ct_check::expect(back == original, "ECB round trip");
    ct_check::expect(std::memcmp(one_back.data(), original.data(), 16) == 0, "block round trip");
    ct_check::expect(out == original, "CBC round trip");
    ct_check::expect(good.ok() && *good == 21, "PKCS#7 unpad accepts its own padding");
    ct_check::expect(bad.error() == errc::bad_padding, "PKCS#7 unpad rejects a bad byte");
}

void check_all() {
    check_cipher<aes128>(1);
    check_cipher<aes256>(2);
}

} // namespace

int main() {
    auto& f = https::detail::cpu_features::current();
    const auto saved = f;
    f.aesni = false; // the portable bitsliced implementation
    f.pclmul = false;
    check_all();
    f = saved;
    if (f.aesni) {
        check_all(); // the AES-NI glue must not branch on secrets either
    }
    return 0;
}
