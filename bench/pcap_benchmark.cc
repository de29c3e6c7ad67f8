// Reading captures held in memory, as `airlab` does with a mapped file: a million records,
// each record's data touched once (a first byte), nothing copied.

#include <benchmark/benchmark.h>

#include <array>
#include <cstdlib>
#include <vector>

#include "core/wire/pcap.h"
#include "core/wire/pcapng.h"

namespace airlab::wire {
namespace {

constexpr size_t kRecords = 1'000'000;
constexpr size_t kFrameSize = 60;  // an ESP-NOW action frame with a short payload

std::vector<std::byte> Frame(size_t i) {
  std::vector<std::byte> frame(kFrameSize);
  for (size_t j = 0; j < kFrameSize; ++j) frame[j] = static_cast<std::byte>(i + j);
  return frame;
}

const std::vector<std::byte>& PcapFile() {
  static const std::vector<std::byte> file = [] {
    std::vector<std::byte> storage(kPcapHeaderSize + kRecords * (16 + kFrameSize));
    ByteBuilder out(storage);
    const PcapHeader header;
    WritePcapHeader(out, header);
    for (size_t i = 0; i < kRecords; ++i) {
      if (!WritePcapRecord(out, header, int64_t{1'000'000} * i, Frame(i)).ok()) std::abort();
    }
    return storage;
  }();
  return file;
}

const std::vector<std::byte>& PcapngFile() {
  static const std::vector<std::byte> file = [] {
    std::vector<std::byte> storage(256 + kRecords * (32 + kFrameSize));
    ByteBuilder out(storage);
    const PcapngInterface iface{.tsresol = kTsresolNanoseconds};
    if (!WritePcapngSectionHeader(out, ByteOrder::kLittle, "bench").ok() ||
        !WritePcapngInterface(out, ByteOrder::kLittle, iface).ok()) {
      std::abort();
    }
    for (size_t i = 0; i < kRecords; ++i) {
      const auto frame = Frame(i);
      PcapngPacket packet;
      packet.ts_ns = int64_t{1'000'000} * i;
      packet.data = frame;
      if (!WritePcapngPacket(out, ByteOrder::kLittle, iface, packet).ok()) std::abort();
    }
    storage.resize(out.size());
    return storage;
  }();
  return file;
}

void Report(benchmark::State& state, size_t records) {
  state.counters["records/s"] =
      benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}

void BM_PcapRead1M(benchmark::State& state) {
  const auto& file = PcapFile();
  size_t records = 0;
  for (auto _ : state) {
    auto reader = PcapReader::Open(file);
    uint32_t sum = 0;
    for (auto record = reader->Next(); record.ok(); record = reader->Next()) {
      sum += static_cast<uint8_t>(record->data[0]);
      ++records;
    }
    benchmark::DoNotOptimize(sum);
  }
  Report(state, records);
}
BENCHMARK(BM_PcapRead1M)->Unit(benchmark::kMillisecond);

void BM_PcapngRead1M(benchmark::State& state) {
  const auto& file = PcapngFile();
  std::array<PcapngInterface, 4> interfaces;
  size_t records = 0;
  for (auto _ : state) {
    auto reader = PcapngReader::Open(file, interfaces);
    uint32_t sum = 0;
    for (auto packet = reader->Next(); packet.ok(); packet = reader->Next()) {
      sum += static_cast<uint8_t>(packet->data[0]);
      ++records;
    }
    benchmark::DoNotOptimize(sum);
  }
  Report(state, records);
}
BENCHMARK(BM_PcapngRead1M)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace airlab::wire

BENCHMARK_MAIN();
