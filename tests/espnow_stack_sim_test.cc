// espnow::Stack and the MicroPython facade on the simulated air (platform/sim): boards
// exchange unicast, broadcast, v2 and encrypted messages through SimRadio's DCF, with
// real airtimes, ACKs and retries. The sim's tap sees every frame on the air, which is
// how these tests count attempts and capture frames to replay; tshark reads the same air
// from a pcapng file as an independent check.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/base/bytes_testing.h"
#include "core/espnow/ccmp.h"
#include "core/espnow/codec.h"
#include "core/espnow/espnow.h"
#include "core/espnow/stack.h"
#include "host/air_capture.h"
#include "platform/mbedtls/mbedtls_aes128.h"
#include "platform/sim/random.h"
#include "platform/sim/scheduler.h"
#include "platform/sim/simulation.h"
#include "platform/sim/tap.h"
#include "tests/espnow_tools.h"
#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab {
namespace {

using espnow::ESPNow;
using espnow::Message;
using espnow::PeerOptions;
using espnow::Stats;
using Bytes = std::vector<std::byte>;

// The lab's boards (docs/reference/lab.md): master and slave on the AP interface.
constexpr MacAddress kMaster({0x4c, 0x11, 0xae, 0x89, 0xbd, 0xd5});
constexpr MacAddress kSlave({0x4c, 0x11, 0xae, 0x89, 0xbc, 0x95});
constexpr MacAddress kThird({0x4c, 0x11, 0xae, 0x89, 0xaa, 0x01});
const PeerOptions kOnAp{.ifidx = port::Interface::kAccessPoint};
constexpr uint64_t kSeed = 2024;

std::string Text(const std::optional<ByteSpan>& msg) {
  return msg ? std::string(reinterpret_cast<const char*>(msg->data()), msg->size()) : "<None>";
}
ByteSpan Span(const Bytes& b) { return ByteSpan(b.data(), b.size()); }

espnow::Key KeyOf(uint8_t fill) {
  espnow::Key key;
  key.fill(std::byte{fill});
  return key;
}

// Every frame on the air, with who decoded it.
class AirLog final : public sim::AirObserver {
 public:
  struct Frame {
    uint32_t transmitter;
    Bytes mpdu;
    bool retry;
    std::vector<uint32_t> decoded_by;
  };
  explicit AirLog(sim::Simulation& sim) : sim_(sim) { sim_.AddObserver(this); }
  ~AirLog() { sim_.RemoveObserver(this); }

  void OnAirFrame(const sim::TapFrame& frame) override {
    Frame f{frame.transmitter, Bytes(frame.mpdu.begin(), frame.mpdu.end()), frame.retry, {}};
    for (const sim::TapReception& r : frame.receptions) {
      if (r.outcome == sim::RxOutcome::kReceived) f.decoded_by.push_back(r.node);
    }
    frames.push_back(std::move(f));
  }
  // ESP-NOW frames (not ACKs) that `node` put on the air.
  std::vector<Frame> EspNowFrom(uint32_t node) const {
    std::vector<Frame> out;
    for (const Frame& f : frames) {
      if (f.transmitter == node && espnow::FrameView::Parse(Span(f.mpdu)).ok()) out.push_back(f);
    }
    return out;
  }

  std::vector<Frame> frames;

 private:
  sim::Simulation& sim_;
};

// A board: a node of the simulation with its SimRadio, a Stack and the facade.
struct Board {
  Board(sim::Simulation& sim, const MacAddress& ap_mac, sim::Position position,
        espnow::StackConfig config = {})
      : node(sim.AddNode({.position = position})),
        rng(sim::MakeStream(kSeed, sim::Stream::kApplication, node)),
        waiter(sim.scheduler()),
        stack(sim.radio(node), rng, aes, config),
        e(stack, sim.clock(), waiter) {
    // network.WLAN(network.AP_IF).active(True): the AP interface answers to its MAC.
    EXPECT_TRUE(sim.radio(node).SetAddress(port::Interface::kAccessPoint, ap_mac).ok());
  }
  espnow::Stack& link() { return stack.stack(); }

