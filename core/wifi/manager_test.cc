// The Wi-Fi manager through every path the issue names, over a scripted station: routers
// are entries the test puts on a pretend air (up or down, a passphrase, silent), the station
// answers scans and joins after fixed delays on the test's own event loop, so each case
// controls what the air does and reads exactly what the manager tried and when. The same
// manager over a real Station and real AccessPoints is tests/wifi_manager_sim_test.cc.
#include "core/wifi/manager.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/wifi/memory_credential_store.h"

namespace airlab::wifi {
namespace {

using port::kMillisecond;
using port::kSecond;
using port::TimeNs;

port::Ssid MakeSsid(std::string_view text) {
  port::Ssid ssid;
  ssid.Assign(AsBytes(text.data(), text.size()));
  return ssid;
}
std::string Text(ByteSpan bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}
ByteSpan Bytes(std::string_view text) { return AsBytes(text.data(), text.size()); }

// The test's time: callbacks at instants, run in time order (ties in scheduling order).
class Loop {
 public:
  TimeNs now = 0;
  void After(TimeNs delay, std::function<void()> fn) {
    events_.emplace(now + delay, std::move(fn));
  }
  void RunUntil(TimeNs end) {
    while (!events_.empty() && events_.begin()->first <= end) {
      auto it = events_.begin();
      now = std::max(now, it->first);
      std::function<void()> fn = std::move(it->second);
      events_.erase(it);
      fn();
    }
    now = std::max(now, end);
  }
  void RunFor(TimeNs duration) { RunUntil(now + duration); }

 private:
  std::multimap<TimeNs, std::function<void()>> events_;
};

class LoopClock final : public port::Clock {
 public:
  explicit LoopClock(Loop& loop) : loop_(loop) {}
  TimeNs Now() const override { return loop_.now; }

 private:
  Loop& loop_;
};

class LoopTimer final : public port::Timer {
 public:
  explicit LoopTimer(Loop& loop) : loop_(loop) {}

 private:
  void DoArmAt(TimeNs deadline) override {
    const uint64_t armed = ++generation_;
    loop_.After(std::max<TimeNs>(0, deadline - loop_.now), [this, armed] {
      if (armed == generation_) Expire();
    });
  }
  void DoCancel() override { ++generation_; }
  Loop& loop_;
  uint64_t generation_ = 0;
};

struct Router {
  std::string ssid;
  std::string passphrase;
  int8_t rssi_dbm = -50;
  bool up = true;
  bool silent = false;  // never answers a join (the manager's own timeout must end it)
  bool hidden = false;
  uint8_t channel = 6;
};

// A WifiStation whose air is `routers`: scans take 2 s, joins 1 s, and a router that goes
// down is noticed 1 s later (the beacon loss).
class ScriptedStation final : public port::WifiStation {
 public:
  static constexpr TimeNs kScanTime = 2 * kSecond;
  static constexpr TimeNs kJoinTime = 1 * kSecond;

  struct Join {
    std::string ssid;
    std::string passphrase;
    TimeNs at;
    size_t stored_networks;  // in the store when Connect came: "saved, then joined"
  };
  std::vector<Router> routers;
  std::vector<Join> joins;
  std::vector<TimeNs> scans;
  port::CredentialStore* store = nullptr;

  ScriptedStation(Loop& loop) : loop_(loop) {}

  Router* Find(std::string_view ssid) {
    for (Router& r : routers) {
      if (r.ssid == ssid) return &r;
    }
    return nullptr;
  }
  void SetUp(std::string_view ssid, bool up) {
    Find(ssid)->up = up;
    if (!up && connected_ && joined_ == ssid) {
      const uint64_t g = generation_;
      loop_.After(kSecond, [this, g] {
        if (g != generation_) return;
        connected_ = false;
        listener()->OnDisconnected(port::WifiFailure::kBeaconTimeout, 0);
      });
    }
  }
  void Deauthenticate(uint16_t reason) {
    connected_ = false;
    listener()->OnDisconnected(port::WifiFailure::kDeauthenticated, reason);
  }

