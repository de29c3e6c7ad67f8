#pragma once
// apps::Gateway: the lab's Master, without its data loss. It takes readings from its
// ESP-NOW nodes and carries them to a ThingSpeak channel, and carries a channel field back
// to the nodes as commands:
//
// - Every reading goes into the durable queue before anything else; only then does the
//   node get its confirmation (messages.h, kAck), so a reading a node was told is stored
//   survives a crash of the gateway. Re-sends are recognised by (session, sequence), whose
//   last value per node is committed in the same transaction as the reading.
// - An uplink loop takes the oldest queued readings and posts them with bulk updates, no
//   more often than the channel's write interval (15 s on a free ThingSpeak account),
//   and removes them from the durable queue only once the cloud accepted them.
// - Exactly once: ThingSpeak keeps one entry per second, so readings become entries with a
//   created_at one second apart or more (readings of different nodes within a second share
//   an entry, one field per node), and each entry carries in its status the id of its last
//   reading ("airlab <name> <store incarnation> #<id>"). Whenever an outcome is ambiguous
//   (a timeout, a broken connection, a 5xx, a conflict) and after every start, the gateway
//   reads the channel's newest entries back and drops from its queue what is already
//   there, before it posts again. A bulk update is all or nothing, so the newest tag says
//   exactly what arrived.
// - Commands: it reads `command_field` of `command_channel_id` every second, as the lab's
//   master_cloud_to_slave.py does, and sends each new entry's value to every node, again
//   until the node's radio acknowledges it (ESP-NOW's delivery status), with back-off.
//   A command's id is the cloud entry id, so a node acts on each once.
// - Fields: one per node, configured or the lowest free one in the order nodes are first
//   heard, kept in the durable queue. Only fields the channel has: ThingSpeak silently drops values
//   for the others, so the gateway takes the channel's fields from its read-back (and keeps
//   them; a gateway that never reached its channel assumes all eight). A node without a
//   field has its readings refused (kAck kRejected): it is told, and drops them.
// - Discovery: nodes scan the channels with broadcast kDiscover; the gateway answers with
//   kHello on its home channel, the channel of its Wi-Fi station (the router's).
// - Lab boards: a payload without airlab's magic is a raw reading from a board running
//   the lab's MicroPython scripts; it is stored and posted the same way, and such a node
//   gets commands as raw payloads (what slave_receive.py prints).
//
// The gateway depends only on core and the ports: the same code runs on the simulated air,
// on the air hub, on Linux and (later) on an ESP32.
//
// Calling context: everything - Start, Poll, OnHomeChannel, and the Link's and Timer's
// listener calls - must come from one context (the sim's scheduler thread, a hub client's
// thread, the device's application task); where the Link reports from another task its
// owner serialises. Only the uplink's completions may come from the uplink's own context:
// they are copied into an inbox that Poll empties (it looks every uplink_check_interval
// while an exchange is on its way).

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "apps/common/messages.h"
#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/status.h"
#include "core/cloud/errors.h"
#include "core/cloud/rate_limiter.h"
#include "core/cloud/thingspeak.h"
#include "core/espnow/link.h"
#include "core/port/clock.h"
#include "core/port/rng.h"
#include "core/port/durable_queue.h"
#include "core/port/timer.h"
#include "core/port/uplink.h"

