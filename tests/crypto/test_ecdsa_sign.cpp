// ECDSA signing on P-256 and P-384: the RFC 6979 §A.2.5/§A.2.6 vectors (nonce k and signature),
// round trips checked by our verifier and by OpenSSL's libcrypto, hedged nonces, the DER form,
// and the private-scalar range checks.
#include <https/crypto/ecdsa_private_key.hpp>

#include "ec_support.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

using namespace https;
using namespace https::crypto;
using ectest::bytes;

namespace {

// ---- RFC 6979 Appendix A.2.5 (P-256) and A.2.6 (P-384), transcribed from the RFC text ----------

struct rfc6979_key {
    const char* x;  // private key
    const char* ux; // public key U = xG
    const char* uy;
};

struct rfc6979_case {
    hash_id hash;
    const char* message; // "sample" or "test"
    const char* k;
    const char* r;
    const char* s;
};

// RFC 6979 §A.2.5: ECDSA, 256 Bits (Prime Field), curve NIST P-256.
const rfc6979_key p256_key{
    "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721",
    "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6",
    "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299"};

const rfc6979_case p256_cases[] = {
    {hash_id::sha1, "sample", "882905F1227FD620FBF2ABF21244F0BA83D0DC3A9103DBBEE43A1FB858109DB4",
     "61340C88C3AAEBEB4F6D667F672CA9759A6CCAA9FA8811313039EE4A35471D32",
     "6D7F147DAC089441BB2E2FE8F7A3FA264B9C475098FDCF6E00D7C996E1B8B7EB"},
    {hash_id::sha224, "sample", "103F90EE9DC52E5E7FB5132B7033C63066D194321491862059967C715985D473",
     "53B2FFF5D1752B2C689DF257C04C40A587FABABB3F6FC2702F1343AF7CA9AA3F",
     "B9AFB64FDC03DC1A131C7D2386D11E349F070AA432A4ACC918BEA988BF75C74C"},
    {hash_id::sha256, "sample", "A6E3C57DD01ABE90086538398355DD4C3B17AA873382B0F24D6129493D8AAD60",
     "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
     "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"},
    {hash_id::sha384, "sample", "09F634B188CEFD98E7EC88B1AA9852D734D0BC272F7D2A47DECC6EBEB375AAD4",
     "0EAFEA039B20E9B42309FB1D89E213057CBF973DC0CFC8F129EDDDC800EF7719",
     "4861F0491E6998B9455193E34E7B0D284DDD7149A74B95B9261F13ABDE940954"},
    {hash_id::sha512, "sample", "5FA81C63109BADB88C1F367B47DA606DA28CAD69AA22C4FE6AD7DF73A7173AA5",
     "8496A60B5E9B47C825488827E0495B0E3FA109EC4568FD3F8D1097678EB97F00",
     "2362AB1ADBE2B8ADF9CB9EDAB740EA6049C028114F2460F96554F61FAE3302FE"},
    {hash_id::sha1, "test", "8C9520267C55D6B980DF741E56B4ADEE114D84FBFA2E62137954164028632A2E",
     "0CBCC86FD6ABD1D99E703E1EC50069EE5C0B4BA4B9AC60E409E8EC5910D81A89",
     "01B9D7B73DFAA60D5651EC4591A0136F87653E0FD780C3B1BC872FFDEAE479B1"},
    {hash_id::sha224, "test", "669F4426F2688B8BE0DB3A6BD1989BDAEFFF84B649EEB84F3DD26080F667FAA7",
     "C37EDB6F0AE79D47C3C27E962FA269BB4F441770357E114EE511F662EC34A692",
     "C820053A05791E521FCAAD6042D40AEA1D6B1A540138558F47D0719800E18F2D"},
    {hash_id::sha256, "test", "D16B6AE827F17175E040871A1C7EC3500192C4C92677336EC2537ACAEE0008E0",
     "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
     "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083"},
    {hash_id::sha384, "test", "16AEFFA357260B04B1DD199693960740066C1A8F3E8EDD79070AA914D361B3B8",
     "83910E8B48BB0C74244EBDF7F07A1C5413D61472BD941EF3920E623FBCCEBEB6",
     "8DDBEC54CF8CD5874883841D712142A56A8D0F218F5003CB0296B6B509619F2C"},
    {hash_id::sha512, "test", "6915D11632ACA3C40D5D51C08DAF9C555933819548784480E93499000D9F0B7F",
     "461D93F31B6540894788FD206C07CFA0CC35F46FA3C91816FFF1040AD1581A04",
     "39AF9F15DE0DB8D97E72719C74820D304CE5226E32DEDAE67519E840D1194E55"},
};

// RFC 6979 §A.2.6: ECDSA, 384 Bits (Prime Field), curve NIST P-384 (the RFC wraps each value
// over two lines; joined here).
const rfc6979_key p384_key{
    "6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D8"
    "96D5724E4C70A825F872C9EA60D2EDF5",
    "EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B300C64"
    "DEF8F0EA9055866064A254515480BC13",
    "8015D9B72D7D57244EA8EF9AC0C621896708A59367F9DFB9F54CA84B3F1C9DB1"
    "288B231C3AE0D4FE7344FD2533264720"};

const rfc6979_case p384_cases[] = {
    {hash_id::sha1, "sample",
     "4471EF7518BB2C7C20F62EAE1C387AD0C5E8E470995DB4ACF694466E6AB096630F29E5938D25106C3C340045A2DB01A7",
     "EC748D839243D6FBEF4FC5C4859A7DFFD7F3ABDDF72014540C16D73309834FA37B9BA002899F6FDA3A4A9386790D4EB2",
     "A3BCFA947BEEF4732BF247AC17F71676CB31A847B9FF0CBC9C9ED4C1A5B3FACF26F49CA031D4857570CCB5CA4424A443"},
    {hash_id::sha224, "sample",
     "A4E4D2F0E729EB786B31FC20AD5D849E304450E0AE8E3E341134A5C1AFA03CAB8083EE4E3C45B06A5899EA56C51B5879",
     "42356E76B55A6D9B4631C865445DBE54E056D3B3431766D0509244793C3F9366450F76EE3DE43F5A125333A6BE060122",
     "9DA0C81787064021E78DF658F2FBB0B042BF304665DB721F077A4298B095E4834C082C03D83028EFBF93A3C23940CA8D"},
    {hash_id::sha256, "sample",
     "180AE9F9AEC5438A44BC159A1FCB277C7BE54FA20E7CF404B490650A8ACC414E375572342863C899F9F2EDF9747A9B60",
     "21B13D1E013C7FA1392D03C5F99AF8B30C570C6F98D4EA8E354B63A21D3DAA33BDE1E888E63355D92FA2B3C36D8FB2CD",
     "F3AA443FB107745BF4BD77CB3891674632068A10CA67E3D45DB2266FA7D1FEEBEFDC63ECCD1AC42EC0CB8668A4FA0AB0"},
    {hash_id::sha384, "sample",
     "94ED910D1A099DAD3254E9242AE85ABDE4BA15168EAF0CA87A555FD56D10FBCA2907E3E83BA95368623B8C4686915CF9",
     "94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF96E36DD1E80FABE46",
     "99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E679E7B82C71A38628AC8"},
    {hash_id::sha512, "sample",
     "92FC3C7183A883E24216D1141F1A8976C5B0DD797DFA597E3D7B32198BD35331A4E966532593A52980D0E3AAA5E10EC3",
     "ED0959D5880AB2D869AE7F6C2915C6D60F96507F9CB3E047C0046861DA4A799CFE30F35CC900056D7C99CD7882433709",
     "512C8CCEEE3890A84058CE1E22DBC2198F42323CE8ACA9135329F03C068E5112DC7CC3EF3446DEFCEB01A45C2667FDD5"},
    {hash_id::sha1, "test",
     "66CC2C8F4D303FC962E5FF6A27BD79F84EC812DDAE58CF5243B64A4AD8094D47EC3727F3A3C186C15054492E30698497",
     "4BC35D3A50EF4E30576F58CD96CE6BF638025EE624004A1F7789A8B8E43D0678ACD9D29876DAF46638645F7F404B11C7",
     "D5A6326C494ED3FF614703878961C0FDE7B2C278F9A65FD8C4B7186201A2991695BA1C84541327E966FA7B50F7382282"},
    {hash_id::sha224, "test",
     "18FA39DB95AA5F561F30FA3591DC59C0FA3653A80DAFFA0B48D1A4C6DFCBFF6E3D33BE4DC5EB8886A8ECD093F2935726",
     "E8C9D0B6EA72A0E7837FEA1D14A1A9557F29FAA45D3E7EE888FC5BF954B5E62464A9A817C47FF78B8C11066B24080E72",
     "07041D4A7A0379AC7232FF72E6F77B6DDB8F09B16CCE0EC3286B2BD43FA8C6141C53EA5ABEF0D8231077A04540A96B66"},
    {hash_id::sha256, "test",
     "0CFAC37587532347DC3389FDC98286BBA8C73807285B184C83E62E26C401C0FAA48DD070BA79921A3457ABFF2D630AD7",
     "6D6DEFAC9AB64DABAFE36C6BF510352A4CC27001263638E5B16D9BB51D451559F918EEDAF2293BE5B475CC8F0188636B",
     "2D46F3BECBCC523D5F1A1256BF0C9B024D879BA9E838144C8BA6BAEB4B53B47D51AB373F9845C0514EEFB14024787265"},
    {hash_id::sha384, "test",
     "015EE46A5BF88773ED9123A5AB0807962D193719503C527B031B4C2D225092ADA71F4A459BC0DA98ADB95837DB8312EA",
     "8203B63D3C853E8D77227FB377BCF7B7B772E97892A80F36AB775D509D7A5FEB0542A7F0812998DA8F1DD3CA3CF023DB",
     "DDD0760448D42D8A43AF45AF836FCE4DE8BE06B485E9B61B827C2F13173923E06A739F040649A667BF3B828246BAA5A5"},
    {hash_id::sha512, "test",
     "3780C4F67CB15518B6ACAE34C9F83568D2E12E47DEAB6C50A4E4EE5319D1E8CE0E2CC8A136036DC4B9C00E6888F66B6C",
     "A0D5D090C9980FAF3C2CE57B7AE951D31977DD11C775D314AF55F76C676447D06FB6495CD21B4B6E340FC236584FB277",
     "976984E59B4C77B0E8E4460DCA3D9F20E07B9BB1F63BEEFAF576F6B2E8B224634A2092CD3792E0159AD9CEE37659C736"},
};

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
    throw std::runtime_error("unknown hash");
}

