// ECDH on P-256 and P-384: Wycheproof (raw-point and SubjectPublicKeyInfo files), NIST CAVP
// KAS ECC CDH, OpenSSL differential, key generation and rejection of bad peer points.
#include <https/crypto/ecdh.hpp>

#include "ec_support.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <variant>

using namespace https;
using namespace https::crypto;
using ectest::bytes;

namespace {

template <class Curve> std::span<const std::uint8_t, Curve::field_size> fixed(const bytes& b) {
    REQUIRE(b.size() == Curve::field_size);
    return std::span<const std::uint8_t, Curve::field_size>(b.data(), Curve::field_size);
}

template <class Curve> ecdh_key_pair<Curve> key_from_hex(const std::string& hex) {
    const bytes d = ectest::fixed_width(hex, Curve::field_size);
    auto kp = ecdh_key_pair<Curve>::from_private(fixed<Curve>(d));
    REQUIRE(kp.ok());
    return std::move(kp).value();
}

struct wycheproof_tally {
    int valid = 0;      // valid cases that produced the expected secret
    int invalid = 0;    // invalid cases rejected
    int acceptable = 0; // acceptable cases (all rejected, see the callers)
    std::map<errc, int> errors;
    int total() const { return valid + invalid + acceptable; }
};

bool has_flag(const nlohmann::json& t, const char* flag) {
    for (const auto& f : t.at("flags")) {
        if (f.get<std::string>() == flag) {
            return true;
        }
    }
    return false;
}

/// Runs one Wycheproof ECDH file. `spki` says the public key is a SubjectPublicKeyInfo (else a
/// raw SEC 1 point, the TLS key_share form).
template <class Curve> wycheproof_tally run_wycheproof_ecdh(const std::string& file, bool spki) {
    const auto j = test::read_wycheproof(file);
    wycheproof_tally tally;
    for (const auto& group : j.at("testGroups")) {
        for (const auto& t : group.at("tests")) {
            INFO(file << " tcId " << t.at("tcId").get<int>() << ": " << t.at("comment"));
            const std::string verdict = t.at("result");
            const auto kp = key_from_hex<Curve>(t.at("private"));
            const bytes pub = test::hex(t.at("public"));
            std::array<std::uint8_t, Curve::field_size> secret{};
            errc outcome = errc::ok;
            if (spki) {
                auto key = parse_ec_public_key_info(pub);
                if (!key) {
                    outcome = key.error();
                } else if (!std::holds_alternative<ec_public_key<Curve>>(*key)) {
                    // A key on the other supported curve: the typed API cannot even combine
                    // them; count it as errc::unsupported_curve for this test's purposes.
                    outcome = errc::unsupported_curve;
                } else {
                    outcome =
                        kp.shared_secret(std::get<ec_public_key<Curve>>(*key), secret).error();
                }
            } else {
                outcome = kp.shared_secret(pub, secret).error();
            }
            if (verdict == "valid") {
                REQUIRE(outcome == errc::ok);
                CHECK(to_hex(secret) == t.at("shared").get<std::string>());
                ++tally.valid;
                continue;
            }
            ++tally.errors[outcome];
            if (verdict == "invalid") {
                REQUIRE(outcome != errc::ok);
                ++tally.invalid;
            } else {
                // Acceptable cases, all rejected by design:
                //  - CompressedPoint/CompressedPublic: TLS 1.3 (RFC 8446 §4.2.8.2) allows only
                //    uncompressed points, so compressed ones are refused (bad_public_key);
                //  - SPKI files only: InvalidAsn (BER forms our strict DER reader refuses) and
                //    UnnamedCurve/UnusedParam (explicit curve parameters, which RFC 5480 §2.1.1
                //    forbids: unsupported_curve).
                REQUIRE(verdict == "acceptable");
                REQUIRE(outcome != errc::ok);
                if (has_flag(t, "CompressedPoint")) {
                    CHECK(outcome == errc::bad_public_key);
                }
                ++tally.acceptable;
            }
        }
    }
    CHECK(static_cast<std::size_t>(tally.total()) == test::wycheproof_declared_tests(j));
    return tally;
}

} // namespace

