#pragma once
// Commands from the cloud to the nodes: `command_field` of `command_channel_id` is read
// every `command_poll_interval` (as the lab's master_cloud_to_slave.py does); a new entry
// (a higher entry id) is a command, sent to every node until its radio acknowledges it,
// with back-off between attempts (command_retry_min doubling up to command_retry_max). The
// entry id is the command id, so a node acts on each once; a lab board (raw payloads)
// gets the bare value. What each node got is kept in the durable queue (NodeTable).
//
// Calling context: the gateway's, but for the ThingSpeak client's completion, which may
// come from the uplink's context: it only fills an inbox that TakeAnswer empties.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "apps/gateway/event_sink.h"
#include "apps/gateway/gateway_types.h"
#include "apps/gateway/node_sender.h"
#include "apps/gateway/node_table.h"
#include "core/cloud/thingspeak.h"
#include "core/espnow/link.h"
#include "core/port/clock.h"
#include "core/port/uplink.h"

namespace airlab::apps {

class CommandForwarder final : private cloud::ThingSpeakListener {
 public:
  // References must outlive the forwarder. Without a command channel it does nothing.
  CommandForwarder(port::Uplink& uplink, const port::Clock& wall_clock, MutableByteSpan request,
                   MutableByteSpan answer, NodeTable& nodes, NodeSender& sender,
                   const GatewayConfig& config, GatewayStats& stats, const EventSink& events);

  // The first poll is due at `now`.
  void Start(port::TimeNs now) { next_poll_ = now; }
  // Takes in a completed read of the command field, if there is one.
  void TakeAnswer(port::TimeNs now);
  // Reads the command field when that is due.
  void Poll(port::TimeNs now);
  // Sends the newest command to the nodes that still need it, until the Link is full.
  void Forward(port::TimeNs now);
  // The Link's report of a frame; those of command frames end an attempt.
  void OnSendDone(const espnow::SendReport& report, port::TimeNs now);
  // When Poll or Forward has something to do next; port::kForever: nothing.
  port::TimeNs NextDeadline(port::TimeNs now) const;

  bool read_in_flight() const { return read_in_flight_; }
  uint64_t command_id() const { return command_id_; }

 private:
  struct Inbox {
    std::atomic<bool> ready{false};
    cloud::ErrorCode code = cloud::ErrorCode::kOk;
    int64_t entry_id = 0;
    bool has_value = false;
    std::array<char, cloud::kMaxValueChars * 4> value{};  // 255 characters of UTF-8
    size_t value_size = 0;
  };

  void OnDone(const cloud::Completion& done) override;  // the uplink's context
  bool Needs(const GatewayNode& node) const;
  void RetryLater(GatewayNode& node, port::TimeNs now) const;

  cloud::ThingSpeak client_;
  NodeTable& nodes_;
  NodeSender& sender_;
  const GatewayConfig& config_;
  GatewayStats& stats_;
  const EventSink& events_;

  bool read_in_flight_ = false;
  port::TimeNs next_poll_ = 0;
  uint64_t command_id_ = 0;
  std::array<std::byte, cloud::kMaxValueChars * 4> value_{};
  size_t value_size_ = 0;
  Inbox inbox_;
};

}  // namespace airlab::apps
