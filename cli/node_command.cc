// `airlab node`: the lab's Slave as a process on the shared simulated air: finds the gateway
// by scanning the channels, sends readings (queued until the gateway stored them) and
// prints the commands it gets, as slave_receive.py does.

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/air_join.h"
#include "cli/app_output.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/stop_signal.h"
#include "host/hosts.h"
#include "platform/air/client.h"
#include "platform/air/protocol.h"

namespace airlab::cli {
namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int signal) {
  g_stop = true;
  NoteStopSignal(signal);
}

struct NodeArgs {
  std::string hub = "127.0.0.1:" + std::to_string(air::kDefaultPort);
  std::string iface;  // a Linux monitor interface instead of the hub
  std::string mac = "4c:11:ae:89:bc:95";
  bool mac_given = false;
  std::string name = "slave";
  int count = 5;
  std::string prefix;
  std::vector<std::string> values;
  double interval_s = 0.2;
  double start_s = 0;
  int start_channel = 1;
  std::string gateway;
  size_t queue_bytes = 4096;
  double duration_s = 0;
  bool exit_when_done = false;
  bool quiet = false;
};

class Printer final : public apps::NodeObserver {
 public:
  Printer(const port::Clock& clock, std::string name, bool quiet)
      : clock_(clock), name_(std::move(name)), quiet_(quiet) {}
  void OnNodeEvent(const apps::NodeEvent& e) override {
    // Confirmations and commands always print: they are the node's output (and what a test
    // counts); the rest is progress.
    const bool essential = e.kind == apps::NodeEventKind::kDelivered ||
                           e.kind == apps::NodeEventKind::kCommand ||
                           e.kind == apps::NodeEventKind::kRejected;
    if (quiet_ && !essential) return;
    std::printf("%s%s\n", TimePrefix(clock_.Now()).c_str(), NodeEventText(name_, e).c_str());
    std::fflush(stdout);
  }

 private:
  const port::Clock& clock_;
  std::string name_;
  bool quiet_;
};

MacAddress CheckArgs(const NodeArgs& a) {
  Result<MacAddress> mac = MacAddress::Parse(a.mac.c_str(), a.mac.size());
  if (!mac.ok() || mac->is_multicast())
    throw UserError("--mac " + a.mac + " is not a unicast MAC address");
  if (a.count < 0) throw UserError("--count is how many readings to send, 0 or more");
  if (!(a.interval_s >= 0) || !(a.start_s >= 0))
    throw UserError("--interval and --start are seconds, 0 or more");
  if (a.start_channel < 1 || a.start_channel > 13) throw UserError("--start-channel is 1 to 13");
  return *mac;
}

// --values, else --count readings PREFIX0, PREFIX1, ...
std::vector<std::string> Readings(const NodeArgs& a) {
  std::vector<std::string> values = a.values;
  if (values.empty()) {
    for (int i = 0; i < a.count; ++i) values.push_back(a.prefix + std::to_string(i));
  }
  for (const std::string& v : values) {
    if (v.empty() || v.size() > apps::kMaxValueSize) {
      throw UserError("a reading is 1 to " + std::to_string(apps::kMaxValueSize) + " bytes: \"" +
                      v + "\"");
    }
  }
  return values;
}

// Hands the node the readings due by `now`; `next` is the first not yet handed.
void SendDue(const NodeArgs& a, const std::vector<std::string>& values, port::TimeNs start,
             port::TimeNs now, size_t& next, host::NodeHost& host) {
  while (next < values.size() &&
         now - start >= static_cast<port::TimeNs>(
                            (a.start_s + a.interval_s * static_cast<double>(next)) * 1e9)) {
    const std::string& v = values[next++];
    Result<uint32_t> seq = host.node().Send(AsBytes(v.data(), v.size()));
    if (!seq.ok()) {
      std::printf("%s%s: queue full, reading \"%s\" not taken\n", TimePrefix(now).c_str(),
                  a.name.c_str(), v.c_str());
    } else if (!a.quiet) {
      std::printf("%s%s: sends \"%s\" (seq %u)\n", TimePrefix(now).c_str(), a.name.c_str(),
                  v.c_str(), *seq);
    }
    std::fflush(stdout);
  }
}

