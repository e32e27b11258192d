// Constant-time check of RSA signing: the private-key components (d, p, q, dp, dq, qinv) from
// the moment they are handed to the key's constructor, the digest, and every random byte (the
// blinding values r and v, the PSS salt) are secret; the signature is revealed when it is
// returned. One signature draws from the operating system instead, whose bytes valgrind sees as
// defined: the signer poisons its blinding values itself, so they are checked all the same. Covers the key checks at construction (products, bitwise reductions, the secret-prime
// Montgomery contexts), the blinding, the CRT exponentiations and recombination, unblinding, and
// the check before release, for both limb sizes, PKCS#1 v1.5 and PSS.
// What the code itself declassifies, on purpose: the bit lengths of p and q, the verdicts of the
// key checks, of the rejection sampling and of the final check, and the blinded product r v mod n
// (uniform and independent of r), whose inverse is taken in variable time.
#include "ct_harness.hpp"

#include <https/core/hex.hpp>
#include <https/crypto/rsa_private_key.hpp>
#include <https/crypto/sha2.hpp>

#include <array>
#include <cstdint>
#include <vector>

using namespace https;
using namespace https::crypto;

namespace {

// tests/fixtures/rsa/rsa2048.pem (a test key), as `openssl rsa -text` prints it
constexpr const char* n_hex =
    "e0cc5950b42c829a8651f1ab1efbc7bbb9f7438e1112cd9953d2ee4c34e1e94c73a656010b0fd2469ae288f5"
    "9e313139b13f3f5bcc964a6d72e0bf3629630cfe7a4ba7a462a9a8a6feabce1559d0712720a3897b1f74f7e9"
    "40546fc4fa303666170038cabd0afd076ee54d68338f1a8722d09d048df5abcf5bc2a5a3fc1d0ead8b0f7537"
    "3e6e23432ac2a5e12479930c69f50dc0e2894769b6f88a8d43254aab89c23c1a0b1a20a667f0713ec64265b8"
    "081f7e1c425b280881f5095594db3b841caeba339f95087549f2ee614202d12b5eedfc4311f8333414ce900c"
    "05491bb57b8ef5be5dd330ac3f6c2fb8a79d8fbf28ca6bffa2722ccbc4170664e5829a9f";
constexpr const char* e_hex =
    "010001";
constexpr const char* d_hex =
    "10110ae125bf78a62aab78a64e549875e658b1cf59910a78c6f0f06f29e86b903743d029caec9a8ec94b1f96"
    "ce739d9d0dfa034140620d77bd1a2b1067ecd864e7c0b87e9b3e9cfb32807cfe31a9202d37bbf87b80480fdf"
    "efe51907ef09bb1998d33f3bde3f06ce9d326e51e03d7e1be2751e83d0d19a31fbd0f19dc2cb20dd4c244b75"
    "1a9dd8ecf8514e154ace53872154ad722699316527b232efa8e51c838ce2afc8cdf905a27d8ab2c174ea2b95"
    "b9e083cf3d2b4253692ec66b2490906695662841de0ba41dfecfc876789c88996033ad0805d7011be5c19c9b"
    "21fba701d717378f9ccaf6943a1e507049f0fdc0902f1751bac2baaf189ffbe68b33ab01";
constexpr const char* p_hex =
    "f195a1542ad2d9999b36fb9e5873558c42e146e27e82b2dc422b1cd03f0acdea831ccc2fff9f8c233bc110ec"
    "a333061de15cef4e6add05de1df9e84e829fbd3b4f3be087aaad915bed9be2bbe0887a7d2ab01d6f3727160a"
    "fa0c46f971ee47d9f0e958171942e838b738977850cd32cf53f86c03dd12ac0778463e19b9cca17f";
constexpr const char* q_hex =
    "ee364c0cb81045cab8f558234480c1af1bb83e4c22420b5a058fda81ffb0619c00d706c997f30f2ed4e45fe0"
    "098096eaf5aadae5661ce06f4818e1f6131f752629aa11dad5574759e94021626ce67cd582e2dbc88c62fd15"
    "7db5b1f7c34c5841f54627721fe9f33c2f15f116041b5d81fae0e49c8f218e38a34ffd0f899856e1";
constexpr const char* dp_hex =
    "82b7a8fc86d362047874cebf4632d9d63415fb29f0b43d9d6a7c337206ba8ce2d8a0cb672954a61a2669f803"
    "62e6e7e7611acd2dcc2addd2eabb5f54a3df551ff3667dbe4abef1c9210f5926b97e7f709c9980c3bdbefb71"
    "630d2396336c701a5ffd92b9a4e48c0cac2f05de873210cd182d721cc1112a5e3c591d9f03e6d277";
constexpr const char* dq_hex =
    "937a2e2f19ad8967ee8686a09f028fe6d76483bd22e07ca2a91adc8eeb3bc9d2897a968b2c75a08abfe6fbac"
    "7a758ff9bb4aa1e6b00764b3c0911723ffc6d402627d163cc3241bda805be1cf4bd88ea4a939c6142d4603a5"
    "d08432c04fbaee513786cd590c850cbfcfeee7a957b59178ad579a718af39d5757546839bc580241";
constexpr const char* qinv_hex =
    "53c0a67b80f3600b887aade68f0ddf9bae4b8d9d8f67206e7b1e8c322bbe6f78bfb5124e91cb6640a8f929e5"
    "d40aa8010fb2f39e842d173d3a11191afb255062d7efaaf0f37e9c676825e6d2d258102214a4d442d7b712aa"
    "d85714d2db30972455494b48f1ded1a1fb4554759edb60f938f674557a70e5cb83b23c0c8d7b1000";

std::vector<std::uint8_t> unhex(const char* s) {
    auto r = from_hex(s);
    ct_check::expect(r.ok(), "embedded hex");
    return *r;
}

/// Deterministic bytes, marked secret as they are handed out: to valgrind they are what the
/// operating system's generator would be, values nobody may branch on.
class secret_random final : public random_source {
  public:
    status fill(mutable_bytes out) noexcept override {
        ct_check::fill(out, ++calls_);
        https::ct::poison(out.data(), out.size());
        return {};
    }

