// The gateway's receive path, from an ESP-NOW frame off the radio to the reading committed
// in the durable queue: the Stack decodes the frame and queues the payload, the gateway
// parses the message, checks the node's sequence, writes the record and commits the batch
// (one transaction per Poll: what the Link's receive queue held) with the node's sequence
// marks, then queues the confirmations. Frames are encoded with timing paused (that is the
// nodes' work). Stores: SQLite with synchronous=FULL (the default: power-cut safe), NORMAL
// (crash safe), and memory (the CPU's share alone).
//
//   build/release/bench/gateway_benchmark --benchmark_counters_tabular=true

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "apps/common/messages.h"
#include "apps/gateway/gateway.h"
#include "core/espnow/codec.h"
#include "core/espnow/stack.h"
#include "host/hosts.h"
#include "host/memory_queue.h"
#include "platform/linux/sqlite_queue.h"
#include "platform/mbedtls/mbedtls_aes128.h"

namespace airlab {
namespace {

constexpr MacAddress kGateway({0x4c, 0x11, 0xae, 0x89, 0xbd, 0xd5});
constexpr size_t kNodes = 8;  // one field each: a channel has eight

// A radio whose frames come from the benchmark; what the gateway sends is ACKed at once.
class BenchRadio final : public port::Radio {
 public:
  void Inject(ByteSpan mpdu, const port::RxInfo& info) { Deliver(mpdu, info); }
  void CompleteSends() {
    while (!tags_.empty()) {
      const uint32_t tag = tags_.front();
      tags_.pop_front();
      ReportTxDone({tag, port::TxResult::kAcked, 1, 0});  // may queue the next frame
    }
  }

 protected:
  Status DoSetEnabled(bool) override { return Status::Ok(); }
  Status DoTransmit(ByteSpan, const port::TxOptions& options) override {
    tags_.push_back(options.tag);
    return Status::Ok();
  }
  Status DoSetChannel(uint8_t) override { return Status::Ok(); }
  Status DoSetAddress(port::Interface, const MacAddress&) override { return Status::Ok(); }
  Status DoSetPromiscuous(bool) override { return Status::Ok(); }

 private:
  std::deque<uint32_t> tags_;
};

class IdleTimer final : public port::Timer {
 protected:
  void DoArmAt(port::TimeNs) override {}
  void DoCancel() override {}
};

class FixedClock final : public port::Clock {
 public:
  port::TimeNs Now() const override { return 1'714'564'800'000'000'000; }
};

// No cloud: every exchange fails at once, so the uplink loop backs off and stays out of the
// way (the clock does not move).
class NoUplink final : public port::Uplink {
 protected:
  Status DoSend(const port::HttpRequest&) override { return Status::Unavailable(); }
};

enum class StoreKind { kSqliteFull, kSqliteNormal, kMemory };

template <size_t kRxBytes, size_t kIngest>
void Ingest(benchmark::State& state, StoreKind kind) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("airlab-gw-bench-" + std::to_string(::getpid()) + ".db");
  for (const char* suffix : {"", "-wal", "-shm", ".lock"})
    std::filesystem::remove(path.string() + suffix);
  std::unique_ptr<port::DurableQueue> store;
  if (kind == StoreKind::kMemory) {
    store = std::make_unique<host::MemoryQueue>();
  } else {
    store = std::make_unique<linux_port::SqliteQueue>(
        path, linux_port::SqliteStoreOptions{.synchronous_full = kind == StoreKind::kSqliteFull});
  }

  BenchRadio radio;
  radio.SetAddress(port::Interface::kStation, kGateway).IgnoreError();
  radio.SetEnabled(true).IgnoreError();
  port::SplitMix64 rng(1);
  mbedtls::MbedtlsAes128 aes;
  auto stack = std::make_unique<espnow::StaticStack<20, 24, kRxBytes, 8192>>(radio, rng, aes);
  static_assert(
      kRxBytes != 32768 ||
      std::is_same_v<espnow::StaticStack<20, 24, kRxBytes, 8192>, host::HostGatewayStack>);
  IdleTimer timer;
  FixedClock clock;
  NoUplink uplink;
  auto buffers = std::make_unique<apps::GatewayBuffers<19, 128, kIngest>>();
  apps::GatewayConfig config;
  config.channel_id = 1;
  config.write_key = "BENCHKEY";
  auto gateway = std::make_unique<apps::Gateway>(stack->stack(), *store, uplink, clock, clock,
                                                 timer, rng, buffers->memory(), config);
  if (!gateway->Start(6).ok()) {
    state.SkipWithError("the gateway did not start");
    return;
  }

