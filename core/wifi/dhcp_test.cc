#include "core/wifi/dhcp.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/base/bytes_testing.h"
#include "core/wire/dot11.h"
#include "core/wire/dot11_testing.h"

namespace airlab::wifi {
namespace {

using wire::testing::Bytes;
using wire::testing::FromHex;

const MacAddress kClient({0x02, 0x00, 0x00, 0x00, 0x02, 0x00});
const MacAddress kAp({0x02, 0x00, 0x00, 0x00, 0x01, 0x00});
constexpr Ipv4Address kServer = {192, 168, 4, 1};
constexpr Ipv4Address kLeased = {192, 168, 4, 2};
constexpr std::string_view kPortal = "http://192.168.4.1/";
const Ipv4Address kDns[] = {kServer, {8, 8, 8, 8}};

ByteSpan Text(std::string_view s) { return AsBytes(s.data(), s.size()); }

DhcpFields Ack() {
  return {.type = DhcpMessageType::kAck,
          .xid = 0xdeadbeef,
          .secs = 3,
          .yiaddr = kLeased,
          .chaddr = kClient,
          .server_identifier = kServer,
          .lease_time_s = 7200,
          .subnet_mask = Ipv4Address{255, 255, 255, 0},
          .router = kServer,
          .dns_servers = kDns,
          .captive_portal_url = Text(kPortal)};
}

Bytes Packet(const DhcpFields& fields, const Ipv4Address& source, const Ipv4Address& destination) {
  FrameBuffer<600> dhcp, ip;
  EXPECT_TRUE(BuildDhcp(dhcp, fields).ok());
  const bool server = fields.type == DhcpMessageType::kOffer ||
                      fields.type == DhcpMessageType::kAck || fields.type == DhcpMessageType::kNak;
  EXPECT_TRUE(BuildIpv4Udp(ip, source, destination, server ? kDhcpServerPort : kDhcpClientPort,
                           server ? kDhcpClientPort : kDhcpServerPort, dhcp.bytes())
                  .ok());
  return Bytes(ip.bytes().begin(), ip.bytes().end());
}

TEST(Dhcp, Ack_RoundTripThroughIpv4AndUdp) {
  const Bytes packet = Packet(Ack(), kServer, kLeased);
  Result<UdpDatagram> udp = ParseIpv4Udp(packet);
  ASSERT_TRUE(udp.ok());
  EXPECT_EQ(udp->source, kServer);
  EXPECT_EQ(udp->destination, kLeased);
  EXPECT_EQ(udp->source_port, kDhcpServerPort);
  EXPECT_EQ(udp->destination_port, kDhcpClientPort);
  EXPECT_EQ(udp->ttl, 64);
  Result<DhcpView> dhcp = DhcpView::Parse(udp->payload);
  ASSERT_TRUE(dhcp.ok());
  EXPECT_TRUE(dhcp->from_server());
  EXPECT_EQ(dhcp->type(), DhcpMessageType::kAck);
  EXPECT_EQ(dhcp->xid(), 0xdeadbeefu);
  EXPECT_EQ(dhcp->secs(), 3);
  EXPECT_FALSE(dhcp->broadcast());
  EXPECT_EQ(dhcp->yiaddr(), kLeased);
  EXPECT_EQ(dhcp->chaddr(), kClient);
  EXPECT_EQ(*dhcp->server_identifier(), kServer);
  EXPECT_EQ(*dhcp->lease_time_s(), 7200u);
  EXPECT_EQ(*dhcp->subnet_mask(), (Ipv4Address{255, 255, 255, 0}));
  EXPECT_EQ(*dhcp->router(), kServer);
  ASSERT_EQ(dhcp->dns_server_count(), 2u);
  EXPECT_EQ(dhcp->dns_server(1), (Ipv4Address{8, 8, 8, 8}));
  AIRLAB_EXPECT_BYTES_EQ(dhcp->captive_portal_url(), Text(kPortal));
  EXPECT_EQ(dhcp->requested_address().status(), Status::NotFound());
}

TEST(Dhcp, DiscoverAndRequest_FromTheClient) {
  const uint8_t wanted[] = {1, 3, 6, 114};
  DhcpFields request{.type = DhcpMessageType::kRequest,
                     .xid = 7,
                     .broadcast = true,
                     .chaddr = kClient,
                     .requested_address = kLeased,
                     .server_identifier = kServer,
                     .parameter_request_list = wanted};
  // The view borrows the packet: keep it alive while the view is read.
  const auto packet = Packet(request, kIpv4Any, kIpv4Broadcast);
  Result<UdpDatagram> udp = ParseIpv4Udp(packet);
  ASSERT_TRUE(udp.ok());
  Result<DhcpView> dhcp = DhcpView::Parse(udp->payload);
  ASSERT_TRUE(dhcp.ok());
  EXPECT_FALSE(dhcp->from_server());
  EXPECT_TRUE(dhcp->broadcast());
  EXPECT_EQ(dhcp->type(), DhcpMessageType::kRequest);
  EXPECT_EQ(*dhcp->requested_address(), kLeased);
  EXPECT_EQ(dhcp->Option(DhcpOption::kParameterRequestList)->size(), 4u);
  EXPECT_TRUE(dhcp->captive_portal_url().empty());
}

// tshark dissects what we build, in a data frame from the AP (LLC/SNAP, ethertype IPv4).
TEST(Dhcp, Tshark_DissectsEveryMessageType_ChecksumsGood) {
  const DhcpMessageType types[] = {DhcpMessageType::kDiscover, DhcpMessageType::kOffer,
                                   DhcpMessageType::kRequest, DhcpMessageType::kAck,
                                   DhcpMessageType::kNak};
  std::vector<Bytes> frames;
  for (DhcpMessageType type : types) {
    DhcpFields fields = Ack();
    fields.type = type;
    const Bytes ip = Packet(fields, kServer, kIpv4Broadcast);
    FrameBuffer<700> frame;
    ASSERT_TRUE(wire::BuildDataFrame(
                    frame,
                    *wire::MakeDataHeader(wire::DsMode::kFromDs, MacAddress::Broadcast(), kAp, kAp),
                    kIpv4Ethertype, ip)
                    .ok());
    frames.emplace_back(frame.bytes().begin(), frame.bytes().end());
  }
  const std::vector<std::string> lines = wire::testing::Tshark(
      frames,
      {"dhcp.option.dhcp", "dhcp.id", "dhcp.ip.your", "dhcp.option.dhcp_server_id",
       "dhcp.option.ip_address_lease_time", "dhcp.option.subnet_mask", "dhcp.option.router",
       "dhcp.option.domain_name_server", "dhcp.option.captive_portal", "ip.checksum.status",
       "udp.checksum.status", "dhcp.hw.mac_addr"},
      false, "-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE");
  ASSERT_EQ(lines.size(), 5u);
  const char* numbers[] = {"1", "2", "3", "5", "6"};
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(
        lines[i],
        std::string(numbers[i]) +
            "|0xdeadbeef|192.168.4.2|192.168.4.1|7200|255.255.255.0|192.168.4.1|"
            "192.168.4.1,8.8.8.8|http://192.168.4.1/|1|1|02:00:00:00:02:00");  // 1: checksum good
  }
}

TEST(Ipv4Udp, RefusesLies) {
  const Bytes good = Packet(Ack(), kServer, kLeased);
  ASSERT_TRUE(ParseIpv4Udp(good).ok());
  EXPECT_EQ(ParseIpv4Udp(ByteSpan(good).first(19)).status(), Status::OutOfRange());
  Bytes p = good;
  p[3] = std::byte(static_cast<uint8_t>(p[3]) + 1);  // total length past the data
  EXPECT_EQ(ParseIpv4Udp(p).status(), Status::OutOfRange());
  p = good;
  p[0] = std::byte{0x44};  // IHL 4: shorter than an IPv4 header
  EXPECT_EQ(ParseIpv4Udp(p).status(), Status::OutOfRange());
  p = good;
  p[0] = std::byte{0x65};
  EXPECT_EQ(ParseIpv4Udp(p).status(), Status::InvalidArgument());
  p = good;
  p[15] ^= std::byte{1};  // source address changed: the header checksum fails
  EXPECT_EQ(ParseIpv4Udp(p).status(), Status::DataLoss());
  p = good;
  p[30] ^= std::byte{1};  // payload changed: the UDP checksum fails
  EXPECT_EQ(ParseIpv4Udp(p).status(), Status::DataLoss());
  p = good;
  p[26] = std::byte{0}, p[27] = std::byte{0};  // no UDP checksum: accepted
  p[30] ^= std::byte{1};
  EXPECT_TRUE(ParseIpv4Udp(p).ok());
  p = good;
  p[24] = std::byte{0xff}, p[25] = std::byte{0xff};  // UDP length past the packet
  EXPECT_EQ(ParseIpv4Udp(p).status(), Status::OutOfRange());
}

TEST(Ipv4Udp, FragmentsAndOtherProtocols_Refused) {
  FrameBuffer<64> ip;
  ASSERT_TRUE(BuildIpv4Udp(ip, kServer, kLeased, 1, 2, Text("hi")).ok());
  Bytes p(ip.bytes().begin(), ip.bytes().end());
  p[6] = std::byte{0x20};  // more fragments
  store_be16(p, 10, 0);
  store_be16(p, 10, InternetChecksum(ByteSpan(p).first(20)));
  EXPECT_EQ(ParseIpv4Udp(p).status(), Status::Unimplemented());
  p[6] = std::byte{0};
  p[9] = std::byte{6};  // TCP
  store_be16(p, 10, 0);
  store_be16(p, 10, InternetChecksum(ByteSpan(p).first(20)));
  EXPECT_EQ(ParseIpv4Udp(p).status(), Status::InvalidArgument());
}

// RFC 1071 section 3's example.
TEST(Ipv4Udp, InternetChecksum_Rfc1071Example) {
  const Bytes data = FromHex("0001f203f4f5f6f7");
  EXPECT_EQ(InternetChecksum(data), static_cast<uint16_t>(~0xddf2));
}

TEST(DhcpView, RefusesLies) {
  FrameBuffer<600> out;
  ASSERT_TRUE(BuildDhcp(out, Ack()).ok());
  const Bytes good(out.bytes().begin(), out.bytes().end());
  ASSERT_TRUE(DhcpView::Parse(good).ok());
  EXPECT_EQ(DhcpView::Parse(ByteSpan(good).first(239)).status(), Status::OutOfRange());
  // Cut inside the options: the last option runs past the data.
  EXPECT_EQ(DhcpView::Parse(ByteSpan(good).first(good.size() - 3)).status(), Status::OutOfRange());
  Bytes p = good;
  p[236] = std::byte{0};  // magic cookie
  EXPECT_EQ(DhcpView::Parse(p).status(), Status::InvalidArgument());
  p = good;
  p[0] = std::byte{3};
  EXPECT_EQ(DhcpView::Parse(p).status(), Status::InvalidArgument());
  p = good;
  p[241] = std::byte{2};  // message type option two bytes long
  EXPECT_EQ(DhcpView::Parse(p).status(), Status::InvalidArgument());
  p = good;
  p[242] = std::byte{9};  // message type 9
  EXPECT_EQ(DhcpView::Parse(p).status(), Status::InvalidArgument());
  // Only the fixed part and End: plain BOOTP, no message type.
  Bytes bootp(good.begin(), good.begin() + 240);
  bootp.push_back(std::byte{255});
  EXPECT_EQ(DhcpView::Parse(bootp).status(), Status::InvalidArgument());
}

TEST(DhcpView, TooManyDnsServers_InvalidArgument_AndFullBuffer_Exhausted) {
  const Ipv4Address five[5] = {};
  DhcpFields fields = Ack();
  fields.dns_servers = five;
  FrameBuffer<600> out;
  EXPECT_EQ(BuildDhcp(out, fields), Status::InvalidArgument());
  FrameBuffer<250> small;
  EXPECT_EQ(BuildDhcp(small, Ack()), Status::ResourceExhausted());
  EXPECT_EQ(small.size(), 0u);
}

}  // namespace
}  // namespace airlab::wifi
