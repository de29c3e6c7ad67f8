#include "platform/sim/medium.h"

#include <algorithm>
#include <cstring>

#include "core/base/assert.h"
#include "core/wire/dot11.h"
#include "platform/sim/random.h"

namespace airlab::sim {

Medium::Medium(Scheduler& scheduler, uint64_t seed, MediumConfig config)
    : scheduler_(scheduler), seed_(seed), config_(std::move(config)) {}

uint32_t Medium::AddNode(const Position& position, uint8_t channel, double tx_power_dbm,
                         double noise_figure_db) {
  const auto node = static_cast<uint32_t>(nodes_.size());
  nodes_.emplace_back(config_.phy, *config_.error_model, MakeStream(seed_, Stream::kPhy, node),
                      position, channel, tx_power_dbm, noise_figure_db);
  ++topology_version_;
  return node;
}

void Medium::SetPosition(uint32_t node, const Position& position) {
  nodes_[node].position = position;
  ++topology_version_;
}

void Medium::SetTxPower(uint32_t node, double dbm) {
  nodes_[node].tx_power_dbm = dbm;
  ++topology_version_;
}

double Medium::RxPowerDbm(uint32_t from, uint32_t to) const {
  const Node& a = nodes_[from];
  const Node& b = nodes_[to];
  return a.tx_power_dbm - config_.path_loss->LossDb(Distance(a.position, b.position)) -
         ShadowingDb(seed_, from, to, config_.shadowing_sigma_db);
}

const Medium::Links& Medium::LinksOf(uint32_t node) {
  Node& n = nodes_[node];
  if (n.links_version != topology_version_) {
    auto links = std::make_shared<Links>();
    for (uint32_t other = 0; other < nodes_.size(); ++other) {
      if (other == node) continue;
      const double dbm = RxPowerDbm(node, other);
      if (dbm >= config_.phy.rx_sensitivity_dbm) {
        const double mw = DbmToMw(dbm);
        links->push_back({other, &nodes_[other].phy, mw, ToPowerUnits(mw), dbm, RxInfoDbm(dbm)});
      }
    }
    n.links = std::move(links);
    n.links_version = topology_version_;
  }
  return *n.links;
}

TimeNs Medium::Transmit(uint32_t node, ByteSpan mpdu, port::Rate rate, bool short_preamble) {
  Node& n = nodes_[node];
  Phy& tx = n.phy;
  AIRLAB_ASSERT(!tx.transmitting());
  uint32_t id;
  if (free_frames_.empty()) {
    id = static_cast<uint32_t>(frames_.size());
    frames_.push_back(std::make_unique<Frame>());
  } else {
    id = free_frames_.back();
    free_frames_.pop_back();
  }
  Frame& frame = *frames_[id];
  AirFrame& air = frame.air;
  const TimeNs now = scheduler_.now();
  air.transmitter = node;
  air.channel = tx.channel();
  air.rate = rate;
  air.short_preamble = short_preamble;
  air.tx_power_dbm = n.tx_power_dbm;
  air.timing = n.timing.Get(rate, short_preamble, mpdu.size() + wire::kFcsSize);
  air.start = now;
  air.mpdu.assign(mpdu.begin(), mpdu.end());
  air.retry = mpdu.size() >= 2 && (load_le16(mpdu, 0) & wire::FrameControl::kRetryFlag) != 0;
  LinksOf(node);
  frame.links = n.links;

  tx.StartTx();
  const Links& links = *frame.links;
  frame.signals.resize(links.size());
  for (size_t i = 0; i < links.size(); ++i) {
    const Link& link = links[i];
    Signal& signal = frame.signals[i];
    Phy& rx = *link.phy;
    if (rx.enabled() && rx.channel() == air.channel) {
      signal.power_mw = link.power_mw;
      signal.power = link.power;
      rx.SignalStart(signal, now);
    } else {
      signal.epoch = 0;
    }
  }
  scheduler_.ScheduleAt(now + config_.phy.preamble_detection,
                        [this, id] { PreambleDetectionEnd(id); });
  scheduler_.ScheduleAt(air.payload_start(), [this, id] { HeaderEnd(id); });
  scheduler_.ScheduleAt(air.end(), [this, id] { End(id); });
  return air.timing.total();
}

void Medium::PreambleDetectionEnd(uint32_t id) {
  Frame& frame = *frames_[id];
  const TimeNs now = scheduler_.now();
  const Links& links = *frame.links;
  frame.locked.clear();
  for (size_t i = 0; i < links.size(); ++i) {
    if (links[i].phy->PreambleDetectionEnd(frame.air, frame.signals[i], id, now)) {
      frame.locked.push_back(static_cast<uint32_t>(i));
    }
  }
}

void Medium::HeaderEnd(uint32_t id) {
  Frame& frame = *frames_[id];
  const TimeNs now = scheduler_.now();
  const Links& links = *frame.links;
  for (uint32_t i : frame.locked) links[i].phy->HeaderEnd(frame.signals[i], id, now);
}

void Medium::End(uint32_t id) {
  Frame& frame = *frames_[id];
  const TimeNs now = scheduler_.now();
  nodes_[frame.air.transmitter].phy.EndTx();
  receptions_.clear();
  const bool collect = std::any_of(observers_.begin(), observers_.end(),
                                   [](const AirObserver* o) { return o->WantsReceptions(); });
  const Links& links = *frame.links;
  for (size_t i = 0; i < links.size(); ++i) {
    const Link& link = links[i];
    auto outcome = link.phy->SignalEnd(frame.air, frame.signals[i], id, link.rx_info_dbm, now);
    if (collect && outcome.has_value()) receptions_.push_back({link.node, link.rssi_dbm, *outcome});
  }
  if (!observers_.empty()) {
    TapFrame tap;
    tap.start = frame.air.start;
    tap.end = now;
    tap.transmitter = frame.air.transmitter;
    tap.channel = frame.air.channel;
    tap.rate = frame.air.rate;
    tap.short_preamble = frame.air.short_preamble;
    tap.tx_power_dbm = frame.air.tx_power_dbm;
    tap.mpdu = frame.air.mpdu;
    tap.retry = frame.air.retry;
    tap.receptions = receptions_;
    for (AirObserver* observer : observers_) observer->OnAirFrame(tap);
  }
  frame.links.reset();
  free_frames_.push_back(id);
}

void Medium::AddObserver(AirObserver* observer) { observers_.push_back(observer); }

void Medium::RemoveObserver(AirObserver* observer) {
  observers_.erase(std::remove(observers_.begin(), observers_.end(), observer), observers_.end());
}

}  // namespace airlab::sim
