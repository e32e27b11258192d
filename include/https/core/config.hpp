// The build mode: header-only (the default) or separately compiled (HTTPS_SEPARATE_COMPILATION).
#pragma once

// Header-only: every function the library defines out of line is `inline` and its definition is
// included by its header. With HTTPS_SEPARATE_COMPILATION defined in every translation unit that
// uses the library, those functions are declarations only and `src/https.cpp`, compiled once,
// defines them (CMake: link `https::https_compiled`, which does both). Templates and small
// functions stay in the headers in both modes.
#if defined(HTTPS_SEPARATE_COMPILATION)
#define HTTPS_DECL
#else
#define HTTPS_DECL inline
#endif
