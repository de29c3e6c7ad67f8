#include "server/timestamp.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "tests/run_command.h"

namespace airlab::server {
namespace {

// GNU date as an independent oracle for the calendar arithmetic.
std::optional<long long> DateOracleSeconds(const std::string& text) {
  const std::string out = testing_tools::RunCommand("date -u -d '" + text + "' +%s").out;
  long long seconds = 0;
  if (std::sscanf(out.c_str(), "%lld", &seconds) != 1) return std::nullopt;
  return seconds;
}

TEST(Timestamp, Parse_IsoAndMysqlForms_MatchGnuDate) {
  const char* cases[] = {
      "2024-05-01T12:00:00Z", "2024-05-01 12:00:00",       "2024-02-29T23:59:59Z",
      "2014-12-31 23:59:59",  "2024-05-01T14:00:00+02:00", "2024-05-01T07:30:00-0430",
      "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z",      "2038-01-19T03:14:08Z",
      "2100-03-01T00:00:00Z",
  };
  for (const char* text : cases) {
    std::optional<TimeMs> t = ParseTimestamp(text);
    ASSERT_TRUE(t.has_value()) << text;
    std::optional<long long> oracle = DateOracleSeconds(text);
    ASSERT_TRUE(oracle.has_value()) << "date could not read " << text;
    EXPECT_EQ(*t, *oracle * 1000) << text;
  }
}

TEST(Timestamp, Parse_FractionAndEpoch_KeepMilliseconds) {
  EXPECT_EQ(ParseTimestamp("2024-05-01T12:00:00.25Z"), 1714564800250);
  EXPECT_EQ(ParseTimestamp("2024-05-01T12:00:00.123456Z"), 1714564800123);
  EXPECT_EQ(ParseTimestamp("1714564800"), 1714564800000);
  EXPECT_EQ(ParseTimestamp("1714564800.5"), 1714564800500);
  EXPECT_EQ(ParseTimestamp("2024-05-01"), 1714521600000);
  EXPECT_EQ(ParseTimestamp(" 2024-05-01 12:00:00 UTC "), 1714564800000);
}

TEST(Timestamp, Parse_Malformed_ReturnsNullopt) {
  for (const char* text :
       {"", "yesterday", "2024-02-30T00:00:00Z", "2023-02-29", "2024-13-01", "2024-05-01T24:00:00Z",
        "2024-05-01T12:60:00Z", "2024-05-01T12:00:00+25:00", "2024-05-01T12:00:00Zjunk", "2024-5-1",
        "1714564800x", "12345678901234", "2024-05-01T12", "'; DROP TABLE entries;--"}) {
    EXPECT_FALSE(ParseTimestamp(text).has_value()) << text;
  }
}

TEST(Timestamp, Format_WholeSecondsWithZ_RoundTrips) {
  EXPECT_EQ(FormatTimestamp(1714564800250), "2024-05-01T12:00:00Z");
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatTimestamp(-62198755200000), "-0001-01-01T00:00:00Z");  // outside 4 digits
  EXPECT_EQ(FormatTimestamp(253402300799000), "9999-12-31T23:59:59Z");
  EXPECT_EQ(FormatTimestamp(253402300800000), "10000-01-01T00:00:00Z");
  // Every day from 1900 to 2100 against std::chrono's calendar.
  using namespace std::chrono;
  for (sys_days d = sys_days{1900y / January / 1}; d < sys_days{2101y / January / 1};
       d += days{1}) {
    TimeMs t = static_cast<TimeMs>(d.time_since_epoch().count()) * 86400000 + 45296000;  // 12:34:56
    year_month_day ymd{d};
    char expected[32];
    std::snprintf(expected, sizeof expected, "%04d-%02u-%02uT12:34:56Z",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    ASSERT_EQ(FormatTimestamp(t), expected);
    ASSERT_EQ(ParseTimestamp(expected), t);
  }
}

}  // namespace
}  // namespace airlab::server
