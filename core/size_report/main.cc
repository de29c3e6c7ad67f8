// A minimal firmware image for the size report: main encodes one ESP-NOW frame from
// volatile input and decodes it strictly, so the linker keeps the whole codec (encoder,
// FrameView, element walk, payload copy, CRC-32) and nothing is folded at compile time.
// `arm-none-eabi-size` on this image is what the codec costs a device in flash and RAM.

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/espnow/codec.h"

namespace {

volatile uint8_t g_input[32];
volatile uint32_t g_output;

// One frame's worth of buffers, static so their RAM shows in .bss.
airlab::FrameBuffer<airlab::espnow::kMaxFrameSize> g_frame;
std::array<std::byte, airlab::espnow::kMaxPayloadV2> g_payload;

}  // namespace

int main() {
  using namespace airlab;
  std::array<std::byte, sizeof g_input> input{};
  for (size_t i = 0; i < input.size(); ++i) input[i] = std::byte{g_input[i]};

  espnow::EncodeOptions options;
  options.src =
      MacAddress({g_input[0], g_input[1], g_input[2], g_input[3], g_input[4], g_input[5]});
  options.sequence = g_input[6];
  options.version = (g_input[7] & 1) ? espnow::Version::kV2 : espnow::Version::kV1;
  if (!espnow::Encode(options, ByteSpan(input).first(g_input[8] % input.size()), g_frame).ok()) {
    return 1;
  }

  const espnow::DecodeOptions decode{espnow::Fcs::kPresent, espnow::Strictness::kStrict};
  espnow::Deviations deviations;
  auto view = espnow::FrameView::Parse(g_frame.bytes(), decode, &deviations);
  uint32_t result = deviations.bits();
  if (view.ok()) {
    for (const espnow::Element element : view->elements()) result += element.version_byte;
    result += static_cast<uint32_t>(view->CopyPayload(g_payload).size());
  }
  g_output = result;
  return 0;
}
