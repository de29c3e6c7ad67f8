// core/cloud's hot paths: reading a large feed answer in place, writing a full bulk update,
// building an /update request.

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "core/cloud/answers.h"
#include "core/cloud/bulk.h"
#include "core/cloud/requests.h"

namespace airlab::cloud {
namespace {

// A feeds.json answer of n entries shaped like ThingSpeak's (two fields, ISO times).
std::string Feed(int n) {
  std::string s =
      R"({"channel":{"id":9,"name":"my_house","description":"sensors","latitude":"40.44",)"
      R"("longitude":"-79.996","field1":"Light","field2":"Outside Temperature",)"
      R"("created_at":"2010-12-14T01:20:06Z","updated_at":"2024-05-01T12:00:00Z",)"
      R"("last_entry_id":)" +
      std::to_string(n) + R"(},"feeds":[)";
  for (int i = 1; i <= n; ++i) {
    if (i > 1) s += ",";
    s += R"({"created_at":"2024-05-01T12:00:00Z","entry_id":)" + std::to_string(i) +
         R"(,"field1":")" + std::to_string(100 + i % 97) + R"(","field2":"25.902335456475583"})";
  }
  return s + "]}";
}

void BM_ParseFeedAndWalk(benchmark::State& state) {
  std::string body = Feed(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    Result<FeedView> feed = ParseFeed(body);
    int64_t sum = 0;
    size_t bytes = 0;
    for (EntryView e : feed->entries()) {
      sum += e.entry_id();
      bytes += e.field(1).escaped().size();
    }
    benchmark::DoNotOptimize(sum);
    benchmark::DoNotOptimize(bytes);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ParseFeedAndWalk)->Arg(100)->Arg(8000);

void BM_BulkJson960(benchmark::State& state) {
  std::vector<std::byte> storage(64 * 1024);
  BulkEntry update;
  (void)update.entry.SetField(1, "-67");
  (void)update.entry.SetField(2, "21.5");
  (void)update.entry.SetStatus("node 4c:11:ae:89:bc:95");
  update.delta_t_s = 1;
  for (auto _ : state) {
    Result<BulkWriter> writer = BulkWriter::Start(storage, "XXXXXXXXXXXXXXXX", {});
    while (writer->Add(update).ok()) {
    }
    benchmark::DoNotOptimize(writer->Finish());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kMaxBulkUpdates));
}
BENCHMARK(BM_BulkJson960);

void BM_BuildUpdate(benchmark::State& state) {
  std::array<std::byte, 512> storage;
  Entry e;
  (void)e.SetField(1, "73");
  (void)e.SetField(2, "door open");
  (void)e.SetStatus("ok");
  for (auto _ : state) benchmark::DoNotOptimize(BuildUpdate(storage, "XXXXXXXXXXXXXXXX", e));
}
BENCHMARK(BM_BuildUpdate);

}  // namespace
}  // namespace airlab::cloud

BENCHMARK_MAIN();
