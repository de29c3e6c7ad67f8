#pragma once
// The frames of a join that core/wire does not build yet: Authentication (open system),
// Association Request/Response, Deauthentication, and data frames carrying an LLC/SNAP
// ethertype between a station and its access point (IEEE 802.11-2016 9.3.2, 9.3.3).

#include <cstdint>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/result.h"
#include "core/wire/dot11.h"
#include "core/wire/elements.h"

namespace airlab::wifi {

inline constexpr uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr uint16_t kEtherTypeEapol = 0x888e;
// 802.11 status and reason codes used here (Tables 9-46, 9-45).
inline constexpr uint16_t kStatusSuccess = 0;
inline constexpr uint16_t kStatusUnspecified = 1;
inline constexpr uint16_t kStatusApFull = 17;
inline constexpr uint16_t kReasonUnspecified = 1;
inline constexpr uint16_t kReasonPreviousAuthInvalid = 2;
inline constexpr uint16_t kReasonLeaving = 3;
inline constexpr uint16_t kReasonInactivity = 4;
inline constexpr uint16_t kReasonClass2FromNonauthenticated = 6;
inline constexpr uint16_t kReasonClass3FromNonassociated = 7;
inline constexpr uint16_t kReasonHandshakeTimeout = 15;
// 802.11's basic rates of 802.11b (1, 2, 5.5, 11 Mb/s, all basic), what ESP32s put first.
inline constexpr uint8_t kDsssRates[] = {0x82, 0x84, 0x8b, 0x96};

wire::MgmtHeader MgmtTo(const MacAddress& to, const MacAddress& from, const MacAddress& bssid,
                        uint16_t sequence);

Status BuildAuthentication(ByteBuilder& out, const wire::MgmtHeader& header, uint16_t sequence,
                           uint16_t status);
Status BuildDeauthentication(ByteBuilder& out, const wire::MgmtHeader& header, uint16_t reason);
// `rsn`: the station's RSN element data, empty for an open network.
Status BuildAssocRequest(ByteBuilder& out, const wire::MgmtHeader& header, ByteSpan ssid,
                         ByteSpan rsn);
Status BuildAssocResponse(ByteBuilder& out, const wire::MgmtHeader& header, uint16_t status,
                          uint16_t aid);

struct AssocRequestView {
  uint16_t capability = 0;
  wire::ElementList elements;
  // kInvalidArgument: not an Association Request; kOutOfRange: shorter than its fixed part.
  static Result<AssocRequestView> Parse(const wire::Dot11View& frame);
};
struct AssocResponseView {
  uint16_t status = 0;
  uint16_t aid = 0;  // with the top two bits cleared
  // kInvalidArgument: not an Association Response; kOutOfRange: shorter than its fixed part.
  static Result<AssocResponseView> Parse(const wire::Dot11View& frame);
};

// A non-QoS data frame with a 24-byte header: To DS from a station (addr1 = BSSID, addr2 =
// the station, addr3 = `destination`), From DS from the AP (addr1 = the station, addr2 =
// BSSID, addr3 = `source`); the body is LLC/SNAP AA AA 03 00 00 00, `ethertype`, payload.
struct DataFields {
  wire::DsMode mode = wire::DsMode::kToDs;
  MacAddress receiver, transmitter, other;  // `other`: addr3
  uint16_t sequence = 0;
  uint16_t ethertype = kEtherTypeIpv4;
};
Status BuildData(ByteBuilder& out, const DataFields& fields, ByteSpan payload);

// The ethertype and payload of an unprotected data frame's LLC/SNAP body.
struct SnapPayload {
  uint16_t ethertype = 0;
  ByteSpan payload;
  // kOutOfRange: shorter than LLC/SNAP; kUnimplemented: another LLC header.
  static Result<SnapPayload> Parse(ByteSpan body);
};

}  // namespace airlab::wifi
