// The simulated air into a file: tshark reads what AirCapture wrote, in the format the name
// asks for, and a file that cannot be made or is an input names itself.

#include "host/air_capture.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "platform/sim/traffic.h"
#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab::host {
namespace {

using port::kMillisecond;
using port::kSecond;

// Runs one second of 20 broadcasts into `path`; returns the frames written.
uint64_t CaptureOneSecond(const std::string& path) {
  sim::Simulation sim;
  sim.AddNode({.position = {0, 0, 0}, .channel = 6});
  sim.AddNode({.position = {5, 0, 0}, .channel = 6});
  AirCapture capture(sim, path, {.interface_name = "lab"});
  sim::TrafficSource source(sim, 0, MacAddress::Broadcast(), 40, 50 * kMillisecond, {}, 1);
  sim.RunFor(kSecond);
  capture.Close();
  return capture.frames_written();
}

TEST(AirCapture, Pcapng_TsharkReadsEveryFrameAndTheInterfaceName) {
  const testing_tools::TempDir dir;
  const std::string path = dir.File("air.pcapng");
  EXPECT_EQ(CaptureOneSecond(path), 20u);
  const testing_tools::CommandResult r = testing_tools::RunCommand(
      "tshark -r " + path + " -T fields -e frame.interface_name -e wlan.fc.type_subtype");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(testing_tools::RunCommand("tshark -r " + path + " | wc -l").out, "20\n");
  EXPECT_NE(r.out.find("lab\t0x000d"), std::string::npos) << r.out;
}

TEST(AirCapture, PcapName_WritesPcap) {
  const testing_tools::TempDir dir;
  const std::string path = dir.File("AIR.PCAP");
  EXPECT_EQ(CaptureOneSecond(path), 20u);
  // capinfos names the file type: pcap (nanosecond), not pcapng in disguise.
  const testing_tools::CommandResult r = testing_tools::RunCommand("capinfos -t " + path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("pcapng"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pcap"), std::string::npos) << r.out;
  EXPECT_EQ(testing_tools::RunCommand("tshark -r " + path + " | wc -l").out, "20\n");
}

TEST(AirCapture, MissingFolder_NamesTheFile) {
  const testing_tools::TempDir dir;
  const std::string path = dir.File("no/such/folder/air.pcapng");
  sim::Simulation sim;
  try {
    AirCapture capture(sim, path);
    FAIL() << "made " << path;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(AirCapture, OutputIsAnInput_RefusedAndInputKept) {
  const testing_tools::TempDir dir;
  const std::string path = dir.File("scene.toml");
  testing_tools::RunCommand("echo 'seed = 1' > " + path);
  sim::Simulation sim;
  EXPECT_THROW(AirCapture(sim, path, {}, {path}), std::runtime_error);
  EXPECT_EQ(testing_tools::RunCommand("cat " + path).out, "seed = 1\n");
}

}  // namespace
}  // namespace airlab::host
