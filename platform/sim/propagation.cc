#include "platform/sim/propagation.h"

#include <algorithm>

#include "platform/sim/random.h"

namespace airlab::sim {

double ShadowingDb(uint64_t seed, uint32_t node_a, uint32_t node_b, double sigma_db) {
  if (sigma_db <= 0.0) return 0.0;
  port::SplitMix64 rng =
      MakeStream(seed, Stream::kShadowing, std::min(node_a, node_b), std::max(node_a, node_b));
  // Box-Muller; 1 - u lies in (0, 1], so the log is finite.
  const double u1 = 1.0 - Uniform01(rng);
  const double u2 = Uniform01(rng);
  return sigma_db * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

}  // namespace airlab::sim
