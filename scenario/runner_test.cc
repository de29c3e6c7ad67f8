// Running scenarios: the counters must add up, agree with what went on the air (an
// observer of the sim's tap parses every frame independently), and repeat bit for bit.

#include "scenario/runner.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/espnow/codec.h"
#include "platform/sim/airtime.h"
#include "scenario/report.h"
#include "scenario/scenario.h"

namespace airlab::scenario {
namespace {

// The ESP-NOW frames on the air, parsed by the codec, and the ACKs.
class EspNowOnAir final : public sim::AirObserver {
 public:
  explicit EspNowOnAir(sim::Simulation& sim) : sim_(sim) { sim_.AddObserver(this); }
  ~EspNowOnAir() { sim_.RemoveObserver(this); }
  void OnAirFrame(const sim::TapFrame& frame) override {
    Result<espnow::FrameView> view = espnow::FrameView::Parse(frame.mpdu);
    if (!view.ok()) {
      ++others;
      return;
    }
    ++frames;
    if (!frame.retry && !view->encrypted()) {
      const ByteSpan p = view->ContiguousPayload().value();
      payloads.emplace_back(reinterpret_cast<const char*>(p.data()), p.size());
    }
  }
  uint64_t frames = 0, others = 0;
  std::vector<std::string> payloads;  // first transmissions only

 private:
  sim::Simulation& sim_;
};

Scenario Parse(const std::string& text) { return ParseScenario(text, "t.toml"); }

void ExpectConsistent(const Results& r) {
  for (const LinkResult& l : r.links) {
    EXPECT_EQ(l.counts.sent, l.counts.acked + l.counts.lost + l.counts.queued);
    EXPECT_EQ(l.counts.latencies.size(), l.counts.acked);
    EXPECT_LE(l.counts.refused, l.counts.lost);
  }
  for (const NodeResult& n : r.nodes) {
    EXPECT_EQ(n.counts.sent, n.counts.acked + n.counts.lost + n.counts.queued);
  }
}

constexpr const char* kLab = R"(
duration = "10.5s"
[[node]]
name = "master"
mac = "4c:11:ae:89:bd:d5"
position = [0, 0]
role = "gateway"
reply = "got {msg} #{seq}"
[[node]]
name = "slave"
mac = "4c:11:ae:89:bc:95"
position = [10, 0]
[[node.traffic]]
to = "master"
payload = "{seq}"
interval = "1s"
start = "0.5s"
)";

TEST(Runner, LabPair_EveryReadingDeliveredAndAnswered) {
  const Scenario s = Parse(kLab);
  Runner run(s);
  EspNowOnAir air(run.simulation());
  run.RunUntil(s.duration);
  const Results r = run.results();
  ExpectConsistent(r);

  ASSERT_EQ(r.links.size(), 2u);
  const LinkResult& answers = r.links[0];  // master -> slave: sorted by sender
  const LinkResult& readings = r.links[1];
  EXPECT_EQ(readings.from, 1u);
  EXPECT_EQ(readings.to_node, 0u);
  EXPECT_EQ(readings.counts.sent, 10u);  // at 0.5 s, 1.5 s ... 9.5 s
  EXPECT_EQ(readings.counts.acked, 10u);
  EXPECT_EQ(readings.received, 10u);
  EXPECT_DOUBLE_EQ(readings.delivery(), 1.0);
  EXPECT_EQ(answers.from, 0u);
  EXPECT_EQ(answers.counts.sent, 10u);
  EXPECT_EQ(answers.received, 10u);
  EXPECT_EQ(r.nodes[0].received, 10u);
  EXPECT_EQ(r.nodes[1].received, 10u);
  EXPECT_EQ(r.nodes[1].counts.retries, 0u);

  // What the air carried, read back from the frames.
  ASSERT_EQ(air.payloads.size(), 20u);
  EXPECT_EQ(air.payloads[0], "0");
  EXPECT_EQ(air.payloads[1], "got 0 #0");
  EXPECT_EQ(air.payloads[18], "9");
  EXPECT_EQ(air.payloads[19], "got 9 #9");
  EXPECT_EQ(air.others, 20u);  // one ACK per message
  ASSERT_EQ(r.air.channels.size(), 1u);
  const ChannelResult& ch = r.air.channels.at(1);
  EXPECT_EQ(ch.frames, 40u);
  EXPECT_EQ(ch.acks, 20u);
  EXPECT_EQ(ch.retransmissions, 0u);
  EXPECT_EQ(r.air.collisions, 0u);

  // Latency: DIFS and no backoff on an idle air, the frame, SIFS, the ACK.
  const TimeNs frame = sim::Airtime(port::Rate::k1Mbps, false, espnow::EncodedSize(1, true));
  const TimeNs ack = sim::Airtime(port::Rate::k1Mbps, false, sim::kAckPsduBytes);
  const TimeNs exchange = 50 * port::kMicrosecond + frame + 10 * port::kMicrosecond + ack;
  for (TimeNs latency : readings.counts.latencies) EXPECT_EQ(latency, exchange);
  // The busy time is exactly the frames' airtime: nothing overlapped.
  const TimeNs answer_frames = [&] {
    TimeNs total = 0;
    for (int i = 0; i < 10; ++i) {
      total +=
          sim::Airtime(port::Rate::k1Mbps, false,
                       espnow::EncodedSize(
                           ("got " + std::to_string(i) + " #" + std::to_string(i)).size(), true));
    }
    return total;
  }();
  EXPECT_EQ(ch.busy, 10 * frame + answer_frames + 20 * ack);
}

TEST(Runner, SameSeedSameTables_OtherSeedOtherTables) {
  const std::string text = R"(
duration = "3s"
[[node]]
name = "sink"
position = [0, 0]
[[group]]
name = "n"
count = 12
layout = "ring"
radius = 40
[[group.traffic]]
to = "sink"
payload_size = 200
rate = 20
)";
  auto tables = [&](uint64_t seed) {
    Scenario s = Parse(text);
    s.seed = seed;
    Runner run(s);
    run.RunUntil(s.duration);
    return FormatResults(s, run.results());
  };
  const std::string a = tables(5);
  EXPECT_EQ(a, tables(5));
  EXPECT_NE(a, tables(6));
}