TEST_CASE("ecdh p256 wycheproof raw points", "[crypto][ecdh][p256][wycheproof]") {
    auto t = run_wycheproof_ecdh<p256>("ecdh_secp256r1_ecpoint_test.json", false);
    CHECK(t.total() == 355);
    CHECK(t.valid == 330);
    CHECK(t.invalid == 24);
    CHECK(t.acceptable == 1);
    // InvalidCurveAttack: 9 points with coordinates < p off the curve, 7 with a coordinate >= p
    // (refused before the curve check); plus the empty encoding and 7 + 1 compressed points.
    CHECK(t.errors[errc::point_not_on_curve] == 9);
    CHECK(t.errors[errc::bad_public_key] == 16);
    CHECK(t.errors.size() == 2);
}

TEST_CASE("ecdh p384 wycheproof raw points", "[crypto][ecdh][p384][wycheproof]") {
    auto t = run_wycheproof_ecdh<p384>("ecdh_secp384r1_ecpoint_test.json", false);
    CHECK(t.total() == 790);
    CHECK(t.valid == 771);
    CHECK(t.invalid == 18);
    CHECK(t.acceptable == 1);
    // as for P-256: 9 off the curve, 7 coordinates >= p, the empty and 1 + 1 compressed points
    CHECK(t.errors[errc::point_not_on_curve] == 9);
    CHECK(t.errors[errc::bad_public_key] == 10);
    CHECK(t.errors.size() == 2);
}

TEST_CASE("ecdh p256 wycheproof SubjectPublicKeyInfo", "[crypto][ecdh][p256][wycheproof]") {
    auto t = run_wycheproof_ecdh<p256>("ecdh_secp256r1_test.json", true);
    CHECK(t.total() == 612);
    CHECK(t.valid == 330);
    CHECK(t.invalid == 52);
    CHECK(t.acceptable == 230);
}

TEST_CASE("ecdh p384 wycheproof SubjectPublicKeyInfo", "[crypto][ecdh][p384][wycheproof]") {
    auto t = run_wycheproof_ecdh<p384>("ecdh_secp384r1_test.json", true);
    CHECK(t.total() == 1047);
    CHECK(t.valid == 771);
    CHECK(t.invalid == 46);
    CHECK(t.acceptable == 230);
}

namespace {
template <class Curve> int run_kas(const std::string& section) {
    int ran = 0;
    for (const auto& rec : test::read_rsp("nist/ecdh/KAS_ECC_CDH_PrimitiveTest.txt")) {
        if (rec.section.count(section) == 0) {
            continue;
        }
        INFO(section << " COUNT " << rec.at("COUNT"));
        const auto kp = key_from_hex<Curve>(rec.at("dIUT"));
        const std::string expected_pub =
            "04" + to_hex(ectest::fixed_width(rec.at("QIUTx"), Curve::field_size)) +
            to_hex(ectest::fixed_width(rec.at("QIUTy"), Curve::field_size));
        CHECK(to_hex(kp.public_key()) == expected_pub);
        bytes peer{0x04};
        for (const char* k : {"QCAVSx", "QCAVSy"}) {
            const bytes c = ectest::fixed_width(rec.at(k), Curve::field_size);
            peer.insert(peer.end(), c.begin(), c.end());
        }
        std::array<std::uint8_t, Curve::field_size> z{};
        REQUIRE(kp.shared_secret(peer, z).ok());
        CHECK(to_hex(z) == to_hex(ectest::fixed_width(rec.at("ZIUT"), Curve::field_size)));
        ++ran;
    }
    return ran;
}
} // namespace

TEST_CASE("ecdh NIST CAVP KAS ECC CDH primitive", "[crypto][ecdh][nist]") {
    CHECK(run_kas<p256>("P-256") == 25);
    CHECK(run_kas<p384>("P-384") == 25);
}

