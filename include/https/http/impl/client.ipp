// The HTTP/1.1 client (http/client.hpp), out of line for separate compilation.
#pragma once

#include "../client.hpp"
#include "../content_coding.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace https::http {

namespace detail {

HTTPS_DECL result<bytes_view> request_writer::next() {
    if (!head_.empty()) {
        return std::exchange(head_, bytes_view{});
    }
    if (source_ == nullptr || done_) {
        return bytes_view{};
    }
    if (left_) { // Content-Length: exactly that many bytes
        if (*left_ == 0) {
            done_ = true;
            return bytes_view{};
        }
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(*left_, piece_size));
        auto n = source_->read(mutable_bytes(buf_.data(), want));
        if (!n) {
            return n.error();
        }
        if (*n == 0) {
            return errc::http_body_length_mismatch;
        }
        *left_ -= *n;
        return bytes_view(buf_.data(), *n);
    }
    // Chunked (RFC 9112 §7.1): hex size CRLF data CRLF per piece; "0" CRLF CRLF at the end.
    auto n = source_->read(mutable_bytes(buf_.data() + size_room, chunk_data_size));
    if (!n) {
        return n.error();
    }
    if (*n == 0) {
        done_ = true;
        return as_bytes("0\r\n\r\n");
    }
    std::size_t start = size_room - 2;
    buf_[start] = '\r';
    buf_[start + 1] = '\n';
    for (std::size_t v = *n; v != 0; v >>= 4) {
        buf_[--start] = static_cast<std::uint8_t>("0123456789abcdef"[v & 0xf]);
    }
    buf_[size_room + *n] = '\r';
    buf_[size_room + *n + 1] = '\n';
    return bytes_view(buf_.data() + start, size_room + *n + 2 - start);
}

HTTPS_DECL result<std::vector<net::endpoint>> resolve_target(const url& u, const client_options& o,
                                                             net::deadline d) {
    for (const auto& entry : o.resolve) {
        // host:port:address (address may be a bracketed IPv6 literal)
        const auto first = entry.find(':');
        const auto second = first == std::string::npos ? first : entry.find(':', first + 1);
        if (second == std::string::npos) {
            return errc::http_bad_url;
        }
        std::string host = entry.substr(0, first);
        for (auto& c : host) {
            c = http::detail::to_lower(c);
        }
        const std::string port = entry.substr(first + 1, second - first - 1);
        std::string address = entry.substr(second + 1);
        if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
            address = address.substr(1, address.size() - 2);
        }
        if (host == u.host && port == std::to_string(u.port)) {
            return net::resolve(address, u.port, d);
        }
    }
    return net::resolve(u.host, u.port, d);
}

} // namespace detail

HTTPS_DECL result<std::unique_ptr<net::stream>> connect_plain(const connect_request& req) {
    auto endpoints = detail::resolve_target(req.target, req.options, req.deadline);
    if (!endpoints) {
        return endpoints.error();
    }
    auto s = net::connect(*endpoints, req.deadline, req.options.idle_timeout);
    if (!s) {
        return s.error();
    }
    return std::unique_ptr<net::stream>(new net::tcp_stream(std::move(s).value()));
}

HTTPS_DECL client::client(connector secure, connector plain)
    : secure_(std::move(secure)), plain_(std::move(plain)) {}

HTTPS_DECL result<response> client::perform(request req, const client_options& opts) {
    const net::deadline total = net::deadline_after(opts.total_timeout);
    const url first = req.url; // the origin the caller's credentials are for
    int redirects = 0;
    for (;;) {
        const bool with_credentials =
            opts.credentials_follow_redirects || req.url.same_origin(first);
        auto r = perform_once(req, opts, total, with_credentials);
        if (!r) {
            return r.error();
        }
        r->redirects = redirects;
        const int s = r->status;
        const bool is_redirect = s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
        auto location = r->headers.get("Location");
        if (!opts.follow_redirects.value_or(false) || !is_redirect || !location) {
            return r;
        }
        if (redirects >= opts.max_redirects) {
            return errc::http_too_many_redirects;
        }
        auto next = resolve_redirect(req.url, *location);
        if (!next) {
            return next.error();
        }
        if (req.url.is_https() && !next->is_https()) {
            return errc::http_insecure_redirect; // never downgrade to cleartext
        }
        // RFC 9110 §15.4: 303 always becomes GET; 301/302 turn POST into GET as browsers do.
        // Otherwise (307/308, and 301/302 for other methods) the body is sent again.
        if (s == 303 || ((s == 301 || s == 302) && req.method == "POST")) {
            if (req.method != "HEAD") {
                req.method = "GET";
            }
            req.body.clear();
            req.source = nullptr;
        }
        req.url = std::move(next).value();
        ++redirects;
    }
}

