#include "host/portal_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace airlab::host {

using Clock = std::chrono::steady_clock;

struct PortalServer::Connection {
  int fd = -1;
  std::vector<std::byte> in;  // what the client sent so far (bounded by the limits)
  size_t received = 0;
  std::vector<std::byte> out;  // the response, once there is one
  size_t sent = 0;
  Clock::time_point last_activity;
  bool done = false;  // to be closed

  ~Connection() {
    if (fd >= 0) ::close(fd);
  }
};

namespace {

sockaddr_in ToSockaddr(const Ipv4Endpoint& endpoint) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(endpoint.port);
  std::memcpy(&a.sin_addr, endpoint.address.data(), 4);
  return a;
}

std::string Describe(int fd) {
  sockaddr_in a{};
  socklen_t size = sizeof a;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &size) != 0) return {};
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
  return std::string(text) + ":" + std::to_string(ntohs(a.sin_port));
}

void SetNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

int BindSocket(const std::string& address, int type, const char* what) {
  const Ipv4Endpoint endpoint = ParseIpv4Endpoint(address, what);
  const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("cannot open a socket: ") + strerror(errno));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const sockaddr_in a = ToSockaddr(endpoint);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    const int error = errno;
    ::close(fd);
    std::string fix = "pick another port";
    if (error == EACCES) fix = "ports below 1024 need root; pick a port above 1024";
    if (error == EADDRNOTAVAIL) fix = "use an address of this machine (e.g. 127.0.0.1)";
    throw std::runtime_error(std::string("cannot bind ") + what + " to " + address + ": " +
                             strerror(error) + "; " + fix);
  }
  if (type == SOCK_DGRAM) ::setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
  if (type == SOCK_STREAM && ::listen(fd, 16) != 0) {
    ::close(fd);
    throw std::runtime_error(std::string("cannot listen on ") + address);
  }
  SetNonBlocking(fd);
  return fd;
}

}  // namespace

Ipv4Endpoint ParseIpv4Endpoint(const std::string& text, const char* what) {
  const size_t colon = text.rfind(':');
  Ipv4Endpoint endpoint;
  in_addr address{};
  const std::string host = colon == std::string::npos ? text : text.substr(0, colon);
  const std::string port = colon == std::string::npos ? "" : text.substr(colon + 1);
  char* end = nullptr;
  const unsigned long value = std::strtoul(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || value > 65535 ||
      ::inet_pton(AF_INET, host.c_str(), &address) != 1) {
    throw std::runtime_error(std::string(what) + " must be ADDRESS:PORT with an IPv4 address " +
                             "(e.g. 127.0.0.1:8080), not '" + text + "'");
  }
  std::memcpy(endpoint.address.data(), &address, 4);
  endpoint.port = static_cast<uint16_t>(value);
  return endpoint;
}

PortalServer::PortalServer(const PortalServerConfig& config) : config_(config) {
  http_fd_ = BindSocket(config.http_address, SOCK_STREAM, "the portal (--listen)");
  if (!config.dns_address.empty()) {
    try {
      dns_fd_ = BindSocket(config.dns_address, SOCK_DGRAM, "the DNS responder (--dns)");
    } catch (...) {
      ::close(http_fd_);
      throw;
    }
  }
}

PortalServer::~PortalServer() {
  connections_.clear();
  if (http_fd_ >= 0) ::close(http_fd_);
  if (dns_fd_ >= 0) ::close(dns_fd_);
}

std::string PortalServer::http_endpoint() const { return Describe(http_fd_); }
std::string PortalServer::dns_endpoint() const {
  return dns_fd_ >= 0 ? Describe(dns_fd_) : std::string();
}

void PortalServer::Poll(wifi::Portal& portal, std::chrono::milliseconds max_wait) {
  std::vector<pollfd> fds;
  fds.push_back({http_fd_, POLLIN, 0});
  if (dns_fd_ >= 0) fds.push_back({dns_fd_, POLLIN, 0});
  for (const auto& c : connections_) {
    fds.push_back({c->fd, static_cast<short>(c->out.empty() ? POLLIN : POLLOUT), 0});
  }
  const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(max_wait.count()));
  if (ready < 0) return;  // EINTR: the caller's loop checks its stop flag and polls again
  const size_t first_connection = dns_fd_ >= 0 ? 2 : 1;
  // Connections first, in the order polled (Accept appends to the list).
  for (size_t i = first_connection; i < fds.size(); ++i) {
    Connection& c = *connections_[i - first_connection];
    if (fds[i].revents & (POLLERR | POLLNVAL)) {
      c.done = true;
      ++stats_.dropped;
    } else if (fds[i].revents & POLLOUT) {
      Write(c);
    } else if (fds[i].revents & (POLLIN | POLLHUP)) {
      Read(c, portal);
    }
  }
  if (dns_fd_ >= 0 && (fds[1].revents & POLLIN)) AnswerDns();
  if (fds[0].revents & POLLIN) Accept();
  const Clock::time_point now = Clock::now();
  std::erase_if(connections_, [&](const std::unique_ptr<Connection>& c) {
    if (!c->done && now - c->last_activity > config_.idle_timeout) {
      c->done = true;
      ++stats_.dropped;
    }
    return c->done;
  });
}

