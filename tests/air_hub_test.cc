// `airlab air` end to end: the built airlab binary runs the hub; the test's clients (in
// threads, and a child process) put ESP-NOW boards on its air through HubClient and run
// the unchanged espnow::Stack and ESPNow facade on HubRadio. A sniffer client watches the
// air; tshark reads the hub's pcapng of the same air as an independent check.

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/espnow/espnow.h"
#include "core/espnow/stack.h"
#include "core/wire/dot11.h"
#include "platform/air/client.h"
#include "platform/air/protocol.h"
#include "platform/air/socket.h"
#include "platform/mbedtls/mbedtls_aes128.h"
#include "tests/child_process.h"
#include "tests/espnow_tools.h"
#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab {
namespace {

using espnow::Message;
using testing_tools::AirlabBinary;
using testing_tools::TempDir;
using Bytes = std::vector<std::byte>;
using port::kMillisecond;
using port::kSecond;
using port::TimeNs;

constexpr MacAddress kMaster({0x4c, 0x11, 0xae, 0x89, 0xbd, 0xd5});
constexpr MacAddress kSlave({0x4c, 0x11, 0xae, 0x89, 0xbc, 0x95});
constexpr MacAddress kThird({0x4c, 0x11, 0xae, 0x89, 0xaa, 0x01});
constexpr MacAddress kAbsent({0x4c, 0x11, 0xae, 0x00, 0x00, 0x99});

std::string Mac(const MacAddress& mac) {
  char text[MacAddress::kStringSize + 1];
  mac.Format(text);
  return text;
}

std::string Text(const std::optional<ByteSpan>& msg) {
  return msg ? std::string(reinterpret_cast<const char*>(msg->data()), msg->size()) : "<None>";
}

// `airlab air --port 0` in a child process, once it has said where it listens.
class HubProcess {
 public:
  explicit HubProcess(const TempDir& dir, std::vector<std::string> extra = {})
      : process_(Args(std::move(extra)), dir.File("hub.out")) {
    const std::string marker = "the air is on 127.0.0.1:";
    for (int i = 0; i < 3000 && process_.running(); ++i) {
      const std::string text = process_.output();
      if (size_t at = text.find(marker);
          at != std::string::npos && text.find('\n', at) != std::string::npos) {
        port_ = std::stoi(text.substr(at + marker.size()));
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw std::runtime_error("airlab air did not start: " + process_.output());
  }

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  uint16_t port() const { return static_cast<uint16_t>(port_); }
  std::string output() const { return process_.output(); }
  bool alive() const { return process_.running(); }
  // SIGTERM, as Ctrl-C would; the exit code (-1 when it died otherwise).
  int Stop() { return process_.Stop(SIGTERM, std::chrono::seconds(60)); }

 private:
  static std::vector<std::string> Args(std::vector<std::string> extra) {
    std::vector<std::string> args = {"air", "--port", "0", "--refresh", "200"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  testing_tools::ChildProcess process_;
  int port_ = 0;
};

// A board of the lab on the shared air: its own connection, a node, the Stack and the
// MicroPython facade, all unchanged from the sim.
struct Board {
  Board(const std::string& hub, const std::string& name, const MacAddress& mac,
        sim::Position position)
      : client(hub, name),
        radio(client.AddNode({.name = name, .mac = mac, .position = position})),
        waiter(client.NewWaiter()),
        rng(mac[5]),
        stack(*radio, rng, aes),
        e(stack, client.clock(), *waiter) {}

  air::HubClient client;
  std::unique_ptr<air::HubRadio> radio;
  std::unique_ptr<port::Waiter> waiter;
  port::SplitMix64 rng;
  mbedtls::MbedtlsAes128 aes;
  espnow::StaticStack<> stack;
  espnow::ESPNow e;
};

// Every frame the sniffer client got, and the nodes it was told about.
class AirRecorder final : public air::AirListener {
 public:
  struct Frame {
    uint32_t transmitter;
    Bytes mpdu;
    bool retry;
    std::vector<sim::TapReception> receptions;
    MacAddress addr1() const { return MacAddress::FromBytes(ByteSpan(mpdu).subspan(4, 6)); }
    bool is_ack() const { return mpdu.size() == 10 && std::to_integer<uint8_t>(mpdu[0]) == 0xd4; }
    bool from(const MacAddress& mac) const {
      return mpdu.size() >= 16 && MacAddress::FromBytes(ByteSpan(mpdu).subspan(10, 6)) == mac;
    }
  };
  void OnAirFrame(const sim::TapFrame& f) override {
    frames.push_back({f.transmitter, Bytes(f.mpdu.begin(), f.mpdu.end()), f.retry,
                      std::vector<sim::TapReception>(f.receptions.begin(), f.receptions.end())});
  }
  void OnNode(const air::NodeInfo& n) override { nodes.push_back(n); }

  size_t Count(auto predicate) const {
    return std::count_if(frames.begin(), frames.end(), predicate);
  }
  const air::NodeInfo* Node(const MacAddress& mac, bool live) const {
    for (const air::NodeInfo& n : nodes) {
      if (n.spec.mac == mac && n.live == live) return &n;
    }
    return nullptr;
  }

  std::vector<Frame> frames;
  std::vector<air::NodeInfo> nodes;
};

struct Sniffer {
  explicit Sniffer(const std::string& hub) : client(hub, "sniffer") { client.Sniff(&recorder); }
  // Runs the client until `done` holds, for at most `limit` of air time.
  bool RunUntil(auto done, TimeNs limit = 10 * kSecond) {
    const TimeNs end = client.clock().Now() + limit;
    while (!done()) {
      if (client.clock().Now() >= end) return false;
      if (client.RunFor(5 * kMillisecond) == Status::Unavailable()) return done();
    }
    return true;
  }
  air::HubClient client;
  AirRecorder recorder;
};

// What the hub answers a client that asks for a node with `mac`, which is taken.
std::string TakenMacRefusal(const std::string& hub, const MacAddress& mac) {
  try {
    Board twin(hub, "twin", mac, {1, 1, 0});
  } catch (const air::HubError& e) {
    EXPECT_EQ(e.status(), Status::AlreadyExists());
    return e.what();
  }
  ADD_FAILURE() << "a second node with " << Mac(mac) << " was accepted";
  return "";
}

void InitPair(Board& master, Board& slave) {
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(slave.e.init(), Status::Ok());
  ASSERT_EQ(master.e.add_peer(kSlave), Status::Ok());
  ASSERT_EQ(slave.e.add_peer(kMaster), Status::Ok());
}

// ---------------------------------------------------------------------------------------

TEST(AirHub, Unicast_IsAckedAndAnsweredByAnotherClient) {
  TempDir dir;
  HubProcess hub(dir);
  Board master(hub.address(), "master", kMaster, {0, 0, 0});
  constexpr int kCount = 5;

  // The slave answers from its own thread and connection: another board in the room.
  std::promise<void> ready;
  std::string slave_failure;
  std::thread slave_thread([&] {
    try {
      Board slave(hub.address(), "slave", kSlave, {10, 0, 0});
      if (slave.e.init() != Status::Ok() || slave.e.add_peer(kMaster) != Status::Ok())
        throw std::runtime_error("init");
      ready.set_value();
      for (int i = 0; i < kCount; ++i) {
        Result<Message> m = slave.e.irecv(10'000);
        if (!m.ok() || !m->mac) throw std::runtime_error("no message " + std::to_string(i));
        const std::string answer = "echo " + Text(m->msg);
        if (!slave.e.send(kMaster, answer, true).value_or(false))
          throw std::runtime_error("echo not acked");
      }
    } catch (const std::exception& e) {
      slave_failure = e.what();
    }
  });
  ready.get_future().wait();

  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(master.e.add_peer(kSlave), Status::Ok());
  for (int i = 0; i < kCount; ++i) {
    const std::string ping = "ping " + std::to_string(i);
    EXPECT_EQ(master.e.send(kSlave, ping, true).value_or(false), true) << ping;
    Result<Message> m = master.e.irecv(10'000);
    ASSERT_TRUE(m.ok());
    ASSERT_TRUE(m->mac.has_value()) << "no echo for " << ping;
    EXPECT_EQ(*m->mac, kSlave);
    EXPECT_EQ(Text(m->msg), "echo " + ping);
    EXPECT_FALSE(m->broadcast);
    // 10 m apart at 16 dBm: a strong signal, well above the noise floor.
    EXPECT_LT(m->rssi_dbm, -20);
    EXPECT_GT(m->rssi_dbm, -80);
  }
  slave_thread.join();
  EXPECT_EQ(slave_failure, "");
  const espnow::Stats stats = master.e.stats();
  EXPECT_EQ(stats.tx_pkts, kCount);
  EXPECT_EQ(stats.tx_responses, kCount);
  EXPECT_EQ(stats.tx_failures, 0u);
  EXPECT_EQ(stats.rx_packets, kCount);
}

TEST(AirHub, Broadcast_ReachesTheOtherClient) {
  TempDir dir;
  HubProcess hub(dir);
  Board master(hub.address(), "master", kMaster, {0, 0, 0});
  Board slave(hub.address(), "slave", kSlave, {10, 0, 0});
  InitPair(master, slave);
  ASSERT_EQ(slave.e.add_peer(MacAddress::Broadcast()), Status::Ok());

  // A broadcast is sent once and never acknowledged: "sent" is its success.
  EXPECT_EQ(slave.e.send(MacAddress::Broadcast(), "hello all", true).value_or(false), true);
  Result<Message> m = master.e.irecv(10'000);
  ASSERT_TRUE(m.ok() && m->mac.has_value());
  EXPECT_EQ(*m->mac, kSlave);
  EXPECT_EQ(Text(m->msg), "hello all");
  EXPECT_TRUE(m->broadcast);
  EXPECT_EQ(slave.e.stats().tx_failures, 0u);
}

TEST(AirHub, SendToAPeerNotOnTheAir_FailsAfterEveryAttempt) {
  TempDir dir;
  HubProcess hub(dir);
  Sniffer sniffer(hub.address());
  Board master(hub.address(), "master", kMaster, {0, 0, 0});
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(master.e.add_peer(kAbsent), Status::Ok());

  EXPECT_EQ(master.e.send(kAbsent, "anyone?", true).value_or(true), false);
  const espnow::Stats stats = master.e.stats();
  EXPECT_EQ(stats.tx_responses, 1u);
  EXPECT_EQ(stats.tx_failures, 1u);
  EXPECT_EQ(master.stack->PeerStats(kAbsent).value().tx_failures, 1u);

  // The air saw the frame 7 times (6 retries with the retry bit) and no ACK.
  auto to_absent = [](const AirRecorder::Frame& f) { return !f.is_ack() && f.addr1() == kAbsent; };
  ASSERT_TRUE(sniffer.RunUntil([&] { return sniffer.recorder.Count(to_absent) >= 7; }));
  sniffer.client.RunFor(50 * kMillisecond).IgnoreError();
  EXPECT_EQ(sniffer.recorder.Count(to_absent), 7u);
  EXPECT_EQ(sniffer.recorder.Count([&](const auto& f) { return to_absent(f) && f.retry; }), 6u);
  EXPECT_EQ(sniffer.recorder.Count([](const auto& f) { return f.is_ack(); }), 0u);
}

TEST(AirHub, Sniffer_SeesEveryFrameTheOthersExchanged) {
  TempDir dir;
  const std::string pcap = dir.File("air.pcapng");
  HubProcess hub(dir, {"--pcap", pcap});
  Sniffer sniffer(hub.address());  // before anyone transmits
  Board master(hub.address(), "master", kMaster, {0, 0, 0});
  Board slave(hub.address(), "slave", kSlave, {10, 0, 0});
  InitPair(master, slave);
  ASSERT_EQ(slave.e.add_peer(MacAddress::Broadcast()), Status::Ok());

  constexpr size_t kUnicasts = 4, kBroadcasts = 3;
  for (size_t i = 0; i < kUnicasts; ++i) {
    ASSERT_EQ(master.e.send(kSlave, "u" + std::to_string(i), true).value_or(false), true);
  }
  for (size_t i = 0; i < kBroadcasts; ++i) {
    ASSERT_EQ(slave.e.send(MacAddress::Broadcast(), "b" + std::to_string(i), true).value_or(false),
              true);
  }
  for (size_t i = 0; i < kUnicasts; ++i) ASSERT_TRUE(slave.e.irecv(10'000).value().mac.has_value());
  for (size_t i = 0; i < kBroadcasts; ++i)
    ASSERT_TRUE(master.e.irecv(10'000).value().mac.has_value());

  // Every unicast once on the air and ACKed (no retries on a quiet air at 10 m), every
  // broadcast once; each decoded by the other board.
  const AirRecorder& air = sniffer.recorder;
  const size_t expected = 2 * kUnicasts + kBroadcasts;
  ASSERT_TRUE(sniffer.RunUntil([&] { return air.frames.size() >= expected; }));
  sniffer.client.RunFor(50 * kMillisecond).IgnoreError();
  ASSERT_EQ(air.frames.size(), expected);
  EXPECT_EQ(air.Count([](const auto& f) { return f.from(kMaster) && f.addr1() == kSlave; }),
            kUnicasts);
  EXPECT_EQ(air.Count([](const auto& f) { return f.is_ack() && f.addr1() == kMaster; }), kUnicasts);
  EXPECT_EQ(air.Count([](const auto& f) { return f.from(kSlave) && f.addr1().is_broadcast(); }),
            kBroadcasts);
  for (const AirRecorder::Frame& f : air.frames) {
    const uint32_t other =
        f.transmitter == master.radio->node() ? slave.radio->node() : master.radio->node();
    auto rx = std::find_if(f.receptions.begin(), f.receptions.end(),
                           [&](const auto& r) { return r.node == other; });
    ASSERT_NE(rx, f.receptions.end());
    EXPECT_EQ(rx->outcome, sim::RxOutcome::kReceived);
  }
  // The sniffer was told who is on the air.
  const air::NodeInfo* m = air.Node(kMaster, true);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->spec.name, "master");
  EXPECT_EQ(m->client, "master");
  EXPECT_EQ(m->node, master.radio->node());
  ASSERT_NE(air.Node(kSlave, true), nullptr);

  // tshark reads the hub's capture of the same air: the same frames, in the same order.
  ASSERT_EQ(hub.Stop(), 0);
  EXPECT_NE(hub.output().find("wrote " + std::to_string(expected) + " frames"), std::string::npos)
      << hub.output();
  const testing_tools::CommandResult r =
      testing_tools::RunCommand("tshark -r " + pcap + " -T fields -e wlan.ra");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string seen;
  for (const AirRecorder::Frame& f : air.frames) seen += Mac(f.addr1()) + "\n";
  EXPECT_EQ(r.out, seen);
}

TEST(AirHub, ClientKilledMidRun_LeavesTheHubServing) {
  TempDir dir;
  HubProcess hub(dir);
  // The child forks before this process starts any thread (a HubClient has one).
  testing_tools::ChildProcess child([&] {
    try {
      Board doomed(hub.address(), "doomed", kThird, {5, 5, 0});
      if (doomed.e.init().ok() && doomed.e.add_peer(MacAddress::Broadcast()).ok()) {
        while (true) {
          doomed.e.send(MacAddress::Broadcast(), "tick", true).IgnoreError();
          doomed.client.RunFor(2 * kMillisecond).IgnoreError();
        }
      }
    } catch (...) {
    }
    return 3;
  });

  Sniffer sniffer(hub.address());
  const AirRecorder& air = sniffer.recorder;
  auto from_doomed = [](const AirRecorder::Frame& f) { return f.from(kThird); };
  ASSERT_TRUE(sniffer.RunUntil([&] { return air.Count(from_doomed) >= 3; }));
  child.Kill();

  // The hub notices, takes the node off the air and goes on.
  ASSERT_TRUE(sniffer.RunUntil([&] { return air.Node(kThird, false) != nullptr; }));
  const size_t frames_then = air.Count(from_doomed);
  Board master(hub.address(), "master", kMaster, {0, 0, 0});
  Board slave(hub.address(), "slave", kSlave, {10, 0, 0});
  InitPair(master, slave);
  EXPECT_EQ(master.e.send(kSlave, "still here?", true).value_or(false), true);
  Result<Message> m = slave.e.irecv(10'000);
  ASSERT_TRUE(m.ok() && m->mac.has_value());
  EXPECT_EQ(Text(m->msg), "still here?");
  sniffer.client.RunFor(20 * kMillisecond).IgnoreError();
  EXPECT_EQ(air.Count(from_doomed), frames_then);
  // Its address is free again.
  const sim::Position there{5, 5, 0};
  EXPECT_NO_THROW(Board(hub.address(), "again", kThird, there));
  EXPECT_TRUE(hub.alive());
}

// A client speaking the protocol by hand, to send what HubClient never would.
class RawClient {
 public:
  explicit RawClient(uint16_t port) : socket_(air::ConnectLoopback(port)) {}
  void SendBytes(const Bytes& bytes) {
    ASSERT_EQ(::send(socket_.fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  void Send(const air::Message& m) {
    Bytes bytes;
    air::Encode(m, bytes);
    SendBytes(bytes);
  }
  // The next message other than Time; nullopt when the hub closed the connection.
  std::optional<air::Message> Next() {
    Bytes body;
    while (true) {
      while (framer_.Next(body).ok()) {
        std::string error;
        std::optional<air::Message> m = air::Decode(body, error);
        EXPECT_TRUE(m.has_value()) << error;
        if (m && !std::holds_alternative<air::Time>(*m)) return m;
      }
      std::byte buffer[4096];
      const ssize_t n = ::recv(socket_.fd(), buffer, sizeof buffer, 0);
      if (n <= 0) return std::nullopt;
      framer_.Append(ByteSpan(buffer, static_cast<size_t>(n)));
    }
  }
  template <typename T>
  T Expect() {
    std::optional<air::Message> m = Next();
    if (!m || !std::holds_alternative<T>(*m)) {
      ADD_FAILURE() << "expected " << air::MessageName(air::Message(T{})) << ", got "
                    << (m ? air::MessageName(*m) : "the connection closed");
      return T{};
    }
    return std::get<T>(*m);
  }

 private:
  air::Socket socket_;
  air::Framer framer_;
};

// A length prefix that may lie, then `body`.
Bytes Framed(uint32_t length, const Bytes& body) {
  Bytes out(4 + body.size());
  store_le32(out, 0, length);
  std::copy(body.begin(), body.end(), out.begin() + 4);
  return out;
}

TEST(AirHub, BadMessages_GetAnErrorAndTheHubKeepsServing) {
  TempDir dir;
  HubProcess hub(dir);
  Board master(hub.address(), "master", kMaster, {0, 0, 0});
  Board slave(hub.address(), "slave", kSlave, {10, 0, 0});
  InitPair(master, slave);

  {  // Anything before Hello: an Error, then the hub hangs up.
    RawClient raw(hub.port());
    raw.Send(air::Sniff{1, true});
    EXPECT_NE(raw.Expect<air::Error>().message.find("the first message must be Hello"),
              std::string::npos);
    EXPECT_FALSE(raw.Next().has_value());
  }
  {  // Another protocol version.
    RawClient raw(hub.port());
    raw.Send(air::Hello{99, "future"});
    const air::Error e = raw.Expect<air::Error>();
    EXPECT_EQ(e.status, Status::FailedPrecondition());
    EXPECT_NE(e.message.find("version 1 and the client version 99"), std::string::npos)
        << e.message;
    EXPECT_FALSE(raw.Next().has_value());
  }
  {  // A session that sends nonsense in good frames goes on.
    RawClient raw(hub.port());
    raw.Send(air::Hello{air::kProtocolVersion, "raw"});
    EXPECT_EQ(raw.Expect<air::Welcome>().version, air::kProtocolVersion);
    raw.SendBytes(Framed(3, {std::byte{0x7f}, std::byte{1}, std::byte{2}}));
    EXPECT_EQ(raw.Expect<air::Error>().message,
              "malformed message: unknown message type 0x7f; ignored");
    raw.SendBytes(
        Framed(5, {std::byte{0x02}, std::byte{1}, std::byte{0}, std::byte{0}, std::byte{0}}));
    EXPECT_NE(raw.Expect<air::Error>().message.find("AddNode message truncated"),
              std::string::npos);
    raw.Send(air::Transmit{master.radio->node(), {}, Bytes(24, std::byte{0})});
    EXPECT_NE(raw.Expect<air::Error>().message.find("is not one of this client's nodes"),
              std::string::npos);
    raw.Send(air::AddNode{7, {"impostor", kMaster, {}, 1, 16}});
    const air::Reply taken = raw.Expect<air::Reply>();
    EXPECT_EQ(taken.request, 7u);
    EXPECT_EQ(taken.status, Status::AlreadyExists());
    EXPECT_NE(taken.message.find("node 'master' of client 'master'"), std::string::npos)
        << taken.message;
    raw.Send(air::AddNode{8, {"third", kThird, {}, 15, 16}});
    EXPECT_EQ(raw.Expect<air::Reply>().status, Status::InvalidArgument());
    raw.Send(air::AddNode{9, {"third", kThird, {}, 6, 16}});
    const air::Reply added = raw.Expect<air::Reply>();
    EXPECT_EQ(added.request, 9u);
    EXPECT_EQ(added.status, Status::Ok()) << added.message;
    // A length that cannot be framed ends the session.
    raw.SendBytes(Framed(0xffffffff, {}));
    EXPECT_NE(raw.Expect<air::Error>().message.find("outside 1..262144"), std::string::npos);
    EXPECT_FALSE(raw.Next().has_value());
  }
  // Through the client API, a taken MAC is a HubError that says who has it.
  const std::string refusal = TakenMacRefusal(hub.address(), kSlave);
  EXPECT_NE(refusal.find("node 'slave' of client 'slave'"), std::string::npos) << refusal;

  // Meanwhile the boards on the air were not disturbed.
  EXPECT_EQ(master.e.send(kSlave, "all good", true).value_or(false), true);
  Result<Message> m = slave.e.irecv(10'000);
  ASSERT_TRUE(m.ok() && m->mac.has_value());
  EXPECT_EQ(Text(m->msg), "all good");
  EXPECT_TRUE(hub.alive());
}

TEST(AirHub, ScenarioNodes_ShareTheAirWithClients) {
  TempDir dir;
  const std::string room = dir.File("room.toml");
  const std::string toml =
      "seed = 3\n"
      "duration = \"60s\"\n"
      "[[node]]\n"
      "name = \"sensor\"\n"
      "mac = \"02:5e:00:00:00:01\"\n"
      "position = [2, 0]\n"
      "[[node.traffic]]\n"
      "to = \"broadcast\"\n"
      "payload = \"reading {seq}\"\n"
      "interval = \"20ms\"\n";
  testing_tools::WriteBytes(room, toml.data(), toml.size());
  constexpr MacAddress kSensor({0x02, 0x5e, 0, 0, 0, 1});
  HubProcess hub(dir, {"--scenario", room});

  // The scenario's node is on the air for sniffers, as a resident of the hub.
  Sniffer sniffer(hub.address());
  ASSERT_TRUE(sniffer.RunUntil([&] { return sniffer.recorder.Node(kSensor, true) != nullptr; }));
  EXPECT_EQ(sniffer.recorder.Node(kSensor, true)->spec.name, "sensor");
  EXPECT_EQ(sniffer.recorder.Node(kSensor, true)->client, "(resident)");

  // A client's board hears its broadcasts, and its MAC acknowledges the board's unicast.
  Board master(hub.address(), "master", kMaster, {0, 0, 0});
  ASSERT_EQ(master.e.init(), Status::Ok());
  Result<Message> m = master.e.irecv(10'000);
  ASSERT_TRUE(m.ok() && m->mac.has_value());
  EXPECT_EQ(*m->mac, kSensor);
  EXPECT_TRUE(m->broadcast);
  EXPECT_EQ(Text(m->msg).rfind("reading ", 0), 0u) << Text(m->msg);
  ASSERT_EQ(master.e.add_peer(kSensor), Status::Ok());
  EXPECT_EQ(master.e.send(kSensor, "hello sensor", true).value_or(false), true);

  // Its address is taken.
  const std::string refusal = TakenMacRefusal(hub.address(), kSensor);
  EXPECT_NE(refusal.find("node 'sensor', resident"), std::string::npos) << refusal;
  // On Ctrl-C the hub prints the scenario's results.
  ASSERT_EQ(hub.Stop(), 0);
  EXPECT_NE(hub.output().find("sensor"), std::string::npos) << hub.output();
}

class Alarm final : public port::TimerListener {
 public:
  explicit Alarm(const port::Clock& clock) : clock_(clock) {}
  void OnTimer() override { fired_at.push_back(clock_.Now()); }
  std::vector<TimeNs> fired_at;

 private:
  const port::Clock& clock_;
};

TEST(AirHub, ClientTimer_FiresOnTheAirsClock) {
  TempDir dir;
  HubProcess hub(dir, {"--speed", "4"});
  air::HubClient client(hub.address(), "timekeeper");
  EXPECT_EQ(client.speed(), 4.0);
  Alarm alarm(client.clock());
  std::unique_ptr<port::Timer> timer = client.NewTimer();
  timer->SetListener(&alarm);

  const TimeNs start = client.clock().Now();
  timer->ArmAt(start + 100 * kMillisecond);
  EXPECT_EQ(client.RunUntil(start + 300 * kMillisecond), Status::DeadlineExceeded());
  EXPECT_GE(client.clock().Now(), start + 300 * kMillisecond);
  ASSERT_EQ(alarm.fired_at.size(), 1u);
  EXPECT_GE(alarm.fired_at[0], start + 100 * kMillisecond);
  EXPECT_FALSE(timer->armed());

  // Re-armed from the past, it fires at the next chance, once.
  timer->ArmAt(start);
  client.Poll();
  EXPECT_EQ(alarm.fired_at.size(), 2u);
}

TEST(AirHub, HubStopped_WaitsEndWithUnavailable) {
  TempDir dir;
  HubProcess hub(dir);
  Board master(hub.address(), "master", kMaster, {0, 0, 0});
  ASSERT_EQ(master.e.init(), Status::Ok());
  ASSERT_EQ(master.e.add_peer(kSlave), Status::Ok());
  ASSERT_EQ(hub.Stop(), 0);
  EXPECT_EQ(master.client.RunFor(10 * kSecond), Status::Unavailable());
  EXPECT_FALSE(master.client.connected());
  // A send cannot reach the air any more; it fails rather than hangs.
  EXPECT_NE(master.e.send(kSlave, "hello?", true).value_or(false), true);
  EXPECT_EQ(master.radio->SetChannel(6), Status::Unavailable());
}

TEST(AirCli, Help_ShowsAnExample) {
  const auto r = testing_tools::RunCommand(AirlabBinary() + " air --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Example:"), std::string::npos);
  EXPECT_NE(r.out.find("airlab air --port"), std::string::npos);
}

TEST(AirCli, BadSpeedOrTakenPort_IsOneClearLine) {
  TempDir dir;
  auto r = testing_tools::RunCommand(AirlabBinary() + " air --speed 0");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--speed"), std::string::npos) << r.err;

  HubProcess hub(dir);
  r = testing_tools::RunCommand(AirlabBinary() + " air --port " + std::to_string(hub.port()));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("another airlab air running there"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace airlab
