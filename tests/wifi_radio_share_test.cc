// wifi::RadioShare on the simulated air: ESP-NOW, the station and the soft-AP each get a
// port::Radio over one SimRadio, as the three share one radio on an ESP32.

#include "core/wifi/radio_share.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/wire/dot11.h"
#include "platform/sim/simulation.h"

namespace airlab {
namespace {

using wifi::RadioShare;
using User = RadioShare::User;

constexpr MacAddress kPeer({0x02, 0, 0, 0, 0, 0x77});

// What one user of the radio got.
class Recorder final : public port::RadioListener {
 public:
  void OnReceive(ByteSpan mpdu, const port::RxInfo&) override {
    received.emplace_back(mpdu.begin(), mpdu.end());
  }
  void OnTxDone(const port::TxReport& report) override { reports.push_back(report); }
  std::vector<std::vector<std::byte>> received;
  std::vector<port::TxReport> reports;
};

std::vector<std::byte> DataFrame(const MacAddress& to, const MacAddress& from) {
  std::vector<std::byte> bytes(64);
  ByteBuilder out(bytes);
  Result<wire::MgmtHeader> header = wire::MakeDataHeader(wire::DsMode::kToDs, to, from, to);
  EXPECT_TRUE(header.ok());
  EXPECT_TRUE(wire::BuildDataFrame(out, *header, 0x0800, as_bytes(std::span("hello"))).ok());
  bytes.resize(out.size());
  return bytes;
}

struct Air {
  Air() {
    shared = sim.AddNode({.position = {0, 0, 0}});
    peer = sim.AddNode({.position = {5, 0, 0}, .address = kPeer});
    share = std::make_unique<RadioShare>(sim.radio(shared));
    for (size_t i = 0; i < RadioShare::kUserCount; ++i) {
      share->port(static_cast<User>(i)).SetListener(&users[i]);
    }
    sim.radio(peer).SetListener(&peer_listener);
  }
  port::Radio& port(User u) { return share->port(u); }
  Recorder& user(User u) { return users[static_cast<size_t>(u)]; }

