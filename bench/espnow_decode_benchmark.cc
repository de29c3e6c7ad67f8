// Decoding ESP-NOW frames out of a pcap held in memory, as the sniffer and `airlab espnow
// decode` do: iterate records with the pcap reader, parse each frame, touch its payload.
// Floor (issue 3): 5 million plain v1 frames a second on one core.

#include <benchmark/benchmark.h>

#include <vector>

#include "core/espnow/codec.h"
#include "core/port/rng.h"
#include "core/wire/pcap.h"

namespace airlab::espnow {
namespace {

constexpr size_t kFrames = 4096;

// A pcap (link type 105) of kFrames frames from 8 senders, payloads of `min`..`max` bytes.
std::vector<std::byte> MakeCapture(Version version, size_t min, size_t max, bool fcs) {
  port::SplitMix64 rng(2024);
  std::vector<std::byte> storage(kFrames * (EncodedSize(max, fcs) + 16) + 64);
  ByteBuilder file(storage);
  const wire::PcapHeader header{.link_type = wire::kLinkTypeIeee80211};
  wire::WritePcapHeader(file, header);
  std::vector<std::byte> payload(max);
  for (auto& b : payload) b = static_cast<std::byte>(rng.NextU32());
  for (size_t i = 0; i < kFrames; ++i) {
    EncodeOptions o;
    o.src = MacAddress({0x24, 0x0a, 0xc4, 0, 0, static_cast<uint8_t>(i % 8)});
    o.sequence = static_cast<uint16_t>(i);
    o.random = rng.NextU32();
    o.version = version;
    o.fcs = fcs;
    const size_t size = min + rng.Uniform(static_cast<uint32_t>(max - min + 1));
    FrameBuffer<kMaxFrameSize> frame;
    if (!Encode(o, ByteSpan(payload).first(size), frame).ok()) std::abort();
    if (!wire::WritePcapRecord(file, header, 1'000'000 * static_cast<int64_t>(i), frame.bytes())
             .ok()) {
      std::abort();
    }
  }
  storage.resize(file.size());
  return storage;
}

void DecodeCapture(benchmark::State& state, const std::vector<std::byte>& capture,
                   const DecodeOptions& options) {
  std::vector<std::byte> joined(kMaxPayloadV2);
  size_t frames = 0;
  for (auto _ : state) {
    auto reader = wire::PcapReader::Open(capture);
    if (!reader.ok()) std::abort();
    size_t bytes = 0;
    for (auto record = reader->Next(); record.ok(); record = reader->Next()) {
      auto view = FrameView::Parse(record->data, options);
      if (!view.ok()) std::abort();
      if (auto payload = view->ContiguousPayload(); payload.ok()) {
        bytes += payload->size() + (payload->empty() ? 0 : static_cast<size_t>((*payload)[0]));
      } else {
        bytes += view->CopyPayload(joined).size();
      }
      ++frames;
    }
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(static_cast<int64_t>(frames));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * capture.size()));
}

// Plain v1 frames as sensors send them (1-64 byte payloads), capture without FCS.
void BM_DecodePcap_V1(benchmark::State& state) {
  static const auto capture = MakeCapture(Version::kV1, 1, 64, false);
  DecodeCapture(state, capture, {});
}
BENCHMARK(BM_DecodePcap_V1);

// The same frames with their FCS kept, which the decoder then checks (CRC-32 per byte).
void BM_DecodePcap_V1_CheckFcs(benchmark::State& state) {
  static const auto capture = MakeCapture(Version::kV1, 1, 64, true);
  DecodeCapture(state, capture, {Fcs::kPresent, Strictness::kLenient});
}
BENCHMARK(BM_DecodePcap_V1_CheckFcs);

// Strict decoding of full v1 frames (250 bytes).
void BM_DecodePcap_V1_250_Strict(benchmark::State& state) {
  static const auto capture = MakeCapture(Version::kV1, 250, 250, false);
  DecodeCapture(state, capture, {Fcs::kAbsent, Strictness::kStrict});
}
BENCHMARK(BM_DecodePcap_V1_250_Strict);

// v2 frames of 1000-1470 bytes: 4-6 elements each, payload joined by CopyPayload.
void BM_DecodePcap_V2_Large(benchmark::State& state) {
  static const auto capture = MakeCapture(Version::kV2, 1000, 1470, false);
  DecodeCapture(state, capture, {});
}
BENCHMARK(BM_DecodePcap_V2_Large);

}  // namespace
}  // namespace airlab::espnow

BENCHMARK_MAIN();