namespace airlab::apps {

// A node's readings go to this field (1..8) of the channel.
struct FieldMapping {
  MacAddress node;
  int field = 0;
};

enum class GatewayEventKind : uint8_t {
  kNodeJoined,     // node, field: first heard (discovery or a reading)
  kStored,         // node, field, id (record), value: a reading is in the durable queue
  kDuplicate,      // node, id (sequence): a re-sent reading, confirmed again
  kRejected,       // node, field, value, status: a reading refused for good - kNotFound: no
                   // field for the node (or one the channel lacks); kInvalidArgument: a
                   // value the cloud does not store (empty, not UTF-8, over 255 characters)
  kPosted,         // first_id..id, count (readings), entries: the cloud accepted them
  kWriteRefused,   // code: the cloud refused a write (rate limit); it is sent again later
  kUplinkError,    // code, status: an exchange failed; retried after `retry` back-off
  kReconciled,     // id: the newest reading found in the channel (0: none), count: dropped
  kCommand,        // id (cloud entry), value: a new command from the command field
  kForwarded,      // node, id (command), count (attempts): the node's radio ACKed it
  kForwardFailed,  // node, id (command), count (attempts): no ACK; tried again later
  kStoreError,     // status: the durable queue failed; nothing was confirmed, nodes re-send
  kHomeChannel,    // channel: the Wi-Fi station's channel, where ESP-NOW now runs
};

struct GatewayEvent {
  GatewayEventKind kind = GatewayEventKind::kStored;
  port::TimeNs time = 0;
  MacAddress node;
  int field = 0;
  uint64_t id = 0;
  uint64_t first_id = 0;
  uint64_t count = 0;
  size_t entries = 0;
  cloud::ErrorCode code = cloud::ErrorCode::kOk;
  Status status;
  ByteSpan value;  // valid during the call
  uint8_t channel = 0;
};

class GatewayObserver {
 public:
  // From the gateway's context (inside Poll and the Link's calls); must not call back.
  virtual void OnGatewayEvent(const GatewayEvent& event) = 0;

 protected:
  ~GatewayObserver() = default;
};

struct GatewayStats {
  uint64_t received = 0;        // readings taken (airlab and raw), re-sends not counted
  uint64_t duplicates = 0;      // re-sent readings recognised and confirmed again
  uint64_t rejected = 0;        // readings refused for good
  uint64_t stored = 0;          // readings committed to the durable queue
  uint64_t posted = 0;          // readings the cloud accepted
  uint64_t entries = 0;         // channel entries they made
  uint64_t bulk_requests = 0;   // bulk updates sent
  uint64_t write_refused = 0;   // of which refused for the rate limit
  uint64_t uplink_errors = 0;   // exchanges that failed otherwise
  uint64_t reconciles = 0;      // read-backs done
  uint64_t reconciled = 0;      // readings found already in the channel by them
  uint64_t commands = 0;        // new commands read from the cloud
  uint64_t forwarded = 0;       // command deliveries ACKed by nodes
  uint64_t forward_attempts = 0;
  uint64_t hellos = 0;          // discovery answers sent
  uint64_t store_errors = 0;
  uint64_t queued = 0;          // readings in the durable queue, not yet accepted by the cloud
};

struct GatewayConfig {
  // The channel readings go to, its write key, and a key that reads it back (ThingSpeak:
  // the read key of a private channel; empty: the write key, which airlab's server takes).
  uint32_t channel_id = 0;
  std::string_view write_key;
  std::string_view read_key;
  // The channel's write interval: 15 s for a free ThingSpeak account, 1 s paid.
  port::TimeNs write_interval = cloud::kFreeInterval;
  // Entries per bulk update (at most cloud::kMaxBulkUpdates).
  size_t max_updates = cloud::kMaxBulkUpdates;

  // Commands: `command_field` of `command_channel_id` (0: no commands), read with
  // `command_read_key` (empty for a public channel) every `command_poll_interval`.
  uint32_t command_channel_id = 0;
  int command_field = 1;
  std::string_view command_read_key;
  port::TimeNs command_poll_interval = port::kSecond;

  // Fields: these nodes get these fields; the others, with auto_fields, the lowest free
  // field in the order they are first heard (kept in the durable queue across restarts).
  std::span<const FieldMapping> fields;
  bool auto_fields = true;
  // Take raw payloads (lab boards) as readings.
  bool accept_raw = true;

  // In each entry's status tag; up to 32 printable characters without spaces. Give each
  // gateway writing to a channel its own.
  std::string_view name = "gateway";

