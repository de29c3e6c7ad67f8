#pragma once
// The body of a bulk update (POST /channels/<id>/bulk_update.json or .csv), written one
// update at a time into the caller's buffer. It stops cleanly at a byte budget or at the
// update cap: the update that does not fit is left out whole and the body stays complete,
// so the caller sends what was taken and keeps the rest for the next call.
//
//   JSON (MathWorks, "Bulk-Write JSON Data"):
//     {"write_api_key":"K","updates":[{"delta_t":0,"field1":"-70"},{"delta_t":3,...}]}
//   CSV ("Bulk-Write CSV Data"), a form whose updates value is percent-encoded:
//     write_api_key=K&time_format=relative&updates=0,-70|3,-66
//     each update: time,field1,..,field8,latitude,longitude,elevation,status, with the
//     empty columns after the last value left off.
// Field values travel as JSON strings, so their text arrives exactly as given.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/result.h"
#include "core/cloud/entry.h"

namespace airlab::cloud {

// The most updates one bulk update may carry: ThingSpeak's documented cap (for paying
// accounts; free ones get the same) and airlab's ceiling.
inline constexpr size_t kMaxBulkUpdates = 960;

enum class BulkFormat : uint8_t { kJson, kCsv };

// How each update says when it happened.
enum class BulkTime : uint8_t {
  // delta_t / time_format=relative: seconds since the update before. The server puts the
  // last update at its time of arrival and counts back from there. Only the first update
  // may have 0 (ThingSpeak refuses the whole request otherwise).
  kDeltaT,
  // created_at / time_format=absolute: the entry's own created_at, which must be set and
  // unique within the channel.
  kCreatedAt,
};

struct BulkOptions {
  BulkFormat format = BulkFormat::kJson;
  BulkTime time = BulkTime::kDeltaT;
  size_t max_bytes = 0;                  // the body's budget; 0: all of the storage
  size_t max_updates = kMaxBulkUpdates;  // 1..kMaxBulkUpdates
};

struct BulkEntry {
  Entry entry;
  uint32_t delta_t_s = 0;  // BulkTime::kDeltaT only
};

class BulkWriter {
 public:
  // Writes the body's head into `storage`. `write_key` is copied into the body.
  // kInvalidArgument: an empty key or max_updates outside 1..kMaxBulkUpdates.
  // kResourceExhausted: the head and tail alone do not fit the budget.
  static Result<BulkWriter> Start(MutableByteSpan storage, std::string_view write_key,
                                  const BulkOptions& options);

  // Appends one update; on any error the body is left as it was.
  // kResourceExhausted: it does not fit the budget, or max_updates are in already (when
  //   count() is 0 the update alone is too big for this budget).
  // kFailedPrecondition: the entry has no data [-210].
  // kInvalidArgument: BulkTime::kCreatedAt and no created_at, kDeltaT and a delta_t of 0
  //   after the first update, or (CSV) a value holding ',' or '|', which CSV cannot carry.
  Status Add(const BulkEntry& update);

  // Closes the body and returns it (a view of the storage). kFailedPrecondition when no
  // update was added. The writer takes no more updates after this.
  Result<ByteSpan> Finish();

  size_t count() const { return count_; }
  size_t size() const { return size_; }

 private:
  BulkWriter(MutableByteSpan storage, size_t limit, const BulkOptions& options)
      : storage_(storage), limit_(limit), options_(options) {}
  size_t tail_size() const { return options_.format == BulkFormat::kJson ? 2 : 0; }
  Status WriteJson(ByteBuilder& out, const BulkEntry& update) const;
  Status WriteCsv(ByteBuilder& out, const BulkEntry& update) const;

  MutableByteSpan storage_;
  size_t limit_;  // the budget: the body never grows past it
  BulkOptions options_;
  size_t size_ = 0;
  size_t count_ = 0;
  bool finished_ = false;
};

// Where a bulk update's items come from, one at a time: a span, a queue's cursor, a flash
// ring. The writer copies each entry before asking for the next.
class BulkSource {
 public:
  // Fills `update` with the next one and returns true, or returns false at the end.
  virtual bool Next(BulkEntry& update) = 0;

 protected:
  ~BulkSource() = default;
};

// Adds updates from `source` until it ends, the writer is full or an update is refused,
// and returns how many it added. Only when the first update is not taken does it return
// the writer's error instead (kResourceExhausted: it alone exceeds the budget), so a bad
// update is reported once it heads a batch and never hides the good ones before it.
Result<size_t> AddFrom(BulkWriter& writer, BulkSource& source);

}  // namespace airlab::cloud
