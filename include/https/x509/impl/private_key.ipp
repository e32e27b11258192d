// Private-key files (x509/private_key.hpp), out of line for separate compilation.
#pragma once

#include "../private_key.hpp"

#include "../../core/ct.hpp"
#include "../../core/der.hpp"
#include "../../core/oid.hpp"
#include "../../crypto/aes.hpp"
#include "../../crypto/cbc.hpp"
#include "../../crypto/pbkdf2.hpp"
#include "../../crypto/sha1.hpp"
#include "../../crypto/sha2.hpp"
#include "../pem.hpp"
#include "certificate.ipp" // detail::parse_spki, in both build modes

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace https::x509 {
namespace detail {

/// A heap buffer holding a secret (a decrypted key, a decoded PEM body), wiped when released.
class secret_buffer {
  public:
    secret_buffer() = default;
    explicit secret_buffer(std::size_t n) : bytes_(n) {}
    explicit secret_buffer(byte_vector&& v) noexcept : bytes_(std::move(v)) {}
    secret_buffer(const secret_buffer&) = delete;
    secret_buffer& operator=(const secret_buffer&) = delete;
    secret_buffer(secret_buffer&&) = delete;
    secret_buffer& operator=(secret_buffer&&) = delete;
    ~secret_buffer() { ct::wipe(bytes_.data(), bytes_.size()); }

    [[nodiscard]] mutable_bytes span() noexcept { return bytes_; }
    [[nodiscard]] bytes_view view() const noexcept { return bytes_; }

  private:
    byte_vector bytes_;
};

/// Append a DER TLV with a definite, minimal length (public data only).
HTTPS_DECL void der_append(byte_vector& out, std::uint8_t tag, bytes_view contents) {
    out.push_back(tag);
    const std::size_t n = contents.size();
    if (n < 0x80) {
        out.push_back(static_cast<std::uint8_t>(n));
    } else {
        unsigned octets = 0;
        for (std::size_t v = n; v != 0; v >>= 8) {
            ++octets;
        }
        out.push_back(static_cast<std::uint8_t>(0x80 | octets));
        for (unsigned i = octets; i-- > 0;) {
            out.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
        }
    }
    out.insert(out.end(), contents.begin(), contents.end());
}

/// Append a non-negative INTEGER from its big-endian magnitude (leading zeros dropped, a sign
/// byte added when the top bit is set). Public data only.
HTTPS_DECL void der_append_unsigned(byte_vector& out, bytes_view magnitude) {
    while (magnitude.size() > 1 && magnitude[0] == 0) {
        magnitude = magnitude.subspan(1);
    }
    byte_vector v;
    if (magnitude.empty() || (magnitude[0] & 0x80) != 0) {
        v.push_back(0);
    }
    v.insert(v.end(), magnitude.begin(), magnitude.end());
    der_append(out, der::tag::integer, v);
}

/// A DER read error inside a key structure as the caller sees it: a negative INTEGER where the
/// structure needs a non-negative one (the reader's out_of_range) is a bad key.
HTTPS_DECL errc key_error(errc e) noexcept {
    return e == errc::out_of_range ? errc::bad_private_key : e;
}

/// Which named curve an encoded OID is (P-256, P-384), if either.
enum class ec_curve : std::uint8_t { p256, p384 };

HTTPS_DECL result<ec_curve> curve_of(bytes_view curve_oid) noexcept {
    if (der::oid_equals(curve_oid, oid::secp256r1)) {
        return ec_curve::p256;
    }
    if (der::oid_equals(curve_oid, oid::secp384r1)) {
        return ec_curve::p384;
    }
    return errc::unsupported_curve;
}

/// ECParameters (RFC 5480 §2.1.1): only namedCurve; implicitCurve and specifiedCurve are refused
/// (RFC 5480: "MUST NOT be used" in PKIX) as unsupported_curve.
HTTPS_DECL result<ec_curve> read_named_curve(der::parser& p) noexcept {
    if (!p.next_is(der::tag::oid)) {
        return p.empty() ? errc::bad_private_key : errc::unsupported_curve;
    }
    auto curve = p.read_oid();
    if (!curve) {
        return curve.error();
    }
    HTTPS_TRY(p.expect_empty());
    return curve_of(*curve);
}

/// Does an encoded public point from a key file name the same point as `ours` (uncompressed,
/// 0x04 || X || Y)? Compressed points (0x02/0x03 || X, SEC 1 §2.3.3) compare X and Y's parity.
HTTPS_DECL bool same_point(bytes_view theirs, bytes_view ours) noexcept {
    if (theirs.size() == ours.size()) {
        return std::equal(theirs.begin(), theirs.end(), ours.begin());
    }
    const std::size_t field = (ours.size() - 1) / 2;
    if (theirs.size() != 1 + field || (theirs[0] != 0x02 && theirs[0] != 0x03)) {
        return false;
    }
    return (theirs[0] & 1) == (ours.back() & 1) &&
           std::equal(theirs.begin() + 1, theirs.end(), ours.begin() + 1);
}

/// The ECDSA key of scalar `d`, checked against the public point a file stored with it.
/// CT: d goes to the constant-time constructor; the point comparison is on public data.
template <class Key>
result<private_key> make_ec_key(bytes_view d, std::optional<bytes_view> public_point) {
    auto key = Key::from_bytes(d);
    if (!key) {
        return key.error();
    }
    if (public_point && !same_point(*public_point, key->public_key().encoded())) {
        return errc::bad_private_key; // the stored public key is not d G
    }
    return private_key(private_key::key_type(std::move(*key)));
}

/// RFC 5915 §3 ECPrivateKey:
///   SEQUENCE { version INTEGER (1), privateKey OCTET STRING, parameters [0] ECParameters
///   OPTIONAL, publicKey [1] BIT STRING OPTIONAL }.
/// The curve comes from `parameters` or from the PKCS #8 AlgorithmIdentifier (`outer`); both
/// present must agree, neither is bad_private_key. A public key must be the private key's.
/// CT: d goes to the constant-time key constructor; the parsing branches on the structure only.
HTTPS_DECL result<private_key> parse_sec1(bytes_view der_bytes,
                                          std::optional<ec_curve> outer) {
    der::parser top(der_bytes);
    auto seq = top.read_sequence();
    if (!seq) {
        return seq.error();
    }
    HTTPS_TRY(top.expect_empty());
    auto version = seq->read_small_unsigned(1);
    if (!version) {
        return key_error(version.error());
    }
    if (*version != 1) {
        return errc::bad_private_key; // ecPrivkeyVer1 is the only version
    }
    auto d = seq->read_octet_string();
    if (!d) {
        return d.error();
    }
    std::optional<ec_curve> inner;
    auto params = seq->read_optional(der::tag::context_constructed(0));
    if (!params) {
        return params.error();
    }
    if (*params) {
        der::parser pp((*params)->contents, seq->depth() + 1);
        auto curve = read_named_curve(pp);
        if (!curve) {
            return curve.error();
        }
        inner = *curve;
    }
    std::optional<bytes_view> public_point;
    auto pub = seq->read_optional(der::tag::context_constructed(1));
    if (!pub) {
        return pub.error();
    }
    if (*pub) {
        der::parser pp((*pub)->contents, seq->depth() + 1);
        auto bits = pp.read_bit_string();
        if (!bits) {
            return bits.error();
        }
        HTTPS_TRY(pp.expect_empty());
        if (bits->unused_bits != 0) {
            return errc::bad_private_key;
        }
        public_point = bits->bytes;
    }
    HTTPS_TRY(seq->expect_empty());
    if (inner && outer && *inner != *outer) {
        return errc::bad_private_key; // two different curves named
    }
    if (!inner && !outer) {
        return errc::bad_private_key; // no curve at all
    }
    switch (inner ? *inner : *outer) {
    case ec_curve::p256:
        return make_ec_key<crypto::ecdsa_p256_private_key>(*d, public_point);
    case ec_curve::p384:
        return make_ec_key<crypto::ecdsa_p384_private_key>(*d, public_point);
    }
    return errc::bad_private_key;
}

/// RFC 8017 A.1.2 RSAPrivateKey:
///   SEQUENCE { version INTEGER, n, e, d, p, q, dp, dq, qinv INTEGER, otherPrimeInfos OPTIONAL }.
/// Version 0 (two primes) only; version 1 (multi-prime) is unsupported_algorithm.
/// CT: the components go to the constant-time key constructor; the DER reader branches on their
/// lengths and first bytes (minimal encoding), as any DER parsing does.
HTTPS_DECL result<private_key> parse_pkcs1(bytes_view der_bytes) {
    der::parser top(der_bytes);
    auto seq = top.read_sequence();
    if (!seq) {
        return seq.error();
    }
    HTTPS_TRY(top.expect_empty());
    auto version = seq->read_small_unsigned(1);
    if (!version) {
        return key_error(version.error());
    }
    if (*version != 0) {
        return errc::unsupported_algorithm; // multi-prime RSA (RFC 8017 A.1.2 version 1)
    }
    std::array<bytes_view, 8> parts{};
    for (auto& part : parts) {
        auto v = seq->read_unsigned_integer();
        if (!v) {
            return key_error(v.error());
        }
        part = *v;
    }
    HTTPS_TRY(seq->expect_empty()); // otherPrimeInfos only exists in version 1
    const crypto::rsa_private_components c{parts[0], parts[1], parts[2], parts[3],
                                           parts[4], parts[5], parts[6], parts[7]};
    auto key = crypto::rsa_private_key::from_components(c);
    if (!key) {
        return key.error();
    }
    return private_key(private_key::key_type(std::move(*key)));
}

/// RFC 5208 §5 PrivateKeyInfo / RFC 5958 §2 OneAsymmetricKey:
///   SEQUENCE { version INTEGER (0 v1, 1 v2), privateKeyAlgorithm AlgorithmIdentifier,
///   privateKey OCTET STRING, attributes [0] IMPLICIT Attributes OPTIONAL,
///   publicKey [1] IMPLICIT BIT STRING OPTIONAL (v2 only) }.
HTTPS_DECL result<private_key> parse_pkcs8(bytes_view der_bytes) {
    der::parser top(der_bytes);
    auto seq = top.read_sequence();
    if (!seq) {
        return seq.error();
    }
    HTTPS_TRY(top.expect_empty());
    auto version = seq->read_small_unsigned(1);
    if (!version) {
        return key_error(version.error());
    }
    auto algorithm = seq->read_sequence();
    if (!algorithm) {
        return algorithm.error();
    }
    auto algorithm_oid = algorithm->read_oid();
    if (!algorithm_oid) {
        return algorithm_oid.error();
    }
    auto inner = seq->read_octet_string();
    if (!inner) {
        return inner.error();
    }
    auto attributes = seq->read_optional(der::tag::context_constructed(0));
    if (!attributes) {
        return attributes.error(); // their contents are not ours to judge (RFC 5958 §2)
    }
    auto public_key = seq->read_optional(der::tag::context_primitive(1));
    if (!public_key) {
        return public_key.error();
    }
    HTTPS_TRY(seq->expect_empty());
    if (*public_key && *version != 1) {
        return errc::bad_private_key; // RFC 5958 §2: publicKey only in version 2 (v2 = 1)
    }

    result<private_key> key = errc::unsupported_algorithm;
    if (der::oid_equals(*algorithm_oid, oid::rsa_encryption)) {
        // RFC 3279 §2.3.1 / RFC 8017 A.1: the parameters are NULL
        if (!algorithm->next_is(der::tag::null)) {
            return errc::bad_private_key;
        }
        HTTPS_TRY(algorithm->read_null());
        HTTPS_TRY(algorithm->expect_empty());
        key = parse_pkcs1(*inner);
    } else if (der::oid_equals(*algorithm_oid, oid::ec_public_key)) {
        auto curve = read_named_curve(*algorithm); // RFC 5915 §1: PKCS #8 names the curve
        if (!curve) {
            return curve.error();
        }
        key = parse_sec1(*inner, *curve);
    } else if (der::oid_equals(*algorithm_oid, oid::ed25519)) {
        if (!algorithm->empty()) {
            return errc::bad_private_key; // RFC 8410 §3: the parameters MUST be absent
        }
        // RFC 8410 §7: CurvePrivateKey ::= OCTET STRING, the 32-byte seed
        auto seed = der::parse_single(*inner, der::tag::octet_string);
        if (!seed) {
            return seed.error();
        }
        if (seed->contents.size() != crypto::ed25519_private_key::seed_size) {
            return errc::bad_private_key;
        }
        auto ed = crypto::ed25519_private_key::from_seed(seed->contents);
        if (!ed) {
            return ed.error();
        }
        key = private_key(private_key::key_type(std::move(*ed)));
    } else {
        return errc::unsupported_algorithm;
    }
    if (!key) {
        return key;
    }
    if (*public_key) {
        // [1] IMPLICIT BIT STRING: an unused-bits octet of zero, then the subjectPublicKey bytes
        const bytes_view bits = (*public_key)->contents;
        const byte_vector ours = key->public_key_bytes();
        if (bits.empty() || bits[0] != 0 ||
            !std::equal(bits.begin() + 1, bits.end(), ours.begin(), ours.end())) {
            return errc::bad_private_key;
        }
    }
    return key;
}

/// The PBES2 parameters of an EncryptedPrivateKeyInfo (RFC 8018 §6.2, A.2, A.4, B.2.5).
struct pbes2_params {
    enum class prf_kind : std::uint8_t { sha1, sha256, sha384, sha512 };
    bytes_view salt;
    std::uint64_t iterations = 0;
    prf_kind prf = prf_kind::sha1;
    std::size_t key_size = 0; ///< 16 (AES-128-CBC) or 32 (AES-256-CBC)
    bytes_view iv;
    bytes_view ciphertext;
};

/// The PRF of PBKDF2-params (RFC 8018 A.2): `prf AlgorithmIdentifier DEFAULT algid-hmacWithSHA1`,
/// parameters NULL or absent. An explicit hmacWithSHA1 (which DER would omit) is accepted: it
/// means the same and some encoders write it.
HTTPS_DECL result<pbes2_params::prf_kind> read_prf(der::parser& p) noexcept {
    auto id = p.read_sequence();
    if (!id) {
        return id.error();
    }
    auto prf_oid = id->read_oid();
    if (!prf_oid) {
        return prf_oid.error();
    }
    if (id->next_is(der::tag::null)) {
        HTTPS_TRY(id->read_null());
    }
    HTTPS_TRY(id->expect_empty());
    using kind = pbes2_params::prf_kind;
    if (der::oid_equals(*prf_oid, oid::hmac_with_sha1)) {
        return kind::sha1;
    }
    if (der::oid_equals(*prf_oid, oid::hmac_with_sha256)) {
        return kind::sha256;
    }
    if (der::oid_equals(*prf_oid, oid::hmac_with_sha384)) {
        return kind::sha384;
    }
    if (der::oid_equals(*prf_oid, oid::hmac_with_sha512)) {
        return kind::sha512;
    }
    return errc::unsupported_algorithm;
}

/// RFC 5208 §6 EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm AlgorithmIdentifier,
/// encryptedData OCTET STRING }, with encryptionAlgorithm id-PBES2 { PBKDF2, AES-CBC-Pad }.
/// The salt is 1..1024 bytes, the iteration count 1..`max_iterations` (and never above
/// crypto::pbkdf2_max_iterations: kdf_iterations_exceeded), a keyLength
/// if present the cipher's, the IV 16 bytes, the ciphertext a non-zero multiple of 16 bytes.
/// CT: public data only (the ciphertext is not looked at).
HTTPS_DECL result<pbes2_params> parse_encrypted_pkcs8(bytes_view der_bytes,
                                                      std::uint64_t max_iterations) {
    der::parser top(der_bytes);
    auto seq = top.read_sequence();
    if (!seq) {
        return seq.error();
    }
    HTTPS_TRY(top.expect_empty());
    auto algorithm = seq->read_sequence();
    if (!algorithm) {
        return algorithm.error();
    }
    auto scheme = algorithm->read_oid();
    if (!scheme) {
        return scheme.error();
    }
    if (!der::oid_equals(*scheme, oid::pbes2)) {
        return errc::unsupported_algorithm; // PBES1 (DES, RC2, MD5) and PKCS #12 schemes
    }
    auto params = algorithm->read_sequence();
    if (!params) {
        return params.error();
    }
    HTTPS_TRY(algorithm->expect_empty());

    // keyDerivationFunc: PBKDF2 (RFC 8018 A.2)
    auto kdf = params->read_sequence();
    if (!kdf) {
        return kdf.error();
    }
    auto kdf_oid = kdf->read_oid();
    if (!kdf_oid) {
        return kdf_oid.error();
    }
    if (!der::oid_equals(*kdf_oid, oid::pbkdf2)) {
        return errc::unsupported_algorithm; // scrypt (RFC 7914) and others
    }
    auto kp = kdf->read_sequence();
    if (!kp) {
        return kp.error();
    }
    HTTPS_TRY(kdf->expect_empty());
    pbes2_params out;
    if (!kp->next_is(der::tag::octet_string)) {
        return kp->empty() ? errc::truncated : errc::unsupported_algorithm; // salt otherSource
    }
    auto salt = kp->read_octet_string();
    if (!salt) {
        return salt.error();
    }
    if (salt->empty() || salt->size() > 1024) {
        return errc::bad_private_key;
    }
    out.salt = *salt;
    auto iterations = kp->read_unsigned_integer();
    if (!iterations) {
        return key_error(iterations.error());
    }
    if (iterations->size() > 4) {
        return errc::kdf_iterations_exceeded;
    }
    for (std::uint8_t b : *iterations) {
        out.iterations = (out.iterations << 8) | b;
    }
    if (out.iterations == 0) {
        return errc::bad_private_key; // iterationCount INTEGER (1..MAX)
    }
    if (out.iterations > crypto::pbkdf2_max_iterations || out.iterations > max_iterations) {
        return errc::kdf_iterations_exceeded;
    }
    std::optional<std::uint64_t> key_length;
    if (kp->next_is(der::tag::integer)) {
        auto kl = kp->read_small_unsigned(1024);
        if (!kl) {
            return key_error(kl.error());
        }
        key_length = *kl;
    }
    if (kp->next_is(der::tag::sequence)) {
        auto prf = read_prf(*kp);
        if (!prf) {
            return prf.error();
        }
        out.prf = *prf;
    }
    HTTPS_TRY(kp->expect_empty());

    // encryptionScheme: AES-CBC-Pad with a 16-byte IV (RFC 8018 B.2.5)
    auto enc = params->read_sequence();
    if (!enc) {
        return enc.error();
    }
    HTTPS_TRY(params->expect_empty());
    auto enc_oid = enc->read_oid();
    if (!enc_oid) {
        return enc_oid.error();
    }
    if (der::oid_equals(*enc_oid, oid::aes128_cbc)) {
        out.key_size = 16;
    } else if (der::oid_equals(*enc_oid, oid::aes256_cbc)) {
        out.key_size = 32;
    } else {
        return errc::unsupported_algorithm; // DES-EDE3-CBC, AES-192, RC2, ...
    }
    auto iv = enc->read_octet_string();
    if (!iv) {
        return iv.error();
    }
    HTTPS_TRY(enc->expect_empty());
    if (iv->size() != 16) {
        return errc::bad_private_key;
    }
    out.iv = *iv;
    if (key_length && *key_length != out.key_size) {
        return errc::bad_private_key;
    }

    auto data = seq->read_octet_string();
    if (!data) {
        return data.error();
    }
    HTTPS_TRY(seq->expect_empty());
    if (data->empty() || data->size() % 16 != 0) {
        return errc::bad_private_key;
    }
    out.ciphertext = *data;
    return out;
}

/// PBES2 decryption (RFC 8018 §6.2.2): DK = PBKDF2(P, S, c, dkLen), M = AES-CBC-Decrypt(DK, IV,
/// C), then the PKCS #7 padding checked and removed. `plaintext` must be ciphertext.size() bytes;
/// returns the length of the message at its front. Errors: kdf_iterations_exceeded (from
/// PBKDF2), key_decrypt_failed for bad padding (a wrong passphrase, almost always).
/// CT: the passphrase, DK and the plaintext never steer a branch or an index up to the padding
/// verdict and the message length, which crypto::pkcs7_unpad declassifies together: both are
/// public once a passphrase is known to be right or wrong. DK is wiped.
HTTPS_DECL result<std::size_t> pbes2_decrypt(const pbes2_params& params, bytes_view passphrase,
                                             mutable_bytes plaintext) {
    ct::secret_array<32> dk;
    const mutable_bytes key = dk.span().first(params.key_size);
    status derived;
    switch (params.prf) {
    case pbes2_params::prf_kind::sha1:
        derived = crypto::pbkdf2<crypto::sha1>(passphrase, params.salt, params.iterations, key);
        break;
    case pbes2_params::prf_kind::sha256:
        derived = crypto::pbkdf2<crypto::sha256>(passphrase, params.salt, params.iterations, key);
        break;
    case pbes2_params::prf_kind::sha384:
        derived = crypto::pbkdf2<crypto::sha384>(passphrase, params.salt, params.iterations, key);
        break;
    case pbes2_params::prf_kind::sha512:
        derived = crypto::pbkdf2<crypto::sha512>(passphrase, params.salt, params.iterations, key);
        break;
    }
    if (!derived) {
        return derived.error();
    }
    const std::span<const std::uint8_t, 16> iv(params.iv.data(), 16);
    if (params.key_size == 16) {
        const crypto::aes128 cipher(std::span<const std::uint8_t, 16>(dk.data(), 16));
        crypto::cbc_decrypt(cipher, iv, params.ciphertext, plaintext);
    } else {
        const crypto::aes256 cipher(std::span<const std::uint8_t, 32>(dk.data(), 32));
        crypto::cbc_decrypt(cipher, iv, params.ciphertext, plaintext);
    }
    auto length = crypto::pkcs7_unpad<16>(plaintext);
    if (!length) {
        return errc::key_decrypt_failed;
    }
    return *length;
}

/// An encrypted PKCS #8 key: decrypt, then parse the PrivateKeyInfo inside. A plaintext that is
/// not DER (the rare wrong passphrase whose padding happens to look right) is key_decrypt_failed;
/// errors about a well-formed key (weak_key, unsupported_algorithm, ...) are passed on.
HTTPS_DECL result<private_key> decrypt_pkcs8(bytes_view der_bytes,
                                             std::optional<std::string_view> passphrase,
                                             std::uint64_t max_iterations) {
    auto params = parse_encrypted_pkcs8(der_bytes, max_iterations);
    if (!params) {
        return params.error();
    }
    if (!passphrase) {
        return errc::key_passphrase_required;
    }
    const bytes_view pass(reinterpret_cast<const std::uint8_t*>(passphrase->data()),
                          passphrase->size());
    secret_buffer plaintext(params->ciphertext.size());
    auto length = pbes2_decrypt(*params, pass, plaintext.span());
    if (!length) {
        return length.error();
    }
    auto key = parse_pkcs8(plaintext.view().first(*length));
    if (!key && layer_of(key.error()) == error_layer::decode) {
        return errc::key_decrypt_failed;
    }
    return key;
}

/// Which container a DER key is, from the tags of its first elements.
enum class key_container : std::uint8_t { pkcs8, encrypted_pkcs8, pkcs1, sec1 };

HTTPS_DECL result<key_container> container_of(bytes_view der_bytes) noexcept {
    der::parser top(der_bytes);
    auto seq = top.read_sequence();
    if (!seq) {
        return seq.error();
    }
    if (seq->next_is(der::tag::sequence)) {
        return key_container::encrypted_pkcs8; // { AlgorithmIdentifier, OCTET STRING }
    }
    auto version = seq->read_integer();
    if (!version) {
        return version.error();
    }
    if (seq->next_is(der::tag::sequence)) {
        return key_container::pkcs8; // { version, AlgorithmIdentifier, ... }
    }
    if (seq->next_is(der::tag::integer)) {
        return key_container::pkcs1; // { version, n, ... }
    }
    if (seq->next_is(der::tag::octet_string)) {
        return key_container::sec1; // { version, privateKey, ... }
    }
    return seq->empty() ? errc::truncated : errc::unexpected_tag;
}

HTTPS_DECL result<private_key> parse_container(key_container kind, bytes_view der_bytes,
                                               std::optional<std::string_view> passphrase,
                                               std::uint64_t max_iterations) {
    if (der_bytes.size() > max_private_key_der_size) {
        return errc::too_large;
    }
    switch (kind) {
    case key_container::pkcs8:
        return parse_pkcs8(der_bytes);
    case key_container::encrypted_pkcs8:
        return decrypt_pkcs8(der_bytes, passphrase, max_iterations);
    case key_container::pkcs1:
        return parse_pkcs1(der_bytes);
    case key_container::sec1:
        return parse_sec1(der_bytes, std::nullopt);
    }
    return errc::bad_private_key;
}

} // namespace detail

HTTPS_DECL byte_vector private_key::public_key_bytes() const {
    byte_vector out;
    if (const auto* rsa = std::get_if<crypto::rsa_private_key>(&key_)) {
        const auto& pub = rsa->public_key();
        byte_vector n(pub.size());
        (void)pub.context().modulus().to_bytes_be(n); // n fills exactly size() bytes
        std::array<std::uint8_t, 8> e{};
        const std::uint64_t exponent = pub.exponent();
        for (std::size_t i = 0; i < 8; ++i) {
            e[i] = static_cast<std::uint8_t>(exponent >> (8 * (7 - i)));
        }
        byte_vector integers;
        detail::der_append_unsigned(integers, n);
        detail::der_append_unsigned(integers, e);
        detail::der_append(out, der::tag::sequence, integers);
    } else if (const auto* p256 = std::get_if<crypto::ecdsa_p256_private_key>(&key_)) {
        const auto point = p256->public_key().encoded();
        out.assign(point.begin(), point.end());
    } else if (const auto* p384 = std::get_if<crypto::ecdsa_p384_private_key>(&key_)) {
        const auto point = p384->public_key().encoded();
        out.assign(point.begin(), point.end());
    } else if (const auto* ed = std::get_if<crypto::ed25519_private_key>(&key_)) {
        const auto a = ed->public_key().encoded();
        out.assign(a.begin(), a.end());
    }
    return out;
}

HTTPS_DECL byte_vector private_key::public_key_info() const {
    byte_vector identifier;
    switch (algorithm()) {
    case key_algorithm::rsa:
        detail::der_append(identifier, der::tag::oid, oid::rsa_encryption);
        detail::der_append(identifier, der::tag::null, {});
        break;
    case key_algorithm::ec_p256:
        detail::der_append(identifier, der::tag::oid, oid::ec_public_key);
        detail::der_append(identifier, der::tag::oid, oid::secp256r1);
        break;
    case key_algorithm::ec_p384:
        detail::der_append(identifier, der::tag::oid, oid::ec_public_key);
        detail::der_append(identifier, der::tag::oid, oid::secp384r1);
        break;
    case key_algorithm::ed25519:
        detail::der_append(identifier, der::tag::oid, oid::ed25519);
        break;
    case key_algorithm::unsupported:
        break;
    }
    byte_vector bits{0}; // no unused bits
    const byte_vector key = public_key_bytes();
    bits.insert(bits.end(), key.begin(), key.end());
    byte_vector body;
    detail::der_append(body, der::tag::sequence, identifier);
    detail::der_append(body, der::tag::bit_string, bits);
    byte_vector out;
    detail::der_append(out, der::tag::sequence, body);
    return out;
}

HTTPS_DECL result<private_key> parse_private_key_der(bytes_view der,
                                                     std::optional<std::string_view> passphrase,
                                                     std::uint64_t max_kdf_iterations) {
    if (der.size() > max_private_key_der_size) {
        return errc::too_large;
    }
    auto kind = detail::container_of(der);
    if (!kind) {
        return kind.error();
    }
    return detail::parse_container(*kind, der, passphrase, max_kdf_iterations);
}

HTTPS_DECL result<private_key> parse_private_key_pem(std::string_view text,
                                                     std::optional<std::string_view> passphrase,
                                                     std::uint64_t max_kdf_iterations) {
    if (text.size() > max_private_key_pem_size) {
        return errc::too_large;
    }
    // RFC 1421-style headers inside a key block: OpenSSL's traditional encryption
    // ("Proc-Type: 4,ENCRYPTED" and "DEK-Info: AES-256-CBC,..."), MD5-based and unsupported.
    if (text.find("Proc-Type:") != std::string_view::npos ||
        text.find("DEK-Info:") != std::string_view::npos) {
        return errc::key_legacy_encryption;
    }
    auto blocks = parse_pem(text);
    if (!blocks) {
        return blocks.error();
    }
    // The decoded blocks hold the key: wipe them whatever happens.
    class wipe_blocks {
      public:
        explicit wipe_blocks(std::vector<pem_block>* blocks) noexcept : blocks_(blocks) {}
        wipe_blocks(const wipe_blocks&) = delete;
        wipe_blocks& operator=(const wipe_blocks&) = delete;
        wipe_blocks(wipe_blocks&&) = delete;
        wipe_blocks& operator=(wipe_blocks&&) = delete;
        ~wipe_blocks() {
            for (auto& b : *blocks_) {
                ct::wipe(b.der.data(), b.der.size());
            }
        }

      private:
        std::vector<pem_block>* blocks_;
    };
    const wipe_blocks guard(&*blocks);

    const pem_block* found = nullptr;
    detail::key_container kind = detail::key_container::pkcs8;
    bool other_key = false;
    for (const auto& b : *blocks) {
        std::optional<detail::key_container> k;
        if (b.label == "PRIVATE KEY") {
            k = detail::key_container::pkcs8;
        } else if (b.label == "ENCRYPTED PRIVATE KEY") {
            k = detail::key_container::encrypted_pkcs8;
        } else if (b.label == "RSA PRIVATE KEY") {
            k = detail::key_container::pkcs1;
        } else if (b.label == "EC PRIVATE KEY") {
            k = detail::key_container::sec1;
        } else if (b.label.find("PRIVATE KEY") != std::string::npos) {
            other_key = true; // DSA PRIVATE KEY, OPENSSH PRIVATE KEY, ...
        }
        if (!k) {
            continue;
        }
        if (found != nullptr) {
            return errc::bad_private_key; // which of two keys would be meant?
        }
        found = &b;
        kind = *k;
    }
    if (found == nullptr) {
        return other_key ? errc::unsupported_algorithm : errc::bad_pem;
    }
    // The label names the container: the DER must be that one, not another that parses too.
    auto actual = detail::container_of(found->der);
    if (!actual) {
        return actual.error();
    }
    if (*actual != kind) {
        return errc::bad_private_key;
    }
    return detail::parse_container(kind, found->der, passphrase, max_kdf_iterations);
}

HTTPS_DECL status check_matches(const private_key& key, bytes_view spki) {
    der::parser p(spki);
    auto info = detail::parse_spki(p);
    if (!info) {
        return info.error();
    }
    HTTPS_TRY(p.expect_empty());
    if (info->algorithm != key.algorithm()) {
        return errc::key_certificate_mismatch;
    }
    // Both sides are canonical encodings of the key (RSAPublicKey DER, an uncompressed point,
    // Ed25519's A; the certificate parser refuses anything else), so equal bytes mean equal keys.
    const byte_vector ours = key.public_key_bytes();
    if (!std::equal(ours.begin(), ours.end(), info->key.begin(), info->key.end())) {
        return errc::key_certificate_mismatch;
    }
    return {};
}

HTTPS_DECL status check_matches(const private_key& key, const certificate& cert) {
    return check_matches(key, cert.spki.der);
}

} // namespace https::x509
