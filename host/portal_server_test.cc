// The portal server on loopback against independent clients: curl for HTTP, dig for DNS,
// raw sockets for hostile requests, and the simulated phone's four OS sequences. The routes'
// backend here is a small recording one; tests/portal_cli_test runs `airlab portal` with the
// real Wi-Fi manager on a simulated air.
#include "host/portal_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "host/phone.h"
#include "tests/run_command.h"

namespace airlab::host {
namespace {

using testing_tools::RunCommand;

class StaticBackend : public wifi::PortalBackend {
 public:
  StaticBackend() {
    (void)scan_[0].ssid.Assign(AsBytes("home-router", 11));
    scan_[0].rssi_dbm = -48;
    scan_[0].auth = port::WifiAuth::kWpa2Psk;
  }
  std::span<const port::ScanEntry> networks() override { return scan_; }
  void RequestScan() override {}
  Status SaveAndConnect(const port::Ssid& ssid, ByteSpan) override {
    status_.state = wifi::PortalLinkState::kConnecting;
    status_.ssid = ssid;
    saves.fetch_add(1);
    return Status::Ok();
  }
  wifi::PortalStatus status() const override { return status_; }
  std::span<const wifi::PortalParameter> parameters() const override { return {}; }
  Status SetParameter(std::string_view, std::string_view) override {
    return Status::InvalidArgument();
  }
  void Erase() override {}
  void Exit() override {}
  std::string_view device_name() const override { return "test"; }
  MacAddress station_mac() const override { return {}; }
  MacAddress ap_mac() const override { return {}; }

  std::atomic<int> saves{0};

 private:
  std::array<port::ScanEntry, 1> scan_{};
  wifi::PortalStatus status_;
};

// A PortalServer on free loopback ports, polled on its own thread.
class ServedPortal {
 public:
  ServedPortal(PortalServerConfig config = {}) : server_(config) {
    origin_ = server_.http_endpoint();
    portal_ = std::make_unique<wifi::Portal>(backend, wifi::PortalConfig{.origin = origin_});
    thread_ = std::thread([this] {
      while (!stop_) server_.Poll(*portal_, std::chrono::milliseconds(20));
    });
  }
  ~ServedPortal() {
    stop_ = true;
    thread_.join();
  }
  std::string http() const { return origin_; }
  std::string dns() const { return server_.dns_endpoint(); }
  std::string dns_port() const { return dns().substr(dns().find(':') + 1); }
  const PortalServerStats& stats() const { return server_.stats(); }

  StaticBackend backend;

