#pragma once
// espnow::ESPNow: MicroPython's espnow module (glenn20's, upstream since MicroPython 1.21)
// over an espnow::Link, so the lab's scripts map one to one:
//
//   e = espnow.ESPNow(); e.init()        ESPNow e(link, clock, waiter); e.init();
//   e.add_peer(peer, ifidx=network.AP_IF)  e.add_peer(peer, {.ifidx = Interface::kAccessPoint});
//   ok = e.send(peer, str(i), True)      Result<bool> ok = e.send(peer, "0", true);
//   e.clear(True); if e.poll():          e.clear(true); if (e.poll().value_or(false))
//   for host, msg in e: ...              for (auto [host, msg] : e) { ... }
//
// Behaviour follows MicroPython's ports/esp32/modespnow.c and modules/espnow.py:
// - send(mac, msg, sync=True): with sync, first waits until every earlier frame has its
//   delivery report, queues, waits again, and returns false if any report was a failure
//   (for mac None: any peer). Without sync it returns true once queued. A full transmit
//   queue is retried for up to kSendTimeoutMs; responses that never come end the wait
//   with kDeadlineExceeded (MicroPython: OSError(ETIMEDOUT)).
// - recvinto/irecv/recv wait up to timeout_ms (default config(timeout_ms), 5 minutes;
//   negative: forever) and return "(None, None)" on timeout. Unlike MicroPython, where an
//   empty message reads like a timeout, an empty message here is an empty msg, not None.
// - Iteration yields irecv() results, a (None, None) for each timeout, and stops only when
//   the object is (or becomes) inactive - MicroPython's documented behaviour; a loop that
//   should end breaks out or calls deinit().
// - The older build the lab's scripts were written for ("from esp import espnow") also
//   had init() = active(True), deinit() = active(False), poll() = any(), and clear(True),
//   which empties the receive buffer (the argument must be true: a guard against
//   accidents).
// Without a heap, recv() hands out the same callee-owned buffer as irecv(): copy what you
// keep before the next receive.
//
// Waiting uses port::Waiter: on the sim it runs the simulation, on a device it blocks. The
// facade is the Link's listener while it lives.
//
// Errors: every Status maps to the OSError MicroPython raises (OsErrorNumber below):
//   kFailedPrecondition  ESP_ERR_ESPNOW_NOT_INIT  not active
//   kInvalidArgument     ESP_ERR_ESPNOW_ARG       bad value (payload too long, channel > 14,
//                                                 encrypted broadcast peer, clear(False),
//                                                 unknown rate, rxbuf beyond the storage;
//                                                 MicroPython raises ValueError for the
//                                                 last three, the binding may too)
//   kResourceExhausted   ESP_ERR_ESPNOW_FULL      peer calls: too many (encrypted) peers
//                        ESP_ERR_ESPNOW_NO_MEM    send: the queue stayed full
//   kNotFound            ESP_ERR_ESPNOW_NOT_FOUND peer not registered
//   kAlreadyExists       ESP_ERR_ESPNOW_EXIST     add_peer of a registered peer
//   kUnavailable         ESP_ERR_ESPNOW_IF        the peer's interface is not active
//   kOutOfRange          ESP_ERR_ESPNOW_CHAN      the peer's channel is not the radio's
//   kInternal            ESP_ERR_ESPNOW_INTERNAL  the cipher backend failed
//   kDeadlineExceeded    ETIMEDOUT (110)          send(sync): reports did not come in time

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/result.h"
#include "core/base/status.h"
#include "core/espnow/codec.h"
#include "core/espnow/link.h"
#include "core/port/clock.h"
#include "core/port/radio.h"
#include "core/port/waiter.h"

