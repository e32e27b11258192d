// RSA private keys and signing: key validation (every malformed component refused with its
// errc), RSASSA-PKCS1-v1_5 signing byte for byte against Wycheproof and OpenSSL, RSASSA-PSS signing
// checked by our verifier and by OpenSSL's, NIST SigGenPSS signatures, blinding randomness
// failures, and the fault check that refuses a signature with a corrupted CRT half.
#include <https/core/der.hpp>
#include <https/crypto/rsa_private_key.hpp>

#include "rsa_support.hpp"
#include "support/vectors.hpp"

#include <catch2/catch.hpp>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace https;
using namespace https::crypto;

namespace {

#if defined(__SIZEOF_INT128__)
#define RSA_LIMBS std::uint32_t, std::uint64_t
#else
#define RSA_LIMBS std::uint32_t
#endif

template <class Limb> using private_key_t = crypto::detail::basic_rsa_private_key<Limb>;
template <class Limb> using public_key_t = crypto::detail::basic_rsa_public_key<Limb>;

/// The eight integers, owned (rsa_private_components views them).
struct components {
    test::bytes n, e, d, p, q, dp, dq, qinv;
    [[nodiscard]] rsa_private_components view() const { return {n, e, d, p, q, dp, dq, qinv}; }
};

/// RFC 5208 PrivateKeyInfo holding an RFC 8017 A.1.2 RSAPrivateKey (two primes).
components from_pkcs8(const test::bytes& der_bytes) {
    der::parser top(der_bytes);
    auto info = top.read_sequence();
    REQUIRE(info.ok());
    REQUIRE(info->read_small_unsigned(0).ok());
    REQUIRE(info->read_sequence().ok()); // AlgorithmIdentifier rsaEncryption
    auto octets = info->read_octet_string();
    REQUIRE(octets.ok());
    der::parser inner(*octets);
    auto rsa = inner.read_sequence();
    REQUIRE(rsa.ok());
    REQUIRE(rsa->read_small_unsigned(0).ok());
    components c;
    for (test::bytes* field : {&c.n, &c.e, &c.d, &c.p, &c.q, &c.dp, &c.dq, &c.qinv}) {
        auto v = rsa->read_unsigned_integer();
        REQUIRE(v.ok());
        field->assign(v->begin(), v->end());
    }
    return c;
}

/// Hex of an integer without its DER sign byte.
test::bytes magnitude(const std::string& hex) {
    test::bytes b = test::hex(hex);
    while (!b.empty() && b[0] == 0) {
        b.erase(b.begin());
    }
    return b;
}

using test::rsa::fixed_hex;
using test::rsa::hash_by_name;

template <class Hash> test::bytes digest_with(bytes_view msg) {
    const auto d = crypto::hash<Hash>(msg);
    return {d.begin(), d.end()};
}

test::bytes digest_of(hash_id h, bytes_view msg) {
    switch (h) {
    case hash_id::sha1:
        return digest_with<sha1>(msg);
    case hash_id::sha224:
        return digest_with<sha224>(msg);
    case hash_id::sha256:
        return digest_with<sha256>(msg);
    case hash_id::sha384:
        return digest_with<sha384>(msg);
    case hash_id::sha512:
        return digest_with<sha512>(msg);
    }
    return {};
}

const EVP_MD* md_of(hash_id h) {
    switch (h) {
    case hash_id::sha1:
        return EVP_sha1();
    case hash_id::sha224:
        return EVP_sha224();
    case hash_id::sha256:
        return EVP_sha256();
    case hash_id::sha384:
        return EVP_sha384();
    case hash_id::sha512:
        return EVP_sha512();
    }
    return nullptr;
}

// ---- OpenSSL as the oracle ----

struct pkey_free {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct mdctx_free {
    void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;

pkey_ptr load_private(const std::string& name) {
    const std::string pem =
        test::read_file(std::string(HTTPS_SOURCE_DIR) + "/tests/fixtures/rsa/" + name);
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    REQUIRE(bio != nullptr);
    EVP_PKEY* k = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    REQUIRE(k != nullptr);
    return pkey_ptr(k);
}

test::bytes bn_param(EVP_PKEY* k, const char* name) {
    BIGNUM* b = nullptr;
    REQUIRE(EVP_PKEY_get_bn_param(k, name, &b) == 1);
    test::bytes out(static_cast<std::size_t>(BN_num_bytes(b)));
    BN_bn2bin(b, out.data());
    BN_free(b);
    return out;
}

components components_of(EVP_PKEY* k) {
    return {bn_param(k, OSSL_PKEY_PARAM_RSA_N),
            bn_param(k, OSSL_PKEY_PARAM_RSA_E),
            bn_param(k, OSSL_PKEY_PARAM_RSA_D),
            bn_param(k, OSSL_PKEY_PARAM_RSA_FACTOR1),
            bn_param(k, OSSL_PKEY_PARAM_RSA_FACTOR2),
            bn_param(k, OSSL_PKEY_PARAM_RSA_EXPONENT1),
            bn_param(k, OSSL_PKEY_PARAM_RSA_EXPONENT2),
            bn_param(k, OSSL_PKEY_PARAM_RSA_COEFFICIENT1)};
}

/// OpenSSL's verdict on a signature of `msg`: PKCS#1 v1.5, or PSS with MGF1 over the same hash
/// and a salt of the digest length.
bool ossl_verify(EVP_PKEY* k, hash_id h, bool pss, bytes_view msg, bytes_view sig) {
    std::unique_ptr<EVP_MD_CTX, mdctx_free> ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    REQUIRE(EVP_DigestVerifyInit(ctx.get(), &pctx, md_of(h), nullptr, k) == 1);
    if (pss) {
        REQUIRE(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1);
        REQUIRE(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, static_cast<int>(digest_size(h))) == 1);
        REQUIRE(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md_of(h)) == 1);
    }
    return EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), msg.data(), msg.size()) == 1;
}

