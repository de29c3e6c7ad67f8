#pragma once
// The node's readings waiting for the gateway's confirmation: a bounded FIFO in the
// caller's storage, each reading numbered in this boot's sequence (1, 2, ...) as it is
// queued. Only the oldest is ever sent, so readings are stored in order and a
// confirmation names exactly one of them.

#include <cstddef>
#include <cstdint>

#include "core/base/bytes.h"
#include "core/base/result.h"
#include "core/espnow/record_queue.h"

namespace airlab::apps {

struct QueuedReading {
  uint32_t sequence = 0;
  ByteSpan value;  // valid until the reading is popped
};

class ReadingQueue {
 public:
  // Each reading takes its value plus kOverhead bytes of `storage`.
  static constexpr size_t kOverhead = espnow::RecordQueue::kLengthSize + 4;

  explicit ReadingQueue(MutableByteSpan storage) : queue_(storage) {}

  // Queues a copy of `value` and returns its sequence number. kResourceExhausted: no room
  // (nothing queued, no number used).
  Result<uint32_t> Push(ByteSpan value);
  // The oldest reading; the queue must not be empty.
  QueuedReading Front() const;
  void Pop() { queue_.Pop(); }

  bool empty() const { return queue_.empty(); }
  size_t count() const { return queue_.count(); }

 private:
  espnow::RecordQueue queue_;
  uint32_t next_sequence_ = 1;
};

}  // namespace airlab::apps
