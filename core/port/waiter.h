#pragma once
// Waiter port: lets a blocking call sleep until something it waits for may have happened,
// or until a deadline. The MicroPython facade's recv(timeout_ms) and send(sync=True) wait
// this way for the Link's listener calls (a message queued, a delivery report).
//
// What "waiting" is depends on the platform: on the sim, time moves only while someone
// runs the scheduler, so waiting IS running the simulation until woken or the deadline
// (the sim's Waiter runs its scheduler); on a device it blocks the calling task on a
// binary semaphore that the radio context gives; on Linux, a condition variable.
//
// Semantics are a binary semaphore's: a Wake() that comes while nobody waits is kept (one
// only), so a wake between checking a condition and calling WaitUntil is never lost.
// Returns may come early for other reasons; callers re-check their condition in a loop:
//
//   while (!condition()) {
//     if (waiter.WaitUntil(deadline) != Status::Ok() && !condition()) return timeout;
//   }

#include <cstdint>

#include "core/base/status.h"
#include "core/port/clock.h"

namespace airlab::port {

// A deadline that never comes: wait until woken.
inline constexpr TimeNs kForever = INT64_MAX;

class Waiter {
 public:
  virtual ~Waiter() = default;

  // Blocks the calling thread until Wake() is called (or was called since the last
  // return), or until the Clock reaches `deadline` (kForever: no deadline).
  // kOk: woken. kDeadlineExceeded: the deadline passed. kUnavailable: nothing can wake the
  // caller any more (the sim has no event left to run); treat it like the deadline.
  // Call only from the application's thread, never from a listener callback.
  Status WaitUntil(TimeNs deadline) { return DoWaitUntil(deadline); }

  // Ends the current wait, or the next one if nobody waits. Safe from the radio and timer
  // contexts (the listener callbacks) and from other threads; never blocks.
  void Wake() { DoWake(); }

 protected:
  virtual Status DoWaitUntil(TimeNs deadline) = 0;
  virtual void DoWake() = 0;
};

}  // namespace airlab::port
