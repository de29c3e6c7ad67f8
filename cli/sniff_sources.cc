#include "cli/sniff_sources.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <thread>
#include <utility>

#include "core/port/timer.h"
#include "core/sniff/hopper.h"
#include "core/sniff/pcap_sink.h"
#include "core/sniff/pcapng_sink.h"
#include "core/wire/pcap.h"
#include "core/wire/pcapng.h"
#include "host/monitor_iface.h"
#include "host/sniff_scene.h"
#include "platform/air/client.h"
#include "platform/linux/capture_file.h"
#include "platform/sim/phy.h"
#include "platform/sim/propagation.h"
#include "platform/sim/simulation.h"

namespace airlab::cli {

using Clock = std::chrono::steady_clock;

int64_t WallClockNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t CaptureSource::RadioTimeOffsetNs() const { return WallClockNs(); }

// ---------------------------------------------------------------------------------------
// File

namespace {

// Reads a regular pcap file in chunks through core's PcapReader, calling `each` per record;
// false when the file is not a pcap regular file (the caller then uses CaptureFileReader).
// Why not CaptureFileReader's memory map: on a virtual machine, faulting in a mapping of a
// large file costs several times the CPU of read() into one reused buffer, and reading
// dominates a filtering pass (bench/sniff_benchmark.cc). A broken record ends the reading
// with a warning, as with CaptureFileReader: the records before it were good.
template <typename Each>
bool ReadPcapInChunks(const std::string& path, const Each& each, size_t* offset) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  // Small enough to stay in the CPU cache between read() and parsing.
  std::vector<std::byte> buffer(256 << 10);
  ssize_t got =
      ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? ::read(fd, buffer.data(), buffer.size()) : -1;
  if (got < static_cast<ssize_t>(wire::kPcapHeaderSize) ||
      !wire::PcapReader::Open(ByteSpan(buffer.data(), static_cast<size_t>(got))).ok()) {
    ::close(fd);
    return false;
  }
  // The window always starts with the file header, so the reader can be opened over it
  // again after each refill; `base` is where the window's records sit in the file.
  std::array<std::byte, wire::kPcapHeaderSize> header;
  std::memcpy(header.data(), buffer.data(), header.size());
  size_t have = static_cast<size_t>(got);
  size_t base = 0;
  bool more = true;
  while (true) {
    auto reader = wire::PcapReader::Open(ByteSpan(buffer.data(), have));
    Status status;
    while (true) {
      auto record = reader->Next();
      if (!record.ok()) {
        status = record.status();
        break;
      }
      *offset = base + reader->offset();
      if (!each(*record, reader->header().link_type)) {
        ::close(fd);
        return true;
      }
    }
    const size_t tail = have - reader->offset();
    if (status == Status::OutOfRange() && more) {
      if (tail + header.size() > buffer.size() / 2)
        buffer.resize(buffer.size() * 2);  // a huge record
      std::memmove(buffer.data() + header.size(), buffer.data() + reader->offset(), tail);
      std::memcpy(buffer.data(), header.data(), header.size());
      base += reader->offset() - header.size();
      got = ::read(fd, buffer.data() + header.size() + tail, buffer.size() - header.size() - tail);
      more = got > 0;
      have = header.size() + tail + static_cast<size_t>(std::max<ssize_t>(got, 0));
      continue;
    }
    if (tail != 0) {
      std::fprintf(stderr,
                   "airlab: warning: %s: %s record at offset %zu; the frames before it were read\n",
                   path.c_str(), status == Status::OutOfRange() ? "truncated" : "corrupt",
                   base + reader->offset());
    }
    break;
  }
  ::close(fd);
  return true;
}

// Any other capture file (pcapng, a pipe) through CaptureFileReader, calling `each` per
// record until it returns false.
template <typename Each>
void ReadCaptureFile(const std::string& path, const Each& each, size_t* offset) {
  linux_port::CaptureFileReader reader(path);
  while (true) {
    std::optional<linux_port::CapturedPacket> packet;
    try {
      packet = reader.Next();
    } catch (const std::runtime_error& e) {
      // The records before a broken one were good: keep what was read, say why it stopped.
      std::fprintf(stderr, "airlab: warning: %s\n", e.what());
      break;
    }
    *offset = reader.offset();
    if (!packet ||
        !each(sniff::Packet{packet->ts_ns, packet->link_type, packet->data, packet->origlen}))
      break;
  }
}

}  // namespace

