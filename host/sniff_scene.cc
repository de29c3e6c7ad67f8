#include "host/sniff_scene.h"

#include <string>
#include <utility>

#include "core/espnow/codec.h"
#include "core/port/rng.h"
#include "core/wire/mgmt.h"

namespace airlab::host {
namespace {

using port::TimeNs;

MacAddress Espressif(uint8_t n) { return MacAddress({0x24, 0x0a, 0xc4, 0x5e, 0x00, n}); }

}  // namespace

// An ESP-NOW node sending every `period` (with jitter) to `peer`.
// Why not sim::TrafficSource (platform/sim/traffic.h): it sends one fixed action frame
// body, while the sniffer's tables and filters need real ESP-NOW frames (v1 and v2 vendor
// elements, readable payloads that change, a sequence counter per sender), which only
// espnow::FrameEncoder makes.
class SniffScene::EspnowNode final : public port::RadioListener {
 public:
  EspnowNode(sim::Simulation& sim, uint32_t node, MacAddress peer, espnow::Version version,
             size_t payload_size, TimeNs period, uint64_t seed)
      : sim_(sim),
        radio_(sim.radio(node)),
        peer_(peer),
        version_(version),
        payload_size_(payload_size),
        period_(period),
        rng_(seed),
        encoder_(radio_.address(port::Interface::kStation), rng_) {
    radio_.SetListener(this);
    Schedule(static_cast<TimeNs>(rng_.Uniform(static_cast<uint32_t>(period / 1000))) * 1000);
  }

 private:
  void Schedule(TimeNs delay) {
    sim_.scheduler().ScheduleAfter(delay, [this] { Send(); });
  }
  void Send() {
    std::string text =
        "t=" + std::to_string(200 + rng_.Uniform(60)) + " n=" + std::to_string(count_++) + " ";
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
    Schedule(period_ - period_ / 5 +
             static_cast<TimeNs>(rng_.Uniform(static_cast<uint32_t>(period_ / 2500))) * 1000);
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
class SniffScene::BeaconingAccessPoint final : public port::RadioListener {
 public:
  BeaconingAccessPoint(sim::Simulation& sim, uint32_t node, std::string ssid, uint8_t channel)
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
    if (wire::BuildBeacon(frame, header, bss).ok())
      radio_.Transmit(frame.bytes(), {}).IgnoreError();
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

SniffScene::SniffScene(sim::Simulation& sim, uint8_t sniffer_channel, uint64_t seed) {
  auto add = [&](double x, double y, uint8_t channel, MacAddress address) {
    sim::NodeConfig node;
    node.position = {x, y, 0};
    node.channel = channel;
    node.address = address;
    return sim.AddNode(node);
  };
  sniffer_ = add(0, 0, sniffer_channel, MacAddress({0x02, 0x5a, 0x1f, 0, 0, 1}));
  const uint32_t sensor_a = add(6, 2, 1, Espressif(0x0a));
  const uint32_t sensor_b = add(-9, 4, 1, Espressif(0x0b));
  const uint32_t pair_c = add(12, 9, 1, Espressif(0x0c));
  const uint32_t pair_d = add(14, -7, 1, Espressif(0x0d));
  const uint32_t long_e = add(-5, -11, 1, Espressif(0x0e));
  const uint32_t ap_lab = add(20, 6, 1, MacAddress({0x02, 0x1a, 0xb0, 0, 0, 1}));
  const uint32_t ap_cafe = add(-30, 12, 6, MacAddress({0x02, 0xca, 0xfe, 0, 0, 6}));

  const TimeNs ms = port::kMillisecond;
  const auto node = [&](uint32_t id, MacAddress peer, espnow::Version version, size_t size,
                        TimeNs period, uint64_t n) {
    nodes_.push_back(
        std::make_unique<EspnowNode>(sim, id, peer, version, size, period, seed * 11 + n));
  };
  node(sensor_a, MacAddress::Broadcast(), espnow::Version::kV1, 24, 200 * ms, 1);
  node(sensor_b, MacAddress::Broadcast(), espnow::Version::kV1, 32, 500 * ms, 2);
  node(pair_c, Espressif(0x0d), espnow::Version::kV1, 120, 50 * ms, 3);
  node(pair_d, Espressif(0x0c), espnow::Version::kV1, 16, 250 * ms, 4);
  node(long_e, Espressif(0x0c), espnow::Version::kV2, 900, 300 * ms, 5);
  access_points_.push_back(std::make_unique<BeaconingAccessPoint>(sim, ap_lab, "airlab-lab", 1));
  access_points_.push_back(std::make_unique<BeaconingAccessPoint>(sim, ap_cafe, "cafe", 6));
}

SniffScene::~SniffScene() = default;

}  // namespace airlab::host
