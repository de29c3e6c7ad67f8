#pragma once
// The Linux application thread's event loop: a monotonic Clock, Timers and Waiters over
// poll(), and file descriptors to watch (a monitor radio's capture socket). Every callback -
// a radio listener's OnReceive/OnTxDone, a timer's OnTimer, a watched fd's handler - runs on
// the thread that calls Poll, RunUntil/RunFor or waits on one of this loop's Waiters, so an
// espnow::Stack needs no locks, as on the sim and on air::HubClient.
//
//   linux_port::EventLoop loop;
//   linux_port::MonitorRadio radio(loop, "mon0");
//   espnow::StaticStack<> stack(radio, rng, aes);
//   std::unique_ptr<port::Waiter> waiter = loop.NewWaiter();
//   espnow::ESPNow e(stack, loop.clock(), *waiter);   // e.send(...) runs the loop while it waits
//
// Use a loop, its timers and waiters from one thread; Waiter::Wake and Wake may come from any.
// A source that fails for good (an interface that disappeared) calls Fail: from then on
// waits and runs return kUnavailable and error() says what happened.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/port/clock.h"
#include "core/port/timer.h"
#include "core/port/waiter.h"

namespace airlab::linux_port {

// CLOCK_MONOTONIC in ns: never goes back, does not follow wall-clock steps.
class MonotonicClock final : public port::Clock {
 public:
  port::TimeNs Now() const override;
};

class EventLoop {
 public:
  EventLoop();
  // Its timers and waiters must be gone by then.
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  const port::Clock& clock() const { return clock_; }
  std::unique_ptr<port::Timer> NewTimer();
  std::unique_ptr<port::Waiter> NewWaiter();

  // Calls `on_ready` on the loop's thread whenever `fd` is readable or in error, until
  // Unwatch(fd). The handler may call Watch/Unwatch.
  void Watch(int fd, std::function<void()> on_ready);
  void Unwatch(int fd);

  // Runs what is due (ready fds, timers whose time passed) without waiting.
  void Poll();
  // Runs callbacks as they come until clock() reaches `end`: kDeadlineExceeded then,
  // kUnavailable once the loop failed.
  Status RunUntil(port::TimeNs end);
  Status RunFor(port::TimeNs duration) { return RunUntil(clock_.Now() + duration); }

  // Ends the current RunUntil early (it returns kAborted); safe from any thread and from
  // signal handlers' helper threads.
  void Stop();

  // A source failed for good: waits return kUnavailable from now on.
  void Fail(const std::string& message);
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  class LoopTimer;
  class LoopWaiter;
  struct Source {
    int fd;
    std::function<void()> on_ready;
  };

  // The common loop of RunUntil and Waiter::WaitUntil: returns kOk when `*woken` was set.
  Status Wait(port::TimeNs deadline, std::atomic<bool>* woken);
  // Runs the timers due by now; true if one ran.
  bool RunDueTimers();
  // One poll() of at most `timeout_ms` (-1: forever), then the handlers of ready fds.
  void PollOnce(int timeout_ms);
  void Notify();

  MonotonicClock clock_;
  int wake_fd_ = -1;  // an eventfd: Wake/Stop from other threads end a poll()
  std::atomic<bool> stop_{false};
  std::vector<Source> sources_;
  std::vector<LoopTimer*> timers_;  // in creation order
  size_t waiters_ = 0;
  std::string error_;
};

}  // namespace airlab::linux_port
