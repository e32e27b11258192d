// Content codings (RFC 9110 §8.4): which Content-Encoding values the client decodes, and the
// decoder that turns a response's encoded body into the decoded one as it arrives.
#pragma once

#include "../core/bytes.hpp"
#include "../core/result.hpp"
#include "headers.hpp"
#include "inflate.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace https::http {

/// The Accept-Encoding value sent when the caller asks for compressed responses.
inline constexpr std::string_view accepted_codings = "gzip, deflate";

/// The format of a response body with these header fields, if the client decodes its coding:
/// one Content-Encoding of "gzip" or "x-gzip" (RFC 9110 §8.4.1.3), or "deflate" (§8.4.1.2: zlib,
/// though some servers send raw DEFLATE). Anything else -- no coding, "identity", a coding we
/// do not implement, several codings -- is nullopt, and the body passes through as it came, as
/// curl does.
inline std::optional<compression_format> decodable_coding(const headers& fields) {
    const auto values = fields.get_all("Content-Encoding");
    if (values.size() != 1) {
        return std::nullopt;
    }
    std::string_view v = values.front();
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) {
        v.remove_prefix(1);
    }
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) {
        v.remove_suffix(1);
    }
    if (detail::iequals(v, "gzip") || detail::iequals(v, "x-gzip")) {
        return compression_format::gzip;
    }
    if (detail::iequals(v, "deflate")) {
        return compression_format::zlib_or_raw;
    }
    return std::nullopt;
}

/// Decodes one response body. An empty body is accepted as empty (a HEAD response, a 204 or
/// 304, or a server that labels an empty body gzip); a body with any bytes must be a complete
/// stream (`inflate_*` errors otherwise).
class content_decoder {
public:
    content_decoder(compression_format format, inflate_limits limits)
        : inflater_(format, limits) {}

    /// The decoder for a response with these header fields, if its coding is one we decode.
    static std::optional<content_decoder> for_response(const headers& fields,
                                                       inflate_limits limits) {
        if (auto format = decodable_coding(fields)) {
            return content_decoder(*format, limits);
        }
        return std::nullopt;
    }

    /// Header fields as the caller sees them once the body is decoded: Content-Encoding no
    /// longer applies, and Content-Length counted the encoded bytes.
    static void strip_coding_fields(headers& fields) {
        fields.remove("Content-Encoding");
        fields.remove("Content-Length");
    }

    /// Decode the next piece of the encoded body into `out`.
    status feed(bytes_view encoded, const inflater::sink& out) {
        fed_ = fed_ || !encoded.empty();
        return inflater_.feed(encoded, out);
    }

    /// The body has ended: success if it was empty or a complete stream.
    [[nodiscard]] status finish() const { return fed_ ? inflater_.finish() : status{}; }

private:
    inflater inflater_;
    bool fed_ = false;
};

} // namespace https::http