  // Back-off after a failed exchange (doubling), and between attempts to deliver a command.
  port::TimeNs retry_min = port::kSecond;
  port::TimeNs retry_max = 60 * port::kSecond;
  port::TimeNs command_retry_min = 100 * port::kMillisecond;
  port::TimeNs command_retry_max = 2 * port::kSecond;
  // Entries read back to find what arrived (halved when the answer does not fit).
  uint16_t reconcile_results = 50;
  // While an exchange is on its way, Poll looks for its completion this often.
  port::TimeNs uplink_check_interval = 10 * port::kMillisecond;

  GatewayObserver* observer = nullptr;
};

// A node as the gateway knows it. Opaque: exposed only so storage can be declared.
struct GatewayNode {
  MacAddress mac;
  bool used = false;
  bool peer = false;  // registered with the Link
  bool raw = false;   // speaks raw payloads (a lab board)
  bool heard = false;  // sent something since the gateway started
  bool in_batch = false;  // took a reading in the transaction being built
  bool announced = false;  // its field is decided (and stored)
  int field = 0;      // 0: none
  // Re-send detection: the newest reading taken, and the newest committed.
  bool has_session = false;
  uint32_t session = 0, sequence = 0;
  bool committed_has_session = false;
  uint32_t committed_session = 0, committed_sequence = 0;
  AckResult last_result = AckResult::kStored;
  // Owed sends (made when the Link's queue has room).
  bool ack_owed = false;
  uint32_t ack_session = 0, ack_sequence = 0;
  AckResult ack_result = AckResult::kStored;
  bool hello_owed = false;
  uint32_t hello_session = 0;
  // Commands.
  uint64_t command_delivered = 0;
  bool command_in_flight = false;
  uint32_t command_send_id = 0;
  uint64_t command_sending = 0;
  uint32_t command_attempts = 0;
  port::TimeNs command_retry_at = 0;
  port::TimeNs command_backoff = 0;
};

// A record read from the durable queue, decoded; and an entry of the bulk update being built.
// Opaque, as GatewayNode.
struct GatewayBatchEntry {
  uint64_t last_id = 0;
  int64_t time_s = 0;
  uint32_t records = 0;
};

// Storage the gateway uses for its whole life.
struct GatewayMemory {
  std::span<GatewayNode> nodes;             // at most the Link's peer limit minus one
  std::span<port::QueuedRecord> records;    // readings per bulk update, at most
  MutableByteSpan record_bytes;             // their bytes (~ 16 + value each)
  std::span<GatewayBatchEntry> entries;     // as many as records
  MutableByteSpan ingest_bytes;             // readings committed in one transaction
  std::span<ByteSpan> ingest_records;       //   (and their count)
  std::span<port::Mark> ingest_marks;       // marks per transaction (at least nodes.size())
  MutableByteSpan write_request;            // a bulk update's body
  MutableByteSpan write_answer;             // the read-back feed
  MutableByteSpan read_request;             // the command poll
  MutableByteSpan read_answer;
};

class Gateway final : private espnow::LinkListener, private port::TimerListener {
 public:
  // Every reference must outlive the gateway. `clock` is the time base of the Timer and
  // the Link; `wall_clock` gives ns since the Unix epoch: the cloud's time, for created_at
  // and the rate limit. The Link must be disabled: Start enables it.
  Gateway(espnow::Link& link, port::DurableQueue& store, port::Uplink& uplink,
          const port::Clock& clock, const port::Clock& wall_clock, port::Timer& timer,
          port::Rng& rng, const GatewayMemory& memory, const GatewayConfig& config);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Loads the nodes and the queue's state from the durable queue, enables the Link and starts
  // the loops (first a read-back of the channel). kInvalidArgument: a bad configuration
  // (no channel or write key, a field outside 1..8, memory too small, a name that does
  // not fit a tag). kUnavailable: the durable queue failed. The Link's errors.
  Status Start(uint8_t home_channel);
  // Does what is due. The gateway's timer calls it; others may too (after handing it an
  // uplink completion, say). Harmless when nothing is due.
  void Poll();
  // The Wi-Fi station (re)connected on `channel`; the radio is on it already. Nodes find
  // the gateway there by scanning.
  void OnHomeChannel(uint8_t channel);

