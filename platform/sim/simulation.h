#pragma once
// Simulation: the C++ API over the simulated air, for tests, benchmarks, scenario files and
// the CLI. It owns the scheduler, the medium and one SimRadio per node:
//
//   sim::Simulation sim({.seed = 7});
//   uint32_t a = sim.AddNode({.position = {0, 0, 0}});
//   uint32_t b = sim.AddNode({.position = {20, 0, 0}});
//   sim.radio(a).SetListener(&my_listener);
//   sim.radio(a).Transmit(frame, {.rate = port::Rate::k1Mbps}).IgnoreError();
//   sim.RunFor(port::kSecond);
//
// Same configuration, same calls, same seed: the same run, bit for bit.

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/base/mac_address.h"
#include "platform/sim/medium.h"
#include "platform/sim/scheduler.h"
#include "platform/sim/sim_radio.h"

namespace airlab::sim {

struct SimulationConfig {
  uint64_t seed = 1;
  MediumConfig medium;
  MacConfig mac;
};

struct NodeConfig {
  Position position;
  uint8_t channel = 1;
  double tx_power_dbm = 16.0206;  // ns-3's default (air-model.md); an ESP32 reaches ~20
  double noise_figure_db = 7.0;   // ns-3's default: a -93.5 dBm floor over 22 MHz
  // The station interface's address; by default 02:00 followed by the node number.
  std::optional<MacAddress> address;
  bool enabled = true;
};

struct NodeStats {
  MacStats mac;
  PhyStats phy;
};

class Simulation {
 public:
  explicit Simulation(SimulationConfig config = {});

  // Nodes are numbered from 0 in the order added.
  uint32_t AddNode(const NodeConfig& config = {});
  size_t node_count() const { return radios_.size(); }

  SimRadio& radio(uint32_t node) { return *radios_[node]; }
  void SetPosition(uint32_t node, const Position& position) { medium_.SetPosition(node, position); }
  void SetTxPower(uint32_t node, double dbm) { medium_.SetTxPower(node, dbm); }
  NodeStats stats(uint32_t node) const;

  port::Clock& clock() { return clock_; }
  // A timer on the simulated time, for code that takes a port::Timer.
  std::unique_ptr<SimTimer> NewTimer() { return std::make_unique<SimTimer>(scheduler_); }
  Scheduler& scheduler() { return scheduler_; }
  Medium& medium() { return medium_; }
  void AddObserver(AirObserver* observer) { medium_.AddObserver(observer); }
  void RemoveObserver(AirObserver* observer) { medium_.RemoveObserver(observer); }

  TimeNs now() const { return scheduler_.now(); }
  void RunUntil(TimeNs end) { scheduler_.RunUntil(end); }
  void RunFor(TimeNs duration) { scheduler_.RunUntil(scheduler_.now() + duration); }
  void RunUntilIdle() { scheduler_.RunUntilIdle(); }
  // Sim time tracks the wall clock times `speed`.
  void RunPaced(TimeNs end, double speed) { scheduler_.RunPaced(end, speed); }

 private:
  SimulationConfig config_;
  Scheduler scheduler_;
  SimClock clock_{scheduler_};
  Medium medium_;
  std::vector<std::unique_ptr<SimRadio>> radios_;
};

}  // namespace airlab::sim
