// The captive portal as a phone on the hotspot's network meets it, for real, as root: two
// network namespaces joined by a veth pair, the hotspot's at 192.168.4.1 and a "phone" at
// 192.168.4.2 whose default route and resolv.conf point at the hotspot. The hotspot
// namespace takes every destination address as its own (`ip route add local 0.0.0.0/0 dev
// lo`, Linux's AnyIP), so its DNS responder, bound to 0.0.0.0:53, answers queries sent to
// 8.8.8.8 too, from 8.8.8.8 (IP_PKTINFO): what Android needs. In the phone's namespace dig
// resolves any name to 192.168.4.1, curl gets the 302 for every OS probe, and the simulated
// phone's four OS sequences open the portal.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "host/phone.h"
#include "host/portal_server.h"
#include "tests/child_process.h"
#include "tests/run_command.h"

namespace airlab {
namespace {

using testing_tools::ChildProcess;
using testing_tools::RunCommand;

// The pair of namespaces, named after this process so parallel runs never meet.
class NetnsPair {
 public:
  NetnsPair()
      : hotspot_("airlab-hs-" + std::to_string(::getpid())),
        phone_("airlab-ph-" + std::to_string(::getpid())),
        resolv_dir_("/etc/netns/" + phone_) {
    const std::string veth_h = "alh" + std::to_string(::getpid());
    const std::string veth_p = "alp" + std::to_string(::getpid());
    ok_ = Run("ip netns add " + hotspot_) && Run("ip netns add " + phone_) &&
          Run("ip link add " + veth_h + " type veth peer name " + veth_p) &&
          Run("ip link set " + veth_h + " netns " + hotspot_) &&
          Run("ip link set " + veth_p + " netns " + phone_) &&
          Run("ip -n " + hotspot_ + " addr add 192.168.4.1/24 dev " + veth_h) &&
          Run("ip -n " + hotspot_ + " link set " + veth_h + " up") &&
          Run("ip -n " + hotspot_ + " link set lo up") &&
          Run("ip -n " + hotspot_ + " route add local 0.0.0.0/0 dev lo") &&
          Run("ip -n " + phone_ + " addr add 192.168.4.2/24 dev " + veth_p) &&
          Run("ip -n " + phone_ + " link set " + veth_p + " up") &&
          Run("ip -n " + phone_ + " link set lo up") &&
          Run("ip -n " + phone_ + " route add default via 192.168.4.1");
    // `ip netns exec` mounts /etc/netns/NAME/resolv.conf over /etc/resolv.conf: the DNS
    // server the hotspot's DHCP would have named.
    std::filesystem::create_directories(resolv_dir_);
    std::ofstream(resolv_dir_ + "/resolv.conf") << "nameserver 192.168.4.1\noptions timeout:2\n";
  }
  ~NetnsPair() {
    Run("ip netns del " + phone_);  // takes the veth pair with it
    Run("ip netns del " + hotspot_);
    std::error_code ignored;
    std::filesystem::remove_all(resolv_dir_, ignored);
  }
  bool ok() const { return ok_; }
  const std::string& hotspot() const { return hotspot_; }
  const std::string& phone() const { return phone_; }

  // Moves the calling (single-threaded, forked) process into namespace `name`.
  static bool Enter(const std::string& name) {
    const int fd = ::open(("/var/run/netns/" + name).c_str(), O_RDONLY | O_CLOEXEC);
    const bool entered = fd >= 0 && ::setns(fd, CLONE_NEWNET) == 0;
    if (fd >= 0) ::close(fd);
    return entered;
  }

