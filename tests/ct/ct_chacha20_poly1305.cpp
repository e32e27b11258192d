// Constant-time check of ChaCha20 (portable and AVX2), Poly1305 and the ChaCha20-Poly1305 AEAD:
// keys and plaintexts poisoned; open's tag comparison must only release the verdict.
#include "ct_harness.hpp"

#include <https/crypto/chacha20_poly1305.hpp>

#include <array>
#include <cstdio>
#include <cstring>

using namespace https;

namespace {

constexpr std::size_t msg_len = 1000; // whole 512-byte strides, a partial stride, a partial block

struct inputs {
    std::array<std::uint8_t, 32> key{};
    std::array<std::uint8_t, 12> nonce{};
    std::array<std::uint8_t, 21> ad{};
    std::array<std::uint8_t, msg_len> msg{};
};

/// The answers, computed before anything is poisoned (on the portable path).
struct answers {
    std::array<std::uint8_t, msg_len> stream{};
    std::array<std::uint8_t, 16> tag{};
    std::array<std::uint8_t, msg_len + 16> sealed{};
};

bool same(const void* a, const void* b, std::size_t n) {
    return std::memcmp(a, b, n) == 0;
}

void check_path(const inputs& clean, const answers& want, const char* path) {
    std::printf("ct check: %s path\n", path);
    inputs in = clean;
    ct_check::secret(in.key);
    ct_check::secret(in.msg);

    // ChaCha20 keystream XOR (RFC 8439 §2.4)
    std::array<std::uint8_t, msg_len> stream{};
    crypto::chacha20_xor(in.key, in.nonce, 7, in.msg, stream);
    ct_check::reveal(stream);
    ct_check::expect(same(stream.data(), want.stream.data(), msg_len), "chacha20_xor");

    // Poly1305 with a secret key over a secret message (RFC 8439 §2.5)
    std::array<std::uint8_t, 16> tag{};
    {
        crypto::poly1305 mac(in.key);
        mac.update(std::span(in.msg).first(333));
        mac.update(std::span(in.msg).subspan(333));
        mac.finish(tag);
    }
    ct_check::reveal(tag);
    ct_check::expect(same(tag.data(), want.tag.data(), 16), "poly1305");

    // AEAD seal: secret key and plaintext
    const crypto::chacha20_poly1305 aead(in.key);
    std::array<std::uint8_t, msg_len + 16> sealed{};
    ct_check::expect(aead.seal(in.nonce, in.ad, in.msg, sealed).ok(), "seal status");
    ct_check::reveal(sealed);
    ct_check::expect(same(sealed.data(), want.sealed.data(), sealed.size()), "seal");

    // AEAD open: the ciphertext is public, the key secret; only the verdict may come out.
    std::array<std::uint8_t, msg_len> opened{};
    ct_check::expect(aead.open(in.nonce, in.ad, sealed, opened).ok(), "open status");
    ct_check::reveal(opened);
    ct_check::expect(same(opened.data(), clean.msg.data(), msg_len), "open");

    // A forged tag: refused, output zero-filled, nothing else learned.
    sealed[msg_len + 5] ^= 0x20;
    ct_check::expect(aead.open(in.nonce, in.ad, sealed, opened).error() == errc::bad_tag,
                     "forgery refused");
    ct_check::reveal(opened);
    bool zero = true;
    for (auto b : opened) {
        zero = zero && b == 0;
    }
    ct_check::expect(zero, "forgery output zeroed");
}

} // namespace

int main() {
    inputs clean;
    ct_check::fill(clean.key, 1);
    ct_check::fill(clean.nonce, 2);
    ct_check::fill(clean.ad, 3);
    ct_check::fill(clean.msg, 4);

    auto& features = detail::cpu_features::current();
    const auto detected = features;
    features.avx2 = false;

    answers want;
    crypto::chacha20_xor(clean.key, clean.nonce, 7, clean.msg, want.stream);
    {
        crypto::poly1305 mac(clean.key);
        mac.update(clean.msg);
        mac.finish(want.tag);
    }
    ct_check::expect(crypto::chacha20_poly1305(clean.key)
                         .seal(clean.nonce, clean.ad, clean.msg, want.sealed)
                         .ok(),
                     "reference seal");

    check_path(clean, want, "portable");
    if (detected.avx2) {
        features.avx2 = true;
        check_path(clean, want, "avx2");
    } else {
        std::printf("ct check: no AVX2 reported (under valgrind); AVX2 path not checked\n");
    }
    features = detected;
    return 0;
}
