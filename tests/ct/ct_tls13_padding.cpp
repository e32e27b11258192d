// Constant-time check of TLS 1.3 record opening (record_protection.hpp): with the traffic key
// and the received record body poisoned, the decrypted TLSInnerPlaintext (content, content type,
// zero padding) is secret until the record is delivered, so the scan for the content type must
// not branch on the plaintext or the padding length (RFC 8446 §5.4 pads to hide the length; a
// scan that stops at the first non-zero byte from the end leaks it). Records with no, short and
// long padding, and an all-zero inner plaintext (no content type), must run without a
// secret-dependent branch or address and give the right verdicts.
#include "ct_harness.hpp"

#include <https/crypto/gcm.hpp>
#include <https/tls/record_protection.hpp>

#include <array>
#include <vector>

using namespace https;
using namespace https::tls;

namespace {

using protection = tls13_aead_protection<crypto::aes128_gcm>;

/// One protected record (header and body) carrying `inner` verbatim at sequence number `seq`,
/// sealed with public keys: the sending side is not under test.
std::vector<std::uint8_t> seal_inner(const std::array<std::uint8_t, 16>& key,
                                     const std::array<std::uint8_t, 12>& iv, std::uint64_t seq,
                                     const std::vector<std::uint8_t>& inner) {
    const std::size_t len = inner.size() + 16;
    std::vector<std::uint8_t> rec = {23, 3, 3, static_cast<std::uint8_t>(len >> 8),
                                     static_cast<std::uint8_t>(len)};
    std::array<std::uint8_t, 12> nonce = iv;
    for (int i = 0; i < 8; ++i) {
        nonce[11 - i] ^= static_cast<std::uint8_t>(seq >> (8 * i));
    }
    std::vector<std::uint8_t> body(len);
    const crypto::aes128_gcm a(key);
    ct_check::expect(a.seal(nonce, std::span<const std::uint8_t>(rec.data(), 5), inner, body).ok(),
                     "seal");
    rec.insert(rec.end(), body.begin(), body.end());
    return rec;
}

void check_padding() {
    std::array<std::uint8_t, 16> key{};
    std::array<std::uint8_t, 12> iv{};
    ct_check::fill(key, 31);
    ct_check::fill(iv, 32);

    struct record_case {
        std::size_t content;
        std::size_t padding;
        bool valid;
    };
    const record_case cases[] = {
        {5, 0, true},   {5, 1, true},   {5, 40, true},   {300, 0, true},
        {300, 7, true}, {0, 25, true},  {1000, 3000, true},
        {0, 40, false}, // all zeros: no content type (RFC 8446 §5.4: unexpected_message)
    };
    // The receiver, keyed with a secret key; sequence numbers advance with every record.
    std::array<std::uint8_t, 16> secret_key = key;
    std::array<std::uint8_t, 12> secret_iv = iv;
    ct_check::secret(secret_key);
    ct_check::secret(secret_iv);
    protection receiver(secret_key, secret_iv);
    std::uint64_t seq = 0;
    int ran = 0;
    for (const auto& rc : cases) {
        std::vector<std::uint8_t> content(rc.content);
        ct_check::fill(content, static_cast<std::uint32_t>(rc.content + 3));
        for (auto& b : content) {
            b = static_cast<std::uint8_t>(b | 1); // non-zero, so the type byte is not ambiguous
        }
        std::vector<std::uint8_t> inner = content;
        if (rc.valid) {
            inner.push_back(static_cast<std::uint8_t>(content_type::application_data));
        }
        inner.resize(inner.size() + rc.padding, 0);
        auto rec = seal_inner(key, iv, seq++, inner);

        // As received: the body is secret (the padding length is what padding hides).
        https::ct::poison(rec.data() + 5, rec.size() - 5);
        const record_header h{content_type::application_data, 0x0303,
                              static_cast<std::uint16_t>(rec.size() - 5)};
        auto opened = receiver.open(h, mutable_bytes(rec.data() + 5, rec.size() - 5));
        if (rc.valid) {
            ct_check::expect(static_cast<bool>(opened), "a padded record opens");
            ct_check::reveal(*opened);
            https::ct::unpoison(opened->payload.data(), opened->payload.size());
            ct_check::expect(opened->type == content_type::application_data, "content type");
            ct_check::expect(opened->payload.size() == content.size(), "content length");
            ct_check::expect(std::equal(content.begin(), content.end(), opened->payload.begin()),
                             "content");
        } else {
            ct_check::expect(!static_cast<bool>(opened), "an all-zero inner plaintext is refused");
            ct_check::expect(opened.error() == errc::tls_unexpected_message,
                             "as unexpected_message");
        }
        ++ran;
    }
    ct_check::expect(ran == 8, "every record ran");
}

} // namespace

int main() {
    check_padding();
    return 0;
}
