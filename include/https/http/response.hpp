// What a server answered: the status line and header fields (`response_head`), and the whole
// response as the client returns it (`response`).
#pragma once

#include "headers.hpp"

#include <string>

namespace https::http {

/// The status line and header fields of a response.
struct response_head {
    int status = 0;
    std::string reason;
    int version_minor = 1; ///< HTTP/1.<minor>
    http::headers headers;
};

/// A complete response. `body` is empty when the body went to a streaming callback.
struct response {
    int status = 0;
    std::string reason;
    http::headers headers;
    std::string body;
    std::string url;      ///< the URL that produced this response (after redirects)
    int redirects = 0;    ///< how many redirects were followed
};

} // namespace https::http