namespace {
template <class Curve> void openssl_differential(int rounds) {
    const char* name = ectest::openssl_name<Curve>();
    for (int i = 0; i < rounds; ++i) {
        auto ours = ecdh_key_pair<Curve>::generate();
        REQUIRE(ours.ok());
        auto theirs = ectest::openssl_keygen(name);
        const bytes their_pub = ectest::openssl_public_point(theirs.get());
        REQUIRE(their_pub.size() == Curve::point_size);

        // ours(private) x theirs(public) == theirs(private) x ours(public)
        std::array<std::uint8_t, Curve::field_size> s1{};
        REQUIRE(ours->shared_secret(their_pub, s1).ok());
        const bytes our_pub(ours->public_key().begin(), ours->public_key().end());
        auto our_pub_in_openssl = ectest::openssl_public_from_point(name, our_pub);
        REQUIRE(our_pub_in_openssl != nullptr); // OpenSSL accepts our public key
        const bytes s2 = ectest::openssl_derive(theirs.get(), our_pub_in_openssl.get());
        CHECK(to_hex(s1) == to_hex(s2));

        // Our public key for OpenSSL's private scalar equals OpenSSL's public key, and our
        // secret from their scalar agrees with OpenSSL's secret from ours.
        const bytes d = ectest::openssl_private_scalar(theirs.get(), Curve::field_size);
        auto mirrored = ecdh_key_pair<Curve>::from_private(fixed<Curve>(d));
        REQUIRE(mirrored.ok());
        CHECK(to_hex(mirrored->public_key()) == to_hex(their_pub));
        std::array<std::uint8_t, Curve::field_size> s3{};
        REQUIRE(mirrored->shared_secret(our_pub, s3).ok());
        CHECK(to_hex(s3) == to_hex(s1));
    }
}
} // namespace

TEST_CASE("ecdh p256 agrees with OpenSSL", "[crypto][ecdh][p256][openssl]") {
    openssl_differential<p256>(32);
}

TEST_CASE("ecdh p384 agrees with OpenSSL", "[crypto][ecdh][p384][openssl]") {
    openssl_differential<p384>(32);
}

