// HKDF (RFC 5869) and the TLS 1.3 HKDF-Expand-Label / Derive-Secret built on it (RFC 8446 §7.1).
#pragma once

#include "../core/bytes.hpp"
#include "../core/ct.hpp"
#include "../core/result.hpp"
#include "hash.hpp"
#include "hmac.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace https::crypto {

/// HKDF with hash `H` (RFC 5869), plus the TLS 1.3 labelled expansion (RFC 8446 §7.1).
template <hash_function H> struct hkdf {
    static constexpr std::size_t hash_len = H::digest_size;
    /// RFC 5869 §2.3: L <= 255 * HashLen.
    static constexpr std::size_t max_output = 255 * hash_len;

    /// HKDF-Extract(salt, IKM) = HMAC-Hash(salt, IKM) (RFC 5869 §2.2). An empty salt is the
    /// "not provided" case: HMAC pads keys with zeros, so it equals HashLen zero bytes.
    /// CT: lengths only.
    [[nodiscard]] static digest<H> extract(bytes_view salt, bytes_view ikm) noexcept {
        return hmac<H>::mac(salt, ikm);
    }

    /// HKDF-Expand(PRK, info, L) into `out`, L = out.size() (RFC 5869 §2.3):
    /// T(i) = HMAC-Hash(PRK, T(i-1) || info || i), output the first L bytes of T(1) || T(2) ...
    /// More than 255 * HashLen bytes is `errc::out_of_range` (and `out` is left untouched).
    /// The PRK should be HashLen bytes (RFC 5869 says "at least"); any length works as a key.
    /// `out` may overlap `prk` (the key is absorbed before anything is written), not `info`.
    /// CT: lengths only.
    [[nodiscard]] static status expand(bytes_view prk, bytes_view info,
                                       mutable_bytes out) noexcept {
        if (out.size() > max_output) {
            return errc::out_of_range;
        }
        hmac<H> mac(prk);
        digest<H> t{};
        std::size_t done = 0;
        for (std::size_t i = 1; done < out.size(); ++i) {
            if (i > 1) {
                mac.update(t); // T(i-1); T(0) is empty
            }
            mac.update(info);
            const std::uint8_t counter = static_cast<std::uint8_t>(i);
            mac.update(bytes_view(&counter, 1));
            mac.finish(t); // also resets `mac` to its keyed state for the next block
            const std::size_t take = std::min(hash_len, out.size() - done);
            std::memcpy(out.data() + done, t.data(), take);
            done += take;
        }
        ct::wipe(t);
        return {};
    }

    /// The largest label HKDF-Expand-Label accepts: "tls13 " + label must fit in opaque<7..255>.
    static constexpr std::size_t max_label = 255 - 6;

    /// HKDF-Expand-Label(Secret, Label, Context, Length) of RFC 8446 §7.1, Length = out.size():
    /// HKDF-Expand(Secret, HkdfLabel, Length) with
    ///   struct { uint16 length; opaque label<7..255> = "tls13 " + Label; opaque context<0..255>;
    ///   }.
    /// Preconditions (asserted; every TLS 1.3 use satisfies them): 1 <= label.size() <= 249,
    /// context.size() <= 255, out.size() <= min(65535, 255 * HashLen).
    /// CT: lengths only.
    static void expand_label(bytes_view secret, std::string_view label, bytes_view context,
                             mutable_bytes out) noexcept {
        assert(!label.empty() && label.size() <= max_label);
        assert(context.size() <= 255);
        assert(out.size() <= 0xffff && out.size() <= max_output);
        constexpr std::string_view prefix = "tls13 ";
        std::array<std::uint8_t, 2 + 1 + 255 + 1 + 255> info{}; // the largest HkdfLabel
        std::size_t n = 0;
        info[n++] = static_cast<std::uint8_t>(out.size() >> 8);
        info[n++] = static_cast<std::uint8_t>(out.size());
        info[n++] = static_cast<std::uint8_t>(prefix.size() + label.size());
        std::memcpy(info.data() + n, prefix.data(), prefix.size());
        n += prefix.size();
        if (!label.empty()) {
            std::memcpy(info.data() + n, label.data(), label.size());
            n += label.size();
        }
        info[n++] = static_cast<std::uint8_t>(context.size());
        if (!context.empty()) {
            std::memcpy(info.data() + n, context.data(), context.size());
            n += context.size();
        }
        [[maybe_unused]] const status s = expand(secret, bytes_view(info.data(), n), out);
        assert(s.ok());
    }

    /// Derive-Secret(Secret, Label, Messages) of RFC 8446 §7.1 =
    /// HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length), taking the
    /// transcript hash (HashLen bytes, asserted) already computed.
    /// CT: lengths only.
    static void derive_secret(bytes_view secret, std::string_view label, bytes_view transcript_hash,
                              std::span<std::uint8_t, hash_len> out) noexcept {
        assert(transcript_hash.size() == hash_len);
        expand_label(secret, label, transcript_hash, out);
    }
};

} // namespace https::crypto
