#pragma once
// The receive path: messages from the nodes become transactions of the durable queue, and
// the nodes get their replies.
//
// - A reading is recognised as a re-send by its (session, sequence): not newer than the
//   newest taken from the node in this session. A re-send is confirmed again with the
//   answer the reading got (kDuplicate), never stored twice.
// - The readings of one batch are committed in one transaction with one sequence mark per
//   node, and only then confirmed (kAck): a node forgets only readings that survive a
//   crash. When the commit fails, every node's sequence goes back to the last committed
//   and no confirmation goes out: the nodes send again.
// - A reading without a usable field or value is refused for good (kAck kRejected).
// - kDiscover is answered with kHello on the home channel.
//
// Use: Take messages while HasRoom(), then Commit; SendReplies when the Link has room.
// Calling context: the gateway's.

#include <cstddef>
#include <cstdint>

#include "apps/common/messages.h"
#include "apps/gateway/event_sink.h"
#include "apps/gateway/gateway_types.h"
#include "apps/gateway/node_sender.h"
#include "apps/gateway/node_table.h"
#include "core/espnow/link.h"
#include "core/port/durable_queue.h"

namespace airlab::apps {

class ReadingIntake {
 public:
  // `memory`'s ingest buffers hold one transaction. References must outlive the intake.
  ReadingIntake(NodeTable& nodes, port::DurableQueue& queue, const GatewayMemory& memory,
                bool accept_raw, GatewayStats& stats, const EventSink& events);

  // Whether the transaction being built has room for one more message.
  bool HasRoom() const;
  // Takes one message heard from `info.src`; `wall_ms` is the reading's time.
  void Take(const espnow::ReceivedInfo& info, const Message& message, int64_t wall_ms,
            port::TimeNs now);
  // Commits the transaction built since the last Commit (nothing when it is empty).
  void Commit(port::TimeNs now);
  // Sends the hellos and confirmations owed, until the Link's queue is full.
  void SendReplies(NodeSender& sender, uint8_t home_channel);

 private:
  void TakeReading(const espnow::ReceivedInfo& info, const Message& message, int64_t wall_ms,
                   port::TimeNs now);
  // True (and the confirmation owed again) when `message` was taken before.
  bool Resent(GatewayNode& node, const Message& message, port::TimeNs now);
  // Notes the node's new sequence in the transaction's marks (one per node).
  void NoteSequence(GatewayNode& node, const Message& message);
  void Reject(const GatewayNode& node, ByteSpan value, port::TimeNs now);

  NodeTable& nodes_;
  port::DurableQueue& queue_;
  const GatewayMemory& memory_;
  bool accept_raw_;
  GatewayStats& stats_;
  const EventSink& events_;
  // The transaction being built.
  size_t records_ = 0;
  size_t marks_ = 0;
  size_t bytes_ = 0;
  bool touched_ = false;  // a node's sequence moved, even without a record
};

}  // namespace airlab::apps
