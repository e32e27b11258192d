// AES-GCM: NIST CAVP GCM files and Wycheproof on every implementation path (portable or AES-NI
// AES x portable or PCLMULQDQ GHASH, and each encoding of the one-pass loop: 256-bit, AVX, SSE),
// a differential test across the paths and against OpenSSL, GHASH arithmetic checks, bad input
// and length limits.
#include "aes_paths.hpp"
#include <support/aead_conformance.hpp>

#include <https/crypto/gcm.hpp>
#include <support/vectors.hpp>

#include <openssl/evp.h>

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <random>

using namespace https;
using namespace https::crypto;

namespace {

template <class Aead> Aead make_aead(const test::bytes& key) {
    REQUIRE(key.size() == Aead::key_size);
    return Aead(std::span<const std::uint8_t, Aead::key_size>(key.data(), Aead::key_size));
}

/// One record of a NIST GCM file, parsed once (the files are ~3 MB each).
struct gcm_record {
    test::bytes key, iv, pt, aad, ct, tag;
    bool fail = false; // decrypt files: the tag must not verify
};

std::vector<gcm_record> load_gcm(const std::string& file) {
    std::vector<gcm_record> out;
    for (const auto& rec : test::read_rsp("nist/gcm/" + file)) {
        gcm_record r;
        r.key = rec.bytes_of("Key");
        r.iv = rec.bytes_of("IV");
        r.aad = rec.bytes_of("AAD");
        r.ct = rec.bytes_of("CT");
        r.tag = rec.bytes_of("Tag");
        r.fail = rec.has("FAIL");
        if (!r.fail) {
            r.pt = rec.bytes_of("PT");
        }
        out.push_back(std::move(r));
    }
    return out;
}

const std::vector<gcm_record>& gcm_file(const std::string& file) {
    static std::map<std::string, std::vector<gcm_record>> cache;
    auto it = cache.find(file);
    if (it == cache.end()) {
        it = cache.emplace(file, load_gcm(file)).first;
    }
    return it->second;
}

struct gcm_counts {
    std::size_t passed = 0;    // 96-bit IV: output and tag as expected
    std::size_t rejected = 0;  // 96-bit IV, FAIL entry: refused with bad_tag, output zeroed
    std::size_t bad_nonce = 0; // other IV lengths: refused with bad_nonce_size
};

/// gcmEncryptExtIV*: seal must give CT and (the first Taglen bits of) the tag.
template <class Aead> gcm_counts run_gcm_encrypt(const std::string& file) {
    gcm_counts n;
    for (const auto& r : gcm_file(file)) {
        const Aead g = make_aead<Aead>(r.key);
        test::bytes ct(r.pt.size());
        std::array<std::uint8_t, 16> tag{};
        const auto s = g.seal_detached(r.iv, r.aad, r.pt, ct, tag);
        if (r.iv.size() != 12) {
            REQUIRE(s.error() == errc::bad_nonce_size);
            ++n.bad_nonce;
            continue;
        }
        REQUIRE(s.ok());
        CHECK(ct == r.ct);
        CHECK(test::bytes(tag.begin(), tag.begin() + static_cast<long>(r.tag.size())) == r.tag);
        ++n.passed;
    }
    return n;
}

/// gcmDecrypt*: the tag (possibly truncated) must verify and give PT, or be refused (FAIL).
template <class Aead> gcm_counts run_gcm_decrypt(const std::string& file) {
    gcm_counts n;
    for (const auto& r : gcm_file(file)) {
        const Aead g = make_aead<Aead>(r.key);
        test::bytes pt(r.ct.size(), 0xAA);
        const auto s =
            crypto::detail::gcm_internals::open_truncated(g, r.iv, r.aad, r.ct, r.tag, pt);
        if (r.iv.size() != 12) {
            REQUIRE(s.error() == errc::bad_nonce_size);
            ++n.bad_nonce;
            continue;
        }
        if (r.fail) {
            REQUIRE(s.error() == errc::bad_tag);
            CHECK(std::all_of(pt.begin(), pt.end(), [](auto b) { return b == 0; }));
            ++n.rejected;
        } else {
            REQUIRE(s.ok());
            CHECK(pt == r.pt);
            ++n.passed;
        }
        if (r.tag.size() == 16) { // the public API with the combined ciphertext || tag form
            test::bytes sealed = r.ct;
            sealed.insert(sealed.end(), r.tag.begin(), r.tag.end());
            test::bytes out(r.ct.size());
            CHECK(g.open(r.iv, r.aad, sealed, out).ok() == !r.fail);
        }
    }
    return n;
}

} // namespace

