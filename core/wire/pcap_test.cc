#include "core/wire/pcap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "core/base/bytes_testing.h"

namespace airlab::wire {
namespace {

std::vector<std::byte> FromHex(const std::string& hex) {
  std::vector<std::byte> out;
  std::string digits;
  for (char c : hex) {
    if (std::isxdigit(static_cast<unsigned char>(c))) digits += c;
  }
  for (size_t i = 0; i + 1 < digits.size(); i += 2) {
    out.push_back(static_cast<std::byte>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// `text2pcap -F pcap -l 105 -t ISO` of one ESP-NOW-looking action frame stamped
// 2024-01-02T03:04:05.123456Z: a file we did not write.
const std::vector<std::byte> kText2pcapFile = FromHex(
    "d4c3b2a1 02000400 00000000 00000000 00000400 69000000"
    "257d9365 40e20100 1c000000 1c000000"
    "d0003a01 ffffffff ffff4c11 ae89bdd5 ffffffff ffff1000 7f18fe34");
const std::vector<std::byte> kText2pcapFrame =
    FromHex("d0003a01 ffffffff ffff4c11 ae89bdd5 ffffffff ffff1000 7f18fe34");
constexpr int64_t kText2pcapTsNs = 1704164645'123456000;

std::vector<std::byte> Frame(size_t size, uint8_t seed) {
  std::vector<std::byte> f(size);
  for (size_t i = 0; i < size; ++i) f[i] = static_cast<std::byte>(seed + i * 7);
  return f;
}

TEST(PcapReader, Text2pcapFile_ReadsHeaderAndRecord) {
  auto reader = PcapReader::Open(kText2pcapFile);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->header().byte_order, ByteOrder::kLittle);
  EXPECT_FALSE(reader->header().nanosecond);
  EXPECT_EQ(reader->header().version_major, 2);
  EXPECT_EQ(reader->header().version_minor, 4);
  EXPECT_EQ(reader->header().snaplen, 262144u);
  EXPECT_EQ(reader->header().link_type, kLinkTypeIeee80211);
  auto record = reader->Next();
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->ts_ns, kText2pcapTsNs);
  EXPECT_EQ(record->caplen, 28u);
  EXPECT_EQ(record->origlen, 28u);
  AIRLAB_EXPECT_BYTES_EQ(record->data, kText2pcapFrame);
  EXPECT_EQ(reader->Next().status(), Status::OutOfRange());
  EXPECT_TRUE(reader->at_end());
  EXPECT_EQ(reader->offset(), kText2pcapFile.size());
}

TEST(PcapWriter, SameRecordAsText2pcap_SameBytes) {
  std::array<std::byte, 128> storage;
  ByteBuilder out(storage);
  PcapHeader header;
  header.nanosecond = false;
  header.link_type = kLinkTypeIeee80211;
  WritePcapHeader(out, header);
  ASSERT_TRUE(WritePcapRecord(out, header, kText2pcapTsNs, kText2pcapFrame).ok());
  AIRLAB_EXPECT_BYTES_EQ(out.bytes(), kText2pcapFile);
}

TEST(PcapReader, BigEndianNanosecondFile_Reads) {
  // Hand-assembled from the draft's layout: magic a1b23c4d big endian, snaplen 65535,
  // link type 127, one 3-byte record at 1.000000002 s with origlen 10.
  const auto file = FromHex(
      "a1b23c4d 00020004 00000000 00000000 0000ffff 0000007f"
      "00000001 00000002 00000003 0000000a aabbcc");
  auto reader = PcapReader::Open(file);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->header().byte_order, ByteOrder::kBig);
  EXPECT_TRUE(reader->header().nanosecond);
  EXPECT_EQ(reader->header().snaplen, 65535u);
  EXPECT_EQ(reader->header().link_type, kLinkTypeIeee80211Radiotap);
  auto record = reader->Next();
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->ts_ns, 1'000'000'002);
  EXPECT_EQ(record->caplen, 3u);
  EXPECT_EQ(record->origlen, 10u);
  EXPECT_EQ(record->data[2], std::byte{0xcc});
}

class PcapRoundTrip : public ::testing::TestWithParam<std::tuple<ByteOrder, bool>> {};

TEST_P(PcapRoundTrip, WriteThenRead_RecordsMatch) {
  PcapHeader header;
  header.byte_order = std::get<0>(GetParam());
  header.nanosecond = std::get<1>(GetParam());
  header.snaplen = 100;
  header.link_type = 0xdeadbeef;  // any u32 passes through
  const auto small = Frame(10, 1);
  const auto big = Frame(300, 2);  // cut to snaplen
  const int64_t t0 = 1'700'000'000'123'456'789;
  std::vector<std::byte> storage(1024);
  ByteBuilder out(storage);
  WritePcapHeader(out, header);
  ASSERT_TRUE(WritePcapRecord(out, header, t0, small).ok());
  ASSERT_TRUE(WritePcapRecord(out, header, t0 + 1, big).ok());
  ASSERT_TRUE(WritePcapRecord(out, header, 0, {}, 60).ok());  // nothing captured of 60 bytes
  ASSERT_TRUE(out.ok());

  auto reader = PcapReader::Open(out.bytes());
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->header().byte_order, header.byte_order);
  EXPECT_EQ(reader->header().nanosecond, header.nanosecond);
  EXPECT_EQ(reader->header().snaplen, 100u);
  EXPECT_EQ(reader->header().link_type, 0xdeadbeefu);
  const int64_t step = header.nanosecond ? 1 : 1000;  // microsecond files truncate
  auto r1 = reader->Next();
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(r1->ts_ns, t0 / step * step);
  EXPECT_EQ(r1->caplen, 10u);
  EXPECT_EQ(r1->origlen, 10u);
  AIRLAB_EXPECT_BYTES_EQ(r1->data, small);
  auto r2 = reader->Next();
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->ts_ns, (t0 + 1) / step * step);
  EXPECT_EQ(r2->caplen, 100u);
  EXPECT_EQ(r2->origlen, 300u);
  AIRLAB_EXPECT_BYTES_EQ(r2->data, ByteSpan(big).first(100));
  auto r3 = reader->Next();
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(r3->ts_ns, 0);
  EXPECT_EQ(r3->caplen, 0u);
  EXPECT_EQ(r3->origlen, 60u);
  EXPECT_EQ(reader->Next().status(), Status::OutOfRange());
  EXPECT_TRUE(reader->at_end());
}

