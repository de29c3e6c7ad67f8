// `airlab portal`: the captive portal of airlab's Wi-Fi manager on this machine, to try in a
// browser: the manager runs on a simulated device in an in-process air with routers (the
// lab file's, or two default ones), its hotspot open with the portal; the portal's pages and
// DNS responder are served on the addresses given.

#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/stop_signal.h"
#include "host/portal_device.h"
#include "host/portal_server.h"
#include "host/room/lab_file.h"

namespace airlab::cli {
namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int signal) {
  g_stop = true;
  NoteStopSignal(signal);
}

struct PortalArgs {
  std::string listen = "127.0.0.1:8088";
  std::string dns = "127.0.0.1:8053";
  std::string address = "192.168.4.1";
  std::string lab;
  std::string credentials;
};

std::vector<host::PortalRouter> RoutersOf(const PortalArgs& a) {
  if (a.lab.empty()) return host::DefaultPortalRouters();
  std::vector<host::PortalRouter> routers;
  const host::room::LabFile lab = host::room::LoadLabFile(a.lab);
  for (size_t i = 0; i < lab.routers.size(); ++i) {
    // Lab files give no positions: a few metres apart from the device, as in one room.
    routers.push_back({lab.routers[i].ssid,
                       lab.routers[i].password,
                       lab.routers[i].channel,
                       {6.0 + 4.0 * static_cast<double>(i), 2.0, 0}});
  }
  if (routers.empty()) throw UserError(a.lab + " has no [[router]]: add one, or leave --lab out");
  return routers;
}

void RunPortal(const PortalArgs& a) {
  const host::Ipv4Endpoint answer = host::ParseIpv4Endpoint(a.address + ":0", "--address");
  const std::vector<host::PortalRouter> routers = RoutersOf(a);
  host::PortalServer server(
      {.http_address = a.listen, .dns_address = a.dns, .dns = {.address = answer.address}});
  // The pages' own links and the probes' redirect name the portal as a browser reaches it:
  // the address bound, or --address when bound to every address.
  const bool every_address = a.listen.rfind("0.0.0.0:", 0) == 0;
  const std::string port = server.http_endpoint().substr(server.http_endpoint().rfind(':') + 1);
  const std::string origin =
      every_address ? a.address + (port == "80" ? "" : ":" + port) : server.http_endpoint();
  std::printf("routers on the simulated air:\n");
  for (const host::PortalRouter& r : routers) {
    std::printf("  %-24s channel %2u  %s%s\n", r.ssid.c_str(), r.channel,
                r.password.empty() ? "open" : "WPA2, password ", r.password.c_str());
  }
  std::fflush(stdout);
  host::PortalDevice device({.routers = routers, .credentials = a.credentials},
                            [](const std::string& line) {
                              std::printf("manager %s\n", line.c_str());
                              std::fflush(stdout);
                            });
  wifi::Portal portal(device.manager(), {.origin = origin});
  std::printf("portal http://%s/  DNS %s answers every name with %s; until Ctrl-C\n",
              origin.c_str(), server.dns_endpoint().c_str(), a.address.c_str());
  std::fflush(stdout);
  g_stop = false;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  host::ServePortal(device, server, portal, g_stop);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  const host::PortalServerStats& s = server.stats();
  std::printf("served %llu requests (%llu refused), %llu DNS answers\n",
              static_cast<unsigned long long>(s.requests),
              static_cast<unsigned long long>(s.refused),
              static_cast<unsigned long long>(s.dns_answers));
}

}  // namespace

void AddPortalCommand(CLI::App& app) {
  auto args = std::make_shared<PortalArgs>();
  CLI::App* cmd = app.add_subcommand(
      "portal",
      "Serve the captive portal of airlab's Wi-Fi manager, to try it in a browser: the manager "
      "runs on a simulated ESP32 in an in-process air with routers (the lab file's, or "
      "airlab-lab and airlab-guest), its fallback hotspot open. The portal's pages (tzapu "
      "routes /, /wifi, /wifisave..., esp32-wifi-manager's /ap.json, /status.json, "
      "/connect.json) really scan and join; every OS connectivity probe is redirected to "
      "the portal, and the DNS responder answers every name with --address.\n\n"
      "Example:\n"
      "  airlab portal --listen 127.0.0.1:0 --dns 127.0.0.1:0   (prints its URL; until Ctrl-C)\n"
      "Without options it serves http://127.0.0.1:8088/: pick airlab-lab, password "
      "airlab-password.\n");
  cmd->add_option("--listen", args->listen, "the portal's HTTP address ADDR:PORT (0: a free port)")
      ->capture_default_str();
  cmd->add_option("--dns", args->dns, "the DNS responder's UDP address ADDR:PORT")
      ->capture_default_str();
  cmd->add_option("--address", args->address,
                  "the portal's IPv4 address: what DNS answers, and the redirect's host when "
                  "--listen is 0.0.0.0")
      ->capture_default_str();
  cmd->add_option("--lab", args->lab, "a lab file whose [[router]] tables are the routers");
  cmd->add_option("--credentials", args->credentials,
                  "a file keeping the stored networks and settings between runs (default: "
                  "memory only)");
  cmd->callback([args] { RunPortal(*args); });
}

}  // namespace airlab::cli