  Status StartScan() override {
    if (busy_) return Status::FailedPrecondition();
    busy_ = true;
    scans.push_back(loop_.now);
    loop_.After(kScanTime, [this] {
      busy_ = false;
      std::vector<port::ScanEntry> heard;
      for (const Router& r : routers) {
        if (!r.up) continue;
        port::ScanEntry e;
        if (!r.hidden) e.ssid = MakeSsid(r.ssid);
        e.hidden = r.hidden;
        e.rssi_dbm = r.rssi_dbm;
        e.channel = r.channel;
        e.auth = r.passphrase.empty() ? port::WifiAuth::kOpen : port::WifiAuth::kWpa2Psk;
        heard.push_back(e);
      }
      std::stable_sort(heard.begin(), heard.end(),
                       [](const auto& a, const auto& b) { return a.rssi_dbm > b.rssi_dbm; });
      listener()->OnScanDone(heard);
    });
    return Status::Ok();
  }

  Status Connect(const port::Ssid& ssid, ByteSpan passphrase, const MacAddress*) override {
    if (busy_) return Status::FailedPrecondition();
    if (!port::IsValidPassphrase(passphrase)) return Status::InvalidArgument();
    port::Credentials stored;
    if (store != nullptr) store->Load(stored).IgnoreError();
    joins.push_back({Text(ssid.bytes()), Text(passphrase), loop_.now, stored.network_count});
    connected_ = false;
    busy_ = true;
    const uint64_t g = ++generation_;
    const std::string name = Text(ssid.bytes());
    const std::string pass = Text(passphrase);
    const Router* router = Find(name);
    if (router != nullptr && router->up && router->silent) return Status::Ok();
    loop_.After(kJoinTime, [this, g, name, pass] {
      if (g != generation_) return;
      busy_ = false;
      const Router* r = Find(name);
      if (r == nullptr || !r->up) {
        listener()->OnDisconnected(port::WifiFailure::kNoApFound, 0);
      } else if (r->passphrase != pass) {
        listener()->OnDisconnected(port::WifiFailure::kWrongPassword, 15);
      } else {
        connected_ = true;
        joined_ = name;
        port::Connection c;
        c.ssid = MakeSsid(name);
        c.channel = r->channel;
        c.rssi_dbm = r->rssi_dbm;
        c.ip.address = {192, 168, 1, 23};
        listener()->OnConnected(c);
      }
    });
    return Status::Ok();
  }

  Status Disconnect() override {
    ++generation_;
    const bool had = connected_ || busy_;
    busy_ = false;
    connected_ = false;
    if (had) {
      loop_.After(0, [this] { listener()->OnDisconnected(port::WifiFailure::kLeft, 0); });
    }
    return Status::Ok();
  }
  bool connected() const override { return connected_; }
  const MacAddress& address() const override { return mac_; }
  const std::string& joined() const { return joined_; }

 private:
  Loop& loop_;
  bool busy_ = false;
  bool connected_ = false;
  std::string joined_;
  uint64_t generation_ = 0;
  MacAddress mac_{{0x24, 0x0a, 0xc4, 0x00, 0x00, 0x10}};
};

class FakeHotspot final : public port::SoftAp {
 public:
  size_t starts = 0;
  std::string ssid;
  Status Start(const port::Ssid& s, ByteSpan, uint8_t) override {
    ++starts;
    ssid = Text(s.bytes());
    running_ = true;
    return Status::Ok();
  }
  Status Stop() override {
    running_ = false;
    return Status::Ok();
  }
  bool running() const override { return running_; }
  size_t station_count() const override { return 0; }

