#pragma once
// The board's ESP-NOW: an espnow::Stack on the board's hub radio and the MicroPython
// facade (espnow::ESPNow) over it, served to the Python modules `espnow` and `esp.espnow`
// (runtime/lib/espnow.py) through the bridge as "espnow.*" calls.
//
// Errors are MicroPython's: OSError(-code, "ESP_ERR_ESPNOW_...") from the facade's Status
// (espnow::OsErrorNumber), OSError(110) when send(sync) gets no reports in time, and
// ValueError for what MicroPython rejects before ESP-IDF sees it. Each reset (soft or hard)
// builds a new Stack: peers, PMK, buffers and statistics start again, as after a reboot.
//
// A unicast send that no peer acknowledges puts one line in the board's log (until a send
// to that peer succeeds again) saying the likely reason: the peer is on another channel.
//
// Calling context: the board's one thread (handlers, and the hub's callbacks inside waits).

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "core/espnow/espnow.h"
#include "core/espnow/stack.h"
#include "core/port/rng.h"
#include "host/board/board_context.h"
#include "host/board/bridge.h"
#include "host/board/bridge_waiter.h"
#include "platform/mbedtls/mbedtls_aes128.h"

namespace airlab::host::board {

class EspnowService {
 public:
  // The receive queue's storage: config(rxbuf=) may ask up to this many bytes.
  static constexpr size_t kRxStorage = 65536;
  // MicroPython 1.21+ with ESP-NOW v2 defaults rxbuf to two 1470-byte messages; here a
  // message takes 18 bytes besides its payload (espnow::Stack::kRxRecordOverhead).
  static constexpr size_t kRxBufV2 = 2 * (espnow::Stack::kRxRecordOverhead + espnow::kMaxPayloadV2);

  // `context` and `radio` (ESP-NOW's share of the board's radio, NetworkService::
  // espnow_radio) must outlive the service. Registers "espnow.*" with `bridge`.
  EspnowService(const BoardContext& context, port::Radio& radio, Bridge& bridge);
  ~EspnowService();
  EspnowService(const EspnowService&) = delete;
  EspnowService& operator=(const EspnowService&) = delete;

  // The facade, for tests.
  espnow::ESPNow& facade() { return *facade_; }

 private:
  using Stack = espnow::StaticStack<20, 24, kRxStorage, 8192>;

  void Reset();
  void Register(Bridge& bridge);
  Json Send(const Json& args, Waits& waits);
  // Logs the first unacknowledged send to `peer` since its last acknowledged one.
  void NoteDelivery(const MacAddress& peer, bool acknowledged);
  Json Receive(const Json& args, Waits& waits);
  Json SetPeer(const Json& args, bool add);
  Json PeerTuple(const espnow::PeerInfo& peer) const;

  const BoardContext& context_;
  port::Radio& radio_;
  port::SplitMix64 rng_;
  mbedtls::MbedtlsAes128 aes_;
  BridgeWaiter waiter_;
  std::unique_ptr<Stack> stack_;
  std::unique_ptr<espnow::ESPNow> facade_;
  std::set<std::string> unheard_;  // peers whose last unicast send was not acknowledged
  bool rxbuf_chosen_ = false;      // the first ESPNow() of this boot picked its default
  uint32_t irq_seen_rx_ = 0;       // rx_packets when irq_pending last answered
  std::array<std::byte, espnow::kMaxPayloadV2> rx_buffer_{};
};

}  // namespace airlab::host::board
