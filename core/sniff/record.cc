#include "core/sniff/record.h"

#include "core/espnow/codec.h"
#include "core/wire/mgmt.h"
#include "core/wire/pcap.h"
#include "core/wire/radiotap.h"

namespace airlab::sniff {
namespace {

using wire::DsMode;
using wire::FrameType;
using wire::MgmtSubtype;

// Reads the radiotap fields a record keeps, straight off the iterator: RadiotapView::Parse
// fills every field RadiotapInfo knows, and on a million-frame capture that costs more than
// the rest of the decoding. As there, a field repeated in a later namespace keeps its first
// value. Returns the iterator's status and sets `header_size` (it_len) when the header's
// fixed part is sound.
Status ReadRadiotap(ByteSpan packet, bool radio, FrameRecord& r, bool* fcs_at_end,
                    size_t* header_size) {
  wire::RadiotapIterator it(packet);
  uint32_t seen = 0;
  while (it.Next()) {
    const wire::RadiotapItem& item = it.item();
    if (!radio && item.bit > wire::RadiotapBit::kFlags) {
      *header_size = it.header_size();
      return Status::Ok();
    }
    const uint32_t bit = 1u << static_cast<uint8_t>(item.bit);
    if (seen & bit) continue;
    seen |= bit;
    const ByteSpan d = item.data;
    switch (item.bit) {
      case wire::RadiotapBit::kFlags: {
        const uint8_t flags = load_u8(d, 0);
        *fcs_at_end = flags & wire::RadiotapFlags::kFcsAtEnd;
        r.bad_fcs = flags & wire::RadiotapFlags::kBadFcs;
        r.short_preamble = flags & wire::RadiotapFlags::kShortPreamble;
        break;
      }
      case wire::RadiotapBit::kRate: r.rate_500kbps = load_u8(d, 0); break;
      case wire::RadiotapBit::kChannel:
        if (auto ch = wire::FrequencyMhzToChannel(load_le16(d, 0)); ch.ok()) r.channel = *ch;
        break;
      case wire::RadiotapBit::kDbmAntSignal:
        r.has_rssi = true;
        r.rssi_dbm = static_cast<int8_t>(load_u8(d, 0));
        break;
      case wire::RadiotapBit::kDbmAntNoise:
        r.has_noise = true;
        r.noise_dbm = static_cast<int8_t>(load_u8(d, 0));
        break;
      case wire::RadiotapBit::kMcs: {
        const uint8_t known = load_u8(d, 0), flags = load_u8(d, 1);
        if (known & wire::RadiotapMcs::kKnownIndex) {
          r.mcs = load_u8(d, 2);
          r.mcs_40mhz = (known & wire::RadiotapMcs::kKnownBandwidth) &&
                        (flags & wire::RadiotapMcs::kBandwidthMask) == 1;
          r.mcs_short_gi = (known & wire::RadiotapMcs::kKnownGuardInterval) &&
                           (flags & wire::RadiotapMcs::kShortGi);
        }
        break;
      }
      default: break;
    }
  }
  *header_size = it.header_size();
  return it.status();
}

// The management details the station table shows: SSIDs and the beacon's channel.
void DecodeManagement(const wire::Dot11View& frame, FrameRecord& r) {
  const wire::FrameControl fc = frame.fc();
  wire::ElementList elements;
  if (fc.Is(MgmtSubtype::kBeacon) || fc.Is(MgmtSubtype::kProbeResponse)) {
    auto beacon = wire::BeaconView::Parse(frame);
    if (!beacon.ok()) return;
    elements = beacon->elements();
  } else if (fc.Is(MgmtSubtype::kProbeRequest)) {
    elements = wire::ElementList(frame.body());
  } else {
    return;
  }
  // One walk for both elements: beacons are the most common frame in the air.
  for (auto it = elements.begin(); it != std::default_sentinel; ++it) {
    if (it->id == wire::ElementId::kSsid && !r.has_ssid && it->data.size() <= wire::kMaxSsidSize) {
      r.has_ssid = true;
      r.ssid = it->data;
    } else if (it->id == wire::ElementId::kDsParameterSet && it->data.size() >= 1) {
      r.ds_channel = load_u8(it->data, 0);
    }
  }
}

void DecodeEspnow(ByteSpan mpdu, MutableByteSpan scratch, FrameRecord& r) {
  auto view = espnow::FrameView::Parse(mpdu);
  if (!view.ok()) {
    // kNotFound: another Action frame. kOutOfRange: it says ESP-NOW, then runs short.
    r.espnow_malformed = view.status() == Status::OutOfRange();
    return;
  }
  r.espnow = true;
  r.espnow_encrypted = view->encrypted();
  r.espnow_version = view->version();
  r.espnow_elements = static_cast<uint8_t>(view->element_count());
  r.espnow_payload_len = static_cast<uint16_t>(view->payload_size());
  if (auto contiguous = view->ContiguousPayload(); contiguous.ok()) {
    r.espnow_payload = *contiguous;
  } else {
    const StatusWithSize copied = view->CopyPayload(scratch);
    r.espnow_payload = ByteSpan(scratch.data(), copied.size());
  }
}

Status DecodeMpdu(ByteSpan mpdu, bool management, MutableByteSpan scratch, FrameRecord& r) {
  r.mpdu = mpdu;
  AIRLAB_TRY_ASSIGN(const wire::Dot11View frame, wire::Dot11View::Parse(mpdu));
  r.fc = frame.fc();
  r.addr_count = frame.has_addr3() ? 3 : frame.has_addr2() ? 2 : 1;
  if (frame.has_addr3()) {
    r.has_seq = true;
    r.seq = frame.seq();
  }
  switch (r.fc.type()) {
    case FrameType::kManagement:
      if (r.fc.Is(MgmtSubtype::kAction) || r.fc.Is(MgmtSubtype::kActionNoAck)) {
        DecodeEspnow(mpdu, scratch, r);
      } else if (management) {
        DecodeManagement(frame, r);
      }
      break;
    case FrameType::kData:
      // To DS and From DS: the four-address (WDS, mesh) header Dot11View::Parse checked.
      if (r.fc.to_ds() && r.fc.from_ds()) r.addr_count = 4;
      break;
    default: break;
  }
  return Status::Ok();
}

}  // namespace

bool FrameRecord::sa(MacAddress* out) const {
  switch (fc.type()) {
    case FrameType::kManagement: *out = addr2(); return addr_count >= 2;
    case FrameType::kData:
      switch (static_cast<DsMode>((fc.raw >> 8) & 0x3)) {
        case DsMode::kNoDs:
        case DsMode::kToDs: *out = addr2(); return true;
        case DsMode::kFromDs: *out = addr3(); return true;
        case DsMode::kWds: *out = addr4(); return addr_count >= 4;
      }
      return false;
    default: return false;
  }
}

bool FrameRecord::da(MacAddress* out) const {
  switch (fc.type()) {
    case FrameType::kManagement: *out = addr1(); return true;
    case FrameType::kData:
      switch (static_cast<DsMode>((fc.raw >> 8) & 0x3)) {
        case DsMode::kNoDs:
        case DsMode::kFromDs: *out = addr1(); return true;
        case DsMode::kToDs:
        case DsMode::kWds: *out = addr3(); return true;
      }
      return false;
    default: return false;
  }
}

bool FrameRecord::bssid(MacAddress* out) const {
  switch (fc.type()) {
    case FrameType::kManagement: *out = addr3(); return addr_count >= 3;
    case FrameType::kData:
      switch (static_cast<DsMode>((fc.raw >> 8) & 0x3)) {
        case DsMode::kNoDs: *out = addr3(); return true;
        case DsMode::kToDs: *out = addr1(); return true;
        case DsMode::kFromDs: *out = addr2(); return true;
        case DsMode::kWds: return false;
      }
      return false;
    default: return false;
  }
}

Status DecodePacket(uint32_t link_type, ByteSpan data, uint32_t origlen,
                    const DecodeOptions& options, MutableByteSpan scratch, FrameRecord& record) {
  record = FrameRecord{};
  record.frame_len = origlen > data.size() ? origlen : static_cast<uint32_t>(data.size());
  ByteSpan frame;  // the 802.11 frame, FCS included when it has one
  bool has_fcs = false;
  if (link_type == wire::kLinkTypeIeee80211Radiotap) {
    size_t header_size = 0;
    const Status status = ReadRadiotap(data, options.radio, record, &has_fcs, &header_size);
    // kUnimplemented: fields past an unknown bit cannot be located; the frame still can.
    if (!status.ok() && status != Status::Unimplemented()) return status;
    frame = data.subspan(header_size);
  } else if (link_type == wire::kLinkTypeIeee80211) {
    frame = data;
    has_fcs = options.dot11_has_fcs;
  } else {
    return Status::Unimplemented();
  }
  // The air carried the original length; a capture cut by its snaplen lost the FCS too.
  const bool cut = record.frame_len > data.size();
  const uint32_t header_len = static_cast<uint32_t>(data.size() - frame.size());
  record.psdu_len =
      record.frame_len - header_len + (has_fcs ? 0 : static_cast<uint32_t>(wire::kFcsSize));
  ByteSpan mpdu = frame;
  if (has_fcs && !cut) {
    if (frame.size() < wire::kFcsSize) return Status::OutOfRange();
    mpdu = frame.first(frame.size() - wire::kFcsSize);
    if (options.verify_fcs && !wire::CheckFcs(frame)) record.bad_fcs = true;
  }
  return DecodeMpdu(mpdu, options.management, scratch, record);
}

Status DecodeRadioFrame(ByteSpan mpdu, const port::RxInfo& info, size_t capture_header_len,
                        const DecodeOptions& options, MutableByteSpan scratch,
                        FrameRecord& record) {
  record = FrameRecord{};
  record.ts_ns = info.timestamp;
  record.frame_len = static_cast<uint32_t>(capture_header_len + mpdu.size());
  record.psdu_len = static_cast<uint32_t>(mpdu.size() + wire::kFcsSize);
  record.channel = info.channel;
  record.has_rssi = true;
  record.rssi_dbm = info.rssi_dbm;
  record.has_noise = true;
  record.noise_dbm = info.noise_dbm;
  record.rate_500kbps = static_cast<uint8_t>(info.rate);
  record.bad_fcs = !info.fcs_ok;
  return DecodeMpdu(mpdu, options.management, scratch, record);
}

}  // namespace airlab::sniff
