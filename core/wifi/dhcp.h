#pragma once
// What a station and an AP exchange after the join to give the station an address: IPv4
// (RFC 791) + UDP (RFC 768) + DHCP (RFC 2131/2132, the BOOTP layout of RFC 951), built and
// parsed here so they travel in the CCMP-protected data frames Wireshark decrypts and
// dissects. Options: 53 message type, 50 requested address, 54 server identifier, 51 lease
// time, 1 subnet mask, 3 router, 6 DNS servers, 55 parameter request list, 114 captive
// portal URL (RFC 8910). Everything is bounds-checked; lying lengths are refused.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/result.h"
#include "core/base/status.h"
#include "core/port/wifi_station.h"

namespace airlab::wifi {

using port::Ipv4Address;

inline constexpr uint16_t kIpv4Ethertype = 0x0800;
inline constexpr uint8_t kIpProtocolUdp = 17;
inline constexpr size_t kIpv4HeaderSize = 20;  // without options, as we send it
inline constexpr size_t kUdpHeaderSize = 8;
inline constexpr uint16_t kDhcpServerPort = 67;
inline constexpr uint16_t kDhcpClientPort = 68;
inline constexpr Ipv4Address kIpv4Any = {0, 0, 0, 0};
inline constexpr Ipv4Address kIpv4Broadcast = {255, 255, 255, 255};

// ---------------------------------------------------------------------------------------
// IPv4 + UDP

struct UdpDatagram {
  Ipv4Address source{};
  Ipv4Address destination{};
  uint16_t source_port = 0;
  uint16_t destination_port = 0;
  uint8_t ttl = 0;
  ByteSpan payload;  // points into the parsed packet
};

// The Internet checksum (RFC 1071) of `data`, starting from `initial` (a partial sum).
uint16_t InternetChecksum(ByteSpan data, uint32_t initial = 0);

// Parses an IPv4 packet carrying one UDP datagram. Bytes after the IPv4 total length (link
// padding) are ignored. kOutOfRange: shorter than its headers, or an IPv4 total length /
// UDP length that runs past the data or is shorter than its header. kDataLoss: a wrong
// IPv4 header checksum, or a wrong UDP checksum (0 means none, and is accepted).
// kInvalidArgument: not version 4, or not UDP. kUnimplemented: a fragment.
Result<UdpDatagram> ParseIpv4Udp(ByteSpan packet);

// Appends an IPv4 header (no options, don't-fragment clear, `ttl`), a UDP header with its
// checksum, and `payload`. kInvalidArgument: the payload does not fit in one IPv4 packet;
// kResourceExhausted: `out` is full (then `out` keeps its size).
Status BuildIpv4Udp(ByteBuilder& out, const Ipv4Address& source, const Ipv4Address& destination,
                    uint16_t source_port, uint16_t destination_port, ByteSpan payload,
                    uint16_t identification = 0, uint8_t ttl = 64);

// ---------------------------------------------------------------------------------------
// DHCP

enum class DhcpMessageType : uint8_t {
  kDiscover = 1,
  kOffer = 2,
  kRequest = 3,
  kDecline = 4,
  kAck = 5,
  kNak = 6,
  kRelease = 7,
  kInform = 8,
};

// Option codes (RFC 2132, RFC 8910).
struct DhcpOption {
  static constexpr uint8_t kPad = 0;
  static constexpr uint8_t kSubnetMask = 1;
  static constexpr uint8_t kRouter = 3;
  static constexpr uint8_t kDnsServers = 6;
  static constexpr uint8_t kRequestedAddress = 50;
  static constexpr uint8_t kLeaseTime = 51;
  static constexpr uint8_t kMessageType = 53;
  static constexpr uint8_t kServerIdentifier = 54;
  static constexpr uint8_t kParameterRequestList = 55;
  static constexpr uint8_t kCaptivePortal = 114;
  static constexpr uint8_t kEnd = 255;
};

// The fixed BOOTP fields (236 bytes) and the magic cookie.
inline constexpr size_t kDhcpFixedSize = 240;
inline constexpr size_t kMaxDnsServers = 4;

struct DhcpFields {
  DhcpMessageType type =
      DhcpMessageType::kDiscover;  // op follows: 1 for a client's, 2 for a server's
  uint32_t xid = 0;
  uint16_t secs = 0;
  bool broadcast = false;  // the client cannot take unicast before it has its address
  Ipv4Address ciaddr{};    // the client's address, when it has one
  Ipv4Address yiaddr{};    // "your" address: the one offered / acknowledged
  Ipv4Address siaddr{};
  Ipv4Address giaddr{};
  MacAddress chaddr;                                // the client's hardware address
  std::optional<Ipv4Address> requested_address;     // 50
  std::optional<Ipv4Address> server_identifier;     // 54
  std::optional<uint32_t> lease_time_s;             // 51
  std::optional<Ipv4Address> subnet_mask;           // 1
  std::optional<Ipv4Address> router;                // 3
  std::span<const Ipv4Address> dns_servers;         // 6; none: left out
  std::span<const uint8_t> parameter_request_list;  // 55; none: left out
  ByteSpan captive_portal_url;                      // 114; empty: left out
};

// Appends a DHCP message (the UDP payload: BOOTP fields, cookie, options, End).
// kInvalidArgument: more than kMaxDnsServers DNS servers, or a list or URL over 255
// bytes; kResourceExhausted: `out` is full (then `out` keeps its size).
Status BuildDhcp(ByteBuilder& out, const DhcpFields& fields);

// A DHCP message. Parse walks every option once, so accessors cannot overrun.
class DhcpView {
 public:
  // `payload` is a UDP payload. kOutOfRange: shorter than kDhcpFixedSize, or an option
  // running past the data. kInvalidArgument: op not 1/2, hardware type not Ethernet with 6
  // address bytes, a wrong magic cookie, no message type option or one that is not one
  // byte from 1 to 8, or a known option (1, 3, 6, 50, 51, 54) of the wrong length.
  static Result<DhcpView> Parse(ByteSpan payload);

