// A firmware image for the size report of espnow::StaticStack<> in its default
// configuration: the Stack over ports that only touch volatile memory, so the linker keeps
// the whole send, receive, peer and CCMP path and nothing is folded at compile time. The
// AES port is empty here (a device's is its hardware AES or mbedTLS, counted apart), so
// `arm-none-eabi-size` on this image is what the Stack itself costs in flash and RAM.

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/espnow/stack.h"

namespace {

using namespace airlab;

volatile uint8_t g_input[64];
volatile uint32_t g_output;

class VolatileRadio final : public port::Radio {
 public:
  // What a driver's receive interrupt would hand over.
  void Hear(ByteSpan mpdu) { Deliver(mpdu, port::RxInfo{}); }

 private:
  Status DoSetEnabled(bool) override { return Status(); }
  Status DoTransmit(ByteSpan mpdu, const port::TxOptions&) override {
    for (std::byte b : mpdu) g_output = g_output + static_cast<uint8_t>(b);
    return Status();
  }
  Status DoSetChannel(uint8_t) override { return Status(); }
  Status DoSetAddress(port::Interface, const MacAddress&) override { return Status(); }
  Status DoSetPromiscuous(bool) override { return Status(); }
};

class VolatileRng final : public port::Rng {
 public:
  uint32_t NextU32() override { return g_input[0] * 2654435761u; }
};

class NoAes final : public port::Aes128 {
 protected:
  Status DoEcbEncryptBlock(const port::Aes128Key&, std::span<const std::byte, port::kAesBlockSize>,
                           std::span<std::byte, port::kAesBlockSize>) override {
    return Status::Unimplemented();
  }
  Status DoCcmEncrypt(const port::Aes128Key&, const port::CcmNonce&, ByteSpan, ByteSpan,
                      MutableByteSpan, std::span<std::byte, port::kCcmTagSize>) override {
    return Status::Unimplemented();
  }
  Status DoCcmDecrypt(const port::Aes128Key&, const port::CcmNonce&, ByteSpan, ByteSpan,
                      std::span<const std::byte, port::kCcmTagSize>, MutableByteSpan) override {
    return Status::Unimplemented();
  }
};

VolatileRadio g_radio;
VolatileRng g_rng;
NoAes g_aes;
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
