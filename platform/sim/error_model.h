#pragma once
// Error-rate models: the probability that a chunk of bits sent at a rate survives a given
// signal to noise-plus-interference ratio. The PHY multiplies chunks where the set of
// overlapping signals is constant (ns-3's ErrorRateModel split, src/wifi/model/
// error-rate-model.h).

#include <cstdint>
#include <limits>
#include <vector>

#include "core/port/radio.h"

namespace airlab::sim {

class ErrorRateModel {
 public:
  virtual ~ErrorRateModel() = default;
  // Probability that all `bits` bits sent at `rate` arrive intact at linear SINR `sinr`.
  virtual double ChunkSuccessRate(port::Rate rate, double sinr, uint64_t bits) const = 0;
  // A SINR above which ChunkSuccessRate at `rate` is exactly 1.0 for any number of bits,
  // or infinity when there is none. The PHY skips the chunks of clean frames with it.
  virtual double CleanSinr(port::Rate) const { return std::numeric_limits<double>::infinity(); }
};

// What ns-3 3.37 computes (Debian builds it with GSL):
// - DBPSK 1 Mb/s and DQPSK 2 Mb/s: the closed forms of air-model.md, processing gain 22.
// - CCK 5.5/11 Mb/s: ns-3's GSL model, the symbol error probability of 16-ary and 256-ary
//   orthogonal signalling, SEP16(e) = 1 - integral from -b to inf of
//   (2 Phi(x + b) - 1)^7 phi(x) dx with b = sqrt(2e), SEP256(e) = 1 - (1 - SEP16(e/2))^2,
//   at Eb/N0 = SINR * 22/1.375/(4 or 8). The integral is taken by Simpson's rule on a
//   0.05 dB grid of SINR, filled as rates are used, and interpolated.
// - ERP-OFDM: the NIST model (Pursley and Royster's union bounds for the convolutional
//   code, ns-3's NistErrorRateModel).
// One instance caches the CCK grid: not for use from two threads at once.
class NistErrorRateModel final : public ErrorRateModel {
 public:
  double ChunkSuccessRate(port::Rate rate, double sinr, uint64_t bits) const override;
  double CleanSinr(port::Rate rate) const override;

  // The building blocks, for tests.
  static double DbpskBer(double sinr);
  static double DqpskBer(double sinr);
  // Symbol error probability of 16-CCK (5.5 Mb/s) at symbol energy ratio `es_n0`, exact
  // (by quadrature, no grid).
  static double Cck16SymbolError(double es_n0);

 private:
  double CckChunkSuccess(bool cck11, double sinr, uint64_t bits) const;
  double Cck16SymbolErrorAt(double es_n0) const;  // through the grid

  mutable std::vector<double> cck_grid_;  // log(SEP16) per grid step; NaN until computed
};

}  // namespace airlab::sim
