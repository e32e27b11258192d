// Request bodies read while they are sent: the `body_source` interface, and `file_body`, which
// reads a file (or an open descriptor such as standard input) piece by piece.
#pragma once

#include "../core/bytes.hpp"
#include "../core/config.hpp"
#include "../core/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace https::http {

/// A request body pulled piece by piece as it is sent, so that a body of any size goes out in
/// constant memory. With a known `size()` the request carries Content-Length; otherwise it is
/// sent with chunked transfer coding (RFC 9112 §7.1), which not every server accepts.
class body_source {
public:
    body_source() = default;
    body_source(const body_source&) = delete;
    body_source& operator=(const body_source&) = delete;
    virtual ~body_source() = default;

    /// The body's length in bytes, if known before sending. The source must then deliver at
    /// least that many bytes (fewer: `http_body_length_mismatch`); no more than that are read.
    [[nodiscard]] virtual std::optional<std::uint64_t> size() const = 0;

    /// Put the next bytes of the body at the front of `buf` (never empty) and return how many;
    /// 0 at the end of the body. An error ends the request with that error.
    virtual result<std::size_t> read(mutable_bytes buf) = 0;

    /// Go back to the first byte. Called before each time the body is sent, the first included:
    /// a 307/308 redirect or a retry on a fresh connection sends it again. A source that cannot
    /// start over returns `http_body_not_rewindable`, but only once it has been read from.
    virtual status rewind() = 0;

protected:
    body_source(body_source&&) = default;
    body_source& operator=(body_source&&) = default;
};

/// A file's bytes as a request body, read while they are sent (POSIX read(2)). A regular file
/// has a size (sent as Content-Length, taken when it is opened) and rewinds; a pipe or terminal
/// is sent chunked and can be sent only once.
class file_body final : public body_source {
public:
    /// Open `path` for reading: `http_body_read_failed` if it cannot be opened or is a directory.
    HTTPS_DECL static result<file_body> open(const std::string& path);

    /// Read from an open descriptor (such as 0, standard input), from its current offset; the
    /// descriptor is not closed. `http_body_read_failed` if it is not open for reading.
    HTTPS_DECL static result<file_body> from_descriptor(int fd);

    file_body(file_body&& other) noexcept;
    file_body& operator=(file_body&& other) noexcept;
    file_body(const file_body&) = delete;
    file_body& operator=(const file_body&) = delete;
    HTTPS_DECL ~file_body() override;

    [[nodiscard]] std::optional<std::uint64_t> size() const override { return size_; }
    HTTPS_DECL result<std::size_t> read(mutable_bytes buf) override;
    HTTPS_DECL status rewind() override;

private:
    file_body(int fd, bool owned) noexcept : fd_(fd), owned_(owned) {}
    HTTPS_DECL status stat_descriptor(); // size_, start_ and seekable_ from fstat and lseek

    int fd_ = -1;
    bool owned_ = false;       // opened by us, closed by us
    bool seekable_ = false;    // a regular file: rewind seeks back to start_
    std::uint64_t start_ = 0;  // the offset the body starts at
    std::uint64_t read_ = 0;   // bytes delivered since the start
    std::optional<std::uint64_t> size_;
};

inline file_body::file_body(file_body&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), owned_(std::exchange(other.owned_, false)),
      seekable_(other.seekable_), start_(other.start_), read_(other.read_), size_(other.size_) {}

inline file_body& file_body::operator=(file_body&& other) noexcept {
    if (this != &other) {
        file_body gone(std::move(*this));
        fd_ = std::exchange(other.fd_, -1);
        owned_ = std::exchange(other.owned_, false);
        seekable_ = other.seekable_;
        start_ = other.start_;
        read_ = other.read_;
        size_ = other.size_;
    }
    return *this;
}

} // namespace https::http

#if !defined(HTTPS_SEPARATE_COMPILATION)
#include "impl/body_source.ipp"
#endif
