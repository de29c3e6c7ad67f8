#include "platform/sim/airtime.h"

#include <gtest/gtest.h>

namespace airlab::sim {
namespace {

using port::kMicrosecond;

TEST(Airtime, EspNowFrameAt1Mbps_Is2536us) {
  // air-model.md: a 250-byte ESP-NOW payload makes a 293-byte PSDU: 192 us + 8 us/byte.
  EXPECT_EQ(Airtime(Rate::k1Mbps, false, 293), 2536 * kMicrosecond);
}

TEST(Airtime, AckAt1Mbps_Is304us) {
  EXPECT_EQ(Airtime(AckRateFor(Rate::k1Mbps), false, kAckPsduBytes), 304 * kMicrosecond);
}

TEST(Airtime, ShortPreamble_Is96usExceptAt1Mbps) {
  EXPECT_EQ(PpduTimingFor(Rate::k2Mbps, true, 100).payload_start(), 96 * kMicrosecond);
  EXPECT_EQ(PpduTimingFor(Rate::k1Mbps, true, 100).payload_start(), 192 * kMicrosecond);
  EXPECT_EQ(PpduTimingFor(Rate::k11Mbps, false, 100).payload_start(), 192 * kMicrosecond);
  // 1500 bytes at 11 Mb/s: 12000 bits / 11 = 1090.9 -> 1091 us.
  EXPECT_EQ(Airtime(Rate::k11Mbps, true, 1500), (96 + 1091) * kMicrosecond);
}

TEST(Airtime, Ofdm_CountsServiceTailSymbolsAndSignalExtension) {
  // 14-byte ACK at 6 Mb/s: 16 + 112 + 6 = 134 bits in 24-bit symbols -> 6 symbols.
  EXPECT_EQ(Airtime(Rate::k6Mbps, false, 14), (20 + 6 * 4 + 6) * kMicrosecond);
  // 293 bytes at 54 Mb/s: 16 + 2344 + 6 = 2366 bits / 216 -> 11 symbols.
  EXPECT_EQ(Airtime(Rate::k54Mbps, false, 293), (20 + 11 * 4 + 6) * kMicrosecond);
}

TEST(MacTiming, DsssDifsAndEifs_MatchAirModel) {
  const MacTiming t = MacTiming::Dsss();
  EXPECT_EQ(t.difs(), 50 * kMicrosecond);
  // EIFS = SIFS + ACK at 1 Mb/s + DIFS = 10 + 304 + 50.
  EXPECT_EQ(t.eifs_minus_difs() + t.difs(), 364 * kMicrosecond);
  EXPECT_EQ(MacTiming::ErpOfdm().difs(), 28 * kMicrosecond);
}

TEST(Airtime, UnicastExchange_MatchesAirModelBudget) {
  // air-model.md: DIFS + mean backoff (15.5 slots) + frame + SIFS + ACK = 3210 us.
  const MacTiming t = MacTiming::Dsss();
  const TimeNs exchange = t.difs() + 31 * t.slot / 2 + Airtime(Rate::k1Mbps, false, 293) + t.sifs +
                          Airtime(Rate::k1Mbps, false, kAckPsduBytes);
  EXPECT_EQ(exchange, 3210 * kMicrosecond);
}

}  // namespace
}  // namespace airlab::sim
