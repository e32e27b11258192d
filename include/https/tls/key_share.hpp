// Ephemeral key shares for (EC)DHE (RFC 8446 §4.2.8, §7.4): one private key per offered group,
// generated from the injected random source, and the shared secret with the server's share.
#pragma once

#include "../core/bytes.hpp"
#include "../core/result.hpp"
#include "../crypto/ecdh.hpp"
#include "../crypto/random.hpp"
#include "../crypto/x25519.hpp"
#include "extensions.hpp"
#include "key_schedule.hpp"

#include <variant>

namespace https::tls {

/// One of our key shares: the private key of `group()` and its public encoding.
class key_exchange {
  public:
    /// A fresh key for `group`; `errc::unsupported_curve` for a group we do not implement.
    /// CT: time does not depend on the private key.
    static result<key_exchange> generate(named_group group, crypto::random_source& rng) {
        switch (group) {
        case named_group::x25519: {
            auto kp = crypto::x25519_key_pair::generate(rng);
            if (!kp) {
                return kp.error();
            }
            return key_exchange(std::move(*kp));
        }
        case named_group::secp256r1: {
            auto kp = crypto::ecdh_p256::generate(rng);
            if (!kp) {
                return kp.error();
            }
            return key_exchange(std::move(*kp));
        }
        case named_group::secp384r1: {
            auto kp = crypto::ecdh_p384::generate(rng);
            if (!kp) {
                return kp.error();
            }
            return key_exchange(std::move(*kp));
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

    /// The (EC)DHE shared secret with the server's key_exchange bytes. RFC 8446 §4.2.8.2 and
    /// §7.4.2: a malformed or invalid peer key, or an all-zero X25519 output, is
    /// `tls_illegal_parameter`.
    /// CT: the private key and the output are secret; only the validity verdict leaks.
    [[nodiscard]] result<secret> shared_secret(bytes_view peer) const {
        return std::visit([&](const auto& k) { return agree(k, peer); }, key_);
    }

  private:
    using key_type = std::variant<crypto::x25519_key_pair, crypto::ecdh_p256, crypto::ecdh_p384>;
    template <class K> explicit key_exchange(K k) : key_(std::move(k)) {}

    static named_group group_of(const crypto::x25519_key_pair&) { return named_group::x25519; }
    static bytes_view public_of(const crypto::x25519_key_pair& k) { return k.public_key; }
    static result<secret> agree(const crypto::x25519_key_pair& k, bytes_view peer) {
        if (peer.size() != 32) {
            return errc::tls_illegal_parameter;
        }
        ct::secret_array<32> out;
        if (!k.shared_secret(std::span<const std::uint8_t, 32>(peer.data(), 32), out.span())) {
            return errc::tls_illegal_parameter;
        }
        return secret(out.span());
    }

    static named_group group_of(const crypto::ecdh_p256&) { return named_group::secp256r1; }
    static named_group group_of(const crypto::ecdh_p384&) { return named_group::secp384r1; }
    template <class Curve> static bytes_view public_of(const crypto::ecdh_key_pair<Curve>& k) {
        return k.public_key();
    }
    /// RFC 8446 §4.2.8.2: an uncompressed point of the right size, fully validated (on the
    /// curve, not the identity) by the ECDH code; the secret is the x-coordinate (§7.4.1).
    template <class Curve>
    static result<secret> agree(const crypto::ecdh_key_pair<Curve>& k, bytes_view peer) {
        using kp = crypto::ecdh_key_pair<Curve>;
        if (peer.size() != kp::public_key_size || peer[0] != 0x04) {
            return errc::tls_illegal_parameter;
        }
        ct::secret_array<kp::shared_secret_size> out;
        if (!k.shared_secret(peer, out.span())) {
            return errc::tls_illegal_parameter;
        }
        return secret(out.span());
    }

    key_type key_;
};

} // namespace https::tls
