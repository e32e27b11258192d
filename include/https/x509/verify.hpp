// Certificate path building (RFC 4158) and validation (RFC 5280 §6) for TLS server certificates.
#pragma once

#include "../core/bytes.hpp"
#include "../core/config.hpp"
#include "../core/result.hpp"
#include "certificate.hpp"
#include "hostname.hpp"
#include "name.hpp"
#include "ocsp.hpp"
#include "signature.hpp"
#include "time.hpp"
#include "trust_store.hpp"
#include "web_pki.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace https::x509 {

/// Limit on the untrusted certificates offered with a leaf (a TLS chain has 1..4; a tangled pool
/// of cross-signed intermediates a few dozen).
inline constexpr std::size_t max_untrusted_certificates = 64;

/// What to verify a server certificate against.
struct verify_options {
    /// The verification time; the current time when empty.
    std::optional<unix_time> time;
    /// The server identity: a dNSName SAN must match `dns_name` (`check_dns_name`) if it is not
    /// empty, an iPAddress SAN must equal `ip` (`check_ip_address`) if it is set. With neither,
    /// verification fails with `errc::cert_no_identity` unless `check_host` is
    /// `host_check::none`: an empty name never skips the check silently.
    std::string dns_name;
    std::optional<ip_address> ip;
    host_check check_host = host_check::required;
    /// The certificate profile every certificate of the path must satisfy: the web PKI's by
    /// default (RFC 5280 §4 and CA/Browser Forum BR §7.1; see `certificate_profile`).
    certificate_profile profile = certificate_profile::web_pki;
    /// Revocation by a stapled OCSP response (RFC 6066 §8): `staple_requested` when the TLS
    /// handshake asked the server for one, `ocsp_staple` the response it sent, if any. A usable
    /// response (`check_ocsp_response`) that says revoked is `cert_revoked`. A leaf that demands a
    /// staple (RFC 7633 must-staple) fails when one was requested and none is usable:
    /// `cert_ocsp_missing`, or why the one sent is not (`cert_ocsp_stale`, ...). Without
    /// must-staple an unusable response is set aside (`verified_path::staple_error` says why).
    bool staple_requested = false;
    std::optional<bytes_view> ocsp_staple;
    /// Longest path accepted, leaf and trust anchor included (at most 32). Real chains have 2 to
    /// 5 certificates; 16 leaves room for cross-signed detours and still bounds the search.
    std::size_t max_path_length = 16;
    /// Bound on the work of path building: signature verifications, and ten times as many
    /// candidate steps. Exhausting it is `errc::cert_chain_too_long`.
    std::size_t max_signature_checks = 64;

    /// Set the identity from a URL host: an IP literal (IPv6 possibly in brackets) sets `ip`,
    /// anything else `dns_name`.
    void set_host(std::string_view host) {
        std::string_view literal = host;
        if (literal.size() > 2 && literal.front() == '[' && literal.back() == ']') {
            literal = literal.substr(1, literal.size() - 2);
        }
        if (auto a = parse_ip_address(literal)) {
            ip = a;
            dns_name.clear();
        } else {
            dns_name.assign(host);
            ip.reset();
        }
    }
};

/// A validated path: the certificates from the leaf (first) to the trust anchor (last), as views
/// of the caller's buffers and of the trust store.
struct verified_path {
    std::vector<bytes_view> certificates;
    /// What the stapled OCSP response said of the leaf, when one was given and usable.
    std::optional<ocsp_status> revocation;
    /// Why a stapled response that was given could not be used; `errc::ok` otherwise.
    errc staple_error = errc::ok;
};

