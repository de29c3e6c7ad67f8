// `airlab gateway`: the lab's Master as a process on the shared simulated air (`airlab air`):
// ESP-NOW readings from its nodes into a durable SQLite queue, bulk updates to any
// ThingSpeak URL (airlab's server or the real service), a command field polled every
// second and forwarded to the nodes. With --ssid (or networks stored by an earlier run) its
// Wi-Fi manager joins a router on the air first and ESP-NOW runs where the station is.

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/air_join.h"
#include "cli/app_output.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/stop_signal.h"
#include "host/clocks.h"
#include "host/hosts.h"
#include "host/wifi_device.h"
#include "platform/air/client.h"
#include "platform/air/protocol.h"
#include "platform/linux/file_credential_store.h"
#include "platform/linux/http_uplink.h"
#include "platform/linux/sqlite_queue.h"

namespace airlab::cli {
namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int signal) {
  g_stop = true;
  NoteStopSignal(signal);
}

struct GatewayArgs {
  std::string hub = "127.0.0.1:" + std::to_string(air::kDefaultPort);
  std::string url = "http://127.0.0.1:8080";
  uint32_t channel_id = 0;
  std::string write_key;
  std::string read_key;
  uint32_t command_channel = 0;
  int command_field = 1;
  std::string command_key;
  std::string store;
  std::string ssid;
  std::string password;
  std::string wifi_store;
  std::string mac = "4c:11:ae:89:bd:d5";
  std::string name;
  int wifi_channel = 6;
  std::vector<std::string> moves;
  std::vector<std::string> fields;
  double rate_limit_s = 15;
  double duration_s = 0;
  bool quiet = false;
};

MacAddress ParseMac(const std::string& text, const std::string& option) {
  Result<MacAddress> mac = MacAddress::Parse(text.c_str(), text.size());
  if (!mac.ok() || mac->is_multicast()) {
    throw UserError(option + " " + text +
                    " is not a unicast MAC address; write it like 4c:11:ae:89:bd:d5");
  }
  return *mac;
}

// "11@30": the router moves to channel 11 at 30 s.
struct Move {
  uint8_t channel;
  double at_s;
};
Move ParseMove(const std::string& text) {
  const size_t at = text.find('@');
  try {
    if (at == std::string::npos) throw std::invalid_argument("no @");
    const int channel = std::stoi(text.substr(0, at));
    const double seconds = std::stod(text.substr(at + 1));
    if (channel < 1 || channel > 13 || seconds < 0) throw std::out_of_range("range");
    return {static_cast<uint8_t>(channel), seconds};
  } catch (const std::exception&) {
    throw UserError("--move-channel " + text +
                    " is not CHANNEL@SECONDS (channel 1-13), e.g. 11@30");
  }
}

apps::FieldMapping ParseField(const std::string& text) {
  const size_t eq = text.rfind('=');
  if (eq == std::string::npos)
    throw UserError("--field " + text + " is not MAC=FIELD, e.g. 4c:11:ae:89:bc:95=2");
  int field = 0;
  try {
    field = std::stoi(text.substr(eq + 1));
  } catch (const std::exception&) {
  }
  if (field < 1 || field > 8) throw UserError("--field " + text + ": the field is 1 to 8");
  return {ParseMac(text.substr(0, eq), "--field"), field};
}

// $XDG_DATA_HOME/airlab/gateway, else ~/.local/share/airlab/gateway.
std::filesystem::path DefaultStoreDir() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::filesystem::path(xdg) / "airlab" / "gateway";
  }
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : ".") / ".local" / "share" / "airlab" /
         "gateway";
}

