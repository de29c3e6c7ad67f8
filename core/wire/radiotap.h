#pragma once
// Radiotap: the capture header in front of 802.11 frames in monitor-mode captures (pcap link
// type 127) and in front of frames injected through a monitor interface.
//
// Layout (radiotap.org): u8 version (0), u8 pad, u16 it_len (whole header, little endian),
// u32 present words chained by bit 31, then the fields in bit order, each aligned to its
// natural size counted from the start of the header, all little endian. Bits 29 and 30 of
// any present word switch to the radiotap or a vendor namespace from the next word on.
// Field sizes and alignments: radiotap.org "defined fields", the same table as Linux
// net/wireless/radiotap.c and Wireshark's packet-ieee80211-radiotap-iter.c.

#include <array>
#include <cstdint>
#include <optional>

#include "core/base/bytes.h"
#include "core/base/result.h"

namespace airlab::wire {

// Present bits of the radiotap namespace.
enum class RadiotapBit : uint8_t {
  kTsft = 0,
  kFlags = 1,
  kRate = 2,
  kChannel = 3,
  kFhss = 4,
  kDbmAntSignal = 5,
  kDbmAntNoise = 6,
  kLockQuality = 7,
  kTxAttenuation = 8,
  kDbTxAttenuation = 9,
  kDbmTxPower = 10,
  kAntenna = 11,
  kDbAntSignal = 12,
  kDbAntNoise = 13,
  kRxFlags = 14,
  kTxFlags = 15,
  kRtsRetries = 16,
  kDataRetries = 17,
  kXChannel = 18,
  kMcs = 19,
  kAmpduStatus = 20,
  kVht = 21,
  kTimestamp = 22,
  kHe = 23,
  kHeMu = 24,
  kHeMuOtherUser = 25,
  kZeroLengthPsdu = 26,
  kLSig = 27,
  kTlv = 28,  // a TLV list fills the rest of the header
  kRadiotapNamespace = 29,
  kVendorNamespace = 30,
  kExt = 31,
};

// Flags field (bit 1).
struct RadiotapFlags {
  static constexpr uint8_t kCfp = 0x01;
  static constexpr uint8_t kShortPreamble = 0x02;
  static constexpr uint8_t kWep = 0x04;
  static constexpr uint8_t kFragmented = 0x08;
  static constexpr uint8_t kFcsAtEnd = 0x10;  // the frame after the header ends in its FCS
  static constexpr uint8_t kDataPad = 0x20;
  static constexpr uint8_t kBadFcs = 0x40;
  static constexpr uint8_t kShortGi = 0x80;
};

// Channel flags (bit 3).
struct RadiotapChannelFlags {
  static constexpr uint16_t kTurbo = 0x0010;
  static constexpr uint16_t kCck = 0x0020;
  static constexpr uint16_t kOfdm = 0x0040;
  static constexpr uint16_t k2Ghz = 0x0080;
  static constexpr uint16_t k5Ghz = 0x0100;
  static constexpr uint16_t kPassive = 0x0200;
  static constexpr uint16_t kDynamic = 0x0400;  // CCK-OFDM (802.11g)
  static constexpr uint16_t kGfsk = 0x0800;
};

// RX flags (bit 14) and TX flags (bit 15).
struct RadiotapRxFlags {
  static constexpr uint16_t kBadPlcp = 0x0002;
};
struct RadiotapTxFlags {
  static constexpr uint16_t kFail = 0x0001;
  static constexpr uint16_t kCts = 0x0002;
  static constexpr uint16_t kRtsCts = 0x0004;
  static constexpr uint16_t kNoAck = 0x0008;  // do not wait for (or retry without) an ACK
  static constexpr uint16_t kNoSeq = 0x0010;  // keep the sequence number the frame carries
  static constexpr uint16_t kOrder = 0x0020;
};

struct RadiotapChannel {
  uint16_t freq_mhz = 0;
  uint16_t flags = 0;  // RadiotapChannelFlags
  friend bool operator==(const RadiotapChannel&, const RadiotapChannel&) = default;
};

// MCS (bit 19): 802.11n rate.
struct RadiotapMcs {
  static constexpr uint8_t kKnownBandwidth = 0x01;
  static constexpr uint8_t kKnownIndex = 0x02;
  static constexpr uint8_t kKnownGuardInterval = 0x04;
  static constexpr uint8_t kKnownFormat = 0x08;
  static constexpr uint8_t kKnownFec = 0x10;
  static constexpr uint8_t kKnownStbc = 0x20;
  static constexpr uint8_t kKnownNess = 0x40;
  static constexpr uint8_t kBandwidthMask = 0x03;  // 0: 20, 1: 40, 2: 20L, 3: 20U MHz
  static constexpr uint8_t kShortGi = 0x04;
  static constexpr uint8_t kGreenfield = 0x08;
  static constexpr uint8_t kLdpc = 0x10;
  static constexpr uint8_t kStbcMask = 0x60;

