#include "core/wire/dot11.h"

#include <array>

namespace airlab::wire {
namespace {

// Control frames with a TA after the RA (9.3.1): the rest (CTS, ACK, the control wrapper
// whose carried frame control follows the RA, the DMG extension kinds, reserved) have only
// the RA in a 10-byte header.
bool ControlHasTransmitter(uint8_t subtype) {
  switch (static_cast<ControlSubtype>(subtype)) {
    case ControlSubtype::kTrigger:
    case ControlSubtype::kBeamformingReportPoll:
    case ControlSubtype::kVhtNdpAnnouncement:
    case ControlSubtype::kBlockAckRequest:
    case ControlSubtype::kBlockAck:
    case ControlSubtype::kPsPoll:
    case ControlSubtype::kRts:
    case ControlSubtype::kCfEnd:
    case ControlSubtype::kCfEndAck: return true;
    default: return false;
  }
}

// Block Ack (Request) control and starting sequence control, before the bitmap.
constexpr size_t kBlockAckFixedSize = 4;

// Header size implied by the frame control (802.11-2016 9.3), or 0 when unknown.
size_t HeaderSizeFor(FrameControl fc) {
  switch (fc.type()) {
    case FrameType::kManagement: return kMgmtHeaderSize + (fc.order() ? 4 : 0);  // +HT Control
    case FrameType::kControl: return ControlHasTransmitter(fc.subtype()) ? 16 : 10;
    case FrameType::kData: {
      size_t size = kMgmtHeaderSize;
      if (fc.to_ds() && fc.from_ds()) size += 6;  // addr4
      const bool qos = (fc.subtype() & 0x8) != 0;
      if (qos) size += 2 + (fc.order() ? 4 : 0);  // QoS control (+HT control)
      return size;
    }
    case FrameType::kExtension: return 10;
  }
  return 0;
}

constexpr std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kCrcTable = MakeCrcTable();

}  // namespace

Result<Dot11View> Dot11View::Parse(ByteSpan mpdu) {
  if (mpdu.size() < 2) return Status::OutOfRange();
  const FrameControl fc{load_le16(mpdu, 0)};
  if (fc.version() != 0) return Status::InvalidArgument();
  const size_t header = HeaderSizeFor(fc);
  if (mpdu.size() < header) return Status::OutOfRange();
  return Dot11View(mpdu, header);
}

FrameControl Dot11View::fc() const { return {load_le16(bytes_, 0)}; }
uint16_t Dot11View::duration() const { return load_le16(bytes_, 2); }
MacAddress Dot11View::addr1() const { return MacAddress::FromBytes(bytes_.subspan(4)); }
bool Dot11View::has_addr2() const { return header_size_ >= 16; }
MacAddress Dot11View::addr2() const {
  return has_addr2() ? MacAddress::FromBytes(bytes_.subspan(10)) : MacAddress();
}
bool Dot11View::has_addr3() const { return header_size_ >= kMgmtHeaderSize; }
MacAddress Dot11View::addr3() const {
  return has_addr3() ? MacAddress::FromBytes(bytes_.subspan(16)) : MacAddress();
}
SequenceControl Dot11View::seq() const {
  return has_addr3() ? SequenceControl{load_le16(bytes_, 22)} : SequenceControl{};
}

Result<DataView> DataView::Parse(const Dot11View& frame) {
  if (frame.fc().type() != FrameType::kData) return Status::InvalidArgument();
  return DataView(frame);
}

DsMode DataView::ds_mode() const {
  const FrameControl fc = frame_.fc();
  return static_cast<DsMode>((fc.to_ds() ? 1 : 0) | (fc.from_ds() ? 2 : 0));
}

Result<MacAddress> DataView::destination() const {
  switch (ds_mode()) {
    case DsMode::kNoDs:
    case DsMode::kFromDs: return frame_.addr1();
    case DsMode::kToDs:
    case DsMode::kWds: break;
  }
  if (amsdu()) return Status::NotFound();
  return frame_.addr3();
}

Result<MacAddress> DataView::source() const {
  switch (ds_mode()) {
    case DsMode::kNoDs:
    case DsMode::kToDs: return frame_.addr2();
    case DsMode::kFromDs:
      if (amsdu()) return Status::NotFound();
      return frame_.addr3();
    case DsMode::kWds: break;
  }
  if (amsdu()) return Status::NotFound();
  return addr4();
}

Result<MacAddress> DataView::bssid() const {
  switch (ds_mode()) {
    case DsMode::kNoDs: return frame_.addr3();
    case DsMode::kToDs: return frame_.addr1();
    case DsMode::kFromDs: return frame_.addr2();
    case DsMode::kWds: break;
  }
  // A WDS A-MSDU puts the BSSID in A3 (and A4); a WDS MSDU has none.
  if (amsdu()) return frame_.addr3();
  return Status::NotFound();
}

MacAddress DataView::addr4() const {
  return has_addr4() ? MacAddress::FromBytes(frame_.bytes().subspan(kMgmtHeaderSize))
                     : MacAddress();
}

uint16_t DataView::qos_control() const {
  if (!is_qos()) return 0;
  return load_le16(frame_.bytes(), kMgmtHeaderSize + (has_addr4() ? MacAddress::kSize : 0));
}

Result<ControlView> ControlView::Parse(const Dot11View& frame) {
  if (frame.fc().type() != FrameType::kControl) return Status::InvalidArgument();
  const ControlView view(frame);
  if (view.is_block_ack() && frame.body().size() < kBlockAckFixedSize) {
    return Status::OutOfRange();
  }
  return view;
}

Result<MacAddress> ControlView::transmitter() const {
  if (!frame_.has_addr2()) return Status::NotFound();
  return frame_.addr2();
}

bool ControlView::is_block_ack() const {
  return subtype() == ControlSubtype::kBlockAck || subtype() == ControlSubtype::kBlockAckRequest;
}

uint16_t ControlView::block_ack_control() const {
  return is_block_ack() ? load_le16(frame_.body(), 0) : 0;
}

SequenceControl ControlView::starting_sequence() const {
  return is_block_ack() ? SequenceControl{load_le16(frame_.body(), 2)} : SequenceControl{};
}

ByteSpan ControlView::bitmap() const {
  return is_block_ack() ? frame_.body().subspan(kBlockAckFixedSize) : ByteSpan();
}

Result<LlcSnap> DataView::llc_snap() const {
  if (protected_frame() || !has_payload()) return Status::FailedPrecondition();
  return ParseLlcSnap(payload());
}

namespace {
constexpr uint8_t kLlcSnapPrefix[] = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00};
}  // namespace

