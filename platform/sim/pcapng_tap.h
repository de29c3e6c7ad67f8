#pragma once
// PcapngTap: writes the simulated air to a pcapng file with radiotap headers, so Wireshark
// shows a simulated run like a capture from a monitor-mode adapter. Each record is the
// radiotap header (TSFT = start of the frame, flags with the FCS at the end, rate, channel,
// and from a vantage node its RSSI and noise floor), the MPDU and its FCS; the record's
// timestamp is the end of the frame.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/linux/capture_file.h"
#include "platform/sim/simulation.h"
#include "platform/sim/tap.h"

namespace airlab::sim {

struct PcapngTapOptions {
  // Record what this node's receiver made of the air, like a sniffer standing there: the
  // frames it decoded, and those it locked on but got in error (bad FCS flag, and an FCS
  // that fails); frames it missed are not in the file. Unset: every frame as sent, without
  // signal figures.
  std::optional<uint32_t> vantage_node;
  // The wall-clock time of simulated time 0, in ns since the Unix epoch.
  int64_t epoch_ns = 0;
  std::string interface_name = "sim";
};

class PcapngTap final : public AirObserver {
 public:
  // Opens `path` and observes `simulation` until destroyed. Throws std::runtime_error when
  // the file cannot be written.
  PcapngTap(Simulation& simulation, std::string path, PcapngTapOptions options = {});
  ~PcapngTap();
  PcapngTap(const PcapngTap&) = delete;
  PcapngTap& operator=(const PcapngTap&) = delete;

  void OnAirFrame(const TapFrame& frame) override;
  // Flushes and closes the file; throws std::runtime_error if writing failed.
  void Close();
  uint64_t frames_written() const { return frames_written_; }

 private:
  Simulation& simulation_;
  PcapngTapOptions options_;
  linux_port::CaptureFileWriter writer_;
  std::vector<std::byte> record_;
  uint64_t frames_written_ = 0;
};

}  // namespace airlab::sim
