// `airlab sim` run as a user runs it: the example scenarios, short, with their tables
// read back and checked for consistency; the same seed printing the same bytes; --pcap
// read by tshark, which must count what the air table says.

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <string>
#include <vector>

#include "tests/espnow_tools.h"
#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab {
namespace {

using testing_tools::RunCommand;
using testing_tools::TempDir;
using Row = std::map<std::string, std::string>;

testing_tools::CommandResult Sim(const std::string& args) {
  return RunCommand(testing_tools::AirlabBinary() + " sim " + args);
}

// Cells are separated by two spaces or more (headers like "p50 ms" hold one).
std::vector<std::string> Cells(const std::string& line) {
  std::vector<std::string> out;
  static const std::regex kGap(" {2,}");
  const std::string trimmed = std::regex_replace(line, std::regex("^ +| +$"), "");
  for (std::sregex_token_iterator it(trimmed.begin(), trimmed.end(), kGap, -1), end; it != end;
       ++it) {
    out.push_back(*it);
  }
  return out;
}

// The rows of the table printed under the line `title`, keyed by the header's names.
std::vector<Row> Table(const std::string& out, const std::string& title) {
  const std::vector<std::string> lines = testing_tools::Split(out, '\n');
  std::vector<Row> rows;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] != title) continue;
    const std::vector<std::string> header = Cells(lines.at(i + 1));
    for (size_t j = i + 2; j < lines.size() && !lines[j].empty(); ++j) {
      const std::vector<std::string> cells = Cells(lines[j]);
      if (cells.size() == 1) break;  // the sentence under the air table
      EXPECT_EQ(cells.size(), header.size()) << lines[j];
      Row row;
      for (size_t c = 0; c < header.size() && c < cells.size(); ++c) row[header[c]] = cells[c];
      rows.push_back(row);
    }
    break;
  }
  return rows;
}

uint64_t N(const Row& row, const std::string& column) { return std::stoull(row.at(column)); }

// sent = acked + lost + queued in every row, and the nodes' totals are the links' sums.
void ExpectConsistent(const std::vector<Row>& nodes, const std::vector<Row>& links) {
  std::map<std::string, std::map<std::string, uint64_t>> by_sender;
  for (const Row& l : links) {
    EXPECT_EQ(N(l, "sent"), N(l, "acked") + N(l, "lost") + N(l, "queued")) << l.at("from");
    for (const char* c : {"sent", "acked", "lost", "queued", "retries"})
      by_sender[l.at("from")][c] += N(l, c);
  }
  for (const Row& n : nodes) {
    EXPECT_EQ(N(n, "sent"), N(n, "acked") + N(n, "lost") + N(n, "queued")) << n.at("node");
    for (const char* c : {"sent", "acked", "lost", "queued", "retries"}) {
      EXPECT_EQ(N(n, c), by_sender[n.at("node")][c]) << n.at("node") << " " << c;
    }
  }
}

uint64_t Sum(const std::vector<Row>& rows, const std::string& column) {
  uint64_t total = 0;
  for (const Row& r : rows) total += N(r, column);
  return total;
}

TEST(CliSim, Help_ShowsAnExample) {
  const auto r = Sim("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("airlab sim examples/lab.toml"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--realtime"), std::string::npos);
  EXPECT_NE(r.out.find("--pcap"), std::string::npos);
}

TEST(CliSim, Lab_EveryReadingDeliveredAndAnswered) {
  const auto r = Sim("examples/lab.toml --duration 10");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("examples/lab.toml: 2 nodes, 10.000 s simulated, seed 1\n", 0), 0u)
      << r.out;
  const auto nodes = Table(r.out, "nodes");
  const auto links = Table(r.out, "links");
  ASSERT_EQ(nodes.size(), 2u);
  ASSERT_EQ(links.size(), 2u);
  ExpectConsistent(nodes, links);
  EXPECT_EQ(nodes[0].at("node"), "master");
  EXPECT_EQ(nodes[0].at("mac"), "4c:11:ae:89:bd:d5");
  EXPECT_EQ(nodes[1].at("mac"), "4c:11:ae:89:bc:95");
  for (const Row& l : links) {
    EXPECT_EQ(l.at("delivery"), "100.0%") << l.at("from");
    EXPECT_EQ(N(l, "sent"), 10u);  // a reading a second, and its answer
    EXPECT_EQ(N(l, "recv"), 10u);
  }
  const auto air = Table(r.out, "air");
  ASSERT_EQ(air.size(), 1u);
  EXPECT_EQ(N(air[0], "frames"), 40u);
  EXPECT_EQ(N(air[0], "acks"), 20u);
}

TEST(CliSim, Star20_TwentyLinksToTheSink) {
  const auto r = Sim("examples/star20.toml --duration 5");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto nodes = Table(r.out, "nodes");
  const auto links = Table(r.out, "links");
  ASSERT_EQ(nodes.size(), 21u);
  ASSERT_EQ(links.size(), 20u);
  ExpectConsistent(nodes, links);
  for (const Row& l : links) EXPECT_EQ(l.at("to"), "sink");
  EXPECT_EQ(N(nodes[0], "recv"), Sum(links, "recv"));
  // About 10 messages a second from each of 20 for 5 s.
  EXPECT_NEAR(static_cast<double>(Sum(links, "sent")), 1000.0, 150.0);
}

