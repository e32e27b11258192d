// result<T>: a value or an https::errc, the return type of every fallible call below the facade.
#pragma once

#include "errc.hpp"

#include <cassert>
#include <type_traits>
#include <new>
#include <utility>

namespace https {

// The value lives in a union whose active member the errc tracks: every access below is guarded.
// NOLINTBEGIN(cppcoreguidelines-pro-type-union-access)
namespace detail {

/// The storage of `result<T>`: the error (`errc::ok` while a value is held) and the value in a
/// union. Hand-written rather than a std::variant: every result<T> instantiation would otherwise
/// pull in the variant machinery (storage bases, visitation tables), a large share of what each
/// translation unit compiles. For a trivially copyable T every special member is defaulted, so
/// result<T> is trivially copyable too and is returned in registers.
template <class T, bool Trivial = std::is_trivially_copyable_v<T>> struct result_storage {
    explicit result_storage(T&& v) : error_(errc::ok), value_(std::move(v)) {}
    explicit result_storage(errc e) noexcept : error_(e) {}

    errc error_;
    union {
        T value_;
    };
};

template <class T> struct result_storage<T, false> {
    explicit result_storage(T&& v) : error_(errc::ok), value_(std::move(v)) {}
    explicit result_storage(errc e) noexcept : error_(e) {}

    result_storage(const result_storage& o) requires std::is_copy_constructible_v<T>
        : error_(o.error_) {
        if (error_ == errc::ok) {
            ::new (static_cast<void*>(&value_)) T(o.value_);
        }
    }
    result_storage(result_storage&& o) noexcept(std::is_nothrow_move_constructible_v<T>)
        : error_(o.error_) {
        if (error_ == errc::ok) {
            ::new (static_cast<void*>(&value_)) T(std::move(o.value_));
        }
    }
    result_storage& operator=(const result_storage& o) requires std::is_copy_constructible_v<T> {
        if (this != &o) {
            assign(o.error_, o.value_);
        }
        return *this;
    }
    result_storage& operator=(result_storage&& o) noexcept(std::is_nothrow_move_constructible_v<T>) {
        if (this != &o) {
            assign(o.error_, std::move(o.value_));
        }
        return *this;
    }
    ~result_storage() { destroy(); }

    errc error_;
    union {
        T value_;
    };

private:
    void destroy() noexcept {
        if (error_ == errc::ok) {
            value_.~T();
        }
    }
    // Destroy, then construct: simple, and correct whichever of the two holds a value. `value`
    // is only read when `error` is ok. Should T's constructor throw, the result is left holding
    // an error (tls_internal_error) rather than a value that was never built.
    template <class V> void assign(errc error, V&& value) {
        destroy();
        error_ = errc::tls_internal_error;
        if (error == errc::ok) {
            ::new (static_cast<void*>(&value_)) T(std::forward<V>(value));
        }
        error_ = error;
    }
};

} // namespace detail

/// Either a `T` or an error. Check with `ok()` / `operator bool` before calling `value()`;
/// calling `value()` on an error is a precondition violation (asserted).
template <class T> class [[nodiscard]] result : private detail::result_storage<T> {
    static_assert(!std::is_same_v<T, errc>, "result<errc> is ambiguous");
    static_assert(!std::is_reference_v<T>, "result<T&> is not supported");
    using storage = detail::result_storage<T>;

public:
    result(T value) : storage(std::move(value)) {}  // NOLINT(google-explicit-constructor)
    result(errc error) : storage(error) { assert(error != errc::ok); } // NOLINT

    [[nodiscard]] bool ok() const noexcept { return this->error_ == errc::ok; }
    explicit operator bool() const noexcept { return ok(); }

    [[nodiscard]] errc error() const noexcept { return this->error_; }
    [[nodiscard]] std::error_code error_code() const noexcept { return make_error_code(error()); }

    T& value() & noexcept {
        assert(ok());
        return this->value_;
    }
    const T& value() const& noexcept {
        assert(ok());
        return this->value_;
    }
    T&& value() && noexcept {
        assert(ok());
        return std::move(this->value_);
    }

    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
};
// NOLINTEND(cppcoreguidelines-pro-type-union-access)

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
