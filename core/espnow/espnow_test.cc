#include "core/espnow/espnow.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/espnow/stack.h"
#include "core/espnow/stack_testing.h"
#include "core/port/rng.h"
#include "platform/mbedtls/mbedtls_aes128.h"

namespace airlab::espnow {
namespace {

using testing::AsSpan;
using testing::Bytes;
using testing::FakeRadio;
using testing::ToBytes;

constexpr MacAddress kMaster({0x4c, 0x11, 0xae, 0x89, 0xbd, 0xd5});
constexpr MacAddress kSlave({0x4c, 0x11, 0xae, 0x89, 0xbc, 0x95});
constexpr MacAddress kNobody({0x02, 0x00, 0x00, 0x00, 0x00, 0x99});

MacAddress NthMac(int n) { return MacAddress({0x02, 0, 0, 0, 0, static_cast<uint8_t>(n)}); }

std::string Text(const std::optional<ByteSpan>& msg) {
  if (!msg) return "<None>";
  return std::string(reinterpret_cast<const char*>(msg->data()), msg->size());
}

// A Clock and a Waiter that play the air between FakeRadios. Each step of a wait carries
// the oldest pending frame of some radio to the radios it is addressed to and reports it
// (acknowledged when a radio owns addr1, sent for a group address, no ACK otherwise after
// max_retries + 1 attempts), taking 1 ms; scheduled events run at their time; with nothing
// to do the clock jumps to the deadline.
class TestAir final : public port::Clock, public port::Waiter {
 public:
  void Attach(FakeRadio& radio) { radios_.push_back(&radio); }
  // Radios whose frames never finish (a driver that never reports).
  void Mute(FakeRadio& radio) { muted_.push_back(&radio); }
  void At(port::TimeNs time, std::function<void()> event) { events_.emplace(time, event); }
  port::TimeNs Now() const override { return now_; }
  int steps() const { return steps_; }

 protected:
  Status DoWaitUntil(port::TimeNs deadline) override {
    while (!woken_) {
      if (now_ >= deadline) return Status::DeadlineExceeded();
      if (!Step(deadline)) {
        if (deadline == port::kForever) return Status::Unavailable();
        now_ = deadline;
        return Status::DeadlineExceeded();
      }
    }
    woken_ = false;
    return Status::Ok();
  }
  void DoWake() override { woken_ = true; }

 private:
  bool Step(port::TimeNs deadline) {
    for (FakeRadio* radio : radios_) {
      if (radio->pending.empty() || IsMuted(radio)) continue;
      ++steps_;
      now_ += port::kMillisecond;
      const Bytes mpdu = radio->pending.front().mpdu;
      const MacAddress dst = MacAddress::FromBytes(AsSpan(mpdu).subspan(4));
      bool acked = false;
      for (FakeRadio* other : radios_) {
        if (other == radio || !other->enabled()) continue;
        if (dst.is_multicast() || other->IsOwnAddress(dst)) {
          other->Hear(AsSpan(mpdu), {.rssi_dbm = -50, .timestamp = now_});
          acked = acked || !dst.is_multicast();
        }
      }
      const uint8_t retries = radio->pending.front().options.max_retries;
      radio->Finish(dst.is_multicast() ? port::TxResult::kSent
                    : acked            ? port::TxResult::kAcked
                                       : port::TxResult::kNoAck,
                    acked || dst.is_multicast() ? 1 : retries + 1, now_);
      return true;
    }
    if (!events_.empty() && events_.begin()->first <= deadline) {
      auto event = events_.extract(events_.begin());
      now_ = std::max(now_, event.key());
      event.mapped()();
      return true;
    }
    return false;
  }
  bool IsMuted(FakeRadio* radio) const {
    return std::find(muted_.begin(), muted_.end(), radio) != muted_.end();
  }

