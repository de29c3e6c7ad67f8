// Oracles for the sniffer (issue 6): on one mixed capture (ESP-NOW v1/v2/encrypted, two
// access points and their stations, ACK/RTS, retries, lost frames, malformed and bad-FCS
// frames), airlab's tables and filters agree exactly with tshark's own dissection and
// statistics, and the Lua dissector shows airlab's ESP-NOW frames field by field.

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "core/sniff/pcapng_sink.h"
#include "core/sniff/pipeline.h"
#include "core/sniff/sniff_testing.h"
#include "platform/linux/capture_file.h"
#include "tests/espnow_tools.h"
#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab::sniff {
namespace {

using testing_tools::RunCommand;
using testing_tools::Split;
using testing_tools::TempDir;

const std::string kLua = "-X lua_script:tools/wireshark/espnow.lua";
// What airlab leaves out of its tables: frames with a bad FCS and frames whose 802.11
// header is cut short (tshark marks those malformed; nothing else in the capture is).
const std::string kCountable = "radiotap.flags.badfcs == 0 && !_ws.malformed";
// ESP-NOW as Wireshark's own fields see it: category 127, OUI 18:fe:34, then a whole
// vendor element header of type 4; or a protected Action frame (CCMP hides the rest).
const std::string kEspnow =
    "((wlan.mgt[0:4] == 7f:18:fe:34 && wlan.mgt[8:1] == dd && wlan.mgt[13:1] == 04) || "
    "(wlan.fc.type_subtype == 0x000d && wlan.fc.protected == 1))";

std::string MacText(const MacAddress& m) {
  char text[MacAddress::kStringSize + 1];
  m.Format(text);
  return text;
}

// Runs tshark with -T fields and returns its lines split at ','.
std::vector<std::vector<std::string>> Fields(const std::string& file, const std::string& filter,
                                             const std::vector<std::string>& fields,
                                             const std::string& extra = "") {
  std::string cmd =
      "tshark " + extra + " -r " + file + " -Y '" + filter + "' -T fields -E separator=,";
  for (const auto& f : fields) cmd += " -e " + f;
  const auto r = RunCommand(cmd);
  EXPECT_EQ(r.exit_code, 0) << cmd << "\n" << r.err;
  std::vector<std::vector<std::string>> rows;
  for (const auto& line : Split(r.out, '\n')) {
    if (!line.empty()) rows.push_back(Split(line + ",", ','));
  }
  return rows;
}

struct Counts {
  uint64_t frames = 0, bytes = 0, retries = 0;
  bool operator==(const Counts&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Counts& c) {
  return os << "{frames " << c.frames << ", bytes " << c.bytes << ", retries " << c.retries << "}";
}

// airlab's side: the capture through a pipeline into tables; which packets matched.
struct Analysis {
  TablesStorage<64, 64> storage;
  Tables tables{storage};
  Filter filter;
  std::vector<uint32_t> matched;  // frame numbers from 1, as tshark counts
  PipelineStats stats;
};

std::unique_ptr<Analysis> Analyse(const std::string& path, const std::string& expr) {
  auto a = std::make_unique<Analysis>();
  EXPECT_TRUE(a->filter.Compile(expr).ok()) << expr;
  Pipeline pipeline(a->filter, &a->tables, nullptr);
  linux_port::CaptureFileReader reader(path);
  uint32_t number = 0;
  while (auto p = reader.Next()) {
    ++number;
    const uint64_t before = pipeline.stats().matched;
    pipeline.AddPacket(Packet{p->ts_ns, p->link_type, p->data, p->origlen}).IgnoreError();
    if (pipeline.stats().matched != before) a->matched.push_back(number);
  }
  a->stats = pipeline.stats();
  return a;
}

class SniffTshark : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    testing::MixedCaptureOptions options;
    options.frames = 4000;
    options.seed = 2024;
    summary_ = new testing::MixedCaptureSummary(
        testing::WriteMixedCapture(dir_->File("mix.pcap"), options));
  }
  static void TearDownTestSuite() {
    delete summary_;
    delete dir_;
  }
  static std::string File() { return dir_->File("mix.pcap"); }

  static TempDir* dir_;
  static testing::MixedCaptureSummary* summary_;
};
TempDir* SniffTshark::dir_ = nullptr;
testing::MixedCaptureSummary* SniffTshark::summary_ = nullptr;

