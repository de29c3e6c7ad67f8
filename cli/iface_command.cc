// `airlab iface list|setup|teardown`: the Wi-Fi interfaces, and monitor interfaces for
// `--iface` (host/monitor_iface.h does the work).

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/table.h"
#include "host/monitor_iface.h"
#include "platform/linux/nl80211.h"

namespace airlab::cli {
namespace {

using linux_port::InterfaceError;

std::string FormatMac(const MacAddress& mac) {
  char text[MacAddress::kStringSize + 1];
  mac.Format(text);
  return text;
}

// "1-13", or "1-11 14": runs of consecutive channels.
std::string ChannelRanges(const std::vector<uint8_t>& channels) {
  std::string out;
  for (size_t i = 0; i < channels.size();) {
    size_t j = i;
    while (j + 1 < channels.size() && channels[j + 1] == channels[j] + 1) ++j;
    out += (out.empty() ? "" : " ") + std::to_string(channels[i]);
    if (j > i) out += "-" + std::to_string(channels[j]);
    i = j + 1;
  }
  return out.empty() ? "-" : out;
}

void List(bool json) {
  std::vector<linux_port::PhyInfo> phys;
  std::vector<linux_port::InterfaceInfo> ifaces;
  try {
    linux_port::Nl80211 nl;
    phys = nl.Phys();
    ifaces = nl.Interfaces();
  } catch (const InterfaceError& e) {
    if (e.error() != ENOENT) throw UserError(e.what());
    std::fprintf(stderr, "no Wi-Fi radios: %s\n", e.what());
  }
  if (json) {
    nlohmann::ordered_json out;
    out["phys"] = nlohmann::ordered_json::array();
    for (const auto& p : phys) {
      out["phys"].push_back({{"name", p.name},
                             {"index", p.index},
                             {"monitor", p.monitor},
                             {"active_monitor", p.active_monitor},
                             {"channels", p.channels}});
    }
    out["interfaces"] = nlohmann::ordered_json::array();
    for (const auto& i : ifaces) {
      nlohmann::ordered_json entry = {{"name", i.name},
                                      {"phy", i.phy},
                                      {"type", linux_port::InterfaceTypeName(i.type)},
                                      {"up", i.up},
                                      {"mac", FormatMac(i.mac)}};
      entry["channel"] = i.channel ? nlohmann::ordered_json(*i.channel) : nullptr;
      out["interfaces"].push_back(entry);
    }
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  std::vector<std::vector<std::string>> rows = {
      {"phy", "monitor", "active monitor (ACKs)", "2.4 GHz channels"}};
  for (const auto& p : phys) {
    rows.push_back({p.name, p.monitor ? "yes" : "no", p.active_monitor ? "yes" : "no",
                    ChannelRanges(p.channels)});
  }
  std::printf("%s\n", AlignedTable(rows).c_str());
  rows = {{"interface", "phy", "type", "state", "channel", "MAC"}};
  for (const auto& i : ifaces) {
    std::string phy = "phy" + std::to_string(i.phy);
    for (const auto& p : phys) {
      if (p.index == i.phy) phy = p.name;
    }
    rows.push_back({i.name, phy, linux_port::InterfaceTypeName(i.type), i.up ? "up" : "down",
                    i.channel ? std::to_string(*i.channel) : "-", FormatMac(i.mac)});
  }
  std::printf("%s", AlignedTable(rows).c_str());
}

struct SetupArgs {
  std::string iface, phy, mac;
  int channel = 0;
};

void Setup(const SetupArgs& a) {
  host::MonitorSetup setup;
  setup.iface = a.iface;
  if (!a.phy.empty()) setup.phy = a.phy;
  if (a.channel != 0) {
    if (a.channel < 1 || a.channel > 14) {
      throw UserError("--channel " + std::to_string(a.channel) +
                      " is not a 2.4 GHz channel; use 1 to 14");
    }
    setup.channel = static_cast<uint8_t>(a.channel);
  }
  if (!a.mac.empty()) {
    auto mac = MacAddress::Parse(a.mac.data(), a.mac.size());
    if (!mac.ok() || mac->is_multicast()) {
      throw UserError("--mac \"" + a.mac +
                      "\" is not a unicast MAC address; write it as 24:0a:c4:01:02:03");
    }
    setup.mac = *mac;
  }
  const host::MonitorReady ready = host::SetupMonitor(setup);
  const auto& i = ready.iface;
  std::printf("%s: monitor, up, channel %s, MAC %s%s\n", i.name.c_str(),
              i.channel ? std::to_string(*i.channel).c_str() : "unknown", FormatMac(i.mac).c_str(),
              ready.passive ? "" : ", ACKs frames to its MAC");
  if (ready.passive) {
    std::printf(
        "note: this adapter has no active monitor mode, so it ACKs nothing: unicast sends to "
        "it will report not delivered (broadcast works)\n");
  }
}

}  // namespace

void AddIfaceCommand(CLI::App& app) {
  CLI::App* iface = app.add_subcommand(
      "iface", "Wi-Fi interfaces: list them, make a monitor interface for --iface, remove it");
  iface->footer(
      "Example:\n"
      "  airlab iface list\n"
      "  sudo airlab iface setup wlan1 --channel 1   # then --iface wlan1 on node, sniff...");
  iface->require_subcommand(1);

  auto json = std::make_shared<bool>(false);
  CLI::App* list = iface->add_subcommand(
      "list", "The Wi-Fi phys (monitor support, channels) and interfaces; needs no privileges");
  list->add_flag("--json", *json, "One JSON document instead of tables");
  list->footer("Example:\n  airlab iface list");
  list->callback([json] { List(*json); });

  auto args = std::make_shared<SetupArgs>();
  CLI::App* setup = iface->add_subcommand(
      "setup",
      "Make IFACE a monitor interface that ACKs frames to its MAC, up, on a channel (needs "
      "CAP_NET_ADMIN: sudo)");
  setup
      ->add_option("iface", args->iface,
                   "The interface: an existing one is switched to monitor mode; with --phy, a "
                   "new one of that name is made")
      ->required();
  setup->add_option("--phy", args->phy,
                    "Make IFACE as a new monitor interface on this phy (see `airlab iface list`), "
                    "leaving the phy's other interfaces alone");
  setup->add_option("--channel", args->channel, "2.4 GHz channel 1-14");
  setup->add_option("--mac", args->mac,
                    "The interface's MAC: the address the adapter ACKs, and the one airlab sends "
                    "from");
  setup->footer(
      "Example:\n"
      "  sudo airlab iface setup wlan1 --channel 1 --mac 24:0a:c4:00:00:01\n"
      "  sudo airlab iface setup mon0 --phy phy1 --channel 6\n"
      "If NetworkManager manages the interface, first: nmcli device set wlan1 managed no");
  setup->callback([args] {
    try {
      Setup(*args);
    } catch (const InterfaceError& e) {
      throw UserError(e.what());
    }
  });

  auto teardown_iface = std::make_shared<std::string>();
  CLI::App* teardown = iface->add_subcommand(
      "teardown",
      "Undo setup: delete IFACE when its phy has other interfaces, else switch it back to "
      "managed, down (needs CAP_NET_ADMIN: sudo)");
  teardown->add_option("iface", *teardown_iface, "The monitor interface")->required();
  teardown->footer("Example:\n  sudo airlab iface teardown mon0");
  teardown->callback([teardown_iface] {
    try {
      const host::TeardownResult result = host::TeardownMonitor(*teardown_iface);
      std::printf("%s: %s\n", teardown_iface->c_str(),
                  result.deleted ? "deleted" : "managed again, down");
    } catch (const InterfaceError& e) {
      throw UserError(e.what());
    }
  });
}

}  // namespace airlab::cli