// Each file has 7875 entries: 2625 per IV length (8, 96, 1024 bits). Only 96-bit nonces are
// supported (TLS uses nothing else), so the 5250 others must be refused with bad_nonce_size.
TEST_CASE("AES-GCM: NIST CAVP gcmEncryptExtIV128/256, every implementation path",
          "[crypto][gcm][vectors]") {
    for (const auto& path : test::impl_paths()) {
        test::use_path use(path);
        INFO("path " << path.name());
        for (const char* file : {"gcmEncryptExtIV128.rsp", "gcmEncryptExtIV256.rsp"}) {
            INFO(file);
            const auto n = std::string(file).find("128") != std::string::npos
                               ? run_gcm_encrypt<aes128_gcm>(file)
                               : run_gcm_encrypt<aes256_gcm>(file);
            CHECK(n.passed == 2625);
            CHECK(n.bad_nonce == 5250);
            CHECK(n.rejected == 0);
        }
    }
}

TEST_CASE("AES-GCM: NIST CAVP gcmDecrypt128/256, FAIL entries rejected, every implementation path",
          "[crypto][gcm][vectors]") {
    for (const auto& path : test::impl_paths()) {
        test::use_path use(path);
        INFO("path " << path.name());
        const auto n128 = run_gcm_decrypt<aes128_gcm>("gcmDecrypt128.rsp");
        CHECK(n128.passed == 1262);
        CHECK(n128.rejected == 1363);
        CHECK(n128.bad_nonce == 5250);
        const auto n256 = run_gcm_decrypt<aes256_gcm>("gcmDecrypt256.rsp");
        CHECK(n256.passed == 1308);
        CHECK(n256.rejected == 1317);
        CHECK(n256.bad_nonce == 5250);
    }
}

// Wycheproof aes_gcm_test.json, 316 cases:
//  - 103 with 192-bit keys: AES-192 is not implemented, counted as skipped-unsupported;
//  - 79 valid with 96-bit IVs: seal gives ct || tag, open gives msg;
//  - 54 invalid with 96-bit IVs (ModifiedTag): open refuses with bad_tag and zeroes the output;
//  - 4 invalid with an empty IV (ZeroLengthIv): refused with bad_nonce_size, the right verdict;
//  - 76 valid with other IV lengths (SmallIv, LongIv, and the 128-bit-IV CounterWrap etc.):
//    GCM with a GHASH-derived J0 is deliberately not supported (TLS only uses 96-bit nonces), so
//    they are refused with bad_nonce_size and counted as unsupported.
// There are no `acceptable` cases in this file version (asserted).
TEST_CASE("AES-GCM: Wycheproof aes_gcm_test.json, every implementation path",
          "[crypto][gcm][wycheproof]") {
    const auto j = test::read_wycheproof("aes_gcm_test.json");
    for (const auto& path : test::impl_paths()) {
        test::use_path use(path);
        INFO("path " << path.name());
        std::size_t total = 0, unsupported_key = 0, valid = 0, invalid_tag = 0, invalid_iv = 0,
                    unsupported_iv = 0;
        for (const auto& g : j.at("testGroups")) {
            for (const auto& t : g.at("tests")) {
                ++total;
                INFO("tcId " << t.at("tcId").get<int>());
                const auto key = test::hex(t.at("key"));
                const auto iv = test::hex(t.at("iv"));
                const auto aad = test::hex(t.at("aad"));
                const auto msg = test::hex(t.at("msg"));
                const auto ct = test::hex(t.at("ct"));
                const auto tag = test::hex(t.at("tag"));
                const std::string expected = t.at("result");
                REQUIRE(expected != "acceptable");
                REQUIRE(tag.size() == 16);
                if (key.size() != 16 && key.size() != 32) {
                    ++unsupported_key;
                    continue;
                }
                test::bytes sealed = ct;
                sealed.insert(sealed.end(), tag.begin(), tag.end());
                test::bytes opened(ct.size(), 0xAA), resealed(msg.size() + 16);
                status open_s, seal_s;
                if (key.size() == 16) {
                    const auto a = make_aead<aes128_gcm>(key);
                    open_s = a.open(iv, aad, sealed, opened);
                    seal_s = a.seal(iv, aad, msg, resealed);
                } else {
                    const auto a = make_aead<aes256_gcm>(key);
                    open_s = a.open(iv, aad, sealed, opened);
                    seal_s = a.seal(iv, aad, msg, resealed);
                }
                if (iv.size() != 12) {
                    CHECK(open_s.error() == errc::bad_nonce_size);
                    CHECK(seal_s.error() == errc::bad_nonce_size);
                    // refused before decryption, output zero-filled (the aead contract)
                    CHECK(std::all_of(opened.begin(), opened.end(),
                                      [](auto b) { return b == 0; }));
                    if (expected == "valid") {
                        ++unsupported_iv;
                    } else {
                        ++invalid_iv;
                    }
                    continue;
                }
                if (expected == "valid") {
                    REQUIRE(open_s.ok());
                    CHECK(opened == msg);
                    REQUIRE(seal_s.ok());
                    CHECK(resealed == sealed);
                    ++valid;
                } else {
                    CHECK(open_s.error() == errc::bad_tag);
                    CHECK(std::all_of(opened.begin(), opened.end(), [](auto b) { return b == 0; }));
                    ++invalid_tag;
                }
            }
        }
        CHECK(total == test::wycheproof_declared_tests(j));
        CHECK(total == 316);
        CHECK(unsupported_key == 103);
        CHECK(valid == 79);
        CHECK(invalid_tag == 54);
        CHECK(invalid_iv == 4);
        CHECK(unsupported_iv == 76);
    }
}