  uint32_t node;
  port::SplitMix64 rng;
  mbedtls::MbedtlsAes128 aes;
  sim::SimWaiter waiter;
  espnow::StaticStack<> stack;
  ESPNow e;
};

struct SimFixture : ::testing::Test {
  sim::Simulation sim{{.seed = kSeed}};
  AirLog air{sim};
  Board master{sim, kMaster, {0, 0, 0}};
  Board slave{sim, kSlave, {10, 0, 0}};

  void InitPair(const PeerOptions& master_peer = kOnAp, const PeerOptions& slave_peer = kOnAp) {
    ASSERT_EQ(master.e.init(), Status::Ok());
    ASSERT_EQ(slave.e.init(), Status::Ok());
    ASSERT_EQ(master.e.add_peer(kSlave, master_peer), Status::Ok());
    ASSERT_EQ(slave.e.add_peer(kMaster, slave_peer), Status::Ok());
  }
};

// ---------------------------------------------------------------------------------------

TEST_F(SimFixture, Unicast_BothWays) {
  InitPair();
  EXPECT_EQ(master.e.send(kSlave, "ping", true).value(), true);
  Message m = slave.e.irecv(0).value();
  EXPECT_EQ(*m.mac, kMaster);
  EXPECT_EQ(Text(m.msg), "ping");
  EXPECT_FALSE(m.broadcast);
  EXPECT_LT(m.rssi_dbm, -30);  // 10 m of log-distance loss
  EXPECT_EQ(slave.e.send(kMaster, "pong", true).value(), true);
  EXPECT_EQ(Text(master.e.irecv(0).value().msg), "pong");
  EXPECT_EQ(master.e.stats(), (Stats{1, 1, 0, 1, 0}));
  // One data frame and one ACK each way, nothing retried.
  EXPECT_EQ(air.frames.size(), 4u);
  EXPECT_EQ(air.EspNowFrom(master.node).size(), 1u);
}

TEST_F(SimFixture, Broadcast_ReachesEveryBoard) {
  Board third(sim, kThird, {0, 10, 0});
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.init(), Status::Ok());
  ASSERT_EQ(third.e.init(), Status::Ok());
  ASSERT_EQ(master.e.add_peer(MacAddress::Broadcast(), kOnAp), Status::Ok());
  EXPECT_EQ(master.e.send(MacAddress::Broadcast(), "to all", true).value(), true);
  for (Board* b : {&slave, &third}) {
    Message m = b->e.irecv(0).value();
    EXPECT_EQ(Text(m.msg), "to all");
    EXPECT_TRUE(m.broadcast);
    EXPECT_EQ(*m.mac, kMaster);
  }
  EXPECT_EQ(air.frames.size(), 1u);  // no ACK for a group address
}

TEST_F(SimFixture, V2_1470Bytes_OneFrame) {
  // MicroPython's default rxbuf (526) is sized for v1; a 1470-byte message needs more.
  ASSERT_EQ(slave.e.config({.rxbuf = 2048}), Status::Ok());
  InitPair({.ifidx = port::Interface::kAccessPoint, .version = espnow::Version::kV2},
           {.ifidx = port::Interface::kAccessPoint, .version = espnow::Version::kV2});
  Bytes big(espnow::kMaxPayloadV2);
  for (size_t i = 0; i < big.size(); ++i) big[i] = std::byte(i * 31 + 7);
  EXPECT_EQ(master.e.send(kSlave, Span(big), true).value(), true);
  Message m = slave.e.irecv(0).value();
  ASSERT_TRUE(m.msg.has_value());
  AIRLAB_EXPECT_BYTES_EQ(*m.msg, big);
  const auto frames = air.EspNowFrom(master.node);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].mpdu.size(), espnow::EncodedSize(big.size(), false));
  // A v1 peer cannot take it.
  ASSERT_EQ(master.e.mod_peer(kSlave, {.version = espnow::Version::kV1}), Status::Ok());
  EXPECT_EQ(master.e.send(kSlave, Span(big), true).status(), Status::InvalidArgument());
}