class Printer final : public apps::GatewayObserver {
 public:
  Printer(const port::Clock& clock, int command_field, std::string cloud_url, bool quiet)
      : clock_(clock),
        command_field_(command_field),
        cloud_url_(std::move(cloud_url)),
        quiet_(quiet) {}
  void OnGatewayEvent(const apps::GatewayEvent& e) override {
    if (quiet_ && e.kind != apps::GatewayEventKind::kCloudRefused)
      return;  // a fix is needed: always said
    // A node that is away is tried every 2 s: say so at attempts 1, 2, 4, 8, ...
    if (e.kind == apps::GatewayEventKind::kForwardFailed && (e.count & (e.count - 1)) != 0) return;
    // A refused key or channel is said once (kCloudRefused), not at every retry.
    if (e.kind == apps::GatewayEventKind::kCloudRefused) refused_ = true;
    if (e.kind == apps::GatewayEventKind::kPosted) refused_ = false;
    if (refused_ && e.kind == apps::GatewayEventKind::kUplinkError &&
        (e.code == cloud::ErrorCode::kAuthRequired || e.code == cloud::ErrorCode::kNotFound)) {
      return;
    }
    const std::string line = GatewayEventText(e, command_field_, cloud_url_);
    if (line.empty()) return;
    std::printf("%s%s\n", TimePrefix(clock_.Now()).c_str(), line.c_str());
    std::fflush(stdout);
  }

 private:
  const port::Clock& clock_;
  int command_field_;
  std::string cloud_url_;
  bool quiet_;
  bool refused_ = false;
};

void Validate(const GatewayArgs& a) {
  if (a.channel_id == 0)
    throw UserError("--channel-id is required: the ThingSpeak channel the readings go to");
  if (a.write_key.empty()) throw UserError("--write-key is required: the channel's write API key");
  if (a.wifi_channel < 1 || a.wifi_channel > 13)
    throw UserError("--wifi-channel is the router's channel, 1 to 13");
  if (a.command_field < 1 || a.command_field > 8) throw UserError("--command-field is 1 to 8");
  if (!(a.rate_limit_s >= 0))
    throw UserError("--rate-limit is seconds between writes (15 for a free ThingSpeak account)");
  if (a.ssid.size() > port::Ssid::kMaxSize) throw UserError("--ssid is 1 to 32 bytes");
  if (!port::IsValidPassphrase(AsBytes(a.password.data(), a.password.size())))
    throw UserError(
        "--password is 8 to 63 characters (or 64 hex digits), or none for an open network");
  if (!a.password.empty() && a.ssid.empty())
    throw UserError("--password goes with --ssid, the network it is for");
}

// gw-<mac in hex>, the name when --name is not given.
std::string DefaultName(const MacAddress& mac) {
  std::string name = "gw-";
  for (uint8_t o : mac.octets()) {
    char hex[3];
    std::snprintf(hex, sizeof hex, "%02x", o);
    name += hex;
  }
  return name;
}

std::unique_ptr<linux_port::HttpUplink> MakeUplink(const GatewayArgs& a) {
  linux_port::HttpUplinkOptions http;
  http.base_url = a.url;
  // From the uplink's thread, once per outage: the line names the URL the readings wait for.
  http.log = [quiet = a.quiet](const std::string& line) {
    if (quiet) return;
    std::printf("cloud:   %s%s\n", line.c_str(),
                line.rfind("cannot", 0) == 0 ? "; check --url" : "");
    std::fflush(stdout);
  };
  try {
    return std::make_unique<linux_port::HttpUplink>(http);
  } catch (const std::invalid_argument& e) {
    throw UserError(std::string("--url: ") + e.what());
  }
}

apps::GatewayConfig MakeConfig(const GatewayArgs& a, const std::vector<apps::FieldMapping>& fields,
                               const std::string& name, apps::GatewayObserver* observer) {
  apps::GatewayConfig config;
  config.channel_id = a.channel_id;
  config.write_key = a.write_key;
  config.read_key = a.read_key;
  config.command_channel_id = a.command_channel;
  config.command_field = a.command_field;
  config.command_read_key = a.command_key;
  config.write_interval = static_cast<port::TimeNs>(a.rate_limit_s * 1e9);
  config.fields = fields;
  config.name = name;
  config.observer = observer;
  return config;
}

// The Wi-Fi manager's steps, with the air's time.
class WifiPrinter final : public wifi::WifiManagerListener {
 public:
  explicit WifiPrinter(bool quiet) : quiet_(quiet) {}
  void OnManagerEvent(const wifi::ManagerEvent& e) override {
    const std::string line = WifiEventText(e);
    if (quiet_ || line.empty()) return;
    std::printf("%s%s\n", TimePrefix(e.time).c_str(), line.c_str());
    std::fflush(stdout);
  }

