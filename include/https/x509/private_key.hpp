// Private-key files for client certificates: PKCS #8 (plain and PBES2-encrypted), PKCS #1 RSA and
// SEC 1 EC keys, in DER or PEM, parsed strictly into an RSA, ECDSA P-256/P-384 or Ed25519 key,
// and the check that a key belongs to a certificate.
#pragma once

#include "../core/bytes.hpp"
#include "../core/config.hpp"
#include "../core/result.hpp"
#include "../crypto/ecdsa_private_key.hpp"
#include "../crypto/ed25519_private_key.hpp"
#include "../crypto/pbkdf2.hpp"
#include "../crypto/rsa_private_key.hpp"
#include "certificate.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace https::x509 {

/// The largest DER private-key structure accepted (errc::too_large above): an 8192-bit RSA key in
/// PKCS #8 takes about 4.9 KB, encrypted about 5 KB.
inline constexpr std::size_t max_private_key_der_size = 16 * 1024;
/// The largest PEM text accepted (errc::too_large above); other blocks (a certificate chain, EC
/// PARAMETERS) may share the file.
inline constexpr std::size_t max_private_key_pem_size = 256 * 1024;

/// A private key read from a file: one of the signing keys of the crypto layer. Every alternative
/// wipes its secrets when destroyed.
class private_key {
  public:
    using key_type = std::variant<crypto::rsa_private_key, crypto::ecdsa_p256_private_key,
                                  crypto::ecdsa_p384_private_key, crypto::ed25519_private_key>;

    explicit private_key(key_type key) noexcept(std::is_nothrow_move_constructible_v<key_type>)
        : key_(std::move(key)) {}

    /// The key's algorithm, named as a certificate names its subject key's.
    [[nodiscard]] key_algorithm algorithm() const noexcept {
        switch (key_.index()) {
        case 0:
            return key_algorithm::rsa;
        case 1:
            return key_algorithm::ec_p256;
        case 2:
            return key_algorithm::ec_p384;
        default:
            return key_algorithm::ed25519;
        }
    }

    /// The key itself, to sign with (std::visit or std::get_if).
    [[nodiscard]] const key_type& key() const noexcept { return key_; }
    /// The key as type `K`, or nullptr when it holds another type.
    template <class K> [[nodiscard]] const K* get_if() const noexcept {
        return std::get_if<K>(&key_);
    }

    /// The subjectPublicKey bytes a certificate for this key carries: RSAPublicKey DER (RFC 8017
    /// A.1.1), the uncompressed EC point (SEC 1 §2.3.3), or Ed25519's 32-byte A (RFC 8410 §4).
    /// CT: public data only.
    [[nodiscard]] HTTPS_DECL byte_vector public_key_bytes() const;
    /// The DER SubjectPublicKeyInfo of the public key (RFC 5280 §4.1.2.7 with RFC 3279 §2.3.1,
    /// RFC 5480 §2 named curves, RFC 8410 §4), as a certificate for this key would carry it.
    /// CT: public data only.
    [[nodiscard]] HTTPS_DECL byte_vector public_key_info() const;

  private:
    key_type key_;
};

