// RSA figures: rsa2048_verify, rsa4096_verify (RSASSA-PKCS1-v1_5 SHA-256 verification of a
// digest, ops/s), rsa2048_encrypt (RSAES-PKCS1-v1_5 of a 48-byte premaster secret, ops/s) and
// rsa2048_sign_pkcs1 / rsa2048_sign_pss (signing a SHA-256 digest with the private key, ops/s;
// PSS with a 32-byte salt, as TLS 1.3 rsa_pss_rsae_sha256), ours next to OpenSSL's
// EVP_PKEY_verify / EVP_PKEY_encrypt / EVP_PKEY_sign on the same key and input.
#include "bench.hpp"

#include <https/core/der.hpp>
#include <https/core/hex.hpp>
#include <https/crypto/rsa.hpp>
#include <https/crypto/rsa_private_key.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

#if HTTPS_BENCH_OPENSSL
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#endif

namespace {

// Keys from tests/fixtures/rsa (SubjectPublicKeyInfo DER) and OpenSSL's signatures over the
// message "https bench message" with SHA-256, whose digest follows.
constexpr const char* digest_hex =
    "dbb867b9c18fa6f8fb945c77f798348035e4f7f1a6ff1584b94a567257a6c184";
constexpr const char* spki2048 =
    "30820122300d06092a864886f70d01010105000382010f003082010a0282010100e0cc5950b42c829a8651f1"
    "ab1efbc7bbb9f7438e1112cd9953d2ee4c34e1e94c73a656010b0fd2469ae288f59e313139b13f3f5bcc964a"
    "6d72e0bf3629630cfe7a4ba7a462a9a8a6feabce1559d0712720a3897b1f74f7e940546fc4fa303666170038"
    "cabd0afd076ee54d68338f1a8722d09d048df5abcf5bc2a5a3fc1d0ead8b0f75373e6e23432ac2a5e1247993"
    "0c69f50dc0e2894769b6f88a8d43254aab89c23c1a0b1a20a667f0713ec64265b8081f7e1c425b280881f509"
    "5594db3b841caeba339f95087549f2ee614202d12b5eedfc4311f8333414ce900c05491bb57b8ef5be5dd330"
    "ac3f6c2fb8a79d8fbf28ca6bffa2722ccbc4170664e5829a9f0203010001";

constexpr const char* sig2048 =
    "099b196ce640c5fbee755bd63f2c983fa5f1fe78c753a7f5d342673c79d95f5b3651e42942a9a952a0cc1262"
    "fa916c92c08b1bd63c63d7d99ac0567d02fded9a76dbfc421a2a0a54c018f9dfe8a83c6453e5621c210c9d27"
    "61c6dd6f847dc677c213057bfbc332c02412d1d948817e43c619ce98687c6b0bf5b5cf2d63d702c30bc026cb"
    "a32de63bdf6e314d3b1bb8d0217bd42e8cccc2d90921dd0a7f44b17d98a31aaf08079f59276135cc016d5f76"
    "56242551ba2f883332c559770f3f6b0728db321a4993f023e089903a239fbdcdd9cdb00f26159e3ca866b83d"
    "5fd99cd28db000a7ab93fed81e4e63fef0a89cdaa70f438ee4dfc38615b6691915087e64";

constexpr const char* spki4096 =
    "30820222300d06092a864886f70d01010105000382020f003082020a0282020100b6d4a4c1661430783dd8f6"
    "ae70c69d221a49ac979d35cf28e728feaa1d48368715724a6ac0f898f4a57cb6e64d75665e9564a8ea702e0d"
    "90b595d856af4f878d1b0cbfd43f827d8202c8c74bf371d6b3903ced0790f8072e612083b0a2248c4b48a87e"
    "98048ec0b8c6ae2180410ed7421fed177771f8210ac6b4031bd1e689763896e995256cc281c3f4c2b3d292b2"
    "c55c76cffdf106730e85fb062e701d85bfa5e7d85ba44d581d05fea131623a21b556c275f8e38ffec4a63a77"
    "054091dc541b3f721cdc1477b3ea1834ca9712843e3e73b79d299b88c48e60ba00af5bec94d5cc41ee741bd4"
    "8c6ac97140d86934a8aa13da94d50cec6d55c110e8d625ddae381b28e86fe22d840629cfbd37abd35d85fc73"
    "f49defcdff9861a4957415c6ee67d886c5904d30c655c950dc8d5e201c6421261be8f2284698255388c712f6"
    "ae69cac8f65d5a77e7f17e0ac4cec64b34faa1c1a1d825a48b6ba85c8c6d6c482189c20e9e275120a0cee6ac"
    "a8ad3d231146d81888cb848c9437d176c49ab51202e3c9cfe47fe23cd8565de7ce4199f32967f6fc628da826"
    "181f83b28c095016905c5d24121de8f398ed25b4fc25301dc7607e11db7c0ef71cb53d777b1b83c4bce66162"
    "5381e8dea1ecdcb889f9a0243189eb8b89d686b926758ab0b15637915353f42e1398d5ce01b8d9864b93a844"
    "9854b759c3d4a8bcd16d9099498a3eba490203010001";

constexpr const char* sig4096 =
    "67ae4fe79ae41c91896a9d096492d55f7ccbb9e00e743c1eba6e3ab17540524449bcf0113ada3252e5bceab6"
    "5fba14f68f092fe80137e5a07bf24e41b0f3ace694d8911d8a5339e1bc37b89610832213521a02bbd9facfc3"
    "d7731aa329db63ba2c8dbb71edde91c1c67e449a4a6abfd80b3ecf24cb0d3c66026b328bab2a84c6ce130fbc"
    "5c24da0ff868476b13b26b7148050cebe5a2b8d6376930921327f3b3d1547ebfe816f26da25ca68a9db8c71f"
    "7575d30fd5de483f43e78b25f3d46892636b0da3f7dd37b089436f46b43c31686a51082d3958246e5c54e934"
    "0caa8856f71f39418c3cb01b75de2240cc78047c944273c82967af963692fdbbd18a6f8a383b791de49a571e"
    "4ba7d9a17c28891ebf6821864009319f98ee18f365046fedc310f2f79f959f23d0f1359398a43fa207742251"
    "45f33eed32ad433e1aea2d0ad3671a76d759e7bd25b1a808de737adb91cc9f1684a317766a49934a3b7d1c66"
    "fcbacdc01698c1755af32b3eb6faf931a81c25eb205b21a62c9e7a6fe9b72effedab25cf163fdcc1a14ebf9e"
    "7fef17a0f986a24957629279bcc3bbabd7dd3f07bf2fe07b11c38da93e01ecbcdb8800252d9dce5357cd5f17"
    "f106e4c988248e4742adb8d112691afa3cbd2becf26e695ccf5ac7ee38d8c3388ebd8c6ae0f9dcc11abb799b"
    "737c6b9cc3c6d72aee59160f479feb4f39f2139c3487647f7e38b6f7";

// The private key of spki2048 (tests/fixtures/rsa/rsa2048.pem), PKCS#1 RSAPrivateKey DER.
constexpr const char* private2048 =
    "308204a40201000282010100e0cc5950b42c829a8651f1ab1efbc7bbb9f7438e1112cd9953d2ee4c34e1e94c"
    "73a656010b0fd2469ae288f59e313139b13f3f5bcc964a6d72e0bf3629630cfe7a4ba7a462a9a8a6feabce15"
    "59d0712720a3897b1f74f7e940546fc4fa303666170038cabd0afd076ee54d68338f1a8722d09d048df5abcf"
    "5bc2a5a3fc1d0ead8b0f75373e6e23432ac2a5e12479930c69f50dc0e2894769b6f88a8d43254aab89c23c1a"
    "0b1a20a667f0713ec64265b8081f7e1c425b280881f5095594db3b841caeba339f95087549f2ee614202d12b"
    "5eedfc4311f8333414ce900c05491bb57b8ef5be5dd330ac3f6c2fb8a79d8fbf28ca6bffa2722ccbc4170664"
    "e5829a9f02030100010282010010110ae125bf78a62aab78a64e549875e658b1cf59910a78c6f0f06f29e86b"
    "903743d029caec9a8ec94b1f96ce739d9d0dfa034140620d77bd1a2b1067ecd864e7c0b87e9b3e9cfb32807c"
    "fe31a9202d37bbf87b80480fdfefe51907ef09bb1998d33f3bde3f06ce9d326e51e03d7e1be2751e83d0d19a"
    "31fbd0f19dc2cb20dd4c244b751a9dd8ecf8514e154ace53872154ad722699316527b232efa8e51c838ce2af"
    "c8cdf905a27d8ab2c174ea2b95b9e083cf3d2b4253692ec66b2490906695662841de0ba41dfecfc876789c88"
    "996033ad0805d7011be5c19c9b21fba701d717378f9ccaf6943a1e507049f0fdc0902f1751bac2baaf189ffb"
    "e68b33ab0102818100f195a1542ad2d9999b36fb9e5873558c42e146e27e82b2dc422b1cd03f0acdea831ccc"
    "2fff9f8c233bc110eca333061de15cef4e6add05de1df9e84e829fbd3b4f3be087aaad915bed9be2bbe0887a"
    "7d2ab01d6f3727160afa0c46f971ee47d9f0e958171942e838b738977850cd32cf53f86c03dd12ac0778463e"
    "19b9cca17f02818100ee364c0cb81045cab8f558234480c1af1bb83e4c22420b5a058fda81ffb0619c00d706"
    "c997f30f2ed4e45fe0098096eaf5aadae5661ce06f4818e1f6131f752629aa11dad5574759e94021626ce67c"
    "d582e2dbc88c62fd157db5b1f7c34c5841f54627721fe9f33c2f15f116041b5d81fae0e49c8f218e38a34ffd"
    "0f899856e10281810082b7a8fc86d362047874cebf4632d9d63415fb29f0b43d9d6a7c337206ba8ce2d8a0cb"
    "672954a61a2669f80362e6e7e7611acd2dcc2addd2eabb5f54a3df551ff3667dbe4abef1c9210f5926b97e7f"
    "709c9980c3bdbefb71630d2396336c701a5ffd92b9a4e48c0cac2f05de873210cd182d721cc1112a5e3c591d"
    "9f03e6d27702818100937a2e2f19ad8967ee8686a09f028fe6d76483bd22e07ca2a91adc8eeb3bc9d2897a96"
    "8b2c75a08abfe6fbac7a758ff9bb4aa1e6b00764b3c0911723ffc6d402627d163cc3241bda805be1cf4bd88e"
    "a4a939c6142d4603a5d08432c04fbaee513786cd590c850cbfcfeee7a957b59178ad579a718af39d57575468"
    "39bc58024102818053c0a67b80f3600b887aade68f0ddf9bae4b8d9d8f67206e7b1e8c322bbe6f78bfb5124e"
    "91cb6640a8f929e5d40aa8010fb2f39e842d173d3a11191afb255062d7efaaf0f37e9c676825e6d2d2581022"
    "14a4d442d7b712aad85714d2db30972455494b48f1ded1a1fb4554759edb60f938f674557a70e5cb83b23c0c"
    "8d7b1000";

https::byte_vector unhex(const char* s) {
    auto r = https::from_hex(s);
    if (!r) {
        std::fprintf(stderr, "bench_rsa: bad embedded hex\n");
        std::abort();
    }
    return *r;
}

struct fixture {
    https::byte_vector spki, sig, digest;
    https::crypto::rsa_public_key key;
};

fixture make_fixture(const char* spki, const char* sig) {
    const https::byte_vector der = unhex(spki);
    auto k = https::crypto::rsa_public_key::parse_spki(der);
    if (!k) {
        std::fprintf(stderr, "bench_rsa: embedded key rejected\n");
        std::abort();
    }
    fixture f{der, unhex(sig), unhex(digest_hex), *k};
    if (!https::crypto::verify_pkcs1v15(f.key, https::crypto::hash_id::sha256, f.digest, f.sig)) {
        std::fprintf(stderr, "bench_rsa: embedded signature rejected\n");
        std::abort();
    }
    return f;
}

const fixture& rsa2048() {
    static const fixture f = make_fixture(spki2048, sig2048);
    return f;
}
const fixture& rsa4096() {
    static const fixture f = make_fixture(spki4096, sig4096);
    return f;
}

double ours_verify(const fixture& f, double seconds) {
    return bench::ops_per_second(seconds, [&] {
        auto st =
            https::crypto::verify_pkcs1v15(f.key, https::crypto::hash_id::sha256, f.digest, f.sig);
        bench::keep(st);
    });
}

double ours_encrypt(const fixture& f, double seconds) {
    std::array<std::uint8_t, 48> premaster{};
    https::byte_vector out(f.key.size());
    return bench::ops_per_second(seconds, [&] {
        auto st = https::crypto::encrypt_pkcs1v15(f.key, premaster, out);
        bench::keep(st);
        bench::keep(out[0]);
    });
}

/// The private key of rsa2048() from its RSAPrivateKey DER (RFC 8017 A.1.2, two primes).
const https::crypto::rsa_private_key& private_key2048() {
    static const https::crypto::rsa_private_key key = [] {
        const https::byte_vector der = unhex(private2048);
        https::der::parser top(der);
        auto seq = top.read_sequence();
        if (!seq || !seq->read_small_unsigned(0)) {
            std::abort();
        }
        std::array<https::bytes_view, 8> v{};
        for (auto& field : v) {
            auto i = seq->read_unsigned_integer();
            if (!i) {
                std::abort();
            }
            field = *i;
        }
        auto k = https::crypto::rsa_private_key::from_components(
            {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]});
        if (!k) {
            std::fprintf(stderr, "bench_rsa: embedded private key rejected\n");
            std::abort();
        }
        return *k;
    }();
    return key;
}

