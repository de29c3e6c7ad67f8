// A firmware image for the size report of the lab's Slave: apps::Node over
// espnow::StaticStack<> and the volatile ports (volatile_ports.h), with a 2 KB queue of
// readings. `arm-none-eabi-size` on this image is what the node and the Stack cost a device.

#include <array>
#include <cstddef>
#include <cstdint>

#include "apps/node/node.h"
#include "core/espnow/stack.h"
#include "core/size_report/volatile_ports.h"

namespace {

using namespace airlab;
using size_report::g_input;

size_report::VolatileRadio g_radio;
size_report::VolatileRng g_rng;
size_report::NoAes g_aes;
size_report::VolatileClock g_clock;
size_report::VolatileTimer g_timer;
espnow::StaticStack<> g_stack(g_radio, g_rng, g_aes);
apps::RadioChannelControl g_channel(g_radio);
std::array<std::byte, 2048> g_queue;

}  // namespace

int main() {
  apps::Node node(g_stack.stack(), g_channel, g_clock, g_timer, g_rng, g_queue);
  if (!node.Start().ok()) return 1;
  std::array<std::byte, sizeof g_input> input{};
  for (size_t i = 0; i < input.size(); ++i) input[i] = std::byte{g_input[i]};
  if (!node.Send(ByteSpan(input).first(1 + g_input[0] % 32)).ok()) return 2;
  g_radio.Hear(input);
  g_timer.Fire();
  node.Poll();
  return 0;
}
