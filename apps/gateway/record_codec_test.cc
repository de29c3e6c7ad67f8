#include "apps/gateway/record_codec.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "apps/common/fake_ports_testing.h"
#include "apps/gateway/status_tag.h"

namespace airlab::apps {
namespace {

using testing::ToBytes;
using testing::ToString;

const MacAddress kNode({0x02, 0x00, 0x00, 0x00, 0x00, 0x07});

TEST(RecordCodec, WriteThenParse_GivesTheReadingBack) {
  std::array<std::byte, 64> buffer{};
  const testing::Bytes value = ToBytes("21.5");
  Result<ByteSpan> record = WriteRecord(buffer, 3, kNode, -1234, value);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->size(), kRecordHeaderSize + 4);
  Result<RecordView> r = ParseRecord(*record);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->field, 3);
  EXPECT_EQ(r->node, kNode);
  EXPECT_EQ(r->time_ms, -1234);
  EXPECT_EQ(ToString(r->value), "21.5");
}

TEST(RecordCodec, Parse_ShortOrOtherVersion_IsDataLoss) {
  std::array<std::byte, 64> buffer{};
  ByteSpan record = WriteRecord(buffer, 1, kNode, 0, ToBytes("x")).value();
  EXPECT_EQ(ParseRecord(record.first(kRecordHeaderSize - 1)).status(), Status::DataLoss());
  buffer[0] = std::byte{2};
  EXPECT_EQ(ParseRecord(record).status(), Status::DataLoss());
}

TEST(RecordCodec, Write_TooSmall_Fails) {
  std::array<std::byte, kRecordHeaderSize + 1> buffer{};
  EXPECT_FALSE(WriteRecord(buffer, 1, kNode, 0, ToBytes("xy")).ok());
}

TEST(RecordCodec, UsableValue_WhatTheCloudStores) {
  EXPECT_TRUE(UsableValue(1, ToBytes("21.5")));
  EXPECT_FALSE(UsableValue(1, ToBytes("")));
  EXPECT_FALSE(UsableValue(9, ToBytes("21.5")));                 // no field 9
  EXPECT_FALSE(UsableValue(1, ToBytes(std::string(256, 'a'))));  // over 255 characters
  EXPECT_TRUE(UsableValue(1, ToBytes(std::string(255, 'a'))));
  EXPECT_FALSE(UsableValue(1, ToBytes(std::string("\xff\xfe"))));  // not UTF-8
}

TEST(RecordCodec, Utf8Prefix_EndsOnACharacter) {
  const testing::Bytes text = ToBytes(
      "a\xc3\xa9"
      "b");  // a, e-acute (2 bytes), b
  EXPECT_EQ(Utf8Prefix(text, 10), 4u);
  EXPECT_EQ(Utf8Prefix(text, 3), 3u);
  EXPECT_EQ(Utf8Prefix(text, 2), 1u);  // not half of the e-acute
}

TEST(RecordCodec, MarkKeys_NameTheNodeAndTheirNamespace) {
  EXPECT_EQ(MacFromKey(MacKey(kNode)), kNode);
  EXPECT_EQ(NodeMarkKey(kNode) & kMacBits, MacKey(kNode));
  EXPECT_NE(NodeMarkKey(kNode), SequenceMarkKey(kNode));
  EXPECT_LT(FieldsMarkKey(0xffffffff), port::DurableQueue::kMaxMarkKey);
}

TEST(StatusTag, WriteThenMatch_GivesTheIdBack) {
  StatusTag tag;
  tag.Set("gw-1", 0xabc);
  EXPECT_EQ(tag.prefix(), "airlab gw-1 00000abc #");
  std::array<char, 96> out{};
  const size_t n = tag.Write(42, out);
  EXPECT_EQ(std::string_view(out.data(), n), "airlab gw-1 00000abc #42");
  Result<uint64_t> id = tag.Match(std::string_view(out.data(), n));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, 42u);
}

TEST(StatusTag, Match_OthersTags_NotFound) {
  StatusTag tag;
  tag.Set("gw", 1);
  EXPECT_EQ(tag.Match("airlab gw 00000002 #5").status(), Status::NotFound());  // another queue
  EXPECT_EQ(tag.Match("airlab gx 00000001 #5").status(), Status::NotFound());  // another gateway
  EXPECT_EQ(tag.Match("airlab gw 00000001 #").status(), Status::NotFound());
  EXPECT_EQ(tag.Match("airlab gw 00000001 #5x").status(), Status::NotFound());
  EXPECT_EQ(tag.Match("airlab gw 00000001 #99999999999999999999").status(), Status::NotFound());
  EXPECT_TRUE(tag.Match("airlab gw 00000001 #5").ok());
}

TEST(StatusTag, ValidName_PrintableWithoutSpaces) {
  EXPECT_TRUE(StatusTag::ValidName("gw-02:00:00:00:00:01"));
  EXPECT_FALSE(StatusTag::ValidName(""));
  EXPECT_FALSE(StatusTag::ValidName("my gateway"));
  EXPECT_FALSE(StatusTag::ValidName(std::string(33, 'g')));
}

}  // namespace
}  // namespace airlab::apps
