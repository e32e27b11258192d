// https-get: a curl-compatible command line over the https library.
//   https-get [options] URL
// Options and exit codes follow curl's (see usage()); the body streams to stdout or -o FILE, and
// an uploaded file (-T, --data-binary @FILE) streams from the file, so transfers of any size
// run in constant memory.
#include <https/https.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

void usage(std::FILE* out) {
    std::fputs(
        "usage: https-get [options] URL\n"
        "  --cacert FILE             trust anchors (PEM) instead of the system store\n"
        "  --resolve HOST:PORT:ADDR  connect to ADDR for HOST:PORT\n"
        "  -o, --output FILE         write the body to FILE\n"
        "  -i, --include             print the response head before the body\n"
        "  -I, --head                HEAD request, print the response head\n"
        "  -X, --request METHOD      request method\n"
        "  -H, --header 'Name: v'    extra request header\n"
        "  -d, --data DATA|@FILE     POST DATA (Content-Type application/x-www-form-urlencoded\n"
        "                            unless -H gives one); @FILE: the file without CR and LF,\n"
        "                            @-: stdin; several -d/--data-* are joined with '&'\n"
        "      --data-binary DATA|@FILE  like -d, the file byte for byte (streamed if alone)\n"
        "      --data-raw DATA       like -d, '@' has no special meaning\n"
        "  -T, --upload-file FILE    PUT FILE, streamed, with Content-Length (-: stdin,\n"
        "                            chunked); a URL ending in '/' gets FILE's name appended\n"
        "  -L, --location            follow redirects\n"
        "      --location-trusted    like -L, and send Authorization and Cookie headers to\n"
        "                            other hosts too (default: only to the URL's origin)\n"
        "      --max-redirs N        at most N redirects (default 50 with -L)\n"
        "  -m, --max-time S          total time limit in seconds\n"
        "      --connect-timeout S   connect (and handshake) time limit in seconds\n"
        "      --tlsv1.2, --tlsv1.3  minimum TLS version\n"
        "      --tls-max VERSION     maximum TLS version (1.2 or 1.3)\n"
        "      --no-post-quantum     offer only classical key exchanges (no X25519MLKEM768)\n"
        "      --max-filesize BYTES  refuse a body larger than BYTES (decoded, with --compressed)\n"
        "      --compressed          ask for gzip or deflate (Accept-Encoding) and decode the body\n"
        "  -f, --fail                exit 22 on HTTP status >= 400, print no body\n"
        "  -s, --silent              no error messages\n"
        "  -v, --verbose             connection details to stderr\n"
        "  -k, --insecure            do not verify the server certificate (warns)\n",
        out);
}

// curl's exit codes for our error kinds.
int exit_code_for(https::errc e) {
    using https::errc;
    switch (e) {
    case errc::http_unsupported_scheme: return 1;
    case errc::http_bad_url: return 3;
    case errc::net_resolve_failed: return 6;
    case errc::net_connect_failed: return 7;
    case errc::net_timeout:
    case errc::net_idle_timeout: return 28;
    case errc::http_too_many_redirects: return 47;
    case errc::http_insecure_redirect: return 1;
    case errc::http_aborted: return 23; // write error
    case errc::http_body_read_failed:
    case errc::http_body_length_mismatch: return 26; // read error
    case errc::http_body_not_rewindable: return 65;  // send data requires a rewind that failed
    case errc::http_bad_status_line:
    case errc::http_bad_header:
    case errc::http_bad_content_length:
    case errc::http_too_many_interim: return 8; // weird server reply
    case errc::http_truncated_body: return 18;   // partial file
    case errc::http_body_too_large:
    case errc::inflate_too_large: return 63;     // maximum file size exceeded
    case errc::inflate_truncated:
    case errc::inflate_bad_header:
    case errc::inflate_bad_block_type:
    case errc::inflate_bad_stored_length:
    case errc::inflate_bad_code_lengths:
    case errc::inflate_bad_symbol:
    case errc::inflate_distance_too_far:
    case errc::inflate_bad_checksum:
    case errc::inflate_trailing_data:
    case errc::inflate_ratio_exceeded: return 61; // bad content encoding
    default: break;
    }
    switch (https::layer_of(e)) {
    case https::error_layer::x509: return 60;
    case https::error_layer::tls:
    case https::error_layer::crypto:
    case https::error_layer::decode: return 35;
    case https::error_layer::net: return 56;
    default: return 56; // malformed or truncated response: receive failure, as curl reports
    }
}

bool parse_seconds(const char* text, std::chrono::milliseconds& out) {
    char* end = nullptr;
    errno = 0;
    const double s = std::strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || s < 0 || s > 1e7) {
        return false;
    }
    out = std::chrono::milliseconds(static_cast<long long>(s * 1000));
    return true;
}

bool parse_version(const std::string& v, https::tls_version& out) {
    if (v == "1.2") {
        out = https::tls_version::tls1_2;
    } else if (v == "1.3") {
        out = https::tls_version::tls1_3;
    } else {
        return false;
    }
    return true;
}