TEST_F(SimFixture, Encrypted_ProtectedOnTheAir_DeliveredDecrypted) {
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.init(), Status::Ok());
  for (Board* b : {&master, &slave}) ASSERT_EQ(b->e.set_pmk(KeyOf(0x42)), Status::Ok());
  ASSERT_EQ(master.e.add_peer(kSlave, {.lmk = KeyOf(0x17), .ifidx = port::Interface::kAccessPoint}),
            Status::Ok());
  ASSERT_EQ(slave.e.add_peer(kMaster, {.lmk = KeyOf(0x17), .ifidx = port::Interface::kAccessPoint}),
            Status::Ok());
  EXPECT_EQ(master.e.send(kSlave, "attack at dawn", true).value(), true);
  Message m = slave.e.irecv(0).value();
  EXPECT_EQ(Text(m.msg), "attack at dawn");
  EXPECT_TRUE(m.encrypted);
  const auto frames = air.EspNowFrom(master.node);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_TRUE(espnow::FrameView::Parse(Span(frames[0].mpdu)).value().encrypted());
  const std::string text = "attack at dawn";
  EXPECT_EQ(std::search(frames[0].mpdu.begin(), frames[0].mpdu.end(),
                        reinterpret_cast<const std::byte*>(text.data()),
                        reinterpret_cast<const std::byte*>(text.data()) + text.size()),
            frames[0].mpdu.end());
}

TEST_F(SimFixture, WrongLmk_AckedButRejectedAndCounted) {
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.init(), Status::Ok());
  ASSERT_EQ(master.e.add_peer(kSlave, {.lmk = KeyOf(0x17), .ifidx = port::Interface::kAccessPoint}),
            Status::Ok());
  ASSERT_EQ(slave.e.add_peer(kMaster, {.lmk = KeyOf(0x18), .ifidx = port::Interface::kAccessPoint}),
            Status::Ok());
  // The MAC acknowledges before ESP-NOW looks at the frame (espressif/esp-idf#9545).
  EXPECT_EQ(master.e.send(kSlave, "secret", true).value(), true);
  EXPECT_FALSE(slave.e.any().value());
  EXPECT_EQ(slave.link().stats().rx_auth_failures, 1u);
  EXPECT_EQ(slave.link().PeerStats(kMaster).value().rx_auth_failures, 1u);
  EXPECT_EQ(slave.e.stats().rx_packets, 0u);
}

TEST_F(SimFixture, ReplayedFrameOnTheAir_DroppedAndCounted) {
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.init(), Status::Ok());
  ASSERT_EQ(master.e.add_peer(kSlave, {.lmk = KeyOf(0x17), .ifidx = port::Interface::kAccessPoint}),
            Status::Ok());
  ASSERT_EQ(slave.e.add_peer(kMaster, {.lmk = KeyOf(0x17), .ifidx = port::Interface::kAccessPoint}),
            Status::Ok());
  EXPECT_EQ(master.e.send(kSlave, "open the door", true).value(), true);
  EXPECT_EQ(master.e.send(kSlave, "close the door", true).value(), true);
  const auto frames = air.EspNowFrom(master.node);
  ASSERT_EQ(frames.size(), 2u);
  const Bytes captured = frames[0].mpdu;  // "open the door", PN 1
  EXPECT_EQ(espnow::CcmpPacketNumber(Span(captured)).value(), 1u);

  // An attacker's radio nearby puts the captured bytes back on the air.
  const uint32_t attacker = sim.AddNode({.position = {5, 5, 0}});
  ASSERT_TRUE(sim.radio(attacker).Transmit(Span(captured), {.no_ack = true}).ok());
  sim.RunFor(50 * port::kMillisecond);
  const auto replayed = air.EspNowFrom(attacker);
  ASSERT_EQ(replayed.size(), 1u);
  ASSERT_NE(std::find(replayed[0].decoded_by.begin(), replayed[0].decoded_by.end(), slave.node),
            replayed[0].decoded_by.end());  // the slave's radio took it

  EXPECT_EQ(Text(slave.e.irecv(0).value().msg), "open the door");
  EXPECT_EQ(Text(slave.e.irecv(0).value().msg), "close the door");
  EXPECT_FALSE(slave.e.any().value());
  EXPECT_EQ(slave.link().stats().rx_replayed, 1u);
  EXPECT_EQ(slave.link().stats().rx_duplicates, 0u);
}

