// A firmware image for the size report of espnow::StaticStack<> in its default
// configuration, over the volatile ports (volatile_ports.h): the linker keeps the whole
// send, receive, peer and CCMP path, so `arm-none-eabi-size` on this image is what the
// Stack itself costs in flash and RAM.

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/espnow/stack.h"
#include "core/size_report/volatile_ports.h"

namespace {

using namespace airlab;
using size_report::g_input;
using size_report::g_output;

size_report::VolatileRadio g_radio;
size_report::VolatileRng g_rng;
size_report::NoAes g_aes;
espnow::StaticStack<> g_stack(g_radio, g_rng, g_aes);
std::array<std::byte, espnow::kMaxPayloadV2> g_payload;

}  // namespace

int main() {
  std::array<std::byte, sizeof g_input> input{};
  for (size_t i = 0; i < input.size(); ++i) input[i] = std::byte{g_input[i]};

  espnow::PeerInfo peer;
  peer.mac = MacAddress({g_input[0], g_input[1], g_input[2], g_input[3], g_input[4], g_input[5]});
  peer.encrypt = (g_input[6] & 1) != 0;
  peer.version = (g_input[6] & 2) ? espnow::Version::kV2 : espnow::Version::kV1;
  if (!g_stack->SetEnabled(true).ok() || !g_stack->AddPeer(peer).ok()) return 1;
  if (!g_stack->Send(peer.mac, ByteSpan(input).first(g_input[7] % input.size())).ok()) return 2;
  g_radio.Hear(input);
  auto received = g_stack->Receive(g_payload);
  g_output = g_output + (received.ok() ? static_cast<uint32_t>(received->size) : 0u);
  return 0;
}
