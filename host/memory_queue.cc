#include "host/memory_queue.h"

#include <cstring>

namespace airlab::host {

Result<uint64_t> MemoryQueue::DoCommit(const port::QueueChange& change) {
  if (fail_commits) return Status::Unavailable();
  const uint64_t first = next_id_;
  for (ByteSpan record : change.append) {
    records_.emplace(next_id_++, std::vector<std::byte>(record.begin(), record.end()));
  }
  if (change.remove_through != 0) {
    records_.erase(records_.begin(), records_.upper_bound(change.remove_through));
  }
  for (const port::Mark& mark : change.marks) marks_[mark.key] = mark.value;
  ++commits_;
  return first;
}

Result<size_t> MemoryQueue::DoRead(uint64_t after, std::span<port::QueuedRecord> out,
                                   MutableByteSpan storage) {
  size_t n = 0, used = 0;
  for (auto it = records_.upper_bound(after); it != records_.end() && n < out.size(); ++it) {
    const std::vector<std::byte>& data = it->second;
    if (data.size() > storage.size() - used) {
      if (n == 0) return Status::ResourceExhausted();
      break;
    }
    if (!data.empty()) std::memcpy(storage.data() + used, data.data(), data.size());
    out[n++] = {it->first, ByteSpan(storage.data() + used, data.size())};
    used += data.size();
  }
  return n;
}

Result<uint64_t> MemoryQueue::DoGetMark(uint64_t key) {
  auto it = marks_.find(key);
  if (it == marks_.end()) return Status::NotFound();
  return it->second;
}

Result<size_t> MemoryQueue::DoReadMarks(uint64_t first, uint64_t last, std::span<port::Mark> out) {
  size_t n = 0;
  for (auto it = marks_.lower_bound(first);
       it != marks_.end() && it->first <= last && n < out.size(); ++it) {
    out[n++] = {it->first, it->second};
  }
  return n;
}

}  // namespace airlab::host
