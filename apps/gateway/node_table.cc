#include "apps/gateway/node_table.h"

#include <algorithm>

#include "apps/gateway/record_codec.h"
#include "core/base/assert.h"
#include "core/cloud/entry.h"

namespace airlab::apps {

NodeTable::NodeTable(std::span<GatewayNode> slots, espnow::Link& link, port::DurableQueue& queue,
                     const GatewayConfig& config, GatewayStats& stats, const EventSink& events)
    : slots_(slots), link_(link), queue_(queue), config_(config), stats_(stats), events_(events) {}

Status NodeTable::Load(std::span<port::Mark> scratch) {
  Result<uint64_t> fields = queue_.GetMark(FieldsMarkKey(config_.channel_id));
  if (fields.ok()) {
    channel_fields_ = static_cast<uint16_t>(*fields);
    fields_known_ = true;
  } else if (fields.status() != Status::NotFound()) {
    return Status::Unavailable();
  }
  // Nodes with their fields and delivered commands, then their sequence numbers.
  AIRLAB_TRY(LoadMarks(kNodeMarks, scratch));
  return LoadMarks(kSequenceMarks, scratch);
}

Status NodeTable::LoadMarks(uint64_t base, std::span<port::Mark> scratch) {
  uint64_t first = base;
  while (true) {
    Result<size_t> n = queue_.ReadMarks(first, base | kMacBits, scratch);
    if (!n.ok()) return Status::Unavailable();
    for (const port::Mark& mark : scratch.first(*n)) {
      const MacAddress mac = MacFromKey(mark.key);
      GatewayNode* node = Find(mac);
      if (node == nullptr) {
        node = FreeSlot();
        if (node == nullptr) continue;  // no room: found again when it speaks
        node->used = true;
        node->mac = mac;  // field 0: the stored one follows; FieldFor would take another's
      }
      if (base == kNodeMarks) {
        node->announced = true;
        node->field = static_cast<int>(mark.value & 0xff);
        node->command.delivered = mark.value >> 8;
      } else {
        const GatewayNode::SequencePoint point{true, static_cast<uint32_t>(mark.value >> 32),
                                               static_cast<uint32_t>(mark.value)};
        node->sequence.taken = node->sequence.committed = point;
      }
    }
    if (*n < scratch.size()) return Status::Ok();
    first = scratch[*n - 1].key + 1;
  }
}

void NodeTable::RegisterPeers() {
  for (GatewayNode& node : slots_) {
    if (node.used) EnsurePeer(node).IgnoreError();  // a full table: no commands for it
  }
}

GatewayNode* NodeTable::Find(const MacAddress& mac) {
  for (GatewayNode& n : slots_) {
    if (n.used && n.mac == mac) return &n;
  }
  return nullptr;
}

GatewayNode* NodeTable::FreeSlot() {
  auto free =
      std::find_if(slots_.begin(), slots_.end(), [](const GatewayNode& g) { return !g.used; });
  if (free == slots_.end()) return nullptr;
  *free = {};
  return &*free;
}

GatewayNode* NodeTable::Take(const MacAddress& mac, port::TimeNs now) {
  if (GatewayNode* node = Find(mac)) {
    EnsurePeer(*node).IgnoreError();
    return node;
  }
  GatewayNode* node = FreeSlot();
  if (node == nullptr) return nullptr;
  node->mac = mac;
  node->used = true;
  EnsurePeer(*node).IgnoreError();
  AssignField(*node, fields_known_ ? channel_fields_ : kAllFields, now);
  return node;
}

bool NodeTable::Accepts(const GatewayNode& node) const {
  if (node.field < 1 || node.field > cloud::kFieldCount) return false;
  return !fields_known_ || (channel_fields_ >> node.field & 1) != 0;
}

int NodeTable::FieldFor(const MacAddress& mac, uint16_t enabled) const {
  for (const FieldMapping& f : config_.fields) {
    if (f.node == mac) return f.field;
  }
  if (!config_.auto_fields) return 0;
  for (int field = 1; field <= cloud::kFieldCount; ++field) {
    const bool configured = std::any_of(config_.fields.begin(), config_.fields.end(),
                                        [&](const FieldMapping& f) { return f.field == field; });
    const bool taken = std::any_of(slots_.begin(), slots_.end(), [&](const GatewayNode& n) {
      return n.used && n.field == field;
    });
    if ((enabled >> field & 1) != 0 && !configured && !taken) return field;
  }
  return 0;
}

void NodeTable::AssignField(GatewayNode& node, uint16_t enabled, port::TimeNs now) {
  if (node.announced) return;
  if (node.field == 0) node.field = FieldFor(node.mac, enabled);
  if (node.field == 0 && !fields_known_) return;  // decided once the channel's fields are known
  node.announced = true;
  Persist(node);
  events_.Emit(
      {.kind = GatewayEventKind::kNodeJoined, .time = now, .node = node.mac, .field = node.field});
}

void NodeTable::LearnFields(uint16_t fields, port::TimeNs now) {
  if (!fields_known_ || fields != channel_fields_) {
    // Kept, so a restart without the cloud still knows them.
    const port::Mark mark{FieldsMarkKey(config_.channel_id), fields};
    if (!queue_.Commit({{}, 0, {&mark, 1}}).ok()) ++stats_.store_errors;
  }
  channel_fields_ = fields;
  fields_known_ = true;
  for (GatewayNode& node : slots_) {
    if (node.used) AssignField(node, channel_fields_, now);
  }
}

Status NodeTable::EnsurePeer(GatewayNode& node) {
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

void NodeTable::Persist(const GatewayNode& node) {
  const port::Mark mark{NodeMarkKey(node.mac),
                        static_cast<uint64_t>(node.field) | node.command.delivered << 8};
  if (Status s = queue_.Commit({{}, 0, {&mark, 1}}).status(); !s.ok()) {
    ++stats_.store_errors;
    events_.Emit({.kind = GatewayEventKind::kStoreError, .status = s});
  }
}

size_t NodeTable::count() const {
  return static_cast<size_t>(
      std::count_if(slots_.begin(), slots_.end(), [](const GatewayNode& n) { return n.used; }));
}

const GatewayNode& NodeTable::at(size_t index) const {
  for (const GatewayNode& n : slots_) {
    if (n.used && index-- == 0) return n;
  }
  AIRLAB_ASSERT(false);
  return slots_[0];
}

}  // namespace airlab::apps
