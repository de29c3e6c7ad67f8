// The PHY and the medium: who hears whom, how often, and what interference does.

#include "platform/sim/medium.h"

#include <gtest/gtest.h>

#include <cmath>

#include "platform/sim/simulation.h"
#include "platform/sim/traffic.h"

namespace airlab::sim {
namespace {

using port::kMillisecond;
using port::kSecond;

// ns-3's defaults (docs/reference/air-model.md): 16.0206 dBm, L0 46.6777 dB at 1 m, exponent 3.
constexpr double kTxPowerDbm = 16.0206;
double DistanceForRxDbm(double rx_dbm) {
  return std::pow(10.0, (kTxPowerDbm - 46.6777 - rx_dbm) / 30.0);
}

// Thermal noise over 22 MHz plus the 7 dB noise figure, from first principles.
double DsssNoiseDbm() { return 10.0 * std::log10(1.380649e-23 * 290.0 * 22e6 * 1e3) + 7.0; }

const MacAddress kBroadcast = MacAddress::Broadcast();

// The PHY's fixed point: its own conversions must give what the compiler's (libgcc's)
// conversions give, truncating into units and rounding to nearest out of them, over the
// whole range of powers and of sums; and sums of units are exact, so taking a signal back
// out of a sum leaves what was there before.
TEST(PowerUnits, Conversions_MatchTheCompilersAndSumsAreExact) {
  port::SplitMix64 rng(3);
  for (int i = 0; i < 200000; ++i) {
    const double dbm = -160.0 + 220.0 * static_cast<double>(rng.NextU64() >> 11) * 0x1p-53;
    double mw = std::pow(10.0, dbm / 10.0);
    if (i % 7 == 0)
      mw = std::ldexp(1.0 + static_cast<double>(rng.Uniform(3)) * 0x1p-52,
                      static_cast<int>(rng.Uniform(140)) - 120);
    const PowerUnits units = ToPowerUnits(mw);
    ASSERT_EQ(units, static_cast<PowerUnits>(mw * kPowerUnitsPerMw)) << mw;
    PowerUnits sum = (static_cast<PowerUnits>(rng.NextU64()) << rng.Uniform(64)) ^ rng.NextU64();
    if (i % 5 == 0) sum >>= rng.Uniform(127);
    ASSERT_EQ(ToMw(sum), static_cast<double>(sum) / kPowerUnitsPerMw);
    ASSERT_EQ(ToMw(sum + units), static_cast<double>(sum + units) / kPowerUnitsPerMw);
    ASSERT_EQ(sum + units - units, sum);
  }
  // -101 dBm, the weakest signal a receiver keeps, converts without loss.
  EXPECT_EQ(ToMw(ToPowerUnits(DbmToMw(-101.0))), DbmToMw(-101.0));
  EXPECT_EQ(ToMw(0), 0.0);
}

TEST(Medium, RxPower_FollowsLogDistanceAndIsSymmetricUnderShadowing) {
  SimulationConfig config;
  config.medium.shadowing_sigma_db = 6.0;
  Simulation sim(config);
  const uint32_t a = sim.AddNode({.position = {0, 0, 0}});
  const uint32_t b = sim.AddNode({.position = {30, 40, 0}});  // 50 m
  const uint32_t c = sim.AddNode({.position = {0, 50, 0}});
  EXPECT_DOUBLE_EQ(sim.medium().RxPowerDbm(a, b), sim.medium().RxPowerDbm(b, a));
  // Shadowing differs per link: same distance, different loss.
  EXPECT_NE(sim.medium().RxPowerDbm(a, b), sim.medium().RxPowerDbm(a, c));

  Simulation plain;
  plain.AddNode({.position = {0, 0, 0}});
  plain.AddNode({.position = {50, 0, 0}});
  EXPECT_NEAR(plain.medium().RxPowerDbm(0, 1), kTxPowerDbm - 46.6777 - 30.0 * std::log10(50.0),
              1e-9);
}

// Broadcasts from node 0 to node 1 at `distance`, counting what arrives.
double DeliveryRatio(const SimulationConfig& config, double distance, int frames, size_t body,
                     port::Rate rate = port::Rate::k1Mbps) {
  Simulation sim(config);
  sim.AddNode({.position = {0, 0, 0}});
  sim.AddNode({.position = {distance, 0, 0}});
  CountingListener sink;
  sim.radio(1).SetListener(&sink);
  TrafficSource source(sim, 0, kBroadcast, body, 10 * kMillisecond, {.rate = rate}, 1);
  sim.RunFor(frames * 10 * kMillisecond);
  EXPECT_EQ(source.counters().sent, static_cast<uint64_t>(frames));
  return static_cast<double>(sink.received) / static_cast<double>(source.counters().sent);
}

TEST(Medium, DeliveryVsDistance_Dbpsk_MatchesClosedForm) {
  // With preamble detection out of the way, delivery at 1 Mb/s is the DBPSK closed form of
  // air-model.md over the 48-bit PLCP header and the PSDU: (1 - 0.5 exp(-22 SNR))^bits.
  SimulationConfig config;
  config.medium.phy.rx_sensitivity_dbm = -130;
  config.medium.phy.preamble_min_rssi_dbm = -130;
  config.medium.phy.preamble_snr_db = -30;
  constexpr size_t kBody = 265;  // 289-byte MPDU, 293-byte PSDU
  constexpr int kFrames = 2000;
  const double bits = 48 + 293 * 8;
  for (double snr_db : {-5.5, -4.8, -4.3, -3.5}) {
    const double distance = DistanceForRxDbm(DsssNoiseDbm() + snr_db);
    const double snr = std::pow(10.0, snr_db / 10.0);
    const double expected = std::pow(1.0 - 0.5 * std::exp(-22.0 * snr), bits);
    const double measured = DeliveryRatio(config, distance, kFrames, kBody);
    const double sigma = std::sqrt(expected * (1.0 - expected) / kFrames);
    EXPECT_NEAR(measured, expected, 4.0 * sigma + 0.005) << "SNR " << snr_db << " dB";
  }
}

TEST(Medium, DeliveryVsDistance_DefaultDetection_EndsAtMinus82Dbm) {
  // ns-3's threshold preamble detection: nothing under -82 dBm is locked on, everything
  // above is (at 1 Mb/s the SNR then leaves no bit errors): a sharp edge at 51.5 m.
  const double edge = DistanceForRxDbm(-82.0);
  EXPECT_NEAR(edge, 51.5, 0.1);
  EXPECT_EQ(DeliveryRatio({}, edge * 0.98, 300, 265), 1.0);
  EXPECT_EQ(DeliveryRatio({}, edge * 1.02, 300, 265), 0.0);
}

TEST(Medium, DeliveryVsDistance_54Mbps_FallsWithSnr) {
  // OFDM 54 Mb/s needs about 20 dB more than 1 Mb/s: near the noise it fails, close in it works.
  EXPECT_EQ(DeliveryRatio({}, 5.0, 200, 265, port::Rate::k54Mbps), 1.0);
  EXPECT_EQ(DeliveryRatio({}, 40.0, 200, 265, port::Rate::k54Mbps), 0.0);
}

// Two senders broadcasting at the same rate, a receiver between them: what fraction of
// the frames sent reaches the receiver, and how many losses the receiver calls collisions.
struct PairResult {
  double delivered;
  uint64_t collisions;
  uint64_t sent;
};

PairResult TwoSenders(const Position& a, const Position& b, const Position& c) {
  Simulation sim;
  sim.AddNode({.position = a});
  const uint32_t rx = sim.AddNode({.position = b});
  sim.AddNode({.position = c});
  CountingListener sink;
  sim.radio(rx).SetListener(&sink);
  // 2.5 ms frames at random, 10 ms apart on average from each: 25% of the air each.
  TrafficSource s0(sim, 0, kBroadcast, 265, 10 * kMillisecond, {}, 11, Arrivals::kPoisson);
  TrafficSource s2(sim, 2, kBroadcast, 265, 10 * kMillisecond, {}, 12, Arrivals::kPoisson);
  sim.RunFor(60 * kSecond);
  const uint64_t sent = s0.counters().sent + s2.counters().sent;
  return {static_cast<double>(sink.received) / static_cast<double>(sent),
          sim.stats(rx).phy.rx_collisions, sent};
}

TEST(Medium, HiddenTerminals_CollideAtTheMiddle_NodesInRangeMostlyDoNot) {
  // 40 m from the receiver each (-78.7 dBm there); 80 m apart (-87.8 dBm): below the CCA
  // threshold, so neither defers to the other.
  const PairResult hidden = TwoSenders({0, 0, 0}, {40, 0, 0}, {80, 0, 0});
  // 40 m apart instead: each senses the other and defers.
  const PairResult in_range = TwoSenders({0, 0, 0}, {20, 34.64, 0}, {40, 0, 0});
  EXPECT_LT(hidden.delivered, 0.85);
  EXPECT_GT(hidden.collisions, hidden.sent / 10);
  EXPECT_GT(in_range.delivered, 0.97);
  EXPECT_LT(in_range.collisions, in_range.sent / 50);
}

TEST(Medium, OtherChannel_NeitherReceivedNorInterferes) {
  Simulation sim;
  sim.AddNode({.position = {0, 0, 0}, .channel = 1});
  const uint32_t rx1 = sim.AddNode({.position = {10, 0, 0}, .channel = 1});
  const uint32_t rx6 = sim.AddNode({.position = {10, 1, 0}, .channel = 6});
  sim.AddNode({.position = {12, 0, 0}, .channel = 6});  // a strong neighbour on channel 6
  CountingListener on1, on6;
  sim.radio(rx1).SetListener(&on1);
  sim.radio(rx6).SetListener(&on6);
  TrafficSource s0(sim, 0, kBroadcast, 265, 3 * kMillisecond, {}, 1);
  TrafficSource s3(sim, 3, kBroadcast, 265, 3 * kMillisecond, {}, 2);
  sim.RunFor(3 * kSecond);
  // Channel 1's receiver hears every frame of channel 1 and none of channel 6, though the
  // channel-6 sender is 2 m away and busy 85% of the time.
  EXPECT_EQ(on1.received, s0.counters().sent);
  EXPECT_EQ(on6.received, s3.counters().sent);
  EXPECT_EQ(sim.stats(rx1).phy.rx_collisions, 0u);
  EXPECT_GT(s3.counters().sent, 900u);
}

TEST(Medium, ChannelSwitch_TakesEffectForTheNextFrame) {
  Simulation sim;
  sim.AddNode({.position = {0, 0, 0}, .channel = 1});
  sim.AddNode({.position = {10, 0, 0}, .channel = 6});
  CountingListener sink;
  sim.radio(1).SetListener(&sink);
  TrafficSource source(sim, 0, kBroadcast, 100, 10 * kMillisecond, {}, 1);
  sim.RunFor(kSecond);
  EXPECT_EQ(sink.received, 0u);
  ASSERT_EQ(sim.radio(1).SetChannel(1), Status::Ok());
  EXPECT_EQ(sim.radio(1).channel(), 1);
  sim.RunFor(kSecond);
  EXPECT_EQ(sink.received, 100u);
}

}  // namespace
}  // namespace airlab::sim
