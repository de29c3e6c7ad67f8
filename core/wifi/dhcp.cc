#include "core/wifi/dhcp.h"

#include <cstring>

namespace airlab::wifi {
namespace {

constexpr uint8_t kIpv4Version = 4;
constexpr uint8_t kBootRequest = 1;
constexpr uint8_t kBootReply = 2;
constexpr uint8_t kHardwareEthernet = 1;
constexpr uint8_t kMagicCookie[] = {99, 130, 83, 99};
constexpr size_t kChaddrSize = 16;
constexpr size_t kSnameSize = 64;
constexpr size_t kFileSize = 128;
constexpr size_t kMaxIpv4Packet = 0xffff;
constexpr uint16_t kFragmentOffsetMask = 0x1fff;
constexpr uint16_t kMoreFragmentsFlag = 0x2000;
constexpr uint16_t kBroadcastFlag = 0x8000;

ByteSpan AddressBytes(const Ipv4Address& a) { return AsBytes(a.data(), a.size()); }

Ipv4Address LoadAddress(ByteSpan b, size_t offset) {
  return {load_u8(b, offset), load_u8(b, offset + 1), load_u8(b, offset + 2),
          load_u8(b, offset + 3)};
}

// The sum over the UDP pseudo-header (RFC 768): addresses, protocol, UDP length.
uint32_t PseudoHeaderSum(const Ipv4Address& source, const Ipv4Address& destination,
                         size_t udp_length) {
  uint32_t sum = 0;
  for (size_t i = 0; i < 4; i += 2) {
    sum += uint32_t{source[i]} << 8 | source[i + 1];
    sum += uint32_t{destination[i]} << 8 | destination[i + 1];
  }
  return sum + kIpProtocolUdp + static_cast<uint32_t>(udp_length);
}

// The length an option must have, or 0 for any length.
size_t FixedOptionLength(uint8_t code) {
  switch (code) {
    case DhcpOption::kSubnetMask:
    case DhcpOption::kRequestedAddress:
    case DhcpOption::kLeaseTime:
    case DhcpOption::kServerIdentifier: return 4;
    case DhcpOption::kMessageType: return 1;
    default: return 0;
  }
}

// Walks the options after the cookie until `visit(code, data)` returns true, End, or the
// data's end. kOutOfRange when an option runs past the data.
template <typename Visit>
Status WalkOptions(ByteSpan options, Visit visit) {
  size_t offset = 0;
  while (offset < options.size()) {
    const uint8_t code = load_u8(options, offset);
    if (code == DhcpOption::kEnd) break;
    if (code == DhcpOption::kPad) {
      ++offset;
      continue;
    }
    if (!InBounds(options.size(), offset, 2)) return Status::OutOfRange();
    const size_t length = load_u8(options, offset + 1);
    if (!InBounds(options.size(), offset + 2, length)) return Status::OutOfRange();
    if (visit(code, options.subspan(offset + 2, length))) break;
    offset += 2 + length;
  }
  return Status::Ok();
}

void PutOption(ByteBuilder& out, uint8_t code, ByteSpan data) {
  out.PutU8(code).PutU8(static_cast<uint8_t>(data.size())).Append(data);
}

void PutAddressOption(ByteBuilder& out, uint8_t code, const std::optional<Ipv4Address>& a) {
  if (a) PutOption(out, code, AddressBytes(*a));
}

}  // namespace

uint16_t InternetChecksum(ByteSpan data, uint32_t initial) {
  uint32_t sum = initial;
  size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += load_be16(data, i);
  if (i < data.size()) sum += uint32_t{load_u8(data, i)} << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

Result<UdpDatagram> ParseIpv4Udp(ByteSpan packet) {
  if (packet.size() < kIpv4HeaderSize) return Status::OutOfRange();
  if (load_u8(packet, 0) >> 4 != kIpv4Version) return Status::InvalidArgument();
  const size_t header_size = size_t{load_u8(packet, 0) & 0x0fu} * 4;
  const size_t total = load_be16(packet, 2);
  if (header_size < kIpv4HeaderSize || total < header_size || total > packet.size()) {
    return Status::OutOfRange();
  }
  const ByteSpan ip = packet.first(total);
  if (InternetChecksum(ip.first(header_size)) != 0) return Status::DataLoss();
  if (load_u8(ip, 9) != kIpProtocolUdp) return Status::InvalidArgument();
  const uint16_t fragment = load_be16(ip, 6);
  if ((fragment & (kFragmentOffsetMask | kMoreFragmentsFlag)) != 0) return Status::Unimplemented();
  const ByteSpan udp = ip.subspan(header_size);
  if (udp.size() < kUdpHeaderSize) return Status::OutOfRange();
  const size_t udp_length = load_be16(udp, 4);
  if (udp_length < kUdpHeaderSize || udp_length > udp.size()) return Status::OutOfRange();
  UdpDatagram d{.source = LoadAddress(ip, 12),
                .destination = LoadAddress(ip, 16),
                .source_port = load_be16(udp, 0),
                .destination_port = load_be16(udp, 2),
                .ttl = load_u8(ip, 8),
                .payload = udp.subspan(kUdpHeaderSize, udp_length - kUdpHeaderSize)};
  if (load_be16(udp, 6) != 0 &&
      InternetChecksum(udp.first(udp_length),
                       PseudoHeaderSum(d.source, d.destination, udp_length)) != 0) {
    return Status::DataLoss();
  }
  return d;
}

Status BuildIpv4Udp(ByteBuilder& out, const Ipv4Address& source, const Ipv4Address& destination,
                    uint16_t source_port, uint16_t destination_port, ByteSpan payload,
                    uint16_t identification, uint8_t ttl) {
  const size_t udp_length = kUdpHeaderSize + payload.size();
  const size_t total = kIpv4HeaderSize + udp_length;
  if (total > kMaxIpv4Packet) return Status::InvalidArgument();
  MutableByteSpan ip = out.Reserve(total);
  if (ip.empty()) return out.status();
  std::memset(ip.data(), 0, kIpv4HeaderSize + kUdpHeaderSize);
  store_u8(ip, 0, kIpv4Version << 4 | kIpv4HeaderSize / 4);
  store_be16(ip, 2, static_cast<uint16_t>(total));
  store_be16(ip, 4, identification);
  store_u8(ip, 8, ttl);
  store_u8(ip, 9, kIpProtocolUdp);
  std::memcpy(ip.data() + 12, source.data(), 4);
  std::memcpy(ip.data() + 16, destination.data(), 4);
  store_be16(ip, 10, InternetChecksum(ip.first(kIpv4HeaderSize)));
  MutableByteSpan udp = ip.subspan(kIpv4HeaderSize);
  store_be16(udp, 0, source_port);
  store_be16(udp, 2, destination_port);
  store_be16(udp, 4, static_cast<uint16_t>(udp_length));
  if (!payload.empty()) std::memcpy(udp.data() + kUdpHeaderSize, payload.data(), payload.size());
  uint16_t checksum = InternetChecksum(udp, PseudoHeaderSum(source, destination, udp_length));
  store_be16(udp, 6, checksum == 0 ? 0xffff : checksum);  // 0 would mean "no checksum"
  return Status::Ok();
}

Status BuildDhcp(ByteBuilder& out, const DhcpFields& f) {
  if (f.dns_servers.size() > kMaxDnsServers || f.parameter_request_list.size() > 255 ||
      f.captive_portal_url.size() > 255) {
    return Status::InvalidArgument();
  }
  const bool from_server = f.type == DhcpMessageType::kOffer || f.type == DhcpMessageType::kAck ||
                           f.type == DhcpMessageType::kNak;
  const size_t start = out.size();
  out.PutU8(from_server ? kBootReply : kBootRequest).PutU8(kHardwareEthernet);
  out.PutU8(MacAddress::kSize).PutU8(0);  // hops
  out.PutBe32(f.xid).PutBe16(f.secs).PutBe16(f.broadcast ? kBroadcastFlag : 0);
  for (const Ipv4Address* a : {&f.ciaddr, &f.yiaddr, &f.siaddr, &f.giaddr}) {
    out.Append(AddressBytes(*a));
  }
  out.Append(f.chaddr.bytes()).AppendZeros(kChaddrSize - MacAddress::kSize);
  out.AppendZeros(kSnameSize + kFileSize).Append(AsBytes(kMagicCookie, sizeof kMagicCookie));
  const uint8_t type = static_cast<uint8_t>(f.type);
  PutOption(out, DhcpOption::kMessageType, AsBytes(&type, 1));
  PutAddressOption(out, DhcpOption::kServerIdentifier, f.server_identifier);
  PutAddressOption(out, DhcpOption::kRequestedAddress, f.requested_address);
  if (f.lease_time_s) {
    std::array<std::byte, 4> lease;
    store_be32(lease, 0, *f.lease_time_s);
    PutOption(out, DhcpOption::kLeaseTime, lease);
  }
  PutAddressOption(out, DhcpOption::kSubnetMask, f.subnet_mask);
  PutAddressOption(out, DhcpOption::kRouter, f.router);
  if (!f.dns_servers.empty()) {
    out.PutU8(DhcpOption::kDnsServers).PutU8(static_cast<uint8_t>(4 * f.dns_servers.size()));
    for (const Ipv4Address& a : f.dns_servers) out.Append(AddressBytes(a));
  }
  if (!f.parameter_request_list.empty()) {
    PutOption(out, DhcpOption::kParameterRequestList,
              AsBytes(f.parameter_request_list.data(), f.parameter_request_list.size()));
  }
  if (!f.captive_portal_url.empty()) {
    PutOption(out, DhcpOption::kCaptivePortal, f.captive_portal_url);
  }
  out.PutU8(DhcpOption::kEnd);
  if (!out.ok()) {
    out.Truncate(start);
    return out.status();
  }
  return Status::Ok();
}

Result<DhcpView> DhcpView::Parse(ByteSpan payload) {
  if (payload.size() < kDhcpFixedSize) return Status::OutOfRange();
  const uint8_t op = load_u8(payload, 0);
  if ((op != kBootRequest && op != kBootReply) || load_u8(payload, 1) != kHardwareEthernet ||
      load_u8(payload, 2) != MacAddress::kSize) {
    return Status::InvalidArgument();
  }
  if (std::memcmp(payload.data() + kDhcpFixedSize - 4, kMagicCookie, 4) != 0) {
    return Status::InvalidArgument();
  }
  DhcpView view(payload);
  int type = -1;
  bool lengths_ok = true;
  AIRLAB_TRY(WalkOptions(payload.subspan(kDhcpFixedSize), [&](uint8_t code, ByteSpan data) {
    const size_t fixed = FixedOptionLength(code);
    const bool list = code == DhcpOption::kRouter || code == DhcpOption::kDnsServers;
    if ((fixed != 0 && data.size() != fixed) || (list && (data.empty() || data.size() % 4 != 0))) {
      lengths_ok = false;
      return true;
    }
    if (code == DhcpOption::kMessageType && type < 0) type = load_u8(data, 0);
    return false;
  }));
  if (!lengths_ok || type < static_cast<int>(DhcpMessageType::kDiscover) ||
      type > static_cast<int>(DhcpMessageType::kInform)) {
    return Status::InvalidArgument();
  }
  view.type_ = static_cast<DhcpMessageType>(type);
  return view;
}

Result<ByteSpan> DhcpView::Option(uint8_t code) const {
  Result<ByteSpan> found = Status::NotFound();
  // Parse walked every option already: this walk cannot fail.
  WalkOptions(bytes_.subspan(kDhcpFixedSize), [&](uint8_t c, ByteSpan data) {
    if (c != code) return false;
    found = data;
    return true;
  }).IgnoreError();
  return found;
}

Ipv4Address DhcpView::Address(size_t offset) const { return LoadAddress(bytes_, offset); }

Result<Ipv4Address> DhcpView::AddressOption(uint8_t code) const {
  AIRLAB_TRY_ASSIGN(const ByteSpan data, Option(code));
  return LoadAddress(data, 0);
}

Result<uint32_t> DhcpView::lease_time_s() const {
  AIRLAB_TRY_ASSIGN(const ByteSpan data, Option(DhcpOption::kLeaseTime));
  return load_be32(data, 0);
}

size_t DhcpView::dns_server_count() const {
  Result<ByteSpan> data = Option(DhcpOption::kDnsServers);
  return data.ok() ? data->size() / 4 : 0;
}

Ipv4Address DhcpView::dns_server(size_t i) const {
  Result<ByteSpan> data = Option(DhcpOption::kDnsServers);
  if (!data.ok() || !InBounds(data->size(), 4 * i, 4)) return {};
  return LoadAddress(*data, 4 * i);
}

ByteSpan DhcpView::captive_portal_url() const {
  Result<ByteSpan> data = Option(DhcpOption::kCaptivePortal);
  return data.ok() ? *data : ByteSpan();
}

}  // namespace airlab::wifi
