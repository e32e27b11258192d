// RSA public-key operations (RFC 8017): public keys from PKCS#1 RSAPublicKey or X.509
// SubjectPublicKeyInfo DER, RSASSA-PKCS1-v1_5 and RSASSA-PSS verification, RSAES-PKCS1-v1_5
// encryption, and the EMSA-PKCS1-v1_5 / EMSA-PSS encodings that signing shares
// (rsa_private_key.hpp).
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../core/der.hpp"
#include "../core/oid.hpp"
#include "../core/result.hpp"
#include "bigint.hpp"
#include "hash.hpp"
#include "hash_id.hpp"
#include "public_key_info.hpp"
#include "random.hpp"
#include "sha1.hpp"
#include "sha2.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>

namespace https::crypto {

/// Smallest modulus accepted by default (bits): RSA below 2048 bits is refused (NIST SP 800-131A).
inline constexpr std::size_t rsa_min_bits = 2048;
/// Smallest modulus a caller may allow explicitly (tests, RFC 8448's 1024-bit trace, NIST CAVP).
inline constexpr std::size_t rsa_legacy_min_bits = 1024;
/// Largest modulus accepted (bits): bounds the work a peer's key can demand.
inline constexpr std::size_t rsa_max_bits = 8192;
/// Largest modulus in bytes, for stack buffers.
inline constexpr std::size_t rsa_max_bytes = rsa_max_bits / 8;

namespace detail {

/// An RSA public key (n, e) with its Montgomery context precomputed, over `Limb`-sized limbs.
/// Users name it `rsa_public_key`; the limb type is a parameter only so the tests can run the
/// 32-bit-limb build that compilers without a 128-bit product use.
template <bigint_limb Limb> class basic_rsa_public_key {
  public:
    using integer = bigint<Limb>;

    /// From the big-endian magnitudes of n and e. Checks, in order:
    ///  - n empty or with a leading zero byte: errc::bad_public_key (a DER INTEGER's sign byte
    ///    must be stripped by the caller; `parse_*` do);
    ///  - n shorter than `min_bits` bits: errc::weak_key; longer than 8192 bits:
    ///    errc::bad_key_size;
    ///  - n even: errc::bad_public_key;
    ///  - e zero, one, even, or above 2^64 - 1: errc::bad_public_key (e may carry leading zero
    ///    bytes: NIST files pad it to the modulus length).
    /// `min_bits` must lie in [rsa_legacy_min_bits, rsa_max_bits].
    static result<basic_rsa_public_key> from_components(bytes_view modulus, bytes_view exponent,
                                                        std::size_t min_bits = rsa_min_bits) {
        assert(min_bits >= rsa_legacy_min_bits && min_bits <= rsa_max_bits);
        if (modulus.empty() || modulus[0] == 0) {
            return errc::bad_public_key;
        }
        const std::size_t bits =
            (modulus.size() - 1) * 8 + static_cast<std::size_t>(std::bit_width(modulus[0]));
        if (bits < min_bits) {
            return errc::weak_key;
        }
        if (bits > rsa_max_bits) {
            return errc::bad_key_size;
        }
        if ((modulus.back() & 1) == 0) {
            return errc::bad_public_key;
        }
        while (!exponent.empty() && exponent[0] == 0) {
            exponent = exponent.subspan(1);
        }
        // RFC 8017 §3.1: 2 < e < n, and e odd (it must be coprime to the even lambda(n)). Like
        // BoringSSL (33 bits) and Go (31 bits) we also cap e, at 64 bits, which bounds the cost.
        if (exponent.empty() || exponent.size() > 8 || (exponent.back() & 1) == 0 ||
            (exponent.size() == 1 && exponent[0] == 1)) {
            return errc::bad_public_key;
        }
        basic_rsa_public_key key;
        key.bits_ = bits;
        key.bytes_ = modulus.size();
        auto n = integer::from_bytes_be(modulus);
        assert(n.has_value());
        auto ctx = montgomery<Limb>::create(*n);
        if (!ctx) {
            return errc::bad_public_key; // unreachable: n is odd and large
        }
        key.ctx_ = *ctx;
        std::copy(exponent.begin(), exponent.end(),
                  key.e_.begin() + static_cast<std::ptrdiff_t>(8 - exponent.size()));
        return key;
    }

    /// RFC 8017 A.1.1: RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER },
    /// strict DER, nothing after it. Decoding errors come from the DER reader (errc::truncated,
    /// trailing_data, unexpected_tag, non_minimal_encoding, ...); a negative n or e is
    /// errc::bad_public_key; the values are then checked as in `from_components`.
    static result<basic_rsa_public_key> parse_pkcs1(bytes_view der_bytes,
                                                    std::size_t min_bits = rsa_min_bits) {
        der::parser top(der_bytes);
        auto seq = top.read_sequence();
        if (!seq) {
            return seq.error();
        }
        HTTPS_TRY(top.expect_empty());
        auto n = seq->read_unsigned_integer();
        if (!n) {
            return n.error() == errc::out_of_range ? errc::bad_public_key : n.error();
        }
        auto e = seq->read_unsigned_integer();
        if (!e) {
            return e.error() == errc::out_of_range ? errc::bad_public_key : e.error();
        }
        HTTPS_TRY(seq->expect_empty());
        return from_components(*n, *e, min_bits);
    }

    /// RFC 5280 §4.1.2.7 SubjectPublicKeyInfo with RFC 3279 §2.3.1 rsaEncryption:
    /// SEQUENCE { SEQUENCE { OID 1.2.840.113549.1.1.1, NULL }, BIT STRING { RSAPublicKey } }.
    /// Another algorithm OID is errc::unsupported_algorithm; parameters absent or other than NULL,
    /// or a BIT STRING with unused bits, errc::bad_public_key; otherwise as `parse_pkcs1`.
    static result<basic_rsa_public_key> parse_spki(bytes_view der_bytes,
                                                   std::size_t min_bits = rsa_min_bits) {
        auto info = open_public_key_info(der_bytes, oid::rsa_encryption);
        if (!info) {
            return info.error();
        }
        if (!info->parameters.next_is(der::tag::null)) {
            return errc::bad_public_key; // RFC 3279 §2.3.1: parameters MUST be NULL
        }
        HTTPS_TRY(info->parameters.read_null());
        HTTPS_TRY(info->parameters.expect_empty());
        auto key = info->key_bytes();
        if (!key) {
            return key.error();
        }
        return parse_pkcs1(*key, min_bits);
    }

    /// Modulus length in bits.
    [[nodiscard]] std::size_t bits() const noexcept { return bits_; }
    /// Modulus length in bytes (k in RFC 8017): the signature and ciphertext length.
    [[nodiscard]] std::size_t size() const noexcept { return bytes_; }
    /// The public exponent e.
    [[nodiscard]] std::uint64_t exponent() const noexcept {
        return https::detail::load_be64(e_.data());
    }
    /// The Montgomery context of n (n itself is `context().modulus()`).
    [[nodiscard]] const montgomery<Limb>& context() const noexcept { return ctx_; }

    /// RSAEP/RSAVP1 (RFC 8017 §5.1.1, §5.2.2): out = in^e mod n, both `size()` bytes big-endian.
    /// errc::out_of_range when in >= n (the caller maps it to its own error).
    /// CT: no branch or index depends on `in` beyond the in < n verdict, which is public for a
    /// signature and always true for an encoding that starts with a zero byte.
    [[nodiscard]] status apply(bytes_view in, mutable_bytes out) const noexcept {
        assert(in.size() == bytes_ && out.size() == bytes_);
        auto x = integer::from_bytes_be(in, ctx_.size());
        assert(x.has_value());
        if (!less(*x, ctx_.modulus()).declassify()) {
            x->wipe();
            return errc::out_of_range;
        }
        integer y;
        ctx_.exp_public(y, *x, e_);
        [[maybe_unused]] const bool fits = y.to_bytes_be(out);
        assert(fits);
        x->wipe();
        y.wipe();
        return {};
    }

  private:
    basic_rsa_public_key() = default;

    montgomery<Limb> ctx_;
    std::array<std::uint8_t, 8> e_{}; // big-endian, leading zeros
    std::size_t bits_ = 0;
    std::size_t bytes_ = 0;
};

/// Hash of the concatenation of `parts`, into `out` (digest-size bytes).
using digest_function = void (*)(std::span<const bytes_view> parts, mutable_bytes out) noexcept;
/// out ^= MGF1(seed, out.size()).
using mgf_function = void (*)(bytes_view seed, mutable_bytes out) noexcept;

template <hash_function Hash>
void digest_parts(std::span<const bytes_view> parts, mutable_bytes out) noexcept {
    assert(out.size() == Hash::digest_size);
    Hash h;
    for (bytes_view p : parts) {
        h.update(p);
    }
    h.finish(std::span<std::uint8_t, Hash::digest_size>(out.data(), Hash::digest_size));
}

/// RSASSA-PSS verification (RFC 8017 §8.1.2 with EMSA-PSS-VERIFY, §9.1.2), the hash and MGF1
/// supplied as functions so that one body serves every combination.
/// CT: public data only (signature, digest, key); variable time.
template <bigint_limb Limb>
status verify_pss_with(const basic_rsa_public_key<Limb>& key, bytes_view digest,
                       bytes_view signature, std::size_t salt_length, digest_function hash,
                       mgf_function mgf) noexcept {
    const std::size_t k = key.size();
    const std::size_t h_len = digest.size();
    if (signature.size() != k) {
        return errc::bad_signature; // §8.1.2 step 1
    }
    std::array<std::uint8_t, rsa_max_bytes> m_buf;
    const mutable_bytes m(m_buf.data(), k);
    if (!key.apply(signature, m)) {
        return errc::bad_signature; // §5.2.2: signature representative out of range
    }
    // §8.1.2 step 2c: EM = I2OSP(m, emLen), emLen = ceil((modBits - 1) / 8), which is k - 1 when
    // modBits = 1 mod 8; then m's top byte must be zero.
    const std::size_t em_bits = key.bits() - 1;
    const std::size_t em_len = (em_bits + 7) / 8;
    if (em_len < k && m[0] != 0) {
        return errc::bad_signature;
    }
    const mutable_bytes em = m.subspan(k - em_len);
    // §9.1.2 steps 3-6 (the salt length may come from a certificate: no overflow here)
    if (salt_length > em_len || em_len - salt_length < h_len + 2 || em.back() != 0xbc) {
        return errc::bad_signature;
    }
    const std::size_t db_len = em_len - h_len - 1;
    const mutable_bytes db = em.first(db_len);
    const bytes_view h = em.subspan(db_len, h_len);
    const unsigned top_bits = static_cast<unsigned>(8 * em_len - em_bits); // 0..7
    const auto top_mask = static_cast<std::uint8_t>(0xff >> top_bits);
    if ((db[0] & ~top_mask) != 0) {
        return errc::bad_signature;
    }
    // steps 7-9: DB = maskedDB xor MGF(H), leftmost bits cleared
    mgf(h, db);
    db[0] &= top_mask;
    // step 10: DB = 00..00 || 01 || salt
    const std::size_t ps_len = db_len - salt_length - 1;
    for (std::size_t i = 0; i < ps_len; ++i) {
        if (db[i] != 0) {
            return errc::bad_signature;
        }
    }
    if (db[ps_len] != 0x01) {
        return errc::bad_signature;
    }
    // steps 11-14: H' = Hash(00 x 8 || mHash || salt) must equal H
    static constexpr std::array<std::uint8_t, 8> zeros{};
    const bytes_view parts[] = {zeros, digest, db.subspan(ps_len + 1)};
    std::array<std::uint8_t, max_digest_size> h2;
    hash(std::span<const bytes_view>(parts), std::span(h2).first(h_len));
    return ct::equal(h, std::span(h2).first(h_len)) ? status{} : status{errc::bad_signature};
}

} // namespace detail

/// An RSA public key: n of 2048..8192 bits (fewer only when the caller lowers `min_bits`), e odd,
/// 3 <= e < 2^64. Parse with `rsa_public_key::parse_spki` / `parse_pkcs1` / `from_components`.
using rsa_public_key = detail::basic_rsa_public_key<detail::native_limb>;

/// MGF1 (RFC 8017 B.2.1) with `Hash`, XORed into `out`: out ^= MGF1(seed, out.size()). XOR is
/// what both users (PSS and OAEP) want, and it needs no second buffer.
/// CT: time depends on the lengths only.
template <hash_function Hash> void mgf1_xor(bytes_view seed, mutable_bytes out) noexcept {
    Hash h;
    std::array<std::uint8_t, Hash::digest_size> block;
    std::array<std::uint8_t, 4> counter{};
    for (std::size_t done = 0, c = 0; done < out.size(); done += Hash::digest_size, ++c) {
        https::detail::store_be32(counter.data(), static_cast<std::uint32_t>(c));
        h.update(seed);
        h.update(counter);
        h.finish(block);
        const std::size_t n = std::min(Hash::digest_size, out.size() - done);
        for (std::size_t i = 0; i < n; ++i) {
            out[done + i] ^= block[i];
        }
    }
    ct::wipe(block);
}

namespace detail {
/// Our hash of `h`, as a digest_function.
inline digest_function digest_function_for(hash_id h) noexcept {
    switch (h) {
    case hash_id::sha1:
        return &digest_parts<sha1>;
    case hash_id::sha224:
        return &digest_parts<sha224>;
    case hash_id::sha256:
        return &digest_parts<sha256>;
    case hash_id::sha384:
        return &digest_parts<sha384>;
    case hash_id::sha512:
        return &digest_parts<sha512>;
    }
    return nullptr;
}
/// MGF1 over our hash of `h`, as an mgf_function.
inline mgf_function mgf1_function_for(hash_id h) noexcept {
    switch (h) {
    case hash_id::sha1:
        return &mgf1_xor<sha1>;
    case hash_id::sha224:
        return &mgf1_xor<sha224>;
    case hash_id::sha256:
        return &mgf1_xor<sha256>;
    case hash_id::sha384:
        return &mgf1_xor<sha384>;
    case hash_id::sha512:
        return &mgf1_xor<sha512>;
    }
    return nullptr;
}
} // namespace detail

namespace detail {
/// EMSA-PKCS1-v1_5 (RFC 8017 §9.2) of a `digest` computed with `h`, into `em` (emLen = k bytes):
/// EM = 0x00 || 0x01 || PS (0xff, k - tLen - 3 >= 8 bytes) || 0x00 || DigestInfo(h) || digest.
/// Verification rebuilds this and compares; signing exponentiates it. errc::message_too_long
/// when k < tLen + 11 (§9.2 step 3: the modulus is too short for this hash).
/// CT: time depends on the lengths only; the digest is copied, never inspected.
inline status emsa_pkcs1v15_encode(hash_id h, bytes_view digest, mutable_bytes em) noexcept {
    assert(digest.size() == digest_size(h));
    const std::size_t k = em.size();
    const bytes_view prefix = digest_info_prefix(h);
    const std::size_t t_len = prefix.size() + digest.size();
    if (k < t_len + 11) {
        return errc::message_too_long;
    }
    em[0] = 0x00;
    em[1] = 0x01;
    const std::size_t ps_end = k - t_len - 1;
    std::fill(em.begin() + 2, em.begin() + static_cast<std::ptrdiff_t>(ps_end), 0xff);
    em[ps_end] = 0x00;
    std::copy(prefix.begin(), prefix.end(), em.begin() + static_cast<std::ptrdiff_t>(ps_end + 1));
    std::copy(digest.begin(), digest.end(),
              em.begin() + static_cast<std::ptrdiff_t>(ps_end + 1 + prefix.size()));
    return {};
}

/// EMSA-PSS-ENCODE (RFC 8017 §9.1.1) of `digest` (mHash) with `salt`, into `em`, which is
/// emLen = ceil(emBits / 8) bytes; `em_bits` = modBits - 1 (§8.1.1 step 1). The hash and MGF1 come
/// as functions, as in verify_pss_with. errc::message_too_long when emLen < hLen + sLen + 2
/// (step 3: the modulus is too short for this hash and salt).
/// CT: time depends on the lengths only; no branch or index depends on the digest or salt.
inline status emsa_pss_encode(bytes_view digest, bytes_view salt, std::size_t em_bits,
                              mutable_bytes em, digest_function hash, mgf_function mgf) noexcept {
    const std::size_t em_len = em.size();
    const std::size_t h_len = digest.size();
    assert(em_len == (em_bits + 7) / 8);
    if (em_len < h_len + salt.size() + 2) {
        return errc::message_too_long;
    }
    // steps 5-6: H = Hash(00 x 8 || mHash || salt)
    static constexpr std::array<std::uint8_t, 8> zeros{};
    const bytes_view parts[] = {zeros, digest, salt};
    const std::size_t db_len = em_len - h_len - 1;
    const mutable_bytes db = em.first(db_len);
    const mutable_bytes h = em.subspan(db_len, h_len);
    hash(std::span<const bytes_view>(parts), h);
    // steps 7-8: DB = PS (zeros) || 0x01 || salt
    const std::size_t ps_len = db_len - salt.size() - 1;
    std::fill(db.begin(), db.begin() + static_cast<std::ptrdiff_t>(ps_len), std::uint8_t{0});
    db[ps_len] = 0x01;
    std::copy(salt.begin(), salt.end(), db.begin() + static_cast<std::ptrdiff_t>(ps_len + 1));
    // steps 9-11: maskedDB = DB xor MGF(H, emLen - hLen - 1), leftmost 8 emLen - emBits bits zero
    mgf(h, db);
    const unsigned top_bits = static_cast<unsigned>(8 * em_len - em_bits); // 0..7
    db[0] &= static_cast<std::uint8_t>(0xff >> top_bits);
    // step 12: EM = maskedDB || H || 0xbc
    em[em_len - 1] = 0xbc;
    return {};
}
} // namespace detail

/// RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2) of `digest`, computed with `h`, against a
/// `signature` of exactly `key.size()` bytes. Per §8.2.2 step 3 the whole expected encoding
/// EM = 00 01 FF..FF 00 || DigestInfo(h, digest) is rebuilt and compared with the decrypted block;
/// the block is never parsed, so no BER leniency, garbage or short padding can slip through
/// (Bleichenbacher 2006). DigestInfo is always the form with NULL parameters: Wycheproof marks the
/// absent-NULL variant only "acceptable" (flag MissingNull), and we reject it.
/// Errors: errc::bad_signature for a wrong length, a value >= n, or a mismatch.
/// CT: public data only; the comparison is ct::equal anyway.
template <detail::bigint_limb Limb>
status verify_pkcs1v15(const detail::basic_rsa_public_key<Limb>& key, hash_id h, bytes_view digest,
                       bytes_view signature) noexcept {
    assert(digest.size() == digest_size(h));
    const std::size_t k = key.size();
    if (digest.size() != digest_size(h) || signature.size() != k) {
        return errc::bad_signature;
    }
    std::array<std::uint8_t, rsa_max_bytes> em_buf;
    std::array<std::uint8_t, rsa_max_bytes> expected_buf;
    const mutable_bytes em(em_buf.data(), k);
    const mutable_bytes expected(expected_buf.data(), k);
    if (!detail::emsa_pkcs1v15_encode(h, digest, expected)) {
        return errc::bad_signature; // §9.2 step 3: modulus too short for this hash
    }
    if (!key.apply(signature, em)) {
        return errc::bad_signature;
    }
    return ct::equal(em, expected) ? status{} : status{errc::bad_signature};
}

/// RSASSA-PSS parameters: the message hash, the MGF1 hash and the salt length in bytes.
struct pss_params {
    hash_id hash = hash_id::sha256;
    hash_id mgf1_hash = hash_id::sha256;
    std::size_t salt_length = 32;

