#include "platform/sim/scheduler.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/base/assert.h"

namespace airlab::sim {
namespace {

// Min-heap order: earliest time first, then the order of scheduling.
struct Later {
  template <typename E>
  bool operator()(const E& a, const E& b) const {
    return a.time != b.time ? a.time > b.time : a.sequence > b.sequence;
  }
};

}  // namespace

Scheduler::EventId Scheduler::ScheduleAt(TimeNs time, Callback callback) {
  AIRLAB_ASSERT(time >= now_);
  uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  Slot& s = slots_[slot];
  s.callback = std::move(callback);
  s.live = true;
  ++live_;
  heap_.push_back({time, next_sequence_++, slot});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
  return {slot, s.generation};
}

bool Scheduler::IsPending(EventId id) const {
  return id.slot < slots_.size() && slots_[id.slot].generation == id.generation &&
         slots_[id.slot].live;
}

bool Scheduler::Cancel(EventId id) {
  if (!IsPending(id)) return false;
  // The heap entry stays until it comes up; the slot is recycled then.
  Slot& s = slots_[id.slot];
  s.live = false;
  s.callback = nullptr;
  --live_;
  return true;
}

void Scheduler::FreeSlot(uint32_t slot) {
  ++slots_[slot].generation;
  free_slots_.push_back(slot);
}

bool Scheduler::PopDue(TimeNs end, Entry* entry) {
  while (!heap_.empty() && heap_.front().time <= end) {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    *entry = heap_.back();
    heap_.pop_back();
    if (slots_[entry->slot].live) return true;
    FreeSlot(entry->slot);  // cancelled
  }
  return false;
}

void Scheduler::RunEntry(const Entry& entry) {
  Slot& s = slots_[entry.slot];
  Callback callback = std::move(s.callback);
  s.callback = nullptr;
  s.live = false;
  --live_;
  FreeSlot(entry.slot);  // before the call: the callback may schedule into this slot
  now_ = entry.time;
  callback();
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