namespace {

/// OpenSSL's AES-GCM seal (the oracle): ciphertext || tag.
test::bytes openssl_seal(const test::bytes& key, const test::bytes& nonce, const test::bytes& aad,
                         const test::bytes& pt) {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    REQUIRE(ctx != nullptr);
    const EVP_CIPHER* alg = key.size() == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
    REQUIRE(EVP_EncryptInit_ex(ctx, alg, nullptr, key.data(), nonce.data()) == 1);
    int n = 0;
    if (!aad.empty()) {
        REQUIRE(EVP_EncryptUpdate(ctx, nullptr, &n, aad.data(), static_cast<int>(aad.size())) == 1);
    }
    test::bytes out(pt.size() + 16);
    int len = 0;
    if (!pt.empty()) {
        REQUIRE(EVP_EncryptUpdate(ctx, out.data(), &len, pt.data(), static_cast<int>(pt.size())) ==
                1);
    }
    int fin = 0;
    REQUIRE(EVP_EncryptFinal_ex(ctx, out.data() + len, &fin) == 1);
    REQUIRE(static_cast<std::size_t>(len + fin) == pt.size());
    REQUIRE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out.data() + pt.size()) == 1);
    EVP_CIPHER_CTX_free(ctx);
    return out;
}

test::bytes random_bytes(std::mt19937_64& rng, std::size_t n) {
    test::bytes b(n);
    for (auto& x : b) {
        x = static_cast<std::uint8_t>(rng());
    }
    return b;
}

/// The lengths the differential test covers: every length up to 300, then every length within
/// one byte of a block boundary up to 4096 (which includes every 12- and 16-block batch
/// boundary), and a few TLS-record-sized ones.
std::vector<std::size_t> differential_lengths() {
    std::vector<std::size_t> out;
    for (std::size_t n = 0; n <= 4096; ++n) {
        const std::size_t m = n % 16;
        if (n <= 300 || m <= 1 || m == 15) {
            out.push_back(n);
        }
    }
    for (std::size_t n : {16384u, 16385u, 16401u, 65536u + 17u}) {
        out.push_back(n);
    }
    return out;
}

