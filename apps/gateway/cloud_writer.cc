#include "apps/gateway/cloud_writer.h"

#include <algorithm>
#include <array>

#include "apps/common/utc_time.h"
#include "apps/gateway/record_codec.h"
#include "core/cloud/answers.h"
#include "core/cloud/bulk.h"
#include "core/cloud/entry.h"
#include "core/port/waiter.h"  // kForever

namespace airlab::apps {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

// Turns the oldest queued readings into bulk-update entries: one per second of created_at
// at most, readings of different fields within a second sharing one, each entry tagged
// with the id of its last reading.
class CloudWriter::BatchSource final : public cloud::BulkSource {
 public:
  BatchSource(const StatusTag& tag, std::span<const port::QueuedRecord> records,
              std::span<GatewayBatchEntry> entries, int64_t last_time_s)
      : tag_(tag), records_(records), entries_(entries), last_time_s_(last_time_s) {}

  bool Next(cloud::BulkEntry& update) override {
    if (count_ >= entries_.size()) return false;
    update = {};
    GatewayBatchEntry made;
    uint32_t fields_used = 0;
    for (; next_ < records_.size(); ++next_) {
      Result<RecordView> r = ParseRecord(records_[next_].data);
      if (!r.ok() || !UsableValue(r->field, r->value)) continue;  // removed with the entry after it
      const int64_t record_s = FloorDiv(r->time_ms, 1000);
      const uint32_t bit = 1u << r->field;
      if (made.records == 0) {
        made.time_s = std::max(record_s, last_time_s_ + 1);
      } else if ((fields_used & bit) != 0 || record_s > made.time_s) {
        break;
      }
      update.entry.SetField(r->field, AsText(r->value)).IgnoreError();  // checked above
      fields_used |= bit;
      made.last_id = records_[next_].id;
      ++made.records;
    }
    if (made.records == 0) return false;
    Result<std::string_view> created = FormatUtc(made.time_s, created_at_);
    if (!created.ok()) return false;
    update.entry.SetCreatedAt(*created).IgnoreError();
    const size_t tag_size = tag_.Write(made.last_id, status_);
    update.entry.SetStatus(std::string_view(status_.data(), tag_size)).IgnoreError();
    entries_[count_++] = made;
    last_time_s_ = made.time_s;
    return true;
  }

  size_t count() const { return count_; }

