// Trust anchors: loaded from PEM bundles or the system store, indexed by subject, parsed lazily.
#pragma once

#include "../core/bytes.hpp"
#include "../core/config.hpp"
#include "../core/der.hpp"
#include "../core/result.hpp"
#include "certificate.hpp"
#include "name.hpp"
#include "pem.hpp"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

namespace https::x509 {

/// One trusted certificate. Loading only locates its subject; the full parse happens the first
/// time the anchor becomes a candidate issuer (thread-safe), so a 150-certificate bundle loads
/// for the price of its base64.
class trust_anchor {
  public:
    /// `subject` must view `der`'s own buffer (moving a vector keeps its buffer).
    trust_anchor(byte_vector der, name subject) noexcept
        : der_(std::move(der)), subject_(subject) {}
    ~trust_anchor() = default;
    trust_anchor(const trust_anchor&) = delete;
    trust_anchor& operator=(const trust_anchor&) = delete;
    trust_anchor(trust_anchor&&) = delete; // holds a once_flag; stores keep anchors by pointer
    trust_anchor& operator=(trust_anchor&&) = delete;

    [[nodiscard]] bytes_view der() const noexcept { return der_; }
    [[nodiscard]] const name& subject() const noexcept { return subject_; }

    /// The parsed certificate, or null if it does not parse (such an anchor is never used).
    [[nodiscard]] const certificate* parsed() const {
        std::call_once(once_, [this] {
            if (auto c = parse_certificate(der_)) {
                parsed_ = std::move(c).value();
            }
        });
        return parsed_ ? &*parsed_ : nullptr;
    }

  private:
    byte_vector der_;
    name subject_;
    mutable std::once_flag once_;
    mutable std::optional<certificate> parsed_;
};

namespace detail {

/// The subject of a certificate, found by walking just the TBS fields that precede it.
HTTPS_DECL result<name> certificate_subject(bytes_view der) noexcept;

} // namespace detail

/// Well-known locations of the system's PEM bundle (first that loads wins) and of hashed
/// certificate directories, as distributions install them.
inline constexpr std::string_view system_bundle_files[] = {
    "/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Gentoo, Arch
    "/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora, RHEL
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS, RHEL 7+
    "/etc/ssl/ca-bundle.pem",                            // openSUSE
    "/etc/pki/tls/cacert.pem",                           // OpenELEC
    "/etc/ssl/cert.pem",                                 // Alpine, macOS, OpenBSD, FreeBSD
    "/usr/local/etc/ssl/cert.pem",                       // FreeBSD ports
    "/usr/local/share/certs/ca-root-nss.crt",            // FreeBSD ca_root_nss
};
inline constexpr std::string_view system_bundle_directories[] = {
    "/etc/ssl/certs",     // Debian and others
    "/etc/pki/tls/certs", // Fedora, RHEL
};

/// A set of trust anchors indexed by subject name (RFC 5280 §7.1 comparison).
class trust_store {
  public:
    trust_store() = default;
    ~trust_store() = default;
    trust_store(const trust_store&) = delete; // anchors are shared by pointer, never copied
    trust_store& operator=(const trust_store&) = delete;
    trust_store(trust_store&&) noexcept = default;
    trust_store& operator=(trust_store&&) noexcept = default;

    /// Add one DER certificate. Only its subject is read now; `errc::cert_malformed` if even that
    /// cannot be found. Adding a certificate already present does nothing.
    HTTPS_DECL status add_der(bytes_view der);

    /// Add every CERTIFICATE block of a PEM text. All or nothing: a PEM error (`bad_pem`) or a
    /// certificate whose subject cannot be read (`cert_malformed`) adds none.
    HTTPS_DECL status add_pem(std::string_view text);

    /// Add a PEM bundle file; `trust_store_unavailable` if it cannot be read.
    HTTPS_DECL status add_file(const std::filesystem::path& path);

    /// Add every readable PEM file of a directory (OpenSSL's hashed `c_rehash` layout or plain
    /// `.pem`/`.crt` files). Files that are not PEM certificates are skipped; duplicates (the
    /// hash links point at the same files) are stored once. Returns how many files loaded.
    HTTPS_DECL std::size_t add_directory(const std::filesystem::path& dir);

    /// A store holding the certificates of a PEM text.
    HTTPS_DECL static result<trust_store> from_pem(std::string_view text);

    /// A store holding the certificates of a PEM bundle file.
    HTTPS_DECL static result<trust_store> from_file(const std::filesystem::path& path);

    /// The operating system's trust anchors. `SSL_CERT_FILE` (a bundle) and `SSL_CERT_DIR` (a
    /// colon-separated list of directories) replace the built-in locations when set, as they do
    /// for OpenSSL; otherwise the first well-known bundle that loads is used, then the well-known
    /// directories. No anchor found: `errc::trust_store_unavailable`.
    HTTPS_DECL static result<trust_store> system();

    [[nodiscard]] std::size_t size() const noexcept { return anchors_.size(); }
    [[nodiscard]] const trust_anchor& operator[](std::size_t i) const noexcept {
        return *anchors_[i];
    }

    /// The anchors whose subject matches `subject`; `key` is `detail::canonical_key(subject)`.
    [[nodiscard]] std::vector<const trust_anchor*> find_by_key(const std::string& key) const {
        std::vector<std::size_t> positions;
        auto [first, last] = index_.equal_range(key);
        for (auto it = first; it != last; ++it) {
            positions.push_back(it->second);
        }
        // Insertion order, so results do not depend on the hash table's layout.
        std::sort(positions.begin(), positions.end());
        std::vector<const trust_anchor*> out;
        out.reserve(positions.size());
        for (std::size_t i : positions) {
            out.push_back(anchors_[i].get());
        }
        return out;
    }
    [[nodiscard]] std::vector<const trust_anchor*> find(const name& subject) const {
        return find_by_key(detail::canonical_key(subject));
    }

    /// Is this exact certificate (byte for byte) a trust anchor?
    [[nodiscard]] bool contains(bytes_view der) const {
        auto subject = detail::certificate_subject(der);
        return subject && find_exact(detail::canonical_key(*subject), der) != nullptr;
    }

  private:
    const trust_anchor* find_exact(const std::string& key, bytes_view der) const {
        auto [first, last] = index_.equal_range(key);
        for (auto it = first; it != last; ++it) {
            const bytes_view d = anchors_[it->second]->der();
            if (d.size() == der.size() && std::equal(der.begin(), der.end(), d.begin())) {
                return anchors_[it->second].get();
            }
        }
        return nullptr;
    }

    std::vector<std::unique_ptr<trust_anchor>> anchors_;
    std::unordered_multimap<std::string, std::size_t> index_;
};

} // namespace https::x509

#if !defined(HTTPS_SEPARATE_COMPILATION)
#include "impl/trust_store.ipp"
#endif
