// Handshake messages: encoding what the client sends (ClientHello, Certificate, Finished,
// KeyUpdate) and decoding what the server sends (RFC 8446 §4), all through reader/writer.
#pragma once

#include "../core/bytes.hpp"
#include "../core/result.hpp"
#include "extensions.hpp"
#include "refusal.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "detail/macro_scope.hpp"

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

#include "detail/macro_unscope.hpp"
