// wifi-portal's simulated phone (host/phone.h) on the hotspot of a virtual board running
// examples/wifi_manager: the board's MicroPython portal and DNS responder, reached at the
// ports `airlab board` prints. iOS, Windows and Firefox ask the hotspot's DNS and their
// pop-up opens on the portal; Android asks 8.8.8.8, which a board's Python cannot answer
// (it serves only its own address), so its verdict must say the pop-up does not open and
// why.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>

#include "host/phone.h"
#include "tests/child_process.h"
#include "tests/loopback.h"
#include "tests/temp_dir.h"

namespace airlab {
namespace {

using testing_tools::ChildProcess;
using testing_tools::ReadText;
using testing_tools::TempDir;

// The first match of `pattern` in what a process writes to `path`, waiting for it.
std::string WaitFor(const std::string& path, const std::string& pattern, ChildProcess& process) {
  const std::regex re(pattern);
  for (int i = 0; i < 1200; ++i) {
    std::smatch match;
    const std::string text = ReadText(path);
    if (std::regex_search(text, match, re))
      return match.size() > 1 ? match[1].str() : match[0].str();
    if (!process.running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "no " << pattern << " in " << path << ":\n" << ReadText(path);
  return "";
}

TEST(BoardHotspotPhone, EveryOsButAndroidOpensTheMicroPythonPortal) {
  const std::filesystem::path root = std::filesystem::current_path();  // ctest: the source root
  TempDir dir;
  const std::filesystem::path flash = dir.File("flash");
  std::filesystem::create_directories(flash);
  for (const char* name : {"wifi_manager.py", "boot.py"}) {
    std::filesystem::copy_file(root / "examples/wifi_manager" / name, flash / name);
  }
  const std::string hub = std::to_string(testing_tools::FreeLoopbackPort());
  ChildProcess air({"air", "--port", hub}, dir.File("air.out"));
  WaitFor(dir.File("air.out"), "clients join", air);
  ChildProcess board(
      {"board", "--name", "hotspot", "--mac", "02:00:00:00:0c:10", "--hub", "127.0.0.1:" + hub,
       "--fs", flash.string(), "--router", "lab-router:lab-password:6"},
      dir.File("board.out"));
  const std::string http = WaitFor(
      dir.File("board.out"), R"(hotspot 192\.168\.4\.1:80 -> (127\.0\.0\.1:\d+) \(tcp\))", board);
  const std::string dns = WaitFor(
      dir.File("board.out"), R"(hotspot 192\.168\.4\.1:53 -> (127\.0\.0\.1:\d+) \(udp\))", board);
  ASSERT_FALSE(http.empty());
  ASSERT_FALSE(dns.empty());

  // The hotspot's network as the board's mapping makes it: its own address answers, and
  // nothing else is reachable (no uplink, no DNS for other addresses).
  host::PhoneNetwork network{.dns_server = "192.168.4.1:53",
                             .routes = {{"192.168.4.1:53", dns}, {"192.168.4.1:80", http}},
                             .direct = false,
                             .timeout = std::chrono::milliseconds(3000)};
  for (const host::PhoneOs os : host::kEveryPhoneOs) {
    const host::PhoneVerdict verdict = host::RunPhoneProbes(os, network);
    std::string steps;
    for (const std::string& step : verdict.steps) steps += "  " + step + "\n";
    if (os == host::PhoneOs::kAndroid) {
      EXPECT_FALSE(verdict.portal_opens) << verdict.reason << "\n" << steps;
      EXPECT_NE(verdict.reason.find("8.8.8.8"), std::string::npos) << verdict.reason;
    } else {
      EXPECT_TRUE(verdict.portal_opens) << host::ToString(os) << ": " << verdict.reason << "\n"
                                        << steps;
    }
  }
  EXPECT_EQ(board.Stop(SIGTERM, std::chrono::seconds(20)), 0) << ReadText(dir.File("board.out"));
  air.Stop(SIGTERM, std::chrono::seconds(20));
}

}  // namespace
}  // namespace airlab
