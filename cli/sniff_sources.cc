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

#include "core/espnow/codec.h"
#include "core/port/timer.h"
#include "core/port/rng.h"
#include "core/sniff/hopper.h"
#include "core/wire/pcap.h"
#include "core/wire/mgmt.h"
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
  ssize_t got = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? ::read(fd, buffer.data(), buffer.size()) : -1;
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
      if (tail + header.size() > buffer.size() / 2) buffer.resize(buffer.size() * 2);  // a huge record
      std::memmove(buffer.data() + header.size(), buffer.data() + reader->offset(), tail);
      std::memcpy(buffer.data(), header.data(), header.size());
      base += reader->offset() - header.size();
      got = ::read(fd, buffer.data() + header.size() + tail, buffer.size() - header.size() - tail);
      more = got > 0;
      have = header.size() + tail + static_cast<size_t>(std::max<ssize_t>(got, 0));
      continue;
    }
    if (tail != 0) {
      std::fprintf(stderr, "airlab: warning: %s: %s record at offset %zu; the frames before it were read\n",
                   path.c_str(), status == Status::OutOfRange() ? "truncated" : "corrupt", base + reader->offset());
    }
    break;
  }
  ::close(fd);
  return true;
}

}  // namespace

void FileSource::Run(sniff::Pipeline& pipeline, const RunControl& control) {
  struct stat st {};
  const size_t size = ::stat(options_.path.c_str(), &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : 0;
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
      const auto due = wall_start + std::chrono::nanoseconds(
                                        static_cast<int64_t>((packet.ts_ns - first_ts) / options_.speed));
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
        return each(sniff::Packet{r.ts_ns, link_type, r.data, r.origlen});
      },
      &offset);
  if (!chunked) {
    linux_port::CaptureFileReader reader(options_.path);
    while (true) {
      std::optional<linux_port::CapturedPacket> packet;
      try {
        packet = reader.Next();
      } catch (const std::runtime_error& e) {
        // The records before a broken one were good: keep what was read, say why it stopped.
        std::fprintf(stderr, "airlab: warning: %s\n", e.what());
        break;
      }
      offset = reader.offset();
      if (!packet || !each(sniff::Packet{packet->ts_ns, packet->link_type, packet->data, packet->origlen})) break;
    }
  }
  if (options_.progress) options_.progress(size, size);
  if (control.tick) control.tick();
}

// ---------------------------------------------------------------------------------------
// Capture stream

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

