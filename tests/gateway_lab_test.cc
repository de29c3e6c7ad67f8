// The "No loss", in one process: a gateway and its nodes on the simulated air,
// posting over real HTTP to airlab's ThingSpeak-compatible server, whose clock is the
// simulation's (so its 15 s rate limit is 15 simulated seconds). Every test reads the
// channel back over HTTP and checks that every reading a node was told is stored arrives
// exactly once - with the uplink down for a while, with the server refusing writes at its
// rate limit, with answers lost on the way back, with the gateway crashing mid-exchange and
// restarting on its SQLite store, with its store failing, and with the router moving the
// gateway to another channel. Commands written to the command field reach every node once.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/espnow/stack.h"
#include "host/lab.h"
#include "host/memory_queue.h"
#include "platform/linux/http_uplink.h"
#include "platform/mbedtls/mbedtls_aes128.h"
#include "tests/gateway_testing.h"
#include "tests/temp_dir.h"

namespace airlab {
namespace {

using apps::GatewayEvent;
using apps::GatewayEventKind;
using apps::NodeEvent;
using apps::NodeEventKind;
using host::Lab;
using host::LabOptions;
using port::kMillisecond;
using port::kSecond;

constexpr int64_t kEpochNs = 1714564800LL * 1'000'000'000;  // 2024-05-01T12:00:00Z

std::string Text(ByteSpan b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }
ByteSpan Span(const std::string& s) { return AsBytes(s.data(), s.size()); }

// What the nodes and the gateway reported.
class Recorder final : public host::LabObserver {
 public:
  void OnGatewayEvent(const GatewayEvent& e) override {
    ++gateway[e.kind];
    if (e.kind == GatewayEventKind::kReconciled) reconciled += e.count;
    if (verbose_) {
      std::printf("%9.3f gw %d id=%llu first=%llu n=%llu code=%d status=%s field=%d '%s'\n",
                  e.time / 1e9, static_cast<int>(e.kind), (unsigned long long)e.id,
                  (unsigned long long)e.first_id, (unsigned long long)e.count,
                  static_cast<int>(e.code), e.status.str(), e.field, Text(e.value).c_str());
    }
  }
  void OnNodeEvent(size_t node, const NodeEvent& e) override {
    if (verbose_) {
      std::printf("%9.3f node%zu %d ch=%d seq=%u id=%llu n=%llu '%s'\n", e.time / 1e9, node,
                  static_cast<int>(e.kind), e.channel, e.sequence, (unsigned long long)e.id,
                  (unsigned long long)e.count, Text(e.value).c_str());
    }
    if (e.kind == NodeEventKind::kDelivered) delivered[node].push_back(Text(e.value));
    if (e.kind == NodeEventKind::kCommand) commands[node].push_back(Text(e.value));
    if (e.kind == NodeEventKind::kLinked) linked_channels[node].push_back(e.channel);
    ++node_events[e.kind];
  }
  std::map<GatewayEventKind, int> gateway;
  uint64_t reconciled = 0;  // readings found in the channel by read-backs, all gateways
  std::map<NodeEventKind, int> node_events;
  std::map<size_t, std::vector<std::string>> delivered;
  std::map<size_t, std::vector<std::string>> commands;
  std::map<size_t, std::vector<uint8_t>> linked_channels;

 private:
  const bool verbose_ = std::getenv("AIRLAB_TEST_VERBOSE") != nullptr;
};

class GatewayLabTest : public ::testing::Test {
 protected:
  void TearDown() override {
    lab_ptr_.store(nullptr);
    lab_.reset();
    http_.reset();
    cloud_.reset();
  }

  // A server with `server_rate_s` between writes, and a Lab with these options pointed at it.
  void Make(LabOptions options, double server_rate_s = 15) {
    cloud_ = std::make_unique<testing::Cloud>(server_rate_s, [this] {
      Lab* lab = lab_ptr_.load();
      return lab != nullptr ? lab->wall_ms() : kEpochNs / kMillisecond;
    });
    linux_port::HttpUplinkOptions http;
    http.base_url = cloud_->url();
    http_ = std::make_unique<linux_port::HttpUplink>(http);
    options.epoch_ns = kEpochNs;
    options.observer = &recorder_;
    options.gateway.channel_id = static_cast<uint32_t>(cloud_->readings().id);
    options.gateway.write_key = cloud_->readings().write_key;
    options.gateway.command_channel_id = static_cast<uint32_t>(cloud_->commands().id);
    options.gateway.command_read_key = cloud_->commands().read_keys.at(0);
    lab_ = std::make_unique<Lab>(options, *http_);
    lab_ptr_.store(lab_.get());
  }