double ours_sign(bool pss, double seconds) {
    const auto& key = private_key2048();
    const fixture& f = rsa2048();
    https::byte_vector sig(key.size());
    const auto params = https::crypto::pss_params::for_hash(https::crypto::hash_id::sha256);
    return bench::ops_per_second(seconds, [&] {
        auto st = pss ? https::crypto::sign_pss(key, params, f.digest, sig)
                      : https::crypto::sign_pkcs1v15(key, https::crypto::hash_id::sha256,
                                                     f.digest, sig);
        if (!st) {
            std::abort();
        }
        bench::keep(sig[0]);
    });
}

#if HTTPS_BENCH_OPENSSL
double openssl_sign(bool pss, double seconds) {
    const https::byte_vector der = unhex(private2048);
    const unsigned char* p = der.data();
    EVP_PKEY* k = d2i_PrivateKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size()));
    EVP_PKEY_CTX* ctx = k != nullptr ? EVP_PKEY_CTX_new(k, nullptr) : nullptr;
    if (ctx == nullptr || EVP_PKEY_sign_init(ctx) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx, pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) != 1 ||
        (pss && EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, 32) != 1)) {
        std::abort();
    }
    const fixture& f = rsa2048();
    https::byte_vector sig(256);
    const double rate = bench::ops_per_second(seconds, [&] {
        std::size_t len = sig.size();
        if (EVP_PKEY_sign(ctx, sig.data(), &len, f.digest.data(), f.digest.size()) != 1) {
            std::abort();
        }
        bench::keep(sig[0]);
    });
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(k);
    return rate;
}

