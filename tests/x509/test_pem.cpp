// PEM decoding: strict base64, matched labels, several blocks, and every rejection.
#include <https/x509/pem.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace https;
using namespace https::x509;

namespace {
std::string bytes_to_string(const byte_vector& v) {
    return {v.begin(), v.end()};
}
} // namespace

TEST_CASE("x509 pem: base64 decoding is strict", "[x509][pem]") {
    auto dec = [](std::string_view s) -> result<std::string> {
        byte_vector out;
        auto st = x509::detail::base64_decode(s, out);
        if (!st) {
            return st.error();
        }
        return bytes_to_string(out);
    };
    // RFC 4648 §10 test vectors.
    CHECK(*dec("") == "");
    CHECK(*dec("Zg==") == "f");
    CHECK(*dec("Zm8=") == "fo");
    CHECK(*dec("Zm9v") == "foo");
    CHECK(*dec("Zm9vYg==") == "foob");
    CHECK(*dec("Zm9vYmE=") == "fooba");
    CHECK(*dec("Zm9vYmFy") == "foobar");
    CHECK(*dec("+/+/") == "\xfb\xff\xbf");
    // Rejections.
    CHECK(dec("Zg=").error() == errc::bad_pem);      // length not a multiple of 4
    CHECK(dec("Zg").error() == errc::bad_pem);       // padding missing
    CHECK(dec("Zh==").error() == errc::bad_pem);     // non-zero unused bits
    CHECK(dec("Zm9=").error() == errc::bad_pem);     // non-zero unused bits
    CHECK(dec("Z===").error() == errc::bad_pem);     // too much padding
    CHECK(dec("Zg==Zg==").error() == errc::bad_pem); // padding in the middle
    CHECK(dec("Z=g=").error() == errc::bad_pem);     // data after padding
    CHECK(dec("Zm9v-_8=").error() == errc::bad_pem); // URL-safe alphabet
    CHECK(dec("Zm9v\x80Zg==").error() == errc::bad_pem);
}

TEST_CASE("x509 pem: blocks, labels and surrounding text", "[x509][pem]") {
    const std::string text = "# a comment before\n"
                             "subject=CN = whatever\n"
                             "-----BEGIN CERTIFICATE-----\n"
                             "Zm9v\n"
                             "YmFy\r\n"
                             "-----END CERTIFICATE-----\n"
                             "text between blocks is ignored\n"
                             "-----BEGIN PRIVATE KEY-----\n"
                             "  Zm9v YmE=  \n"
                             "-----END PRIVATE KEY-----   \r\n"
                             "-----BEGIN CERTIFICATE-----\n"
                             "Zg==\n"
                             "-----END CERTIFICATE-----"; // no final newline
    auto blocks = parse_pem(text);
    REQUIRE(blocks.ok());
    REQUIRE(blocks->size() == 3);
    CHECK((*blocks)[0].label == "CERTIFICATE");
    CHECK(bytes_to_string((*blocks)[0].der) == "foobar");
    CHECK((*blocks)[1].label == "PRIVATE KEY");
    CHECK(bytes_to_string((*blocks)[1].der) == "fooba");
    CHECK(bytes_to_string((*blocks)[2].der) == "f");

    auto certs = parse_pem_certificates(text);
    REQUIRE(certs.ok());
    CHECK(certs->size() == 2);

    auto none = parse_pem("no blocks at all\n");
    REQUIRE(none.ok());
    CHECK(none->empty());
}

TEST_CASE("x509 pem: malformed armour is bad_pem", "[x509][pem]") {
    const char* bad[] = {
        "-----BEGIN CERTIFICATE-----\nZm9v\n",                              // no END
        "-----BEGIN CERTIFICATE-----\nZm9v\n-----END X509 CRL-----\n",      // label mismatch
        "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",         // empty body
        "-----END CERTIFICATE-----\n",                                      // stray END
        "-----BEGIN CERTIFICATE-----\nZm9v\n-----BEGIN CERTIFICATE-----\n", // nested BEGIN
        "-----BEGIN CERTIFICATE\nZm9v\n-----END CERTIFICATE-----\n",        // bad boundary
        "-----BEGIN -----\nZm9v\n-----END -----\n",                         // empty label
        "-----BEGIN  CERTIFICATE-----\nZm9v\n-----END  CERTIFICATE-----\n", // double space
        "-----BEGINCERTIFICATE-----\nZm9v\n-----ENDCERTIFICATE-----\n",     // no space
        "-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\nZm9v\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nZm9\n-----END CERTIFICATE-----\n",        // bad length
        "-----BEGIN CERTIFICATE-----\nZm9v!\n-----END CERTIFICATE-----\n",      // bad char
        "-----BEGIN CERTIFICATE-----\nZg==\nZg==\n-----END CERTIFICATE-----\n", // inner padding
    };
    std::size_t ran = 0;
    for (const char* t : bad) {
        INFO(t);
        CHECK(parse_pem(t).error() == errc::bad_pem);
        ++ran;
    }
    CHECK(ran == 13);
}
