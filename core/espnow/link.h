#pragma once
// espnow::Link: ESP-NOW as an application sees it - a peer table, sends that end in a
// delivery report, a bounded receive queue, statistics. Two implementations:
// espnow::Stack over a raw port::Radio (sim, Linux), and on ESP-IDF a thin adapter over
// the vendor's esp_now_* API. espnow::ESPNow, the MicroPython-compatible facade, sits on
// either.
//
// Calling context: the public methods come from the application; listener calls come
// from the implementation's radio context (sim: the scheduler; ESP-IDF: the Wi-Fi task)
// and must return quickly. A Link is not thread-safe: where the application and the radio
// context are different threads, the implementation or its owner serialises them.
//
// Errors follow ESP-IDF's esp_now_* (the ESP_ERR_ESPNOW_* each maps to is in brackets;
// espnow.h has the table the MicroPython binding uses):
//   kFailedPrecondition  the link is not enabled                       [NOT_INIT]
//   kInvalidArgument     a malformed argument, a payload too long      [ARG]
//   kResourceExhausted   the peer table is full (peer calls)           [FULL]
//                        the transmit queue is full (sends)            [NO_MEM]
//   kNotFound            no such peer                                  [NOT_FOUND]
//   kAlreadyExists       the peer is registered already                [EXIST]
//   kUnavailable         the peer's interface is down (radio off, no address) [IF]
//   kOutOfRange          the peer's channel is not the radio's channel [CHAN]
//   kInternal            the cipher backend failed                     [INTERNAL]

#include <cstddef>
#include <cstdint>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/result.h"
#include "core/base/status.h"
#include "core/espnow/codec.h"
#include "core/port/cipher.h"
#include "core/port/clock.h"
#include "core/port/radio.h"

namespace airlab::espnow {

// PMK and LMK: 16 bytes each (ESP_NOW_KEY_LEN).
using Key = port::Aes128Key;
inline constexpr size_t kKeySize = port::kAes128KeySize;
// Channels 1-14 of 2.4 GHz; a peer's channel 0 means "the radio's channel".
inline constexpr uint8_t kMaxChannel = 14;

struct PeerInfo {
  MacAddress mac;
  Key lmk{};
  uint8_t channel = 0;  // 0: whatever channel the radio is on; otherwise it must be that one
  port::Interface interface = port::Interface::kStation;  // MicroPython's ifidx
  bool encrypt = false;
  // v1 frames carry at most 250 bytes and every ESP-NOW receiver takes them; v2 (ESP-IDF
  // 5.4+) up to 1470. v1 is the default so boards on older firmware understand us.
  Version version = Version::kV1;

  friend bool operator==(const PeerInfo&, const PeerInfo&) = default;
};

// peer_count(): all registered peers (broadcast included, as esp_now_get_peer_num counts)
// and the encrypted ones.
struct PeerCount {
  size_t total = 0;
  size_t encrypted = 0;
  friend bool operator==(const PeerCount&, const PeerCount&) = default;
};

// Counters, for the whole link and per peer. The first five are MicroPython's stats().
struct LinkStats {
  uint32_t tx_packets = 0;        // frames queued for the air, one per addressed peer
  uint32_t tx_responses = 0;      // delivery reports that came back for them
  uint32_t tx_failures = 0;       // reports that were not a delivery (no ACK, dropped)
  uint32_t rx_packets = 0;        // messages put in the receive queue
  uint32_t rx_dropped = 0;        // messages lost because the receive queue was full
  uint32_t tx_encrypted = 0;      // of tx_packets, those sent protected
  uint32_t rx_encrypted = 0;      // of rx_packets, those that arrived protected
  uint32_t rx_duplicates = 0;     // retransmissions of a frame already received, dropped
  uint32_t rx_replayed = 0;       // protected frames with an old packet number, dropped
  uint32_t rx_auth_failures = 0;  // protected frames whose MIC failed (wrong LMK), dropped
  uint32_t rx_no_key = 0;         // protected frames from a sender that is not an
                                  // encrypted peer, dropped
  uint32_t rx_unprotected = 0;    // plaintext unicast from an encrypted peer, dropped
  uint32_t rx_invalid = 0;        // ESP-NOW frames too broken to deliver, dropped

