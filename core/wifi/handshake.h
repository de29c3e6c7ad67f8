#pragma once
// The WPA2-PSK 4-way handshake (IEEE 802.11-2016 12.7.6) as two pure state machines: the
// Authenticator (AP side, one per station) and the Supplicant (station side). Bytes in,
// reply bytes out into the caller's ByteBuilder, a HandshakeStep saying what happened.
// No timers inside: the caller retries (Authenticator::Retransmit on its own timer) and
// gives up (a Deauthentication with reason 15) by its own policy. Randomness (the nonces)
// comes through port::Rng; hashing and AES through port::Sha1 and port::Aes128.
//
// The frames are whole EAPOL frames (802.1X header to key data), without LLC/SNAP: wrap
// them with wire::BuildDataFrame(..., kEapolEthertype, ...).
//
// Exchange (reference/wifi-join.md):
//   AP  -> STA  message 1: ANonce, replay counter r                         (Start)
//   STA -> AP   message 2: SNonce, the station's RSN element, MIC, counter r
//   AP  -> STA  message 3: ANonce, AP's RSN element + GTK KDE wrapped with the KEK, MIC,
//                          counter r + 1, Install
//   STA -> AP   message 4: MIC, counter r + 1; both sides now use the TK and the GTK.

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/result.h"
#include "core/base/status.h"
#include "core/port/cipher.h"
#include "core/port/rng.h"
#include "core/port/sha1.h"
#include "core/wifi/eapol.h"
#include "core/wifi/keys.h"

namespace airlab::wifi {

// What one received EAPOL frame led to. The Status of a Result<HandshakeStep> is for the
// caller's own faults only: kResourceExhausted when `out` is too small, the crypto ports'
// kInternal.
enum class HandshakeStep : uint8_t {
  kSend,        // `out` holds the reply to send; the handshake goes on
  kComplete,    // keys installed. Supplicant: `out` holds message 4 to send; AP: nothing
  kIgnored,     // not expected now (a duplicate, a stale replay counter, another message,
                // a frame after completion that needs no answer): drop it, nothing written
  kMicFailure,  // its MIC did not verify: the peer has another passphrase (an AP seeing a
                // message 2 from a station with the wrong one) or the frame was altered
  kMalformed,   // not an EAPOL-Key frame this handshake accepts, or broken key data
};

// The longest RSN element (id and length included) the handshake carries.
inline constexpr size_t kMaxRsnElementSize = 64;

struct AuthenticatorConfig {
  MacAddress aa;   // the AP's address (its BSSID)
  MacAddress spa;  // the station's address
  Pmk pmk{};
  GtkKde gtk;            // the group key, the same for every station of the AP
  uint64_t gtk_rsc = 0;  // the GTK's next packet number, told to the station
  ByteSpan rsn_element;  // the AP's RSN element (id 48, length, body), as in its beacons;
                         // copied, at most kMaxRsnElementSize bytes
};

// The AP side of one station's handshake.
class Authenticator {
 public:
  enum class State : uint8_t { kIdle, kAwaitingMessage2, kAwaitingMessage4, kComplete };

  Authenticator(port::Sha1& sha1, port::Aes128& aes, port::Rng& rng)
      : sha1_(sha1), aes_(aes), rng_(rng) {}
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // Starts (or restarts) the handshake with a fresh ANonce and appends message 1 to `out`.
  // kInvalidArgument: the RSN element is longer than kMaxRsnElementSize or not one
  // element; kResourceExhausted: `out` is too small.
  Status Start(const AuthenticatorConfig& config, ByteBuilder& out);

  // Resends the message awaiting an answer (1 or 3) with the next replay counter, for the
  // caller's retry timer (a station with the wrong passphrase keeps answering message 1
  // with a bad MIC: real APs resend message 1 a few times, then deauthenticate with reason
  // 15). kFailedPrecondition when idle or complete; kResourceExhausted as Start.
  Status Retransmit(ByteBuilder& out);

