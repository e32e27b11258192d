// Fuzz the elliptic-curve parsers that see peer bytes: SubjectPublicKeyInfo import, SEC 1 point
// decoding (then ECDH with the decoded point), and DER ECDSA signatures. The first byte picks
// the target; nothing may crash, read out of bounds, or accept what the checks forbid.
#include <https/crypto/ecdh.hpp>
#include <https/crypto/ecdsa.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace https;
using namespace https::crypto;

namespace {

template <class Curve> const ecdh_key_pair<Curve>& fixed_key_pair() {
    static const ecdh_key_pair<Curve> kp = [] {
        std::array<std::uint8_t, Curve::field_size> d{};
        d.back() = 0x2a;
        d[0] = 0x11;
        return *ecdh_key_pair<Curve>::from_private(d);
    }();
    return kp;
}

template <class Curve> void point_and_ecdh(bytes_view in) {
    auto key = ec_public_key<Curve>::parse(in);
    std::array<std::uint8_t, Curve::field_size> secret{};
    const status st = fixed_key_pair<Curve>().shared_secret(in, secret);
    if (key.ok() != st.ok()) {
        std::abort(); // the two entry points must agree on validity
    }
}

template <class Curve> void signature(bytes_view in) {
    // key: our fixed public key; digest: the first field_size bytes; signature: the rest
    if (in.size() < Curve::field_size) {
        return;
    }
    auto key = ec_public_key<Curve>::parse(fixed_key_pair<Curve>().public_key());
    if (!key) {
        std::abort();
    }
    const hash_id h = Curve::field_size == 32 ? hash_id::sha256 : hash_id::sha384;
    const status st =
        ecdsa_verify_digest(*key, h, in.first(Curve::field_size), in.subspan(Curve::field_size));
    if (!st.ok() && st.error() != errc::bad_signature) {
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const bytes_view in(data + 1, size - 1);
    switch (data[0] % 5) {
    case 0:
        (void)parse_ec_public_key_info(in);
        break;
    case 1:
        point_and_ecdh<p256>(in);
        break;
    case 2:
        point_and_ecdh<p384>(in);
        break;
    case 3:
        signature<p256>(in);
        break;
    case 4:
        signature<p384>(in);
        break;
    }
    return 0;
}
