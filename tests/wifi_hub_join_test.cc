// Routers resident on the air hub (host/room/RouterHub, what `airlab air --router` and
// `airlab lab up` run): a client process's wifi::Station on a HubRadio scans, finds the
// routers, joins the WPA2 one through the hub over loopback TCP and gets its address.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/wifi/station.h"
#include "host/room/router_hub.h"
#include "platform/air/client.h"
#include "platform/mbedtls/mbedtls_aes128.h"
#include "platform/mbedtls/mbedtls_sha1.h"

namespace airlab {
namespace {

constexpr MacAddress kStation({0x4c, 0x11, 0xae, 0x89, 0xbd, 0xd4});

ByteSpan Text(std::string_view text) { return as_bytes(std::span(text.data(), text.size())); }

class Outcome final : public port::WifiStationListener {
 public:
  void OnScanDone(std::span<const port::ScanEntry> results) override {
    scan.emplace(results.begin(), results.end());
  }
  void OnConnected(const port::Connection& c) override { connection = c; }
  void OnDisconnected(port::WifiFailure why, uint16_t) override { failure = why; }
  std::optional<std::vector<port::ScanEntry>> scan;
  std::optional<port::Connection> connection;
  std::optional<port::WifiFailure> failure;
};

// The hub on a thread of its own, as `airlab lab up` runs it.
class HubThread {
 public:
  explicit HubThread(const std::vector<scenario::RouterSpec>& routers)
      : hub_(Options(), routers), thread_([this] { hub_.hub().Run(stop_); }) {}
  ~HubThread() {
    stop_ = true;
    thread_.join();
  }
  std::string address() { return "127.0.0.1:" + std::to_string(hub_.hub().port()); }

 private:
  static air::HubOptions Options() {
    air::HubOptions options;
    options.speed = 2;
    return options;
  }
  host::room::RouterHub hub_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(WifiHubJoin, AStationOnAHubClientScansAndJoinsTheResidentRouter) {
  HubThread hub({{.ssid = "lab", .password = "lab-secret", .channel = 6},
                 {.ssid = "cafe", .channel = 11, .position = {20, 0, 0}}});
  air::HubClient client(hub.address(), "board");
  std::unique_ptr<air::HubRadio> radio =
      client.AddNode({.name = "board", .mac = kStation, .position = {3, 0, 0}});
  std::unique_ptr<port::Timer> timer = client.NewTimer();
  port::SplitMix64 rng(3);
  mbedtls::MbedtlsAes128 aes;
  mbedtls::MbedtlsSha1 sha1;
  Outcome outcome;
  {
    wifi::Station station(*radio, client.clock(), *timer, rng, aes, sha1);
    station.SetListener(&outcome);
    const auto wall_limit = std::chrono::seconds(60);
    ASSERT_TRUE(station.StartScan().ok());
    while (!outcome.scan && client.RunFor(100 * port::kMillisecond, wall_limit).code() ==
                                Status::Code::kDeadlineExceeded) {
    }
    ASSERT_TRUE(outcome.scan.has_value());
    ASSERT_EQ(outcome.scan->size(), 2u);
    EXPECT_EQ((*outcome.scan)[0].channel, 6);  // the nearer first
    EXPECT_EQ((*outcome.scan)[0].auth, port::WifiAuth::kWpa2Psk);
    EXPECT_EQ((*outcome.scan)[0].bssid, scenario::DefaultRouterBssid(0));
    EXPECT_EQ((*outcome.scan)[1].channel, 11);

    port::Ssid lab;
    lab.Assign(Text("lab"));
    ASSERT_TRUE(station.Connect(lab, Text("lab-secret"), nullptr).ok());
    while (!outcome.connection && !outcome.failure &&
           client.RunFor(100 * port::kMillisecond, wall_limit).code() ==
               Status::Code::kDeadlineExceeded) {
    }
    ASSERT_FALSE(outcome.failure.has_value()) << static_cast<int>(*outcome.failure);
    ASSERT_TRUE(outcome.connection.has_value());
    EXPECT_EQ(outcome.connection->ip.address, (port::Ipv4Address{192, 168, 1, 2}));
    EXPECT_EQ(outcome.connection->ip.gateway, wifi::kRouterAddress);
    EXPECT_EQ(radio->channel(), 6);
  }
}

}  // namespace
}  // namespace airlab
