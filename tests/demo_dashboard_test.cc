// `airlab demo --keep-serving` leaves the dashboard up: Chromium (playwright-core, as the
// server's own dashboard test uses it) opens the URL the demo printed and must show every
// reading the demo's summary counted; Ctrl-C (SIGINT) then ends the demo with exit 130, as
// it ends every command.

#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <thread>

#include "tests/child_process.h"
#include "tests/espnow_tools.h"
#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab {
namespace {

using testing_tools::ChildProcess;
using testing_tools::ReadText;
using testing_tools::RunCommand;
using testing_tools::TempDir;

TEST(DemoDashboard, KeepServing_ChromiumShowsEveryReadingTheSummaryCounted) {
  const std::filesystem::path root =
      std::filesystem::current_path();  // ctest runs from the source root
  ASSERT_TRUE(std::filesystem::exists(root / "node_modules/playwright-core"))
      << "playwright-core is missing: run `npm ci` at the repository root (scripts/setup does)";
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium"))
      << "apt-get install chromium (scripts/setup does)";
  TempDir dir;
  const std::string out = dir.File("demo.out");
  ChildProcess demo(
      {"demo", "--keep-serving", "--quiet", "--speed", "40", "--data", dir.File("data")}, out);
  std::string text;
  for (int i = 0; i < 1200 && text.find("until Ctrl-C") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    text = ReadText(out);
  }
  ASSERT_NE(text.find("until Ctrl-C"), std::string::npos) << text;
  std::smatch url;
  ASSERT_TRUE(std::regex_search(
      text, url, std::regex(R"(dashboard: (http://127\.0\.0\.1:\d+/channels/\d+))")));
  std::map<std::string, std::string> in_channel;
  for (const char* node : {"slave", "node2", "node3"}) {
    std::smatch row;
    // node mac field sent confirmed in-channel twice lost
    ASSERT_TRUE(std::regex_search(
        text, row,
        std::regex(std::string("\n  ") + node + R"(\s+\S+\s+\d+\s+\d+\s+\d+\s+(\d+)\s+0\s+0\n)")))
        << text;
    in_channel[node] = row[1];
  }

  const char* build_dir = std::getenv("AIRLAB_BUILD_DIR");
  const std::string shot = std::string(build_dir ? build_dir : "/tmp") + "/demo-dashboard.png";
  testing_tools::CommandResult check =
      RunCommand("cd '" + root.string() + "' && timeout 120 node tests/demo_dashboard_check.mjs '" +
                 std::string(url[1]) + "' " + in_channel["slave"] + " " + in_channel["node2"] +
                 " " + in_channel["node3"] + " '" + shot + "'");
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find(" 0 failed"), std::string::npos) << check.out << check.err;

  EXPECT_EQ(demo.Stop(SIGINT, std::chrono::seconds(30)), 130) << ReadText(out);
}

}  // namespace
}  // namespace airlab
