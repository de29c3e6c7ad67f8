#include <gtest/gtest.h>

#include <cstring>

#include "core/base/ascii.h"
#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/result.h"

namespace airlab {
namespace {

Result<int> Half(int v) {
  if (v % 2) return Status::InvalidArgument();
  return v / 2;
}

Status Quarter(int v, int& out) {
  AIRLAB_TRY_ASSIGN(int half, Half(v));
  AIRLAB_TRY_ASSIGN(out, Half(half));
  return Status::Ok();
}

TEST(Result, TryAssign_PropagatesFirstError) {
  int out = -1;
  EXPECT_EQ(Quarter(8, out), Status::Ok());
  EXPECT_EQ(out, 2);
  EXPECT_EQ(Quarter(6, out), Status::InvalidArgument());
  EXPECT_EQ(Quarter(5, out), Status::InvalidArgument());
  EXPECT_STREQ(Status::OutOfRange().str(), "out_of_range");
}

TEST(Bytes, LoadStore_BothOrders) {
  std::array<std::byte, 8> b{};
  store_le32(b, 0, 0x11223344);
  store_be32(b, 4, 0x11223344);
  EXPECT_EQ(load_u8(b, 0), 0x44);
  EXPECT_EQ(load_u8(b, 4), 0x11);
  EXPECT_EQ(load_le32(b, 0), 0x11223344u);
  EXPECT_EQ(load_be32(b, 4), 0x11223344u);
  EXPECT_EQ(load_le64(b, 0), 0x4433221111223344ull);
  static_assert(InBounds(10, 10, 0));
  static_assert(!InBounds(10, 11, 0));
  static_assert(!InBounds(10, 2, SIZE_MAX));
}

TEST(ByteBuilder, Overflow_IsStickyAndWritesNothingPastEnd) {
  std::array<std::byte, 5> b{};
  ByteBuilder w(b);
  w.PutLe16(0xbeef).PutLe32(1).PutU8(7);
  EXPECT_EQ(w.status(), Status::ResourceExhausted());
  EXPECT_EQ(w.size(), 2u);
  EXPECT_EQ(load_le16(w.bytes(), 0), 0xbeef);
}

TEST(Ascii, HexDigitValue_EveryByte) {
  for (int c = -128; c < 128; ++c) {
    const char ch = static_cast<char>(c);
    const char* digits = "0123456789abcdef";
    const char* at =
        ch != 0 ? std::strchr(digits, ch >= 'A' && ch <= 'F' ? ch - 'A' + 'a' : ch) : nullptr;
    EXPECT_EQ(HexDigitValue(ch), at ? static_cast<int>(at - digits) : -1) << c;
  }
}

TEST(Ascii, EqualsIgnoreCase_AsciiOnly) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Length", "content-LENGTH"));
  EXPECT_FALSE(EqualsIgnoreCase("and", "an"));
  EXPECT_FALSE(EqualsIgnoreCase("[", "{"));                // 0x5b and 0x7b differ by the case bit
  EXPECT_FALSE(EqualsIgnoreCase("\xc3\x89", "\xc3\xa9"));  // not ASCII: compared as bytes
  static_assert(EqualsIgnoreCase("NOT", "not"));
}

TEST(MacAddress, ParseAndFormat_RoundTrip) {
  const char* text = "4c:11:ae:89:bd:d5";
  auto mac = MacAddress::Parse(text, std::strlen(text));
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ((*mac)[0], 0x4c);
  char out[18];
  mac->Format(out);
  EXPECT_STREQ(out, text);
  EXPECT_EQ(MacAddress::Parse("4c11ae89bdd5", 12).value(), *mac);
  EXPECT_FALSE(MacAddress::Parse("4c:11:ae:89:bd:z5", 17).ok());
  EXPECT_FALSE(MacAddress::Parse("4c:11", 5).ok());
  EXPECT_TRUE(MacAddress::Broadcast().is_broadcast());
}

}  // namespace
}  // namespace airlab
