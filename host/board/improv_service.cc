#include "host/board/improv_service.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "host/board/bridge_values.h"
#include "host/board/network_service.h"

namespace airlab::host::board {
namespace {

using std::chrono::steady_clock;

constexpr int kStaIf = 0;
// A packet that stops arriving for this long is given up, as ESPHome's improv_serial does;
// a magic's first letters alone go on to the REPL at the next quiet turn of the loop.
constexpr auto kQuiet = std::chrono::milliseconds(100);

const wifi::ImprovDeviceInfo kInfo{
    .firmware = "airlab board", .version = "0.1.0", .hardware = "ESP32 (virtual, MicroPython)"};

port::Ipv4Address ParseIpv4(const std::string& text) {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (std::sscanf(text.c_str(), "%u.%u.%u.%u", &a, &b, &c, &d) != 4) return {};
  return {static_cast<uint8_t>(a), static_cast<uint8_t>(b), static_cast<uint8_t>(c),
          static_cast<uint8_t>(d)};
}

// network.WLAN.status() -> what the portal and Improv call it.
wifi::PortalLinkState LinkState(int status) {
  if (status == kStatGotIp) return wifi::PortalLinkState::kConnected;
  if (status == kStatConnecting) return wifi::PortalLinkState::kConnecting;
  if (status == kStatIdle) return wifi::PortalLinkState::kIdle;
  return wifi::PortalLinkState::kFailed;  // 200..206: port::WifiFailure's numbers
}

}  // namespace

ImprovService::ImprovService(Board& board) : board_(board), device_(*this, kInfo, *this) {
  board_.HookSerialInput([this](std::string_view input) { return Filter(input); });
  board_.OnReset([this] {
    device_.Reset();
    pending_.clear();
  });
}

std::string ImprovService::Filter(std::string_view input) {
  const auto now = steady_clock::now();
  if (!input.empty()) {
    last_input_ = now;
    parser_.Feed(AsBytes(input.data(), input.size()), *this);
  } else if (parser_.waiting() && (!parser_.in_packet() || now - last_input_ >= kQuiet)) {
    parser_.Expire(*this);
  }
  if (!handling_ && !board_.in_call()) HandlePending();
  return std::exchange(text_, {});
}

void ImprovService::HandlePending() {
  handling_ = true;
  try {
    while (!pending_.empty()) {
      const auto [type, data] = std::move(pending_.front());
      pending_.pop_front();
      device_.HandlePacket({type, data});
    }
    device_.Poll();
  } catch (...) {
    handling_ = false;
    throw;
  }
  handling_ = false;
}

void ImprovService::OnImprovText(ByteSpan text) {
  text_.append(reinterpret_cast<const char*>(text.data()), text.size());
}

void ImprovService::OnImprovPacket(const wifi::ImprovPacket& packet) {
  pending_.emplace_back(packet.type,
                        std::vector<std::byte>(packet.data.begin(), packet.data.end()));
}

void ImprovService::SendImprov(ByteSpan packet) {
  board_.WriteSerial(std::string_view(reinterpret_cast<const char*>(packet.data()), packet.size()));
}

std::span<const port::ScanEntry> ImprovService::networks() {
  scan_.clear();
  try {
    board_.CallService("wlan.active", Json::array({kStaIf, true}));
    for (const Json& row : board_.CallService("wlan.scan", Json::array())) {
      port::ScanEntry entry;
      const std::vector<std::byte> ssid = FromHex(row.at(0).get<std::string>());
      if (!entry.ssid.Assign(ssid)) continue;
      entry.bssid = MacFromHex(row.at(1).get<std::string>());
      entry.channel = row.at(2).get<uint8_t>();
      entry.rssi_dbm = row.at(3).get<int8_t>();
      entry.auth = static_cast<port::WifiAuth>(std::min(row.at(4).get<int>(), 4));
      entry.hidden = row.at(5).get<bool>();
      scan_.push_back(entry);
    }
  } catch (const PythonError&) {
    scan_.clear();  // the station cannot scan (the air is gone): an empty list
  }
  std::stable_sort(scan_.begin(), scan_.end(),
                   [](const auto& a, const auto& b) { return a.rssi_dbm > b.rssi_dbm; });
  return scan_;
}

Status ImprovService::SaveAndConnect(const port::Ssid& ssid, ByteSpan passphrase) {
  if (!port::IsValidPassphrase(passphrase)) return Status::InvalidArgument();
  const auto text = [](ByteSpan b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
  };
  try {
    board_.CallService("wlan.active", Json::array({kStaIf, true}));
    board_.CallService("wlan.connect",
                       Json::array({text(ssid.bytes()), text(passphrase), nullptr}));
  } catch (const PythonError&) {
    return Status::Unavailable();
  }
  return Status::Ok();
}

wifi::PortalStatus ImprovService::status() const {
  wifi::PortalStatus status;
  try {
    const int code = board_.CallService("wlan.status", Json::array({kStaIf, nullptr})).get<int>();
    status.state = LinkState(code);
    if (status.state == wifi::PortalLinkState::kFailed) {
      status.failure = static_cast<port::WifiFailure>(code);
    }
    const std::string ssid =
        board_.CallService("wlan.config_get", Json::array({kStaIf, "essid"})).get<std::string>();
    status.ssid.Assign(AsBytes(ssid.data(), ssid.size()));
    if (status.state == wifi::PortalLinkState::kConnected) {
      const Json ip = board_.CallService("wlan.ifconfig", Json::array({kStaIf}));
      status.ip = {ParseIpv4(ip.at(0).get<std::string>()), ParseIpv4(ip.at(1).get<std::string>()),
                   ParseIpv4(ip.at(2).get<std::string>()), ParseIpv4(ip.at(3).get<std::string>())};
    }
  } catch (const PythonError&) {
    status.state = wifi::PortalLinkState::kIdle;  // the station is off
  }
  return status;
}

void ImprovService::Erase() {
  try {
    board_.CallService("wlan.disconnect", Json::array());
  } catch (const PythonError&) {
  }
}

MacAddress ImprovService::ap_mac() const {
  return NetworkService::AccessPointMac(board_.context().config.mac);
}

}  // namespace airlab::host::board
