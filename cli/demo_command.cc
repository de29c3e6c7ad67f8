// `airlab demo`: the lab's two experiments, end to end, in one process and under a minute:
// airlab's ThingSpeak-compatible server embedded on a free loopback port, a gateway (the
// lab's Master) and three nodes (the Slave and two more) on the simulated air, paced to
// the wall clock. The nodes' readings go to a channel in bulk updates within the 15 s rate
// limit, a value written to the command field reaches every node, the router changes
// channel and the uplink drops for a while - and the summary, read back from the server
// over HTTP, shows nothing lost and nothing twice. The air goes to a pcapng file.

#include <signal.h>
#include <stdlib.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "apps/lab/lab.h"
#include "cli/app_output.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/stop_signal.h"
#include "platform/linux/http_uplink.h"
#include "server/server.h"

namespace airlab::cli {
namespace {

using port::kMillisecond;
using port::kSecond;
using port::TimeNs;

struct DemoArgs {
  double speed = 8;
  std::string data;
  std::string pcap;
  bool keep_serving = false;
  int port = 0;
  uint64_t seed = 1;
  double rate_limit_s = 15;
  bool quiet = false;
  bool verbose = false;
};

// The script, in simulated seconds.
constexpr TimeNs kBurstAt = 2 * kSecond;         // experiment 1: the slave sends 0..4
constexpr TimeNs kMoreFrom = 5 * kSecond;        // then every node, every 5 s
constexpr TimeNs kMoreUntil = 88 * kSecond;
constexpr TimeNs kReadingEvery = 5 * kSecond;
constexpr TimeNs kRouterMoveAt = 35 * kSecond;
constexpr uint8_t kRouterFrom = 6, kRouterTo = 11;
constexpr TimeNs kUplinkDownAt = 50 * kSecond, kUplinkUpAt = 70 * kSecond;
constexpr TimeNs kDrainLimit = 240 * kSecond;
struct Command {
  TimeNs at;
  const char* value;
};
constexpr Command kCommands[] = {{20 * kSecond, "led on"}, {45 * kSecond, "42"}, {75 * kSecond, "led off"}};

std::string Text(ByteSpan b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

struct NodeTally {
  int sent = 0;
  int confirmed = 0;
  std::vector<std::string> values;  // sent
  std::vector<std::string> commands;
};

class Demo final : public apps::LabObserver {
 public:
  Demo(const DemoArgs& args) : args_(args) {}

  void OnGatewayEvent(const apps::GatewayEvent& e) override {
    using K = apps::GatewayEventKind;
    if (e.kind == K::kStored) {
      // The lab's master_cloud_from_slave.py posts each message as it comes: a post within
      // the rate limit of the last accepted one is refused, and that reading is gone.
      if (last_naive_post_ < 0 || e.time - last_naive_post_ >= RateLimit()) {
        last_naive_post_ = e.time;
      } else {
        ++naive_lost_;
      }
      ++stored_;
    }
    if (e.kind == K::kWriteRefused) ++refused_;
    if (e.kind == K::kUplinkError) ++uplink_errors_;
    if (e.kind == K::kForwarded) ++forwarded_;
    if (e.kind == K::kForwardFailed && !args_.verbose) return;
    if (e.kind == K::kReconciled && e.count == 0 && !args_.verbose) return;
    Say(e.time, GatewayEventText(e, 1));
  }

  void OnNodeEvent(size_t node, const apps::NodeEvent& e) override {
    using K = apps::NodeEventKind;
    if (e.kind == K::kDelivered) ++tally_[node].confirmed;
    if (e.kind == K::kCommand) tally_[node].commands.push_back(Text(e.value));
    if (e.kind == K::kDelivered && !args_.verbose) return;  // the gateway's line says it
    if (e.kind == K::kScanning && !args_.verbose) return;
    Say(e.time, NodeEventText(names_.at(node), e));
  }

  void Say(TimeNs t, const std::string& line) {
    if (args_.quiet || line.empty()) return;
    std::printf("%s%s\n", TimePrefix(t).c_str(), line.c_str());
    std::fflush(stdout);
  }
  void Headline(TimeNs t, const std::string& line) {
    if (args_.quiet) return;
    std::printf("%s== %s\n", TimePrefix(t).c_str(), line.c_str());
    std::fflush(stdout);
  }

  TimeNs RateLimit() const { return static_cast<TimeNs>(args_.rate_limit_s * 1e9); }

  const DemoArgs& args_;
  std::vector<std::string> names_;
  std::map<size_t, NodeTally> tally_;
  TimeNs last_naive_post_ = -1;
  int naive_lost_ = 0;
  int stored_ = 0;
  int refused_ = 0;
  int uplink_errors_ = 0;
  int forwarded_ = 0;
};

// Node `i`'s k-th reading after the burst: a count, a temperature, a humidity.
std::string Reading(size_t node, int k) {
  char buf[32];
  if (node == 0) {
    std::snprintf(buf, sizeof buf, "%d", 5 + k);
  } else if (node == 1) {
    std::snprintf(buf, sizeof buf, "%.1f", 21.0 + 1.5 * std::sin(k / 3.0));
  } else {
    std::snprintf(buf, sizeof buf, "%.0f", 48.0 + 6.0 * std::cos(k / 4.0));
  }
  return buf;
}

std::map<std::string, int> FieldCounts(const nlohmann::json& feed, int field) {
  std::map<std::string, int> counts;
  const std::string key = "field" + std::to_string(field);
  for (const auto& e : feed.at("feeds")) {
    if (e.contains(key) && e[key].is_string()) ++counts[e[key].get<std::string>()];
  }
  return counts;
}

void RunDemo(const DemoArgs& a) {
  if (!(a.speed > 0) || a.speed > 1000) throw UserError("--speed is simulated over wall time, above 0 (8: 8x real time)");
  if (!(a.rate_limit_s >= 1)) throw UserError("--rate-limit is at least 1 s (ThingSpeak: 15 free, 1 paid)");
  if (a.port < 0 || a.port > 65535) throw UserError("--port is 1 to 65535, or 0 for a free one");

  std::filesystem::path data = a.data;
  if (data.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "airlab-demo-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw UserError("cannot make a folder in " + std::filesystem::temp_directory_path().string() + "; give --data DIR");
    data = pattern;
  }
  std::error_code ec;
  std::filesystem::create_directories(data, ec);
  // A fresh experiment: a gateway queue left by an earlier demo would post to old channels.
  for (const char* f : {"gateway.db", "gateway.db-wal", "gateway.db-shm"}) std::filesystem::remove(data / f, ec);
  const std::string pcap = a.pcap.empty() ? (data / "air.pcapng").string() : a.pcap;

  // The server runs on the simulated clock while the air runs (so its 15 s rate limit is 15
  // simulated seconds, as the gateway counts them), then on from there in wall time.
  std::atomic<apps::Lab*> lab_ptr{nullptr};
  const int64_t epoch_ns = apps::SystemClock().Now();
  std::atomic<int64_t> frozen_ms{epoch_ns / kMillisecond};
  std::atomic<int64_t> frozen_at{std::chrono::steady_clock::now().time_since_epoch().count()};
  server::ServerOptions options;
  options.port = a.port;
  options.data_dir = data;
  options.rate_limit_s = a.rate_limit_s;
  options.clock = [&]() -> server::TimeMs {
    if (apps::Lab* lab = lab_ptr.load()) return lab->wall_ms();
    const auto since = std::chrono::steady_clock::now().time_since_epoch().count() - frozen_at.load();
    return frozen_ms.load() + since / 1'000'000;
  };
  auto server = std::make_unique<server::Server>(options);
  server->Start();
  const server::Channel readings = server->store().CreateChannel(
      {.name = "airlab demo: lab readings",
       .description = "the lab's slave and two more nodes, through the gateway",
       .field_names = {"slave", "node2 temperature", "node3 humidity"},
       .public_flag = true});
  const server::Channel commands = server->store().CreateChannel(
      {.name = "airlab demo: commands",
       .description = "field 1 goes to every node",
       .field_names = {"command"},
       .public_flag = true,
       .rate_limit_s = 0.0});

  Demo demo(a);
  demo.names_ = {"slave", "node2", "node3"};
  apps::LabOptions lab_options;
  lab_options.seed = a.seed;
  lab_options.epoch_ns = epoch_ns;
  lab_options.router_channel = kRouterFrom;
  lab_options.gateway.channel_id = static_cast<uint32_t>(readings.id);
  lab_options.gateway.write_key = readings.write_key;
  lab_options.gateway.command_channel_id = static_cast<uint32_t>(commands.id);
  lab_options.gateway.command_field = 1;
  lab_options.gateway.write_interval = demo.RateLimit();
  lab_options.nodes = {{"slave", apps::kLabSlave, {5, 0, 0}},
                       {"node2", MacAddress({0x02, 0x00, 0x00, 0x00, 0x00, 0x02}), {0, 9, 0}},
                       {"node3", MacAddress({0x02, 0x00, 0x00, 0x00, 0x00, 0x03}), {-7, -4, 0}}};
  lab_options.store = data / "gateway.db";
  lab_options.pcap = pcap;
  lab_options.speed = a.speed;
  lab_options.observer = &demo;

  linux_port::HttpUplinkOptions http;
  http.base_url = server->url();
  linux_port::HttpUplink uplink(http);

  std::printf(
      "airlab demo: the lab's ESP-NOW + ThingSpeak experiment on the simulated air, %gx real time\n"
      "  cloud:   airlab's ThingSpeak-compatible server at %s (data in %s), running on the simulated\n"
      "           clock with ThingSpeak's free rate limit, one write per channel every %g s\n"
      "           channel %lld \"%s\" (field 1 slave, 2 node2, 3 node3), channel %lld \"%s\" (field 1)\n"
      "  air:     gateway \"master\" %s on its router's channel %d; nodes slave %s, node2, node3 start\n"
      "           on channel 1 and scan for it\n",
      a.speed, server->url().c_str(), data.c_str(), a.rate_limit_s, static_cast<long long>(readings.id),
      readings.name.c_str(), static_cast<long long>(commands.id), commands.name.c_str(),
      MacText(apps::kLabMaster).c_str(), kRouterFrom, MacText(apps::kLabSlave).c_str());
  std::fflush(stdout);

  const auto wall_start = std::chrono::steady_clock::now();
  int scheduled = 0;
  std::map<int, std::string> written_commands;
  {
    apps::Lab lab(lab_options, uplink);
    lab_ptr.store(&lab);
    lab.Start();

    auto send = [&](size_t node, const std::string& value) {
      ++scheduled;
      return [&, node, value] {
        Result<uint32_t> seq = lab.node(node).node().Send(AsBytes(value.data(), value.size()));
        if (seq.ok()) {
          ++demo.tally_[node].sent;
          demo.tally_[node].values.push_back(value);
        } else {
          demo.Say(lab.now(), demo.names_[node] + ": queue full, \"" + value + "\" not taken");
        }
      };
    };
    lab.At(kBurstAt - 1, [&] {
      demo.Headline(lab.now(), "experiment 1 (slave_send.py -> master_cloud_from_slave.py): the slave sends "
                               "\"0\"..\"4\", 0.2 s apart; the master takes them to the cloud");
    });
    for (int i = 0; i < 5; ++i) lab.At(kBurstAt + i * 200 * kMillisecond, send(0, std::to_string(i)));
    lab.At(kMoreFrom - 1, [&] {
      demo.Headline(lab.now(), "and more: every node sends a reading every 5 s");
    });
    for (size_t node = 0; node < 3; ++node) {
      int k = 0;
      for (TimeNs t = kMoreFrom + static_cast<TimeNs>(node) * 1300 * kMillisecond; t < kMoreUntil;
           t += kReadingEvery) {
        lab.At(t, send(node, Reading(node, k++)));
      }
    }
    lab.At(kCommands[0].at - 1, [&] {
      demo.Headline(lab.now(), "experiment 2 (master_cloud_to_slave.py -> slave_receive.py): values written to "
                               "the command field reach the nodes");
    });
    for (const Command& c : kCommands) {
      lab.At(c.at, [&, c] {
        httplib::Client client(server->url());
        auto r = client.Post("/update", httplib::Params{{"api_key", commands.write_key}, {"field1", c.value}});
        const int id = r && r->status == 200 ? std::atoi(r->body.c_str()) : 0;
        if (id > 0) written_commands[id] = c.value;
        demo.Say(lab.now(), std::string("you:     wrote \"") + c.value + "\" to the command field (entry " +
                                std::to_string(id) + ")");
      });
    }
    lab.At(kRouterMoveAt, [&] {
      demo.Headline(lab.now(), "the router switches to channel " + std::to_string(kRouterTo) +
                                   " (automatic channel selection); the gateway's Wi-Fi station follows, "
                                   "the nodes must find it again");
      lab.router().MoveTo(kRouterTo);
    });
    lab.At(kUplinkDownAt, [&] {
      demo.Headline(lab.now(), "the gateway's uplink goes down for " +
                                   std::to_string((kUplinkUpAt - kUplinkDownAt) / kSecond) +
                                   " s; readings wait in its SQLite queue");
      lab.uplink().set_mode(apps::FlakyUplink::Mode::kDown);
    });
    lab.At(kUplinkUpAt, [&] {
      demo.Headline(lab.now(), "the uplink is back");
      lab.uplink().set_mode(apps::FlakyUplink::Mode::kUp);
    });

    lab.RunUntil(kMoreUntil);
    auto all_done = [&] {
      if (lab.gateway().gateway().stats().queued != 0 || lab.gateway().gateway().uplink_in_flight()) return false;
      for (size_t n = 0; n < lab.node_count(); ++n) {
        if (lab.node(n).node().queued() != 0) return false;
        if (demo.tally_[n].commands.size() < std::size(kCommands)) return false;
      }
      return true;
    };
    demo.Headline(lab.now(), "the nodes stop; waiting for the last readings to reach the cloud");
    lab.RunUntil(kMoreUntil + kDrainLimit, all_done);
    frozen_ms.store(lab.wall_ms());
    frozen_at.store(std::chrono::steady_clock::now().time_since_epoch().count());
    lab_ptr.store(nullptr);
    lab.ClosePcap();

    const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    const apps::GatewayStats gs = lab.gateway().gateway().stats();

    // What the channel holds, read back over HTTP like any ThingSpeak client would.
    httplib::Client client(server->url());
    auto r = client.Get("/channels/" + std::to_string(readings.id) + "/feeds.json?results=8000");
    if (!r || r->status != 200) throw UserError("could not read the channel back from " + server->url());
    const nlohmann::json feed = nlohmann::json::parse(r->body);

    std::printf("\nairlab demo: %.1f s of air in %.1f s; every number below read back from the server over HTTP\n",
                static_cast<double>(lab.now()) / 1e9, wall_s);
    std::printf("  %-6s %-17s %5s %5s %9s %10s %7s %5s\n", "node", "mac", "field", "sent", "confirmed",
                "in channel", "twice", "lost");
    int lost = 0, twice = 0, total_sent = 0, total_in = 0;
    for (size_t n = 0; n < lab.node_count(); ++n) {
      int field = 0;
      const apps::Gateway& g = lab.gateway().gateway();
      for (size_t i = 0; i < g.node_count(); ++i) {
        if (g.node(i).mac == lab.node_spec(n).mac) field = g.node(i).field;
      }
      std::map<std::string, int> in_channel = FieldCounts(feed, field);
      std::map<std::string, int> sent;
      for (const std::string& v : demo.tally_[n].values) ++sent[v];
      int node_lost = 0, node_twice = 0, node_in = 0;
      for (const auto& [v, count] : sent) {
        const int got = in_channel.count(v) ? in_channel[v] : 0;
        node_lost += std::max(0, count - got);
        node_twice += std::max(0, got - count);
      }
      for (const auto& [v, count] : in_channel) {
        node_in += count;
        if (!sent.count(v)) node_twice += count;
      }
      std::printf("  %-6s %-17s %5d %5d %9d %10d %7d %5d\n", demo.names_[n].c_str(),
                  MacText(lab.node_spec(n).mac).c_str(), field, demo.tally_[n].sent, demo.tally_[n].confirmed,
                  node_in, node_twice, node_lost);
      lost += node_lost;
      twice += node_twice;
      total_sent += demo.tally_[n].sent;
      total_in += node_in;
    }
    size_t commands_received = 0;
    for (size_t n = 0; n < lab.node_count(); ++n) commands_received += demo.tally_[n].commands.size();
    std::printf("  %-6s %-17s %5s %5d %9s %10d %7d %5d\n", "all", "", "", total_sent, "", total_in, twice, lost);
    std::printf("  cloud:    %llu bulk updates made %zu entries (ThingSpeak keeps one a second), %d refused by the "
                "rate limit, %d failed while the uplink was down, %llu read-backs\n",
                (unsigned long long)gs.bulk_requests, feed.at("feeds").size(), demo.refused_, demo.uplink_errors_,
                (unsigned long long)gs.reconciles);
    std::printf("  commands: %zu written, %d deliveries acknowledged by the nodes' radios, %zu received by the "
                "nodes (%zu expected)\n",
                written_commands.size(), demo.forwarded_, commands_received,
                written_commands.size() * lab.node_count());
    std::printf("  the lab's master_cloud_from_slave.py posts each reading at once: %d of these %d would have been "
                "refused by the %g s rate limit, and lost\n",
                demo.naive_lost_, demo.stored_, a.rate_limit_s);
    std::printf("  air:      %llu frames in %s (Wireshark reads it; radiotap, ESP-NOW)\n",
                (unsigned long long)lab.pcap_frames(), pcap.c_str());
    std::printf("  dashboard: %s/channels/%lld\n", server->url().c_str(), static_cast<long long>(readings.id));
    std::fflush(stdout);
    lab_ptr.store(nullptr);
    if (lost != 0 || twice != 0 || commands_received != written_commands.size() * lab.node_count()) {
      throw UserError("the demo lost or duplicated data: " + std::to_string(lost) + " lost, " +
                      std::to_string(twice) + " twice, " + std::to_string(commands_received) +
                      " commands received; run again with --verbose and report it");
    }
    std::printf("  result:   nothing lost, nothing twice.\n");
  }

  if (a.keep_serving) {
    std::printf("airlab demo: serving the dashboard at %s until Ctrl-C\n", server->url().c_str());
    std::fflush(stdout);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    int sig = 0;
    sigwait(&stop, &sig);
    NoteStopSignal(sig);
  }
  uplink.Stop();
  server->Stop();
}

}  // namespace

void AddDemoCommand(CLI::App& app) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* cmd = app.add_subcommand(
      "demo",
      "The lab's experiment end to end in under a minute: airlab's ThingSpeak-compatible server, a "
      "gateway and three nodes on the simulated air. The nodes' readings reach a channel within the "
      "15 s rate limit in bulk updates, values written to a command field reach the nodes, the "
      "router changes channel and the uplink drops - and nothing is lost or stored twice. The air "
      "goes to a pcapng file; the dashboard shows the channel.\n\n"
      "The server runs on the simulated clock, so its 15 s limit is 15 simulated seconds (about 2 s "
      "at the default --speed 8).\n\n"
      "Examples:\n"
      "  airlab demo\n"
      "  airlab demo --keep-serving             (then open the dashboard URL it prints)\n"
      "  airlab demo --speed 32 --verbose --data ./demo-data   (every event, four times faster)\n");
  cmd->add_option("--speed", args->speed, "simulated time over wall time")->capture_default_str();
  cmd->add_option("--data", args->data, "folder for the server's database, the gateway's store and the pcapng "
                                        "(default: a new temporary folder, kept)");
  cmd->add_option("--pcap", args->pcap, "the air's pcapng file (default: DATA/air.pcapng)");
  cmd->add_flag("--keep-serving", args->keep_serving, "keep the server and its dashboard up after the run");
  cmd->add_option("--port", args->port, "the server's port on 127.0.0.1 (0: a free one)")->capture_default_str();
  cmd->add_option("--seed", args->seed, "the simulated air's seed")->capture_default_str()->check(NonNegative());
  cmd->add_option("--rate-limit", args->rate_limit_s, "the channel's rate limit in seconds (ThingSpeak free: 15)")
      ->capture_default_str()
      ->check(NonNegative());
  cmd->add_flag("--quiet", args->quiet, "print only the summary");
  cmd->add_flag("--verbose", args->verbose, "print every event (scans, failed deliveries)");
  cmd->callback([args] { RunDemo(*args); });
}

}  // namespace airlab::cli
