#pragma once
// RecordQueue: a FIFO of variable-size byte records in a caller's buffer. Each record is
// contiguous, so it is built in place (a ByteBuilder over Reserve()) and handed out as one
// span (Front()): no staging copy on the way in or out. The Stack keeps its receive queue
// (messages of 0..1470 bytes) and its transmit queue (encoded frames) in these; an array of
// slots sized for the largest record would hold a tenth as many of the short messages
// ESP-NOW mostly carries, and MicroPython's own receive buffer (rxbuf) is counted in bytes.
//
// Layout: records are [length: 2 bytes LE][bytes], oldest at head_. A record that does not
// fit before the end of the buffer starts at offset 0 instead, and the bytes after the last
// record before the wrap (from wrap_at_) are skipped. Not thread-safe.

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/base/assert.h"
#include "core/base/bytes.h"
#include "core/base/result.h"

namespace airlab::espnow {

class RecordQueue {
 public:
  static constexpr size_t kLengthSize = 2;
  static constexpr size_t kMaxRecordSize = 0xffff;

  explicit RecordQueue(MutableByteSpan buffer) : buffer_(buffer), limit_(buffer.size()) {}
  RecordQueue(const RecordQueue&) = delete;
  RecordQueue& operator=(const RecordQueue&) = delete;

  // Space for a record of `size` bytes, to fill in place before Commit().
  // kResourceExhausted when it does not fit: no contiguous room, or used_bytes() would
  // pass limit(). The queue does not change until Commit(); a later Reserve() replaces
  // this one.
  Result<MutableByteSpan> Reserve(size_t size) {
    reserved_ = false;
    const size_t need = kLengthSize + size;
    if (size > kMaxRecordSize || used_ + need > limit_) return Status::ResourceExhausted();
    if (!wrapped_ && buffer_.size() - tail_ >= need) {
      reserve_at_ = tail_;
    } else if (!wrapped_ && head_ >= need) {
      reserve_at_ = 0;  // wrap: the records before it end at tail_
    } else if (wrapped_ && head_ - tail_ >= need) {
      reserve_at_ = tail_;
    } else {
      return Status::ResourceExhausted();
    }
    reserved_ = true;
    reserved_size_ = size;
    return buffer_.subspan(reserve_at_ + kLengthSize, size);
  }

  // Appends the record reserved last, cut to its first `size` bytes.
  void Commit(size_t size) {
    AIRLAB_ASSERT(reserved_ && size <= reserved_size_);
    reserved_ = false;
    if (reserve_at_ != tail_) {
      wrap_at_ = tail_;
      wrapped_ = true;
      tail_ = 0;
    }
    store_le16(buffer_, tail_, static_cast<uint16_t>(size));
    tail_ += kLengthSize + size;
    used_ += kLengthSize + size;
    ++count_;
  }

  // Reserve() and Commit() of a copy of `record`; kResourceExhausted when it does not fit.
  Status Push(ByteSpan record) {
    AIRLAB_TRY_ASSIGN(MutableByteSpan room, Reserve(record.size()));
    if (!record.empty()) std::memcpy(room.data(), record.data(), record.size());
    Commit(record.size());
    return Status::Ok();
  }

  // The oldest record; valid until it is popped. The queue must not be empty.
  ByteSpan Front() const {
    AIRLAB_ASSERT(count_ > 0);
    return buffer_.subspan(head_ + kLengthSize, load_le16(buffer_, head_));
  }
  MutableByteSpan MutableFront() {
    AIRLAB_ASSERT(count_ > 0);
    return buffer_.subspan(head_ + kLengthSize, load_le16(buffer_, head_));
  }

  void Pop() {
    AIRLAB_ASSERT(count_ > 0);
    const size_t record = kLengthSize + load_le16(buffer_, head_);
    head_ += record;
    used_ -= record;
    if (--count_ == 0) {
      Clear();  // start over at offset 0: the most contiguous room
    } else if (wrapped_ && head_ == wrap_at_) {
      head_ = 0;
      wrapped_ = false;
    }
  }

  void Clear() {
    head_ = tail_ = wrap_at_ = count_ = used_ = 0;
    wrapped_ = false;
    reserved_ = false;
  }

  bool empty() const { return count_ == 0; }
  size_t count() const { return count_; }
  // Bytes the records take, length prefixes included (the skipped end of a wrap is not).
  size_t used_bytes() const { return used_; }
  size_t capacity() const { return buffer_.size(); }
  size_t limit() const { return limit_; }
  // Records that would make used_bytes() pass `limit` are refused from now on; the
  // records already queued stay. `limit` must not exceed capacity().
  void set_limit(size_t limit) {
    AIRLAB_ASSERT(limit <= buffer_.size());
    limit_ = limit;
  }

  // The state after the records pushed so far, to undo a batch of pushes that did not all
  // fit. Valid as long as nothing is popped.
  struct Checkpoint {
    size_t tail, wrap_at, count, used;
    bool wrapped;
  };
  Checkpoint checkpoint() const { return {tail_, wrap_at_, count_, used_, wrapped_}; }
  void Rollback(const Checkpoint& c) {
    AIRLAB_ASSERT(c.count <= count_);
    tail_ = c.tail;
    wrap_at_ = c.wrap_at;
    count_ = c.count;
    used_ = c.used;
    wrapped_ = c.wrapped;
    reserved_ = false;
    if (count_ == 0) Clear();
  }

 private:
  MutableByteSpan buffer_;
  size_t limit_;
  size_t head_ = 0;     // the oldest record
  size_t tail_ = 0;     // where the next record goes when it fits there
  size_t wrap_at_ = 0;  // when wrapped_: the end of the records before the wrap
  size_t count_ = 0;
  size_t used_ = 0;
  bool wrapped_ = false;  // records run from head_ to wrap_at_, then from 0 to tail_
  bool reserved_ = false;
  size_t reserve_at_ = 0;
  size_t reserved_size_ = 0;
};

}  // namespace airlab::espnow
