// The dashboard in headless Chromium, driven by playwright-core (server/web/test/), against a
// server this test starts with posted data, markup among it.

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "server/server.h"
#include "server/test_support.h"

namespace airlab::server {
namespace {

using testing::UrlEncode;

TEST(Dashboard, ChromiumShowsChartsTableAndMarkupAsText) {
  const std::filesystem::path root = testing::SourceDir();
  ASSERT_TRUE(std::filesystem::exists(root / "node_modules/playwright-core"))
      << "playwright-core is missing: run `npm ci` at the repository root (scripts/setup does)";
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium"))
      << "Chromium is missing: apt-get install chromium (scripts/setup does)";

  ServerOptions options;
  options.rate_limit_s = 0;
  Server server(options);
  server.Start();
  Channel pub = server.database().CreateChannel({.name = "Roof <weather>",
                                                 .description = "ESP32 node 3 & friends",
                                                 .field_names = {"temperature", "humidity", "note"},
                                                 .public_flag = true});
  Channel priv = server.database().CreateChannel({.name = "Bench", .field_names = {"rssi"}});

  httplib::Client client(server.url());
  const int entries = 24;
  const TimeMs now = NowMs();
  for (int i = 0; i < entries; ++i) {
    char values[64];
    std::snprintf(values, sizeof values, "&field1=%.1f&field2=%d", 20 + (i % 7) * 0.5,
                  40 + (i * 3) % 11);
    std::string query = "/update?api_key=" + pub.write_key + values +
                        "&created_at=" + FormatTimestamp(now - (entries - i) * 5000);
    if (i == entries - 1)
      query += "&field3=" + UrlEncode("<img src=x onerror=\"window.__pwned=1\">");
    if (i == entries - 2) query += "&status=" + UrlEncode("<b>bold</b>");
    auto r = client.Get(query);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->body, std::to_string(i + 1));
  }
  ASSERT_EQ(client.Get("/update?api_key=" + priv.write_key + "&field1=-61")->body, "1");

  const char* build_dir = std::getenv("AIRLAB_BUILD_DIR");
  std::filesystem::path shot =
      std::filesystem::path(build_dir ? build_dir
                                      : std::filesystem::temp_directory_path().c_str()) /
      "server-dashboard.png";
  std::filesystem::remove(shot);
  std::string command = "cd '" + root.string() +
                        "' && timeout 120 node server/web/test/dashboard_check.mjs '" +
                        server.url() + "' " + std::to_string(pub.id) + " " + pub.write_key + " " +
                        std::to_string(entries) + " " + std::to_string(priv.id) + " " +
                        priv.read_keys[0] + " '" + shot.string() + "'";
  auto started = std::chrono::steady_clock::now();
  testing::CommandResult result = testing::RunCommand(command, testing::Stderr::kMerged);
  std::printf("dashboard check took %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_NE(result.out.find(" 0 failed"), std::string::npos) << result.out;
  EXPECT_TRUE(std::filesystem::exists(shot)) << result.out;
}

}  // namespace
}  // namespace airlab::server
