// wifi::AccessPoint and wifi::Station joining each other on the simulated air
// (platform/sim): scans, open and WPA2-PSK joins with DHCP, hidden networks, and the
// events a scenario schedules (deauthentication, reboot, channel switch).

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <optional>
#include <vector>

#include "core/wifi/access_point.h"
#include "core/wifi/radio_share.h"
#include "core/wifi/station.h"
#include "core/wire/mgmt.h"
#include "platform/mbedtls/mbedtls_aes128.h"
#include "platform/sim/simulation.h"
#include "tests/wifi_sim_tools.h"

namespace airlab {
namespace {

using port::WifiFailure;
using testing_wifi::Router;
using testing_wifi::SsidOf;
using testing_wifi::StationNode;

constexpr MacAddress kBssid({0x02, 0xaa, 0, 0, 0, 0x01});
constexpr MacAddress kOtherBssid({0x02, 0xaa, 0, 0, 0, 0x02});

TEST(WifiJoinSim, ScanListsTheRouterWithItsChannelSecurityAndSignal) {
  sim::Simulation sim({.seed = 5});
  Router open(sim, kBssid, {.ssid = SsidOf("cafe"), .channel = 6}, {0, 0, 0});
  Router wpa2(
      sim, kOtherBssid,
      {.ssid = SsidOf("lab"), .passphrase = testing_wifi::Text("lab-secret"), .channel = 11},
      {30, 0, 0});
  StationNode sta(sim, {5, 0, 0});
  ASSERT_TRUE(sta.station().StartScan().ok());
  sim.RunFor(3 * port::kSecond);
  ASSERT_EQ(sta.scans.size(), 1u);
  const std::vector<port::ScanEntry>& found = sta.scans[0];
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].ssid, SsidOf("cafe"));  // the nearer, strongest first
  EXPECT_EQ(found[0].bssid, kBssid);
  EXPECT_EQ(found[0].channel, 6);
  EXPECT_EQ(found[0].auth, port::WifiAuth::kOpen);
  EXPECT_EQ(found[1].ssid, SsidOf("lab"));
  EXPECT_EQ(found[1].channel, 11);
  EXPECT_EQ(found[1].auth, port::WifiAuth::kWpa2Psk);
  EXPECT_GT(found[0].rssi_dbm, found[1].rssi_dbm);
  EXPECT_LT(found[0].rssi_dbm, 0);
}

TEST(WifiJoinSim, AHiddenNetworkShowsNamelessAndJoinsByName) {
  sim::Simulation sim({.seed = 5});
  Router ap(sim, kBssid, {.ssid = SsidOf("secret"), .channel = 3, .hidden = true}, {0, 0, 0});
  StationNode sta(sim, {5, 0, 0});
  ASSERT_TRUE(sta.station().StartScan().ok());
  sim.RunFor(3 * port::kSecond);
  ASSERT_EQ(sta.scans.size(), 1u);
  ASSERT_EQ(sta.scans[0].size(), 1u);
  EXPECT_TRUE(sta.scans[0][0].hidden);
  EXPECT_TRUE(sta.scans[0][0].ssid.empty());

  ASSERT_TRUE(sta.station().Connect(SsidOf("secret"), {}, nullptr).ok());
  sim.RunFor(5 * port::kSecond);
  ASSERT_TRUE(sta.station().connected());
  EXPECT_EQ(sta.connection->channel, 3);
}

TEST(WifiJoinSim, OpenJoinLeasesAnAddress) {
  sim::Simulation sim({.seed = 5});
  Router ap(sim, kBssid, {.ssid = SsidOf("cafe"), .channel = 6, .address = wifi::kRouterAddress},
            {0, 0, 0});
  StationNode sta(sim, {5, 0, 0});
  ASSERT_TRUE(sta.station().Connect(SsidOf("cafe"), {}, nullptr).ok());
  EXPECT_EQ(sta.station().Connect(SsidOf("cafe"), {}, nullptr).code(),
            Status::Code::kFailedPrecondition);
  sim.RunFor(5 * port::kSecond);
  ASSERT_TRUE(sta.station().connected());
  ASSERT_TRUE(sta.connection.has_value());
  EXPECT_EQ(sta.connection->bssid, kBssid);
  EXPECT_EQ(sta.connection->ssid, SsidOf("cafe"));
  EXPECT_EQ(sta.connection->channel, 6);
  EXPECT_EQ(sim.radio(sta.node).channel(), 6);
  EXPECT_EQ(sta.connection->ip.address, (port::Ipv4Address{192, 168, 1, 2}));
  EXPECT_EQ(sta.connection->ip.netmask, (port::Ipv4Address{255, 255, 255, 0}));
  EXPECT_EQ(sta.connection->ip.gateway, wifi::kRouterAddress);
  EXPECT_EQ(sta.connection->ip.dns, wifi::kRouterAddress);
  EXPECT_EQ(ap.ap().station_count(), 1u);
  EXPECT_EQ(ap.ap().stats().joins, 1u);
  EXPECT_EQ(ap.ap().stats().leases, 1u);
  EXPECT_TRUE(sta.failures.empty());
}

