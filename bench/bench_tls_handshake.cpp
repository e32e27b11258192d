// Full TLS 1.3 handshakes per second against one local `openssl s_server` (same server, same
// ECDSA P-256 certificate, X25519): our client engine over a blocking loopback socket, and
// OpenSSL's libssl client in process. Both skip chain validation (the X.509 layer has its own
// figures); each handshake is a new TCP connection ending with close_notify.
#include "bench.hpp"

#include <https/tls/client.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#if HTTPS_BENCH_OPENSSL_SSL
#include <openssl/ssl.h>
#endif

extern char** environ;

namespace {

int connect_to(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

/// One s_server for the whole run, on a free loopback port, with a fresh P-256 certificate.
class local_server {
  public:
    static local_server& get() {
        static local_server s;
        return s;
    }
    [[nodiscard]] int port() const noexcept { return port_; }
    [[nodiscard]] bool ok() const noexcept { return pid_ > 0; }
    ~local_server() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int st = 0;
            ::waitpid(pid_, &st, 0);
        }
        if (!dir_.empty()) {
            (void)std::system(("rm -rf " + dir_).c_str());
        }
    }

  private:
    local_server() {
        char tmpl[] = "/tmp/https-bench-tls-XXXXXX";
        if (::mkdtemp(tmpl) == nullptr) {
            return;
        }
        dir_ = tmpl;
        const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
                                "-nodes -days 1 -subj /CN=localhost -keyout " +
                                dir_ + "/key.pem -out " + dir_ + "/cert.pem >/dev/null 2>&1";
        if (std::system(cmd.c_str()) != 0) {
            return;
        }
        // A free port: bind to 0, read it back, release it for the server.
        const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        ::bind(probe, reinterpret_cast<sockaddr*>(&a), sizeof a);
        ::getsockname(probe, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        ::close(probe);
        std::string accept = "127.0.0.1:" + std::to_string(port_);
        std::string cert = dir_ + "/cert.pem";
        std::string key = dir_ + "/key.pem";
        std::vector<std::string> argv = {"openssl", "s_server", "-quiet",  "-tls1_3",
                                         "-accept", accept,     "-cert",   cert,
                                         "-key",    key,        "-groups", "X25519"};
        std::vector<char*> args;
        for (auto& s : argv) {
            args.push_back(s.data());
        }
        args.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
        pid_t pid = -1;
        if (posix_spawnp(&pid, "openssl", &fa, nullptr, args.data(), environ) == 0) {
            pid_ = pid;
        }
        posix_spawn_file_actions_destroy(&fa);
        for (int i = 0; i < 200 && pid_ > 0; ++i) {
            const int fd = connect_to(port_);
            if (fd >= 0) {
                ::close(fd);
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
    }
    std::string dir_;
    int port_ = 0;
    pid_t pid_ = -1;
};

/// One full handshake with our engine; false on any failure.
bool our_handshake(int port) {
    https::tls::client_config cfg;
    cfg.server_name = "localhost";
    cfg.verify_certificate = [](std::span<const https::bytes_view>, std::string_view,
                                std::optional<https::bytes_view>) { return https::status{}; };
    https::tls::client c(std::move(cfg));
    const int fd = connect_to(port);
    if (fd < 0) {
        return false;
    }
    bool ok = c.start().ok();
    auto flush = [&] {
        const auto out = c.take_output();
        return out.empty() ||
               ::send(fd, out.data(), out.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(out.size());
    };
    std::uint8_t buf[16384];
    while (ok && !c.is_connected()) {
        if (!flush()) {
            ok = false;
            break;
        }
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        ok = n > 0 && c.feed(https::bytes_view(buf, static_cast<std::size_t>(n))).ok();
    }
    c.close();
    (void)flush();
    ::close(fd);
    return ok;
}

double ours(double seconds) {
    auto& server = local_server::get();
    if (!server.ok()) {
        return 0;
    }
    bool all_ok = true;
    const double rate =
        bench::ops_per_second(seconds, [&] { all_ok &= our_handshake(server.port()); });
    return all_ok ? rate : 0;
}

#if HTTPS_BENCH_OPENSSL_SSL
double openssl(double seconds) {
    auto& server = local_server::get();
    if (!server.ok()) {
        return 0;
    }
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF); // full handshakes only
    bool all_ok = true;
    const double rate = bench::ops_per_second(seconds, [&] {
        const int fd = connect_to(server.port());
        SSL* ssl = SSL_new(ctx);
        SSL_set_fd(ssl, fd);
        SSL_set_tlsext_host_name(ssl, "localhost");
        all_ok &= SSL_connect(ssl) == 1;
        SSL_shutdown(ssl);
        SSL_free(ssl);
        ::close(fd);
    });
    SSL_CTX_free(ctx);
    return all_ok ? rate : 0;
}
#endif

} // namespace

#if HTTPS_BENCH_OPENSSL_SSL
HTTPS_BENCH("tls13_handshake", "ops/s", ours, openssl);
#else
HTTPS_BENCH("tls13_handshake", "ops/s", ours, {});
#endif
