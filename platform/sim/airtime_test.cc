#include "platform/sim/airtime.h"

#include <gtest/gtest.h>

namespace airlab::sim {
namespace {

using port::kMicrosecond;

// The PPDU arithmetic is core/wire/airtime_test.cc's; here, that port::Rate reaches it.
TEST(Airtime, PortRate_SelectsPhy) {
  EXPECT_EQ(PpduTimingFor(Rate::k5_5Mbps, true, 14).payload_start(), 96 * kMicrosecond);
  // 112 bits at 5.5 Mb/s = 20.4 -> 21 us.
  EXPECT_EQ(Airtime(Rate::k5_5Mbps, true, 14), (96 + 21) * kMicrosecond);
  EXPECT_EQ(PpduTimingFor(Rate::k9Mbps, false, 14).header_rate_500kbps,
            static_cast<uint8_t>(Rate::k6Mbps));
}

TEST(Airtime, AckAt1Mbps_Is304us) {
  EXPECT_EQ(Airtime(AckRateFor(Rate::k1Mbps), false, kAckPsduBytes), 304 * kMicrosecond);
}

TEST(MacTiming, DsssDifsAndEifs_MatchAirModel) {
  const MacTiming t = MacTiming::Dsss();
  EXPECT_EQ(t.difs(), 50 * kMicrosecond);
  // EIFS = SIFS + ACK at 1 Mb/s + DIFS = 10 + 304 + 50.
  EXPECT_EQ(t.eifs_minus_difs() + t.difs(), 364 * kMicrosecond);
  EXPECT_EQ(MacTiming::ErpOfdm().difs(), 28 * kMicrosecond);
}

TEST(Airtime, UnicastExchange_MatchesAirModelBudget) {
  // docs/reference/air-model.md: DIFS + mean backoff (15.5 slots) + frame + SIFS + ACK = 3210 us.
  const MacTiming t = MacTiming::Dsss();
  const TimeNs exchange = t.difs() + 31 * t.slot / 2 + Airtime(Rate::k1Mbps, false, 293) + t.sifs +
                          Airtime(Rate::k1Mbps, false, kAckPsduBytes);
  EXPECT_EQ(exchange, 3210 * kMicrosecond);
}

}  // namespace
}  // namespace airlab::sim