TEST(WifiJoinSim, Wpa2JoinRunsTheHandshakeAndLeasesEachStationItsAddress) {
  sim::Simulation sim({.seed = 5});
  Router ap(sim, kBssid,
            {.ssid = SsidOf("lab"), .passphrase = testing_wifi::Text("lab-secret"), .channel = 6},
            {0, 0, 0});
  StationNode a(sim, {5, 0, 0}, false, 21);
  StationNode b(sim, {0, 5, 0}, false, 22);
  ASSERT_TRUE(a.station().Connect(SsidOf("lab"), testing_wifi::Text("lab-secret"), nullptr).ok());
  sim.RunFor(5 * port::kSecond);
  ASSERT_TRUE(b.station().Connect(SsidOf("lab"), testing_wifi::Text("lab-secret"), nullptr).ok());
  sim.RunFor(5 * port::kSecond);
  ASSERT_TRUE(a.connection.has_value());
  ASSERT_TRUE(b.connection.has_value());
  EXPECT_EQ(a.connection->ip.address, (port::Ipv4Address{192, 168, 4, 2}));
  EXPECT_EQ(b.connection->ip.address, (port::Ipv4Address{192, 168, 4, 3}));
  EXPECT_EQ(ap.ap().station_count(), 2u);
  std::array<wifi::AccessPointStation, wifi::AccessPoint::kMaxStations> stations;
  ASSERT_EQ(ap.ap().Stations(stations), 2u);
  EXPECT_TRUE(stations[0].authorized);
  EXPECT_EQ(stations[0].mac, a.station().address());
  EXPECT_EQ(stations[0].ip, a.connection->ip.address);
  EXPECT_EQ(ap.ap().stats().handshake_failures, 0u);
}

TEST(WifiJoinSim, AWrongPasswordFailsTheHandshakeAfterMessage1IsResent) {
  sim::Simulation sim({.seed = 5});
  Router ap(sim, kBssid,
            {.ssid = SsidOf("lab"), .passphrase = testing_wifi::Text("lab-secret"), .channel = 6},
            {0, 0, 0});
  StationNode sta(sim, {5, 0, 0});
  ASSERT_TRUE(
      sta.station().Connect(SsidOf("lab"), testing_wifi::Text("not-the-one"), nullptr).ok());
  sim.RunFor(wifi::kJoinTimeout);
  ASSERT_EQ(sta.failures.size(), 1u);
  EXPECT_EQ(sta.failures[0].why, WifiFailure::kWrongPassword);
  EXPECT_EQ(sta.failures[0].reason, wire::ReasonCode::kFourWayHandshakeTimeout);
  EXPECT_FALSE(sta.connection.has_value());
  EXPECT_EQ(ap.ap().stats().handshake_failures, 1u);
  EXPECT_EQ(ap.ap().station_count(), 0u);
}

TEST(WifiJoinSim, NoPasswordForAProtectedNetworkIsAWrongPassword) {
  sim::Simulation sim({.seed = 5});
  Router ap(sim, kBssid,
            {.ssid = SsidOf("lab"), .passphrase = testing_wifi::Text("lab-secret"), .channel = 6},
            {0, 0, 0});
  StationNode sta(sim, {5, 0, 0});
  ASSERT_TRUE(sta.station().Connect(SsidOf("lab"), {}, nullptr).ok());
  sim.RunFor(5 * port::kSecond);
  ASSERT_EQ(sta.failures.size(), 1u);
  EXPECT_EQ(sta.failures[0].why, WifiFailure::kWrongPassword);
}

TEST(WifiJoinSim, NoSuchNetworkIsNoApFound) {
  sim::Simulation sim({.seed = 5});
  Router ap(sim, kBssid, {.ssid = SsidOf("cafe"), .channel = 6}, {0, 0, 0});
  StationNode sta(sim, {5, 0, 0});
  ASSERT_TRUE(sta.station().Connect(SsidOf("elsewhere"), {}, nullptr).ok());
  sim.RunFor(5 * port::kSecond);
  ASSERT_EQ(sta.failures.size(), 1u);
  EXPECT_EQ(sta.failures[0].why, WifiFailure::kNoApFound);
}

