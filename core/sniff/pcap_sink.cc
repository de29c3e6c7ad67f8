#include "core/sniff/pcap_sink.h"

#include <cstring>

#include "core/wire/pcap.h"

namespace airlab::sniff {
namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;

wire::PcapHeader Header() {
  wire::PcapHeader header;
  header.link_type = wire::kLinkTypeIeee80211Radiotap;
  return header;
}

// Radiotap version 0, 8 bytes long, no fields present.
constexpr std::byte kEmptyRadiotap[8] = {std::byte{0}, std::byte{0}, std::byte{8}};

}  // namespace

PcapSink::PcapSink(ByteSink& out, MutableByteSpan scratch) : out_(out), scratch_(scratch) {}

Status PcapSink::Start() {
  ByteBuilder header(scratch_);
  wire::WritePcapHeader(header, Header());
  AIRLAB_TRY(header.status());
  AIRLAB_TRY(out_.Write(header.bytes()));
  started_ = true;
  return Status::Ok();
}

// The record is what wire::WritePcapRecord writes for Header() (little endian, nanoseconds),
// written here field by field straight into the ByteSink's buffer when it lends one: at a
// million frames a second, building it through the generic writer and copying it in cost
// as much as the rest of the output path (sink_test.cc checks the bytes are the same).
Status PcapSink::Write(const Packet& packet, const FrameRecord&) {
  if (!started_) return Status::FailedPrecondition();
  // A bare 802.11 frame gets the empty radiotap header in front.
  const bool bare = packet.link_type == wire::kLinkTypeIeee80211;
  if (!bare && packet.link_type != wire::kLinkTypeIeee80211Radiotap) {
    return Status::InvalidArgument();
  }
  const size_t prefix = bare ? sizeof kEmptyRadiotap : 0;
  const size_t caplen = prefix + packet.data.size();
  const size_t size = wire::kPcapRecordHeaderSize + caplen;
  if (size > scratch_.size()) return Status::ResourceExhausted();
  if (packet.ts_ns < 0 || packet.ts_ns / kNsPerSecond > int64_t{UINT32_MAX}) {
    return Status::InvalidArgument();
  }
  uint32_t origlen = packet.origlen != 0 ? packet.origlen + static_cast<uint32_t>(prefix) : 0;
  if (origlen < caplen) origlen = static_cast<uint32_t>(caplen);

  const MutableByteSpan room = out_.Reserve(size);
  const MutableByteSpan record = room.empty() ? scratch_.first(size) : room;
  store_le32(record, 0, static_cast<uint32_t>(packet.ts_ns / kNsPerSecond));
  store_le32(record, 4, static_cast<uint32_t>(packet.ts_ns % kNsPerSecond));
  store_le32(record, 8, static_cast<uint32_t>(caplen));
  store_le32(record, 12, origlen);
  std::byte* data = record.data() + wire::kPcapRecordHeaderSize;
  if (bare) std::memcpy(data, kEmptyRadiotap, prefix);
  if (!packet.data.empty()) std::memcpy(data + prefix, packet.data.data(), packet.data.size());
  return room.empty() ? out_.Write(record) : out_.Commit(size);
}

}  // namespace airlab::sniff
