// The "No loss" with real processes: `airlab gateway` (its SQLite store on disk) and
// two `airlab node`s share the air of an air hub; the gateway is killed with SIGKILL
// mid-run, several times (twice while the server has taken a bulk update whose answer is
// still on its way), and started again on the same store. Every reading a node
// printed as confirmed must then be in the channel exactly once, read back from airlab's
// server over HTTP; and nothing may be in the channel that no node was told is stored.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "platform/air/hub.h"
#include "server/timestamp.h"
#include "tests/child_process.h"
#include "tests/espnow_tools.h"
#include "tests/gateway_testing.h"
#include "tests/temp_dir.h"

namespace airlab {
namespace {

using testing_tools::ChildProcess;
using testing_tools::ReadText;
using testing_tools::TempDir;

// The values a node printed as confirmed: `... reading "v" (seq N) is in the gateway's store`.
std::vector<std::string> Confirmed(const std::string& output) {
  static const std::regex line("reading \"([^\"]*)\" \\(seq [0-9]+\\) is in the gateway's store");
  std::vector<std::string> values;
  for (auto it = std::sregex_iterator(output.begin(), output.end(), line);
       it != std::sregex_iterator(); ++it) {
    values.push_back((*it)[1]);
  }
  return values;
}

// Between the gateway and the server: passes every exchange on, but holds the answer to a
// bulk update for a while after the server took it - the window in which a gateway that
// dies has posted readings it does not know are posted. holding() says it is in one.
class SlowAnswers {
 public:
  explicit SlowAnswers(const std::string& upstream) : upstream_(upstream) {
    auto forward = [this](const httplib::Request& req, httplib::Response& res) {
      httplib::Client client(upstream_);
      httplib::Headers headers;
      for (const auto& [k, v] : req.headers) {
        if (k == "X-THINGSPEAKAPIKEY" || k == "THINGSPEAKAPIKEY") headers.emplace(k, v);
      }
      auto r = req.method == "POST" ? client.Post(req.target, headers, req.body,
                                                  req.get_header_value("Content-Type"))
                                    : client.Get(req.target, headers);
      if (!r) {
        res.status = 502;
        return;
      }
      if (req.path.find("bulk_update") != std::string::npos) {
        holding_ = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        holding_ = false;
      }
      res.status = r->status;
      res.set_content(r->body, r->get_header_value("Content-Type"));
    };
    server_.Get(".*", forward);
    server_.Post(".*", forward);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~SlowAnswers() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  bool holding() const { return holding_; }

 private:
  std::string upstream_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> holding_{false};
};

TEST(GatewayKill, Sigkilled3TimesMidRun_EveryConfirmedReadingInTheChannelOnce) {
  TempDir dir;
  // The server on the wall clock, 1 s between writes; the air 4x faster than real time, so
  // the gateway's 4 s of air between writes are the server's second.
  testing::Cloud cloud(/*rate_limit_s=*/1, [] { return server::NowMs(); });
  SlowAnswers proxy(cloud.url());
  air::HubOptions hub_options;
  hub_options.speed = 4;
  hub_options.simulation.seed = 11;
  air::Hub hub(hub_options);
  std::atomic<bool> stop_hub{false};
  std::thread hub_thread([&] { hub.Run(stop_hub); });
  struct Joiner {
    std::atomic<bool>& stop;
    std::thread& thread;
    ~Joiner() {
      stop = true;
      if (thread.joinable()) thread.join();
    }
  } joiner{stop_hub, hub_thread};
  const std::string address = "127.0.0.1:" + std::to_string(hub.port());

  const std::vector<std::string> gateway_args = {"gateway",
                                                 "--hub",
                                                 address,
                                                 "--url",
                                                 proxy.url(),
                                                 "--channel-id",
                                                 std::to_string(cloud.readings().id),
                                                 "--write-key",
                                                 cloud.readings().write_key,
                                                 "--store",
                                                 dir.File("gateway.db"),
                                                 "--rate-limit",
                                                 "4",
                                                 "--field",
                                                 "4c:11:ae:89:bc:95=1",
                                                 "--field",
                                                 "02:00:00:00:00:02=2"};
  const std::string gateway_out = dir.File("gateway.out");
  auto gateway = std::make_unique<ChildProcess>(gateway_args, gateway_out);
  constexpr int kReadings = 60;
  ChildProcess slave({"node", "--hub", address, "--count", std::to_string(kReadings), "--interval",
                      "0.25", "--start", "1", "--prefix", "slave-", "--exit-when-done", "--quiet"},
                     dir.File("slave.out"));
  ChildProcess node2({"node", "--hub", address, "--mac", "02:00:00:00:00:02", "--name", "node2",
                      "--count", std::to_string(kReadings), "--interval", "0.3", "--start", "1.2",
                      "--prefix", "node2-", "--exit-when-done", "--quiet"},
                     dir.File("node2.out"));

  // Three SIGKILLs while the nodes send (about 4 s of wall time): the first at a random
  // moment, the others while the server has taken a bulk update whose answer the gateway
  // has not seen.
  std::mt19937 rng(20240501);
  for (int kill = 0; kill < 3; ++kill) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 500));
    if (kill > 0) {
      const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (!proxy.holding() && std::chrono::steady_clock::now() < limit) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      EXPECT_TRUE(proxy.holding()) << "no bulk update to die in";
    }
    gateway->Kill();
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 300));
    gateway = std::make_unique<ChildProcess>(gateway_args, gateway_out);
  }
  EXPECT_EQ(slave.Wait(std::chrono::seconds(120)), 0) << slave.output();
  EXPECT_EQ(node2.Wait(std::chrono::seconds(120)), 0) << node2.output();

  const std::vector<std::string> slave_confirmed = Confirmed(slave.output());
  const std::vector<std::string> node2_confirmed = Confirmed(node2.output());
  // --exit-when-done: every reading was confirmed in the end, across the kills.
  EXPECT_EQ(slave_confirmed.size(), static_cast<size_t>(kReadings)) << slave.output();
  EXPECT_EQ(node2_confirmed.size(), static_cast<size_t>(kReadings)) << node2.output();

  // The gateway posts what is queued; wait until the channel holds every confirmed reading.
  std::map<std::string, int> slave_counts, node2_counts;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::vector<testing::FeedEntry> feed = cloud.Feed();
    slave_counts = testing::ValueCounts(feed, 1);
    node2_counts = testing::ValueCounts(feed, 2);
    if (slave_counts.size() + node2_counts.size() >=
        slave_confirmed.size() + node2_confirmed.size())
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));  // a late duplicate would show now
  const std::vector<testing::FeedEntry> feed = cloud.Feed();
  gateway.reset();

  for (const auto& [field, confirmed] : std::vector<std::pair<int, std::vector<std::string>>>{
           {1, slave_confirmed}, {2, node2_confirmed}}) {
    std::map<std::string, int> counts = testing::ValueCounts(feed, field);
    for (const std::string& v : confirmed)
      EXPECT_EQ(counts[v], 1) << "field " << field << ": " << v;
    const std::set<std::string> told(confirmed.begin(), confirmed.end());
    for (const auto& [v, n] : counts) EXPECT_TRUE(told.count(v)) << "never confirmed: " << v;
  }
  if (std::getenv("AIRLAB_TEST_VERBOSE") != nullptr) {
    std::printf("--- gateway\n%s--- slave\n%s--- node2\n%s", ReadText(gateway_out).c_str(),
                slave.output().c_str(), node2.output().c_str());
  }
  // The gateway really was killed and restarted: four starts in its log, each on the store.
  const std::string log = ReadText(gateway_out);
  size_t starts = 0;
  for (size_t at = 0; (at = log.find("airlab gateway gw-", at)) != std::string::npos; ++at)
    ++starts;
  EXPECT_EQ(starts, 4u) << log;
  // And found, after dying mid-exchange, readings in the channel that it had not seen
  // confirmed: those were not sent again.
  EXPECT_NE(log.find("already there"), std::string::npos) << log;
}

}  // namespace
}  // namespace airlab
