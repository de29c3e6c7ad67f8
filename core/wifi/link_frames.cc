#include "core/wifi/link_frames.h"

#include "core/wire/mgmt.h"

namespace airlab::wifi {
namespace {

constexpr uint8_t kSnap[] = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00};
constexpr size_t kSnapSize = sizeof(kSnap) + 2;
constexpr uint16_t kAidBits = 0xc000;  // an AID's two top bits, set on the air (9.4.1.8)

void WriteHeader(ByteBuilder& out, wire::MgmtHeader header, wire::MgmtSubtype subtype) {
  header.fc = wire::FrameControl::Make(wire::FrameType::kManagement, static_cast<uint8_t>(subtype),
                                       header.fc.raw & wire::FrameControl::kFlagsMask);
  wire::WriteMgmtHeader(out, header);
}

}  // namespace

wire::MgmtHeader MgmtTo(const MacAddress& to, const MacAddress& from, const MacAddress& bssid,
                        uint16_t sequence) {
  return {.addr1 = to, .addr2 = from, .addr3 = bssid, .seq = wire::SequenceControl::Make(sequence)};
}

Status BuildAuthentication(ByteBuilder& out, const wire::MgmtHeader& header, uint16_t sequence,
                           uint16_t status) {
  WriteHeader(out, header, wire::MgmtSubtype::kAuthentication);
  out.PutLe16(0).PutLe16(sequence).PutLe16(status);  // algorithm 0: open system
  return out.status();
}

Status BuildDeauthentication(ByteBuilder& out, const wire::MgmtHeader& header, uint16_t reason) {
  WriteHeader(out, header, wire::MgmtSubtype::kDeauthentication);
  out.PutLe16(reason);
  return out.status();
}

Status BuildAssocRequest(ByteBuilder& out, const wire::MgmtHeader& header, ByteSpan ssid,
                         ByteSpan rsn) {
  WriteHeader(out, header, wire::MgmtSubtype::kAssocRequest);
  out.PutLe16(wire::CapabilityInfo::kEss).PutLe16(10);  // listen interval: 10 beacons
  wire::ElementWriter elements(out);
  elements.AddSsid(ssid).AddRates(kDsssRates);
  if (!rsn.empty()) elements.Add(wire::ElementId::kRsn, rsn);
  AIRLAB_TRY(elements.status());
  return out.status();
}

Status BuildAssocResponse(ByteBuilder& out, const wire::MgmtHeader& header, uint16_t status,
                          uint16_t aid) {
  WriteHeader(out, header, wire::MgmtSubtype::kAssocResponse);
  out.PutLe16(wire::CapabilityInfo::kEss).PutLe16(status).PutLe16(aid | kAidBits);
  wire::ElementWriter elements(out);
  elements.AddRates(kDsssRates);
  AIRLAB_TRY(elements.status());
  return out.status();
}

Result<AssocRequestView> AssocRequestView::Parse(const wire::Dot11View& frame) {
  if (!frame.fc().Is(wire::MgmtSubtype::kAssocRequest)) return Status::InvalidArgument();
  if (frame.body().size() < 4) return Status::OutOfRange();
  return AssocRequestView{.capability = load_le16(frame.body(), 0),
                          .elements = wire::ElementList(frame.body().subspan(4))};
}

Result<AssocResponseView> AssocResponseView::Parse(const wire::Dot11View& frame) {
  if (!frame.fc().Is(wire::MgmtSubtype::kAssocResponse)) return Status::InvalidArgument();
  if (frame.body().size() < 6) return Status::OutOfRange();
  return AssocResponseView{.status = load_le16(frame.body(), 2),
                           .aid = static_cast<uint16_t>(load_le16(frame.body(), 4) & ~kAidBits)};
}

Status BuildData(ByteBuilder& out, const DataFields& f, ByteSpan payload) {
  const uint16_t ds = f.mode == wire::DsMode::kToDs ? wire::FrameControl::kToDsFlag
                                                    : wire::FrameControl::kFromDsFlag;
  wire::WriteMgmtHeader(
      out, {.fc = wire::FrameControl::Make(wire::FrameType::kData,
                                           static_cast<uint8_t>(wire::DataSubtype::kData), ds),
            .addr1 = f.receiver,
            .addr2 = f.transmitter,
            .addr3 = f.other,
            .seq = wire::SequenceControl::Make(f.sequence)});
  out.Append(as_bytes(std::span(kSnap))).PutBe16(f.ethertype).Append(payload);
  return out.status();
}

Result<SnapPayload> SnapPayload::Parse(ByteSpan body) {
  if (body.size() < kSnapSize) return Status::OutOfRange();
  for (size_t i = 0; i < sizeof(kSnap); ++i) {
    if (load_u8(body, i) != kSnap[i]) return Status::Unimplemented();
  }
  return SnapPayload{.ethertype = load_be16(body, sizeof(kSnap)),
                     .payload = body.subspan(kSnapSize)};
}

}  // namespace airlab::wifi