HTTPS_DECL result<client::stream_ptr> client::open(const url& u, const client_options& opts,
                                                   net::deadline total) {
    auto& idle = pool_[pool_key_for(u, opts)];
    while (!idle.empty()) {
        stream_ptr s = std::move(idle.back());
        idle.pop_back();
        if (s->reusable()) {
            return s;
        }
    }
    net::deadline d = net::deadline_after(opts.connect_timeout);
    d = std::min(d, total);
    const connector& c = u.is_https() ? secure_ : plain_;
    if (!c) {
        return errc::http_unsupported_scheme;
    }
    auto s = c(connect_request{u, opts, d});
    if (s) {
        ++opened_;
        if (opts.on_verbose) {
            opts.on_verbose("connected: " + (*s)->describe());
        }
    }
    return s;
}

HTTPS_DECL result<response> client::perform_once(const request& req, const client_options& opts,
                                                 net::deadline total, bool with_credentials) {
    request wire_req = req;
    for (const auto& [name, value] : opts.headers) {
        if (!wire_req.headers.contains(name)) {
            wire_req.headers.add(name, value);
        }
    }
    if (!with_credentials) {
        for (const char* name : {"Authorization", "Cookie", "Proxy-Authorization"}) {
            wire_req.headers.remove(name);
        }
    }
    if (opts.accept_compressed && !wire_req.headers.contains("Accept-Encoding")) {
        wire_req.headers.add("Accept-Encoding", std::string(accepted_codings));
    }
    auto wire = encode_request(wire_req);
    if (!wire) {
        return wire.error();
    }
    // A pooled connection the server closed meanwhile fails before any response byte; then
    // (and only then) the request is retried once on a fresh connection.
    for (int attempt = 0;; ++attempt) {
        const std::size_t opened_before = opened_;
        auto s = open(req.url, opts, total);
        if (!s) {
            return s.error();
        }
        const bool reused = opened_ == opened_before;
        (*s)->set_idle_timeout(opts.idle_timeout); // a pooled one was opened under other options
        bool got_any = false;
        auto r = exchange(**s, as_bytes(*wire), req, opts, total, got_any);
        if (r) {
            if (r->second) {
                pool_[pool_key_for(req.url, opts)].push_back(std::move(*s));
            }
            return std::move(r->first);
        }
        const bool retryable =
            r.error() == errc::net_connection_closed || r.error() == errc::tls_closed;
        if (!(reused && !got_any && retryable && attempt == 0)) {
            return r.error();
        }
    }
}