  // An uplink exchange is on its way (its completion has not been taken in yet).
  bool uplink_in_flight() const;
  // Of which a bulk update (readings the cloud may be taking right now).
  bool bulk_in_flight() const { return write_op_ == WriteOp::kBulk; }
  uint8_t home_channel() const { return home_channel_; }
  const GatewayStats& stats() const { return stats_; }
  // The nodes known, by index (< node_count()).
  size_t node_count() const;
  const GatewayNode& node(size_t index) const;
  // The newest command read from the cloud (0: none yet).
  uint64_t command_id() const { return command_id_; }

 private:
  enum class WriteOp : uint8_t { kNone, kBulk, kReconcile };
  // Completions copied from the uplink's context.
  struct WriteInbox {
    std::atomic<bool> ready{false};
    cloud::ErrorCode code = cloud::ErrorCode::kOk;
    Status transport;
    bool tag_found = false;
    uint64_t tag_id = 0;
    int64_t newest_time_s = -1;
    uint16_t fields = 0;  // bit n: the channel has field n
  };
  struct ReadInbox {
    std::atomic<bool> ready{false};
    cloud::ErrorCode code = cloud::ErrorCode::kOk;
    int64_t entry_id = 0;
    bool has_value = false;
    std::array<char, cloud::kMaxValueChars * 4> value{};  // 255 characters of UTF-8
    size_t value_size = 0;
  };
  class WriteListener final : public cloud::ThingSpeakListener {
   public:
    explicit WriteListener(Gateway& g) : g_(g) {}
    void OnDone(const cloud::Completion& done) override { g_.OnWriteDone(done); }

   private:
    Gateway& g_;
  };
  class ReadListener final : public cloud::ThingSpeakListener {
   public:
    explicit ReadListener(Gateway& g) : g_(g) {}
    void OnDone(const cloud::Completion& done) override { g_.OnReadDone(done); }

   private:
    Gateway& g_;
  };
  class BatchSource;

  // espnow::LinkListener, port::TimerListener
  void OnReceive(const espnow::ReceivedInfo& info) override;
  void OnSendDone(const espnow::SendReport& report) override;
  void OnTimer() override { Poll(); }

  // From the uplink's context.
  void OnWriteDone(const cloud::Completion& done);
  void OnReadDone(const cloud::Completion& done);

  Status LoadState();
  GatewayNode* FindNode(const MacAddress& mac);
  // The node's slot, made (with a field and a Link peer) when new; nullptr when full.
  GatewayNode* TakeNode(const MacAddress& mac, port::TimeNs now);
  // The configured field, or the lowest free one of `enabled` (bit n: field n); 0: none.
  int FieldFor(const MacAddress& mac, uint16_t enabled) const;
  bool FieldEnabled(int field) const;
  // Gives a node its field once that can be decided, stores it and announces the node.
  void AssignField(GatewayNode& node, uint16_t enabled, port::TimeNs now);
  // The channel's fields, from a read-back (or all eight when it cannot be read).
  void LearnFields(uint16_t fields, port::TimeNs now);
  Status EnsurePeer(GatewayNode& node);
  void PersistNode(const GatewayNode& node);

  // Receive path: drains the Link into transactions.
  void Ingest(port::TimeNs now);
  // Commits a transaction's readings and marks; on failure the nodes' state goes back.
  void CommitIngest(size_t records, size_t marks, port::TimeNs now);
  enum class SendResult : uint8_t { kSent, kBlocked, kFailed };
  // kBlocked: the Link's queue is full (sends_blocked_ is set); kFailed: any other refusal.
  SendResult SendMessage(const MacAddress& to, ByteSpan payload);
  void SendOwed();