  private:
    std::uint32_t calls_ = 0;
};

template <class Limb> void check_sign() {
    using key_t = crypto::detail::basic_rsa_private_key<Limb>;
    const auto n = unhex(n_hex), e = unhex(e_hex);
    auto d = unhex(d_hex), p = unhex(p_hex), q = unhex(q_hex);
    auto dp = unhex(dp_hex), dq = unhex(dq_hex), qinv = unhex(qinv_hex);
    for (auto* v : {&d, &p, &q, &dp, &dq, &qinv}) {
        https::ct::poison(v->data(), v->size());
    }
    auto key = key_t::from_components({n, e, d, p, q, dp, dq, qinv});
    ct_check::expect(key.ok(), "key accepted");

    std::array<std::uint8_t, 32> digest{};
    ct_check::fill(digest, 99);
    std::array<std::uint8_t, 32> digest_public = digest;
    ct_check::secret(digest);
    secret_random rng;
    std::vector<std::uint8_t> sig(key->size());

    status st = sign_pkcs1v15(*key, hash_id::sha256, digest, sig, rng);
    ct_check::reveal(st);
    https::ct::unpoison(sig.data(), sig.size());
    ct_check::expect(st.ok(), "PKCS#1 v1.5 signature");
    ct_check::expect(verify_pkcs1v15(key->public_key(), hash_id::sha256, digest_public, sig).ok(),
                     "PKCS#1 v1.5 signature verifies");

    // the operating system's generator, which valgrind sees as defined: the signer marks the
    // blinding values secret itself
    st = sign_pkcs1v15(*key, hash_id::sha256, digest, sig, default_random());
    ct_check::reveal(st);
    https::ct::unpoison(sig.data(), sig.size());
    ct_check::expect(st.ok(), "PKCS#1 v1.5 signature, system random");
    ct_check::expect(verify_pkcs1v15(key->public_key(), hash_id::sha256, digest_public, sig).ok(),
                     "PKCS#1 v1.5 signature verifies, system random");

    st = sign_pss(*key, pss_params::for_hash(hash_id::sha256), digest, sig, rng);
    ct_check::reveal(st);
    https::ct::unpoison(sig.data(), sig.size());
    ct_check::expect(st.ok(), "PSS signature");
    ct_check::expect(verify_pss(key->public_key(), pss_params::for_hash(hash_id::sha256),
                                digest_public, sig)
                         .ok(),
                     "PSS signature verifies");
}

} // namespace

int main() {
    check_sign<std::uint32_t>();
#if defined(__SIZEOF_INT128__)
    check_sign<std::uint64_t>();
#endif
    return 0;
}
