// Differential fuzzing of our symmetric crypto, X25519 and Ed25519 verification against OpenSSL's
// libcrypto on the same inputs. The first byte picks the primitive (byte % 10): SHA-256, SHA-384,
// SHA-512, HMAC-SHA256, HMAC-SHA384, AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305, X25519,
// Ed25519. The rest is split as:
//   hashes:  cut, message                    (digest one-shot and in two pieces split at cut)
//   HMAC:    key length, cut, key, message   (a short input truncates the key)
//   AEADs:   key (16 or 32), nonce (12), AAD length, AAD, message
//   X25519:  scalar (32), u-coordinate (32)  (any bytes: twist, non-canonical, small order)
//   Ed25519: mode, then with an even mode   public key (32), signature (64), message
//                       with an odd mode    seed (32), mask (96), message: OpenSSL signs the
//                       message with the seed's key and the mask is XORed onto key || signature
// AEADs: our seal must equal OpenSSL's ciphertext || tag, our open of OpenSSL's output must give
// the plaintext back, and with one tag bit flipped it must fail with bad_tag and a zeroed output.
// X25519: the shared secret must equal EVP_PKEY_derive's; OpenSSL refuses an all-zero result,
// and so must we (errc::zero_shared_secret, output zero). Ed25519: our verdict must equal
// EVP_DigestVerify's, except that we refuse keys OpenSSL decodes leniently (RFC 8032 §5.1.3: a
// y-coordinate >= p, or x = 0 with the sign bit) with bad_public_key. Each input runs on every CPU
// path the machine has (SHA-NI or portable SHA-256; AES-NI / PCLMULQDQ and the GCM loop variants;
// AVX2 or portable ChaCha20/Poly1305). A mismatch prints the primitive and path, then traps.
#include <https/core/cpu.hpp>
#include <https/crypto/chacha20_poly1305.hpp>
#include <https/crypto/ed25519.hpp>
#include <https/crypto/gcm.hpp>
#include <https/crypto/hmac.hpp>
#include <https/crypto/sha2.hpp>
#include <https/crypto/x25519.hpp>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <vector>

using namespace https;

namespace {

using cpu_features = https::detail::cpu_features;

/// Report a disagreement (or an oracle failure) and stop the fuzzer.
[[noreturn]] void fail(const char* primitive, const char* what, const char* path) {
    std::fprintf(stderr, "fuzz_differential: %s: %s [path %s]\n", primitive, what, path);
    __builtin_trap();
}

/// The fuzzer's bytes, consumed front to back.
class input {
  public:
    input(const std::uint8_t* p, std::size_t n) : p_(p), n_(n) {}

    /// One byte, or 0 once the input is used up.
    std::uint8_t byte() {
        if (n_ == 0) {
            return 0;
        }
        --n_;
        return *p_++;
    }
    /// Exactly `k` bytes into `out`; false (nothing consumed) when fewer are left.
    template <std::size_t K> bool fixed(std::array<std::uint8_t, K>& out) {
        if (n_ < K) {
            return false;
        }
        std::copy(p_, p_ + K, out.begin());
        p_ += K;
        n_ -= K;
        return true;
    }
    /// Up to `k` bytes.
    bytes_view up_to(std::size_t k) {
        k = std::min(k, n_);
        const bytes_view v(p_, k);
        p_ += k;
        n_ -= k;
        return v;
    }
    bytes_view rest() { return up_to(n_); }

  private:
    const std::uint8_t* p_;
    std::size_t n_;
};

/// One setting of the CPU features the dispatchers read; installed for a scope.
struct cpu_path {
    const char* name;
    cpu_features features;
};

class use_path {
  public:
    explicit use_path(const cpu_path& p) : saved_(cpu_features::current()) {
        cpu_features::current() = p.features;
    }
    use_path(const use_path&) = delete;
    use_path& operator=(const use_path&) = delete;
    ~use_path() { cpu_features::current() = saved_; }

