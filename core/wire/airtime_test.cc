#include "core/wire/airtime.h"

#include <gtest/gtest.h>

namespace airlab::wire {
namespace {

constexpr port::TimeNs kUs = port::kMicrosecond;

// Worked by hand from the clause formulas (see airtime.h); platform/sim's ns3_oracle_test
// checks every legacy rate and size against ns-3's WifiPhy::CalculateTxDuration.
TEST(LegacyAirtime, Dsss_LongAndShortPreamble) {
  EXPECT_EQ(LegacyAirtime(2, false, 100), (192 + 800) * kUs);
  EXPECT_EQ(LegacyAirtime(2, true, 100), (192 + 800) * kUs);    // 1 Mb/s has no short PLCP
  EXPECT_EQ(LegacyAirtime(22, true, 1500), (96 + 1091) * kUs);  // 12000 bits / 11 rounded up
  EXPECT_EQ(LegacyAirtime(11, false, 14), (192 + 21) * kUs);    // 112 / 5.5 = 20.4
  // A 250-byte ESP-NOW payload makes a 293-byte PSDU: 192 us + 8 us/byte (air-model.md).
  EXPECT_EQ(LegacyAirtime(2, false, 293), 2536 * kUs);
}

TEST(LegacyPpduTiming, Dsss_SplitsPreambleHeaderAndPayload) {
  const PpduTiming long_plcp = LegacyPpduTiming(22, false, 100);
  EXPECT_EQ(long_plcp.header_start(), 144 * kUs);
  EXPECT_EQ(long_plcp.payload_start(), 192 * kUs);
  EXPECT_EQ(long_plcp.header_rate_500kbps, 2);
  const PpduTiming short_plcp = LegacyPpduTiming(4, true, 100);
  EXPECT_EQ(short_plcp.header_start(), 72 * kUs);
  EXPECT_EQ(short_plcp.payload_start(), 96 * kUs);
  EXPECT_EQ(short_plcp.header_rate_500kbps, 4);
  EXPECT_EQ(LegacyPpduTiming(2, true, 100).payload_start(), 192 * kUs);
}

TEST(LegacyAirtime, Ofdm_SymbolsPreambleAndExtension) {
  EXPECT_EQ(LegacyAirtime(108, false, 1500), (20 + 4 * 56 + 6) * kUs);  // 12022 / 216
  EXPECT_EQ(LegacyAirtime(12, false, 14), (20 + 4 * 6 + 6) * kUs);      // ACK at 6 Mb/s: 134 / 24
  EXPECT_EQ(LegacyAirtime(108, false, 293), (20 + 4 * 11 + 6) * kUs);   // 2366 / 216
  const PpduTiming t = LegacyPpduTiming(108, true, 293);                // no short preamble in OFDM
  EXPECT_EQ(t.header_start(), 16 * kUs);
  EXPECT_EQ(t.payload_start(), 20 * kUs);
  EXPECT_EQ(t.header_rate_500kbps, 12);
}

TEST(LegacyAirtime, UnknownRate_IsZero) {
  EXPECT_EQ(LegacyAirtime(0, false, 100), 0);
  EXPECT_EQ(LegacyAirtime(13, false, 100), 0);
  EXPECT_EQ(LegacyPpduTiming(13, false, 100).header_rate_500kbps, 0);
}

TEST(HtAirtime, OneAndTwoStreams) {
  EXPECT_EQ(HtAirtime(7, false, false, 1500), (36 + 4 * 47 + 6) * kUs);   // 12022 / 260
  EXPECT_EQ(HtAirtime(15, false, false, 1500), (40 + 4 * 24 + 6) * kUs);  // 12022 / 520
  // Short GI: 47 symbols of 3.6 us = 169.2, rounded up to 172 us.
  EXPECT_EQ(HtAirtime(7, false, true, 1500), (36 + 172 + 6) * kUs);
  EXPECT_EQ(HtAirtime(32, false, false, 1500), 0);
}

}  // namespace
}  // namespace airlab::wire