void PortalServer::Accept() {
  while (true) {
    const int fd = ::accept4(http_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    ++stats_.connections;
    if (connections_.size() >= config_.max_connections) {
      ::close(fd);
      ++stats_.dropped;
      continue;
    }
    auto c = std::make_unique<Connection>();
    c->fd = fd;
    c->in.resize(config_.limits.max_head + config_.limits.max_body);
    c->last_activity = Clock::now();
    connections_.push_back(std::move(c));
  }
}

void PortalServer::Read(Connection& c, wifi::Portal& portal) {
  const ssize_t n = ::recv(c.fd, c.in.data() + c.received, c.in.size() - c.received, 0);
  if (n <= 0) {
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      c.done = true;  // the client left before finishing its request
      ++stats_.dropped;
    }
    return;
  }
  c.received += static_cast<size_t>(n);
  c.last_activity = Clock::now();
  const wifi::HttpParse parsed =
      wifi::ParseHttpRequest(ByteSpan(c.in).first(c.received), config_.limits);
  StatusWithSize response(0);
  if (parsed.outcome == wifi::HttpParseOutcome::kComplete) {
    ++stats_.requests;
    response = portal.Respond(parsed.request, response_);
    if (!response.ok()) response = wifi::Portal::RespondError(500, response_);
  } else if (parsed.outcome == wifi::HttpParseOutcome::kIncomplete) {
    if (c.received < c.in.size()) return;
    // Unreachable with the buffer sized to the limits; kept so a full buffer never hangs.
    response = wifi::Portal::RespondError(431, response_);
  } else {
    ++stats_.refused;
    response = wifi::Portal::RespondError(wifi::HttpStatusFor(parsed.outcome), response_);
  }
  c.out.assign(response_.begin(), response_.begin() + static_cast<ptrdiff_t>(response.size()));
  Write(c);
}

void PortalServer::Write(Connection& c) {
  const ssize_t n = ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
  if (n < 0) {
    if (errno != EAGAIN && errno != EINTR) {
      c.done = true;
      ++stats_.dropped;
    }
    return;
  }
  c.sent += static_cast<size_t>(n);
  c.last_activity = Clock::now();
  if (c.sent == c.out.size()) {
    // Half-close, so the client reads the whole response before the connection ends.
    ::shutdown(c.fd, SHUT_WR);
    c.done = true;
  }
}

// Answers from the address each query was sent to (IP_PKTINFO), so a responder bound to
// 0.0.0.0 on a host that takes every destination as local (`ip route add local 0.0.0.0/0
// dev lo`) answers DNS sent to 8.8.8.8 as 8.8.8.8, which is what the phone expects.
void PortalServer::AnswerDns() {
  std::array<std::byte, 1500> query{};
  std::array<std::byte, wifi::kDnsMaxMessage> answer{};
  for (int budget = 64; budget > 0; --budget) {  // a flood cannot starve the HTTP side
    sockaddr_in from{};
    iovec in_iov{query.data(), query.size()};
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in_pktinfo))> control{};
    msghdr in{};
    in.msg_name = &from;
    in.msg_namelen = sizeof from;
    in.msg_iov = &in_iov;
    in.msg_iovlen = 1;
    in.msg_control = control.data();
    in.msg_controllen = control.size();
    const ssize_t n = ::recvmsg(dns_fd_, &in, 0);
    if (n < 0) return;
    ++stats_.dns_queries;
    const StatusWithSize reply =
        wifi::AnswerDnsQuery(ByteSpan(query).first(static_cast<size_t>(n)), config_.dns, answer);
    if (!reply.ok() || reply.size() == 0) continue;
    iovec out_iov{answer.data(), reply.size()};
    msghdr out{};
    out.msg_name = &from;
    out.msg_namelen = in.msg_namelen;
    out.msg_iov = &out_iov;
    out.msg_iovlen = 1;
    for (cmsghdr* c = CMSG_FIRSTHDR(&in); c != nullptr; c = CMSG_NXTHDR(&in, c)) {
      if (c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_PKTINFO) continue;
      auto* info = reinterpret_cast<in_pktinfo*>(CMSG_DATA(c));
      info->ipi_spec_dst = info->ipi_addr;  // the source of the answer: where the query went
      info->ipi_ifindex = 0;
      out.msg_control = control.data();
      out.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo));
    }
    if (::sendmsg(dns_fd_, &out, 0) >= 0) ++stats_.dns_answers;
  }
}

}  // namespace airlab::host
