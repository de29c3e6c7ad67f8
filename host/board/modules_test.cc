// The board's network, ESP-NOW and socket services through their bridge calls, as the
// Python modules make them, on a real air hub (in this process, on a free port) with two
// boards that have the lab's MACs.

#include "host/board/modules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <regex>
#include <string>
#include <thread>

#include "host/board/bridge_values.h"
#include "platform/air/hub.h"

namespace airlab::host::board {
namespace {

using ::testing::ElementsAre;

// The lab's boards: their soft-AP MACs are what the cells print.
constexpr MacAddress kMasterStation({0x4c, 0x11, 0xae, 0x89, 0xbd, 0xd4});
constexpr MacAddress kSlaveStation({0x4c, 0x11, 0xae, 0x89, 0xbc, 0x94});
const std::string kMasterAp = "4c11ae89bdd5";
const std::string kSlaveAp = "4c11ae89bc95";

// The bridge as the Python modules see it: a call by name, an OnReset to run.
class FakeBridge final : public Bridge {
 public:
  void Register(std::string name, Handler handler) override {
    handlers_[name] = std::move(handler);
  }
  void OnReset(std::function<void()> reset) override { resets_.push_back(std::move(reset)); }
  Json Call(const std::string& name, Json args, Waits& waits) {
    const auto it = handlers_.find(name);
    if (it == handlers_.end()) throw std::runtime_error("no handler " + name);
    return it->second(args, waits);
  }
  void Reset() {
    for (auto& reset : resets_) reset();
  }

 private:
  std::map<std::string, Handler> handlers_;
  std::vector<std::function<void()>> resets_;
};

// Waits that run the board's hub client, as the board process does (without a serial port).
class ClientWaits final : public Waits {
 public:
  explicit ClientWaits(air::HubClient& client) : client_(client) {}
  WaitEnd WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) override {
    const auto end =
        std::chrono::steady_clock::now() +
        (timeout.count() < 0 ? std::chrono::hours(1) : std::chrono::milliseconds(timeout));
    while (!done()) {
      if (interrupt_) return WaitEnd::kInterrupted;
      if (std::chrono::steady_clock::now() >= end) return WaitEnd::kTimeout;
      client_.RunFor(2 * port::kMillisecond, std::chrono::milliseconds(20)).IgnoreError();
      for (air::HubClient* other : others_) other->Poll();
    }
    return WaitEnd::kDone;
  }
  bool interrupt_ = false;
  // Other boards' clients, run too while this one waits (in a board process, its loop
  // runs them): a soft-AP on another board beacons and answers only while its client runs.
  std::vector<air::HubClient*> others_;

 private:
  air::HubClient& client_;
};

class HubThread {
 public:
  HubThread() : hub_(Options()), thread_([this] { hub_.Run(stop_); }) {}
  ~HubThread() {
    stop_ = true;
    thread_.join();
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(hub_.port()); }

 private:
  static air::HubOptions Options() {
    air::HubOptions options;
    options.simulation.seed = 7;
    return options;
  }
  air::Hub hub_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

struct TestBoard {
  TestBoard(const std::string& hub, const std::string& name, const MacAddress& mac,
            std::vector<Router> routers = {}, std::string cloud = "")
      : config{.name = name,
               .mac = mac,
               .channel = 1,
               .hub = hub,
               .routers = std::move(routers),
               .cloud = std::move(cloud)},
        client(hub, "board " + name),
        radio(client.AddNode({.name = name, .mac = mac})),
        context{config, client, *radio, [this](const std::string& line) { log.push_back(line); }},
        waits(client),
        modules(context, bridge) {}

