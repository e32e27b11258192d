// Shared helpers for the RSA tests (verification and signing): vector-file fields as bytes and
// hash names.
#pragma once

#include <https/crypto/hash_id.hpp>

#include "support/vectors.hpp"

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace test::rsa {

/// Hex digits of an integer, left-padded with zeros to `bytes` bytes (or to whole bytes).
inline test::bytes fixed_hex(std::string hex, std::size_t bytes) {
    if (hex.size() % 2 != 0) {
        hex.insert(hex.begin(), '0');
    }
    if (hex.size() < 2 * bytes) {
        hex.insert(0, 2 * bytes - hex.size(), '0');
    }
    return test::hex(hex);
}

/// The hash a vector file names ("SHA-256", "SHA256", ...).
inline https::crypto::hash_id hash_by_name(std::string name) {
    using https::crypto::hash_id;
    name.erase(std::remove(name.begin(), name.end(), '-'), name.end());
    if (name == "SHA1") {
        return hash_id::sha1;
    }
    if (name == "SHA224") {
        return hash_id::sha224;
    }
    if (name == "SHA256") {
        return hash_id::sha256;
    }
    if (name == "SHA384") {
        return hash_id::sha384;
    }
    if (name == "SHA512") {
        return hash_id::sha512;
    }
    throw std::runtime_error("unknown hash " + name);
}

} // namespace test::rsa
