// Differential test: our verdict on every fixture case against `openssl verify -x509_strict` run
// with the same trust anchors, untrusted chain, time, purpose and identity.
//
// OpenSSL is run as
//   openssl verify -x509_strict -purpose sslserver -attime T -auth_level 2
//                  -CAfile ROOTS [-untrusted CHAIN] [-verify_hostname H | -verify_ip A] LEAF
// `-auth_level 2` (112-bit security) is the one option beyond the shared ones: without it
// `openssl verify` applies no key-size or digest policy at all, while we always refuse RSA keys
// below 2048 bits and SHA-1/MD5 signatures; level 2 is what OpenSSL's own TLS stack uses by
// default on current distributions, so the comparison is like for like.
//
// Every case where the verdicts differ is marked in the case table (x509_fixtures.hpp) with the
// reason, and this test checks that OpenSSL really does disagree there, so a stale explanation
// fails the test as surely as a new disagreement.
#include "x509_fixtures.hpp"

#include <https/x509/verify.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace https;
using namespace https::x509;

namespace {

std::string quote(const std::string& s) {
    return "'" + s + "'";
}

/// Run `openssl verify` on a case; true when it accepts.
bool openssl_accepts(const x509test::chain_case& c, const std::filesystem::path& dir) {
    const auto roots = dir / "roots.pem";
    const auto chain = dir / "chain.pem";
    {
        std::ofstream r(roots);
        for (const auto& name : c.roots) {
            r << x509test::fixture_text(name);
        }
        std::ofstream u(chain);
        for (const auto& name : c.untrusted) {
            u << x509test::fixture_text(name);
        }
    }
    std::string cmd = "openssl verify -x509_strict -purpose sslserver -auth_level 2 -attime " +
                      std::to_string(x509test::verify_time) + " -CAfile " + quote(roots.string());
    if (!c.untrusted.empty()) {
        cmd += " -untrusted " + quote(chain.string());
    }
    if (!c.dns_name.empty()) {
        cmd += " -verify_hostname " + quote(c.dns_name);
    }
    if (!c.ip.empty()) {
        cmd += " -verify_ip " + quote(c.ip);
    }
    cmd += " " + quote(x509test::fixture_path(c.leaf)) + " >/dev/null 2>&1";
    const int status = std::system(cmd.c_str());
    REQUIRE(status != -1);
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status) == 0;
}

} // namespace

TEST_CASE("x509 differential: verdicts agree with openssl verify -x509_strict",
          "[x509][differential]") {
    if (std::system("openssl version >/dev/null 2>&1") != 0 &&
        test::missing_prerequisite("the openssl command")) {
        return;
    }
    const auto dir =
        std::filesystem::temp_directory_path() / ("https_x509_diff_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::size_t ran = 0;
    std::size_t disagreements = 0;
    for (const x509test::chain_case& c : x509test::cases()) {
        INFO(c.name << (c.why.empty() ? "" : " -- expected disagreement: " + c.why));
        auto l = x509test::load(c);
        auto ours = x509::detail::verify_chain_with(x509::detail::verify_signature, l->leaf,
                                                    l->untrusted_views, l->store, l->options);
        const bool we_accept = ours.ok();
        CHECK(we_accept == (c.expected == errc::ok));
        const bool they_accept = openssl_accepts(c, dir);
        if (c.openssl_agrees) {
            CHECK(they_accept == we_accept);
        } else {
            CHECK(they_accept != we_accept);
            ++disagreements;
        }
        ++ran;
    }
    std::filesystem::remove_all(dir);
    CHECK(ran == 114);
    CHECK(disagreements == 30);
}