template <class Aead> std::size_t differential(std::mt19937_64& rng) {
    const auto paths = test::impl_paths();
    std::size_t ran = 0;
    for (const std::size_t len : differential_lengths()) {
        const auto key = random_bytes(rng, Aead::key_size);
        const auto nonce = random_bytes(rng, 12);
        // mostly short AAD (as in TLS), sometimes long enough for several GHASH batches
        const std::size_t aad_len = (rng() % 4 == 0) ? rng() % 400 : rng() % 24;
        const auto aad = random_bytes(rng, aad_len);
        const auto pt = random_bytes(rng, len);
        const auto expected = openssl_seal(key, nonce, aad, pt);
        for (const auto& path : paths) {
            test::use_path use(path);
            INFO("path " << path.name() << " len " << len << " aad " << aad_len);
            const auto a = make_aead<Aead>(key);
            test::bytes sealed(len + 16);
            REQUIRE(a.seal(nonce, aad, pt, sealed).ok());
            REQUIRE(sealed == expected);
            test::bytes opened(len, 0xAA);
            REQUIRE(a.open(nonce, aad, sealed, opened).ok());
            REQUIRE(opened == pt);
            // in place, both directions
            test::bytes buf(len + 16);
            std::copy(pt.begin(), pt.end(), buf.begin());
            REQUIRE(a.seal(nonce, aad, bytes_view(buf.data(), len), buf).ok());
            REQUIRE(buf == expected);
            REQUIRE(a.open(nonce, aad, buf, mutable_bytes(buf.data(), len)).ok());
            REQUIRE(test::bytes(buf.begin(), buf.begin() + static_cast<long>(len)) == pt);
        }
        ++ran;
    }
    return ran;
}

} // namespace

TEST_CASE(
    "AES-GCM: every implementation path agrees with the others and with OpenSSL, lengths 0..4096",
    "[crypto][gcm][openssl]") {
    std::mt19937_64 rng(20240601);
    const std::size_t lengths = differential_lengths().size();
    CHECK(lengths == 1018);
    CHECK(differential<aes128_gcm>(rng) == lengths);
    CHECK(differential<aes256_gcm>(rng) == lengths);
}

namespace {

/// GF(2^128) multiplication straight from SP 800-38D §6.3 Algorithm 1 (bit by bit).
crypto::detail::gf128 reference_mul(crypto::detail::gf128 x, crypto::detail::gf128 y) {
    crypto::detail::gf128 z{}, v = y;
    for (int i = 0; i < 128; ++i) {
        const std::uint64_t bit = i < 64 ? (x.hi >> (63 - i)) & 1 : (x.lo >> (127 - i)) & 1;
        if (bit != 0) {
            z.hi ^= v.hi;
            z.lo ^= v.lo;
        }
        const bool lsb = (v.lo & 1) != 0;
        v.lo = (v.lo >> 1) | (v.hi << 63);
        v.hi >>= 1;
        if (lsb) {
            v.hi ^= 0xE100000000000000ull; // R = 11100001 || 0^120
        }
    }
    return z;
}

void reference_clmul64(std::uint64_t a, std::uint64_t b, std::uint64_t& hi, std::uint64_t& lo) {
    hi = lo = 0;
    for (int i = 0; i < 64; ++i) {
        if ((b >> i) & 1) {
            lo ^= a << i;
            hi ^= i == 0 ? 0 : a >> (64 - i);
        }
    }
}

} // namespace

TEST_CASE("GHASH arithmetic: carry-less products and field multiplication", "[crypto][gcm]") {
    std::mt19937_64 rng(99);
    std::vector<std::uint64_t> words = {0,
                                        1,
                                        2,
                                        ~0ull,
                                        0x8000000000000000ull,
                                        0x5555555555555555ull,
                                        0xAAAAAAAAAAAAAAAAull,
                                        0x1084210842108421ull};
    for (int i = 0; i < 200; ++i) {
        words.push_back(rng());
    }
    std::size_t checked = 0;
    for (auto a : words) {
        for (auto b : words) {
            std::uint64_t rh = 0, rl = 0, h = 0, l = 0, nh = 0, nl = 0;
            reference_clmul64(a, b, rh, rl);
            crypto::detail::clmul64(a, b, h, l);
            crypto::detail::clmul64_narrow(a, b, nh, nl);
            REQUIRE(h == rh);
            REQUIRE(l == rl);
            REQUIRE(nh == rh);
            REQUIRE(nl == rl);
            ++checked;
        }
    }
    CHECK(checked == words.size() * words.size());
    for (int i = 0; i < 2000; ++i) {
        const crypto::detail::gf128 x{rng(), rng()}, y{rng(), rng()};
        const auto z = crypto::detail::gf128_mul(x, y);
        const auto r = reference_mul(x, y);
        REQUIRE(z.hi == r.hi);
        REQUIRE(z.lo == r.lo);
    }
    const crypto::detail::gf128 ones{~0ull, ~0ull};
    const auto z = crypto::detail::gf128_mul(ones, ones);
    const auto r = reference_mul(ones, ones);
    CHECK((z.hi == r.hi && z.lo == r.lo));
}