  private:
    cpu_features saved_;
};

/// SHA-256: SHA-NI when present, and the portable code always.
const std::vector<cpu_path>& sha256_paths() {
    static const std::vector<cpu_path> paths = [] {
        const cpu_features f = cpu_features::detect();
        std::vector<cpu_path> out;
        if (f.sha_ni) {
            out.push_back({"sha-ni", f});
        }
        cpu_features portable = f;
        portable.sha_ni = false;
        out.push_back({"portable", portable});
        return out;
    }();
    return paths;
}

/// AES-GCM: bitsliced AES or AES-NI, constant-time GHASH or PCLMULQDQ, and with both hardware
/// features the one-pass loop on 256-bit vectors, in AVX encoding, and in SSE4.1 encoding.
const std::vector<cpu_path>& gcm_paths() {
    static const std::vector<cpu_path> paths = [] {
        const cpu_features f = cpu_features::detect();
        const bool ni = f.aesni && f.ssse3 && f.sse41;
        const bool clmul = f.pclmul && f.ssse3 && f.sse41;
        auto with = [&f](bool aesni, bool pclmul) {
            cpu_features g = f;
            g.aesni = f.aesni && aesni;
            g.pclmul = f.pclmul && pclmul;
            return g;
        };
        std::vector<cpu_path> out;
        out.push_back({"aes_ct64+ghash_ct", with(false, false)});
        if (ni) {
            out.push_back({"aesni+ghash_ct", with(true, false)});
        }
        if (clmul) {
            out.push_back({"aes_ct64+pclmul", with(false, true)});
        }
        if (ni && clmul) {
            cpu_features g = with(true, true);
            if (g.vaes && g.vpclmulqdq && g.avx2) {
                out.push_back({"aesni+pclmul+wide", g});
            }
            g.vaes = false;
            g.vpclmulqdq = false;
            if (g.avx) {
                out.push_back({"aesni+pclmul+avx", g});
            }
            g.avx = false;
            out.push_back({"aesni+pclmul+sse", g});
        }
        return out;
    }();
    return paths;
}

/// ChaCha20 and Poly1305: AVX2 when present, and the portable code always.
const std::vector<cpu_path>& chacha20_paths() {
    static const std::vector<cpu_path> paths = [] {
        const cpu_features f = cpu_features::detect();
        std::vector<cpu_path> out;
        if (f.avx2) {
            out.push_back({"avx2", f});
        }
        cpu_features portable = f;
        portable.avx2 = false;
        out.push_back({"portable", portable});
        return out;
    }();
    return paths;
}

/// Primitives with one implementation (SHA-384/512, X25519): the detected features as they are.
const std::vector<cpu_path>& single_path() {
    static const std::vector<cpu_path> paths{{"portable", cpu_features::detect()}};
    return paths;
}

// ---- OpenSSL, the oracle. Algorithms are fetched once and kept for the process's lifetime.

const EVP_MD* openssl_md(const char* name) {
    EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
    if (md == nullptr) {
        fail(name, "EVP_MD_fetch failed", "openssl");
    }
    return md;
}

const EVP_CIPHER* openssl_cipher(const char* name) {
    EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, name, nullptr);
    if (c == nullptr) {
        fail(name, "EVP_CIPHER_fetch failed", "openssl");
    }
    return c;
}

std::vector<std::uint8_t> openssl_digest(const char* primitive, const EVP_MD* md, bytes_view msg) {
    std::vector<std::uint8_t> out(EVP_MAX_MD_SIZE);
    unsigned int len = 0;
    if (EVP_Digest(msg.data(), msg.size(), out.data(), &len, md, nullptr) != 1) {
        fail(primitive, "EVP_Digest failed", "openssl");
    }
    out.resize(len);
    return out;
}

std::vector<std::uint8_t> openssl_hmac(const char* primitive, const char* digest, bytes_view key,
                                       bytes_view msg) {
    static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    EVP_MAC_CTX* ctx = mac != nullptr ? EVP_MAC_CTX_new(mac) : nullptr;
    if (ctx == nullptr) {
        fail(primitive, "EVP_MAC setup failed", "openssl");
    }
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest), 0),
        OSSL_PARAM_construct_end()};
    // EVP_MAC_init reads a null key as "no new key": pass a real pointer for the empty key.
    static const std::uint8_t no_key = 0;
    std::vector<std::uint8_t> out(EVP_MAX_MD_SIZE);
    std::size_t len = 0;
    const bool ok = EVP_MAC_init(ctx, key.empty() ? &no_key : key.data(), key.size(), params) == 1 &&
                    EVP_MAC_update(ctx, msg.data(), msg.size()) == 1 &&
                    EVP_MAC_final(ctx, out.data(), &len, out.size()) == 1;
    EVP_MAC_CTX_free(ctx);
    if (!ok) {
        fail(primitive, "EVP_MAC failed", "openssl");
    }
    out.resize(len);
    return out;
}

