#pragma once
// What the gateway's end-to-end tests share: a ThingSpeak-compatible server (airlab's own,
// embedded on a free loopback port) with a readings channel and a command channel, and a
// reader of what the channel really holds, over HTTP, as a user's script would see it.

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apps/common/utc_time.h"
#include "server/server.h"

namespace airlab::testing {

struct FeedEntry {
  int64_t entry_id = 0;
  int64_t created_at_s = 0;
  std::map<int, std::string> fields;
  std::string status;
};

class Cloud {
 public:
  // `rate_limit_s`: the server's minimum time between writes to a channel. The server's
  // clock is `clock` (ms since the epoch), so a test can run it on simulated time.
  Cloud(double rate_limit_s, std::function<int64_t()> clock) {
    server::ServerOptions options;
    options.rate_limit_s = rate_limit_s;
    options.clock = std::move(clock);
    server_ = std::make_unique<server::Server>(options);
    server_->Start();
    readings_ = server_->database().CreateChannel(
        {.name = "lab readings", .field_names = {"slave", "node2", "node3", "node4"}});
    // The command channel takes writes at any pace, as a user's dashboard would.
    commands_ = server_->database().CreateChannel(
        {.name = "lab commands", .field_names = {"command"}, .rate_limit_s = 0.0});
  }

  server::Server& server() { return *server_; }
  std::string url() const { return server_->url(); }
  const server::Channel& readings() const { return readings_; }
  const server::Channel& commands() const { return commands_; }

  // Every entry of the readings channel, oldest first, read back over HTTP.
  std::vector<FeedEntry> Feed() const { return FeedOf(readings_); }

  std::vector<FeedEntry> FeedOf(const server::Channel& channel) const {
    httplib::Client client(server_->url());
    auto r = client.Get("/channels/" + std::to_string(channel.id) +
                        "/feeds.json?results=8000&status=true&api_key=" + channel.read_keys.at(0));
    std::vector<FeedEntry> out;
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    if (!r || r->status != 200) return out;
    const nlohmann::json doc = nlohmann::json::parse(r->body);
    for (const auto& e : doc.at("feeds")) {
      FeedEntry f;
      f.entry_id = e.at("entry_id").get<int64_t>();
      f.created_at_s = apps::ParseUtc(e.at("created_at").get<std::string>()).value();
      for (int i = 1; i <= 8; ++i) {
        const std::string key = "field" + std::to_string(i);
        if (e.contains(key) && e[key].is_string()) f.fields[i] = e[key].get<std::string>();
      }
      if (e.contains("status") && e["status"].is_string())
        f.status = e["status"].get<std::string>();
      out.push_back(f);
    }
    return out;
  }

  // Writes the command field as a user would (/update on the command channel); returns
  // the new entry id (0: refused).
  int64_t WriteCommand(const std::string& value) {
    httplib::Client client(server_->url());
    httplib::Params form{{"api_key", commands_.write_key}, {"field1", value}};
    auto r = client.Post("/update", form);
    return r && r->status == 200 ? std::stoll(r->body) : -1;
  }

 private:
  std::unique_ptr<server::Server> server_;
  server::Channel readings_;
  server::Channel commands_;
};

// How many times each value of `field` appears in the channel.
inline std::map<std::string, int> ValueCounts(const std::vector<FeedEntry>& feed, int field) {
  std::map<std::string, int> counts;
  for (const FeedEntry& e : feed) {
    auto it = e.fields.find(field);
    if (it != e.fields.end()) ++counts[it->second];
  }
  return counts;
}

}  // namespace airlab::testing
