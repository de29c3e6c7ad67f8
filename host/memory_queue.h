#pragma once
// MemoryQueue: port::DurableQueue in the process's memory, for the simulated air's tests and
// benchmarks. It survives the gateway object (a test destroys a gateway mid-run and starts
// another on the same store, as a process would restart on its SQLite file), not the
// process. `fail_commits` makes Commit fail, to test what the gateway does then.

#include <cstdint>
#include <map>
#include <vector>

#include "core/port/durable_queue.h"

namespace airlab::host {

class MemoryQueue final : public port::DurableQueue {
 public:
  Result<uint64_t> Count() override { return static_cast<uint64_t>(records_.size()); }

  bool fail_commits = false;
  uint64_t commits() const { return commits_; }

 protected:
  Result<uint64_t> DoCommit(const port::QueueChange& change) override;
  Result<size_t> DoRead(uint64_t after, std::span<port::QueuedRecord> out,
                        MutableByteSpan storage) override;
  Result<uint64_t> DoGetMark(uint64_t key) override;
  Result<size_t> DoReadMarks(uint64_t first, uint64_t last, std::span<port::Mark> out) override;

 private:
  std::map<uint64_t, std::vector<std::byte>> records_;
  std::map<uint64_t, uint64_t> marks_;
  uint64_t next_id_ = 1;
  uint64_t commits_ = 0;
};

}  // namespace airlab::host
