// Fuzz the private-key file parsers (x509/private_key.hpp): the first byte picks DER or PEM and
// whether a passphrase is given, the rest is the file. Every input must end in a key or a named
// error; a key that parses must produce its public key, its SubjectPublicKeyInfo (which must
// parse back and match it) and a signature.
#include <https/crypto/ecdsa_private_key.hpp>
#include <https/crypto/ed25519_private_key.hpp>
#include <https/crypto/rsa_private_key.hpp>
#include <https/crypto/sha2.hpp>
#include <https/x509/private_key.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

/// A PBKDF2 cap low enough that a crafted iteration count cannot hit libFuzzer's timeout; the
/// real cap (pbkdf2_max_iterations) is tested by the unit tests.
constexpr std::uint64_t fuzz_max_iterations = 20000;

void check(bool ok) {
    if (!ok) {
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace https;
    if (size < 1) {
        return 0;
    }
    const std::uint8_t mode = data[0];
    const bytes_view input(data + 1, size - 1);
    std::optional<std::string_view> pass;
    if ((mode & 2) != 0) {
        pass = "correct horse"; // the seed corpus's passphrase
    }
    result<x509::private_key> key = errc::bad_private_key;
    if ((mode & 1) != 0) {
        const std::string text(input.begin(), input.end());
        key = x509::parse_private_key_pem(text, pass, fuzz_max_iterations);
    } else {
        key = x509::parse_private_key_der(input, pass, fuzz_max_iterations);
    }
    if (!key) {
        check(key.error() != errc::ok);
        check(std::string(describe(key.error())) != "unknown error");
        return 0;
    }
    const byte_vector spki = key->public_key_info();
    check(x509::check_matches(*key, spki).ok());
    const std::array<std::uint8_t, 3> msg{'a', 'b', 'c'};
    if (const auto* rsa = key->get_if<crypto::rsa_private_key>()) {
        std::vector<std::uint8_t> sig(rsa->size());
        check(crypto::sign_pkcs1v15<crypto::sha256>(*rsa, msg, sig).ok());
    } else if (const auto* p256 = key->get_if<crypto::ecdsa_p256_private_key>()) {
        check(p256->sign<crypto::sha256>(msg).ok());
    } else if (const auto* p384 = key->get_if<crypto::ecdsa_p384_private_key>()) {
        check(p384->sign<crypto::sha384>(msg).ok());
    } else if (const auto* ed = key->get_if<crypto::ed25519_private_key>()) {
        (void)ed->sign(msg);
    }
    return 0;
}
