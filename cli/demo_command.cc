// `airlab demo`: the lab's two experiments, end to end, in one process and under a minute:
// airlab's ThingSpeak-compatible server embedded on a free loopback port, a gateway (the
// lab's Master) and three nodes (the Slave and two more) on the simulated air, paced to
// the wall clock. The nodes' readings go to a channel in bulk updates within the 15 s rate
// limit, a value written to the command field reaches every node, the router changes
// channel and the uplink drops for a while - and the summary, read back from the server
// over HTTP, shows nothing lost and nothing twice. The air goes to a pcapng file.
//
// The experiment itself (script, read-back, verdict) is host/lab_experiment.h; this file
// starts the server, prints what happens and the summary. Ctrl-C ends the run with the
// pcapng and the databases closed whole, and exit status 130.

#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "cli/app_output.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/stop_signal.h"
#include "host/lab_experiment.h"
#include "server/server.h"

namespace airlab::cli {
namespace {

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

// The exit status of a command ended by Ctrl-C (128 + SIGINT), as shells report it.
std::atomic<bool> g_stop{false};
void OnStopSignal(int signal) {
  g_stop = true;
  NoteStopSignal(signal);
}

// Prints the experiment's events as they come: every line with its simulated time; scans
// and confirmations only with --verbose.
class DemoPrinter final : public host::ExperimentListener {
 public:
  explicit DemoPrinter(const DemoArgs& args) : args_(args) {}

  void OnHeadline(TimeNs t, const std::string& line) override { Print(t, "== " + line); }
  void OnNote(TimeNs t, const std::string& line) override { Print(t, line); }
  void OnGatewayEvent(const apps::GatewayEvent& e) override {
    using K = apps::GatewayEventKind;
    if (e.kind == K::kForwardFailed && !args_.verbose) return;
    if (e.kind == K::kReconciled && e.count == 0 && !args_.verbose) return;
    Print(e.time, GatewayEventText(e, 1));
  }
  void OnWifiEvent(const wifi::ManagerEvent& e) override {
    Print(e.time, WifiEventText(e, args_.verbose));
  }
  void OnNodeEvent(const std::string& node, const apps::NodeEvent& e) override {
    using K = apps::NodeEventKind;
    if (e.kind == K::kDelivered && !args_.verbose) return;  // the gateway's line says it
    if (e.kind == K::kScanning && !args_.verbose) return;
    Print(e.time, NodeEventText(node, e));
  }

 private:
  void Print(TimeNs t, const std::string& line) {
    if (args_.quiet || line.empty()) return;
    std::printf("%s%s\n", TimePrefix(t).c_str(), line.c_str());
    std::fflush(stdout);
  }

  const DemoArgs& args_;
};

void CheckArgs(const DemoArgs& a) {
  if (!(a.speed > 0) || a.speed > 1000)
    throw UserError("--speed is simulated over wall time, above 0 (8: 8x real time)");
  if (!(a.rate_limit_s >= 1))
    throw UserError("--rate-limit is at least 1 s (ThingSpeak: 15 free, 1 paid)");
  if (a.port < 0 || a.port > 65535) throw UserError("--port is 1 to 65535, or 0 for a free one");
}

// --data, or a new temporary folder; without the gateway queue of an earlier demo, which
// would post to old channels.
std::filesystem::path DataFolder(const DemoArgs& a) {
  std::filesystem::path data = a.data;
  if (data.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "airlab-demo-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw UserError("cannot make a folder in " + std::filesystem::temp_directory_path().string() +
                      "; give --data DIR");
    }
    data = pattern;
  }
  std::error_code ec;
  std::filesystem::create_directories(data, ec);
  for (const char* f : {"gateway.db", "gateway.db-wal", "gateway.db-shm"})
    std::filesystem::remove(data / f, ec);
  return data;
}

// The two channels the experiment uses, made on the embedded server.
host::ExperimentCloud MakeChannels(server::Server& server) {
  const server::Channel readings = server.database().CreateChannel(
      {.name = "airlab demo: lab readings",
       .description = "the lab's slave and two more nodes, through the gateway",
       .field_names = {"slave", "node2 temperature", "node3 humidity"},
       .public_flag = true});
  const server::Channel commands =
      server.database().CreateChannel({.name = "airlab demo: commands",
                                       .description = "field 1 goes to every node",
                                       .field_names = {"command"},
                                       .public_flag = true,
                                       .rate_limit_s = 0.0});
  return {.url = server.url(),
          .readings_channel = readings.id,
          .readings_write_key = readings.write_key,
          .commands_channel = commands.id,
          .commands_write_key = commands.write_key};
}