  // The nodes' side: one encoder per node, readings with rising sequence numbers.
  std::vector<espnow::FrameEncoder> encoders;
  port::SplitMix64 node_rng(2);
  for (size_t n = 0; n < kNodes; ++n) {
    encoders.emplace_back(MacAddress({0x02, 0, 0, 0, 0, static_cast<uint8_t>(n + 1)}), node_rng);
  }
  std::vector<uint32_t> sequence(kNodes, 0);
  // As many as the Stack's receive queue takes in one go (payload + its 18-byte overhead).
  const std::string value = "21.5";
  const size_t message_size = apps::kReadingHeaderSize + value.size();
  const size_t batch = kRxBytes / (message_size + espnow::Stack::kRxRecordOverhead);
  std::vector<std::vector<std::byte>> frames(batch);
  port::RxInfo info;
  info.channel = 6;
  info.rssi_dbm = -50;

  uint64_t stored_before = gateway->stats().stored;
  size_t node = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (auto& frame : frames) {
      apps::Message m;
      m.type = apps::MessageType::kReading;
      m.session = 7;
      m.sequence = ++sequence[node];
      m.value = AsBytes(value.data(), value.size());
      std::array<std::byte, apps::kMaxMessageSize> payload;
      const ByteSpan p = apps::WriteMessage(m, payload).value();
      frame.resize(espnow::EncodedSize(p.size(), false));
      ByteBuilder out(frame);
      espnow::EncodeOptions options;
      options.dst = kGateway;
      options.fcs = false;
      encoders[node].Encode(options, p, out).IgnoreError();
      node = (node + 1) % kNodes;
    }
    state.ResumeTiming();
    for (const auto& frame : frames) radio.Inject(frame, info);
    gateway->Poll();
    state.PauseTiming();
    radio.CompleteSends();  // the confirmations' delivery reports
    state.ResumeTiming();
  }
  const uint64_t stored = gateway->stats().stored - stored_before;
  if (stored != frames.size() * static_cast<uint64_t>(state.iterations())) {
    state.SkipWithError("not every reading was stored");
  }
  state.SetItemsProcessed(static_cast<int64_t>(stored));
  state.counters["per_commit"] = static_cast<double>(std::min(batch, kIngest));
  state.counters["commits_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) *
                             static_cast<double>((batch + kIngest - 1) / kIngest),
                         benchmark::Counter::kIsRate);
  gateway.reset();
  stack.reset();
  store.reset();
  for (const char* suffix : {"", "-wal", "-shm", ".lock"})
    std::filesystem::remove(path.string() + suffix);
}

// The gateway as `airlab gateway` and the demo run it (host/hosts.h): a 32 KB receive
// queue, up to 1024 readings per transaction.
void BM_GatewayIngest_SqliteFull(benchmark::State& s) {
  Ingest<32768, 1024>(s, StoreKind::kSqliteFull);
}
void BM_GatewayIngest_SqliteNormal(benchmark::State& s) {
  Ingest<32768, 1024>(s, StoreKind::kSqliteNormal);
}
void BM_GatewayIngest_Memory(benchmark::State& s) { Ingest<32768, 1024>(s, StoreKind::kMemory); }
// Device-sized: the Stack's default 4 KB queue, 64 readings per transaction (GatewayBuffers'
// default), for comparison.
void BM_GatewayIngestSmallBatch_SqliteFull(benchmark::State& s) {
  Ingest<4096, 64>(s, StoreKind::kSqliteFull);
}
void BM_GatewayIngestSmallBatch_SqliteNormal(benchmark::State& s) {
  Ingest<4096, 64>(s, StoreKind::kSqliteNormal);
}

BENCHMARK(BM_GatewayIngest_SqliteFull)->UseRealTime();
BENCHMARK(BM_GatewayIngest_SqliteNormal)->UseRealTime();
BENCHMARK(BM_GatewayIngest_Memory)->UseRealTime();
BENCHMARK(BM_GatewayIngestSmallBatch_SqliteFull)->UseRealTime();
BENCHMARK(BM_GatewayIngestSmallBatch_SqliteNormal)->UseRealTime();

}  // namespace
}  // namespace airlab

BENCHMARK_MAIN();
