// Constant-time check of HMAC-SHA256/384 (key and message secret), HMAC tag verification (tag
// secret), and the HKDF / TLS 1.2 PRF built on them (secret input key).
#include "ct_harness.hpp"

#include <https/crypto/hkdf.hpp>
#include <https/crypto/hmac.hpp>
#include <https/crypto/sha2.hpp>
#include <https/crypto/tls12_prf.hpp>

#include <array>
#include <cstdio>
#include <vector>

using namespace https;

namespace {

void poison(std::vector<std::uint8_t>& v) {
    ct::poison(v.data(), v.size());
}

template <crypto::hash_function H>
void check_hmac(std::size_t key_len, std::size_t msg_len, std::uint32_t seed) {
    using M = crypto::hmac<H>;
    std::vector<std::uint8_t> key(key_len), msg(msg_len);
    ct_check::fill(key, seed);
    ct_check::fill(msg, seed + 1);
    // Reference values, computed before anything is secret.
    const crypto::digest<H> want = M::mac(key, msg);
    const crypto::digest<H> want_empty = M::mac(key, {});

    poison(key);
    poison(msg);
    crypto::digest<H> tag = M::mac(key, msg);
    ct_check::reveal(tag);
    ct_check::expect(tag == want, "one-shot HMAC");

    // Streaming, with finish twice (the second tag is that of the empty message).
    M m(key);
    m.update(bytes_view(msg).first(msg_len / 3));
    m.update(bytes_view(msg).subspan(msg_len / 3));
    m.finish(tag);
    ct_check::reveal(tag);
    ct_check::expect(tag == want, "streaming HMAC");
    m.finish(tag);
    ct_check::reveal(tag);
    ct_check::expect(tag == want_empty, "second finish");

    // verify: the received tag is secret too; only the verdict comes out (ct::equal).
    crypto::digest<H> good = want;
    ct_check::secret(good);
    ct_check::expect(M::verify(key, msg, good), "verify accepts the right tag");
    ct_check::expect(M::verify(key, msg, bytes_view(good).first(16)), "verify truncated tag");
    crypto::digest<H> bad = want;
    bad[H::digest_size - 1] ^= 0x01;
    ct_check::secret(bad);
    ct_check::expect(!M::verify(key, msg, bad), "verify rejects a wrong tag");
}

template <crypto::hash_function H> void check_kdfs(std::uint32_t seed) {
    std::vector<std::uint8_t> secret(H::digest_size), out(100), ref(100);
    ct_check::fill(secret, seed);
    const std::vector<std::uint8_t> context(H::digest_size, 3);
    crypto::hkdf<H>::expand_label(secret, "c hs traffic", context, ref);
    poison(secret);
    auto prk = crypto::hkdf<H>::extract(context, secret);
    ct_check::reveal(prk);
    crypto::hkdf<H>::expand_label(secret, "c hs traffic", context, out);
    ct::unpoison(out.data(), out.size());
    ct_check::expect(out == ref, "HKDF-Expand-Label");
    crypto::tls12_prf<H>(secret, "master secret", context, out);
    ct::unpoison(out.data(), out.size());
}

} // namespace

int main() {
    // valgrind 3.19 emulates a CPU without the SHA extensions: its CPUID hides SHA-NI and the
    // SHA instructions raise SIGILL. So this check covers the portable SHA-1/SHA-256 code only;
    // it is forced here so the program does the same with or without valgrind. The SHA-NI paths
    // (sha256_blocks_shani, sha1_blocks_shani) are straight-line vector code whose only branch is
    // the block-count loop.
    https::detail::cpu_features::current().sha_ni = false;

    check_hmac<crypto::sha256>(32, 300, 1); // key shorter than a block
    check_hmac<crypto::sha256>(100, 64, 2); // key longer than a block: hashed first
    check_hmac<crypto::sha384>(48, 300, 3);
    check_hmac<crypto::sha384>(200, 129, 4);
    check_kdfs<crypto::sha256>(5);
    check_kdfs<crypto::sha384>(6);
    return 0;
}
