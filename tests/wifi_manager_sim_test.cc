// The Wi-Fi manager over the real thing on the simulated air: a device whose one radio is
// shared (RadioShare) by a wifi::Station and a wifi::AccessPoint (its fallback hotspot),
// routers that are wifi::AccessPoints with WPA2-PSK, and a phone that is another Station.
// Every join is the real exchange (probes, authentication, association, the 4-way
// handshake, DHCP); failures are the ones the air produces (a wrong passphrase's MIC, beacons
// no longer heard). core/wifi/manager_test.cc covers each path with a scripted station.

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "core/wifi/access_point.h"
#include "core/wifi/improv.h"
#include "core/wifi/improv_device.h"
#include "core/wifi/manager.h"
#include "core/wifi/memory_credential_store.h"
#include "core/wifi/radio_share.h"
#include "core/wifi/station.h"
#include "platform/mbedtls/mbedtls_aes128.h"
#include "platform/mbedtls/mbedtls_sha1.h"
#include "platform/sim/simulation.h"
#include "tests/wifi_sim_tools.h"

namespace airlab {
namespace {

using port::kSecond;
using testing_wifi::SsidOf;
using testing_wifi::Text;
using wifi::ManagerReason;
using wifi::ManagerState;

constexpr MacAddress kHomeBssid({0x02, 0xaa, 0, 0, 0, 0x01});
constexpr MacAddress kOfficeBssid({0x02, 0xaa, 0, 0, 0, 0x02});
constexpr MacAddress kDeviceMac({0x24, 0x0a, 0xc4, 0x12, 0x34, 0x56});
constexpr MacAddress kDeviceApMac({0x24, 0x0a, 0xc4, 0x12, 0x34, 0x57});

wifi::AccessPointConfig RouterConfig(std::string_view ssid, std::string_view passphrase,
                                     uint8_t channel) {
  wifi::AccessPointConfig config;
  config.ssid = SsidOf(ssid);
  config.passphrase = Text(passphrase);
  config.channel = channel;
  config.address = wifi::kRouterAddress;
  return config;
}

class Recorder final : public wifi::WifiManagerListener {
 public:
  std::vector<wifi::ManagerEvent> events;
  void OnManagerEvent(const wifi::ManagerEvent& e) override { events.push_back(e); }
  size_t Count(ManagerReason reason) const {
    size_t n = 0;
    for (const auto& e : events) n += e.reason == reason;
    return n;
  }
};

wifi::WifiManagerConfig Named(wifi::WifiManagerConfig config) {
  config.device_name = "airlab-setup";  // the hotspot's SSID
  return config;
}

// An ESP32-like device: one radio shared by its station and its soft-AP, and the manager.
class Device {
 public:
  Device(sim::Simulation& sim, const sim::Position& position, wifi::WifiManagerConfig config)
      : node_(sim.AddNode({.position = position, .channel = 1, .address = kDeviceMac})),
        share_(sim.radio(node_)),
        station_timer_(sim.NewTimer()),
        ap_timer_(sim.NewTimer()),
        manager_timer_(sim.NewTimer()),
        station_rng_(31),
        ap_rng_(32),
        manager_rng_(33),
        station_(share_.port(wifi::RadioShare::User::kStation), sim.clock(), *station_timer_,
                 station_rng_, aes_, sha1_, {.channel_hold = &share_.station_hold()}),
        hotspot_(share_.port(wifi::RadioShare::User::kAccessPoint), port::Interface::kAccessPoint,
                 sim.clock(), *ap_timer_, ap_rng_, aes_, sha1_,
                 {.captive_portal_url = Text("http://192.168.4.1/")}),
        manager_(station_, hotspot_, store, sim.clock(), *manager_timer_, manager_rng_,
                 Named(config)) {
    EXPECT_TRUE(share_.port(wifi::RadioShare::User::kAccessPoint)
                    .SetAddress(port::Interface::kAccessPoint, kDeviceApMac)
                    .ok());
    manager_.SetListener(&recorder);
  }
  wifi::WifiManager& manager() { return manager_; }
  wifi::Station& station() { return station_; }
  wifi::AccessPoint& hotspot() { return hotspot_; }
  port::Radio& espnow() { return share_.port(wifi::RadioShare::User::kEspNow); }
  void Store(std::string_view ssid, std::string_view passphrase) {
    ASSERT_TRUE(manager_.AddNetwork(SsidOf(ssid), Text(passphrase)).ok());
  }

  wifi::MemoryCredentialStore store;
  Recorder recorder;

