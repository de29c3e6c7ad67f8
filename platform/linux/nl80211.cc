#include "platform/linux/nl80211.h"

#include <linux/nl80211.h>
#include <net/if.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <map>

#include "core/wire/radiotap.h"

namespace airlab::linux_port {
namespace {

// The fix for the usual errors, in one place.
const char* kPrivilegeFix =
    "run it with sudo, or give airlab the capabilities once: sudo setcap "
    "cap_net_admin,cap_net_raw+ep $(command -v airlab)";

// An nl_msg that frees itself.
struct Message {
  nl_msg* msg = nlmsg_alloc();
  ~Message() { nlmsg_free(msg); }
};

using Handler = std::function<void(nlattr** attrs)>;

struct Transaction {
  int error = 1;  // > 0 while waiting; 0 done; < 0 -errno
  const Handler* handler = nullptr;
};

int OnValid(nl_msg* msg, void* arg) {
  auto* t = static_cast<Transaction*>(arg);
  nlattr* attrs[NL80211_ATTR_MAX + 1] = {};
  auto* header = static_cast<genlmsghdr*>(nlmsg_data(nlmsg_hdr(msg)));
  nla_parse(attrs, NL80211_ATTR_MAX, genlmsg_attrdata(header, 0), genlmsg_attrlen(header, 0),
            nullptr);
  if (t->handler != nullptr) (*t->handler)(attrs);
  return NL_SKIP;
}

int OnFinish(nl_msg*, void* arg) {
  static_cast<Transaction*>(arg)->error = 0;
  return NL_SKIP;
}

int OnAck(nl_msg*, void* arg) {
  static_cast<Transaction*>(arg)->error = 0;
  return NL_STOP;
}

int OnError(sockaddr_nl*, nlmsgerr* err, void* arg) {
  static_cast<Transaction*>(arg)->error = err->error;
  return NL_STOP;
}

InterfaceType TypeOf(uint32_t nl_type) {
  switch (nl_type) {
    case NL80211_IFTYPE_STATION: return InterfaceType::kManaged;
    case NL80211_IFTYPE_MONITOR: return InterfaceType::kMonitor;
    case NL80211_IFTYPE_AP: return InterfaceType::kAccessPoint;
    default: return InterfaceType::kOther;
  }
}

uint32_t IfIndex(const std::string& name) {
  const unsigned index = if_nametoindex(name.c_str());
  if (index == 0) {
    throw InterfaceError(ENODEV, "there is no network interface " + name +
                                     "; `airlab iface list` shows the Wi-Fi interfaces");
  }
  return index;
}

// A socket for the netdevice ioctls.
struct IoctlSocket {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ~IoctlSocket() {
    if (fd >= 0) close(fd);
  }
};

ifreq Request(const std::string& name) {
  ifreq request{};
  if (name.size() >= IFNAMSIZ) {
    throw InterfaceError(EINVAL, "interface name " + name + " is longer than " +
                                     std::to_string(IFNAMSIZ - 1) + " characters");
  }
  std::memcpy(request.ifr_name, name.c_str(), name.size());
  return request;
}

}  // namespace

const char* InterfaceTypeName(InterfaceType type) {
  switch (type) {
    case InterfaceType::kManaged: return "managed";
    case InterfaceType::kMonitor: return "monitor";
    case InterfaceType::kAccessPoint: return "AP";
    case InterfaceType::kOther: break;
  }
  return "other";
}

std::string DescribeError(int error, const std::string& name, const std::string& what) {
  const std::string head = "cannot " + what + " " + name + ": " + std::strerror(error) + "; ";
  switch (error) {
    case EPERM:
    case EACCES: return head + "this needs CAP_NET_ADMIN: " + kPrivilegeFix;
    case ENODEV:
    case ENXIO: return head + "`airlab iface list` shows the Wi-Fi interfaces";
    case EBUSY:
      return head +
             "something manages the interface; if it is NetworkManager, run `nmcli device set " +
             name + " managed no` (and stop wpa_supplicant on it), then try again";
    case EOPNOTSUPP:
    case EINVAL:
      return head + "the driver refuses it (`airlab iface list` shows what each phy supports)";
    case ENFILE:
    case EEXIST: return head + "an interface with that name exists; pick another --name";
    default: return head + "see `airlab iface list`";
  }
}

struct Nl80211::Socket {
  nl_sock* sock = nullptr;
  int family = 0;

