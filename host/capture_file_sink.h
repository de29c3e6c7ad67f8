#pragma once
// The simulated air into a capture file: CaptureFileSink is a sim::ByteSink over a file or a
// FIFO (buffered; a FIFO gets every block at once, for a live Wireshark), and AirCapture
// puts a sim::PcapngTap in such a file - what `airlab sim --pcap`, `airlab air --pcap` and
// the lab's experiment write.

#include <cstdint>
#include <string>
#include <vector>

#include "platform/sim/pcapng_tap.h"
#include "platform/sim/simulation.h"

namespace airlab::host {

class CaptureFileSink final : public sim::ByteSink {
 public:
  // Creates or truncates `path` (a FIFO is opened, which waits for its reader). Throws
  // std::runtime_error naming the file and what to check.
  explicit CaptureFileSink(std::string path);
  // Closes; errors are lost here, so call Close() to see them.
  ~CaptureFileSink();
  CaptureFileSink(const CaptureFileSink&) = delete;
  CaptureFileSink& operator=(const CaptureFileSink&) = delete;

  // Throw std::runtime_error naming the file when writing fails (a full disk, a FIFO whose
  // reader has gone: ignore SIGPIPE to get that as an error).
  void Write(ByteSpan bytes) override;
  void Flush() override;
  // Flushes and closes the file; later calls do nothing.
  void Close();

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  bool flush_each_write_ = false;
  std::vector<std::byte> buffer_;
};

// A pcapng file of the simulated air, written from now until Close or destruction.
class AirCapture {
 public:
  // Throws std::runtime_error when the file cannot be created.
  AirCapture(sim::Simulation& simulation, std::string path, sim::PcapngTapOptions options = {});
  AirCapture(const AirCapture&) = delete;
  AirCapture& operator=(const AirCapture&) = delete;

  // Stops writing and closes the file, whole (every block ended). Throws
  // std::runtime_error when writing failed.
  void Close();
  uint64_t frames_written() const { return tap_.frames_written(); }
  const std::string& path() const { return file_.path(); }

 private:
  CaptureFileSink file_;  // before tap_: the tap writes into it from its constructor on
  sim::PcapngTap tap_;
};

}  // namespace airlab::host
