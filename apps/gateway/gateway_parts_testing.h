#pragma once
// Host-only: what the unit tests of the gateway's parts share, the fakes of the ports
// (apps/common/fake_ports_testing.h) wired into the pieces every part needs (a node
// table, the events as a list, statistics).

#include <vector>

#include "apps/common/fake_ports_testing.h"
#include "apps/common/messages.h"
#include "apps/gateway/event_sink.h"
#include "apps/gateway/gateway.h"
#include "apps/gateway/node_table.h"
#include "core/port/waiter.h"  // kForever

namespace airlab::apps::testing {

using namespace airlab::testing;

class EventLog final : public GatewayObserver {
 public:
  void OnGatewayEvent(const GatewayEvent& e) override {
    events.push_back(e);
    events.back().value = {};  // valid during the call only
    values.push_back(ToString(e.value));
  }
  size_t Count(GatewayEventKind kind) const {
    return static_cast<size_t>(std::count_if(
        events.begin(), events.end(), [&](const GatewayEvent& e) { return e.kind == kind; }));
  }
  const GatewayEvent* Last(GatewayEventKind kind) const {
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (it->kind == kind) return &*it;
    }
    return nullptr;
  }
  std::vector<GatewayEvent> events;
  std::vector<std::string> values;
};

inline MacAddress NodeMac(uint8_t n) { return MacAddress({0x02, 0, 0, 0, 0, n}); }

inline Bytes MessageBytes(const Message& m) {
  std::array<std::byte, kMaxMessageSize> buffer;
  return ToBytes(WriteMessage(m, buffer).value());
}

inline Message Reading(uint32_t session, uint32_t sequence, std::string_view value) {
  Message m;
  m.type = MessageType::kReading;
  m.session = session;
  m.sequence = sequence;
  m.value = AsBytes(value.data(), value.size());
  return m;
}

// The parts' common ground: ports, storage, a config, and a node table over them.
struct PartsFixture {
  PartsFixture() { link.SetEnabled(true).IgnoreError(); }

  FakeClock clock;
  FakeLink link;
  FakeQueue queue;
  EventLog log;
  GatewayBuffers<4, 8, 8, 4096, 4096> buffers;  // 8 readings a transaction
  GatewayMemory memory = buffers.memory();
  GatewayConfig config = [this] {
    GatewayConfig c;
    c.channel_id = 7;
    c.write_key = "WKEY";
    c.observer = &log;
    return c;
  }();
  GatewayStats stats;
  EventSink events{&log, clock};
  NodeTable nodes{memory.nodes, link, queue, config, stats, events};
};

}  // namespace airlab::apps::testing
