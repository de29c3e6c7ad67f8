#include "core/base/assert.h"

#if !(defined(__arm__) && !defined(__linux__))
#include <cstdio>
#include <cstdlib>

namespace airlab::internal {
// The one host-only piece of core/base: where an assert lands when there is a stderr.
[[noreturn]] void AssertFailed(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: assertion failed: %s\n", file, line, expr);
  std::abort();
}
}  // namespace airlab::internal
#endif