  // Sends `msg` and runs `handler` on each answer until the kernel's ACK or DONE; returns
  // 0 or -errno.
  int Transact(nl_msg* msg, const Handler* handler) {
    nl_cb* cb = nl_cb_alloc(NL_CB_DEFAULT);
    Transaction t;
    t.handler = handler;
    nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, OnValid, &t);
    nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, OnFinish, &t);
    nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, OnAck, &t);
    nl_cb_err(cb, NL_CB_CUSTOM, OnError, &t);
    int sent = nl_send_auto(sock, msg);
    if (sent < 0) {
      nl_cb_put(cb);
      return -EIO;
    }
    while (t.error > 0) {
      if (nl_recvmsgs(sock, cb) < 0 && t.error > 0) t.error = -EIO;
    }
    nl_cb_put(cb);
    return t.error;
  }

  void Start(Message& m, uint8_t command, int flags) {
    genlmsg_put(m.msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, command, 0);
  }
};

Nl80211::Nl80211() : socket_(new Socket) {
  socket_->sock = nl_socket_alloc();
  if (socket_->sock == nullptr || genl_connect(socket_->sock) < 0) {
    delete socket_;
    throw InterfaceError(EIO, "cannot open a generic netlink socket");
  }
  nl_socket_set_buffer_size(socket_->sock, 1 << 20, 1 << 20);
  socket_->family = genl_ctrl_resolve(socket_->sock, "nl80211");
  if (socket_->family < 0) {
    nl_socket_free(socket_->sock);
    delete socket_;
    throw InterfaceError(ENOENT,
                         "this kernel has no nl80211 (no Wi-Fi stack, or cfg80211 is not loaded); "
                         "plug in a Wi-Fi adapter or `modprobe cfg80211`");
  }
}

Nl80211::~Nl80211() {
  nl_socket_free(socket_->sock);
  delete socket_;
}

std::vector<PhyInfo> Nl80211::Phys() {
  std::map<uint32_t, PhyInfo> phys;
  const Handler handler = [&phys](nlattr** attrs) {
    if (attrs[NL80211_ATTR_WIPHY] == nullptr) return;
    const uint32_t index = nla_get_u32(attrs[NL80211_ATTR_WIPHY]);
    PhyInfo& phy = phys[index];
    phy.index = index;
    if (attrs[NL80211_ATTR_WIPHY_NAME] != nullptr) {
      phy.name = nla_get_string(attrs[NL80211_ATTR_WIPHY_NAME]);
    }
    if (attrs[NL80211_ATTR_SUPPORTED_IFTYPES] != nullptr) {
      nlattr* type;
      int rem;
      nla_for_each_nested(type, attrs[NL80211_ATTR_SUPPORTED_IFTYPES], rem) {
        if (nla_type(type) == NL80211_IFTYPE_MONITOR) phy.monitor = true;
      }
    }
    if (attrs[NL80211_ATTR_FEATURE_FLAGS] != nullptr) {
      phy.active_monitor =
          (nla_get_u32(attrs[NL80211_ATTR_FEATURE_FLAGS]) & NL80211_FEATURE_ACTIVE_MONITOR) != 0;
    }
    if (attrs[NL80211_ATTR_WIPHY_BANDS] == nullptr) return;
    nlattr* band;
    int rem_band;
    nla_for_each_nested(band, attrs[NL80211_ATTR_WIPHY_BANDS], rem_band) {
      nlattr* band_attrs[NL80211_BAND_ATTR_MAX + 1] = {};
      nla_parse_nested(band_attrs, NL80211_BAND_ATTR_MAX, band, nullptr);
      if (band_attrs[NL80211_BAND_ATTR_FREQS] == nullptr) continue;
      nlattr* freq;
      int rem_freq;
      nla_for_each_nested(freq, band_attrs[NL80211_BAND_ATTR_FREQS], rem_freq) {
        nlattr* f[NL80211_FREQUENCY_ATTR_MAX + 1] = {};
        nla_parse_nested(f, NL80211_FREQUENCY_ATTR_MAX, freq, nullptr);
        if (f[NL80211_FREQUENCY_ATTR_FREQ] == nullptr ||
            f[NL80211_FREQUENCY_ATTR_DISABLED] != nullptr) {
          continue;
        }
        const auto mhz = static_cast<uint16_t>(nla_get_u32(f[NL80211_FREQUENCY_ATTR_FREQ]));
        auto channel = wire::FrequencyMhzToChannel(mhz);
        if (channel.ok() && *channel <= 14 &&
            std::find(phy.channels.begin(), phy.channels.end(), *channel) == phy.channels.end()) {
          phy.channels.push_back(*channel);
        }
      }
    }
  };
  Message m;
  socket_->Start(m, NL80211_CMD_GET_WIPHY, NLM_F_DUMP);
  nla_put_flag(m.msg, NL80211_ATTR_SPLIT_WIPHY_DUMP);
  if (const int error = socket_->Transact(m.msg, &handler); error < 0) {
    throw InterfaceError(-error, DescribeError(-error, "the Wi-Fi phys", "list"));
  }
  std::vector<PhyInfo> out;
  for (auto& [index, phy] : phys) {
    std::sort(phy.channels.begin(), phy.channels.end());
    out.push_back(std::move(phy));
  }
  return out;
}

