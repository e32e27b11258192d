// hash_id: the SHA-1/SHA-2 functions signatures name at run time, with digest sizes, OIDs and the
// PKCS#1 DigestInfo prefixes that RSA, ECDSA and X.509 share.
#pragma once

#include "../core/bytes.hpp"
#include "../core/oid.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>

namespace https::crypto {

/// A hash function chosen at run time (by a TLS SignatureScheme or an X.509 AlgorithmIdentifier).
enum class hash_id : std::uint8_t { sha1, sha224, sha256, sha384, sha512 };

/// The largest digest any `hash_id` produces (SHA-512), for stack buffers.
inline constexpr std::size_t max_digest_size = 64;

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

namespace detail {
// RFC 8017 §9.2 note 1: the DER of DigestInfo ::= SEQUENCE { AlgorithmIdentifier { oid, NULL },
// OCTET STRING digest } up to the digest itself. The NULL parameters are present in every one:
// PKCS#1 v1.5 verification compares against exactly these bytes (see rsa.hpp).
inline constexpr std::array<std::uint8_t, 15> digest_info_sha1{
    0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14};
inline constexpr std::array<std::uint8_t, 19> digest_info_sha224{
    0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
    0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c};
inline constexpr std::array<std::uint8_t, 19> digest_info_sha256{
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
    0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
inline constexpr std::array<std::uint8_t, 19> digest_info_sha384{
    0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
    0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30};
inline constexpr std::array<std::uint8_t, 19> digest_info_sha512{
    0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
    0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40};
} // namespace detail

/// The DER DigestInfo bytes that precede the digest in an EMSA-PKCS1-v1_5 encoding
/// (RFC 8017 §9.2 note 1), NULL parameters included.
inline bytes_view digest_info_prefix(hash_id h) noexcept {
    switch (h) {
    case hash_id::sha1:
        return detail::digest_info_sha1;
    case hash_id::sha224:
        return detail::digest_info_sha224;
    case hash_id::sha256:
        return detail::digest_info_sha256;
    case hash_id::sha384:
        return detail::digest_info_sha384;
    case hash_id::sha512:
        return detail::digest_info_sha512;
    }
    return {};
}

/// The encoded OBJECT IDENTIFIER contents of the hash (as in an AlgorithmIdentifier).
inline bytes_view hash_oid(hash_id h) noexcept {
    switch (h) {
    case hash_id::sha1:
        return oid::sha1;
    case hash_id::sha224:
        return oid::sha224;
    case hash_id::sha256:
        return oid::sha256;
    case hash_id::sha384:
        return oid::sha384;
    case hash_id::sha512:
        return oid::sha512;
    }
    return {};
}

// Our hash classes (sha1.hpp, sha2.hpp), declared here so that this header stays light.
class sha1;
class sha224;
class sha256;
class sha384;
class sha512;

/// The hash_id of one of our hash classes: `hash_id_of_v<sha256> == hash_id::sha256`. Undefined
/// (a compile error) for any other type.
template <class Hash> struct hash_id_of;
template <> struct hash_id_of<sha1> : std::integral_constant<hash_id, hash_id::sha1> {};
template <> struct hash_id_of<sha224> : std::integral_constant<hash_id, hash_id::sha224> {};
template <> struct hash_id_of<sha256> : std::integral_constant<hash_id, hash_id::sha256> {};
template <> struct hash_id_of<sha384> : std::integral_constant<hash_id, hash_id::sha384> {};
template <> struct hash_id_of<sha512> : std::integral_constant<hash_id, hash_id::sha512> {};
template <class Hash> inline constexpr hash_id hash_id_of_v = hash_id_of<Hash>::value;

/// The hash an encoded OID names, if it is one of ours (X.509 RSASSA-PSS parameters, RFC 4055).
inline std::optional<hash_id> hash_id_from_oid(bytes_view encoded) noexcept {
    for (hash_id h :
         {hash_id::sha1, hash_id::sha224, hash_id::sha256, hash_id::sha384, hash_id::sha512}) {
        const bytes_view known = hash_oid(h);
        if (encoded.size() == known.size() &&
            std::equal(encoded.begin(), encoded.end(), known.begin())) {
            return h;
        }
    }
    return std::nullopt;
}

} // namespace https::crypto
