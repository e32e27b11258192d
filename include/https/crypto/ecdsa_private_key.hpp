// ECDSA signing on P-256 and P-384 (FIPS 186-5 §6.4.1, SEC 1 §4.1.3): private keys, nonces by
// RFC 6979 (deterministic, or hedged with fresh randomness, §3.6), raw r || s and DER signatures.
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../core/result.hpp"
#include "ec_public_key.hpp"
#include "ecdsa.hpp"
#include "hash.hpp"
#include "hash_id.hpp"
#include "hmac.hpp"
#include "random.hpp"
#include "sha1.hpp"
#include "sha2.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace https::crypto {

namespace detail::nist {

/// The HMAC-DRBG of RFC 6979 §3.2 steps b-h, which turns the private key x and the message
/// digest h1 into candidate nonces k in [1, n - 1]; with `extra` non-empty it is the variant of
/// §3.6, k' appended to the seeding material of steps d and f (hedged signatures: still safe if
/// the randomness is bad, no longer reproducible when it is good).
/// CT: the key, the digest's reduction and the extra data go through HMAC, constant-time in
/// everything but lengths; a candidate's range verdict is declassified (a candidate is refused
/// with probability below 2^-32 on both curves, and a refused candidate is discarded).
template <hash_function Hash, class Curve> class rfc6979_nonce {
    using fn = typename Curve::group::fn;
    static constexpr std::size_t hlen = Hash::digest_size;
    static constexpr std::size_t rlen = Curve::field_size; // qlen / 8: both orders fill bytes

  public:
    /// Steps b-g. `x` is int2octets(x); `h1` the message digest, of any length.
    rfc6979_nonce(std::span<const std::uint8_t, rlen> x, bytes_view h1,
                  bytes_view extra) noexcept {
        // bits2octets(h1) = int2octets(bits2int(h1) mod q) (§2.3.4): the truncation and the one
        // conditional subtraction that digest_to_scalar does for the ECDSA e as well.
        typename Curve::group::scalar z = digest_to_scalar<Curve>(h1);
        std::array<std::uint8_t, rlen> h_octets{};
        fn::store_be(z, h_octets);
        v_.fill(0x01); // step b
        k_.fill(0x00); // step c
        for (const std::uint8_t tag : {std::uint8_t{0x00}, std::uint8_t{0x01}}) { // steps d-g
            hmac<Hash> mac(k_);
            mac.update(v_);
            mac.update(bytes_view(&tag, 1));
            mac.update(x);
            mac.update(h_octets);
            mac.update(extra);
            mac.finish(k_);
            hmac<Hash> next(k_);
            next.update(v_);
            next.finish(v_);
        }
        ct::wipe(z);
        ct::wipe(h_octets);
    }

    rfc6979_nonce(const rfc6979_nonce&) = delete;
    rfc6979_nonce& operator=(const rfc6979_nonce&) = delete;
    rfc6979_nonce(rfc6979_nonce&&) = delete;
    rfc6979_nonce& operator=(rfc6979_nonce&&) = delete;
    ~rfc6979_nonce() {
        ct::wipe(k_);
        ct::wipe(v_);
    }

    /// Step h: the next candidate k = bits2int(T) with 1 <= k < q. After the first call (and
    /// after every refused candidate) K and V are updated first, as step h.3 says: that is also
    /// what a signer does when k gave r = 0 or s = 0.
    /// CT: only the range verdict of each candidate is public.
    typename Curve::group::scalar next() noexcept {
        for (;;) {
            if (started_) {
                hmac<Hash> mac(k_);
                mac.update(v_);
                const std::uint8_t zero = 0x00;
                mac.update(bytes_view(&zero, 1));
                mac.finish(k_);
                hmac<Hash> next(k_);
                next.update(v_);
                next.finish(v_);
            }
            started_ = true;
            // T = V1 || V2 || ... until it has qlen bits; bits2int keeps the leftmost qlen.
            std::array<std::uint8_t, blocks * hlen> t{};
            hmac<Hash> mac(k_);
            for (std::size_t i = 0; i < blocks; ++i) {
                mac.update(v_);
                mac.finish(v_);
                std::copy(v_.begin(), v_.end(), t.begin() + static_cast<std::ptrdiff_t>(i * hlen));
            }
            typename Curve::group::scalar k =
                fn::load_be(std::span<const std::uint8_t, rlen>(t.data(), rlen));
            ct::wipe(t);
            if (declassify(fn::less_than_modulus(k) & ~fn::is_zero(k))) {
                return k;
            }
            ct::wipe(k);
        }
    }

  private:
    static constexpr std::size_t blocks = (rlen + hlen - 1) / hlen;

    std::array<std::uint8_t, hlen> k_{};
    std::array<std::uint8_t, hlen> v_{};
    bool started_ = false;
};

} // namespace detail::nist

