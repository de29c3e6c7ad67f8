#include "apps/gateway/reading_intake.h"

#include <algorithm>
#include <utility>

#include "apps/gateway/record_codec.h"

namespace airlab::apps {

ReadingIntake::ReadingIntake(NodeTable& nodes, port::DurableQueue& queue,
                             const GatewayMemory& memory, bool accept_raw, GatewayStats& stats,
                             const EventSink& events)
    : nodes_(nodes),
      queue_(queue),
      memory_(memory),
      accept_raw_(accept_raw),
      stats_(stats),
      events_(events) {}

bool ReadingIntake::HasRoom() const {
  return records_ < memory_.ingest_records.size() &&
         bytes_ + kMaxRecordSize <= memory_.ingest_bytes.size() &&
         marks_ < memory_.ingest_marks.size();
}

void ReadingIntake::Take(const espnow::ReceivedInfo& info, const Message& message, int64_t wall_ms,
                         port::TimeNs now) {
  switch (message.type) {
    case MessageType::kDiscover:
      if (GatewayNode* node = nodes_.Take(info.src, now)) {
        node->raw = false;
        node->replies.hello_owed = true;
        node->replies.hello_session = message.session;
      }
      return;
    case MessageType::kPing:
      if (GatewayNode* node = nodes_.Take(info.src, now)) node->raw = false;
      return;
    case MessageType::kReading:
    case MessageType::kRaw: TakeReading(info, message, wall_ms, now); return;
    case MessageType::kHello:
    case MessageType::kAck:
    case MessageType::kCommand: return;  // a node's business
  }
}

void ReadingIntake::TakeReading(const espnow::ReceivedInfo& info, const Message& message,
                                int64_t wall_ms, port::TimeNs now) {
  const bool raw = message.type == MessageType::kRaw;
  if (raw && (!accept_raw_ || info.broadcast)) return;
  GatewayNode* node = nodes_.Take(info.src, now);
  if (node == nullptr) return;  // no room: an airlab node re-sends, a lab board's is lost
  node->raw = raw;
  if (!raw) {
    if (Resent(*node, message, now)) return;
    NoteSequence(*node, message);
  }
  const bool usable = nodes_.Accepts(*node) && UsableValue(node->field, message.value);
  if (!raw) {
    node->sequence.last_result = usable ? AckResult::kStored : AckResult::kRejected;
    node->replies.ack_owed = true;
    node->replies.ack_session = message.session;
    node->replies.ack_sequence = message.sequence;
    node->replies.ack_result = node->sequence.last_result;
  }
  if (!usable) {
    Reject(*node, message.value, now);
    return;
  }
  Result<ByteSpan> record = WriteRecord(memory_.ingest_bytes.subspan(bytes_), node->field, info.src,
                                        wall_ms, message.value);
  if (!record.ok()) return;  // cannot happen: HasRoom checked room for the largest
  memory_.ingest_records[records_++] = *record;
  bytes_ += record->size();
}

bool ReadingIntake::Resent(GatewayNode& node, const Message& message, port::TimeNs now) {
  const GatewayNode::SequencePoint& taken = node.sequence.taken;
  if (!taken.has_session || taken.session != message.session || message.sequence > taken.sequence) {
    return false;
  }
  ++stats_.duplicates;
  node.replies.ack_owed = true;
  node.replies.ack_session = taken.session;
  node.replies.ack_sequence = taken.sequence;
  node.replies.ack_result = node.sequence.last_result;
  events_.Emit({.kind = GatewayEventKind::kDuplicate,
                .time = now,
                .node = node.mac,
                .id = message.sequence});
  return true;
}

void ReadingIntake::NoteSequence(GatewayNode& node, const Message& message) {
  node.sequence.taken = {true, message.session, message.sequence};
  node.sequence.in_batch = true;
  touched_ = true;
  const uint64_t key = SequenceMarkKey(node.mac);
  const uint64_t value = uint64_t{message.session} << 32 | message.sequence;
  const std::span<port::Mark> marks = memory_.ingest_marks.first(marks_);
  auto it =
      std::find_if(marks.begin(), marks.end(), [&](const port::Mark& m) { return m.key == key; });
  if (it != marks.end()) {
    it->value = value;
  } else {
    memory_.ingest_marks[marks_++] = {key, value};
  }
}

void ReadingIntake::Reject(const GatewayNode& node, ByteSpan value, port::TimeNs now) {
  ++stats_.rejected;
  // kNotFound: no field (of the channel's) for it; kInvalidArgument: not a value the cloud stores.
  const Status why = UsableValue(node.field == 0 ? 1 : node.field, value)
                         ? Status::NotFound()
                         : Status::InvalidArgument();
  events_.Emit({.kind = GatewayEventKind::kRejected,
                .time = now,
                .node = node.mac,
                .field = node.field,
                .status = why,
                .value = value});
}

void ReadingIntake::Commit(port::TimeNs now) {
  const size_t records = std::exchange(records_, 0);
  const size_t marks = std::exchange(marks_, 0);
  bytes_ = 0;
  const bool touched = std::exchange(touched_, false);
  if (records == 0 && !touched) return;
  Result<uint64_t> first =
      queue_.Commit({memory_.ingest_records.first(records), 0, memory_.ingest_marks.first(marks)});
  for (GatewayNode& node : nodes_.slots()) {
    if (!node.used || !std::exchange(node.sequence.in_batch, false)) continue;
    if (first.ok()) {
      node.sequence.committed = node.sequence.taken;
    } else {
      // Nothing is confirmed: the nodes send again and find the state as before.
      node.sequence.taken = node.sequence.committed;
      node.replies.ack_owed = false;
    }
  }
  if (!first.ok()) {
    ++stats_.store_errors;
    events_.Emit({.kind = GatewayEventKind::kStoreError, .time = now, .status = first.status()});
    return;
  }
  stats_.stored += records;
  stats_.queued += records;
  for (size_t i = 0; i < records; ++i) {
    Result<RecordView> r = ParseRecord(memory_.ingest_records[i]);
    if (!r.ok()) continue;
    events_.Emit({.kind = GatewayEventKind::kStored,
                  .time = now,
                  .node = r->node,
                  .field = r->field,
                  .id = *first + i,
                  .value = r->value});
  }
}

void ReadingIntake::SendReplies(NodeSender& sender, uint8_t home_channel) {
  for (GatewayNode& node : nodes_.slots()) {
    if (!node.used) continue;
    GatewayNode::Replies& owed = node.replies;
    if (owed.hello_owed) {
      Message hello;
      hello.type = MessageType::kHello;
      hello.session = owed.hello_session;
      hello.channel = home_channel;
      const SendResult r = sender.Send(node.mac, hello);
      if (r == SendResult::kBlocked) return;
      owed.hello_owed = false;
      if (r == SendResult::kSent) ++stats_.hellos;
    }
    if (owed.ack_owed) {
      Message ack;
      ack.type = MessageType::kAck;
      ack.session = owed.ack_session;
      ack.sequence = owed.ack_sequence;
      ack.result = owed.ack_result;
      // A lost confirmation costs a re-send, which is confirmed again.
      if (sender.Send(node.mac, ack) == SendResult::kBlocked) return;
      owed.ack_owed = false;
    }
  }
}

}  // namespace airlab::apps
