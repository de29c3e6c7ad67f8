// What a WPA2-PSK join costs in CPU, for a simulation that joins many stations: the PMK
// (PBKDF2, 4096 x 2 HMAC-SHA1: the dominant cost, which is why an AP derives it once per
// passphrase, not per station), the PTK, and one whole 4-way handshake on both sides with
// the PMK already known (the per-join cost).

#include <benchmark/benchmark.h>

#include <string_view>

#include "core/port/rng.h"
#include "core/wifi/handshake.h"
#include "core/wifi/keys.h"
#include "core/wire/elements.h"
#include "platform/mbedtls/mbedtls_aes128.h"
#include "platform/mbedtls/mbedtls_sha1.h"

namespace airlab::wifi {
namespace {

constexpr std::string_view kPassphrase = "correct horse battery";
const MacAddress kAp({0x02, 0, 0, 0, 0x01, 0});
const MacAddress kStation({0x02, 0, 0, 0, 0x02, 0});

port::Ssid LabSsid() {
  port::Ssid ssid;
  ssid.Assign(AsBytes("airlab-lab", 10));
  return ssid;
}

void BM_DerivePmk(benchmark::State& state) {
  mbedtls::MbedtlsSha1 sha1;
  const port::Ssid ssid = LabSsid();
  for (auto _ : state) {
    Result<Pmk> pmk = DerivePmk(sha1, AsBytes(kPassphrase.data(), kPassphrase.size()), ssid);
    benchmark::DoNotOptimize(pmk);
  }
}
BENCHMARK(BM_DerivePmk)->Unit(benchmark::kMillisecond);

void BM_DerivePtk(benchmark::State& state) {
  mbedtls::MbedtlsSha1 sha1;
  const Pmk pmk{};
  Nonce anonce{}, snonce{};
  snonce[0] = std::byte{1};
  for (auto _ : state) {
    Result<Ptk> ptk = DerivePtk(sha1, pmk, kAp, kStation, anonce, snonce);
    benchmark::DoNotOptimize(ptk);
  }
}
BENCHMARK(BM_DerivePtk)->Unit(benchmark::kMicrosecond);

// Messages 1 to 4 through an Authenticator and a Supplicant (PMK known to both).
void BM_FourWayHandshake(benchmark::State& state) {
  mbedtls::MbedtlsSha1 sha1;
  mbedtls::MbedtlsAes128 aes;
  port::SplitMix64 rng(1);
  FrameBuffer<64> rsn;
  wire::ElementWriter(rsn).AddRsn(wire::kWpa2Personal);
  const Pmk pmk = *DerivePmk(sha1, AsBytes(kPassphrase.data(), kPassphrase.size()), LabSsid());
  Authenticator authenticator(sha1, aes, rng);
  Supplicant supplicant(sha1, aes, rng);
  FrameBuffer<512> m1, m2, m3, m4;
  for (auto _ : state) {
    m1.Truncate(0), m2.Truncate(0), m3.Truncate(0), m4.Truncate(0);
    supplicant.Start({.spa = kStation, .aa = kAp, .pmk = pmk, .rsn_element = rsn.bytes()})
        .IgnoreError();
    authenticator
        .Start({.aa = kAp, .spa = kStation, .pmk = pmk, .gtk = {}, .rsn_element = rsn.bytes()}, m1)
        .IgnoreError();
    benchmark::DoNotOptimize(supplicant.OnEapol(m1.bytes(), m2));
    benchmark::DoNotOptimize(authenticator.OnEapol(m2.bytes(), m3));
    benchmark::DoNotOptimize(supplicant.OnEapol(m3.bytes(), m4));
    if (*authenticator.OnEapol(m4.bytes(), m1) != HandshakeStep::kComplete) {
      state.SkipWithError("handshake did not complete");
      break;
    }
  }
}
BENCHMARK(BM_FourWayHandshake)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace airlab::wifi

BENCHMARK_MAIN();
