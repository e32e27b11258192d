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
tls_stream::handshake(tcp_stream tcp, tls::client_config cfg, deadline d) {
    auto s = std::make_unique<tls_stream>(std::move(tcp), tls::client(std::move(cfg)));
    if (auto st = s->engine_.start(); !st) {
        (void)s->flush(d);
        return st.error();
    }
    while (!s->engine_.is_connected()) {
        HTTPS_TRY(s->flush(d));
        if (auto st = s->pump(d); !st) {
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

HTTPS_DECL result<std::size_t> tls_stream::read_some(mutable_bytes buf, deadline d) {
    while (pending_.size() == pending_pos_) {
        if (engine_.peer_closed()) {
            return std::size_t{0};
        }
        HTTPS_TRY(pump(d));
        HTTPS_TRY(flush(d)); // e.g. our KeyUpdate answer
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

HTTPS_DECL status tls_stream::flush(deadline d) {
    if (!engine_.has_output()) {
        return {};
    }
    auto out = engine_.take_output();
    return tcp_.write_all(out, d);
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
        (void)flush(d); // deliver our alert before giving up
        return st.error();
    }
    return {};
}

} // namespace https::net