void PrintIntroduction(const DemoArgs& a, const host::ExperimentCloud& cloud,
                       const std::filesystem::path& data) {
  std::printf(
      "airlab demo: the lab's ESP-NOW + ThingSpeak experiment on the simulated air, %gx real time\n"
      "  cloud:   airlab's ThingSpeak-compatible server at %s (data in %s), running on the "
      "simulated\n"
      "           clock with ThingSpeak's free rate limit, one write per channel every %g s\n"
      "           channel %lld \"%s\" (field 1 slave, 2 node2, 3 node3), channel %lld \"%s\" "
      "(field 1)\n"
      "  air:     gateway \"master\" %s joins the WPA2 router \"%s\" (channel %d) through its "
      "Wi-Fi\n"
      "           manager, then runs ESP-NOW there; nodes slave %s, node2, node3 start on "
      "channel 1\n"
      "           and scan for it\n",
      a.speed, cloud.url.c_str(), data.c_str(), a.rate_limit_s,
      static_cast<long long>(cloud.readings_channel), "airlab demo: lab readings",
      static_cast<long long>(cloud.commands_channel), "airlab demo: commands",
      MacText(host::kLabMaster).c_str(), host::LabRouterOptions().ssid.c_str(),
      host::kExperimentRouterFrom, MacText(host::kLabSlave).c_str());
  std::fflush(stdout);
}

void PrintSummary(const DemoArgs& a, const host::ExperimentOutcome& o, const std::string& pcap,
                  const host::ExperimentCloud& cloud) {
  std::printf(
      "\nairlab demo: %.1f s of air in %.1f s; every number below read back from the server over "
      "HTTP\n",
      static_cast<double>(o.simulated) / 1e9, o.wall_s);
  std::printf("  %-6s %-17s %5s %5s %9s %10s %7s %5s\n", "node", "mac", "field", "sent",
              "confirmed", "in channel", "twice", "lost");
  for (const host::NodeOutcome& n : o.nodes) {
    std::printf("  %-6s %-17s %5d %5d %9d %10d %7d %5d\n", n.name.c_str(), MacText(n.mac).c_str(),
                n.field, n.sent, n.confirmed, n.in_channel, n.twice, n.lost);
  }
  std::printf("  %-6s %-17s %5s %5d %9s %10d %7d %5d\n", "all", "", "", o.sent, "", o.in_channel,
              o.twice, o.lost);
  std::printf(
      "  cloud:    %llu bulk updates made %zu entries (ThingSpeak keeps one a second), %d refused "
      "by the "
      "rate limit, %d failed while the uplink was down, %llu read-backs\n",
      (unsigned long long)o.bulk_requests, o.entries, o.refused, o.uplink_errors,
      (unsigned long long)o.reconciles);
  std::printf(
      "  commands: %zu written, %d deliveries acknowledged by the nodes' radios, %zu received by "
      "the "
      "nodes (%zu expected)\n",
      o.commands_written, o.commands_forwarded, o.commands_received, o.commands_expected);
  std::printf(
      "  the lab's master_cloud_from_slave.py posts each reading at once: %d of these %d would "
      "have been "
      "refused by the %g s rate limit, and lost\n",
      o.naive_lost, o.stored, a.rate_limit_s);
  std::printf(
      "  air:      %llu frames in %s (Wireshark reads it: radiotap, ESP-NOW, the router's beacons "
      "and the gateway's WPA2 join)\n",
      (unsigned long long)o.pcap_frames, pcap.c_str());
  std::printf("  dashboard: %s/channels/%lld\n", cloud.url.c_str(),
              static_cast<long long>(cloud.readings_channel));
  std::fflush(stdout);
}