/// The RFC 6979 §3.2 nonce for key x and digest h1, through the generator the signer uses.
template <class Curve> bytes nonce_of(hash_id h, const bytes& x, const bytes& h1) {
    const std::span<const std::uint8_t, Curve::field_size> xs(x.data(), Curve::field_size);
    typename Curve::group::scalar k{};
    switch (h) {
    case hash_id::sha1:
        k = crypto::detail::nist::rfc6979_nonce<sha1, Curve>(xs, h1, {}).next();
        break;
    case hash_id::sha224:
        k = crypto::detail::nist::rfc6979_nonce<sha224, Curve>(xs, h1, {}).next();
        break;
    case hash_id::sha256:
        k = crypto::detail::nist::rfc6979_nonce<sha256, Curve>(xs, h1, {}).next();
        break;
    case hash_id::sha384:
        k = crypto::detail::nist::rfc6979_nonce<sha384, Curve>(xs, h1, {}).next();
        break;
    case hash_id::sha512:
        k = crypto::detail::nist::rfc6979_nonce<sha512, Curve>(xs, h1, {}).next();
        break;
    }
    bytes out(Curve::field_size);
    Curve::group::fn::store_be(k, std::span<std::uint8_t, Curve::field_size>(out.data(),
                                                                             Curve::field_size));
    return out;
}

