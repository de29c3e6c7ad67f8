// The conventions every airlab command keeps, checked on the program of this build: Ctrl-C
// ends a long-running command with status 130; a negative duration, seed, count or interval
// gets the same one-line refusal from every command; a misspelt command gets the nearest
// name; and a service that cannot be reached is named (the MQTT broker of `serve --mqtt`,
// the URL of `gateway --url`).

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/child_process.h"
#include "tests/espnow_tools.h"
#include "tests/loopback.h"
#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab {
namespace {

using testing_tools::ChildProcess;
using testing_tools::RunCommand;

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Every command path of the program ("", " espnow", " espnow decode", ...) with its --help.
std::vector<std::pair<std::string, std::string>> CommandTree() {
  std::vector<std::pair<std::string, std::string>> tree;
  std::vector<std::string> pending = {""};
  while (!pending.empty()) {
    const std::string command = pending.back();
    pending.pop_back();
    const auto help = RunCommand(testing_tools::AirlabBinary() + command + " --help");
    tree.emplace_back(command, help.out);
    const size_t at = help.out.find("Subcommands:\n");
    if (at == std::string::npos) continue;
    const std::vector<std::string> lines = testing_tools::Split(help.out.substr(at), '\n');
    for (size_t i = 1; i < lines.size() && !lines[i].empty(); ++i) {
      if (lines[i].size() > 2 && lines[i].rfind("  ", 0) == 0 && lines[i][2] != ' ') {
        pending.push_back(command + " " + lines[i].substr(2, lines[i].find(' ', 2) - 2));
      }
    }
  }
  return tree;
}

// Waits until `child` printed `text`; false when it ended first or took over 60 s.
bool WaitForOutput(const ChildProcess& child, const std::string& text) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (Has(child.output(), text)) return true;
    if (!child.running()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

class CliFailures : public testing::Test {
 protected:
  testing_tools::TempDir dir_;
};

TEST_F(CliFailures, CtrlC_EndsEveryLongRunningCommandWith130) {
  const std::string hub_port = std::to_string(testing_tools::FreeLoopbackPort());
  const struct {
    std::vector<std::string> args;
    std::string ready;
  } commands[] = {
      {{"serve", "--port", "0", "--data", dir_.File("cloud")}, "Ctrl-C stops it"},
      {{"air", "--port", hub_port}, "clients join"},
      {{"sim", "examples/lab.toml", "--realtime", "--progress"}, "simulated"},
  };
  for (const auto& c : commands) {
    SCOPED_TRACE(c.args[0]);
    ChildProcess child(c.args, dir_.File(c.args[0] + ".log"));
    ASSERT_TRUE(WaitForOutput(child, c.ready)) << child.output();
    EXPECT_EQ(child.Stop(SIGINT, std::chrono::seconds(60)), 130) << child.output();
  }
}

TEST_F(CliFailures, SigtermEndsACommandWith0) {
  ChildProcess serve({"serve", "--port", "0", "--data", dir_.File("cloud")},
                     dir_.File("serve.log"));
  ASSERT_TRUE(WaitForOutput(serve, "Ctrl-C stops it")) << serve.output();
  EXPECT_EQ(serve.Stop(SIGTERM, std::chrono::seconds(60)), 0) << serve.output();
}

TEST_F(CliFailures, NegativeDurationsSeedsAndCounts_AreRefusedAlikeByEveryCommand) {
  size_t checked = 0;
  for (const auto& [command, help] : CommandTree()) {
    for (const std::string option :
         {"--duration", "--seed", "--count", "--interval", "--refresh", "--dwell"}) {
      if (!Has(help, "  " + option + " ")) continue;
      // A required positional or option comes first where the command has one: the refusal
      // must come from the option checked, whatever else is wrong.
      const auto r = RunCommand(testing_tools::AirlabBinary() + command + " " + option + " -1");
      EXPECT_NE(r.exit_code, 0) << "airlab" << command << " " << option << " -1";
      EXPECT_TRUE(Has(r.err, option + ": must be >= 0 (got -1)"))
          << "airlab" << command << " " << option << " -1:\n"
          << r.err;
      ++checked;
    }
  }
  // sim, sniff, gateway, node take --duration; air, sim, demo, sniff --seed; node --count ...
  EXPECT_GE(checked, 12u);
}

TEST_F(CliFailures, MisspeltCommand_GetsTheNearestAtEveryLevel) {
  size_t checked = 0;
  for (const auto& [command, help] : CommandTree()) {
    if (command.empty()) continue;
    // The command's last word with its last letter dropped: "snif", "channel creat".
    const size_t space = command.rfind(' ');
    const std::string parent = command.substr(0, space), name = command.substr(space + 1);
    const auto r =
        RunCommand(testing_tools::AirlabBinary() + parent + " " + name.substr(0, name.size() - 1));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_TRUE(Has(r.err, "did you mean '" + name + "'?"))
        << "airlab" << parent << " " << name << ":\n"
        << r.err;
    ++checked;
  }
  EXPECT_GE(checked, 14u);
  const auto far = RunCommand(testing_tools::AirlabBinary() + " channel frobnicate");
  EXPECT_TRUE(Has(
      far.err, "unknown command 'frobnicate' for airlab channel; its commands: create, list, keys"))
      << far.err;
}

TEST_F(CliFailures, ServeWithABrokerThatIsDown_SaysSoOnce) {
  const int port = testing_tools::FreeLoopbackPort();  // nothing listens there
  ChildProcess serve({"serve", "--port", "0", "--data", dir_.File("cloud"), "--mqtt",
                      "mqtt://127.0.0.1:" + std::to_string(port)},
                     dir_.File("serve.log"));
  const std::string line = "mqtt: cannot reach broker at 127.0.0.1:" + std::to_string(port) +
                           " (Connection refused): is mosquitto running?";
  ASSERT_TRUE(WaitForOutput(serve, line)) << serve.output();
  std::this_thread::sleep_for(std::chrono::seconds(3));  // libmosquitto retries meanwhile
  const std::string out = serve.output();
  EXPECT_EQ(out.find(line), out.rfind(line)) << out;
  EXPECT_EQ(serve.Stop(SIGTERM, std::chrono::seconds(30)), 0) << out;
}

TEST_F(CliFailures, GatewayWithAServerThatIsDown_NamesTheUrl) {
  const int hub_port = testing_tools::FreeLoopbackPort();
  const std::string url = "http://127.0.0.1:" + std::to_string(testing_tools::FreeLoopbackPort());
  ChildProcess hub({"air", "--port", std::to_string(hub_port)}, dir_.File("air.log"));
  ASSERT_TRUE(WaitForOutput(hub, "clients join")) << hub.output();
  // The command channel is polled every second, so the URL is tried at once.
  ChildProcess gateway(
      {"gateway", "--hub", "127.0.0.1:" + std::to_string(hub_port), "--url", url, "--channel-id",
       "1", "--write-key", "KEY", "--command-channel", "2", "--store", dir_.File("gw.db")},
      dir_.File("gateway.log"));
  ASSERT_TRUE(WaitForOutput(gateway, "cannot reach " + url + " (")) << gateway.output();
  EXPECT_TRUE(Has(gateway.output(), "; check --url")) << gateway.output();
  EXPECT_EQ(gateway.Stop(SIGINT, std::chrono::seconds(30)), 130) << gateway.output();
}

}  // namespace
}  // namespace airlab
