// An incremental, sans-I/O HTTP/1.1 response parser (RFC 9112): status line, header fields with
// size limits (obs-fold unfolded as §5.2 asks), and the body framed by Content-Length, chunked
// coding (with trailers) or EOF.
#pragma once

#include "../core/bytes.hpp"
#include "../core/result.hpp"
#include "headers.hpp"
#include "response.hpp"

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
