#include "bench/ns3_fidelity/ns3_run.h"

#include <map>
#include <stdexcept>
#include <vector>

#include "core/espnow/codec.h"
// ns-3's own headers, not its *-module.h: those pull in singleton.h, which C++20 rejects.
#include "ns3/double.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/ipv4-address-helper.h"
#include "ns3/mobility-helper.h"
#include "ns3/neighbor-cache-helper.h"
#include "ns3/position-allocator.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/udp-client-server-helper.h"
#include "ns3/udp-client.h"
#include "ns3/udp-server.h"
#include "ns3/uinteger.h"
#include "ns3/wifi-helper.h"
#include "ns3/wifi-mac-helper.h"
#include "ns3/yans-wifi-helper.h"

namespace airlab::bench {
namespace {

using port::TimeNs;

// Bytes an ns-3 UDP frame carries around its payload: 802.11 data header 24, LLC/SNAP 8,
// IPv4 20, UDP 8, FCS 4.
constexpr size_t kUdpFrameOverhead = 24 + 8 + 20 + 8 + 4;
constexpr uint16_t kPort = 9;

ns3::Time NsTime(TimeNs t) { return ns3::NanoSeconds(t); }

void CheckSupported(const scenario::Scenario& s) {
  auto refuse = [](const std::string& what) {
    throw std::invalid_argument("the ns-3 run does not model " + what);
  };
  if (s.air.shadowing_sigma_db != 0.0) refuse("shadowing");
  for (const scenario::NodeSpec& node : s.nodes) {
    if (node.channel != s.nodes.front().channel) refuse("several channels");
    if (node.role != scenario::Role::kNode) refuse("gateways or sniffers");
    for (const scenario::TrafficSpec& t : node.traffic) {
      if (t.arrivals != scenario::Arrivals::kPeriodic) refuse("Poisson arrivals");
      if (!t.start) refuse("a random start: give each traffic its start");
      if (!t.payload.empty()) refuse("text payloads");
      if (!s.FindNode(t.to)) refuse("traffic to a broadcast or unknown address");
      if (espnow::EncodedSize(t.payload_size, true) < kUdpFrameOverhead + 12) {
        refuse("payloads under 33 bytes (UdpClient's sequence header takes 12)");
      }
    }
    for (const scenario::PeerSpec& p : node.peers) {
      if (p.encrypt) refuse("encryption");
    }
  }
}

}  // namespace

Ns3Outcome RunInNs3(const scenario::Scenario& s) {
  CheckSupported(s);
  ns3::RngSeedManager::SetSeed(static_cast<uint32_t>(s.seed % 0xfffffffe) + 1);
  ns3::RngSeedManager::SetRun(1);

  const uint32_t n = static_cast<uint32_t>(s.nodes.size());
  ns3::NodeContainer nodes;
  nodes.Create(n);

  ns3::WifiHelper wifi;
  wifi.SetStandard(ns3::WIFI_STANDARD_80211b);
  wifi.SetRemoteStationManager("ns3::ConstantRateWifiManager", "DataMode",
                               ns3::StringValue("DsssRate1Mbps"), "ControlMode",
                               ns3::StringValue("DsssRate1Mbps"));
  ns3::YansWifiChannelHelper channel;
  channel.SetPropagationDelay("ns3::ConstantSpeedPropagationDelayModel");
  channel.AddPropagationLoss("ns3::LogDistancePropagationLossModel", "Exponent",
                             ns3::DoubleValue(s.air.path_loss_exponent), "ReferenceDistance",
                             ns3::DoubleValue(s.air.reference_distance_m), "ReferenceLoss",
                             ns3::DoubleValue(s.air.reference_loss_db));
  ns3::YansWifiPhyHelper phy;
  phy.SetChannel(channel.Create());
  phy.SetErrorRateModel("ns3::NistErrorRateModel");
  ns3::WifiMacHelper mac;
  mac.SetType("ns3::AdhocWifiMac");

  ns3::NetDeviceContainer devices;
  for (uint32_t i = 0; i < n; ++i) {
    const scenario::NodeSpec& spec = s.nodes[i];
    phy.Set("TxPowerStart", ns3::DoubleValue(spec.tx_power_dbm));
    phy.Set("TxPowerEnd", ns3::DoubleValue(spec.tx_power_dbm));
    phy.Set("RxNoiseFigure", ns3::DoubleValue(spec.noise_figure_db));
    devices.Add(wifi.Install(phy, mac, nodes.Get(i)));
  }
  // Fixed random streams for the PHYs and MACs: otherwise ns-3 numbers them on from the
  // previous run in the process, and the same scenario would give other draws.
  wifi.AssignStreams(devices, 0);

  ns3::Ptr<ns3::ListPositionAllocator> positions = ns3::CreateObject<ns3::ListPositionAllocator>();
  for (const scenario::NodeSpec& spec : s.nodes) {
    positions->Add(ns3::Vector(spec.position.x, spec.position.y, spec.position.z));
  }
  ns3::MobilityHelper mobility;
  mobility.SetPositionAllocator(positions);
  mobility.SetMobilityModel("ns3::ConstantPositionMobilityModel");
  mobility.Install(nodes);

  ns3::InternetStackHelper internet;
  internet.Install(nodes);
  ns3::Ipv4AddressHelper addresses("10.1.0.0", "255.255.0.0");
  ns3::Ipv4InterfaceContainer interfaces = addresses.Assign(devices);
  ns3::NeighborCacheHelper().PopulateNeighborCache();

  // A UdpServer at every destination (without one, each datagram would draw an ICMP
  // port-unreachable answer onto the air).
  std::map<uint32_t, ns3::Ptr<ns3::UdpServer>> servers;
  struct Client {
    ns3::Ptr<ns3::UdpClient> app;
    uint32_t size;
  };
  std::vector<Client> clients;
  for (uint32_t i = 0; i < n; ++i) {
    for (const scenario::TrafficSpec& t : s.nodes[i].traffic) {
      const uint32_t to = *s.FindNode(t.to);
      if (!servers.count(to)) {
        ns3::UdpServerHelper helper(kPort);
        ns3::ApplicationContainer app = helper.Install(nodes.Get(to));
        app.Start(ns3::Seconds(0));
        servers[to] = helper.GetServer();
      }
      const auto size =
          static_cast<uint32_t>(espnow::EncodedSize(t.payload_size, true) - kUdpFrameOverhead);
      ns3::UdpClientHelper helper(interfaces.GetAddress(to), kPort);
      // Messages due before the end, as the sim's sources send them.
      const TimeNs first = *t.start;
      uint64_t count = first < s.duration ? (s.duration - first - 1) / t.interval + 1 : 0;
      if (t.count != 0 && t.count < count) count = t.count;
      if (count == 0) continue;  // UdpClient would take 0 as "no limit"
      helper.SetAttribute("MaxPackets", ns3::UintegerValue(static_cast<uint32_t>(count)));
      helper.SetAttribute("Interval", ns3::TimeValue(NsTime(t.interval)));
      helper.SetAttribute("PacketSize", ns3::UintegerValue(size));
      ns3::ApplicationContainer app = helper.Install(nodes.Get(i));
      app.Start(NsTime(first));
      clients.push_back({ns3::DynamicCast<ns3::UdpClient>(app.Get(0)), size});
    }
  }

  ns3::Simulator::Stop(NsTime(s.duration));
  ns3::Simulator::Run();
  Ns3Outcome outcome;
  for (const Client& c : clients) outcome.sent += c.app->GetTotalTx() / c.size;
  for (const auto& [node, server] : servers) outcome.received += server->GetReceived();
  ns3::Simulator::Destroy();
  return outcome;
}

}  // namespace airlab::bench
