#pragma once
// A fixed-capacity hash table over caller-provided storage that keeps its entries in
// least-recently-used order: when full, inserting a new key evicts the entry seen least
// recently. The sniffer's tables use it so an endless capture of ever new addresses keeps
// a bounded, predictable memory footprint and still shows who is active now.
//
// Keys need operator==; Hash is a function object mapping a key to 64 well-mixed bits.
// Values are default-constructed on insert.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/base/assert.h"

namespace airlab::sniff {

template <typename Key, typename Value, typename Hash>
class LruTable {
 public:
  static constexpr uint32_t kNil = UINT32_MAX;

  struct Slot {
    Key key{};
    Value value{};
    uint32_t prev = kNil;   // toward the most recent entry
    uint32_t next = kNil;   // toward the least recent entry; the free list when unused
    uint32_t chain = kNil;  // next slot in the same hash bucket
  };

  // Buckets for `capacity` entries: a power of two, at least twice the capacity, so chains
  // stay short.
  static constexpr size_t BucketCountFor(size_t capacity) {
    return std::bit_ceil(capacity < 1 ? size_t{2} : capacity * 2);
  }

  // `slots` holds the entries (at least one); `buckets` must have
  // BucketCountFor(slots.size()) elements. Both must outlive the table.
  LruTable(std::span<Slot> slots, std::span<uint32_t> buckets) : slots_(slots), buckets_(buckets) {
    AIRLAB_ASSERT(!slots.empty() && slots.size() < kNil);
    AIRLAB_ASSERT(buckets.size() == BucketCountFor(slots.size()));
    Clear();
  }
  LruTable(const LruTable&) = delete;
  LruTable& operator=(const LruTable&) = delete;

  // The entry for `key`, made the most recent; a new default entry when there was none
  // (`*inserted` says which), evicting the least recent entry when the table is full.
  Value& Upsert(const Key& key, bool* inserted) {
    const uint32_t bucket = BucketOf(key);
    for (uint32_t i = buckets_[bucket]; i != kNil; i = slots_[i].chain) {
      if (slots_[i].key == key) {
        MoveToFront(i);
        *inserted = false;
        return slots_[i].value;
      }
    }
    uint32_t i;
    if (free_ != kNil) {
      i = free_;
      free_ = slots_[i].next;
    } else {
      i = tail_;
      Remove(i);
      ++evictions_;
    }
    Slot& slot = slots_[i];
    slot.key = key;
    slot.value = Value{};
    slot.chain = buckets_[bucket];
    buckets_[bucket] = i;
    LinkFront(i);
    ++size_;
    *inserted = true;
    return slot.value;
  }

  // The entry for `key` without changing its recency; nullptr when absent.
  const Value* Find(const Key& key) const {
    for (uint32_t i = buckets_[BucketOf(key)]; i != kNil; i = slots_[i].chain) {
      if (slots_[i].key == key) return &slots_[i].value;
    }
    return nullptr;
  }
  Value* Find(const Key& key) {
    return const_cast<Value*>(static_cast<const LruTable*>(this)->Find(key));
  }

  // Removes least recent entries while `stale(value)` holds; returns how many.
  template <typename Predicate>
  size_t RemoveOldestWhile(Predicate stale) {
    size_t removed = 0;
    while (tail_ != kNil && stale(slots_[tail_].value)) {
      const uint32_t i = tail_;
      Remove(i);
      slots_[i].next = free_;
      free_ = i;
      ++removed;
    }
    return removed;
  }

  // Calls f(key, value) from the most recent entry to the least recent.
  template <typename F>
  void ForEach(F f) const {
    for (uint32_t i = head_; i != kNil; i = slots_[i].next) f(slots_[i].key, slots_[i].value);
  }
  // The same, with the values writable (the order does not change).
  template <typename F>
  void ForEach(F f) {
    for (uint32_t i = head_; i != kNil; i = slots_[i].next) f(slots_[i].key, slots_[i].value);
  }

  void Clear() {
    for (uint32_t& b : buckets_) b = kNil;
    for (size_t i = 0; i < slots_.size(); ++i) {
      slots_[i].next = i + 1 < slots_.size() ? static_cast<uint32_t>(i + 1) : kNil;
    }
    free_ = 0;
    head_ = tail_ = kNil;
    size_ = 0;
  }

  size_t size() const { return size_; }
  size_t capacity() const { return slots_.size(); }
  // Entries pushed out to make room, since construction.
  uint64_t evictions() const { return evictions_; }

 private:
  uint32_t BucketOf(const Key& key) const {
    return static_cast<uint32_t>(Hash{}(key) & (buckets_.size() - 1));
  }

  void LinkFront(uint32_t i) {
    slots_[i].prev = kNil;
    slots_[i].next = head_;
    if (head_ != kNil) slots_[head_].prev = i;
    head_ = i;
    if (tail_ == kNil) tail_ = i;
  }

  void Unlink(uint32_t i) {
    Slot& s = slots_[i];
    (s.prev != kNil ? slots_[s.prev].next : head_) = s.next;
    (s.next != kNil ? slots_[s.next].prev : tail_) = s.prev;
  }

  void MoveToFront(uint32_t i) {
    if (head_ == i) return;
    Unlink(i);
    LinkFront(i);
  }

  // Takes slot i out of its bucket chain and the recency list.
  void Remove(uint32_t i) {
    uint32_t* link = &buckets_[BucketOf(slots_[i].key)];
    while (*link != i) link = &slots_[*link].chain;
    *link = slots_[i].chain;
    Unlink(i);
    --size_;
  }

  std::span<Slot> slots_;
  std::span<uint32_t> buckets_;
  uint32_t head_ = kNil;
  uint32_t tail_ = kNil;
  uint32_t free_ = kNil;
  size_t size_ = 0;
  uint64_t evictions_ = 0;
};

}  // namespace airlab::sniff
