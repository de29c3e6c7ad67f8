#include "core/wire/pcap.h"

#include "core/base/assert.h"

namespace airlab::wire {
namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;
constexpr int64_t kNsPerMicrosecond = 1'000;

}  // namespace

void PutU16(ByteBuilder& out, ByteOrder order, uint16_t v) {
  order == ByteOrder::kBig ? out.PutBe16(v) : out.PutLe16(v);
}

void PutU32(ByteBuilder& out, ByteOrder order, uint32_t v) {
  order == ByteOrder::kBig ? out.PutBe32(v) : out.PutLe32(v);
}

void PutU64(ByteBuilder& out, ByteOrder order, uint64_t v) {
  const auto high = static_cast<uint32_t>(v >> 32);
  const auto low = static_cast<uint32_t>(v);
  PutU32(out, order, order == ByteOrder::kBig ? high : low);
  PutU32(out, order, order == ByteOrder::kBig ? low : high);
}

Result<PcapReader> PcapReader::Open(ByteSpan bytes) {
  if (bytes.size() < kPcapHeaderSize) return Status::OutOfRange();
  PcapHeader header;
  // The writer wrote the magic in its own byte order: whichever reading gives a known magic
  // names the order of the whole file.
  const uint32_t le_magic = load_le32(bytes, 0);
  const uint32_t be_magic = load_be32(bytes, 0);
  if (le_magic == kPcapMagicMicroseconds || le_magic == kPcapMagicNanoseconds) {
    header.byte_order = ByteOrder::kLittle;
    header.nanosecond = le_magic == kPcapMagicNanoseconds;
  } else if (be_magic == kPcapMagicMicroseconds || be_magic == kPcapMagicNanoseconds) {
    header.byte_order = ByteOrder::kBig;
    header.nanosecond = be_magic == kPcapMagicNanoseconds;
  } else {
    return Status::DataLoss();
  }
  const ByteOrder order = header.byte_order;
  header.version_major = LoadU16(order, bytes, 4);
  header.version_minor = LoadU16(order, bytes, 6);
  if (header.version_major != 2) return Status::Unimplemented();
  // Bytes 8-15 (time zone, sigfigs) are zero in practice and unused by every reader.
  header.snaplen = LoadU32(order, bytes, 16);
  header.link_type = LoadU32(order, bytes, 20);
  return PcapReader(bytes, header);
}

Result<PcapRecord> PcapReader::Next() {
  const ByteSpan rest = bytes_.subspan(offset_);
  if (rest.size() < kPcapRecordHeaderSize) return Status::OutOfRange();
  const ByteOrder order = header_.byte_order;
  const uint32_t ts_sec = LoadU32(order, rest, 0);
  const uint32_t ts_frac = LoadU32(order, rest, 4);
  PcapRecord record;
  record.caplen = LoadU32(order, rest, 8);
  record.origlen = LoadU32(order, rest, 12);
  // Checked before waiting for the data, so a lying caplen is named as corrupt instead of
  // looking like a record whose bytes have not arrived yet.
  if (header_.snaplen != 0 && record.caplen > header_.snaplen) return Status::DataLoss();
  if (record.origlen < record.caplen) return Status::DataLoss();
  if (!InBounds(rest.size(), kPcapRecordHeaderSize, record.caplen)) return Status::OutOfRange();
  record.data = rest.subspan(kPcapRecordHeaderSize, record.caplen);
  // u32 seconds times 1e9 plus a u32 fraction stays below 2^63: no overflow.
  record.ts_ns = int64_t{ts_sec} * kNsPerSecond +
                 int64_t{ts_frac} * (header_.nanosecond ? 1 : kNsPerMicrosecond);
  offset_ += kPcapRecordHeaderSize + record.caplen;
  return record;
}

void PcapReader::Extend(ByteSpan bytes) {
  AIRLAB_ASSERT(bytes.data() == bytes_.data() && bytes.size() >= bytes_.size());
  bytes_ = bytes;
}

void WritePcapHeader(ByteBuilder& out, const PcapHeader& header) {
  const ByteOrder order = header.byte_order;
  PutU32(out, order, header.nanosecond ? kPcapMagicNanoseconds : kPcapMagicMicroseconds);
  PutU16(out, order, 2);
  PutU16(out, order, 4);
  PutU32(out, order, 0);  // time zone: always GMT
  PutU32(out, order, 0);  // sigfigs
  PutU32(out, order, header.snaplen);
  PutU32(out, order, header.link_type);
}

Status WritePcapRecord(ByteBuilder& out, const PcapHeader& header, int64_t ts_ns, ByteSpan data,
                       uint32_t origlen) {
  if (ts_ns < 0 || ts_ns / kNsPerSecond > int64_t{UINT32_MAX}) return Status::InvalidArgument();
  if (data.size() > origlen) origlen = static_cast<uint32_t>(data.size());
  if (header.snaplen != 0 && data.size() > header.snaplen) data = data.first(header.snaplen);
  // Reserved whole so a record that does not fit leaves nothing half-written.
  ByteBuilder record(out.Reserve(kPcapRecordHeaderSize + data.size()));
  if (!out.ok()) return out.status();
  const ByteOrder order = header.byte_order;
  PutU32(record, order, static_cast<uint32_t>(ts_ns / kNsPerSecond));
  PutU32(
      record, order,
      static_cast<uint32_t>((ts_ns % kNsPerSecond) / (header.nanosecond ? 1 : kNsPerMicrosecond)));
  PutU32(record, order, static_cast<uint32_t>(data.size()));
  PutU32(record, order, origlen);
  record.Append(data);
  return record.status();
}

}  // namespace airlab::wire
