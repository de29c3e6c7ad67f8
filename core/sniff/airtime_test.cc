#include "core/sniff/airtime.h"

#include <gtest/gtest.h>

namespace airlab::sniff {
namespace {

constexpr port::TimeNs kUs = port::kMicrosecond;

// Worked by hand from the clause formulas (see airtime.h).
TEST(LegacyAirtime, Dsss_LongAndShortPreamble) {
  EXPECT_EQ(LegacyAirtime(2, false, 100), (192 + 800) * kUs);
  EXPECT_EQ(LegacyAirtime(2, true, 100), (192 + 800) * kUs);  // 1 Mb/s has no short PLCP
  EXPECT_EQ(LegacyAirtime(22, true, 1500), (96 + 1091) * kUs);  // 12000 bits / 11 rounded up
  EXPECT_EQ(LegacyAirtime(11, false, 14), (192 + 21) * kUs);    // 112 / 5.5 = 20.4
}

TEST(LegacyAirtime, Ofdm_SymbolsPreambleAndExtension) {
  EXPECT_EQ(LegacyAirtime(108, false, 1500), (20 + 4 * 56 + 6) * kUs);  // 12022 / 216
  EXPECT_EQ(LegacyAirtime(12, false, 14), (20 + 4 * 6 + 6) * kUs);      // ACK at 6 Mb/s: 134 / 24
}

TEST(LegacyAirtime, UnknownRate_IsZero) {
  EXPECT_EQ(LegacyAirtime(0, false, 100), 0);
  EXPECT_EQ(LegacyAirtime(13, false, 100), 0);
}

TEST(HtAirtime, OneAndTwoStreams) {
  EXPECT_EQ(HtAirtime(7, false, false, 1500), (36 + 4 * 47 + 6) * kUs);  // 12022 / 260
  EXPECT_EQ(HtAirtime(15, false, false, 1500), (40 + 4 * 24 + 6) * kUs);  // 12022 / 520
  // Short GI: 47 symbols of 3.6 us = 169.2, rounded up to 172 us.
  EXPECT_EQ(HtAirtime(7, false, true, 1500), (36 + 172 + 6) * kUs);
  EXPECT_EQ(HtAirtime(32, false, false, 1500), 0);
}

}  // namespace
}  // namespace airlab::sniff
