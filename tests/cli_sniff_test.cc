// `airlab sniff` and `airlab-extcap` run as a user and Wireshark would run them: help and
// one-line errors, summaries of a file, a capture stream, the simulated air and an `airlab
// air` hub that agree with each other and with tshark, the live display, and the extcap
// protocol end to end.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "core/sniff/sniff_testing.h"
#include "core/sniff/stream.h"
#include "platform/linux/capture_file.h"
#include "tests/child_process.h"
#include "tests/espnow_tools.h"
#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab::sniff {
namespace {

using testing_tools::AirlabBinary;
using testing_tools::ChildProcess;
using testing_tools::CommandResult;
using testing_tools::ReadText;
using testing_tools::RunCommand;
using testing_tools::Split;
using testing_tools::TempDir;

std::string Extcap() {
  const char* dir = std::getenv("AIRLAB_BUILD_DIR");
  return std::string(dir ? dir : ".") + "/tools/wireshark/airlab-extcap";
}

CommandResult Sniff(const std::string& args) {
  return RunCommand(AirlabBinary() + " sniff " + args);
}

size_t TsharkCount(const std::string& file, const std::string& filter) {
  const auto r = RunCommand("tshark -r " + file + (filter.empty() ? "" : " -Y '" + filter + "'") +
                            " -T fields -e frame.number");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  size_t n = 0;
  for (const auto& line : Split(r.out, '\n')) n += !line.empty();
  return n;
}

// The tables of a summary, without the header lines that name the source.
std::string Tables(const std::string& summary) {
  const size_t start = summary.find(" BSSID");
  return start == std::string::npos ? "" : summary.substr(start);
}

// The lines of one table: from its header to the blank line after it.
std::vector<std::string> Section(const std::string& summary, const std::string& header) {
  std::vector<std::string> lines;
  bool in = false;
  for (const auto& line : Split(summary, '\n')) {
    if (line.rfind(" " + header, 0) == 0) in = true;
    else if (in && line.empty()) break;
    if (in) lines.push_back(line);
  }
  return lines;
}

class CliSniff : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    testing::MixedCaptureOptions options;
    options.frames = 3000;
    options.seed = 99;
    testing::WriteMixedCapture(dir_->File("mix.pcap"), options);
  }
  static void TearDownTestSuite() { delete dir_; }
  static TempDir* dir_;
};
TempDir* CliSniff::dir_ = nullptr;

TEST_F(CliSniff, Help_HasExamplesAndTheFilterFields) {
  const auto r = Sniff("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* text :
       {"Examples:", "airlab sniff --sim", "espnow.payload contains", "espnow.sender", "probe-req",
        "rssi", "-w,--write", "--hop", "--summary", "--stream"}) {
    EXPECT_NE(r.out.find(text), std::string::npos) << text;
  }
}

TEST_F(CliSniff, Errors_AreOneLineNamingTheFix) {
  struct Case {
    std::string args, expect;
  };
  const std::vector<Case> cases = {
      {"--summary", "--file F, --stream F, --sim, --hub HOST:PORT or --iface IF"},
      {"-r " + dir_->File("mix.pcap") + " --filter 'beacon and' --summary",
       "at column 11 expected a field"},
      {"-r " + dir_->File("mix.pcap") + " --hop 1,6", "--hop needs a radio"},
      {"--stream " + dir_->File("mix.pcap") + " --summary",
       "is a capture file (pcap or pcapng), not a device's "
       "capture stream: use -r"},
      {"-r " + dir_->File("mix.pcap") + " --summary -w " + dir_->path().string(), "is a directory"},
      {"--sim --hop 1,99 --summary", "--hop 1,6,11"},
      {"-r /nonexistent.pcap --summary", "/nonexistent.pcap"},
      {"--stream /nonexistent --summary", "give a file, FIFO or serial device"},
      // Nothing listens on port 1 (binding it needs privileges nobody gives an air hub).
      {"--hub 127.0.0.1:1 --summary", "start it with `airlab air --port 1`"},
      {"-r " + dir_->File("mix.pcap") + " --channel 6", "--channel needs a radio"},
  };
  for (const auto& c : cases) {
    const auto r = Sniff(c.args);
    EXPECT_NE(r.exit_code, 0) << c.args;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << c.args << ": " << r.err;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << c.args << ": " << r.err;
  }
}

