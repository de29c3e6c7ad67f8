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
#include <optional>
#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/sniff/filter.h"
#include "core/sniff/pcap_sink.h"
#include "core/sniff/pcapng_sink.h"
#include "core/sniff/pipeline.h"
#include "core/sniff/sink.h"
#include "core/sniff/stream.h"
#include "core/sniff/tables.h"
#include "platform/linux/capture_file.h"

namespace airlab::air {
class HubClient;
}  // namespace airlab::air
namespace airlab::linux_port {
class EventLoop;
class MonitorRadio;
}  // namespace airlab::linux_port

namespace airlab::cli {

// How a source reports back while it runs.
struct RunControl {
  // Called about every `tick_every` of wall time, and once at the end.
  std::function<void()> tick;
  std::chrono::milliseconds tick_every{1000};
  // The source returns soon after this becomes true (a signal handler sets it).
  const std::atomic<bool>* stop = nullptr;
  // Receive a hopping radio's listen time per channel; null: not wanted.
  sniff::Tables* tables = nullptr;
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
  // Throws std::runtime_error naming the fix when the file cannot be opened.
  explicit FileSource(FileSourceOptions options);
  std::string Describe() const override { return "file " + options_.path; }
  void Run(sniff::Pipeline& pipeline, const RunControl& control) override;

 private:
  FileSourceOptions options_;
};

class StreamSource final : public CaptureSource, private sniff::StreamListener {
 public:
  // Throws std::runtime_error naming the fix when `path` does not exist or cannot be read.
  explicit StreamSource(std::string path);
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
  uint8_t channel = 1;       // the sniffer's channel when not hopping
  std::vector<uint8_t> hop;  // channels to hop through; empty: stay on `channel`
  std::chrono::milliseconds dwell{250};
};

// The simulated air with the sniffer's demo scene (host/sniff_scene.h), captured by the
// scene's sniffing node in promiscuous mode, hopping channels when asked.
class SimDemoSource final : public CaptureSource {
 public:
  explicit SimDemoSource(SimDemoOptions options) : options_(std::move(options)) {}
  std::string Describe() const override;
  void Run(sniff::Pipeline& pipeline, const RunControl& control) override;

 private:
  SimDemoOptions options_;
};

struct HubSourceOptions {
  std::string address;       // "4610", "127.0.0.1:4610"
  double duration_s = 0;     // wall seconds; 0: until stopped
  uint8_t channel = 0;       // only frames on this channel; 0: every channel
  std::vector<uint8_t> hop;  // channels to hop through; empty: stay on `channel`
  std::chrono::milliseconds dwell{250};
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

struct IfaceSourceOptions {
  std::string iface;         // a monitor interface (`airlab iface setup`)
  double duration_s = 0;     // wall seconds; 0: until stopped
  uint8_t channel = 0;       // tune there first; 0: stay where the interface is
  std::vector<uint8_t> hop;  // channels to hop through; empty: stay
  std::chrono::milliseconds dwell{250};
};

// A Linux monitor interface (platform/linux/monitor_radio.h): every frame it hears, with
// radiotap's signal, rate and channel, hopping channels through the same ChannelHopper as
// the simulated radio (each hop cycles the interface, a few ms deaf).
class IfaceSource final : public CaptureSource {
 public:
  // Opens the interface. Throws std::runtime_error naming the fix (sudo, `airlab iface
  // setup`).
  explicit IfaceSource(IfaceSourceOptions options);
  ~IfaceSource() override;
  std::string Describe() const override;
  // Throws std::runtime_error when the interface disappears mid-capture.
  void Run(sniff::Pipeline& pipeline, const RunControl& control) override;
  // What the kernel dropped (pcap's statistics) and the frames skipped.
  std::string Losses() const override;
  int64_t RadioTimeOffsetNs() const override { return time_offset_ns_; }