/// OpenSSL's verdict on a DER signature over `msg` hashed with `md`, for an encoded point.
template <class Curve>
bool openssl_verifies(std::span<const std::uint8_t> point, const EVP_MD* md, const bytes& msg,
                      bytes_view der) {
    auto key = ectest::openssl_public_from_point(ectest::openssl_name<Curve>(),
                                                 bytes(point.begin(), point.end()));
    REQUIRE(key);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    REQUIRE(ctx != nullptr);
    const bool ok = EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key.get()) == 1 &&
                    EVP_DigestVerify(ctx, der.data(), der.size(), msg.data(), msg.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

template <class Curve>
int run_rfc6979(const rfc6979_key& key_text, std::span<const rfc6979_case> cases) {
    const bytes x = test::hex(key_text.x);
    auto key = ecdsa_private_key<Curve>::from_bytes(x);
    REQUIRE(key.ok());
    // the public key U = xG the appendix gives
    bytes point{0x04};
    for (const char* c : {key_text.ux, key_text.uy}) {
        const bytes coordinate = test::hex(c);
        point.insert(point.end(), coordinate.begin(), coordinate.end());
    }
    CHECK(to_hex(key->public_key().encoded()) == to_hex(point));
    int ran = 0;
    for (const auto& c : cases) {
        INFO(ectest::openssl_name<Curve>() << " hash " << static_cast<int>(c.hash) << " " << c.message);
        const bytes msg(c.message, c.message + std::string(c.message).size());
        const bytes h1 = ectest::openssl_digest(md_of(c.hash), msg);
        // the nonce k of RFC 6979 §3.2
        CHECK(to_hex(nonce_of<Curve>(c.hash, x, h1)) == to_hex(test::hex(c.k)));
        // the signature (r, s), reproduced byte for byte
        auto sig = key->sign(c.hash, msg, ecdsa_nonce::deterministic);
        REQUIRE(sig.ok());
        CHECK(to_hex(sig->r()) == to_hex(test::hex(c.r)));
        CHECK(to_hex(sig->s()) == to_hex(test::hex(c.s)));
        CHECK(to_hex(sig->der()) == to_hex(ectest::der_signature(test::hex(c.r), test::hex(c.s))));
        // ... which both verifiers accept
        CHECK(ecdsa_verify(key->public_key(), c.hash, msg, sig->der()).ok());
        CHECK(openssl_verifies<Curve>(key->public_key().encoded(), md_of(c.hash), msg, sig->der()));
        ++ran;
    }
    return ran;
}

} // namespace

