#pragma once
// Serves a captive portal on a host: core/wifi's Portal over TCP (HTTP) and its DNS
// responder over UDP, in one poll loop the caller drives (so the backend behind the portal,
// a Wi-Fi manager on a simulated air, runs in the same thread between polls).
//
// Bounded: a request may take HttpLimits' head and body, at most max_connections are open,
// a connection idle for idle_timeout is closed (a slow client cannot hold the portal). A
// malformed or oversized request gets its 4xx and the server keeps serving. Each response
// ends its connection ("Connection: close"): the portal's pages are few and small.
//
// Host code: failures to set up (an address in use, a port below 1024 without root) throw
// std::runtime_error with a sentence naming the fix.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/wifi/dns.h"
#include "core/wifi/http_request.h"
#include "core/wifi/portal.h"

namespace airlab::host {

struct PortalServerConfig {
  std::string http_address = "127.0.0.1:0";  // ADDR:PORT; port 0 picks a free one
  std::string dns_address = "127.0.0.1:0";   // empty: no DNS responder
  wifi::DnsResponderConfig dns;              // the address every A query gets
  wifi::HttpLimits limits;
  size_t max_connections = 16;
  std::chrono::milliseconds idle_timeout{10000};
};

struct PortalServerStats {
  uint64_t connections = 0;
  uint64_t requests = 0;     // answered by the portal's routes
  uint64_t refused = 0;      // answered 4xx/5xx by the parser's verdict
  uint64_t dropped = 0;      // closed: idle, over max_connections, or the peer vanished
  uint64_t dns_queries = 0;  // datagrams received on the DNS socket
  uint64_t dns_answers = 0;
};

class PortalServer {
 public:
  explicit PortalServer(const PortalServerConfig& config);
  ~PortalServer();
  PortalServer(const PortalServer&) = delete;
  PortalServer& operator=(const PortalServer&) = delete;

  // "127.0.0.1:41234": where the sockets are bound (the ports once chosen).
  std::string http_endpoint() const;
  std::string dns_endpoint() const;  // empty without DNS

  // Waits up to `max_wait` for sockets to be ready, then accepts, reads, answers with
  // `portal` and answers DNS. Returns after one round.
  void Poll(wifi::Portal& portal, std::chrono::milliseconds max_wait);

  const PortalServerStats& stats() const { return stats_; }

 private:
  struct Connection;
  void Accept();
  void Read(Connection& connection, wifi::Portal& portal);
  void Write(Connection& connection);
  void AnswerDns();

  PortalServerConfig config_;
  int http_fd_ = -1;
  int dns_fd_ = -1;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::array<std::byte, wifi::kPortalResponseCapacity> response_{};
  PortalServerStats stats_;
};

// "ADDR:PORT" as the portal's options take it (an IPv4 address); throws naming the form.
struct Ipv4Endpoint {
  std::array<uint8_t, 4> address{};
  uint16_t port = 0;
};
Ipv4Endpoint ParseIpv4Endpoint(const std::string& text, const char* what);

}  // namespace airlab::host
