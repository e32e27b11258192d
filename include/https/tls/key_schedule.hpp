// The TLS 1.3 key schedule (RFC 8446 §7.1-7.3) as a typestate: early -> handshake -> master
// secret, each stage consumed to make the next, plus traffic keys, Finished and KeyUpdate.
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../crypto/hkdf.hpp"
#include "../crypto/hmac.hpp"
#include "../crypto/sha2.hpp"
#include "cipher_suite.hpp"

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

namespace https::tls {

/// The largest hash output we negotiate (SHA-384).
inline constexpr std::size_t max_hash_length = 48;

/// A secret as long as the negotiated hash output (32 or 48 bytes); wiped on destruction.
class secret {
  public:
    secret() = default;
    /// CT: copies; lengths only.
    explicit secret(bytes_view b) noexcept : size_(b.size()) {
        assert(b.size() <= max_hash_length);
        std::copy(b.begin(), b.end(), buf_.bytes.begin());
    }
    [[nodiscard]] bytes_view bytes() const noexcept { return {buf_.data(), size_}; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }

  private:
    ct::secret_array<max_hash_length> buf_;
    std::size_t size_ = 0;
};

/// A public hash value (a transcript hash or a Finished verify_data before it is compared).
struct hash_value {
    std::array<std::uint8_t, max_hash_length> bytes{};
    std::size_t size = 0;
    [[nodiscard]] bytes_view view() const noexcept { return {bytes.data(), size}; }
};

namespace detail {

/// Calls `f(std::type_identity<H>{})` with the hash type named by `h`: the one place where the
/// runtime choice of hash becomes a template argument.
template <class F> decltype(auto) with_hash(hash_algorithm h, F&& f) {
    if (h == hash_algorithm::sha256) {
        return std::forward<F>(f)(std::type_identity<crypto::sha256>{});
    }
    return std::forward<F>(f)(std::type_identity<crypto::sha384>{});
}

template <class H> hash_value to_hash_value(const crypto::digest<H>& d) {
    hash_value v;
    std::copy(d.begin(), d.end(), v.bytes.begin());
    v.size = d.size();
    return v;
}

} // namespace detail

/// HKDF-Extract (RFC 5869 §2.2). CT: lengths only.
inline secret hkdf_extract(hash_algorithm h, bytes_view salt, bytes_view ikm) {
    return detail::with_hash(h, [&]<class H>(std::type_identity<H>) {
        auto prk = crypto::hkdf<H>::extract(salt, ikm);
        secret s(prk);
        ct::wipe(prk);
        return s;
    });
}

/// HKDF-Expand-Label (RFC 8446 §7.1) into `out`. CT: lengths only.
inline void hkdf_expand_label(hash_algorithm h, bytes_view secret_bytes, std::string_view label,
                              bytes_view context, mutable_bytes out) {
    detail::with_hash(h, [&]<class H>(std::type_identity<H>) {
        crypto::hkdf<H>::expand_label(secret_bytes, label, context, out);
    });
}

/// Derive-Secret(Secret, Label, Messages) (RFC 8446 §7.1), given Transcript-Hash(Messages).
/// CT: lengths only.
inline secret derive_secret(hash_algorithm h, const secret& s, std::string_view label,
                            const hash_value& transcript) {
    assert(transcript.size == hash_length(h));
    ct::secret_array<max_hash_length> out;
    hkdf_expand_label(h, s.bytes(), label, transcript.view(),
                      mutable_bytes(out.data(), hash_length(h)));
    return secret(bytes_view(out.data(), hash_length(h)));
}

/// Transcript-Hash of no messages, the context of the "derived" steps (RFC 8446 §7.1).
inline hash_value empty_hash(hash_algorithm h) {
    return detail::with_hash(h, [&]<class H>(std::type_identity<H>) {
        return detail::to_hash_value<H>(crypto::hash<H>(bytes_view{}));
    });
}

class handshake_secret;
class master_secret;

/// Stage 1: Early Secret = HKDF-Extract(0, PSK), with PSK = 0 when none is used.
class early_secret {
  public:
    /// CT: the PSK is secret; lengths only.
    explicit early_secret(hash_algorithm h, bytes_view psk = {}) : hash_(h) {
        const std::array<std::uint8_t, max_hash_length> zeros{};
        const bytes_view ikm = psk.empty() ? bytes_view(zeros.data(), hash_length(h)) : psk;
        secret_ = hkdf_extract(h, bytes_view(zeros.data(), hash_length(h)), ikm);
    }

    [[nodiscard]] const secret& value() const noexcept { return secret_; }
    [[nodiscard]] hash_algorithm hash() const noexcept { return hash_; }

    /// Stage 2: Handshake Secret = HKDF-Extract(Derive-Secret(Early, "derived", ""), (EC)DHE).
    /// Consumes the early secret. CT: lengths only.
    [[nodiscard]] handshake_secret derive_handshake(bytes_view shared_secret) &&;

