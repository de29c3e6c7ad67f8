// Radiotap parser under libFuzzer: every field the iterator hands out is read byte by byte
// (ASan catches a span past the input), and whatever parses must survive a write and a
// second parse unchanged.

#include <cstddef>
#include <cstdint>

#include "core/base/bytes.h"
#include "core/wire/radiotap.h"
#include "fuzz/fuzz_support.h"

namespace {

using airlab::ByteSpan;
using airlab::FrameBuffer;
using airlab::fuzz::Check;
using airlab::fuzz::Touch;
using namespace airlab::wire;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan packet = airlab::AsBytes(data, size);

  volatile uint32_t sink = 0;
  RadiotapIterator it(packet);
  while (it.Next()) sink = sink + Touch(it.item().data) + it.item().vendor_oui;

  const auto payload = RadiotapPayload(packet);
  const auto view = RadiotapView::Parse(packet);
  Check(view.status() == it.status());
  if (!payload.ok()) {
    // The fixed header failed: Parse must fail the same way.
    Check(view.status() == payload.status());
    return 0;
  }
  sink = sink + Touch(*payload);
  if (!view.ok()) return 0;

  Check(view->payload().data() == payload->data() && view->payload().size() == payload->size());
  Check(view->header().size() + view->payload().size() == size);
  sink = sink + Touch(view->header()) + Touch(view->payload_without_fcs());

  FrameBuffer<128> out;
  WriteRadiotap(out, view->info());
  Check(out.ok());
  const auto again = RadiotapView::Parse(out.bytes());
  Check(again.ok());
  Check(again->info() == view->info());
  Check(again->payload().empty());
  return 0;
}