  std::vector<FakeRadio*> radios_;
  std::vector<FakeRadio*> muted_;
  std::multimap<port::TimeNs, std::function<void()>> events_;
  port::TimeNs now_ = 0;
  bool woken_ = false;
  int steps_ = 0;
};

// One board: radio (AP interface, as the lab's scripts use), Stack and facade.
struct Board {
  Board(TestAir& air, const MacAddress& mac, uint64_t seed)
      : rng(seed), stack(radio, rng, aes), e(stack, air, air) {
    EXPECT_TRUE(radio.SetEnabled(true).ok());
    EXPECT_TRUE(radio.SetAddress(port::Interface::kAccessPoint, mac).ok());
    air.Attach(radio);
  }
  FakeRadio radio;
  port::SplitMix64 rng;
  mbedtls::MbedtlsAes128 aes;
  StaticStack<> stack;
  ESPNow e;
};

const PeerOptions kOnAp{.ifidx = port::Interface::kAccessPoint};

struct Fixture : ::testing::Test {
  TestAir air;
  Board master{air, kMaster, 1};
  Board slave{air, kSlave, 2};
};

// ---------------------------------------------------------------------------------------
// Errors and their OSError numbers

TEST(EspNowErrors, OsErrorNumbers_AreEspIdfCodes) {
  EXPECT_EQ(OsErrorNumber(Status::Ok(), Operation::kOther), 0);
  EXPECT_EQ(OsErrorNumber(Status::FailedPrecondition(), Operation::kOther), 0x3065);
  EXPECT_EQ(OsErrorNumber(Status::InvalidArgument(), Operation::kOther), 0x3066);
  EXPECT_EQ(OsErrorNumber(Status::ResourceExhausted(), Operation::kOther), 0x3067);
  EXPECT_EQ(OsErrorNumber(Status::ResourceExhausted(), Operation::kPeer), 0x3068);
  EXPECT_EQ(OsErrorNumber(Status::NotFound(), Operation::kPeer), 0x3069);
  EXPECT_EQ(OsErrorNumber(Status::Internal(), Operation::kOther), 0x306a);
  EXPECT_EQ(OsErrorNumber(Status::AlreadyExists(), Operation::kPeer), 0x306b);
  EXPECT_EQ(OsErrorNumber(Status::Unavailable(), Operation::kOther), 0x306c);
  EXPECT_EQ(OsErrorNumber(Status::OutOfRange(), Operation::kOther), 0x306d);
  EXPECT_EQ(OsErrorNumber(Status::DeadlineExceeded(), Operation::kOther), 110);
}

TEST(EspNowErrors, WifiPhyRates_Map) {
  EXPECT_EQ(FromWifiPhyRate(0x00).value().rate, port::Rate::k1Mbps);
  EXPECT_TRUE(FromWifiPhyRate(0x07).value().short_preamble);
  EXPECT_EQ(FromWifiPhyRate(0x07).value().rate, port::Rate::k11Mbps);
  EXPECT_EQ(FromWifiPhyRate(0x0c).value().rate, port::Rate::k54Mbps);
  EXPECT_EQ(FromWifiPhyRate(0x04).status(), Status::InvalidArgument());  // no such value
  EXPECT_EQ(FromWifiPhyRate(0x10).status(), Status::InvalidArgument());  // MCS0
  EXPECT_EQ(FromWifiPhyRate(0x29).status(), Status::InvalidArgument());  // LoRa 250k
}

TEST_F(Fixture, NotActive_NotInit) {
  ESPNow& e = master.e;
  EXPECT_FALSE(e.active());
  EXPECT_EQ(e.send(kSlave, "x").status(), Status::FailedPrecondition());
  EXPECT_EQ(e.irecv(0).status(), Status::FailedPrecondition());
  EXPECT_EQ(e.any().status(), Status::FailedPrecondition());
  EXPECT_EQ(e.clear(true), Status::FailedPrecondition());
  EXPECT_EQ(e.add_peer(kSlave), Status::FailedPrecondition());
  EXPECT_EQ(e.peer_count().status(), Status::FailedPrecondition());
  ASSERT_EQ(e.init(), Status::Ok());
  EXPECT_TRUE(e.active());
  ASSERT_EQ(e.deinit(), Status::Ok());
  EXPECT_FALSE(e.active());
}

// ---------------------------------------------------------------------------------------
// Peers

TEST_F(Fixture, AddPeer_MicroPythonArguments) {
  ESPNow& e = master.e;
  ASSERT_EQ(e.init(), Status::Ok());
  Key lmk;
  lmk.fill(std::byte{0x5a});
  ASSERT_EQ(e.add_peer(kSlave, {.lmk = lmk, .channel = 1, .ifidx = port::Interface::kAccessPoint}),
            Status::Ok());
  PeerInfo info = e.get_peer(kSlave).value();
  EXPECT_TRUE(info.encrypt);  // an lmk turns encryption on
  EXPECT_EQ(info.lmk, lmk);
  EXPECT_EQ(info.channel, 1);
  EXPECT_EQ(info.interface, port::Interface::kAccessPoint);
  // mod_peer: None keeps the current value.
  ASSERT_EQ(e.mod_peer(kSlave, {.encrypt = false}), Status::Ok());
  info = e.get_peer(kSlave).value();
  EXPECT_FALSE(info.encrypt);
  EXPECT_EQ(info.lmk, lmk);
  EXPECT_EQ(info.interface, port::Interface::kAccessPoint);
  ASSERT_EQ(e.add_peer(kNobody, {.lmk = lmk, .encrypt = false}), Status::Ok());
  EXPECT_FALSE(e.get_peer(kNobody).value().encrypt);  // encrypt wins over lmk
  EXPECT_EQ(e.add_peer(kSlave), Status::AlreadyExists());
  EXPECT_EQ(e.mod_peer(NthMac(1), {}), Status::NotFound());
  EXPECT_EQ(e.del_peer(NthMac(1)), Status::NotFound());
  EXPECT_EQ(e.get_peer(NthMac(1)).status(), Status::NotFound());
  EXPECT_EQ(e.add_peer(NthMac(1), {.channel = 15}), Status::InvalidArgument());
  EXPECT_EQ(e.add_peer(MacAddress::Broadcast(), {.encrypt = true}), Status::InvalidArgument());
}

TEST_F(Fixture, PeerLimits_FullAsEspIdf) {
  ESPNow& e = master.e;
  ASSERT_EQ(e.init(), Status::Ok());
  for (int i = 0; i < 6; ++i) ASSERT_EQ(e.add_peer(NthMac(i), {.encrypt = true}), Status::Ok());
  const Status seventh = e.add_peer(NthMac(6), {.encrypt = true});
  EXPECT_EQ(seventh, Status::ResourceExhausted());
  EXPECT_EQ(OsErrorNumber(seventh, Operation::kPeer), kEspErrEspNowFull);
  for (int i = 6; i < 20; ++i) ASSERT_EQ(e.add_peer(NthMac(i)), Status::Ok());
  const Status twenty_first = e.add_peer(NthMac(20));
  EXPECT_EQ(twenty_first, Status::ResourceExhausted());
  EXPECT_EQ(OsErrorNumber(twenty_first, Operation::kPeer), kEspErrEspNowFull);
  EXPECT_EQ(e.peer_count().value(), (PeerCount{20, 6}));
}

TEST_F(Fixture, GetPeers_CopiesThemAll) {
  ESPNow& e = master.e;
  ASSERT_EQ(e.init(), Status::Ok());
  for (int i = 0; i < 3; ++i) ASSERT_EQ(e.add_peer(NthMac(i)), Status::Ok());
  std::array<PeerInfo, 3> all;
  StatusWithSize got = e.get_peers(all);
  EXPECT_TRUE(got.ok());
  EXPECT_EQ(got.size(), 3u);
  EXPECT_EQ(all[2].mac, NthMac(2));
  std::array<PeerInfo, 2> some;
  got = e.get_peers(some);
  EXPECT_EQ(got.status(), Status::ResourceExhausted());
  EXPECT_EQ(got.size(), 2u);
}

TEST_F(Fixture, Deinit_ForgetsPeers) {
  ESPNow& e = master.e;
  ASSERT_EQ(e.init(), Status::Ok());
  ASSERT_EQ(e.add_peer(kSlave), Status::Ok());
  ASSERT_EQ(e.deinit(), Status::Ok());
  ASSERT_EQ(e.init(), Status::Ok());
  EXPECT_EQ(e.peer_count().value(), (PeerCount{0, 0}));
}

// ---------------------------------------------------------------------------------------
// Sending

TEST_F(Fixture, SendSync_Acked_True) {
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.init(), Status::Ok());
  ASSERT_EQ(master.e.add_peer(kSlave, kOnAp), Status::Ok());
  EXPECT_EQ(master.e.send(kSlave, "hello", true).value(), true);
  EXPECT_EQ(master.e.stats(), (Stats{1, 1, 0, 0, 0}));
  EXPECT_EQ(slave.e.stats(), (Stats{0, 0, 0, 1, 0}));
}

TEST_F(Fixture, SendSync_NoAck_FalseAfterTheRetries) {
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(master.e.add_peer(kNobody, kOnAp), Status::Ok());
  EXPECT_EQ(master.e.send(kNobody, "anyone?", true).value(), false);
  EXPECT_EQ(master.e.stats(), (Stats{1, 1, 1, 0, 0}));
}

TEST_F(Fixture, SendAsync_TrueAtOnce_NextSyncSendWaitsForIt) {
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(master.e.add_peer(kNobody, kOnAp), Status::Ok());
  ASSERT_EQ(master.e.add_peer(kSlave, kOnAp), Status::Ok());
  EXPECT_EQ(master.e.send(kNobody, "lost", false).value(), true);
  EXPECT_EQ(master.e.stats().tx_responses, 0u);  // nothing ran yet
  // The sync send waits for the earlier report first, so that failure is not counted.
  EXPECT_EQ(master.e.send(kSlave, "found", true).value(), true);
  EXPECT_EQ(master.e.stats(), (Stats{2, 2, 1, 0, 0}));
}

TEST_F(Fixture, SendToAll_FalseWhenAnyPeerMissed) {
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.init(), Status::Ok());
  ASSERT_EQ(master.e.add_peer(kSlave, kOnAp), Status::Ok());
  ASSERT_EQ(master.e.add_peer(MacAddress::Broadcast(), kOnAp), Status::Ok());
  EXPECT_EQ(master.e.send(std::nullopt, AsBytes("all", 3)).value(), true);
  ASSERT_EQ(master.e.add_peer(kNobody, kOnAp), Status::Ok());
  EXPECT_EQ(master.e.send(AsBytes("all", 3)).value(), false);
  // Two frames per send to all: the broadcast peer is skipped.
  EXPECT_EQ(master.e.stats(), (Stats{3, 3, 1, 0, 0}));
}