  static LabOptions ThreeNodes() {
    LabOptions o;
    o.nodes = {{"slave", host::kLabSlave, {5, 0, 0}},
               {"node2", MacAddress({0x02, 0, 0, 0, 0, 0x02}), {0, 8, 0}},
               {"node3", MacAddress({0x02, 0, 0, 0, 0, 0x03}), {-6, -3, 0}}};
    return o;
  }

  // Node `node` sends `count` readings "<name>-<k>" (k counting on from its last), one every
  // `interval` from `start`.
  void SendEvery(size_t node, int count, port::TimeNs start, port::TimeNs interval) {
    scheduled_ += count;
    for (int i = 0; i < count; ++i) {
      const int k = next_value_[node]++;
      lab_->At(start + i * interval, [this, node, k] {
        const std::string value = lab_->node_spec(node).name + "-" + std::to_string(k);
        Result<uint32_t> seq = lab_->node(node).node().Send(Span(value));
        EXPECT_TRUE(seq.ok()) << value << ": " << seq.status().str();
        ++sent_;
      });
    }
  }

  // Everything sent, confirmed, and accepted by the cloud.
  bool AllPosted() {
    if (sent_ < scheduled_) return false;
    for (size_t i = 0; i < lab_->node_count(); ++i) {
      if (lab_->node(i).node().queued() != 0) return false;
    }
    const apps::Gateway& g = lab_->gateway().gateway();
    return g.stats().queued == 0 && !g.uplink_in_flight();
  }

  int FieldOf(const MacAddress& mac) {
    const apps::Gateway& g = lab_->gateway().gateway();
    for (size_t i = 0; i < g.node_count(); ++i) {
      if (g.node(i).mac == mac) return g.node(i).field;
    }
    return 0;
  }

  // The check: each reading a node was told is stored is in the channel exactly
  // once, and nothing else is.
  void ExpectExactlyOnce(size_t expected_per_node) {
    const std::vector<testing::FeedEntry> feed = cloud_->Feed();
    size_t total = 0;
    for (size_t i = 0; i < lab_->node_count(); ++i) {
      const int field = FieldOf(lab_->node_spec(i).mac);
      ASSERT_NE(field, 0) << lab_->node_spec(i).name;
      const std::vector<std::string>& delivered = recorder_.delivered[i];
      EXPECT_EQ(delivered.size(), expected_per_node) << lab_->node_spec(i).name;
      std::map<std::string, int> counts = testing::ValueCounts(feed, field);
      for (const std::string& v : delivered) EXPECT_EQ(counts[v], 1) << v;
      const std::set<std::string> told(delivered.begin(), delivered.end());
      for (const auto& [v, n] : counts) {
        EXPECT_TRUE(told.count(v)) << "in the channel but never confirmed: " << v;
        total += static_cast<size_t>(n);
      }
    }
    EXPECT_EQ(total, expected_per_node * lab_->node_count());
    // ThingSpeak's model: one entry per second at most, times strictly increasing.
    for (size_t i = 1; i < feed.size(); ++i) {
      EXPECT_GT(feed[i].created_at_s, feed[i - 1].created_at_s) << "entry " << feed[i].entry_id;
    }
  }

