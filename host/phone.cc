#include "host/phone.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <random>

#include "core/wifi/dns.h"
#include "host/portal_server.h"

namespace airlab::host {
namespace {

using SteadyClock = std::chrono::steady_clock;

struct OsProfile {
  const char* name;
  bool dns_to_google;  // Android: its fallback resolver, not the hotspot's
  const char* probe_host;
  const char* probe_path;
  const char* online_body;   // the body that means "online" (nullptr: status 204 does)
  const char* login_path;    // where the sign-in page opens on the probe host
  const char* extra_lookup;  // a name the OS resolves as well (Windows' NCSI), or nullptr
};

const OsProfile& ProfileOf(PhoneOs os) {
  static const OsProfile kProfiles[] = {
      {"Android", true, "connectivitycheck.gstatic.com", "/generate_204", nullptr, "/generate_204",
       nullptr},
      {"iOS", false, "captive.apple.com", "/hotspot-detect.html",
       "<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>",
       "/hotspot-detect.html", nullptr},
      {"Windows", false, "www.msftconnecttest.com", "/connecttest.txt", "Microsoft Connect Test",
       "/redirect", "dns.msftncsi.com"},
      {"Firefox", false, "detectportal.firefox.com", "/success.txt", "success\n", "/canonical.html",
       nullptr},
  };
  return kProfiles[static_cast<int>(os)];
}

// Owns a socket descriptor.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

std::string AddressText(const std::array<uint8_t, 4>& a) {
  return std::to_string(a[0]) + "." + std::to_string(a[1]) + "." + std::to_string(a[2]) + "." +
         std::to_string(a[3]);
}

// Where a packet to `destination` goes, or nullopt when the network drops it.
std::optional<Ipv4Endpoint> Route(const PhoneNetwork& network, const std::string& destination) {
  if (auto it = network.routes.find(destination); it != network.routes.end()) {
    return ParseIpv4Endpoint(it->second, "a phone route");
  }
  const Ipv4Endpoint endpoint = ParseIpv4Endpoint(destination, "a phone destination");
  if (network.direct || endpoint.address[0] == 127) return endpoint;
  return std::nullopt;
}

sockaddr_in ToSockaddr(const Ipv4Endpoint& e) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(e.port);
  std::memcpy(&a.sin_addr, e.address.data(), 4);
  return a;
}

int RemainingMs(SteadyClock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// The A records for `name` from the DNS server at `server` ("8.8.8.8:53"), or an error text.
std::optional<std::array<uint8_t, 4>> Resolve(const PhoneNetwork& network, const std::string& name,
                                              const std::string& server, std::string& error) {
  const std::optional<Ipv4Endpoint> to = Route(network, server);
  if (!to) {
    error = "got no answer (nothing on this network answers " + server + ")";
    return std::nullopt;
  }
  static std::minstd_rand ids(static_cast<unsigned>(SteadyClock::now().time_since_epoch().count()));
  const auto id = static_cast<uint16_t>(ids());
  std::array<std::byte, wifi::kDnsMaxMessage> query{};
  const StatusWithSize built = wifi::BuildDnsQuery(id, name, wifi::kDnsTypeA, query);
  Fd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  const sockaddr_in a = ToSockaddr(*to);
  if (!built.ok() || s.fd < 0 ||
      ::sendto(s.fd, query.data(), built.size(), 0, reinterpret_cast<const sockaddr*>(&a),
               sizeof a) < 0) {
    error = std::string("could not be sent: ") + strerror(errno);
    return std::nullopt;
  }
  const auto deadline = SteadyClock::now() + network.timeout;
  while (true) {
    pollfd p{s.fd, POLLIN, 0};
    if (::poll(&p, 1, RemainingMs(deadline)) <= 0) {
      error = "got no answer within " + std::to_string(network.timeout.count()) + " ms";
      return std::nullopt;
    }
    std::array<std::byte, 1500> reply{};
    const ssize_t n = ::recv(s.fd, reply.data(), reply.size(), 0);
    if (n < 0) {
      error = std::string("failed: ") + strerror(errno);  // e.g. ICMP port unreachable
      return std::nullopt;
    }
    std::array<std::array<uint8_t, 4>, 1> addresses{};
    const Result<wifi::DnsAnswer> answer =
        wifi::ParseDnsAnswer(ByteSpan(reply).first(static_cast<size_t>(n)), id, addresses);
    if (!answer.ok()) continue;  // not the answer to this query: keep waiting
    if (answer->address_count == 0) {
      error = "was answered with no address (rcode " +
              std::to_string(static_cast<int>(answer->rcode)) + ")";
      return std::nullopt;
    }
    return addresses[0];
  }
}

struct HttpReply {
  int status = 0;
  std::string location;
  std::string body;
};

// GET http://host/path sent to `address:port` with `host` in the Host header.
std::optional<HttpReply> HttpGet(const PhoneNetwork& network, const std::string& endpoint,
                                 const std::string& host, const std::string& path,
                                 std::string& error) {
  const std::optional<Ipv4Endpoint> to = Route(network, endpoint);
  if (!to) {
    error = "could not connect to " + endpoint + " (unreachable)";
    return std::nullopt;
  }
  Fd s(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  const sockaddr_in a = ToSockaddr(*to);
  const auto deadline = SteadyClock::now() + network.timeout;
  if (::connect(s.fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 &&
      errno != EINPROGRESS) {
    error = "could not connect to " + endpoint + ": " + strerror(errno);
    return std::nullopt;
  }
  pollfd p{s.fd, POLLOUT, 0};
  int so_error = 0;
  socklen_t size = sizeof so_error;
  if (::poll(&p, 1, RemainingMs(deadline)) <= 0 ||
      ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &so_error, &size) != 0 || so_error != 0) {
    error = "could not connect to " + endpoint + ": " +
            (so_error != 0 ? strerror(so_error) : "timed out");
    return std::nullopt;
  }
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + host +
                              "\r\nUser-Agent: airlab-phone\r\nConnection: close\r\n\r\n";
  if (::send(s.fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    error = "could not send the request to " + endpoint;
    return std::nullopt;
  }
  std::string text;
  while (text.size() < (1u << 20)) {
    pollfd r{s.fd, POLLIN, 0};
    if (::poll(&r, 1, RemainingMs(deadline)) <= 0) {
      error = "no complete answer from " + endpoint + " within " +
              std::to_string(network.timeout.count()) + " ms";
      return std::nullopt;
    }
    char chunk[4096];
    const ssize_t n = ::recv(s.fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EAGAIN) continue;
    if (n <= 0) break;
    text.append(chunk, static_cast<size_t>(n));
  }
  const size_t head_end = text.find("\r\n\r\n");
  if (text.compare(0, 9, "HTTP/1.1 ") != 0 && text.compare(0, 9, "HTTP/1.0 ") != 0) {
    error = "the answer from " + endpoint + " is not HTTP";
    return std::nullopt;
  }
  HttpReply reply;
  reply.status = std::atoi(text.c_str() + 9);
  const std::string head = text.substr(0, head_end);
  for (size_t at = head.find("\r\n"); at != std::string::npos; at = head.find("\r\n", at + 2)) {
    const std::string line = head.substr(at + 2, head.find("\r\n", at + 2) - at - 2);
    if (line.size() > 9 && strncasecmp(line.c_str(), "location:", 9) == 0) {
      reply.location = line.substr(line.find_first_not_of(' ', 9));
    }
  }
  if (head_end != std::string::npos) reply.body = text.substr(head_end + 4);
  return reply;
}

// Turns "http://host[:port]/path" into its parts; false for another scheme.
bool SplitUrl(const std::string& url, std::string& host, std::string& port, std::string& path) {
  if (url.compare(0, 7, "http://") != 0) return false;
  const size_t slash = url.find('/', 7);
  const std::string authority = url.substr(7, slash == std::string::npos ? slash : slash - 7);
  path = slash == std::string::npos ? "/" : url.substr(slash);
  const size_t colon = authority.find(':');
  host = authority.substr(0, colon);
  port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  return !host.empty();
}

bool IsIpv4Literal(const std::string& host) {
  in_addr ignored{};
  return ::inet_pton(AF_INET, host.c_str(), &ignored) == 1;
}

// Opens the sign-in page at `url` as the OS's captive-portal browser does: follows up to 3
// redirects. True when it ends in a 200 page; `verdict` gets the steps and the reason.
bool OpenSignInPage(const PhoneNetwork& network, std::string url, PhoneVerdict& verdict) {
  for (int hop = 0; hop < 4; ++hop) {
    std::string host;
    std::string port;
    std::string path;
    if (!SplitUrl(url, host, port, path)) {
      verdict.reason = "the sign-in page " + url + " is not an http:// URL";
      return false;
    }
    std::string address = host;
    if (!IsIpv4Literal(host)) {
      std::string error;
      const auto resolved = Resolve(network, host, network.dns_server, error);
      if (!resolved) {
        verdict.reason = "DNS for " + host + " " + error;
        return false;
      }
      address = AddressText(*resolved);
    }
    std::string error;
    const std::string host_header = port == "80" ? host : host + ":" + port;
    const auto reply = HttpGet(network, address + ":" + port, host_header, path, error);
    if (!reply) {
      verdict.reason = "the sign-in page " + url + " " + error;
      return false;
    }
    verdict.steps.push_back("GET " + url + " -> " + std::to_string(reply->status) +
                            (reply->location.empty() ? "" : " " + reply->location));
    if (reply->status == 200) return true;
    if (reply->status < 300 || reply->status > 399 || reply->location.empty()) {
      verdict.reason = "the sign-in page " + url + " answered " + std::to_string(reply->status);
      return false;
    }
    url = reply->location;
  }
  verdict.reason = "the sign-in page redirects more than 3 times";
  return false;
}

}  // namespace

const char* ToString(PhoneOs os) { return ProfileOf(os).name; }

PhoneVerdict RunPhoneProbes(PhoneOs os, const PhoneNetwork& network) {
  const OsProfile& profile = ProfileOf(os);
  PhoneVerdict verdict;
  verdict.os = os;
  const std::string dns_server = profile.dns_to_google ? "8.8.8.8:53" : network.dns_server;
  const std::string probe_url = std::string("http://") + profile.probe_host + profile.probe_path;
  if (profile.extra_lookup != nullptr) {
    std::string error;
    const auto extra = Resolve(network, profile.extra_lookup, dns_server, error);
    verdict.steps.push_back(std::string("DNS ") + profile.extra_lookup + " via " + dns_server +
                            " -> " + (extra ? AddressText(*extra) : error));
  }
  std::string error;
  const auto address = Resolve(network, profile.probe_host, dns_server, error);
  verdict.steps.push_back(std::string("DNS ") + profile.probe_host + " via " + dns_server + " -> " +
                          (address ? AddressText(*address) : error));
  if (!address) {
    verdict.reason =
        std::string("DNS for ") + profile.probe_host + " sent to " + dns_server + " " + error +
        ": " +
        (profile.dns_to_google ? "the hotspot must answer DNS sent to any address (Android asks "
                                 "8.8.8.8, not the hotspot's DNS server)"
                               : "the hotspot must answer every name with the portal's address");
    return verdict;
  }
  const auto probe = HttpGet(network, AddressText(*address) + ":80", profile.probe_host,
                             profile.probe_path, error);
  if (!probe) {
    verdict.reason = "the probe " + probe_url + " " + error +
                     ": the hotspot must serve HTTP on port 80 at the address its DNS gives";
    return verdict;
  }
  verdict.steps.push_back("GET " + probe_url + " -> " + std::to_string(probe->status) +
                          (probe->location.empty() ? "" : " " + probe->location));
  const bool online = profile.online_body == nullptr
                          ? probe->status == 204
                          : probe->status == 200 && probe->body == profile.online_body;
  if (online) {
    verdict.reason = "the probe " + probe_url + " got the online answer: " + ToString(os) +
                     " believes it is on the internet and opens no sign-in page";
    return verdict;
  }
  const std::string login_url = std::string("http://") + profile.probe_host + profile.login_path;
  if (!OpenSignInPage(network, login_url, verdict)) return verdict;
  verdict.portal_opens = true;
  verdict.reason = "the probe " + probe_url + " got " + std::to_string(probe->status) +
                   (probe->location.empty() ? "" : " to " + probe->location) +
                   ", not the online answer, and the sign-in page loads: the pop-up opens";
  return verdict;
}

}  // namespace airlab::host
