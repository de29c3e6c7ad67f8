#pragma once
// apps::Node: the lab's Slave. It sends readings to its gateway and acts on the commands
// the gateway brings from the cloud:
//
// - Readings wait in a bounded queue (caller's storage) until the gateway confirms they
//   are in its durable store (messages.h, kAck). ESP-NOW's own delivery report is not
//   enough: it comes from the gateway's radio before the gateway stored anything. They go
//   one at a time, in order, each with this boot's session and a sequence number, so a
//   re-send after a lost confirmation is recognised and stored once.
// - Discovery: the node does not know the gateway's channel (its router's, which may
//   change). It scans the channels, broadcasting kDiscover on each and listening for a
//   kHello, and locks onto the channel where a gateway answers. When sends fail
//   `max_failures` times in a row (no radio ACK, or no confirmation), the gateway has
//   moved or gone: the node scans again. Queued readings stay queued meanwhile.
// - Commands arrive with the cloud entry id that made them; each is reported once.
// - With nothing to send for `keepalive`, it pings the gateway, so a moved gateway is
//   noticed (and commands reach it) even when the node is quiet.
//
// Parts (README.md): ReadingQueue (readings and their sequence numbers), GatewayScan
// (finding the gateway's channel), CommandFilter (each command once); Node composes them
// with the send loop.
//
// Calling context: as the gateway's (gateway.h): one context for everything.

#include <cstddef>
#include <cstdint>

#include "apps/common/messages.h"
#include "apps/node/command_filter.h"
#include "apps/node/gateway_scan.h"
#include "apps/node/reading_queue.h"
#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/result.h"
#include "core/base/status.h"
#include "core/espnow/link.h"
#include "core/port/channel_control.h"
#include "core/port/clock.h"
#include "core/port/radio.h"
#include "core/port/rng.h"
#include "core/port/timer.h"
#include "core/port/waiter.h"

namespace airlab::apps {

// port::ChannelControl over a Radio that the node owns alone: the sim's and the hub's.
class RadioChannelControl final : public port::ChannelControl {
 public:
  explicit RadioChannelControl(port::Radio& radio) : radio_(radio) {}
  uint8_t channel() const override { return radio_.channel(); }

 private:
  Status DoSetChannel(uint8_t channel) override { return radio_.SetChannel(channel); }
  port::Radio& radio_;
};

enum class NodeEventKind : uint8_t {
  kScanning,   // channel: a scan starts there
  kLinked,     // gateway, channel: a gateway answered
  kLost,       // gateway, count (failures in a row): scanning again
  kDelivered,  // sequence, value: the gateway stored the reading
  kRejected,   // sequence, value: the gateway will never store it (it is dropped)
  kCommand,    // id, value: a command (id 0: a bare payload from a lab master)
};

struct NodeEvent {
  NodeEventKind kind = NodeEventKind::kDelivered;
  port::TimeNs time = 0;
  MacAddress gateway;
  uint8_t channel = 0;
  uint32_t sequence = 0;
  uint64_t id = 0;
  uint64_t count = 0;
  ByteSpan value;  // valid during the call
};

class NodeObserver {
 public:
  // From the node's context; must not call back into the node.
  virtual void OnNodeEvent(const NodeEvent& event) = 0;

