#include "core/wire/dot11.h"

#include <gtest/gtest.h>

#include <cstring>

namespace airlab::wire {
namespace {

TEST(Crc32, CheckValue_MatchesPublishedVector) {
  // The CRC-32/ISO-HDLC check value: CRC of ASCII "123456789" is 0xcbf43926.
  const char* text = "123456789";
  EXPECT_EQ(Crc32(AsBytes(text, std::strlen(text))), 0xcbf43926u);
}

TEST(Dot11View, MgmtHeader_RoundTrip) {
  FrameBuffer<64> buf;
  MgmtHeader h;
  h.fc = FrameControl::Make(FrameType::kManagement, 13);
  h.addr1 = MacAddress({1, 2, 3, 4, 5, 6});
  h.addr2 = MacAddress({0x4c, 0x11, 0xae, 0x89, 0xbd, 0xd5});
  h.addr3 = MacAddress::Broadcast();
  h.seq = SequenceControl::Make(0x123, 0);
  WriteMgmtHeader(buf, h);
  AppendFcs(buf);
  ASSERT_TRUE(buf.ok());
  EXPECT_EQ(buf.size(), 28u);
  EXPECT_TRUE(CheckFcs(buf.bytes()));
  auto view = Dot11View::Parse(buf.bytes().first(24));
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->fc().raw, 0x00d0);
  EXPECT_EQ(view->addr2(), h.addr2);
  EXPECT_EQ(view->addr3(), h.addr3);
  EXPECT_EQ(view->seq().sequence(), 0x123);
}

TEST(Dot11View, Parse_Truncated_ReturnsOutOfRange) {
  std::array<std::byte, 23> b{};
  b[0] = std::byte{0xd0};
  EXPECT_EQ(Dot11View::Parse(b).status(), Status::OutOfRange());
  EXPECT_EQ(Dot11View::Parse(ByteSpan(b).first(1)).status(), Status::OutOfRange());
}

}  // namespace
}  // namespace airlab::wire
