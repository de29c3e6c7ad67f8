#include "core/cloud/thingspeak.h"

#include <algorithm>

#include "core/cloud/text.h"

namespace airlab::cloud {
namespace {

// What a failed exchange means in thingspeak-arduino's terms.
ErrorCode TransportCode(Status status) {
  switch (status.code()) {
    case Status::Code::kUnavailable:
    case Status::Code::kPermissionDenied: return ErrorCode::kConnectFailed;
    case Status::Code::kDeadlineExceeded: return ErrorCode::kTimeout;
    case Status::Code::kDataLoss:
    case Status::Code::kResourceExhausted: return ErrorCode::kBadAnswer;
    default: return ErrorCode::kUnexpectedFailure;
  }
}

// Whether a write may have reached the server although no good answer came: then it
// counts for the rate limit. Only a connection that never came up rules that out.
bool MayHaveArrived(Status transport) {
  return transport != Status::Unavailable() && transport != Status::PermissionDenied();
}

}  // namespace

ThingSpeak::ThingSpeak(port::Uplink& uplink, const port::Clock& clock, ThingSpeakListener& listener,
                       MutableByteSpan request_storage, MutableByteSpan answer_storage,
                       const ThingSpeakOptions& options)
    : uplink_(uplink),
      clock_(clock),
      listener_(listener),
      request_storage_(request_storage),
      answer_storage_(answer_storage),
      options_(options) {}

Status ThingSpeak::Claim() {
  bool expected = false;
  if (!busy_.compare_exchange_strong(expected, true, std::memory_order_acquire)) {
    return Status::FailedPrecondition();
  }
  return Status::Ok();
}

Status ThingSpeak::Update(uint32_t channel_id, std::string_view write_key, const Entry& entry,
                          uint32_t tag) {
  if (channel_id == 0) return Status::InvalidArgument();
  AIRLAB_TRY(Claim());
  Status status = [&]() -> Status {
    if (!limiter_.MayWrite(channel_id, clock_.Now())) return Status::ResourceExhausted();
    WriteOptions write{options_.update_method, options_.key_in_header};
    AIRLAB_TRY_ASSIGN(port::HttpRequest request,
                      BuildUpdate(request_storage_, write_key, entry, write));
    return Send(request, {Operation::kUpdate, ReadKind::kFeed, channel_id, tag, 0, write_key});
  }();
  if (!status.ok()) busy_.store(false, std::memory_order_release);
  return status;
}

Result<size_t> ThingSpeak::BulkUpdate(uint32_t channel_id, std::string_view write_key,
                                      BulkSource& source, const BulkOptions& options,
                                      uint32_t tag) {
  if (channel_id == 0) return Status::InvalidArgument();
  AIRLAB_TRY(Claim());
  Result<size_t> taken = [&]() -> Result<size_t> {
    if (!limiter_.MayWrite(channel_id, clock_.Now())) return Status::ResourceExhausted();
    AIRLAB_TRY_ASSIGN(BulkRequest bulk,
                      BuildBulkUpdate(request_storage_, channel_id, write_key, source, options));
    // The key is in the body; no header.
    AIRLAB_TRY(Send(bulk.request,
                    {Operation::kBulkUpdate, ReadKind::kFeed, channel_id, tag, bulk.updates, {}}));
    return bulk.updates;
  }();
  if (!taken.ok()) busy_.store(false, std::memory_order_release);
  return taken;
}

Status ThingSpeak::Read(const ReadRequest& read, uint32_t tag) {
  AIRLAB_TRY(Claim());
  Status status = [&]() -> Status {
    ReadRequest built = read;
    built.options.key_in_header = options_.key_in_header;
    AIRLAB_TRY_ASSIGN(port::HttpRequest request, BuildRead(request_storage_, built));
    return Send(request, {Operation::kRead, read.kind, read.channel_id, tag, 0, read.read_key});
  }();
  if (!status.ok()) busy_.store(false, std::memory_order_release);
  return status;
}

Status ThingSpeak::ReadFeeds(uint32_t channel_id, std::string_view read_key,
                             const ReadOptions& options, uint32_t tag) {
  return Read({ReadKind::kFeed, channel_id, 0, read_key, options}, tag);
}

Status ThingSpeak::ReadField(uint32_t channel_id, int field, std::string_view read_key,
                             const ReadOptions& options, uint32_t tag) {
  return Read({ReadKind::kField, channel_id, field, read_key, options}, tag);
}

Status ThingSpeak::ReadLast(uint32_t channel_id, int field, std::string_view read_key,
                            const ReadOptions& options, uint32_t tag) {
  if (field == 0) return Read({ReadKind::kLastEntry, channel_id, 0, read_key, options}, tag);
  return Read({ReadKind::kLastField, channel_id, field, read_key, options}, tag);
}

Status ThingSpeak::Send(port::HttpRequest request, const Pending& pending) {
  pending_ = pending;
  if (options_.key_in_header && !pending.key.empty()) {
    // The transport reads the header later, maybe from another thread, and the caller's key
    // need not live that long: it goes into the request storage after target and body.
    auto end_of = [this](const void* p, size_t n) {
      return static_cast<size_t>(static_cast<const std::byte*>(p) + n - request_storage_.data());
    };
    size_t used = end_of(request.target.data(), request.target.size());
    if (!request.body.empty())
      used = std::max(used, end_of(request.body.data(), request.body.size()));
    ByteBuilder key(request_storage_.subspan(used));
    AIRLAB_TRY(AppendText(key, pending.key).status());
    key_header_ = {kApiKeyHeader, ToText(key.bytes())};
    request.headers = {&key_header_, 1};
  }
  request.answer = answer_storage_;
  request.listener = this;
  request.tag = ++sequence_;
  return uplink_.Send(request);
}

void ThingSpeak::OnHttpDone(const port::HttpAnswer& answer) {
  if (!busy() || answer.tag != sequence_) return;  // not ours: a transport bug
  Completion done;
  done.operation = pending_.operation;
  done.read_kind = pending_.read_kind;
  done.channel_id = pending_.channel_id;
  done.tag = pending_.tag;
  done.updates = pending_.updates;
  done.transport = answer.status;
  done.http_status = answer.http_status;
  done.body = ToText(answer.body);
  if (!answer.status.ok()) {
    done.code = TransportCode(answer.status);
  } else {
    done.code = AnswerCode(answer.http_status, done.body);
    if (done.code == ErrorCode::kOk) ReadAnswer(done);
  }
  if (done.operation != Operation::kRead && MayHaveArrived(answer.status)) {
    limiter_.RecordWrite(done.channel_id, clock_.Now());
  }
  busy_.store(false, std::memory_order_release);
  listener_.OnDone(done);
}

void ThingSpeak::ReadAnswer(Completion& done) const {
  Status status;
  switch (done.operation) {
    case Operation::kUpdate: {
      Result<int64_t> id = ParseUpdateAnswer(done.body);
      done.entry_id = id.value_or(0);
      status = id.status();
      break;
    }
    case Operation::kBulkUpdate: status = ParseBulkAnswer(done.body); break;
    case Operation::kRead:
      switch (done.read_kind) {
        case ReadKind::kFeed:
        case ReadKind::kField:
        case ReadKind::kStatus: {
          Result<FeedView> feed = ParseFeed(done.body);
          if (feed.ok()) done.feed = *feed;
          status = feed.status();
          break;
        }
        case ReadKind::kLastField:
        case ReadKind::kLastEntry: {
          Result<EntryView> entry = ParseEntry(done.body);
          if (entry.ok()) done.entry = *entry;
          status = entry.status();
          break;
        }
        case ReadKind::kLastFieldText: done.value = done.body; break;
      }
      break;
  }
  // kResourceExhausted: "0" [-401]; kPermissionDenied: "-1" [401]; kDataLoss [-303].
  done.code = FromStatus(status);
}

}  // namespace airlab::cloud
