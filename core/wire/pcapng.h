#pragma once
// pcapng capture files (draft-ietf-opsawg-pcapng): a zero-copy reader of sections,
// interfaces and packets, and writers of the blocks airlab emits, into a ByteBuilder.
//
// A file is a run of blocks (type u32, total length u32, body padded to 4, total length
// again), in sections that each start with a Section Header Block giving the byte order.
// Interface ids count the Interface Description Blocks of their section from 0.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/result.h"
#include "core/wire/pcap.h"

namespace airlab::wire {

// Block types.
inline constexpr uint32_t kPcapngSectionHeader = 0x0a0d0d0a;
inline constexpr uint32_t kPcapngInterfaceDescription = 1;
inline constexpr uint32_t kPcapngPacket = 2;  // obsolete, still in old files
inline constexpr uint32_t kPcapngSimplePacket = 3;
inline constexpr uint32_t kPcapngEnhancedPacket = 6;
inline constexpr uint32_t kPcapngByteOrderMagic = 0x1a2b3c4d;

// Option codes: the ones every block shares, then per block type.
inline constexpr uint16_t kOptEndOfOpt = 0;
inline constexpr uint16_t kOptComment = 1;
inline constexpr uint16_t kShbUserAppl = 4;
inline constexpr uint16_t kIfName = 2;
inline constexpr uint16_t kIfDescription = 3;
inline constexpr uint16_t kIfTsresol = 9;
inline constexpr uint16_t kIfFcslen = 13;
inline constexpr uint16_t kIfTsoffset = 14;
inline constexpr uint16_t kEpbFlags = 2;
inline constexpr uint16_t kEpbDropcount = 4;

inline constexpr size_t kPcapngBlockOverhead = 12;  // type, length, trailing length

// One block's frame. `body` is what sits between the two lengths, padding included.
struct PcapngBlock {
  uint32_t type = 0;
  uint32_t total_length = 0;
  ByteSpan body;
};

// Frames the block at the start of `bytes`, read in `order`.
// kDataLoss: total length < 12 or not a multiple of 4, or the trailing length differs.
// kOutOfRange: `bytes` ends before the block does (truncated, or not all there yet).
Result<PcapngBlock> ParsePcapngBlock(ByteSpan bytes, ByteOrder order);

struct PcapngOption {
  uint16_t code = 0;
  ByteSpan value;  // without its padding
};

// Walks an option list in place.
class PcapngOptionIterator {
 public:
  PcapngOptionIterator(ByteSpan options, ByteOrder order) : rest_(options), order_(order) {}
  // The next option; kNotFound at opt_endofopt or the end of the list; kDataLoss when an
  // option's value runs past the list (the block). Errors repeat on later calls.
  Result<PcapngOption> Next();

 private:
  ByteSpan rest_;
  ByteOrder order_;
  Status done_;
};

// if_tsresol: bit 7 clear, the unit is 10^-n s; set, 2^-n s (n the low 7 bits).
inline constexpr uint8_t kTsresolMicroseconds = 6;
inline constexpr uint8_t kTsresolNanoseconds = 9;
// Timestamp units of resolution `tsresol` to ns since the epoch, and back.
// kUnimplemented: a resolution whose units per second do not fit 64 bits (10^20, 2^64).
// kOutOfRange: the time does not fit an int64 of ns / a u64 of units (or is negative).
Result<int64_t> PcapngUnitsToNs(uint8_t tsresol, uint64_t units);
Result<uint64_t> PcapngNsToUnits(uint8_t tsresol, int64_t ns);

// What an Interface Description Block says. The reader fills these (strings point into its
// bytes); the writer writes one.
struct PcapngInterface {
  uint16_t link_type = static_cast<uint16_t>(kLinkTypeIeee80211Radiotap);
  uint32_t snaplen = 0;                    // 0: no limit
  uint8_t tsresol = kTsresolMicroseconds;  // the format's default when the option is absent
  int64_t tsoffset_s = 0;                  // if_tsoffset: seconds added to every timestamp
  std::optional<uint8_t> fcs_len;          // if_fcslen in bytes, when the IDB says
  std::string_view name;
  std::string_view description;
};

// The Section Header Block that opened the current section.
struct PcapngSection {
  ByteOrder byte_order = ByteOrder::kLittle;
  uint16_t version_major = 1;
  uint16_t version_minor = 0;
  int64_t length = -1;  // bytes after the SHB up to the next section; -1: not given
  std::string_view user_appl;
};

// A packet from an Enhanced, Simple or (obsolete) Packet Block. The reader fills every
// field; WritePcapngPacket reads interface_id, ts_ns, data, origlen, comment, flags and
// dropcount. Spans and strings point into the reader's bytes.
struct PcapngPacket {
  uint32_t block_type = kPcapngEnhancedPacket;
  uint32_t interface_id = 0;     // within the section, as in the block
  uint32_t interface_index = 0;  // across the file, counting every IDB before it
  uint16_t link_type = 0;
  int64_t ts_ns = 0;  // 0 for a Simple Packet Block, which has no timestamp
  uint32_t caplen = 0;
  uint32_t origlen = 0;
  ByteSpan data;
  std::string_view comment;           // the first opt_comment, empty if none
  std::optional<uint32_t> flags;      // epb_flags
  std::optional<uint64_t> dropcount;  // epb_dropcount (a Packet Block's drops count)
  // FCS bytes at the end of data: epb_flags bits 5-8 when set, else the interface's
  // if_fcslen; unset when neither says.
  std::optional<uint8_t> fcs_len;
  ByteSpan options;  // the whole option list, for a PcapngOptionIterator
};

// Reads packets from a whole file in memory or a buffer that grows (Extend), keeping
// section and interface state and skipping blocks it does not use (name resolution,
// statistics, decryption secrets, custom, and types it does not know).
class PcapngReader {
 public:
  // Reads the Section Header Block at the start of `bytes`. `interfaces` is where the
  // reader keeps one section's interfaces; it must outlive the reader.
  // kOutOfRange: the SHB is not all there. kDataLoss: no SHB, a bad byte-order magic or a
  // bad block frame. kUnimplemented: major version other than 1.
  static Result<PcapngReader> Open(ByteSpan bytes, std::span<PcapngInterface> interfaces);

