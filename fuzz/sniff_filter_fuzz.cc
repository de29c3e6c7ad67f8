// Fuzzes the sniffer's filter compiler and evaluator: any text either compiles or fails
// with a position inside the text, never crashes or overruns; a compiled filter runs on a
// few records of every kind without touching memory it should not.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/base/assert.h"
#include "core/espnow/codec.h"
#include "core/sniff/filter.h"
#include "core/sniff/record.h"
#include "core/sniff/sniff_testing.h"

namespace {

using namespace airlab;

struct Records {
  Records() {
    const MacAddress a({0x24, 0x0a, 0xc4, 0, 0, 1}), b({0x24, 0x0a, 0xc4, 0, 0, 2});
    std::array<std::byte, 600> payload{};
    for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::byte>(i);
    packets = {
        sniff::testing::WithRadiotap(sniff::testing::Beacon(a, "lab", 6, 1), {}),
        sniff::testing::WithRadiotap(sniff::testing::Ack(a), {}),
        sniff::testing::WithRadiotap(sniff::testing::Data(3, a, b, a, 30, 2), {}),
        sniff::testing::WithRadiotap(
            sniff::testing::EspNow(a, MacAddress::Broadcast(), ByteSpan(payload).first(9),
                                   espnow::Version::kV1, 3),
            {}),
        sniff::testing::WithRadiotap(
            sniff::testing::EspNow(a, b, payload, espnow::Version::kV2, 4, true), {}),
        sniff::testing::WithRadiotap(
            sniff::testing::EspNow(a, b, payload, espnow::Version::kV1, 5, false, true), {}),
    };
    for (size_t i = 0; i < packets.size(); ++i) {
      AIRLAB_ASSERT(sniff::DecodePacket(127, packets[i], 0, {}, scratch[i], records[i]).ok());
    }
  }
  std::array<sniff::testing::Bytes, 6> packets;
  std::array<std::array<std::byte, espnow::kMaxPayloadV2>, 6> scratch;
  std::array<sniff::FrameRecord, 6> records;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Records* records = new Records();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  sniff::Filter filter;
  sniff::ParseError error;
  const Status status = filter.Compile(text, &error);
  if (!status.ok()) {
    AIRLAB_ASSERT(error.position <= size);
    AIRLAB_ASSERT(error.expected != nullptr && error.expected[0] != '\0');
    AIRLAB_ASSERT(!filter.Matches(records->records[0]));
    return 0;
  }
  AIRLAB_ASSERT(filter.instruction_count() <= sniff::Filter::kMaxInstructions);
  for (const sniff::FrameRecord& r : records->records) {
    const bool match = filter.Matches(r);
    // Matching is a pure function of the record.
    AIRLAB_ASSERT(match == filter.Matches(r));
  }
  return 0;
}
