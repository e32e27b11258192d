// The frame every public-key import shares: a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7),
//   SEQUENCE { AlgorithmIdentifier SEQUENCE { OID, parameters }, subjectPublicKey BIT STRING },
// opened up to the algorithm's parameters, which each algorithm checks in its own way (RSA: NULL,
// EC: a named curve, Ed25519: absent), then the key's bytes.
#pragma once

#include "../core/bytes.hpp"
#include "../core/der.hpp"
#include "../core/result.hpp"

namespace https::crypto {

/// A SubjectPublicKeyInfo whose algorithm OID has been read and matched.
struct public_key_info_reader {
    der::parser parameters; ///< the AlgorithmIdentifier after its OID; the caller checks it
    der::parser rest;       ///< what follows the AlgorithmIdentifier: the subjectPublicKey

    /// The subjectPublicKey in whole bytes (every key format we read is an octet string). DER
    /// errors from the strict reader; `trailing_data` after the BIT STRING; `bad_public_key`
    /// for a BIT STRING with unused bits. Read it after checking `parameters`.
    [[nodiscard]] result<bytes_view> key_bytes() noexcept {
        auto bits = rest.read_bit_string();
        if (!bits) {
            return bits.error();
        }
        HTTPS_TRY(rest.expect_empty());
        if (bits->unused_bits != 0) {
            return errc::bad_public_key;
        }
        return bits->bytes;
    }
};

/// Open `spki` up to its algorithm parameters. DER errors from the strict reader (nothing may
/// follow the outer SEQUENCE); `unsupported_algorithm` when the algorithm OID is not `algorithm`.
/// CT: variable time (public input).
[[nodiscard]] inline result<public_key_info_reader>
open_public_key_info(bytes_view spki, bytes_view algorithm) noexcept {
    der::parser top(spki);
    auto info = top.read_sequence();
    if (!info) {
        return info.error();
    }
    HTTPS_TRY(top.expect_empty());
    auto identifier = info->read_sequence();
    if (!identifier) {
        return identifier.error();
    }
    auto oid = identifier->read_oid();
    if (!oid) {
        return oid.error();
    }
    if (!der::oid_equals(*oid, algorithm)) {
        return errc::unsupported_algorithm;
    }
    return public_key_info_reader{*identifier, *info};
}

} // namespace https::crypto