  // The next packet, or:
  // kOutOfRange: the next block is not all in the bytes yet (with a complete file: its
  //   clean end when at_end(), truncated or a lying block length otherwise).
  // kDataLoss: a block frame is broken (ParsePcapngBlock), a block is shorter than its
  //   fixed fields, an option runs past its block or a known option has the wrong size,
  //   caplen runs past the block or exceeds origlen (a Simple Packet Block: its block
  //   does not hold min(origlen, snaplen) bytes), a timestamp does not fit int64 ns.
  // kNotFound: a packet names an interface its section has not described.
  // kResourceExhausted: a section describes more interfaces than `interfaces` holds.
  // kUnimplemented: a new section's major version is not 1, or if_tsresol is too fine.
  // On an error nothing is consumed: offset() stays at the block that failed.
  Result<PcapngPacket> Next();

  // Continues over a longer view of the same buffer (same start, at least as long).
  void Extend(ByteSpan bytes);

  const PcapngSection& section() const { return section_; }
  // The interfaces described so far in the current section.
  std::span<const PcapngInterface> interfaces() const {
    return interfaces_.first(interface_count_);
  }
  size_t offset() const { return offset_; }
  bool at_end() const { return offset_ == bytes_.size(); }

 private:
  PcapngReader(ByteSpan bytes, std::span<PcapngInterface> interfaces)
      : bytes_(bytes), interfaces_(interfaces) {}
  Status ReadSectionHeader(ByteSpan rest);
  Status ReadInterface(ByteSpan body);
  Result<PcapngPacket> ReadPacket(const PcapngBlock& block) const;

  ByteSpan bytes_;
  std::span<PcapngInterface> interfaces_;
  size_t interface_count_ = 0;
  uint32_t interface_base_ = 0;  // interfaces in the sections before this one
  PcapngSection section_;
  size_t offset_ = 0;
};

// Appends a Section Header Block: version 1.0, section length -1 (unknown, so the file can
// be streamed), shb_userappl when `user_appl` is not empty.
// kInvalidArgument: user_appl longer than an option can hold (65535 bytes).
Status WritePcapngSectionHeader(ByteBuilder& out, ByteOrder order, std::string_view user_appl);

// Appends an Interface Description Block with if_name and if_description when not empty,
// if_tsresol when not the default 6, if_tsoffset when not 0, if_fcslen when set.
// kInvalidArgument: a string too long for an option, or a tsresol PcapngNsToUnits rejects.
Status WritePcapngInterface(ByteBuilder& out, ByteOrder order, const PcapngInterface& iface);

// Appends an Enhanced Packet Block for `iface` (the IDB numbered packet.interface_id):
// the timestamp in iface.tsresol units, data cut to iface.snaplen, origlen the larger of
// packet.origlen and data.size(), then opt_comment, epb_flags and epb_dropcount when set.
// kInvalidArgument: a timestamp the resolution cannot carry, a comment over 65535 bytes.
// On kResourceExhausted (the builder's sticky status) `out` holds part of the block:
// discard it.
Status WritePcapngPacket(ByteBuilder& out, ByteOrder order, const PcapngInterface& iface,
                         const PcapngPacket& packet);

}  // namespace airlab::wire
