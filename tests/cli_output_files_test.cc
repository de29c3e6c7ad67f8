// Every command that writes a capture follows one convention (linux_port::OutputFile), and
// none destroys what the user has: a failed input or hub leaves the output untouched, an
// output that is an input is refused, Ctrl-C leaves a whole file tshark reads, "-" is
// standard output, /dev/null works, any name is accepted and a .pcap name gets pcap.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "core/sniff/sniff_testing.h"
#include "tests/child_process.h"
#include "tests/espnow_tools.h"
#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab {
namespace {

using testing_tools::AirlabBinary;
using testing_tools::ChildProcess;
using testing_tools::CommandResult;
using testing_tools::RunCommand;
using testing_tools::TempDir;

std::string Airlab(const std::string& args) { return AirlabBinary() + " " + args; }

// The lab's scenario (tests run in the source tree), as an absolute path.
std::string Lab() { return std::filesystem::absolute("examples/lab.toml").string(); }

std::string Bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// The packets tshark reads from `path`, or -1 when it fails to read the file.
long TsharkPackets(const std::string& path) {
  const CommandResult r = RunCommand("tshark -r '" + path + "' -T fields -e frame.number | wc -l");
  const CommandResult check = RunCommand("tshark -r '" + path + "' -c 1 >/dev/null");
  if (check.exit_code != 0) return -1;
  return std::stol(r.out);
}

// The first four bytes as hex: a1b23c4d / 4d3cb2a1 pcap, 0a0d0d0a pcapng.
std::string Magic(const std::string& path) {
  const std::string bytes = Bytes(path).substr(0, 4);
  std::string hex;
  for (unsigned char c : bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[c >> 4];
    hex += kDigits[c & 15];
  }
  return hex;
}

size_t FilesIn(const std::string& dir) {
  size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) n += !entry.is_directory();
  return n;
}

class OutputFiles : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    sniff::testing::MixedCaptureOptions options;
    options.frames = 2000;
    sniff::testing::WriteMixedCapture(dir_->File("mix.pcap"), options);
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string Mix() { return dir_->File("mix.pcap"); }
  // A capture of the user's, to be kept as it is.
  std::string Keep() {
    const std::string keep = work_.File("keep.pcapng");
    const CommandResult r = RunCommand(Airlab("sniff -r " + Mix() + " --summary -w " + keep));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return keep;
  }
  static TempDir* dir_;
  TempDir work_;
};
TempDir* OutputFiles::dir_ = nullptr;

TEST_F(OutputFiles, MissingInput_LeavesTheOutputUntouched) {
  const std::string keep = Keep();
  const std::string before = Bytes(keep);
  ASSERT_GT(before.size(), 1000u);
  const CommandResult r =
      RunCommand(Airlab("sniff -r " + work_.File("missing.pcap") + " --summary -w " + keep));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("missing.pcap"), std::string::npos) << r.err;
  EXPECT_EQ(Bytes(keep), before);
  EXPECT_EQ(FilesIn(work_.path()), 1u);  // no temporary file left beside it
}

TEST_F(OutputFiles, UnreachableHub_LeavesTheOutputUntouched) {
  const std::string keep = Keep();
  const std::string before = Bytes(keep);
  // Nothing listens on port 1 (binding it needs privileges nobody gives an air hub).
  const CommandResult r = RunCommand(Airlab("sniff --hub 127.0.0.1:1 --summary -w " + keep));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(Bytes(keep), before);
}

TEST_F(OutputFiles, OutputIsTheInput_RefusedAndTheInputIntact) {
  const std::string keep = Keep();
  const std::string before = Bytes(keep);
  const CommandResult r = RunCommand(Airlab("sniff -r " + keep + " --summary -w " + keep));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("also this command's input"), std::string::npos) << r.err;
  EXPECT_EQ(Bytes(keep), before);
  const std::string scenario = work_.File("lab.toml");
  std::filesystem::copy_file(Lab(), scenario);
  const std::string toml = Bytes(scenario);
  const CommandResult sim =
      RunCommand(Airlab("sim " + scenario + " --duration 1 --pcap " + scenario));
  EXPECT_NE(sim.exit_code, 0);
  EXPECT_NE(sim.err.find("also this command's input"), std::string::npos) << sim.err;
  EXPECT_EQ(Bytes(scenario), toml);
}