    /// MGF1 with the same hash and a salt as long as the digest: TLS 1.3 rsa_pss_rsae_* and
    /// rsa_pss_pss_* (RFC 8446 §4.2.3).
    static constexpr pss_params for_hash(hash_id h) noexcept { return {h, h, digest_size(h)}; }
};

/// RSASSA-PSS verification (RFC 8017 §8.1.2, EMSA-PSS-VERIFY §9.1.2) of `digest`, computed with
/// `params.hash`, against a `signature` of exactly `key.size()` bytes, with MGF1 over
/// `params.mgf1_hash`, a salt of `params.salt_length` bytes and the trailer field 0xbc (the only
/// one RFC 8017 defines; X.509 trailerField 1). TLS 1.3 rsa_pss_rsae_* and rsa_pss_pss_* use
/// `pss_params::for_hash(h)`; X.509 RSASSA-PSS-params give the three values explicitly.
/// Errors: errc::bad_signature for a wrong length, a value >= n, or any encoding mismatch.
/// CT: public data only; variable time.
template <detail::bigint_limb Limb>
status verify_pss(const detail::basic_rsa_public_key<Limb>& key, const pss_params& params,
                  bytes_view digest, bytes_view signature) noexcept {
    assert(digest.size() == digest_size(params.hash));
    if (digest.size() != digest_size(params.hash)) {
        return errc::bad_signature;
    }
    return detail::verify_pss_with(key, digest, signature, params.salt_length,
                                   detail::digest_function_for(params.hash),
                                   detail::mgf1_function_for(params.mgf1_hash));
}

/// RSAES-PKCS1-v1_5 encryption (RFC 8017 §7.2.1), for the TLS 1.2 RSA key exchange:
/// out = (00 02 || PS || 00 || message)^e mod n, PS being k - mLen - 3 >= 8 non-zero random
/// bytes from `rng`. `out` must be exactly `key.size()` bytes. Errors: errc::message_too_long when
/// the message exceeds k - 11 bytes; errc::random_failure from the source (then `out` is zeroed).
/// CT: the message steers no branch or index (its length is public). Random bytes equal to zero
/// are redrawn, which leaks where the source produced zeros, not the final padding.
template <detail::bigint_limb Limb>
status encrypt_pkcs1v15(const detail::basic_rsa_public_key<Limb>& key, bytes_view message,
                        mutable_bytes out, random_source& rng = default_random()) noexcept {
    const std::size_t k = key.size();
    assert(out.size() == k);
    if (message.size() + 11 > k) {
        return errc::message_too_long;
    }
    std::array<std::uint8_t, rsa_max_bytes> em_buf;
    const mutable_bytes em(em_buf.data(), k);
    const std::size_t ps_len = k - message.size() - 3;
    const mutable_bytes ps = em.subspan(2, ps_len);
    auto fail = [&](errc e) {
        ct::wipe(em.data(), k);
        std::fill(out.begin(), out.end(), std::uint8_t{0});
        return e;
    };
    if (!rng.fill(ps)) {
        return fail(errc::random_failure);
    }
    std::array<std::uint8_t, 64> spare{};
    std::size_t spare_left = 0;
    for (std::size_t i = 0; i < ps_len; ++i) {
        while (ps[i] == 0) {
            if (spare_left == 0) {
                if (!rng.fill(spare)) {
                    ct::wipe(spare);
                    return fail(errc::random_failure);
                }
                spare_left = spare.size();
            }
            ps[i] = spare[--spare_left];
        }
    }
    ct::wipe(spare);
    em[0] = 0x00;
    em[1] = 0x02;
    em[2 + ps_len] = 0x00;
    std::copy(message.begin(), message.end(), em.begin() + static_cast<std::ptrdiff_t>(3 + ps_len));
    // em < n: its first byte is zero and n has exactly k bytes
    [[maybe_unused]] const status applied = key.apply(em, out);
    assert(applied.ok());
    ct::wipe(em.data(), k);
    return {};
}

/// RSASSA-PKCS1-v1_5 verification of a whole message, hashed with `Hash` (sha1, sha224, sha256,
/// sha384 or sha512).
template <hash_function Hash, detail::bigint_limb Limb>
status verify_pkcs1v15(const detail::basic_rsa_public_key<Limb>& key, bytes_view message,
                       bytes_view signature) noexcept {
    const digest<Hash> d = hash<Hash>(message);
    return verify_pkcs1v15(key, hash_id_of_v<Hash>, d, signature);
}

/// RSASSA-PSS verification of a whole message with `Hash` (one of ours) for the message and
/// MGF1 and a salt of the digest length (the TLS 1.3 form).
template <hash_function Hash, detail::bigint_limb Limb>
status verify_pss(const detail::basic_rsa_public_key<Limb>& key, bytes_view message,
                  bytes_view signature) noexcept {
    const digest<Hash> d = hash<Hash>(message);
    return verify_pss(key, pss_params::for_hash(hash_id_of_v<Hash>), d, signature);
}

} // namespace https::crypto