// One -d/--data-binary/--data-raw argument: text, or the name of a file to read it from.
struct data_item {
    std::string value;
    bool from_file = false;      // value is a file name ("-": stdin)
    bool strip_newlines = false; // -d @FILE drops CR and LF, as curl does
};

// The whole of a file (or stdin for "-") in memory; false if it cannot be read.
bool read_whole(const std::string& name, std::string& out) {
    std::ostringstream ss;
    if (name == "-") {
        ss << std::cin.rdbuf();
        out = ss.str();
        return !std::cin.bad();
    }
    std::ifstream f(name, std::ios::binary);
    if (!f) {
        return false;
    }
    ss << f.rdbuf();
    out = ss.str();
    return !f.bad();
}

// curl -T: a URL whose path ends in '/' (or is empty) names a directory, and the file's name
// (after its last '/' or '\\'), percent-encoded, is added to it. Standard input adds nothing.
std::string upload_url(const std::string& url, const std::string& file) {
    if (file == "-") {
        return url;
    }
    const auto scheme = url.find("://");
    const auto authority = scheme == std::string::npos ? 0 : scheme + 3;
    const auto path_end = std::min(url.find_first_of("?#", authority), url.size());
    const auto path = url.find('/', authority);
    const bool no_path = path == std::string::npos || path >= path_end;
    if (!no_path && url[path_end - 1] != '/') {
        return url;
    }
    const std::string name = file.substr(file.find_last_of("/\\") + 1); // npos + 1 == 0
    std::string encoded = no_path ? "/" : "";
    for (const unsigned char c : name) {
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                                c == '~'; // RFC 3986 §2.3
        if (unreserved) {
            encoded += static_cast<char>(c);
        } else {
            static constexpr char hex[] = "0123456789ABCDEF"; // RFC 3986 §2.1: upper case
            encoded += '%';
            encoded += hex[c >> 4];
            encoded += hex[c & 0xf];
        }
    }
    return url.substr(0, path_end) + encoded + url.substr(path_end);
}

void print_head(std::ostream& out, const https::http::response_head& h) {
    out << "HTTP/1." << h.version_minor << " " << h.status << (h.reason.empty() ? "" : " ")
        << h.reason << "\r\n";
    for (const auto& [name, value] : h.headers) {
        out << name << ": " << value << "\r\n";
    }
    out << "\r\n";
}

} // namespace