/// An ECDSA signature on `Curve`: the raw form r || s (each `Curve::field_size` bytes,
/// big-endian; IEEE P1363, as JOSE and COSE carry it) and the DER Ecdsa-Sig-Value (RFC 5480
/// §2.2, RFC 3279), as TLS 1.3 CertificateVerify (RFC 8446 §4.4.3) and X.509 carry it.
template <class Curve> class ecdsa_signature {
  public:
    static constexpr std::size_t raw_size = 2 * Curve::field_size;
    /// SEQUENCE header (2) + two INTEGERs of at most field_size + 1 bytes with their headers;
    /// the body stays below 128 bytes for both curves, so every length is in short form.
    static constexpr std::size_t max_der_size = 2 + 2 * (2 + Curve::field_size + 1);
    static_assert(max_der_size - 2 < 0x80);

    /// From r || s as a signer made them (r and s in [1, n - 1]; nothing is checked here, this
    /// only re-encodes). CT: variable time (a signature is public).
    explicit ecdsa_signature(std::span<const std::uint8_t, raw_size> raw) noexcept {
        std::copy(raw.begin(), raw.end(), raw_.begin());
        encode_der();
    }

    /// r || s, big-endian, fixed width.
    [[nodiscard]] std::span<const std::uint8_t, raw_size> raw() const noexcept { return raw_; }
    /// r, then s, fixed width.
    [[nodiscard]] std::span<const std::uint8_t, Curve::field_size> r() const noexcept {
        return std::span<const std::uint8_t, raw_size>(raw_).template first<Curve::field_size>();
    }
    [[nodiscard]] std::span<const std::uint8_t, Curve::field_size> s() const noexcept {
        return std::span<const std::uint8_t, raw_size>(raw_).template last<Curve::field_size>();
    }
    /// SEQUENCE { INTEGER r, INTEGER s } in DER (minimal, non-negative integers).
    [[nodiscard]] bytes_view der() const noexcept {
        return bytes_view(der_.data(), der_size_);
    }

  private:
    /// Append one INTEGER for a fixed-width big-endian magnitude: leading zero bytes dropped,
    /// a 0x00 prepended when the top bit is set (X.690 §8.3.2). CT: variable time (public).
    static std::size_t put_integer(std::span<const std::uint8_t, Curve::field_size> mag,
                                   std::uint8_t* out) noexcept {
        std::size_t lead = 0;
        while (lead + 1 < mag.size() && mag[lead] == 0) {
            ++lead;
        }
        const bool pad = (mag[lead] & 0x80) != 0;
        const std::size_t len = mag.size() - lead + (pad ? 1 : 0);
        std::size_t at = 0;
        out[at++] = 0x02;
        out[at++] = static_cast<std::uint8_t>(len);
        if (pad) {
            out[at++] = 0x00;
        }
        std::copy(mag.begin() + static_cast<std::ptrdiff_t>(lead), mag.end(), out + at);
        return at + mag.size() - lead;
    }

    void encode_der() noexcept {
        std::array<std::uint8_t, max_der_size> body{};
        std::size_t len = put_integer(r(), body.data());
        len += put_integer(s(), body.data() + len);
        der_[0] = 0x30;
        der_[1] = static_cast<std::uint8_t>(len);
        std::copy(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(len), der_.begin() + 2);
        der_size_ = len + 2;
    }

    std::array<std::uint8_t, raw_size> raw_{};
    std::array<std::uint8_t, max_der_size> der_{};
    std::size_t der_size_ = 0;
};

/// How `ecdsa_private_key::sign_*` chooses the nonce k.
enum class ecdsa_nonce {
    /// RFC 6979 §3.6: the deterministic generator with fresh random bytes k' appended to its
    /// seed. A broken random source then costs nothing (k stays as unpredictable as in plain
    /// RFC 6979), and a good one keeps signatures of the same message unlinkable and defeats
    /// fault attacks that need two identical signing runs. The default.
    hedged,
    /// Plain RFC 6979 §3.2: k depends only on the key and the digest, so the same message
    /// always gets the same signature (what the RFC's test vectors check).
    deterministic,
};