 private:
  bool running_ = false;
};

class Recorder final : public WifiManagerListener {
 public:
  std::vector<ManagerEvent> events;
  void OnManagerEvent(const ManagerEvent& e) override { events.push_back(e); }
  size_t Count(ManagerReason reason) const {
    return static_cast<size_t>(std::count_if(events.begin(), events.end(),
                                             [&](const auto& e) { return e.reason == reason; }));
  }
  std::vector<TimeNs> Waits() const {
    std::vector<TimeNs> waits;
    for (const auto& e : events) {
      if (e.reason == ManagerReason::kBackoff) waits.push_back(e.wait);
    }
    return waits;
  }
};

constexpr ParameterSpec kParameters[] = {
    {"ts_channel", "ThingSpeak channel", 10, ""},
    {"ts_key", "ThingSpeak write key", 16, "none"},
};

class ManagerTest : public ::testing::Test {
 protected:
  ManagerTest() {
    config.device_name = "airlab-gw";
    config.parameters = kParameters;
    station.store = &store;
  }
  void Store(std::string_view ssid, std::string_view passphrase) {
    port::Credentials c;
    store.Load(c).IgnoreError();
    c.networks[c.network_count].ssid = MakeSsid(ssid);
    c.networks[c.network_count].passphrase.Assign(passphrase);
    ++c.network_count;
    ASSERT_TRUE(store.Save(c).ok());
  }
  WifiManager& Make() {
    manager.emplace(station, hotspot, store, clock, timer, rng, config);
    manager->SetListener(&recorder);
    return *manager;
  }
  WifiManager& Started() {
    WifiManager& m = Make();
    EXPECT_TRUE(m.Start().ok());
    return m;
  }
  port::Credentials Stored() {
    port::Credentials c;
    EXPECT_TRUE(store.Load(c).ok());
    return c;
  }