TEST_F(CliSniff, FileSummary_WritesWhatPassedTheFilter) {
  const std::string out = dir_->File("espnow.pcapng");
  const auto r =
      Sniff("-r " + dir_->File("mix.pcap") +
            " --filter 'espnow and not espnow.broadcast' --summary --comments -w " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto links = Section(r.out, "ESP-NOW SENDER");
  ASSERT_EQ(links.size(), 5u) << r.out;  // header + 4 unicast links
  for (size_t i = 1; i < links.size(); ++i)
    EXPECT_EQ(links[i].find("broadcast"), std::string::npos) << links[i];
  const std::regex matched(" matched ([0-9]+) ");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, matched)) << r.out;
  EXPECT_EQ(TsharkCount(out, ""), std::stoul(m[1]));
  EXPECT_EQ(TsharkCount(out, "frame.comment contains \"ESP-NOW\""), std::stoul(m[1]));
  EXPECT_NE(r.err.find("wrote " + m[1].str() + " frames"), std::string::npos) << r.err;
  // Aligned: numbers end under the end of their header.
  const size_t frames_end = links[0].find("Frames") + 6;
  for (size_t i = 1; i < links.size(); ++i) {
    ASSERT_GT(links[i].size(), frames_end) << links[i];
    EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(links[i][frames_end - 1]))) << links[i];
    EXPECT_EQ(links[i][frames_end], ' ') << links[i];
  }
}

TEST_F(CliSniff, CaptureStream_GivesTheSameTablesAsTheFile) {
  // The stream a device would send, with a boot message and line noise in between.
  struct Bytes final : ByteSink {
    Status Write(ByteSpan b) override {
      data.insert(data.end(), b.begin(), b.end());
      return Status::Ok();
    }
    std::vector<std::byte> data;
  } wire;
  std::vector<std::byte> scratch(kStreamEncoderScratchSize);
  StreamEncoder encoder(wire, scratch);
  linux_port::CaptureFileReader reader(dir_->File("mix.pcap"));
  const std::string noise = "rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n";
  size_t n = 0;
  while (auto p = reader.Next()) {
    if (n++ == 100)
      wire.data.insert(wire.data.end(), reinterpret_cast<const std::byte*>(noise.data()),
                       reinterpret_cast<const std::byte*>(noise.data()) + noise.size());
    ASSERT_TRUE(encoder.WritePacket(Packet{p->ts_ns, p->link_type, p->data, p->origlen}).ok());
  }
  testing_tools::WriteBytes(dir_->File("mix.stream"), wire.data.data(), wire.data.size());

  const auto from_file = Sniff("-r " + dir_->File("mix.pcap") + " --summary");
  const auto from_stream = Sniff("--stream " + dir_->File("mix.stream") + " --summary");
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
  ASSERT_EQ(from_stream.exit_code, 0) << from_stream.err;
  EXPECT_FALSE(Tables(from_file.out).empty());
  EXPECT_EQ(Tables(from_stream.out), Tables(from_file.out));
  EXPECT_NE(from_stream.out.find("stream: " + std::to_string(noise.size()) +
                                 " bytes of garbage skipped, 0 frames lost"),
            std::string::npos)
      << from_stream.out;
}

TEST_F(CliSniff, SimulatedAir_TablesAgreeWithTheCaptureItWrote) {
  const std::string out = dir_->File("sim.pcapng");
  const auto live = Sniff("--sim --duration 4 --summary -w " + out);
  ASSERT_EQ(live.exit_code, 0) << live.err;
  const auto links = Section(live.out, "ESP-NOW SENDER");
  EXPECT_EQ(links.size(), 6u) << live.out;  // the demo's five links
  EXPECT_NE(live.out.find("airlab-lab"), std::string::npos);
  // Reading back what it wrote gives the same stations, links and channel use.
  const auto replay = Sniff("-r " + out + " --summary");
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_EQ(Tables(replay.out), Tables(live.out));
  // And tshark, with the Lua dissector, counts the same ESP-NOW frames.
  const std::regex espnow(" ESP-NOW ([0-9]+) ");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(live.out, m, espnow));
  const auto lua = RunCommand("tshark -X lua_script:tools/wireshark/espnow.lua -r " + out +
                              " -Y espnow -T fields -e frame.number");
  EXPECT_EQ(std::count(lua.out.begin(), lua.out.end(), '\n'), std::stol(m[1]));
}

