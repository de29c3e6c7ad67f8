#pragma once
// AIRLAB_ASSERT: for programmer errors only (bad air input is a Status, never an assert).
// The backend is the only compile-time facade besides logging: on the host it prints and
// aborts; on a microcontroller build it traps.

#if defined(__arm__) && !defined(__linux__)
#define AIRLAB_INTERNAL_TRAP() __builtin_trap()
#else
namespace airlab::internal {
[[noreturn]] void AssertFailed(const char* expr, const char* file, int line);
}
#define AIRLAB_INTERNAL_TRAP_AT(expr) ::airlab::internal::AssertFailed(expr, __FILE__, __LINE__)
#endif

#if defined(AIRLAB_INTERNAL_TRAP_AT)
#define AIRLAB_ASSERT(cond)                      \
  do {                                           \
    if (!(cond)) AIRLAB_INTERNAL_TRAP_AT(#cond); \
  } while (0)
#else
#define AIRLAB_ASSERT(cond)              \
  do {                                   \
    if (!(cond)) AIRLAB_INTERNAL_TRAP(); \
  } while (0)
#endif
