#include "core/wire/radiotap.h"

#include <bit>

#include "core/wire/dot11.h"

namespace airlab::wire {
namespace {

struct FieldLayout {
  uint8_t align;
  uint8_t size;
};

// Fields 0-27 of the radiotap namespace (radiotap.org defined and suggested fields; Linux
// net/wireless/radiotap.c and Wireshark's radiotap iterator agree). FHSS is two u8, but Linux
// and Wireshark align it to 2, and they write the captures we read.
constexpr std::array<FieldLayout, 28> kLayout = {{
    {8, 8},   // TSFT: u64
    {1, 1},   // Flags
    {1, 1},   // Rate
    {2, 4},   // Channel: u16 frequency, u16 flags
    {2, 2},   // FHSS: u8 hop set, u8 hop pattern
    {1, 1},   // dBm antenna signal
    {1, 1},   // dBm antenna noise
    {2, 2},   // lock quality
    {2, 2},   // TX attenuation
    {2, 2},   // dB TX attenuation
    {1, 1},   // dBm TX power
    {1, 1},   // antenna
    {1, 1},   // dB antenna signal
    {1, 1},   // dB antenna noise
    {2, 2},   // RX flags
    {2, 2},   // TX flags
    {1, 1},   // RTS retries
    {1, 1},   // data retries
    {4, 8},   // XChannel: u32 flags, u16 frequency, u8 channel, u8 max power
    {1, 3},   // MCS: u8 known, u8 flags, u8 index
    {4, 8},   // A-MPDU status: u32 reference, u16 flags, u8 delimiter CRC, u8 reserved
    {2, 12},  // VHT: u16 known, u8 flags, u8 bandwidth, u8 mcs_nss[4], u8 coding, u8 group, u16 aid
    {8, 12},  // timestamp: u64, u16 accuracy, u8 unit/position, u8 flags
    {2, 12},  // HE: u16 data1..data6
    {2, 12},  // HE-MU: u16 flags1, u16 flags2, u8 RU_channel1[4], u8 RU_channel2[4]
    {2, 6},   // HE-MU-other-user: u16 per_user_1, u16 per_user_2, u8 position, u8 known
    {1, 1},   // 0-length-PSDU: u8 type
    {2, 4},   // L-SIG: u16 data1, u16 data2
}};
constexpr size_t kLargestField = 12;
constexpr size_t kTlvAlign = 4;
constexpr size_t kVendorNamespaceSize = 6;  // u8 OUI[3], u8 sub_namespace, u16 skip_length
constexpr uint32_t kExtBit = 1u << static_cast<uint8_t>(RadiotapBit::kExt);

constexpr size_t AlignUp(size_t offset, size_t align) {
  return (offset + align - 1) / align * align;
}

// it_len, after checking the 8 bytes every radiotap header starts with.
Result<size_t> CheckFixedHeader(ByteSpan packet) {
  if (packet.size() < kRadiotapMinHeaderSize) return Status::OutOfRange();
  if (load_u8(packet, 0) != 0) return Status::InvalidArgument();
  const size_t length = load_le16(packet, 2);
  if (length < kRadiotapMinHeaderSize || length > packet.size()) return Status::OutOfRange();
  return length;
}

template <typename T>
void KeepFirst(std::optional<T>& slot, const T& value) {
  if (!slot) slot = value;
}

// Fills the RadiotapInfo member of a field; the iterator has checked the field's size.
void Decode(const RadiotapItem& item, RadiotapInfo& info) {
  const ByteSpan d = item.data;
  switch (item.bit) {
    case RadiotapBit::kTsft: KeepFirst(info.tsft_us, load_le64(d, 0)); break;
    case RadiotapBit::kFlags: KeepFirst(info.flags, load_u8(d, 0)); break;
    case RadiotapBit::kRate: KeepFirst(info.rate_500kbps, load_u8(d, 0)); break;
    case RadiotapBit::kChannel:
      KeepFirst(info.channel, RadiotapChannel{load_le16(d, 0), load_le16(d, 2)});
      break;
    case RadiotapBit::kDbmAntSignal:
      KeepFirst(info.signal_dbm, static_cast<int8_t>(load_u8(d, 0)));
      break;
    case RadiotapBit::kDbmAntNoise:
      KeepFirst(info.noise_dbm, static_cast<int8_t>(load_u8(d, 0)));
      break;
    case RadiotapBit::kAntenna: KeepFirst(info.antenna, load_u8(d, 0)); break;
    case RadiotapBit::kRxFlags: KeepFirst(info.rx_flags, load_le16(d, 0)); break;
    case RadiotapBit::kTxFlags: KeepFirst(info.tx_flags, load_le16(d, 0)); break;
    case RadiotapBit::kDataRetries: KeepFirst(info.data_retries, load_u8(d, 0)); break;
    case RadiotapBit::kMcs:
      KeepFirst(info.mcs, RadiotapMcs{load_u8(d, 0), load_u8(d, 1), load_u8(d, 2)});
      break;
    case RadiotapBit::kAmpduStatus:
      KeepFirst(info.ampdu, RadiotapAmpdu{load_le32(d, 0), load_le16(d, 4), load_u8(d, 6)});
      break;
    case RadiotapBit::kVht:
      KeepFirst(info.vht, RadiotapVht{load_le16(d, 0),
                                      load_u8(d, 2),
                                      load_u8(d, 3),
                                      {load_u8(d, 4), load_u8(d, 5), load_u8(d, 6), load_u8(d, 7)},
                                      load_u8(d, 8),
                                      load_u8(d, 9),
                                      load_le16(d, 10)});
      break;
    case RadiotapBit::kTimestamp:
      KeepFirst(info.timestamp, RadiotapTimestamp{load_le64(d, 0), load_le16(d, 8), load_u8(d, 10),
                                                  load_u8(d, 11)});
      break;
    default:  // fields nobody here uses yet; RadiotapIterator hands them out
      break;
  }
}

// The inverse of Decode: writes field `bit` of `info` into `out` (sized by kLayout) and
// returns true, or returns false when `info` does not set it.
bool Encode(RadiotapBit bit, const RadiotapInfo& info, MutableByteSpan out) {
  switch (bit) {
    case RadiotapBit::kTsft:
      if (!info.tsft_us) return false;
      store_le64(out, 0, *info.tsft_us);
      return true;
    case RadiotapBit::kFlags:
      if (!info.flags) return false;
      store_u8(out, 0, *info.flags);
      return true;
    case RadiotapBit::kRate:
      if (!info.rate_500kbps) return false;
      store_u8(out, 0, *info.rate_500kbps);
      return true;
    case RadiotapBit::kChannel:
      if (!info.channel) return false;
      store_le16(out, 0, info.channel->freq_mhz);
      store_le16(out, 2, info.channel->flags);
      return true;
    case RadiotapBit::kDbmAntSignal:
      if (!info.signal_dbm) return false;
      store_u8(out, 0, static_cast<uint8_t>(*info.signal_dbm));
      return true;
    case RadiotapBit::kDbmAntNoise:
      if (!info.noise_dbm) return false;
      store_u8(out, 0, static_cast<uint8_t>(*info.noise_dbm));
      return true;
    case RadiotapBit::kAntenna:
      if (!info.antenna) return false;
      store_u8(out, 0, *info.antenna);
      return true;
    case RadiotapBit::kRxFlags:
      if (!info.rx_flags) return false;
      store_le16(out, 0, *info.rx_flags);
      return true;
    case RadiotapBit::kTxFlags:
      if (!info.tx_flags) return false;
      store_le16(out, 0, *info.tx_flags);
      return true;
    case RadiotapBit::kDataRetries:
      if (!info.data_retries) return false;
      store_u8(out, 0, *info.data_retries);
      return true;
    case RadiotapBit::kMcs:
      if (!info.mcs) return false;
      store_u8(out, 0, info.mcs->known);
      store_u8(out, 1, info.mcs->flags);
      store_u8(out, 2, info.mcs->index);
      return true;
    case RadiotapBit::kAmpduStatus:
      if (!info.ampdu) return false;
      store_le32(out, 0, info.ampdu->reference);
      store_le16(out, 4, info.ampdu->flags);
      store_u8(out, 6, info.ampdu->delimiter_crc);
      store_u8(out, 7, 0);
      return true;
    case RadiotapBit::kVht:
      if (!info.vht) return false;
      store_le16(out, 0, info.vht->known);
      store_u8(out, 2, info.vht->flags);
      store_u8(out, 3, info.vht->bandwidth);
      for (size_t i = 0; i < info.vht->mcs_nss.size(); ++i) {
        store_u8(out, 4 + i, info.vht->mcs_nss[i]);
      }
      store_u8(out, 8, info.vht->coding);
      store_u8(out, 9, info.vht->group_id);
      store_le16(out, 10, info.vht->partial_aid);
      return true;
    case RadiotapBit::kTimestamp:
      if (!info.timestamp) return false;
      store_le64(out, 0, info.timestamp->timestamp);
      store_le16(out, 8, info.timestamp->accuracy);
      store_u8(out, 10, info.timestamp->unit_position);
      store_u8(out, 11, info.timestamp->flags);
      return true;
    default: return false;
  }
}

}  // namespace

Result<ByteSpan> RadiotapPayload(ByteSpan packet) {
  AIRLAB_TRY_ASSIGN(const size_t length, CheckFixedHeader(packet));
  return packet.subspan(length);
}

RadiotapIterator::RadiotapIterator(ByteSpan packet) : packet_(packet) {
  Result<size_t> length = CheckFixedHeader(packet);
  if (!length.ok()) {
    Fail(length.status());
    return;
  }
  header_size_ = *length;
  // Field data starts after the last present word; every word must lie inside it_len.
  size_t last = word_offset_;
  while (load_le32(packet_, last) & kExtBit) {
    last += 4;
    if (!InBounds(header_size_, last, 4)) {
      Fail(Status::OutOfRange());
      return;
    }
  }
  pos_ = last + 4;
  word_ = load_le32(packet_, word_offset_);
}

bool RadiotapIterator::Fail(Status status) {
  status_ = status;
  done_ = true;
  return false;
}

// Moves to the next present word, if bit 31 says there is one. Its bits are numbered from 0
// again after a namespace switch, else they continue the current namespace's numbering.
bool RadiotapIterator::NextWord() {
  if ((word_ & kExtBit) == 0) return false;
  word_offset_ += 4;  // the constructor checked the whole chain
  word_ = load_le32(packet_, word_offset_);
  bit_ = 0;
  index_base_ = namespace_reset_ ? 0 : index_base_ + 32;
  namespace_reset_ = false;
  return true;
}

bool RadiotapIterator::Next() {
  while (!done_) {
    if (bit_ == static_cast<uint8_t>(RadiotapBit::kExt)) {
      if (!NextWord()) done_ = true;
      continue;
    }
    // Straight to the next present field (or to the extension bit): a capture's radiotap
    // words are mostly zeros, and testing them bit by bit was the sniffer's largest cost.
    const uint32_t present =
        (word_ >> bit_ << bit_) & ~(1u << static_cast<uint8_t>(RadiotapBit::kExt));
    if (present == 0) {
      bit_ = static_cast<uint8_t>(RadiotapBit::kExt);
      continue;
    }
    bit_ = static_cast<uint8_t>(std::countr_zero(present));
    const uint8_t bit = bit_++;

    // Bits 29 and 30 mean the same in every namespace and take effect from the next word.
    if (bit == static_cast<uint8_t>(RadiotapBit::kRadiotapNamespace)) {
      in_vendor_ = false;
      namespace_reset_ = true;
      continue;
    }
    if (bit == static_cast<uint8_t>(RadiotapBit::kVendorNamespace)) {
      pos_ = AlignUp(pos_, 2);
      if (!InBounds(header_size_, pos_, kVendorNamespaceSize)) return Fail(Status::OutOfRange());
      const uint32_t oui = uint32_t{load_u8(packet_, pos_)} << 16 |
                           uint32_t{load_u8(packet_, pos_ + 1)} << 8 | load_u8(packet_, pos_ + 2);
      const uint8_t sub_namespace = load_u8(packet_, pos_ + 3);
      const size_t skip = load_le16(packet_, pos_ + 4);
      pos_ += kVendorNamespaceSize;
      if (!InBounds(header_size_, pos_, skip)) return Fail(Status::OutOfRange());
      item_ = {RadiotapBit::kVendorNamespace, packet_.subspan(pos_, skip), oui, sub_namespace};
      pos_ += skip;
      in_vendor_ = true;
      namespace_reset_ = true;
      return true;
    }
    // A vendor namespace's fields are inside the skip_length bytes passed over above.
    if (in_vendor_) continue;

    const uint32_t index = index_base_ + bit;
    if (index == static_cast<uint8_t>(RadiotapBit::kTlv)) {
      pos_ = AlignUp(pos_, kTlvAlign);
      if (pos_ > header_size_) return Fail(Status::OutOfRange());
      item_ = {RadiotapBit::kTlv, packet_.subspan(pos_, header_size_ - pos_)};
      done_ = true;  // the TLV list ends the header: no other field can follow it
      return true;
    }
    // Without its alignment and size nothing after this field can be found.
    if (index >= kLayout.size()) return Fail(Status::Unimplemented());
    const FieldLayout layout = kLayout[index];
    pos_ = AlignUp(pos_, layout.align);
    if (!InBounds(header_size_, pos_, layout.size)) return Fail(Status::OutOfRange());
    item_ = {static_cast<RadiotapBit>(index), packet_.subspan(pos_, layout.size)};
    pos_ += layout.size;
    return true;
  }
  return false;
}

Result<RadiotapView> RadiotapView::Parse(ByteSpan packet) {
  RadiotapIterator it(packet);
  RadiotapInfo info;
  while (it.Next()) Decode(it.item(), info);
  AIRLAB_TRY(it.status());
  return RadiotapView(packet, it.header_size(), info);
}

ByteSpan RadiotapView::payload_without_fcs() const {
  const ByteSpan frame = payload();
  if (!info_.fcs_at_end()) return frame;
  return frame.size() >= kFcsSize ? frame.first(frame.size() - kFcsSize) : ByteSpan();
}

void WriteRadiotap(ByteBuilder& out, const RadiotapInfo& info) {
  const size_t start = out.size();
  out.PutU8(0).PutU8(0).PutLe16(0).PutLe32(0);  // version, pad; it_len and present below
  uint32_t present = 0;
  std::array<std::byte, kLargestField> field{};
  for (uint8_t bit = 0; bit < kLayout.size(); ++bit) {
    const FieldLayout layout = kLayout[bit];
    const MutableByteSpan bytes = MutableByteSpan(field).first(layout.size);
    if (!Encode(static_cast<RadiotapBit>(bit), info, bytes)) continue;
    out.AlignTo(layout.align, start);
    out.Append(bytes);
    present |= 1u << bit;
  }
  if (!out.ok()) return;
  const MutableByteSpan header = out.writable_bytes().subspan(start);
  store_le16(header, 2, static_cast<uint16_t>(header.size()));
  store_le32(header, 4, present);
}

Result<uint16_t> ChannelToFrequencyMhz(uint8_t channel) {
  if (channel >= 1 && channel <= 13) return static_cast<uint16_t>(2407 + 5 * channel);
  if (channel == 14) return static_cast<uint16_t>(2484);
  if (channel >= 32 && channel <= 177) return static_cast<uint16_t>(5000 + 5 * channel);
  return Status::InvalidArgument();
}

Result<uint8_t> FrequencyMhzToChannel(uint16_t freq_mhz) {
  if (freq_mhz == 2484) return static_cast<uint8_t>(14);
  if (freq_mhz >= 2412 && freq_mhz <= 2472 && (freq_mhz - 2407) % 5 == 0) {
    return static_cast<uint8_t>((freq_mhz - 2407) / 5);
  }
  if (freq_mhz >= 5160 && freq_mhz <= 5885 && freq_mhz % 5 == 0) {
    return static_cast<uint8_t>((freq_mhz - 5000) / 5);
  }
  return Status::InvalidArgument();
}

uint16_t ChannelFlagsFor(uint16_t freq_mhz, RadiotapModulation modulation) {
  const uint16_t band = freq_mhz < 3000 ? RadiotapChannelFlags::k2Ghz : RadiotapChannelFlags::k5Ghz;
  const uint16_t kind = modulation == RadiotapModulation::kCck ? RadiotapChannelFlags::kCck
                                                               : RadiotapChannelFlags::kOfdm;
  return band | kind;
}

}  // namespace airlab::wire