TEST_CASE("ecdsa p256 signing: RFC 6979 §A.2.5 nonces and signatures", "[crypto][ecdsa][sign]") {
    // SHA-1, SHA-224, SHA-256, SHA-384, SHA-512 x "sample", "test"
    CHECK(run_rfc6979<p256>(p256_key, p256_cases) == 10);
}

TEST_CASE("ecdsa p384 signing: RFC 6979 §A.2.6 nonces and signatures", "[crypto][ecdsa][sign]") {
    CHECK(run_rfc6979<p384>(p384_key, p384_cases) == 10);
}

namespace {

/// OpenSSL makes a key; ours, from its private scalar, must derive the same public point; our
/// signatures (hedged, then deterministic) over a random message must verify under both
/// verifiers, and a changed message must not.
template <class Curve> int round_trips(int rounds) {
    using key_type = ecdsa_private_key<Curve>;
    const hash_id h = Curve::field_size == 32 ? hash_id::sha256 : hash_id::sha384;
    const EVP_MD* md = md_of(h);
    int ran = 0;
    for (int i = 0; i < rounds; ++i) {
        auto theirs = ectest::openssl_keygen(ectest::openssl_name<Curve>());
        const bytes d = ectest::openssl_private_scalar(theirs.get(), Curve::field_size);
        auto key = key_type::from_bytes(d);
        REQUIRE(key.ok());
        REQUIRE(to_hex(key->public_key().encoded()) ==
                to_hex(ectest::openssl_public_point(theirs.get())));
        const bytes msg = ectest::random_bytes(static_cast<std::size_t>(i * 13 % 300));
        for (const ecdsa_nonce mode : {ecdsa_nonce::hedged, ecdsa_nonce::deterministic}) {
            auto sig = key->sign(h, msg, mode);
            REQUIRE(sig.ok());
            CHECK(ecdsa_verify(key->public_key(), h, msg, sig->der()).ok());
            CHECK(openssl_verifies<Curve>(key->public_key().encoded(), md, msg, sig->der()));
            bytes other = msg;
            other.push_back(static_cast<std::uint8_t>(i));
            CHECK(ecdsa_verify(key->public_key(), h, other, sig->der()).error() ==
                  errc::bad_signature);
            CHECK_FALSE(openssl_verifies<Curve>(key->public_key().encoded(), md, other, sig->der()));
            // the raw form is the DER form's two integers
            der::parser p(sig->der());
            auto seq = p.read_sequence();
            REQUIRE(seq.ok());
            auto r = seq->read_unsigned_integer();
            auto s = seq->read_unsigned_integer();
            REQUIRE(r.ok());
            REQUIRE(s.ok());
            CHECK(to_hex(ectest::fixed_width(to_hex(*r), Curve::field_size)) == to_hex(sig->r()));
            CHECK(to_hex(ectest::fixed_width(to_hex(*s), Curve::field_size)) == to_hex(sig->s()));
        }
        ++ran;
    }
    // our own key generation, too
    for (int i = 0; i < 8; ++i) {
        auto key = key_type::generate();
        REQUIRE(key.ok());
        const bytes msg = ectest::random_bytes(40);
        auto sig = key->sign(h, msg);
        REQUIRE(sig.ok());
        CHECK(openssl_verifies<Curve>(key->public_key().encoded(), md, msg, sig->der()));
    }
    return ran;
}

} // namespace