  Json Call(const std::string& name, Json args = Json::array()) {
    return bridge.Call(name, args, waits);
  }
  // Runs the air until the station's status() is `status` (within the join's bound).
  bool WaitStatus(int status) {
    return waits.WaitFor([&] { return Call("wlan.status", {0}) == status; },
                         std::chrono::seconds(30)) == WaitEnd::kDone;
  }
  // The PythonError a call raises, as "Type(args)".
  std::string Raises(const std::string& name, Json args = Json::array()) {
    try {
      Call(name, std::move(args));
    } catch (const PythonError& e) {
      return e.type + e.args.dump();
    }
    return "nothing";
  }
  // The lab's setup cells: AP up, ESP-NOW on, the other board a peer on the AP interface.
  void LabSetup(const std::string& peer) {
    Call("wlan.active", {1, true});
    Call("wlan.config_set", {1, {{"hidden", true}}});
    Call("espnow.new", {1});
    Call("espnow.active", {true});
    Call("espnow.add_peer", {peer, nullptr, nullptr, 1, nullptr, 1});
  }

  std::vector<std::string> log;  // the board's log lines
  BoardConfig config;
  air::HubClient client;
  std::unique_ptr<air::HubRadio> radio;
  BoardContext context;
  FakeBridge bridge;
  ClientWaits waits;
  BoardModules modules;
};

std::string Hex(const std::string& text) { return ToHex(AsBytes(text.data(), text.size())); }

TEST(BoardModules, LabCells_ApMacAndSendsArrive) {
  HubThread hub;
  TestBoard master(hub.address(), "master", kMasterStation);
  TestBoard slave(hub.address(), "slave", kSlaveStation);
  master.LabSetup(kSlaveAp);
  slave.LabSetup(kMasterAp);
  EXPECT_EQ(master.Call("wlan.config_get", {1, "mac"}), kMasterAp);
  EXPECT_EQ(master.Call("wlan.config_get", {0, "mac"}), "4c11ae89bdd4");

  for (const char* reading : {"0", "1", "2"}) {
    EXPECT_EQ(slave.Call("espnow.send", {kMasterAp, Hex(reading), true}), Json(true));
  }
  for (const char* reading : {"0", "1", "2"}) {
    const Json got = master.Call("espnow.recv", {1000, 250});
    ASSERT_TRUE(got.is_array()) << got.dump();
    EXPECT_EQ(got[0], kSlaveAp);
    EXPECT_EQ(got[1], Hex(reading));
  }
  EXPECT_EQ(master.Call("espnow.recv", {0, 250}), Json());  // (None, None)
  EXPECT_EQ(slave.Call("espnow.stats")[0], 3);
}

TEST(BoardModules, CtrlCDuringAWait_EndsTheCallAtOnce) {
  HubThread hub;
  TestBoard board(hub.address(), "master", kMasterStation);
  board.LabSetup(kSlaveAp);
  board.waits.interrupt_ = true;  // as if Ctrl-C came while the call waited
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(board.Call("espnow.recv", {60000, 250}),
            Json());  // the bridge raises KeyboardInterrupt
  EXPECT_EQ(board.Call("espnow.recv", {-1, 250}), Json());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  // The next call waits normally again.
  board.waits.interrupt_ = false;
  EXPECT_EQ(board.Call("espnow.recv", {20, 250}), Json());
  EXPECT_EQ(board.Call("espnow.active"), Json(true));
}

TEST(BoardModules, SendToAStoppedInterface_IsNotAcked) {
  HubThread hub;
  TestBoard master(hub.address(), "master", kMasterStation);
  TestBoard slave(hub.address(), "slave", kSlaveStation);
  master.LabSetup(kSlaveAp);
  // The slave's soft-AP is down: nobody answers to its address.
  EXPECT_EQ(master.Call("espnow.send", {kSlaveAp, Hex("x"), true}), Json(false));
}

TEST(BoardModules, Errors_AreMicroPythons) {
  HubThread hub;
  TestBoard board(hub.address(), "master", kMasterStation);
  EXPECT_EQ(board.Raises("espnow.send", {kSlaveAp, Hex("x"), true}),
            R"(OSError[-12389,"ESP_ERR_ESPNOW_NOT_INIT"])");
  board.LabSetup(kSlaveAp);
  EXPECT_EQ(board.Raises("espnow.send", {"010203040506", Hex("x"), true}),
            R"(OSError[-12393,"ESP_ERR_ESPNOW_NOT_FOUND"])");
  EXPECT_EQ(board.Raises("espnow.send", {kSlaveAp, Hex(std::string(251, 'a')), true}),
            R"(OSError[-12390,"ESP_ERR_ESPNOW_ARG"])");
  EXPECT_EQ(board.Raises("espnow.add_peer", {kSlaveAp, nullptr, nullptr, 1, nullptr, 1}),
            R"(OSError[-12395,"ESP_ERR_ESPNOW_EXIST"])");
  EXPECT_EQ(board.Raises("espnow.send", {"0102030405", Hex("x"), true}),
            R"(ValueError["invalid buffer length"])");
  // 20 peers in all, at most 6 of them encrypted.
  const std::string lmk = Hex("0123456789abcdef");
  for (int i = 0; i < 6; ++i) {
    board.Call("espnow.add_peer", {"0a00000000" + Hex(std::string(1, 'a' + i)).substr(0, 2), lmk,
                                   nullptr, nullptr, nullptr, 1});
  }
  EXPECT_EQ(board.Raises("espnow.add_peer", {"100000000001", lmk, nullptr, nullptr, nullptr, 1}),
            R"(OSError[-12392,"ESP_ERR_ESPNOW_FULL"])");
  for (int i = 0; i < 13; ++i) {
    char mac[13];
    std::snprintf(mac, sizeof mac, "0c00000000%02x", i);
    board.Call("espnow.add_peer", {mac, nullptr, nullptr, nullptr, nullptr, 1});
  }
  EXPECT_EQ(board.Call("espnow.peer_count"), Json::array({20, 6}));
  EXPECT_EQ(
      board.Raises("espnow.add_peer", {"120000000001", nullptr, nullptr, nullptr, nullptr, 1}),
      R"(OSError[-12392,"ESP_ERR_ESPNOW_FULL"])");
  // A peer on the station interface, which is down.
  board.Call("espnow.del_peer", {"0c0000000000"});
  board.Call("espnow.add_peer", {"0e0000000001", nullptr, nullptr, 0, nullptr, 1});
  EXPECT_EQ(board.Raises("espnow.send", {"0e0000000001", Hex("x"), true}),
            R"(OSError[-12396,"ESP_ERR_ESPNOW_IF"])");
}

TEST(BoardModules, V2PeersCarry1470Bytes) {
  HubThread hub;
  TestBoard master(hub.address(), "master", kMasterStation);
  TestBoard slave(hub.address(), "slave", kSlaveStation);
  for (TestBoard* b : {&master, &slave}) {
    b->Call("wlan.active", {0, true});
    b->Call("espnow.new", {2});
    b->Call("espnow.active", {true});
  }
  master.Call("espnow.add_peer", {"4c11ae89bc94", nullptr, nullptr, nullptr, nullptr, 2});
  const std::string big(1470, 'z');
  EXPECT_EQ(master.Call("espnow.send", {"4c11ae89bc94", Hex(big), true}), Json(true));
  const Json got = slave.Call("espnow.recv", {1000, 1470});
  ASSERT_TRUE(got.is_array());
  EXPECT_EQ(got[1], Hex(big));
  EXPECT_EQ(master.Raises("espnow.send", {"4c11ae89bc94", Hex(big + "!"), true}),
            R"(OSError[-12390,"ESP_ERR_ESPNOW_ARG"])");
}

TEST(BoardModules, EncryptedPeers_NeedTheSameKeys) {
  HubThread hub;
  TestBoard master(hub.address(), "master", kMasterStation);
  TestBoard slave(hub.address(), "slave", kSlaveStation);
  const std::string pmk = Hex("pmk-of-the-lab!!"), lmk = Hex("lmk-of-the-lab!!");
  for (auto [b, peer] : {std::pair{&master, kSlaveAp}, std::pair{&slave, kMasterAp}}) {
    b->Call("wlan.active", {1, true});
    b->Call("espnow.active", {true});
    b->Call("espnow.set_pmk", {pmk});
    b->Call("espnow.add_peer", {peer, lmk, nullptr, 1, nullptr, 1});
  }
  EXPECT_EQ(master.Call("espnow.get_peer", {kSlaveAp}), Json::array({kSlaveAp, lmk, 0, 1, true}));
  EXPECT_EQ(master.Call("espnow.send", {kSlaveAp, Hex("secret"), true}), Json(true));
  EXPECT_EQ(slave.Call("espnow.recv", {1000, 250})[1], Hex("secret"));
  // Another LMK on the receiver: acknowledged on the air, never delivered.
  slave.Call("espnow.mod_peer",
             {kMasterAp, Hex("another-lmk-0000"), nullptr, nullptr, nullptr, nullptr});
  EXPECT_EQ(master.Call("espnow.send", {kSlaveAp, Hex("lost"), true}), Json(true));
  EXPECT_EQ(slave.Call("espnow.recv", {200, 250}), Json());
}

TEST(BoardModules, JoiningARouter_MovesTheRadioAndGivesAnAddress) {
  HubThread hub;
  TestBoard board(hub.address(), "master", kMasterStation,
                  {Router{.ssid = "lab", .password = "secret", .channel = 6, .hidden = false}});
  EXPECT_EQ(board.Raises("wlan.connect", {"lab", "secret"}), R"(OSError["Wifi Not Started"])");
  board.Call("wlan.active", {0, true});
  board.Call("wlan.connect", {"lab", "wrong"});
  EXPECT_EQ(board.Call("wlan.status", {0}), 202);
  EXPECT_EQ(board.Call("wlan.isconnected", {0}), Json(false));
  // Not a modelled router: a join on the air, which finds nobody.
  EXPECT_EQ(board.Raises("wlan.connect", {"nope", "short"}), R"(OSError["Wifi Invalid Password"])");
  board.Call("wlan.connect", {"nope", "long-enough"});
  EXPECT_EQ(board.Call("wlan.status", {0}), 1001);
  EXPECT_TRUE(board.WaitStatus(201));
  board.Call("wlan.connect", {"lab", "secret"});
  EXPECT_EQ(board.Call("wlan.status", {0}), 1010);
  EXPECT_EQ(board.Call("wlan.config_get", {0, "channel"}), 6);
  EXPECT_EQ(board.radio->channel(), 6);
  EXPECT_EQ(board.Call("wlan.ifconfig", {0})[0], "192.168.1.214");
  board.Call("wlan.disconnect");
  EXPECT_EQ(board.Call("wlan.status", {0}), 1000);
  EXPECT_EQ(board.Call("wlan.ifconfig", {0})[0], "0.0.0.0");
  EXPECT_THAT(board.Call("wlan.scan")[0],
              ElementsAre(Hex("lab"), "02005e100001", 6, -45, 3, false));
}

TEST(BoardModules, Reset_StopsTheInterfacesAndForgetsPeers) {
  HubThread hub;
  TestBoard board(hub.address(), "master", kMasterStation);
  board.LabSetup(kSlaveAp);
  board.bridge.Reset();
  EXPECT_EQ(board.Call("wlan.active", {1}), Json(false));
  EXPECT_FALSE(board.radio->enabled());
  EXPECT_EQ(board.Call("espnow.active"), Json(false));
  board.Call("espnow.active", {true});
  EXPECT_EQ(board.Call("espnow.peer_count"), Json::array({0, 0}));
}

TEST(BoardModules, Sockets_NeedAJoinThenReachTheCloud) {
  HubThread hub;
  // A TCP server standing in for the cloud.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in at{};
  at.sin_family = AF_INET;
  at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&at), sizeof at), 0);
  socklen_t length = sizeof at;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&at), &length);
  ::listen(listener, 1);
  const int port = ntohs(at.sin_port);
  TestBoard board(hub.address(), "master", kMasterStation,
                  {Router{.ssid = "lab", .password = "", .channel = 1, .hidden = true}},
                  "http://127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(board.Raises("socket.getaddrinfo", {"api.thingspeak.com", 80}), "OSError[-202]");
  const Json id = board.Call("socket.new", {1});
  EXPECT_EQ(board.Raises("socket.connect", {id, "127.0.0.1", port, 1000}), "OSError[113]");
  board.Call("wlan.active", {0, true});
  board.Call("wlan.connect", {"lab", nullptr});
  EXPECT_EQ(board.Call("socket.getaddrinfo", {"api.thingspeak.com", 80}),
            Json::array({"127.0.0.1", port}));
  board.Call("socket.connect", {id, "127.0.0.1", port, 1000});
  const int server = ::accept(listener, nullptr, nullptr);
  ASSERT_GE(server, 0);
  EXPECT_EQ(board.Call("socket.send", {id, Hex("GET /"), 1000}), 5);
  char got[5];
  ASSERT_EQ(::recv(server, got, sizeof got, MSG_WAITALL), 5);
  EXPECT_EQ(std::string(got, 5), "GET /");
  EXPECT_EQ(board.Raises("socket.recv", {id, 10, 50}), "OSError[110]");
  ::send(server, "200", 3, 0);
  EXPECT_EQ(board.Call("socket.recv", {id, 10, 1000}), Hex("200"));
  ::close(server);
  EXPECT_EQ(board.Call("socket.recv", {id, 10, 1000}), "");  // the server closed
  board.Call("socket.close", {id});
  ::close(listener);
}

