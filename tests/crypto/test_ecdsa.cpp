// ECDSA verification on P-256 and P-384: Wycheproof, NIST CAVP SigVer, OpenSSL-made signatures
// (and tampered ones), and malformed DER signatures.
#include <https/crypto/ecdsa.hpp>

#include "ec_support.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <variant>

using namespace https;
using namespace https::crypto;
using ectest::bytes;

namespace {

hash_id hash_id_by_name(const std::string& name) {
    if (name == "SHA-1") {
        return hash_id::sha1;
    }
    if (name == "SHA-224") {
        return hash_id::sha224;
    }
    if (name == "SHA-256") {
        return hash_id::sha256;
    }
    if (name == "SHA-384") {
        return hash_id::sha384;
    }
    if (name == "SHA-512") {
        return hash_id::sha512;
    }
    throw std::runtime_error("unknown hash " + name);
}

struct tally {
    int valid = 0;
    int invalid = 0;
    int total() const { return valid + invalid; }
};

template <class Curve> tally run_wycheproof_ecdsa(const std::string& file) {
    const auto j = test::read_wycheproof(file);
    tally t;
    for (const auto& group : j.at("testGroups")) {
        const std::string sha = group.at("sha");
        const bytes point = test::hex(group.at("publicKey").at("uncompressed"));
        auto key = ec_public_key<Curve>::parse(point);
        REQUIRE(key.ok());
        // The DER form of the same key imports to the same point.
        auto from_spki = parse_ec_public_key_info(test::hex(group.at("publicKeyDer")));
        REQUIRE(from_spki.ok());
        REQUIRE(std::holds_alternative<ec_public_key<Curve>>(*from_spki));
        CHECK(to_hex(std::get<ec_public_key<Curve>>(*from_spki).encoded()) == to_hex(point));
        for (const auto& c : group.at("tests")) {
            INFO(file << " tcId " << c.at("tcId").get<int>() << ": " << c.at("comment"));
            const bytes msg = test::hex(c.at("msg"));
            const bytes sig = test::hex(c.at("sig"));
            const bytes digest = ectest::openssl_digest(ectest::md_by_name(sha), msg);
            const status st = ecdsa_verify_digest(*key, hash_id_by_name(sha), digest, sig);
            // the message-level API hashes with our SHA-2: same verdict
            CHECK(ecdsa_verify(*key, hash_id_by_name(sha), msg, sig).error() == st.error());
            const std::string verdict = c.at("result");
            // These two files have no "acceptable" cases (BER signatures are "invalid").
            REQUIRE(verdict != "acceptable");
            if (verdict == "valid") {
                CHECK(st.ok());
                ++t.valid;
            } else {
                CHECK(st.error() == errc::bad_signature);
                ++t.invalid;
            }
        }
    }
    CHECK(static_cast<std::size_t>(t.total()) == test::wycheproof_declared_tests(j));
    return t;
}

} // namespace

TEST_CASE("ecdsa p256 sha256 wycheproof", "[crypto][ecdsa][p256][wycheproof]") {
    const auto t = run_wycheproof_ecdsa<p256>("ecdsa_secp256r1_sha256_test.json");
    CHECK(t.total() == 484);
    CHECK(t.valid == 174);
    CHECK(t.invalid == 310);
}

TEST_CASE("ecdsa p384 sha384 wycheproof", "[crypto][ecdsa][p384][wycheproof]") {
    const auto t = run_wycheproof_ecdsa<p384>("ecdsa_secp384r1_sha384_test.json");
    CHECK(t.total() == 504);
    CHECK(t.valid == 194);
    CHECK(t.invalid == 310);
}