TEST_CASE("ecdsa p256 signatures verify with ours and OpenSSL", "[crypto][ecdsa][sign][openssl]") {
    CHECK(round_trips<p256>(64) == 64);
}

TEST_CASE("ecdsa p384 signatures verify with ours and OpenSSL", "[crypto][ecdsa][sign][openssl]") {
    CHECK(round_trips<p384>(64) == 64);
}

TEST_CASE("ecdsa hedged signing: new signatures each time, all valid", "[crypto][ecdsa][sign]") {
    auto key = ecdsa_p256_private_key::from_bytes(test::hex(p256_key.x));
    REQUIRE(key.ok());
    const bytes msg = {'s', 'a', 'm', 'p', 'l', 'e'};
    std::set<std::string> seen;
    for (int i = 0; i < 16; ++i) {
        auto sig = key->sign<sha256>(msg);
        REQUIRE(sig.ok());
        CHECK(ecdsa_verify<sha256>(key->public_key(), msg, sig->der()).ok());
        CHECK(openssl_verifies<p256>(key->public_key().encoded(), EVP_sha256(), msg, sig->der()));
        seen.insert(to_hex(sig->raw()));
    }
    CHECK(seen.size() == 16);
    // deterministic mode: always the RFC's signature (§A.2.5, SHA-256, "sample")
    auto first = key->sign<sha256>(msg, ecdsa_nonce::deterministic);
    auto second = key->sign<sha256>(msg, ecdsa_nonce::deterministic);
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    CHECK(to_hex(first->raw()) == to_hex(second->raw()));
    CHECK(seen.count(to_hex(first->raw())) == 0);
    // hedged with the same extra bytes twice: the same signature (k' is the only difference),
    // and not the deterministic one
    const bytes extra(64, 0x5a);
    replay_random a(extra);
    replay_random b(extra);
    auto ha = key->sign<sha256>(msg, ecdsa_nonce::hedged, a);
    auto hb = key->sign<sha256>(msg, ecdsa_nonce::hedged, b);
    REQUIRE(ha.ok());
    REQUIRE(hb.ok());
    CHECK(to_hex(ha->raw()) == to_hex(hb->raw()));
    CHECK(to_hex(ha->raw()) != to_hex(first->raw()));
    CHECK(a.remaining() == 64 - 32); // k' is field_size bytes
    // a failing random source fails a hedged signature and leaves deterministic mode alone
    replay_random empty(bytes{});
    CHECK(key->sign<sha256>(msg, ecdsa_nonce::hedged, empty).error() == errc::random_failure);
    CHECK(key->sign<sha256>(msg, ecdsa_nonce::deterministic, empty).ok());
    // the digest-level call with a hash the caller computed is the same signature
    auto via_digest = key->sign_digest<sha256>(hash<sha256>(msg), ecdsa_nonce::deterministic);
    REQUIRE(via_digest.ok());
    CHECK(to_hex(via_digest->raw()) == to_hex(first->raw()));
    CHECK(key->sign(static_cast<hash_id>(99), msg).error() == errc::unsupported_algorithm);
}