TEST_F(SniffTshark, PipelineStats_MatchWhatTheCaptureHolds) {
  auto a = Analyse(File(), "");
  EXPECT_EQ(a->stats.packets, 4000u);
  EXPECT_EQ(a->stats.malformed, summary_->malformed_headers);
  EXPECT_EQ(a->stats.espnow_malformed, summary_->malformed_espnow);
  EXPECT_EQ(a->stats.bad_fcs, summary_->bad_fcs);
  EXPECT_EQ(a->stats.espnow, summary_->espnow);
  EXPECT_GT(summary_->malformed_headers + summary_->malformed_espnow + summary_->bad_fcs, 0u);
}

TEST_F(SniffTshark, StationTable_EqualsTsharkPerTransmitter) {
  auto a = Analyse(File(), "");
  std::map<std::string, Counts> tshark;
  for (const auto& row :
       Fields(File(), kCountable + " && wlan.ta", {"wlan.ta", "frame.len", "wlan.fc.retry"})) {
    Counts& c = tshark[row[0]];
    ++c.frames;
    c.bytes += std::stoull(row[1]);
    c.retries += row[2] == "1" || row[2] == "True";
  }
  std::map<std::string, Counts> airlab;
  a->tables.stations().ForEach([&](const MacAddress& mac, const StationStats& s) {
    airlab[MacText(mac)] = {s.frames, s.bytes, s.retries};
  });
  EXPECT_EQ(airlab, tshark);
  EXPECT_GE(airlab.size(), 12u);  // 6 ESP-NOW nodes, 2 APs, 4 stations
  // Frames without a transmitter (ACKs) are the rest, and tshark agrees on their number.
  EXPECT_EQ(a->tables.frames_without_transmitter(),
            Fields(File(), kCountable + " && !wlan.ta", {"frame.number"}).size());
}

TEST_F(SniffTshark, StationTable_EqualsTsharkPerSourceWhereSourceIsTransmitter) {
  // tshark's wlan.sa groups by the original source; for ESP-NOW nodes and stations that is
  // the transmitter, so their rows match it exactly too.
  auto a = Analyse(File(), "");
  std::map<std::string, Counts> tshark;
  for (const auto& row : Fields(File(), kCountable + " && wlan.sa && wlan.sa == wlan.ta",
                                {"wlan.sa", "frame.len", "wlan.fc.retry"})) {
    Counts& c = tshark[row[0]];
    ++c.frames;
    c.bytes += std::stoull(row[1]);
    c.retries += row[2] == "1" || row[2] == "True";
  }
  for (const MacAddress& node : summary_->espnow_nodes) {
    const StationStats* s = a->tables.stations().Find(node);
    ASSERT_NE(s, nullptr) << MacText(node);
    EXPECT_EQ((Counts{s->frames, s->bytes, s->retries}), tshark[MacText(node)]) << MacText(node);
  }
}

TEST_F(SniffTshark, EspnowLinks_EqualTsharkFieldsAndConversations) {
  auto a = Analyse(File(), "");
  std::map<std::pair<std::string, std::string>, Counts> tshark;
  for (const auto& row : Fields(File(), kCountable + " && " + kEspnow,
                                {"wlan.ta", "wlan.ra", "frame.len", "wlan.fc.retry"})) {
    Counts& c = tshark[{row[0], row[1]}];
    ++c.frames;
    c.bytes += std::stoull(row[2]);
    c.retries += row[3] == "1" || row[3] == "True";
  }
  std::map<std::pair<std::string, std::string>, Counts> airlab;
  a->tables.links().ForEach([&](const LinkKey& k, const LinkStats& l) {
    airlab[{MacText(k.sender), MacText(k.peer)}] = {l.frames, l.bytes, l.retries};
  });
  EXPECT_EQ(airlab, tshark);
  EXPECT_EQ(airlab.size(), 6u);

  // tshark's conversation statistics over the same frames: frames in each direction.
  const auto conv = RunCommand("tshark -r " + File() + " -q -z 'conv,wlan," + kCountable + " && " +
                               kEspnow + "'");
  ASSERT_EQ(conv.exit_code, 0) << conv.err;
  std::map<std::pair<std::string, std::string>, uint64_t> conv_frames;
  for (const auto& line : Split(conv.out, '\n')) {
    std::istringstream in(line);
    std::string x, arrow, y, back, back_bytes, back_unit, forth;
    if (!(in >> x >> arrow >> y >> back >> back_bytes >> back_unit >> forth) || arrow != "<->")
      continue;
    if (y == "Broadcast") y = "ff:ff:ff:ff:ff:ff";
    if (std::stoull(forth)) conv_frames[{x, y}] += std::stoull(forth);
    if (std::stoull(back)) conv_frames[{y, x}] += std::stoull(back);
  }
  std::map<std::pair<std::string, std::string>, uint64_t> airlab_frames;
  for (const auto& [key, c] : airlab) airlab_frames[key] = c.frames;
  EXPECT_EQ(airlab_frames, conv_frames);
}