/// An ECDSA private key on `Curve` (p256 or p384): the scalar d in [1, n - 1] (wiped on
/// destruction) and its public key Q = d G. Use `ecdsa_p256_private_key` /
/// `ecdsa_p384_private_key`.
template <class Curve> class ecdsa_private_key {
    using group = typename Curve::group;
    using fn = typename group::fn;
    using scalar = typename group::scalar;

  public:
    /// Bytes of d, big-endian (SEC 1 §2.3.7 with mlen = ceil(log2(n) / 8)).
    static constexpr std::size_t size = Curve::field_size;
    using signature = ecdsa_signature<Curve>;

    /// The key of a big-endian scalar d (e.g. from an RFC 5915 ECPrivateKey or PKCS #8).
    /// Errors: `bad_key_size` unless `d` is exactly `size` bytes; `out_of_range` unless
    /// 1 <= d <= n - 1 (FIPS 186-5 §6.2.1, SEC 1 §3.2.1).
    /// CT: time does not depend on d; only the length and the range verdict are public.
    [[nodiscard]] static result<ecdsa_private_key> from_bytes(bytes_view d) noexcept {
        if (d.size() != size) {
            return errc::bad_key_size;
        }
        ecdsa_private_key key;
        key.d_ = fn::load_be(d.template first<size>());
        if (!detail::nist::declassify(fn::less_than_modulus(key.d_) & ~fn::is_zero(key.d_))) {
            return errc::out_of_range;
        }
        HTTPS_TRY(key.derive_public());
        return key;
    }

    /// A fresh key: d drawn uniformly from [1, n - 1] by rejection sampling (FIPS 186-5
    /// §A.2.2, "rejection sampling"). Fails with `errc::random_failure` if `rng` fails or yields
    /// no candidate in 64 tries. CT: only the verdicts on discarded candidates are public.
    [[nodiscard]] static result<ecdsa_private_key>
    generate(random_source& rng = default_random()) noexcept {
        ct::secret_array<size> bytes;
        for (int attempt = 0; attempt < 64; ++attempt) {
            HTTPS_TRY(rng.fill(bytes.span()));
            auto key = from_bytes(bytes.span());
            if (key.ok()) {
                return key;
            }
            if (key.error() != errc::out_of_range) {
                return key.error();
            }
        }
        return errc::random_failure;
    }

    ecdsa_private_key(const ecdsa_private_key&) = default;
    ecdsa_private_key& operator=(const ecdsa_private_key&) = default;
    ecdsa_private_key(ecdsa_private_key&&) noexcept = default;
    ecdsa_private_key& operator=(ecdsa_private_key&&) noexcept = default;
    ~ecdsa_private_key() {
        ct::wipe(d_);
        ct::wipe(d_mont_);
    }

    /// Q = d G, validated like any public key, to compare with a certificate's key.
    [[nodiscard]] const ec_public_key<Curve>& public_key() const noexcept { return *public_; }

    /// Sign a digest computed with `Hash` (FIPS 186-5 §6.4.1 from step 2; the digest must be
    /// `Hash::digest_size` bytes, a precondition), with the nonce chosen as `mode` says; `rng`
    /// is read (field_size bytes) in hedged mode only. Errors: `random_failure` when `rng`
    /// fails (hedged mode). The signature verifies with `ecdsa_verify_digest`.
    /// CT: time does not depend on d or k; the digest is public; only the (negligibly
    /// probable) retries on r = 0 or s = 0 and refused nonce candidates are visible.
    template <hash_function Hash>
    [[nodiscard]] result<signature> sign_digest(bytes_view digest,
                                                ecdsa_nonce mode = ecdsa_nonce::hedged,
                                                random_source& rng = default_random()) const {
        assert(digest.size() == Hash::digest_size);
        ct::secret_array<size> extra;
        bytes_view k_prime{};
        if (mode == ecdsa_nonce::hedged) {
            HTTPS_TRY(rng.fill(extra.span()));
            k_prime = extra.span();
        }
        ct::secret_array<size> x;
        fn::store_be(d_, x.span());
        detail::nist::rfc6979_nonce<Hash, Curve> nonces(x.span(), digest, k_prime);
        return sign_with(nonces, digest);
    }

    /// Hash `message` with `Hash` and sign it (e.g. sha256 for ecdsa_secp256r1_sha256, sha384
    /// for ecdsa_secp384r1_sha384, RFC 8446 §4.2.3). CT: as `sign_digest`; the message is public.
    template <hash_function Hash>
    [[nodiscard]] result<signature> sign(bytes_view message, ecdsa_nonce mode = ecdsa_nonce::hedged,
                                         random_source& rng = default_random()) const {
        const digest<Hash> h = hash<Hash>(message);
        return sign_digest<Hash>(h, mode, rng);
    }

    /// Sign `message` hashed with the function `hash` names (our SHA-1/SHA-2), chosen at run
    /// time as a SignatureScheme or an AlgorithmIdentifier says. Errors: those of `sign`, and
    /// `unsupported_algorithm` for a value outside hash_id. CT: as `sign_digest`.
    [[nodiscard]] result<signature> sign(hash_id hash, bytes_view message,
                                         ecdsa_nonce mode = ecdsa_nonce::hedged,
                                         random_source& rng = default_random()) const {
        switch (hash) {
        case hash_id::sha1:
            return sign<sha1>(message, mode, rng);
        case hash_id::sha224:
            return sign<sha224>(message, mode, rng);
        case hash_id::sha256:
            return sign<sha256>(message, mode, rng);
        case hash_id::sha384:
            return sign<sha384>(message, mode, rng);
        case hash_id::sha512:
            return sign<sha512>(message, mode, rng);
        }
        return errc::unsupported_algorithm;
    }

  private:
    ecdsa_private_key() = default;

    /// Q = d G by the constant-time fixed-base multiplication ECDH key generation uses; the
    /// encoding is public and goes through the same validation as a peer's key.
    /// CT: time does not depend on d.
    status derive_public() noexcept {
        d_mont_ = fn::to_mont(d_);
        const typename group::projective q = group::mul_base(d_);
        typename group::affine a;
        const std::uint64_t infinity = group::to_affine(q, a);
        std::array<std::uint8_t, Curve::point_size> encoded{};
        group::encode(a, encoded);
        ct::unpoison(encoded.data(), encoded.size()); // a public key is public
        // d in [1, n - 1] and G of prime order n: never the identity; checked regardless.
        if (detail::nist::declassify(infinity)) {
            return errc::point_at_infinity;
        }
        auto q_key = ec_public_key<Curve>::parse(encoded);
        if (!q_key) {
            return q_key.error();
        }
        public_ = *q_key;
        return {};
    }

    /// FIPS 186-5 §6.4.1 steps 3-13 with nonces from `nonces`: R = k G, r = x(R) mod n,
    /// s = k^-1 (e + r d) mod n, a new k while r = 0 or s = 0.
    /// CT: k G by the fixed-base table with full scans; k^-1 by Fermat (k^(n-2), a fixed chain of
    /// Montgomery products); no branch or index on d or k. Declassified: whether r = 0 and
    /// whether s = 0 (one bit each, which a valid signature reveals anyway), then r || s.
    template <class Nonces> result<signature> sign_with(Nonces& nonces, bytes_view digest) const {
        const scalar e = detail::nist::digest_to_scalar<Curve>(digest); // public
        for (int attempt = 0; attempt < 64; ++attempt) {
            scalar k = nonces.next();
            typename group::affine a;
            // k in [1, n - 1]: k G is never the identity, so the mask to_affine returns is zero
            (void)group::to_affine(group::mul_base(k), a);
            // x(R) < p < 2n: one conditional subtraction reduces it mod n
            scalar r = fn::reduce_once(group::fp::from_mont(a.x), 0);
            ct::wipe(a.x);
            ct::wipe(a.y);
            // Declassified: r = 0 (probability about 2^-256) only forces another nonce.
            if (detail::nist::declassify(fn::is_zero(r))) {
                ct::wipe(k);
                continue;
            }
            // Montgomery forms: invert(k R) = k^-1 R; mul(r, d R) = r d; mul(e + r d, k^-1 R)
            // = (e + r d) k^-1, all plain values below n.
            scalar k_inv = fn::invert(fn::to_mont(k));
            scalar s = fn::mul(fn::add(e, fn::mul(r, d_mont_)), k_inv);
            ct::wipe(k);
            ct::wipe(k_inv);
            // Declassified: s = 0 only forces another nonce (as for r).
            if (detail::nist::declassify(fn::is_zero(s))) {
                continue;
            }
            std::array<std::uint8_t, signature::raw_size> raw{};
            fn::store_be(r, std::span<std::uint8_t, signature::raw_size>(raw).template first<size>());
            fn::store_be(s, std::span<std::uint8_t, signature::raw_size>(raw).template last<size>());
            ct::unpoison(raw.data(), raw.size()); // the signature is the public output
            return signature(raw);
        }
        return errc::random_failure; // 64 nonces in a row with r = 0 or s = 0: cannot happen
    }

    scalar d_{};      // plain d
    scalar d_mont_{}; // d R mod n, for the product r d
    // Q; an optional only because ec_public_key has no default state (set by every factory).
    std::optional<ec_public_key<Curve>> public_;
};

using ecdsa_p256_private_key = ecdsa_private_key<p256>;
using ecdsa_p384_private_key = ecdsa_private_key<p384>;

} // namespace https::crypto