Result<LlcSnap> ParseLlcSnap(ByteSpan body) {
  if (body.size() < kLlcSnapSize) return Status::OutOfRange();
  for (size_t i = 0; i < sizeof kLlcSnapPrefix; ++i) {
    if (load_u8(body, i) != kLlcSnapPrefix[i]) return Status::Unimplemented();
  }
  return LlcSnap{.ethertype = load_be16(body, 6), .payload = body.subspan(kLlcSnapSize)};
}

Result<MgmtHeader> MakeDataHeader(DsMode mode, const MacAddress& destination,
                                  const MacAddress& source, const MacAddress& bssid,
                                  SequenceControl seq) {
  MgmtHeader h{.seq = seq};
  switch (mode) {
    case DsMode::kNoDs:
      h.fc.raw = 0;
      h.addr1 = destination, h.addr2 = source, h.addr3 = bssid;
      break;
    case DsMode::kToDs:
      h.fc.raw = FrameControl::kToDsFlag;
      h.addr1 = bssid, h.addr2 = source, h.addr3 = destination;
      break;
    case DsMode::kFromDs:
      h.fc.raw = FrameControl::kFromDsFlag;
      h.addr1 = destination, h.addr2 = bssid, h.addr3 = source;
      break;
    case DsMode::kWds: return Status::InvalidArgument();
  }
  h.fc = FrameControl::Make(FrameType::kData, static_cast<uint8_t>(DataSubtype::kData), h.fc.raw);
  return h;
}

Status BuildDataFrame(ByteBuilder& out, const MgmtHeader& header, uint16_t ethertype,
                      ByteSpan payload, Fcs fcs) {
  MgmtHeader h = header;
  h.fc = FrameControl::Make(FrameType::kData, static_cast<uint8_t>(DataSubtype::kData),
                            header.fc.raw & FrameControl::kFlagsMask);
  WriteMgmtHeader(out, h);
  out.Append(AsBytes(kLlcSnapPrefix, sizeof kLlcSnapPrefix)).PutBe16(ethertype).Append(payload);
  if (fcs == Fcs::kAppend) AppendFcs(out);
  return out.status();
}

void WriteMgmtHeader(ByteBuilder& out, const MgmtHeader& h) {
  out.PutLe16(h.fc.raw).PutLe16(h.duration);
  out.Append(h.addr1.bytes()).Append(h.addr2.bytes()).Append(h.addr3.bytes());
  out.PutLe16(h.seq.raw);
}

// Table-driven, one byte a step: enough for millions of frames a second, and 1 KiB of flash.
uint32_t Crc32(ByteSpan data) {
  uint32_t c = 0xffffffffu;
  for (std::byte b : data) c = kCrcTable[(c ^ static_cast<uint8_t>(b)) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

void AppendFcs(ByteBuilder& out) { out.PutLe32(Crc32(out.bytes())); }

bool CheckFcs(ByteSpan frame) {
  if (frame.size() < kFcsSize) return false;
  const size_t body = frame.size() - kFcsSize;
  return Crc32(frame.first(body)) == load_le32(frame, body);
}

Result<ByteSpan> StripFcs(ByteSpan frame) {
  if (frame.size() < kFcsSize) return Status::OutOfRange();
  if (!CheckFcs(frame)) return Status::DataLoss();
  return frame.first(frame.size() - kFcsSize);
}

}  // namespace airlab::wire
