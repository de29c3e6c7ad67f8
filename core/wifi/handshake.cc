#include "core/wifi/handshake.h"

#include <cstring>

namespace airlab::wifi {
namespace {

constexpr uint8_t kAuthenticatorEapolVersion = 2;  // 802.1X-2004, as hostapd sends
constexpr uint8_t kSupplicantEapolVersion = 1;     // wpa_supplicant's default
constexpr uint16_t kCcmpKeyLength = kTkSize;
// Key data of message 3 before wrapping: the AP's RSN element, the GTK KDE, the padding.
constexpr size_t kMaxMessage3KeyData = kMaxRsnElementSize + 2 + 4 + 2 + kGtkSize + 16;

// Copies one whole element (id, length, body) into `storage`; the span of the copy.
Result<ByteSpan> CopyElement(ByteSpan element, std::span<std::byte, kMaxRsnElementSize> storage) {
  if (element.size() < 2 || element.size() > storage.size() ||
      load_u8(element, 1) != element.size() - 2) {
    return Status::InvalidArgument();
  }
  std::memcpy(storage.data(), element.data(), element.size());
  return ByteSpan(storage.data(), element.size());
}

void FillNonce(port::Rng& rng, Nonce& nonce) {
  for (size_t i = 0; i < nonce.size(); i += 4) store_le32(nonce, i, rng.NextU32());
}

// Builds an EAPOL-Key frame into `out` and, when `kck` is given, its MIC. On error `out`
// keeps its size.
Status BuildSigned(port::Sha1& sha1, const Kck* kck, const EapolKeyFields& fields,
                   ByteBuilder& out) {
  const size_t start = out.size();
  AIRLAB_TRY(BuildEapolKey(out, fields));
  if (kck == nullptr) return Status::Ok();
  const Status s = WriteEapolMic(sha1, *kck, out.writable_bytes().subspan(start));
  if (!s.ok()) out.Truncate(start);
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Authenticator

Status Authenticator::Start(const AuthenticatorConfig& config, ByteBuilder& out) {
  AIRLAB_TRY_ASSIGN(const ByteSpan rsn, CopyElement(config.rsn_element, rsn_element_));
  config_ = config;
  config_.rsn_element = rsn;
  FillNonce(rng_, anonce_);
  state_ = State::kAwaitingMessage2;
  transmissions_ = 0;
  first_replay_counter_ = replay_counter_ + 1;
  return SendMessage1(out);
}

Status Authenticator::Retransmit(ByteBuilder& out) {
  switch (state_) {
    case State::kAwaitingMessage2: return SendMessage1(out);
    case State::kAwaitingMessage4: return SendMessage3(out);
    case State::kIdle:
    case State::kComplete: break;
  }
  return Status::FailedPrecondition();
}

Status Authenticator::SendMessage1(ByteBuilder& out) {
  const EapolKeyFields fields{.protocol_version = kAuthenticatorEapolVersion,
                              .key_info = KeyInfo::kMessage1,
                              .key_length = kCcmpKeyLength,
                              .replay_counter = replay_counter_ + 1,
                              .nonce = anonce_};
  AIRLAB_TRY(BuildSigned(sha1_, nullptr, fields, out));
  ++replay_counter_;
  ++transmissions_;
  return Status::Ok();
}

Status Authenticator::SendMessage3(ByteBuilder& out) {
  FrameBuffer<kMaxMessage3KeyData> plain;
  plain.Append(config_.rsn_element);
  AIRLAB_TRY(AppendGtkKde(plain, config_.gtk));
  AIRLAB_TRY(PadKeyData(plain, 0));
  FrameBuffer<kMaxMessage3KeyData + kKeyWrapOverhead> wrapped;
  AIRLAB_TRY(AesKeyWrap(aes_, ptk_.kek, plain.bytes(), wrapped));
  const EapolKeyFields fields{.protocol_version = kAuthenticatorEapolVersion,
                              .key_info = KeyInfo::kMessage3,
                              .key_length = kCcmpKeyLength,
                              .replay_counter = replay_counter_ + 1,
                              .nonce = anonce_,
                              .key_rsc = config_.gtk_rsc,
                              .key_data = wrapped.bytes()};
  AIRLAB_TRY(BuildSigned(sha1_, &ptk_.kck, fields, out));
  ++replay_counter_;
  ++transmissions_;
  return Status::Ok();
}

Result<HandshakeStep> Authenticator::OnEapol(ByteSpan eapol, ByteBuilder& out) {
  Result<EapolKeyView> parsed = EapolKeyView::Parse(eapol);
  if (!parsed.ok()) return HandshakeStep::kMalformed;
  const EapolKeyView& key = *parsed;
  // A station's messages carry a MIC, no Ack, and the counter of one we sent for the
  // message now awaited.
  if (!key.Has(KeyInfo::kPairwise | KeyInfo::kMic) || key.Has(KeyInfo::kAck) ||
      key.descriptor_version() != KeyInfo::kVersionHmacSha1Aes) {
    return HandshakeStep::kMalformed;
  }
  const uint64_t counter = key.replay_counter();
  if (counter < first_replay_counter_ || counter > replay_counter_) return HandshakeStep::kIgnored;
  const bool secure = key.Has(KeyInfo::kSecure);

  if (state_ == State::kAwaitingMessage2 && !secure) {
    std::memcpy(snonce_.data(), key.nonce().data(), kNonceSize);
    AIRLAB_TRY_ASSIGN(const Ptk ptk,
                      DerivePtk(sha1_, config_.pmk, config_.aa, config_.spa, anonce_, snonce_));
    const Status mic = key.VerifyMic(sha1_, ptk.kck);
    if (mic == Status::PermissionDenied()) return HandshakeStep::kMicFailure;
    AIRLAB_TRY(mic);
    if (!FindRsnElement(key.key_data()).ok()) return HandshakeStep::kMalformed;
    ptk_ = ptk;
    state_ = State::kAwaitingMessage4;
    transmissions_ = 0;
    first_replay_counter_ = replay_counter_ + 1;
    AIRLAB_TRY(SendMessage3(out));
    return HandshakeStep::kSend;
  }
  if (state_ == State::kAwaitingMessage4 && secure) {
    const Status mic = key.VerifyMic(sha1_, ptk_.kck);
    if (mic == Status::PermissionDenied()) return HandshakeStep::kMicFailure;
    AIRLAB_TRY(mic);
    state_ = State::kComplete;
    return HandshakeStep::kComplete;
  }
  return HandshakeStep::kIgnored;
}

// ---------------------------------------------------------------------------------------
// Supplicant

Status Supplicant::Start(const SupplicantConfig& config) {
  AIRLAB_TRY_ASSIGN(const ByteSpan rsn, CopyElement(config.rsn_element, rsn_element_));
  config_ = config;
  config_.rsn_element = rsn;
  state_ = State::kAwaitingMessage1;
  sent_message2_ = false;
  have_replay_counter_ = false;
  replay_counter_ = 0;
  anonce_ = {};
  ptk_ = {};
  gtk_ = {};
  gtk_rsc_ = 0;
  return Status::Ok();
}

Result<HandshakeStep> Supplicant::OnEapol(ByteSpan eapol, ByteBuilder& out) {
  if (state_ == State::kIdle) return HandshakeStep::kIgnored;
  Result<EapolKeyView> parsed = EapolKeyView::Parse(eapol);
  if (!parsed.ok()) return HandshakeStep::kMalformed;
  const EapolKeyView& key = *parsed;
  if (!key.Has(KeyInfo::kPairwise | KeyInfo::kAck) ||
      key.descriptor_version() != KeyInfo::kVersionHmacSha1Aes) {
    return HandshakeStep::kMalformed;
  }
  // 12.7.2: the replay counter of each AP message must exceed the last accepted one.
  if (have_replay_counter_ && key.replay_counter() <= replay_counter_) {
    return HandshakeStep::kIgnored;
  }
  if (!key.Has(KeyInfo::kMic)) return OnMessage1(key, out);
  return OnMessage3(key, out);
}

Result<HandshakeStep> Supplicant::OnMessage1(const EapolKeyView& key, ByteBuilder& out) {
  // Keys in use are not renegotiated here (no PTK rekeying).
  if (state_ == State::kComplete) return HandshakeStep::kIgnored;
  if (!sent_message2_ || std::memcmp(anonce_.data(), key.nonce().data(), kNonceSize) != 0) {
    std::memcpy(anonce_.data(), key.nonce().data(), kNonceSize);
    FillNonce(rng_, snonce_);
  }
  AIRLAB_TRY_ASSIGN(const Ptk ptk,
                    DerivePtk(sha1_, config_.pmk, config_.aa, config_.spa, anonce_, snonce_));
  const EapolKeyFields fields{.protocol_version = kSupplicantEapolVersion,
                              .key_info = KeyInfo::kMessage2,
                              .replay_counter = key.replay_counter(),
                              .nonce = snonce_,
                              .key_data = config_.rsn_element};
  AIRLAB_TRY(BuildSigned(sha1_, &ptk.kck, fields, out));
  ptk_ = ptk;
  have_replay_counter_ = true;
  replay_counter_ = key.replay_counter();
  sent_message2_ = true;
  state_ = State::kAwaitingMessage3;
  return HandshakeStep::kSend;
}

Result<HandshakeStep> Supplicant::OnMessage3(const EapolKeyView& key, ByteBuilder& out) {
  if (!sent_message2_) return HandshakeStep::kIgnored;
  if (!key.Has(KeyInfo::kMessage3)) return HandshakeStep::kMalformed;
  if (std::memcmp(anonce_.data(), key.nonce().data(), kNonceSize) != 0) {
    return HandshakeStep::kIgnored;  // not the handshake our message 2 answered
  }
  const Status mic = key.VerifyMic(sha1_, ptk_.kck);
  if (mic == Status::PermissionDenied()) return HandshakeStep::kMicFailure;
  AIRLAB_TRY(mic);
  FrameBuffer<kMaxEapolKeyData> plain;
  if (!AesKeyUnwrap(aes_, ptk_.kek, key.key_data(), plain).ok()) return HandshakeStep::kMalformed;
  Result<GtkKde> gtk = FindGtkKde(plain.bytes());
  if (!gtk.ok()) return HandshakeStep::kMalformed;
  AIRLAB_TRY(SendMessage4(key.replay_counter(), out));
  replay_counter_ = key.replay_counter();
  gtk_ = *gtk;
  gtk_rsc_ = key.key_rsc();
  const bool first = state_ != State::kComplete;
  state_ = State::kComplete;
  return first ? HandshakeStep::kComplete : HandshakeStep::kSend;
}

Status Supplicant::SendMessage4(uint64_t replay_counter, ByteBuilder& out) {
  const EapolKeyFields fields{.protocol_version = kSupplicantEapolVersion,
                              .key_info = KeyInfo::kMessage4,
                              .replay_counter = replay_counter};
  return BuildSigned(sha1_, &ptk_.kck, fields, out);
}

}  // namespace airlab::wifi
