#pragma once
// Traffic for experiments, tests and benchmarks: frames of the kind ESP-NOW sends, sent
// periodically or kept queued without pause (saturation), with counters of what became of
// them.
//
// The one traffic generator of the simulated air. Its arrivals (FirstArrival, NextArrival)
// also time the scenarios' ESP-NOW messages (scenario/runner.cc), which go through an
// espnow::Stack rather than straight to the radio, so the scenario runner keeps its own
// sender around them. core/sniff/sniff_testing.cc writes capture files of hand-made frames
// instead (malformed ones too) and cannot use this: core/ does not depend on platform/.

#include <cstdint>
#include <vector>

#include "core/base/mac_address.h"
#include "core/port/radio.h"
#include "core/port/rng.h"
#include "platform/sim/simulation.h"

namespace airlab::sim {

// A management action frame (the kind ESP-NOW uses: 24-byte header, then the body) from
// `from` to `to` with `body_size` bytes of body, without FCS. ESP-NOW's 250-byte payload
// makes a 265-byte body: 289 bytes, 293 on the air with the FCS.
std::vector<std::byte> MakeActionFrame(const MacAddress& to, const MacAddress& from,
                                       size_t body_size);

// What became of the frames a source handed to its radio, and what its radio received.
struct TrafficCounters {
  uint64_t queued = 0;    // accepted by Transmit
  uint64_t rejected = 0;  // Transmit refused (queue full, radio off)
  uint64_t acked = 0, no_ack = 0, sent = 0, dropped = 0;
  uint64_t attempts = 0;  // summed over the reports
  uint64_t received = 0;  // frames the radio delivered to this source
};

enum class Arrivals : uint8_t {
  kPeriodic,  // exactly every period, from a random phase in [0, period)
  kPoisson,   // exponential gaps with the period as their mean
};

// When a source sends, from its own random stream: the first arrival (periodic: a random
// phase in [0, period), so that periodic senders do not all start at once; Poisson: an
// exponential gap), then the gap to each next one (Poisson: at least 1 ns).
TimeNs FirstArrival(Arrivals arrivals, TimeNs period, port::SplitMix64& rng);
TimeNs NextArrival(Arrivals arrivals, TimeNs period, port::SplitMix64& rng);

// Sends a frame per arrival. Its random numbers come from the application stream of
// `seed` for this node. Becomes the radio's listener.
class TrafficSource final : private port::RadioListener {
 public:
  TrafficSource(Simulation& simulation, uint32_t node, const MacAddress& to, size_t body_size,
                TimeNs period, const port::TxOptions& options, uint64_t seed,
                Arrivals arrivals = Arrivals::kPeriodic);
  ~TrafficSource();
  TrafficSource(const TrafficSource&) = delete;
  TrafficSource& operator=(const TrafficSource&) = delete;
  const TrafficCounters& counters() const { return counters_; }

 private:
  void Send();
  void OnReceive(ByteSpan mpdu, const port::RxInfo& info) override;
  void OnTxDone(const port::TxReport& report) override;

  Simulation& simulation_;
  SimRadio& radio_;
  std::vector<std::byte> frame_;
  TimeNs period_;
  port::TxOptions options_;
  Arrivals arrivals_;
  port::SplitMix64 rng_;
  TrafficCounters counters_;
  Scheduler::EventId next_;
};

// Keeps `depth` frames queued at its radio at all times: a saturated station, as in
// Bianchi's model. Becomes the radio's listener.
class SaturatedSource final : private port::RadioListener {
 public:
  SaturatedSource(Simulation& simulation, uint32_t node, const MacAddress& to, size_t body_size,
                  const port::TxOptions& options, size_t depth = 2);
  ~SaturatedSource();
  SaturatedSource(const SaturatedSource&) = delete;
  SaturatedSource& operator=(const SaturatedSource&) = delete;
  const TrafficCounters& counters() const { return counters_; }

 private:
  void Queue();
  void OnReceive(ByteSpan mpdu, const port::RxInfo& info) override;
  void OnTxDone(const port::TxReport& report) override;

  SimRadio& radio_;
  std::vector<std::byte> frame_;
  port::TxOptions options_;
  TrafficCounters counters_;
};

// Counts what a node's radio delivers (a sink).
class CountingListener final : public port::RadioListener {
 public:
  void OnReceive(ByteSpan, const port::RxInfo&) override { ++received; }
  void OnTxDone(const port::TxReport&) override {}
  uint64_t received = 0;
};

}  // namespace airlab::sim
