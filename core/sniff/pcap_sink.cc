#include "core/sniff/pcap_sink.h"

#include "core/wire/pcap.h"

namespace airlab::sniff {
namespace {

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

Status PcapSink::Write(const Packet& packet, const FrameRecord&) {
  if (!started_) return Status::FailedPrecondition();
  ByteSpan data = packet.data;
  uint32_t origlen = packet.origlen;
  if (packet.link_type == wire::kLinkTypeIeee80211) {
    // The radiotap header goes in front; the record is built from both below.
    if (origlen != 0) origlen += sizeof kEmptyRadiotap;
  } else if (packet.link_type != wire::kLinkTypeIeee80211Radiotap) {
    return Status::InvalidArgument();
  }
  const size_t half = scratch_.size() / 2;
  ByteBuilder record(scratch_.first(half));
  if (packet.link_type == wire::kLinkTypeIeee80211) {
    ByteBuilder data_at(scratch_.subspan(half));
    data_at.Append(kEmptyRadiotap);
    data_at.Append(packet.data);
    AIRLAB_TRY(data_at.status());
    data = data_at.bytes();
  }
  AIRLAB_TRY(wire::WritePcapRecord(record, Header(), packet.ts_ns, data, origlen));
  AIRLAB_TRY(record.status());
  return out_.Write(record.bytes());
}

}  // namespace airlab::sniff
