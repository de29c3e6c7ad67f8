#pragma once
// Classic pcap capture files (draft-ietf-opsawg-pcap; libpcap's savefile format): a reader
// over bytes in memory and a writer into a ByteBuilder. The caller moves the bytes to and
// from files, fifos or serial links; nothing here touches an OS.

#include <cstdint>

#include "core/base/bytes.h"
#include "core/base/result.h"

namespace airlab::wire {

// Link types (tcpdump.org/linktypes.html) airlab writes; any other value passes through.
inline constexpr uint32_t kLinkTypeIeee80211 = 105;          // 802.11 MPDU, no radio header
inline constexpr uint32_t kLinkTypeIeee80211Radiotap = 127;  // radiotap header + 802.11

// Capture files are written in the writer's byte order and say which one in their magic.
enum class ByteOrder : uint8_t { kLittle, kBig };

constexpr uint16_t LoadU16(ByteOrder order, ByteSpan b, size_t o) {
  return order == ByteOrder::kBig ? load_be16(b, o) : load_le16(b, o);
}
constexpr uint32_t LoadU32(ByteOrder order, ByteSpan b, size_t o) {
  return order == ByteOrder::kBig ? load_be32(b, o) : load_le32(b, o);
}
constexpr uint64_t LoadU64(ByteOrder order, ByteSpan b, size_t o) {
  return order == ByteOrder::kBig ? load_be64(b, o) : load_le64(b, o);
}
void PutU16(ByteBuilder& out, ByteOrder order, uint16_t v);
void PutU32(ByteBuilder& out, ByteOrder order, uint32_t v);
// As two u32 in `order`: capture files align 64-bit values to 4 bytes only.
void PutU64(ByteBuilder& out, ByteOrder order, uint64_t v);

inline constexpr size_t kPcapHeaderSize = 24;
inline constexpr size_t kPcapRecordHeaderSize = 16;
inline constexpr uint32_t kPcapMagicMicroseconds = 0xa1b2c3d4;
inline constexpr uint32_t kPcapMagicNanoseconds = 0xa1b23c4d;

// The 24-byte file header. The writer writes version 2.4 whatever version_* hold.
struct PcapHeader {
  ByteOrder byte_order = ByteOrder::kLittle;
  bool nanosecond = true;  // magic a1b23c4d; false: a1b2c3d4, microsecond timestamps
  uint16_t version_major = 2;
  uint16_t version_minor = 4;
  // Longest caplen a record may have. The reader takes 0 (some writers leave it unset) as
  // no limit; writers should not write 0.
  uint32_t snaplen = 262144;
  // The whole 32-bit field as stored. The draft puts FCS hints in bits 28-31; link types in
  // use fit in 16 bits, so reading it whole keeps a file's value, whatever it is.
  uint32_t link_type = kLinkTypeIeee80211Radiotap;
};

// One record. `data` points into the reader's bytes and lives as long as they do.
struct PcapRecord {
  int64_t ts_ns = 0;  // since the Unix epoch
  uint32_t caplen = 0;
  uint32_t origlen = 0;
  ByteSpan data;
};

// Reads records one by one from a whole file in memory or from a buffer that grows as
// bytes arrive (Extend). Nothing is copied.
class PcapReader {
 public:
  // Reads the file header at the start of `bytes`.
  // kOutOfRange: fewer than 24 bytes (a growing buffer: try again with more).
  // kDataLoss: the magic is not a pcap magic in either byte order.
  // kUnimplemented: a major version other than 2.
  static Result<PcapReader> Open(ByteSpan bytes);

  // The next record, or:
  // kOutOfRange: the bytes after offset() do not hold a whole record yet. With a complete
  //   file that is its clean end when at_end(), a truncated last record otherwise.
  // kDataLoss: the record header is corrupt (caplen > snaplen, or origlen < caplen).
  // On an error nothing is consumed: offset() stays at the record that failed.
  Result<PcapRecord> Next();

  // Continues over a longer view of the same buffer: `bytes` starts where the view given
  // before started (bytes already read do not move) and holds at least as many bytes.
  void Extend(ByteSpan bytes);

  const PcapHeader& header() const { return header_; }
  // Where the next record starts, counted from the start of the file.
  size_t offset() const { return offset_; }
  bool at_end() const { return offset_ == bytes_.size(); }

 private:
  PcapReader(ByteSpan bytes, const PcapHeader& header)
      : bytes_(bytes), header_(header), offset_(kPcapHeaderSize) {}

  ByteSpan bytes_;
  PcapHeader header_;
  size_t offset_;
};

// Appends the 24-byte file header (version 2.4, zone and sigfigs 0).
void WritePcapHeader(ByteBuilder& out, const PcapHeader& header);

// Appends one record: `data` cut to the header's snaplen, origlen the larger of `origlen`
// and data.size(), the timestamp in the header's resolution (truncated to microseconds
// when header.nanosecond is false).
// kInvalidArgument: ts_ns is before 1970 or past the 32-bit seconds of 2106.
// kResourceExhausted (the builder's sticky status): the record did not fit; nothing of it
// was written.
Status WritePcapRecord(ByteBuilder& out, const PcapHeader& header, int64_t ts_ns, ByteSpan data,
                       uint32_t origlen = 0);

}  // namespace airlab::wire
