// Constant-time check of TLS 1.2 CBC record decryption (MAC-then-encrypt, the Lucky Thirteen
// countermeasure): cipher key, MAC key and the received record body poisoned, so the decrypted
// plaintext, its padding and the MAC position are all secret; good records, a wrong MAC, a wrong
// padding byte and a padding length too large must all run without a secret-dependent branch or
// address, and give the right verdicts. Run once on the hardware paths and once portable.
#include "ct_harness.hpp"

#include <https/core/cpu.hpp>
#include <https/tls/tls12_record_protection.hpp>

#include <array>
#include <cstring>
#include <vector>

using namespace https;
using namespace https::tls;

namespace {

enum class spoil { none, mac, padding_byte, padding_too_long };

/// Builds a MAC-then-encrypt record with a chosen padding length, with public keys, reusing the
/// library's MAC and CBC code (their correctness is checked against OpenSSL in tests_tls; here
/// only the timing behaviour of `open` is under test).
template <class Cipher, class Hash>
std::vector<std::uint8_t> make_record(const std::array<std::uint8_t, Cipher::key_size>& key,
                                      const std::vector<std::uint8_t>& mac_key,
                                      const std::vector<std::uint8_t>& content, std::size_t pad,
                                      spoil how) {
    tls12_record_mac<Hash> mac(mac_key);
    constexpr std::size_t mac_size = tls12_record_mac<Hash>::size;
    std::array<std::uint8_t, 13> hdr{};
    hdr[8] = 23;
    hdr[9] = 3;
    hdr[10] = 3;
    hdr[11] = static_cast<std::uint8_t>(content.size() >> 8);
    hdr[12] = static_cast<std::uint8_t>(content.size());
    std::vector<std::uint8_t> plain = content;
    plain.resize(content.size() + mac_size);
    mac.mac(hdr, content,
            std::span<std::uint8_t, mac_size>(plain.data() + content.size(), mac_size));
    if (how == spoil::mac) {
        plain[content.size() + 3] ^= 0x40;
    }
    plain.insert(plain.end(), pad + 1, static_cast<std::uint8_t>(pad));
    if (how == spoil::padding_byte) {
        plain[plain.size() - 2] ^= 0x01;
    }
    if (how == spoil::padding_too_long) {
        plain.back() = 255;
    }
    ct_check::expect(plain.size() % 16 == 0, "test record is whole blocks");
    std::vector<std::uint8_t> payload(16 + plain.size());
    ct_check::fill(std::span<std::uint8_t>(payload.data(), 16), 77); // the IV
    const Cipher c(key);
    crypto::cbc_encrypt(c, std::span<const std::uint8_t, 16>(payload.data(), 16), plain,
                        mutable_bytes(payload.data() + 16, plain.size()));
    return payload;
}

template <class Cipher, class Hash> void check_suite(std::uint32_t seed) {
    using protection = tls12_cbc_protection<Cipher, Hash>;
    constexpr std::size_t mac_size = protection::mac_size;
    std::array<std::uint8_t, Cipher::key_size> key{};
    ct_check::fill(key, seed);
    std::vector<std::uint8_t> mac_key(mac_size);
    ct_check::fill(mac_key, seed + 1);

    int verdicts = 0;
    // A short and a long content, each with a short and a long padding, and every spoiling.
    for (std::size_t content_len : {std::size_t{3}, std::size_t{200}}) {
        std::vector<std::uint8_t> content(content_len);
        ct_check::fill(content, seed + 2);
        const std::size_t base = 15 - (content_len + mac_size) % 16;
        for (std::size_t pad : {base, base + 16 * 9}) {
            for (spoil how :
                 {spoil::none, spoil::mac, spoil::padding_byte, spoil::padding_too_long}) {
                auto payload = make_record<Cipher, Hash>(key, mac_key, content, pad, how);

                // The receiving side: every key byte and every received body byte secret.
                std::array<std::uint8_t, Cipher::key_size> secret_key = key;
                std::vector<std::uint8_t> secret_mac_key = mac_key;
                ct_check::secret(secret_key);
                https::ct::poison(secret_mac_key.data(), secret_mac_key.size());
                https::ct::poison(payload.data() + 16, payload.size() - 16);
                protection p(secret_key, secret_mac_key, secret_key, false);

                record_header h;
                h.type = content_type::application_data;
                h.legacy_version = 0x0303;
                h.length = static_cast<std::uint16_t>(payload.size());
                auto opened = p.open(h, payload); // the verdict is declassified inside
                if (how == spoil::none) {
                    ct_check::expect(opened.ok(), "a good record opens");
                    auto out = opened->payload;
                    https::ct::unpoison(out.data(), out.size());
                    ct_check::expect(out.size() == content.size() &&
                                         std::memcmp(out.data(), content.data(), out.size()) == 0,
                                     "the content comes back");
                } else {
                    ct_check::expect(!opened.ok() && opened.error() == errc::tls_bad_record_mac,
                                     "a spoiled record is bad_record_mac");
                }
                ++verdicts;
            }
        }
    }
    ct_check::expect(verdicts == 16, "all cases ran");
}

void check_all(std::uint32_t seed) {
    check_suite<crypto::aes128, crypto::sha256>(seed);
    check_suite<crypto::aes256, crypto::sha256>(seed + 10);
    check_suite<crypto::aes256, crypto::sha384>(seed + 20);
}

} // namespace

int main() {
    check_all(1); // hardware paths where the CPU has them (AES-NI, SHA-NI)
    auto& cpu = https::detail::cpu_features::current();
    const auto saved = cpu;
    cpu.aesni = false;
    cpu.sha_ni = false;
    cpu.pclmul = false;
    check_all(100); // portable paths
    cpu = saved;
    return 0;
}
