// The TLS 1.2 key schedule (RFC 5246 §6.3, §7.4.9, §8.1; RFC 7627): master secret (classic or
// extended), key block partitioned per suite, and Finished verify_data, all through the PRF.
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../crypto/sha2.hpp"
#include "../crypto/tls12_prf.hpp"
#include "cipher_suite.hpp"
#include "key_schedule.hpp"

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace https::tls {

/// RFC 5246 §8.1: the master secret is always 48 bytes.
inline constexpr std::size_t tls12_master_secret_length = 48;
/// RFC 5246 §7.4.9: verify_data_length is 12 for every suite we implement.
inline constexpr std::size_t tls12_verify_data_length = 12;

/// PRF(secret, label, seed) with the suite's hash (RFC 5246 §5), into `out`.
/// CT: lengths only.
inline void tls12_prf(hash_algorithm h, bytes_view secret_bytes, std::string_view label,
                      bytes_view seed, mutable_bytes out) {
    detail::with_hash(h, [&]<class H>(std::type_identity<H>) {
        crypto::tls12_prf<H>(secret_bytes, label, seed, out);
    });
}

/// The 48-byte master secret; wiped on destruction.
class tls12_master_secret {
  public:
    tls12_master_secret() = default;
    /// CT: copies; lengths only.
    explicit tls12_master_secret(
        std::span<const std::uint8_t, tls12_master_secret_length> b) noexcept {
        std::copy(b.begin(), b.end(), bytes_.bytes.begin());
    }
    [[nodiscard]] std::span<const std::uint8_t, tls12_master_secret_length> bytes() const noexcept {
        return bytes_.span();
    }

  private:
    ct::secret_array<tls12_master_secret_length> bytes_;
};

/// RFC 5246 §8.1: master_secret = PRF(pre_master_secret, "master secret",
/// ClientHello.random + ServerHello.random)[0..47].
/// CT: the premaster secret is secret; lengths only.
inline tls12_master_secret derive_master_secret(hash_algorithm h, bytes_view premaster,
                                                std::span<const std::uint8_t, 32> client_random,
                                                std::span<const std::uint8_t, 32> server_random) {
    std::array<std::uint8_t, 64> seed{};
    std::copy(client_random.begin(), client_random.end(), seed.begin());
    std::copy(server_random.begin(), server_random.end(), seed.begin() + 32);
    ct::secret_array<tls12_master_secret_length> out;
    tls12_prf(h, premaster, "master secret", seed, out.span());
    return tls12_master_secret(out.span());
}

/// RFC 7627 §4: master_secret = PRF(pre_master_secret, "extended master secret",
/// session_hash)[0..47], session_hash being the transcript hash from ClientHello up to and
/// including ClientKeyExchange. CT: lengths only.
inline tls12_master_secret derive_extended_master_secret(hash_algorithm h, bytes_view premaster,
                                                         const hash_value& session_hash) {
    assert(session_hash.size == hash_length(h));
    ct::secret_array<tls12_master_secret_length> out;
    tls12_prf(h, premaster, "extended master secret", session_hash.view(), out.span());
    return tls12_master_secret(out.span());
}

/// The key block of RFC 5246 §6.3, already partitioned: client_write_MAC_key,
/// server_write_MAC_key, client_write_key, server_write_key, client_write_IV, server_write_IV.
/// Wiped on destruction.
struct tls12_key_block {
    ct::secret_array<48> client_mac, server_mac; ///< HMAC keys (CBC suites), mac_key_length
    ct::secret_array<32> client_key, server_key; ///< cipher keys, enc_key_length
    ct::secret_array<12> client_iv, server_iv;   ///< implicit IVs (AEAD suites), fixed_iv_length
    std::size_t mac_key_length = 0;
    std::size_t enc_key_length = 0;
    std::size_t fixed_iv_length = 0;

    [[nodiscard]] bytes_view client_mac_key() const noexcept {
        return {client_mac.data(), mac_key_length};
    }
    [[nodiscard]] bytes_view server_mac_key() const noexcept {
        return {server_mac.data(), mac_key_length};
    }
    [[nodiscard]] bytes_view client_write_key() const noexcept {
        return {client_key.data(), enc_key_length};
    }
    [[nodiscard]] bytes_view server_write_key() const noexcept {
        return {server_key.data(), enc_key_length};
    }
    [[nodiscard]] bytes_view client_write_iv() const noexcept {
        return {client_iv.data(), fixed_iv_length};
    }
    [[nodiscard]] bytes_view server_write_iv() const noexcept {
        return {server_iv.data(), fixed_iv_length};
    }
};

/// RFC 5246 §6.3: key_block = PRF(master_secret, "key expansion",
/// server_random + client_random), cut into the lengths `suite` fixes.
/// CT: lengths only.
inline tls12_key_block derive_key_block(const cipher_suite_info& suite,
                                        const tls12_master_secret& master,
                                        std::span<const std::uint8_t, 32> client_random,
                                        std::span<const std::uint8_t, 32> server_random) {
    assert(suite.mac_key_length <= 48 && suite.enc_key_length <= 32 && suite.fixed_iv_length <= 12);
    std::array<std::uint8_t, 64> seed{};
    std::copy(server_random.begin(), server_random.end(), seed.begin());
    std::copy(client_random.begin(), client_random.end(), seed.begin() + 32);
    ct::secret_array<std::size_t{2} * (48 + 32 + 12)> block;
    const std::size_t total = suite.key_block_length();
    tls12_prf(suite.prf_hash, master.bytes(), "key expansion", seed,
              mutable_bytes(block.data(), total));

    tls12_key_block k;
    k.mac_key_length = suite.mac_key_length;
    k.enc_key_length = suite.enc_key_length;
    k.fixed_iv_length = suite.fixed_iv_length;
    std::size_t pos = 0;
    auto take = [&](std::uint8_t* dst, std::size_t n) {
        std::copy(block.data() + pos, block.data() + pos + n, dst);
        pos += n;
    };
    take(k.client_mac.data(), k.mac_key_length);
    take(k.server_mac.data(), k.mac_key_length);
    take(k.client_key.data(), k.enc_key_length);
    take(k.server_key.data(), k.enc_key_length);
    take(k.client_iv.data(), k.fixed_iv_length);
    take(k.server_iv.data(), k.fixed_iv_length);
    assert(pos == total);
    return k;
}

/// RFC 5246 §7.4.9: verify_data = PRF(master_secret, finished_label,
/// Hash(handshake_messages))[0..11], the label being "client finished" or "server finished".
/// CT: lengths only; the caller compares a received value with ct::equal.
inline std::array<std::uint8_t, tls12_verify_data_length>
tls12_finished_verify_data(hash_algorithm h, const tls12_master_secret& master, bool client,
                           const hash_value& transcript) {
    std::array<std::uint8_t, tls12_verify_data_length> out{};
    tls12_prf(h, master.bytes(), client ? "client finished" : "server finished", transcript.view(),
              out);
    return out;
}

} // namespace https::tls
