// Test-only plumbing for TLS interop: a blocking loop that drives the sans-I/O client over a
// POSIX socket to 127.0.0.1, a child-process server on a free loopback port, a throw-away test
// PKI made with the openssl command, and an OpenSSL-backed chain verifier.
#pragma once

#include <https/tls/client.hpp>
#include <https/x509/trust_store.hpp>
#include <https/x509/verify.hpp>

#include "support/loopback.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace test {

/// A server child process (argv[0] looked up in PATH), output to a log file, killed (SIGTERM,
/// then waited for) when this object goes away.
class server_process {
  public:
    server_process(std::vector<std::string> argv, int port, const std::string& cwd,
                   const std::string& log)
        : port_(port), log_(log) {
        std::vector<char*> args;
        for (auto& a : argv) {
            args.push_back(a.data());
        }
        args.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
#if defined(__GLIBC__)
        posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
#endif
        if (posix_spawnp(&pid_, args[0], &fa, nullptr, args.data(), environ) != 0) {
            posix_spawn_file_actions_destroy(&fa);
            throw std::runtime_error("cannot start " + argv[0]);
        }
        posix_spawn_file_actions_destroy(&fa);
        // Ready when a TCP connection is accepted (bounded wait).
        for (int i = 0; i < 200; ++i) {
            const int fd = connect_loopback(port);
            if (fd >= 0) {
                ::close(fd);
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        stop();
        throw std::runtime_error("server did not start: " + argv[0] + "; log: " + log_text());
    }
    ~server_process() {
        stop();
    }
    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;

    [[nodiscard]] int port() const noexcept {
        return port_;
    }
    [[nodiscard]] std::string log_text() const {
        std::ifstream in(log_);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }

  private:
    void stop() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int st = 0;
            ::waitpid(pid_, &st, 0);
            pid_ = -1;
        }
    }
    pid_t pid_ = -1;
    int port_;
    std::string log_;
};

/// What one connection produced.
struct tls_session {
    https::errc error = https::errc::ok; ///< engine or transport error (net_*)
    std::string received;                ///< application data, in order
    bool handshake_done = false;
    bool peer_closed = false;
};

/// Drive `c` over a fresh loopback connection: handshake, send `request` once connected, then
/// read until the server closes (close_notify or EOF), `expect_bytes` have arrived (if not 0),
/// an error, or `timeout`.
inline tls_session run_client(https::tls::client& c, int port, const std::string& request,
                              std::chrono::milliseconds timeout = std::chrono::seconds(10),
                              std::size_t expect_bytes = 0) {
    tls_session out;
    const int fd = connect_loopback(port);
    if (fd < 0) {
        out.error = https::errc::net_connect_failed;
        return out;
    }
    auto flush = [&]() -> bool {
        const auto bytes = c.take_output();
        std::size_t off = 0;
        while (off < bytes.size()) {
            const ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
            if (n <= 0) {
                return false;
            }
            off += static_cast<std::size_t>(n);
        }
        return true;
    };
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool request_sent = false;
    if (auto s = c.start(); !s) {
        out.error = s.error();
    }
    while (out.error == https::errc::ok) {
        if (c.is_connected() && !request_sent) {
            out.handshake_done = true;
            request_sent = true;
            if (!request.empty()) {
                (void)c.send(https::as_bytes(request));
            }
        }
        if (!flush()) {
            out.error = https::errc::net_io_error;
            break;
        }
        if (c.peer_closed() || (expect_bytes != 0 && out.received.size() >= expect_bytes)) {
            break;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            out.error = https::errc::net_timeout;
            break;
        }
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
            continue;
        }
        std::uint8_t buf[4096];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            out.error = https::errc::net_connection_closed;
            break;
        }
        if (auto s = c.feed(https::bytes_view(buf, static_cast<std::size_t>(n))); !s) {
            out.error = s.error();
        }
        const auto data = c.take_application_data();
        out.received.append(data.begin(), data.end());
    }
    if (c.is_connected()) {
        out.handshake_done = true;
    }
    (void)flush(); // the alert of a failed handshake, or our close_notify
    if (out.error == https::errc::ok) {
        c.close();
        (void)flush();
    }
    out.peer_closed = c.peer_closed();
    ::close(fd);
    return out;
}

