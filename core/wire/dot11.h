#pragma once
// IEEE 802.11 MAC frames: a zero-copy view over received bytes and a builder of headers.
// Layout and field names from IEEE 802.11-2016 clause 9.2-9.4. Data and control frames are
// classified here (DataView, ControlView); management bodies are in mgmt.h, elements in
// elements.h.

#include <cstdint>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/result.h"

namespace airlab::wire {

enum class FrameType : uint8_t { kManagement = 0, kControl = 1, kData = 2, kExtension = 3 };

// Management subtypes used here (9.2.4.1.3, Table 9-1).
enum class MgmtSubtype : uint8_t {
  kAssocRequest = 0,
  kAssocResponse = 1,
  kReassocRequest = 2,
  kReassocResponse = 3,
  kProbeRequest = 4,
  kProbeResponse = 5,
  kBeacon = 8,
  kAtim = 9,
  kDisassociation = 10,
  kAuthentication = 11,
  kDeauthentication = 12,
  kAction = 13,
  kActionNoAck = 14,
};

// Control subtypes (Table 9-1).
enum class ControlSubtype : uint8_t {
  kTrigger = 2,
  kBeamformingReportPoll = 4,
  kVhtNdpAnnouncement = 5,
  kControlFrameExtension = 6,
  kControlWrapper = 7,
  kBlockAckRequest = 8,
  kBlockAck = 9,
  kPsPoll = 10,
  kRts = 11,
  kCts = 12,
  kAck = 13,
  kCfEnd = 14,
  kCfEndAck = 15,
};

// Data subtypes this code names (Table 9-1): bit 3 means QoS, bit 2 "no data" (null).
// The CF-Ack/CF-Poll variants in between are obsolete (PCF) and keep their numbers.
enum class DataSubtype : uint8_t { kData = 0, kNull = 4, kQosData = 8, kQosNull = 12 };

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
  constexpr bool Is(MgmtSubtype s) const { return IsType(FrameType::kManagement, s); }
  constexpr bool Is(ControlSubtype s) const { return IsType(FrameType::kControl, s); }
  constexpr bool Is(DataSubtype s) const { return IsType(FrameType::kData, s); }
  static constexpr FrameControl Make(FrameType type, uint8_t subtype, uint16_t flags = 0) {
    return {static_cast<uint16_t>((static_cast<uint16_t>(type) << 2) | (subtype << 4) | flags)};
  }
  static constexpr uint16_t kToDsFlag = 0x0100;
  static constexpr uint16_t kFromDsFlag = 0x0200;
  static constexpr uint16_t kRetryFlag = 0x0800;
  static constexpr uint16_t kPowerManagementFlag = 0x1000;
  static constexpr uint16_t kProtectedFlag = 0x4000;
  static constexpr uint16_t kFlagsMask = 0xff00;

 private:
  template <typename Subtype>
  constexpr bool IsType(FrameType t, Subtype s) const {
    return type() == t && subtype() == static_cast<uint8_t>(s);
  }
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
  // kOutOfRange if shorter than the header its frame control implies (control frames: 10
  // bytes for CTS, ACK and the wrapper/extension kinds, else 16; management: 24, 28 with HT
  // Control; data: 24/26/30/32 with addr4 and QoS, +4 with HT Control); kInvalidArgument if
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

// The address fields of data frames by their To DS / From DS bits (Table 9-26).
enum class DsMode : uint8_t {
  kNoDs = 0,    // station to station, or within an IBSS: A1 = DA, A2 = SA, A3 = BSSID
  kToDs = 1,    // station to access point:                A1 = BSSID, A2 = SA, A3 = DA
  kFromDs = 2,  // access point to station:                A1 = DA, A2 = BSSID, A3 = SA
  kWds = 3,     // between access points / mesh, 4 addresses: A3 = DA, A4 = SA
};

// The LLC/SNAP header of a data frame's body (RFC 1042 encapsulation, 802.11-2016 Annex
// M): what carries EAPOL, IPv4 and ARP between a station and its AP.
inline constexpr size_t kLlcSnapSize = 8;  // AA AA 03 00 00 00, then the ethertype

struct LlcSnap {
  uint16_t ethertype = 0;
  ByteSpan payload;  // after the ethertype
};

// kOutOfRange: shorter than kLlcSnapSize. kUnimplemented: another LLC header or OUI (the
// 802.1H bridge tunnel 00-00-F8 included, which these links never use).
Result<LlcSnap> ParseLlcSnap(ByteSpan body);

// A data frame, enough to classify it and say who sent it to whom.
class DataView {
 public:
  // kInvalidArgument when `frame` is not a data frame (Dot11View::Parse already checked
  // that the header, addr4 and QoS Control included, is there).
  static Result<DataView> Parse(const Dot11View& frame);

  const Dot11View& frame() const { return frame_; }
  // Any of the 16 values; DataSubtype names the four in use.
  DataSubtype subtype() const { return static_cast<DataSubtype>(frame_.fc().subtype()); }
  bool is_qos() const { return (frame_.fc().subtype() & 0x8) != 0; }
  // False for the null-function kinds, which carry no payload (power save, keep-alive).
  bool has_payload() const { return (frame_.fc().subtype() & 0x4) == 0; }
  bool protected_frame() const { return frame_.fc().protected_frame(); }
  DsMode ds_mode() const;

