// pcapng reader under libFuzzer. Every packet's data, comment and options are read byte by
// byte (ASan catches a span past the input); reading the input whole and as a buffer that
// grows a few bytes at a time must give the same packets and stop the same way; and each
// packet written again (SHB, its IDB, an EPB) must read back with the same contents.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/base/bytes.h"
#include "core/wire/pcapng.h"
#include "fuzz/fuzz_support.h"

namespace {

using airlab::ByteBuilder;
using airlab::ByteSpan;
using airlab::Status;
using airlab::fuzz::Check;
using airlab::fuzz::Inside;
using airlab::fuzz::Touch;
using namespace airlab::wire;

bool SameView(ByteSpan a, ByteSpan b) { return a.data() == b.data() && a.size() == b.size(); }

bool Same(const PcapngPacket& a, const PcapngPacket& b) {
  return a.block_type == b.block_type && a.interface_id == b.interface_id &&
         a.interface_index == b.interface_index && a.link_type == b.link_type &&
         a.ts_ns == b.ts_ns && a.caplen == b.caplen && a.origlen == b.origlen &&
         SameView(a.data, b.data) && a.comment.data() == b.comment.data() &&
         a.comment.size() == b.comment.size() && a.flags == b.flags && a.dropcount == b.dropcount &&
         a.fcs_len == b.fcs_len && SameView(a.options, b.options);
}

// Writes `packet` alone behind a copy of its interface and checks it reads back.
void RoundTrip(const PcapngPacket& packet, const PcapngInterface& iface, ByteOrder order) {
  std::vector<std::byte> storage(packet.data.size() + packet.comment.size() + iface.name.size() +
                                 iface.description.size() + 256);
  ByteBuilder out(storage);
  Check(WritePcapngSectionHeader(out, order, "fuzz").ok());
  Check(WritePcapngInterface(out, order, iface).ok());
  PcapngPacket written = packet;
  written.interface_id = 0;
  const Status status = WritePcapngPacket(out, order, iface, written);
  if (status == Status::InvalidArgument()) return;  // a time before the epoch or too far out
  Check(status.ok());

  std::array<PcapngInterface, 1> one;
  auto reader = PcapngReader::Open(out.bytes(), one);
  Check(reader.ok());
  auto back = reader->Next();
  Check(back.ok());
  size_t kept = packet.data.size();
  if (iface.snaplen != 0 && iface.snaplen < kept) kept = iface.snaplen;
  Check(back->data.size() == kept &&
        std::equal(back->data.begin(), back->data.end(), packet.data.begin()));
  Check(back->origlen == packet.origlen);
  Check(back->comment == packet.comment);
  Check(back->flags == packet.flags && back->dropcount == packet.dropcount);
  Check(back->link_type == iface.link_type && back->fcs_len == packet.fcs_len);
  // Powers of ten convert back exactly; binary fractions round down, never up.
  Check((iface.tsresol & 0x80) == 0 ? back->ts_ns == packet.ts_ns : back->ts_ns <= packet.ts_ns);
  Check(reader->Next().status() == Status::OutOfRange() && reader->at_end());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan file = airlab::AsBytes(data, size);
  std::array<PcapngInterface, 8> whole_interfaces;
  auto whole = PcapngReader::Open(file, whole_interfaces);
  if (!whole.ok()) return 0;

  volatile uint32_t sink = 0;
  std::vector<PcapngPacket> packets;
  const Status end = airlab::fuzz::ReadAll(*whole, packets, [&](const PcapngPacket& packet) {
    Check(Inside(packet.data, file) && Inside(packet.options, file));
    Check(packet.data.size() == packet.caplen && packet.origlen >= packet.caplen);
    Check(packet.interface_id < whole->interfaces().size());
    const PcapngInterface& iface = whole->interfaces()[packet.interface_id];
    Check(packet.link_type == iface.link_type);
    sink = sink + Touch(packet.data) +
           Touch(airlab::AsBytes(packet.comment.data(), packet.comment.size()));
    // The reader checked the options: walking them again ends cleanly.
    PcapngOptionIterator it(packet.options, whole->section().byte_order);
    auto option = it.Next();
    for (; option.ok(); option = it.Next()) sink = sink + Touch(option->value);
    Check(option.status() == Status::NotFound());
    if (packet.block_type != kPcapngSimplePacket) {
      RoundTrip(packet, iface, whole->section().byte_order);
    }
  });
  Check(end != Status::Ok());
  Check(whole->offset() <= size);

  // The same bytes arriving 5 at a time.
  std::array<PcapngInterface, 8> growing_interfaces;
  airlab::fuzz::CheckGrowingRead(
      file, 5, [&](ByteSpan prefix) { return PcapngReader::Open(prefix, growing_interfaces); },
      packets, end, whole->offset(), Same);
  return 0;
}