/// OpenSSL's AEAD seal: ciphertext || 16-byte tag.
std::vector<std::uint8_t> openssl_seal(const char* primitive, const EVP_CIPHER* cipher,
                                       bytes_view key, bytes_view nonce, bytes_view ad,
                                       bytes_view msg) {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    if (ctx == nullptr) {
        fail(primitive, "EVP_CIPHER_CTX_new failed", "openssl");
    }
    std::vector<std::uint8_t> out(msg.size() + 16);
    int len = 0, fin = 0, ignored = 0;
    bool ok = EVP_EncryptInit_ex(ctx, cipher, nullptr, nullptr, nullptr) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(nonce.size()),
                                  nullptr) == 1 &&
              EVP_EncryptInit_ex(ctx, nullptr, nullptr, key.data(), nonce.data()) == 1;
    if (ok && !ad.empty()) {
        ok = EVP_EncryptUpdate(ctx, nullptr, &ignored, ad.data(), static_cast<int>(ad.size())) == 1;
    }
    if (ok && !msg.empty()) {
        ok = EVP_EncryptUpdate(ctx, out.data(), &len, msg.data(), static_cast<int>(msg.size())) ==
             1;
    }
    ok = ok && EVP_EncryptFinal_ex(ctx, out.data() + len, &fin) == 1 &&
         static_cast<std::size_t>(len + fin) == msg.size() &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out.data() + msg.size()) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) {
        fail(primitive, "EVP AEAD encryption failed", "openssl");
    }
    return out;
}

// ---- The checks.

/// Hashes: [cut][message]. Our digest one-shot and in two updates against EVP_Digest.
template <crypto::hash_function H>
void check_hash(const char* primitive, const char* md_name, const std::vector<cpu_path>& paths,
                input in) {
    static const EVP_MD* md = openssl_md(md_name);
    const std::uint8_t cut_byte = in.byte();
    const bytes_view msg = in.rest();
    const std::size_t cut = msg.size() * cut_byte / 255;
    const std::vector<std::uint8_t> theirs = openssl_digest(primitive, md, msg);
    if (theirs.size() != H::digest_size) {
        fail(primitive, "OpenSSL digest length", "openssl");
    }
    for (const cpu_path& p : paths) {
        use_path use(p);
        const crypto::digest<H> one_shot = crypto::hash<H>(msg);
        H h;
        h.update(msg.first(cut));
        h.update(msg.subspan(cut));
        crypto::digest<H> pieces{};
        h.finish(pieces);
        if (!std::equal(one_shot.begin(), one_shot.end(), theirs.begin())) {
            fail(primitive, "one-shot digest differs from OpenSSL", p.name);
        }
        if (pieces != one_shot) {
            fail(primitive, "digest in two updates differs from one-shot", p.name);
        }
    }
}

/// HMAC: [key length][cut][key][message]. Our MAC one-shot and streamed against EVP_MAC; our
/// verify accepts OpenSSL's tag and rejects it with one bit flipped.
template <crypto::hash_function H>
void check_hmac(const char* primitive, const char* digest_name,
                const std::vector<cpu_path>& paths, input in) {
    const std::size_t key_len = in.byte();
    const std::uint8_t cut_byte = in.byte();
    const bytes_view key = in.up_to(key_len);
    const bytes_view msg = in.rest();
    const std::size_t cut = msg.size() * cut_byte / 255;
    const std::vector<std::uint8_t> theirs = openssl_hmac(primitive, digest_name, key, msg);
    if (theirs.size() != H::digest_size) {
        fail(primitive, "OpenSSL MAC length", "openssl");
    }
    std::vector<std::uint8_t> flipped = theirs;
    flipped[cut_byte % flipped.size()] ^= static_cast<std::uint8_t>(1u << (cut_byte % 8));
    for (const cpu_path& p : paths) {
        use_path use(p);
        const crypto::digest<H> one_shot = crypto::hmac<H>::mac(key, msg);
        crypto::hmac<H> m(key);
        m.update(msg.first(cut));
        m.update(msg.subspan(cut));
        crypto::digest<H> pieces{};
        m.finish(pieces);
        if (!std::equal(one_shot.begin(), one_shot.end(), theirs.begin())) {
            fail(primitive, "one-shot MAC differs from OpenSSL", p.name);
        }
        if (pieces != one_shot) {
            fail(primitive, "MAC in two updates differs from one-shot", p.name);
        }
        if (!crypto::hmac<H>::verify(key, msg, theirs)) {
            fail(primitive, "verify rejects OpenSSL's tag", p.name);
        }
        if (crypto::hmac<H>::verify(key, msg, flipped)) {
            fail(primitive, "verify accepts a tag with a flipped bit", p.name);
        }
    }
}

