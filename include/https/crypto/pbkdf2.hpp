// PBKDF2 (RFC 8018 §5.2): a password-based key derivation over HMAC-`H`, with an iteration cap so
// that a hostile key file cannot make us spin for hours.
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../core/result.hpp"
#include "hash.hpp"
#include "hmac.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace https::crypto {

/// The largest iteration count `pbkdf2` accepts. OpenSSL writes 2048 by default and current advice
/// (OWASP 2023: 600,000 for HMAC-SHA256) stays well below; ten million HMAC-SHA1 pairs take a few
/// seconds, the most a key file may cost us.
inline constexpr std::uint64_t pbkdf2_max_iterations = 10'000'000;

/// DK = PBKDF2(P, S, c, dkLen) with PRF = HMAC-`H` (RFC 8018 §5.2), written to all of `out`.
/// Errors: `out_of_range` for c = 0 or an empty `out` (§5.2 needs c >= 1 and dkLen >= 1);
/// `kdf_iterations_exceeded` for c > `max_iterations` (at most pbkdf2_max_iterations);
/// `message_too_long` for dkLen > (2^32 - 1) hLen (§5.2 step 1). On error `out` is zeroed.
/// CT: time depends on the lengths of P, S and out and on c only; the password, the salt's
/// contents and every intermediate U_j and T_i never steer a branch or an index. Intermediates
/// are wiped.
template <hash_function H>
[[nodiscard]] status pbkdf2(bytes_view password, bytes_view salt, std::uint64_t iterations,
                            mutable_bytes out,
                            std::uint64_t max_iterations = pbkdf2_max_iterations) noexcept {
    constexpr std::size_t h_len = H::digest_size;
    if (!out.empty()) {
        ct::wipe(out.data(), out.size());
    }
    if (iterations == 0 || out.empty()) {
        return errc::out_of_range;
    }
    if (iterations > max_iterations || iterations > pbkdf2_max_iterations) {
        return errc::kdf_iterations_exceeded;
    }
    if ((out.size() - 1) / h_len >= 0xffffffffULL) { // more than 2^32 - 1 blocks
        return errc::message_too_long;
    }
    hmac<H> prf(password);
    std::array<std::uint8_t, h_len> u{};
    std::array<std::uint8_t, h_len> t{};
    std::uint32_t block = 1;
    for (std::size_t offset = 0; offset < out.size(); offset += h_len, ++block) {
        // §5.2 step 3: U_1 = PRF(P, S || INT(i)), U_j = PRF(P, U_{j-1}), T_i = U_1 ^ ... ^ U_c
        const std::array<std::uint8_t, 4> index{
            static_cast<std::uint8_t>(block >> 24), static_cast<std::uint8_t>(block >> 16),
            static_cast<std::uint8_t>(block >> 8), static_cast<std::uint8_t>(block)};
        prf.update(salt);
        prf.update(index);
        prf.finish(u);
        t = u;
        for (std::uint64_t j = 1; j < iterations; ++j) {
            prf.update(u);
            prf.finish(u);
            for (std::size_t k = 0; k < h_len; ++k) {
                t[k] ^= u[k];
            }
        }
        // §5.2 step 4: the last block is truncated to what is left.
        const std::size_t take = out.size() - offset < h_len ? out.size() - offset : h_len;
        for (std::size_t k = 0; k < take; ++k) {
            out[offset + k] = t[k];
        }
    }
    ct::wipe(u);
    ct::wipe(t);
    return {};
}

} // namespace https::crypto