INSTANTIATE_TEST_SUITE_P(AllFlavours, PcapRoundTrip,
                         ::testing::Combine(::testing::Values(ByteOrder::kLittle, ByteOrder::kBig),
                                            ::testing::Bool()));

TEST(PcapReader, Open_ShortHeader_ReturnsOutOfRange) {
  EXPECT_EQ(PcapReader::Open(ByteSpan(kText2pcapFile).first(23)).status(), Status::OutOfRange());
}

TEST(PcapReader, Open_BadMagic_ReturnsDataLoss) {
  auto file = kText2pcapFile;
  file[0] = std::byte{0x0a};  // a pcapng SHB starts 0a0d0d0a
  EXPECT_EQ(PcapReader::Open(file).status(), Status::DataLoss());
}

TEST(PcapReader, Open_MajorVersion3_ReturnsUnimplemented) {
  auto file = kText2pcapFile;
  file[4] = std::byte{3};
  EXPECT_EQ(PcapReader::Open(file).status(), Status::Unimplemented());
}

TEST(PcapReader, Next_CaplenOverSnaplen_ReturnsDataLoss) {
  auto file = kText2pcapFile;
  file[16] = std::byte{27};  // snaplen 27 < caplen 28
  file[17] = file[18] = std::byte{0};
  auto reader = PcapReader::Open(file);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->Next().status(), Status::DataLoss());
  EXPECT_EQ(reader->offset(), kPcapHeaderSize);  // nothing consumed
}

