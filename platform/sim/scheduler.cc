#include "platform/sim/scheduler.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/base/assert.h"

namespace airlab::sim {

void Scheduler::Grow() {
  if (free_slot_ == UINT32_MAX) {
    slots_.emplace_back();
    heap_index_.push_back(0);
    FreeSlot(static_cast<uint32_t>(slots_.size() - 1));
  }
  if (heap_size_ == heap_.size()) heap_.resize(2 * heap_size_ + 16);
}

// Inline, with the entry by value: it stays in registers while it sifts.
inline void Scheduler::SiftUp(size_t hole, const Entry entry) {
  while (hole > 0) {
    const size_t parent = (hole - 1) / kArity;
    if (!(entry < heap_[parent])) break;
    Place(hole, heap_[parent]);
    hole = parent;
  }
  Place(hole, entry);
}

inline void Scheduler::SiftDown(size_t hole, const Entry entry) {
  while (true) {
    const size_t first = kArity * hole + 1;
    if (first >= heap_size_) break;
    const size_t last = std::min(first + kArity, heap_size_);
    size_t child = first;
    for (size_t c = first + 1; c < last; ++c) {
      if (heap_[c] < heap_[child]) child = c;
    }
    if (!(heap_[child] < entry)) break;
    Place(hole, heap_[child]);
    hole = child;
  }
  Place(hole, entry);
}

inline void Scheduler::RemoveAt(size_t index) {
  const Entry last = heap_[--heap_size_];
  if (index == heap_size_) return;
  // The last entry fills the hole, from where it may have to go either way.
  if (index > 0 && last < heap_[(index - 1) / kArity]) {
    SiftUp(index, last);
  } else {
    SiftDown(index, last);
  }
}

uint32_t Scheduler::TakeSlot(TimeNs time) {
  AIRLAB_ASSERT(time >= now_);
  if (free_slot_ == UINT32_MAX || heap_size_ == heap_.size()) Grow();
  const uint32_t slot = free_slot_;
  free_slot_ = slots_[slot].next_free;
  ++slots_[slot].generation;  // odd: live
  SiftUp(heap_size_++, Entry{time, next_sequence_++, slot});
  return slot;
}

void Scheduler::CancelLive(uint32_t slot) {
  Slot& s = slots_[slot];
  ++s.generation;
  s.callback = nullptr;
  RemoveAt(heap_index_[slot]);
  FreeSlot(slot);
}

void Scheduler::FreeSlot(uint32_t slot) {
  slots_[slot].next_free = free_slot_;
  free_slot_ = slot;
}

// PopDue and RunEntry are inline: with the run loops below they are the simulation's inner
// loop.
inline bool Scheduler::PopDue(TimeNs end, Entry* entry) {
  if (heap_size_ == 0 || heap_[0].time > end) return false;
  *entry = heap_[0];
  RemoveAt(0);
  return true;
}

inline void Scheduler::RunEntry(const Entry& entry) {
  Slot& s = slots_[entry.slot];
  ++s.generation;
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