/// Parse a DER private key, recognising its container from its shape:
///  - PKCS #8 PrivateKeyInfo / OneAsymmetricKey (RFC 5208 §5, RFC 5958 §2; version 0 or 1) with
///    rsaEncryption (NULL parameters), id-ecPublicKey (namedCurve P-256 or P-384, inner RFC 5915
///    ECPrivateKey) or id-Ed25519 (RFC 8410 §7: absent parameters, inner 32-byte OCTET STRING);
///    a publicKey [1], if present, must be the key's;
///  - EncryptedPrivateKeyInfo (RFC 5208 §6) with PBES2 (RFC 8018 §6.2): PBKDF2 with HMAC-SHA1
///    (the default), -SHA256, -SHA384 or -SHA512 and AES-128-CBC or AES-256-CBC, PKCS #7 padded;
///    it needs `passphrase`;
///  - PKCS #1 RSAPrivateKey (RFC 8017 A.1.2), version 0 (two primes) only;
///  - SEC 1 ECPrivateKey (RFC 5915 §3) naming its curve in its parameters.
/// Errors: `too_large` above max_private_key_der_size; the strict DER reader's errors (truncated,
/// trailing_data, unexpected_tag, non_minimal_encoding, ...); `bad_private_key` for a structure
/// that is well-formed DER but not a valid key (a wrong version, a negative integer, a missing or
/// conflicting curve, a public key that is not the private key's, inconsistent RSA components);
/// `unsupported_algorithm` (another key type, multi-prime RSA, another PBES2 KDF, PRF or cipher),
/// `unsupported_curve`; the key constructors' errors (`weak_key` for RSA below 2048 bits,
/// `bad_key_size` above 8192 bits or for a scalar of the wrong length, `out_of_range` for an EC
/// scalar outside [1, n - 1]); for an encrypted key `key_passphrase_required`,
/// `kdf_iterations_exceeded` (more than crypto::pbkdf2_max_iterations) and `key_decrypt_failed`
/// (a wrong passphrase or a corrupt ciphertext: bad padding, or a plaintext that is not DER).
/// A passphrase given for an unencrypted key is ignored. `max_kdf_iterations` lowers the PBKDF2
/// iteration cap further (never raises it above crypto::pbkdf2_max_iterations).
/// CT: the passphrase, the derived key and the decryption are constant time up to the padding
/// verdict, which is declassified (it says "wrong passphrase" and nothing more); the DER parsing
/// of a key's plaintext branches on its structure (tags, lengths, the minimality of INTEGERs),
/// which reveals the lengths of the key's components, never their values beyond that.
[[nodiscard]] HTTPS_DECL result<private_key>
parse_private_key_der(bytes_view der, std::optional<std::string_view> passphrase = std::nullopt,
                      std::uint64_t max_kdf_iterations = crypto::pbkdf2_max_iterations);

/// Parse the one private key in PEM `text` (RFC 7468), by its label: `PRIVATE KEY` (PKCS #8),
/// `ENCRYPTED PRIVATE KEY`, `RSA PRIVATE KEY` (PKCS #1), `EC PRIVATE KEY` (SEC 1); the DER must
/// be the container its label names. Blocks with other labels (CERTIFICATE, EC PARAMETERS) are
/// skipped. Errors: `too_large` above max_private_key_pem_size; `key_legacy_encryption` for
/// OpenSSL's traditional encrypted PEM (a `Proc-Type: 4,ENCRYPTED` header; convert it with
/// `openssl pkcs8 -topk8`); `bad_pem` for malformed PEM or no private-key block;
/// `unsupported_algorithm` for another kind of private-key block (DSA, OpenSSH);
/// `bad_private_key` for more than one key; then as parse_private_key_der.
/// CT: as parse_private_key_der; in addition the base64 decoding (x509/pem.hpp) uses a table
/// lookup per character, so the key's base64 text is not handled in constant time.
[[nodiscard]] HTTPS_DECL result<private_key>
parse_private_key_pem(std::string_view text,
                      std::optional<std::string_view> passphrase = std::nullopt,
                      std::uint64_t max_kdf_iterations = crypto::pbkdf2_max_iterations);

/// Does `key` belong to the public key in DER SubjectPublicKeyInfo `spki`? Errors: the SPKI's own
/// parsing errors (as in a certificate); `key_certificate_mismatch` for another algorithm, curve
/// or key. CT: public data only.
[[nodiscard]] HTTPS_DECL status check_matches(const private_key& key, bytes_view spki);
/// Does `key` belong to `cert`'s subject public key? `key_certificate_mismatch` if not.
/// CT: public data only.
[[nodiscard]] HTTPS_DECL status check_matches(const private_key& key, const certificate& cert);

} // namespace https::x509

#if !defined(HTTPS_SEPARATE_COMPILATION)
#include "impl/private_key.ipp"
#endif