namespace {
/// Every [P-xxx,SHA-yyy] section of SigVer.rsp for one curve: 15 cases per hash. Digests longer
/// than the order (SHA-384/512 on P-256, SHA-512 on P-384) exercise the FIPS 186-4 truncation.
template <class Curve> std::map<std::string, int> run_sigver(const std::string& curve) {
    std::map<std::string, int> ran;
    int passes = 0;
    for (const auto& rec : test::read_rsp("nist/ecdsa/SigVer.rsp")) {
        std::string section;
        for (const auto& [k, v] : rec.section) {
            section = k;
        }
        if (section.rfind(curve + ",", 0) != 0) {
            continue;
        }
        const std::string sha = section.substr(curve.size() + 1);
        INFO(section << " Msg " << rec.at("Msg").substr(0, 16));
        bytes point{0x04};
        for (const char* k : {"Qx", "Qy"}) {
            const bytes c = ectest::fixed_width(rec.at(k), Curve::field_size);
            point.insert(point.end(), c.begin(), c.end());
        }
        auto key = ec_public_key<Curve>::parse(point);
        REQUIRE(key.ok());
        const bytes digest = ectest::openssl_digest(ectest::md_by_name(sha), rec.bytes_of("Msg"));
        const bytes sig = ectest::der_signature(test::hex(rec.at("R")), test::hex(rec.at("S")));
        const status st = ecdsa_verify_digest(*key, hash_id_by_name(sha), digest, sig);
        CHECK(ecdsa_verify(*key, hash_id_by_name(sha), rec.bytes_of("Msg"), sig).error() ==
              st.error());
        const bool expect_pass = rec.at("Result").rfind("P", 0) == 0;
        if (expect_pass) {
            CHECK(st.ok());
            ++passes;
        } else {
            CHECK(st.error() == errc::bad_signature);
        }
        ++ran[sha];
    }
    ran["pass"] = passes;
    return ran;
}
} // namespace

TEST_CASE("ecdsa NIST CAVP SigVer", "[crypto][ecdsa][nist]") {
    auto p256_ran = run_sigver<p256>("P-256");
    auto p384_ran = run_sigver<p384>("P-384");
    for (const char* sha : {"SHA-1", "SHA-224", "SHA-256", "SHA-384", "SHA-512"}) {
        CHECK(p256_ran[sha] == 15);
        CHECK(p384_ran[sha] == 15);
    }
    CHECK(p256_ran.size() == 6);
    CHECK(p384_ran.size() == 6);
    // the file's own split: per section 3 "P" and 12 "F" (message, R, S or Q changed, 3 each)
    CHECK(p256_ran["pass"] == 15);
    CHECK(p384_ran["pass"] == 15);
}

namespace {
template <class Curve> void openssl_signatures(const EVP_MD* md, hash_id h, int rounds) {
    auto theirs = ectest::openssl_keygen(ectest::openssl_name<Curve>());
    auto key = ec_public_key<Curve>::parse(ectest::openssl_public_point(theirs.get()));
    REQUIRE(key.ok());
    for (int i = 0; i < rounds; ++i) {
        const bytes msg = ectest::random_bytes(static_cast<std::size_t>(i * 7));
        const bytes sig = ectest::openssl_sign(theirs.get(), md, msg);
        const bytes digest = ectest::openssl_digest(md, msg);
        REQUIRE(ecdsa_verify_digest(*key, h, digest, sig).ok());
        CHECK(ecdsa_verify(*key, h, msg, sig).ok()); // hashed with our SHA-1/SHA-2
        // A flipped bit in the message (through its digest) or in the signature fails.
        bytes other_msg = msg;
        other_msg.push_back(0);
        other_msg[static_cast<std::size_t>(i) % other_msg.size()] ^= 0x01;
        CHECK(ecdsa_verify_digest(*key, h, ectest::openssl_digest(md, other_msg), sig).error() ==
              errc::bad_signature);
        CHECK(ecdsa_verify(*key, h, other_msg, sig).error() == errc::bad_signature);
        for (std::size_t bit : {std::size_t{0}, sig.size() * 8 / 3, sig.size() * 8 - 1,
                                static_cast<std::size_t>(i * 37) % (sig.size() * 8)}) {
            bytes bad = sig;
            bad[bit / 8] ^= static_cast<std::uint8_t>(0x80 >> (bit % 8));
            CHECK(ecdsa_verify_digest(*key, h, digest, bad).error() == errc::bad_signature);
        }
        bytes bad_digest = digest;
        bad_digest[static_cast<std::size_t>(i) % digest.size()] ^= 0x40;
        CHECK(ecdsa_verify_digest(*key, h, bad_digest, sig).error() == errc::bad_signature);
    }
}
} // namespace

TEST_CASE("ecdsa p256 verifies OpenSSL signatures", "[crypto][ecdsa][p256][openssl]") {
    openssl_signatures<p256>(EVP_sha256(), hash_id::sha256, 40);
    openssl_signatures<p256>(EVP_sha384(), hash_id::sha384, 8);
    openssl_signatures<p256>(EVP_sha512(), hash_id::sha512, 8);
    openssl_signatures<p256>(EVP_sha224(), hash_id::sha224, 4);
    openssl_signatures<p256>(EVP_sha1(), hash_id::sha1, 4);
}