  MacAddress receiver() const { return frame_.addr1(); }
  MacAddress transmitter() const { return frame_.addr2(); }
  // The next three are kNotFound when this header does not carry them: the BSSID of a WDS
  // frame, and the source or destination of an A-MSDU outside the IBSS case (each A-MSDU
  // subframe then has its own).
  Result<MacAddress> destination() const;
  Result<MacAddress> source() const;
  Result<MacAddress> bssid() const;
  bool has_addr4() const { return ds_mode() == DsMode::kWds; }
  MacAddress addr4() const;  // all zero when !has_addr4()

  // QoS Control (9.2.4.5); 0 for non-QoS frames.
  uint16_t qos_control() const;
  uint8_t tid() const { return qos_control() & 0xf; }
  bool amsdu() const { return (qos_control() & 0x80) != 0; }
  // The frame body: an LLC/SNAP header and payload, or CCMP/TKIP header and ciphertext
  // when protected_frame().
  ByteSpan payload() const { return frame_.body(); }
  // The payload's LLC/SNAP header read: ParseLlcSnap(payload()), and kFailedPrecondition
  // for a protected frame (decrypt it first) or a null-function one.
  Result<LlcSnap> llc_snap() const;

 private:
  explicit DataView(const Dot11View& frame) : frame_(frame) {}
  Dot11View frame_;
};

// A control frame: RA, TA where it has one, and the Block Ack (Request) fields.
class ControlView {
 public:
  // kInvalidArgument when `frame` is not a control frame; kOutOfRange when a Block Ack or
  // Block Ack Request body is shorter than its control and starting sequence fields.
  static Result<ControlView> Parse(const Dot11View& frame);

  const Dot11View& frame() const { return frame_; }
  ControlSubtype subtype() const { return static_cast<ControlSubtype>(frame_.fc().subtype()); }
  MacAddress receiver() const { return frame_.addr1(); }
  // kNotFound for the kinds with only a receiver (CTS, ACK, control wrapper).
  Result<MacAddress> transmitter() const;

  // Block Ack and Block Ack Request only (0/empty otherwise). tid(), starting_sequence()
  // and bitmap() describe the basic and compressed variants; a multi-TID one
  // (block_ack_type() 3) has per-TID records from the third body byte on, which these do
  // not split, and its tid() is the record count minus one.
  bool is_block_ack() const;
  uint16_t block_ack_control() const;
  uint8_t block_ack_type() const { return (block_ack_control() >> 1) & 0xf; }  // 2 = compressed
  uint8_t tid() const { return block_ack_control() >> 12; }
  SequenceControl starting_sequence() const;
  // What follows the starting sequence: the bitmap of a Block Ack, empty for a request.
  ByteSpan bitmap() const;

 private:
  explicit ControlView(const Dot11View& frame) : frame_(frame) {}
  Dot11View frame_;
};

// Appends a 24-byte management header.
void WriteMgmtHeader(ByteBuilder& out, const MgmtHeader& header);

// Whether a builder appends the FCS (the radio adds it on real hardware; pcaps may hold it).
enum class Fcs : uint8_t { kOmit, kAppend };

// ---------------------------------------------------------------------------------------
// Building data frames with LLC/SNAP.

// The header of a non-QoS data frame (24 bytes, the MgmtHeader layout) with the To DS /
// From DS bits of `mode` and its addresses in the order of Table 9-26: kToDs (station to
// AP) A1 = BSSID, A2 = source, A3 = destination; kFromDs (AP to station) A1 = destination,
// A2 = BSSID, A3 = source; kNoDs A1 = destination, A2 = source, A3 = BSSID.
// kInvalidArgument for kWds, whose fourth address this header has no room for.
Result<MgmtHeader> MakeDataHeader(DsMode mode, const MacAddress& destination,
                                  const MacAddress& source, const MacAddress& bssid,
                                  SequenceControl seq = {});

// Appends `header` as a Data frame (type and subtype set; flags such as To DS, From DS and
// Retry kept), LLC/SNAP with `ethertype`, `payload` and, with Fcs::kAppend, the FCS.
// Protect it afterwards with CcmpEncrypt (built with Fcs::kOmit). kResourceExhausted when
// `out` is full.
Status BuildDataFrame(ByteBuilder& out, const MgmtHeader& header, uint16_t ethertype,
                      ByteSpan payload, Fcs fcs = Fcs::kOmit);

// CRC-32 (IEEE 802.3 polynomial, reflected) as the 802.11 FCS.
uint32_t Crc32(ByteSpan data);
// Appends the FCS of out.bytes() (little endian).
void AppendFcs(ByteBuilder& out);
// True when the last 4 bytes of `frame` are the FCS of the rest.
bool CheckFcs(ByteSpan frame);
// The frame without its FCS, once checked: kOutOfRange if shorter than an FCS, kDataLoss
// if the FCS does not match. The result points into `frame`.
Result<ByteSpan> StripFcs(ByteSpan frame);

}  // namespace airlab::wire
