#pragma once
// AirTap: the simulated air as a monitor-mode adapter would capture it. For each frame on the
// air it makes one record - a radiotap header (TSFT = start of the frame, flags with the FCS
// at the end, rate, channel, and from a vantage node its RSSI and noise floor), the MPDU and
// its FCS - and hands it to a FrameSink with the time the frame ended.
//
// The file format (pcap or pcapng) and the file itself are the sink's business: on a host,
// host/air_capture.h writes them through platform/linux's capture writer; tests keep them in
// memory. So the simulated air needs no file system of its own.

#include <cstdint>
#include <optional>
#include <vector>

#include "core/base/bytes.h"
#include "platform/sim/simulation.h"
#include "platform/sim/tap.h"

namespace airlab::sim {

// Where the tap's records go. `record` is valid during the call only; `ts_ns` is the end of
// the frame in ns since the Unix epoch. May throw (std::runtime_error naming what failed):
// the exception goes through the simulation to whoever runs it.
class FrameSink {
 public:
  virtual void WriteFrame(int64_t ts_ns, ByteSpan record) = 0;

 protected:
  ~FrameSink() = default;
};

struct AirTapOptions {
  // Record what this node's receiver made of the air, like a sniffer standing there: the
  // frames it decoded, and those it locked on but got in error (bad FCS flag, and an FCS
  // that fails); frames it missed are not recorded. Unset: every frame as sent, without
  // signal figures.
  std::optional<uint32_t> vantage_node;
  // The wall-clock time of simulated time 0, in ns since the Unix epoch.
  int64_t epoch_ns = 0;
};

class AirTap final : public AirObserver {
 public:
  // Observes `simulation` until Close or destruction. The sink must outlive the tap.
  AirTap(Simulation& simulation, FrameSink& sink, AirTapOptions options = {});
  ~AirTap();
  AirTap(const AirTap&) = delete;
  AirTap& operator=(const AirTap&) = delete;

  void OnAirFrame(const TapFrame& frame) override;
  // Stops observing; later frames are not recorded.
  void Close();
  uint64_t frames_written() const { return frames_written_; }

 private:
  Simulation& simulation_;
  FrameSink& sink_;
  AirTapOptions options_;
  std::vector<std::byte> record_;  // the radiotap record of a frame
  bool observing_ = false;
  uint64_t frames_written_ = 0;
};

}  // namespace airlab::sim
