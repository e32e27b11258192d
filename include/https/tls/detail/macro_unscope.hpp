// Undefines the local macros of macro_scope.hpp at the end of each TLS header.
#undef HTTPS_TLS_ASSIGN
#undef HTTPS_TLS_CONCAT
#undef HTTPS_TLS_CONCAT_INNER
