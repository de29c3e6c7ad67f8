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
// on the air hub, on Linux and (later) on an ESP32. Gateway composes its parts, one job
// each (README.md): NodeTable, ReadingIntake, CloudWriter, CommandForwarder.
//
// Calling context: everything - Start, Poll, OnHomeChannel, and the Link's and Timer's
// listener calls - must come from one context (the sim's scheduler thread, a hub client's
// thread, the device's application task); where the Link reports from another task its
// owner serialises. Only the uplink's completions may come from the uplink's own context:
// they are copied into an inbox that Poll empties (it looks every uplink_check_interval
// while an exchange is on its way).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "apps/gateway/cloud_writer.h"
#include "apps/gateway/command_forwarder.h"
#include "apps/gateway/event_sink.h"
#include "apps/gateway/gateway_types.h"
#include "apps/gateway/node_sender.h"
#include "apps/gateway/node_table.h"
#include "apps/gateway/reading_intake.h"
#include "core/base/status.h"
#include "core/espnow/link.h"
#include "core/port/clock.h"
#include "core/port/durable_queue.h"
#include "core/port/rng.h"
#include "core/port/timer.h"
#include "core/port/uplink.h"

namespace airlab::apps {

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
  bool bulk_in_flight() const { return writer_.bulk_in_flight(); }
  uint8_t home_channel() const { return home_channel_; }
  const GatewayStats& stats() const { return stats_; }
  // The nodes known, by index (< node_count()).
  size_t node_count() const { return nodes_.count(); }
  const GatewayNode& node(size_t index) const { return nodes_.at(index); }
  // The newest command read from the cloud (0: none yet).
  uint64_t command_id() const { return commands_.command_id(); }

 private:
  // espnow::LinkListener, port::TimerListener
  void OnReceive(const espnow::ReceivedInfo& info) override;
  void OnSendDone(const espnow::SendReport& report) override;
  void OnTimer() override { Poll(); }

  // Drains the Link into the intake's transactions.
  void Receive(port::TimeNs now);
  void ArmTimer(port::TimeNs now);

  // The parts, one job each (README.md); declared in the order they are made.
  espnow::Link& link_;
  const port::Clock& clock_;
  const port::Clock& wall_clock_;
  port::Timer& timer_;
  GatewayMemory memory_;
  GatewayConfig config_;
  EventSink events_;
  GatewayStats stats_;
  NodeTable nodes_;
  NodeSender sender_;
  ReadingIntake intake_;
  CloudWriter writer_;
  CommandForwarder commands_;

  bool started_ = false;
  uint8_t home_channel_ = 0;
  std::array<std::byte, espnow::kMaxPayloadV2> rx_buffer_{};
};

// The gateway's storage as members, sized by template parameters. Defaults: 19 nodes (the
// ESP-IDF peer table's 20 minus broadcast), 128 readings per bulk update, a 16 KB bulk
// body, a 32 KB read-back, 64 readings per transaction.
template <size_t kNodes = 19, size_t kRecords = 128, size_t kIngest = 64,
          size_t kRequestBytes = 16384, size_t kAnswerBytes = 32768>
class GatewayBuffers {
 public:
  GatewayMemory memory() {
    return {nodes_,        records_,        record_bytes_, entries_,
            ingest_bytes_, ingest_records_, ingest_marks_, write_request_,
            write_answer_, read_request_,   read_answer_};
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
