#pragma once
// Where `airlab sniff` and the Wireshark extcap get their frames, and where they write
// them. Each source drives a sniff::Pipeline until it ends or is told to stop:
// - FileSource: a pcap or pcapng file (radiotap or bare 802.11), as fast as possible or
//   paced by its timestamps;
// - StreamSource: the capture stream (core/sniff/stream.h) an ESP32 sends over serial,
//   read from a file, a FIFO or a serial device already set up (stty);
// - SimDemoSource: the simulated air with a small built-in scene (ESP-NOW nodes, access
//   points beaconing), sniffed by a promiscuous radio that can hop channels;
// - HubSource: the shared simulated air of an `airlab air` hub, as one of its sniffers.
// A Linux monitor interface and an ESP32 on a serial port plug in as further CaptureSource
// implementations: a radio (Linux) hops through the same ChannelHopper, a serial port feeds
// the same StreamDecoder.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/sniff/pipeline.h"
#include "core/sniff/sink.h"
#include "core/sniff/stream.h"
#include "core/sniff/tables.h"

namespace airlab::air {
class HubClient;
}  // namespace airlab::air

namespace airlab::cli {

// How a source reports back while it runs.
struct RunControl {
  // Called about every `tick_every` of wall time, and once at the end.
  std::function<void()> tick;
  std::chrono::milliseconds tick_every{1000};
  // The source returns soon after this becomes true (a signal handler sets it).
  const std::atomic<bool>* stop = nullptr;
  bool stopped() const { return stop != nullptr && stop->load(); }
};

class CaptureSource {
 public:
  virtual ~CaptureSource() = default;
  // "file capture.pcapng", "simulated air (demo scene, seed 1)".
  virtual std::string Describe() const = 0;
  // Throws std::runtime_error with a sentence naming the fix.
  virtual void Run(sniff::Pipeline& pipeline, const RunControl& control) = 0;
  // Frames the source itself could not use (stream garbage), or lost before they reached
  // it, for the status line; empty if it has none to report.
  virtual std::string Losses() const { return {}; }
  // Added to the timestamps of the frames a radio hands the pipeline (sim time, from 0) to
  // make them wall-clock time: by default the air starts now.
  virtual int64_t RadioTimeOffsetNs() const;
};

struct FileSourceOptions {
  std::string path;
  // 0: as fast as possible; 1: the file's own pace (extcap replay); 2: twice as fast.
  double speed = 0;
  // Called with (bytes read, file size) as the reading goes, for a progress line.
  std::function<void(size_t, size_t)> progress;
};

class FileSource final : public CaptureSource {
 public:
  explicit FileSource(FileSourceOptions options) : options_(std::move(options)) {}
  std::string Describe() const override { return "file " + options_.path; }
  void Run(sniff::Pipeline& pipeline, const RunControl& control) override;

 private:
  FileSourceOptions options_;
};

class StreamSource final : public CaptureSource, private sniff::StreamListener {
 public:
  explicit StreamSource(std::string path) : path_(std::move(path)) {}
  std::string Describe() const override { return "capture stream " + path_; }
  void Run(sniff::Pipeline& pipeline, const RunControl& control) override;
  std::string Losses() const override;
  const sniff::StreamStats& stats() const { return stats_; }

 private:
  void OnStreamPacket(const sniff::Packet& packet) override;
  void OnStreamLog(ByteSpan text) override;

  std::string path_;
  sniff::Pipeline* pipeline_ = nullptr;
  sniff::StreamStats stats_;
};

struct SimDemoOptions {
  uint64_t seed = 1;
  double duration_s = 10;
  // Sim time over wall time: 1 is real time (live display, extcap); 0 runs as fast as it can.
  double speed = 1;
  uint8_t channel = 1;              // the sniffer's channel when not hopping
  std::vector<uint8_t> hop;         // channels to hop through; empty: stay on `channel`
  std::chrono::milliseconds dwell{250};
  sniff::Tables* tables = nullptr;  // receives the hopper's listen time
};

// The demo scene: four ESP-NOW nodes on channel 1 (two broadcasting sensors, a unicast pair
// with ACKs and retries, one v2 sender of long payloads), an access point beaconing on
// channel 1 and another on channel 6, and the sniffer in the middle.
class SimDemoSource final : public CaptureSource {
 public:
  explicit SimDemoSource(SimDemoOptions options) : options_(std::move(options)) {}
  std::string Describe() const override;
  void Run(sniff::Pipeline& pipeline, const RunControl& control) override;

 private:
  SimDemoOptions options_;
};

struct HubSourceOptions {
  std::string address;              // "4610", "127.0.0.1:4610"
  double duration_s = 0;            // wall seconds; 0: until stopped
  uint8_t channel = 0;              // only frames on this channel; 0: every channel
  std::vector<uint8_t> hop;         // channels to hop through; empty: stay on `channel`
  std::chrono::milliseconds dwell{250};
  sniff::Tables* tables = nullptr;  // receives the hopper's listen time
};

// The air of an `airlab air` hub (platform/air), sniffed over loopback TCP: every frame on
// every channel, as the hub's tap saw it. The sniffer has no place in the room, so a
// frame's signal is the strongest any node on the air got of it (a sniffer beside that
// node), and frames reach the pipeline as from a radio (Pipeline::OnReceive). A channel or
// hop list tunes a radio that exists only here: frames on other channels are not seen.
class HubSource final : public CaptureSource {
 public:
  // Connects as a sniffer. Throws std::runtime_error naming the fix (start `airlab air`)
  // when no hub answers at the address.
  explicit HubSource(HubSourceOptions options);
  ~HubSource() override;
  std::string Describe() const override;
  void Run(sniff::Pipeline& pipeline, const RunControl& control) override;
  // The frames the hub dropped for this sniffer because it did not keep up, always.
  std::string Losses() const override;
  // The hub's time 0 in wall-clock time, as seen when connecting.
  int64_t RadioTimeOffsetNs() const override { return time_offset_ns_; }

 private:
  class Listener;
  class Tuner;
  HubSourceOptions options_;
  std::unique_ptr<air::HubClient> client_;
  int64_t time_offset_ns_ = 0;
};

// Writes to a file or FIFO by path ("-": standard output), buffering; a FIFO or terminal
// gets every Write at once (a live reader). Write returns kUnavailable when the reader went away.
class FdByteSink final : public sniff::ByteSink {
 public:
  // Throws std::runtime_error naming the path when it cannot be opened.
  explicit FdByteSink(const std::string& path);
  ~FdByteSink();
  FdByteSink(const FdByteSink&) = delete;
  FdByteSink& operator=(const FdByteSink&) = delete;

  Status Write(ByteSpan bytes) override;
  // Throws std::runtime_error when the bytes cannot be written.
  void Close();

 private:
  Status Flush();

  std::string path_;
  int fd_ = -1;
  bool owned_ = true;
  bool immediate_ = false;
  std::vector<std::byte> buffer_;
};

// Seconds since the epoch now, in ns: the simulated air's time 0 in written captures.
int64_t WallClockNs();

}  // namespace airlab::cli
