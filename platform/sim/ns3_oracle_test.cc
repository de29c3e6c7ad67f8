// The sim against ns-3 3.37 itself (Debian's libns3-dev, built with GSL): airtimes and
// chunk success rates must be what ns-3 computes, so that a scenario run here and in ns-3
// gives the same answers.

#include <gtest/gtest.h>

#include <cmath>

#include "ns3/dsss-phy.h"
#include "ns3/erp-ofdm-phy.h"
#include "ns3/nist-error-rate-model.h"
#include "ns3/wifi-phy.h"
#include "ns3/wifi-tx-vector.h"
#include "platform/sim/airtime.h"
#include "platform/sim/error_model.h"

namespace airlab::sim {
namespace {

struct RateCase {
  port::Rate rate;
  ns3::WifiMode (*mode)();
};

const RateCase kRates[] = {
    {port::Rate::k1Mbps, ns3::DsssPhy::GetDsssRate1Mbps},
    {port::Rate::k2Mbps, ns3::DsssPhy::GetDsssRate2Mbps},
    {port::Rate::k5_5Mbps, ns3::DsssPhy::GetDsssRate5_5Mbps},
    {port::Rate::k11Mbps, ns3::DsssPhy::GetDsssRate11Mbps},
    {port::Rate::k6Mbps, ns3::ErpOfdmPhy::GetErpOfdmRate6Mbps},
    {port::Rate::k9Mbps, ns3::ErpOfdmPhy::GetErpOfdmRate9Mbps},
    {port::Rate::k12Mbps, ns3::ErpOfdmPhy::GetErpOfdmRate12Mbps},
    {port::Rate::k18Mbps, ns3::ErpOfdmPhy::GetErpOfdmRate18Mbps},
    {port::Rate::k24Mbps, ns3::ErpOfdmPhy::GetErpOfdmRate24Mbps},
    {port::Rate::k36Mbps, ns3::ErpOfdmPhy::GetErpOfdmRate36Mbps},
    {port::Rate::k48Mbps, ns3::ErpOfdmPhy::GetErpOfdmRate48Mbps},
    {port::Rate::k54Mbps, ns3::ErpOfdmPhy::GetErpOfdmRate54Mbps},
};

ns3::WifiTxVector TxVector(const RateCase& c, bool short_preamble) {
  const bool dsss = port::IsDsss(c.rate);
  ns3::WifiTxVector v;
  v.SetMode(c.mode());
  v.SetPreambleType(dsss && !short_preamble ? ns3::WIFI_PREAMBLE_LONG : ns3::WIFI_PREAMBLE_SHORT);
  v.SetChannelWidth(dsss ? 22 : 20);
  return v;
}

TEST(Ns3Oracle, Airtime_EveryRateAndSize_MatchesWifiPhyCalculateTxDuration) {
  for (const RateCase& c : kRates) {
    for (bool short_preamble : {false, true}) {
      for (uint32_t size : {14u, 28u, 100u, 293u, 1000u, 1500u, 2346u}) {
        const ns3::Time ns3_time = ns3::WifiPhy::CalculateTxDuration(
            size, TxVector(c, short_preamble), ns3::WIFI_PHY_BAND_2_4GHZ);
        EXPECT_EQ(Airtime(c.rate, short_preamble, size), ns3_time.GetNanoSeconds())
            << "rate " << static_cast<int>(c.rate) << " size " << size << " short "
            << short_preamble;
        EXPECT_EQ(PpduTimingFor(c.rate, short_preamble, size).payload_start(),
                  ns3::WifiPhy::CalculatePhyPreambleAndHeaderDuration(TxVector(c, short_preamble))
                      .GetNanoSeconds());
      }
    }
  }
}

TEST(Ns3Oracle, ChunkSuccessRate_EveryRate_MatchesNistErrorRateModel) {
  ns3::Ptr<ns3::NistErrorRateModel> ns3_model = ns3::CreateObject<ns3::NistErrorRateModel>();
  const NistErrorRateModel model;
  for (const RateCase& c : kRates) {
    for (double db = -12.0; db <= 30.0; db += 0.25) {
      const double sinr = std::pow(10.0, db / 10.0);
      for (uint64_t bits : {24u, 48u, 2344u, 12000u}) {
        const double expected =
            ns3_model->GetChunkSuccessRate(c.mode(), TxVector(c, false), sinr, bits);
        const double actual = model.ChunkSuccessRate(c.rate, sinr, bits);
        // CCK comes from a 0.05 dB grid of the integral ns-3 takes with GSL; the closed
        // forms must agree to rounding.
        const double tolerance =
            (c.rate == port::Rate::k5_5Mbps || c.rate == port::Rate::k11Mbps) ? 1e-4 : 1e-9;
        EXPECT_NEAR(actual, expected, tolerance)
            << "rate " << static_cast<int>(c.rate) << " at " << db << " dB, " << bits << " bits";
      }
    }
  }
}

// The PHY skips the chunks of frames above CleanSinr: ns-3 must find them certain too, for
// the longest frame (2346 bytes), just above it.
TEST(Ns3Oracle, CleanSinr_EveryRate_NoErrorInNs3Either) {
  ns3::Ptr<ns3::NistErrorRateModel> ns3_model = ns3::CreateObject<ns3::NistErrorRateModel>();
  const NistErrorRateModel model;
  int clean_rates = 0;
  for (const RateCase& c : kRates) {
    const double clean = model.CleanSinr(c.rate);
    if (std::isinf(clean)) continue;
    ++clean_rates;
    const double sinr = clean * (1.0 + 1e-9);
    EXPECT_EQ(model.ChunkSuccessRate(c.rate, sinr, 2346 * 8), 1.0);
    EXPECT_EQ(ns3_model->GetChunkSuccessRate(c.mode(), TxVector(c, false), sinr, 2346 * 8), 1.0)
        << "rate " << static_cast<int>(c.rate);
  }
  EXPECT_EQ(clean_rates, 2);  // DBPSK and DQPSK
}

}  // namespace
}  // namespace airlab::sim