HTTPS_DECL result<std::pair<response, bool>> client::exchange(net::stream& s, bytes_view wire,
                                                              const request& req,
                                                              const client_options& opts,
                                                              net::deadline total, bool& got_any) {
    parser_limits limits;
    limits.max_body_bytes = opts.max_body_bytes.value_or(
        opts.on_body ? std::numeric_limits<std::uint64_t>::max() : default_max_stored_body_bytes);
    response out;
    out.url = req.url.to_string();
    std::optional<std::uint64_t> content_length;
    bool discard = false; // the body of a redirect we are about to follow
    // With accept_compressed, a gzip or deflate body is decoded on its way to the caller, under
    // the body cap and the ratio cap.
    std::optional<content_decoder> decoder;
    inflate_limits decode_limits;
    decode_limits.max_output_bytes = limits.max_body_bytes;
    decode_limits.max_ratio = opts.max_compression_ratio;
    auto on_head = [&](const response_head& head) -> status {
        const int s = head.status;
        discard = opts.follow_redirects.value_or(false) && head.headers.contains("Location") &&
                  (s == 301 || s == 302 || s == 303 || s == 307 || s == 308);
        if (auto cl = head.headers.get("Content-Length")) {
            content_length = std::strtoull(cl->c_str(), nullptr, 10);
        }
        if (opts.accept_compressed && !discard) {
            decoder = content_decoder::for_response(head.headers, decode_limits);
        }
        if (!discard && opts.on_head) {
            if (decoder) {
                response_head seen = head;
                content_decoder::strip_coding_fields(seen.headers);
                opts.on_head(seen);
            } else {
                opts.on_head(head);
            }
        }
        return {};
    };
    response_parser parser(req.method == "HEAD", limits, on_head);
    // The body as the caller receives it (decoded, if it was encoded).
    const inflater::sink deliver = [&](bytes_view body) -> status {
        if (opts.on_body) {
            if (!opts.on_body(body)) {
                return errc::http_aborted;
            }
        } else {
            out.body.append(reinterpret_cast<const char*>(body.data()), body.size());
        }
        return {};
    };
    auto sink = [&](bytes_view body) -> status {
        if (discard) {
            return {};
        }
        HTTPS_TRY(decoder ? decoder->feed(body, deliver) : deliver(body));
        if (opts.on_progress) {
            opts.on_progress(parser.body_bytes(), content_length); // already counts `body`
        }
        return {};
    };
    std::array<std::uint8_t, 16384> buf{};
    bool leftover = false;
    // Read once from the server and parse what came.
    auto receive = [&]() -> status {
        auto n = s.read_some(buf, total);
        if (!n) {
            return n.error();
        }
        if (*n == 0) {
            return parser.finish_eof(); // completes a close-delimited body, else an error
        }
        got_any = true;
        auto used = parser.feed(bytes_view(buf.data(), *n), sink);
        if (!used) {
            return used.error();
        }
        leftover = *used < *n;
        return {};
    };

    // Send the request, watching for an early answer (RFC 9112 §9.5): a server may respond
    // before it has read the whole body (413, 401, a redirect) and then stop reading or close.
    // What it sends is read as soon as it arrives. Once the final response is complete, or its
    // head is complete with an error or redirect status (>= 300), the rest of the request is not
    // sent and the connection is not reused. Interim (1xx) responses, a head still incomplete,
    // and a 2xx whose body is still coming let the sending go on, as curl does: a server may
    // stream its answer while it reads the body, and would wait for the rest of it.
    if (req.source != nullptr) {
        HTTPS_TRY(req.source->rewind());
    }
    detail::request_writer writer(wire, req.source);
    bool sent_all = false;
    bytes_view piece;
    for (;;) {
        if (piece.empty()) {
            auto next = writer.next();
            if (!next) {
                return next.error();
            }
            if (next->empty()) {
                sent_all = true;
                break;
            }
            piece = *next;
        }
        auto taken = s.write_unless_readable(piece, total);
        if (!taken) {
            return taken.error();
        }
        piece = piece.subspan(*taken);
        if (!piece.empty()) { // the server spoke first
            HTTPS_TRY(receive());
            if (parser.complete() || (parser.head_complete() && parser.head().status >= 300)) {
                if (opts.on_verbose) {
                    opts.on_verbose("the server answered before the whole request was sent: "
                                    "stopped sending");
                }
                break;
            }
        }
    }
    while (!parser.complete()) {
        HTTPS_TRY(receive());
    }
    const auto& head = parser.head();
    out.status = head.status;
    out.reason = head.reason;
    out.headers = head.headers;
    if (decoder) {
        HTTPS_TRY(decoder->finish()); // a body cut short inside the compressed stream
        content_decoder::strip_coding_fields(out.headers);
    }
    const bool reusable = sent_all && parser.keep_alive() && !leftover && s.reusable();
    return std::pair<response, bool>{std::move(out), reusable};
}

} // namespace https::http
