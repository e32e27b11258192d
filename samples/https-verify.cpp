// https-verify: verify a server certificate chain with https::x509, taking `openssl verify`'s
// option names so that both tools can be run with the same arguments.
//
//   https-verify [-CAfile ROOTS.pem] [-untrusted CHAIN.pem]... [-verify_hostname NAME | -verify_ip
//   ADDR]
//                [-attime UNIX_SECONDS] [-purpose sslserver] [-x509_strict] [-auth_level N]
//                [-profile web_pki|rfc5280] LEAF.pem
//
// Without -CAfile the system trust store is used (SSL_CERT_FILE / SSL_CERT_DIR honoured). The
// first certificate of LEAF.pem is verified, as OpenSSL does; without -verify_hostname or
// -verify_ip only the path is checked (x509::host_check::none), as OpenSSL does too.
// -x509_strict and -auth_level are accepted for compatibility and change nothing: the checks are
// always strict, and the key and digest policy is fixed (RSA >= 2048 bits, no SHA-1 or MD5
// signatures). -profile (ours) picks the certificate profile: web_pki (the default; RFC 5280 §4
// and the CA/Browser Forum Baseline Requirements §7.1) or rfc5280 (path validation only).
// Exit status: 0 valid (prints OK and the chain), 1 invalid (prints the reason), 2 usage error or
// unreadable input.
#include <https/x509/pem.hpp>
#include <https/x509/verify.hpp>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace {

int usage(const std::string& message) {
    std::cerr << "https-verify: " << message << "\n"
              << "usage: https-verify [-CAfile ROOTS.pem] [-untrusted CHAIN.pem]... "
                 "[-verify_hostname NAME | -verify_ip ADDR] [-attime UNIX_SECONDS] "
                 "[-purpose sslserver] [-profile web_pki|rfc5280] LEAF.pem\n";
    return 2;
}

bool read_file(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return false;
    }
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return !in.bad();
}

/// All certificates of a PEM file, or an error message.
bool read_certificates(const std::string& path, std::vector<https::byte_vector>& out,
                       std::string& error) {
    std::string text;
    if (!read_file(path, text)) {
        error = "cannot read " + path;
        return false;
    }
    auto certs = https::x509::parse_pem_certificates(text);
    if (!certs) {
        error = path + ": " + https::describe(certs.error());
        return false;
    }
    for (auto& c : *certs) {
        out.push_back(std::move(c));
    }
    return true;
}

} // namespace

int main(int argc, char** argv) {
    std::string ca_file;
    std::vector<std::string> untrusted_files;
    std::string leaf_file;
    https::x509::verify_options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&](std::string& out) {
            if (i + 1 >= argc) {
                return false;
            }
            out = argv[++i];
            return true;
        };
        std::string v;
        if (arg == "-CAfile") {
            if (!value(ca_file)) {
                return usage("-CAfile needs a file");
            }
        } else if (arg == "-untrusted") {
            if (!value(v)) {
                return usage("-untrusted needs a file");
            }
            untrusted_files.push_back(v);
        } else if (arg == "-verify_hostname") {
            if (!value(v) || v.empty()) {
                return usage("-verify_hostname needs a name");
            }
            options.dns_name = v;
        } else if (arg == "-verify_ip") {
            if (!value(v)) {
                return usage("-verify_ip needs an address");
            }
            options.ip = https::x509::parse_ip_address(v);
            if (!options.ip) {
                return usage("-verify_ip: not an IPv4 or IPv6 address: " + v);
            }
        } else if (arg == "-attime") {
            long long t = 0;
            if (!value(v)) {
                return usage("-attime needs a time");
            }
            auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), t);
            if (ec != std::errc() || end != v.data() + v.size()) {
                return usage("-attime: not a number of seconds: " + v);
            }
            options.time = t;
        } else if (arg == "-purpose") {
            if (!value(v) || v != "sslserver") {
                return usage("-purpose: only sslserver is supported");
            }
        } else if (arg == "-profile") {
            if (!value(v) || (v != "web_pki" && v != "rfc5280")) {
                return usage("-profile: web_pki or rfc5280");
            }
            options.profile = v == "web_pki" ? https::x509::certificate_profile::web_pki
                                             : https::x509::certificate_profile::rfc5280;
        } else if (arg == "-auth_level") {
            if (!value(v)) {
                return usage("-auth_level needs a level");
            }
        } else if (arg == "-x509_strict") {
            // always strict
        } else if (!arg.empty() && arg[0] == '-') {
            return usage("unknown option " + std::string(arg));
        } else if (leaf_file.empty()) {
            leaf_file = arg;
        } else {
            return usage("only one LEAF.pem may be given");
        }
    }
    if (leaf_file.empty()) {
        return usage("no LEAF.pem given");
    }
    if (!options.dns_name.empty() && options.ip) {
        return usage("-verify_hostname and -verify_ip are exclusive");
    }
    if (options.dns_name.empty() && !options.ip) {
        options.check_host = https::x509::host_check::none; // as openssl verify: the path only
    }

    https::x509::trust_store store;
    if (!ca_file.empty()) {
        auto loaded = https::x509::trust_store::from_file(ca_file);
        if (!loaded) {
            return usage(ca_file + ": " + https::describe(loaded.error()));
        }
        store = std::move(loaded).value();
    } else {
        auto loaded = https::x509::trust_store::system();
        if (!loaded) {
            return usage(std::string("system trust store: ") + https::describe(loaded.error()));
        }
        store = std::move(loaded).value();
    }

    std::string error;
    std::vector<https::byte_vector> leaf;
    if (!read_certificates(leaf_file, leaf, error)) {
        return usage(error);
    }
    if (leaf.empty()) {
        return usage(leaf_file + ": no certificate");
    }
    std::vector<https::byte_vector> untrusted;
    for (const auto& f : untrusted_files) {
        if (!read_certificates(f, untrusted, error)) {
            return usage(error);
        }
    }
    std::vector<https::bytes_view> views(untrusted.begin(), untrusted.end());

    auto verified = https::x509::verify_chain(leaf[0], views, store, options);
    if (!verified) {
        std::cout << leaf_file << ": verification failed: " << https::describe(verified.error())
                  << "\n";
        return 1;
    }
    std::cout << "OK\n";
    const auto& chain = verified->certificates;
    for (std::size_t i = 0; i < chain.size(); ++i) {
        auto cert = https::x509::parse_certificate(chain[i]);
        std::cout << "depth=" << i << ": " << (cert ? https::x509::to_string(cert->subject) : "?")
                  << (i + 1 == chain.size() ? " (trust anchor)" : "") << "\n";
    }
    return 0;
}
