// Feeds arbitrary bytes to the EAPOL-Key view, its key data readers and both sides of the
// 4-way handshake (a Supplicant waiting for message 1 or 3, an Authenticator waiting for
// message 2): whatever arrives, views stay inside the input, a refused frame writes no
// reply, and an accepted one re-encodes to the same bytes.

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/port/rng.h"
#include "core/wifi/eapol.h"
#include "core/wifi/handshake.h"
#include "core/wire/elements.h"
#include "fuzz/fuzz_support.h"
#include "platform/mbedtls/mbedtls_aes128.h"
#include "platform/mbedtls/mbedtls_sha1.h"

namespace {

using namespace airlab;
using namespace airlab::wifi;
using airlab::fuzz::Check;
using airlab::fuzz::Inside;
using airlab::fuzz::Touch;

volatile uint32_t sink = 0;

void ExerciseView(ByteSpan input) {
  Result<EapolKeyView> parsed = EapolKeyView::Parse(input);
  if (!parsed.ok()) return;
  const EapolKeyView& key = *parsed;
  Check(Inside(key.frame(), input));
  Check(Inside(key.key_data(), key.frame()));
  sink = sink + Touch(key.frame()) + key.key_info() + key.key_length() +
         static_cast<uint32_t>(key.replay_counter() + key.key_rsc());
  if (auto gtk = FindGtkKde(key.key_data()); gtk.ok()) {
    Check(gtk->key_id >= 1 && gtk->key_id <= 3);
    sink = sink + gtk->key_id;
  }
  if (auto rsn = FindRsnElement(key.key_data()); rsn.ok()) {
    Check(Inside(*rsn, key.key_data()));
    sink = sink + Touch(*rsn);
  }
  // The builder writes back the same frame from the view's fields (when the body holds
  // nothing after the key data: the builder writes no such extra bytes).
  if (key.frame().size() != kEapolKeyFixedSize + key.key_data().size()) return;
  static FrameBuffer<0x10000 + kEapolKeyFixedSize> again;
  again.Truncate(0);
  Check(BuildEapolKey(again, {.protocol_version = key.protocol_version(),
                              .key_info = key.key_info(),
                              .key_length = key.key_length(),
                              .replay_counter = key.replay_counter(),
                              .nonce = key.nonce(),
                              .key_rsc = key.key_rsc(),
                              .key_data = key.key_data()})
            .ok());
  // Only the fields the builder writes as zeros (key IV, reserved, MIC) may differ.
  Check(again.size() == key.frame().size());
  Check(std::memcmp(again.bytes().data(), key.frame().data(), 49) == 0);
  Check(std::memcmp(again.bytes().data() + 65, key.frame().data() + 65, 8) == 0);
  Check(std::memcmp(again.bytes().data() + 97, key.frame().data() + 97, again.size() - 97) == 0);
}

void ExerciseHandshake(ByteSpan input) {
  static mbedtls::MbedtlsSha1 sha1;
  static mbedtls::MbedtlsAes128 aes;
  port::SplitMix64 rng(1);
  FrameBuffer<64> rsn;
  wire::ElementWriter(rsn).AddRsn(wire::kWpa2Personal);
  const MacAddress ap({2, 0, 0, 0, 1, 0}), station({2, 0, 0, 0, 2, 0});
  // Not the PMK the seed corpus was made with (zeros), so no seed carries a valid MIC.
  Pmk pmk;
  pmk.fill(std::byte{0x5a});

  Supplicant supplicant(sha1, aes, rng);
  Check(supplicant.Start({.spa = station, .aa = ap, .pmk = pmk, .rsn_element = rsn.bytes()}).ok());
  FrameBuffer<512> reply;
  Result<HandshakeStep> step = supplicant.OnEapol(input, reply);
  Check(step.ok());
  if (*step != HandshakeStep::kSend) Check(reply.size() == 0);

  Authenticator authenticator(sha1, aes, rng);
  FrameBuffer<512> message1;
  Check(authenticator
            .Start({.aa = ap, .spa = station, .pmk = pmk, .rsn_element = rsn.bytes()}, message1)
            .ok());
  reply.Truncate(0);
  step = authenticator.OnEapol(input, reply);
  Check(step.ok());
  // Without the PMK no input can pass message 2's MIC (a MIC forged by chance: 2^-128).
  Check(*step != HandshakeStep::kSend && *step != HandshakeStep::kComplete);
  Check(reply.size() == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan input = AsBytes(data, size);
  ExerciseView(input);
  ExerciseHandshake(input);
  // The input as key data, too.
  if (auto gtk = FindGtkKde(input); gtk.ok()) sink = sink + gtk->key_id;
  if (auto rsn = FindRsnElement(input); rsn.ok()) Check(Inside(*rsn, input));
  return 0;
}
