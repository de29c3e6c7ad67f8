#include "apps/gateway/gateway.h"

#include <algorithm>
#include <cstring>

#include "apps/common/utc_time.h"
#include "core/cloud/answers.h"
#include "core/cloud/bulk.h"
#include "core/cloud/entry.h"
#include "core/port/waiter.h"  // kForever

namespace airlab::apps {
namespace {

// A queued reading in the durable queue: [version][field][node mac x6][wall time ms, i64 LE][value].
constexpr uint8_t kRecordVersion = 1;
constexpr size_t kRecordHeaderSize = 16;
constexpr size_t kMaxRecordSize = kRecordHeaderSize + espnow::kMaxPayloadV2;

// Mark keys: a namespace in the top byte, a node's MAC in the low 48 bits.
constexpr uint64_t kNodeMarks = uint64_t{1} << 56;      // field | command delivered << 8
constexpr uint64_t kSequenceMarks = uint64_t{2} << 56;  // session << 32 | sequence
constexpr uint64_t kIncarnationMark = uint64_t{3} << 56;
constexpr uint64_t kFieldsMarks = uint64_t{4} << 56;  // | channel id: the channel's fields
constexpr uint64_t kMacBits = (uint64_t{1} << 48) - 1;

constexpr size_t kMaxNameSize = 32;
// Bit n for field n: what a channel with all eight fields has.
constexpr uint16_t kAllFields = 0x1fe;
constexpr std::string_view kTagWord = "airlab ";
constexpr port::TimeNs kBlockedRetry = 5 * port::kMillisecond;

uint64_t MacKey(const MacAddress& mac) {
  uint64_t key = 0;
  for (size_t i = 0; i < MacAddress::kSize; ++i) key = key << 8 | mac[i];
  return key;
}

MacAddress MacFromKey(uint64_t key) {
  std::array<uint8_t, MacAddress::kSize> octets{};
  for (size_t i = MacAddress::kSize; i-- > 0;) {
    octets[i] = static_cast<uint8_t>(key);
    key >>= 8;
  }
  return MacAddress(octets);
}

std::string_view Text(ByteSpan bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

struct RecordView {
  int field = 0;
  MacAddress node;
  int64_t time_ms = 0;
  ByteSpan value;
};

Result<RecordView> ParseRecord(ByteSpan data) {
  if (data.size() < kRecordHeaderSize || load_u8(data, 0) != kRecordVersion) {
    return Status::DataLoss();
  }
  RecordView r;
  r.field = load_u8(data, 1);
  r.node = MacAddress::FromBytes(data.subspan(2, MacAddress::kSize));
  r.time_ms = static_cast<int64_t>(load_le64(data, 8));
  r.value = data.subspan(kRecordHeaderSize);
  return r;
}

Result<ByteSpan> WriteRecord(MutableByteSpan out, int field, const MacAddress& node,
                             int64_t time_ms, ByteSpan value) {
  ByteBuilder b(out);
  b.PutU8(kRecordVersion).PutU8(static_cast<uint8_t>(field)).Append(node.bytes());
  b.PutLe64(static_cast<uint64_t>(time_ms)).Append(value);
  AIRLAB_TRY(b.status());
  return b.bytes();
}

// A value the cloud stores: non-empty UTF-8 of at most 255 characters (Entry checks both).
bool UsableValue(int field, ByteSpan value) {
  cloud::Entry probe;
  return !value.empty() && probe.SetField(field, Text(value)).ok();
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// The longest prefix of `value` of at most `limit` bytes that ends on a UTF-8 character.
size_t Utf8Prefix(ByteSpan value, size_t limit) {
  if (value.size() <= limit) return value.size();
  size_t n = limit;
  while (n > 0 && (load_u8(value, n) & 0xc0) == 0x80) --n;
  return n;
}

size_t AppendText(std::span<char> out, size_t at, std::string_view text) {
  const size_t n = std::min(text.size(), out.size() - std::min(at, out.size()));
  std::memcpy(out.data() + at, text.data(), n);
  return at + n;
}

size_t AppendNumber(std::span<char> out, size_t at, uint64_t value, int base, int min_digits) {
  char digits[24];
  int n = 0;
  do {
    const int d = static_cast<int>(value % static_cast<uint64_t>(base));
    digits[n++] = static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
    value /= static_cast<uint64_t>(base);
  } while (value != 0 || n < min_digits);
  while (n > 0 && at < out.size()) out[at++] = digits[--n];
  return at;
}

}  // namespace

// Turns the oldest queued readings into bulk-update entries: one per second of created_at
// at most, readings of different fields within a second sharing one, each entry tagged
// with the id of its last reading.
class Gateway::BatchSource final : public cloud::BulkSource {
 public:
  BatchSource(Gateway& g, std::span<const port::QueuedRecord> records, int64_t last_time_s)
      : g_(g), records_(records), last_time_s_(last_time_s) {}

  bool Next(cloud::BulkEntry& update) override {
    if (count_ >= g_.memory_.entries.size()) return false;
    update = {};
    uint32_t fields_used = 0;
    uint32_t taken = 0;
    uint64_t last_id = 0;
    int64_t time_s = 0;
    while (next_ < records_.size()) {
      Result<RecordView> r = ParseRecord(records_[next_].data);
      if (!r.ok() || !UsableValue(r->field, r->value)) {
        ++next_;  // unusable: removed with the entry after it
        continue;
      }
      const int64_t record_s = FloorDiv(r->time_ms, 1000);
      const uint32_t bit = 1u << r->field;
      if (taken == 0) {
        time_s = std::max(record_s, last_time_s_ + 1);
      } else if ((fields_used & bit) != 0 || record_s > time_s) {
        break;
      }
      update.entry.SetField(r->field, Text(r->value)).IgnoreError();  // checked above
      fields_used |= bit;
      last_id = records_[next_].id;
      ++taken;
      ++next_;
    }
    if (taken == 0) return false;
    Result<std::string_view> created = FormatUtc(time_s, created_at_);
    if (!created.ok()) return false;
    update.entry.SetCreatedAt(*created).IgnoreError();
    const size_t tag_size = g_.WriteTag(last_id, status_);
    update.entry.SetStatus(std::string_view(status_.data(), tag_size)).IgnoreError();
    g_.memory_.entries[count_++] = {last_id, time_s, taken};
    last_time_s_ = time_s;
    return true;
  }

  size_t count() const { return count_; }

 private:
  Gateway& g_;
  std::span<const port::QueuedRecord> records_;
  int64_t last_time_s_;
  size_t next_ = 0;
  size_t count_ = 0;
  // The writer copies each entry before asking for the next, so one of each suffices.
  std::array<char, kUtcTextSize> created_at_{};
  std::array<char, 96> status_{};
};

Gateway::Gateway(espnow::Link& link, port::DurableQueue& store, port::Uplink& uplink,
                 const port::Clock& clock, const port::Clock& wall_clock, port::Timer& timer,
                 port::Rng& rng, const GatewayMemory& memory, const GatewayConfig& config)
    : link_(link),
      store_(store),
      clock_(clock),
      wall_clock_(wall_clock),
      timer_(timer),
      rng_(rng),
      memory_(memory),
      config_(config),
      // The cloud's rate limit runs on the cloud's time: the wall clock, which on a sped-up
      // air is not the gateway's clock.
      write_client_(uplink, wall_clock, write_listener_, memory.write_request, memory.write_answer),
      read_client_(uplink, wall_clock, read_listener_, memory.read_request, memory.read_answer) {}

Gateway::~Gateway() {
  timer_.Cancel();
  timer_.SetListener(nullptr);
  if (started_) link_.SetListener(nullptr);
}

Status Gateway::Start(uint8_t home_channel) {
  if (started_) return Status::FailedPrecondition();
  const GatewayConfig& c = config_;
  const GatewayMemory& m = memory_;
  if (c.channel_id == 0 || c.write_key.empty() || c.max_updates == 0 ||
      c.name.empty() || c.name.size() > kMaxNameSize ||
      (c.command_channel_id != 0 && (c.command_field < 1 || c.command_field > cloud::kFieldCount)) ||
      c.reconcile_results == 0 || c.retry_min <= 0 || c.retry_max < c.retry_min ||
      c.command_retry_min <= 0 || c.command_retry_max < c.command_retry_min ||
      c.uplink_check_interval <= 0) {
    return Status::InvalidArgument();
  }
  for (char ch : c.name) {
    if (ch <= ' ' || ch > '~') return Status::InvalidArgument();
  }
  for (const FieldMapping& f : c.fields) {
    if (f.field < 1 || f.field > cloud::kFieldCount) return Status::InvalidArgument();
  }
  if (m.nodes.empty() || m.records.empty() || m.entries.size() < m.records.size() ||
      m.record_bytes.size() < kMaxRecordSize || m.ingest_records.empty() ||
      m.ingest_bytes.size() < kMaxRecordSize || m.ingest_marks.size() < m.nodes.size()) {
    return Status::InvalidArgument();
  }
  AIRLAB_TRY(LoadState());
  BuildTagPrefix();
  write_client_.limiter().set_default_interval(c.write_interval);
  timer_.SetListener(this);
  link_.SetListener(this);
  if (Status s = link_.SetEnabled(true); !s.ok()) {
    link_.SetListener(nullptr);
    return s;
  }
  for (GatewayNode& node : memory_.nodes) {
    if (node.used) EnsurePeer(node).IgnoreError();  // a full table: no commands for it
  }
  home_channel_ = home_channel;
  reconcile_needed_ = true;
  reconcile_results_ = c.reconcile_results;
  started_ = true;
  next_command_poll_ = clock_.Now();
  Poll();
  return Status::Ok();
}

Status Gateway::LoadState() {
  Result<uint64_t> count = store_.Count();
  if (!count.ok()) return Status::Unavailable();
  stats_.queued = *count;

  Result<uint64_t> incarnation = store_.GetMark(kIncarnationMark);
  if (incarnation.ok()) {
    incarnation_ = static_cast<uint32_t>(*incarnation);
  } else if (incarnation.status() == Status::NotFound()) {
    // Tags name the store's incarnation, so a new store (ids from 1 again) never takes a
    // tag of an old one for its own.
    do {
      incarnation_ = rng_.NextU32();
    } while (incarnation_ == 0);
    const port::Mark mark{kIncarnationMark, incarnation_};
    if (!store_.Commit({{}, 0, {&mark, 1}}).ok()) return Status::Unavailable();
  } else {
    return Status::Unavailable();
  }

  // The channel's fields, as the last read-back found them.
  Result<uint64_t> fields = store_.GetMark(kFieldsMarks | config_.channel_id);
  if (fields.ok()) {
    channel_fields_ = static_cast<uint16_t>(*fields);
    fields_known_ = true;
  } else if (fields.status() != Status::NotFound()) {
    return Status::Unavailable();
  }

  // Nodes and their fields and delivered commands, then their sequence numbers.
  for (uint64_t base : {kNodeMarks, kSequenceMarks}) {
    uint64_t first = base;
    while (true) {
      Result<size_t> n = store_.ReadMarks(first, base | kMacBits, memory_.ingest_marks);
      if (!n.ok()) return Status::Unavailable();
      for (size_t i = 0; i < *n; ++i) {
        const port::Mark& mark = memory_.ingest_marks[i];
        const MacAddress mac = MacFromKey(mark.key & kMacBits);
        GatewayNode* node = FindNode(mac);
        if (node == nullptr) {
          auto free = std::find_if(memory_.nodes.begin(), memory_.nodes.end(),
                                   [](const GatewayNode& g) { return !g.used; });
          if (free == memory_.nodes.end()) break;  // more nodes stored than room: the rest
                                                   // are found again when they speak
          node = &*free;
          *node = {};
          node->used = true;
          node->mac = mac;
          node->field = 0;  // the stored one follows; FieldFor would take another's
        }
        if (base == kNodeMarks) {
          node->announced = true;
          node->field = static_cast<int>(mark.value & 0xff);
          node->command_delivered = mark.value >> 8;
        } else {
          node->has_session = node->committed_has_session = true;
          node->session = node->committed_session = static_cast<uint32_t>(mark.value >> 32);
          node->sequence = node->committed_sequence = static_cast<uint32_t>(mark.value);
        }
      }
      if (*n < memory_.ingest_marks.size()) break;
      first = memory_.ingest_marks[*n - 1].key + 1;
    }
  }
  return Status::Ok();
}

void Gateway::Poll() {
  if (!started_) return;
  const port::TimeNs now = clock_.Now();
  TakeWriteInbox(now);
  TakeReadInbox(now);
  Ingest(now);
  SendOwed();
  StepUplink(now);
  StepCommands(now);
  ForwardCommands(now);
  ArmTimer(now);
}

void Gateway::OnHomeChannel(uint8_t channel) {
  home_channel_ = channel;
  GatewayEvent e;
  e.kind = GatewayEventKind::kHomeChannel;
  e.channel = channel;
  Emit(e);
}

bool Gateway::uplink_in_flight() const { return write_op_ != WriteOp::kNone || read_in_flight_; }

size_t Gateway::node_count() const {
  return static_cast<size_t>(std::count_if(memory_.nodes.begin(), memory_.nodes.end(),
                                           [](const GatewayNode& n) { return n.used; }));
}

const GatewayNode& Gateway::node(size_t index) const {
  for (const GatewayNode& n : memory_.nodes) {
    if (n.used && index-- == 0) return n;
  }
  AIRLAB_ASSERT(false);
  return memory_.nodes[0];
}

// --- Nodes

GatewayNode* Gateway::FindNode(const MacAddress& mac) {
  for (GatewayNode& n : memory_.nodes) {
    if (n.used && n.mac == mac) return &n;
  }
  return nullptr;
}

int Gateway::FieldFor(const MacAddress& mac, uint16_t enabled) const {
  for (const FieldMapping& f : config_.fields) {
    if (f.node == mac) return f.field;
  }
  if (!config_.auto_fields) return 0;
  for (int field = 1; field <= cloud::kFieldCount; ++field) {
    const bool configured = std::any_of(config_.fields.begin(), config_.fields.end(),
                                        [&](const FieldMapping& f) { return f.field == field; });
    const bool taken = std::any_of(memory_.nodes.begin(), memory_.nodes.end(),
                                   [&](const GatewayNode& n) { return n.used && n.field == field; });
    if ((enabled >> field & 1) != 0 && !configured && !taken) return field;
  }
  return 0;
}

bool Gateway::FieldEnabled(int field) const {
  return field >= 1 && field <= cloud::kFieldCount && (channel_fields_ >> field & 1) != 0;
}

void Gateway::AssignField(GatewayNode& node, uint16_t enabled, port::TimeNs now) {
  if (node.announced) return;
  if (node.field == 0) node.field = FieldFor(node.mac, enabled);
  if (node.field == 0 && !fields_known_) return;  // decided once the channel's fields are known
  node.announced = true;
  PersistNode(node);
  GatewayEvent e;
  e.kind = GatewayEventKind::kNodeJoined;
  e.time = now;
  e.node = node.mac;
  e.field = node.field;
  Emit(e);
}

Status Gateway::EnsurePeer(GatewayNode& node) {
  if (node.peer) return Status::Ok();
  espnow::PeerInfo peer;
  peer.mac = node.mac;
  peer.channel = 0;  // whatever channel the radio is on: it follows the router
  Status s = link_.AddPeer(peer);
  if (s.ok() || s == Status::AlreadyExists()) {
    node.peer = true;
    return Status::Ok();
  }
  return s;
}

GatewayNode* Gateway::TakeNode(const MacAddress& mac, port::TimeNs now) {
  if (GatewayNode* node = FindNode(mac)) {
    EnsurePeer(*node).IgnoreError();
    node->heard = true;
    return node;
  }
  auto free = std::find_if(memory_.nodes.begin(), memory_.nodes.end(),
                           [](const GatewayNode& g) { return !g.used; });
  if (free == memory_.nodes.end()) return nullptr;
  GatewayNode& node = *free;
  node = {};
  node.mac = mac;
  node.used = true;
  node.heard = true;
  EnsurePeer(node).IgnoreError();
  // Before the channel was ever read back (a first start without the cloud), all eight
  // fields are assumed: readings are stored now rather than left waiting in the nodes.
  AssignField(node, fields_known_ ? channel_fields_ : kAllFields, now);
  return &node;
}

void Gateway::PersistNode(const GatewayNode& node) {
  const port::Mark mark{kNodeMarks | MacKey(node.mac),
                        static_cast<uint64_t>(node.field) | node.command_delivered << 8};
  if (Status s = store_.Commit({{}, 0, {&mark, 1}}).status(); !s.ok()) {
    ++stats_.store_errors;
    GatewayEvent e;
    e.kind = GatewayEventKind::kStoreError;
    e.status = s;
    Emit(e);
  }
}

// --- Receive path

void Gateway::OnReceive(const espnow::ReceivedInfo&) {
  if (started_) timer_.ArmAt(clock_.Now());
}

void Gateway::Ingest(port::TimeNs now) {
  const int64_t wall_ms = wall_clock_.Now() / port::kMillisecond;
  while (link_.rx_available()) {
    size_t records = 0, marks = 0, bytes = 0;
    bool touched = false;
    // One transaction per batch of messages: the Link's queue holds a few hundred at most.
    while (link_.rx_available() && records < memory_.ingest_records.size() &&
           bytes + kMaxRecordSize <= memory_.ingest_bytes.size() &&
           marks < memory_.ingest_marks.size()) {
      Result<espnow::ReceivedInfo> info = link_.Receive(rx_buffer_);
      if (!info.ok()) {
        link_.ClearReceived();  // cannot happen with a buffer of the largest payload
        break;
      }
      const ByteSpan payload(rx_buffer_.data(), info->size);
      Result<Message> message = ParseMessage(payload);
      if (!message.ok()) continue;
      const MacAddress& src = info->src;
      switch (message->type) {
        case MessageType::kDiscover: {
          GatewayNode* node = TakeNode(src, now);
          if (node == nullptr) break;
          node->raw = false;
          node->hello_owed = true;
          node->hello_session = message->session;
          break;
        }
        case MessageType::kPing:
          if (GatewayNode* node = TakeNode(src, now)) node->raw = false;
          break;
        case MessageType::kReading:
        case MessageType::kRaw: {
          const bool raw = message->type == MessageType::kRaw;
          if (raw && (!config_.accept_raw || info->broadcast)) break;
          GatewayNode* node = TakeNode(src, now);
          if (node == nullptr) break;  // no room: an airlab node re-sends, a lab board's is lost
          node->raw = raw;
          if (!raw) {
            if (node->has_session && node->session == message->session &&
                message->sequence <= node->sequence) {
              ++stats_.duplicates;
              node->ack_owed = true;
              node->ack_session = node->session;
              node->ack_sequence = node->sequence;
              node->ack_result = node->last_result;
              GatewayEvent e;
              e.kind = GatewayEventKind::kDuplicate;
              e.time = now;
              e.node = src;
              e.id = message->sequence;
              Emit(e);
              break;
            }
            node->has_session = true;
            node->session = message->session;
            node->sequence = message->sequence;
            node->in_batch = true;
            touched = true;
            // One sequence mark per node per transaction.
            const uint64_t key = kSequenceMarks | MacKey(src);
            const uint64_t value = uint64_t{message->session} << 32 | message->sequence;
            auto it = std::find_if(memory_.ingest_marks.begin(),
                                   memory_.ingest_marks.begin() + static_cast<ptrdiff_t>(marks),
                                   [&](const port::Mark& mk) { return mk.key == key; });
            if (it != memory_.ingest_marks.begin() + static_cast<ptrdiff_t>(marks)) {
              it->value = value;
            } else {
              memory_.ingest_marks[marks++] = {key, value};
            }
          }
          const bool usable = node->field != 0 && (!fields_known_ || FieldEnabled(node->field)) &&
                              UsableValue(node->field, message->value);
          if (!raw) {
            node->last_result = usable ? AckResult::kStored : AckResult::kRejected;
            node->ack_owed = true;
            node->ack_session = message->session;
            node->ack_sequence = message->sequence;
            node->ack_result = node->last_result;
          }
          if (!usable) {
            ++stats_.rejected;
            GatewayEvent e;
            e.kind = GatewayEventKind::kRejected;
            e.time = now;
            e.node = src;
            e.field = node->field;
            e.value = message->value;
            e.status = UsableValue(node->field == 0 ? 1 : node->field, message->value)
                           ? Status::NotFound()          // no field (of the channel's) for it
                           : Status::InvalidArgument();  // not a value the cloud stores
            Emit(e);
            break;
          }
          Result<ByteSpan> record =
              WriteRecord(memory_.ingest_bytes.subspan(bytes), node->field, src, wall_ms,
                          message->value);
          if (!record.ok()) break;  // cannot happen: room for the largest was checked
          memory_.ingest_records[records++] = *record;
          bytes += record->size();
          break;
        }
        case MessageType::kHello:
        case MessageType::kAck:
        case MessageType::kCommand:
          break;  // a node's business
      }
    }
    if (records > 0 || touched) CommitIngest(records, marks, now);
  }
}

void Gateway::CommitIngest(size_t records, size_t marks, port::TimeNs now) {
  const port::QueueChange change{memory_.ingest_records.first(records), 0,
                                 memory_.ingest_marks.first(marks)};
  Result<uint64_t> first = store_.Commit(change);
  for (GatewayNode& node : memory_.nodes) {
    if (!node.used || !node.in_batch) continue;
    node.in_batch = false;
    if (first.ok()) {
      node.committed_has_session = node.has_session;
      node.committed_session = node.session;
      node.committed_sequence = node.sequence;
    } else {
      // Nothing is confirmed: the nodes send again and find the state as before.
      node.has_session = node.committed_has_session;
      node.session = node.committed_session;
      node.sequence = node.committed_sequence;
      node.ack_owed = false;
    }
  }
  if (!first.ok()) {
    ++stats_.store_errors;
    GatewayEvent e;
    e.kind = GatewayEventKind::kStoreError;
    e.time = now;
    e.status = first.status();
    Emit(e);
    return;
  }
  stats_.stored += records;
  stats_.queued += records;
  for (size_t i = 0; i < records; ++i) {
    Result<RecordView> r = ParseRecord(memory_.ingest_records[i]);
    if (!r.ok()) continue;
    GatewayEvent e;
    e.kind = GatewayEventKind::kStored;
    e.time = now;
    e.node = r->node;
    e.field = r->field;
    e.id = *first + i;
    e.value = r->value;
    Emit(e);
  }
}

Gateway::SendResult Gateway::SendMessage(const MacAddress& to, ByteSpan payload) {
  Result<uint32_t> id = link_.Send(to, payload);
  if (id.ok()) {
    last_send_id_ = *id;
    return SendResult::kSent;
  }
  if (id.status() == Status::ResourceExhausted()) {
    sends_blocked_ = true;
    return SendResult::kBlocked;
  }
  return SendResult::kFailed;
}

void Gateway::SendOwed() {
  sends_blocked_ = false;
  std::array<std::byte, kMaxMessageSize> buffer;
  for (GatewayNode& node : memory_.nodes) {
    if (!node.used) continue;
    if (node.hello_owed) {
      Message hello;
      hello.type = MessageType::kHello;
      hello.session = node.hello_session;
      hello.channel = home_channel_;
      const SendResult r = SendMessage(node.mac, WriteMessage(hello, buffer).value());
      if (r == SendResult::kBlocked) return;
      node.hello_owed = false;
      if (r == SendResult::kSent) ++stats_.hellos;
    }
    if (node.ack_owed) {
      Message ack;
      ack.type = MessageType::kAck;
      ack.session = node.ack_session;
      ack.sequence = node.ack_sequence;
      ack.result = node.ack_result;
      // A lost confirmation costs a re-send, which is confirmed again.
      if (SendMessage(node.mac, WriteMessage(ack, buffer).value()) == SendResult::kBlocked) return;
      node.ack_owed = false;
    }
  }
}

// --- Uplink

void Gateway::OnWriteDone(const cloud::Completion& done) {
  // The uplink's context: only the inbox is touched.
  WriteInbox& in = write_inbox_;
  in.code = done.code;
  in.transport = done.transport;
  in.tag_found = false;
  in.tag_id = 0;
  in.newest_time_s = -1;
  in.fields = kAllFields;
  if (done.operation == cloud::Operation::kRead && done.code == cloud::ErrorCode::kOk) {
    // The fields the channel has: ThingSpeak drops values for the others without a word.
    const cloud::ChannelView channel = done.feed.channel();
    if (!channel.empty()) {
      in.fields = 0;
      for (int field = 1; field <= cloud::kFieldCount; ++field) {
        if (channel.field_name(field).present()) in.fields |= static_cast<uint16_t>(1u << field);
      }
    }
    std::array<char, 128> text;
    for (cloud::EntryView entry : done.feed.entries()) {
      StatusWithSize n = entry.created_at().CopyTo(AsWritableBytes(text.data(), text.size()));
      if (n.ok()) {
        Result<int64_t> t = ParseUtc(std::string_view(text.data(), n.size()));
        if (t.ok() && *t > in.newest_time_s) in.newest_time_s = *t;
      }
      n = entry.status().CopyTo(AsWritableBytes(text.data(), text.size()));
      if (!n.ok()) continue;
      const std::string_view status(text.data(), n.size());
      const std::string_view prefix(tag_prefix_.data(), tag_prefix_size_);
      if (status.size() <= prefix.size() || status.substr(0, prefix.size()) != prefix) continue;
      uint64_t id = 0;
      bool digits = true;
      for (char ch : status.substr(prefix.size())) {
        if (ch < '0' || ch > '9' || id > UINT64_MAX / 10 - 1) {
          digits = false;
          break;
        }
        id = id * 10 + static_cast<uint64_t>(ch - '0');
      }
      if (digits && id >= in.tag_id) {
        in.tag_found = true;
        in.tag_id = id;
      }
    }
  }
  in.ready.store(true, std::memory_order_release);
}

void Gateway::OnReadDone(const cloud::Completion& done) {
  ReadInbox& in = read_inbox_;
  in.code = done.code;
  in.entry_id = 0;
  in.has_value = false;
  in.value_size = 0;
  if (done.code == cloud::ErrorCode::kOk && !done.entry.empty()) {
    in.entry_id = done.entry.entry_id();
    cloud::JsonString value = done.entry.field(config_.command_field);
    if (value.present()) {
      StatusWithSize n = value.CopyTo(AsWritableBytes(in.value.data(), in.value.size()));
      in.has_value = n.ok() && n.size() > 0;
      in.value_size = n.size();
    }
  }
  in.ready.store(true, std::memory_order_release);
}

void Gateway::LearnFields(uint16_t fields, port::TimeNs now) {
  if (!fields_known_ || fields != channel_fields_) {
    // Kept, so a restart without the cloud still knows them.
    const port::Mark mark{kFieldsMarks | config_.channel_id, fields};
    if (!store_.Commit({{}, 0, {&mark, 1}}).ok()) ++stats_.store_errors;
  }
  channel_fields_ = fields;
  fields_known_ = true;
  for (GatewayNode& node : memory_.nodes) {
    if (node.used) AssignField(node, channel_fields_, now);
  }
}

void Gateway::BackOff(port::TimeNs now) {
  backoff_ = backoff_ == 0 ? config_.retry_min : std::min(backoff_ * 2, config_.retry_max);
  write_retry_at_ = now + backoff_;
}

void Gateway::StepUplink(port::TimeNs now) {
  if (write_op_ != WriteOp::kNone || now < write_retry_at_) return;
  if (reconcile_needed_) {
    StartReconcile(now);
  } else if (stats_.queued > 0 && write_client_.limiter().MayWrite(config_.channel_id, wall_clock_.Now())) {
    StartBulk(now);
  }
}

void Gateway::StartReconcile(port::TimeNs now) {
  cloud::ReadOptions options;
  options.results = reconcile_results_;
  options.status = true;
  write_op_ = WriteOp::kReconcile;
  const std::string_view key = config_.read_key.empty() ? config_.write_key : config_.read_key;
  if (!write_client_.ReadFeeds(config_.channel_id, key, options).ok()) {
    write_op_ = WriteOp::kNone;
    BackOff(now);
  }
}

void Gateway::StartBulk(port::TimeNs now) {
  Result<size_t> n = store_.Read(0, memory_.records, memory_.record_bytes);
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
  BatchSource source(*this, records, last_time_s_);
  cloud::BulkOptions options;
  options.format = cloud::BulkFormat::kJson;
  options.time = cloud::BulkTime::kCreatedAt;
  options.max_updates = std::min(config_.max_updates, cloud::kMaxBulkUpdates);
  write_op_ = WriteOp::kBulk;
  Result<size_t> taken =
      write_client_.BulkUpdate(config_.channel_id, config_.write_key, source, options);
  if (!taken.ok()) {
    write_op_ = WriteOp::kNone;
    if (source.count() == 0) {
      // Not one reading the cloud would take (corrupt records): they go.
      RemoveThrough(records.back().id, now);
    } else {
      BackOff(now);
    }
    return;
  }
  ++stats_.bulk_requests;
  batch_entries_ = *taken;
  batch_first_id_ = records.front().id;
  batch_last_id_ = memory_.entries[*taken - 1].last_id;
  batch_last_time_s_ = memory_.entries[*taken - 1].time_s;
  batch_records_ = 0;
  for (size_t i = 0; i < *taken; ++i) batch_records_ += memory_.entries[i].records;
}

uint64_t Gateway::RemoveThrough(uint64_t id, port::TimeNs now) {
  const uint64_t before = stats_.queued;
  Result<uint64_t> r = store_.Commit({{}, id, {}});
  Result<uint64_t> count = r.ok() ? store_.Count() : Result<uint64_t>(r.status());
  if (!count.ok()) {
    ++stats_.store_errors;
    // What the cloud has may still be queued: look before posting again.
    reconcile_needed_ = true;
    GatewayEvent e;
    e.kind = GatewayEventKind::kStoreError;
    e.time = now;
    e.status = count.status();
    Emit(e);
    return 0;
  }
  stats_.queued = *count;
  return before > *count ? before - *count : 0;
}

void Gateway::TakeWriteInbox(port::TimeNs now) {
  if (!write_inbox_.ready.load(std::memory_order_acquire)) return;
  const WriteOp op = write_op_;
  const cloud::ErrorCode code = write_inbox_.code;
  const Status transport = write_inbox_.transport;
  const bool tag_found = write_inbox_.tag_found;
  const uint64_t tag_id = write_inbox_.tag_id;
  const int64_t newest_time_s = write_inbox_.newest_time_s;
  const uint16_t fields = write_inbox_.fields;
  write_inbox_.ready.store(false, std::memory_order_relaxed);
  write_op_ = WriteOp::kNone;

  GatewayEvent e;
  e.time = now;
  e.code = code;
  e.status = transport;
  using cloud::ErrorCode;
  if (op == WriteOp::kReconcile) {
    if (code == ErrorCode::kOk) {
      ++stats_.reconciles;
      backoff_ = 0;
      LearnFields(fields, now);
      if (newest_time_s > last_time_s_) last_time_s_ = newest_time_s;
      reconcile_needed_ = false;
      // RemoveThrough asks for another read-back if the durable queue fails.
      const uint64_t removed = tag_found ? RemoveThrough(tag_id, now) : 0;
      stats_.reconciled += removed;
      e.kind = GatewayEventKind::kReconciled;
      e.id = tag_found ? tag_id : 0;
      e.count = removed;
      Emit(e);
      return;
    }
    ++stats_.uplink_errors;
    e.kind = GatewayEventKind::kUplinkError;
    Emit(e);
    if (code == ErrorCode::kBadAnswer && transport.ok()) {
      // Most likely the feed did not fit the answer buffer: ask for fewer entries.
      reconcile_results_ = std::max<uint16_t>(1, reconcile_results_ / 2);
      BackOff(now);
    } else if (code == ErrorCode::kAuthRequired || code == ErrorCode::kNotFound ||
               code == ErrorCode::kBadRequest) {
      // The channel cannot be read back (ThingSpeak wants the read key of a private
      // channel): carry on; what was in doubt may then arrive twice, never not at all.
      // Its fields are not known either: all eight are assumed.
      reconcile_needed_ = false;
      LearnFields(kAllFields, now);
      BackOff(now);
    } else {
      BackOff(now);
    }
    return;
  }
  if (op != WriteOp::kBulk) return;

  if (code == ErrorCode::kOk) {
    backoff_ = 0;
    RemoveThrough(batch_last_id_, now);
    if (batch_last_time_s_ > last_time_s_) last_time_s_ = batch_last_time_s_;
    stats_.posted += batch_records_;
    stats_.entries += batch_entries_;
    e.kind = GatewayEventKind::kPosted;
    e.first_id = batch_first_id_;
    e.id = batch_last_id_;
    e.count = batch_records_;
    e.entries = batch_entries_;
    Emit(e);
    return;
  }
  if (code == ErrorCode::kNotInserted || code == ErrorCode::kTooManyRequests) {
    // Refused for the rate limit: nothing was written. The limiter has noted the answer,
    // so the next try waits a whole interval.
    ++stats_.write_refused;
    e.kind = GatewayEventKind::kWriteRefused;
    Emit(e);
    write_retry_at_ = now + config_.retry_min;
    return;
  }
  ++stats_.uplink_errors;
  e.kind = GatewayEventKind::kUplinkError;
  Emit(e);
  const int http = static_cast<int>(code);
  if (code == ErrorCode::kConnectFailed) {
    BackOff(now);  // never reached the server
  } else if (code == ErrorCode::kTooLarge) {
    config_.max_updates = std::max<size_t>(1, batch_entries_ / 2);
    BackOff(now);
  } else if (code == ErrorCode::kTimeout || code == ErrorCode::kUnexpectedFailure ||
             code == ErrorCode::kBadAnswer || code == ErrorCode::kConflict || http >= 500) {
    // It may have been written: look before sending again.
    reconcile_needed_ = true;
    BackOff(now);
  } else {
    BackOff(now);  // a key or channel the cloud refuses: keep the data, keep trying
  }
}

void Gateway::TakeReadInbox(port::TimeNs now) {
  if (!read_inbox_.ready.load(std::memory_order_acquire)) return;
  read_in_flight_ = false;
  const ReadInbox& in = read_inbox_;
  if (in.code == cloud::ErrorCode::kOk && in.has_value &&
      static_cast<uint64_t>(in.entry_id) > command_id_ && in.entry_id > 0) {
    command_id_ = static_cast<uint64_t>(in.entry_id);
    command_value_size_ = Utf8Prefix(AsBytes(in.value.data(), in.value_size), kMaxValueSize);
    std::memcpy(command_value_.data(), in.value.data(), command_value_size_);
    ++stats_.commands;
    for (GatewayNode& node : memory_.nodes) {
      node.command_retry_at = now;
      node.command_backoff = 0;
    }
    GatewayEvent e;
    e.kind = GatewayEventKind::kCommand;
    e.time = now;
    e.id = command_id_;
    e.value = ByteSpan(command_value_.data(), command_value_size_);
    Emit(e);
  }
  read_inbox_.ready.store(false, std::memory_order_relaxed);
}

void Gateway::StepCommands(port::TimeNs now) {
  if (config_.command_channel_id == 0 || read_in_flight_ || now < next_command_poll_) return;
  next_command_poll_ = now + config_.command_poll_interval;
  read_in_flight_ = true;
  if (!read_client_.ReadLast(config_.command_channel_id, config_.command_field,
                             config_.command_read_key)
           .ok()) {
    read_in_flight_ = false;
  }
}

bool Gateway::NeedsCommand(const GatewayNode& node) const {
  return node.used && node.peer && command_id_ != 0 && node.command_delivered < command_id_ &&
         !node.command_in_flight;
}

void Gateway::ForwardCommands(port::TimeNs now) {
  if (sends_blocked_) return;
  std::array<std::byte, kMaxMessageSize> buffer;
  const ByteSpan value(command_value_.data(), command_value_size_);
  for (GatewayNode& node : memory_.nodes) {
    if (!NeedsCommand(node) || now < node.command_retry_at) continue;
    ByteSpan payload = value;  // a lab board gets the bare value, as the lab's master sends
    if (!node.raw) {
      Message command;
      command.type = MessageType::kCommand;
      command.command_id = command_id_;
      command.value = value;
      payload = WriteMessage(command, buffer).value();
    }
    const SendResult r = SendMessage(node.mac, payload);
    if (r == SendResult::kBlocked) return;
    ++node.command_attempts;
    ++stats_.forward_attempts;
    if (r == SendResult::kSent) {
      node.command_in_flight = true;
      node.command_send_id = last_send_id_;
      node.command_sending = command_id_;
    } else {
      node.command_backoff = node.command_backoff == 0
                                 ? config_.command_retry_min
                                 : std::min(node.command_backoff * 2, config_.command_retry_max);
      node.command_retry_at = now + node.command_backoff;
    }
  }
}

void Gateway::OnSendDone(const espnow::SendReport& report) {
  if (!started_) return;
  const port::TimeNs now = clock_.Now();
  for (GatewayNode& node : memory_.nodes) {
    if (!node.used || !node.command_in_flight || node.command_send_id != report.id) continue;
    node.command_in_flight = false;
    GatewayEvent e;
    e.time = now;
    e.node = node.mac;
    e.id = node.command_sending;
    e.count = node.command_attempts;
    if (report.delivery == espnow::Delivery::kAcked) {
      node.command_delivered = node.command_sending;
      node.command_attempts = 0;
      node.command_backoff = 0;
      ++stats_.forwarded;
      PersistNode(node);
      e.kind = GatewayEventKind::kForwarded;
    } else {
      node.command_backoff = node.command_backoff == 0
                                 ? config_.command_retry_min
                                 : std::min(node.command_backoff * 2, config_.command_retry_max);
      node.command_retry_at = now + node.command_backoff;
      e.kind = GatewayEventKind::kForwardFailed;
    }
    Emit(e);
    break;
  }
  timer_.ArmAt(now);
}

void Gateway::ArmTimer(port::TimeNs now) {
  port::TimeNs deadline = port::kForever;
  auto at = [&](port::TimeNs t) { deadline = std::min(deadline, std::max(t, now)); };
  if (link_.rx_available()) at(now);
  if (sends_blocked_) at(now + kBlockedRetry);
  if (write_op_ != WriteOp::kNone || read_in_flight_) at(now + config_.uplink_check_interval);
  if (write_op_ == WriteOp::kNone) {
    if (reconcile_needed_) {
      at(write_retry_at_);
    } else if (stats_.queued > 0) {
      // The limiter counts wall time; the timer, the gateway's. Where the two run at
      // different speeds (a sped-up air) the timer may fire early: then it waits again.
      const port::TimeNs next = write_client_.limiter().NextWriteAt(config_.channel_id);
      const port::TimeNs wait = next == cloud::RateLimiter::kNever ? 0 : next - wall_clock_.Now();
      at(std::max(write_retry_at_, wait > 0 ? now + std::max(wait, config_.uplink_check_interval) : now));
    }
  }
  if (config_.command_channel_id != 0 && !read_in_flight_) at(next_command_poll_);
  if (!sends_blocked_) {
    for (const GatewayNode& node : memory_.nodes) {
      if (NeedsCommand(node)) at(node.command_retry_at);
    }
  }
  if (deadline == port::kForever) {
    timer_.Cancel();
  } else {
    timer_.ArmAt(deadline);
  }
}

void Gateway::Emit(GatewayEvent event) {
  if (config_.observer == nullptr) return;
  if (event.time == 0) event.time = clock_.Now();
  config_.observer->OnGatewayEvent(event);
}

size_t Gateway::WriteTag(uint64_t id, std::span<char> out) const {
  size_t at = AppendText(out, 0, std::string_view(tag_prefix_.data(), tag_prefix_size_));
  return AppendNumber(out, at, id, 10, 1);
}

void Gateway::BuildTagPrefix() {
  // "airlab <name> <incarnation, 8 hex digits> #"
  std::span<char> out(tag_prefix_);
  size_t at = AppendText(out, 0, kTagWord);
  at = AppendText(out, at, config_.name);
  at = AppendText(out, at, " ");
  at = AppendNumber(out, at, incarnation_, 16, 8);
  at = AppendText(out, at, " #");
  tag_prefix_size_ = at;
}

}  // namespace airlab::apps