namespace airlab::espnow {

// MicroPython's module constants.
inline constexpr size_t kMaxDataLen = kMaxPayloadV1;  // MAX_DATA_LEN
inline constexpr size_t kKeyLen = kKeySize;           // KEY_LEN
inline constexpr size_t kMaxTotalPeerNum = 20;        // MAX_TOTAL_PEER_NUM
inline constexpr size_t kMaxEncryptPeerNum = 6;       // MAX_ENCRYPT_PEER_NUM

// ESP-IDF's esp_now.h codes: ESP_ERR_ESPNOW_BASE = ESP_ERR_WIFI_BASE (0x3000) + 100.
inline constexpr int32_t kEspErrEspNowBase = 0x3000 + 100;
inline constexpr int32_t kEspErrEspNowNotInit = kEspErrEspNowBase + 1;
inline constexpr int32_t kEspErrEspNowArg = kEspErrEspNowBase + 2;
inline constexpr int32_t kEspErrEspNowNoMem = kEspErrEspNowBase + 3;
inline constexpr int32_t kEspErrEspNowFull = kEspErrEspNowBase + 4;
inline constexpr int32_t kEspErrEspNowNotFound = kEspErrEspNowBase + 5;
inline constexpr int32_t kEspErrEspNowInternal = kEspErrEspNowBase + 6;
inline constexpr int32_t kEspErrEspNowExist = kEspErrEspNowBase + 7;
inline constexpr int32_t kEspErrEspNowIf = kEspErrEspNowBase + 8;
inline constexpr int32_t kEspErrEspNowChan = kEspErrEspNowBase + 9;
// MicroPython's MP_ETIMEDOUT.
inline constexpr int32_t kEtimedout = 110;

// Which kind of call a Status came from: kResourceExhausted means a full peer table for
// the peer calls and a full transmit queue for the others.
enum class Operation : uint8_t { kPeer, kOther };
// The OSError number MicroPython raises for `status` (table above); 0 for kOk.
int32_t OsErrorNumber(Status status, Operation operation);

// ESP-IDF's wifi_phy_rate_t, which config(rate=) takes: 802.11b/g rates only (the HT MCS
// and LoRa rates have no PHY in the sim). port::Rate plus the preamble for each.
struct PhyRate {
  port::Rate rate;
  bool short_preamble;
};
// kInvalidArgument for a value that is not an 802.11b/g wifi_phy_rate_t.
Result<PhyRate> FromWifiPhyRate(int value);

// One received message: MicroPython's (mac, msg) tuple, plus what recvinto's 4-element list
// and the Link tell. After a timeout both mac and msg are empty ("(None, None)").
struct Message {
  std::optional<MacAddress> mac;
  // In the facade's buffer: valid until the next recv, irecv or iteration step.
  std::optional<ByteSpan> msg;
  int8_t rssi_dbm = 0;
  uint32_t time_ms = 0;  // when it arrived, ms of the port::Clock (wraps like ticks_ms)
  bool broadcast = false;
  bool encrypted = false;

