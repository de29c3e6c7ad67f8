#pragma once
// A simulated phone that has joined a hotspot and runs one operating system's captive-portal
// detection as that OS does it, over real UDP (DNS) and TCP (HTTP): which resolver it asks,
// which URL it probes, what answer it takes for "online", and where its sign-in page goes.
// The verdict says whether the "sign in to network" pop-up would open on the portal, and
// when not, why and what the hotspot must do.
//
// The sequences (reference/provisioning.md):
// - Android: connectivitycheck.gstatic.com resolved through 8.8.8.8, not the hotspot's DNS
//   (Android's fallback resolver); GET /generate_204: online only on 204.
// - iOS/macOS: captive.apple.com through the hotspot's DNS; GET /hotspot-detect.html: online
//   only on Apple's "Success" page.
// - Windows: dns.msftncsi.com and www.msftconnecttest.com through the hotspot's DNS; GET
//   /connecttest.txt: online only on "Microsoft Connect Test"; the sign-in page opens at
//   /redirect.
// - Firefox: detectportal.firefox.com through the hotspot's DNS; GET /success.txt: online
//   only on "success"; the sign-in page opens at /canonical.html.
// When the probe says captive, the phone opens the sign-in page and follows its redirects
// (at most 3); the pop-up "opens on the portal" when that ends in a 200 page.
//
// Host code: std::string, exceptions only for misuse.
#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace airlab::host {

enum class PhoneOs { kAndroid, kIos, kWindows, kFirefox };
const char* ToString(PhoneOs os);
inline constexpr PhoneOs kEveryPhoneOs[] = {PhoneOs::kAndroid, PhoneOs::kIos, PhoneOs::kWindows,
                                            PhoneOs::kFirefox};

// The network the phone joined.
struct PhoneNetwork {
  // The DNS server the hotspot's DHCP named.
  std::string dns_server = "192.168.4.1:53";
  // Where packets to an ADDR:PORT really go from this phone. On a real network (a network
  // namespace) leave it empty and set `direct`; a test on loopback lists what the hotspot's
  // network delivers where ("8.8.8.8:53" -> "127.0.0.1:40123" for a hotspot that answers DNS
  // sent to any address; nothing for one that does not).
  std::map<std::string, std::string> routes;
  // Whether a destination not in `routes` is sent to its own address (a real network);
  // false: it is unreachable (a hotspot with no uplink). 127.0.0.0/8 is always direct.
  bool direct = false;
  std::chrono::milliseconds timeout{2000};
};

struct PhoneVerdict {
  PhoneOs os = PhoneOs::kAndroid;
  bool portal_opens = false;
  std::string reason;              // one sentence
  std::vector<std::string> steps;  // what the phone did, one line each
};

PhoneVerdict RunPhoneProbes(PhoneOs os, const PhoneNetwork& network);

}  // namespace airlab::host