  // Uplink.
  void TakeWriteInbox(port::TimeNs now);
  void TakeReadInbox(port::TimeNs now);
  void StepUplink(port::TimeNs now);
  void StartBulk(port::TimeNs now);
  void StartReconcile(port::TimeNs now);
  void BackOff(port::TimeNs now);
  // Removes the readings up to `id` from the durable queue; returns how many went.
  uint64_t RemoveThrough(uint64_t id, port::TimeNs now);
  void StepCommands(port::TimeNs now);
  bool NeedsCommand(const GatewayNode& node) const;
  void ForwardCommands(port::TimeNs now);
  void ArmTimer(port::TimeNs now);

  void Emit(GatewayEvent event);
  void BuildTagPrefix();
  size_t WriteTag(uint64_t id, std::span<char> out) const;

  espnow::Link& link_;
  port::DurableQueue& store_;
  const port::Clock& clock_;
  const port::Clock& wall_clock_;
  port::Timer& timer_;
  port::Rng& rng_;
  GatewayMemory memory_;
  GatewayConfig config_;
  WriteListener write_listener_{*this};
  ReadListener read_listener_{*this};
  cloud::ThingSpeak write_client_;
  cloud::ThingSpeak read_client_;

  bool started_ = false;
  uint8_t home_channel_ = 0;
  uint32_t incarnation_ = 0;
  GatewayStats stats_;

  // Uplink state (the application's context).
  WriteOp write_op_ = WriteOp::kNone;
  bool reconcile_needed_ = true;
  uint16_t reconcile_results_ = 0;
  port::TimeNs write_retry_at_ = 0;
  port::TimeNs backoff_ = 0;
  int64_t last_time_s_ = 0;  // the newest created_at in the channel we know of
  // Bit n: the channel has field n; known from a read-back, now or in an earlier run.
  uint16_t channel_fields_ = 0;
  bool fields_known_ = false;
  uint64_t batch_first_id_ = 0, batch_last_id_ = 0, batch_records_ = 0;
  size_t batch_entries_ = 0;
  int64_t batch_last_time_s_ = 0;
  bool read_in_flight_ = false;
  port::TimeNs next_command_poll_ = 0;
  uint64_t command_id_ = 0;
  std::array<std::byte, cloud::kMaxValueChars * 4> command_value_{};
  size_t command_value_size_ = 0;
  bool sends_blocked_ = false;  // the Link's queue was full: try the owed sends again soon
  uint32_t last_send_id_ = 0;
  std::array<char, 64> tag_prefix_{};  // written by Start, read from the uplink's context
  size_t tag_prefix_size_ = 0;
  std::array<std::byte, espnow::kMaxPayloadV2> rx_buffer_{};

  WriteInbox write_inbox_;
  ReadInbox read_inbox_;
};

// The gateway's storage as members, sized by template parameters. Defaults: 19 nodes (the
// ESP-IDF peer table's 20 minus broadcast), 128 readings per bulk update, a 16 KB bulk
// body, a 32 KB read-back, 64 readings per transaction.
template <size_t kNodes = 19, size_t kRecords = 128, size_t kIngest = 64,
          size_t kRequestBytes = 16384, size_t kAnswerBytes = 32768>
class GatewayBuffers {
 public:
  GatewayMemory memory() {
    return {nodes_,        records_,      record_bytes_, entries_,
            ingest_bytes_, ingest_records_, ingest_marks_, write_request_,
            write_answer_, read_request_, read_answer_};
  }

 private:
  static constexpr size_t kRecordBytes = 16 + kMaxValueSize;
  std::array<GatewayNode, kNodes> nodes_{};
  std::array<port::QueuedRecord, kRecords> records_{};
  std::array<std::byte, kRecords * kRecordBytes> record_bytes_{};
  std::array<GatewayBatchEntry, kRecords> entries_{};
  std::array<std::byte, kIngest * kRecordBytes> ingest_bytes_{};
  std::array<ByteSpan, kIngest> ingest_records_{};
  std::array<port::Mark, kIngest + kNodes> ingest_marks_{};
  std::array<std::byte, kRequestBytes> write_request_{};
  std::array<std::byte, kAnswerBytes> write_answer_{};
  std::array<std::byte, 512> read_request_{};
  std::array<std::byte, 2048> read_answer_{};
};

}  // namespace airlab::apps