void StreamSource::Run(sniff::Pipeline& pipeline, const RunControl& control) {
  pipeline_ = &pipeline;
  const int fd = path_ == "-" ? 0 : ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw std::runtime_error("cannot open the capture stream " + path_ + ": " + std::strerror(errno) +
                             "; give a file, FIFO or serial device that exists and is readable");
  }
  std::vector<std::byte> frame(sniff::kStreamMaxEncoded);
  sniff::StreamDecoder decoder(frame, *this);
  std::vector<std::byte> chunk(64 * 1024);
  auto next_tick = Clock::now() + control.tick_every;
  while (!control.stopped()) {
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, 100);
    if (ready < 0 && errno != EINTR) break;
    if (ready > 0) {
      const ssize_t n = ::read(fd, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
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

namespace {

using port::TimeNs;

MacAddress Espressif(uint8_t n) { return MacAddress({0x24, 0x0a, 0xc4, 0x5e, 0x00, n}); }

// An ESP-NOW node sending every `period` (with jitter) to `peer`.
class DemoNode final : public port::RadioListener {
 public:
  DemoNode(sim::Simulation& sim, uint32_t node, MacAddress peer, espnow::Version version,
           size_t payload_size, TimeNs period, uint64_t seed)
      : sim_(sim), radio_(sim.radio(node)), peer_(peer), version_(version),
        payload_size_(payload_size), period_(period), rng_(seed),
        encoder_(radio_.address(port::Interface::kStation), rng_) {
    radio_.SetListener(this);
    Schedule(static_cast<TimeNs>(rng_.Uniform(static_cast<uint32_t>(period / 1000))) * 1000);
  }

 private:
  void Schedule(TimeNs delay) {
    sim_.scheduler().ScheduleAfter(delay, [this] { Send(); });
  }
  void Send() {
    std::string text = "t=" + std::to_string(200 + rng_.Uniform(60)) + " n=" + std::to_string(count_++) + " ";
    while (text.size() < payload_size_) text += "airlab ";
    text.resize(payload_size_);
    espnow::EncodeOptions options;
    options.dst = peer_;
    options.version = version_;
    options.fcs = false;
    FrameBuffer<espnow::kMaxFrameSize> frame;
    if (encoder_.Encode(options, AsBytes(text.data(), text.size()), frame).ok()) {
      radio_.Transmit(frame.bytes(), {}).IgnoreError();  // a full queue drops it, as on a device
    }
    Schedule(period_ - period_ / 5 + static_cast<TimeNs>(rng_.Uniform(static_cast<uint32_t>(period_ / 2500))) * 1000);
  }
  void OnReceive(ByteSpan, const port::RxInfo&) override {}
  void OnTxDone(const port::TxReport&) override {}

  sim::Simulation& sim_;
  port::Radio& radio_;
  MacAddress peer_;
  espnow::Version version_;
  size_t payload_size_;
  TimeNs period_;
  port::SplitMix64 rng_;
  espnow::FrameEncoder encoder_;
  uint32_t count_ = 0;
};

// An access point that only beacons (every 102.4 ms, as 100 TU).
class DemoAccessPoint final : public port::RadioListener {
 public:
  DemoAccessPoint(sim::Simulation& sim, uint32_t node, std::string ssid, uint8_t channel)
      : sim_(sim), radio_(sim.radio(node)), ssid_(std::move(ssid)), channel_(channel) {
    radio_.SetListener(this);
    sim_.scheduler().ScheduleAfter(node * 7 * port::kMillisecond, [this] { Beacon(); });
  }

 private:
  void Beacon() {
    static constexpr uint8_t kRates[] = {0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24};
    wire::MgmtHeader header;
    header.addr1 = MacAddress::Broadcast();
    header.addr2 = header.addr3 = radio_.address(port::Interface::kStation);
    header.seq = wire::SequenceControl::Make(seq_++);
    wire::BssFields bss;
    bss.ssid = AsBytes(ssid_.data(), ssid_.size());
    bss.rates = kRates;
    bss.channel = channel_;
    bss.timestamp_us = static_cast<uint64_t>(sim_.now() / port::kMicrosecond);
    FrameBuffer<256> frame;
    if (wire::BuildBeacon(frame, header, bss).ok()) radio_.Transmit(frame.bytes(), {}).IgnoreError();
    sim_.scheduler().ScheduleAfter(102'400 * port::kMicrosecond, [this] { Beacon(); });
  }
  void OnReceive(ByteSpan, const port::RxInfo&) override {}
  void OnTxDone(const port::TxReport&) override {}

  sim::Simulation& sim_;
  port::Radio& radio_;
  std::string ssid_;
  uint8_t channel_;
  uint16_t seq_ = 0;
};

}  // namespace

std::string SimDemoSource::Describe() const {
  return "simulated air (demo scene, seed " + std::to_string(options_.seed) + ")";
}

void SimDemoSource::Run(sniff::Pipeline& pipeline, const RunControl& control) {
  sim::SimulationConfig config;
  config.seed = options_.seed;
  sim::Simulation sim(config);
  auto add = [&](double x, double y, uint8_t channel, MacAddress address) {
    sim::NodeConfig node;
    node.position = {x, y, 0};
    node.channel = channel;
    node.address = address;
    return sim.AddNode(node);
  };
  const uint32_t sniffer = add(0, 0, options_.channel, MacAddress({0x02, 0x5a, 0x1f, 0, 0, 1}));
  const uint32_t sensor_a = add(6, 2, 1, Espressif(0x0a));
  const uint32_t sensor_b = add(-9, 4, 1, Espressif(0x0b));
  const uint32_t pair_c = add(12, 9, 1, Espressif(0x0c));
  const uint32_t pair_d = add(14, -7, 1, Espressif(0x0d));
  const uint32_t long_e = add(-5, -11, 1, Espressif(0x0e));
  const uint32_t ap_lab = add(20, 6, 1, MacAddress({0x02, 0x1a, 0xb0, 0, 0, 1}));
  const uint32_t ap_cafe = add(-30, 12, 6, MacAddress({0x02, 0xca, 0xfe, 0, 0, 6}));

  const TimeNs ms = port::kMillisecond;
  const uint64_t seed = options_.seed;
  std::vector<std::unique_ptr<DemoNode>> nodes;
  nodes.push_back(std::make_unique<DemoNode>(sim, sensor_a, MacAddress::Broadcast(), espnow::Version::kV1, 24, 200 * ms, seed * 11 + 1));
  nodes.push_back(std::make_unique<DemoNode>(sim, sensor_b, MacAddress::Broadcast(), espnow::Version::kV1, 32, 500 * ms, seed * 11 + 2));
  nodes.push_back(std::make_unique<DemoNode>(sim, pair_c, Espressif(0x0d), espnow::Version::kV1, 120, 50 * ms, seed * 11 + 3));
  nodes.push_back(std::make_unique<DemoNode>(sim, pair_d, Espressif(0x0c), espnow::Version::kV1, 16, 250 * ms, seed * 11 + 4));
  nodes.push_back(std::make_unique<DemoNode>(sim, long_e, Espressif(0x0c), espnow::Version::kV2, 900, 300 * ms, seed * 11 + 5));
  DemoAccessPoint lab(sim, ap_lab, "airlab-lab", 1);
  DemoAccessPoint cafe(sim, ap_cafe, "cafe", 6);

  port::Radio& radio = sim.radio(sniffer);
  radio.SetListener(&pipeline);
  if (!radio.SetPromiscuous(true).ok()) throw std::runtime_error("the simulated radio refused promiscuous mode");
  auto timer = sim.NewTimer();
  sniff::ChannelHopper hopper(radio, *timer, sim.clock(), options_.tables);
  if (!options_.hop.empty()) {
    const sniff::HopperConfig hop{options_.hop, options_.dwell.count() * ms};
    if (!hopper.Start(hop).ok()) {
      throw std::runtime_error("cannot hop over those channels; give 1 to 14 channels between 1 and 14 and a dwell above 0");
    }
  }

  const TimeNs end = options_.duration_s > 0 ? static_cast<TimeNs>(options_.duration_s * 1e9) : INT64_MAX;
  const TimeNs slice = std::chrono::duration_cast<std::chrono::nanoseconds>(control.tick_every).count();
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
  Listener(sniff::Pipeline& pipeline, const port::Radio* tuner) : pipeline_(pipeline), tuner_(tuner) {}

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
  return "hub: frames dropped because the sniffer fell behind: " + std::to_string(client_->sniff_dropped());
}

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
    hopper = std::make_unique<sniff::ChannelHopper>(*tuner, *timer, client_->clock(), options_.tables);
    if (!hopper->Start({options_.hop, options_.dwell.count() * port::kMillisecond}).ok()) {
      throw std::runtime_error("cannot hop over those channels; give 1 to 14 channels between 1 and 14 and a dwell above 0");
    }
  }
  Listener listener(pipeline, tuner.get());
  try {
    client_->Sniff(&listener);
  } catch (const air::HubError& e) {
    throw std::runtime_error(std::string("the air hub refused the sniffer: ") + e.what());
  }
  const auto start = Clock::now();
  const auto end = options_.duration_s > 0
                       ? start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options_.duration_s))
                       : Clock::time_point::max();
  auto next_tick = start + control.tick_every;
  bool hub_gone = false;
  while (!control.stopped() && Clock::now() < end) {
    // Bounded in wall time too: a stalled hub stops the air's clock, not --duration.
    const auto wall_left = std::min(end, next_tick) - Clock::now();
    if (client_->RunFor(10 * port::kMillisecond, std::max(wall_left, Clock::duration::zero())) ==
        Status::Unavailable()) {
      hub_gone = true;
      break;
    }
    if (Clock::now() >= next_tick) {
      if (control.tick) control.tick();
      next_tick = Clock::now() + control.tick_every;
    }
  }
  if (hopper) hopper->Stop();
  // The hub says the time every 10 ms while it runs; a second of silence is a stalled hub,
  // which would not answer the unsubscribe either.
  const bool hub_stalled = !hub_gone && client_->silent_for() > std::chrono::seconds(1);
  if (hub_gone || hub_stalled) {
    std::fprintf(stderr, "airlab: warning: the air hub at %s %s; the tables hold what came before\n",
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

FdByteSink::FdByteSink(const std::string& path) : path_(path) {
  if (path == "-") {
    fd_ = 1;
    owned_ = false;
  } else {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  }
  if (fd_ < 0) {
    throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno) +
                             "; choose a path in a directory you can write to");
  }
  struct stat st {};
  // A live reader (a FIFO, a terminal or serial line) gets each write at once; files and
  // /dev/null are written in large blocks.
  immediate_ = (::fstat(fd_, &st) == 0 && S_ISFIFO(st.st_mode)) || ::isatty(fd_);
  buffer_.reserve(1 << 20);
}

FdByteSink::~FdByteSink() {
  if (fd_ >= 0) {
    Flush().IgnoreError();
    if (owned_) ::close(fd_);
  }
}

Status FdByteSink::Write(ByteSpan bytes) {
  if (fd_ < 0) return Status::FailedPrecondition();
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  if (immediate_ || buffer_.size() >= (1u << 20)) return Flush();
  return Status::Ok();
}

Status FdByteSink::Flush() {
  size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      buffer_.clear();
      return errno == EPIPE ? Status::Unavailable() : Status::Internal();
    }
    done += static_cast<size_t>(n);
  }
  buffer_.clear();
  return Status::Ok();
}

void FdByteSink::Close() {
  if (fd_ < 0) return;
  const Status status = Flush();
  const int closed = owned_ ? ::close(fd_) : 0;
  fd_ = -1;
  if (!status.ok() || closed != 0) {
    throw std::runtime_error("writing " + path_ + " failed: " + std::strerror(errno) +
                             "; check the disk has room and the reader is still there");
  }
}

}  // namespace airlab::cli