TEST_F(Fixture, SendBroadcast_AlwaysTrue) {
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(master.e.add_peer(MacAddress::Broadcast(), kOnAp), Status::Ok());
  EXPECT_EQ(master.e.send(MacAddress::Broadcast(), "anyone", true).value(), true);
}

TEST_F(Fixture, Send_Errors) {
  ASSERT_EQ(master.e.init(), Status::Ok());
  EXPECT_EQ(master.e.send(kSlave, "x").status(), Status::NotFound());
  ASSERT_EQ(master.e.add_peer(kSlave, kOnAp), Status::Ok());
  const Bytes too_long(251);
  EXPECT_EQ(master.e.send(kSlave, AsSpan(too_long)).status(), Status::InvalidArgument());
  ASSERT_EQ(master.e.add_peer(kNobody), Status::Ok());  // on STA, which has no address
  EXPECT_EQ(master.e.send(kNobody, "x").status(), Status::Unavailable());
}

TEST_F(Fixture, SendSync_ReportsNeverCome_DeadlineExceeded) {
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(master.e.add_peer(kSlave, kOnAp), Status::Ok());
  air.Mute(master.radio);
  EXPECT_EQ(master.e.send(kSlave, "x", true).status(), Status::DeadlineExceeded());
  EXPECT_EQ(air.Now(), ESPNow::kSendTimeoutMs * port::kMillisecond);
}