test::bytes ossl_sign_pkcs1(EVP_PKEY* k, hash_id h, bytes_view msg) {
    std::unique_ptr<EVP_MD_CTX, mdctx_free> ctx(EVP_MD_CTX_new());
    REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, md_of(h), nullptr, k) == 1);
    std::size_t len = 0;
    REQUIRE(EVP_DigestSign(ctx.get(), nullptr, &len, msg.data(), msg.size()) == 1);
    test::bytes sig(len);
    REQUIRE(EVP_DigestSign(ctx.get(), sig.data(), &len, msg.data(), msg.size()) == 1);
    sig.resize(len);
    return sig;
}

/// A source that fails after handing out `budget` bytes.
class failing_random final : public random_source {
  public:
    explicit failing_random(std::size_t budget) : budget_(budget) {}
    status fill(mutable_bytes out) noexcept override {
        if (out.size() > budget_) {
            return errc::random_failure;
        }
        budget_ -= out.size();
        return default_random().fill(out);
    }

  private:
    std::size_t budget_;
};

/// A source of all-ones bytes: every blinding candidate is >= n, so none is ever accepted.
class ones_random final : public random_source {
  public:
    status fill(mutable_bytes out) noexcept override {
        std::fill(out.begin(), out.end(), std::uint8_t{0xff});
        return {};
    }
};

const char* const fixture_keys[] = {"rsa2048.pem", "rsa3072.pem", "rsa2049.pem",
                                    "rsa2048_e3.pem"};

} // namespace

