// Local macros of the TLS headers; include after all other headers, pair with macro_unscope.hpp.
// (No include guard on purpose: every TLS header re-enters this scope after its own includes.)

#define HTTPS_TLS_CONCAT_INNER(a, b) a##b
#define HTTPS_TLS_CONCAT(a, b) HTTPS_TLS_CONCAT_INNER(a, b)

/// `HTTPS_TLS_ASSIGN(auto v, r.read_u16());` evaluates a result-returning expression, returns its
/// error from the enclosing function on failure, and otherwise binds the value to `lhs`.
/// (`lhs` is a declaration such as `auto v`, so it cannot be parenthesised.)
// NOLINTBEGIN(bugprone-macro-parentheses)
#define HTTPS_TLS_ASSIGN(lhs, expr)                                                                \
    auto HTTPS_TLS_CONCAT(https_tls_r_, __LINE__) = (expr);                                        \
    if (!HTTPS_TLS_CONCAT(https_tls_r_, __LINE__).ok()) {                                          \
        return HTTPS_TLS_CONCAT(https_tls_r_, __LINE__).error();                                   \
    }                                                                                              \
    lhs = std::move(HTTPS_TLS_CONCAT(https_tls_r_, __LINE__)).value()
// NOLINTEND(bugprone-macro-parentheses)