  // Structured bindings take (mac, msg), as Python unpacks the tuple.
  template <size_t I>
  const auto& get() const {
    static_assert(I < 2);
    if constexpr (I == 0) {
      return mac;
    } else {
      return msg;
    }
  }
};

// recvinto's buffers: the caller's storage for the message, and what came with it.
struct RecvBuffers {
  MutableByteSpan msg;  // the caller's storage
  MacAddress mac;
  size_t size = 0;  // bytes of msg written
  int8_t rssi_dbm = 0;
  uint32_t time_ms = 0;
  bool broadcast = false;
  bool encrypted = false;
};

// stats(): (tx_pkts, tx_responses, tx_failures, rx_packets, rx_dropped).
struct Stats {
  uint32_t tx_pkts = 0;
  uint32_t tx_responses = 0;
  uint32_t tx_failures = 0;
  uint32_t rx_packets = 0;
  uint32_t rx_dropped = 0;
  friend bool operator==(const Stats&, const Stats&) = default;
};

// add_peer / mod_peer arguments; an empty field is MicroPython's None: the default for
// add_peer, the current value for mod_peer. As in MicroPython, giving an lmk turns
// encryption on unless encrypt says otherwise; (lmk=b'' in Python is encrypt=false here).
struct PeerOptions {
  std::optional<Key> lmk;
  std::optional<uint8_t> channel;
  std::optional<port::Interface> ifidx;
  std::optional<bool> encrypt;
  std::optional<Version> version;  // not in MicroPython: v1 unless asked
};

// config(): empty fields are left as they are.
struct ConfigUpdate {
  std::optional<size_t> rxbuf;        // bytes of receive queue, from the next init()
  std::optional<int32_t> timeout_ms;  // recv's default timeout; negative: forever
  std::optional<int> rate;            // a wifi_phy_rate_t value, from now on
};

// peers_table entry: {mac: [rssi, time_ms]}.
struct PeersTableEntry {
  MacAddress mac;
  int8_t rssi_dbm = 0;
  uint32_t time_ms = 0;
};

class ESPNow final : private LinkListener {
 public:
  static constexpr int32_t kDefaultTimeoutMs = 5 * 60 * 1000;  // DEFAULT_RECV_TIMEOUT_MS
  // MicroPython's DEFAULT_RECV_BUFFER_SIZE (2 x (7 + 6 + 250)). Messages here take 18
  // bytes plus the payload (Stack::kRxRecordOverhead), so 526 bytes hold one 250-byte
  // message and one of up to 240 - MicroPython's ring buffer holds only the first.
  static constexpr size_t kDefaultRxBuf = 526;
  static constexpr int32_t kSendTimeoutMs = 2000;  // DEFAULT_SEND_TIMEOUT_MS

  using IrqCallback = void (*)(ESPNow& e, void* context);

  // `link`, `clock` and `waiter` must outlive the facade; `clock` is the time base of the
  // Waiter's deadlines.
  ESPNow(Link& link, const port::Clock& clock, port::Waiter& waiter);
  ~ESPNow();
  ESPNow(const ESPNow&) = delete;
  ESPNow& operator=(const ESPNow&) = delete;

  // --- Configuration
  // active(True) initialises the link (applying rxbuf), active(False) de-initialises it:
  // the peers are forgotten, the buffers emptied.
  Status active(bool flag);
  bool active() const { return link_.enabled(); }
  Status init() { return active(true); }
  Status deinit() { return active(false); }
  // kInvalidArgument for an rxbuf beyond the Link's storage or an unknown rate; nothing
  // changes then.
  Status config(const ConfigUpdate& update);
  size_t rxbuf() const { return rxbuf_; }
  int32_t timeout_ms() const { return timeout_ms_; }

  // --- Sending
  // `mac` empty: every registered unicast peer. Returns true when !sync, or when every
  // addressed peer acknowledged (broadcast always counts as delivered).
  Result<bool> send(const std::optional<MacAddress>& mac, ByteSpan msg, bool sync = true);
  Result<bool> send(const std::optional<MacAddress>& mac, std::string_view msg, bool sync = true) {
    return send(mac, AsBytes(msg.data(), msg.size()), sync);
  }
  // send(msg): to every peer, sync.
  Result<bool> send(ByteSpan msg) { return send(std::nullopt, msg, true); }

  // --- Receiving
  // Waits for a message and copies it into `data.msg`. Returns true with `data` filled, or
  // false on timeout. kResourceExhausted when the message is longer than `data.msg` (it
  // stays queued). `timeout_ms` empty: the configured default; negative: forever.
  Result<bool> recvinto(RecvBuffers& data, std::optional<int32_t> timeout_ms = std::nullopt);
  // (mac, msg) in the facade's own buffer, or (None, None) on timeout.
  Result<Message> irecv(std::optional<int32_t> timeout_ms = std::nullopt);
  Result<Message> recv(std::optional<int32_t> timeout_ms = std::nullopt) {
    return irecv(timeout_ms);
  }
  // True when a message is waiting.
  Result<bool> any() const;
  Result<bool> poll() const { return any(); }  // the older build's name
  // Empties the receive queue. `confirm` must be true (kInvalidArgument otherwise).
  Status clear(bool confirm);