TEMPLATE_TEST_CASE("RSA signing: Wycheproof PKCS#1 v1.5 generation vectors, byte for byte",
                   "[crypto][rsa][sign][wycheproof]", RSA_LIMBS) {
    const std::pair<const char*, int> files[] = {{"rsa_pkcs1_2048_sig_gen_test.json", 43},
                                                 {"rsa_pkcs1_3072_sig_gen_test.json", 26}};
    int total = 0;
    for (const auto& [file, expected] : files) {
        INFO(file);
        const auto j = test::read_wycheproof(file);
        int ran = 0;
        for (const auto& g : j.at("testGroups")) {
            const components c = from_pkcs8(test::hex(g.at("privateKeyPkcs8")));
            // the PKCS#8 key is the group's key
            const auto& pk = g.at("privateKey");
            CHECK(c.n == magnitude(pk.at("modulus")));
            CHECK(c.e == magnitude(pk.at("publicExponent")));
            CHECK(c.d == magnitude(pk.at("privateExponent")));
            auto key = private_key_t<TestType>::from_components(c.view());
            REQUIRE(key.ok());
            auto spki = public_key_t<TestType>::parse_spki(test::hex(g.at("keyDer")));
            REQUIRE(spki.ok());
            CHECK(compare_vartime(key->public_key().context().modulus(),
                                  spki->context().modulus()) == 0);
            CHECK(key->public_key().exponent() == spki->exponent());
            CHECK(std::to_string(key->bits()) == g.at("keySize").dump());
            const hash_id h = hash_by_name(g.at("sha"));
            for (const auto& t : g.at("tests")) {
                INFO("tcId " << t.at("tcId").dump() << " " << t.at("comment").dump());
                const std::string verdict = t.at("result");
                // acceptable: SHA-1 (WeakHash) or e = 3 (SmallPublicKey); we sign both
                CHECK((verdict == "valid" || verdict == "acceptable"));
                const test::bytes msg = test::hex(t.at("msg"));
                const test::bytes expected_sig = test::hex(t.at("sig"));
                test::bytes sig(key->size());
                REQUIRE(sign_pkcs1v15(*key, h, digest_of(h, msg), sig).ok());
                CHECK(sig == expected_sig);
                CHECK(verify_pkcs1v15(key->public_key(), h, digest_of(h, msg), sig).ok());
                ++ran;
            }
        }
        CHECK(ran == expected);
        CHECK(ran == static_cast<int>(test::wycheproof_declared_tests(j)));
        total += ran;
    }
    CHECK(total == 69);
}

TEMPLATE_TEST_CASE("RSA signing differential: PKCS#1 v1.5 equals OpenSSL's, PSS verifies in both",
                   "[crypto][rsa][sign][openssl]", RSA_LIMBS) {
    std::mt19937 gen(20261202);
    const hash_id hashes[] = {hash_id::sha256, hash_id::sha384, hash_id::sha512, hash_id::sha1};
    int pkcs1 = 0;
    int pss = 0;
    for (const char* name : fixture_keys) {
        INFO(name);
        auto priv = load_private(name);
        const components c = components_of(priv.get());
        auto key = private_key_t<TestType>::from_components(c.view());
        REQUIRE(key.ok());
        CHECK(key->bits() == static_cast<std::size_t>(EVP_PKEY_get_bits(priv.get())));
        for (int i = 0; i < 13; ++i) {
            test::bytes msg(gen() % 300);
            for (auto& b : msg) {
                b = static_cast<std::uint8_t>(gen());
            }
            const hash_id h = hashes[i % 4];
            INFO("message " << i << " of " << msg.size() << " bytes");
            const test::bytes d = digest_of(h, msg);
            test::bytes sig(key->size());
            // PKCS#1 v1.5 is deterministic: the same bytes as OpenSSL's
            REQUIRE(sign_pkcs1v15(*key, h, d, sig).ok());
            CHECK(sig == ossl_sign_pkcs1(priv.get(), h, msg));
            CHECK(verify_pkcs1v15(key->public_key(), h, d, sig).ok());
            ++pkcs1;
            // PSS (random salt of the digest length): two signatures differ, both verify
            test::bytes sig2(key->size());
            REQUIRE(sign_pss(*key, pss_params::for_hash(h), d, sig).ok());
            REQUIRE(sign_pss(*key, pss_params::for_hash(h), d, sig2).ok());
            CHECK(sig != sig2);
            for (const auto& s : {sig, sig2}) {
                CHECK(verify_pss(key->public_key(), pss_params::for_hash(h), d, s).ok());
                CHECK(ossl_verify(priv.get(), h, true, msg, s));
                ++pss;
            }
        }
    }
    CHECK(pkcs1 == 52);
    CHECK(pss == 104);
}

