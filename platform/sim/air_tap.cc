#include "platform/sim/air_tap.h"

#include <algorithm>
#include <cmath>

#include "core/base/assert.h"
#include "core/wire/dot11.h"
#include "core/wire/radiotap.h"

namespace airlab::sim {

AirTap::AirTap(Simulation& simulation, FrameSink& sink, AirTapOptions options)
    : simulation_(simulation), sink_(sink), options_(options) {
  simulation_.AddObserver(this);
  observing_ = true;
}

AirTap::~AirTap() { Close(); }

void AirTap::Close() {
  if (observing_) simulation_.RemoveObserver(this);
  observing_ = false;
}

void AirTap::OnAirFrame(const TapFrame& frame) {
  wire::RadiotapInfo info;
  uint8_t flags = wire::RadiotapFlags::kFcsAtEnd;
  if (options_.vantage_node) {
    const uint32_t node = *options_.vantage_node;
    auto it = std::find_if(frame.receptions.begin(), frame.receptions.end(),
                           [node](const TapReception& r) { return r.node == node; });
    if (it == frame.receptions.end()) return;
    if (it->outcome == RxOutcome::kPayloadError) {
      flags |= wire::RadiotapFlags::kBadFcs;
    } else if (it->outcome != RxOutcome::kReceived) {
      return;
    }
    const double noise_mw = simulation_.medium().phy(node).NoiseMw(frame.rate);
    info.signal_dbm = static_cast<int8_t>(std::clamp(std::lround(it->rssi_dbm), -128L, 127L));
    info.noise_dbm = static_cast<int8_t>(std::lround(MwToDbm(noise_mw)));
  }
  // The short preamble exists only for DSSS above 1 Mb/s (core/wire/airtime.cc).
  if (frame.short_preamble && port::IsDsss(frame.rate) && frame.rate != port::Rate::k1Mbps) {
    flags |= wire::RadiotapFlags::kShortPreamble;
  }
  info.tsft_us = static_cast<uint64_t>(frame.start / port::kMicrosecond);
  info.flags = flags;
  info.rate_500kbps = static_cast<uint8_t>(frame.rate);
  const uint16_t freq = wire::ChannelToFrequencyMhz(frame.channel).value_or(0);
  info.channel = wire::RadiotapChannel{
      freq,
      wire::ChannelFlagsFor(freq, port::IsDsss(frame.rate) ? wire::RadiotapModulation::kCck
                                                           : wire::RadiotapModulation::kOfdm)};

  record_.resize(64 + frame.mpdu.size() + wire::kFcsSize);
  ByteBuilder out(record_);
  wire::WriteRadiotap(out, info);
  const size_t mpdu_at = out.size();
  out.Append(frame.mpdu);
  const uint32_t fcs = wire::Crc32(out.bytes().subspan(mpdu_at));
  // A frame received in error carries an FCS that does not match, as a real capture would.
  out.PutLe32((flags & wire::RadiotapFlags::kBadFcs) != 0 ? ~fcs : fcs);
  AIRLAB_ASSERT(out.ok());  // 64 bytes hold every radiotap field set above

  sink_.WriteFrame(options_.epoch_ns + frame.end, out.bytes());
  ++frames_written_;
}

}  // namespace airlab::sim