  Loop loop;
  LoopClock clock{loop};
  LoopTimer timer{loop};
  port::SplitMix64 rng{7};
  ScriptedStation station{loop};
  FakeHotspot hotspot;
  MemoryCredentialStore store;
  WifiManagerConfig config;
  Recorder recorder;
  std::optional<WifiManager> manager;
};

TEST_F(ManagerTest, SecondStoredNetwork_JoinsAfterTheStrongestFails) {
  station.routers = {{"office", "office-pass", -70}, {"home", "new-home-pass", -40}};
  Store("office", "office-pass");
  Store("home", "old-home-pass");  // the router's password changed since
  WifiManager& m = Started();
  loop.RunFor(10 * kSecond);

  ASSERT_EQ(station.joins.size(), 2u);
  EXPECT_EQ(station.joins[0].ssid, "home");  // strongest first, not the store's order
  EXPECT_EQ(station.joins[1].ssid, "office");
  ASSERT_EQ(m.state(), ManagerState::kConnected);
  EXPECT_EQ(Text(m.connection()->ssid.bytes()), "office");
  EXPECT_FALSE(hotspot.running());
  EXPECT_EQ(recorder.Count(ManagerReason::kJoinFailed), 1u);
  const auto failed =
      std::find_if(recorder.events.begin(), recorder.events.end(),
                   [](const auto& e) { return e.reason == ManagerReason::kJoinFailed; });
  EXPECT_EQ(Text(failed->ssid.bytes()), "home");
  EXPECT_EQ(failed->failure, port::WifiFailure::kWrongPassword);
  EXPECT_EQ(failed->reason_code, 15);
  // The join is remembered: the store says office joined last.
  const port::Credentials c = Stored();
  EXPECT_GT(c.networks[0].last_joined, 0u);
  EXPECT_EQ(c.networks[1].last_joined, 0u);
  EXPECT_EQ(m.status().state, PortalLinkState::kConnected);
}

TEST_F(ManagerTest, EqualSignal_MostRecentlyJoinedFirst) {
  station.routers = {{"a", "password-a", -60}, {"b", "password-b", -60}};
  Store("a", "password-a");
  Store("b", "password-b");
  port::Credentials c = Stored();
  c.networks[1].last_joined = 3;
  c.join_counter = 3;
  ASSERT_TRUE(store.Save(c).ok());
  Started();
  loop.RunFor(10 * kSecond);
  ASSERT_EQ(station.joins.size(), 1u);
  EXPECT_EQ(station.joins[0].ssid, "b");
}

TEST_F(ManagerTest, AllFailing_OpensThePortalAfterNRounds) {
  config.rounds_before_portal = 3;
  station.routers = {{"neighbour", "their-password", -45}};
  Store("home", "home-password");
  Store("office", "office-password");
  WifiManager& m = Started();
  loop.RunFor(60 * kSecond);

  EXPECT_EQ(station.scans.size(), 3u);
  EXPECT_TRUE(station.joins.empty());  // neither stored network was in range: none tried
  EXPECT_EQ(recorder.Count(ManagerReason::kNoneInRange), 3u);
  EXPECT_EQ(recorder.Waits().size(), 2u);  // a wait between rounds, none before the portal
  ASSERT_EQ(m.state(), ManagerState::kPortal);
  EXPECT_TRUE(hotspot.running());
  EXPECT_EQ(hotspot.ssid, "airlab-gw");
  EXPECT_EQ(recorder.events.back().reason, ManagerReason::kRoundsFailed);
  // The portal lists what the last scan heard, without a new scan.
  ASSERT_EQ(m.networks().size(), 1u);
  EXPECT_EQ(Text(m.networks()[0].ssid.bytes()), "neighbour");
  EXPECT_EQ(station.scans.size(), 3u);
}

TEST_F(ManagerTest, WrongPasswords_AlsoEndInThePortal_WithTheReason) {
  config.rounds_before_portal = 2;
  station.routers = {{"home", "the-real-password", -45}};
  Store("home", "a-wrong-password");
  WifiManager& m = Started();
  loop.RunFor(60 * kSecond);
  EXPECT_EQ(station.joins.size(), 2u);  // once per round, no retry storm
  ASSERT_EQ(m.state(), ManagerState::kPortal);
  EXPECT_EQ(m.status().state, PortalLinkState::kFailed);
  EXPECT_EQ(m.status().failure, port::WifiFailure::kWrongPassword);
}

TEST_F(ManagerTest, NothingStored_OpensThePortalAtOnce_WithTheScanReady) {
  station.routers = {{"home", "home-password", -45}};
  WifiManager& m = Started();
  loop.RunFor(ScriptedStation::kScanTime);
  ASSERT_EQ(m.state(), ManagerState::kPortal);
  EXPECT_EQ(recorder.events.back().reason, ManagerReason::kNoStoredNetworks);
  EXPECT_EQ(m.networks().size(), 1u);
}

TEST_F(ManagerTest, PortalTimeout_ClosesTheHotspotAndRetries) {
  config.rounds_before_portal = 1;
  config.portal_timeout = 180 * kSecond;
  station.routers = {{"home", "home-password", -45, /*up=*/false}};
  Store("home", "home-password");
  WifiManager& m = Started();
  loop.RunFor(ScriptedStation::kScanTime);
  ASSERT_EQ(m.state(), ManagerState::kPortal);
  const TimeNs opened = loop.now;

  // Someone browses the portal at 100 s: the timeout counts from then.
  loop.RunUntil(opened + 100 * kSecond);
  m.networks();
  loop.RunUntil(opened + 250 * kSecond);
  EXPECT_EQ(m.state(), ManagerState::kPortal);
  EXPECT_TRUE(hotspot.running());

  station.Find("home")->up = true;  // the router was only late (a power cut)
  loop.RunUntil(opened + 100 * kSecond + 180 * kSecond + 10 * kSecond);
  EXPECT_EQ(recorder.Count(ManagerReason::kPortalTimeout), 1u);
  EXPECT_FALSE(hotspot.running());
  ASSERT_EQ(m.state(), ManagerState::kConnected);
  EXPECT_EQ(station.joined(), "home");
}

TEST_F(ManagerTest, PortalTimeout_WithTheRouterStillDown_OpensThePortalAgainLater) {
  config.rounds_before_portal = 1;
  config.portal_timeout = 60 * kSecond;
  Store("home", "home-password");
  WifiManager& m = Started();
  loop.RunFor(ScriptedStation::kScanTime);
  ASSERT_EQ(m.state(), ManagerState::kPortal);
  loop.RunFor(60 * kSecond + ScriptedStation::kScanTime);
  // Closed, scanned once more, failed, open again: portal and rounds alternate.
  EXPECT_EQ(station.scans.size(), 2u);  // the second round's scan also refreshed the list
  EXPECT_EQ(m.state(), ManagerState::kPortal);
  EXPECT_EQ(hotspot.starts, 2u);
}

TEST_F(ManagerTest, PortalCredentials_AreSavedThenJoined) {
  station.routers = {{"cafe", "cafe-password", -55}};
  WifiManager& m = Started();
  loop.RunFor(ScriptedStation::kScanTime);
  ASSERT_EQ(m.state(), ManagerState::kPortal);

  ASSERT_TRUE(m.SetParameter("ts_channel", "1234567").ok());
  ASSERT_TRUE(m.SaveAndConnect(MakeSsid("cafe"), Bytes("cafe-password")).ok());
  EXPECT_EQ(m.state(), ManagerState::kPortalConnecting);
  EXPECT_EQ(m.status().state, PortalLinkState::kConnecting);
  ASSERT_EQ(station.joins.size(), 1u);
  EXPECT_EQ(station.joins[0].stored_networks, 1u);  // in the store before Connect was called
  loop.RunFor(ScriptedStation::kJoinTime);

  ASSERT_EQ(m.state(), ManagerState::kConnected);
  const PortalStatus status = m.status();
  EXPECT_EQ(status.state, PortalLinkState::kConnected);
  EXPECT_EQ(Text(status.ssid.bytes()), "cafe");
  EXPECT_EQ(status.ip.address, (port::Ipv4Address{192, 168, 1, 23}));
  // The phone still sees the outcome for a while, then the hotspot goes.
  EXPECT_TRUE(hotspot.running());
  loop.RunFor(config.hotspot_linger + kSecond);
  EXPECT_FALSE(hotspot.running());
  EXPECT_EQ(recorder.Count(ManagerReason::kHotspotClosed), 1u);

  const port::Credentials c = Stored();
  ASSERT_EQ(c.network_count, 1u);
  EXPECT_EQ(Text(c.networks[0].ssid.bytes()), "cafe");
  EXPECT_EQ(c.networks[0].passphrase.view(), "cafe-password");
  EXPECT_GT(c.networks[0].last_joined, 0u);
  ASSERT_EQ(c.parameter_count, 1u);
  EXPECT_EQ(c.parameters[0].value.view(), "1234567");

  // A restart joins the saved network by itself.
  m.Stop();
  loop.RunFor(kSecond);
  Started();
  loop.RunFor(10 * kSecond);
  EXPECT_EQ(manager->state(), ManagerState::kConnected);
  EXPECT_FALSE(hotspot.running());
}

TEST_F(ManagerTest, PortalCredentials_WrongPassword_BackToThePortalWithTheReason) {
  station.routers = {{"cafe", "cafe-password", -55}};
  WifiManager& m = Started();
  loop.RunFor(ScriptedStation::kScanTime);
  ASSERT_TRUE(m.SaveAndConnect(MakeSsid("cafe"), Bytes("not-the-password")).ok());
  loop.RunFor(ScriptedStation::kJoinTime);
  EXPECT_EQ(m.state(), ManagerState::kPortal);
  EXPECT_TRUE(hotspot.running());
  EXPECT_EQ(m.status().state, PortalLinkState::kFailed);
  EXPECT_EQ(m.status().failure, port::WifiFailure::kWrongPassword);
  // The user types it again, right this time: the stored passphrase is replaced.
  ASSERT_TRUE(m.SaveAndConnect(MakeSsid("cafe"), Bytes("cafe-password")).ok());
  loop.RunFor(ScriptedStation::kJoinTime);
  EXPECT_EQ(m.state(), ManagerState::kConnected);
  const port::Credentials c = Stored();
  ASSERT_EQ(c.network_count, 1u);
  EXPECT_EQ(c.networks[0].passphrase.view(), "cafe-password");
}

TEST_F(ManagerTest, PortalCredentials_Refused_WhenInvalid) {
  WifiManager& m = Started();
  loop.RunFor(ScriptedStation::kScanTime);
  EXPECT_EQ(m.SaveAndConnect(port::Ssid(), Bytes("password1")), Status::InvalidArgument());
  EXPECT_EQ(m.SaveAndConnect(MakeSsid("x"), Bytes("short")), Status::InvalidArgument());
  EXPECT_TRUE(station.joins.empty());
  EXPECT_EQ(Stored().network_count, 0u);
}

TEST_F(ManagerTest, PortalCredentials_DuringTheScan_JoinWhenTheScanEnds) {
  station.routers = {{"cafe", "cafe-password", -55}};
  WifiManager& m = Started();
  loop.RunFor(ScriptedStation::kScanTime);
  m.RequestScan();  // the user pressed "refresh"
  ASSERT_TRUE(m.SaveAndConnect(MakeSsid("cafe"), Bytes("cafe-password")).ok());
  EXPECT_TRUE(station.joins.empty());
  loop.RunFor(ScriptedStation::kScanTime + ScriptedStation::kJoinTime);
  ASSERT_EQ(station.joins.size(), 1u);
  EXPECT_EQ(m.state(), ManagerState::kConnected);
}

TEST_F(ManagerTest, CredentialsWhileConnected_SwitchNetworks_WithoutAHotspot) {
  // Improv hands the same backend credentials while the device is on another network.
  station.routers = {{"home", "home-password", -45}, {"lab", "lab-password", -60}};
  Store("home", "home-password");
  WifiManager& m = Started();
  loop.RunFor(10 * kSecond);
  ASSERT_EQ(m.state(), ManagerState::kConnected);
  ASSERT_TRUE(m.SaveAndConnect(MakeSsid("lab"), Bytes("lab-password")).ok());
  loop.RunFor(10 * kSecond);
  EXPECT_EQ(m.state(), ManagerState::kConnected);
  EXPECT_EQ(station.joined(), "lab");
  EXPECT_EQ(hotspot.starts, 0u);
  EXPECT_EQ(Stored().network_count, 2u);
}

TEST_F(ManagerTest, RouterLost_RecoversWithCappedJitteredBackoff_NoLoop) {
  config.rounds_before_portal = 1000;  // this case is about the backoff alone
  config.first_backoff = 2 * kSecond;
  config.max_backoff = 60 * kSecond;
  station.routers = {{"home", "home-password", -45}};
  Store("home", "home-password");
  WifiManager& m = Started();
  loop.RunFor(10 * kSecond);
  ASSERT_EQ(m.state(), ManagerState::kConnected);
  const size_t joins_before = station.joins.size();

  station.SetUp("home", false);  // the router reboots, and takes ten minutes about it
  loop.RunFor(10 * 60 * kSecond);
  EXPECT_EQ(recorder.Count(ManagerReason::kLinkLost), 1u);
  EXPECT_EQ(m.state(), ManagerState::kWaiting);
  // Bounded: with waits 1-2, 2-4, 4-8, ... capped at 30-60 s, ten minutes hold at most
  // about twenty rounds, not hundreds; and no join is tried while the router is not heard.
  EXPECT_LE(station.scans.size(), 1u + 25u);
  EXPECT_GE(station.scans.size(), 1u + 10u);
  EXPECT_EQ(station.joins.size(), joins_before);
  const std::vector<TimeNs> waits = recorder.Waits();
  TimeNs nominal = config.first_backoff;
  for (TimeNs wait : waits) {
    EXPECT_GE(wait, nominal / 2);
    EXPECT_LE(wait, nominal);
    nominal = std::min(nominal * 2, config.max_backoff);
  }
  // Jittered: the capped waits are not all the same.
  const std::vector<TimeNs> capped(waits.end() - 4, waits.end());
  EXPECT_NE(*std::min_element(capped.begin(), capped.end()),
            *std::max_element(capped.begin(), capped.end()));

  station.SetUp("home", true);
  loop.RunFor(config.max_backoff + 10 * kSecond);
  ASSERT_EQ(m.state(), ManagerState::kConnected);
  EXPECT_EQ(station.joins.size(), joins_before + 1);  // one join brought it back
  // Recovered and quiet: no more scans or joins, and the backoff starts over.
  const size_t scans = station.scans.size();
  loop.RunFor(10 * 60 * kSecond);
  EXPECT_EQ(station.scans.size(), scans);
  EXPECT_EQ(station.joins.size(), joins_before + 1);
  station.Deauthenticate(7);
  EXPECT_EQ(recorder.events.back().reason, ManagerReason::kBackoff);
  EXPECT_LE(recorder.events.back().wait, config.first_backoff);
  loop.RunFor(10 * kSecond);
  EXPECT_EQ(m.state(), ManagerState::kConnected);
}

TEST_F(ManagerTest, RouterLost_DefaultConfig_PortalThenBackWhenTheRouterReturns) {
  station.routers = {{"home", "home-password", -45}};
  Store("home", "home-password");
  WifiManager& m = Started();
  loop.RunFor(10 * kSecond);
  station.SetUp("home", false);
  loop.RunFor(60 * kSecond);
  EXPECT_EQ(m.state(), ManagerState::kPortal);
  station.SetUp("home", true);
  loop.RunFor(config.portal_timeout + 20 * kSecond);
  EXPECT_EQ(m.state(), ManagerState::kConnected);
  EXPECT_FALSE(hotspot.running());
}

TEST_F(ManagerTest, JoinTimeout_BoundsASilentRouter_ThenTheNext) {
  config.join_timeout = 5 * kSecond;
  station.routers = {{"mute", "mute-password", -40}, {"home", "home-password", -70}};
  station.routers[0].silent = true;
  Store("mute", "mute-password");
  Store("home", "home-password");
  WifiManager& m = Started();
  loop.RunFor(ScriptedStation::kScanTime + 5 * kSecond - kMillisecond);
  EXPECT_EQ(station.joins.size(), 1u);
  loop.RunFor(kMillisecond);
  EXPECT_EQ(recorder.Count(ManagerReason::kJoinTimeout), 1u);
  EXPECT_EQ(station.joins.size(), 2u);
  loop.RunFor(ScriptedStation::kJoinTime);
  EXPECT_EQ(m.state(), ManagerState::kConnected);
  EXPECT_EQ(station.joined(), "home");
}

TEST_F(ManagerTest, HiddenNetwork_StoredButUnseen_IsTriedWhenAHiddenOneIsHeard) {
  station.routers = {{"secret", "secret-password", -50}};
  station.routers[0].hidden = true;
  Store("secret", "secret-password");
  WifiManager& m = Started();
  loop.RunFor(10 * kSecond);
  EXPECT_EQ(m.state(), ManagerState::kConnected);
}

TEST_F(ManagerTest, Erase_ForgetsEverything_LeavesTheNetwork_OpensThePortal) {
  station.routers = {{"home", "home-password", -45}};
  Store("home", "home-password");
  WifiManager& m = Started();
  loop.RunFor(10 * kSecond);
  ASSERT_TRUE(m.SetParameter("ts_key", "ABCDEF0123456789").ok());
  ASSERT_EQ(m.state(), ManagerState::kConnected);

  m.Erase();
  EXPECT_EQ(m.state(), ManagerState::kPortal);
  EXPECT_TRUE(hotspot.running());
  EXPECT_EQ(m.status().state, PortalLinkState::kUserDisconnect);
  EXPECT_EQ(m.parameter("ts_key"), "none");  // back to its default
  EXPECT_EQ(m.credentials().network_count, 0u);
  const port::Credentials c = Stored();
  EXPECT_EQ(c.network_count, 0u);
  EXPECT_EQ(c.parameter_count, 0u);
  EXPECT_EQ(store.stored_size(), 0u);
  loop.RunFor(kSecond);
  EXPECT_FALSE(station.connected());
  EXPECT_EQ(recorder.Count(ManagerReason::kLinkLost), 0u);  // leaving is not losing
  // Nothing to go back to: the portal's timeout scans, finds nothing stored, reopens.
  loop.RunFor(config.portal_timeout + 10 * kSecond);
  EXPECT_EQ(m.state(), ManagerState::kPortal);
  EXPECT_EQ(station.joins.size(), 1u);
}

TEST_F(ManagerTest, Exit_ClosesThePortal_AndTriesTheStoredNetworksAgain) {
  config.rounds_before_portal = 1;
  station.routers = {{"home", "home-password", -45, /*up=*/false}};
  Store("home", "home-password");
  WifiManager& m = Started();
  loop.RunFor(ScriptedStation::kScanTime);
  ASSERT_EQ(m.state(), ManagerState::kPortal);
  station.Find("home")->up = true;
  m.Exit();
  EXPECT_FALSE(hotspot.running());
  loop.RunFor(10 * kSecond);
  EXPECT_EQ(m.state(), ManagerState::kConnected);
}

TEST_F(ManagerTest, Parameters_ValidatedSavedAndReadBack) {
  WifiManager& m = Make();
  ASSERT_EQ(m.parameters().size(), 2u);
  EXPECT_EQ(m.parameters()[1].value, "none");
  EXPECT_EQ(m.SetParameter("ts_channel", "12345678901"), Status::InvalidArgument());  // > 10
  EXPECT_EQ(m.SetParameter("other", "1"), Status::InvalidArgument());
  ASSERT_TRUE(m.SetParameter("ts_channel", "42").ok());
  ASSERT_TRUE(m.SetParameter("ts_channel", "43").ok());
  EXPECT_EQ(m.parameter("ts_channel"), "43");
  EXPECT_EQ(m.parameters()[0].value, "43");
  EXPECT_EQ(m.parameter("unknown"), "");
  // Another manager (the next boot) reads it from the store.
  manager.reset();
  WifiManager& next = Started();
  EXPECT_EQ(next.parameter("ts_channel"), "43");
  EXPECT_EQ(Stored().parameter_count, 1u);
}

TEST_F(ManagerTest, CorruptStore_IsReported_AndTheManagerCarriesOn) {
  Store("home", "home-password");
  store.Corrupt(20);
  station.routers = {{"home", "home-password", -45}};
  WifiManager& m = Started();
  ASSERT_GE(recorder.events.size(), 1u);
  EXPECT_EQ(recorder.events.front().reason, ManagerReason::kStoreFailed);
  EXPECT_EQ(recorder.events.front().status, Status::DataLoss());
  loop.RunFor(ScriptedStation::kScanTime);
  EXPECT_EQ(m.state(), ManagerState::kPortal);  // as with nothing stored
}

TEST_F(ManagerTest, BrokenStore_PortalSaveFails_AndNothingIsJoined) {
  station.routers = {{"cafe", "cafe-password", -55}};
  WifiManager& m = Started();
  loop.RunFor(ScriptedStation::kScanTime);
  store.fail = true;
  EXPECT_EQ(m.SaveAndConnect(MakeSsid("cafe"), Bytes("cafe-password")), Status::Unavailable());
  EXPECT_TRUE(station.joins.empty());
  EXPECT_EQ(recorder.events.back().reason, ManagerReason::kStoreFailed);
}

TEST_F(ManagerTest, FullStore_TheNetworkJoinedLongestAgoMakesRoom) {
  WifiManager& m = Make();
  for (size_t i = 0; i < port::Credentials::kMaxNetworks; ++i) {
    ASSERT_TRUE(m.AddNetwork(MakeSsid("net" + std::to_string(i)), Bytes("password-x")).ok());
  }
  port::Credentials c = Stored();
  for (size_t i = 0; i < c.network_count; ++i)
    c.networks[i].last_joined = static_cast<uint32_t>(10 + i);
  c.networks[5].last_joined = 1;
  c.join_counter = 20;
  ASSERT_TRUE(store.Save(c).ok());
  manager.reset();
  WifiManager& next = Started();
  ASSERT_TRUE(next.AddNetwork(MakeSsid("newcomer"), Bytes("password-y")).ok());
  c = Stored();
  ASSERT_EQ(c.network_count, port::Credentials::kMaxNetworks);
  EXPECT_EQ(Text(c.networks[5].ssid.bytes()), "newcomer");
}

TEST_F(ManagerTest, Info_NamesAndMacs) {
  WifiManager& m = Make();
  EXPECT_EQ(m.device_name(), "airlab-gw");
  EXPECT_EQ(m.station_mac(), station.address());
  EXPECT_EQ(m.ap_mac(), MacAddress({0x24, 0x0a, 0xc4, 0x00, 0x00, 0x11}));
  EXPECT_STREQ(ToString(ManagerState::kPortalConnecting), "portal-connecting");
  EXPECT_STREQ(ToString(ManagerReason::kLinkLost), "link lost");
}

}  // namespace
}  // namespace airlab::wifi