TEST_CASE("RSA signing: message-level wrappers hash with the given class",
          "[crypto][rsa][sign][openssl]") {
    auto priv = load_private("rsa2048.pem");
    auto key = rsa_private_key::from_components(components_of(priv.get()).view());
    REQUIRE(key.ok());
    const test::bytes msg = {'h', 't', 't', 'p', 's'};
    test::bytes sig(key->size());
    REQUIRE(sign_pkcs1v15<sha384>(*key, msg, sig).ok());
    CHECK(sig == ossl_sign_pkcs1(priv.get(), hash_id::sha384, msg));
    REQUIRE(sign_pss<sha256>(*key, msg, sig).ok());
    CHECK(verify_pss<sha256>(key->public_key(), msg, sig).ok());
    CHECK(ossl_verify(priv.get(), hash_id::sha256, true, msg, sig));
    REQUIRE(sign_pss<sha512>(*key, msg, sig).ok());
    CHECK(verify_pss<sha512>(key->public_key(), msg, sig).ok());
    CHECK(ossl_verify(priv.get(), hash_id::sha512, true, msg, sig));
}

TEST_CASE("RSA-PSS signing with an explicit salt is deterministic and verifies",
          "[crypto][rsa][sign][openssl]") {
    auto priv = load_private("rsa2049.pem"); // modBits = 1 mod 8: emLen = k - 1
    auto key = rsa_private_key::from_components(components_of(priv.get()).view());
    REQUIRE(key.ok());
    const test::bytes msg(100, 0x61);
    const test::bytes d = digest_of(hash_id::sha256, msg);
    int ran = 0;
    for (std::size_t salt_len : {0, 20, 32, 64}) {
        INFO("salt " << salt_len);
        const pss_params params{hash_id::sha256, hash_id::sha256, salt_len};
        test::bytes salt(salt_len, 0x5c);
        test::bytes a(key->size());
        test::bytes b(key->size());
        REQUIRE(sign_pss_with_salt(*key, params, d, salt, a).ok());
        REQUIRE(sign_pss_with_salt(*key, params, d, salt, b).ok());
        CHECK(a == b); // blinding never shows in the result
        CHECK(verify_pss(key->public_key(), params, d, a).ok());
        if (salt_len == 32) {
            CHECK(ossl_verify(priv.get(), hash_id::sha256, true, msg, a));
        }
        ++ran;
    }
    CHECK(ran == 4);
}

TEMPLATE_TEST_CASE("RSA NIST CAVP SigGenPSS signatures verify with the file's salt lengths",
                   "[crypto][rsa][sign][nist]", RSA_LIMBS) {
    // SigGenPSS_186-3.rsp gives n, e, Msg and S but neither d nor the salts: its header comment
    // lists the salt length of each (modulus, hash) pair, which verification needs.
    const std::map<std::string, std::size_t> salts = {
        {"1024 SHA1", 20}, {"1024 SHA224", 28}, {"1024 SHA256", 10}, {"1024 SHA384", 30},
        {"1024 SHA512", 50}, {"2048 SHA1", 10}, {"2048 SHA224", 15}, {"2048 SHA256", 20},
        {"2048 SHA384", 25}, {"2048 SHA512", 30}, {"3072 SHA1", 20}, {"3072 SHA224", 28},
        {"3072 SHA256", 32}, {"3072 SHA384", 48}, {"3072 SHA512", 62}};
    std::string n_hex;
    std::string e_hex;
    int ran = 0;
    for (const auto& r : test::read_rsp("nist/rsa/SigGenPSS_186-3.rsp")) {
        if (r.has("n")) {
            n_hex = r.at("n");
        }
        if (r.has("e")) {
            e_hex = r.at("e");
        }
        if (!r.has("S")) {
            continue;
        }
        auto key = public_key_t<TestType>::from_components(test::hex(n_hex), test::hex(e_hex),
                                                           rsa_legacy_min_bits);
        REQUIRE(key.ok());
        const std::string mod = r.section.at("mod");
        CHECK(std::to_string(key->bits()) == mod);
        const hash_id h = hash_by_name(r.at("SHAAlg"));
        const std::size_t salt = salts.at(mod + " " + r.at("SHAAlg"));
        // CAVS prints integers without leading zero digits: restore the fixed lengths
        const test::bytes msg = fixed_hex(r.at("Msg"), 128);
        const test::bytes sig = fixed_hex(r.at("S"), key->size());
        INFO("case " << ran << " mod " << mod << " " << r.at("SHAAlg"));
        CHECK(verify_pss(*key, pss_params{h, h, salt}, digest_of(h, msg), sig).ok());
        // and not with another salt length
        CHECK(verify_pss(*key, pss_params{h, h, salt + 1}, digest_of(h, msg), sig).error() ==
              errc::bad_signature);
        ++ran;
    }
    CHECK(ran == 150);
}

