// The CSPRNG facade over the operating system, and (in test builds, HTTPS_TESTING) the injectable
// random sources that let tests replay recorded handshakes byte for byte.
#pragma once

#include "../core/bytes.hpp"
#include "../core/result.hpp"

#include <cerrno>
#include <cstddef>
#include <cstring>

#if defined(__linux__)
#include <sys/random.h>
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
#include <stdlib.h> // arc4random_buf
#else
#error "https: no operating-system random source known for this platform"
#endif

namespace https::crypto {

/// Where random bytes come from. Everything that needs randomness (key generation, nonces,
/// ClientHello.random, padding) takes a `random_source&`, so tests can inject a fixed stream.
class random_source {
public:
    random_source() = default;
    random_source(const random_source&) = delete;
    random_source& operator=(const random_source&) = delete;
    random_source(random_source&&) = delete;
    random_source& operator=(random_source&&) = delete;
    virtual ~random_source() = default;
    /// Fill `out` completely, or fail with `errc::random_failure` (then `out` is unspecified).
    [[nodiscard]] virtual status fill(mutable_bytes out) noexcept = 0;
};

/// The operating system's CSPRNG: getrandom(2) on Linux, arc4random_buf on BSD and macOS.
class system_random final : public random_source {
public:
    [[nodiscard]] status fill(mutable_bytes out) noexcept override {
#if defined(__linux__)
        std::size_t done = 0;
        while (done < out.size()) {
            // getrandom returns at most 32 MiB per call and may be interrupted by a signal.
            const ssize_t n = ::getrandom(out.data() + done, out.size() - done, 0);
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return errc::random_failure;
            }
            done += static_cast<std::size_t>(n);
        }
        return {};
#else
        ::arc4random_buf(out.data(), out.size());
        return {};
#endif
    }
};

class scoped_default_random; // test builds only (HTTPS_TESTING), below

namespace detail {
/// This thread's replacement for `default_random()`, null when none. Only
/// `scoped_default_random` sets it, and that class exists in test builds only (HTTPS_TESTING);
/// being per thread, a test's override never reaches another thread and needs no lock.
class default_random_override {
public:
    [[nodiscard]] static random_source* get() noexcept { return slot(); }

private:
    friend class crypto::scoped_default_random;
    static random_source*& slot() noexcept {
        thread_local random_source* source = nullptr;
        return source;
    }
};
} // namespace detail

/// The source used when a caller does not pass one: the OS CSPRNG (unless a test build installed
/// another on this thread).
inline random_source& default_random() noexcept {
    if (random_source* r = detail::default_random_override::get()) {
        return *r;
    }
    static system_random os;
    return os;
}

/// Fill `out` from the default source.
[[nodiscard]] inline status random_bytes(mutable_bytes out) noexcept {
    return default_random().fill(out);
}

#if defined(HTTPS_TESTING)
/// TEST HOOK (HTTPS_TESTING builds only): hands out a fixed byte string in order, then fails, to
/// replay recorded handshakes byte for byte (e.g. RFC 8448's `Client_RNG_Pool`).
class replay_random final : public random_source {
public:
    explicit replay_random(bytes_view pool) : pool_(pool.begin(), pool.end()) {}

    [[nodiscard]] status fill(mutable_bytes out) noexcept override {
        if (out.size() > pool_.size() - pos_) {
            return errc::random_failure;
        }
        std::memcpy(out.data(), pool_.data() + pos_, out.size());
        pos_ += out.size();
        return {};
    }
    [[nodiscard]] std::size_t remaining() const noexcept { return pool_.size() - pos_; }

private:
    byte_vector pool_;
    std::size_t pos_ = 0;
};

/// TEST HOOK (HTTPS_TESTING builds only): while alive, `default_random()` on the thread that made
/// it returns `source`. Other threads keep theirs.
class scoped_default_random {
public:
    explicit scoped_default_random(random_source& source) noexcept
        : previous_(detail::default_random_override::slot()) {
        detail::default_random_override::slot() = &source;
    }
    ~scoped_default_random() { detail::default_random_override::slot() = previous_; }
    scoped_default_random(const scoped_default_random&) = delete;
    scoped_default_random& operator=(const scoped_default_random&) = delete;
    scoped_default_random(scoped_default_random&&) = delete;
    scoped_default_random& operator=(scoped_default_random&&) = delete;

private:
    random_source* previous_;
};
#endif

} // namespace https::crypto