// What the Improv hook drives: the same join Python sees, and the log saying why ESP-NOW
// moved.
TEST(BoardModules, JoinNetwork_FromCpp_IsWhatPythonSees) {
  HubThread hub;
  TestBoard board(hub.address(), "master", kMasterStation,
                  {Router{.ssid = "lab", .password = "secret123", .channel = 6}});
  ASSERT_EQ(board.modules.network().ScanNetworks().size(), 1u);
  EXPECT_EQ(board.modules.network().ScanNetworks()[0].ssid, "lab");
  EXPECT_EQ(board.modules.network().ScanNetworks()[0].authmode, 3);
  board.modules.network().JoinNetwork("lab", "wrong-one");
  EXPECT_EQ(board.modules.network().station_status(), kStatWrongPassword);
  EXPECT_EQ(board.log.back(), "station could not join lab: wrong password");
  board.modules.network().JoinNetwork("lab", "secret123");
  EXPECT_EQ(board.modules.network().station_status(), kStatGotIp);
  EXPECT_EQ(board.Call("wlan.isconnected", {0}), Json(true));
  EXPECT_EQ(board.Call("wlan.active", {0}), Json(true));
  EXPECT_EQ(board.modules.network().station_ip_config()[0], "192.168.1.214");
  EXPECT_EQ(board.log.back(),
            "station joined lab on channel 6 as 192.168.1.214; the radio, the soft-AP and ESP-NOW "
            "moved from channel 1 to 6 (one radio): ESP-NOW peers left on channel 1 no longer "
            "hear this board");
}

