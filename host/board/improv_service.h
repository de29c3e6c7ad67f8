#pragma once
// Improv Wi-Fi on a virtual board's serial port, as firmware that offers it beside its
// console does (ESPHome's improv_serial): Improv packets are taken out of what comes in on
// the port before the REPL sees it (core/wifi/improv.h's parser: the REPL keeps working
// through garbage and refused packets), and answered by wifi::ImprovDevice over the board's
// own network service, called as Python calls it ("wlan.scan", "wlan.connect",
// "wlan.status"): the scan lists the lab's routers, the credentials join one, and Python
// then sees the station connected (network.WLAN(network.STA_IF).isconnected()). Like such
// firmware, Improv turns the station interface on to scan and join.
//
// Packets wait while a Python call is being answered (its service is mid-way) and are
// handled on the next turn of the board's loop after it.

#include <chrono>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "core/wifi/improv.h"
#include "core/wifi/improv_device.h"
#include "core/wifi/portal_backend.h"
#include "host/board/board.h"

namespace airlab::host::board {

class ImprovService final : wifi::PortalBackend, wifi::ImprovOutput, wifi::ImprovStreamListener {
 public:
  // Hooks the board's serial input; `board` must outlive the service, and the network
  // service ("wlan.*") must be registered with it.
  explicit ImprovService(Board& board);
  ImprovService(const ImprovService&) = delete;
  ImprovService& operator=(const ImprovService&) = delete;

 private:
  std::string Filter(std::string_view input);
  void HandlePending();

  // wifi::PortalBackend over the "wlan.*" services.
  std::span<const port::ScanEntry> networks() override;
  void RequestScan() override {}
  Status SaveAndConnect(const port::Ssid& ssid, ByteSpan passphrase) override;
  wifi::PortalStatus status() const override;
  std::span<const wifi::PortalParameter> parameters() const override { return {}; }
  Status SetParameter(std::string_view, std::string_view) override { return Status::NotFound(); }
  void Erase() override;
  void Exit() override {}
  std::string_view device_name() const override { return board_.context().config.name; }
  MacAddress station_mac() const override { return board_.context().config.mac; }
  MacAddress ap_mac() const override;

  void SendImprov(ByteSpan packet) override;
  void OnImprovText(ByteSpan text) override;
  void OnImprovPacket(const wifi::ImprovPacket& packet) override;

  Board& board_;
  wifi::ImprovStreamParser parser_;
  wifi::ImprovDevice device_;
  std::string text_;  // what goes on to the REPL from this turn's input
  std::deque<std::pair<wifi::ImprovType, std::vector<std::byte>>> pending_;
  std::vector<port::ScanEntry> scan_;
  std::chrono::steady_clock::time_point last_input_;
  bool handling_ = false;  // a service call of ours runs the loop again (a wait)
};

}  // namespace airlab::host::board