  Recorder recorder_;
  std::unique_ptr<testing::Cloud> cloud_;
  std::unique_ptr<linux_port::HttpUplink> http_;
  std::unique_ptr<Lab> lab_;
  std::atomic<Lab*> lab_ptr_{nullptr};
  int scheduled_ = 0;
  int sent_ = 0;
  std::map<size_t, int> next_value_;
};

TEST_F(GatewayLabTest, NoLoss_ThreeNodes_RateLimitedBulkUpdates) {
  Make(ThreeNodes());
  lab_->Start();
  // The lab's slave_send.py: 0..4 every 0.2 s; then more, from every node.
  SendEvery(0, 5, 2 * kSecond, 200 * kMillisecond);
  SendEvery(0, 15, 4 * kSecond, 2 * kSecond);
  SendEvery(1, 20, 3 * kSecond, 1500 * kMillisecond);
  SendEvery(2, 20, 3500 * kMillisecond, 1700 * kMillisecond);
  ASSERT_TRUE(lab_->RunUntil(200 * kSecond, [&] { return AllPosted(); }));
  ExpectExactlyOnce(20);
  const apps::GatewayStats& s = lab_->gateway().gateway().stats();
  EXPECT_EQ(s.posted, 60u);
  EXPECT_EQ(s.write_refused, 0u);  // the gateway kept to the 15 s limit
  // 60 readings over ~40 s took a handful of bulk updates, not 60 updates.
  EXPECT_LE(s.bulk_requests, 6u);
  // Readings of different nodes within a second shared entries.
  EXPECT_LT(s.entries, 60u);
  // Each node has a field of its own, in the order they were first heard.
  std::set<int> fields;
  for (size_t i = 0; i < 3; ++i) fields.insert(FieldOf(lab_->node_spec(i).mac));
  EXPECT_EQ(fields, (std::set<int>{1, 2, 3}));
}

TEST_F(GatewayLabTest, NoLoss_UplinkDownForAMinute) {
  Make(ThreeNodes());
  lab_->Start();
  SendEvery(0, 30, 2 * kSecond, 3 * kSecond);
  SendEvery(1, 30, 2500 * kMillisecond, 3 * kSecond);
  SendEvery(2, 30, 3 * kSecond, 3 * kSecond);
  lab_->At(10 * kSecond, [&] { lab_->uplink().set_mode(host::FlakyUplink::Mode::kDown); });
  uint64_t queued_while_down = 0;
  lab_->At(69 * kSecond, [&] { queued_while_down = lab_->gateway().gateway().stats().queued; });
  lab_->At(70 * kSecond, [&] { lab_->uplink().set_mode(host::FlakyUplink::Mode::kUp); });
  ASSERT_TRUE(lab_->RunUntil(400 * kSecond, [&] { return AllPosted(); }));
  EXPECT_GT(lab_->uplink().refused(), 0u);
  EXPECT_GT(queued_while_down, 40u);  // a minute of readings waited in the store
  EXPECT_GT(lab_->gateway().gateway().stats().uplink_errors, 0u);
  ExpectExactlyOnce(30);
}

TEST_F(GatewayLabTest, NoLoss_ServerRefusesAtItsRateLimit) {
  LabOptions o = ThreeNodes();
  // The gateway believes in a 2 s interval; the server enforces 20 s and refuses the rest.
  o.gateway.write_interval = 2 * kSecond;
  Make(o, /*server_rate_s=*/20);
  lab_->Start();
  SendEvery(0, 25, 2 * kSecond, 2 * kSecond);
  SendEvery(1, 25, 3 * kSecond, 2 * kSecond);
  SendEvery(2, 25, 4 * kSecond, 2 * kSecond);
  ASSERT_TRUE(lab_->RunUntil(400 * kSecond, [&] { return AllPosted(); }));
  EXPECT_GT(lab_->gateway().gateway().stats().write_refused, 3u);
  ExpectExactlyOnce(25);
}

TEST_F(GatewayLabTest, ExactlyOnce_AnswersLostAfterTheServerWrote) {
  Make(ThreeNodes());
  lab_->Start();
  SendEvery(0, 20, 2 * kSecond, 2 * kSecond);
  SendEvery(1, 20, 2500 * kMillisecond, 2 * kSecond);
  SendEvery(2, 20, 3 * kSecond, 2 * kSecond);
  lab_->At(10 * kSecond, [&] { lab_->uplink().set_mode(host::FlakyUplink::Mode::kLoseAnswers); });
  lab_->At(50 * kSecond, [&] { lab_->uplink().set_mode(host::FlakyUplink::Mode::kUp); });
  ASSERT_TRUE(lab_->RunUntil(400 * kSecond, [&] { return AllPosted(); }));
  const apps::GatewayStats& s = lab_->gateway().gateway().stats();
  EXPECT_GT(lab_->uplink().lost(), 0u);
  // The read-back found readings the cloud had taken although no answer said so.
  EXPECT_GT(s.reconciled, 0u);
  ExpectExactlyOnce(20);
}

TEST_F(GatewayLabTest, ExactlyOnce_GatewayCrashesMidExchangeAndRestartsOnItsSqliteStore) {
  const testing_tools::TempDir dir;
  LabOptions o = ThreeNodes();
  o.store = dir.path() / "gateway.db";
  Make(o);
  lab_->Start();
  SendEvery(0, 30, 2 * kSecond, 2 * kSecond);
  SendEvery(1, 30, 2500 * kMillisecond, 2 * kSecond);
  SendEvery(2, 30, 3 * kSecond, 2 * kSecond);
  // Crash right after a bulk update left (the server takes it; the answer is lost with the
  // process), as often as there is one to crash on.
  int crashes = 0;
  while (crashes < 5 && lab_->RunUntil(400 * kSecond, [&] {
    return AllPosted() || (lab_->gateway().gateway().bulk_in_flight() && lab_->now() > 5 * kSecond);
  }) && !AllPosted()) {
    lab_->RestartGateway();
    ++crashes;
  }
  EXPECT_GE(crashes, 3);
  ASSERT_TRUE(lab_->RunUntil(600 * kSecond, [&] { return AllPosted(); }));
  // Each crash left a bulk update the server took unanswered: the next gateway found those
  // readings in the channel and did not send them again.
  EXPECT_GE(recorder_.gateway[GatewayEventKind::kReconciled], crashes + 1);
  EXPECT_GT(recorder_.reconciled, 0u);
  ExpectExactlyOnce(30);
}

TEST_F(GatewayLabTest, NoLoss_StoreFailsForAWhile_NothingConfirmedUntilStored) {
  Make(ThreeNodes());
  lab_->Start();
  SendEvery(0, 15, 2 * kSecond, 1 * kSecond);
  SendEvery(1, 15, 2200 * kMillisecond, 1 * kSecond);
  SendEvery(2, 15, 2400 * kMillisecond, 1 * kSecond);
  auto& store = static_cast<host::MemoryQueue&>(lab_->store());
  uint64_t delivered_at_failure = 0, delivered_during = 0;
  lab_->At(6 * kSecond, [&] {
    store.fail_commits = true;
    for (auto& [node, v] : recorder_.delivered) delivered_at_failure += v.size();
  });
  lab_->At(12 * kSecond, [&] {
    for (auto& [node, v] : recorder_.delivered) delivered_during += v.size();
    store.fail_commits = false;
  });
  ASSERT_TRUE(lab_->RunUntil(300 * kSecond, [&] { return AllPosted(); }));
  EXPECT_EQ(delivered_during, delivered_at_failure);  // nothing confirmed while failing
  EXPECT_GT(lab_->gateway().gateway().stats().store_errors, 0u);
  ExpectExactlyOnce(15);
}

TEST_F(GatewayLabTest, Commands_EveryValueReachesEveryNodeOnce) {
  Make(ThreeNodes());
  lab_->Start();
  SendEvery(0, 3, 2 * kSecond, 10 * kSecond);
  SendEvery(1, 3, 2 * kSecond, 10 * kSecond);
  SendEvery(2, 3, 2 * kSecond, 10 * kSecond);
  // master_cloud_to_slave.py: the master polls the field every second and forwards changes.
  const std::vector<std::string> values = {"led on", "42", "led off"};
  for (size_t i = 0; i < values.size(); ++i) {
    lab_->At((5 + 7 * static_cast<int64_t>(i)) * kSecond,
             [&, i] { EXPECT_GT(cloud_->WriteCommand(values[i]), 0); });
  }
  ASSERT_TRUE(lab_->RunUntil(120 * kSecond, [&] {
    if (!AllPosted()) return false;
    for (size_t n = 0; n < 3; ++n) {
      if (recorder_.commands[n].size() < values.size()) return false;
    }
    return true;
  }));
  for (size_t n = 0; n < 3; ++n) EXPECT_EQ(recorder_.commands[n], values) << "node " << n;
  EXPECT_EQ(lab_->gateway().gateway().stats().forwarded, 9u);
  ExpectExactlyOnce(3);
}

TEST_F(GatewayLabTest, RouterMovesChannel_NodesFindTheGatewayAgain_NoLoss) {
  Make(ThreeNodes());
  lab_->Start();
  SendEvery(0, 20, 2 * kSecond, 2 * kSecond);
  SendEvery(1, 20, 2300 * kMillisecond, 2 * kSecond);
  SendEvery(2, 20, 2600 * kMillisecond, 2 * kSecond);
  lab_->At(20 * kSecond, [&] { lab_->router().MoveTo(11); });
  lab_->At(25 * kSecond, [&] { EXPECT_EQ(cloud_->WriteCommand("after the move"), 1); });
  ASSERT_TRUE(lab_->RunUntil(300 * kSecond, [&] {
    return AllPosted() && recorder_.commands[0].size() == 1 && recorder_.commands[1].size() == 1 &&
           recorder_.commands[2].size() == 1;
  }));
  for (size_t n = 0; n < 3; ++n) {
    EXPECT_EQ(lab_->node(n).node().channel(), 11);
    ASSERT_GE(recorder_.linked_channels[n].size(), 2u);
    EXPECT_EQ(recorder_.linked_channels[n].front(), 6);
    EXPECT_EQ(recorder_.linked_channels[n].back(), 11);
  }
  EXPECT_GE(recorder_.node_events[NodeEventKind::kLost], 3);
  EXPECT_EQ(lab_->gateway().gateway().home_channel(), 11);
  ExpectExactlyOnce(20);
}

TEST_F(GatewayLabTest, Fields_OnlyTheChannelsOwn_ConfiguredThenAutomatic_RestRefused) {
  // The readings channel has four fields (gateway_testing.h); ThingSpeak would drop values
  // for the others, so the gateway learns them from its read-back and uses only those.
  LabOptions o;
  o.nodes.clear();
  for (uint8_t i = 1; i <= 6; ++i) {
    o.nodes.push_back(
        {"n" + std::to_string(i),
         MacAddress({0x02, 0, 0, 0, 0, i}),
         {static_cast<double>(i % 3) * 4 - 4, static_cast<double>(i / 3) * 4 - 4, 0}});
  }
  // n5 has field 4 by configuration, n6 field 7, which the channel does not have; the
  // others get the lowest free field as they come: three of them find one.
  const std::vector<apps::FieldMapping> fields = {{o.nodes[4].mac, 4}, {o.nodes[5].mac, 7}};
  o.gateway.fields = fields;
  Make(o);
  lab_->Start();
  for (size_t n = 0; n < 6; ++n) SendEvery(n, 2, 2 * kSecond + n * 100 * kMillisecond, 3 * kSecond);
  ASSERT_TRUE(lab_->RunUntil(200 * kSecond, [&] {
    for (size_t n = 0; n < 6; ++n) {
      if (lab_->node(n).node().queued() != 0) return false;
    }
    return sent_ == scheduled_ && lab_->gateway().gateway().stats().queued == 0 &&
           !lab_->gateway().gateway().uplink_in_flight();
  }));
  EXPECT_EQ(FieldOf(o.nodes[4].mac), 4);
  EXPECT_EQ(FieldOf(o.nodes[5].mac), 7);
  std::set<int> fields_used;
  size_t refused_nodes = 0;
  for (size_t n = 0; n < 6; ++n) {
    const int field = FieldOf(o.nodes[n].mac);
    if (field == 0 || field == 7) {
      ++refused_nodes;
      EXPECT_EQ(lab_->node(n).node().stats().rejected,
                2u);  // told, and dropped: not retried forever
      EXPECT_EQ(lab_->node(n).node().stats().delivered, 0u);
    } else {
      fields_used.insert(field);
      EXPECT_EQ(lab_->node(n).node().stats().delivered, 2u);
    }
  }
  EXPECT_EQ(refused_nodes, 2u);
  EXPECT_EQ(fields_used, (std::set<int>{1, 2, 3, 4}));
  EXPECT_EQ(lab_->gateway().gateway().stats().rejected, 4u);
  EXPECT_EQ(lab_->gateway().gateway().stats().posted, 8u);
  const std::vector<testing::FeedEntry> feed = cloud_->Feed();
  size_t values = 0;
  for (int field = 1; field <= 8; ++field) {
    for (const auto& [v, n] : testing::ValueCounts(feed, field)) values += static_cast<size_t>(n);
  }
  EXPECT_EQ(values, 8u);
}

// A board running the lab's own MicroPython cells (slave_send.py, slave_receive.py) talks
// to the gateway with bare payloads: its readings are posted, and commands reach it bare.
class LabSlaveBoard final : private espnow::LinkListener {
 public:
  LabSlaveBoard(sim::Simulation& sim, const MacAddress& mac, uint8_t channel)
      : rng_(5),
        stack_(sim.radio(sim.AddNode({.position = {3, 3, 0}, .channel = channel, .address = mac})),
               rng_, aes_) {
    stack_->SetListener(this);
    EXPECT_TRUE(stack_->SetEnabled(true).ok());
    espnow::PeerInfo master;
    master.mac = host::kLabMaster;
    EXPECT_TRUE(stack_->AddPeer(master).ok());
  }
  // ok = e.send(peer, str(i), True); while not ok: ok = e.send(peer, str(i), True)
  void Send(const std::string& value) {
    pending_ = value;
    Transmit();
  }
  std::vector<std::string> received;
  int resends = 0;