// `airlab air` on a free loopback port with the lab's two boards (examples/lab.toml) in the
// room: the slave sends a reading a second, the master answers each.
class LabHub {
 public:
  explicit LabHub(const TempDir& dir)
      : process_({"air", "--port", "0", "--refresh", "200", "--scenario", "examples/lab.toml"},
                 dir.File("air.out")) {
    const std::string marker = "the air is on 127.0.0.1:";
    for (int i = 0; i < 3000 && process_.running(); ++i) {
      const std::string text = process_.output();
      if (size_t at = text.find(marker);
          at != std::string::npos && text.find('\n', at) != std::string::npos) {
        address_ = "127.0.0.1:" + std::to_string(std::stoi(text.substr(at + marker.size())));
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw std::runtime_error("airlab air did not start: " + process_.output());
  }
  const std::string& address() const { return address_; }
  void Signal(int signal) { process_.Signal(signal); }

 private:
  ChildProcess process_;
  std::string address_;
};

// The number in column `column` (0: the key) of the row of `table` whose first cell is
// `key`; -1 when there is no such row. Cells are apart by two spaces or more.
long Cell(const std::vector<std::string>& table, const std::string& key, size_t column) {
  static const std::regex kGap(" {2,}");
  for (const std::string& line : table) {
    const std::string row = std::regex_replace(line.substr(line.find_first_not_of(' ')), kGap, "|");
    const std::vector<std::string> cells = Split(row, '|');
    if (!cells.empty() && cells[0] == key && column < cells.size()) return std::stol(cells[column]);
  }
  return -1;
}

TEST_F(CliSniff, Hub_TablesShowTheLabAndAgreeWithTshark) {
  TempDir dir;
  LabHub hub(dir);
  const std::string out = dir.File("out.pcapng");
  const auto r = Sniff("--hub " + hub.address() + " --duration 3 --summary -w " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("air hub " + hub.address()), std::string::npos) << r.out;
  // The hub's tap keeps up with two boards: it dropped nothing for the sniffer.
  EXPECT_NE(r.out.find("hub: frames dropped because the sniffer fell behind: 0\n"),
            std::string::npos)
      << r.out;

  // Both boards as stations (column 5: Frames), each an ESP-NOW sender to the other.
  const auto stations = Section(r.out, "STATION");
  EXPECT_GT(Cell(stations, "4c:11:ae:89:bd:d5", 5), 0) << r.out;
  EXPECT_GT(Cell(stations, "4c:11:ae:89:bc:95", 5), 0) << r.out;
  const auto links = Section(r.out, "ESP-NOW SENDER");
  EXPECT_EQ(links.size(), 3u) << r.out;
  EXPECT_GT(Cell(links, "4c:11:ae:89:bc:95", 2), 0) << r.out;  // the readings
  EXPECT_GT(Cell(links, "4c:11:ae:89:bd:d5", 2), 0) << r.out;  // the answers
  // Channel 1 only, where the lab is; its frames are every frame the sniffer counted.
  const auto channels = Section(r.out, "CH");
  ASSERT_EQ(channels.size(), 2u) << r.out;
  const long frames = Cell(channels, "1", 1);
  EXPECT_GT(frames, 0) << r.out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex(" frames ([0-9]+)  matched ([0-9]+) ")))
      << r.out;
  EXPECT_EQ(std::stol(m[1]), frames);
  EXPECT_EQ(std::stol(m[2]), frames);
  // tshark reads as many frames from the capture, and the lab's ESP-NOW traffic in it
  // (action frames with Espressif's OUI, 18:fe:34) with the sender and peer the table has.
  EXPECT_EQ(static_cast<long>(TsharkCount(out, "")), frames);
  EXPECT_EQ(static_cast<long>(
                TsharkCount(out,
                            "wlan.sa == 4c:11:ae:89:bc:95 && wlan.da == 4c:11:ae:89:bd:d5 && "
                            "wlan.fc.type_subtype == 0x000d")),
            Cell(links, "4c:11:ae:89:bc:95", 2));
  EXPECT_NE(r.err.find("wrote " + std::to_string(frames) + " frames to " + out), std::string::npos)
      << r.err;
}

