// Feeds arbitrary bytes to the hub's Framer and Decode, as a hostile client would, and
// checks their promises: no crash or overrun, bodies within the size limit, and decoding
// that normalises - what decodes re-encodes to bytes that decode to the same bytes again.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "platform/air/protocol.h"

namespace {

using namespace airlab;
using namespace airlab::air;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

std::vector<std::byte> Reencoded(const Message& m) {
  std::vector<std::byte> framed;
  Encode(m, framed);
  return framed;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan input(reinterpret_cast<const std::byte*>(data), size);
  // The first byte picks how the stream is cut into reads, as TCP might.
  const size_t chunk = size == 0 ? 1 : (data[0] % 7) + 1;
  Framer framer;
  std::vector<std::byte> body;
  for (size_t offset = 0; offset < input.size(); offset += chunk) {
    framer.Append(input.subspan(offset, std::min(chunk, input.size() - offset)));
    Status next;
    while ((next = framer.Next(body)).ok()) {
      Check(!body.empty() && body.size() <= kMaxMessageSize);
      std::string error;
      std::optional<Message> m = Decode(body, error);
      Check(m.has_value() == error.empty());
      if (!m) continue;
      const std::vector<std::byte> once = Reencoded(*m);
      std::optional<Message> again = Decode(ByteSpan(once).subspan(4), error);
      Check(again.has_value());
      Check(Reencoded(*again) == once);
    }
    if (next == Status::OutOfRange()) return 0;  // the hub closes such a stream
    Check(next == Status::Unavailable());
  }
  return 0;
}