 protected:
  ~NodeObserver() = default;
};

struct NodeStats {
  uint64_t accepted = 0;   // readings taken by Send
  uint64_t refused = 0;    // readings Send refused: the queue was full
  uint64_t delivered = 0;  // confirmed stored by the gateway
  uint64_t rejected = 0;   // refused for good by the gateway
  uint64_t attempts = 0;   // reading frames sent, re-sends included
  uint64_t failures = 0;   // sends that got no radio ACK or no confirmation in time
  uint64_t scans = 0;      // scans started
  uint64_t commands = 0;   // distinct commands received
};

struct NodeConfig {
  // Channels to scan: bit n for channel n (default 1-13, the channels every regulatory
  // domain but Japan's allows).
  uint16_t channels = 0x3ffe;
  // How long to listen for a kHello on each channel, and to wait after a scan found none.
  port::TimeNs dwell = 100 * port::kMillisecond;
  port::TimeNs scan_pause = port::kSecond;
  // The gateway's confirmation must follow the radio's ACK within this.
  port::TimeNs ack_timeout = 200 * port::kMillisecond;
  // Before sending again after a failure.
  port::TimeNs retry_delay = 20 * port::kMillisecond;
  // Failures in a row that send the node scanning.
  uint32_t max_failures = 5;
  port::TimeNs keepalive = 5 * port::kSecond;
  // Only this gateway (the all-zero address: any that answers).
  MacAddress gateway;
  NodeObserver* observer = nullptr;
};

class Node final : private espnow::LinkListener, private port::TimerListener {
 public:
  // Each queued reading takes its value plus 6 bytes of `queue_storage`.
  static constexpr size_t kQueueOverhead = ReadingQueue::kOverhead;

  // Every reference must outlive the node. The Link must be disabled: Start enables it.
  Node(espnow::Link& link, port::ChannelControl& channel, const port::Clock& clock,
       port::Timer& timer, port::Rng& rng, MutableByteSpan queue_storage,
       const NodeConfig& config = {});
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Enables the Link, draws this boot's session and starts scanning. kInvalidArgument: no
  // channel to scan, or zero timings. The Link's errors.
  Status Start();

  // Queues a reading and returns its sequence number. kInvalidArgument: empty or over
  // kMaxValueSize bytes. kResourceExhausted: the queue is full (nothing queued).
  // kFailedPrecondition: not started.
  Result<uint32_t> Send(ByteSpan value);

  // Does what is due; the node's timer calls it.
  void Poll();

  bool linked() const { return state_ == State::kLinked; }
  const MacAddress& gateway() const { return gateway_; }
  uint8_t channel() const { return channel_.channel(); }
  size_t queued() const { return queue_.count(); }
  uint32_t session() const { return session_; }
  const NodeStats& stats() const { return stats_; }

 private:
  enum class State : uint8_t { kStopped, kScanning, kLinked };

  // espnow::LinkListener, port::TimerListener
  void OnReceive(const espnow::ReceivedInfo& info) override;
  void OnSendDone(const espnow::SendReport& report) override;
  void OnTimer() override { Poll(); }

  void Drain(port::TimeNs now);
  void Handle(const MacAddress& src, const Message& message, port::TimeNs now);
  void OnHello(const MacAddress& src, port::TimeNs now);
  void OnAck(const MacAddress& src, const Message& message, port::TimeNs now);
  void OnCommand(const MacAddress& src, const Message& message, port::TimeNs now);
  void StartScan(port::TimeNs now);
  void StepScan(port::TimeNs now);
  void StepSend(port::TimeNs now);
  void Failure(port::TimeNs now);
  Status Transmit(const MacAddress& to, const Message& message);
  void ArmTimer(port::TimeNs now);
  void Emit(const NodeEvent& event) const;

  espnow::Link& link_;
  port::ChannelControl& channel_;
  const port::Clock& clock_;
  port::Timer& timer_;
  port::Rng& rng_;
  ReadingQueue queue_;
  NodeConfig config_;
  GatewayScan scan_;
  CommandFilter commands_;

  State state_ = State::kStopped;
  uint32_t session_ = 0;
  MacAddress gateway_;
  bool gateway_peer_ = false;
  NodeStats stats_;

  // Sending.
  bool in_flight_ = false;  // a frame is with the Link
  uint32_t send_id_ = 0;
  bool sending_ping_ = false;
  uint32_t sending_sequence_ = 0;
  bool awaiting_ack_ = false;  // the radio ACKed the head; its confirmation is due
  port::TimeNs ack_deadline_ = 0;
  port::TimeNs retry_at_ = 0;
  uint32_t failures_ = 0;
  port::TimeNs last_contact_ = 0;

  std::array<std::byte, espnow::kMaxPayloadV2> rx_buffer_{};
};

}  // namespace airlab::apps
