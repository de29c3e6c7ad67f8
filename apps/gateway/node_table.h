#pragma once
// The gateway's nodes: a fixed table of GatewayNode slots (caller's storage), each node
// registered as a Link peer and given its field, what the channel has, and kept in the
// durable queue's marks so that a restart knows them again.
//
// Fields: a configured mapping wins; otherwise (auto_fields) the lowest field that no
// other node and no mapping holds, in the order nodes are first heard, and only among the
// fields the channel has (ThingSpeak drops values for the others without a word). Until a
// read-back told the channel's fields (LearnFields), all eight are assumed for a new node,
// so a gateway that starts without its cloud still stores readings.
//
// Calling context: the gateway's.

#include <cstddef>
#include <cstdint>
#include <span>

#include "apps/gateway/event_sink.h"
#include "apps/gateway/gateway_types.h"
#include "core/base/mac_address.h"
#include "core/base/status.h"
#include "core/espnow/link.h"
#include "core/port/durable_queue.h"

namespace airlab::apps {

// Bit n for field n: what a channel with all eight fields has.
inline constexpr uint16_t kAllFields = 0x1fe;

class NodeTable {
 public:
  // Every reference must outlive the table.
  NodeTable(std::span<GatewayNode> slots, espnow::Link& link, port::DurableQueue& queue,
            const GatewayConfig& config, GatewayStats& stats, const EventSink& events);

  // Loads the nodes (their fields, delivered commands and sequence numbers) and the
  // channel's fields from the marks, reading them `scratch.size()` at a time.
  // kUnavailable: the durable queue failed. Nodes beyond the table's room are left out:
  // they are found again when they speak.
  Status Load(std::span<port::Mark> scratch);
  // Registers every node as a Link peer (the Link must be enabled); a full peer table
  // leaves the node without commands, nothing else.
  void RegisterPeers();

  GatewayNode* Find(const MacAddress& mac);
  // The node's slot, made (with a Link peer and, once it can be decided, a field) when it
  // is new; nullptr when the table is full.
  GatewayNode* Take(const MacAddress& mac, port::TimeNs now);
  // Whether a reading for `node` can be stored: it has a field the channel has (or the
  // channel's fields are not known yet).
  bool Accepts(const GatewayNode& node) const;
  // The channel's fields, from a read-back (bit n: field n). Kept in the durable queue;
  // nodes still waiting for a field get theirs.
  void LearnFields(uint16_t fields, port::TimeNs now);
  // Stores the node's field and delivered command; a failure is a kStoreError event.
  void Persist(const GatewayNode& node);

  size_t count() const;
  // The `index`-th node in use (index < count()).
  const GatewayNode& at(size_t index) const;
  // Every slot, used or not (callers skip `!used`).
  std::span<GatewayNode> slots() { return slots_; }
  std::span<const GatewayNode> slots() const { return slots_; }

 private:
  GatewayNode* FreeSlot();
  // The configured field, or the lowest free one of `enabled` (bit n: field n); 0: none.
  int FieldFor(const MacAddress& mac, uint16_t enabled) const;
  // Gives a node its field once that can be decided, stores it and announces the node.
  void AssignField(GatewayNode& node, uint16_t enabled, port::TimeNs now);
  Status EnsurePeer(GatewayNode& node);
  Status LoadMarks(uint64_t base, std::span<port::Mark> scratch);

  std::span<GatewayNode> slots_;
  espnow::Link& link_;
  port::DurableQueue& queue_;
  const GatewayConfig& config_;
  GatewayStats& stats_;
  const EventSink& events_;
  // Bit n: the channel has field n; known from a read-back, now or in an earlier run.
  uint16_t channel_fields_ = 0;
  bool fields_known_ = false;
};

}  // namespace airlab::apps