TEST_CASE("GHASH: PCLMULQDQ and portable agree on every batch size", "[crypto][gcm]") {
    std::mt19937_64 rng(5);
    std::size_t compared = 0;
    for (std::size_t blocks = 0; blocks <= 40; ++blocks) {
        const auto hbytes = random_bytes(rng, 16);
        const auto data = random_bytes(rng, 16 * blocks);
        crypto::detail::gf128 start{rng(), rng()};
        crypto::detail::gf128 y_ct = start;
        {
            test::cpu_override use(false, false);
            crypto::detail::ghash_key k;
            k.set(hbytes.data());
            REQUIRE_FALSE(k.clmul);
            crypto::detail::ghash_blocks(y_ct, k, data.data(), blocks);
        }
        for (const auto& path : test::impl_paths()) {
            if (!path.pclmul) {
                continue;
            }
            test::use_path use(path);
            crypto::detail::ghash_key k;
            k.set(hbytes.data());
            REQUIRE(k.clmul);
            crypto::detail::gf128 y = start;
            crypto::detail::ghash_blocks(y, k, data.data(), blocks);
            REQUIRE(y.hi == y_ct.hi);
            REQUIRE(y.lo == y_ct.lo);
            ++compared;
        }
    }
    std::size_t pclmul_paths = 0;
    for (const auto& path : test::impl_paths()) {
        pclmul_paths += path.pclmul ? 1 : 0;
    }
    CHECK(compared == 41 * pclmul_paths);
}

TEST_CASE("AES-GCM: tampering is rejected and the output zero-filled, every implementation path",
          "[crypto][gcm]") {
    std::mt19937_64 rng(3);
    const auto key = random_bytes(rng, 32);
    const auto nonce = random_bytes(rng, 12);
    const auto aad = random_bytes(rng, 13);
    for (const auto& path : test::impl_paths()) {
        test::use_path use(path);
        INFO("path " << path.name());
        const auto a = make_aead<aes256_gcm>(key);
        for (std::size_t len : {0u, 1u, 15u, 16u, 17u, 128u, 129u, 1000u}) {
            const auto pt = random_bytes(rng, len);
            test::bytes sealed(len + 16);
            REQUIRE(a.seal(nonce, aad, pt, sealed).ok());
            auto expect_rejected = [&](bytes_view n, bytes_view ad, const test::bytes& s) {
                test::bytes out(len, 0xAA);
                CHECK(a.open(n, ad, s, out).error() == errc::bad_tag);
                CHECK(std::all_of(out.begin(), out.end(), [](auto b) { return b == 0; }));
                // in place as well
                test::bytes buf = s;
                CHECK(a.open(n, ad, buf, mutable_bytes(buf.data(), len)).error() == errc::bad_tag);
                CHECK(std::all_of(buf.begin(), buf.begin() + static_cast<long>(len),
                                  [](auto b) { return b == 0; }));
            };
            for (std::size_t i = 0; i < sealed.size(); ++i) { // every byte of ciphertext and tag
                for (std::uint8_t bit : {0x01, 0x80}) {
                    auto bad = sealed;
                    bad[i] ^= bit;
                    expect_rejected(nonce, aad, bad);
                }
            }
            for (std::size_t i = 0; i < aad.size(); ++i) {
                auto bad = aad;
                bad[i] ^= 0x04;
                expect_rejected(nonce, bad, sealed);
            }
            test::bytes longer_aad = aad;
            longer_aad.push_back(0);
            expect_rejected(nonce, longer_aad, sealed);
            expect_rejected(nonce, bytes_view(), sealed);
            for (std::size_t i = 0; i < nonce.size(); ++i) {
                auto bad = nonce;
                bad[i] ^= 0x10;
                expect_rejected(bad, aad, sealed);
            }
            // truncated or extended input is a different message: the tag fails
            if (len > 0) {
                test::bytes shorter(sealed.begin() + 1, sealed.end());
                test::bytes out(shorter.size() - 16, 0xAA);
                CHECK(a.open(nonce, aad, shorter, out).error() == errc::bad_tag);
                CHECK(std::all_of(out.begin(), out.end(), [](auto b) { return b == 0; }));
            }
        }
        // input shorter than a tag
        test::bytes tiny(15, 1), none;
        CHECK(a.open(nonce, aad, tiny, none).error() == errc::bad_tag);
        CHECK(a.open(nonce, aad, bytes_view(), none).error() == errc::bad_tag);
        // nonce sizes other than 96 bits
        for (std::size_t n : {0u, 1u, 8u, 11u, 13u, 16u, 64u}) {
            const auto bad_nonce = random_bytes(rng, n);
            test::bytes out(16 + 5);
            test::bytes pt(5, 7);
            CHECK(a.seal(bad_nonce, aad, pt, out).error() == errc::bad_nonce_size);
            test::bytes opened(5, 0xAA);
            CHECK(a.open(bad_nonce, aad, out, opened).error() == errc::bad_nonce_size);
            CHECK(std::all_of(opened.begin(), opened.end(), [](auto b) { return b == 0; }));
        }
    }
}