 private:
  static bool Run(const std::string& command) {
    return RunCommand(command + " 2>&1").exit_code == 0;
  }
  std::string hotspot_;
  std::string phone_;
  std::string resolv_dir_;
  bool ok_ = false;
};

// The portal behind the hotspot: nothing saved, nothing scanned; what is tested here is
// the network side (DNS and the probes' redirect), which does not depend on the backend.
class EmptyBackend : public wifi::PortalBackend {
 public:
  std::span<const port::ScanEntry> networks() override { return {}; }
  void RequestScan() override {}
  Status SaveAndConnect(const port::Ssid&, ByteSpan) override { return Status::Ok(); }
  wifi::PortalStatus status() const override { return {}; }
  std::span<const wifi::PortalParameter> parameters() const override { return {}; }
  Status SetParameter(std::string_view, std::string_view) override { return Status::Ok(); }
  void Erase() override {}
  void Exit() override {}
  std::string_view device_name() const override { return "netns"; }
  MacAddress station_mac() const override { return {}; }
  MacAddress ap_mac() const override { return {}; }
};

TEST(PortalNetns, AnyNameResolvesToThePortalAndEveryProbeIsRedirected) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to create network namespaces (ip netns)";
  NetnsPair net;
  ASSERT_TRUE(net.ok()) << "could not set up the network namespaces";

  ChildProcess hotspot([&] {
    if (!NetnsPair::Enter(net.hotspot())) return 2;
    host::PortalServer server({.http_address = "0.0.0.0:80", .dns_address = "0.0.0.0:53"});
    EmptyBackend backend;
    wifi::Portal portal(backend, wifi::PortalConfig{.origin = "192.168.4.1"});
    while (true) server.Poll(portal, std::chrono::milliseconds(100));
  });
  const std::string in_phone = "ip netns exec " + net.phone() + " ";
  // Wait for the responder (the child binds right after the fork).
  for (int i = 0; i < 100; ++i) {
    if (RunCommand(in_phone + "dig +short +tries=1 +time=1 @192.168.4.1 ready.test").out ==
        "192.168.4.1\n") {
      break;
    }
  }

  // Any name, through the resolver the phone was given, and through 8.8.8.8.
  for (const char* name :
       {"captive.apple.com", "connectivitycheck.gstatic.com", "www.msftconnecttest.com",
        "dns.msftncsi.com", "detectportal.firefox.com", "anything.example.org"}) {
    EXPECT_EQ(RunCommand(in_phone + "dig +short +tries=2 +time=2 " + name).out, "192.168.4.1\n")
        << name;
  }
  const auto google = RunCommand(in_phone + "dig +tries=2 +time=2 @8.8.8.8 example.com");
  EXPECT_NE(google.out.find("example.com.\t\t10\tIN\tA\t192.168.4.1"), std::string::npos)
      << google.out;
  EXPECT_NE(google.out.find("SERVER: 8.8.8.8#53"), std::string::npos) << google.out;

  // Every OS probe, by name (curl resolves through resolv.conf), gets the 302.
  for (const char* probe :
       {"connectivitycheck.gstatic.com/generate_204", "clients3.google.com/gen_204",
        "captive.apple.com/hotspot-detect.html", "www.apple.com/library/test/success.html",
        "www.msftconnecttest.com/connecttest.txt", "www.msftncsi.com/ncsi.txt",
        "detectportal.firefox.com/success.txt", "www.msftconnecttest.com/redirect",
        "detectportal.firefox.com/canonical.html"}) {
    const auto r = RunCommand(in_phone + "curl -s -m 5 -o /dev/null -w '%{http_code} " +
                              "%{redirect_url}' http://" + probe);
    EXPECT_EQ(r.out, "302 http://192.168.4.1/") << probe;
  }

  // The simulated phone, on the phone's network as it is (no routes: every packet goes to
  // its real destination), runs each OS's sequence.
  for (host::PhoneOs os : host::kEveryPhoneOs) {
    ChildProcess phone([&] {
      if (!NetnsPair::Enter(net.phone())) return 2;
      const host::PhoneVerdict v = host::RunPhoneProbes(os, {.direct = true});
      std::fprintf(stderr, "%s: %s\n", host::ToString(os), v.reason.c_str());
      for (const std::string& step : v.steps) std::fprintf(stderr, "  %s\n", step.c_str());
      return v.portal_opens ? 0 : 1;
    });
    EXPECT_EQ(phone.Wait(std::chrono::seconds(60)), 0) << host::ToString(os);
  }
}

}  // namespace
}  // namespace airlab