  friend bool operator==(const LinkStats&, const LinkStats&) = default;
};

// One received message, as Receive() hands it out.
struct ReceivedInfo {
  MacAddress src;
  size_t size = 0;  // payload bytes
  int8_t rssi_dbm = 0;
  port::TimeNs time = 0;   // when the frame arrived (port::Clock time base)
  bool broadcast = false;  // sent to a group address (broadcast or multicast)
  bool encrypted = false;  // arrived protected and decrypted with the peer's key
};

// A sender heard lately: MicroPython's peers_table entry {mac: [rssi, time_ms]}.
struct HeardPeer {
  MacAddress mac;
  int8_t rssi_dbm = 0;
  port::TimeNs time = 0;
};

enum class Delivery : uint8_t {
  kAcked,    // a unicast frame was acknowledged by the peer's MAC
  kSent,     // a group-addressed frame went on the air (nobody acknowledges those)
  kNoAck,    // no ACK after every retry
  kDropped,  // never went (out): the link was disabled, or the radio refused the frame
};
// ESP-IDF's ESP_NOW_SEND_SUCCESS.
constexpr bool Delivered(Delivery d) { return d == Delivery::kAcked || d == Delivery::kSent; }

struct SendReport {
  uint32_t id = 0;  // what Send() returned
  MacAddress dst;
  Delivery delivery = Delivery::kDropped;
  uint8_t attempts = 0;   // transmissions on the air, retries included
  port::TimeNs time = 0;  // when the outcome became known; 0 if the radio refused it
};

class LinkListener {
 public:
  // A message was queued for Receive(); `info` describes it.
  virtual void OnReceive(const ReceivedInfo& info) = 0;
  // The end of one queued frame: one report per frame, in the order they were queued.
  virtual void OnSendDone(const SendReport& report) = 0;

 protected:
  ~LinkListener() = default;
};

class Link {
 public:
  virtual ~Link() = default;

  // The listener gets every report and receive notice from now on; nullptr drops them.
  void SetListener(LinkListener* listener) { listener_ = listener; }

  // esp_now_init / esp_now_deinit. Disabling forgets the peers (as esp_now_deinit does),
  // empties the receive queue and reports every frame still queued as kDropped; the PMK,
  // the statistics and the configuration stay.
  Status SetEnabled(bool on) {
    if (on == enabled_) return Status::Ok();
    AIRLAB_TRY(DoSetEnabled(on));
    enabled_ = on;
    return Status::Ok();
  }
  bool enabled() const { return enabled_; }

  // The PMK from which every encrypted peer's key is derived (peers added before keep
  // working: their keys are derived again, and their packet numbers restart).
  Status SetPmk(const Key& pmk) {
    AIRLAB_TRY(CheckEnabled());
    return DoSetPmk(pmk);
  }

  // kInvalidArgument for a bad PeerInfo (see CheckPeerInfo), kAlreadyExists, or
  // kResourceExhausted when the table, or its share of encrypted peers, is full.
  Status AddPeer(const PeerInfo& peer) {
    AIRLAB_TRY(CheckEnabled());
    AIRLAB_TRY(CheckPeerInfo(peer));
    return DoAddPeer(peer);
  }
  // Replaces the registration of peer.mac. kNotFound, kInvalidArgument, and
  // kResourceExhausted when it turns encryption on with the encrypted share full. A new
  // LMK restarts the peer's packet numbers and replay window.
  Status ModifyPeer(const PeerInfo& peer) {
    AIRLAB_TRY(CheckEnabled());
    AIRLAB_TRY(CheckPeerInfo(peer));
    return DoModifyPeer(peer);
  }
  // kNotFound when `mac` is not registered.
  Status DeletePeer(const MacAddress& mac) {
    AIRLAB_TRY(CheckEnabled());
    return DoDeletePeer(mac);
  }
  Result<PeerInfo> GetPeer(const MacAddress& mac) const {
    AIRLAB_TRY(CheckEnabled());
    return DoGetPeer(mac);
  }
  // The `index`-th registered peer (an order that stays put while the table does not
  // change: for listing them all); kNotFound past the last.
  Result<PeerInfo> PeerAt(size_t index) const {
    AIRLAB_TRY(CheckEnabled());
    return DoPeerAt(index);
  }
  virtual PeerCount peer_count() const = 0;

