#pragma once
// Lab: the lab's experiment in one process - a gateway and its nodes on the simulated air,
// a WPA2 router the gateway joins through its Wi-Fi manager and whose channel a scenario may move, and an uplink to a ThingSpeak-style server -
// run as fast as possible (tests) or paced to the wall clock (the demo).
//
// Time: the air runs on simulated time; the cloud answers in wall time. While the gateway
// has an exchange on its way, the Lab holds simulated time still until the answer is in
// (lockstep) and hands it to the gateway from the simulation's thread, between two slices
// of simulated time; so a run does not depend on how fast the server answers, everything
// of the gateway runs on one thread, and a server given wall_ms() as its clock sees the
// same time as the gateway: a 15 s rate limit is 15 simulated seconds (a paced demo at 8x
// passes it in about 2 s).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/port/clock.h"
#include "core/wifi/access_point.h"
#include "core/wifi/manager.h"
#include "core/wifi/memory_credential_store.h"
#include "host/air_capture.h"
#include "host/clocks.h"
#include "host/flaky_uplink.h"
#include "host/hosts.h"
#include "host/wifi_device.h"
#include "platform/mbedtls/mbedtls_aes128.h"
#include "platform/mbedtls/mbedtls_sha1.h"
#include "platform/sim/simulation.h"

namespace airlab::host {

// The lab's boards (docs/reference/lab.md).
inline constexpr MacAddress kLabMaster({0x4c, 0x11, 0xae, 0x89, 0xbd, 0xd5});
inline constexpr MacAddress kLabSlave({0x4c, 0x11, 0xae, 0x89, 0xbc, 0x95});

// The lab's router: a WPA2-PSK access point on a node of the air (beacons, probe answers,
// the 4-way handshake, DHCP). The gateway's Wi-Fi manager joins it; when it changes channel
// (automatic channel selection), it announces the switch in its beacons and moves, and the
// joined station - with the gateway's ESP-NOW, on the same radio - follows it.
struct LabRouterOptions {
  std::string ssid = "lab-router";
  std::string password = "lab-password";
  sim::Position position = {0, 3, 0};
  MacAddress bssid = MacAddress({0x0a, 0x1a, 0xb0, 0x00, 0x00, 0x01});
};

class Router {
 public:
  Router(sim::Simulation& sim, const LabRouterOptions& options, uint8_t channel, uint64_t seed);
  uint8_t channel() const { return ap_->channel(); }
  // A Channel Switch Announcement in the next beacons, then the move.
  void MoveTo(uint8_t channel);
  wifi::AccessPoint& ap() { return *ap_; }

 private:
  std::unique_ptr<port::Timer> timer_;
  port::SplitMix64 rng_;
  mbedtls::MbedtlsAes128 aes_;
  mbedtls::MbedtlsSha1 sha1_;
  std::unique_ptr<wifi::AccessPoint> ap_;
};

struct LabNode {
  std::string name;
  MacAddress mac;
  sim::Position position;
};

class LabObserver {
 public:
  virtual void OnGatewayEvent(const apps::GatewayEvent&) {}
  virtual void OnNodeEvent(size_t /*node*/, const apps::NodeEvent&) {}
  // The gateway's Wi-Fi manager: joins, losses, retries.
  virtual void OnWifiEvent(const wifi::ManagerEvent&) {}

 protected:
  ~LabObserver() = default;
};

struct LabOptions {
  uint64_t seed = 1;
  // The wall-clock time of simulated time 0, ns since the Unix epoch; 0: the start.
  int64_t epoch_ns = 0;
  uint8_t router_channel = 6;
  LabRouterOptions router;
  std::string gateway_name = "master";
  MacAddress gateway_mac = kLabMaster;
  sim::Position gateway_position;
  // The cloud side (its strings are copied); name and observer are set by the Lab.
  apps::GatewayConfig gateway;
  std::vector<LabNode> nodes = {{"slave", kLabSlave, {5, 0, 0}}};
  apps::NodeConfig node;      // for every node; observer set by the Lab
  uint8_t nodes_channel = 1;  // where the nodes' radios start
  size_t node_queue_bytes = 4096;
  // The gateway's store: this SQLite file, or (empty) one in memory.
  std::filesystem::path store;
  std::string pcap;  // the air to this pcapng file
  double speed = 0;  // simulated over wall time; 0: as fast as possible
  LabObserver* observer = nullptr;
};

class Lab {
 public:
  // The uplink (to the cloud) must outlive the Lab. Throws std::runtime_error when the
  // store or the pcap file cannot be opened.
  Lab(const LabOptions& options, port::Uplink& uplink);
  ~Lab();
  Lab(const Lab&) = delete;
  Lab& operator=(const Lab&) = delete;

  // Starts the gateway's Wi-Fi manager (it joins the router within a few simulated
  // seconds), the gateway on the router's channel, and the nodes. Throws
  // std::runtime_error naming what failed.
  void Start();

  // Runs `action` at simulated time `time` (from the scheduler: it may use the nodes, the
  // router and the uplink's modes, not run the Lab).
  void At(port::TimeNs time, std::function<void()> action);
  // Runs the air until `end`, or until `done` (checked every few simulated ms) holds.
  // Returns whether `done` held.
  bool RunUntil(port::TimeNs end, const std::function<bool()>& done = {});

  port::TimeNs now() const { return sim_.now(); }
  // The wall-clock time of now(), in ms since the epoch: safe from any thread (a server's
  // clock).
  int64_t wall_ms() const { return wall_ms_.load(); }
  int64_t epoch_ns() const { return epoch_ns_; }

  sim::Simulation& sim() { return sim_; }
  Router& router() { return router_; }
  FlakyUplink& uplink() { return uplink_; }
  port::DurableQueue& store() { return *store_; }
  GatewayHost& gateway() { return *gateway_; }
  WifiDevice& gateway_wifi() { return *gateway_wifi_; }
  size_t node_count() const { return nodes_.size(); }
  NodeHost& node(size_t index) { return *nodes_[index]; }
  const LabNode& node_spec(size_t index) const { return options_.nodes[index]; }
  uint64_t pcap_frames() const { return capture_ ? capture_->frames_written() : 0; }
  // Flushes and closes the pcapng file.
  void ClosePcap();

  // The gateway crashes - what it had not stored is lost, answers still on their way go
  // nowhere - and a new one starts on the same store and radio (a process restarted).
  void RestartGateway();

 private:
  class NodeRelay;
  void MakeGateway();
  void Publish() { wall_ms_.store((epoch_ns_ + sim_.now()) / port::kMillisecond); }
  // The gateway's station joined (again) or followed its router to another channel: the
  // gateway hears of it, as the lab's Master script polls its WLAN.
  void FollowStation();
  uint8_t HomeChannel() const;

  LabOptions options_;
  sim::Simulation sim_;
  int64_t epoch_ns_;
  OffsetClock wall_clock_;
  FlakyUplink uplink_;
  Router router_;
  std::unique_ptr<port::DurableQueue> store_;
  wifi::MemoryCredentialStore wifi_store_;
  std::unique_ptr<WifiDevice> gateway_wifi_;
  std::unique_ptr<AirCapture> capture_;
  uint32_t gateway_node_ = 0;
  std::unique_ptr<GatewayHost> gateway_;
  std::vector<std::unique_ptr<NodeRelay>> relays_;
  std::vector<std::unique_ptr<NodeHost>> nodes_;
  std::atomic<int64_t> wall_ms_{0};
  uint64_t restarts_ = 0;
};

}  // namespace airlab::host
