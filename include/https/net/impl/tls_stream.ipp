// TLS over TCP (net/tls_stream.hpp), out of line for separate compilation.
#pragma once

#include "../tls_stream.hpp"

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
