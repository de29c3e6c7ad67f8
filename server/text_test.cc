#include "server/text.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <random>

namespace airlab::server {
namespace {

TEST(Text, AppendJsonString_NlohmannReadsBackTheSameText) {
  std::mt19937 rng(7);
  const std::string pieces[] = {"a", "\"", "\\", "\n", "\t", "\x01", "\x7f",      "<", ">",
                                "&", "/",  "é",  "€",  "𝄞",  "'",    "</script>", "\r"};
  for (int round = 0; round < 500; ++round) {
    std::string s;
    for (int i = 0; i < 12; ++i) s += pieces[rng() % std::size(pieces)];
    std::string out;
    AppendJsonString(out, s);
    EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), s) << out;
    EXPECT_EQ(out.find('<'), std::string::npos);  // never a literal '<' in an answer
  }
}

TEST(Text, AppendCsvField_QuotesOnlyWhenNeeded) {
  std::string out;
  AppendCsvField(out, "plain");
  out += '|';
  AppendCsvField(out, "a,b");
  out += '|';
  AppendCsvField(out, "say \"hi\"\n");
  EXPECT_EQ(out, "plain|\"a,b\"|\"say \"\"hi\"\"\n\"");
}

TEST(Text, IsValidUtf8_RejectsOverlongSurrogatesAndTruncation) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("é€𝄞"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // UTF-16 surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("abc\xe2\x82"));       // cut short
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\x80"));
}

TEST(Text, Utf8Length_CountsCodePoints) {
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("é€𝄞"), 3u);
}

TEST(Text, ParseForm_DecodesPercentAndPlus) {
  auto pairs = ParseForm("field1=21.5&status=hello+world%21&empty=&flag&bad=%zz&&x%3Dy=1");
  ASSERT_EQ(pairs.size(), 6u);
  EXPECT_EQ(pairs[0], (std::pair<std::string, std::string>{"field1", "21.5"}));
  EXPECT_EQ(pairs[1].second, "hello world!");
  EXPECT_EQ(pairs[2].second, "");
  EXPECT_EQ(pairs[3].first, "flag");
  EXPECT_EQ(pairs[4].second, "%zz");
  EXPECT_EQ(pairs[5].first, "x=y");
}

}  // namespace
}  // namespace airlab::server
