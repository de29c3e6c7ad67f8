#include "host/lab.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <stdexcept>

#include "host/memory_queue.h"
#include "platform/linux/sqlite_queue.h"

namespace airlab::host {
namespace {

// Simulated time between two looks at the uplink.
constexpr port::TimeNs kSlice = 5 * port::kMillisecond;
// The gateway's Wi-Fi manager joins the router in about a second (two scans of 13
// channels at kScanDwell, the handshake, DHCP); this is far beyond that.
constexpr port::TimeNs kJoinLimit = 30 * port::kSecond;
// An active scan's time per channel: the lab's router answers probes at once (ESP-IDF lets
// an application shorten its 120 ms default the same way).
constexpr port::TimeNs kScanDwell = 40 * port::kMillisecond;
// Longer than the HTTP uplink's own timeouts: an answer always comes before this.
constexpr auto kAnswerWait = std::chrono::seconds(30);

std::string Describe(Status s) { return s.str(); }

}  // namespace

Router::Router(sim::Simulation& sim, const LabRouterOptions& options, uint8_t channel,
               uint64_t seed)
    : rng_(seed) {
  // Both interface addresses set: no default address of the sim's may match a node's.
  sim::NodeConfig node;
  node.position = options.position;
  node.channel = channel;
  std::array<uint8_t, MacAddress::kSize> station = options.bssid.octets();
  station[5] = static_cast<uint8_t>(station[5] ^ 0x80);
  node.address = MacAddress(station);
  sim::SimRadio& radio = sim.radio(sim.AddNode(node));
  if (!radio.SetAddress(port::Interface::kAccessPoint, options.bssid).ok()) {
    throw std::runtime_error("the router's BSSID is not a unicast address");
  }
  timer_ = sim.NewTimer();
  wifi::AccessPointConfig config;
  if (!config.ssid.Assign(AsBytes(options.ssid.data(), options.ssid.size()))) {
    throw std::runtime_error("the router's SSID \"" + options.ssid + "\" is over 32 bytes");
  }
  config.passphrase = AsBytes(options.password.data(), options.password.size());
  config.channel = channel;
  config.address = wifi::kRouterAddress;
  ap_ = std::make_unique<wifi::AccessPoint>(radio, port::Interface::kAccessPoint, sim.clock(),
                                            *timer_, rng_, aes_, sha1_, config);
  if (Status s = ap_->Start(config); !s.ok()) {
    throw std::runtime_error("the router did not start (" + Describe(s) +
                             "): its password must be 8 to 63 characters");
  }
}

void Router::MoveTo(uint8_t channel) { ap_->SwitchChannel(channel).IgnoreError(); }

class Lab::NodeRelay final : public apps::NodeObserver,
                             public apps::GatewayObserver,
                             public wifi::WifiManagerListener {
 public:
  NodeRelay(LabObserver* observer, size_t index) : observer_(observer), index_(index) {}
  void OnNodeEvent(const apps::NodeEvent& e) override {
    if (observer_ != nullptr) observer_->OnNodeEvent(index_, e);
  }
  void OnGatewayEvent(const apps::GatewayEvent& e) override {
    if (observer_ != nullptr) observer_->OnGatewayEvent(e);
  }
  void OnManagerEvent(const wifi::ManagerEvent& e) override {
    if (observer_ != nullptr) observer_->OnWifiEvent(e);
  }

 private:
  LabObserver* observer_;
  size_t index_;
};

Lab::Lab(const LabOptions& options, port::Uplink& uplink)
    : options_(options),
      sim_(sim::SimulationConfig{.seed = options.seed}),
      epoch_ns_(options.epoch_ns != 0 ? options.epoch_ns : SystemClock().Now()),
      wall_clock_(sim_.clock(), epoch_ns_),
      uplink_(uplink, /*deferred=*/true),
      router_(sim_, options.router, options.router_channel, options.seed * 17 + 5) {
  Publish();
  if (options_.store.empty()) {
    store_ = std::make_unique<MemoryQueue>();
  } else {
    store_ = std::make_unique<linux_port::SqliteQueue>(options_.store);
  }
  if (!options_.pcap.empty()) {
    AirCaptureOptions capture;
    capture.tap.epoch_ns = epoch_ns_;
    capture.interface_name = "lab";
    capture_ = std::make_unique<AirCapture>(sim_, options_.pcap, capture);
  }
  sim::NodeConfig gw;
  gw.position = options_.gateway_position;
  gw.channel = options_.router_channel;
  gw.address = options_.gateway_mac;
  gateway_node_ = sim_.AddNode(gw);
  // One relay per node, and the last for the gateway.
  for (size_t i = 0; i <= options_.nodes.size(); ++i) {
    relays_.push_back(std::make_unique<NodeRelay>(options_.observer, i));
  }
  // The gateway knows its router, as the lab's Master has its SSID and password.
  wifi::WifiManagerConfig wifi;
  wifi.device_name = options_.gateway_name;
  gateway_wifi_ = std::make_unique<WifiDevice>(
      sim_.radio(gateway_node_), [this] { return sim_.NewTimer(); }, sim_.clock(), wifi_store_,
      wifi, options_.seed * 13 + 3, kScanDwell);
  gateway_wifi_->manager().SetListener(relays_.back().get());
  const LabRouterOptions& router = options_.router;
  port::Ssid ssid;
  ssid.Assign(AsBytes(router.ssid.data(), router.ssid.size()));
  if (!gateway_wifi_->manager()
           .AddNetwork(ssid, AsBytes(router.password.data(), router.password.size()))
           .ok()) {
    throw std::runtime_error("the gateway cannot store the router's SSID and password");
  }
  MakeGateway();
  for (size_t i = 0; i < options_.nodes.size(); ++i) {
    sim::NodeConfig n;
    n.position = options_.nodes[i].position;
    n.channel = options_.nodes_channel;
    n.address = options_.nodes[i].mac;
    const uint32_t id = sim_.AddNode(n);
    apps::NodeConfig config = options_.node;
    config.observer = relays_[i].get();
    nodes_.push_back(std::make_unique<NodeHost>(sim_.radio(id), sim_.NewTimer(), sim_.clock(),
                                                config, options_.seed * 1000 + 7 + i,
                                                options_.node_queue_bytes));
  }
}

Lab::~Lab() {
  // Answers still to come must not reach a gateway that is gone.
  uplink_.Sever();
  gateway_.reset();
  nodes_.clear();
  gateway_wifi_.reset();
}

void Lab::MakeGateway() {
  apps::GatewayConfig config = options_.gateway;
  config.name = options_.gateway_name;
  config.observer = relays_.back().get();
  gateway_ = std::make_unique<GatewayHost>(gateway_wifi_->espnow_radio(), sim_.NewTimer(),
                                           sim_.clock(), wall_clock_, *store_, uplink_, config,
                                           options_.seed * 31 + 1 + restarts_);
}

void Lab::Start() {
  if (Status s = gateway_wifi_->manager().Start(); !s.ok()) {
    throw std::runtime_error("the gateway's Wi-Fi manager did not start: " + Describe(s));
  }
  // As the lab's Master script does: Wi-Fi first, then ESP-NOW on the router's channel.
  const port::TimeNs give_up = sim_.now() + kJoinLimit;
  while (gateway_wifi_->joined_channel() == 0 && sim_.now() < give_up) {
    sim_.RunUntil(std::min(give_up, sim_.now() + kSlice));
    Publish();
  }
  if (gateway_wifi_->joined_channel() == 0) {
    throw std::runtime_error("the gateway did not join the router \"" + options_.router.ssid +
                             "\" within " + std::to_string(kJoinLimit / port::kSecond) +
                             " simulated seconds");
  }
  if (Status s = gateway_->Start(HomeChannel()); !s.ok()) {
    throw std::runtime_error("the gateway did not start: " + Describe(s) +
                             " (check the channel id and the write key)");
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (Status s = nodes_[i]->Start(); !s.ok()) {
      throw std::runtime_error("node " + options_.nodes[i].name + " did not start: " + Describe(s));
    }
  }
}

void Lab::At(port::TimeNs time, std::function<void()> action) {
  sim_.scheduler().ScheduleAt(std::max(time, sim_.now()), std::move(action));
}

bool Lab::RunUntil(port::TimeNs end, const std::function<bool()>& done) {
  while (true) {
    if (done && done()) return true;
    if (sim_.now() >= end) return false;
    // Lockstep: simulated time stands while the cloud answers.
    const auto give_up = std::chrono::steady_clock::now() + kAnswerWait;
    while (gateway_->gateway().uplink_in_flight() && std::chrono::steady_clock::now() < give_up) {
      if (uplink_.WaitReady(std::chrono::milliseconds(20))) uplink_.DeliverReady();
      gateway_->gateway().Poll();
    }
    const port::TimeNs slice_end = std::min(end, sim_.now() + kSlice);
    if (options_.speed > 0) {
      sim_.RunPaced(slice_end, options_.speed);
    } else {
      sim_.RunUntil(slice_end);
    }
    Publish();
    FollowStation();
  }
}

uint8_t Lab::HomeChannel() const {
  const uint8_t joined = gateway_wifi_->joined_channel();
  return joined != 0 ? joined : router_.channel();
}

void Lab::FollowStation() {
  const uint8_t joined = gateway_wifi_->joined_channel();
  const uint8_t home = gateway_->gateway().home_channel();
  if (joined != 0 && home != 0 && joined != home) {
    gateway_->FollowRouter(joined).IgnoreError();
  }
}

void Lab::ClosePcap() {
  if (capture_) capture_->Close();
}

void Lab::RestartGateway() {
  uplink_.Sever();
  gateway_.reset();
  ++restarts_;
  MakeGateway();
  if (Status s = gateway_->Start(HomeChannel()); !s.ok()) {
    throw std::runtime_error("the restarted gateway did not start: " + Describe(s));
  }
}

}  // namespace airlab::host