TEST_CASE("ecdsa p384 verifies OpenSSL signatures", "[crypto][ecdsa][p384][openssl]") {
    openssl_signatures<p384>(EVP_sha384(), hash_id::sha384, 40);
    openssl_signatures<p384>(EVP_sha256(), hash_id::sha256, 8);
    openssl_signatures<p384>(EVP_sha512(), hash_id::sha512, 8);
}

namespace {
bytes concat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const auto& p : parts) {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}
bytes tlv(std::uint8_t tag, const bytes& body) {
    bytes out{tag};
    if (body.size() >= 0x80) {
        out.push_back(0x81);
    }
    out.push_back(static_cast<std::uint8_t>(body.size()));
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

template <class Curve> void malformed_signatures() {
    const std::size_t fs = Curve::field_size;
    auto theirs = ectest::openssl_keygen(ectest::openssl_name<Curve>());
    auto key = ec_public_key<Curve>::parse(ectest::openssl_public_point(theirs.get()));
    REQUIRE(key.ok());
    const EVP_MD* md = fs == 32 ? EVP_sha256() : EVP_sha384();
    const hash_id h = fs == 32 ? hash_id::sha256 : hash_id::sha384;
    const bytes msg = {'h', 'i'};
    const bytes digest = ectest::openssl_digest(md, msg);

    // Find a signature whose r has its top bit set (so it carries a 0x00 sign byte) to build the
    // sign-related cases; about half of all signatures do.
    bytes sig;
    bytes r, s;
    for (int i = 0; i < 64; ++i) {
        sig = ectest::openssl_sign(theirs.get(), md, msg);
        der::parser p(sig);
        auto seq = p.read_sequence();
        REQUIRE(seq.ok());
        auto ri = seq->read_integer();
        auto si = seq->read_integer();
        REQUIRE(ri.ok());
        REQUIRE(si.ok());
        r = bytes(ri->begin(), ri->end());
        s = bytes(si->begin(), si->end());
        if (r.size() == fs + 1 && r[0] == 0) {
            break;
        }
    }
    REQUIRE(r.size() == fs + 1);
    REQUIRE(ecdsa_verify_digest(*key, h, digest, sig).ok());
    REQUIRE(ecdsa_verify_digest(*key, h, digest, tlv(0x30, concat({tlv(2, r), tlv(2, s)}))).ok());

    auto bad = [&](const bytes& candidate) {
        return ecdsa_verify_digest(*key, h, digest, candidate).error() == errc::bad_signature;
    };
    const bytes r_mag(r.begin() + 1, r.end());
    bytes n(fs);
    Curve::group::fn::store_be(Curve::group::fn::m,
                               std::span<std::uint8_t, Curve::field_size>(n.data(), fs));
    auto as_int = [](const bytes& mag) { return ectest::der_integer(mag); };

    CHECK(bad({}));
    CHECK(bad({0x30, 0x00}));
    CHECK(bad(concat({sig, {0x00}})));                                       // trailing byte
    CHECK(bad(tlv(0x30, concat({tlv(2, r), tlv(2, s), {0x00}}))));           // trailing inside
    CHECK(bad(tlv(0x30, concat({tlv(2, r), tlv(2, s), tlv(2, {0x01})}))));   // third INTEGER
    CHECK(bad(tlv(0x30, tlv(2, r))));                                        // s missing
    CHECK(bad(tlv(0x31, concat({tlv(2, r), tlv(2, s)}))));                   // SET, not SEQUENCE
    CHECK(bad(tlv(0x30, concat({tlv(2, concat({{0x00}, r})), tlv(2, s)})))); // non-minimal r
    CHECK(bad(tlv(0x30, concat({tlv(2, r), tlv(2, concat({{0x00}, s}))})))); // non-minimal s
    CHECK(bad(tlv(0x30, concat({tlv(2, r_mag), tlv(2, s)}))));  // r negative (sign byte dropped)
    CHECK(bad(tlv(0x30, concat({tlv(2, {0x00}), tlv(2, s)})))); // r = 0
    CHECK(bad(tlv(0x30, concat({tlv(2, r), tlv(2, {0x00})})))); // s = 0
    CHECK(bad(tlv(0x30, concat({tlv(2, {0xff}), tlv(2, s)})))); // r = -1
    CHECK(bad(tlv(0x30, concat({as_int(n), tlv(2, s)}))));      // r = n
    CHECK(bad(tlv(0x30, concat({tlv(2, r), as_int(n)}))));      // s = n
    bytes n_plus_r = n;                                         // r + n (may exceed the field size)
    {
        unsigned carry = 0;
        for (std::size_t i = fs; i-- > 0;) {
            const unsigned v = n_plus_r[i] + r_mag[i] + carry;
            n_plus_r[i] = static_cast<std::uint8_t>(v);
            carry = v >> 8;
        }
        if (carry != 0) {
            n_plus_r.insert(n_plus_r.begin(), 1);
        }
    }
    CHECK(bad(tlv(0x30, concat({as_int(n_plus_r), tlv(2, s)}))));            // r + n: not reduced
    CHECK(bad(tlv(0x30, concat({as_int(bytes(fs + 1, 0xff)), tlv(2, s)})))); // r >= 2^bits
    CHECK(bad(tlv(0x30, concat({tlv(2, s), tlv(2, r)}))));                   // r and s swapped
    CHECK(bad(tlv(0x30, concat({tlv(0x04, r), tlv(2, s)}))));                // OCTET STRING r
    // BER: long-form length where the short form fits
    bytes body = concat({tlv(2, r), tlv(2, s)});
    if (body.size() < 0x80) {
        CHECK(bad(concat({{0x30, 0x81, static_cast<std::uint8_t>(body.size())}, body})));
    }
    CHECK(bad(concat({{0x30, 0x80}, body, {0x00, 0x00}}))); // indefinite length
    CHECK(bad(bytes(sig.begin(), sig.end() - 1)));          // truncated
}
} // namespace

