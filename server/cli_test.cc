// `airlab serve` and `airlab channel` run as a person runs them: the built program, a data
// folder of the test's own, real HTTP to the URL serve prints, and SIGTERM to stop it.

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include "server/server.h"
#include "server/test_support.h"
#include "tests/child_process.h"

namespace airlab::server {
namespace {

// stdout and stderr merged, so the checks see the lines in the order a person would.
testing::CommandResult Airlab(const std::string& args) {
  return testing::RunCommand(std::string(AIRLAB_CLI) + " " + args, testing::Stderr::kMerged);
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Waits for the line `airlab serve` prints once it listens: its URL, or "" when the line did
// not come (the test then shows what serve printed).
std::string ServeUrl(const std::filesystem::path& out) {
  std::string url;
  testing::WaitFor([&] {
    const std::string printed = ReadFile(out);
    std::smatch m;
    if (!std::regex_search(printed, m,
                           std::regex("^airlab serve: (http://127\\.0\\.0\\.1:[0-9]+)/\n")))
      return false;
    url = m[1];
    return true;
  });
  return url;
}

class CliTest : public ::testing::Test {
 protected:
  std::string Data() const { return "--data '" + dir_.path().string() + "'"; }
  testing::TempDir dir_;
};

TEST_F(CliTest, ChannelCreateListKeys_AgreeWithEachOther) {
  testing::CommandResult created =
      Airlab("channel create --name 'Roof weather' --fields temp,,hum --public " + Data());
  ASSERT_EQ(created.exit_code, 0) << created.out;
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(created.out, m,
                        std::regex("channel 1 \"Roof weather\" \\(public\\)\n"
                                   "  write key  ([A-Z0-9]{16})\n  read key   ([A-Z0-9]{16})\n")))
      << created.out;
  const std::string write_key = m[1], read_key = m[2];
  EXPECT_NE(created.out.find("1:temp, 3:hum"), std::string::npos) << created.out;

  ASSERT_EQ(Airlab("channel create --name bench " + Data()).exit_code, 0);
  testing::CommandResult list = Airlab("channel list " + Data());
  ASSERT_EQ(list.exit_code, 0);
  EXPECT_EQ(list.out,
            "ID  NAME          ACCESS   ENTRIES  LAST ENTRY  FIELDS\n"
            "1   Roof weather  public   0        -           1:temp, 3:hum\n"
            "2   bench         private  0        -           1:Field 1\n");

  testing::CommandResult keys = Airlab("channel keys 1 " + Data());
  ASSERT_EQ(keys.exit_code, 0);
  EXPECT_NE(keys.out.find(write_key), std::string::npos);
  EXPECT_NE(keys.out.find(read_key), std::string::npos);
}

TEST_F(CliTest, ChannelErrors_OneLineNamingTheFix) {
  struct Case {
    std::string args;
    std::string fix;
  };
  for (const Case& c :
       {Case{"channel keys 5 " + Data(), "airlab channel list"},
        Case{"channel create --name x --fields 1,2,3,4,5,6,7,8,9 " + Data(), "--fields"},
        Case{"channel create --name x --data /proc/nope", "--data"}}) {
    testing::CommandResult r = Airlab(c.args);
    EXPECT_EQ(r.exit_code, 1) << c.args;
    EXPECT_EQ(r.out.rfind("airlab: error: ", 0), 0u) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    EXPECT_NE(r.out.find(c.fix), std::string::npos) << r.out;
  }
  EXPECT_NE(Airlab("channel list " + Data()).out.find("airlab channel create"), std::string::npos);
}

TEST_F(CliTest, Serve_PrintsItsUrlServesAndStopsOnSigterm) {
  ASSERT_EQ(Airlab("channel create --name lab --fields rssi " + Data()).exit_code, 0);
  std::string key = Airlab("channel keys 1 " + Data()).out.substr(0);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(key, m, std::regex("write key  ([A-Z0-9]{16})")));
  key = m[1];

  std::filesystem::path out = dir_.path() / "serve.out";
  std::string data = dir_.path().string();
  testing_tools::ChildProcess serve(
      AIRLAB_CLI, {"serve", "--port", "0", "--rate-limit", "0", "--data", data}, out.string());

