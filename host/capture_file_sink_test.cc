// The simulated air into a file: tshark reads what AirCapture wrote, a file that cannot be
// made names itself, and writing after Close is refused rather than lost in silence.

#include "host/capture_file_sink.h"

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

TEST(AirCapture, Close_TsharkReadsEveryFrame) {
  const testing_tools::TempDir dir;
  const std::string path = dir.File("air.pcapng");
  sim::Simulation sim;
  sim.AddNode({.position = {0, 0, 0}, .channel = 6});
  sim.AddNode({.position = {5, 0, 0}, .channel = 6});
  AirCapture capture(sim, path, {.interface_name = "lab"});
  sim::TrafficSource source(sim, 0, MacAddress::Broadcast(), 40, 50 * kMillisecond, {}, 1);
  sim.RunFor(kSecond);
  capture.Close();
  EXPECT_EQ(capture.frames_written(), 20u);
  const testing_tools::CommandResult r =
      testing_tools::RunCommand("tshark -r " + path + " -T fields -e frame.interface_name -e wlan.fc.type_subtype");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(testing_tools::RunCommand("tshark -r " + path + " | wc -l").out, "20\n");
  EXPECT_NE(r.out.find("lab\t0x000d"), std::string::npos) << r.out;
}

TEST(CaptureFileSink, MissingFolder_NamesTheFile) {
  const testing_tools::TempDir dir;
  const std::string path = dir.File("no/such/folder/air.pcapng");
  try {
    CaptureFileSink sink(path);
    FAIL() << "made " << path;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": cannot create it"), std::string::npos) << e.what();
  }
}

TEST(CaptureFileSink, WriteAfterClose_Throws) {
  const testing_tools::TempDir dir;
  CaptureFileSink sink(dir.File("x.bin"));
  const std::byte b[1] = {std::byte{1}};
  sink.Write(b);
  sink.Close();
  EXPECT_THROW(sink.Write(b), std::logic_error);
  EXPECT_EQ(testing_tools::RunCommand("wc -c < " + dir.File("x.bin")).out, "1\n");
}

}  // namespace
}  // namespace airlab::host