  sim::Simulation sim{{.seed = 3}};
  uint32_t shared = 0, peer = 0;
  std::unique_ptr<RadioShare> share;
  Recorder users[RadioShare::kUserCount];
  Recorder peer_listener;
};

TEST(RadioShare, ReportsComeBackToTheSenderWithItsOwnTag) {
  Air air;
  ASSERT_TRUE(air.port(User::kEspNow).SetEnabled(true).ok());
  ASSERT_TRUE(air.port(User::kStation).SetEnabled(true).ok());
  const MacAddress me = air.sim.radio(air.shared).address(port::Interface::kStation);
  const std::vector<std::byte> frame = DataFrame(kPeer, me);
  ASSERT_TRUE(air.port(User::kEspNow).Transmit(frame, {.tag = 7}).ok());
  ASSERT_TRUE(air.port(User::kStation).Transmit(frame, {.tag = 7}).ok());
  ASSERT_TRUE(air.port(User::kEspNow).Transmit(frame, {.tag = 9}).ok());
  air.sim.RunFor(port::kSecond);

  const std::vector<port::TxReport>& espnow = air.user(User::kEspNow).reports;
  ASSERT_EQ(espnow.size(), 2u);
  EXPECT_EQ(espnow[0].tag, 7u);
  EXPECT_EQ(espnow[1].tag, 9u);
  EXPECT_EQ(espnow[0].result, port::TxResult::kAcked);
  ASSERT_EQ(air.user(User::kStation).reports.size(), 1u);
  EXPECT_EQ(air.user(User::kStation).reports[0].tag, 7u);
  EXPECT_TRUE(air.user(User::kAccessPoint).reports.empty());
  EXPECT_EQ(air.peer_listener.received.size(), 3u);
}

TEST(RadioShare, EveryEnabledUserHearsWhatTheRadioReceives) {
  Air air;
  ASSERT_TRUE(air.port(User::kEspNow).SetEnabled(true).ok());
  ASSERT_TRUE(air.port(User::kAccessPoint).SetEnabled(true).ok());
  const MacAddress shared = air.sim.radio(air.shared).address(port::Interface::kStation);
  ASSERT_TRUE(air.sim.radio(air.peer).Transmit(DataFrame(shared, kPeer), {}).ok());
  air.sim.RunFor(port::kSecond);
  EXPECT_EQ(air.user(User::kEspNow).received.size(), 1u);
  EXPECT_EQ(air.user(User::kAccessPoint).received.size(), 1u);
  EXPECT_TRUE(air.user(User::kStation).received.empty());  // off
}

TEST(RadioShare, OneChannelForAllAndTheJoinedStationHoldsIt) {
  Air air;
  port::Radio& espnow = air.port(User::kEspNow);
  port::Radio& station = air.port(User::kStation);
  ASSERT_TRUE(espnow.SetChannel(6).ok());
  EXPECT_EQ(air.sim.radio(air.shared).channel(), 6);
  EXPECT_EQ(station.channel(), 6);
  EXPECT_EQ(air.port(User::kAccessPoint).channel(), 6);

  air.share->station_hold().Hold(true);
  EXPECT_EQ(espnow.SetChannel(1).code(), Status::Code::kUnavailable);
  EXPECT_EQ(espnow.channel(), 6);
  EXPECT_TRUE(espnow.SetChannel(6).ok());    // the channel it is on already
  ASSERT_TRUE(station.SetChannel(11).ok());  // the router moved
  EXPECT_EQ(espnow.channel(), 11);
  EXPECT_EQ(air.sim.radio(air.shared).channel(), 11);

  air.share->station_hold().Hold(false);
  EXPECT_TRUE(espnow.SetChannel(1).ok());
  EXPECT_EQ(station.channel(), 1);
}

TEST(RadioShare, AnAddressSetByOneUserIsEveryUsers) {
  Air air;
  const MacAddress ap({0x4c, 0x11, 0xae, 0x89, 0xbd, 0xd5});
  ASSERT_TRUE(air.port(User::kAccessPoint).SetAddress(port::Interface::kAccessPoint, ap).ok());
  EXPECT_EQ(air.sim.radio(air.shared).address(port::Interface::kAccessPoint), ap);
  EXPECT_EQ(air.port(User::kEspNow).address(port::Interface::kAccessPoint), ap);
  EXPECT_EQ(air.port(User::kStation).address(port::Interface::kAccessPoint), ap);
}

TEST(RadioShare, AUserTurningOffHasItsFramesDroppedAndTheOthersGoOn) {
  Air air;
  ASSERT_TRUE(air.port(User::kEspNow).SetEnabled(true).ok());
  ASSERT_TRUE(air.port(User::kStation).SetEnabled(true).ok());
  const MacAddress me = air.sim.radio(air.shared).address(port::Interface::kStation);
  const std::vector<std::byte> frame = DataFrame(kPeer, me);
  ASSERT_TRUE(air.port(User::kEspNow).Transmit(frame, {.tag = 1}).ok());
  ASSERT_TRUE(air.port(User::kStation).Transmit(frame, {.tag = 2}).ok());
  ASSERT_TRUE(air.port(User::kEspNow).SetEnabled(false).ok());
  ASSERT_EQ(air.user(User::kEspNow).reports.size(), 1u);
  EXPECT_EQ(air.user(User::kEspNow).reports[0].result, port::TxResult::kDropped);
  EXPECT_TRUE(air.sim.radio(air.shared).enabled());
  air.sim.RunFor(port::kSecond);
  EXPECT_EQ(air.user(User::kEspNow).reports.size(), 1u);  // the radio's own report swallowed
  ASSERT_EQ(air.user(User::kStation).reports.size(), 1u);
  EXPECT_EQ(air.user(User::kStation).reports[0].result, port::TxResult::kAcked);

  ASSERT_TRUE(air.port(User::kStation).SetEnabled(false).ok());
  EXPECT_FALSE(air.sim.radio(air.shared).enabled());
}

}  // namespace
}  // namespace airlab
