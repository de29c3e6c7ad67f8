#include "host/board/network_service.h"

#include <algorithm>
#include <cstdio>
#include <functional>

#include "host/board/bridge_values.h"

namespace airlab::host::board {
namespace {

constexpr int kStaIf = 0;
constexpr int kApIf = 1;
constexpr int kReasonAssocLeave = 8;  // after disconnect(): status() is STAT_IDLE
constexpr int kAuthOpen = 0;
constexpr int kAuthWpa2Psk = 3;
// Every router is heard this strongly in scan(): the model has no positions for routers.
constexpr int kRouterRssiDbm = -45;
// How long scan() may wait for the air's scan (13 channels of 120 ms, and the way back).
constexpr auto kScanWait = std::chrono::seconds(10);
using User = wifi::RadioShare::User;

[[noreturn]] void RaiseOsErrorText(const std::string& text) {
  throw PythonError{"OSError", {text}};
}

// What the air's refusal means, for an OSError's text.
[[noreturn]] void RaiseAirError(airlab::Status status, const char* what) {
  if (status == airlab::Status::Unavailable()) {
    RaiseOsErrorText(
        "Wifi Internal Error: the air hub is gone (start `airlab air`, then the board)");
  }
  RaiseOsErrorText(std::string("Wifi Internal Error: the air refused ") + what);
}

std::string Hex6(const MacAddress& mac) {
  char text[7];
  std::snprintf(text, sizeof text, "%02X%02X%02X", mac[3], mac[4], mac[5]);
  return text;
}

// A router's BSSID: locally administered, from its index, so scans are stable.
MacAddress RouterBssid(size_t index) {
  const std::array<std::byte, 6> bytes{std::byte{0x02}, std::byte{0x00},
                                       std::byte{0x5e}, std::byte{0x10},
                                       std::byte{0x00}, static_cast<std::byte>(index + 1)};
  return MacAddress::FromBytes(bytes);
}

std::string Ip(const port::Ipv4Address& a) {
  return std::to_string(a[0]) + "." + std::to_string(a[1]) + "." + std::to_string(a[2]) + "." +
         std::to_string(a[3]);
}

std::string SsidText(const port::Ssid& ssid) {
  return std::string(reinterpret_cast<const char*>(ssid.bytes().data()), ssid.size());
}

const char* FailureText(port::WifiFailure why) {
  switch (why) {
    case port::WifiFailure::kBeaconTimeout: return "the router is no longer heard";
    case port::WifiFailure::kNoApFound: return "no such network on the air";
    case port::WifiFailure::kWrongPassword: return "wrong password";
    case port::WifiFailure::kAssocFail: return "the router refused the association";
    case port::WifiFailure::kHandshakeTimeout: return "the handshake or DHCP timed out";
    case port::WifiFailure::kDeauthenticated: return "the router deauthenticated the station";
    case port::WifiFailure::kLeft: return "left";
  }
  return "unknown";
}

}  // namespace

MacAddress NetworkService::AccessPointMac(const MacAddress& station) {
  std::array<std::byte, 6> bytes{};
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>(station[i]);
  bytes[5] = static_cast<std::byte>(station[5] + 1);  // wraps within the byte, as ESP-IDF
  return MacAddress::FromBytes(bytes);
}

NetworkService::NetworkService(const BoardContext& context, Bridge& bridge)
    : context_(context),
      share_(context.radio),
      rng_(0xbb67ae8584caa73bULL ^ std::hash<std::string>{}(context.config.name)),
      station_timer_(context.air.NewTimer()),
      ap_timer_(context.air.NewTimer()) {
  Reset();
  Register(bridge);
  bridge.OnReset([this] { Reset(); });
}

NetworkService::~NetworkService() {
  air_ap_.reset();  // they listen to the share's ports and the timers
  air_station_.reset();
}

void NetworkService::Reset() {
  // The Wi-Fi driver starts again: a new station and soft-AP on the shared radio.
  air_ap_.reset();
  air_station_.reset();
  const port::Clock& clock = context_.air.clock();
  air_station_ = std::make_unique<wifi::Station>(
      share_.port(User::kStation), clock, *station_timer_, rng_, aes_, sha1_,
      wifi::StationConfig{.channel_hold = &share_.station_hold()});
  air_station_->SetListener(this);
  air_ap_ = std::make_unique<wifi::AccessPoint>(share_.port(User::kAccessPoint),
                                                port::Interface::kAccessPoint, clock, *ap_timer_,
                                                rng_, aes_, sha1_);
  heard_.clear();
  scan_done_ = false;
  scanning_ = false;
  station_ = {.active = false, .mac = context_.config.mac, .ifconfig = std::nullopt};
  access_point_ = {
      .active = false, .mac = AccessPointMac(context_.config.mac), .ifconfig = std::nullopt};
  router_.reset();
  disconnect_reason_ = 0;
  connect_requested_ = false;
  station_ssid_.clear();
  ap_essid_ = "ESP_" + Hex6(access_point_.mac);
  ap_password_.clear();
  ap_authmode_ = kAuthOpen;
  ap_channel_ = context_.config.channel;
  ap_hidden_ = false;
  power_management_ = 1;
  reconnects_ = -1;
  txpower_dbm_ = 20.0;
  share_.port(User::kEspNow).SetChannel(context_.config.channel).IgnoreError();
  try {
    ApplyRadio();
  } catch (const PythonError&) {
    // The hub is gone: the board keeps serving its REPL, and the next wlan call says so.
  }
}

void NetworkService::Register(Bridge& bridge) {
  auto add = [this, &bridge](const char* name, std::function<Json(const Json&)> body) {
    bridge.Register(std::string("wlan.") + name,
                    [body](const Json& args, Waits&) { return body(args); });
  };
  add("active", [this](const Json& args) { return Active(args); });
  add("config_get", [this](const Json& args) { return ConfigGet(args); });
  add("config_set", [this](const Json& args) { return ConfigSet(args); });
  add("connect", [this](const Json& args) { return Connect(args); });
  add("disconnect", [this](const Json&) {
    connect_requested_ = false;
    if (station_connected() || disconnect_reason_ == kStatConnecting)
      disconnect_reason_ = kReasonAssocLeave;
    router_.reset();
    air_station_->Disconnect().IgnoreError();  // a Deauthentication on the air
    return Json();
  });
  add("status", [this](const Json& args) { return WifiStatus(args); });
  add("isconnected", [this](const Json& args) {
    if (OptionalInt(args, 0).value_or(kStaIf) == kApIf) {
      return Json(air_ap_->running() && air_ap_->station_count() > 0);
    }
    return Json(station_connected());
  });
  bridge.Register("wlan.scan", [this](const Json&, Waits& waits) { return Scan(waits); });
  add("ifconfig", [this](const Json& args) {
    Interface& iface = At(args);
    const bool station = &iface == &station_;
    if (args.size() > 1 && !args[1].is_null()) {
      const Json& values = args[1];
      if (!values.is_array() || values.size() != 4) RaiseValueError("invalid arguments");
      IpConfig config;
      for (size_t i = 0; i < 4; ++i) config[i] = values[i].get<std::string>();
      iface.ifconfig = config;
      return Json();
    }
    const IpConfig config = CurrentIpConfig(station);
    return Json::array({config[0], config[1], config[2], config[3]});
  });
}

NetworkService::Interface& NetworkService::At(const Json& args) {
  const int64_t index = OptionalInt(args, 0).value_or(kStaIf);
  if (index == kStaIf) return station_;
  if (index == kApIf) return access_point_;
  RaiseValueError("invalid WLAN interface identifier");
}

void NetworkService::ApplyRadio() {
  // Through ESP-NOW's share: addresses and the enabled state are the radio's, for all users.
  port::Radio& radio = share_.port(User::kEspNow);
  const bool on = station_.active || access_point_.active;
  const MacAddress sta = station_.active ? station_.mac : MacAddress();
  const MacAddress ap = access_point_.active ? access_point_.mac : MacAddress();
  for (auto [interface, mac] :
       {std::pair{port::Interface::kStation, sta}, std::pair{port::Interface::kAccessPoint, ap}}) {
    if (radio.address(interface) == mac) continue;
    const airlab::Status status = radio.SetAddress(interface, mac);
    if (status == airlab::Status::AlreadyExists()) {
      char text[MacAddress::kStringSize + 1];
      mac.Format(text);
      RaiseOsErrorText(std::string("Wifi Invalid MAC Address: another board on the air uses ") +
                       text + " (give this board another --mac)");
    }
    if (!status.ok()) RaiseAirError(status, "the address");
  }
  if (!station_.active) share_.port(User::kStation).SetEnabled(false).IgnoreError();
  if (radio.SetEnabled(on) != airlab::Status::Ok())
    RaiseOsErrorText("Wifi Internal Error: the air is gone");
  ApplyAccessPoint();
}

// The soft-AP on the air while AP_IF is active: WPA2-PSK when an authmode other than open
// and a password are set, else open; on the router's channel while the station is joined.
void NetworkService::ApplyAccessPoint() {
  if (!access_point_.active) {
    if (air_ap_->running()) air_ap_->Stop().IgnoreError();
    share_.port(User::kAccessPoint).SetEnabled(false).IgnoreError();
    return;
  }
  wifi::AccessPointConfig config;
  const std::string essid = ap_essid_.empty() ? "ESP_" + Hex6(access_point_.mac) : ap_essid_;
  config.ssid.Assign(AsBytes(essid.data(), essid.size()));
  const bool secured = ap_authmode_ != kAuthOpen && !ap_password_.empty();
  config.passphrase = secured ? AsBytes(ap_password_.data(), ap_password_.size()) : ByteSpan();
  config.channel = static_cast<uint8_t>(router_ ? share_.radio().channel() : ap_channel_);
  config.hidden = ap_hidden_;
  config.max_stations =
      static_cast<uint8_t>(std::clamp<int>(ap_max_clients_, 1, wifi::AccessPoint::kMaxStations));
  const airlab::Status status = air_ap_->Start(config);
  if (status == airlab::Status::InvalidArgument()) {
    RaiseOsErrorText("Wifi Invalid Argument: a WPA2 password is 8 to 63 characters");
  }
  if (!status.ok()) RaiseAirError(status, "the soft-AP");
}

void NetworkService::SetChannel(int channel) {
  if (channel < 1 || channel > 14) RaiseValueError("invalid channel");
  if (share_.channel_held() && channel != share_.radio().channel()) {
    RaiseOsErrorText("Wifi Internal Error: the station is joined on channel " +
                     std::to_string(share_.radio().channel()) +
                     " and the radio stays there (disconnect first)");
  }
  if (const airlab::Status status =
          share_.port(User::kEspNow).SetChannel(static_cast<uint8_t>(channel));
      !status.ok()) {
    RaiseAirError(status, "the channel");
  }
}

Json NetworkService::Active(const Json& args) {
  Interface& iface = At(args);
  if (const std::optional<bool> flag = OptionalBool(args, 1)) {
    const bool was = iface.active;
    iface.active = *flag;
    if (&iface == &station_ && !*flag) {
      if (station_connected()) disconnect_reason_ = kReasonAssocLeave;
      router_.reset();
      air_station_->Disconnect().IgnoreError();
    }
    try {
      ApplyRadio();
    } catch (const PythonError&) {
      iface.active = was;
      throw;
    }
  }
  return Json(iface.active);
}

// config('name'): MicroPython's names and interface rules (network_wlan.c).
Json NetworkService::ConfigGet(const Json& args) {
  Interface& iface = At(args);
  const bool station = &iface == &station_;
  const std::string name = Arg(args, 1).get<std::string>();
  auto require = [&](bool want_station) {
    if (station != want_station) RaiseOsErrorText(want_station ? "STA required" : "AP required");
  };
  if (name == "mac") return Json(MacToHex(iface.mac));
  if (name == "essid" || name == "ssid") return Json(station ? station_ssid_ : ap_essid_);
  if (name == "hidden") {
    require(false);
    return ap_hidden_;
  }
  if (name == "authmode" || name == "security") {
    require(false);
    return ap_authmode_;
  }
  if (name == "channel") return Json(share_.radio().channel());
  if (name == "hostname" || name == "dhcp_hostname") {
    require(true);
    return hostname_;
  }
  if (name == "max_clients") return Json(ap_max_clients_);
  if (name == "reconnects") {
    require(true);
    return reconnects_;
  }
  if (name == "txpower") return Json(txpower_dbm_);
  if (name == "protocol") return Json(protocol_);
  if (name == "pm" || name == "ps_mode") return Json(power_management_);
  RaiseValueError("unknown config param");
}

Json NetworkService::ConfigSet(const Json& args) {
  Interface& iface = At(args);
  const bool station = &iface == &station_;
  const Json& values = Arg(args, 1);
  if (!values.is_object()) throw PythonError{"TypeError", {"config: keyword arguments expected"}};
  auto require = [&](bool want_station) {
    if (station != want_station) RaiseOsErrorText(want_station ? "STA required" : "AP required");
  };
  for (const auto& [name, value] : values.items()) {
    if (name == "mac") {
      iface.mac = MacFromHex(value.get<std::string>());
      ApplyRadio();
    } else if (name == "essid" || name == "ssid") {
      require(false);
      ap_essid_ = value.get<std::string>().substr(0, 32);
    } else if (name == "hidden") {
      require(false);
      ap_hidden_ = value.get<bool>();
    } else if (name == "authmode" || name == "security") {
      require(false);
      ap_authmode_ = value.get<int>();
    } else if (name == "password" || name == "key") {
      require(false);
      ap_password_ = value.get<std::string>().substr(0, 63);
    } else if (name == "channel") {
      if (station) {
        if (!station_.active && !access_point_.active) RaiseOsErrorText("Wifi Not Started");
        SetChannel(value.get<int>());
      } else {
        if (value.get<int>() < 1 || value.get<int>() > 14) RaiseValueError("invalid channel");
        ap_channel_ = value.get<int>();
      }
    } else if (name == "hostname" || name == "dhcp_hostname") {
      hostname_ = value.get<std::string>();
    } else if (name == "max_clients") {
      require(false);
      ap_max_clients_ = value.get<int>();
    } else if (name == "reconnects") {
      require(true);
      reconnects_ = value.get<int>();
    } else if (name == "txpower") {
      txpower_dbm_ = value.get<double>();
    } else if (name == "protocol") {
      protocol_ = value.get<int>();
    } else if (name == "pm" || name == "ps_mode") {
      power_management_ = value.get<int>();
    } else if (name != "bandwidth") {
      RaiseValueError("unknown config param");
    }
  }
  if (!station) ApplyAccessPoint();  // the soft-AP restarts with its new settings
  return Json();
}

// connect(): the join happens at once (no frames on the air in this model): the SSID must
// be one of the lab's routers and the password its password; the radio moves to the
// router's channel. A failure shows in status(), as on an ESP32, not as an exception.
Json NetworkService::Connect(const Json& args) {
  if (!station_.active && !access_point_.active) RaiseOsErrorText("Wifi Not Started");
  if (!station_.active) RaiseOsErrorText("Wifi Invalid Mode");
  if (const auto ssid = OptionalString(args, 0)) station_ssid_ = ssid->substr(0, 32);
  Join(OptionalString(args, 2), OptionalString(args, 1).value_or(""));
  return Json();
}

// The lab's modelled routers first (joined at once); any other network on the air, where
// the station's join runs as the board's loop runs (status() says kStatConnecting).
void NetworkService::Join(const std::optional<std::string>& bssid, const std::string& key) {
  connect_requested_ = true;
  router_.reset();
  air_station_->Disconnect().IgnoreError();
  disconnect_reason_ = kStatNoApFound;
  const auto& routers = context_.config.routers;
  for (size_t i = 0; i < routers.size(); ++i) {
    if (routers[i].ssid != station_ssid_) continue;
    if (bssid && MacFromHex(*bssid) != RouterBssid(i)) continue;
    if (!routers[i].password.empty() && routers[i].password != key) {
      disconnect_reason_ = kStatWrongPassword;
      Log(context_, "station could not join " + station_ssid_ + ": wrong password");
      return;
    }
    const int was = share_.radio().channel();
    SetChannel(routers[i].channel);
    router_ = i;
    disconnect_reason_ = 0;
    LogJoin(station_ssid_, was, routers[i].channel);
    return;
  }
  port::Ssid ssid;
  ssid.Assign(AsBytes(station_ssid_.data(), station_ssid_.size()));
  MacAddress wanted;
  if (bssid) wanted = MacFromHex(*bssid);
  join_from_channel_ = share_.radio().channel();
  const airlab::Status status =
      air_station_->Connect(ssid, AsBytes(key.data(), key.size()), bssid ? &wanted : nullptr);
  if (status == airlab::Status::InvalidArgument()) RaiseOsErrorText("Wifi Invalid Password");
  if (!status.ok()) RaiseAirError(status, "the join (a scan is under way?)");
  disconnect_reason_ = kStatConnecting;
}

void NetworkService::LogJoin(const std::string& ssid, int from_channel, int to_channel) {
  std::string line = "station joined " + ssid + " on channel " + std::to_string(to_channel) +
                     " as " + CurrentIpConfig(true)[0];
  if (from_channel != to_channel) {
    const std::string old = std::to_string(from_channel);
    line += "; the radio, the soft-AP and ESP-NOW moved from channel " + old + " to " +
            std::to_string(to_channel) + " (one radio): ESP-NOW peers left on channel " + old +
            " no longer hear this board";
  }
  Log(context_, line);
}

void NetworkService::OnScanDone(std::span<const port::ScanEntry> results) {
  heard_.assign(results.begin(), results.end());
  scan_done_ = true;
  scanning_ = false;
  // Back to the channel the scan left (ESP-IDF does; a joined station returns by itself).
  if (!share_.channel_held()) share_.port(User::kEspNow).SetChannel(scan_home_).IgnoreError();
}

void NetworkService::StartScan() {
  if (!station_.active) {
    station_.active = true;
    try {
      ApplyRadio();
    } catch (const PythonError&) {
      station_.active = false;
      throw;
    }
  }
  scan_done_ = false;
  scan_home_ = share_.radio().channel();
  if (!air_station_->StartScan().ok()) {
    RaiseOsErrorText("Wifi Internal Error: the station is busy joining");
  }
  scanning_ = true;
}

void NetworkService::OnConnected(const port::Connection& connection) {
  disconnect_reason_ = 0;
  LogJoin(SsidText(connection.ssid), join_from_channel_, connection.channel);
}

void NetworkService::OnDisconnected(port::WifiFailure why, uint16_t reason_code) {
  if (why == port::WifiFailure::kLeft) return;  // disconnect(), or a new connect()
  const bool was_joined = disconnect_reason_ != kStatConnecting;
  disconnect_reason_ = static_cast<int>(why);
  std::string line = std::string("station ") + (was_joined ? "lost " : "could not join ") +
                     station_ssid_ + ": " + FailureText(why);
  if (reason_code != 0) line += " (reason " + std::to_string(reason_code) + ")";
  Log(context_, line);
}

void NetworkService::JoinNetwork(const std::string& ssid, const std::string& password) {
  if (!station_.active) {
    station_.active = true;
    try {
      ApplyRadio();
    } catch (const PythonError&) {
      station_.active = false;
      throw;
    }
  }
  station_ssid_ = ssid.substr(0, 32);
  Join(std::nullopt, password);
}

int NetworkService::station_status() const {
  if (station_connected()) return kStatGotIp;
  if (disconnect_reason_ == kStatConnecting) return kStatConnecting;
  // ESP-IDF's reasons MicroPython shows: beacon timeout, no AP, auth, assoc, handshake.
  if (disconnect_reason_ >= 200 && disconnect_reason_ <= 204) return disconnect_reason_;
  return kStatIdle;
}

Json NetworkService::WifiStatus(const Json& args) {
  const bool station = &At(args) == &station_;
  if (const auto param = OptionalString(args, 1)) {
    if (*param == "rssi") {
      if (!station) RaiseOsErrorText("STA required");
      if (air_station_->connected()) return Json(air_station_->connection().rssi_dbm);
      if (!router_) RaiseOsErrorText("Wifi Not Connected");
      return Json(kRouterRssiDbm);
    }
    if (*param == "stations") {
      if (station) RaiseOsErrorText("AP required");
      std::array<wifi::AccessPointStation, wifi::AccessPoint::kMaxStations> joined{};
      Json out = Json::array();
      for (size_t i = 0; i < air_ap_->Stations(joined); ++i) {
        out.push_back(Json::array({MacToHex(joined[i].mac)}));
      }
      return out;
    }
    RaiseValueError("unknown status param");
  }
  if (!station) return Json();
  return Json(station_status());
}

std::vector<NetworkService::Network> NetworkService::ScanNetworks() const {
  std::vector<Network> out;
  for (const port::ScanEntry& e : heard_) {
    out.push_back({.ssid = SsidText(e.ssid),
                   .bssid = e.bssid,
                   .channel = e.channel,
                   .rssi_dbm = e.rssi_dbm,
                   .authmode = static_cast<int>(e.auth),
                   .hidden = e.hidden});
  }
  const auto& routers = context_.config.routers;
  for (size_t i = 0; i < routers.size(); ++i) {
    const auto& r = routers[i];
    // A hidden network shows with an empty SSID (ESP-IDF scans with show_hidden).
    out.push_back({.ssid = r.hidden ? "" : r.ssid,
                   .bssid = RouterBssid(i),
                   .channel = r.channel,
                   .rssi_dbm = kRouterRssiDbm,
                   .authmode = r.password.empty() ? kAuthOpen : kAuthWpa2Psk,
                   .hidden = false});
  }
  return out;
}

// A real scan on the air (the radio visits channels 1..13, ESP-NOW with it, as on an
// ESP32, and comes back), then the modelled routers.
Json NetworkService::Scan(Waits& waits) {
  if (!station_.active) RaiseOsErrorText("STA must be active");
  StartScan();
  const WaitEnd end = waits.WaitFor([this] { return scan_done_; }, kScanWait);
  if (end == WaitEnd::kInterrupted) return Json();  // the bridge raises KeyboardInterrupt
  Json out = Json::array();
  for (const Network& n : ScanNetworks()) {
    out.push_back(Json::array({ToHex(AsBytes(n.ssid.data(), n.ssid.size())), MacToHex(n.bssid),
                               n.channel, n.rssi_dbm, n.authmode, n.hidden}));
  }
  return out;
}

// A joined station's address on its router's subnet, 192.168.(router + 1).0/24, from its
// MAC's last byte, so each board of a class keeps its own.
IpConfig NetworkService::CurrentIpConfig(bool station) const {
  const Interface& iface = station ? station_ : access_point_;
  if (iface.ifconfig) return *iface.ifconfig;
  if (!station) return {"192.168.4.1", "255.255.255.0", "192.168.4.1", "0.0.0.0"};
  if (air_station_->connected()) {
    const port::Ipv4Config& ip = air_station_->connection().ip;
    return {Ip(ip.address), Ip(ip.netmask), Ip(ip.gateway), Ip(ip.dns)};
  }
  if (!router_) return {"0.0.0.0", "0.0.0.0", "0.0.0.0", "0.0.0.0"};
  const std::string net = "192.168." + std::to_string(*router_ + 1) + ".";
  return {net + std::to_string(2 + station_.mac[5] % 250), "255.255.255.0", net + "1", net + "1"};
}

}  // namespace airlab::host::board