 private:
  PortalServer server_;
  std::string origin_;
  std::unique_ptr<wifi::Portal> portal_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Sends raw bytes on a new connection and reads until the server closes it.
std::string Exchange(const std::string& endpoint, const std::string& bytes) {
  const Ipv4Endpoint e = ParseIpv4Endpoint(endpoint, "test");
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(e.port);
  std::memcpy(&a.sin_addr, e.address.data(), 4);
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string reply;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    char chunk[4096];
    for (ssize_t n; (n = ::recv(fd, chunk, sizeof chunk, 0)) > 0;) reply.append(chunk, n);
  }
  ::close(fd);
  return reply;
}

TEST(PortalServer, CurlGetsTheRedirectForEveryProbe) {
  ServedPortal served;
  for (const char* probe :
       {"connectivitycheck.gstatic.com/generate_204", "captive.apple.com/hotspot-detect.html",
        "www.msftconnecttest.com/connecttest.txt", "www.msftncsi.com/ncsi.txt",
        "detectportal.firefox.com/success.txt", "clients3.google.com/gen_204"}) {
    const std::string host = std::string(probe).substr(0, std::string(probe).find('/'));
    const auto r = RunCommand(
        "curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "
        "--connect-to " +
        host + ":80:" + served.http() + " http://" + probe);
    EXPECT_EQ(r.out, "302 http://" + served.http() + "/") << probe;
  }
  const auto page = RunCommand("curl -s http://" + served.http() + "/wifi");
  EXPECT_NE(page.out.find("home-router"), std::string::npos);
  const auto save = RunCommand(
      "curl -s -o /dev/null -w '%{http_code}' -d 's=home-router' -d "
      "'p=password1' http://" +
      served.http() + "/wifisave");
  EXPECT_EQ(save.out, "200");
  EXPECT_EQ(served.backend.saves.load(), 1);
}

TEST(PortalServer, DigResolvesAnyNameToThePortal) {
  ServedPortal served;
  for (const char* name : {"captive.apple.com", "connectivitycheck.gstatic.com", "example.org",
                           "a.very.deep.name.that.does.not.exist.test"}) {
    const auto r = RunCommand("dig +short +tries=1 +time=5 -p " + served.dns_port() +
                              " @127.0.0.1 " + name + " A");
    EXPECT_EQ(r.out, "192.168.4.1\n") << name;
  }
  // AAAA: NOERROR with no record (dig prints the status line).
  const auto aaaa =
      RunCommand("dig +tries=1 +time=5 -p " + served.dns_port() + " @127.0.0.1 example.org AAAA");
  EXPECT_NE(aaaa.out.find("status: NOERROR"), std::string::npos) << aaaa.out;
  EXPECT_NE(aaaa.out.find("ANSWER: 0"), std::string::npos) << aaaa.out;
}

TEST(PortalServer, HostileRequestsGetTheir4xxAndServingGoesOn) {
  ServedPortal served;
  EXPECT_EQ(Exchange(served.http(), std::string("\x16\x03\x01\x02\x00\x01", 6)).substr(0, 12),
            "HTTP/1.1 400");
  EXPECT_EQ(Exchange(served.http(),
                     "GET / HTTP/1.1\r\nHost: x\r\nCookie: " + std::string(8000, 'a') + "\r\n\r\n")
                .substr(0, 12),
            "HTTP/1.1 431");
  EXPECT_EQ(
      Exchange(served.http(), "POST /wifisave HTTP/1.1\r\nHost: x\r\nContent-Length: 99999\r\n\r\n")
          .substr(0, 12),
      "HTTP/1.1 413");
  EXPECT_EQ(
      Exchange(served.http(), "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
          .substr(0, 12),
      "HTTP/1.1 501");
  // A client that opens connections and sends nothing does not stop the others.
  std::vector<int> idle;
  for (int i = 0; i < 8; ++i) {
    idle.push_back(::socket(AF_INET, SOCK_STREAM, 0));
    const Ipv4Endpoint e = ParseIpv4Endpoint(served.http(), "test");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(e.port);
    std::memcpy(&a.sin_addr, e.address.data(), 4);
    ASSERT_EQ(::connect(idle.back(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  }
  const std::string ok =
      Exchange(served.http(), "GET / HTTP/1.1\r\nHost: " + served.http() + "\r\n\r\n");
  EXPECT_EQ(ok.substr(0, 15), "HTTP/1.1 200 OK");
  for (int fd : idle) ::close(fd);
  // Garbage DNS gets nothing back and the responder still answers.
  {
    const Ipv4Endpoint e = ParseIpv4Endpoint(served.dns(), "test");
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(e.port);
    std::memcpy(&a.sin_addr, e.address.data(), 4);
    for (const std::string& junk :
         {std::string("xx"), std::string(12, '\xff'), std::string(3000, '\0')}) {
      ::sendto(fd, junk.data(), junk.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
    }
    ::close(fd);
  }
  const auto r = RunCommand("dig +short +tries=1 +time=5 -p " + served.dns_port() +
                            " @127.0.0.1 still.works A");
  EXPECT_EQ(r.out, "192.168.4.1\n");
  EXPECT_GE(served.stats().refused, 4u);
}

PhoneNetwork LoopbackHotspot(const ServedPortal& served, bool answers_any_dns) {
  PhoneNetwork network;
  network.routes["192.168.4.1:53"] = served.dns();
  network.routes["192.168.4.1:80"] = served.http();
  // airlab's hotspot answers port 53 whatever the destination (on a device: its DNS
  // responder takes every packet to port 53; in the netns test, a DNAT rule).
  if (answers_any_dns) network.routes["8.8.8.8:53"] = served.dns();
  return network;
}

TEST(PortalServer, ThePopUpOpensOnEveryOs) {
  ServedPortal served;
  for (PhoneOs os : kEveryPhoneOs) {
    const PhoneVerdict v = RunPhoneProbes(os, LoopbackHotspot(served, true));
    std::string steps;
    for (const std::string& s : v.steps) steps += "  " + s + "\n";
    EXPECT_TRUE(v.portal_opens) << ToString(os) << ": " << v.reason << "\n" << steps;
  }
}

TEST(PortalServer, AndroidSaysWhyWhenDnsTo8888IsNotAnswered) {
  ServedPortal served;
  const PhoneNetwork network = LoopbackHotspot(served, false);
  const PhoneVerdict android = RunPhoneProbes(PhoneOs::kAndroid, network);
  EXPECT_FALSE(android.portal_opens);
  EXPECT_NE(android.reason.find("sent to 8.8.8.8:53"), std::string::npos) << android.reason;
  EXPECT_NE(android.reason.find("must answer DNS sent to any address"), std::string::npos);
  // The others ask the hotspot's own DNS and still open.
  EXPECT_TRUE(RunPhoneProbes(PhoneOs::kIos, network).portal_opens);
}

TEST(PortalServer, APhoneSeesAnOnlineNetworkAsOnline) {
  // A "hotspot" whose HTTP server answers 204 (a network with internet): no pop-up, and the
  // verdict says so. Served by a one-shot loop that answers every request with 204.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t size = sizeof a;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &size);
  std::thread online([listener] {
    const int c = ::accept(listener, nullptr, nullptr);
    char buffer[2048];
    (void)::recv(c, buffer, sizeof buffer, 0);
    const std::string reply = "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n";
    (void)::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
    ::close(c);
  });
  ServedPortal served;  // its DNS only
  PhoneNetwork network = LoopbackHotspot(served, true);
  network.routes["192.168.4.1:80"] = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  const PhoneVerdict v = RunPhoneProbes(PhoneOs::kAndroid, network);
  online.join();
  ::close(listener);
  EXPECT_FALSE(v.portal_opens);
  EXPECT_NE(v.reason.find("believes it is on the internet"), std::string::npos) << v.reason;
}

}  // namespace
}  // namespace airlab::host