// A server on the soft-AP is served on 127.0.0.1 at a free port the log names, and answers
// whoever asked without a join; other sockets still need one.
TEST(BoardModules, HotspotSockets_AreMappedAndAnswerWithoutAJoin) {
  HubThread hub;
  TestBoard board(hub.address(), "master", kMasterStation);
  board.Call("wlan.active", {1, true});
  EXPECT_EQ(board.Call("socket.getaddrinfo", {"0.0.0.0", 53}), Json::array({"0.0.0.0", 53}));
  const Json dns = board.Call("socket.new", {2});
  board.Call("socket.bind", {dns, "0.0.0.0", 53});
  ASSERT_FALSE(board.log.empty());
  std::smatch port;
  ASSERT_TRUE(
      std::regex_match(board.log.back(), port,
                       std::regex(R"(hotspot 192\.168\.4\.1:53 -> 127\.0\.0\.1:(\d+) \(udp\))")))
      << board.log.back();
  const int phone = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(static_cast<uint16_t>(std::stoi(port[1])));
  ASSERT_EQ(::sendto(phone, "q", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to), 1);
  const Json got = board.Call("socket.recvfrom", {dns, 100, 1000});
  EXPECT_EQ(got[0], Hex("q"));
  board.Call("socket.sendto", {dns, Hex("a"), got[1][0], got[1][1], 1000});
  char answer = 0;
  EXPECT_EQ(::recv(phone, &answer, 1, 0), 1);
  EXPECT_EQ(answer, 'a');
  ::close(phone);
  const Json other = board.Call("socket.new", {2});
  EXPECT_EQ(board.Raises("socket.sendto", {other, Hex("a"), "127.0.0.1", 9, 1000}), "OSError[113]");
}