/// AEADs: [key][nonce][AAD length][AAD][message].
template <class Aead>
void check_aead(const char* primitive, const char* cipher_name,
                const std::vector<cpu_path>& paths, input in) {
    static const EVP_CIPHER* cipher = openssl_cipher(cipher_name);
    std::array<std::uint8_t, Aead::key_size> key{};
    std::array<std::uint8_t, Aead::nonce_size> nonce{};
    if (!in.fixed(key) || !in.fixed(nonce)) {
        return;
    }
    const std::size_t ad_len = in.byte();
    const bytes_view ad = in.up_to(ad_len);
    const bytes_view msg = in.rest();
    const std::vector<std::uint8_t> theirs = openssl_seal(primitive, cipher, key, nonce, ad, msg);
    std::vector<std::uint8_t> tampered = theirs;
    // Which tag bit to flip is derived from the input, so every bit gets its turn.
    const std::size_t bit = (ad_len + msg.size()) % (8 * Aead::tag_size);
    tampered[msg.size() + bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));

    std::vector<std::uint8_t> sealed(msg.size() + Aead::tag_size);
    std::vector<std::uint8_t> opened(msg.size());
    for (const cpu_path& p : paths) {
        use_path use(p); // before the key is set: GCM picks its code when constructed
        const Aead aead(key);
        if (!aead.seal(nonce, ad, msg, sealed).ok()) {
            fail(primitive, "seal failed", p.name);
        }
        if (sealed != theirs) {
            fail(primitive, "seal (ciphertext || tag) differs from OpenSSL", p.name);
        }
        std::fill(opened.begin(), opened.end(), std::uint8_t{0xa5});
        if (!aead.open(nonce, ad, theirs, opened).ok()) {
            fail(primitive, "open rejects OpenSSL's output", p.name);
        }
        if (!std::equal(opened.begin(), opened.end(), msg.begin(), msg.end())) {
            fail(primitive, "open of OpenSSL's output gives another plaintext", p.name);
        }
        std::fill(opened.begin(), opened.end(), std::uint8_t{0xa5});
        if (aead.open(nonce, ad, tampered, opened).error() != errc::bad_tag) {
            fail(primitive, "open accepts a tag with a flipped bit", p.name);
        }
        if (std::any_of(opened.begin(), opened.end(), [](std::uint8_t b) { return b != 0; })) {
            fail(primitive, "failed open left output that is not zero-filled", p.name);
        }
    }
}

struct pkey_deleter {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
    void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_deleter>;
using pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, pkey_deleter>;

/// X25519: [scalar][u]. Shared secret against EVP_PKEY_derive (which refuses an all-zero
/// result, as our x25519 does with zero_shared_secret), public key against OpenSSL's.
void check_x25519(input in) {
    const char* primitive = "X25519";
    std::array<std::uint8_t, 32> scalar{}, u{};
    if (!in.fixed(scalar) || !in.fixed(u)) {
        return;
    }
    pkey_ptr priv(
        EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, scalar.data(), scalar.size()));
    pkey_ptr peer(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, u.data(), u.size()));
    if (!priv || !peer) {
        fail(primitive, "EVP_PKEY_new_raw_*_key failed", "openssl");
    }
    std::array<std::uint8_t, 32> their_pub{};
    std::size_t pub_len = their_pub.size();
    if (EVP_PKEY_get_raw_public_key(priv.get(), their_pub.data(), &pub_len) != 1 || pub_len != 32) {
        fail(primitive, "EVP_PKEY_get_raw_public_key failed", "openssl");
    }
    pkey_ctx_ptr ctx(EVP_PKEY_CTX_new(priv.get(), nullptr));
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
        EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1) {
        fail(primitive, "EVP_PKEY_derive setup failed", "openssl");
    }
    std::array<std::uint8_t, 32> theirs{};
    std::size_t len = theirs.size();
    const bool theirs_ok = EVP_PKEY_derive(ctx.get(), theirs.data(), &len) == 1;
    if (theirs_ok && len != 32) {
        fail(primitive, "EVP_PKEY_derive length", "openssl");
    }

    const char* path = single_path().front().name;
    std::array<std::uint8_t, 32> ours{};
    ours.fill(0xa5);
    const status st = crypto::x25519(scalar, u, ours);
    if (st.ok() != theirs_ok) {
        fail(primitive, theirs_ok ? "we refuse a result OpenSSL accepts"
                                  : "we accept a result OpenSSL refuses (all-zero)",
             path);
    }
    if (theirs_ok) {
        if (ours != theirs) {
            fail(primitive, "shared secret differs from OpenSSL", path);
        }
    } else {
        if (st.error() != errc::zero_shared_secret) {
            fail(primitive, "refusal is not zero_shared_secret", path);
        }
        if (ours != std::array<std::uint8_t, 32>{}) {
            fail(primitive, "refused result is not all zero", path);
        }
    }
    std::array<std::uint8_t, 32> our_pub{};
    crypto::x25519_public_key(scalar, our_pub);
    if (our_pub != their_pub) {
        fail(primitive, "public key differs from OpenSSL", path);
    }
}

