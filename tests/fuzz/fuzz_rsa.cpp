// Fuzz RSA public-key parsing (SubjectPublicKeyInfo, RSAPublicKey) and, for keys that parse, the
// PKCS#1 v1.5 and PSS verifiers and PKCS#1 v1.5 encryption on arbitrary signatures and messages.
// Input: [selector byte][key length, 2 bytes big-endian][key DER][signature or message bytes].
#include <https/crypto/rsa.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace {

using namespace https;
using namespace https::crypto;

// Stand-ins for a hash and MGF1: the fuzzer exercises the encoding checks, not the hash.
void toy_digest(std::span<const bytes_view> parts, mutable_bytes out) noexcept {
    std::uint8_t x = 0x5a;
    for (bytes_view p : parts) {
        for (std::uint8_t b : p) {
            x = static_cast<std::uint8_t>(x * 31 + b);
        }
    }
    for (auto& b : out) {
        b = x++;
    }
}
void toy_mgf(bytes_view seed, mutable_bytes out) noexcept {
    for (std::size_t i = 0; i < out.size(); ++i) {
        out[i] ^= static_cast<std::uint8_t>(seed.empty() ? i : seed[i % seed.size()] + i);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) {
        return 0;
    }
    const std::uint8_t selector = data[0];
    const std::size_t key_len =
        std::min<std::size_t>((std::size_t{data[1]} << 8) | data[2], size - 3);
    const bytes_view key_der(data + 3, key_len);
    const bytes_view rest(data + 3 + key_len, size - 3 - key_len);

    auto key = (selector & 1) != 0 ? rsa_public_key::parse_pkcs1(key_der, rsa_legacy_min_bits)
                                   : rsa_public_key::parse_spki(key_der, rsa_legacy_min_bits);
    if (!key) {
        return 0;
    }
    const hash_id h = static_cast<hash_id>((selector >> 1) % 5);
    std::array<std::uint8_t, max_digest_size> digest{};
    const bytes_view d(digest.data(), digest_size(h));
    (void)verify_pkcs1v15(*key, h, d, rest);
    (void)crypto::detail::verify_pss_with(*key, d, rest, selector >> 4, &toy_digest, &toy_mgf);
    (void)verify_pss(*key, pss_params::for_hash(h), d, rest);

    std::vector<std::uint8_t> pool(key->size(), 0x37);
    replay_random rng(pool);
    std::vector<std::uint8_t> out(key->size());
    (void)encrypt_pkcs1v15(*key, rest, out, rng);
    return 0;
}
