#include "platform/sim/phy.h"

#include <algorithm>
#include <cmath>

#include "platform/sim/propagation.h"
#include "platform/sim/random.h"

namespace airlab::sim {

Phy::Phy(const PhyConfig& config, const ErrorRateModel& error_model, port::SplitMix64 rng,
         uint8_t channel, double noise_figure_db)
    : error_model_(error_model),
      rng_(rng),
      channel_(channel),
      noise_dsss_mw_(ThermalNoiseMw(22e6) * std::pow(10.0, noise_figure_db / 10.0)),
      noise_ofdm_mw_(ThermalNoiseMw(20e6) * std::pow(10.0, noise_figure_db / 10.0)),
      noise_dsss_dbm_(RxInfoDbm(MwToDbm(noise_dsss_mw_))),
      noise_ofdm_dbm_(RxInfoDbm(MwToDbm(noise_ofdm_mw_))),
      preamble_min_mw_(DbmToMw(config.preamble_min_rssi_dbm)),
      preamble_snr_linear_(std::pow(10.0, config.preamble_snr_db / 10.0)),
      cca_threshold_mw_(DbmToMw(config.cca_threshold_dbm)) {}

Phy::Signal* Phy::Find(uint32_t id) {
  for (Signal& s : signals_) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

double Phy::InterferenceMw(uint32_t except_id) const {
  double sum = 0.0;
  for (const Signal& s : signals_) {
    if (s.id != except_id) sum += s.power_mw;
  }
  return sum;
}

void Phy::SetChannel(uint8_t channel) {
  channel_ = channel;
  Reset();
}

void Phy::SetEnabled(bool on) {
  enabled_ = on;
  Reset();
}

void Phy::Reset() {
  signals_.clear();
  if (state_ == State::kRx) state_ = State::kIdle;
  UpdateCca();
}

void Phy::StartTx() {
  // Sending aborts a reception under way; the preambles present are lost under our own
  // signal, so none of them can be locked on afterwards.
  state_ = State::kTx;
  for (Signal& s : signals_) s.lockable = false;
  UpdateCca();
}

void Phy::EndTx() {
  state_ = State::kIdle;
  if (listener_ != nullptr) listener_->OnTxEnd();
  UpdateCca();
}

void Phy::SignalStart(uint32_t id, double power_mw, TimeNs now) {
  if (state_ == State::kRx) AdvanceChunk(now);
  const bool overlapped = !signals_.empty();
  for (Signal& s : signals_) s.overlapped = true;
  signals_.push_back({id, power_mw, state_ == State::kIdle, false, overlapped, RxOutcome::kMissed});
}

void Phy::PreambleDetectionEnd(const AirFrame& frame, uint32_t id, TimeNs now) {
  Signal* signal = Find(id);
  if (signal == nullptr) return;
  signal->sensed = true;
  if (state_ == State::kIdle && signal->lockable && signal->power_mw >= preamble_min_mw_) {
    const double noise = NoiseMw(frame.rate);
    if (signal->power_mw >= preamble_snr_linear_ * (noise + InterferenceMw(id))) {
      state_ = State::kRx;
      lock_ = Lock{id,
                   signal->power_mw,
                   noise,
                   now,
                   frame.header_start(),
                   frame.payload_start(),
                   frame.end(),
                   static_cast<port::Rate>(frame.timing.header_rate_500kbps),
                   frame.rate,
                   1.0,
                   1.0,
                   false};
    }
  }
  UpdateCca();
}

void Phy::AdvanceChunk(TimeNs now) {
  if (now <= lock_.chunk_start) return;
  const double sinr = lock_.power_mw / (lock_.noise_mw + InterferenceMw(lock_.id));
  auto chunk = [&](TimeNs from, TimeNs to, port::Rate rate, double& success) {
    from = std::max(from, lock_.chunk_start);
    to = std::min(to, now);
    if (to <= from) return;
    // Bits in the chunk as ns-3 counts them: rate times duration, truncated.
    const uint64_t bits = uint64_t{port::RateKbps(rate)} * static_cast<uint64_t>(to - from) / 1'000'000;
    success *= error_model_.ChunkSuccessRate(rate, sinr, bits);
  };
  chunk(lock_.header_start, lock_.payload_start, lock_.header_rate, lock_.header_success);
  chunk(lock_.payload_start, lock_.end, lock_.rate, lock_.payload_success);
  lock_.chunk_start = now;
}

bool Phy::Draw(double success_probability) {
  if (success_probability >= 1.0) return true;
  return Uniform01(rng_) < success_probability;
}

bool Phy::DetectableAlone(double power_mw, port::Rate rate) const {
  return power_mw >= preamble_min_mw_ && power_mw >= preamble_snr_linear_ * NoiseMw(rate);
}

void Phy::HeaderEnd(uint32_t id, TimeNs now) {
  if (state_ != State::kRx || lock_.id != id) return;
  AdvanceChunk(now);
  if (Draw(lock_.header_success)) {
    lock_.header_ok = true;
    return;
  }
  Find(id)->outcome = RxOutcome::kHeaderError;
  ++stats_.rx_errors;
  state_ = State::kIdle;
  UpdateCca();
}

std::optional<RxOutcome> Phy::SignalEnd(const AirFrame& frame, uint32_t id, int8_t rssi_dbm,
                                        TimeNs now) {
  Signal* found = Find(id);
  if (found == nullptr) return std::nullopt;
  if (state_ == State::kRx) AdvanceChunk(now);
  const Signal signal = *found;
  // Erase keeps the order, so interference sums add up the same way every run.
  signals_.erase(signals_.begin() + (found - signals_.data()));

  RxOutcome outcome = signal.outcome;
  if (state_ == State::kRx && lock_.id == id) {
    state_ = State::kIdle;
    const bool ok = Draw(lock_.payload_success);
    outcome = ok ? RxOutcome::kReceived : RxOutcome::kPayloadError;
    ++(ok ? stats_.rx_ok : stats_.rx_errors);
    if (listener_ != nullptr) {
      port::RxInfo info;
      info.rssi_dbm = rssi_dbm;
      info.noise_dbm = port::IsDsss(frame.rate) ? noise_dsss_dbm_ : noise_ofdm_dbm_;
      info.channel = frame.channel;
      info.rate = frame.rate;
      info.timestamp = frame.start;
      info.retry = frame.retry;
      info.fcs_ok = ok;
      listener_->OnRxEnd(frame, info, ok);
    }
  }
  if (outcome != RxOutcome::kReceived && signal.overlapped &&
      DetectableAlone(signal.power_mw, frame.rate)) {
    ++stats_.rx_collisions;
  }
  UpdateCca();
  return outcome;
}

void Phy::UpdateCca() {
  bool busy = false;
  if (enabled_) {
    busy = state_ != State::kIdle;
    if (!busy) {
      double energy = 0.0;
      for (const Signal& s : signals_) {
        if (s.sensed) energy += s.power_mw;
      }
      busy = energy >= cca_threshold_mw_;
    }
  }
  if (busy == cca_busy_) return;
  cca_busy_ = busy;
  if (listener_ != nullptr) listener_->OnCcaChange(busy);
}

}  // namespace airlab::sim