std::vector<InterfaceInfo> Nl80211::Interfaces() {
  std::vector<InterfaceInfo> out;
  const Handler handler = [&out](nlattr** attrs) {
    if (attrs[NL80211_ATTR_IFINDEX] == nullptr || attrs[NL80211_ATTR_IFNAME] == nullptr) return;
    InterfaceInfo info;
    info.ifindex = nla_get_u32(attrs[NL80211_ATTR_IFINDEX]);
    info.name = nla_get_string(attrs[NL80211_ATTR_IFNAME]);
    if (attrs[NL80211_ATTR_WIPHY] != nullptr) info.phy = nla_get_u32(attrs[NL80211_ATTR_WIPHY]);
    if (attrs[NL80211_ATTR_IFTYPE] != nullptr) {
      info.type = TypeOf(nla_get_u32(attrs[NL80211_ATTR_IFTYPE]));
    }
    if (attrs[NL80211_ATTR_MAC] != nullptr && nla_len(attrs[NL80211_ATTR_MAC]) == 6) {
      info.mac = MacAddress::FromBytes(std::span(
          static_cast<const std::byte*>(nla_data(attrs[NL80211_ATTR_MAC])), MacAddress::kSize));
    }
    if (attrs[NL80211_ATTR_WIPHY_FREQ] != nullptr) {
      auto channel = wire::FrequencyMhzToChannel(
          static_cast<uint16_t>(nla_get_u32(attrs[NL80211_ATTR_WIPHY_FREQ])));
      if (channel.ok()) info.channel = *channel;
    }
    info.up = IsUp(info.name);
    out.push_back(std::move(info));
  };
  Message m;
  socket_->Start(m, NL80211_CMD_GET_INTERFACE, NLM_F_DUMP);
  if (const int error = socket_->Transact(m.msg, &handler); error < 0) {
    throw InterfaceError(-error, DescribeError(-error, "the Wi-Fi interfaces", "list"));
  }
  std::sort(out.begin(), out.end(),
            [](const InterfaceInfo& a, const InterfaceInfo& b) { return a.name < b.name; });
  return out;
}

InterfaceInfo Nl80211::Interface(const std::string& name) {
  for (InterfaceInfo& info : Interfaces()) {
    if (info.name == name) return info;
  }
  if (if_nametoindex(name.c_str()) != 0) {
    throw InterfaceError(EOPNOTSUPP, name +
                                         " is not a Wi-Fi interface (nl80211 does not know it); "
                                         "`airlab iface list` shows the Wi-Fi interfaces");
  }
  throw InterfaceError(ENODEV, "there is no interface " + name +
                                   "; `airlab iface list` shows the Wi-Fi interfaces, and "
                                   "`airlab iface setup` makes a monitor interface");
}

PhyInfo Nl80211::Phy(uint32_t index) {
  for (PhyInfo& phy : Phys()) {
    if (phy.index == index) return phy;
  }
  throw InterfaceError(ENODEV, "there is no phy number " + std::to_string(index) +
                                   "; `airlab iface list` shows the phys");
}

PhyInfo Nl80211::PhyByName(const std::string& name) {
  for (PhyInfo& phy : Phys()) {
    if (phy.name == name) return phy;
  }
  throw InterfaceError(ENODEV, "there is no phy " + name + "; `airlab iface list` shows the phys");
}

void Nl80211::CreateMonitor(uint32_t phy, const std::string& name, bool active) {
  Message m;
  socket_->Start(m, NL80211_CMD_NEW_INTERFACE, 0);
  nla_put_u32(m.msg, NL80211_ATTR_WIPHY, phy);
  nla_put_string(m.msg, NL80211_ATTR_IFNAME, name.c_str());
  nla_put_u32(m.msg, NL80211_ATTR_IFTYPE, NL80211_IFTYPE_MONITOR);
  if (active) {
    nlattr* flags = nla_nest_start(m.msg, NL80211_ATTR_MNTR_FLAGS);
    nla_put_flag(m.msg, NL80211_MNTR_FLAG_ACTIVE);
    nla_nest_end(m.msg, flags);
  }
  if (const int error = socket_->Transact(m.msg, nullptr); error < 0) {
    throw InterfaceError(-error, DescribeError(-error, name, "create monitor interface"));
  }
}