TEST_F(SniffTshark, Filters_SelectTheSameFramesAsTsharkDisplayFilters) {
  const std::string node2 = MacText(summary_->espnow_nodes[2]);
  const std::string ap1 = MacText(summary_->access_points[1]);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"espnow", kEspnow},
      {"espnow and not espnow.broadcast", kEspnow + " && wlan.da != ff:ff:ff:ff:ff:ff"},
      {"espnow.encrypted", "wlan.fc.type_subtype == 0x000d && wlan.fc.protected == 1"},
      {"espnow.sender == " + node2 + " and retry",
       kEspnow + " && wlan.sa == " + node2 + " && wlan.fc.retry == 1"},
      {"beacon and channel == 6", "wlan.fc.type_subtype == 0x0008 && wlan_radio.channel == 6"},
      {"data and retry", "wlan.fc.type == 2 && wlan.fc.retry == 1"},
      {"qos-data or rts", "wlan.fc.type_subtype == 0x0028 || wlan.fc.type_subtype == 0x001b"},
      {"rssi > -45 and not ctrl", "radiotap.dbm_antsignal > -45 && wlan.fc.type != 1"},
      {"sa == 02:a1:1a:b0:99:00", "wlan.sa == 02:a1:1a:b0:99:00"},
      {"bssid == " + ap1 + " and not beacon",
       "wlan.bssid == " + ap1 + " && wlan.fc.type_subtype != 0x0008"},
      {"ta == " + ap1 + " or ra == " + ap1, "wlan.ta == " + ap1 + " || wlan.ra == " + ap1},
      {"rate == 54 and len > 1000", "radiotap.datarate == 54 && frame.len > 1000"},
      {"probe-req and not from-ds", "wlan.fc.type_subtype == 0x0004 && wlan.fc.ds == 0"},
      {"ack and ra == " + node2, "wlan.fc.type_subtype == 0x001d && wlan.ra == " + node2},
  };
  for (const auto& [airlab_expr, tshark_expr] : cases) {
    auto a = Analyse(File(), airlab_expr);
    std::vector<uint32_t> expected;
    for (const auto& row :
         Fields(File(), kCountable + " && (" + tshark_expr + ")", {"frame.number"})) {
      expected.push_back(static_cast<uint32_t>(std::stoul(row[0])));
    }
    EXPECT_EQ(a->matched, expected) << airlab_expr;
    EXPECT_FALSE(expected.empty()) << "a case that selects nothing proves little: " << airlab_expr;
  }
}

TEST_F(SniffTshark, EspnowPayloadFilters_AgreeWithTheLuaDissector) {
  // The C++ filter and the Lua dissector are two implementations of the element chain.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"espnow.len > 250", "espnow.payload.len > 250"},
      {"espnow.version == 2", "espnow.vs.version == 2"},
      {"espnow.payload contains \"labair\"", "espnow.payload contains \"labair\""},
      {"espnow.payload starts-with \"airlab\" and espnow.len < 7",
       "espnow.payload.len < 7 && espnow.payload[0:6] == \"airlab\""},
  };
  for (const auto& [airlab_expr, lua_expr] : cases) {
    auto a = Analyse(File(), airlab_expr);
    std::vector<uint32_t> expected;
    for (const auto& row :
         Fields(File(), kCountable + " && (" + lua_expr + ")", {"frame.number"}, kLua)) {
      expected.push_back(static_cast<uint32_t>(std::stoul(row[0])));
    }
    EXPECT_EQ(a->matched, expected) << airlab_expr;
    EXPECT_FALSE(expected.empty()) << airlab_expr;
  }
}