namespace {
template <class Curve> void range_checks() {
    using key_type = ecdsa_private_key<Curve>;
    using fn = typename Curve::group::fn;
    const std::size_t fs = Curve::field_size;
    bytes n(fs);
    fn::store_be(fn::m, std::span<std::uint8_t, Curve::field_size>(n.data(), fs));
    auto plus = [](bytes v, int delta) { // v + delta, big-endian, |delta| small, no overflow
        int carry = delta;
        for (std::size_t i = v.size(); i-- > 0 && carry != 0;) {
            const int t = v[i] + carry;
            v[i] = static_cast<std::uint8_t>(t & 0xff);
            carry = t >> 8; // arithmetic: -1 for a borrow
        }
        return v;
    };
    CHECK(key_type::from_bytes(bytes(fs, 0)).error() == errc::out_of_range);         // 0
    CHECK(key_type::from_bytes(n).error() == errc::out_of_range);                    // n
    CHECK(key_type::from_bytes(plus(n, 1)).error() == errc::out_of_range);           // n + 1
    CHECK(key_type::from_bytes(bytes(fs, 0xff)).error() == errc::out_of_range);      // 2^bits - 1
    CHECK(key_type::from_bytes(bytes(fs - 1, 0x01)).error() == errc::bad_key_size);  // short
    CHECK(key_type::from_bytes(bytes(fs + 1, 0x01)).error() == errc::bad_key_size);  // long
    CHECK(key_type::from_bytes(bytes{}).error() == errc::bad_key_size);              // empty
    // a zero-padded value one byte too long is a wrong length too, not silently accepted
    bytes one_long(fs + 1, 0);
    one_long.back() = 1;
    CHECK(key_type::from_bytes(one_long).error() == errc::bad_key_size);
    // the extremes that are valid: 1 (Q = G) and n - 1 (Q = -G)
    bytes one(fs, 0);
    one.back() = 1;
    auto k1 = key_type::from_bytes(one);
    auto kn = key_type::from_bytes(plus(n, -1));
    REQUIRE(k1.ok());
    REQUIRE(kn.ok());
    const auto g = k1->public_key().encoded();
    const auto minus_g = kn->public_key().encoded();
    CHECK(to_hex(g.subspan(0, 1 + fs)) == to_hex(minus_g.subspan(0, 1 + fs))); // same x
    CHECK(to_hex(g) != to_hex(minus_g));
    // both sign what both verifiers accept
    const bytes msg = {'e', 'd', 'g', 'e'};
    for (auto* key : {&*k1, &*kn}) {
        auto sig = key->sign(fs == 32 ? hash_id::sha256 : hash_id::sha384, msg);
        REQUIRE(sig.ok());
        CHECK(openssl_verifies<Curve>(key->public_key().encoded(),
                                      fs == 32 ? EVP_sha256() : EVP_sha384(), msg, sig->der()));
    }
    // a random source that only yields out-of-range candidates makes generate() give up
    replay_random all_ff(bytes(64 * fs, 0xff));
    CHECK(key_type::generate(all_ff).error() == errc::random_failure);
    replay_random nothing(bytes{});
    CHECK(key_type::generate(nothing).error() == errc::random_failure);
}
} // namespace

TEST_CASE("ecdsa private keys refuse scalars outside [1, n - 1]", "[crypto][ecdsa][sign]") {
    range_checks<p256>();
    range_checks<p384>();
}

TEST_CASE("ecdsa DER form: minimal integers with a sign byte when needed", "[crypto][ecdsa][sign]") {
    // r with leading zero bytes (shortened) and s with its top bit set (0x00 prepended)
    std::array<std::uint8_t, 64> raw{};
    raw[2] = 0x7f;
    raw[31] = 0x01;
    raw[32] = 0x80;
    raw[63] = 0x02;
    const ecdsa_signature<p256> sig(raw);
    bytes r(raw.begin(), raw.begin() + 32);
    bytes s(raw.begin() + 32, raw.end());
    CHECK(to_hex(sig.der()) == to_hex(ectest::der_signature(r, s)));
    CHECK(sig.der().size() == 2 + (2 + 30) + (2 + 33));
    // the longest P-384 form: both integers 49 bytes
    std::array<std::uint8_t, 96> big{};
    big.fill(0xff);
    const ecdsa_signature<p384> sig384(big);
    CHECK(sig384.der().size() == ecdsa_signature<p384>::max_der_size);
    CHECK(to_hex(sig384.der()) == to_hex(ectest::der_signature(bytes(48, 0xff), bytes(48, 0xff))));
}
