// https-bench: runs every registered figure (or those whose name contains a filter argument).
//   https-bench [--time SECONDS] [FILTER...]
#include "bench.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    double seconds = 0.3;
    std::vector<std::string> filters;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--time") == 0 && i + 1 < argc) {
            seconds = std::atof(argv[++i]);
        } else if (std::strcmp(argv[i], "--list") == 0) {
            for (const auto& f : bench::registry()) {
                std::printf("%s\n", f.name.c_str());
            }
            return 0;
        } else if (argv[i][0] == '-') {
            std::fprintf(stderr, "usage: https-bench [--time SECONDS] [--list] [FILTER...]\n");
            return 2;
        } else {
            filters.emplace_back(argv[i]);
        }
    }
    for (const auto& f : bench::registry()) {
        bool wanted = filters.empty();
        for (const auto& flt : filters) {
            wanted = wanted || f.name.find(flt) != std::string::npos;
        }
        if (!wanted) {
            continue;
        }
        const double ours = f.ours(seconds);
        // A reference that cannot be measured here (NaN) prints as "-", like a missing one.
        const double theirs = f.openssl ? f.openssl(seconds) : std::nan("");
        if (!std::isnan(theirs)) {
            std::printf("%s ours=%.1f %s=%.1f ratio=%.2f %s\n", f.name.c_str(), ours, f.reference,
                        theirs, ours / theirs, f.unit.c_str());
        } else {
            std::printf("%s ours=%.1f %s=- ratio=- %s\n", f.name.c_str(), ours, f.reference,
                        f.unit.c_str());
        }
        std::fflush(stdout);
    }
    return 0;
}