struct MemoryBytes final : ByteSink {
  Status Write(ByteSpan bytes) override {
    data.insert(data.end(), bytes.begin(), bytes.end());
    return Status::Ok();
  }
  std::vector<std::byte> data;
};

TEST(SniffLuaDissector, FieldsOfFramesAirlabWrites) {
  TempDir dir;
  MemoryBytes out;
  std::vector<std::byte> scratch(kPcapngSinkScratchSize);
  PcapngSink sink(out, scratch);
  ASSERT_TRUE(sink.Start().ok());
  Filter all;
  Pipeline pipeline(all, nullptr, &sink);
  const MacAddress a({0x24, 0x0a, 0xc4, 0x01, 0x02, 0x03}), b({0x4c, 0x11, 0xae, 0x89, 0xbd, 0xd5});
  std::vector<std::byte> payload(600);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::byte>(i % 256);
  auto add = [&](const testing::Bytes& mpdu) {
    const testing::Bytes packet = testing::WithRadiotap(mpdu, {});
    ASSERT_TRUE(pipeline.AddPacket(Packet{1'700'000'000'000'000'000, 127, packet, 0}).ok());
  };
  add(testing::EspNow(a, MacAddress::Broadcast(), ByteSpan(payload).first(5), espnow::Version::kV1,
                      1));
  add(testing::EspNow(a, b, ByteSpan(payload).first(600), espnow::Version::kV2, 2));
  add(testing::EspNow(a, b, {}, espnow::Version::kV2, 3));
  add(testing::Beacon(b, "not espnow", 1, 4));
  testing_tools::WriteBytes(dir.File("espnow.pcapng"), out.data.data(), out.data.size());

  const auto rows =
      Fields(dir.File("espnow.pcapng"), "espnow",
             {"frame.number", "espnow.random", "espnow.vs.element_id", "espnow.vs.length",
              "espnow.vs.oui", "espnow.vs.type", "espnow.vs.version", "espnow.vs.more_data",
              "espnow.payload.len", "espnow.elements"},
             kLua + " -E aggregator=+");
  ASSERT_EQ(rows.size(), 3u) << "the beacon is not ESP-NOW";
  // v1, 5 bytes: one element of length 5 + 5; random 0x5eed0000 | seq (sniff_testing).
  EXPECT_EQ(rows[0][1], "0x5eed0001");
  EXPECT_EQ(rows[0][2], "0xdd");
  EXPECT_EQ(rows[0][3], "10");
  EXPECT_EQ(rows[0][4], "0x18fe34");
  EXPECT_EQ(rows[0][5], "0x04");
  EXPECT_EQ(rows[0][6], "1");
  EXPECT_EQ(rows[0][7], "0");
  EXPECT_EQ(rows[0][8], "5");
  // v2, 600 bytes: 250 + 250 + 100 in three elements, more data on all but the last.
  EXPECT_EQ(rows[1][3], "255+255+105");
  EXPECT_EQ(rows[1][6], "2+2+2");
  EXPECT_EQ(rows[1][7], "1+1+0");
  EXPECT_EQ(rows[1][8], "600");
  EXPECT_EQ(rows[1][9], "3");
  // v2, empty: one element with no data.
  EXPECT_EQ(rows[2][3], "5");
  EXPECT_EQ(rows[2][8], "0");

  // The reassembled payload is the 600 bytes in order; each element's data its share.
  const auto data = Fields(dir.File("espnow.pcapng"), "frame.number == 2",
                           {"espnow.payload", "espnow.vs.data"}, kLua + " -E aggregator=+");
  ASSERT_EQ(data.size(), 1u);
  std::string hex;
  for (size_t i = 0; i < 600; ++i) {
    char two[3];
    std::snprintf(two, sizeof two, "%02x", static_cast<unsigned>(i % 256));
    hex += two;
  }
  EXPECT_EQ(data[0][0], hex);
  EXPECT_EQ(data[0][1], hex.substr(0, 500) + "+" + hex.substr(500, 500) + "+" + hex.substr(1000));
}

}  // namespace
}  // namespace airlab::sniff
