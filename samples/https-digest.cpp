// https-digest: print the SHA-1/SHA-2 digest of files or standard input, like sha256sum.
//   https-digest ALGO [FILE...]     ALGO: sha1 | sha224 | sha256 | sha384 | sha512
// With no FILE, or FILE "-", reads standard input. Prints "<hex>  <name>" per input.
// Exit status: 0 on success, 1 if some file could not be read, 2 on a usage error.
#include <https/core/hex.hpp>
#include <https/crypto/sha1.hpp>
#include <https/crypto/sha2.hpp>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

/// Hash one stream to its end; false on a read error.
template <https::crypto::hash_function H> bool digest_stream(std::FILE* in, std::string& hex) {
    H h;
    std::vector<std::uint8_t> buf(1 << 16);
    for (;;) {
        const std::size_t n = std::fread(buf.data(), 1, buf.size(), in);
        h.update(https::bytes_view(buf.data(), n));
        if (n < buf.size()) {
            if (std::ferror(in) != 0) {
                return false;
            }
            break;
        }
    }
    https::crypto::digest<H> d{};
    h.finish(d);
    hex = https::to_hex(d);
    return true;
}

template <https::crypto::hash_function H> int run(const std::vector<std::string>& names) {
    int status = 0;
    for (const auto& name : names) {
        const bool is_stdin = name == "-";
        std::FILE* in = is_stdin ? stdin : std::fopen(name.c_str(), "rb");
        if (in == nullptr) {
            std::fprintf(stderr, "https-digest: %s: %s\n", name.c_str(), std::strerror(errno));
            status = 1;
            continue;
        }
        std::string hex;
        const bool ok = digest_stream<H>(in, hex);
        const int saved_errno = errno;
        if (!is_stdin) {
            std::fclose(in);
        }
        if (!ok) {
            std::fprintf(stderr, "https-digest: %s: %s\n", name.c_str(),
                         std::strerror(saved_errno));
            status = 1;
            continue;
        }
        std::printf("%s  %s\n", hex.c_str(), name.c_str());
    }
    return status;
}

int usage() {
    std::fprintf(stderr, "usage: https-digest sha1|sha224|sha256|sha384|sha512 [FILE...]\n"
                         "Prints the digest of each FILE (standard input if none, or for -).\n");
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        return usage();
    }
    const std::string_view algo = argv[1];
    std::vector<std::string> names(argv + 2, argv + argc);
    if (names.empty()) {
        names.emplace_back("-");
    }
    if (algo == "sha1") {
        return run<https::crypto::sha1>(names);
    }
    if (algo == "sha224") {
        return run<https::crypto::sha224>(names);
    }
    if (algo == "sha256") {
        return run<https::crypto::sha256>(names);
    }
    if (algo == "sha384") {
        return run<https::crypto::sha384>(names);
    }
    if (algo == "sha512") {
        return run<https::crypto::sha512>(names);
    }
    std::fprintf(stderr, "https-digest: unknown algorithm '%s'\n", argv[1]);
    return usage();
}
