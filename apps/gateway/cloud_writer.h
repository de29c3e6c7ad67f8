#pragma once
// The uplink's state machine: the oldest queued readings go to the channel as bulk
// updates within its rate limit, and leave the durable queue only once the cloud took
// them; after every start and every ambiguous outcome (a timeout, a broken connection, a
// 5xx, a 409) the channel is read back first and what is already there leaves the queue
// (status_tag.h says how it is recognised).
//
//   idle --(read-back due, retry time reached)--> kReconcile --answer--> idle
//   idle --(readings queued, rate limit allows)--> kBulk --answer--> idle
//
// Outcomes: a refusal for the rate limit (429, "0") waits for the limiter; other failures
// back off (retry_min doubling up to retry_max). Nothing is dropped for the cloud's sake:
// a key or a channel the cloud refuses (401, 404) is said once (kCloudRefused) and tried
// again with back-off. Only records that cannot be posted at all (corrupt) go.
//
// Calling context: the gateway's, but for the ThingSpeak client's completion, which may
// come from the uplink's context: it only fills an inbox that TakeAnswer empties.

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "apps/gateway/event_sink.h"
#include "apps/gateway/gateway_types.h"
#include "apps/gateway/node_table.h"
#include "apps/gateway/status_tag.h"
#include "core/base/status.h"
#include "core/cloud/thingspeak.h"
#include "core/port/clock.h"
#include "core/port/durable_queue.h"
#include "core/port/rng.h"
#include "core/port/uplink.h"

namespace airlab::apps {

class CloudWriter final : private cloud::ThingSpeakListener {
 public:
  // References must outlive the writer. `wall_clock`: the cloud's time (created_at, rate
  // limit); the `now` arguments are the gateway's clock.
  CloudWriter(port::Uplink& uplink, const port::Clock& wall_clock, port::DurableQueue& queue,
              port::Rng& rng, NodeTable& nodes, const GatewayMemory& memory,
              const GatewayConfig& config, GatewayStats& stats, const EventSink& events);

  // Reads the queue's count and incarnation (drawing one for a new queue) and makes the
  // status tags. kUnavailable: the durable queue failed. Then the first step reads back.
  Status Start();
  // Takes in a completion the uplink handed over, if there is one.
  void TakeAnswer(port::TimeNs now);
  // Starts a read-back or a bulk update when one is due.
  void Step(port::TimeNs now);
  // When Step (or TakeAnswer) has something to do next; port::kForever: nothing.
  port::TimeNs NextDeadline(port::TimeNs now);

  bool in_flight() const { return op_ != Op::kNone; }
  bool bulk_in_flight() const { return op_ == Op::kBulk; }
  const StatusTag& tag() const { return tag_; }

 private:
  enum class Op : uint8_t { kNone, kBulk, kReconcile };
  // Completions copied from the uplink's context.
  struct Inbox {
    std::atomic<bool> ready{false};
    cloud::ErrorCode code = cloud::ErrorCode::kOk;
    Status transport;
    bool tag_found = false;
    uint64_t tag_id = 0;
    int64_t newest_time_s = -1;
    uint16_t fields = 0;  // bit n: the channel has field n
  };
  // What the bulk update on its way carries.
  struct Batch {
    uint64_t first_id = 0;
    uint64_t last_id = 0;
    uint64_t records = 0;
    size_t entries = 0;
    int64_t last_time_s = 0;
  };
  class BatchSource;

  void OnDone(const cloud::Completion& done) override;  // the uplink's context
  void ReadFeed(const cloud::FeedView& feed);           // into the inbox
  Status LoadIncarnation();
  void TakeReadBack(const Inbox& in, port::TimeNs now);
  void TakeBulkAnswer(const Inbox& in, port::TimeNs now);
  void StartBulk(port::TimeNs now);
  void StartReconcile(port::TimeNs now);
  void BackOff(port::TimeNs now);
  // Removes the readings up to `id` from the durable queue; returns how many went.
  uint64_t RemoveThrough(uint64_t id, port::TimeNs now);

  cloud::ThingSpeak client_;
  const port::Clock& wall_clock_;
  port::DurableQueue& queue_;
  port::Rng& rng_;
  NodeTable& nodes_;
  const GatewayMemory& memory_;
  const GatewayConfig& config_;
  GatewayStats& stats_;
  const EventSink& events_;
  StatusTag tag_;  // set by Start, read from the uplink's context

  Op op_ = Op::kNone;
  bool reconcile_needed_ = true;
  uint16_t reconcile_results_ = 0;
  size_t max_updates_ = 0;
  port::TimeNs retry_at_ = 0;
  port::TimeNs backoff_ = 0;
  int64_t last_time_s_ = 0;    // the newest created_at in the channel we know of
  bool refusal_said_ = false;  // kCloudRefused was emitted; again only after a success
  Batch batch_;
  Inbox inbox_;
};

}  // namespace airlab::apps
