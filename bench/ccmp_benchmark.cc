// CCMP on ESP-NOW v1 frames with a full 250-byte payload: what a receiver pays per
// encrypted frame (decrypt + MIC check), and what a sender pays. Floor: 200k frames/s/core.

#include <benchmark/benchmark.h>

#include "core/espnow/ccmp.h"
#include "core/port/rng.h"
#include "core/wire/dot11.h"
#include "platform/mbedtls/mbedtls_aes128.h"

namespace airlab::espnow {
namespace {

constexpr size_t kPayloadSize = 250;

// Header, category + OUI + random, vendor element header, payload: 289 bytes before CCMP.
void WritePlainFrame(ByteBuilder& b) {
  port::SplitMix64 rng(1);
  wire::WriteMgmtHeader(
      b, {.fc = wire::FrameControl::Make(wire::FrameType::kManagement,
                                         static_cast<uint8_t>(wire::MgmtSubtype::kAction)),
          .addr1 = MacAddress({0x24, 0x0a, 0xc4, 0, 0, 1}),
          .addr2 = MacAddress({0x30, 0xae, 0xa4, 0, 0, 2}),
          .addr3 = MacAddress::Broadcast(),
          .seq = wire::SequenceControl::Make(1)});
  b.PutU8(0x7f).PutU8(0x18).PutU8(0xfe).PutU8(0x34).PutLe32(rng.NextU32());
  b.PutU8(0xdd).PutU8(5 + kPayloadSize).PutU8(0x18).PutU8(0xfe).PutU8(0x34).PutU8(4).PutU8(1);
  for (size_t i = 0; i < kPayloadSize; ++i) b.PutU8(static_cast<uint8_t>(rng.NextU32()));
}

port::Aes128Key TestKey() {
  port::Aes128Key k{};
  for (size_t i = 0; i < k.size(); ++i) k[i] = std::byte(0xa0 + i);
  return k;
}

void BM_CcmpDecryptVerify(benchmark::State& state) {
  mbedtls::MbedtlsAes128 aes;
  const port::Aes128Key tk = TestKey();
  FrameBuffer<512> plain;
  WritePlainFrame(plain);
  FrameBuffer<512> sealed;
  if (!CcmpEncrypt(aes, tk, plain.bytes(), 1, kEspNowKeyId, sealed).ok()) {
    state.SkipWithError("encrypt failed");
    return;
  }
  FrameBuffer<512> opened;
  for (auto _ : state) {
    opened.Truncate(0);
    Result<uint64_t> pn = CcmpDecrypt(aes, tk, sealed.bytes(), opened);
    benchmark::DoNotOptimize(pn);
    if (!pn.ok()) state.SkipWithError("decrypt failed");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(sealed.size()));
}
BENCHMARK(BM_CcmpDecryptVerify);

// A receiver whose consecutive frames come from different peers rekeys every time.
void BM_CcmpDecryptVerify_AlternatingKeys(benchmark::State& state) {
  mbedtls::MbedtlsAes128 aes;
  port::Aes128Key keys[2] = {TestKey(), TestKey()};
  keys[1][0] ^= std::byte{1};
  FrameBuffer<512> plain;
  WritePlainFrame(plain);
  FrameBuffer<512> sealed[2];
  for (int i = 0; i < 2; ++i) {
    if (!CcmpEncrypt(aes, keys[i], plain.bytes(), 1, kEspNowKeyId, sealed[i]).ok()) {
      state.SkipWithError("encrypt failed");
      return;
    }
  }
  FrameBuffer<512> opened;
  size_t i = 0;
  for (auto _ : state) {
    opened.Truncate(0);
    Result<uint64_t> pn = CcmpDecrypt(aes, keys[i], sealed[i].bytes(), opened);
    benchmark::DoNotOptimize(pn);
    if (!pn.ok()) state.SkipWithError("decrypt failed");
    i ^= 1;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CcmpDecryptVerify_AlternatingKeys);

void BM_CcmpEncrypt(benchmark::State& state) {
  mbedtls::MbedtlsAes128 aes;
  const port::Aes128Key tk = TestKey();
  FrameBuffer<512> plain;
  WritePlainFrame(plain);
  FrameBuffer<512> sealed;
  uint64_t pn = 0;
  for (auto _ : state) {
    sealed.Truncate(0);
    Status s = CcmpEncrypt(aes, tk, plain.bytes(), ++pn, kEspNowKeyId, sealed);
    benchmark::DoNotOptimize(s);
    if (!s.ok()) state.SkipWithError("encrypt failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CcmpEncrypt);

}  // namespace
}  // namespace airlab::espnow

BENCHMARK_MAIN();