TEMPLATE_TEST_CASE("RSA signing refuses a signature whose CRT half was corrupted",
                   "[crypto][rsa][sign]", RSA_LIMBS) {
    auto priv = load_private("rsa2048.pem");
    auto key = private_key_t<TestType>::from_components(components_of(priv.get()).view());
    REQUIRE(key.ok());
    const test::bytes d = digest_of(hash_id::sha256, test::bytes{1, 2, 3});
    int refused = 0;
    for (auto half : {rsa_test_hooks::half::mod_p, rsa_test_hooks::half::mod_q}) {
        test::bytes sig(key->size(), 0xee);
        const status st = rsa_test_hooks::sign_pkcs1v15_with_fault(*key, hash_id::sha256, d,
                                                                    sig, half);
        CHECK(st.error() == errc::signing_fault);
        CHECK(sig == test::bytes(key->size(), 0)); // nothing of the faulty value leaves
        refused += st.error() == errc::signing_fault ? 1 : 0;
    }
    CHECK(refused == 2);
    // the same key signs correctly without the fault
    test::bytes sig(key->size());
    REQUIRE(sign_pkcs1v15(*key, hash_id::sha256, d, sig).ok());
    CHECK(verify_pkcs1v15(key->public_key(), hash_id::sha256, d, sig).ok());
}

TEST_CASE("RSA signing: a failing or useless random source is random_failure",
          "[crypto][rsa][sign]") {
    auto priv = load_private("rsa2048.pem");
    auto key = rsa_private_key::from_components(components_of(priv.get()).view());
    REQUIRE(key.ok());
    const test::bytes d = digest_of(hash_id::sha256, test::bytes{7});
    test::bytes sig(key->size(), 0xee);
    failing_random none(0);
    CHECK(sign_pkcs1v15(*key, hash_id::sha256, d, sig, none).error() == errc::random_failure);
    CHECK(sig == test::bytes(key->size(), 0));
    failing_random one_value(key->size()); // r drawn, v not
    CHECK(sign_pkcs1v15(*key, hash_id::sha256, d, sig, one_value).error() ==
          errc::random_failure);
    failing_random salt_only(32); // PSS: the salt, then no blinding
    CHECK(sign_pss(*key, pss_params::for_hash(hash_id::sha256), d, sig, salt_only).error() ==
          errc::random_failure);
    ones_random ones;
    CHECK(sign_pkcs1v15(*key, hash_id::sha256, d, sig, ones).error() == errc::random_failure);
}

TEST_CASE("RSA signing: a modulus too short for the hash is message_too_long",
          "[crypto][rsa][sign]") {
    // PSS with SHA-512 and a salt too long for a 2048-bit modulus (§9.1.1 step 3)
    auto priv = load_private("rsa2048.pem");
    auto key = rsa_private_key::from_components(components_of(priv.get()).view());
    REQUIRE(key.ok());
    const test::bytes d = digest_of(hash_id::sha512, test::bytes{7});
    test::bytes sig(key->size(), 0xee);
    // emLen = 256 bytes: 64 + salt + 2 must fit
    const pss_params too_long{hash_id::sha512, hash_id::sha512, 191};
    CHECK(sign_pss(*key, too_long, d, sig).error() == errc::message_too_long);
    CHECK(sig == test::bytes(key->size(), 0));
    const pss_params fits{hash_id::sha512, hash_id::sha512, 189};
    REQUIRE(sign_pss(*key, fits, d, sig).ok());
    CHECK(verify_pss(key->public_key(), fits, d, sig).ok());
}