EVP_PKEY* openssl_key(const fixture& f) {
    const unsigned char* p = f.spki.data();
    EVP_PKEY* k = d2i_PUBKEY(nullptr, &p, static_cast<long>(f.spki.size()));
    if (k == nullptr) {
        std::abort();
    }
    return k;
}

double openssl_verify(const fixture& f, double seconds) {
    EVP_PKEY* k = openssl_key(f);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(k, nullptr);
    if (EVP_PKEY_verify_init(ctx) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) != 1) {
        std::abort();
    }
    const double rate = bench::ops_per_second(seconds, [&] {
        int ok = EVP_PKEY_verify(ctx, f.sig.data(), f.sig.size(), f.digest.data(), f.digest.size());
        if (ok != 1) {
            std::abort();
        }
    });
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(k);
    return rate;
}

double openssl_encrypt(const fixture& f, double seconds) {
    EVP_PKEY* k = openssl_key(f);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(k, nullptr);
    if (EVP_PKEY_encrypt_init(ctx) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1) {
        std::abort();
    }
    std::array<std::uint8_t, 48> premaster{};
    https::byte_vector out(f.key.size());
    const double rate = bench::ops_per_second(seconds, [&] {
        std::size_t len = out.size();
        if (EVP_PKEY_encrypt(ctx, out.data(), &len, premaster.data(), premaster.size()) != 1) {
            std::abort();
        }
        bench::keep(out[0]);
    });
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(k);
    return rate;
}
#define HTTPS_RSA_OPENSSL(fn, fix) [](double s) { return fn(fix(), s); }
#define HTTPS_RSA_OPENSSL_SIGN(pss) [](double s) { return openssl_sign(pss, s); }
#else
#define HTTPS_RSA_OPENSSL_SIGN(pss)                                                                \
    bench::measure_fn {}
#define HTTPS_RSA_OPENSSL(fn, fix)                                                                 \
    bench::measure_fn {}
#endif

} // namespace

HTTPS_BENCH(
    "rsa2048_verify", "ops/s", [](double s) { return ours_verify(rsa2048(), s); },
    HTTPS_RSA_OPENSSL(openssl_verify, rsa2048));
HTTPS_BENCH(
    "rsa4096_verify", "ops/s", [](double s) { return ours_verify(rsa4096(), s); },
    HTTPS_RSA_OPENSSL(openssl_verify, rsa4096));
HTTPS_BENCH(
    "rsa2048_encrypt", "ops/s", [](double s) { return ours_encrypt(rsa2048(), s); },
    HTTPS_RSA_OPENSSL(openssl_encrypt, rsa2048));
HTTPS_BENCH(
    "rsa2048_sign_pkcs1", "ops/s", [](double s) { return ours_sign(false, s); },
    HTTPS_RSA_OPENSSL_SIGN(false));
HTTPS_BENCH(
    "rsa2048_sign_pss", "ops/s", [](double s) { return ours_sign(true, s); },
    HTTPS_RSA_OPENSSL_SIGN(true));