  // (tx_pkts, tx_responses, tx_failures, rx_packets, rx_dropped).
  Stats stats() const;

  // Called for each message queued, from the Link's listener context (the sim's
  // scheduler; on a device the Wi-Fi task): read it with irecv(0) or note it and return.
  // MicroPython schedules its callback instead. nullptr removes it.
  void irq(IrqCallback callback, void* context = nullptr) {
    irq_ = callback;
    irq_context_ = context;
  }

  // --- Peers
  Status set_pmk(const Key& pmk) { return link_.SetPmk(pmk); }
  Status add_peer(const MacAddress& mac, const PeerOptions& options = {});
  Status mod_peer(const MacAddress& mac, const PeerOptions& options);
  Status del_peer(const MacAddress& mac) { return link_.DeletePeer(mac); }
  Result<PeerInfo> get_peer(const MacAddress& mac) const { return link_.GetPeer(mac); }
  // Copies the registered peers into `out`; kResourceExhausted (with the count copied)
  // when there are more than `out` holds.
  StatusWithSize get_peers(std::span<PeerInfo> out) const;
  // (total, encrypted).
  Result<PeerCount> peer_count() const;

  // --- peers_table: the senders heard lately, {mac: [rssi, time_ms]}.
  class PeersTable {
   public:
    size_t size() const { return link_.heard_count(); }
    PeersTableEntry operator[](size_t i) const;
    // The entry for `mac`, if it was heard.
    std::optional<PeersTableEntry> find(const MacAddress& mac) const;

   private:
    friend class ESPNow;
    explicit PeersTable(const Link& link) : link_(link) {}
    const Link& link_;
  };
  PeersTable peers_table() const { return PeersTable(link_); }

  // --- Iteration: `for (auto [mac, msg] : e)`.
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Message;
    using difference_type = std::ptrdiff_t;

    const Message& operator*() const { return owner_->current_; }
    const Message* operator->() const { return &owner_->current_; }
    Iterator& operator++() {
      owner_->Next();
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const Iterator& it, std::default_sentinel_t) { return it.done(); }

   private:
    friend class ESPNow;
    explicit Iterator(ESPNow* owner) : owner_(owner) {}
    bool done() const { return owner_->iteration_done_; }
    ESPNow* owner_;
  };
  // Receives the first message (blocking like irecv()).
  Iterator begin() {
    Next();
    return Iterator(this);
  }
  std::default_sentinel_t end() const { return {}; }

 private:
  // LinkListener
  void OnReceive(const ReceivedInfo& info) override;
  void OnSendDone(const SendReport& report) override;

  Status CheckActive() const { return active() ? Status::Ok() : Status::FailedPrecondition(); }
  port::TimeNs DeadlineAfter(int32_t timeout_ms) const;
  // Waits until `ready()` holds or `deadline` passes; returns ready().
  template <typename Ready>
  bool WaitFor(Ready ready, port::TimeNs deadline);
  Status WaitForResponses(port::TimeNs deadline);
  Status SetPeer(const MacAddress& mac, const PeerOptions& options, bool add);
  void Next();

  Link& link_;
  const port::Clock& clock_;
  port::Waiter& waiter_;
  size_t rxbuf_ = kDefaultRxBuf;
  int32_t timeout_ms_ = kDefaultTimeoutMs;
  IrqCallback irq_ = nullptr;
  void* irq_context_ = nullptr;
  Message current_;  // the iteration's current message
  bool iteration_done_ = false;
  std::array<std::byte, kMaxPayloadV2> buffer_{};  // irecv's callee-owned message
};

}  // namespace airlab::espnow

template <>
struct std::tuple_size<airlab::espnow::Message> : std::integral_constant<size_t, 2> {};
template <>
struct std::tuple_element<0, airlab::espnow::Message> {
  using type = const std::optional<airlab::MacAddress>;
};
template <>
struct std::tuple_element<1, airlab::espnow::Message> {
  using type = const std::optional<airlab::ByteSpan>;
};
