// result<T>: a value or an https::errc, the return type of every fallible call below the facade.
#pragma once

#include "errc.hpp"

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace https {

/// Either a `T` or an error. Check with `ok()` / `operator bool` before calling `value()`;
/// calling `value()` on an error is a precondition violation (asserted).
template <class T> class [[nodiscard]] result {
    static_assert(!std::is_same_v<T, errc>, "result<errc> is ambiguous");

public:
    result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
    result(errc error) : v_(error) { assert(error != errc::ok); } // NOLINT

    [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    [[nodiscard]] errc error() const noexcept {
        const errc* e = std::get_if<1>(&v_);
        return e != nullptr ? *e : errc::ok;
    }
    [[nodiscard]] std::error_code error_code() const noexcept { return make_error_code(error()); }

    T& value() & noexcept {
        assert(ok());
        return *std::get_if<0>(&v_);
    }
    const T& value() const& noexcept {
        assert(ok());
        return *std::get_if<0>(&v_);
    }
    T&& value() && noexcept {
        assert(ok());
        return std::move(*std::get_if<0>(&v_));
    }

    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

private:
    std::variant<T, errc> v_;
};

/// The result of an operation that produces no value: success or an error.
template <> class [[nodiscard]] result<void> {
public:
    result() = default;
    result(errc error) : e_(error) {} // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const noexcept { return e_ == errc::ok; }
    explicit operator bool() const noexcept { return ok(); }
    [[nodiscard]] errc error() const noexcept { return e_; }
    [[nodiscard]] std::error_code error_code() const noexcept { return make_error_code(e_); }

private:
    errc e_ = errc::ok;
};

using status = result<void>;

} // namespace https

/// Propagate an error from an expression yielding a result: `HTTPS_TRY(r.read_u8());`
#define HTTPS_TRY(expr)                                                                            \
    do {                                                                                           \
        if (auto https_try_r_ = (expr); !https_try_r_.ok()) {                                      \
            return https_try_r_.error();                                                       \
        }                                                                                          \
    } while (false)
