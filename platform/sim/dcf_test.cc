// The MAC: acknowledgements, retries, the port's filter, and DCF contention against
// Bianchi's analytic model.

#include "platform/sim/sim_radio.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "core/wire/dot11.h"
#include "platform/sim/simulation.h"
#include "platform/sim/traffic.h"

namespace airlab::sim {
namespace {

using port::kMicrosecond;
using port::kMillisecond;
using port::kSecond;

// Every frame on the air, copied.
class FrameLog : public AirObserver {
 public:
  struct Record {
    TimeNs start, end;
    uint32_t transmitter;
    std::vector<std::byte> mpdu;
    bool retry;
    std::vector<TapReception> receptions;
    wire::FrameControl fc() const { return {load_le16(mpdu, 0)}; }
    bool is_ack() const { return fc().type() == wire::FrameType::kControl && fc().subtype() == 13; }
  };
  void OnAirFrame(const TapFrame& f) override {
    frames.push_back({f.start,
                      f.end,
                      f.transmitter,
                      {f.mpdu.begin(), f.mpdu.end()},
                      f.retry,
                      {f.receptions.begin(), f.receptions.end()}});
  }
  std::vector<Record> frames;
};

// Keeps the reports and received frames of one radio.
class Recorder : public port::RadioListener {
 public:
  void OnReceive(ByteSpan mpdu, const port::RxInfo& info) override {
    received.emplace_back(mpdu.begin(), mpdu.end());
    infos.push_back(info);
  }
  void OnTxDone(const port::TxReport& report) override { reports.push_back(report); }
  std::vector<std::vector<std::byte>> received;
  std::vector<port::RxInfo> infos;
  std::vector<port::TxReport> reports;
};

MacAddress Address(Simulation& sim, uint32_t node) {
  return sim.radio(node).address(port::Interface::kStation);
}

TEST(SimRadio, Unicast_IsAckedAfterSifsAtOneMbps) {
  Simulation sim;
  sim.AddNode({.position = {0, 0, 0}});
  sim.AddNode({.position = {20, 0, 0}});
  FrameLog log;
  sim.AddObserver(&log);
  Recorder tx, rx;
  sim.radio(0).SetListener(&tx);
  sim.radio(1).SetListener(&rx);
  const auto frame = MakeActionFrame(Address(sim, 1), Address(sim, 0), 265);
  ASSERT_EQ(sim.radio(0).Transmit(frame, {.tag = 42}), Status::Ok());
  sim.RunFor(100 * kMillisecond);

  ASSERT_EQ(tx.reports.size(), 1u);
  EXPECT_EQ(tx.reports[0].tag, 42u);
  EXPECT_EQ(tx.reports[0].result, port::TxResult::kAcked);
  EXPECT_EQ(tx.reports[0].attempts, 1);
  ASSERT_EQ(rx.received.size(), 1u);
  EXPECT_TRUE(rx.infos[0].fcs_ok);
  EXPECT_EQ(rx.infos[0].channel, 1);
  EXPECT_EQ(rx.infos[0].rssi_dbm, -70);  // 16.02 - 46.68 - 30 log10(20) = -69.7 dBm
  ASSERT_EQ(log.frames.size(), 2u);
  const FrameLog::Record& data = log.frames[0];
  const FrameLog::Record& ack = log.frames[1];
  // Queued on an idle medium: sent after DIFS, 2536 us long.
  EXPECT_EQ(data.start, 50 * kMicrosecond);
  EXPECT_EQ(data.end - data.start, 2536 * kMicrosecond);
  // The MAC wrote the duration: SIFS + ACK = 314 us.
  EXPECT_EQ(load_le16(data.mpdu, 2), 314);
  EXPECT_FALSE(data.retry);
  ASSERT_TRUE(ack.is_ack());
  EXPECT_EQ(ack.transmitter, 1u);
  EXPECT_EQ(ack.start, data.end + 10 * kMicrosecond);
  EXPECT_EQ(ack.end - ack.start, 304 * kMicrosecond);
  EXPECT_EQ(MacAddress::FromBytes(ByteSpan(ack.mpdu).subspan(4, 6)), Address(sim, 0));
  EXPECT_EQ(tx.reports[0].time, ack.end);
  EXPECT_EQ(sim.stats(1).mac.acks_sent, 1u);
}

TEST(SimRadio, UnicastOutOfRange_FailsAfterRetryLimitPlusOneAttempts) {
  for (uint8_t max_retries : {port::kDefaultMaxRetries, uint8_t{2}, uint8_t{0}}) {
    Simulation sim;
    sim.AddNode({.position = {0, 0, 0}});
    sim.AddNode({.position = {1000, 0, 0}});  // -120 dBm: nothing arrives
    FrameLog log;
    sim.AddObserver(&log);
    Recorder tx;
    sim.radio(0).SetListener(&tx);
    const auto frame = MakeActionFrame(Address(sim, 1), Address(sim, 0), 100);
    ASSERT_EQ(sim.radio(0).Transmit(frame, {.max_retries = max_retries}), Status::Ok());
    sim.RunFor(kSecond);

    ASSERT_EQ(tx.reports.size(), 1u);
    EXPECT_EQ(tx.reports[0].result, port::TxResult::kNoAck);
    EXPECT_EQ(tx.reports[0].attempts, max_retries + 1);
    ASSERT_EQ(log.frames.size(), max_retries + 1u);
    for (size_t i = 0; i < log.frames.size(); ++i) {
      EXPECT_EQ(log.frames[i].retry, i > 0) << "attempt " << i;
      EXPECT_EQ(log.frames[i].fc().retry(), i > 0);
    }
    // Between attempts: ACK timeout (SIFS + slot + 192 us), DIFS, then a backoff in
    // [0, CW] slots of 20 us, CW doubled after each miss: 63 before the first retry.
    for (size_t i = 1; i < log.frames.size(); ++i) {
      const TimeNs gap = log.frames[i].start - log.frames[i - 1].end;
      const TimeNs fixed = (10 + 20 + 192 + 50) * kMicrosecond;
      const TimeNs cw = std::min<TimeNs>((32 << i) - 1, 1023);
      EXPECT_GE(gap, fixed);
      EXPECT_LE(gap, fixed + cw * 20 * kMicrosecond);
      EXPECT_EQ((gap - fixed) % (20 * kMicrosecond), 0);
    }
    const NodeStats stats = sim.stats(0);
    EXPECT_EQ(stats.mac.tx_attempts, max_retries + 1u);
    EXPECT_EQ(stats.mac.tx_retries, max_retries);
    EXPECT_EQ(stats.mac.tx_failed, 1u);
  }
}

TEST(SimRadio, Broadcast_IsSentOnceWithoutAck) {
  Simulation sim;
  sim.AddNode({.position = {0, 0, 0}});
  sim.AddNode({.position = {1000, 0, 0}});
  FrameLog log;
  sim.AddObserver(&log);
  Recorder tx;
  sim.radio(0).SetListener(&tx);
  ASSERT_EQ(
      sim.radio(0).Transmit(MakeActionFrame(MacAddress::Broadcast(), Address(sim, 0), 10), {}),
      Status::Ok());
  // no_ack: a unicast frame is sent once too.
  ASSERT_EQ(sim.radio(0).Transmit(MakeActionFrame(Address(sim, 1), Address(sim, 0), 10),
                                  {.no_ack = true}),
            Status::Ok());
  sim.RunFor(kSecond);
  ASSERT_EQ(tx.reports.size(), 2u);
  for (const port::TxReport& r : tx.reports) {
    EXPECT_EQ(r.result, port::TxResult::kSent);
    EXPECT_EQ(r.attempts, 1);
  }
  ASSERT_EQ(log.frames.size(), 2u);
  EXPECT_EQ(load_le16(log.frames[0].mpdu, 2), 0);  // nothing to reserve after it
  EXPECT_EQ(tx.reports[0].time, log.frames[0].end);
}

TEST(SimRadio, Filter_OtherStationsFramesNeedPromiscuous) {
  Simulation sim;
  sim.AddNode({.position = {0, 0, 0}});
  sim.AddNode({.position = {10, 0, 0}});
  sim.AddNode({.position = {0, 10, 0}});
  Recorder b, c;
  sim.radio(1).SetListener(&b);
  sim.radio(2).SetListener(&c);
  const auto frame = MakeActionFrame(Address(sim, 1), Address(sim, 0), 50);
  ASSERT_EQ(sim.radio(0).Transmit(frame, {}), Status::Ok());
  sim.RunFor(10 * kMillisecond);
  EXPECT_EQ(b.received.size(), 1u);  // the ACK that b sent is not delivered to anyone
  EXPECT_TRUE(c.received.empty());

  ASSERT_EQ(sim.radio(2).SetPromiscuous(true), Status::Ok());
  ASSERT_EQ(sim.radio(0).Transmit(frame, {}), Status::Ok());
  sim.RunFor(10 * kMillisecond);
  ASSERT_EQ(c.received.size(), 2u);  // the data frame and its ACK
  EXPECT_EQ(c.received[0].size(), frame.size());
  EXPECT_EQ(c.received[1].size(), 10u);
  EXPECT_EQ(load_u8(c.received[1], 0), 0xd4);

  // A second interface address is acknowledged and delivered too.
  const MacAddress soft_ap({0x02, 0xaa, 0, 0, 0, 1});
  ASSERT_EQ(sim.radio(1).SetAddress(port::Interface::kAccessPoint, soft_ap), Status::Ok());
  Recorder a;
  sim.radio(0).SetListener(&a);
  ASSERT_EQ(sim.radio(0).Transmit(MakeActionFrame(soft_ap, Address(sim, 0), 50), {}), Status::Ok());
  sim.RunFor(10 * kMillisecond);
  EXPECT_EQ(b.received.size(), 3u);
  ASSERT_EQ(a.reports.size(), 1u);
  EXPECT_EQ(a.reports[0].result, port::TxResult::kAcked);
}

TEST(SimRadio, PortChecks_SizeStateAndQueue) {
  Simulation sim({.mac = {.queue_capacity = 3}});
  sim.AddNode({.position = {0, 0, 0}});
  SimRadio& radio = sim.radio(0);
  Recorder r;
  radio.SetListener(&r);
  const auto frame = MakeActionFrame(MacAddress::Broadcast(), Address(sim, 0), 10);
  EXPECT_EQ(radio.Transmit(ByteSpan(frame).first(9), {}), Status::InvalidArgument());
  std::vector<std::byte> huge(port::Radio::kMaxMpduSize + 1);
  EXPECT_EQ(radio.Transmit(huge, {}), Status::InvalidArgument());
  EXPECT_EQ(radio.Transmit(frame, {.rate = static_cast<port::Rate>(3)}), Status::InvalidArgument());
  EXPECT_EQ(radio.SetChannel(0), Status::InvalidArgument());
  EXPECT_EQ(radio.SetChannel(15), Status::InvalidArgument());
  EXPECT_EQ(radio.SetAddress(port::Interface::kStation, MacAddress::Broadcast()),
            Status::InvalidArgument());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(radio.Transmit(frame, {.tag = 7}), Status::Ok());
  EXPECT_EQ(radio.Transmit(frame, {}), Status::ResourceExhausted());
  EXPECT_EQ(radio.queued(), 3u);
  ASSERT_EQ(radio.SetEnabled(false), Status::Ok());
  ASSERT_EQ(r.reports.size(), 3u);
  for (const port::TxReport& report : r.reports) {
    EXPECT_EQ(report.result, port::TxResult::kDropped);
    EXPECT_EQ(report.tag, 7u);
  }
  EXPECT_EQ(radio.Transmit(frame, {}), Status::FailedPrecondition());
  ASSERT_EQ(radio.SetEnabled(true), Status::Ok());
  EXPECT_EQ(radio.Transmit(frame, {}), Status::Ok());
  sim.RunFor(kSecond);
  EXPECT_EQ(r.reports.back().result, port::TxResult::kSent);
}

// The gap between the end of a frame another node sent and the start of a frame `node`
// queued while it was on the air: DIFS or EIFS, then whole slots of backoff.
struct Gap {
  TimeNs after_end;
  RxOutcome outcome;  // what `node` made of the frame before
};
std::vector<Gap> GapsAfterForeignFrames(const FrameLog& log, uint32_t node) {
  std::vector<Gap> gaps;
  for (size_t i = 1; i < log.frames.size(); ++i) {
    const FrameLog::Record& prev = log.frames[i - 1];
    if (log.frames[i].transmitter != node || prev.transmitter == node) continue;
    RxOutcome outcome = RxOutcome::kMissed;
    for (const TapReception& r : prev.receptions) {
      if (r.node == node) outcome = r.outcome;
    }
    gaps.push_back({log.frames[i].start - prev.end, outcome});
  }
  return gaps;
}

TEST(Dcf, FrameReceivedInError_DefersEifsNotDifs) {
  // Node 1 hears node 0's 1500-byte frames at -5.5 dB SNR (detection relaxed): the
  // 48-bit PLCP header mostly survives, the 12000-bit payload never does. Node 2 is close.
  SimulationConfig config;
  config.medium.phy.rx_sensitivity_dbm = -130;
  config.medium.phy.preamble_min_rssi_dbm = -130;
  config.medium.phy.preamble_snr_db = -30;
  Simulation sim(config);
  sim.AddNode({.position = {0, 0, 0}});
  sim.AddNode({.position = {-190, 0, 0}});  // -99.0 dBm
  sim.AddNode({.position = {10, 0, 0}});
  FrameLog log;
  sim.AddObserver(&log);
  const auto big = MakeActionFrame(MacAddress::Broadcast(), Address(sim, 0), 1476);
  for (int i = 0; i < 80; ++i) {
    // Node 0 sends; 2 ms into its 12 ms frame, node 1 or node 2 queues a frame.
    const TimeNs t = i * 40 * kMillisecond;
    const uint32_t n = 1 + i % 2;
    sim.scheduler().ScheduleAt(t, [&] { (void)sim.radio(0).Transmit(big, {}); });
    sim.scheduler().ScheduleAt(t + 2 * kMillisecond, [&, n] {
      (void)sim.radio(n).Transmit(MakeActionFrame(MacAddress::Broadcast(), Address(sim, n), 10),
                                  {});
    });
  }
  sim.RunFor(4 * kSecond);
  const TimeNs eifs = 364 * kMicrosecond, difs = 50 * kMicrosecond, slot = 20 * kMicrosecond;
  int eifs_seen = 0, difs_seen = 0;
  for (uint32_t n : {1u, 2u}) {
    for (const Gap& g : GapsAfterForeignFrames(log, n)) {
      if (g.outcome == RxOutcome::kPayloadError) {
        EXPECT_GE(g.after_end, eifs);
        EXPECT_EQ((g.after_end - eifs) % slot, 0) << g.after_end;
        ++eifs_seen;
      } else if (g.outcome == RxOutcome::kReceived) {
        EXPECT_GE(g.after_end, difs);
        EXPECT_EQ((g.after_end - difs) % slot, 0) << g.after_end;
        ++difs_seen;
      }
    }
  }
  EXPECT_GT(eifs_seen, 20);
  EXPECT_GT(difs_seen, 20);
}

TEST(Dcf, Nav_ProtectsAnAckTheStationCannotHear) {
  // Node 3 hears node 0's unicast data to node 1 but not node 1's ACK (80 m away: -87.8
  // dBm, below detection and CCA). With the NAV it waits for the ACK's end anyway.
  for (bool nav : {true, false}) {
    Simulation sim({.mac = {.nav = nav}});
    sim.AddNode({.position = {0, 0, 0}});
    sim.AddNode({.position = {40, 0, 0}});
    sim.AddNode({.position = {-40, 0, 0}});
    FrameLog log;
    sim.AddObserver(&log);
    const auto data = MakeActionFrame(Address(sim, 1), Address(sim, 0), 265);
    for (int i = 0; i < 20; ++i) {
      const TimeNs t = i * 20 * kMillisecond;
      sim.scheduler().ScheduleAt(t, [&] { (void)sim.radio(0).Transmit(data, {}); });
      sim.scheduler().ScheduleAt(t + kMillisecond, [&] {
        (void)sim.radio(2).Transmit(MakeActionFrame(MacAddress::Broadcast(), Address(sim, 2), 10),
                                    {});
      });
    }
    sim.RunFor(kSecond);
    int checked = 0;
    for (size_t i = 1; i < log.frames.size(); ++i) {
      if (log.frames[i].transmitter != 2 || !log.frames[i - 1].is_ack()) continue;
      // The ACK ran from SIFS to SIFS + 304 us after the data; node 2 could not hear it.
      const FrameLog::Record& data_frame = log.frames[i - 2];
      const TimeNs gap = log.frames[i].start - data_frame.end;
      const TimeNs wait = nav ? (314 + 50) * kMicrosecond : 50 * kMicrosecond;
      EXPECT_GE(gap, wait);
      EXPECT_EQ((gap - wait) % (20 * kMicrosecond), 0) << "nav " << nav << " gap " << gap;
      ++checked;
    }
    EXPECT_GT(checked, 5) << "nav " << nav;
  }
}

// ---- Contention ----

// `n` saturated stations at one spot (every link equally strong, so no receiver ever
// captures one of two colliding frames) sending ESP-NOW-sized unicast frames to a sink
// 10 m away. Returns each station's acknowledged frames.
std::vector<uint64_t> Saturate(int n, TimeNs duration, uint64_t seed = 1) {
  Simulation sim({.seed = seed});
  const uint32_t sink = sim.AddNode({.position = {10, 0, 0}});
  CountingListener sink_listener;
  sim.radio(sink).SetListener(&sink_listener);
  std::vector<std::unique_ptr<SaturatedSource>> sources;
  for (int i = 0; i < n; ++i) {
    const uint32_t node = sim.AddNode({.position = {0, 0, 0}});
    sources.push_back(
        std::make_unique<SaturatedSource>(sim, node, Address(sim, sink), 265, port::TxOptions{}));
  }
  sim.RunFor(duration);
  std::vector<uint64_t> acked;
  for (const auto& s : sources) acked.push_back(s->counters().acked);
  return acked;
}

TEST(Dcf, Fairness_SaturatedStationsShareTheAirEvenly) {
  const std::vector<uint64_t> acked = Saturate(10, 60 * kSecond);
  double sum = 0.0, sum_sq = 0.0;
  for (uint64_t a : acked) {
    sum += static_cast<double>(a);
    sum_sq += static_cast<double>(a) * static_cast<double>(a);
  }
  const double jain = sum * sum / (static_cast<double>(acked.size()) * sum_sq);
  EXPECT_GT(jain, 0.995);
  const auto [lo, hi] = std::minmax_element(acked.begin(), acked.end());
  EXPECT_GT(static_cast<double>(*lo) / static_cast<double>(*hi), 0.8);
}

// Bianchi, "Performance analysis of the IEEE 802.11 distributed coordination function",
// IEEE JSAC 18(3), 2000, with the finite retry limit: a station in backoff stage i waits
// (W_i - 1)/2 slots on average and transmits once, W_i = min(2^i W, W_max), so
// tau = sum_i p^i / sum_i p^i (W_i + 1)/2 over the stages 0..R, and the conditional
// collision probability p = 1 - (1 - tau)^(n-1). Returns successful frames per second.
double BianchiThroughput(int n, double slot, double ts, double tc) {
  constexpr int kW = 32, kWmax = 1024, kStages = port::kDefaultMaxRetries + 1;
  auto tau_of = [&](double p) {
    double num = 0.0, den = 0.0, pi = 1.0;
    for (int i = 0; i < kStages; ++i) {
      num += pi;
      den += pi * (std::min(kW << i, kWmax) + 1) / 2.0;
      pi *= p;
    }
    return num / den;
  };
  double lo = 0.0, hi = 1.0;  // p - (1 - (1 - tau(p))^(n-1)) rises from negative to positive
  for (int i = 0; i < 200; ++i) {
    const double p = (lo + hi) / 2.0;
    (p - (1.0 - std::pow(1.0 - tau_of(p), n - 1)) < 0.0 ? lo : hi) = p;
  }
  const double tau = tau_of(lo);
  const double p_tr = 1.0 - std::pow(1.0 - tau, n);
  const double p_s = n * tau * std::pow(1.0 - tau, n - 1) / p_tr;
  const double slot_time = (1.0 - p_tr) * slot + p_tr * p_s * ts + p_tr * (1.0 - p_s) * tc;
  return p_tr * p_s / slot_time;
}

TEST(Dcf, SaturationThroughput_MatchesBianchi) {
  // Times in seconds. A success: frame, SIFS, ACK, DIFS. A collision: the frame, then
  // DIFS: no one locks on two equal frames that start together, so no one uses EIFS.
  const double us = 1e-6;
  const double frame = 2536 * us, sifs = 10 * us, ack = 304 * us, difs = 50 * us, slot = 20 * us;
  const double ts = frame + sifs + ack + difs;
  const double tc = frame + difs;
  constexpr TimeNs kDuration = 120 * kSecond;
  for (int n : {5, 10, 20}) {
    const std::vector<uint64_t> acked = Saturate(n, kDuration);
    double total = 0.0;
    for (uint64_t a : acked) total += static_cast<double>(a);
    const double measured = total / (static_cast<double>(kDuration) / kSecond);
    const double expected = BianchiThroughput(n, slot, ts, tc);
    EXPECT_NEAR(measured / expected, 1.0, 0.02)
        << n << " stations: " << measured << " frames/s, Bianchi " << expected;
  }
}

}  // namespace
}  // namespace airlab::sim
