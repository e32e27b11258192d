// Our offer: the one ClientHello a connection sends (again, with a new share or a cookie, after a
// HelloRetryRequest), built from the configuration for TLS 1.3, TLS 1.2 or both; the key shares
// behind it; and the version dispatch on the ServerHello, downgrade sentinel included. Both
// handshakes hold the server to this offer.
#pragma once

#include "../core/bytes.hpp"
#include "../core/result.hpp"
#include "client_config.hpp"
#include "extensions.hpp"
#include "key_share.hpp"
#include "messages.hpp"
#include "refusal.hpp"
#include "signature.hpp"
#include "tls12_key_exchange.hpp"

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "detail/macro_scope.hpp"

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
            std::vector<key_exchange> shares;
            shares.push_back(std::move(share));
            set_shares(std::move(shares));
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

    /// Our key shares become exactly `shares`.
    void set_shares(std::vector<key_exchange> shares) {
        shares_ = std::move(shares);
        hello_.key_shares.clear();
        for (const auto& s : shares_) {
            const bytes_view pub = s.public_key();
            hello_.key_shares.push_back(key_share_entry{s.group(), byte_vector(pub.begin(), pub.end())});
        }
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
            // The first group's share, and the second's after the hybrid (see client_config).
            const bool two = c.groups.front() == named_group::x25519_mlkem768 && c.groups.size() > 1;
            std::vector<key_exchange> shares;
            for (std::size_t i = 0; i < (two ? 2u : 1u); ++i) {
                HTTPS_TLS_ASSIGN(key_exchange share, key_exchange::generate(c.groups[i], c.rng()));
                shares.push_back(std::move(share));
            }
            set_shares(std::move(shares));
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

#include "detail/macro_unscope.hpp"
