// Compiled only to build the test suite's precompiled header (see tests/CMakeLists.txt).
