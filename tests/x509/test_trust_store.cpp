// Trust stores: PEM bundles, lazy parsing, subject lookup, the system store and its variables.
#include "x509_fixtures.hpp"

#include <https/x509/trust_store.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace https;
using namespace https::x509;

namespace {

/// Set an environment variable for the scope of a test, restoring the old value afterwards.
class scoped_env {
  public:
    scoped_env(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) {
            old_ = old;
        }
        if (value != nullptr) {
            setenv(name, value, 1);
        } else {
            unsetenv(name);
        }
    }
    ~scoped_env() {
        if (old_) {
            setenv(name_, old_->c_str(), 1);
        } else {
            unsetenv(name_);
        }
    }
    scoped_env(const scoped_env&) = delete;
    scoped_env& operator=(const scoped_env&) = delete;

  private:
    const char* name_;
    std::optional<std::string> old_;
};

std::filesystem::path temp_dir(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() /
               ("https_x509_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

} // namespace

TEST_CASE("x509 trust store: load a bundle, find by subject, parse lazily", "[x509][trust_store]") {
    const std::string bundle = "# roots\n" + x509test::fixture_text("root_rsa") + "some text\n" +
                               x509test::fixture_text("root_ec") +
                               x509test::fixture_text("old_root") +
                               x509test::fixture_text("root_rsa"); // a duplicate
    auto store = trust_store::from_pem(bundle);
    REQUIRE(store.ok());
    CHECK(store->size() == 3);

    const byte_vector leaf = x509test::der("good_rsa");
    const byte_vector intermediate_der = x509test::der("int_rsa");
    auto intermediate = parse_certificate(intermediate_der);
    REQUIRE(intermediate.ok());
    auto found = store->find(intermediate->issuer);
    REQUIRE(found.size() == 1);
    CHECK(to_string(found[0]->subject()) == "C=XX, O=Test PKI, CN=Test RSA Root");
    const certificate* parsed = found[0]->parsed();
    REQUIRE(parsed != nullptr);
    CHECK(parsed->is_ca);
    CHECK(found[0]->parsed() == parsed); // parsed once

    auto leaf_cert = parse_certificate(leaf);
    REQUIRE(leaf_cert.ok());
    CHECK(store->find(leaf_cert->issuer).empty()); // the intermediate is not an anchor
    CHECK(store->contains(x509test::der("root_ec")));
    CHECK_FALSE(store->contains(intermediate_der));

    // Two anchors with the same subject (the new root, valid and expired) are both found.
    auto two = trust_store::from_pem(x509test::fixture_text("new_root") +
                                     x509test::fixture_text("new_root_expired"));
    REQUIRE(two.ok());
    const byte_vector new_root = x509test::der("new_root");
    CHECK(two->find(parse_certificate(new_root)->subject).size() == 2);
}

TEST_CASE("x509 trust store: bad bundles are refused whole", "[x509][trust_store]") {
    CHECK(trust_store::from_pem("-----BEGIN CERTIFICATE-----\nZm9v\n").error() == errc::bad_pem);
    CHECK(trust_store::from_pem("-----BEGIN CERTIFICATE-----\nZm9v\n-----END CERTIFICATE-----\n")
              .error() == errc::cert_malformed);
    auto empty = trust_store::from_pem("no certificates here");
    REQUIRE(empty.ok());
    CHECK(empty->size() == 0);
    CHECK(trust_store::from_file("/nonexistent/bundle.pem").error() ==
          errc::trust_store_unavailable);
    trust_store s;
    CHECK(s.add_der(byte_vector{0x30, 0x00}).error() == errc::cert_malformed);
    CHECK(s.size() == 0);
}

TEST_CASE("x509 trust store: the system store and SSL_CERT_FILE / SSL_CERT_DIR",
          "[x509][trust_store]") {
    const auto dir = temp_dir("store");
    const auto file = dir / "bundle.pem";
    {
        std::ofstream out(file);
        out << x509test::fixture_text("root_rsa") << x509test::fixture_text("root_ec");
    }
    const auto certs = dir / "certs";
    std::filesystem::create_directories(certs);
    {
        std::ofstream(certs / "a.pem") << x509test::fixture_text("old_root");
        std::ofstream(certs / "b.0") << x509test::fixture_text("old_root"); // same cert again
        std::ofstream(certs / "c.pem") << x509test::fixture_text("new_root");
        std::ofstream(certs / "README") << "not a certificate\n";
        std::ofstream(certs / "broken.pem")
            << "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n";
    }
    {
        scoped_env f("SSL_CERT_FILE", file.c_str());
        scoped_env d("SSL_CERT_DIR", nullptr);
        auto s = trust_store::system();
        REQUIRE(s.ok());
        CHECK(s->size() == 2);
    }
    {
        scoped_env f("SSL_CERT_FILE", nullptr);
        scoped_env d("SSL_CERT_DIR", ("/nonexistent:" + certs.string()).c_str());
        auto s = trust_store::system();
        REQUIRE(s.ok());
        CHECK(s->size() == 2);
    }
    {
        scoped_env f("SSL_CERT_FILE", file.c_str());
        scoped_env d("SSL_CERT_DIR", certs.c_str());
        auto s = trust_store::system();
        REQUIRE(s.ok());
        CHECK(s->size() == 4);
    }
    {
        scoped_env f("SSL_CERT_FILE", "/nonexistent/file.pem");
        scoped_env d("SSL_CERT_DIR", nullptr);
        CHECK(trust_store::system().error() == errc::trust_store_unavailable);
    }
    {
        scoped_env f("SSL_CERT_FILE", nullptr);
        scoped_env d("SSL_CERT_DIR", nullptr);
        auto s = trust_store::system();
        if (std::filesystem::exists("/etc/ssl/certs/ca-certificates.crt")) {
            REQUIRE(s.ok());
            CHECK(s->size() > 100);
            // Every anchor of the real bundle parses when asked to.
            std::size_t parsed = 0;
            for (std::size_t i = 0; i < s->size(); ++i) {
                parsed += (*s)[i].parsed() != nullptr ? 1 : 0;
            }
            CHECK(parsed == s->size());
        }
    }
    std::filesystem::remove_all(dir);
}