TEST_F(CliSniff, Hub_ChannelHopAndFilterApply) {
  TempDir dir;
  LabHub hub(dir);
  // The lab is on channel 1: a sniffer on channel 6 sees nothing of it.
  const auto six = Sniff("--hub " + hub.address() + " --channel 6 --duration 2 --summary");
  ASSERT_EQ(six.exit_code, 0) << six.err;
  EXPECT_NE(six.out.find(" frames 0  matched 0 "), std::string::npos) << six.out;
  // Hopping over 1 and 6 finds it on 1 and lists both channels with their listen time. The
  // slave sends every second on the dot, so a shorter dwell that divides a second could
  // meet it on channel 6 every time; 1.5 s on channel 1 first always holds a reading.
  const auto hop =
      Sniff("--hub " + hub.address() + " --hop 1,6 --dwell 1500 --duration 3 --summary");
  ASSERT_EQ(hop.exit_code, 0) << hop.err;
  const auto channels = Section(hop.out, "CH");
  ASSERT_EQ(channels.size(), 3u) << hop.out;
  EXPECT_GT(Cell(channels, "1", 1), 0) << hop.out;
  EXPECT_EQ(Cell(channels, "6", 1), 0) << hop.out;
  EXPECT_GT(Cell(Section(hop.out, "STATION"), "4c:11:ae:89:bc:95", 5), 0) << hop.out;
  // A filter keeps the slave's readings only: one link, and no row for the master, whose
  // answers and ACKs were left out.
  const auto slave = Sniff("--hub " + hub.address() +
                           " --filter 'espnow.sender == 4c:11:ae:89:bc:95' --duration 3 "
                           "--summary");
  ASSERT_EQ(slave.exit_code, 0) << slave.err;
  const auto links = Section(slave.out, "ESP-NOW SENDER");
  ASSERT_EQ(links.size(), 2u) << slave.out;
  EXPECT_GT(Cell(links, "4c:11:ae:89:bc:95", 2), 0) << slave.out;
  EXPECT_EQ(Cell(Section(slave.out, "STATION"), "4c:11:ae:89:bd:d5", 5), -1) << slave.out;
}

// A hub that stalls (alive, but frozen) does not hold the sniffer past --duration: it ends
// with the tables it has and says that the hub stopped answering.
TEST_F(CliSniff, Hub_Stalled_EndsAtTheDurationWithAWarning) {
  TempDir dir;
  LabHub hub(dir);
  ChildProcess sniff({"sniff", "--hub", hub.address(), "--duration", "3", "--summary"},
                     dir.File("sniff.out"));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  hub.Signal(SIGSTOP);
  const int exit_code = sniff.Wait(std::chrono::seconds(30));
  hub.Signal(SIGCONT);
  EXPECT_EQ(exit_code, 0) << sniff.output();
  EXPECT_NE(sniff.output().find("the air hub at " + hub.address() + " stopped answering"),
            std::string::npos)
      << sniff.output();
  EXPECT_NE(sniff.output().find(" ESP-NOW"), std::string::npos) << sniff.output();
}

