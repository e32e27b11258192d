// The TLS client engine (sans-I/O): bytes from the server in, bytes to send and application data
// out. The engine owns the records, the alerts and the public API; the handshake itself is one of
// two types, chosen by the version the ServerHello selects: `handshake13` (RFC 8446) or
// `handshake12` (RFC 5246), both held to the one offer of `client_hello.hpp`.
#pragma once

#include "../core/bytes.hpp"
#include "../core/config.hpp"
#include "../core/result.hpp"
#include "alert.hpp"
#include "cipher_suite.hpp"
#include "client_config.hpp"
#include "client_hello.hpp"
#include "handshake12.hpp"
#include "handshake13.hpp"
#include "handshake_common.hpp"
#include "messages.hpp"
#include "protection.hpp"
#include "record_layer.hpp"
#include "refusal.hpp"

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

#if !defined(HTTPS_SEPARATE_COMPILATION)
#include "impl/client.ipp"
#endif
