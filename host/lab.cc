#include "host/lab.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "host/memory_queue.h"
#include "platform/linux/sqlite_queue.h"

namespace airlab::host {
namespace {

// Simulated time between two looks at the uplink.
constexpr port::TimeNs kSlice = 5 * port::kMillisecond;
// Longer than the HTTP uplink's own timeouts: an answer always comes before this.
constexpr auto kAnswerWait = std::chrono::seconds(30);

std::string Describe(Status s) { return s.str(); }

}  // namespace

void Router::MoveTo(uint8_t channel) {
  channel_ = channel;
  for (auto& follower : followers_) follower(channel);
}

class Lab::NodeRelay final : public apps::NodeObserver, public apps::GatewayObserver {
 public:
  NodeRelay(LabObserver* observer, size_t index) : observer_(observer), index_(index) {}
  void OnNodeEvent(const apps::NodeEvent& e) override {
    if (observer_ != nullptr) observer_->OnNodeEvent(index_, e);
  }
  void OnGatewayEvent(const apps::GatewayEvent& e) override {
    if (observer_ != nullptr) observer_->OnGatewayEvent(e);
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
      router_(options.router_channel) {
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
  router_.OnMove([this](uint8_t channel) {
    if (gateway_) gateway_->FollowRouter(channel).IgnoreError();
  });
}

Lab::~Lab() {
  // Answers still to come must not reach a gateway that is gone.
  uplink_.Sever();
  gateway_.reset();
  nodes_.clear();
}

void Lab::MakeGateway() {
  apps::GatewayConfig config = options_.gateway;
  config.name = options_.gateway_name;
  config.observer = relays_.back().get();
  gateway_ = std::make_unique<GatewayHost>(sim_.radio(gateway_node_), sim_.NewTimer(), sim_.clock(),
                                           wall_clock_, *store_, uplink_, config,
                                           options_.seed * 31 + 1 + restarts_);
}

void Lab::Start() {
  if (Status s = gateway_->Start(router_.channel()); !s.ok()) {
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
  if (Status s = gateway_->Start(router_.channel()); !s.ok()) {
    throw std::runtime_error("the restarted gateway did not start: " + Describe(s));
  }
}

}  // namespace airlab::host
