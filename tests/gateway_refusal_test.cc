// A gateway whose cloud refuses it for good (a wrong --write-key, a --channel-id that does
// not exist) must say so once, naming the URL and the flag to check, and keep the
// readings and keep trying with back-off: a real `airlab gateway` and `airlab node` on an
// air hub, airlab's server (the code of `airlab serve`) over HTTP.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "platform/air/hub.h"
#include "server/timestamp.h"
#include "tests/child_process.h"
#include "tests/gateway_testing.h"
#include "tests/temp_dir.h"

namespace airlab {
namespace {

using testing_tools::ChildProcess;
using testing_tools::TempDir;

size_t Occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = 0; (at = text.find(what, at)) != std::string::npos; at += what.size()) ++n;
  return n;
}

// Runs a gateway with `channel_id` and `write_key` for 24 s of air (6 s of wall time)
// while a node sends it 3 readings; returns the gateway's output.
std::string RunRefusedGateway(const testing::Cloud& cloud, const std::string& channel_id,
                              const std::string& write_key) {
  TempDir dir;
  air::HubOptions hub_options;
  hub_options.speed = 4;
  air::Hub hub(hub_options);
  std::atomic<bool> stop_hub{false};
  std::thread hub_thread([&] { hub.Run(stop_hub); });
  const std::string address = "127.0.0.1:" + std::to_string(hub.port());
  ChildProcess gateway(
      {"gateway", "--hub", address, "--url", cloud.url(), "--channel-id", channel_id, "--write-key",
       write_key, "--store", dir.File("gateway.db"), "--rate-limit", "1", "--duration", "24"},
      dir.File("gateway.out"));
  ChildProcess node({"node", "--hub", address, "--count", "3", "--interval", "0.5",
                     "--exit-when-done", "--quiet"},
                    dir.File("node.out"));
  EXPECT_EQ(node.Wait(std::chrono::seconds(60)), 0) << node.output();
  EXPECT_EQ(gateway.Wait(std::chrono::seconds(60)), 0) << gateway.output();
  stop_hub = true;
  hub_thread.join();
  if (std::getenv("AIRLAB_TEST_VERBOSE") != nullptr)
    std::printf("--- gateway\n%s", gateway.output().c_str());
  return gateway.output();
}

// "posted P in B bulk updates", "Q still queued" of the gateway's summary.
void ExpectKeptAndRetried(const std::string& out) {
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(out, m,
                        std::regex("stored ([0-9]+), posted ([0-9]+) in ([0-9]+) bulk updates"
                                   ".*, ([0-9]+) still queued")))
      << out;
  EXPECT_EQ(m[1], "3") << out;
  EXPECT_EQ(m[2], "0") << out;
  EXPECT_GE(std::stoi(m[3]), 3) << "tried again with back-off\n" << out;
  EXPECT_EQ(m[4], "3") << "nothing dropped\n" << out;
}

TEST(GatewayRefusal, WrongWriteKey_SaidOnceWithTheUrlAndFlag_ReadingsKept) {
  testing::Cloud cloud(/*rate_limit_s=*/1, [] { return server::NowMs(); });
  const std::string out =
      RunRefusedGateway(cloud, std::to_string(cloud.readings().id), "WRONGKEY00000000");
  const std::string line =
      "gateway: the cloud at " + cloud.url() + " refused the write key (401): check --write-key";
  EXPECT_EQ(Occurrences(out, line), 1u) << out;
  ExpectKeptAndRetried(out);
}

TEST(GatewayRefusal, NoSuchChannel_SaidOnceWithTheUrlAndFlag_ReadingsKept) {
  testing::Cloud cloud(/*rate_limit_s=*/1, [] { return server::NowMs(); });
  const std::string out = RunRefusedGateway(cloud, "999", cloud.readings().write_key);
  const std::string line =
      "gateway: the cloud at " + cloud.url() + " has no channel 999 (404): check --channel-id";
  EXPECT_EQ(Occurrences(out, line), 1u) << out;
  ExpectKeptAndRetried(out);
}

}  // namespace
}  // namespace airlab