  bool from_server() const { return load_u8(bytes_, 0) == 2; }
  DhcpMessageType type() const { return type_; }
  uint32_t xid() const { return load_be32(bytes_, 4); }
  uint16_t secs() const { return load_be16(bytes_, 8); }
  bool broadcast() const { return (load_be16(bytes_, 10) & 0x8000) != 0; }
  Ipv4Address ciaddr() const { return Address(12); }
  Ipv4Address yiaddr() const { return Address(16); }
  Ipv4Address siaddr() const { return Address(20); }
  Ipv4Address giaddr() const { return Address(24); }
  MacAddress chaddr() const { return MacAddress::FromBytes(bytes_.subspan(28, 6)); }

  // The data of the first option with `code`; kNotFound when absent.
  Result<ByteSpan> Option(uint8_t code) const;
  Result<Ipv4Address> requested_address() const {
    return AddressOption(DhcpOption::kRequestedAddress);
  }
  Result<Ipv4Address> server_identifier() const {
    return AddressOption(DhcpOption::kServerIdentifier);
  }
  Result<Ipv4Address> subnet_mask() const { return AddressOption(DhcpOption::kSubnetMask); }
  // The first router of option 3.
  Result<Ipv4Address> router() const { return AddressOption(DhcpOption::kRouter); }
  Result<uint32_t> lease_time_s() const;
  // Option 6: how many DNS servers, and each (i < dns_server_count()).
  size_t dns_server_count() const;
  Ipv4Address dns_server(size_t i) const;
  // Option 114's URL; empty when absent.
  ByteSpan captive_portal_url() const;

 private:
  explicit DhcpView(ByteSpan bytes) : bytes_(bytes) {}
  Ipv4Address Address(size_t offset) const;
  Result<Ipv4Address> AddressOption(uint8_t code) const;
  ByteSpan bytes_;
  DhcpMessageType type_ = DhcpMessageType::kDiscover;
};

}  // namespace airlab::wifi