namespace {
template <class Curve> bytes order_bytes() {
    bytes out(Curve::field_size);
    Curve::group::fn::store_be(Curve::group::fn::m,
                               std::span<std::uint8_t, Curve::field_size>(out.data(), out.size()));
    return out;
}
template <class Curve> bytes prime_bytes() {
    bytes out(Curve::field_size);
    Curve::group::fp::store_be(Curve::group::fp::m,
                               std::span<std::uint8_t, Curve::field_size>(out.data(), out.size()));
    return out;
}
/// Big-endian a + k (small k), wrapping.
bytes plus(bytes a, int k) {
    int carry = k;
    for (std::size_t i = a.size(); i-- > 0 && carry != 0;) {
        const int v = a[i] + carry;
        a[i] = static_cast<std::uint8_t>(v & 0xff);
        carry = v >> 8;
    }
    return a;
}
bytes concat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const auto& p : parts) {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

template <class Curve> void key_generation_checks() {
    using kp_t = ecdh_key_pair<Curve>;
    const std::size_t fs = Curve::field_size;
    const bytes n = order_bytes<Curve>();
    const bytes zero(fs, 0);
    const bytes ones(fs, 0xff);
    bytes one(fs, 0);
    one.back() = 1;

    // Rejection sampling: 0, n and 2^bits - 1 are refused, then 1 is taken (public key = G).
    const bytes pool = concat({zero, n, ones, one});
    replay_random rng(pool);
    auto kp = kp_t::generate(rng);
    REQUIRE(kp.ok());
    CHECK(rng.remaining() == 0);
    bytes g(Curve::point_size);
    Curve::group::encode(Curve::group::generator,
                         std::span<std::uint8_t, Curve::point_size>(g.data(), g.size()));
    CHECK(to_hex(kp->public_key()) == to_hex(g));

    // A failing source, and one that never yields a valid candidate.
    replay_random empty(bytes{});
    CHECK(kp_t::generate(empty).error() == errc::random_failure);
    bytes all_ff(64 * fs, 0xff);
    replay_random stuck(all_ff);
    CHECK(kp_t::generate(stuck).error() == errc::random_failure);

    // from_private range: [1, n - 1]
    CHECK(kp_t::from_private(fixed<Curve>(zero)).error() == errc::out_of_range);
    CHECK(kp_t::from_private(fixed<Curve>(n)).error() == errc::out_of_range);
    CHECK(kp_t::from_private(fixed<Curve>(ones)).error() == errc::out_of_range);
    CHECK(kp_t::from_private(fixed<Curve>(plus(n, 1))).error() == errc::out_of_range);
    const bytes n_minus_1 = plus(n, -1);
    auto last = kp_t::from_private(fixed<Curve>(n_minus_1));
    REQUIRE(last.ok());
    // (n - 1) G = -G: same x, y = p - Gy
    const auto neg_g = Curve::group::negate(Curve::group::generator);
    bytes ng(Curve::point_size);
    Curve::group::encode(neg_g, std::span<std::uint8_t, Curve::point_size>(ng.data(), ng.size()));
    CHECK(to_hex(last->public_key()) == to_hex(ng));

    // Real randomness: distinct keys.
    auto a = kp_t::generate();
    auto b = kp_t::generate();
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(to_hex(a->public_key()) != to_hex(b->public_key()));
}

template <class Curve> void bad_peer_points() {
    const std::size_t fs = Curve::field_size;
    auto kp = ecdh_key_pair<Curve>::generate();
    REQUIRE(kp.ok());
    std::array<std::uint8_t, Curve::field_size> out{};
    auto err = [&](const bytes& peer) { return kp->shared_secret(peer, out).error(); };

    bytes g(Curve::point_size);
    Curve::group::encode(Curve::group::generator,
                         std::span<std::uint8_t, Curve::point_size>(g.data(), g.size()));
    REQUIRE(err(g) == errc::ok);
    const bytes gx(g.begin() + 1, g.begin() + 1 + static_cast<std::ptrdiff_t>(fs));
    const bytes gy(g.begin() + 1 + static_cast<std::ptrdiff_t>(fs), g.end());
    const bytes p = prime_bytes<Curve>();

    CHECK(err({}) == errc::bad_public_key);
    CHECK(err({0x00}) == errc::point_at_infinity);
    CHECK(err({0x00, 0x00}) == errc::bad_public_key);
    CHECK(err(concat({{0x00}, bytes(2 * fs, 0)})) == errc::bad_public_key);
    CHECK(err({0x04}) == errc::bad_public_key);
    CHECK(err(bytes(g.begin(), g.end() - 1)) == errc::bad_public_key); // one byte short
    CHECK(err(concat({g, {0x00}})) == errc::bad_public_key);           // one byte long
    CHECK(err(concat({{0x02}, gx})) == errc::bad_public_key);          // compressed, even y
    CHECK(err(concat({{0x03}, gx})) == errc::bad_public_key);          // compressed, odd y
    CHECK(err(concat({{0x06}, gx, gy})) == errc::bad_public_key);      // hybrid (X9.62)
    CHECK(err(concat({{0x07}, gx, gy})) == errc::bad_public_key);
    CHECK(err(concat({{0x05}, gx, gy})) == errc::bad_public_key);
    CHECK(err(concat({{0x04}, p, gy})) == errc::bad_public_key); // x = p
    CHECK(err(concat({{0x04}, bytes(fs, 0xff), gy})) == errc::bad_public_key);
    CHECK(err(concat({{0x04}, gx, plus(p, 0)})) == errc::bad_public_key); // y = p
    CHECK(err(concat({{0x04}, gx, bytes(fs, 0xff)})) == errc::bad_public_key);
    CHECK(err(concat({{0x04}, plus(p, 1), gy})) == errc::bad_public_key); // x = p + 1
    CHECK(err(concat({{0x04}, gx, plus(gy, 1)})) == errc::point_not_on_curve);
    CHECK(err(concat({{0x04}, bytes(2 * fs, 0)})) == errc::point_not_on_curve); // (0, 0)
    CHECK(err(concat({{0x04}, plus(gx, 1), gy})) == errc::point_not_on_curve);
    // -G is fine
    bytes neg(Curve::point_size);
    Curve::group::encode(Curve::group::negate(Curve::group::generator),
                         std::span<std::uint8_t, Curve::point_size>(neg.data(), neg.size()));
    CHECK(err(neg) == errc::ok);

    // The same errors through ec_public_key::parse.
    CHECK(ec_public_key<Curve>::parse(bytes{0x00}).error() == errc::point_at_infinity);
    CHECK(ec_public_key<Curve>::parse(concat({{0x02}, gx})).error() == errc::bad_public_key);
    CHECK(ec_public_key<Curve>::parse(concat({{0x04}, gx, plus(gy, 1)})).error() ==
          errc::point_not_on_curve);
    auto key = ec_public_key<Curve>::parse(g);
    REQUIRE(key.ok());
    CHECK(to_hex(key->encoded()) == to_hex(g));
}
} // namespace