  const std::string url = ServeUrl(out);
  const bool started = !url.empty();
  const std::string printed = ReadFile(out);
  if (started) {
    httplib::Client client(url);
    auto r = client.Get("/update?api_key=" + key + "&field1=-61");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "1");
    auto feed = client.Get("/channels/1/feeds.json?api_key=" + key);
    ASSERT_TRUE(feed);
    EXPECT_EQ(nlohmann::json::parse(feed->body)["feeds"][0]["field1"], "-61");
  }
  const int exit_code = serve.Stop(SIGTERM, std::chrono::seconds(60));
  ASSERT_TRUE(started) << printed;
  EXPECT_EQ(exit_code, 0) << ReadFile(out);
  EXPECT_NE(ReadFile(out).find("airlab serve: stopped"), std::string::npos);
  EXPECT_NE(printed.find("(1 channel)"), std::string::npos) << printed;
}

// The lab's channel as the real ThingSpeak has it: its id and write key chosen, so the lab's
// code writes with the key it holds, over HTTP to the real server; a clash is refused in one
// line that names the channel holding the id or key.
TEST_F(CliTest, ChannelCreate_ChosenIdAndKeys_WorkOverHttpAndClashesAreRefused) {
  testing::CommandResult created = Airlab(
      "channel create --name lab --fields reading --id 179 --write-key E13BHXREJ6K0V1DQ "
      "--read-key READ179KEY --read-key SECONDREADKEY " +
      Data());
  ASSERT_EQ(created.exit_code, 0) << created.out;
  EXPECT_NE(created.out.find("channel 179 \"lab\" (private)\n"
                             "  write key  E13BHXREJ6K0V1DQ\n"
                             "  read key   READ179KEY\n"
                             "  read key   SECONDREADKEY\n"),
            std::string::npos)
      << created.out;
  // Without --id, the next channel comes after the highest.
  testing::CommandResult next = Airlab("channel create --name next " + Data());
  EXPECT_NE(next.out.find("channel 180 "), std::string::npos) << next.out;

  struct Case {
    std::string args;
    std::string why;
  };
  for (const Case& c : {
           Case{"--id 179", "channel 179 exists already (\"lab\"); choose another id"},
           Case{"--write-key E13BHXREJ6K0V1DQ", "channel 179's write key already"},
           Case{"--write-key READ179KEY", "channel 179's read key already"},
           Case{"--read-key E13BHXREJ6K0V1DQ", "channel 179's write key already"},
           Case{"--write-key 'bad key'", "use 4 to 64 letters and digits"},
           Case{"--write-key SAMEKEY1 --read-key SAMEKEY1", "is given twice"},
           Case{"--id -3", "a channel id is a whole number from 1, not -3"},
       }) {
    testing::CommandResult r = Airlab("channel create --name clash " + c.args + " " + Data());
    EXPECT_NE(r.exit_code, 0) << c.args;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    EXPECT_NE(r.out.find(c.why), std::string::npos) << c.args << ": " << r.out;
  }
  // Nothing of the refused ones was made.
  EXPECT_EQ(Airlab("channel list " + Data()).out.find("clash"), std::string::npos);

  std::filesystem::path out = dir_.path() / "serve.out";
  testing_tools::ChildProcess serve(
      AIRLAB_CLI, {"serve", "--port", "0", "--rate-limit", "0", "--data", dir_.path().string()},
      out.string());
  const std::string url = ServeUrl(out);
  ASSERT_FALSE(url.empty()) << ReadFile(out);
  httplib::Client client(url);
  auto write = client.Get("/update?api_key=E13BHXREJ6K0V1DQ&field1=4");
  ASSERT_TRUE(write);
  EXPECT_EQ(write->body, "1");
  auto feed = client.Get("/channels/179/fields/1.json?api_key=SECONDREADKEY&results=1");
  ASSERT_TRUE(feed);
  EXPECT_EQ(nlohmann::json::parse(feed->body)["feeds"][0]["field1"], "4") << feed->body;
  EXPECT_EQ(serve.Stop(SIGTERM, std::chrono::seconds(60)), 0);
}

