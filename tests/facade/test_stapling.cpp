// The facade with OCSP stapling: against `openssl s_server -status_file` with a must-staple leaf,
// a good staple connects, a revoked or missing one is refused with its own error, and the
// verbose lines (what `https-get -v` prints) say what the staple said.
#include <https/https.hpp>

#include "support/stapling_pki.hpp"

#include <catch2/catch.hpp>

#include <openssl/ocsp.h>

#include <algorithm>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

using namespace test::stapling;

TEST_CASE("facade: a stapled OCSP response decides, and the verbose lines say what it said",
          "[facade][interop][stapling]") {
    const test::made_cert root = make_root("Facade Stapling Root");
    const test::made_cert leaf = make_server(root, true);
    write_pem(root, "root");
    write_pem(leaf, "must_staple");
    struct staple_case {
        const char* name;
        std::optional<int> status; ///< nothing: no staple
        https::errc expected;
        const char* line; ///< the start of the verbose line about the staple
    };
    const staple_case cases[] = {
        {"good", V_OCSP_CERTSTATUS_GOOD, https::errc::ok, "OCSP staple: good (this update "},
        {"revoked", V_OCSP_CERTSTATUS_REVOKED, https::errc::cert_revoked, "OCSP staple: revoked"},
        {"missing", std::nullopt, https::errc::cert_ocsp_missing,
         "OCSP staple: none, and the certificate requires one (must-staple)"},
    };
    int ran = 0;
    for (const auto& sc : cases) {
        INFO(sc.name);
        std::optional<std::string> file;
        if (sc.status) {
            file = staple_dir() + "/facade." + sc.name + ".ocsp.der";
            write_file(*file, ocsp_response(leaf, root, root, *sc.status, -3600, 86400));
        }
        stapling_server server("must_staple", file);
        std::vector<std::string> lines;
        https::options o;
        o.ca_file = staple_dir() + "/root.pem";
        o.on_verbose = [&lines](const std::string& line) { lines.push_back(line); };
        std::error_code ec;
        const auto r = https::get(
            "https://localhost:" + std::to_string(server.process.port()) + "/root.pem", o, ec);
        if (sc.expected == https::errc::ok) {
            CHECK_FALSE(ec);
            CHECK(r.status == 200);
        } else {
            CHECK(ec == sc.expected);
            CHECK(ec == https::failure::certificate);
        }
        const std::string want = sc.line;
        CHECK(std::any_of(lines.begin(), lines.end(),
                          [&](const std::string& l) { return l.rfind(want, 0) == 0; }));
        ++ran;
    }
    CHECK(ran == 3);
}
