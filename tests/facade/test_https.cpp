// The facade end to end: https::get / https::request / https::client against nginx on 127.0.0.1
// (its own prefix and configuration in the test PKI directory), through our TLS engine and
// X.509 validation. Keep-alive is counted on the server side too (nginx logs the connection
// serial number and the request count of each request).
#include <https/https.hpp>

#include "support/tls_loopback.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include <unistd.h>

using namespace std::chrono_literals;

namespace {

std::string pki(const std::string& file) {
    return test::test_pki_dir() + "/" + file;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// nginx serving the PKI directory over TLS 1.2/1.3 with the RSA leaf, in its own prefix.
class nginx_server {
public:
    nginx_server() : nginx_server(test::free_port()) {}

    [[nodiscard]] std::string url(const std::string& path) const {
        return "https://localhost:" + std::to_string(port_) + path;
    }
    [[nodiscard]] int port() const { return port_; }
    /// The access log: one "connection-serial requests-on-it" line per request.
    [[nodiscard]] std::vector<std::pair<std::string, int>> access_log() const {
        std::vector<std::pair<std::string, int>> out;
        std::istringstream in(read_file(prefix_ + "/logs/access.log"));
        std::string conn;
        int n = 0;
        while (in >> conn >> n) {
            out.emplace_back(conn, n);
        }
        return out;
    }

private:
    static std::string make_prefix(int port) {
        const std::string prefix = pki("nginx-" + std::to_string(port));
        test::sh("mkdir -p " + prefix + "/logs");
        std::ofstream big(prefix + "/big.bin", std::ios::binary);
        for (int i = 0; i < (1 << 20); ++i) {
            big.put(static_cast<char>(i * 7 + (i >> 8)));
        }
        std::ofstream conf(prefix + "/nginx.conf");
        // Run as root (a container), nginx would hand its worker to an unprivileged user who
        // cannot read a checkout under /root; keep the worker as root then.
        conf << (::geteuid() == 0 ? "user root;\n" : "")
             << "worker_processes 1;\nerror_log " << prefix << "/logs/error.log;\npid " << prefix
             << "/nginx.pid;\nevents { worker_connections 64; }\nhttp {\n"
             << "  log_format conn '$connection $connection_requests';\n"
             << "  access_log " << prefix << "/logs/access.log conn;\n"
             << "  client_body_temp_path " << prefix << "/body;\n"
             << "  proxy_temp_path " << prefix << "/proxy;\n  fastcgi_temp_path " << prefix
             << "/fastcgi;\n  uwsgi_temp_path " << prefix << "/uwsgi;\n  scgi_temp_path " << prefix
             << "/scgi;\n  keepalive_requests 1000;\n"
             << "  server {\n    listen 127.0.0.1:" << port << " ssl;\n"
             << "    ssl_certificate " << pki("rsa.pem") << ";\n"
             << "    ssl_certificate_key " << pki("rsa.key") << ";\n"
             << "    ssl_protocols TLSv1.2 TLSv1.3;\n"
             << "    location = /index.txt { root " << test::test_pki_dir() << "; }\n"
             << "    location = /big.bin { root " << prefix << "; }\n"
             << "    location = /chunked { default_type text/plain; alias " << pki("index.txt")
             << "; sub_filter_types *; sub_filter 'zzz' 'zzz'; }\n"
             << "    location = /moved { return 301 /index.txt; }\n"
             << "    location = /loop { return 302 /loop; }\n"
             << "    location = /to-http { return 301 http://localhost:" << port
             << "/index.txt; }\n  }\n}\n";
        return prefix;
    }
    explicit nginx_server(int port)
        : port_(port), prefix_(make_prefix(port)),
          process_({"nginx", "-p", prefix_, "-c", prefix_ + "/nginx.conf", "-g", "daemon off;"},
                   port, prefix_, prefix_ + "/logs/stderr.log") {}

    int port_;
    std::string prefix_;
    test::server_process process_;
};

/// Options trusting the test root, with "localhost:port" pinned to 127.0.0.1 (no DNS).
https::options test_options(const nginx_server& s) {
    https::options o;
    o.ca_file = pki("ca.pem");
    o.resolve = {"localhost:" + std::to_string(s.port()) + ":127.0.0.1"};
    o.connect_timeout = 10s;
    o.total_timeout = 30s;
    return o;
}

/// A loopback listener whose backlog completes the TCP handshake; nobody ever reads or writes.
struct silent_listener {
    int port = 0;
    int fd = test::listen_loopback(port, 4);
    silent_listener() = default;
    ~silent_listener() { ::close(fd); }
    silent_listener(const silent_listener&) = delete;
    silent_listener& operator=(const silent_listener&) = delete;
    [[nodiscard]] std::string url() const {
        return "https://127.0.0.1:" + std::to_string(port) + "/";
    }
};

/// The error code of a call expected to throw https::error.
template <class F> std::error_code thrown_code(F&& f) {
    try {
        f();
    } catch (const https::error& e) {
        return e.code();
    }
    return {};
}

} // namespace

TEST_CASE("https::get fetches Content-Length, chunked and redirected bodies", "[facade][interop]") {
    nginx_server server;
    const auto opts = test_options(server);
    const std::string expected = read_file(pki("index.txt"));

    auto r = https::get(server.url("/index.txt"), opts);
    CHECK(r.status == 200);
    CHECK(r.reason == "OK");
    CHECK(r.body == expected);
    CHECK(r.headers.get("content-length") == std::to_string(expected.size()));
    CHECK(r.headers.get("CONTENT-TYPE").has_value()); // case-insensitive lookup

    // What -v prints: the connection line names the version, suite, group and the scheme the
    // server signed with (RSA-PSS for the RSA leaf under TLS 1.3).
    std::vector<std::string> lines;
    auto verbose = opts;
    verbose.on_verbose = [&lines](const std::string& line) { lines.push_back(line); };
    CHECK(https::get(server.url("/index.txt"), verbose).body == expected);
    const auto connected = std::find_if(lines.begin(), lines.end(), [](const std::string& l) {
        return l.rfind("connected: ", 0) == 0;
    });
    REQUIRE(connected != lines.end());
    CHECK(connected->find("TLSv1.3") != std::string::npos);
    CHECK(connected->find(" signature rsa_pss_rsae_sha256 ") != std::string::npos);

    auto chunked = https::get(server.url("/chunked"), opts);
    CHECK(chunked.headers.get("Transfer-Encoding") == "chunked");
    CHECK(chunked.body == expected);

    auto moved = https::get(server.url("/moved"), opts);
    CHECK(moved.status == 200);
    CHECK(moved.redirects == 1);
    CHECK(moved.body == expected);

    // The raw call does not follow redirects unless asked.
    auto raw = https::request("GET", server.url("/moved"), opts);
    CHECK(raw.status == 301);
    CHECK(raw.headers.get("Location").has_value());

    // Other methods: HEAD has no body; a static file refuses POST with 405, body sent or not.
    auto head = https::request("HEAD", server.url("/index.txt"), opts);
    CHECK(head.status == 200);
    CHECK(head.body.empty());
    CHECK(head.headers.get("Content-Length") == std::to_string(expected.size()));
    CHECK(https::request("POST", server.url("/index.txt"), opts, "a=1").status == 405);
    CHECK(https::request("DELETE", server.url("/index.txt"), opts).status == 405);
}

TEST_CASE("ten requests through one https::client make one connection and one handshake",
          "[facade][interop]") {
    nginx_server server;
    const auto opts = test_options(server);
    const std::string expected = read_file(pki("index.txt"));
    https::client session;
    for (int i = 0; i < 10; ++i) {
        CHECK(session.get(server.url("/index.txt"), opts).body == expected);
    }
    CHECK(session.connections_opened() == 1);

    // Server side: every request arrived on the same connection, as its 1st..10th request.
    std::this_thread::sleep_for(200ms); // nginx writes the log line after the response
    const auto log = server.access_log();
    REQUIRE(log.size() == 10);
    std::set<std::string> connections;
    for (std::size_t i = 0; i < log.size(); ++i) {
        connections.insert(log[i].first);
        CHECK(log[i].second == static_cast<int>(i + 1));
    }
    CHECK(connections.size() == 1);
}

TEST_CASE("streaming body and progress callbacks, body cap", "[facade][interop]") {
    nginx_server server;
    auto opts = test_options(server);
    const std::string big = read_file(pki("nginx-" + std::to_string(server.port()) + "/big.bin"));
    REQUIRE(big.size() == (1u << 20));

    std::string streamed;
    std::uint64_t last_progress = 0;
    std::optional<std::uint64_t> announced;
    opts.on_body = [&](https::bytes_view b) {
        streamed.append(reinterpret_cast<const char*>(b.data()), b.size());
        return true;
    };
    opts.on_progress = [&](std::uint64_t n, std::optional<std::uint64_t> total) {
        CHECK(n >= last_progress);
        last_progress = n;
        announced = total;
    };
    auto r = https::get(server.url("/big.bin"), opts);
    CHECK(r.body.empty()); // streamed, not stored
    CHECK(streamed == big);
    CHECK(last_progress == big.size());
    CHECK(announced == big.size());

    auto capped = test_options(server);
    capped.max_body_bytes = 1000;
    const auto ec = thrown_code([&] { (void)https::get(server.url("/big.bin"), capped); });
    CHECK(ec == https::errc::http_body_too_large);
    CHECK(ec == https::failure::too_large);
}

TEST_CASE("failures throw https::error with a specific code and a kind", "[facade][interop]") {
    nginx_server server;
    const auto opts = test_options(server);

    SECTION("certificate for another host") {
        auto o = opts;
        o.resolve = {"wrong.example:" + std::to_string(server.port()) + ":127.0.0.1"};
        const auto ec = thrown_code([&] {
            (void)https::get("https://wrong.example:" + std::to_string(server.port()) + "/", o);
        });
        CHECK(ec == https::errc::cert_hostname_mismatch);
        CHECK(ec == https::failure::certificate);
    }
    SECTION("a root we do not trust") {
        auto o = opts;
        o.ca_file = pki("rogue_ca.pem");
        const auto ec = thrown_code([&] { (void)https::get(server.url("/index.txt"), o); });
        CHECK(ec == https::errc::cert_unknown_issuer);
        CHECK(ec == https::failure::certificate);
    }
    SECTION("in-memory trust anchors work like a file") {
        auto o = opts;
        o.ca_file.clear();
        o.ca_pem = read_file(pki("ca.pem"));
        CHECK(https::get(server.url("/index.txt"), o).status == 200);
    }
    SECTION("too many redirects, and https to http refused") {
        auto o = opts;
        o.max_redirects = 3;
        auto ec = thrown_code([&] { (void)https::get(server.url("/loop"), o); });
        CHECK(ec == https::errc::http_too_many_redirects);
        CHECK(ec == https::failure::redirects);
        ec = thrown_code([&] { (void)https::get(server.url("/to-http"), o); });
        CHECK(ec == https::errc::http_insecure_redirect);
    }
    SECTION("TLS 1.3 required against a server pinned to 1.2 by our maximum") {
        auto o = opts;
        o.min_version = https::tls_version::tls1_3;
        o.max_version = https::tls_version::tls1_2;
        const auto ec = thrown_code([&] { (void)https::get(server.url("/index.txt"), o); });
        CHECK(ec == https::failure::tls);
    }
    SECTION("malformed URL and unsupported scheme") {
        CHECK(thrown_code([] { (void)https::get("https://[::1/"); }) == https::failure::usage);
        CHECK(thrown_code([] { (void)https::get("ftp://127.0.0.1/"); }) ==
              https::errc::http_unsupported_scheme);
    }
    SECTION("connection refused") {
        const int port = test::free_port();
        const auto ec = thrown_code(
            [&] { (void)https::get("https://127.0.0.1:" + std::to_string(port) + "/", opts); });
        CHECK(ec == https::failure::connect);
    }
    SECTION("the non-throwing overloads report through error_code") {
        auto o = opts;
        o.ca_file = pki("rogue_ca.pem");
        std::error_code ec;
        auto r = https::get(server.url("/index.txt"), o, ec);
        CHECK(ec == https::errc::cert_unknown_issuer);
        CHECK(r.status == 0);
        r = https::get(server.url("/index.txt"), opts, ec);
        CHECK(!ec);
        CHECK(r.status == 200);
    }
}

TEST_CASE("a server that accepts and never answers times out within the limit",
          "[facade][interop]") {
    const silent_listener server;
    https::options o;
    o.ca_file = pki("ca.pem");
    o.connect_timeout = 500ms;
    const auto start = std::chrono::steady_clock::now();
    const auto ec = thrown_code([&] { (void)https::get(server.url(), o); });
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(ec == https::errc::net_timeout);
    CHECK(ec == https::failure::timeout);
    CHECK(took < 3s);
}

TEST_CASE("a connection opened without verification is never reused by a verified request",
          "[facade][interop]") {
    // Class of CVE-2024-35195: the pool is keyed by how a connection was authenticated.
    nginx_server server;
    const auto verified = test_options(server); // trusts the test root
    auto rogue = verified;                      // trusts another root: verification must fail
    rogue.ca_file = pki("rogue_ca.pem");
    auto insecure = rogue;
    insecure.insecure = true;
    const auto url = server.url("/index.txt");
    std::error_code ec;

    https::client after_insecure;
    CHECK(after_insecure.get(url, insecure).status == 200);
    (void)after_insecure.get(url, rogue, ec);
    CHECK(ec == https::errc::cert_unknown_issuer); // a new handshake, verified and refused

    https::client after_other_root;
    CHECK(after_other_root.get(url, verified).status == 200);
    (void)after_other_root.get(url, rogue, ec);
    CHECK(ec == https::errc::cert_unknown_issuer);

    // The reverse works, and each kind of connection is reused for its own kind.
    https::client session;
    CHECK(session.get(url, verified).status == 200);
    CHECK(session.get(url, insecure).status == 200);
    CHECK(session.get(url, verified).status == 200);
    CHECK(session.get(url, insecure).status == 200);
    CHECK(session.connections_opened() == 2);
}

TEST_CASE("a server that accepts and never answers the handshake hits the idle timeout",
          "[facade][interop]") {
    const silent_listener server;
    https::options o;
    o.ca_file = pki("ca.pem");
    o.connect_timeout = 0ms; // none: only the idle timeout can end the wait
    o.idle_timeout = 500ms;
    o.total_timeout = 5s; // a safety net for the test only
    const auto start = std::chrono::steady_clock::now();
    std::error_code ec;
    (void)https::get(server.url(), o, ec);
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(ec == https::errc::net_idle_timeout);
    CHECK(ec == https::failure::timeout);
    CHECK(took < 3s);
}