  // A frame from the station (the EAPOL frame from its 802.1X header on). kSend with
  // message 3 for a good message 2; kComplete for a good message 4; kMicFailure for a
  // message 2 whose MIC fails (nothing written: retry message 1 or give up).
  Result<HandshakeStep> OnEapol(ByteSpan eapol, ByteBuilder& out);

  State state() const { return state_; }
  // Messages sent for the message now awaited (1 + retransmissions).
  uint32_t transmissions() const { return transmissions_; }
  // The pairwise keys; meaningful once state() is kComplete.
  const Ptk& ptk() const { return ptk_; }
  const MacAddress& station() const { return config_.spa; }

 private:
  Status SendMessage1(ByteBuilder& out);
  Status SendMessage3(ByteBuilder& out);

  port::Sha1& sha1_;
  port::Aes128& aes_;
  port::Rng& rng_;
  AuthenticatorConfig config_;
  std::array<std::byte, kMaxRsnElementSize> rsn_element_{};
  State state_ = State::kIdle;
  Nonce anonce_{};
  Nonce snonce_{};
  Ptk ptk_;
  uint64_t replay_counter_ = 0;        // the last one sent
  uint64_t first_replay_counter_ = 0;  // the first one sent for the awaited message
  uint32_t transmissions_ = 0;
};

struct SupplicantConfig {
  MacAddress spa;  // the station's address
  MacAddress aa;   // the AP's address (BSSID)
  Pmk pmk{};
  ByteSpan rsn_element;  // the station's RSN element exactly as in its Association
                         // Request; copied, at most kMaxRsnElementSize bytes
};

// The station side.
class Supplicant {
 public:
  enum class State : uint8_t { kIdle, kAwaitingMessage1, kAwaitingMessage3, kComplete };

  Supplicant(port::Sha1& sha1, port::Aes128& aes, port::Rng& rng)
      : sha1_(sha1), aes_(aes), rng_(rng) {}
  Supplicant(const Supplicant&) = delete;
  Supplicant& operator=(const Supplicant&) = delete;

  // Gets ready for message 1 (call once associated); forgets earlier keys.
  // kInvalidArgument: the RSN element is longer than kMaxRsnElementSize or not one element.
  Status Start(const SupplicantConfig& config);

  // A frame from the AP. Message 1 -> kSend with message 2 (a message 1 resent with the
  // same ANonce gets the same SNonce); message 3 with a good MIC, a fresh replay counter
  // and a GTK -> kComplete with message 4 (and, once complete, a resent message 3 is
  // answered with message 4 again: kSend); a message 3 whose MIC fails -> kMicFailure.
  Result<HandshakeStep> OnEapol(ByteSpan eapol, ByteBuilder& out);

  State state() const { return state_; }
  // True once a message 2 went out: a join that then fails (message 1 resent, then a
  // Deauthentication) failed on the passphrase, not on reachability.
  bool sent_message2() const { return sent_message2_; }
  // Meaningful once state() is kComplete.
  const Ptk& ptk() const { return ptk_; }
  const GtkKde& gtk() const { return gtk_; }
  // The GTK's packet number the AP said it has reached (frames below it are replays).
  uint64_t gtk_rsc() const { return gtk_rsc_; }

 private:
  Result<HandshakeStep> OnMessage1(const EapolKeyView& key, ByteBuilder& out);
  Result<HandshakeStep> OnMessage3(const EapolKeyView& key, ByteBuilder& out);
  Status SendMessage4(uint64_t replay_counter, ByteBuilder& out);

  port::Sha1& sha1_;
  port::Aes128& aes_;
  port::Rng& rng_;
  SupplicantConfig config_;
  std::array<std::byte, kMaxRsnElementSize> rsn_element_{};
  State state_ = State::kIdle;
  bool sent_message2_ = false;
  Nonce anonce_{};
  Nonce snonce_{};
  Ptk ptk_;
  GtkKde gtk_;
  uint64_t gtk_rsc_ = 0;
  bool have_replay_counter_ = false;
  uint64_t replay_counter_ = 0;  // the last one accepted from the AP
};

}  // namespace airlab::wifi
