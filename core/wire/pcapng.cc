#include "core/wire/pcapng.h"

#include <cstdint>

#include "core/base/assert.h"

namespace airlab::wire {
namespace {

constexpr uint64_t kNsPerSecond = 1'000'000'000;
constexpr uint16_t kMaxOptionLength = 0xffff;
constexpr size_t kShbFixedSize = 16;  // byte-order magic, versions, section length
constexpr size_t kIdbFixedSize = 8;   // link type, reserved, snaplen
constexpr size_t kEpbFixedSize = 20;  // interface id, timestamp high and low, caplen, origlen
constexpr size_t kSpbFixedSize = 4;   // origlen

constexpr uint64_t Pow10(unsigned n) {
  uint64_t v = 1;
  while (n-- > 0) v *= 10;
  return v;
}

constexpr bool IsPowerOfTwo(uint8_t tsresol) { return (tsresol & 0x80) != 0; }
constexpr unsigned Exponent(uint8_t tsresol) { return tsresol & 0x7f; }
// Units per second must fit a u64: 10^19 and 2^63 are the largest.
constexpr bool TsresolSupported(uint8_t tsresol) {
  return Exponent(tsresol) <= (IsPowerOfTwo(tsresol) ? 63u : 19u);
}

constexpr size_t PaddedTo4(size_t n) { return (n + 3) & ~size_t{3}; }

std::string_view AsText(ByteSpan value) {
  return {reinterpret_cast<const char*>(value.data()), value.size()};
}
ByteSpan TextBytes(std::string_view text) { return AsBytes(text.data(), text.size()); }

// Runs `on_option` over each option of a list; stops at the first error of either.
template <typename F>
Status ForEachOption(ByteSpan options, ByteOrder order, F&& on_option) {
  PcapngOptionIterator it(options, order);
  while (true) {
    Result<PcapngOption> option = it.Next();
    if (option.status() == Status::NotFound()) return Status::Ok();
    AIRLAB_TRY(option);
    AIRLAB_TRY(on_option(*option));
  }
}

// Appends one block: the header goes out on construction, Finish() closes the option list,
// pads, writes the trailing length and patches the leading one.
class BlockWriter {
 public:
  BlockWriter(ByteBuilder& out, ByteOrder order, uint32_t type)
      : out_(out), order_(order), start_(out.size()) {
    PutU32(out_, order_, type);
    PutU32(out_, order_, 0);  // total length, patched by Finish()
  }
  ByteBuilder& body() { return out_; }
  // Pads the body to 4 bytes from the block's start (the builder may hold bytes before it).
  void Pad() { out_.AlignTo(4, start_); }
  // The caller has checked value.size() <= kMaxOptionLength.
  void Option(uint16_t code, ByteSpan value) {
    PutU16(out_, order_, code);
    PutU16(out_, order_, static_cast<uint16_t>(value.size()));
    out_.Append(value);
    Pad();
    has_options_ = true;
  }
  Status Finish() {
    if (has_options_) Option(kOptEndOfOpt, {});
    Pad();
    const auto total = static_cast<uint32_t>(out_.size() - start_ + 4);
    PutU32(out_, order_, total);
    if (!out_.ok()) return out_.status();
    const MutableByteSpan written = out_.writable_bytes();
    order_ == ByteOrder::kBig ? store_be32(written, start_ + 4, total)
                              : store_le32(written, start_ + 4, total);
    return Status::Ok();
  }