namespace detail {

/// A certificate taking part in path building, with its names' canonical keys.
struct path_node {
    const certificate* cert = nullptr;
    const trust_anchor* anchor = nullptr; ///< set for trust anchors
    std::string subject_key;
    std::string issuer_key;
    bool self_issued = false;
};

inline path_node make_node(const certificate* c, const trust_anchor* anchor) {
    path_node n;
    n.cert = c;
    n.anchor = anchor;
    n.subject_key = canonical_key(c->subject);
    n.issuer_key = canonical_key(c->issuer);
    n.self_issued = n.subject_key == n.issuer_key;
    return n;
}

inline bool weak_hash(hash_algorithm h) noexcept {
    return h == hash_algorithm::md5 || h == hash_algorithm::sha1;
}

inline bool same_bytes(bytes_view a, bytes_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

/// RSA moduli below this are refused anywhere in a path (NIST SP 800-131A; CA/B Forum BR 6.1.5).
inline constexpr std::size_t min_rsa_bits = 2048;

/// Is a DNS name within a dNSName constraint (RFC 5280 §4.2.1.10)? A constraint matches itself
/// and any name formed by adding labels on the left; a leading dot (a common extension) matches
/// only such longer names. Comparison is case-insensitive; an empty constraint matches all.
/// Neither name ends in a dot: the certificate parser refuses such dNSNames.
inline bool dns_within(std::string_view dns, std::string_view constraint) noexcept {
    if (constraint.empty()) {
        return true;
    }
    if (constraint.front() == '.') {
        return dns.size() > constraint.size() &&
               iequals(dns.substr(dns.size() - constraint.size()), constraint);
    }
    if (dns.size() == constraint.size()) {
        return iequals(dns, constraint);
    }
    return dns.size() > constraint.size() && dns[dns.size() - constraint.size() - 1] == '.' &&
           iequals(dns.substr(dns.size() - constraint.size()), constraint);
}

/// Could the wildcard SAN `*.parent` name a host inside the excluded subtree `constraint`? Only
/// if the subtree is a single label under `parent` (the wildcard matches exactly one label).
inline bool wildcard_may_enter(std::string_view dns, std::string_view constraint) noexcept {
    if (dns.size() < 2 || dns[0] != '*' || dns[1] != '.' || constraint.empty() ||
        constraint.front() == '.') {
        return false;
    }
    const std::string_view parent = dns.substr(2);
    const std::size_t dot = constraint.find('.');
    return dot != std::string_view::npos && dot != 0 && iequals(constraint.substr(dot + 1), parent);
}

/// Is an address (4 or 16 bytes) inside an address+mask constraint of the same family?
inline bool ip_within(bytes_view address, bytes_view constraint) noexcept {
    if (constraint.size() != 2 * address.size()) {
        return false;
    }
    const std::size_t n = address.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (((address[i] ^ constraint[i]) & constraint[n + i]) != 0) {
            return false;
        }
    }
    return true;
}

/// Is a distinguished name inside a directoryName subtree (its RDNs start with the base's)?
inline bool directory_within(const std::vector<std::string>& rdns, const name& base) {
    const std::vector<std::string> prefix = rdn_keys(base);
    return prefix.size() <= rdns.size() && std::equal(prefix.begin(), prefix.end(), rdns.begin());
}

/// RFC 5280 §6.1.3 (b)-(c): the names of `c` against one CA's name constraints. DNS names and IP
/// addresses come from subjectAltName (the Common Name is never a host name here, so it is not
/// constrained); the subject and directoryName SANs against directoryName subtrees. A name form
/// constrained by the CA that we do not process (rfc822Name, URI, ...) and that `c` carries makes
/// the certificate unacceptable, as §4.2.1.10 requires of applications that cannot process it.
HTTPS_DECL status check_name_constraints(const certificate& c, const name_constraints& nc);

/// Validate one complete candidate path (leaf first, anchor last) at time `now`, in the order of
/// RFC 5280 §6.1 (from the anchor down). The trust anchor's own constraints (validity, CA flag,
/// path length, key usage, EKU, name constraints) are enforced too, as OpenSSL and browsers do;
/// v1/v2 anchors, which cannot carry basicConstraints, are accepted as CAs.
/// With `certificate_profile::web_pki`, each certificate is then also held to that profile
/// (`check_web_pki_profile`), after the checks of §6.1 so that they name a path failure first.
/// On failure `failed_at` (if given) receives the index of the certificate that failed.
HTTPS_DECL status validate_path(const std::vector<const path_node*>& path, unix_time now,
                                certificate_profile profile, std::size_t* failed_at = nullptr);

/// The checks of `validate_path` on `path[i]`, the certificates above it already checked.
HTTPS_DECL status validate_path_element(const std::vector<const path_node*>& path,
                                        std::size_t i, unix_time now,
                                        certificate_profile profile);

/// Depth-first search for a valid path from a leaf to a trust anchor, trying every candidate
/// issuer (anchors first, then the untrusted pool, certificates valid now before expired or
/// not-yet-valid ones) and backtracking past any that fail, so cross-signed and re-issued CAs,
/// dead ends and loops are handled. Work is bounded by the options' limits. When no path
/// validates, the error kept is the one from the attempt that came closest: a path that reached
/// an anchor beats one that did not; between those, the one whose failure lies nearer the leaf
/// (more of it validated) wins, and between the others the longer one.
template <class Verifier> class path_search {
  public:
    path_search(const Verifier& verify, const trust_store& store,
                const std::vector<path_node>& pool, const verify_options& options, unix_time now)
        : verify_(verify), store_(store), pool_(pool), options_(options), now_(now) {}

    result<std::vector<const path_node*>> run(const path_node& leaf) {
        path_.assign(1, &leaf);
        if (extend()) {
            return path_;
        }
        // Out of budget, the search gave up: a path may exist beyond it, so no failure found
        // so far is the answer.
        return exhausted_ ? errc::cert_chain_too_long : best_error_;
    }

    /// Verify `child`'s signature with `parent`'s key, once per pair. A key or signature
    /// algorithm we cannot verify with is `unsupported_algorithm`, not a bad signature.
    status check_edge(const path_node& child, const path_node& parent) {
        const certificate& c = *child.cert;
        const certificate& p = *parent.cert;
        if (p.spki.algorithm == key_algorithm::unsupported ||
            c.sig_alg.kind == signature_algorithm::scheme::unknown) {
            return errc::unsupported_algorithm;
        }
        if (weak_hash(c.sig_alg.hash)) {
            return errc::cert_weak_signature;
        }
        if (p.spki.algorithm == key_algorithm::rsa && p.spki.rsa_bits < min_rsa_bits) {
            return errc::cert_weak_key;
        }
        for (const auto& e : cache_) {
            if (e.child == &c && e.parent == &p) {
                return e.outcome == errc::ok ? status{} : status{e.outcome};
            }
        }
        if (++signature_checks_ > options_.max_signature_checks) {
            exhausted_ = true;
            return errc::cert_chain_too_long;
        }
        const status s = verify_(p.spki, c.sig_alg, c.tbs, c.signature);
        cache_.push_back({&c, &p, s.error()});
        return s;
    }

  private:
    struct cached {
        const certificate* child;
        const certificate* parent;
        errc outcome;
    };

    /// Keep `e` if its attempt came closer than the best so far. `progress` is the length of an
    /// incomplete path, or for a complete one the number of certificates validated before the
    /// failure plus one (so that it is never 0, which means "nothing recorded yet").
    void record(errc e, std::size_t progress, bool complete) {
        const bool better = best_progress_ == 0 || (complete && !best_complete_) ||
                            (complete == best_complete_ && progress > best_progress_);
        if (better) {
            best_error_ = e;
            best_progress_ = progress;
            best_complete_ = complete;
        }
    }

    /// Does `parent` sign `child` (`check_edge`)? A failure is recorded as a dead end.
    bool usable_edge(const path_node& child, const path_node& parent) {
        const status s = check_edge(child, parent);
        if (!s) {
            record(s.error(), path_.size() + 1, false);
        }
        return s.ok();
    }

    [[nodiscard]] bool valid_now(const certificate& c) const noexcept {
        return now_ >= c.not_before && now_ <= c.not_after;
    }

    /// Would `candidate` repeat a certificate, or a subject and key pair, already on the path?
    bool on_path(const path_node& candidate) const {
        return std::any_of(path_.begin(), path_.end(), [&](const path_node* n) {
            return n->cert == candidate.cert ||
                   (n->subject_key == candidate.subject_key &&
                    same_bytes(n->cert->spki.der, candidate.cert->spki.der));
        });
    }

    /// RFC 5280 §4.2.1.1: when the child names its issuer's key and the candidate names its own,
    /// they must agree (OpenSSL applies the same filter).
    static bool key_ids_conflict(const certificate& child, const certificate& parent) {
        return !child.authority_key_id.empty() && !parent.subject_key_id.empty() &&
               !same_bytes(child.authority_key_id, parent.subject_key_id);
    }

    const path_node& anchor_node(const trust_anchor* a, const certificate* c) {
        for (const path_node& n : anchor_nodes_) {
            if (n.anchor == a) {
                return n;
            }
        }
        anchor_nodes_.push_back(make_node(c, a));
        return anchor_nodes_.back();
    }

    bool out_of_budget() {
        if (++steps_ > 10 * options_.max_signature_checks) {
            exhausted_ = true;
        }
        if (exhausted_) {
            record(errc::cert_chain_too_long, path_.size(), false);
        }
        return exhausted_;
    }

    /// Try to complete `path_` (whose last element needs an issuer); true when a path validated.
    bool extend() {
        if (out_of_budget()) {
            return false;
        }
        const path_node& child = *path_.back();
        if (path_.size() >= std::min<std::size_t>(options_.max_path_length, 32)) {
            record(errc::cert_chain_too_long, path_.size(), false);
            return false;
        }
        bool any_candidate = false;
        for (const trust_anchor* a : store_.find_by_key(child.issuer_key)) {
            const certificate* parsed = a->parsed();
            if (parsed == nullptr || key_ids_conflict(*child.cert, *parsed)) {
                continue;
            }
            const path_node& node = anchor_node(a, parsed);
            if (on_path(node)) {
                continue;
            }
            any_candidate = true;
            if (!usable_edge(child, node)) {
                if (exhausted_) {
                    return false;
                }
                continue;
            }
            path_.push_back(&node);
            std::size_t failed_at = 0;
            if (const status s = validate_path(path_, now_, options_.profile, &failed_at); s) {
                return true;
            } else {
                record(s.error(), path_.size() - failed_at, true);
            }
            path_.pop_back();
        }
        // Two passes over the pool: the certificates valid now, then the others (an expired
        // cross-sign is only worth trying when nothing current leads anywhere).
        for (const bool current : {true, false}) {
            for (const path_node& node : pool_) {
                if (valid_now(*node.cert) != current || node.subject_key != child.issuer_key ||
                    key_ids_conflict(*child.cert, *node.cert) || on_path(node)) {
                    continue;
                }
                any_candidate = true;
                if (!usable_edge(child, node)) {
                    if (exhausted_) {
                        return false;
                    }
                    continue;
                }
                path_.push_back(&node);
                if (extend()) {
                    return true;
                }
                path_.pop_back();
                if (exhausted_) {
                    return false;
                }
            }
        }
        if (!any_candidate) {
            record(errc::cert_unknown_issuer, path_.size(), false);
        }
        return false;
    }

    const Verifier& verify_;
    const trust_store& store_;
    const std::vector<path_node>& pool_;
    const verify_options& options_;
    unix_time now_;
    std::vector<const path_node*> path_;
    std::deque<path_node> anchor_nodes_; // stable addresses
    std::vector<cached> cache_;
    std::size_t signature_checks_ = 0;
    std::size_t steps_ = 0;
    bool exhausted_ = false;
    errc best_error_ = errc::cert_unknown_issuer;
    std::size_t best_progress_ = 0;
    bool best_complete_ = false;
};

/// `verify_chain` with the signature check supplied: `verify(issuer_spki, signature_algorithm,
/// tbs, signature) -> status`. Tests use it to substitute an oracle.
template <class Verifier>
result<verified_path> verify_chain_with(const Verifier& verify, bytes_view leaf_der,
                                        std::span<const bytes_view> untrusted,
                                        const trust_store& anchors, const verify_options& options) {
    const bool identity = !options.dns_name.empty() || options.ip.has_value();
    if (!identity && options.check_host != host_check::none) {
        return errc::cert_no_identity;
    }
    if (untrusted.size() > max_untrusted_certificates) {
        return errc::cert_chain_too_long;
    }
    auto leaf = parse_certificate(leaf_der);
    if (!leaf) {
        return leaf.error();
    }
    std::vector<certificate> parsed;
    parsed.reserve(untrusted.size());
    for (bytes_view der : untrusted) {
        auto c = parse_certificate(der);
        if (!c) {
            return c.error(); // a malformed certificate in the chain taints the whole chain
        }
        const bool duplicate = same_bytes(der, leaf_der) ||
                               std::any_of(parsed.begin(), parsed.end(), [&](const certificate& o) {
                                   return same_bytes(o.der, der);
                               });
        if (!duplicate) {
            parsed.push_back(std::move(c).value());
        }
    }
    std::vector<path_node> pool;
    pool.reserve(parsed.size());
    for (const certificate& c : parsed) {
        pool.push_back(make_node(&c, nullptr));
    }
    const path_node leaf_node = make_node(&*leaf, nullptr);
    const unix_time now = options.time ? *options.time : current_time();

    verified_path out;
    const certificate* issuer = nullptr; // the leaf's, when the path has more than the leaf
    if (anchors.contains(leaf_der)) {
        // The leaf itself is trusted (a pinned self-signed server, say): a path of one.
        HTTPS_TRY(validate_path({&leaf_node}, now, options.profile));
        out.certificates.push_back(leaf_der);
    } else {
        path_search<Verifier> search(verify, anchors, pool, options, now);
        auto path = search.run(leaf_node);
        if (!path) {
            // RFC 5280 has no notion of it, but users need to hear "self-signed", not "unknown
            // issuer", when an untrusted leaf signed itself.
            if (path.error() == errc::cert_unknown_issuer && leaf_node.self_issued &&
                search.check_edge(leaf_node, leaf_node)) {
                return errc::cert_self_signed_leaf;
            }
            return path.error();
        }
        for (const path_node* n : *path) {
            out.certificates.push_back(n->cert->der);
        }
        issuer = (*path)[1]->cert; // a search's path holds the leaf and an anchor at least
    }
    if (options.ocsp_staple && issuer != nullptr) {
        auto checked = check_ocsp_response(*options.ocsp_staple, *leaf, *issuer, now);
        if (checked && checked->status == revocation_status::revoked) {
            return errc::cert_revoked;
        }
        if (checked && checked->status == revocation_status::good) {
            out.revocation = *checked;
        } else {
            out.staple_error = checked ? errc::cert_ocsp_unknown : checked.error();
        }
    }
    if (leaf->must_staple && options.staple_requested && !out.revocation) {
        return out.staple_error == errc::ok ? errc::cert_ocsp_missing : out.staple_error;
    }
    if (!options.dns_name.empty()) {
        HTTPS_TRY(check_dns_name(*leaf, options.dns_name));
    }
    if (options.ip) {
        HTTPS_TRY(check_ip_address(*leaf, *options.ip));
    }
    return out;
}

} // namespace detail

/// Verify a server's certificate chain for TLS server authentication: build a path from `leaf`
/// through `untrusted` (the other certificates the server sent, in any order, extras and
/// duplicates allowed) to one of `anchors`, validate it (RFC 5280 §6.1 with the stricter
/// rules documented at `detail::validate_path`), then check the identity in `options`. Every
/// failure is a specific `cert_*` error; the views in the result point into the inputs and the
/// trust store.
HTTPS_DECL result<verified_path> verify_chain(bytes_view leaf,
                                              std::span<const bytes_view> untrusted,
                                              const trust_store& anchors,
                                              const verify_options& options = {});

} // namespace https::x509

#if !defined(HTTPS_SEPARATE_COMPILATION)
#include "impl/verify.ipp"
#endif