// A peer out of range: every frame is sent 1 + max_retries times, then reported failed.
TEST(SimOutOfRange, FailedSendsAfterExactlyTheConfiguredRetries) {
  for (uint8_t retries : {uint8_t{3}, port::kDefaultMaxRetries}) {
    SCOPED_TRACE(retries);
    sim::Simulation sim({.seed = kSeed});
    AirLog air(sim);
    Board master(sim, kMaster, {0, 0, 0}, {.max_retries = retries});
    Board far(sim, kSlave, {5000, 0, 0});
    ASSERT_EQ(master.e.init(), Status::Ok());
    ASSERT_EQ(far.e.init(), Status::Ok());
    ASSERT_EQ(master.e.add_peer(kSlave, kOnAp), Status::Ok());
    EXPECT_EQ(master.e.send(kSlave, "hello?", true).value(), false);
    EXPECT_EQ(master.e.send(kSlave, "anyone?", true).value(), false);
    EXPECT_EQ(master.e.stats(), (Stats{2, 2, 2, 0, 0}));
    const auto frames = air.EspNowFrom(master.node);
    ASSERT_EQ(frames.size(), 2u * (retries + 1));
    for (size_t i = 0; i < frames.size(); ++i) {
      EXPECT_EQ(frames[i].retry, i % (retries + 1) != 0) << i;  // first attempt, then retries
      EXPECT_TRUE(frames[i].decoded_by.empty());
    }
    // The report tells the attempts too.
    struct Reports final : espnow::LinkListener {
      std::vector<espnow::SendReport> all;
      void OnReceive(const espnow::ReceivedInfo&) override {}
      void OnSendDone(const espnow::SendReport& r) override { all.push_back(r); }
    };
    Reports reports;
    master.link().SetListener(&reports);
    ASSERT_TRUE(master.link().Send(kSlave, {}).ok());
    sim.RunFor(port::kSecond);
    master.link().SetListener(nullptr);
    ASSERT_EQ(reports.all.size(), 1u);
    EXPECT_EQ(reports.all[0].delivery, espnow::Delivery::kNoAck);
    EXPECT_EQ(reports.all[0].attempts, retries + 1);
  }
}

// tshark, reading the same air from a pcapng file, counts the same attempts.
TEST(SimOutOfRange, TsharkSeesFirstAttemptAndRetries) {
  testing_tools::TempDir dir;
  const std::string file = dir.File("air.pcapng");
  {
    sim::Simulation sim({.seed = kSeed});
    host::AirCapture tap(sim, file);
    Board master(sim, kMaster, {0, 0, 0}, {.max_retries = 4});
    Board far(sim, kSlave, {5000, 0, 0});
    ASSERT_EQ(master.e.init(), Status::Ok());
    ASSERT_EQ(master.e.add_peer(kSlave, kOnAp), Status::Ok());
    EXPECT_EQ(master.e.send(kSlave, "hello?", true).value(), false);
    tap.Close();
  }
  const testing_tools::CommandResult r =
      testing_tools::RunCommand("tshark -r " + file +
                                " -Y 'wlan.fixed.category_code == 127' -T fields -e wlan.sa "
                                "-e wlan.fc.retry");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> lines = testing_tools::Split(r.out, '\n');
  ASSERT_EQ(lines.size(), 5u) << r.out;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::vector<std::string> f = testing_tools::Split(lines[i], '\t');
    ASSERT_EQ(f.size(), 2u) << lines[i];
    EXPECT_EQ(f[0], "4c:11:ae:89:bd:d5");
    const bool retry = f[1] == "1" || f[1] == "True";
    EXPECT_EQ(retry, i != 0) << lines[i];
  }
}

