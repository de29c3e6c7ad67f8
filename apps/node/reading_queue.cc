#include "apps/node/reading_queue.h"

#include <cstring>

#include "core/base/status.h"

namespace airlab::apps {

Result<uint32_t> ReadingQueue::Push(ByteSpan value) {
  Result<MutableByteSpan> room = queue_.Reserve(4 + value.size());
  if (!room.ok()) return Status::ResourceExhausted();
  const uint32_t sequence = next_sequence_++;
  store_le32(*room, 0, sequence);
  std::memcpy(room->data() + 4, value.data(), value.size());
  queue_.Commit(4 + value.size());
  return sequence;
}

QueuedReading ReadingQueue::Front() const {
  const ByteSpan record = queue_.Front();
  return {load_le32(record, 0), record.subspan(4)};
}

}  // namespace airlab::apps