void Nl80211::Delete(const std::string& name) {
  Message m;
  socket_->Start(m, NL80211_CMD_DEL_INTERFACE, 0);
  nla_put_u32(m.msg, NL80211_ATTR_IFINDEX, IfIndex(name));
  if (const int error = socket_->Transact(m.msg, nullptr); error < 0) {
    throw InterfaceError(-error, DescribeError(-error, name, "delete"));
  }
}

void Nl80211::SetType(const std::string& name, InterfaceType type, bool active) {
  Message m;
  socket_->Start(m, NL80211_CMD_SET_INTERFACE, 0);
  nla_put_u32(m.msg, NL80211_ATTR_IFINDEX, IfIndex(name));
  nla_put_u32(m.msg, NL80211_ATTR_IFTYPE,
              type == InterfaceType::kMonitor ? NL80211_IFTYPE_MONITOR : NL80211_IFTYPE_STATION);
  if (type == InterfaceType::kMonitor && active) {
    nlattr* flags = nla_nest_start(m.msg, NL80211_ATTR_MNTR_FLAGS);
    nla_put_flag(m.msg, NL80211_MNTR_FLAG_ACTIVE);
    nla_nest_end(m.msg, flags);
  }
  if (const int error = socket_->Transact(m.msg, nullptr); error < 0) {
    throw InterfaceError(
        -error,
        DescribeError(-error, name, std::string("switch to ") + InterfaceTypeName(type) + " mode"));
  }
}

void Nl80211::SetChannel(const std::string& name, uint8_t channel) {
  auto mhz = wire::ChannelToFrequencyMhz(channel);
  if (!mhz.ok() || channel > 14) {
    throw InterfaceError(
        EINVAL, "channel " + std::to_string(channel) + " is not a 2.4 GHz channel; use 1 to 14");
  }
  Message m;
  socket_->Start(m, NL80211_CMD_SET_WIPHY, 0);
  nla_put_u32(m.msg, NL80211_ATTR_IFINDEX, IfIndex(name));
  nla_put_u32(m.msg, NL80211_ATTR_WIPHY_FREQ, *mhz);
  nla_put_u32(m.msg, NL80211_ATTR_WIPHY_CHANNEL_TYPE, NL80211_CHAN_NO_HT);
  if (const int error = socket_->Transact(m.msg, nullptr); error < 0) {
    if (-error == EINVAL) {
      throw InterfaceError(-error, "cannot set " + name + " to channel " + std::to_string(channel) +
                                       ": the regulatory domain or the adapter does not allow "
                                       "it (`airlab iface list` shows the phy's channels; "
                                       "`iw reg set XX` sets the country)");
    }
    throw InterfaceError(
        -error, DescribeError(-error, name, "set the channel " + std::to_string(channel) + " on"));
  }
}

void Nl80211::SetChannelAndCycle(const std::string& name, uint8_t channel) {
  SetChannel(name, channel);
  SetUp(name, false);
  SetUp(name, true);
}

void Nl80211::SetUp(const std::string& name, bool up) {
  IoctlSocket s;
  ifreq request = Request(name);
  if (ioctl(s.fd, SIOCGIFFLAGS, &request) < 0) {
    throw InterfaceError(errno, DescribeError(errno, name, "read the state of"));
  }
  if (up) {
    request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
  } else {
    request.ifr_flags = static_cast<short>(request.ifr_flags & ~IFF_UP);
  }
  if (ioctl(s.fd, SIOCSIFFLAGS, &request) < 0) {
    throw InterfaceError(errno, DescribeError(errno, name, up ? "bring up" : "bring down"));
  }
}

bool Nl80211::IsUp(const std::string& name) {
  IoctlSocket s;
  ifreq request = Request(name);
  if (ioctl(s.fd, SIOCGIFFLAGS, &request) < 0) return false;
  return (request.ifr_flags & IFF_UP) != 0;
}

void Nl80211::SetMac(const std::string& name, const MacAddress& mac) {
  IoctlSocket s;
  ifreq request = Request(name);
  // The kernel wants the device's own hardware type (ARPHRD_IEEE80211_RADIOTAP on a monitor).
  if (ioctl(s.fd, SIOCGIFHWADDR, &request) < 0) {
    throw InterfaceError(errno, DescribeError(errno, name, "read the MAC address of"));
  }
  std::memcpy(request.ifr_hwaddr.sa_data, mac.bytes().data(), MacAddress::kSize);
  if (ioctl(s.fd, SIOCSIFHWADDR, &request) < 0) {
    throw InterfaceError(errno, DescribeError(errno, name, "set the MAC address of"));
  }
}

}  // namespace airlab::linux_port