  uint8_t known = 0;
  uint8_t flags = 0;
  uint8_t index = 0;
  friend bool operator==(const RadiotapMcs&, const RadiotapMcs&) = default;
};

// A-MPDU status (bit 20).
struct RadiotapAmpdu {
  uint32_t reference = 0;
  uint16_t flags = 0;
  uint8_t delimiter_crc = 0;
  friend bool operator==(const RadiotapAmpdu&, const RadiotapAmpdu&) = default;
};

// VHT (bit 21): 802.11ac rate.
struct RadiotapVht {
  uint16_t known = 0;
  uint8_t flags = 0;
  uint8_t bandwidth = 0;
  std::array<uint8_t, 4> mcs_nss{};  // per user: MCS << 4 | NSS
  uint8_t coding = 0;
  uint8_t group_id = 0;
  uint16_t partial_aid = 0;
  friend bool operator==(const RadiotapVht&, const RadiotapVht&) = default;
};

// timestamp (bit 22): a clock of the capturing device that is not the TSF.
struct RadiotapTimestamp {
  uint64_t timestamp = 0;
  uint16_t accuracy = 0;
  uint8_t unit_position = 0;  // low nibble unit (0 ms, 1 us, 2 ns), high nibble sampling position
  uint8_t flags = 0;
  friend bool operator==(const RadiotapTimestamp&, const RadiotapTimestamp&) = default;
};

// The radiotap fields a sniffer and an injector use. Parse fills what the header has; the
// writer writes what is set. When a field appears again in a later radiotap namespace (per
// chain values after the combined one, as Linux writes them), the first one is kept.
struct RadiotapInfo {
  std::optional<uint64_t> tsft_us;  // the MAC's 802.11 TSF when the frame's first bit arrived
  std::optional<uint8_t> flags;     // RadiotapFlags
  std::optional<uint8_t> rate_500kbps;
  std::optional<RadiotapChannel> channel;
  std::optional<int8_t> signal_dbm;
  std::optional<int8_t> noise_dbm;
  std::optional<uint8_t> antenna;
  std::optional<uint16_t> rx_flags;  // RadiotapRxFlags
  std::optional<uint16_t> tx_flags;  // RadiotapTxFlags
  std::optional<uint8_t> data_retries;
  std::optional<RadiotapMcs> mcs;
  std::optional<RadiotapAmpdu> ampdu;
  std::optional<RadiotapVht> vht;
  std::optional<RadiotapTimestamp> timestamp;

