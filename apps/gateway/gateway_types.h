#pragma once
// The plain types of apps::Gateway (gateway.h): its configuration, events, statistics and
// storage. Apart from the class so that the gateway's parts (README.md) can share them.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "apps/common/messages.h"
#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/status.h"
#include "core/cloud/bulk.h"
#include "core/cloud/entry.h"
#include "core/cloud/errors.h"
#include "core/cloud/rate_limiter.h"
#include "core/port/clock.h"
#include "core/port/durable_queue.h"

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
  kCloudRefused,   // code (kAuthRequired: the write key; kNotFound: the channel), id (channel):
                   // the cloud refuses the writes for good until it is fixed. Once per run of
                   // such refusals (each is a kUplinkError too); the readings stay queued and
                   // are sent again with back-off.
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
  uint64_t received = 0;       // readings taken (airlab and raw), re-sends not counted
  uint64_t duplicates = 0;     // re-sent readings recognised and confirmed again
  uint64_t rejected = 0;       // readings refused for good
  uint64_t stored = 0;         // readings committed to the durable queue
  uint64_t posted = 0;         // readings the cloud accepted
  uint64_t entries = 0;        // channel entries they made
  uint64_t bulk_requests = 0;  // bulk updates sent
  uint64_t write_refused = 0;  // of which refused for the rate limit
  uint64_t uplink_errors = 0;  // exchanges that failed otherwise
  uint64_t reconciles = 0;     // read-backs done
  uint64_t reconciled = 0;     // readings found already in the channel by them
  uint64_t commands = 0;       // new commands read from the cloud
  uint64_t forwarded = 0;      // command deliveries ACKed by nodes
  uint64_t forward_attempts = 0;
  uint64_t hellos = 0;  // discovery answers sent
  uint64_t store_errors = 0;
  uint64_t queued = 0;  // readings in the durable queue, not yet accepted by the cloud
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

// A node as the gateway knows it, its fields grouped by the part of the gateway that keeps
// them (README.md). Opaque but for `mac` and `field`: exposed so storage can be declared.
struct GatewayNode {
  // The node table's (node_table.h).
  MacAddress mac;
  bool used = false;
  bool peer = false;       // registered with the Link
  bool raw = false;        // speaks raw payloads (a lab board)
  bool announced = false;  // its field is decided (and stored)
  int field = 0;           // 0: none

  // A node's (session, sequence) position: the newest reading of a session taken.
  struct SequencePoint {
    bool has_session = false;
    uint32_t session = 0;
    uint32_t sequence = 0;
  };
  // Re-send detection (reading_intake.h): the newest reading taken, and the newest
  // committed, to which `taken` goes back when a transaction fails.
  struct Sequence {
    SequencePoint taken;
    SequencePoint committed;
    bool in_batch = false;  // took a reading in the transaction being built
    AckResult last_result = AckResult::kStored;
  } sequence;

  // Replies owed (reading_intake.h), sent when the Link's queue has room.
  struct Replies {
    bool ack_owed = false;
    uint32_t ack_session = 0;
    uint32_t ack_sequence = 0;
    AckResult ack_result = AckResult::kStored;
    bool hello_owed = false;
    uint32_t hello_session = 0;
  } replies;

  // Command delivery (command_forwarder.h).
  struct Commands {
    uint64_t delivered = 0;  // the newest command its radio ACKed (kept in the queue)
    bool in_flight = false;  // a command frame is with the Link
    uint32_t send_id = 0;    // the Link's id for it
    uint64_t sending = 0;    // the command it carries
    uint32_t attempts = 0;
    port::TimeNs retry_at = 0;
    port::TimeNs backoff = 0;
  } command;
};

// An entry of the bulk update being built: its last reading, its created_at, how many
// readings it carries (cloud_writer.h). Opaque, as GatewayNode.
struct GatewayBatchEntry {
  uint64_t last_id = 0;
  int64_t time_s = 0;
  uint32_t records = 0;
};

// Storage the gateway uses for its whole life.
struct GatewayMemory {
  std::span<GatewayNode> nodes;           // at most the Link's peer limit minus one
  std::span<port::QueuedRecord> records;  // readings per bulk update, at most
  MutableByteSpan record_bytes;           // their bytes (~ 16 + value each)
  std::span<GatewayBatchEntry> entries;   // as many as records
  MutableByteSpan ingest_bytes;           // readings committed in one transaction
  std::span<ByteSpan> ingest_records;     //   (and their count)
  std::span<port::Mark> ingest_marks;     // marks per transaction (at least nodes.size())
  MutableByteSpan write_request;          // a bulk update's body
  MutableByteSpan write_answer;           // the read-back feed
  MutableByteSpan read_request;           // the command poll
  MutableByteSpan read_answer;
};

}  // namespace airlab::apps
