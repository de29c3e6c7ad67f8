// The simulated air's speed: simulated seconds per wall-clock second (counter sim_s/s).
// The scenario is the one to compare with ns-3 3.37 (its defaults: 802.11b at 1 Mb/s,
// log-distance loss with exponent 3, 16.02 dBm, threshold preamble detection): N nodes on a
// square grid 10 m apart, each sending a 250-byte ESP-NOW payload (a 293-byte PSDU) every
// 100 ms from a random phase, as broadcasts or as unicast to one sink (node 0) with ACKs
// and retries. With 100 nodes the offered load (2.5 s of airtime per second) saturates the
// air around most nodes: queues fill and frames are refused, as on real boards.

#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <vector>

#include "platform/sim/simulation.h"
#include "platform/sim/traffic.h"

namespace airlab::sim {
namespace {

constexpr TimeNs kSimulatedPerIteration = 10 * port::kSecond;

void Run(benchmark::State& state, bool unicast) {
  const auto n = static_cast<uint32_t>(state.range(0));
  const auto side = static_cast<uint32_t>(std::ceil(std::sqrt(static_cast<double>(n))));
  Simulation sim;
  for (uint32_t i = 0; i < n; ++i) {
    sim.AddNode({.position = {10.0 * (i % side), 10.0 * (i / side), 0.0}});
  }
  const MacAddress to =
      unicast ? sim.radio(0).address(port::Interface::kStation) : MacAddress::Broadcast();
  std::vector<std::unique_ptr<TrafficSource>> sources;
  for (uint32_t i = unicast ? 1 : 0; i < n; ++i) {
    sources.push_back(std::make_unique<TrafficSource>(sim, i, to, 265, 100 * port::kMillisecond,
                                                      port::TxOptions{}, 1));
  }
  for (auto _ : state) sim.RunFor(kSimulatedPerIteration);

  uint64_t frames_on_air = 0, delivered = 0, queued = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const NodeStats s = sim.stats(i);
    frames_on_air += s.mac.tx_attempts + s.mac.acks_sent;
    delivered += s.phy.rx_ok;
  }
  for (const auto& s : sources) queued += s->counters().queued;
  const double simulated_s =
      static_cast<double>(state.iterations() * kSimulatedPerIteration) / port::kSecond;
  // Rates are per wall-clock second (UseRealTime below); the rest per simulated second.
  state.counters["sim_s/s"] = benchmark::Counter(simulated_s, benchmark::Counter::kIsRate);
  state.counters["frames_per_sim_s"] = static_cast<double>(frames_on_air) / simulated_s;
  state.counters["decoded_per_frame"] =
      static_cast<double>(delivered) / static_cast<double>(frames_on_air);
  state.counters["accepted_share"] =
      static_cast<double>(queued) / (simulated_s * 10.0 * static_cast<double>(sources.size()));
}

void BM_BroadcastEvery100ms(benchmark::State& state) { Run(state, false); }
void BM_UnicastToSinkEvery100ms(benchmark::State& state) { Run(state, true); }

BENCHMARK(BM_BroadcastEvery100ms)->Arg(20)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_UnicastToSinkEvery100ms)
    ->Arg(20)
    ->Arg(100)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace airlab::sim

BENCHMARK_MAIN();