int main(int argc, char** argv) {
    https::options opts;
    std::string url, method, output, upload;
    std::vector<data_item> data;
    bool include = false, head = false, fail = false, silent = false;
    bool verbose = false;
    std::optional<int> max_redirs;
    bool follow = false;

    auto need = [&](int& i) -> const char* {
        if (i + 1 >= argc) {
            std::fprintf(stderr, "https-get: option %s needs a value\n", argv[i]);
            std::exit(2);
        }
        return argv[++i];
    };
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--cacert") {
            opts.ca_file = need(i);
        } else if (a == "--resolve") {
            opts.resolve.emplace_back(need(i));
        } else if (a == "-o" || a == "--output") {
            output = need(i);
        } else if (a == "-i" || a == "--include") {
            include = true;
        } else if (a == "-I" || a == "--head") {
            head = true;
        } else if (a == "-X" || a == "--request") {
            method = need(i);
        } else if (a == "-H" || a == "--header") {
            const std::string h = need(i);
            const auto colon = h.find(':');
            if (colon == std::string::npos || colon == 0) {
                std::fprintf(stderr, "https-get: bad header '%s'\n", h.c_str());
                return 2;
            }
            std::string value = h.substr(colon + 1);
            value.erase(0, value.find_first_not_of(" \t"));
            opts.headers.add(h.substr(0, colon), value);
        } else if (a == "-d" || a == "--data" || a == "--data-binary" || a == "--data-raw") {
            const std::string d = need(i);
            const bool file = a != "--data-raw" && !d.empty() && d[0] == '@';
            data.push_back({file ? d.substr(1) : d, file, file && a != "--data-binary"});
        } else if (a == "-T" || a == "--upload-file") {
            upload = need(i);
        } else if (a == "-L" || a == "--location") {
            follow = true;
        } else if (a == "--location-trusted") {
            follow = true;
            opts.credentials_follow_redirects = true;
        } else if (a == "--max-redirs") {
            max_redirs = std::atoi(need(i));
        } else if (a == "--max-filesize") {
            char* end = nullptr;
            const char* text = need(i);
            errno = 0;
            const unsigned long long n = std::strtoull(text, &end, 10);
            if (errno != 0 || end == text || *end != '\0') {
                std::fprintf(stderr, "https-get: bad --max-filesize\n");
                return 2;
            }
            opts.max_body_bytes = n;
        } else if (a == "--compressed") {
            opts.accept_compressed = true;
        } else if (a == "-m" || a == "--max-time") {
            if (!parse_seconds(need(i), opts.total_timeout)) {
                std::fprintf(stderr, "https-get: bad --max-time\n");
                return 2;
            }
        } else if (a == "--connect-timeout") {
            if (!parse_seconds(need(i), opts.connect_timeout)) {
                std::fprintf(stderr, "https-get: bad --connect-timeout\n");
                return 2;
            }
        } else if (a == "--tlsv1.2") {
            opts.min_version = https::tls_version::tls1_2;
        } else if (a == "--tlsv1.3") {
            opts.min_version = https::tls_version::tls1_3;
        } else if (a == "--tls-max") {
            if (!parse_version(need(i), opts.max_version)) {
                std::fprintf(stderr, "https-get: --tls-max takes 1.2 or 1.3\n");
                return 2;
            }
        } else if (a == "--no-post-quantum") {
            opts.post_quantum_key_exchange = false;
        } else if (a == "-f" || a == "--fail") {
            fail = true;
        } else if (a == "-s" || a == "--silent") {
            silent = true;
        } else if (a == "-v" || a == "--verbose") {
            verbose = true;
        } else if (a == "-k" || a == "--insecure") {
            opts.insecure = true;
        } else if (a == "-h" || a == "--help") {
            usage(stdout);
            return 0;
        } else if (!a.empty() && a[0] == '-') {
            std::fprintf(stderr, "https-get: unknown option %s\n", a.c_str());
            usage(stderr);
            return 2;
        } else if (url.empty()) {
            url = a;
        } else {
            std::fprintf(stderr, "https-get: only one URL is supported\n");
            return 2;
        }
    }
    if (url.empty()) {
        usage(stderr);
        return 2;
    }
    if (opts.insecure && !silent) {
        std::fprintf(stderr, "https-get: WARNING: --insecure: the server's certificate is NOT "
                             "verified; anyone on the path can read and change this transfer\n");
    }
    // curl refuses to guess between the methods these imply
    const int methods = (head ? 1 : 0) + (data.empty() ? 0 : 1) + (upload.empty() ? 0 : 1);
    if (methods > 1) {
        std::fprintf(stderr, "https-get: -I, -d/--data* and -T each choose the request method; "
                             "use one of them\n");
        return 2;
    }
    // The body: a file read as it is sent (-T, or a lone --data-binary @FILE), else in memory.
    std::optional<https::file_body> source;
    std::string body;
    std::string source_name = upload;
    if (data.size() == 1 && data[0].from_file && !data[0].strip_newlines &&
        data[0].value != "-") {
        source_name = data[0].value;
    }
    if (!source_name.empty()) {
        auto opened = source_name == "-" ? https::file_body::from_descriptor(0)
                                         : https::file_body::open(source_name);
        if (!opened) {
            std::fprintf(stderr, "https-get: cannot read %s\n", source_name.c_str());
            return 26;
        }
        source.emplace(std::move(opened).value());
    } else {
        for (std::size_t k = 0; k < data.size(); ++k) {
            std::string text = data[k].value;
            if (data[k].from_file && !read_whole(data[k].value, text)) {
                std::fprintf(stderr, "https-get: cannot read %s\n", data[k].value.c_str());
                return 26; // curl warns and posts nothing instead
            }
            if (data[k].strip_newlines) {
                std::erase(text, '\n');
                std::erase(text, '\r');
            }
            body += (k == 0 ? "" : "&") + text;
        }
    }
    if (!upload.empty()) {
        url = upload_url(url, upload);
    }
    if (method.empty()) {
        method = head ? "HEAD" : !upload.empty() ? "PUT" : !data.empty() ? "POST" : "GET";
    }
    if (!data.empty() && !opts.headers.contains("Content-Type")) {
        opts.headers.add("Content-Type", "application/x-www-form-urlencoded");
    }
    opts.follow_redirects = follow;
    opts.max_redirects = max_redirs.value_or(50);
    if (verbose) {
        opts.on_verbose = [](const std::string& line) { std::cerr << "* " << line << "\n"; };
    }

    std::ofstream file;
    if (!output.empty()) {
        file.open(output, std::ios::binary | std::ios::trunc);
        if (!file) {
            std::fprintf(stderr, "https-get: cannot write %s\n", output.c_str());
            return 23;
        }
    }
    std::ostream& out = output.empty() ? std::cout : file;
    bool http_error = false;
    opts.on_head = [&](const https::http::response_head& h) {
        if (verbose) {
            std::cerr << "< HTTP/1." << h.version_minor << " " << h.status << " " << h.reason << "\n";
        }
        http_error = fail && h.status >= 400;
        if ((include || head) && !http_error) {
            print_head(out, h);
        }
    };
    opts.on_body = [&](https::bytes_view b) {
        if (!http_error) {
            out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
        }
        return static_cast<bool>(out);
    };

    https::client client;
    std::error_code ec;
    auto r = source ? client.request(method, url, opts, *source, ec)
                    : client.request(method, url, opts, body, ec);
    out.flush();
    if (ec) {
        if (!silent) {
            std::fprintf(stderr, "https-get: (%d) %s\n", exit_code_for(static_cast<https::errc>(ec.value())),
                         ec.message().c_str());
        }
        return ec.category() == https::errc_category() ? exit_code_for(static_cast<https::errc>(ec.value())) : 56;
    }
    if (http_error) {
        if (!silent) {
            std::fprintf(stderr, "https-get: (22) The requested URL returned error: %d\n", r.status);
        }
        return 22;
    }
    return 0;
}
