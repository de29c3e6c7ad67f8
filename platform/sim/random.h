#pragma once
// Explicit random streams: every consumer (a node's MAC backoff, a node's receiver, the
// shadowing of a link, an application) draws from its own generator derived from the
// simulation seed, like ns-3's AssignStreams (src/wifi/model/wifi-phy.h). A change in one
// consumer's draws then leaves the others' sequences alone.

#include <cstdint>
#include <initializer_list>

#include "core/port/rng.h"

namespace airlab::sim {

enum class Stream : uint64_t { kMac = 1, kPhy = 2, kShadowing = 3, kApplication = 4 };

inline port::SplitMix64 MakeStream(uint64_t seed, Stream stream, uint64_t a, uint64_t b = 0) {
  // Three rounds of splitmix64 over the fields, so nearby seeds and indices give unrelated
  // states.
  port::SplitMix64 mix(seed);
  uint64_t state = mix.NextU64();
  for (uint64_t field : {static_cast<uint64_t>(stream), a, b}) {
    port::SplitMix64 round(state ^ field);
    state = round.NextU64();
  }
  return port::SplitMix64(state);
}

// Uniform in [0, 1) with 53 random bits.
inline double Uniform01(port::SplitMix64& rng) {
  return static_cast<double>(rng.NextU64() >> 11) * 0x1.0p-53;
}

}  // namespace airlab::sim