 private:
  void Transmit() { EXPECT_TRUE(stack_->Send(host::kLabMaster, Span(pending_)).ok()); }
  void OnReceive(const espnow::ReceivedInfo&) override {
    std::array<std::byte, 250> buf;
    while (stack_->rx_available()) {
      Result<espnow::ReceivedInfo> info = stack_->Receive(buf);
      if (info.ok()) received.push_back(Text(ByteSpan(buf.data(), info->size)));
    }
  }
  void OnSendDone(const espnow::SendReport& report) override {
    if (report.delivery != espnow::Delivery::kAcked) {
      ++resends;
      Transmit();
    }
  }

  port::SplitMix64 rng_;
  mbedtls::MbedtlsAes128 aes_;
  espnow::StaticStack<> stack_;
  std::string pending_;
};

TEST_F(GatewayLabTest, LabBoard_BarePayloads_PostedAndCommandsArriveBare) {
  LabOptions o;
  o.nodes = {};
  Make(o);
  // The board was set up on the router's channel, as the lab's boards are.
  LabSlaveBoard board(lab_->sim(), host::kLabSlave, 6);
  lab_->Start();
  for (int i = 0; i < 5; ++i) {
    lab_->At(2 * kSecond + i * 200 * kMillisecond, [&, i] { board.Send(std::to_string(i)); });
  }
  lab_->At(8 * kSecond, [&] { EXPECT_GT(cloud_->WriteCommand("blink"), 0); });
  ASSERT_TRUE(lab_->RunUntil(120 * kSecond, [&] {
    return lab_->gateway().gateway().stats().posted == 5 && !board.received.empty();
  }));
  EXPECT_EQ(board.received, std::vector<std::string>{"blink"});
  std::map<std::string, int> counts =
      testing::ValueCounts(cloud_->Feed(), FieldOf(host::kLabSlave));
  EXPECT_EQ(counts, (std::map<std::string, int>{{"0", 1}, {"1", 1}, {"2", 1}, {"3", 1}, {"4", 1}}));
  // The lab's master_cloud_from_slave.py would have posted each at once: with the 15 s
  // limit only the first is taken. Here the first goes at once, the other four together
  // 15 s later.
  EXPECT_EQ(lab_->gateway().gateway().stats().bulk_requests, 2u);
  EXPECT_EQ(lab_->gateway().gateway().stats().write_refused, 0u);
}

}  // namespace
}  // namespace airlab
