// result<T>: a value or an errc, with value semantics in every state.
#include <https/core/result.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

using https::errc;
using https::result;

// Trivially copyable values keep result<T> trivially copyable (returned in registers, as the
// std::variant it replaced was); others get real copy and move.
static_assert(std::is_trivially_copyable_v<result<std::size_t>>);
static_assert(std::is_trivially_copyable_v<result<std::span<const std::uint8_t>>>);
static_assert(!std::is_trivially_copyable_v<result<std::string>>);
static_assert(std::is_copy_constructible_v<result<std::string>>);
static_assert(!std::is_copy_constructible_v<result<std::unique_ptr<int>>>);
static_assert(!std::is_copy_assignable_v<result<std::unique_ptr<int>>>);
static_assert(std::is_nothrow_move_constructible_v<result<std::unique_ptr<int>>>);
static_assert(std::is_nothrow_move_constructible_v<result<std::vector<int>>>);

namespace {
/// Counts live objects, so a leak or a double destruction shows up as a wrong count.
struct tracked {
    static inline int live = 0;
    std::string text;
    explicit tracked(std::string t) : text(std::move(t)) { ++live; }
    tracked(const tracked& o) : text(o.text) { ++live; }
    tracked(tracked&& o) noexcept : text(std::move(o.text)) { ++live; }
    tracked& operator=(const tracked&) = default;
    tracked& operator=(tracked&&) = default;
    ~tracked() { --live; }
};
} // namespace

TEST_CASE("result holds a value or an error, and says which", "[core][result]") {
    result<int> v = 7;
    REQUIRE(v.ok());
    CHECK(*v == 7);
    CHECK(v.error() == errc::ok);
    result<int> e = errc::truncated;
    CHECK_FALSE(e.ok());
    CHECK_FALSE(static_cast<bool>(e));
    CHECK(e.error() == errc::truncated);
    CHECK(e.error_code() == make_error_code(errc::truncated));

    result<std::unique_ptr<int>> p = std::make_unique<int>(5);
    REQUIRE(p.ok());
    auto owned = std::move(p).value();
    CHECK(*owned == 5);
}

TEST_CASE("result copies, moves and assigns between a value and an error", "[core][result]") {
    tracked::live = 0;
    {
        result<tracked> a = tracked("a");
        result<tracked> b = errc::truncated;
        CHECK(tracked::live == 1);

        result<tracked> c = a; // copy of a value
        CHECK(c->text == "a");
        result<tracked> d = b; // copy of an error
        CHECK(d.error() == errc::truncated);
        CHECK(tracked::live == 2);

        d = a; // error <- value
        REQUIRE(d.ok());
        CHECK(d->text == "a");
        c = b; // value <- error
        CHECK(c.error() == errc::truncated);
        CHECK(tracked::live == 2);

        result<tracked> m = std::move(a); // move of a value
        CHECK(m->text == "a");
        m = tracked("m2"); // value <- value
        CHECK(m->text == "m2");
        m = result<tracked>(errc::trailing_data); // value <- error (move)
        CHECK(m.error() == errc::trailing_data);
        m = result<tracked>(tracked("back")); // error <- value (move)
        CHECK(m->text == "back");
        auto& self = m;
        m = self; // self-assignment keeps the value
        CHECK(m->text == "back");
        CHECK(tracked::live == 3); // a (moved-from), d, m
    }
    CHECK(tracked::live == 0);
}
