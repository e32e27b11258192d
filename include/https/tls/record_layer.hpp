// The record layer shared by every TLS version: framing of received bytes into records (RFC 8446
// §5.1), deprotection through the active protection variant, fragmentation and protection of
// outgoing data, and reassembly of handshake messages across and within records.
#pragma once

#include "../core/bytes.hpp"
#include "../core/result.hpp"
#include "messages.hpp"
#include "record_protection.hpp"

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