 private:
  const uint32_t node_;
  wifi::RadioShare share_;
  std::unique_ptr<sim::SimTimer> station_timer_, ap_timer_, manager_timer_;
  port::SplitMix64 station_rng_, ap_rng_, manager_rng_;
  mbedtls::MbedtlsAes128 aes_;
  mbedtls::MbedtlsSha1 sha1_;
  wifi::Station station_;
  wifi::AccessPoint hotspot_;
  wifi::WifiManager manager_;
};

std::string SsidText(const port::Ssid& ssid) {
  return std::string(reinterpret_cast<const char*>(ssid.bytes().data()), ssid.size());
}

TEST(WifiManagerSim, StrongestStoredNetworkFailsItsHandshake_TheSecondIsJoined) {
  sim::Simulation sim({.seed = 3});
  testing_wifi::Router home(sim, kHomeBssid, RouterConfig("home", "home-password", 6), {3, 0, 0});
  testing_wifi::Router office(sim, kOfficeBssid, RouterConfig("office", "office-password", 11),
                              {40, 0, 0});
  Device device(sim, {0, 0, 0}, {});
  device.Store("office", "office-password");
  device.Store("home", "an-old-home-password");
  ASSERT_TRUE(device.manager().Start().ok());
  sim.RunFor(60 * kSecond);

  wifi::WifiManager& m = device.manager();
  ASSERT_EQ(m.state(), ManagerState::kConnected);
  EXPECT_EQ(SsidText(m.connection()->ssid), "office");
  EXPECT_EQ(m.connection()->channel, 11);
  EXPECT_EQ(m.connection()->ip.address, (port::Ipv4Address{192, 168, 1, 2}));
  EXPECT_EQ(device.espnow().channel(), 11);  // ESP-NOW went with the station
  // Home was tried first (stronger) and refused by its real handshake.
  const auto failed =
      std::find_if(device.recorder.events.begin(), device.recorder.events.end(),
                   [](const auto& e) { return e.reason == ManagerReason::kJoinFailed; });
  ASSERT_NE(failed, device.recorder.events.end());
  EXPECT_EQ(SsidText(failed->ssid), "home");
  EXPECT_EQ(failed->failure, port::WifiFailure::kWrongPassword);
  EXPECT_GE(home.ap().stats().handshake_failures, 1u);
  EXPECT_EQ(office.ap().stats().joins, 1u);
  EXPECT_FALSE(device.hotspot().running());
}

TEST(WifiManagerSim, NothingStored_HotspotOnTheAir_APhoneJoinsIt_PortalCredentialsJoinTheRouter) {
  sim::Simulation sim({.seed = 4});
  testing_wifi::Router home(sim, kHomeBssid, RouterConfig("home", "home-password", 6), {3, 0, 0});
  Device device(sim, {0, 0, 0}, {.hotspot_channel = 6});
  testing_wifi::StationNode phone(sim, {1, 1, 0});
  ASSERT_TRUE(device.manager().Start().ok());
  sim.RunFor(5 * kSecond);
  wifi::WifiManager& m = device.manager();
  ASSERT_EQ(m.state(), ManagerState::kPortal);
  ASSERT_TRUE(device.hotspot().running());

  // The phone sees the hotspot on the air, open, and joins it: 192.168.4.2 is leased.
  ASSERT_TRUE(phone.station().StartScan().ok());
  sim.RunFor(5 * kSecond);
  ASSERT_EQ(phone.scans.size(), 1u);
  const auto hotspot =
      std::find_if(phone.scans[0].begin(), phone.scans[0].end(),
                   [](const port::ScanEntry& e) { return SsidText(e.ssid) == "airlab-setup"; });
  ASSERT_NE(hotspot, phone.scans[0].end());
  EXPECT_EQ(hotspot->auth, port::WifiAuth::kOpen);
  EXPECT_EQ(hotspot->bssid, kDeviceApMac);
  ASSERT_TRUE(phone.station().Connect(SsidOf("airlab-setup"), {}, nullptr).ok());
  sim.RunFor(5 * kSecond);
  ASSERT_TRUE(phone.connection.has_value());
  EXPECT_EQ(phone.connection->ip.address, (port::Ipv4Address{192, 168, 4, 2}));
  EXPECT_EQ(device.hotspot().station_count(), 1u);

  // The portal lists the router the device's own scan heard; the user picks it.
  const auto networks = m.networks();
  ASSERT_FALSE(networks.empty());
  EXPECT_EQ(SsidText(networks[0].ssid), "home");
  EXPECT_EQ(networks[0].auth, port::WifiAuth::kWpa2Psk);
  ASSERT_TRUE(m.SaveAndConnect(SsidOf("home"), Text("home-password")).ok());
  sim.RunFor(20 * kSecond);
  ASSERT_EQ(m.state(), ManagerState::kConnected);
  EXPECT_EQ(m.status().state, wifi::PortalLinkState::kConnected);
  EXPECT_EQ(m.status().ip.address, (port::Ipv4Address{192, 168, 1, 2}));
  EXPECT_EQ(home.ap().stats().joins, 1u);
  EXPECT_TRUE(device.hotspot().running());  // the phone can still read the outcome
  port::Credentials stored;
  ASSERT_TRUE(device.store.Load(stored).ok());
  ASSERT_EQ(stored.network_count, 1u);
  EXPECT_EQ(stored.networks[0].passphrase.view(), "home-password");

  sim.RunFor(35 * kSecond);  // hotspot_linger
  EXPECT_FALSE(device.hotspot().running());
  EXPECT_FALSE(phone.station().connected());  // the hotspot's Stop deauthenticated it
  EXPECT_EQ(m.state(), ManagerState::kConnected);
}

TEST(WifiManagerSim, RouterReboots_LostByItsBeacons_JoinedAgainWhenBack_WithoutALoop) {
  sim::Simulation sim({.seed = 5});
  testing_wifi::Router home(sim, kHomeBssid, RouterConfig("home", "home-password", 6), {3, 0, 0});
  Device device(sim, {0, 0, 0}, {.rounds_before_portal = 100});
  device.Store("home", "home-password");
  ASSERT_TRUE(device.manager().Start().ok());
  sim.RunFor(20 * kSecond);
  ASSERT_EQ(device.manager().state(), ManagerState::kConnected);
  const uint64_t scans_before = device.station().stats().scans;

  home.ap().Reboot(120 * kSecond);
  sim.RunFor(115 * kSecond);
  EXPECT_EQ(device.recorder.Count(ManagerReason::kLinkLost), 1u);
  EXPECT_EQ(device.recorder.events.back().reason, ManagerReason::kBackoff);
  // 2, 4, 8, 16, 32, 64 s waits at most (jittered down to half): under a dozen rounds in
  // two minutes, where a loop would have made hundreds.
  const uint64_t rounds = device.station().stats().scans - scans_before;
  EXPECT_GE(rounds, 4u);
  EXPECT_LE(rounds, 12u);

  sim.RunFor(130 * kSecond);  // back at 120 s; the next round (at most 120 s away) joins
  ASSERT_EQ(device.manager().state(), ManagerState::kConnected);
  EXPECT_EQ(home.ap().stats().joins, 2u);
  const size_t events = device.recorder.events.size();
  sim.RunFor(300 * kSecond);  // and then nothing more happens
  EXPECT_EQ(device.recorder.events.size(), events);
  EXPECT_EQ(home.ap().stats().joins, 2u);
}

TEST(WifiManagerSim, Deauthenticated_JoinsAgainAfterAShortWait) {
  sim::Simulation sim({.seed = 6});
  testing_wifi::Router home(sim, kHomeBssid, RouterConfig("home", "home-password", 6), {3, 0, 0});
  Device device(sim, {0, 0, 0}, {});
  device.Store("home", "home-password");
  ASSERT_TRUE(device.manager().Start().ok());
  sim.RunFor(20 * kSecond);
  ASSERT_EQ(device.manager().state(), ManagerState::kConnected);
  ASSERT_TRUE(home.ap().Deauthenticate(nullptr, 3).ok());
  sim.RunFor(kSecond);
  ASSERT_EQ(device.recorder.Count(ManagerReason::kLinkLost), 1u);
  const auto lost =
      std::find_if(device.recorder.events.begin(), device.recorder.events.end(),
                   [](const auto& e) { return e.reason == ManagerReason::kLinkLost; });
  EXPECT_EQ(lost->failure, port::WifiFailure::kDeauthenticated);
  EXPECT_EQ(lost->reason_code, 3);
  sim.RunFor(20 * kSecond);
  EXPECT_EQ(device.manager().state(), ManagerState::kConnected);
  EXPECT_EQ(home.ap().stats().joins, 2u);
}

TEST(WifiManagerSim, RouterChangesChannel_TheLinkAndEspNowFollow_NoReconnect) {
  sim::Simulation sim({.seed = 7});
  testing_wifi::Router home(sim, kHomeBssid, RouterConfig("home", "home-password", 6), {3, 0, 0});
  Device device(sim, {0, 0, 0}, {});
  device.Store("home", "home-password");
  ASSERT_TRUE(device.manager().Start().ok());
  sim.RunFor(20 * kSecond);
  ASSERT_EQ(device.manager().state(), ManagerState::kConnected);
  const size_t events = device.recorder.events.size();
  ASSERT_TRUE(home.ap().SwitchChannel(11).ok());
  sim.RunFor(10 * kSecond);
  EXPECT_EQ(device.manager().state(), ManagerState::kConnected);
  EXPECT_EQ(device.recorder.events.size(), events);  // no loss, no rejoin
  EXPECT_EQ(device.station().connection().channel, 11);
  EXPECT_EQ(device.espnow().channel(), 11);
  EXPECT_EQ(home.ap().stats().joins, 1u);
}

// The manager's Improv side: a client on the serial line (bytes in, bytes out, through the
// stream parser both ways) sends the credentials while the portal is open; the manager saves
// them and joins the router for real, and the device reports provisioning then provisioned.
class ImprovLine final : public wifi::ImprovStreamListener, public wifi::ImprovOutput {
 public:
  explicit ImprovLine(wifi::ImprovDevice*& device) : device_(device) {}
  // The client's bytes, as the device's serial port reads them.
  void FromClient(ByteSpan bytes) { to_device_.Feed(bytes, *this); }
  std::vector<uint8_t> states;  // every "current state" the device sent, in order
  std::vector<uint8_t> errors;