/// Run a shell command; throws when it fails.
inline void sh(const std::string& cmd) {
    if (std::system(cmd.c_str()) != 0) {
        throw std::runtime_error("command failed: " + cmd);
    }
}

/// The test PKI under `dir`, made once per process by tests/support/make_test_pki.sh.
inline const std::string& test_pki_dir() {
    static const std::string dir = [] {
        std::string d = std::string(HTTPS_BINARY_DIR) + "/tls_test_pki";
        sh("bash " + std::string(HTTPS_SOURCE_DIR) + "/tests/support/make_test_pki.sh " + d +
           " >/dev/null 2>&1");
        return d;
    }();
    return dir;
}

/// Chain verification with our own X.509 layer: path to the anchors in `root_pem`, then the host
/// name or IP address.
inline https::tls::certificate_verifier x509_verifier(const std::string& root_pem) {
    auto store = https::x509::trust_store::from_file(root_pem);
    if (!store) {
        throw std::runtime_error("cannot load trust store " + root_pem);
    }
    auto anchors = std::make_shared<https::x509::trust_store>(std::move(*store));
    return [anchors](std::span<const https::bytes_view> chain, std::string_view host,
                     std::optional<https::bytes_view> staple) -> https::status {
        if (chain.empty()) {
            return https::errc::cert_malformed;
        }
        https::x509::verify_options options;
        options.set_host(host);
        options.staple_requested = true; // the engine's default offer
        options.ocsp_staple = staple;
        auto path = https::x509::verify_chain(chain[0], chain.subspan(1), *anchors, options);
        return path ? https::status{} : https::status{path.error()};
    };
}

/// Chain verification with OpenSSL's libcrypto as the oracle (tests only): `root_pem` is the
/// only trust anchor; the leaf must match `host` (DNS name or IP literal). OpenSSL's verdict is
/// mapped to our x509 errors so that the engine's alert mapping is exercised.
inline https::tls::certificate_verifier openssl_verifier(const std::string& root_pem) {
    return [root_pem](std::span<const https::bytes_view> chain, std::string_view host,
                      std::optional<https::bytes_view>) -> https::status {
        X509_STORE* store = X509_STORE_new();
        FILE* f = std::fopen(root_pem.c_str(), "r");
        X509* root = f != nullptr ? PEM_read_X509(f, nullptr, nullptr, nullptr) : nullptr;
        if (f != nullptr) {
            std::fclose(f);
        }
        X509_STORE_add_cert(store, root);
        X509_free(root);
        std::vector<X509*> certs;
        for (auto der : chain) {
            const unsigned char* p = der.data();
            certs.push_back(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
        }
        STACK_OF(X509)* untrusted = sk_X509_new_null();
        for (std::size_t i = 1; i < certs.size(); ++i) {
            sk_X509_push(untrusted, certs[i]);
        }
        X509_STORE_CTX* ctx = X509_STORE_CTX_new();
        https::status result{};
        if (certs.empty() || certs[0] == nullptr) {
            result = https::errc::cert_malformed;
        } else {
            X509_STORE_CTX_init(ctx, store, certs[0], untrusted);
            X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
            const std::string h(host);
            if (h.find_first_not_of("0123456789.") == std::string::npos) {
                X509_VERIFY_PARAM_set1_ip_asc(param, h.c_str());
            } else {
                X509_VERIFY_PARAM_set1_host(param, h.c_str(), h.size());
            }
            if (X509_verify_cert(ctx) != 1) {
                switch (X509_STORE_CTX_get_error(ctx)) {
                case X509_V_ERR_CERT_HAS_EXPIRED:
                    result = https::errc::cert_expired;
                    break;
                case X509_V_ERR_CERT_NOT_YET_VALID:
                    result = https::errc::cert_not_yet_valid;
                    break;
                case X509_V_ERR_HOSTNAME_MISMATCH:
                case X509_V_ERR_IP_ADDRESS_MISMATCH:
                    result = https::errc::cert_hostname_mismatch;
                    break;
                case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
                case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
                case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
                case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
                    result = https::errc::cert_unknown_issuer;
                    break;
                default:
                    result = https::errc::cert_bad_signature;
                    break;
                }
            }
        }
        X509_STORE_CTX_free(ctx);
        sk_X509_free(untrusted);
        for (X509* c : certs) {
            X509_free(c);
        }
        X509_STORE_free(store);
        return result;
    };
}

} // namespace test
