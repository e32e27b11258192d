// https: a header-only HTTPS client for C++20 with its own cryptography, as one header.
// Generated from include/ by scripts/make-single-header.py; do not edit.
// Header-only by default. For separate compilation, define HTTPS_SEPARATE_COMPILATION in
// every file that includes this header and compile https.cpp (next to it) once.
#pragma once

// ---- https/https.hpp ---------------------------------------------------------------------------
// The facade: https::get / https::request / https::client, one exception type and non-throwing
// overloads. This header is light on purpose: it declares the public API only. The TLS engine,
// X.509 and the crypto behind it are included by its implementation (impl/https.ipp), which the
// header pulls in when header-only and `src/https.cpp` compiles once with
// HTTPS_SEPARATE_COMPILATION.

// ---- https/core/bytes.hpp ----------------------------------------------------------------------
// Byte-span aliases, big-endian load/store, and the bounds-checked reader and writer that all
// peer input and protocol output go through.

// ---- https/core/result.hpp ---------------------------------------------------------------------
// result<T>: a value or an https::errc, the return type of every fallible call below the facade.

// ---- https/core/errc.hpp -----------------------------------------------------------------------
// The project's one error enum, grouped in ranges by layer, wired into std::error_code.

#include <string>
#include <system_error>

namespace https {

/// Every error the library reports below the facade. Values are grouped by layer in ranges of
/// 100 so that a value alone says where it came from; `layer_of` returns that range.
/// Add new values inside their layer's range, never renumber existing ones.
enum class errc : int {
    ok = 0,

    // 100..199 decoding of peer or file input (bounds-checked reader, DER, PEM, base64, hex)
    truncated = 100,          ///< input ended before a field it announced
    trailing_data,            ///< bytes left over after a complete structure
    length_overflow,          ///< a length larger than the input, a limit or its length field
    too_large,                ///< input larger than the configured size limit
    too_deep,                 ///< nesting deeper than the configured limit
    bad_encoding,             ///< malformed encoding (not a more specific decode error)
    non_minimal_encoding,     ///< DER: a length or integer not in its shortest form
    indefinite_length,        ///< BER indefinite length in a DER context
    unexpected_tag,           ///< DER: a tag other than the one the structure requires
    bad_time,                 ///< UTCTime/GeneralizedTime not in the strict DER form
    bad_pem,                  ///< PEM armour or base64 malformed
    bad_hex,                  ///< hexadecimal text malformed
    // 150..169 compressed content: RFC 1951 DEFLATE and its RFC 1950 (zlib) and RFC 1952 (gzip)
    // wrappers, as HTTP's deflate and gzip content codings carry them
    inflate_truncated = 150,  ///< the compressed stream ended before its last block or trailer
    inflate_bad_header,       ///< zlib or gzip header invalid (method, flags, check bits, dictionary)
    inflate_bad_block_type,   ///< DEFLATE block type 3, which RFC 1951 §3.2.3 reserves
    inflate_bad_stored_length,///< a stored block's LEN is not the complement of its NLEN
    inflate_bad_code_lengths, ///< Huffman code lengths over-subscribed, incomplete or miscounted
    inflate_bad_symbol,       ///< a literal/length or distance code that stands for nothing
    inflate_distance_too_far, ///< a back-reference to before the start of the output
    inflate_bad_checksum,     ///< Adler-32, CRC-32, ISIZE or gzip header CRC does not match
    inflate_trailing_data,    ///< bytes after the end of the compressed stream
    inflate_too_large,        ///< decoded output above the configured size cap
    inflate_ratio_exceeded,   ///< decoded output above the configured multiple of its input

    // 200..299 cryptography
    bad_key_size = 200,       ///< a key of a length the algorithm does not accept
    bad_nonce_size,           ///< a nonce/IV of a length the algorithm does not accept
    bad_tag,                  ///< AEAD tag or MAC did not verify (no plaintext released)
    bad_padding,              ///< block-cipher padding invalid
    message_too_long,         ///< input beyond the algorithm's length limit
    output_too_small,         ///< caller's output buffer shorter than needed
    bad_signature,            ///< a signature that does not verify or is malformed
    bad_public_key,           ///< a public key that is malformed or fails validation
    weak_key,                 ///< a key below the policy's minimum strength
    point_not_on_curve,       ///< an elliptic-curve point that is not on the curve
    point_at_infinity,        ///< the identity where a proper point is required
    unsupported_curve,        ///< a named curve we do not implement
    unsupported_algorithm,    ///< an algorithm identifier we do not implement or allow
    zero_shared_secret,       ///< X25519 produced the all-zero output (small-order point)
    random_failure,           ///< the operating system's random number source failed
    out_of_range,             ///< a numeric value outside the range the algorithm allows
    bad_ciphertext_size,      ///< a KEM ciphertext of a length the algorithm does not accept
    bad_private_key,          ///< a private key that is malformed or fails its consistency check
    signing_fault,            ///< a signature failed its own check before release (a fault while signing)

    // 300..399 X.509 path validation
    cert_malformed = 300,     ///< certificate does not parse under strict DER/RFC 5280 rules
    cert_expired,             ///< notAfter is before the verification time
    cert_not_yet_valid,       ///< notBefore is after the verification time
    cert_hostname_mismatch,   ///< no subjectAltName matches the requested host or address
    cert_unknown_issuer,      ///< no path to a trust anchor could be built
    cert_bad_signature,       ///< a signature in the chain does not verify
    cert_weak_key,            ///< a key outside policy (RSA < 2048 bits or not a multiple of 8)
    cert_weak_signature,      ///< a signature algorithm the policy refuses (MD5, SHA-1)
    cert_not_ca,              ///< an issuer without basicConstraints cA=TRUE or keyCertSign
    cert_path_length_exceeded,///< pathLenConstraint violated
    cert_name_constraint_violated,
    cert_bad_eku,             ///< extKeyUsage missing or wrong for a server (serverAuth)
    cert_unknown_critical_extension,
    cert_self_signed_leaf,    ///< the leaf is self-signed and not itself trusted
    cert_chain_too_long,      ///< path building gave up at the depth limit
    cert_bad_key_usage,       ///< keyUsage forbids the use the path needs
    trust_store_unavailable,  ///< no system or configured trust anchors could be loaded
    cert_no_identity,         ///< no host name or address to check, and host_check::none not set
    // The web PKI profile (x509::certificate_profile::web_pki): a certificate that parses and
    // chains but breaks a rule of RFC 5280 §4 or the CA/Browser Forum Baseline Requirements §7.1.
    cert_bad_key_identifier,  ///< authority/subjectKeyIdentifier missing, critical or inconsistent
    cert_bad_basic_constraints, ///< basicConstraints not critical in a CA, or cA and keyCertSign disagree
    cert_bad_name_constraints,///< nameConstraints in an end-entity certificate, or not a valid name
    cert_bad_subject_alt_name,///< subjectAltName missing, wrongly critical, or not a valid host name
    cert_common_name_mismatch,///< the subject commonName is not one of the subjectAltName entries
    cert_bad_serial,          ///< serial number zero in a certificate the server sent
    // Revocation through a stapled OCSP response (RFC 6960, RFC 6066 §8, RFC 7633).
    cert_revoked,             ///< a valid OCSP response says the certificate is revoked
    cert_ocsp_missing,        ///< the certificate demands a staple (must-staple) and none was usable
    cert_ocsp_malformed,      ///< the stapled response does not parse, or did not succeed
    cert_ocsp_bad_responder,  ///< not signed by the issuer or a responder it authorised
    cert_ocsp_stale,          ///< thisUpdate in the future, or nextUpdate passed
    cert_ocsp_unknown,        ///< the response has no status for this certificate, or "unknown"

    // 400..499 TLS
    tls_unexpected_message = 400,
    tls_decode_error,
    tls_illegal_parameter,
    tls_handshake_failure,
    tls_protocol_version,
    tls_record_overflow,
    tls_bad_record_mac,
    tls_decrypt_error,
    tls_missing_extension,
    tls_unsupported_extension,
    tls_insufficient_security,
    tls_no_application_protocol,
    tls_downgrade_detected,   ///< RFC 8446 §4.1.3 sentinel found in ServerHello.random
    tls_no_renegotiation,
    tls_alert_received,       ///< the peer sent a fatal alert (see the engine for which)
    tls_closed,               ///< the peer sent close_notify
    tls_internal_error,

    // 500..599 HTTP
    http_bad_url = 500,
    http_unsupported_scheme,
    http_bad_status_line,
    http_bad_header,
    http_header_too_large,
    http_bad_content_length,
    http_bad_chunk,
    http_body_too_large,
    http_too_many_redirects,
    http_insecure_redirect,
    http_truncated_body,
    http_aborted,             ///< the caller's body callback asked to stop
    http_too_many_interim,    ///< more interim (1xx) responses than parser_limits allows
    http_body_read_failed,    ///< a request body source could not be opened or read
    http_body_length_mismatch,///< a request body source ended before the size it announced
    http_body_not_rewindable, ///< a request body must be sent again and its source cannot restart

    // 600..699 network
    net_resolve_failed = 600,
    net_connect_failed,
    net_timeout,
    net_connection_closed,
    net_io_error,
    net_idle_timeout,         ///< no progress on a connection for the idle timeout
};

namespace detail {
class errc_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "https"; }
    std::string message(int value) const override;
};
} // namespace detail

/// The std::error_category of `https::errc`.
inline const std::error_category& errc_category() noexcept {
    static const detail::errc_category_impl instance;
    return instance;
}

inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), errc_category()};
}

/// A short English description of an error value.
inline const char* describe(errc e) noexcept {
    switch (e) {
    case errc::ok: return "success";
    case errc::truncated: return "input truncated";
    case errc::trailing_data: return "trailing data after structure";
    case errc::length_overflow: return "length field exceeds input or limit";
    case errc::too_large: return "input exceeds size limit";
    case errc::too_deep: return "nesting exceeds depth limit";
    case errc::bad_encoding: return "malformed encoding";
    case errc::non_minimal_encoding: return "non-minimal DER encoding";
    case errc::indefinite_length: return "indefinite length not allowed in DER";
    case errc::unexpected_tag: return "unexpected DER tag";
    case errc::bad_time: return "malformed time value";
    case errc::bad_pem: return "malformed PEM";
    case errc::bad_hex: return "malformed hexadecimal";
    case errc::inflate_truncated: return "compressed stream truncated";
    case errc::inflate_bad_header: return "invalid zlib or gzip header";
    case errc::inflate_bad_block_type: return "invalid DEFLATE block type";
    case errc::inflate_bad_stored_length: return "DEFLATE stored block length check failed";
    case errc::inflate_bad_code_lengths: return "invalid DEFLATE Huffman code lengths";
    case errc::inflate_bad_symbol: return "invalid DEFLATE literal/length or distance code";
    case errc::inflate_distance_too_far: return "DEFLATE distance too far back";
    case errc::inflate_bad_checksum: return "compressed stream checksum mismatch";
    case errc::inflate_trailing_data: return "data after the end of the compressed stream";
    case errc::inflate_too_large: return "decompressed body exceeds size limit";
    case errc::inflate_ratio_exceeded: return "decompression ratio exceeds limit";
    case errc::bad_key_size: return "unsupported key size";
    case errc::bad_nonce_size: return "unsupported nonce size";
    case errc::bad_tag: return "authentication tag mismatch";
    case errc::bad_padding: return "invalid padding";
    case errc::message_too_long: return "message exceeds algorithm limit";
    case errc::output_too_small: return "output buffer too small";
    case errc::bad_signature: return "signature verification failed";
    case errc::bad_public_key: return "invalid public key";
    case errc::weak_key: return "key below minimum strength";
    case errc::point_not_on_curve: return "point not on curve";
    case errc::point_at_infinity: return "point at infinity";
    case errc::unsupported_curve: return "unsupported curve";
    case errc::unsupported_algorithm: return "unsupported algorithm";
    case errc::zero_shared_secret: return "all-zero shared secret";
    case errc::random_failure: return "operating system random source failed";
    case errc::out_of_range: return "value out of range";
    case errc::bad_ciphertext_size: return "unsupported ciphertext size";
    case errc::bad_private_key: return "invalid private key";
    case errc::signing_fault: return "signature failed its check before release (fault while signing)";
    case errc::cert_malformed: return "certificate malformed";
    case errc::cert_expired: return "certificate expired";
    case errc::cert_not_yet_valid: return "certificate not yet valid";
    case errc::cert_hostname_mismatch: return "certificate does not match host name";
    case errc::cert_unknown_issuer: return "certificate issuer unknown (no path to a trust anchor)";
    case errc::cert_bad_signature: return "certificate signature invalid";
    case errc::cert_weak_key: return "certificate key too weak";
    case errc::cert_weak_signature: return "certificate signature algorithm too weak";
    case errc::cert_not_ca: return "issuer is not a CA";
    case errc::cert_path_length_exceeded: return "path length constraint exceeded";
    case errc::cert_name_constraint_violated: return "name constraint violated";
    case errc::cert_bad_eku: return "extended key usage missing or not for server authentication";
    case errc::cert_unknown_critical_extension: return "unknown critical extension";
    case errc::cert_self_signed_leaf: return "self-signed certificate";
    case errc::cert_chain_too_long: return "certificate chain too long";
    case errc::cert_bad_key_usage: return "key usage does not allow this use";
    case errc::trust_store_unavailable: return "no trust anchors available";
    case errc::cert_no_identity: return "no host name or address to check the certificate against";
    case errc::cert_bad_key_identifier: return "certificate key identifier missing, critical or inconsistent";
    case errc::cert_bad_basic_constraints: return "certificate basic constraints inconsistent with its key usage or not critical";
    case errc::cert_bad_name_constraints: return "name constraints in an end-entity certificate or not a valid name";
    case errc::cert_bad_subject_alt_name: return "certificate subject alternative name missing, wrongly critical or not a valid host name";
    case errc::cert_common_name_mismatch: return "certificate common name is not one of its subject alternative names";
    case errc::cert_bad_serial: return "certificate serial number is zero";
    case errc::cert_revoked: return "certificate revoked (stapled OCSP response)";
    case errc::cert_ocsp_missing: return "certificate requires a stapled OCSP response (must-staple) and none was usable";
    case errc::cert_ocsp_malformed: return "stapled OCSP response malformed or not successful";
    case errc::cert_ocsp_bad_responder: return "stapled OCSP response not signed by the issuer or its responder";
    case errc::cert_ocsp_stale: return "stapled OCSP response not current";
    case errc::cert_ocsp_unknown: return "stapled OCSP response gives no status for the certificate";
    case errc::tls_unexpected_message: return "TLS unexpected message";
    case errc::tls_decode_error: return "TLS decode error";
    case errc::tls_illegal_parameter: return "TLS illegal parameter";
    case errc::tls_handshake_failure: return "TLS handshake failure";
    case errc::tls_protocol_version: return "TLS protocol version not supported";
    case errc::tls_record_overflow: return "TLS record overflow";
    case errc::tls_bad_record_mac: return "TLS bad record MAC";
    case errc::tls_decrypt_error: return "TLS decrypt error";
    case errc::tls_missing_extension: return "TLS missing extension";
    case errc::tls_unsupported_extension: return "TLS unsupported extension";
    case errc::tls_insufficient_security: return "TLS insufficient security";
    case errc::tls_no_application_protocol: return "TLS no application protocol";
    case errc::tls_downgrade_detected: return "TLS downgrade detected";
    case errc::tls_no_renegotiation: return "TLS renegotiation refused";
    case errc::tls_alert_received: return "TLS fatal alert received from peer";
    case errc::tls_closed: return "TLS connection closed by peer";
    case errc::tls_internal_error: return "TLS internal error";
    case errc::http_bad_url: return "malformed URL";
    case errc::http_unsupported_scheme: return "unsupported URL scheme";
    case errc::http_bad_status_line: return "malformed HTTP status line";
    case errc::http_bad_header: return "malformed HTTP header";
    case errc::http_header_too_large: return "HTTP header too large";
    case errc::http_bad_content_length: return "invalid or conflicting Content-Length";
    case errc::http_bad_chunk: return "malformed chunked encoding";
    case errc::http_body_too_large: return "HTTP body exceeds limit";
    case errc::http_too_many_redirects: return "too many redirects";
    case errc::http_insecure_redirect: return "redirect from https to http refused";
    case errc::http_truncated_body: return "HTTP body truncated";
    case errc::http_aborted: return "transfer aborted by callback";
    case errc::http_too_many_interim: return "too many interim (1xx) responses";
    case errc::http_body_read_failed: return "could not read the request body";
    case errc::http_body_length_mismatch: return "request body shorter than its announced size";
    case errc::http_body_not_rewindable: return "request body cannot be sent again";
    case errc::net_resolve_failed: return "could not resolve host";
    case errc::net_connect_failed: return "could not connect";
    case errc::net_timeout: return "operation timed out";
    case errc::net_connection_closed: return "connection closed";
    case errc::net_io_error: return "network I/O error";
    case errc::net_idle_timeout: return "no data from the server within the idle timeout";
    }
    return "unknown error";
}

inline std::string detail::errc_category_impl::message(int value) const {
    return describe(static_cast<errc>(value));
}

/// The layer an error belongs to, from its numeric range.
enum class error_layer { none, decode, crypto, x509, tls, http, net };

inline error_layer layer_of(errc e) noexcept {
    switch (static_cast<int>(e) / 100) {
    case 1: return error_layer::decode;
    case 2: return error_layer::crypto;
    case 3: return error_layer::x509;
    case 4: return error_layer::tls;
    case 5: return error_layer::http;
    case 6: return error_layer::net;
    default: return error_layer::none;
    }
}

} // namespace https

template <> struct std::is_error_code_enum<https::errc> : std::true_type {};

#include <cassert>
#include <type_traits>
#include <new>
#include <utility>

namespace https {

// The value lives in a union whose active member the errc tracks: every access below is guarded.
// NOLINTBEGIN(cppcoreguidelines-pro-type-union-access)
namespace detail {

/// The storage of `result<T>`: the error (`errc::ok` while a value is held) and the value in a
/// union. Hand-written rather than a std::variant: every result<T> instantiation would otherwise
/// pull in the variant machinery (storage bases, visitation tables), a large share of what each
/// translation unit compiles. For a trivially copyable T every special member is defaulted, so
/// result<T> is trivially copyable too and is returned in registers.
template <class T, bool Trivial = std::is_trivially_copyable_v<T>> struct result_storage {
    explicit result_storage(T&& v) : error_(errc::ok), value_(std::move(v)) {}
    explicit result_storage(errc e) noexcept : error_(e) {}

    errc error_;
    union {
        T value_;
    };
};

template <class T> struct result_storage<T, false> {
    explicit result_storage(T&& v) : error_(errc::ok), value_(std::move(v)) {}
    explicit result_storage(errc e) noexcept : error_(e) {}

    result_storage(const result_storage& o) requires std::is_copy_constructible_v<T>
        : error_(o.error_) {
        if (error_ == errc::ok) {
            ::new (static_cast<void*>(&value_)) T(o.value_);
        }
    }
    result_storage(result_storage&& o) noexcept(std::is_nothrow_move_constructible_v<T>)
        : error_(o.error_) {
        if (error_ == errc::ok) {
            ::new (static_cast<void*>(&value_)) T(std::move(o.value_));
        }
    }
    result_storage& operator=(const result_storage& o) requires std::is_copy_constructible_v<T> {
        if (this != &o) {
            assign(o.error_, o.value_);
        }
        return *this;
    }
    result_storage& operator=(result_storage&& o) noexcept(std::is_nothrow_move_constructible_v<T>) {
        if (this != &o) {
            assign(o.error_, std::move(o.value_));
        }
        return *this;
    }
    ~result_storage() { destroy(); }

    errc error_;
    union {
        T value_;
    };

private:
    void destroy() noexcept {
        if (error_ == errc::ok) {
            value_.~T();
        }
    }
    // Destroy, then construct: simple, and correct whichever of the two holds a value. `value`
    // is only read when `error` is ok. Should T's constructor throw, the result is left holding
    // an error (tls_internal_error) rather than a value that was never built.
    template <class V> void assign(errc error, V&& value) {
        destroy();
        error_ = errc::tls_internal_error;
        if (error == errc::ok) {
            ::new (static_cast<void*>(&value_)) T(std::forward<V>(value));
        }
        error_ = error;
    }
};

} // namespace detail

/// Either a `T` or an error. Check with `ok()` / `operator bool` before calling `value()`;
/// calling `value()` on an error is a precondition violation (asserted).
template <class T> class [[nodiscard]] result : private detail::result_storage<T> {
    static_assert(!std::is_same_v<T, errc>, "result<errc> is ambiguous");
    static_assert(!std::is_reference_v<T>, "result<T&> is not supported");
    using storage = detail::result_storage<T>;

public:
    result(T value) : storage(std::move(value)) {}  // NOLINT(google-explicit-constructor)
    result(errc error) : storage(error) { assert(error != errc::ok); } // NOLINT

    [[nodiscard]] bool ok() const noexcept { return this->error_ == errc::ok; }
    explicit operator bool() const noexcept { return ok(); }

    [[nodiscard]] errc error() const noexcept { return this->error_; }
    [[nodiscard]] std::error_code error_code() const noexcept { return make_error_code(error()); }

    T& value() & noexcept {
        assert(ok());
        return this->value_;
    }
    const T& value() const& noexcept {
        assert(ok());
        return this->value_;
    }
    T&& value() && noexcept {
        assert(ok());
        return std::move(this->value_);
    }

    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
};
// NOLINTEND(cppcoreguidelines-pro-type-union-access)

/// The result of an operation that produces no value: success or an error.
template <> class [[nodiscard]] result<void> {
public:
    result() = default;
    result(errc error) : e_(error) {} // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const noexcept { return e_ == errc::ok; }
    explicit operator bool() const noexcept { return ok(); }
    [[nodiscard]] errc error() const noexcept { return e_; }
    [[nodiscard]] std::error_code error_code() const noexcept { return make_error_code(e_); }

private:
    errc e_ = errc::ok;
};

using status = result<void>;

} // namespace https

/// Propagate an error from an expression yielding a result: `HTTPS_TRY(r.read_u8());`
#define HTTPS_TRY(expr)                                                                            \
    do {                                                                                           \
        if (auto https_try_r_ = (expr); !https_try_r_.ok()) {                                      \
            return https_try_r_.error();                                                       \
        }                                                                                          \
    } while (false)

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace https {

using bytes_view = std::span<const std::uint8_t>;
using mutable_bytes = std::span<std::uint8_t>;
using byte_vector = std::vector<std::uint8_t>;

/// View a string's characters as bytes (no copy).
inline bytes_view as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

namespace detail {

inline std::uint32_t load_be32(const std::uint8_t* p) noexcept {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}
inline std::uint64_t load_be64(const std::uint8_t* p) noexcept {
    return (std::uint64_t{load_be32(p)} << 32) | load_be32(p + 4);
}
inline std::uint32_t load_le32(const std::uint8_t* p) noexcept {
    return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) |
           (std::uint32_t{p[3]} << 24);
}
inline std::uint64_t load_le64(const std::uint8_t* p) noexcept {
    return std::uint64_t{load_le32(p)} | (std::uint64_t{load_le32(p + 4)} << 32);
}
inline void store_be32(std::uint8_t* p, std::uint32_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}
inline void store_be64(std::uint8_t* p, std::uint64_t v) noexcept {
    store_be32(p, static_cast<std::uint32_t>(v >> 32));
    store_be32(p + 4, static_cast<std::uint32_t>(v));
}
inline void store_le32(std::uint8_t* p, std::uint32_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v);
    p[1] = static_cast<std::uint8_t>(v >> 8);
    p[2] = static_cast<std::uint8_t>(v >> 16);
    p[3] = static_cast<std::uint8_t>(v >> 24);
}
inline void store_le64(std::uint8_t* p, std::uint64_t v) noexcept {
    store_le32(p, static_cast<std::uint32_t>(v));
    store_le32(p + 4, static_cast<std::uint32_t>(v >> 32));
}

} // namespace detail

/// Reads big-endian fields from untrusted bytes. Every read checks the remaining length and
/// returns `errc::truncated` instead of touching memory past the end; a failed read consumes
/// nothing. The reader never copies: byte fields are spans into the original buffer.
class reader {
public:
    constexpr reader() noexcept = default;
    constexpr explicit reader(bytes_view data) noexcept : data_(data) {}

    [[nodiscard]] std::size_t remaining() const noexcept { return data_.size() - pos_; }
    [[nodiscard]] bool empty() const noexcept { return remaining() == 0; }
    [[nodiscard]] std::size_t position() const noexcept { return pos_; }
    /// The bytes not yet read.
    [[nodiscard]] bytes_view rest() const noexcept { return data_.subspan(pos_); }

    result<std::uint8_t> read_u8() noexcept { return read_uint<std::uint8_t>(1); }
    result<std::uint16_t> read_u16() noexcept { return read_uint<std::uint16_t>(2); }
    result<std::uint32_t> read_u24() noexcept { return read_uint<std::uint32_t>(3); }
    result<std::uint32_t> read_u32() noexcept { return read_uint<std::uint32_t>(4); }
    result<std::uint64_t> read_u64() noexcept { return read_uint<std::uint64_t>(8); }

    /// The next `n` bytes.
    result<bytes_view> read_bytes(std::size_t n) noexcept {
        if (n > remaining()) {
            return errc::truncated;
        }
        bytes_view out = data_.subspan(pos_, n);
        pos_ += n;
        return out;
    }

    /// A field preceded by its length in `LengthBytes` big-endian bytes (TLS vectors: 1, 2 or 3).
    template <unsigned LengthBytes> result<bytes_view> read_prefixed() noexcept {
        static_assert(LengthBytes >= 1 && LengthBytes <= 4);
        const std::size_t start = pos_;
        auto len = read_uint<std::uint32_t>(LengthBytes);
        if (!len) {
            return len.error();
        }
        auto body = read_bytes(*len);
        if (!body) {
            pos_ = start;
            return body.error();
        }
        return body;
    }

    /// A sub-reader over a length-prefixed field.
    template <unsigned LengthBytes> result<reader> read_nested() noexcept {
        auto body = read_prefixed<LengthBytes>();
        if (!body) {
            return body.error();
        }
        return reader(*body);
    }

    /// Skip `n` bytes.
    status skip(std::size_t n) noexcept {
        if (n > remaining()) {
            return errc::truncated;
        }
        pos_ += n;
        return {};
    }

    /// Succeeds only if every byte has been consumed.
    [[nodiscard]] status expect_empty() const noexcept {
        return empty() ? status{} : status{errc::trailing_data};
    }

private:
    template <class T> result<T> read_uint(unsigned n) noexcept {
        if (n > remaining()) {
            return errc::truncated;
        }
        T v = 0;
        for (unsigned i = 0; i < n; ++i) {
            v = static_cast<T>((v << 8) | data_[pos_ + i]);
        }
        pos_ += n;
        return v;
    }

    bytes_view data_{};
    std::size_t pos_ = 0;
};

/// Appends big-endian fields to a growable buffer; length prefixes are back-patched.
class writer {
public:
    writer() = default;
    explicit writer(byte_vector& out) noexcept : out_(&out) {}
    writer(const writer&) = delete;
    writer& operator=(const writer&) = delete;
    writer(writer&&) = delete;
    writer& operator=(writer&&) = delete;
    ~writer() = default;

    void put_u8(std::uint8_t v) { buf().push_back(v); }
    void put_u16(std::uint16_t v) { put_uint(v, 2); }
    void put_u24(std::uint32_t v) {
        assert(v < (1u << 24));
        put_uint(v, 3);
    }
    void put_u32(std::uint32_t v) { put_uint(v, 4); }
    void put_u64(std::uint64_t v) { put_uint(v, 8); }
    void put_bytes(bytes_view b) { buf().insert(buf().end(), b.begin(), b.end()); }

    /// Start a field with a `length_bytes` length prefix; returns a mark for `end_prefixed`.
    std::size_t begin_prefixed(unsigned length_bytes) {
        assert(length_bytes >= 1 && length_bytes <= 4);
        std::size_t mark = buf().size();
        buf().resize(mark + length_bytes);
        return mark;
    }
    /// Fill in the length of a field started by `begin_prefixed`. A field longer than its prefix
    /// can count is `errc::length_overflow` in every build, never a wrapped length; the buffer is
    /// then unfinished and must not be sent.
    [[nodiscard]] status end_prefixed(std::size_t mark, unsigned length_bytes) {
        assert(length_bytes >= 1 && length_bytes <= 4);
        const std::size_t len = buf().size() - mark - length_bytes;
        if ((std::uint64_t{len} >> (8 * length_bytes)) != 0) {
            return errc::length_overflow;
        }
        for (unsigned i = 0; i < length_bytes; ++i) {
            buf()[mark + i] = static_cast<std::uint8_t>(len >> (8 * (length_bytes - 1 - i)));
        }
        return {};
    }
    /// `b` with a `length_bytes` length prefix (`errc::length_overflow` as `end_prefixed`).
    [[nodiscard]] status put_prefixed(unsigned length_bytes, bytes_view b) {
        const std::size_t mark = begin_prefixed(length_bytes);
        put_bytes(b);
        return end_prefixed(mark, length_bytes);
    }

    [[nodiscard]] const byte_vector& bytes() const noexcept { return *out_; }
    [[nodiscard]] std::size_t size() const noexcept { return out_->size(); }

private:
    byte_vector& buf() noexcept { return *out_; }
    void put_uint(std::uint64_t v, unsigned n) {
        for (unsigned i = 0; i < n; ++i) {
            buf().push_back(static_cast<std::uint8_t>(v >> (8 * (n - 1 - i))));
        }
    }

    byte_vector own_;
    byte_vector* out_ = &own_;
};

} // namespace https
// ---- https/core/config.hpp ---------------------------------------------------------------------
// The build mode: header-only (the default) or separately compiled (HTTPS_SEPARATE_COMPILATION).

// Header-only: every function the library defines out of line is `inline` and its definition is
// included by its header. With HTTPS_SEPARATE_COMPILATION defined in every translation unit that
// uses the library, those functions are declarations only and `src/https.cpp`, compiled once,
// defines them (CMake: link `https::https_compiled`, which does both). Templates and small
// functions stay in the headers in both modes.
#if defined(HTTPS_SEPARATE_COMPILATION)
#define HTTPS_DECL
#else
#define HTTPS_DECL inline
#endif
// ---- https/http/body_source.hpp ----------------------------------------------------------------
// Request bodies read while they are sent: the `body_source` interface, and `file_body`, which
// reads a file (or an open descriptor such as standard input) piece by piece.


#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace https::http {

/// A request body pulled piece by piece as it is sent, so that a body of any size goes out in
/// constant memory. With a known `size()` the request carries Content-Length; otherwise it is
/// sent with chunked transfer coding (RFC 9112 §7.1), which not every server accepts.
class body_source {
public:
    body_source() = default;
    body_source(const body_source&) = delete;
    body_source& operator=(const body_source&) = delete;
    virtual ~body_source() = default;

    /// The body's length in bytes, if known before sending. The source must then deliver at
    /// least that many bytes (fewer: `http_body_length_mismatch`); no more than that are read.
    [[nodiscard]] virtual std::optional<std::uint64_t> size() const = 0;

    /// Put the next bytes of the body at the front of `buf` (never empty) and return how many;
    /// 0 at the end of the body. An error ends the request with that error.
    virtual result<std::size_t> read(mutable_bytes buf) = 0;

    /// Go back to the first byte. Called before each time the body is sent, the first included:
    /// a 307/308 redirect or a retry on a fresh connection sends it again. A source that cannot
    /// start over returns `http_body_not_rewindable`, but only once it has been read from.
    virtual status rewind() = 0;

protected:
    body_source(body_source&&) = default;
    body_source& operator=(body_source&&) = default;
};

/// A file's bytes as a request body, read while they are sent (POSIX read(2)). A regular file
/// has a size (sent as Content-Length, taken when it is opened) and rewinds; a pipe or terminal
/// is sent chunked and can be sent only once.
class file_body final : public body_source {
public:
    /// Open `path` for reading: `http_body_read_failed` if it cannot be opened or is a directory.
    HTTPS_DECL static result<file_body> open(const std::string& path);

    /// Read from an open descriptor (such as 0, standard input), from its current offset; the
    /// descriptor is not closed. `http_body_read_failed` if it is not open for reading.
    HTTPS_DECL static result<file_body> from_descriptor(int fd);

    file_body(file_body&& other) noexcept;
    file_body& operator=(file_body&& other) noexcept;
    file_body(const file_body&) = delete;
    file_body& operator=(const file_body&) = delete;
    HTTPS_DECL ~file_body() override;

    [[nodiscard]] std::optional<std::uint64_t> size() const override { return size_; }
    HTTPS_DECL result<std::size_t> read(mutable_bytes buf) override;
    HTTPS_DECL status rewind() override;

private:
    file_body(int fd, bool owned) noexcept : fd_(fd), owned_(owned) {}
    HTTPS_DECL status stat_descriptor(); // size_, start_ and seekable_ from fstat and lseek

    int fd_ = -1;
    bool owned_ = false;       // opened by us, closed by us
    bool seekable_ = false;    // a regular file: rewind seeks back to start_
    std::uint64_t start_ = 0;  // the offset the body starts at
    std::uint64_t read_ = 0;   // bytes delivered since the start
    std::optional<std::uint64_t> size_;
};

inline file_body::file_body(file_body&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), owned_(std::exchange(other.owned_, false)),
      seekable_(other.seekable_), start_(other.start_), read_(other.read_), size_(other.size_) {}

inline file_body& file_body::operator=(file_body&& other) noexcept {
    if (this != &other) {
        file_body gone(std::move(*this));
        fd_ = std::exchange(other.fd_, -1);
        owned_ = std::exchange(other.owned_, false);
        seekable_ = other.seekable_;
        start_ = other.start_;
        read_ = other.read_;
        size_ = other.size_;
    }
    return *this;
}

} // namespace https::http

// ---- https/http/client_options.hpp -------------------------------------------------------------
// What a request can be told: timeouts, redirects, extra header fields, body limits and
// callbacks, DNS overrides and the TLS settings (trust anchors, versions).

// ---- https/http/headers.hpp --------------------------------------------------------------------
// An ordered HTTP header list with case-insensitive lookup, and the RFC 9110 token/value rules.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace https::http {

namespace detail {
inline bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') {
            x = static_cast<char>(x - 'A' + 'a');
        }
        if (y >= 'A' && y <= 'Z') {
            y = static_cast<char>(y - 'A' + 'a');
        }
        if (x != y) {
            return false;
        }
    }
    return true;
}

/// RFC 9110 §5.6.2 tchar.
inline bool is_token_char(char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        return true;
    }
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

inline bool is_token(std::string_view s) noexcept {
    if (s.empty()) {
        return false;
    }
    for (char c : s) {
        if (!is_token_char(c)) {
            return false;
        }
    }
    return true;
}

/// A field value as we accept or send it: visible ASCII, SP, HTAB and obs-text; never CR, LF, NUL.
inline bool is_field_value(std::string_view s) noexcept {
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7f) {
            return false;
        }
    }
    return true;
}
} // namespace detail

/// Header fields in the order received or to be sent. Names compare case-insensitively.
class headers {
public:
    using field = std::pair<std::string, std::string>;

    void add(std::string name, std::string value) {
        fields_.emplace_back(std::move(name), std::move(value));
    }
    /// Replace every field called `name` with one field.
    void set(std::string_view name, std::string value) {
        remove(name);
        add(std::string(name), std::move(value));
    }
    void remove(std::string_view name) {
        std::erase_if(fields_, [&](const field& f) { return detail::iequals(f.first, name); });
    }
    /// The first value of `name`, if present.
    [[nodiscard]] std::optional<std::string> get(std::string_view name) const {
        for (const auto& f : fields_) {
            if (detail::iequals(f.first, name)) {
                return f.second;
            }
        }
        return std::nullopt;
    }
    [[nodiscard]] bool contains(std::string_view name) const { return get(name).has_value(); }
    /// Every value of `name`, in order.
    [[nodiscard]] std::vector<std::string> get_all(std::string_view name) const {
        std::vector<std::string> out;
        for (const auto& f : fields_) {
            if (detail::iequals(f.first, name)) {
                out.push_back(f.second);
            }
        }
        return out;
    }
    /// True when a comma-separated list header (e.g. Connection) contains `token`.
    [[nodiscard]] bool has_token(std::string_view name, std::string_view token) const {
        for (const auto& value : get_all(name)) {
            std::string_view v = value;
            while (!v.empty()) {
                auto comma = v.find(',');
                std::string_view item = v.substr(0, comma);
                while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) {
                    item.remove_prefix(1);
                }
                while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) {
                    item.remove_suffix(1);
                }
                if (detail::iequals(item, token)) {
                    return true;
                }
                if (comma == std::string_view::npos) {
                    break;
                }
                v.remove_prefix(comma + 1);
            }
        }
        return false;
    }

    [[nodiscard]] std::size_t size() const noexcept { return fields_.size(); }
    [[nodiscard]] bool empty() const noexcept { return fields_.empty(); }
    [[nodiscard]] auto begin() const noexcept { return fields_.begin(); }
    [[nodiscard]] auto end() const noexcept { return fields_.end(); }

private:
    std::vector<field> fields_;
};

} // namespace https::http
// ---- https/http/response.hpp -------------------------------------------------------------------
// What a server answered: the status line and header fields (`response_head`), and the whole
// response as the client returns it (`response`).


#include <string>

namespace https::http {

/// The status line and header fields of a response.
struct response_head {
    int status = 0;
    std::string reason;
    int version_minor = 1; ///< HTTP/1.<minor>
    http::headers headers;
};

/// A complete response. `body` is empty when the body went to a streaming callback.
struct response {
    int status = 0;
    std::string reason;
    http::headers headers;
    std::string body;
    std::string url;      ///< the URL that produced this response (after redirects)
    int redirects = 0;    ///< how many redirects were followed
};

} // namespace https::http

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace https::http {

/// The body cap when a body is kept in memory (`response::body`) and `max_body_bytes` is unset.
inline constexpr std::uint64_t default_max_stored_body_bytes = std::uint64_t{1} << 30; // 1 GiB

/// TLS protocol versions a caller may pin.
enum class tls_version { tls1_2 = 0x0303, tls1_3 = 0x0304 };

/// Everything a request can be told. Defaults: 30 s connect timeout, 30 s idle timeout, no total
/// timeout, no redirects (the facade's `https::get` turns them on), bodies kept in memory capped
/// at 1 GiB, no compressed responses asked for.
struct client_options {
    std::chrono::milliseconds connect_timeout{30'000}; ///< DNS + TCP connect + TLS handshake
    std::chrono::milliseconds total_timeout{0};        ///< whole request incl. body; 0 = none
    /// Longest wait without progress: for the TCP connect, for each byte of the TLS handshake and
    /// the response, for room to send the request; `net_idle_timeout` when it passes. 0 = none.
    /// (Not how long a pooled connection is kept; DNS is bounded by connect_timeout alone.)
    std::chrono::milliseconds idle_timeout{30'000};
    /// Follow 301/302/303/307/308. Unset: the call's default (`https::get` follows,
    /// `https::request` and `http::client::perform` do not).
    std::optional<bool> follow_redirects;
    int max_redirects = 10;
    /// Authorization, Cookie and Proxy-Authorization (from `headers` or the request) go only to
    /// the origin (scheme, host, port) of the URL first asked for; a redirect elsewhere drops
    /// them (curl's rule since CVE-2018-1000007 and CVE-2022-27776). True sends them to every
    /// host a redirect leads to, like curl's --location-trusted.
    bool credentials_follow_redirects = false;
    http::headers headers;                 ///< extra request header fields
    /// Largest body accepted (`http_body_too_large` beyond it). Unset: 1 GiB
    /// (`default_max_stored_body_bytes`) when the body is kept in `response::body`, no limit when
    /// it streams to `on_body`. Set it to lower or lift the cap in either case
    /// (`std::numeric_limits<std::uint64_t>::max()` for none).
    std::optional<std::uint64_t> max_body_bytes;
    /// Ask for a compressed response and decode it, as curl's --compressed: the request carries
    /// `Accept-Encoding: gzip, deflate` (unless `headers` has its own Accept-Encoding), and a
    /// body whose Content-Encoding is gzip, x-gzip or deflate is decoded as it arrives. The body
    /// handed over (`response::body`, `on_body`) is then the decoded one, and the header fields
    /// seen (`on_head`, `response::headers`) lose Content-Encoding and Content-Length, which
    /// described the encoded bytes; `on_progress` still counts encoded bytes. Any other coding
    /// passes through untouched, with its fields. False: nothing is asked for or decoded.
    /// `max_body_bytes` caps the decoded body too (`inflate_too_large`).
    bool accept_compressed = false;
    /// Decompression-bomb cap for decoded bodies: once a decoded body passes 1 MiB, more than
    /// this many decoded bytes per encoded byte received is `inflate_ratio_exceeded`. 0 = none.
    /// Ordinary text and JSON compress 3-20:1; DEFLATE's ceiling is about 1032:1.
    std::uint32_t max_compression_ratio = 200;
    /// Receives the body as it arrives instead of storing it; return false to abort.
    std::function<bool(bytes_view)> on_body;
    /// Called with the status and header fields of each final response before its body (not for
    /// redirects that are being followed).
    std::function<void(const response_head&)> on_head;
    /// Called as body bytes arrive: (received so far, Content-Length if known).
    std::function<void(std::uint64_t, std::optional<std::uint64_t>)> on_progress;
    /// curl's --resolve: "host:port:address" entries that bypass DNS for that host and port.
    std::vector<std::string> resolve;
    // TLS settings, used by the TLS connector. These and `resolve` are part of the connection
    // pool's key: a pooled connection is reused only under the same values.
    std::string ca_file;     ///< PEM bundle of trust anchors (instead of the system store)
    std::string ca_pem;      ///< in-memory PEM trust anchors (instead of the system store)
    bool insecure = false;   ///< skip certificate verification (curl -k); never the default
    /// Hold the server's certificates to the web PKI profile (RFC 5280 §4 and the CA/Browser
    /// Forum Baseline Requirements §7.1: serverAuth EKU, a host-name SAN, key identifiers, ...)
    /// on top of path validation. False for a private PKI whose certificates do not follow it
    /// (`x509::certificate_profile::rfc5280`): the path, names and keys are still checked.
    bool web_pki_profile = true;
    tls_version min_version = tls_version::tls1_2;
    tls_version max_version = tls_version::tls1_3;
    /// Where diagnostics go for verbose output (curl -v); empty = silent.
    std::function<void(const std::string&)> on_verbose;
};


} // namespace https::http

#include <memory>
#include <string>
#include <string_view>
#include <system_error>

namespace https {

using http::body_source;
using http::default_max_stored_body_bytes;
using http::file_body;
using http::headers;
using http::response;
using http::tls_version;
using options = http::client_options;

/// Broad kinds of failure, for callers that care about the kind rather than the exact error:
/// `if (e.code() == https::failure::certificate) ...`. Each `errc` belongs to exactly one.
enum class failure {
    resolve = 1,     ///< could not resolve the host name
    connect,         ///< could not connect
    timeout,         ///< a timeout expired (DNS, connect, handshake or a read)
    tls,             ///< the TLS handshake or record protocol failed
    certificate,     ///< the server's certificate was rejected (the errc says why)
    protocol,        ///< the server broke HTTP (malformed response, truncated body, ...)
    redirects,       ///< too many redirects, or an https-to-http redirect
    too_large,       ///< the response exceeded a size limit
    usage,           ///< a malformed URL or request, an unsupported scheme, or a request body
                     ///< that could not be read or sent again
    receive,         ///< the connection failed while sending or receiving
};

/// The `failure` an error belongs to.
HTTPS_DECL failure failure_of(errc e) noexcept;

/// The category of `failure` conditions; an `errc` code compares equal to its failure.
HTTPS_DECL const std::error_category& failure_category() noexcept;

inline std::error_condition make_error_condition(failure f) noexcept {
    return {static_cast<int>(f), failure_category()};
}

} // namespace https

template <> struct std::is_error_condition_enum<https::failure> : std::true_type {};

namespace https {

/// The one exception the facade throws. `code()` is the exact `https::errc`; compare it with a
/// `https::failure` for the kind.
class error : public std::system_error {
public:
    explicit error(std::error_code ec, const std::string& context = {})
        : std::system_error(ec, context) {}
};

/// A session that keeps connections alive: many requests to one host pay for one TCP connection
/// and one TLS handshake. A connection is reused only by requests with the same `insecure`,
/// `ca_file`, `ca_pem`, `resolve`, `min_version` and `max_version` as the one that opened it.
/// Not thread-safe; use one client per thread. Movable, not copyable.
class client {
public:
    HTTPS_DECL client();
    HTTPS_DECL ~client();
    HTTPS_DECL client(client&& other) noexcept;
    HTTPS_DECL client& operator=(client&& other) noexcept;
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    /// Any method. Redirects are followed only if `opts.follow_redirects` says so.
    HTTPS_DECL response request(std::string_view method, std::string_view url,
                                const options& opts = {}, std::string body = {});

    /// Non-throwing form: on failure `ec` is set and the returned response is empty.
    HTTPS_DECL response request(std::string_view method, std::string_view url,
                                const options& opts, std::string body, std::error_code& ec);

    /// Any method, with a body read from `body` while it is sent, so that a file of any size
    /// goes out in constant memory (`https::file_body`): with Content-Length when `body.size()`
    /// is known, chunked otherwise. `body` is rewound when a 307/308 redirect or a retry sends
    /// it again. A response that arrives before the whole body is sent (413, say) ends the
    /// sending and is returned.
    HTTPS_DECL response request(std::string_view method, std::string_view url,
                                const options& opts, body_source& body);
    HTTPS_DECL response request(std::string_view method, std::string_view url,
                                const options& opts, body_source& body, std::error_code& ec);

    /// GET, following redirects (up to `opts.max_redirects`) unless `opts` says otherwise.
    HTTPS_DECL response get(std::string_view url, options opts = {});
    HTTPS_DECL response get(std::string_view url, options opts, std::error_code& ec);

    /// TCP connections (and so TLS handshakes) opened so far.
    [[nodiscard]] HTTPS_DECL std::size_t connections_opened() const noexcept;

private:
    class impl; // the HTTP client with its connection pool and the TLS connector
    std::unique_ptr<impl> impl_;
};

/// Fetch a URL with GET, following redirects; throws `https::error` on failure.
inline response get(std::string_view url, const options& opts = {}) {
    return client().get(url, opts);
}
/// Non-throwing GET: on failure `ec` is set.
inline response get(std::string_view url, const options& opts, std::error_code& ec) {
    return client().get(url, opts, ec);
}
/// Any method (POST, PUT, DELETE, HEAD, PATCH, ...); redirects only if `opts` asks.
inline response request(std::string_view method, std::string_view url, const options& opts = {},
                        std::string body = {}) {
    return client().request(method, url, opts, std::move(body));
}
inline response request(std::string_view method, std::string_view url, const options& opts,
                        std::string body, std::error_code& ec) {
    return client().request(method, url, opts, std::move(body), ec);
}
/// Any method with a body read while it is sent (see `client::request`).
inline response request(std::string_view method, std::string_view url, const options& opts,
                        body_source& body) {
    return client().request(method, url, opts, body);
}
inline response request(std::string_view method, std::string_view url, const options& opts,
                        body_source& body, std::error_code& ec) {
    return client().request(method, url, opts, body, ec);
}

} // namespace https


#if !defined(HTTPS_SEPARATE_COMPILATION) || defined(HTTPS_SINGLE_HEADER_IMPLEMENTATION)
// ---- https/x509/impl/certificate.ipp -----------------------------------------------------------
// Certificate parsing (x509/certificate.hpp), out of line for separate compilation.

// ---- https/x509/certificate.hpp ----------------------------------------------------------------
// The X.509 v3 certificate model (RFC 5280 §4): a strict parse into spans of the original DER.

// ---- https/core/der.hpp ------------------------------------------------------------------------
// A strict DER (X.690 Distinguished Encoding Rules) reader: definite minimal lengths, checked tags,
// minimal INTEGERs, canonical BOOLEAN/BIT STRING, bounded nesting; spans into the input, no copies.


#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace https::der {

/// Universal tags used by X.509, PKCS#1 and SEC 1 structures (single-byte identifier octets).
namespace tag {
inline constexpr std::uint8_t boolean = 0x01;
inline constexpr std::uint8_t integer = 0x02;
inline constexpr std::uint8_t bit_string = 0x03;
inline constexpr std::uint8_t octet_string = 0x04;
inline constexpr std::uint8_t null = 0x05;
inline constexpr std::uint8_t oid = 0x06;
inline constexpr std::uint8_t utf8_string = 0x0c;
inline constexpr std::uint8_t printable_string = 0x13;
inline constexpr std::uint8_t teletex_string = 0x14;
inline constexpr std::uint8_t ia5_string = 0x16;
inline constexpr std::uint8_t utc_time = 0x17;
inline constexpr std::uint8_t generalized_time = 0x18;
inline constexpr std::uint8_t universal_string = 0x1c;
inline constexpr std::uint8_t bmp_string = 0x1e;
inline constexpr std::uint8_t sequence = 0x30;
inline constexpr std::uint8_t set = 0x31;
/// `[n]` context-specific, constructed (EXPLICIT tagging or a constructed IMPLICIT type).
constexpr std::uint8_t context_constructed(unsigned n) { return static_cast<std::uint8_t>(0xa0 | n); }
/// `[n]` context-specific, primitive (IMPLICIT tagging of a primitive type).
constexpr std::uint8_t context_primitive(unsigned n) { return static_cast<std::uint8_t>(0x80 | n); }
} // namespace tag

/// Nesting deeper than this is `errc::too_deep` (certificates need about 10).
inline constexpr unsigned max_depth = 32;

/// One TLV: its identifier octet, its contents, and the whole encoding (tag+length+contents).
struct element {
    std::uint8_t tag = 0;
    bytes_view contents;
    bytes_view encoded;
};

/// A BIT STRING: its bytes and the number of unused bits in the last byte (0..7).
struct bit_string {
    bytes_view bytes;
    unsigned unused_bits = 0;
    /// Bit `i`, numbered as X.509 numbers named bits (bit 0 is the most significant of byte 0).
    [[nodiscard]] bool bit(std::size_t i) const noexcept {
        if (i / 8 >= bytes.size() || (i / 8 == bytes.size() - 1 && 7 - i % 8 < unused_bits)) {
            return false;
        }
        return ((bytes[i / 8] >> (7 - i % 8)) & 1) != 0;
    }
};

/// Reads a sequence of DER elements from a buffer. Every read checks bounds and rules and returns
/// a named error; a failed read consumes nothing.
class parser {
public:
    explicit parser(bytes_view data, unsigned depth = 0) noexcept : data_(data), depth_(depth) {}

    [[nodiscard]] bool empty() const noexcept { return pos_ == data_.size(); }
    [[nodiscard]] status expect_empty() const noexcept {
        return empty() ? status{} : status{errc::trailing_data};
    }
    /// The identifier octet of the next element, if there is one.
    [[nodiscard]] std::optional<std::uint8_t> peek_tag() const noexcept {
        if (empty()) {
            return std::nullopt;
        }
        return data_[pos_];
    }
    [[nodiscard]] bool next_is(std::uint8_t t) const noexcept { return peek_tag() == t; }

    /// The next element, whatever its tag.
    result<element> read_any() noexcept {
        reader r(data_.subspan(pos_));
        auto t = r.read_u8();
        if (!t) {
            return errc::truncated;
        }
        if ((*t & 0x1f) == 0x1f) {
            return errc::bad_encoding; // high-tag-number form: never used by the structures we read
        }
        auto first = r.read_u8();
        if (!first) {
            return errc::truncated;
        }
        std::size_t length = *first;
        if (*first == 0x80) {
            return errc::indefinite_length;
        }
        if (*first > 0x80) {
            const unsigned n = *first & 0x7f;
            if (n > 4) {
                return errc::length_overflow; // > 4 GiB: larger than anything we accept
            }
            length = 0;
            for (unsigned i = 0; i < n; ++i) {
                auto b = r.read_u8();
                if (!b) {
                    return errc::truncated;
                }
                if (i == 0 && *b == 0) {
                    return errc::non_minimal_encoding; // leading zero length octet
                }
                length = (length << 8) | *b;
            }
            if (length < 0x80) {
                return errc::non_minimal_encoding; // long form where the short form fits
            }
        }
        auto contents = r.read_bytes(length);
        if (!contents) {
            return errc::truncated;
        }
        element e;
        e.tag = *t;
        e.contents = *contents;
        e.encoded = data_.subspan(pos_, r.position());
        pos_ += r.position();
        return e;
    }

    /// The next element, which must carry tag `t` (else `errc::unexpected_tag`).
    result<element> read(std::uint8_t t) noexcept {
        if (empty()) {
            return errc::truncated;
        }
        if (data_[pos_] != t) {
            return errc::unexpected_tag;
        }
        return read_any();
    }

    /// The next element if it carries tag `t`; nothing (and no error) if another tag or the end.
    result<std::optional<element>> read_optional(std::uint8_t t) noexcept {
        if (!next_is(t)) {
            return std::optional<element>{};
        }
        auto e = read_any();
        if (!e) {
            return e.error();
        }
        return std::optional<element>{*e};
    }

    /// A parser over the contents of a constructed element with tag `t` (SEQUENCE, SET, [n]).
    result<parser> read_constructed(std::uint8_t t) noexcept {
        if ((t & 0x20) == 0) {
            return errc::unexpected_tag;
        }
        if (depth_ + 1 > max_depth) {
            return errc::too_deep;
        }
        auto e = read(t);
        if (!e) {
            return e.error();
        }
        return parser(e->contents, depth_ + 1);
    }
    result<parser> read_sequence() noexcept { return read_constructed(tag::sequence); }
    result<parser> read_set() noexcept { return read_constructed(tag::set); }

    /// INTEGER contents (two's complement, big-endian), checked to be minimally encoded.
    result<bytes_view> read_integer() noexcept {
        auto e = read(tag::integer);
        if (!e) {
            return e.error();
        }
        HTTPS_TRY(check_integer(e->contents));
        return e->contents;
    }

    /// A non-negative INTEGER's magnitude, big-endian, without the sign-padding zero byte
    /// (zero comes back as one 0x00 byte). Negative values are `errc::out_of_range`.
    result<bytes_view> read_unsigned_integer() noexcept {
        const std::size_t start = pos_;
        auto c = read_integer();
        if (!c) {
            return c;
        }
        bytes_view v = *c;
        if ((v[0] & 0x80) != 0) {
            pos_ = start;
            return errc::out_of_range;
        }
        if (v.size() > 1 && v[0] == 0) {
            v = v.subspan(1);
        }
        return v;
    }

    /// A small non-negative INTEGER (versions, path lengths): at most `max`, else out_of_range.
    result<std::uint64_t> read_small_unsigned(std::uint64_t max) noexcept {
        const std::size_t start = pos_;
        auto mag = read_unsigned_integer();
        if (!mag) {
            return mag.error();
        }
        if (mag->size() > 8) {
            pos_ = start;
            return errc::out_of_range;
        }
        std::uint64_t v = 0;
        for (std::uint8_t b : *mag) {
            v = (v << 8) | b;
        }
        if (v > max) {
            pos_ = start;
            return errc::out_of_range;
        }
        return v;
    }

    /// BOOLEAN: DER allows only 0x00 and 0xFF.
    result<bool> read_boolean() noexcept {
        const std::size_t start = pos_;
        auto e = read(tag::boolean);
        if (!e) {
            return e.error();
        }
        if (e->contents.size() != 1 || (e->contents[0] != 0x00 && e->contents[0] != 0xff)) {
            pos_ = start;
            return errc::bad_encoding;
        }
        return e->contents[0] == 0xff;
    }

    /// NULL: empty contents.
    status read_null() noexcept {
        const std::size_t start = pos_;
        auto e = read(tag::null);
        if (!e) {
            return e.error();
        }
        if (!e->contents.empty()) {
            pos_ = start;
            return errc::bad_encoding;
        }
        return {};
    }

    /// BIT STRING: unused-bit count 0..7, zero for an empty string, and the unused bits zero.
    result<bit_string> read_bit_string() noexcept {
        const std::size_t start = pos_;
        auto e = read(tag::bit_string);
        if (!e) {
            return e.error();
        }
        auto fail = [&](errc ec) {
            pos_ = start;
            return ec;
        };
        if (e->contents.empty()) {
            return fail(errc::bad_encoding);
        }
        const unsigned unused = e->contents[0];
        bytes_view bits = e->contents.subspan(1);
        if (unused > 7 || (bits.empty() && unused != 0)) {
            return fail(errc::bad_encoding);
        }
        if (!bits.empty() && (bits.back() & ((1u << unused) - 1)) != 0) {
            return fail(errc::bad_encoding);
        }
        return bit_string{bits, unused};
    }

    /// OCTET STRING contents.
    result<bytes_view> read_octet_string() noexcept {
        auto e = read(tag::octet_string);
        if (!e) {
            return e.error();
        }
        return e->contents;
    }

    /// OBJECT IDENTIFIER contents (the encoded arcs), checked well-formed: non-empty, every
    /// sub-identifier minimal (no leading 0x80) and terminated.
    result<bytes_view> read_oid() noexcept {
        const std::size_t start = pos_;
        auto e = read(tag::oid);
        if (!e) {
            return e.error();
        }
        if (!valid_oid(e->contents)) {
            pos_ = start;
            return errc::bad_encoding;
        }
        return e->contents;
    }

    /// How deep this parser sits (0 for the outermost).
    [[nodiscard]] unsigned depth() const noexcept { return depth_; }

    static status check_integer(bytes_view v) noexcept {
        if (v.empty()) {
            return errc::bad_encoding;
        }
        // X.690 §8.3.2: the first nine bits must not be all zeros or all ones.
        if (v.size() > 1 && ((v[0] == 0x00 && (v[1] & 0x80) == 0) ||
                             (v[0] == 0xff && (v[1] & 0x80) != 0))) {
            return errc::non_minimal_encoding;
        }
        return {};
    }

    static bool valid_oid(bytes_view v) noexcept {
        if (v.empty() || (v.back() & 0x80) != 0) {
            return false;
        }
        bool at_start = true;
        for (std::uint8_t b : v) {
            if (at_start && b == 0x80) {
                return false; // non-minimal sub-identifier
            }
            at_start = (b & 0x80) == 0;
        }
        return true;
    }

private:
    bytes_view data_;
    std::size_t pos_ = 0;
    unsigned depth_ = 0;
};

/// Parse exactly one element of tag `t` spanning all of `data` (no trailing bytes).
inline result<element> parse_single(bytes_view data, std::uint8_t t) noexcept {
    parser p(data);
    auto e = p.read(t);
    if (!e) {
        return e.error();
    }
    HTTPS_TRY(p.expect_empty());
    return e;
}

/// Compare an OID's encoded contents with a known one.
inline bool oid_equals(bytes_view encoded, bytes_view known) noexcept {
    return encoded.size() == known.size() &&
           std::equal(encoded.begin(), encoded.end(), known.begin());
}

} // namespace https::der
// ---- https/core/oid.hpp ------------------------------------------------------------------------
// Encoded OBJECT IDENTIFIER contents of the algorithms, curves and extensions we recognise.

#include <array>
#include <cstdint>

namespace https::oid {

template <std::size_t N> using encoded = std::array<std::uint8_t, N>;

// PKCS#1 (RFC 8017 Appendix C): 1.2.840.113549.1.1.x
inline constexpr encoded<9> rsa_encryption{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
inline constexpr encoded<9> md5_with_rsa{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x04};
inline constexpr encoded<9> sha1_with_rsa{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05};
inline constexpr encoded<9> mgf1{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08};
inline constexpr encoded<9> rsassa_pss{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a};
inline constexpr encoded<9> sha256_with_rsa{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b};
inline constexpr encoded<9> sha384_with_rsa{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c};
inline constexpr encoded<9> sha512_with_rsa{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d};
inline constexpr encoded<9> sha224_with_rsa{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0e};

// Hash algorithms: SHA-1 1.3.14.3.2.26, SHA-2 2.16.840.1.101.3.4.2.x
inline constexpr encoded<5> sha1{0x2b, 0x0e, 0x03, 0x02, 0x1a};
inline constexpr encoded<9> sha256{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
inline constexpr encoded<9> sha384{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02};
inline constexpr encoded<9> sha512{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03};
inline constexpr encoded<9> sha224{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04};

// Elliptic curves (RFC 5480): id-ecPublicKey, named curves, ECDSA signature algorithms (RFC 5758)
inline constexpr encoded<7> ec_public_key{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
inline constexpr encoded<8> secp256r1{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
inline constexpr encoded<5> secp384r1{0x2b, 0x81, 0x04, 0x00, 0x22};
inline constexpr encoded<5> secp521r1{0x2b, 0x81, 0x04, 0x00, 0x23};
inline constexpr encoded<7> ecdsa_with_sha1{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01};
inline constexpr encoded<8> ecdsa_with_sha256{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
inline constexpr encoded<8> ecdsa_with_sha384{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
inline constexpr encoded<8> ecdsa_with_sha512{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04};

// Edwards curves (RFC 8410)
inline constexpr encoded<3> ed25519{0x2b, 0x65, 0x70};

// X.509 certificate extensions (RFC 5280 §4.2): id-ce 2.5.29.x
inline constexpr encoded<3> subject_key_identifier{0x55, 0x1d, 0x0e};
inline constexpr encoded<3> key_usage{0x55, 0x1d, 0x0f};
inline constexpr encoded<3> subject_alt_name{0x55, 0x1d, 0x11};
inline constexpr encoded<3> issuer_alt_name{0x55, 0x1d, 0x12};
inline constexpr encoded<3> basic_constraints{0x55, 0x1d, 0x13};
inline constexpr encoded<3> name_constraints{0x55, 0x1d, 0x1e};
inline constexpr encoded<3> crl_distribution_points{0x55, 0x1d, 0x1f};
inline constexpr encoded<3> certificate_policies{0x55, 0x1d, 0x20};
inline constexpr encoded<3> policy_mappings{0x55, 0x1d, 0x21};
inline constexpr encoded<3> authority_key_identifier{0x55, 0x1d, 0x23};
inline constexpr encoded<3> policy_constraints{0x55, 0x1d, 0x24};
inline constexpr encoded<3> ext_key_usage{0x55, 0x1d, 0x25};
inline constexpr encoded<3> inhibit_any_policy{0x55, 0x1d, 0x36};
inline constexpr encoded<8> authority_info_access{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01};
inline constexpr encoded<8> tls_feature{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x18};
/// RFC 6962 §3.3: the embedded Signed Certificate Timestamp list (1.3.6.1.4.1.11129.2.4.2).
inline constexpr encoded<10> sct_list{0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x02};

// Extended key usage purposes (RFC 5280 §4.2.1.12): id-kp 1.3.6.1.5.5.7.3.x, anyExtendedKeyUsage
inline constexpr encoded<4> any_extended_key_usage{0x55, 0x1d, 0x25, 0x00};
inline constexpr encoded<8> kp_server_auth{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01};
inline constexpr encoded<8> kp_client_auth{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02};
inline constexpr encoded<8> kp_ocsp_signing{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x09};
/// RFC 6960 §4.2.1: id-pkix-ocsp-basic (1.3.6.1.5.5.7.48.1.1).
inline constexpr encoded<9> ocsp_basic{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01};

// Name attribute types (RFC 5280 Appendix A, X.520): id-at 2.5.4.x and a few others
inline constexpr encoded<3> at_common_name{0x55, 0x04, 0x03};
inline constexpr encoded<3> at_surname{0x55, 0x04, 0x04};
inline constexpr encoded<3> at_serial_number{0x55, 0x04, 0x05};
inline constexpr encoded<3> at_country{0x55, 0x04, 0x06};
inline constexpr encoded<3> at_locality{0x55, 0x04, 0x07};
inline constexpr encoded<3> at_state{0x55, 0x04, 0x08};
inline constexpr encoded<3> at_street{0x55, 0x04, 0x09};
inline constexpr encoded<3> at_organization{0x55, 0x04, 0x0a};
inline constexpr encoded<3> at_organizational_unit{0x55, 0x04, 0x0b};
inline constexpr encoded<3> at_title{0x55, 0x04, 0x0c};
inline constexpr encoded<3> at_postal_code{0x55, 0x04, 0x11};
inline constexpr encoded<3> at_given_name{0x55, 0x04, 0x2a};
inline constexpr encoded<3> at_dn_qualifier{0x55, 0x04, 0x2e};
inline constexpr encoded<3> at_organization_identifier{0x55, 0x04, 0x61};
inline constexpr encoded<9> at_email_address{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01};
inline constexpr encoded<10> at_domain_component{0x09, 0x92, 0x26, 0x89, 0x93,
                                                 0xf2, 0x2c, 0x64, 0x01, 0x19};
inline constexpr encoded<10> at_user_id{0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01};

} // namespace https::oid
// ---- https/x509/name.hpp -----------------------------------------------------------------------
// Distinguished names (RFC 5280 §4.1.2.4): validation, comparison per §7.1, and a printable form.

// ---- https/core/hex.hpp ------------------------------------------------------------------------
// Hexadecimal encoding and strict decoding (used by tools, diagnostics and tests).


#include <string>
#include <string_view>

namespace https {

/// Lower-case hexadecimal of `data`.
inline std::string to_hex(bytes_view data) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(data.size() * 2);
    for (std::uint8_t b : data) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

/// Decode hexadecimal (either case, no separators); odd length or a non-hex digit is `bad_hex`.
inline result<byte_vector> from_hex(std::string_view text) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    };
    if (text.size() % 2 != 0) {
        return errc::bad_hex;
    }
    byte_vector out(text.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = nibble(text[2 * i]);
        const int lo = nibble(text[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return errc::bad_hex;
        }
        out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
    }
    return out;
}

} // namespace https

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace https::x509 {

/// A distinguished name: a view of its DER `Name` (a SEQUENCE OF RelativeDistinguishedName),
/// checked well-formed by `parse_name`.
struct name {
    bytes_view der; ///< the whole SEQUENCE encoding
    [[nodiscard]] bool empty() const noexcept { return der.size() <= 2; }
};

/// Limits on a Name: far above real certificates, low enough to bound the work of comparing.
inline constexpr std::size_t max_name_rdns = 64;
inline constexpr std::size_t max_rdn_attributes = 16;

/// Check that `encoded` is exactly one well-formed Name: SEQUENCE OF non-empty SET OF
/// AttributeTypeAndValue { OBJECT IDENTIFIER, ANY }; errors are the DER reader's.
inline result<name> parse_name(bytes_view encoded, unsigned depth = 0) noexcept {
    der::parser outer(encoded, depth);
    auto rdns = outer.read_sequence();
    if (!rdns) {
        return rdns.error();
    }
    HTTPS_TRY(outer.expect_empty());
    std::size_t rdn_count = 0;
    while (!rdns->empty()) {
        if (++rdn_count > max_name_rdns) {
            return errc::too_large;
        }
        auto rdn = rdns->read_set();
        if (!rdn) {
            return rdn.error();
        }
        if (rdn->empty()) {
            return errc::bad_encoding; // RDN ::= SET SIZE (1..MAX)
        }
        std::size_t attributes = 0;
        while (!rdn->empty()) {
            if (++attributes > max_rdn_attributes) {
                return errc::too_large;
            }
            auto ava = rdn->read_sequence();
            if (!ava) {
                return ava.error();
            }
            HTTPS_TRY(ava->read_oid());
            auto value = ava->read_any();
            if (!value) {
                return value.error();
            }
            HTTPS_TRY(ava->expect_empty());
        }
    }
    return name{encoded};
}

namespace detail {

/// One attribute of a name, as spans into its DER.
struct attribute {
    bytes_view type; ///< OID contents
    der::element value;
};

/// The attributes of one RDN of an already validated name.
/// (A `name` not made by `parse_name` stops at its first malformed attribute.)
inline std::vector<attribute> rdn_attributes(der::parser rdn) {
    std::vector<attribute> out;
    while (!rdn.empty()) {
        auto ava = rdn.read_sequence();
        if (!ava) {
            break;
        }
        auto type = ava->read_oid();
        auto value = ava->read_any();
        if (!type || !value) {
            break;
        }
        out.push_back({*type, *value});
    }
    return out;
}

/// Calls `f(der::parser rdn_set_contents)` for each RDN of an already validated name.
template <class F> void for_each_rdn(const name& n, F&& f) {
    der::parser outer(n.der);
    auto rdns = outer.read_sequence();
    while (rdns && !rdns->empty()) {
        auto rdn = rdns->read_set();
        if (!rdn) {
            break;
        }
        f(*rdn);
    }
}

inline bool is_space(std::uint8_t c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/// RFC 5280 §7.1 (after RFC 4518's insignificant-space handling), restricted to what we can do
/// without Unicode tables: PrintableString and UTF8String values compare with ASCII case folded,
/// leading and trailing white space removed and internal runs of white space collapsed to one
/// space; bytes >= 0x80 compare exactly. Any other string type compares byte for byte, tag too.
inline void append_value_key(std::string& key, const der::element& v) {
    if (v.tag == der::tag::printable_string || v.tag == der::tag::utf8_string) {
        key.push_back('s');
        bool pending_space = false;
        bool started = false;
        for (std::uint8_t c : v.contents) {
            if (is_space(c)) {
                pending_space = started;
                continue;
            }
            if (pending_space) {
                key.push_back(' ');
                pending_space = false;
            }
            started = true;
            key.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c));
        }
        return;
    }
    key.push_back('b');
    key.push_back(static_cast<char>(v.tag));
    key.append(reinterpret_cast<const char*>(v.contents.data()), v.contents.size());
}

inline void append_length_prefixed(std::string& out, std::string_view s) {
    const std::size_t n = s.size();
    out.push_back(static_cast<char>(n >> 24));
    out.push_back(static_cast<char>(n >> 16));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n));
    out.append(s);
}

/// One canonical key per RDN, in order: the RDN's attributes (a SET, so order-free) as
/// (type, value key) pairs, sorted. Two RDNs match under RFC 5280 §7.1 when their keys are equal.
inline std::vector<std::string> rdn_keys(const name& n) {
    std::vector<std::string> keys;
    for_each_rdn(n, [&](der::parser rdn) {
        std::vector<std::string> parts;
        for (const attribute& a : rdn_attributes(rdn)) {
            std::string part;
            append_length_prefixed(part,
                                   {reinterpret_cast<const char*>(a.type.data()), a.type.size()});
            std::string value;
            append_value_key(value, a.value);
            append_length_prefixed(part, value);
            parts.push_back(std::move(part));
        }
        std::sort(parts.begin(), parts.end());
        std::string key;
        for (const std::string& p : parts) {
            append_length_prefixed(key, p);
        }
        keys.push_back(std::move(key));
    });
    return keys;
}

/// A byte string equal for two names exactly when RFC 5280 §7.1 says they match (the same RDN
/// keys in the same order); used to index names and to compare them.
inline std::string canonical_key(const name& n) {
    std::string key;
    for (const std::string& rdn : rdn_keys(n)) {
        append_length_prefixed(key, rdn);
    }
    return key;
}

/// Dotted-decimal form of an OID's contents (already checked well-formed).
inline std::string format_oid(bytes_view oid) {
    std::string out;
    std::uint64_t arc = 0;
    bool overflow = false; // an arc beyond 64 bits prints as "?" (never seen in real names)
    bool first = true;
    for (std::uint8_t b : oid) {
        if (arc > (UINT64_MAX >> 7)) {
            overflow = true;
        } else {
            arc = (arc << 7) | (b & 0x7f);
        }
        if ((b & 0x80) != 0) {
            continue;
        }
        if (!first) {
            out += ".";
        }
        if (overflow) {
            out += first ? "2.?" : "?";
        } else if (first) {
            // X.690 §8.19.4: the first sub-identifier packs the first two arcs as 40 * a + b.
            const std::uint64_t top = arc < 40 ? 0 : arc < 80 ? 1 : 2;
            out += std::to_string(top) + "." + std::to_string(arc - 40 * top);
        } else {
            out += std::to_string(arc);
        }
        first = false;
        arc = 0;
        overflow = false;
    }
    return out;
}

inline std::string_view attribute_short_name(bytes_view type) noexcept {
    struct entry {
        bytes_view oid;
        std::string_view label;
    };
    static const entry table[] = {
        {oid::at_common_name, "CN"},
        {oid::at_country, "C"},
        {oid::at_locality, "L"},
        {oid::at_state, "ST"},
        {oid::at_street, "STREET"},
        {oid::at_organization, "O"},
        {oid::at_organizational_unit, "OU"},
        {oid::at_serial_number, "serialNumber"},
        {oid::at_surname, "SN"},
        {oid::at_given_name, "GN"},
        {oid::at_title, "title"},
        {oid::at_postal_code, "postalCode"},
        {oid::at_dn_qualifier, "dnQualifier"},
        {oid::at_organization_identifier, "organizationIdentifier"},
        {oid::at_email_address, "emailAddress"},
        {oid::at_domain_component, "DC"},
        {oid::at_user_id, "UID"},
    };
    for (const entry& e : table) {
        if (der::oid_equals(type, e.oid)) {
            return e.label;
        }
    }
    return {};
}

inline void append_escaped(std::string& out, bytes_view s) {
    static constexpr char digits[] = "0123456789abcdef";
    for (std::uint8_t c : s) {
        if (c < 0x20 || c == 0x7f || c == '\\' || c == ',' || c == '+') {
            out.push_back('\\');
            if (c == '\\' || c == ',' || c == '+') {
                out.push_back(static_cast<char>(c));
            } else {
                out.push_back(digits[c >> 4]);
                out.push_back(digits[c & 15]);
            }
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
}

} // namespace detail

/// RFC 5280 §7.1 comparison (see `detail::append_value_key` for the value rules): byte-equal
/// encodings match at once, otherwise the canonical forms are compared.
inline bool names_equal(const name& a, const name& b) {
    if (a.der.size() == b.der.size() && std::equal(a.der.begin(), a.der.end(), b.der.begin())) {
        return true;
    }
    return detail::canonical_key(a) == detail::canonical_key(b);
}

/// A one-line form for tools and diagnostics, in encoded order: `C=US, O=Example, CN=host`.
/// Multi-valued RDNs are joined with ` + `; unknown attribute types print as dotted OIDs; string
/// values print as text with control bytes escaped (`\0a`); other values as `#` and their DER hex.
inline std::string to_string(const name& n) {
    std::string out;
    detail::for_each_rdn(n, [&](der::parser rdn) {
        bool first_in_rdn = true;
        for (const detail::attribute& a : detail::rdn_attributes(rdn)) {
            out += first_in_rdn ? (out.empty() ? "" : ", ") : " + ";
            first_in_rdn = false;
            const std::string_view label = detail::attribute_short_name(a.type);
            if (label.empty()) {
                out += detail::format_oid(a.type);
            } else {
                out += label;
            }
            out.push_back('=');
            switch (a.value.tag) {
            case der::tag::printable_string:
            case der::tag::utf8_string:
            case der::tag::ia5_string:
            case der::tag::teletex_string:
            case 0x1a: // VisibleString
                detail::append_escaped(out, a.value.contents);
                break;
            default:
                out.push_back('#');
                out += to_hex(a.value.encoded);
                break;
            }
        }
    });
    return out;
}

} // namespace https::x509
// ---- https/x509/time.hpp -----------------------------------------------------------------------
// X.509 times (RFC 5280 §4.1.2.5): strict DER UTCTime/GeneralizedTime to seconds since the epoch.


#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace https::x509 {

/// Seconds since 1970-01-01T00:00:00Z, negative before (the representation of every X.509 time).
using unix_time = std::int64_t;

/// The current time from the system clock.
inline unix_time current_time() noexcept {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

namespace detail {

/// Days from 1970-01-01 to the proleptic Gregorian date y-m-d (m 1..12, d 1..31): count whole
/// 400-year eras from 0000-03-01 so that the leap day falls at the end of each counted year.
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto year_of_era = static_cast<unsigned>(y - era * 400);                // 0..399
    const unsigned day_of_year = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; // from March 1
    const unsigned day_of_era =
        year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

/// The inverse of `days_from_civil`.
constexpr void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) noexcept {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto day_of_era = static_cast<unsigned>(z - era * 146097);
    const unsigned year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const unsigned day_of_year =
        day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned mp = (5 * day_of_year + 2) / 153;
    d = day_of_year - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<std::int64_t>(year_of_era) + era * 400 + (m <= 2 ? 1 : 0);
}

constexpr bool leap_year(std::int64_t y) noexcept {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
    constexpr unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

/// Read `n` ASCII digits starting at `s[pos]`; false if any is not a digit.
inline bool read_digits(bytes_view s, std::size_t pos, unsigned n, unsigned& out) noexcept {
    out = 0;
    for (unsigned i = 0; i < n; ++i) {
        const std::uint8_t c = s[pos + i];
        if (c < '0' || c > '9') {
            return false;
        }
        out = out * 10 + (c - '0');
    }
    return true;
}

/// The common tail `MMDDHHMMSSZ` after a year already read.
inline result<unix_time> parse_time_tail(bytes_view s, std::size_t pos,
                                         std::int64_t year) noexcept {
    unsigned month = 0;
    unsigned day = 0;
    unsigned hour = 0;
    unsigned minute = 0;
    unsigned second = 0;
    if (!read_digits(s, pos, 2, month) || !read_digits(s, pos + 2, 2, day) ||
        !read_digits(s, pos + 4, 2, hour) || !read_digits(s, pos + 6, 2, minute) ||
        !read_digits(s, pos + 8, 2, second) || s[pos + 10] != 'Z') {
        return errc::bad_time;
    }
    // RFC 5280 §4.1.2.5.1-2: seconds always present, no leap second, no fractions, Zulu only.
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
        minute > 59 || second > 59) {
        return errc::bad_time;
    }
    return days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

} // namespace detail

/// UTCTime contents `YYMMDDHHMMSSZ`; RFC 5280 §4.1.2.5.1: YY >= 50 is 19YY, else 20YY.
inline result<unix_time> parse_utc_time(bytes_view contents) noexcept {
    if (contents.size() != 13) {
        return errc::bad_time;
    }
    unsigned yy = 0;
    if (!detail::read_digits(contents, 0, 2, yy)) {
        return errc::bad_time;
    }
    return detail::parse_time_tail(contents, 2, yy >= 50 ? 1900 + yy : 2000 + yy);
}

/// GeneralizedTime contents `YYYYMMDDHHMMSSZ` (RFC 5280 §4.1.2.5.2: no fractional seconds).
inline result<unix_time> parse_generalized_time(bytes_view contents) noexcept {
    if (contents.size() != 15) {
        return errc::bad_time;
    }
    unsigned yyyy = 0;
    if (!detail::read_digits(contents, 0, 4, yyyy)) {
        return errc::bad_time;
    }
    return detail::parse_time_tail(contents, 4, yyyy);
}

/// A `Time ::= CHOICE { utcTime, generalTime }` element. RFC 5280 asks CAs to use UTCTime through
/// 2049; we accept GeneralizedTime for any year, as Go, OpenSSL and browsers do.
inline result<unix_time> parse_time(const der::element& e) noexcept {
    if (e.tag == der::tag::utc_time) {
        return parse_utc_time(e.contents);
    }
    if (e.tag == der::tag::generalized_time) {
        return parse_generalized_time(e.contents);
    }
    return errc::bad_time;
}

/// ISO 8601 form `YYYY-MM-DDTHH:MM:SSZ` for diagnostics.
inline std::string format_time(unix_time t) {
    std::int64_t days = t / 86400;
    std::int64_t secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        --days;
    }
    std::int64_t y = 0;
    unsigned m = 0;
    unsigned d = 0;
    detail::civil_from_days(days, y, m, d);
    char buf[48];
    (void)std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
                        static_cast<long long>(y), m, d, static_cast<long long>(secs / 3600),
                        static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
    return buf;
}

} // namespace https::x509

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace https::x509 {

/// Certificates larger than this are rejected unparsed (real ones are a few KiB).
inline constexpr std::size_t max_certificate_size = 64 * 1024;
/// Limit on the entries of one subjectAltName and of one nameConstraints subtree list.
inline constexpr std::size_t max_general_names = 1024;
/// Limit on the number of extensions of one certificate.
inline constexpr std::size_t max_extensions = 64;

/// The digest named by a signature algorithm.
enum class hash_algorithm : std::uint8_t { none, md5, sha1, sha224, sha256, sha384, sha512 };

/// How a certificate is signed; `hash` says with which digest (MD5 and SHA-1 are refused later,
/// at validation, so that such certificates still parse and report `cert_weak_signature`).
struct signature_algorithm {
    enum class scheme : std::uint8_t { unknown, rsa_pkcs1, rsa_pss, ecdsa, ed25519 };
    scheme kind = scheme::unknown;
    hash_algorithm hash = hash_algorithm::none;
    std::uint32_t pss_salt_length = 0; ///< RSASSA-PSS only
    bytes_view der;                    ///< the whole AlgorithmIdentifier
};

/// The algorithm of a subject public key; `unsupported` covers algorithms and curves we parse
/// past but cannot verify with (DSA, P-521, brainpool, ...).
enum class key_algorithm : std::uint8_t { unsupported, rsa, ec_p256, ec_p384, ed25519 };

/// SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
struct public_key_info {
    bytes_view der; ///< the whole SubjectPublicKeyInfo
    key_algorithm algorithm = key_algorithm::unsupported;
    bytes_view key;           ///< subjectPublicKey BIT STRING contents
    bytes_view rsa_modulus;   ///< RSA: n, without sign padding
    bytes_view rsa_exponent;  ///< RSA: e, without sign padding
    std::size_t rsa_bits = 0; ///< RSA: bit length of n
};

/// keyUsage named bits (RFC 5280 §4.2.1.3), as a mask with bit i for named bit i.
namespace key_usage {
inline constexpr std::uint16_t digital_signature = 1u << 0;
inline constexpr std::uint16_t non_repudiation = 1u << 1;
inline constexpr std::uint16_t key_encipherment = 1u << 2;
inline constexpr std::uint16_t data_encipherment = 1u << 3;
inline constexpr std::uint16_t key_agreement = 1u << 4;
inline constexpr std::uint16_t key_cert_sign = 1u << 5;
inline constexpr std::uint16_t crl_sign = 1u << 6;
inline constexpr std::uint16_t encipher_only = 1u << 7;
inline constexpr std::uint16_t decipher_only = 1u << 8;
} // namespace key_usage

/// The extensions we know (RFC 5280 §4.2, RFC 6962 §3.3, RFC 7633), as bits of
/// `certificate::extensions_present` and `certificate::extensions_critical`.
namespace extension {
inline constexpr std::uint32_t basic_constraints = 1u << 0;
inline constexpr std::uint32_t key_usage = 1u << 1;
inline constexpr std::uint32_t ext_key_usage = 1u << 2;
inline constexpr std::uint32_t subject_alt_name = 1u << 3;
inline constexpr std::uint32_t name_constraints = 1u << 4;
inline constexpr std::uint32_t authority_key_id = 1u << 5;
inline constexpr std::uint32_t subject_key_id = 1u << 6;
inline constexpr std::uint32_t certificate_policies = 1u << 7;
inline constexpr std::uint32_t authority_info_access = 1u << 8;
inline constexpr std::uint32_t crl_distribution_points = 1u << 9;
inline constexpr std::uint32_t sct_list = 1u << 10;
inline constexpr std::uint32_t tls_feature = 1u << 11;
} // namespace extension

/// extKeyUsage (RFC 5280 §4.2.1.12): the purposes we act on.
struct extended_key_usage {
    bool server_auth = false;
    bool client_auth = false;
    bool ocsp_signing = false; ///< id-kp-OCSPSigning (RFC 6960 §4.2.2.2)
    bool any = false; ///< anyExtendedKeyUsage
};

/// GeneralName forms (RFC 5280 §4.2.1.6) we keep no values for, as bits of `other_forms`.
namespace name_form {
inline constexpr unsigned other_name = 1u << 0;
inline constexpr unsigned rfc822 = 1u << 1;
inline constexpr unsigned x400 = 1u << 3;
inline constexpr unsigned edi_party = 1u << 5;
inline constexpr unsigned uri = 1u << 6;
inline constexpr unsigned registered_id = 1u << 8;
} // namespace name_form

/// A list of GeneralNames, split by form. In a subjectAltName `ip_addresses` are 4 or 16 bytes;
/// in name constraints they are address and mask, 8 or 32 bytes.
struct general_names {
    std::vector<std::string_view> dns_names;
    std::vector<bytes_view> ip_addresses;
    std::vector<name> directory_names;
    unsigned other_forms = 0; ///< `name_form` bits present
    [[nodiscard]] bool empty() const noexcept {
        return dns_names.empty() && ip_addresses.empty() && directory_names.empty() &&
               other_forms == 0;
    }
};

/// nameConstraints (RFC 5280 §4.2.1.10).
struct name_constraints {
    general_names permitted;
    general_names excluded;
};

/// A parsed certificate. Every view points into the DER it was parsed from, which must outlive it.
struct certificate {
    bytes_view der;              ///< the whole Certificate
    bytes_view tbs;              ///< the signed TBSCertificate encoding
    unsigned version = 1;        ///< 1, 2 or 3
    bytes_view serial;           ///< INTEGER contents (positive; see `parse_certificate`)
    signature_algorithm sig_alg; ///< outer signatureAlgorithm (equal to the TBS one)
    bytes_view signature;        ///< signatureValue bits
    name issuer;
    name subject;
    unix_time not_before = 0;
    unix_time not_after = 0;
    public_key_info spki;

    // Extensions (RFC 5280 §4.2); absent ones keep these defaults. Every known extension is
    // checked well formed even when validation makes no use of it.
    std::uint32_t extensions_present = 0;  ///< `extension::` bits
    std::uint32_t extensions_critical = 0; ///< `extension::` bits marked critical
    bool is_ca = false;
    std::optional<std::uint32_t> path_len_constraint;
    std::optional<std::uint16_t> key_usage; ///< `key_usage::` bits
    extended_key_usage ext_key_usage;
    general_names subject_alt_names;
    std::optional<name_constraints> constraints;
    bytes_view authority_key_id; ///< keyIdentifier of authorityKeyIdentifier (may be empty)
    /// authorityKeyIdentifier names the issuer by authorityCertIssuer and SerialNumber.
    bool authority_key_id_names_issuer = false;
    bytes_view subject_key_id; ///< subjectKeyIdentifier (may be empty)
    /// The TLS Feature extension (RFC 7633) lists status_request: the server must staple an
    /// OCSP response ("must-staple").
    bool must_staple = false;
    /// A critical extension we do not process: RFC 5280 §4.2 says the certificate must then be
    /// rejected, which validation does (`errc::cert_unknown_critical_extension`).
    bool unknown_critical_extension = false;

    /// Issuer and subject are the same name (RFC 5280 §6.1: "self-issued").
    [[nodiscard]] bool self_issued() const { return names_equal(issuer, subject); }
    /// Is the extension (an `extension::` bit) present, and is it marked critical?
    [[nodiscard]] bool has(std::uint32_t ext) const noexcept {
        return (extensions_present & ext) != 0;
    }
    [[nodiscard]] bool is_critical(std::uint32_t ext) const noexcept {
        return (extensions_critical & ext) != 0;
    }
};

namespace detail {

inline bool all_ascii(bytes_view s) noexcept {
    return std::all_of(s.begin(), s.end(), [](std::uint8_t c) { return c < 0x80; });
}

inline std::string_view as_string(bytes_view b) noexcept {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

/// SEQUENCE SIZE (1..MAX) OF X with at most `max_general_names` elements: `read_one(parser&)`
/// consumes one element and returns a status.
template <class ReadOne> status for_each_element(der::parser seq, ReadOne&& read_one) {
    if (seq.empty()) {
        return errc::bad_encoding;
    }
    for (std::size_t count = 1; !seq.empty(); ++count) {
        if (count > max_general_names) {
            return errc::too_large;
        }
        HTTPS_TRY(read_one(seq));
    }
    return {};
}

} // namespace detail

namespace detail {

/// A digest AlgorithmIdentifier (RFC 4055 §2.1), parameters NULL or absent.
HTTPS_DECL result<hash_algorithm> parse_hash_identifier(der::parser& p) noexcept;
/// A signature AlgorithmIdentifier (RFC 4055, RFC 5758, RFC 8410); unknown algorithms parse as
/// `scheme::unknown`.
HTTPS_DECL result<signature_algorithm> parse_signature_algorithm(der::parser& p) noexcept;

} // namespace detail

/// Parse a DER certificate under strict DER and RFC 5280 rules. Any violation is
/// `errc::cert_malformed`; if `cause` is given it receives the underlying decode error
/// (`truncated`, `bad_time`, `non_minimal_encoding`, ...). The result's views point into `der`.
HTTPS_DECL result<certificate> parse_certificate(bytes_view der, errc* cause = nullptr);

/// One line for diagnostics (curl -v style): subject, issuer and validity period, or why the
/// certificate could not be parsed.
HTTPS_DECL std::string describe_certificate(bytes_view der);

} // namespace https::x509


// ---- https/crypto/ed25519.hpp ------------------------------------------------------------------
// Ed25519 signature verification (RFC 8032 §5.1.7), as TLS 1.3 (RFC 8446 §4.2.3, SignatureScheme
// ed25519) and X.509 certificates (RFC 8410) use it: public keys, their SubjectPublicKeyInfo
// form and the verification equation.

// ---- https/crypto/detail/edwards25519.hpp ------------------------------------------------------
// The group of edwards25519 (RFC 8032 §5.1: -x^2 + y^2 = 1 + d x^2 y^2 over GF(2^255 - 19)) and
// scalars modulo its order L, as Ed25519 needs them: point decoding and encoding,
// extended-coordinate addition and doubling, a variable-time double-scalar multiplication for
// verification (public values only), and for signing a constant-time fixed-base multiplication
// and constant-time scalar reduction and multiply-add modulo L. Each function's CT line says
// which kind it is.

// ---- https/core/ct.hpp -------------------------------------------------------------------------
// Constant-time building blocks: masks, a value barrier, comparison, selection, wiping, and
// valgrind "poison" hooks that let tests prove secrets never steer a branch or an address.

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>

#if defined(HTTPS_CT_VALGRIND)
#include <valgrind/memcheck.h>
#endif

namespace https::ct {

/// Mark memory as secret for the valgrind constant-time check: any branch or address that depends
/// on it is reported as a use of uninitialised memory. No effect unless HTTPS_CT_VALGRIND is set.
inline void poison([[maybe_unused]] const void* p, [[maybe_unused]] std::size_t n) noexcept {
#if defined(HTTPS_CT_VALGRIND)
    VALGRIND_MAKE_MEM_UNDEFINED(p, n);
#endif
}

/// Mark memory as public again (a result that is meant to be revealed).
inline void unpoison([[maybe_unused]] const void* p, [[maybe_unused]] std::size_t n) noexcept {
#if defined(HTTPS_CT_VALGRIND)
    VALGRIND_MAKE_MEM_DEFINED(p, n);
#endif
}

/// Hide a value from the optimiser so that mask arithmetic cannot be turned back into a branch.
/// CT: no branch; the empty asm only pins the value in a register.
template <std::unsigned_integral T> [[nodiscard]] inline T value_barrier(T v) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    __asm__("" : "+r"(v));
#endif
    return v;
}

/// An all-ones or all-zeros word that stands for a secret boolean.
/// CT: every operation is branch-free arithmetic on the mask.
template <std::unsigned_integral T = std::uint32_t> class mask {
public:
    /// All ones if `bit` is 1, zero if it is 0. `bit` must be 0 or 1.
    static mask from_bit(T bit) noexcept { return mask(value_barrier(static_cast<T>(T(0) - bit))); }
    static mask set() noexcept { return mask(static_cast<T>(~T(0))); }
    static mask cleared() noexcept { return mask(T(0)); }
    /// Set when `v` is zero.
    static mask is_zero(T v) noexcept {
        // top bit of (~v & (v - 1)) is set exactly when v == 0
        return from_bit(static_cast<T>((~v & static_cast<T>(v - 1)) >> (sizeof(T) * 8 - 1)));
    }
    static mask equal(T a, T b) noexcept { return is_zero(static_cast<T>(a ^ b)); }
    /// Set when a < b (unsigned).
    static mask less(T a, T b) noexcept {
        // borrow out of a - b, computed without a branch
        T borrow = static_cast<T>((a ^ ((a ^ b) | (static_cast<T>(a - b) ^ b))) >> (sizeof(T) * 8 - 1));
        return from_bit(borrow);
    }

    [[nodiscard]] T value() const noexcept { return m_; }
    /// `a` where set, `b` where cleared.
    [[nodiscard]] T select(T a, T b) const noexcept { return static_cast<T>((a & m_) | (b & ~m_)); }
    /// `v` where set, zero where cleared.
    [[nodiscard]] T if_set(T v) const noexcept { return static_cast<T>(v & m_); }

    mask operator&(mask o) const noexcept { return mask(static_cast<T>(m_ & o.m_)); }
    mask operator|(mask o) const noexcept { return mask(static_cast<T>(m_ | o.m_)); }
    mask operator~() const noexcept { return mask(static_cast<T>(~m_)); }

    /// Leave constant time: only call when the outcome is public (e.g. a final MAC verdict).
    [[nodiscard]] bool declassify() const noexcept {
        bool verdict = value_barrier(m_) != 0;
        unpoison(&verdict, sizeof verdict);
        return verdict;
    }

private:
    explicit mask(T m) noexcept : m_(m) {}
    T m_;
};

/// Compare two equal-length byte strings; the verdict is public, the contents are not.
/// CT: time depends only on the length.
[[nodiscard]] inline bool equal(std::span<const std::uint8_t> a,
                                std::span<const std::uint8_t> b) noexcept {
    if (a.size() != b.size()) {
        return false; // lengths are public
    }
    std::uint32_t diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff |= static_cast<std::uint32_t>(a[i] ^ b[i]);
    }
    return mask<std::uint32_t>::is_zero(diff).declassify();
}

/// dst = m ? a : b, byte by byte. All three spans have the same length.
/// CT: no branch on `m` or the data.
inline void select(mask<std::uint8_t> m, std::span<const std::uint8_t> a,
                   std::span<const std::uint8_t> b, std::span<std::uint8_t> dst) noexcept {
    for (std::size_t i = 0; i < dst.size(); ++i) {
        dst[i] = m.select(a[i], b[i]);
    }
}

/// dst = src where `m` is set; dst unchanged otherwise.
/// CT: no branch on `m` or the data.
inline void conditional_copy(mask<std::uint8_t> m, std::span<const std::uint8_t> src,
                             std::span<std::uint8_t> dst) noexcept {
    for (std::size_t i = 0; i < dst.size(); ++i) {
        dst[i] = m.select(src[i], dst[i]);
    }
}

/// Swap two equal-length word arrays where `m` is set. CT: no branch on `m`.
template <std::unsigned_integral T>
inline void conditional_swap(mask<T> m, std::type_identity_t<std::span<T>> a,
                             std::type_identity_t<std::span<T>> b) noexcept {
    for (std::size_t i = 0; i < a.size(); ++i) {
        T t = m.if_set(static_cast<T>(a[i] ^ b[i]));
        a[i] ^= t;
        b[i] ^= t;
    }
}

/// Overwrite memory in a way the compiler may not elide (keys, intermediate secrets).
inline void wipe(void* p, std::size_t n) noexcept {
    if (n == 0) {
        return;
    }
    std::memset(p, 0, n);
#if defined(__GNUC__) || defined(__clang__)
    __asm__ __volatile__("" : : "r"(p) : "memory");
#endif
}

template <class T, std::size_t N> inline void wipe(std::array<T, N>& a) noexcept {
    wipe(a.data(), sizeof(T) * N);
}

/// A fixed-size buffer for key material that is wiped when it goes out of scope.
template <std::size_t N> struct secret_array {
    std::array<std::uint8_t, N> bytes{};

    secret_array() = default;
    secret_array(const secret_array&) = default;
    secret_array& operator=(const secret_array&) = default;
    secret_array(secret_array&&) noexcept = default;
    secret_array& operator=(secret_array&&) noexcept = default;
    ~secret_array() { wipe(bytes); }

    std::uint8_t* data() noexcept { return bytes.data(); }
    const std::uint8_t* data() const noexcept { return bytes.data(); }
    static constexpr std::size_t size() noexcept { return N; }
    std::span<std::uint8_t, N> span() noexcept { return bytes; }
    std::span<const std::uint8_t, N> span() const noexcept { return bytes; }
};

} // namespace https::ct
// ---- https/crypto/detail/field25519.hpp --------------------------------------------------------
// GF(2^255 - 19) arithmetic in radix 2^51, shared by X25519 (x25519.hpp) and Ed25519
// (ed25519.hpp, through detail/edwards25519.hpp).


#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace https::crypto::detail {

__extension__ typedef unsigned __int128 fe25519_u128; // -Wpedantic: a GCC/Clang extension

/// An element of GF(p), p = 2^255 - 19, as v[0] + v[1]*2^51 + ... + v[4]*2^204. Limbs may exceed
/// 2^51 (carries are lazy); each operation says which limb bounds it accepts and returns:
///   "tight": every limb < 2^51 + 2^13 (what mul, sq, mul_small and decode return),
///   "loose": every limb < 2^53 (what add and sub return from tight inputs).
/// mul and sq accept loose inputs: with limbs < 2^53 every 128-bit column sum stays below 2^113
/// and the carry out of the top column times 19 below 2^64 (worked out at fe25519_mul).
struct fe25519 {
    std::array<std::uint64_t, 5> v;
};

inline constexpr std::uint64_t fe25519_mask51 = (std::uint64_t{1} << 51) - 1;

/// h = f + g, no carry. Tight + tight -> loose (< 2^52 + 2^14). CT: branch-free.
inline fe25519 fe25519_add(const fe25519& f, const fe25519& g) noexcept {
    return {{f.v[0] + g.v[0], f.v[1] + g.v[1], f.v[2] + g.v[2], f.v[3] + g.v[3], f.v[4] + g.v[4]}};
}

/// h = f - g + 2p, so no limb goes negative. Requires g tight (each limb of 2p, 2^52 - 38 or
/// 2^52 - 2, exceeds 2^51 + 2^13) and f tight; returns loose (< 2^53). CT: branch-free.
inline fe25519 fe25519_sub(const fe25519& f, const fe25519& g) noexcept {
    constexpr std::uint64_t two_p0 = 0xfffffffffffdaULL; // 2 * (2^51 - 19)
    constexpr std::uint64_t two_pi = 0xffffffffffffeULL; // 2 * (2^51 - 1)
    return {{f.v[0] + two_p0 - g.v[0], f.v[1] + two_pi - g.v[1], f.v[2] + two_pi - g.v[2],
             f.v[3] + two_pi - g.v[3], f.v[4] + two_pi - g.v[4]}};
}

/// Carry five 128-bit column sums into a tight element. Requires t0..t3 < 2^114 (every carry
/// then fits in 63 bits) and t4 < 2^110, so that the carry out of the top column, times 19
/// (2^255 = 19 mod p), fits in 64 bits. CT: branch-free.
[[gnu::always_inline]] inline fe25519 fe25519_carry_wide(fe25519_u128 t0, fe25519_u128 t1,
                                                         fe25519_u128 t2, fe25519_u128 t3,
                                                         fe25519_u128 t4) noexcept {
    constexpr std::uint64_t m = fe25519_mask51;
    // Two interleaved chains (0 -> 1 -> 2 -> 3 and 3 -> 4 -> 0 -> 1) halve the dependent steps.
    t1 += static_cast<std::uint64_t>(t0 >> 51);
    t4 += static_cast<std::uint64_t>(t3 >> 51);
    std::uint64_t r0 = static_cast<std::uint64_t>(t0) & m;
    std::uint64_t r3 = static_cast<std::uint64_t>(t3) & m;
    t2 += static_cast<std::uint64_t>(t1 >> 51);
    r0 += static_cast<std::uint64_t>(t4 >> 51) * 19;
    std::uint64_t r1 = static_cast<std::uint64_t>(t1) & m;
    std::uint64_t r4 = static_cast<std::uint64_t>(t4) & m;
    r3 += static_cast<std::uint64_t>(t2 >> 51);
    std::uint64_t r2 = static_cast<std::uint64_t>(t2) & m;
    r1 += r0 >> 51;
    r0 &= m;
    r4 += r3 >> 51;
    r3 &= m;
    return {{r0, r1, r2, r3, r4}};
}

/// h = f * g. Loose inputs, tight output.
/// Bounds: with limbs < 2^53, 19 * g_i < 2^57.3, so every product is < 2^110.3 and each column of
/// five products < 2^112.7; the top column has no factor 19 and stays < 2^108.4 with the carry
/// it receives, so its carry out is < 2^57.4 and 19 times that < 2^61.7.
/// CT: fixed sequence of multiplications (constant-time on x86-64 and AArch64), no branch.
[[gnu::always_inline]] inline fe25519 fe25519_mul(const fe25519& f, const fe25519& g) noexcept {
    using w = fe25519_u128;
    const std::uint64_t f0 = f.v[0], f1 = f.v[1], f2 = f.v[2], f3 = f.v[3], f4 = f.v[4];
    const std::uint64_t g0 = g.v[0], g1 = g.v[1], g2 = g.v[2], g3 = g.v[3], g4 = g.v[4];
    // 2^255 = 19 (mod p): a product landing in column 5+i is folded into column i times 19.
    const std::uint64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
    const w t0 = w{f0} * g0 + w{f1} * g4_19 + w{f2} * g3_19 + w{f3} * g2_19 + w{f4} * g1_19;
    const w t1 = w{f0} * g1 + w{f1} * g0 + w{f2} * g4_19 + w{f3} * g3_19 + w{f4} * g2_19;
    const w t2 = w{f0} * g2 + w{f1} * g1 + w{f2} * g0 + w{f3} * g4_19 + w{f4} * g3_19;
    const w t3 = w{f0} * g3 + w{f1} * g2 + w{f2} * g1 + w{f3} * g0 + w{f4} * g4_19;
    const w t4 = w{f0} * g4 + w{f1} * g3 + w{f2} * g2 + w{f3} * g1 + w{f4} * g0;
    return fe25519_carry_wide(t0, t1, t2, t3, t4);
}

/// h = f^2: 15 products instead of 25 by doubling the cross terms. Loose input, tight output.
/// Bounds: with limbs < 2^53 a doubled limb is < 2^54 and 19 times a limb < 2^57.3, so each
/// column of three products is < 2^112.4 and the top one (no factor 19) < 2^108.3.
/// CT: fixed sequence of multiplications, no branch.
[[gnu::always_inline]] inline fe25519 fe25519_sq(const fe25519& f) noexcept {
    using w = fe25519_u128;
    const std::uint64_t f0 = f.v[0], f1 = f.v[1], f2 = f.v[2], f3 = f.v[3], f4 = f.v[4];
    const std::uint64_t f0_2 = 2 * f0, f1_2 = 2 * f1, f2_2 = 2 * f2, f3_2 = 2 * f3;
    const std::uint64_t f3_19 = 19 * f3, f4_19 = 19 * f4;
    const w t0 = w{f0} * f0 + w{f1_2} * f4_19 + w{f2_2} * f3_19;
    const w t1 = w{f0_2} * f1 + w{f2_2} * f4_19 + w{f3} * f3_19;
    const w t2 = w{f0_2} * f2 + w{f1} * f1 + w{f3_2} * f4_19;
    const w t3 = w{f0_2} * f3 + w{f1_2} * f2 + w{f4} * f4_19;
    const w t4 = w{f0_2} * f4 + w{f1_2} * f3 + w{f2} * f2;
    return fe25519_carry_wide(t0, t1, t2, t3, t4);
}

/// h = f^(2^n): n squarings (n is public). CT: n only.
inline fe25519 fe25519_sq_n(fe25519 f, unsigned n) noexcept {
    for (unsigned i = 0; i < n; ++i) {
        f = fe25519_sq(f);
    }
    return f;
}

/// h = f * c for a small public constant c < 2^17. Loose input, tight output. CT: branch-free.
inline fe25519 fe25519_mul_small(const fe25519& f, std::uint32_t c) noexcept {
    using w = fe25519_u128;
    return fe25519_carry_wide(w{f.v[0]} * c, w{f.v[1]} * c, w{f.v[2]} * c, w{f.v[3]} * c,
                              w{f.v[4]} * c);
}

/// One step of an exponentiation chain: t[i + 1] = t[base]^(2^squarings) * t[factor].
struct fe25519_chain_step {
    std::uint8_t squarings, base, factor;
};

/// z^e for the exponents of the form 2^k * (2^250 - 1) + small that inversion and square roots
/// need: a fixed chain to t11 = z^(2^250 - 1) (keeping t0 = z, t3 = z^11 and the others for the
/// last step), then the caller's last step. 250 squarings and 11 multiplications (z^2 taken as
/// z * z) plus the last step. The chain is a table run by one loop, so one squaring and one
/// multiplication are compiled (written out step by step, the chain made 9.5 KB of code).
/// Loose input, tight output.
/// CT: fixed sequence of operations; the table indices are public; no branch on z.
inline fe25519 fe25519_pow_chain(const fe25519& z, fe25519_chain_step last) noexcept {
    static constexpr fe25519_chain_step chain[] = {
        {0, 0, 0},   // t1 = z^2
        {2, 1, 0},   // t2 = z^9
        {0, 2, 1},   // t3 = z^11
        {1, 3, 2},   // t4 = z^(2^5 - 1)
        {5, 4, 4},   // t5 = z^(2^10 - 1)
        {10, 5, 5},  // t6 = z^(2^20 - 1)
        {20, 6, 6},  // t7 = z^(2^40 - 1)
        {10, 7, 5},  // t8 = z^(2^50 - 1)
        {50, 8, 8},  // t9 = z^(2^100 - 1)
        {100, 9, 9}, // t10 = z^(2^200 - 1)
        {50, 10, 8}, // t11 = z^(2^250 - 1)
    };
    constexpr std::size_t steps = sizeof chain / sizeof chain[0] + 1;
    std::array<fe25519, steps + 1> t;
    t[0] = z;
    for (std::size_t i = 0; i < steps; ++i) {
        const fe25519_chain_step s = i + 1 < steps ? chain[i] : last;
        t[i + 1] = fe25519_mul(fe25519_sq_n(t[s.base], s.squarings), t[s.factor]);
    }
    const fe25519 r = t[steps];
    ct::wipe(t.data(), sizeof t);
    return r;
}

/// h = f^(p-2) = 1/f (and 0 for f = 0): p - 2 = 2^255 - 21 = 2^5 (2^250 - 1) + 11, 255
/// squarings and 12 multiplications, the same for every input. Loose input, tight output.
/// CT: fixed sequence of operations; no branch on f.
inline fe25519 fe25519_invert(const fe25519& z) noexcept {
    return fe25519_pow_chain(z, {5, 11, 3}); // t12 = t11^(2^5) * z^11 = z^(2^255 - 32 + 11)
}

/// h = f^((p-5)/8), the exponent of the square-root computation of RFC 8032 §5.1.3:
/// (p - 5) / 8 = 2^252 - 3 = 2^2 (2^250 - 1) + 1. Loose input, tight output.
/// CT: fixed sequence of operations; no branch on f.
inline fe25519 fe25519_pow_p58(const fe25519& z) noexcept {
    return fe25519_pow_chain(z, {2, 11, 0}); // t12 = t11^(2^2) * z = z^(2^252 - 4 + 1)
}

/// Carry a loose element (limbs < 2^63) into a tight one, the value unchanged mod p: for
/// results of add or sub that must feed another add or sub. CT: branch-free.
inline fe25519 fe25519_carry(const fe25519& f) noexcept {
    constexpr std::uint64_t m = fe25519_mask51;
    // One pass: every carry is below 2^13 (limbs < 2^63 plus a carry), the top one times 19
    // below 2^18, so limb 0 ends below 2^51 + 2^18; carrying it once more leaves limb 1 at most
    // 2^51 and every other limb below 2^51.
    std::uint64_t h0 = f.v[0], h1 = f.v[1], h2 = f.v[2], h3 = f.v[3], h4 = f.v[4];
    h1 += h0 >> 51;
    h0 &= m;
    h2 += h1 >> 51;
    h1 &= m;
    h3 += h2 >> 51;
    h2 &= m;
    h4 += h3 >> 51;
    h3 &= m;
    h0 += (h4 >> 51) * 19;
    h4 &= m;
    h1 += h0 >> 51;
    h0 &= m;
    return {{h0, h1, h2, h3, h4}};
}

/// Decode 32 little-endian bytes, ignoring the top bit (RFC 7748 §5: "implementations of X25519
/// MUST mask the most significant bit in the final byte"). Values in [p, 2^255) are kept as they
/// are: the arithmetic is mod p, so they act as u - p, which is what §5 asks of non-canonical u.
/// Returns all limbs < 2^51. CT: branch-free.
inline fe25519 fe25519_decode(std::span<const std::uint8_t, 32> s) noexcept {
    using https::detail::load_le64;
    const std::uint64_t w0 = load_le64(s.data()), w1 = load_le64(s.data() + 8),
                        w2 = load_le64(s.data() + 16), w3 = load_le64(s.data() + 24);
    constexpr std::uint64_t m = fe25519_mask51;
    return {{w0 & m, ((w0 >> 51) | (w1 << 13)) & m, ((w1 >> 38) | (w2 << 26)) & m,
             ((w2 >> 25) | (w3 << 39)) & m, (w3 >> 12) & m}};
}

/// Encode the canonical representative (in [0, p)) as 32 little-endian bytes. Tight input.
/// CT: branch-free; the final subtraction of p is done by arithmetic on the carry q.
inline void fe25519_encode(const fe25519& f, std::span<std::uint8_t, 32> out) noexcept {
    constexpr std::uint64_t m = fe25519_mask51;
    std::uint64_t h0 = f.v[0], h1 = f.v[1], h2 = f.v[2], h3 = f.v[3], h4 = f.v[4];
    // One carry pass: limbs < 2^51 except h0 < 2^51 + 19, so h < 2^255 + 19 < 2p.
    h1 += h0 >> 51;
    h0 &= m;
    h2 += h1 >> 51;
    h1 &= m;
    h3 += h2 >> 51;
    h2 &= m;
    h4 += h3 >> 51;
    h3 &= m;
    h0 += (h4 >> 51) * 19;
    h4 &= m;
    // q = floor((h + 19) / 2^255), exactly, by carrying h + 19 without storing it; for h < 2p,
    // q is 1 when h >= p and 0 otherwise, and h - q*p = h + 19q - q*2^255 is the answer.
    std::uint64_t q = (h0 + 19) >> 51;
    q = (h1 + q) >> 51;
    q = (h2 + q) >> 51;
    q = (h3 + q) >> 51;
    q = (h4 + q) >> 51;
    h0 += 19 * q;
    h1 += h0 >> 51;
    h0 &= m;
    h2 += h1 >> 51;
    h1 &= m;
    h3 += h2 >> 51;
    h2 &= m;
    h4 += h3 >> 51;
    h3 &= m;
    h4 &= m; // drops the q * 2^255
    using https::detail::store_le64;
    store_le64(out.data(), h0 | (h1 << 51));
    store_le64(out.data() + 8, (h1 >> 13) | (h2 << 38));
    store_le64(out.data() + 16, (h2 >> 26) | (h3 << 25));
    store_le64(out.data() + 24, (h3 >> 39) | (h4 << 12));
}

/// Swap a and b when `m` is set. CT: no branch on m.
inline void fe25519_cswap(ct::mask<std::uint64_t> m, fe25519& a, fe25519& b) noexcept {
    ct::conditional_swap(m, std::span<std::uint64_t>(a.v), std::span<std::uint64_t>(b.v));
}

} // namespace https::crypto::detail

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace https::crypto::detail::ed25519 {

// ---- constants ----------------------------------------------------------------------------------

/// The 64-bit limbs (least significant first) of a number written in hexadecimal, most
/// significant digit first. Compile time only: a digit that is not lowercase hex, or a number too
/// large for N limbs, is a compile error.
template <std::size_t N> consteval std::array<std::uint64_t, N> hex_limbs(std::string_view hex) {
    if (hex.size() > 16 * N) {
        throw "constant too large";
    }
    std::array<std::uint64_t, N> w{};
    for (const char c : hex) {
        std::uint64_t digit = 0;
        if (c >= '0' && c <= '9') {
            digit = static_cast<std::uint64_t>(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            digit = static_cast<std::uint64_t>(c - 'a') + 10;
        } else {
            throw "not a hexadecimal digit";
        }
        for (std::size_t i = N - 1; i > 0; --i) {
            w[i] = (w[i] << 4) | (w[i - 1] >> 60);
        }
        w[0] = (w[0] << 4) | digit;
    }
    return w;
}

/// A field element from its value in hexadecimal (below p). Compile time only.
consteval fe25519 field_constant(std::string_view hex) {
    const std::array<std::uint64_t, 4> w = hex_limbs<4>(hex);
    constexpr std::uint64_t m = fe25519_mask51;
    return {{w[0] & m, ((w[0] >> 51) | (w[1] << 13)) & m, ((w[1] >> 38) | (w[2] << 26)) & m,
             ((w[2] >> 25) | (w[3] << 39)) & m, (w[3] >> 12) & m}};
}

// RFC 8032 §5.1: d = -121665/121666 mod p (decimal 370957059346694393431380835087545651895421138
// 79843219016388785533085940283555); 2d for the addition formulas; sqrt(-1) = 2^((p-1)/4) for
// point decoding (§5.1.3 step 3). Checked against their definitions by the tests.
inline constexpr fe25519 curve_d =
    field_constant("52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3");
inline constexpr fe25519 curve_2d =
    field_constant("2406d9dc56dffce7198e80f2eef3d13000e0149a8283b156ebd69b9426b2f159");
inline constexpr fe25519 sqrt_m1 =
    field_constant("2b8324804fc1df0b2b4d00993dfbd7a72f431806ad2fe478c4ee1b274a0ea0b0");
inline constexpr fe25519 fe_zero{{0, 0, 0, 0, 0}};
inline constexpr fe25519 fe_one{{1, 0, 0, 0, 0}};

/// The encoding of the base point B of RFC 8032 §5.1 (y = 4/5, x even).
inline constexpr std::array<std::uint8_t, 32> base_point_encoding = {
    0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66};

// ---- field helpers for public values ------------------------------------------------------------

/// Whether f = 0 mod p. Takes a loose element. CT: variable time (public values only).
inline bool is_zero_vartime(const fe25519& f) noexcept {
    std::array<std::uint8_t, 32> bytes{};
    fe25519_encode(fe25519_carry(f), bytes);
    return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

/// The low bit of the canonical representative ("negative" in RFC 8032 §5.1.2). Tight input.
/// CT: variable time (public values only).
inline bool is_odd_vartime(const fe25519& f) noexcept {
    std::array<std::uint8_t, 32> bytes{};
    fe25519_encode(f, bytes);
    return (bytes[0] & 1) != 0;
}

/// Field products for the code that runs once per verification or once in all (decoding,
/// encoding, the base-point table): one out-of-line copy instead of fe25519_mul's forced inlining
/// at each call, which took 15 KB of code; the doubling and addition formulas keep it inlined.
[[gnu::noinline]] inline fe25519 mul_cold(const fe25519& f, const fe25519& g) noexcept {
    return fe25519_mul(f, g);
}
[[gnu::noinline]] inline fe25519 sq_cold(const fe25519& f) noexcept {
    return fe25519_sq(f);
}

// ---- points -------------------------------------------------------------------------------------

/// A point in extended coordinates (Hisil, Wong, Carter, Dawson, "Twisted Edwards Curves
/// Revisited", 2008; RFC 8032 §5.1.4): x = X/Z, y = Y/Z, x y = T/Z, Z != 0. Tight limbs.
struct point {
    fe25519 x, y, z, t;
};

/// Projective coordinates (x = X/Z, y = Y/Z): all that doubling reads. Tight limbs.
struct projective {
    fe25519 x, y, z;
};

/// The result of a doubling or an addition before its last multiplications: x = X/Z, y = Y/T.
/// Loose limbs. Three multiplications make it projective, four make it extended, so a doubling
/// followed by another doubling skips the product T needs.
struct completed {
    fe25519 x, y, z, t;
};

/// A point prepared as the right operand of additions: (Y + X, Y - X, 2Z, 2dT). Loose limbs.
struct cached {
    fe25519 y_plus_x, y_minus_x, z2, t2d;
};

/// An affine point (Z = 1) prepared likewise: (y + x, y - x, 2dxy), for the base-point table.
/// Loose limbs.
struct affine_cached {
    fe25519 y_plus_x, y_minus_x, xy2d;
};

inline projective to_projective(const completed& c) noexcept {
    return {fe25519_mul(c.x, c.t), fe25519_mul(c.y, c.z), fe25519_mul(c.z, c.t)};
}

inline point to_point(const completed& c) noexcept {
    return {fe25519_mul(c.x, c.t), fe25519_mul(c.y, c.z), fe25519_mul(c.z, c.t),
            fe25519_mul(c.x, c.y)};
}

inline cached to_cached(const point& p) noexcept {
    return {fe25519_add(p.y, p.x), fe25519_sub(p.y, p.x), fe25519_add(p.z, p.z),
            fe25519_mul(p.t, curve_2d)};
}

/// 2P by the doubling of RFC 8032 §5.1.4 (HWCD 2008, a = -1) with every coordinate negated,
/// which is the same point: with XX = X^2, YY = Y^2, x = 2XY / (YY - XX) and
/// y = (YY + XX) / (2Z^2 - (YY - XX)), where 2XY = (X + Y)^2 - (YY + XX).
inline completed dbl(const projective& p) noexcept {
    const fe25519 xx = fe25519_sq(p.x);
    const fe25519 yy = fe25519_sq(p.y);
    const fe25519 zz2 = fe25519_carry(fe25519_add(fe25519_sq(p.z), fe25519_sq(p.z)));
    const fe25519 s = fe25519_sq(fe25519_add(p.x, p.y));
    completed r;
    r.y = fe25519_add(yy, xx);
    r.z = fe25519_sub(yy, xx);
    r.x = fe25519_sub(s, fe25519_carry(r.y));
    r.t = fe25519_sub(zz2, fe25519_carry(r.z));
    return r;
}

/// P + Q or, with `subtract`, P - Q, by the addition of RFC 8032 §5.1.4 (HWCD 2008,
/// "add-2008-hwcd-3"): A = (Y1 - X1)(Y2 - X2), B = (Y1 + X1)(Y2 + X2), C = 2d T1 T2, D = 2 Z1 Z2,
/// then x = (B - A) / (D + C) and y = (B + A) / (D - C). Negating Q swaps Y2 + X2 with Y2 - X2
/// and negates T2, which swaps D + C with D - C. `dz` is D, computed by the caller (2 Z1 for an
/// affine Q).
inline completed add_prepared(const point& p, const fe25519& q_y_plus_x, const fe25519& q_y_minus_x,
                              const fe25519& q_t2d, const fe25519& dz, bool subtract) noexcept {
    const fe25519 a = fe25519_mul(fe25519_sub(p.y, p.x), subtract ? q_y_plus_x : q_y_minus_x);
    const fe25519 b = fe25519_mul(fe25519_add(p.y, p.x), subtract ? q_y_minus_x : q_y_plus_x);
    const fe25519 c = fe25519_mul(p.t, q_t2d);
    const fe25519 d_plus_c = fe25519_add(dz, c);
    const fe25519 d_minus_c = fe25519_sub(dz, c);
    completed r;
    r.x = fe25519_sub(b, a);
    r.y = fe25519_add(b, a);
    r.z = subtract ? d_minus_c : d_plus_c;
    r.t = subtract ? d_plus_c : d_minus_c;
    return r;
}

inline completed add(const point& p, const cached& q, bool subtract) noexcept {
    return add_prepared(p, q.y_plus_x, q.y_minus_x, q.t2d, fe25519_mul(p.z, q.z2), subtract);
}

inline completed add(const point& p, const affine_cached& q, bool subtract) noexcept {
    return add_prepared(p, q.y_plus_x, q.y_minus_x, q.xy2d, fe25519_carry(fe25519_add(p.z, p.z)),
                        subtract);
}

/// Decode a point (RFC 8032 §5.1.3), strictly: y must be canonical (< p), x must exist, and the
/// encoding x = 0 with the sign bit set is refused. Errors: `bad_public_key` for a non-canonical
/// y or the negative zero, `point_not_on_curve` when (y^2 - 1) / (d y^2 + 1) is not a square.
/// CT: variable time (public input).
inline errc decode(std::span<const std::uint8_t, 32> in, point& out) noexcept {
    const bool sign = (in[31] >> 7) != 0;
    const fe25519 y = fe25519_decode(in); // the top bit ignored; limbs < 2^51
    // Step 1: y < p, i.e. its canonical encoding gives back the input (without the sign bit).
    std::array<std::uint8_t, 32> canonical{};
    fe25519_encode(y, canonical);
    canonical[31] |= static_cast<std::uint8_t>(in[31] & 0x80);
    if (!std::equal(canonical.begin(), canonical.end(), in.begin())) {
        return errc::bad_public_key;
    }
    // Step 2: x = u v^3 (u v^7)^((p-5)/8) is a square root of u / v if one exists.
    const fe25519 yy = sq_cold(y);
    const fe25519 u = fe25519_carry(fe25519_sub(yy, fe_one));
    const fe25519 v = fe25519_add(mul_cold(yy, curve_d), fe_one);
    const fe25519 v2 = sq_cold(v);
    const fe25519 uv3 = mul_cold(u, mul_cold(v2, v));
    const fe25519 uv7 = mul_cold(uv3, sq_cold(v2));
    fe25519 x = mul_cold(uv3, fe25519_pow_p58(uv7));
    // Step 3: v x^2 = u, or = -u and then x sqrt(-1) is the root; otherwise no root exists.
    const fe25519 vxx = mul_cold(v, sq_cold(x));
    if (!is_zero_vartime(fe25519_sub(vxx, u))) {
        if (!is_zero_vartime(fe25519_add(vxx, u))) {
            return errc::point_not_on_curve;
        }
        x = mul_cold(x, sqrt_m1);
    }
    // Step 4: x = 0 has no negative; otherwise pick the root whose low bit is the sign bit.
    if (is_zero_vartime(x) && sign) {
        return errc::bad_public_key;
    }
    if (is_odd_vartime(x) != sign) {
        x = fe25519_carry(fe25519_sub(fe_zero, x));
    }
    out = {x, y, fe_one, mul_cold(x, y)};
    return errc::ok;
}

/// The encoding of a point (RFC 8032 §5.1.2): y in 255 little-endian bits, the low bit of x on
/// top. CT: branch-free (a signer encodes R = [r]B before it is public): a fixed-exponent
/// inversion, and the sign bit moved by shifts.
inline void encode(const projective& p, std::span<std::uint8_t, 32> out) noexcept {
    const fe25519 z_inv = fe25519_invert(p.z);
    std::array<std::uint8_t, 32> x{};
    fe25519_encode(mul_cold(p.x, z_inv), x);
    fe25519_encode(mul_cold(p.y, z_inv), out);
    out[31] = static_cast<std::uint8_t>(out[31] | ((x[0] & 1) << 7));
}

// ---- scalars modulo L ---------------------------------------------------------------------------

/// An integer below 2^256 in 64-bit limbs, least significant first.
using scalar = std::array<std::uint64_t, 4>;

/// L = 2^252 + 27742317777372353535851937790883648493, the order of B (RFC 8032 §5.1).
inline constexpr scalar order =
    hex_limbs<4>("1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed");

/// floor(2^512 / L), Barrett's constant for reducing 512-bit numbers (checked by the tests).
inline constexpr std::array<std::uint64_t, 5> barrett_mu =
    hex_limbs<5>("fffffffffffffffffffffffffffffffeb2106215d086329a7ed9ce5a30a2c131b");

/// 32 little-endian bytes as limbs.
inline scalar load_scalar(std::span<const std::uint8_t, 32> in) noexcept {
    using https::detail::load_le64;
    return {load_le64(in.data()), load_le64(in.data() + 8), load_le64(in.data() + 16),
            load_le64(in.data() + 24)};
}

/// Whether a < b, for equal limb counts. CT: variable time (public values only).
template <std::size_t N>
bool less_vartime(const std::array<std::uint64_t, N>& a,
                  const std::array<std::uint64_t, N>& b) noexcept {
    for (std::size_t i = N; i-- > 0;) {
        if (a[i] != b[i]) {
            return a[i] < b[i];
        }
    }
    return false;
}

/// Whether 32 little-endian bytes encode an integer below L: RFC 8032 §5.1.7 step 1 refuses
/// signatures whose S is not, which keeps signatures non-malleable (§8.4).
/// CT: variable time (public input).
inline bool is_canonical_scalar(std::span<const std::uint8_t, 32> s) noexcept {
    return less_vartime(load_scalar(s), order);
}

/// A 512-bit integer in 64-bit limbs, least significant first.
using wide_scalar = std::array<std::uint64_t, 8>;

/// x mod L for x < 2^512, by Barrett reduction (Handbook of Applied Cryptography, algorithm
/// 14.42, with base b = 2^64 and k = 4 limbs): q = floor(floor(x / b^3) mu / b^5) is at most 2
/// below floor(x / L), so x - q L, computed mod b^5, needs at most two subtractions of L, both
/// always computed and kept under a mask.
/// CT: a fixed sequence of multiplications, additions and masked selections (signing reduces
/// the secret nonce hash and S = r + k s with it).
inline scalar reduce_limbs(const wide_scalar& x) noexcept {
    using u128 = fe25519_u128;
    // q2 = floor(x / b^3) * mu (10 limbs); only its top five limbs, q3 = floor(q2 / b^5), are used
    std::array<std::uint64_t, 10> q2{};
    for (std::size_t i = 0; i < 5; ++i) {
        std::uint64_t carry = 0;
        for (std::size_t j = 0; j < 5; ++j) {
            const u128 t = u128{x[3 + i]} * barrett_mu[j] + q2[i + j] + carry;
            q2[i + j] = static_cast<std::uint64_t>(t);
            carry = static_cast<std::uint64_t>(t >> 64);
        }
        q2[i + 5] = carry;
    }
    // r = (x mod b^5) - (q3 L mod b^5), mod b^5
    std::array<std::uint64_t, 5> q3_l{};
    for (std::size_t i = 0; i < 5; ++i) {
        std::uint64_t carry = 0;
        for (std::size_t j = 0; i + j < 5; ++j) {
            const std::uint64_t l = j < 4 ? order[j] : 0;
            const u128 t = u128{q2[5 + i]} * l + q3_l[i + j] + carry;
            q3_l[i + j] = static_cast<std::uint64_t>(t);
            carry = static_cast<std::uint64_t>(t >> 64);
        }
    }
    std::array<std::uint64_t, 5> r{};
    std::uint64_t borrow = 0;
    for (std::size_t i = 0; i < 5; ++i) {
        const u128 t = u128{x[i]} - q3_l[i] - borrow;
        r[i] = static_cast<std::uint64_t>(t);
        borrow = static_cast<std::uint64_t>(t >> 64) & 1;
    }
    const std::array<std::uint64_t, 5> l5{order[0], order[1], order[2], order[3], 0};
    for (int pass = 0; pass < 2; ++pass) { // r < 3L: at most two subtractions
        std::array<std::uint64_t, 5> d{};
        borrow = 0;
        for (std::size_t i = 0; i < 5; ++i) {
            const u128 t = u128{r[i]} - l5[i] - borrow;
            d[i] = static_cast<std::uint64_t>(t);
            borrow = static_cast<std::uint64_t>(t >> 64) & 1;
        }
        // keep r where r - L borrowed (r < L), else take r - L
        const std::uint64_t keep = ct::value_barrier(std::uint64_t{0} - borrow);
        for (std::size_t i = 0; i < 5; ++i) {
            r[i] = (r[i] & keep) | (d[i] & ~keep);
        }
    }
    return {r[0], r[1], r[2], r[3]};
}

/// x mod L for a 64-byte little-endian x (the SHA-512 output that RFC 8032 §5.1.6 steps 2 and 4
/// and §5.1.7 step 2 read as an integer). CT: as reduce_limbs.
inline scalar reduce_wide(std::span<const std::uint8_t, 64> in) noexcept {
    wide_scalar x{};
    for (std::size_t i = 0; i < 8; ++i) {
        x[i] = https::detail::load_le64(in.data() + 8 * i);
    }
    const scalar r = reduce_limbs(x);
    ct::wipe(x);
    return r;
}

/// (a b + c) mod L for a, b, c < 2^256 (then a b + c < 2^512): the S = r + k s of RFC 8032
/// §5.1.6 step 5, with s the clamped secret scalar (not reduced mod L).
/// CT: a fixed sequence of word multiplications and additions, then reduce_limbs.
inline scalar mul_add(const scalar& a, const scalar& b, const scalar& c) noexcept {
    using u128 = fe25519_u128;
    wide_scalar x{};
    for (std::size_t i = 0; i < 4; ++i) {
        std::uint64_t carry = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            const u128 t = u128{a[i]} * b[j] + x[i + j] + carry;
            x[i + j] = static_cast<std::uint64_t>(t);
            carry = static_cast<std::uint64_t>(t >> 64);
        }
        x[i + 4] = carry;
    }
    std::uint64_t carry = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        const u128 t = u128{x[i]} + (i < 4 ? c[i] : 0) + carry;
        x[i] = static_cast<std::uint64_t>(t);
        carry = static_cast<std::uint64_t>(t >> 64);
    }
    const scalar r = reduce_limbs(x);
    ct::wipe(x);
    return r;
}

/// Width-W non-adjacent form of s < 2^253: digits[i] is zero or odd in (-2^(W-1), 2^(W-1)), any
/// W consecutive digits hold at most one non-zero, and s = sum of digits[i] 2^i.
/// Scanning up from bit 0 with a carry c: where bit i + c is even the digit is 0 and c passes
/// on; otherwise the W-bit window w (plus c) becomes the digit w or w - 2^W (then c = 1), which
/// clears the window, so the scan jumps W bits. CT: variable time (public scalars only).
template <unsigned W>
void wnaf_vartime(const scalar& s, std::array<std::int8_t, 256>& digits) noexcept {
    static_assert(W >= 2 && W <= 8);
    const std::array<std::uint64_t, 5> v{s[0], s[1], s[2], s[3], 0};
    digits.fill(0);
    std::uint64_t carry = 0;
    for (std::size_t pos = 0; pos < 256;) {
        const std::size_t limb = pos / 64;
        const std::size_t shift = pos % 64;
        std::uint64_t bits = v[limb] >> shift;
        if (shift + W > 64) { // then shift > 0
            bits |= v[limb + 1] << (64 - shift);
        }
        const std::uint64_t window = carry + (bits & ((std::uint64_t{1} << W) - 1));
        if ((window & 1) == 0) {
            ++pos;
            continue;
        }
        if (window < (std::uint64_t{1} << (W - 1))) {
            digits[pos] = static_cast<std::int8_t>(window);
            carry = 0;
        } else {
            digits[pos] = static_cast<std::int8_t>(static_cast<std::int64_t>(window) - (1 << W));
            carry = 1;
        }
        pos += W;
    }
    // s < 2^253 leaves no carry: the top window starts at bit 253 - W or above, where the
    // remaining value (at most 2^(W-1)) is a positive digit or, when even, carries into one.
    assert(carry == 0);
}

/// Window widths of the verification: the base point's odd multiples are computed once (64
/// affine points, 7.5 KB); the public key's (8 points) once per verification.
inline constexpr unsigned base_window = 8;
inline constexpr unsigned key_window = 5;
inline constexpr std::size_t base_table_size = std::size_t{1} << (base_window - 2);
inline constexpr std::size_t key_table_size = std::size_t{1} << (key_window - 2);

/// B, 3B, 5B, ..., 127B, affine.
struct base_table {
    std::array<affine_cached, base_table_size> points;

    base_table() noexcept {
        point b{};
        [[maybe_unused]] const errc e = decode(base_point_encoding, b);
        assert(e == errc::ok);
        const cached twice_b = to_cached(to_point(dbl({b.x, b.y, b.z})));
        std::array<point, base_table_size> odd;
        odd[0] = b;
        for (std::size_t i = 1; i < odd.size(); ++i) {
            odd[i] = to_point(add(odd[i - 1], twice_b, false));
        }
        // One inversion for all (Montgomery's trick): prefix[i] = Z0 ... Zi.
        std::array<fe25519, base_table_size> prefix;
        prefix[0] = odd[0].z;
        for (std::size_t i = 1; i < odd.size(); ++i) {
            prefix[i] = mul_cold(prefix[i - 1], odd[i].z);
        }
        fe25519 inv = fe25519_invert(prefix.back()); // 1 / (Z0 ... Zn)
        for (std::size_t i = odd.size(); i-- > 0;) {
            const fe25519 z_inv = i == 0 ? inv : mul_cold(inv, prefix[i - 1]);
            inv = mul_cold(inv, odd[i].z); // 1 / (Z0 ... Z(i-1))
            const fe25519 x = mul_cold(odd[i].x, z_inv);
            const fe25519 y = mul_cold(odd[i].y, z_inv);
            points[i] = {fe25519_add(y, x), fe25519_sub(y, x), mul_cold(mul_cold(x, y), curve_2d)};
        }
    }
};

inline const base_table& base_multiples() noexcept {
    static const base_table table; // thread-safe initialisation (C++11 "magic statics")
    return table;
}

/// [s]B - [k]A by Straus' method (interleaved width-8 NAF of s over the table of B and width-5
/// NAF of k over odd multiples of A computed here), sharing the doublings: about 253 doublings
/// and 28 + 42 additions, against 253 doublings and about 127 + 127 additions for two separate
/// double-and-add ladders. Requires s, k < 2^253.
/// CT: variable time (public inputs only: a verification).
inline projective double_scalar_mul_vartime(const scalar& s, const scalar& k,
                                            const point& a) noexcept {
    std::array<std::int8_t, 256> s_digits;
    std::array<std::int8_t, 256> k_digits;
    wnaf_vartime<base_window>(s, s_digits);
    wnaf_vartime<key_window>(k, k_digits);

    std::array<cached, key_table_size> a_odd; // A, 3A, ..., 15A
    a_odd[0] = to_cached(a);
    const cached twice_a = to_cached(to_point(dbl({a.x, a.y, a.z})));
    point multiple = a;
    for (std::size_t i = 1; i < a_odd.size(); ++i) {
        multiple = to_point(add(multiple, twice_a, false));
        a_odd[i] = to_cached(multiple);
    }
    const base_table& b_odd = base_multiples();

    std::size_t top = 256;
    while (top > 0 && s_digits[top - 1] == 0 && k_digits[top - 1] == 0) {
        --top;
    }
    projective acc{fe_zero, fe_one, fe_one}; // the neutral element (0, 1)
    for (std::size_t i = top; i-- > 0;) {
        completed c = dbl(acc);
        // wNAF digits are signed by design (odd, in -2^(W-1)..2^(W-1)).
        // NOLINTNEXTLINE(bugprone-signed-char-misuse,cert-str34-c)
        if (const int digit = s_digits[i]; digit != 0) {
            const auto& q =
                b_odd.points[static_cast<std::size_t>((digit < 0 ? -digit : digit) / 2)];
            c = add(to_point(c), q, digit < 0);
        }
        // NOLINTNEXTLINE(bugprone-signed-char-misuse,cert-str34-c)
        if (const int digit = k_digits[i]; digit != 0) { // subtracts [digit]A
            const auto& q = a_odd[static_cast<std::size_t>((digit < 0 ? -digit : digit) / 2)];
            c = add(to_point(c), q, digit > 0);
        }
        acc = to_projective(c);
    }
    return acc;
}


// ---- constant-time fixed-base multiplication (signing: secret scalars) --------------------------

/// Rows of the signing table: row j holds [k] 256^j B for k = 1..8, so a scalar written in 64
/// signed radix-16 digits e_i (a = sum e_i 16^i, e_i in [-8, 8]) takes one entry per digit: the
/// even digits e_2j from row j directly, the odd ones e_(2j+1) from row j too, their sum then
/// multiplied by 16 (16^(2j+1) = 16 * 256^j), which costs four doublings in all.
inline constexpr std::size_t signing_rows = 32;
inline constexpr std::size_t signing_row_size = 8;

/// The signing table, affine and prepared for additions, every limb carried (tight) so an entry
/// can be negated by swapping y + x with y - x and negating 2dxy. About 30 KB, computed on first
/// use from B with the verification formulas (public data, so variable time is fine there).
struct signing_table {
    std::array<std::array<affine_cached, signing_row_size>, signing_rows> rows;

    signing_table() noexcept {
        point b{};
        [[maybe_unused]] const errc e = decode(base_point_encoding, b);
        assert(e == errc::ok);
        point row_base = b; // 256^j B
        for (auto& row : rows) {
            std::array<point, signing_row_size> multiples;
            multiples[0] = row_base;
            const cached base_cached = to_cached(row_base);
            for (std::size_t k = 1; k < signing_row_size; ++k) {
                multiples[k] = to_point(add(multiples[k - 1], base_cached, false));
            }
            // One inversion per row (Montgomery's trick): prefix[k] = Z0 ... Zk.
            std::array<fe25519, signing_row_size> prefix;
            prefix[0] = multiples[0].z;
            for (std::size_t k = 1; k < signing_row_size; ++k) {
                prefix[k] = mul_cold(prefix[k - 1], multiples[k].z);
            }
            fe25519 inv = fe25519_invert(prefix.back());
            for (std::size_t k = signing_row_size; k-- > 0;) {
                const fe25519 z_inv = k == 0 ? inv : mul_cold(inv, prefix[k - 1]);
                inv = mul_cold(inv, multiples[k].z);
                const fe25519 x = mul_cold(multiples[k].x, z_inv);
                const fe25519 y = mul_cold(multiples[k].y, z_inv);
                row[k] = {fe25519_carry(fe25519_add(y, x)), fe25519_carry(fe25519_sub(y, x)),
                          mul_cold(mul_cold(x, y), curve_2d)};
            }
            // 256^(j+1) B = 2^8 (256^j B): eight doublings
            projective p{row_base.x, row_base.y, row_base.z};
            for (int i = 0; i < 7; ++i) {
                p = to_projective(dbl(p));
            }
            row_base = to_point(dbl(p));
        }
    }
};

inline const signing_table& signing_multiples() noexcept {
    static const signing_table table; // thread-safe initialisation (C++11 "magic statics")
    return table;
}

/// dst = src where `mask` is all ones. CT: branch-free.
inline void cmov(fe25519& dst, const fe25519& src, std::uint64_t mask) noexcept {
    for (std::size_t i = 0; i < 5; ++i) {
        dst.v[i] ^= (dst.v[i] ^ src.v[i]) & mask;
    }
}

/// [|digit|] 256^j B from row j, negated when digit < 0; the neutral element (1, 1, 0) for 0.
/// CT: all eight entries are read and masked in; the sign is applied by masks.
inline affine_cached select_signing(const std::array<affine_cached, signing_row_size>& row,
                                    std::int8_t digit) noexcept {
    const auto d = static_cast<std::uint64_t>(static_cast<std::int64_t>(digit));
    const std::uint64_t negative = ct::value_barrier(std::uint64_t{0} - (d >> 63));
    const std::uint64_t magnitude = (d ^ negative) - negative; // 0..8
    affine_cached t{fe_one, fe_one, fe_zero};
    for (std::size_t k = 0; k < signing_row_size; ++k) {
        const std::uint64_t hit = ct::mask<std::uint64_t>::equal(magnitude, k + 1).value();
        cmov(t.y_plus_x, row[k].y_plus_x, hit);
        cmov(t.y_minus_x, row[k].y_minus_x, hit);
        cmov(t.xy2d, row[k].xy2d, hit);
    }
    // -(x, y) = (-x, y): y + x and y - x trade places, 2dxy changes sign
    const fe25519 plus = t.y_plus_x;
    cmov(t.y_plus_x, t.y_minus_x, negative);
    cmov(t.y_minus_x, plus, negative);
    cmov(t.xy2d, fe25519_carry(fe25519_sub(fe_zero, t.xy2d)), negative);
    return t;
}

/// [a]B for a secret a < 2^255 given as 32 little-endian bytes (the clamped secret scalar s of
/// RFC 8032 §5.1.5, or the nonce r reduced mod L of §5.1.6 step 2), in extended coordinates.
/// The digits: a's 64 nibbles, then recoded into [-8, 8) with a carry into the next (the top
/// digit ends in [0, 8] because a < 2^255). Then 64 additions of table entries (complete
/// formulas: the neutral element and equal points need no special case) and four doublings.
/// CT: no branch or memory index depends on a; each row is scanned in full.
inline point mul_base(std::span<const std::uint8_t, 32> a) noexcept {
    std::array<std::int8_t, 64> e{};
    for (std::size_t i = 0; i < 32; ++i) {
        e[2 * i] = static_cast<std::int8_t>(a[i] & 15);
        e[2 * i + 1] = static_cast<std::int8_t>(a[i] >> 4);
    }
    std::int8_t carry = 0;
    for (std::size_t i = 0; i < 63; ++i) {
        e[i] = static_cast<std::int8_t>(e[i] + carry);
        carry = static_cast<std::int8_t>((e[i] + 8) >> 4); // arithmetic shift (C++20)
        e[i] = static_cast<std::int8_t>(e[i] - carry * 16);
    }
    e[63] = static_cast<std::int8_t>(e[63] + carry);

    const signing_table& table = signing_multiples();
    point h{fe_zero, fe_one, fe_one, fe_zero}; // the neutral element (0, 1)
    for (std::size_t i = 1; i < 64; i += 2) {
        h = to_point(add(h, select_signing(table.rows[i / 2], e[i]), false));
    }
    projective p{h.x, h.y, h.z};
    for (int i = 0; i < 3; ++i) {
        p = to_projective(dbl(p));
    }
    h = to_point(dbl(p));
    for (std::size_t i = 0; i < 64; i += 2) {
        h = to_point(add(h, select_signing(table.rows[i / 2], e[i]), false));
    }
    ct::wipe(e.data(), e.size());
    return h;
}

} // namespace https::crypto::detail::ed25519
// ---- https/crypto/public_key_info.hpp ----------------------------------------------------------
// The frame every public-key import shares: a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7),
//   SEQUENCE { AlgorithmIdentifier SEQUENCE { OID, parameters }, subjectPublicKey BIT STRING },
// opened up to the algorithm's parameters, which each algorithm checks in its own way (RSA: NULL,
// EC: a named curve, Ed25519: absent), then the key's bytes.


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
// ---- https/crypto/sha2.hpp ---------------------------------------------------------------------
// SHA-224, SHA-256, SHA-384 and SHA-512 (FIPS 180-4), with a SHA-NI path for SHA-224/256.

// ---- https/core/cpu.hpp ------------------------------------------------------------------------
// Runtime CPU feature detection for the hardware paths (AES-NI, PCLMULQDQ, SHA-NI, AVX2).

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace https::detail {

/// The instruction-set extensions the hardware paths need. Detected once; tests may switch a
/// feature off (`cpu_features::override`) to force the portable path through the same vectors.
struct cpu_features {
    bool aesni = false;
    bool pclmul = false;
    bool ssse3 = false;
    bool sse41 = false;
    bool avx = false;
    bool avx2 = false;
    bool sha_ni = false;
    bool bmi2 = false;
    bool adx = false;
    bool vaes = false;       ///< AES instructions on 256-bit vectors (VEX), AVX state enabled
    bool vpclmulqdq = false; ///< carry-less multiply on 256-bit vectors, AVX state enabled

    static cpu_features detect() noexcept {
        cpu_features f;
#if defined(__x86_64__) || defined(__i386__)
        unsigned a = 0, b = 0, c = 0, d = 0;
        if (__get_cpuid(1, &a, &b, &c, &d) == 0) {
            return f;
        }
        f.pclmul = (c & bit_PCLMUL) != 0;
        f.ssse3 = (c & bit_SSSE3) != 0;
        f.sse41 = (c & bit_SSE4_1) != 0;
        f.aesni = (c & bit_AES) != 0;
        const bool osxsave = (c & bit_OSXSAVE) != 0;
        bool ymm_enabled = false;
        if (osxsave && (c & bit_AVX) != 0) {
            unsigned lo = 0, hi = 0;
            __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
            ymm_enabled = (lo & 0x6) == 0x6; // XMM and YMM state saved by the OS
        }
        f.avx = ymm_enabled;
        if (__get_cpuid_count(7, 0, &a, &b, &c, &d) != 0) {
            f.avx2 = ymm_enabled && (b & bit_AVX2) != 0;
            f.sha_ni = (b & bit_SHA) != 0;
            f.bmi2 = (b & bit_BMI2) != 0;
            f.adx = (b & bit_ADX) != 0;
            f.vaes = ymm_enabled && (c & (1u << 9)) != 0;        // CPUID.(7,0):ECX.VAES
            f.vpclmulqdq = ymm_enabled && (c & (1u << 10)) != 0; // CPUID.(7,0):ECX.VPCLMULQDQ
        }
#endif
        return f;
    }

    /// The features the library uses. Mutable only so tests can disable hardware paths.
    static cpu_features& current() noexcept {
        static cpu_features f = detect();
        return f;
    }
};

/// Shorthand used by dispatching code: `if (detail::cpu().aesni) ...`
inline const cpu_features& cpu() noexcept { return cpu_features::current(); }

} // namespace https::detail
// ---- https/crypto/detail/merkle_damgard.hpp ----------------------------------------------------
// The Merkle-Damgard block buffer and length padding shared by SHA-1 and the SHA-2 family.


#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace https::crypto::detail {

/// Cuts a byte stream into `BlockSize`-byte blocks for a compression function and appends the
/// FIPS 180-4 §5.1 padding: 0x80, zeros, then the message length in bits as a big-endian number
/// of `LengthBytes` bytes (8 for SHA-1/224/256, 16 for SHA-384/512).
///
/// The length is counted in bytes in two 64-bit words, so no input a program can produce
/// overflows it (a 32-bit counter would wrap after 4 GiB, or 512 MiB counted in bits).
/// Whole blocks of the input are handed to the compression function in place, without a copy,
/// so that a hardware path sees long runs of blocks.
template <std::size_t BlockSize, std::size_t LengthBytes> class md_buffer {
    static_assert(LengthBytes == 8 || LengthBytes == 16);

  public:
    /// Feed `in`; `compress(const std::uint8_t* blocks, std::size_t count)` absorbs whole blocks.
    /// CT: branches on lengths only.
    template <class Compress> void update(bytes_view in, Compress&& compress) noexcept {
        if (in.empty()) {
            return;
        }
        const std::uint8_t* p = in.data();
        std::size_t n = in.size();
        bytes_lo_ += n;
        bytes_hi_ += (bytes_lo_ < n) ? 1 : 0; // carry; only matters past 2^64 bytes
        if (used_ != 0) {
            const std::size_t take = std::min(n, BlockSize - used_);
            std::memcpy(buf_.data() + used_, p, take);
            used_ += take;
            p += take;
            n -= take;
            if (used_ < BlockSize) {
                return;
            }
            compress(buf_.data(), std::size_t{1});
            used_ = 0;
        }
        if (n >= BlockSize) {
            const std::size_t blocks = n / BlockSize;
            compress(p, blocks);
            p += blocks * BlockSize;
            n -= blocks * BlockSize;
        }
        if (n != 0) {
            std::memcpy(buf_.data(), p, n);
            used_ = n;
        }
    }

    /// Append the padding, compress the last block(s), then wipe the buffer and clear the count.
    /// CT: branches on lengths only.
    template <class Compress> void finish(Compress&& compress) noexcept {
        buf_[used_++] = 0x80;
        if (used_ > BlockSize - LengthBytes) {
            std::memset(buf_.data() + used_, 0, BlockSize - used_);
            compress(buf_.data(), std::size_t{1});
            used_ = 0;
        }
        std::memset(buf_.data() + used_, 0, BlockSize - LengthBytes - used_);
        // The bit count is bytes * 8 as a 128-bit number; SHA-1/256 keep its low 64 bits, which
        // FIPS 180-4 §5.1.1 makes exact for every message it allows (< 2^64 bits).
        const std::uint64_t bits_lo = bytes_lo_ << 3;
        const std::uint64_t bits_hi = (bytes_hi_ << 3) | (bytes_lo_ >> 61);
        if constexpr (LengthBytes == 16) {
            https::detail::store_be64(buf_.data() + BlockSize - 16, bits_hi);
        }
        https::detail::store_be64(buf_.data() + BlockSize - 8, bits_lo);
        compress(buf_.data(), std::size_t{1});
        reset();
    }

    /// Forget buffered input (wiped: it may be key material, e.g. inside HMAC).
    void reset() noexcept {
        ct::wipe(buf_);
        used_ = 0;
        bytes_lo_ = 0;
        bytes_hi_ = 0;
    }

  private:
    std::array<std::uint8_t, BlockSize> buf_{};
    std::size_t used_ = 0;
    std::uint64_t bytes_lo_ = 0;
    std::uint64_t bytes_hi_ = 0;
};

} // namespace https::crypto::detail
// ---- https/crypto/hash.hpp ---------------------------------------------------------------------
// The hash_function concept that hmac<Hash>, hkdf<Hash>, the TLS PRF and signatures build on.


#include <array>
#include <concepts>
#include <cstddef>
#include <span>

namespace https::crypto {

/// A streaming hash: `update` any number of times, then `finish` writes the digest and resets
/// the object to its initial state (so a second `finish` yields the digest of the empty input).
template <class H>
concept hash_function =
    std::default_initializable<H> && std::copyable<H> &&
    requires(H h, bytes_view in, std::span<std::uint8_t, H::digest_size> out) {
        { H::digest_size } -> std::convertible_to<std::size_t>;
        { H::block_size } -> std::convertible_to<std::size_t>;
        h.update(in);
        h.finish(out);
        h.reset();
    };

template <hash_function H> using digest = std::array<std::uint8_t, H::digest_size>;

/// One-shot hash of a single buffer.
template <hash_function H> [[nodiscard]] digest<H> hash(bytes_view data) {
    H h;
    h.update(data);
    digest<H> out;
    h.finish(out);
    return out;
}

} // namespace https::crypto

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HTTPS_SHA2_X86 1
#else
#define HTTPS_SHA2_X86 0
#endif

namespace https::crypto {

namespace detail {

// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first
// 64 primes.
alignas(16) inline constexpr std::uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// FIPS 180-4 §4.2.3: the first 64 bits of the fractional parts of the cube roots of the first
// 80 primes.
inline constexpr std::uint64_t sha512_k[80] = {
    0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc,
    0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
    0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
    0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
    0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
    0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
    0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
    0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
    0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30,
    0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
    0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
    0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178,
    0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
    0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
};

/// The rotation and shift amounts of SHA-256 and SHA-512 (FIPS 180-4 §4.1.2, §4.1.3): S* for
/// Sigma0, E* for Sigma1 in the rounds, s0*/s1* for sigma0/sigma1 in the message schedule.
template <class W> struct sha2_params;
template <> struct sha2_params<std::uint32_t> {
    static constexpr int S0 = 2, S1 = 13, S2 = 22, E0 = 6, E1 = 11, E2 = 25;
    static constexpr int s0a = 7, s0b = 18, s0c = 3, s1a = 17, s1b = 19, s1c = 10;
};
template <> struct sha2_params<std::uint64_t> {
    static constexpr int S0 = 28, S1 = 34, S2 = 39, E0 = 14, E1 = 18, E2 = 41;
    static constexpr int s0a = 1, s0b = 8, s0c = 7, s1a = 19, s1b = 61, s1c = 6;
};

/// One round (FIPS 180-4 §6.2.2 / §6.4.2 step 3), `kw` = K[t] + W[t]. Ch is written as
/// g ^ (e & (f ^ g)) and Maj as (a & b) | (c & (a | b)): the same functions, one operation fewer.
/// Only `d` and `h` change; the caller rotates the roles of the eight variables.
template <class W>
[[gnu::always_inline]] inline void sha2_round(W a, W b, W c, W& d, W e, W f, W g, W& h,
                                              W kw) noexcept {
    using P = sha2_params<W>;
    const W t1 = h + (std::rotr(e, P::E0) ^ std::rotr(e, P::E1) ^ std::rotr(e, P::E2)) +
                 (g ^ (e & (f ^ g))) + kw;
    const W t2 = (std::rotr(a, P::S0) ^ std::rotr(a, P::S1) ^ std::rotr(a, P::S2)) +
                 ((a & b) | (c & (a | b)));
    d += t1;
    h = t1 + t2;
}

/// Message word `I` of the current sixteen plus its round constant. With `Expand` set, first
/// replaces w[I] by the next schedule word (FIPS 180-4 §6.2.2 / §6.4.2 step 1):
/// W[t] = sigma1(W[t-2]) + W[t-7] + sigma0(W[t-15]) + W[t-16], kept in a ring of sixteen.
template <class W, bool Expand, int I>
[[gnu::always_inline]] inline W sha2_wk(W* w, const W* k) noexcept {
    using P = sha2_params<W>;
    if constexpr (Expand) {
        const W x = w[(I + 1) & 15];
        const W y = w[(I + 14) & 15];
        w[I] += (std::rotr(x, P::s0a) ^ std::rotr(x, P::s0b) ^ (x >> P::s0c)) +
                (std::rotr(y, P::s1a) ^ std::rotr(y, P::s1b) ^ (y >> P::s1c)) + w[(I + 9) & 15];
    }
    return w[I] + k[I];
}

/// Sixteen rounds with constants k[0..15], expanding the schedule in step when `Expand` is set.
/// The eight working variables rotate roles each round instead of being shifted, so there are
/// no moves between rounds (portable SHA-256 measured ~250 MB/s, SHA-512 ~500 MB/s with g++ -O2
/// on the AMD EPYC development machine).
template <class W, bool Expand>
[[gnu::always_inline]] inline void sha2_16_rounds(W& a, W& b, W& c, W& d, W& e, W& f, W& g, W& h,
                                                  W* w, const W* k) noexcept {
    sha2_round(a, b, c, d, e, f, g, h, sha2_wk<W, Expand, 0>(w, k));
    sha2_round(h, a, b, c, d, e, f, g, sha2_wk<W, Expand, 1>(w, k));
    sha2_round(g, h, a, b, c, d, e, f, sha2_wk<W, Expand, 2>(w, k));
    sha2_round(f, g, h, a, b, c, d, e, sha2_wk<W, Expand, 3>(w, k));
    sha2_round(e, f, g, h, a, b, c, d, sha2_wk<W, Expand, 4>(w, k));
    sha2_round(d, e, f, g, h, a, b, c, sha2_wk<W, Expand, 5>(w, k));
    sha2_round(c, d, e, f, g, h, a, b, sha2_wk<W, Expand, 6>(w, k));
    sha2_round(b, c, d, e, f, g, h, a, sha2_wk<W, Expand, 7>(w, k));
    sha2_round(a, b, c, d, e, f, g, h, sha2_wk<W, Expand, 8>(w, k));
    sha2_round(h, a, b, c, d, e, f, g, sha2_wk<W, Expand, 9>(w, k));
    sha2_round(g, h, a, b, c, d, e, f, sha2_wk<W, Expand, 10>(w, k));
    sha2_round(f, g, h, a, b, c, d, e, sha2_wk<W, Expand, 11>(w, k));
    sha2_round(e, f, g, h, a, b, c, d, sha2_wk<W, Expand, 12>(w, k));
    sha2_round(d, e, f, g, h, a, b, c, sha2_wk<W, Expand, 13>(w, k));
    sha2_round(c, d, e, f, g, h, a, b, sha2_wk<W, Expand, 14>(w, k));
    sha2_round(b, c, d, e, f, g, h, a, sha2_wk<W, Expand, 15>(w, k));
}

/// One block of SHA-256 or SHA-512: `Rounds` rounds (64 or 80) on the state.
/// CT: no secret-dependent branch or index.
template <class W, int Rounds>
[[gnu::always_inline]] inline void sha2_block(W* state, W* w, const W* k) noexcept {
    W a = state[0], b = state[1], c = state[2], d = state[3];
    W e = state[4], f = state[5], g = state[6], h = state[7];
    sha2_16_rounds<W, false>(a, b, c, d, e, f, g, h, w, k);
    for (int r = 16; r < Rounds; r += 16) {
        sha2_16_rounds<W, true>(a, b, c, d, e, f, g, h, w, k + r);
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
}

/// The SHA-256 compression function over `n` consecutive 64-byte blocks, portable C++.
/// CT: no secret-dependent branch or index (rotations, additions and boolean functions only).
inline void sha256_blocks_portable(std::uint32_t* state, const std::uint8_t* p,
                                   std::size_t n) noexcept {
    std::uint32_t w[16];
    for (; n != 0; --n, p += 64) {
        for (int i = 0; i < 16; ++i) {
            w[i] = https::detail::load_be32(p + 4 * i);
        }
        sha2_block<std::uint32_t, 64>(state, w, sha256_k);
    }
}

/// The SHA-512 compression function over `n` consecutive 128-byte blocks, portable C++.
/// CT: no secret-dependent branch or index.
inline void sha512_blocks_portable(std::uint64_t* state, const std::uint8_t* p,
                                   std::size_t n) noexcept {
    std::uint64_t w[16];
    for (; n != 0; --n, p += 128) {
        for (int i = 0; i < 16; ++i) {
            w[i] = https::detail::load_be64(p + 8 * i);
        }
        sha2_block<std::uint64_t, 80>(state, w, sha512_k);
    }
}

#if HTTPS_SHA2_X86
/// Four SHA-256 rounds with SHA-NI: `w` holds W[4g..4g+3]; the round constants are added here.
/// s0/s1 hold the state as ABEF/CDGH and swap roles every two rounds.
/// CT: no branch or index on data.
__attribute__((target("sha,sse4.1,ssse3"))) inline void
sha256_shani_4rounds(__m128i& s0, __m128i& s1, __m128i w, int g) noexcept {
    const __m128i wk =
        _mm_add_epi32(w, _mm_load_si128(reinterpret_cast<const __m128i*>(sha256_k + 4 * g)));
    s1 = _mm_sha256rnds2_epu32(s1, s0, wk);
    s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(wk, 0x0E));
}

/// SHA-256 over `n` blocks with the x86 SHA extensions (Intel SHA-NI, also on AMD Zen).
/// SHA256RNDS2 runs two rounds on the state split as ABEF / CDGH; SHA256MSG1/MSG2 compute the
/// message schedule four words at a time.
/// CT: the SHA instructions have data-independent timing; no branch or index on data.
__attribute__((target("sha,sse4.1,ssse3"))) inline void
sha256_blocks_shani(std::uint32_t* state, const std::uint8_t* p, std::size_t n) noexcept {
    // Byte-swap each 32-bit lane: the message words are big-endian.
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    // state[0..7] = A..H; lane 0 is the lowest. Rearrange into ABEF (lanes F,E,B,A) and
    // CDGH (lanes H,G,D,C), the operand layout SHA256RNDS2 expects.
    __m128i t = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state)),
                                  0xB1); // B A D C
    __m128i s1 = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4)),
                                   0x1B);   // H G F E
    __m128i s0 = _mm_alignr_epi8(t, s1, 8); // F E B A
    s1 = _mm_blend_epi16(s1, t, 0xF0);      // H G D C

    for (; n != 0; --n, p += 64) {
        const __m128i abef = s0;
        const __m128i cdgh = s1;
        const auto* in = reinterpret_cast<const __m128i*>(p);
        __m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128(in + 0), bswap);
        __m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128(in + 1), bswap);
        __m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128(in + 2), bswap);
        __m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128(in + 3), bswap);
        sha256_shani_4rounds(s0, s1, m0, 0);
        sha256_shani_4rounds(s0, s1, m1, 1);
        sha256_shani_4rounds(s0, s1, m2, 2);
        sha256_shani_4rounds(s0, s1, m3, 3);
        for (int g = 4; g < 16; ++g) {
            // W[t] = sigma1(W[t-2]) + W[t-7] + sigma0(W[t-15]) + W[t-16], four at a time:
            // MSG1 adds the sigma0 terms, the shifted pair supplies W[t-7], MSG2 adds sigma1.
            const __m128i next = _mm_sha256msg2_epu32(
                _mm_add_epi32(_mm_sha256msg1_epu32(m0, m1), _mm_alignr_epi8(m3, m2, 4)), m3);
            m0 = m1;
            m1 = m2;
            m2 = m3;
            m3 = next;
            sha256_shani_4rounds(s0, s1, m3, g);
        }
        s0 = _mm_add_epi32(s0, abef);
        s1 = _mm_add_epi32(s1, cdgh);
    }

    t = _mm_shuffle_epi32(s0, 0x1B);  // A B E F (lanes, low first)
    s1 = _mm_shuffle_epi32(s1, 0xB1); // G H C D
    _mm_storeu_si128(reinterpret_cast<__m128i*>(state), _mm_blend_epi16(t, s1, 0xF0));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), _mm_alignr_epi8(s1, t, 8));
}
#endif

/// SHA-256 compression over `n` blocks on the fastest path this CPU has.
/// CT: the path choice depends on the CPU only.
inline void sha256_blocks(std::uint32_t* state, const std::uint8_t* p, std::size_t n) noexcept {
#if HTTPS_SHA2_X86
    const auto& cpu = https::detail::cpu();
    if (cpu.sha_ni && cpu.sse41 && cpu.ssse3) {
        sha256_blocks_shani(state, p, n);
        return;
    }
#endif
    sha256_blocks_portable(state, p, n);
}

/// SHA-224 and SHA-256 differ only in the initial value and the output length.
/// `update` and `finish` are kept out of line (here, in sha512_engine and in sha1): HMAC, HKDF,
/// the TLS 1.2 PRF and MGF1 call them many times each, and inlined, every call site carried its
/// own copy of the buffering code (the TLS 1.2 PRF over SHA-256 alone made 6.5 KB).
template <std::size_t DigestSize> class sha256_engine {
    static_assert(DigestSize == 28 || DigestSize == 32);

  public:
    static constexpr std::size_t digest_size = DigestSize;
    static constexpr std::size_t block_size = 64;

    sha256_engine() noexcept { reset(); }

    /// Back to the initial state (buffered input is wiped).
    void reset() noexcept {
        if constexpr (DigestSize == 32) {
            // FIPS 180-4 §5.3.3
            state_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
        } else {
            // FIPS 180-4 §5.3.2
            state_ = {0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939,
                      0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4};
        }
        buf_.reset();
    }

    /// Absorb `in`. CT: time depends on lengths only.
    [[gnu::noinline]] void update(bytes_view in) noexcept {
        buf_.update(in, [this](const std::uint8_t* p, std::size_t n) {
            sha256_blocks(state_.data(), p, n);
        });
    }

    /// Write the digest of everything absorbed since the last reset, then reset, so the object
    /// is ready for a new message (a second `finish` gives the digest of the empty input).
    /// CT: time depends on lengths only.
    [[gnu::noinline]] void finish(std::span<std::uint8_t, digest_size> out) noexcept {
        buf_.finish(
            [this](const std::uint8_t* p, std::size_t n) { sha256_blocks(state_.data(), p, n); });
        for (std::size_t i = 0; i < digest_size / 4; ++i) {
            https::detail::store_be32(out.data() + 4 * i, state_[i]);
        }
        reset();
    }

  private:
    std::array<std::uint32_t, 8> state_{};
    md_buffer<64, 8> buf_;
};

/// SHA-384 and SHA-512 differ only in the initial value and the output length.
template <std::size_t DigestSize> class sha512_engine {
    static_assert(DigestSize == 48 || DigestSize == 64);

  public:
    static constexpr std::size_t digest_size = DigestSize;
    static constexpr std::size_t block_size = 128;

    sha512_engine() noexcept { reset(); }

    /// Back to the initial state (buffered input is wiped).
    void reset() noexcept {
        if constexpr (DigestSize == 64) {
            // FIPS 180-4 §5.3.5
            state_ = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b,
                      0xa54ff53a5f1d36f1, 0x510e527fade682d1, 0x9b05688c2b3e6c1f,
                      0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};
        } else {
            // FIPS 180-4 §5.3.4
            state_ = {0xcbbb9d5dc1059ed8, 0x629a292a367cd507, 0x9159015a3070dd17,
                      0x152fecd8f70e5939, 0x67332667ffc00b31, 0x8eb44a8768581511,
                      0xdb0c2e0d64f98fa7, 0x47b5481dbefa4fa4};
        }
        buf_.reset();
    }

    /// Absorb `in`. CT: time depends on lengths only.
    [[gnu::noinline]] void update(bytes_view in) noexcept {
        buf_.update(in, [this](const std::uint8_t* p, std::size_t n) {
            sha512_blocks_portable(state_.data(), p, n);
        });
    }

    /// Write the digest and reset (see sha256_engine::finish). CT: lengths only.
    [[gnu::noinline]] void finish(std::span<std::uint8_t, digest_size> out) noexcept {
        buf_.finish([this](const std::uint8_t* p, std::size_t n) {
            sha512_blocks_portable(state_.data(), p, n);
        });
        for (std::size_t i = 0; i < digest_size / 8; ++i) {
            https::detail::store_be64(out.data() + 8 * i, state_[i]);
        }
        reset();
    }

  private:
    std::array<std::uint64_t, 8> state_{};
    md_buffer<128, 16> buf_; // FIPS 180-4 §5.1.2: a 128-bit length field
};

} // namespace detail

/// SHA-256 (FIPS 180-4). `update` any number of times, then `finish` writes the 32-byte digest
/// and resets the object, so a second `finish` yields the digest of the empty input.
/// Uses the SHA extensions when the CPU has them.
class sha256 final : public detail::sha256_engine<32> {};

/// SHA-224 (FIPS 180-4): SHA-256 with another initial value, truncated to 28 bytes.
class sha224 final : public detail::sha256_engine<28> {};

/// SHA-512 (FIPS 180-4); same streaming interface as sha256.
class sha512 final : public detail::sha512_engine<64> {};

/// SHA-384 (FIPS 180-4): SHA-512 with another initial value, truncated to 48 bytes.
class sha384 final : public detail::sha512_engine<48> {};

static_assert(hash_function<sha224> && hash_function<sha256> && hash_function<sha384> &&
              hash_function<sha512>);

} // namespace https::crypto

#undef HTTPS_SHA2_X86

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace https::crypto {

/// Bytes of an Ed25519 signature: the encoded point R, then the scalar S (RFC 8032 §5.1.6).
inline constexpr std::size_t ed25519_signature_size = 64;

/// An Ed25519 public key (RFC 8032 §5.1.5): the encoding of a point A, decoded and checked once.
class ed25519_public_key {
  public:
    static constexpr std::size_t encoded_size = 32;

    /// Decode A as RFC 8032 §5.1.3 says, strictly. Errors: `bad_public_key` for a length other
    /// than 32 bytes, a y-coordinate not below p (a non-canonical encoding) or x = 0 with the sign
    /// bit set; `point_not_on_curve` when no x goes with y. Points of small order are accepted,
    /// as RFC 8032 accepts them: the key's owner could make such a key "sign" anything, but
    /// nobody else can sign for it.
    /// CT: variable time (a public key is public).
    [[nodiscard]] static result<ed25519_public_key> parse(bytes_view encoded) noexcept {
        if (encoded.size() != encoded_size) {
            return errc::bad_public_key;
        }
        ed25519_public_key key;
        std::copy(encoded.begin(), encoded.end(), key.encoded_.begin());
        if (const errc e = detail::ed25519::decode(key.encoded_, key.point_); e != errc::ok) {
            return e;
        }
        return key;
    }

    /// The 32-byte encoding, as given to `parse`.
    [[nodiscard]] std::span<const std::uint8_t, encoded_size> encoded() const noexcept {
        return encoded_;
    }

    /// The decoded point A, in extended coordinates.
    [[nodiscard]] const detail::ed25519::point& point() const noexcept { return point_; }

  private:
    ed25519_public_key() = default;

    std::array<std::uint8_t, encoded_size> encoded_{};
    detail::ed25519::point point_{};
};

/// Import an Ed25519 key from a DER SubjectPublicKeyInfo (RFC 8410 §4):
/// SEQUENCE { SEQUENCE { id-Ed25519 }, BIT STRING key }. Errors: DER errors from the strict
/// reader; `unsupported_algorithm` when the algorithm is not id-Ed25519; `trailing_data` when the
/// AlgorithmIdentifier has parameters (RFC 8410 §3: they MUST be absent); `bad_public_key` for a
/// BIT STRING with unused bits; then everything `ed25519_public_key::parse` rejects (a key other
/// than 32 bytes, or one that RFC 8032 §5.1.3 decoding refuses).
/// CT: variable time (public input).
[[nodiscard]] inline result<ed25519_public_key>
parse_ed25519_public_key_info(bytes_view spki) noexcept {
    auto info = open_public_key_info(spki, oid::ed25519);
    if (!info) {
        return info.error();
    }
    HTTPS_TRY(info->parameters.expect_empty());
    auto key = info->key_bytes();
    if (!key) {
        return key.error();
    }
    return ed25519_public_key::parse(*key);
}

/// Verify an Ed25519 signature (RFC 8032 §5.1.7) of `message` under `key`. The signature must be
/// exactly 64 bytes R || S with S < L (step 1: a larger S would make signatures malleable), and
/// then [S]B = R + [k]A with k = SHA-512(R || A || message) mod L: the cofactorless equation
/// §5.1.7 allows ("sufficient, but not required"), which OpenSSL, BoringSSL and Go check too.
/// It is checked as encode([S]B - [k]A) == R byte for byte: every point has exactly one
/// encoding, so this is R decoded strictly and compared as a point, without decoding R; an R that
/// strict decoding refuses (y >= p, x = 0 with the sign bit, not on the curve) matches nothing.
/// Every failure is `errc::bad_signature`.
/// CT: variable time; a signature check has only public inputs.
[[nodiscard]] inline status ed25519_verify(const ed25519_public_key& key, bytes_view message,
                                           bytes_view signature) noexcept {
    namespace ed = detail::ed25519;
    if (signature.size() != ed25519_signature_size) {
        return errc::bad_signature;
    }
    const std::span<const std::uint8_t, 32> r = signature.first<32>();
    const std::span<const std::uint8_t, 32> s = signature.subspan<32, 32>();
    if (!ed::is_canonical_scalar(s)) {
        return errc::bad_signature;
    }
    sha512 h;
    h.update(r);
    h.update(key.encoded());
    h.update(message);
    std::array<std::uint8_t, sha512::digest_size> digest{};
    h.finish(digest);
    const ed::projective check =
        ed::double_scalar_mul_vartime(ed::load_scalar(s), ed::reduce_wide(digest), key.point());
    std::array<std::uint8_t, 32> encoded{};
    ed::encode(check, encoded);
    if (!std::equal(encoded.begin(), encoded.end(), r.begin())) {
        return errc::bad_signature;
    }
    return {};
}

/// Verify an Ed25519 signature under a public key given as its 32-byte encoding. Errors: those
/// of `ed25519_public_key::parse` for the key, then `errc::bad_signature`.
/// CT: variable time (public inputs).
[[nodiscard]] inline status ed25519_verify(bytes_view public_key, bytes_view message,
                                           bytes_view signature) noexcept {
    auto key = ed25519_public_key::parse(public_key);
    if (!key) {
        return key.error();
    }
    return ed25519_verify(*key, message, signature);
}

} // namespace https::crypto

#include <cstddef>
#include <cstdint>
#include <string>

namespace https::x509 {

namespace detail {

/// A digest AlgorithmIdentifier (RFC 4055 §2.1): parameters NULL or absent.
HTTPS_DECL result<hash_algorithm> parse_hash_identifier(der::parser& p) noexcept {
    auto seq = p.read_sequence();
    if (!seq) {
        return seq.error();
    }
    auto id = seq->read_oid();
    if (!id) {
        return id.error();
    }
    if (seq->next_is(der::tag::null)) {
        HTTPS_TRY(seq->read_null());
    }
    HTTPS_TRY(seq->expect_empty());
    if (der::oid_equals(*id, oid::sha256)) {
        return hash_algorithm::sha256;
    }
    if (der::oid_equals(*id, oid::sha384)) {
        return hash_algorithm::sha384;
    }
    if (der::oid_equals(*id, oid::sha512)) {
        return hash_algorithm::sha512;
    }
    if (der::oid_equals(*id, oid::sha224)) {
        return hash_algorithm::sha224;
    }
    if (der::oid_equals(*id, oid::sha1)) {
        return hash_algorithm::sha1;
    }
    return errc::unsupported_algorithm;
}

/// RSASSA-PSS-params (RFC 4055 §3.1) with its DER defaults (SHA-1, MGF1-SHA-1, salt 20, trailer
/// 1). The MGF1 digest must equal the message digest: certificates never mix them, and RFC 8446
/// §4.2.3 signature schemes fix them equal.
HTTPS_DECL status parse_pss_params(der::parser& p, signature_algorithm& alg) noexcept {
    auto params = p.read_sequence();
    if (!params) {
        return params.error();
    }
    hash_algorithm hash = hash_algorithm::sha1;
    hash_algorithm mgf_hash = hash_algorithm::sha1;
    std::uint64_t salt = 20;
    if (auto h = params->read_optional(der::tag::context_constructed(0)); !h) {
        return h.error();
    } else if (*h) {
        der::parser inner((*h)->contents, params->depth() + 1);
        auto v = parse_hash_identifier(inner);
        if (!v) {
            return v.error();
        }
        HTTPS_TRY(inner.expect_empty());
        hash = *v;
    }
    if (auto m = params->read_optional(der::tag::context_constructed(1)); !m) {
        return m.error();
    } else if (*m) {
        der::parser inner((*m)->contents, params->depth() + 1);
        auto mgf = inner.read_sequence();
        if (!mgf) {
            return mgf.error();
        }
        HTTPS_TRY(inner.expect_empty());
        auto id = mgf->read_oid();
        if (!id) {
            return id.error();
        }
        if (!der::oid_equals(*id, oid::mgf1)) {
            return errc::unsupported_algorithm;
        }
        auto v = parse_hash_identifier(*mgf);
        if (!v) {
            return v.error();
        }
        HTTPS_TRY(mgf->expect_empty());
        mgf_hash = *v;
    }
    if (auto s = params->read_optional(der::tag::context_constructed(2)); !s) {
        return s.error();
    } else if (*s) {
        der::parser inner((*s)->contents, params->depth() + 1);
        auto v = inner.read_small_unsigned(1024);
        if (!v) {
            return v.error();
        }
        HTTPS_TRY(inner.expect_empty());
        salt = *v;
    }
    if (auto t = params->read_optional(der::tag::context_constructed(3)); !t) {
        return t.error();
    } else if (*t) {
        der::parser inner((*t)->contents, params->depth() + 1);
        auto v = inner.read_small_unsigned(1);
        if (!v) {
            return v.error();
        }
        HTTPS_TRY(inner.expect_empty());
        if (*v != 1) {
            return errc::bad_encoding; // trailerFieldBC is the only defined value
        }
    }
    HTTPS_TRY(params->expect_empty());
    if (mgf_hash != hash) {
        return errc::unsupported_algorithm;
    }
    alg.hash = hash;
    alg.pss_salt_length = static_cast<std::uint32_t>(salt);
    return {};
}

/// A signature AlgorithmIdentifier. Unknown algorithms parse as `scheme::unknown` (the
/// certificate is still usable as a leaf signed by something else); malformed parameters of a
/// known algorithm are an error.
HTTPS_DECL result<signature_algorithm> parse_signature_algorithm(der::parser& p) noexcept {
    auto el = p.read_any();
    if (!el) {
        return el.error();
    }
    if (el->tag != der::tag::sequence) {
        return errc::unexpected_tag;
    }
    signature_algorithm alg;
    alg.der = el->encoded;
    der::parser seq(el->contents, p.depth() + 1);
    auto id = seq.read_oid();
    if (!id) {
        return id.error();
    }
    using scheme = signature_algorithm::scheme;
    struct known {
        bytes_view oid;
        scheme kind;
        hash_algorithm hash;
    };
    static const known table[] = {
        {oid::sha256_with_rsa, scheme::rsa_pkcs1, hash_algorithm::sha256},
        {oid::sha384_with_rsa, scheme::rsa_pkcs1, hash_algorithm::sha384},
        {oid::sha512_with_rsa, scheme::rsa_pkcs1, hash_algorithm::sha512},
        {oid::sha224_with_rsa, scheme::rsa_pkcs1, hash_algorithm::sha224},
        {oid::sha1_with_rsa, scheme::rsa_pkcs1, hash_algorithm::sha1},
        {oid::md5_with_rsa, scheme::rsa_pkcs1, hash_algorithm::md5},
        {oid::ecdsa_with_sha256, scheme::ecdsa, hash_algorithm::sha256},
        {oid::ecdsa_with_sha384, scheme::ecdsa, hash_algorithm::sha384},
        {oid::ecdsa_with_sha512, scheme::ecdsa, hash_algorithm::sha512},
        {oid::ecdsa_with_sha1, scheme::ecdsa, hash_algorithm::sha1},
        {oid::rsassa_pss, scheme::rsa_pss, hash_algorithm::none},
        {oid::ed25519, scheme::ed25519, hash_algorithm::none},
    };
    for (const known& k : table) {
        if (der::oid_equals(*id, k.oid)) {
            alg.kind = k.kind;
            alg.hash = k.hash;
            break;
        }
    }
    switch (alg.kind) {
    case scheme::rsa_pkcs1:
        // RFC 4055 §5: parameters NULL; absent parameters are tolerated as most verifiers do.
        if (seq.next_is(der::tag::null)) {
            HTTPS_TRY(seq.read_null());
        }
        break;
    case scheme::rsa_pss:
        HTTPS_TRY(parse_pss_params(seq, alg));
        break;
    case scheme::ecdsa:   // RFC 5758 §3.2: parameters absent
    case scheme::ed25519: // RFC 8410 §3: parameters absent
        break;
    case scheme::unknown:
        (void)seq.read_any(); // parameters, if any: opaque
        break;
    }
    HTTPS_TRY(seq.expect_empty());
    return alg;
}

/// Bit length of a big-endian magnitude without leading zero bytes.
HTTPS_DECL std::size_t bit_length(bytes_view magnitude) noexcept {
    if (magnitude.empty() || (magnitude.size() == 1 && magnitude[0] == 0)) {
        return 0;
    }
    std::size_t bits = (magnitude.size() - 1) * 8;
    for (std::uint8_t top = magnitude[0]; top != 0; top >>= 1) {
        ++bits;
    }
    return bits;
}

/// SubjectPublicKeyInfo (RFC 5280 §4.1.2.7; RFC 3279 §2.3.1 RSA; RFC 5480 EC; RFC 8410 Ed25519).
HTTPS_DECL result<public_key_info> parse_spki(der::parser& p) noexcept {
    public_key_info info;
    auto el = p.read_any();
    if (!el) {
        return el.error();
    }
    if (el->tag != der::tag::sequence) {
        return errc::unexpected_tag;
    }
    info.der = el->encoded;
    der::parser spki(el->contents, p.depth() + 1);
    auto alg = spki.read_sequence();
    if (!alg) {
        return alg.error();
    }
    auto id = alg->read_oid();
    if (!id) {
        return id.error();
    }
    auto bits = spki.read_bit_string();
    if (!bits) {
        return bits.error();
    }
    HTTPS_TRY(spki.expect_empty());
    if (bits->unused_bits != 0) {
        return errc::bad_encoding;
    }
    info.key = bits->bytes;

    if (der::oid_equals(*id, oid::rsa_encryption)) {
        if (alg->next_is(der::tag::null)) { // RFC 3279: NULL (absent tolerated)
            HTTPS_TRY(alg->read_null());
        }
        HTTPS_TRY(alg->expect_empty());
        der::parser outer(info.key, spki.depth() + 1);
        auto key = outer.read_sequence();
        if (!key) {
            return key.error();
        }
        HTTPS_TRY(outer.expect_empty());
        auto n = key->read_unsigned_integer();
        if (!n) {
            return n.error();
        }
        auto e = key->read_unsigned_integer();
        if (!e) {
            return e.error();
        }
        HTTPS_TRY(key->expect_empty());
        if ((*n)[0] == 0 || (*e)[0] == 0) {
            return errc::bad_public_key; // a zero modulus or exponent
        }
        info.algorithm = key_algorithm::rsa;
        info.rsa_modulus = *n;
        info.rsa_exponent = *e;
        info.rsa_bits = bit_length(*n);
        return info;
    }
    if (der::oid_equals(*id, oid::ec_public_key)) {
        // RFC 5480 §2.1.1: namedCurve only (implicitCurve and specifiedCurve MUST NOT be used).
        auto curve = alg->read_oid();
        if (!curve) {
            return curve.error();
        }
        HTTPS_TRY(alg->expect_empty());
        std::size_t coordinate = 0;
        if (der::oid_equals(*curve, oid::secp256r1)) {
            info.algorithm = key_algorithm::ec_p256;
            coordinate = 32;
        } else if (der::oid_equals(*curve, oid::secp384r1)) {
            info.algorithm = key_algorithm::ec_p384;
            coordinate = 48;
        } else {
            return info; // another curve: parsed, never verified with
        }
        // SEC 1 §2.3.3 uncompressed point; compressed points (allowed by RFC 5480) are not
        // supported by our ECDSA, so such keys are refused here rather than at verification.
        if (info.key.size() != 1 + 2 * coordinate || info.key[0] != 0x04) {
            return errc::bad_public_key;
        }
        return info;
    }
    if (der::oid_equals(*id, oid::ed25519)) {
        // RFC 8410 §3-4 (parameters absent, a 32-byte key) and RFC 8032 §5.1.3 (the key decodes
        // to a point), checked by the parser the TLS layer verifies with. A key that does not
        // decode is bad_public_key whichever part of the decoding refused it.
        if (auto key = crypto::parse_ed25519_public_key_info(info.der); !key) {
            return key.error() == errc::point_not_on_curve ? errc::bad_public_key : key.error();
        }
        info.algorithm = key_algorithm::ed25519;
        return info;
    }
    return info; // unknown algorithm: its parameters are opaque
}

/// One GeneralName (RFC 5280 §4.2.1.6) appended to `out`. `in_constraints`: iPAddress holds
/// address and mask (§4.2.1.10) and dNSName may be empty or start with a dot.
HTTPS_DECL status parse_general_name(der::parser& p, general_names& out, bool in_constraints) {
    auto el = p.read_any();
    if (!el) {
        return el.error();
    }
    switch (el->tag) {
    case der::tag::context_primitive(2): { // dNSName IA5String
        // §4.2.1.6 and §4.2.1.10 use the preferred name syntax (RFC 1034 §3.5), which has no
        // trailing dot; refusing one here means no later check can read a name two ways (a SAN
        // "www.bank.com." would step around an excluded "bank.com" and still match the host).
        const bool trailing_dot = !el->contents.empty() && el->contents.back() == '.';
        if (!all_ascii(el->contents) || (!in_constraints && el->contents.empty()) ||
            trailing_dot) {
            return errc::bad_encoding;
        }
        out.dns_names.push_back(as_string(el->contents));
        return {};
    }
    case der::tag::context_primitive(7): { // iPAddress OCTET STRING
        const std::size_t n = el->contents.size();
        if (!in_constraints) {
            if (n != 4 && n != 16) {
                return errc::bad_encoding;
            }
        } else {
            if (n != 8 && n != 32) {
                return errc::bad_encoding;
            }
            // The mask must be a run of ones then zeros (a CIDR prefix), as Go and BoringSSL
            // require; anything else has no sensible meaning.
            bool zero_seen = false;
            for (std::size_t i = n / 2; i < n; ++i) {
                for (int b = 7; b >= 0; --b) {
                    const bool one = ((el->contents[i] >> b) & 1) != 0;
                    if (one && zero_seen) {
                        return errc::bad_encoding;
                    }
                    zero_seen = zero_seen || !one;
                }
            }
        }
        out.ip_addresses.push_back(el->contents);
        return {};
    }
    case der::tag::context_constructed(4): { // directoryName: [4] EXPLICIT Name
        der::parser inner(el->contents, p.depth() + 1);
        auto n = inner.read_any();
        if (!n) {
            return n.error();
        }
        HTTPS_TRY(inner.expect_empty());
        auto parsed = parse_name(n->encoded, p.depth() + 1);
        if (!parsed) {
            return parsed.error();
        }
        out.directory_names.push_back(*parsed);
        return {};
    }
    case der::tag::context_constructed(0):
        out.other_forms |= name_form::other_name;
        return {};
    case der::tag::context_primitive(1):
        if (!all_ascii(el->contents)) {
            return errc::bad_encoding;
        }
        out.other_forms |= name_form::rfc822;
        return {};
    case der::tag::context_constructed(3):
        out.other_forms |= name_form::x400;
        return {};
    case der::tag::context_constructed(5):
        out.other_forms |= name_form::edi_party;
        return {};
    case der::tag::context_primitive(6):
        if (!all_ascii(el->contents)) {
            return errc::bad_encoding;
        }
        out.other_forms |= name_form::uri;
        return {};
    case der::tag::context_primitive(8): {
        if (!der::parser::valid_oid(el->contents)) {
            return errc::bad_encoding;
        }
        out.other_forms |= name_form::registered_id;
        return {};
    }
    default:
        return errc::unexpected_tag;
    }
}

/// An extension value that must be exactly one SEQUENCE: its contents.
HTTPS_DECL result<der::parser> sole_sequence(der::parser value) {
    auto seq = value.read_sequence();
    if (!seq) {
        return seq.error();
    }
    HTTPS_TRY(value.expect_empty());
    return *seq;
}

/// subjectAltName: GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName.
HTTPS_DECL status parse_subject_alt_name(der::parser value, certificate& c) {
    auto seq = sole_sequence(value);
    if (!seq) {
        return seq.error();
    }
    HTTPS_TRY(for_each_element(
        *seq, [&c](der::parser& p) { return parse_general_name(p, c.subject_alt_names, false); }));
    return {};
}

/// GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree { base, [0] minimum DEFAULT 0,
/// [1] maximum OPTIONAL }; RFC 5280 §4.2.1.10: minimum MUST be zero and maximum absent, so a
/// subtree carrying either is refused (DER omits the zero default).
HTTPS_DECL status parse_general_subtrees(der::parser subtrees, general_names& out) {
    return for_each_element(subtrees, [&out](der::parser& p) -> status {
        auto subtree = p.read_sequence();
        if (!subtree) {
            return subtree.error();
        }
        HTTPS_TRY(parse_general_name(*subtree, out, true));
        return subtree->expect_empty();
    });
}

HTTPS_DECL status parse_name_constraints(der::parser value, certificate& c) {
    auto seq = sole_sequence(value);
    if (!seq) {
        return seq.error();
    }
    name_constraints nc;
    bool any = false;
    if (seq->next_is(der::tag::context_constructed(0))) {
        auto permitted = seq->read_constructed(der::tag::context_constructed(0));
        if (!permitted) {
            return permitted.error();
        }
        HTTPS_TRY(parse_general_subtrees(*permitted, nc.permitted));
        any = true;
    }
    if (seq->next_is(der::tag::context_constructed(1))) {
        auto excluded = seq->read_constructed(der::tag::context_constructed(1));
        if (!excluded) {
            return excluded.error();
        }
        HTTPS_TRY(parse_general_subtrees(*excluded, nc.excluded));
        any = true;
    }
    HTTPS_TRY(seq->expect_empty());
    if (!any) {
        return errc::bad_encoding; // §4.2.1.10: MUST NOT be an empty sequence
    }
    c.constraints = std::move(nc);
    return {};
}

/// basicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }.
/// An explicit cA FALSE is not DER but common in old certificates; like OpenSSL and Go we accept
/// it. A path length without cA is meaningless and refused (§4.2.1.9: only if cA is set).
HTTPS_DECL status parse_basic_constraints(der::parser value, certificate& c) {
    auto seq = sole_sequence(value);
    if (!seq) {
        return seq.error();
    }
    if (seq->next_is(der::tag::boolean)) {
        auto ca = seq->read_boolean();
        if (!ca) {
            return ca.error();
        }
        c.is_ca = *ca;
    }
    if (seq->next_is(der::tag::integer)) {
        auto len = seq->read_small_unsigned(UINT32_MAX);
        if (!len) {
            return len.error();
        }
        if (!c.is_ca) {
            return errc::bad_encoding;
        }
        c.path_len_constraint = static_cast<std::uint32_t>(*len);
    }
    return seq->expect_empty();
}

/// keyUsage ::= BIT STRING; §4.2.1.3: at least one bit set. Bits beyond decipherOnly are ignored.
HTTPS_DECL status parse_key_usage(der::parser value, certificate& c) {
    auto bits = value.read_bit_string();
    if (!bits) {
        return bits.error();
    }
    HTTPS_TRY(value.expect_empty());
    std::uint16_t mask = 0;
    for (unsigned i = 0; i < 9; ++i) {
        if (bits->bit(i)) {
            mask = static_cast<std::uint16_t>(mask | (1u << i));
        }
    }
    if (mask == 0) {
        return errc::bad_encoding;
    }
    c.key_usage = mask;
    return {};
}

/// ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId.
HTTPS_DECL status parse_ext_key_usage(der::parser value, certificate& c) {
    auto seq = sole_sequence(value);
    if (!seq) {
        return seq.error();
    }
    HTTPS_TRY(for_each_element(*seq, [&c](der::parser& p) -> status {
        auto id = p.read_oid();
        if (!id) {
            return id.error();
        }
        if (der::oid_equals(*id, oid::kp_server_auth)) {
            c.ext_key_usage.server_auth = true;
        } else if (der::oid_equals(*id, oid::kp_client_auth)) {
            c.ext_key_usage.client_auth = true;
        } else if (der::oid_equals(*id, oid::kp_ocsp_signing)) {
            c.ext_key_usage.ocsp_signing = true;
        } else if (der::oid_equals(*id, oid::any_extended_key_usage)) {
            c.ext_key_usage.any = true;
        }
        return {};
    }));
    return {};
}

/// AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL,
/// authorityCertIssuer [1] GeneralNames OPTIONAL, authorityCertSerialNumber [2] OPTIONAL }.
HTTPS_DECL status parse_authority_key_id(der::parser value, certificate& c) {
    auto seq = sole_sequence(value);
    if (!seq) {
        return seq.error();
    }
    auto key_id = seq->read_optional(der::tag::context_primitive(0));
    if (!key_id) {
        return key_id.error();
    }
    if (*key_id) {
        c.authority_key_id = (*key_id)->contents;
    }
    // authorityCertIssuer [1] GeneralNames (the same syntax as a subjectAltName's contents).
    auto issuer = seq->read_optional(der::tag::context_constructed(1));
    if (!issuer) {
        return issuer.error();
    }
    auto serial = seq->read_optional(der::tag::context_primitive(2));
    if (!serial) {
        return serial.error();
    }
    if (issuer->has_value() != serial->has_value()) {
        return errc::bad_encoding; // §4.2.1.1: both or neither
    }
    if (*issuer) {
        general_names names;
        HTTPS_TRY(for_each_element(der::parser((*issuer)->contents, seq->depth() + 1),
                                   [&names](der::parser& p) {
                                       return parse_general_name(p, names, false);
                                   }));
        c.authority_key_id_names_issuer = true;
    }
    return seq->expect_empty();
}

HTTPS_DECL status parse_subject_key_id(der::parser value, certificate& c) {
    auto id = value.read_octet_string();
    if (!id) {
        return id.error();
    }
    HTTPS_TRY(value.expect_empty());
    c.subject_key_id = *id;
    return {};
}

/// authorityInfoAccess (RFC 5280 §4.2.2.1) ::= SEQUENCE SIZE (1..MAX) OF AccessDescription
/// { accessMethod OBJECT IDENTIFIER, accessLocation GeneralName }. Checked, not used.
HTTPS_DECL status parse_authority_info_access(der::parser value) {
    auto seq = sole_sequence(value);
    if (!seq) {
        return seq.error();
    }
    return for_each_element(*seq, [](der::parser& p) -> status {
        auto description = p.read_sequence();
        if (!description) {
            return description.error();
        }
        HTTPS_TRY(description->read_oid());
        general_names location;
        HTTPS_TRY(parse_general_name(*description, location, false));
        return description->expect_empty();
    });
}

/// GeneralNames held in an IMPLICIT context tag: the same contents as a SEQUENCE OF GeneralName.
HTTPS_DECL status parse_tagged_general_names(const der::element& el, unsigned depth) {
    general_names names;
    return for_each_element(der::parser(el.contents, depth), [&names](der::parser& p) {
        return parse_general_name(p, names, false);
    });
}

/// cRLDistributionPoints (RFC 5280 §4.2.1.13) ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint
/// { distributionPoint [0] DistributionPointName OPTIONAL, reasons [1] ReasonFlags OPTIONAL,
/// cRLIssuer [2] GeneralNames OPTIONAL }, where DistributionPointName ::= CHOICE { fullName [0]
/// GeneralNames, nameRelativeToCRLIssuer [1] RelativeDistinguishedName }. A point MUST have a
/// distributionPoint or a cRLIssuer. Checked, not used (we do not fetch CRLs).
HTTPS_DECL status parse_crl_distribution_points(der::parser value) {
    auto seq = sole_sequence(value);
    if (!seq) {
        return seq.error();
    }
    return for_each_element(*seq, [](der::parser& p) -> status {
        auto point = p.read_sequence();
        if (!point) {
            return point.error();
        }
        auto name = point->read_optional(der::tag::context_constructed(0));
        if (!name) {
            return name.error();
        }
        if (*name) {
            der::parser choice((*name)->contents, point->depth() + 1);
            auto form = choice.read_any();
            if (!form) {
                return form.error();
            }
            if (form->tag == der::tag::context_constructed(0)) {
                HTTPS_TRY(parse_tagged_general_names(*form, choice.depth() + 1));
            } else if (form->tag == der::tag::context_constructed(1)) {
                // RelativeDistinguishedName: a non-empty SET OF AttributeTypeAndValue, checked by
                // wrapping it as a one-RDN Name.
                HTTPS_TRY(for_each_element(der::parser(form->contents, choice.depth() + 1),
                                           [](der::parser& ava) -> status {
                                               auto a = ava.read_sequence();
                                               if (!a) {
                                                   return a.error();
                                               }
                                               HTTPS_TRY(a->read_oid());
                                               HTTPS_TRY(a->read_any());
                                               return a->expect_empty();
                                           }));
            } else {
                return errc::unexpected_tag;
            }
            HTTPS_TRY(choice.expect_empty());
        }
        auto reasons = point->read_optional(der::tag::context_primitive(1));
        if (!reasons) {
            return reasons.error();
        }
        auto issuer = point->read_optional(der::tag::context_constructed(2));
        if (!issuer) {
            return issuer.error();
        }
        if (*issuer) {
            HTTPS_TRY(parse_tagged_general_names(**issuer, point->depth() + 1));
        }
        if (!*name && !*issuer) {
            return errc::bad_encoding;
        }
        return point->expect_empty();
    });
}

/// certificatePolicies (RFC 5280 §4.2.1.4) ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation
/// { policyIdentifier OBJECT IDENTIFIER, policyQualifiers SEQUENCE SIZE (1..MAX) OF
/// PolicyQualifierInfo { policyQualifierId OBJECT IDENTIFIER, qualifier ANY } OPTIONAL }; a
/// policy OID MUST NOT appear more than once.
HTTPS_DECL status parse_certificate_policies(der::parser value) {
    auto seq = sole_sequence(value);
    if (!seq) {
        return seq.error();
    }
    std::vector<bytes_view> seen;
    return for_each_element(*seq, [&seen](der::parser& p) -> status {
        auto info = p.read_sequence();
        if (!info) {
            return info.error();
        }
        auto id = info->read_oid();
        if (!id) {
            return id.error();
        }
        if (std::any_of(seen.begin(), seen.end(),
                        [&](bytes_view other) { return der::oid_equals(*id, other); })) {
            return errc::bad_encoding;
        }
        seen.push_back(*id);
        if (!info->empty()) {
            auto qualifiers = info->read_sequence();
            if (!qualifiers) {
                return qualifiers.error();
            }
            HTTPS_TRY(for_each_element(*qualifiers, [](der::parser& q) -> status {
                auto qualifier = q.read_sequence();
                if (!qualifier) {
                    return qualifier.error();
                }
                HTTPS_TRY(qualifier->read_oid());
                HTTPS_TRY(qualifier->read_any());
                return qualifier->expect_empty();
            }));
        }
        return info->expect_empty();
    });
}

/// The embedded SCT list (RFC 6962 §3.3): an OCTET STRING holding the TLS encoding
/// `opaque SerializedSCT<1..2^16-1>; SerializedSCT sct_list<1..2^16-1>`. Checked, not used.
HTTPS_DECL status parse_sct_list(der::parser value) {
    auto list = value.read_octet_string();
    if (!list) {
        return list.error();
    }
    HTTPS_TRY(value.expect_empty());
    const bytes_view b = *list;
    if (b.size() < 2 || static_cast<std::size_t>(b[0] << 8 | b[1]) != b.size() - 2 ||
        b.size() == 2) {
        return errc::bad_encoding;
    }
    for (std::size_t pos = 2; pos < b.size();) {
        if (b.size() - pos < 2) {
            return errc::truncated;
        }
        const std::size_t n = static_cast<std::size_t>(b[pos] << 8 | b[pos + 1]);
        if (n == 0 || n > b.size() - pos - 2) {
            return errc::bad_encoding;
        }
        pos += 2 + n;
    }
    return {};
}

/// TLS Feature (RFC 7633 §4) ::= SEQUENCE OF INTEGER (TLS extension numbers); status_request
/// (5) makes the certificate must-staple.
HTTPS_DECL status parse_tls_feature(der::parser value, certificate& c) {
    auto seq = sole_sequence(value);
    if (!seq) {
        return seq.error();
    }
    return for_each_element(*seq, [&c](der::parser& p) -> status {
        auto feature = p.read_small_unsigned(0xffff);
        if (!feature) {
            return feature.error();
        }
        c.must_staple = c.must_staple || *feature == 5;
        return {};
    });
}

/// Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension { extnID, critical DEFAULT FALSE, extnValue
/// }.
HTTPS_DECL status parse_extensions(der::parser& tbs, certificate& c) {
    auto wrapper = tbs.read_constructed(der::tag::context_constructed(3));
    if (!wrapper) {
        return wrapper.error();
    }
    auto list = wrapper->read_sequence();
    if (!list) {
        return list.error();
    }
    HTTPS_TRY(wrapper->expect_empty());
    if (list->empty()) {
        return errc::bad_encoding;
    }
    std::vector<bytes_view> seen;
    while (!list->empty()) {
        if (seen.size() >= max_extensions) {
            return errc::too_large;
        }
        auto ext = list->read_sequence();
        if (!ext) {
            return ext.error();
        }
        auto id = ext->read_oid();
        if (!id) {
            return id.error();
        }
        bool critical = false;
        if (ext->next_is(der::tag::boolean)) {
            auto b = ext->read_boolean(); // explicit FALSE is non-DER but widespread; accepted
            if (!b) {
                return b.error();
            }
            critical = *b;
        }
        auto value = ext->read_octet_string();
        if (!value) {
            return value.error();
        }
        HTTPS_TRY(ext->expect_empty());
        // §4.2: "A certificate MUST NOT include more than one instance of a particular extension."
        for (bytes_view other : seen) {
            if (der::oid_equals(*id, other)) {
                return errc::bad_encoding;
            }
        }
        seen.push_back(*id);

        const der::parser v(*value, ext->depth() + 1);
        std::uint32_t known = 0;
        if (der::oid_equals(*id, oid::basic_constraints)) {
            known = extension::basic_constraints;
            HTTPS_TRY(parse_basic_constraints(v, c));
        } else if (der::oid_equals(*id, oid::key_usage)) {
            known = extension::key_usage;
            HTTPS_TRY(parse_key_usage(v, c));
        } else if (der::oid_equals(*id, oid::ext_key_usage)) {
            known = extension::ext_key_usage;
            HTTPS_TRY(parse_ext_key_usage(v, c));
        } else if (der::oid_equals(*id, oid::subject_alt_name)) {
            known = extension::subject_alt_name;
            HTTPS_TRY(parse_subject_alt_name(v, c));
        } else if (der::oid_equals(*id, oid::name_constraints)) {
            known = extension::name_constraints;
            HTTPS_TRY(parse_name_constraints(v, c));
        } else if (der::oid_equals(*id, oid::authority_key_identifier)) {
            known = extension::authority_key_id;
            HTTPS_TRY(parse_authority_key_id(v, c));
        } else if (der::oid_equals(*id, oid::subject_key_identifier)) {
            known = extension::subject_key_id;
            HTTPS_TRY(parse_subject_key_id(v, c));
        } else if (der::oid_equals(*id, oid::certificate_policies)) {
            // Understood in the sense of RFC 5280 §6.1 with initial-policy-set anyPolicy and no
            // explicit policy required: policies never restrict the path we accept. The policy
            // *constraints* extensions (policyConstraints, inhibitAnyPolicy, policyMappings)
            // could, so when critical they count as unknown below.
            known = extension::certificate_policies;
            HTTPS_TRY(parse_certificate_policies(v));
        } else if (der::oid_equals(*id, oid::authority_info_access)) {
            known = extension::authority_info_access;
            HTTPS_TRY(parse_authority_info_access(v));
        } else if (der::oid_equals(*id, oid::crl_distribution_points)) {
            known = extension::crl_distribution_points;
            HTTPS_TRY(parse_crl_distribution_points(v));
        } else if (der::oid_equals(*id, oid::sct_list)) {
            known = extension::sct_list;
            HTTPS_TRY(parse_sct_list(v));
        } else if (der::oid_equals(*id, oid::tls_feature)) {
            known = extension::tls_feature;
            HTTPS_TRY(parse_tls_feature(v, c));
        }
        if (known != 0) {
            c.extensions_present |= known;
            c.extensions_critical |= critical ? known : 0u;
        }
        // We only read the SCT list, CRL distribution points, access descriptions and TLS
        // features; a certificate that makes any of them critical asks for processing we do not
        // do, so it counts as unknown (RFC 5280 §4.2).
        constexpr std::uint32_t processed = ~(extension::sct_list |
                                              extension::crl_distribution_points |
                                              extension::authority_info_access |
                                              extension::tls_feature);
        if (critical && (known & processed) == 0) {
            c.unknown_critical_extension = true;
        }
    }
    return {};
}

/// The certificate parse proper; errors are the underlying decode errors.
HTTPS_DECL status parse_certificate_into(bytes_view data, certificate& c) {
    if (data.size() > max_certificate_size) {
        return errc::too_large;
    }
    der::parser top(data);
    auto cert = top.read_sequence();
    if (!cert) {
        return cert.error();
    }
    HTTPS_TRY(top.expect_empty());
    c.der = data;

    auto tbs_el = cert->read_any();
    if (!tbs_el) {
        return tbs_el.error();
    }
    if (tbs_el->tag != der::tag::sequence) {
        return errc::unexpected_tag;
    }
    c.tbs = tbs_el->encoded;
    auto outer_alg = parse_signature_algorithm(*cert);
    if (!outer_alg) {
        return outer_alg.error();
    }
    c.sig_alg = *outer_alg;
    auto sig = cert->read_bit_string();
    if (!sig) {
        return sig.error();
    }
    if (sig->unused_bits != 0) {
        return errc::bad_encoding;
    }
    c.signature = sig->bytes;
    HTTPS_TRY(cert->expect_empty());

    der::parser tbs(tbs_el->contents, cert->depth() + 1);
    // version [0] EXPLICIT INTEGER DEFAULT v1: DER omits v1, so an explicit 0 is refused.
    if (tbs.next_is(der::tag::context_constructed(0))) {
        auto v = tbs.read_constructed(der::tag::context_constructed(0));
        if (!v) {
            return v.error();
        }
        auto n = v->read_small_unsigned(2);
        if (!n) {
            return n.error();
        }
        HTTPS_TRY(v->expect_empty());
        if (*n == 0) {
            return errc::non_minimal_encoding;
        }
        c.version = static_cast<unsigned>(*n) + 1;
    }
    // serialNumber: §4.1.2.2 positive, at most 20 octets. We refuse negative serials (as Go
    // does since 1.23) and accept zero (old roots use it; §4.1.2.2 asks users to tolerate it).
    // 20 octets of magnitude may need a 21st sign octet, which is allowed.
    auto serial = tbs.read_integer();
    if (!serial) {
        return serial.error();
    }
    if (((*serial)[0] & 0x80) != 0) {
        return errc::out_of_range;
    }
    if (serial->size() > 21 || (serial->size() == 21 && (*serial)[0] != 0)) {
        return errc::too_large;
    }
    c.serial = *serial;

    auto inner_alg = tbs.read_any();
    if (!inner_alg) {
        return inner_alg.error();
    }
    // §4.1.1.2: signatureAlgorithm MUST equal the TBS signature field; compare the encodings.
    if (inner_alg->encoded.size() != c.sig_alg.der.size() ||
        !std::equal(inner_alg->encoded.begin(), inner_alg->encoded.end(), c.sig_alg.der.begin())) {
        return errc::bad_encoding;
    }

    auto issuer = tbs.read_any();
    if (!issuer) {
        return issuer.error();
    }
    auto issuer_name = parse_name(issuer->encoded, tbs.depth());
    if (!issuer_name) {
        return issuer_name.error();
    }
    if (issuer_name->empty()) {
        return errc::bad_encoding; // §4.1.2.4: the issuer MUST be a non-empty name
    }
    c.issuer = *issuer_name;

    auto validity = tbs.read_sequence();
    if (!validity) {
        return validity.error();
    }
    for (unix_time* t : {&c.not_before, &c.not_after}) {
        auto el = validity->read_any();
        if (!el) {
            return el.error();
        }
        auto v = parse_time(*el);
        if (!v) {
            return v.error();
        }
        *t = *v;
    }
    HTTPS_TRY(validity->expect_empty());

    auto subject = tbs.read_any();
    if (!subject) {
        return subject.error();
    }
    auto subject_name = parse_name(subject->encoded, tbs.depth());
    if (!subject_name) {
        return subject_name.error();
    }
    c.subject = *subject_name;

    auto spki = parse_spki(tbs);
    if (!spki) {
        return spki.error();
    }
    c.spki = *spki;

    // issuerUniqueID [1] / subjectUniqueID [2] IMPLICIT BIT STRING: v2 or v3 only, then ignored.
    for (unsigned n : {1u, 2u}) {
        auto uid = tbs.read_optional(der::tag::context_primitive(n));
        if (!uid) {
            return uid.error();
        }
        if (*uid && c.version < 2) {
            return errc::bad_encoding;
        }
    }
    if (tbs.next_is(der::tag::context_constructed(3))) {
        if (c.version != 3) {
            return errc::bad_encoding; // §4.1.2.9: extensions only in v3
        }
        HTTPS_TRY(parse_extensions(tbs, c));
    }
    return tbs.expect_empty();
}

} // namespace detail

HTTPS_DECL result<certificate> parse_certificate(bytes_view der, errc* cause) {
    certificate c;
    const status s = detail::parse_certificate_into(der, c);
    if (cause != nullptr) {
        *cause = s.error();
    }
    if (!s) {
        return errc::cert_malformed;
    }
    return c;
}

HTTPS_DECL std::string describe_certificate(bytes_view der) {
    errc cause = errc::ok;
    auto c = parse_certificate(der, &cause);
    if (!c) {
        return std::string("unparsable certificate (") + describe(cause) + ")";
    }
    return "subject: " + to_string(c->subject) + "; issuer: " + to_string(c->issuer) + "; valid " +
           format_time(c->not_before) + " to " + format_time(c->not_after);
}

} // namespace https::x509
// ---- https/x509/impl/signature.ipp -------------------------------------------------------------
// Certificate signature checks (x509/signature.hpp), out of line for separate compilation.

// ---- https/x509/signature.hpp ------------------------------------------------------------------
// Checking one certificate signature: the issuer's key, the algorithm, the TBS bytes, the value.

// ---- https/crypto/hash_id.hpp ------------------------------------------------------------------
// hash_id: the SHA-1/SHA-2 functions signatures name at run time, with digest sizes, OIDs and the
// PKCS#1 DigestInfo prefixes that RSA, ECDSA and X.509 share.


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

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace https::x509::detail {

/// Does `key` have the type `alg` signs with?
inline bool key_fits_algorithm(const public_key_info& key,
                               const signature_algorithm& alg) noexcept {
    using scheme = signature_algorithm::scheme;
    switch (alg.kind) {
    case scheme::rsa_pkcs1:
    case scheme::rsa_pss:
        return key.algorithm == key_algorithm::rsa;
    case scheme::ecdsa:
        return key.algorithm == key_algorithm::ec_p256 || key.algorithm == key_algorithm::ec_p384;
    case scheme::ed25519:
        return key.algorithm == key_algorithm::ed25519;
    case scheme::unknown:
        return false;
    }
    return false;
}

/// The crypto layer's name for a digest a certificate names (MD5 has none: never verified).
inline std::optional<crypto::hash_id> to_hash_id(hash_algorithm h) noexcept {
    switch (h) {
    case hash_algorithm::sha1:
        return crypto::hash_id::sha1;
    case hash_algorithm::sha224:
        return crypto::hash_id::sha224;
    case hash_algorithm::sha256:
        return crypto::hash_id::sha256;
    case hash_algorithm::sha384:
        return crypto::hash_id::sha384;
    case hash_algorithm::sha512:
        return crypto::hash_id::sha512;
    case hash_algorithm::md5:
    case hash_algorithm::none:
        break;
    }
    return std::nullopt;
}

/// Hash `data` with `h` into `out`; returns the digest length.
HTTPS_DECL std::size_t digest_of(crypto::hash_id h, bytes_view data,
                                 std::array<std::uint8_t, crypto::max_digest_size>& out);

/// Verify a certificate signature: `signature` by `key` over `tbs` under `alg` (RSASSA-PKCS1-v1_5
/// and RSASSA-PSS per RFC 4055, ECDSA per RFC 5758, Ed25519 per RFC 8410). Weak digests are
/// refused before this is reached (see `path_search::check_edge`), and RSA keys below 2048 bits
/// too. Any failure, including an algorithm or key we cannot verify with, is
/// `errc::cert_bad_signature`.
/// CT: public data only.
HTTPS_DECL status verify_signature(const public_key_info& key, const signature_algorithm& alg,
                                   bytes_view tbs, bytes_view signature);

} // namespace https::x509::detail


// ---- https/crypto/ec_public_key.hpp ------------------------------------------------------------
// Elliptic-curve public keys on P-256 and P-384: SEC 1 point decoding with full validation, and
// import from an X.509 SubjectPublicKeyInfo (RFC 5480).

// ---- https/crypto/detail/nist_curve.hpp --------------------------------------------------------
// Point arithmetic on the NIST prime curves P-256 and P-384 (y^2 = x^3 - 3x + b): complete
// projective formulas, constant-time scalar multiplication, SEC 1 point coding, and the
// variable-time double-scalar multiplication that ECDSA verification uses.

// ---- https/crypto/detail/nist_field.hpp --------------------------------------------------------
// Montgomery arithmetic modulo the fixed odd moduli of the NIST curves (the field primes p and the
// group orders n) on 64-bit limbs with 128-bit products; constant-time unless marked otherwise.


#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace https::crypto::detail::nist {

__extension__ typedef unsigned __int128 u128;

/// A multi-precision integer, least significant 64-bit limb first.
template <std::size_t N> using limbs = std::array<std::uint64_t, N>;

// ---- compile-time helpers (constants only; never used on secrets) -------------------------------

/// Limbs from a big-endian hexadecimal literal of exactly 16*N digits.
template <std::size_t N> consteval limbs<N> hex_limbs(std::string_view hex) {
    if (hex.size() != 16 * N) {
        throw "hex_limbs: wrong number of digits"; // a compile error, never a runtime throw
    }
    limbs<N> out{};
    for (std::size_t i = 0; i < hex.size(); ++i) {
        const char c = hex[i];
        const std::uint64_t v = c >= '0' && c <= '9'   ? static_cast<std::uint64_t>(c - '0')
                                : c >= 'a' && c <= 'f' ? static_cast<std::uint64_t>(c - 'a' + 10)
                                                       : throw "hex_limbs: bad digit";
        const std::size_t limb = N - 1 - i / 16;
        out[limb] = (out[limb] << 4) | v;
    }
    return out;
}

/// -m^-1 mod 2^64 for odd m0, by Newton's iteration x <- x(2 - m0 x): m0 is its own inverse
/// mod 8, and every step doubles the number of correct low bits (3, 6, 12, 24, 48, 96).
constexpr std::uint64_t neg_inverse(std::uint64_t m0) {
    std::uint64_t x = m0;
    for (int i = 0; i < 5; ++i) {
        x *= 2 - m0 * x;
    }
    return ~x + 1;
}

template <std::size_t N> constexpr bool geq_ce(const limbs<N>& a, const limbs<N>& b) {
    for (std::size_t i = N; i-- > 0;) {
        if (a[i] != b[i]) {
            return a[i] > b[i];
        }
    }
    return true;
}

template <std::size_t N> constexpr limbs<N> sub_ce(const limbs<N>& a, const limbs<N>& b) {
    limbs<N> r{};
    std::uint64_t borrow = 0;
    for (std::size_t i = 0; i < N; ++i) {
        const u128 t = static_cast<u128>(a[i]) - b[i] - borrow;
        r[i] = static_cast<std::uint64_t>(t);
        borrow = static_cast<std::uint64_t>(t >> 64) & 1;
    }
    return r;
}

/// a * 2^(64N) mod m for a < m, by 64N modular doublings (compile time only).
template <std::size_t N> constexpr limbs<N> times_r_ce(limbs<N> a, const limbs<N>& m) {
    for (std::size_t k = 0; k < 64 * N; ++k) {
        const std::uint64_t top = a[N - 1] >> 63;
        for (std::size_t i = N; i-- > 1;) {
            a[i] = (a[i] << 1) | (a[i - 1] >> 63);
        }
        a[0] <<= 1;
        if (top != 0 || geq_ce(a, m)) {
            a = sub_ce(a, m);
        }
    }
    return a;
}

/// Leave constant time with a public verdict: true when `mask` is non-zero (all ones).
/// CT: only the verdict becomes public.
inline bool declassify(std::uint64_t mask) noexcept {
    bool verdict = ct::value_barrier(mask) != 0;
    ct::unpoison(&verdict, sizeof verdict);
    return verdict;
}

// ---- run-time arithmetic ------------------------------------------------------------------------

/// An all-ones word when `bit` (0 or 1) is 1, hidden from the optimiser. CT: branch-free.
inline std::uint64_t bit_mask(std::uint64_t bit) noexcept {
    return ct::value_barrier(static_cast<std::uint64_t>(0 - bit));
}

/// Carry chains: the x86-64 intrinsics compile to ADC/SBB chains with both GCC and clang. The
/// multiply-accumulate rows differ: GCC does best with the low and high product halves summed
/// in two separate ADC chains, clang with a 128-bit multiply-add-carry per product (each is
/// about twice as fast as the other form on that compiler, measured on x86-64).
#if defined(__x86_64__)
#define HTTPS_NIST_CARRY_INTRINSICS 1
#else
#define HTTPS_NIST_CARRY_INTRINSICS 0
#endif
#if defined(__x86_64__) && !defined(__clang__)
#define HTTPS_NIST_SPLIT_ROWS 1
#else
#define HTTPS_NIST_SPLIT_ROWS 0
#endif

/// a + b + carry; carry (0 or 1) is updated. CT: branch-free.
inline std::uint64_t add_carry(std::uint64_t a, std::uint64_t b, unsigned char& carry) noexcept {
#if HTTPS_NIST_CARRY_INTRINSICS
    unsigned long long out = 0;
    carry = _addcarry_u64(carry, a, b, &out);
    return out;
#else
    const u128 t = static_cast<u128>(a) + b + carry;
    carry = static_cast<unsigned char>(t >> 64);
    return static_cast<std::uint64_t>(t);
#endif
}

/// a - b - borrow; borrow (0 or 1) is updated. CT: branch-free.
inline std::uint64_t sub_borrow(std::uint64_t a, std::uint64_t b, unsigned char& borrow) noexcept {
#if HTTPS_NIST_CARRY_INTRINSICS
    unsigned long long out = 0;
    borrow = _subborrow_u64(borrow, a, b, &out);
    return out;
#else
    const u128 t = static_cast<u128>(a) - b - borrow;
    borrow = static_cast<unsigned char>((t >> 64) & 1);
    return static_cast<std::uint64_t>(t);
#endif
}

/// The 128-bit product a*b as (lo, hi). CT: one multiplication instruction.
inline void mul_wide(std::uint64_t a, std::uint64_t b, std::uint64_t& lo,
                     std::uint64_t& hi) noexcept {
    const u128 p = static_cast<u128>(a) * b;
    lo = static_cast<std::uint64_t>(p);
    hi = static_cast<std::uint64_t>(p >> 64);
}

/// Arithmetic modulo the odd modulus `Mod::value` (N limbs, top limb non-zero), on elements in
/// Montgomery form x*R mod m with R = 2^(64N), always fully reduced into [0, m).
/// CT: every function is branch-free and index-free in its operands unless its name ends in
/// `_vartime` or its comment says otherwise.
template <class Mod> struct mont {
    static constexpr std::size_t n = std::tuple_size_v<std::remove_cvref_t<decltype(Mod::value)>>;
    static constexpr std::size_t bytes = 8 * n;
    using elem = limbs<n>;

    static constexpr elem m = Mod::value;
    static constexpr std::uint64_t m0inv = neg_inverse(m[0]);
    /// 1 in Montgomery form (R mod m) and R^2 mod m (converts into Montgomery form).
    static constexpr elem one = times_r_ce(elem{1}, m);
    static constexpr elem r2 = times_r_ce(one, m);
    static constexpr elem zero{};

    /// The Montgomery form of a constant, at compile time.
    static consteval elem constant(const elem& plain) { return times_r_ce(plain, m); }

    /// t (N limbs plus a top word `hi` of 0 or 1, value < 2m) reduced into [0, m).
    /// CT: the subtraction is always done; the choice is a mask.
    static elem reduce_once(const elem& t, std::uint64_t hi) noexcept {
        elem d;
        unsigned char borrow = 0;
        for (std::size_t i = 0; i < n; ++i) {
            d[i] = sub_borrow(t[i], m[i], borrow);
        }
        // t < m exactly when the subtraction borrows out of the N+1 word value hi:t
        sub_borrow(hi, 0, borrow);
        const std::uint64_t keep = bit_mask(borrow);
        elem r;
        for (std::size_t i = 0; i < n; ++i) {
            // the barrier keeps each word in a general register: GCC would otherwise turn this
            // loop into SSE code with memory round trips, twice as slow in the point formulas
            r[i] = ct::value_barrier((t[i] & keep) | (d[i] & ~keep));
        }
        return r;
    }

    /// a + b mod m. CT: branch-free.
    static elem add(const elem& a, const elem& b) noexcept {
        elem t;
        unsigned char carry = 0;
        for (std::size_t i = 0; i < n; ++i) {
            t[i] = add_carry(a[i], b[i], carry);
        }
        return reduce_once(t, carry);
    }

    /// a - b mod m. CT: branch-free (m is added back under a mask).
    static elem sub(const elem& a, const elem& b) noexcept {
        elem t;
        unsigned char borrow = 0;
        for (std::size_t i = 0; i < n; ++i) {
            t[i] = sub_borrow(a[i], b[i], borrow);
        }
        const std::uint64_t mask = bit_mask(borrow);
        unsigned char carry = 0;
        for (std::size_t i = 0; i < n; ++i) {
            t[i] = add_carry(t[i], m[i] & mask, carry);
        }
        return t;
    }

    static elem neg(const elem& a) noexcept { return sub(zero, a); }
    static elem twice(const elem& a) noexcept { return add(a, a); }

    /// Montgomery product a*b/R mod m, by coarsely integrated operand scanning (CIOS): after
    /// each outer step the running value stays below 2m, so one final subtraction suffices.
    /// CT: a fixed sequence of multiplications and additions.
    static elem mul(const elem& a, const elem& b) noexcept {
        std::uint64_t t[n + 2] = {}; // indexed by constants only (after unrolling): registers
#if HTTPS_NIST_SPLIT_ROWS
        for (std::size_t i = 0; i < n; ++i) {
            // t += a b[i]
            unsigned char c = 0;
            t[n] = add_carry(t[n], mul_add_row<0, n>(t, a, b[i]), c);
            t[n + 1] = c;
            // t += q m with q making the low word zero, then t /= 2^64
            const std::uint64_t q = t[0] * m0inv;
            c = 0;
            t[n] = add_carry(t[n], mul_add_row<0, n>(t, m, q), c);
            t[n + 1] += c;
            for (std::size_t j = 0; j <= n; ++j) {
                t[j] = t[j + 1];
            }
        }
#else
        for (std::size_t i = 0; i < n; ++i) {
            // t += a b[i]
            std::uint64_t c = 0;
            for (std::size_t j = 0; j < n; ++j) {
                const u128 x = static_cast<u128>(a[j]) * b[i] + t[j] + c;
                t[j] = static_cast<std::uint64_t>(x);
                c = static_cast<std::uint64_t>(x >> 64);
            }
            u128 s = static_cast<u128>(t[n]) + c;
            t[n] = static_cast<std::uint64_t>(s);
            t[n + 1] = static_cast<std::uint64_t>(s >> 64);
            // t += q m with q making the low word zero, then t /= 2^64 (merged into the row)
            const std::uint64_t q = t[0] * m0inv;
            u128 x = static_cast<u128>(q) * m[0] + t[0];
            c = static_cast<std::uint64_t>(x >> 64);
            for (std::size_t j = 1; j < n; ++j) {
                x = static_cast<u128>(q) * m[j] + t[j] + c;
                t[j - 1] = static_cast<std::uint64_t>(x);
                c = static_cast<std::uint64_t>(x >> 64);
            }
            s = static_cast<u128>(t[n]) + c;
            t[n - 1] = static_cast<std::uint64_t>(s);
            t[n] = t[n + 1] + static_cast<std::uint64_t>(s >> 64);
        }
#endif
        elem r;
        for (std::size_t i = 0; i < n; ++i) {
            r[i] = t[i];
        }
        return reduce_once(r, t[n]);
    }

    /// Montgomery square a^2/R mod m. With GCC on x86-64: the n(n-1)/2 cross products once,
    /// doubled, plus the n squares (10 products instead of 16 for n = 4), then n reduction rows
    /// (separated operand scanning), about 30% faster than `mul` there; elsewhere `mul(a, a)`,
    /// which clang compiles better than this form. CT: a fixed sequence of operations.
    static elem sqr(const elem& a) noexcept {
#if !HTTPS_NIST_SPLIT_ROWS
        return mul(a, a);
#else
        std::uint64_t t[2 * n] = {};
        for (std::size_t i = 0; i + 1 < n; ++i) { // cross products a[i] a[j], i < j
            std::uint64_t c = 0;
            for (std::size_t j = i + 1; j < n; ++j) {
                const u128 x = static_cast<u128>(a[i]) * a[j] + t[i + j] + c;
                t[i + j] = static_cast<std::uint64_t>(x);
                c = static_cast<std::uint64_t>(x >> 64);
            }
            t[i + n] = c; // no earlier row reached this word
        }
        for (std::size_t k = 2 * n - 1; k > 0; --k) { // double (barrier: see reduce_once)
            t[k] = ct::value_barrier((t[k] << 1) | (t[k - 1] >> 63));
        }
        unsigned char c = 0;
        for (std::size_t i = 0; i < n; ++i) { // add the squares a[i]^2 at word 2i
            std::uint64_t lo = 0;
            std::uint64_t hi = 0;
            mul_wide(a[i], a[i], lo, hi);
            t[2 * i] = add_carry(t[2 * i], lo, c);
            t[2 * i + 1] = add_carry(t[2 * i + 1], hi, c);
        }
        std::uint64_t pending = 0; // the carry out of word i + n, added with the next row
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t q = t[i] * m0inv;
            std::uint64_t cw = 0;
            for (std::size_t j = 0; j < n; ++j) {
                const u128 x = static_cast<u128>(q) * m[j] + t[i + j] + cw;
                t[i + j] = static_cast<std::uint64_t>(x);
                cw = static_cast<std::uint64_t>(x >> 64);
            }
            const u128 x = static_cast<u128>(t[i + n]) + cw + pending;
            t[i + n] = static_cast<std::uint64_t>(x);
            pending = static_cast<std::uint64_t>(x >> 64);
        }
        elem r;
        for (std::size_t i = 0; i < n; ++i) {
            r[i] = t[n + i];
        }
        return reduce_once(r, pending);
#endif
    }

#if HTTPS_NIST_SPLIT_ROWS
    /// t[Off..Off+L-1] += x * y[0..L-1]; returns the carry word (x*y + t beyond those L words).
    /// The low and the high product halves are summed in two separate carry chains.
    /// CT: a fixed sequence of multiplications and additions.
    template <std::size_t Off, std::size_t L, std::size_t T>
    [[gnu::always_inline]] static std::uint64_t
    mul_add_row(std::uint64_t (&t)[T], const limbs<L>& y, std::uint64_t x) noexcept {
        static_assert(Off + L <= T);
        std::uint64_t lo[L];
        std::uint64_t hi[L];
        for (std::size_t j = 0; j < L; ++j) {
            mul_wide(x, y[j], lo[j], hi[j]);
        }
        unsigned char c1 = 0;
        for (std::size_t j = 0; j < L; ++j) {
            t[Off + j] = add_carry(t[Off + j], lo[j], c1);
        }
        unsigned char c2 = 0;
        for (std::size_t j = 1; j < L; ++j) {
            t[Off + j] = add_carry(t[Off + j], hi[j - 1], c2);
        }
        // cannot overflow: x*y + t < 2^(64(L+1))
        return hi[L - 1] + c1 + c2;
    }
#endif

    /// a^(2^k): k squarings (k public). CT: k only.
    static elem sqr_n(elem a, unsigned k) noexcept {
        for (unsigned i = 0; i < k; ++i) {
            a = sqr(a);
        }
        return a;
    }

    static elem to_mont(const elem& plain) noexcept {
        return mul(plain, r2);
    }
    static elem from_mont(const elem& a) noexcept {
        return mul(a, elem{1});
    }

    /// a^e for a public exponent e, by a fixed 4-bit window from the top.
    /// CT: the operation sequence depends on e only, never on a.
    static elem pow_public_exponent(const elem& a, const elem& e) noexcept {
        std::array<elem, 16> table;
        table[0] = one;
        table[1] = a;
        for (std::size_t i = 2; i < 16; ++i) {
            table[i] = mul(table[i - 1], a);
        }
        elem r = one;
        bool started = false; // public: depends on e only
        for (std::size_t i = 16 * n; i-- > 0;) {
            const std::size_t digit = (e[i / 16] >> (4 * (i % 16))) & 15;
            if (started) {
                r = sqr_n(r, 4);
            }
            if (digit != 0) {
                r = started ? mul(r, table[digit]) : table[digit];
                started = true;
            }
        }
        ct::wipe(table);
        return r;
    }

    /// 1/a mod m (and 0 for a = 0) by Fermat's little theorem, a^(m-2); m must be prime.
    /// CT: the exponent is a public constant, so the sequence of operations is fixed.
    static elem invert(const elem& a) noexcept {
        static constexpr elem m_minus_2 = sub_ce(m, elem{2});
        return pow_public_exponent(a, m_minus_2);
    }

    /// All ones when a == 0. CT: branch-free.
    static std::uint64_t is_zero(const elem& a) noexcept {
        std::uint64_t acc = 0;
        for (std::uint64_t w : a) {
            acc |= w;
        }
        return ct::mask<std::uint64_t>::is_zero(acc).value();
    }
    /// All ones when a == b. CT: branch-free.
    static std::uint64_t equal(const elem& a, const elem& b) noexcept {
        std::uint64_t acc = 0;
        for (std::size_t i = 0; i < n; ++i) {
            acc |= a[i] ^ b[i];
        }
        return ct::mask<std::uint64_t>::is_zero(acc).value();
    }
    /// dst = src where `mask` is all ones. CT: branch-free.
    static void cmov(elem& dst, const elem& src, std::uint64_t mask) noexcept {
        for (std::size_t i = 0; i < n; ++i) {
            dst[i] ^= (dst[i] ^ src[i]) & mask;
        }
    }

    /// All ones when the plain integer a is below m. CT: branch-free.
    static std::uint64_t less_than_modulus(const elem& a) noexcept {
        unsigned char borrow = 0;
        for (std::size_t i = 0; i < n; ++i) {
            sub_borrow(a[i], m[i], borrow);
        }
        return bit_mask(borrow);
    }

    /// The plain integer of `bytes` big-endian bytes (no range check). CT: branch-free.
    static elem load_be(std::span<const std::uint8_t, bytes> in) noexcept {
        elem r;
        for (std::size_t i = 0; i < n; ++i) {
            r[n - 1 - i] = https::detail::load_be64(in.data() + 8 * i);
        }
        return r;
    }
    /// A plain integer as `bytes` big-endian bytes. CT: branch-free.
    static void store_be(const elem& a, std::span<std::uint8_t, bytes> out) noexcept {
        for (std::size_t i = 0; i < n; ++i) {
            https::detail::store_be64(out.data() + 8 * i, a[n - 1 - i]);
        }
    }
};

} // namespace https::crypto::detail::nist

#undef HTTPS_NIST_CARRY_INTRINSICS
#undef HTTPS_NIST_SPLIT_ROWS

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace https::crypto::detail::nist {

/// P-256 domain parameters (FIPS 186-4 §D.1.2.3; SEC 2 secp256r1).
struct p256_params {
    struct field_modulus {
        static constexpr limbs<4> value =
            hex_limbs<4>("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
    };
    struct order_modulus {
        static constexpr limbs<4> value =
            hex_limbs<4>("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    };
    static constexpr limbs<4> b =
        hex_limbs<4>("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b");
    static constexpr limbs<4> gx =
        hex_limbs<4>("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296");
    static constexpr limbs<4> gy =
        hex_limbs<4>("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
};

/// P-384 domain parameters (FIPS 186-4 §D.1.2.4; SEC 2 secp384r1).
struct p384_params {
    struct field_modulus {
        static constexpr limbs<6> value =
            hex_limbs<6>("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe"
                         "ffffffff0000000000000000ffffffff");
    };
    struct order_modulus {
        static constexpr limbs<6> value =
            hex_limbs<6>("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf"
                         "581a0db248b0a77aecec196accc52973");
    };
    static constexpr limbs<6> b =
        hex_limbs<6>("b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875a"
                     "c656398d8a2ed19d2a85c8edd3ec2aef");
    static constexpr limbs<6> gx =
        hex_limbs<6>("aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a38"
                     "5502f25dbf55296c3a545e3872760ab7");
    static constexpr limbs<6> gy =
        hex_limbs<6>("3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c0"
                     "0a60b1ce1d7e819d7a431d7c90ea0e5f");
};

/// The group of a curve with a = -3, prime order n and cofactor 1 (both NIST curves we support).
/// Field elements are in Montgomery form; scalars are plain integers (limbs, not Montgomery).
template <class Params> struct curve {
    using fp = mont<typename Params::field_modulus>;
    using fn = mont<typename Params::order_modulus>;
    using fe = typename fp::elem;
    using scalar = typename fn::elem;
    static constexpr std::size_t limb_count = fp::n;
    static constexpr std::size_t field_bytes = fp::bytes;
    static constexpr std::size_t point_bytes = 1 + 2 * field_bytes; // SEC 1 uncompressed
    static constexpr std::size_t bits = 64 * limb_count;            // = bit length of p and of n

    // p and n both fill their top limb: scalars and coordinates are exactly `bits` long, which
    // the signed-digit recoding and the ECDSA digest truncation (whole bytes) rely on.
    static_assert(fp::m[limb_count - 1] >> 63 == 1 && fn::m[limb_count - 1] >> 63 == 1);
    static_assert(fn::n == limb_count);

    static constexpr fe b = fp::constant(Params::b);
    static constexpr fe three = fp::constant(fe{3});

    /// An affine point (never the identity).
    struct affine {
        fe x, y;
    };
    /// Homogeneous projective (X:Y:Z) for (X/Z, Y/Z); the identity is (0:1:0).
    struct projective {
        fe x, y, z;
    };
    /// Jacobian (X:Y:Z) for (X/Z^2, Y/Z^3); the identity has Z = 0. Variable-time paths only.
    struct jacobian {
        fe x, y, z;
    };

    static constexpr affine generator{fp::constant(Params::gx), fp::constant(Params::gy)};
    static projective identity() noexcept { return {fp::zero, fp::one, fp::zero}; }
    static projective lift(const affine& p) noexcept { return {p.x, p.y, fp::one}; }

    // ---- complete formulas: Renes, Costello, Batina, "Complete addition formulas for prime
    // order elliptic curves" (EUROCRYPT 2016), the a = -3 algorithms. Correct for every pair of
    // inputs, the identity included, so the constant-time paths need no special cases.

    /// p + q, RCB 2016 Algorithm 4 (12M + 2m_b). CT: fixed sequence of field operations.
    static projective add(const projective& p, const projective& q) noexcept {
        fe t0 = fp::mul(p.x, q.x);
        fe t1 = fp::mul(p.y, q.y);
        fe t2 = fp::mul(p.z, q.z);
        fe t3 = fp::add(p.x, p.y);
        fe t4 = fp::add(q.x, q.y);
        t3 = fp::mul(t3, t4);
        t4 = fp::add(t0, t1);
        t3 = fp::sub(t3, t4); // X1Y2 + X2Y1
        t4 = fp::add(p.y, p.z);
        fe x3 = fp::add(q.y, q.z);
        t4 = fp::mul(t4, x3);
        x3 = fp::add(t1, t2);
        t4 = fp::sub(t4, x3); // Y1Z2 + Y2Z1
        x3 = fp::add(p.x, p.z);
        fe y3 = fp::add(q.x, q.z);
        x3 = fp::mul(x3, y3);
        y3 = fp::add(t0, t2);
        y3 = fp::sub(x3, y3); // X1Z2 + X2Z1
        return add_tail(t0, t1, t2, t3, t4, y3);
    }

    /// p + q for an affine q (Z2 = 1), RCB 2016 Algorithm 5 (11M + 2m_b). Complete as long as q
    /// is a genuine point (not the identity); p may be anything. CT: fixed sequence.
    static projective add(const projective& p, const affine& q) noexcept {
        fe t0 = fp::mul(p.x, q.x);
        fe t1 = fp::mul(p.y, q.y);
        fe t3 = fp::add(q.x, q.y);
        fe t4 = fp::add(p.x, p.y);
        t3 = fp::mul(t3, t4);
        t4 = fp::add(t0, t1);
        t3 = fp::sub(t3, t4); // X1Y2 + X2Y1
        t4 = fp::mul(q.y, p.z);
        t4 = fp::add(t4, p.y); // Y1 + Y2Z1
        fe s = fp::mul(q.x, p.z);
        s = fp::add(s, p.x); // X1 + X2Z1
        return add_tail(t0, t1, p.z, t3, t4, s);
    }

    /// The common end of Algorithms 4 and 5, from t0 = X1X2, t1 = Y1Y2, t2 = Z1Z2,
    /// t3 = X1Y2 + X2Y1, t4 = Y1Z2 + Y2Z1, s = X1Z2 + X2Z1. CT: fixed sequence.
    static projective add_tail(fe t0, fe t1, fe t2, const fe& t3, const fe& t4,
                               const fe& s) noexcept {
        fe z3 = fp::mul(b, t2);
        fe x3 = fp::sub(s, z3);
        z3 = fp::add(x3, x3);
        x3 = fp::add(x3, z3); // 3(s - b t2)
        z3 = fp::sub(t1, x3); // Y1Y2 + a s + 3b t2
        x3 = fp::add(t1, x3); // Y1Y2 - a s - 3b t2
        fe y3 = fp::mul(b, s);
        fe u = fp::add(t2, t2);
        t2 = fp::add(u, t2); // 3 t2
        y3 = fp::sub(y3, t2);
        y3 = fp::sub(y3, t0);
        u = fp::add(y3, y3);
        y3 = fp::add(u, y3); // a X1X2 + 3b s - a^2 t2
        u = fp::add(t0, t0);
        t0 = fp::add(u, t0);
        t0 = fp::sub(t0, t2); // 3 X1X2 + a t2
        const fe v = fp::mul(t4, y3);
        const fe w = fp::mul(t0, y3);
        y3 = fp::mul(x3, z3);
        y3 = fp::add(y3, w);
        x3 = fp::mul(t3, x3);
        x3 = fp::sub(x3, v);
        z3 = fp::mul(t4, z3);
        u = fp::mul(t3, t0);
        z3 = fp::add(z3, u);
        return {x3, y3, z3};
    }

    /// 2p, RCB 2016 Algorithm 6 (8M + 3S + 2m_b). CT: fixed sequence.
    static projective dbl(const projective& p) noexcept {
        fe t0 = fp::sqr(p.x);
        const fe t1 = fp::sqr(p.y);
        fe t2 = fp::sqr(p.z);
        fe t3 = fp::mul(p.x, p.y);
        t3 = fp::add(t3, t3);
        fe z3 = fp::mul(p.x, p.z);
        z3 = fp::add(z3, z3);
        fe y3 = fp::mul(b, t2);
        y3 = fp::sub(y3, z3);
        fe x3 = fp::add(y3, y3);
        y3 = fp::add(x3, y3);
        x3 = fp::sub(t1, y3);
        y3 = fp::add(t1, y3);
        y3 = fp::mul(x3, y3);
        x3 = fp::mul(x3, t3);
        t3 = fp::add(t2, t2);
        t2 = fp::add(t2, t3);
        z3 = fp::mul(b, z3);
        z3 = fp::sub(z3, t2);
        z3 = fp::sub(z3, t0);
        t3 = fp::add(z3, z3);
        z3 = fp::add(z3, t3);
        t3 = fp::add(t0, t0);
        t0 = fp::add(t3, t0);
        t0 = fp::sub(t0, t2);
        t0 = fp::mul(t0, z3);
        y3 = fp::add(y3, t0);
        t0 = fp::mul(p.y, p.z);
        t0 = fp::add(t0, t0);
        z3 = fp::mul(t0, z3);
        x3 = fp::sub(x3, z3);
        z3 = fp::mul(t0, t1);
        z3 = fp::add(z3, z3);
        z3 = fp::add(z3, z3);
        return {x3, y3, z3};
    }

    /// dst = src where `mask` is all ones. CT: branch-free.
    static void cmov(projective& dst, const projective& src, std::uint64_t mask) noexcept {
        fp::cmov(dst.x, src.x, mask);
        fp::cmov(dst.y, src.y, mask);
        fp::cmov(dst.z, src.z, mask);
    }
    static void cmov(affine& dst, const affine& src, std::uint64_t mask) noexcept {
        fp::cmov(dst.x, src.x, mask);
        fp::cmov(dst.y, src.y, mask);
    }

    /// y = -y where `mask` is all ones. CT: branch-free.
    static void cneg_y(fe& y, std::uint64_t mask) noexcept { fp::cmov(y, fp::neg(y), mask); }

    /// The affine form of p; returns an all-ones mask when p is the identity (then `out` is
    /// (0, 0)). CT: one inversion with a fixed exponent; no branch on p.
    static std::uint64_t to_affine(const projective& p, affine& out) noexcept {
        const fe zinv = fp::invert(p.z);
        out.x = fp::mul(p.x, zinv);
        out.y = fp::mul(p.y, zinv);
        return fp::is_zero(p.z);
    }

    /// y^2 == x^3 - 3x + b (SEC 1 §3.2.2.1 step 2). CT: branch-free; returns a mask.
    static std::uint64_t on_curve(const affine& p) noexcept {
        const fe y2 = fp::sqr(p.y);
        fe rhs = fp::sqr(p.x);
        rhs = fp::sub(rhs, three);
        rhs = fp::mul(rhs, p.x); // x^3 - 3x
        rhs = fp::add(rhs, b);
        return fp::equal(y2, rhs);
    }

    // ---- SEC 1 §2.3.3/§2.3.4 point encoding
    // -------------------------------------------------------

    /// Decode a peer's public point. Accepted: the uncompressed form 0x04 || X || Y with X, Y < p
    /// and the point on the curve (SEC 1 §3.2.2.1 public key validation; with cofactor 1 every
    /// curve point other than the identity has order n). Rejected: the identity (a single 0x00
    /// byte) -> point_at_infinity; compressed forms (0x02/0x03, which RFC 8446 §4.2.8.2 does not
    /// allow in TLS 1.3) and every other prefix or length -> bad_public_key; a coordinate >= p
    /// -> bad_public_key; a point off the curve -> point_not_on_curve.
    /// CT: variable time (the point is public).
    static result<affine> decode(bytes_view in) noexcept {
        reader r(in);
        auto prefix = r.read_u8();
        if (!prefix) {
            return errc::bad_public_key;
        }
        if (*prefix == 0x00 && r.empty()) {
            return errc::point_at_infinity;
        }
        if (*prefix != 0x04) {
            return errc::bad_public_key;
        }
        auto xs = r.read_bytes(field_bytes);
        auto ys = r.read_bytes(field_bytes);
        if (!xs || !ys || !r.expect_empty()) {
            return errc::bad_public_key;
        }
        const fe x = fp::load_be(xs->template first<field_bytes>());
        const fe y = fp::load_be(ys->template first<field_bytes>());
        if ((fp::less_than_modulus(x) & fp::less_than_modulus(y)) == 0) {
            return errc::bad_public_key;
        }
        const affine p{fp::to_mont(x), fp::to_mont(y)};
        if (on_curve(p) == 0) {
            return errc::point_not_on_curve;
        }
        return p;
    }

    /// 0x04 || X || Y. CT: branch-free.
    static void encode(const affine& p, std::span<std::uint8_t, point_bytes> out) noexcept {
        out[0] = 0x04;
        fp::store_be(fp::from_mont(p.x), out.template subspan<1, field_bytes>());
        fp::store_be(fp::from_mont(p.y), out.template subspan<1 + field_bytes, field_bytes>());
    }

    // ---- constant-time scalar multiplication
    // ------------------------------------------------------

    /// Signed fixed windows of W bits: k = sum d_i 2^(W i), d_i in [-2^(W-1), 2^(W-1)].
    /// `digits<W>` windows cover bits + 1 bits, enough to absorb the last carry of any
    /// k < 2^bits. The variable-base ladder uses W = 5 (table 1p..16p, built per call); the
    /// fixed-base table W = 6 (rows of 1..32 multiples, built once).
    template <unsigned W> static constexpr std::size_t digits = (bits + W) / W;
    static constexpr unsigned window = 5;
    static constexpr std::size_t digit_count = digits<window>;
    static constexpr std::size_t table_size = 1u << (window - 1); // multiples 1..16

    /// A recoded digit: its magnitude (0..2^(W-1)) and an all-ones mask when it is negative.
    struct digit {
        std::uint64_t magnitude;
        std::uint64_t negative;
    };

    /// Booth-style signed recoding of k: each W-bit window plus the carry from below, mapped from
    /// [2^(W-1) + 1, 2^W] to [-2^(W-1) + 1, 0] with a carry of one into the next window.
    /// CT: arithmetic only; bit positions depend on the loop index, never on k.
    template <unsigned W = window>
    static void recode(const scalar& k, std::array<digit, digits<W>>& out) noexcept {
        static_assert(W >= 2 && W < 16);
        std::uint64_t carry = 0;
        for (std::size_t i = 0; i < digits<W>; ++i) {
            const std::size_t pos = W * i;
            const std::size_t limb = pos / 64;
            const std::size_t shift = pos % 64;
            std::uint64_t w = limb < limb_count ? k[limb] >> shift : 0;
            if (shift > 64 - W && limb + 1 < limb_count) {
                w |= k[limb + 1] << (64 - shift);
            }
            const std::uint64_t v = (w & ((1u << W) - 1)) + carry;     // 0..2^W
            carry = ((std::uint64_t{1} << (W - 1)) - v) >> 63;        // v > 2^(W-1)
            const std::uint64_t d = v - (carry << W);                 // two's complement
            const std::uint64_t neg = bit_mask(d >> 63);
            out[i].negative = neg;
            out[i].magnitude = (d ^ neg) - neg;
        }
    }

    /// table[idx] scanned in full: every entry is read and masked in. CT: no secret index.
    template <class Point, std::size_t Size>
    static Point select(const std::array<Point, Size>& table, std::uint64_t idx) noexcept {
        Point r{};
        for (std::size_t j = 0; j < Size; ++j) {
            cmov(r, table[j], ct::mask<std::uint64_t>::equal(j, idx).value());
        }
        return r;
    }

    /// 2p in Jacobian coordinates, "dbl-2001-b" for a = -3 (3M + 5S, against 8M + 3S for the
    /// complete projective doubling). Exception-free on our curves: there is no point of order
    /// 2 (prime order), and a Jacobian identity (Z = 0, X and Y non-zero) doubles to one.
    /// CT: a fixed sequence of field operations, no branch.
    static jacobian dbl(const jacobian& p) noexcept {
        const fe delta = fp::sqr(p.z);
        const fe gamma = fp::sqr(p.y);
        const fe beta = fp::mul(p.x, gamma);
        fe alpha = fp::mul(fp::sub(p.x, delta), fp::add(p.x, delta));
        alpha = fp::add(alpha, fp::twice(alpha));
        const fe beta4 = fp::twice(fp::twice(beta));
        jacobian r;
        r.x = fp::sub(fp::sqr(alpha), fp::twice(beta4));
        r.z = fp::sub(fp::sub(fp::sqr(fp::add(p.y, p.z)), gamma), delta);
        const fe gamma2 = fp::sqr(gamma);
        r.y = fp::sub(fp::mul(alpha, fp::sub(beta4, r.x)), fp::twice(fp::twice(fp::twice(gamma2))));
        return r;
    }

    /// (X:Y:Z) homogeneous -> (XZ : YZ^2 : Z) Jacobian, the same point; the identity (Z = 0)
    /// becomes (1:1:0), a Jacobian identity that doubling keeps (the direct image (0:0:0) is not
    /// a point). CT: branch-free.
    static jacobian to_jacobian(const projective& p) noexcept {
        const fe zz = fp::sqr(p.z);
        jacobian r{fp::mul(p.x, p.z), fp::mul(p.y, zz), p.z};
        const std::uint64_t at_infinity = fp::is_zero(p.z);
        fp::cmov(r.x, fp::one, at_infinity);
        fp::cmov(r.y, fp::one, at_infinity);
        return r;
    }

    /// (X:Y:Z) Jacobian -> (XZ : Y : Z^3) homogeneous, the same point (x = X/Z^2 = XZ/Z^3,
    /// y = Y/Z^3); a Jacobian identity (X, Y, 0) maps to (0 : Y : 0), the identity.
    /// CT: branch-free.
    static projective to_projective(const jacobian& p) noexcept {
        return {fp::mul(p.x, p.z), p.y, fp::mul(fp::sqr(p.z), p.z)};
    }

    /// k * p for a secret k < 2^bits and a public or secret point p, by 5-bit signed fixed
    /// windows over the table 0p, 1p, ..., 16p: per window five exception-free Jacobian
    /// doublings, then one complete projective addition (RCB 2016 Algorithm 4), so no input
    /// (the identity, equal or opposite points) needs a special case. The doublings in Jacobian
    /// form make a P-256 ECDH about 20% faster than with the complete doubling.
    /// CT: no branch or memory index depends on k (or p); the table is scanned in full.
    static projective mul(const scalar& k, const affine& p) noexcept {
        std::array<projective, table_size + 1> table;
        table[0] = identity();
        table[1] = lift(p);
        for (std::size_t i = 2; i <= table_size; ++i) {
            table[i] = (i % 2 == 0) ? dbl(table[i / 2]) : add(table[i - 1], table[1]);
        }
        std::array<digit, digit_count> d;
        recode(k, d);
        projective acc = select(table, d[digit_count - 1].magnitude);
        cneg_y(acc.y, d[digit_count - 1].negative);
        for (std::size_t i = digit_count - 1; i-- > 0;) {
            jacobian j = to_jacobian(acc);
            for (unsigned w = 0; w < window; ++w) {
                j = dbl(j);
            }
            acc = to_projective(j);
            projective t = select(table, d[i].magnitude);
            cneg_y(t.y, d[i].negative);
            acc = add(acc, t);
        }
        ct::wipe(d.data(), sizeof d);
        ct::wipe(table.data(), sizeof table);
        return acc;
    }

    /// The fixed-base windows: 6 bits, so 43 rows of 32 multiples for P-256 (65 for P-384).
    /// Against 5-bit windows (52 rows of 16) that is 9 fewer additions for twice the entries
    /// scanned per row: P-256 k G went from 18.0 to 14.5 us (thread CPU time, g++ -O3), an ECDSA
    /// signature from 32.5 to 28 us; 7-bit windows (37 rows of 64) measured slower (18-19 us).
    static constexpr unsigned base_window = 6;
    static constexpr std::size_t base_digit_count = digits<base_window>;
    static constexpr std::size_t base_row_size = 1u << (base_window - 1); // multiples 1..32

    /// The fixed-base table: rows[i][j] = (j + 1) * 2^(6i) * G, affine. Built once on first use
    /// (public data; about 88 KB for P-256 and 200 KB for P-384, in static storage).
    struct base_table {
        std::array<std::array<affine, base_row_size>, base_digit_count> rows;
        base_table() noexcept {
            projective base = lift(generator);
            for (auto& row : rows) {
                std::array<projective, base_row_size> proj;
                proj[0] = base;
                for (std::size_t j = 1; j < base_row_size; ++j) {
                    proj[j] = (j % 2 == 1) ? dbl(proj[j / 2]) : add(proj[j - 1], proj[0]);
                }
                batch_to_affine_vartime(proj, row);
                base = dbl(proj[base_row_size - 1]); // 64 * 2^(6i) G = 2^(6(i+1)) G
            }
        }
    };
    static const base_table& base() noexcept {
        static const base_table table; // thread-safe one-time initialisation (C++11 statics)
        return table;
    }

    /// k * G for a secret k < 2^bits: one mixed addition per window from the fixed-base table,
    /// no doublings. A zero digit still performs the addition (of a dummy) and discards it.
    /// CT: no branch or memory index depends on k; each row is scanned in full.
    static projective mul_base(const scalar& k) noexcept {
        const base_table& t = base();
        std::array<digit, base_digit_count> d;
        recode<base_window>(k, d);
        projective acc = identity();
        for (std::size_t i = 0; i < base_digit_count; ++i) {
            // entry (j + 1) sits at j, so magnitude - 1; for magnitude 0 nothing matches
            affine q{};
            for (std::size_t j = 0; j < base_row_size; ++j) {
                cmov(q, t.rows[i][j],
                     ct::mask<std::uint64_t>::equal(j + 1, d[i].magnitude).value());
            }
            cneg_y(q.y, d[i].negative);
            const projective sum = add(acc, q);
            cmov(acc, sum, ~ct::mask<std::uint64_t>::is_zero(d[i].magnitude).value());
        }
        ct::wipe(d.data(), sizeof d);
        return acc;
    }

    /// Affine forms of public points with one shared inversion (Montgomery's trick). None of the
    /// inputs may be the identity. CT: variable time; public data only.
    template <std::size_t Size>
    static void batch_to_affine_vartime(const std::array<projective, Size>& in,
                                        std::array<affine, Size>& out) noexcept {
        std::array<fe, Size> prefix;
        fe acc = fp::one;
        for (std::size_t i = 0; i < Size; ++i) {
            prefix[i] = acc;
            acc = fp::mul(acc, in[i].z);
        }
        fe inv = fp::invert(acc);
        for (std::size_t i = Size; i-- > 0;) {
            const fe zinv = fp::mul(inv, prefix[i]);
            inv = fp::mul(inv, in[i].z);
            out[i].x = fp::mul(in[i].x, zinv);
            out[i].y = fp::mul(in[i].y, zinv);
        }
    }

    // ---- variable-time double-scalar multiplication (ECDSA verification: public inputs)
    // -----------

    static bool is_identity(const jacobian& p) noexcept { return fp::is_zero(p.z) != 0; }

    /// p + q for affine q, "madd-2007-bl" (7M + 4S), with the exceptional cases (p the
    /// identity, p = q, p = -q) handled by branches. CT: variable time (public inputs only).
    static jacobian add_vartime(const jacobian& p, const affine& q) noexcept {
        if (is_identity(p)) {
            return {q.x, q.y, fp::one};
        }
        const fe z1z1 = fp::sqr(p.z);
        const fe u2 = fp::mul(q.x, z1z1);
        const fe s2 = fp::mul(q.y, fp::mul(p.z, z1z1));
        const fe h = fp::sub(u2, p.x);
        const fe rr = fp::twice(fp::sub(s2, p.y));
        if (fp::is_zero(h) != 0) {
            if (fp::is_zero(rr) != 0) {
                return dbl(p);
            }
            return {fp::zero, fp::one, fp::zero};
        }
        const fe hh = fp::sqr(h);
        const fe i = fp::twice(fp::twice(hh));
        const fe j = fp::mul(h, i);
        const fe v = fp::mul(p.x, i);
        jacobian r;
        r.x = fp::sub(fp::sub(fp::sqr(rr), j), fp::twice(v));
        r.y = fp::sub(fp::mul(rr, fp::sub(v, r.x)), fp::twice(fp::mul(p.y, j)));
        r.z = fp::sub(fp::sub(fp::sqr(fp::add(p.z, h)), z1z1), hh);
        return r;
    }

    /// p + q, "add-2007-bl" (11M + 5S), exceptional cases by branches.
    /// CT: variable time (public inputs only).
    static jacobian add_vartime(const jacobian& p, const jacobian& q) noexcept {
        if (is_identity(p)) {
            return q;
        }
        if (is_identity(q)) {
            return p;
        }
        const fe z1z1 = fp::sqr(p.z);
        const fe z2z2 = fp::sqr(q.z);
        const fe u1 = fp::mul(p.x, z2z2);
        const fe u2 = fp::mul(q.x, z1z1);
        const fe s1 = fp::mul(p.y, fp::mul(q.z, z2z2));
        const fe s2 = fp::mul(q.y, fp::mul(p.z, z1z1));
        const fe h = fp::sub(u2, u1);
        const fe rr = fp::twice(fp::sub(s2, s1));
        if (fp::is_zero(h) != 0) {
            if (fp::is_zero(rr) != 0) {
                return dbl(p);
            }
            return {fp::zero, fp::one, fp::zero};
        }
        const fe i = fp::sqr(fp::twice(h));
        const fe j = fp::mul(h, i);
        const fe v = fp::mul(u1, i);
        jacobian r;
        r.x = fp::sub(fp::sub(fp::sqr(rr), j), fp::twice(v));
        r.y = fp::sub(fp::mul(rr, fp::sub(v, r.x)), fp::twice(fp::mul(s1, j)));
        r.z = fp::mul(fp::sub(fp::sub(fp::sqr(fp::add(p.z, q.z)), z1z1), z2z2), h);
        return r;
    }

    static jacobian negate(const jacobian& p) noexcept { return {p.x, fp::neg(p.y), p.z}; }
    static affine negate(const affine& p) noexcept { return {p.x, fp::neg(p.y)}; }

    /// Width-w NAF of k < 2^bits: digits odd in (-2^(w-1), 2^(w-1)) or zero, at most one non-zero
    /// in any w consecutive positions; out[i] is the digit of 2^i. Returns the number of digits.
    /// CT: variable time (public scalars only).
    template <unsigned W>
    static std::size_t wnaf_vartime(const scalar& k,
                                    std::array<std::int8_t, bits + 1>& out) noexcept {
        limbs<limb_count + 1> v{};
        for (std::size_t i = 0; i < limb_count; ++i) {
            v[i] = k[i];
        }
        auto nonzero = [&] {
            for (std::uint64_t w : v) {
                if (w != 0) {
                    return true;
                }
            }
            return false;
        };
        std::size_t len = 0;
        out.fill(0);
        while (nonzero()) {
            std::int64_t d = 0;
            if ((v[0] & 1) != 0) {
                d = static_cast<std::int64_t>(v[0] & ((1u << W) - 1));
                if (d >= (1 << (W - 1))) {
                    d -= 1 << W;
                }
                // v -= d, making the low W bits zero
                if (d > 0) {
                    std::uint64_t borrow = static_cast<std::uint64_t>(d);
                    for (std::size_t i = 0; i < v.size() && borrow != 0; ++i) {
                        const std::uint64_t before = v[i];
                        v[i] -= borrow;
                        borrow = before < borrow ? 1 : 0;
                    }
                } else {
                    std::uint64_t carry = static_cast<std::uint64_t>(-d);
                    for (std::size_t i = 0; i < v.size() && carry != 0; ++i) {
                        v[i] += carry;
                        carry = v[i] < carry ? 1 : 0;
                    }
                }
            }
            out[len++] = static_cast<std::int8_t>(d);
            for (std::size_t i = 0; i + 1 < v.size(); ++i) {
                v[i] = (v[i] >> 1) | (v[i + 1] << 63);
            }
            v[v.size() - 1] >>= 1;
        }
        return len;
    }

    /// Odd multiples G, 3G, ..., 63G (affine) for the width-7 NAF of u1 in verification.
    static constexpr unsigned g_window = 7;
    static constexpr unsigned q_window = 5;
    struct g_odd_table {
        std::array<affine, 1u << (g_window - 2)> points;
        g_odd_table() noexcept {
            std::array<projective, 1u << (g_window - 2)> proj;
            proj[0] = lift(generator);
            const projective twice_g = dbl(proj[0]);
            for (std::size_t i = 1; i < proj.size(); ++i) {
                proj[i] = add(proj[i - 1], twice_g);
            }
            batch_to_affine_vartime(proj, points);
        }
    };
    static const g_odd_table& g_odd() noexcept {
        static const g_odd_table table;
        return table;
    }

    /// Whether the x-coordinate of u1*G + u2*Q, reduced mod n, equals r (FIPS 186-4 §6.4.2 steps
    /// 5-8). Interleaved width-7 NAF on G (precomputed affine table) and width-5 NAF on Q.
    /// The final comparison avoids an inversion: x(R) = X/Z^2, so test X == r Z^2 and, when
    /// r + n < p, X == (r + n) Z^2 (x(R) in [0, p) may exceed n once).
    /// CT: variable time; every input is public (ECDSA verification).
    static bool verify_combination_vartime(const scalar& u1, const scalar& u2, const affine& q,
                                           const scalar& r) noexcept {
        std::array<std::int8_t, bits + 1> naf1;
        std::array<std::int8_t, bits + 1> naf2;
        const std::size_t len1 = wnaf_vartime<g_window>(u1, naf1);
        const std::size_t len2 = wnaf_vartime<q_window>(u2, naf2);

        std::array<jacobian, 1u << (q_window - 2)> qt; // Q, 3Q, ..., 15Q
        qt[0] = {q.x, q.y, fp::one};
        const jacobian q2 = dbl(qt[0]);
        for (std::size_t i = 1; i < qt.size(); ++i) {
            qt[i] = add_vartime(qt[i - 1], q2);
        }
        const g_odd_table& gt = g_odd();

        jacobian acc{fp::zero, fp::one, fp::zero};
        for (std::size_t i = (len1 > len2 ? len1 : len2); i-- > 0;) {
            acc = dbl(acc);
            // wNAF digits are signed by design (odd, in -2^(w-1)..2^(w-1)).
            // NOLINTNEXTLINE(bugprone-signed-char-misuse,cert-str34-c)
            if (const int d = naf1[i]; d > 0) {
                acc = add_vartime(acc, gt.points[static_cast<std::size_t>(d / 2)]);
            } else if (d < 0) {
                acc = add_vartime(acc, negate(gt.points[static_cast<std::size_t>(-d / 2)]));
            }
            // wNAF digits are signed by design (odd, in -2^(w-1)..2^(w-1)).
            // NOLINTNEXTLINE(bugprone-signed-char-misuse,cert-str34-c)
            if (const int d = naf2[i]; d > 0) {
                acc = add_vartime(acc, qt[static_cast<std::size_t>(d / 2)]);
            } else if (d < 0) {
                acc = add_vartime(acc, negate(qt[static_cast<std::size_t>(-d / 2)]));
            }
        }
        if (is_identity(acc)) {
            return false; // SEC 1 §4.1.4 step 5: R = O is invalid
        }
        const fe z2 = fp::sqr(acc.z);
        const fe rf = fp::to_mont(r); // r < n < p: a valid field element
        if (fp::equal(fp::mul(rf, z2), acc.x) != 0) {
            return true;
        }
        // r + n < p? (as plain integers; r + n cannot overflow the top limb here since n < p)
        scalar rn;
        std::uint64_t carry = 0;
        for (std::size_t i = 0; i < limb_count; ++i) {
            const u128 t = static_cast<u128>(r[i]) + fn::m[i] + carry;
            rn[i] = static_cast<std::uint64_t>(t);
            carry = static_cast<std::uint64_t>(t >> 64);
        }
        if (carry != 0 || fp::less_than_modulus(rn) == 0) {
            return false;
        }
        return fp::equal(fp::mul(fp::to_mont(rn), z2), acc.x) != 0;
    }
};

using p256_curve = curve<p256_params>;
using p384_curve = curve<p384_params>;

} // namespace https::crypto::detail::nist

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>

namespace https::crypto {

/// NIST P-256 (secp256r1; TLS NamedGroup secp256r1 = 23).
struct p256 {
    using group = detail::nist::p256_curve;
    /// Bytes of a coordinate, of a private scalar and of an ECDH shared secret.
    static constexpr std::size_t field_size = 32;
    /// Bytes of an uncompressed SEC 1 point (0x04 || X || Y).
    static constexpr std::size_t point_size = 65;
};

/// NIST P-384 (secp384r1; TLS NamedGroup secp384r1 = 24).
struct p384 {
    using group = detail::nist::p384_curve;
    static constexpr std::size_t field_size = 48;
    static constexpr std::size_t point_size = 97;
};

/// A validated public point on `Curve` (p256 or p384): never the identity, coordinates in
/// range, on the curve (and so, the cofactor being 1, of order n).
template <class Curve> class ec_public_key {
    static_assert(Curve::group::field_bytes == Curve::field_size);
    static_assert(Curve::group::point_bytes == Curve::point_size);

  public:
    static constexpr std::size_t encoded_size = Curve::point_size;

    /// Decode an uncompressed SEC 1 point 0x04 || X || Y (SEC 1 §2.3.4, with the public key
    /// validation of §3.2.2.1). Errors: `point_at_infinity` for the one-byte encoding 0x00;
    /// `bad_public_key` for a wrong length, another prefix (compressed points 0x02/0x03 are
    /// refused: RFC 8446 §4.2.8.2 allows only the uncompressed form), or a coordinate >= p;
    /// `point_not_on_curve` when y^2 != x^3 - 3x + b.
    /// CT: variable time (a public key is public).
    [[nodiscard]] static result<ec_public_key> parse(bytes_view point) noexcept {
        auto p = Curve::group::decode(point);
        if (!p) {
            return p.error();
        }
        ec_public_key key;
        key.point_ = *p;
        Curve::group::encode(key.point_, key.encoded_);
        return key;
    }

    /// The uncompressed encoding 0x04 || X || Y.
    [[nodiscard]] std::span<const std::uint8_t, encoded_size> encoded() const noexcept {
        return encoded_;
    }

    /// The decoded point (Montgomery-form coordinates), for ECDH and ECDSA.
    [[nodiscard]] const typename Curve::group::affine& point() const noexcept { return point_; }

  private:
    ec_public_key() = default;

    std::array<std::uint8_t, encoded_size> encoded_{};
    typename Curve::group::affine point_{};
};

using ec_p256_public_key = ec_public_key<p256>;
using ec_p384_public_key = ec_public_key<p384>;

/// A public key on one of the curves we implement.
using any_ec_public_key = std::variant<ec_public_key<p256>, ec_public_key<p384>>;

/// Import an elliptic-curve key from a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7, RFC 5480
/// §2): SEQUENCE { SEQUENCE { id-ecPublicKey, namedCurve OID }, BIT STRING point }.
/// Errors: DER errors from the strict reader (`unexpected_tag`, `non_minimal_encoding`,
/// `trailing_data`, ...); `unsupported_algorithm` when the algorithm is not id-ecPublicKey;
/// `unsupported_curve` for a named curve other than P-256/P-384 and for the implicitCurve and
/// specifiedCurve forms, which RFC 5480 §2.1.1 forbids; `bad_public_key` for missing
/// parameters or a BIT STRING with unused bits; then everything `ec_public_key::parse` rejects.
/// CT: variable time (public input).
[[nodiscard]] inline result<any_ec_public_key> parse_ec_public_key_info(bytes_view spki) noexcept {
    auto info = open_public_key_info(spki, oid::ec_public_key);
    if (!info) {
        return info.error();
    }
    der::parser& algorithm = info->parameters;
    if (algorithm.empty()) {
        return errc::bad_public_key; // RFC 5480 §2.1.1: the parameters MUST be present
    }
    if (!algorithm.next_is(der::tag::oid)) {
        return errc::unsupported_curve; // implicitCurve (NULL) or specifiedCurve (SEQUENCE)
    }
    auto curve_oid = algorithm.read_oid();
    if (!curve_oid) {
        return curve_oid.error();
    }
    HTTPS_TRY(algorithm.expect_empty());
    auto key = info->key_bytes(); // an ECPoint is an OCTET STRING carried in whole bytes
    if (!key) {
        return key.error();
    }
    if (der::oid_equals(*curve_oid, oid::secp256r1)) {
        auto point = ec_public_key<p256>::parse(*key);
        if (!point) {
            return point.error();
        }
        return any_ec_public_key{*point};
    }
    if (der::oid_equals(*curve_oid, oid::secp384r1)) {
        auto point = ec_public_key<p384>::parse(*key);
        if (!point) {
            return point.error();
        }
        return any_ec_public_key{*point};
    }
    return errc::unsupported_curve;
}

} // namespace https::crypto
// ---- https/crypto/ecdsa.hpp --------------------------------------------------------------------
// ECDSA signature verification on P-256 and P-384 (FIPS 186-4 §6.4, SEC 1 §4.1.4) for DER
// signatures (RFC 5480 §2.2 / RFC 3279 Ecdsa-Sig-Value), as TLS 1.3 and X.509 carry them.

// ---- https/crypto/sha1.hpp ---------------------------------------------------------------------
// SHA-1 (FIPS 180-4) with a SHA-NI path, kept only for legacy certificate signatures and TLS 1.2
// HMAC-SHA1 suites.


#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HTTPS_SHA1_X86 1
#else
#define HTTPS_SHA1_X86 0
#endif

namespace https::crypto {

namespace detail {

/// One SHA-1 round (FIPS 180-4 §6.1.2 step 3) for rounds 20*Stage .. 20*Stage+19. Instead of
/// shifting the five variables, the caller rotates their roles; the new `a` lands in `e` and the
/// rotated `b` in `b`.
template <int Stage>
[[gnu::always_inline]] inline void sha1_round(std::uint32_t a, std::uint32_t& b, std::uint32_t c,
                                              std::uint32_t d, std::uint32_t& e,
                                              std::uint32_t w) noexcept {
    std::uint32_t f = 0;
    std::uint32_t k = 0;
    // FIPS 180-4 §4.1.1 functions and §4.2.1 constants (Ch and Maj in their cheaper forms).
    if constexpr (Stage == 0) {
        f = d ^ (b & (c ^ d));
        k = 0x5a827999;
    } else if constexpr (Stage == 1) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
    } else if constexpr (Stage == 2) {
        f = (b & c) | (d & (b | c));
        k = 0x8f1bbcdc;
    } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6;
    }
    e += std::rotl(a, 5) + f + k + w;
    b = std::rotl(b, 30);
}

/// Message word t (FIPS 180-4 §6.1.2 step 1), expanded in place in a ring of sixteen.
[[gnu::always_inline]] inline std::uint32_t sha1_w(std::uint32_t* w, int t) noexcept {
    if (t >= 16) {
        w[t & 15] = std::rotl(w[(t - 3) & 15] ^ w[(t - 8) & 15] ^ w[(t - 14) & 15] ^ w[t & 15], 1);
    }
    return w[t & 15];
}

/// Twenty rounds of one stage, five at a time so that the roles come back to where they began.
template <int Stage>
[[gnu::always_inline]] inline void sha1_stage(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c,
                                              std::uint32_t& d, std::uint32_t& e,
                                              std::uint32_t* w) noexcept {
    for (int t = 20 * Stage; t < 20 * Stage + 20; t += 5) {
        sha1_round<Stage>(a, b, c, d, e, sha1_w(w, t));
        sha1_round<Stage>(e, a, b, c, d, sha1_w(w, t + 1));
        sha1_round<Stage>(d, e, a, b, c, sha1_w(w, t + 2));
        sha1_round<Stage>(c, d, e, a, b, sha1_w(w, t + 3));
        sha1_round<Stage>(b, c, d, e, a, sha1_w(w, t + 4));
    }
}

/// The SHA-1 compression function over `n` consecutive 64-byte blocks, portable C++.
/// CT: no secret-dependent branch or index.
inline void sha1_blocks_portable(std::uint32_t* state, const std::uint8_t* p,
                                 std::size_t n) noexcept {
    std::uint32_t w[16];
    for (; n != 0; --n, p += 64) {
        for (int i = 0; i < 16; ++i) {
            w[i] = https::detail::load_be32(p + std::size_t{4} * static_cast<std::size_t>(i));
        }
        std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
        sha1_stage<0>(a, b, c, d, e, w);
        sha1_stage<1>(a, b, c, d, e, w);
        sha1_stage<2>(a, b, c, d, e, w);
        sha1_stage<3>(a, b, c, d, e, w);
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
    }
}

#if HTTPS_SHA1_X86
/// Four SHA-1 rounds with SHA-NI (rounds 4g .. 4g+3, stage `Stage` = g / 5). `x` holds
/// W[4g..4g+3] (W[4g] in the top lane); `prev` is the state before the previous four rounds,
/// from which SHA1NEXTE derives this group's E (= ROTL30 of that A), added to W[4g].
/// CT: no branch or index on data.
template <int Stage>
__attribute__((target("sha,sse4.1,ssse3"))) inline void
sha1_shani_4rounds(__m128i& abcd, __m128i& prev, __m128i x) noexcept {
    const __m128i e_w = _mm_sha1nexte_epu32(prev, x);
    prev = abcd;
    abcd = _mm_sha1rnds4_epu32(abcd, e_w, Stage);
}

/// The next message group from the last four (W[t] = ROTL1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16])
/// four at a time: SHA1MSG1 folds in W[t-14], the XOR adds W[t-8], SHA1MSG2 adds W[t-3] and
/// rotates), then its four rounds. CT: no branch or index on data.
template <int Stage>
__attribute__((target("sha,sse4.1,ssse3"))) inline void
sha1_shani_step(__m128i& abcd, __m128i& prev, __m128i& x0, __m128i& x1, __m128i& x2,
                __m128i& x3) noexcept {
    const __m128i next = _mm_sha1msg2_epu32(_mm_xor_si128(_mm_sha1msg1_epu32(x0, x1), x2), x3);
    x0 = x1;
    x1 = x2;
    x2 = x3;
    x3 = next;
    sha1_shani_4rounds<Stage>(abcd, prev, x3);
}

/// SHA-1 over `n` blocks with the x86 SHA extensions. SHA1RNDS4 runs four rounds on A..D held in
/// one register (A in the top lane); E travels in the top lane of the message operand.
/// CT: the SHA instructions have data-independent timing; no branch or index on data.
__attribute__((target("sha,sse4.1,ssse3"))) inline void
sha1_blocks_shani(std::uint32_t* state, const std::uint8_t* p, std::size_t n) noexcept {
    // Reverse all 16 bytes: big-endian words, W[4g] ends up in the top lane.
    const __m128i reverse = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
    __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state)),
                                     0x1B); // lanes D C B A, A on top
    __m128i e = _mm_set_epi32(static_cast<int>(state[4]), 0, 0, 0);

    for (; n != 0; --n, p += 64) {
        const __m128i abcd_saved = abcd;
        const __m128i e_saved = e;
        const auto* in = reinterpret_cast<const __m128i*>(p);
        __m128i x0 = _mm_shuffle_epi8(_mm_loadu_si128(in + 0), reverse);
        __m128i x1 = _mm_shuffle_epi8(_mm_loadu_si128(in + 1), reverse);
        __m128i x2 = _mm_shuffle_epi8(_mm_loadu_si128(in + 2), reverse);
        __m128i x3 = _mm_shuffle_epi8(_mm_loadu_si128(in + 3), reverse);

        // Rounds 0-3 take E from the block's starting state; later groups derive it.
        __m128i prev = abcd;
        abcd = _mm_sha1rnds4_epu32(abcd, _mm_add_epi32(e, x0), 0);
        sha1_shani_4rounds<0>(abcd, prev, x1);
        sha1_shani_4rounds<0>(abcd, prev, x2);
        sha1_shani_4rounds<0>(abcd, prev, x3);
        // Groups 4..19 (rounds 16-79); x0..x3 hold the last four message groups.
        sha1_shani_step<0>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<1>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<1>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<1>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<1>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<1>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<2>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<2>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<2>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<2>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<2>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<3>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<3>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<3>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<3>(abcd, prev, x0, x1, x2, x3);
        sha1_shani_step<3>(abcd, prev, x0, x1, x2, x3);
        // E after the last four rounds is ROTL30 of A before them; add the saved E.
        e = _mm_sha1nexte_epu32(prev, e_saved);
        abcd = _mm_add_epi32(abcd, abcd_saved);
    }

    _mm_storeu_si128(reinterpret_cast<__m128i*>(state), _mm_shuffle_epi32(abcd, 0x1B));
    state[4] = static_cast<std::uint32_t>(_mm_extract_epi32(e, 3));
}
#endif

/// SHA-1 compression over `n` blocks on the fastest path this CPU has.
/// CT: the path choice depends on the CPU only.
inline void sha1_blocks(std::uint32_t* state, const std::uint8_t* p, std::size_t n) noexcept {
#if HTTPS_SHA1_X86
    const auto& cpu = https::detail::cpu();
    if (cpu.sha_ni && cpu.sse41 && cpu.ssse3) {
        sha1_blocks_shani(state, p, n);
        return;
    }
#endif
    sha1_blocks_portable(state, p, n);
}

} // namespace detail

/// SHA-1 (FIPS 180-4). Collisions are practical: use it only where a legacy protocol or
/// certificate requires it (HMAC-SHA1 in TLS 1.2 CBC suites, old signatures under policy).
/// `finish` writes the 20-byte digest and resets the object (a second `finish` yields the digest
/// of the empty input). Uses the SHA extensions when the CPU has them.
class sha1 {
  public:
    static constexpr std::size_t digest_size = 20;
    static constexpr std::size_t block_size = 64;

    sha1() noexcept { reset(); }

    /// Back to the initial state (buffered input is wiped).
    void reset() noexcept {
        state_ = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0}; // FIPS 180-4 §5.3.1
        buf_.reset();
    }

    /// Absorb `in`. CT: time depends on lengths only.
    [[gnu::noinline]] void update(bytes_view in) noexcept {
        buf_.update(in, [this](const std::uint8_t* p, std::size_t n) {
            detail::sha1_blocks(state_.data(), p, n);
        });
    }

    /// Write the digest, then reset. CT: time depends on lengths only.
    [[gnu::noinline]] void finish(std::span<std::uint8_t, digest_size> out) noexcept {
        buf_.finish([this](const std::uint8_t* p, std::size_t n) {
            detail::sha1_blocks(state_.data(), p, n);
        });
        for (std::size_t i = 0; i < 5; ++i) {
            https::detail::store_be32(out.data() + 4 * i, state_[i]);
        }
        reset();
    }

  private:
    std::array<std::uint32_t, 5> state_{};
    detail::md_buffer<64, 8> buf_;
};

static_assert(hash_function<sha1>);

} // namespace https::crypto

#undef HTTPS_SHA1_X86

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>

namespace https::crypto {

namespace detail::nist {

/// One INTEGER of an Ecdsa-Sig-Value as a scalar in [1, n - 1], or false.
/// CT: variable time (signatures are public).
template <class Curve>
bool read_signature_scalar(der::parser& p, typename Curve::group::scalar& out) noexcept {
    using fn = typename Curve::group::fn;
    auto magnitude = p.read_unsigned_integer(); // strict DER: minimal, non-negative
    if (!magnitude || magnitude->size() > Curve::field_size) {
        return false;
    }
    std::array<std::uint8_t, Curve::field_size> padded{};
    std::copy(magnitude->begin(), magnitude->end(),
              padded.end() - static_cast<std::ptrdiff_t>(magnitude->size()));
    out = fn::load_be(padded);
    return fn::is_zero(out) == 0 && fn::less_than_modulus(out) != 0;
}

/// Parse Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } in strict DER, nothing after it,
/// with r and s in [1, n - 1] (FIPS 186-4 §6.4.2 step 1). CT: variable time (public input).
template <class Curve>
bool parse_signature(bytes_view signature, typename Curve::group::scalar& r,
                     typename Curve::group::scalar& s) noexcept {
    der::parser top(signature);
    auto seq = top.read_sequence();
    if (!seq || !top.expect_empty()) {
        return false;
    }
    return read_signature_scalar<Curve>(*seq, r) && read_signature_scalar<Curve>(*seq, s) &&
           seq->expect_empty().ok();
}

/// e = the leftmost bits(n) bits of the digest as an integer, reduced mod n (FIPS 186-4 §6.4.2
/// steps 2-3; both curves have bits(n) a multiple of 8, so the truncation is whole bytes).
/// CT: variable time (the digest of a signed message is public).
template <class Curve> typename Curve::group::scalar digest_to_scalar(bytes_view digest) noexcept {
    using fn = typename Curve::group::fn;
    const std::size_t take = std::min(digest.size(), Curve::field_size);
    std::array<std::uint8_t, Curve::field_size> padded{};
    std::copy(digest.begin(), digest.begin() + static_cast<std::ptrdiff_t>(take),
              padded.end() - static_cast<std::ptrdiff_t>(take));
    // e < 2^bits < 2n (n > 2^(bits-1) for both curves): one conditional subtraction reduces it
    return fn::reduce_once(fn::load_be(padded), 0);
}

/// The verification equation for parsed (r, s) and a digest-derived e: accept when
/// x(u1 G + u2 Q) mod n == r with w = s^-1, u1 = e w, u2 = r w (FIPS 186-4 §6.4.2 steps 4-8).
/// CT: variable time (all inputs public).
template <class Curve>
bool verify_scalars(const ec_public_key<Curve>& key, const typename Curve::group::scalar& e,
                    const typename Curve::group::scalar& r,
                    const typename Curve::group::scalar& s) noexcept {
    using fn = typename Curve::group::fn;
    // Montgomery forms: invert(s R) = s^-1 R, and mul(x, s^-1 R) = x s^-1 (plain).
    const auto w = fn::invert(fn::to_mont(s));
    const auto u1 = fn::mul(e, w);
    const auto u2 = fn::mul(r, w);
    return Curve::group::verify_combination_vartime(u1, u2, key.point(), r);
}

/// Parse, then check, a signature over an already-computed digest. CT: variable time.
template <class Curve>
status verify_digest(const ec_public_key<Curve>& key, bytes_view digest,
                     bytes_view signature) noexcept {
    typename Curve::group::scalar r{};
    typename Curve::group::scalar s{};
    if (!parse_signature<Curve>(signature, r, s) ||
        !verify_scalars(key, digest_to_scalar<Curve>(digest), r, s)) {
        return errc::bad_signature;
    }
    return {};
}

} // namespace detail::nist

/// Verify a DER ECDSA signature over a message digest made with `hash` (the digest must be
/// exactly `digest_size(hash)` bytes: a precondition). Digests longer than the curve order are
/// truncated to its bit length, so any of SHA-1/SHA-2 works with either curve (policy about
/// which pairs to allow belongs to the caller). Every failure, malformed DER included (BER
/// forms, non-minimal or negative integers, r or s outside [1, n - 1], trailing bytes), is
/// `errc::bad_signature`.
/// CT: variable time; a signature check has only public inputs.
template <class Curve>
[[nodiscard]] status ecdsa_verify_digest(const ec_public_key<Curve>& key, hash_id hash,
                                         bytes_view digest, bytes_view signature) noexcept {
    assert(digest.size() == digest_size(hash));
    (void)hash;
    return detail::nist::verify_digest(key, digest, signature);
}

/// Verify a DER ECDSA signature over `message`, hashed with `Hash` (e.g. sha256 for
/// ecdsa_secp256r1_sha256, sha384 for ecdsa_secp384r1_sha384, RFC 8446 §4.2.3).
/// CT: variable time (public inputs).
template <hash_function Hash, class Curve>
[[nodiscard]] status ecdsa_verify(const ec_public_key<Curve>& key, bytes_view message,
                                  bytes_view signature) {
    const digest<Hash> d = hash<Hash>(message);
    return detail::nist::verify_digest(key, d, signature);
}

/// Verify a DER ECDSA signature over `message` hashed with the function `hash` names (our
/// SHA-1/SHA-2): what TLS 1.3 CertificateVerify (RFC 8446 §4.4.3) and X.509 signatures need,
/// where the hash comes from a SignatureScheme or an AlgorithmIdentifier at run time.
/// CT: variable time (public inputs).
template <class Curve>
[[nodiscard]] status ecdsa_verify(const ec_public_key<Curve>& key, hash_id hash, bytes_view message,
                                  bytes_view signature) {
    switch (hash) {
    case hash_id::sha1:
        return ecdsa_verify<sha1>(key, message, signature);
    case hash_id::sha224:
        return ecdsa_verify<sha224>(key, message, signature);
    case hash_id::sha256:
        return ecdsa_verify<sha256>(key, message, signature);
    case hash_id::sha384:
        return ecdsa_verify<sha384>(key, message, signature);
    case hash_id::sha512:
        return ecdsa_verify<sha512>(key, message, signature);
    }
    return errc::unsupported_algorithm;
}

} // namespace https::crypto
// ---- https/crypto/rsa.hpp ----------------------------------------------------------------------
// RSA public-key operations (RFC 8017): public keys from PKCS#1 RSAPublicKey or X.509
// SubjectPublicKeyInfo DER, RSASSA-PKCS1-v1_5 and RSASSA-PSS verification, RSAES-PKCS1-v1_5
// encryption, and the EMSA-PKCS1-v1_5 / EMSA-PSS encodings that signing shares
// (rsa_private_key.hpp).

// ---- https/crypto/bigint.hpp -------------------------------------------------------------------
// Fixed-capacity unsigned big integers over 32- or 64-bit limbs, and Montgomery arithmetic for odd
// moduli up to 8192 bits: product-scanning multiplication, dedicated squaring, and two
// exponentiations (constant-time fixed windows for secret exponents, square-and-multiply for
// public ones).


#include <array>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>

// GCC runs the product-scanning inner loops about 10% faster unrolled by 4 (the loop counter
// costs 3 of ~15 instructions per step); Clang's own choice is better than any forced one.
#if defined(__GNUC__) && !defined(__clang__)
#define HTTPS_BIGINT_UNROLL _Pragma("GCC unroll 4")
#else
#define HTTPS_BIGINT_UNROLL
#endif

namespace https::crypto {

namespace detail {

/// The double-width type a limb product fits in.
template <class Limb> struct wide_limb;
template <> struct wide_limb<std::uint32_t> { using type = std::uint64_t; };
#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 uint128;
template <> struct wide_limb<std::uint64_t> { using type = uint128; };
/// 64-bit limbs where the compiler offers a 128-bit product, 32-bit limbs otherwise.
using native_limb = std::uint64_t;
#else
using native_limb = std::uint32_t;
#endif

template <class Limb>
concept bigint_limb = std::is_same_v<Limb, std::uint32_t> || std::is_same_v<Limb, std::uint64_t>;

template <class Limb> using wide_t = typename wide_limb<Limb>::type;
template <class Limb> inline constexpr unsigned limb_bits_v = sizeof(Limb) * 8;

/// The largest operand the raw routines accept, in bits (RSA-8192).
inline constexpr std::size_t bigint_max_bits = 8192;
template <class Limb>
inline constexpr std::size_t bigint_max_limbs = bigint_max_bits / limb_bits_v<Limb>;

template <class Limb> [[gnu::always_inline]] inline Limb high_half(wide_t<Limb> w) noexcept {
    return static_cast<Limb>(w >> limb_bits_v<Limb>);
}

// ---- raw limb arrays: little-endian limb order, `n` limbs each ----

/// r = a + b, returning the carry out. r may alias a or b.
/// CT: no branch or index depends on the values.
template <bigint_limb Limb>
inline Limb add_n(Limb* r, const Limb* a, const Limb* b, std::size_t n) noexcept {
    using W = wide_t<Limb>;
    Limb carry = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const W t = W(a[i]) + b[i] + carry;
        r[i] = static_cast<Limb>(t);
        carry = high_half<Limb>(t);
    }
    return carry;
}

/// r = a - b, returning the borrow out (0 or 1). r may alias a or b.
/// CT: no branch or index depends on the values.
template <bigint_limb Limb>
inline Limb sub_n(Limb* r, const Limb* a, const Limb* b, std::size_t n) noexcept {
    using W = wide_t<Limb>;
    Limb borrow = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const W t = W(a[i]) - b[i] - borrow;
        r[i] = static_cast<Limb>(t);
        borrow = high_half<Limb>(t) & 1; // the high half is all ones after a wrap
    }
    return borrow;
}

/// The borrow out of a - b, without storing the difference: 1 when a < b.
/// CT: no branch or index depends on the values.
template <bigint_limb Limb>
inline Limb borrow_n(const Limb* a, const Limb* b, std::size_t n) noexcept {
    using W = wide_t<Limb>;
    Limb borrow = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const W t = W(a[i]) - b[i] - borrow;
        borrow = high_half<Limb>(t) & 1;
    }
    return borrow;
}

/// r -= b where `mask` is all ones; r unchanged (same work) where it is zero. Returns the borrow
/// (zero when the mask is clear). CT: no branch or index depends on the values or the mask.
template <bigint_limb Limb>
inline Limb masked_sub_n(Limb* r, const Limb* b, Limb mask, std::size_t n) noexcept {
    using W = wide_t<Limb>;
    Limb borrow = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const W t = W(r[i]) - (b[i] & mask) - borrow;
        r[i] = static_cast<Limb>(t);
        borrow = high_half<Limb>(t) & 1;
    }
    return borrow;
}

/// r = a where `mask` is all ones, b where it is zero. CT: no branch on the mask or the values.
template <bigint_limb Limb>
inline void select_n(Limb* r, Limb mask, const Limb* a, const Limb* b, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
        r[i] = static_cast<Limb>((a[i] & mask) | (b[i] & ~mask));
    }
}

/// -1, 0 or 1 as a is less than, equal to or greater than b.
/// Variable time: returns at the first differing limb. Public values only.
template <bigint_limb Limb>
inline int compare_n_vartime(const Limb* a, const Limb* b, std::size_t n) noexcept {
    for (std::size_t i = n; i-- > 0;) {
        if (a[i] != b[i]) {
            return a[i] < b[i] ? -1 : 1;
        }
    }
    return 0;
}

/// -m^-1 mod 2^limb_bits for odd m0, by Newton's iteration x <- x(2 - m0 x), which doubles the
/// number of correct low bits each step; m0 itself is correct to 3 bits (m0^2 = 1 mod 8).
/// CT: fixed number of steps, arithmetic only.
template <bigint_limb Limb> constexpr Limb montgomery_inverse(Limb m0) noexcept {
    Limb x = m0;
    for (unsigned correct = 3; correct < limb_bits_v<Limb>; correct *= 2) {
        x = static_cast<Limb>(x * static_cast<Limb>(2 - m0 * x));
    }
    return static_cast<Limb>(0 - x);
}

/// Subtract m from the s-limb value r + top * 2^(s * limb_bits) when that value is >= m; the caller
/// guarantees it is below 2m, so the result is fully reduced.
/// CT: the subtraction is always performed, masked; no branch on the values.
template <bigint_limb Limb>
[[gnu::always_inline]] inline void final_subtract(Limb* r, Limb top, const Limb* m,
                                                  std::size_t s) noexcept {
    const Limb below = borrow_n(r, m, s); // 1 when r < m (ignoring top)
    const Limb need = static_cast<Limb>(top | (below ^ 1));
    masked_sub_n(r, m, ct::value_barrier(static_cast<Limb>(0 - need)), s);
}

/// A three-limb column accumulator for product scanning: `lo` holds two limbs, `hi` the third.
/// A column of a Montgomery product sums at most 2s + 1 double-limb terms (s <= 256), far below
/// 2^(3w).
template <bigint_limb Limb> struct accumulator {
    wide_t<Limb> lo = 0;
    Limb hi = 0;

    /// += x y. CT: arithmetic only (the carry is a comparison turned into 0/1, not a branch).
    [[gnu::always_inline]] void mac(Limb x, Limb y) noexcept {
        const wide_t<Limb> p = wide_t<Limb>(x) * y;
        lo += p;
        hi += static_cast<Limb>(lo < p);
    }
    /// += 2 o, for the doubled cross products of a square.
    [[gnu::always_inline]] void add_twice(const accumulator& o) noexcept {
        constexpr unsigned w = limb_bits_v<Limb>;
        const wide_t<Limb> lo2 = o.lo << 1;
        const Limb hi2 = static_cast<Limb>((o.hi << 1) | static_cast<Limb>(o.lo >> (2 * w - 1)));
        lo += lo2;
        hi = static_cast<Limb>(hi + hi2 + static_cast<Limb>(lo < lo2));
    }
    /// Return the low limb and shift the accumulator down by one limb.
    [[gnu::always_inline]] Limb shift_out() noexcept {
        constexpr unsigned w = limb_bits_v<Limb>;
        const Limb out = static_cast<Limb>(lo);
        lo = (lo >> w) | (wide_t<Limb>(hi) << w);
        hi = 0;
        return out;
    }
};

/// Montgomery multiplication by product scanning with integrated reduction (FIPS, "finely
/// integrated product scanning", Koç-Acar-Kaliski 1996): column k of a b + U m is summed in a
/// three-limb accumulator, and the quotient limb u_k that clears the low limb of column k is
/// chosen as soon as that column is known. Each inner step is two limb products feeding one
/// add/adc/adc chain, which compiles to tight code from plain C++ with either compiler (the
/// row-wise CIOS with two carry chains made GCC spill its carries to memory: 2.7x slower).
/// r = a b 2^(-s w) mod m for a, b < m and odd m, fully reduced. r may alias a or b: column
/// k >= s writes r[k - s] only after its last read of any limb at index <= k - s.
/// CT: the same operations and addresses for every value of a, b and m.
template <bigint_limb Limb>
inline void mont_mul(Limb* r, const Limb* a, const Limb* b, const Limb* m, Limb m0inv,
                     std::size_t s) noexcept {
    assert(s >= 1 && s <= bigint_max_limbs<Limb>);
    Limb u[bigint_max_limbs<Limb>]; // the Montgomery quotient, one limb per column
    accumulator<Limb> acc;
    for (std::size_t k = 0; k < s; ++k) {
        HTTPS_BIGINT_UNROLL
        for (std::size_t j = 0; j < k; ++j) {
            acc.mac(a[j], b[k - j]);
            acc.mac(u[j], m[k - j]);
        }
        acc.mac(a[k], b[0]);
        u[k] = static_cast<Limb>(static_cast<Limb>(acc.lo) * m0inv);
        acc.mac(u[k], m[0]); // makes the low limb zero
        acc.shift_out();
    }
    for (std::size_t k = s; k < 2 * s; ++k) {
        HTTPS_BIGINT_UNROLL
        for (std::size_t j = k - s + 1; j < s; ++j) {
            acc.mac(a[j], b[k - j]);
            acc.mac(u[j], m[k - j]);
        }
        r[k - s] = acc.shift_out();
    }
    // (a b + U m) / R < 2m: what is left is the top bit
    final_subtract(r, static_cast<Limb>(acc.lo), m, s);
}

/// Montgomery squaring, product scanning as in mont_mul, but each column's cross products
/// a_i a_j (i < j) are summed once and doubled, so a square costs about 1.5 s^2 limb products
/// instead of 2 s^2. r = a^2 2^(-s w) mod m for a < m. r may alias a.
/// CT: the same operations and addresses for every value of a and m.
template <bigint_limb Limb>
inline void mont_sqr(Limb* r, const Limb* a, const Limb* m, Limb m0inv, std::size_t s) noexcept {
    assert(s >= 1 && s <= bigint_max_limbs<Limb>);
    Limb u[bigint_max_limbs<Limb>];
    accumulator<Limb> acc;
    for (std::size_t k = 0; k < s; ++k) {
        accumulator<Limb> cross;
        HTTPS_BIGINT_UNROLL
        for (std::size_t j = 0; 2 * j < k; ++j) {
            cross.mac(a[j], a[k - j]);
        }
        acc.add_twice(cross);
        if (k % 2 == 0) { // the column index is public
            acc.mac(a[k / 2], a[k / 2]);
        }
        HTTPS_BIGINT_UNROLL
        for (std::size_t j = 0; j < k; ++j) {
            acc.mac(u[j], m[k - j]);
        }
        u[k] = static_cast<Limb>(static_cast<Limb>(acc.lo) * m0inv);
        acc.mac(u[k], m[0]);
        acc.shift_out();
    }
    for (std::size_t k = s; k < 2 * s; ++k) {
        accumulator<Limb> cross;
        HTTPS_BIGINT_UNROLL
        for (std::size_t j = k - s + 1; 2 * j < k; ++j) {
            cross.mac(a[j], a[k - j]);
        }
        acc.add_twice(cross);
        if (k % 2 == 0) {
            acc.mac(a[k / 2], a[k / 2]);
        }
        HTTPS_BIGINT_UNROLL
        for (std::size_t j = k - s + 1; j < s; ++j) {
            acc.mac(u[j], m[k - j]);
        }
        r[k - s] = acc.shift_out();
    }
    final_subtract(r, static_cast<Limb>(acc.lo), m, s);
}

/// r = a b, the full product: r has na + nb limbs and must not alias a or b. Schoolbook rows.
/// CT: the same operations and addresses for every value of a and b.
template <bigint_limb Limb>
inline void mul_n(Limb* r, const Limb* a, std::size_t na, const Limb* b, std::size_t nb) noexcept {
    using W = wide_t<Limb>;
    for (std::size_t i = 0; i < na + nb; ++i) {
        r[i] = 0;
    }
    for (std::size_t i = 0; i < na; ++i) {
        Limb carry = 0;
        for (std::size_t j = 0; j < nb; ++j) {
            const W t = W(a[i]) * b[j] + r[i + j] + carry;
            r[i + j] = static_cast<Limb>(t);
            carry = high_half<Limb>(t);
        }
        r[i + nb] = carry;
    }
}

/// r = x mod m for any m > 0 (even ones too) of s limbs, x of nx limbs, one bit of x at a time:
/// r = 2r + bit, then subtract m when r >= m (r < 2m always holds). Slow (nx * limb_bits masked
/// steps of s limbs), for checking private-key components once, not for per-signature work.
/// r has s limbs and must not alias x. CT: no branch or index depends on x or m.
template <bigint_limb Limb>
inline void mod_bitwise_n(Limb* r, const Limb* x, std::size_t nx, const Limb* m,
                          std::size_t s) noexcept {
    constexpr unsigned w = limb_bits_v<Limb>;
    for (std::size_t i = 0; i < s; ++i) {
        r[i] = 0;
    }
    for (std::size_t i = nx * w; i-- > 0;) {
        Limb carry = static_cast<Limb>((x[i / w] >> (i % w)) & 1);
        for (std::size_t j = 0; j < s; ++j) {
            const Limb v = r[j];
            r[j] = static_cast<Limb>((v << 1) | carry);
            carry = static_cast<Limb>(v >> (w - 1));
        }
        final_subtract(r, carry, m, s);
    }
}

/// The number of significant bits of x (s limbs), without a branch on its value.
/// CT: no branch or index depends on x; the caller decides whether the length is public.
template <bigint_limb Limb> inline std::size_t bit_length_n(const Limb* x, std::size_t s) noexcept {
    constexpr unsigned w = limb_bits_v<Limb>;
    std::size_t bits = 0;
    for (std::size_t i = 0; i < s; ++i) {
        // the length of limb i, counted in from the bottom, where it is non-zero
        Limb len = 0;
        for (unsigned b = 0; b < w; ++b) {
            const Limb set = static_cast<Limb>((x[i] >> b) & 1);
            const Limb here_len = static_cast<Limb>(static_cast<Limb>(b) + 1);
            len = ct::mask<Limb>::from_bit(set).select(here_len, len);
        }
        const Limb nonzero = static_cast<Limb>(~ct::mask<Limb>::is_zero(x[i]).value());
        const std::size_t here = i * w + len;
        bits = static_cast<std::size_t>(
            ct::mask<std::size_t>::from_bit(static_cast<std::size_t>(nonzero & 1))
                .select(here, bits));
    }
    return bits;
}

} // namespace detail

/// An unsigned integer of a fixed number of limbs (chosen at run time, at most 8192 bits), stored
/// in place: no allocation. Arithmetic takes operands of equal limb counts.
template <detail::bigint_limb Limb> class bigint {
  public:
    using limb_type = Limb;
    static constexpr std::size_t limb_bits = detail::limb_bits_v<Limb>;
    static constexpr std::size_t limb_bytes = sizeof(Limb);
    static constexpr std::size_t max_limbs = detail::bigint_max_limbs<Limb>;

    /// Zero, with no limbs.
    bigint() noexcept = default;
    /// Zero, with `limbs` limbs.
    explicit bigint(std::size_t limbs) noexcept { resize(limbs); }

    // Copies move only the limbs in use: the storage is sized for 8192 bits, operands are
    // usually much shorter, and whole-array copies would cost more than a 2048-bit multiply.
    bigint(const bigint& o) noexcept : size_(o.size_) { copy_limbs(o); }
    bigint& operator=(const bigint& o) noexcept {
        if (this != &o) {
            size_ = o.size_;
            copy_limbs(o);
        }
        return *this;
    }
    // Moving is copying the limbs in use: there is no heap buffer to steal.
    // NOLINTNEXTLINE(performance-move-constructor-init,cert-oop11-cpp)
    bigint(bigint&& o) noexcept : bigint(static_cast<const bigint&>(o)) {}
    bigint& operator=(bigint&& o) noexcept {
        *this = static_cast<const bigint&>(o);
        return *this;
    }
    ~bigint() = default;

    /// Change the limb count; limbs added are zero, limbs dropped are discarded.
    void resize(std::size_t limbs) noexcept {
        assert(limbs <= max_limbs);
        for (std::size_t i = size_; i < limbs; ++i) {
            limbs_[i] = 0;
        }
        size_ = limbs;
    }

    /// The limbs needed for `bytes` bytes.
    static constexpr std::size_t limbs_for_bytes(std::size_t bytes) noexcept {
        return (bytes + limb_bytes - 1) / limb_bytes;
    }

    /// Import a big-endian byte string into `limbs` limbs (0: as few as hold `in.size()` bytes).
    /// Fails when `in` is longer than the limbs hold, whatever its leading bytes.
    /// CT: time depends on the lengths only.
    static std::optional<bigint> from_bytes_be(bytes_view in, std::size_t limbs = 0) noexcept {
        if (limbs == 0) {
            limbs = limbs_for_bytes(in.size());
        }
        if (limbs > max_limbs || in.size() > limbs * limb_bytes) {
            return std::nullopt;
        }
        bigint x(limbs);
        for (std::size_t i = 0; i < in.size(); ++i) {
            const std::size_t k = in.size() - 1 - i; // byte k counted from the least significant
            x.limbs_[k / limb_bytes] |= static_cast<Limb>(Limb{in[i]} << (8 * (k % limb_bytes)));
        }
        return x;
    }

    /// Export big-endian into exactly `out.size()` bytes, zero-padded on the left. Returns false
    /// (with `out` holding the low bytes) when the value needs more bytes than that.
    /// CT: time depends on the lengths only; the fits/does-not-fit verdict is public.
    [[nodiscard]] bool to_bytes_be(mutable_bytes out) const noexcept {
        const std::size_t n = out.size();
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t k = n - 1 - i;
            out[i] =
                k / limb_bytes < size_
                    ? static_cast<std::uint8_t>(limbs_[k / limb_bytes] >> (8 * (k % limb_bytes)))
                    : 0;
        }
        Limb excess = 0; // any byte beyond out.size()
        for (std::size_t k = n; k < size_ * limb_bytes; ++k) {
            excess |= static_cast<Limb>(limbs_[k / limb_bytes] >> (8 * (k % limb_bytes))) & 0xff;
        }
        return ct::mask<Limb>::is_zero(excess).declassify();
    }

    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] Limb* data() noexcept { return limbs_; }
    [[nodiscard]] const Limb* data() const noexcept { return limbs_; }
    [[nodiscard]] std::span<Limb> limbs() noexcept { return {limbs_, size_}; }
    [[nodiscard]] std::span<const Limb> limbs() const noexcept { return {limbs_, size_}; }
    Limb& operator[](std::size_t i) noexcept {
        assert(i < size_);
        return limbs_[i];
    }
    const Limb& operator[](std::size_t i) const noexcept {
        assert(i < size_);
        return limbs_[i];
    }

    /// The number of significant bits (0 for zero). Variable time: public values only.
    [[nodiscard]] std::size_t bit_length_vartime() const noexcept {
        for (std::size_t i = size_; i-- > 0;) {
            if (limbs_[i] != 0) {
                return i * limb_bits + static_cast<std::size_t>(std::bit_width(limbs_[i]));
            }
        }
        return 0;
    }
    [[nodiscard]] bool is_odd() const noexcept { return size_ != 0 && (limbs_[0] & 1) != 0; }

    /// Overwrite the limbs with zeros in a way the compiler keeps (secret values).
    void wipe() noexcept { ct::wipe(limbs_, sizeof(Limb) * size_); }

  private:
    void copy_limbs(const bigint& o) noexcept {
        for (std::size_t i = 0; i < size_; ++i) {
            limbs_[i] = o.limbs_[i];
        }
    }

    Limb limbs_[max_limbs]; // only the first size_ are ever written or read
    std::size_t size_ = 0;
};

/// r = a + b over their common limb count; returns the carry out (0 or 1). r may alias a or b.
/// CT: no branch or index depends on the values.
template <detail::bigint_limb Limb>
inline Limb add(bigint<Limb>& r, const bigint<Limb>& a, const bigint<Limb>& b) noexcept {
    assert(a.size() == b.size());
    r.resize(a.size());
    return detail::add_n(r.data(), a.data(), b.data(), a.size());
}

/// r = a - b mod 2^(limbs * limb_bits); returns the borrow out (1 when a < b). r may alias.
/// CT: no branch or index depends on the values.
template <detail::bigint_limb Limb>
inline Limb sub(bigint<Limb>& r, const bigint<Limb>& a, const bigint<Limb>& b) noexcept {
    assert(a.size() == b.size());
    r.resize(a.size());
    return detail::sub_n(r.data(), a.data(), b.data(), a.size());
}

/// All ones when a < b (equal limb counts). CT: no branch or index depends on the values.
template <detail::bigint_limb Limb>
inline ct::mask<Limb> less(const bigint<Limb>& a, const bigint<Limb>& b) noexcept {
    assert(a.size() == b.size());
    return ct::mask<Limb>::from_bit(detail::borrow_n(a.data(), b.data(), a.size()));
}

/// -1, 0, 1 as a <, ==, > b; limb counts may differ. Variable time: public values only.
template <detail::bigint_limb Limb>
inline int compare_vartime(const bigint<Limb>& a, const bigint<Limb>& b) noexcept {
    const std::size_t n = a.size() > b.size() ? a.size() : b.size();
    for (std::size_t i = n; i-- > 0;) {
        const Limb x = i < a.size() ? a[i] : 0;
        const Limb y = i < b.size() ? b[i] : 0;
        if (x != y) {
            return x < y ? -1 : 1;
        }
    }
    return 0;
}

/// Arithmetic modulo a fixed odd modulus m > 1 in Montgomery form (R = 2^(limbs * limb_bits)).
/// Operands have m's limb count and must be below m. The object is immutable after `create`,
/// so one context may serve many threads.
template <detail::bigint_limb Limb> class montgomery {
  public:
    using integer = bigint<Limb>;

    /// An empty context, to be assigned from `create`; using it before then is a precondition
    /// violation.
    montgomery() noexcept = default;

    /// The context for modulus `m`; errc::out_of_range unless m is odd and greater than 1.
    /// CT: variable time in the modulus only (the modulus is public in every use we make of it).
    static result<montgomery> create(const integer& m) noexcept {
        const std::size_t s = m.size();
        if (s == 0 || !m.is_odd() || m.bit_length_vartime() < 2) {
            return errc::out_of_range;
        }
        return create_secret(m, m.bit_length_vartime());
    }

    /// The context for a SECRET modulus `m` (an RSA prime) whose exact bit length `bits` is
    /// public. Preconditions, which the caller checks (in constant time): m is odd, has exactly
    /// `bits` bits, and bits >= 2. m may carry leading zero limbs (it shares a limb count with
    /// its sibling prime).
    /// CT: time and addresses depend only on `bits` and the limb count.
    static montgomery create_secret(const integer& m, std::size_t bits) noexcept {
        const std::size_t s = m.size();
        assert(s != 0 && bits >= 2 && bits <= s * integer::limb_bits);
        montgomery ctx;
        ctx.m_ = m;
        ctx.m0inv_ = detail::montgomery_inverse(m[0]);
        // R^2 mod m without division. Let total = s * limb_bits = w * 2^k (w odd). Start from
        // 2^(bits - 1) < m and double modulo m up to 2^total mod m = R mod m, then w more times to
        // 2^(total + w) = 2^w R mod m, the Montgomery form of 2^w; k Montgomery squarings turn
        // that into the form of 2^(w 2^k) = R, which is R^2 mod m.
        const std::size_t total = s * integer::limb_bits;
        const unsigned k = static_cast<unsigned>(std::countr_zero(total));
        const std::size_t w = total >> k;
        integer x(s);
        x[(bits - 1) / integer::limb_bits] = Limb{1} << ((bits - 1) % integer::limb_bits);
        for (std::size_t i = bits - 1; i < total; ++i) {
            ctx.double_mod(x);
        }
        ctx.one_ = x;
        for (std::size_t i = 0; i < w; ++i) {
            ctx.double_mod(x);
        }
        for (unsigned i = 0; i < k; ++i) {
            detail::mont_sqr(x.data(), x.data(), m.data(), ctx.m0inv_, s);
        }
        ctx.r2_ = x;
        return ctx;
    }

    [[nodiscard]] const integer& modulus() const noexcept { return m_; }
    /// Overwrite the modulus and its constants (a context over a secret prime); the context is
    /// empty afterwards.
    void wipe() noexcept {
        m_.wipe();
        one_.wipe();
        r2_.wipe();
        m0inv_ = 0;
    }
    /// Limb count of the modulus and of every operand.
    [[nodiscard]] std::size_t size() const noexcept { return m_.size(); }
    /// R mod m: the Montgomery form of 1.
    [[nodiscard]] const integer& one() const noexcept { return one_; }

    /// r = a b R^-1 mod m (the Montgomery product). r may alias a or b.
    /// CT: no branch or index depends on a or b.
    void mul(integer& r, const integer& a, const integer& b) const noexcept {
        check(a);
        check(b);
        r.resize(size());
        detail::mont_mul(r.data(), a.data(), b.data(), m_.data(), m0inv_, size());
    }

    /// r = a^2 R^-1 mod m. r may alias a. CT: no branch or index depends on a.
    void sqr(integer& r, const integer& a) const noexcept {
        check(a);
        r.resize(size());
        detail::mont_sqr(r.data(), a.data(), m_.data(), m0inv_, size());
    }

    /// r = a R mod m (into Montgomery form). CT: no branch or index depends on a.
    void to_mont(integer& r, const integer& a) const noexcept { mul(r, a, r2_); }

    /// r = a R^-1 mod m (out of Montgomery form). CT: no branch or index depends on a.
    void from_mont(integer& r, const integer& a) const noexcept {
        integer plain_one(size());
        plain_one[0] = 1;
        mul(r, a, plain_one);
    }

    /// r = a b mod m, all in ordinary form. CT: no branch or index depends on a or b.
    void mod_mul(integer& r, const integer& a, const integer& b) const noexcept {
        integer t(size());
        mul(t, a, b);   // a b R^-1
        mul(r, t, r2_); // a b
        t.wipe();
    }

    /// r = base^exponent mod m for a PUBLIC exponent (big-endian bytes): left-to-right
    /// square-and-multiply, which skips the exponent's leading zero bits and multiplies only for
    /// its one bits. This is the fast path for RSA's small public exponent e (65537: 16 squarings
    /// and 2 multiplications). The last multiplication, always present for an odd exponent, takes
    /// the base in ordinary form, which leaves the result in ordinary form and saves the
    /// conversion out of Montgomery form.
    /// CT: the base may be secret (RSA encryption): no branch or index depends on it. Timing
    /// depends on the exponent, which must be public.
    void exp_public(integer& r, const integer& base, bytes_view exponent) const noexcept {
        check(base);
        const std::size_t s = size();
        std::size_t top = exponent.size() * 8; // index of the top set bit, from the least
        for (std::size_t i = 0; i < exponent.size(); ++i) {
            if (exponent[i] != 0) {
                top = (exponent.size() - 1 - i) * 8 +
                      static_cast<std::size_t>(std::bit_width(exponent[i])) - 1;
                break;
            }
        }
        if (top == exponent.size() * 8) { // exponent 0: base^0 = 1 (m > 1)
            r = integer(s);
            r[0] = 1;
            return;
        }
        if (top == 0) { // exponent 1
            r = base;
            return;
        }
        auto bit = [&](std::size_t i) {
            return (exponent[exponent.size() - 1 - i / 8] >> (i % 8)) & 1;
        };
        Limb bm[integer::max_limbs];
        Limb acc[integer::max_limbs];
        const Limb* m = m_.data();
        detail::mont_mul(bm, base.data(), r2_.data(), m, m0inv_, s); // base R
        copy(acc, bm, s);
        for (std::size_t i = top; i-- > 0;) {
            detail::mont_sqr(acc, acc, m, m0inv_, s);
            if (bit(i) != 0) {
                // the final one-bit multiplies by the ordinary-form base: acc b R^-1 is ordinary
                detail::mont_mul(acc, acc, i == 0 ? base.data() : bm, m, m0inv_, s);
            }
        }
        r.resize(s);
        if (bit(0) != 0) {
            copy(r.data(), acc, s);
        } else {
            Limb plain_one[integer::max_limbs] = {1};
            detail::mont_mul(r.data(), acc, plain_one, m, m0inv_, s);
        }
        ct::wipe(bm, sizeof(Limb) * s);
        ct::wipe(acc, sizeof(Limb) * s);
    }

    /// r = base^exponent mod m for a SECRET exponent (big-endian bytes; only its length is
    /// public): fixed 4-bit windows over every bit, leading zeros included, each window costing 4
    /// squarings and one multiplication by a table entry fetched with a full masked scan of the
    /// 16-entry table. For a future RSA private-key operation.
    /// CT: time and memory addresses depend only on the lengths of the exponent and modulus.
    void exp_secret(integer& r, const integer& base, bytes_view exponent) const noexcept {
        check(base);
        const std::size_t s = size();
        constexpr std::size_t entries = 16;
        const Limb* m = m_.data();
        Limb table[entries][integer::max_limbs];
        copy(table[0], one_.data(), s);
        detail::mont_mul(table[1], base.data(), r2_.data(), m, m0inv_, s); // base R
        for (std::size_t e = 2; e < entries; ++e) {
            detail::mont_mul(table[e], table[e - 1], table[1], m, m0inv_, s);
        }
        // zero-initialised only for GCC 12, whose -Wmaybe-uninitialized misfires on acc once
        // this is inlined into the RSA signer at -O3 (every limb in use is written before use)
        Limb acc[integer::max_limbs] = {};
        Limb pick[integer::max_limbs];
        copy(acc, one_.data(), s);
        for (std::size_t i = 0; i < exponent.size() * 2; ++i) {
            if (i != 0) { // squaring R mod m (the initial 1) would change nothing
                for (int q = 0; q < 4; ++q) {
                    detail::mont_sqr(acc, acc, m, m0inv_, s);
                }
            }
            const unsigned window = (i % 2 == 0) ? (exponent[i / 2] >> 4) : (exponent[i / 2] & 15u);
            for (std::size_t j = 0; j < s; ++j) {
                pick[j] = 0;
            }
            for (std::size_t e = 0; e < entries; ++e) {
                const Limb sel =
                    ct::mask<Limb>::equal(static_cast<Limb>(e), static_cast<Limb>(window)).value();
                for (std::size_t j = 0; j < s; ++j) {
                    pick[j] |= table[e][j] & sel;
                }
            }
            detail::mont_mul(acc, acc, pick, m, m0inv_, s);
        }
        Limb plain_one[integer::max_limbs] = {1};
        r.resize(s);
        detail::mont_mul(r.data(), acc, plain_one, m, m0inv_, s);
        for (std::size_t e = 0; e < entries; ++e) {
            ct::wipe(table[e], sizeof(Limb) * s);
        }
        ct::wipe(acc, sizeof(Limb) * s);
        ct::wipe(pick, sizeof(Limb) * s);
    }

  private:
    void check([[maybe_unused]] const integer& a) const noexcept { assert(a.size() == m_.size()); }

    static void copy(Limb* dst, const Limb* src, std::size_t s) noexcept {
        for (std::size_t j = 0; j < s; ++j) {
            dst[j] = src[j];
        }
    }

    /// x = 2x mod m for x < m. CT: masked subtraction, no branch on x or m.
    void double_mod(integer& x) const noexcept {
        const std::size_t s = size();
        Limb carry = 0;
        for (std::size_t i = 0; i < s; ++i) {
            const Limb v = x[i];
            x[i] = static_cast<Limb>((v << 1) | carry);
            carry = v >> (integer::limb_bits - 1);
        }
        detail::final_subtract(x.data(), carry, m_.data(), s);
    }

    integer m_;
    integer one_; // R mod m
    integer r2_;  // R^2 mod m
    Limb m0inv_ = 0;
};

} // namespace https::crypto

#undef HTTPS_BIGINT_UNROLL
// ---- https/crypto/random.hpp -------------------------------------------------------------------
// The CSPRNG facade over the operating system, and (in test builds, HTTPS_TESTING) the injectable
// random sources that let tests replay recorded handshakes byte for byte.


#include <cerrno>
#include <cstddef>
#include <cstring>

#if defined(__linux__)
#include <sys/random.h>
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
#include <stdlib.h> // arc4random_buf
#else
#error "https: no operating-system random source known for this platform"
#endif

namespace https::crypto {

/// Where random bytes come from. Everything that needs randomness (key generation, nonces,
/// ClientHello.random, padding) takes a `random_source&`, so tests can inject a fixed stream.
class random_source {
public:
    random_source() = default;
    random_source(const random_source&) = delete;
    random_source& operator=(const random_source&) = delete;
    random_source(random_source&&) = delete;
    random_source& operator=(random_source&&) = delete;
    virtual ~random_source() = default;
    /// Fill `out` completely, or fail with `errc::random_failure` (then `out` is unspecified).
    [[nodiscard]] virtual status fill(mutable_bytes out) noexcept = 0;
};

/// The operating system's CSPRNG: getrandom(2) on Linux, arc4random_buf on BSD and macOS.
class system_random final : public random_source {
public:
    [[nodiscard]] status fill(mutable_bytes out) noexcept override {
#if defined(__linux__)
        std::size_t done = 0;
        while (done < out.size()) {
            // getrandom returns at most 32 MiB per call and may be interrupted by a signal.
            const ssize_t n = ::getrandom(out.data() + done, out.size() - done, 0);
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return errc::random_failure;
            }
            done += static_cast<std::size_t>(n);
        }
        return {};
#else
        ::arc4random_buf(out.data(), out.size());
        return {};
#endif
    }
};

class scoped_default_random; // test builds only (HTTPS_TESTING), below

namespace detail {
/// This thread's replacement for `default_random()`, null when none. Only
/// `scoped_default_random` sets it, and that class exists in test builds only (HTTPS_TESTING);
/// being per thread, a test's override never reaches another thread and needs no lock.
class default_random_override {
public:
    [[nodiscard]] static random_source* get() noexcept { return slot(); }

private:
    friend class crypto::scoped_default_random;
    static random_source*& slot() noexcept {
        thread_local random_source* source = nullptr;
        return source;
    }
};
} // namespace detail

/// The source used when a caller does not pass one: the OS CSPRNG (unless a test build installed
/// another on this thread).
inline random_source& default_random() noexcept {
    if (random_source* r = detail::default_random_override::get()) {
        return *r;
    }
    static system_random os;
    return os;
}

/// Fill `out` from the default source.
[[nodiscard]] inline status random_bytes(mutable_bytes out) noexcept {
    return default_random().fill(out);
}

#if defined(HTTPS_TESTING)
/// TEST HOOK (HTTPS_TESTING builds only): hands out a fixed byte string in order, then fails, to
/// replay recorded handshakes byte for byte (e.g. RFC 8448's `Client_RNG_Pool`).
class replay_random final : public random_source {
public:
    explicit replay_random(bytes_view pool) : pool_(pool.begin(), pool.end()) {}

    [[nodiscard]] status fill(mutable_bytes out) noexcept override {
        if (out.size() > pool_.size() - pos_) {
            return errc::random_failure;
        }
        std::memcpy(out.data(), pool_.data() + pos_, out.size());
        pos_ += out.size();
        return {};
    }
    [[nodiscard]] std::size_t remaining() const noexcept { return pool_.size() - pos_; }

private:
    byte_vector pool_;
    std::size_t pos_ = 0;
};

/// TEST HOOK (HTTPS_TESTING builds only): while alive, `default_random()` on the thread that made
/// it returns `source`. Other threads keep theirs.
class scoped_default_random {
public:
    explicit scoped_default_random(random_source& source) noexcept
        : previous_(detail::default_random_override::slot()) {
        detail::default_random_override::slot() = &source;
    }
    ~scoped_default_random() { detail::default_random_override::slot() = previous_; }
    scoped_default_random(const scoped_default_random&) = delete;
    scoped_default_random& operator=(const scoped_default_random&) = delete;
    scoped_default_random(scoped_default_random&&) = delete;
    scoped_default_random& operator=(scoped_default_random&&) = delete;

private:
    random_source* previous_;
};
#endif

} // namespace https::crypto

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>

namespace https::crypto {

/// Smallest modulus accepted by default (bits): RSA below 2048 bits is refused (NIST SP 800-131A).
inline constexpr std::size_t rsa_min_bits = 2048;
/// Smallest modulus a caller may allow explicitly (tests, RFC 8448's 1024-bit trace, NIST CAVP).
inline constexpr std::size_t rsa_legacy_min_bits = 1024;
/// Largest modulus accepted (bits): bounds the work a peer's key can demand.
inline constexpr std::size_t rsa_max_bits = 8192;
/// Largest modulus in bytes, for stack buffers.
inline constexpr std::size_t rsa_max_bytes = rsa_max_bits / 8;

namespace detail {

/// An RSA public key (n, e) with its Montgomery context precomputed, over `Limb`-sized limbs.
/// Users name it `rsa_public_key`; the limb type is a parameter only so the tests can run the
/// 32-bit-limb build that compilers without a 128-bit product use.
template <bigint_limb Limb> class basic_rsa_public_key {
  public:
    using integer = bigint<Limb>;

    /// From the big-endian magnitudes of n and e. Checks, in order:
    ///  - n empty or with a leading zero byte: errc::bad_public_key (a DER INTEGER's sign byte
    ///    must be stripped by the caller; `parse_*` do);
    ///  - n shorter than `min_bits` bits: errc::weak_key; longer than 8192 bits:
    ///    errc::bad_key_size;
    ///  - n even: errc::bad_public_key;
    ///  - e zero, one, even, or above 2^64 - 1: errc::bad_public_key (e may carry leading zero
    ///    bytes: NIST files pad it to the modulus length).
    /// `min_bits` must lie in [rsa_legacy_min_bits, rsa_max_bits].
    static result<basic_rsa_public_key> from_components(bytes_view modulus, bytes_view exponent,
                                                        std::size_t min_bits = rsa_min_bits) {
        assert(min_bits >= rsa_legacy_min_bits && min_bits <= rsa_max_bits);
        if (modulus.empty() || modulus[0] == 0) {
            return errc::bad_public_key;
        }
        const std::size_t bits =
            (modulus.size() - 1) * 8 + static_cast<std::size_t>(std::bit_width(modulus[0]));
        if (bits < min_bits) {
            return errc::weak_key;
        }
        if (bits > rsa_max_bits) {
            return errc::bad_key_size;
        }
        if ((modulus.back() & 1) == 0) {
            return errc::bad_public_key;
        }
        while (!exponent.empty() && exponent[0] == 0) {
            exponent = exponent.subspan(1);
        }
        // RFC 8017 §3.1: 2 < e < n, and e odd (it must be coprime to the even lambda(n)). Like
        // BoringSSL (33 bits) and Go (31 bits) we also cap e, at 64 bits, which bounds the cost.
        if (exponent.empty() || exponent.size() > 8 || (exponent.back() & 1) == 0 ||
            (exponent.size() == 1 && exponent[0] == 1)) {
            return errc::bad_public_key;
        }
        basic_rsa_public_key key;
        key.bits_ = bits;
        key.bytes_ = modulus.size();
        auto n = integer::from_bytes_be(modulus);
        assert(n.has_value());
        auto ctx = montgomery<Limb>::create(*n);
        if (!ctx) {
            return errc::bad_public_key; // unreachable: n is odd and large
        }
        key.ctx_ = *ctx;
        std::copy(exponent.begin(), exponent.end(),
                  key.e_.begin() + static_cast<std::ptrdiff_t>(8 - exponent.size()));
        return key;
    }

    /// RFC 8017 A.1.1: RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER },
    /// strict DER, nothing after it. Decoding errors come from the DER reader (errc::truncated,
    /// trailing_data, unexpected_tag, non_minimal_encoding, ...); a negative n or e is
    /// errc::bad_public_key; the values are then checked as in `from_components`.
    static result<basic_rsa_public_key> parse_pkcs1(bytes_view der_bytes,
                                                    std::size_t min_bits = rsa_min_bits) {
        der::parser top(der_bytes);
        auto seq = top.read_sequence();
        if (!seq) {
            return seq.error();
        }
        HTTPS_TRY(top.expect_empty());
        auto n = seq->read_unsigned_integer();
        if (!n) {
            return n.error() == errc::out_of_range ? errc::bad_public_key : n.error();
        }
        auto e = seq->read_unsigned_integer();
        if (!e) {
            return e.error() == errc::out_of_range ? errc::bad_public_key : e.error();
        }
        HTTPS_TRY(seq->expect_empty());
        return from_components(*n, *e, min_bits);
    }

    /// RFC 5280 §4.1.2.7 SubjectPublicKeyInfo with RFC 3279 §2.3.1 rsaEncryption:
    /// SEQUENCE { SEQUENCE { OID 1.2.840.113549.1.1.1, NULL }, BIT STRING { RSAPublicKey } }.
    /// Another algorithm OID is errc::unsupported_algorithm; parameters absent or other than NULL,
    /// or a BIT STRING with unused bits, errc::bad_public_key; otherwise as `parse_pkcs1`.
    static result<basic_rsa_public_key> parse_spki(bytes_view der_bytes,
                                                   std::size_t min_bits = rsa_min_bits) {
        auto info = open_public_key_info(der_bytes, oid::rsa_encryption);
        if (!info) {
            return info.error();
        }
        if (!info->parameters.next_is(der::tag::null)) {
            return errc::bad_public_key; // RFC 3279 §2.3.1: parameters MUST be NULL
        }
        HTTPS_TRY(info->parameters.read_null());
        HTTPS_TRY(info->parameters.expect_empty());
        auto key = info->key_bytes();
        if (!key) {
            return key.error();
        }
        return parse_pkcs1(*key, min_bits);
    }

    /// Modulus length in bits.
    [[nodiscard]] std::size_t bits() const noexcept { return bits_; }
    /// Modulus length in bytes (k in RFC 8017): the signature and ciphertext length.
    [[nodiscard]] std::size_t size() const noexcept { return bytes_; }
    /// The public exponent e.
    [[nodiscard]] std::uint64_t exponent() const noexcept {
        return https::detail::load_be64(e_.data());
    }
    /// The Montgomery context of n (n itself is `context().modulus()`).
    [[nodiscard]] const montgomery<Limb>& context() const noexcept { return ctx_; }

    /// RSAEP/RSAVP1 (RFC 8017 §5.1.1, §5.2.2): out = in^e mod n, both `size()` bytes big-endian.
    /// errc::out_of_range when in >= n (the caller maps it to its own error).
    /// CT: no branch or index depends on `in` beyond the in < n verdict, which is public for a
    /// signature and always true for an encoding that starts with a zero byte.
    [[nodiscard]] status apply(bytes_view in, mutable_bytes out) const noexcept {
        assert(in.size() == bytes_ && out.size() == bytes_);
        auto x = integer::from_bytes_be(in, ctx_.size());
        assert(x.has_value());
        if (!less(*x, ctx_.modulus()).declassify()) {
            x->wipe();
            return errc::out_of_range;
        }
        integer y;
        ctx_.exp_public(y, *x, e_);
        [[maybe_unused]] const bool fits = y.to_bytes_be(out);
        assert(fits);
        x->wipe();
        y.wipe();
        return {};
    }

  private:
    basic_rsa_public_key() = default;

    montgomery<Limb> ctx_;
    std::array<std::uint8_t, 8> e_{}; // big-endian, leading zeros
    std::size_t bits_ = 0;
    std::size_t bytes_ = 0;
};

/// Hash of the concatenation of `parts`, into `out` (digest-size bytes).
using digest_function = void (*)(std::span<const bytes_view> parts, mutable_bytes out) noexcept;
/// out ^= MGF1(seed, out.size()).
using mgf_function = void (*)(bytes_view seed, mutable_bytes out) noexcept;

template <hash_function Hash>
void digest_parts(std::span<const bytes_view> parts, mutable_bytes out) noexcept {
    assert(out.size() == Hash::digest_size);
    Hash h;
    for (bytes_view p : parts) {
        h.update(p);
    }
    h.finish(std::span<std::uint8_t, Hash::digest_size>(out.data(), Hash::digest_size));
}

/// RSASSA-PSS verification (RFC 8017 §8.1.2 with EMSA-PSS-VERIFY, §9.1.2), the hash and MGF1
/// supplied as functions so that one body serves every combination.
/// CT: public data only (signature, digest, key); variable time.
template <bigint_limb Limb>
status verify_pss_with(const basic_rsa_public_key<Limb>& key, bytes_view digest,
                       bytes_view signature, std::size_t salt_length, digest_function hash,
                       mgf_function mgf) noexcept {
    const std::size_t k = key.size();
    const std::size_t h_len = digest.size();
    if (signature.size() != k) {
        return errc::bad_signature; // §8.1.2 step 1
    }
    std::array<std::uint8_t, rsa_max_bytes> m_buf;
    const mutable_bytes m(m_buf.data(), k);
    if (!key.apply(signature, m)) {
        return errc::bad_signature; // §5.2.2: signature representative out of range
    }
    // §8.1.2 step 2c: EM = I2OSP(m, emLen), emLen = ceil((modBits - 1) / 8), which is k - 1 when
    // modBits = 1 mod 8; then m's top byte must be zero.
    const std::size_t em_bits = key.bits() - 1;
    const std::size_t em_len = (em_bits + 7) / 8;
    if (em_len < k && m[0] != 0) {
        return errc::bad_signature;
    }
    const mutable_bytes em = m.subspan(k - em_len);
    // §9.1.2 steps 3-6 (the salt length may come from a certificate: no overflow here)
    if (salt_length > em_len || em_len - salt_length < h_len + 2 || em.back() != 0xbc) {
        return errc::bad_signature;
    }
    const std::size_t db_len = em_len - h_len - 1;
    const mutable_bytes db = em.first(db_len);
    const bytes_view h = em.subspan(db_len, h_len);
    const unsigned top_bits = static_cast<unsigned>(8 * em_len - em_bits); // 0..7
    const auto top_mask = static_cast<std::uint8_t>(0xff >> top_bits);
    if ((db[0] & ~top_mask) != 0) {
        return errc::bad_signature;
    }
    // steps 7-9: DB = maskedDB xor MGF(H), leftmost bits cleared
    mgf(h, db);
    db[0] &= top_mask;
    // step 10: DB = 00..00 || 01 || salt
    const std::size_t ps_len = db_len - salt_length - 1;
    for (std::size_t i = 0; i < ps_len; ++i) {
        if (db[i] != 0) {
            return errc::bad_signature;
        }
    }
    if (db[ps_len] != 0x01) {
        return errc::bad_signature;
    }
    // steps 11-14: H' = Hash(00 x 8 || mHash || salt) must equal H
    static constexpr std::array<std::uint8_t, 8> zeros{};
    const bytes_view parts[] = {zeros, digest, db.subspan(ps_len + 1)};
    std::array<std::uint8_t, max_digest_size> h2;
    hash(std::span<const bytes_view>(parts), std::span(h2).first(h_len));
    return ct::equal(h, std::span(h2).first(h_len)) ? status{} : status{errc::bad_signature};
}

} // namespace detail

/// An RSA public key: n of 2048..8192 bits (fewer only when the caller lowers `min_bits`), e odd,
/// 3 <= e < 2^64. Parse with `rsa_public_key::parse_spki` / `parse_pkcs1` / `from_components`.
using rsa_public_key = detail::basic_rsa_public_key<detail::native_limb>;

/// MGF1 (RFC 8017 B.2.1) with `Hash`, XORed into `out`: out ^= MGF1(seed, out.size()). XOR is
/// what both users (PSS and OAEP) want, and it needs no second buffer.
/// CT: time depends on the lengths only.
template <hash_function Hash> void mgf1_xor(bytes_view seed, mutable_bytes out) noexcept {
    Hash h;
    std::array<std::uint8_t, Hash::digest_size> block;
    std::array<std::uint8_t, 4> counter{};
    for (std::size_t done = 0, c = 0; done < out.size(); done += Hash::digest_size, ++c) {
        https::detail::store_be32(counter.data(), static_cast<std::uint32_t>(c));
        h.update(seed);
        h.update(counter);
        h.finish(block);
        const std::size_t n = std::min(Hash::digest_size, out.size() - done);
        for (std::size_t i = 0; i < n; ++i) {
            out[done + i] ^= block[i];
        }
    }
    ct::wipe(block);
}

namespace detail {
/// Our hash of `h`, as a digest_function.
inline digest_function digest_function_for(hash_id h) noexcept {
    switch (h) {
    case hash_id::sha1:
        return &digest_parts<sha1>;
    case hash_id::sha224:
        return &digest_parts<sha224>;
    case hash_id::sha256:
        return &digest_parts<sha256>;
    case hash_id::sha384:
        return &digest_parts<sha384>;
    case hash_id::sha512:
        return &digest_parts<sha512>;
    }
    return nullptr;
}
/// MGF1 over our hash of `h`, as an mgf_function.
inline mgf_function mgf1_function_for(hash_id h) noexcept {
    switch (h) {
    case hash_id::sha1:
        return &mgf1_xor<sha1>;
    case hash_id::sha224:
        return &mgf1_xor<sha224>;
    case hash_id::sha256:
        return &mgf1_xor<sha256>;
    case hash_id::sha384:
        return &mgf1_xor<sha384>;
    case hash_id::sha512:
        return &mgf1_xor<sha512>;
    }
    return nullptr;
}
} // namespace detail

namespace detail {
/// EMSA-PKCS1-v1_5 (RFC 8017 §9.2) of a `digest` computed with `h`, into `em` (emLen = k bytes):
/// EM = 0x00 || 0x01 || PS (0xff, k - tLen - 3 >= 8 bytes) || 0x00 || DigestInfo(h) || digest.
/// Verification rebuilds this and compares; signing exponentiates it. errc::message_too_long
/// when k < tLen + 11 (§9.2 step 3: the modulus is too short for this hash).
/// CT: time depends on the lengths only; the digest is copied, never inspected.
inline status emsa_pkcs1v15_encode(hash_id h, bytes_view digest, mutable_bytes em) noexcept {
    assert(digest.size() == digest_size(h));
    const std::size_t k = em.size();
    const bytes_view prefix = digest_info_prefix(h);
    const std::size_t t_len = prefix.size() + digest.size();
    if (k < t_len + 11) {
        return errc::message_too_long;
    }
    em[0] = 0x00;
    em[1] = 0x01;
    const std::size_t ps_end = k - t_len - 1;
    std::fill(em.begin() + 2, em.begin() + static_cast<std::ptrdiff_t>(ps_end), 0xff);
    em[ps_end] = 0x00;
    std::copy(prefix.begin(), prefix.end(), em.begin() + static_cast<std::ptrdiff_t>(ps_end + 1));
    std::copy(digest.begin(), digest.end(),
              em.begin() + static_cast<std::ptrdiff_t>(ps_end + 1 + prefix.size()));
    return {};
}

/// EMSA-PSS-ENCODE (RFC 8017 §9.1.1) of `digest` (mHash) with `salt`, into `em`, which is
/// emLen = ceil(emBits / 8) bytes; `em_bits` = modBits - 1 (§8.1.1 step 1). The hash and MGF1 come
/// as functions, as in verify_pss_with. errc::message_too_long when emLen < hLen + sLen + 2
/// (step 3: the modulus is too short for this hash and salt).
/// CT: time depends on the lengths only; no branch or index depends on the digest or salt.
inline status emsa_pss_encode(bytes_view digest, bytes_view salt, std::size_t em_bits,
                              mutable_bytes em, digest_function hash, mgf_function mgf) noexcept {
    const std::size_t em_len = em.size();
    const std::size_t h_len = digest.size();
    assert(em_len == (em_bits + 7) / 8);
    if (em_len < h_len + salt.size() + 2) {
        return errc::message_too_long;
    }
    // steps 5-6: H = Hash(00 x 8 || mHash || salt)
    static constexpr std::array<std::uint8_t, 8> zeros{};
    const bytes_view parts[] = {zeros, digest, salt};
    const std::size_t db_len = em_len - h_len - 1;
    const mutable_bytes db = em.first(db_len);
    const mutable_bytes h = em.subspan(db_len, h_len);
    hash(std::span<const bytes_view>(parts), h);
    // steps 7-8: DB = PS (zeros) || 0x01 || salt
    const std::size_t ps_len = db_len - salt.size() - 1;
    std::fill(db.begin(), db.begin() + static_cast<std::ptrdiff_t>(ps_len), std::uint8_t{0});
    db[ps_len] = 0x01;
    std::copy(salt.begin(), salt.end(), db.begin() + static_cast<std::ptrdiff_t>(ps_len + 1));
    // steps 9-11: maskedDB = DB xor MGF(H, emLen - hLen - 1), leftmost 8 emLen - emBits bits zero
    mgf(h, db);
    const unsigned top_bits = static_cast<unsigned>(8 * em_len - em_bits); // 0..7
    db[0] &= static_cast<std::uint8_t>(0xff >> top_bits);
    // step 12: EM = maskedDB || H || 0xbc
    em[em_len - 1] = 0xbc;
    return {};
}
} // namespace detail

/// RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2) of `digest`, computed with `h`, against a
/// `signature` of exactly `key.size()` bytes. Per §8.2.2 step 3 the whole expected encoding
/// EM = 00 01 FF..FF 00 || DigestInfo(h, digest) is rebuilt and compared with the decrypted block;
/// the block is never parsed, so no BER leniency, garbage or short padding can slip through
/// (Bleichenbacher 2006). DigestInfo is always the form with NULL parameters: Wycheproof marks the
/// absent-NULL variant only "acceptable" (flag MissingNull), and we reject it.
/// Errors: errc::bad_signature for a wrong length, a value >= n, or a mismatch.
/// CT: public data only; the comparison is ct::equal anyway.
template <detail::bigint_limb Limb>
status verify_pkcs1v15(const detail::basic_rsa_public_key<Limb>& key, hash_id h, bytes_view digest,
                       bytes_view signature) noexcept {
    assert(digest.size() == digest_size(h));
    const std::size_t k = key.size();
    if (digest.size() != digest_size(h) || signature.size() != k) {
        return errc::bad_signature;
    }
    std::array<std::uint8_t, rsa_max_bytes> em_buf;
    std::array<std::uint8_t, rsa_max_bytes> expected_buf;
    const mutable_bytes em(em_buf.data(), k);
    const mutable_bytes expected(expected_buf.data(), k);
    if (!detail::emsa_pkcs1v15_encode(h, digest, expected)) {
        return errc::bad_signature; // §9.2 step 3: modulus too short for this hash
    }
    if (!key.apply(signature, em)) {
        return errc::bad_signature;
    }
    return ct::equal(em, expected) ? status{} : status{errc::bad_signature};
}

/// RSASSA-PSS parameters: the message hash, the MGF1 hash and the salt length in bytes.
struct pss_params {
    hash_id hash = hash_id::sha256;
    hash_id mgf1_hash = hash_id::sha256;
    std::size_t salt_length = 32;

    /// MGF1 with the same hash and a salt as long as the digest: TLS 1.3 rsa_pss_rsae_* and
    /// rsa_pss_pss_* (RFC 8446 §4.2.3).
    static constexpr pss_params for_hash(hash_id h) noexcept { return {h, h, digest_size(h)}; }
};

/// RSASSA-PSS verification (RFC 8017 §8.1.2, EMSA-PSS-VERIFY §9.1.2) of `digest`, computed with
/// `params.hash`, against a `signature` of exactly `key.size()` bytes, with MGF1 over
/// `params.mgf1_hash`, a salt of `params.salt_length` bytes and the trailer field 0xbc (the only
/// one RFC 8017 defines; X.509 trailerField 1). TLS 1.3 rsa_pss_rsae_* and rsa_pss_pss_* use
/// `pss_params::for_hash(h)`; X.509 RSASSA-PSS-params give the three values explicitly.
/// Errors: errc::bad_signature for a wrong length, a value >= n, or any encoding mismatch.
/// CT: public data only; variable time.
template <detail::bigint_limb Limb>
status verify_pss(const detail::basic_rsa_public_key<Limb>& key, const pss_params& params,
                  bytes_view digest, bytes_view signature) noexcept {
    assert(digest.size() == digest_size(params.hash));
    if (digest.size() != digest_size(params.hash)) {
        return errc::bad_signature;
    }
    return detail::verify_pss_with(key, digest, signature, params.salt_length,
                                   detail::digest_function_for(params.hash),
                                   detail::mgf1_function_for(params.mgf1_hash));
}

/// RSAES-PKCS1-v1_5 encryption (RFC 8017 §7.2.1), for the TLS 1.2 RSA key exchange:
/// out = (00 02 || PS || 00 || message)^e mod n, PS being k - mLen - 3 >= 8 non-zero random
/// bytes from `rng`. `out` must be exactly `key.size()` bytes. Errors: errc::message_too_long when
/// the message exceeds k - 11 bytes; errc::random_failure from the source (then `out` is zeroed).
/// CT: the message steers no branch or index (its length is public). Random bytes equal to zero
/// are redrawn, which leaks where the source produced zeros, not the final padding.
template <detail::bigint_limb Limb>
status encrypt_pkcs1v15(const detail::basic_rsa_public_key<Limb>& key, bytes_view message,
                        mutable_bytes out, random_source& rng = default_random()) noexcept {
    const std::size_t k = key.size();
    assert(out.size() == k);
    if (message.size() + 11 > k) {
        return errc::message_too_long;
    }
    std::array<std::uint8_t, rsa_max_bytes> em_buf;
    const mutable_bytes em(em_buf.data(), k);
    const std::size_t ps_len = k - message.size() - 3;
    const mutable_bytes ps = em.subspan(2, ps_len);
    auto fail = [&](errc e) {
        ct::wipe(em.data(), k);
        std::fill(out.begin(), out.end(), std::uint8_t{0});
        return e;
    };
    if (!rng.fill(ps)) {
        return fail(errc::random_failure);
    }
    std::array<std::uint8_t, 64> spare{};
    std::size_t spare_left = 0;
    for (std::size_t i = 0; i < ps_len; ++i) {
        while (ps[i] == 0) {
            if (spare_left == 0) {
                if (!rng.fill(spare)) {
                    ct::wipe(spare);
                    return fail(errc::random_failure);
                }
                spare_left = spare.size();
            }
            ps[i] = spare[--spare_left];
        }
    }
    ct::wipe(spare);
    em[0] = 0x00;
    em[1] = 0x02;
    em[2 + ps_len] = 0x00;
    std::copy(message.begin(), message.end(), em.begin() + static_cast<std::ptrdiff_t>(3 + ps_len));
    // em < n: its first byte is zero and n has exactly k bytes
    [[maybe_unused]] const status applied = key.apply(em, out);
    assert(applied.ok());
    ct::wipe(em.data(), k);
    return {};
}

/// RSASSA-PKCS1-v1_5 verification of a whole message, hashed with `Hash` (sha1, sha224, sha256,
/// sha384 or sha512).
template <hash_function Hash, detail::bigint_limb Limb>
status verify_pkcs1v15(const detail::basic_rsa_public_key<Limb>& key, bytes_view message,
                       bytes_view signature) noexcept {
    const digest<Hash> d = hash<Hash>(message);
    return verify_pkcs1v15(key, hash_id_of_v<Hash>, d, signature);
}

/// RSASSA-PSS verification of a whole message with `Hash` (one of ours) for the message and
/// MGF1 and a salt of the digest length (the TLS 1.3 form).
template <hash_function Hash, detail::bigint_limb Limb>
status verify_pss(const detail::basic_rsa_public_key<Limb>& key, bytes_view message,
                  bytes_view signature) noexcept {
    const digest<Hash> d = hash<Hash>(message);
    return verify_pss(key, pss_params::for_hash(hash_id_of_v<Hash>), d, signature);
}

} // namespace https::crypto

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace https::x509::detail {

/// Hash `data` with `h` into `out`; returns the digest length.
HTTPS_DECL std::size_t digest_of(crypto::hash_id h, bytes_view data,
                                 std::array<std::uint8_t, crypto::max_digest_size>& out) {
    auto put = [&](const auto& d) {
        std::copy(d.begin(), d.end(), out.begin());
        return d.size();
    };
    switch (h) {
    case crypto::hash_id::sha1:
        return put(crypto::hash<crypto::sha1>(data));
    case crypto::hash_id::sha224:
        return put(crypto::hash<crypto::sha224>(data));
    case crypto::hash_id::sha256:
        return put(crypto::hash<crypto::sha256>(data));
    case crypto::hash_id::sha384:
        return put(crypto::hash<crypto::sha384>(data));
    case crypto::hash_id::sha512:
        return put(crypto::hash<crypto::sha512>(data));
    }
    return 0;
}

HTTPS_DECL status verify_signature(const public_key_info& key, const signature_algorithm& alg,
                                   bytes_view tbs, bytes_view signature) {
    using scheme = signature_algorithm::scheme;
    if (!key_fits_algorithm(key, alg)) {
        return errc::cert_bad_signature;
    }
    // RSA and ECDSA sign a digest of the TBSCertificate; Ed25519 signs the TBSCertificate itself
    // (PureEdDSA, RFC 8410 §6) and its algorithm names no digest.
    const std::optional<crypto::hash_id> hash = to_hash_id(alg.hash);
    if (!hash && alg.kind != scheme::ed25519) {
        return errc::cert_bad_signature;
    }
    std::array<std::uint8_t, crypto::max_digest_size> buffer{};
    const bytes_view digest(buffer.data(), hash ? digest_of(*hash, tbs, buffer) : 0);
    status verdict = errc::cert_bad_signature;
    switch (alg.kind) {
    case scheme::rsa_pkcs1:
    case scheme::rsa_pss: {
        auto rsa = crypto::rsa_public_key::from_components(key.rsa_modulus, key.rsa_exponent);
        if (!rsa) {
            return errc::cert_bad_signature;
        }
        if (alg.kind == scheme::rsa_pkcs1) {
            verdict = crypto::verify_pkcs1v15(*rsa, *hash, digest, signature);
        } else {
            crypto::pss_params params;
            params.hash = *hash;
            params.mgf1_hash = *hash; // the parser refuses PSS parameters that differ
            params.salt_length = alg.pss_salt_length;
            verdict = crypto::verify_pss(*rsa, params, digest, signature);
        }
        break;
    }
    case scheme::ecdsa: {
        // `key.key` is the SEC 1 point from the BIT STRING; the curve came from the parameters.
        auto verify_on = [&](auto curve_tag) -> status {
            using curve = decltype(curve_tag);
            auto point = crypto::ec_public_key<curve>::parse(key.key);
            if (!point) {
                return errc::cert_bad_signature;
            }
            return crypto::ecdsa_verify_digest(*point, *hash, digest, signature);
        };
        verdict = key.algorithm == key_algorithm::ec_p256 ? verify_on(crypto::p256{})
                                                          : verify_on(crypto::p384{});
        break;
    }
    case scheme::ed25519:
        // `key.key` is the 32-byte encoding the certificate parser already decoded once.
        verdict = crypto::ed25519_verify(key.key, tbs, signature);
        break;
    case scheme::unknown:
        break;
    }
    return verdict ? status{} : status{errc::cert_bad_signature};
}

} // namespace https::x509::detail
// ---- https/x509/impl/trust_store.ipp -----------------------------------------------------------
// Loading trust anchors (x509/trust_store.hpp), out of line for separate compilation.

// ---- https/x509/trust_store.hpp ----------------------------------------------------------------
// Trust anchors: loaded from PEM bundles or the system store, indexed by subject, parsed lazily.

// ---- https/x509/pem.hpp ------------------------------------------------------------------------
// PEM (RFC 7468) decoding: strict base64 between matching BEGIN/END lines, several blocks per text.


#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace https::x509 {

/// One PEM block: its label (`CERTIFICATE`, `PRIVATE KEY`, ...) and its decoded contents.
struct pem_block {
    std::string label;
    byte_vector der;
};

namespace detail {

/// Base64 alphabet values (RFC 4648 Table 1); 0xff marks every other byte.
inline constexpr std::array<std::uint8_t, 256> base64_table = [] {
    std::array<std::uint8_t, 256> t{};
    t.fill(0xff);
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::uint8_t i = 0; i < 64; ++i) {
        t[static_cast<unsigned char>(alphabet[i])] = i;
    }
    return t;
}();

inline int base64_value(char c) noexcept {
    const std::uint8_t v = base64_table[static_cast<unsigned char>(c)];
    return v == 0xff ? -1 : v;
}

/// Strict base64 (RFC 4648 §4) of `text`, which holds no whitespace: a multiple of four
/// characters, `=` padding only at the very end, and the padding's unused bits zero (so every
/// byte string has exactly one accepted encoding). Appends to `out`.
/// CT: not constant-time (table lookups by input byte); meant for public data such as
/// certificates, not for private keys.
inline status base64_decode(std::string_view text, byte_vector& out) {
    if (text.size() % 4 != 0) {
        return errc::bad_pem;
    }
    std::size_t pad = 0;
    if (!text.empty() && text.back() == '=') {
        pad = text[text.size() - 2] == '=' ? 2 : 1;
    }
    const std::size_t start = out.size();
    out.resize(start + text.size() / 4 * 3);
    std::uint8_t* dst = out.data() + start;
    const std::size_t groups = text.size() / 4;
    for (std::size_t g = 0; g < groups; ++g) {
        const char* src = text.data() + 4 * g;
        const bool last = g + 1 == groups;
        std::uint32_t group = 0;
        std::uint8_t bad = 0;
        for (unsigned j = 0; j < 4; ++j) {
            std::uint8_t v = base64_table[static_cast<unsigned char>(src[j])];
            if (last && j >= 4 - pad) {
                v = src[j] == '=' ? 0 : 0xff;
            }
            bad |= v;
            group = (group << 6) | (v & 0x3f);
        }
        if ((bad & 0xc0) != 0) {
            return errc::bad_pem; // outside the alphabet, or '=' before the final padding
        }
        dst[3 * g] = static_cast<std::uint8_t>(group >> 16);
        dst[3 * g + 1] = static_cast<std::uint8_t>(group >> 8);
        dst[3 * g + 2] = static_cast<std::uint8_t>(group);
    }
    if (pad != 0) {
        // RFC 4648 §3.5: the bits the padding leaves unused must be zero (canonical encoding).
        const std::uint8_t* tail = dst + 3 * groups - 3;
        if ((pad == 1 && tail[2] != 0) || (pad == 2 && (tail[1] != 0 || tail[2] != 0))) {
            return errc::bad_pem;
        }
        out.resize(out.size() - pad);
    }
    return {};
}

inline bool pem_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\r';
}

inline std::string_view trim_right(std::string_view s) noexcept {
    while (!s.empty() && pem_space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

/// RFC 7468 §3 label: printable ASCII, no leading/trailing space or hyphen, no doubled separators.
inline bool valid_label(std::string_view label) noexcept {
    if (label.empty() || label.front() == ' ' || label.front() == '-' || label.back() == ' ' ||
        label.back() == '-') {
        return false;
    }
    char previous = 'A';
    for (char c : label) {
        if (c < 0x20 || c > 0x7e) {
            return false;
        }
        const bool separator = c == ' ' || c == '-';
        if (separator && (previous == ' ' || previous == '-')) {
            return false;
        }
        previous = c;
    }
    return true;
}

/// If `line` is an encapsulation boundary `-----<kind> LABEL-----`, its label; `bad` is set when
/// the line starts like a boundary but is malformed.
inline std::string_view boundary_label(std::string_view line, std::string_view kind, bool& bad) {
    const std::string_view dashes = "-----";
    if (line.substr(0, dashes.size()) != dashes ||
        line.substr(dashes.size(), kind.size()) != kind) {
        return {};
    }
    std::string_view rest = line.substr(dashes.size() + kind.size());
    if (rest.size() < dashes.size() + 2 || rest.front() != ' ' ||
        rest.substr(rest.size() - dashes.size()) != dashes) {
        bad = true;
        return {};
    }
    std::string_view label = rest.substr(1, rest.size() - 1 - dashes.size());
    if (!valid_label(label)) {
        bad = true;
        return {};
    }
    return label;
}

} // namespace detail

/// Every PEM block in `text`, in order. Text outside blocks is ignored (bundles carry comments);
/// inside a block only base64 and line breaks/blanks may appear (no RFC 1421 headers), the END
/// label must equal the BEGIN label, and the base64 must be canonical. Any violation, an
/// unterminated block or a stray END line is `errc::bad_pem`.
inline result<std::vector<pem_block>> parse_pem(std::string_view text) {
    std::vector<pem_block> blocks;
    bool inside = false;
    std::string body;
    std::string label;
    while (!text.empty()) {
        const std::size_t eol = text.find('\n');
        std::string_view line = detail::trim_right(text.substr(0, eol));
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);

        bool bad = false;
        const std::string_view begin = detail::boundary_label(line, "BEGIN", bad);
        const std::string_view end = detail::boundary_label(line, "END", bad);
        if (bad) {
            return errc::bad_pem;
        }
        if (!inside) {
            if (!end.empty()) {
                return errc::bad_pem; // END without BEGIN
            }
            if (!begin.empty()) {
                inside = true;
                label.assign(begin);
                body.clear();
            }
            continue;
        }
        if (!begin.empty()) {
            return errc::bad_pem; // BEGIN inside a block
        }
        if (!end.empty()) {
            if (end != label || body.empty()) {
                return errc::bad_pem;
            }
            pem_block block;
            block.label = label;
            HTTPS_TRY(detail::base64_decode(body, block.der));
            blocks.push_back(std::move(block));
            inside = false;
            continue;
        }
        std::size_t n = body.size();
        body.resize(n + line.size());
        for (char c : line) {
            if (detail::base64_table[static_cast<unsigned char>(c)] == 0xff) {
                if (detail::pem_space(c)) {
                    continue;
                }
                if (c != '=') {
                    return errc::bad_pem; // includes "Proc-Type:" style headers
                }
            }
            body[n++] = c;
        }
        body.resize(n);
    }
    if (inside) {
        return errc::bad_pem;
    }
    return blocks;
}

/// The DER of every `CERTIFICATE` block in `text` (other labels skipped); the PEM rules of
/// `parse_pem` apply to all blocks.
inline result<std::vector<byte_vector>> parse_pem_certificates(std::string_view text) {
    auto blocks = parse_pem(text);
    if (!blocks) {
        return blocks.error();
    }
    std::vector<byte_vector> out;
    for (auto& b : *blocks) {
        if (b.label == "CERTIFICATE") {
            out.push_back(std::move(b.der));
        }
    }
    return out;
}

} // namespace https::x509

#include <algorithm>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

namespace https::x509 {

/// One trusted certificate. Loading only locates its subject; the full parse happens the first
/// time the anchor becomes a candidate issuer (thread-safe), so a 150-certificate bundle loads
/// for the price of its base64.
class trust_anchor {
  public:
    /// `subject` must view `der`'s own buffer (moving a vector keeps its buffer).
    trust_anchor(byte_vector der, name subject) noexcept
        : der_(std::move(der)), subject_(subject) {}
    ~trust_anchor() = default;
    trust_anchor(const trust_anchor&) = delete;
    trust_anchor& operator=(const trust_anchor&) = delete;
    trust_anchor(trust_anchor&&) = delete; // holds a once_flag; stores keep anchors by pointer
    trust_anchor& operator=(trust_anchor&&) = delete;

    [[nodiscard]] bytes_view der() const noexcept { return der_; }
    [[nodiscard]] const name& subject() const noexcept { return subject_; }

    /// The parsed certificate, or null if it does not parse (such an anchor is never used).
    [[nodiscard]] const certificate* parsed() const {
        std::call_once(once_, [this] {
            if (auto c = parse_certificate(der_)) {
                parsed_ = std::move(c).value();
            }
        });
        return parsed_ ? &*parsed_ : nullptr;
    }

  private:
    byte_vector der_;
    name subject_;
    mutable std::once_flag once_;
    mutable std::optional<certificate> parsed_;
};

namespace detail {

/// The subject of a certificate, found by walking just the TBS fields that precede it.
HTTPS_DECL result<name> certificate_subject(bytes_view der) noexcept;

} // namespace detail

/// Well-known locations of the system's PEM bundle (first that loads wins) and of hashed
/// certificate directories, as distributions install them.
inline constexpr std::string_view system_bundle_files[] = {
    "/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Gentoo, Arch
    "/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora, RHEL
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS, RHEL 7+
    "/etc/ssl/ca-bundle.pem",                            // openSUSE
    "/etc/pki/tls/cacert.pem",                           // OpenELEC
    "/etc/ssl/cert.pem",                                 // Alpine, macOS, OpenBSD, FreeBSD
    "/usr/local/etc/ssl/cert.pem",                       // FreeBSD ports
    "/usr/local/share/certs/ca-root-nss.crt",            // FreeBSD ca_root_nss
};
inline constexpr std::string_view system_bundle_directories[] = {
    "/etc/ssl/certs",     // Debian and others
    "/etc/pki/tls/certs", // Fedora, RHEL
};

/// A set of trust anchors indexed by subject name (RFC 5280 §7.1 comparison).
class trust_store {
  public:
    trust_store() = default;
    ~trust_store() = default;
    trust_store(const trust_store&) = delete; // anchors are shared by pointer, never copied
    trust_store& operator=(const trust_store&) = delete;
    trust_store(trust_store&&) noexcept = default;
    trust_store& operator=(trust_store&&) noexcept = default;

    /// Add one DER certificate. Only its subject is read now; `errc::cert_malformed` if even that
    /// cannot be found. Adding a certificate already present does nothing.
    HTTPS_DECL status add_der(bytes_view der);

    /// Add every CERTIFICATE block of a PEM text. All or nothing: a PEM error (`bad_pem`) or a
    /// certificate whose subject cannot be read (`cert_malformed`) adds none.
    HTTPS_DECL status add_pem(std::string_view text);

    /// Add a PEM bundle file; `trust_store_unavailable` if it cannot be read.
    HTTPS_DECL status add_file(const std::filesystem::path& path);

    /// Add every readable PEM file of a directory (OpenSSL's hashed `c_rehash` layout or plain
    /// `.pem`/`.crt` files). Files that are not PEM certificates are skipped; duplicates (the
    /// hash links point at the same files) are stored once. Returns how many files loaded.
    HTTPS_DECL std::size_t add_directory(const std::filesystem::path& dir);

    /// A store holding the certificates of a PEM text.
    HTTPS_DECL static result<trust_store> from_pem(std::string_view text);

    /// A store holding the certificates of a PEM bundle file.
    HTTPS_DECL static result<trust_store> from_file(const std::filesystem::path& path);

    /// The operating system's trust anchors. `SSL_CERT_FILE` (a bundle) and `SSL_CERT_DIR` (a
    /// colon-separated list of directories) replace the built-in locations when set, as they do
    /// for OpenSSL; otherwise the first well-known bundle that loads is used, then the well-known
    /// directories. No anchor found: `errc::trust_store_unavailable`.
    HTTPS_DECL static result<trust_store> system();

    [[nodiscard]] std::size_t size() const noexcept { return anchors_.size(); }
    [[nodiscard]] const trust_anchor& operator[](std::size_t i) const noexcept {
        return *anchors_[i];
    }

    /// The anchors whose subject matches `subject`; `key` is `detail::canonical_key(subject)`.
    [[nodiscard]] std::vector<const trust_anchor*> find_by_key(const std::string& key) const {
        std::vector<std::size_t> positions;
        auto [first, last] = index_.equal_range(key);
        for (auto it = first; it != last; ++it) {
            positions.push_back(it->second);
        }
        // Insertion order, so results do not depend on the hash table's layout.
        std::sort(positions.begin(), positions.end());
        std::vector<const trust_anchor*> out;
        out.reserve(positions.size());
        for (std::size_t i : positions) {
            out.push_back(anchors_[i].get());
        }
        return out;
    }
    [[nodiscard]] std::vector<const trust_anchor*> find(const name& subject) const {
        return find_by_key(detail::canonical_key(subject));
    }

    /// Is this exact certificate (byte for byte) a trust anchor?
    [[nodiscard]] bool contains(bytes_view der) const {
        auto subject = detail::certificate_subject(der);
        return subject && find_exact(detail::canonical_key(*subject), der) != nullptr;
    }

  private:
    const trust_anchor* find_exact(const std::string& key, bytes_view der) const {
        auto [first, last] = index_.equal_range(key);
        for (auto it = first; it != last; ++it) {
            const bytes_view d = anchors_[it->second]->der();
            if (d.size() == der.size() && std::equal(der.begin(), der.end(), d.begin())) {
                return anchors_[it->second].get();
            }
        }
        return nullptr;
    }

    std::vector<std::unique_ptr<trust_anchor>> anchors_;
    std::unordered_multimap<std::string, std::size_t> index_;
};

} // namespace https::x509


#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

namespace https::x509 {

namespace detail {

HTTPS_DECL result<name> certificate_subject(bytes_view der) noexcept {
    if (der.size() > max_certificate_size) {
        return errc::too_large;
    }
    der::parser top(der);
    auto cert = top.read_sequence();
    if (!cert) {
        return cert.error();
    }
    HTTPS_TRY(top.expect_empty());
    auto tbs = cert->read_sequence();
    if (!tbs) {
        return tbs.error();
    }
    if (tbs->next_is(der::tag::context_constructed(0))) {
        HTTPS_TRY(tbs->read_any()); // version
    }
    HTTPS_TRY(tbs->read(der::tag::integer));  // serialNumber
    HTTPS_TRY(tbs->read(der::tag::sequence)); // signature
    HTTPS_TRY(tbs->read(der::tag::sequence)); // issuer
    HTTPS_TRY(tbs->read(der::tag::sequence)); // validity
    auto subject = tbs->read(der::tag::sequence);
    if (!subject) {
        return subject.error();
    }
    return parse_name(subject->encoded);
}

HTTPS_DECL result<std::string> read_text_file(const std::filesystem::path& path,
                                              std::uintmax_t limit = 16u << 20) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec || size > limit) {
        return errc::trust_store_unavailable;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return errc::trust_store_unavailable;
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
        return errc::trust_store_unavailable;
    }
    return text;
}

} // namespace detail

HTTPS_DECL status trust_store::add_der(bytes_view der) {
    auto subject = detail::certificate_subject(der);
    if (!subject) {
        return errc::cert_malformed;
    }
    std::string key = detail::canonical_key(*subject);
    if (find_exact(key, der) != nullptr) {
        return {};
    }
    byte_vector copy(der.begin(), der.end());
    const name moved{{copy.data() + (subject->der.data() - der.data()), subject->der.size()}};
    anchors_.push_back(std::make_unique<trust_anchor>(std::move(copy), moved));
    index_.emplace(std::move(key), anchors_.size() - 1);
    return {};
}

HTTPS_DECL status trust_store::add_pem(std::string_view text) {
    auto certs = parse_pem_certificates(text);
    if (!certs) {
        return certs.error();
    }
    for (const byte_vector& der : *certs) {
        if (!detail::certificate_subject(der)) {
            return errc::cert_malformed;
        }
    }
    for (const byte_vector& der : *certs) {
        HTTPS_TRY(add_der(der));
    }
    return {};
}

HTTPS_DECL status trust_store::add_file(const std::filesystem::path& path) {
    auto text = detail::read_text_file(path);
    if (!text) {
        return text.error();
    }
    return add_pem(*text);
}

HTTPS_DECL std::size_t trust_store::add_directory(const std::filesystem::path& dir) {
    std::error_code ec;
    std::size_t loaded = 0;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code type_ec;
        if (!it->is_regular_file(type_ec) || type_ec) {
            continue;
        }
        if (add_file(it->path())) {
            ++loaded;
        }
    }
    return loaded;
}

HTTPS_DECL result<trust_store> trust_store::from_pem(std::string_view text) {
    trust_store s;
    HTTPS_TRY(s.add_pem(text));
    return s;
}

HTTPS_DECL result<trust_store> trust_store::from_file(const std::filesystem::path& path) {
    trust_store s;
    HTTPS_TRY(s.add_file(path));
    return s;
}

HTTPS_DECL result<trust_store> trust_store::system() {
    trust_store s;
    const char* file = std::getenv("SSL_CERT_FILE");
    const char* dirs = std::getenv("SSL_CERT_DIR");
    const bool from_env = (file != nullptr && *file != '\0') || (dirs != nullptr && *dirs != '\0');
    if (file != nullptr && *file != '\0') {
        (void)s.add_file(file);
    }
    if (dirs != nullptr && *dirs != '\0') {
        std::string_view list = dirs;
        while (!list.empty()) {
            const std::size_t colon = list.find(':');
            const std::string_view dir = list.substr(0, colon);
            if (!dir.empty()) {
                s.add_directory(std::filesystem::path(dir));
            }
            list.remove_prefix(colon == std::string_view::npos ? list.size() : colon + 1);
        }
    }
    if (!from_env) {
        for (std::string_view path : system_bundle_files) {
            if (s.add_file(std::filesystem::path(path)) && s.size() != 0) {
                break;
            }
        }
        if (s.size() == 0) {
            for (std::string_view dir : system_bundle_directories) {
                s.add_directory(std::filesystem::path(dir));
            }
        }
    }
    if (s.size() == 0) {
        return errc::trust_store_unavailable;
    }
    return s;
}

} // namespace https::x509
// ---- https/x509/impl/ocsp.ipp ------------------------------------------------------------------
// Stapled OCSP responses (x509/ocsp.hpp), out of line for separate compilation.

// ---- https/x509/ocsp.hpp -----------------------------------------------------------------------
// Stapled OCSP responses (RFC 6960) as a TLS server sends them (RFC 6066 §8, RFC 8446 §4.4.2.1):
// a strict parse, the check that the issuer (or a responder it authorised) signed a current
// status for the leaf, and what that status is.


#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace https::x509 {

/// Responses larger than this are refused unparsed (a stapled response is 1-4 KiB).
inline constexpr std::size_t max_ocsp_response_size = 64 * 1024;
/// Limit on the SingleResponses and on the certificates of one response.
inline constexpr std::size_t max_ocsp_entries = 64;
/// How far thisUpdate may lie in the future, and nextUpdate in the past, for clocks that differ.
inline constexpr unix_time ocsp_clock_skew = 5 * 60;
/// How long a response without nextUpdate counts as current after its thisUpdate (RFC 6960
/// §4.2.2.1 leaves it to the client; the BRs ask responders for at most a few days).
inline constexpr unix_time ocsp_validity_without_next_update = 4 * 24 * 3600;

/// What a response says of a certificate (RFC 6960 §4.2.1 CertStatus).
enum class revocation_status : std::uint8_t { good, revoked, unknown };

/// One SingleResponse (RFC 6960 §4.2.1), as views into the response.
struct ocsp_single_response {
    hash_algorithm id_hash = hash_algorithm::none; ///< CertID.hashAlgorithm
    bytes_view issuer_name_hash;
    bytes_view issuer_key_hash;
    bytes_view serial; ///< CertID.serialNumber, INTEGER contents
    revocation_status status = revocation_status::unknown;
    unix_time revocation_time = 0; ///< revoked only
    unix_time this_update = 0;
    std::optional<unix_time> next_update;
};

/// A BasicOCSPResponse (RFC 6960 §4.2.1) of a successful OCSPResponse, as views into its DER.
struct ocsp_response {
    bytes_view tbs; ///< the signed ResponseData encoding
    signature_algorithm sig_alg;
    bytes_view signature;
    /// ResponderID: the SHA-1 of the responder's public key (byKey) or its name (byName).
    bytes_view responder_key_hash;
    std::optional<name> responder_name;
    unix_time produced_at = 0;
    std::vector<ocsp_single_response> responses;
    std::vector<bytes_view> certificates; ///< `certs`: DER certificates, e.g. a delegated responder
};

/// Parse an OCSPResponse under strict DER. Anything but a successful response of type
/// id-pkix-ocsp-basic, a malformed field, or a critical extension (response or single) is
/// `errc::cert_ocsp_malformed`; if `cause` is given it receives the underlying error.
HTTPS_DECL result<ocsp_response> parse_ocsp_response(bytes_view der, errc* cause = nullptr);

/// What a verified response says of the leaf, and for how long.
struct ocsp_status {
    revocation_status status = revocation_status::unknown;
    unix_time this_update = 0;
    std::optional<unix_time> next_update;
    unix_time revocation_time = 0; ///< revoked only
};

/// Check a stapled response for `leaf`, whose issuer is `issuer`, at time `now` (RFC 6960 §3.2):
/// it parses (`cert_ocsp_malformed`); it is signed by the issuer, or by a certificate in the
/// response that the issuer signed and that has id-kp-OCSPSigning and is valid at `now`
/// (§4.2.2.2; else `cert_ocsp_bad_responder`, also for MD5 or SHA-1 signatures); it has a
/// SingleResponse whose CertID names the leaf (issuer name and key hashes and serial number; else
/// `cert_ocsp_unknown`); and that response is current within `ocsp_clock_skew`
/// (`cert_ocsp_stale`). The status it gives is returned as is, revoked and unknown included.
HTTPS_DECL result<ocsp_status> check_ocsp_response(bytes_view der, const certificate& leaf,
                                                   const certificate& issuer, unix_time now);

} // namespace https::x509


#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace https::x509 {

namespace detail {

/// A GeneralizedTime (RFC 6960 uses no UTCTime).
HTTPS_DECL result<unix_time> read_generalized_time(der::parser& p) {
    auto el = p.read(der::tag::generalized_time);
    if (!el) {
        return el.error();
    }
    return parse_time(*el);
}

/// Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension, none of which we process: a critical one
/// makes the response unusable (RFC 5280 §4.2 by way of RFC 6960 §4.4).
HTTPS_DECL status check_ocsp_extensions(der::parser& p, std::uint8_t tag) {
    if (!p.next_is(tag)) {
        return {};
    }
    auto wrapper = p.read_constructed(tag);
    if (!wrapper) {
        return wrapper.error();
    }
    auto list = wrapper->read_sequence();
    if (!list) {
        return list.error();
    }
    HTTPS_TRY(wrapper->expect_empty());
    return for_each_element(*list, [](der::parser& e) -> status {
        auto ext = e.read_sequence();
        if (!ext) {
            return ext.error();
        }
        HTTPS_TRY(ext->read_oid());
        if (ext->next_is(der::tag::boolean)) {
            auto critical = ext->read_boolean();
            if (!critical) {
                return critical.error();
            }
            if (*critical) {
                return errc::unsupported_algorithm; // an extension we would have to process
            }
        }
        HTTPS_TRY(ext->read_octet_string());
        return ext->expect_empty();
    });
}

/// SingleResponse ::= SEQUENCE { certID, certStatus, thisUpdate, nextUpdate [0] EXPLICIT
/// OPTIONAL, singleExtensions [1] EXPLICIT OPTIONAL }.
HTTPS_DECL result<ocsp_single_response> parse_single_response(der::parser& p) {
    auto seq = p.read_sequence();
    if (!seq) {
        return seq.error();
    }
    ocsp_single_response r;
    auto id = seq->read_sequence();
    if (!id) {
        return id.error();
    }
    auto hash = parse_hash_identifier(*id);
    if (!hash) {
        return hash.error();
    }
    r.id_hash = *hash;
    auto name_hash = id->read_octet_string();
    if (!name_hash) {
        return name_hash.error();
    }
    auto key_hash = id->read_octet_string();
    if (!key_hash) {
        return key_hash.error();
    }
    auto serial = id->read_integer();
    if (!serial) {
        return serial.error();
    }
    HTTPS_TRY(id->expect_empty());
    r.issuer_name_hash = *name_hash;
    r.issuer_key_hash = *key_hash;
    r.serial = *serial;

    // CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo,
    // unknown [2] IMPLICIT NULL }; RevokedInfo ::= SEQUENCE { revocationTime, revocationReason
    // [0] EXPLICIT CRLReason OPTIONAL }.
    auto cert_status = seq->read_any();
    if (!cert_status) {
        return cert_status.error();
    }
    if (cert_status->tag == der::tag::context_primitive(0) ||
        cert_status->tag == der::tag::context_primitive(2)) {
        if (!cert_status->contents.empty()) {
            return errc::bad_encoding;
        }
        r.status = cert_status->tag == der::tag::context_primitive(0) ? revocation_status::good
                                                                      : revocation_status::unknown;
    } else if (cert_status->tag == der::tag::context_constructed(1)) {
        der::parser info(cert_status->contents, seq->depth() + 1);
        auto when = read_generalized_time(info);
        if (!when) {
            return when.error();
        }
        if (info.next_is(der::tag::context_constructed(0))) {
            auto reason = info.read_constructed(der::tag::context_constructed(0));
            if (!reason) {
                return reason.error();
            }
            auto code = reason->read(0x0a); // ENUMERATED
            if (!code) {
                return code.error();
            }
            HTTPS_TRY(reason->expect_empty());
        }
        HTTPS_TRY(info.expect_empty());
        r.status = revocation_status::revoked;
        r.revocation_time = *when;
    } else {
        return errc::unexpected_tag;
    }
    auto this_update = read_generalized_time(*seq);
    if (!this_update) {
        return this_update.error();
    }
    r.this_update = *this_update;
    if (seq->next_is(der::tag::context_constructed(0))) {
        auto wrapper = seq->read_constructed(der::tag::context_constructed(0));
        if (!wrapper) {
            return wrapper.error();
        }
        auto next = read_generalized_time(*wrapper);
        if (!next) {
            return next.error();
        }
        HTTPS_TRY(wrapper->expect_empty());
        if (*next < r.this_update) {
            return errc::out_of_range;
        }
        r.next_update = *next;
    }
    HTTPS_TRY(check_ocsp_extensions(*seq, der::tag::context_constructed(1)));
    HTTPS_TRY(seq->expect_empty());
    return r;
}

/// The parse proper; errors are the underlying decode errors.
HTTPS_DECL status parse_ocsp_response_into(bytes_view data, ocsp_response& out) {
    if (data.size() > max_ocsp_response_size) {
        return errc::too_large;
    }
    // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT
    // ResponseBytes OPTIONAL }: only successful(0) carries a response.
    der::parser top(data);
    auto outer = top.read_sequence();
    if (!outer) {
        return outer.error();
    }
    HTTPS_TRY(top.expect_empty());
    auto response_status = outer->read(0x0a);
    if (!response_status) {
        return response_status.error();
    }
    if (response_status->contents.size() != 1 || response_status->contents[0] != 0) {
        return errc::out_of_range; // malformedRequest, internalError, tryLater, ...
    }
    auto bytes_wrapper = outer->read_constructed(der::tag::context_constructed(0));
    if (!bytes_wrapper) {
        return bytes_wrapper.error();
    }
    HTTPS_TRY(outer->expect_empty());
    auto response_bytes = bytes_wrapper->read_sequence();
    if (!response_bytes) {
        return response_bytes.error();
    }
    HTTPS_TRY(bytes_wrapper->expect_empty());
    auto type = response_bytes->read_oid();
    if (!type) {
        return type.error();
    }
    if (!der::oid_equals(*type, oid::ocsp_basic)) {
        return errc::unsupported_algorithm;
    }
    auto basic_der = response_bytes->read_octet_string();
    if (!basic_der) {
        return basic_der.error();
    }
    HTTPS_TRY(response_bytes->expect_empty());

    // BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm, signature BIT STRING,
    // certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }.
    der::parser basic_top(*basic_der, response_bytes->depth() + 1);
    auto basic = basic_top.read_sequence();
    if (!basic) {
        return basic.error();
    }
    HTTPS_TRY(basic_top.expect_empty());
    auto tbs = basic->read_any();
    if (!tbs) {
        return tbs.error();
    }
    if (tbs->tag != der::tag::sequence) {
        return errc::unexpected_tag;
    }
    out.tbs = tbs->encoded;
    auto alg = parse_signature_algorithm(*basic);
    if (!alg) {
        return alg.error();
    }
    out.sig_alg = *alg;
    auto signature = basic->read_bit_string();
    if (!signature) {
        return signature.error();
    }
    if (signature->unused_bits != 0) {
        return errc::bad_encoding;
    }
    out.signature = signature->bytes;
    if (basic->next_is(der::tag::context_constructed(0))) {
        auto wrapper = basic->read_constructed(der::tag::context_constructed(0));
        if (!wrapper) {
            return wrapper.error();
        }
        auto certs = wrapper->read_sequence();
        if (!certs) {
            return certs.error();
        }
        HTTPS_TRY(wrapper->expect_empty());
        while (!certs->empty()) {
            if (out.certificates.size() == max_ocsp_entries) {
                return errc::too_large;
            }
            auto cert = certs->read_any();
            if (!cert) {
                return cert.error();
            }
            if (cert->tag != der::tag::sequence) {
                return errc::unexpected_tag;
            }
            out.certificates.push_back(cert->encoded);
        }
    }
    HTTPS_TRY(basic->expect_empty());

    // ResponseData ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, responderID, producedAt,
    // responses SEQUENCE OF SingleResponse, responseExtensions [1] EXPLICIT OPTIONAL }. v1 is the
    // only version and DER omits a default, so a version field is refused.
    der::parser data_fields(tbs->contents, basic->depth() + 1);
    if (data_fields.next_is(der::tag::context_constructed(0))) {
        return errc::non_minimal_encoding;
    }
    // ResponderID ::= CHOICE { byName [1] EXPLICIT Name, byKey [2] EXPLICIT KeyHash }.
    auto responder = data_fields.read_any();
    if (!responder) {
        return responder.error();
    }
    der::parser choice(responder->contents, data_fields.depth() + 1);
    if (responder->tag == der::tag::context_constructed(1)) {
        auto n = choice.read_any();
        if (!n) {
            return n.error();
        }
        auto parsed = parse_name(n->encoded, choice.depth());
        if (!parsed) {
            return parsed.error();
        }
        out.responder_name = *parsed;
    } else if (responder->tag == der::tag::context_constructed(2)) {
        auto hash = choice.read_octet_string();
        if (!hash) {
            return hash.error();
        }
        if (hash->size() != 20) { // SHA-1 of the key (RFC 6960 §4.2.1)
            return errc::bad_encoding;
        }
        out.responder_key_hash = *hash;
    } else {
        return errc::unexpected_tag;
    }
    HTTPS_TRY(choice.expect_empty());
    auto produced = read_generalized_time(data_fields);
    if (!produced) {
        return produced.error();
    }
    out.produced_at = *produced;
    auto responses = data_fields.read_sequence();
    if (!responses) {
        return responses.error();
    }
    while (!responses->empty()) {
        if (out.responses.size() == max_ocsp_entries) {
            return errc::too_large;
        }
        auto single = parse_single_response(*responses);
        if (!single) {
            return single.error();
        }
        out.responses.push_back(*single);
    }
    HTTPS_TRY(check_ocsp_extensions(data_fields, der::tag::context_constructed(1)));
    return data_fields.expect_empty();
}

/// Is `hash` the digest (under `alg`) of `data`?
HTTPS_DECL bool digest_equals(hash_algorithm alg, bytes_view data, bytes_view hash) {
    const auto id = to_hash_id(alg);
    if (!id) {
        return false;
    }
    std::array<std::uint8_t, crypto::max_digest_size> d{};
    const std::size_t n = digest_of(*id, data, d);
    return n == hash.size() && std::equal(hash.begin(), hash.end(), d.begin());
}

/// Does the ResponderID name the certificate `c` (by the SHA-1 of its key, or by its subject)?
HTTPS_DECL bool responder_is(const ocsp_response& r, const certificate& c) {
    if (r.responder_name) {
        return names_equal(*r.responder_name, c.subject);
    }
    return digest_equals(hash_algorithm::sha1, c.spki.key, r.responder_key_hash);
}

/// Is `signature` over `tbs` by `key` under `alg`, with a digest we still accept?
HTTPS_DECL bool signed_by(const public_key_info& key, const signature_algorithm& alg,
                          bytes_view tbs, bytes_view signature) {
    const bool weak = alg.hash == hash_algorithm::md5 || alg.hash == hash_algorithm::sha1;
    return !weak && verify_signature(key, alg, tbs, signature).ok();
}

} // namespace detail

HTTPS_DECL result<ocsp_response> parse_ocsp_response(bytes_view der, errc* cause) {
    ocsp_response r;
    const status s = detail::parse_ocsp_response_into(der, r);
    if (cause != nullptr) {
        *cause = s.error();
    }
    if (!s) {
        return errc::cert_ocsp_malformed;
    }
    return r;
}

HTTPS_DECL result<ocsp_status> check_ocsp_response(bytes_view der, const certificate& leaf,
                                                   const certificate& issuer, unix_time now) {
    auto r = parse_ocsp_response(der);
    if (!r) {
        return r.error();
    }
    // §4.2.2.2: the issuer signs, or a responder whose certificate the issuer signed directly
    // and marked with id-kp-OCSPSigning, valid now.
    bool authentic = false;
    if (detail::responder_is(*r, issuer)) {
        authentic = detail::signed_by(issuer.spki, r->sig_alg, r->tbs, r->signature);
    } else {
        for (bytes_view cert_der : r->certificates) {
            auto responder = parse_certificate(cert_der);
            if (!responder || !detail::responder_is(*r, *responder)) {
                continue;
            }
            const certificate& c = *responder;
            authentic = names_equal(c.issuer, issuer.subject) &&
                        detail::signed_by(issuer.spki, c.sig_alg, c.tbs, c.signature) &&
                        c.ext_key_usage.ocsp_signing && !c.unknown_critical_extension &&
                        now >= c.not_before && now <= c.not_after &&
                        detail::signed_by(c.spki, r->sig_alg, r->tbs, r->signature);
            break;
        }
    }
    if (!authentic) {
        return errc::cert_ocsp_bad_responder;
    }
    // §4.1.1 CertID: the hashes of the issuer's name and key, and the leaf's serial number.
    const auto match = std::find_if(
        r->responses.begin(), r->responses.end(), [&](const ocsp_single_response& s) {
            return s.serial.size() == leaf.serial.size() &&
                   std::equal(s.serial.begin(), s.serial.end(), leaf.serial.begin()) &&
                   detail::digest_equals(s.id_hash, leaf.issuer.der, s.issuer_name_hash) &&
                   detail::digest_equals(s.id_hash, issuer.spki.key, s.issuer_key_hash);
        });
    if (match == r->responses.end()) {
        return errc::cert_ocsp_unknown;
    }
    // §3.2 (5)-(6): current, within the allowed skew.
    const unix_time expires =
        match->next_update ? *match->next_update : match->this_update + ocsp_validity_without_next_update;
    if (match->this_update > now + ocsp_clock_skew || now > expires + ocsp_clock_skew) {
        return errc::cert_ocsp_stale;
    }
    ocsp_status out;
    out.status = match->status;
    out.this_update = match->this_update;
    out.next_update = match->next_update;
    out.revocation_time = match->revocation_time;
    return out;
}

} // namespace https::x509
// ---- https/x509/impl/verify.ipp ----------------------------------------------------------------
// Path validation and verify_chain (x509/verify.hpp), out of line for separate compilation.

// ---- https/x509/verify.hpp ---------------------------------------------------------------------
// Certificate path building (RFC 4158) and validation (RFC 5280 §6) for TLS server certificates.

// ---- https/x509/hostname.hpp -------------------------------------------------------------------
// Server identity checks (RFC 9525, formerly RFC 6125): DNS names and IP addresses against the
// subjectAltName of a certificate; no Common Name fallback.


#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace https::x509 {

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address in network byte order.
struct ip_address {
    std::array<std::uint8_t, 16> bytes{};
    std::uint8_t size = 0;
    [[nodiscard]] bytes_view view() const noexcept { return {bytes.data(), size}; }
    friend bool operator==(const ip_address& a, const ip_address& b) noexcept {
        return a.size == b.size &&
               std::equal(a.bytes.begin(), a.bytes.begin() + a.size, b.bytes.begin());
    }
};

/// Whether a certificate check must name the server it is for. Leaving the identity out is a
/// choice made explicitly (`none`: path validation only, as `openssl verify` without
/// -verify_hostname), never the effect of an empty host name.
enum class host_check : std::uint8_t {
    required, ///< a host name or address must be given and must match (the default)
    none,     ///< no identity to check; one given anyway is still checked
};

namespace detail {

/// Dotted-quad IPv4: exactly four decimal parts 0..255, no leading zeros (so "010" is never
/// read as octal by one program and decimal by another), nothing else.
inline bool parse_ipv4(std::string_view s, std::uint8_t* out) noexcept {
    for (int part = 0; part < 4; ++part) {
        if (part > 0) {
            if (s.empty() || s.front() != '.') {
                return false;
            }
            s.remove_prefix(1);
        }
        std::size_t n = 0;
        unsigned value = 0;
        while (n < s.size() && n < 4 && s[n] >= '0' && s[n] <= '9') {
            value = value * 10 + static_cast<unsigned>(s[n] - '0');
            ++n;
        }
        if (n == 0 || n > 3 || value > 255 || (n > 1 && s[0] == '0')) {
            return false;
        }
        out[part] = static_cast<std::uint8_t>(value);
        s.remove_prefix(n);
    }
    return s.empty();
}

inline int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/// Colon-separated 16-bit groups (RFC 4291 §2.2), the last of which may be a dotted IPv4 address
/// when `allow_v4_tail`; appends bytes to `out` and counts them in `n`. Empty input is no groups.
inline bool parse_v6_groups(std::string_view s, bool allow_v4_tail, std::uint8_t* out,
                            std::size_t& n) noexcept {
    if (s.empty()) {
        return true;
    }
    for (;;) {
        const std::size_t colon = s.find(':');
        std::string_view group = s.substr(0, colon);
        const bool last = colon == std::string_view::npos;
        if (last && allow_v4_tail && group.find('.') != std::string_view::npos) {
            if (n + 4 > 16 || !parse_ipv4(group, out + n)) {
                return false;
            }
            n += 4;
            return true;
        }
        if (group.empty() || group.size() > 4 || n + 2 > 16) {
            return false;
        }
        unsigned value = 0;
        for (char c : group) {
            const int d = hex_digit(c);
            if (d < 0) {
                return false;
            }
            value = value * 16 + static_cast<unsigned>(d);
        }
        out[n++] = static_cast<std::uint8_t>(value >> 8);
        out[n++] = static_cast<std::uint8_t>(value);
        if (last) {
            return true;
        }
        s.remove_prefix(colon + 1);
    }
}

inline bool parse_ipv6(std::string_view s, std::uint8_t* out) noexcept {
    const std::size_t gap = s.find("::");
    std::uint8_t head[16] = {};
    std::uint8_t tail[16] = {};
    std::size_t head_n = 0;
    std::size_t tail_n = 0;
    if (gap == std::string_view::npos) {
        if (!parse_v6_groups(s, true, head, head_n) || head_n != 16) {
            return false;
        }
        std::copy(head, head + 16, out);
        return true;
    }
    const std::string_view before = s.substr(0, gap);
    const std::string_view after = s.substr(gap + 2);
    if (after.find("::") != std::string_view::npos) {
        return false; // at most one "::"
    }
    if (!parse_v6_groups(before, false, head, head_n) ||
        !parse_v6_groups(after, true, tail, tail_n) || head_n + tail_n > 14) {
        return false; // "::" stands for at least one zero group
    }
    std::fill(out, out + 16, std::uint8_t{0});
    std::copy(head, head + head_n, out);
    std::copy(tail, tail + tail_n, out + 16 - tail_n);
    return true;
}

inline char ascii_lower(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

inline bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return ascii_lower(x) == ascii_lower(y);
           });
}

/// A reference identity we are willing to look up: letters, digits, hyphens and underscores
/// (seen in real host names) in dot-separated labels of 1..63 characters, 253 in all.
inline bool valid_reference_name(std::string_view host) noexcept {
    if (host.empty() || host.size() > 253) {
        return false;
    }
    std::size_t label = 0;
    for (char c : host) {
        if (c == '.') {
            if (label == 0) {
                return false;
            }
            label = 0;
            continue;
        }
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok || ++label > 63) {
            return false;
        }
    }
    return label != 0;
}

/// One dNSName against a valid reference host (both without a trailing dot: the certificate
/// parser refuses dNSNames that end in one, `check_dns_name` strips it from the host). RFC 9525
/// §6.3: case-insensitive ASCII comparison; a wildcard only as the entire left-most label `*`,
/// matching exactly one non-empty label, and (as CA/Browser Forum rules and browsers do) only when
/// at least two labels follow it, so `*.com` matches nothing and `*.example.com` never matches
/// `example.com` or `a.b.example.com`.
inline bool dns_name_matches(std::string_view presented, std::string_view reference) noexcept {
    if (presented.size() > 2 && presented[0] == '*' && presented[1] == '.') {
        const std::string_view parent = presented.substr(2);
        if (parent.find('*') != std::string_view::npos ||
            parent.find('.') == std::string_view::npos || !valid_reference_name(parent)) {
            return false;
        }
        const std::size_t dot = reference.find('.');
        if (dot == std::string_view::npos || dot == 0) {
            return false;
        }
        return iequals(reference.substr(dot + 1), parent);
    }
    if (presented.find('*') != std::string_view::npos) {
        return false; // partial-label wildcards (`f*o.example.com`) are refused (RFC 9525 §6.3)
    }
    return iequals(presented, reference);
}

} // namespace detail

/// Parse the text of an IPv4 address (dotted quad) or IPv6 address (RFC 4291 §2.2, with `::`
/// and an embedded IPv4 tail; no zone index, no brackets). Nothing if the text is neither.
inline std::optional<ip_address> parse_ip_address(std::string_view text) noexcept {
    ip_address a;
    if (text.find(':') != std::string_view::npos) {
        if (!detail::parse_ipv6(text, a.bytes.data())) {
            return std::nullopt;
        }
        a.size = 16;
        return a;
    }
    if (!detail::parse_ipv4(text, a.bytes.data())) {
        return std::nullopt;
    }
    a.size = 4;
    return a;
}

/// The text form of an address: IPv4 dotted decimal; IPv6 as RFC 5952 §4 recommends (lower-case
/// hexadecimal without leading zeros, the longest run of two or more zero groups, the first when
/// tied, shortened to `::`). The one canonical text for each address.
inline std::string format_ip_address(const ip_address& a) {
    std::string out;
    if (a.size == 4) {
        for (std::size_t i = 0; i < 4; ++i) {
            if (i != 0) {
                out.push_back('.');
            }
            out += std::to_string(a.bytes[i]);
        }
        return out;
    }
    std::array<unsigned, 8> groups{};
    for (std::size_t i = 0; i < 8; ++i) {
        groups[i] = static_cast<unsigned>(a.bytes[2 * i] << 8 | a.bytes[2 * i + 1]);
    }
    std::size_t best = 8;
    std::size_t best_length = 1; // a single zero group is not shortened (§4.2.2)
    for (std::size_t i = 0; i < 8;) {
        std::size_t j = i;
        while (j < 8 && groups[j] == 0) {
            ++j;
        }
        if (j - i > best_length) {
            best = i;
            best_length = j - i;
        }
        i = j == i ? i + 1 : j;
    }
    static constexpr char digits[] = "0123456789abcdef";
    for (std::size_t i = 0; i < 8; ++i) {
        if (i == best) {
            out += "::";
            i += best_length - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') {
            out.push_back(':');
        }
        bool started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            const unsigned d = (groups[i] >> shift) & 0xf;
            if (d != 0 || started || shift == 0) {
                out.push_back(digits[d]);
                started = true;
            }
        }
    }
    return out;
}

/// Does one of the certificate's dNSName SANs match `host`? One trailing dot on `host` is
/// ignored; a `host` that is not a syntactically valid DNS name never matches. The subject's
/// Common Name is never consulted (RFC 9525 §6.3, CA/Browser Forum BR 7.1.4.3).
/// Mismatch: `errc::cert_hostname_mismatch`.
inline status check_dns_name(const certificate& cert, std::string_view host) noexcept {
    if (!host.empty() && host.back() == '.') {
        host.remove_suffix(1);
    }
    if (!detail::valid_reference_name(host)) {
        return errc::cert_hostname_mismatch;
    }
    for (std::string_view presented : cert.subject_alt_names.dns_names) {
        if (detail::dns_name_matches(presented, host)) {
            return {};
        }
    }
    return errc::cert_hostname_mismatch;
}

/// Does one of the certificate's iPAddress SANs equal `address` (byte-exact, same family)?
inline status check_ip_address(const certificate& cert, const ip_address& address) noexcept {
    const bytes_view want = address.view();
    for (bytes_view presented : cert.subject_alt_names.ip_addresses) {
        if (presented.size() == want.size() &&
            std::equal(want.begin(), want.end(), presented.begin())) {
            return {};
        }
    }
    return errc::cert_hostname_mismatch;
}

/// The host a client connected to, as written in a URL: an IP literal (IPv6 optionally in
/// brackets) is checked against iPAddress SANs only, anything else against dNSName SANs only.
inline status check_host(const certificate& cert, std::string_view host) noexcept {
    std::string_view literal = host;
    if (literal.size() > 2 && literal.front() == '[' && literal.back() == ']') {
        literal = literal.substr(1, literal.size() - 2);
        if (auto ip = parse_ip_address(literal); ip && ip->size == 16) {
            return check_ip_address(cert, *ip);
        }
        return errc::cert_hostname_mismatch;
    }
    if (auto ip = parse_ip_address(literal)) {
        return check_ip_address(cert, *ip);
    }
    return check_dns_name(cert, host);
}

} // namespace https::x509
// ---- https/x509/web_pki.hpp --------------------------------------------------------------------
// The web PKI certificate profile: the RFC 5280 §4 requirements on certificate contents and the
// CA/Browser Forum Baseline Requirements (BR) §7.1 certificate profile, checked on every
// certificate of a path during validation, on top of RFC 5280 §6 path validation.


#include <cstdint>
#include <string_view>

namespace https::x509 {

/// Which rules a server certificate is held to beyond RFC 5280 §6 path validation.
enum class certificate_profile : std::uint8_t {
    /// RFC 5280 §4 and CA/Browser Forum BR §7.1, as the strictest web verifiers apply them
    /// (the default; what every publicly trusted server certificate satisfies).
    web_pki,
    /// RFC 5280 §6 path validation only: for private PKIs whose certificates do not follow the
    /// BRs (no extendedKeyUsage, no key identifiers, a Common Name that is not a SAN, ...).
    rfc5280,
};

/// Where a certificate sits on a path being validated.
enum class path_role : std::uint8_t { leaf, intermediate, anchor };

namespace detail {

/// 2012-07-01T00:00:00Z, from when the Baseline Requirements bind issuance (BR 1.1).
inline constexpr unix_time baseline_requirements_effective = 1341100800;

/// Is `name` a host name in the preferred name syntax (RFC 1034 §3.5 as RFC 1123 §2.1 relaxes
/// it; RFC 5280 §4.2.1.6): dot-separated labels of 1..63 letters, digits and hyphens, neither
/// starting nor ending with a hyphen, 253 characters in all? With `allow_wildcard`, the whole
/// left-most label may be `*` (BR 7.1.2.7.12's Wildcard Domain Name); no other `*` anywhere.
HTTPS_DECL bool preferred_dns_name(std::string_view name, bool allow_wildcard) noexcept;

/// Is `name` a public suffix we know of: any single label (a top-level domain), or one of the
/// second-level registry suffixes most used under country codes (co.uk, com.au, co.jp, ...; the
/// list is at the definition). A wildcard directly over one (`*.co.uk`) is refused, as
/// BR 3.2.2.6 forbids such issuance. Case-insensitive.
HTTPS_DECL bool known_public_suffix(std::string_view name) noexcept;

/// The rules of the web PKI profile for one certificate in role `role` (`self_issued`: issuer
/// and subject are equal). Each check cites its rule; the error names the rule broken.
HTTPS_DECL status check_web_pki_profile(const certificate& c, path_role role, bool self_issued);

} // namespace detail

} // namespace https::x509


#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace https::x509 {

/// Limit on the untrusted certificates offered with a leaf (a TLS chain has 1..4; a tangled pool
/// of cross-signed intermediates a few dozen).
inline constexpr std::size_t max_untrusted_certificates = 64;

/// What to verify a server certificate against.
struct verify_options {
    /// The verification time; the current time when empty.
    std::optional<unix_time> time;
    /// The server identity: a dNSName SAN must match `dns_name` (`check_dns_name`) if it is not
    /// empty, an iPAddress SAN must equal `ip` (`check_ip_address`) if it is set. With neither,
    /// verification fails with `errc::cert_no_identity` unless `check_host` is
    /// `host_check::none`: an empty name never skips the check silently.
    std::string dns_name;
    std::optional<ip_address> ip;
    host_check check_host = host_check::required;
    /// The certificate profile every certificate of the path must satisfy: the web PKI's by
    /// default (RFC 5280 §4 and CA/Browser Forum BR §7.1; see `certificate_profile`).
    certificate_profile profile = certificate_profile::web_pki;
    /// Revocation by a stapled OCSP response (RFC 6066 §8): `staple_requested` when the TLS
    /// handshake asked the server for one, `ocsp_staple` the response it sent, if any. A usable
    /// response (`check_ocsp_response`) that says revoked is `cert_revoked`. A leaf that demands a
    /// staple (RFC 7633 must-staple) fails when one was requested and none is usable:
    /// `cert_ocsp_missing`, or why the one sent is not (`cert_ocsp_stale`, ...). Without
    /// must-staple an unusable response is set aside (`verified_path::staple_error` says why).
    bool staple_requested = false;
    std::optional<bytes_view> ocsp_staple;
    /// Longest path accepted, leaf and trust anchor included (at most 32). Real chains have 2 to
    /// 5 certificates; 16 leaves room for cross-signed detours and still bounds the search.
    std::size_t max_path_length = 16;
    /// Bound on the work of path building: signature verifications, and ten times as many
    /// candidate steps. Exhausting it is `errc::cert_chain_too_long`.
    std::size_t max_signature_checks = 64;

    /// Set the identity from a URL host: an IP literal (IPv6 possibly in brackets) sets `ip`,
    /// anything else `dns_name`.
    void set_host(std::string_view host) {
        std::string_view literal = host;
        if (literal.size() > 2 && literal.front() == '[' && literal.back() == ']') {
            literal = literal.substr(1, literal.size() - 2);
        }
        if (auto a = parse_ip_address(literal)) {
            ip = a;
            dns_name.clear();
        } else {
            dns_name.assign(host);
            ip.reset();
        }
    }
};

/// A validated path: the certificates from the leaf (first) to the trust anchor (last), as views
/// of the caller's buffers and of the trust store.
struct verified_path {
    std::vector<bytes_view> certificates;
    /// What the stapled OCSP response said of the leaf, when one was given and usable.
    std::optional<ocsp_status> revocation;
    /// Why a stapled response that was given could not be used; `errc::ok` otherwise.
    errc staple_error = errc::ok;
};

namespace detail {

/// A certificate taking part in path building, with its names' canonical keys.
struct path_node {
    const certificate* cert = nullptr;
    const trust_anchor* anchor = nullptr; ///< set for trust anchors
    std::string subject_key;
    std::string issuer_key;
    bool self_issued = false;
};

inline path_node make_node(const certificate* c, const trust_anchor* anchor) {
    path_node n;
    n.cert = c;
    n.anchor = anchor;
    n.subject_key = canonical_key(c->subject);
    n.issuer_key = canonical_key(c->issuer);
    n.self_issued = n.subject_key == n.issuer_key;
    return n;
}

inline bool weak_hash(hash_algorithm h) noexcept {
    return h == hash_algorithm::md5 || h == hash_algorithm::sha1;
}

inline bool same_bytes(bytes_view a, bytes_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

/// RSA moduli below this are refused anywhere in a path (NIST SP 800-131A; CA/B Forum BR 6.1.5).
inline constexpr std::size_t min_rsa_bits = 2048;

/// Is a DNS name within a dNSName constraint (RFC 5280 §4.2.1.10)? A constraint matches itself
/// and any name formed by adding labels on the left; a leading dot (a common extension) matches
/// only such longer names. Comparison is case-insensitive; an empty constraint matches all.
/// Neither name ends in a dot: the certificate parser refuses such dNSNames.
inline bool dns_within(std::string_view dns, std::string_view constraint) noexcept {
    if (constraint.empty()) {
        return true;
    }
    if (constraint.front() == '.') {
        return dns.size() > constraint.size() &&
               iequals(dns.substr(dns.size() - constraint.size()), constraint);
    }
    if (dns.size() == constraint.size()) {
        return iequals(dns, constraint);
    }
    return dns.size() > constraint.size() && dns[dns.size() - constraint.size() - 1] == '.' &&
           iequals(dns.substr(dns.size() - constraint.size()), constraint);
}

/// Could the wildcard SAN `*.parent` name a host inside the excluded subtree `constraint`? Only
/// if the subtree is a single label under `parent` (the wildcard matches exactly one label).
inline bool wildcard_may_enter(std::string_view dns, std::string_view constraint) noexcept {
    if (dns.size() < 2 || dns[0] != '*' || dns[1] != '.' || constraint.empty() ||
        constraint.front() == '.') {
        return false;
    }
    const std::string_view parent = dns.substr(2);
    const std::size_t dot = constraint.find('.');
    return dot != std::string_view::npos && dot != 0 && iequals(constraint.substr(dot + 1), parent);
}

/// Is an address (4 or 16 bytes) inside an address+mask constraint of the same family?
inline bool ip_within(bytes_view address, bytes_view constraint) noexcept {
    if (constraint.size() != 2 * address.size()) {
        return false;
    }
    const std::size_t n = address.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (((address[i] ^ constraint[i]) & constraint[n + i]) != 0) {
            return false;
        }
    }
    return true;
}

/// Is a distinguished name inside a directoryName subtree (its RDNs start with the base's)?
inline bool directory_within(const std::vector<std::string>& rdns, const name& base) {
    const std::vector<std::string> prefix = rdn_keys(base);
    return prefix.size() <= rdns.size() && std::equal(prefix.begin(), prefix.end(), rdns.begin());
}

/// RFC 5280 §6.1.3 (b)-(c): the names of `c` against one CA's name constraints. DNS names and IP
/// addresses come from subjectAltName (the Common Name is never a host name here, so it is not
/// constrained); the subject and directoryName SANs against directoryName subtrees. A name form
/// constrained by the CA that we do not process (rfc822Name, URI, ...) and that `c` carries makes
/// the certificate unacceptable, as §4.2.1.10 requires of applications that cannot process it.
HTTPS_DECL status check_name_constraints(const certificate& c, const name_constraints& nc);

/// Validate one complete candidate path (leaf first, anchor last) at time `now`, in the order of
/// RFC 5280 §6.1 (from the anchor down). The trust anchor's own constraints (validity, CA flag,
/// path length, key usage, EKU, name constraints) are enforced too, as OpenSSL and browsers do;
/// v1/v2 anchors, which cannot carry basicConstraints, are accepted as CAs.
/// With `certificate_profile::web_pki`, each certificate is then also held to that profile
/// (`check_web_pki_profile`), after the checks of §6.1 so that they name a path failure first.
/// On failure `failed_at` (if given) receives the index of the certificate that failed.
HTTPS_DECL status validate_path(const std::vector<const path_node*>& path, unix_time now,
                                certificate_profile profile, std::size_t* failed_at = nullptr);

/// The checks of `validate_path` on `path[i]`, the certificates above it already checked.
HTTPS_DECL status validate_path_element(const std::vector<const path_node*>& path,
                                        std::size_t i, unix_time now,
                                        certificate_profile profile);

/// Depth-first search for a valid path from a leaf to a trust anchor, trying every candidate
/// issuer (anchors first, then the untrusted pool, certificates valid now before expired or
/// not-yet-valid ones) and backtracking past any that fail, so cross-signed and re-issued CAs,
/// dead ends and loops are handled. Work is bounded by the options' limits. When no path
/// validates, the error kept is the one from the attempt that came closest: a path that reached
/// an anchor beats one that did not; between those, the one whose failure lies nearer the leaf
/// (more of it validated) wins, and between the others the longer one.
template <class Verifier> class path_search {
  public:
    path_search(const Verifier& verify, const trust_store& store,
                const std::vector<path_node>& pool, const verify_options& options, unix_time now)
        : verify_(verify), store_(store), pool_(pool), options_(options), now_(now) {}

    result<std::vector<const path_node*>> run(const path_node& leaf) {
        path_.assign(1, &leaf);
        if (extend()) {
            return path_;
        }
        // Out of budget, the search gave up: a path may exist beyond it, so no failure found
        // so far is the answer.
        return exhausted_ ? errc::cert_chain_too_long : best_error_;
    }

    /// Verify `child`'s signature with `parent`'s key, once per pair. A key or signature
    /// algorithm we cannot verify with is `unsupported_algorithm`, not a bad signature.
    status check_edge(const path_node& child, const path_node& parent) {
        const certificate& c = *child.cert;
        const certificate& p = *parent.cert;
        if (p.spki.algorithm == key_algorithm::unsupported ||
            c.sig_alg.kind == signature_algorithm::scheme::unknown) {
            return errc::unsupported_algorithm;
        }
        if (weak_hash(c.sig_alg.hash)) {
            return errc::cert_weak_signature;
        }
        if (p.spki.algorithm == key_algorithm::rsa && p.spki.rsa_bits < min_rsa_bits) {
            return errc::cert_weak_key;
        }
        for (const auto& e : cache_) {
            if (e.child == &c && e.parent == &p) {
                return e.outcome == errc::ok ? status{} : status{e.outcome};
            }
        }
        if (++signature_checks_ > options_.max_signature_checks) {
            exhausted_ = true;
            return errc::cert_chain_too_long;
        }
        const status s = verify_(p.spki, c.sig_alg, c.tbs, c.signature);
        cache_.push_back({&c, &p, s.error()});
        return s;
    }

  private:
    struct cached {
        const certificate* child;
        const certificate* parent;
        errc outcome;
    };

    /// Keep `e` if its attempt came closer than the best so far. `progress` is the length of an
    /// incomplete path, or for a complete one the number of certificates validated before the
    /// failure plus one (so that it is never 0, which means "nothing recorded yet").
    void record(errc e, std::size_t progress, bool complete) {
        const bool better = best_progress_ == 0 || (complete && !best_complete_) ||
                            (complete == best_complete_ && progress > best_progress_);
        if (better) {
            best_error_ = e;
            best_progress_ = progress;
            best_complete_ = complete;
        }
    }

    /// Does `parent` sign `child` (`check_edge`)? A failure is recorded as a dead end.
    bool usable_edge(const path_node& child, const path_node& parent) {
        const status s = check_edge(child, parent);
        if (!s) {
            record(s.error(), path_.size() + 1, false);
        }
        return s.ok();
    }

    [[nodiscard]] bool valid_now(const certificate& c) const noexcept {
        return now_ >= c.not_before && now_ <= c.not_after;
    }

    /// Would `candidate` repeat a certificate, or a subject and key pair, already on the path?
    bool on_path(const path_node& candidate) const {
        return std::any_of(path_.begin(), path_.end(), [&](const path_node* n) {
            return n->cert == candidate.cert ||
                   (n->subject_key == candidate.subject_key &&
                    same_bytes(n->cert->spki.der, candidate.cert->spki.der));
        });
    }

    /// RFC 5280 §4.2.1.1: when the child names its issuer's key and the candidate names its own,
    /// they must agree (OpenSSL applies the same filter).
    static bool key_ids_conflict(const certificate& child, const certificate& parent) {
        return !child.authority_key_id.empty() && !parent.subject_key_id.empty() &&
               !same_bytes(child.authority_key_id, parent.subject_key_id);
    }

    const path_node& anchor_node(const trust_anchor* a, const certificate* c) {
        for (const path_node& n : anchor_nodes_) {
            if (n.anchor == a) {
                return n;
            }
        }
        anchor_nodes_.push_back(make_node(c, a));
        return anchor_nodes_.back();
    }

    bool out_of_budget() {
        if (++steps_ > 10 * options_.max_signature_checks) {
            exhausted_ = true;
        }
        if (exhausted_) {
            record(errc::cert_chain_too_long, path_.size(), false);
        }
        return exhausted_;
    }

    /// Try to complete `path_` (whose last element needs an issuer); true when a path validated.
    bool extend() {
        if (out_of_budget()) {
            return false;
        }
        const path_node& child = *path_.back();
        if (path_.size() >= std::min<std::size_t>(options_.max_path_length, 32)) {
            record(errc::cert_chain_too_long, path_.size(), false);
            return false;
        }
        bool any_candidate = false;
        for (const trust_anchor* a : store_.find_by_key(child.issuer_key)) {
            const certificate* parsed = a->parsed();
            if (parsed == nullptr || key_ids_conflict(*child.cert, *parsed)) {
                continue;
            }
            const path_node& node = anchor_node(a, parsed);
            if (on_path(node)) {
                continue;
            }
            any_candidate = true;
            if (!usable_edge(child, node)) {
                if (exhausted_) {
                    return false;
                }
                continue;
            }
            path_.push_back(&node);
            std::size_t failed_at = 0;
            if (const status s = validate_path(path_, now_, options_.profile, &failed_at); s) {
                return true;
            } else {
                record(s.error(), path_.size() - failed_at, true);
            }
            path_.pop_back();
        }
        // Two passes over the pool: the certificates valid now, then the others (an expired
        // cross-sign is only worth trying when nothing current leads anywhere).
        for (const bool current : {true, false}) {
            for (const path_node& node : pool_) {
                if (valid_now(*node.cert) != current || node.subject_key != child.issuer_key ||
                    key_ids_conflict(*child.cert, *node.cert) || on_path(node)) {
                    continue;
                }
                any_candidate = true;
                if (!usable_edge(child, node)) {
                    if (exhausted_) {
                        return false;
                    }
                    continue;
                }
                path_.push_back(&node);
                if (extend()) {
                    return true;
                }
                path_.pop_back();
                if (exhausted_) {
                    return false;
                }
            }
        }
        if (!any_candidate) {
            record(errc::cert_unknown_issuer, path_.size(), false);
        }
        return false;
    }

    const Verifier& verify_;
    const trust_store& store_;
    const std::vector<path_node>& pool_;
    const verify_options& options_;
    unix_time now_;
    std::vector<const path_node*> path_;
    std::deque<path_node> anchor_nodes_; // stable addresses
    std::vector<cached> cache_;
    std::size_t signature_checks_ = 0;
    std::size_t steps_ = 0;
    bool exhausted_ = false;
    errc best_error_ = errc::cert_unknown_issuer;
    std::size_t best_progress_ = 0;
    bool best_complete_ = false;
};

/// `verify_chain` with the signature check supplied: `verify(issuer_spki, signature_algorithm,
/// tbs, signature) -> status`. Tests use it to substitute an oracle.
template <class Verifier>
result<verified_path> verify_chain_with(const Verifier& verify, bytes_view leaf_der,
                                        std::span<const bytes_view> untrusted,
                                        const trust_store& anchors, const verify_options& options) {
    const bool identity = !options.dns_name.empty() || options.ip.has_value();
    if (!identity && options.check_host != host_check::none) {
        return errc::cert_no_identity;
    }
    if (untrusted.size() > max_untrusted_certificates) {
        return errc::cert_chain_too_long;
    }
    auto leaf = parse_certificate(leaf_der);
    if (!leaf) {
        return leaf.error();
    }
    std::vector<certificate> parsed;
    parsed.reserve(untrusted.size());
    for (bytes_view der : untrusted) {
        auto c = parse_certificate(der);
        if (!c) {
            return c.error(); // a malformed certificate in the chain taints the whole chain
        }
        const bool duplicate = same_bytes(der, leaf_der) ||
                               std::any_of(parsed.begin(), parsed.end(), [&](const certificate& o) {
                                   return same_bytes(o.der, der);
                               });
        if (!duplicate) {
            parsed.push_back(std::move(c).value());
        }
    }
    std::vector<path_node> pool;
    pool.reserve(parsed.size());
    for (const certificate& c : parsed) {
        pool.push_back(make_node(&c, nullptr));
    }
    const path_node leaf_node = make_node(&*leaf, nullptr);
    const unix_time now = options.time ? *options.time : current_time();

    verified_path out;
    const certificate* issuer = nullptr; // the leaf's, when the path has more than the leaf
    if (anchors.contains(leaf_der)) {
        // The leaf itself is trusted (a pinned self-signed server, say): a path of one.
        HTTPS_TRY(validate_path({&leaf_node}, now, options.profile));
        out.certificates.push_back(leaf_der);
    } else {
        path_search<Verifier> search(verify, anchors, pool, options, now);
        auto path = search.run(leaf_node);
        if (!path) {
            // RFC 5280 has no notion of it, but users need to hear "self-signed", not "unknown
            // issuer", when an untrusted leaf signed itself.
            if (path.error() == errc::cert_unknown_issuer && leaf_node.self_issued &&
                search.check_edge(leaf_node, leaf_node)) {
                return errc::cert_self_signed_leaf;
            }
            return path.error();
        }
        for (const path_node* n : *path) {
            out.certificates.push_back(n->cert->der);
        }
        issuer = (*path)[1]->cert; // a search's path holds the leaf and an anchor at least
    }
    if (options.ocsp_staple && issuer != nullptr) {
        auto checked = check_ocsp_response(*options.ocsp_staple, *leaf, *issuer, now);
        if (checked && checked->status == revocation_status::revoked) {
            return errc::cert_revoked;
        }
        if (checked && checked->status == revocation_status::good) {
            out.revocation = *checked;
        } else {
            out.staple_error = checked ? errc::cert_ocsp_unknown : checked.error();
        }
    }
    if (leaf->must_staple && options.staple_requested && !out.revocation) {
        return out.staple_error == errc::ok ? errc::cert_ocsp_missing : out.staple_error;
    }
    if (!options.dns_name.empty()) {
        HTTPS_TRY(check_dns_name(*leaf, options.dns_name));
    }
    if (options.ip) {
        HTTPS_TRY(check_ip_address(*leaf, *options.ip));
    }
    return out;
}

} // namespace detail

/// Verify a server's certificate chain for TLS server authentication: build a path from `leaf`
/// through `untrusted` (the other certificates the server sent, in any order, extras and
/// duplicates allowed) to one of `anchors`, validate it (RFC 5280 §6.1 with the stricter
/// rules documented at `detail::validate_path`), then check the identity in `options`. Every
/// failure is a specific `cert_*` error; the views in the result point into the inputs and the
/// trust store.
HTTPS_DECL result<verified_path> verify_chain(bytes_view leaf,
                                              std::span<const bytes_view> untrusted,
                                              const trust_store& anchors,
                                              const verify_options& options = {});

} // namespace https::x509


#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace https::x509 {

namespace detail {

HTTPS_DECL status check_name_constraints(const certificate& c, const name_constraints& nc) {
    const general_names& names = c.subject_alt_names;
    if ((names.other_forms & (nc.permitted.other_forms | nc.excluded.other_forms)) != 0) {
        return errc::cert_name_constraint_violated;
    }
    for (std::string_view dns : names.dns_names) {
        // A permitted subtree blesses host names only: a SAN that is not one in the preferred
        // name syntax is never inside it, whatever its suffix.
        if (!nc.permitted.dns_names.empty() &&
            (!preferred_dns_name(dns, true) ||
             std::none_of(nc.permitted.dns_names.begin(), nc.permitted.dns_names.end(),
                         [&](std::string_view p) { return dns_within(dns, p); }))) {
            return errc::cert_name_constraint_violated;
        }
        if (std::any_of(nc.excluded.dns_names.begin(), nc.excluded.dns_names.end(),
                        [&](std::string_view e) {
                            return dns_within(dns, e) || wildcard_may_enter(dns, e);
                        })) {
            return errc::cert_name_constraint_violated;
        }
    }
    for (bytes_view ip : names.ip_addresses) {
        if (!nc.permitted.ip_addresses.empty() &&
            std::none_of(nc.permitted.ip_addresses.begin(), nc.permitted.ip_addresses.end(),
                         [&](bytes_view p) { return ip_within(ip, p); })) {
            return errc::cert_name_constraint_violated;
        }
        if (std::any_of(nc.excluded.ip_addresses.begin(), nc.excluded.ip_addresses.end(),
                        [&](bytes_view e) { return ip_within(ip, e); })) {
            return errc::cert_name_constraint_violated;
        }
    }
    if (nc.permitted.directory_names.empty() && nc.excluded.directory_names.empty()) {
        return {};
    }
    std::vector<name> directories = names.directory_names;
    if (!c.subject.empty()) {
        directories.push_back(c.subject);
    }
    for (const name& n : directories) {
        const std::vector<std::string> rdns = rdn_keys(n);
        if (!nc.permitted.directory_names.empty() &&
            std::none_of(nc.permitted.directory_names.begin(), nc.permitted.directory_names.end(),
                         [&](const name& p) { return directory_within(rdns, p); })) {
            return errc::cert_name_constraint_violated;
        }
        if (std::any_of(nc.excluded.directory_names.begin(), nc.excluded.directory_names.end(),
                        [&](const name& e) { return directory_within(rdns, e); })) {
            return errc::cert_name_constraint_violated;
        }
    }
    return {};
}

HTTPS_DECL status validate_path_element(const std::vector<const path_node*>& path,
                                        std::size_t i, unix_time now,
                                        certificate_profile profile) {
    const std::size_t n = path.size();
    const certificate& c = *path[i]->cert;
    if (now < c.not_before) {
        return errc::cert_not_yet_valid;
    }
    if (now > c.not_after) {
        return errc::cert_expired;
    }
    if (c.unknown_critical_extension) {
        return errc::cert_unknown_critical_extension;
    }
    if (c.spki.algorithm == key_algorithm::rsa && c.spki.rsa_bits < min_rsa_bits) {
        return errc::cert_weak_key;
    }
    if (i + 1 < n && weak_hash(c.sig_alg.hash)) {
        return errc::cert_weak_signature;
    }
    if (i >= 1) {
        // §6.1.4 (k): an issuer must be a CA.
        const bool legacy_anchor = i == n - 1 && c.version < 3;
        if (!legacy_anchor && !(c.has(extension::basic_constraints) && c.is_ca)) {
            return errc::cert_not_ca;
        }
        // §6.1.4 (n): keyCertSign when keyUsage is present.
        if (c.key_usage && (*c.key_usage & key_usage::key_cert_sign) == 0) {
            return errc::cert_bad_key_usage;
        }
        // EKU on a CA restricts what it may issue for (CA/B Forum BR 7.1.2.2; every browser).
        // A trust anchor's EKU is honoured the same way, as a constraint on what it may
        // issue for (as NSS and Chrome do), although BR 7.1.2.1.2 forbids EKU in roots:
        // refusing such a root outright would only refuse what it was trusted for.
        if (c.has(extension::ext_key_usage) && !c.ext_key_usage.server_auth &&
            !c.ext_key_usage.any) {
            return errc::cert_bad_eku;
        }
        // §6.1.4 (l)-(m): at most pathLenConstraint non-self-issued intermediates below it.
        if (c.path_len_constraint) {
            std::size_t below = 0;
            for (std::size_t j = 1; j < i; ++j) {
                below += path[j]->self_issued ? 0 : 1;
            }
            if (below > *c.path_len_constraint) {
                return errc::cert_path_length_exceeded;
            }
        }
    } else {
        // The leaf: serverAuth when EKU is present (anyExtendedKeyUsage is not enough, as in
        // OpenSSL; BR 7.1.2.3 forbids it in server certificates) and a keyUsage that allows
        // a TLS key exchange or handshake signature.
        if (c.has(extension::ext_key_usage) && !c.ext_key_usage.server_auth) {
            return errc::cert_bad_eku;
        }
        constexpr std::uint16_t tls_uses = key_usage::digital_signature |
                                           key_usage::key_encipherment |
                                           key_usage::key_agreement;
        if (c.key_usage && (*c.key_usage & tls_uses) == 0) {
            return errc::cert_bad_key_usage;
        }
    }
    // §6.1.3 (b)-(c): names below a constraining CA; self-issued intermediates are exempt.
    if (i == 0 || !path[i]->self_issued) {
        for (std::size_t k = i + 1; k < n; ++k) {
            if (path[k]->cert->constraints) {
                HTTPS_TRY(check_name_constraints(c, *path[k]->cert->constraints));
            }
        }
    }
    if (profile == certificate_profile::web_pki) {
        const path_role role = i == 0       ? path_role::leaf
                               : i == n - 1 ? path_role::anchor
                                            : path_role::intermediate;
        HTTPS_TRY(check_web_pki_profile(c, role, path[i]->self_issued));
    }
    return {};
}

HTTPS_DECL status validate_path(const std::vector<const path_node*>& path, unix_time now,
                                certificate_profile profile, std::size_t* failed_at) {
    for (std::size_t i = path.size(); i-- > 0;) {
        if (const status s = validate_path_element(path, i, now, profile); !s) {
            if (failed_at != nullptr) {
                *failed_at = i;
            }
            return s;
        }
    }
    return {};
}

} // namespace detail

HTTPS_DECL result<verified_path> verify_chain(bytes_view leaf,
                                              std::span<const bytes_view> untrusted,
                                              const trust_store& anchors,
                                              const verify_options& options) {
    return detail::verify_chain_with(detail::verify_signature, leaf, untrusted, anchors, options);
}

} // namespace https::x509
// ---- https/x509/impl/web_pki.ipp ---------------------------------------------------------------
// The web PKI certificate profile (x509/web_pki.hpp), out of line for separate compilation.


#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace https::x509 {

namespace detail {

HTTPS_DECL bool preferred_dns_name(std::string_view name, bool allow_wildcard) noexcept {
    if (allow_wildcard && name.size() > 2 && name[0] == '*' && name[1] == '.') {
        name.remove_prefix(2);
    }
    if (name.empty() || name.size() > 253) {
        return false;
    }
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t end = name.find('.', start);
        if (end == std::string_view::npos) {
            end = name.size();
        }
        const std::string_view label = name.substr(start, end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
            return false;
        }
        for (char c : label) {
            const bool ldh = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                             (c >= '0' && c <= '9') || c == '-';
            if (!ldh) {
                return false;
            }
        }
        start = end + 1;
    }
    return true;
}

HTTPS_DECL bool known_public_suffix(std::string_view name) noexcept {
    if (name.find('.') == std::string_view::npos) {
        return true; // a top-level domain
    }
    // Second-level suffixes of the ICANN section of the Public Suffix List under which registries
    // sell names, for the country codes with the most certificates. Sorted, lower case.
    static constexpr std::array<std::string_view, 64> suffixes = {
        "ac.in",  "ac.jp",  "ac.kr",  "ac.nz",  "ac.uk",  "ac.za",  "co.id",  "co.il",
        "co.in",  "co.jp",  "co.kr",  "co.nz",  "co.th",  "co.uk",  "co.za",  "com.ar",
        "com.au", "com.br", "com.cn", "com.co", "com.hk", "com.mx", "com.my", "com.pl",
        "com.sg", "com.tr", "com.tw", "com.ua", "com.vn", "edu.au", "edu.cn", "edu.tw",
        "go.jp",  "go.kr",  "gob.mx", "gov.au", "gov.br", "gov.cn", "gov.in", "gov.uk",
        "govt.nz", "id.au", "ltd.uk", "me.uk",  "ne.jp",  "ne.kr",  "net.au", "net.br",
        "net.cn", "net.in", "net.nz", "nhs.uk", "or.jp",  "or.kr",  "org.au", "org.br",
        "org.cn", "org.in", "org.mx", "org.nz", "org.tw", "org.uk", "org.za", "plc.uk",
    };
    if (name.size() > 8) {
        return false;
    }
    std::array<char, 8> lower{};
    for (std::size_t i = 0; i < name.size(); ++i) {
        lower[i] = ascii_lower(name[i]);
    }
    return std::binary_search(suffixes.begin(), suffixes.end(),
                              std::string_view(lower.data(), name.size()));
}

/// The Common Name attribute values of a name, as text (nothing for a string type that cannot
/// hold a host name); `count` receives the number of commonName attributes.
HTTPS_DECL std::vector<std::string_view> common_names(const name& n, std::size_t& count) {
    std::vector<std::string_view> out;
    count = 0;
    for_each_rdn(n, [&](der::parser rdn) {
        for (const attribute& a : rdn_attributes(rdn)) {
            if (!der::oid_equals(a.type, oid::at_common_name)) {
                continue;
            }
            ++count;
            const std::uint8_t t = a.value.tag;
            if (t == der::tag::utf8_string || t == der::tag::printable_string ||
                t == der::tag::ia5_string) {
                out.push_back(as_string(a.value.contents));
            }
        }
    });
    return out;
}

/// BR 7.1.4.3: the commonName, if present, is exactly one entry, a copy of one subjectAltName
/// value: a DNS name (compared case-insensitively, so in the same A-label form) or an IP address
/// in its canonical text (RFC 3986 §3.2.2 dotted decimal, RFC 5952 §4 for IPv6).
HTTPS_DECL status check_common_name(const certificate& c) {
    std::size_t count = 0;
    const std::vector<std::string_view> names = common_names(c.subject, count);
    if (count == 0) {
        return {};
    }
    if (count != 1 || names.size() != 1) {
        return errc::cert_common_name_mismatch;
    }
    const std::string_view cn = names.front();
    const general_names& san = c.subject_alt_names;
    if (std::any_of(san.dns_names.begin(), san.dns_names.end(),
                    [&](std::string_view d) { return iequals(d, cn); })) {
        return {};
    }
    for (bytes_view ip : san.ip_addresses) {
        ip_address a;
        a.size = static_cast<std::uint8_t>(ip.size());
        std::copy(ip.begin(), ip.end(), a.bytes.begin());
        if (format_ip_address(a) == cn) {
            return {};
        }
    }
    return errc::cert_common_name_mismatch;
}

/// BR 7.1.2.7.12 with RFC 5280 §4.2.1.6: a server certificate names its hosts in a
/// subjectAltName of dNSName and iPAddress entries only, critical exactly when the subject is
/// empty; each DNS name in the preferred name syntax, a wildcard only as the whole left-most label
/// and never directly over a public suffix (BR 3.2.2.6).
HTTPS_DECL status check_server_subject_alt_name(const certificate& c) {
    if (!c.has(extension::subject_alt_name)) {
        return errc::cert_bad_subject_alt_name;
    }
    if (c.is_critical(extension::subject_alt_name) != c.subject.empty()) {
        return errc::cert_bad_subject_alt_name;
    }
    const general_names& san = c.subject_alt_names;
    if (san.other_forms != 0 || !san.directory_names.empty()) {
        return errc::cert_bad_subject_alt_name;
    }
    for (std::string_view d : san.dns_names) {
        if (!preferred_dns_name(d, true)) {
            return errc::cert_bad_subject_alt_name;
        }
        if (d.size() > 2 && d[0] == '*' && known_public_suffix(d.substr(2))) {
            return errc::cert_bad_subject_alt_name;
        }
    }
    return {};
}

HTTPS_DECL status check_web_pki_profile(const certificate& c, path_role role, bool self_issued) {
    // Keys (BR 6.1.5): RSA with a modulus of at least 2048 bits (checked for every path by
    // `validate_path`) that is a multiple of 8; ECDSA on P-256 or P-384. Ed25519 (RFC 8410) is
    // accepted beyond the BRs. DSA, other curves and unknown algorithms cannot be verified.
    if (c.spki.algorithm == key_algorithm::unsupported) {
        return errc::unsupported_algorithm;
    }
    if (c.spki.algorithm == key_algorithm::rsa && c.spki.rsa_bits % 8 != 0) {
        return errc::cert_weak_key;
    }
    if (role != path_role::anchor && c.sig_alg.kind == signature_algorithm::scheme::unknown) {
        return errc::unsupported_algorithm;
    }
    if (role == path_role::anchor &&
        (c.version < 3 || c.not_before < baseline_requirements_effective)) {
        // A v1 or v2 certificate has no extensions; only a trust anchor may be one (path
        // validation accepts it as a CA there). And the BRs bind certificates issued from their
        // effective date on (BR 1.1): a root in the store made before it is held to RFC 5280
        // path validation alone. (Eight roots of the Mozilla store, all from 2003-2012, lack a
        // subjectKeyIdentifier, name their issuer in authorityKeyIdentifier or mark
        // basicConstraints not critical.)
        return {};
    }

    // Key identifiers (RFC 5280 §4.2.1.1-2; BR 7.1.2.11.1, 7.1.2.1.3, 7.1.2.11.4): never
    // critical; authorityKeyIdentifier with a keyIdentifier in every certificate that is not
    // self-issued; on a self-issued root, if present, only a keyIdentifier equal to its own
    // subjectKeyIdentifier; subjectKeyIdentifier in every CA certificate.
    if (c.is_critical(extension::authority_key_id) || c.is_critical(extension::subject_key_id)) {
        return errc::cert_bad_key_identifier;
    }
    if (!self_issued && c.authority_key_id.empty()) {
        return errc::cert_bad_key_identifier;
    }
    if (role == path_role::anchor && self_issued && c.has(extension::authority_key_id)) {
        if (c.authority_key_id_names_issuer || c.authority_key_id.empty() ||
            !std::equal(c.authority_key_id.begin(), c.authority_key_id.end(),
                        c.subject_key_id.begin(), c.subject_key_id.end())) {
            return errc::cert_bad_key_identifier;
        }
    }
    if (c.is_ca && c.subject_key_id.empty()) {
        return errc::cert_bad_key_identifier;
    }
    // BR 7.1: serial numbers greater than zero. RFC 5280 §4.1.2.2 asks users to tolerate zero,
    // which roots of the Mozilla store made after 2012 still carry (HARICA's of 2015), so it
    // is refused in the certificates a server sends only.
    if (role != path_role::anchor && c.serial.size() == 1 && c.serial[0] == 0) {
        return errc::cert_bad_serial;
    }

    // basicConstraints and keyUsage agree (RFC 5280 §4.2.1.3, §4.2.1.9; BR 7.1.2.10.4,
    // 7.1.2.10.7, 7.1.2.7.8): a CA certificate marks basicConstraints critical and has keyUsage
    // with keyCertSign; keyCertSign without cA=TRUE is an inconsistent certificate.
    const bool cert_sign = c.key_usage && (*c.key_usage & key_usage::key_cert_sign) != 0;
    if (c.is_ca && (!c.is_critical(extension::basic_constraints) || !cert_sign)) {
        return errc::cert_bad_basic_constraints;
    }
    if (!c.is_ca && cert_sign) {
        return errc::cert_bad_basic_constraints;
    }

    // nameConstraints (RFC 5280 §4.2.1.10; BR 7.1.2.7.6, 7.1.2.10.8): only in CA certificates,
    // and each dNSName subtree a DNS name in the preferred syntax (no leading period) or empty.
    if (c.has(extension::name_constraints)) {
        if (!c.is_ca) {
            return errc::cert_bad_name_constraints;
        }
        for (const general_names* subtrees : {&c.constraints->permitted, &c.constraints->excluded}) {
            for (std::string_view d : subtrees->dns_names) {
                if (!d.empty() && !preferred_dns_name(d, false)) {
                    return errc::cert_bad_name_constraints;
                }
            }
        }
    }

    if (role != path_role::leaf) {
        return {};
    }
    // The server certificate. extendedKeyUsage (BR 7.1.2.7.6, 7.1.2.7.10): present, not
    // critical, with id-kp-serverAuth and without anyExtendedKeyUsage.
    if (!c.has(extension::ext_key_usage) || c.is_critical(extension::ext_key_usage) ||
        !c.ext_key_usage.server_auth || c.ext_key_usage.any) {
        return errc::cert_bad_eku;
    }
    HTTPS_TRY(check_server_subject_alt_name(c));
    return check_common_name(c);
}

} // namespace detail

} // namespace https::x509
// ---- https/tls/impl/handshake13.ipp ------------------------------------------------------------
// The TLS 1.3 handshake's member functions (tls/handshake13.hpp), out of line for separate
// compilation.

// ---- https/tls/handshake13.hpp -----------------------------------------------------------------
// The TLS 1.3 client handshake (RFC 8446 §4) as an explicit state machine, from the ServerHello
// (or HelloRetryRequest) to our Finished, and the post-handshake messages: NewSessionTicket and
// KeyUpdate.

// ---- https/tls/handshake_common.hpp ------------------------------------------------------------
// What the TLS 1.3 and TLS 1.2 handshakes share: the context the engine hands them for each
// message, what both learn about the server (suite, group, certificate chain, ALPN, ...), the
// certificate check and the acknowledgements of our extensions that both versions receive.

// ---- https/tls/cipher_suite.hpp ----------------------------------------------------------------
// Cipher suites: one table holding every fact about each suite we implement (code point, IANA
// name, version, key exchange, record cipher, hash, key-block lengths), in our preference order.
// The offer lists, the record-protection factories and the names printed by `-v` all read it.

// ---- https/tls/extensions.hpp ------------------------------------------------------------------
// TLS registries (versions, extension types, named groups, signature schemes) and the extension
// block codec shared by every handshake message (RFC 8446 §4.2).


#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// ---- https/tls/detail/macro_scope.hpp ----------------------------------------------------------
// Local macros of the TLS headers; include after all other headers, pair with macro_unscope.hpp.
// (No include guard on purpose: every TLS header re-enters this scope after its own includes.)

#define HTTPS_TLS_CONCAT_INNER(a, b) a##b
#define HTTPS_TLS_CONCAT(a, b) HTTPS_TLS_CONCAT_INNER(a, b)

/// `HTTPS_TLS_ASSIGN(auto v, r.read_u16());` evaluates a result-returning expression, returns its
/// error from the enclosing function on failure, and otherwise binds the value to `lhs`.
/// (`lhs` is a declaration such as `auto v`, so it cannot be parenthesised.)
// NOLINTBEGIN(bugprone-macro-parentheses)
#define HTTPS_TLS_ASSIGN(lhs, expr)                                                                \
    auto HTTPS_TLS_CONCAT(https_tls_r_, __LINE__) = (expr);                                        \
    if (!HTTPS_TLS_CONCAT(https_tls_r_, __LINE__).ok()) {                                          \
        return HTTPS_TLS_CONCAT(https_tls_r_, __LINE__).error();                                   \
    }                                                                                              \
    lhs = std::move(HTTPS_TLS_CONCAT(https_tls_r_, __LINE__)).value()
// NOLINTEND(bugprone-macro-parentheses)

namespace https::tls {

/// ProtocolVersion values (RFC 8446 §4.2.1; TLS 1.2 is RFC 5246).
enum class protocol_version : std::uint16_t {
    tls10 = 0x0301,
    tls11 = 0x0302,
    tls12 = 0x0303,
    tls13 = 0x0304,
};

/// ExtensionType values we send, parse, or must recognise to reject (RFC 8446 §4.2 and the
/// RFCs it cites).
enum class extension_type : std::uint16_t {
    server_name = 0,
    max_fragment_length = 1,
    status_request = 5,
    supported_groups = 10,
    ec_point_formats = 11,
    signature_algorithms = 13,
    use_srtp = 14,
    heartbeat = 15,
    application_layer_protocol_negotiation = 16,
    signed_certificate_timestamp = 18,
    client_certificate_type = 19,
    server_certificate_type = 20,
    padding = 21,
    encrypt_then_mac = 22,
    extended_master_secret = 23,
    record_size_limit = 28,
    session_ticket = 35,
    pre_shared_key = 41,
    early_data = 42,
    supported_versions = 43,
    cookie = 44,
    psk_key_exchange_modes = 45,
    certificate_authorities = 47,
    oid_filters = 48,
    post_handshake_auth = 49,
    signature_algorithms_cert = 50,
    key_share = 51,
    renegotiation_info = 0xff01,
};

// NamedGroup values for (EC)DHE (RFC 8446 §4.2.7) and SignatureScheme values (§4.2.3; the
// TLS 1.2 SHA-1 ones are RFC 5246 §7.4.1.4.1): the tables the enumerations and their IANA names,
// printed by diagnostics (curl -v style output), are generated from.
#define HTTPS_TLS_GROUPS(X) \
    X(secp256r1, 0x0017) X(secp384r1, 0x0018) X(secp521r1, 0x0019) X(x25519, 0x001d) \
    X(x448, 0x001e)
#define HTTPS_TLS_SIGNATURE_SCHEMES(X) \
    X(rsa_pkcs1_sha256, 0x0401) X(rsa_pkcs1_sha384, 0x0501) X(rsa_pkcs1_sha512, 0x0601) \
    X(ecdsa_secp256r1_sha256, 0x0403) X(ecdsa_secp384r1_sha384, 0x0503) \
    X(ecdsa_secp521r1_sha512, 0x0603) X(rsa_pss_rsae_sha256, 0x0804) \
    X(rsa_pss_rsae_sha384, 0x0805) X(rsa_pss_rsae_sha512, 0x0806) X(ed25519, 0x0807) \
    X(ed448, 0x0808) X(rsa_pss_pss_sha256, 0x0809) X(rsa_pss_pss_sha384, 0x080a) \
    X(rsa_pss_pss_sha512, 0x080b) X(rsa_pkcs1_sha1, 0x0201) X(ecdsa_sha1, 0x0203)
#define HTTPS_TLS_CODE_VALUE(name, value) name = (value),
#define HTTPS_TLS_CODE_NAME(name, value) \
    case value: return #name;

enum class named_group : std::uint16_t { HTTPS_TLS_GROUPS(HTTPS_TLS_CODE_VALUE) };
enum class signature_scheme : std::uint16_t { HTTPS_TLS_SIGNATURE_SCHEMES(HTTPS_TLS_CODE_VALUE) };

/// The IANA name of a named group code point.
inline std::string_view named_group_name(std::uint16_t code) noexcept {
    switch (code) { HTTPS_TLS_GROUPS(HTTPS_TLS_CODE_NAME) }
    return "unknown group";
}

/// The IANA name of a signature scheme code point.
inline std::string_view signature_scheme_name(std::uint16_t code) noexcept {
    switch (code) { HTTPS_TLS_SIGNATURE_SCHEMES(HTTPS_TLS_CODE_NAME) }
    return "unknown signature scheme";
}
#undef HTTPS_TLS_CODE_NAME
#undef HTTPS_TLS_CODE_VALUE
#undef HTTPS_TLS_SIGNATURE_SCHEMES
#undef HTTPS_TLS_GROUPS

/// One extension as received: its type and its `extension_data` (a view into the message).
struct extension {
    std::uint16_t type = 0;
    bytes_view data;
};

/// The extensions of one message, in wire order, with no type repeated.
class extension_list {
  public:
    /// Parse `Extension extensions<0..2^16-1>` (with its length prefix) from `r`.
    /// RFC 8446 §4.2: a repeated extension type is `tls_illegal_parameter`; anything malformed is
    /// `tls_decode_error`.
    static result<extension_list> parse(reader& r) {
        auto block = r.read_nested<2>();
        if (!block) {
            return errc::tls_decode_error;
        }
        extension_list out;
        while (!block->empty()) {
            auto type = block->read_u16();
            if (!type) {
                return errc::tls_decode_error;
            }
            auto data = block->read_prefixed<2>();
            if (!data) {
                return errc::tls_decode_error;
            }
            out.items_.push_back({*type, *data});
        }
        if (out.has_repeated_type()) {
            return errc::tls_illegal_parameter;
        }
        return out;
    }

    [[nodiscard]] const extension* find(extension_type t) const noexcept {
        return find(static_cast<std::uint16_t>(t));
    }
    [[nodiscard]] const extension* find(std::uint16_t t) const noexcept {
        for (const auto& e : items_) {
            if (e.type == t) {
                return &e;
            }
        }
        return nullptr;
    }
    [[nodiscard]] const std::vector<extension>& items() const noexcept { return items_; }

  private:
    /// RFC 8446 §4.2: no type twice in one block. Sorting a copy of the types makes the check
    /// O(n log n): a 64 KiB block holds up to 16383 extensions, for which a pairwise check costs
    /// 1.3e8 comparisons (measured: 72 ms per block), and a server may send such a block in every
    /// ServerHello, EncryptedExtensions, CertificateEntry and NewSessionTicket.
    [[nodiscard]] bool has_repeated_type() const {
        std::vector<std::uint16_t> types;
        types.reserve(items_.size());
        for (const auto& e : items_) {
            types.push_back(e.type);
        }
        std::sort(types.begin(), types.end());
        return std::adjacent_find(types.begin(), types.end()) != types.end();
    }

    std::vector<extension> items_;
};

namespace detail {

/// Peer-input parsers report every malformation as `tls_decode_error` (RFC 8446 §6.2), whatever
/// the reader called it; other errors (e.g. `tls_illegal_parameter`) pass through.
template <class T> result<T> as_decode_error(result<T> r) {
    if (!r.ok() && layer_of(r.error()) == error_layer::decode) {
        return errc::tls_decode_error;
    }
    return r;
}

/// Writes `type` and the length-prefixed body produced by `body(w)` (which returns a status).
template <class F> status put_extension(writer& w, extension_type type, F&& body) {
    w.put_u16(static_cast<std::uint16_t>(type));
    const std::size_t mark = w.begin_prefixed(2);
    HTTPS_TRY(body(w));
    return w.end_prefixed(mark, 2);
}

/// Writes `type` and `data` as its extension_data.
inline status put_extension_data(writer& w, extension_type type, bytes_view data) {
    w.put_u16(static_cast<std::uint16_t>(type));
    return w.put_prefixed(2, data);
}

/// A list of u16 code points with a `prefix`-byte length (cipher_suites, supported_groups, ...).
template <class E> status put_u16_list(writer& w, const std::vector<E>& values, unsigned prefix) {
    const std::size_t mark = w.begin_prefixed(prefix);
    for (E v : values) {
        w.put_u16(static_cast<std::uint16_t>(v));
    }
    return w.end_prefixed(mark, prefix);
}

} // namespace detail

/// RFC 7301 §3.1: the server's ALPN answer is a ProtocolNameList holding exactly one non-empty
/// name. Returns that name.
inline result<bytes_view> parse_alpn_selection(bytes_view data) {
    return detail::as_decode_error([&]() -> result<bytes_view> {
        reader r(data);
        HTTPS_TLS_ASSIGN(reader list, r.read_nested<2>());
        HTTPS_TLS_ASSIGN(bytes_view name, list.read_prefixed<1>());
        if (name.empty() || !list.empty() || !r.empty()) {
            return errc::tls_decode_error;
        }
        return name;
    }());
}

/// RFC 8446 §4.2.1: ServerHello's supported_versions holds one selected version.
inline result<std::uint16_t> parse_selected_version(bytes_view data) {
    reader r(data);
    auto v = r.read_u16();
    if (!v || !r.empty()) {
        return errc::tls_decode_error;
    }
    return *v;
}

} // namespace https::tls

// ---- https/tls/detail/macro_unscope.hpp --------------------------------------------------------
// Undefines the local macros of macro_scope.hpp at the end of each TLS header.
#undef HTTPS_TLS_ASSIGN
#undef HTTPS_TLS_CONCAT
#undef HTTPS_TLS_CONCAT_INNER

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace https::tls {

/// CipherSuite code points: TLS 1.3 (RFC 8446 §B.4) and TLS 1.2 (RFC 5289, RFC 7905, RFC 5288,
/// RFC 5246 §A.5).
enum class cipher_suite : std::uint16_t {
    tls_aes_128_gcm_sha256 = 0x1301,
    tls_aes_256_gcm_sha384 = 0x1302,
    tls_chacha20_poly1305_sha256 = 0x1303,
    tls_ecdhe_ecdsa_with_aes_128_gcm_sha256 = 0xc02b,
    tls_ecdhe_rsa_with_aes_128_gcm_sha256 = 0xc02f,
    tls_ecdhe_ecdsa_with_aes_256_gcm_sha384 = 0xc02c,
    tls_ecdhe_rsa_with_aes_256_gcm_sha384 = 0xc030,
    tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256 = 0xcca9,
    tls_ecdhe_rsa_with_chacha20_poly1305_sha256 = 0xcca8,
    tls_ecdhe_ecdsa_with_aes_128_cbc_sha256 = 0xc023,
    tls_ecdhe_rsa_with_aes_128_cbc_sha256 = 0xc027,
    tls_ecdhe_ecdsa_with_aes_256_cbc_sha384 = 0xc024,
    tls_ecdhe_rsa_with_aes_256_cbc_sha384 = 0xc028,
    tls_rsa_with_aes_256_gcm_sha384 = 0x009d,
    tls_rsa_with_aes_128_gcm_sha256 = 0x009c,
    tls_rsa_with_aes_256_cbc_sha256 = 0x003d,
};

/// The hash of the transcript, HKDF or PRF, Finished MAC (and, for CBC suites, the record HMAC).
enum class hash_algorithm : std::uint8_t { sha256, sha384 };

inline constexpr std::size_t hash_length(hash_algorithm h) noexcept {
    return h == hash_algorithm::sha256 ? 32 : 48;
}

/// How a suite protects records. TLS 1.3 suites use the three AEADs only.
enum class record_cipher : std::uint8_t {
    aes_128_gcm,       ///< TLS 1.2: RFC 5288, 4-byte implicit salt + 8-byte explicit nonce
    aes_256_gcm,       ///< RFC 5288
    chacha20_poly1305, ///< TLS 1.2: RFC 7905, 12-byte IV XOR sequence number
    aes_128_cbc,       ///< TLS 1.2 only: RFC 5246 §6.2.3.2, explicit IV, HMAC (or RFC 7366)
    aes_256_cbc,
};

/// How the premaster secret is agreed and what the certificate key must be.
enum class key_exchange_kind : std::uint8_t {
    tls13,       ///< TLS 1.3: not fixed by the suite (key_share and signature_algorithms)
    ecdhe_ecdsa, ///< ephemeral ECDH signed with the certificate's ECDSA key (RFC 8422)
    ecdhe_rsa,   ///< ephemeral ECDH signed with the certificate's RSA key (RFC 8422)
    rsa,         ///< premaster encrypted to the certificate's RSA key (RFC 5246 §7.4.7.1)
};

/// Everything a suite fixes: one row of `cipher_suites`. Lengths are those of the TLS 1.2 key
/// block (RFC 5246 §6.3); for TLS 1.3 suites the key and IV lengths of §7.3.
struct cipher_suite_info {
    cipher_suite suite{};
    std::string_view name;
    protocol_version version{};
    key_exchange_kind key_exchange{};
    record_cipher cipher{};
    hash_algorithm prf_hash{};      ///< PRF or HKDF, transcript and (for CBC) HMAC hash
    std::size_t mac_key_length = 0; ///< 0 for AEAD suites
    std::size_t enc_key_length = 0;
    std::size_t fixed_iv_length = 0; ///< implicit IV part from the key block (AEAD only)

    [[nodiscard]] constexpr bool is_cbc() const noexcept {
        return cipher == record_cipher::aes_128_cbc || cipher == record_cipher::aes_256_cbc;
    }
    [[nodiscard]] constexpr bool is_ecdhe() const noexcept {
        return key_exchange != key_exchange_kind::rsa;
    }
    /// Total key block length: two MAC keys, two encryption keys, two fixed IVs.
    [[nodiscard]] constexpr std::size_t key_block_length() const noexcept {
        return 2 * (mac_key_length + enc_key_length + fixed_iv_length);
    }
};

/// Every suite we implement, in our preference order within each version. TLS 1.2: forward-secret
/// AEAD first (AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305), then forward-secret CBC, then the RSA
/// key exchange (no forward secrecy) for servers that offer nothing else.
inline constexpr std::array<cipher_suite_info, 16> cipher_suites = [] {
    using s = cipher_suite;
    using k = key_exchange_kind;
    using c = record_cipher;
    constexpr auto v13 = protocol_version::tls13;
    constexpr auto v12 = protocol_version::tls12;
    constexpr auto sha256 = hash_algorithm::sha256;
    constexpr auto sha384 = hash_algorithm::sha384;
    return std::array<cipher_suite_info, 16>{{
        // RFC 8446 §B.4; §5.3: iv_length 12.
        {s::tls_aes_128_gcm_sha256, "TLS_AES_128_GCM_SHA256", v13, k::tls13, c::aes_128_gcm,
         sha256, 0, 16, 12},
        {s::tls_aes_256_gcm_sha384, "TLS_AES_256_GCM_SHA384", v13, k::tls13, c::aes_256_gcm,
         sha384, 0, 32, 12},
        {s::tls_chacha20_poly1305_sha256, "TLS_CHACHA20_POLY1305_SHA256", v13, k::tls13,
         c::chacha20_poly1305, sha256, 0, 32, 12},
        // RFC 5289 §3.2 (GCM) and RFC 5288 §3: fixed_iv_length 4 (the salt).
        {s::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
         v12, k::ecdhe_ecdsa, c::aes_128_gcm, sha256, 0, 16, 4},
        {s::tls_ecdhe_rsa_with_aes_128_gcm_sha256, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", v12,
         k::ecdhe_rsa, c::aes_128_gcm, sha256, 0, 16, 4},
        {s::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
         v12, k::ecdhe_ecdsa, c::aes_256_gcm, sha384, 0, 32, 4},
        {s::tls_ecdhe_rsa_with_aes_256_gcm_sha384, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", v12,
         k::ecdhe_rsa, c::aes_256_gcm, sha384, 0, 32, 4},
        // RFC 7905 §2: fixed_iv_length 12.
        {s::tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256,
         "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", v12, k::ecdhe_ecdsa,
         c::chacha20_poly1305, sha256, 0, 32, 12},
        {s::tls_ecdhe_rsa_with_chacha20_poly1305_sha256,
         "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", v12, k::ecdhe_rsa, c::chacha20_poly1305,
         sha256, 0, 32, 12},
        // RFC 5289 §3.1 (CBC with HMAC-SHA256/384). RFC 5246 §6.3: no IV comes from the key block
        // for CBC in TLS 1.2 (each record carries its own).
        {s::tls_ecdhe_ecdsa_with_aes_128_cbc_sha256, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
         v12, k::ecdhe_ecdsa, c::aes_128_cbc, sha256, 32, 16, 0},
        {s::tls_ecdhe_rsa_with_aes_128_cbc_sha256, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", v12,
         k::ecdhe_rsa, c::aes_128_cbc, sha256, 32, 16, 0},
        {s::tls_ecdhe_ecdsa_with_aes_256_cbc_sha384, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
         v12, k::ecdhe_ecdsa, c::aes_256_cbc, sha384, 48, 32, 0},
        {s::tls_ecdhe_rsa_with_aes_256_cbc_sha384, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", v12,
         k::ecdhe_rsa, c::aes_256_cbc, sha384, 48, 32, 0},
        // RFC 5288 §3 and RFC 5246 §A.5 (the RSA key exchange).
        {s::tls_rsa_with_aes_256_gcm_sha384, "TLS_RSA_WITH_AES_256_GCM_SHA384", v12, k::rsa,
         c::aes_256_gcm, sha384, 0, 32, 4},
        {s::tls_rsa_with_aes_128_gcm_sha256, "TLS_RSA_WITH_AES_128_GCM_SHA256", v12, k::rsa,
         c::aes_128_gcm, sha256, 0, 16, 4},
        {s::tls_rsa_with_aes_256_cbc_sha256, "TLS_RSA_WITH_AES_256_CBC_SHA256", v12, k::rsa,
         c::aes_256_cbc, sha256, 32, 32, 0},
    }};
}();

/// The row of a code point, or null for one we do not implement (for `version`, if given).
inline constexpr const cipher_suite_info*
find_cipher_suite(std::uint16_t code, std::optional<protocol_version> version = {}) noexcept {
    for (const auto& row : cipher_suites) {
        if (static_cast<std::uint16_t>(row.suite) == code && (!version || row.version == *version)) {
            return &row;
        }
    }
    return nullptr;
}

/// The IANA name of a suite we implement, for diagnostics (curl -v style output).
inline constexpr std::string_view cipher_suite_name(std::uint16_t code) noexcept {
    const cipher_suite_info* row = find_cipher_suite(code);
    return row != nullptr ? row->name : "unknown cipher suite";
}

/// Our suites of `version`, in preference order: the default offer.
inline std::vector<cipher_suite> default_cipher_suites(protocol_version version) {
    std::vector<cipher_suite> out;
    for (const auto& row : cipher_suites) {
        if (row.version == version) {
            out.push_back(row.suite);
        }
    }
    return out;
}

} // namespace https::tls
// ---- https/tls/client_config.hpp ---------------------------------------------------------------
// What the TLS client engine is configured with (`client_config`), and what it hands back for
// later: the certificate check it calls and the session tickets it keeps.

// ---- https/tls/key_schedule.hpp ----------------------------------------------------------------
// The TLS 1.3 key schedule (RFC 8446 §7.1-7.3) as a typestate: early -> handshake -> master
// secret, each stage consumed to make the next, plus traffic keys, Finished and KeyUpdate.

// ---- https/crypto/hkdf.hpp ---------------------------------------------------------------------
// HKDF (RFC 5869) and the TLS 1.3 HKDF-Expand-Label / Derive-Secret built on it (RFC 8446 §7.1).

// ---- https/crypto/hmac.hpp ---------------------------------------------------------------------
// HMAC (RFC 2104, FIPS 198-1) over any hash_function.


#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

namespace https::crypto {

/// HMAC-`H`: a keyed MAC. Construct with the key, `update` any number of times, `finish` writes
/// the tag and returns the object to its just-keyed state, ready for the next message under the
/// same key. The keyed states are wiped when the object is destroyed.
template <hash_function H> class hmac {
  public:
    static constexpr std::size_t digest_size = H::digest_size;
    static constexpr std::size_t block_size = H::block_size;
    /// The shortest truncated tag `verify` accepts: 10 bytes, the 80-bit floor of RFC 2104 §5
    /// (also TLS 1.2's truncated_hmac length, RFC 6066 §7). RFC 2104 further recommends at least
    /// half the hash output; that is the caller's policy to apply (RFC 4231 §4.6 tests 128-bit
    /// tags of HMAC-SHA-512, NIST CAVP and Wycheproof test exactly half).
    static constexpr std::size_t min_tag_size = 10;

    /// Key of any length; keys longer than the block are hashed first (RFC 2104 §2).
    /// CT: time depends on the key length only.
    explicit hmac(bytes_view key) noexcept {
        std::array<std::uint8_t, block_size> block{}; // the key, zero-padded to a block
        if (key.size() > block_size) {
            H kh;
            kh.update(key);
            kh.finish(std::span<std::uint8_t, digest_size>(block.data(), digest_size));
            wipe_object(kh);
        } else if (!key.empty()) {
            std::copy(key.begin(), key.end(), block.begin());
        }
        for (auto& b : block) {
            b ^= 0x36; // ipad
        }
        inner_init_.update(block);
        for (auto& b : block) {
            b ^= 0x36 ^ 0x5c; // ipad -> opad
        }
        outer_init_.update(block);
        ct::wipe(block);
        inner_ = inner_init_;
    }

    hmac(const hmac&) = default;
    hmac& operator=(const hmac&) = default;
    hmac(hmac&&) noexcept = default;
    hmac& operator=(hmac&&) noexcept = default;
    ~hmac() {
        wipe_object(inner_);
        wipe_object(inner_init_);
        wipe_object(outer_init_);
    }

    /// Absorb message bytes. CT: time depends on lengths only.
    void update(bytes_view in) noexcept { inner_.update(in); }

    /// Write the tag HASH((K ^ opad) || HASH((K ^ ipad) || message)), then reset to the keyed
    /// state. CT: time depends on lengths only.
    void finish(std::span<std::uint8_t, digest_size> out) noexcept {
        inner_.finish(out); // the inner hash, staged in the output buffer
        H outer = outer_init_;
        outer.update(out);
        outer.finish(out);
        wipe_object(outer);
        inner_ = inner_init_;
    }

    /// Forget the message absorbed so far; keep the key.
    void reset() noexcept { inner_ = inner_init_; }

    /// One-shot MAC of `data` under `key`. CT: lengths only.
    [[nodiscard]] static digest<H> mac(bytes_view key, bytes_view data) noexcept {
        hmac m(key);
        m.update(data);
        digest<H> out;
        m.finish(out);
        return out;
    }

    /// Check `tag` against the MAC of `data`: the full tag, or one truncated to its first
    /// `tag.size()` bytes (RFC 2104 §5) when min_tag_size <= tag.size() <= digest_size. Any other
    /// length is rejected. The comparison is constant-time (ct::equal).
    /// CT: the tag length and the verdict are public; the key, data and tags are not.
    [[nodiscard]] static bool verify(bytes_view key, bytes_view data, bytes_view tag) noexcept {
        if (tag.size() < min_tag_size || tag.size() > digest_size) {
            return false; // the length is public
        }
        digest<H> expected = mac(key, data);
        const bool ok = ct::equal(bytes_view(expected).first(tag.size()), tag);
        ct::wipe(expected);
        return ok;
    }

  private:
    // Hash states derived from the key are key material. Our hashes are plain arrays of words,
    // so overwriting the bytes is sound; for any other hash, fall back to its own reset.
    static void wipe_object(H& h) noexcept {
        if constexpr (std::is_trivially_copyable_v<H>) {
            ct::wipe(&h, sizeof h);
        } else {
            h.reset();
        }
    }

    H inner_init_; // after absorbing K ^ ipad
    H outer_init_; // after absorbing K ^ opad
    H inner_;      // inner_init_ plus the message so far
};

} // namespace https::crypto

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace https::crypto {

/// HKDF with hash `H` (RFC 5869), plus the TLS 1.3 labelled expansion (RFC 8446 §7.1).
template <hash_function H> struct hkdf {
    static constexpr std::size_t hash_len = H::digest_size;
    /// RFC 5869 §2.3: L <= 255 * HashLen.
    static constexpr std::size_t max_output = 255 * hash_len;

    /// HKDF-Extract(salt, IKM) = HMAC-Hash(salt, IKM) (RFC 5869 §2.2). An empty salt is the
    /// "not provided" case: HMAC pads keys with zeros, so it equals HashLen zero bytes.
    /// CT: lengths only.
    [[nodiscard]] static digest<H> extract(bytes_view salt, bytes_view ikm) noexcept {
        return hmac<H>::mac(salt, ikm);
    }

    /// HKDF-Expand(PRK, info, L) into `out`, L = out.size() (RFC 5869 §2.3):
    /// T(i) = HMAC-Hash(PRK, T(i-1) || info || i), output the first L bytes of T(1) || T(2) ...
    /// More than 255 * HashLen bytes is `errc::out_of_range` (and `out` is left untouched).
    /// The PRK should be HashLen bytes (RFC 5869 says "at least"); any length works as a key.
    /// `out` may overlap `prk` (the key is absorbed before anything is written), not `info`.
    /// CT: lengths only.
    [[nodiscard]] static status expand(bytes_view prk, bytes_view info,
                                       mutable_bytes out) noexcept {
        if (out.size() > max_output) {
            return errc::out_of_range;
        }
        hmac<H> mac(prk);
        digest<H> t{};
        std::size_t done = 0;
        for (std::size_t i = 1; done < out.size(); ++i) {
            if (i > 1) {
                mac.update(t); // T(i-1); T(0) is empty
            }
            mac.update(info);
            const std::uint8_t counter = static_cast<std::uint8_t>(i);
            mac.update(bytes_view(&counter, 1));
            mac.finish(t); // also resets `mac` to its keyed state for the next block
            const std::size_t take = std::min(hash_len, out.size() - done);
            std::memcpy(out.data() + done, t.data(), take);
            done += take;
        }
        ct::wipe(t);
        return {};
    }

    /// The largest label HKDF-Expand-Label accepts: "tls13 " + label must fit in opaque<7..255>.
    static constexpr std::size_t max_label = 255 - 6;

    /// HKDF-Expand-Label(Secret, Label, Context, Length) of RFC 8446 §7.1, Length = out.size():
    /// HKDF-Expand(Secret, HkdfLabel, Length) with
    ///   struct { uint16 length; opaque label<7..255> = "tls13 " + Label; opaque context<0..255>;
    ///   }.
    /// Preconditions (asserted; every TLS 1.3 use satisfies them): 1 <= label.size() <= 249,
    /// context.size() <= 255, out.size() <= min(65535, 255 * HashLen).
    /// CT: lengths only.
    static void expand_label(bytes_view secret, std::string_view label, bytes_view context,
                             mutable_bytes out) noexcept {
        assert(!label.empty() && label.size() <= max_label);
        assert(context.size() <= 255);
        assert(out.size() <= 0xffff && out.size() <= max_output);
        constexpr std::string_view prefix = "tls13 ";
        std::array<std::uint8_t, 2 + 1 + 255 + 1 + 255> info{}; // the largest HkdfLabel
        std::size_t n = 0;
        info[n++] = static_cast<std::uint8_t>(out.size() >> 8);
        info[n++] = static_cast<std::uint8_t>(out.size());
        info[n++] = static_cast<std::uint8_t>(prefix.size() + label.size());
        std::memcpy(info.data() + n, prefix.data(), prefix.size());
        n += prefix.size();
        if (!label.empty()) {
            std::memcpy(info.data() + n, label.data(), label.size());
            n += label.size();
        }
        info[n++] = static_cast<std::uint8_t>(context.size());
        if (!context.empty()) {
            std::memcpy(info.data() + n, context.data(), context.size());
            n += context.size();
        }
        [[maybe_unused]] const status s = expand(secret, bytes_view(info.data(), n), out);
        assert(s.ok());
    }

    /// Derive-Secret(Secret, Label, Messages) of RFC 8446 §7.1 =
    /// HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length), taking the
    /// transcript hash (HashLen bytes, asserted) already computed.
    /// CT: lengths only.
    static void derive_secret(bytes_view secret, std::string_view label, bytes_view transcript_hash,
                              std::span<std::uint8_t, hash_len> out) noexcept {
        assert(transcript_hash.size() == hash_len);
        expand_label(secret, label, transcript_hash, out);
    }
};

} // namespace https::crypto

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

namespace https::tls {

/// The largest hash output we negotiate (SHA-384).
inline constexpr std::size_t max_hash_length = 48;

/// A secret as long as the negotiated hash output (32 or 48 bytes); wiped on destruction.
class secret {
  public:
    secret() = default;
    /// CT: copies; lengths only.
    explicit secret(bytes_view b) noexcept : size_(b.size()) {
        assert(b.size() <= max_hash_length);
        std::copy(b.begin(), b.end(), buf_.bytes.begin());
    }
    [[nodiscard]] bytes_view bytes() const noexcept { return {buf_.data(), size_}; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }

  private:
    ct::secret_array<max_hash_length> buf_;
    std::size_t size_ = 0;
};

/// A public hash value (a transcript hash or a Finished verify_data before it is compared).
struct hash_value {
    std::array<std::uint8_t, max_hash_length> bytes{};
    std::size_t size = 0;
    [[nodiscard]] bytes_view view() const noexcept { return {bytes.data(), size}; }
};

namespace detail {

/// Calls `f(std::type_identity<H>{})` with the hash type named by `h`: the one place where the
/// runtime choice of hash becomes a template argument.
template <class F> decltype(auto) with_hash(hash_algorithm h, F&& f) {
    if (h == hash_algorithm::sha256) {
        return std::forward<F>(f)(std::type_identity<crypto::sha256>{});
    }
    return std::forward<F>(f)(std::type_identity<crypto::sha384>{});
}

template <class H> hash_value to_hash_value(const crypto::digest<H>& d) {
    hash_value v;
    std::copy(d.begin(), d.end(), v.bytes.begin());
    v.size = d.size();
    return v;
}

} // namespace detail

/// HKDF-Extract (RFC 5869 §2.2). CT: lengths only.
inline secret hkdf_extract(hash_algorithm h, bytes_view salt, bytes_view ikm) {
    return detail::with_hash(h, [&]<class H>(std::type_identity<H>) {
        auto prk = crypto::hkdf<H>::extract(salt, ikm);
        secret s(prk);
        ct::wipe(prk);
        return s;
    });
}

/// HKDF-Expand-Label (RFC 8446 §7.1) into `out`. CT: lengths only.
inline void hkdf_expand_label(hash_algorithm h, bytes_view secret_bytes, std::string_view label,
                              bytes_view context, mutable_bytes out) {
    detail::with_hash(h, [&]<class H>(std::type_identity<H>) {
        crypto::hkdf<H>::expand_label(secret_bytes, label, context, out);
    });
}

/// Derive-Secret(Secret, Label, Messages) (RFC 8446 §7.1), given Transcript-Hash(Messages).
/// CT: lengths only.
inline secret derive_secret(hash_algorithm h, const secret& s, std::string_view label,
                            const hash_value& transcript) {
    assert(transcript.size == hash_length(h));
    ct::secret_array<max_hash_length> out;
    hkdf_expand_label(h, s.bytes(), label, transcript.view(),
                      mutable_bytes(out.data(), hash_length(h)));
    return secret(bytes_view(out.data(), hash_length(h)));
}

/// Transcript-Hash of no messages, the context of the "derived" steps (RFC 8446 §7.1).
inline hash_value empty_hash(hash_algorithm h) {
    return detail::with_hash(h, [&]<class H>(std::type_identity<H>) {
        return detail::to_hash_value<H>(crypto::hash<H>(bytes_view{}));
    });
}

class handshake_secret;
class master_secret;

/// Stage 1: Early Secret = HKDF-Extract(0, PSK), with PSK = 0 when none is used.
class early_secret {
  public:
    /// CT: the PSK is secret; lengths only.
    explicit early_secret(hash_algorithm h, bytes_view psk = {}) : hash_(h) {
        const std::array<std::uint8_t, max_hash_length> zeros{};
        const bytes_view ikm = psk.empty() ? bytes_view(zeros.data(), hash_length(h)) : psk;
        secret_ = hkdf_extract(h, bytes_view(zeros.data(), hash_length(h)), ikm);
    }

    [[nodiscard]] const secret& value() const noexcept { return secret_; }
    [[nodiscard]] hash_algorithm hash() const noexcept { return hash_; }

    /// Stage 2: Handshake Secret = HKDF-Extract(Derive-Secret(Early, "derived", ""), (EC)DHE).
    /// Consumes the early secret. CT: lengths only.
    [[nodiscard]] handshake_secret derive_handshake(bytes_view shared_secret) &&;

  private:
    hash_algorithm hash_;
    secret secret_;
};

/// Stage 2, holding the Handshake Secret.
class handshake_secret {
  public:
    handshake_secret(hash_algorithm h, secret s) : hash_(h), secret_(std::move(s)) {}

    [[nodiscard]] const secret& value() const noexcept { return secret_; }
    [[nodiscard]] hash_algorithm hash() const noexcept { return hash_; }

    /// client_handshake_traffic_secret over ClientHello...ServerHello. CT: lengths only.
    [[nodiscard]] secret client_traffic(const hash_value& transcript) const {
        return derive_secret(hash_, secret_, "c hs traffic", transcript);
    }
    /// server_handshake_traffic_secret over ClientHello...ServerHello. CT: lengths only.
    [[nodiscard]] secret server_traffic(const hash_value& transcript) const {
        return derive_secret(hash_, secret_, "s hs traffic", transcript);
    }

    /// Stage 3: Master Secret = HKDF-Extract(Derive-Secret(Handshake, "derived", ""), 0).
    /// Consumes the handshake secret. CT: lengths only.
    [[nodiscard]] master_secret derive_master() &&;

  private:
    hash_algorithm hash_;
    secret secret_;
};

/// Stage 3, holding the Master Secret.
class master_secret {
  public:
    master_secret(hash_algorithm h, secret s) : hash_(h), secret_(std::move(s)) {}

    [[nodiscard]] const secret& value() const noexcept { return secret_; }
    [[nodiscard]] hash_algorithm hash() const noexcept { return hash_; }

    /// client_application_traffic_secret_0 over ClientHello...server Finished.
    [[nodiscard]] secret client_application_traffic(const hash_value& transcript) const {
        return derive_secret(hash_, secret_, "c ap traffic", transcript);
    }
    /// server_application_traffic_secret_0 over ClientHello...server Finished.
    [[nodiscard]] secret server_application_traffic(const hash_value& transcript) const {
        return derive_secret(hash_, secret_, "s ap traffic", transcript);
    }
    /// exporter_master_secret over ClientHello...server Finished.
    [[nodiscard]] secret exporter(const hash_value& transcript) const {
        return derive_secret(hash_, secret_, "exp master", transcript);
    }
    /// resumption_master_secret over ClientHello...client Finished.
    [[nodiscard]] secret resumption(const hash_value& transcript) const {
        return derive_secret(hash_, secret_, "res master", transcript);
    }

  private:
    hash_algorithm hash_;
    secret secret_;
};

inline handshake_secret early_secret::derive_handshake(bytes_view shared_secret) && {
    const secret salt = derive_secret(hash_, secret_, "derived", empty_hash(hash_));
    return handshake_secret(hash_, hkdf_extract(hash_, salt.bytes(), shared_secret));
}

inline master_secret handshake_secret::derive_master() && {
    const secret salt = derive_secret(hash_, secret_, "derived", empty_hash(hash_));
    const std::array<std::uint8_t, max_hash_length> zeros{};
    return master_secret(hash_,
                         hkdf_extract(hash_, salt.bytes(), bytes_view(zeros.data(), salt.size())));
}

/// The write key and IV of one direction (RFC 8446 §7.3); wiped on destruction.
struct traffic_keys {
    ct::secret_array<32> key;
    std::size_t key_length = 0;
    ct::secret_array<12> iv;
};

/// [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length),
/// [sender]_write_iv = HKDF-Expand-Label(Secret, "iv", "", 12). CT: lengths only.
inline traffic_keys derive_traffic_keys(hash_algorithm h, const secret& traffic,
                                        std::size_t key_length) {
    assert(key_length <= 32);
    traffic_keys k;
    k.key_length = key_length;
    hkdf_expand_label(h, traffic.bytes(), "key", {}, mutable_bytes(k.key.data(), key_length));
    hkdf_expand_label(h, traffic.bytes(), "iv", {}, k.iv.span());
    return k;
}

/// application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd", "", Hash.length)
/// (RFC 8446 §7.2). CT: lengths only.
inline secret next_traffic_secret(hash_algorithm h, const secret& current) {
    ct::secret_array<max_hash_length> out;
    hkdf_expand_label(h, current.bytes(), "traffic upd", {},
                      mutable_bytes(out.data(), hash_length(h)));
    return secret(bytes_view(out.data(), hash_length(h)));
}

/// Finished verify_data = HMAC(finished_key, Transcript-Hash(...)), finished_key =
/// HKDF-Expand-Label(BaseKey, "finished", "", Hash.length) (RFC 8446 §4.4.4).
/// CT: lengths only; the caller compares received values with ct::equal.
inline secret finished_verify_data(hash_algorithm h, const secret& base_key,
                                   const hash_value& transcript) {
    return detail::with_hash(h, [&]<class H>(std::type_identity<H>) {
        ct::secret_array<H::digest_size> finished_key;
        crypto::hkdf<H>::expand_label(base_key.bytes(), "finished", {}, finished_key.span());
        auto mac = crypto::hmac<H>::mac(finished_key.span(), transcript.view());
        secret out(mac);
        ct::wipe(mac);
        return out;
    });
}

} // namespace https::tls
// ---- https/tls/messages.hpp --------------------------------------------------------------------
// Handshake messages: encoding what the client sends (ClientHello, Certificate, Finished,
// KeyUpdate) and decoding what the server sends (RFC 8446 §4), all through reader/writer.

// ---- https/tls/refusal.hpp ---------------------------------------------------------------------
// Why the engine refused the server: one value per rule the server can break, each with the error
// (and so the alert) it puts on the wire and a sentence for the user.


#include <cstdint>

namespace https::tls {

// The one table of refusals: name, the `errc` it reports (which names the alert, `alert_for`),
// and its description. The enumeration and `info` are both generated from it, so that a rule
// cannot be added without its error and its words.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define HTTPS_TLS_REFUSALS(X) \
    /* records */ \
    X(record_type_invalid, tls_unexpected_message, \
      "a record of an unknown content type, or of one not allowed under protection") \
    X(record_too_long, tls_record_overflow, "a record over the size limit") \
    X(record_authentication_failed, tls_bad_record_mac, \
      "a record failed authentication (bad MAC or tag)") \
    X(record_malformed, tls_decode_error, "a record that cannot be read") \
    X(empty_handshake_record, tls_unexpected_message, "an empty handshake record") \
    X(handshake_message_too_large, too_large, \
      "a handshake message over the configured size limit") \
    X(record_interleaved, tls_unexpected_message, \
      "a record of another type arrived in the middle of a handshake message") \
    X(key_change_not_at_record_boundary, tls_unexpected_message, \
      "a handshake message that changes keys did not end its record") \
    X(unexpected_change_cipher_spec, tls_unexpected_message, \
      "a change_cipher_spec record where none may come") \
    X(malformed_change_cipher_spec, tls_decode_error, \
      "a change_cipher_spec record other than the single byte 1") \
    X(application_data_before_finished, tls_unexpected_message, \
      "application data before the handshake completed") \
    X(malformed_alert, tls_decode_error, "an alert record not of 2 bytes") \
    X(too_many_warning_alerts, tls_unexpected_message, "too many warning alerts") \
    X(closed_during_handshake, tls_closed, \
      "the server closed the connection during the handshake") \
    /* handshake messages out of place or unreadable */ \
    X(unexpected_handshake_message, tls_unexpected_message, "a handshake message out of order") \
    X(malformed_server_hello, tls_decode_error, "a malformed ServerHello") \
    X(malformed_encrypted_extensions, tls_decode_error, "malformed EncryptedExtensions") \
    X(malformed_certificate, tls_decode_error, "a malformed Certificate message") \
    X(malformed_certificate_request, tls_decode_error, "a malformed CertificateRequest") \
    X(malformed_certificate_verify, tls_decode_error, "a malformed CertificateVerify") \
    X(malformed_new_session_ticket, tls_decode_error, "a malformed NewSessionTicket") \
    X(malformed_key_update, tls_decode_error, "a malformed KeyUpdate") \
    X(malformed_server_key_exchange, tls_decode_error, "a malformed ServerKeyExchange") \
    X(malformed_server_hello_done, tls_decode_error, "a malformed ServerHelloDone") \
    X(malformed_hello_request, tls_decode_error, "a malformed HelloRequest") \
    X(malformed_handshake_message, tls_decode_error, "a malformed handshake message") \
    X(renegotiation_refused, tls_no_renegotiation, \
      "the server asked for a renegotiation, which we refuse") \
    /* ServerHello and HelloRetryRequest */ \
    X(downgrade_sentinel, tls_downgrade_detected, \
      "the ServerHello random carries the TLS 1.3 downgrade sentinel") \
    X(version_not_offered, tls_protocol_version, "the server selected a version we did not offer") \
    X(selected_version_not_tls13, tls_illegal_parameter, \
      "the ServerHello's supported_versions selects a version other than TLS 1.3") \
    X(legacy_version_not_tls12, tls_illegal_parameter, \
      "the TLS 1.3 ServerHello's legacy_version is not TLS 1.2") \
    X(tls12_after_hello_retry_request, tls_illegal_parameter, \
      "the server selected TLS 1.2 after its HelloRetryRequest chose TLS 1.3") \
    X(session_id_echo_mismatch, tls_illegal_parameter, \
      "the ServerHello does not echo our session id") \
    X(session_id_echoed, tls_illegal_parameter, \
      "the server resumed a TLS 1.2 session we never had (it echoed our session id)") \
    X(compression_not_null, tls_illegal_parameter, "the server selected a compression method") \
    X(cipher_suite_not_offered, tls_illegal_parameter, \
      "the server selected a cipher suite we did not offer for that version") \
    X(cipher_suite_changed_after_hello_retry, tls_illegal_parameter, \
      "the ServerHello's cipher suite differs from its HelloRetryRequest's") \
    X(missing_key_share, tls_missing_extension, "the ServerHello has no key_share") \
    X(key_share_group_not_offered, tls_illegal_parameter, \
      "the server's key share is for a group we sent no share for") \
    X(invalid_key_share, tls_illegal_parameter, \
      "the server's key share is not a valid public key of its group") \
    X(second_hello_retry_request, tls_unexpected_message, "a second HelloRetryRequest") \
    X(hello_retry_request_without_change, tls_illegal_parameter, \
      "a HelloRetryRequest that would not change the ClientHello") \
    X(hello_retry_group_not_offered, tls_illegal_parameter, \
      "the HelloRetryRequest asks for a group we do not support") \
    X(hello_retry_group_already_shared, tls_illegal_parameter, \
      "the HelloRetryRequest asks for the group we already sent a share for") \
    X(hello_retry_cookie_too_long, tls_illegal_parameter, \
      "the HelloRetryRequest's cookie leaves no room for the rest of the ClientHello") \
    /* extensions */ \
    X(extension_not_offered, tls_unsupported_extension, \
      "the server sent an extension we did not offer") \
    X(extension_not_allowed_here, tls_illegal_parameter, \
      "the server sent an extension in a message where it may not appear") \
    X(malformed_extension, tls_decode_error, "a malformed extension from the server") \
    X(server_name_acknowledgement_not_empty, tls_decode_error, \
      "the server_name acknowledgement is not empty") \
    X(alpn_protocol_not_offered, tls_illegal_parameter, \
      "the server selected an ALPN protocol we did not offer") \
    X(record_size_limit_too_small, tls_illegal_parameter, \
      "the server's record_size_limit is below 64") \
    X(ec_point_formats_without_uncompressed, tls_illegal_parameter, \
      "the server's ec_point_formats does not include uncompressed") \
    X(encrypt_then_mac_with_aead, tls_illegal_parameter, \
      "the server chose encrypt_then_mac with an AEAD suite") \
    X(renegotiation_info_not_empty, tls_handshake_failure, \
      "the server's renegotiation_info is not empty on an initial handshake") \
    X(extended_master_secret_missing, tls_handshake_failure, \
      "the server did not negotiate extended_master_secret, which we require") \
    /* certificate and signatures */ \
    X(certificate_request_context_not_empty, tls_illegal_parameter, \
      "the server's Certificate has a non-empty request context") \
    X(empty_certificate_chain, tls_decode_error, "the server sent an empty certificate chain") \
    X(certificate_entry_extension, tls_unsupported_extension, \
      "a certificate entry carries an extension we did not ask for") \
    X(malformed_certificate_status, tls_decode_error, \
      "a malformed stapled OCSP response (CertificateStatus)") \
    X(certificate_status_not_acknowledged, tls_unexpected_message, \
      "a CertificateStatus although the ServerHello did not acknowledge status_request") \
    X(status_request_acknowledgement_not_empty, tls_decode_error, \
      "the server's status_request acknowledgement in a TLS 1.2 ServerHello is not empty") \
    X(certificate_key_wrong_for_suite, tls_illegal_parameter, \
      "the certificate's key type does not fit the selected cipher suite") \
    X(signature_scheme_not_offered, tls_illegal_parameter, \
      "the server signed with a signature scheme we did not offer") \
    X(signature_key_mismatch, tls_illegal_parameter, \
      "the certificate's key does not fit the signature scheme") \
    X(certificate_verify_signature_invalid, tls_decrypt_error, \
      "the CertificateVerify signature does not verify") \
    X(server_key_exchange_group_not_offered, tls_illegal_parameter, \
      "the ServerKeyExchange names a group we did not offer") \
    X(server_key_exchange_signature_invalid, tls_decrypt_error, \
      "the ServerKeyExchange signature does not verify") \
    /* Finished */ \
    X(finished_length_wrong, tls_decode_error, "the server's Finished has the wrong length") \
    X(finished_mismatch, tls_decrypt_error, \
      "the server's Finished does not match the handshake (keys or transcript differ)") \

/// The rule the server broke. The alert-named `errc` says what goes on the wire; this says why,
/// so that "illegal_parameter" is never the whole story (`client::refusal_cause()`).
enum class refusal : std::uint8_t {
    none, ///< no refusal recorded (the error came from elsewhere: a certificate, the network...)
#define HTTPS_TLS_REFUSAL_NAME(name, error, text) name,
    HTTPS_TLS_REFUSALS(HTTPS_TLS_REFUSAL_NAME)
#undef HTTPS_TLS_REFUSAL_NAME
};

/// A refusal's error and its description.
struct refusal_info {
    errc error;
    const char* text;
};

inline constexpr refusal_info info(refusal r) noexcept {
    switch (r) {
    case refusal::none:
        return {errc::ok, "no refusal"};
#define HTTPS_TLS_REFUSAL_ROW(name, error, text)                                                   \
    case refusal::name:                                                                            \
        return {errc::error, text};
        HTTPS_TLS_REFUSALS(HTTPS_TLS_REFUSAL_ROW)
#undef HTTPS_TLS_REFUSAL_ROW
    }
    return {errc::tls_internal_error, "unknown refusal"};
}
#undef HTTPS_TLS_REFUSALS
// NOLINTEND(bugprone-macro-parentheses)

/// The sentence for a refusal ("the server selected a cipher suite we did not offer ...").
inline constexpr const char* describe(refusal r) noexcept { return info(r).text; }

/// The error a refusal reports, which names the alert sent.
inline constexpr errc error_of(refusal r) noexcept { return info(r).error; }

} // namespace https::tls

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// ---- https/tls/detail/macro_scope.hpp ----------------------------------------------------------
// Local macros of the TLS headers; include after all other headers, pair with macro_unscope.hpp.
// (No include guard on purpose: every TLS header re-enters this scope after its own includes.)

#define HTTPS_TLS_CONCAT_INNER(a, b) a##b
#define HTTPS_TLS_CONCAT(a, b) HTTPS_TLS_CONCAT_INNER(a, b)

/// `HTTPS_TLS_ASSIGN(auto v, r.read_u16());` evaluates a result-returning expression, returns its
/// error from the enclosing function on failure, and otherwise binds the value to `lhs`.
/// (`lhs` is a declaration such as `auto v`, so it cannot be parenthesised.)
// NOLINTBEGIN(bugprone-macro-parentheses)
#define HTTPS_TLS_ASSIGN(lhs, expr)                                                                \
    auto HTTPS_TLS_CONCAT(https_tls_r_, __LINE__) = (expr);                                        \
    if (!HTTPS_TLS_CONCAT(https_tls_r_, __LINE__).ok()) {                                          \
        return HTTPS_TLS_CONCAT(https_tls_r_, __LINE__).error();                                   \
    }                                                                                              \
    lhs = std::move(HTTPS_TLS_CONCAT(https_tls_r_, __LINE__)).value()
// NOLINTEND(bugprone-macro-parentheses)

namespace https::tls {

/// HandshakeType (RFC 8446 §4; the TLS 1.2-only values are RFC 5246 §7.4).
enum class handshake_type : std::uint8_t {
    hello_request = 0,
    client_hello = 1,
    server_hello = 2,
    new_session_ticket = 4,
    end_of_early_data = 5,
    encrypted_extensions = 8,
    certificate = 11,
    server_key_exchange = 12,
    certificate_request = 13,
    server_hello_done = 14,
    certificate_verify = 15,
    client_key_exchange = 16,
    finished = 20,
    certificate_status = 22, ///< TLS 1.2 only (RFC 6066 §8)
    key_update = 24,
    message_hash = 254,
};

/// Handshake header: msg_type (1) + uint24 length.
inline constexpr std::size_t handshake_header_size = 4;

/// One complete handshake message; `raw` (header + body) is what enters the transcript.
struct handshake_message {
    handshake_type type{};
    bytes_view body;
    bytes_view raw;
};

/// RFC 8446 §4.1.3: the ServerHello.random of a HelloRetryRequest, SHA-256("HelloRetryRequest").
inline constexpr std::array<std::uint8_t, 32> hello_retry_request_random = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

/// RFC 8446 §4.1.3: last 8 bytes of ServerHello.random from a TLS 1.3 server negotiating 1.2
/// ("DOWNGRD\1") or 1.1 and below ("DOWNGRD\0").
inline constexpr std::array<std::uint8_t, 8> downgrade_sentinel_tls12 = {0x44, 0x4f, 0x57, 0x4e,
                                                                         0x47, 0x52, 0x44, 0x01};
inline constexpr std::array<std::uint8_t, 8> downgrade_sentinel_tls11 = {0x44, 0x4f, 0x57, 0x4e,
                                                                         0x47, 0x52, 0x44, 0x00};

struct key_share_entry {
    named_group group{};
    byte_vector key_exchange;
};

/// Everything our ClientHello carries (RFC 8446 §4.1.2). Empty lists and strings leave the
/// corresponding extension out.
struct client_hello {
    std::array<std::uint8_t, 32> random{};
    byte_vector legacy_session_id; ///< 32 random bytes in compatibility mode (§D.4), else empty
    std::vector<std::uint16_t> cipher_suites;
    std::string server_name; ///< DNS host name for SNI (RFC 6066 §3); never an IP literal
    std::vector<named_group> supported_groups;
    std::vector<signature_scheme> signature_algorithms;
    std::vector<signature_scheme> signature_algorithms_cert;
    std::vector<key_share_entry> key_shares;
    std::vector<protocol_version> supported_versions;
    std::vector<std::string> alpn;
    byte_vector cookie; ///< echoed from a HelloRetryRequest (§4.2.2)
    /// RFC 8449 record_size_limit we advertise (0: extension left out).
    std::uint16_t record_size_limit = 0;
    /// RFC 6066 §8 status_request: ask for a stapled OCSP response (an OCSPStatusRequest with no
    /// responder ids and no request extensions).
    bool status_request = false;
    /// Further extensions (type, extension_data), sent as given after all of the above: the
    /// TLS 1.2 offer (ec_point_formats, extended_master_secret, renegotiation_info, ...).
    std::vector<std::pair<extension_type, byte_vector>> extra_extensions;
};

/// Whether `ch` carries extension `t`, as `encode_client_hello` writes it (a field that is set, or
/// one of the further extensions).
inline bool offers_extension(const client_hello& ch, extension_type t) {
    using e = extension_type;
    const bool further = std::any_of(ch.extra_extensions.begin(), ch.extra_extensions.end(),
                                     [&](const auto& x) { return x.first == t; });
    switch (t) {
    case e::server_name: return further || !ch.server_name.empty();
    case e::supported_groups: return further || !ch.supported_groups.empty();
    case e::signature_algorithms: return further || !ch.signature_algorithms.empty();
    case e::signature_algorithms_cert: return further || !ch.signature_algorithms_cert.empty();
    case e::application_layer_protocol_negotiation: return further || !ch.alpn.empty();
    case e::cookie: return further || !ch.cookie.empty();
    case e::supported_versions: return further || !ch.supported_versions.empty();
    case e::record_size_limit: return further || ch.record_size_limit != 0;
    case e::status_request: return further || ch.status_request;
    case e::key_share: return further || !ch.key_shares.empty();
    default: return further;
    }
}

/// The whole ClientHello handshake message (header included). A field too long for its length
/// prefix (a HelloRetryRequest cookie that leaves no room for our other extensions, say) is
/// `errc::length_overflow`: nothing goes out with a wrapped length.
inline result<byte_vector> encode_client_hello(const client_hello& ch) {
    byte_vector out;
    writer w(out);
    w.put_u8(static_cast<std::uint8_t>(handshake_type::client_hello));
    const std::size_t msg = w.begin_prefixed(3);
    w.put_u16(static_cast<std::uint16_t>(protocol_version::tls12)); // legacy_version
    w.put_bytes(ch.random);
    HTTPS_TRY(w.put_prefixed(1, ch.legacy_session_id));
    HTTPS_TRY(detail::put_u16_list(w, ch.cipher_suites, 2));
    w.put_u8(1); // legacy_compression_methods: just "null"
    w.put_u8(0);

    const std::size_t exts = w.begin_prefixed(2);
    if (!ch.server_name.empty()) {
        // RFC 6066 §3: ServerNameList with one host_name entry.
        HTTPS_TRY(detail::put_extension(w, extension_type::server_name, [&](writer& e) -> status {
            const std::size_t list = e.begin_prefixed(2);
            e.put_u8(0); // host_name
            HTTPS_TRY(e.put_prefixed(2, as_bytes(ch.server_name)));
            return e.end_prefixed(list, 2);
        }));
    }
    if (!ch.supported_groups.empty()) {
        HTTPS_TRY(
            detail::put_extension(w, extension_type::supported_groups, [&](writer& e) -> status {
                return detail::put_u16_list(e, ch.supported_groups, 2);
            }));
    }
    if (!ch.signature_algorithms.empty()) {
        HTTPS_TRY(detail::put_extension(
            w, extension_type::signature_algorithms, [&](writer& e) -> status {
                return detail::put_u16_list(e, ch.signature_algorithms, 2);
            }));
    }
    if (!ch.signature_algorithms_cert.empty()) {
        HTTPS_TRY(detail::put_extension(
            w, extension_type::signature_algorithms_cert, [&](writer& e) -> status {
                return detail::put_u16_list(e, ch.signature_algorithms_cert, 2);
            }));
    }
    if (!ch.alpn.empty()) {
        HTTPS_TRY(detail::put_extension(w, extension_type::application_layer_protocol_negotiation,
                                        [&](writer& e) -> status {
                                            const std::size_t list = e.begin_prefixed(2);
                                            for (const auto& p : ch.alpn) {
                                                HTTPS_TRY(e.put_prefixed(1, as_bytes(p)));
                                            }
                                            return e.end_prefixed(list, 2);
                                        }));
    }
    if (!ch.cookie.empty()) {
        HTTPS_TRY(detail::put_extension(w, extension_type::cookie, [&](writer& e) -> status {
            return e.put_prefixed(2, ch.cookie);
        }));
    }
    if (!ch.supported_versions.empty()) {
        HTTPS_TRY(
            detail::put_extension(w, extension_type::supported_versions, [&](writer& e) -> status {
                return detail::put_u16_list(e, ch.supported_versions, 1);
            }));
    }
    if (ch.record_size_limit != 0) {
        const std::uint8_t limit[2] = {static_cast<std::uint8_t>(ch.record_size_limit >> 8),
                                       static_cast<std::uint8_t>(ch.record_size_limit)};
        HTTPS_TRY(detail::put_extension_data(w, extension_type::record_size_limit, limit));
    }
    if (ch.status_request) {
        // RFC 6066 §8: CertificateStatusRequest { ocsp(1), OCSPStatusRequest { ResponderID
        // responder_id_list<0..2^16-1> (empty: the server knows its responders), Extensions
        // request_extensions<0..2^16-1> (empty) } }.
        const std::uint8_t request[5] = {1, 0, 0, 0, 0};
        HTTPS_TRY(detail::put_extension_data(w, extension_type::status_request, request));
    }
    if (!ch.key_shares.empty()) {
        HTTPS_TRY(detail::put_extension(w, extension_type::key_share, [&](writer& e) -> status {
            const std::size_t list = e.begin_prefixed(2);
            for (const auto& ks : ch.key_shares) {
                e.put_u16(static_cast<std::uint16_t>(ks.group));
                HTTPS_TRY(e.put_prefixed(2, ks.key_exchange));
            }
            return e.end_prefixed(list, 2);
        }));
    }
    for (const auto& extra : ch.extra_extensions) {
        HTTPS_TRY(detail::put_extension_data(w, extra.first, extra.second));
    }
    HTTPS_TRY(w.end_prefixed(exts, 2));
    HTTPS_TRY(w.end_prefixed(msg, 3));
    return out;
}

/// A decoded ServerHello or HelloRetryRequest (they share one structure, RFC 8446 §4.1.3-4).
/// Views point into the message.
struct server_hello {
    std::uint16_t legacy_version = 0;
    std::array<std::uint8_t, 32> random{};
    bytes_view legacy_session_id_echo;
    std::uint16_t cipher_suite = 0;
    std::uint8_t legacy_compression_method = 0;
    extension_list extensions;

    [[nodiscard]] bool is_hello_retry_request() const noexcept {
        return random == hello_retry_request_random;
    }
};

inline result<server_hello> parse_server_hello(bytes_view body) {
    return detail::as_decode_error([&]() -> result<server_hello> {
        reader r(body);
        server_hello sh;
        HTTPS_TLS_ASSIGN(sh.legacy_version, r.read_u16());
        HTTPS_TLS_ASSIGN(bytes_view random, r.read_bytes(32));
        std::copy(random.begin(), random.end(), sh.random.begin());
        HTTPS_TLS_ASSIGN(sh.legacy_session_id_echo, r.read_prefixed<1>());
        if (sh.legacy_session_id_echo.size() > 32) {
            return errc::tls_decode_error;
        }
        HTTPS_TLS_ASSIGN(sh.cipher_suite, r.read_u16());
        HTTPS_TLS_ASSIGN(sh.legacy_compression_method, r.read_u8());
        // RFC 5246 §7.4.1.3: a TLS 1.2 ServerHello may omit the extensions block entirely.
        if (!r.empty()) {
            HTTPS_TLS_ASSIGN(sh.extensions, extension_list::parse(r));
        }
        HTTPS_TRY(r.expect_empty());
        return sh;
    }());
}

/// ServerHello key_share: one KeyShareEntry (RFC 8446 §4.2.8).
inline result<key_share_entry> parse_server_key_share(bytes_view data) {
    return detail::as_decode_error([&]() -> result<key_share_entry> {
        reader r(data);
        key_share_entry e;
        HTTPS_TLS_ASSIGN(std::uint16_t group, r.read_u16());
        e.group = static_cast<named_group>(group);
        HTTPS_TLS_ASSIGN(bytes_view key, r.read_prefixed<2>());
        if (key.empty()) {
            return errc::tls_decode_error;
        }
        e.key_exchange.assign(key.begin(), key.end());
        HTTPS_TRY(r.expect_empty());
        return e;
    }());
}

/// HelloRetryRequest key_share: just the selected group (RFC 8446 §4.2.8).
inline result<named_group> parse_hrr_key_share(bytes_view data) {
    reader r(data);
    auto group = r.read_u16();
    if (!group || !r.empty()) {
        return errc::tls_decode_error;
    }
    return static_cast<named_group>(*group);
}

/// record_size_limit extension body (RFC 8449 §4): a uint16 of at least 64.
inline result<std::uint16_t> parse_record_size_limit(bytes_view data) {
    reader r(data);
    auto v = r.read_u16();
    if (!v || !r.empty()) {
        return errc::tls_decode_error;
    }
    if (*v < 64) {
        return errc::tls_illegal_parameter; // §4: smaller values are a fatal error
    }
    return *v;
}

namespace detail {

/// RFC 5246 §7.1, RFC 8446 §D.4: the unprotected change_cipher_spec record: type 20, version
/// 0x0303, length 1, the byte 1.
inline void append_change_cipher_spec(byte_vector& out) {
    out.insert(out.end(), {static_cast<std::uint8_t>(20), 0x03, 0x03, 0x00, 0x01, 0x01});
}

/// A body that is exactly one `opaque x<1..2^(8N)-1>`: its contents.
template <std::size_t N> result<bytes_view> parse_nonempty_opaque(bytes_view data) {
    reader r(data);
    auto x = r.read_prefixed<N>();
    if (!x || x->empty() || !r.empty()) {
        return errc::tls_decode_error;
    }
    return *x;
}

} // namespace detail

/// Cookie extension body (RFC 8446 §4.2.2): opaque cookie<1..2^16-1>.
inline result<bytes_view> parse_cookie(bytes_view data) {
    return detail::parse_nonempty_opaque<2>(data);
}

/// EncryptedExtensions (RFC 8446 §4.3.1): just an extension block.
inline result<extension_list> parse_encrypted_extensions(bytes_view body) {
    return detail::as_decode_error([&]() -> result<extension_list> {
        reader r(body);
        HTTPS_TLS_ASSIGN(extension_list exts, extension_list::parse(r));
        HTTPS_TRY(r.expect_empty());
        return exts;
    }());
}

struct certificate_entry {
    bytes_view cert_data; ///< DER X.509 certificate
    extension_list extensions;
};

/// Certificate (RFC 8446 §4.4.2).
struct certificate_message {
    bytes_view certificate_request_context;
    std::vector<certificate_entry> entries;
};

inline result<certificate_message> parse_certificate(bytes_view body) {
    return detail::as_decode_error([&]() -> result<certificate_message> {
        reader r(body);
        certificate_message m;
        HTTPS_TLS_ASSIGN(m.certificate_request_context, r.read_prefixed<1>());
        HTTPS_TLS_ASSIGN(reader list, r.read_nested<3>());
        HTTPS_TRY(r.expect_empty());
        while (!list.empty()) {
            certificate_entry e;
            HTTPS_TLS_ASSIGN(e.cert_data, list.read_prefixed<3>());
            if (e.cert_data.empty()) {
                return errc::tls_decode_error; // cert_data<1..2^24-1>
            }
            HTTPS_TLS_ASSIGN(e.extensions, extension_list::parse(list));
            m.entries.push_back(std::move(e));
        }
        return m;
    }());
}

/// CertificateStatus (RFC 6066 §8, RFC 8446 §4.4.2.1): the body of the TLS 1.2 handshake message
/// and of the TLS 1.3 status_request extension of a CertificateEntry alike:
///   struct { CertificateStatusType status_type = ocsp(1); opaque OCSPResponse<1..2^24-1>; }
/// Returns the DER OCSPResponse, a view into `data`; any other status type, an empty response or
/// bytes left over is `errc::tls_decode_error`.
inline result<bytes_view> parse_certificate_status(bytes_view data) {
    return detail::as_decode_error([&]() -> result<bytes_view> {
        reader r(data);
        HTTPS_TLS_ASSIGN(std::uint8_t type, r.read_u8());
        if (type != 1) {
            return errc::tls_decode_error; // we asked for ocsp(1) only
        }
        HTTPS_TLS_ASSIGN(bytes_view response, r.read_prefixed<3>());
        HTTPS_TRY(r.expect_empty());
        if (response.empty()) {
            return errc::tls_decode_error;
        }
        return response;
    }());
}

/// CertificateVerify (RFC 8446 §4.4.3).
struct certificate_verify {
    std::uint16_t algorithm = 0;
    bytes_view signature;
};

inline result<certificate_verify> parse_certificate_verify(bytes_view body) {
    return detail::as_decode_error([&]() -> result<certificate_verify> {
        reader r(body);
        certificate_verify cv;
        HTTPS_TLS_ASSIGN(cv.algorithm, r.read_u16());
        HTTPS_TLS_ASSIGN(cv.signature, r.read_prefixed<2>());
        if (cv.signature.empty()) {
            return errc::tls_decode_error;
        }
        HTTPS_TRY(r.expect_empty());
        return cv;
    }());
}

/// CertificateRequest (RFC 8446 §4.3.2).
struct certificate_request {
    bytes_view certificate_request_context;
    extension_list extensions;
};

inline result<certificate_request> parse_certificate_request(bytes_view body) {
    return detail::as_decode_error([&]() -> result<certificate_request> {
        reader r(body);
        certificate_request cr;
        HTTPS_TLS_ASSIGN(cr.certificate_request_context, r.read_prefixed<1>());
        HTTPS_TLS_ASSIGN(cr.extensions, extension_list::parse(r));
        HTTPS_TRY(r.expect_empty());
        // §4.3.2: "The "signature_algorithms" extension MUST be specified".
        if (cr.extensions.find(extension_type::signature_algorithms) == nullptr) {
            return errc::tls_missing_extension;
        }
        return cr;
    }());
}

// TLS 1.2 (RFC 5246) message bodies the TLS 1.3 codecs above do not cover.

/// opaque list<1..2^8-1> of single bytes (ec_point_formats).
inline result<bytes_view> parse_u8_list(bytes_view data) {
    return detail::parse_nonempty_opaque<1>(data);
}

/// TLS 1.2 Certificate body: ASN.1Cert certificate_list<0..2^24-1>, each <1..2^24-1>.
inline result<std::vector<bytes_view>> parse_tls12_certificate_list(bytes_view body) {
    return detail::as_decode_error([&]() -> result<std::vector<bytes_view>> {
        reader r(body);
        HTTPS_TLS_ASSIGN(reader list, r.read_nested<3>());
        HTTPS_TRY(r.expect_empty());
        std::vector<bytes_view> out;
        while (!list.empty()) {
            HTTPS_TLS_ASSIGN(bytes_view cert, list.read_prefixed<3>());
            if (cert.empty()) {
                return errc::tls_decode_error;
            }
            out.push_back(cert);
        }
        return out;
    }());
}

/// TLS 1.2 CertificateRequest body (RFC 5246 §7.4.4): certificate_types<1..2^8-1>,
/// supported_signature_algorithms<2..2^16-2>, certificate_authorities<0..2^16-1>.
inline status parse_tls12_certificate_request(bytes_view body) {
    return detail::as_decode_error([&]() -> status {
        reader r(body);
        HTTPS_TLS_ASSIGN(bytes_view types, r.read_prefixed<1>());
        HTTPS_TLS_ASSIGN(bytes_view algs, r.read_prefixed<2>());
        if (types.empty() || algs.size() < 2 || algs.size() % 2 != 0) {
            return errc::tls_decode_error;
        }
        HTTPS_TLS_ASSIGN(reader cas, r.read_nested<2>());
        while (!cas.empty()) {
            HTTPS_TLS_ASSIGN(bytes_view dn, cas.read_prefixed<2>());
            if (dn.empty()) {
                return errc::tls_decode_error;
            }
        }
        return r.expect_empty();
    }());
}

/// NewSessionTicket (RFC 8446 §4.6.1).
struct new_session_ticket {
    std::uint32_t ticket_lifetime = 0;
    std::uint32_t ticket_age_add = 0;
    bytes_view ticket_nonce;
    bytes_view ticket;
    extension_list extensions;
};

inline result<new_session_ticket> parse_new_session_ticket(bytes_view body) {
    return detail::as_decode_error([&]() -> result<new_session_ticket> {
        reader r(body);
        new_session_ticket t;
        HTTPS_TLS_ASSIGN(t.ticket_lifetime, r.read_u32());
        HTTPS_TLS_ASSIGN(t.ticket_age_add, r.read_u32());
        HTTPS_TLS_ASSIGN(t.ticket_nonce, r.read_prefixed<1>());
        HTTPS_TLS_ASSIGN(t.ticket, r.read_prefixed<2>());
        if (t.ticket.empty()) {
            return errc::tls_decode_error; // ticket<1..2^16-1>
        }
        HTTPS_TLS_ASSIGN(t.extensions, extension_list::parse(r));
        HTTPS_TRY(r.expect_empty());
        // §4.6.1: "Servers MUST NOT use any value greater than 604800 seconds (7 days)".
        if (t.ticket_lifetime > 604800) {
            return errc::tls_illegal_parameter;
        }
        return t;
    }());
}

/// KeyUpdate (RFC 8446 §4.6.3): returns whether the peer requests an update of our keys.
inline result<bool> parse_key_update(bytes_view body) {
    reader r(body);
    auto v = r.read_u8();
    if (!v || !r.empty()) {
        return errc::tls_decode_error;
    }
    if (*v > 1) {
        return errc::tls_illegal_parameter; // §4.6.3: any other value is illegal_parameter
    }
    return *v == 1;
}

namespace detail {
/// A handshake message: type, uint24 length, body (`errc::length_overflow` past 2^24 - 1).
inline result<byte_vector> handshake_with_body(handshake_type type, bytes_view body) {
    byte_vector out;
    writer w(out);
    w.put_u8(static_cast<std::uint8_t>(type));
    HTTPS_TRY(w.put_prefixed(3, body));
    return out;
}
} // namespace detail

/// Finished (RFC 8446 §4.4.4), header included.
inline result<byte_vector> encode_finished(bytes_view verify_data) {
    return detail::handshake_with_body(handshake_type::finished, verify_data);
}

/// KeyUpdate (RFC 8446 §4.6.3), header included.
inline result<byte_vector> encode_key_update(bool update_requested) {
    const std::uint8_t body = update_requested ? 1 : 0;
    return detail::handshake_with_body(handshake_type::key_update, bytes_view(&body, 1));
}

/// The empty client Certificate that answers a CertificateRequest when we have no certificate
/// (RFC 8446 §4.4.2: context echoed, empty certificate_list).
inline result<byte_vector> encode_empty_certificate(bytes_view request_context) {
    byte_vector body;
    writer w(body);
    HTTPS_TRY(w.put_prefixed(1, request_context));
    w.put_u24(0);
    return detail::handshake_with_body(handshake_type::certificate, body);
}

/// RFC 8446 §4.4.1: after a HelloRetryRequest, ClientHello1 is replaced in the transcript by this
/// synthetic message carrying its hash.
inline result<byte_vector> encode_message_hash(bytes_view client_hello1_hash) {
    return detail::handshake_with_body(handshake_type::message_hash, client_hello1_hash);
}

} // namespace https::tls

// ---- https/tls/detail/macro_unscope.hpp --------------------------------------------------------
// Undefines the local macros of macro_scope.hpp at the end of each TLS header.
#undef HTTPS_TLS_ASSIGN
#undef HTTPS_TLS_CONCAT
#undef HTTPS_TLS_CONCAT_INNER
// ---- https/tls/record_protection.hpp -----------------------------------------------------------
// Record protection variants: plaintext records and TLS 1.3 AEAD records (RFC 8446 §5.2-5.3);
// the TLS 1.2 work adds its own variants beside these.

// ---- https/crypto/aead.hpp ---------------------------------------------------------------------
// The aead concept: what every authenticated cipher offers, so TLS code can hold any of them.


#include <concepts>
#include <cstddef>

namespace https::crypto {

/// An AEAD bound to a key.
///  - `seal(nonce, ad, plaintext, out)`: `out.size() == plaintext.size() + tag_size`; writes the
///    ciphertext followed by the tag.
///  - `open(nonce, ad, sealed, out)`: `out.size() == sealed.size() - tag_size`; verifies the tag in
///    constant time. On failure returns `errc::bad_tag` and `out` is zero-filled before the call
///    returns, so no unauthenticated plaintext is ever released (an implementation may decrypt
///    into `out` in the same pass as it authenticates, as one-pass AES-GCM does, and wipe it).
/// In place is supported (`out.data() == input.data()`); any other overlap is a precondition
/// violation. A nonce of the wrong length is `errc::bad_nonce_size`.
template <class A>
concept aead = requires(const A a, bytes_view nonce, bytes_view ad, bytes_view in,
                        mutable_bytes out) {
    { A::key_size } -> std::convertible_to<std::size_t>;
    { A::nonce_size } -> std::convertible_to<std::size_t>;
    { A::tag_size } -> std::convertible_to<std::size_t>;
    { a.seal(nonce, ad, in, out) } -> std::same_as<status>;
    { a.open(nonce, ad, in, out) } -> std::same_as<status>;
};

} // namespace https::crypto

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>

namespace https::tls {

/// ContentType (RFC 8446 §5.1).
enum class content_type : std::uint8_t {
    invalid = 0,
    change_cipher_spec = 20,
    alert = 21,
    handshake = 22,
    application_data = 23,
};

inline constexpr std::size_t record_header_size = 5;
/// RFC 8446 §5.1: TLSPlaintext.length MUST NOT exceed 2^14 bytes.
inline constexpr std::size_t max_plaintext_length = std::size_t{1} << 14;
/// RFC 8446 §5.2: TLSCiphertext.length MUST NOT exceed 2^14 + 256 bytes.
inline constexpr std::size_t max_tls13_ciphertext_length = max_plaintext_length + 256;

/// The 5-byte record header as received.
struct record_header {
    content_type type{};
    std::uint16_t legacy_version = 0;
    std::uint16_t length = 0;
};

/// A record after deprotection: its (inner) type and its plaintext.
struct opened_record {
    content_type type{};
    mutable_bytes payload;
};

namespace detail {
inline void put_record_header(byte_vector& out, content_type type, std::uint16_t version,
                              std::size_t length) {
    out.push_back(static_cast<std::uint8_t>(type));
    out.push_back(static_cast<std::uint8_t>(version >> 8));
    out.push_back(static_cast<std::uint8_t>(version));
    out.push_back(static_cast<std::uint8_t>(length >> 8));
    out.push_back(static_cast<std::uint8_t>(length));
}
} // namespace detail

/// No protection: records before the first key change.
class plaintext_protection {
  public:
    static constexpr std::size_t max_record_length = max_plaintext_length;

    /// Appends one TLSPlaintext record.
    void seal(content_type type, std::uint16_t version, bytes_view fragment, byte_vector& out) {
        assert(fragment.size() <= max_plaintext_length);
        detail::put_record_header(out, type, version, fragment.size());
        out.insert(out.end(), fragment.begin(), fragment.end());
    }

    result<opened_record> open(const record_header& h, mutable_bytes payload) {
        return opened_record{h.type, payload};
    }
};

namespace detail {

/// RFC 8446 §5.4: where the content of a TLSInnerPlaintext ends, its type byte included: one past
/// its last non-zero byte; 0 when every byte is zero (no content type).
/// CT: reads every byte, eight at a time, with masks: the time depends only on `inner.size()`,
/// not on where the zero padding starts (padding is there to hide the content length, which a
/// scan stopping at the first non-zero byte from the end leaks by its time). Only the result is
/// declassified: the length of a delivered record is public.
inline std::size_t tls13_inner_content_end(bytes_view inner) noexcept {
    using m = ct::mask<std::uint64_t>;
    const auto word = [&](std::size_t i) { // bytes 8i .. 8i+7, zero past the end (a public size)
        std::uint64_t w = 0;
        std::memcpy(&w, inner.data() + 8 * i, std::min<std::size_t>(8, inner.size() - 8 * i));
        return w;
    };
    std::uint64_t last_word = 0; // one past the last word holding a non-zero byte
    const std::size_t words = (inner.size() + 7) / 8;
    for (std::size_t i = 0; i < words; ++i) {
        last_word = (~m::is_zero(word(i))).select(i + 1, last_word);
    }
    ct::unpoison(&last_word, sizeof last_word); // public: the end is declassified below anyway
    if (last_word == 0) {
        return 0;
    }
    const std::uint64_t w = word(last_word - 1);
    std::uint64_t in_word = 0; // one past the last non-zero byte of that word
    for (unsigned b = 0; b < 8; ++b) {
        const unsigned shift = std::endian::native == std::endian::little ? 8 * b : 8 * (7 - b);
        in_word = (~m::is_zero((w >> shift) & 0xff)).select(b + 1, in_word);
    }
    std::size_t end = (last_word - 1) * 8 + in_word;
    ct::unpoison(&end, sizeof end);
    return end;
}

/// RFC 8446 §5.3, and RFC 7905 §2 for TLS 1.2 ChaCha20-Poly1305: the per-record nonce is the
/// 12-byte IV XOR the 64-bit sequence number, left-padded with zeros.
/// CT: the IV is secret; the sequence number is public; no branch on either.
inline std::array<std::uint8_t, 12> xor_sequence_nonce(std::span<const std::uint8_t, 12> iv,
                                                       std::uint64_t seq) noexcept {
    std::array<std::uint8_t, 12> nonce{};
    std::memcpy(nonce.data(), iv.data(), nonce.size());
    for (int i = 0; i < 8; ++i) {
        nonce[11 - i] ^= static_cast<std::uint8_t>(seq >> (8 * i));
    }
    return nonce;
}

} // namespace detail

/// TLS 1.3 record protection with AEAD `A` (RFC 8446 §5.2-5.3): per-record nonce = iv XOR the
/// 64-bit sequence number, the record header as additional data, the true content type inside
/// the encrypted TLSInnerPlaintext after the content and before any zero padding.
template <crypto::aead A> class tls13_aead_protection {
  public:
    static_assert(A::nonce_size == 12 && A::tag_size == 16);
    static constexpr std::size_t max_record_length = max_tls13_ciphertext_length;

    /// CT: key and iv are secret; only lengths leak.
    tls13_aead_protection(std::span<const std::uint8_t, A::key_size> key,
                          std::span<const std::uint8_t, 12> iv)
        : aead_(key) {
        std::memcpy(iv_.data(), iv.data(), iv_.size());
    }

    /// Appends one TLSCiphertext record carrying `fragment` of type `type`, unpadded.
    /// CT: the plaintext and key are secret; its length and type are public.
    void seal(content_type type, std::uint16_t /*version*/, bytes_view fragment, byte_vector& out) {
        assert(fragment.size() <= max_plaintext_length);
        assert(seq_ != std::numeric_limits<std::uint64_t>::max());
        const std::size_t inner = fragment.size() + 1;
        const std::size_t length = inner + A::tag_size;
        const std::size_t start = out.size();
        // RFC 8446 §5.2: opaque_type is application_data and legacy_record_version 0x0303.
        detail::put_record_header(out, content_type::application_data, 0x0303, length);
        out.insert(out.end(), fragment.begin(), fragment.end());
        out.push_back(static_cast<std::uint8_t>(type));
        out.resize(out.size() + A::tag_size);
        const bytes_view header(out.data() + start, record_header_size);
        const mutable_bytes body(out.data() + start + record_header_size, length);
        const auto nonce = next_nonce();
        // In place: the inner plaintext becomes the ciphertext followed by the tag.
        const status s = aead_.seal(nonce, header, body.first(inner), body);
        assert(s.ok());
        (void)s;
    }

    /// Decrypts `payload` in place. The outer type must be application_data (§5.2: anything
    /// else under protection is unexpected_message), the tag must verify (else bad_record_mac),
    /// the inner plaintext must be at most 2^14 + 1 bytes (else record_overflow) and must hold a
    /// non-zero content type (else unexpected_message, §5.4).
    /// CT: the tag check and the scan for the content type are constant time (the padding
    /// length does not show in the time); the content length and type are declassified.
    result<opened_record> open(const record_header& h, mutable_bytes payload) {
        if (h.type != content_type::application_data) {
            return errc::tls_unexpected_message;
        }
        if (payload.size() > max_tls13_ciphertext_length) {
            return errc::tls_record_overflow;
        }
        if (payload.size() < A::tag_size + 1) {
            return errc::tls_bad_record_mac;
        }
        if (seq_ == std::numeric_limits<std::uint64_t>::max()) {
            return errc::tls_internal_error; // §5.3: the sequence number must not wrap
        }
        std::array<std::uint8_t, record_header_size> header{};
        header[0] = static_cast<std::uint8_t>(h.type);
        header[1] = static_cast<std::uint8_t>(h.legacy_version >> 8);
        header[2] = static_cast<std::uint8_t>(h.legacy_version);
        header[3] = static_cast<std::uint8_t>(payload.size() >> 8);
        header[4] = static_cast<std::uint8_t>(payload.size());
        const auto nonce = next_nonce();
        const mutable_bytes plain = payload.first(payload.size() - A::tag_size);
        if (!aead_.open(nonce, header, payload, plain)) {
            return errc::tls_bad_record_mac;
        }
        const std::size_t n = detail::tls13_inner_content_end(plain);
        if (n == 0) {
            return errc::tls_unexpected_message; // all zeros: no content type
        }
        if (n - 1 > max_plaintext_length) {
            return errc::tls_record_overflow;
        }
        std::uint8_t type = plain[n - 1];
        ct::unpoison(&type, sizeof type); // the record layer dispatches on it: public
        return opened_record{static_cast<content_type>(type), plain.first(n - 1)};
    }

    [[nodiscard]] std::uint64_t sequence_number() const noexcept { return seq_; }

  private:
    std::array<std::uint8_t, 12> next_nonce() noexcept {
        return detail::xor_sequence_nonce(iv_.span(), seq_++);
    }

    A aead_;
    ct::secret_array<12> iv_; // wiped on destruction
    std::uint64_t seq_ = 0;
};

} // namespace https::tls

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace https::tls {

class client_offer;
class test_hooks;

namespace detail {

/// The slot of the test hook that rewrites our ClientHello. It is part of every client_config,
/// so that the struct's layout never depends on HTTPS_TESTING (the library and the tests are
/// compiled apart), but only `tls::test_hooks`, which test builds alone define, can fill it.
class client_hello_hook {
    friend class tls::client_offer;
    friend class tls::test_hooks;
    std::function<byte_vector(const byte_vector& ours, unsigned attempt)> replace_;
    /// Reads the offer of the ClientHello sent, for a TLS 1.2 handshake to hold the server to.
    std::function<std::optional<client_hello>(bytes_view message)> read_;
};

} // namespace detail

/// Checks the server's certificate chain (DER, leaf first, as sent) for `host`: path validation
/// to a trust anchor and the host-name match. `ocsp_staple` is the DER OCSP response the server
/// stapled (RFC 6066 §8, RFC 8446 §4.4.2.1), if we asked for one and it sent one; a verifier
/// built on `x509::verify_chain` passes it on as `verify_options::ocsp_staple`, with
/// `staple_requested` set when `client_config::request_ocsp_staple` is. Returns an x509 error
/// (`cert_expired`, `cert_revoked`, ...) which the engine turns into the matching alert.
using certificate_verifier =
    std::function<status(std::span<const bytes_view> chain, std::string_view host,
                         std::optional<bytes_view> ocsp_staple)>;

/// A session ticket from NewSessionTicket (RFC 8446 §4.6.1) with the PSK it stands for, kept for
/// resumption.
struct session_ticket {
    cipher_suite suite{};
    std::uint32_t lifetime_seconds = 0;
    std::uint32_t age_add = 0;
    byte_vector ticket;
    secret psk; ///< HKDF-Expand-Label(resumption_master_secret, "resumption", nonce, Hash.length)
    std::chrono::system_clock::time_point received{};
};

/// How to connect.
struct client_config {
    /// Host name for SNI and the certificate check (SNI is left out for an IP literal). Required:
    /// an empty name fails `start()` with `errc::cert_no_identity`, unless `check_host` says
    /// otherwise.
    std::string server_name;
    /// `x509::host_check::none` connects without naming the server: `server_name` may be empty,
    /// and the verifier is then called with an empty host (a verifier built on
    /// `x509::verify_chain` must set its own `verify_options::check_host` likewise).
    x509::host_check check_host = x509::host_check::required;
    /// ALPN protocols offered, in preference order (empty: no ALPN).
    std::vector<std::string> alpn = {"http/1.1"};
    /// TLS 1.3 suites offered, in preference order.
    std::vector<cipher_suite> cipher_suites = default_cipher_suites(protocol_version::tls13);
    /// Groups offered in supported_groups, in preference order; the first gets a key share in
    /// the first ClientHello, any other only on HelloRetryRequest.
    std::vector<named_group> groups = {named_group::x25519, named_group::secp256r1,
                                       named_group::secp384r1};
    /// Required: the chain check (the X.509 layer provides the usual one).
    certificate_verifier verify_certificate;
    /// Offer status_request (RFC 6066 §8) in both the TLS 1.3 and the TLS 1.2 offer, so that the
    /// server may staple an OCSP response for its leaf, which the verifier then receives.
    bool request_ocsp_staple = true;
    /// Randomness for ClientHello.random, the session id and key shares (null: the OS CSPRNG).
    crypto::random_source* random = nullptr;
    /// Wall clock (null: std::chrono::system_clock::now).
    std::function<std::chrono::system_clock::time_point()> clock;
    /// RFC 8446 §D.4 middlebox compatibility: a 32-byte legacy_session_id and a dummy
    /// change_cipher_spec before our second flight.
    bool middlebox_compatibility = true;
    /// Largest handshake message accepted (certificate chains are the big ones).
    std::size_t max_handshake_message = std::size_t{256} * 1024;
    /// Largest plaintext per record we send (at most 2^14).
    std::size_t max_fragment = max_plaintext_length;
    /// Smallest RSA key accepted for CertificateVerify. Only trace replays with their 1024-bit
    /// test key lower it; certificate chains have their own policy in the verifier.
    std::size_t min_rsa_key_bits = 2048;
    /// Session tickets kept (older ones are dropped first); 0 ignores tickets.
    std::size_t max_session_tickets = 4;

    /// Empty unless a test build set it (`tls::test_hooks::replace_client_hello`).
    detail::client_hello_hook test_hook;

    // ---- TLS 1.2 (RFC 5246) ----
    /// Lowest and highest version offered; one ClientHello offers both when they differ, and
    /// the server's choice decides which handshake runs.
    protocol_version min_version = protocol_version::tls12;
    protocol_version max_version = protocol_version::tls13;
    /// TLS 1.2 suites offered, in preference order (restrict it, e.g. to the RSA key exchange
    /// suites only; empty offers no TLS 1.2 suite).
    std::vector<cipher_suite> tls12_cipher_suites = default_cipher_suites(protocol_version::tls12);
    /// Refuse a TLS 1.2 server that does not negotiate extended_master_secret (RFC 7627 §5.4).
    bool require_extended_master_secret = false;

    /// The randomness source in effect.
    [[nodiscard]] crypto::random_source& rng() const {
        return random != nullptr ? *random : crypto::default_random();
    }
    /// The time in effect.
    [[nodiscard]] std::chrono::system_clock::time_point now() const {
        return clock ? clock() : std::chrono::system_clock::now();
    }
    /// Whether `v` lies within [min_version, max_version].
    [[nodiscard]] bool offers(protocol_version v) const noexcept {
        const auto x = static_cast<std::uint16_t>(v);
        return static_cast<std::uint16_t>(min_version) <= x &&
               x <= static_cast<std::uint16_t>(max_version);
    }
};

} // namespace https::tls
// ---- https/tls/client_hello.hpp ----------------------------------------------------------------
// Our offer: the one ClientHello a connection sends (again, with a new share or a cookie, after a
// HelloRetryRequest), built from the configuration for TLS 1.3, TLS 1.2 or both; the key shares
// behind it; and the version dispatch on the ServerHello, downgrade sentinel included. Both
// handshakes hold the server to this offer.

// ---- https/tls/key_share.hpp -------------------------------------------------------------------
// Ephemeral key shares for (EC)DHE (RFC 8446 §4.2.8, §7.4): one private key per offered group,
// generated from the injected random source, and the shared secret with the server's share.

// ---- https/crypto/ecdh.hpp ---------------------------------------------------------------------
// Elliptic-curve Diffie-Hellman on P-256 and P-384 (SEC 1 §3.3.1, NIST SP 800-56A §5.7.1.2):
// ephemeral key pairs and the x-coordinate shared secret that TLS 1.3 key_share uses.


#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace https::crypto {

/// An ECDH key pair on `Curve` (p256 or p384); use `ecdh_p256` / `ecdh_p384`. The private
/// scalar d is in [1, n - 1] and is wiped on destruction; the public key is d*G, uncompressed.
template <class Curve> class ecdh_key_pair {
    using group = typename Curve::group;
    using fp = typename group::fp;
    using fn = typename group::fn;

  public:
    static constexpr std::size_t private_key_size = Curve::field_size;
    static constexpr std::size_t public_key_size = Curve::point_size;
    static constexpr std::size_t shared_secret_size = Curve::field_size;

    /// A fresh key pair: d drawn uniformly from [1, n - 1] by rejection sampling (FIPS 186-4
    /// §B.4.2, "testing candidates"; n is 2^bits minus a small fraction, so a retry is rare).
    /// Fails with `errc::random_failure` if `rng` fails or yields no candidate in 64 tries.
    /// CT: time does not depend on d; only the rejection of discarded candidates is visible.
    [[nodiscard]] static result<ecdh_key_pair> generate(random_source& rng = default_random()) {
        ecdh_key_pair kp;
        for (int attempt = 0; attempt < 64; ++attempt) {
            HTTPS_TRY(rng.fill(kp.private_key_.span()));
            if (kp.derive_public()) {
                return kp;
            }
        }
        return errc::random_failure;
    }

    /// The key pair of a given big-endian private scalar (e.g. from a test vector); fails with
    /// `errc::out_of_range` unless 1 <= d <= n - 1.
    /// CT: time does not depend on d; only the range verdict is public.
    [[nodiscard]] static result<ecdh_key_pair>
    from_private(std::span<const std::uint8_t, private_key_size> d) {
        ecdh_key_pair kp;
        std::copy(d.begin(), d.end(), kp.private_key_.bytes.begin());
        if (!kp.derive_public()) {
            return errc::out_of_range;
        }
        return kp;
    }

    /// The public key 0x04 || X || Y to send to the peer (TLS 1.3 KeyShareEntry.key_exchange,
    /// RFC 8446 §4.2.8.2).
    [[nodiscard]] std::span<const std::uint8_t, public_key_size> public_key() const noexcept {
        return public_key_;
    }

    /// The shared secret: the x-coordinate of d*Q, big-endian, for the peer's encoded point Q
    /// (SEC 1 §3.3.1; RFC 8446 §7.4.2). The peer point is fully validated first: see
    /// `ec_public_key::parse` for the errors. `out` is written only on success.
    /// CT: time does not depend on d; the peer point is public.
    [[nodiscard]] status
    shared_secret(bytes_view peer_public,
                  std::span<std::uint8_t, shared_secret_size> out) const noexcept {
        auto q = group::decode(peer_public);
        if (!q) {
            return q.error();
        }
        return compute(*q, out);
    }

    /// The shared secret with an already-validated peer key.
    /// CT: time does not depend on d.
    [[nodiscard]] status
    shared_secret(const ec_public_key<Curve>& peer,
                  std::span<std::uint8_t, shared_secret_size> out) const noexcept {
        return compute(peer.point(), out);
    }

  private:
    ecdh_key_pair() = default;

    /// Range-check d and compute the public key; false when d is 0 or >= n.
    /// CT: only the range verdict is public.
    bool derive_public() noexcept {
        typename group::scalar d = fn::load_be(private_key_.span());
        const std::uint64_t in_range = fn::less_than_modulus(d) & ~fn::is_zero(d);
        if (!detail::nist::declassify(in_range)) {
            ct::wipe(d);
            return false;
        }
        const typename group::projective q = group::mul_base(d);
        typename group::affine a;
        const std::uint64_t infinity = group::to_affine(q, a);
        group::encode(a, public_key_);
        ct::wipe(d);
        // d in [1, n - 1] and G of prime order n: d*G is never the identity. The public key is
        // public by definition.
        ct::unpoison(public_key_.data(), public_key_.size());
        return !detail::nist::declassify(infinity);
    }

    /// x(d*Q) into `out`. CT: no branch or index on d; only the "identity" verdict is public.
    status compute(const typename group::affine& q,
                   std::span<std::uint8_t, shared_secret_size> out) const noexcept {
        typename group::scalar d = fn::load_be(private_key_.span());
        typename group::projective r = group::mul(d, q);
        typename group::affine a;
        const std::uint64_t infinity = group::to_affine(r, a);
        typename group::fe x = fp::from_mont(a.x);
        ct::wipe(d);
        ct::wipe(r.x);
        ct::wipe(r.y);
        ct::wipe(r.z);
        ct::wipe(a.y);
        ct::wipe(a.x);
        // Cannot happen for a validated Q (order n) and d in [1, n - 1]; checked regardless, as
        // SEC 1 §3.3.1 step 2 asks.
        if (detail::nist::declassify(infinity)) {
            ct::wipe(x);
            return errc::point_at_infinity;
        }
        fp::store_be(x, out);
        ct::wipe(x);
        return {};
    }

    ct::secret_array<private_key_size> private_key_; // d, big-endian
    std::array<std::uint8_t, public_key_size> public_key_{};
};

/// ECDH on P-256 (TLS 1.3 group secp256r1).
using ecdh_p256 = ecdh_key_pair<p256>;
/// ECDH on P-384 (TLS 1.3 group secp384r1).
using ecdh_p384 = ecdh_key_pair<p384>;

} // namespace https::crypto
// ---- https/crypto/x25519.hpp -------------------------------------------------------------------
// X25519 Diffie-Hellman (RFC 7748): the constant-time Montgomery ladder over the field of
// detail/field25519.hpp, and key pairs.


#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace https::crypto {

namespace detail {

/// RFC 7748 §5 decodeScalar25519: clear bits 0-2 (a multiple of the cofactor 8), clear bit 255
/// and set bit 254 (a fixed ladder length). CT: branch-free.
inline void x25519_clamp(std::array<std::uint8_t, 32>& k) noexcept {
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
}

/// The x-coordinate (u) of [k]P for the clamped scalar k and P with u-coordinate x1, by the
/// Montgomery ladder of RFC 7748 §5, written to `out` in canonical form. `base_nine` says x1 is
/// the base point u = 9, so multiplying by it is a small-constant multiplication (a public run-time
/// flag rather than a template parameter: one compiled ladder serves both uses).
/// The ladder runs 255 identical steps (bits 254..0); which register pair is "current" is chosen
/// by masked swaps driven by the scalar bits, never by branches or indices.
/// CT: no branch or memory index depends on k or x1.
inline void x25519_ladder(const std::array<std::uint8_t, 32>& k, const fe25519& x1, bool base_nine,
                          std::span<std::uint8_t, 32> out) noexcept {
    fe25519 x2{{1, 0, 0, 0, 0}};
    fe25519 z2{{0, 0, 0, 0, 0}};
    fe25519 x3 = x1;
    fe25519 z3{{1, 0, 0, 0, 0}};
    std::uint64_t swap = 0;
    for (int t = 254; t >= 0; --t) {
        // t is public: the byte index depends on the loop counter only.
        const std::uint64_t bit = (k[static_cast<std::size_t>(t >> 3)] >> (t & 7)) & 1;
        swap ^= bit;
        const auto m = ct::mask<std::uint64_t>::from_bit(swap);
        fe25519_cswap(m, x2, x3);
        fe25519_cswap(m, z2, z3);
        swap = bit;

        // RFC 7748 §5 ladder step (a24 = 121665, so AA + a24*E = AA + 121665 * (AA - BB)).
        const fe25519 a = fe25519_add(x2, z2);
        const fe25519 aa = fe25519_sq(a);
        const fe25519 b = fe25519_sub(x2, z2);
        const fe25519 bb = fe25519_sq(b);
        const fe25519 e = fe25519_sub(aa, bb);
        const fe25519 c = fe25519_add(x3, z3);
        const fe25519 d = fe25519_sub(x3, z3);
        const fe25519 da = fe25519_mul(d, a);
        const fe25519 cb = fe25519_mul(c, b);
        x3 = fe25519_sq(fe25519_add(da, cb));
        const fe25519 dmc2 = fe25519_sq(fe25519_sub(da, cb));
        if (base_nine) {
            z3 = fe25519_mul_small(dmc2, 9);
        } else {
            z3 = fe25519_mul(x1, dmc2);
        }
        x2 = fe25519_mul(aa, bb);
        z2 = fe25519_mul(e, fe25519_add(aa, fe25519_mul_small(e, 121665)));
    }
    const auto m = ct::mask<std::uint64_t>::from_bit(swap);
    fe25519_cswap(m, x2, x3);
    fe25519_cswap(m, z2, z3);

    fe25519 r = fe25519_mul(x2, fe25519_invert(z2));
    fe25519_encode(r, out);
    ct::wipe(x2.v);
    ct::wipe(z2.v);
    ct::wipe(x3.v);
    ct::wipe(z3.v);
    ct::wipe(r.v);
}

} // namespace detail

/// X25519(scalar, u) of RFC 7748 §5: the scalar is clamped, the top bit of u is ignored and
/// non-canonical u (>= p) is reduced, as §5 requires. The result is always written to `out`;
/// when it is all zero (u of small order, or u = 0) the call fails with
/// `errc::zero_shared_secret`, the check RFC 7748 §6.1 and RFC 8446 §7.4.2 ask for, and `out`
/// (zero) must not be used. `out` may overlap `scalar` or `u`: both are read before it is written.
/// CT: time does not depend on scalar or u; only the verdict "output is all zero" is public.
[[nodiscard]] inline status x25519(std::span<const std::uint8_t, 32> scalar,
                                   std::span<const std::uint8_t, 32> u,
                                   std::span<std::uint8_t, 32> out) noexcept {
    std::array<std::uint8_t, 32> k;
    std::copy(scalar.begin(), scalar.end(), k.begin());
    detail::x25519_clamp(k);
    detail::x25519_ladder(k, detail::fe25519_decode(u), false, out);
    ct::wipe(k);
    std::uint32_t acc = 0;
    for (std::uint8_t byte : out) {
        acc |= byte;
    }
    if (ct::mask<std::uint32_t>::is_zero(acc).declassify()) {
        return errc::zero_shared_secret;
    }
    return {};
}

/// The public key X25519(scalar, 9) of a private key (RFC 7748 §6.1). Never zero: 9 generates
/// the subgroup of prime order, and a clamped scalar is never a multiple of that order.
/// CT: time does not depend on the scalar.
inline void x25519_public_key(std::span<const std::uint8_t, 32> scalar,
                              std::span<std::uint8_t, 32> out) noexcept {
    std::array<std::uint8_t, 32> k;
    std::copy(scalar.begin(), scalar.end(), k.begin());
    detail::x25519_clamp(k);
    const detail::fe25519 nine{{9, 0, 0, 0, 0}};
    detail::x25519_ladder(k, nine, true, out);
    ct::wipe(k);
}

/// An X25519 key pair. The private key is kept as the 32 random bytes (clamped at each use, as
/// RFC 7748 §5 specifies) and wiped on destruction.
struct x25519_key_pair {
    ct::secret_array<32> private_key;
    std::array<std::uint8_t, 32> public_key{};

    /// A fresh key pair from `rng`; fails only with `errc::random_failure`.
    /// CT: time does not depend on the private key.
    [[nodiscard]] static result<x25519_key_pair> generate(random_source& rng = default_random()) {
        x25519_key_pair kp;
        HTTPS_TRY(rng.fill(kp.private_key.span()));
        x25519_public_key(kp.private_key.span(), kp.public_key);
        return kp;
    }

    /// The key pair of a given private key (e.g. one from a test vector).
    /// CT: time does not depend on the private key.
    [[nodiscard]] static x25519_key_pair from_private(std::span<const std::uint8_t, 32> key) {
        x25519_key_pair kp;
        std::copy(key.begin(), key.end(), kp.private_key.bytes.begin());
        x25519_public_key(kp.private_key.span(), kp.public_key);
        return kp;
    }

    /// The shared secret with a peer's public key, X25519(private_key, peer_public); fails with
    /// `errc::zero_shared_secret` for small-order peer keys (see `x25519`).
    /// CT: time does not depend on the private key or the peer key; only the zero verdict leaks.
    [[nodiscard]] status shared_secret(std::span<const std::uint8_t, 32> peer_public,
                                       std::span<std::uint8_t, 32> out) const noexcept {
        return x25519(private_key.span(), peer_public, out);
    }
};

} // namespace https::crypto

#include <variant>

namespace https::tls {

/// One of our key shares: the private key of `group()` and its public encoding.
class key_exchange {
  public:
    /// A fresh key for `group`; `errc::unsupported_curve` for a group we do not implement.
    /// CT: time does not depend on the private key.
    static result<key_exchange> generate(named_group group, crypto::random_source& rng) {
        switch (group) {
        case named_group::x25519: {
            auto kp = crypto::x25519_key_pair::generate(rng);
            if (!kp) {
                return kp.error();
            }
            return key_exchange(std::move(*kp));
        }
        case named_group::secp256r1: {
            auto kp = crypto::ecdh_p256::generate(rng);
            if (!kp) {
                return kp.error();
            }
            return key_exchange(std::move(*kp));
        }
        case named_group::secp384r1: {
            auto kp = crypto::ecdh_p384::generate(rng);
            if (!kp) {
                return kp.error();
            }
            return key_exchange(std::move(*kp));
        }
        default:
            return errc::unsupported_curve;
        }
    }

    [[nodiscard]] named_group group() const {
        return std::visit([](const auto& k) { return group_of(k); }, key_);
    }

    /// The KeyShareEntry.key_exchange bytes we send.
    [[nodiscard]] bytes_view public_key() const {
        return std::visit([](const auto& k) { return public_of(k); }, key_);
    }

    /// The (EC)DHE shared secret with the server's key_exchange bytes. RFC 8446 §4.2.8.2 and
    /// §7.4.2: a malformed or invalid peer key, or an all-zero X25519 output, is
    /// `tls_illegal_parameter`.
    /// CT: the private key and the output are secret; only the validity verdict leaks.
    [[nodiscard]] result<secret> shared_secret(bytes_view peer) const {
        return std::visit([&](const auto& k) { return agree(k, peer); }, key_);
    }

  private:
    using key_type = std::variant<crypto::x25519_key_pair, crypto::ecdh_p256, crypto::ecdh_p384>;
    template <class K> explicit key_exchange(K k) : key_(std::move(k)) {}

    static named_group group_of(const crypto::x25519_key_pair&) { return named_group::x25519; }
    static bytes_view public_of(const crypto::x25519_key_pair& k) { return k.public_key; }
    static result<secret> agree(const crypto::x25519_key_pair& k, bytes_view peer) {
        if (peer.size() != 32) {
            return errc::tls_illegal_parameter;
        }
        ct::secret_array<32> out;
        if (!k.shared_secret(std::span<const std::uint8_t, 32>(peer.data(), 32), out.span())) {
            return errc::tls_illegal_parameter;
        }
        return secret(out.span());
    }

    static named_group group_of(const crypto::ecdh_p256&) { return named_group::secp256r1; }
    static named_group group_of(const crypto::ecdh_p384&) { return named_group::secp384r1; }
    template <class Curve> static bytes_view public_of(const crypto::ecdh_key_pair<Curve>& k) {
        return k.public_key();
    }
    /// RFC 8446 §4.2.8.2: an uncompressed point of the right size, fully validated (on the
    /// curve, not the identity) by the ECDH code; the secret is the x-coordinate (§7.4.1).
    template <class Curve>
    static result<secret> agree(const crypto::ecdh_key_pair<Curve>& k, bytes_view peer) {
        using kp = crypto::ecdh_key_pair<Curve>;
        if (peer.size() != kp::public_key_size || peer[0] != 0x04) {
            return errc::tls_illegal_parameter;
        }
        ct::secret_array<kp::shared_secret_size> out;
        if (!k.shared_secret(peer, out.span())) {
            return errc::tls_illegal_parameter;
        }
        return secret(out.span());
    }

    key_type key_;
};

} // namespace https::tls
// ---- https/tls/signature.hpp -------------------------------------------------------------------
// The server's key and the one route that verifies its signatures: the TLS 1.3 CertificateVerify
// (RFC 8446 §4.4.3) and the TLS 1.2 ServerKeyExchange, with the leaf's key parsed once.


#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <variant>

namespace https::tls {

/// The schemes we accept in CertificateVerify (signature_algorithms), in preference order;
/// ed25519 right after ecdsa_secp256r1_sha256, where most clients put it.
inline const std::vector<signature_scheme>& default_signature_schemes() {
    static const std::vector<signature_scheme> schemes = {
        signature_scheme::ecdsa_secp256r1_sha256, signature_scheme::ed25519,
        signature_scheme::ecdsa_secp384r1_sha384, signature_scheme::rsa_pss_rsae_sha256,
        signature_scheme::rsa_pss_rsae_sha384,    signature_scheme::rsa_pss_rsae_sha512,
    };
    return schemes;
}

/// The schemes we accept in certificates (signature_algorithms_cert): the above plus PKCS#1 v1.5,
/// which RFC 8446 §4.2.3 allows in certificates only.
inline const std::vector<signature_scheme>& default_certificate_signature_schemes() {
    static const std::vector<signature_scheme> schemes = [] {
        std::vector<signature_scheme> s = default_signature_schemes();
        s.push_back(signature_scheme::rsa_pkcs1_sha256);
        s.push_back(signature_scheme::rsa_pkcs1_sha384);
        s.push_back(signature_scheme::rsa_pkcs1_sha512);
        return s;
    }();
    return schemes;
}

/// What a handshake does with the server certificate's key.
enum class leaf_key_use : std::uint8_t {
    sign,     ///< TLS 1.3 CertificateVerify; TLS 1.2 ECDHE ServerKeyExchange
    encipher, ///< TLS 1.2 RSA key exchange: the premaster secret is encrypted to it
};

/// The key usage check both handshakes make on the leaf (RFC 5280 §4.2.1.3): when the leaf has a
/// keyUsage extension it must allow `use`, digitalSignature to sign (RFC 8446 §4.4.2.2, RFC 8422
/// §5.3) and keyEncipherment to encipher (RFC 5246 §7.4.2). `errc::cert_bad_key_usage`
/// otherwise. Path validation only asks that a leaf allow some TLS use; this asks for the one
/// the negotiated handshake makes.
inline status check_leaf_key_usage(const x509::certificate& leaf, leaf_key_use use) noexcept {
    std::uint16_t needed = 0;
    switch (use) {
    case leaf_key_use::sign:
        needed = x509::key_usage::digital_signature;
        break;
    case leaf_key_use::encipher:
        needed = x509::key_usage::key_encipherment;
        break;
    }
    if (needed == 0 || (leaf.key_usage && (*leaf.key_usage & needed) == 0)) {
        return errc::cert_bad_key_usage; // (needed == 0: a `use` outside the enumeration)
    }
    return {};
}

/// RFC 8446 §4.4.3: the signed content is 64 spaces, the context string, a zero byte and the
/// transcript hash.
inline byte_vector certificate_verify_content(const hash_value& transcript, bool server = true) {
    constexpr std::string_view server_context = "TLS 1.3, server CertificateVerify";
    constexpr std::string_view client_context = "TLS 1.3, client CertificateVerify";
    const std::string_view ctx = server ? server_context : client_context;
    // Sized once and filled in place (GCC 12 -O2 misreads the grow-by-insert form).
    byte_vector out(64 + ctx.size() + 1 + transcript.size, 0x20);
    std::memcpy(out.data() + 64, ctx.data(), ctx.size());
    out[64 + ctx.size()] = 0;
    std::memcpy(out.data() + 64 + ctx.size() + 1, transcript.bytes.data(), transcript.size);
    return out;
}

/// The server certificate's key, taken from the leaf once, when its Certificate arrives, and used
/// for every check after it (CertificateVerify, ServerKeyExchange, the RSA key exchange).
struct peer_key {
    x509::key_algorithm algorithm = x509::key_algorithm::unsupported;
    byte_vector spki; ///< the DER SubjectPublicKeyInfo
};

/// Extract the key of the leaf certificate and check that it fits the key exchange `kx`: any
/// key for TLS 1.3 (the CertificateVerify scheme decides), an ECDSA or Ed25519 key for
/// ECDHE_ECDSA, an RSA key for ECDHE_RSA and RSA (RFC 5246 §7.4.2, RFC 8422 §5.3); then that a
/// keyUsage allows the use the key exchange makes of it (`check_leaf_key_usage`). An unparsable
/// leaf is `cert_malformed`, a key of the wrong type `tls_illegal_parameter`.
inline result<peer_key> leaf_key(bytes_view leaf_der, key_exchange_kind kx) {
    auto cert = x509::parse_certificate(leaf_der);
    if (!cert) {
        return errc::cert_malformed;
    }
    peer_key k{cert->spki.algorithm, byte_vector(cert->spki.der.begin(), cert->spki.der.end())};
    const bool is_ec =
        k.algorithm == x509::key_algorithm::ec_p256 || k.algorithm == x509::key_algorithm::ec_p384;
    const bool is_rsa = k.algorithm == x509::key_algorithm::rsa;
    bool fits = false;
    leaf_key_use use = leaf_key_use::sign;
    switch (kx) {
    case key_exchange_kind::tls13:
        fits = true;
        break;
    case key_exchange_kind::ecdhe_ecdsa:
        fits = is_ec || k.algorithm == x509::key_algorithm::ed25519;
        break;
    case key_exchange_kind::ecdhe_rsa:
        fits = is_rsa;
        break;
    case key_exchange_kind::rsa:
        fits = is_rsa;
        use = leaf_key_use::encipher;
        break;
    }
    if (!fits) {
        return errc::tls_illegal_parameter; // the wrong certificate type for the suite
    }
    HTTPS_TRY(check_leaf_key_usage(*cert, use));
    return k;
}

/// Verify `signature` over `content` with the server's key under `scheme`: the TLS 1.3
/// CertificateVerify (RFC 8446 §4.4.3) and the TLS 1.2 ServerKeyExchange (RFC 5246 §7.4.3) alike.
/// The versions differ in two rules: in TLS 1.3 an ECDSA scheme names the curve, which must be
/// the key's, while in TLS 1.2 it names the hash only (§7.4.1.4.1); and RSASSA-PKCS1-v1_5 signs
/// in TLS 1.2 only (RFC 8446 §4.2.3 keeps it for certificates). Ed25519 signs `content` itself
/// (RFC 8032 §5.1, RFC 8422 §5.4). A scheme that does not fit the key is
/// `tls_illegal_parameter`; an RSA key under `min_rsa_bits` is `weak_key`; a signature that does
/// not verify is `bad_signature` (which the handshakes send as decrypt_error).
/// CT: public inputs only.
inline status verify_signature(signature_scheme scheme, const peer_key& key, bytes_view content,
                               bytes_view signature, std::size_t min_rsa_bits,
                               protocol_version version) {
    using std::type_identity;
    const bool tls13 = version == protocol_version::tls13;
    const auto checked = [](status s) { return s.ok() ? status{} : status{errc::bad_signature}; };
    auto ecdsa = [&]<class Hash, class Curve>(type_identity<Hash>, type_identity<Curve>) -> status {
        auto k = crypto::parse_ec_public_key_info(key.spki);
        if (!k || (tls13 && !std::holds_alternative<crypto::ec_public_key<Curve>>(*k))) {
            return errc::tls_illegal_parameter;
        }
        return checked(std::visit(
            [&](const auto& pub) { return crypto::ecdsa_verify<Hash>(pub, content, signature); },
            *k));
    };
    auto rsa = [&]<class Hash>(type_identity<Hash>, bool pss) -> status {
        if ((!pss && tls13) || key.algorithm != x509::key_algorithm::rsa) {
            return errc::tls_illegal_parameter;
        }
        auto k = crypto::rsa_public_key::parse_spki(key.spki, min_rsa_bits);
        if (!k) {
            return k.error() == errc::weak_key ? errc::weak_key : errc::tls_illegal_parameter;
        }
        return checked(pss ? crypto::verify_pss<Hash>(*k, content, signature)
                           : crypto::verify_pkcs1v15<Hash>(*k, content, signature));
    };
    const type_identity<crypto::sha256> sha256;
    const type_identity<crypto::sha384> sha384;
    const type_identity<crypto::sha512> sha512;
    switch (scheme) {
    case signature_scheme::ecdsa_secp256r1_sha256:
        return ecdsa(sha256, type_identity<crypto::p256>{});
    case signature_scheme::ecdsa_secp384r1_sha384:
        return ecdsa(sha384, type_identity<crypto::p384>{});
    case signature_scheme::rsa_pss_rsae_sha256:
        return rsa(sha256, true);
    case signature_scheme::rsa_pss_rsae_sha384:
        return rsa(sha384, true);
    case signature_scheme::rsa_pss_rsae_sha512:
        return rsa(sha512, true);
    case signature_scheme::rsa_pkcs1_sha256:
        return rsa(sha256, false);
    case signature_scheme::rsa_pkcs1_sha384:
        return rsa(sha384, false);
    case signature_scheme::rsa_pkcs1_sha512:
        return rsa(sha512, false);
    case signature_scheme::ed25519: {
        auto k = crypto::parse_ed25519_public_key_info(key.spki);
        if (!k) {
            return errc::tls_illegal_parameter;
        }
        return crypto::ed25519_verify(*k, content, signature);
    }
    default:
        return errc::tls_illegal_parameter; // not a scheme we offer
    }
}

} // namespace https::tls
// ---- https/tls/tls12_key_exchange.hpp ----------------------------------------------------------
// TLS 1.2 key exchange: the ECDHE ServerKeyExchange (RFC 8422 §5.4; its signature is checked by
// signature.hpp's verify_signature), the RSA key exchange's encrypted premaster secret (RFC 5246
// §7.4.7.1), and the ClientKeyExchange encodings.


#include <array>
#include <cstdint>
#include <type_traits>
#include <variant>
#include <vector>

// ---- https/tls/detail/macro_scope.hpp ----------------------------------------------------------
// Local macros of the TLS headers; include after all other headers, pair with macro_unscope.hpp.
// (No include guard on purpose: every TLS header re-enters this scope after its own includes.)

#define HTTPS_TLS_CONCAT_INNER(a, b) a##b
#define HTTPS_TLS_CONCAT(a, b) HTTPS_TLS_CONCAT_INNER(a, b)

/// `HTTPS_TLS_ASSIGN(auto v, r.read_u16());` evaluates a result-returning expression, returns its
/// error from the enclosing function on failure, and otherwise binds the value to `lhs`.
/// (`lhs` is a declaration such as `auto v`, so it cannot be parenthesised.)
// NOLINTBEGIN(bugprone-macro-parentheses)
#define HTTPS_TLS_ASSIGN(lhs, expr)                                                                \
    auto HTTPS_TLS_CONCAT(https_tls_r_, __LINE__) = (expr);                                        \
    if (!HTTPS_TLS_CONCAT(https_tls_r_, __LINE__).ok()) {                                          \
        return HTTPS_TLS_CONCAT(https_tls_r_, __LINE__).error();                                   \
    }                                                                                              \
    lhs = std::move(HTTPS_TLS_CONCAT(https_tls_r_, __LINE__)).value()
// NOLINTEND(bugprone-macro-parentheses)

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

// ---- https/tls/detail/macro_unscope.hpp --------------------------------------------------------
// Undefines the local macros of macro_scope.hpp at the end of each TLS header.
#undef HTTPS_TLS_ASSIGN
#undef HTTPS_TLS_CONCAT
#undef HTTPS_TLS_CONCAT_INNER

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

// ---- https/tls/detail/macro_scope.hpp ----------------------------------------------------------
// Local macros of the TLS headers; include after all other headers, pair with macro_unscope.hpp.
// (No include guard on purpose: every TLS header re-enters this scope after its own includes.)

#define HTTPS_TLS_CONCAT_INNER(a, b) a##b
#define HTTPS_TLS_CONCAT(a, b) HTTPS_TLS_CONCAT_INNER(a, b)

/// `HTTPS_TLS_ASSIGN(auto v, r.read_u16());` evaluates a result-returning expression, returns its
/// error from the enclosing function on failure, and otherwise binds the value to `lhs`.
/// (`lhs` is a declaration such as `auto v`, so it cannot be parenthesised.)
// NOLINTBEGIN(bugprone-macro-parentheses)
#define HTTPS_TLS_ASSIGN(lhs, expr)                                                                \
    auto HTTPS_TLS_CONCAT(https_tls_r_, __LINE__) = (expr);                                        \
    if (!HTTPS_TLS_CONCAT(https_tls_r_, __LINE__).ok()) {                                          \
        return HTTPS_TLS_CONCAT(https_tls_r_, __LINE__).error();                                   \
    }                                                                                              \
    lhs = std::move(HTTPS_TLS_CONCAT(https_tls_r_, __LINE__)).value()
// NOLINTEND(bugprone-macro-parentheses)

namespace https::tls {

namespace detail {

/// RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in HostName".
inline bool is_ip_literal(std::string_view host) {
    if (host.empty() || host.find(':') != std::string_view::npos) {
        return true; // nothing, or IPv6
    }
    return std::all_of(host.begin(), host.end(),
                       [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

/// RFC 8422 §5.1.2, RFC 7627 §5.1, RFC 5746 §3.4, RFC 5077 §3.2, RFC 7366 §2: the extension
/// bodies a TLS 1.2 offer needs. encrypt_then_mac only matters when a CBC suite is offered.
inline std::vector<std::pair<extension_type, byte_vector>>
tls12_client_hello_extensions(bool offer_cbc) {
    std::vector<std::pair<extension_type, byte_vector>> out;
    out.emplace_back(extension_type::ec_point_formats, byte_vector{1, 0}); // uncompressed
    out.emplace_back(extension_type::extended_master_secret, byte_vector{});
    out.emplace_back(extension_type::renegotiation_info, byte_vector{0}); // empty
    out.emplace_back(extension_type::session_ticket, byte_vector{});      // no ticket to offer
    if (offer_cbc) {
        out.emplace_back(extension_type::encrypt_then_mac, byte_vector{});
    }
    return out;
}

} // namespace detail

/// The ClientHello a connection offers, the key shares behind it and the message as sent.
class client_offer {
  public:
    /// Build and encode the first ClientHello for `config`.
    /// Errors: `tls_internal_error` for a configuration that offers nothing (min_version above
    /// max_version, no suite of a version offered, no group) or names a suite we do not
    /// implement; `cert_no_identity` for an empty server name when the host is checked;
    /// `length_overflow` for a name or list too long for its field; the random source's error.
    static result<client_offer> make(const client_config& config) {
        client_offer o;
        HTTPS_TRY(o.build(config));
        HTTPS_TRY(o.encode(config, 0));
        return o;
    }

    /// What we offered, which the server is held to.
    [[nodiscard]] const client_hello& hello() const noexcept {
        return replayed_ ? *replayed_ : hello_;
    }
    /// The last ClientHello message sent (header included).
    [[nodiscard]] const byte_vector& message() const noexcept { return message_; }
    /// Our key shares: the private halves of `hello().key_shares`.
    [[nodiscard]] const std::vector<key_exchange>& shares() const noexcept { return shares_; }

    /// The second ClientHello (RFC 8446 §4.1.4): a share for `group` instead of the first one,
    /// and `cookie`, echoed (§4.2.2). Errors: `length_overflow` when the cookie leaves no room
    /// for the rest of the ClientHello, the key generation's error.
    status retry(const client_config& config, std::optional<named_group> group,
                 std::optional<bytes_view> cookie) {
        if (group) {
            HTTPS_TLS_ASSIGN(key_exchange share, key_exchange::generate(*group, config.rng()));
            set_share(std::move(share));
        }
        if (cookie) {
            hello_.cookie.assign(cookie->begin(), cookie->end());
        }
        return encode(config, 1);
    }

    /// The version the ServerHello selects (RFC 8446 §4.1.3, §4.2.1), held to our offer: TLS 1.3
    /// by supported_versions, TLS 1.2 without it, unless its random carries the downgrade
    /// sentinel while we offered TLS 1.3. `why` receives the refusal of a failure.
    result<protocol_version> select_version(const server_hello& sh, refusal& why) const {
        const auto refuse = [&](refusal r) {
            why = r;
            return result<protocol_version>(error_of(r));
        };
        const extension* sv = sh.extensions.find(extension_type::supported_versions);
        if (sv == nullptr) {
            const bytes_view tail = bytes_view(sh.random).subspan(24);
            if (tls13_ &&
                (std::equal(tail.begin(), tail.end(), downgrade_sentinel_tls12.begin()) ||
                 std::equal(tail.begin(), tail.end(), downgrade_sentinel_tls11.begin()))) {
                return refuse(refusal::downgrade_sentinel);
            }
            // §4.2.1: a ClientHello with supported_versions offers exactly those versions.
            const auto& versions = hello_.supported_versions;
            if (sh.legacy_version != static_cast<std::uint16_t>(protocol_version::tls12) ||
                !tls12_ ||
                (!versions.empty() && std::find(versions.begin(), versions.end(),
                                                protocol_version::tls12) == versions.end())) {
                return refuse(refusal::version_not_offered);
            }
            return protocol_version::tls12;
        }
        HTTPS_TLS_ASSIGN(std::uint16_t selected, parse_selected_version(sv->data));
        if (selected != static_cast<std::uint16_t>(protocol_version::tls13)) {
            return refuse(refusal::selected_version_not_tls13);
        }
        if (sh.legacy_version != static_cast<std::uint16_t>(protocol_version::tls12)) {
            return refuse(refusal::legacy_version_not_tls12);
        }
        return protocol_version::tls13;
    }

  private:

    void set_share(key_exchange share) {
        shares_.clear();
        shares_.push_back(std::move(share));
        const bytes_view pub = shares_[0].public_key();
        hello_.key_shares = {key_share_entry{shares_[0].group(), byte_vector(pub.begin(), pub.end())}};
    }

    status build(const client_config& c) {
        const bool tls13 = c.offers(protocol_version::tls13);
        tls13_ = tls13;
        tls12_ = c.offers(protocol_version::tls12) && !c.tls12_cipher_suites.empty();
        if ((!tls13 && !tls12_) || (tls13 && c.cipher_suites.empty()) || c.groups.empty()) {
            return errc::tls_internal_error;
        }
        HTTPS_TRY(c.rng().fill(hello_.random));
        if (c.middlebox_compatibility && tls13) {
            hello_.legacy_session_id.resize(32);
            HTTPS_TRY(c.rng().fill(hello_.legacy_session_id));
        }
        if (!detail::is_ip_literal(c.server_name)) {
            hello_.server_name = c.server_name;
        }
        hello_.supported_groups = c.groups;
        hello_.signature_algorithms = default_signature_schemes();
        hello_.signature_algorithms_cert = default_certificate_signature_schemes();
        hello_.alpn = c.alpn;
        // RFC 8449 §4: in TLS 1.3 the limit counts the content type byte, so 2^14 + 1 says
        // "full-size records"; advertising it lets servers announce a smaller limit of theirs.
        hello_.record_size_limit = static_cast<std::uint16_t>(max_plaintext_length + 1);
        hello_.status_request = c.request_ocsp_staple;
        if (tls13) {
            for (auto s : c.cipher_suites) {
                hello_.cipher_suites.push_back(static_cast<std::uint16_t>(s));
            }
            hello_.supported_versions = {protocol_version::tls13};
            HTTPS_TLS_ASSIGN(key_exchange share, key_exchange::generate(c.groups.front(), c.rng()));
            set_share(std::move(share));
        }
        if (tls12_) {
            HTTPS_TRY(add_tls12_offer(c, tls13));
        }
        if (c.server_name.empty() && c.check_host != x509::host_check::none) {
            return errc::cert_no_identity; // no silent skip of the certificate's identity
        }
        return {};
    }

    status add_tls12_offer(const client_config& c, bool tls13) {
        // TLS 1.2: its suites after the TLS 1.3 ones, the extensions it needs, the PKCS#1 v1.5
        // schemes TLS 1.2 servers sign ServerKeyExchange with, and supported_versions only when
        // TLS 1.3 is offered too (RFC 8446 §4.2.1: without it a server negotiates TLS 1.2).
        bool cbc = false;
        for (auto s : c.tls12_cipher_suites) {
            const auto* info =
                find_cipher_suite(static_cast<std::uint16_t>(s), protocol_version::tls12);
            if (info == nullptr) {
                return errc::tls_internal_error; // not a TLS 1.2 suite we implement
            }
            cbc = cbc || info->is_cbc();
            hello_.cipher_suites.push_back(static_cast<std::uint16_t>(s));
        }
        hello_.extra_extensions = detail::tls12_client_hello_extensions(cbc);
        for (auto scheme : tls12_signature_schemes()) {
            auto& schemes = hello_.signature_algorithms;
            if (std::find(schemes.begin(), schemes.end(), scheme) == schemes.end()) {
                schemes.push_back(scheme);
            }
        }
        if (tls13) {
            hello_.supported_versions.push_back(protocol_version::tls12);
        }
        return {};
    }

    /// Encode ClientHello number `attempt` (0, or 1 after HelloRetryRequest) into `message_`, or
    /// put what the test hook returns in its place (and, if it says so, the offer it carries).
    status encode(const client_config& config, unsigned attempt) {
        HTTPS_TLS_ASSIGN(message_, encode_client_hello(hello_));
        const auto& hook = config.test_hook;
        if (hook.replace_) {
            message_ = hook.replace_(message_, attempt);
        }
        if (hook.read_) {
            replayed_ = hook.read_(message_);
            if (!replayed_) {
                return errc::tls_internal_error;
            }
        }
        return {};
    }

    bool tls13_ = false;
    bool tls12_ = false;
    client_hello hello_;
    std::optional<client_hello> replayed_; ///< the offer of a test's replayed ClientHello
    std::vector<key_exchange> shares_;
    byte_vector message_;
};

} // namespace https::tls

// ---- https/tls/detail/macro_unscope.hpp --------------------------------------------------------
// Undefines the local macros of macro_scope.hpp at the end of each TLS header.
#undef HTTPS_TLS_ASSIGN
#undef HTTPS_TLS_CONCAT
#undef HTTPS_TLS_CONCAT_INNER
// ---- https/tls/protection.hpp ------------------------------------------------------------------
// The record protections a client may switch to (one list, for both versions), and the factories
// that build one from a suite's row of the cipher-suite table: from a traffic secret in TLS 1.3,
// from the key block in TLS 1.2.

// ---- https/crypto/chacha20_poly1305.hpp --------------------------------------------------------
// AEAD_CHACHA20_POLY1305 (RFC 8439 §2.8), the TLS 1.3 suite TLS_CHACHA20_POLY1305_SHA256.

// ---- https/crypto/chacha20.hpp -----------------------------------------------------------------
// ChaCha20 (RFC 8439 §2.1-2.4): the block function and the stream cipher, portable and AVX2.


#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HTTPS_CHACHA20_HAVE_AVX2 1
#else
#define HTTPS_CHACHA20_HAVE_AVX2 0
#endif

namespace https::crypto {

namespace detail {

/// The 16-word ChaCha state (RFC 8439 §2.3): constants, key, block counter (word 12), nonce.
using chacha20_state = std::array<std::uint32_t, 16>;

/// RFC 8439 §2.1: the quarter round on four words.
/// CT: additions, xors and fixed rotations only.
inline void chacha20_quarter_round(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c,
                                   std::uint32_t& d) noexcept {
    a += b;
    d = std::rotl(d ^ a, 16);
    c += d;
    b = std::rotl(b ^ c, 12);
    a += b;
    d = std::rotl(d ^ a, 8);
    c += d;
    b = std::rotl(b ^ c, 7);
}

/// RFC 8439 §2.3: lay out "expand 32-byte k", the key, the counter and the nonce.
/// CT: copies the key; no branch on it.
inline void chacha20_setup(chacha20_state& s, std::span<const std::uint8_t, 32> key,
                           std::uint32_t counter,
                           std::span<const std::uint8_t, 12> nonce) noexcept {
    s[0] = 0x61707865;
    s[1] = 0x3320646e;
    s[2] = 0x79622d32;
    s[3] = 0x6b206574;
    for (std::size_t i = 0; i < 8; ++i) {
        s[4 + i] = https::detail::load_le32(key.data() + 4 * i);
    }
    s[12] = counter;
    for (std::size_t i = 0; i < 3; ++i) {
        s[13 + i] = https::detail::load_le32(nonce.data() + 4 * i);
    }
}

/// RFC 8439 §2.3: 20 rounds (10 column + 10 diagonal) over a copy of `in`, then add `in`.
/// CT: fixed sequence of word operations.
inline void chacha20_block_words(const chacha20_state& in, chacha20_state& x) noexcept {
    x = in;
    for (int i = 0; i < 10; ++i) {
        chacha20_quarter_round(x[0], x[4], x[8], x[12]);
        chacha20_quarter_round(x[1], x[5], x[9], x[13]);
        chacha20_quarter_round(x[2], x[6], x[10], x[14]);
        chacha20_quarter_round(x[3], x[7], x[11], x[15]);
        chacha20_quarter_round(x[0], x[5], x[10], x[15]);
        chacha20_quarter_round(x[1], x[6], x[11], x[12]);
        chacha20_quarter_round(x[2], x[7], x[8], x[13]);
        chacha20_quarter_round(x[3], x[4], x[9], x[14]);
    }
    for (std::size_t i = 0; i < 16; ++i) {
        x[i] += in[i];
    }
}

/// One 64-byte keystream block for the state's current counter (RFC 8439 §2.3, serialised
/// little-endian). The counter in `s` is not advanced.
/// CT: no branch or index on the key or the output.
inline void chacha20_block(const chacha20_state& s, std::span<std::uint8_t, 64> out) noexcept {
    chacha20_state x;
    chacha20_block_words(s, x);
    for (std::size_t i = 0; i < 16; ++i) {
        https::detail::store_le32(out.data() + 4 * i, x[i]);
    }
    ct::wipe(x);
}

/// out = a XOR b over n bytes, eight at a time; `out` may equal `a` or `b` (in place).
/// CT: only `n` steers branches.
inline void xor_bytes(std::uint8_t* out, const std::uint8_t* a, const std::uint8_t* b,
                      std::size_t n) noexcept {
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t x = 0, y = 0;
        std::memcpy(&x, a + i, 8);
        std::memcpy(&y, b + i, 8);
        x ^= y;
        std::memcpy(out + i, &x, 8);
    }
    for (; i < n; ++i) {
        out[i] = static_cast<std::uint8_t>(a[i] ^ b[i]);
    }
}

/// out = in XOR keystream, one block at a time, advancing the counter in `s` by one per block
/// (also for a final partial block). `in == out` is allowed.
/// CT: only `n` (public) steers branches and addresses.
inline void chacha20_xor_portable(chacha20_state& s, const std::uint8_t* in, std::uint8_t* out,
                                  std::size_t n) noexcept {
    chacha20_state x;
    while (n >= 64) {
        chacha20_block_words(s, x);
        for (std::size_t i = 0; i < 16; ++i) {
            https::detail::store_le32(out + 4 * i, https::detail::load_le32(in + 4 * i) ^ x[i]);
        }
        ++s[12];
        in += 64;
        out += 64;
        n -= 64;
    }
    if (n > 0) {
        std::array<std::uint8_t, 64> ks;
        chacha20_block(s, ks);
        xor_bytes(out, in, ks.data(), n);
        ++s[12];
        ct::wipe(ks);
    }
    ct::wipe(x);
}

#if HTTPS_CHACHA20_HAVE_AVX2

// The AVX2 path runs eight blocks at once: YMM register j holds state word j of blocks
// counter+0 .. counter+7, one per 32-bit lane, so each quarter round is 12 vector operations
// for eight blocks. A transpose at the end turns the lanes back into consecutive blocks.

// Helpers of chacha20_avx2_8blocks: small, so GCC inlines them there without being forced.
#define HTTPS_CHACHA20_AVX2 __attribute__((target("avx2")))

HTTPS_CHACHA20_AVX2 inline __m256i chacha20_avx2_rotl(__m256i v, int n) noexcept {
    return _mm256_or_si256(_mm256_slli_epi32(v, n), _mm256_srli_epi32(v, 32 - n));
}

/// CT: vector additions, xors, byte shuffles with constant control, constant shifts.
HTTPS_CHACHA20_AVX2 inline void chacha20_avx2_quarter_round(__m256i& a, __m256i& b, __m256i& c,
                                                            __m256i& d, __m256i rot16,
                                                            __m256i rot8) noexcept {
    a = _mm256_add_epi32(a, b);
    d = _mm256_shuffle_epi8(_mm256_xor_si256(d, a), rot16);
    c = _mm256_add_epi32(c, d);
    b = chacha20_avx2_rotl(_mm256_xor_si256(b, c), 12);
    a = _mm256_add_epi32(a, b);
    d = _mm256_shuffle_epi8(_mm256_xor_si256(d, a), rot8);
    c = _mm256_add_epi32(c, d);
    b = chacha20_avx2_rotl(_mm256_xor_si256(b, c), 7);
}

/// Transpose eight registers of eight words (v[j] lane i = word j of block i) so that
/// v[i] holds words 0..7 of block i.
/// CT: fixed shuffles.
HTTPS_CHACHA20_AVX2 inline void chacha20_avx2_transpose(__m256i* v) noexcept {
    const __m256i t0 = _mm256_unpacklo_epi32(v[0], v[1]);
    const __m256i t1 = _mm256_unpackhi_epi32(v[0], v[1]);
    const __m256i t2 = _mm256_unpacklo_epi32(v[2], v[3]);
    const __m256i t3 = _mm256_unpackhi_epi32(v[2], v[3]);
    const __m256i t4 = _mm256_unpacklo_epi32(v[4], v[5]);
    const __m256i t5 = _mm256_unpackhi_epi32(v[4], v[5]);
    const __m256i t6 = _mm256_unpacklo_epi32(v[6], v[7]);
    const __m256i t7 = _mm256_unpackhi_epi32(v[6], v[7]);
    // u_k holds words 0..3 (u0..u3) or 4..7 (u4..u7) of blocks k (low lane) and k+4 (high lane)
    const __m256i u0 = _mm256_unpacklo_epi64(t0, t2);
    const __m256i u1 = _mm256_unpackhi_epi64(t0, t2);
    const __m256i u2 = _mm256_unpacklo_epi64(t1, t3);
    const __m256i u3 = _mm256_unpackhi_epi64(t1, t3);
    const __m256i u4 = _mm256_unpacklo_epi64(t4, t6);
    const __m256i u5 = _mm256_unpackhi_epi64(t4, t6);
    const __m256i u6 = _mm256_unpacklo_epi64(t5, t7);
    const __m256i u7 = _mm256_unpackhi_epi64(t5, t7);
    v[0] = _mm256_permute2x128_si256(u0, u4, 0x20);
    v[1] = _mm256_permute2x128_si256(u1, u5, 0x20);
    v[2] = _mm256_permute2x128_si256(u2, u6, 0x20);
    v[3] = _mm256_permute2x128_si256(u3, u7, 0x20);
    v[4] = _mm256_permute2x128_si256(u0, u4, 0x31);
    v[5] = _mm256_permute2x128_si256(u1, u5, 0x31);
    v[6] = _mm256_permute2x128_si256(u2, u6, 0x31);
    v[7] = _mm256_permute2x128_si256(u3, u7, 0x31);
}

/// Eight keystream blocks (512 bytes) for counters s[12] .. s[12]+7, XORed with `in` into `out`
/// (`in == out` allowed). The counter in `s` is not advanced.
/// CT: fixed sequence of vector operations; addresses depend only on the pointers.
__attribute__((target("avx2"))) inline void
chacha20_avx2_8blocks(const chacha20_state& s, const std::uint8_t* in, std::uint8_t* out) noexcept {
    const __m256i rot16 = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2,
                                           3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
    const __m256i rot8 = _mm256_setr_epi8(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, 3,
                                          0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);
    __m256i base[16];
    for (std::size_t j = 0; j < 16; ++j) {
        base[j] = _mm256_set1_epi32(static_cast<int>(s[j]));
    }
    base[12] = _mm256_add_epi32(base[12], _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    __m256i x[16];
    for (std::size_t j = 0; j < 16; ++j) {
        x[j] = base[j];
    }
    for (int i = 0; i < 10; ++i) {
        chacha20_avx2_quarter_round(x[0], x[4], x[8], x[12], rot16, rot8);
        chacha20_avx2_quarter_round(x[1], x[5], x[9], x[13], rot16, rot8);
        chacha20_avx2_quarter_round(x[2], x[6], x[10], x[14], rot16, rot8);
        chacha20_avx2_quarter_round(x[3], x[7], x[11], x[15], rot16, rot8);
        chacha20_avx2_quarter_round(x[0], x[5], x[10], x[15], rot16, rot8);
        chacha20_avx2_quarter_round(x[1], x[6], x[11], x[12], rot16, rot8);
        chacha20_avx2_quarter_round(x[2], x[7], x[8], x[13], rot16, rot8);
        chacha20_avx2_quarter_round(x[3], x[4], x[9], x[14], rot16, rot8);
    }
    for (std::size_t j = 0; j < 16; ++j) {
        x[j] = _mm256_add_epi32(x[j], base[j]);
    }
    chacha20_avx2_transpose(x);     // x[i] = words 0..7 of block i
    chacha20_avx2_transpose(x + 8); // x[8 + i] = words 8..15 of block i
    for (std::size_t i = 0; i < 8; ++i) {
        const auto* src = reinterpret_cast<const __m256i*>(in + 64 * i);
        auto* dst = reinterpret_cast<__m256i*>(out + 64 * i);
        const __m256i lo = _mm256_xor_si256(_mm256_loadu_si256(src), x[i]);
        const __m256i hi = _mm256_xor_si256(_mm256_loadu_si256(src + 1), x[8 + i]);
        _mm256_storeu_si256(dst, lo);
        _mm256_storeu_si256(dst + 1, hi);
    }
}

#undef HTTPS_CHACHA20_AVX2

/// The AVX2 stream: 512-byte strides, a final partial stride through a stack buffer (or the
/// portable code when at most one block remains: one scalar block costs less than eight lanes).
/// Advances the counter like the portable path.
/// CT: only `n` (public) steers branches and addresses.
__attribute__((target("avx2"))) inline void chacha20_xor_avx2(chacha20_state& s,
                                                              const std::uint8_t* in,
                                                              std::uint8_t* out,
                                                              std::size_t n) noexcept {
    while (n >= 512) {
        chacha20_avx2_8blocks(s, in, out);
        s[12] += 8;
        in += 512;
        out += 512;
        n -= 512;
    }
    if (n > 64) {
        std::array<std::uint8_t, 512> buf{};
        chacha20_avx2_8blocks(s, buf.data(), buf.data()); // keystream = 0 XOR keystream
        xor_bytes(out, in, buf.data(), n);
        s[12] += static_cast<std::uint32_t>((n + 63) / 64);
        ct::wipe(buf);
    } else if (n > 0) {
        chacha20_xor_portable(s, in, out, n);
    }
}

#endif // HTTPS_CHACHA20_HAVE_AVX2

/// The dispatcher: the AVX2 path when the CPU (and the tests' override) allows it.
/// CT: the choice depends only on the CPU; see the two paths.
inline void chacha20_xor_state(chacha20_state& s, const std::uint8_t* in, std::uint8_t* out,
                               std::size_t n) noexcept {
#if HTTPS_CHACHA20_HAVE_AVX2
    if (https::detail::cpu().avx2) {
        chacha20_xor_avx2(s, in, out, n);
        return;
    }
#endif
    chacha20_xor_portable(s, in, out, n);
}

/// Keystream blocks for counters s[12], s[12]+1, ... into `out`: at least `nblocks` (1..8) of
/// them. The AVX2 path always makes eight, as that costs the same as making fewer; the portable
/// path makes exactly `nblocks`. The counter in `s` is not advanced. The AEAD takes its Poly1305
/// key block and the first seven data blocks from one call.
/// CT: only `nblocks` (public) steers branches.
inline void chacha20_keystream_head(const chacha20_state& s, std::span<std::uint8_t, 512> out,
                                    std::size_t nblocks) noexcept {
    assert(nblocks >= 1 && nblocks <= 8);
#if HTTPS_CHACHA20_HAVE_AVX2
    if (https::detail::cpu().avx2) {
        std::fill(out.begin(), out.end(), std::uint8_t{0});
        chacha20_avx2_8blocks(s, out.data(), out.data()); // 0 XOR keystream
        return;
    }
#endif
    chacha20_state t = s;
    for (std::size_t i = 0; i < nblocks; ++i, ++t[12]) {
        chacha20_block(t, out.subspan(64 * i).first<64>());
    }
    ct::wipe(t);
}

/// True when two buffers either coincide exactly or do not overlap at all (the in-place rule).
inline bool same_or_disjoint(const std::uint8_t* a, std::size_t na, const std::uint8_t* b,
                             std::size_t nb) noexcept {
    if (a == b || na == 0 || nb == 0) {
        return true;
    }
    const auto pa = reinterpret_cast<std::uintptr_t>(a);
    const auto pb = reinterpret_cast<std::uintptr_t>(b);
    return pa + na <= pb || pb + nb <= pa;
}

} // namespace detail

/// ChaCha20 (RFC 8439 §2.4): `out = in XOR keystream`, the keystream starting at block `counter`
/// of (`key`, `nonce`). Encryption and decryption are the same operation; `in` and `out` must
/// have the same size and either coincide (in place) or not overlap. The 32-bit block counter
/// must not wrap: `in.size()` may be at most `(2^32 - counter) * 64` bytes.
/// CT: only the length steers branches and addresses.
inline void chacha20_xor(std::span<const std::uint8_t, 32> key,
                         std::span<const std::uint8_t, 12> nonce, std::uint32_t counter,
                         bytes_view in, mutable_bytes out) noexcept {
    assert(in.size() == out.size());
    assert(detail::same_or_disjoint(in.data(), in.size(), out.data(), out.size()));
    assert(in.size() / 64 + (in.size() % 64 != 0 ? 1 : 0) <=
           (std::uint64_t{1} << 32) - std::uint64_t{counter});
    detail::chacha20_state s;
    detail::chacha20_setup(s, key, counter, nonce);
    detail::chacha20_xor_state(s, in.data(), out.data(), in.size());
    ct::wipe(s);
}

} // namespace https::crypto
// ---- https/crypto/poly1305.hpp -----------------------------------------------------------------
// Poly1305 (RFC 8439 §2.5): the one-time authenticator; 64-bit limbs with 128-bit products, and
// an AVX2 path that runs four blocks at once in 26-bit limbs.


#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>

#if !defined(__SIZEOF_INT128__)
#error "https: poly1305.hpp needs a compiler with unsigned __int128 (64-bit GCC or Clang)"
#endif

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HTTPS_POLY1305_HAVE_AVX2 1
#else
#define HTTPS_POLY1305_HAVE_AVX2 0
#endif

namespace https::crypto {

namespace detail {

__extension__ typedef unsigned __int128 poly1305_u128;

/// The accumulator h and the clamped key r, both mod p = 2^130 - 5.
/// h = h0 + h1*2^64 + h2*2^128 is kept only partially reduced (h2 stays below 8).
struct poly1305_state {
    std::uint64_t r0 = 0, r1 = 0;
    std::uint64_t s1 = 0; // r1 + r1/4 = 5*r1/4: folds h1*r1*2^128 back below 2^128 (r1 % 4 == 0)
    std::uint64_t h0 = 0, h1 = 0, h2 = 0;
    /// For the AVX2 path: r^1 .. r^4 in 26-bit limbs (`powers[k - 1][i]` = limb i of r^k),
    /// computed on first use.
    std::array<std::array<std::uint32_t, 5>, 4> powers{};
    bool have_powers = false;
};

/// RFC 8439 §2.5: for each 16-byte block m, h = (h + m + hibit*2^128) * r mod p.
/// `hibit` is 1 for full blocks and 0 for the final, already padded, partial block.
///
/// With 2^130 = 5 (mod p), and r1 a multiple of 4 (clamping), the product splits as
///   d0 = h0*r0 + h1*s1,  d1 = h0*r1 + h1*r0 + h2*s1,  d2 = h2*r0
/// and the bits of d from 2^130 up, c, fold back as 5*c = c*4 + c.
/// Bounds: r0, r1 < 2^60, s1 < 2^61, h2 <= 6 on entry to the product, so d0, d1 < 2^126 and
/// d2 + (d1 >> 64) < 2^63; after the fold h2 <= 4.
/// CT: fixed sequence of multiplications and additions; only `nblocks` steers the loop.
inline void poly1305_blocks_scalar(poly1305_state& st, const std::uint8_t* p, std::size_t nblocks,
                                   std::uint64_t hibit) noexcept {
    using u128 = poly1305_u128;
    const std::uint64_t r0 = st.r0, r1 = st.r1, s1 = st.s1;
    std::uint64_t h0 = st.h0, h1 = st.h1, h2 = st.h2;
    for (; nblocks > 0; --nblocks, p += 16) {
        // h += m + hibit*2^128, carries by hand: GCC spills badly on 128-bit additions here
        std::uint64_t c0 = __builtin_add_overflow(h0, https::detail::load_le64(p), &h0);
        std::uint64_t c1 = __builtin_add_overflow(h1, https::detail::load_le64(p + 8), &h1);
        c1 += __builtin_add_overflow(h1, c0, &h1);
        h2 += c1 + hibit;

        const u128 d0 = u128{h0} * r0 + u128{h1} * s1;
        const u128 d1 = u128{h0} * r1 + u128{h1} * r0 + u128{std::uint64_t{h2 * s1}} + (d0 >> 64);
        const std::uint64_t d2 = h2 * r0 + static_cast<std::uint64_t>(d1 >> 64);

        // fold the bits from 2^130 up: c * 2^130 = 5c = 4c + c (mod p)
        const std::uint64_t c = (d2 & ~std::uint64_t{3}) + (d2 >> 2);
        h2 = d2 & 3;
        h0 = static_cast<std::uint64_t>(d0);
        h1 = static_cast<std::uint64_t>(d1);
        c0 = __builtin_add_overflow(h0, c, &h0);
        c1 = __builtin_add_overflow(h1, c0, &h1);
        h2 += c1;
    }
    st.h0 = h0;
    st.h1 = h1;
    st.h2 = h2;
}

// ---- 26-bit limbs, for the AVX2 path --------------------------------------------------------
// A value mod p as l0 + l1*2^26 + l2*2^52 + l3*2^78 + l4*2^104. Products of two such values fold
// the part from 2^130 up back in as 5x (2^130 = 5 mod p), so the schoolbook product is
//   d0 = a0b0 + 5(a1b4 + a2b3 + a3b2 + a4b1)      d3 = a0b3 + a1b2 + a2b1 + a3b0 + 5 a4b4
//   d1 = a0b1 + a1b0 + 5(a2b4 + a3b3 + a4b2)      d4 = a0b4 + a1b3 + a2b2 + a3b1 + a4b0
//   d2 = a0b2 + a1b1 + a2b0 + 5(a3b4 + a4b3)
// With limbs below 2^28 and 5b below 2^29 every d stays below 2^60, and a 32x32->64 multiply
// (vpmuludq) is all the SIMD path needs.

using poly1305_limbs = std::array<std::uint64_t, 5>;

inline constexpr std::uint64_t poly1305_mask26 = 0x3ffffff;

/// Split lo + hi*2^64 + top*2^128 into 26-bit limbs (the top limb takes whatever is left).
/// CT: shifts and masks.
inline poly1305_limbs poly1305_to_limbs(std::uint64_t lo, std::uint64_t hi,
                                        std::uint64_t top) noexcept {
    constexpr std::uint64_t m = poly1305_mask26;
    return {lo & m, (lo >> 26) & m, ((lo >> 52) | (hi << 12)) & m, (hi >> 14) & m,
            (hi >> 40) | (top << 24)};
}

/// Propagate carries so that every limb is below 2^26, except limb 1 which may exceed it by under
/// 2^14 (from the final 5x fold). Limbs must be below 2^62 on entry.
/// CT: shifts, masks and additions.
inline void poly1305_carry_limbs(poly1305_limbs& d) noexcept {
    constexpr std::uint64_t m = poly1305_mask26;
    std::uint64_t c = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        c = d[i] >> 26;
        d[i] &= m;
        d[i + 1] += c;
    }
    c = d[4] >> 26;
    d[4] &= m;
    d[0] += c * 5;
    c = d[0] >> 26;
    d[0] &= m;
    d[1] += c;
}

/// a * b mod p (partially reduced, carried).
/// CT: fixed multiplications and additions.
inline poly1305_limbs poly1305_mul_limbs(const poly1305_limbs& a,
                                         const poly1305_limbs& b) noexcept {
    const std::uint64_t s1 = b[1] * 5, s2 = b[2] * 5, s3 = b[3] * 5, s4 = b[4] * 5;
    poly1305_limbs d = {
        a[0] * b[0] + a[1] * s4 + a[2] * s3 + a[3] * s2 + a[4] * s1,
        a[0] * b[1] + a[1] * b[0] + a[2] * s4 + a[3] * s3 + a[4] * s2,
        a[0] * b[2] + a[1] * b[1] + a[2] * b[0] + a[3] * s4 + a[4] * s3,
        a[0] * b[3] + a[1] * b[2] + a[2] * b[1] + a[3] * b[0] + a[4] * s4,
        a[0] * b[4] + a[1] * b[3] + a[2] * b[2] + a[3] * b[1] + a[4] * b[0],
    };
    poly1305_carry_limbs(d);
    return d;
}

/// r^1 .. r^4 into `st.powers`.
/// CT: fixed multiplications.
inline void poly1305_compute_powers(poly1305_state& st) noexcept {
    std::array<poly1305_limbs, 4> pw;
    pw[0] = poly1305_to_limbs(st.r0, st.r1, 0);
    for (std::size_t k = 1; k < 4; ++k) {
        pw[k] = poly1305_mul_limbs(pw[k - 1], pw[0]);
    }
    for (std::size_t k = 0; k < 4; ++k) {
        for (std::size_t i = 0; i < 5; ++i) {
            st.powers[k][i] = static_cast<std::uint32_t>(pw[k][i]); // all below 2^27
        }
    }
    st.have_powers = true;
    ct::wipe(pw.data(), sizeof pw);
}

#if HTTPS_POLY1305_HAVE_AVX2

// Forced inline: GCC keeps poly1305_avx2_mul out of line otherwise (measured 8% slower). Each
// helper has one call site.
#define HTTPS_POLY1305_AVX2 __attribute__((target("avx2"), always_inline))

/// One schoolbook column: x0*y0 + x1*y1 + x2*y2 + x3*y3 + x4*y4 on the low 32 bits of each lane.
/// CT: fixed vector multiplications and additions.
HTTPS_POLY1305_AVX2 inline __m256i poly1305_avx2_dot(__m256i x0, __m256i y0, __m256i x1, __m256i y1,
                                                     __m256i x2, __m256i y2, __m256i x3, __m256i y3,
                                                     __m256i x4, __m256i y4) noexcept {
    const __m256i t01 = _mm256_add_epi64(_mm256_mul_epu32(x0, y0), _mm256_mul_epu32(x1, y1));
    const __m256i t23 = _mm256_add_epi64(_mm256_mul_epu32(x2, y2), _mm256_mul_epu32(x3, y3));
    return _mm256_add_epi64(_mm256_add_epi64(t01, t23), _mm256_mul_epu32(x4, y4));
}

/// a = a * (r, 5r) per 64-bit lane, then carried: afterwards every limb is below 2^26 except
/// limbs 1 and 4, which may exceed it by under 2^13. Two carry chains run interleaved
/// (3 -> 4 -> 0 -> 1 and 0 -> 1 -> 2 -> 3 -> 4) to shorten the dependency path.
/// Bounds: limbs of `a` below 2^28, of r below 2^27 (5r below 2^30), so each d < 2^61.
/// CT: fixed vector multiplications, shifts and additions.
HTTPS_POLY1305_AVX2 inline void poly1305_avx2_mul(__m256i* a, const __m256i* r,
                                                  const __m256i* s) noexcept {
    const __m256i m = _mm256_set1_epi64x(static_cast<long long>(poly1305_mask26));
    __m256i d0 = poly1305_avx2_dot(a[0], r[0], a[1], s[4], a[2], s[3], a[3], s[2], a[4], s[1]);
    __m256i d1 = poly1305_avx2_dot(a[0], r[1], a[1], r[0], a[2], s[4], a[3], s[3], a[4], s[2]);
    __m256i d2 = poly1305_avx2_dot(a[0], r[2], a[1], r[1], a[2], r[0], a[3], s[4], a[4], s[3]);
    __m256i d3 = poly1305_avx2_dot(a[0], r[3], a[1], r[2], a[2], r[1], a[3], r[0], a[4], s[4]);
    __m256i d4 = poly1305_avx2_dot(a[0], r[4], a[1], r[3], a[2], r[2], a[3], r[1], a[4], r[0]);
    __m256i c = _mm256_srli_epi64(d3, 26);
    d3 = _mm256_and_si256(d3, m);
    d4 = _mm256_add_epi64(d4, c); // < 2^61 + 2^35
    c = _mm256_srli_epi64(d0, 26);
    d0 = _mm256_and_si256(d0, m);
    d1 = _mm256_add_epi64(d1, c); // < 2^61 + 2^35
    c = _mm256_srli_epi64(d4, 26);
    d4 = _mm256_and_si256(d4, m);
    d0 = _mm256_add_epi64(d0, _mm256_add_epi64(c, _mm256_slli_epi64(c, 2))); // + 5c: < 2^39
    c = _mm256_srli_epi64(d1, 26);
    d1 = _mm256_and_si256(d1, m);
    d2 = _mm256_add_epi64(d2, c); // < 2^61 + 2^36
    c = _mm256_srli_epi64(d0, 26);
    d0 = _mm256_and_si256(d0, m);
    d1 = _mm256_add_epi64(d1, c); // < 2^26 + 2^13
    c = _mm256_srli_epi64(d2, 26);
    d2 = _mm256_and_si256(d2, m);
    d3 = _mm256_add_epi64(d3, c); // < 2^26 + 2^36
    c = _mm256_srli_epi64(d3, 26);
    d3 = _mm256_and_si256(d3, m);
    d4 = _mm256_add_epi64(d4, c); // < 2^26 + 2^11
    a[0] = d0;
    a[1] = d1;
    a[2] = d2;
    a[3] = d3;
    a[4] = d4;
}

/// Absorb `groups` * 4 full blocks (hibit set). Lane j of the accumulator takes blocks
/// j, j+4, j+8, ... and is multiplied by r^4 after each, except the last, where the lanes are
/// multiplied by r^4, r^3, r^2, r^1: summing the lanes then gives exactly the serial Horner
/// result. The loads put blocks 0, 2, 1, 3 of a group into lanes 0..3, so the last powers are
/// laid out as r^4, r^2, r^3, r^1. h enters in lane 0, alongside block 0.
/// CT: fixed vector operations; only `groups` steers the loop.
__attribute__((target("avx2"))) inline void
poly1305_blocks_avx2(poly1305_state& st, const std::uint8_t* p, std::size_t groups) noexcept {
    const __m256i m = _mm256_set1_epi64x(static_cast<long long>(poly1305_mask26));
    const __m256i hibit = _mm256_set1_epi64x(1 << 24); // 2^128 = 2^24 in limb 4
    const auto& pw = st.powers;
    __m256i r4[5], s4[5], rf[5], sf[5];
    for (std::size_t i = 0; i < 5; ++i) {
        r4[i] = _mm256_set1_epi64x(pw[3][i]);
        rf[i] = _mm256_setr_epi64x(pw[3][i], pw[1][i], pw[2][i], pw[0][i]);
        s4[i] = _mm256_add_epi64(r4[i], _mm256_slli_epi64(r4[i], 2));
        sf[i] = _mm256_add_epi64(rf[i], _mm256_slli_epi64(rf[i], 2));
    }
    const poly1305_limbs h = poly1305_to_limbs(st.h0, st.h1, st.h2);
    __m256i a[5];
    for (std::size_t i = 0; i < 5; ++i) {
        a[i] = _mm256_setr_epi64x(static_cast<long long>(h[i]), 0, 0, 0);
    }
    for (; groups > 0; --groups, p += 64) {
        const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
        const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
        const __m256i lo = _mm256_unpacklo_epi64(x, y); // bytes 0..7 of blocks 0, 2, 1, 3
        const __m256i hi = _mm256_unpackhi_epi64(x, y); // bytes 8..15
        a[0] = _mm256_add_epi64(a[0], _mm256_and_si256(lo, m));
        a[1] = _mm256_add_epi64(a[1], _mm256_and_si256(_mm256_srli_epi64(lo, 26), m));
        a[2] = _mm256_add_epi64(
            a[2], _mm256_and_si256(
                      _mm256_or_si256(_mm256_srli_epi64(lo, 52), _mm256_slli_epi64(hi, 12)), m));
        a[3] = _mm256_add_epi64(a[3], _mm256_and_si256(_mm256_srli_epi64(hi, 14), m));
        a[4] = _mm256_add_epi64(a[4], _mm256_or_si256(_mm256_srli_epi64(hi, 40), hibit));
        // one multiplication, its factors chosen by the public count (one inlined copy)
        poly1305_avx2_mul(a, groups > 1 ? r4 : rf, groups > 1 ? s4 : sf);
    }
    // Sum the lanes, carry, and repack into h0 + h1*2^64 + h2*2^128 (h2 <= 4 afterwards).
    poly1305_limbs sum;
    for (std::size_t i = 0; i < 5; ++i) {
        const __m256i v = a[i];
        __m128i t = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
        t = _mm_add_epi64(t, _mm_unpackhi_epi64(t, t));
        sum[i] = static_cast<std::uint64_t>(_mm_cvtsi128_si64(t));
    }
    poly1305_carry_limbs(sum);
    using u128 = poly1305_u128;
    const u128 lo = u128{sum[0]} + (u128{sum[1]} << 26) + (u128{sum[2]} << 52);
    const u128 hi = (lo >> 64) + (u128{sum[3]} << 14) + (u128{sum[4]} << 40);
    st.h0 = static_cast<std::uint64_t>(lo);
    st.h1 = static_cast<std::uint64_t>(hi);
    st.h2 = static_cast<std::uint64_t>(hi >> 64);
    ct::wipe(sum.data(), sizeof sum);
}

#undef HTTPS_POLY1305_AVX2

#endif // HTTPS_POLY1305_HAVE_AVX2

/// Below this many blocks the scalar code wins: the AVX2 path pays for r^2..r^4 (once per key)
/// and for converting h in and out. Measured on Zen 3: even at 24 blocks, ahead from 32 on.
inline constexpr std::size_t poly1305_avx2_min_blocks = 32;

/// RFC 8439 §2.5: absorb `nblocks` 16-byte blocks; groups of four go through AVX2 when the CPU
/// has it and the run is long enough, the rest through the scalar code.
/// CT: the choice of path depends only on the CPU and the length.
inline void poly1305_blocks(poly1305_state& st, const std::uint8_t* p, std::size_t nblocks,
                            std::uint64_t hibit) noexcept {
#if HTTPS_POLY1305_HAVE_AVX2
    if (hibit == 1 && nblocks >= poly1305_avx2_min_blocks && https::detail::cpu().avx2) {
        if (!st.have_powers) {
            poly1305_compute_powers(st);
        }
        const std::size_t groups = nblocks / 4;
        poly1305_blocks_avx2(st, p, groups);
        p += 64 * groups;
        nblocks -= 4 * groups;
    }
#endif
    poly1305_blocks_scalar(st, p, nblocks, hibit);
}

/// RFC 8439 §2.5: reduce h fully mod p, add s, and write the low 128 bits little-endian.
/// h < 2p here (h2 <= 4), so one conditional subtraction of p suffices: h - p = h + 5 - 2^130.
/// CT: the subtraction is a masked select, never a branch.
inline void poly1305_final(const poly1305_state& st, std::uint64_t s0, std::uint64_t s1,
                           std::span<std::uint8_t, 16> tag) noexcept {
    using u128 = poly1305_u128;
    u128 t = u128{st.h0} + 5;
    const std::uint64_t g0 = static_cast<std::uint64_t>(t);
    t = u128{st.h1} + (t >> 64);
    const std::uint64_t g1 = static_cast<std::uint64_t>(t);
    const std::uint64_t g2 = st.h2 + static_cast<std::uint64_t>(t >> 64);
    const auto ge_p = ct::mask<std::uint64_t>::from_bit(g2 >> 2); // h + 5 >= 2^130
    const std::uint64_t f0 = ge_p.select(g0, st.h0);
    const std::uint64_t f1 = ge_p.select(g1, st.h1);
    t = u128{f0} + s0;
    https::detail::store_le64(tag.data(), static_cast<std::uint64_t>(t));
    t = u128{f1} + s1 + (t >> 64);
    https::detail::store_le64(tag.data() + 8, static_cast<std::uint64_t>(t));
}

} // namespace detail

/// Poly1305 one-time MAC (RFC 8439 §2.5). A key must authenticate one message only. The object
/// wipes its key and state in `finish` and on destruction.
class poly1305 {
  public:
    static constexpr std::size_t key_size = 32;
    static constexpr std::size_t tag_size = 16;
    static constexpr std::size_t block_size = 16;

    /// `key` = r (clamped here, RFC 8439 §2.5) || s.
    /// CT: no branch or index on the key.
    explicit poly1305(std::span<const std::uint8_t, key_size> key) noexcept
        : pad0_(https::detail::load_le64(key.data() + 16)),
          pad1_(https::detail::load_le64(key.data() + 24)) {
        st_.r0 = https::detail::load_le64(key.data()) & 0x0ffffffc0fffffffULL;
        st_.r1 = https::detail::load_le64(key.data() + 8) & 0x0ffffffc0ffffffcULL;
        st_.s1 = st_.r1 + (st_.r1 >> 2);
    }
    poly1305(const poly1305&) = delete;
    poly1305& operator=(const poly1305&) = delete;
    poly1305(poly1305&&) = delete;
    poly1305& operator=(poly1305&&) = delete;
    ~poly1305() { clear(); }

    /// Absorb more message bytes.
    /// CT: only the lengths steer branches and addresses.
    void update(bytes_view data) noexcept {
        assert(!finished_);
        const std::uint8_t* p = data.data();
        std::size_t n = data.size();
        if (buffered_ > 0) {
            const std::size_t take = n < block_size - buffered_ ? n : block_size - buffered_;
            for (std::size_t i = 0; i < take; ++i) {
                buf_[buffered_ + i] = p[i];
            }
            buffered_ += take;
            p += take;
            n -= take;
            if (buffered_ < block_size) {
                return;
            }
            detail::poly1305_blocks(st_, buf_.data(), 1, 1);
            buffered_ = 0;
        }
        detail::poly1305_blocks(st_, p, n / block_size, 1);
        p += n - n % block_size;
        n %= block_size;
        for (std::size_t i = 0; i < n; ++i) {
            buf_[i] = p[i];
        }
        buffered_ = n;
    }

    /// Write the tag and wipe the key and state; no further use of the object is allowed.
    /// CT: only the buffered length steers branches.
    void finish(std::span<std::uint8_t, tag_size> tag) noexcept {
        assert(!finished_);
        if (buffered_ > 0) {
            // RFC 8439 §2.5: a final short block gets its 0x01 byte right after the data
            buf_[buffered_] = 1;
            for (std::size_t i = buffered_ + 1; i < block_size; ++i) {
                buf_[i] = 0;
            }
            detail::poly1305_blocks(st_, buf_.data(), 1, 0);
        }
        detail::poly1305_final(st_, pad0_, pad1_, tag);
        clear();
        finished_ = true;
    }

  private:
    void clear() noexcept {
        ct::wipe(&st_, sizeof st_);
        ct::wipe(&pad0_, sizeof pad0_);
        ct::wipe(&pad1_, sizeof pad1_);
        ct::wipe(buf_);
        buffered_ = 0;
    }

    detail::poly1305_state st_;
    std::uint64_t pad0_ = 0, pad1_ = 0; // s, added at the end
    std::array<std::uint8_t, block_size> buf_{};
    std::size_t buffered_ = 0;
    bool finished_ = false;
};

} // namespace https::crypto

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace https::crypto {

namespace detail {

/// RFC 8439 §2.8: the Poly1305 input is ad || pad16 || ciphertext || pad16 || le64(|ad|) ||
/// le64(|ciphertext|), under the one-time key taken from block 0 of the cipher (§2.6).
/// CT: only the lengths steer branches and addresses.
inline void chacha20_poly1305_tag(std::span<const std::uint8_t, 32> otk, bytes_view ad,
                                  bytes_view ciphertext, std::span<std::uint8_t, 16> tag) noexcept {
    static constexpr std::array<std::uint8_t, 16> zeros{};
    poly1305 mac(otk);
    mac.update(ad);
    mac.update(std::span(zeros).first((16 - ad.size() % 16) % 16));
    mac.update(ciphertext);
    mac.update(std::span(zeros).first((16 - ciphertext.size() % 16) % 16));
    std::array<std::uint8_t, 16> lengths;
    https::detail::store_le64(lengths.data(), ad.size());
    https::detail::store_le64(lengths.data() + 8, ciphertext.size());
    mac.update(lengths);
    mac.finish(tag);
}

} // namespace detail

/// ChaCha20-Poly1305 (RFC 8439 §2.8) bound to a 256-bit key; satisfies `aead`.
/// `seal` writes ciphertext || 16-byte tag; `open` checks the tag in constant time before it
/// decrypts, and zero-fills `out` when the tag does not verify.
class chacha20_poly1305 {
  public:
    static constexpr std::size_t key_size = 32;
    static constexpr std::size_t nonce_size = 12;
    static constexpr std::size_t tag_size = 16;
    /// RFC 8439 §2.8: block 0 makes the Poly1305 key, so blocks 1 .. 2^32-1 of the 32-bit counter
    /// carry data: 274,877,906,880 bytes.
    static constexpr std::uint64_t max_plaintext_size = ((std::uint64_t{1} << 32) - 1) * 64;

    /// CT: copies the key.
    explicit chacha20_poly1305(std::span<const std::uint8_t, key_size> key) noexcept {
        std::memcpy(key_.data(), key.data(), key_size);
    }

    /// Encrypt and authenticate: `out.size() == plaintext.size() + tag_size`, in place allowed.
    /// Errors: `bad_nonce_size` (nonce not 12 bytes), `message_too_long` (beyond the counter);
    /// `out` is untouched then.
    /// CT: only the lengths steer branches and addresses.
    [[nodiscard]] status seal(bytes_view nonce, bytes_view ad, bytes_view plaintext,
                              mutable_bytes out) const noexcept {
        if (nonce.size() != nonce_size) {
            return errc::bad_nonce_size;
        }
        if (plaintext.size() > max_plaintext_size) {
            return errc::message_too_long;
        }
        assert(out.size() == plaintext.size() + tag_size);
        assert(
            detail::same_or_disjoint(plaintext.data(), plaintext.size(), out.data(), out.size()));
        const std::size_t n = plaintext.size();
        const std::size_t head = n < head_size ? n : head_size;
        detail::chacha20_state s;
        std::array<std::uint8_t, 512> ks;
        start(s, ks, nonce, head);
        detail::xor_bytes(out.data(), plaintext.data(), ks.data() + 64, head);
        if (n > head) {
            detail::chacha20_xor_state(s, plaintext.data() + head, out.data() + head, n - head);
        }
        detail::chacha20_poly1305_tag(std::span(ks).first<32>(), ad, out.first(n),
                                      out.subspan(n).first<tag_size>());
        ct::wipe(s);
        ct::wipe(ks);
        return {};
    }

    /// Verify and decrypt: `sealed` = ciphertext || tag, `out.size() == sealed.size() - tag_size`,
    /// in place allowed. Errors: `bad_nonce_size`, `bad_tag` (also for `sealed` shorter than a
    /// tag), with `out` zero-filled; `message_too_long` (ciphertext beyond the counter: it cannot
    /// be authentic), with `out`, of that size, left alone rather than zeroed.
    /// CT: only the lengths and the final public verdict steer branches and addresses.
    [[nodiscard]] status open(bytes_view nonce, bytes_view ad, bytes_view sealed,
                              mutable_bytes out) const noexcept {
        if (nonce.size() != nonce_size) {
            ct::wipe(out.data(), out.size());
            return errc::bad_nonce_size;
        }
        if (sealed.size() < tag_size) {
            ct::wipe(out.data(), out.size());
            return errc::bad_tag;
        }
        const std::size_t n = sealed.size() - tag_size;
        if (n > max_plaintext_size) {
            return errc::message_too_long;
        }
        assert(out.size() == n);
        assert(detail::same_or_disjoint(sealed.data(), sealed.size(), out.data(), out.size()));
        const std::size_t head = n < head_size ? n : head_size;
        detail::chacha20_state s;
        std::array<std::uint8_t, 512> ks;
        start(s, ks, nonce, head);
        std::array<std::uint8_t, tag_size> expected;
        detail::chacha20_poly1305_tag(std::span(ks).first<32>(), ad, sealed.first(n), expected);
        const bool authentic = ct::equal(expected, sealed.subspan(n)); // CT: verdict public
        ct::wipe(expected);
        if (!authentic) {
            ct::wipe(s);
            ct::wipe(ks);
            ct::wipe(out.data(), out.size());
            return errc::bad_tag;
        }
        detail::xor_bytes(out.data(), sealed.data(), ks.data() + 64, head);
        if (n > head) {
            detail::chacha20_xor_state(s, sealed.data() + head, out.data() + head, n - head);
        }
        ct::wipe(s);
        ct::wipe(ks);
        return {};
    }

  private:
    /// Data bytes taken from the first keystream batch: blocks 1..7 (block 0 is the Poly1305 key).
    static constexpr std::size_t head_size = std::size_t{7} * 64;

    /// Set up the cipher for `nonce` (RFC 8439 §2.8), put block 0 (its first 32 bytes are the
    /// Poly1305 key, §2.6) and the keystream for the first `head` data bytes into `ks`, and leave
    /// the counter at block 8 for the rest.
    /// CT: no branch or index on the key; `head` is public.
    void start(detail::chacha20_state& s, std::span<std::uint8_t, 512> ks, bytes_view nonce,
               std::size_t head) const noexcept {
        detail::chacha20_setup(s, key_.span(), 0, nonce.first<nonce_size>());
        detail::chacha20_keystream_head(s, ks, 1 + (head + 63) / 64);
        s[12] = 8;
    }

    ct::secret_array<key_size> key_;
};

static_assert(aead<chacha20_poly1305>);

} // namespace https::crypto
// ---- https/crypto/gcm.hpp ----------------------------------------------------------------------
// AES-GCM (NIST SP 800-38D) as an aead: gcm<BlockCipher>, aes128_gcm and aes256_gcm.

// ---- https/crypto/aes.hpp ----------------------------------------------------------------------
// The AES-128 and AES-256 block ciphers (FIPS 197): aes128 and aes256, each backed at run time by
// AES-NI or by a portable constant-time bitsliced implementation.

// ---- https/crypto/block_cipher.hpp -------------------------------------------------------------
// The block_cipher concept: a keyed 128-bit block cipher that modes (gcm<>, CBC) are written
// against.


#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>

namespace https::crypto {

/// A 128-bit block cipher bound to a key.
///  - `encrypt_block(in, out)` / `decrypt_block(in, out)`: one 16-byte block.
///  - `encrypt_blocks(in, out)` / `decrypt_blocks(in, out)`: `in.size() == out.size()`, a
///    multiple of 16; implementations process several blocks in parallel.
/// In place is supported (`out.data() == in.data()`); any other overlap is a precondition
/// violation.
template <class C>
concept block_cipher = requires(const C c, std::span<const std::uint8_t, 16> in,
                                std::span<std::uint8_t, 16> out, bytes_view ins,
                                mutable_bytes outs) {
    { C::key_size } -> std::convertible_to<std::size_t>;
    requires C::block_size == 16;
    c.encrypt_block(in, out);
    c.decrypt_block(in, out);
    c.encrypt_blocks(ins, outs);
    c.decrypt_blocks(ins, outs);
};

} // namespace https::crypto
// ---- https/crypto/detail/aes_ct64.hpp ----------------------------------------------------------
// Portable constant-time AES (FIPS 197): bitsliced, four blocks at a time in eight 64-bit words.


#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace https::crypto::detail {

// Layout. Four blocks (b = 0..3) of 16 bytes are held as eight bit planes q[0..7]: q[k] holds bit
// k of all 64 bytes. The byte in row r, column c of block b (FIPS 197 §3.4: input byte 4c + r)
// sits at bit 16r + 4c + b of each plane. So a row is a 16-bit lane, ShiftRows rotates each lane
// by a multiple of 4 bits, and MixColumns combines lanes with 64-bit rotations by 16 and 32.
// Nothing in this file indexes memory with, or branches on, key or data bits.

using aes_planes = std::array<std::uint64_t, 8>;

/// CT: a rotation by a public amount.
inline std::uint64_t aes_rotr64(std::uint64_t x, unsigned n) noexcept {
    return (x >> n) | (x << (64 - n));
}

/// The S-box on every byte of the planes at once (q[7] is the most significant bit). This is
/// the depth-16 Boolean circuit of Boyar and Peralta ("A depth-16 circuit for the AES S-box",
/// 2011): a linear layer into the GF(2^4)-tower inversion, 34 AND gates, and a linear layer that
/// merges the inverse with the affine map of FIPS 197 §5.1.1 (its constant 0x63 is the XNORs).
/// CT: straight-line bitwise logic.
inline void aes_ct_sbox(aes_planes& q) noexcept {
    const std::uint64_t u0 = q[7], u1 = q[6], u2 = q[5], u3 = q[4];
    const std::uint64_t u4 = q[3], u5 = q[2], u6 = q[1], u7 = q[0];

    // top linear layer
    const std::uint64_t t1 = u0 ^ u3, t2 = u0 ^ u5, t3 = u0 ^ u6, t4 = u3 ^ u5, t5 = u4 ^ u6;
    const std::uint64_t t6 = t1 ^ t5, t7 = u1 ^ u2, t8 = u7 ^ t6, t9 = u7 ^ t7, t10 = t6 ^ t7;
    const std::uint64_t t11 = u1 ^ u5, t12 = u2 ^ u5, t13 = t3 ^ t4, t14 = t6 ^ t11;
    const std::uint64_t t15 = t5 ^ t11, t16 = t5 ^ t12, t17 = t9 ^ t16, t18 = u3 ^ u7;
    const std::uint64_t t19 = t7 ^ t18, t20 = t1 ^ t19, t21 = u6 ^ u7, t22 = t7 ^ t21;
    const std::uint64_t t23 = t2 ^ t22, t24 = t2 ^ t10, t25 = t20 ^ t17, t26 = t3 ^ t16;
    const std::uint64_t t27 = t1 ^ t12;

    // middle non-linear layer (inversion in the tower field)
    const std::uint64_t m1 = t13 & t6, m2 = t23 & t8, m3 = t14 ^ m1, m4 = t19 & u7;
    const std::uint64_t m5 = m4 ^ m1, m6 = t3 & t16, m7 = t22 & t9, m8 = t26 ^ m6;
    const std::uint64_t m9 = t20 & t17, m10 = m9 ^ m6, m11 = t1 & t15, m12 = t4 & t27;
    const std::uint64_t m13 = m12 ^ m11, m14 = t2 & t10, m15 = m14 ^ m11, m16 = m3 ^ m2;
    const std::uint64_t m17 = m5 ^ t24, m18 = m8 ^ m7, m19 = m10 ^ m15, m20 = m16 ^ m13;
    const std::uint64_t m21 = m17 ^ m15, m22 = m18 ^ m13, m23 = m19 ^ t25, m24 = m22 ^ m23;
    const std::uint64_t m25 = m22 & m20, m26 = m21 ^ m25, m27 = m20 ^ m21, m28 = m23 ^ m25;
    const std::uint64_t m29 = m28 & m27, m30 = m26 & m24, m31 = m20 & m23, m32 = m27 & m31;
    const std::uint64_t m33 = m27 ^ m25, m34 = m21 & m22, m35 = m24 & m34, m36 = m24 ^ m25;
    const std::uint64_t m37 = m21 ^ m29, m38 = m32 ^ m33, m39 = m23 ^ m30, m40 = m35 ^ m36;
    const std::uint64_t m41 = m38 ^ m40, m42 = m37 ^ m39, m43 = m37 ^ m38, m44 = m39 ^ m40;
    const std::uint64_t m45 = m42 ^ m41, m46 = m44 & t6, m47 = m40 & t8, m48 = m39 & u7;
    const std::uint64_t m49 = m43 & t16, m50 = m38 & t9, m51 = m37 & t17, m52 = m42 & t15;
    const std::uint64_t m53 = m45 & t27, m54 = m41 & t10, m55 = m44 & t13, m56 = m40 & t23;
    const std::uint64_t m57 = m39 & t19, m58 = m43 & t3, m59 = m38 & t22, m60 = m37 & t20;
    const std::uint64_t m61 = m42 & t1, m62 = m45 & t4, m63 = m41 & t2;

    // bottom linear layer
    const std::uint64_t l0 = m61 ^ m62, l1 = m50 ^ m56, l2 = m46 ^ m48, l3 = m47 ^ m55;
    const std::uint64_t l4 = m54 ^ m58, l5 = m49 ^ m61, l6 = m62 ^ l5, l7 = m46 ^ l3;
    const std::uint64_t l8 = m51 ^ m59, l9 = m52 ^ m53, l10 = m53 ^ l4, l11 = m60 ^ l2;
    const std::uint64_t l12 = m48 ^ m51, l13 = m50 ^ l0, l14 = m52 ^ m61, l15 = m55 ^ l1;
    const std::uint64_t l16 = m56 ^ l0, l17 = m57 ^ l1, l18 = m58 ^ l8, l19 = m63 ^ l4;
    const std::uint64_t l20 = l0 ^ l1, l21 = l1 ^ l7, l22 = l3 ^ l12, l23 = l18 ^ l2;
    const std::uint64_t l24 = l15 ^ l9, l25 = l6 ^ l10, l26 = l7 ^ l9, l27 = l8 ^ l10;
    const std::uint64_t l28 = l11 ^ l14, l29 = l11 ^ l17;

    q[7] = l6 ^ l24;
    q[6] = ~(l16 ^ l26);
    q[5] = ~(l19 ^ l28);
    q[4] = l6 ^ l21;
    q[3] = l20 ^ l22;
    q[2] = l25 ^ l29;
    q[1] = ~(l13 ^ l27);
    q[0] = ~(l6 ^ l23);
}

/// The map f(z) = A^-1 z + 0x05, where A is the affine matrix of FIPS 197 §5.1.1: bit i of the
/// output is z[i+2] ^ z[i+5] ^ z[i+7] (indices mod 8) ^ bit i of 0x05 (FIPS 197 §5.3.2). Since
/// S(x) = A inv(x) + 0x63 and A^-1 0x63 = 0x05, the inverse S-box is f o S o f.
/// CT: straight-line bitwise logic.
inline void aes_ct_inverse_affine(aes_planes& q) noexcept {
    aes_planes r{};
#pragma GCC unroll 8
    for (unsigned i = 0; i < 8; ++i) {
        r[i] = q[(i + 2) % 8] ^ q[(i + 5) % 8] ^ q[(i + 7) % 8];
    }
    r[0] = ~r[0];
    r[2] = ~r[2];
    q = r;
}

/// InvSubBytes (FIPS 197 §5.3.2) through the forward circuit. CT: straight-line bitwise logic.
inline void aes_ct_inverse_sbox(aes_planes& q) noexcept {
    aes_ct_inverse_affine(q);
    aes_ct_sbox(q);
    aes_ct_inverse_affine(q);
}

/// ShiftRows (FIPS 197 §5.1.2): row r turns left by r columns, i.e. lane r rotates right by 4r
/// bits. CT: fixed shifts and masks.
inline void aes_ct_shift_rows(aes_planes& q) noexcept {
    for (auto& x : q) {
        x = (x & 0x000000000000FFFFull) | ((x >> 4) & 0x000000000FFF0000ull) |
            ((x << 12) & 0x00000000F0000000ull) | ((x >> 8) & 0x000000FF00000000ull) |
            ((x << 8) & 0x0000FF0000000000ull) | ((x >> 12) & 0x000F000000000000ull) |
            ((x << 4) & 0xFFF0000000000000ull);
    }
}

/// InvShiftRows (FIPS 197 §5.3.1). CT: fixed shifts and masks.
inline void aes_ct_inverse_shift_rows(aes_planes& q) noexcept {
    for (auto& x : q) {
        x = (x & 0x000000000000FFFFull) | ((x >> 12) & 0x00000000000F0000ull) |
            ((x << 4) & 0x00000000FFF00000ull) | ((x >> 8) & 0x000000FF00000000ull) |
            ((x << 8) & 0x0000FF0000000000ull) | ((x >> 4) & 0x0FFF000000000000ull) |
            ((x << 12) & 0xF000000000000000ull);
    }
}

/// Multiply every byte by x in GF(2^8) mod x^8+x^4+x^3+x+1 (FIPS 197 §4.2.1), on planes.
/// CT: XORs of whole planes.
inline aes_planes aes_ct_xtime(const aes_planes& t) noexcept {
    return {t[7], t[0] ^ t[7], t[1], t[2] ^ t[7], t[3] ^ t[7], t[4], t[5], t[6]};
}

/// MixColumns (FIPS 197 §5.1.3): out_r = 2 a_r + 3 a_r+1 + a_r+2 + a_r+3
///                                     = 2 (a_r + a_r+1) + a_r+1 + (a_r+2 + a_r+3).
/// Row r+1 is the plane rotated right by 16 bits. CT: straight-line bitwise logic.
inline void aes_ct_mix_columns(aes_planes& q) noexcept {
    aes_planes a1{}, t{};
#pragma GCC unroll 8
    for (unsigned i = 0; i < 8; ++i) {
        a1[i] = aes_rotr64(q[i], 16);
        t[i] = q[i] ^ a1[i];
    }
    const aes_planes t2 = aes_ct_xtime(t);
#pragma GCC unroll 8
    for (unsigned i = 0; i < 8; ++i) {
        q[i] = t2[i] ^ a1[i] ^ aes_rotr64(t[i], 32);
    }
}

/// InvMixColumns (FIPS 197 §5.3.3). The matrix {0e,0b,0d,09} equals {02,03,01,01} times
/// {05,00,04,00}, so first a_r += 4 (a_r + a_r+2), then MixColumns.
/// CT: straight-line bitwise logic.
inline void aes_ct_inverse_mix_columns(aes_planes& q) noexcept {
    aes_planes u{};
#pragma GCC unroll 8
    for (unsigned i = 0; i < 8; ++i) {
        u[i] = q[i] ^ aes_rotr64(q[i], 32);
    }
    const aes_planes u4 = aes_ct_xtime(aes_ct_xtime(u));
#pragma GCC unroll 8
    for (unsigned i = 0; i < 8; ++i) {
        q[i] ^= u4[i];
    }
    aes_ct_mix_columns(q);
}

/// AddRoundKey (FIPS 197 §5.1.4). CT: XORs.
inline void aes_ct_add_round_key(aes_planes& q, const std::uint64_t* rk) noexcept {
#pragma GCC unroll 8
    for (unsigned i = 0; i < 8; ++i) {
        q[i] ^= rk[i];
    }
}

/// Swap the bits selected by `m` in `b` with those selected by `m << s` in `a`.
/// CT: fixed shifts and masks.
inline void aes_swapmove(std::uint64_t& a, std::uint64_t& b, std::uint64_t m, unsigned s) noexcept {
    const std::uint64_t t = ((a >> s) ^ b) & m;
    b ^= t;
    a ^= t << s;
}

/// Transpose the 8x8 bit matrices formed by the eight words: bit k of byte j of word m trades
/// places with bit m of byte j of word k. An involution. CT: fixed shifts and masks.
inline void aes_ct_transpose(aes_planes& q) noexcept {
#pragma GCC unroll 8
    for (unsigned i = 0; i < 8; i += 2) {
        aes_swapmove(q[i], q[i + 1], 0x5555555555555555ull, 1);
    }
    for (unsigned i : {0u, 1u, 4u, 5u}) {
        aes_swapmove(q[i], q[i + 2], 0x3333333333333333ull, 2);
    }
#pragma GCC unroll 8
    for (unsigned i = 0; i < 4; ++i) {
        aes_swapmove(q[i], q[i + 4], 0x0F0F0F0F0F0F0F0Full, 4);
    }
}

/// Bytes 0..3 of `x` to bytes 0, 2, 4, 6 of the result. CT: fixed shifts and masks.
inline std::uint64_t aes_spread_bytes(std::uint32_t x) noexcept {
    std::uint64_t v = x;
    v = (v | (v << 16)) & 0x0000FFFF0000FFFFull;
    return (v | (v << 8)) & 0x00FF00FF00FF00FFull;
}

/// Bytes 0, 2, 4, 6 of `v` to bytes 0..3 of the result. CT: fixed shifts and masks.
inline std::uint32_t aes_gather_bytes(std::uint64_t v) noexcept {
    v &= 0x00FF00FF00FF00FFull;
    v = (v | (v >> 8)) & 0x0000FFFF0000FFFFull;
    return static_cast<std::uint32_t>(v | (v >> 16));
}

/// Load up to four blocks (missing ones read as zero) into planes. Before the transpose, word
/// m = 4 c0 + b holds block b's columns c0 and c0 + 2, byte-interleaved, so that the transpose
/// puts byte (r, c, b) at bit 8 (2r + c1) + 4 c0 + b = 16r + 4c + b.
/// CT: branches on the public block count only.
inline void aes_ct_load(aes_planes& q, const std::uint8_t* in, std::size_t blocks) noexcept {
#pragma GCC unroll 8
    for (std::size_t b = 0; b < 4; ++b) {
        std::uint32_t col[4] = {0, 0, 0, 0};
        if (b < blocks) {
#pragma GCC unroll 8
            for (std::size_t c = 0; c < 4; ++c) {
                col[c] = https::detail::load_le32(in + 16 * b + 4 * c);
            }
        }
        q[b] = aes_spread_bytes(col[0]) | (aes_spread_bytes(col[2]) << 8);
        q[4 + b] = aes_spread_bytes(col[1]) | (aes_spread_bytes(col[3]) << 8);
    }
    aes_ct_transpose(q);
}

/// Inverse of aes_ct_load: store the first `blocks` blocks. Consumes `q`.
/// CT: branches on the public block count only.
inline void aes_ct_store(aes_planes& q, std::uint8_t* out, std::size_t blocks) noexcept {
    aes_ct_transpose(q);
#pragma GCC unroll 8
    for (std::size_t b = 0; b < blocks; ++b) {
        https::detail::store_le32(out + 16 * b, aes_gather_bytes(q[b]));
        https::detail::store_le32(out + 16 * b + 4, aes_gather_bytes(q[4 + b]));
        https::detail::store_le32(out + 16 * b + 8, aes_gather_bytes(q[b] >> 8));
        https::detail::store_le32(out + 16 * b + 12, aes_gather_bytes(q[4 + b] >> 8));
    }
}

/// One S-box application to each byte of a 32-bit word (SubWord, FIPS 197 §5.2), through the
/// same circuit: plane k holds bit k of the four bytes at bits 0, 8, 16, 24.
/// CT: straight-line bitwise logic.
inline std::uint32_t aes_ct_sub_word(std::uint32_t x) noexcept {
    aes_planes q{};
#pragma GCC unroll 8
    for (unsigned k = 0; k < 8; ++k) {
        q[k] = (x >> k) & 0x01010101u;
    }
    aes_ct_sbox(q);
    std::uint32_t r = 0;
#pragma GCC unroll 8
    for (unsigned k = 0; k < 8; ++k) {
        r |= static_cast<std::uint32_t>(q[k] & 0x01010101u) << k;
    }
    return r;
}

/// KeyExpansion (FIPS 197 §5.2) into (Rounds + 1) 16-byte round keys, in byte order.
/// CT: no branch or index depends on the key.
template <unsigned Rounds>
inline void aes_expand_key(const std::uint8_t* key, std::uint8_t* round_keys) noexcept {
    constexpr unsigned nk = Rounds - 6;
    constexpr unsigned words = 4 * (Rounds + 1);
    std::array<std::uint32_t, words> w{};
    for (unsigned i = 0; i < nk; ++i) {
        w[i] = https::detail::load_le32(key + 4 * i); // byte 0 of the word in the low bits
    }
    std::uint32_t rcon = 1;
    for (unsigned i = nk; i < words; ++i) {
        std::uint32_t t = w[i - 1];
        if (i % nk == 0) {                                    // public loop index
            t = aes_ct_sub_word((t >> 8) | (t << 24)) ^ rcon; // SubWord(RotWord(t)) + Rcon
            rcon = (rcon << 1) ^ (0x11Bu & (0u - (rcon >> 7)));
        } else if (nk > 6 && i % nk == 4) {
            t = aes_ct_sub_word(t);
        }
        w[i] = w[i - nk] ^ t;
    }
    for (unsigned i = 0; i < words; ++i) {
        https::detail::store_le32(round_keys + 4 * i, w[i]);
    }
    ct::wipe(w);
}

/// Round keys in plane form, each copied into all four block positions. `out` holds
/// 8 (Rounds + 1) words. CT: no branch or index depends on the key.
template <unsigned Rounds>
inline void aes_ct_plane_keys(const std::uint8_t* round_keys, std::uint64_t* out) noexcept {
    for (unsigned r = 0; r <= Rounds; ++r) {
        std::array<std::uint8_t, 64> four{};
        for (unsigned b = 0; b < 4; ++b) {
            std::memcpy(four.data() + 16 * b, round_keys + 16 * r, 16);
        }
        aes_planes q{};
        aes_ct_load(q, four.data(), 4);
        for (unsigned i = 0; i < 8; ++i) {
            out[8 * r + i] = q[i];
        }
        ct::wipe(four);
        ct::wipe(q);
    }
}

/// Cipher (FIPS 197 §5.1) on the four blocks in `q`. CT: straight-line bitwise logic.
template <unsigned Rounds>
inline void aes_ct_encrypt_planes(aes_planes& q, const std::uint64_t* sk) noexcept {
    aes_ct_add_round_key(q, sk);
    for (unsigned r = 1; r < Rounds; ++r) {
        aes_ct_sbox(q);
        aes_ct_shift_rows(q);
        aes_ct_mix_columns(q);
        aes_ct_add_round_key(q, sk + 8 * r);
    }
    aes_ct_sbox(q);
    aes_ct_shift_rows(q);
    aes_ct_add_round_key(q, sk + 8 * Rounds);
}

/// InvCipher (FIPS 197 §5.3) on the four blocks in `q`. CT: straight-line bitwise logic.
template <unsigned Rounds>
inline void aes_ct_decrypt_planes(aes_planes& q, const std::uint64_t* sk) noexcept {
    aes_ct_add_round_key(q, sk + 8 * Rounds);
    for (unsigned r = Rounds - 1; r > 0; --r) {
        aes_ct_inverse_shift_rows(q);
        aes_ct_inverse_sbox(q);
        aes_ct_add_round_key(q, sk + 8 * r);
        aes_ct_inverse_mix_columns(q);
    }
    aes_ct_inverse_shift_rows(q);
    aes_ct_inverse_sbox(q);
    aes_ct_add_round_key(q, sk);
}

/// Encrypt `blocks` 16-byte blocks (in place allowed). CT: branches on the block count only.
template <unsigned Rounds>
inline void aes_ct_encrypt(const std::uint64_t* sk, const std::uint8_t* in, std::uint8_t* out,
                           std::size_t blocks) noexcept {
    aes_planes q{};
    while (blocks > 0) {
        const std::size_t n = blocks < 4 ? blocks : 4;
        aes_ct_load(q, in, n);
        aes_ct_encrypt_planes<Rounds>(q, sk);
        aes_ct_store(q, out, n);
        in += 16 * n;
        out += 16 * n;
        blocks -= n;
    }
    ct::wipe(q);
}

/// Decrypt `blocks` 16-byte blocks (in place allowed). CT: branches on the block count only.
template <unsigned Rounds>
inline void aes_ct_decrypt(const std::uint64_t* sk, const std::uint8_t* in, std::uint8_t* out,
                           std::size_t blocks) noexcept {
    aes_planes q{};
    while (blocks > 0) {
        const std::size_t n = blocks < 4 ? blocks : 4;
        aes_ct_load(q, in, n);
        aes_ct_decrypt_planes<Rounds>(q, sk);
        aes_ct_store(q, out, n);
        in += 16 * n;
        out += 16 * n;
        blocks -= n;
    }
    ct::wipe(q);
}

} // namespace https::crypto::detail
// ---- https/crypto/detail/aes_ni.hpp ------------------------------------------------------------
// AES (FIPS 197) with the x86 AES-NI instructions, eight blocks in flight to hide aesenc latency.

#if defined(__x86_64__) || defined(__i386__)


#include <cstddef>
#include <cstdint>
#include <immintrin.h>

// Function-level target: the rest of the program is compiled without these extensions, and the
// caller checks https::detail::cpu() before calling in. The round count (10 for AES-128, 14 for
// AES-256; public) is a run-time argument, so one copy of each loop serves both key sizes.
#define HTTPS_AESNI_FN __attribute__((target("aes,sse4.1,pclmul")))

namespace https::crypto::detail {

/// Whether the CPU runs this file's code (AES-NI, plus SSSE3/SSE4.1 for byte shuffles).
inline bool aesni_usable(const https::detail::cpu_features& f) noexcept {
    return f.aesni && f.ssse3 && f.sse41;
}

/// From FIPS 197 round keys (16 bytes each, in order) to the encryption schedule, unchanged,
/// and the decryption schedule of the Equivalent Inverse Cipher (FIPS 197 §5.3.5): the keys in
/// reverse order with InvMixColumns applied to all but the outer two. `enc` and `dec` are
/// 16-byte aligned. CT: AES-NI instructions run in constant time.
HTTPS_AESNI_FN inline void aesni_prepare_keys(const std::uint8_t* round_keys, unsigned rounds,
                                              std::uint8_t* enc, std::uint8_t* dec) noexcept {
    auto* e = reinterpret_cast<__m128i*>(enc);
    auto* d = reinterpret_cast<__m128i*>(dec);
    for (unsigned i = 0; i <= rounds; ++i) {
        _mm_store_si128(e + i, _mm_loadu_si128(reinterpret_cast<const __m128i*>(round_keys) + i));
    }
    _mm_store_si128(d, _mm_load_si128(e + rounds));
    for (unsigned i = 1; i < rounds; ++i) {
        _mm_store_si128(d + i, _mm_aesimc_si128(_mm_load_si128(e + rounds - i)));
    }
    _mm_store_si128(d + rounds, _mm_load_si128(e));
}

/// Encrypt one block held in a register. CT: constant-time instructions.
HTTPS_AESNI_FN inline __m128i aesni_encrypt1(const __m128i* k, unsigned rounds,
                                             __m128i b) noexcept {
    b = _mm_xor_si128(b, _mm_load_si128(k));
    for (unsigned r = 1; r < rounds; ++r) {
        b = _mm_aesenc_si128(b, _mm_load_si128(k + r));
    }
    return _mm_aesenclast_si128(b, _mm_load_si128(k + rounds));
}

/// Encrypt eight blocks in registers. CT: constant-time instructions.
HTTPS_AESNI_FN inline void aesni_encrypt8(const __m128i* k, unsigned rounds, __m128i* b) noexcept {
    const __m128i k0 = _mm_load_si128(k);
#pragma GCC unroll 8
    for (unsigned j = 0; j < 8; ++j) {
        b[j] = _mm_xor_si128(b[j], k0);
    }
    for (unsigned r = 1; r < rounds; ++r) {
        const __m128i kr = _mm_load_si128(k + r);
#pragma GCC unroll 8
        for (unsigned j = 0; j < 8; ++j) {
            b[j] = _mm_aesenc_si128(b[j], kr);
        }
    }
    const __m128i kl = _mm_load_si128(k + rounds);
#pragma GCC unroll 8
    for (unsigned j = 0; j < 8; ++j) {
        b[j] = _mm_aesenclast_si128(b[j], kl);
    }
}

/// Decrypt eight blocks in registers with the decryption schedule. CT: constant-time
/// instructions.
HTTPS_AESNI_FN inline void aesni_decrypt8(const __m128i* k, unsigned rounds, __m128i* b) noexcept {
    const __m128i k0 = _mm_load_si128(k);
#pragma GCC unroll 8
    for (unsigned j = 0; j < 8; ++j) {
        b[j] = _mm_xor_si128(b[j], k0);
    }
    for (unsigned r = 1; r < rounds; ++r) {
        const __m128i kr = _mm_load_si128(k + r);
#pragma GCC unroll 8
        for (unsigned j = 0; j < 8; ++j) {
            b[j] = _mm_aesdec_si128(b[j], kr);
        }
    }
    const __m128i kl = _mm_load_si128(k + rounds);
#pragma GCC unroll 8
    for (unsigned j = 0; j < 8; ++j) {
        b[j] = _mm_aesdeclast_si128(b[j], kl);
    }
}

/// Encrypt `blocks` blocks (in place allowed). CT: branches on the block count only.
HTTPS_AESNI_FN inline void aesni_encrypt(const std::uint8_t* enc, unsigned rounds,
                                         const std::uint8_t* in, std::uint8_t* out,
                                         std::size_t blocks) noexcept {
    const auto* k = reinterpret_cast<const __m128i*>(enc);
    const auto* src = reinterpret_cast<const __m128i*>(in);
    auto* dst = reinterpret_cast<__m128i*>(out);
    for (; blocks >= 8; blocks -= 8, src += 8, dst += 8) {
        __m128i b[8];
#pragma GCC unroll 8
        for (unsigned j = 0; j < 8; ++j) {
            b[j] = _mm_loadu_si128(src + j);
        }
        aesni_encrypt8(k, rounds, b);
#pragma GCC unroll 8
        for (unsigned j = 0; j < 8; ++j) {
            _mm_storeu_si128(dst + j, b[j]);
        }
    }
    for (; blocks > 0; --blocks, ++src, ++dst) {
        _mm_storeu_si128(dst, aesni_encrypt1(k, rounds, _mm_loadu_si128(src)));
    }
}

/// Decrypt `blocks` blocks (in place allowed). CT: branches on the block count only.
HTTPS_AESNI_FN inline void aesni_decrypt(const std::uint8_t* dec, unsigned rounds,
                                         const std::uint8_t* in, std::uint8_t* out,
                                         std::size_t blocks) noexcept {
    const auto* k = reinterpret_cast<const __m128i*>(dec);
    const auto* src = reinterpret_cast<const __m128i*>(in);
    auto* dst = reinterpret_cast<__m128i*>(out);
    for (; blocks >= 8; blocks -= 8, src += 8, dst += 8) {
        __m128i b[8];
#pragma GCC unroll 8
        for (unsigned j = 0; j < 8; ++j) {
            b[j] = _mm_loadu_si128(src + j);
        }
        aesni_decrypt8(k, rounds, b);
#pragma GCC unroll 8
        for (unsigned j = 0; j < 8; ++j) {
            _mm_storeu_si128(dst + j, b[j]);
        }
    }
    for (; blocks > 0; --blocks, ++src, ++dst) {
        __m128i b = _mm_xor_si128(_mm_loadu_si128(src), _mm_load_si128(k));
        for (unsigned r = 1; r < rounds; ++r) {
            b = _mm_aesdec_si128(b, _mm_load_si128(k + r));
        }
        _mm_storeu_si128(dst, _mm_aesdeclast_si128(b, _mm_load_si128(k + rounds)));
    }
}

/// CBC decryption (NIST SP 800-38A §6.2) of whole blocks, eight at a time; in place allowed.
/// `iv` is updated to the last ciphertext block. CT: branches on the block count only.
HTTPS_AESNI_FN inline void aesni_cbc_decrypt(const std::uint8_t* dec, unsigned rounds,
                                             std::uint8_t* iv, const std::uint8_t* in,
                                             std::uint8_t* out, std::size_t blocks) noexcept {
    const auto* k = reinterpret_cast<const __m128i*>(dec);
    const auto* src = reinterpret_cast<const __m128i*>(in);
    auto* dst = reinterpret_cast<__m128i*>(out);
    __m128i prev = _mm_loadu_si128(reinterpret_cast<const __m128i*>(iv));
    for (; blocks >= 8; blocks -= 8, src += 8, dst += 8) {
        __m128i c[8], b[8];
#pragma GCC unroll 8
        for (unsigned j = 0; j < 8; ++j) {
            c[j] = _mm_loadu_si128(src + j); // kept: `out` may overwrite `in`
            b[j] = c[j];
        }
        aesni_decrypt8(k, rounds, b);
        _mm_storeu_si128(dst, _mm_xor_si128(b[0], prev));
#pragma GCC unroll 7
        for (unsigned j = 1; j < 8; ++j) {
            _mm_storeu_si128(dst + j, _mm_xor_si128(b[j], c[j - 1]));
        }
        prev = c[7];
    }
    for (; blocks > 0; --blocks, ++src, ++dst) {
        const __m128i c = _mm_loadu_si128(src);
        __m128i b = _mm_xor_si128(c, _mm_load_si128(k));
        for (unsigned r = 1; r < rounds; ++r) {
            b = _mm_aesdec_si128(b, _mm_load_si128(k + r));
        }
        _mm_storeu_si128(dst,
                         _mm_xor_si128(_mm_aesdeclast_si128(b, _mm_load_si128(k + rounds)), prev));
        prev = c;
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(iv), prev);
}

/// CBC encryption (NIST SP 800-38A §6.2): inherently one block after another; in place allowed.
/// `iv` is updated to the last ciphertext block. CT: branches on the block count only.
HTTPS_AESNI_FN inline void aesni_cbc_encrypt(const std::uint8_t* enc, unsigned rounds,
                                             std::uint8_t* iv, const std::uint8_t* in,
                                             std::uint8_t* out, std::size_t blocks) noexcept {
    const auto* k = reinterpret_cast<const __m128i*>(enc);
    const auto* src = reinterpret_cast<const __m128i*>(in);
    auto* dst = reinterpret_cast<__m128i*>(out);
    __m128i prev = _mm_loadu_si128(reinterpret_cast<const __m128i*>(iv));
    for (; blocks > 0; --blocks, ++src, ++dst) {
        prev = aesni_encrypt1(k, rounds, _mm_xor_si128(_mm_loadu_si128(src), prev));
        _mm_storeu_si128(dst, prev);
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(iv), prev);
}

} // namespace https::crypto::detail

#undef HTTPS_AESNI_FN

#endif // x86

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>

namespace https::crypto {
namespace detail {

struct aes_internals;

/// AES with a `KeyBytes`-byte key (16 or 32). The implementation (AES-NI or the bitsliced
/// portable code) is chosen when the key is set, from https::detail::cpu(); both give identical
/// results. The key schedule is wiped on destruction.
template <std::size_t KeyBytes> class aes_cipher {
    static_assert(KeyBytes == 16 || KeyBytes == 32, "AES-128 and AES-256 only");

  public:
    static constexpr std::size_t key_size = KeyBytes;
    static constexpr std::size_t block_size = 16;
    static constexpr unsigned rounds = static_cast<unsigned>(KeyBytes / 4 + 6);

    /// Expand `key` (FIPS 197 §5.2). CT: no branch or index depends on the key.
    explicit aes_cipher(std::span<const std::uint8_t, KeyBytes> key) noexcept {
        ct::secret_array<16 * (rounds + 1)> round_keys;
        aes_expand_key<rounds>(key.data(), round_keys.data());
#if defined(__x86_64__) || defined(__i386__)
        aesni_ = aesni_usable(https::detail::cpu()); // NOLINT(cppcoreguidelines-prefer-member-initializer): x86 only
        if (aesni_) {
            aesni_prepare_keys(round_keys.data(), rounds, ni_bytes(),
                               ni_bytes() + ni_schedule_size);
            return;
        }
#endif
        aes_ct_plane_keys<rounds>(round_keys.data(), keys_.data());
    }

    aes_cipher(const aes_cipher&) = default;
    aes_cipher& operator=(const aes_cipher&) = default;
    aes_cipher(aes_cipher&&) noexcept = default;
    aes_cipher& operator=(aes_cipher&&) noexcept = default;
    ~aes_cipher() {
        ct::wipe(keys_);
    }

    /// Encrypt one block. CT: constant time.
    void encrypt_block(std::span<const std::uint8_t, 16> in,
                       std::span<std::uint8_t, 16> out) const noexcept {
        encrypt(in.data(), out.data(), 1);
    }
    /// Decrypt one block. CT: constant time.
    void decrypt_block(std::span<const std::uint8_t, 16> in,
                       std::span<std::uint8_t, 16> out) const noexcept {
        decrypt(in.data(), out.data(), 1);
    }
    /// Encrypt whole blocks, several in parallel (ECB; the building block of modes).
    /// CT: time depends on the length only.
    void encrypt_blocks(bytes_view in, mutable_bytes out) const noexcept {
        assert(in.size() == out.size() && in.size() % 16 == 0);
        encrypt(in.data(), out.data(), in.size() / 16);
    }
    /// Decrypt whole blocks, several in parallel. CT: time depends on the length only.
    void decrypt_blocks(bytes_view in, mutable_bytes out) const noexcept {
        assert(in.size() == out.size() && in.size() % 16 == 0);
        decrypt(in.data(), out.data(), in.size() / 16);
    }

  private:
    friend struct aes_internals;

    // Either 8 (rounds + 1) bitsliced round-key words, or the AES-NI encryption schedule
    // followed by the decryption schedule (16 (rounds + 1) bytes each, which fits).
    static constexpr std::size_t ni_schedule_size = 16 * (rounds + 1);

    std::uint8_t* ni_bytes() noexcept {
        return reinterpret_cast<std::uint8_t*>(keys_.data());
    }
    const std::uint8_t* ni_bytes() const noexcept {
        return reinterpret_cast<const std::uint8_t*>(keys_.data());
    }

    /// CT: branches on the public implementation choice and block count only.
    void encrypt(const std::uint8_t* in, std::uint8_t* out, std::size_t blocks) const noexcept {
#if defined(__x86_64__) || defined(__i386__)
        if (aesni_) {
            aesni_encrypt(ni_bytes(), rounds, in, out, blocks);
            return;
        }
#endif
        aes_ct_encrypt<rounds>(keys_.data(), in, out, blocks);
    }

    /// CT: branches on the public implementation choice and block count only.
    void decrypt(const std::uint8_t* in, std::uint8_t* out, std::size_t blocks) const noexcept {
#if defined(__x86_64__) || defined(__i386__)
        if (aesni_) {
            aesni_decrypt(ni_bytes() + ni_schedule_size, rounds, in, out, blocks);
            return;
        }
#endif
        aes_ct_decrypt<rounds>(keys_.data(), in, out, blocks);
    }

    alignas(16) std::array<std::uint64_t, 8 * (rounds + 1)> keys_{};
    bool aesni_ = false;
};

/// What this library's modes (gcm.hpp, cbc.hpp) may see of an AES key: the AES-NI schedules,
/// so that CTR and GHASH can run in one pass. Not part of the public API.
struct aes_internals {
    /// The AES-NI encryption schedule, or null when the key uses the portable path.
    template <std::size_t K>
    static const std::uint8_t* ni_encryption_keys(const aes_cipher<K>& c) noexcept {
        return c.aesni_ ? c.ni_bytes() : nullptr;
    }
    /// The AES-NI decryption schedule, or null when the key uses the portable path.
    template <std::size_t K>
    static const std::uint8_t* ni_decryption_keys(const aes_cipher<K>& c) noexcept {
        return c.aesni_ ? c.ni_bytes() + aes_cipher<K>::ni_schedule_size : nullptr;
    }
};

/// Whether `C` is one of this file's AES ciphers (so its internals may be used).
template <class C>
concept aes_based = std::derived_from<C, aes_cipher<16>> || std::derived_from<C, aes_cipher<32>>;

} // namespace detail

/// AES-128 (FIPS 197): 16-byte key, 16-byte blocks, 10 rounds.
class aes128 final : public detail::aes_cipher<16> {
  public:
    using aes_cipher::aes_cipher;
};

/// AES-256 (FIPS 197): 32-byte key, 16-byte blocks, 14 rounds.
class aes256 final : public detail::aes_cipher<32> {
  public:
    using aes_cipher::aes_cipher;
};

static_assert(block_cipher<aes128> && block_cipher<aes256>);

} // namespace https::crypto
// ---- https/crypto/detail/gcm_x86.hpp -----------------------------------------------------------
// GCM's bulk pass on x86: AES-NI counter mode and PCLMULQDQ GHASH interleaved in one pass over the
// data, twelve blocks at a time on 128-bit vectors, or sixteen on 256-bit ones (VAES/VPCLMULQDQ).

#if defined(__x86_64__) || defined(__i386__)

// ---- https/crypto/detail/ghash.hpp -------------------------------------------------------------
// GHASH (NIST SP 800-38D §6.4): multiplication in GF(2^128) by the hash key H, portable
// constant-time (carry-less products from integer multiplications) and with PCLMULQDQ.


#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HTTPS_GHASH_X86 1
#define HTTPS_GHASH_FN __attribute__((target("pclmul,sse4.1")))
// Helpers are always inlined, so that in gcm_x86.hpp's AVX entry point they get VEX encoding.
#define HTTPS_GHASH_INLINE __attribute__((target("pclmul,sse4.1"), always_inline))
#endif

namespace https::crypto::detail {

// Representation. SP 800-38D §6.3 numbers the bits of a block from the left, bit 0 being the
// coefficient of x^0. Read as a big-endian 128-bit integer, the coefficient of x^i is integer
// bit 127 - i: the polynomial "reflected". The carry-less product of two reflected numbers is
// the reflected 255-bit product shifted right by one, so after a one-bit left shift the upper 128
// bits hold the coefficients of x^0..x^127 and the lower 128 bits those of x^128..x^255, each
// reflected. Folding the lower half uses x^128 = x^7 + x^2 + x + 1, where multiplying by x^k is a
// right shift by k of a reflected number.

/// A field element: `hi` is block bytes 0..7, `lo` bytes 8..15, both read big-endian.
struct gf128 {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
};

/// CT: straight-line loads.
inline gf128 gf128_load(const std::uint8_t* p) noexcept {
    return {https::detail::load_be64(p), https::detail::load_be64(p + 8)};
}

/// CT: straight-line stores.
inline void gf128_store(std::uint8_t* p, gf128 v) noexcept {
    https::detail::store_be64(p, v.hi);
    https::detail::store_be64(p + 8, v.lo);
}

#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 clmul_u128; // NOLINT(modernize-use-using)

/// Carry-less 64x64 -> 128-bit product from ordinary multiplications with "holes": each operand
/// is split into five parts holding every fifth bit, so a column of an integer product of two
/// parts sums at most 13 one-bits, which fits in the five bits before the next used column and
/// never carries into it. Keeping only the columns of each residue class leaves the XOR of the
/// partial products, i.e. the carry-less product. 25 multiplications.
/// CT: multiplications, shifts and masks only (64-bit MUL is constant time on the targets).
inline void clmul64(std::uint64_t a, std::uint64_t b, std::uint64_t& hi,
                    std::uint64_t& lo) noexcept {
    constexpr std::uint64_t m[5] = {0x1084210842108421ull, 0x2108421084210842ull,
                                    0x4210842108421084ull, 0x8421084210842108ull,
                                    0x0842108421084210ull};
    std::uint64_t x[5], y[5];
#pragma GCC unroll 5
    for (unsigned i = 0; i < 5; ++i) {
        x[i] = a & m[i];
        y[i] = b & m[i];
    }
    clmul_u128 z = 0;
#pragma GCC unroll 5
    for (unsigned k = 0; k < 5; ++k) {
        clmul_u128 acc = 0;
#pragma GCC unroll 5
        for (unsigned i = 0; i < 5; ++i) {
            acc ^= static_cast<clmul_u128>(x[i]) * y[(k + 5 - i) % 5];
        }
        // bit p of the 128-bit result has p = k mod 5: low word mask m[k], high word (64 = 4 mod
        // 5) mask m[(k + 1) % 5]
        const clmul_u128 keep = (static_cast<clmul_u128>(m[(k + 1) % 5]) << 64) | m[k];
        z |= acc & keep;
    }
    hi = static_cast<std::uint64_t>(z >> 64);
    lo = static_cast<std::uint64_t>(z);
}
#endif

/// Carry-less 32x32 -> 64-bit product with four-way holes (8 bits per part: column sums <= 8 fit
/// in four bits). 16 multiplications. CT: multiplications, shifts and masks only.
inline std::uint64_t clmul32(std::uint32_t a, std::uint32_t b) noexcept {
    constexpr std::uint32_t m[4] = {0x11111111u, 0x22222222u, 0x44444444u, 0x88888888u};
    constexpr std::uint64_t m64[4] = {0x1111111111111111ull, 0x2222222222222222ull,
                                      0x4444444444444444ull, 0x8888888888888888ull};
    std::uint64_t z = 0;
#pragma GCC unroll 4
    for (unsigned k = 0; k < 4; ++k) {
        std::uint64_t acc = 0;
#pragma GCC unroll 4
        for (unsigned i = 0; i < 4; ++i) {
            acc ^= static_cast<std::uint64_t>(a & m[i]) * (b & m[(k + 4 - i) % 4]);
        }
        z |= acc & m64[k];
    }
    return z;
}

/// Carry-less 64x64 -> 128-bit product from three 32-bit ones (Karatsuba), for targets without
/// a 128-bit integer type. CT: multiplications, shifts and masks only.
inline void clmul64_narrow(std::uint64_t a, std::uint64_t b, std::uint64_t& hi,
                           std::uint64_t& lo) noexcept {
    const auto a0 = static_cast<std::uint32_t>(a), a1 = static_cast<std::uint32_t>(a >> 32);
    const auto b0 = static_cast<std::uint32_t>(b), b1 = static_cast<std::uint32_t>(b >> 32);
    const std::uint64_t l = clmul32(a0, b0), h = clmul32(a1, b1);
    const std::uint64_t m = clmul32(a0 ^ a1, b0 ^ b1) ^ l ^ h;
    lo = l ^ (m << 32);
    hi = h ^ (m >> 32);
}

#if !defined(__SIZEOF_INT128__)
/// clmul64 without a 128-bit integer type. CT: as clmul64_narrow.
inline void clmul64(std::uint64_t a, std::uint64_t b, std::uint64_t& hi,
                    std::uint64_t& lo) noexcept {
    clmul64_narrow(a, b, hi, lo);
}
#endif

/// Fold a 256-bit reflected product r3:r2:r1:r0 (r3 most significant), already shifted left by
/// one, modulo x^128 + x^7 + x^2 + x + 1. The low half L = r1:r0 stands for x^128 L; its bits
/// that fall off the right when multiplied by x, x^2, x^7 (r0's low seven bits, multiples of
/// x^128 again) are folded once more into r1 first. CT: shifts and XORs.
inline gf128 gf128_reduce(std::uint64_t r3, std::uint64_t r2, std::uint64_t r1,
                          std::uint64_t r0) noexcept {
    const std::uint64_t l1 = r1 ^ (r0 << 63) ^ (r0 << 62) ^ (r0 << 57);
    return {r3 ^ l1 ^ (l1 >> 1) ^ (l1 >> 2) ^ (l1 >> 7),
            r2 ^ r0 ^ (r0 >> 1) ^ (r0 >> 2) ^ (r0 >> 7) ^ (l1 << 63) ^ (l1 << 62) ^ (l1 << 57)};
}

/// x * h in GF(2^128) (SP 800-38D §6.3), Karatsuba over three 64-bit carry-less products.
/// Kept out of line: inlined, each GHASH call site carried its own 800-byte copy, and the call
/// costs little next to 75 multiplications.
/// CT: no branch or memory index depends on x or h.
[[gnu::noinline]] inline gf128 gf128_mul(gf128 x, gf128 h) noexcept {
    std::uint64_t a1 = 0, a0 = 0, b1 = 0, b0 = 0, c1 = 0, c0 = 0;
    clmul64(x.hi, h.hi, a1, a0);
    clmul64(x.lo, h.lo, b1, b0);
    clmul64(x.hi ^ x.lo, h.hi ^ h.lo, c1, c0);
    c1 ^= a1 ^ b1;
    c0 ^= a0 ^ b0;
    std::uint64_t r3 = a1, r2 = a0 ^ c1, r1 = b1 ^ c0, r0 = b0;
    r3 = (r3 << 1) | (r2 >> 63);
    r2 = (r2 << 1) | (r1 >> 63);
    r1 = (r1 << 1) | (r0 >> 63);
    r0 <<= 1;
    return gf128_reduce(r3, r2, r1, r0);
}

/// Number of powers of H kept for the aggregated (one reduction per batch) hardware GHASH.
inline constexpr std::size_t ghash_batch = 16;

/// The GHASH key H, plus (for the PCLMULQDQ paths) H^16..H^1 in the layout that code loads
/// directly: entry j (16 bytes: low word, high word) holds H^(16-j), so that a 256-bit load at an
/// even entry pairs the powers two consecutive blocks need; and for Karatsuba, lo ^ hi of each
/// power in both halves of its entry. Wiped on destruction.
struct ghash_key {
    gf128 h{};
    alignas(32) std::array<std::uint64_t, 2 * ghash_batch> powers{};
    alignas(32) std::array<std::uint64_t, 2 * ghash_batch> karatsuba{};
    bool clmul = false;

    ghash_key() = default;
    ghash_key(const ghash_key&) = default;
    ghash_key& operator=(const ghash_key&) = default;
    ghash_key(ghash_key&&) noexcept = default;
    ghash_key& operator=(ghash_key&&) noexcept = default;
    ~ghash_key() {
        ct::wipe(&h, sizeof h);
        ct::wipe(powers);
        ct::wipe(karatsuba);
    }

    /// Set H from the block E_K(0^128); choose the implementation from the CPU features.
    /// CT: no branch or memory index depends on H.
    void set(const std::uint8_t* hash_subkey) noexcept {
        h = gf128_load(hash_subkey);
        clmul = usable(https::detail::cpu());
        if (!clmul) {
            return;
        }
        gf128 p = h;
        for (std::size_t e = 1; e <= ghash_batch; ++e) {
            const std::size_t j = ghash_batch - e;
            powers[2 * j] = p.lo;
            powers[2 * j + 1] = p.hi;
            karatsuba[2 * j] = p.lo ^ p.hi;
            karatsuba[2 * j + 1] = p.lo ^ p.hi;
            p = gf128_mul(p, h);
        }
        ct::wipe(&p, sizeof p);
    }

    static bool usable(const https::detail::cpu_features& f) noexcept {
#if defined(HTTPS_GHASH_X86)
        return f.pclmul && f.ssse3 && f.sse41;
#else
        (void)f;
        return false;
#endif
    }
};

/// y = (...((y + X_1) H + X_2) H ... + X_n) H over whole 16-byte blocks, portable.
/// CT: no branch or memory index depends on the data or H; time depends on the length.
inline void ghash_ct_blocks(gf128& y, gf128 h, const std::uint8_t* data,
                            std::size_t blocks) noexcept {
    for (std::size_t i = 0; i < blocks; ++i) {
        const gf128 x = gf128_load(data + 16 * i);
        y = gf128_mul({y.hi ^ x.hi, y.lo ^ x.lo}, h);
    }
}

#if defined(HTTPS_GHASH_X86)

/// Reverse the 16 bytes: a block in memory becomes the reflected number as a little-endian
/// 128-bit lane pair (lane 1 = hi, lane 0 = lo). CT: one shuffle with a constant pattern.
HTTPS_GHASH_INLINE inline __m128i ghash_byteswap(__m128i x) noexcept {
    return _mm_shuffle_epi8(x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

/// Unreduced sum of 256-bit products: lo and hi halves and the Karatsuba middle term.
struct ghash_acc {
    __m128i lo;
    __m128i hi;
    __m128i mid;
};

/// acc += x * h (unreduced), `hk` = h.lo ^ h.hi in lane 0. CT: constant-time instructions.
HTTPS_GHASH_INLINE inline void ghash_mul_acc(ghash_acc& acc, __m128i x, __m128i h,
                                             __m128i hk) noexcept {
    acc.lo = _mm_xor_si128(acc.lo, _mm_clmulepi64_si128(x, h, 0x00));
    acc.hi = _mm_xor_si128(acc.hi, _mm_clmulepi64_si128(x, h, 0x11));
    const __m128i xk = _mm_xor_si128(x, _mm_shuffle_epi32(x, 0x4E));
    acc.mid = _mm_xor_si128(acc.mid, _mm_clmulepi64_si128(xk, hk, 0x00));
    // Keep the sums in three registers: without this, GCC re-associates the XOR chains of a
    // whole batch into a tree whose 24 leaves are spilled to the stack.
    __asm__("" : "+x"(acc.lo), "+x"(acc.hi), "+x"(acc.mid));
}

/// The first product of a batch (saves clearing the accumulator). CT: constant-time instructions.
HTTPS_GHASH_INLINE inline ghash_acc ghash_mul_first(__m128i x, __m128i h, __m128i hk) noexcept {
    const __m128i xk = _mm_xor_si128(x, _mm_shuffle_epi32(x, 0x4E));
    return {_mm_clmulepi64_si128(x, h, 0x00), _mm_clmulepi64_si128(x, h, 0x11),
            _mm_clmulepi64_si128(xk, hk, 0x00)};
}

/// Reduce an accumulated product to a field element (the same fold as gf128_reduce, on lanes).
/// CT: constant-time instructions.
HTTPS_GHASH_INLINE inline __m128i ghash_reduce(const ghash_acc& acc) noexcept {
    const __m128i mid = _mm_xor_si128(acc.mid, _mm_xor_si128(acc.lo, acc.hi));
    __m128i lo = _mm_xor_si128(acc.lo, _mm_slli_si128(mid, 8));
    __m128i hi = _mm_xor_si128(acc.hi, _mm_srli_si128(mid, 8));
    // 256-bit shift left by one
    const __m128i clo = _mm_srli_epi64(lo, 63);
    const __m128i chi = _mm_srli_epi64(hi, 63);
    lo = _mm_or_si128(_mm_slli_epi64(lo, 1), _mm_slli_si128(clo, 8));
    hi = _mm_or_si128(_mm_or_si128(_mm_slli_epi64(hi, 1), _mm_slli_si128(chi, 8)),
                      _mm_srli_si128(clo, 8));
    // fold r0's low bits into r1, then the whole low half into the high half
    __m128i u = _mm_xor_si128(_mm_xor_si128(_mm_slli_epi64(lo, 63), _mm_slli_epi64(lo, 62)),
                              _mm_slli_epi64(lo, 57));
    lo = _mm_xor_si128(lo, _mm_slli_si128(u, 8));
    u = _mm_xor_si128(_mm_xor_si128(_mm_slli_epi64(lo, 63), _mm_slli_epi64(lo, 62)),
                      _mm_slli_epi64(lo, 57));
    const __m128i s = _mm_xor_si128(_mm_xor_si128(_mm_srli_epi64(lo, 1), _mm_srli_epi64(lo, 2)),
                                    _mm_srli_epi64(lo, 7));
    return _mm_xor_si128(_mm_xor_si128(hi, lo), _mm_xor_si128(s, _mm_srli_si128(u, 8)));
}

/// H^(i+1), and its Karatsuba term. CT: the index is a public batch position.
HTTPS_GHASH_INLINE inline __m128i ghash_load_power(const ghash_key& k, std::size_t i) noexcept {
    return _mm_load_si128(reinterpret_cast<const __m128i*>(k.powers.data()) +
                          (ghash_batch - 1 - i));
}
HTTPS_GHASH_INLINE inline __m128i ghash_load_karatsuba(const ghash_key& k, std::size_t i) noexcept {
    return _mm_load_si128(reinterpret_cast<const __m128i*>(k.karatsuba.data()) +
                          (ghash_batch - 1 - i));
}

/// Between the word pair and the register form. CT: moves only.
HTTPS_GHASH_INLINE inline __m128i ghash_to_lanes(gf128 v) noexcept {
    return _mm_set_epi64x(static_cast<long long>(v.hi), static_cast<long long>(v.lo));
}
HTTPS_GHASH_INLINE inline gf128 ghash_from_lanes(__m128i v) noexcept {
    alignas(16) std::uint64_t w[2];
    _mm_store_si128(reinterpret_cast<__m128i*>(w), v);
    return {w[1], w[0]};
}

/// Hash `count` (1..8) blocks already in lane form with one reduction:
/// y' = (y + X_1) H^count + X_2 H^(count-1) + ... + X_count H. CT: constant-time instructions.
HTTPS_GHASH_INLINE inline __m128i ghash_clmul_batch(const ghash_key& k, __m128i y, const __m128i* x,
                                                    std::size_t count) noexcept {
    ghash_acc acc = ghash_mul_first(_mm_xor_si128(x[0], y), ghash_load_power(k, count - 1),
                                    ghash_load_karatsuba(k, count - 1));
    for (std::size_t i = 1; i < count; ++i) {
        ghash_mul_acc(acc, x[i], ghash_load_power(k, count - 1 - i),
                      ghash_load_karatsuba(k, count - 1 - i));
    }
    return ghash_reduce(acc);
}

/// GHASH over whole blocks with PCLMULQDQ, up to ghash_batch blocks per reduction.
/// CT: constant-time instructions; time depends on the length only.
HTTPS_GHASH_FN inline void ghash_clmul_blocks(gf128& state, const ghash_key& k,
                                              const std::uint8_t* data,
                                              std::size_t blocks) noexcept {
    __m128i y = ghash_to_lanes(state);
    const auto* p = reinterpret_cast<const __m128i*>(data);
    __m128i x[ghash_batch];
    while (blocks > 0) {
        const std::size_t n = blocks < ghash_batch ? blocks : ghash_batch;
        for (std::size_t i = 0; i < n; ++i) {
            x[i] = ghash_byteswap(_mm_loadu_si128(p + i));
        }
        y = ghash_clmul_batch(k, y, x, n);
        p += n;
        blocks -= n;
    }
    state = ghash_from_lanes(y);
}

#endif // HTTPS_GHASH_X86

/// GHASH over whole blocks with the implementation chosen in `k`.
/// CT: no branch or memory index depends on the data or H; time depends on the length.
inline void ghash_blocks(gf128& y, const ghash_key& k, const std::uint8_t* data,
                         std::size_t blocks) noexcept {
#if defined(HTTPS_GHASH_X86)
    if (k.clmul) {
        ghash_clmul_blocks(y, k, data, blocks);
        return;
    }
#endif
    ghash_ct_blocks(y, k.h, data, blocks);
}

/// GHASH over any number of bytes, the last partial block padded with zeros (SP 800-38D §7.1
/// step 5 pads A and C this way). CT: time depends on the length only.
inline void ghash_padded(gf128& y, const ghash_key& k, bytes_view data) noexcept {
    const std::size_t full = data.size() / 16;
    ghash_blocks(y, k, data.data(), full);
    const std::size_t rest = data.size() % 16;
    if (rest != 0) {
        std::array<std::uint8_t, 16> last{};
        std::memcpy(last.data(), data.data() + 16 * full, rest);
        ghash_blocks(y, k, last.data(), 1);
        ct::wipe(last);
    }
}

} // namespace https::crypto::detail

#undef HTTPS_GHASH_FN
#undef HTTPS_GHASH_INLINE
#undef HTTPS_GHASH_X86

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <immintrin.h>

// The 128-bit body is written once with SSE intrinsics and compiled twice, once per entry point:
// one for SSE4.1 and one for AVX, where the same intrinsics get the three-operand VEX encoding (no
// register copies; measured 5-10% faster on AMD Zen 3). The 256-bit loop hands its last blocks to
// the AVX one. Each entry point is one out-of-line function for both key sizes (the round count is
// a run-time argument) and both directions, so a program holds three copies of the loop, not one
// per key size, direction and CPU path. The body and its helpers are forced inline: GCC would
// otherwise call the SSE-encoded helpers from the AVX entry point. On Zen 3, AES-128-GCM at 16 KiB:
// 128-bit SSE 0.96x OpenSSL 3.0, AVX 1.03x, 256-bit 1.7x (OpenSSL 3.0.19 as installed, same run,
// same buffers).
#define HTTPS_GCM_FN __attribute__((target("aes,sse4.1,pclmul"), always_inline))

namespace https::crypto::detail {

/// Blocks per batch of the one-pass loop. With eight, the AES chains (four-cycle aesenc latency,
/// two per cycle) have no slack left once PCLMULQDQ shares their execution ports; twelve keep the
/// AES units busy and still fit the sixteen vector registers. Measured on Zen 3 (16 KiB): 8 blocks
/// 0.91x OpenSSL, 10: 0.96x, 12: 1.03x, 14: 1.02x, 16: 0.96x (spills).
inline constexpr std::size_t gcm_ni_blocks = 12;
static_assert(gcm_ni_blocks <= ghash_batch);

/// The same pointer, hidden from the optimiser: blocks hashed in a batch are then loaded from
/// memory inside the rounds instead of being kept in (too few) registers across the batch.
inline const __m128i* gcm_opaque(const __m128i* p) noexcept {
    __asm__("" : "+r"(p));
    return p;
}

/// gcm_opaque for the 256-bit loop.
inline const __m256i* gcm_opaque_wide(const __m256i* p) noexcept {
    __asm__("" : "+r"(p));
    return p;
}

/// A batch of counter blocks from `ctr` (byte-reversed, so the 32-bit counter is lane 0 and adding
/// wraps it modulo 2^32 as inc32 of SP 800-38D §6.2 requires), whitened with round key 0. CT:
/// constant-time instructions (the counter is public, round key 0 is not).
HTTPS_GCM_FN inline void gcm_ni_counters(__m128i& ctr, __m128i k0, __m128i* b) noexcept {
    const __m128i swap = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
#pragma GCC unroll 16
    for (std::size_t j = 0; j < gcm_ni_blocks; ++j) {
        b[j] = _mm_xor_si128(
            _mm_shuffle_epi8(_mm_add_epi32(ctr, _mm_set_epi32(0, 0, 0, static_cast<int>(j))), swap),
            k0);
    }
    ctr = _mm_add_epi32(ctr, _mm_set_epi32(0, 0, 0, static_cast<int>(gcm_ni_blocks)));
}

/// AES rounds 1..(rounds - 10) of a batch: none for AES-128, four for AES-256. The rest of a batch
/// is then the same ten rounds for both key sizes, with round keys from `k + rounds - 10`: one
/// unrolled stitched loop serves both, its GHASH multiplications spread over the last ten rounds.
/// CT: constant-time instructions; `rounds` (10 or 14) is public.
HTTPS_GCM_FN inline const __m128i* gcm_ni_first_rounds(const __m128i* k, unsigned rounds,
                                                       __m128i* b) noexcept {
    if (rounds > 10) {
        // unrolled: as a loop, GCC copies all the blocks between registers every round
#pragma GCC unroll 4
        for (unsigned r = 1; r <= 4; ++r) {
            const __m128i kr = _mm_load_si128(k + r);
#pragma GCC unroll 16
            for (std::size_t j = 0; j < gcm_ni_blocks; ++j) {
                b[j] = _mm_aesenc_si128(b[j], kr);
            }
        }
    }
    return k + (rounds - 10);
}

/// A batch of keystream blocks into `b` (`rounds` = 10 or 14) while folding the batch of ciphertext
/// blocks at `hash_src` into the GHASH state `y` with one reduction: block i is multiplied by
/// H^(n-i), and the multiplications are spread over the last nine middle rounds. CT: constant-time
/// instructions only; `rounds` is public (the key size).
HTTPS_GCM_FN inline void gcm_ni_stitched(const __m128i* k, unsigned rounds, const ghash_key& hk,
                                         __m128i& ctr, __m128i& y, const __m128i* hash_src,
                                         __m128i* b) noexcept {
    constexpr std::size_t n = gcm_ni_blocks;
    gcm_ni_counters(ctr, _mm_load_si128(k), b);
    k = gcm_ni_first_rounds(k, rounds, b);
    ghash_acc acc{};
#pragma GCC unroll 9
    for (unsigned r = 1; r < 10; ++r) {
        const __m128i kr = _mm_load_si128(k + r);
#pragma GCC unroll 16
        for (std::size_t j = 0; j < n; ++j) {
            b[j] = _mm_aesenc_si128(b[j], kr);
        }
        // blocks [first, last) of the hash batch go with this round
        const std::size_t first = (r - 1) * n / 9, last = r * n / 9;
#pragma GCC unroll 4
        for (std::size_t i = first; i < last; ++i) {
            const __m128i x = ghash_byteswap(_mm_loadu_si128(hash_src + i));
            const std::size_t power = n - 1 - i; // H^(n-i)
            if (i == 0) {
                acc = ghash_mul_first(_mm_xor_si128(x, y), ghash_load_power(hk, power),
                                      ghash_load_karatsuba(hk, power));
            } else {
                ghash_mul_acc(acc, x, ghash_load_power(hk, power), ghash_load_karatsuba(hk, power));
            }
        }
    }
    const __m128i kl = _mm_load_si128(k + 10);
#pragma GCC unroll 16
    for (std::size_t j = 0; j < n; ++j) {
        b[j] = _mm_aesenclast_si128(b[j], kl);
    }
    y = ghash_reduce(acc);
}

/// A batch of keystream blocks, no hashing (the first batch when encrypting, and the tail): a plain
/// loop over the rounds, as it is not the hot path. CT: constant-time instructions only.
HTTPS_GCM_FN inline void gcm_ni_keystream(const __m128i* k, unsigned rounds, __m128i& ctr,
                                          __m128i* b) noexcept {
    gcm_ni_counters(ctr, _mm_load_si128(k), b);
    for (unsigned r = 1; r < rounds; ++r) {
        const __m128i kr = _mm_load_si128(k + r);
#pragma GCC unroll 16
        for (std::size_t j = 0; j < gcm_ni_blocks; ++j) {
            b[j] = _mm_aesenc_si128(b[j], kr);
        }
    }
    const __m128i kl = _mm_load_si128(k + rounds);
#pragma GCC unroll 16
    for (std::size_t j = 0; j < gcm_ni_blocks; ++j) {
        b[j] = _mm_aesenclast_si128(b[j], kl);
    }
}

/// GHASH of `bytes` bytes at `p`, the last partial block zero-padded, one reduction per
/// gcm_ni_blocks blocks. CT: constant-time instructions; time depends on the length only.
HTTPS_GCM_FN inline __m128i gcm_ni_hash(const ghash_key& hk, __m128i y, const std::uint8_t* p,
                                        std::size_t bytes) noexcept {
    __m128i x[gcm_ni_blocks];
    while (bytes != 0) {
        const std::size_t take = bytes < 16 * gcm_ni_blocks ? bytes : 16 * gcm_ni_blocks;
        const std::size_t full = take / 16, rest = take % 16;
        for (std::size_t i = 0; i < full; ++i) {
            x[i] = ghash_byteswap(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p) + i));
        }
        std::size_t count = full;
        if (rest != 0) {
            alignas(16) std::array<std::uint8_t, 16> last{};
            std::memcpy(last.data(), p + 16 * full, rest);
            x[count++] =
                ghash_byteswap(_mm_load_si128(reinterpret_cast<const __m128i*>(last.data())));
            ct::wipe(last);
        }
        y = ghash_clmul_batch(hk, y, x, count);
        p += take;
        bytes -= take;
    }
    return y;
}

/// The counter block nonce || counter, byte-reversed (the form gcm_ni_counters works on). CT: nonce
/// and counter are public.
HTTPS_GCM_FN inline __m128i gcm_ni_counter_block(const std::uint8_t* nonce,
                                                 std::uint32_t counter) noexcept {
    alignas(16) std::array<std::uint8_t, 16> block{};
    std::memcpy(block.data(), nonce, 12);
    https::detail::store_be32(block.data() + 12, counter);
    return ghash_byteswap(_mm_load_si128(reinterpret_cast<const __m128i*>(block.data())));
}

/// SP 800-38D §7.1 steps 3-5 (or §7.2 steps 3-6) for the data: counter mode from nonce || `counter`
/// (2 for a whole message) over `len` bytes of `in` into `out` (in place allowed), with `rounds` =
/// 10 (AES-128) or 14 (AES-256), and GHASH of the ciphertext (the output when `encrypt`, the input
/// otherwise) into `state`, zero-padding the last block. Encrypting, a batch's ciphertext is hashed
/// while the next batch is encrypted; decrypting, it is hashed (read from memory) while its own
/// keystream is made, before any of its plaintext is stored, so decrypting in place is safe. Always
/// inlined into its two entry points below (one copy each): that is how the AVX one gets the VEX
/// encoding of the same intrinsics. CT: constant-time instructions; time depends on the length;
/// `rounds` and `encrypt` are public.
HTTPS_GCM_FN inline void gcm_ni_crypt_body(const std::uint8_t* round_keys, unsigned rounds,
                                           bool encrypt, const ghash_key& hk,
                                           const std::uint8_t* nonce, std::uint32_t counter,
                                           const std::uint8_t* in, std::uint8_t* out,
                                           std::size_t len, gf128& state) noexcept {
    constexpr std::size_t n = gcm_ni_blocks;
    const auto* k = reinterpret_cast<const __m128i*>(round_keys);
    __m128i ctr = gcm_ni_counter_block(nonce, counter);
    __m128i y = ghash_to_lanes(state);
    const auto* src = reinterpret_cast<const __m128i*>(in);
    auto* dst = reinterpret_cast<__m128i*>(out);
    __m128i b[n];

    std::size_t blocks = len / 16;
    std::size_t held = 0; // encrypting: ciphertext bytes before `dst` not hashed yet
    if (encrypt && blocks >= n) {
        gcm_ni_keystream(k, rounds, ctr, b);
#pragma GCC unroll 16
        for (std::size_t j = 0; j < n; ++j) {
            _mm_storeu_si128(dst + j, _mm_xor_si128(b[j], _mm_loadu_si128(src + j)));
        }
        src += n;
        dst += n;
        blocks -= n;
        held = 16 * n;
    }
    for (; blocks >= n; blocks -= n, src += n, dst += n) {
        gcm_ni_stitched(k, rounds, hk, ctr, y, gcm_opaque(encrypt ? dst - n : src), b);
#pragma GCC unroll 16
        for (std::size_t j = 0; j < n; ++j) {
            _mm_storeu_si128(dst + j, _mm_xor_si128(b[j], _mm_loadu_si128(src + j)));
        }
    }

    // Fewer than n blocks left (the last possibly partial): one more batch of keystream, of which
    // only what is needed is used, and aggregated GHASH.
    const std::size_t rest = len % (16 * n);
    const auto* s = reinterpret_cast<const std::uint8_t*>(src);
    auto* d = reinterpret_cast<std::uint8_t*>(dst);
    if (rest != 0) {
        if (!encrypt) {
            y = gcm_ni_hash(hk, y, s, rest);
        }
        gcm_ni_keystream(k, rounds, ctr, b);
        const std::size_t full = rest / 16;
        for (std::size_t j = 0; j < full; ++j) {
            _mm_storeu_si128(dst + j, _mm_xor_si128(b[j], _mm_loadu_si128(src + j)));
        }
        if (rest % 16 != 0) {
            alignas(16) std::array<std::uint8_t, 16> buf{};
            std::memcpy(buf.data(), s + 16 * full, rest % 16);
            auto* bp = reinterpret_cast<__m128i*>(buf.data());
            _mm_store_si128(bp, _mm_xor_si128(_mm_load_si128(bp), b[full]));
            std::memcpy(d + 16 * full, buf.data(), rest % 16);
            ct::wipe(buf);
        }
    }
    if (encrypt) {
        y = gcm_ni_hash(hk, y, d - held, held + rest);
    }
    state = ghash_from_lanes(y);
}

/// The SSE4.1 entry point of gcm_ni_crypt_body: one out-of-line copy for both key sizes and both
/// directions.
__attribute__((target("aes,sse4.1,pclmul"), noinline)) inline void
gcm_ni_crypt(const std::uint8_t* round_keys, unsigned rounds, bool encrypt, const ghash_key& hk,
             const std::uint8_t* nonce, std::uint32_t counter, const std::uint8_t* in,
             std::uint8_t* out, std::size_t len, gf128& state) noexcept {
    gcm_ni_crypt_body(round_keys, rounds, encrypt, hk, nonce, counter, in, out, len, state);
}

/// The AVX entry point of gcm_ni_crypt_body (VEX encoding of the same code).
__attribute__((target("aes,pclmul,avx"), noinline)) inline void
gcm_ni_crypt_avx(const std::uint8_t* round_keys, unsigned rounds, bool encrypt, const ghash_key& hk,
                 const std::uint8_t* nonce, std::uint32_t counter, const std::uint8_t* in,
                 std::uint8_t* out, std::size_t len, gf128& state) noexcept {
    gcm_ni_crypt_body(round_keys, rounds, encrypt, hk, nonce, counter, in, out, len, state);
}

// ---- 256-bit vectors: VAES and VPCLMULQDQ, two blocks per register ----------------------------

// Helpers of gcm_wide_crypt, each called from it once; forced inline because GCC keeps the stitched
// batch out of line otherwise (measured 25% slower).
#define HTTPS_GCM_WIDE_FN __attribute__((target("vaes,vpclmulqdq,avx2,aes,pclmul"), always_inline))

/// Blocks per batch of the 256-bit loop: sixteen in eight registers.
inline constexpr std::size_t gcm_wide_blocks = 16;
static_assert(gcm_wide_blocks <= ghash_batch);

/// Whether the CPU runs the 256-bit loop.
inline bool gcm_wide_usable(const https::detail::cpu_features& f) noexcept {
    return f.vaes && f.vpclmulqdq && f.avx2;
}

/// ghash_byteswap on both lanes. CT: one shuffle with a constant pattern.
HTTPS_GCM_WIDE_FN inline __m256i gcm_wide_byteswap(__m256i x) noexcept {
    const __m256i swap = _mm256_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1,
                                         2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    return _mm256_shuffle_epi8(x, swap);
}

/// Unreduced GHASH sums, two independent ones per register (one per 128-bit lane).
struct gcm_wide_acc {
    __m256i lo;
    __m256i hi;
    __m256i mid;
};

/// acc (+)= x * h lane by lane (Karatsuba; `hk` holds lo ^ hi of each lane's power). CT:
/// constant-time instructions.
HTTPS_GCM_WIDE_FN inline void gcm_wide_mul(gcm_wide_acc& acc, __m256i x, __m256i h, __m256i hk,
                                           bool first) noexcept {
    const __m256i xk = _mm256_xor_si256(x, _mm256_shuffle_epi32(x, 0x4E));
    const __m256i lo = _mm256_clmulepi64_epi128(x, h, 0x00);
    const __m256i hi = _mm256_clmulepi64_epi128(x, h, 0x11);
    const __m256i mid = _mm256_clmulepi64_epi128(xk, hk, 0x00);
    if (first) {
        acc = {lo, hi, mid};
    } else {
        acc.lo = _mm256_xor_si256(acc.lo, lo);
        acc.hi = _mm256_xor_si256(acc.hi, hi);
        acc.mid = _mm256_xor_si256(acc.mid, mid);
    }
    __asm__("" : "+x"(acc.lo), "+x"(acc.hi), "+x"(acc.mid)); // see ghash_mul_acc
}

/// Add the two lanes of an accumulator, and reduce. CT: constant-time instructions.
HTTPS_GCM_WIDE_FN inline __m128i gcm_wide_fold(__m256i v) noexcept {
    return _mm_xor_si128(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
}
HTTPS_GCM_WIDE_FN inline __m128i gcm_wide_reduce(const gcm_wide_acc& acc) noexcept {
    return ghash_reduce({gcm_wide_fold(acc.lo), gcm_wide_fold(acc.hi), gcm_wide_fold(acc.mid)});
}

/// Pair i (blocks 2i and 2i+1) of a 16-block hash batch: byte-swapped blocks, `y` added to the
/// first block of the batch, times (H^(16-2i), H^(15-2i)). CT: constant-time instructions; `i` is a
/// public batch position.
HTTPS_GCM_WIDE_FN inline void gcm_wide_hash_pair(gcm_wide_acc& acc, const ghash_key& hk, __m128i y,
                                                 const __m256i* src, std::size_t i) noexcept {
    __m256i x = gcm_wide_byteswap(_mm256_loadu_si256(src + i));
    if (i == 0) {
        x = _mm256_xor_si256(x, _mm256_zextsi128_si256(y));
    }
    const auto* powers = reinterpret_cast<const __m256i*>(hk.powers.data());
    const auto* karatsuba = reinterpret_cast<const __m256i*>(hk.karatsuba.data());
    gcm_wide_mul(acc, x, _mm256_load_si256(powers + i), _mm256_load_si256(karatsuba + i), i == 0);
}

/// Sixteen counter blocks from `ctr` (see gcm_ni_counters) in eight registers, whitened. CT:
/// constant-time instructions.
HTTPS_GCM_WIDE_FN inline void gcm_wide_counters(__m128i& ctr, __m256i k0, __m256i* b) noexcept {
    const __m256i base = _mm256_add_epi32(_mm256_broadcastsi128_si256(ctr),
                                          _mm256_set_epi32(0, 0, 0, 1, 0, 0, 0, 0));
    const __m256i swap = _mm256_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1,
                                         2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
        const __m256i step = _mm256_set_epi32(0, 0, 0, 2 * j, 0, 0, 0, 2 * j);
        b[j] = _mm256_xor_si256(_mm256_shuffle_epi8(_mm256_add_epi32(base, step), swap), k0);
    }
    ctr = _mm_add_epi32(ctr, _mm_set_epi32(0, 0, 0, static_cast<int>(gcm_wide_blocks)));
}

/// Sixteen keystream blocks, no hashing (the first batch when encrypting); `rk` holds each round
/// key in both lanes. CT: constant-time instructions; `rounds` is public.
HTTPS_GCM_WIDE_FN inline void gcm_wide_keystream(const __m256i* rk, unsigned rounds, __m128i& ctr,
                                                 __m256i* b) noexcept {
    gcm_wide_counters(ctr, rk[0], b);
    for (unsigned r = 1; r < rounds; ++r) {
#pragma GCC unroll 8
        for (int j = 0; j < 8; ++j) {
            b[j] = _mm256_aesenc_epi128(b[j], rk[r]);
        }
    }
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
        b[j] = _mm256_aesenclast_epi128(b[j], rk[rounds]);
    }
}

/// Sixteen keystream blocks while hashing the sixteen ciphertext blocks at `hash_src` over the last
/// nine middle rounds (see gcm_ni_first_rounds). CT: constant-time instructions; `rounds` is
/// public.
HTTPS_GCM_WIDE_FN inline void gcm_wide_stitched(const __m256i* rk, unsigned rounds,
                                                const ghash_key& hk, __m128i& ctr, __m128i& y,
                                                const __m256i* hash_src, __m256i* b) noexcept {
    gcm_wide_counters(ctr, rk[0], b);
    if (rounds > 10) {
        // unrolled: as a loop, GCC copies all the blocks between registers every round
#pragma GCC unroll 4
        for (unsigned r = 1; r <= 4; ++r) {
#pragma GCC unroll 8
            for (int j = 0; j < 8; ++j) {
                b[j] = _mm256_aesenc_epi128(b[j], rk[r]);
            }
        }
    }
    rk += rounds - 10;
    gcm_wide_acc acc{};
#pragma GCC unroll 9
    for (unsigned r = 1; r < 10; ++r) {
#pragma GCC unroll 8
        for (int j = 0; j < 8; ++j) {
            b[j] = _mm256_aesenc_epi128(b[j], rk[r]);
        }
        const std::size_t first = (r - 1) * 8 / 9, last = r * 8 / 9;
#pragma GCC unroll 2
        for (std::size_t i = first; i < last; ++i) {
            gcm_wide_hash_pair(acc, hk, y, hash_src, i);
        }
    }
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
        b[j] = _mm256_aesenclast_epi128(b[j], rk[10]);
    }
    y = gcm_wide_reduce(acc);
}

/// XOR sixteen keystream blocks into the data. CT: constant-time instructions.
HTTPS_GCM_WIDE_FN inline void gcm_wide_xor(const __m256i* b, const __m256i* src,
                                           __m256i* dst) noexcept {
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
        _mm256_storeu_si256(dst + j, _mm256_xor_si256(b[j], _mm256_loadu_si256(src + j)));
    }
}

/// As gcm_ni_crypt_body, sixteen blocks per batch in 256-bit registers; the last (up to 15 blocks
/// and a partial one) goes through gcm_ni_crypt_avx. One copy for both key sizes and both
/// directions. CT: constant-time instructions; time depends on the length only; `rounds`, `encrypt`
/// public.
__attribute__((target("vaes,vpclmulqdq,avx2,aes,pclmul"), noinline)) inline void
gcm_wide_crypt(const std::uint8_t* round_keys, unsigned rounds, bool encrypt, const ghash_key& hk,
               const std::uint8_t* nonce, const std::uint8_t* in, std::uint8_t* out,
               std::size_t len, gf128& state) noexcept {
    constexpr std::size_t n = gcm_wide_blocks;
    const std::size_t batches = len / (16 * n);
    if (batches != 0) {
        const auto* k = reinterpret_cast<const __m128i*>(round_keys);
        __m256i rk[15];
        for (unsigned r = 0; r <= rounds; ++r) {
            rk[r] = _mm256_broadcastsi128_si256(_mm_load_si128(k + r));
        }
        __m128i ctr = gcm_ni_counter_block(nonce, 2);
        __m128i y = ghash_to_lanes(state);
        const auto* src = reinterpret_cast<const __m256i*>(in);
        auto* dst = reinterpret_cast<__m256i*>(out);
        __m256i b[8];
        std::size_t i = 0;
        if (encrypt) {
            // the ciphertext of a batch is hashed while the next batch is encrypted
            gcm_wide_keystream(rk, rounds, ctr, b);
            gcm_wide_xor(b, src, dst);
            src += 8;
            dst += 8;
            i = 1;
        }
        for (; i < batches; ++i, src += 8, dst += 8) {
            // encrypting, the previous batch's ciphertext; decrypting, this batch's, hashed (from
            // memory) before any of its plaintext is stored
            gcm_wide_stitched(rk, rounds, hk, ctr, y, gcm_opaque_wide(encrypt ? dst - 8 : src), b);
            gcm_wide_xor(b, src, dst);
        }
        if (encrypt) {
            gcm_wide_acc acc{};
            for (std::size_t i = 0; i < 8; ++i) {
                gcm_wide_hash_pair(acc, hk, y, dst - 8, i);
            }
            y = gcm_wide_reduce(acc);
        }
        state = ghash_from_lanes(y);
        ct::wipe(rk, sizeof rk);
    }
    const std::size_t done = 16 * n * batches;
    if (done != len) {
        gcm_ni_crypt_avx(round_keys, rounds, encrypt, hk, nonce,
                         static_cast<std::uint32_t>(2 + n * batches), in + done, out + done,
                         len - done, state);
    }
}

} // namespace https::crypto::detail

#undef HTTPS_GCM_FN
#undef HTTPS_GCM_WIDE_FN

#endif // x86

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace https::crypto {

template <block_cipher BlockCipher> class gcm;

namespace detail {

struct gcm_internals;

/// The keyed part of GCM: the cipher, the hash key H = E_K(0^128) (SP 800-38D §7.1 step 1), and
/// which bulk pass to use. The one-pass AES-NI + PCLMULQDQ loop is used when the cipher is AES on
/// its AES-NI path and GHASH has PCLMULQDQ: on 256-bit vectors when the CPU has VAES and
/// VPCLMULQDQ, else on 128-bit vectors in AVX (VEX) or SSE4.1 encoding. Otherwise counter mode
/// goes through the cipher's multi-block call and GHASH through its own (portable or
/// PCLMULQDQ) code.
template <block_cipher BlockCipher> class gcm_engine {
  public:
    /// CT: no branch or memory index depends on the key.
    explicit gcm_engine(std::span<const std::uint8_t, BlockCipher::key_size> key) noexcept
        : cipher_(key) {
        std::array<std::uint8_t, 16> h{};
        cipher_.encrypt_block(h, h);
        ghash_.set(h.data());
        ct::wipe(h);
#if defined(__x86_64__) || defined(__i386__)
        if constexpr (aes_based<BlockCipher>) {
            stitched_ = ghash_.clmul && aes_internals::ni_encryption_keys(cipher_) != nullptr;
            avx_ = stitched_ && https::detail::cpu().avx;
            wide_ = stitched_ && gcm_wide_usable(https::detail::cpu());
        }
#endif
    }

    /// SP 800-38D §7.1 (encrypt) / §7.2 steps 2-8 (decrypt) with a 96-bit IV: counter mode from
    /// J0 + 1 = nonce || 00000002 over `len` bytes (in place allowed), and the full 16-byte tag
    /// E_K(J0) ^ GHASH_H(A || 0* || C || 0* || [len(A)]64 || [len(C)]64) into `tag`.
    /// CT: no branch or memory index depends on the key, data or tag; time depends on lengths.
    void crypt(bool encrypt, const std::uint8_t* nonce, bytes_view ad, const std::uint8_t* in,
               std::uint8_t* out, std::size_t len, std::uint8_t* tag) const noexcept {
        gf128 y{};
        ghash_padded(y, ghash_, ad);
        bool done = false;
#if defined(__x86_64__) || defined(__i386__)
        if constexpr (aes_based<BlockCipher>) {
            if (stitched_) {
                const std::uint8_t* keys = aes_internals::ni_encryption_keys(cipher_);
                constexpr unsigned rounds = BlockCipher::rounds;
                if (wide_) {
                    gcm_wide_crypt(keys, rounds, encrypt, ghash_, nonce, in, out, len, y);
                } else if (avx_) {
                    gcm_ni_crypt_avx(keys, rounds, encrypt, ghash_, nonce, 2, in, out, len, y);
                } else {
                    gcm_ni_crypt(keys, rounds, encrypt, ghash_, nonce, 2, in, out, len, y);
                }
                done = true;
            }
        }
#endif
        if (!done) {
            crypt_generic(encrypt, nonce, in, out, len, y);
        }
        std::array<std::uint8_t, 16> block{};
        https::detail::store_be64(block.data(), static_cast<std::uint64_t>(ad.size()) * 8);
        https::detail::store_be64(block.data() + 8, static_cast<std::uint64_t>(len) * 8);
        ghash_blocks(y, ghash_, block.data(), 1);
        // tag = E_K(J0) ^ S, J0 = nonce || 00000001
        std::memcpy(block.data(), nonce, 12);
        https::detail::store_be32(block.data() + 12, 1);
        cipher_.encrypt_block(block, block);
        gf128_store(tag, y);
        for (std::size_t i = 0; i < 16; ++i) {
            tag[i] ^= block[i];
        }
        ct::wipe(block);
        ct::wipe(&y, sizeof y);
    }

  private:
    friend struct gcm_internals;

    /// Counter mode in batches of eight blocks through the cipher's multi-block call (two calls of
    /// the four-block bitsliced code, or one of the eight-wide AES-NI code), GHASH of
    /// each batch's ciphertext (hashed before it is overwritten when decrypting in place).
    /// CT: no branch or memory index depends on the key or data; time depends on the length.
    void crypt_generic(bool encrypt, const std::uint8_t* nonce, const std::uint8_t* in,
                       std::uint8_t* out, std::size_t len, gf128& y) const noexcept {
        constexpr std::size_t batch = 16 * 8;
        std::array<std::uint8_t, batch> counters{}, stream{};
        for (std::size_t i = 0; i < batch; i += 16) {
            std::memcpy(counters.data() + i, nonce, 12);
        }
        std::uint32_t counter = 2; // inc32 (SP 800-38D §6.2) wraps modulo 2^32
        while (len > 0) {
            const std::size_t n = len < batch ? len : batch;
            const std::size_t padded = (n + 15) & ~std::size_t{15};
            for (std::size_t i = 0; i < padded; i += 16) {
                https::detail::store_be32(counters.data() + i + 12, counter++);
            }
            cipher_.encrypt_blocks(bytes_view(counters.data(), padded),
                                   mutable_bytes(stream.data(), padded));
            if (!encrypt) {
                ghash_padded(y, ghash_, bytes_view(in, n));
            }
            for (std::size_t i = 0; i < n; ++i) {
                out[i] = static_cast<std::uint8_t>(in[i] ^ stream[i]);
            }
            if (encrypt) {
                ghash_padded(y, ghash_, bytes_view(out, n));
            }
            in += n;
            out += n;
            len -= n;
        }
        ct::wipe(stream);
    }

    BlockCipher cipher_;
    ghash_key ghash_;
    bool stitched_ = false;
    bool avx_ = false;  // the one-pass loop in VEX encoding
    bool wide_ = false; // the one-pass loop on 256-bit vectors (VAES, VPCLMULQDQ)
};

} // namespace detail

/// Galois/Counter Mode (NIST SP 800-38D) over a 128-bit block cipher, as used by TLS 1.2
/// (RFC 5288) and TLS 1.3 (RFC 8446 §5.3): 96-bit nonces only (other IV lengths are refused
/// with `errc::bad_nonce_size`), 128-bit tags. See the `aead` concept for the contract of
/// `seal` and `open`.
template <block_cipher BlockCipher> class gcm {
  public:
    static constexpr std::size_t key_size = BlockCipher::key_size;
    static constexpr std::size_t nonce_size = 12;
    static constexpr std::size_t tag_size = 16;
    /// SP 800-38D §5.2.1.1: len(P) <= 2^39 - 256 bits.
    static constexpr std::uint64_t max_plaintext_size = (std::uint64_t{1} << 36) - 32;
    /// SP 800-38D §5.2.1.1: len(A) <= 2^64 - 1 bits.
    static constexpr std::uint64_t max_ad_size = (std::uint64_t{1} << 61) - 1;

    /// CT: no branch or memory index depends on the key.
    explicit gcm(std::span<const std::uint8_t, key_size> key) noexcept : engine_(key) {}

    /// Encrypt `plaintext` and authenticate it with `ad`: `out.size() == plaintext.size() + 16`
    /// receives the ciphertext then the tag. In place allowed (`out.data() == plaintext.data()`).
    /// Errors: `bad_nonce_size` (nonce not 12 bytes), `message_too_long` (SP 800-38D limits).
    /// CT: time depends on the lengths only.
    [[nodiscard]] status seal(bytes_view nonce, bytes_view ad, bytes_view plaintext,
                              mutable_bytes out) const noexcept {
        assert(out.size() == plaintext.size() + tag_size);
        HTTPS_TRY(check(nonce, ad, plaintext.size()));
        engine_.crypt(true, nonce.data(), ad, plaintext.data(), out.data(), plaintext.size(),
                      out.data() + plaintext.size());
        return {};
    }

    /// Verify and decrypt `sealed` = ciphertext || tag: `out.size() == sealed.size() - 16`. In
    /// place allowed (`out.data() == sealed.data()`). The plaintext is produced in the same pass
    /// that hashes the ciphertext, but the call returns it only after the tag has been compared
    /// in constant time: on `bad_tag` (also for input shorter than a tag) `out` is zero-filled
    /// before returning. A bad nonce size zero-fills `out` too; `message_too_long` leaves it alone.
    /// CT: time depends on the lengths only; only the verdict is revealed.
    [[nodiscard]] status open(bytes_view nonce, bytes_view ad, bytes_view sealed,
                              mutable_bytes out) const noexcept {
        if (sealed.size() < tag_size) {
            ct::wipe(out.data(), out.size());
            return errc::bad_tag;
        }
        assert(out.size() == sealed.size() - tag_size);
        const std::size_t len = sealed.size() - tag_size;
        if (auto st = check(nonce, ad, len); !st) {
            if (st.error() == errc::bad_nonce_size) {
                ct::wipe(out.data(), out.size()); // the aead contract: failure zero-fills `out`
            }
            return st; // message_too_long: `out` (over 64 GiB) is left alone
        }
        // copy the tag first: decrypting in place overwrites only the first `len` bytes, but the
        // copy keeps the comparison independent of where `out` lies
        std::array<std::uint8_t, tag_size> tag{};
        std::memcpy(tag.data(), sealed.data() + len, tag_size);
        return verify_and_decrypt(nonce, ad, sealed.first(len), tag, out);
    }

    /// seal with the tag written separately: `ciphertext.size() == plaintext.size()`.
    [[nodiscard]] status seal_detached(bytes_view nonce, bytes_view ad, bytes_view plaintext,
                                       mutable_bytes ciphertext,
                                       std::span<std::uint8_t, tag_size> tag) const noexcept {
        assert(ciphertext.size() == plaintext.size());
        HTTPS_TRY(check(nonce, ad, plaintext.size()));
        engine_.crypt(true, nonce.data(), ad, plaintext.data(), ciphertext.data(), plaintext.size(),
                      tag.data());
        return {};
    }

    /// open with the tag given separately: `plaintext.size() == ciphertext.size()`.
    [[nodiscard]] status open_detached(bytes_view nonce, bytes_view ad, bytes_view ciphertext,
                                       std::span<const std::uint8_t, tag_size> tag,
                                       mutable_bytes plaintext) const noexcept {
        assert(plaintext.size() == ciphertext.size());
        HTTPS_TRY(check(nonce, ad, ciphertext.size()));
        return verify_and_decrypt(nonce, ad, ciphertext, tag, plaintext);
    }

  private:
    friend struct detail::gcm_internals;

    /// The argument checks of SP 800-38D §5.2.1.1 (and 96-bit nonces only). CT: lengths only.
    static status check(bytes_view nonce, bytes_view ad, std::size_t len) noexcept {
        if (nonce.size() != nonce_size) {
            return errc::bad_nonce_size;
        }
        if (static_cast<std::uint64_t>(len) > max_plaintext_size ||
            static_cast<std::uint64_t>(ad.size()) > max_ad_size) {
            return errc::message_too_long;
        }
        return {};
    }

    /// Decrypt, then compare the first `tag.size()` (1..16) bytes of the computed tag with `tag`;
    /// on a mismatch zero `plaintext`. Arguments already checked.
    /// CT: time depends on the lengths only; only the verdict is revealed.
    status verify_and_decrypt(bytes_view nonce, bytes_view ad, bytes_view ciphertext,
                              bytes_view tag, mutable_bytes plaintext) const noexcept {
        assert(tag.size() >= 1 && tag.size() <= tag_size);
        std::array<std::uint8_t, tag_size> expected{};
        engine_.crypt(false, nonce.data(), ad, ciphertext.data(), plaintext.data(),
                      ciphertext.size(), expected.data());
        const bool ok = ct::equal(bytes_view(expected.data(), tag.size()), tag);
        ct::wipe(expected);
        if (!ok) {
            ct::wipe(plaintext.data(), plaintext.size());
            return errc::bad_tag;
        }
        return {};
    }

    detail::gcm_engine<BlockCipher> engine_;
};

namespace detail {

/// Test access to truncated tags (SP 800-38D §5.2.1.2 allows 32..128 bits; NIST's CAVP files use
/// them). Not part of the public API: TLS uses 128-bit tags only.
struct gcm_internals {
    template <class BlockCipher>
    static status open_truncated(const gcm<BlockCipher>& g, bytes_view nonce, bytes_view ad,
                                 bytes_view ciphertext, bytes_view tag,
                                 mutable_bytes plaintext) noexcept {
        assert(plaintext.size() == ciphertext.size());
        HTTPS_TRY(g.check(nonce, ad, ciphertext.size()));
        return g.verify_and_decrypt(nonce, ad, ciphertext, tag, plaintext);
    }
};

} // namespace detail

using aes128_gcm = gcm<aes128>;
using aes256_gcm = gcm<aes256>;

static_assert(aead<aes128_gcm> && aead<aes256_gcm>);

} // namespace https::crypto
// ---- https/tls/record_layer.hpp ----------------------------------------------------------------
// The record layer shared by every TLS version: framing of received bytes into records (RFC 8446
// §5.1), deprotection through the active protection variant, fragmentation and protection of
// outgoing data, and reassembly of handshake messages across and within records.


#include <cassert>
#include <cstdint>
#include <optional>
#include <utility>
#include <variant>

namespace https::tls {

/// One record as delivered to the handshake: its content type, its plaintext (valid until the
/// next call into the record layer), and whether it arrived under protection.
struct record {
    content_type type{};
    mutable_bytes payload;
    bool was_protected = false;
};

/// Reads and writes records. `Protections...` are the protection variants beyond plaintext
/// that a connection may switch to; the active one in each direction is chosen once per key
/// change (a `std::variant`), never per record.
template <class... Protections> class basic_record_layer {
  public:
    using protection = std::variant<plaintext_protection, Protections...>;

    /// Append received bytes. Spans returned by `read()` before this call become invalid.
    void feed(bytes_view data) {
        compact();
        in_.insert(in_.end(), data.begin(), data.end());
    }

    /// The next complete record, deprotected, or nothing if more bytes are needed.
    /// RFC 8446 §5: an unknown content type is unexpected_message; a length over the limit of the
    /// active protection is record_overflow. A change_cipher_spec record is passed up as is
    /// (never decrypted, §5): whether it is allowed is the handshake's decision.
    result<std::optional<record>> read() {
        compact();
        if (in_.size() - pos_ < record_header_size) {
            return std::optional<record>{};
        }
        reader r(bytes_view(in_).subspan(pos_, record_header_size));
        record_header h;
        h.type = static_cast<content_type>(*r.read_u8());
        h.legacy_version = *r.read_u16();
        h.length = *r.read_u16();
        switch (h.type) {
        case content_type::change_cipher_spec:
        case content_type::alert:
        case content_type::handshake:
        case content_type::application_data:
            break;
        default:
            return errc::tls_unexpected_message;
        }
        const std::size_t limit =
            std::visit([](const auto& p) { return p.max_record_length; }, read_);
        if (h.length > limit) {
            return errc::tls_record_overflow;
        }
        if (in_.size() - pos_ < record_header_size + h.length) {
            return std::optional<record>{};
        }
        mutable_bytes payload(in_.data() + pos_ + record_header_size, h.length);
        pos_ += record_header_size + h.length;
        if (h.type == content_type::change_cipher_spec) {
            return std::optional<record>{record{h.type, payload, false}};
        }
        const bool is_protected = read_.index() != 0;
        auto opened = std::visit([&](auto& p) { return p.open(h, payload); }, read_);
        if (!opened) {
            return opened.error();
        }
        return std::optional<record>{record{opened->type, opened->payload, is_protected}};
    }

    /// Append records carrying `data` of type `type` to `out`, in fragments of at most
    /// `max_fragment` bytes. Empty data yields no record (only application data may be empty
    /// and sending nothing is equivalent).
    void write(content_type type, bytes_view data, byte_vector& out) {
        while (!data.empty()) {
            const std::size_t n = std::min(data.size(), max_fragment_);
            std::visit([&](auto& p) { p.seal(type, write_version_, data.first(n), out); }, write_);
            data = data.subspan(n);
        }
    }

    void set_read_protection(protection p) { read_ = std::move(p); }
    void set_write_protection(protection p) { write_ = std::move(p); }
    [[nodiscard]] bool read_protected() const noexcept { return read_.index() != 0; }
    [[nodiscard]] bool write_protected() const noexcept { return write_.index() != 0; }

    /// legacy_record_version of plaintext records we write (RFC 8446 §5.1: 0x0301 is allowed for
    /// the initial ClientHello, 0x0303 everywhere else).
    void set_write_version(std::uint16_t v) noexcept { write_version_ = v; }
    /// Largest plaintext fragment per outgoing record (at most 2^14).
    void set_max_fragment(std::size_t n) noexcept {
        assert(n > 0 && n <= max_plaintext_length);
        max_fragment_ = n;
    }

    /// Received bytes not yet consumed as records.
    [[nodiscard]] std::size_t buffered() const noexcept { return in_.size() - pos_; }

  private:
    void compact() {
        if (pos_ > 0) {
            in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(pos_));
            pos_ = 0;
        }
    }

    byte_vector in_;
    std::size_t pos_ = 0;
    protection read_{};
    protection write_{};
    std::uint16_t write_version_ = 0x0303;
    std::size_t max_fragment_ = max_plaintext_length;
};

/// Collects handshake-record payloads and yields complete handshake messages, whether a message
/// spans several records or a record holds several messages (RFC 8446 §5.1).
class handshake_reassembler {
  public:
    explicit handshake_reassembler(std::size_t max_message = std::size_t{256} * 1024) noexcept
        : max_message_(max_message) {}

    /// Add the payload of one handshake record. §5.1: zero-length handshake fragments are not
    /// allowed.
    status append(bytes_view fragment) {
        if (fragment.empty()) {
            return errc::tls_unexpected_message;
        }
        compact();
        buf_.insert(buf_.end(), fragment.begin(), fragment.end());
        return {};
    }

    /// The next complete message (views valid until the next call), or nothing if incomplete.
    /// A declared length over the limit is `errc::too_large` before any of the body arrives.
    result<std::optional<handshake_message>> next() {
        compact();
        const std::size_t avail = buf_.size() - pos_;
        if (avail < handshake_header_size) {
            return std::optional<handshake_message>{};
        }
        reader r(bytes_view(buf_).subspan(pos_));
        const auto type = static_cast<handshake_type>(*r.read_u8());
        const std::size_t length = *r.read_u24();
        if (length > max_message_) {
            return errc::too_large;
        }
        if (avail < handshake_header_size + length) {
            return std::optional<handshake_message>{};
        }
        const bytes_view raw(buf_.data() + pos_, handshake_header_size + length);
        pos_ += raw.size();
        return std::optional<handshake_message>{
            handshake_message{type, raw.subspan(handshake_header_size), raw}};
    }

    /// True when no partial message is buffered: RFC 8446 §5.1 requires every message before a
    /// key change to end at a record boundary.
    [[nodiscard]] bool empty() const noexcept { return buf_.size() == pos_; }

  private:
    void compact() {
        if (pos_ > 0) {
            buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
            pos_ = 0;
        }
    }

    byte_vector buf_;
    std::size_t pos_ = 0;
    std::size_t max_message_;
};

} // namespace https::tls
// ---- https/tls/tls12_key_schedule.hpp ----------------------------------------------------------
// The TLS 1.2 key schedule (RFC 5246 §6.3, §7.4.9, §8.1; RFC 7627): master secret (classic or
// extended), key block partitioned per suite, and Finished verify_data, all through the PRF.

// ---- https/crypto/tls12_prf.hpp ----------------------------------------------------------------
// The TLS 1.2 pseudorandom function (RFC 5246 §5): P_hash over HMAC-Hash.


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
// ---- https/tls/tls12_record_protection.hpp -----------------------------------------------------
// TLS 1.2 record protection (RFC 5246 §6.2.3): AES-GCM with an explicit nonce (RFC 5288),
// ChaCha20-Poly1305 with the TLS 1.3-style nonce (RFC 7905), and AES-CBC with HMAC, either
// MAC-then-encrypt with a constant-time padding-and-MAC check or encrypt-then-MAC (RFC 7366).

// ---- https/crypto/cbc.hpp ----------------------------------------------------------------------
// CBC mode (NIST SP 800-38A §6.2) over whole blocks for any block_cipher, and PKCS#7 padding
// (RFC 5652 §6.3) with a constant-time check.


#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace https::crypto {

/// CBC-encrypt whole blocks: C_i = E(P_i ^ C_i-1), C_0 = E(P_0 ^ iv). `in.size() == out.size()`,
/// a multiple of 16 (no padding is added: see pkcs7_pad); in place allowed. The next record's
/// chaining value, if wanted, is the last ciphertext block.
/// CT: time depends on the length only.
template <block_cipher BlockCipher>
void cbc_encrypt(const BlockCipher& cipher, std::span<const std::uint8_t, 16> iv, bytes_view in,
                 mutable_bytes out) noexcept {
    assert(in.size() == out.size() && in.size() % 16 == 0);
    const std::size_t blocks = in.size() / 16;
#if defined(__x86_64__) || defined(__i386__)
    if constexpr (detail::aes_based<BlockCipher>) {
        if (const std::uint8_t* keys = detail::aes_internals::ni_encryption_keys(cipher)) {
            std::array<std::uint8_t, 16> chain{};
            std::memcpy(chain.data(), iv.data(), 16);
            detail::aesni_cbc_encrypt(keys, BlockCipher::rounds, chain.data(), in.data(),
                                      out.data(), blocks);
            return;
        }
    }
#endif
    std::array<std::uint8_t, 16> x{};
    const std::uint8_t* prev = iv.data();
    for (std::size_t i = 0; i < blocks; ++i) {
        for (std::size_t j = 0; j < 16; ++j) {
            x[j] = static_cast<std::uint8_t>(in[16 * i + j] ^ prev[j]);
        }
        auto dst = out.subspan(16 * i).template first<16>();
        cipher.encrypt_block(x, dst);
        prev = dst.data();
    }
    ct::wipe(x);
}

/// CBC-decrypt whole blocks: P_i = D(C_i) ^ C_i-1, with C_-1 = iv. `in.size() == out.size()`, a
/// multiple of 16; in place allowed. Padding is left for the caller (pkcs7_unpad, or the TLS
/// 1.2 record layer's own check). Blocks are decrypted several at a time.
/// CT: time depends on the length only.
template <block_cipher BlockCipher>
void cbc_decrypt(const BlockCipher& cipher, std::span<const std::uint8_t, 16> iv, bytes_view in,
                 mutable_bytes out) noexcept {
    assert(in.size() == out.size() && in.size() % 16 == 0);
    std::size_t blocks = in.size() / 16;
    std::array<std::uint8_t, 16> prev{};
    std::memcpy(prev.data(), iv.data(), 16);
#if defined(__x86_64__) || defined(__i386__)
    if constexpr (detail::aes_based<BlockCipher>) {
        if (const std::uint8_t* keys = detail::aes_internals::ni_decryption_keys(cipher)) {
            detail::aesni_cbc_decrypt(keys, BlockCipher::rounds, prev.data(), in.data(), out.data(),
                                      blocks);
            return;
        }
    }
#endif
    // Eight blocks at a time: keep the ciphertext (it is both the chaining value and, in place,
    // about to be overwritten), decrypt the batch in parallel, then chain.
    constexpr std::size_t batch = 8;
    std::array<std::uint8_t, 16 * batch> c{};
    const std::uint8_t* src = in.data();
    std::uint8_t* dst = out.data();
    while (blocks > 0) {
        const std::size_t n = blocks < batch ? blocks : batch;
        std::memcpy(c.data(), src, 16 * n);
        cipher.decrypt_blocks(bytes_view(c.data(), 16 * n), mutable_bytes(dst, 16 * n));
        for (std::size_t j = 0; j < 16; ++j) {
            dst[j] ^= prev[j];
        }
        for (std::size_t j = 16; j < 16 * n; ++j) {
            dst[j] ^= c[j - 16];
        }
        std::memcpy(prev.data(), c.data() + 16 * (n - 1), 16);
        src += 16 * n;
        dst += 16 * n;
        blocks -= n;
    }
}

/// Append PKCS#7 padding (RFC 5652 §6.3): after the `len` data bytes at the front of `buffer`,
/// write k = BlockSize - len % BlockSize bytes of value k (1..BlockSize). Returns the padded
/// length; `buffer` must have room for it. CT: time depends on the length only.
template <std::size_t BlockSize = 16>
[[nodiscard]] std::size_t pkcs7_pad(mutable_bytes buffer, std::size_t len) noexcept {
    static_assert(BlockSize >= 1 && BlockSize <= 255);
    const std::size_t k = BlockSize - len % BlockSize;
    assert(buffer.size() >= len + k);
    std::memset(buffer.data() + len, static_cast<int>(k), k);
    return len + k;
}

/// The data length inside PKCS#7-padded `padded`, or `errc::bad_padding` when `padded` is empty,
/// not a multiple of BlockSize, or its padding is malformed.
/// CT: the time depends on padded.size() only; which byte was wrong, and the pad value when the
/// padding is bad, do not leak (a valid pad value is revealed by the returned length).
template <std::size_t BlockSize = 16>
[[nodiscard]] result<std::size_t> pkcs7_unpad(bytes_view padded) noexcept {
    static_assert(BlockSize >= 1 && BlockSize <= 255);
    if (padded.empty() || padded.size() % BlockSize != 0) {
        return errc::bad_padding; // lengths are public
    }
    using m32 = ct::mask<std::uint32_t>;
    const std::uint8_t* last = padded.data() + padded.size() - BlockSize;
    const std::uint32_t pad = last[BlockSize - 1];
    m32 bad = m32::is_zero(pad) | m32::less(static_cast<std::uint32_t>(BlockSize), pad);
    for (std::uint32_t i = 0; i < BlockSize; ++i) {
        // the i-th byte from the end must equal `pad` when i < pad
        const m32 in_pad = m32::less(i, pad);
        bad = bad | (in_pad & ~m32::equal(last[BlockSize - 1 - i], pad));
    }
    if (bad.declassify()) {
        return errc::bad_padding;
    }
    std::size_t data_len = padded.size() - pad;
    ct::unpoison(&data_len, sizeof data_len); // the length of valid data is public
    return data_len;
}

} // namespace https::crypto
// ---- https/tls/tls12_cbc_mac.hpp ---------------------------------------------------------------
// The record MAC of TLS 1.2 CBC suites (RFC 5246 §6.2.3.1) computed in constant time over a
// secret length (the Lucky Thirteen countermeasure), and the constant-time extraction of a MAC
// that sits at a secret offset.


#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>

namespace https::tls {

namespace detail {

/// Raw access to a SHA-2 compression function: what the constant-time MAC needs beyond the
/// streaming interface (the chaining state after any whole block, without final padding).
template <class Hash> struct sha2_compression;

template <> struct sha2_compression<crypto::sha256> {
    using word = std::uint32_t;
    static constexpr std::size_t block_size = 64;
    static constexpr std::size_t length_bytes = 8; // FIPS 180-4 §5.1.1: a 64-bit length
    static constexpr std::size_t digest_size = 32;
    // FIPS 180-4 §5.3.3
    static constexpr std::array<word, 8> initial = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    /// CT: no data-dependent branch or index (see sha2.hpp).
    static void compress(word* state, const std::uint8_t* p, std::size_t blocks) noexcept {
        crypto::detail::sha256_blocks(state, p, blocks);
    }
    static void store(const word* state, std::uint8_t* out) noexcept {
        for (std::size_t i = 0; i < digest_size / 4; ++i) {
            https::detail::store_be32(out + 4 * i, state[i]);
        }
    }
};

template <> struct sha2_compression<crypto::sha384> {
    using word = std::uint64_t;
    static constexpr std::size_t block_size = 128;
    static constexpr std::size_t length_bytes = 16; // FIPS 180-4 §5.1.2: a 128-bit length
    static constexpr std::size_t digest_size = 48;
    // FIPS 180-4 §5.3.4
    static constexpr std::array<word, 8> initial = {
        0xcbbb9d5dc1059ed8, 0x629a292a367cd507, 0x9159015a3070dd17, 0x152fecd8f70e5939,
        0x67332667ffc00b31, 0x8eb44a8768581511, 0xdb0c2e0d64f98fa7, 0x47b5481dbefa4fa4};
    /// CT: no data-dependent branch or index (see sha2.hpp).
    static void compress(word* state, const std::uint8_t* p, std::size_t blocks) noexcept {
        crypto::detail::sha512_blocks_portable(state, p, blocks);
    }
    static void store(const word* state, std::uint8_t* out) noexcept {
        for (std::size_t i = 0; i < digest_size / 8; ++i) {
            https::detail::store_be64(out + 8 * i, state[i]);
        }
    }
};

} // namespace detail

/// The MAC of TLS 1.2 CBC records, HMAC-`Hash` under one direction's MAC key, over
/// seq_num(8) || type(1) || version(2) || length(2) || data (RFC 5246 §6.2.3.1).
template <class Hash> class tls12_record_mac {
    using comp = detail::sha2_compression<Hash>;
    using word = typename comp::word;
    static constexpr std::size_t bs = comp::block_size;

  public:
    static constexpr std::size_t size = comp::digest_size;
    /// The MAC'd header before the data: seq_num, type, version, length.
    static constexpr std::size_t header_size = 13;

    /// CT: the key is secret; its length (the suite's) is public.
    explicit tls12_record_mac(bytes_view key) : hmac_(key) {
        assert(key.size() <= bs);
        std::array<std::uint8_t, bs> block{};
        std::copy(key.begin(), key.end(), block.begin());
        for (auto& b : block) {
            b ^= 0x36; // RFC 2104 ipad
        }
        inner_ = comp::initial;
        comp::compress(inner_.data(), block.data(), 1);
        for (auto& b : block) {
            b ^= 0x36 ^ 0x5c; // ipad -> opad
        }
        outer_ = comp::initial;
        comp::compress(outer_.data(), block.data(), 1);
        ct::wipe(block);
    }
    tls12_record_mac(const tls12_record_mac&) = default;
    tls12_record_mac& operator=(const tls12_record_mac&) = default;
    tls12_record_mac(tls12_record_mac&&) noexcept = default;
    tls12_record_mac& operator=(tls12_record_mac&&) noexcept = default;
    ~tls12_record_mac() {
        ct::wipe(inner_);
        ct::wipe(outer_);
    }

    /// The MAC over data whose length is public (what we send; encrypt-then-MAC records).
    /// CT: lengths only.
    void mac(std::span<const std::uint8_t, header_size> header, bytes_view data,
             std::span<std::uint8_t, size> out) const {
        crypto::hmac<Hash> h = hmac_;
        h.update(header);
        h.update(data);
        h.finish(out);
    }

    /// The MAC over `prefix` (seq_num, type, version), the two-byte big-endian `len`, and the
    /// first `len` bytes of `data`, where `len` is secret with min_len <= len <= data.size()
    /// (both bounds public). Lucky Thirteen (AlFardan and Paterson, 2013): the compression
    /// function runs the same number of times for every `len`, each block that may hold the end
    /// of the message is assembled with masks, and the chaining state after the block holding
    /// the length field is kept by a masked copy, never by a branch.
    /// CT: time and memory addresses depend on data.size() and min_len only.
    void mac_secret_length(std::span<const std::uint8_t, 11> prefix, bytes_view data,
                           std::size_t min_len, std::size_t len,
                           std::span<std::uint8_t, size> out) const {
        using m = ct::mask<word>;
        using m8 = ct::mask<std::uint32_t>;
        constexpr std::size_t lf = comp::length_bytes;
        assert(min_len <= data.size());

        // The message after the ipad block: prefix || len (2 bytes) || data[0..len).
        // Byte p of the longest possible message, as a public function of p (len masked below).
        std::array<std::uint8_t, 2> len_bytes = {static_cast<std::uint8_t>(len >> 8),
                                                 static_cast<std::uint8_t>(len)};
        auto byte_at = [&](std::size_t p) -> std::uint8_t {
            if (p < 11) {
                return prefix[p];
            }
            if (p < header_size) {
                return len_bytes[p - 11];
            }
            return p - header_size < data.size() ? data[p - header_size] : std::uint8_t{0};
        };

        const std::size_t total = header_size + len; // secret
        const std::size_t min_total = header_size + min_len;
        const std::size_t max_total = header_size + data.size();
        // The block holding the length field: the message, one 0x80 byte and the length end in
        // it (FIPS 180-4 §5.1). `final_block` is secret, the range it lies in is public.
        const std::size_t final_block = (total + lf) / bs;
        const std::size_t first_ct = min_total / bs;
        const std::size_t last_ct = (max_total + lf) / bs;
        // Bit length hashed by the inner hash: ipad block + message (< 2^32 for a record).
        const std::uint64_t bit_length = static_cast<std::uint64_t>(bs + total) * 8;

        std::array<word, 8> state = inner_;
        std::array<word, 8> kept{};
        std::array<std::uint8_t, bs> block{};

        // Blocks entirely before the shortest possible end: ordinary message bytes for every
        // len. (The header's length bytes are secret, but sit at public positions.)
        for (std::size_t i = 0; i < first_ct; ++i) {
            for (std::size_t j = 0; j < bs; ++j) {
                block[j] = byte_at(i * bs + j);
            }
            comp::compress(state.data(), block.data(), 1);
        }
        for (std::size_t i = first_ct; i <= last_ct; ++i) {
            const m8 is_final8 =
                m8::equal(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(final_block));
            for (std::size_t j = 0; j < bs; ++j) {
                const std::size_t p = i * bs + j;
                const auto pp = static_cast<std::uint32_t>(p);
                const auto tt = static_cast<std::uint32_t>(total);
                const m8 in_message = m8::less(pp, tt);
                const m8 is_end = m8::equal(pp, tt);
                std::uint32_t b = in_message.if_set(byte_at(p)) | is_end.if_set(0x80u);
                const std::size_t from_end = bs - 1 - j; // byte index within the length field
                if (from_end < lf) {
                    const std::uint32_t lb =
                        from_end < 8
                            ? static_cast<std::uint32_t>((bit_length >> (8 * from_end)) & 0xff)
                            : 0u;
                    b |= is_final8.if_set(lb);
                }
                block[j] = static_cast<std::uint8_t>(b);
            }
            comp::compress(state.data(), block.data(), 1);
            const m is_final = m::equal(static_cast<word>(i), static_cast<word>(final_block));
            for (std::size_t k = 0; k < 8; ++k) {
                kept[k] = is_final.select(state[k], kept[k]);
            }
        }

        // Outer hash over the inner digest: one block, all lengths public.
        std::array<std::uint8_t, bs> outer_block{};
        comp::store(kept.data(), outer_block.data());
        outer_block[size] = 0x80;
        const std::uint64_t outer_bits = static_cast<std::uint64_t>(bs + size) * 8;
        https::detail::store_be64(outer_block.data() + bs - 8, outer_bits);
        std::array<word, 8> o = outer_;
        comp::compress(o.data(), outer_block.data(), 1);
        comp::store(o.data(), out.data());

        ct::wipe(state);
        ct::wipe(kept);
        ct::wipe(block);
        ct::wipe(outer_block);
        ct::wipe(o);
        ct::wipe(len_bytes);
    }

  private:
    crypto::hmac<Hash> hmac_;
    std::array<word, 8> inner_{}; // state after K ^ ipad
    std::array<word, 8> outer_{}; // state after K ^ opad
};

/// Copy the `out.size()` bytes at secret `offset` of `window` into `out`, where
/// offset + out.size() <= window.size() and offset < 256: a barrel shift of the window by the
/// bits of `offset`, each stage a masked select over the whole window.
/// CT: time and addresses depend on window.size() and out.size() only.
inline void ct_extract_at(bytes_view window, std::size_t offset, mutable_bytes out,
                          mutable_bytes scratch) {
    assert(scratch.size() >= window.size() && out.size() <= window.size());
    std::copy(window.begin(), window.end(), scratch.begin());
    const std::size_t n = window.size();
    for (unsigned bit = 0; bit < 8; ++bit) {
        const std::size_t step = std::size_t{1} << bit;
        const auto take =
            ct::mask<std::uint32_t>::from_bit(static_cast<std::uint32_t>((offset >> bit) & 1u));
        // Ascending order reads scratch[i + step] before it is overwritten.
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint32_t shifted = i + step < n ? scratch[i + step] : 0u;
            scratch[i] = static_cast<std::uint8_t>(take.select(shifted, scratch[i]));
        }
    }
    std::copy(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(out.size()),
              out.begin());
    ct::wipe(scratch.data(), n);
}

} // namespace https::tls

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>

namespace https::tls {

/// RFC 5246 §6.2.3: TLSCiphertext.length MUST NOT exceed 2^14 + 2048.
inline constexpr std::size_t max_tls12_ciphertext_length = max_plaintext_length + 2048;

namespace detail {

/// The additional data of TLS 1.2 AEAD records and the MAC'd header of CBC records
/// (RFC 5246 §6.2.3.1, §6.2.3.3): seq_num || type || version || length.
inline std::array<std::uint8_t, 13> tls12_record_ad(std::uint64_t seq, content_type type,
                                                    std::uint16_t version, std::size_t length) {
    std::array<std::uint8_t, 13> ad{};
    https::detail::store_be64(ad.data(), seq);
    ad[8] = static_cast<std::uint8_t>(type);
    ad[9] = static_cast<std::uint8_t>(version >> 8);
    ad[10] = static_cast<std::uint8_t>(version);
    ad[11] = static_cast<std::uint8_t>(length >> 8);
    ad[12] = static_cast<std::uint8_t>(length);
    return ad;
}

/// Content types a TLS 1.2 record may carry once protected.
inline bool tls12_known_type(content_type t) noexcept {
    return t == content_type::alert || t == content_type::handshake ||
           t == content_type::application_data || t == content_type::change_cipher_spec;
}

} // namespace detail

/// How a TLS 1.2 AEAD suite forms its per-record nonce.
enum class tls12_nonce_kind : std::uint8_t {
    /// RFC 5288 §3: 4-byte salt from the key block || 8-byte nonce_explicit sent in each record
    /// (we send the sequence number, which never repeats under one key).
    explicit_gcm,
    /// RFC 7905 §2: the 12-byte IV from the key block XOR the left-padded sequence number;
    /// nothing is sent.
    xor_sequence,
};

/// TLS 1.2 AEAD record protection with AEAD `A` (RFC 5246 §6.2.3.3).
template <crypto::aead A, tls12_nonce_kind Nonce> class tls12_aead_protection {
  public:
    static_assert(A::nonce_size == 12 && A::tag_size == 16);
    static constexpr std::size_t max_record_length = max_tls12_ciphertext_length;
    static constexpr std::size_t fixed_iv_length = Nonce == tls12_nonce_kind::explicit_gcm ? 4 : 12;
    static constexpr std::size_t explicit_nonce_length =
        Nonce == tls12_nonce_kind::explicit_gcm ? 8 : 0;

    /// CT: key and IV are secret; lengths only.
    tls12_aead_protection(std::span<const std::uint8_t, A::key_size> key,
                          std::span<const std::uint8_t, fixed_iv_length> iv)
        : aead_(key) {
        std::memcpy(iv_.data(), iv.data(), fixed_iv_length);
    }

    /// Appends one record carrying `fragment` of type `type`.
    /// CT: plaintext and key are secret; the length and type are public.
    void seal(content_type type, std::uint16_t version, bytes_view fragment, byte_vector& out) {
        assert(fragment.size() <= max_plaintext_length);
        assert(seq_ != std::numeric_limits<std::uint64_t>::max());
        const std::size_t length = explicit_nonce_length + fragment.size() + A::tag_size;
        detail::put_record_header(out, type, version, length);
        const std::array<std::uint8_t, 12> nonce = make_nonce(seq_);
        if constexpr (Nonce == tls12_nonce_kind::explicit_gcm) {
            out.insert(out.end(), nonce.begin() + 4, nonce.end()); // nonce_explicit
        }
        const std::size_t body = out.size();
        out.insert(out.end(), fragment.begin(), fragment.end());
        out.resize(out.size() + A::tag_size);
        const auto ad = detail::tls12_record_ad(seq_, type, version, fragment.size());
        const mutable_bytes sealed(out.data() + body, fragment.size() + A::tag_size);
        const status s = aead_.seal(nonce, ad, sealed.first(fragment.size()), sealed);
        assert(s.ok());
        (void)s;
        ++seq_;
    }

    /// Decrypts `payload` in place. A record too short for nonce and tag, or whose tag does not
    /// verify, is bad_record_mac; a plaintext over 2^14 is record_overflow (RFC 5246 §6.2.3).
    /// CT: the tag check is constant time; lengths are public.
    result<opened_record> open(const record_header& h, mutable_bytes payload) {
        if (payload.size() > max_record_length) {
            return errc::tls_record_overflow;
        }
        if (payload.size() < explicit_nonce_length + A::tag_size) {
            return errc::tls_bad_record_mac;
        }
        if (seq_ == std::numeric_limits<std::uint64_t>::max()) {
            return errc::tls_internal_error; // §6.1: sequence numbers must not wrap
        }
        std::array<std::uint8_t, 12> nonce = make_nonce(seq_);
        if constexpr (Nonce == tls12_nonce_kind::explicit_gcm) {
            std::memcpy(nonce.data() + 4, payload.data(), 8);
        }
        const mutable_bytes sealed = payload.subspan(explicit_nonce_length);
        const std::size_t plain_length = sealed.size() - A::tag_size;
        const auto ad = detail::tls12_record_ad(seq_, h.type, h.legacy_version, plain_length);
        const mutable_bytes plain = sealed.first(plain_length);
        if (!aead_.open(nonce, ad, sealed, plain)) {
            return errc::tls_bad_record_mac;
        }
        ++seq_;
        if (plain_length > max_plaintext_length) {
            return errc::tls_record_overflow;
        }
        return opened_record{h.type, plain};
    }

    [[nodiscard]] std::uint64_t sequence_number() const noexcept { return seq_; }

  private:
    /// GCM: salt || seq (the explicit part, as sent); ChaCha20: iv XOR seq.
    std::array<std::uint8_t, 12> make_nonce(std::uint64_t seq) const noexcept {
        if constexpr (Nonce == tls12_nonce_kind::explicit_gcm) {
            std::array<std::uint8_t, 12> nonce{};
            std::memcpy(nonce.data(), iv_.data(), 4);
            https::detail::store_be64(nonce.data() + 4, seq);
            return nonce;
        } else {
            return detail::xor_sequence_nonce(iv_.span(), seq);
        }
    }

    A aead_;
    ct::secret_array<12> iv_; // wiped on destruction
    std::uint64_t seq_ = 0;
};

/// TLS 1.2 block-cipher record protection: AES-CBC with HMAC-`Hash` (RFC 5246 §6.2.3.2), each
/// record carrying its own IV. MAC-then-encrypt by default; encrypt-then-MAC (RFC 7366) when
/// negotiated.
template <class Cipher, class Hash> class tls12_cbc_protection {
    using mac_type = tls12_record_mac<Hash>;

  public:
    static constexpr std::size_t max_record_length = max_tls12_ciphertext_length;
    static constexpr std::size_t block_size = 16;
    static constexpr std::size_t mac_size = mac_type::size;

    /// `iv_key` keys the generator of this direction's record IVs (only used for sealing):
    /// IV_i = E_iv_key(i), unpredictable to anyone without the key as RFC 5246 §6.2.3.2 requires,
    /// and never failing once the connection runs. Draw it from the CSPRNG.
    /// CT: keys are secret; lengths only.
    tls12_cbc_protection(std::span<const std::uint8_t, Cipher::key_size> key, bytes_view mac_key,
                         std::span<const std::uint8_t, Cipher::key_size> iv_key,
                         bool encrypt_then_mac)
        : cipher_(key), iv_cipher_(iv_key), mac_(mac_key), etm_(encrypt_then_mac) {
        assert(mac_key.size() == mac_size);
    }

    /// Appends one record: IV || E(fragment || MAC || padding) for MAC-then-encrypt,
    /// IV || E(fragment || padding) || MAC for encrypt-then-MAC.
    /// CT: plaintext and keys are secret; the length and type are public.
    void seal(content_type type, std::uint16_t version, bytes_view fragment, byte_vector& out) {
        assert(fragment.size() <= max_plaintext_length);
        assert(seq_ != std::numeric_limits<std::uint64_t>::max());
        const std::size_t inner = etm_ ? fragment.size() : fragment.size() + mac_size;
        // §6.2.3.2: padding_length bytes of value padding_length plus the length byte itself
        // make the whole a multiple of the block; we use the shortest.
        const std::size_t pad = block_size - 1 - inner % block_size;
        const std::size_t encrypted = inner + pad + 1;
        const std::size_t length = block_size + encrypted + (etm_ ? mac_size : 0);
        detail::put_record_header(out, type, version, length);
        const std::size_t iv_pos = out.size();
        out.resize(out.size() + length);
        std::uint8_t* iv = out.data() + iv_pos;
        std::uint8_t* body = iv + block_size;

        std::array<std::uint8_t, 16> counter{};
        https::detail::store_be64(counter.data() + 8, seq_);
        iv_cipher_.encrypt_block(counter, std::span<std::uint8_t, 16>(iv, 16));

        std::copy(fragment.begin(), fragment.end(), body);
        if (!etm_) {
            const auto hdr = detail::tls12_record_ad(seq_, type, version, fragment.size());
            mac_.mac(hdr, fragment,
                     std::span<std::uint8_t, mac_size>(body + fragment.size(), mac_size));
        }
        std::memset(body + inner, static_cast<int>(pad), pad + 1);
        crypto::cbc_encrypt(cipher_, std::span<const std::uint8_t, 16>(iv, 16),
                            bytes_view(body, encrypted), mutable_bytes(body, encrypted));
        if (etm_) {
            // RFC 7366 §3: MAC(MAC_write_key, seq_num + type + version + length + IV +
            // ciphertext), length being that of IV + ciphertext.
            const auto hdr = detail::tls12_record_ad(seq_, type, version, block_size + encrypted);
            mac_.mac(hdr, bytes_view(iv, block_size + encrypted),
                     std::span<std::uint8_t, mac_size>(body + encrypted, mac_size));
        }
        ++seq_;
    }

    /// Decrypts and checks `payload` in place; every failure (bad length, padding or MAC) is
    /// the one error bad_record_mac (RFC 5246 §7.2.2), so they cannot be told apart.
    /// CT (MAC-then-encrypt): the padding check, the MAC computation (Lucky Thirteen) and the
    /// MAC comparison depend on the ciphertext length only; the content length is revealed once
    /// the record is authenticated. Encrypt-then-MAC authenticates before decrypting.
    result<opened_record> open(const record_header& h, mutable_bytes payload) {
        if (payload.size() > max_record_length) {
            return errc::tls_record_overflow;
        }
        if (seq_ == std::numeric_limits<std::uint64_t>::max()) {
            return errc::tls_internal_error;
        }
        auto opened = etm_ ? open_etm(h, payload) : open_mte(h, payload);
        if (!opened) {
            return opened;
        }
        ++seq_;
        if (opened->payload.size() > max_plaintext_length) {
            return errc::tls_record_overflow;
        }
        return opened;
    }

    [[nodiscard]] std::uint64_t sequence_number() const noexcept { return seq_; }

  private:
    /// MAC-then-encrypt: payload = IV || E(content || MAC || padding || padding_length).
    /// CT: see open().
    result<opened_record> open_mte(const record_header& h, mutable_bytes payload) {
        // The smallest valid ciphertext holds the MAC and the padding_length byte.
        constexpr std::size_t min_encrypted =
            (mac_size + 1 + block_size - 1) / block_size * block_size;
        if (payload.size() < block_size + min_encrypted ||
            (payload.size() - block_size) % block_size != 0) {
            return errc::tls_bad_record_mac; // lengths are public
        }
        const std::size_t n = payload.size() - block_size;
        const mutable_bytes plain = payload.subspan(block_size);
        crypto::cbc_decrypt(cipher_, std::span<const std::uint8_t, 16>(payload.data(), block_size),
                            plain, plain);

        using m32 = ct::mask<std::uint32_t>;
        const auto nn = static_cast<std::uint32_t>(n);
        const std::uint32_t pad = plain[n - 1];
        // The padding, its length byte and the MAC must fit: pad + 1 + mac_size <= n.
        const m32 fits = ~m32::less(nn, pad + 1 + static_cast<std::uint32_t>(mac_size));
        // Every padding byte equals pad. The loop covers the longest padding (256 bytes) or the
        // whole plaintext, whichever is shorter: a public bound.
        std::uint32_t bad_bytes = 0;
        const std::size_t scan = std::min<std::size_t>(256, n);
        for (std::size_t i = 1; i < scan; ++i) {
            const m32 in_padding = m32::less(static_cast<std::uint32_t>(i), pad + 1);
            bad_bytes |= in_padding.if_set(static_cast<std::uint32_t>(plain[n - 1 - i]) ^ pad);
        }
        const m32 good_padding = fits & m32::is_zero(bad_bytes);
        // With bad padding, go on as if there were none (pad = 0): the same work is done.
        const std::uint32_t used_pad = good_padding.if_set(pad);
        const std::size_t len = n - mac_size - 1 - used_pad; // secret
        const std::size_t max_len = n - mac_size - 1;
        const std::size_t min_len = max_len > 255 ? max_len - 255 : 0;

        std::array<std::uint8_t, mac_size> expected{};
        const auto prefix = detail::tls12_record_ad(seq_, h.type, h.legacy_version, 0);
        mac_.mac_secret_length(std::span<const std::uint8_t, 11>(prefix.data(), 11),
                               plain.first(max_len), min_len, len, expected);

        // The received MAC starts at `len`, somewhere in [min_len, max_len].
        std::array<std::uint8_t, mac_size> received{};
        std::array<std::uint8_t, mac_size + 256> scratch{};
        const std::size_t window = max_len + mac_size - min_len;
        ct_extract_at(bytes_view(plain.data() + min_len, window), len - min_len, received,
                      mutable_bytes(scratch.data(), window));

        std::uint32_t diff = 0;
        for (std::size_t i = 0; i < mac_size; ++i) {
            diff |= static_cast<std::uint32_t>(expected[i] ^ received[i]);
        }
        const bool good = (good_padding & m32::is_zero(diff)).declassify();
        ct::wipe(expected);
        ct::wipe(received);
        if (!good) {
            return errc::tls_bad_record_mac;
        }
        std::size_t content_length = len;
        ct::unpoison(&content_length, sizeof content_length); // authenticated: now public
        return opened_record{h.type, plain.first(content_length)};
    }

    /// Encrypt-then-MAC (RFC 7366 §3): payload = IV || E(content || padding) || MAC, the MAC
    /// checked over public data before anything is decrypted.
    /// CT: the MAC comparison is constant time; after it everything is authenticated.
    result<opened_record> open_etm(const record_header& h, mutable_bytes payload) {
        if (payload.size() < 2 * block_size + mac_size ||
            (payload.size() - mac_size) % block_size != 0) {
            return errc::tls_bad_record_mac;
        }
        const std::size_t authenticated = payload.size() - mac_size;
        const auto hdr = detail::tls12_record_ad(seq_, h.type, h.legacy_version, authenticated);
        std::array<std::uint8_t, mac_size> expected{};
        mac_.mac(hdr, payload.first(authenticated), expected);
        const bool mac_ok = ct::equal(expected, payload.subspan(authenticated));
        ct::wipe(expected);
        if (!mac_ok) {
            return errc::tls_bad_record_mac;
        }
        const std::size_t n = authenticated - block_size;
        const mutable_bytes plain = payload.subspan(block_size, n);
        crypto::cbc_decrypt(cipher_, std::span<const std::uint8_t, 16>(payload.data(), block_size),
                            plain, plain);
        // Authenticated already, so the padding is checked plainly (RFC 7366 §3.2: a bad one is
        // still bad_record_mac).
        const std::size_t pad = plain[n - 1];
        if (pad + 1 > n) {
            return errc::tls_bad_record_mac;
        }
        for (std::size_t i = 1; i <= pad; ++i) {
            if (plain[n - 1 - i] != pad) {
                return errc::tls_bad_record_mac;
            }
        }
        return opened_record{h.type, plain.first(n - pad - 1)};
    }

    Cipher cipher_;
    Cipher iv_cipher_;
    mac_type mac_;
    bool etm_;
    std::uint64_t seq_ = 0;
};

/// The TLS 1.2 protections the client record layer can hold.
using tls12_aes128_gcm_protection =
    tls12_aead_protection<crypto::aes128_gcm, tls12_nonce_kind::explicit_gcm>;
using tls12_aes256_gcm_protection =
    tls12_aead_protection<crypto::aes256_gcm, tls12_nonce_kind::explicit_gcm>;
using tls12_chacha20_poly1305_protection =
    tls12_aead_protection<crypto::chacha20_poly1305, tls12_nonce_kind::xor_sequence>;
using tls12_aes128_cbc_sha256_protection = tls12_cbc_protection<crypto::aes128, crypto::sha256>;
using tls12_aes256_cbc_sha256_protection = tls12_cbc_protection<crypto::aes256, crypto::sha256>;
using tls12_aes256_cbc_sha384_protection = tls12_cbc_protection<crypto::aes256, crypto::sha384>;

} // namespace https::tls

#include <cstdint>
#include <span>
#include <type_traits>

namespace https::tls {

/// The record layer of a client: plaintext, one of the TLS 1.3 AEADs, or a TLS 1.2 protection.
using record_layer =
    basic_record_layer<tls13_aead_protection<crypto::aes128_gcm>,
                       tls13_aead_protection<crypto::aes256_gcm>,
                       tls13_aead_protection<crypto::chacha20_poly1305>,
                       tls12_aes128_gcm_protection, tls12_aes256_gcm_protection,
                       tls12_chacha20_poly1305_protection, tls12_aes128_cbc_sha256_protection,
                       tls12_aes256_cbc_sha256_protection, tls12_aes256_cbc_sha384_protection>;

/// The TLS 1.3 record protection of `suite` for one traffic secret (RFC 8446 §7.3).
/// Exhaustive switches choose it, once per key change (a new cipher is a -Wswitch warning); a
/// value outside the enumeration, or a TLS 1.2-only cipher, is `errc::tls_internal_error`, never
/// a plaintext or default protection.
/// CT: the traffic secret and derived keys are secret; lengths only.
inline result<record_layer::protection> make_tls13_protection(const cipher_suite_info& suite,
                                                              const secret& traffic) {
    const auto make = [&]<class Aead>(std::type_identity<Aead>) {
        const traffic_keys k = derive_traffic_keys(suite.prf_hash, traffic, Aead::key_size);
        return result<record_layer::protection>(
            record_layer::protection(tls13_aead_protection<Aead>(
                std::span<const std::uint8_t, Aead::key_size>(k.key.data(), Aead::key_size),
                k.iv.span())));
    };
    switch (suite.cipher) {
    case record_cipher::aes_128_gcm:
        return make(std::type_identity<crypto::aes128_gcm>{});
    case record_cipher::aes_256_gcm:
        return make(std::type_identity<crypto::aes256_gcm>{});
    case record_cipher::chacha20_poly1305:
        return make(std::type_identity<crypto::chacha20_poly1305>{});
    case record_cipher::aes_128_cbc: // TLS 1.2 only
    case record_cipher::aes_256_cbc:
        break;
    }
    return errc::tls_internal_error;
}

/// The TLS 1.2 protection of one direction from the key block (RFC 5246 §6.3). `iv_key` keys the
/// CBC record IV generator of a direction we write (see tls12_cbc_protection). Fails closed as
/// `make_tls13_protection` does.
/// CT: keys are secret; lengths only.
inline result<record_layer::protection>
make_tls12_protection(const cipher_suite_info& suite, const tls12_key_block& kb, bool client_write,
                      bool encrypt_then_mac, std::span<const std::uint8_t, 32> iv_key) {
    using p = record_layer::protection;
    const bytes_view key = client_write ? kb.client_write_key() : kb.server_write_key();
    const bytes_view iv = client_write ? kb.client_write_iv() : kb.server_write_iv();
    const bytes_view mac = client_write ? kb.client_mac_key() : kb.server_mac_key();
    auto k16 = [&] { return std::span<const std::uint8_t, 16>(key.data(), 16); };
    auto k32 = [&] { return std::span<const std::uint8_t, 32>(key.data(), 32); };
    switch (suite.cipher) {
    case record_cipher::aes_128_gcm:
        return p(tls12_aes128_gcm_protection(k16(), std::span<const std::uint8_t, 4>(iv.data(), 4)));
    case record_cipher::aes_256_gcm:
        return p(tls12_aes256_gcm_protection(k32(), std::span<const std::uint8_t, 4>(iv.data(), 4)));
    case record_cipher::chacha20_poly1305:
        return p(tls12_chacha20_poly1305_protection(
            k32(), std::span<const std::uint8_t, 12>(iv.data(), 12)));
    case record_cipher::aes_128_cbc:
        return p(
            tls12_aes128_cbc_sha256_protection(k16(), mac, iv_key.first<16>(), encrypt_then_mac));
    case record_cipher::aes_256_cbc:
        switch (suite.prf_hash) {
        case hash_algorithm::sha256:
            return p(tls12_aes256_cbc_sha256_protection(k32(), mac, iv_key, encrypt_then_mac));
        case hash_algorithm::sha384:
            return p(tls12_aes256_cbc_sha384_protection(k32(), mac, iv_key, encrypt_then_mac));
        }
        break;
    }
    return errc::tls_internal_error;
}

} // namespace https::tls
// ---- https/tls/transcript.hpp ------------------------------------------------------------------
// The running handshake transcript hash (RFC 8446 §4.4.1), buffered until the server's choice of
// suite fixes the hash, with the HelloRetryRequest rewrite to message_hash.


#include <cassert>
#include <variant>

namespace https::tls {

/// Transcript-Hash over the handshake messages added so far. Before `select` the messages are
/// kept verbatim (the ClientHello is sent before the hash is known); afterwards they are hashed
/// as they come. Handshake messages are public, so nothing here is secret.
class transcript_hash {
  public:
    void update(bytes_view message) {
        std::visit(
            [&](auto& h) {
                if constexpr (std::is_same_v<std::decay_t<decltype(h)>, std::monostate>) {
                    pending_.insert(pending_.end(), message.begin(), message.end());
                } else {
                    h.update(message);
                }
            },
            hash_);
    }

    /// Fix the hash (once) and absorb the buffered messages.
    void select(hash_algorithm h) {
        if (selected()) {
            assert(algorithm_ == h);
            return;
        }
        algorithm_ = h;
        if (h == hash_algorithm::sha256) {
            hash_.emplace<crypto::sha256>();
        } else {
            hash_.emplace<crypto::sha384>();
        }
        byte_vector pending = std::move(pending_);
        pending_.clear();
        update(pending);
    }

    [[nodiscard]] bool selected() const noexcept { return hash_.index() != 0; }
    [[nodiscard]] hash_algorithm algorithm() const noexcept { return algorithm_; }

    /// Transcript-Hash of the messages so far (the running state is not disturbed).
    [[nodiscard]] hash_value current() const {
        assert(selected());
        return std::visit(
            [](const auto& h) -> hash_value {
                using H = std::decay_t<decltype(h)>;
                if constexpr (std::is_same_v<H, std::monostate>) {
                    return {};
                } else {
                    H copy = h;
                    crypto::digest<H> d;
                    copy.finish(d);
                    return detail::to_hash_value<H>(d);
                }
            },
            hash_);
    }

    /// RFC 8446 §4.4.1: on HelloRetryRequest, ClientHello1 (all that is in the transcript so far)
    /// is replaced by message_hash || 00 00 Hash.length || Hash(ClientHello1).
    status replace_with_message_hash() {
        auto message_hash = encode_message_hash(current().view());
        if (!message_hash) {
            return message_hash.error(); // the transcript is left as it was
        }
        std::visit(
            [](auto& h) {
                if constexpr (!std::is_same_v<std::decay_t<decltype(h)>, std::monostate>) {
                    h.reset();
                }
            },
            hash_);
        update(*message_hash);
        return {};
    }

  private:
    std::variant<std::monostate, crypto::sha256, crypto::sha384> hash_;
    hash_algorithm algorithm_ = hash_algorithm::sha256;
    byte_vector pending_;
};

} // namespace https::tls

#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

// ---- https/tls/detail/macro_scope.hpp ----------------------------------------------------------
// Local macros of the TLS headers; include after all other headers, pair with macro_unscope.hpp.
// (No include guard on purpose: every TLS header re-enters this scope after its own includes.)

#define HTTPS_TLS_CONCAT_INNER(a, b) a##b
#define HTTPS_TLS_CONCAT(a, b) HTTPS_TLS_CONCAT_INNER(a, b)

/// `HTTPS_TLS_ASSIGN(auto v, r.read_u16());` evaluates a result-returning expression, returns its
/// error from the enclosing function on failure, and otherwise binds the value to `lhs`.
/// (`lhs` is a declaration such as `auto v`, so it cannot be parenthesised.)
// NOLINTBEGIN(bugprone-macro-parentheses)
#define HTTPS_TLS_ASSIGN(lhs, expr)                                                                \
    auto HTTPS_TLS_CONCAT(https_tls_r_, __LINE__) = (expr);                                        \
    if (!HTTPS_TLS_CONCAT(https_tls_r_, __LINE__).ok()) {                                          \
        return HTTPS_TLS_CONCAT(https_tls_r_, __LINE__).error();                                   \
    }                                                                                              \
    lhs = std::move(HTTPS_TLS_CONCAT(https_tls_r_, __LINE__)).value()
// NOLINTEND(bugprone-macro-parentheses)

namespace https::tls {

/// What a handshake works with while it handles one message: the engine's configuration, our
/// offer, the record layer (the handshake installs new protections in it), the handshake bytes
/// received after the message, the output queue, where the rule a refused server broke is
/// recorded, and whether we closed our side.
struct handshake_context {
    const client_config& config;
    client_offer& offer;
    record_layer& records;
    const handshake_reassembler& incoming;
    byte_vector& output;
    refusal& why;
    bool closed = false; ///< we sent close_notify: no more records of ours

    /// Record why we refuse the server; the error (and alert) is the one the refusal names.
    errc refuse(refusal r) noexcept {
        why = r;
        return error_of(r);
    }
};

/// What both handshakes learn about the server, and the steps they share.
class handshake_base {
  public:
    [[nodiscard]] const cipher_suite_info* suite() const noexcept { return suite_; }
    [[nodiscard]] std::optional<named_group> group() const noexcept { return group_; }
    /// The scheme the server signed the handshake with, once verified.
    [[nodiscard]] std::optional<signature_scheme> peer_scheme() const noexcept {
        return peer_scheme_;
    }
    [[nodiscard]] const std::string& alpn() const noexcept { return alpn_; }
    /// The server's certificate chain (DER, leaf first), once the verifier accepted it.
    [[nodiscard]] const std::vector<byte_vector>& peer_chain() const noexcept {
        return peer_chain_;
    }
    /// The OCSP response the server stapled for its leaf (DER), empty if none came.
    [[nodiscard]] const byte_vector& ocsp_staple() const noexcept { return ocsp_staple_; }

  protected:
    /// The refusal of an error from signature verification: `invalid` for a signature that does
    /// not verify, `signature_key_mismatch` for a key that does not fit the scheme, any other
    /// error as it is.
    static errc signature_refusal(handshake_context& ctx, errc e, refusal invalid) {
        if (e == errc::bad_signature) {
            return ctx.refuse(invalid);
        }
        return e == errc::tls_illegal_parameter ? ctx.refuse(refusal::signature_key_mismatch) : e;
    }

    /// Queue a handshake message of ours and add it to the transcript.
    void send(handshake_context& ctx, bytes_view message) {
        transcript_.update(message);
        ctx.records.write(content_type::handshake, message, ctx.output);
    }

    /// The server's chain checked by the configured verifier (failing closed without one) with
    /// the stapled OCSP response, if any; then the leaf's key, which must suit `kx` (RFC 8446
    /// §4.4.2.2, RFC 5246 §7.4.2). The chain is kept once accepted, the staple once received.
    status check_certificate(handshake_context& ctx, std::vector<byte_vector> chain,
                             std::optional<bytes_view> staple, key_exchange_kind kx) {
        if (staple) {
            ocsp_staple_.assign(staple->begin(), staple->end());
            staple = bytes_view(ocsp_staple_);
        }
        if (!ctx.config.verify_certificate) {
            return errc::trust_store_unavailable;
        }
        const std::vector<bytes_view> views(chain.begin(), chain.end());
        HTTPS_TRY(ctx.config.verify_certificate(views, ctx.config.server_name, staple));
        auto key = leaf_key(views.front(), kx);
        if (!key) {
            return key.error() == errc::tls_illegal_parameter
                       ? ctx.refuse(refusal::certificate_key_wrong_for_suite)
                       : key.error();
        }
        peer_key_ = std::move(*key);
        peer_chain_ = std::move(chain);
        return {};
    }

    /// The answers to our offer that both versions receive (TLS 1.3 in EncryptedExtensions,
    /// TLS 1.2 in the ServerHello): server_name (RFC 6066 §3: empty), the ALPN protocol (RFC 7301
    /// §3.2: one we offered) and record_size_limit (RFC 8449 §4: at least 64; it counts the
    /// content type byte in TLS 1.3). Nothing for any other extension.
    std::optional<status> acknowledge(handshake_context& ctx, const extension& e,
                                      protocol_version v) {
        const client_hello& offer = ctx.offer.hello();
        const auto type = static_cast<extension_type>(e.type);
        switch (type) {
        case extension_type::server_name:
        case extension_type::application_layer_protocol_negotiation:
        case extension_type::record_size_limit:
            if (!offers_extension(offer, type)) {
                return ctx.refuse(refusal::extension_not_offered);
            }
            break;
        default:
            return std::nullopt;
        }
        switch (type) {
        case extension_type::server_name:
            if (!e.data.empty()) {
                return ctx.refuse(refusal::server_name_acknowledgement_not_empty);
            }
            return status{};
        case extension_type::application_layer_protocol_negotiation: {
            auto name = parse_alpn_selection(e.data);
            if (!name) {
                return ctx.refuse(refusal::malformed_extension);
            }
            std::string chosen(name->begin(), name->end());
            if (std::find(offer.alpn.begin(), offer.alpn.end(), chosen) == offer.alpn.end()) {
                return ctx.refuse(refusal::alpn_protocol_not_offered);
            }
            alpn_ = std::move(chosen);
            return status{};
        }
        case extension_type::record_size_limit: {
            auto limit = parse_record_size_limit(e.data);
            if (!limit) {
                return ctx.refuse(limit.error() == errc::tls_illegal_parameter
                                      ? refusal::record_size_limit_too_small
                                      : refusal::malformed_extension);
            }
            const std::size_t payload =
                std::size_t{*limit} - (v == protocol_version::tls13 ? 1u : 0u);
            ctx.records.set_max_fragment(
                std::min<std::size_t>({ctx.config.max_fragment, payload, max_plaintext_length}));
            return status{};
        }
        default:
            return std::nullopt;
        }
    }

    transcript_hash transcript_;
    const cipher_suite_info* suite_ = nullptr;
    std::optional<named_group> group_;
    std::optional<signature_scheme> peer_scheme_;
    std::string alpn_;
    std::vector<byte_vector> peer_chain_;
    byte_vector ocsp_staple_;
    peer_key peer_key_; ///< the leaf's key, parsed once, for the server's signature
};

} // namespace https::tls

// ---- https/tls/detail/macro_unscope.hpp --------------------------------------------------------
// Undefines the local macros of macro_scope.hpp at the end of each TLS header.
#undef HTTPS_TLS_ASSIGN
#undef HTTPS_TLS_CONCAT
#undef HTTPS_TLS_CONCAT_INNER

#include <cstdint>
#include <optional>
#include <vector>

namespace https::tls {

/// Where a TLS 1.3 handshake stands. RFC 8446 §A.1 names the client states alike.
enum class tls13_state : std::uint8_t {
    wait_server_hello,           ///< ClientHello sent (WAIT_SH), again after HelloRetryRequest
    wait_encrypted_extensions,   ///< handshake keys in place (WAIT_EE)
    wait_certificate_or_request, ///< WAIT_CERT_CR
    wait_certificate,            ///< after CertificateRequest (WAIT_CERT)
    wait_certificate_verify,     ///< WAIT_CV
    wait_finished,               ///< WAIT_FINISHED
    connected,                   ///< handshake done, application data both ways
};

/// One TLS 1.3 client handshake, started by the ServerHello that selected TLS 1.3.
class handshake13 : public handshake_base {
  public:
    /// A ServerHello or HelloRetryRequest that selected TLS 1.3 (RFC 8446 §4.1.3-4.1.4), `m` its
    /// message. Precondition: the first ServerHello of the connection.
    HTTPS_DECL status on_server_hello(const server_hello& sh, const handshake_message& m,
                                      handshake_context& ctx);

    /// Any later handshake message; anything not expected in the current state is
    /// unexpected_message (RFC 8446 §4 and §A.1).
    HTTPS_DECL status on_message(const handshake_message& m, handshake_context& ctx);

    [[nodiscard]] tls13_state state() const noexcept { return state_; }
    [[nodiscard]] bool connected() const noexcept { return state_ == tls13_state::connected; }
    [[nodiscard]] bool hello_retry_requested() const noexcept { return hrr_seen_; }
    /// Tickets received (NewSessionTicket), oldest first.
    [[nodiscard]] const std::vector<session_ticket>& session_tickets() const noexcept {
        return tickets_;
    }

  private:
    HTTPS_DECL status on_server_hello_message(const handshake_message& m, handshake_context& ctx);

    /// HelloRetryRequest (§4.1.4): answer once with a new ClientHello carrying the cookie and a
    /// share for the group asked for; a second HRR is unexpected_message.
    HTTPS_DECL status on_hello_retry_request(const server_hello& hrr, const handshake_message& m,
                                             handshake_context& ctx);

    /// WAIT_EE: EncryptedExtensions (§4.3.1).
    HTTPS_DECL status on_encrypted_extensions(const handshake_message& m, handshake_context& ctx);

    /// WAIT_CERT_CR: CertificateRequest (§4.3.2). We have no client certificate and will answer
    /// with an empty Certificate.
    HTTPS_DECL status on_certificate_request(const handshake_message& m);

    /// WAIT_CERT: the server's Certificate (§4.4.2), checked by the configured verifier.
    HTTPS_DECL status on_certificate(const handshake_message& m, handshake_context& ctx);

    /// WAIT_CV: the server proves possession of the leaf key over the transcript (§4.4.3).
    HTTPS_DECL status on_certificate_verify(const handshake_message& m, handshake_context& ctx);

    /// WAIT_FINISHED: check the server Finished, derive the application secrets, send our
    /// second flight (§4.4.4, §7.1).
    HTTPS_DECL status on_finished(const handshake_message& m, handshake_context& ctx);

    /// NewSessionTicket (§4.6.1): kept with its PSK for a later resumption, or dropped.
    HTTPS_DECL status on_new_session_ticket(const handshake_message& m, handshake_context& ctx);

    /// KeyUpdate (§4.6.3): new read keys; if asked, answer and move to new write keys.
    HTTPS_DECL status on_key_update(const handshake_message& m, handshake_context& ctx);

    /// Extensions the server may not send here: one we never offered is unsupported_extension,
    /// one we offered but that does not belong in this message is illegal_parameter (§4.2).
    HTTPS_DECL static errc unexpected_extension(std::uint16_t type, handshake_context& ctx);

    /// New keys for one direction; the handshake message before must end its record (§5.1).
    HTTPS_DECL status set_keys(handshake_context& ctx, const secret& traffic, bool write);

    /// RFC 8446 §D.4: one unprotected change_cipher_spec record, at most once per connection.
    HTTPS_DECL void send_compat_ccs(handshake_context& ctx);

    tls13_state state_ = tls13_state::wait_server_hello;
    bool hrr_seen_ = false;
    bool ccs_sent_ = false;
    bool certificate_requested_ = false;
    byte_vector request_context_;
    std::optional<handshake_secret> handshake_secret_;
    secret client_hs_traffic_, server_hs_traffic_;
    secret client_ap_traffic_, server_ap_traffic_;
    secret exporter_secret_, resumption_secret_;
    std::vector<session_ticket> tickets_;
};

} // namespace https::tls


#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

// ---- https/tls/detail/macro_scope.hpp ----------------------------------------------------------
// Local macros of the TLS headers; include after all other headers, pair with macro_unscope.hpp.
// (No include guard on purpose: every TLS header re-enters this scope after its own includes.)

#define HTTPS_TLS_CONCAT_INNER(a, b) a##b
#define HTTPS_TLS_CONCAT(a, b) HTTPS_TLS_CONCAT_INNER(a, b)

/// `HTTPS_TLS_ASSIGN(auto v, r.read_u16());` evaluates a result-returning expression, returns its
/// error from the enclosing function on failure, and otherwise binds the value to `lhs`.
/// (`lhs` is a declaration such as `auto v`, so it cannot be parenthesised.)
// NOLINTBEGIN(bugprone-macro-parentheses)
#define HTTPS_TLS_ASSIGN(lhs, expr)                                                                \
    auto HTTPS_TLS_CONCAT(https_tls_r_, __LINE__) = (expr);                                        \
    if (!HTTPS_TLS_CONCAT(https_tls_r_, __LINE__).ok()) {                                          \
        return HTTPS_TLS_CONCAT(https_tls_r_, __LINE__).error();                                   \
    }                                                                                              \
    lhs = std::move(HTTPS_TLS_CONCAT(https_tls_r_, __LINE__)).value()
// NOLINTEND(bugprone-macro-parentheses)

namespace https::tls {

HTTPS_DECL status handshake13::on_message(const handshake_message& m, handshake_context& ctx) {
    using t = handshake_type;
    switch (state_) {
    case tls13_state::wait_server_hello:
        if (m.type == t::server_hello) {
            return on_server_hello_message(m, ctx);
        }
        break;
    case tls13_state::wait_encrypted_extensions:
        if (m.type == t::encrypted_extensions) {
            return on_encrypted_extensions(m, ctx);
        }
        break;
    case tls13_state::wait_certificate_or_request:
        if (m.type == t::certificate_request) {
            return on_certificate_request(m);
        }
        [[fallthrough]];
    case tls13_state::wait_certificate:
        if (m.type == t::certificate) {
            return on_certificate(m, ctx);
        }
        break;
    case tls13_state::wait_certificate_verify:
        if (m.type == t::certificate_verify) {
            return on_certificate_verify(m, ctx);
        }
        break;
    case tls13_state::wait_finished:
        if (m.type == t::finished) {
            return on_finished(m, ctx);
        }
        break;
    case tls13_state::connected:
        if (m.type == t::new_session_ticket) {
            return on_new_session_ticket(m, ctx);
        }
        if (m.type == t::key_update) {
            return on_key_update(m, ctx);
        }
        break; // post-handshake CertificateRequest: we never offered post_handshake_auth
    }
    return ctx.refuse(refusal::unexpected_handshake_message);
}

HTTPS_DECL status handshake13::on_server_hello_message(const handshake_message& m,
                                                       handshake_context& ctx) {
    HTTPS_TLS_ASSIGN(server_hello sh, parse_server_hello(m.body));
    const auto v = ctx.offer.select_version(sh, ctx.why);
    // §4.1.4: after a HelloRetryRequest the server has chosen TLS 1.3.
    if ((v && *v != protocol_version::tls13) ||
        (!v && ctx.why == refusal::version_not_offered)) {
        return ctx.refuse(refusal::tls12_after_hello_retry_request);
    }
    if (!v) {
        return v.error();
    }
    return on_server_hello(sh, m, ctx);
}

HTTPS_DECL status handshake13::on_server_hello(const server_hello& sh, const handshake_message& m,
                                               handshake_context& ctx) {
    const client_hello& offer = ctx.offer.hello();
    // §4.1.3: session id echo, compression and suite must match what we sent.
    if (!std::equal(sh.legacy_session_id_echo.begin(), sh.legacy_session_id_echo.end(),
                    offer.legacy_session_id.begin(), offer.legacy_session_id.end())) {
        return ctx.refuse(refusal::session_id_echo_mismatch);
    }
    if (sh.legacy_compression_method != 0) {
        return ctx.refuse(refusal::compression_not_null);
    }
    const cipher_suite_info* info = find_cipher_suite(sh.cipher_suite, protocol_version::tls13);
    if (info == nullptr ||
        std::find(offer.cipher_suites.begin(), offer.cipher_suites.end(), sh.cipher_suite) ==
            offer.cipher_suites.end()) {
        return ctx.refuse(refusal::cipher_suite_not_offered);
    }
    // §4.1.4: the ServerHello after a HelloRetryRequest keeps its suite.
    if (suite_ != nullptr && suite_ != info) {
        return ctx.refuse(refusal::cipher_suite_changed_after_hello_retry);
    }
    if (suite_ == nullptr) {
        suite_ = info;
        transcript_.select(suite_->prf_hash);
        transcript_.update(ctx.offer.message());
    }
    if (sh.is_hello_retry_request()) {
        return on_hello_retry_request(sh, m, ctx);
    }

    // §4.2: the ServerHello may carry only supported_versions, key_share and pre_shared_key
    // (and we offered no PSK).
    for (const auto& e : sh.extensions.items()) {
        const auto type = static_cast<extension_type>(e.type);
        if (type != extension_type::supported_versions && type != extension_type::key_share) {
            return unexpected_extension(e.type, ctx);
        }
    }
    const extension* ks = sh.extensions.find(extension_type::key_share);
    if (ks == nullptr) {
        return ctx.refuse(refusal::missing_key_share); // §9.2: (EC)DHE needs key_share
    }
    HTTPS_TLS_ASSIGN(key_share_entry server_share, parse_server_key_share(ks->data));
    const auto& shares = ctx.offer.shares();
    const auto mine = std::find_if(shares.begin(), shares.end(),
                                   [&](const auto& s) { return s.group() == server_share.group; });
    if (mine == shares.end()) {
        return ctx.refuse(refusal::key_share_group_not_offered); // §4.2.8
    }
    auto shared = mine->shared_secret(server_share.key_exchange);
    if (!shared) {
        return ctx.refuse(refusal::invalid_key_share);
    }
    group_ = server_share.group;

    transcript_.update(m.raw);
    // Key schedule §7.1: Early Secret (no PSK) -> Handshake Secret.
    handshake_secret hs = early_secret(suite_->prf_hash).derive_handshake(shared->bytes());
    const hash_value th = transcript_.current();
    client_hs_traffic_ = hs.client_traffic(th);
    server_hs_traffic_ = hs.server_traffic(th);
    handshake_secret_ = std::move(hs);
    HTTPS_TRY(set_keys(ctx, server_hs_traffic_, false));
    // Our alerts from here on go under the client handshake key, which the server now reads.
    HTTPS_TRY(set_keys(ctx, client_hs_traffic_, true));
    state_ = tls13_state::wait_encrypted_extensions;
    return {};
}

HTTPS_DECL status handshake13::on_hello_retry_request(const server_hello& hrr,
                                                      const handshake_message& m,
                                                      handshake_context& ctx) {
    if (hrr_seen_) {
        return ctx.refuse(refusal::second_hello_retry_request);
    }
    hrr_seen_ = true;
    std::optional<named_group> group;
    std::optional<bytes_view> cookie;
    for (const auto& e : hrr.extensions.items()) {
        switch (static_cast<extension_type>(e.type)) {
        case extension_type::supported_versions:
            break;
        case extension_type::key_share: {
            HTTPS_TLS_ASSIGN(group, parse_hrr_key_share(e.data));
            break;
        }
        case extension_type::cookie: {
            HTTPS_TLS_ASSIGN(cookie, parse_cookie(e.data));
            break;
        }
        default:
            return unexpected_extension(e.type, ctx);
        }
    }
    // §4.1.4: an HRR that would not change the ClientHello is illegal_parameter.
    if (!group && !cookie) {
        return ctx.refuse(refusal::hello_retry_request_without_change);
    }
    if (group) {
        // §4.2.8: the group must be one we support and not one we already sent a share for.
        const auto& groups = ctx.config.groups;
        if (std::find(groups.begin(), groups.end(), *group) == groups.end()) {
            return ctx.refuse(refusal::hello_retry_group_not_offered);
        }
        const auto& shares = ctx.offer.shares();
        if (std::any_of(shares.begin(), shares.end(),
                        [&](const auto& s) { return s.group() == *group; })) {
            return ctx.refuse(refusal::hello_retry_group_already_shared);
        }
    }
    // §4.4.1: ClientHello1 becomes message_hash in the transcript, then HRR, ClientHello2.
    HTTPS_TRY(transcript_.replace_with_message_hash());
    transcript_.update(m.raw);
    if (!ctx.incoming.empty()) {
        return ctx.refuse(refusal::key_change_not_at_record_boundary); // nothing may follow an HRR
    }
    if (auto s = ctx.offer.retry(ctx.config, group, cookie); !s) {
        // The cookie is the only part of it the server chose: one that leaves no room for the
        // rest of the ClientHello (§4.1.2: extensions<8..2^16-1>) cannot be answered.
        return s.error() == errc::length_overflow ? ctx.refuse(refusal::hello_retry_cookie_too_long)
                                                  : s.error();
    }
    // §D.4: in compatibility mode the dummy CCS goes right before the second ClientHello.
    send_compat_ccs(ctx);
    send(ctx, ctx.offer.message());
    return {};
}

HTTPS_DECL status handshake13::on_encrypted_extensions(const handshake_message& m,
                                                       handshake_context& ctx) {
    HTTPS_TLS_ASSIGN(extension_list exts, parse_encrypted_extensions(m.body));
    for (const auto& e : exts.items()) {
        if (auto s = acknowledge(ctx, e, protocol_version::tls13)) {
            HTTPS_TRY(*s);
        } else if (static_cast<extension_type>(e.type) != extension_type::supported_groups) {
            return unexpected_extension(e.type, ctx); // supported_groups: preferences (§4.2.7)
        }
    }
    transcript_.update(m.raw);
    state_ = tls13_state::wait_certificate_or_request;
    return {};
}

HTTPS_DECL status handshake13::on_certificate_request(const handshake_message& m) {
    HTTPS_TLS_ASSIGN(certificate_request cr, parse_certificate_request(m.body));
    certificate_requested_ = true;
    request_context_.assign(cr.certificate_request_context.begin(),
                            cr.certificate_request_context.end());
    transcript_.update(m.raw);
    state_ = tls13_state::wait_certificate;
    return {};
}

HTTPS_DECL status handshake13::on_certificate(const handshake_message& m, handshake_context& ctx) {
    HTTPS_TLS_ASSIGN(certificate_message cert, parse_certificate(m.body));
    if (!cert.certificate_request_context.empty()) {
        return ctx.refuse(refusal::certificate_request_context_not_empty); // §4.4.2
    }
    if (cert.entries.empty()) {
        return ctx.refuse(refusal::empty_certificate_chain); // §4.4.2.4
    }
    const bool staple_requested =
        offers_extension(ctx.offer.hello(), extension_type::status_request);
    std::vector<byte_vector> chain;
    std::optional<bytes_view> staple;
    for (const auto& entry : cert.entries) {
        // §4.4.2: entry extensions must answer ones we offered; status_request is the only one
        // of ours that may appear here (§4.4.2.1), and we request no SCTs.
        for (const auto& e : entry.extensions.items()) {
            if (static_cast<extension_type>(e.type) != extension_type::status_request ||
                !staple_requested) {
                return ctx.refuse(refusal::certificate_entry_extension);
            }
            // §4.4.2.1: the leaf's staple is the one the verifier wants; a server may staple
            // intermediates too, which we do not check.
            if (chain.empty()) {
                auto response = parse_certificate_status(e.data);
                if (!response) {
                    return ctx.refuse(refusal::malformed_certificate_status);
                }
                staple = *response;
            }
        }
        chain.emplace_back(entry.cert_data.begin(), entry.cert_data.end());
    }
    HTTPS_TRY(check_certificate(ctx, std::move(chain), staple, key_exchange_kind::tls13));
    transcript_.update(m.raw);
    state_ = tls13_state::wait_certificate_verify;
    return {};
}

HTTPS_DECL status handshake13::on_certificate_verify(const handshake_message& m,
                                                     handshake_context& ctx) {
    HTTPS_TLS_ASSIGN(certificate_verify cv, parse_certificate_verify(m.body));
    const auto scheme = static_cast<signature_scheme>(cv.algorithm);
    // §4.4.3: a scheme we did not offer in signature_algorithms is illegal_parameter.
    const auto& offered = ctx.offer.hello().signature_algorithms;
    if (std::find(offered.begin(), offered.end(), scheme) == offered.end()) {
        return ctx.refuse(refusal::signature_scheme_not_offered);
    }
    const byte_vector content = certificate_verify_content(transcript_.current());
    if (auto s = verify_signature(scheme, peer_key_, content, cv.signature,
                                  ctx.config.min_rsa_key_bits, protocol_version::tls13);
        !s) {
        // §4.4.3: a signature that does not verify is decrypt_error.
        return signature_refusal(ctx, s.error(), refusal::certificate_verify_signature_invalid);
    }
    peer_scheme_ = scheme;
    transcript_.update(m.raw);
    state_ = tls13_state::wait_finished;
    return {};
}

HTTPS_DECL status handshake13::on_finished(const handshake_message& m, handshake_context& ctx) {
    const hash_algorithm h = suite_->prf_hash;
    const secret expected = finished_verify_data(h, server_hs_traffic_, transcript_.current());
    if (m.body.size() != expected.size()) {
        return ctx.refuse(refusal::finished_length_wrong);
    }
    if (!ct::equal(m.body, expected.bytes())) {
        return ctx.refuse(refusal::finished_mismatch);
    }
    transcript_.update(m.raw);
    master_secret ms = std::move(*handshake_secret_).derive_master();
    handshake_secret_.reset();
    const hash_value th = transcript_.current(); // ClientHello..server Finished
    client_ap_traffic_ = ms.client_application_traffic(th);
    server_ap_traffic_ = ms.server_application_traffic(th);
    exporter_secret_ = ms.exporter(th);
    HTTPS_TRY(set_keys(ctx, server_ap_traffic_, false));

    // Second flight: [CCS] [empty Certificate] Finished, under the client handshake key.
    send_compat_ccs(ctx);
    if (certificate_requested_) {
        HTTPS_TLS_ASSIGN(const byte_vector empty, encode_empty_certificate(request_context_));
        send(ctx, empty);
    }
    const secret verify = finished_verify_data(h, client_hs_traffic_, transcript_.current());
    HTTPS_TLS_ASSIGN(const byte_vector fin, encode_finished(verify.bytes()));
    send(ctx, fin);
    resumption_secret_ = ms.resumption(transcript_.current());
    HTTPS_TRY(set_keys(ctx, client_ap_traffic_, true));
    state_ = tls13_state::connected;
    return {};
}

HTTPS_DECL status handshake13::on_new_session_ticket(const handshake_message& m,
                                                     handshake_context& ctx) {
    HTTPS_TLS_ASSIGN(new_session_ticket nst, parse_new_session_ticket(m.body));
    if (ctx.config.max_session_tickets == 0) {
        return {};
    }
    session_ticket t;
    t.suite = suite_->suite;
    t.lifetime_seconds = nst.ticket_lifetime;
    t.age_add = nst.ticket_age_add;
    t.ticket.assign(nst.ticket.begin(), nst.ticket.end());
    ct::secret_array<max_hash_length> psk;
    const std::size_t n = hash_length(suite_->prf_hash);
    hkdf_expand_label(suite_->prf_hash, resumption_secret_.bytes(), "resumption", nst.ticket_nonce,
                      mutable_bytes(psk.data(), n));
    t.psk = secret(bytes_view(psk.data(), n));
    t.received = ctx.config.now();
    if (tickets_.size() >= ctx.config.max_session_tickets) {
        tickets_.erase(tickets_.begin());
    }
    tickets_.push_back(std::move(t));
    return {};
}

HTTPS_DECL status handshake13::on_key_update(const handshake_message& m, handshake_context& ctx) {
    HTTPS_TLS_ASSIGN(bool update_requested, parse_key_update(m.body));
    server_ap_traffic_ = next_traffic_secret(suite_->prf_hash, server_ap_traffic_);
    HTTPS_TRY(set_keys(ctx, server_ap_traffic_, false));
    if (update_requested && !ctx.closed) {
        HTTPS_TLS_ASSIGN(const byte_vector answer, encode_key_update(false));
        ctx.records.write(content_type::handshake, answer, ctx.output);
        client_ap_traffic_ = next_traffic_secret(suite_->prf_hash, client_ap_traffic_);
        HTTPS_TRY(set_keys(ctx, client_ap_traffic_, true));
    }
    return {};
}

HTTPS_DECL status handshake13::set_keys(handshake_context& ctx, const secret& traffic,
                                        bool write) {
    // §5.1: a message after which the server's keys change must end its record.
    if (!write && !ctx.incoming.empty()) {
        return ctx.refuse(refusal::key_change_not_at_record_boundary);
    }
    HTTPS_TLS_ASSIGN(auto protection, make_tls13_protection(*suite_, traffic));
    if (write) {
        ctx.records.set_write_protection(std::move(protection));
    } else {
        ctx.records.set_read_protection(std::move(protection));
    }
    return {};
}

HTTPS_DECL errc handshake13::unexpected_extension(std::uint16_t type, handshake_context& ctx) {
    using e = extension_type;
    switch (static_cast<e>(type)) {
    case e::server_name:
    case e::supported_groups:
    case e::signature_algorithms:
    case e::signature_algorithms_cert:
    case e::application_layer_protocol_negotiation:
    case e::supported_versions:
    case e::key_share:
    case e::cookie:
        return ctx.refuse(refusal::extension_not_allowed_here);
    case e::status_request: // §4.4.2.1: only in a CertificateEntry
        return ctx.refuse(offers_extension(ctx.offer.hello(), e::status_request) ? refusal::extension_not_allowed_here
                                                           : refusal::extension_not_offered);
    default:
        return ctx.refuse(refusal::extension_not_offered);
    }
}

HTTPS_DECL void handshake13::send_compat_ccs(handshake_context& ctx) {
    if (!ctx.config.middlebox_compatibility || ccs_sent_) {
        return;
    }
    ccs_sent_ = true;
    detail::append_change_cipher_spec(ctx.output);
}

} // namespace https::tls

// ---- https/tls/detail/macro_unscope.hpp --------------------------------------------------------
// Undefines the local macros of macro_scope.hpp at the end of each TLS header.
#undef HTTPS_TLS_ASSIGN
#undef HTTPS_TLS_CONCAT
#undef HTTPS_TLS_CONCAT_INNER
// ---- https/tls/impl/client.ipp -----------------------------------------------------------------
// The TLS client engine's member functions (tls/client.hpp), out of line for separate compilation.

// ---- https/tls/client.hpp ----------------------------------------------------------------------
// The TLS client engine (sans-I/O): bytes from the server in, bytes to send and application data
// out. The engine owns the records, the alerts and the public API; the handshake itself is one of
// two types, chosen by the version the ServerHello selects: `handshake13` (RFC 8446) or
// `handshake12` (RFC 5246), both held to the one offer of `client_hello.hpp`.

// ---- https/tls/alert.hpp -----------------------------------------------------------------------
// TLS alerts (RFC 8446 §6): levels, descriptions, and the one table mapping errors to alerts.


#include <cstdint>

namespace https::tls {

enum class alert_level : std::uint8_t { warning = 1, fatal = 2 };

// RFC 8446 §6 AlertDescription, plus the TLS 1.2 values a 1.2 peer may still send: the one table
// from which the enumeration and the names are generated.
#define HTTPS_TLS_ALERTS(X) \
    X(close_notify, 0) X(unexpected_message, 10) X(bad_record_mac, 20) \
    X(decryption_failed, 21) /* TLS 1.2 and earlier; never sent */ \
    X(record_overflow, 22) X(handshake_failure, 40) X(bad_certificate, 42) \
    X(unsupported_certificate, 43) X(certificate_revoked, 44) X(certificate_expired, 45) \
    X(certificate_unknown, 46) X(illegal_parameter, 47) X(unknown_ca, 48) X(access_denied, 49) \
    X(decode_error, 50) X(decrypt_error, 51) X(protocol_version, 70) \
    X(insufficient_security, 71) X(internal_error, 80) X(inappropriate_fallback, 86) \
    X(user_canceled, 90) X(no_renegotiation, 100) X(missing_extension, 109) \
    X(unsupported_extension, 110) X(unrecognized_name, 112) \
    X(bad_certificate_status_response, 113) X(unknown_psk_identity, 115) \
    X(certificate_required, 116) X(no_application_protocol, 120)

enum class alert_description : std::uint8_t {
#define HTTPS_TLS_ALERT_VALUE(name, value) name = (value),
    HTTPS_TLS_ALERTS(HTTPS_TLS_ALERT_VALUE)
#undef HTTPS_TLS_ALERT_VALUE
};

/// The RFC name of an alert ("bad_record_mac"), or "unknown" for a value not in the registry.
inline const char* describe(alert_description d) noexcept {
    switch (d) {
#define HTTPS_TLS_ALERT_NAME(name, value) \
    case alert_description::name: return #name;
        HTTPS_TLS_ALERTS(HTTPS_TLS_ALERT_NAME)
#undef HTTPS_TLS_ALERT_NAME
    }
    return "unknown";
}
#undef HTTPS_TLS_ALERTS

/// The alert we send when we abort because of `e`: THE table from errors to alerts, used by every
/// handshake and the record layer, so each error has exactly one alert. Returns false for errors
/// after which no alert is sent (the peer already closed or alerted us).
inline bool alert_for(errc e, alert_description& out) noexcept {
    using a = alert_description;
    const auto send = [&](a d) {
        out = d;
        return true;
    };
    switch (e) {
    case errc::ok:
    case errc::tls_alert_received: // the peer already aborted; RFC 8446 §6.2: no reply
    case errc::tls_closed:
        return false;

    // TLS layer: one alert per error, named alike.
    case errc::tls_unexpected_message: return send(a::unexpected_message);
    case errc::tls_decode_error: return send(a::decode_error);
    case errc::tls_illegal_parameter: return send(a::illegal_parameter);
    case errc::tls_handshake_failure: return send(a::handshake_failure);
    case errc::tls_protocol_version: return send(a::protocol_version);
    case errc::tls_record_overflow: return send(a::record_overflow);
    case errc::tls_bad_record_mac: return send(a::bad_record_mac);
    case errc::tls_decrypt_error: return send(a::decrypt_error);
    case errc::tls_missing_extension: return send(a::missing_extension);
    case errc::tls_unsupported_extension: return send(a::unsupported_extension);
    case errc::tls_insufficient_security: return send(a::insufficient_security);
    case errc::tls_no_application_protocol: return send(a::no_application_protocol);
    case errc::tls_downgrade_detected: return send(a::illegal_parameter); // §4.1.3
    case errc::tls_no_renegotiation: return send(a::no_renegotiation);
    case errc::tls_internal_error: return send(a::internal_error);

    // Certificate validation (RFC 8446 §6.2 gives the meaning of each certificate alert).
    case errc::cert_expired:
    case errc::cert_not_yet_valid: return send(a::certificate_expired);
    case errc::cert_unknown_issuer:
    case errc::cert_self_signed_leaf:
    case errc::trust_store_unavailable: return send(a::unknown_ca);
    case errc::cert_unknown_critical_extension:
    case errc::cert_weak_key:
    case errc::cert_weak_signature: return send(a::unsupported_certificate);
    case errc::cert_malformed:
    case errc::cert_hostname_mismatch:
    case errc::cert_bad_signature:
    case errc::cert_not_ca:
    case errc::cert_path_length_exceeded:
    case errc::cert_name_constraint_violated:
    case errc::cert_bad_eku:
    case errc::cert_chain_too_long:
    case errc::cert_bad_key_usage:
    case errc::cert_bad_key_identifier:
    case errc::cert_bad_basic_constraints:
    case errc::cert_bad_name_constraints:
    case errc::cert_bad_subject_alt_name:
    case errc::cert_common_name_mismatch:
    case errc::cert_bad_serial:
    case errc::cert_ocsp_missing: return send(a::bad_certificate);
    case errc::cert_revoked: return send(a::certificate_revoked);
    case errc::cert_ocsp_malformed:
    case errc::cert_ocsp_bad_responder:
    case errc::cert_ocsp_stale:
    case errc::cert_ocsp_unknown: return send(a::bad_certificate_status_response); // RFC 6066 §8
    case errc::cert_no_identity: // our configuration named no server: not the certificate's fault
        return send(a::internal_error);

    // Cryptographic failures on peer input.
    case errc::bad_tag: return send(a::bad_record_mac);
    case errc::bad_signature: return send(a::decrypt_error); // §4.4.3
    case errc::bad_public_key:
    case errc::point_not_on_curve:
    case errc::point_at_infinity:
    case errc::zero_shared_secret:
    case errc::unsupported_curve:
    case errc::unsupported_algorithm: return send(a::illegal_parameter);
    case errc::weak_key: return send(a::insufficient_security);

    default:
        break;
    }
    // Any other decode-layer error is malformed peer input; anything else is our own failure.
    return send(layer_of(e) == error_layer::decode ? a::decode_error : a::internal_error);
}

} // namespace https::tls
// ---- https/tls/handshake12.hpp -----------------------------------------------------------------
// The TLS 1.2 client handshake (RFC 5246 §7.3-7.4) as an explicit state machine, entered after a
// ServerHello that selects TLS 1.2: Certificate, ServerKeyExchange (ECDHE), CertificateRequest,
// ServerHelloDone; our ClientKeyExchange, ChangeCipherSpec and Finished; the server's
// NewSessionTicket, ChangeCipherSpec and Finished. Extended master secret (RFC 7627), secure
// renegotiation indication (RFC 5746) and encrypt-then-MAC (RFC 7366) are negotiated here.


#include <array>
#include <cassert>
#include <optional>
#include <utility>
#include <vector>

// ---- https/tls/detail/macro_scope.hpp ----------------------------------------------------------
// Local macros of the TLS headers; include after all other headers, pair with macro_unscope.hpp.
// (No include guard on purpose: every TLS header re-enters this scope after its own includes.)

#define HTTPS_TLS_CONCAT_INNER(a, b) a##b
#define HTTPS_TLS_CONCAT(a, b) HTTPS_TLS_CONCAT_INNER(a, b)

/// `HTTPS_TLS_ASSIGN(auto v, r.read_u16());` evaluates a result-returning expression, returns its
/// error from the enclosing function on failure, and otherwise binds the value to `lhs`.
/// (`lhs` is a declaration such as `auto v`, so it cannot be parenthesised.)
// NOLINTBEGIN(bugprone-macro-parentheses)
#define HTTPS_TLS_ASSIGN(lhs, expr)                                                                \
    auto HTTPS_TLS_CONCAT(https_tls_r_, __LINE__) = (expr);                                        \
    if (!HTTPS_TLS_CONCAT(https_tls_r_, __LINE__).ok()) {                                          \
        return HTTPS_TLS_CONCAT(https_tls_r_, __LINE__).error();                                   \
    }                                                                                              \
    lhs = std::move(HTTPS_TLS_CONCAT(https_tls_r_, __LINE__)).value()
// NOLINTEND(bugprone-macro-parentheses)

namespace https::tls {

class test_hooks; // test builds only (HTTPS_TESTING), at the end of client.hpp

/// Where a TLS 1.2 handshake stands (RFC 5246 §7.3, client side).
enum class tls12_state : std::uint8_t {
    wait_certificate,                 ///< after ServerHello
    wait_certificate_status,          ///< after Certificate, status_request acknowledged
    wait_server_key_exchange,         ///< ECDHE: after Certificate
    wait_certificate_request_or_done, ///< after ServerKeyExchange (RSA: after Certificate)
    wait_server_hello_done,           ///< after CertificateRequest
    wait_new_session_ticket,          ///< our flight sent; the server promised a ticket
    wait_change_cipher_spec,          ///< our flight sent
    wait_finished,                    ///< the server's ChangeCipherSpec received
    connected,                        ///< both Finished verified
};

/// One TLS 1.2 client handshake, started by the ServerHello that selected TLS 1.2.
class handshake12 : public handshake_base {
  public:
    /// The ServerHello (RFC 5246 §7.4.1.3): a suite and compression we offered, no resumption we
    /// did not ask for, and only extensions we offered, each well-formed. `m` is its message.
    status on_server_hello(const server_hello& sh, const handshake_message& m,
                           handshake_context& ctx) {
        const client_hello& offer = ctx.offer.hello();
        suite_ = find_cipher_suite(sh.cipher_suite, protocol_version::tls12);
        if (suite_ == nullptr || std::find(offer.cipher_suites.begin(), offer.cipher_suites.end(),
                                           sh.cipher_suite) == offer.cipher_suites.end()) {
            return ctx.refuse(refusal::cipher_suite_not_offered); // not offered for TLS 1.2
        }
        if (sh.legacy_compression_method != 0) {
            return ctx.refuse(refusal::compression_not_null);
        }
        client_random_ = offer.random;
        std::copy(sh.random.begin(), sh.random.end(), server_random_.begin());
        // Echoing our (random, never issued) session id would mean resuming a session we never
        // had: refuse rather than run an abbreviated handshake we cannot check.
        if (!offer.legacy_session_id.empty() &&
            std::equal(sh.legacy_session_id_echo.begin(), sh.legacy_session_id_echo.end(),
                       offer.legacy_session_id.begin(), offer.legacy_session_id.end())) {
            return ctx.refuse(refusal::session_id_echoed);
        }
        for (const auto& e : sh.extensions.items()) {
            HTTPS_TRY(on_server_hello_extension(e, offer, ctx));
        }
        if (ctx.config.require_extended_master_secret && !ems_) {
            return ctx.refuse(refusal::extended_master_secret_missing); // RFC 7627 §5.4
        }
        transcript_.select(suite_->prf_hash);
        transcript_.update(ctx.offer.message());
        transcript_.update(m.raw);
        return {};
    }

    /// A later handshake message from the server.
    status on_message(const handshake_message& m, handshake_context& ctx) {
        using t = handshake_type;
        // RFC 5246 §7.4.1.1: HelloRequest is ignored during a handshake and is not part of the
        // transcript; once connected it asks for a renegotiation, which we refuse.
        if (m.type == t::hello_request) {
            if (!m.body.empty()) {
                return ctx.refuse(refusal::malformed_hello_request);
            }
            return connected() ? status{ctx.refuse(refusal::renegotiation_refused)} : status{};
        }
        switch (state_) {
        case tls12_state::wait_certificate:
            if (m.type == t::certificate) {
                return on_certificate(m, ctx);
            }
            break;
        case tls12_state::wait_certificate_status:
            if (m.type == t::certificate_status) {
                return on_certificate_status(m, ctx);
            }
            // RFC 6066 §8: a server that acknowledged status_request MAY still send no
            // CertificateStatus: the chain is checked without a staple, then the message goes
            // where it belongs.
            HTTPS_TRY(check_chain(ctx, std::nullopt));
            return on_message(m, ctx);
        case tls12_state::wait_server_key_exchange:
            if (m.type == t::server_key_exchange) {
                return on_server_key_exchange(m, ctx);
            }
            break;
        case tls12_state::wait_certificate_request_or_done:
            if (m.type == t::certificate_request) {
                return on_certificate_request(m);
            }
            if (m.type == t::server_hello_done) {
                return on_server_hello_done(m, ctx);
            }
            break;
        case tls12_state::wait_server_hello_done:
            if (m.type == t::server_hello_done) {
                return on_server_hello_done(m, ctx);
            }
            break;
        case tls12_state::wait_new_session_ticket:
            if (m.type == t::new_session_ticket) {
                return on_new_session_ticket(m);
            }
            break;
        case tls12_state::wait_finished:
            if (m.type == t::finished) {
                return on_finished(m, ctx);
            }
            break;
        default:
            break;
        }
        if (m.type == t::certificate_status && !status_acknowledged_) {
            return ctx.refuse(refusal::certificate_status_not_acknowledged); // RFC 6066 §8
        }
        return ctx.refuse(refusal::unexpected_handshake_message);
    }

    /// The server's ChangeCipherSpec: from here on its records are protected (RFC 5246 §7.1).
    /// Only in wait_change_cipher_spec, with the single byte 1; anything else is
    /// unexpected_message (or decode_error for a malformed body).
    status on_change_cipher_spec(bytes_view payload, handshake_context& ctx) {
        if (state_ != tls12_state::wait_change_cipher_spec) {
            return ctx.refuse(refusal::unexpected_change_cipher_spec);
        }
        if (payload.size() != 1 || payload[0] != 1) {
            return ctx.refuse(refusal::malformed_change_cipher_spec);
        }
        assert(pending_read_.has_value());
        ctx.records.set_read_protection(std::move(*pending_read_));
        pending_read_.reset();
        state_ = tls12_state::wait_finished;
        return {};
    }

    [[nodiscard]] tls12_state state() const noexcept { return state_; }
    [[nodiscard]] bool connected() const noexcept { return state_ == tls12_state::connected; }
    [[nodiscard]] bool extended_master_secret() const noexcept { return ems_; }
    [[nodiscard]] bool encrypt_then_mac() const noexcept { return etm_; }
    [[nodiscard]] bool secure_renegotiation() const noexcept { return secure_renegotiation_; }
    [[nodiscard]] bool session_ticket_received() const noexcept { return ticket_received_; }
    /// The Finished verify_data we sent and the one the server sent.
    [[nodiscard]] const std::array<std::uint8_t, 12>& client_verify_data() const noexcept {
        return client_verify_;
    }
    [[nodiscard]] const std::array<std::uint8_t, 12>& server_verify_data() const noexcept {
        return server_verify_;
    }

  private:
    friend class test_hooks;

    /// One ServerHello extension (RFC 5246 §7.4.1.4: only those the client offered).
    status on_server_hello_extension(const extension& e, const client_hello& offer,
                                     handshake_context& ctx) {
        const auto type = static_cast<extension_type>(e.type);
        if (!offers_extension(offer, type)) {
            return ctx.refuse(refusal::extension_not_offered);
        }
        if (auto s = acknowledge(ctx, e, protocol_version::tls12)) {
            return *s;
        }
        const bool empty = e.data.empty();
        switch (type) {
        case extension_type::renegotiation_info:
            // RFC 5746 §3.4: on an initial handshake renegotiated_connection is empty.
            if (e.data.size() != 1 || e.data[0] != 0) {
                return ctx.refuse(refusal::renegotiation_info_not_empty);
            }
            secure_renegotiation_ = true;
            return {};
        case extension_type::extended_master_secret:
            ems_ = true;
            return empty ? status{} : status{ctx.refuse(refusal::malformed_extension)};
        case extension_type::ec_point_formats: {
            // RFC 8422 §5.2: the list must contain uncompressed (0).
            auto formats = parse_u8_list(e.data);
            if (!formats) {
                return ctx.refuse(refusal::malformed_extension);
            }
            if (std::find(formats->begin(), formats->end(), 0) == formats->end()) {
                return ctx.refuse(refusal::ec_point_formats_without_uncompressed);
            }
            return {};
        }
        case extension_type::session_ticket:
            ticket_expected_ = true; // RFC 5077 §3.2
            return empty ? status{} : status{ctx.refuse(refusal::malformed_extension)};
        case extension_type::encrypt_then_mac:
            // RFC 7366 §3: never with an AEAD suite.
            if (!empty) {
                return ctx.refuse(refusal::malformed_extension);
            }
            if (!suite_->is_cbc()) {
                return ctx.refuse(refusal::encrypt_then_mac_with_aead);
            }
            etm_ = true;
            return {};
        case extension_type::status_request:
            // RFC 6066 §8: an empty extension_data says a CertificateStatus may follow.
            if (!empty) {
                return ctx.refuse(refusal::status_request_acknowledgement_not_empty);
            }
            status_acknowledged_ = true;
            return {};
        default:
            // Offered but not a TLS 1.2 ServerHello extension (key_share, supported_groups,
            // signature_algorithms, ...).
            return ctx.refuse(refusal::extension_not_allowed_here);
        }
    }

    /// Certificate (RFC 5246 §7.4.2): a non-empty chain, checked by the configured verifier, whose
    /// leaf key fits the suite. After a status_request acknowledgement the check waits for the
    /// CertificateStatus that may follow (RFC 6066 §8), so that the verifier gets the staple.
    status on_certificate(const handshake_message& m, handshake_context& ctx) {
        HTTPS_TLS_ASSIGN(std::vector<bytes_view> chain, parse_tls12_certificate_list(m.body));
        if (chain.empty()) {
            return ctx.refuse(refusal::empty_certificate_chain);
        }
        received_chain_.clear();
        for (auto c : chain) {
            received_chain_.emplace_back(c.begin(), c.end());
        }
        transcript_.update(m.raw);
        if (status_acknowledged_) {
            state_ = tls12_state::wait_certificate_status;
            return {};
        }
        return check_chain(ctx, std::nullopt);
    }

    /// CertificateStatus (RFC 6066 §8): one OCSP response for the leaf, then the chain check.
    status on_certificate_status(const handshake_message& m, handshake_context& ctx) {
        auto response = parse_certificate_status(m.body);
        if (!response) {
            return ctx.refuse(refusal::malformed_certificate_status);
        }
        transcript_.update(m.raw);
        return check_chain(ctx, *response);
    }

    /// The chain received, checked with `staple`; moves on to ServerKeyExchange (ECDHE) or
    /// ServerHelloDone (RSA).
    status check_chain(handshake_context& ctx, std::optional<bytes_view> staple) {
        HTTPS_TRY(check_certificate(ctx, std::move(received_chain_), staple, suite_->key_exchange));
        state_ = suite_->is_ecdhe() ? tls12_state::wait_server_key_exchange
                                    : tls12_state::wait_certificate_request_or_done;
        return {};
    }

    /// ServerKeyExchange for ECDHE (RFC 8422 §5.4): a group and a signature scheme we offered,
    /// the signature over both randoms and the parameters made with the certificate key; then
    /// our key share and the premaster secret.
    status on_server_key_exchange(const handshake_message& m, handshake_context& ctx) {
        HTTPS_TLS_ASSIGN(tls12_server_ecdh_params p, parse_tls12_server_key_exchange(m.body));
        const auto& groups = ctx.offer.hello().supported_groups;
        if (std::find(groups.begin(), groups.end(), p.group) == groups.end()) {
            return ctx.refuse(refusal::server_key_exchange_group_not_offered); // RFC 8422 §5.4
        }
        const auto scheme = static_cast<signature_scheme>(p.scheme);
        const auto& schemes = ctx.offer.hello().signature_algorithms;
        if (std::find(schemes.begin(), schemes.end(), scheme) == schemes.end()) {
            return ctx.refuse(refusal::signature_scheme_not_offered); // RFC 5246 §7.4.1.4.1
        }
        const byte_vector signed_content =
            tls12_signed_params(client_random_, server_random_, p.params);
        if (auto s = verify_signature(scheme, peer_key_, signed_content, p.signature,
                                      ctx.config.min_rsa_key_bits, protocol_version::tls12);
            !s) {
            return signature_refusal(ctx, s.error(), refusal::server_key_exchange_signature_invalid);
        }
        HTTPS_TLS_ASSIGN(key_exchange mine, key_exchange::generate(p.group, ctx.config.rng()));
        auto shared = mine.shared_secret(p.public_key);
        if (!shared) {
            return ctx.refuse(refusal::invalid_key_share);
        }
        HTTPS_TLS_ASSIGN(client_key_exchange_,
                         encode_tls12_client_key_exchange_ecdhe(mine.public_key()));
        premaster_ = byte_vector(shared->bytes().begin(), shared->bytes().end());
        group_ = p.group;
        peer_scheme_ = scheme;
        transcript_.update(m.raw);
        state_ = tls12_state::wait_certificate_request_or_done;
        return {};
    }

    /// CertificateRequest (RFC 5246 §7.4.4): we have no certificate and will send an empty one.
    status on_certificate_request(const handshake_message& m) {
        HTTPS_TRY(parse_tls12_certificate_request(m.body));
        certificate_requested_ = true;
        transcript_.update(m.raw);
        state_ = tls12_state::wait_server_hello_done;
        return {};
    }

    /// ServerHelloDone (RFC 5246 §7.4.5), then our flight: [empty Certificate],
    /// ClientKeyExchange, ChangeCipherSpec, Finished (§7.3).
    status on_server_hello_done(const handshake_message& m, handshake_context& ctx) {
        if (!m.body.empty()) {
            return ctx.refuse(refusal::malformed_server_hello_done);
        }
        transcript_.update(m.raw);
        if (certificate_requested_) {
            // §7.4.6: an empty certificate_list when we have no suitable certificate.
            const std::uint8_t empty[3] = {0, 0, 0};
            HTTPS_TLS_ASSIGN(const byte_vector no_certificate,
                             detail::handshake_with_body(handshake_type::certificate, empty));
            send(ctx, no_certificate);
        }
        if (suite_->key_exchange == key_exchange_kind::rsa) {
            HTTPS_TLS_ASSIGN(
                tls12_rsa_premaster pm,
                tls12_make_rsa_premaster(peer_key_, ctx.config.rng(), ctx.config.min_rsa_key_bits));
            HTTPS_TLS_ASSIGN(client_key_exchange_,
                             encode_tls12_client_key_exchange_rsa(pm.encrypted));
            premaster_.assign(pm.premaster.bytes.begin(), pm.premaster.bytes.end());
        }
        send(ctx, client_key_exchange_);

        // RFC 7627 §4: the session hash covers ClientHello up to and including
        // ClientKeyExchange; RFC 5246 §8.1 otherwise.
        const hash_algorithm h = suite_->prf_hash;
        master_ = ems_ ? derive_extended_master_secret(h, premaster_, transcript_.current())
                       : derive_master_secret(h, premaster_, client_random_, server_random_);
        ct::wipe(premaster_.data(), premaster_.size());
        premaster_.clear();
        const tls12_key_block kb =
            derive_key_block(*suite_, master_, client_random_, server_random_);
        ct::secret_array<32> iv_key; // keys our CBC record IVs (unused by AEAD suites)
        if (suite_->is_cbc()) {
            HTTPS_TRY(ctx.config.rng().fill(iv_key.span()));
        }
        const ct::secret_array<32> unused;
        HTTPS_TLS_ASSIGN(auto write, make_tls12_protection(*suite_, kb, true, etm_, iv_key.span()));
        HTTPS_TLS_ASSIGN(pending_read_,
                         make_tls12_protection(*suite_, kb, false, etm_, unused.span()));

        // §7.1: ChangeCipherSpec, then the Finished under the new keys.
        detail::append_change_cipher_spec(ctx.output);
        ctx.records.set_write_protection(std::move(write));
        client_verify_ = tls12_finished_verify_data(h, master_, true, transcript_.current());
        HTTPS_TLS_ASSIGN(const byte_vector finished, encode_finished(client_verify_));
        send(ctx, finished);
        state_ = ticket_expected_ ? tls12_state::wait_new_session_ticket
                                  : tls12_state::wait_change_cipher_spec;
        return {};
    }

    /// NewSessionTicket (RFC 5077 §3.3): accepted and ignored (we do not resume TLS 1.2
    /// sessions); it is part of the transcript the server's Finished covers.
    status on_new_session_ticket(const handshake_message& m) {
        HTTPS_TRY(detail::as_decode_error([&]() -> status {
            reader r(m.body);
            HTTPS_TRY(r.read_u32()); // ticket_lifetime_hint
            HTTPS_TRY(r.read_prefixed<2>());
            return r.expect_empty();
        }()));
        ticket_received_ = true;
        transcript_.update(m.raw);
        state_ = tls12_state::wait_change_cipher_spec;
        return {};
    }

    /// The server's Finished (RFC 5246 §7.4.9), over every message up to our Finished and the
    /// ticket: a mismatch is decrypt_error.
    status on_finished(const handshake_message& m, handshake_context& ctx) {
        if (m.body.size() != tls12_verify_data_length) {
            return ctx.refuse(refusal::finished_length_wrong);
        }
        server_verify_ =
            tls12_finished_verify_data(suite_->prf_hash, master_, false, transcript_.current());
        if (!ct::equal(m.body, server_verify_)) {
            return ctx.refuse(refusal::finished_mismatch);
        }
        transcript_.update(m.raw);
        state_ = tls12_state::connected;
        return {};
    }

    tls12_state state_ = tls12_state::wait_certificate;
    std::array<std::uint8_t, 32> client_random_{};
    std::array<std::uint8_t, 32> server_random_{};
    bool ems_ = false;
    bool etm_ = false;
    bool secure_renegotiation_ = false;
    bool ticket_expected_ = false;
    bool ticket_received_ = false;
    bool certificate_requested_ = false;
    bool status_acknowledged_ = false; ///< the ServerHello answered our status_request
    std::vector<byte_vector> received_chain_; ///< until the CertificateStatus that may follow
    byte_vector premaster_; // wiped as soon as the master secret exists
    byte_vector client_key_exchange_;
    tls12_master_secret master_;
    std::optional<record_layer::protection> pending_read_;
    std::array<std::uint8_t, 12> client_verify_{};
    std::array<std::uint8_t, 12> server_verify_{};
};

} // namespace https::tls

// ---- https/tls/detail/macro_unscope.hpp --------------------------------------------------------
// Undefines the local macros of macro_scope.hpp at the end of each TLS header.
#undef HTTPS_TLS_ASSIGN
#undef HTTPS_TLS_CONCAT
#undef HTTPS_TLS_CONCAT_INNER

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace https::tls {

/// Where the connection stands; the handshake under way has states of its own
/// (`tls13_session()->state()`, `tls12_session()->state()`).
enum class client_state : std::uint8_t {
    start,             ///< nothing sent yet
    wait_server_hello, ///< ClientHello sent, version not chosen yet
    handshaking,       ///< the ServerHello chose the version; its handshake is under way
    connected,         ///< handshake done, application data both ways
    failed,            ///< a fatal error; `error()` says which
};

/// A TLS client connection without I/O. Typical driver loop:
///   client c(cfg); c.start();
///   loop { send(c.take_output()); c.feed(recv()); data = c.take_application_data(); }
/// Every call that fails leaves the engine `failed` with the alert to send already queued in the
/// output: flush it, then close the socket.
class client {
  public:
    HTTPS_DECL explicit client(client_config config);

    /// Queue the ClientHello. Precondition: called once, first.
    HTTPS_DECL status start();

    /// Process bytes received from the server: handshake progress, application data, alerts.
    HTTPS_DECL status feed(bytes_view data);

    /// Encrypt application data for sending. Only once connected and before `close()`.
    HTTPS_DECL status send(bytes_view data);

    /// Queue close_notify (RFC 8446 §6.1); nothing more can be sent afterwards.
    HTTPS_DECL void close();

    /// Bytes to send to the server, in order; taking them empties the queue.
    [[nodiscard]] byte_vector take_output() { return std::exchange(output_, {}); }
    [[nodiscard]] bool has_output() const noexcept { return !output_.empty(); }

    /// Application data received so far; taking it empties the buffer.
    [[nodiscard]] byte_vector take_application_data() { return std::exchange(app_data_, {}); }
    [[nodiscard]] bool has_application_data() const noexcept { return !app_data_.empty(); }

    [[nodiscard]] client_state state() const noexcept { return state_; }
    [[nodiscard]] bool is_connected() const noexcept { return state_ == client_state::connected; }
    /// The server sent close_notify: no more application data will come.
    [[nodiscard]] bool peer_closed() const noexcept { return peer_closed_; }
    [[nodiscard]] errc error() const noexcept { return error_; }
    /// The rule the server broke, when the failure is a refusal of ours (`describe(refusal)`
    /// says it in words); `refusal::none` for any other failure.
    [[nodiscard]] refusal refusal_cause() const noexcept { return refusal_; }
    /// The fatal alert we sent, if any.
    [[nodiscard]] std::optional<alert_description> sent_alert() const noexcept {
        return sent_alert_;
    }
    /// The error alert the server sent, if any.
    [[nodiscard]] std::optional<alert_description> received_alert() const noexcept {
        return received_alert_;
    }
    [[nodiscard]] std::optional<protocol_version> negotiated_version() const noexcept {
        if (tls13_session() != nullptr) {
            return protocol_version::tls13;
        }
        return tls12_session() != nullptr ? std::optional(protocol_version::tls12) : std::nullopt;
    }
    [[nodiscard]] std::optional<cipher_suite> negotiated_suite() const noexcept {
        const auto* h = handshake();
        return h != nullptr && h->suite() != nullptr ? std::optional(h->suite()->suite)
                                                     : std::nullopt;
    }
    [[nodiscard]] std::optional<named_group> negotiated_group() const noexcept {
        const auto* h = handshake();
        return h != nullptr ? h->group() : std::nullopt;
    }
    /// The scheme the server signed the handshake with (CertificateVerify in TLS 1.3, the
    /// ServerKeyExchange in TLS 1.2), once verified; none for the TLS 1.2 RSA key exchange.
    [[nodiscard]] std::optional<signature_scheme> negotiated_signature_scheme() const noexcept {
        const auto* h = handshake();
        return h != nullptr ? h->peer_scheme() : std::nullopt;
    }
    /// The ALPN protocol the server selected (empty if none).
    [[nodiscard]] const std::string& alpn_protocol() const noexcept {
        static const std::string none;
        const auto* h = handshake();
        return h != nullptr ? h->alpn() : none;
    }
    /// The server's certificate chain (DER, leaf first), once the verifier accepted it.
    [[nodiscard]] const std::vector<byte_vector>& peer_certificates() const noexcept {
        static const std::vector<byte_vector> none;
        const auto* h = handshake();
        return h != nullptr ? h->peer_chain() : none;
    }
    /// The OCSP response the server stapled for its leaf (DER), empty if none; kept once received,
    /// so that it can be looked at even when the verifier refused the chain.
    [[nodiscard]] const byte_vector& ocsp_staple() const noexcept {
        static const byte_vector none;
        const auto* h = handshake();
        return h != nullptr ? h->ocsp_staple() : none;
    }
    [[nodiscard]] bool hello_retry_requested() const noexcept {
        return tls13_session() != nullptr && tls13_session()->hello_retry_requested();
    }
    [[nodiscard]] const std::vector<session_ticket>& session_tickets() const noexcept {
        static const std::vector<session_ticket> none;
        return tls13_session() != nullptr ? tls13_session()->session_tickets() : none;
    }
    /// The TLS 1.3 handshake, or null when TLS 1.3 was not negotiated.
    [[nodiscard]] const handshake13* tls13_session() const noexcept {
        return std::get_if<handshake13>(&handshake_);
    }
    /// The TLS 1.2 handshake (extended master secret, encrypt-then-MAC, ...), or null when TLS 1.2
    /// was not negotiated.
    [[nodiscard]] const handshake12* tls12_session() const noexcept {
        return std::get_if<handshake12>(&handshake_);
    }

  private:
    /// The handshake under way, whichever its version; null before the ServerHello.
    [[nodiscard]] const handshake_base* handshake() const noexcept {
        if (const handshake13* h = tls13_session()) {
            return h;
        }
        return tls12_session();
    }

    handshake_context context() {
        return {config_, *offer_, records_, incoming_, output_, refusal_, local_closed_};
    }

    /// Record why we refuse the server; the error (and alert) is the one the refusal names.
    errc refuse(refusal r) noexcept {
        refusal_ = r;
        return error_of(r);
    }

    HTTPS_DECL status on_record(record& rec);
    HTTPS_DECL status on_change_cipher_spec(const record& rec);
    HTTPS_DECL status on_alert(bytes_view payload);
    HTTPS_DECL status drain_handshake();

    /// A complete handshake message: the ServerHello picks the handshake, which takes the rest.
    HTTPS_DECL status on_handshake(const handshake_message& m);
    HTTPS_DECL status on_first_server_hello(const handshake_message& m, handshake_context& ctx);

    /// The refusal of an error from the record layer, by its error.
    HTTPS_DECL errc record_refusal(errc e);
    /// The refusal for a message its parser rejected.
    HTTPS_DECL static refusal malformed(handshake_type t) noexcept;

    HTTPS_DECL void send_alert(alert_level level, alert_description d);

    /// Enter the failed state; queue the alert the error table names (if any, and once).
    HTTPS_DECL errc fail(errc e);

    client_config config_;
    client_state state_ = client_state::start;
    record_layer records_;
    handshake_reassembler incoming_;
    std::optional<client_offer> offer_;
    std::variant<std::monostate, handshake13, handshake12> handshake_;
    unsigned warning_alerts_ = 0;

    byte_vector output_;
    byte_vector app_data_;
    bool peer_closed_ = false;
    bool local_closed_ = false;
    errc error_ = errc::ok;
    refusal refusal_ = refusal::none;
    std::optional<alert_description> sent_alert_;
    std::optional<alert_description> received_alert_;
};

#if defined(HTTPS_TESTING)
/// TEST HOOKS (HTTPS_TESTING builds only): what the tests reach inside the engine.
class test_hooks {
  public:
    /// Replace our ClientHello number `attempt` (0, or 1 after HelloRetryRequest) on the wire and
    /// in the transcript by what `f` returns, so that a recorded trace's exact ClientHello can be
    /// replayed. The engine still expects the answer to what it offered itself, unless `read`
    /// gives the offer of the ClientHello sent (nothing: malformed), which the handshake then
    /// holds the server to.
    static void
    replace_client_hello(client_config& cfg,
                         std::function<byte_vector(const byte_vector& ours, unsigned attempt)> f,
                         std::function<std::optional<client_hello>(bytes_view)> read = {}) {
        cfg.test_hook.replace_ = std::move(f);
        cfg.test_hook.read_ = std::move(read);
    }
    /// The TLS 1.2 master secret once derived (the replay test compares it with the recording).
    static const tls12_master_secret& master_secret(const handshake12& h) noexcept {
        return h.master_;
    }
};
#endif

} // namespace https::tls


#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

// ---- https/tls/detail/macro_scope.hpp ----------------------------------------------------------
// Local macros of the TLS headers; include after all other headers, pair with macro_unscope.hpp.
// (No include guard on purpose: every TLS header re-enters this scope after its own includes.)

#define HTTPS_TLS_CONCAT_INNER(a, b) a##b
#define HTTPS_TLS_CONCAT(a, b) HTTPS_TLS_CONCAT_INNER(a, b)

/// `HTTPS_TLS_ASSIGN(auto v, r.read_u16());` evaluates a result-returning expression, returns its
/// error from the enclosing function on failure, and otherwise binds the value to `lhs`.
/// (`lhs` is a declaration such as `auto v`, so it cannot be parenthesised.)
// NOLINTBEGIN(bugprone-macro-parentheses)
#define HTTPS_TLS_ASSIGN(lhs, expr)                                                                \
    auto HTTPS_TLS_CONCAT(https_tls_r_, __LINE__) = (expr);                                        \
    if (!HTTPS_TLS_CONCAT(https_tls_r_, __LINE__).ok()) {                                          \
        return HTTPS_TLS_CONCAT(https_tls_r_, __LINE__).error();                                   \
    }                                                                                              \
    lhs = std::move(HTTPS_TLS_CONCAT(https_tls_r_, __LINE__)).value()
// NOLINTEND(bugprone-macro-parentheses)

namespace https::tls {

HTTPS_DECL client::client(client_config config)
    : config_(std::move(config)), incoming_(config_.max_handshake_message) {
    records_.set_max_fragment(config_.max_fragment);
}

HTTPS_DECL status client::start() {
    assert(state_ == client_state::start);
    auto offer = client_offer::make(config_);
    if (!offer) {
        return fail(offer.error());
    }
    offer_.emplace(std::move(*offer));
    // RFC 8446 §5.1: 0x0301 is allowed (and most compatible) for the initial ClientHello.
    records_.set_write_version(0x0301);
    records_.write(content_type::handshake, offer_->message(), output_);
    records_.set_write_version(0x0303);
    state_ = client_state::wait_server_hello;
    return {};
}

HTTPS_DECL status client::feed(bytes_view data) {
    if (state_ == client_state::failed) {
        return error_;
    }
    assert(state_ != client_state::start);
    records_.feed(data);
    while (state_ != client_state::failed) {
        auto rec = records_.read();
        if (!rec) {
            return fail(record_refusal(rec.error()));
        }
        if (!rec->has_value()) {
            break;
        }
        if (auto s = on_record(**rec); !s) {
            return fail(s.error());
        }
    }
    return state_ == client_state::failed ? status{error_} : status{};
}

HTTPS_DECL status client::send(bytes_view data) {
    if (state_ == client_state::failed) {
        return error_;
    }
    if (state_ != client_state::connected || local_closed_) {
        return errc::tls_closed;
    }
    records_.write(content_type::application_data, data, output_);
    return {};
}

HTTPS_DECL void client::close() {
    if (local_closed_ || state_ == client_state::failed || state_ == client_state::start) {
        return;
    }
    send_alert(alert_level::warning, alert_description::close_notify);
    local_closed_ = true;
}

HTTPS_DECL status client::on_record(record& rec) {
    switch (rec.type) {
    case content_type::change_cipher_spec:
        return on_change_cipher_spec(rec);
    case content_type::alert:
        return on_alert(rec.payload);
    case content_type::handshake:
        if (!incoming_.append(rec.payload)) {
            return refuse(refusal::empty_handshake_record);
        }
        return drain_handshake();
    case content_type::application_data:
        // §5.1: handshake messages must not be interleaved with other record types.
        if (!incoming_.empty()) {
            return refuse(refusal::record_interleaved);
        }
        if (state_ != client_state::connected) {
            return refuse(refusal::application_data_before_finished);
        }
        if (!peer_closed_) { // §6.1: data after close_notify is ignored
            app_data_.insert(app_data_.end(), rec.payload.begin(), rec.payload.end());
        }
        return {};
    default:
        return refuse(refusal::record_type_invalid);
    }
}

HTTPS_DECL status client::on_change_cipher_spec(const record& rec) {
    if (auto* h12 = std::get_if<handshake12>(&handshake_)) {
        // RFC 5246 §7.1: ChangeCipherSpec is a record type of its own, so it may not cut a
        // handshake message in two.
        if (!incoming_.empty()) {
            return refuse(refusal::record_interleaved);
        }
        handshake_context ctx = context();
        return h12->on_change_cipher_spec(rec.payload, ctx);
    }
    // RFC 8446 §5: an unprotected CCS of value 1 between our first ClientHello and the server's
    // Finished is dropped; any other is unexpected_message.
    const bool allowed = state_ == client_state::wait_server_hello ||
                         (state_ == client_state::handshaking && tls13_session() != nullptr);
    if (rec.was_protected || !allowed || rec.payload.size() != 1 || rec.payload[0] != 1) {
        return refuse(refusal::unexpected_change_cipher_spec);
    }
    return {};
}

HTTPS_DECL status client::on_alert(bytes_view payload) {
    // §5.1: alerts are never fragmented or coalesced: exactly level + description.
    if (payload.size() != 2) {
        return refuse(refusal::malformed_alert);
    }
    const auto description = static_cast<alert_description>(payload[1]);
    // RFC 5246 §7.2: a warning alert other than close_notify (unrecognized_name,
    // no_renegotiation, ...) does not end a TLS 1.2 connection; a stream of them does, so that a
    // peer cannot keep us busy.
    if (tls12_session() != nullptr && payload[0] == static_cast<std::uint8_t>(alert_level::warning) &&
        description != alert_description::close_notify) {
        return ++warning_alerts_ > 16 ? status{refuse(refusal::too_many_warning_alerts)}
                                      : status{};
    }
    if (description == alert_description::close_notify) {
        peer_closed_ = true;
        // Closing before the handshake completes is a failure of the handshake.
        return state_ == client_state::connected
                   ? status{}
                   : status{refuse(refusal::closed_during_handshake)};
    }
    if (description == alert_description::user_canceled) {
        return {}; // §6.1: a close_notify follows
    }
    // §6: every other alert is an error alert, whatever its level says.
    received_alert_ = description;
    return errc::tls_alert_received;
}

HTTPS_DECL status client::drain_handshake() {
    while (true) {
        auto msg = incoming_.next();
        if (!msg) {
            return msg.error() == errc::too_large
                       ? status{refuse(refusal::handshake_message_too_large)}
                       : status{msg.error()};
        }
        if (!msg->has_value()) {
            return {};
        }
        HTTPS_TRY(on_handshake(**msg));
    }
}

HTTPS_DECL status client::on_handshake(const handshake_message& m) {
    handshake_context ctx = context();
    status s = std::visit(
        [&](auto& h) -> status {
            if constexpr (std::is_same_v<std::decay_t<decltype(h)>, std::monostate>) {
                return on_first_server_hello(m, ctx);
            } else {
                HTTPS_TRY(h.on_message(m, ctx));
                if (state_ == client_state::handshaking && h.connected()) {
                    state_ = client_state::connected;
                }
                return {};
            }
        },
        handshake_);
    // What no rule of ours named came from a message's parser: the message is malformed.
    if (!s && refusal_ == refusal::none &&
        (s.error() == errc::tls_decode_error || s.error() == errc::tls_illegal_parameter)) {
        refusal_ = malformed(m.type);
    }
    return s;
}

HTTPS_DECL status client::on_first_server_hello(const handshake_message& m,
                                                handshake_context& ctx) {
    if (m.type != handshake_type::server_hello) {
        return refuse(refusal::unexpected_handshake_message);
    }
    HTTPS_TLS_ASSIGN(server_hello sh, parse_server_hello(m.body));
    HTTPS_TLS_ASSIGN(protocol_version v, offer_->select_version(sh, refusal_));
    state_ = client_state::handshaking;
    if (v == protocol_version::tls13) {
        return handshake_.emplace<handshake13>().on_server_hello(sh, m, ctx);
    }
    return handshake_.emplace<handshake12>().on_server_hello(sh, m, ctx);
}

HTTPS_DECL void client::send_alert(alert_level level, alert_description d) {
    const std::uint8_t body[2] = {static_cast<std::uint8_t>(level), static_cast<std::uint8_t>(d)};
    records_.write(content_type::alert, body, output_);
}

HTTPS_DECL errc client::fail(errc e) {
    if (state_ == client_state::failed) {
        return error_;
    }
    // Nothing was sent yet if start() itself failed: there is no peer to alert.
    const bool started = state_ != client_state::start;
    state_ = client_state::failed;
    error_ = e;
    alert_description a{};
    if (started && alert_for(e, a) && !local_closed_) {
        // RFC 5246 §7.2.2: no_renegotiation is always a warning.
        send_alert(a == alert_description::no_renegotiation ? alert_level::warning
                                                            : alert_level::fatal,
                   a);
        sent_alert_ = a;
    }
    return e;
}

HTTPS_DECL errc client::record_refusal(errc e) {
    switch (e) {
    case errc::tls_unexpected_message:
        return refuse(refusal::record_type_invalid);
    case errc::tls_record_overflow:
        return refuse(refusal::record_too_long);
    case errc::tls_bad_record_mac:
        return refuse(refusal::record_authentication_failed);
    case errc::tls_decode_error:
        return refuse(refusal::record_malformed);
    default:
        return e;
    }
}

HTTPS_DECL refusal client::malformed(handshake_type t) noexcept {
    using h = handshake_type;
    switch (t) {
    case h::server_hello: return refusal::malformed_server_hello;
    case h::encrypted_extensions: return refusal::malformed_encrypted_extensions;
    case h::certificate: return refusal::malformed_certificate;
    case h::certificate_request: return refusal::malformed_certificate_request;
    case h::certificate_verify: return refusal::malformed_certificate_verify;
    case h::finished: return refusal::finished_length_wrong;
    case h::new_session_ticket: return refusal::malformed_new_session_ticket;
    case h::key_update: return refusal::malformed_key_update;
    case h::server_key_exchange: return refusal::malformed_server_key_exchange;
    case h::server_hello_done: return refusal::malformed_server_hello_done;
    case h::hello_request: return refusal::malformed_hello_request;
    default: return refusal::malformed_handshake_message;
    }
}

} // namespace https::tls

// ---- https/tls/detail/macro_unscope.hpp --------------------------------------------------------
// Undefines the local macros of macro_scope.hpp at the end of each TLS header.
#undef HTTPS_TLS_ASSIGN
#undef HTTPS_TLS_CONCAT
#undef HTTPS_TLS_CONCAT_INNER
// ---- https/net/impl/tls_stream.ipp -------------------------------------------------------------
// TLS over TCP (net/tls_stream.hpp), out of line for separate compilation.

// ---- https/net/tls_stream.hpp ------------------------------------------------------------------
// TLS over a TCP connection: drives the sans-I/O tls::client engine with a socket and deadlines.

// ---- https/net/socket.hpp ----------------------------------------------------------------------
// TCP connections over POSIX sockets with deadlines: name resolution (getaddrinfo, bounded by the
// deadline), non-blocking connect with fallback across addresses, and timed send/receive.

// ---- https/net/stream.hpp ----------------------------------------------------------------------
// The byte-stream interface the HTTP client talks to: plain TCP or TLS over TCP, with deadlines.


#include <chrono>
#include <string>

namespace https::net {

using clock = std::chrono::steady_clock;
using deadline = clock::time_point;

/// A connected, ordered, reliable byte stream.
class stream {
public:
    stream() = default;
    stream(const stream&) = delete;
    stream& operator=(const stream&) = delete;
    stream(stream&&) = delete;
    stream& operator=(stream&&) = delete;
    virtual ~stream() = default;

    /// Send all of `data` before the deadline.
    virtual status write_all(bytes_view data, deadline d) = 0;
    /// Send from the front of `data` until all of it is sent or the peer has something for us to
    /// read (bytes, or the end or a reset of the connection), waiting for room to send within the
    /// deadline. Returns how many bytes of `data` the stream took: all of them, or fewer when the
    /// peer spoke first; then the caller reads (read_some delivers what arrived, then reports the
    /// end or the reset) and may call again with the rest. This is how a client notices a
    /// response that arrives while it is still sending a request body (RFC 9112 §9.5), instead of
    /// blocking on a server that has stopped reading.
    virtual result<std::size_t> write_unless_readable(bytes_view data, deadline d) = 0;
    /// Receive at least one byte before the deadline; 0 means the peer ended the stream cleanly.
    virtual result<std::size_t> read_some(mutable_bytes buf, deadline d) = 0;
    /// Bound every wait for the peer (for a byte to read, for room to write, and inside a TLS
    /// handshake) to `timeout`, whatever deadline the call was given: a wait that long without
    /// progress fails with net_idle_timeout. 0 = no bound but the deadline.
    virtual void set_idle_timeout(std::chrono::milliseconds timeout) = 0;
    /// Whether an idle pooled connection may carry another request (peer has not closed it).
    [[nodiscard]] virtual bool reusable() const = 0;
    /// A short description of the negotiated security, for `-v` output ("TLSv1.3 ...").
    [[nodiscard]] virtual std::string describe() const = 0;
};

} // namespace https::net

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace https::net {

/// A deadline `timeout` from now; a zero or negative timeout means "no limit".
inline deadline deadline_after(std::chrono::milliseconds timeout) {
    if (timeout.count() <= 0) {
        return deadline::max();
    }
    return clock::now() + timeout;
}

namespace detail {

/// Milliseconds left until `d` for poll(2): -1 for no deadline, 0 once it has passed.
inline int poll_timeout(deadline d) {
    if (d == deadline::max()) {
        return -1;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(d - clock::now());
    if (left.count() <= 0) {
        return 0;
    }
    return left.count() > 1'000'000'000 ? 1'000'000'000 : static_cast<int>(left.count());
}

/// Wait until `fd` is ready for `events` and return the events that happened (poll's revents,
/// which may include POLLHUP and POLLERR): net_timeout when the deadline passes first,
/// net_idle_timeout when `idle` (if not 0) passes before the deadline does.
inline result<short> wait_for(int fd, short events, deadline d,
                              std::chrono::milliseconds idle = std::chrono::milliseconds{0}) {
    const auto now = clock::now();
    const bool idle_first = idle.count() > 0 && (d == deadline::max() || now + idle < d);
    const deadline until = idle_first ? now + idle : d;
    for (;;) {
        pollfd p{fd, events, 0};
        const int n = ::poll(&p, 1, poll_timeout(until));
        if (n > 0) {
            return p.revents;
        }
        if (n == 0) {
            return idle_first ? errc::net_idle_timeout : errc::net_timeout;
        }
        if (errno != EINTR) {
            return errc::net_io_error;
        }
    }
}

struct addrinfo_deleter {
    void operator()(addrinfo* a) const noexcept { ::freeaddrinfo(a); }
};
using addrinfo_ptr = std::unique_ptr<addrinfo, addrinfo_deleter>;

} // namespace detail

/// One resolved address, ready for connect(2).
struct endpoint {
    sockaddr_storage address{};
    socklen_t length = 0;
    int family = AF_UNSPEC;

    /// Numeric form, for diagnostics ("127.0.0.1", "::1").
    [[nodiscard]] std::string to_string() const {
        char buf[INET6_ADDRSTRLEN] = {};
        const void* src = family == AF_INET6
                              ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr)
                              : static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(&address)->sin_addr);
        ::inet_ntop(family, src, buf, sizeof buf);
        return buf;
    }
};

/// Resolve `host` (a name or a numeric IPv4/IPv6 address) for TCP on `port`. Numeric hosts never
/// touch DNS. getaddrinfo cannot be cancelled, so name lookups run on a helper thread and are
/// abandoned (net_timeout) when the deadline passes. Errors: net_resolve_failed, net_timeout.
inline result<std::vector<endpoint>> resolve(const std::string& host, std::uint16_t port,
                                             deadline d) {
    struct lookup {
        std::mutex m;
        std::condition_variable cv;
        bool done = false;
        int rc = 0;
        detail::addrinfo_ptr list;
    };
    auto job = std::make_shared<lookup>();
    const std::string service = std::to_string(port);
    auto run = [job, host, service](int flags) {
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = flags;
        addrinfo* out = nullptr;
        const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &out);
        std::lock_guard<std::mutex> lock(job->m);
        job->rc = rc;
        job->list.reset(out);
        job->done = true;
        job->cv.notify_all();
    };
    run(AI_NUMERICHOST | AI_NUMERICSERV);
    if (job->rc != 0) {
        job->done = false;
        std::thread(run, AI_NUMERICSERV | AI_ADDRCONFIG).detach();
        std::unique_lock<std::mutex> lock(job->m);
        if (d == deadline::max()) {
            job->cv.wait(lock, [&] { return job->done; });
        } else if (!job->cv.wait_until(lock, d, [&] { return job->done; })) {
            return errc::net_timeout;
        }
    }
    if (job->rc != 0 || !job->list) {
        return errc::net_resolve_failed;
    }
    std::vector<endpoint> out;
    for (const addrinfo* a = job->list.get(); a != nullptr; a = a->ai_next) {
        if ((a->ai_family != AF_INET && a->ai_family != AF_INET6) ||
            a->ai_addrlen > sizeof(sockaddr_storage)) {
            continue;
        }
        endpoint e;
        std::memcpy(&e.address, a->ai_addr, a->ai_addrlen);
        e.length = a->ai_addrlen;
        e.family = a->ai_family;
        out.push_back(e);
    }
    if (out.empty()) {
        return errc::net_resolve_failed;
    }
    return out;
}

/// A connected TCP socket (owning its descriptor), with deadline-bounded I/O. Writes never raise
/// SIGPIPE (MSG_NOSIGNAL), so a peer that hangs up cannot kill the host program.
class tcp_stream final : public stream {
public:
    tcp_stream() = default;
    explicit tcp_stream(int fd) noexcept : fd_(fd) {}
    tcp_stream(tcp_stream&& o) noexcept : fd_(o.fd_), peer_(o.peer_), idle_(o.idle_) { o.fd_ = -1; }
    tcp_stream& operator=(tcp_stream&& o) noexcept {
        if (this != &o) {
            close();
            fd_ = o.fd_;
            peer_ = o.peer_;
            idle_ = o.idle_;
            o.fd_ = -1;
        }
        return *this;
    }
    tcp_stream(const tcp_stream&) = delete;
    tcp_stream& operator=(const tcp_stream&) = delete;
    ~tcp_stream() override { close(); }

    [[nodiscard]] bool is_open() const noexcept { return fd_ >= 0; }
    [[nodiscard]] int native_handle() const noexcept { return fd_; }
    [[nodiscard]] const endpoint& peer() const noexcept { return peer_; }

    void close() noexcept {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }

    /// Send what the socket takes without waiting: the number of bytes sent, 0 when its buffer
    /// is full; net_connection_closed when the peer has reset or closed the connection.
    result<std::size_t> send_now(bytes_view data) noexcept {
        for (;;) {
            const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n >= 0) {
                return static_cast<std::size_t>(n);
            }
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return std::size_t{0};
            }
            return (errno == EPIPE || errno == ECONNRESET) ? errc::net_connection_closed
                                                          : errc::net_io_error;
        }
    }

    /// Wait, within the deadline and the idle timeout, until there is room to send or something
    /// to read (bytes, the end of the stream or a reset); true when there is something to read.
    result<bool> wait_writable_or_readable(deadline d) const {
        auto events = detail::wait_for(fd_, POLLIN | POLLOUT, d, idle_);
        if (!events) {
            return events.error();
        }
        return (*events & (POLLIN | POLLHUP | POLLERR)) != 0;
    }

    /// Send all of `data` before the deadline.
    status write_all(bytes_view data, deadline d) override {
        std::size_t sent = 0;
        while (sent < data.size()) {
            auto n = send_now(data.subspan(sent));
            if (!n) {
                return n.error();
            }
            if (*n == 0) {
                HTTPS_TRY(detail::wait_for(fd_, POLLOUT, d, idle_));
            }
            sent += *n;
        }
        return {};
    }

    /// Send until all of `data` is sent or the peer has something to say (see stream). A reset
    /// peer stops the sending too: what it sent before the reset may still be waiting to be read.
    result<std::size_t> write_unless_readable(bytes_view data, deadline d) override {
        std::size_t sent = 0;
        while (sent < data.size()) {
            auto readable = wait_writable_or_readable(d);
            if (!readable) {
                return readable.error();
            }
            if (*readable) {
                break;
            }
            auto n = send_now(data.subspan(sent));
            if (!n && n.error() == errc::net_connection_closed) {
                break;
            }
            if (!n) {
                return n.error();
            }
            sent += *n;
        }
        return sent;
    }

    /// Receive at least one byte before the deadline; 0 means the peer closed the connection.
    result<std::size_t> read_some(mutable_bytes buf, deadline d) override {
        for (;;) {
            const ssize_t n = ::recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);
            if (n >= 0) {
                return static_cast<std::size_t>(n);
            }
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                HTTPS_TRY(detail::wait_for(fd_, POLLIN, d, idle_));
                continue;
            }
            return errno == ECONNRESET ? errc::net_connection_closed : errc::net_io_error;
        }
    }

    void set_idle_timeout(std::chrono::milliseconds timeout) override { idle_ = timeout; }

    /// True if the peer has closed or sent unexpected data on an idle connection (so a pooled
    /// connection must not be reused).
    [[nodiscard]] bool idle_connection_broken() const noexcept {
        pollfd p{fd_, POLLIN, 0};
        return ::poll(&p, 1, 0) != 0;
    }
    [[nodiscard]] bool reusable() const override { return is_open() && !idle_connection_broken(); }
    [[nodiscard]] std::string describe() const override { return "plain TCP to " + peer_.to_string(); }

private:
    friend result<tcp_stream> connect_endpoint(const endpoint& e, deadline d,
                                               std::chrono::milliseconds idle);
    int fd_ = -1;
    endpoint peer_{};
    std::chrono::milliseconds idle_{0};
};

/// Connect to one address with a non-blocking connect bounded by the deadline and by `idle`
/// (net_idle_timeout), which the stream then keeps as its idle timeout.
inline result<tcp_stream> connect_endpoint(const endpoint& e, deadline d,
                                           std::chrono::milliseconds idle) {
    const int fd = ::socket(e.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd < 0) {
        return errc::net_connect_failed;
    }
    tcp_stream s(fd);
    s.peer_ = e;
    s.idle_ = idle;
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); // requests are small writes
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&e.address), e.length) != 0) {
        if (errno != EINPROGRESS && errno != EINTR) {
            return errc::net_connect_failed;
        }
        HTTPS_TRY(detail::wait_for(fd, POLLOUT, d, idle));
        int err = 0;
        socklen_t len = sizeof err;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
            return errc::net_connect_failed;
        }
    }
    return s;
}

/// Connect to the first address that answers, trying each in turn (IPv6 and IPv4 as the
/// resolver ordered them). A timeout on one address moves on to the next while time remains.
/// `idle` (0 = none) bounds each attempt too and becomes the stream's idle timeout.
inline result<tcp_stream> connect(const std::vector<endpoint>& endpoints, deadline d,
                                  std::chrono::milliseconds idle = std::chrono::milliseconds{0}) {
    errc last = errc::net_connect_failed;
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
        // Give each remaining address a fair share of the time left, so one black-holed address
        // cannot consume the whole budget.
        deadline attempt = d;
        if (d != deadline::max()) {
            const auto left = d - clock::now();
            if (left.count() <= 0) {
                return errc::net_timeout;
            }
            attempt = clock::now() + left / static_cast<long>(endpoints.size() - i);
        }
        auto s = connect_endpoint(endpoints[i], attempt, idle);
        if (s) {
            return s;
        }
        last = s.error();
    }
    return last;
}

} // namespace https::net

#include <array>
#include <chrono>
#include <string>
#include <utility>

namespace https::net {

/// A TLS connection. Created by `handshake`, which runs the whole handshake before returning.
/// A peer that ends the TCP connection without close_notify is reported as
/// `net_connection_closed` (a possible truncation), never as a clean end of stream.
class tls_stream final : public stream {
public:
    HTTPS_DECL tls_stream(tcp_stream tcp, tls::client engine);
    tls_stream(const tls_stream&) = delete;
    tls_stream& operator=(const tls_stream&) = delete;
    tls_stream(tls_stream&&) = delete;
    tls_stream& operator=(tls_stream&&) = delete;
    HTTPS_DECL ~tls_stream() override;

    /// Connect TLS over an open TCP connection, before the deadline. When the engine refuses the
    /// server, `why` (if given) receives the rule the server broke.
    HTTPS_DECL static result<std::unique_ptr<tls_stream>>
    handshake(tcp_stream tcp, tls::client_config cfg, deadline d, tls::refusal* why = nullptr);

    HTTPS_DECL status write_all(bytes_view data, deadline d) override;

    /// Encrypts one record's worth at a time and sends it while watching for the peer: records
    /// received meanwhile are decrypted (session tickets, KeyUpdate), and the call returns early
    /// once application data, close_notify, the end of the connection or an error has arrived.
    /// Ciphertext already made but not yet sent stays queued, ahead of anything sent later.
    HTTPS_DECL result<std::size_t> write_unless_readable(bytes_view data, deadline d) override;

    HTTPS_DECL result<std::size_t> read_some(mutable_bytes buf, deadline d) override;

    void set_idle_timeout(std::chrono::milliseconds timeout) override {
        tcp_.set_idle_timeout(timeout);
    }

    [[nodiscard]] bool reusable() const override {
        return engine_.is_connected() && !engine_.peer_closed() && pending_.size() == pending_pos_ &&
               out_.size() == out_pos_ && read_error_ == errc::ok && tcp_.reusable();
    }

    [[nodiscard]] HTTPS_DECL std::string describe() const override;

    [[nodiscard]] const tls::client& engine() const noexcept { return engine_; }

private:
    // Move what the engine has made (handshake flights, records, alerts) behind out_.
    HTTPS_DECL void queue_output();

    // Send everything queued, before the deadline.
    HTTPS_DECL status flush(deadline d);

    // Send what the socket takes now of everything queued; the rest waits for the next write.
    HTTPS_DECL void try_flush();

    // Read one batch from the socket into the engine, collecting application data.
    HTTPS_DECL status pump(deadline d);

    tcp_stream tcp_;
    tls::client engine_;
    std::array<std::uint8_t, 16 * 1024 + 512> buffer_{};
    byte_vector pending_; // application data received, not yet read (from pending_pos_)
    std::size_t pending_pos_ = 0;
    byte_vector out_; // ciphertext made, not yet sent (from out_pos_)
    std::size_t out_pos_ = 0;
    // A receive failure met while sending, reported by read_some once the application data that
    // arrived before it has been read.
    errc read_error_ = errc::ok;
};

} // namespace https::net


#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>

namespace https::net {

HTTPS_DECL tls_stream::tls_stream(tcp_stream tcp, tls::client engine)
    : tcp_(std::move(tcp)), engine_(std::move(engine)) {}

HTTPS_DECL tls_stream::~tls_stream() {
    // Best effort close_notify; the connection is going away either way, so nothing (not
    // even an allocation failure) may escape.
    try {
        engine_.close();
        (void)flush(clock::now() + std::chrono::milliseconds(100));
    } catch (...) { // NOLINT(bugprone-empty-catch)
    }
}

HTTPS_DECL result<std::unique_ptr<tls_stream>>
tls_stream::handshake(tcp_stream tcp, tls::client_config cfg, deadline d, tls::refusal* why) {
    auto s = std::make_unique<tls_stream>(std::move(tcp), tls::client(std::move(cfg)));
    if (auto st = s->engine_.start(); !st) {
        (void)s->flush(d);
        return st.error();
    }
    while (!s->engine_.is_connected()) {
        HTTPS_TRY(s->flush(d));
        if (auto st = s->pump(d); !st) {
            if (why != nullptr) {
                *why = s->engine_.refusal_cause();
            }
            return st.error();
        }
    }
    HTTPS_TRY(s->flush(d));
    return s;
}

HTTPS_DECL status tls_stream::write_all(bytes_view data, deadline d) {
    HTTPS_TRY(engine_.send(data));
    return flush(d);
}

HTTPS_DECL result<std::size_t> tls_stream::write_unless_readable(bytes_view data, deadline d) {
    std::size_t taken = 0;
    for (;;) {
        if (pending_.size() != pending_pos_ || engine_.peer_closed() ||
            read_error_ != errc::ok) {
            return taken; // the peer has spoken: the caller reads before sending more
        }
        queue_output();
        if (out_.size() == out_pos_) {
            if (taken == data.size()) {
                return taken;
            }
            // One record at a time: no more is committed to the connection than goes out
            // before the peer's next word is looked at.
            const std::size_t n = std::min(data.size() - taken, tls::max_plaintext_length);
            HTTPS_TRY(engine_.send(data.subspan(taken, n)));
            taken += n;
            continue;
        }
        auto readable = tcp_.wait_writable_or_readable(d);
        if (!readable) {
            return readable.error();
        }
        if (*readable) {
            // Session tickets and KeyUpdate are handled here and sending goes on; application
            // data, close_notify or a failure (kept for read_some) end the loop above.
            if (auto st = pump(d); !st) {
                read_error_ = st.error();
            }
            continue;
        }
        auto n = tcp_.send_now(bytes_view(out_).subspan(out_pos_));
        if (!n && n.error() != errc::net_connection_closed) {
            return n.error();
        }
        // A reset leaves the socket readable: the next round reads what came before it.
        out_pos_ += n ? *n : 0;
    }
}

HTTPS_DECL result<std::size_t> tls_stream::read_some(mutable_bytes buf, deadline d) {
    while (pending_.size() == pending_pos_) {
        if (engine_.peer_closed()) {
            return std::size_t{0};
        }
        if (read_error_ != errc::ok) {
            return read_error_;
        }
        HTTPS_TRY(pump(d));
        // e.g. our KeyUpdate answer; without waiting, since a peer answering a request it did
        // not read in full may have stopped reading (it goes out with the next write otherwise)
        try_flush();
    }
    const std::size_t n = std::min(buf.size(), pending_.size() - pending_pos_);
    std::copy_n(pending_.begin() + static_cast<std::ptrdiff_t>(pending_pos_), n, buf.begin());
    pending_pos_ += n;
    return n;
}

HTTPS_DECL std::string tls_stream::describe() const {
    std::string out = "TLS";
    if (auto v = engine_.negotiated_version()) {
        out += *v == tls::protocol_version::tls13 ? "v1.3" : "v1.2";
    }
    if (auto s = engine_.negotiated_suite()) {
        out += " " + std::string(tls::cipher_suite_name(static_cast<std::uint16_t>(*s)));
    }
    if (auto g = engine_.negotiated_group()) {
        out += " group " + std::string(tls::named_group_name(static_cast<std::uint16_t>(*g)));
    }
    if (auto sig = engine_.negotiated_signature_scheme()) {
        out += " signature " +
               std::string(tls::signature_scheme_name(static_cast<std::uint16_t>(*sig)));
    }
    if (!engine_.alpn_protocol().empty()) {
        out += " ALPN " + engine_.alpn_protocol();
    }
    return out + " to " + tcp_.peer().to_string();
}

HTTPS_DECL void tls_stream::queue_output() {
    if (!engine_.has_output()) {
        return;
    }
    if (out_.size() == out_pos_) {
        out_ = engine_.take_output();
        out_pos_ = 0;
    } else {
        auto more = engine_.take_output();
        out_.insert(out_.end(), more.begin(), more.end());
    }
}

HTTPS_DECL status tls_stream::flush(deadline d) {
    queue_output();
    if (out_.size() == out_pos_) {
        return {};
    }
    auto st = tcp_.write_all(bytes_view(out_).subspan(out_pos_), d);
    out_.clear();
    out_pos_ = 0;
    return st;
}

HTTPS_DECL void tls_stream::try_flush() {
    queue_output();
    if (out_.size() != out_pos_) {
        if (auto n = tcp_.send_now(bytes_view(out_).subspan(out_pos_))) {
            out_pos_ += *n;
        }
    }
}

HTTPS_DECL status tls_stream::pump(deadline d) {
    auto n = tcp_.read_some(buffer_, d);
    if (!n) {
        return n.error();
    }
    if (*n == 0) {
        return errc::net_connection_closed; // EOF without close_notify
    }
    auto st = engine_.feed(bytes_view(buffer_.data(), *n));
    if (engine_.has_application_data()) {
        if (pending_pos_ == pending_.size()) {
            pending_ = engine_.take_application_data();
            pending_pos_ = 0;
        } else {
            auto more = engine_.take_application_data();
            pending_.insert(pending_.end(), more.begin(), more.end());
        }
    }
    if (!st) {
        try_flush(); // deliver our alert if the socket takes it, before giving up
        return st.error();
    }
    return {};
}

} // namespace https::net
// ---- https/http/impl/body_source.ipp -----------------------------------------------------------
// file_body (http/body_source.hpp), out of line for separate compilation.


#include <cerrno>
#include <cstdint>
#include <fcntl.h>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

namespace https::http {

HTTPS_DECL result<file_body> file_body::open(const std::string& path) {
    int fd = -1;
    do {
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        return errc::http_body_read_failed;
    }
    file_body body(fd, true);
    HTTPS_TRY(body.stat_descriptor());
    return body;
}

HTTPS_DECL result<file_body> file_body::from_descriptor(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || (flags & O_ACCMODE) == O_WRONLY) {
        return errc::http_body_read_failed;
    }
    file_body body(fd, false);
    HTTPS_TRY(body.stat_descriptor());
    return body;
}

HTTPS_DECL status file_body::stat_descriptor() {
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || S_ISDIR(st.st_mode)) {
        return errc::http_body_read_failed;
    }
    if (S_ISREG(st.st_mode)) {
        const off_t at = ::lseek(fd_, 0, SEEK_CUR);
        if (at < 0 || at > st.st_size) {
            return errc::http_body_read_failed;
        }
        seekable_ = true;
        start_ = static_cast<std::uint64_t>(at);
        size_ = static_cast<std::uint64_t>(st.st_size - at);
    }
    return {};
}

HTTPS_DECL file_body::~file_body() {
    if (owned_ && fd_ >= 0) {
        ::close(fd_);
    }
}

HTTPS_DECL result<std::size_t> file_body::read(mutable_bytes buf) {
    for (;;) {
        const ssize_t n = ::read(fd_, buf.data(), buf.size());
        if (n >= 0) {
            read_ += static_cast<std::uint64_t>(n);
            return static_cast<std::size_t>(n);
        }
        if (errno != EINTR) {
            return errc::http_body_read_failed;
        }
    }
}

HTTPS_DECL status file_body::rewind() {
    if (read_ == 0) {
        return {};
    }
    if (!seekable_) {
        return errc::http_body_not_rewindable;
    }
    if (::lseek(fd_, static_cast<off_t>(start_), SEEK_SET) < 0) {
        return errc::http_body_read_failed;
    }
    read_ = 0;
    return {};
}

} // namespace https::http
// ---- https/http/impl/inflate.ipp ---------------------------------------------------------------
// The DEFLATE decoder (http/inflate.hpp), out of line for separate compilation: CRC-32 and
// Adler-32, canonical Huffman tables, the block decoder and the zlib and gzip wrappers.

// ---- https/http/inflate.hpp --------------------------------------------------------------------
// A streaming decoder for compressed bodies: RFC 1951 DEFLATE, with the RFC 1950 (zlib) and
// RFC 1952 (gzip) wrappers, fed in pieces of any size, in constant memory, with bomb caps.


#include <cstdint>
#include <functional>
#include <limits>
#include <memory>

namespace https::http {

/// The wrapper around the DEFLATE data.
enum class compression_format {
    raw,         ///< RFC 1951 DEFLATE alone
    zlib,        ///< RFC 1950: a 2-byte header, DEFLATE, Adler-32 of the output
    gzip,        ///< RFC 1952: header, DEFLATE, CRC-32 and size; concatenated members accepted
    zlib_or_raw, ///< HTTP's "deflate": zlib (RFC 9110 §8.4.1.2), or raw DEFLATE, which some
                 ///< servers send instead, told apart by the first two bytes (see inflater)
};

/// Caps against decompression bombs. Output beyond `max_output_bytes` is
/// `errc::inflate_too_large`; once the output passes `ratio_grace_bytes`, output of more than
/// `max_ratio` times the compressed bytes read so far is `errc::inflate_ratio_exceeded`
/// (DEFLATE's own limit is about 1032:1). Both are checked before output reaches the sink, in
/// steps of at most 64 KiB of output, so the sink never sees bytes past either cap.
struct inflate_limits {
    std::uint64_t max_output_bytes = std::numeric_limits<std::uint64_t>::max();
    std::uint32_t max_ratio = 0;                  ///< 0 = no ratio cap
    std::uint64_t ratio_grace_bytes = 1u << 20;   ///< output below this is never a ratio breach
};

namespace detail {

/// CRC-32 as RFC 1952 §8 defines it (reflected polynomial 0xEDB88320, pre- and post-inverted):
/// pass 0 to start and the previous value to continue.
HTTPS_DECL std::uint32_t crc32_update(std::uint32_t crc, bytes_view data) noexcept;

/// Adler-32 (RFC 1950 §8.2): pass 1 to start and the previous value to continue.
HTTPS_DECL std::uint32_t adler32_update(std::uint32_t adler, bytes_view data) noexcept;

struct inflate_state; // the window, the Huffman tables and the decoder's position (impl/)

} // namespace detail

/// A streaming DEFLATE decoder. Compressed bytes go in through `feed`, in pieces of any size
/// (one byte at a time works); decoded bytes come out through the sink, in pieces of at most
/// 64 KiB, before `feed` returns. Memory is constant: a 96 KiB buffer (the 32 KiB window of
/// RFC 1951 §3.2 plus room to decode ahead) and the Huffman tables, allocated once.
///
/// Every malformed input is a named `errc` (the `inflate_*` group), after which the decoder
/// stays failed; output decoded by the failing call and not yet handed over is dropped. The
/// checksum of a zlib or gzip stream is checked when its trailer arrives, so a mismatch is
/// reported after the output it covers has gone to the sink.
///
/// gzip: concatenated members (RFC 1952 §2.2, "a series of members") are decoded one after the
/// other, as gzip -d does; after a member, a byte that cannot start another is
/// `inflate_trailing_data`. zlib and raw: any byte after the stream is `inflate_trailing_data`.
/// Preset dictionaries (zlib FDICT) are refused as `inflate_bad_header`.
///
/// `zlib_or_raw`: a stream whose first two bytes form a valid zlib header (method 8, window
/// ≤ 32 KiB, check bits) is zlib; anything else is raw DEFLATE. Raw DEFLATE can look like a
/// zlib header only when it starts with a stored block whose padding bits are not zero, which
/// no encoder writes.
class inflater {
public:
    using sink = std::function<status(bytes_view)>;

    HTTPS_DECL explicit inflater(compression_format format, inflate_limits limits = {});
    HTTPS_DECL ~inflater();
    HTTPS_DECL inflater(inflater&& other) noexcept;
    HTTPS_DECL inflater& operator=(inflater&& other) noexcept;
    inflater(const inflater&) = delete;
    inflater& operator=(const inflater&) = delete;

    /// Decode `in`, handing every byte it completes to `out` (may be empty: output is counted
    /// and checked, then dropped). An error from `out` ends decoding with that error.
    HTTPS_DECL status feed(bytes_view in, const sink& out);

    /// The input has ended: success only if the stream (its last gzip member) is complete,
    /// `inflate_truncated` if it stopped part way, or the error that stopped `feed`.
    [[nodiscard]] HTTPS_DECL status finish() const noexcept;

    /// True once a complete stream (for gzip: at least one complete member) has been decoded.
    [[nodiscard]] HTTPS_DECL bool done() const noexcept;

    /// Compressed bytes consumed and decoded bytes produced so far.
    [[nodiscard]] HTTPS_DECL std::uint64_t total_in() const noexcept;
    [[nodiscard]] HTTPS_DECL std::uint64_t total_out() const noexcept;

private:
    std::unique_ptr<detail::inflate_state> state_;
};

} // namespace https::http


#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>

namespace https::http {

namespace detail {

// ---- checksums ---------------------------------------------------------------------------

/// CRC-32 tables for eight bytes at a time: `crc32_tables[k][b]` is the CRC register after byte
/// `b` followed by `k` zero bytes (RFC 1952 §8's table is row 0).
inline constexpr std::array<std::array<std::uint32_t, 256>, 8> crc32_tables = [] {
    std::array<std::array<std::uint32_t, 256>, 8> t{};
    for (std::uint32_t n = 0; n < 256; ++n) {
        std::uint32_t c = n;
        for (int k = 0; k < 8; ++k) {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        t[0][n] = c;
    }
    for (std::size_t k = 1; k < 8; ++k) {
        for (std::size_t n = 0; n < 256; ++n) {
            t[k][n] = (t[k - 1][n] >> 8) ^ t[0][t[k - 1][n] & 0xff];
        }
    }
    return t;
}();

HTTPS_DECL std::uint32_t crc32_update(std::uint32_t crc, bytes_view data) noexcept {
    const auto& t = crc32_tables;
    std::uint32_t c = ~crc;
    const std::uint8_t* p = data.data();
    std::size_t n = data.size();
    // Eight bytes per step: the first byte travels furthest, through seven more bytes.
    while (n >= 8) {
        const std::uint32_t a = https::detail::load_le32(p) ^ c;
        const std::uint32_t b = https::detail::load_le32(p + 4);
        c = t[7][a & 0xff] ^ t[6][(a >> 8) & 0xff] ^ t[5][(a >> 16) & 0xff] ^ t[4][a >> 24] ^
            t[3][b & 0xff] ^ t[2][(b >> 8) & 0xff] ^ t[1][(b >> 16) & 0xff] ^ t[0][b >> 24];
        p += 8;
        n -= 8;
    }
    for (; n != 0; --n, ++p) {
        c = t[0][(c ^ *p) & 0xff] ^ (c >> 8);
    }
    return ~c;
}

HTTPS_DECL std::uint32_t adler32_update(std::uint32_t adler, bytes_view data) noexcept {
    // RFC 1950 §8.2: s1 = 1 + sum of bytes, s2 = sum of the s1 values, both modulo 65521. The
    // reduction waits as long as s2 cannot overflow 32 bits: 5552 bytes, the largest n with
    // 255 n (n + 1) / 2 + (n + 1) (65521 - 1) < 2^32.
    constexpr std::uint32_t modulus = 65521;
    constexpr std::size_t max_run = 5552;
    std::uint32_t s1 = adler & 0xffff;
    std::uint32_t s2 = adler >> 16;
    const std::uint8_t* p = data.data();
    std::size_t n = data.size();
    while (n != 0) {
        std::size_t run = std::min(n, max_run);
        n -= run;
        for (; run >= 4; run -= 4, p += 4) {
            s1 += p[0];
            s2 += s1;
            s1 += p[1];
            s2 += s1;
            s1 += p[2];
            s2 += s1;
            s1 += p[3];
            s2 += s1;
        }
        for (; run != 0; --run, ++p) {
            s1 += *p;
            s2 += s1;
        }
        s1 %= modulus;
        s2 %= modulus;
    }
    return (s2 << 16) | s1;
}

// ---- Huffman tables ----------------------------------------------------------------------

// A table entry is 32 bits:
//   bits 0..7    the code's length in bits: what decoding the symbol consumes
//   bits 8..11   extra bits after the code (lengths and distances, RFC 1951 §3.2.5), or for a
//                link the number of bits that index its second-level table
//   bits 12..15  the kind: literal, end of block, link, invalid; none of them for a length
//                (literal/length table), a distance or a code-length symbol
//   bits 16..31  the literal byte, the base length or distance, the code-length symbol, or the
//                link's offset in the table
// Codes up to `root` bits long are looked up in one step: the first-level table has an entry
// for every value of the next `root` input bits, repeated for the bits a shorter code leaves
// over. A longer code's first `root` bits lead to a link, and its remaining bits index the
// link's second-level table, sized for the longest code under that prefix.
inline constexpr std::uint32_t entry_literal = 1u << 12;
inline constexpr std::uint32_t entry_end = 1u << 13;
inline constexpr std::uint32_t entry_link = 1u << 14;
inline constexpr std::uint32_t entry_invalid = 1u << 15;
// What an unused slot of an incomplete code decodes to: invalid, one bit long.
inline constexpr std::uint32_t entry_unused = entry_invalid | 1u;

inline constexpr unsigned max_code_bits = 15; // RFC 1951 §3.2.7
inline constexpr unsigned literal_root_bits = 10;
inline constexpr unsigned distance_root_bits = 8;
inline constexpr unsigned code_length_root_bits = 7; // code-length codes are at most 7 bits

// Second-level room: a complete code's subtree of depth k under one prefix holds at least k + 1
// codes, so each table entry beyond the first level costs at most 2^k / (k + 1) codes' worth
// (k ≤ 15 - root): ≤ 286 * 32 / 6 < 1536 entries for literals/lengths (k ≤ 5) and
// ≤ 30 * 128 / 8 = 480 < 512 for distances (k ≤ 7). The builder checks the room anyway.
using literal_table = std::array<std::uint32_t, (1u << literal_root_bits) + 1536>;
using distance_table = std::array<std::uint32_t, (1u << distance_root_bits) + 512>;
using code_length_table = std::array<std::uint32_t, 1u << code_length_root_bits>;

// RFC 1951 §3.2.5: base lengths and extra bits of length codes 257..285, base distances and
// extra bits of distance codes 0..29.
inline constexpr std::array<std::uint16_t, 29> length_base = {
    3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
    31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
inline constexpr std::array<std::uint8_t, 29> length_extra = {
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
inline constexpr std::array<std::uint16_t, 30> distance_base = {
    1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
inline constexpr std::array<std::uint8_t, 30> distance_extra = {
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

// What each symbol decodes to, without its code length. Literal/length symbols 286 and 287 and
// distance symbols 30 and 31 have fixed codes (RFC 1951 §3.2.6) but stand for nothing.
inline constexpr std::array<std::uint32_t, 288> literal_symbols = [] {
    std::array<std::uint32_t, 288> t{};
    for (std::uint32_t s = 0; s < 256; ++s) {
        t[s] = entry_literal | (s << 16);
    }
    t[256] = entry_end;
    for (std::size_t i = 0; i < length_base.size(); ++i) {
        t[257 + i] = (std::uint32_t{length_extra[i]} << 8) | (std::uint32_t{length_base[i]} << 16);
    }
    t[286] = entry_invalid;
    t[287] = entry_invalid;
    return t;
}();
inline constexpr std::array<std::uint32_t, 32> distance_symbols = [] {
    std::array<std::uint32_t, 32> t{};
    for (std::size_t i = 0; i < distance_base.size(); ++i) {
        t[i] = (std::uint32_t{distance_extra[i]} << 8) | (std::uint32_t{distance_base[i]} << 16);
    }
    t[30] = entry_invalid;
    t[31] = entry_invalid;
    return t;
}();
inline constexpr std::array<std::uint32_t, 19> code_length_symbols = [] {
    std::array<std::uint32_t, 19> t{};
    for (std::uint32_t s = 0; s < 19; ++s) {
        t[s] = s << 16;
    }
    return t;
}();

/// Which alphabet a table codes: the rules for incomplete codes differ.
enum class huffman_alphabet { code_lengths, literals, distances };

/// Build the decoding table of the canonical Huffman code (RFC 1951 §3.2.2) with these code
/// lengths. Refused as `inflate_bad_code_lengths`: an over-subscribed code (more codes than the
/// lengths allow), and an incomplete one, except the two cases RFC 1951 §3.2.7 leaves open and
/// encoders use: a single code of one bit (literals/lengths or distances), and no distance
/// codes at all (a block of literals only). Unused slots decode as invalid.
template <std::size_t Size>
errc build_huffman_table(std::array<std::uint32_t, Size>& table, unsigned root,
                         const std::uint8_t* lengths, std::size_t count,
                         const std::uint32_t* symbols, huffman_alphabet alphabet) noexcept {
    std::array<std::uint16_t, max_code_bits + 1> per_length{};
    for (std::size_t s = 0; s < count; ++s) {
        ++per_length[lengths[s]];
    }
    per_length[0] = 0;
    // Kraft: `left` is how many codes of the current length are still free.
    int left = 1;
    unsigned codes = 0;
    for (unsigned len = 1; len <= max_code_bits; ++len) {
        left = 2 * left - per_length[len];
        if (left < 0) {
            return errc::inflate_bad_code_lengths; // over-subscribed
        }
        codes += per_length[len];
    }
    if (left > 0) {
        const bool single_one_bit = codes == 1 && per_length[1] == 1;
        const bool allowed = (alphabet != huffman_alphabet::code_lengths && single_one_bit) ||
                             (alphabet == huffman_alphabet::distances && codes == 0);
        if (!allowed) {
            return errc::inflate_bad_code_lengths; // incomplete
        }
    }
    std::fill(table.begin(), table.end(), entry_unused);
    // First code of each length (RFC 1951 §3.2.2 step 2).
    std::array<std::uint16_t, max_code_bits + 1> next{};
    unsigned code = 0;
    for (unsigned len = 1; len <= max_code_bits; ++len) {
        code = (code + per_length[len - 1]) << 1;
        next[len] = static_cast<std::uint16_t>(code);
    }
    // Each symbol's code, bit-reversed: DEFLATE sends codes most significant bit first into an
    // LSB-first bit stream, so the table is indexed by the reversed code.
    std::array<std::uint16_t, 288> reversed{};
    std::array<std::uint8_t, 1u << literal_root_bits> second_bits{}; // per first-level prefix
    const unsigned root_size = 1u << root;
    for (std::size_t s = 0; s < count; ++s) {
        const unsigned len = lengths[s];
        if (len == 0) {
            continue;
        }
        unsigned c = next[len]++;
        unsigned r = 0;
        for (unsigned i = 0; i < len; ++i, c >>= 1) {
            r = (r << 1) | (c & 1);
        }
        reversed[s] = static_cast<std::uint16_t>(r);
        if (len > root) {
            auto& bits = second_bits[r & (root_size - 1)];
            bits = static_cast<std::uint8_t>(std::max<unsigned>(bits, len - root));
        }
    }
    std::size_t free_at = root_size;
    for (unsigned prefix = 0; prefix < root_size; ++prefix) {
        if (second_bits[prefix] == 0) {
            continue;
        }
        const std::size_t size = std::size_t{1} << second_bits[prefix];
        if (free_at + size > table.size()) {
            return errc::inflate_bad_code_lengths; // unreachable for a complete code
        }
        table[prefix] = entry_link | (std::uint32_t{second_bits[prefix]} << 8) |
                        (static_cast<std::uint32_t>(free_at) << 16);
        free_at += size;
    }
    for (std::size_t s = 0; s < count; ++s) {
        const unsigned len = lengths[s];
        if (len == 0) {
            continue;
        }
        const std::uint32_t entry = symbols[s] | len;
        const unsigned r = reversed[s];
        if (len <= root) {
            for (unsigned i = r; i < root_size; i += 1u << len) {
                table[i] = entry;
            }
        } else {
            const std::uint32_t link = table[r & (root_size - 1)];
            const std::size_t offset = link >> 16;
            const unsigned size = 1u << ((link >> 8) & 0xf);
            for (unsigned i = r >> root; i < size; i += 1u << (len - root)) {
                table[offset + i] = entry;
            }
        }
    }
    return errc::ok;
}

/// The entry for the code at the bottom of `bits`.
inline std::uint32_t huffman_lookup(const std::uint32_t* table, unsigned root,
                                    std::uint64_t bits) noexcept {
    std::uint32_t e = table[bits & ((1u << root) - 1)];
    if ((e & entry_link) != 0) {
        e = table[(e >> 16) + ((bits >> root) & ((1u << ((e >> 8) & 0xf)) - 1))];
    }
    return e;
}

/// The fixed literal/length and distance codes of RFC 1951 §3.2.6, built once per process.
struct fixed_huffman_tables {
    literal_table literals{};
    distance_table distances{};
};

HTTPS_DECL const fixed_huffman_tables& fixed_tables() noexcept {
    static const fixed_huffman_tables tables = [] {
        fixed_huffman_tables t;
        std::array<std::uint8_t, 288> lengths{};
        std::fill(lengths.begin(), lengths.begin() + 144, 8);
        std::fill(lengths.begin() + 144, lengths.begin() + 256, 9);
        std::fill(lengths.begin() + 256, lengths.begin() + 280, 7);
        std::fill(lengths.begin() + 280, lengths.end(), 8);
        (void)build_huffman_table(t.literals, literal_root_bits, lengths.data(), 288,
                                  literal_symbols.data(), huffman_alphabet::literals);
        std::fill(lengths.begin(), lengths.begin() + 32, 5);
        (void)build_huffman_table(t.distances, distance_root_bits, lengths.data(), 32,
                                  distance_symbols.data(), huffman_alphabet::distances);
        return t;
    }();
    return tables;
}

// ---- the decoder ---------------------------------------------------------------------------

struct inflate_state {
    static constexpr std::size_t window_size = 32768;          // RFC 1951 §3.2: 32 KiB back
    static constexpr std::size_t buffer_size = 3 * window_size; // history + 64 KiB decoded ahead
    static constexpr std::size_t max_match = 258;
    static constexpr std::size_t max_piece = 2 * window_size; // most output per sink call
    static constexpr std::size_t copy_slack = 32; // match copies run up to 15 bytes past the end

    enum class step : std::uint8_t {
        header,              // zlib or gzip header (or the zlib-or-raw decision)
        block_header,        // BFINAL and BTYPE
        stored_header,       // LEN and NLEN
        stored_copy,         // a stored block's bytes
        table_counts,        // HLIT, HDIST, HCLEN
        code_length_lengths, // the code-length code's lengths, 3 bits each
        code_lengths,        // literal/length and distance code lengths
        codes,               // compressed data of a Huffman block
        trailer,             // zlib Adler-32 or gzip CRC-32 and ISIZE
        member_end,          // gzip: a member is complete; another may follow
        done,                // zlib or raw: the stream is complete
    };

    inflate_state(compression_format f, inflate_limits l) : format(f), limits(l) {}

    compression_format format; // zlib_or_raw turns into zlib or raw at the first two bytes
    inflate_limits limits;
    errc error = errc::ok;
    step at = step::header;
    bool complete = false;

    // Input of the current `feed` call, consumed through the bit buffer: `bits` holds
    // `bit_count` input bits, least significant first (RFC 1951 §3.1.1). Bits above bit_count are
    // zero or copies of input bytes not yet counted, which a later refill puts in the same place.
    const std::uint8_t* in = nullptr;
    const std::uint8_t* in_begin = nullptr;
    const std::uint8_t* in_end = nullptr;
    std::uint64_t consumed_before = 0; // input bytes consumed by earlier feed calls
    std::uint64_t bits = 0;
    unsigned bit_count = 0;

    // Block state.
    bool final_block = false;
    std::uint32_t stored_left = 0;
    unsigned literal_count = 0; // HLIT + 257
    unsigned distance_count = 0; // HDIST + 1
    unsigned code_length_count = 0; // HCLEN + 4
    unsigned lengths_read = 0;
    std::array<std::uint8_t, 19> code_length_lengths{};
    std::array<std::uint8_t, 286 + 30> lengths{};
    code_length_table code_length_codes{};
    literal_table literal_codes{};
    distance_table distance_codes{};
    const std::uint32_t* literals = nullptr;  // the current block's tables: fixed or dynamic
    const std::uint32_t* distances = nullptr;

    // Wrapper state.
    unsigned header_part = 0;      // how far into a gzip header, or which trailer word
    std::uint8_t gzip_flags = 0;
    std::uint32_t header_left = 0; // FEXTRA bytes still to skip
    std::uint32_t header_crc = 0;  // CRC-32 of the gzip header so far (for FHCRC)
    std::uint32_t check = 0;       // running Adler-32 (zlib) or CRC-32 (gzip) of the output
    std::uint64_t member_out = 0;  // output of this gzip member (ISIZE is it modulo 2^32)

    // Output: history and decoded bytes not yet handed to the sink.
    std::size_t pos = 0;      // next byte to write in `buffer`
    std::size_t flushed = 0;  // buffer[flushed, pos) has not gone to the sink yet
    std::uint64_t total_out = 0;
    std::array<std::uint8_t, buffer_size + copy_slack> buffer{};

    [[nodiscard]] std::uint64_t consumed() const noexcept {
        return consumed_before + static_cast<std::uint64_t>(in - in_begin);
    }

    // ---- bit input

    // Top the bit buffer up to more than 56 bits, or to the end of the input.
    void refill() noexcept {
        if (bit_count > 56) {
            return;
        }
        if (in_end - in >= 8) {
            // Load 8 bytes; count the whole bytes that fit. The rest are loaded again later.
            bits |= https::detail::load_le64(in) << bit_count;
            in += (63 - bit_count) >> 3;
            bit_count |= 56;
            return;
        }
        while (bit_count <= 56 && in != in_end) {
            bits |= std::uint64_t{*in++} << bit_count;
            bit_count += 8;
        }
    }
    // Make `n` (≤ 56) bits available; false when the input ran out first.
    bool need(unsigned n) noexcept {
        if (bit_count < n) {
            refill();
        }
        return bit_count >= n;
    }
    void drop(unsigned n) noexcept {
        bits >>= n;
        bit_count -= n;
    }
    [[nodiscard]] std::uint32_t peek(unsigned n) const noexcept {
        return static_cast<std::uint32_t>(bits & ((std::uint64_t{1} << n) - 1));
    }
    // Skip to a byte boundary (RFC 1951 §3.2.4: stored blocks, and the wrappers' trailers).
    void align() noexcept { drop(bit_count & 7); }
    // One whole byte (the input is byte-aligned); false when the input ran out.
    bool next_byte(std::uint8_t& out) noexcept {
        if (!need(8)) {
            return false;
        }
        out = static_cast<std::uint8_t>(bits);
        drop(8);
        return true;
    }

    // ---- output

    // Hand buffer[flushed, pos) to the sink after the caps and the running checksum.
    status flush(const inflater::sink& out) {
        const std::size_t n = pos - flushed;
        if (n == 0) {
            return {};
        }
        const std::uint64_t after = total_out + n;
        if (after > limits.max_output_bytes) {
            return errc::inflate_too_large;
        }
        if (limits.max_ratio != 0 && after > limits.ratio_grace_bytes &&
            after / limits.max_ratio > consumed()) {
            return errc::inflate_ratio_exceeded;
        }
        const bytes_view chunk(buffer.data() + flushed, n);
        if (format == compression_format::gzip) {
            check = crc32_update(check, chunk);
        } else if (format == compression_format::zlib) {
            check = adler32_update(check, chunk);
        }
        total_out = after;
        member_out += n;
        flushed = pos;
        return out ? out(chunk) : status{};
    }
    // Where output must stop until the next flush: a sink call gets at most max_piece bytes.
    [[nodiscard]] std::size_t output_limit() const noexcept {
        return std::min(buffer_size, flushed + max_piece);
    }
    // Flush, then keep only the last 32 KiB as history at the front of the buffer.
    status make_room(const inflater::sink& out) {
        HTTPS_TRY(flush(out));
        if (pos > window_size) {
            std::memmove(buffer.data(), buffer.data() + pos - window_size, window_size);
            pos = window_size;
            flushed = pos;
        }
        return {};
    }

    // ---- steps: each returns true when it finished, false when the input ran out first

    result<bool> read_header() {
        if (format == compression_format::zlib || format == compression_format::zlib_or_raw) {
            if (!need(16)) {
                return false;
            }
            // RFC 1950 §2.2: CMF (method 8, CINFO = log2(window) - 8 ≤ 7), FLG (FCHECK makes
            // CMF * 256 + FLG a multiple of 31, FDICT, FLEVEL).
            const std::uint32_t cmf = peek(8);
            const std::uint32_t flg = (peek(16) >> 8);
            const bool looks_zlib = (cmf & 0xf) == 8 && (cmf >> 4) <= 7 && (cmf * 256 + flg) % 31 == 0;
            if (format == compression_format::zlib_or_raw) {
                format = looks_zlib ? compression_format::zlib : compression_format::raw;
                if (!looks_zlib) {
                    at = step::block_header;
                    return true;
                }
            }
            if (!looks_zlib || (flg & 0x20) != 0) {
                return errc::inflate_bad_header; // or a preset dictionary, which HTTP never uses
            }
            drop(16);
            check = 1;
            at = step::block_header;
            return true;
        }
        if (format == compression_format::raw) {
            at = step::block_header;
            return true;
        }
        return read_gzip_header();
    }

    // RFC 1952 §2.3.1: ID1 ID2 CM FLG MTIME(4) XFL OS, then per FLG: FEXTRA (XLEN and XLEN
    // bytes), FNAME and FCOMMENT (zero-terminated), FHCRC (CRC-32 of the header, low 16 bits).
    result<bool> read_gzip_header() {
        // FLG bits; FTEXT (1) is a hint only
        constexpr std::uint8_t fhcrc = 2, fextra = 4, fname = 8, fcomment = 16;
        auto crc_bytes = [&](std::uint64_t value, unsigned count) {
            std::array<std::uint8_t, 8> b{};
            for (unsigned i = 0; i < count; ++i) {
                b[i] = static_cast<std::uint8_t>(value >> (8 * i));
            }
            header_crc = crc32_update(header_crc, bytes_view(b.data(), count));
        };
        for (;;) {
            switch (header_part) {
            case 0: { // ID1 ID2 CM FLG
                if (!need(32)) {
                    return false;
                }
                const std::uint32_t v = peek(32);
                if ((v & 0xffff) != 0x8b1f || ((v >> 16) & 0xff) != 8 || ((v >> 24) & 0xe0) != 0) {
                    return errc::inflate_bad_header; // not gzip, not DEFLATE, or reserved flags
                }
                gzip_flags = static_cast<std::uint8_t>(v >> 24);
                header_crc = 0;
                crc_bytes(v, 4);
                drop(32);
                header_part = 1;
                break;
            }
            case 1: // MTIME XFL OS: not used
                if (!need(48)) {
                    return false;
                }
                crc_bytes(bits, 6);
                drop(48);
                header_part = 2;
                break;
            case 2:
                if ((gzip_flags & fextra) != 0) {
                    if (!need(16)) {
                        return false;
                    }
                    header_left = peek(16);
                    crc_bytes(bits, 2);
                    drop(16);
                }
                header_part = 3;
                break;
            case 3: // the FEXTRA field's bytes
                while (header_left != 0) {
                    std::uint8_t b = 0;
                    if (!next_byte(b)) {
                        return false;
                    }
                    crc_bytes(b, 1);
                    --header_left;
                }
                header_part = 4;
                break;
            case 4:
            case 5: { // FNAME, then FCOMMENT: zero-terminated
                const std::uint8_t flag = header_part == 4 ? fname : fcomment;
                if ((gzip_flags & flag) != 0) {
                    for (;;) {
                        std::uint8_t b = 0;
                        if (!next_byte(b)) {
                            return false;
                        }
                        crc_bytes(b, 1);
                        if (b == 0) {
                            break;
                        }
                    }
                }
                ++header_part;
                break;
            }
            default: // FHCRC
                if ((gzip_flags & fhcrc) != 0) {
                    if (!need(16)) {
                        return false;
                    }
                    if (peek(16) != (header_crc & 0xffff)) {
                        return errc::inflate_bad_checksum;
                    }
                    drop(16);
                }
                header_part = 0;
                check = 0;
                member_out = 0;
                at = step::block_header;
                return true;
            }
        }
    }

    result<bool> read_block_header() {
        if (!need(3)) {
            return false;
        }
        // RFC 1951 §3.2.3: BFINAL (1 bit), BTYPE (2 bits).
        final_block = (bits & 1) != 0;
        const unsigned type = peek(3) >> 1;
        drop(3);
        switch (type) {
        case 0: at = step::stored_header; return true;
        case 1: {
            const auto& fixed = fixed_tables();
            literals = fixed.literals.data();
            distances = fixed.distances.data();
            at = step::codes;
            return true;
        }
        case 2: at = step::table_counts; return true;
        default: return errc::inflate_bad_block_type;
        }
    }

    result<bool> read_stored_header() {
        align();
        if (!need(32)) {
            return false;
        }
        // RFC 1951 §3.2.4: LEN, then NLEN, its one's complement.
        const std::uint32_t len = peek(16);
        const std::uint32_t nlen = peek(32) >> 16;
        if ((len ^ nlen) != 0xffff) {
            return errc::inflate_bad_stored_length;
        }
        drop(32);
        stored_left = len;
        at = step::stored_copy;
        return true;
    }

    result<bool> copy_stored(const inflater::sink& out) {
        while (stored_left != 0) {
            if (pos == output_limit()) {
                HTTPS_TRY(make_room(out));
            }
            if (bit_count != 0) { // whole bytes still in the bit buffer come first
                buffer[pos++] = static_cast<std::uint8_t>(bits);
                drop(8);
                --stored_left;
                continue;
            }
            bits = 0; // drop copies of bytes about to be taken directly
            const auto available = static_cast<std::size_t>(in_end - in);
            if (available == 0) {
                return false;
            }
            const std::size_t n =
                std::min({std::size_t{stored_left}, output_limit() - pos, available});
            std::memcpy(buffer.data() + pos, in, n);
            in += n;
            pos += n;
            stored_left -= static_cast<std::uint32_t>(n);
        }
        end_block();
        return true;
    }

    void end_block() noexcept { at = final_block ? step::trailer : step::block_header; }

    result<bool> read_table_counts() {
        if (!need(14)) {
            return false;
        }
        // RFC 1951 §3.2.7: HLIT (257..286 codes), HDIST (1..32, of which 30 exist), HCLEN.
        literal_count = peek(5) + 257;
        distance_count = (peek(10) >> 5) + 1;
        code_length_count = (peek(14) >> 10) + 4;
        drop(14);
        if (literal_count > 286 || distance_count > 30) {
            return errc::inflate_bad_code_lengths;
        }
        code_length_lengths.fill(0);
        lengths_read = 0;
        at = step::code_length_lengths;
        return true;
    }

    result<bool> read_code_length_lengths() {
        // The order in which the code-length code's lengths are sent (RFC 1951 §3.2.7).
        static constexpr std::array<std::uint8_t, 19> order = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                               11, 4,  12, 3, 13, 2, 14, 1, 15};
        while (lengths_read < code_length_count) {
            if (!need(3)) {
                return false;
            }
            code_length_lengths[order[lengths_read++]] = static_cast<std::uint8_t>(peek(3));
            drop(3);
        }
        const errc e = build_huffman_table(code_length_codes, code_length_root_bits,
                                           code_length_lengths.data(), 19,
                                           code_length_symbols.data(),
                                           huffman_alphabet::code_lengths);
        if (e != errc::ok) {
            return e;
        }
        lengths_read = 0;
        at = step::code_lengths;
        return true;
    }

    result<bool> read_code_lengths() {
        const unsigned total = literal_count + distance_count;
        while (lengths_read < total) {
            refill();
            const std::uint32_t e =
                huffman_lookup(code_length_codes.data(), code_length_root_bits, bits);
            const unsigned len = e & 0xff;
            if (len > bit_count) {
                return false;
            }
            const unsigned symbol = e >> 16;
            if (symbol < 16) { // a length
                lengths[lengths_read++] = static_cast<std::uint8_t>(symbol);
                drop(len);
                continue;
            }
            // 16: the previous length 3-6 times; 17: zero 3-10 times; 18: zero 11-138 times.
            const unsigned extra = symbol == 16 ? 2 : symbol == 17 ? 3 : 7;
            if (len + extra > bit_count) {
                return false;
            }
            const unsigned repeat = (symbol == 18 ? 11 : 3) + ((peek(len + extra)) >> len);
            std::uint8_t value = 0;
            if (symbol == 16) {
                if (lengths_read == 0) {
                    return errc::inflate_bad_code_lengths; // nothing to repeat
                }
                value = lengths[lengths_read - 1];
            }
            if (repeat > total - lengths_read) {
                return errc::inflate_bad_code_lengths; // runs past the last length
            }
            drop(len + extra);
            std::fill_n(lengths.begin() + lengths_read, repeat, value);
            lengths_read += repeat;
        }
        if (lengths[256] == 0) {
            return errc::inflate_bad_code_lengths; // no end-of-block code
        }
        errc e = build_huffman_table(literal_codes, literal_root_bits, lengths.data(),
                                     literal_count, literal_symbols.data(),
                                     huffman_alphabet::literals);
        if (e == errc::ok) {
            e = build_huffman_table(distance_codes, distance_root_bits,
                                    lengths.data() + literal_count, distance_count,
                                    distance_symbols.data(), huffman_alphabet::distances);
        }
        if (e != errc::ok) {
            return e;
        }
        literals = literal_codes.data();
        distances = distance_codes.data();
        at = step::codes;
        return true;
    }

    // The compressed data of a Huffman block (RFC 1951 §3.2.5). A length and its distance are
    // decoded together, only once all their bits (at most 15 + 5 + 15 + 13 = 48) are in the bit
    // buffer, so that running out of input never leaves a half-decoded pair. The hot loop keeps
    // its state in locals and writes it back on every exit.
    result<bool> decode_codes(const inflater::sink& out) {
        std::uint8_t* const buf = buffer.data();
        const std::uint32_t* const lit = literals;
        const std::uint32_t* const dist = distances;
        std::size_t p = pos;
        std::size_t last_start = output_limit() - max_match; // room for a longest match
        for (;;) {
            if (p > last_start) {
                pos = p;
                HTTPS_TRY(make_room(out));
                p = pos;
                last_start = output_limit() - max_match;
            }
            refill();
            const std::uint32_t e = huffman_lookup(lit, literal_root_bits, bits);
            const unsigned len = e & 0xff;
            if (len > bit_count) {
                pos = p;
                return false;
            }
            if ((e & entry_literal) != 0) {
                drop(len);
                buf[p++] = static_cast<std::uint8_t>(e >> 16);
                continue;
            }
            if ((e & (entry_end | entry_invalid)) != 0) {
                pos = p;
                if ((e & entry_invalid) != 0) {
                    return errc::inflate_bad_symbol;
                }
                drop(len);
                end_block();
                return true;
            }
            const unsigned extra = (e >> 8) & 0xf;
            unsigned used = len + extra;
            if (used > bit_count) {
                pos = p;
                return false;
            }
            const std::size_t length = (e >> 16) + ((bits >> len) & ((1u << extra) - 1));
            const std::uint64_t rest = bits >> used;
            const std::uint32_t d = huffman_lookup(dist, distance_root_bits, rest);
            const unsigned dlen = d & 0xff;
            const unsigned dextra = (d >> 8) & 0xf;
            if (used + dlen > bit_count || ((d & entry_invalid) == 0 && used + dlen + dextra > bit_count)) {
                pos = p;
                return false;
            }
            if ((d & entry_invalid) != 0) {
                pos = p;
                return errc::inflate_bad_symbol;
            }
            const std::size_t distance = (d >> 16) + ((rest >> dlen) & ((1u << dextra) - 1));
            used += dlen + dextra;
            if (distance > p) {
                pos = p;
                return errc::inflate_distance_too_far;
            }
            drop(used);
            copy_match(buf + p, distance, length);
            p += length;
        }
    }

    // Copy `length` bytes from `distance` back; the source may overlap the destination (a
    // distance shorter than the length repeats the last `distance` bytes). Wide copies may
    // write up to 15 bytes past the end, into bytes not yet decoded or the buffer's slack.
    static void copy_match(std::uint8_t* dst, std::size_t distance, std::size_t length) noexcept {
        const std::uint8_t* src = dst - distance;
        if (distance >= 16) {
            for (std::size_t i = 0; i < length; i += 16) {
                std::memcpy(dst + i, src + i, 16);
            }
        } else if (distance >= 8) {
            for (std::size_t i = 0; i < length; i += 8) {
                std::memcpy(dst + i, src + i, 8);
            }
        } else if (distance == 1) {
            std::memset(dst, *src, length);
        } else {
            for (std::size_t i = 0; i < length; ++i) {
                dst[i] = src[i];
            }
        }
    }

    result<bool> read_trailer(const inflater::sink& out) {
        HTTPS_TRY(flush(out)); // the checksum covers every byte of output
        align();
        if (format == compression_format::zlib) {
            if (!need(32)) {
                return false;
            }
            // RFC 1950 §2.2: ADLER32, most significant byte first.
            const std::uint32_t v = peek(32);
            const std::uint32_t adler = (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) |
                                        (v << 24);
            if (adler != check) {
                return errc::inflate_bad_checksum;
            }
            drop(32);
        } else if (format == compression_format::gzip) {
            // RFC 1952 §2.3.1: CRC32, then ISIZE (the input size modulo 2^32), both LSB first.
            if (header_part == 0) {
                if (!need(32)) {
                    return false;
                }
                if (peek(32) != check) {
                    return errc::inflate_bad_checksum;
                }
                drop(32);
                header_part = 1;
            }
            if (!need(32)) {
                return false;
            }
            if (peek(32) != static_cast<std::uint32_t>(member_out)) {
                return errc::inflate_bad_checksum;
            }
            drop(32);
            header_part = 0;
        }
        complete = true;
        at = format == compression_format::gzip ? step::member_end : step::done;
        return true;
    }

    // gzip: after a member, nothing, or the first byte of another (RFC 1952 §2.2).
    result<bool> next_member(const inflater::sink& out) {
        if (!need(8)) {
            return false;
        }
        if (peek(8) != 0x1f) {
            return errc::inflate_trailing_data;
        }
        HTTPS_TRY(flush(out));
        pos = 0; // a member's back-references cannot reach into the previous one
        flushed = 0;
        complete = false;
        at = step::header;
        return true;
    }

    status run(const inflater::sink& out) {
        for (;;) {
            result<bool> r = false;
            switch (at) {
            case step::header: r = read_header(); break;
            case step::block_header: r = read_block_header(); break;
            case step::stored_header: r = read_stored_header(); break;
            case step::stored_copy: r = copy_stored(out); break;
            case step::table_counts: r = read_table_counts(); break;
            case step::code_length_lengths: r = read_code_length_lengths(); break;
            case step::code_lengths: r = read_code_lengths(); break;
            case step::codes: r = decode_codes(out); break;
            case step::trailer: r = read_trailer(out); break;
            case step::member_end: r = next_member(out); break;
            case step::done:
                align();
                if (bit_count != 0 || in != in_end) {
                    return errc::inflate_trailing_data;
                }
                return {};
            }
            if (!r) {
                return r.error();
            }
            if (!*r) {
                return {}; // every input byte is in the bit buffer; wait for more
            }
        }
    }
};

} // namespace detail

HTTPS_DECL inflater::inflater(compression_format format, inflate_limits limits)
    : state_(std::make_unique<detail::inflate_state>(format, limits)) {}

HTTPS_DECL inflater::~inflater() = default;
HTTPS_DECL inflater::inflater(inflater&& other) noexcept = default;
HTTPS_DECL inflater& inflater::operator=(inflater&& other) noexcept = default;

HTTPS_DECL status inflater::feed(bytes_view in, const sink& out) {
    auto& s = *state_;
    if (s.error != errc::ok) {
        return s.error;
    }
    s.in_begin = in.data();
    s.in = in.data();
    s.in_end = in.data() + in.size();
    status st = s.run(out);
    if (st.ok()) {
        st = s.flush(out);
    }
    s.consumed_before = s.consumed();
    s.in_begin = s.in = s.in_end = nullptr;
    if (!st.ok()) {
        s.error = st.error();
    }
    return st;
}

HTTPS_DECL status inflater::finish() const noexcept {
    const auto& s = *state_;
    if (s.error != errc::ok) {
        return s.error;
    }
    return s.complete ? status{} : status{errc::inflate_truncated};
}

HTTPS_DECL bool inflater::done() const noexcept { return state_->complete; }
HTTPS_DECL std::uint64_t inflater::total_in() const noexcept { return state_->consumed_before; }
HTTPS_DECL std::uint64_t inflater::total_out() const noexcept { return state_->total_out; }

} // namespace https::http
// ---- https/http/impl/client.ipp ----------------------------------------------------------------
// The HTTP/1.1 client (http/client.hpp), out of line for separate compilation.

// ---- https/http/client.hpp ---------------------------------------------------------------------
// The HTTP/1.1 client: sends requests over pooled keep-alive connections, reads responses with
// the incremental parser, follows redirects, and enforces timeouts and size limits.

// ---- https/http/request.hpp --------------------------------------------------------------------
// An HTTP/1.1 request and its wire encoding, refusing anything that could inject header lines.

// ---- https/http/url.hpp ------------------------------------------------------------------------
// URL parsing for http:// and https:// (RFC 3986 subset that HTTP clients need) and resolution of
// redirect targets against a base URL (RFC 3986 §5).


#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace https::http {

/// A parsed absolute http(s) URL. `target` is what goes on the request line: the path and query,
/// with their percent-encoding preserved exactly; the fragment is dropped (it is never sent).
struct url {
    std::string scheme;  ///< "https" or "http", lower case
    std::string host;    ///< lower-cased host name, IPv4 dotted quad, or IPv6 without brackets
    std::uint16_t port = 0;
    std::string target;  ///< "/path?query", at least "/"
    bool host_is_ipv6 = false;

    [[nodiscard]] bool is_https() const noexcept { return scheme == "https"; }
    [[nodiscard]] bool default_port() const noexcept {
        return port == (is_https() ? 443 : 80);
    }
    /// The Host header value: host (bracketed if IPv6) plus ":port" unless default.
    [[nodiscard]] std::string authority() const {
        std::string a;
        if (host_is_ipv6) {
            a.push_back('[');
            a.append(host);
            a.push_back(']');
        } else {
            a = host;
        }
        if (!default_port()) {
            a.push_back(':');
            a.append(std::to_string(port));
        }
        return a;
    }
    [[nodiscard]] std::string to_string() const { return scheme + "://" + authority() + target; }
    /// Same origin (RFC 6454 §5): scheme, host and port all equal.
    [[nodiscard]] bool same_origin(const url& o) const noexcept {
        return scheme == o.scheme && host == o.host && port == o.port;
    }
};

namespace detail {

inline bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
inline bool is_hex(char c) noexcept {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
inline char to_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
/// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
inline bool is_scheme(std::string_view s) noexcept {
    if (s.empty() || !is_alpha(s[0])) {
        return false;
    }
    for (char c : s) {
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') {
            return false;
        }
    }
    return true;
}

/// RFC 3986 unreserved / sub-delims / ':' '@' '/' '?' — what may stand unencoded in path+query.
inline bool is_target_char(char c) noexcept {
    if (is_alpha(c) || is_digit(c)) {
        return true;
    }
    switch (c) {
    case '-': case '.': case '_': case '~': case '!': case '$': case '&': case '\'': case '(':
    case ')': case '*': case '+': case ',': case ';': case '=': case ':': case '@': case '/':
    case '?': case '%':
        return true;
    default:
        return false;
    }
}

/// Check percent-escapes are well-formed (`%` then two hex digits) and every character allowed.
inline bool valid_target(std::string_view t) noexcept {
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (!is_target_char(t[i])) {
            return false;
        }
        if (t[i] == '%') {
            if (i + 2 >= t.size() || !is_hex(t[i + 1]) || !is_hex(t[i + 2])) {
                return false;
            }
        }
    }
    return true;
}

/// Dotted-quad IPv4 with each part 0..255 and no leading zeros.
inline bool is_ipv4(std::string_view s) noexcept {
    int parts = 0;
    std::size_t i = 0;
    while (i <= s.size()) {
        std::size_t start = i;
        unsigned value = 0;
        while (i < s.size() && is_digit(s[i])) {
            value = value * 10 + static_cast<unsigned>(s[i] - '0');
            if (value > 255) {
                return false;
            }
            ++i;
        }
        const std::size_t len = i - start;
        if (len == 0 || (len > 1 && s[start] == '0')) {
            return false;
        }
        ++parts;
        if (i == s.size()) {
            break;
        }
        if (s[i] != '.' || parts == 4) {
            return false;
        }
        ++i;
    }
    return parts == 4;
}

/// Textual IPv6 (RFC 4291 §2.2, including one "::" and a trailing dotted quad); no zone ids.
inline bool is_ipv6(std::string_view s) noexcept {
    if (s.empty() || s.size() > 45) {
        return false;
    }
    int groups = 0;
    bool compressed = false;
    std::size_t i = 0;
    if (s.substr(0, 2) == "::") {
        compressed = true;
        i = 2;
        if (i == s.size()) {
            return true;
        }
    } else if (s[0] == ':') {
        return false;
    }
    while (i < s.size()) {
        std::size_t start = i;
        while (i < s.size() && is_hex(s[i])) {
            ++i;
        }
        if (i < s.size() && s[i] == '.') { // embedded IPv4 must be last
            if (!is_ipv4(s.substr(start))) {
                return false;
            }
            groups += 2;
            i = s.size();
            break;
        }
        const std::size_t len = i - start;
        if (len == 0 || len > 4) {
            return false;
        }
        ++groups;
        if (i == s.size()) {
            break;
        }
        if (s[i] != ':') {
            return false;
        }
        ++i;
        if (i < s.size() && s[i] == ':') {
            if (compressed) {
                return false;
            }
            compressed = true;
            ++i;
            if (i == s.size()) {
                break;
            }
        } else if (i == s.size()) {
            return false; // trailing single ':'
        }
    }
    return compressed ? groups < 8 : groups == 8;
}

/// Registered name per RFC 3986 restricted to what DNS host names use: letters, digits, '-', '.';
/// labels 1..63 characters, total ≤ 253, no leading/trailing '-' in a label.
inline bool is_host_name(std::string_view s) noexcept {
    if (!s.empty() && s.back() == '.') {
        s.remove_suffix(1); // fully qualified form
    }
    if (s.empty() || s.size() > 253) {
        return false;
    }
    std::size_t label = 0;
    char prev = '.';
    for (char c : s) {
        if (c == '.') {
            if (label == 0 || prev == '-') {
                return false;
            }
            label = 0;
        } else if (is_alpha(c) || is_digit(c) || c == '-' || c == '_') {
            if (label == 0 && c == '-') {
                return false;
            }
            if (++label > 63) {
                return false;
            }
        } else {
            return false;
        }
        prev = c;
    }
    if (prev == '-') {
        return false;
    }
    // A name whose last label is numeric would be read as an IPv4 address by other software
    // (WHATWG URL); not being a valid dotted quad, it is rejected rather than resolved as a name.
    const auto last = s.rfind('.');
    const std::string_view tail = last == std::string_view::npos ? s : s.substr(last + 1);
    for (char c : tail) {
        if (!is_digit(c)) {
            return true;
        }
    }
    return false;
}

} // namespace detail

/// Parse an absolute `http://` or `https://` URL. Userinfo (`user@host`) is rejected: credentials
/// in URLs leak into logs and redirects, and we never send them. Errors: `http_bad_url`,
/// `http_unsupported_scheme`.
inline result<url> parse_url(std::string_view text) {
    constexpr std::size_t max_url = 8192;
    if (text.empty() || text.size() > max_url) {
        return errc::http_bad_url;
    }
    for (char c : text) {
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
            return errc::http_bad_url; // spaces, controls, raw non-ASCII: must be percent-encoded
        }
    }
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || !detail::is_scheme(text.substr(0, colon))) {
        return errc::http_bad_url;
    }
    url u;
    for (char c : text.substr(0, colon)) {
        u.scheme.push_back(detail::to_lower(c));
    }
    if (u.scheme != "https" && u.scheme != "http") {
        return errc::http_unsupported_scheme;
    }
    std::string_view rest = text.substr(colon + 1);
    if (rest.substr(0, 2) != "//") {
        return errc::http_bad_url;
    }
    rest.remove_prefix(2);
    const auto hash = rest.find('#');
    if (hash != std::string_view::npos) {
        rest = rest.substr(0, hash); // the fragment is never sent
    }
    const auto auth_end = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, auth_end);
    std::string_view target =
        auth_end == std::string_view::npos ? std::string_view{} : rest.substr(auth_end);
    if (authority.find('@') != std::string_view::npos) {
        return errc::http_bad_url;
    }
    std::string_view host;
    std::string_view port_text;
    if (!authority.empty() && authority[0] == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            return errc::http_bad_url;
        }
        host = authority.substr(1, close - 1);
        if (!detail::is_ipv6(host)) {
            return errc::http_bad_url;
        }
        u.host_is_ipv6 = true;
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') {
                return errc::http_bad_url;
            }
            port_text = after.substr(1);
        }
    } else {
        const auto pc = authority.rfind(':');
        host = authority.substr(0, pc);
        if (pc != std::string_view::npos) {
            port_text = authority.substr(pc + 1);
        }
        if (!detail::is_ipv4(host) && !detail::is_host_name(host)) {
            return errc::http_bad_url;
        }
    }
    for (char c : host) {
        u.host.push_back(detail::to_lower(c));
    }
    if (!u.host.empty() && u.host.back() == '.') {
        u.host.pop_back(); // "example.com." names the same host
    }
    u.port = u.is_https() ? 443 : 80;
    if (authority.size() > host.size() + (u.host_is_ipv6 ? 2 : 0)) {
        // a ':' was present: the port must be 1..65535 digits
        if (port_text.empty() || port_text.size() > 5) {
            return errc::http_bad_url;
        }
        unsigned p = 0;
        for (char c : port_text) {
            if (!detail::is_digit(c)) {
                return errc::http_bad_url;
            }
            p = p * 10 + static_cast<unsigned>(c - '0');
        }
        if (p == 0 || p > 65535) {
            return errc::http_bad_url;
        }
        u.port = static_cast<std::uint16_t>(p);
    }
    if (!detail::valid_target(target)) {
        return errc::http_bad_url;
    }
    u.target.reserve(target.size() + 1);
    if (target.empty() || target[0] == '?') {
        u.target.push_back('/');
    }
    u.target.append(target.data(), target.size());
    return u;
}

namespace detail {

/// A URI reference split into its five components (RFC 3986 Appendix B, except that a scheme is
/// recognised only when it matches the scheme grammar; otherwise the text is a relative path).
struct uri_parts {
    std::optional<std::string_view> scheme;
    std::optional<std::string_view> authority;
    std::string_view path;
    std::optional<std::string_view> query;
    std::optional<std::string_view> fragment;
};

inline uri_parts split_reference(std::string_view s) {
    uri_parts r;
    const auto hash = s.find('#');
    if (hash != std::string_view::npos) {
        r.fragment = s.substr(hash + 1);
        s = s.substr(0, hash);
    }
    const auto question = s.find('?');
    if (question != std::string_view::npos) {
        r.query = s.substr(question + 1);
        s = s.substr(0, question);
    }
    const auto colon = s.find_first_of(":/");
    if (colon != std::string_view::npos && s[colon] == ':' && is_scheme(s.substr(0, colon))) {
        r.scheme = s.substr(0, colon);
        s.remove_prefix(colon + 1);
    }
    if (s.substr(0, 2) == "//") {
        const auto end = s.find('/', 2);
        r.authority = s.substr(2, end == std::string_view::npos ? end : end - 2);
        s = end == std::string_view::npos ? std::string_view{} : s.substr(end);
    }
    r.path = s;
    return r;
}

/// RFC 3986 §5.2.4 remove_dot_segments, in one pass over the input.
inline std::string remove_dot_segments(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    auto drop_last_segment = [&out] {
        const auto slash = out.rfind('/');
        out.erase(slash == std::string::npos ? 0 : slash);
    };
    while (!in.empty()) {
        if (in.substr(0, 3) == "../") { // A
            in.remove_prefix(3);
        } else if (in.substr(0, 2) == "./" || in.substr(0, 3) == "/./") { // A; B: "/./" to "/"
            in.remove_prefix(2);
        } else if (in == "/.") { // B
            out.push_back('/');
            in = {};
        } else if (in.substr(0, 4) == "/../") { // C: "/../" becomes "/", one segment dropped
            in.remove_prefix(3);
            drop_last_segment();
        } else if (in == "/..") {
            drop_last_segment();
            out.push_back('/');
            in = {};
        } else if (in == "." || in == "..") { // D
            in = {};
        } else { // E: move the first segment (with its leading "/", if any) to the output
            const auto end = in.find('/', 1);
            out.append(in.substr(0, end));
            in = end == std::string_view::npos ? std::string_view{} : in.substr(end);
        }
    }
    return out;
}

} // namespace detail

/// Resolve a URI reference (a Location value) against an absolute URL: RFC 3986 §5.2 (strict:
/// a reference with a scheme is absolute even when the scheme is the base's), returning the
/// target URI as text. It may name any scheme and keeps a fragment; `resolve_redirect` parses it.
inline std::string resolve_reference(const url& base, std::string_view reference) {
    const detail::uri_parts r = detail::split_reference(reference);
    const std::string base_authority = base.authority();
    const auto base_question = base.target.find('?');
    const std::string_view base_path = std::string_view(base.target).substr(0, base_question);
    std::optional<std::string_view> base_query;
    if (base_question != std::string::npos) {
        base_query = std::string_view(base.target).substr(base_question + 1);
    }

    // §5.2.2, with the merge of §5.2.3 (the base always has an authority and a path "/...")
    std::string_view scheme = base.scheme;
    std::optional<std::string_view> authority = base_authority;
    std::string path;
    std::optional<std::string_view> query = r.query;
    if (r.scheme) {
        scheme = *r.scheme;
        authority = r.authority;
        path = detail::remove_dot_segments(r.path);
    } else if (r.authority) {
        authority = r.authority;
        path = detail::remove_dot_segments(r.path);
    } else if (r.path.empty()) {
        path = base_path;
        if (!r.query) {
            query = base_query;
        }
    } else if (r.path[0] == '/') {
        path = detail::remove_dot_segments(r.path);
    } else {
        std::string merged(base_path.substr(0, base_path.rfind('/') + 1));
        merged.append(r.path);
        path = detail::remove_dot_segments(merged);
    }

    // §5.3 recomposition
    std::string out(scheme);
    out.push_back(':');
    if (authority) {
        out.append("//");
        out.append(*authority);
    }
    out.append(path);
    if (query) {
        out.push_back('?');
        out.append(*query);
    }
    if (r.fragment) {
        out.push_back('#');
        out.append(*r.fragment);
    }
    return out;
}

/// Resolve a Location header value against the URL it came from (RFC 9110 §10.2.2, with RFC 3986
/// §5 reference resolution) and parse the result. A reference to another scheme is
/// `http_unsupported_scheme`; anything that does not resolve to a valid http(s) URL (e.g.
/// "http:g", which has no authority) is `http_bad_url`.
inline result<url> resolve_redirect(const url& base, std::string_view location) {
    return parse_url(resolve_reference(base, location));
}

} // namespace https::http

#include <cassert>
#include <string>
#include <string_view>

namespace https::http {

/// What to send. `headers` are extra fields; Host, Content-Length (or Transfer-Encoding) and
/// (unless given) User-Agent, Accept and Connection are filled in by `encode_request`.
struct request {
    std::string method = "GET";
    http::url url;
    http::headers headers;
    std::string body; ///< a body held in memory; empty when `source` is set
    /// A body read while it is sent (not owned; it must outlive the request's `perform`).
    body_source* source = nullptr;
};

inline constexpr std::string_view default_user_agent = "https-cpp/0.1";

/// Serialise a request for an origin server (RFC 9112 §3: origin-form target): the head, then
/// `body`; a `source` body follows separately, announced by its size as Content-Length or else
/// by Transfer-Encoding: chunked. Methods must be tokens, field names tokens, field values free
/// of CR/LF/NUL (`http_bad_header`); Host and Content-Length/Transfer-Encoding are ours to set
/// and may not be supplied by the caller.
inline result<std::string> encode_request(const request& req, bool keep_alive = true) {
    assert(req.source == nullptr || req.body.empty()); // one body or the other
    if (!detail::is_token(req.method)) {
        return errc::http_bad_header;
    }
    for (const auto& [name, value] : req.headers) {
        if (!detail::is_token(name) || !detail::is_field_value(value)) {
            return errc::http_bad_header;
        }
        if (detail::iequals(name, "Host") || detail::iequals(name, "Content-Length") ||
            detail::iequals(name, "Transfer-Encoding")) {
            return errc::http_bad_header;
        }
    }
    std::string out;
    out.reserve(256 + req.body.size());
    out += req.method;
    out += ' ';
    out += req.url.target;
    out += " HTTP/1.1\r\nHost: ";
    out += req.url.authority();
    out += "\r\n";
    if (!req.headers.contains("User-Agent")) {
        out += "User-Agent: ";
        out += default_user_agent;
        out += "\r\n";
    }
    if (!req.headers.contains("Accept")) {
        out += "Accept: */*\r\n";
    }
    if (!req.headers.contains("Connection")) {
        out += keep_alive ? "" : "Connection: close\r\n";
    }
    for (const auto& [name, value] : req.headers) {
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
    const bool body_expected = req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
    if (req.source != nullptr) {
        const auto size = req.source->size();
        out += size ? "Content-Length: " + std::to_string(*size) + "\r\n"
                    : std::string("Transfer-Encoding: chunked\r\n");
    } else if (!req.body.empty() || body_expected) {
        out += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
    }
    out += "\r\n";
    out += req.body;
    return out;
}

} // namespace https::http
// ---- https/http/response_parser.hpp ------------------------------------------------------------
// An incremental, sans-I/O HTTP/1.1 response parser (RFC 9112): status line, header fields with
// size limits (obs-fold unfolded as §5.2 asks), and the body framed by Content-Length, chunked
// coding (with trailers) or EOF.


#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace https::http {

/// Limits that bound what a server can make us buffer or wait for.
struct parser_limits {
    std::size_t max_head_bytes = 64 * 1024;  ///< status line + all header lines
    std::size_t max_header_count = 256;
    std::size_t max_line_bytes = 16 * 1024;  ///< any single line (incl. chunk-size lines)
    std::uint64_t max_body_bytes = std::numeric_limits<std::uint64_t>::max();
    /// Interim (1xx) responses before the final one (each may use the whole head budget).
    std::size_t max_interim_responses = 10;
};

/// Feed it the bytes of one response as they arrive; body bytes are handed to a callback as they
/// are decoded and never buffered whole. After `complete()`, `keep_alive()` says whether the
/// connection may carry another request, and `feed` reports how many bytes belonged to this
/// response (the rest belong to the next one).
class response_parser {
public:
    /// Receives decoded body bytes; returning an error aborts parsing with it.
    using body_sink = std::function<status(bytes_view)>;

    /// Called once the final (non-1xx) head is parsed, before any body byte is delivered;
    /// returning an error aborts parsing with it.
    using head_callback = std::function<status(const response_head&)>;

    explicit response_parser(bool head_request = false, parser_limits limits = {},
                             head_callback on_head = {})
        : head_request_(head_request), limits_(limits), on_head_(std::move(on_head)) {}

    /// Consume bytes; returns how many were used (less than offered only once the response is
    /// complete). Errors are sticky: every later call returns the same error.
    result<std::size_t> feed(bytes_view in, const body_sink& sink) {
        if (error_ != errc::ok) {
            return error_;
        }
        std::size_t used = 0;
        while (used < in.size() && state_ != state::done) {
            auto step = advance(in.subspan(used), sink);
            if (!step) {
                error_ = step.error();
                return error_;
            }
            used += *step;
        }
        return used;
    }

    /// The connection reached EOF. Completes a close-delimited body; anywhere else the response
    /// was cut short (`http_truncated_body`, or `http_bad_status_line` before any head).
    status finish_eof() {
        if (error_ != errc::ok) {
            return error_;
        }
        if (state_ == state::body_until_close) {
            state_ = state::done;
            return {};
        }
        if (state_ == state::done) {
            return {};
        }
        error_ = (state_ == state::status_line && line_.empty() && !seen_head_)
                     ? errc::net_connection_closed
                     : errc::http_truncated_body;
        return error_;
    }

    /// The final (non-1xx) status line and headers have been read.
    [[nodiscard]] bool head_complete() const noexcept { return !in_head(); }
    [[nodiscard]] bool complete() const noexcept { return state_ == state::done; }
    [[nodiscard]] const response_head& head() const noexcept { return head_; }
    /// Trailer fields of a chunked body.
    [[nodiscard]] const http::headers& trailers() const noexcept { return trailers_; }
    [[nodiscard]] std::uint64_t body_bytes() const noexcept { return body_seen_; }
    /// Whether the connection can be reused after this (complete) response.
    [[nodiscard]] bool keep_alive() const noexcept { return keep_alive_; }

private:
    enum class state {
        status_line,
        header_lines,
        body_length,
        chunk_size,
        chunk_data,
        chunk_data_end,
        trailer_lines,
        body_until_close,
        done,
    };

    // Collect one line (CRLF, or a bare LF as RFC 9112 §2.2 permits) into line_. Returns bytes
    // used, and sets `have` when a full line is in line_ (without its terminator).
    result<std::size_t> take_line(bytes_view in, bool& have) {
        have = false;
        std::size_t i = 0;
        for (; i < in.size(); ++i) {
            const char c = static_cast<char>(in[i]);
            if (c == '\n') {
                if (!line_.empty() && line_.back() == '\r') {
                    line_.pop_back();
                }
                have = true;
                return i + 1;
            }
            if (!line_.empty() && line_.back() == '\r') {
                return errc::http_bad_header; // bare CR
            }
            line_.push_back(c);
            if (line_.size() > limits_.max_line_bytes) {
                return in_head() ? errc::http_header_too_large : errc::http_bad_chunk;
            }
        }
        return i;
    }

    [[nodiscard]] bool in_head() const noexcept {
        return state_ == state::status_line || state_ == state::header_lines;
    }

    result<std::size_t> advance(bytes_view in, const body_sink& sink) {
        switch (state_) {
        case state::status_line:
        case state::header_lines:
        case state::chunk_size:
        case state::chunk_data_end:
        case state::trailer_lines: {
            bool have = false;
            auto used = take_line(in, have);
            if (!used) {
                return used;
            }
            if (in_head()) {
                head_bytes_ += *used;
                if (head_bytes_ > limits_.max_head_bytes) {
                    return errc::http_header_too_large;
                }
            }
            if (have) {
                auto st = on_line();
                line_.clear();
                if (!st) {
                    return st.error();
                }
            }
            return *used;
        }
        case state::body_length:
        case state::chunk_data: {
            const std::uint64_t n64 = std::min<std::uint64_t>(remaining_, in.size());
            const auto n = static_cast<std::size_t>(n64);
            HTTPS_TRY(deliver(in.first(n), sink));
            remaining_ -= n;
            if (remaining_ == 0) {
                state_ = state_ == state::body_length ? state::done : state::chunk_data_end;
            }
            return n;
        }
        case state::body_until_close:
            HTTPS_TRY(deliver(in, sink));
            return in.size();
        case state::done:
            return std::size_t{0};
        }
        return errc::http_bad_header;
    }

    status deliver(bytes_view data, const body_sink& sink) {
        if (data.empty()) {
            return {};
        }
        if (data.size() > limits_.max_body_bytes - body_seen_) {
            return errc::http_body_too_large;
        }
        body_seen_ += data.size();
        return sink ? sink(data) : status{};
    }

    status on_line() {
        switch (state_) {
        case state::status_line: return parse_status_line();
        case state::header_lines:
            if (line_.empty()) {
                HTTPS_TRY(store_pending(head_.headers));
                return end_of_head();
            }
            return parse_field(head_.headers);
        case state::chunk_size: return parse_chunk_size();
        case state::chunk_data_end:
            if (!line_.empty()) {
                return errc::http_bad_chunk;
            }
            state_ = state::chunk_size;
            return {};
        case state::trailer_lines:
            if (line_.empty()) {
                HTTPS_TRY(store_pending(trailers_));
                state_ = state::done;
                return {};
            }
            return parse_field(trailers_);
        default: return errc::http_bad_header;
        }
    }

    // RFC 9112 §4: HTTP-version SP 3DIGIT SP [reason-phrase]
    status parse_status_line() {
        std::string_view l = line_;
        if (l.size() < 12 || l.substr(0, 7) != "HTTP/1." || l[7] < '0' || l[7] > '9' ||
            l[8] != ' ') {
            return errc::http_bad_status_line;
        }
        for (int i = 9; i < 12; ++i) {
            if (l[i] < '0' || l[i] > '9') {
                return errc::http_bad_status_line;
            }
        }
        if (l.size() > 12 && l[12] != ' ') {
            return errc::http_bad_status_line;
        }
        const std::string_view reason = l.size() > 13 ? l.substr(13) : std::string_view{};
        if (!detail::is_field_value(reason)) {
            return errc::http_bad_status_line;
        }
        head_ = response_head{};
        head_.version_minor = l[7] - '0';
        head_.status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
        if (head_.status < 100) {
            return errc::http_bad_status_line;
        }
        head_.reason = std::string(reason);
        state_ = state::header_lines;
        return {};
    }

    // One field line. The field is held back in pending_ until the next line shows whether an
    // obs-fold continues it (RFC 9112 §5.2), then stored by store_pending.
    status parse_field(http::headers& into) {
        std::string_view l = line_;
        if (l[0] == ' ' || l[0] == '\t') {
            return unfold(l);
        }
        HTTPS_TRY(store_pending(into));
        const auto colon = l.find(':');
        if (colon == std::string_view::npos || !detail::is_token(l.substr(0, colon))) {
            return errc::http_bad_header; // includes whitespace before the colon (§5.1)
        }
        const std::string_view value = trim_ows(l.substr(colon + 1));
        if (!detail::is_field_value(value)) {
            return errc::http_bad_header;
        }
        pending_ = http::headers::field(l.substr(0, colon), value);
        return {};
    }

    // RFC 9112 §5.2: a user agent replaces each obs-fold (OWS CRLF RWS) in a response with SP
    // before interpreting the value. A fold with no field line before it (straight after the
    // status line, §2.2) has nothing to continue and stays an error. The unfolded field is held
    // to the single-line limit.
    status unfold(std::string_view continuation) {
        if (!pending_) {
            return errc::http_bad_header;
        }
        const std::string_view more = trim_ows(continuation);
        if (!detail::is_field_value(more)) {
            return errc::http_bad_header;
        }
        auto& value = pending_->second;
        if (!more.empty()) {
            if (!value.empty()) {
                value.push_back(' ');
            }
            value.append(more);
        }
        if (pending_->first.size() + 2 + value.size() > limits_.max_line_bytes) {
            return errc::http_header_too_large;
        }
        return {};
    }

    // Store the field held back by parse_field (at the next field line or the end of the block).
    status store_pending(http::headers& into) {
        if (!pending_) {
            return {};
        }
        if (into.size() >= limits_.max_header_count) {
            return errc::http_header_too_large;
        }
        into.add(std::move(pending_->first), std::move(pending_->second));
        pending_.reset();
        return {};
    }

    static std::string_view trim_ows(std::string_view v) noexcept {
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) {
            v.remove_prefix(1);
        }
        while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) {
            v.remove_suffix(1);
        }
        return v;
    }

    status end_of_head() {
        HTTPS_TRY(choose_framing());
        if (on_head_ && !in_head()) {
            return on_head_(head_);
        }
        return {};
    }

    // RFC 9112 §6.3: decide how the body is delimited.
    status choose_framing() {
        seen_head_ = true;
        const int s = head_.status;
        if (s >= 100 && s < 200) {
            if (s == 101) {
                return errc::http_bad_status_line; // we never ask to switch protocols
            }
            if (++interim_responses_ > limits_.max_interim_responses) {
                return errc::http_too_many_interim; // else a server could send them forever
            }
            state_ = state::status_line; // interim response: the real one follows
            head_bytes_ = 0;
            return {};
        }
        const auto& h = head_.headers;
        keep_alive_ = head_.version_minor >= 1 && !h.has_token("Connection", "close");
        const bool has_te = h.contains("Transfer-Encoding");
        auto lengths = h.get_all("Content-Length");
        if (head_request_ || s == 204 || s == 304) {
            state_ = state::done;
            return {};
        }
        if (has_te) {
            if (!lengths.empty()) {
                return errc::http_bad_content_length; // both: a request-smuggling vector
            }
            // Only "chunked", and only once, as the final coding: we ask for no other coding.
            auto te = h.get_all("Transfer-Encoding");
            if (te.size() != 1 || !detail::iequals(te[0], "chunked")) {
                return errc::http_bad_header;
            }
            state_ = state::chunk_size;
            return {};
        }
        if (!lengths.empty()) {
            auto len = parse_content_length(lengths);
            if (!len) {
                return len.error();
            }
            if (*len > limits_.max_body_bytes) {
                return errc::http_body_too_large;
            }
            remaining_ = *len;
            state_ = remaining_ == 0 ? state::done : state::body_length;
            return {};
        }
        keep_alive_ = false; // delimited by the connection closing
        state_ = state::body_until_close;
        return {};
    }

    // Every Content-Length value (several fields, or a comma list) must be the same number.
    static result<std::uint64_t> parse_content_length(const std::vector<std::string>& values) {
        bool have = false;
        std::uint64_t agreed = 0;
        for (const auto& field : values) {
            std::string_view v = field;
            while (true) {
                const auto comma = v.find(',');
                const std::string_view item = trim_ows(v.substr(0, comma));
                if (item.empty() || item.size() > 19) {
                    return errc::http_bad_content_length;
                }
                std::uint64_t n = 0;
                for (char c : item) {
                    if (c < '0' || c > '9') {
                        return errc::http_bad_content_length;
                    }
                    n = n * 10 + static_cast<std::uint64_t>(c - '0');
                }
                if (have && n != agreed) {
                    return errc::http_bad_content_length;
                }
                have = true;
                agreed = n;
                if (comma == std::string_view::npos) {
                    break;
                }
                v.remove_prefix(comma + 1);
            }
        }
        return agreed;
    }

    // chunk-size [ chunk-ext ] : hex digits, then optional ";ext" which we ignore.
    status parse_chunk_size() {
        std::string_view l = line_;
        const auto semi = l.find(';');
        std::string_view digits = l.substr(0, semi);
        while (!digits.empty() && (digits.back() == ' ' || digits.back() == '\t')) {
            digits.remove_suffix(1);
        }
        if (digits.empty() || digits.size() > 15) {
            return errc::http_bad_chunk;
        }
        std::uint64_t n = 0;
        for (char c : digits) {
            int v = -1;
            if (c >= '0' && c <= '9') {
                v = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                v = c - 'a' + 10;
            } else if (c >= 'A' && c <= 'F') {
                v = c - 'A' + 10;
            }
            if (v < 0) {
                return errc::http_bad_chunk;
            }
            n = (n << 4) | static_cast<std::uint64_t>(v);
        }
        if (n == 0) {
            state_ = state::trailer_lines;
            return {};
        }
        if (n > limits_.max_body_bytes - body_seen_) {
            return errc::http_body_too_large;
        }
        remaining_ = n;
        state_ = state::chunk_data;
        return {};
    }

    bool head_request_;
    parser_limits limits_;
    head_callback on_head_;
    state state_ = state::status_line;
    errc error_ = errc::ok;
    std::string line_;
    std::optional<http::headers::field> pending_; // the last field line, open to obs-fold
    std::size_t head_bytes_ = 0;
    std::size_t interim_responses_ = 0;
    bool seen_head_ = false;
    bool keep_alive_ = false;
    std::uint64_t remaining_ = 0;
    std::uint64_t body_seen_ = 0;
    response_head head_;
    http::headers trailers_;
};

} // namespace https::http

#include <array>
#include <chrono>
#include <compare>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace https::http {

/// What a connector needs to open a connection.
struct connect_request {
    const url& target;
    const client_options& options;
    net::deadline deadline; ///< for resolving, connecting and the TLS handshake
};

/// Opens a stream to a URL's origin: plain TCP for http://, TLS for https://.
using connector = std::function<result<std::unique_ptr<net::stream>>(const connect_request&)>;

namespace detail {

/// The bytes of a request in the order they go out: the head (with an in-memory body), then a
/// source's body read piece by piece, framed by chunked coding when its size is unknown.
class request_writer {
public:
    request_writer(bytes_view head, body_source* source) : head_(head), source_(source) {
        if (source != nullptr) {
            left_ = source->size();
        }
    }
    /// The next piece to send (valid until the next call); empty once all has been handed out.
    HTTPS_DECL result<bytes_view> next();

private:
    // A piece fills one TLS record at most (16 KiB of plaintext), chunk framing included: a
    // chunk's hex size and CRLF go in the first size_room bytes, its CRLF after the data.
    static constexpr std::size_t piece_size = 16 * 1024;
    static constexpr std::size_t size_room = 8 + 2;
    static constexpr std::size_t chunk_data_size = piece_size - size_room - 2;

    bytes_view head_;
    body_source* source_;
    std::optional<std::uint64_t> left_; // of a body with Content-Length
    bool done_ = false;
    std::array<std::uint8_t, piece_size> buf_{};
};

/// Apply --resolve overrides, else resolve the host, bounded by the deadline.
HTTPS_DECL result<std::vector<net::endpoint>> resolve_target(const url& u, const client_options& o,
                                                             net::deadline d);

} // namespace detail

/// Plain TCP connections (http:// URLs).
HTTPS_DECL result<std::unique_ptr<net::stream>> connect_plain(const connect_request& req);

/// A session: keeps idle connections per origin and reuses them, so many requests to one host
/// pay for one connection and one handshake. A connection is reused only by a request whose
/// options would have made and authenticated it the same way (see `pool_key`). Not thread-safe;
/// use one client per thread.
class client {
public:
    /// `secure` opens https:// connections (the facade passes the TLS connector);
    /// `plain` opens http:// ones.
    HTTPS_DECL explicit client(connector secure, connector plain = connect_plain);

    /// Perform `req`, following redirects if the options say so.
    HTTPS_DECL result<response> perform(request req, const client_options& opts);

    /// Connections opened so far (for tests and diagnostics).
    [[nodiscard]] std::size_t connections_opened() const noexcept { return opened_; }
    /// Drop every idle connection.
    void close_idle() { pool_.clear(); }

private:
    using stream_ptr = std::unique_ptr<net::stream>;

    // Idle connections are kept per origin and per every option that decides where a connection
    // goes and how the server was authenticated, so that a connection opened under weaker
    // settings (insecure, other trust anchors, a resolve override, other TLS versions) never
    // carries a request that asks for more (class of CVE-2024-35195). A new such option in
    // client_options must be added here.
    struct pool_key {
        std::string scheme;
        std::string host;
        std::uint16_t port = 0;
        std::vector<std::string> resolve;
        std::string ca_file;
        std::string ca_pem;
        bool insecure = false;
        bool web_pki_profile = true;
        tls_version min_version = tls_version::tls1_2;
        tls_version max_version = tls_version::tls1_3;
        auto operator<=>(const pool_key&) const = default;
    };

    static pool_key pool_key_for(const url& u, const client_options& o) {
        return {.scheme = u.scheme,
                .host = u.host,
                .port = u.port,
                .resolve = o.resolve,
                .ca_file = o.ca_file,
                .ca_pem = o.ca_pem,
                .insecure = o.insecure,
                .web_pki_profile = o.web_pki_profile,
                .min_version = o.min_version,
                .max_version = o.max_version};
    }

    HTTPS_DECL result<stream_ptr> open(const url& u, const client_options& opts,
                                       net::deadline total);

    // One request, no redirects; `with_credentials` false leaves out Authorization, Cookie and
    // Proxy-Authorization.
    HTTPS_DECL result<response> perform_once(const request& req, const client_options& opts,
                                             net::deadline total, bool with_credentials);

    // One request/response on one connection; the bool says whether it can be reused.
    HTTPS_DECL result<std::pair<response, bool>> exchange(net::stream& s, bytes_view wire,
                                                          const request& req,
                                                          const client_options& opts,
                                                          net::deadline total, bool& got_any);

    connector secure_;
    connector plain_;
    std::map<pool_key, std::vector<stream_ptr>> pool_;
    std::size_t opened_ = 0;
};

} // namespace https::http

// ---- https/http/content_coding.hpp -------------------------------------------------------------
// Content codings (RFC 9110 §8.4): which Content-Encoding values the client decodes, and the
// decoder that turns a response's encoded body into the decoded one as it arrives.


#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace https::http {

/// The Accept-Encoding value sent when the caller asks for compressed responses.
inline constexpr std::string_view accepted_codings = "gzip, deflate";

/// The format of a response body with these header fields, if the client decodes its coding:
/// one Content-Encoding of "gzip" or "x-gzip" (RFC 9110 §8.4.1.3), or "deflate" (§8.4.1.2: zlib,
/// though some servers send raw DEFLATE). Anything else -- no coding, "identity", a coding we
/// do not implement, several codings -- is nullopt, and the body passes through as it came, as
/// curl does.
inline std::optional<compression_format> decodable_coding(const headers& fields) {
    const auto values = fields.get_all("Content-Encoding");
    if (values.size() != 1) {
        return std::nullopt;
    }
    std::string_view v = values.front();
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) {
        v.remove_prefix(1);
    }
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) {
        v.remove_suffix(1);
    }
    if (detail::iequals(v, "gzip") || detail::iequals(v, "x-gzip")) {
        return compression_format::gzip;
    }
    if (detail::iequals(v, "deflate")) {
        return compression_format::zlib_or_raw;
    }
    return std::nullopt;
}

/// Decodes one response body. An empty body is accepted as empty (a HEAD response, a 204 or
/// 304, or a server that labels an empty body gzip); a body with any bytes must be a complete
/// stream (`inflate_*` errors otherwise).
class content_decoder {
public:
    content_decoder(compression_format format, inflate_limits limits)
        : inflater_(format, limits) {}

    /// The decoder for a response with these header fields, if its coding is one we decode.
    static std::optional<content_decoder> for_response(const headers& fields,
                                                       inflate_limits limits) {
        if (auto format = decodable_coding(fields)) {
            return content_decoder(*format, limits);
        }
        return std::nullopt;
    }

    /// Header fields as the caller sees them once the body is decoded: Content-Encoding no
    /// longer applies, and Content-Length counted the encoded bytes.
    static void strip_coding_fields(headers& fields) {
        fields.remove("Content-Encoding");
        fields.remove("Content-Length");
    }

    /// Decode the next piece of the encoded body into `out`.
    status feed(bytes_view encoded, const inflater::sink& out) {
        fed_ = fed_ || !encoded.empty();
        return inflater_.feed(encoded, out);
    }

    /// The body has ended: success if it was empty or a complete stream.
    [[nodiscard]] status finish() const { return fed_ ? inflater_.finish() : status{}; }

private:
    inflater inflater_;
    bool fed_ = false;
};

} // namespace https::http

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace https::http {

namespace detail {

HTTPS_DECL result<bytes_view> request_writer::next() {
    if (!head_.empty()) {
        return std::exchange(head_, bytes_view{});
    }
    if (source_ == nullptr || done_) {
        return bytes_view{};
    }
    if (left_) { // Content-Length: exactly that many bytes
        if (*left_ == 0) {
            done_ = true;
            return bytes_view{};
        }
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(*left_, piece_size));
        auto n = source_->read(mutable_bytes(buf_.data(), want));
        if (!n) {
            return n.error();
        }
        if (*n == 0) {
            return errc::http_body_length_mismatch;
        }
        *left_ -= *n;
        return bytes_view(buf_.data(), *n);
    }
    // Chunked (RFC 9112 §7.1): hex size CRLF data CRLF per piece; "0" CRLF CRLF at the end.
    auto n = source_->read(mutable_bytes(buf_.data() + size_room, chunk_data_size));
    if (!n) {
        return n.error();
    }
    if (*n == 0) {
        done_ = true;
        return as_bytes("0\r\n\r\n");
    }
    std::size_t start = size_room - 2;
    buf_[start] = '\r';
    buf_[start + 1] = '\n';
    for (std::size_t v = *n; v != 0; v >>= 4) {
        buf_[--start] = static_cast<std::uint8_t>("0123456789abcdef"[v & 0xf]);
    }
    buf_[size_room + *n] = '\r';
    buf_[size_room + *n + 1] = '\n';
    return bytes_view(buf_.data() + start, size_room + *n + 2 - start);
}

HTTPS_DECL result<std::vector<net::endpoint>> resolve_target(const url& u, const client_options& o,
                                                             net::deadline d) {
    for (const auto& entry : o.resolve) {
        // host:port:address (address may be a bracketed IPv6 literal)
        const auto first = entry.find(':');
        const auto second = first == std::string::npos ? first : entry.find(':', first + 1);
        if (second == std::string::npos) {
            return errc::http_bad_url;
        }
        std::string host = entry.substr(0, first);
        for (auto& c : host) {
            c = http::detail::to_lower(c);
        }
        const std::string port = entry.substr(first + 1, second - first - 1);
        std::string address = entry.substr(second + 1);
        if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
            address = address.substr(1, address.size() - 2);
        }
        if (host == u.host && port == std::to_string(u.port)) {
            return net::resolve(address, u.port, d);
        }
    }
    return net::resolve(u.host, u.port, d);
}

} // namespace detail

HTTPS_DECL result<std::unique_ptr<net::stream>> connect_plain(const connect_request& req) {
    auto endpoints = detail::resolve_target(req.target, req.options, req.deadline);
    if (!endpoints) {
        return endpoints.error();
    }
    auto s = net::connect(*endpoints, req.deadline, req.options.idle_timeout);
    if (!s) {
        return s.error();
    }
    return std::unique_ptr<net::stream>(new net::tcp_stream(std::move(s).value()));
}

HTTPS_DECL client::client(connector secure, connector plain)
    : secure_(std::move(secure)), plain_(std::move(plain)) {}

HTTPS_DECL result<response> client::perform(request req, const client_options& opts) {
    const net::deadline total = net::deadline_after(opts.total_timeout);
    const url first = req.url; // the origin the caller's credentials are for
    int redirects = 0;
    for (;;) {
        const bool with_credentials =
            opts.credentials_follow_redirects || req.url.same_origin(first);
        auto r = perform_once(req, opts, total, with_credentials);
        if (!r) {
            return r.error();
        }
        r->redirects = redirects;
        const int s = r->status;
        const bool is_redirect = s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
        auto location = r->headers.get("Location");
        if (!opts.follow_redirects.value_or(false) || !is_redirect || !location) {
            return r;
        }
        if (redirects >= opts.max_redirects) {
            return errc::http_too_many_redirects;
        }
        auto next = resolve_redirect(req.url, *location);
        if (!next) {
            return next.error();
        }
        if (req.url.is_https() && !next->is_https()) {
            return errc::http_insecure_redirect; // never downgrade to cleartext
        }
        // RFC 9110 §15.4: 303 always becomes GET; 301/302 turn POST into GET as browsers do.
        // Otherwise (307/308, and 301/302 for other methods) the body is sent again.
        if (s == 303 || ((s == 301 || s == 302) && req.method == "POST")) {
            if (req.method != "HEAD") {
                req.method = "GET";
            }
            req.body.clear();
            req.source = nullptr;
        }
        req.url = std::move(next).value();
        ++redirects;
    }
}

HTTPS_DECL result<client::stream_ptr> client::open(const url& u, const client_options& opts,
                                                   net::deadline total) {
    auto& idle = pool_[pool_key_for(u, opts)];
    while (!idle.empty()) {
        stream_ptr s = std::move(idle.back());
        idle.pop_back();
        if (s->reusable()) {
            return s;
        }
    }
    net::deadline d = net::deadline_after(opts.connect_timeout);
    d = std::min(d, total);
    const connector& c = u.is_https() ? secure_ : plain_;
    if (!c) {
        return errc::http_unsupported_scheme;
    }
    auto s = c(connect_request{u, opts, d});
    if (s) {
        ++opened_;
        if (opts.on_verbose) {
            opts.on_verbose("connected: " + (*s)->describe());
        }
    }
    return s;
}

HTTPS_DECL result<response> client::perform_once(const request& req, const client_options& opts,
                                                 net::deadline total, bool with_credentials) {
    request wire_req = req;
    for (const auto& [name, value] : opts.headers) {
        if (!wire_req.headers.contains(name)) {
            wire_req.headers.add(name, value);
        }
    }
    if (!with_credentials) {
        for (const char* name : {"Authorization", "Cookie", "Proxy-Authorization"}) {
            wire_req.headers.remove(name);
        }
    }
    if (opts.accept_compressed && !wire_req.headers.contains("Accept-Encoding")) {
        wire_req.headers.add("Accept-Encoding", std::string(accepted_codings));
    }
    auto wire = encode_request(wire_req);
    if (!wire) {
        return wire.error();
    }
    // A pooled connection the server closed meanwhile fails before any response byte; then
    // (and only then) the request is retried once on a fresh connection.
    for (int attempt = 0;; ++attempt) {
        const std::size_t opened_before = opened_;
        auto s = open(req.url, opts, total);
        if (!s) {
            return s.error();
        }
        const bool reused = opened_ == opened_before;
        (*s)->set_idle_timeout(opts.idle_timeout); // a pooled one was opened under other options
        bool got_any = false;
        auto r = exchange(**s, as_bytes(*wire), req, opts, total, got_any);
        if (r) {
            if (r->second) {
                pool_[pool_key_for(req.url, opts)].push_back(std::move(*s));
            }
            return std::move(r->first);
        }
        const bool retryable =
            r.error() == errc::net_connection_closed || r.error() == errc::tls_closed;
        if (!(reused && !got_any && retryable && attempt == 0)) {
            return r.error();
        }
    }
}

HTTPS_DECL result<std::pair<response, bool>> client::exchange(net::stream& s, bytes_view wire,
                                                              const request& req,
                                                              const client_options& opts,
                                                              net::deadline total, bool& got_any) {
    parser_limits limits;
    limits.max_body_bytes = opts.max_body_bytes.value_or(
        opts.on_body ? std::numeric_limits<std::uint64_t>::max() : default_max_stored_body_bytes);
    response out;
    out.url = req.url.to_string();
    std::optional<std::uint64_t> content_length;
    bool discard = false; // the body of a redirect we are about to follow
    // With accept_compressed, a gzip or deflate body is decoded on its way to the caller, under
    // the body cap and the ratio cap.
    std::optional<content_decoder> decoder;
    inflate_limits decode_limits;
    decode_limits.max_output_bytes = limits.max_body_bytes;
    decode_limits.max_ratio = opts.max_compression_ratio;
    auto on_head = [&](const response_head& head) -> status {
        const int s = head.status;
        discard = opts.follow_redirects.value_or(false) && head.headers.contains("Location") &&
                  (s == 301 || s == 302 || s == 303 || s == 307 || s == 308);
        if (auto cl = head.headers.get("Content-Length")) {
            content_length = std::strtoull(cl->c_str(), nullptr, 10);
        }
        if (opts.accept_compressed && !discard) {
            decoder = content_decoder::for_response(head.headers, decode_limits);
        }
        if (!discard && opts.on_head) {
            if (decoder) {
                response_head seen = head;
                content_decoder::strip_coding_fields(seen.headers);
                opts.on_head(seen);
            } else {
                opts.on_head(head);
            }
        }
        return {};
    };
    response_parser parser(req.method == "HEAD", limits, on_head);
    // The body as the caller receives it (decoded, if it was encoded).
    const inflater::sink deliver = [&](bytes_view body) -> status {
        if (opts.on_body) {
            if (!opts.on_body(body)) {
                return errc::http_aborted;
            }
        } else {
            out.body.append(reinterpret_cast<const char*>(body.data()), body.size());
        }
        return {};
    };
    auto sink = [&](bytes_view body) -> status {
        if (discard) {
            return {};
        }
        HTTPS_TRY(decoder ? decoder->feed(body, deliver) : deliver(body));
        if (opts.on_progress) {
            opts.on_progress(parser.body_bytes(), content_length); // already counts `body`
        }
        return {};
    };
    std::array<std::uint8_t, 16384> buf{};
    bool leftover = false;
    // Read once from the server and parse what came.
    auto receive = [&]() -> status {
        auto n = s.read_some(buf, total);
        if (!n) {
            return n.error();
        }
        if (*n == 0) {
            return parser.finish_eof(); // completes a close-delimited body, else an error
        }
        got_any = true;
        auto used = parser.feed(bytes_view(buf.data(), *n), sink);
        if (!used) {
            return used.error();
        }
        leftover = *used < *n;
        return {};
    };

    // Send the request, watching for an early answer (RFC 9112 §9.5): a server may respond
    // before it has read the whole body (413, 401, a redirect) and then stop reading or close.
    // What it sends is read as soon as it arrives. Once the final response is complete, or its
    // head is complete with an error or redirect status (>= 300), the rest of the request is not
    // sent and the connection is not reused. Interim (1xx) responses, a head still incomplete,
    // and a 2xx whose body is still coming let the sending go on, as curl does: a server may
    // stream its answer while it reads the body, and would wait for the rest of it.
    if (req.source != nullptr) {
        HTTPS_TRY(req.source->rewind());
    }
    detail::request_writer writer(wire, req.source);
    bool sent_all = false;
    bytes_view piece;
    for (;;) {
        if (piece.empty()) {
            auto next = writer.next();
            if (!next) {
                return next.error();
            }
            if (next->empty()) {
                sent_all = true;
                break;
            }
            piece = *next;
        }
        auto taken = s.write_unless_readable(piece, total);
        if (!taken) {
            return taken.error();
        }
        piece = piece.subspan(*taken);
        if (!piece.empty()) { // the server spoke first
            HTTPS_TRY(receive());
            if (parser.complete() || (parser.head_complete() && parser.head().status >= 300)) {
                if (opts.on_verbose) {
                    opts.on_verbose("the server answered before the whole request was sent: "
                                    "stopped sending");
                }
                break;
            }
        }
    }
    while (!parser.complete()) {
        HTTPS_TRY(receive());
    }
    const auto& head = parser.head();
    out.status = head.status;
    out.reason = head.reason;
    out.headers = head.headers;
    if (decoder) {
        HTTPS_TRY(decoder->finish()); // a body cut short inside the compressed stream
        content_decoder::strip_coding_fields(out.headers);
    }
    const bool reusable = sent_all && parser.keep_alive() && !leftover && s.reusable();
    return std::pair<response, bool>{std::move(out), reusable};
}

} // namespace https::http
// ---- https/impl/https.ipp ----------------------------------------------------------------------
// The facade's implementation: the TLS connector that ties the HTTP client to the TLS engine and
// X.509 validation, the trust-store cache, and https::client's members. Included by https.hpp
// when header-only; compiled once by src/https.cpp with HTTPS_SEPARATE_COMPILATION.


#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace https {

/// The `failure` an error belongs to.
HTTPS_DECL failure failure_of(errc e) noexcept {
    switch (e) {
    case errc::net_resolve_failed: return failure::resolve;
    case errc::net_connect_failed: return failure::connect;
    case errc::net_timeout:
    case errc::net_idle_timeout: return failure::timeout;
    case errc::net_connection_closed:
    case errc::net_io_error: return failure::receive;
    case errc::http_too_many_redirects:
    case errc::http_insecure_redirect: return failure::redirects;
    case errc::http_body_too_large:
    case errc::http_header_too_large:
    case errc::inflate_too_large:
    case errc::inflate_ratio_exceeded: return failure::too_large;
    case errc::inflate_truncated:
    case errc::inflate_bad_header:
    case errc::inflate_bad_block_type:
    case errc::inflate_bad_stored_length:
    case errc::inflate_bad_code_lengths:
    case errc::inflate_bad_symbol:
    case errc::inflate_distance_too_far:
    case errc::inflate_bad_checksum:
    case errc::inflate_trailing_data: return failure::protocol; // a body the server mis-encoded
    case errc::http_bad_url:
    case errc::http_unsupported_scheme:
    case errc::http_aborted:
    case errc::http_body_read_failed:
    case errc::http_body_length_mismatch:
    case errc::http_body_not_rewindable: return failure::usage;
    default: break;
    }
    switch (layer_of(e)) {
    case error_layer::x509: return failure::certificate;
    case error_layer::tls:
    case error_layer::crypto:
    case error_layer::decode: return failure::tls;
    default: return failure::protocol;
    }
}

namespace detail {
class failure_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "https.failure"; }
    std::string message(int value) const override {
        switch (static_cast<failure>(value)) {
        case failure::resolve: return "could not resolve host";
        case failure::connect: return "could not connect";
        case failure::timeout: return "timed out";
        case failure::tls: return "TLS handshake or protocol failure";
        case failure::certificate: return "server certificate rejected";
        case failure::protocol: return "HTTP protocol error";
        case failure::redirects: return "redirect refused or too many redirects";
        case failure::too_large: return "response too large";
        case failure::usage: return "invalid request";
        case failure::receive: return "connection failed while receiving";
        }
        return "unknown failure";
    }
    bool equivalent(const std::error_code& code, int condition) const noexcept override {
        return code.category() == errc_category() &&
               static_cast<int>(failure_of(static_cast<errc>(code.value()))) == condition;
    }
};
} // namespace detail

HTTPS_DECL const std::error_category& failure_category() noexcept {
    static const detail::failure_category_impl instance;
    return instance;
}

namespace detail {

/// Trust stores are costly to load, so each source (system, a file, a PEM text) is loaded once
/// per process and shared.
HTTPS_DECL result<std::shared_ptr<const x509::trust_store>> trust_store_for(const options& o) {
    static std::mutex m;
    static std::map<std::string, std::shared_ptr<const x509::trust_store>> cache;
    const std::string key = !o.ca_pem.empty() ? "pem:" + o.ca_pem
                            : !o.ca_file.empty() ? "file:" + o.ca_file
                                                 : std::string("system");
    std::lock_guard<std::mutex> lock(m);
    if (auto it = cache.find(key); it != cache.end()) {
        return it->second;
    }
    auto store = !o.ca_pem.empty()    ? x509::trust_store::from_pem(o.ca_pem)
                 : !o.ca_file.empty() ? x509::trust_store::from_file(o.ca_file)
                                      : x509::trust_store::system();
    if (!store) {
        return store.error();
    }
    auto shared = std::make_shared<const x509::trust_store>(std::move(store).value());
    cache.emplace(key, shared);
    return shared;
}

/// The `-v` line for the stapled OCSP response a verified path was checked against.
HTTPS_DECL std::string describe_staple(const x509::verified_path& path, bool stapled) {
    if (path.revocation) {
        const auto& r = *path.revocation;
        std::string line = "OCSP staple: good (this update " + x509::format_time(r.this_update);
        line += r.next_update ? ", next update " + x509::format_time(*r.next_update)
                              : std::string(", no next update");
        return line + ")";
    }
    if (path.staple_error != errc::ok) {
        return std::string("OCSP staple set aside: ") + describe(path.staple_error);
    }
    return stapled ? "OCSP staple set aside: not checked (no issuer in the path)"
                   : "OCSP staple: none";
}

/// The `-v` line for a chain refused because of its staple, empty for any other refusal.
HTTPS_DECL std::string describe_staple_refusal(errc e, bool stapled) {
    switch (e) {
    case errc::cert_revoked: return "OCSP staple: revoked";
    case errc::cert_ocsp_missing:
        return stapled ? "OCSP staple unusable, and the certificate requires one (must-staple)"
                       : "OCSP staple: none, and the certificate requires one (must-staple)";
    case errc::cert_ocsp_malformed:
    case errc::cert_ocsp_bad_responder:
    case errc::cert_ocsp_stale:
    case errc::cert_ocsp_unknown:
        return std::string("OCSP staple unusable (") + describe(e) +
               "), and the certificate requires one (must-staple)";
    default: return {};
    }
}

/// Why the last TLS handshake refused its server, kept for the error the facade throws.
struct refusal_note {
    errc error = errc::ok;
    std::string text;
};

/// Open a TLS connection for an https:// URL: resolve, connect, handshake with full
/// certificate validation (unless `insecure`), all before the connect deadline. A handshake the
/// engine refuses is reported to `on_verbose` and in `note` with the rule the server broke.
HTTPS_DECL result<std::unique_ptr<net::stream>> connect_tls(const http::connect_request& req,
                                                            refusal_note* note) {
    const auto& o = req.options;
    if (o.min_version > o.max_version) {
        return errc::tls_protocol_version;
    }
    std::shared_ptr<const x509::trust_store> anchors;
    if (!o.insecure) {
        auto store = trust_store_for(o);
        if (!store) {
            return store.error();
        }
        anchors = std::move(store).value();
    }
    auto endpoints = http::detail::resolve_target(req.target, o, req.deadline);
    if (!endpoints) {
        return endpoints.error();
    }
    auto tcp = net::connect(*endpoints, req.deadline, o.idle_timeout); // and the handshake
    if (!tcp) {
        return tcp.error();
    }
    tls::client_config cfg;
    cfg.server_name = req.target.host;
    cfg.alpn = {"http/1.1"};
    cfg.min_version = static_cast<tls::protocol_version>(o.min_version);
    cfg.max_version = static_cast<tls::protocol_version>(o.max_version);
    auto verbose = o.on_verbose;
    const auto profile = o.web_pki_profile ? x509::certificate_profile::web_pki
                                           : x509::certificate_profile::rfc5280;
    // RFC 6066 §8: ask for a stapled OCSP response; verify_chain refuses a revoked leaf and a
    // must-staple leaf (RFC 7633) without a usable staple.
    cfg.request_ocsp_staple = true;
    const bool staple_requested = cfg.request_ocsp_staple;
    cfg.verify_certificate = [anchors, verbose, profile, staple_requested](
                                 std::span<const bytes_view> chain, std::string_view host,
                                 std::optional<bytes_view> staple) -> status {
        if (!anchors) {
            return {}; // --insecure: the caller chose to skip path validation
        }
        if (chain.empty()) {
            return errc::cert_unknown_issuer;
        }
        x509::verify_options vo;
        vo.set_host(host);
        vo.profile = profile;
        vo.staple_requested = staple_requested;
        vo.ocsp_staple = staple;
        auto path = x509::verify_chain(chain[0], chain.subspan(1), *anchors, vo);
        if (!path) {
            if (verbose) {
                if (auto line = detail::describe_staple_refusal(path.error(), staple.has_value());
                    !line.empty()) {
                    verbose(line);
                }
            }
            return path.error();
        }
        if (verbose) {
            for (auto der : path->certificates) {
                verbose("certificate: " + x509::describe_certificate(der));
            }
            verbose(detail::describe_staple(*path, staple.has_value()));
        }
        return {};
    };
    tls::refusal why = tls::refusal::none;
    auto s =
        net::tls_stream::handshake(std::move(tcp).value(), std::move(cfg), req.deadline, &why);
    if (!s) {
        if (why != tls::refusal::none) {
            const std::string text = tls::describe(why);
            if (o.on_verbose) {
                o.on_verbose("TLS handshake refused: " + text);
            }
            if (note != nullptr) {
                *note = refusal_note{s.error(), text};
            }
        }
        return s.error();
    }
    return std::unique_ptr<net::stream>(std::move(s).value());
}

} // namespace detail

/// https::client's state: the HTTP client (connection pool, redirects) with the TLS connector.
class client::impl {
public:
    impl()
        : http_([this](const http::connect_request& req) {
              return detail::connect_tls(req, &refused_);
          }) {}

    /// Perform a request whose body is `body` or `source`; on failure `ec` is set.
    response perform(std::string_view method, std::string_view url, const options& opts,
                     std::string body, body_source* source, std::error_code& ec) {
        ec.clear();
        refused_ = {};
        auto u = http::parse_url(url);
        if (!u) {
            ec = u.error();
            return {};
        }
        http::request req;
        req.method = std::string(method);
        req.url = std::move(u).value();
        req.body = std::move(body);
        req.source = source;
        auto r = http_.perform(std::move(req), opts);
        if (!r) {
            ec = r.error();
            return {};
        }
        return std::move(r).value();
    }

    /// The context of the error for a failed request: the request, and the rule the server broke
    /// if a TLS handshake refused it with that very error.
    [[nodiscard]] std::string context(std::string_view method, std::string_view url,
                                      const std::error_code& ec) const {
        std::string out = std::string(method) + " " + std::string(url);
        if (!refused_.text.empty() && ec == make_error_code(refused_.error)) {
            out += " (" + refused_.text + ")";
        }
        return out;
    }

    detail::refusal_note refused_;
    http::client http_;
};

HTTPS_DECL client::client() : impl_(std::make_unique<impl>()) {}
HTTPS_DECL client::~client() = default;
HTTPS_DECL client::client(client&& other) noexcept = default;
HTTPS_DECL client& client::operator=(client&& other) noexcept = default;

HTTPS_DECL response client::request(std::string_view method, std::string_view url,
                                    const options& opts, std::string body) {
    std::error_code ec;
    response r = request(method, url, opts, std::move(body), ec);
    if (ec) {
        throw error(ec, impl_->context(method, url, ec));
    }
    return r;
}

HTTPS_DECL response client::request(std::string_view method, std::string_view url,
                                    const options& opts, std::string body,
                                    std::error_code& ec) {
    return impl_->perform(method, url, opts, std::move(body), nullptr, ec);
}

HTTPS_DECL response client::request(std::string_view method, std::string_view url,
                                    const options& opts, body_source& body) {
    std::error_code ec;
    response r = request(method, url, opts, body, ec);
    if (ec) {
        throw error(ec, impl_->context(method, url, ec));
    }
    return r;
}

HTTPS_DECL response client::request(std::string_view method, std::string_view url,
                                    const options& opts, body_source& body,
                                    std::error_code& ec) {
    return impl_->perform(method, url, opts, {}, &body, ec);
}

HTTPS_DECL response client::get(std::string_view url, options opts) {
    opts.follow_redirects = opts.follow_redirects.value_or(true);
    return request("GET", url, opts);
}

HTTPS_DECL response client::get(std::string_view url, options opts, std::error_code& ec) {
    opts.follow_redirects = opts.follow_redirects.value_or(true);
    return request("GET", url, opts, {}, ec);
}

HTTPS_DECL std::size_t client::connections_opened() const noexcept {
    return impl_->http_.connections_opened();
}

} // namespace https
#endif // implementation
