// `airlab portal` end to end, with airlab's real Wi-Fi manager behind it on a simulated air:
// - headless Chromium with a phone's viewport and JavaScript off opens the portal, picks
//   the lab file's router among a hostile SSID's, submits the password and sees the
//   success page, then the menu saying the device joined (screenshots kept in the build
//   folder: portal-networks.png, portal-saved.png, portal-joined.png);
// - the simulated phone's four OS sequences, on loopback, each open the portal;
// - esp32-wifi-manager's JSON routes, with curl: a wrong password ends in urc 1 with the
//   reason, the right one in urc 0 with the router's lease;
// - a bad address is one clear line and a non-zero exit.

#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include "host/phone.h"
#include "tests/child_process.h"
#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab {
namespace {

using testing_tools::ChildProcess;
using testing_tools::ReadText;
using testing_tools::RunCommand;
using testing_tools::TempDir;

constexpr char kLab[] = R"([[router]]
ssid = "airlab-lab"
password = "airlab-password"
channel = 6

[[router]]
ssid = "<img src=x onerror=alert(1)>"
channel = 11
)";

std::string WriteLab(const TempDir& dir) {
  const std::string path = dir.File("lab.toml");
  std::ofstream(path) << kLab;
  return path;
}

// `airlab portal` on free loopback ports with kLab's routers; waits for its URL.
class RunningPortal {
 public:
  RunningPortal()
      : lab_(WriteLab(dir_)),
        out_(dir_.File("portal.out")),
        portal_({"portal", "--listen", "127.0.0.1:0", "--dns", "127.0.0.1:0", "--lab", lab_},
                out_) {
    for (int i = 0; i < 600 && !ready(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  bool ready() {
    text_ = output();
    return std::regex_search(text_, match_, kReady);
  }
  std::string url() {
    ready();
    return match_[1];
  }
  std::string http() {
    ready();
    return match_[2];
  }
  std::string dns() {
    ready();
    return match_[3];
  }
  std::string output() const { return ReadText(out_); }
  int Stop() { return portal_.Stop(SIGTERM, std::chrono::seconds(30)); }

 private:
  inline static const std::regex kReady{
      R"(portal (http://(127\.0\.0\.1:\d+)/)  DNS (127\.0\.0\.1:\d+) answers)"};
  TempDir dir_;
  std::string lab_;
  std::string out_;
  ChildProcess portal_;
  std::string text_;  // what match_ points into
  std::smatch match_;
};

TEST(PortalCli, ChromiumOnAPhonePicksTheRouterAndSeesTheJoin) {
  const std::filesystem::path root = std::filesystem::current_path();  // the source root
  ASSERT_TRUE(std::filesystem::exists(root / "node_modules/playwright-core"))
      << "playwright-core is missing: run `npm ci` at the repository root (scripts/setup does)";
  RunningPortal portal;
  ASSERT_TRUE(portal.ready()) << portal.output();
  const char* build_dir = std::getenv("AIRLAB_BUILD_DIR");
  const std::string shots = std::string(build_dir ? build_dir : "/tmp") + "/portal";
  const auto check =
      RunCommand("cd '" + root.string() + "' && timeout 180 node tests/portal_check.mjs '" +
                 portal.url() + "' airlab-lab airlab-password '" + shots + "'");
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err << portal.output();
  EXPECT_NE(check.out.find(" 0 failed"), std::string::npos) << check.out << check.err;
  EXPECT_TRUE(std::filesystem::exists(shots + "-joined.png"));
  const std::string log = portal.output();
  EXPECT_NE(log.find("credentials from the portal \"airlab-lab\""), std::string::npos) << log;
  EXPECT_NE(log.find("connected: joined \"airlab-lab\""), std::string::npos) << log;
  EXPECT_EQ(portal.Stop(), 0) << portal.output();
}

TEST(PortalCli, ThePhoneOpensThePortalOnEveryOs) {
  RunningPortal portal;
  ASSERT_TRUE(portal.ready()) << portal.output();
  host::PhoneNetwork network;
  network.routes["192.168.4.1:53"] = portal.dns();
  network.routes["192.168.4.1:80"] = portal.http();
  // airlab's responder answers port 53 whatever the destination address (see
  // tests/portal_netns_test.cc for the same on a real network).
  network.routes["8.8.8.8:53"] = portal.dns();
  for (host::PhoneOs os : host::kEveryPhoneOs) {
    const host::PhoneVerdict v = host::RunPhoneProbes(os, network);
    EXPECT_TRUE(v.portal_opens) << host::ToString(os) << ": " << v.reason;
  }
  EXPECT_EQ(portal.Stop(), 0);
}

// Polls /status.json until it carries "urc" (the join ended), at most 60 s.
std::string StatusWhenDone(const std::string& http) {
  std::string status;
  for (int i = 0; i < 120 && status.find("\"urc\"") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    status = RunCommand("curl -s http://" + http + "/status.json").out;
  }
  return status;
}

TEST(PortalCli, JsonRoutesJoinWithTheRealManager) {
  RunningPortal portal;
  ASSERT_TRUE(portal.ready()) << portal.output();
  std::string networks;
  for (int i = 0; i < 60 && networks.find("airlab-lab") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    networks = RunCommand("curl -s http://" + portal.http() + "/ap.json").out;
  }
  EXPECT_NE(networks.find("{\"ssid\":\"airlab-lab\",\"chan\":6,"), std::string::npos) << networks;
  EXPECT_NE(networks.find("\"ssid\":\"<img src=x onerror=alert(1)>\",\"chan\":11"),
            std::string::npos)
      << networks;

  const std::string connect =
      "curl -s -o /dev/null -w '%{http_code}' -X POST -H "
      "'X-Custom-ssid: airlab-lab' http://" +
      portal.http() + "/connect.json -H 'X-Custom-pwd: ";
  EXPECT_EQ(RunCommand(connect + "not-the-password'").out, "200");
  const std::string failed = StatusWhenDone(portal.http());
  EXPECT_NE(failed.find("\"urc\":1,\"reason\":\"wrong password\""), std::string::npos) << failed;

  EXPECT_EQ(RunCommand(connect + "airlab-password'").out, "200");
  std::string joined;
  for (int i = 0; i < 120 && joined.find("\"urc\":0") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    joined = RunCommand("curl -s http://" + portal.http() + "/status.json").out;
  }
  EXPECT_TRUE(std::regex_search(
      joined, std::regex(R"(\{"ssid":"airlab-lab","ip":"192\.168\.1\.\d+","netmask":)"
                         R"("255\.255\.255\.0","gw":"192\.168\.1\.1","urc":0\})")))
      << joined << portal.output();
  EXPECT_EQ(portal.Stop(), 0);
}

TEST(PortalCli, ABadAddressIsOneClearLine) {
  const auto r = RunCommand(testing_tools::AirlabBinary() + " portal --listen nowhere:80");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err,
            "airlab: error: the portal (--listen) must be ADDRESS:PORT with an IPv4 address "
            "(e.g. 127.0.0.1:8080), not 'nowhere:80'\n");
}

}  // namespace
}  // namespace airlab
