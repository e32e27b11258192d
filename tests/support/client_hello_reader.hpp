// Reads a recorded ClientHello message back into the engine's `tls::client_hello`, for tests that
// replay a foreign ClientHello through `tls::test_hooks::replace_client_hello`: the TLS 1.2
// handshake then holds the server to what that ClientHello offered (its random, session id,
// suites, groups, signature schemes, ALPN, versions and extension types), as the recording did.
#pragma once

#include <https/core/bytes.hpp>
#include <https/tls/client.hpp>

#include <optional>

namespace test {

/// The offer of a ClientHello message (header included), or nothing if it is malformed. The
/// extensions the TLS 1.2 handshake reads are decoded; every other one is kept by type and body.
inline std::optional<https::tls::client_hello> read_client_hello(https::bytes_view message) {
    using namespace https;
    using namespace https::tls;
    reader r(message);
    client_hello o;
    auto type = r.read_u8();
    if (!type || *type != static_cast<std::uint8_t>(handshake_type::client_hello)) {
        return std::nullopt;
    }
    auto body = r.read_nested<3>();
    if (!body || !body->skip(2)) { // legacy_version
        return std::nullopt;
    }
    auto random = body->read_bytes(32);
    auto sid = body->read_prefixed<1>();
    auto suites = body->read_nested<2>();
    if (!random || !sid || !suites || !body->read_prefixed<1>()) { // then compression methods
        return std::nullopt;
    }
    std::copy(random->begin(), random->end(), o.random.begin());
    o.legacy_session_id.assign(sid->begin(), sid->end());
    while (!suites->empty()) {
        auto s = suites->read_u16();
        if (!s) {
            return std::nullopt;
        }
        o.cipher_suites.push_back(*s);
    }
    if (body->empty()) {
        return o;
    }
    auto exts = extension_list::parse(*body);
    if (!exts) {
        return std::nullopt;
    }
    // Each u16 of a list<prefix bytes> (supported_groups, signature_algorithms, versions).
    auto u16s = [](bytes_view data, std::size_t prefix, auto put) {
        reader d(data);
        auto list = prefix == 1 ? d.read_nested<1>() : d.read_nested<2>();
        while (list && !list->empty()) {
            auto v = list->read_u16();
            if (!v) {
                return false;
            }
            put(*v);
        }
        return list.ok();
    };
    for (const auto& e : exts->items()) {
        bool ok = true;
        switch (static_cast<extension_type>(e.type)) {
        case extension_type::supported_groups:
            ok = u16s(e.data, 2, [&](std::uint16_t v) {
                o.supported_groups.push_back(static_cast<named_group>(v));
            });
            break;
        case extension_type::signature_algorithms:
            ok = u16s(e.data, 2, [&](std::uint16_t v) {
                o.signature_algorithms.push_back(static_cast<signature_scheme>(v));
            });
            break;
        case extension_type::supported_versions:
            ok = u16s(e.data, 1, [&](std::uint16_t v) {
                o.supported_versions.push_back(static_cast<protocol_version>(v));
            });
            break;
        case extension_type::application_layer_protocol_negotiation: {
            reader d(e.data);
            auto list = d.read_nested<2>();
            ok = list.ok();
            while (ok && !list->empty()) {
                auto name = list->read_prefixed<1>();
                ok = name.ok();
                if (ok) {
                    o.alpn.emplace_back(name->begin(), name->end());
                }
            }
            break;
        }
        default:
            o.extra_extensions.emplace_back(static_cast<extension_type>(e.type),
                                            byte_vector(e.data.begin(), e.data.end()));
            break;
        }
        if (!ok) {
            return std::nullopt;
        }
    }
    return o;
}

/// `tls::test_hooks::replace_client_hello` with the reader above, so that a TLS 1.2 handshake
/// judges the server by the replayed ClientHello's offer.
template <class F> void replay_client_hello(https::tls::client_config& cfg, F f) {
    https::tls::test_hooks::replace_client_hello(cfg, std::move(f), read_client_hello);
}

} // namespace test
