// TLS 1.2 key exchange: the ECDHE ServerKeyExchange (RFC 8422 §5.4; its signature is checked by
// signature.hpp's verify_signature), the RSA key exchange's encrypted premaster secret (RFC 5246
// §7.4.7.1), and the ClientKeyExchange encodings.
#pragma once

#include "../core/bytes.hpp"
#include "../core/result.hpp"
#include "../crypto/ec_public_key.hpp"
#include "../crypto/ecdsa.hpp"
#include "../crypto/random.hpp"
#include "../crypto/rsa.hpp"
#include "../crypto/sha2.hpp"
#include "../x509/certificate.hpp"
#include "extensions.hpp"
#include "messages.hpp"
#include "signature.hpp"
#include "cipher_suite.hpp"

#include <array>
#include <cstdint>
#include <type_traits>
#include <variant>
#include <vector>

#include "detail/macro_scope.hpp"

namespace https::tls {

/// The signature schemes we accept in a TLS 1.2 ServerKeyExchange, in preference order: those of
/// TLS 1.3 (ed25519 as RFC 8422 §5.1.3 uses it) plus RSASSA-PKCS1-v1_5, which TLS 1.2 servers use
/// most (RFC 5246 §7.4.1.4.1; SHA-1 and MD5 are not offered) -- the list TLS 1.3 accepts in
/// certificates.
inline const std::vector<signature_scheme>& tls12_signature_schemes() {
    return default_certificate_signature_schemes();
}

/// The ECDHE ServerKeyExchange (RFC 8422 §5.4): ServerECDHParams, then the signature.
struct tls12_server_ecdh_params {
    named_group group{};
    bytes_view public_key;    ///< the server's ECPoint
    bytes_view params;        ///< the ServerECDHParams encoding, as signed
    std::uint16_t scheme = 0; ///< SignatureAndHashAlgorithm
    bytes_view signature;
};

/// Parse the body of an ECDHE ServerKeyExchange. Only named curves are accepted (RFC 8422 §5.4:
/// explicit curves are deprecated): anything else is illegal_parameter; malformed input is
/// decode_error.
inline result<tls12_server_ecdh_params> parse_tls12_server_key_exchange(bytes_view body) {
    return detail::as_decode_error([&]() -> result<tls12_server_ecdh_params> {
        reader r(body);
        tls12_server_ecdh_params p;
        HTTPS_TLS_ASSIGN(std::uint8_t curve_type, r.read_u8());
        if (curve_type != 3) { // named_curve
            return errc::tls_illegal_parameter;
        }
        HTTPS_TLS_ASSIGN(std::uint16_t group, r.read_u16());
        p.group = static_cast<named_group>(group);
        HTTPS_TLS_ASSIGN(p.public_key, r.read_prefixed<1>());
        if (p.public_key.empty()) {
            return errc::tls_decode_error; // point <1..2^8-1>
        }
        p.params = body.first(r.position());
        HTTPS_TLS_ASSIGN(p.scheme, r.read_u16());
        HTTPS_TLS_ASSIGN(p.signature, r.read_prefixed<2>());
        if (p.signature.empty()) {
            return errc::tls_decode_error;
        }
        HTTPS_TRY(r.expect_empty());
        return p;
    }());
}

/// RFC 5246 §7.4.3: the signed content is client_random || server_random || params.
inline byte_vector tls12_signed_params(std::span<const std::uint8_t, 32> client_random,
                                       std::span<const std::uint8_t, 32> server_random,
                                       bytes_view params) {
    byte_vector out(64 + params.size());
    std::copy(client_random.begin(), client_random.end(), out.begin());
    std::copy(server_random.begin(), server_random.end(), out.begin() + 32);
    std::copy(params.begin(), params.end(), out.begin() + 64);
    return out;
}

/// RFC 5246 §7.4.7.1: the RSA key exchange's 48-byte premaster secret.
inline constexpr std::size_t tls12_rsa_premaster_length = 48;

/// The premaster secret client_version (0x0303, the version we offered, not the negotiated one)
/// || 46 random bytes, and its RSAES-PKCS1-v1_5 encryption to the server's key.
struct tls12_rsa_premaster {
    ct::secret_array<tls12_rsa_premaster_length> premaster;
    byte_vector encrypted;
};

/// Make and encrypt the premaster secret (RFC 5246 §7.4.7.1).
/// CT: the premaster secret is secret; the RSA encryption is constant time in it.
inline result<tls12_rsa_premaster>
tls12_make_rsa_premaster(const peer_key& key, crypto::random_source& rng,
                         std::size_t min_rsa_bits = crypto::rsa_min_bits) {
    auto k = crypto::rsa_public_key::parse_spki(key.spki, min_rsa_bits);
    if (!k) {
        return k.error() == errc::weak_key ? errc::weak_key : errc::tls_illegal_parameter;
    }
    tls12_rsa_premaster out;
    out.premaster.bytes[0] = 0x03; // ClientHello.client_version: TLS 1.2
    out.premaster.bytes[1] = 0x03;
    HTTPS_TRY(rng.fill(mutable_bytes(out.premaster.data() + 2, tls12_rsa_premaster_length - 2)));
    out.encrypted.resize(k->size());
    HTTPS_TRY(crypto::encrypt_pkcs1v15(*k, out.premaster.span(), out.encrypted, rng));
    return out;
}

/// ClientKeyExchange for ECDHE (RFC 8422 §5.7): ECPoint ecdh_Yc<1..2^8-1>.
inline result<byte_vector> encode_tls12_client_key_exchange_ecdhe(bytes_view public_key) {
    byte_vector body;
    writer w(body);
    HTTPS_TRY(w.put_prefixed(1, public_key));
    return detail::handshake_with_body(handshake_type::client_key_exchange, body);
}

/// ClientKeyExchange for RSA (RFC 5246 §7.4.7.1): EncryptedPreMasterSecret<0..2^16-1>.
inline result<byte_vector> encode_tls12_client_key_exchange_rsa(bytes_view encrypted) {
    byte_vector body;
    writer w(body);
    HTTPS_TRY(w.put_prefixed(2, encrypted));
    return detail::handshake_with_body(handshake_type::client_key_exchange, body);
}

} // namespace https::tls

#include "detail/macro_unscope.hpp"
