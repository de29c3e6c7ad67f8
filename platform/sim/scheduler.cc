#include "platform/sim/scheduler.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/base/assert.h"

namespace airlab::sim {

void Scheduler::Grow() {
  if (free_slot_ == UINT32_MAX) {
    slots_.emplace_back();
    FreeSlot(static_cast<uint32_t>(slots_.size() - 1));
  }
  if (heap_size_ == heap_.size()) heap_.resize(2 * heap_size_ + 16);
}

uint32_t Scheduler::TakeSlot(TimeNs time) {
  AIRLAB_ASSERT(time >= now_);
  if (free_slot_ == UINT32_MAX || heap_size_ == heap_.size()) Grow();
  const uint32_t slot = free_slot_;
  free_slot_ = slots_[slot].next_free;
  ++slots_[slot].generation;  // odd: live
  ++live_;
  // Sift up from a hole at the end.
  const Entry entry{time, next_sequence_++, slot};
  size_t hole = heap_size_++;
  while (hole > 0) {
    const size_t parent = (hole - 1) / 2;
    if (!(entry < heap_[parent])) break;
    heap_[hole] = heap_[parent];
    hole = parent;
  }
  heap_[hole] = entry;
  return slot;
}

void Scheduler::CancelLive(uint32_t slot) {
  // The heap entry stays until it comes up; the slot is recycled then.
  Slot& s = slots_[slot];
  ++s.generation;
  s.callback = nullptr;
  --live_;
}

void Scheduler::FreeSlot(uint32_t slot) {
  slots_[slot].next_free = free_slot_;
  free_slot_ = slot;
}

// PopDue and RunEntry are inline: with the run loops below they are the simulation's inner
// loop.
inline bool Scheduler::PopDue(TimeNs end, Entry* entry) {
  while (heap_size_ > 0 && heap_[0].time <= end) {
    *entry = heap_[0];
    // Sift the last entry down from the hole at the root.
    const size_t size = --heap_size_;
    const Entry last = heap_[size];
    if (size > 0) {
      size_t hole = 0;
      while (true) {
        size_t child = 2 * hole + 1;
        if (child >= size) break;
        if (child + 1 < size && heap_[child + 1] < heap_[child]) ++child;
        if (!(heap_[child] < last)) break;
        heap_[hole] = heap_[child];
        hole = child;
      }
      heap_[hole] = last;
    }
    if (Live(slots_[entry->slot])) return true;
    FreeSlot(entry->slot);  // cancelled
  }
  return false;
}

inline void Scheduler::RunEntry(const Entry& entry) {
  Slot& s = slots_[entry.slot];
  ++s.generation;
  --live_;
  now_ = entry.time;
  // Out of the slot before the call: the callback may schedule into it, or grow slots_.
  if (s.run_inline != nullptr) {
    const InlineFn fn = s.inline_fn;
    const auto run = s.run_inline;
    FreeSlot(entry.slot);
    run(fn);
  } else {
    Callback callback = std::move(s.callback);
    s.callback = nullptr;
    FreeSlot(entry.slot);
    callback();
  }
}

bool Scheduler::StepUntil(TimeNs end) {
  Entry entry;
  if (!PopDue(end, &entry)) return false;
  RunEntry(entry);
  return true;
}

void Scheduler::RunUntil(TimeNs end) {
  stop_ = false;
  Entry entry;
  while (!stop_ && PopDue(end, &entry)) RunEntry(entry);
  if (!stop_ && end > now_) now_ = end;
}

void Scheduler::RunUntilIdle() {
  stop_ = false;
  while (!stop_ && Step()) {
  }
}

void Scheduler::RunPaced(TimeNs end, double speed) {
  AIRLAB_ASSERT(speed > 0.0);
  using WallClock = std::chrono::steady_clock;
  const auto wall_start = WallClock::now();
  const TimeNs sim_start = now_;
  auto sleep_until_sim = [&](TimeNs t) {
    const auto offset = std::chrono::nanoseconds(static_cast<int64_t>((t - sim_start) / speed));
    std::this_thread::sleep_until(wall_start + offset);
  };
  stop_ = false;
  Entry entry;
  while (!stop_ && PopDue(end, &entry)) {
    sleep_until_sim(entry.time);
    RunEntry(entry);
  }
  if (!stop_ && end > now_) {
    sleep_until_sim(end);
    now_ = end;
  }
}

Status SimWaiter::DoWaitUntil(TimeNs deadline) {
  while (!woken_.exchange(false)) {
    if (scheduler_.StepUntil(deadline)) continue;
    if (deadline == port::kForever) return Status::Unavailable();
    scheduler_.RunUntil(deadline);
    return Status::DeadlineExceeded();
  }
  return Status::Ok();
}

void SimTimer::DoArmAt(TimeNs deadline) {
  scheduler_.Cancel(event_);
  event_ = scheduler_.ScheduleAt(std::max(deadline, scheduler_.now()), [this] { Expire(); });
}

}  // namespace airlab::sim