// Ctrl-C or SIGTERM set g_stop from here on (the experiment and --keep-serving poll it);
// the default actions come back when this ends.
class StopSignals {
 public:
  StopSignals() {
    g_stop = false;
    std::signal(SIGINT, OnStopSignal);
    std::signal(SIGTERM, OnStopSignal);
  }
  ~StopSignals() {
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
};

// Returns when the experiment ends, is stopped, or --keep-serving is stopped (main gives the
// exit status: 130 after Ctrl-C). Throws UserError for bad options and when the experiment
// lost or duplicated data.
void RunDemo(const DemoArgs& a) {
  CheckArgs(a);
  const std::filesystem::path data = DataFolder(a);
  const std::string pcap = a.pcap.empty() ? (data / "air.pcapng").string() : a.pcap;
  StopSignals signals;
  host::LabExperiment experiment({.seed = a.seed,
                                  .speed = a.speed,
                                  .rate_limit_s = a.rate_limit_s,
                                  .store = data / "gateway.db",
                                  .pcap = pcap,
                                  .stop = &g_stop});
  server::ServerOptions options;
  options.port = a.port;
  options.data_dir = data;
  options.rate_limit_s = a.rate_limit_s;
  options.clock = [&experiment]() -> server::TimeMs { return experiment.cloud_ms(); };
  server::Server server(options);
  server.Start();
  const host::ExperimentCloud cloud = MakeChannels(server);
  PrintIntroduction(a, cloud, data);

  DemoPrinter printer(a);
  const host::ExperimentOutcome outcome = experiment.Run(cloud, printer);
  if (outcome.interrupted) {
    std::printf(
        "\nairlab demo: stopped after %.1f s of air; %llu frames in %s, the gateway's queue and "
        "the "
        "server's data in %s closed whole\n",
        static_cast<double>(outcome.simulated) / 1e9, (unsigned long long)outcome.pcap_frames,
        pcap.c_str(), data.c_str());
    server.Stop();
    return;
  }
  PrintSummary(a, outcome, pcap, cloud);
  if (!outcome.passed()) {
    server.Stop();
    throw UserError("the demo lost or duplicated data: " + std::to_string(outcome.lost) +
                    " lost, " + std::to_string(outcome.twice) + " twice, " +
                    std::to_string(outcome.commands_received) +
                    " commands received; run again with --verbose and report it");
  }
  std::printf("  result:   nothing lost, nothing twice.\n");
  if (a.keep_serving) {
    std::printf("airlab demo: serving the dashboard at %s until Ctrl-C\n", server.url().c_str());
    std::fflush(stdout);
    while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  server.Stop();
}

}  // namespace

void AddDemoCommand(CLI::App& app) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* cmd = app.add_subcommand(
      "demo",
      "The lab's experiment end to end in under a minute: airlab's ThingSpeak-compatible server, a "
      "gateway and three nodes on the simulated air. The nodes' readings reach a channel within "
      "the "
      "15 s rate limit in bulk updates, values written to a command field reach the nodes, the "
      "router changes channel and the uplink drops - and nothing is lost or stored twice. The air "
      "goes to a pcapng file; the dashboard shows the channel.\n\n"
      "The server runs on the simulated clock, so its 15 s limit is 15 simulated seconds (about 2 "
      "s "
      "at the default --speed 8).\n\n"
      "Examples:\n"
      "  airlab demo\n"
      "  airlab demo --keep-serving             (then open the dashboard URL it prints)\n"
      "  airlab demo --speed 32 --verbose --data ./demo-data   (every event, four times faster)\n");
  cmd->add_option("--speed", args->speed, "simulated time over wall time")->capture_default_str();
  cmd->add_option("--data", args->data,
                  "folder for the server's database, the gateway's store and the pcapng "
                  "(default: a new temporary folder, kept)");
  cmd->add_option("--pcap", args->pcap, "the air's pcapng file (default: DATA/air.pcapng)");
  cmd->add_flag("--keep-serving", args->keep_serving,
                "keep the server and its dashboard up after the run");
  cmd->add_option("--port", args->port, "the server's port on 127.0.0.1 (0: a free one)")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "the simulated air's seed")
      ->capture_default_str()
      ->check(NonNegative());
  cmd->add_option("--rate-limit", args->rate_limit_s,
                  "the channel's rate limit in seconds (ThingSpeak free: 15)")
      ->capture_default_str()
      ->check(NonNegative());
  cmd->add_flag("--quiet", args->quiet, "print only the summary");
  cmd->add_flag("--verbose", args->verbose, "print every event (scans, failed deliveries)");
  cmd->callback([args] { RunDemo(*args); });
}

}  // namespace airlab::cli
