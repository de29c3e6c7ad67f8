#include "platform/sim/error_model.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>

#include "core/base/assert.h"

namespace airlab::sim {
namespace {

using port::Rate;

// DSSS spreads 1 Msym/s over 22 MHz: processing gain 22 (docs/reference/air-model.md).
constexpr double kDsssGain = 22.0;
// CCK sends 1.375 Msym/s.
constexpr double kCckSymbolRateMhz = 1.375;

double Q(double x) { return 0.5 * std::erfc(x / std::sqrt(2.0)); }

// (1 - ber)^bits without losing tiny BERs to rounding.
double AllBitsOk(double ber, double bits) {
  if (ber <= 0.0) return 1.0;
  if (ber >= 1.0) return bits > 0 ? 0.0 : 1.0;
  return std::exp(bits * std::log1p(-ber));
}

// NIST model pieces (ns-3 src/wifi/model/nist-error-rate-model.cc).
double BpskBer(double snr) { return 0.5 * std::erfc(std::sqrt(snr)); }
double QpskBer(double snr) { return 0.5 * std::erfc(std::sqrt(snr / 2.0)); }
double QamBer(double m, double snr) {
  const double z = std::sqrt(snr / ((2.0 * (m - 1.0)) / 3.0));
  const double bits_per_dim = std::sqrt(m);
  return ((bits_per_dim - 1.0) / (bits_per_dim * std::log2(bits_per_dim))) * std::erfc(z);
}

// Union bound on the first-event error probability of the punctured K=7 convolutional
// code, from the BER `p` of the hard decisions (Pursley and Royster; code rate 1/2: the
// distance spectrum of the industry-standard code, 2/3 and 3/4: Frenger et al.).
double CodedEventError(double p, int code_rate) {
  const double d = std::sqrt(4.0 * p * (1.0 - p));
  auto poly = [d](int first_power, std::initializer_list<double> coefficients) {
    double sum = 0.0, dp = std::pow(d, first_power);
    for (double c : coefficients) {
      sum += c * dp;
      dp *= d;
    }
    return sum;
  };
  switch (code_rate) {
    case 12: {  // only even distances appear in the rate-1/2 spectrum
      double sum = 0.0, dp = std::pow(d, 10), d2 = d * d;
      for (double c :
           {36.0, 211.0, 1404.0, 11633.0, 77433.0, 502690.0, 3322763.0, 21292910.0, 134365911.0}) {
        sum += c * dp;
        dp *= d2;
      }
      return 0.5 * sum;
    }
    case 23:
      return 1.0 / 4.0 *
             poly(6, {3.0, 70.0, 285.0, 1276.0, 6160.0, 27128.0, 117019.0, 498860.0, 2103891.0,
                      8784123.0});
    case 34:
      return 1.0 / 6.0 *
             poly(5, {42.0, 201.0, 1492.0, 10469.0, 62935.0, 379644.0, 2253373.0, 13073811.0,
                      75152755.0, 428005675.0});
  }
  AIRLAB_ASSERT(false);
  return 1.0;
}

double OfdmChunkSuccess(Rate rate, double snr, uint64_t bits) {
  double ber = 0.0;
  int code_rate = 12;
  switch (rate) {
    case Rate::k6Mbps:
      ber = BpskBer(snr);
      code_rate = 12;
      break;
    case Rate::k9Mbps:
      ber = BpskBer(snr);
      code_rate = 34;
      break;
    case Rate::k12Mbps:
      ber = QpskBer(snr);
      code_rate = 12;
      break;
    case Rate::k18Mbps:
      ber = QpskBer(snr);
      code_rate = 34;
      break;
    case Rate::k24Mbps:
      ber = QamBer(16, snr);
      code_rate = 12;
      break;
    case Rate::k36Mbps:
      ber = QamBer(16, snr);
      code_rate = 34;
      break;
    case Rate::k48Mbps:
      ber = QamBer(64, snr);
      code_rate = 23;
      break;
    case Rate::k54Mbps:
      ber = QamBer(64, snr);
      code_rate = 34;
      break;
    default: AIRLAB_ASSERT(false);
  }
  if (ber == 0.0) return 1.0;
  const double pe = std::min(CodedEventError(ber, code_rate), 1.0);
  return AllBitsOk(pe, static_cast<double>(bits));
}

// The CCK grid: SEP16 tabulated against 10 log10(es_n0).
constexpr double kGridMinDb = -20.0;
constexpr double kGridMaxDb = 25.0;
constexpr double kGridStepDb = 0.05;
constexpr size_t kGridSize = static_cast<size_t>((kGridMaxDb - kGridMinDb) / kGridStepDb) + 1;

}  // namespace

double NistErrorRateModel::DbpskBer(double sinr) { return 0.5 * std::exp(-kDsssGain * sinr); }

double NistErrorRateModel::DqpskBer(double sinr) {
  const double x = kDsssGain / 2.0 * sinr;  // Eb/N0: 2 bits per symbol
  return ((std::sqrt(2.0) + 1.0) / std::sqrt(8.0 * M_PI * std::sqrt(2.0))) / std::sqrt(x) *
         std::exp(-(2.0 - std::sqrt(2.0)) * x);
}

double NistErrorRateModel::Cck16SymbolError(double es_n0) {
  // 1 - P(correct) for 8 biorthogonal pairs. Written as Q(b) plus the integral of
  // 1 - (2 Phi(x+b) - 1)^7 weighted by phi(x): both terms are small where the result is, so
  // no cancellation when the symbol error rate is 1e-20.
  const double b = std::sqrt(2.0 * es_n0);
  const double lo = -b, hi = 10.0;
  if (hi <= lo) return Q(b);
  constexpr int kIntervals = 600;  // even, for Simpson
  const double h = (hi - lo) / kIntervals;
  auto f = [b](double x) {
    const double miss = 2.0 * Q(x + b);  // 1 - (2 Phi(x+b) - 1)
    const double wrong = -std::expm1(7.0 * std::log1p(-std::min(miss, 1.0)));
    return wrong * std::exp(-0.5 * x * x) / std::sqrt(2.0 * M_PI);
  };
  double sum = f(lo) + f(hi);
  for (int i = 1; i < kIntervals; ++i) sum += f(lo + i * h) * (i % 2 == 1 ? 4.0 : 2.0);
  return std::clamp(Q(b) + sum * h / 3.0, 0.0, 1.0);
}

double NistErrorRateModel::Cck16SymbolErrorAt(double es_n0) const {
  if (es_n0 <= 0.0) return 15.0 / 16.0;
  const double db = 10.0 * std::log10(es_n0);
  const double pos = (db - kGridMinDb) / kGridStepDb;
  if (pos < 0.0 || pos >= kGridSize - 1) return Cck16SymbolError(es_n0);
  if (cck_grid_.empty()) cck_grid_.assign(kGridSize, std::numeric_limits<double>::quiet_NaN());
  const size_t i = static_cast<size_t>(pos);
  for (size_t k : {i, i + 1}) {
    if (std::isnan(cck_grid_[k])) {
      cck_grid_[k] =
          std::log(Cck16SymbolError(std::pow(10.0, (kGridMinDb + k * kGridStepDb) / 10.0)));
    }
  }
  const double frac = pos - i;
  return std::exp(cck_grid_[i] + frac * (cck_grid_[i + 1] - cck_grid_[i]));
}

double NistErrorRateModel::CckChunkSuccess(bool cck11, double sinr, uint64_t bits) const {
  // ns-3: 5.5 Mb/s: Eb/N0 = SINR * 22/1.375/4, SEP16(4 Eb/N0 / 2), 4 bits per symbol;
  // 11 Mb/s: Eb/N0 = SINR * 22/1.375/8, SEP256(8 Eb/N0 / 2) = 1 - (1 - SEP16(that / 2))^2,
  // 8 bits per symbol.
  const double es_n0 = sinr * kDsssGain / kCckSymbolRateMhz / 2.0;  // = 8 * sinr
  if (!cck11) return AllBitsOk(Cck16SymbolErrorAt(es_n0), bits / 4.0);
  const double sep16 = Cck16SymbolErrorAt(es_n0 / 2.0);
  const double sep256 = -std::expm1(2.0 * std::log1p(-sep16));
  return AllBitsOk(sep256, bits / 8.0);
}

namespace {
// Clean links are the common case: once the BER is below 1e-26 (its exponent beyond 60),
// (1 - BER)^bits rounds to exactly 1.0 for any frame, so exp's slow underflow is skipped.
constexpr double kCleanExponent = 60.0;
// The BER exponents per unit of SINR of DBPSK and DQPSK (DbpskBer, DqpskBer).
constexpr double kDbpskExponent = kDsssGain;
const double kDqpskExponent = (2.0 - std::sqrt(2.0)) * kDsssGain / 2.0;
}  // namespace

double NistErrorRateModel::CleanSinr(port::Rate rate) const {
  switch (rate) {
    case Rate::k1Mbps: return kCleanExponent / kDbpskExponent;
    case Rate::k2Mbps: return kCleanExponent / kDqpskExponent;
    default: return std::numeric_limits<double>::infinity();
  }
}

double NistErrorRateModel::ChunkSuccessRate(port::Rate rate, double sinr, uint64_t bits) const {
  if (bits == 0) return 1.0;
  if ((rate == Rate::k1Mbps && kDbpskExponent * sinr > kCleanExponent) ||
      (rate == Rate::k2Mbps && kDqpskExponent * sinr > kCleanExponent)) {
    return 1.0;
  }
  switch (rate) {
    case Rate::k1Mbps: return AllBitsOk(DbpskBer(sinr), static_cast<double>(bits));
    case Rate::k2Mbps: return AllBitsOk(DqpskBer(sinr), static_cast<double>(bits));
    case Rate::k5_5Mbps: return CckChunkSuccess(false, sinr, bits);
    case Rate::k11Mbps: return CckChunkSuccess(true, sinr, bits);
    default: return OfdmChunkSuccess(rate, sinr, bits);
  }
}

}  // namespace airlab::sim
