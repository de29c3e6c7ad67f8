#include "scenario/routers.h"

#include <iterator>
#include <stdexcept>

#include "platform/mbedtls/mbedtls_aes128.h"
#include "platform/mbedtls/mbedtls_sha1.h"
#include "scenario/toml_fields.h"

namespace airlab::scenario {
namespace {

ByteSpan Bytes(const std::string& text) { return as_bytes(std::span(text.data(), text.size())); }

}  // namespace

MacAddress DefaultRouterBssid(size_t index) {
  const uint32_t n = static_cast<uint32_t>(index + 1);
  return MacAddress({0x02, 0x52, 0x54, static_cast<uint8_t>(n >> 16), static_cast<uint8_t>(n >> 8),
                     static_cast<uint8_t>(n)});
}

std::string CheckRouter(const RouterSpec& spec) {
  if (spec.ssid.empty() || spec.ssid.size() > port::Ssid::kMaxSize) {
    return "give the network's name, 1 to 32 bytes, e.g. ssid = \"lab\"";
  }
  if (!port::IsValidPassphrase(Bytes(spec.password))) {
    return "a WPA2 password has 8 to 63 characters (or 64 hex digits); leave it out for an "
           "open network";
  }
  if (spec.channel < 1 || spec.channel > 13) return "give a channel from 1 to 13, e.g. channel = 6";
  if (spec.beacon_interval_tu == 0) return "give a beacon interval above 0, e.g. 100 (TU)";
  return "";
}

std::optional<RouterSpec> ParseRouterText(std::string_view text) {
  const size_t first = text.find(':');
  const size_t last = text.rfind(':');
  if (first == std::string_view::npos || first == last) return std::nullopt;
  const std::string_view channel = text.substr(last + 1);
  int value = 0;
  for (char c : channel) {
    if (c < '0' || c > '9' || value > 100) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  RouterSpec spec{.ssid = std::string(text.substr(0, first)),
                  .password = std::string(text.substr(first + 1, last - first - 1)),
                  .channel = static_cast<uint8_t>(value)};
  if (channel.empty() || value > 13 || !CheckRouter(spec).empty()) return std::nullopt;
  return spec;
}

void ReadRouterFields(Fields& f, RouterSpec& spec) {
  f.CheckTypos({std::begin(kRouterKeys), std::end(kRouterKeys)});
  spec.name = f.String("name", "name = \"home\"").value_or(spec.name);
  spec.ssid = f.String("ssid", "ssid = \"lab\"").value_or(spec.ssid);
  if (spec.ssid.empty() || spec.ssid.size() > port::Ssid::kMaxSize) {
    f.Fail(f.Has("ssid") ? f.Get("ssid") : &f.table(),
           "give the network's name, 1 to 32 bytes, e.g. ssid = \"lab\"");
  }
  f.set_context("router \"" + (spec.name.empty() ? spec.ssid : spec.name) + "\"");
  spec.password = f.String("password", "password = \"lab-secret\"").value_or(spec.password);
  if (!port::IsValidPassphrase(Bytes(spec.password))) {
    f.Fail(f.Get("password"),
           "a WPA2 password has 8 to 63 characters (leave password out for an open network)");
  }
  if (const std::optional<std::string> security = f.String("security", "security = \"wpa2\"")) {
    const bool wpa2 = *security == "wpa2";
    if (!wpa2 && *security != "open") {
      f.Fail(f.Get("security"), "security is \"open\" or \"wpa2\" (WPA2-PSK with the password)");
    }
    if (wpa2 == spec.password.empty()) {
      f.Fail(f.Get("security"), wpa2 ? "security = \"wpa2\" needs a password of 8 to 63 characters"
                                     : "an open network has no password: drop password");
    }
  }
  spec.channel =
      static_cast<uint8_t>(f.Integer("channel", 1, 13, "channel = 6").value_or(spec.channel));
  spec.hidden = f.Bool("hidden").value_or(spec.hidden);
  spec.position = f.Position("position", "position = [3, 4]").value_or(spec.position);
  spec.beacon_interval_tu =
      static_cast<uint16_t>(f.Integer("beacon_interval", 1, 65535, "beacon_interval = 100")
                                .value_or(spec.beacon_interval_tu));
  if (std::optional<MacAddress> bssid = f.Mac("bssid")) {
    if (bssid->is_multicast())
      f.Fail(f.Get("bssid"), "a BSSID is a unicast MAC, e.g. \"02:52:54:00:00:01\"");
    spec.bssid = bssid;
  }
  spec.tx_power_dbm =
      f.Number("tx_power_dbm", -30.0, 30.0, "tx_power_dbm = 20").value_or(spec.tx_power_dbm);
}

RouterEvent ReadRouterEvent(Fields& f, const std::vector<RouterSpec>& routers) {
  static const std::vector<std::string_view> kKeys = {"at",     "router",   "action", "station",
                                                      "reason", "down_for", "channel"};
  f.CheckTypos(kKeys);
  RouterEvent e;
  const std::optional<port::TimeNs> at = f.Duration("at", "at = \"5s\"");
  if (!at || *at < 0) f.Fail(f.Has("at") ? f.Get("at") : &f.table(), "give when, e.g. at = \"5s\"");
  e.at = *at;
  const std::optional<std::string> router = f.String("router", "router = \"home\"");
  size_t index = routers.size();
  for (size_t i = 0; router && i < routers.size(); ++i) {
    if (routers[i].name == *router || routers[i].ssid == *router) index = i;
  }
  if (index == routers.size()) {
    f.Fail(router ? f.Get("router") : &f.table(),
           "name a [[router]] by its name or SSID, e.g. router = \"home\"");
  }
  e.router = index;
  const std::string action = f.String("action", "action = \"reboot\"").value_or("");
  if (action == "deauth") {
    e.action = RouterAction::kDeauthenticate;
    e.station = f.Mac("station");
    e.reason =
        static_cast<uint16_t>(f.Integer("reason", 1, 65535, "reason = 3").value_or(e.reason));
  } else if (action == "reboot") {
    e.action = RouterAction::kReboot;
    e.down_for = f.Duration("down_for", "down_for = \"10s\"").value_or(e.down_for);
  } else if (action == "channel") {
    e.action = RouterAction::kSwitchChannel;
    const std::optional<int64_t> channel = f.Integer("channel", 1, 13, "channel = 6");
    if (!channel) f.Fail("action = \"channel\" needs the new channel, e.g. channel = 6");
    e.channel = static_cast<uint8_t>(*channel);
  } else {
    f.Fail(f.Has("action") ? f.Get("action") : &f.table(),
           "action is \"deauth\" (station, reason), \"reboot\" (down_for) or \"channel\" "
           "(channel)");
  }
  f.Finish(kKeys);
  return e;
}

// One router: its node's timer, random stream, crypto and access point.
class SimRouters::Router {
 public:
  Router(sim::Simulation& sim, const RouterSpec& spec, size_t index, uint64_t seed)
      : name_(spec.name.empty() ? spec.ssid : spec.name),
        password_(spec.password),
        node_(sim.AddNode({.position = spec.position,
                           .channel = spec.channel,
                           .tx_power_dbm = spec.tx_power_dbm})),
        timer_(sim.NewTimer()),
        rng_(seed ^ (0x9e3779b97f4a7c15ull * (index + 1))),
        ap_(sim.radio(node_), port::Interface::kAccessPoint, sim.clock(), *timer_, rng_, aes_,
            sha1_, {}) {
    const MacAddress bssid = spec.bssid.value_or(DefaultRouterBssid(index));
    if (!sim.radio(node_).SetAddress(port::Interface::kAccessPoint, bssid).ok()) {
      throw std::invalid_argument("router \"" + name_ + "\": its BSSID must be a unicast MAC");
    }
    wifi::AccessPointConfig config{.passphrase = Bytes(password_),
                                   .channel = spec.channel,
                                   .hidden = spec.hidden,
                                   .beacon_interval_tu = spec.beacon_interval_tu,
                                   .address = wifi::kRouterAddress,
                                   .max_stations = wifi::AccessPoint::kMaxStations};
    config.ssid.Assign(Bytes(spec.ssid));
    if (!ap_.Start(config).ok()) {
      throw std::invalid_argument("router \"" + name_ + "\": " + CheckRouter(spec));
    }
  }

  const std::string name_;
  const std::string password_;
  const uint32_t node_;
  std::unique_ptr<sim::SimTimer> timer_;
  port::SplitMix64 rng_;
  mbedtls::MbedtlsAes128 aes_;
  mbedtls::MbedtlsSha1 sha1_;
  wifi::AccessPoint ap_;
};

SimRouters::SimRouters(sim::Simulation& sim, const std::vector<RouterSpec>& specs, uint64_t seed)
    : sim_(sim) {
  for (size_t i = 0; i < specs.size(); ++i) {
    if (std::string problem = CheckRouter(specs[i]); !problem.empty()) {
      throw std::invalid_argument("router \"" + specs[i].ssid + "\": " + problem);
    }
    routers_.push_back(std::make_unique<Router>(sim, specs[i], i, seed));
  }
}

SimRouters::~SimRouters() = default;

wifi::AccessPoint& SimRouters::ap(size_t i) { return routers_[i]->ap_; }
uint32_t SimRouters::node(size_t i) const { return routers_[i]->node_; }
const std::string& SimRouters::name(size_t i) const { return routers_[i]->name_; }

void SimRouters::Schedule(const std::vector<RouterEvent>& events) {
  for (const RouterEvent& e : events) {
    if (e.router >= routers_.size()) {
      throw std::invalid_argument("an event names router " + std::to_string(e.router + 1) + " of " +
                                  std::to_string(routers_.size()));
    }
    wifi::AccessPoint* ap = &routers_[e.router]->ap_;
    const port::TimeNs at = e.at > sim_.now() ? e.at : sim_.now();
    sim_.scheduler().ScheduleAt(at, [ap, e] {
      switch (e.action) {
        case RouterAction::kDeauthenticate:
          ap->Deauthenticate(e.station ? &*e.station : nullptr, e.reason).IgnoreError();
          return;
        case RouterAction::kReboot: return ap->Reboot(e.down_for);
        case RouterAction::kSwitchChannel: ap->SwitchChannel(e.channel).IgnoreError(); return;
      }
    });
  }
}

}  // namespace airlab::scenario
