// Whole simulations: determinism, and the air tap's records read back by tshark.

#include "platform/sim/simulation.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "core/wire/pcapng.h"
#include "platform/sim/air_tap.h"
#include "platform/sim/random.h"
#include "platform/sim/traffic.h"
#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab::sim {
namespace {

using port::kMillisecond;
using port::kSecond;

// FNV-1a over every field of every frame the tap reports.
class TraceHash : public AirObserver {
 public:
  void OnAirFrame(const TapFrame& f) override {
    Mix(f.start);
    Mix(f.end);
    Mix(f.transmitter);
    Mix(f.channel);
    Mix(f.rate);
    Mix(f.retry);
    for (std::byte b : f.mpdu) Mix(b);
    for (const TapReception& r : f.receptions) {
      Mix(r.node);
      Mix(r.rssi_dbm);
      Mix(r.outcome);
      ++outcomes[r.outcome];
    }
    ++frames;
  }
  uint64_t hash = 0xcbf29ce484222325ull;
  uint64_t frames = 0;
  std::map<RxOutcome, uint64_t> outcomes;

 private:
  template <typename T>
  void Mix(const T& value) {
    std::array<unsigned char, sizeof(T)> bytes;
    std::memcpy(bytes.data(), &value, sizeof(T));
    for (unsigned char b : bytes) hash = (hash ^ b) * 0x100000001b3ull;
  }
};

// A busy little world: 16 nodes scattered over 120 m x 120 m with shadowing, unicast and
// broadcast traffic at random times, two channels, and one node hopping between them.
TraceHash RunWorld(uint64_t seed) {
  SimulationConfig config;
  config.seed = seed;
  config.medium.shadowing_sigma_db = 4.0;
  Simulation sim(config);
  port::SplitMix64 layout(99);  // the same layout for every seed
  for (int i = 0; i < 16; ++i) {
    sim.AddNode({.position = {Uniform01(layout) * 120, Uniform01(layout) * 120, 1.5},
                 .channel = static_cast<uint8_t>(i % 5 == 4 ? 6 : 1)});
  }
  std::vector<std::unique_ptr<TrafficSource>> sources;
  for (uint32_t i = 0; i < 16; ++i) {
    const MacAddress to = i % 2 == 0 ? MacAddress::Broadcast()
                                     : sim.radio((i + 1) % 16).address(port::Interface::kStation);
    sources.push_back(std::make_unique<TrafficSource>(sim, i, to, 40 + 13 * i, 15 * kMillisecond,
                                                      port::TxOptions{}, seed, Arrivals::kPoisson));
  }
  TraceHash trace;
  sim.AddObserver(&trace);
  for (int hop = 0; hop < 10; ++hop) {
    sim.RunFor(2 * kSecond);
    (void)sim.radio(3).SetChannel(hop % 2 == 0 ? 6 : 1);
  }
  return trace;
}

TEST(Simulation, SameSeed_SameTraceBitForBit) {
  const TraceHash first = RunWorld(5);
  const TraceHash second = RunWorld(5);
  EXPECT_EQ(first.hash, second.hash);
  EXPECT_EQ(first.frames, second.frames);
  // A trace worth comparing: thousands of frames, receptions of every kind.
  EXPECT_GT(first.frames, 10000u);
  for (RxOutcome o : {RxOutcome::kReceived, RxOutcome::kPayloadError, RxOutcome::kMissed}) {
    EXPECT_GT(first.outcomes.count(o) ? first.outcomes.at(o) : 0, 10u) << static_cast<int>(o);
  }
  EXPECT_NE(RunWorld(6).hash, first.hash);
}

class Alarm : public port::TimerListener {
 public:
  explicit Alarm(const port::Clock& clock) : clock_(clock) {}
  void OnTimer() override { fired_at = clock_.Now(); }
  TimeNs fired_at = -1;

 private:
  const port::Clock& clock_;
};

TEST(Simulation, ClockAndTimer_FollowTheSimulatedTime) {
  Simulation sim;
  std::unique_ptr<SimTimer> timer = sim.NewTimer();
  Alarm alarm(sim.clock());
  timer->SetListener(&alarm);
  timer->ArmAt(1500 * kMillisecond);
  sim.RunFor(kSecond);
  EXPECT_EQ(alarm.fired_at, -1);
  EXPECT_EQ(sim.clock().Now(), kSecond);
  sim.RunFor(kSecond);
  EXPECT_EQ(alarm.fired_at, 1500 * kMillisecond);
}

// The tap's records in memory, written as pcapng (core/wire's writer) for tshark when asked.
class MemoryFrames final : public FrameSink {
 public:
  void WriteFrame(int64_t ts_ns, ByteSpan record) override {
    frames.push_back({ts_ns, std::vector<std::byte>(record.begin(), record.end())});
  }
  void SaveTo(const std::string& path) const {
    wire::PcapngInterface iface;
    iface.link_type = static_cast<uint16_t>(wire::kLinkTypeIeee80211Radiotap);
    iface.snaplen = 262144;
    iface.tsresol = wire::kTsresolNanoseconds;
    std::vector<std::byte> bytes(256);
    ByteBuilder head(bytes);
    ASSERT_TRUE(wire::WritePcapngSectionHeader(head, wire::ByteOrder::kLittle, "test").ok());
    ASSERT_TRUE(wire::WritePcapngInterface(head, wire::ByteOrder::kLittle, iface).ok());
    bytes.resize(head.size());
    for (const auto& [ts_ns, record] : frames) {
      std::vector<std::byte> block(64 + record.size());
      ByteBuilder out(block);
      wire::PcapngPacket packet;
      packet.ts_ns = ts_ns;
      packet.data = record;
      ASSERT_TRUE(wire::WritePcapngPacket(out, wire::ByteOrder::kLittle, iface, packet).ok());
      bytes.insert(bytes.end(), block.begin(), block.begin() + static_cast<ptrdiff_t>(out.size()));
    }
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  }
  std::vector<std::pair<int64_t, std::vector<std::byte>>> frames;
};

std::map<std::string, int> CountLines(const std::string& text) {
  std::map<std::string, int> counts;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    ++counts[text.substr(start, end - start)];
    start = end + 1;
  }
  return counts;
}