TEST(Runner, Broadcast_DeliveryOverEveryListener) {
  const Scenario s = Parse(R"(
duration = "5s"
[[node]]
name = "a"
position = [0, 0]
traffic = { to = "broadcast", payload_size = 20, interval = "500ms", count = 4 }
[[node]]
name = "near"
position = [10, 0]
[[node]]
name = "far"
position = [5000, 0]
[[node]]
name = "other_channel"
position = [0, 10]
channel = 6
[[node]]
name = "sniffer"
position = [0, 5]
role = "sniffer"
)");
  Runner run(s);
  run.RunUntil(s.duration);
  const Results r = run.results();
  ExpectConsistent(r);
  ASSERT_EQ(r.links.size(), 1u);
  const LinkResult& l = r.links[0];
  EXPECT_EQ(l.to, MacAddress::Broadcast());
  EXPECT_EQ(l.listeners, 2u);  // near and far; not the sniffer nor channel 6
  EXPECT_EQ(l.counts.sent, 4u);
  EXPECT_EQ(l.counts.acked, 4u);  // on the air
  EXPECT_EQ(l.received, 4u);      // near only
  EXPECT_DOUBLE_EQ(l.delivery(), 0.5);
  EXPECT_EQ(r.nodes[1].received, 4u);
  EXPECT_EQ(r.nodes[2].received, 0u);
  EXPECT_EQ(r.nodes[3].received, 0u);
  EXPECT_EQ(r.nodes[4].received, 4u);  // the sniffer decoded the four frames
}

TEST(Runner, OutOfRange_EverySendLostAfterSixRetries) {
  const Scenario s = Parse(R"(
duration = "2s"
[[node]]
name = "a"
position = [0, 0]
traffic = { to = "b", payload = "hello", interval = "500ms", start = 0 }
[[node]]
name = "b"
position = [3000, 0]
)");
  Runner run(s);
  EspNowOnAir air(run.simulation());
  run.RunUntil(s.duration);
  const Results r = run.results();
  ExpectConsistent(r);
  const LinkResult& l = r.links.at(0);
  EXPECT_EQ(l.counts.sent, 4u);
  EXPECT_EQ(l.counts.acked, 0u);
  EXPECT_EQ(l.counts.lost + l.counts.queued, 4u);
  EXPECT_EQ(l.counts.retries, 6u * l.counts.lost);
  EXPECT_EQ(air.frames, 7u * l.counts.lost + (l.counts.queued ? air.frames % 7 : 0));
  EXPECT_EQ(l.received, 0u);
  EXPECT_EQ(FormatResults(s, r).find("nan"), std::string::npos);
}

