#pragma once
// The medium: every node's PHY, where it stands and how loud it sends, and the frames on
// the air. A frame reaches each node whose received power is at or above the receive
// sensitivity; nodes on another channel neither receive it nor feel it (no adjacent-
// channel interference). Received power = TX power - path loss - per-link shadowing, kept
// per transmitter until a position or power changes. Each frame is three events for all
// its receivers at once (end of the preamble detection window, end of the PLCP header,
// end of the frame), since propagation delay is neglected (propagation.h).

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "core/base/bytes.h"
#include "platform/sim/error_model.h"
#include "platform/sim/phy.h"
#include "platform/sim/propagation.h"
#include "platform/sim/scheduler.h"
#include "platform/sim/tap.h"

namespace airlab::sim {

struct MediumConfig {
  PhyConfig phy;
  // Standard deviation of the log-normal shadowing per link; 0 turns it off.
  double shadowing_sigma_db = 0.0;
  std::shared_ptr<const PathLossModel> path_loss = std::make_shared<LogDistancePathLoss>();
  std::shared_ptr<const ErrorRateModel> error_model = std::make_shared<NistErrorRateModel>();
};

class Medium {
 public:
  // `seed` feeds the receivers' and the shadowing's random streams.
  Medium(Scheduler& scheduler, uint64_t seed, MediumConfig config);
  Medium(const Medium&) = delete;
  Medium& operator=(const Medium&) = delete;

  // Adds a node's PHY; nodes are numbered from 0 in the order added.
  uint32_t AddNode(const Position& position, uint8_t channel, double tx_power_dbm,
                   double noise_figure_db);
  size_t node_count() const { return nodes_.size(); }
  Phy& phy(uint32_t node) { return nodes_[node].phy; }
  const Phy& phy(uint32_t node) const { return nodes_[node].phy; }
  const Position& position(uint32_t node) const { return nodes_[node].position; }
  double tx_power_dbm(uint32_t node) const { return nodes_[node].tx_power_dbm; }
  // Both apply to frames sent from now on.
  void SetPosition(uint32_t node, const Position& position);
  void SetTxPower(uint32_t node, double dbm);
  // What `to` receives of `from`'s signal, sensitivity aside.
  double RxPowerDbm(uint32_t from, uint32_t to) const;

  // Puts a frame from `node` on the air now, on its PHY's channel; returns its airtime.
  // The node's PHY must not be transmitting already.
  TimeNs Transmit(uint32_t node, ByteSpan mpdu, port::Rate rate, bool short_preamble);

  void AddObserver(AirObserver* observer);
  void RemoveObserver(AirObserver* observer);

 private:
  struct Link {
    uint32_t node;
    Phy* phy;  // the node's, which keeps its address
    double power_mw;
    PowerUnits power;  // power_mw in the PHY's fixed point
    double rssi_dbm;
    int8_t rx_info_dbm;  // rssi_dbm as RxInfo carries it
  };
  using Links = std::vector<Link>;
  struct Node {
    Node(const PhyConfig& config, const ErrorRateModel& model, port::SplitMix64 rng,
         const Position& pos, uint8_t channel, double power, double noise_figure_db)
        : phy(config, model, rng, channel, noise_figure_db), position(pos), tx_power_dbm(power) {}
    Phy phy;
    Position position;
    double tx_power_dbm;
    std::shared_ptr<const Links> links;  // who hears this node; rebuilt when stale
    uint64_t links_version = 0;
    PpduTimingMemo timing;
  };
  struct Frame {
    AirFrame air;
    std::shared_ptr<const Links> links;  // as they were when the frame started
    std::vector<Signal> signals;         // at each of the links' receivers
    std::vector<uint32_t> locked;        // the links whose receivers locked on it
  };

  const Links& LinksOf(uint32_t node);
  void PreambleDetectionEnd(uint32_t id);
  void HeaderEnd(uint32_t id);
  void End(uint32_t id);

  Scheduler& scheduler_;
  const uint64_t seed_;
  MediumConfig config_;
  std::deque<Node> nodes_;  // a deque: PHYs keep their address while nodes are added
  uint64_t topology_version_ = 1;
  std::vector<std::unique_ptr<Frame>> frames_;
  std::vector<uint32_t> free_frames_;
  std::vector<AirObserver*> observers_;
  std::vector<TapReception> receptions_;  // scratch for the tap
};

}  // namespace airlab::sim