TEST_F(OutputFiles, SniffInterrupted_FileWholeAndExit130) {
  const std::string out = work_.File("live.pcapng");
  ChildProcess sniff({"sniff", "--sim", "--duration", "0", "--speed", "1", "--summary", "-w", out},
                     work_.File("sniff.log"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(sniff.Stop(SIGINT, std::chrono::seconds(10)), 130) << sniff.output();
  EXPECT_GT(TsharkPackets(out), 0) << sniff.output();
  EXPECT_EQ(FilesIn(work_.path()), 2u);  // the capture and the log
}

TEST_F(OutputFiles, SimInterrupted_FileWhole) {
  const std::string out = work_.File("sim.pcapng");
  ChildProcess sim({"sim", Lab(), "--realtime", "--pcap", out}, work_.File("sim.log"));
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  sim.Stop(SIGINT, std::chrono::seconds(10));  // its exit status is the CLI's Ctrl-C convention
  EXPECT_GT(TsharkPackets(out), 0) << sim.output();
  EXPECT_EQ(FilesIn(work_.path()), 2u);
}

TEST_F(OutputFiles, Dash_IsStandardOutput) {
  const std::string piped = work_.File("piped.pcapng");
  const CommandResult r =
      RunCommand(Airlab("sniff -r " + Mix() + " --filter espnow --summary -w - | cat > " + piped));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("ESP-NOW SENDER"), std::string::npos);  // the tables went to stderr
  EXPECT_EQ(Magic(piped), "0a0d0d0a");
  EXPECT_GT(TsharkPackets(piped), 0);
  const std::string sim = work_.File("sim-piped.pcapng");
  const CommandResult s = RunCommand(Airlab("sim " + Lab() + " --duration 2 --pcap - > " + sim));
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_GT(TsharkPackets(sim), 0);
  const std::string encoded = work_.File("encoded.pcapng");
  const CommandResult e = RunCommand(
      Airlab("espnow encode --src 24:0a:c4:01:02:03 --payload hi --pcap - > " + encoded));
  EXPECT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(TsharkPackets(encoded), 1);
  EXPECT_FALSE(std::filesystem::exists(work_.File("-")));
}

TEST_F(OutputFiles, DevNull_Works) {
  for (const std::string& command :
       {"sniff -r " + Mix() + " --summary -w /dev/null",
        "sim " + Lab() + " --duration 1 --pcap /dev/null",
        std::string("espnow encode --src 24:0a:c4:01:02:03 --payload hi --pcap /dev/null")}) {
    const CommandResult r = RunCommand(Airlab(command));
    EXPECT_EQ(r.exit_code, 0) << command << ": " << r.err;
  }
  EXPECT_TRUE(std::filesystem::is_character_file("/dev/null"));
}

TEST_F(OutputFiles, AnyName_PcapNameGetsPcap) {
  struct Case {
    std::string name, magic;
  };
  for (const Case& c : {Case{"OUT.PCAPNG", "0a0d0d0a"}, Case{"out.pcap", "4d3cb2a1"},
                        Case{"OUT.PCAP", "4d3cb2a1"}, Case{"capture", "0a0d0d0a"}}) {
    const std::string sniffed = work_.File("sniff-" + c.name);
    const CommandResult r =
        RunCommand(Airlab("sniff -r " + Mix() + " --filter espnow --summary -w " + sniffed));
    EXPECT_EQ(r.exit_code, 0) << c.name << ": " << r.err;
    EXPECT_EQ(Magic(sniffed), c.magic) << c.name;
    EXPECT_GT(TsharkPackets(sniffed), 0) << c.name;
    const std::string simulated = work_.File("sim-" + c.name);
    const CommandResult s =
        RunCommand(Airlab("sim " + Lab() + " --duration 1 --pcap " + simulated));
    EXPECT_EQ(s.exit_code, 0) << c.name << ": " << s.err;
    EXPECT_EQ(Magic(simulated), c.magic) << c.name;
    EXPECT_GT(TsharkPackets(simulated), 0) << c.name;
    const std::string encoded = work_.File("enc-" + c.name);
    const CommandResult e =
        RunCommand(Airlab("espnow encode --src 24:0a:c4:01:02:03 --payload hi --pcap " + encoded));
    EXPECT_EQ(e.exit_code, 0) << c.name << ": " << e.err;
    EXPECT_EQ(Magic(encoded), c.magic) << c.name;
    EXPECT_EQ(TsharkPackets(encoded), 1) << c.name;
  }
}

TEST_F(OutputFiles, BareFramesIntoPcap_GetARadiotapHeader) {
  // A capture of bare 802.11 frames (link type 105) written as pcap (one link type: 127).
  const std::string bare = work_.File("bare.pcap");
  ASSERT_EQ(
      RunCommand(Airlab("espnow encode --src 24:0a:c4:01:02:03 --payload hello --pcap " + bare))
          .exit_code,
      0);
  const std::string out = work_.File("out.pcap");
  const CommandResult r = RunCommand(Airlab("sniff -r " + bare + " --summary -w " + out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const CommandResult t =
      RunCommand("tshark -r " + out + " -T fields -e frame.encap_type -e wlan.sa");
  EXPECT_EQ(t.out, "23\t24:0a:c4:01:02:03\n");  // 23: 802.11 with radiotap
}

}  // namespace
}  // namespace airlab
