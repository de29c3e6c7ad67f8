// Feeds arbitrary bytes to the ESP-NOW FrameView in every mode, walks what it accepts and
// checks the view's promises: elements inside the input, sizes that add up, strict success
// only without deviations, and a payload that survives a re-encode.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/espnow/codec.h"
#include "fuzz/fuzz_support.h"

namespace {

using namespace airlab;
using namespace airlab::espnow;
using airlab::fuzz::Check;

void Exercise(ByteSpan input, Fcs fcs) {
  Deviations lenient_found, strict_found;
  auto lenient = FrameView::Parse(input, {fcs, Strictness::kLenient}, &lenient_found);
  auto strict = FrameView::Parse(input, {fcs, Strictness::kStrict}, &strict_found);
  Check(lenient_found == strict_found);
  Check(strict.ok() == (lenient.ok() && lenient_found.empty()));
  if (!lenient.ok()) {
    Check(!strict.ok());
    return;
  }
  const FrameView& view = *lenient;
  Check(view.deviations() == lenient_found);

  size_t total = 0, count = 0;
  for (const Element element : view.elements()) {
    Check(element.data.data() >= input.data());
    Check(element.data.data() + element.data.size() <= input.data() + input.size());
    total += element.data.size();
    ++count;
  }
  Check(total == view.payload_size());
  Check(count == view.element_count());

  std::vector<std::byte> payload(view.payload_size());
  const StatusWithSize copied = view.CopyPayload(payload);
  Check(copied.ok() && copied.size() == payload.size());
  if (auto span = view.ContiguousPayload(); span.ok()) {
    Check(span->size() == payload.size());
    Check(payload.empty() || std::memcmp(span->data(), payload.data(), payload.size()) == 0);
  }
  if (view.payload_size() > 0) {
    std::vector<std::byte> short_buffer(view.payload_size() - 1);
    Check(view.CopyPayload(short_buffer).status() == Status::ResourceExhausted());
  }

  // What a receiver got, sent again, must come back the same.
  if (view.encrypted() || (view.version() != 1 && view.version() != 2)) return;
  const Version version = static_cast<Version>(view.version());
  if (payload.size() > MaxPayload(version)) return;
  EncodeOptions o;
  o.dst = view.dst();
  o.src = view.src();
  o.addr3 = view.addr3();
  o.sequence = view.sequence();
  o.random = view.random();
  o.retry = view.retry();
  o.version = version;
  FrameBuffer<kMaxFrameSize> again;
  Check(Encode(o, payload, again).ok());
  auto reparsed = FrameView::Parse(again.bytes(), {Fcs::kPresent, Strictness::kLenient});
  Check(reparsed.ok());
  Check(reparsed->payload_size() == payload.size());
  Check(reparsed->src() == view.src() && reparsed->sequence() == view.sequence());
  std::vector<std::byte> payload_again(payload.size());
  Check(reparsed->CopyPayload(payload_again).ok());
  Check(payload_again == payload);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan input = AsBytes(data, size);
  Exercise(input, Fcs::kAbsent);
  Exercise(input, Fcs::kPresent);
  return 0;
}