TEST_CASE("ecdsa rejects malformed DER signatures", "[crypto][ecdsa]") {
    malformed_signatures<p256>();
    malformed_signatures<p384>();
}

TEST_CASE("ecdsa message-level wrappers with our SHA-2", "[crypto][ecdsa]") {
    auto theirs = ectest::openssl_keygen("P-256");
    auto key = ec_public_key<p256>::parse(ectest::openssl_public_point(theirs.get()));
    REQUIRE(key.ok());
    const bytes msg = {'a', 'b', 'c'};
    const bytes sig = ectest::openssl_sign(theirs.get(), EVP_sha256(), msg);
    CHECK(ecdsa_verify<sha256>(*key, msg, sig).ok());
    CHECK(ecdsa_verify(*key, hash_id::sha256, msg, sig).ok());
    CHECK(ecdsa_verify<sha384>(*key, msg, sig).error() == errc::bad_signature);
    CHECK(ecdsa_verify(*key, hash_id::sha512, msg, sig).error() == errc::bad_signature);
    CHECK(ecdsa_verify(*key, static_cast<hash_id>(99), msg, sig).error() ==
          errc::unsupported_algorithm);
}

TEST_CASE("ecdsa accepts both (r, s) and (r, n - s)", "[crypto][ecdsa]") {
    // ECDSA has no low-s rule (unlike some blockchains): both signatures are valid.
    auto theirs = ectest::openssl_keygen("P-256");
    auto key = ec_public_key<p256>::parse(ectest::openssl_public_point(theirs.get()));
    REQUIRE(key.ok());
    const bytes msg = {'x'};
    const bytes sig = ectest::openssl_sign(theirs.get(), EVP_sha256(), msg);
    const bytes digest = ectest::openssl_digest(EVP_sha256(), msg);
    der::parser p(sig);
    auto seq = p.read_sequence();
    const auto r = seq->read_unsigned_integer();
    const auto s = seq->read_unsigned_integer();
    using fn = p256::group::fn;
    std::array<std::uint8_t, 32> sb{};
    std::copy(s->begin(), s->end(), sb.end() - static_cast<std::ptrdiff_t>(s->size()));
    const auto neg_s = fn::sub(fn::zero, fn::load_be(sb)); // n - s (plain values mod n)
    std::array<std::uint8_t, 32> nsb{};
    fn::store_be(neg_s, nsb);
    const bytes other =
        ectest::der_signature(bytes(r->begin(), r->end()), bytes(nsb.begin(), nsb.end()));
    CHECK(ecdsa_verify_digest(*key, hash_id::sha256, digest, sig).ok());
    CHECK(ecdsa_verify_digest(*key, hash_id::sha256, digest, other).ok());
}