FileSource::FileSource(FileSourceOptions options) : options_(std::move(options)) {
  // Opened here, before anything is written: a missing input must not cost an output.
  const int fd = ::open(options_.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw std::runtime_error(options_.path + ": cannot open it: " + std::strerror(errno) +
                             "; check the path and that you may read it");
  }
  ::close(fd);
}

void FileSource::Run(sniff::Pipeline& pipeline, const RunControl& control) {
  struct stat st {};
  const size_t size =
      ::stat(options_.path.c_str(), &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : 0;
  const auto wall_start = Clock::now();
  auto next_tick = wall_start + control.tick_every;
  int64_t first_ts = 0;
  bool have_first = false;
  uint64_t n = 0;
  size_t offset = 0;
  // One packet; false to stop reading.
  auto each = [&](const sniff::Packet& packet) {
    if (options_.speed > 0) {
      if (!have_first) first_ts = packet.ts_ns, have_first = true;
      const auto due = wall_start + std::chrono::nanoseconds(static_cast<int64_t>(
                                        (packet.ts_ns - first_ts) / options_.speed));
      while (Clock::now() < due && !control.stopped()) {
        std::this_thread::sleep_until(std::min(due, Clock::now() + std::chrono::milliseconds(100)));
        if (Clock::now() >= next_tick && control.tick) {
          control.tick();
          next_tick = Clock::now() + control.tick_every;
        }
      }
    }
    pipeline.AddPacket(packet).IgnoreError();  // counted in the pipeline's stats
    if ((n++ & 0xfff) == 0) {
      if (control.stopped()) return false;
      if (Clock::now() >= next_tick) {
        if (options_.progress) options_.progress(offset, size);
        if (control.tick) control.tick();
        next_tick = Clock::now() + control.tick_every;
      }
    }
    return true;
  };
  const bool chunked = ReadPcapInChunks(
      options_.path,
      [&](const wire::PcapRecord& r, uint32_t link_type) {
        // The span rebuilt from its two words: copied whole, it was reloaded as one 16-byte
        // word right after PcapReader::Next stored it as two, a stall on every frame.
        return each(
            sniff::Packet{r.ts_ns, link_type, ByteSpan(r.data.data(), r.data.size()), r.origlen});
      },
      &offset);
  if (!chunked) ReadCaptureFile(options_.path, each, &offset);
  if (options_.progress) options_.progress(size, size);
  if (control.tick) control.tick();
}

// ---------------------------------------------------------------------------------------
// Capture stream

namespace {

// Whether `bytes` start like a pcap or pcapng file (either byte order), which a user may
// hand --stream by mistake.
bool IsCaptureFile(ByteSpan bytes) {
  if (bytes.size() < 4) return false;
  const uint32_t magic = load_le32(bytes, 0);
  for (uint32_t known : {wire::kPcapMagicMicroseconds, wire::kPcapMagicNanoseconds}) {
    if (magic == known || load_be32(bytes, 0) == known) return true;
  }
  return magic == wire::kPcapngSectionHeader;  // the same in either byte order
}

}  // namespace

void StreamSource::OnStreamPacket(const sniff::Packet& packet) {
  pipeline_->AddPacket(packet).IgnoreError();
}

void StreamSource::OnStreamLog(ByteSpan text) {
  std::fprintf(stderr, "device: %.*s\n", static_cast<int>(text.size()),
               reinterpret_cast<const char*>(text.data()));
}

std::string StreamSource::Losses() const {
  if (stats_.bytes_lost == 0 && stats_.frames_lost == 0 && stats_.device_drops == 0) return {};
  return "stream: " + std::to_string(stats_.bytes_lost) + " bytes of garbage skipped, " +
         std::to_string(stats_.frames_lost) + " frames lost in transit, " +
         std::to_string(stats_.device_drops) + " dropped by the device";
}

StreamSource::StreamSource(std::string path) : path_(std::move(path)) {
  // Checked, not opened: opening a FIFO waits for its writer.
  if (path_ != "-" && ::access(path_.c_str(), R_OK) != 0) {
    throw std::runtime_error("cannot open the capture stream " + path_ + ": " +
                             std::strerror(errno) +
                             "; give a file, FIFO or serial device that exists and is readable");
  }
}

void StreamSource::Run(sniff::Pipeline& pipeline, const RunControl& control) {
  pipeline_ = &pipeline;
  const int fd = path_ == "-" ? 0 : ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw std::runtime_error("cannot open the capture stream " + path_ + ": " +
                             std::strerror(errno) +
                             "; give a file, FIFO or serial device that exists and is readable");
  }
  std::vector<std::byte> frame(sniff::kStreamMaxEncoded);
  sniff::StreamDecoder decoder(frame, *this);
  std::vector<std::byte> chunk(64 * 1024);
  auto next_tick = Clock::now() + control.tick_every;
  bool first_read = true;
  while (!control.stopped()) {
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, 100);
    if (ready < 0 && errno != EINTR) break;
    if (ready > 0) {
      const ssize_t n = ::read(fd, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      if (first_read && IsCaptureFile(ByteSpan(chunk.data(), static_cast<size_t>(n)))) {
        if (fd != 0) ::close(fd);
        throw std::runtime_error(
            path_ +
            " is a capture file (pcap or pcapng), not a device's capture stream: "
            "use -r " +
            (path_ == "-" ? std::string("FILE") : path_));
      }
      first_read = false;
      decoder.Feed(ByteSpan(chunk.data(), static_cast<size_t>(n)));
      stats_ = decoder.stats();
    }
    if (Clock::now() >= next_tick && control.tick) {
      control.tick();
      next_tick = Clock::now() + control.tick_every;
    }
  }
  stats_ = decoder.stats();
  if (fd != 0) ::close(fd);
  if (control.tick) control.tick();
}

