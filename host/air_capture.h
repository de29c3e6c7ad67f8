#pragma once
// AirCapture: the simulated air into a capture file, what `airlab sim --pcap`, `airlab air
// --pcap` and the lab's experiment write. The records are sim::AirTap's; the file follows
// every command's output convention (linux_port::OutputFile: pcap for a .pcap name, pcapng
// otherwise, "-" for standard output, a FIFO for a live Wireshark, a temporary file renamed
// into place on Close, an input refused as output).

#include <cstdint>
#include <string>
#include <vector>

#include "platform/linux/capture_file.h"
#include "platform/sim/air_tap.h"
#include "platform/sim/simulation.h"

namespace airlab::host {

struct AirCaptureOptions {
  sim::AirTapOptions tap;
  std::string interface_name = "sim";  // pcapng if_name
};

class AirCapture final : public sim::FrameSink {
 public:
  // Creates the file (refusing any of `inputs`) and starts recording. Throws
  // std::runtime_error naming the file and the fix.
  AirCapture(sim::Simulation& simulation, std::string path, AirCaptureOptions options = {},
             const std::vector<std::string>& inputs = {});
  AirCapture(const AirCapture&) = delete;
  AirCapture& operator=(const AirCapture&) = delete;

  // Stops recording and puts the file in place, whole. Throws std::runtime_error when
  // writing failed. Without Close, leaving scope closes too (errors then go unseen), and
  // leaving it by an exception leaves the destination as it was.
  void Close();

  void WriteFrame(int64_t ts_ns, ByteSpan record) override;
  uint64_t frames_written() const { return tap_.frames_written(); }
  const std::string& path() const { return writer_.path(); }

 private:
  linux_port::CaptureFileWriter writer_;  // before tap_: the tap writes into it
  sim::AirTap tap_;
};

}  // namespace airlab::host