// One board's soft-AP on the air, another board's station joining it for real: the scan
// hears it with a real RSSI, the WPA2 handshake refuses a wrong password, the right one
// gets a DHCP lease from the soft-AP, which lists the station.
TEST(BoardModules, StationJoinsAnotherBoardsSoftApOnTheAir) {
  HubThread hub;
  TestBoard ap(hub.address(), "ap", kMasterStation);
  TestBoard sta(hub.address(), "sta", kSlaveStation);
  sta.waits.others_.push_back(&ap.client);
  ap.Call("wlan.active", {1, true});
  ap.Call("wlan.config_set", {1,
                              {{"essid", "board-hotspot"},
                               {"password", "password123"},
                               {"authmode", 3},
                               {"channel", 11}}});
  EXPECT_EQ(ap.radio->channel(), 11);
  sta.Call("wlan.active", {0, true});
  const Json scanned = sta.Call("wlan.scan");
  ASSERT_TRUE(scanned.is_array());
  Json found;
  for (const Json& n : scanned) {
    if (n[0] == Hex("board-hotspot")) found = n;
  }
  ASSERT_FALSE(found.is_null()) << scanned.dump();
  EXPECT_EQ(found[1], kMasterAp);
  EXPECT_EQ(found[2], 11);
  EXPECT_EQ(found[4], 3);
  EXPECT_LT(found[3].get<int>(), -20);
  // The same from C++ (the Improv hook): a scan the loop runs, then its results.
  sta.modules.network().StartScan();
  EXPECT_TRUE(sta.modules.network().scanning());
  ASSERT_EQ(sta.waits.WaitFor([&] { return !sta.modules.network().scanning(); },
                              std::chrono::seconds(10)),
            WaitEnd::kDone);
  ASSERT_FALSE(sta.modules.network().ScanNetworks().empty());
  EXPECT_EQ(sta.modules.network().ScanNetworks()[0].ssid, "board-hotspot");
  EXPECT_EQ(sta.modules.network().ScanNetworks()[0].authmode, 3);
  EXPECT_EQ(sta.radio->channel(), 1);  // back where the scan began, as ESP-IDF does

  sta.Call("wlan.connect", {"board-hotspot", "not-the-password"});
  EXPECT_TRUE(sta.WaitStatus(202));
  sta.Call("wlan.connect", {"board-hotspot", "password123"});
  EXPECT_TRUE(sta.WaitStatus(1010));
  EXPECT_EQ(sta.Call("wlan.ifconfig", {0}),
            Json::array({"192.168.4.2", "255.255.255.0", "192.168.4.1", "192.168.4.1"}));
  EXPECT_EQ(sta.Call("wlan.config_get", {0, "channel"}), 11);
  EXPECT_EQ(ap.Call("wlan.status", {1, "stations"}), Json::array({Json::array({"4c11ae89bc94"})}));
  EXPECT_EQ(ap.Call("wlan.isconnected", {1}), Json(true));
  EXPECT_EQ(
      sta.Raises("wlan.config_set", {0, {{"channel", 1}}}),
      R"x(OSError["Wifi Internal Error: the station is joined on channel 11 and the radio stays there (disconnect first)"])x");
  EXPECT_NE(std::find_if(sta.log.begin(), sta.log.end(),
                         [](const std::string& line) {
                           return line.starts_with(
                               "station joined board-hotspot on channel 11 as 192.168.4.2");
                         }),
            sta.log.end());
}

}  // namespace
}  // namespace airlab::host::board
