#pragma once
// Rng port: random numbers for frame fields (ESP-NOW's random bytes, backoff slots).
// The sim's implementation is seeded and deterministic; devices use their hardware RNG.

#include <cstdint>

namespace airlab::port {

class Rng {
 public:
  virtual ~Rng() = default;
  virtual uint32_t NextU32() = 0;
  // Uniform in [0, bound); bound > 0. Lemire's multiply-shift, no modulo bias worth noting.
  uint32_t Uniform(uint32_t bound) {
    return static_cast<uint32_t>((uint64_t{NextU32()} * bound) >> 32);
  }
};

// A small, fast, seedable generator (splitmix64): the sim's and the tests' Rng.
class SplitMix64 final : public Rng {
 public:
  explicit constexpr SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t NextU64() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint32_t NextU32() override { return static_cast<uint32_t>(NextU64() >> 32); }

 private:
  uint64_t state_;
};

}  // namespace airlab::port