// ---------------------------------------------------------------------------------------
// The simulated air's demo scene

std::string SimDemoSource::Describe() const {
  return "simulated air (demo scene, seed " + std::to_string(options_.seed) + ")";
}

void SimDemoSource::Run(sniff::Pipeline& pipeline, const RunControl& control) {
  using port::TimeNs;
  sim::SimulationConfig config;
  config.seed = options_.seed;
  sim::Simulation sim(config);
  host::SniffScene scene(sim, options_.channel, options_.seed);
  const TimeNs ms = port::kMillisecond;

  port::Radio& radio = sim.radio(scene.sniffer());
  radio.SetListener(&pipeline);
  if (!radio.SetPromiscuous(true).ok())
    throw std::runtime_error("the simulated radio refused promiscuous mode");
  auto timer = sim.NewTimer();
  sniff::ChannelHopper hopper(radio, *timer, sim.clock(), control.tables);
  if (!options_.hop.empty()) {
    const sniff::HopperConfig hop{options_.hop, options_.dwell.count() * ms};
    if (!hopper.Start(hop).ok()) {
      throw std::runtime_error(
          "cannot hop over those channels; give 1 to 14 channels between 1 and 14 and a dwell "
          "above 0");
    }
  }

  const TimeNs end =
      options_.duration_s > 0 ? static_cast<TimeNs>(options_.duration_s * 1e9) : INT64_MAX;
  const TimeNs slice =
      std::chrono::duration_cast<std::chrono::nanoseconds>(control.tick_every).count();
  while (sim.now() < end && !control.stopped()) {
    // Paced slices are a tick of wall time; unpaced ones a tick of simulated time.
    const TimeNs step = options_.speed > 0 ? static_cast<TimeNs>(slice * options_.speed) : slice;
    const TimeNs until = end - sim.now() < step ? end : sim.now() + step;
    if (options_.speed > 0) {
      sim.RunPaced(until, options_.speed);
    } else {
      sim.RunUntil(until);
    }
    if (control.tick) control.tick();
  }
  hopper.Stop();
  radio.SetListener(nullptr);
}

// ---------------------------------------------------------------------------------------
// The air hub

// A radio only in name: the channel the hub's frames are seen on, for the ChannelHopper to
// tune. It never sends.
class HubSource::Tuner final : public port::Radio {
 protected:
  Status DoSetEnabled(bool) override { return Status::Ok(); }
  Status DoTransmit(ByteSpan, const port::TxOptions&) override { return Status::Unimplemented(); }
  Status DoSetChannel(uint8_t) override { return Status::Ok(); }
  Status DoSetAddress(port::Interface, const MacAddress&) override { return Status::Ok(); }
  Status DoSetPromiscuous(bool) override { return Status::Ok(); }
};

