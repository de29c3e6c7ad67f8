// Feeds arbitrary bytes to the Improv stream parser, whole and split at a point the input
// chooses, then a quiet spell (Expire): both readings must agree; every packet found must
// re-encode to a packet that parses the same; its RPC, Wi-Fi settings and result strings
// are read as a device and a client read them.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/wifi/improv.h"
#include "fuzz/fuzz_support.h"

namespace {

using namespace airlab;
using namespace airlab::wifi;
using airlab::fuzz::Check;

struct Found final : ImprovStreamListener {
  void OnImprovText(ByteSpan text) override {
    this->text.insert(this->text.end(), text.begin(), text.end());
  }
  void OnImprovPacket(const ImprovPacket& p) override {
    Check(p.data.size() <= kImprovMaxData);
    packets.push_back(
        {static_cast<uint8_t>(p.type), std::vector<std::byte>(p.data.begin(), p.data.end())});
    if (const Result<ImprovRpc> rpc = ParseImprovRpc(p.data); rpc.ok()) {
      Check(rpc->data.size() + 2 == p.data.size());
      if (const auto settings = ParseImprovWifiSettings(rpc->data); settings.ok()) {
        Check(settings->ssid.size() + settings->password.size() + 2 == rpc->data.size());
      }
      size_t total = 0;
      ImprovStrings strings(rpc->data);
      while (strings.Next()) total += strings.current().size() + 1;
      Check(strings.ok() ? total == rpc->data.size() : total < rpc->data.size());
    }
  }
  std::vector<std::byte> text;
  std::vector<std::pair<uint8_t, std::vector<std::byte>>> packets;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan input = AsBytes(data, size);
  ImprovStreamParser whole_parser;
  Found whole;
  whole_parser.Feed(input, whole);
  whole_parser.Expire(whole);
  Check(!whole_parser.waiting());

  const size_t split = size == 0 ? 0 : data[0] % (size + 1);
  ImprovStreamParser split_parser;
  Found parts;
  split_parser.Feed(input.first(split), parts);
  split_parser.Feed(input.subspan(split), parts);
  split_parser.Expire(parts);
  Check(parts.text == whole.text && parts.packets == whole.packets);
  Check(whole.text.size() <= size);
  Check(whole_parser.stats().packets == whole.packets.size());

  for (const auto& [type, bytes] : whole.packets) {
    FrameBuffer<kImprovMaxPacketSize> again;
    Check(BuildImprovPacket(static_cast<ImprovType>(type), bytes, again).ok());
    ImprovStreamParser reparser;
    Found reparsed;
    reparser.Feed(again.bytes(), reparsed);
    Check(reparsed.text.empty() && reparsed.packets.size() == 1);
    Check(reparsed.packets[0].first == type && reparsed.packets[0].second == bytes);
  }
  return 0;
}