TEST(PcapReader, Next_OriglenUnderCaplen_ReturnsDataLoss) {
  auto file = kText2pcapFile;
  file[36] = std::byte{27};  // origlen 27 < caplen 28
  auto reader = PcapReader::Open(file);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->Next().status(), Status::DataLoss());
}

TEST(PcapReader, Next_HugeCaplen_IsCorruptNotTruncated) {
  auto file = kText2pcapFile;
  file[32 + 3] = std::byte{0x7f};  // caplen 0x7f00001c: over snaplen 262144
  file[36 + 3] = std::byte{0x7f};
  auto reader = PcapReader::Open(file);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->Next().status(), Status::DataLoss());
}

TEST(PcapReader, Next_CaplenPastEnd_ReturnsOutOfRangeWithoutReading) {
  auto file = kText2pcapFile;
  file.pop_back();  // the record's last byte is missing
  auto reader = PcapReader::Open(file);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->Next().status(), Status::OutOfRange());
  EXPECT_FALSE(reader->at_end());  // truncated, not a clean end
  EXPECT_EQ(reader->offset(), kPcapHeaderSize);
  EXPECT_EQ(PcapReader::Open(ByteSpan(file).first(30))->Next().status(), Status::OutOfRange());
}

TEST(PcapReader, SnaplenZero_MeansNoLimit) {
  auto file = kText2pcapFile;
  file[16] = file[17] = file[18] = file[19] = std::byte{0};
  auto reader = PcapReader::Open(file);
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE(reader->Next().ok());
}

TEST(PcapReader, GrowingBuffer_ByteByByte_SameRecordsAsWholeFile) {
  PcapHeader header;
  std::vector<std::byte> storage(2048);
  ByteBuilder out(storage);
  WritePcapHeader(out, header);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(WritePcapRecord(out, header, 1000 * i, Frame(50 + i * 30, i)).ok());
  }
  const ByteSpan file = out.bytes();

  ASSERT_EQ(PcapReader::Open(file.first(kPcapHeaderSize - 1)).status(), Status::OutOfRange());
  auto reader = PcapReader::Open(file.first(kPcapHeaderSize));
  ASSERT_TRUE(reader.ok());
  std::vector<PcapRecord> records;
  for (size_t have = kPcapHeaderSize; have <= file.size(); ++have) {
    reader->Extend(file.first(have));
    while (true) {
      auto record = reader->Next();
      if (!record.ok()) {
        ASSERT_EQ(record.status(), Status::OutOfRange());
        break;
      }
      records.push_back(*record);
    }
  }
  ASSERT_EQ(records.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(records[i].ts_ns, 1000 * i);
    AIRLAB_EXPECT_BYTES_EQ(records[i].data, Frame(50 + i * 30, i));
  }
  EXPECT_TRUE(reader->at_end());
}

TEST(PcapWriter, TimestampOutsideU32Seconds_ReturnsInvalidArgument) {
  FrameBuffer<64> out;
  PcapHeader header;
  EXPECT_EQ(WritePcapRecord(out, header, -1, {}), Status::InvalidArgument());
  EXPECT_EQ(WritePcapRecord(out, header, (int64_t{UINT32_MAX} + 1) * 1'000'000'000, {}),
            Status::InvalidArgument());
  EXPECT_TRUE(WritePcapRecord(out, header, int64_t{UINT32_MAX} * 1'000'000'000, {}).ok());
}

TEST(PcapWriter, RecordDoesNotFit_ReturnsResourceExhaustedWritingNothing) {
  FrameBuffer<40> out;
  PcapHeader header;
  WritePcapHeader(out, header);
  const auto frame = Frame(1, 0);
  EXPECT_EQ(WritePcapRecord(out, header, 0, frame), Status::ResourceExhausted());
  EXPECT_EQ(out.size(), kPcapHeaderSize);
}

}  // namespace
}  // namespace airlab::wire