// The receiver's ACKs do not reach the sender (it sends too weakly): the sender retries,
// the receiver hears every copy, and delivers the message once.
TEST_F(SimFixture, LostAcks_RetransmissionsDeliveredOnce) {
  InitPair();
  sim.SetTxPower(slave.node, -30.0);  // its ACKs fade out before the master
  EXPECT_EQ(master.e.send(kSlave, "only once", true).value(), false);
  const auto frames = air.EspNowFrom(master.node);
  ASSERT_EQ(frames.size(), 1u + port::kDefaultMaxRetries);
  size_t heard = 0;
  for (const auto& f : frames) {
    heard += std::count(f.decoded_by.begin(), f.decoded_by.end(), slave.node);
  }
  ASSERT_GE(heard, 2u);  // the test needs retransmissions that arrived
  EXPECT_EQ(Text(slave.e.irecv(0).value().msg), "only once");
  EXPECT_FALSE(slave.e.any().value());
  EXPECT_EQ(slave.link().stats().rx_packets, 1u);
  EXPECT_EQ(slave.link().stats().rx_duplicates, heard - 1);
}

TEST_F(SimFixture, ReceiveQueueOverflow_CountedAsDropped) {
  ASSERT_EQ(slave.e.config({.rxbuf = 3 * (espnow::Stack::kRxRecordOverhead + 10)}), Status::Ok());
  InitPair();
  for (int i = 0; i < 8; ++i) {
    // The MAC acknowledges what ESP-NOW then drops: every send succeeds.
    EXPECT_EQ(master.e.send(kSlave, "0123456789", true).value(), true);
  }
  EXPECT_EQ(slave.e.stats(), (Stats{0, 0, 0, 3, 5}));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Text(slave.e.irecv(0).value().msg), "0123456789");
  EXPECT_FALSE(slave.e.any().value());
}

TEST_F(SimFixture, PeerLimits_TwentyFirstAndSeventhEncryptedRefused) {
  ASSERT_EQ(master.e.init(), Status::Ok());
  auto nth = [](int i) { return MacAddress({0x02, 0, 0, 0, 1, static_cast<uint8_t>(i)}); };
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(master.e.add_peer(nth(i), {.lmk = KeyOf(static_cast<uint8_t>(i))}), Status::Ok());
  }
  Status seventh = master.e.add_peer(nth(6), {.lmk = KeyOf(6)});
  EXPECT_EQ(seventh, Status::ResourceExhausted());
  EXPECT_EQ(espnow::OsErrorNumber(seventh, espnow::Operation::kPeer), espnow::kEspErrEspNowFull);
  for (int i = 6; i < 20; ++i) ASSERT_EQ(master.e.add_peer(nth(i)), Status::Ok());
  Status twenty_first = master.e.add_peer(nth(20));
  EXPECT_EQ(twenty_first, Status::ResourceExhausted());
  EXPECT_EQ(espnow::OsErrorNumber(twenty_first, espnow::Operation::kPeer),
            espnow::kEspErrEspNowFull);
  EXPECT_EQ(master.e.peer_count().value(), (espnow::PeerCount{20, 6}));
}