  bool short_preamble() const { return flags.value_or(0) & RadiotapFlags::kShortPreamble; }
  bool fcs_at_end() const { return flags.value_or(0) & RadiotapFlags::kFcsAtEnd; }
  bool bad_fcs() const { return flags.value_or(0) & RadiotapFlags::kBadFcs; }
  friend bool operator==(const RadiotapInfo&, const RadiotapInfo&) = default;
};

// The smallest radiotap header: version, pad, it_len and one present word.
inline constexpr size_t kRadiotapMinHeaderSize = 8;

// Where the 802.11 frame starts, from the fixed header alone (no present word is read), so a
// caller still gets the frame when RadiotapView::Parse says kUnimplemented. The span
// points into `packet`. kOutOfRange if `packet` is shorter than 8 bytes or than it_len, or
// it_len is below 8; kInvalidArgument if the version is not 0.
Result<ByteSpan> RadiotapPayload(ByteSpan packet);

// One item of a radiotap header, as RadiotapIterator finds it.
struct RadiotapItem {
  // A field of the radiotap namespace (0-27); kTlv: the TLV list, to the end of the header;
  // kVendorNamespace: the skip_length bytes of data of a vendor namespace, not interpreted.
  RadiotapBit bit = RadiotapBit::kTsft;
  ByteSpan data;            // the field's bytes, without alignment padding
  uint32_t vendor_oui = 0;  // kVendorNamespace only
  uint8_t vendor_sub_namespace = 0;
};

// Walks the fields of a radiotap header in order, across extended present words and
// namespaces, without copying. Usage:
//   RadiotapIterator it(packet);
//   while (it.Next()) Use(it.item());
//   if (!it.status().ok()) ...
// Next() returns false at the end or on the first error; status() then says which:
// the RadiotapPayload errors for the fixed header; kOutOfRange if the present words or a
// field do not fit in it_len; kUnimplemented for a bit of the radiotap namespace with no
// defined size (32 and up: fields past the first word without a namespace reset), since
// nothing after it can be located. The item's spans point into `packet`.
class RadiotapIterator {
 public:
  explicit RadiotapIterator(ByteSpan packet);

  bool Next();
  const RadiotapItem& item() const { return item_; }
  Status status() const { return status_; }
  // it_len, once the constructor accepted the fixed header (0 otherwise).
  size_t header_size() const { return header_size_; }

 private:
  bool Fail(Status status);
  bool NextWord();

  ByteSpan packet_;
  size_t header_size_ = 0;
  size_t word_offset_ = 4;  // the present word being read
  uint32_t word_ = 0;
  uint8_t bit_ = 0;               // next bit of word_ to look at
  uint32_t index_base_ = 0;       // field number of bit 0 of word_ in the current namespace
  bool namespace_reset_ = false;  // word_ switches namespace: the next word restarts at 0
  bool in_vendor_ = false;        // fields of a vendor namespace are skipped as one block
  size_t pos_ = 0;                // next field data byte
  bool done_ = false;
  Status status_;
  RadiotapItem item_;
};

// A parsed radiotap header and the frame behind it. Lives as long as the packet's bytes.
class RadiotapView {
 public:
  // Walks every field (RadiotapIterator) and fills info(). Returns the iterator's errors;
  // on kUnimplemented, RadiotapPayload still finds the frame.
  static Result<RadiotapView> Parse(ByteSpan packet);

  const RadiotapInfo& info() const { return info_; }
  ByteSpan header() const { return packet_.first(header_size_); }
  // The 802.11 frame, with its FCS when info().fcs_at_end().
  ByteSpan payload() const { return packet_.subspan(header_size_); }
  // The frame without its FCS, as Dot11View::Parse takes it (empty if the FCS flag is set
  // but fewer than 4 bytes follow).
  ByteSpan payload_without_fcs() const;

 private:
  RadiotapView(ByteSpan packet, size_t header_size, const RadiotapInfo& info)
      : packet_(packet), header_size_(header_size), info_(info) {}
  ByteSpan packet_;
  size_t header_size_;
  RadiotapInfo info_;
};

// Appends a radiotap header with one present word holding the fields `info` sets, each
// aligned from the header's first byte (out.size() at the call), and it_len; the caller then
// appends the 802.11 frame. Errors are the builder's sticky kResourceExhausted.
void WriteRadiotap(ByteBuilder& out, const RadiotapInfo& info);

// Channel numbers (IEEE 802.11-2016 15.4.4.3, 17.3.8.4.2): 2.4 GHz channels 1-13 at
// 2407 + 5 n MHz and 14 at 2484 MHz; 5 GHz channels 32-177 at 5000 + 5 n MHz. Other
// numbers or frequencies (4.9 and 6 GHz bands) are kInvalidArgument.
Result<uint16_t> ChannelToFrequencyMhz(uint8_t channel);
Result<uint8_t> FrequencyMhzToChannel(uint16_t freq_mhz);

// Channel flags for a frequency: the band bit (2 GHz below 3000 MHz, else 5 GHz) and the
// modulation bit.
enum class RadiotapModulation : uint8_t { kCck, kOfdm };
uint16_t ChannelFlagsFor(uint16_t freq_mhz, RadiotapModulation modulation);

}  // namespace airlab::wire
