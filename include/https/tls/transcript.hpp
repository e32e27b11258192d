// The running handshake transcript hash (RFC 8446 §4.4.1), buffered until the server's choice of
// suite fixes the hash, with the HelloRetryRequest rewrite to message_hash.
#pragma once

#include "../core/bytes.hpp"
#include "../crypto/sha2.hpp"
#include "cipher_suite.hpp"
#include "key_schedule.hpp"
#include "messages.hpp"

#include <cassert>
#include <variant>

namespace https::tls {

/// Transcript-Hash over the handshake messages added so far. Before `select` the messages are
/// kept verbatim (the ClientHello is sent before the hash is known); afterwards they are hashed
/// as they come. Handshake messages are public, so nothing here is secret.
class transcript_hash {
  public:
    void update(bytes_view message) {
        std::visit(
            [&](auto& h) {
                if constexpr (std::is_same_v<std::decay_t<decltype(h)>, std::monostate>) {
                    pending_.insert(pending_.end(), message.begin(), message.end());
                } else {
                    h.update(message);
                }
            },
            hash_);
    }

    /// Fix the hash (once) and absorb the buffered messages.
    void select(hash_algorithm h) {
        if (selected()) {
            assert(algorithm_ == h);
            return;
        }
        algorithm_ = h;
        if (h == hash_algorithm::sha256) {
            hash_.emplace<crypto::sha256>();
        } else {
            hash_.emplace<crypto::sha384>();
        }
        byte_vector pending = std::move(pending_);
        pending_.clear();
        update(pending);
    }

    [[nodiscard]] bool selected() const noexcept { return hash_.index() != 0; }
    [[nodiscard]] hash_algorithm algorithm() const noexcept { return algorithm_; }

    /// Transcript-Hash of the messages so far (the running state is not disturbed).
    [[nodiscard]] hash_value current() const {
        assert(selected());
        return std::visit(
            [](const auto& h) -> hash_value {
                using H = std::decay_t<decltype(h)>;
                if constexpr (std::is_same_v<H, std::monostate>) {
                    return {};
                } else {
                    H copy = h;
                    crypto::digest<H> d;
                    copy.finish(d);
                    return detail::to_hash_value<H>(d);
                }
            },
            hash_);
    }

    /// RFC 8446 §4.4.1: on HelloRetryRequest, ClientHello1 (all that is in the transcript so far)
    /// is replaced by message_hash || 00 00 Hash.length || Hash(ClientHello1).
    status replace_with_message_hash() {
        auto message_hash = encode_message_hash(current().view());
        if (!message_hash) {
            return message_hash.error(); // the transcript is left as it was
        }
        std::visit(
            [](auto& h) {
                if constexpr (!std::is_same_v<std::decay_t<decltype(h)>, std::monostate>) {
                    h.reset();
                }
            },
            hash_);
        update(*message_hash);
        return {};
    }

  private:
    std::variant<std::monostate, crypto::sha256, crypto::sha384> hash_;
    hash_algorithm algorithm_ = hash_algorithm::sha256;
    byte_vector pending_;
};

} // namespace https::tls