TEST_CASE("AES-GCM: the SP 800-38D length limits are enforced", "[crypto][gcm]") {
    // A plaintext of 2^36 - 31 bytes (one byte past 2^39 - 256 bits) must be refused before any
    // byte is read; reserve that much address space (never touched, so never backed by memory)
    // so that the spans describe valid ranges.
    constexpr std::size_t limit = static_cast<std::size_t>(aes128_gcm::max_plaintext_size);
    static_assert(limit == (std::size_t{1} << 36) - 32);
    const std::size_t reserve = limit + 64;
    void* p =
        ::mmap(nullptr, reserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        WARN("cannot reserve 64 GiB of address space; length-limit test skipped");
        return;
    }
    auto* base = static_cast<std::uint8_t*>(p);
    std::array<std::uint8_t, 16> key{};
    std::array<std::uint8_t, 12> nonce{};
    for (const auto& path : test::impl_paths()) {
        test::use_path use(path);
        const aes128_gcm a(key);
        const aes256_gcm b(std::array<std::uint8_t, 32>{});
        const bytes_view huge(base, limit + 1);
        CHECK(a.seal(nonce, {}, huge, mutable_bytes(base, limit + 17)).error() ==
              errc::message_too_long);
        CHECK(b.seal(nonce, {}, huge, mutable_bytes(base, limit + 17)).error() ==
              errc::message_too_long);
        std::array<std::uint8_t, 16> tag{};
        CHECK(a.seal_detached(nonce, {}, huge, mutable_bytes(base, limit + 1), tag).error() ==
              errc::message_too_long);
        // open of (limit + 1) bytes of ciphertext: refused before reading or writing anything
        // (the memory is inaccessible, so any access would crash)
        CHECK(a.open(nonce, {}, bytes_view(base, limit + 17), mutable_bytes(base, limit + 1))
                  .error() == errc::message_too_long);
        CHECK(a.open_detached(nonce, {}, huge, tag, mutable_bytes(base, limit + 1)).error() ==
              errc::message_too_long);
        CHECK(crypto::detail::gcm_internals::open_truncated(
                  a, nonce, {}, huge, bytes_view(tag.data(), 12), mutable_bytes(base, limit + 1))
                  .error() == errc::message_too_long);
        // exactly at the limit the length check passes (not run: it would process 64 GiB)
    }
    ::munmap(p, reserve);
}

TEST_CASE("AES-GCM passes the generic AEAD conformance suite on every path", "[gcm][conformance]") {
    const auto lengths = test::detail::conformance_lengths().size();
    std::size_t paths = 0;
    for (const auto& path : test::impl_paths()) {
        INFO(path.name());
        test::use_path use(path);
        const auto r128 = test::aead_conformance<https::crypto::aes128_gcm>();
        const auto r256 = test::aead_conformance<https::crypto::aes256_gcm>();
        CHECK(r128.round_trips == lengths);
        CHECK(r256.round_trips == lengths);
        CHECK(r128.rejections > 10 * lengths);
        CHECK(r256.rejections > 10 * lengths);
        ++paths;
    }
    CHECK(paths >= 1);
}
