// The aead concept: what every authenticated cipher offers, so TLS code can hold any of them.
#pragma once

#include "../core/bytes.hpp"
#include "../core/result.hpp"

#include <concepts>
#include <cstddef>

namespace https::crypto {

/// An AEAD bound to a key.
///  - `seal(nonce, ad, plaintext, out)`: `out.size() == plaintext.size() + tag_size`; writes the
///    ciphertext followed by the tag.
///  - `open(nonce, ad, sealed, out)`: `out.size() == sealed.size() - tag_size`; verifies the tag in
///    constant time. On failure returns `errc::bad_tag` and `out` is zero-filled before the call
///    returns, so no unauthenticated plaintext is ever released (an implementation may decrypt
///    into `out` in the same pass as it authenticates, as one-pass AES-GCM does, and wipe it).
/// In place is supported (`out.data() == input.data()`); any other overlap is a precondition
/// violation. A nonce of the wrong length is `errc::bad_nonce_size`.
template <class A>
concept aead = requires(const A a, bytes_view nonce, bytes_view ad, bytes_view in,
                        mutable_bytes out) {
    { A::key_size } -> std::convertible_to<std::size_t>;
    { A::nonce_size } -> std::convertible_to<std::size_t>;
    { A::tag_size } -> std::convertible_to<std::size_t>;
    { a.seal(nonce, ad, in, out) } -> std::same_as<status>;
    { a.open(nonce, ad, in, out) } -> std::same_as<status>;
};

} // namespace https::crypto