// The lab's scripts, call for call: master_setup.py and slave_setup.py, then
// slave_send.py (five messages, sync, 200 ms apart) and master_cloud_from_slave.py
// (clear, then poll and iterate, posting each new message). The master's loop never ends
// on a board; here it stops when the five messages are in.
TEST_F(SimFixture, LabScripts_SlaveSendsZeroToFour_MasterPollsAndIterates) {
  // setup: e = espnow.ESPNow(); e.init(); e.add_peer(peer, ifidx=network.AP_IF)
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(master.e.add_peer(kSlave, {.ifidx = port::Interface::kAccessPoint}), Status::Ok());
  ASSERT_EQ(slave.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.add_peer(kMaster, {.ifidx = port::Interface::kAccessPoint}), Status::Ok());
  // master: e.clear(True)
  ASSERT_EQ(master.e.clear(true), Status::Ok());
  // slave: for i in range(5): ok = e.send(peer, str(i), True) / while not ok / sleep(0.2)
  std::vector<port::TimeNs> sent_at;
  for (int i = 0; i < 5; ++i) {
    const std::string text = std::to_string(i);
    Result<bool> ok = slave.e.send(kMaster, text, true);
    for (int tries = 1; ok.ok() && !*ok && tries < 10; ++tries) {
      ok = slave.e.send(kMaster, text, true);
    }
    ASSERT_TRUE(ok.ok());
    sent_at.push_back(sim.now());
    sim.RunFor(200 * port::kMillisecond);  // time.sleep(0.2)
  }
  // master: while True: if e.poll(): last = None; for host, msg in e: ...
  std::vector<std::string> posted;
  int steps = 0;  // a bound, so that a bug fails the test instead of hanging it
  while (posted.size() < 5 && ++steps < 50) {
    if (master.e.poll().value()) {
      std::optional<std::string> last;
      for (auto [host, msg] : master.e) {
        if (msg && Text(msg) != last) {
          last = Text(msg);
          posted.push_back(*last);  // post_thingspeak("E13B...", [msg])
          EXPECT_EQ(*host, kSlave);
        }
        if (posted.size() == 5 || ++steps >= 50) break;
      }
    }
  }
  EXPECT_EQ(posted, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
  EXPECT_EQ(slave.e.stats(), (Stats{5, 5, 0, 0, 0}));
  EXPECT_EQ(master.e.stats(), (Stats{0, 0, 0, 5, 0}));
  // 200 ms apart, plus one exchange's airtime.
  for (size_t i = 1; i < sent_at.size(); ++i) {
    EXPECT_GT(sent_at[i] - sent_at[i - 1], 200 * port::kMillisecond);
    EXPECT_LT(sent_at[i] - sent_at[i - 1], 210 * port::kMillisecond);
  }
}

// The same exchange with both sides live: the slave's sends are events on the simulated
// clock, and the master sits in `for host, msg in e`, each step waiting on the air.
TEST_F(SimFixture, LabScripts_MasterIteratesWhileSlaveSends) {
  InitPair();
  ASSERT_EQ(master.e.clear(true), Status::Ok());
  for (int i = 0; i < 5; ++i) {
    sim.scheduler().ScheduleAt((i + 1) * 200 * port::kMillisecond, [this, i] {
      EXPECT_EQ(slave.e.send(kMaster, std::to_string(i), false).value(), true);
    });
  }
  std::vector<std::string> got;
  std::vector<port::TimeNs> at;
  int steps = 0;
  for (auto [host, msg] : master.e) {
    if (msg) {
      got.push_back(Text(msg));
      at.push_back(sim.now());
    }
    if (got.size() == 5 || ++steps > 20) break;
  }
  EXPECT_EQ(got, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
  // Each message was taken as it arrived, not after the fact.
  for (size_t i = 0; i < at.size(); ++i) {
    EXPECT_GE(at[i], static_cast<port::TimeNs>(i + 1) * 200 * port::kMillisecond);
    EXPECT_LT(at[i],
              static_cast<port::TimeNs>(i + 1) * 200 * port::kMillisecond + 5 * port::kMillisecond);
  }
}

// master_cloud_to_slave.py + slave_receive.py: the master sends each new value, retrying
// until acknowledged; the slave prints the changes.
TEST_F(SimFixture, LabScripts_MasterSendsChanges_SlaveReceives) {
  InitPair();
  ASSERT_EQ(slave.e.clear(true), Status::Ok());
  std::string last_sent;
  for (const char* data : {"17.5", "17.5", "18.0", "18.0", "18.5"}) {  // get_thingspeak("179")
    if (data != last_sent) {
      last_sent = data;
      Result<bool> ok = master.e.send(kSlave, last_sent, true);
      for (int tries = 1; ok.ok() && !*ok && tries < 10; ++tries) {
        ok = master.e.send(kSlave, last_sent, true);
      }
      ASSERT_TRUE(ok.ok());
    }
    sim.RunFor(port::kSecond);  // time.sleep(1)
  }
  std::vector<std::string> printed;
  ASSERT_TRUE(slave.e.poll().value());
  std::optional<std::string> last;
  for (auto [host, msg] : slave.e) {
    if (!msg) break;  // the board would wait on; nothing more will come
    if (Text(msg) != last) {
      last = Text(msg);
      printed.push_back(*last);  // print(msg)
    }
  }
  EXPECT_EQ(printed, (std::vector<std::string>{"17.5", "18.0", "18.5"}));
}

}  // namespace
}  // namespace airlab
