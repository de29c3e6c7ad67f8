#pragma once
// cloud::ThingSpeak: a ThingSpeak client over the port::Uplink. It builds each request into
// its request buffer, hands it to the uplink, and reports the outcome - a typed ErrorCode
// and the parsed answer - to its listener. Writes respect each channel's rate limit: one
// that would come too early is not sent (the data stays with the caller) and limiter()
// says when it may go.
//
//   ThingSpeak ts(uplink, clock, listener, request_buffer, answer_buffer);
//   Entry e;
//   e.SetField(1, "21.5").IgnoreError();
//   ts.Update(channel_id, write_key, e);   // later: listener.OnDone({.entry_id = 18, ...})
//
// One operation at a time: busy() until its completion. Run two clients over one uplink to
// read while a write is on its way.
//
// Calling context: the calls come from the application; OnDone comes from the uplink's
// context (Linux: its worker thread; ESP-IDF: the HTTP task). A call and the completion of
// the operation before it are ordered by the hand-over (busy() turns false only after the
// client is done with the completion's bookkeeping), so the application may start the next
// operation from OnDone or from any thread that saw busy() false. limiter() may be used
// only while not busy, or from OnDone.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/result.h"
#include "core/base/status.h"
#include "core/cloud/answers.h"
#include "core/cloud/bulk.h"
#include "core/cloud/entry.h"
#include "core/cloud/errors.h"
#include "core/cloud/rate_limiter.h"
#include "core/cloud/requests.h"
#include "core/port/clock.h"
#include "core/port/uplink.h"

namespace airlab::cloud {

enum class Operation : uint8_t { kUpdate, kBulkUpdate, kRead };

struct Completion {
  Operation operation = Operation::kUpdate;
  ReadKind read_kind = ReadKind::kFeed;  // kRead only
  uint32_t channel_id = 0;
  uint32_t tag = 0;  // the caller's, from the call
  // kOk, or why not: thingspeak-arduino's codes for what happened on the way (-301 no
  // connection, -302 broken off, -303 an answer that does not parse or did not fit the
  // answer buffer, -304 timeout, -401 an update answered "0"), ThingSpeak's error otherwise
  // (401 no access, 404, 429 bulk rate limit, ...).
  ErrorCode code = ErrorCode::kOk;
  Status transport;      // what the uplink reported (kOk when an answer came)
  int http_status = 0;   // 0 when no answer came
  int64_t entry_id = 0;  // kUpdate: the new entry's id
  size_t updates = 0;    // kBulkUpdate: how many updates the request carried
  FeedView feed;         // kFeed, kField, kStatus
  EntryView entry;       // kLastField, kLastEntry: empty when the channel has no entry yet
  // kLastFieldText: the value as the server sent it. "-1" is ambiguous there (no access,
  // no entry, or a -1 that was written): prefer kLastField.
  std::string_view value;
  std::string_view body;  // the answer's body, as it came
};

class ThingSpeakListener {
 public:
  // Views in `done` (feed, entry, value, body) are valid until this returns, or until an
  // operation started from here gets its answer, whichever is first.
  virtual void OnDone(const Completion& done) = 0;

 protected:
  ~ThingSpeakListener() = default;
};

struct ThingSpeakOptions {
  port::HttpMethod update_method = port::HttpMethod::kPost;
  // Send API keys in the X-THINGSPEAKAPIKEY header, not in URLs and forms (bulk updates
  // keep theirs in the body, where ThingSpeak wants it).
  bool key_in_header = false;
};

class ThingSpeak final : private port::HttpListener {
 public:
  // `request_storage` holds each request (target and body: a few hundred bytes for
  // updates and reads, the budget of a bulk update); `answer_storage` each answer (a feed
  // of N entries takes about 80 bytes per entry and field). Both, and the uplink, clock and
  // listener, must outlive the client; destroy it only when not busy.
  ThingSpeak(port::Uplink& uplink, const port::Clock& clock, ThingSpeakListener& listener,
             MutableByteSpan request_storage, MutableByteSpan answer_storage,
             const ThingSpeakOptions& options = {});
  ThingSpeak(const ThingSpeak&) = delete;
  ThingSpeak& operator=(const ThingSpeak&) = delete;

  bool busy() const { return busy_.load(std::memory_order_acquire); }
  RateLimiter& limiter() { return limiter_; }

  // Each call copies what it needs (keys, values) into the request buffer: the arguments
  // need not outlive the call. It returns kOk when the request is on its way (one OnDone
  // follows), or:
  //   kFailedPrecondition  busy; or (writes) the entry has no data [-210]
  //   kInvalidArgument     channel 0, a field outside 1..8, an empty write key [-201]
  //   kOutOfRange          results over 8000 [-101]
  //   kResourceExhausted   the request does not fit the request buffer; or (writes) the
  //                        channel's rate limit: limiter().NextWriteAt(channel_id) [-401]
  //   and the uplink's Send errors.

  // /update. `channel_id` is the channel `write_key` writes to, for the rate limit.
  Status Update(uint32_t channel_id, std::string_view write_key, const Entry& entry,
                uint32_t tag = 0);

  // bulk_update.json|.csv with as many updates from `source` as fit (options.max_bytes,
  // max_updates and the request buffer); returns how many it took. The caller keeps
  // them until OnDone says kOk, and sends the rest next time. An update the writer refuses
  // (see BulkWriter::Add) ends the batch; it is reported when it comes first.
  Result<size_t> BulkUpdate(uint32_t channel_id, std::string_view write_key, BulkSource& source,
                            const BulkOptions& options = {}, uint32_t tag = 0);

  // Any read of requests.h.
  Status Read(const ReadRequest& read, uint32_t tag = 0);
  // feeds.json.
  Status ReadFeeds(uint32_t channel_id, std::string_view read_key, const ReadOptions& options = {},
                   uint32_t tag = 0);
  // fields/<field>.json.
  Status ReadField(uint32_t channel_id, int field, std::string_view read_key,
                   const ReadOptions& options = {}, uint32_t tag = 0);
  // The newest entry: fields/<field>/last.json, or feeds/last.json for field 0.
  Status ReadLast(uint32_t channel_id, int field, std::string_view read_key,
                  const ReadOptions& options = {}, uint32_t tag = 0);

 private:
  struct Pending {
    Operation operation = Operation::kUpdate;
    ReadKind read_kind = ReadKind::kFeed;
    uint32_t channel_id = 0;
    uint32_t tag = 0;
    size_t updates = 0;
    std::string_view key;  // the caller's key, until Send copies it for the header
  };

  // Claims the client; kFailedPrecondition when busy.
  Status Claim();
  Status Send(port::HttpRequest request, const Pending& pending);
  void OnHttpDone(const port::HttpAnswer& answer) override;
  void ReadAnswer(Completion& done) const;

  port::Uplink& uplink_;
  const port::Clock& clock_;
  ThingSpeakListener& listener_;
  MutableByteSpan request_storage_;
  MutableByteSpan answer_storage_;
  ThingSpeakOptions options_;
  RateLimiter limiter_;
  Pending pending_;
  port::HttpHeader key_header_;
  uint32_t sequence_ = 0;  // the uplink tag of the exchange in flight
  std::atomic<bool> busy_{false};
};

}  // namespace airlab::cloud