 private:
  bool quiet_;
};

// The gateway's Wi-Fi through its manager (--ssid, or what an earlier run stored): the
// credential file, the radio shared by the station, the hotspot and ESP-NOW.
struct ManagedWifi {
  ManagedWifi(const GatewayArgs& a, const std::filesystem::path& path, const std::string& name,
              air::HubClient& air, port::Radio& radio)
      : store(path), printer(a.quiet) {
    config.device_name = name;
    device = std::make_unique<host::WifiDevice>(
        radio, [&air] { return air.NewTimer(); }, air.clock(), store, config,
        static_cast<uint64_t>(::getpid()));
    device->manager().SetListener(&printer);
    if (a.ssid.empty()) return;
    port::Ssid ssid;
    ssid.Assign(AsBytes(a.ssid.data(), a.ssid.size()));
    if (!device->manager().AddNetwork(ssid, AsBytes(a.password.data(), a.password.size())).ok()) {
      throw UserError("cannot save the network in " + path.string() +
                      ": check that its folder exists and is writable");
    }
  }
  linux_port::FileCredentialStore store;
  WifiPrinter printer;
  wifi::WifiManagerConfig config;
  std::unique_ptr<host::WifiDevice> device;
};

// With the manager: ESP-NOW starts once the station has joined, on its channel, and follows
// it wherever it goes (the router's channel switch, a rejoin).
void FollowStation(ManagedWifi& wifi, host::GatewayHost& host, bool& started) {
  const uint8_t joined = wifi.device->joined_channel();
  if (joined == 0) return;
  if (!started) {
    if (Status s = host.Start(joined); !s.ok()) {
      throw UserError(std::string("the gateway did not start (") + s.str() + ")");
    }
    started = true;
    return;
  }
  if (joined != host.gateway().home_channel()) host.FollowRouter(joined).IgnoreError();
}

