// `airlab demo` as a user (and scripts/setup) runs it: it must end with nothing lost and
// exit 0, and its pcapng must hold the air it claims - capinfos counts the frames and
// tshark finds the nodes' ESP-NOW frames in it (independent readers).

#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>

#include "tests/child_process.h"
#include "tests/espnow_tools.h"
#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab {
namespace {

using testing_tools::AirlabBinary;
using testing_tools::RunCommand;
using testing_tools::TempDir;

TEST(CliDemo, Run_NothingLost_PcapHoldsTheAir) {
  TempDir dir;
  const std::string data = dir.File("demo");
  testing_tools::CommandResult r =
      RunCommand(AirlabBinary() + " demo --quiet --speed 40 --data " + data);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("nothing lost, nothing twice"), std::string::npos) << r.out;

  // "  all  <sent>  <in channel>  <twice>  <lost>"
  std::smatch all;
  ASSERT_TRUE(
      std::regex_search(r.out, all, std::regex(R"(\n  all\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\n)")))
      << r.out;
  EXPECT_GT(std::stoi(all[1]), 50);
  EXPECT_EQ(all[1], all[2]);
  EXPECT_EQ(all[3], "0");
  EXPECT_EQ(all[4], "0");
  std::smatch commands;
  ASSERT_TRUE(std::regex_search(r.out, commands,
                                std::regex(R"((\d+) received by the nodes \((\d+) expected\))")));
  EXPECT_EQ(commands[1], commands[2]);
  EXPECT_EQ(commands[1], "9");

  std::smatch frames;
  ASSERT_TRUE(std::regex_search(r.out, frames, std::regex(R"(air:\s+(\d+) frames in (\S+))")))
      << r.out;
  const std::string pcap = frames[2];
  EXPECT_EQ(pcap, data + "/air.pcapng");
  testing_tools::CommandResult count = RunCommand("capinfos -M -c -T -r " + pcap);
  ASSERT_EQ(count.exit_code, 0) << count.err;
  EXPECT_NE(count.out.find("\t" + std::string(frames[1])), std::string::npos) << count.out;
  // ESP-NOW: vendor-specific action frames (category 127) with Espressif's OUI, from the
  // slave, carrying at least its readings and their re-sends.
  testing_tools::CommandResult espnow =
      RunCommand("tshark -r " + pcap +
                 " -Y 'wlan.fixed.category_code == 127 && wlan.sa == 4c:11:ae:89:bc:95' -T fields "
                 "-e frame.number");
  ASSERT_EQ(espnow.exit_code, 0) << espnow.err;
  EXPECT_GE(testing_tools::Split(espnow.out, '\n').size(), 22u);
}

// Ctrl-C mid-run: exit 130, the pcapng whole (tshark reads every frame the demo says it
// wrote), and both SQLite databases (the gateway's queue, the server's channels) closed:
// no -wal or -shm left in the folder.
TEST(CliDemo, CtrlC_PcapWholeDatabasesClosed_Exit130) {
  TempDir dir;
  const std::string data = dir.File("demo");
  testing_tools::ChildProcess demo({"demo", "--speed", "4", "--data", data}, dir.File("out.txt"));
  // Under way: the nodes send their readings (5 simulated s, about 1.3 s of wall time).
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (demo.output().find("every node sends a reading") == std::string::npos &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ASSERT_EQ(demo.Stop(SIGINT, std::chrono::seconds(60)), 130) << demo.output();

  const std::string out = demo.output();
  std::smatch stopped;
  ASSERT_TRUE(std::regex_search(
      out, stopped, std::regex(R"(stopped after [\d.]+ s of air; (\d+) frames in (\S+),)")))
      << out;
  const std::string pcap = stopped[2];
  EXPECT_EQ(pcap, data + "/air.pcapng");
  EXPECT_GT(std::stoull(stopped[1]), 0u);
  testing_tools::CommandResult read =
      RunCommand("tshark -r " + pcap + " -T fields -e frame.number");
  ASSERT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(testing_tools::Split(read.out, '\n').size(), std::stoull(stopped[1])) << read.err;
  int databases = 0;
  for (const auto& entry : std::filesystem::directory_iterator(data)) {
    const std::string name = entry.path().filename().string();
    EXPECT_FALSE(name.ends_with("-wal") || name.ends_with("-shm")) << name << " left in " << data;
    if (name.ends_with(".db")) ++databases;
  }
  EXPECT_EQ(databases, 2);
}

TEST(CliDemo, GatewayWithoutChannel_SaysWhatIsMissing) {
  testing_tools::CommandResult r = RunCommand(AirlabBinary() + " gateway --write-key K");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--channel-id is required"), std::string::npos) << r.err;
}

TEST(CliDemo, NodeWithoutHub_SaysToStartTheAir) {
  testing_tools::CommandResult r = RunCommand(AirlabBinary() + " node --hub 127.0.0.1:1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("airlab air"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace airlab
