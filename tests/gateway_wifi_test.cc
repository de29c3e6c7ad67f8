// `airlab gateway --ssid`: the real process joins a WPA2 router on the air hub through its
// Wi-Fi manager (scan, the 4-way handshake, DHCP), then runs ESP-NOW on the router's
// channel - a real `airlab node` finds it there and its readings are stored - and when the
// router switches channel mid-run the station follows it and ESP-NOW with it. The router is
// a wifi::AccessPoint resident in the hub's simulation, as `airlab air --router` makes it.
// The network is saved beside the gateway's store: the next run joins without --ssid.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "core/wifi/access_point.h"
#include "platform/air/hub.h"
#include "platform/sim/simulation.h"
#include "tests/child_process.h"
#include "tests/temp_dir.h"
#include "tests/wifi_sim_tools.h"

namespace airlab {
namespace {

using testing_tools::ChildProcess;
using testing_tools::TempDir;

constexpr MacAddress kRouterBssid({0x02, 0x52, 0x54, 0x00, 0x00, 0x01});

bool WaitForText(const ChildProcess& process, const std::string& text,
                 std::chrono::seconds limit = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (process.output().find(text) != std::string::npos) return true;
    if (!process.running()) return process.output().find(text) != std::string::npos;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// The hub on its own thread, serving a simulation with the router on it.
class RouterHub {
 public:
  explicit RouterHub(port::TimeNs switch_at)
      : sim_(sim::SimulationConfig{}),
        router_(sim_, kRouterBssid,
                {.ssid = testing_wifi::SsidOf("lab-router"),
                 .passphrase = testing_wifi::Text("lab-password"),
                 .channel = 6,
                 .address = wifi::kRouterAddress},
                {0, 3, 0}) {
    sim_.scheduler().ScheduleAt(switch_at,
                                [this] { EXPECT_TRUE(router_.ap().SwitchChannel(11).ok()); });
    air::HubOptions options;
    options.speed = 4;
    hub_ = std::make_unique<air::Hub>(options, sim_, std::vector<std::string>{"lab-router"});
    thread_ = std::thread([this] { hub_->Run(stop_); });
  }
  ~RouterHub() {
    stop_ = true;
    thread_.join();
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(hub_->port()); }
  // Read after the hub stopped or for counters only (the hub's thread writes them).
  const wifi::AccessPointStats& stats() { return router_.ap().stats(); }

 private:
  sim::Simulation sim_;
  testing_wifi::Router router_;
  std::unique_ptr<air::Hub> hub_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(GatewayWifi, JoinsTheRouterThroughItsManager_EspNowOnItsChannel_FollowsItsSwitch) {
  TempDir dir;
  RouterHub hub(/*switch_at=*/40 * port::kSecond);
  ChildProcess gateway(
      {"gateway", "--hub", hub.address(), "--url", "http://127.0.0.1:9", "--channel-id", "1",
       "--write-key", "KEY0000000000000", "--store", dir.File("gw.db"), "--name", "gw", "--ssid",
       "lab-router", "--password", "lab-password", "--rate-limit", "1"},
      dir.File("gateway.out"));
  ASSERT_TRUE(WaitForText(gateway, "wifi:    joined \"lab-router\" on channel 6 as 192.168.1.2"))
      << gateway.output();
  EXPECT_NE(gateway.output().find("its Wi-Fi manager joins \"lab-router\""), std::string::npos)
      << gateway.output();

  // A node starting on channel 1 finds the gateway on the router's channel.
  ChildProcess node(
      {"node", "--hub", hub.address(), "--count", "3", "--interval", "0.5", "--exit-when-done"},
      dir.File("node.out"));
  EXPECT_EQ(node.Wait(std::chrono::seconds(60)), 0) << node.output();
  EXPECT_NE(node.output().find("on channel 6"), std::string::npos) << node.output();

  // The router's switch at 40 s of air: the station follows, ESP-NOW with it.
  EXPECT_TRUE(WaitForText(gateway, "its Wi-Fi station is now on channel 11")) << gateway.output();
  EXPECT_EQ(gateway.output().find("wifi:    lost"), std::string::npos) << gateway.output();
  EXPECT_EQ(gateway.Stop(SIGINT, std::chrono::seconds(30)), 130) << gateway.output();
  EXPECT_TRUE(std::filesystem::exists(dir.File("gw.wifi")));

  // The next run knows the network: no --ssid needed.
  ChildProcess again({"gateway", "--hub", hub.address(), "--url", "http://127.0.0.1:9",
                      "--channel-id", "1", "--write-key", "KEY0000000000000", "--store",
                      dir.File("gw.db"), "--name", "gw", "--rate-limit", "1"},
                     dir.File("again.out"));
  EXPECT_TRUE(WaitForText(again, "wifi:    joined \"lab-router\" on channel 11")) << again.output();
  EXPECT_NE(again.output().find("the networks stored in " + dir.File("gw.wifi")), std::string::npos)
      << again.output();
  EXPECT_EQ(again.Stop(SIGINT, std::chrono::seconds(30)), 130) << again.output();
}

TEST(GatewayWifi, WrongPassword_SaidWithTheReason_ThenTheHotspotOpens) {
  TempDir dir;
  RouterHub hub(/*switch_at=*/3600 * port::kSecond);
  ChildProcess gateway(
      {"gateway", "--hub", hub.address(), "--url", "http://127.0.0.1:9", "--channel-id", "1",
       "--write-key", "KEY0000000000000", "--store", dir.File("gw.db"), "--name", "gw", "--ssid",
       "lab-router", "--password", "not-the-password"},
      dir.File("gateway.out"));
  EXPECT_TRUE(WaitForText(gateway, "\"lab-router\": wrong password (the handshake's MIC failed)"))
      << gateway.output();
  EXPECT_TRUE(WaitForText(gateway, "rounds failed: hotspot \"gw\" opened with the portal"))
      << gateway.output();
  EXPECT_EQ(gateway.Stop(SIGINT, std::chrono::seconds(30)), 130) << gateway.output();
}

TEST(GatewayWifi, BadOptions_OneLineWithTheFix) {
  TempDir dir;
  ChildProcess bad(
      {"gateway", "--channel-id", "1", "--write-key", "K", "--ssid", "x", "--password", "short"},
      dir.File("bad.out"));
  EXPECT_NE(bad.Wait(std::chrono::seconds(30)), 0);
  EXPECT_NE(bad.output().find("--password is 8 to 63 characters"), std::string::npos)
      << bad.output();
  ChildProcess moves({"gateway", "--channel-id", "1", "--write-key", "K", "--ssid", "x",
                      "--move-channel", "11@30", "--store", dir.File("gw.db")},
                     dir.File("moves.out"));
  EXPECT_NE(moves.Wait(std::chrono::seconds(30)), 0);
  EXPECT_NE(moves.output().find("--move-channel moves the modelled router"), std::string::npos)
      << moves.output();
}

}  // namespace
}  // namespace airlab
