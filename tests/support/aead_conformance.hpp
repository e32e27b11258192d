// aead_conformance<Aead>: the behaviour every https::crypto::aead must show, whatever the cipher
// (in the spirit of Go's cryptotest.TestAEAD). Run it once per implementation path.
#pragma once

#include <https/crypto/aead.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

namespace test {

/// Knobs for ciphers whose contract differs from the common case.
struct aead_conformance_options {
    /// Nonce lengths that must be refused with errc::bad_nonce_size. Empty: 0, nonce_size - 1,
    /// nonce_size + 1 and 2 * nonce_size (an AEAD accepting other lengths passes its own list).
    std::vector<std::size_t> bad_nonce_sizes;
    std::uint64_t seed = 0x5eed;
};

/// What was exercised, so the calling test can assert the counts.
struct aead_conformance_report {
    std::size_t round_trips = 0; // seal + open, out of place and in place, inputs unmodified
    std::size_t rejections = 0;  // forgeries and bad nonces refused with a zero-filled output
};

namespace detail {

using byte_buffer = std::vector<std::uint8_t>;

inline byte_buffer random_bytes(std::mt19937_64& rng, std::size_t n) {
    byte_buffer out(n);
    for (auto& b : out) {
        b = static_cast<std::uint8_t>(rng());
    }
    return out;
}

inline bool all_zero(std::span<const std::uint8_t> s) {
    return std::all_of(s.begin(), s.end(), [](std::uint8_t b) { return b == 0; });
}

/// The plaintext lengths tried: every length up to 600, then both sides of larger block
/// multiples (AES and ChaCha blocks, SIMD strides, a TLS record).
inline std::vector<std::size_t> conformance_lengths() {
    std::vector<std::size_t> out;
    for (std::size_t n = 0; n <= 600; ++n) {
        out.push_back(n);
    }
    for (std::size_t m : {640u, 768u, 1024u, 2048u, 4096u, 16384u}) {
        out.push_back(m - 1);
        out.push_back(m);
        out.push_back(m + 1);
    }
    out.push_back(16384 + 256); // the largest TLS 1.3 ciphertext body
    return out;
}

/// The lengths on which every forgery is tried (the others get a sample).
inline bool forgery_length(std::size_t n) {
    for (std::size_t m : {0u,   1u,   15u,  16u,  17u,  31u,  32u,  33u,  63u,  64u,  65u,
                          127u, 128u, 129u, 255u, 256u, 257u, 511u, 512u, 513u, 600u, 4096u}) {
        if (n == m) {
            return true;
        }
    }
    return false;
}

} // namespace detail

/// Run the conformance suite on `Aead`; `make_aead(key)` builds an instance from a
/// `std::span<const std::uint8_t, Aead::key_size>`.
template <https::crypto::aead Aead, class MakeAead>
aead_conformance_report aead_conformance(MakeAead make_aead, aead_conformance_options opt = {}) {
    using detail::byte_buffer;
    constexpr std::size_t key_size = Aead::key_size;
    constexpr std::size_t nonce_size = Aead::nonce_size;
    constexpr std::size_t tag_size = Aead::tag_size;
    static_assert(key_size > 0 && nonce_size > 0 && tag_size > 0);
    if (opt.bad_nonce_sizes.empty()) {
        opt.bad_nonce_sizes = {0, nonce_size - 1, nonce_size + 1, 2 * nonce_size};
    }
    std::mt19937_64 rng(opt.seed);
    aead_conformance_report report;

    auto new_key = [&] {
        std::array<std::uint8_t, key_size> k{};
        for (auto& b : k) {
            b = static_cast<std::uint8_t>(rng());
        }
        return k;
    };
    // Expect a refused open: `status` is the error, `out` zero-filled.
    auto refused = [&](const Aead& a, const byte_buffer& nonce, const byte_buffer& ad,
                       const byte_buffer& sealed, https::errc want) {
        byte_buffer out(sealed.size() >= tag_size ? sealed.size() - tag_size : 0, 0xa5);
        const auto st = a.open(nonce, ad, sealed, out);
        REQUIRE(st.error() == want);
        REQUIRE(detail::all_zero(out));
        ++report.rejections;
    };

    auto key = new_key();
    std::optional<Aead> current; // optional: Aead need not be assignable
    current.emplace(make_aead(std::span<const std::uint8_t, key_size>(key)));
    std::size_t since_rekey = 0;

    for (std::size_t n : detail::conformance_lengths()) {
        INFO("plaintext length " << n);
        if (++since_rekey == 37) { // fresh keys now and then; the same object is reused otherwise
            key = new_key();
            current.emplace(make_aead(std::span<const std::uint8_t, key_size>(key)));
            since_rekey = 0;
        }
        const Aead& aead = *current;
        const byte_buffer plaintext = detail::random_bytes(rng, n);
        const byte_buffer nonce = detail::random_bytes(rng, nonce_size);
        const std::size_t ad_len = rng() % 4 == 0 ? 0 : rng() % 80;
        const byte_buffer ad = detail::random_bytes(rng, ad_len);
        const byte_buffer plaintext_copy = plaintext, nonce_copy = nonce, ad_copy = ad;

        // Seal out of place; the inputs stay as they were; sealing is deterministic.
        byte_buffer sealed(n + tag_size, 0x5a);
        REQUIRE(aead.seal(nonce, ad, plaintext, sealed).ok());
        REQUIRE(plaintext == plaintext_copy);
        REQUIRE(nonce == nonce_copy);
        REQUIRE(ad == ad_copy);
        byte_buffer again(n + tag_size);
        REQUIRE(aead.seal(nonce, ad, plaintext, again).ok());
        REQUIRE(again == sealed);
        if (n >= 16) {
            REQUIRE(!std::equal(plaintext.begin(), plaintext.begin() + 16, sealed.begin()));
        }

        // Seal in place gives the same bytes.
        byte_buffer inplace(n + tag_size);
        std::copy(plaintext.begin(), plaintext.end(), inplace.begin());
        REQUIRE(aead.seal(nonce, ad, std::span(inplace).first(n), inplace).ok());
        REQUIRE(inplace == sealed);

        // Open out of place and in place; the sealed input stays as it was.
        const byte_buffer sealed_copy = sealed;
        byte_buffer opened(n, 0x5a);
        REQUIRE(aead.open(nonce, ad, sealed, opened).ok());
        REQUIRE(opened == plaintext);
        REQUIRE(sealed == sealed_copy);
        REQUIRE(nonce == nonce_copy);
        REQUIRE(ad == ad_copy);
        REQUIRE(aead.open(nonce, ad, inplace, std::span(inplace).first(n)).ok());
        REQUIRE(std::equal(plaintext.begin(), plaintext.end(), inplace.begin()));

        if constexpr (std::is_copy_constructible_v<Aead>) {
            // A copy of the object behaves the same.
            const Aead copy = aead;
            byte_buffer by_copy(n);
            REQUIRE(copy.open(nonce, ad, sealed, by_copy).ok());
            REQUIRE(by_copy == plaintext);
        }
        ++report.round_trips;

        // Another nonce, or another key, gives another ciphertext and tag.
        byte_buffer nonce2 = nonce;
        nonce2[rng() % nonce_size] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
        byte_buffer other(n + tag_size);
        REQUIRE(aead.seal(nonce2, ad, plaintext, other).ok());
        REQUIRE(!std::equal(other.end() - tag_size, other.end(), sealed.end() - tag_size));
        if (n >= 8) {
            REQUIRE(!std::equal(other.begin(), other.begin() + 8, sealed.begin()));
        }
        auto key2 = key;
        key2[rng() % key_size] ^= 0x80;
        const Aead aead2 = make_aead(std::span<const std::uint8_t, key_size>(key2));
        REQUIRE(aead2.seal(nonce, ad, plaintext, other).ok());
        REQUIRE(!std::equal(other.end() - tag_size, other.end(), sealed.end() - tag_size));

        // Forgeries: each refused with errc::bad_tag and a zero-filled output.
        const bool all = detail::forgery_length(n);
        refused(aead, nonce2, ad, sealed, https::errc::bad_tag); // wrong nonce
        refused(aead2, nonce, ad, sealed, https::errc::bad_tag); // wrong key
        {
            byte_buffer ad2 = ad;
            ad2.push_back(0); // longer AAD
            refused(aead, nonce, ad2, sealed, https::errc::bad_tag);
            if (!ad.empty()) {
                ad2 = ad;
                ad2[rng() % ad.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
                refused(aead, nonce, ad2, sealed, https::errc::bad_tag);
                ad2 = ad;
                ad2.pop_back(); // shorter AAD
                refused(aead, nonce, ad2, sealed, https::errc::bad_tag);
            }
        }
        for (std::size_t i = 0; i < sealed.size(); ++i) {
            // each tag byte always; each ciphertext byte on the chosen lengths, else a sample
            const bool in_tag = i >= n;
            if (!in_tag && !all && rng() % 64 != 0) {
                continue;
            }
            byte_buffer bad = sealed;
            bad[i] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
            refused(aead, nonce, ad, bad, https::errc::bad_tag);
        }
        {
            byte_buffer bad = sealed;
            bad.pop_back(); // truncated (ciphertext one shorter, tag shifted)
            refused(aead, nonce, ad, bad, https::errc::bad_tag);
            bad = sealed;
            bad.push_back(0); // extended
            refused(aead, nonce, ad, bad, https::errc::bad_tag);
            if (n > 0) {
                // the same tag over a ciphertext one byte shorter
                bad.assign(sealed.begin(), sealed.begin() + static_cast<std::ptrdiff_t>(n - 1));
                bad.insert(bad.end(), sealed.end() - tag_size, sealed.end());
                refused(aead, nonce, ad, bad, https::errc::bad_tag);
            }
        }
        if (all) {
            // A failed in-place open wipes the buffer instead of leaving ciphertext or plaintext.
            byte_buffer bad = sealed;
            bad[n] ^= 1;
            REQUIRE(aead.open(nonce, ad, bad, std::span(bad).first(n)).error() ==
                    https::errc::bad_tag);
            REQUIRE(detail::all_zero(std::span(bad).first(n)));
            ++report.rejections;
            // Shorter than a tag: nothing to authenticate.
            for (std::size_t len : {std::size_t{0}, std::size_t{1}, tag_size - 1}) {
                refused(aead, nonce, ad,
                        byte_buffer(sealed.begin(),
                                    sealed.begin() +
                                        static_cast<std::ptrdiff_t>(std::min(len, sealed.size()))),
                        https::errc::bad_tag);
            }
            // Nonces of a wrong length are refused by both operations.
            for (std::size_t bad_size : opt.bad_nonce_sizes) {
                INFO("nonce length " << bad_size);
                const byte_buffer bad_nonce = detail::random_bytes(rng, bad_size);
                byte_buffer out(n + tag_size, 0x77);
                REQUIRE(aead.seal(bad_nonce, ad, plaintext, out).error() ==
                        https::errc::bad_nonce_size);
                refused(aead, bad_nonce, ad, sealed, https::errc::bad_nonce_size);
            }
        }
    }
    return report;
}

/// The same, constructing `Aead` directly from the key span.
template <https::crypto::aead Aead>
aead_conformance_report aead_conformance(aead_conformance_options opt = {}) {
    return aead_conformance<Aead>(
        [](std::span<const std::uint8_t, Aead::key_size> key) { return Aead(key); },
        std::move(opt));
}

} // namespace test
