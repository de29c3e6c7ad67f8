#include "core/sniff/pcapng_sink.h"

#include <array>

#include "core/wire/pcap.h"
#include "core/wire/pcapng.h"

namespace airlab::sniff {
namespace {

constexpr wire::ByteOrder kOrder = wire::ByteOrder::kLittle;

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
  Text comment;
  if (options_.espnow_comments && record.espnow) {
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
  }
  wire::PcapngPacket out;
  out.interface_id = interface_id;
  out.ts_ns = packet.ts_ns;
  out.data = packet.data;
  out.origlen = packet.origlen;
  out.comment = comment.view();
  ByteBuilder block(scratch_);
  AIRLAB_TRY(wire::WritePcapngPacket(block, kOrder,
                                     InterfaceFor(packet.link_type, options_.interface_name), out));
  AIRLAB_TRY(block.status());
  return out_.Write(block.bytes());
}

}  // namespace airlab::sniff
