// The server beside a crowd of clients that wait: 500 idle connections and 50 that send a
// request a byte a second. They must hold no worker thread, so a normal client's requests are
// all answered at their usual latency. (A keep-alive connection once held one of 16 workers:
// 20 idle connections made a normal request wait 4.6 s.) The latency bound is a generous
// behaviour check, the failure it guards against is seconds; bench/server_benchmark measures it.

#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "server/client_crowd.h"
#include "server/server.h"

namespace airlab::server {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kIdle = 500;
constexpr int kSlow = 50;
constexpr int kPerAddress = 50;  // under the server's default limit of 64

TEST(ServerUnderWaitingClients, NormalClientAnsweredPromptlyBesideIdleAndSlowOnes) {
  // The crowd, the server's sockets and the client's: ~1150 descriptors in this process.
  const rlim_t files = testing::RaiseOpenFileLimit();
  if (files < 1400) GTEST_SKIP() << "ulimit -n is " << files << ": this test needs 1400";
  ServerOptions options;
  options.rate_limit_s = 0;
  options.idle_timeout_s = 120;  // the idle crowd stays for the whole test
  Server server(options);
  server.Start();
  const Channel channel =
      server.database().CreateChannel({.name = "lab", .field_names = {"seq"}, .public_flag = true});

  testing::ClientCrowd crowd(server.port(), kIdle, kSlow, kPerAddress);
  httplib::Client client(server.url());
  client.set_keep_alive(true);
  std::vector<double> latencies_ms;
  int answered = 0;
  const auto end = Clock::now() + std::chrono::seconds(4);  // the slow ones send 4 bytes each
  for (int i = 1; Clock::now() < end; ++i) {
    const auto start = Clock::now();
    httplib::Result r = [&] {
      if (i % 2) {
        return client.Get("/update?api_key=" + channel.write_key + "&field1=" + std::to_string(i));
      }
      if (i % 10) return client.Get("/channels/" + std::to_string(channel.id) + "/feeds/last.json");
      // Every tenth on a new connection: the server still accepts while the crowd waits.
      return httplib::Client(server.url()).Get("/channels.json");
    }();
    latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (r && r->status == 200 && r->body != "0") ++answered;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  ASSERT_GE(latencies_ms.size(), 100u);
  EXPECT_EQ(answered, static_cast<int>(latencies_ms.size()));
  std::sort(latencies_ms.begin(), latencies_ms.end());
  const double p99 =
      latencies_ms[static_cast<size_t>(std::ceil(0.99 * static_cast<double>(latencies_ms.size()))) -
                   1];
  std::printf(
      "normal client beside %zu waiting: %zu requests, p50 %.2f ms, p99 %.2f ms, "
      "max %.2f ms\n",
      crowd.size(), latencies_ms.size(), latencies_ms[latencies_ms.size() / 2], p99,
      latencies_ms.back());
  EXPECT_LT(p99, 50.0) << "max " << latencies_ms.back() << " ms over " << latencies_ms.size()
                       << " requests";
  // The crowd was really there: every connection still open and unanswered, bytes dribbled.
  EXPECT_EQ(crowd.waiting(), crowd.size());
  EXPECT_GE(crowd.slow_bytes_sent(), static_cast<size_t>(kSlow) * 3);
}

}  // namespace
}  // namespace airlab::server
