// file_body (http/body_source.hpp), out of line for separate compilation.
#pragma once

#include "../body_source.hpp"

#include <cerrno>
#include <cstdint>
#include <fcntl.h>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

namespace https::http {

HTTPS_DECL result<file_body> file_body::open(const std::string& path) {
    int fd = -1;
    do {
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        return errc::http_body_read_failed;
    }
    file_body body(fd, true);
    HTTPS_TRY(body.stat_descriptor());
    return body;
}

HTTPS_DECL result<file_body> file_body::from_descriptor(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || (flags & O_ACCMODE) == O_WRONLY) {
        return errc::http_body_read_failed;
    }
    file_body body(fd, false);
    HTTPS_TRY(body.stat_descriptor());
    return body;
}

HTTPS_DECL status file_body::stat_descriptor() {
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || S_ISDIR(st.st_mode)) {
        return errc::http_body_read_failed;
    }
    if (S_ISREG(st.st_mode)) {
        const off_t at = ::lseek(fd_, 0, SEEK_CUR);
        if (at < 0 || at > st.st_size) {
            return errc::http_body_read_failed;
        }
        seekable_ = true;
        start_ = static_cast<std::uint64_t>(at);
        size_ = static_cast<std::uint64_t>(st.st_size - at);
    }
    return {};
}

HTTPS_DECL file_body::~file_body() {
    if (owned_ && fd_ >= 0) {
        ::close(fd_);
    }
}

HTTPS_DECL result<std::size_t> file_body::read(mutable_bytes buf) {
    for (;;) {
        const ssize_t n = ::read(fd_, buf.data(), buf.size());
        if (n >= 0) {
            read_ += static_cast<std::uint64_t>(n);
            return static_cast<std::size_t>(n);
        }
        if (errno != EINTR) {
            return errc::http_body_read_failed;
        }
    }
}

HTTPS_DECL status file_body::rewind() {
    if (read_ == 0) {
        return {};
    }
    if (!seekable_) {
        return errc::http_body_not_rewindable;
    }
    if (::lseek(fd_, static_cast<off_t>(start_), SEEK_SET) < 0) {
        return errc::http_body_read_failed;
    }
    read_ = 0;
    return {};
}

} // namespace https::http
