// Certificate parsing: the fixtures and the system bundle (against OpenSSL), each strictness rule,
// and hostile input (truncation, trailing bytes, oversize, nesting, bad lengths, bad times).
#include "x509_fixtures.hpp"

#include <https/crypto/ed25519.hpp>
#include <https/x509/certificate.hpp>

#include <catch2/catch.hpp>

#include <openssl/asn1.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <filesystem>
#include <map>
#include <random>

using namespace https;
using namespace https::x509;

namespace {

// A tiny DER tree so that tests can edit one field of a real certificate and re-encode it.
struct node {
    std::uint8_t tag = 0;
    byte_vector contents;       // primitive
    std::vector<node> children; // constructed
    [[nodiscard]] bool constructed() const { return (tag & 0x20) != 0; }
};

byte_vector tlv(std::uint8_t tag, const byte_vector& contents) {
    byte_vector out{tag};
    const std::size_t n = contents.size();
    if (n < 0x80) {
        out.push_back(static_cast<std::uint8_t>(n));
    } else if (n < 0x100) {
        out.push_back(0x81);
        out.push_back(static_cast<std::uint8_t>(n));
    } else if (n < 0x10000) {
        out.push_back(0x82);
        out.push_back(static_cast<std::uint8_t>(n >> 8));
        out.push_back(static_cast<std::uint8_t>(n));
    } else {
        out.push_back(0x83);
        out.push_back(static_cast<std::uint8_t>(n >> 16));
        out.push_back(static_cast<std::uint8_t>(n >> 8));
        out.push_back(static_cast<std::uint8_t>(n));
    }
    out.insert(out.end(), contents.begin(), contents.end());
    return out;
}

node parse_tree(bytes_view der) {
    der::parser p(der);
    auto e = p.read_any();
    REQUIRE(e.ok());
    node n;
    n.tag = e->tag;
    if (n.constructed()) {
        der::parser inner(e->contents);
        while (!inner.empty()) {
            auto child = inner.read_any();
            REQUIRE(child.ok());
            n.children.push_back(parse_tree(child->encoded));
        }
    } else {
        n.contents.assign(e->contents.begin(), e->contents.end());
    }
    return n;
}

byte_vector encode(const node& n) {
    if (!n.constructed()) {
        return tlv(n.tag, n.contents);
    }
    byte_vector body;
    for (const node& c : n.children) {
        auto enc = encode(c);
        body.insert(body.end(), enc.begin(), enc.end());
    }
    return tlv(n.tag, body);
}

node prim(std::uint8_t tag, byte_vector contents) {
    node n;
    n.tag = tag;
    n.contents = std::move(contents);
    return n;
}

node cons(std::uint8_t tag, std::vector<node> children) {
    node n;
    n.tag = tag;
    n.children = std::move(children);
    return n;
}

// Field positions in a v3 TBSCertificate as our fixtures encode it.
enum tbs_field : std::size_t {
    f_version,
    f_serial,
    f_sig,
    f_issuer,
    f_validity,
    f_subject,
    f_spki,
    f_extensions
};

node& tbs(node& cert) {
    return cert.children[0];
}
std::vector<node>& extensions(node& cert) {
    return tbs(cert).children[f_extensions].children[0].children;
}

/// An Extension { oid, [critical TRUE], OCTET STRING { value } }.
node make_extension(const byte_vector& oid, const byte_vector& value, bool critical = false) {
    std::vector<node> parts{prim(der::tag::oid, oid)};
    if (critical) {
        parts.push_back(prim(der::tag::boolean, {0xff}));
    }
    parts.push_back(prim(der::tag::octet_string, value));
    return cons(der::tag::sequence, parts);
}

template <std::size_t N> byte_vector bytes(const std::array<std::uint8_t, N>& a) {
    return {a.begin(), a.end()};
}

/// Replace (or add) the extension with this OID in `cert`.
void set_extension(node& cert, const node& ext) {
    for (node& e : extensions(cert)) {
        if (e.children[0].contents == ext.children[0].contents) {
            e = ext;
            return;
        }
    }
    extensions(cert).push_back(ext);
}

/// Parse and return the underlying cause (errc::ok when it parses).
errc cause_of(const byte_vector& der) {
    errc cause = errc::ok;
    auto c = parse_certificate(der, &cause);
    CHECK(c.ok() == (cause == errc::ok));
    if (!c) {
        CHECK(c.error() == errc::cert_malformed);
    }
    return cause;
}

errc cause_of(const node& cert) {
    return cause_of(encode(cert));
}

std::vector<std::string> all_fixtures() {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(std::string(HTTPS_SOURCE_DIR) +
                                                                 "/tests/fixtures/x509")) {
        if (entry.path().extension() == ".pem") {
            names.push_back(entry.path().stem().string());
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace

TEST_CASE("x509 certificate: every fixture parses (or fails as made to) and re-encodes identically",
          "[x509][certificate]") {
    // The fixtures made to break a rule of the certificate syntax, and the error each gives.
    const std::map<std::string, errc> malformed = {
        {"w_serial_21", errc::too_large},             // §4.1.2.2: at most 20 octets
        {"w_aia_malformed", errc::truncated},         // an AccessDescription without location
        {"w_crldp_malformed", errc::bad_encoding},    // a DistributionPoint naming nothing
        {"w_policies_repeated", errc::bad_encoding},  // §4.2.1.4: a policy OID twice
    };
    std::size_t ran = 0;
    std::size_t refused = 0;
    for (const std::string& name : all_fixtures()) {
        INFO(name);
        const byte_vector d = x509test::der(name);
        const auto bad = malformed.find(name);
        CHECK(cause_of(d) == (bad == malformed.end() ? errc::ok : bad->second));
        refused += bad == malformed.end() ? 0 : 1;
        CHECK(encode(parse_tree(d)) == d);
        ++ran;
    }
    CHECK(ran == 155);
    CHECK(refused == malformed.size());
}

TEST_CASE("x509 certificate: fields of the fixtures", "[x509][certificate]") {
    const byte_vector leaf_der = x509test::der("good_rsa");
    auto leaf = parse_certificate(leaf_der);
    REQUIRE(leaf.ok());
    CHECK(leaf->version == 3);
    CHECK(leaf->der.data() == leaf_der.data());
    CHECK(leaf->tbs.data() > leaf_der.data());
    CHECK(leaf->sig_alg.kind == signature_algorithm::scheme::rsa_pkcs1);
    CHECK(leaf->sig_alg.hash == hash_algorithm::sha256);
    CHECK(leaf->signature.size() == 256);
    CHECK(leaf->serial.size() <= 17);
    CHECK(to_string(leaf->issuer) == "C=XX, O=Test PKI, CN=Test RSA Intermediate");
    CHECK(to_string(leaf->subject) == "CN=good.example.com");
    CHECK(leaf->not_before == 1735689600); // 2025-01-01
    CHECK(leaf->not_after == 1767225600);  // 2026-01-01
    CHECK(leaf->spki.algorithm == key_algorithm::rsa);
    CHECK(leaf->spki.rsa_bits == 2048);
    CHECK(to_hex(leaf->spki.rsa_exponent) == "010001");
    CHECK(leaf->has(x509::extension::basic_constraints));
    CHECK_FALSE(leaf->is_ca);
    REQUIRE(leaf->key_usage);
    CHECK(*leaf->key_usage == (key_usage::digital_signature | key_usage::key_encipherment));
    CHECK(leaf->has(x509::extension::ext_key_usage));
    CHECK(leaf->ext_key_usage.server_auth);
    CHECK_FALSE(leaf->ext_key_usage.client_auth);
    REQUIRE(leaf->subject_alt_names.dns_names.size() == 2);
    CHECK(leaf->subject_alt_names.dns_names[0] == "good.example.com");
    CHECK(leaf->subject_alt_names.dns_names[1] == "www.good.example.com");
    CHECK(leaf->authority_key_id.size() == 20);
    CHECK(leaf->subject_key_id.size() == 20);
    CHECK_FALSE(leaf->unknown_critical_extension);
    CHECK_FALSE(leaf->self_issued());

    auto intermediate_der = x509test::der("int_rsa");
    auto intermediate = parse_certificate(intermediate_der);
    REQUIRE(intermediate.ok());
    CHECK(intermediate->is_ca);
    CHECK_FALSE(intermediate->path_len_constraint);
    CHECK(*intermediate->key_usage == (key_usage::key_cert_sign | key_usage::crl_sign));
    CHECK(std::equal(leaf->authority_key_id.begin(), leaf->authority_key_id.end(),
                     intermediate->subject_key_id.begin(), intermediate->subject_key_id.end()));

    auto root_der = x509test::der("root_ec");
    auto root = parse_certificate(root_der);
    REQUIRE(root.ok());
    CHECK(root->self_issued());
    CHECK(root->spki.algorithm == key_algorithm::ec_p384);
    CHECK(root->spki.key.size() == 97);
    CHECK(root->sig_alg.kind == signature_algorithm::scheme::ecdsa);
    CHECK(root->sig_alg.hash == hash_algorithm::sha384);

    auto ec_der = x509test::der("good_ecdsa");
    auto ec = parse_certificate(ec_der);
    REQUIRE(ec.ok());
    CHECK(ec->spki.algorithm == key_algorithm::ec_p256);
    CHECK(ec->spki.key.size() == 65);

    auto ed_der = x509test::der("good_ed25519");
    auto ed = parse_certificate(ed_der);
    REQUIRE(ed.ok());
    CHECK(ed->spki.algorithm == key_algorithm::ed25519);
    CHECK(ed->spki.key.size() == 32);
    CHECK(ed->sig_alg.kind == signature_algorithm::scheme::ed25519);
    CHECK(ed->sig_alg.hash == hash_algorithm::none); // PureEdDSA: no digest
    CHECK(ed->signature.size() == 64);
    CHECK(*ed->key_usage == key_usage::digital_signature);

    auto pss_der = x509test::der("good_rsa_pss");
    auto pss = parse_certificate(pss_der);
    REQUIRE(pss.ok());
    CHECK(pss->sig_alg.kind == signature_algorithm::scheme::rsa_pss);
    CHECK(pss->sig_alg.hash == hash_algorithm::sha256);
    CHECK(pss->sig_alg.pss_salt_length == 32);

    auto p0_der = x509test::der("int_p0");
    auto p0 = parse_certificate(p0_der);
    REQUIRE(p0.ok());
    REQUIRE(p0->path_len_constraint);
    CHECK(*p0->path_len_constraint == 0);

    auto nc_der = x509test::der("int_nc");
    auto nc = parse_certificate(nc_der);
    REQUIRE(nc.ok());
    REQUIRE(nc->constraints);
    REQUIRE(nc->constraints->permitted.dns_names.size() == 1);
    CHECK(nc->constraints->permitted.dns_names[0] == "allowed.example.com");
    REQUIRE(nc->constraints->permitted.ip_addresses.size() == 1);
    CHECK(to_hex(nc->constraints->permitted.ip_addresses[0]) == "c0000200ffffff00");
    REQUIRE(nc->constraints->excluded.dns_names.size() == 1);
    CHECK(nc->constraints->excluded.dns_names[0] == "bad.allowed.example.com");

    auto ip_der = x509test::der("ip_san");
    auto ip = parse_certificate(ip_der);
    REQUIRE(ip.ok());
    REQUIRE(ip->subject_alt_names.ip_addresses.size() == 2);
    CHECK(to_hex(ip->subject_alt_names.ip_addresses[0]) == "c000020a");
    CHECK(to_hex(ip->subject_alt_names.ip_addresses[1]) == "20010db8000000000000000000000001");

    auto crit_der = x509test::der("unknown_critical");
    auto crit = parse_certificate(crit_der);
    REQUIRE(crit.ok());
    CHECK(crit->unknown_critical_extension);

    auto client_der = x509test::der("client_auth");
    auto client = parse_certificate(client_der);
    REQUIRE(client.ok());
    CHECK(client->ext_key_usage.client_auth);
    CHECK_FALSE(client->ext_key_usage.server_auth);

    auto weak_der = x509test::der("rsa1024");
    auto weak = parse_certificate(weak_der);
    REQUIRE(weak.ok());
    CHECK(weak->spki.rsa_bits == 1024);

    auto sha1_der = x509test::der("sha1");
    auto sha1 = parse_certificate(sha1_der);
    REQUIRE(sha1.ok());
    CHECK(sha1->sig_alg.hash == hash_algorithm::sha1);

    auto cn_der = x509test::der("cn_only");
    auto cn = parse_certificate(cn_der);
    REQUIRE(cn.ok());
    CHECK_FALSE(cn->has(x509::extension::subject_alt_name));
}

TEST_CASE("x509 certificate: the system CA bundle parses, matching OpenSSL",
          "[x509][certificate]") {
    const std::string path = "/etc/ssl/certs/ca-certificates.crt";
    if (!std::filesystem::exists(path) &&
        test::missing_prerequisite("the system CA bundle " + path + " (ca-certificates)")) {
        return;
    }
    auto certs = parse_pem_certificates(test::read_file(path));
    REQUIRE(certs.ok());
    REQUIRE(certs->size() > 100);
    std::size_t ran = 0;
    for (const byte_vector& d : *certs) {
        auto c = parse_certificate(d);
        REQUIRE(c.ok());
        const unsigned char* p = d.data();
        std::unique_ptr<X509, decltype(&X509_free)> x(
            d2i_X509(nullptr, &p, static_cast<long>(d.size())), X509_free);
        REQUIRE(x);
        std::tm before{};
        std::tm after{};
        REQUIRE(ASN1_TIME_to_tm(X509_get0_notBefore(x.get()), &before) == 1);
        REQUIRE(ASN1_TIME_to_tm(X509_get0_notAfter(x.get()), &after) == 1);
        CHECK(c->not_before == timegm(&before));
        CHECK(c->not_after == timegm(&after));
        CHECK(c->version == static_cast<unsigned>(X509_get_version(x.get()) + 1));
        EVP_PKEY* key = X509_get0_pubkey(x.get());
        REQUIRE(key != nullptr);
        if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
            CHECK(c->spki.algorithm == key_algorithm::rsa);
            CHECK(c->spki.rsa_bits == static_cast<std::size_t>(EVP_PKEY_get_bits(key)));
        }
        CHECK(c->self_issued() ==
              (X509_NAME_cmp(X509_get_subject_name(x.get()), X509_get_issuer_name(x.get())) == 0));
        CHECK(c->is_ca == (X509_check_ca(x.get()) != 0));
        ++ran;
    }
    CHECK(ran == certs->size());
}

TEST_CASE("x509 certificate: strictness rules, each with its cause", "[x509][certificate]") {
    const byte_vector leaf = x509test::der("good_rsa");
    const node base = parse_tree(leaf);

    SECTION("version") {
        node c = base;
        tbs(c).children[f_version].children[0].contents = {0};
        CHECK(cause_of(c) == errc::non_minimal_encoding); // DER omits the v1 default
        tbs(c).children[f_version].children[0].contents = {3};
        CHECK(cause_of(c) == errc::out_of_range);
        node v1 = base;
        tbs(v1).children.erase(tbs(v1).children.begin()); // v1 with extensions
        CHECK(cause_of(v1) == errc::bad_encoding);
        tbs(v1).children.pop_back(); // v1 without extensions is fine
        CHECK(cause_of(v1) == errc::ok);
        node v2 = base;
        tbs(v2).children[f_version].children[0].contents = {1};
        CHECK(cause_of(v2) == errc::bad_encoding); // extensions need v3
    }
    SECTION("serial number") {
        node c = base;
        auto& serial = tbs(c).children[f_serial].contents;
        serial = {0x80, 0x01};
        CHECK(cause_of(c) == errc::out_of_range); // negative
        serial = {0x00, 0x01};
        CHECK(cause_of(c) == errc::non_minimal_encoding);
        serial = {0x00};
        CHECK(cause_of(c) == errc::ok); // zero tolerated (RFC 5280 §4.1.2.2 asks users to)
        serial.assign(20, 0x7f);
        CHECK(cause_of(c) == errc::ok);
        serial.assign(21, 0xff);
        serial[0] = 0x00; // 20 octets of magnitude plus the sign octet
        CHECK(cause_of(c) == errc::ok);
        serial.assign(21, 0x7f);
        CHECK(cause_of(c) == errc::too_large);
        serial.clear();
        CHECK(cause_of(c) == errc::bad_encoding);
    }
    SECTION("signature algorithm fields must match") {
        node c = base;
        tbs(c).children[f_sig].children[0].contents = bytes(oid::sha384_with_rsa);
        CHECK(cause_of(c) == errc::bad_encoding);
        node d = base;
        tbs(d).children[f_sig].children.pop_back(); // NULL parameters omitted in one copy only
        CHECK(cause_of(d) == errc::bad_encoding);
        node e = base; // omitted in both copies: tolerated
        tbs(e).children[f_sig].children.pop_back();
        e.children[1].children.pop_back();
        CHECK(cause_of(e) == errc::ok);
        node f = base; // ECDSA with parameters
        for (node* alg : {&tbs(f).children[f_sig], &f.children[1]}) {
            alg->children[0].contents = bytes(oid::ecdsa_with_sha256);
        }
        CHECK(cause_of(f) == errc::trailing_data);
        node g = base; // unknown algorithm: parses (it is refused at verification)
        for (node* alg : {&tbs(g).children[f_sig], &g.children[1]}) {
            alg->children[0].contents = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x01};
        }
        CHECK(cause_of(g) == errc::ok);
    }
    SECTION("signature value") {
        node c = base;
        c.children[2].contents[0] = 1; // unused bits
        CHECK(cause_of(c) == errc::bad_encoding);
        c.children[2].contents[0] = 0;
        c.children.push_back(prim(der::tag::null, {}));
        CHECK(cause_of(c) == errc::trailing_data);
    }
    SECTION("names and validity") {
        node c = base;
        tbs(c).children[f_issuer].children.clear();
        CHECK(cause_of(c) == errc::bad_encoding); // empty issuer
        node d = base;
        tbs(d).children[f_subject].children.clear();
        CHECK(cause_of(d) == errc::ok); // empty subject is allowed (SAN carries the identity)
        const char* bad_times[] = {"250101000000", "2501010000Z", "250101000000.1Z",
                                   "251301000000Z", "250101000000+0100"};
        for (const char* t : bad_times) {
            node e = base;
            std::string s = t;
            tbs(e).children[f_validity].children[0].contents.assign(s.begin(), s.end());
            CHECK(cause_of(e) == errc::bad_time);
        }
        node f = base;
        tbs(f).children[f_validity].children[1] =
            prim(der::tag::generalized_time,
                 {'2', '0', '2', '6', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', 'Z'});
        CHECK(cause_of(f) == errc::ok);
        tbs(f).children[f_validity].children[1].tag = der::tag::ia5_string;
        CHECK(cause_of(f) == errc::bad_time);
        node g = base;
        tbs(g).children[f_validity].children.pop_back();
        CHECK(cause_of(g) == errc::truncated);
    }
    SECTION("public keys") {
        node c = base;
        auto& spki = tbs(c).children[f_spki];
        // EC key with a P-256 point of the wrong size.
        spki.children[0].children = {prim(der::tag::oid, bytes(oid::ec_public_key)),
                                     prim(der::tag::oid, bytes(oid::secp256r1))};
        byte_vector point(1 + 64, 0x04);
        spki.children[1].contents = {0x00};
        spki.children[1].contents.insert(spki.children[1].contents.end(), point.begin(),
                                         point.end());
        CHECK(cause_of(c) == errc::ok);
        spki.children[1].contents.pop_back();
        CHECK(cause_of(c) == errc::bad_public_key);
        spki.children[1].contents.push_back(0);
        spki.children[1].contents[1] = 0x02; // compressed prefix on an uncompressed-size point
        CHECK(cause_of(c) == errc::bad_public_key);
        // Explicit curve parameters instead of a named curve.
        spki.children[0].children[1] = cons(der::tag::sequence, {prim(der::tag::integer, {1})});
        CHECK(cause_of(c) == errc::unexpected_tag);
        // An unsupported curve parses as `unsupported`.
        spki.children[0].children[1] = prim(der::tag::oid, bytes(oid::secp521r1));
        errc cause{};
        auto parsed = parse_certificate(encode(c), &cause);
        REQUIRE(parsed.ok());
        CHECK(parsed->spki.algorithm == key_algorithm::unsupported);
        // RSA key whose BIT STRING is not an RSAPublicKey.
        node d = base;
        tbs(d).children[f_spki].children[1].contents = {0x00, 0x30, 0x03, 0x02, 0x01, 0x00};
        CHECK(cause_of(d) == errc::truncated);
        tbs(d).children[f_spki].children[1].contents = {0x00, 0x30, 0x06, 0x02, 0x01,
                                                        0x00, 0x02, 0x01, 0x03};
        CHECK(cause_of(d) == errc::bad_public_key); // zero modulus
        tbs(d).children[f_spki].children[1].contents = {0x00, 0x30, 0x06, 0x02, 0x01,
                                                        0x81, 0x02, 0x01, 0x03};
        CHECK(cause_of(d) == errc::out_of_range); // negative modulus
    }
    SECTION("Ed25519 keys and signature algorithm (RFC 8410)") {
        const node ed = parse_tree(x509test::der("good_ed25519"));
        REQUIRE(cause_of(ed) == errc::ok);
        // §3: the parameters MUST be absent, in subjectPublicKeyInfo and in the signature
        // algorithm (parsed from the outer copy, which the TBS copy must equal byte for byte).
        node c = ed;
        tbs(c).children[f_spki].children[0].children.push_back(prim(der::tag::null, {}));
        CHECK(cause_of(c) == errc::trailing_data);
        struct params_case {
            bool in_tbs, outer;
            errc expected;
        };
        for (const params_case p : {params_case{true, true, errc::trailing_data},
                                    params_case{false, true, errc::trailing_data},
                                    params_case{true, false, errc::bad_encoding}}) {
            node d = ed;
            if (p.in_tbs) {
                tbs(d).children[f_sig].children.push_back(prim(der::tag::null, {}));
            }
            if (p.outer) {
                d.children[1].children.push_back(prim(der::tag::null, {}));
            }
            CHECK(cause_of(d) == p.expected);
        }
        // §4: the key is the 32-byte RFC 8032 encoding, in a BIT STRING without unused bits.
        auto key_bits = [&](byte_vector key, std::uint8_t unused = 0) {
            node k = ed;
            key.insert(key.begin(), unused);
            tbs(k).children[f_spki].children[1].contents = key;
            return cause_of(k);
        };
        const byte_vector& bits = ed.children[0].children[f_spki].children[1].contents;
        const byte_vector good_key(bits.begin() + 1, bits.end());
        REQUIRE(good_key.size() == 32);
        CHECK(key_bits(good_key) == errc::ok);
        CHECK(key_bits(good_key, 1) == errc::bad_encoding);
        CHECK(key_bits(byte_vector(good_key.begin(), good_key.end() - 1)) == errc::bad_public_key);
        byte_vector longer = good_key;
        longer.push_back(0);
        CHECK(key_bits(longer) == errc::bad_public_key);
        // RFC 8032 §5.1.3 decoding: y = p (not canonical), x = 0 with the sign bit set, and a y
        // for which no x exists are all bad_public_key.
        byte_vector y_is_p(32, 0xff);
        y_is_p[0] = 0xed;
        y_is_p[31] = 0x7f;
        CHECK(key_bits(y_is_p) == errc::bad_public_key);
        byte_vector negative_zero(32, 0);
        negative_zero[0] = 1; // y = 1: x = 0
        negative_zero[31] = 0x80;
        CHECK(key_bits(negative_zero) == errc::bad_public_key);
        byte_vector off_curve(32, 0);
        for (off_curve[0] = 2; off_curve[0] < 100; ++off_curve[0]) {
            if (crypto::ed25519_public_key::parse(off_curve).error() == errc::point_not_on_curve) {
                break;
            }
        }
        REQUIRE(off_curve[0] < 100);
        CHECK(key_bits(off_curve) == errc::bad_public_key);
    }
    SECTION("extensions") {
        node c = base;
        extensions(c).clear();
        CHECK(cause_of(c) == errc::bad_encoding); // SIZE (1..MAX)
        node dup = base;
        extensions(dup).push_back(extensions(dup).back());
        CHECK(cause_of(dup) == errc::bad_encoding); // §4.2: no duplicates
        node unknown = base;
        const byte_vector private_oid = {0x2b, 0x06, 0x01, 0x04, 0x01,
                                         0x83, 0xb2, 0x23, 0x01, 0x02};
        extensions(unknown).push_back(make_extension(private_oid, {0x05, 0x00}));
        errc cause{};
        auto parsed = parse_certificate(encode(unknown), &cause);
        REQUIRE(parsed.ok());
        CHECK_FALSE(parsed->unknown_critical_extension);
        extensions(unknown).back() = make_extension(private_oid, {0x05, 0x00}, true);
        auto parsed_critical = parse_certificate(encode(unknown), &cause);
        REQUIRE(parsed_critical.ok());
        CHECK(parsed_critical->unknown_critical_extension);
        // A critical policy-constraints extension counts as unknown; critical policies do not.
        extensions(unknown).back() =
            make_extension(bytes(oid::policy_constraints), {0x30, 0x03, 0x80, 0x01, 0x00}, true);
        CHECK(parse_certificate(encode(unknown))->unknown_critical_extension);
        extensions(unknown).back() =
            make_extension(bytes(oid::certificate_policies),
                      {0x30, 0x06, 0x30, 0x04, 0x06, 0x02, 0x2a, 0x03}, true);
        CHECK_FALSE(parse_certificate(encode(unknown))->unknown_critical_extension);
        // Explicit critical FALSE: not DER, but accepted as everyone does.
        node explicit_false = base;
        auto& e0 = extensions(explicit_false)[0];
        e0.children[1].contents = {0x00};
        CHECK(cause_of(explicit_false) == errc::ok);
        // Extension value with trailing bytes.
        node trailing = base;
        set_extension(trailing, make_extension(bytes(oid::basic_constraints), {0x30, 0x00, 0x00}));
        CHECK(cause_of(trailing) == errc::trailing_data);
        // Extensions followed by another field.
        node after = base;
        tbs(after).children.push_back(prim(der::tag::null, {}));
        CHECK(cause_of(after) == errc::trailing_data);
    }
    SECTION("basicConstraints, keyUsage, extKeyUsage") {
        auto with = [&](const byte_vector& oid, const byte_vector& value) {
            node c = base;
            set_extension(c, make_extension(oid, value, true));
            return cause_of(c);
        };
        const byte_vector bc = bytes(oid::basic_constraints);
        CHECK(with(bc, {0x30, 0x03, 0x01, 0x01, 0xff}) == errc::ok);
        CHECK(with(bc, {0x30, 0x06, 0x01, 0x01, 0xff, 0x02, 0x01, 0x05}) == errc::ok);
        CHECK(with(bc, {0x30, 0x03, 0x02, 0x01, 0x05}) == errc::bad_encoding); // pathLen without cA
        CHECK(with(bc, {0x30, 0x06, 0x01, 0x01, 0xff, 0x02, 0x01, 0xff}) == errc::out_of_range);
        CHECK(with(bc, {0x30, 0x03, 0x01, 0x01, 0x01}) == errc::bad_encoding); // BOOLEAN not 00/ff
        const byte_vector ku = bytes(oid::key_usage);
        CHECK(with(ku, {0x03, 0x02, 0x05, 0xa0}) == errc::ok);
        CHECK(with(ku, {0x03, 0x01, 0x00}) == errc::bad_encoding);       // no bit set
        CHECK(with(ku, {0x03, 0x02, 0x07, 0x00}) == errc::bad_encoding); // no bit set
        CHECK(with(ku, {0x03, 0x02, 0x06, 0xa0}) == errc::bad_encoding); // unused bit set
        const byte_vector eku = bytes(oid::ext_key_usage);
        CHECK(with(eku, {0x30, 0x00}) == errc::bad_encoding);
        CHECK(with(eku, {0x30, 0x02, 0x05, 0x00}) == errc::unexpected_tag);
    }
    SECTION("subjectAltName") {
        const byte_vector san = bytes(oid::subject_alt_name);
        auto with = [&](const byte_vector& value) {
            node c = base;
            set_extension(c, make_extension(san, value));
            return cause_of(c);
        };
        CHECK(with({0x30, 0x03, 0x82, 0x01, 'a'}) == errc::ok);
        CHECK(with({0x30, 0x00}) == errc::bad_encoding);                            // empty
        CHECK(with({0x30, 0x02, 0x82, 0x00}) == errc::bad_encoding);                // empty dNSName
        CHECK(with({0x30, 0x03, 0x82, 0x01, 0xe9}) == errc::bad_encoding);          // not IA5
        CHECK(with({0x30, 0x07, 0x87, 0x05, 1, 2, 3, 4, 5}) == errc::bad_encoding); // 5-byte IP
        CHECK(with({0x30, 0x06, 0x87, 0x04, 1, 2, 3, 4}) == errc::ok);
        CHECK(with({0x30, 0x03, 0x89, 0x01, 0x00}) == errc::unexpected_tag); // no form [9]
        CHECK(with({0x30, 0x05, 0x81, 0x03, 'a', '@', 'b'}) == errc::ok);    // rfc822Name
        CHECK(with({0x30, 0x04, 0xa4, 0x02, 0x30, 0x00}) == errc::ok);       // directoryName
        CHECK(with({0x30, 0x04, 0xa4, 0x02, 0x31, 0x00}) == errc::unexpected_tag);
        // The SAN limit.
        byte_vector many;
        for (std::size_t i = 0; i <= max_general_names; ++i) {
            many.insert(many.end(), {0x82, 0x01, 'a'});
        }
        CHECK(with(tlv(0x30, many)) == errc::too_large);
    }
    SECTION("nameConstraints") {
        const byte_vector ncoid = bytes(oid::name_constraints);
        auto with = [&](const byte_vector& value) {
            node c = base;
            set_extension(c, make_extension(ncoid, value, true));
            return cause_of(c);
        };
        // permitted [0] { GeneralSubtree { dNSName "a" } }
        CHECK(with({0x30, 0x07, 0xa0, 0x05, 0x30, 0x03, 0x82, 0x01, 'a'}) == errc::ok);
        CHECK(with({0x30, 0x00}) == errc::bad_encoding);             // empty
        CHECK(with({0x30, 0x02, 0xa0, 0x00}) == errc::bad_encoding); // empty subtrees
        // minimum [0] present (DER would omit a zero), maximum [1] present.
        CHECK(with({0x30, 0x0a, 0xa0, 0x08, 0x30, 0x06, 0x82, 0x01, 'a', 0x80, 0x01, 0x00}) ==
              errc::trailing_data);
        CHECK(with({0x30, 0x0a, 0xa0, 0x08, 0x30, 0x06, 0x82, 0x01, 'a', 0x81, 0x01, 0x01}) ==
              errc::trailing_data);
        // IP constraint: 8 bytes with a CIDR mask; 4 bytes or a split mask are malformed.
        CHECK(with({0x30, 0x0e, 0xa1, 0x0c, 0x30, 0x0a, 0x87, 0x08, 10, 0, 0, 0, 255, 0, 0, 0}) ==
              errc::ok);
        CHECK(with({0x30, 0x0a, 0xa1, 0x08, 0x30, 0x06, 0x87, 0x04, 10, 0, 0, 0}) ==
              errc::bad_encoding);
        CHECK(with({0x30, 0x0e, 0xa1, 0x0c, 0x30, 0x0a, 0x87, 0x08, 10, 0, 0, 0, 255, 0, 255, 0}) ==
              errc::bad_encoding);
    }
    SECTION("authority key identifier") {
        const byte_vector aki = bytes(oid::authority_key_identifier);
        auto with = [&](const byte_vector& value) {
            node c = base;
            set_extension(c, make_extension(aki, value));
            return cause_of(c);
        };
        CHECK(with({0x30, 0x03, 0x80, 0x01, 0x07}) == errc::ok);
        CHECK(with({0x30, 0x00}) == errc::ok);
        CHECK(with({0x30, 0x03, 0x82, 0x01, 0x07}) == errc::bad_encoding); // serial without issuer
        CHECK(with({0x30, 0x03, 0x04, 0x01, 0x07}) == errc::trailing_data);
    }
    SECTION("RSASSA-PSS parameters") {
        // sha256 hash, MGF1(sha1): refused (mixed digests).
        const node sha256 = cons(der::tag::sequence, {prim(der::tag::oid, bytes(oid::sha256)),
                                                      prim(der::tag::null, {})});
        const node sha1 = cons(der::tag::sequence,
                               {prim(der::tag::oid, bytes(oid::sha1)), prim(der::tag::null, {})});
        auto pss = [&](const node& hash, const node& mgf_hash, std::uint8_t salt) {
            node c = base;
            const node params =
                cons(der::tag::sequence,
                     {cons(0xa0, {hash}),
                      cons(0xa1, {cons(der::tag::sequence,
                                       {prim(der::tag::oid, bytes(oid::mgf1)), mgf_hash})}),
                      cons(0xa2, {prim(der::tag::integer, {salt})})});
            const node alg =
                cons(der::tag::sequence, {prim(der::tag::oid, bytes(oid::rsassa_pss)), params});
            tbs(c).children[f_sig] = alg;
            c.children[1] = alg;
            return c;
        };
        CHECK(cause_of(pss(sha256, sha256, 32)) == errc::ok);
        CHECK(cause_of(pss(sha256, sha1, 32)) == errc::unsupported_algorithm);
        auto weak = parse_certificate(encode(pss(sha1, sha1, 20)));
        REQUIRE(weak.ok());
        CHECK(weak->sig_alg.hash == hash_algorithm::sha1); // refused later as cert_weak_signature
        node no_params = base;
        for (node* alg : {&tbs(no_params).children[f_sig], &no_params.children[1]}) {
            *alg = cons(der::tag::sequence, {prim(der::tag::oid, bytes(oid::rsassa_pss))});
        }
        CHECK(cause_of(no_params) == errc::truncated);
    }
}

TEST_CASE("x509 certificate: hostile input is rejected cleanly", "[x509][certificate]") {
    const byte_vector leaf = x509test::der("good_ecdsa");

    // Every truncation.
    std::size_t ran = 0;
    for (std::size_t n = 0; n < leaf.size(); ++n) {
        byte_vector cut(leaf.begin(), leaf.begin() + static_cast<std::ptrdiff_t>(n));
        CHECK(parse_certificate(cut).error() == errc::cert_malformed);
        ++ran;
    }
    CHECK(ran == leaf.size());

    // Trailing garbage.
    byte_vector trailing = leaf;
    trailing.push_back(0x00);
    CHECK(cause_of(trailing) == errc::trailing_data);
    trailing.insert(trailing.end(), leaf.begin(), leaf.end());
    CHECK(cause_of(trailing) == errc::trailing_data);

    // Oversized: beyond 64 KiB, before even looking at it; and a well-formed certificate that
    // grows past the limit through a huge extension.
    byte_vector big(max_certificate_size + 1, 0x30);
    CHECK(cause_of(big) == errc::too_large);
    node huge = parse_tree(leaf);
    extensions(huge).push_back(
        make_extension({0x2b, 0x06, 0x01, 0x04, 0x01, 0x01}, byte_vector(max_certificate_size, 0x00)));
    CHECK(cause_of(encode(huge)) == errc::too_large);

    // Deep nesting: 10 000 SEQUENCEs.
    byte_vector nested = {0x05, 0x00};
    for (int i = 0; i < 10000 && nested.size() < max_certificate_size - 8; ++i) {
        nested = tlv(0x30, nested);
    }
    CHECK(cause_of(nested) != errc::ok);
    // Deep nesting of the GeneralName forms we descend into is bounded by the structure itself;
    // opaque values (unknown extensions, otherName) are never descended into.
    node opaque = parse_tree(leaf);
    byte_vector deep = {0x05, 0x00};
    for (int i = 0; i < 2000; ++i) {
        deep = tlv(0x30, deep);
    }
    extensions(opaque).push_back(make_extension({0x2b, 0x06, 0x01, 0x04, 0x01, 0x02}, deep));
    CHECK(cause_of(encode(opaque)) == errc::ok);

    // Negative, huge and indefinite lengths in the outer header.
    auto with_header = [&](std::initializer_list<std::uint8_t> header) {
        byte_vector v(header);
        v.insert(v.end(), leaf.begin() + 2 + (leaf[1] & 0x7f), leaf.end());
        return v;
    };
    CHECK(cause_of(with_header({0x30, 0x84, 0xff, 0xff, 0xff, 0xff})) == errc::truncated);
    CHECK(cause_of(with_header({0x30, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})) ==
          errc::length_overflow);
    CHECK(cause_of(with_header({0x30, 0x80})) == errc::indefinite_length);
    CHECK(cause_of(with_header({0x30, 0x82, 0x00, 0x05})) == errc::non_minimal_encoding);
    CHECK(cause_of(with_header({0x30, 0xff})) == errc::length_overflow);
    CHECK(cause_of(with_header({0x3f, 0x01})) == errc::unexpected_tag); // not a SEQUENCE

    // Random single-byte corruption: every outcome is a clean parse or cert_malformed (the
    // sanitizer build checks that nothing reads out of bounds).
    std::mt19937 rng(1234);
    std::size_t accepted = 0;
    for (int i = 0; i < 3000; ++i) {
        byte_vector m = leaf;
        m[rng() % m.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
        auto c = parse_certificate(m);
        if (c) {
            ++accepted; // e.g. a flipped bit inside the key or signature bytes
        } else {
            CHECK(c.error() == errc::cert_malformed);
        }
    }
    CHECK(accepted > 0);
    CHECK(accepted < 3000);
}