// Until Ctrl-C, --duration or (--exit-when-done) every reading stored; true when the hub
// went away. The signal handlers are back to the defaults when it returns.
// `Air` is the hub's client or a Linux monitor interface's event loop.
template <typename Air>
bool RunLoop(const NodeArgs& a, const std::vector<std::string>& values, host::NodeHost& host,
             Air& air) {
  g_stop = false;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  const port::TimeNs start = air.clock().Now();
  size_t next = 0;
  bool hub_gone = false;
  while (!g_stop) {
    const port::TimeNs now = air.clock().Now();
    if (a.duration_s > 0 && now - start >= static_cast<port::TimeNs>(a.duration_s * 1e9)) break;
    SendDue(a, values, start, now, next, host);
    if (a.exit_when_done && next == values.size() && host.node().queued() == 0) break;
    if (air.RunFor(10 * port::kMillisecond) == Status::Unavailable()) {
      hub_gone = true;
      break;
    }
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  return hub_gone;
}

// The node on `radio` until it is done; true when the air (`where`) went away.
template <typename Air>
bool RunOn(const NodeArgs& a, const MacAddress& mac, apps::NodeConfig config,
           const std::vector<std::string>& values, port::Radio& radio, Air& air,
           const std::string& where) {
  Printer printer(air.clock(), a.name, a.quiet);
  config.observer = &printer;
  host::NodeHost host(radio, air.NewTimer(), air.clock(), config,
                      static_cast<uint64_t>(::getpid()) * 7919, a.queue_bytes);
  if (Status s = host.Start(); !s.ok())
    throw UserError(std::string("the node did not start (") + s.str() + ")");
  std::printf(
      "airlab node %s (%s): %zu readings to send, one every %g s; scanning channels 1-13 of %s\n",
      a.name.c_str(), MacText(mac).c_str(), values.size(), a.interval_s, where.c_str());
  std::fflush(stdout);

  const bool gone = RunLoop(a, values, host, air);
  const apps::NodeStats& s = host.node().stats();
  std::printf(
      "airlab node %s: sent %llu, delivered %llu, refused by a full queue %llu, still queued %zu, "
      "commands %llu, scans %llu\n",
      a.name.c_str(), (unsigned long long)s.accepted, (unsigned long long)s.delivered,
      (unsigned long long)s.refused, host.node().queued(), (unsigned long long)s.commands,
      (unsigned long long)s.scans);
  return gone;
}

void RunNode(const NodeArgs& a) {
  const MacAddress mac = CheckArgs(a);
  const std::vector<std::string> values = Readings(a);
  apps::NodeConfig config;
  if (!a.gateway.empty()) {
    Result<MacAddress> gw = MacAddress::Parse(a.gateway.c_str(), a.gateway.size());
    if (!gw.ok()) throw UserError("--gateway " + a.gateway + " is not a MAC address");
    config.gateway = *gw;
  }

  if (!a.iface.empty()) {
    host::MonitorLink link = JoinIface(a.iface, static_cast<uint8_t>(a.start_channel),
                                       a.mac_given ? std::optional<MacAddress>(mac) : std::nullopt);
    const MacAddress own = link.radio->hardware_address();
    if (RunOn(a, own, config, values, *link.radio, *link.loop, "interface " + a.iface)) {
      throw UserError(link.loop->error());
    }
    return;
  }
  AirLink link = JoinAir(a.hub, "node", a.name, mac, static_cast<uint8_t>(a.start_channel));
  if (RunOn(a, mac, config, values, *link.radio, *link.air, "the air at " + a.hub)) {
    throw UserError("the air hub went away (" + link.air->last_error() + ")");
  }
}

}  // namespace

void AddNodeCommand(CLI::App& app) {
  auto args = std::make_shared<NodeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "node",
      "The lab's Slave on the shared simulated air: scans the channels for a gateway, sends "
      "readings "
      "(kept until the gateway confirms it stored them, re-sent otherwise, never lost to a moving "
      "gateway) and prints the commands it receives. It runs until Ctrl-C, --duration, or with "
      "--exit-when-done until every reading is stored.\n\n"
      "Examples:\n"
      "  airlab node                                   (slave_send.py: sends 0..4, 0.2 s apart)\n"
      "  airlab node --count 5 --interval 1 --prefix t= --exit-when-done\n"
      "  airlab node --mac 02:00:00:00:00:02 --name node2 --values 21.5,21.7,22.0\n");
  cmd->add_option("--hub", args->hub, "the air hub (airlab air) to join")->capture_default_str();
  CLI::Option* mac = cmd->add_option("--mac", args->mac,
                                     "the node radio's address (default: the lab's slave; with "
                                     "--iface, the interface's own)")
                         ->capture_default_str();
  cmd->add_option("--iface", args->iface,
                  "a Linux monitor interface (`airlab iface setup`) instead of the hub: a real "
                  "or virtual radio (needs CAP_NET_RAW and, to change channels, CAP_NET_ADMIN)");
  cmd->add_option("--name", args->name, "a name for the output")->capture_default_str();
  cmd->add_option("--count", args->count, "readings to send: PREFIX0, PREFIX1, ...")
      ->capture_default_str()
      ->check(NonNegative());
  cmd->add_option("--prefix", args->prefix, "text before each reading's number");
  cmd->add_option("--values", args->values, "send these readings instead (comma separated)")
      ->delimiter(',');
  cmd->add_option("--interval", args->interval_s, "seconds between readings")
      ->capture_default_str()
      ->check(NonNegative());
  cmd->add_option("--start", args->start_s, "seconds before the first reading")
      ->capture_default_str()
      ->check(NonNegative());
  cmd->add_option("--start-channel", args->start_channel, "the channel the radio starts on")
      ->capture_default_str();
  cmd->add_option("--gateway", args->gateway,
                  "only this gateway's MAC (default: the first that answers)");
  cmd->add_option("--queue-bytes", args->queue_bytes,
                  "the reading queue's size (6 bytes + the value each)")
      ->capture_default_str()
      ->check(NonNegative());
  cmd->add_option("--duration", args->duration_s,
                  "stop after this many seconds of air time (0: at Ctrl-C)")
      ->check(NonNegative());
  cmd->add_flag("--exit-when-done", args->exit_when_done,
                "exit once every reading is confirmed stored");
  cmd->add_flag("--quiet", args->quiet, "print only confirmations, commands and the summary");
  cmd->callback([args, mac] {
    args->mac_given = mac->count() > 0;
    RunNode(*args);
  });
}

}  // namespace airlab::cli
