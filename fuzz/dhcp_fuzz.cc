// Feeds arbitrary bytes to the IPv4/UDP parser and the DHCP view (as an IPv4 packet, and
// as a bare UDP payload): everything accepted stays inside the input, every accessor reads
// only what Parse checked, and a parsed message re-encodes to a message that parses alike.

#include <cstddef>
#include <cstdint>

#include "core/wifi/dhcp.h"
#include "fuzz/fuzz_support.h"

namespace {

using namespace airlab;
using namespace airlab::wifi;
using airlab::fuzz::Check;
using airlab::fuzz::Inside;
using airlab::fuzz::Touch;

volatile uint32_t sink = 0;

uint32_t Sum(const Ipv4Address& a) { return a[0] + a[1] + a[2] + a[3]; }

template <typename T>
void TouchResult(const Result<T>& r) {
  if (r.ok()) sink = sink + static_cast<uint32_t>(sizeof(*r));
}

void ExerciseDhcp(ByteSpan payload) {
  Result<DhcpView> parsed = DhcpView::Parse(payload);
  if (!parsed.ok()) return;
  const DhcpView& d = *parsed;
  sink = sink + d.from_server() + static_cast<uint32_t>(d.type()) + d.xid() + d.secs() +
         d.broadcast() + Sum(d.ciaddr()) + Sum(d.yiaddr()) + Sum(d.siaddr()) + Sum(d.giaddr()) +
         Touch(d.chaddr().bytes());
  TouchResult(d.requested_address());
  TouchResult(d.server_identifier());
  TouchResult(d.subnet_mask());
  TouchResult(d.router());
  TouchResult(d.lease_time_s());
  const size_t dns = d.dns_server_count();
  for (size_t i = 0; i < dns; ++i) sink = sink + Sum(d.dns_server(i));
  Check(Inside(d.captive_portal_url(), payload));
  sink = sink + Touch(d.captive_portal_url());

  // Written again from what the view read, it reads back the same.
  Ipv4Address servers[kMaxDnsServers];
  const size_t kept = dns < kMaxDnsServers ? dns : kMaxDnsServers;
  for (size_t i = 0; i < kept; ++i) servers[i] = d.dns_server(i);
  DhcpFields f{.type = d.type(),
               .xid = d.xid(),
               .secs = d.secs(),
               .broadcast = d.broadcast(),
               .ciaddr = d.ciaddr(),
               .yiaddr = d.yiaddr(),
               .siaddr = d.siaddr(),
               .giaddr = d.giaddr(),
               .chaddr = d.chaddr(),
               .dns_servers = std::span<const Ipv4Address>(servers, kept),
               .captive_portal_url = d.captive_portal_url()};
  if (auto a = d.server_identifier(); a.ok()) f.server_identifier = *a;
  if (auto l = d.lease_time_s(); l.ok()) f.lease_time_s = *l;
  FrameBuffer<1024> again;
  Check(BuildDhcp(again, f).ok());
  Result<DhcpView> reparsed = DhcpView::Parse(again.bytes());
  Check(reparsed.ok());
  Check(reparsed->type() == d.type() && reparsed->xid() == d.xid());
  Check(reparsed->yiaddr() == d.yiaddr() && reparsed->chaddr() == d.chaddr());
  Check(reparsed->dns_server_count() == kept);
  Check(reparsed->captive_portal_url().size() == d.captive_portal_url().size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan input = AsBytes(data, size);
  if (auto udp = ParseIpv4Udp(input); udp.ok()) {
    Check(Inside(udp->payload, input));
    sink = sink + Sum(udp->source) + Sum(udp->destination) + udp->source_port +
           udp->destination_port + udp->ttl + Touch(udp->payload);
    ExerciseDhcp(udp->payload);
  }
  ExerciseDhcp(input);
  return 0;
}