// Until Ctrl-C or --duration, moving to the router's new channels when due. The signal
// handlers are back to the defaults when it returns or throws.
void RunLoop(const GatewayArgs& a, const std::vector<Move>& moves, host::GatewayHost& host,
             air::HubClient& air, linux_port::HttpUplink& uplink, ManagedWifi* wifi,
             bool& started) {
  g_stop = false;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  const port::TimeNs start = air.clock().Now();
  size_t next_move = 0;
  while (!g_stop) {
    const port::TimeNs now = air.clock().Now();
    if (a.duration_s > 0 && now - start >= static_cast<port::TimeNs>(a.duration_s * 1e9)) break;
    if (next_move < moves.size() &&
        now - start >= static_cast<port::TimeNs>(moves[next_move].at_s * 1e9)) {
      if (!a.quiet) {
        std::printf("%srouter: moves to channel %d\n", TimePrefix(now).c_str(),
                    moves[next_move].channel);
      }
      host.FollowRouter(moves[next_move].channel).IgnoreError();
      ++next_move;
    }
    if (wifi != nullptr) FollowStation(*wifi, host, started);
    if (air.RunFor(20 * port::kMillisecond) == Status::Unavailable()) {
      std::signal(SIGINT, SIG_DFL);
      std::signal(SIGTERM, SIG_DFL);
      uplink.Stop();
      throw UserError("the air hub went away (" + air.last_error() + ")");
    }
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

// Without the manager: the station is modelled, on --wifi-channel from the start.
void FollowModelledRouter(const GatewayArgs& a, host::GatewayHost& host) {
  if (Status s = host.Start(static_cast<uint8_t>(a.wifi_channel)); !s.ok()) {
    throw UserError(std::string("the gateway did not start (") + s.str() + ")");
  }
}

void PrintStart(const GatewayArgs& a, const std::string& name, const MacAddress& mac,
                const std::filesystem::path& store_path, const std::filesystem::path* wifi_path,
                host::GatewayHost& host) {
  const std::string where =
      wifi_path != nullptr ? "its Wi-Fi manager joins " +
                                 (a.ssid.empty() ? std::string("the networks stored in")
                                                 : "\"" + a.ssid + "\" (saved in") +
                                 " " + wifi_path->string() + (a.ssid.empty() ? "" : ")") +
                                 ", then ESP-NOW runs on the router's channel,"
                           : "ESP-NOW on the router's channel " + std::to_string(a.wifi_channel);
  std::printf(
      "airlab gateway %s (%s): %s of the air at %s; posting to %s channel %u; store %s (%llu "
      "readings queued)\n",
      name.c_str(), MacText(mac).c_str(), where.c_str(), a.hub.c_str(), a.url.c_str(), a.channel_id,
      store_path.c_str(), static_cast<unsigned long long>(host.gateway().stats().queued));
  std::fflush(stdout);
}

void PrintSummary(const std::string& name, const std::filesystem::path& store_path,
                  const apps::GatewayStats& s) {
  std::printf(
      "airlab gateway %s: stored %llu, posted %llu in %llu bulk updates (%llu refused), %llu "
      "still "
      "queued in %s; %llu commands, %llu deliveries\n",
      name.c_str(), (unsigned long long)s.stored, (unsigned long long)s.posted,
      (unsigned long long)s.bulk_requests, (unsigned long long)s.write_refused,
      (unsigned long long)s.queued, store_path.c_str(), (unsigned long long)s.commands,
      (unsigned long long)s.forwarded);
}

void RunGateway(const GatewayArgs& a) {
  Validate(a);
  const MacAddress mac = ParseMac(a.mac, "--mac");
  std::vector<apps::FieldMapping> fields;
  for (const std::string& f : a.fields) fields.push_back(ParseField(f));
  std::vector<Move> moves;
  for (const std::string& m : a.moves) moves.push_back(ParseMove(m));
  const std::string name = a.name.empty() ? DefaultName(mac) : a.name;
  const std::filesystem::path store_path =
      a.store.empty() ? DefaultStoreDir() / (name + ".db") : std::filesystem::path(a.store);

  // The Wi-Fi manager's file: given, or beside the queue. It is used when given, with --ssid,
  // or when an earlier run left one (the networks it knows).
  const std::filesystem::path wifi_path =
      a.wifi_store.empty() ? std::filesystem::path(store_path).replace_extension(".wifi")
                           : std::filesystem::path(a.wifi_store);
  const bool managed =
      !a.ssid.empty() || !a.wifi_store.empty() || std::filesystem::exists(wifi_path);
  if (managed && !moves.empty()) {
    throw UserError(
        "--move-channel moves the modelled router; with the Wi-Fi manager the router is "
        "on the air: schedule its channel change in the hub's scenario instead");
  }

  std::unique_ptr<linux_port::HttpUplink> uplink = MakeUplink(a);
  linux_port::SqliteQueue store(store_path);
  AirLink link = JoinAir(a.hub, "gateway", name, mac, static_cast<uint8_t>(a.wifi_channel));
  air::HubClient& air = *link.air;
  std::unique_ptr<ManagedWifi> wifi;
  if (managed) wifi = std::make_unique<ManagedWifi>(a, wifi_path, name, air, *link.radio);

  Printer printer(air.clock(), a.command_field, a.url, a.quiet);
  host::SystemClock wall;
  apps::GatewayConfig config = MakeConfig(a, fields, name, &printer);
  {
    port::Radio& espnow = wifi ? wifi->device->espnow_radio() : *link.radio;
    host::GatewayHost host(espnow, air.NewTimer(), air.clock(), wall, store, *uplink, config,
                           static_cast<uint64_t>(::getpid()));
    bool started = false;
    if (wifi) {
      if (!wifi->device->manager().Start().ok()) throw UserError("the Wi-Fi manager did not start");
    } else {
      FollowModelledRouter(a, host);
      started = true;
    }
    PrintStart(a, name, mac, store_path, wifi ? &wifi_path : nullptr, host);
    RunLoop(a, moves, host, air, *uplink, wifi.get(), started);
    // Answers still on their way end now, while the gateway is there to take them.
    uplink->Stop();
    PrintSummary(name, store_path, host.gateway().stats());
  }
}

}  // namespace

void AddGatewayCommand(CLI::App& app) {
  auto args = std::make_shared<GatewayArgs>();
  CLI::App* cmd = app.add_subcommand(
      "gateway",
      "The lab's Master on the shared simulated air: takes its ESP-NOW nodes' readings into a "
      "durable "
      "SQLite queue before confirming them, posts them to a ThingSpeak channel in bulk updates "
      "within "
      "the rate limit (exactly once, across crashes), and forwards a command field to the nodes. "
      "It runs "
      "until Ctrl-C or --duration.\n\n"
      "Examples:\n"
      "  airlab air &                                  (the shared air)\n"
      "  airlab serve &                                (a local ThingSpeak; or use the real one)\n"
      "  airlab channel create --name lab --fields slave,node2   (prints the channel id and keys)\n"
      "  airlab gateway --channel-id 1 --write-key KEY --command-channel 2 --command-key RKEY\n"
      "  airlab gateway --url https://api.thingspeak.com --channel-id 123456 --write-key KEY \\\n"
      "      --read-key RKEY --store ~/gw.db --move-channel 11@60\n"
      "  airlab gateway --channel-id 1 --write-key KEY --store ~/lab-gw.db --ssid lab \\\n"
      "      --password lab-secret   (joins the router \"lab\" on the air, then ESP-NOW on its\n"
      "      channel; the network is saved in ~/lab-gw.wifi for the next runs)\n");
  cmd->add_option("--hub", args->hub, "the air hub (airlab air) to join")->capture_default_str();
  cmd->add_option("--url", args->url,
                  "ThingSpeak base URL (airlab serve, or https://api.thingspeak.com)")
      ->capture_default_str();
  cmd->add_option("--channel-id", args->channel_id, "the channel readings go to")->required();
  cmd->add_option("--write-key", args->write_key, "its write API key")->required();
  cmd->add_option(
      "--read-key", args->read_key,
      "its read API key, to read back what arrived after a crash (default: the write key, "
      "which airlab's server takes; ThingSpeak needs the read key of a private channel)");
  cmd->add_option("--command-channel", args->command_channel,
                  "the channel whose field is polled for commands");
  cmd->add_option("--command-field", args->command_field, "that field, 1-8")->capture_default_str();
  cmd->add_option("--command-key", args->command_key, "its read key (none for a public channel)");
  cmd->add_option(
      "--store", args->store,
      "the durable queue's SQLite file (default: ~/.local/share/airlab/gateway/<name>.db)");
  cmd->add_option("--mac", args->mac, "the gateway radio's address")->capture_default_str();
  cmd->add_option("--name", args->name,
                  "this gateway's name in entries' status tags (default gw-<mac>)");
  cmd->add_option("--wifi-channel", args->wifi_channel,
                  "without --ssid: the modelled router's channel, where the station and ESP-NOW "
                  "are")
      ->capture_default_str();
  cmd->add_option("--ssid", args->ssid,
                  "join this network on the air through the Wi-Fi manager (a router of `airlab "
                  "air --router`), saved with --password for the next runs");
  cmd->add_option("--password", args->password, "the --ssid network's password (none: open)");
  cmd->add_option("--wifi-store", args->wifi_store,
                  "the Wi-Fi manager's networks file (default: the --store file with .wifi)");
  cmd->add_option("--move-channel", args->moves,
                  "CHANNEL@SECONDS: the router moves to CHANNEL after SECONDS (repeatable)");
  cmd->add_option("--field", args->fields,
                  "MAC=FIELD: that node's readings go to FIELD (repeatable; "
                  "others get the lowest free field)");
  cmd->add_option("--rate-limit", args->rate_limit_s,
                  "seconds between writes to the channel (15: free ThingSpeak)")
      ->capture_default_str()
      ->check(NonNegative());
  cmd->add_option("--duration", args->duration_s,
                  "stop after this many seconds of air time (0: at Ctrl-C)")
      ->check(NonNegative());
  cmd->add_flag("--quiet", args->quiet, "print only the start and the summary");
  cmd->callback([args] { RunGateway(*args); });
}

}  // namespace airlab::cli
