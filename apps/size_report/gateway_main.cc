// A firmware image for the size report of the lab's Master: apps::Gateway with its default
// GatewayBuffers<> over espnow::StaticStack<> and the volatile ports (volatile_ports.h),
// its DurableQueue and Uplink volatile too. `arm-none-eabi-size` on this image is what the
// gateway and the Stack cost a device; the storage backend (flash ring) and the HTTP
// client (esp_http_client) are the platform's, counted apart.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "apps/gateway/gateway.h"
#include "core/espnow/stack.h"
#include "core/port/durable_queue.h"
#include "core/port/uplink.h"
#include "core/size_report/volatile_ports.h"

namespace {

using namespace airlab;
using size_report::g_input;
using size_report::g_output;
using size_report::Sink;

class VolatileStore final : public port::DurableQueue {
 public:
  Result<uint64_t> Count() override { return uint64_t{g_input[2]}; }

 private:
  Result<uint64_t> DoCommit(const port::QueueChange& change) override {
    for (ByteSpan record : change.append) Sink(record);
    g_output = g_output + static_cast<uint32_t>(change.remove_through + change.marks.size());
    return uint64_t{g_input[3]};
  }
  Result<size_t> DoRead(uint64_t after, std::span<port::QueuedRecord> out,
                        MutableByteSpan storage) override {
    const size_t n = std::min<size_t>(g_input[4] % 4, out.size());
    for (size_t i = 0; i < n && i < storage.size(); ++i) {
      storage[i] = std::byte{g_input[5]};
      out[i] = {after + 1 + i, storage.subspan(i, 1)};
    }
    return n;
  }
  Result<uint64_t> DoGetMark(uint64_t key) override {
    if (g_input[6] & 1) return Status::NotFound();
    return key ^ g_input[7];
  }
  Result<size_t> DoReadMarks(uint64_t first, uint64_t, std::span<port::Mark> out) override {
    out[0] = {first, g_input[8]};
    return size_t{g_input[9] & 1u};
  }
};

// Takes each request; Complete hands the answer over as the HTTP client's task would.
class VolatileUplink final : public port::Uplink {
 public:
  void Complete() {
    if (pending_.listener == nullptr) return;
    port::HttpAnswer answer;
    answer.tag = pending_.tag;
    answer.http_status = 200 + g_input[10] % 300;
    const size_t size = std::min<size_t>(g_input[11], pending_.answer.size());
    for (size_t i = 0; i < size; ++i) pending_.answer[i] = std::byte{g_input[12 + i % 40]};
    answer.body = pending_.answer.first(size);
    port::HttpListener* listener = std::exchange(pending_.listener, nullptr);
    listener->OnHttpDone(answer);
  }

 private:
  Status DoSend(const port::HttpRequest& request) override {
    Sink(request.body);
    Sink(AsBytes(request.target.data(), request.target.size()));
    pending_ = request;
    return Status();
  }
  port::HttpRequest pending_;
};

size_report::VolatileRadio g_radio;
size_report::VolatileRng g_rng;
size_report::NoAes g_aes;
size_report::VolatileClock g_clock;
size_report::VolatileTimer g_timer;
VolatileStore g_store;
VolatileUplink g_uplink;
espnow::StaticStack<> g_stack(g_radio, g_rng, g_aes);
apps::GatewayBuffers<> g_buffers;

}  // namespace

int main() {
  apps::GatewayConfig config;
  config.channel_id = g_input[20];
  config.write_key = "WRITEKEY00000000";
  config.command_channel_id = g_input[21];
  apps::Gateway gateway(g_stack.stack(), g_store, g_uplink, g_clock, g_clock, g_timer, g_rng,
                        g_buffers.memory(), config);
  if (!gateway.Start(1 + g_input[22] % 13).ok()) return 1;
  std::array<std::byte, sizeof g_input> input{};
  for (size_t i = 0; i < input.size(); ++i) input[i] = std::byte{g_input[i]};
  g_radio.Hear(input);
  g_timer.Fire();
  g_uplink.Complete();
  gateway.OnHomeChannel(1 + g_input[23] % 13);
  gateway.Poll();
  return 0;
}
