#pragma once
// The discrete-event scheduler: callbacks at integer nanoseconds, run in (time, order of
// scheduling) order, so a run is the same every time. Plus the ports that are only views
// of it: SimClock (port::Clock), SimTimer (port::Timer) and SimWaiter (port::Waiter).
//
// Single-threaded: schedule, cancel and run from one thread (callbacks included).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/port/clock.h"
#include "core/port/timer.h"
#include "core/port/waiter.h"

namespace airlab::sim {

using port::TimeNs;

class Scheduler {
 public:
  // Any callable; small trivially copyable ones (the sim's lambdas, capturing `this` and
  // an index) skip the std::function and are kept inline.
  using Callback = std::function<void()>;

  // Names one scheduled callback; stale ids (run, cancelled) are recognised as such.
  struct EventId {
    uint32_t slot = UINT32_MAX;
    uint32_t generation = 0;
  };

  TimeNs now() const { return now_; }

  // Runs `callback` at `time` (>= now()); callbacks at the same time run in the order they
  // were scheduled.
  template <typename F>
  EventId ScheduleAt(TimeNs time, F&& callback) {
    using Fn = std::decay_t<F>;
    const uint32_t slot = TakeSlot(time);
    Slot& s = slots_[slot];
    if constexpr (std::is_trivially_copyable_v<Fn> && sizeof(Fn) <= sizeof(InlineFn) &&
                  alignof(Fn) <= alignof(InlineFn)) {
      new (s.inline_fn.bytes) Fn(std::forward<F>(callback));
      s.run_inline = [](const InlineFn& fn) {
        (*std::launder(reinterpret_cast<const Fn*>(fn.bytes)))();
      };
    } else {
      s.callback = std::forward<F>(callback);
      s.run_inline = nullptr;
    }
    return {slot, s.generation};
  }
  template <typename F>
  EventId ScheduleAfter(TimeNs delay, F&& callback) {
    return ScheduleAt(now_ + delay, std::forward<F>(callback));
  }
  // False if the event already ran or was cancelled.
  bool Cancel(EventId id) {
    if (!IsPending(id)) return false;
    CancelLive(id.slot);
    return true;
  }
  bool IsPending(EventId id) const {
    return id.slot < slots_.size() && slots_[id.slot].generation == id.generation &&
           Live(slots_[id.slot]);
  }
  // Callbacks scheduled and not yet run or cancelled.
  size_t pending_count() const { return heap_size_; }

  // Runs the next callback if it is due at or before `end`; false if there is none.
  bool StepUntil(TimeNs end);
  bool Step() { return StepUntil(INT64_MAX); }
  // Runs every callback due at or before `end`, then sets now() to `end`.
  void RunUntil(TimeNs end);
  // Runs until nothing is scheduled.
  void RunUntilIdle();
  // Like RunUntil, but sleeps so that simulated time tracks the wall clock times `speed`
  // (2.0: twice as fast as real time). For interactive work; batch runs use RunUntil.
  void RunPaced(TimeNs end, double speed);
  // From inside a callback: the Run* call returns after that callback.
  void Stop() { stop_ = true; }

 private:
  struct Entry {
    TimeNs time;
    uint64_t sequence;
    uint32_t slot;
    // Queue order: earliest time first, then the order of scheduling.
    bool operator<(const Entry& other) const {
      return time < other.time || (time == other.time && sequence < other.sequence);
    }
  };
  // Room for a small trivially copyable callable.
  struct InlineFn {
    alignas(void*) std::byte bytes[2 * sizeof(void*)];
  };
  // A slot holds one event from its scheduling until it runs or is cancelled. Its
  // generation is odd while the event is live.
  struct Slot {
    InlineFn inline_fn;
    void (*run_inline)(const InlineFn& fn) = nullptr;  // null: `callback` holds it
    Callback callback;
    uint32_t generation = 0;
    uint32_t next_free = UINT32_MAX;
  };
  // The queue is a 4-ary min-heap (half the depth of a binary one; a node's children
  // share a cache line or two) that knows where each slot's entry is, so a cancelled event
  // leaves it at once: the MAC cancels most of what it schedules (every busy medium puts
  // off every waiting station's access), and dead entries would otherwise be sifted
  // through the heap until their time came.
  static constexpr size_t kArity = 4;
  static bool Live(const Slot& s) { return (s.generation & 1) != 0; }
  void CancelLive(uint32_t slot);
  // A live slot for an event at `time`, with its heap entry.
  uint32_t TakeSlot(TimeNs time);
  // Room for one more event: a free slot and heap capacity. Kept out of TakeSlot's way.
  [[gnu::noinline]] void Grow();
  // Puts `entry` at `hole` or above it / below it, keeping heap order.
  void SiftUp(size_t hole, Entry entry);
  void SiftDown(size_t hole, Entry entry);
  void Place(size_t index, const Entry& entry) {
    heap_[index] = entry;
    heap_index_[entry.slot] = static_cast<uint32_t>(index);
  }
  // Takes the entry at `index` out of the heap.
  void RemoveAt(size_t index);
  // Pops the next entry due at or before `end`; false if there is none.
  bool PopDue(TimeNs end, Entry* entry);
  void RunEntry(const Entry& entry);
  void FreeSlot(uint32_t slot);

  TimeNs now_ = 0;
  uint64_t next_sequence_ = 0;
  bool stop_ = false;
  std::vector<Entry> heap_;  // in [0, heap_size_), one entry per live event
  size_t heap_size_ = 0;
  std::vector<Slot> slots_;
  std::vector<uint32_t> heap_index_;  // per slot: where its entry is while it is live
  uint32_t free_slot_ = UINT32_MAX;   // a list through Slot::next_free
};

// The simulated time as a port::Clock.
class SimClock final : public port::Clock {
 public:
  explicit SimClock(const Scheduler& scheduler) : scheduler_(scheduler) {}
  TimeNs Now() const override { return scheduler_.now(); }

 private:
  const Scheduler& scheduler_;
};

// A port::Timer that fires from the scheduler.
class SimTimer final : public port::Timer {
 public:
  explicit SimTimer(Scheduler& scheduler) : scheduler_(scheduler) {}
  ~SimTimer() override { scheduler_.Cancel(event_); }
  SimTimer(const SimTimer&) = delete;
  SimTimer& operator=(const SimTimer&) = delete;

 protected:
  void DoArmAt(TimeNs deadline) override;
  void DoCancel() override { scheduler_.Cancel(event_); }

 private:
  Scheduler& scheduler_;
  Scheduler::EventId event_;
};

// A port::Waiter for application code that blocks (MicroPython's recv(timeout)): waiting
// runs the simulation until Wake() or the deadline. Call WaitUntil from outside the
// scheduler's callbacks only.
class SimWaiter final : public port::Waiter {
 public:
  explicit SimWaiter(Scheduler& scheduler) : scheduler_(scheduler) {}

 protected:
  // kOk when woken; kDeadlineExceeded when the deadline came first (the clock then reads
  // the deadline); kUnavailable with no deadline and nothing left to run.
  Status DoWaitUntil(TimeNs deadline) override;
  void DoWake() override { woken_ = true; }

 private:
  Scheduler& scheduler_;
  std::atomic<bool> woken_ = false;
};

}  // namespace airlab::sim
