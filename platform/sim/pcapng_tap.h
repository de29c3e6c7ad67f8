#pragma once
// PcapngTap: writes the simulated air as pcapng with radiotap headers, so Wireshark shows a
// simulated run like a capture from a monitor-mode adapter. Each record is the radiotap
// header (TSFT = start of the frame, flags with the FCS at the end, rate, channel, and from
// a vantage node its RSSI and noise floor), the MPDU and its FCS; the record's timestamp is
// the end of the frame.
//
// The blocks are core/wire's pcapng writer's; where their bytes go (a file, a pipe, memory)
// is a ByteSink the host gives, so the simulated air needs no file system of its own
// (host/capture_file_sink.h puts it in a file).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/wire/pcapng.h"
#include "platform/sim/simulation.h"
#include "platform/sim/tap.h"

namespace airlab::sim {

// Where a stream of bytes goes. Write takes all of `bytes` (buffering is the sink's
// business) or throws std::runtime_error naming what failed; the tap lets it through to
// whoever runs the simulation.
class ByteSink {
 public:
  virtual void Write(ByteSpan bytes) = 0;
  // Sends what is buffered on; throws std::runtime_error like Write.
  virtual void Flush() = 0;

 protected:
  ~ByteSink() = default;
};

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
  // Writes the section header and the interface to `sink` at once (a reader on a pipe waits
  // for them), then observes `simulation` until Close or destruction. The sink must outlive
  // the tap. Throws what the sink throws.
  PcapngTap(Simulation& simulation, ByteSink& sink, PcapngTapOptions options = {});
  ~PcapngTap();
  PcapngTap(const PcapngTap&) = delete;
  PcapngTap& operator=(const PcapngTap&) = delete;

  void OnAirFrame(const TapFrame& frame) override;
  // Stops observing and flushes the sink: what is written so far is a whole pcapng stream.
  // Throws what the sink throws.
  void Close();
  uint64_t frames_written() const { return frames_written_; }

 private:
  Simulation& simulation_;
  ByteSink& sink_;
  PcapngTapOptions options_;
  wire::PcapngInterface interface_;
  std::vector<std::byte> record_;  // the radiotap record of a frame
  std::vector<std::byte> block_;   // the block that carries it
  bool observing_ = false;
  uint64_t frames_written_ = 0;
};

}  // namespace airlab::sim