TEST_F(CliSniff, SimulatedAir_HoppingFindsBothAccessPoints) {
  const auto r = Sniff("--sim --duration 4 --hop 1,6 --dwell 200 --summary");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("airlab-lab"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cafe"), std::string::npos) << r.out;
  // Each channel was listened to half the time.
  const auto channels = Section(r.out, "CH");
  ASSERT_EQ(channels.size(), 3u) << r.out;
  for (size_t i = 1; i < channels.size(); ++i) {
    EXPECT_NE(channels[i].find("2.0"), std::string::npos) << channels[i];
  }
}

TEST_F(CliSniff, LiveDisplay_RedrawsInPlace) {
  const auto r = RunCommand("script -qec '" + AirlabBinary() +
                            " sniff --sim --duration 2 --speed 4 --refresh 100' /dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  size_t homes = 0;
  for (size_t at = r.out.find("\x1b[H"); at != std::string::npos; at = r.out.find("\x1b[H", at + 1))
    ++homes;
  EXPECT_GE(homes, 3u) << "several refreshes";
  EXPECT_NE(r.out.find("ESP-NOW SENDER"), std::string::npos);
  EXPECT_NE(r.out.find("\x1b[?25h"), std::string::npos) << "the cursor comes back";
}

TEST_F(CliSniff, TruncatedFile_WarnsAndStillShowsTheTables) {
  const std::string whole = ReadText(dir_->File("mix.pcap"));
  const std::string cut = whole.substr(0, whole.size() / 2 + 7);
  testing_tools::WriteBytes(dir_->File("cut.pcap"), cut.data(), cut.size());
  const auto r = Sniff("-r " + dir_->File("cut.pcap") + " --summary");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning"), std::string::npos) << r.err;
  EXPECT_FALSE(Section(r.out, "ESP-NOW SENDER").empty());
}

TEST(Extcap, AnswersWiresharksQuestions) {
  auto r = RunCommand(Extcap() + " --extcap-interfaces --extcap-version=4.0 --some-future-flag");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("^extcap \\{version=[0-9.]+\\}")));
  EXPECT_NE(r.out.find("interface {value=airlab-sim}{display="), std::string::npos);
  EXPECT_NE(r.out.find("interface {value=airlab-file}{display="), std::string::npos);
  EXPECT_NE(r.out.find("interface {value=airlab-hub}{display="), std::string::npos);

  r = RunCommand(Extcap() + " --extcap-interface airlab-sim --extcap-dlts");
  EXPECT_EQ(r.out,
            "dlt {number=127}{name=IEEE802_11_RADIO}{display=802.11 plus radiotap header}\n");

  r = RunCommand(Extcap() + " --extcap-interface airlab-file --extcap-config");
  EXPECT_NE(r.out.find("arg {number=0}{call=--file}{display=Capture file}{type=fileselect}"),
            std::string::npos);
  r = RunCommand(Extcap() + " --extcap-interface airlab-sim --extcap-config");
  for (const auto& line : Split(r.out, '\n')) {
    if (line.empty()) continue;
    EXPECT_TRUE(std::regex_match(line, std::regex("arg \\{number=[0-9]+\\}\\{call=--[a-z]+\\}.*")))
        << line;
  }
  EXPECT_NE(r.out.find("{call=--hop}"), std::string::npos);

  // Capture filter validation: 0 for a good one, 1 and the reason for a bad one.
  EXPECT_EQ(
      RunCommand(Extcap() +
                 " --extcap-interface airlab-sim --extcap-capture-filter 'espnow and rssi > -70'")
          .exit_code,
      0);
  r = RunCommand(Extcap() + " --extcap-interface airlab-sim --extcap-capture-filter 'espnow and'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("expected"), std::string::npos);
}

TEST(Extcap, CapturesIntoAFifoThatDumpcapReads) {
  TempDir dir;
  const std::string fifo = dir.File("fifo"), out = dir.File("cap.pcapng");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // Wireshark's side: dumpcap (through tshark) reads the FIFO into a file.
  RunCommand("(timeout 60 tshark -i " + fifo + " -w " + out + " >/dev/null 2>&1 &)");
  const auto r =
      RunCommand(Extcap() + " --extcap-interface airlab-sim --capture --fifo " + fifo +
                 " --extcap-capture-filter 'espnow and not espnow.broadcast' --duration 3 --speed 0"
                 " --hop 1 --extcap-control-in /dev/null --unknown-option value");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (int i = 0; i < 100 && TsharkCount(out, "") == 0; ++i) usleep(100'000);
  usleep(500'000);
  const size_t frames = TsharkCount(out, "");
  EXPECT_GT(frames, 20u);
  EXPECT_EQ(TsharkCount(out, "wlan.fixed.category_code == 127 && wlan.da != ff:ff:ff:ff:ff:ff"),
            frames)
      << "the capture filter kept unicast ESP-NOW only";
}

TEST(Extcap, CapturesTheHubsAir) {
  TempDir dir;
  LabHub hub(dir);
  const std::string out = dir.File("hub.pcapng");
  auto r = RunCommand(Extcap() + " --extcap-interface airlab-hub --extcap-config");
  EXPECT_NE(r.out.find("{call=--hub}"), std::string::npos) << r.out;
  r = RunCommand(Extcap() + " --extcap-interface airlab-hub --capture --fifo " + out + " --hub " +
                 hub.address() +
                 " --duration 3 --extcap-capture-filter 'espnow.sender == 4c:11:ae:89:bc:95'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The lab's slave sends a reading a second: two or more in 3 s, and only its frames.
  const size_t frames = TsharkCount(out, "");
  EXPECT_GE(frames, 2u);
  EXPECT_EQ(TsharkCount(out, "wlan.fixed.category_code == 127 && wlan.sa == 4c:11:ae:89:bc:95"),
            frames);
}

TEST(Extcap, ReplaysAFile) {
  TempDir dir;
  testing::MixedCaptureOptions options;
  options.frames = 500;
  testing::WriteMixedCapture(dir.File("in.pcap"), options);
  const auto r = RunCommand(Extcap() + " --extcap-interface airlab-file --capture --fifo " +
                            dir.File("out.pcapng") + " --file " + dir.File("in.pcap") +
                            " --speed 0 --extcap-capture-filter beacon");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(TsharkCount(dir.File("out.pcapng"), ""),
            TsharkCount(dir.File("in.pcap"), "wlan.fc.type_subtype == 8 && !_ws.malformed"));
}

}  // namespace
}  // namespace airlab::sniff
