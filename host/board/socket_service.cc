#include "host/board/socket_service.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "host/board/bridge_values.h"

namespace airlab::host::board {
namespace {

constexpr int kEagain = 11;
constexpr int kEhostunreach = 113;
constexpr int kEtimedout = 110;
constexpr int kEbadf = 9;

// The names the lab's cloud answers for.
bool IsCloudName(const std::string& host) {
  return host == "api.thingspeak.com" || host == "thingspeak.com";
}

sockaddr_in Address(const std::string& ip, int64_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, ip.c_str(), &address.sin_addr) != 1) RaiseOsError(EINVAL);
  return address;
}

Json AddressJson(const sockaddr_in& address) {
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &address.sin_addr, text, sizeof text);
  return Json::array({text, ntohs(address.sin_port)});
}

// The host's resolver, IPv4 only (MicroPython's lwIP on an ESP32 resolves A records).
std::optional<std::string> Resolve(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr)
    return std::nullopt;
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr, text, sizeof text);
  freeaddrinfo(found);
  return std::string(text);
}

}  // namespace

std::optional<SocketService::Endpoint> SocketService::ParseCloud(const std::string& url) {
  size_t start = url.find("://");
  if (start == std::string::npos) return std::nullopt;
  const std::string scheme = url.substr(0, start);
  start += 3;
  const std::string rest = url.substr(start, url.find('/', start) - start);
  Endpoint endpoint{rest, static_cast<uint16_t>(scheme == "https" ? 443 : 80)};
  if (const size_t colon = rest.rfind(':'); colon != std::string::npos) {
    endpoint.host = rest.substr(0, colon);
    try {
      endpoint.port = static_cast<uint16_t>(std::stoi(rest.substr(colon + 1)));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  if (endpoint.host.empty()) return std::nullopt;
  return endpoint;
}

SocketService::SocketService(const BoardContext& context, const NetworkService& network,
                             Bridge& bridge)
    : context_(context), network_(network) {
  Register(bridge);
  bridge.OnReset([this] { CloseAll(); });
}

SocketService::~SocketService() { CloseAll(); }

void SocketService::CloseAll() {
  for (const auto& [id, fd] : sockets_) ::close(fd);
  sockets_.clear();
  hotspot_.clear();
}

int SocketService::Fd(const Json& args) const {
  const auto it = sockets_.find(static_cast<int>(OptionalInt(args, 0).value_or(0)));
  if (it == sockets_.end()) RaiseOsError(kEbadf);
  return it->second;
}

void SocketService::RequireRoute() const {
  if (!network_.station_connected()) RaiseOsError(kEhostunreach);
}

bool SocketService::WaitReady(int fd, short events, const Json& args, size_t index, Waits& waits) {
  auto ready = [fd, events] {
    pollfd p{fd, events, 0};
    return ::poll(&p, 1, 0) > 0;
  };
  if (ready()) return true;
  const std::optional<int64_t> timeout_ms = OptionalInt(args, index);
  if (timeout_ms && *timeout_ms == 0) RaiseOsError(kEagain);
  switch (waits.WaitFor(ready, std::chrono::milliseconds(timeout_ms.value_or(-1)))) {
    case WaitEnd::kDone: return true;
    case WaitEnd::kTimeout: RaiseOsError(kEtimedout);
    case WaitEnd::kInterrupted: return false;
  }
  return false;
}

// One short handler per socket call, kept together as the module's surface (a table, so
// longer than a function usually is).
void SocketService::Register(Bridge& bridge) {
  auto add = [&bridge](const char* name, Handler handler) {
    bridge.Register(std::string("socket.") + name, std::move(handler));
  };
  add("getaddrinfo", [this](const Json& args, Waits&) { return GetAddrInfo(args); });
  // Whether `host` is one of the cloud's names and the cloud is plain HTTP, so that
  // urequests may skip TLS for https://api.thingspeak.com (boards have no TLS).
  add("cloud_plain", [this](const Json& args, Waits&) {
    const std::optional<Endpoint> cloud = ParseCloud(context_.config.cloud);
    return Json(IsCloudName(Arg(args, 0).get<std::string>()) && cloud &&
                context_.config.cloud.rfind("http://", 0) == 0);
  });
  add("new", [this](const Json& args, Waits&) {
    const bool datagram = OptionalInt(args, 0).value_or(SOCK_STREAM) == SOCK_DGRAM;
    const int fd =
        ::socket(AF_INET, (datagram ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) RaiseOsError(errno);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockets_[next_id_] = fd;
    return Json(next_id_++);
  });
  add("close", [this](const Json& args, Waits&) {
    const auto it = sockets_.find(static_cast<int>(OptionalInt(args, 0).value_or(0)));
    if (it != sockets_.end()) {
      ::close(it->second);
      hotspot_.erase(it->first);
      sockets_.erase(it);
    }
    return Json();
  });
  add("connect", [this](const Json& args, Waits& waits) { return Connect(args, waits); });
  add("send", [this](const Json& args, Waits& waits) {
    const int fd = Fd(args);
    const std::vector<std::byte> data = FromHex(Arg(args, 1).get<std::string>());
    if (!WaitReady(fd, POLLOUT, args, 2, waits)) return Json();
    const ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent < 0) RaiseOsError(errno);
    return Json(sent);
  });
  add("recv", [this](const Json& args, Waits& waits) {
    const int fd = Fd(args);
    std::vector<std::byte> data(
        static_cast<size_t>(std::max<int64_t>(0, OptionalInt(args, 1).value_or(0))));
    if (!WaitReady(fd, POLLIN, args, 2, waits)) return Json();
    const ssize_t got = ::recv(fd, data.data(), data.size(), 0);
    if (got < 0) RaiseOsError(errno);
    return Json(ToHex(std::span(data).first(static_cast<size_t>(got))));
  });
  add("sendto", [this](const Json& args, Waits& waits) {
    const int fd = Fd(args);
    if (!hotspot_.contains(static_cast<int>(Arg(args, 0).get<int64_t>()))) RequireRoute();
    const std::vector<std::byte> data = FromHex(Arg(args, 1).get<std::string>());
    const sockaddr_in to = Address(Arg(args, 2).get<std::string>(), Arg(args, 3).get<int64_t>());
    if (!WaitReady(fd, POLLOUT, args, 4, waits)) return Json();
    const ssize_t sent = ::sendto(fd, data.data(), data.size(), MSG_NOSIGNAL,
                                  reinterpret_cast<const sockaddr*>(&to), sizeof to);
    if (sent < 0) RaiseOsError(errno);
    return Json(sent);
  });
  add("recvfrom", [this](const Json& args, Waits& waits) {
    const int fd = Fd(args);
    std::vector<std::byte> data(
        static_cast<size_t>(std::max<int64_t>(0, OptionalInt(args, 1).value_or(0))));
    if (!WaitReady(fd, POLLIN, args, 2, waits)) return Json();
    sockaddr_in from{};
    socklen_t length = sizeof from;
    const ssize_t got =
        ::recvfrom(fd, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&from), &length);
    if (got < 0) RaiseOsError(errno);
    return Json::array({ToHex(std::span(data).first(static_cast<size_t>(got))), AddressJson(from)});
  });
  add("bind", [this](const Json& args, Waits&) { return Bind(args); });
  add("listen", [this](const Json& args, Waits&) {
    if (::listen(Fd(args), static_cast<int>(OptionalInt(args, 1).value_or(2))) != 0)
      RaiseOsError(errno);
    return Json();
  });
  add("accept", [this](const Json& args, Waits& waits) {
    const int fd = Fd(args);
    if (!WaitReady(fd, POLLIN, args, 1, waits)) return Json();
    sockaddr_in from{};
    socklen_t length = sizeof from;
    const int client =
        ::accept4(fd, reinterpret_cast<sockaddr*>(&from), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (client < 0) RaiseOsError(errno);
    sockets_[next_id_] = client;
    return Json::array({next_id_++, AddressJson(from)});
  });
}

Json SocketService::GetAddrInfo(const Json& args) {
  const std::string host = Arg(args, 0).get<std::string>();
  int64_t port = OptionalInt(args, 1).value_or(0);
  in_addr numeric{};
  if (inet_pton(AF_INET, host.c_str(), &numeric) == 1) return Json::array({host, port});
  if (!network_.station_connected()) RaiseOsError(kLookupFailed);
  std::string name = host;
  if (IsCloudName(host)) {
    if (const std::optional<Endpoint> cloud = ParseCloud(context_.config.cloud)) {
      name = cloud->host;
      port = cloud->port;
    }
  }
  if (inet_pton(AF_INET, name.c_str(), &numeric) == 1) return Json::array({name, port});
  const std::optional<std::string> ip = Resolve(name);
  if (!ip) RaiseOsError(kLookupFailed);
  return Json::array({*ip, port});
}

// A bind on the soft-AP's address or on every address serves the hotspot (the header says
// where); any other address is bound as asked.
Json SocketService::Bind(const Json& args) {
  const int fd = Fd(args);
  const std::string ip = Arg(args, 1).get<std::string>();
  const int64_t port = Arg(args, 2).get<int64_t>();
  const std::string soft_ap = network_.access_point_ip_config()[0];
  const bool hotspot = ip == "0.0.0.0" || ip == soft_ap;
  const std::string& served = context_.config.hotspot_address;
  const sockaddr_in at =
      hotspot ? Address(served.empty() ? "127.0.0.1" : served, served.empty() ? 0 : port)
              : Address(ip, port);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&at), sizeof at) != 0) RaiseOsError(errno);
  if (!hotspot) return Json();
  hotspot_.insert(static_cast<int>(Arg(args, 0).get<int64_t>()));
  sockaddr_in bound{};
  socklen_t length = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  int type = SOCK_STREAM;
  length = sizeof type;
  ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length);
  const Json where = AddressJson(bound);
  Log(context_, "hotspot " + soft_ap + ":" + std::to_string(port) + " -> " +
                    where[0].get<std::string>() + ":" + std::to_string(where[1].get<int>()) +
                    (type == SOCK_DGRAM ? " (udp)" : " (tcp)"));
  return Json();
}

Json SocketService::Connect(const Json& args, Waits& waits) {
  const int fd = Fd(args);
  RequireRoute();
  const sockaddr_in to = Address(Arg(args, 1).get<std::string>(), Arg(args, 2).get<int64_t>());
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0) return Json();
  if (errno != EINPROGRESS) RaiseOsError(errno);
  if (OptionalInt(args, 3) == 0) RaiseOsError(115);  // EINPROGRESS, as lwIP says
  if (!WaitReady(fd, POLLOUT, args, 3, waits)) return Json();
  int error = 0;
  socklen_t length = sizeof error;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
  if (error != 0) RaiseOsError(error);
  return Json();
}

}  // namespace airlab::host::board