// Hands the hub's frames on the tuned channel to the pipeline as a radio would.
class HubSource::Listener final : public air::AirListener {
 public:
  Listener(sniff::Pipeline& pipeline, const port::Radio* tuner)
      : pipeline_(pipeline), tuner_(tuner) {}

  void OnAirFrame(const sim::TapFrame& frame) override {
    if (tuner_ != nullptr && frame.channel != tuner_->channel()) return;
    // No node got it: as weak as a frame can be and still be on the air.
    double rssi = sim::PhyConfig{}.rx_sensitivity_dbm;
    for (const sim::TapReception& r : frame.receptions) rssi = std::max(rssi, r.rssi_dbm);
    // A node's default noise floor (sim::NodeConfig) over the frame's bandwidth.
    const double noise = sim::MwToDbm(sim::ThermalNoiseMw(port::IsDsss(frame.rate) ? 22e6 : 20e6)) +
                         sim::NodeConfig{}.noise_figure_db;
    port::RxInfo info;
    info.rssi_dbm = static_cast<int8_t>(std::clamp(std::lround(rssi), -128L, 127L));
    info.noise_dbm = static_cast<int8_t>(std::lround(noise));
    info.channel = frame.channel;
    info.rate = frame.rate;
    info.timestamp = frame.start;
    info.retry = frame.retry;
    pipeline_.OnReceive(frame.mpdu, info);
  }

 private:
  sniff::Pipeline& pipeline_;
  const port::Radio* tuner_;
};

HubSource::HubSource(HubSourceOptions options) : options_(std::move(options)) {
  try {
    client_ = std::make_unique<air::HubClient>(options_.address, "sniff");
  } catch (const air::HubError& e) {
    throw std::runtime_error(e.what());  // names the fix: start `airlab air`
  }
  time_offset_ns_ = WallClockNs() - client_->clock().Now();
}

HubSource::~HubSource() = default;

std::string HubSource::Describe() const {
  std::string what = "air hub " + options_.address;
  if (!options_.hop.empty()) {
    what += " (hopping)";
  } else if (options_.channel != 0) {
    what += " (channel " + std::to_string(options_.channel) + ")";
  } else {
    what += " (every channel)";
  }
  return what;
}

std::string HubSource::Losses() const {
  return "hub: frames dropped because the sniffer fell behind: " +
         std::to_string(client_->sniff_dropped());
}

namespace {

// Runs the hub's air until a stop, `duration_s` of wall time (0: no limit) or the hub goes
// away (then true), ticking the display on the way.
bool Pump(air::HubClient& client, const RunControl& control, double duration_s) {
  const auto start = Clock::now();
  const auto end = duration_s > 0 ? start + std::chrono::duration_cast<Clock::duration>(
                                                std::chrono::duration<double>(duration_s))
                                  : Clock::time_point::max();
  auto next_tick = start + control.tick_every;
  while (!control.stopped() && Clock::now() < end) {
    // Bounded in wall time too: a stalled hub stops the air's clock, not --duration.
    const auto wall_left = std::min(end, next_tick) - Clock::now();
    if (client.RunFor(10 * port::kMillisecond, std::max(wall_left, Clock::duration::zero())) ==
        Status::Unavailable()) {
      return true;
    }
    if (Clock::now() >= next_tick) {
      if (control.tick) control.tick();
      next_tick = Clock::now() + control.tick_every;
    }
  }
  return false;
}

}  // namespace

