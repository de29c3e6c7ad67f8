#include "host/monitor_iface.h"

#include <algorithm>
#include <cerrno>

namespace airlab::host {

using linux_port::InterfaceError;
using linux_port::InterfaceInfo;
using linux_port::InterfaceType;
using linux_port::Nl80211;
using linux_port::PhyInfo;

MonitorReady SetupMonitor(const MonitorSetup& setup) {
  Nl80211 nl;
  PhyInfo phy;
  if (setup.phy) {
    phy = nl.PhyByName(*setup.phy);
  } else {
    phy = nl.Phy(nl.Interface(setup.iface).phy);
  }
  if (!phy.monitor) {
    throw InterfaceError(EOPNOTSUPP, phy.name +
                                         " has no monitor mode, so airlab cannot send or "
                                         "capture raw frames on it; use an adapter whose "
                                         "`airlab iface list` line says monitor yes");
  }
  if (setup.channel &&
      std::find(phy.channels.begin(), phy.channels.end(), *setup.channel) == phy.channels.end()) {
    throw InterfaceError(EINVAL, phy.name + " does not allow channel " +
                                     std::to_string(*setup.channel) +
                                     " here (`airlab iface list` shows its channels; `iw reg "
                                     "set XX` sets the country)");
  }
  if (setup.phy) {
    nl.CreateMonitor(phy.index, setup.iface, phy.active_monitor);
  } else {
    Nl80211::SetUp(setup.iface, false);
    nl.SetType(setup.iface, InterfaceType::kMonitor, phy.active_monitor);
  }
  if (setup.mac) Nl80211::SetMac(setup.iface, *setup.mac);
  Nl80211::SetUp(setup.iface, true);
  if (setup.channel) nl.SetChannelAndCycle(setup.iface, *setup.channel);
  return {nl.Interface(setup.iface), !phy.active_monitor};
}

TeardownResult TeardownMonitor(const std::string& iface) {
  Nl80211 nl;
  const InterfaceInfo info = nl.Interface(iface);
  size_t siblings = 0;
  for (const InterfaceInfo& other : nl.Interfaces()) {
    if (other.phy == info.phy && other.name != iface) ++siblings;
  }
  if (siblings > 0) {
    nl.Delete(iface);
    return {true};
  }
  Nl80211::SetUp(iface, false);
  nl.SetType(iface, InterfaceType::kManaged);
  return {false};
}

MonitorLink OpenMonitor(const std::string& iface, std::optional<uint8_t> channel,
                        std::optional<MacAddress> mac) {
  Nl80211 nl;
  const InterfaceInfo info = nl.Interface(iface);
  if (mac && *mac != info.mac && info.type == InterfaceType::kMonitor) {
    Nl80211::SetUp(iface, false);
    Nl80211::SetMac(iface, *mac);
    Nl80211::SetUp(iface, true);
  }
  MonitorLink link;
  link.loop = std::make_unique<linux_port::EventLoop>();
  link.radio = std::make_unique<linux_port::MonitorRadio>(*link.loop, iface);
  if (channel && *channel != link.radio->channel()) {
    if (!link.radio->SetChannel(*channel).ok()) {
      throw InterfaceError(EINVAL, link.radio->last_error());
    }
  }
  if (!link.radio->SetAddress(port::Interface::kStation, link.radio->hardware_address()).ok()) {
    throw InterfaceError(EIO, link.radio->last_error());
  }
  return link;
}

}  // namespace airlab::host
