// What the TLS 1.3 and TLS 1.2 handshakes share: the context the engine hands them for each
// message, what both learn about the server (suite, group, certificate chain, ALPN, ...), the
// certificate check and the acknowledgements of our extensions that both versions receive.
#pragma once

#include "../core/bytes.hpp"
#include "../core/result.hpp"
#include "cipher_suite.hpp"
#include "client_config.hpp"
#include "client_hello.hpp"
#include "extensions.hpp"
#include "messages.hpp"
#include "protection.hpp"
#include "refusal.hpp"
#include "signature.hpp"
#include "transcript.hpp"

#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "detail/macro_scope.hpp"

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

#include "detail/macro_unscope.hpp"