TEST(WifiJoinSim, DeauthenticationEndsTheLinkWithItsReason) {
  sim::Simulation sim({.seed = 5});
  Router ap(sim, kBssid, {.ssid = SsidOf("cafe"), .channel = 6}, {0, 0, 0});
  StationNode sta(sim, {5, 0, 0});
  ASSERT_TRUE(sta.station().Connect(SsidOf("cafe"), {}, nullptr).ok());
  sim.RunFor(5 * port::kSecond);
  ASSERT_TRUE(sta.station().connected());
  const MacAddress station = sta.station().address();
  ASSERT_TRUE(ap.ap().Deauthenticate(&station, 5).ok());
  sim.RunFor(port::kSecond);
  ASSERT_EQ(sta.failures.size(), 1u);
  EXPECT_EQ(sta.failures[0].why, WifiFailure::kDeauthenticated);
  EXPECT_EQ(sta.failures[0].reason, 5);
  EXPECT_FALSE(sta.station().connected());
  EXPECT_EQ(ap.ap().station_count(), 0u);
}

TEST(WifiJoinSim, ARouterThatRebootsIsLostBeaconsThenJoinedAgain) {
  sim::Simulation sim({.seed = 5});
  Router ap(sim, kBssid, {.ssid = SsidOf("cafe"), .channel = 6}, {0, 0, 0});
  StationNode sta(sim, {5, 0, 0});
  ASSERT_TRUE(sta.station().Connect(SsidOf("cafe"), {}, nullptr).ok());
  sim.RunFor(5 * port::kSecond);
  ASSERT_TRUE(sta.station().connected());
  ap.ap().Reboot(5 * port::kSecond);
  sim.RunFor(2 * port::kSecond);
  ASSERT_EQ(sta.failures.size(), 1u);
  EXPECT_EQ(sta.failures[0].why, WifiFailure::kBeaconTimeout);
  EXPECT_EQ(ap.ap().station_count(), 0u);
  // Still down: nobody answers.
  ASSERT_TRUE(sta.station().Connect(SsidOf("cafe"), {}, nullptr).ok());
  sim.RunFor(2 * port::kSecond);
  ASSERT_EQ(sta.failures.size(), 2u);
  EXPECT_EQ(sta.failures[1].why, WifiFailure::kNoApFound);
  sim.RunFor(2 * port::kSecond);  // back up
  ASSERT_TRUE(sta.station().Connect(SsidOf("cafe"), {}, nullptr).ok());
  sim.RunFor(5 * port::kSecond);
  EXPECT_TRUE(sta.station().connected());
}

TEST(WifiJoinSim, TheStationFollowsTheRoutersChannelSwitchAndEspNowWithIt) {
  sim::Simulation sim({.seed = 5});
  Router ap(sim, kBssid, {.ssid = SsidOf("cafe"), .channel = 6}, {0, 0, 0});
  StationNode sta(sim, {5, 0, 0}, /*shared=*/true);
  ASSERT_TRUE(sta.station().Connect(SsidOf("cafe"), {}, nullptr).ok());
  sim.RunFor(5 * port::kSecond);
  ASSERT_TRUE(sta.station().connected());
  port::Radio& espnow = sta.share->port(wifi::RadioShare::User::kEspNow);
  EXPECT_EQ(espnow.channel(), 6);
  EXPECT_EQ(espnow.SetChannel(1).code(), Status::Code::kUnavailable);

  ASSERT_TRUE(ap.ap().SwitchChannel(11).ok());
  sim.RunFor(3 * port::kSecond);
  EXPECT_TRUE(sta.station().connected());
  EXPECT_TRUE(sta.failures.empty());
  EXPECT_EQ(sta.station().connection().channel, 11);
  EXPECT_EQ(sim.radio(ap.node).channel(), 11);
  EXPECT_EQ(espnow.channel(), 11);

  ASSERT_TRUE(sta.station().Disconnect().ok());
  ASSERT_EQ(sta.failures.size(), 1u);
  EXPECT_EQ(sta.failures[0].why, WifiFailure::kLeft);
  sim.RunFor(port::kSecond);  // the Deauthentication goes out on the router's channel
  EXPECT_EQ(ap.ap().station_count(), 0u);
  EXPECT_TRUE(espnow.SetChannel(1).ok());
}

}  // namespace
}  // namespace airlab
