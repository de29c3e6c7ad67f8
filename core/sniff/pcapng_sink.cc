#include "core/sniff/pcapng_sink.h"

#include <array>
#include <cstring>

#include "core/wire/pcap.h"
#include "core/wire/pcapng.h"

namespace airlab::sniff {
namespace {

constexpr wire::ByteOrder kOrder = wire::ByteOrder::kLittle;
// An Enhanced Packet Block without options: type, length, interface, timestamp (two
// words), captured and original length, the data padded to 4 bytes, length again.
constexpr size_t kEnhancedPacketOverhead = 32;

wire::PcapngInterface InterfaceFor(uint32_t link_type, std::string_view name) {
  wire::PcapngInterface iface;
  iface.link_type = static_cast<uint16_t>(link_type);
  iface.tsresol = wire::kTsresolNanoseconds;
  iface.name = name;
  return iface;
}

// A small text builder for the comment: no formatting library in core.
class Text {
 public:
  void Add(std::string_view s) {
    for (char c : s) Put(c);
  }
  void Add(uint32_t v) {
    char digits[10];
    size_t n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (n > 0) Put(digits[--n]);
  }
  void Add(const MacAddress& mac) {
    char text[MacAddress::kStringSize + 1];
    mac.Format(text);
    Add(std::string_view(text, MacAddress::kStringSize));
  }
  std::string_view view() const { return {buffer_.data(), size_}; }

 private:
  void Put(char c) {
    if (size_ < buffer_.size()) buffer_[size_++] = c;
  }
  std::array<char, 96> buffer_{};
  size_t size_ = 0;
};

}  // namespace

PcapngSink::PcapngSink(ByteSink& out, MutableByteSpan scratch, const PcapngSinkOptions& options)
    : out_(out), scratch_(scratch), options_(options) {}

Status PcapngSink::Start() {
  ByteBuilder block(scratch_);
  AIRLAB_TRY(wire::WritePcapngSectionHeader(block, kOrder, options_.user_appl));
  AIRLAB_TRY(wire::WritePcapngInterface(
      block, kOrder, InterfaceFor(wire::kLinkTypeIeee80211Radiotap, options_.interface_name)));
  AIRLAB_TRY(wire::WritePcapngInterface(
      block, kOrder, InterfaceFor(wire::kLinkTypeIeee80211, options_.interface_name)));
  AIRLAB_TRY(block.status());
  AIRLAB_TRY(out_.Write(block.bytes()));
  started_ = true;
  return Status::Ok();
}

Status PcapngSink::Write(const Packet& packet, const FrameRecord& record) {
  if (!started_) return Status::FailedPrecondition();
  uint32_t interface_id;
  if (packet.link_type == wire::kLinkTypeIeee80211Radiotap) {
    interface_id = 0;
  } else if (packet.link_type == wire::kLinkTypeIeee80211) {
    interface_id = 1;
  } else {
    return Status::InvalidArgument();
  }
  if (options_.espnow_comments && record.espnow) return WriteWithComment(packet, record);
  // What wire::WritePcapngPacket writes for a packet without options on these interfaces
  // (nanosecond resolution, no offset, no snaplen), written here field by field straight
  // into the ByteSink's buffer when it lends one: at a million frames a second, building it
  // through the generic writer and copying it in cost as much as the rest of the output
  // path (sink_test.cc checks the bytes are the same).
  const size_t size = packet.data.size();
  const size_t padded = (size + 3) & ~size_t{3};
  const size_t block_size = kEnhancedPacketOverhead + padded;
  if (block_size > scratch_.size()) return Status::ResourceExhausted();
  if (packet.ts_ns < 0) return Status::InvalidArgument();
  const auto ts = static_cast<uint64_t>(packet.ts_ns);
  const MutableByteSpan room = out_.Reserve(block_size);
  const MutableByteSpan block = room.empty() ? scratch_.first(block_size) : room;
  store_le32(block, 0, wire::kPcapngEnhancedPacket);
  store_le32(block, 4, static_cast<uint32_t>(block_size));
  store_le32(block, 8, interface_id);
  store_le32(block, 12, static_cast<uint32_t>(ts >> 32));
  store_le32(block, 16, static_cast<uint32_t>(ts));
  store_le32(block, 20, static_cast<uint32_t>(size));
  store_le32(block, 24, packet.origlen > size ? packet.origlen : static_cast<uint32_t>(size));
  // The padding is zero: the data's last word is zeroed, then the data written over it.
  if (padded != 0) store_le32(block, 28 + padded - 4, 0);
  if (size != 0) std::memcpy(block.data() + 28, packet.data.data(), size);
  store_le32(block, block_size - 4, static_cast<uint32_t>(block_size));
  return room.empty() ? out_.Write(block) : out_.Commit(block_size);
}

// A block with a comment naming the ESP-NOW frame, through the generic writer.
Status PcapngSink::WriteWithComment(const Packet& packet, const FrameRecord& record) {
  Text comment;
  comment.Add("ESP-NOW ");
  if (record.espnow_encrypted) {
    comment.Add("encrypted");
  } else {
    comment.Add("v");
    comment.Add(record.espnow_version);
  }
  comment.Add(" ");
  comment.Add(record.addr2());
  comment.Add(" > ");
  comment.Add(record.addr1());
  comment.Add(" ");
  comment.Add(record.espnow_payload_len);
  comment.Add(" B");
  wire::PcapngPacket out;
  out.interface_id = packet.link_type == wire::kLinkTypeIeee80211Radiotap ? 0 : 1;
  out.ts_ns = packet.ts_ns;
  out.data = packet.data;
  out.origlen = packet.origlen;
  out.comment = comment.view();
  const MutableByteSpan room = out_.Reserve(scratch_.size());
  ByteBuilder block(room.empty() ? scratch_ : room);
  AIRLAB_TRY(wire::WritePcapngPacket(block, kOrder,
                                     InterfaceFor(packet.link_type, options_.interface_name), out));
  AIRLAB_TRY(block.status());
  return room.empty() ? out_.Write(block.bytes()) : out_.Commit(block.size());
}

}  // namespace airlab::sniff
