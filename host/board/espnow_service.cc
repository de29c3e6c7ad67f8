#include "host/board/espnow_service.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "host/board/bridge_values.h"

namespace airlab::host::board {
namespace {

using espnow::Operation;

// ESP-IDF's names for the ESP_ERR_ESPNOW_* codes (esp_err_to_name), which MicroPython puts
// in the OSError's second argument.
std::string EspErrName(int32_t code) {
  switch (code - espnow::kEspErrEspNowBase) {
    case 1: return "ESP_ERR_ESPNOW_NOT_INIT";
    case 2: return "ESP_ERR_ESPNOW_ARG";
    case 3: return "ESP_ERR_ESPNOW_NO_MEM";
    case 4: return "ESP_ERR_ESPNOW_FULL";
    case 5: return "ESP_ERR_ESPNOW_NOT_FOUND";
    case 6: return "ESP_ERR_ESPNOW_INTERNAL";
    case 7: return "ESP_ERR_ESPNOW_EXIST";
    case 8: return "ESP_ERR_ESPNOW_IF";
    case 9: return "ESP_ERR_ESPNOW_CHAN";
    default: return "UNKNOWN ERROR";
  }
}

// MicroPython's check_esp_err: OSError(-code, name); a timeout is a plain OSError(110).
[[noreturn]] void RaiseStatus(Status status, Operation operation) {
  const int32_t number = espnow::OsErrorNumber(status, operation);
  if (number == espnow::kEtimedout) RaiseOsError(number);
  RaiseOsError(-number, EspErrName(number));
}

void Check(Status status, Operation operation = Operation::kOther) {
  if (!status.ok()) RaiseStatus(status, operation);
}

std::optional<MacAddress> OptionalMac(const Json& args, size_t index) {
  const std::optional<std::string> hex = OptionalString(args, index);
  if (!hex) return std::nullopt;
  return MacFromHex(*hex);
}

espnow::Key KeyFromHex(const std::string& hex) {
  const std::vector<std::byte> bytes = FromHex(hex);
  if (bytes.size() != espnow::kKeyLen) RaiseValueError("invalid buffer length");
  espnow::Key key{};
  std::copy(bytes.begin(), bytes.end(), key.begin());
  return key;
}

}  // namespace

EspnowService::EspnowService(const BoardContext& context, port::Radio& radio, Bridge& bridge)
    : context_(context),
      radio_(radio),
      rng_(0x6a09e667f3bcc909ULL ^ std::hash<std::string>{}(context.config.name)),
      waiter_(context.air.clock()) {
  Reset();
  Register(bridge);
  bridge.OnReset([this] { Reset(); });
}

EspnowService::~EspnowService() {
  facade_.reset();  // the facade listens to the stack, the stack to the radio
  stack_.reset();
}

void EspnowService::Reset() {
  unheard_.clear();
  facade_.reset();
  stack_.reset();
  stack_ = std::make_unique<Stack>(radio_, rng_, aes_);
  facade_ = std::make_unique<espnow::ESPNow>(stack_->stack(), context_.air.clock(), waiter_);
  rxbuf_chosen_ = false;
  irq_seen_rx_ = 0;
}

// One handler per facade method; every one first runs what the air delivered meanwhile,
// so any() and recv(0) see messages that arrived while Python ran. Long as a table is:
// one short entry per method, read in one place as the module's surface.
void EspnowService::Register(Bridge& bridge) {
  auto add = [this, &bridge](const char* name, std::function<Json(const Json&, Waits&)> body) {
    bridge.Register(std::string("espnow.") + name, [this, body](const Json& args, Waits& waits) {
      context_.air.Poll();
      return body(args, waits);
    });
  };
  add("new", [this](const Json& args, Waits&) {
    // The first ESPNow() of a boot sets the receive buffer for its firmware's version.
    if (!rxbuf_chosen_ && OptionalInt(args, 0).value_or(1) == 2 && !facade_->active()) {
      Check(facade_->config({.rxbuf = kRxBufV2}));
    }
    rxbuf_chosen_ = true;
    return Json();
  });
  add("active", [this](const Json& args, Waits&) {
    if (const std::optional<bool> flag = OptionalBool(args, 0)) Check(facade_->active(*flag));
    return Json(facade_->active());
  });
  add("config", [this](const Json& args, Waits&) {
    espnow::ConfigUpdate update;
    if (const auto rxbuf = OptionalInt(args, 0)) {
      if (*rxbuf > static_cast<int64_t>(kRxStorage)) {
        RaiseValueError("rxbuf: at most " + std::to_string(kRxStorage) +
                        " bytes on a virtual board");
      }
      if (*rxbuf >= 0) update.rxbuf = static_cast<size_t>(*rxbuf);
    }
    if (const auto timeout = OptionalInt(args, 1))
      update.timeout_ms = static_cast<int32_t>(*timeout);
    if (const auto rate = OptionalInt(args, 2)) {
      if (!radio_.enabled()) RaiseOsError(2);  // MP_ENOENT: no WLAN interface active
      update.rate = static_cast<int>(*rate);
    }
    if (update.rate && !espnow::FromWifiPhyRate(*update.rate).ok()) {
      Check(Status::InvalidArgument());
    }
    Check(facade_->config(update));
    return Json::array({facade_->rxbuf(), facade_->timeout_ms()});
  });
  add("send", [this](const Json& args, Waits& waits) { return Send(args, waits); });
  add("recv", [this](const Json& args, Waits& waits) { return Receive(args, waits); });
  add("any", [this](const Json&, Waits&) {
    const Result<bool> any = facade_->any();
    Check(any.status());
    return Json(*any);
  });
  add("clear", [this](const Json&, Waits&) {
    Check(facade_->clear(true));
    return Json();
  });
  add("stats", [this](const Json&, Waits&) {
    const espnow::Stats s = facade_->stats();
    return Json::array({s.tx_pkts, s.tx_responses, s.tx_failures, s.rx_packets, s.rx_dropped});
  });
  add("irq_pending", [this](const Json&, Waits&) {
    const uint32_t rx = facade_->stats().rx_packets;
    const bool pending = rx != irq_seen_rx_;
    irq_seen_rx_ = rx;
    return Json(pending);
  });
  add("set_pmk", [this](const Json& args, Waits&) {
    Check(facade_->set_pmk(KeyFromHex(Arg(args, 0).get<std::string>())));
    return Json();
  });
  add("add_peer", [this](const Json& args, Waits&) { return SetPeer(args, true); });
  add("mod_peer", [this](const Json& args, Waits&) { return SetPeer(args, false); });
  add("del_peer", [this](const Json& args, Waits&) {
    Check(facade_->del_peer(MacFromHex(Arg(args, 0).get<std::string>())), Operation::kPeer);
    return Json();
  });
  add("get_peer", [this](const Json& args, Waits&) {
    const Result<espnow::PeerInfo> peer =
        facade_->get_peer(MacFromHex(Arg(args, 0).get<std::string>()));
    Check(peer.status(), Operation::kPeer);
    return PeerTuple(*peer);
  });
  add("get_peers", [this](const Json&, Waits&) {
    std::array<espnow::PeerInfo, espnow::kMaxTotalPeerNum> peers;
    const StatusWithSize got = facade_->get_peers(peers);
    Check(got.status(), Operation::kPeer);
    Json out = Json::array();
    for (size_t i = 0; i < got.size(); ++i) out.push_back(PeerTuple(peers[i]));
    return out;
  });
  add("peer_count", [this](const Json&, Waits&) {
    const Result<espnow::PeerCount> count = facade_->peer_count();
    Check(count.status(), Operation::kPeer);
    return Json::array({count->total, count->encrypted});
  });
}

Json EspnowService::Send(const Json& args, Waits& waits) {
  const std::optional<MacAddress> mac = OptionalMac(args, 0);
  const std::vector<std::byte> msg = FromHex(Arg(args, 1).get<std::string>());
  const bool sync = OptionalBool(args, 2).value_or(true);
  const BridgeWaiter::Loan loan = waiter_.Lend(waits);
  const Result<bool> sent = facade_->send(mac, msg, sync);
  if (waiter_.interrupted()) return Json();  // the bridge raises KeyboardInterrupt
  Check(sent.status());
  if (mac && sync) NoteDelivery(*mac, *sent);
  return Json(*sent);
}

void EspnowService::NoteDelivery(const MacAddress& peer, bool acknowledged) {
  const std::string hex = MacToHex(peer);
  if (acknowledged) {
    unheard_.erase(hex);
    return;
  }
  if (!unheard_.insert(hex).second) return;
  char text[MacAddress::kStringSize + 1];
  peer.Format(text);
  Log(context_, std::string("espnow: ") + text + " did not acknowledge a send on channel " +
                    std::to_string(radio_.channel()) +
                    ": a peer on another channel never hears this board (a board joined to a "
                    "router is on the router's channel): put both on the same channel");
}

// recvinto's semantics: a message longer than the caller's buffer loses every queued
// message and raises ValueError, as MicroPython's ring buffer reset does.
Json EspnowService::Receive(const Json& args, Waits& waits) {
  std::optional<int32_t> timeout;
  if (const auto t = OptionalInt(args, 0)) timeout = static_cast<int32_t>(*t);
  const size_t capacity = static_cast<size_t>(
      std::clamp<int64_t>(OptionalInt(args, 1).value_or(rx_buffer_.size()), 0, rx_buffer_.size()));
  espnow::RecvBuffers data{.msg = std::span(rx_buffer_).first(capacity)};
  const BridgeWaiter::Loan loan = waiter_.Lend(waits);
  const Result<bool> got = facade_->recvinto(data, timeout);
  if (waiter_.interrupted()) return Json();
  if (got.status() == Status::ResourceExhausted()) {
    Check(facade_->clear(true));
    RaiseValueError("ESPNow.recv(): buffer error");
  }
  Check(got.status());
  if (!*got) return Json();  // timeout: (None, None)
  return Json::array({MacToHex(data.mac), ToHex(std::span(rx_buffer_).first(data.size)),
                      data.rssi_dbm, data.time_ms});
}

Json EspnowService::SetPeer(const Json& args, bool add) {
  const MacAddress mac = MacFromHex(Arg(args, 0).get<std::string>());
  espnow::PeerOptions options;
  if (const auto lmk = OptionalString(args, 1)) options.lmk = KeyFromHex(*lmk);
  if (const auto channel = OptionalInt(args, 2)) {
    if (*channel < 0 || *channel > espnow::kMaxChannel) Check(Status::InvalidArgument());
    // ESP-IDF refuses a peer channel other than the interface's (ESP_ERR_ESPNOW_CHAN).
    if (*channel != 0 && *channel != radio_.channel() && facade_->active()) {
      Check(Status::OutOfRange(), Operation::kPeer);
    }
    options.channel = static_cast<uint8_t>(*channel);
  }
  if (const auto ifidx = OptionalInt(args, 3)) {
    options.ifidx = static_cast<port::Interface>(std::clamp<int64_t>(*ifidx, 0, 255));
  }
  options.encrypt = OptionalBool(args, 4);
  if (add || OptionalInt(args, 5)) {
    options.version =
        OptionalInt(args, 5).value_or(1) == 2 ? espnow::Version::kV2 : espnow::Version::kV1;
  }
  Check(add ? facade_->add_peer(mac, options) : facade_->mod_peer(mac, options), Operation::kPeer);
  return Json();
}

Json EspnowService::PeerTuple(const espnow::PeerInfo& peer) const {
  return Json::array({MacToHex(peer.mac), ToHex(peer.lmk), peer.channel,
                      static_cast<int>(peer.interface), peer.encrypt});
}

}  // namespace airlab::host::board