TEST(EspNowSend, QueueFull_WaitsForRoom) {
  TestAir air;
  FakeRadio radio;
  port::SplitMix64 rng(1);
  mbedtls::MbedtlsAes128 aes;
  // Room for one frame: the second send waits for the first one's report.
  StaticStack<20, 24, 4096, Stack::TxRecordSize(10, false)> stack(radio, rng, aes);
  ESPNow e(stack, air, air);
  ASSERT_TRUE(radio.SetEnabled(true).ok());
  ASSERT_TRUE(radio.SetAddress(port::Interface::kStation, kMaster).ok());
  air.Attach(radio);
  ASSERT_EQ(e.init(), Status::Ok());
  ASSERT_EQ(e.add_peer(kNobody), Status::Ok());
  EXPECT_EQ(e.send(kNobody, "0123456789", false).value(), true);
  EXPECT_EQ(e.send(kNobody, "0123456789", false).value(), true);
  EXPECT_EQ(e.stats().tx_pkts, 2u);
  EXPECT_EQ(e.stats().tx_responses, 1u);  // the first one's report made the room
  // Muted, the queue never empties: the send gives up with NO_MEM after 2 s.
  air.Mute(radio);
  const port::TimeNs start = air.Now();
  EXPECT_EQ(e.send(kNobody, "0123456789", false).status(), Status::ResourceExhausted());
  EXPECT_EQ(air.Now() - start, ESPNow::kSendTimeoutMs * port::kMillisecond);
}

