// `airlab demo` as a user (and scripts/setup) runs it: it must end with nothing lost and
// exit 0, and its pcapng must hold the air it claims - capinfos counts the frames and
// tshark finds the nodes' ESP-NOW frames in it (independent readers).

#include <gtest/gtest.h>

#include <regex>
#include <string>

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
  ASSERT_TRUE(std::regex_search(r.out, all, std::regex(R"(\n  all\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\n)"))) << r.out;
  EXPECT_GT(std::stoi(all[1]), 50);
  EXPECT_EQ(all[1], all[2]);
  EXPECT_EQ(all[3], "0");
  EXPECT_EQ(all[4], "0");
  std::smatch commands;
  ASSERT_TRUE(std::regex_search(r.out, commands, std::regex(R"((\d+) received by the nodes \((\d+) expected\))")));
  EXPECT_EQ(commands[1], commands[2]);
  EXPECT_EQ(commands[1], "9");

  std::smatch frames;
  ASSERT_TRUE(std::regex_search(r.out, frames, std::regex(R"(air:\s+(\d+) frames in (\S+))"))) << r.out;
  const std::string pcap = frames[2];
  EXPECT_EQ(pcap, data + "/air.pcapng");
  testing_tools::CommandResult count = RunCommand("capinfos -M -c -T -r " + pcap);
  ASSERT_EQ(count.exit_code, 0) << count.err;
  EXPECT_NE(count.out.find("\t" + std::string(frames[1])), std::string::npos) << count.out;
  // ESP-NOW: vendor-specific action frames (category 127) with Espressif's OUI, from the
  // slave, carrying at least its readings and their re-sends.
  testing_tools::CommandResult espnow = RunCommand(
      "tshark -r " + pcap +
          " -Y 'wlan.fixed.category_code == 127 && wlan.sa == 4c:11:ae:89:bc:95' -T fields -e frame.number");
  ASSERT_EQ(espnow.exit_code, 0) << espnow.err;
  EXPECT_GE(testing_tools::Split(espnow.out, '\n').size(), 22u);
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