TEST(CliSim, Room200_HiddenTerminalsCollideAndRetry) {
  const auto r = Sim("examples/room200.toml --duration 5");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto nodes = Table(r.out, "nodes");
  const auto links = Table(r.out, "links");
  ASSERT_EQ(nodes.size(), 201u);
  ASSERT_EQ(links.size(), 200u);
  ExpectConsistent(nodes, links);
  EXPECT_GT(Sum(links, "retries"), 0u);
  EXPECT_GT(N(nodes[0], "collisions"), 0u);  // at the gateway
  const std::smatch m = [&] {
    std::smatch match;
    std::regex_search(r.out, match, std::regex("collisions (\\d+) \\(receptions lost"));
    return match;
  }();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_GT(std::stoull(m[1]), 0u);
  EXPECT_EQ(N(nodes[0], "recv"), Sum(links, "recv"));
}

TEST(CliSim, SameSeed_SameBytes_OtherSeed_Others) {
  const auto a = Sim("examples/room200.toml --duration 3 --seed 3");
  const auto b = Sim("examples/room200.toml --duration 3 --seed 3");
  const auto c = Sim("examples/room200.toml --duration 3 --seed 4");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);
  EXPECT_NE(a.out.find("seed 3"), std::string::npos);
}

TEST(CliSim, Realtime_SameTablesAsFast) {
  const auto fast = Sim("examples/lab.toml --duration 2");
  const auto paced = Sim("examples/lab.toml --duration 2 --realtime=40");
  ASSERT_EQ(paced.exit_code, 0) << paced.err;
  EXPECT_EQ(fast.out, paced.out);
}

TEST(CliSim, Progress_DrawnWhenAsked) {
  const auto r = Sim("examples/lab.toml --duration 2 --progress");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("] 100%  2.0 / 2.0 s simulated"), std::string::npos) << r.err;
  EXPECT_EQ(Sim("examples/lab.toml --duration 2").err.find("100%"), std::string::npos);
}

TEST(CliSim, Pcap_TsharkCountsWhatTheAirTableSays) {
  TempDir dir;
  const std::string file = dir.File("lab.pcapng");
  const auto r = Sim("examples/lab.toml --duration 10 --pcap " + file);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("wrote 40 frames to " + file), std::string::npos) << r.err;
  auto count = [&](const std::string& filter) {
    const auto t = RunCommand("tshark -r " + file + " -Y '" + filter + "' | wc -l");
    EXPECT_EQ(t.exit_code, 0) << t.err;
    return std::stoi(t.out);
  };
  EXPECT_EQ(count("frame"), 40);
  EXPECT_EQ(count("wlan.fc.type_subtype == 0x001d"), 20);  // ACKs
  EXPECT_EQ(count("wlan.fixed.category_code == 127 && wlan.sa == 4c:11:ae:89:bc:95"), 10);
  EXPECT_EQ(count("wlan.fixed.category_code == 127 && wlan.sa == 4c:11:ae:89:bd:d5"), 10);
}

TEST(CliSim, PcapAt_TheNodesViewWithItsRssi) {
  TempDir dir;
  const std::string file = dir.File("master.pcapng");
  const auto r = Sim("examples/lab.toml --duration 10 --pcap " + file + " --pcap-at master");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The master hears the slave's 10 messages and its 10 ACKs, not its own transmissions.
  const auto t = RunCommand("tshark -r " + file +
                            " -T fields -e wlan.ta -e radiotap.dbm_antsignal "
                            "-e radiotap.dbm_antnoise");
  ASSERT_EQ(t.exit_code, 0) << t.err;
  const std::vector<std::string> lines = testing_tools::Split(t.out, '\n');
  ASSERT_EQ(lines.size(), 20u) << t.out;
  for (const std::string& line : lines) {
    const std::vector<std::string> f = testing_tools::Split(line, '\t');
    ASSERT_EQ(f.size(), 3u) << line;
    EXPECT_TRUE(f[0] == "4c:11:ae:89:bc:95" || f[0].empty()) << line;  // ACKs have no TA
    const int rssi = std::stoi(f[1]), noise = std::stoi(f[2]);
    EXPECT_LT(rssi, 0) << line;
    EXPECT_GT(rssi, noise) << line;  // received, so above the noise floor
  }
  const auto missing = Sim("examples/lab.toml --duration 1 --pcap " + file + " --pcap-at nobody");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no such node"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("master, slave"), std::string::npos) << missing.err;
}

TEST(CliSim, Errors_OneLineWithTheFix) {
  TempDir dir;
  const std::string bad = dir.File("bad.toml");
  const std::string text = "[[node]]\nname = \"a\"\nposition = [0, 0]\ntx_pwr_dbm = 3\n";
  testing_tools::WriteBytes(bad, text.data(), text.size());
  auto r = Sim(bad);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "airlab: error: " + bad +
                       ":4:1: node \"a\": unknown key \"tx_pwr_dbm\"; did you mean "
                       "\"tx_power_dbm\"?\n");
  r = Sim("examples/lab.toml --duration soon");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--duration soon is not a duration"), std::string::npos) << r.err;
  r = Sim(dir.File("missing.toml"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot read the scenario file"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace airlab
