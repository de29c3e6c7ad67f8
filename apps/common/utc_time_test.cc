// UTC text to and from epoch seconds, with GNU date as the independent oracle.

#include "apps/common/utc_time.h"

#include <gtest/gtest.h>

#include <string>

#include "core/port/rng.h"
#include "tests/run_command.h"

namespace airlab::apps {
namespace {

std::string Date(const std::string& args) {
  std::string out = testing_tools::RunCommand("date -u " + args).out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

TEST(UtcTime, FormatAndParse_MatchGnuDate) {
  port::SplitMix64 rng(99);
  std::vector<int64_t> times = {0, 951782400 /* 2000-02-29 */, 1709164799, 4102444800,
                                253402300799};
  for (int i = 0; i < 40; ++i)
    times.push_back(static_cast<int64_t>(rng.NextU64() % 253402300800ull));
  for (int64_t t : times) {
    std::array<char, kUtcTextSize> buf;
    Result<std::string_view> text = FormatUtc(t, buf);
    ASSERT_TRUE(text.ok());
    EXPECT_EQ(std::string(*text), Date("-d @" + std::to_string(t) + " +%Y-%m-%dT%H:%M:%SZ")) << t;
    Result<int64_t> back = ParseUtc(*text);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, t);
    EXPECT_EQ(std::to_string(*back), Date("-d '" + std::string(*text) + "' +%s"));
  }
}

TEST(UtcTime, Parse_OffsetsAndFractions) {
  EXPECT_EQ(ParseUtc("2018-06-14T12:12:22-0500").value(),
            std::stoll(Date("-d '2018-06-14T12:12:22-05:00' +%s")));
  EXPECT_EQ(ParseUtc("2024-05-01T14:00:00+02:00").value(),
            ParseUtc("2024-05-01T12:00:00Z").value());
  EXPECT_EQ(ParseUtc("2024-05-01 12:00:00.75Z").value(), ParseUtc("2024-05-01T12:00:00Z").value());
}

TEST(UtcTime, Parse_Malformed_ReturnsInvalidArgument) {
  for (const char* bad : {"", "2024", "2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z",
                          "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:00:00X",
                          "2024-01-01T00:00:00+2", "2024/01/01T00:00:00Z"}) {
    EXPECT_EQ(ParseUtc(bad).status(), Status::InvalidArgument()) << bad;
  }
}

}  // namespace
}  // namespace airlab::apps
