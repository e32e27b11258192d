// TLS registries (versions, extension types, named groups, signature schemes) and the extension
// block codec shared by every handshake message (RFC 8446 §4.2).
#pragma once

#include "../core/bytes.hpp"
#include "../core/result.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detail/macro_scope.hpp"

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
    X(x448, 0x001e) X(x25519_mlkem768, 0x11ec) /* draft-ietf-tls-ecdhe-mlkem */
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
    if (code == static_cast<std::uint16_t>(named_group::x25519_mlkem768)) {
        return "X25519MLKEM768"; // the one IANA name not spelt as its enumerator
    }
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

#include "detail/macro_unscope.hpp"