 private:
  const StatusTag& tag_;
  std::span<const port::QueuedRecord> records_;
  std::span<GatewayBatchEntry> entries_;
  int64_t last_time_s_;
  size_t next_ = 0;
  size_t count_ = 0;
  // The writer copies each entry before asking for the next, so one of each suffices.
  std::array<char, kUtcTextSize> created_at_{};
  std::array<char, 96> status_{};
};

CloudWriter::CloudWriter(port::Uplink& uplink, const port::Clock& wall_clock,
                         port::DurableQueue& queue, port::Rng& rng, NodeTable& nodes,
                         const GatewayMemory& memory, const GatewayConfig& config,
                         GatewayStats& stats, const EventSink& events)
    // The cloud's rate limit runs on the cloud's time: the wall clock, which on a sped-up
    // air is not the gateway's clock.
    : client_(uplink, wall_clock, *this, memory.write_request, memory.write_answer),
      wall_clock_(wall_clock),
      queue_(queue),
      rng_(rng),
      nodes_(nodes),
      memory_(memory),
      config_(config),
      stats_(stats),
      events_(events) {}

Status CloudWriter::Start() {
  Result<uint64_t> count = queue_.Count();
  if (!count.ok()) return Status::Unavailable();
  stats_.queued = *count;
  AIRLAB_TRY(LoadIncarnation());
  client_.limiter().set_default_interval(config_.write_interval);
  max_updates_ = std::min(config_.max_updates, cloud::kMaxBulkUpdates);
  reconcile_needed_ = true;
  reconcile_results_ = config_.reconcile_results;
  return Status::Ok();
}

Status CloudWriter::LoadIncarnation() {
  uint32_t incarnation = 0;
  Result<uint64_t> stored = queue_.GetMark(kIncarnationMark);
  if (stored.ok()) {
    incarnation = static_cast<uint32_t>(*stored);
  } else if (stored.status() == Status::NotFound()) {
    // Tags name the queue's incarnation, so a new queue (ids from 1 again) never takes a
    // tag of an old one for its own.
    do {
      incarnation = rng_.NextU32();
    } while (incarnation == 0);
    const port::Mark mark{kIncarnationMark, incarnation};
    if (!queue_.Commit({{}, 0, {&mark, 1}}).ok()) return Status::Unavailable();
  } else {
    return Status::Unavailable();
  }
  tag_.Set(config_.name, incarnation);
  return Status::Ok();
}

void CloudWriter::OnDone(const cloud::Completion& done) {
  // The uplink's context: only the inbox is touched.
  Inbox& in = inbox_;
  in.code = done.code;
  in.transport = done.transport;
  in.tag_found = false;
  in.tag_id = 0;
  in.newest_time_s = -1;
  in.fields = kAllFields;
  if (done.operation == cloud::Operation::kRead && done.code == cloud::ErrorCode::kOk)
    ReadFeed(done.feed);
  in.ready.store(true, std::memory_order_release);
}

void CloudWriter::ReadFeed(const cloud::FeedView& feed) {
  Inbox& in = inbox_;
  // The fields the channel has: ThingSpeak drops values for the others without a word.
  const cloud::ChannelView channel = feed.channel();
  if (!channel.empty()) {
    in.fields = 0;
    for (int field = 1; field <= cloud::kFieldCount; ++field) {
      if (channel.field_name(field).present()) in.fields |= static_cast<uint16_t>(1u << field);
    }
  }
  std::array<char, 128> text;
  for (cloud::EntryView entry : feed.entries()) {
    StatusWithSize n = entry.created_at().CopyTo(AsWritableBytes(text.data(), text.size()));
    if (n.ok()) {
      Result<int64_t> t = ParseUtc(std::string_view(text.data(), n.size()));
      if (t.ok() && *t > in.newest_time_s) in.newest_time_s = *t;
    }
    n = entry.status().CopyTo(AsWritableBytes(text.data(), text.size()));
    if (!n.ok()) continue;
    Result<uint64_t> id = tag_.Match(std::string_view(text.data(), n.size()));
    if (id.ok() && *id >= in.tag_id) {
      in.tag_found = true;
      in.tag_id = *id;
    }
  }
}

void CloudWriter::TakeAnswer(port::TimeNs now) {
  if (!inbox_.ready.load(std::memory_order_acquire)) return;
  const Op op = op_;
  op_ = Op::kNone;
  if (op == Op::kReconcile) {
    TakeReadBack(inbox_, now);
  } else if (op == Op::kBulk) {
    TakeBulkAnswer(inbox_, now);
  }
  inbox_.ready.store(false, std::memory_order_relaxed);
}

void CloudWriter::TakeReadBack(const Inbox& in, port::TimeNs now) {
  using cloud::ErrorCode;
  if (in.code == ErrorCode::kOk) {
    ++stats_.reconciles;
    backoff_ = 0;
    nodes_.LearnFields(in.fields, now);
    last_time_s_ = std::max(last_time_s_, in.newest_time_s);
    reconcile_needed_ = false;
    // RemoveThrough asks for another read-back if the durable queue fails.
    const uint64_t removed = in.tag_found ? RemoveThrough(in.tag_id, now) : 0;
    stats_.reconciled += removed;
    events_.Emit({.kind = GatewayEventKind::kReconciled,
                  .time = now,
                  .id = in.tag_found ? in.tag_id : 0,
                  .count = removed,
                  .code = in.code,
                  .status = in.transport});
    return;
  }
  ++stats_.uplink_errors;
  events_.Emit({.kind = GatewayEventKind::kUplinkError,
                .time = now,
                .code = in.code,
                .status = in.transport});
  if (in.code == ErrorCode::kBadAnswer && in.transport.ok()) {
    // Most likely the feed did not fit the answer buffer: ask for fewer entries.
    reconcile_results_ = std::max<uint16_t>(1, reconcile_results_ / 2);
  } else if (in.code == ErrorCode::kAuthRequired || in.code == ErrorCode::kNotFound ||
             in.code == ErrorCode::kBadRequest) {
    // The channel cannot be read back (ThingSpeak wants the read key of a private
    // channel): carry on; what was in doubt may then arrive twice, never not at all.
    // Its fields are not known either: all eight are assumed.
    reconcile_needed_ = false;
    nodes_.LearnFields(kAllFields, now);
  }
  BackOff(now);
}

void CloudWriter::TakeBulkAnswer(const Inbox& in, port::TimeNs now) {
  using cloud::ErrorCode;
  const ErrorCode code = in.code;
  if (code == ErrorCode::kOk) {
    backoff_ = 0;
    refusal_said_ = false;
    RemoveThrough(batch_.last_id, now);
    last_time_s_ = std::max(last_time_s_, batch_.last_time_s);
    stats_.posted += batch_.records;
    stats_.entries += batch_.entries;
    events_.Emit({.kind = GatewayEventKind::kPosted,
                  .time = now,
                  .id = batch_.last_id,
                  .first_id = batch_.first_id,
                  .count = batch_.records,
                  .entries = batch_.entries});
    return;
  }
  if (code == ErrorCode::kNotInserted || code == ErrorCode::kTooManyRequests) {
    // Refused for the rate limit: nothing was written. The limiter has noted the answer,
    // so the next try waits a whole interval.
    ++stats_.write_refused;
    events_.Emit({.kind = GatewayEventKind::kWriteRefused,
                  .time = now,
                  .code = code,
                  .status = in.transport});
    retry_at_ = now + config_.retry_min;
    return;
  }
  if ((code == ErrorCode::kAuthRequired || code == ErrorCode::kNotFound) && !refusal_said_) {
    // A key or channel the cloud refuses: keep the data, keep trying, say it once (before
    // the error itself, so an observer can tell the error lines that follow are its own).
    refusal_said_ = true;
    events_.Emit({.kind = GatewayEventKind::kCloudRefused,
                  .time = now,
                  .id = config_.channel_id,
                  .code = code});
  }
  ++stats_.uplink_errors;
  events_.Emit(
      {.kind = GatewayEventKind::kUplinkError, .time = now, .code = code, .status = in.transport});
  const int http = static_cast<int>(code);
  if (code == ErrorCode::kTooLarge) {
    max_updates_ = std::max<size_t>(1, batch_.entries / 2);
  } else if (code == ErrorCode::kTimeout || code == ErrorCode::kUnexpectedFailure ||
             code == ErrorCode::kBadAnswer || code == ErrorCode::kConflict || http >= 500) {
    reconcile_needed_ = true;  // it may have been written: look before sending again
  }
  BackOff(now);  // kConnectFailed too: it never reached the server
}

void CloudWriter::BackOff(port::TimeNs now) {
  backoff_ = backoff_ == 0 ? config_.retry_min : std::min(backoff_ * 2, config_.retry_max);
  retry_at_ = now + backoff_;
}

void CloudWriter::Step(port::TimeNs now) {
  if (op_ != Op::kNone || now < retry_at_) return;
  if (reconcile_needed_) {
    StartReconcile(now);
  } else if (stats_.queued > 0 &&
             client_.limiter().MayWrite(config_.channel_id, wall_clock_.Now())) {
    StartBulk(now);
  }
}

void CloudWriter::StartReconcile(port::TimeNs now) {
  cloud::ReadOptions options;
  options.results = reconcile_results_;
  options.status = true;
  op_ = Op::kReconcile;
  const std::string_view key = config_.read_key.empty() ? config_.write_key : config_.read_key;
  if (!client_.ReadFeeds(config_.channel_id, key, options).ok()) {
    op_ = Op::kNone;
    BackOff(now);
  }
}

void CloudWriter::StartBulk(port::TimeNs now) {
  Result<size_t> n = queue_.Read(0, memory_.records, memory_.record_bytes);
  if (!n.ok()) {
    ++stats_.store_errors;
    BackOff(now);
    return;
  }
  if (*n == 0) {
    stats_.queued = 0;
    return;
  }
  const std::span<const port::QueuedRecord> records = memory_.records.first(*n);
  BatchSource source(tag_, records, memory_.entries, last_time_s_);
  cloud::BulkOptions options;
  options.format = cloud::BulkFormat::kJson;
  options.time = cloud::BulkTime::kCreatedAt;
  options.max_updates = max_updates_;
  op_ = Op::kBulk;
  Result<size_t> taken = client_.BulkUpdate(config_.channel_id, config_.write_key, source, options);
  if (!taken.ok()) {
    op_ = Op::kNone;
    if (source.count() == 0) {
      RemoveThrough(records.back().id, now);  // not one reading the cloud would take: they go
    } else {
      BackOff(now);
    }
    return;
  }
  ++stats_.bulk_requests;
  const std::span<const GatewayBatchEntry> entries = memory_.entries.first(*taken);
  batch_ = {records.front().id, entries.back().last_id, 0, *taken, entries.back().time_s};
  for (const GatewayBatchEntry& e : entries) batch_.records += e.records;
}

uint64_t CloudWriter::RemoveThrough(uint64_t id, port::TimeNs now) {
  const uint64_t before = stats_.queued;
  Result<uint64_t> r = queue_.Commit({{}, id, {}});
  Result<uint64_t> count = r.ok() ? queue_.Count() : Result<uint64_t>(r.status());
  if (!count.ok()) {
    ++stats_.store_errors;
    reconcile_needed_ = true;  // what the cloud has may still be queued: look before posting
    events_.Emit({.kind = GatewayEventKind::kStoreError, .time = now, .status = count.status()});
    return 0;
  }
  stats_.queued = *count;
  return before > *count ? before - *count : 0;
}

port::TimeNs CloudWriter::NextDeadline(port::TimeNs now) {
  if (op_ != Op::kNone) return now + config_.uplink_check_interval;  // look for the answer
  if (reconcile_needed_) return retry_at_;
  if (stats_.queued == 0) return port::kForever;
  // The limiter counts wall time; the timer, the gateway's. Where the two run at different
  // speeds (a sped-up air) the timer may fire early: then it waits again.
  const port::TimeNs next = client_.limiter().NextWriteAt(config_.channel_id);
  const port::TimeNs wait = next == cloud::RateLimiter::kNever ? 0 : next - wall_clock_.Now();
  return std::max(retry_at_, wait > 0 ? now + std::max(wait, config_.uplink_check_interval) : now);
}

}  // namespace airlab::apps