// ---------------------------------------------------------------------------------------
// Receiving

TEST_F(Fixture, Irecv_MessageAndMetadata) {
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.add_peer(kMaster, kOnAp), Status::Ok());
  ASSERT_EQ(slave.e.send(kMaster, "ping").value(), true);
  EXPECT_EQ(master.e.any().value(), true);
  EXPECT_EQ(master.e.poll().value(), true);
  Message m = master.e.irecv(0).value();
  ASSERT_TRUE(m.mac.has_value());
  EXPECT_EQ(*m.mac, kSlave);
  EXPECT_EQ(Text(m.msg), "ping");
  EXPECT_EQ(m.rssi_dbm, -50);
  EXPECT_EQ(m.time_ms, 1u);
  EXPECT_FALSE(m.broadcast);
  EXPECT_FALSE(m.encrypted);
  EXPECT_EQ(master.e.any().value(), false);
  // peers_table has the sender.
  ASSERT_EQ(master.e.peers_table().size(), 1u);
  const std::optional<PeersTableEntry> entry = master.e.peers_table().find(kSlave);
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->rssi_dbm, -50);
  EXPECT_EQ(entry->time_ms, 1u);
  EXPECT_FALSE(master.e.peers_table().find(kNobody).has_value());
}

TEST_F(Fixture, Recv_Timeout_NoneNone_AfterExactlyTheTimeout) {
  ASSERT_EQ(master.e.init(), Status::Ok());
  Message m = master.e.recv(250).value();
  EXPECT_FALSE(m.mac.has_value());
  EXPECT_FALSE(m.msg.has_value());
  EXPECT_EQ(air.Now(), 250 * port::kMillisecond);
  // The configured default applies when none is given.
  ASSERT_EQ(master.e.config({.timeout_ms = 1000}), Status::Ok());
  EXPECT_FALSE(master.e.irecv().value().msg.has_value());
  EXPECT_EQ(air.Now(), 1250 * port::kMillisecond);
  // Negative: forever - here until nothing can happen any more.
  EXPECT_FALSE(master.e.irecv(-1).value().msg.has_value());
}

