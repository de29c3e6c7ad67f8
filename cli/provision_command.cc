// `airlab provision`: gives a board its Wi-Fi credentials over its serial port with Improv
// Wi-Fi (core/wifi/improv.h): the state, the device's information, the networks it sees, then
// the credentials and the join's outcome. The conversation is host/improv_client.h.

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/table.h"
#include "core/wifi/escape.h"
#include "host/improv_client.h"
#include "platform/linux/serial_line.h"

namespace airlab::cli {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

struct ProvisionArgs {
  std::string port;
  std::string ssid;
  std::string password;
  bool scan_only = false;
  int timeout_s = 30;
  int baud = 115200;
};

// Bytes from a device for a terminal: valid UTF-8 as it is, control and stray bytes as \xNN.
std::string Printable(const std::string& bytes) {
  std::string out;
  const ByteSpan all = AsBytes(bytes.data(), bytes.size());
  for (size_t at = 0; at < all.size();) {
    const size_t n = wifi::Utf8SequenceLength(all.subspan(at));
    const auto c = static_cast<unsigned char>(bytes[at]);
    if (n == 0 || (n == 1 && (c < 0x20 || c == 0x7f || c == '\\'))) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += c == '\\' ? std::string("\\\\") : std::string(hex);
      ++at;
    } else {
      out.append(bytes, at, n);
      at += n;
    }
  }
  return out;
}

void PrintNetworks(const std::vector<host::ImprovNetwork>& networks) {
  if (networks.empty()) {
    std::printf("networks: the device sees none\n");
    return;
  }
  std::vector<std::vector<std::string>> rows{{"SSID", "RSSI", "PASSWORD"}};
  for (const auto& n : networks) {
    rows.push_back(
        {Printable(n.ssid), std::to_string(n.rssi_dbm) + " dBm", n.secured ? "yes" : "no"});
  }
  std::printf("networks the device sees:\n");
  std::fputs(AlignedTable(rows).c_str(), stdout);
}

void SendCredentials(host::ImprovClient& client, const ProvisionArgs& a) {
  std::printf("sending the credentials for %s\n", Printable(a.ssid).c_str());
  std::fflush(stdout);
  const auto start = std::chrono::steady_clock::now();
  const host::ImprovOutcome outcome = client.Provision(
      a.ssid, a.password, seconds(a.timeout_s),
      [](uint8_t state) {
        std::printf("state: %s\n", std::string(wifi::ImprovStateName(state)).c_str());
        std::fflush(stdout);
      },
      [&a](seconds waited) {
        std::printf("  waiting for the join: %lld s of %d\n",
                    static_cast<long long>(waited.count()), a.timeout_s);
        std::fflush(stdout);
      });
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (outcome.provisioned) {
    std::printf("provisioned: the device joined %s in %.1f s\n", Printable(a.ssid).c_str(), took);
    for (const auto& url : outcome.urls) {
      if (!url.empty()) std::printf("device page: %s\n", Printable(url).c_str());
    }
    return;
  }
  if (outcome.error == static_cast<uint8_t>(wifi::ImprovError::kUnableToConnect)) {
    throw UserError("the device could not join " + Printable(a.ssid) +
                    " (Improv error 'unable to connect'): check --password, and that the "
                    "network is in the list above (in range, the SSID spelt exactly)");
  }
  if (outcome.error != 0) {
    throw UserError("the device refused the credentials (Improv error '" +
                    std::string(wifi::ImprovErrorName(outcome.error)) +
                    "'): an SSID of 1 to 32 bytes and a password of 8 to 63 characters (or "
                    "none, for an open network) are what it takes");
  }
  throw UserError("the device did not finish joining " + Printable(a.ssid) + " within " +
                  std::to_string(a.timeout_s) + " s: give it longer with --timeout");
}

