// The TLS 1.2 pseudorandom function (RFC 5246 §5): P_hash over HMAC-Hash.
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "hash.hpp"
#include "hmac.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string_view>

namespace https::crypto {

/// PRF(secret, label, seed) = P_<H>(secret, label + seed), filling `out` (RFC 5246 §5):
///   A(0) = label + seed, A(i) = HMAC_hash(secret, A(i-1)),
///   P_hash = HMAC_hash(secret, A(1) + label + seed) + HMAC_hash(secret, A(2) + label + seed) + ...
/// truncated to out.size(). TLS 1.2 uses H = sha256 by default, sha384 for *_SHA384 suites.
/// Label and seed are fed to HMAC separately, so nothing is concatenated or allocated.
/// `out` may overlap `secret` (absorbed before anything is written), not `seed`.
/// CT: lengths only.
template <hash_function H>
void tls12_prf(bytes_view secret, std::string_view label, bytes_view seed,
               mutable_bytes out) noexcept {
    const bytes_view label_bytes = as_bytes(label);
    hmac<H> mac(secret);
    digest<H> a{};     // A(i)
    digest<H> block{}; // HMAC_hash(secret, A(i) + label + seed)
    mac.update(label_bytes);
    mac.update(seed);
    mac.finish(a); // A(1); finish leaves `mac` keyed and empty
    std::size_t done = 0;
    while (done < out.size()) {
        mac.update(a);
        mac.update(label_bytes);
        mac.update(seed);
        mac.finish(block);
        const std::size_t take = std::min(block.size(), out.size() - done);
        std::memcpy(out.data() + done, block.data(), take);
        done += take;
        if (done < out.size()) {
            mac.update(a);
            mac.finish(a); // A(i+1)
        }
    }
    ct::wipe(a);
    ct::wipe(block);
}

} // namespace https::crypto
