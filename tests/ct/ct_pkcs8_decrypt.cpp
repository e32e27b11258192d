// Constant-time check of encrypted PKCS #8 decryption (x509/private_key.hpp, RFC 8018 PBES2):
// with the passphrase, the salt and the encrypted key poisoned, PBKDF2 (HMAC-SHA1 and
// HMAC-SHA256), AES-128/256-CBC decryption and the PKCS #7 padding check must not branch on or
// index by them until the padding verdict and the message length are declassified; a wrong
// passphrase must be refused the same way. Runs the portable AES path, then AES-NI if present.
#include "ct_harness.hpp"

#include <https/core/cpu.hpp>
#include <https/crypto/aes.hpp>
#include <https/crypto/cbc.hpp>
#include <https/crypto/pbkdf2.hpp>
#include <https/crypto/sha1.hpp>
#include <https/crypto/sha2.hpp>
#include <https/x509/private_key.hpp>

#include <array>
#include <cstring>
#include <vector>

using namespace https;

namespace {

using prf = x509::detail::pbes2_params::prf_kind;

template <class Hash, class Cipher>
void check(prf kind, std::size_t plain_len, std::uint32_t seed) {
    // An encrypted key made here with the same primitives (their correctness is tested against
    // OpenSSL elsewhere): the passphrase, salt and plaintext are deterministic filler.
    std::vector<std::uint8_t> pass(13);
    std::vector<std::uint8_t> salt(8);
    std::array<std::uint8_t, 16> iv{};
    std::vector<std::uint8_t> plain(plain_len);
    ct_check::fill(pass, seed);
    ct_check::fill(salt, seed + 1);
    ct_check::fill(iv, seed + 2);
    ct_check::fill(plain, seed + 3);
    constexpr std::uint64_t iterations = 3;
    std::array<std::uint8_t, Cipher::key_size> dk{};
    ct_check::expect(crypto::pbkdf2<Hash>(pass, salt, iterations, dk).ok(), "PBKDF2");
    std::vector<std::uint8_t> padded(plain_len + 16);
    std::memcpy(padded.data(), plain.data(), plain_len);
    padded.resize(crypto::pkcs7_pad(padded, plain_len));
    std::vector<std::uint8_t> ciphertext(padded.size());
    crypto::cbc_encrypt(Cipher(dk), iv, padded, ciphertext);

    x509::detail::pbes2_params params;
    params.salt = salt;
    params.iterations = iterations;
    params.prf = kind;
    params.key_size = Cipher::key_size;
    params.iv = iv;
    params.ciphertext = ciphertext;

    ct::poison(pass.data(), pass.size());
    ct::poison(salt.data(), salt.size());
    ct::poison(ciphertext.data(), ciphertext.size());
    std::vector<std::uint8_t> out(ciphertext.size());
    auto n = x509::detail::pbes2_decrypt(params, pass, out);
    ct_check::expect(n.ok(), "right passphrase accepted"); // the verdict is declassified
    ct_check::expect(*n == plain_len, "message length");   // and so is the length
    ct::unpoison(out.data(), out.size());
    ct_check::expect(std::memcmp(out.data(), plain.data(), plain_len) == 0, "plaintext");

    // A wrong passphrase (one bit of its last byte): refused, nothing branching on it before.
    ct::unpoison(pass.data(), pass.size());
    pass.back() ^= 0x01;
    ct::poison(pass.data(), pass.size());
    auto bad = x509::detail::pbes2_decrypt(params, pass, out);
    // 255/256 of wrong keys give bad padding; with this filler it is so (checked, not assumed)
    ct_check::expect(!bad.ok() && bad.error() == errc::key_decrypt_failed, "wrong passphrase");
}

void check_all() {
    check<crypto::sha1, crypto::aes128>(prf::sha1, 48, 1);     // an Ed25519 PKCS #8 is 48 bytes
    check<crypto::sha256, crypto::aes256>(prf::sha256, 138, 2); // a P-256 one 138
    check<crypto::sha256, crypto::aes128>(prf::sha256, 67, 3);
}

} // namespace

int main() {
    // valgrind cannot execute SHA-NI (see ct_hmac.cpp): the portable SHA code is checked.
    auto& f = https::detail::cpu_features::current();
    f.sha_ni = false;
    const auto saved = f;
    f.aesni = false; // the portable bitsliced AES
    f.pclmul = false;
    check_all();
    f = saved;
    if (f.aesni) {
        check_all();
    }
    return 0;
}
