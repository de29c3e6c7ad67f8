#include "core/wifi/escape.h"

#include <array>
#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace airlab::wifi {
namespace {

using EscapeFn = Status (*)(ByteBuilder&, ByteSpan);

ByteSpan Bytes(std::string_view s) { return AsBytes(s.data(), s.size()); }

std::string Escaped(EscapeFn escape, std::string_view text) {
  std::array<std::byte, 512> storage;
  ByteBuilder out(storage);
  EXPECT_TRUE(escape(out, AsBytes(text.data(), text.size())).ok());
  return std::string(reinterpret_cast<const char*>(out.bytes().data()), out.size());
}

TEST(EscapeTest, HtmlEscapesMarkupAndQuotes) {
  EXPECT_EQ(Escaped(AppendHtmlEscaped, "<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;");
}

TEST(EscapeTest, HtmlShowsRawBytesAndKeepsUtf8) {
  EXPECT_EQ(Escaped(AppendHtmlEscaped, "caf\xc3\xa9 \xff\x01\\"), "caf\xc3\xa9 \\xff\\x01\\\\");
}

TEST(EscapeTest, JsonEscapesQuotesControlsAndInvalidBytes) {
  EXPECT_EQ(Escaped(AppendJsonEscaped, "a\"b\\c\n\xfe\xe2\x82\xac"),
            "a\\\"b\\\\c\\u000a\\u00fe\xe2\x82\xac");
}

TEST(EscapeTest, Utf8RejectsOverlongSurrogatesAndTruncation) {
  EXPECT_EQ(Utf8SequenceLength(Bytes("\xc0\x80")), 0u);
  EXPECT_EQ(Utf8SequenceLength(Bytes("\xed\xa0\x80")), 0u);
  EXPECT_EQ(Utf8SequenceLength(Bytes("\xf4\x90\x80\x80")), 0u);
  EXPECT_EQ(Utf8SequenceLength(Bytes("\xe2\x82")), 0u);
  EXPECT_EQ(Utf8SequenceLength(Bytes("\xf0\x9f\x98\x80")), 4u);
}

TEST(EscapeTest, FullOutputIsReported) {
  std::array<std::byte, 4> storage;
  ByteBuilder out(storage);
  EXPECT_EQ(AppendHtmlEscaped(out, Bytes("<<")).code(), Status::Code::kResourceExhausted);
}

}  // namespace
}  // namespace airlab::wifi
