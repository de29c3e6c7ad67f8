#pragma once
// Routers on the simulated air: access points (wifi::AccessPoint) resident on a
// sim::Simulation, each a node of its own with its timer, random stream and crypto, and the
// events a scenario schedules for them (deauthenticate, reboot, change channel). Scenario
// files' [[router]] and [[event]] tables, lab files' [[router]] and `airlab air --router`
// all come down to RouterSpec and RouterEvent.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/mac_address.h"
#include "core/port/clock.h"
#include "core/wifi/access_point.h"
#include "platform/sim/propagation.h"
#include "platform/sim/simulation.h"

namespace airlab::scenario {

class Fields;

struct RouterSpec {
  std::string name;  // how sniffers and logs name it; empty: its SSID
  std::string ssid;
  std::string password;  // WPA2-PSK's passphrase; empty: an open network
  uint8_t channel = 1;
  bool hidden = false;
  sim::Position position;
  uint16_t beacon_interval_tu = 100;
  std::optional<MacAddress> bssid;  // by default DefaultRouterBssid(its index)
  double tx_power_dbm = 20.0;       // a home router's (the 100 mW EIRP limit of 2.4 GHz)
};

// 02:52:54 ("RT"), then the router's number from 1: locally administered, apart from the
// sim's 02:00 node addresses and the lab's boards.
MacAddress DefaultRouterBssid(size_t index);

// A router's SSID as port::Ssid, and checks every field the way lab and scenario files
// report them: "" when the spec is fine, else what to fix.
std::string CheckRouter(const RouterSpec& spec);

// The command line's SSID:PASSWORD:CHANNEL (an empty PASSWORD: open; the password may hold
// ':', the SSID ends at the first, the channel follows the last). nullopt when `text` is
// not of that form or CheckRouter refuses it.
std::optional<RouterSpec> ParseRouterText(std::string_view text);

enum class RouterAction : uint8_t { kDeauthenticate, kReboot, kSwitchChannel };

struct RouterEvent {
  port::TimeNs at = 0;
  size_t router = 0;  // index into the routers
  RouterAction action = RouterAction::kDeauthenticate;
  std::optional<MacAddress> station;      // kDeauthenticate; none: every station
  uint16_t reason = 3;                    // kDeauthenticate: 802.11's reason code
  port::TimeNs down_for = port::kSecond;  // kReboot
  uint8_t channel = 1;                    // kSwitchChannel
};

// A [[router]] table's keys, read into `spec` (whose values stay where a key is absent):
// name, ssid, password, security ("open" or "wpa2", following password by default),
// channel, hidden, position, beacon_interval (TU), bssid, tx_power_dbm. Fails (FileError)
// on a value CheckRouter refuses. The keys it knows are kRouterKeys.
void ReadRouterFields(Fields& f, RouterSpec& spec);
inline constexpr std::string_view kRouterKeys[] = {
    "name",   "ssid",     "password",        "security", "channel",
    "hidden", "position", "beacon_interval", "bssid",    "tx_power_dbm"};

// An [[event]] table: at, router (its name or SSID), action = "deauth" (station, reason),
// "reboot" (down_for) or "channel" (channel). Fails (FileError) naming the fix.
RouterEvent ReadRouterEvent(Fields& f, const std::vector<RouterSpec>& routers);

// The routers of `specs` as nodes added to `sim` (after those it has), beaconing from
// simulated time 0 (or now).
class SimRouters {
 public:
  // Throws std::invalid_argument naming the router and the fix for a spec CheckRouter
  // refuses. `seed` feeds their random streams (nonces, GTKs).
  SimRouters(sim::Simulation& sim, const std::vector<RouterSpec>& specs, uint64_t seed);
  ~SimRouters();
  SimRouters(const SimRouters&) = delete;
  SimRouters& operator=(const SimRouters&) = delete;

  size_t size() const { return routers_.size(); }
  wifi::AccessPoint& ap(size_t i);
  uint32_t node(size_t i) const;
  const std::string& name(size_t i) const;
  // Schedules `events` on the simulation's scheduler (an event in the past runs at once).
  // Throws std::invalid_argument for an event naming no router.
  void Schedule(const std::vector<RouterEvent>& events);

 private:
  class Router;
  sim::Simulation& sim_;
  std::vector<std::unique_ptr<Router>> routers_;
};

}  // namespace airlab::scenario