// kill -9 while updates pour in: every update the server answered is in the channel afterwards,
// under the id it was answered with (those not committed yet come from its pending log).
TEST_F(CliTest, Serve_KilledWithSigkill_KeepsEveryAnsweredUpdate) {
  std::filesystem::path out = dir_.path() / "serve.out";
  std::string data = dir_.path().string();
  int channel_id = 0;
  std::string key;
  {
    ChannelDatabase store(DatabasePath(dir_.path()));
    Channel c = store.CreateChannel({.name = "lab", .field_names = {"seq"}});
    channel_id = static_cast<int>(c.id);
    key = c.write_key;
  }
  testing_tools::ChildProcess serve(
      AIRLAB_CLI, {"serve", "--port", "0", "--rate-limit", "0", "--data", data}, out.string());
  const std::string url = ServeUrl(out);
  ASSERT_FALSE(url.empty()) << ReadFile(out);
  httplib::Client client(url);
  client.set_keep_alive(true);
  constexpr int kUpdates = 400;
  for (int i = 1; i <= kUpdates; ++i) {
    auto r = client.Get("/update?api_key=" + key + "&field1=" + std::to_string(i));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->body, std::to_string(i));
  }
  serve.Stop(SIGKILL, std::chrono::seconds(10));

  testing::CommandResult list = Airlab("channel list " + Data());
  ASSERT_EQ(list.exit_code, 0) << list.out;
  EXPECT_NE(list.out.find("private  400 "), std::string::npos) << list.out;
  ChannelDatabase store(DatabasePath(dir_.path()));
  std::vector<FeedEntry> feed = store.Feed(channel_id, {.results = 8000});
  ASSERT_EQ(feed.size(), static_cast<size_t>(kUpdates));
  for (int i = 0; i < kUpdates; ++i) {
    EXPECT_EQ(feed[i].entry_id, i + 1);
    EXPECT_EQ(feed[i].fields[0], std::to_string(i + 1));
  }
}

// A refused write is logged with its reason (never the key), once per client a while, so
// that a board retrying a wrong key every second does not flood the log.
TEST_F(CliTest, Serve_LogsWhyItRefusesWrites_LimitedPerClient) {
  {
    ChannelDatabase database(DatabasePath(dir_.path()));
    database.CreateChannel({.name = "lab", .field_names = {"seq"}});
  }
  std::filesystem::path out = dir_.path() / "serve.out";
  testing_tools::ChildProcess serve(
      AIRLAB_CLI, {"serve", "--port", "0", "--rate-limit", "0", "--data", dir_.path().string()},
      out.string());
  const std::string url = ServeUrl(out);
  ASSERT_FALSE(url.empty()) << ReadFile(out);
  httplib::Client client(url);
  for (int i = 0; i < 3; ++i) {
    auto r = client.Get("/update?api_key=NOTAKEY0NOTAKEY0&field1=1");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "0");
  }
  const std::string line =
      "airlab serve: http: refused an update from 127.0.0.1: no channel has that write key\n";
  EXPECT_TRUE(testing::WaitFor([&] { return ReadFile(out).find(line) != std::string::npos; }))
      << ReadFile(out);
  serve.Stop(SIGTERM, std::chrono::seconds(60));
  const std::string log = ReadFile(out);
  size_t refusals = 0;
  for (size_t at = log.find("refused"); at != std::string::npos; at = log.find("refused", at + 1)) {
    ++refusals;
  }
  EXPECT_EQ(refusals, 1u) << log;
  EXPECT_EQ(log.find("NOTAKEY0"), std::string::npos) << log;
}

TEST_F(CliTest, ServePortTaken_OneLineNamingTheFix) {
  Server other({});
  other.Start();
  testing::CommandResult r = Airlab("serve --port " + std::to_string(other.port()) + " " + Data());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.rfind("airlab: error: cannot listen on 127.0.0.1:", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("--port"), std::string::npos) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
}

}  // namespace
}  // namespace airlab::server
