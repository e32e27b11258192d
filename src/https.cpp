// The library's implementation, compiled once, for separate-compilation mode: build this file and
// compile every file that includes <https/...> with HTTPS_SEPARATE_COMPILATION defined (the CMake
// target https::https_compiled does both).
#if !defined(HTTPS_SEPARATE_COMPILATION)
#define HTTPS_SEPARATE_COMPILATION
#endif

#include <https/impl/src.ipp>