TEST_F(Fixture, Recv_WaitsForALaterMessage) {
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.add_peer(kMaster, kOnAp), Status::Ok());
  air.At(300 * port::kMillisecond,
         [&] { ASSERT_EQ(slave.e.send(kMaster, "late", false).value(), true); });
  Message m = master.e.irecv(-1).value();
  EXPECT_EQ(Text(m.msg), "late");
  EXPECT_EQ(air.Now(), 301 * port::kMillisecond);
}

TEST_F(Fixture, Recvinto_SmallBuffer_ResourceExhausted_MessageKept) {
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.add_peer(kMaster, kOnAp), Status::Ok());
  ASSERT_EQ(slave.e.send(kMaster, "0123456789").value(), true);
  std::array<std::byte, 4> small{};
  RecvBuffers data{.msg = small};
  EXPECT_EQ(master.e.recvinto(data, 0).status(), Status::ResourceExhausted());
  std::array<std::byte, 250> big{};
  data.msg = big;
  EXPECT_EQ(master.e.recvinto(data, 0).value(), true);
  EXPECT_EQ(data.mac, kSlave);
  EXPECT_EQ(data.size, 10u);
  EXPECT_EQ(master.e.recvinto(data, 0).value(), false);
}

TEST_F(Fixture, EmptyMessage_IsNotATimeout) {
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.add_peer(kMaster, kOnAp), Status::Ok());
  ASSERT_EQ(slave.e.send(kMaster, "").value(), true);
  Message m = master.e.irecv(0).value();
  ASSERT_TRUE(m.msg.has_value());
  EXPECT_EQ(m.msg->size(), 0u);
}

TEST_F(Fixture, Clear_EmptiesTheBuffer_NeedsTrue) {
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.add_peer(kMaster, kOnAp), Status::Ok());
  ASSERT_EQ(slave.e.send(kMaster, "stale").value(), true);
  EXPECT_EQ(master.e.clear(false), Status::InvalidArgument());
  EXPECT_EQ(master.e.poll().value(), true);
  EXPECT_EQ(master.e.clear(true), Status::Ok());
  EXPECT_EQ(master.e.poll().value(), false);
}

TEST_F(Fixture, Config_Rxbuf_AppliesAtInit_OverflowCounted) {
  EXPECT_EQ(master.e.config({.rxbuf = master.stack->receive_capacity() + 1}),
            Status::InvalidArgument());
  EXPECT_EQ(master.e.rxbuf(), ESPNow::kDefaultRxBuf);
  ASSERT_EQ(master.e.config({.rxbuf = 2 * (Stack::kRxRecordOverhead + 1)}), Status::Ok());
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.add_peer(kMaster, kOnAp), Status::Ok());
  for (const char* m : {"0", "1", "2", "3"}) ASSERT_EQ(slave.e.send(kMaster, m).value(), true);
  // The MAC acknowledged all four; two fit.
  EXPECT_EQ(master.e.stats(), (Stats{0, 0, 0, 2, 2}));
}

TEST_F(Fixture, Config_Rate_ReachesTheRadio) {
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(master.e.add_peer(kSlave, kOnAp), Status::Ok());
  EXPECT_EQ(master.e.config({.rate = 0x10}), Status::InvalidArgument());
  ASSERT_EQ(master.e.config({.rate = 0x07}), Status::Ok());  // WIFI_PHY_RATE_11M_S
  ASSERT_TRUE(master.e.send(kSlave, "fast", false).ok());
  ASSERT_FALSE(master.radio.transmitted.empty());
  EXPECT_EQ(master.radio.transmitted.back().options.rate, port::Rate::k11Mbps);
  EXPECT_TRUE(master.radio.transmitted.back().options.short_preamble);
}

