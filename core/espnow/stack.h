#pragma once
// espnow::Stack: ESP-NOW over a raw port::Radio, the Link of the sim and Linux platforms.
//
// What it does, frame by frame:
// - Send: look the peer up, encode a v1 or v2 frame (codec.h) from the interface's
//   address with the interface's next sequence number and a random field from the Rng,
//   protect it with CCMP when the peer is encrypted (temporal key AES(PMK, LMK), the
//   peer's next packet number), and queue it. One frame at a time is handed to the radio,
//   which waits for the ACK and retries max_retries times; its TxReport ends the frame.
// - Receive: parse leniently; drop what is not for us; for a protected frame, find the
//   sender's encrypted peer, drop duplicates (802.11 style: the retry bit with the
//   sender's last sequence number and random field or packet number), check the packet
//   number against the peer's ReplayGuard, decrypt, then accept the packet number;
//   plaintext from unknown senders is accepted (as ESP-IDF does), plaintext unicast from
//   an encrypted peer is not (ESP-IDF fixed that, espressif/esp-idf#8577). The payload
//   goes into the receive queue or, when that is full, into rx_dropped.
// Every drop has its counter (LinkStats), for the link and for the peer.
//
// Memory: the Stack object itself (1780 bytes on Cortex-M4, most of it a 1544-byte
// scratch frame for CCMP) plus the storage it is given (Memory), which StaticStack<> sizes
// at compile time. Per unit, on Cortex-M4 (arm-none-eabi-g++ 12, -Os):
//   peer          120 bytes (registration, temporal key, PN, replay window, counters)
//   sender         32 bytes (duplicate filter and peers_table entry)
//   receive queue  18 bytes + the payload, per queued message (kRxRecordOverhead)
//   send queue     38 bytes + 7 per 250 payload bytes + the payload (+ 16 encrypted), per
//                  queued frame (TxRecordSize; a 250-byte v1 frame takes 295)
// StaticStack<> (20 peers, 24 senders, 4 KB + 8 KB queues) is 17240 bytes in all.
//
// Calling context: as Link. The Stack registers itself as the radio's listener; nothing
// else may listen to that radio while the Stack lives.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/result.h"
#include "core/base/status.h"
#include "core/espnow/ccmp.h"
#include "core/espnow/codec.h"
#include "core/espnow/link.h"
#include "core/espnow/record_queue.h"
#include "core/port/cipher.h"
#include "core/port/radio.h"
#include "core/port/rng.h"

namespace airlab::espnow {

// The Stack's limits and settings (outside the class so it can be a default argument).
struct StackConfig {
  // ESP-IDF's limits (ESP_NOW_MAX_TOTAL_PEER_NUM, ESP_NOW_MAX_ENCRYPT_PEER_NUM). The
  // peer storage must hold max_peers; max_encrypted_peers <= max_peers.
  size_t max_peers = 20;
  size_t max_encrypted_peers = 6;
  // Retransmissions after the first attempt when no ACK comes (ESP32 cannot change its
  // count; here it goes to the radio with each frame).
  uint8_t max_retries = port::kDefaultMaxRetries;
  port::Rate rate = port::Rate::k1Mbps;  // ESP-NOW's default on ESP32
  bool short_preamble = false;
  // ESP-IDF falls back on an unpublished default PMK; set the PMK to interoperate.
  Key pmk{};
};

class Stack final : public Link, private port::RadioListener {
 public:
  using Config = StackConfig;

  // A peer's registration and state. Opaque: exposed only so storage can be declared.
  struct PeerSlot {
    PeerInfo info;
    Key temporal_key{};  // AES-128(PMK, LMK), when info.encrypt
    uint64_t tx_pn = 0;  // the last packet number sent
    ReplayGuard replay;
    LinkStats stats;
    bool used = false;
  };
  // A sender heard lately. Opaque, as PeerSlot.
  struct SenderSlot {
    uint64_t token = 0;  // the random field, or the packet number with bit 63 set
    port::TimeNs time = 0;
    MacAddress mac;
    uint16_t sequence = 0;
    int8_t rssi_dbm = 0;
    bool used = false;
  };

  // Storage the Stack uses for its whole life.
  struct Memory {
    std::span<PeerSlot> peers;      // at least Config::max_peers
    std::span<SenderSlot> senders;  // senders remembered (least recently heard replaced)
    MutableByteSpan rx_queue;       // messages waiting for Receive()
    MutableByteSpan tx_queue;       // frames waiting for the radio (at least one frame
                                    // of the largest payload the peers use)
  };

  // Bytes a queued message or frame takes in its queue, with the queue's length prefix.
  static constexpr size_t kRxRecordOverhead = RecordQueue::kLengthSize + 16;
  static constexpr size_t TxRecordSize(size_t payload_size, bool encrypted) {
    return RecordQueue::kLengthSize + kTxTagSize + EncodedSize(payload_size, false) +
           (encrypted ? kCcmpOverhead : 0);
  }

  // `radio`, `rng` and `aes` must outlive the Stack; the Stack starts disabled.
  Stack(port::Radio& radio, port::Rng& rng, port::Aes128& aes, const Memory& memory,
        const Config& config = {});
  ~Stack() override;
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  // Link
  PeerCount peer_count() const override;
  bool rx_available() const override { return !rx_queue_.empty(); }
  void ClearReceived() override { rx_queue_.Clear(); }
  Status SetReceiveLimit(size_t bytes) override;
  size_t receive_limit() const override { return rx_queue_.limit(); }
  size_t receive_capacity() const override { return rx_queue_.capacity(); }
  const LinkStats& stats() const override { return stats_; }
  Result<LinkStats> PeerStats(const MacAddress& mac) const override;
  size_t heard_count() const override;
  HeardPeer heard(size_t index) const override;