void HubSource::Run(sniff::Pipeline& pipeline, const RunControl& control) {
  std::unique_ptr<Tuner> tuner;
  std::unique_ptr<port::Timer> timer = client_->NewTimer();
  std::unique_ptr<sniff::ChannelHopper> hopper;
  if (options_.channel != 0 || !options_.hop.empty()) {
    tuner = std::make_unique<Tuner>();
    if (!tuner->SetChannel(options_.channel != 0 ? options_.channel : 1).ok()) {
      throw std::runtime_error("the channel must be 1-14");
    }
  }
  if (!options_.hop.empty()) {
    hopper =
        std::make_unique<sniff::ChannelHopper>(*tuner, *timer, client_->clock(), control.tables);
    if (!hopper->Start({options_.hop, options_.dwell.count() * port::kMillisecond}).ok()) {
      throw std::runtime_error(
          "cannot hop over those channels; give 1 to 14 channels between 1 and 14 and a dwell "
          "above 0");
    }
  }
  Listener listener(pipeline, tuner.get());
  try {
    client_->Sniff(&listener);
  } catch (const air::HubError& e) {
    throw std::runtime_error(std::string("the air hub refused the sniffer: ") + e.what());
  }
  const bool hub_gone = Pump(*client_, control, options_.duration_s);
  if (hopper) hopper->Stop();
  // The hub says the time every 10 ms while it runs; a second of silence is a stalled hub,
  // which would not answer the unsubscribe either.
  const bool hub_stalled = !hub_gone && client_->silent_for() > std::chrono::seconds(1);
  if (hub_gone || hub_stalled) {
    std::fprintf(stderr,
                 "airlab: warning: the air hub at %s %s; the tables hold what came before\n",
                 options_.address.c_str(), hub_gone ? "went away" : "stopped answering");
  } else {
    try {
      client_->Sniff(nullptr);
    } catch (const air::HubError&) {
      // The hub went away as the capture ended: everything it sent was counted.
    }
  }
  if (control.tick) control.tick();
}

// ---------------------------------------------------------------------------------------
// Output

FdByteSink::FdByteSink(const std::string& path, const std::vector<std::string>& inputs)
    : file_(path, inputs), buffer_(1 << 20) {}

Status FdByteSink::Write(ByteSpan bytes) {
  if (!error_.empty()) return Status::Unavailable();
  try {
    if (bytes.size() > buffer_.size() - used_) {
      Flush();
      if (bytes.size() > buffer_.size()) {
        file_.Write(bytes);
        return Status::Ok();
      }
    }
    std::memcpy(buffer_.data() + used_, bytes.data(), bytes.size());
    used_ += bytes.size();
    if (file_.live()) Flush();
  } catch (const std::runtime_error& e) {
    error_ = e.what();
    return Status::Unavailable();
  }
  return Status::Ok();
}

MutableByteSpan FdByteSink::Reserve(size_t size) {
  if (!error_.empty() || size > buffer_.size()) return {};
  if (size > buffer_.size() - used_) {
    try {
      Flush();
    } catch (const std::runtime_error& e) {
      error_ = e.what();
      return {};
    }
  }
  return MutableByteSpan(buffer_).subspan(used_, size);
}

Status FdByteSink::Commit(size_t size) {
  if (!error_.empty()) return Status::Unavailable();
  used_ += size;
  if (file_.live()) {
    try {
      Flush();
    } catch (const std::runtime_error& e) {
      error_ = e.what();
      return Status::Unavailable();
    }
  }
  return Status::Ok();
}

void FdByteSink::Flush() {
  const size_t used = std::exchange(used_, 0);
  file_.Write(ByteSpan(buffer_.data(), used));
}

void FdByteSink::Close() {
  if (error_.empty()) {
    try {
      Flush();
      file_.Commit();
      return;
    } catch (const std::runtime_error& e) {
      error_ = e.what();
    }
  }
  file_.Abandon();
  throw std::runtime_error(error_ + "; the file was not written");
}

// ---------------------------------------------------------------------------------------
// The capture

Sniffer::Sniffer(std::unique_ptr<CaptureSource> source, const SnifferOptions& options)
    : source_(std::move(source)) {
  sniff::ParseError error;
  if (!filter_.Compile(options.filter, &error).ok()) {
    throw std::runtime_error("--filter \"" + options.filter + "\": at column " +
                             std::to_string(error.position + 1) + " expected " + error.expected +
                             " (fields: airlab sniff --help)");
  }
  using StationTable = sniff::Tables::StationTable;
  using LinkTable = sniff::Tables::LinkTable;
  station_slots_.resize(options.max_stations);
  station_buckets_.resize(StationTable::BucketCountFor(options.max_stations));
  link_slots_.resize(options.max_links);
  link_buckets_.resize(LinkTable::BucketCountFor(options.max_links));
  sniff::TablesConfig tables_config;
  tables_config.max_age_ns = static_cast<int64_t>(options.max_age_s * 1e9);
  tables_ = std::make_unique<sniff::Tables>(station_slots_, station_buckets_, link_slots_,
                                            link_buckets_, tables_config);
  if (!options.write.empty()) {
    output_ = std::make_unique<FdByteSink>(options.write, options.inputs);
    Status started;
    if (linux_port::CaptureFormatForPath(options.write) == linux_port::CaptureFormat::kPcap) {
      sink_scratch_.resize(sniff::kPcapSinkScratchSize);
      started = pcap_sink_.emplace(*output_, sink_scratch_).Start();
      sink_ = &*pcap_sink_;
    } else {
      sink_scratch_.resize(sniff::kPcapngSinkScratchSize);
      sniff::PcapngSinkOptions sink_options;
      sink_options.espnow_comments = options.comments;
      started = pcapng_sink_.emplace(*output_, sink_scratch_, sink_options).Start();
      sink_ = &*pcapng_sink_;
    }
    if (!started.ok())
      throw std::runtime_error("cannot write the capture header to " + options.write);
  }
  sniff::PipelineConfig config;
  config.decode.verify_fcs = options.verify_fcs;
  config.keep_bad_fcs = options.keep_bad_fcs;
  config.radio_time_offset_ns = source_->RadioTimeOffsetNs();
  pipeline_ = std::make_unique<sniff::Pipeline>(filter_, tables_.get(), sink_, config);
}

