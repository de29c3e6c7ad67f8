#include "core/sniff/record.h"

#include <cstring>

#include "core/espnow/codec.h"
#include "core/wire/mgmt.h"
#include "core/wire/pcap.h"
#include "core/wire/radiotap.h"

namespace airlab::sniff {
namespace {

using wire::DsMode;
using wire::FrameType;
using wire::MgmtSubtype;

using RadiotapLayout = PacketDecoder::RadiotapLayout;

// What a record starts as, copied in whole: `record = FrameRecord{}` zeroed a temporary,
// stored kNoMcs into it and reloaded it as wide words, a stall on every frame.
constexpr FrameRecord kEmptyRecord{};

constexpr uint32_t kExtBit = 1u << static_cast<uint8_t>(wire::RadiotapBit::kExt);
constexpr uint32_t kVendorNamespaceBit =
    1u << static_cast<uint8_t>(wire::RadiotapBit::kVendorNamespace);

// Finds the radiotap fields a record keeps by walking the header with the iterator
// (RadiotapView::Parse would fill every field RadiotapInfo knows, which on a million-frame
// capture costs more than the rest of the decoding). As there, a field repeated in a later
// namespace keeps its first place. Without `radio` the walk stops after Flags (which says
// where the FCS is). Returns the iterator's status and sets `header_size` (it_len) when the
// header's fixed part is sound.
Status WalkRadiotap(ByteSpan packet, bool radio, RadiotapLayout& layout, size_t* header_size) {
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
    const auto offset = static_cast<uint16_t>(item.data.data() - packet.data());
    switch (item.bit) {
      case wire::RadiotapBit::kFlags: layout.flags = offset; break;
      case wire::RadiotapBit::kRate: layout.rate = offset; break;
      case wire::RadiotapBit::kChannel: layout.channel = offset; break;
      case wire::RadiotapBit::kDbmAntSignal: layout.signal = offset; break;
      case wire::RadiotapBit::kDbmAntNoise: layout.noise = offset; break;
      case wire::RadiotapBit::kMcs: layout.mcs = offset; break;
      default: break;
    }
  }
  *header_size = it.header_size();
  return it.status();
}

// The size of the header's fixed part and present words (the layout's key), or 0 when it
// does not fit the packet or a key, or a vendor namespace makes the fields' places depend
// on more than the present words (its skip_length).
size_t LayoutKeySize(ByteSpan packet) {
  size_t end = 8;
  while (true) {
    if (end > packet.size() || end > RadiotapLayout::kMaxKeySize) return 0;
    const uint32_t word = load_le32(packet, end - 4);
    if (word & kVendorNamespaceBit) return 0;
    if ((word & kExtBit) == 0) return end;
    end += 4;
  }
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

void DecodeEspnow(ByteSpan mpdu, bool payload, MutableByteSpan scratch, FrameRecord& r) {
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
  if (!payload) return;
  if (auto contiguous = view->ContiguousPayload(); contiguous.ok()) {
    r.espnow_payload = *contiguous;
  } else {
    const StatusWithSize copied = view->CopyPayload(scratch);
    r.espnow_payload = ByteSpan(scratch.data(), copied.size());
  }
}

Status DecodeMpdu(ByteSpan mpdu, const DecodeOptions& options, MutableByteSpan scratch,
                  FrameRecord& r) {
  r.mpdu = mpdu;
  // Used where Parse left it: copying the view out of the Result reloads as one 16-byte
  // word the span Parse has just stored as two, which stalls on every frame.
  const Result<wire::Dot11View> parsed = wire::Dot11View::Parse(mpdu);
  if (!parsed.ok()) return parsed.status();
  const wire::Dot11View& frame = *parsed;
  r.fc = frame.fc();
  r.addr_count = frame.has_addr3() ? 3 : frame.has_addr2() ? 2 : 1;
  if (frame.has_addr3()) {
    r.has_seq = true;
    r.seq = frame.seq();
  }
  switch (r.fc.type()) {
    case FrameType::kManagement:
      if (r.fc.Is(MgmtSubtype::kAction) || r.fc.Is(MgmtSubtype::kActionNoAck)) {
        DecodeEspnow(mpdu, options.espnow_payload, scratch, r);
      } else if (options.management) {
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

const RadiotapLayout* PacketDecoder::Layout(ByteSpan packet) const {
  // The first 8 bytes (the fixed part and the first present word) tell layouts apart; the
  // further present words of a longer key are compared only after them. Bytes equal up to
  // a key's end make a header of that key's size.
  uint64_t head;
  if (packet.size() < sizeof head) return nullptr;
  std::memcpy(&head, packet.data(), sizeof head);
  for (const RadiotapLayout& layout : layouts_) {
    uint64_t key_head;
    std::memcpy(&key_head, layout.key.data(), sizeof key_head);
    if (layout.key_size == 0 || key_head != head) continue;
    if (layout.key_size == sizeof head) return &layout;
    if (packet.size() >= layout.key_size &&
        std::memcmp(layout.key.data() + sizeof head, packet.data() + sizeof head,
                    layout.key_size - sizeof head) == 0) {
      return &layout;
    }
  }
  return nullptr;
}

Status PacketDecoder::Decode(uint32_t link_type, ByteSpan data, uint32_t origlen,
                             FrameRecord& record) {
  record = kEmptyRecord;
  record.frame_len = origlen > data.size() ? origlen : static_cast<uint32_t>(data.size());
  ByteSpan frame;  // the 802.11 frame, FCS included when it has one
  bool has_fcs = false;
  if (link_type == wire::kLinkTypeIeee80211Radiotap) {
    // A known layout's key holds it_len; the walk checked the rest of the fixed header.
    const RadiotapLayout* layout = Layout(data);
    size_t header_size = 0;
    if (layout != nullptr && load_le16(data, 2) <= data.size()) {
      header_size = load_le16(data, 2);
    } else {
      RadiotapLayout walked;
      const Status status = WalkRadiotap(data, options_.radio, walked, &header_size);
      // kUnimplemented: fields past an unknown bit cannot be located; the frame still can.
      if (!status.ok() && status != Status::Unimplemented()) return status;
      walked.key_size = static_cast<uint8_t>(LayoutKeySize(data));
      if (walked.key_size != 0) {
        std::memcpy(walked.key.data(), data.data(), walked.key_size);
        layouts_[next_layout_] = walked;
        layout = &layouts_[next_layout_];
        next_layout_ = (next_layout_ + 1) % layouts_.size();
      } else {
        uncached_ = walked;
        layout = &uncached_;
      }
    }
    ReadRadiotap(data, *layout, record, &has_fcs);
    frame = data.subspan(header_size);
  } else if (link_type == wire::kLinkTypeIeee80211) {
    frame = data;
    has_fcs = options_.dot11_has_fcs;
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
    if (options_.verify_fcs && !wire::CheckFcs(frame)) record.bad_fcs = true;
  }
  return DecodeMpdu(mpdu, options_, scratch_, record);
}

// Reads the fields at the places `layout` found for them.
void PacketDecoder::ReadRadiotap(ByteSpan packet, const RadiotapLayout& layout, FrameRecord& r,
                                 bool* fcs_at_end) {
  if (layout.flags != 0) {
    const uint8_t flags = load_u8(packet, layout.flags);
    *fcs_at_end = flags & wire::RadiotapFlags::kFcsAtEnd;
    r.bad_fcs = flags & wire::RadiotapFlags::kBadFcs;
    r.short_preamble = flags & wire::RadiotapFlags::kShortPreamble;
  }
  if (layout.rate != 0) r.rate_500kbps = load_u8(packet, layout.rate);
  if (layout.channel != 0) {
    const uint16_t freq = load_le16(packet, layout.channel);
    if (freq != last_freq_mhz_) {
      auto channel = wire::FrequencyMhzToChannel(freq);
      last_freq_mhz_ = freq;
      last_channel_ = channel.ok() ? *channel : 0;
    }
    r.channel = last_channel_;
  }
  if (layout.signal != 0) {
    r.has_rssi = true;
    r.rssi_dbm = static_cast<int8_t>(load_u8(packet, layout.signal));
  }
  if (layout.noise != 0) {
    r.has_noise = true;
    r.noise_dbm = static_cast<int8_t>(load_u8(packet, layout.noise));
  }
  if (layout.mcs != 0) {
    const uint8_t known = load_u8(packet, layout.mcs), flags = load_u8(packet, layout.mcs + 1);
    if (known & wire::RadiotapMcs::kKnownIndex) {
      r.mcs = load_u8(packet, layout.mcs + 2);
      r.mcs_40mhz = (known & wire::RadiotapMcs::kKnownBandwidth) &&
                    (flags & wire::RadiotapMcs::kBandwidthMask) == 1;
      r.mcs_short_gi =
          (known & wire::RadiotapMcs::kKnownGuardInterval) && (flags & wire::RadiotapMcs::kShortGi);
    }
  }
}

Status DecodePacket(uint32_t link_type, ByteSpan data, uint32_t origlen,
                    const DecodeOptions& options, MutableByteSpan scratch, FrameRecord& record) {
  PacketDecoder decoder(options, scratch);
  return decoder.Decode(link_type, data, origlen, record);
}

Status DecodeRadioFrame(ByteSpan mpdu, const port::RxInfo& info, size_t capture_header_len,
                        const DecodeOptions& options, MutableByteSpan scratch,
                        FrameRecord& record) {
  record = kEmptyRecord;
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
  return DecodeMpdu(mpdu, options, scratch, record);
}

}  // namespace airlab::sniff