TEST_CASE("ecdh key generation and private-key range", "[crypto][ecdh]") {
    key_generation_checks<p256>();
    key_generation_checks<p384>();
}

TEST_CASE("ecdh rejects bad peer points with named errors", "[crypto][ecdh]") {
    bad_peer_points<p256>();
    bad_peer_points<p384>();
}

TEST_CASE("SubjectPublicKeyInfo import", "[crypto][ecdh][spki]") {
    // The first Wycheproof P-256 key (a valid SPKI) and variations of it.
    const bytes spki = test::hex(
        "3059301306072a8648ce3d020106082a8648ce3d0301070342000462d5bd3372af75fe85a040715d0f502428e0"
        "7046868b0bfdfa61d731afe44f26ac333a93a9e70a81cd5a95b5bf8d13990eb741c8c38872b4a07d275a014e30"
        "cf");
    auto key = parse_ec_public_key_info(spki);
    REQUIRE(key.ok());
    REQUIRE(std::holds_alternative<ec_p256_public_key>(*key));
    CHECK(to_hex(std::get<ec_p256_public_key>(*key).encoded()) ==
          to_hex(bytes(spki.begin() + 26, spki.end())));

    auto with_trailing = spki;
    with_trailing.push_back(0);
    CHECK(parse_ec_public_key_info(with_trailing).error() == errc::trailing_data);
    CHECK(parse_ec_public_key_info(bytes{}).error() == errc::truncated);

    // rsaEncryption algorithm (same length OID substituted is not possible; build by hand)
    const bytes rsa_alg = test::hex("300d06092a864886f70d0101010500");
    const bytes bits =
        test::hex("0342000462d5bd3372af75fe85a040715d0f502428e07046868b0bfdfa61d731af"
                  "e44f26ac333a93a9e70a81cd5a95b5bf8d13990eb741c8c38872b4a07d275a014e"
                  "30cf");
    auto wrap = [](const bytes& body) {
        bytes out{0x30, static_cast<std::uint8_t>(body.size())};
        out.insert(out.end(), body.begin(), body.end());
        return out;
    };
    CHECK(parse_ec_public_key_info(wrap(concat({rsa_alg, bits}))).error() ==
          errc::unsupported_algorithm);
    const bytes ec_oid = test::hex("06072a8648ce3d0201");
    // secp521r1 / secp256k1 named curves
    CHECK(parse_ec_public_key_info(
              wrap(concat({wrap(concat({ec_oid, test::hex("06052b81040023")})), bits})))
              .error() == errc::unsupported_curve);
    CHECK(parse_ec_public_key_info(
              wrap(concat({wrap(concat({ec_oid, test::hex("06052b8104000a")})), bits})))
              .error() == errc::unsupported_curve);
    // implicitCurve (NULL) and missing parameters
    CHECK(parse_ec_public_key_info(wrap(concat({wrap(concat({ec_oid, test::hex("0500")})), bits})))
              .error() == errc::unsupported_curve);
    CHECK(parse_ec_public_key_info(wrap(concat({wrap(ec_oid), bits}))).error() ==
          errc::bad_public_key);
    // a BIT STRING with unused bits
    bytes odd_bits = bits;
    odd_bits[2] = 0x01;
    odd_bits.back() &= 0xfe;
    const bytes p256_alg = test::hex("301306072a8648ce3d020106082a8648ce3d030107");
    CHECK(parse_ec_public_key_info(wrap(concat({p256_alg, odd_bits}))).error() ==
          errc::bad_public_key);
    // P-384 OID with a P-256 point: wrong length for the curve
    const bytes p384_alg = test::hex("301006072a8648ce3d020106052b81040022");
    CHECK(parse_ec_public_key_info(wrap(concat({p384_alg, bits}))).error() == errc::bad_public_key);
    CHECK(parse_ec_public_key_info(wrap(concat({p256_alg, bits}))).ok());
}