  // Queues `payload` for `dst`, a registered peer (the broadcast address too, once added)
  // and returns an id that the SendReport repeats. The payload is copied (encrypted when
  // the peer is) before the call returns. kNotFound: not a peer. kInvalidArgument: longer
  // than the peer's version carries (250 for v1, 1470 for v2). kUnavailable: the peer's
  // interface has no address or the radio is off. kOutOfRange: the peer's channel is not
  // the radio's. kResourceExhausted: the transmit queue is full; try again after a report.
  Result<uint32_t> Send(const MacAddress& dst, ByteSpan payload) {
    AIRLAB_TRY(CheckEnabled());
    if (payload.size() > kMaxPayloadV2) return Status::InvalidArgument();
    return DoSend(dst, payload);
  }
  // Send to every registered unicast peer (not broadcast or multicast ones): MicroPython's
  // send(None, msg). All or nothing: if one frame cannot be queued, none is. Returns how
  // many frames were queued; kNotFound when there is no unicast peer; the other errors
  // as Send for the first peer that fails.
  Result<size_t> SendToAll(ByteSpan payload) {
    AIRLAB_TRY(CheckEnabled());
    if (payload.size() > kMaxPayloadV2) return Status::InvalidArgument();
    return DoSendToAll(payload);
  }

  // True when Receive() has a message.
  virtual bool rx_available() const = 0;
  // Takes the oldest message, copying its payload to the start of `payload`.
  // kNotFound: the queue is empty. kResourceExhausted: the message is longer than
  // `payload`; it stays queued.
  Result<ReceivedInfo> Receive(MutableByteSpan payload) {
    AIRLAB_TRY(CheckEnabled());
    return DoReceive(payload);
  }
  // Forgets every queued message.
  virtual void ClearReceived() = 0;
  // Bytes of the receive queue's storage messages may use (MicroPython's rxbuf; each
  // message costs its payload plus a small fixed overhead). kInvalidArgument beyond the
  // storage the implementation has.
  virtual Status SetReceiveLimit(size_t bytes) = 0;
  virtual size_t receive_limit() const = 0;
  virtual size_t receive_capacity() const = 0;

  // The PHY rate of every frame sent from now on (ESP-IDF's esp_wifi_config_espnow_rate).
  // `short_preamble` applies to DSSS 2/5.5/11 Mb/s. kInvalidArgument for an unknown rate.
  Status SetRate(port::Rate rate, bool short_preamble) {
    if (!port::IsValidRate(rate)) return Status::InvalidArgument();
    return DoSetRate(rate, short_preamble);
  }

  virtual const LinkStats& stats() const = 0;
  // One peer's counters (kept while it stays registered). kNotFound when not a peer.
  virtual Result<LinkStats> PeerStats(const MacAddress& mac) const = 0;

  // The senders heard lately, with the RSSI and time of their last frame.
  virtual size_t heard_count() const = 0;
  // The `index`-th of them (index < heard_count()).
  virtual HeardPeer heard(size_t index) const = 0;

  // What AddPeer and ModifyPeer accept: a unicast or group address other than
  // 00:00:00:00:00:00, channel 0-14, a known interface and version, no encryption for a
  // group address (ESP-NOW never encrypts broadcast). kInvalidArgument otherwise.
  static Status CheckPeerInfo(const PeerInfo& peer);

 protected:
  Status CheckEnabled() const { return enabled_ ? Status::Ok() : Status::FailedPrecondition(); }
  LinkListener* listener() const { return listener_; }

  // Called after the public method checked its arguments and that the link is enabled.
  virtual Status DoSetEnabled(bool on) = 0;
  virtual Status DoSetPmk(const Key& pmk) = 0;
  virtual Status DoAddPeer(const PeerInfo& peer) = 0;
  virtual Status DoModifyPeer(const PeerInfo& peer) = 0;
  virtual Status DoDeletePeer(const MacAddress& mac) = 0;
  virtual Result<PeerInfo> DoGetPeer(const MacAddress& mac) const = 0;
  virtual Result<PeerInfo> DoPeerAt(size_t index) const = 0;
  virtual Result<uint32_t> DoSend(const MacAddress& dst, ByteSpan payload) = 0;
  virtual Result<size_t> DoSendToAll(ByteSpan payload) = 0;
  virtual Result<ReceivedInfo> DoReceive(MutableByteSpan payload) = 0;
  virtual Status DoSetRate(port::Rate rate, bool short_preamble) = 0;

 private:
  LinkListener* listener_ = nullptr;
  bool enabled_ = false;
};

inline Status Link::CheckPeerInfo(const PeerInfo& peer) {
  const bool known_interface = peer.interface == port::Interface::kStation ||
                               peer.interface == port::Interface::kAccessPoint;
  const bool known_version = peer.version == Version::kV1 || peer.version == Version::kV2;
  if (peer.mac == MacAddress() || peer.channel > kMaxChannel || !known_interface ||
      !known_version || (peer.encrypt && peer.mac.is_multicast())) {
    return Status::InvalidArgument();
  }
  return Status::Ok();
}

}  // namespace airlab::espnow