Sniffer::~Sniffer() = default;

void Sniffer::Run(const RunControl& control) {
  RunControl with_tables = control;
  with_tables.tables = tables_.get();
  source_->Run(*pipeline_, with_tables);
}

void Sniffer::Finish() {
  if (output_) output_->Close();
}

IfaceSource::IfaceSource(IfaceSourceOptions options) : options_(std::move(options)) {
  try {
    host::MonitorLink link = host::OpenMonitor(options_.iface, std::nullopt, std::nullopt,
                                               linux_port::MonitorRadio::Capture::kAll);
    loop_ = std::move(link.loop);
    radio_ = std::move(link.radio);
  } catch (const linux_port::InterfaceError& e) {
    throw std::runtime_error(e.what());
  }
  time_offset_ns_ = WallClockNs() - loop_->clock().Now();
}

IfaceSource::~IfaceSource() {
  radio_.reset();  // before its loop
}

std::string IfaceSource::Describe() const {
  std::string what = "interface " + options_.iface;
  if (!options_.hop.empty()) return what + " (hopping)";
  return what + " (channel " +
         std::to_string(options_.channel != 0 ? options_.channel : radio_->channel()) + ")";
}

std::string IfaceSource::Losses() const {
  const linux_port::MonitorRadioCounters c = radio_->counters();
  return "kernel: frames dropped " + std::to_string(c.kernel_dropped + c.interface_dropped) +
         ", skipped (bad radiotap or too short) " + std::to_string(c.bad_radiotap + c.too_short);
}

void IfaceSource::Run(sniff::Pipeline& pipeline, const RunControl& control) {
  if (!radio_->SetPromiscuous(true).ok()) throw std::runtime_error(radio_->last_error());
  if (options_.channel != 0 && !radio_->SetChannel(options_.channel).ok()) {
    throw std::runtime_error(radio_->last_error());
  }
  std::unique_ptr<port::Timer> timer = loop_->NewTimer();
  std::unique_ptr<sniff::ChannelHopper> hopper;
  if (!options_.hop.empty()) {
    hopper =
        std::make_unique<sniff::ChannelHopper>(*radio_, *timer, loop_->clock(), control.tables);
    if (!hopper->Start({options_.hop, options_.dwell.count() * port::kMillisecond}).ok()) {
      throw std::runtime_error("cannot hop over those channels on " + options_.iface + ": " +
                               radio_->last_error());
    }
  }
  radio_->SetListener(&pipeline);
  const auto start = Clock::now();
  const auto end = options_.duration_s > 0
                       ? start + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(options_.duration_s))
                       : Clock::time_point::max();
  auto next_tick = start + control.tick_every;
  bool gone = false;
  while (!control.stopped() && Clock::now() < end && !gone) {
    gone = loop_->RunFor(10 * port::kMillisecond) == Status::Unavailable();
    if (Clock::now() >= next_tick) {
      if (control.tick) control.tick();
      next_tick = Clock::now() + control.tick_every;
    }
  }
  if (hopper) hopper->Stop();
  radio_->SetListener(nullptr);
  if (control.tick) control.tick();
  if (gone) throw std::runtime_error(loop_->error());
}

}  // namespace airlab::cli