  private:
    hash_algorithm hash_;
    secret secret_;
};

/// Stage 2, holding the Handshake Secret.
class handshake_secret {
  public:
    handshake_secret(hash_algorithm h, secret s) : hash_(h), secret_(std::move(s)) {}

    [[nodiscard]] const secret& value() const noexcept { return secret_; }
    [[nodiscard]] hash_algorithm hash() const noexcept { return hash_; }

    /// client_handshake_traffic_secret over ClientHello...ServerHello. CT: lengths only.
    [[nodiscard]] secret client_traffic(const hash_value& transcript) const {
        return derive_secret(hash_, secret_, "c hs traffic", transcript);
    }
    /// server_handshake_traffic_secret over ClientHello...ServerHello. CT: lengths only.
    [[nodiscard]] secret server_traffic(const hash_value& transcript) const {
        return derive_secret(hash_, secret_, "s hs traffic", transcript);
    }

    /// Stage 3: Master Secret = HKDF-Extract(Derive-Secret(Handshake, "derived", ""), 0).
    /// Consumes the handshake secret. CT: lengths only.
    [[nodiscard]] master_secret derive_master() &&;

  private:
    hash_algorithm hash_;
    secret secret_;
};

/// Stage 3, holding the Master Secret.
class master_secret {
  public:
    master_secret(hash_algorithm h, secret s) : hash_(h), secret_(std::move(s)) {}

    [[nodiscard]] const secret& value() const noexcept { return secret_; }
    [[nodiscard]] hash_algorithm hash() const noexcept { return hash_; }

    /// client_application_traffic_secret_0 over ClientHello...server Finished.
    [[nodiscard]] secret client_application_traffic(const hash_value& transcript) const {
        return derive_secret(hash_, secret_, "c ap traffic", transcript);
    }
    /// server_application_traffic_secret_0 over ClientHello...server Finished.
    [[nodiscard]] secret server_application_traffic(const hash_value& transcript) const {
        return derive_secret(hash_, secret_, "s ap traffic", transcript);
    }
    /// exporter_master_secret over ClientHello...server Finished.
    [[nodiscard]] secret exporter(const hash_value& transcript) const {
        return derive_secret(hash_, secret_, "exp master", transcript);
    }
    /// resumption_master_secret over ClientHello...client Finished.
    [[nodiscard]] secret resumption(const hash_value& transcript) const {
        return derive_secret(hash_, secret_, "res master", transcript);
    }

  private:
    hash_algorithm hash_;
    secret secret_;
};

inline handshake_secret early_secret::derive_handshake(bytes_view shared_secret) && {
    const secret salt = derive_secret(hash_, secret_, "derived", empty_hash(hash_));
    return handshake_secret(hash_, hkdf_extract(hash_, salt.bytes(), shared_secret));
}

inline master_secret handshake_secret::derive_master() && {
    const secret salt = derive_secret(hash_, secret_, "derived", empty_hash(hash_));
    const std::array<std::uint8_t, max_hash_length> zeros{};
    return master_secret(hash_,
                         hkdf_extract(hash_, salt.bytes(), bytes_view(zeros.data(), salt.size())));
}

/// The write key and IV of one direction (RFC 8446 §7.3); wiped on destruction.
struct traffic_keys {
    ct::secret_array<32> key;
    std::size_t key_length = 0;
    ct::secret_array<12> iv;
};

/// [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length),
/// [sender]_write_iv = HKDF-Expand-Label(Secret, "iv", "", 12). CT: lengths only.
inline traffic_keys derive_traffic_keys(hash_algorithm h, const secret& traffic,
                                        std::size_t key_length) {
    assert(key_length <= 32);
    traffic_keys k;
    k.key_length = key_length;
    hkdf_expand_label(h, traffic.bytes(), "key", {}, mutable_bytes(k.key.data(), key_length));
    hkdf_expand_label(h, traffic.bytes(), "iv", {}, k.iv.span());
    return k;
}

/// application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd", "", Hash.length)
/// (RFC 8446 §7.2). CT: lengths only.
inline secret next_traffic_secret(hash_algorithm h, const secret& current) {
    ct::secret_array<max_hash_length> out;
    hkdf_expand_label(h, current.bytes(), "traffic upd", {},
                      mutable_bytes(out.data(), hash_length(h)));
    return secret(bytes_view(out.data(), hash_length(h)));
}

/// Finished verify_data = HMAC(finished_key, Transcript-Hash(...)), finished_key =
/// HKDF-Expand-Label(BaseKey, "finished", "", Hash.length) (RFC 8446 §4.4.4).
/// CT: lengths only; the caller compares received values with ct::equal.
inline secret finished_verify_data(hash_algorithm h, const secret& base_key,
                                   const hash_value& transcript) {
    return detail::with_hash(h, [&]<class H>(std::type_identity<H>) {
        ct::secret_array<H::digest_size> finished_key;
        crypto::hkdf<H>::expand_label(base_key.bytes(), "finished", {}, finished_key.span());
        auto mac = crypto::hmac<H>::mac(finished_key.span(), transcript.view());
        secret out(mac);
        ct::wipe(mac);
        return out;
    });
}

} // namespace https::tls
