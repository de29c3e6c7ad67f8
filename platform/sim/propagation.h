#pragma once
// Propagation: where nodes are, how much power a link loses, how much noise a receiver
// adds. ns-3's channel composes a loss model and a delay model (src/wifi/model/
// yans-wifi-channel.h); the sim composes a PathLossModel with seeded per-link shadowing,
// and neglects the propagation delay (under 1 us within 300 m, inside the slot's
// aAirPropagationTime budget), which lets one event serve every receiver of a frame.

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace airlab::sim {

struct Position {
  double x = 0.0, y = 0.0, z = 0.0;  // metres
};

inline double Distance(const Position& a, const Position& b) {
  return std::sqrt((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y) +
                   (a.z - b.z) * (a.z - b.z));
}

class PathLossModel {
 public:
  virtual ~PathLossModel() = default;
  virtual double LossDb(double distance_m) const = 0;
};

// Loss(d) = L0 + 10 n log10(d / d0), and L0 within d0 (docs/reference/air-model.md; ns-3's
// LogDistancePropagationLossModel and its defaults).
class LogDistancePathLoss final : public PathLossModel {
 public:
  struct Config {
    double exponent = 3.0;
    double reference_distance_m = 1.0;
    double reference_loss_db = 46.6777;
  };
  LogDistancePathLoss() : LogDistancePathLoss(Config{}) {}
  explicit LogDistancePathLoss(const Config& config) : config_(config) {}

  double LossDb(double distance_m) const override {
    if (distance_m <= config_.reference_distance_m) return config_.reference_loss_db;
    return config_.reference_loss_db +
           10.0 * config_.exponent * std::log10(distance_m / config_.reference_distance_m);
  }

 private:
  Config config_;
};

// Log-normal shadowing: a N(0, sigma) dB term fixed for each unordered pair of nodes, from
// its own stream of the seed, so a link is as good both ways and the same in every run.
double ShadowingDb(uint64_t seed, uint32_t node_a, uint32_t node_b, double sigma_db);

// Thermal noise k T B at 290 K with ns-3's constant (interference-helper.cc), in mW.
// Over 22 MHz (DSSS) it is -100.6 dBm; add the receiver's noise figure (air-model.md).
inline double ThermalNoiseMw(double bandwidth_hz) {
  return 1.3803e-23 * 290.0 * bandwidth_hz * 1e3;
}

inline double DbmToMw(double dbm) { return std::pow(10.0, dbm / 10.0); }
inline double MwToDbm(double mw) { return 10.0 * std::log10(mw); }
// A level as port::RxInfo carries it: whole dBm, clamped to int8_t.
inline int8_t RxInfoDbm(double dbm) {
  return static_cast<int8_t>(std::clamp(std::lround(dbm), -128L, 127L));
}

}  // namespace airlab::sim
