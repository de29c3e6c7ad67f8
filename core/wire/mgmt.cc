#include "core/wire/mgmt.h"

namespace airlab::wire {
namespace {

constexpr size_t kAuthenticationFixedSize = 6;
constexpr size_t kReasonCodeSize = 2;
constexpr size_t kAssocRequestFixedSize = 4;
constexpr size_t kReassocRequestFixedSize = 10;
constexpr size_t kAssocResponseFixedSize = 6;
constexpr uint16_t kMaxAid = 2007;
constexpr uint16_t kAidTopBits = 0xc000;

// The checks every body view starts with: the right subtype, not encrypted, long enough.
Status CheckBody(const Dot11View& frame, bool right_subtype, size_t fixed_size) {
  if (!right_subtype) return Status::InvalidArgument();
  if (frame.fc().protected_frame()) return Status::Unimplemented();
  if (frame.body().size() < fixed_size) return Status::OutOfRange();
  return Status::Ok();
}

void WriteHeader(ByteBuilder& out, MgmtHeader header, MgmtSubtype subtype) {
  header.fc = FrameControl::Make(FrameType::kManagement, static_cast<uint8_t>(subtype),
                                 header.fc.raw & FrameControl::kFlagsMask);
  WriteMgmtHeader(out, header);
}

Status Finish(ByteBuilder& out, Fcs fcs) {
  if (fcs == Fcs::kAppend) AppendFcs(out);
  return out.status();
}

Status Finish(ByteBuilder& out, const ElementWriter& elements, Fcs fcs) {
  AIRLAB_TRY(elements.status());
  return Finish(out, fcs);
}

Status BuildBss(ByteBuilder& out, const MgmtHeader& header, MgmtSubtype subtype,
                const BssFields& bss, Fcs fcs) {
  WriteHeader(out, header, subtype);
  const uint16_t privacy = bss.rsn ? CapabilityInfo::kPrivacy : 0;
  out.PutLe64(bss.timestamp_us).PutLe16(bss.beacon_interval_tu).PutLe16(bss.capability | privacy);
  // In the order of Table 9-27.
  ElementWriter elements(out);
  elements.AddSsid(bss.ssid);
  if (!bss.rates.empty()) elements.AddRates(bss.rates);
  if (bss.channel != 0) elements.AddDsParameterSet(bss.channel);
  elements.AddExtendedRates(bss.rates);
  if (bss.rsn) elements.AddRsn(*bss.rsn);
  return Finish(out, elements, fcs);
}

}  // namespace

Result<BeaconView> BeaconView::Parse(const Dot11View& frame) {
  const FrameControl fc = frame.fc();
  AIRLAB_TRY(CheckBody(frame, fc.Is(MgmtSubtype::kBeacon) || fc.Is(MgmtSubtype::kProbeResponse),
                       kFixedSize));
  return BeaconView(frame);
}

Result<Security> BeaconView::security() const {
  return ClassifySecurity(capability().privacy(), elements());
}

Result<ProbeRequestView> ProbeRequestView::Parse(const Dot11View& frame) {
  AIRLAB_TRY(CheckBody(frame, frame.fc().Is(MgmtSubtype::kProbeRequest), 0));
  return ProbeRequestView(frame);
}

Result<ActionView> ActionView::Parse(const Dot11View& frame) {
  const FrameControl fc = frame.fc();
  AIRLAB_TRY(CheckBody(frame, fc.Is(MgmtSubtype::kAction) || fc.Is(MgmtSubtype::kActionNoAck), 1));
  const ActionView view(frame);
  if (view.is_vendor_specific() && view.body().size() < kOuiSize) return Status::OutOfRange();
  return view;
}

uint32_t ActionView::oui() const {
  if (!is_vendor_specific()) return 0;
  return LoadOui(body(), 0);
}

ByteSpan ActionView::vendor_content() const {
  return is_vendor_specific() ? body().subspan(kOuiSize) : ByteSpan();
}

Result<AuthenticationView> AuthenticationView::Parse(const Dot11View& frame) {
  AIRLAB_TRY(
      CheckBody(frame, frame.fc().Is(MgmtSubtype::kAuthentication), kAuthenticationFixedSize));
  return AuthenticationView(frame);
}

Result<DeauthView> DeauthView::Parse(const Dot11View& frame) {
  const FrameControl fc = frame.fc();
  AIRLAB_TRY(CheckBody(frame,
                       fc.Is(MgmtSubtype::kDeauthentication) || fc.Is(MgmtSubtype::kDisassociation),
                       kReasonCodeSize));
  return DeauthView(frame);
}

Result<AssocRequestView> AssocRequestView::Parse(const Dot11View& frame) {
  const FrameControl fc = frame.fc();
  const bool reassoc = fc.Is(MgmtSubtype::kReassocRequest);
  AIRLAB_TRY(CheckBody(frame, fc.Is(MgmtSubtype::kAssocRequest) || reassoc,
                       reassoc ? kReassocRequestFixedSize : kAssocRequestFixedSize));
  return AssocRequestView(frame);
}

MacAddress AssocRequestView::current_ap() const {
  return is_reassociation() ? MacAddress::FromBytes(frame_.body().subspan(4)) : MacAddress();
}

Result<AssocResponseView> AssocResponseView::Parse(const Dot11View& frame) {
  const FrameControl fc = frame.fc();
  AIRLAB_TRY(CheckBody(frame,
                       fc.Is(MgmtSubtype::kAssocResponse) || fc.Is(MgmtSubtype::kReassocResponse),
                       kAssocResponseFixedSize));
  return AssocResponseView(frame);
}

Status BuildBeacon(ByteBuilder& out, const MgmtHeader& header, const BssFields& bss, Fcs fcs) {
  return BuildBss(out, header, MgmtSubtype::kBeacon, bss, fcs);
}

Status BuildProbeResponse(ByteBuilder& out, const MgmtHeader& header, const BssFields& bss,
                          Fcs fcs) {
  return BuildBss(out, header, MgmtSubtype::kProbeResponse, bss, fcs);
}

Status BuildProbeRequest(ByteBuilder& out, const MgmtHeader& header,
                         const ProbeRequestFields& fields, Fcs fcs) {
  WriteHeader(out, header, MgmtSubtype::kProbeRequest);
  // In the order of Table 9-32.
  ElementWriter elements(out);
  elements.AddSsid(fields.ssid);
  if (!fields.rates.empty()) elements.AddRates(fields.rates);
  elements.AddExtendedRates(fields.rates);
  if (fields.channel != 0) elements.AddDsParameterSet(fields.channel);
  return Finish(out, elements, fcs);
}

Status BuildAction(ByteBuilder& out, const MgmtHeader& header, ActionCategory category,
                   ByteSpan body, Fcs fcs) {
  WriteHeader(out, header, MgmtSubtype::kAction);
  out.PutU8(static_cast<uint8_t>(category)).Append(body);
  return Finish(out, fcs);
}

Status BuildVendorAction(ByteBuilder& out, const MgmtHeader& header, uint32_t oui, ByteSpan content,
                         Fcs fcs) {
  WriteHeader(out, header, MgmtSubtype::kAction);
  out.PutU8(static_cast<uint8_t>(ActionCategory::kVendorSpecific));
  PutOui(out, oui);
  out.Append(content);
  return Finish(out, fcs);
}

Status BuildAuthentication(ByteBuilder& out, const MgmtHeader& header, uint16_t algorithm,
                           uint16_t transaction_sequence, uint16_t status_code, Fcs fcs) {
  WriteHeader(out, header, MgmtSubtype::kAuthentication);
  out.PutLe16(algorithm).PutLe16(transaction_sequence).PutLe16(status_code);
  return Finish(out, fcs);
}

Status BuildAssocRequest(ByteBuilder& out, const MgmtHeader& header,
                         const AssocRequestFields& fields, Fcs fcs) {
  const ByteSpan rsn = fields.rsn_element;
  const bool rsn_ok = rsn.size() >= 2 && load_u8(rsn, 0) == static_cast<uint8_t>(ElementId::kRsn) &&
                      load_u8(rsn, 1) == rsn.size() - 2;
  if (!rsn.empty() && !rsn_ok) return Status::InvalidArgument();
  WriteHeader(out, header, MgmtSubtype::kAssocRequest);
  const uint16_t privacy = rsn.empty() ? 0 : CapabilityInfo::kPrivacy;
  out.PutLe16(fields.capability | privacy).PutLe16(fields.listen_interval);
  // In the order of Table 9-28.
  ElementWriter elements(out);
  elements.AddSsid(fields.ssid);
  if (!fields.rates.empty()) elements.AddRates(fields.rates);
  elements.AddExtendedRates(fields.rates);
  if (!rsn.empty()) elements.Add(ElementId::kRsn, rsn.subspan(2));
  return Finish(out, elements, fcs);
}

Status BuildAssocResponse(ByteBuilder& out, const MgmtHeader& header,
                          const AssocResponseFields& fields, Fcs fcs) {
  if (fields.aid > kMaxAid) return Status::InvalidArgument();
  WriteHeader(out, header, MgmtSubtype::kAssocResponse);
  const uint16_t aid = fields.aid == 0 ? 0 : static_cast<uint16_t>(fields.aid | kAidTopBits);
  out.PutLe16(fields.capability).PutLe16(fields.status_code).PutLe16(aid);
  ElementWriter elements(out);
  if (!fields.rates.empty()) elements.AddRates(fields.rates);
  elements.AddExtendedRates(fields.rates);
  return Finish(out, elements, fcs);
}

Status BuildDeauthentication(ByteBuilder& out, const MgmtHeader& header, uint16_t reason_code,
                             Fcs fcs) {
  WriteHeader(out, header, MgmtSubtype::kDeauthentication);
  out.PutLe16(reason_code);
  return Finish(out, fcs);
}

Status BuildDisassociation(ByteBuilder& out, const MgmtHeader& header, uint16_t reason_code,
                           Fcs fcs) {
  WriteHeader(out, header, MgmtSubtype::kDisassociation);
  out.PutLe16(reason_code);
  return Finish(out, fcs);
}

}  // namespace airlab::wire