 private:
  ByteBuilder& out_;
  ByteOrder order_;
  size_t start_;
  bool has_options_ = false;
};

}  // namespace

Result<PcapngBlock> ParsePcapngBlock(ByteSpan bytes, ByteOrder order) {
  if (bytes.size() < 8) return Status::OutOfRange();
  PcapngBlock block;
  block.type = LoadU32(order, bytes, 0);
  block.total_length = LoadU32(order, bytes, 4);
  if (block.total_length < kPcapngBlockOverhead || block.total_length % 4 != 0) {
    return Status::DataLoss();
  }
  if (bytes.size() < block.total_length) return Status::OutOfRange();
  if (LoadU32(order, bytes, block.total_length - 4) != block.total_length) {
    return Status::DataLoss();
  }
  block.body = bytes.subspan(8, block.total_length - kPcapngBlockOverhead);
  return block;
}

Result<PcapngOption> PcapngOptionIterator::Next() {
  if (!done_.ok()) return done_;
  if (rest_.size() < 4) {
    done_ = Status::NotFound();
    return done_;
  }
  PcapngOption option;
  option.code = LoadU16(order_, rest_, 0);
  const uint16_t length = LoadU16(order_, rest_, 2);
  if (option.code == kOptEndOfOpt) {
    done_ = Status::NotFound();
    return done_;
  }
  if (!InBounds(rest_.size(), 4, length)) {
    done_ = Status::DataLoss();
    return done_;
  }
  option.value = rest_.subspan(4, length);
  const size_t step = 4 + PaddedTo4(length);
  rest_ = rest_.subspan(step < rest_.size() ? step : rest_.size());
  return option;
}

Result<int64_t> PcapngUnitsToNs(uint8_t tsresol, uint64_t units) {
  if (!TsresolSupported(tsresol)) return Status::Unimplemented();
  const unsigned n = Exponent(tsresol);
  uint64_t ns = 0;
  if (!IsPowerOfTwo(tsresol)) {
    if (n <= 9) {
      if (__builtin_mul_overflow(units, Pow10(9 - n), &ns)) return Status::OutOfRange();
    } else {
      ns = units / Pow10(n - 9);
    }
  } else {
    const uint64_t seconds = units >> n;
    const uint64_t fraction = units & ((uint64_t{1} << n) - 1);
    // fraction * 1e9 fits 64 bits while fraction < 2^34; finer units lose bits below 1 ns.
    const uint64_t fraction_ns =
        n <= 34 ? (fraction * kNsPerSecond) >> n : ((fraction >> (n - 34)) * kNsPerSecond) >> 34;
    if (__builtin_mul_overflow(seconds, kNsPerSecond, &ns) ||
        __builtin_add_overflow(ns, fraction_ns, &ns)) {
      return Status::OutOfRange();
    }
  }
  if (ns > uint64_t{INT64_MAX}) return Status::OutOfRange();
  return static_cast<int64_t>(ns);
}

Result<uint64_t> PcapngNsToUnits(uint8_t tsresol, int64_t ns) {
  if (!TsresolSupported(tsresol)) return Status::Unimplemented();
  if (ns < 0) return Status::OutOfRange();
  const unsigned n = Exponent(tsresol);
  const auto value = static_cast<uint64_t>(ns);
  uint64_t units = 0;
  if (!IsPowerOfTwo(tsresol)) {
    if (n <= 9) {
      units = value / Pow10(9 - n);
    } else if (__builtin_mul_overflow(value, Pow10(n - 9), &units)) {
      return Status::OutOfRange();
    }
  } else {
    const uint64_t seconds = value / kNsPerSecond;
    const uint64_t fraction_ns = value % kNsPerSecond;  // < 2^30
    if (n != 0 && seconds > (UINT64_MAX >> n)) return Status::OutOfRange();
    const uint64_t fraction = n <= 34 ? (fraction_ns << n) / kNsPerSecond
                                      : ((fraction_ns << 34) / kNsPerSecond) << (n - 34);
    units = (seconds << n) + fraction;  // fraction < 2^n: cannot carry out
  }
  return units;
}

Result<PcapngReader> PcapngReader::Open(ByteSpan bytes, std::span<PcapngInterface> interfaces) {
  if (bytes.size() < 4) return Status::OutOfRange();
  if (load_le32(bytes, 0) != kPcapngSectionHeader) return Status::DataLoss();
  PcapngReader reader(bytes, interfaces);
  AIRLAB_TRY(reader.ReadSectionHeader(bytes));
  return reader;
}

Status PcapngReader::ReadSectionHeader(ByteSpan rest) {
  // The SHB's own length is in the byte order its magic (at byte 8) announces.
  if (rest.size() < 12) return Status::OutOfRange();
  PcapngSection section;
  if (load_le32(rest, 8) == kPcapngByteOrderMagic) {
    section.byte_order = ByteOrder::kLittle;
  } else if (load_be32(rest, 8) == kPcapngByteOrderMagic) {
    section.byte_order = ByteOrder::kBig;
  } else {
    return Status::DataLoss();
  }
  const ByteOrder order = section.byte_order;
  AIRLAB_TRY_ASSIGN(const PcapngBlock block, ParsePcapngBlock(rest, order));
  if (block.body.size() < kShbFixedSize) return Status::DataLoss();
  section.version_major = LoadU16(order, block.body, 4);
  section.version_minor = LoadU16(order, block.body, 6);
  section.length = static_cast<int64_t>(LoadU64(order, block.body, 8));
  if (section.version_major != 1) return Status::Unimplemented();
  AIRLAB_TRY(ForEachOption(block.body.subspan(kShbFixedSize), order, [&](PcapngOption o) {
    if (o.code == kShbUserAppl) section.user_appl = AsText(o.value);
    return Status::Ok();
  }));
  section_ = section;
  interface_base_ += static_cast<uint32_t>(interface_count_);
  interface_count_ = 0;
  offset_ += block.total_length;
  return Status::Ok();
}

Status PcapngReader::ReadInterface(ByteSpan body) {
  const ByteOrder order = section_.byte_order;
  if (body.size() < kIdbFixedSize) return Status::DataLoss();
  PcapngInterface iface;
  iface.link_type = LoadU16(order, body, 0);
  iface.snaplen = LoadU32(order, body, 4);
  AIRLAB_TRY(ForEachOption(body.subspan(kIdbFixedSize), order, [&](PcapngOption o) -> Status {
    switch (o.code) {
      case kIfName: iface.name = AsText(o.value); break;
      case kIfDescription: iface.description = AsText(o.value); break;
      case kIfTsresol:
        if (o.value.size() != 1) return Status::DataLoss();
        iface.tsresol = load_u8(o.value, 0);
        if (!TsresolSupported(iface.tsresol)) return Status::Unimplemented();
        break;
      case kIfFcslen:
        if (o.value.size() != 1) return Status::DataLoss();
        iface.fcs_len = load_u8(o.value, 0);
        break;
      case kIfTsoffset:
        if (o.value.size() != 8) return Status::DataLoss();
        iface.tsoffset_s = static_cast<int64_t>(LoadU64(order, o.value, 0));
        break;
      default: break;
    }
    return Status::Ok();
  }));
  if (interface_count_ == interfaces_.size()) return Status::ResourceExhausted();
  interfaces_[interface_count_++] = iface;
  return Status::Ok();
}

Result<PcapngPacket> PcapngReader::ReadPacket(const PcapngBlock& block) const {
  const ByteOrder order = section_.byte_order;
  const ByteSpan body = block.body;
  PcapngPacket packet;
  packet.block_type = block.type;
  uint64_t units = 0;
  if (block.type == kPcapngSimplePacket) {
    if (body.size() < kSpbFixedSize) return Status::DataLoss();
    packet.origlen = LoadU32(order, body, 0);
  } else {
    if (body.size() < kEpbFixedSize) return Status::DataLoss();
    if (block.type == kPcapngPacket) {
      packet.interface_id = LoadU16(order, body, 0);
      packet.dropcount = LoadU16(order, body, 2);
    } else {
      packet.interface_id = LoadU32(order, body, 0);
    }
    units = (uint64_t{LoadU32(order, body, 4)} << 32) | LoadU32(order, body, 8);
    packet.caplen = LoadU32(order, body, 12);
    packet.origlen = LoadU32(order, body, 16);
  }
  if (packet.interface_id >= interface_count_) return Status::NotFound();
  const PcapngInterface& iface = interfaces_[packet.interface_id];
  packet.interface_index = interface_base_ + packet.interface_id;
  packet.link_type = iface.link_type;
  packet.fcs_len = iface.fcs_len;

  if (block.type == kPcapngSimplePacket) {
    // An SPB's captured length is implied: the packet cut to the snaplen, which the block
    // must hold.
    packet.caplen = packet.origlen;
    if (iface.snaplen != 0 && iface.snaplen < packet.caplen) packet.caplen = iface.snaplen;
    if (!InBounds(body.size(), kSpbFixedSize, packet.caplen)) return Status::DataLoss();
    packet.data = body.subspan(kSpbFixedSize, packet.caplen);
    return packet;
  }

  if (!InBounds(body.size(), kEpbFixedSize, packet.caplen)) return Status::DataLoss();
  if (packet.origlen < packet.caplen) return Status::DataLoss();
  packet.data = body.subspan(kEpbFixedSize, packet.caplen);
  // The block is 4-aligned, so the padded data ends inside it too.
  packet.options = body.subspan(kEpbFixedSize + PaddedTo4(packet.caplen));

  Result<int64_t> ns = PcapngUnitsToNs(iface.tsresol, units);
  int64_t offset_ns = 0;
  if (!ns.ok() || __builtin_mul_overflow(iface.tsoffset_s, int64_t{kNsPerSecond}, &offset_ns) ||
      __builtin_add_overflow(*ns, offset_ns, &packet.ts_ns)) {
    return Status::DataLoss();  // not kOutOfRange: that means "more bytes needed" here
  }

  AIRLAB_TRY(ForEachOption(packet.options, order, [&](PcapngOption o) -> Status {
    switch (o.code) {
      case kOptComment:
        if (packet.comment.empty()) packet.comment = AsText(o.value);
        break;
      case kEpbFlags:
        if (o.value.size() != 4) return Status::DataLoss();
        packet.flags = LoadU32(order, o.value, 0);
        break;
      case kEpbDropcount:
        if (o.value.size() != 8) return Status::DataLoss();
        packet.dropcount = LoadU64(order, o.value, 0);
        break;
      default: break;
    }
    return Status::Ok();
  }));
  // epb_flags bits 5-8: FCS length in bytes, 0 when the flags do not say.
  if (packet.flags && ((*packet.flags >> 5) & 0xf) != 0) {
    packet.fcs_len = static_cast<uint8_t>((*packet.flags >> 5) & 0xf);
  }
  return packet;
}

Result<PcapngPacket> PcapngReader::Next() {
  while (true) {
    const ByteSpan rest = bytes_.subspan(offset_);
    if (rest.size() < 8) return Status::OutOfRange();
    // The SHB type reads the same in both byte orders.
    if (load_le32(rest, 0) == kPcapngSectionHeader) {
      AIRLAB_TRY(ReadSectionHeader(rest));
      continue;
    }
    AIRLAB_TRY_ASSIGN(const PcapngBlock block, ParsePcapngBlock(rest, section_.byte_order));
    switch (block.type) {
      case kPcapngInterfaceDescription: AIRLAB_TRY(ReadInterface(block.body)); break;
      case kPcapngEnhancedPacket:
      case kPcapngSimplePacket:
      case kPcapngPacket: {
        Result<PcapngPacket> packet = ReadPacket(block);
        if (packet.ok()) offset_ += block.total_length;
        return packet;
      }
      default: break;  // name resolution, statistics, secrets, custom and unknown blocks
    }
    offset_ += block.total_length;
  }
}

void PcapngReader::Extend(ByteSpan bytes) {
  AIRLAB_ASSERT(bytes.data() == bytes_.data() && bytes.size() >= bytes_.size());
  bytes_ = bytes;
}

Status WritePcapngSectionHeader(ByteBuilder& out, ByteOrder order, std::string_view user_appl) {
  if (user_appl.size() > kMaxOptionLength) return Status::InvalidArgument();
  BlockWriter block(out, order, kPcapngSectionHeader);
  PutU32(block.body(), order, kPcapngByteOrderMagic);
  PutU16(block.body(), order, 1);
  PutU16(block.body(), order, 0);
  PutU64(block.body(), order, UINT64_MAX);  // section length -1: not known while streaming
  if (!user_appl.empty()) block.Option(kShbUserAppl, TextBytes(user_appl));
  return block.Finish();
}

Status WritePcapngInterface(ByteBuilder& out, ByteOrder order, const PcapngInterface& iface) {
  if (iface.name.size() > kMaxOptionLength || iface.description.size() > kMaxOptionLength ||
      !TsresolSupported(iface.tsresol)) {
    return Status::InvalidArgument();
  }
  BlockWriter block(out, order, kPcapngInterfaceDescription);
  PutU16(block.body(), order, iface.link_type);
  PutU16(block.body(), order, 0);
  PutU32(block.body(), order, iface.snaplen);
  if (!iface.name.empty()) block.Option(kIfName, TextBytes(iface.name));
  if (!iface.description.empty()) block.Option(kIfDescription, TextBytes(iface.description));
  FrameBuffer<8> value;
  if (iface.tsresol != kTsresolMicroseconds) {
    value.PutU8(iface.tsresol);
    block.Option(kIfTsresol, value.bytes());
  }
  if (iface.tsoffset_s != 0) {
    value.Truncate(0);
    PutU64(value, order, static_cast<uint64_t>(iface.tsoffset_s));
    block.Option(kIfTsoffset, value.bytes());
  }
  if (iface.fcs_len) {
    value.Truncate(0);
    value.PutU8(*iface.fcs_len);
    block.Option(kIfFcslen, value.bytes());
  }
  return block.Finish();
}

Status WritePcapngPacket(ByteBuilder& out, ByteOrder order, const PcapngInterface& iface,
                         const PcapngPacket& packet) {
  if (packet.comment.size() > kMaxOptionLength) return Status::InvalidArgument();
  int64_t offset_ns = 0;
  int64_t since_offset_ns = 0;
  if (__builtin_mul_overflow(iface.tsoffset_s, int64_t{kNsPerSecond}, &offset_ns) ||
      __builtin_sub_overflow(packet.ts_ns, offset_ns, &since_offset_ns)) {
    return Status::InvalidArgument();
  }
  const Result<uint64_t> units = PcapngNsToUnits(iface.tsresol, since_offset_ns);
  if (!units.ok()) return Status::InvalidArgument();

  ByteSpan data = packet.data;
  const uint32_t origlen =
      packet.origlen > data.size() ? packet.origlen : static_cast<uint32_t>(data.size());
  if (iface.snaplen != 0 && data.size() > iface.snaplen) data = data.first(iface.snaplen);

  BlockWriter block(out, order, kPcapngEnhancedPacket);
  ByteBuilder& body = block.body();
  PutU32(body, order, packet.interface_id);
  PutU32(body, order, static_cast<uint32_t>(*units >> 32));
  PutU32(body, order, static_cast<uint32_t>(*units));
  PutU32(body, order, static_cast<uint32_t>(data.size()));
  PutU32(body, order, origlen);
  body.Append(data);
  block.Pad();
  if (!packet.comment.empty()) block.Option(kOptComment, TextBytes(packet.comment));
  FrameBuffer<8> value;
  if (packet.flags) {
    PutU32(value, order, *packet.flags);
    block.Option(kEpbFlags, value.bytes());
  }
  if (packet.dropcount) {
    value.Truncate(0);
    PutU64(value, order, *packet.dropcount);
    block.Option(kEpbDropcount, value.bytes());
  }
  return block.Finish();
}

}  // namespace airlab::wire
