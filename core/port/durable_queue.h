#pragma once
// DurableQueue port: durable storage for a gateway - a FIFO of small records (messages waiting for
// the cloud) and a few named 64-bit values ("marks": per-node sequence numbers, delivery
// state), changed together by atomic commits. What a commit returned kOk for survives a
// crash of the process (and, where the backend says so, of the machine). On Linux,
// linux_port::SqliteQueue (SQLite in WAL mode); on ESP32 a flash ring and NVS later; in tests an
// in-memory one.
//
// Records get ids from 1 in the order they are appended; an id is never reused, even after
// every record was removed, so "everything up to id N" stays meaningful across restarts.
//
// Calling context: one user (the application's thread or task); calls block until done
// (a commit may wait for the disk).

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/base/bytes.h"
#include "core/base/result.h"
#include "core/base/status.h"

namespace airlab::port {

struct Mark {
  uint64_t key = 0;  // below kMaxMarkKey
  uint64_t value = 0;
  friend bool operator==(const Mark&, const Mark&) = default;
};

struct QueuedRecord {
  uint64_t id = 0;
  ByteSpan data;  // in the storage given to Read
};

// One atomic change: all of it happens, or none.
struct QueueChange {
  std::span<const ByteSpan> append;  // new records, in this order
  uint64_t remove_through = 0;       // removes every record with id <= this; 0: none
  std::span<const Mark> marks;       // set (added or replaced)
};

class DurableQueue {
 public:
  // What every backend must hold per record; a gateway's records are far smaller.
  static constexpr size_t kMaxRecordSize = 2048;
  // Mark keys are below 2^63, so backends may keep them as signed 64-bit integers.
  static constexpr uint64_t kMaxMarkKey = uint64_t{1} << 63;

  virtual ~DurableQueue() = default;

  // Applies `change` atomically and durably. Returns the id of the first appended record
  // (the next ones follow it), or with nothing appended the id the next record will get.
  // kInvalidArgument: a record over kMaxRecordSize or a mark key >= kMaxMarkKey.
  // kResourceExhausted: no room for the records (a full flash ring).
  // kUnavailable: the backend failed (disk full, I/O error).
  // After any error nothing changed.
  Result<uint64_t> Commit(const QueueChange& change) {
    for (ByteSpan record : change.append) {
      if (record.size() > kMaxRecordSize) return Status::InvalidArgument();
    }
    for (const Mark& mark : change.marks) {
      if (mark.key >= kMaxMarkKey) return Status::InvalidArgument();
    }
    return DoCommit(change);
  }

  // The oldest records with an id above `after`, at most out.size() of them, their bytes
  // copied into `storage` (valid until the next Read into it). Returns how many; stops
  // early at a record that does not fit what is left of `storage`. kResourceExhausted when
  // not even the first fits; kUnavailable when the backend fails.
  Result<size_t> Read(uint64_t after, std::span<QueuedRecord> out, MutableByteSpan storage) {
    if (out.empty()) return size_t{0};
    return DoRead(after, out, storage);
  }

  // Records held now.
  virtual Result<uint64_t> Count() = 0;

  // A mark's value; kNotFound if it was never set.
  Result<uint64_t> GetMark(uint64_t key) {
    if (key >= kMaxMarkKey) return Status::InvalidArgument();
    return DoGetMark(key);
  }
  // The marks with keys in [first, last], in key order, at most out.size(); returns how
  // many. kUnavailable when the backend fails.
  Result<size_t> ReadMarks(uint64_t first, uint64_t last, std::span<Mark> out) {
    if (first > last || out.empty()) return size_t{0};
    return DoReadMarks(first, last, out);
  }

 protected:
  // Called with arguments already checked.
  virtual Result<uint64_t> DoCommit(const QueueChange& change) = 0;
  virtual Result<size_t> DoRead(uint64_t after, std::span<QueuedRecord> out,
                                MutableByteSpan storage) = 0;
  virtual Result<uint64_t> DoGetMark(uint64_t key) = 0;
  virtual Result<size_t> DoReadMarks(uint64_t first, uint64_t last, std::span<Mark> out) = 0;
};

}  // namespace airlab::port