  const Config& config() const { return config_; }
  // Frames queued for the radio, the one on the air included.
  size_t tx_queued() const { return tx_queue_.count(); }

 private:
  static constexpr size_t kTxTagSize = 4;
  // The largest plaintext frame, without FCS: the scratch buffer for CCMP.
  static constexpr size_t kMaxPlainFrame = EncodedSize(kMaxPayloadV2, false);

  Status DoSetEnabled(bool on) override;
  Status DoSetPmk(const Key& pmk) override;
  Status DoAddPeer(const PeerInfo& peer) override;
  Status DoModifyPeer(const PeerInfo& peer) override;
  Status DoDeletePeer(const MacAddress& mac) override;
  Result<PeerInfo> DoGetPeer(const MacAddress& mac) const override;
  Result<PeerInfo> DoPeerAt(size_t index) const override;
  Result<uint32_t> DoSend(const MacAddress& dst, ByteSpan payload) override;
  Result<size_t> DoSendToAll(ByteSpan payload) override;
  Result<ReceivedInfo> DoReceive(MutableByteSpan payload) override;
  Status DoSetRate(port::Rate rate, bool short_preamble) override;

  // port::RadioListener
  void OnReceive(ByteSpan mpdu, const port::RxInfo& info) override;
  void OnTxDone(const port::TxReport& report) override;

  PeerSlot* FindPeer(const MacAddress& mac);
  const PeerSlot* FindPeer(const MacAddress& mac) const;
  size_t encrypted_count() const;
  // Sets a peer's registration and (re)derives its key state when the key changed.
  Status Register(PeerSlot& slot, const PeerInfo& info);
  // Why a frame to `peer` cannot be sent now, if it cannot.
  Status CheckSendable(const PeerSlot& peer, size_t payload_size) const;
  // Encodes (and protects) one frame into the transmit queue; returns its tag.
  Result<uint32_t> Enqueue(PeerSlot& peer, ByteSpan payload);
  void CountQueued(PeerSlot& peer);
  // Hands the oldest queued frame to the radio unless one is on the air already.
  void DispatchNext();
  // Ends the oldest queued frame with `delivery` and tells the listener.
  void Complete(Delivery delivery, uint8_t attempts, port::TimeNs time);

  // Receive path.
  void Count(PeerSlot* peer, uint32_t LinkStats::*counter);
  SenderSlot* FindSender(const MacAddress& mac);
  bool IsDuplicate(const MacAddress& src, bool retry, uint16_t sequence, uint64_t token);
  void RememberSender(const MacAddress& src, uint16_t sequence, uint64_t token,
                      const port::RxInfo& info);
  void Deliver(const FrameView& frame, PeerSlot* peer, bool encrypted, const port::RxInfo& info);

  port::Radio& radio_;
  port::Rng& rng_;
  port::Aes128& aes_;
  Config config_;
  std::span<PeerSlot> peers_;
  std::span<SenderSlot> senders_;
  RecordQueue rx_queue_;
  RecordQueue tx_queue_;
  LinkStats stats_;
  std::array<uint16_t, port::kInterfaceCount> next_sequence_{};
  uint32_t next_tag_ = 1;
  bool tx_in_flight_ = false;  // the front of tx_queue_ is with the radio
  // The slots FindPeer and FindSender found last (lookups from const methods move them).
  mutable size_t peer_hint_ = 0;
  size_t peer_count_ = 0;  // slots used
  size_t sender_hint_ = 0;
  std::array<std::byte, kMaxPlainFrame> scratch_{};
};

// The Stack's storage as members, sized by template parameters. Defaults: ESP-IDF's 20
// peers, 24 senders remembered, a 4 KB receive queue (215 one-byte messages, 15 of 250
// bytes, 2 of 1470) and an 8 KB send queue (27 frames of 250 bytes: a send to all 20
// peers fits).
template <size_t kPeers = 20, size_t kSenders = 24, size_t kRxQueueBytes = 4096,
          size_t kTxQueueBytes = 8192>
class StackBuffers {
 public:
  Stack::Memory memory() { return {peers_, senders_, rx_queue_, tx_queue_}; }

 private:
  std::array<Stack::PeerSlot, kPeers> peers_{};
  std::array<Stack::SenderSlot, kSenders> senders_{};
  std::array<std::byte, kRxQueueBytes> rx_queue_{};
  std::array<std::byte, kTxQueueBytes> tx_queue_{};
};

// A Stack with its storage inside: `StaticStack<> node(radio, rng, aes); node->Send(...)`.
// (Composition, not inheritance: a class derived from Stack in host code would need
// Stack's RTTI, which core, built with -fno-rtti, does not emit.)
template <size_t kPeers = 20, size_t kSenders = 24, size_t kRxQueueBytes = 4096,
          size_t kTxQueueBytes = 8192>
class StaticStack {
 public:
  // Config::max_peers must not exceed kPeers.
  StaticStack(port::Radio& radio, port::Rng& rng, port::Aes128& aes, const StackConfig& config = {})
      : stack_(radio, rng, aes, buffers_.memory(), config) {}

  Stack& stack() { return stack_; }
  const Stack& stack() const { return stack_; }
  Stack* operator->() { return &stack_; }
  const Stack* operator->() const { return &stack_; }
  operator Stack&() { return stack_; }  // NOLINT: a StaticStack is used as its Stack

 private:
  StackBuffers<kPeers, kSenders, kRxQueueBytes, kTxQueueBytes> buffers_;  // before stack_
  Stack stack_;
};

}  // namespace airlab::espnow
