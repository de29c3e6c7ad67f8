#pragma once
// Routers and stations on a sim::Simulation for the Wi-Fi tests: each a node with its own
// timer, Rng and crypto, and a listener that records what happened.

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/wifi/access_point.h"
#include "core/wifi/radio_share.h"
#include "core/wifi/station.h"
#include "platform/mbedtls/mbedtls_aes128.h"
#include "platform/mbedtls/mbedtls_sha1.h"
#include "platform/sim/simulation.h"

namespace airlab::testing_wifi {

inline port::Ssid SsidOf(std::string_view text) {
  port::Ssid ssid;
  ssid.Assign(as_bytes(std::span(text.data(), text.size())));
  return ssid;
}
inline ByteSpan Text(std::string_view text) {
  return as_bytes(std::span(text.data(), text.size()));
}

// An access point on a node of its own, its BSSID the node's AP interface address.
class Router {
 public:
  Router(sim::Simulation& sim, const MacAddress& bssid, const wifi::AccessPointConfig& config,
         const sim::Position& position, uint64_t seed = 11)
      : node(sim.AddNode({.position = position, .channel = config.channel})),
        timer_(sim.NewTimer()),
        rng_(seed),
        ap_(sim.radio(node), port::Interface::kAccessPoint, sim.clock(), *timer_, rng_, aes_, sha1_,
            config) {
    EXPECT_TRUE(sim.radio(node).SetAddress(port::Interface::kAccessPoint, bssid).ok());
    EXPECT_TRUE(ap_.Start(config).ok());
  }
  wifi::AccessPoint& ap() { return ap_; }
  const uint32_t node;

 private:
  std::unique_ptr<sim::SimTimer> timer_;
  port::SplitMix64 rng_;
  mbedtls::MbedtlsAes128 aes_;
  mbedtls::MbedtlsSha1 sha1_;
  wifi::AccessPoint ap_;
};

// A station on a node of its own, alone on its radio or sharing it (RadioShare) as on an
// ESP32; records its scans, connections and failures.
class StationNode final : public port::WifiStationListener {
 public:
  struct Failure {
    port::WifiFailure why;
    uint16_t reason;
  };

  StationNode(sim::Simulation& sim, const sim::Position& position, bool shared = false,
              uint64_t seed = 21)
      : node(sim.AddNode({.position = position})), timer_(sim.NewTimer()), rng_(seed) {
    port::Radio* radio = &sim.radio(node);
    wifi::StationConfig config;
    if (shared) {
      share = std::make_unique<wifi::RadioShare>(sim.radio(node));
      radio = &share->port(wifi::RadioShare::User::kStation);
      config.channel_hold = &share->station_hold();
    }
    station_ =
        std::make_unique<wifi::Station>(*radio, sim.clock(), *timer_, rng_, aes_, sha1_, config);
    station_->SetListener(this);
  }
  ~StationNode() { station_.reset(); }

  wifi::Station& station() { return *station_; }

  void OnScanDone(std::span<const port::ScanEntry> results) override {
    scans.emplace_back(results.begin(), results.end());
  }
  void OnConnected(const port::Connection& c) override { connection = c; }
  void OnDisconnected(port::WifiFailure why, uint16_t reason) override {
    failures.push_back({why, reason});
  }

  const uint32_t node;
  std::unique_ptr<wifi::RadioShare> share;
  std::vector<std::vector<port::ScanEntry>> scans;
  std::optional<port::Connection> connection;
  std::vector<Failure> failures;

 private:
  std::unique_ptr<sim::SimTimer> timer_;
  port::SplitMix64 rng_;
  mbedtls::MbedtlsAes128 aes_;
  mbedtls::MbedtlsSha1 sha1_;
  std::unique_ptr<wifi::Station> station_;
};

}  // namespace airlab::testing_wifi
