#include "core/espnow/stack.h"

#include <cstring>

#include "core/base/assert.h"

namespace airlab::espnow {
namespace {

// Receive queue record: src (6), rssi (1), flags (1), time (8, LE), then the payload.
constexpr size_t kRxSrcOffset = 0;
constexpr size_t kRxRssiOffset = 6;
constexpr size_t kRxFlagsOffset = 7;
constexpr size_t kRxTimeOffset = 8;
constexpr size_t kRxHeaderSize = 16;
constexpr uint8_t kRxFlagBroadcast = 0x01;
constexpr uint8_t kRxFlagEncrypted = 0x02;

// Sender tokens: a protected frame's packet number is marked so that it can never equal a
// plaintext frame's random field.
constexpr uint64_t kProtectedToken = uint64_t{1} << 63;

// addr1 of an MPDU (the caller has checked it holds a header).
MacAddress Addr1(ByteSpan mpdu) { return MacAddress::FromBytes(mpdu.subspan(4)); }

Delivery DeliveryOf(port::TxResult result) {
  switch (result) {
    case port::TxResult::kAcked: return Delivery::kAcked;
    case port::TxResult::kSent: return Delivery::kSent;
    case port::TxResult::kNoAck: return Delivery::kNoAck;
    case port::TxResult::kDropped: return Delivery::kDropped;
  }
  return Delivery::kDropped;
}

}  // namespace

static_assert(Stack::kRxRecordOverhead == RecordQueue::kLengthSize + kRxHeaderSize);

Stack::Stack(port::Radio& radio, port::Rng& rng, port::Aes128& aes, const Memory& memory,
             const Config& config)
    : radio_(radio),
      rng_(rng),
      aes_(aes),
      config_(config),
      peers_(memory.peers),
      senders_(memory.senders),
      rx_queue_(memory.rx_queue),
      tx_queue_(memory.tx_queue) {
  AIRLAB_ASSERT(config.max_peers <= memory.peers.size());
  AIRLAB_ASSERT(config.max_encrypted_peers <= config.max_peers);
  for (uint16_t& sequence : next_sequence_) {
    sequence = static_cast<uint16_t>(rng_.NextU32() & 0xfff);
  }
  radio_.SetListener(this);
}

Stack::~Stack() { radio_.SetListener(nullptr); }

// ---------------------------------------------------------------------------------------
// Peers

Stack::PeerSlot* Stack::FindPeer(const MacAddress& mac) {
  // A message is looked up by its peer three times (send, report, answer) and the traffic
  // of a node goes to few peers: try the slot found last before scanning. MACs are unique
  // among the used slots, so the hint finds what the scan would. A sink with no peers
  // looks every sender up in vain: no scan then.
  if (peer_count_ == 0) return nullptr;
  if (peer_hint_ < peers_.size() && peers_[peer_hint_].used && peers_[peer_hint_].info.mac == mac) {
    return &peers_[peer_hint_];
  }
  for (size_t i = 0; i < peers_.size(); ++i) {
    if (peers_[i].used && peers_[i].info.mac == mac) {
      peer_hint_ = i;
      return &peers_[i];
    }
  }
  return nullptr;
}

const Stack::PeerSlot* Stack::FindPeer(const MacAddress& mac) const {
  return const_cast<Stack*>(this)->FindPeer(mac);
}

size_t Stack::encrypted_count() const {
  size_t count = 0;
  for (const PeerSlot& slot : peers_) count += (slot.used && slot.info.encrypt) ? 1 : 0;
  return count;
}

PeerCount Stack::peer_count() const {
  PeerCount count;
  for (const PeerSlot& slot : peers_) count.total += slot.used ? 1 : 0;
  count.encrypted = encrypted_count();
  return count;
}

Status Stack::Register(PeerSlot& slot, const PeerInfo& info) {
  const bool rekey =
      info.encrypt && (!slot.used || !slot.info.encrypt || slot.info.lmk != info.lmk);
  if (rekey) {
    AIRLAB_TRY_ASSIGN(slot.temporal_key, DeriveTemporalKey(aes_, config_.pmk, info.lmk));
    slot.tx_pn = 0;
    slot.replay.Reset();
  }
  slot.info = info;
  slot.used = true;
  return Status::Ok();
}

Status Stack::DoAddPeer(const PeerInfo& peer) {
  if (FindPeer(peer.mac) != nullptr) return Status::AlreadyExists();
  if (peer_count().total >= config_.max_peers) return Status::ResourceExhausted();
  if (peer.encrypt && encrypted_count() >= config_.max_encrypted_peers) {
    return Status::ResourceExhausted();
  }
  for (PeerSlot& slot : peers_) {
    if (slot.used) continue;
    slot = PeerSlot{};
    Status status = Register(slot, peer);
    if (!status.ok()) {
      slot.used = false;
    } else {
      ++peer_count_;
    }
    return status;
  }
  return Status::ResourceExhausted();
}

Status Stack::DoModifyPeer(const PeerInfo& peer) {
  PeerSlot* slot = FindPeer(peer.mac);
  if (slot == nullptr) return Status::NotFound();
  if (peer.encrypt && !slot->info.encrypt && encrypted_count() >= config_.max_encrypted_peers) {
    return Status::ResourceExhausted();
  }
  return Register(*slot, peer);
}

Status Stack::DoDeletePeer(const MacAddress& mac) {
  PeerSlot* slot = FindPeer(mac);
  if (slot == nullptr) return Status::NotFound();
  slot->used = false;
  --peer_count_;
  return Status::Ok();
}

Result<PeerInfo> Stack::DoGetPeer(const MacAddress& mac) const {
  const PeerSlot* slot = FindPeer(mac);
  if (slot == nullptr) return Status::NotFound();
  return slot->info;
}

Result<PeerInfo> Stack::DoPeerAt(size_t index) const {
  // Slots are reused in place, so table order is not quite registration order after a
  // deletion; it is stable, which is what get_peers() needs.
  for (const PeerSlot& slot : peers_) {
    if (!slot.used) continue;
    if (index == 0) return slot.info;
    --index;
  }
  return Status::NotFound();
}

Result<LinkStats> Stack::PeerStats(const MacAddress& mac) const {
  const PeerSlot* slot = FindPeer(mac);
  if (slot == nullptr) return Status::NotFound();
  return slot->stats;
}

Status Stack::DoSetPmk(const Key& pmk) {
  config_.pmk = pmk;
  for (PeerSlot& slot : peers_) {
    if (!slot.used || !slot.info.encrypt) continue;
    AIRLAB_TRY_ASSIGN(slot.temporal_key, DeriveTemporalKey(aes_, pmk, slot.info.lmk));
    slot.tx_pn = 0;
    slot.replay.Reset();
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// Configuration and state

Status Stack::DoSetEnabled(bool on) {
  if (on) return Status::Ok();
  // esp_now_deinit: the frames still queued never go, the peers and messages are gone.
  // The frame on the air may still be reported by the radio; its tag then matches
  // nothing queued and the report is ignored.
  while (!tx_queue_.empty()) Complete(Delivery::kDropped, 0, 0);
  tx_in_flight_ = false;
  for (PeerSlot& slot : peers_) slot.used = false;
  peer_count_ = 0;
  for (SenderSlot& sender : senders_) sender.used = false;
  rx_queue_.Clear();
  return Status::Ok();
}

Status Stack::DoSetRate(port::Rate rate, bool short_preamble) {
  config_.rate = rate;
  config_.short_preamble = short_preamble;
  return Status::Ok();
}

Status Stack::SetReceiveLimit(size_t bytes) {
  if (bytes > rx_queue_.capacity()) return Status::InvalidArgument();
  rx_queue_.set_limit(bytes);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// Sending

Status Stack::CheckSendable(const PeerSlot& peer, size_t payload_size) const {
  if (payload_size > MaxPayload(peer.info.version)) return Status::InvalidArgument();
  if (!radio_.enabled() || radio_.address(peer.info.interface) == MacAddress()) {
    return Status::Unavailable();
  }
  if (peer.info.channel != 0 && peer.info.channel != radio_.channel()) {
    return Status::OutOfRange();
  }
  return Status::Ok();
}

Result<uint32_t> Stack::Enqueue(PeerSlot& peer, ByteSpan payload) {
  const bool encrypt = peer.info.encrypt;
  AIRLAB_TRY_ASSIGN(
      MutableByteSpan record,
      tx_queue_.Reserve(TxRecordSize(payload.size(), encrypt) - RecordQueue::kLengthSize));
  const size_t interface = static_cast<size_t>(peer.info.interface);
  EncodeOptions options;
  options.dst = peer.info.mac;
  options.src = radio_.address(peer.info.interface);
  options.sequence = next_sequence_[interface];
  options.random = rng_.NextU32();
  options.version = peer.info.version;
  options.fcs = false;  // the radio appends it

  ByteBuilder frame(record.subspan(kTxTagSize));
  if (encrypt) {
    ByteBuilder plain(scratch_);
    AIRLAB_TRY(Encode(options, payload, plain));
    if (peer.tx_pn >= kMaxPn) return Status::ResourceExhausted();  // the key is worn out
    AIRLAB_TRY(
        CcmpEncrypt(aes_, peer.temporal_key, plain.bytes(), peer.tx_pn + 1, kEspNowKeyId, frame));
    ++peer.tx_pn;
  } else {
    AIRLAB_TRY(Encode(options, payload, frame));
  }
  next_sequence_[interface] = (next_sequence_[interface] + 1) & 0xfff;
  const uint32_t tag = next_tag_++;
  store_le32(record, 0, tag);
  tx_queue_.Commit(kTxTagSize + frame.size());
  return tag;
}

void Stack::CountQueued(PeerSlot& peer) {
  ++stats_.tx_packets;
  ++peer.stats.tx_packets;
  if (peer.info.encrypt) {
    ++stats_.tx_encrypted;
    ++peer.stats.tx_encrypted;
  }
}

Result<uint32_t> Stack::DoSend(const MacAddress& dst, ByteSpan payload) {
  PeerSlot* peer = FindPeer(dst);
  if (peer == nullptr) return Status::NotFound();
  AIRLAB_TRY(CheckSendable(*peer, payload.size()));
  AIRLAB_TRY_ASSIGN(uint32_t tag, Enqueue(*peer, payload));
  CountQueued(*peer);
  DispatchNext();
  return tag;
}

Result<size_t> Stack::DoSendToAll(ByteSpan payload) {
  size_t targets = 0;
  for (const PeerSlot& slot : peers_) {
    if (!slot.used || slot.info.mac.is_multicast()) continue;
    AIRLAB_TRY(CheckSendable(slot, payload.size()));
    ++targets;
  }
  if (targets == 0) return Status::NotFound();
  const RecordQueue::Checkpoint before = tx_queue_.checkpoint();
  for (PeerSlot& slot : peers_) {
    if (!slot.used || slot.info.mac.is_multicast()) continue;
    if (Result<uint32_t> tag = Enqueue(slot, payload); !tag.ok()) {
      // The packet numbers and sequence numbers spent stay spent: gaps are harmless.
      tx_queue_.Rollback(before);
      return tag.status();
    }
  }
  for (PeerSlot& slot : peers_) {
    if (slot.used && !slot.info.mac.is_multicast()) CountQueued(slot);
  }
  DispatchNext();
  return targets;
}

void Stack::DispatchNext() {
  // A radio may report synchronously from Transmit (a refusal, a fake in a test): the loop
  // re-reads the queue each time round.
  while (!tx_in_flight_ && !tx_queue_.empty()) {
    ByteSpan record = tx_queue_.Front();
    port::TxOptions options;
    options.rate = config_.rate;
    options.short_preamble = config_.short_preamble;
    options.max_retries = config_.max_retries;
    options.tag = load_le32(record, 0);
    tx_in_flight_ = true;
    if (!radio_.Transmit(record.subspan(kTxTagSize), options).ok()) {
      tx_in_flight_ = false;
      Complete(Delivery::kDropped, 0, 0);
    }
  }
}

void Stack::Complete(Delivery delivery, uint8_t attempts, port::TimeNs time) {
  ByteSpan record = tx_queue_.Front();
  SendReport report;
  report.id = load_le32(record, 0);
  report.dst = Addr1(record.subspan(kTxTagSize));
  report.delivery = delivery;
  report.attempts = attempts;
  report.time = time;
  tx_queue_.Pop();

  PeerSlot* peer = FindPeer(report.dst);
  ++stats_.tx_responses;
  if (peer != nullptr) ++peer->stats.tx_responses;
  if (!Delivered(delivery)) {
    ++stats_.tx_failures;
    if (peer != nullptr) ++peer->stats.tx_failures;
  }
  if (listener() != nullptr) listener()->OnSendDone(report);
}

void Stack::OnTxDone(const port::TxReport& report) {
  if (!tx_in_flight_ || tx_queue_.empty() || load_le32(tx_queue_.Front(), 0) != report.tag) {
    return;  // a frame dropped by SetEnabled(false) that the radio finished anyway
  }
  tx_in_flight_ = false;
  Complete(DeliveryOf(report.result), report.attempts, report.time);
  DispatchNext();
}

// ---------------------------------------------------------------------------------------
// Receiving

void Stack::Count(PeerSlot* peer, uint32_t LinkStats::*counter) {
  ++(stats_.*counter);
  if (peer != nullptr) ++(peer->stats.*counter);
}

Stack::SenderSlot* Stack::FindSender(const MacAddress& mac) {
  // As FindPeer: the slot found last first, since frames come in runs from one sender.
  if (sender_hint_ < senders_.size() && senders_[sender_hint_].used &&
      senders_[sender_hint_].mac == mac) {
    return &senders_[sender_hint_];
  }
  for (size_t i = 0; i < senders_.size(); ++i) {
    if (senders_[i].used && senders_[i].mac == mac) {
      sender_hint_ = i;
      return &senders_[i];
    }
  }
  return nullptr;
}

bool Stack::IsDuplicate(const MacAddress& src, bool retry, uint16_t sequence, uint64_t token) {
  // 802.11-2016 10.3.2.11: a frame with the Retry bit that matches the sender's last
  // frame is a retransmission whose ACK was lost. The random field (or packet number)
  // also has to match, so a sender that restarted its sequence numbers is not mistaken.
  if (!retry) return false;
  const SenderSlot* sender = FindSender(src);
  return sender != nullptr && sender->sequence == sequence && sender->token == token;
}

void Stack::RememberSender(const MacAddress& src, uint16_t sequence, uint64_t token,
                           const port::RxInfo& info) {
  SenderSlot* slot = FindSender(src);
  if (slot == nullptr) {
    for (SenderSlot& sender : senders_) {  // a free slot, else the least recently heard
      if (!sender.used) {
        slot = &sender;
        break;
      }
      if (slot == nullptr || sender.time < slot->time) slot = &sender;
    }
    if (slot == nullptr) return;  // no sender storage at all
    slot->mac = src;
    slot->used = true;
  }
  slot->sequence = sequence;
  slot->token = token;
  slot->rssi_dbm = info.rssi_dbm;
  slot->time = info.timestamp;
}

size_t Stack::heard_count() const {
  size_t count = 0;
  for (const SenderSlot& sender : senders_) count += sender.used ? 1 : 0;
  return count;
}

HeardPeer Stack::heard(size_t index) const {
  for (const SenderSlot& sender : senders_) {
    if (!sender.used) continue;
    if (index-- == 0) return {sender.mac, sender.rssi_dbm, sender.time};
  }
  AIRLAB_ASSERT(false);
  return {};
}

void Stack::OnReceive(ByteSpan mpdu, const port::RxInfo& info) {
  if (!enabled() || !info.fcs_ok) return;
  Result<FrameView> parsed = FrameView::Parse(mpdu);
  if (!parsed.ok()) {
    // kNotFound: another kind of frame, none of our business.
    if (parsed.status() != Status::NotFound()) ++stats_.rx_invalid;
    return;
  }
  const FrameView& frame = *parsed;
  const MacAddress dst = frame.dst();
  if (!dst.is_multicast() && !radio_.IsOwnAddress(dst)) return;  // promiscuous radio
  const MacAddress src = frame.src();
  PeerSlot* peer = FindPeer(src);

  if (!frame.encrypted()) {
    if (peer != nullptr && peer->info.encrypt && !dst.is_multicast()) {
      Count(peer, &LinkStats::rx_unprotected);
      return;
    }
    if (IsDuplicate(src, frame.retry(), frame.sequence(), frame.random())) {
      Count(peer, &LinkStats::rx_duplicates);
      return;
    }
    RememberSender(src, frame.sequence(), frame.random(), info);
    Deliver(frame, peer, false, info);
    return;
  }

  if (peer == nullptr || !peer->info.encrypt || dst.is_multicast()) {
    Count(peer, &LinkStats::rx_no_key);
    return;
  }
  Result<uint64_t> pn = CcmpPacketNumber(mpdu);
  if (!pn.ok()) {
    Count(peer, &LinkStats::rx_invalid);
    return;
  }
  const uint64_t token = *pn | kProtectedToken;
  // Duplicates first: a retransmission carries the packet number already accepted, and
  // is a lost ACK, not an attack.
  if (IsDuplicate(src, frame.retry(), frame.sequence(), token)) {
    Count(peer, &LinkStats::rx_duplicates);
    return;
  }
  if (!peer->replay.Check(*pn).ok()) {
    Count(peer, &LinkStats::rx_replayed);
    return;
  }
  ByteBuilder plain(scratch_);
  Result<uint64_t> decrypted = CcmpDecrypt(aes_, peer->temporal_key, mpdu, plain);
  if (!decrypted.ok()) {
    Count(peer, decrypted.status() == Status::PermissionDenied() ? &LinkStats::rx_auth_failures
                                                                 : &LinkStats::rx_invalid);
    return;
  }
  Result<FrameView> inner = FrameView::Parse(plain.bytes());
  if (!inner.ok()) {
    Count(peer, &LinkStats::rx_invalid);
    return;
  }
  peer->replay.Accept(*pn).IgnoreError();  // Check passed above: this cannot fail
  RememberSender(src, frame.sequence(), token, info);
  Deliver(*inner, peer, true, info);
}

void Stack::Deliver(const FrameView& frame, PeerSlot* peer, bool encrypted,
                    const port::RxInfo& info) {
  if (frame.payload_size() > kMaxPayloadV2) {  // more elements than any sender makes
    Count(peer, &LinkStats::rx_invalid);
    return;
  }
  Result<MutableByteSpan> record = rx_queue_.Reserve(kRxHeaderSize + frame.payload_size());
  if (!record.ok()) {
    Count(peer, &LinkStats::rx_dropped);
    return;
  }
  MutableByteSpan bytes = *record;
  const MacAddress src = frame.src();
  const bool broadcast = frame.dst().is_multicast();
  std::memcpy(bytes.data() + kRxSrcOffset, src.octets().data(), MacAddress::kSize);
  store_u8(bytes, kRxRssiOffset, static_cast<uint8_t>(info.rssi_dbm));
  store_u8(bytes, kRxFlagsOffset,
           static_cast<uint8_t>((broadcast ? kRxFlagBroadcast : 0) |
                                (encrypted ? kRxFlagEncrypted : 0)));
  store_le64(bytes, kRxTimeOffset, static_cast<uint64_t>(info.timestamp));
  frame.CopyPayload(bytes.subspan(kRxHeaderSize)).IgnoreError();  // sized to fit
  rx_queue_.Commit(bytes.size());

  Count(peer, &LinkStats::rx_packets);
  if (encrypted) Count(peer, &LinkStats::rx_encrypted);
  if (listener() != nullptr) {
    listener()->OnReceive(
        {src, frame.payload_size(), info.rssi_dbm, info.timestamp, broadcast, encrypted});
  }
}

Result<ReceivedInfo> Stack::DoReceive(MutableByteSpan payload) {
  if (rx_queue_.empty()) return Status::NotFound();
  ByteSpan record = rx_queue_.Front();
  ReceivedInfo info;
  info.src = MacAddress::FromBytes(record.subspan(kRxSrcOffset));
  info.rssi_dbm = static_cast<int8_t>(load_u8(record, kRxRssiOffset));
  const uint8_t flags = load_u8(record, kRxFlagsOffset);
  info.broadcast = (flags & kRxFlagBroadcast) != 0;
  info.encrypted = (flags & kRxFlagEncrypted) != 0;
  info.time = static_cast<port::TimeNs>(load_le64(record, kRxTimeOffset));
  const ByteSpan message = record.subspan(kRxHeaderSize);
  info.size = message.size();
  if (message.size() > payload.size()) return Status::ResourceExhausted();
  if (!message.empty()) std::memcpy(payload.data(), message.data(), message.size());
  rx_queue_.Pop();
  return info;
}

}  // namespace airlab::espnow
