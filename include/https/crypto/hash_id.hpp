// hash_id: the SHA-1/SHA-2 functions that signatures name at run time, with their digest sizes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace https::crypto {

/// A hash function chosen at run time (by a TLS SignatureScheme or an X.509 AlgorithmIdentifier).
enum class hash_id : std::uint8_t { sha1, sha224, sha256, sha384, sha512 };

/// Digest length in bytes.
constexpr std::size_t digest_size(hash_id h) noexcept {
    switch (h) {
    case hash_id::sha1:
        return 20;
    case hash_id::sha224:
        return 28;
    case hash_id::sha256:
        return 32;
    case hash_id::sha384:
        return 48;
    case hash_id::sha512:
        return 64;
    }
    return 0;
}

} // namespace https::crypto