TEST(AirTap, VantageNode_TsharkSeesItsFramesRssiAndBadFcs) {
  // A receiver near the noise (about -4.5 dB SNR, detection relaxed) gets about half the
  // frames in error: the capture must show them with a failing FCS.
  SimulationConfig config;
  config.medium.phy.rx_sensitivity_dbm = -130;
  config.medium.phy.preamble_min_rssi_dbm = -130;
  config.medium.phy.preamble_snr_db = -30;
  Simulation sim(config);
  sim.AddNode({.position = {0, 0, 0}, .channel = 6});
  sim.AddNode({.position = {176, 0, 0}, .channel = 6});  // -98.0 dBm
  const testing_tools::TempDir dir;
  const std::string path = dir.File("tap.pcapng");
  MemoryFrames sink;
  AirTap tap(sim, sink, {.vantage_node = 1u});
  TraceHash trace;  // counts the receptions' outcomes: only node 1 receives anything
  sim.AddObserver(&trace);
  TrafficSource source(sim, 0, MacAddress::Broadcast(), 265, 10 * kMillisecond,
                       {.rate = port::Rate::k1Mbps}, 1);
  sim.RunFor(2 * kSecond);
  tap.Close();
  sink.SaveTo(path);
  const uint64_t ok = trace.outcomes[RxOutcome::kReceived];
  const uint64_t bad = trace.outcomes[RxOutcome::kPayloadError];
  ASSERT_GT(ok, 20u);
  ASSERT_GT(bad, 20u);
  EXPECT_EQ(ok, sim.stats(1).phy.rx_ok);
  EXPECT_EQ(tap.frames_written(), ok + bad);  // frames whose PLCP header failed are not there

  const std::string fields =
      testing_tools::RunCommand(
          "tshark -r " + path +
          " -o wlan.check_checksum:TRUE -T fields -E separator=, "
          "-e radiotap.datarate -e radiotap.channel.freq -e radiotap.dbm_antsignal "
          "-e radiotap.dbm_antnoise -e wlan.fcs.status -e wlan.fc.type_subtype")
          .out;
  std::map<std::string, int> lines = CountLines(fields);
  // 1 Mb/s, channel 6 at 2437 MHz, -98 dBm over a -94 dBm floor, action frames (0x000d),
  // FCS status good (1) or bad (0).
  EXPECT_EQ(lines["1,2437,-98,-94,1,0x000d"], static_cast<int>(ok)) << fields;
  EXPECT_EQ(lines["1,2437,-98,-94,0,0x000d"], static_cast<int>(bad)) << fields;
}

TEST(AirTap, NoVantage_EveryFrameOnTheAirWithRetries) {
  Simulation sim;
  sim.AddNode({.position = {0, 0, 0}});
  sim.AddNode({.position = {2000, 0, 0}});  // out of range: every unicast is retried
  const testing_tools::TempDir dir;
  const std::string path = dir.File("all.pcapng");
  MemoryFrames sink;
  AirTap tap(sim, sink, {});
  TrafficSource source(sim, 0, sim.radio(1).address(port::Interface::kStation), 20,
                       100 * kMillisecond,
                       {.rate = port::Rate::k11Mbps, .short_preamble = true, .max_retries = 3}, 1);
  sim.RunFor(kSecond);
  tap.Close();
  sink.SaveTo(path);
  EXPECT_EQ(tap.frames_written(), 40u);  // 10 frames, 4 attempts each
  std::map<std::string, int> lines = CountLines(
      testing_tools::RunCommand(
          "tshark -r " + path +
          " -o wlan.check_checksum:TRUE -T fields -E separator=, "
          "-e radiotap.datarate -e radiotap.flags.preamble -e wlan.fcs.status -e wlan.fc.retry "
          "-e radiotap.dbm_antsignal")
          .out);
  // 11 Mb/s, short preamble, good FCS, retry bit clear then set; no signal without a vantage.
  EXPECT_EQ(lines["11,1,1,0,"], 10);
  EXPECT_EQ(lines["11,1,1,1,"], 30);
}

TEST(AirTap, Records_StampedAtFrameEnd_StopAtClose) {
  Simulation sim;
  sim.AddNode({.position = {0, 0, 0}});
  sim.AddNode({.position = {5, 0, 0}});
  MemoryFrames sink;
  AirTap tap(sim, sink, {.epoch_ns = 1000 * kSecond});
  TrafficSource source(sim, 0, MacAddress::Broadcast(), 30, 100 * kMillisecond, {}, 1);
  sim.RunFor(kSecond);
  tap.Close();
  sim.RunFor(kSecond);  // nothing after Close
  ASSERT_EQ(tap.frames_written(), 10u);
  ASSERT_EQ(sink.frames.size(), 10u);
  for (const auto& [ts_ns, record] : sink.frames) {
    EXPECT_GT(ts_ns, 1000 * kSecond);
    EXPECT_LT(ts_ns, 1001 * kSecond);
    // A radiotap header (version 0) whose length is followed by the MPDU and its FCS.
    ASSERT_GE(record.size(), 8u);
    EXPECT_EQ(record[0], std::byte{0});
  }
}

}  // namespace
}  // namespace airlab::sim