 private:
  void OnImprovText(ByteSpan) override {}
  void OnImprovPacket(const wifi::ImprovPacket& packet) override {
    if (device_ != nullptr) device_->HandlePacket(packet);
  }
  void SendImprov(ByteSpan packet) override {
    struct Client final : wifi::ImprovStreamListener {
      ImprovLine& line;
      explicit Client(ImprovLine& l) : line(l) {}
      void OnImprovText(ByteSpan) override {}
      void OnImprovPacket(const wifi::ImprovPacket& p) override {
        if (p.data.size() != 1) return;
        if (p.type == wifi::ImprovType::kCurrentState) line.states.push_back(load_u8(p.data, 0));
        if (p.type == wifi::ImprovType::kErrorState) line.errors.push_back(load_u8(p.data, 0));
      }
    } client(*this);
    to_client_.Feed(packet, client);
  }

  wifi::ImprovDevice*& device_;
  wifi::ImprovStreamParser to_device_, to_client_;
};

TEST(WifiManagerSim, ImprovCredentialsWhileThePortalIsOpen_SavedAndJoined) {
  sim::Simulation sim({.seed = 9});
  testing_wifi::Router home(sim, kHomeBssid, RouterConfig("home", "home-password", 6), {3, 0, 0});
  Device device(sim, {0, 0, 0}, {.hotspot_channel = 6});
  wifi::ImprovDevice* improv = nullptr;
  ImprovLine line(improv);
  wifi::ImprovDevice improv_device(device.manager(), {}, line);
  improv = &improv_device;
  ASSERT_TRUE(device.manager().Start().ok());
  sim.RunFor(5 * kSecond);
  ASSERT_EQ(device.manager().state(), ManagerState::kPortal);

  std::array<std::byte, wifi::kImprovMaxPacketSize> packet;
  ByteBuilder out(packet);
  ASSERT_TRUE(wifi::BuildImprovWifiSettings(Text("home"), Text("home-password"), out).ok());
  line.FromClient(out.bytes());
  for (int i = 0; i < 200 && improv_device.state() != wifi::ImprovState::kProvisioned; ++i) {
    sim.RunFor(100 * port::kMillisecond);
    improv_device.Poll();
  }
  EXPECT_EQ(improv_device.state(), wifi::ImprovState::kProvisioned);
  ASSERT_EQ(device.manager().state(), ManagerState::kConnected);
  EXPECT_EQ(SsidText(device.manager().connection()->ssid), "home");
  EXPECT_EQ(home.ap().stats().joins, 1u);
  ASSERT_GE(line.states.size(), 2u);
  EXPECT_EQ(line.states.front(), static_cast<uint8_t>(wifi::ImprovState::kProvisioning));
  EXPECT_EQ(line.states.back(), static_cast<uint8_t>(wifi::ImprovState::kProvisioned));
  port::Credentials stored;
  ASSERT_TRUE(device.store.Load(stored).ok());
  ASSERT_EQ(stored.network_count, 1u);
  EXPECT_EQ(stored.networks[0].passphrase.view(), "home-password");
}

}  // namespace
}  // namespace airlab
