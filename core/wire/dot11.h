#pragma once
// IEEE 802.11 MAC frames: a zero-copy view over received bytes and a builder of headers.
// Layout and field names from IEEE 802.11-2016 clause 9.2-9.4.

#include <cstdint>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/result.h"

namespace airlab::wire {

enum class FrameType : uint8_t { kManagement = 0, kControl = 1, kData = 2, kExtension = 3 };

// Management subtypes used here (9.2.4.1.3, Table 9-1).
enum class MgmtSubtype : uint8_t {
  kAssocRequest = 0, kAssocResponse = 1, kReassocRequest = 2, kReassocResponse = 3,
  kProbeRequest = 4, kProbeResponse = 5, kBeacon = 8, kAtim = 9, kDisassociation = 10,
  kAuthentication = 11, kDeauthentication = 12, kAction = 13, kActionNoAck = 14,
};

// The two frame-control bytes as they sit on the air (little endian u16).
struct FrameControl {
  uint16_t raw = 0;
  constexpr uint8_t version() const { return raw & 0x3; }
  constexpr FrameType type() const { return static_cast<FrameType>((raw >> 2) & 0x3); }
  constexpr uint8_t subtype() const { return (raw >> 4) & 0xf; }
  constexpr bool to_ds() const { return raw & 0x0100; }
  constexpr bool from_ds() const { return raw & 0x0200; }
  constexpr bool more_fragments() const { return raw & 0x0400; }
  constexpr bool retry() const { return raw & 0x0800; }
  constexpr bool power_management() const { return raw & 0x1000; }
  constexpr bool more_data() const { return raw & 0x2000; }
  constexpr bool protected_frame() const { return raw & 0x4000; }
  constexpr bool order() const { return raw & 0x8000; }
  static constexpr FrameControl Make(FrameType type, uint8_t subtype, uint16_t flags = 0) {
    return {static_cast<uint16_t>((static_cast<uint16_t>(type) << 2) | (subtype << 4) | flags)};
  }
  static constexpr uint16_t kRetryFlag = 0x0800;
  static constexpr uint16_t kProtectedFlag = 0x4000;
};

// Sequence control: seq << 4 | fragment.
struct SequenceControl {
  uint16_t raw = 0;
  constexpr uint16_t sequence() const { return raw >> 4; }
  constexpr uint8_t fragment() const { return raw & 0xf; }
  static constexpr SequenceControl Make(uint16_t seq, uint8_t frag = 0) {
    return {static_cast<uint16_t>((seq & 0xfff) << 4 | (frag & 0xf))};
  }
};

inline constexpr size_t kMgmtHeaderSize = 24;
inline constexpr size_t kFcsSize = 4;

// The fields of a 24-byte management header (also the first 24 bytes of 3-address data).
struct MgmtHeader {
  FrameControl fc;
  uint16_t duration = 0;
  MacAddress addr1, addr2, addr3;
  SequenceControl seq;
};

// A view over one MPDU without the FCS (use StripFcs / CheckFcs first when it has one).
// Parse checks the header for its frame kind; accessors then never read past the span.
class Dot11View {
 public:
  // kOutOfRange if shorter than the header its frame control implies (control frames: 10 or
  // 16 bytes; management: 24; data: 24/26/30/32 with addr4 and QoS); kInvalidArgument if
  // the protocol version is not 0.
  static Result<Dot11View> Parse(ByteSpan mpdu);

  FrameControl fc() const;
  uint16_t duration() const;
  MacAddress addr1() const;
  // addr2/addr3 are absent in some control frames: has_addr2() tells.
  bool has_addr2() const;
  MacAddress addr2() const;
  bool has_addr3() const;
  MacAddress addr3() const;
  SequenceControl seq() const;  // 0 when the frame has none
  size_t header_size() const { return header_size_; }
  ByteSpan body() const { return bytes_.subspan(header_size_); }
  ByteSpan bytes() const { return bytes_; }

 private:
  Dot11View(ByteSpan bytes, size_t header_size) : bytes_(bytes), header_size_(header_size) {}
  ByteSpan bytes_;
  size_t header_size_;
};

// Appends a 24-byte management header.
void WriteMgmtHeader(ByteBuilder& out, const MgmtHeader& header);

// CRC-32 (IEEE 802.3 polynomial, reflected) as the 802.11 FCS.
uint32_t Crc32(ByteSpan data);
// Appends the FCS of out.bytes() (little endian).
void AppendFcs(ByteBuilder& out);
// True when the last 4 bytes of `frame` are the FCS of the rest.
bool CheckFcs(ByteSpan frame);

}  // namespace airlab::wire