TEMPLATE_TEST_CASE("RSA private key components: each inconsistency has its errc",
                   "[crypto][rsa][sign]", RSA_LIMBS) {
    using key_t = private_key_t<TestType>;
    auto priv = load_private("rsa2048.pem");
    const components good = components_of(priv.get());
    REQUIRE(key_t::from_components(good.view()).ok());

    // leading zero bytes on the private integers are accepted, up to n's length
    {
        components c = good;
        for (test::bytes* f : {&c.p, &c.q, &c.dp, &c.dq, &c.qinv}) {
            f->insert(f->begin(), 2, 0);
        }
        c.d.insert(c.d.begin(), c.n.size() - c.d.size(), 0);
        auto key = key_t::from_components(c.view());
        REQUIRE(key.ok());
        test::bytes sig(key->size());
        const test::bytes d = digest_of(hash_id::sha256, test::bytes{1});
        REQUIRE(sign_pkcs1v15(*key, hash_id::sha256, d, sig).ok());
        CHECK(sig == ossl_sign_pkcs1(priv.get(), hash_id::sha256, test::bytes{1}));
    }
    // p and q in either order: qinv must then be p^-1 mod q, which it is not
    {
        components c = good;
        std::swap(c.p, c.q);
        std::swap(c.dp, c.dq);
        CHECK(key_t::from_components(c.view()).error() == errc::bad_private_key);
    }
    int refused = 0;
    auto expect = [&](const char* what, components c, errc e) {
        INFO(what);
        CHECK(key_t::from_components(c.view()).error() == e);
        ++refused;
    };
    auto plus = [](test::bytes v, std::uint8_t add) { // v + add (big-endian), no overflow here
        v.back() = static_cast<std::uint8_t>(v.back() + add);
        return v;
    };
    components c = good;
    // public half
    c.n.insert(c.n.begin(), 0);
    expect("n with a leading zero", c, errc::bad_public_key);
    c = good;
    c.e = {1, 0, 0};
    expect("even e", c, errc::bad_public_key);
    c = good;
    c.e = {3};
    expect("e = 3 with a 65537 key", c, errc::bad_private_key);
    // sizes
    for (test::bytes components::*f : {&components::d, &components::p, &components::q,
                                       &components::dp, &components::dq, &components::qinv}) {
        c = good;
        (c.*f).clear();
        expect("an empty component", c, errc::bad_private_key);
        c = good;
        (c.*f).insert((c.*f).begin(), good.n.size() + 1 - (c.*f).size(), 0);
        expect("a component longer than n", c, errc::bad_private_key);
    }
    // primes
    c = good;
    c.p = plus(c.p, 1);
    expect("even p", c, errc::bad_private_key);
    c = good;
    c.q = plus(c.q, 1);
    expect("even q", c, errc::bad_private_key);
    c = good;
    c.p = plus(c.p, 2);
    expect("n != p q", c, errc::bad_private_key);
    c = good;
    c.p = {3};
    expect("p far too short", c, errc::bad_private_key);
    c = good;
    c.q.insert(c.q.end(), 0x01); // q 2^8 + 1: too long for n
    expect("q too long", c, errc::bad_private_key);
    // exponents and coefficient
    c = good;
    c.d = plus(c.d, 2);
    expect("d inconsistent with dp and dq", c, errc::bad_private_key);
    c = good;
    c.dp = plus(c.dp, 2);
    expect("dp wrong", c, errc::bad_private_key);
    c = good;
    c.dq = plus(c.dq, 2);
    expect("dq wrong", c, errc::bad_private_key);
    c = good;
    c.qinv = plus(c.qinv, 1);
    expect("qinv wrong", c, errc::bad_private_key);
    c = good;
    {
        // qinv + p: the right residue, but not reduced
        const std::size_t limbs = bigint<TestType>::limbs_for_bytes(good.n.size());
        auto p_int = bigint<TestType>::from_bytes_be(good.p, limbs);
        auto qi_int = bigint<TestType>::from_bytes_be(good.qinv, p_int->size());
        bigint<TestType> sum;
        add(sum, *p_int, *qi_int);
        c.qinv.assign(good.p.size() + 1, 0);
        REQUIRE(sum.to_bytes_be(c.qinv));
        expect("qinv not below p", c, errc::bad_private_key);
    }
    c = good;
    c.dp = c.dq;
    expect("dp = dq", c, errc::bad_private_key);
    // minimum size of n
    c = good;
    CHECK(key_t::from_components(c.view(), 4096).error() == errc::weak_key);
    ++refused;
    CHECK(refused == 27);
}

