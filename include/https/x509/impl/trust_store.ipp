// Loading trust anchors (x509/trust_store.hpp), out of line for separate compilation.
#pragma once

#include "../trust_store.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

namespace https::x509 {

namespace detail {

HTTPS_DECL result<name> certificate_subject(bytes_view der) noexcept {
    if (der.size() > max_certificate_size) {
        return errc::too_large;
    }
    der::parser top(der);
    auto cert = top.read_sequence();
    if (!cert) {
        return cert.error();
    }
    HTTPS_TRY(top.expect_empty());
    auto tbs = cert->read_sequence();
    if (!tbs) {
        return tbs.error();
    }
    if (tbs->next_is(der::tag::context_constructed(0))) {
        HTTPS_TRY(tbs->read_any()); // version
    }
    HTTPS_TRY(tbs->read(der::tag::integer));  // serialNumber
    HTTPS_TRY(tbs->read(der::tag::sequence)); // signature
    HTTPS_TRY(tbs->read(der::tag::sequence)); // issuer
    HTTPS_TRY(tbs->read(der::tag::sequence)); // validity
    auto subject = tbs->read(der::tag::sequence);
    if (!subject) {
        return subject.error();
    }
    return parse_name(subject->encoded);
}

HTTPS_DECL result<std::string> read_text_file(const std::filesystem::path& path,
                                              std::uintmax_t limit = 16u << 20) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec || size > limit) {
        return errc::trust_store_unavailable;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return errc::trust_store_unavailable;
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
        return errc::trust_store_unavailable;
    }
    return text;
}

} // namespace detail

HTTPS_DECL status trust_store::add_der(bytes_view der) {
    auto subject = detail::certificate_subject(der);
    if (!subject) {
        return errc::cert_malformed;
    }
    std::string key = detail::canonical_key(*subject);
    if (find_exact(key, der) != nullptr) {
        return {};
    }
    byte_vector copy(der.begin(), der.end());
    const name moved{{copy.data() + (subject->der.data() - der.data()), subject->der.size()}};
    anchors_.push_back(std::make_unique<trust_anchor>(std::move(copy), moved));
    index_.emplace(std::move(key), anchors_.size() - 1);
    return {};
}

HTTPS_DECL status trust_store::add_pem(std::string_view text) {
    auto certs = parse_pem_certificates(text);
    if (!certs) {
        return certs.error();
    }
    for (const byte_vector& der : *certs) {
        if (!detail::certificate_subject(der)) {
            return errc::cert_malformed;
        }
    }
    for (const byte_vector& der : *certs) {
        HTTPS_TRY(add_der(der));
    }
    return {};
}

HTTPS_DECL status trust_store::add_file(const std::filesystem::path& path) {
    auto text = detail::read_text_file(path);
    if (!text) {
        return text.error();
    }
    return add_pem(*text);
}

HTTPS_DECL std::size_t trust_store::add_directory(const std::filesystem::path& dir) {
    std::error_code ec;
    std::size_t loaded = 0;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code type_ec;
        if (!it->is_regular_file(type_ec) || type_ec) {
            continue;
        }
        if (add_file(it->path())) {
            ++loaded;
        }
    }
    return loaded;
}

HTTPS_DECL result<trust_store> trust_store::from_pem(std::string_view text) {
    trust_store s;
    HTTPS_TRY(s.add_pem(text));
    return s;
}

HTTPS_DECL result<trust_store> trust_store::from_file(const std::filesystem::path& path) {
    trust_store s;
    HTTPS_TRY(s.add_file(path));
    return s;
}

HTTPS_DECL result<trust_store> trust_store::system() {
    trust_store s;
    const char* file = std::getenv("SSL_CERT_FILE");
    const char* dirs = std::getenv("SSL_CERT_DIR");
    const bool from_env = (file != nullptr && *file != '\0') || (dirs != nullptr && *dirs != '\0');
    if (file != nullptr && *file != '\0') {
        (void)s.add_file(file);
    }
    if (dirs != nullptr && *dirs != '\0') {
        std::string_view list = dirs;
        while (!list.empty()) {
            const std::size_t colon = list.find(':');
            const std::string_view dir = list.substr(0, colon);
            if (!dir.empty()) {
                s.add_directory(std::filesystem::path(dir));
            }
            list.remove_prefix(colon == std::string_view::npos ? list.size() : colon + 1);
        }
    }
    if (!from_env) {
        for (std::string_view path : system_bundle_files) {
            if (s.add_file(std::filesystem::path(path)) && s.size() != 0) {
                break;
            }
        }
        if (s.size() == 0) {
            for (std::string_view dir : system_bundle_directories) {
                s.add_directory(std::filesystem::path(dir));
            }
        }
    }
    if (s.size() == 0) {
        return errc::trust_store_unavailable;
    }
    return s;
}

} // namespace https::x509
