#pragma once
// Wi-Fi interfaces through nl80211 (libnl-genl-3) and the netdevice ioctls: list the phys and
// their interfaces, make or remove a monitor interface, switch an interface between
// managed and monitor (with the "active" flag, so the adapter ACKs unicast frames to its
// MAC), set and read the channel, bring it up or down, set the MAC.
//
// Reading needs no privileges. Changing anything needs CAP_NET_ADMIN; the errors say so.
// Every failure throws InterfaceError with a sentence that names the fix.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/base/mac_address.h"

namespace airlab::linux_port {

class InterfaceError : public std::runtime_error {
 public:
  InterfaceError(int error, const std::string& message)
      : std::runtime_error(message), error_(error) {}
  // The errno behind it (EPERM, ENODEV, EBUSY, EOPNOTSUPP...), 0 when none.
  int error() const { return error_; }

 private:
  int error_;
};

struct PhyInfo {
  uint32_t index = 0;
  std::string name;               // phy0
  bool monitor = false;           // supports monitor interfaces
  bool active_monitor = false;    // a monitor interface can ACK frames to its MAC
  std::vector<uint8_t> channels;  // enabled 2.4 GHz channels
};

enum class InterfaceType : uint8_t { kOther, kManaged, kMonitor, kAccessPoint };
const char* InterfaceTypeName(InterfaceType type);

struct InterfaceInfo {
  uint32_t ifindex = 0;
  std::string name;
  uint32_t phy = 0;
  InterfaceType type = InterfaceType::kOther;
  MacAddress mac;
  std::optional<uint8_t> channel;  // known when up (monitor) or connected
  bool up = false;
};

class Nl80211 {
 public:
  // Throws InterfaceError when the kernel has no nl80211 (no Wi-Fi stack at all).
  Nl80211();
  ~Nl80211();
  Nl80211(const Nl80211&) = delete;
  Nl80211& operator=(const Nl80211&) = delete;

  std::vector<PhyInfo> Phys();
  std::vector<InterfaceInfo> Interfaces();
  // Throws when there is no Wi-Fi interface `name` (naming `airlab iface list`).
  InterfaceInfo Interface(const std::string& name);
  PhyInfo Phy(uint32_t index);
  // Throws when there is no phy `name` ("phy0").
  PhyInfo PhyByName(const std::string& name);

  // A new monitor interface `name` on `phy`, down; `active` asks for the ACKing kind.
  void CreateMonitor(uint32_t phy, const std::string& name, bool active);
  void Delete(const std::string& name);
  // Switches an interface that is down to monitor (with or without the active flag) or
  // managed. EBUSY: something (NetworkManager, wpa_supplicant) holds it.
  void SetType(const std::string& name, InterfaceType type, bool active = false);
  // 2.4 GHz channel 1-14, 20 MHz without HT. On a monitor interface mac80211 keeps
  // receiving on the channel it came up on until it is cycled: use SetChannelAndCycle.
  void SetChannel(const std::string& name, uint8_t channel);
  // SetChannel, then down and up, so reception follows (needs the interface up).
  void SetChannelAndCycle(const std::string& name, uint8_t channel);

  static void SetUp(const std::string& name, bool up);
  static bool IsUp(const std::string& name);
  // The interface must be down for most drivers (EBUSY otherwise).
  static void SetMac(const std::string& name, const MacAddress& mac);

 private:
  struct Socket;
  Socket* socket_;
};

// The sentence for an errno from a change to interface `name`: what went wrong and the
// command that fixes it (sudo / setcap for EPERM, nmcli for EBUSY, ...).
std::string DescribeError(int error, const std::string& name, const std::string& what);

}  // namespace airlab::linux_port
