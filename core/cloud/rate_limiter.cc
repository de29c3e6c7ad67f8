#include "core/cloud/rate_limiter.h"

namespace airlab::cloud {

size_t RateLimiter::IndexOf(uint32_t channel_id) const {
  for (size_t i = 0; i < kCapacity; ++i) {
    if (slots_[i].channel_id == channel_id && channel_id != 0) return i;
  }
  return kCapacity;
}

const RateLimiter::Slot* RateLimiter::Find(uint32_t channel_id) const {
  size_t i = IndexOf(channel_id);
  return i < kCapacity ? &slots_[i] : nullptr;
}

RateLimiter::Slot* RateLimiter::Take(uint32_t channel_id) {
  if (size_t i = IndexOf(channel_id); i < kCapacity) return &slots_[i];
  Slot* victim = nullptr;
  for (Slot& slot : slots_) {
    if (slot.channel_id == 0) {
      victim = &slot;
      break;
    }
    if (!slot.own_interval && (victim == nullptr || slot.last_write < victim->last_write)) {
      victim = &slot;
    }
  }
  if (victim != nullptr) *victim = Slot{channel_id};
  return victim;
}

Status RateLimiter::SetInterval(uint32_t channel_id, port::TimeNs interval) {
  if (channel_id == 0 || interval < 0) return Status::InvalidArgument();
  Slot* slot = Take(channel_id);
  if (slot == nullptr) return Status::ResourceExhausted();
  slot->own_interval = true;
  slot->interval = interval;
  return Status::Ok();
}

port::TimeNs RateLimiter::interval(uint32_t channel_id) const {
  const Slot* slot = Find(channel_id);
  port::TimeNs interval =
      slot != nullptr && slot->own_interval ? slot->interval : default_interval_;
  return interval < 0 ? 0 : interval;
}

port::TimeNs RateLimiter::NextWriteAt(uint32_t channel_id) const {
  const Slot* slot = Find(channel_id);
  if (slot == nullptr || slot->last_write == kNever) return kNever;
  return slot->last_write + interval(channel_id);
}

void RateLimiter::RecordWrite(uint32_t channel_id, port::TimeNs now) {
  if (channel_id == 0) return;
  Slot* slot = Take(channel_id);
  // Every slot has an interval of its own and this channel has none: its writes go
  // unrecorded, which at worst costs a refused write.
  if (slot == nullptr) return;
  if (slot->last_write == kNever || now > slot->last_write) slot->last_write = now;
}

}  // namespace airlab::cloud
