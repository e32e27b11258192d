// An HTTP/1.1 request and its wire encoding, refusing anything that could inject header lines.
#pragma once

#include "../core/result.hpp"
#include "body_source.hpp"
#include "headers.hpp"
#include "url.hpp"

#include <cassert>
#include <string>
#include <string_view>

namespace https::http {

/// What to send. `headers` are extra fields; Host, Content-Length (or Transfer-Encoding) and
/// (unless given) User-Agent, Accept and Connection are filled in by `encode_request`.
struct request {
    std::string method = "GET";
    http::url url;
    http::headers headers;
    std::string body; ///< a body held in memory; empty when `source` is set
    /// A body read while it is sent (not owned; it must outlive the request's `perform`).
    body_source* source = nullptr;
};

inline constexpr std::string_view default_user_agent = "https-cpp/0.1";

/// Serialise a request for an origin server (RFC 9112 §3: origin-form target): the head, then
/// `body`; a `source` body follows separately, announced by its size as Content-Length or else
/// by Transfer-Encoding: chunked. Methods must be tokens, field names tokens, field values free
/// of CR/LF/NUL (`http_bad_header`); Host and Content-Length/Transfer-Encoding are ours to set
/// and may not be supplied by the caller.
inline result<std::string> encode_request(const request& req, bool keep_alive = true) {
    assert(req.source == nullptr || req.body.empty()); // one body or the other
    if (!detail::is_token(req.method)) {
        return errc::http_bad_header;
    }
    for (const auto& [name, value] : req.headers) {
        if (!detail::is_token(name) || !detail::is_field_value(value)) {
            return errc::http_bad_header;
        }
        if (detail::iequals(name, "Host") || detail::iequals(name, "Content-Length") ||
            detail::iequals(name, "Transfer-Encoding")) {
            return errc::http_bad_header;
        }
    }
    std::string out;
    out.reserve(256 + req.body.size());
    out += req.method;
    out += ' ';
    out += req.url.target;
    out += " HTTP/1.1\r\nHost: ";
    out += req.url.authority();
    out += "\r\n";
    if (!req.headers.contains("User-Agent")) {
        out += "User-Agent: ";
        out += default_user_agent;
        out += "\r\n";
    }
    if (!req.headers.contains("Accept")) {
        out += "Accept: */*\r\n";
    }
    if (!req.headers.contains("Connection")) {
        out += keep_alive ? "" : "Connection: close\r\n";
    }
    for (const auto& [name, value] : req.headers) {
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
    const bool body_expected = req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
    if (req.source != nullptr) {
        const auto size = req.source->size();
        out += size ? "Content-Length: " + std::to_string(*size) + "\r\n"
                    : std::string("Transfer-Encoding: chunked\r\n");
    } else if (!req.body.empty() || body_expected) {
        out += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
    }
    out += "\r\n";
    out += req.body;
    return out;
}

} // namespace https::http
