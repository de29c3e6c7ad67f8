// Routers in scenario files: [[router]] and [[event]] read into the model (or one message
// naming the fix), and the events happening to the access points at their time.

#include "scenario/routers.h"

#include <gtest/gtest.h>

#include <string>

#include "scenario/runner.h"
#include "scenario/scenario.h"

namespace airlab::scenario {
namespace {

std::string ErrorOf(const std::string& text) {
  try {
    ParseScenario(text, "t.toml");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

constexpr const char* kHome = R"(
duration = "20s"

[[router]]
name = "home"
ssid = "lab"
password = "lab-secret"
channel = 6
position = [3, 4]
beacon_interval = 200
hidden = true

[[router]]
ssid = "cafe"
channel = 11

[[event]]
at = "2s"
router = "home"
action = "channel"
channel = 1

[[event]]
at = "5s"
router = "cafe"
action = "reboot"
down_for = "3s"

[[event]]
at = "9s"
router = "home"
action = "deauth"
station = "02:00:00:00:00:01"
reason = 5
)";

TEST(ScenarioRouters, RoutersAndEventsAreRead) {
  const Scenario s = ParseScenario(kHome, "t.toml");
  ASSERT_EQ(s.routers.size(), 2u);
  const RouterSpec& home = s.routers[0];
  EXPECT_EQ(home.name, "home");
  EXPECT_EQ(home.ssid, "lab");
  EXPECT_EQ(home.password, "lab-secret");
  EXPECT_EQ(home.channel, 6);
  EXPECT_TRUE(home.hidden);
  EXPECT_EQ(home.beacon_interval_tu, 200);
  EXPECT_DOUBLE_EQ(home.position.y, 4);
  EXPECT_TRUE(s.routers[1].password.empty());
  ASSERT_EQ(s.events.size(), 3u);
  EXPECT_EQ(s.events[0].action, RouterAction::kSwitchChannel);
  EXPECT_EQ(s.events[0].at, 2 * port::kSecond);
  EXPECT_EQ(s.events[0].channel, 1);
  EXPECT_EQ(s.events[1].router, 1u);
  EXPECT_EQ(s.events[1].action, RouterAction::kReboot);
  EXPECT_EQ(s.events[1].down_for, 3 * port::kSecond);
  EXPECT_EQ(s.events[2].action, RouterAction::kDeauthenticate);
  EXPECT_EQ(s.events[2].reason, 5);
  ASSERT_TRUE(s.events[2].station.has_value());
}

TEST(ScenarioRouters, MistakesNameTheFix) {
  EXPECT_EQ(ErrorOf("[[router]]\nssid = \"lab\"\npassword = \"short\"\n"),
            "t.toml:3:12: router \"lab\": a WPA2 password has 8 to 63 characters (leave "
            "password out for an open network)");
  EXPECT_EQ(ErrorOf("[[router]]\nssid = \"lab\"\nsecurity = \"wpa2\"\n"),
            "t.toml:3:12: router \"lab\": security = \"wpa2\" needs a password of 8 to 63 "
            "characters");
  EXPECT_EQ(ErrorOf("[[router]]\nsid = \"lab\"\n"),
            "t.toml:2:1: router 1: unknown key \"sid\"; did you mean \"ssid\"?");
  EXPECT_EQ(ErrorOf("[[router]]\nssid = \"lab\"\n[[event]]\nat = 1\nrouter = \"x\"\n"
                    "action = \"reboot\"\n"),
            "t.toml:5:10: event 1: name a [[router]] by its name or SSID, e.g. router = \"home\"");
  EXPECT_EQ(ErrorOf("[[router]]\nssid = \"lab\"\n[[event]]\nat = 1\nrouter = \"lab\"\n"
                    "action = \"explode\"\n"),
            "t.toml:6:10: event 1: action is \"deauth\" (station, reason), \"reboot\" "
            "(down_for) or \"channel\" (channel)");
}

TEST(ScenarioRouters, EventsHappenToTheRoutersOnTime) {
  const Scenario s = ParseScenario(kHome, "t.toml");
  Runner run(s);
  wifi::AccessPoint& home = run.routers().ap(0);
  wifi::AccessPoint& cafe = run.routers().ap(1);
  EXPECT_EQ(run.routers().name(0), "home");
  EXPECT_EQ(run.routers().name(1), "cafe");
  EXPECT_EQ(home.bssid(), DefaultRouterBssid(0));
  run.RunUntil(1900 * port::kMillisecond);
  EXPECT_EQ(home.channel(), 6);
  run.RunUntil(3 * port::kSecond);  // announced in three beacons of 200 TU, then moved
  EXPECT_EQ(home.channel(), 1);
  run.RunUntil(5100 * port::kMillisecond);
  EXPECT_TRUE(cafe.down());
  const uint64_t beacons = cafe.stats().beacons;
  run.RunUntil(7900 * port::kMillisecond);
  EXPECT_EQ(cafe.stats().beacons, beacons);  // silent while down
  run.RunUntil(9 * port::kSecond);
  EXPECT_FALSE(cafe.down());
  EXPECT_GE(cafe.stats().beacons, beacons + 9);
}

}  // namespace
}  // namespace airlab::scenario