TEST(Runner, WrongKeyAtTheReceiver_AckedButDroppedThere) {
  const Scenario s = Parse(R"(
duration = "2s"
[[node]]
name = "a"
position = [0, 0]
traffic = { to = "b", payload = "secret", interval = "250ms", lmk = "aaaaaaaaaaaaaaaa" }
[[node]]
name = "b"
position = [10, 0]
peer = { to = "a", lmk = "bbbbbbbbbbbbbbbb" }
)");
  Runner run(s);
  run.RunUntil(s.duration);
  const Results r = run.results();
  ExpectConsistent(r);
  const LinkResult& l = r.links.at(0);
  EXPECT_EQ(l.counts.sent, 8u);
  EXPECT_EQ(l.counts.acked + l.counts.queued, 8u);  // the MAC acknowledges first
  EXPECT_EQ(l.received, 0u);
  EXPECT_EQ(r.nodes[1].rx_dropped, l.counts.acked);
}

TEST(Runner, EncryptedBothEnds_Delivered) {
  const Scenario s = Parse(R"(
duration = "2s"
[[node]]
name = "a"
position = [0, 0]
traffic = { to = "b", payload = "secret", interval = "250ms", start = 0, lmk = "aaaaaaaaaaaaaaaa" }
[[node]]
name = "b"
position = [10, 0]
)");
  Runner run(s);
  EspNowOnAir air(run.simulation());
  run.RunUntil(s.duration);
  const Results r = run.results();
  EXPECT_EQ(r.links.at(0).received, 8u);
  EXPECT_EQ(r.nodes[1].rx_dropped, 0u);
  EXPECT_TRUE(air.payloads.empty());  // nothing readable went on the air
  EXPECT_EQ(air.frames, 8u);
}

TEST(Runner, CountAndPoisson_HowManyAndHowOften) {
  const Scenario s = Parse(R"(
duration = "100s"
[[node]]
name = "a"
position = [0, 0]
traffic = [{ to = "b", payload_size = 10, interval = "1s", count = 5 },
           { to = "broadcast", payload_size = 10, rate = 20 }]
[[node]]
name = "b"
position = [10, 0]
)");
  Runner run(s);
  run.RunUntil(s.duration);
  const Results r = run.results();
  ExpectConsistent(r);
  ASSERT_EQ(r.links.size(), 2u);
  EXPECT_EQ(r.links[0].counts.sent, 5u);
  // 2000 expected; a Poisson count has a standard deviation of sqrt(2000) = 45.
  EXPECT_NEAR(static_cast<double>(r.links[1].counts.sent), 2000.0, 200.0);
}

TEST(Runner, SaturatedSender_RefusedSendsCountedAsLost) {
  const Scenario s = Parse(R"(
duration = "1s"
[[node]]
name = "a"
position = [0, 0]
traffic = { to = "b", payload_size = 250, interval = "1ms" }
[[node]]
name = "b"
position = [10, 0]
)");
  Runner run(s);
  run.RunUntil(s.duration);
  const Results r = run.results();
  ExpectConsistent(r);
  const Counts& c = r.links.at(0).counts;
  EXPECT_EQ(c.sent, 1000u);
  // About 3.2 ms per exchange: some 300 go, the queue holds some, the rest is refused.
  EXPECT_GT(c.refused, 600u);
  EXPECT_GT(c.queued, 0u);
  EXPECT_EQ(r.air.refused, c.refused);
  // Busy for the frame and its ACK (2536 + 304 us) of each 3210 us exchange (air-model.md).
  EXPECT_NEAR(static_cast<double>(r.air.channels.at(1).busy) / port::kSecond, 2840.0 / 3210.0,
              0.02);
}

TEST(Runner, HiddenTerminals_CollisionsAndRetries) {
  // a and c, 120 m apart, hear each other at -89 dBm, below the -82 dBm CCA threshold; b,
  // 60 m from each, gets both at -80 dBm.
  const Scenario s = Parse(R"(
duration = "5s"
[[node]]
name = "a"
position = [-60, 0]
tx_power_dbm = 20
traffic = { to = "b", payload_size = 250, rate = 50 }
[[node]]
name = "b"
position = [0, 0]
[[node]]
name = "c"
position = [60, 0]
tx_power_dbm = 20
traffic = { to = "b", payload_size = 250, rate = 50 }
)");
  Runner run(s);
  run.RunUntil(s.duration);
  const Results r = run.results();
  ExpectConsistent(r);
  EXPECT_GT(r.nodes[1].radio.phy.rx_collisions, 10u);
  EXPECT_GT(r.nodes[0].counts.retries, 10u);
  EXPECT_EQ(r.air.collisions, r.nodes[1].radio.phy.rx_collisions +
                                  r.nodes[0].radio.phy.rx_collisions +
                                  r.nodes[2].radio.phy.rx_collisions);
}

}  // namespace
}  // namespace airlab::scenario
