#include "core/wire/pcapng.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/bytes_testing.h"

namespace airlab::wire {
namespace {

using Bytes = std::vector<std::byte>;

Bytes FromHex(const std::string& hex) {
  Bytes out;
  std::string digits;
  for (char c : hex) {
    if (std::isxdigit(static_cast<unsigned char>(c))) digits += c;
  }
  for (size_t i = 0; i + 1 < digits.size(); i += 2) {
    out.push_back(static_cast<std::byte>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  }
  return out;
}

Bytes Frame(size_t size, uint8_t seed) {
  Bytes f(size);
  for (size_t i = 0; i < size; ++i) f[i] = static_cast<std::byte>(seed + i * 7);
  return f;
}

// `text2pcap -l 105 -N wlan0mon -t ISO` (pcapng is its default) of the same frame as the
// pcap test, stamped 2024-01-02T03:04:05.123456Z: SHB with shb_hardware/os/userappl,
// an IDB with if_name and if_tsresol 9, one EPB.
const Bytes kText2pcapFile = FromHex(
    "0a0d0d0a c8000000 4d3c2b1a 01000000 ffffffff ffffffff 01002000 47656e65"
    "72617465 64206672 6f6d2069 6e707574 2066696c 6520612e 7478742e 02001600"
    "414d4420 45505943 20287769 74682053 5345342e 32290000 03001500 4c696e75"
    "7820362e 31382e34 342d6663 2d763738 32000000 04004700 54657874 32706361"
    "70202857 69726573 6861726b 2920342e 302e3137 20284769 74207634 2e302e31"
    "37207061 636b6167 65642061 7320342e 302e3137 2d302b64 65623132 75332900"
    "00000000 c8000000 01000000 2c000000 69000000 00000400 02000800 776c616e"
    "306d6f6e 09000100 09000000 00000000 2c000000 06000000 3c000000 00000000"
    "b768a617 00fc5c37 1c000000 1c000000 d0003a01 ffffffff ffff4c11 ae89bdd5"
    "ffffffff ffff1000 7f18fe34 3c000000");
const Bytes kFrame = FromHex("d0003a01 ffffffff ffff4c11 ae89bdd5 ffffffff ffff1000 7f18fe34");

// One block built by hand (not by the writer under test): header, body, padding, trailer.
void AppendBlock(Bytes& file, ByteOrder order, uint32_t type, const Bytes& body,
                 uint32_t length_override = 0) {
  std::array<std::byte, 8> head;
  ByteBuilder b(head);
  const uint32_t length = static_cast<uint32_t>(12 + (body.size() + 3) / 4 * 4);
  PutU32(b, order, type);
  PutU32(b, order, length_override ? length_override : length);
  file.insert(file.end(), head.begin(), head.end());
  file.insert(file.end(), body.begin(), body.end());
  file.resize(file.size() + (4 - body.size() % 4) % 4);
  file.insert(file.end(), head.begin() + 4, head.end());
}

Bytes U32s(ByteOrder order, std::initializer_list<uint32_t> values) {
  Bytes out(values.size() * 4);
  ByteBuilder b(out);
  for (uint32_t v : values) PutU32(b, order, v);
  return out;
}

Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// A whole file written by our writers, as the round-trip tests use it.
class WrittenFile {
 public:
  explicit WrittenFile(size_t capacity = 4096) : storage_(capacity), out_(storage_) {}
  ByteBuilder& out() { return out_; }
  ByteSpan bytes() const { return out_.bytes(); }

 private:
  Bytes storage_;
  ByteBuilder out_;
};

std::array<PcapngInterface, 8> g_interfaces;

TEST(PcapngReader, Text2pcapFile_ReadsSectionInterfaceAndPacket) {
  auto reader = PcapngReader::Open(kText2pcapFile, g_interfaces);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->section().byte_order, ByteOrder::kLittle);
  EXPECT_EQ(reader->section().version_major, 1);
  EXPECT_EQ(reader->section().length, -1);
  EXPECT_EQ(reader->section().user_appl.substr(0, 9), "Text2pcap");
  auto packet = reader->Next();
  ASSERT_TRUE(packet.ok());
  ASSERT_EQ(reader->interfaces().size(), 1u);
  EXPECT_EQ(reader->interfaces()[0].name, "wlan0mon");
  EXPECT_EQ(reader->interfaces()[0].tsresol, kTsresolNanoseconds);
  EXPECT_EQ(reader->interfaces()[0].snaplen, 262144u);
  EXPECT_EQ(packet->block_type, kPcapngEnhancedPacket);
  EXPECT_EQ(packet->interface_id, 0u);
  EXPECT_EQ(packet->link_type, kLinkTypeIeee80211);
  EXPECT_EQ(packet->ts_ns, 1704164645'123456000);
  EXPECT_EQ(packet->caplen, 28u);
  EXPECT_EQ(packet->origlen, 28u);
  AIRLAB_EXPECT_BYTES_EQ(packet->data, kFrame);
  EXPECT_TRUE(packet->comment.empty());
  EXPECT_FALSE(packet->flags.has_value());
  EXPECT_FALSE(packet->fcs_len.has_value());
  EXPECT_EQ(reader->Next().status(), Status::OutOfRange());
  EXPECT_TRUE(reader->at_end());
}

TEST(PcapngWriter, EnhancedPacket_MatchesDraftLayout) {
  // The draft's EPB: timestamp as upper then lower u32 (so only 4-aligned), data padded,
  // opt_comment, opt_endofopt, trailing length. 0x1_00000002 ns at tsresol 9.
  WrittenFile file;
  PcapngInterface iface;
  iface.tsresol = kTsresolNanoseconds;
  PcapngPacket packet;
  packet.ts_ns = 0x1'00000002;
  const Bytes data = FromHex("aabbcc");
  packet.data = data;
  packet.comment = "hi";
  ASSERT_TRUE(WritePcapngPacket(file.out(), ByteOrder::kLittle, iface, packet).ok());
  AIRLAB_EXPECT_BYTES_EQ(file.bytes(), FromHex("06000000 30000000 00000000 01000000 02000000"
                                               "03000000 03000000 aabbcc00 01000200 68690000"
                                               "00000000 30000000"));
}

TEST(PcapngWriter, SectionHeader_MatchesDraftLayout) {
  WrittenFile file;
  ASSERT_TRUE(WritePcapngSectionHeader(file.out(), ByteOrder::kBig, "ab").ok());
  AIRLAB_EXPECT_BYTES_EQ(file.bytes(), FromHex("0a0d0d0a 00000028 1a2b3c4d 00010000"
                                               "ffffffff ffffffff 00040002 61620000"
                                               "00000000 00000028"));
}

class PcapngRoundTrip : public ::testing::TestWithParam<ByteOrder> {};

TEST_P(PcapngRoundTrip, SectionInterfacesPackets_AllFieldsComeBack) {
  const ByteOrder order = GetParam();
  PcapngInterface radiotap;  // defaults: link 127, microseconds
  radiotap.name = "sim0";
  PcapngInterface plain;
  plain.link_type = kLinkTypeIeee80211;
  plain.snaplen = 64;
  plain.tsresol = kTsresolNanoseconds;
  plain.tsoffset_s = 1'000'000'000;
  plain.fcs_len = 4;
  plain.name = "esp32";
  plain.description = "ESP32 over serial";
  const Bytes small = Frame(13, 3);
  const Bytes big = Frame(100, 4);

  WrittenFile file;
  ASSERT_TRUE(WritePcapngSectionHeader(file.out(), order, "airlab test").ok());
  ASSERT_TRUE(WritePcapngInterface(file.out(), order, radiotap).ok());
  ASSERT_TRUE(WritePcapngInterface(file.out(), order, plain).ok());
  PcapngPacket p1;
  p1.interface_id = 0;
  p1.ts_ns = 1'700'000'000'123'456'789;
  p1.data = small;
  p1.comment = "first";
  ASSERT_TRUE(WritePcapngPacket(file.out(), order, radiotap, p1).ok());
  PcapngPacket p2;
  p2.interface_id = 1;
  p2.ts_ns = 1'700'000'000'123'456'789;
  p2.data = big;               // cut to 64
  p2.flags = 0x1 | (2u << 5);  // inbound, FCS of 2 bytes overrides the IDB's 4
  p2.dropcount = 0x1'0000'0002;
  ASSERT_TRUE(WritePcapngPacket(file.out(), order, plain, p2).ok());
  PcapngPacket p3;
  p3.interface_id = 1;
  p3.ts_ns = 1'000'000'000'000'000'000;  // exactly the offset: 0 units in the file
  p3.flags = 0;
  ASSERT_TRUE(WritePcapngPacket(file.out(), order, plain, p3).ok());

  auto reader = PcapngReader::Open(file.bytes(), g_interfaces);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->section().byte_order, order);
  EXPECT_EQ(reader->section().user_appl, "airlab test");
  auto r1 = reader->Next();
  ASSERT_TRUE(r1.ok());
  ASSERT_EQ(reader->interfaces().size(), 2u);
  EXPECT_EQ(reader->interfaces()[0].name, "sim0");
  EXPECT_EQ(reader->interfaces()[0].tsresol, kTsresolMicroseconds);
  EXPECT_FALSE(reader->interfaces()[0].fcs_len.has_value());
  const PcapngInterface& read_plain = reader->interfaces()[1];
  EXPECT_EQ(read_plain.link_type, kLinkTypeIeee80211);
  EXPECT_EQ(read_plain.snaplen, 64u);
  EXPECT_EQ(read_plain.tsresol, kTsresolNanoseconds);
  EXPECT_EQ(read_plain.tsoffset_s, 1'000'000'000);
  EXPECT_EQ(read_plain.fcs_len, uint8_t{4});
  EXPECT_EQ(read_plain.name, "esp32");
  EXPECT_EQ(read_plain.description, "ESP32 over serial");

  EXPECT_EQ(r1->interface_id, 0u);
  EXPECT_EQ(r1->link_type, kLinkTypeIeee80211Radiotap);
  EXPECT_EQ(r1->ts_ns, 1'700'000'000'123'456'000);  // microsecond interface truncates
  AIRLAB_EXPECT_BYTES_EQ(r1->data, small);
  EXPECT_EQ(r1->comment, "first");
  EXPECT_FALSE(r1->flags.has_value());
  EXPECT_FALSE(r1->dropcount.has_value());

  auto r2 = reader->Next();
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->interface_id, 1u);
  EXPECT_EQ(r2->interface_index, 1u);
  EXPECT_EQ(r2->ts_ns, 1'700'000'000'123'456'789);
  EXPECT_EQ(r2->caplen, 64u);
  EXPECT_EQ(r2->origlen, 100u);
  AIRLAB_EXPECT_BYTES_EQ(r2->data, ByteSpan(big).first(64));
  EXPECT_EQ(r2->flags, 0x1 | (2u << 5));
  EXPECT_EQ(r2->dropcount, uint64_t{0x1'0000'0002});
  EXPECT_EQ(r2->fcs_len, uint8_t{2});
  EXPECT_TRUE(r2->comment.empty());

  auto r3 = reader->Next();
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(r3->ts_ns, 1'000'000'000'000'000'000);
  EXPECT_EQ(r3->caplen, 0u);
  EXPECT_EQ(r3->fcs_len, uint8_t{4});  // flags without FCS bits: the interface's if_fcslen
  EXPECT_EQ(reader->Next().status(), Status::OutOfRange());
  EXPECT_TRUE(reader->at_end());
}

INSTANTIATE_TEST_SUITE_P(BothByteOrders, PcapngRoundTrip,
                         ::testing::Values(ByteOrder::kLittle, ByteOrder::kBig));

TEST(PcapngReader, SeveralSections_ByteOrderAndInterfacesPerSection) {
  WrittenFile file;
  PcapngInterface a;
  a.name = "a";
  PcapngInterface b;
  b.name = "b";
  b.link_type = kLinkTypeIeee80211;
  PcapngPacket packet;
  ASSERT_TRUE(WritePcapngSectionHeader(file.out(), ByteOrder::kLittle, "").ok());
  ASSERT_TRUE(WritePcapngInterface(file.out(), ByteOrder::kLittle, a).ok());
  ASSERT_TRUE(WritePcapngPacket(file.out(), ByteOrder::kLittle, a, packet).ok());
  ASSERT_TRUE(WritePcapngSectionHeader(file.out(), ByteOrder::kBig, "").ok());
  ASSERT_TRUE(WritePcapngInterface(file.out(), ByteOrder::kBig, a).ok());
  ASSERT_TRUE(WritePcapngInterface(file.out(), ByteOrder::kBig, b).ok());
  packet.interface_id = 1;
  ASSERT_TRUE(WritePcapngPacket(file.out(), ByteOrder::kBig, b, packet).ok());

  auto reader = PcapngReader::Open(file.bytes(), g_interfaces);
  ASSERT_TRUE(reader.ok());
  auto p1 = reader->Next();
  ASSERT_TRUE(p1.ok());
  EXPECT_EQ(p1->interface_index, 0u);
  EXPECT_EQ(reader->section().byte_order, ByteOrder::kLittle);
  auto p2 = reader->Next();
  ASSERT_TRUE(p2.ok());
  EXPECT_EQ(reader->section().byte_order, ByteOrder::kBig);
  ASSERT_EQ(reader->interfaces().size(), 2u);  // the first section's interface is gone
  EXPECT_EQ(p2->interface_id, 1u);
  EXPECT_EQ(p2->interface_index, 2u);  // a, then a and b of the second section
  EXPECT_EQ(p2->link_type, kLinkTypeIeee80211);
}

TEST(PcapngReader, UnknownBlocks_SkippedByLength) {
  const ByteOrder le = ByteOrder::kLittle;
  Bytes file;
  AppendBlock(file, le, kPcapngSectionHeader,
              Cat({U32s(le, {kPcapngByteOrderMagic, 1, 0xffffffff, 0xffffffff})}));
  AppendBlock(file, le, kPcapngInterfaceDescription, U32s(le, {105, 0}));
  AppendBlock(file, le, 4, FromHex("01000800 0a000001 7700 0000 00000000"));  // NRB
  AppendBlock(file, le, 5, U32s(le, {0, 1, 2}));                              // ISB
  AppendBlock(file, le, 0x0a, U32s(le, {0x544c534b, 0}));                     // DSB
  AppendBlock(file, le, 0x40000bad, U32s(le, {32473, 7}));                    // custom
  AppendBlock(file, le, 0x12345678, FromHex("0102030405"));                   // unknown
  AppendBlock(file, le, kPcapngEnhancedPacket, Cat({U32s(le, {0, 0, 5, 1, 1}), FromHex("ee")}));
  auto reader = PcapngReader::Open(file, g_interfaces);
  ASSERT_TRUE(reader.ok());
  auto packet = reader->Next();
  ASSERT_TRUE(packet.ok());
  EXPECT_EQ(packet->ts_ns, 5000);
  EXPECT_EQ(packet->data[0], std::byte{0xee});
  EXPECT_TRUE(reader->at_end());
}

TEST(PcapngReader, SimplePacketBlock_CaplenFromSnaplenAndBlock) {
  const ByteOrder be = ByteOrder::kBig;
  Bytes file;
  AppendBlock(file, be, kPcapngSectionHeader,
              U32s(be, {kPcapngByteOrderMagic, 0x00010000, 0xffffffff, 0xffffffff}));
  AppendBlock(file, be, kPcapngInterfaceDescription, U32s(be, {127 << 16, 6}));  // snaplen 6
  AppendBlock(file, be, kPcapngSimplePacket, Cat({U32s(be, {1500}), Frame(8, 0)}));
  AppendBlock(file, be, kPcapngSimplePacket, Cat({U32s(be, {3}), Frame(3, 0)}));  // padded
  auto reader = PcapngReader::Open(file, g_interfaces);
  ASSERT_TRUE(reader.ok());
  auto cut = reader->Next();
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->block_type, kPcapngSimplePacket);
  EXPECT_EQ(cut->origlen, 1500u);
  EXPECT_EQ(cut->caplen, 6u);  // the snaplen: the packet was 1500 bytes long
  EXPECT_EQ(cut->ts_ns, 0);
  EXPECT_EQ(cut->link_type, kLinkTypeIeee80211Radiotap);
  auto padded = reader->Next();
  ASSERT_TRUE(padded.ok());
  EXPECT_EQ(padded->caplen, 3u);  // origlen, not the padded 4 bytes
  AIRLAB_EXPECT_BYTES_EQ(padded->data, Frame(3, 0));
}

TEST(PcapngReader, ObsoletePacketBlock_Read) {
  const ByteOrder le = ByteOrder::kLittle;
  Bytes file;
  AppendBlock(file, le, kPcapngSectionHeader,
              U32s(le, {kPcapngByteOrderMagic, 1, 0xffffffff, 0xffffffff}));
  AppendBlock(file, le, kPcapngInterfaceDescription, U32s(le, {105, 0}));
  AppendBlock(file, le, kPcapngInterfaceDescription, U32s(le, {127, 0}));
  // interface 1 (u16), drops 9 (u16), ts 2 us, caplen 2, origlen 2.
  AppendBlock(file, le, kPcapngPacket, Cat({U32s(le, {1 | (9 << 16), 0, 2, 2, 2}), Frame(2, 0)}));
  auto reader = PcapngReader::Open(file, g_interfaces);
  ASSERT_TRUE(reader.ok());
  auto packet = reader->Next();
  ASSERT_TRUE(packet.ok());
  EXPECT_EQ(packet->interface_id, 1u);
  EXPECT_EQ(packet->link_type, kLinkTypeIeee80211Radiotap);
  EXPECT_EQ(packet->dropcount, uint64_t{9});
  EXPECT_EQ(packet->ts_ns, 2000);
}

TEST(PcapngTimestamps, PowersOfTen_ToNs) {
  EXPECT_EQ(PcapngUnitsToNs(6, 1'500'000).value(), 1'500'000'000);
  EXPECT_EQ(PcapngUnitsToNs(9, 42).value(), 42);
  EXPECT_EQ(PcapngUnitsToNs(3, 7).value(), 7'000'000);
  EXPECT_EQ(PcapngUnitsToNs(12, 5'000'999).value(), 5'000);  // picoseconds truncate
  EXPECT_EQ(PcapngUnitsToNs(0, 2).value(), 2'000'000'000);
  EXPECT_EQ(PcapngUnitsToNs(19, UINT64_MAX).value(), 1'844'674'407);
}

TEST(PcapngTimestamps, PowersOfTwo_ToNs) {
  // 2^-10 s units: 3.5 s is 3 * 1024 + 512.
  EXPECT_EQ(PcapngUnitsToNs(0x80 | 10, 3 * 1024 + 512).value(), 3'500'000'000);
  // 2^-32 s (a binary fraction, as ERF and some hardware use): 0.25 s.
  EXPECT_EQ(PcapngUnitsToNs(0x80 | 32, (uint64_t{7} << 32) | 0x40000000).value(), 7'250'000'000);
  // 2^-60: the fraction path that shifts first; 2^59 units is 0.5 s.
  EXPECT_EQ(PcapngUnitsToNs(0x80 | 60, uint64_t{1} << 59).value(), 500'000'000);
  EXPECT_EQ(PcapngUnitsToNs(0x80, 3).value(), 3'000'000'000);
}

TEST(PcapngTimestamps, Unrepresentable_ReturnsStatus) {
  EXPECT_EQ(PcapngUnitsToNs(20, 1).status(), Status::Unimplemented());
  EXPECT_EQ(PcapngUnitsToNs(0x80 | 64, 1).status(), Status::Unimplemented());
  EXPECT_EQ(PcapngUnitsToNs(6, UINT64_MAX).status(), Status::OutOfRange());
  EXPECT_EQ(PcapngUnitsToNs(0x80, uint64_t{1} << 62).status(), Status::OutOfRange());
  EXPECT_EQ(PcapngNsToUnits(6, -1).status(), Status::OutOfRange());
  EXPECT_EQ(PcapngNsToUnits(19, INT64_MAX).status(), Status::OutOfRange());
}

TEST(PcapngTimestamps, NsToUnits_InvertsExactValues) {
  const int64_t ns = 1'700'000'000'123'456'789;
  EXPECT_EQ(PcapngUnitsToNs(9, PcapngNsToUnits(9, ns).value()).value(), ns);
  // Finer than ns: 10^-15 s units of 2024 would overflow 64 bits, a few hours do not.
  const int64_t hours_ns = 3 * 3600 * int64_t{1'000'000'000} + 7;
  EXPECT_EQ(PcapngNsToUnits(15, hours_ns).value(), uint64_t(hours_ns) * 1'000'000);
  EXPECT_EQ(PcapngUnitsToNs(15, PcapngNsToUnits(15, hours_ns).value()).value(), hours_ns);
  EXPECT_EQ(PcapngNsToUnits(6, ns).value(), 1'700'000'000'123'456u);
  EXPECT_EQ(PcapngNsToUnits(0x80 | 10, 3'500'000'000).value(), 3u * 1024 + 512);
  EXPECT_EQ(PcapngNsToUnits(0x80 | 40, 500'000'000).value(), uint64_t{1} << 39);
}

TEST(PcapngOptionIterator, WalksInPlaceAndStopsAtEndOfOpt) {
  const ByteOrder le = ByteOrder::kLittle;
  const Bytes options = FromHex("01000300 61626300 02000400 01020304 00000000 01000100 7a000000");
  PcapngOptionIterator it(options, le);
  auto comment = it.Next();
  ASSERT_TRUE(comment.ok());
  EXPECT_EQ(comment->code, kOptComment);
  EXPECT_EQ(comment->value.size(), 3u);
  EXPECT_EQ(comment->value.data(), options.data() + 4);  // a view, not a copy
  auto flags = it.Next();
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(LoadU32(le, flags->value, 0), 0x04030201u);
  EXPECT_EQ(it.Next().status(), Status::NotFound());  // opt_endofopt: the rest is ignored
  EXPECT_EQ(it.Next().status(), Status::NotFound());
}

TEST(PcapngOptionIterator, ValuePastList_ReturnsDataLoss) {
  const Bytes options = FromHex("01000900 61626300 00000000");
  PcapngOptionIterator it(options, ByteOrder::kLittle);
  EXPECT_EQ(it.Next().status(), Status::DataLoss());
  EXPECT_EQ(it.Next().status(), Status::DataLoss());
}

// Bad input: each case breaks one thing in an otherwise good little-endian file.
class PcapngBadInput : public ::testing::Test {
 protected:
  static constexpr ByteOrder kLe = ByteOrder::kLittle;
  Bytes Header() {
    Bytes file;
    AppendBlock(file, kLe, kPcapngSectionHeader,
                U32s(kLe, {kPcapngByteOrderMagic, 1, 0xffffffff, 0xffffffff}));
    AppendBlock(file, kLe, kPcapngInterfaceDescription, U32s(kLe, {105, 0}));
    return file;
  }
  Status FirstPacketStatus(const Bytes& file) {
    auto reader = PcapngReader::Open(file, g_interfaces);
    if (!reader.ok()) return reader.status();
    const Status status = reader->Next().status();
    const size_t failed_at = reader->offset();
    // Nothing is consumed: a second call fails the same way at the same block.
    EXPECT_EQ(reader->Next().status(), status);
    EXPECT_EQ(reader->offset(), failed_at);
    return status;
  }
  Bytes Epb(std::initializer_list<uint32_t> fixed, const Bytes& rest = {}) {
    return Cat({U32s(kLe, fixed), rest});
  }
};

TEST_F(PcapngBadInput, BlockLengthUnder12_ReturnsDataLoss) {
  Bytes file = Header();
  AppendBlock(file, kLe, kPcapngEnhancedPacket, Epb({0, 0, 0, 0, 0}), 8);
  EXPECT_EQ(FirstPacketStatus(file), Status::DataLoss());
}

TEST_F(PcapngBadInput, BlockLengthNotMultipleOf4_ReturnsDataLoss) {
  Bytes file = Header();
  AppendBlock(file, kLe, kPcapngEnhancedPacket, Epb({0, 0, 0, 0, 0}), 34);
  EXPECT_EQ(FirstPacketStatus(file), Status::DataLoss());
}

TEST_F(PcapngBadInput, TrailingLengthMismatch_ReturnsDataLoss) {
  Bytes file = Header();
  AppendBlock(file, kLe, kPcapngEnhancedPacket, Epb({0, 0, 0, 0, 0}));
  file.back() = std::byte{1};
  EXPECT_EQ(FirstPacketStatus(file), Status::DataLoss());
}

TEST_F(PcapngBadInput, LyingLongBlockLength_ReturnsOutOfRange) {
  Bytes file = Header();
  AppendBlock(file, kLe, kPcapngEnhancedPacket, Epb({0, 0, 0, 0, 0}), 0x1000);
  EXPECT_EQ(FirstPacketStatus(file), Status::OutOfRange());
}

TEST_F(PcapngBadInput, TruncatedFile_ReturnsOutOfRangeAtTheBlock) {
  Bytes file = Header();
  const size_t packet_at = file.size();
  AppendBlock(file, kLe, kPcapngEnhancedPacket, Epb({0, 0, 0, 4, 4}, Frame(4, 0)));
  for (size_t cut = packet_at; cut < file.size(); ++cut) {
    auto reader = PcapngReader::Open(ByteSpan(file).first(cut), g_interfaces);
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ(reader->Next().status(), Status::OutOfRange()) << cut;
    EXPECT_FALSE(reader->at_end() && cut != packet_at) << cut;
  }
  for (size_t cut = 0; cut < 28; ++cut) {
    EXPECT_EQ(PcapngReader::Open(ByteSpan(file).first(cut), g_interfaces).status(),
              Status::OutOfRange())
        << cut;
  }
}

TEST_F(PcapngBadInput, UnknownInterface_ReturnsNotFound) {
  Bytes file = Header();
  const size_t packet_at = file.size();
  AppendBlock(file, kLe, kPcapngEnhancedPacket, Epb({1, 0, 0, 0, 0}));
  EXPECT_EQ(FirstPacketStatus(file), Status::NotFound());
  auto reader = PcapngReader::Open(file, g_interfaces);
  EXPECT_EQ(reader->Next().status(), Status::NotFound());
  EXPECT_EQ(reader->offset(), packet_at);  // the IDB before it was consumed, not the EPB
  Bytes no_idb;
  AppendBlock(no_idb, kLe, kPcapngSectionHeader,
              U32s(kLe, {kPcapngByteOrderMagic, 1, 0xffffffff, 0xffffffff}));
  AppendBlock(no_idb, kLe, kPcapngSimplePacket, U32s(kLe, {0}));
  EXPECT_EQ(FirstPacketStatus(no_idb), Status::NotFound());
}

TEST_F(PcapngBadInput, CaplenPastBlock_ReturnsDataLoss) {
  Bytes file = Header();
  AppendBlock(file, kLe, kPcapngEnhancedPacket, Epb({0, 0, 0, 5, 5}, Frame(4, 0)));
  EXPECT_EQ(FirstPacketStatus(file), Status::DataLoss());
}

TEST_F(PcapngBadInput, SimplePacketShorterThanOriglen_ReturnsDataLoss) {
  Bytes file = Header();  // snaplen 0: the block must hold all 9 bytes
  AppendBlock(file, kLe, kPcapngSimplePacket, Cat({U32s(kLe, {9}), Frame(8, 0)}));
  EXPECT_EQ(FirstPacketStatus(file), Status::DataLoss());
}

TEST_F(PcapngBadInput, OriglenUnderCaplen_ReturnsDataLoss) {
  Bytes file = Header();
  AppendBlock(file, kLe, kPcapngEnhancedPacket, Epb({0, 0, 0, 4, 3}, Frame(4, 0)));
  EXPECT_EQ(FirstPacketStatus(file), Status::DataLoss());
}

TEST_F(PcapngBadInput, OptionPastBlock_ReturnsDataLoss) {
  Bytes file = Header();
  AppendBlock(file, kLe, kPcapngEnhancedPacket, Epb({0, 0, 0, 0, 0}, FromHex("01000800 6162")));
  EXPECT_EQ(FirstPacketStatus(file), Status::DataLoss());
}

TEST_F(PcapngBadInput, EpbFlagsWrongSize_ReturnsDataLoss) {
  Bytes file = Header();
  AppendBlock(file, kLe, kPcapngEnhancedPacket, Epb({0, 0, 0, 0, 0}, FromHex("02000200 0100")));
  EXPECT_EQ(FirstPacketStatus(file), Status::DataLoss());
}

TEST_F(PcapngBadInput, BlockShorterThanFixedFields_ReturnsDataLoss) {
  Bytes file = Header();
  AppendBlock(file, kLe, kPcapngEnhancedPacket, U32s(kLe, {0, 0, 0, 0}));
  EXPECT_EQ(FirstPacketStatus(file), Status::DataLoss());
}

TEST_F(PcapngBadInput, TsresolTooFine_ReturnsUnimplemented) {
  Bytes file = Header();
  AppendBlock(file, kLe, kPcapngInterfaceDescription,
              Cat({U32s(kLe, {105, 0}), FromHex("09000100 14000000")}));  // 10^-20
  EXPECT_EQ(FirstPacketStatus(file), Status::Unimplemented());
}

TEST_F(PcapngBadInput, TooManyInterfaces_ReturnsResourceExhausted) {
  Bytes file = Header();
  AppendBlock(file, kLe, kPcapngInterfaceDescription, U32s(kLe, {105, 0}));
  std::array<PcapngInterface, 1> one;
  auto reader = PcapngReader::Open(file, one);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->Next().status(), Status::ResourceExhausted());
}

TEST_F(PcapngBadInput, SectionVersion2_ReturnsUnimplemented) {
  Bytes file;
  AppendBlock(file, kLe, kPcapngSectionHeader,
              U32s(kLe, {kPcapngByteOrderMagic, 2, 0xffffffff, 0xffffffff}));
  EXPECT_EQ(FirstPacketStatus(file), Status::Unimplemented());
}

TEST_F(PcapngBadInput, BadByteOrderMagicOrNotPcapng_ReturnsDataLoss) {
  Bytes file;
  AppendBlock(file, kLe, kPcapngSectionHeader, U32s(kLe, {0x1a2b3c4e, 1, 0, 0}));
  EXPECT_EQ(FirstPacketStatus(file), Status::DataLoss());
  const Bytes pcap = FromHex("d4c3b2a1 02000400 00000000 00000000 00000400 69000000");
  EXPECT_EQ(FirstPacketStatus(pcap), Status::DataLoss());
}

TEST(PcapngReader, GrowingBuffer_ByteByByte_SameAsWholeFile) {
  WrittenFile file;
  PcapngInterface iface;
  ASSERT_TRUE(WritePcapngSectionHeader(file.out(), ByteOrder::kLittle, "x").ok());
  ASSERT_TRUE(WritePcapngInterface(file.out(), ByteOrder::kLittle, iface).ok());
  for (int i = 0; i < 4; ++i) {
    PcapngPacket p;
    p.ts_ns = i * 1000;
    const Bytes data = Frame(10 + i, i);
    p.data = data;
    ASSERT_TRUE(WritePcapngPacket(file.out(), ByteOrder::kLittle, iface, p).ok());
  }
  const ByteSpan whole = file.bytes();
  size_t have = 1;
  auto reader = PcapngReader::Open(whole.first(have), g_interfaces);
  while (!reader.ok()) {
    ASSERT_EQ(reader.status(), Status::OutOfRange());
    reader = PcapngReader::Open(whole.first(++have), g_interfaces);
  }
  int count = 0;
  for (; have <= whole.size(); ++have) {
    reader->Extend(whole.first(have));
    for (auto p = reader->Next(); p.ok(); p = reader->Next()) {
      EXPECT_EQ(p->ts_ns, count * 1000);
      AIRLAB_EXPECT_BYTES_EQ(p->data, Frame(10 + count, count));
      ++count;
    }
  }
  EXPECT_EQ(count, 4);
  EXPECT_TRUE(reader->at_end());
}

TEST(PcapngWriter, CommentTooLong_ReturnsInvalidArgumentWritingNothing) {
  WrittenFile file(70'000 * 2);
  PcapngInterface iface;
  PcapngPacket packet;
  const std::string long_comment(70'000, 'c');
  packet.comment = long_comment;
  EXPECT_EQ(WritePcapngPacket(file.out(), ByteOrder::kLittle, iface, packet),
            Status::InvalidArgument());
  EXPECT_EQ(file.bytes().size(), 0u);
}

TEST(PcapngWriter, TimestampBeforeOffset_ReturnsInvalidArgument) {
  WrittenFile file;
  PcapngInterface iface;
  iface.tsoffset_s = 10;
  PcapngPacket packet;
  packet.ts_ns = 9'999'999'999;
  EXPECT_EQ(WritePcapngPacket(file.out(), ByteOrder::kLittle, iface, packet),
            Status::InvalidArgument());
}

TEST(PcapngWriter, BlockDoesNotFit_ReturnsResourceExhausted) {
  FrameBuffer<40> out;
  PcapngInterface iface;
  PcapngPacket packet;
  const Bytes data = Frame(10, 0);
  packet.data = data;
  EXPECT_EQ(WritePcapngPacket(out, ByteOrder::kLittle, iface, packet), Status::ResourceExhausted());
}

}  // namespace
}  // namespace airlab::wire
