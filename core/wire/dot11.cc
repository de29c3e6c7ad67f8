#include "core/wire/dot11.h"

#include <array>

namespace airlab::wire {
namespace {

// Header size implied by the frame control (802.11-2016 9.3), or 0 when unknown.
size_t HeaderSizeFor(FrameControl fc) {
  switch (fc.type()) {
    case FrameType::kManagement:
      return kMgmtHeaderSize + (fc.order() ? 4 : 0);  // +HT Control
    case FrameType::kControl:
      switch (fc.subtype()) {
        case 12:  // CTS
        case 13:  // ACK
          return 10;
        default:  // RTS, PS-Poll, CF-End, Block Ack (Req): RA + TA
          return 16;
      }
    case FrameType::kData: {
      size_t size = kMgmtHeaderSize;
      if (fc.to_ds() && fc.from_ds()) size += 6;        // addr4
      const bool qos = (fc.subtype() & 0x8) != 0;
      if (qos) size += 2 + (fc.order() ? 4 : 0);         // QoS control (+HT control)
      return size;
    }
    case FrameType::kExtension:
      return 10;
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

}  // namespace airlab::wire