TEST_CASE("RSA private key: copies sign alike and the public half matches the SPKI",
          "[crypto][rsa][sign]") {
    auto priv = load_private("rsa3072.pem");
    auto key = rsa_private_key::from_components(components_of(priv.get()).view());
    REQUIRE(key.ok());
    const rsa_private_key copy = *key;
    rsa_private_key moved = std::move(*key);
    const test::bytes d = digest_of(hash_id::sha256, test::bytes{9});
    test::bytes a(copy.size());
    test::bytes b(copy.size());
    REQUIRE(sign_pkcs1v15(copy, hash_id::sha256, d, a).ok());
    REQUIRE(sign_pkcs1v15(moved, hash_id::sha256, d, b).ok());
    CHECK(a == b);
    const std::string der = test::read_file(std::string(HTTPS_SOURCE_DIR) +
                                            "/tests/fixtures/rsa/rsa3072_pub.der");
    auto spki = rsa_public_key::parse_spki(test::bytes(der.begin(), der.end()));
    REQUIRE(spki.ok());
    CHECK(compare_vartime(spki->context().modulus(), copy.public_key().context().modulus()) == 0);
    CHECK(spki->exponent() == copy.public_key().exponent());
}

TEMPLATE_TEST_CASE("RSA blinding inverse: batched and bit-by-bit binary GCD agree with OpenSSL",
                   "[crypto][rsa][sign][openssl]", RSA_LIMBS) {
    using integer = bigint<TestType>;
    std::mt19937_64 gen(7);
    int ran = 0;
    int invertible = 0;
    BN_CTX* ctx = BN_CTX_new();
    REQUIRE(ctx != nullptr);
    for (std::size_t bytes : {8, 9, 33, 128, 255, 256, 384, 512}) {
        for (int i = 0; i < 40; ++i) {
            test::bytes nb(bytes);
            test::bytes ab(bytes);
            for (auto& b : nb) {
                b = static_cast<std::uint8_t>(gen());
            }
            for (auto& b : ab) {
                b = static_cast<std::uint8_t>(gen());
            }
            nb[0] |= 0x80;
            nb.back() |= 1;
            ab[0] &= 0x7f; // a < n
            if (i % 8 == 0) { // small values, and multiples of 3 (often sharing a factor)
                std::fill(ab.begin(), ab.end() - 1, std::uint8_t{0});
                ab.back() = static_cast<std::uint8_t>(3 * (1 + i / 8));
            }
            const integer n = *integer::from_bytes_be(nb);
            const integer a = *integer::from_bytes_be(ab, n.size());
            integer fast;
            integer slow;
            const bool ok_fast = crypto::detail::inverse_mod_batched(fast, a, n);
            const bool ok_slow = crypto::detail::inverse_mod_vartime(slow, a, n);
            BIGNUM* bn = BN_bin2bn(nb.data(), static_cast<int>(nb.size()), nullptr);
            BIGNUM* ba = BN_bin2bn(ab.data(), static_cast<int>(ab.size()), nullptr);
            BIGNUM* inv = BN_mod_inverse(nullptr, ba, bn, ctx);
            INFO(bytes << " bytes, case " << i);
            CHECK(ok_fast == (inv != nullptr));
            CHECK(ok_slow == (inv != nullptr));
            if (inv != nullptr) {
                test::bytes expected(bytes);
                REQUIRE(BN_bn2binpad(inv, expected.data(), static_cast<int>(bytes)) ==
                        static_cast<int>(bytes));
                test::bytes got(bytes);
                test::bytes got_slow(bytes);
                REQUIRE(fast.to_bytes_be(got));
                REQUIRE(slow.to_bytes_be(got_slow));
                CHECK(got == expected);
                CHECK(got_slow == expected);
                ++invertible;
            }
            BN_free(inv);
            BN_free(ba);
            BN_free(bn);
            ++ran;
        }
    }
    BN_CTX_free(ctx);
    CHECK(ran == 320);
    CHECK(invertible == 247); // the others share a factor with n (mt19937_64 is deterministic)
}

