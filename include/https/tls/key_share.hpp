// Ephemeral key shares (RFC 8446 §4.2.8, §7.4): one private key per offered group, generated
// from the injected random source, and the shared secret with the server's share. The groups:
// X25519, P-256, P-384 and the hybrid X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem).
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../core/result.hpp"
#include "../crypto/ecdh.hpp"
#include "../crypto/mlkem.hpp"
#include "../crypto/random.hpp"
#include "../crypto/x25519.hpp"
#include "extensions.hpp"

#include <cstddef>
#include <span>
#include <variant>

namespace https::tls {

/// The secret a key exchange agrees on: up to 64 bytes (X25519MLKEM768's), wiped when released.
class shared_key {
  public:
    static constexpr std::size_t max_size = 64;
    /// CT: copies; lengths only.
    explicit shared_key(std::size_t size) noexcept : size_(size) {}
    [[nodiscard]] bytes_view bytes() const noexcept { return {buf_.data(), size_}; }
    [[nodiscard]] mutable_bytes span() noexcept { return {buf_.data(), size_}; }

  private:
    ct::secret_array<max_size> buf_;
    std::size_t size_;
};

/// Our half of X25519MLKEM768: an ML-KEM-768 key pair and an X25519 key pair, sent as the
/// encapsulation key followed by the X25519 public key (ML-KEM first, as the draft's §3 says).
struct x25519_mlkem768_key {
    crypto::mlkem768::key_pair kem;
    crypto::x25519_key_pair ecdh;
    byte_vector share; ///< ek || X25519 public key: 1184 + 32 bytes
};

/// One of our key shares: the private key of `group()` and its public encoding.
class key_exchange {
  public:
    /// A fresh key for `group`; `errc::unsupported_curve` for a group we do not implement.
    /// CT: time does not depend on the private key.
    static result<key_exchange> generate(named_group group, crypto::random_source& rng) {
        switch (group) {
        case named_group::x25519:
            return wrap(crypto::x25519_key_pair::generate(rng));
        case named_group::secp256r1:
            return wrap(crypto::ecdh_p256::generate(rng));
        case named_group::secp384r1:
            return wrap(crypto::ecdh_p384::generate(rng));
        case named_group::x25519_mlkem768: {
            auto kem = crypto::mlkem768::generate(rng);
            auto ecdh = crypto::x25519_key_pair::generate(rng);
            if (!kem || !ecdh) {
                return !kem ? kem.error() : ecdh.error();
            }
            x25519_mlkem768_key k{std::move(*kem), std::move(*ecdh), {}};
            k.share.assign(k.kem.encapsulation_key.begin(), k.kem.encapsulation_key.end());
            k.share.insert(k.share.end(), k.ecdh.public_key.begin(), k.ecdh.public_key.end());
            return key_exchange(std::move(k));
        }
        default:
            return errc::unsupported_curve;
        }
    }

    [[nodiscard]] named_group group() const {
        return std::visit([](const auto& k) { return group_of(k); }, key_);
    }

    /// The KeyShareEntry.key_exchange bytes we send.
    [[nodiscard]] bytes_view public_key() const {
        return std::visit([](const auto& k) { return public_of(k); }, key_);
    }

    /// The shared secret with the server's key_exchange bytes. RFC 8446 §4.2.8.2 and §7.4.2: a
    /// malformed or invalid peer key, or an all-zero X25519 output, is `tls_illegal_parameter`;
    /// so is a hybrid share of the wrong length (draft-ietf-tls-ecdhe-mlkem §3).
    /// CT: the private key and the output are secret; only the validity verdict leaks.
    [[nodiscard]] result<shared_key> shared_secret(bytes_view peer) const {
        return std::visit([&](const auto& k) { return agree(k, peer); }, key_);
    }

  private:
    using key_type = std::variant<crypto::x25519_key_pair, crypto::ecdh_p256, crypto::ecdh_p384,
                                  x25519_mlkem768_key>;
    template <class K> explicit key_exchange(K k) : key_(std::move(k)) {}
    template <class K> static result<key_exchange> wrap(result<K> k) {
        if (!k) {
            return k.error();
        }
        return key_exchange(std::move(*k));
    }

    static named_group group_of(const crypto::x25519_key_pair&) { return named_group::x25519; }
    static bytes_view public_of(const crypto::x25519_key_pair& k) { return k.public_key; }
    static result<shared_key> agree(const crypto::x25519_key_pair& k, bytes_view peer) {
        shared_key out(32);
        HTTPS_TRY(agree_x25519(k, peer, out.span()));
        return out;
    }
    static status agree_x25519(const crypto::x25519_key_pair& k, bytes_view peer,
                               mutable_bytes out) {
        if (peer.size() != 32 ||
            !k.shared_secret(std::span<const std::uint8_t, 32>(peer.data(), 32),
                             std::span<std::uint8_t, 32>(out.data(), 32))) {
            return errc::tls_illegal_parameter;
        }
        return {};
    }

    static named_group group_of(const crypto::ecdh_p256&) { return named_group::secp256r1; }
    static named_group group_of(const crypto::ecdh_p384&) { return named_group::secp384r1; }
    template <class Curve> static bytes_view public_of(const crypto::ecdh_key_pair<Curve>& k) {
        return k.public_key();
    }
    /// RFC 8446 §4.2.8.2: an uncompressed point of the right size, fully validated (on the
    /// curve, not the identity) by the ECDH code; the secret is the x-coordinate (§7.4.1).
    template <class Curve>
    static result<shared_key> agree(const crypto::ecdh_key_pair<Curve>& k, bytes_view peer) {
        using kp = crypto::ecdh_key_pair<Curve>;
        if (peer.size() != kp::public_key_size || peer[0] != 0x04) {
            return errc::tls_illegal_parameter;
        }
        shared_key out(kp::shared_secret_size);
        if (!k.shared_secret(peer, std::span<std::uint8_t, kp::shared_secret_size>(
                                       out.span().data(), kp::shared_secret_size))) {
            return errc::tls_illegal_parameter;
        }
        return out;
    }

    static named_group group_of(const x25519_mlkem768_key&) {
        return named_group::x25519_mlkem768;
    }
    static bytes_view public_of(const x25519_mlkem768_key& k) { return k.share; }
    /// The server's share is the ML-KEM ciphertext followed by its X25519 public key; the secret
    /// is the ML-KEM shared secret followed by the X25519 one (draft-ietf-tls-ecdhe-mlkem §3). A
    /// ciphertext that does not decapsulate cleanly yields ML-KEM's implicit-rejection secret:
    /// the keys then differ from the server's and its first protected record fails.
    static result<shared_key> agree(const x25519_mlkem768_key& k, bytes_view peer) {
        constexpr std::size_t ct_size = crypto::mlkem768::ciphertext_size;
        if (peer.size() != ct_size + 32) {
            return errc::tls_illegal_parameter;
        }
        shared_key out(crypto::mlkem768::shared_secret_size + 32);
        auto kem = crypto::mlkem768::decapsulate(k.kem.decapsulation_key.span(),
                                                 peer.first(ct_size));
        if (!kem) {
            return errc::tls_illegal_parameter;
        }
        const bytes_view kem_secret = kem->span();
        std::copy(kem_secret.begin(), kem_secret.end(), out.span().begin());
        HTTPS_TRY(agree_x25519(k.ecdh, peer.subspan(ct_size), out.span().subspan(32)));
        return out;
    }

    key_type key_;
};

} // namespace https::tls