TEST_F(Fixture, Irq_CalledForEachMessage) {
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.add_peer(kMaster, kOnAp), Status::Ok());
  std::vector<std::string> got;
  master.e.irq(
      [](ESPNow& e, void* context) {
        auto* out = static_cast<std::vector<std::string>*>(context);
        out->push_back(Text(e.irecv(0).value().msg));
      },
      &got);
  ASSERT_EQ(slave.e.send(kMaster, "a").value(), true);
  ASSERT_EQ(slave.e.send(kMaster, "b").value(), true);
  EXPECT_EQ(got, (std::vector<std::string>{"a", "b"}));
  master.e.irq(nullptr);
  ASSERT_EQ(slave.e.send(kMaster, "c").value(), true);
  EXPECT_EQ(got.size(), 2u);
}

TEST_F(Fixture, Iteration_YieldsMessagesThenNoneNone_StopsWhenInactive) {
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.add_peer(kMaster, kOnAp), Status::Ok());
  ASSERT_EQ(master.e.config({.timeout_ms = 100}), Status::Ok());
  ASSERT_EQ(slave.e.send(kMaster, "x").value(), true);
  ASSERT_EQ(slave.e.send(kMaster, "y").value(), true);
  std::vector<std::string> seen;
  for (auto [host, msg] : master.e) {
    seen.push_back(Text(msg));
    if (!host) {
      ASSERT_EQ(master.e.deinit(), Status::Ok());  // as MicroPython's docs stop it
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"x", "y", "<None>"}));
}

TEST_F(Fixture, Iteration_NotActive_NoIterations) {
  int n = 0;
  for ([[maybe_unused]] const Message& m : master.e) ++n;
  EXPECT_EQ(n, 0);
}

// The lab's slave_send.py / master_cloud_from_slave.py sequence, calls one to one (the
// master's loop never ends on a board; here it stops once the five messages are in).
TEST_F(Fixture, LabScripts_SlaveSendsFive_MasterPollsAndIterates) {
  // master_setup.py / slave_setup.py
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(master.e.add_peer(kSlave, {.ifidx = port::Interface::kAccessPoint}), Status::Ok());
  ASSERT_EQ(slave.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.add_peer(kMaster, {.ifidx = port::Interface::kAccessPoint}), Status::Ok());
  // master: e.clear(True)
  ASSERT_EQ(master.e.clear(true), Status::Ok());
  // slave: for i in range(5): ok = e.send(peer, str(i), True); while not ok: ...
  for (int i = 0; i < 5; ++i) {
    const std::string text = std::to_string(i);
    Result<bool> ok = slave.e.send(kMaster, text, true);
    for (int tries = 1; ok.ok() && !*ok && tries < 10; ++tries) {
      ok = slave.e.send(kMaster, text, true);
    }
    ASSERT_TRUE(ok.ok());
  }
  // master: while True: if e.poll(): last = None; for host, msg in e: ...
  std::vector<std::string> posted;
  int steps = 0;  // a bound, so that a bug fails the test instead of hanging it
  while (posted.size() < 5 && ++steps < 20) {
    if (master.e.poll().value()) {
      std::optional<std::string> last;
      for (auto [host, msg] : master.e) {
        if (msg && Text(msg) != last) {
          last = Text(msg);
          posted.push_back(*last);  // post_thingspeak(...)
          EXPECT_EQ(*host, kSlave);
        }
        if (posted.size() == 5 || ++steps >= 20) break;
      }
    }
  }
  EXPECT_EQ(posted, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
  EXPECT_EQ(slave.e.stats(), (Stats{5, 5, 0, 0, 0}));
}

}  // namespace
}  // namespace airlab::espnow
