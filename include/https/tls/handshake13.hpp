// The TLS 1.3 client handshake (RFC 8446 §4) as an explicit state machine, from the ServerHello
// (or HelloRetryRequest) to our Finished, and the post-handshake messages: NewSessionTicket and
// KeyUpdate.
#pragma once

#include "../core/bytes.hpp"
#include "../core/config.hpp"
#include "../core/result.hpp"
#include "handshake_common.hpp"
#include "key_schedule.hpp"
#include "key_share.hpp"
#include "messages.hpp"

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

#if !defined(HTTPS_SEPARATE_COMPILATION)
#include "impl/handshake13.ipp"
#endif