/// Ed25519 verification against EVP_DigestVerify (see the file comment for the input layout).
void check_ed25519(input in) {
    const char* primitive = "Ed25519";
    using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
    const bool sign_first = (in.byte() & 1) != 0;
    std::array<std::uint8_t, 32> key{};
    std::array<std::uint8_t, 64> sig{};
    bytes_view msg;
    if (sign_first) {
        std::array<std::uint8_t, 32> seed{};
        std::array<std::uint8_t, 96> mask{};
        if (!in.fixed(seed) || !in.fixed(mask)) {
            return;
        }
        msg = in.rest();
        pkey_ptr priv(
            EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
        md_ctx_ptr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
        std::size_t key_len = key.size();
        std::size_t sig_len = sig.size();
        if (!priv || !ctx || EVP_PKEY_get_raw_public_key(priv.get(), key.data(), &key_len) != 1 ||
            EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, priv.get()) != 1 ||
            EVP_DigestSign(ctx.get(), sig.data(), &sig_len, msg.data(), msg.size()) != 1 ||
            key_len != key.size() || sig_len != sig.size()) {
            fail(primitive, "signing failed", "openssl");
        }
        if (std::all_of(mask.begin(), mask.end(), [](std::uint8_t b) { return b == 0; }) &&
            !crypto::ed25519_verify(key, msg, sig).ok()) {
            fail(primitive, "we refuse a signature OpenSSL made", "portable");
        }
        for (std::size_t i = 0; i < mask.size(); ++i) {
            (i < key.size() ? key[i] : sig[i - key.size()]) ^= mask[i];
        }
    } else {
        if (!in.fixed(key) || !in.fixed(sig)) {
            return;
        }
        msg = in.rest();
    }
    pkey_ptr pub(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size()));
    md_ctx_ptr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!pub || !ctx ||
        EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pub.get()) != 1) {
        fail(primitive, "EVP_DigestVerifyInit failed", "openssl");
    }
    const bool theirs =
        EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), msg.data(), msg.size()) == 1;
    const status ours = crypto::ed25519_verify(key, msg, sig);
    if (ours.ok() == theirs) {
        return;
    }
    if (theirs && ours.error() == errc::bad_public_key) {
        return; // a key with y >= p (OpenSSL reduces it) or x = 0 with the sign bit set
    }
    fail(primitive,
         theirs ? "we refuse a signature OpenSSL accepts" : "we accept a signature OpenSSL refuses",
         "portable");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const input in(data + 1, size - 1);
    switch (data[0] % 10) {
    case 0:
        check_hash<crypto::sha256>("SHA-256", "SHA256", sha256_paths(), in);
        break;
    case 1:
        check_hash<crypto::sha384>("SHA-384", "SHA384", single_path(), in);
        break;
    case 2:
        check_hash<crypto::sha512>("SHA-512", "SHA512", single_path(), in);
        break;
    case 3:
        check_hmac<crypto::sha256>("HMAC-SHA256", "SHA256", sha256_paths(), in);
        break;
    case 4:
        check_hmac<crypto::sha384>("HMAC-SHA384", "SHA384", single_path(), in);
        break;
    case 5:
        check_aead<crypto::aes128_gcm>("AES-128-GCM", "AES-128-GCM", gcm_paths(), in);
        break;
    case 6:
        check_aead<crypto::aes256_gcm>("AES-256-GCM", "AES-256-GCM", gcm_paths(), in);
        break;
    case 7:
        check_aead<crypto::chacha20_poly1305>("ChaCha20-Poly1305", "ChaCha20-Poly1305",
                                              chacha20_paths(), in);
        break;
    case 8:
        check_x25519(in);
        break;
    default:
        check_ed25519(in);
        break;
    }
    return 0;
}