void RunProvision(const ProvisionArgs& a) {
  if (!a.scan_only && a.ssid.empty()) {
    throw UserError("--ssid is required (or --scan-only to list the networks the device sees)");
  }
  if (a.timeout_s < 1) throw UserError("--timeout is in seconds, at least 1");
  std::unique_ptr<linux_port::SerialLine> line;
  try {
    line = std::make_unique<linux_port::SerialLine>(a.port, a.baud);
  } catch (const std::runtime_error& e) {
    throw UserError(e.what());
  }
  std::printf("port %s (%s, %d baud)\n", a.port.c_str(), std::string(line->backend()).c_str(),
              a.baud);
  std::fflush(stdout);
  host::ImprovClient client(*line);
  try {
    const uint8_t state = client.RequestState(seconds(std::min(a.timeout_s, 10)));
    std::printf("state: %s\n", std::string(wifi::ImprovStateName(state)).c_str());
    const host::ImprovDeviceDetails info = client.RequestDeviceInfo(seconds(5));
    std::printf("device: %s (%s %s on %s)\n", Printable(info.name).c_str(),
                Printable(info.firmware).c_str(), Printable(info.version).c_str(),
                Printable(info.hardware).c_str());
    std::fflush(stdout);
    const std::vector<host::ImprovNetwork> networks = client.Scan(seconds(a.timeout_s));
    PrintNetworks(networks);
    if (a.scan_only) return;
    bool seen = false;
    for (const auto& n : networks) seen = seen || n.ssid == a.ssid;
    if (!seen) {
      std::printf("note: %s is not in the list (a hidden network?): sending it anyway\n",
                  Printable(a.ssid).c_str());
    }
    SendCredentials(client, a);
  } catch (const host::ImprovTimeout& e) {
    throw UserError(std::string(e.what()) + " on " + a.port +
                    ": is it a board running Improv (`airlab board`, ESPHome, airlab's Wi-Fi "
                    "manager) and is --baud its rate?");
  } catch (const host::ImprovRefused& e) {
    throw UserError(std::string(e.what()) + ": the device does not take this request");
  } catch (const std::invalid_argument& e) {
    throw UserError(e.what());
  } catch (const UserError&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw UserError(e.what());  // the port went away
  }
}

}  // namespace

void AddProvisionCommand(CLI::App& app) {
  auto args = std::make_shared<ProvisionArgs>();
  CLI::App* cmd = app.add_subcommand(
      "provision",
      "Gives a board its Wi-Fi network over its serial port with Improv Wi-Fi "
      "(improv-wifi.com/serial): shows the device's state and information, the networks it "
      "sees (SSID, RSSI, whether a password is needed), then sends the SSID and password and "
      "follows the join: provisioning, then provisioned, or the device's error. Works with "
      "`airlab board` (its printed serial port), and any firmware that speaks Improv over "
      "serial (ESPHome, airlab's Wi-Fi manager). The board's console shares the port; the "
      "command reads past it.\n\n"
      "Exit status: 0 when the device joined (or, with --scan-only, listed its networks); 1 "
      "with one line saying why otherwise (no such port, no Improv answer, the join failed or "
      "timed out).\n\n"
      "Example:\n"
      "  airlab board --name dev --mac 02:00:00:00:00:10 --router lab-router:lab-password:6 "
      "--link dev.tty   (in another terminal)\n"
      "  airlab provision --port dev.tty --ssid lab-router --password lab-password\n");
  cmd->add_option("--port", args->port, "the board's serial port (e.g. /dev/ttyUSB0)")->required();
  cmd->add_option("--ssid", args->ssid, "the network to join");
  cmd->add_option("--password", args->password, "its password (none for an open network)");
  cmd->add_flag("--scan-only", args->scan_only, "list the networks the device sees, send nothing");
  cmd->add_option("--timeout", args->timeout_s, "seconds to wait for the scan and the join")
      ->capture_default_str();
  cmd->add_option("--baud", args->baud, "the port's baud rate")->capture_default_str();
  cmd->callback([args] { RunProvision(*args); });
}

}  // namespace airlab::cli
