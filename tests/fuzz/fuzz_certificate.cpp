// Fuzz the certificate parser and PEM decoder: the input is tried as DER and as PEM text, and every
// certificate that parses is pushed through the code that consumes a parsed certificate (names,
// host checks, name constraints, the web PKI profile in each path role, the trust store's subject
// lookup).
#include <https/x509/certificate.hpp>
#include <https/x509/hostname.hpp>
#include <https/x509/pem.hpp>
#include <https/x509/trust_store.hpp>
#include <https/x509/verify.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

void exercise(https::bytes_view der) {
    https::errc cause{};
    auto cert = https::x509::parse_certificate(der, &cause);
    if (!cert) {
        return;
    }
    (void)https::x509::to_string(cert->subject);
    (void)https::x509::to_string(cert->issuer);
    (void)cert->self_issued();
    for (std::string_view dns : cert->subject_alt_names.dns_names) {
        (void)https::x509::check_host(*cert, dns);
    }
    (void)https::x509::check_host(*cert, "www.example.com");
    (void)https::x509::check_host(*cert, "192.0.2.1");
    if (cert->constraints) {
        (void)https::x509::detail::check_name_constraints(*cert, *cert->constraints);
    }
    using https::x509::path_role;
    for (const path_role role : {path_role::leaf, path_role::intermediate, path_role::anchor}) {
        (void)https::x509::detail::check_web_pki_profile(*cert, role, cert->self_issued());
    }
    https::x509::trust_store store;
    if (store.add_der(der)) {
        (void)store.find(cert->subject);
        (void)store[0].parsed();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    exercise({data, size});
    auto blocks = https::x509::parse_pem({reinterpret_cast<const char*>(data), size});
    if (blocks) {
        for (const auto& b : *blocks) {
            exercise(b.der);
        }
    }
    return 0;
}
