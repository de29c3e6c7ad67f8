// The capture sinks write each record in place (PcapSink, PcapngSink without comments):
// their bytes must be what core/wire's generic writers make of the same packets, through a
// ByteSink that lends its buffer (Reserve/Commit) and through one that does not (Write).

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "core/base/bytes_testing.h"
#include "core/sniff/pcap_sink.h"
#include "core/sniff/pcapng_sink.h"
#include "core/sniff/sniff_testing.h"
#include "core/wire/pcap.h"
#include "core/wire/pcapng.h"

namespace airlab::sniff {
namespace {

using testing::Bytes;

// Gathers what is written; with `lend`, lends a buffer as FdByteSink does (and checks the
// sink commits no more than it reserved).
struct MemoryBytes final : ByteSink {
  explicit MemoryBytes(bool lend) : lend(lend) {}
  Status Write(ByteSpan bytes) override {
    data.insert(data.end(), bytes.begin(), bytes.end());
    ++writes;
    return Status::Ok();
  }
  MutableByteSpan Reserve(size_t size) override {
    if (!lend) return {};
    room.assign(size, std::byte{0xee});  // garbage the sink must overwrite
    return room;
  }
  Status Commit(size_t size) override {
    EXPECT_LE(size, room.size());
    data.insert(data.end(), room.begin(), room.begin() + static_cast<ptrdiff_t>(size));
    ++commits;
    return Status::Ok();
  }
  bool lend;
  Bytes data;
  Bytes room;
  int writes = 0;
  int commits = 0;
};

// Packets of every padding (sizes 0 to 7 mod 4), both link types, original lengths given or
// not, and the timestamps at the ends of the range.
std::vector<Packet> SomePackets(std::vector<Bytes>& storage) {
  storage.clear();
  for (size_t size : {0, 1, 2, 3, 4, 5, 6, 7, 61, 250, 2500}) {
    Bytes bytes(size);
    for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::byte>(i * 7 + size);
    storage.push_back(bytes);
  }
  std::vector<Packet> packets;
  int64_t ts = 1'700'000'000'123'456'789;
  for (size_t i = 0; i < storage.size(); ++i) {
    const uint32_t link_type =
        i % 3 == 0 ? wire::kLinkTypeIeee80211 : wire::kLinkTypeIeee80211Radiotap;
    const uint32_t origlen = i % 2 == 0 ? 0 : static_cast<uint32_t>(storage[i].size() + 100);
    packets.push_back(Packet{ts, link_type, storage[i], origlen});
    ts += 999'999'999;
  }
  packets.push_back(Packet{0, wire::kLinkTypeIeee80211Radiotap, storage[5], 0});
  packets.push_back(Packet{int64_t{UINT32_MAX} * 1'000'000'000 + 999'999'999,
                           wire::kLinkTypeIeee80211Radiotap, storage[6],
                           3});  // origlen below the captured length
  return packets;
}

// The pcap file wire::WritePcapRecord makes of `packets`, as PcapSink documents it: link
// type 127, nanoseconds, an empty radiotap header in front of a bare frame.
Bytes ExpectedPcap(const std::vector<Packet>& packets) {
  wire::PcapHeader header;
  header.link_type = wire::kLinkTypeIeee80211Radiotap;
  std::vector<std::byte> buffer(1 << 20);
  ByteBuilder out(buffer);
  wire::WritePcapHeader(out, header);
  for (const Packet& p : packets) {
    Bytes data = p.data.empty() ? Bytes() : Bytes(p.data.begin(), p.data.end());
    uint32_t origlen = p.origlen;
    if (p.link_type == wire::kLinkTypeIeee80211) {
      const Bytes radiotap = {std::byte{0}, std::byte{0}, std::byte{8}, std::byte{0},
                              std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0}};
      data.insert(data.begin(), radiotap.begin(), radiotap.end());
      if (origlen != 0) origlen += 8;
    }
    EXPECT_TRUE(wire::WritePcapRecord(out, header, p.ts_ns, data, origlen).ok());
  }
  EXPECT_TRUE(out.ok());
  return Bytes(out.bytes().begin(), out.bytes().end());
}

// The pcapng file wire's writers make of `packets` as PcapngSink documents it.
Bytes ExpectedPcapng(const std::vector<Packet>& packets) {
  std::vector<std::byte> buffer(1 << 20);
  ByteBuilder out(buffer);
  const auto order = wire::ByteOrder::kLittle;
  EXPECT_TRUE(wire::WritePcapngSectionHeader(out, order, "airlab sniff").ok());
  wire::PcapngInterface radiotap;
  radiotap.link_type = wire::kLinkTypeIeee80211Radiotap;
  radiotap.tsresol = wire::kTsresolNanoseconds;
  radiotap.name = "airlab";
  wire::PcapngInterface bare = radiotap;
  bare.link_type = wire::kLinkTypeIeee80211;
  EXPECT_TRUE(wire::WritePcapngInterface(out, order, radiotap).ok());
  EXPECT_TRUE(wire::WritePcapngInterface(out, order, bare).ok());
  for (const Packet& p : packets) {
    const bool is_bare = p.link_type == wire::kLinkTypeIeee80211;
    wire::PcapngPacket packet;
    packet.interface_id = is_bare ? 1 : 0;
    packet.ts_ns = p.ts_ns;
    packet.data = p.data;
    packet.origlen = p.origlen;
    EXPECT_TRUE(wire::WritePcapngPacket(out, order, is_bare ? bare : radiotap, packet).ok());
  }
  EXPECT_TRUE(out.ok());
  return Bytes(out.bytes().begin(), out.bytes().end());
}

TEST(PcapSink, RecordsAreWhatTheWireWriterMakes_LentBufferOrNot) {
  std::vector<Bytes> storage;
  const std::vector<Packet> packets = SomePackets(storage);
  const Bytes expected = ExpectedPcap(packets);
  for (bool lend : {false, true}) {
    SCOPED_TRACE(lend ? "written in the sink's buffer" : "written from the scratch");
    MemoryBytes bytes(lend);
    std::vector<std::byte> scratch(kPcapSinkScratchSize);
    PcapSink sink(bytes, scratch);
    ASSERT_TRUE(sink.Start().ok());
    for (const Packet& p : packets) EXPECT_TRUE(sink.Write(p, FrameRecord{}).ok());
    AIRLAB_EXPECT_BYTES_EQ(bytes.data, expected);
    EXPECT_EQ(lend ? bytes.commits : bytes.writes - 1, static_cast<int>(packets.size()));
  }
}

TEST(PcapSink, Refusals_WriteNothing) {
  MemoryBytes bytes(true);
  std::vector<std::byte> scratch(kPcapSinkScratchSize);
  PcapSink sink(bytes, scratch);
  const Bytes frame(100);
  const Packet ok{5, wire::kLinkTypeIeee80211Radiotap, frame, 0};
  EXPECT_EQ(sink.Write(ok, FrameRecord{}), Status::FailedPrecondition());
  ASSERT_TRUE(sink.Start().ok());
  const size_t header = bytes.data.size();
  const Bytes largest(kPcapSinkScratchSize - wire::kPcapRecordHeaderSize);
  const Bytes too_large(largest.size() + 1);
  const Bytes bare_too_large(largest.size() - 7);  // the empty radiotap header makes it so
  EXPECT_EQ(sink.Write(Packet{-1, wire::kLinkTypeIeee80211Radiotap, frame, 0}, FrameRecord{}),
            Status::InvalidArgument());
  EXPECT_EQ(sink.Write(Packet{int64_t{UINT32_MAX} * 1'000'000'000 + 1'000'000'000,
                              wire::kLinkTypeIeee80211Radiotap, frame, 0},
                       FrameRecord{}),
            Status::InvalidArgument());
  EXPECT_EQ(sink.Write(Packet{5, 1, frame, 0}, FrameRecord{}), Status::InvalidArgument());
  EXPECT_EQ(sink.Write(Packet{5, wire::kLinkTypeIeee80211Radiotap, too_large, 0}, FrameRecord{}),
            Status::ResourceExhausted());
  EXPECT_EQ(sink.Write(Packet{5, wire::kLinkTypeIeee80211, bare_too_large, 0}, FrameRecord{}),
            Status::ResourceExhausted());
  EXPECT_EQ(bytes.data.size(), header);
  EXPECT_TRUE(
      sink.Write(Packet{5, wire::kLinkTypeIeee80211Radiotap, largest, 0}, FrameRecord{}).ok());
  EXPECT_EQ(bytes.data.size(), header + kPcapSinkScratchSize);
}

TEST(PcapngSink, BlocksAreWhatTheWireWriterMakes_LentBufferOrNot) {
  std::vector<Bytes> storage;
  const std::vector<Packet> packets = SomePackets(storage);
  const Bytes expected = ExpectedPcapng(packets);
  for (bool lend : {false, true}) {
    SCOPED_TRACE(lend ? "written in the sink's buffer" : "written from the scratch");
    MemoryBytes bytes(lend);
    std::vector<std::byte> scratch(kPcapngSinkScratchSize);
    PcapngSink sink(bytes, scratch);
    ASSERT_TRUE(sink.Start().ok());
    for (const Packet& p : packets) EXPECT_TRUE(sink.Write(p, FrameRecord{}).ok());
    AIRLAB_EXPECT_BYTES_EQ(bytes.data, expected);
    EXPECT_EQ(lend ? bytes.commits : bytes.writes - 1, static_cast<int>(packets.size()));
  }
}

TEST(PcapngSink, Refusals_WriteNothing) {
  MemoryBytes bytes(true);
  std::vector<std::byte> scratch(kPcapngSinkScratchSize);
  PcapngSink sink(bytes, scratch);
  ASSERT_TRUE(sink.Start().ok());
  const size_t header = bytes.data.size();
  const Bytes frame(100);
  const Bytes largest(kPcapngSinkScratchSize - 32);
  const Bytes too_large(largest.size() + 1);
  EXPECT_EQ(sink.Write(Packet{-1, wire::kLinkTypeIeee80211Radiotap, frame, 0}, FrameRecord{}),
            Status::InvalidArgument());
  EXPECT_EQ(sink.Write(Packet{5, 1, frame, 0}, FrameRecord{}), Status::InvalidArgument());
  EXPECT_EQ(sink.Write(Packet{5, wire::kLinkTypeIeee80211, too_large, 0}, FrameRecord{}),
            Status::ResourceExhausted());
  EXPECT_EQ(bytes.data.size(), header);
  EXPECT_TRUE(sink.Write(Packet{5, wire::kLinkTypeIeee80211, largest, 0}, FrameRecord{}).ok());
  EXPECT_EQ(bytes.data.size(), header + kPcapngSinkScratchSize);
}

}  // namespace
}  // namespace airlab::sniff
