#pragma once
// Timer port: one deadline at a time, on the port::Clock time base. Code with many
// deadlines (ACK waits, retries, peer timeouts) keeps them in its own table and arms one
// Timer for the earliest, so no platform needs a heap or a callback per deadline.
//
// Calling context: OnTimer runs in the platform's timer context (sim: the scheduler;
// ESP-IDF: the esp_timer task; Linux: the event loop), never inside ArmAt or Cancel.

#include "core/base/assert.h"
#include "core/port/clock.h"

namespace airlab::port {

class TimerListener {
 public:
  // The armed deadline has passed. The timer is disarmed before the call, so the listener
  // may arm it again from here.
  virtual void OnTimer() = 0;

 protected:
  ~TimerListener() = default;
};

class Timer {
 public:
  virtual ~Timer() = default;

  void SetListener(TimerListener* listener) { listener_ = listener; }

  // Calls the listener once at `deadline` (a Clock time), replacing any earlier deadline.
  // A deadline already past fires as soon as the platform can. A listener must be set.
  void ArmAt(TimeNs deadline) {
    AIRLAB_ASSERT(listener_ != nullptr);
    armed_ = true;
    DoArmAt(deadline);
  }
  // Forgets the deadline; no call follows. Harmless when not armed.
  void Cancel() {
    if (!armed_) return;
    armed_ = false;
    DoCancel();
  }
  bool armed() const { return armed_; }

 protected:
  virtual void DoArmAt(TimeNs deadline) = 0;
  virtual void DoCancel() = 0;

  // Implementations call this when the deadline they were given passes.
  void Expire() {
    if (!armed_) return;
    armed_ = false;
    listener_->OnTimer();
  }

 private:
  TimerListener* listener_ = nullptr;
  bool armed_ = false;
};

}  // namespace airlab::port