 private:
  IfaceSourceOptions options_;
  std::unique_ptr<linux_port::EventLoop> loop_;
  std::unique_ptr<linux_port::MonitorRadio> radio_;
  int64_t time_offset_ns_ = 0;
};

// Writes a capture's bytes to a linux_port::OutputFile (the convention of every command's
// output: "-" is standard output, /dev/null and FIFOs are written directly, anything else
// goes to a temporary file that Close() renames into place). Bytes are gathered in one
// fixed block and written when it fills; a live reader (a FIFO, pipe or terminal) gets
// each Write (or Commit) at once. Write returns kUnavailable once writing failed (a FIFO's reader gone).
class FdByteSink final : public sniff::ByteSink {
 public:
  // Throws std::runtime_error naming the path when it cannot be opened or is one of
  // `inputs` (the files the command reads).
  explicit FdByteSink(const std::string& path, const std::vector<std::string>& inputs = {});
  FdByteSink(const FdByteSink&) = delete;
  FdByteSink& operator=(const FdByteSink&) = delete;

  Status Write(ByteSpan bytes) override;
  // Room at the end of the block (writing it out first when it is too full): the capture
  // sinks build each record there instead of copying it in.
  MutableByteSpan Reserve(size_t size) override;
  Status Commit(size_t size) override;
  // Writes what is gathered and puts the file in place. Throws std::runtime_error saying
  // why when a write failed (the destination is then left as it was).
  void Close();

 private:
  void Flush();

  linux_port::OutputFile file_;
  std::vector<std::byte> buffer_;
  size_t used_ = 0;
  std::string error_;  // why writing failed; empty while it works
};

struct SnifferOptions {
  std::string filter;  // sniff::Filter's expression; empty: every frame
  // Where the frames that pass go: a .pcap or .cap name gets pcap, any other pcapng, "-" is
  // standard output (linux_port::OutputFile); empty: nowhere.
  std::string write;
  std::vector<std::string> inputs;  // files the source reads: never written over
  bool comments = false;            // pcapng: a comment on each ESP-NOW frame
  size_t max_stations = 256;
  size_t max_links = 256;
  double max_age_s = 0;
  bool verify_fcs = false;
  bool keep_bad_fcs = false;
};

// One capture: a source, the filter, the tables and the output file, wired into a
// sniff::Pipeline. `airlab sniff` parses options into this and prints what it holds.
class Sniffer {
 public:
  // Compiles the filter and opens the output. Construct the source first, so a source that
  // cannot be opened fails before anything is written. Throws std::runtime_error naming
  // the fix (a filter error names the column).
  Sniffer(std::unique_ptr<CaptureSource> source, const SnifferOptions& options);
  ~Sniffer();
  Sniffer(const Sniffer&) = delete;
  Sniffer& operator=(const Sniffer&) = delete;

  // Captures until the source ends or `control` says stop. Throws std::runtime_error from the
  // source; the output file is then left as it was.
  void Run(const RunControl& control);
  // Puts the output file in place. Throws std::runtime_error when writing it failed.
  void Finish();

  const CaptureSource& source() const { return *source_; }
  const sniff::Tables& tables() const { return *tables_; }
  const sniff::PipelineStats& stats() const { return pipeline_->stats(); }
  // Frames written to the output.
  uint64_t written() const { return stats().matched - stats().sink_errors; }

 private:
  std::unique_ptr<CaptureSource> source_;
  sniff::Filter filter_;
  std::vector<sniff::Tables::StationTable::Slot> station_slots_;
  std::vector<uint32_t> station_buckets_;
  std::vector<sniff::Tables::LinkTable::Slot> link_slots_;
  std::vector<uint32_t> link_buckets_;
  std::unique_ptr<sniff::Tables> tables_;
  std::unique_ptr<FdByteSink> output_;
  std::vector<std::byte> sink_scratch_;
  std::optional<sniff::PcapSink> pcap_sink_;
  std::optional<sniff::PcapngSink> pcapng_sink_;
  sniff::PacketSink* sink_ = nullptr;  // one of the two, or none
  std::unique_ptr<sniff::Pipeline> pipeline_;
};

// Seconds since the epoch now, in ns: the simulated air's time 0 in written captures.
int64_t WallClockNs();

}  // namespace airlab::cli
