#include "host/improv_client.h"

#include <utility>

namespace airlab::host {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using wifi::ImprovCommand;
using wifi::ImprovType;

// How long the line must stay quiet before a partial packet is given up (as ESPHome's).
constexpr milliseconds kQuiet{100};
// How often a state request is repeated, and a wait for the join reported.
constexpr milliseconds kResendEvery{1000};

std::string Str(ByteSpan bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}
ByteSpan Bytes(std::string_view text) { return AsBytes(text.data(), text.size()); }

std::string ErrorText(uint8_t error) {
  return "the device answered with Improv error '" + std::string(wifi::ImprovErrorName(error)) +
         "'";
}

}  // namespace

struct ImprovClient::Collector final : wifi::ImprovStreamListener {
  explicit Collector(ImprovClient& c) : client(c) {}
  void OnImprovText(ByteSpan) override {}  // the board's console
  void OnImprovPacket(const wifi::ImprovPacket& p) override {
    client.packets_.push_back({p.type, Str(p.data)});
  }
  ImprovClient& client;
};

void ImprovClient::Send(ImprovCommand command, std::string_view data) {
  FrameBuffer<wifi::kImprovMaxPacketSize> packet;
  if (!wifi::BuildImprovCommand(command, Bytes(data), packet).ok()) {
    throw std::invalid_argument("an Improv command too long for one packet");
  }
  line_.Write(Str(packet.bytes()));
}

std::optional<ImprovClient::Packet> ImprovClient::Next(steady_clock::time_point deadline) {
  Collector collector(*this);
  while (packets_.empty()) {
    const auto now = steady_clock::now();
    if (now >= deadline) return std::nullopt;
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - now);
    const std::string bytes = line_.Read(std::min(left + milliseconds(1), kQuiet));
    if (bytes.empty()) {
      parser_.Expire(collector);
    } else {
      parser_.Feed(Bytes(bytes), collector);
    }
  }
  Packet packet = std::move(packets_.front());
  packets_.pop_front();
  return packet;
}

std::optional<std::vector<std::string>> ImprovClient::NextResult(
    ImprovCommand command, steady_clock::time_point deadline) {
  while (std::optional<Packet> packet = Next(deadline)) {
    if (packet->type == ImprovType::kErrorState && !packet->data.empty() && packet->data[0] != 0) {
      throw ImprovRefused(ErrorText(static_cast<uint8_t>(packet->data[0])));
    }
    if (packet->type != ImprovType::kRpcResult) continue;
    const Result<wifi::ImprovRpc> rpc = wifi::ParseImprovRpc(Bytes(packet->data));
    if (!rpc.ok() || rpc->command != static_cast<uint8_t>(command)) continue;
    std::vector<std::string> strings;
    wifi::ImprovStrings s(rpc->data);
    while (s.Next()) strings.push_back(Str(s.current()));
    if (!s.ok()) throw ImprovRefused("the device sent an RPC result whose strings do not add up");
    return strings;
  }
  return std::nullopt;
}

uint8_t ImprovClient::RequestState(milliseconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
  while (steady_clock::now() < deadline) {
    Send(ImprovCommand::kGetCurrentState);
    const auto resend = std::min(deadline, steady_clock::now() + kResendEvery);
    while (std::optional<Packet> packet = Next(resend)) {
      if (packet->type == ImprovType::kCurrentState && packet->data.size() == 1) {
        return static_cast<uint8_t>(packet->data[0]);
      }
    }
  }
  throw ImprovTimeout("no Improv answer within " + std::to_string(timeout.count() / 1000) + " s");
}

ImprovDeviceDetails ImprovClient::RequestDeviceInfo(milliseconds timeout) {
  Send(ImprovCommand::kGetDeviceInfo);
  const std::optional<std::vector<std::string>> strings =
      NextResult(ImprovCommand::kGetDeviceInfo, steady_clock::now() + timeout);
  if (!strings) throw ImprovTimeout("the device did not send its information");
  std::vector<std::string> s = *strings;
  s.resize(std::max<size_t>(s.size(), 4));
  return {s[0], s[1], s[2], s[3]};
}

std::vector<ImprovNetwork> ImprovClient::Scan(milliseconds timeout) {
  Send(ImprovCommand::kGetWifiNetworks);
  const auto deadline = steady_clock::now() + timeout;
  std::vector<ImprovNetwork> networks;
  while (true) {
    const std::optional<std::vector<std::string>> strings =
        NextResult(ImprovCommand::kGetWifiNetworks, deadline);
    if (!strings) throw ImprovTimeout("the device's scan did not end in time");
    if (strings->empty()) return networks;  // the empty result ends the list
    if (strings->size() < 3) continue;
    ImprovNetwork network{(*strings)[0], 0, (*strings)[2] == "YES"};
    try {
      network.rssi_dbm = std::stoi((*strings)[1]);
    } catch (const std::exception&) {
    }
    networks.push_back(std::move(network));
  }
}

ImprovOutcome ImprovClient::Provision(const std::string& ssid, const std::string& password,
                                      milliseconds timeout,
                                      const std::function<void(uint8_t)>& on_state,
                                      const std::function<void(std::chrono::seconds)>& on_wait) {
  FrameBuffer<wifi::kImprovMaxPacketSize> packet;
  if (!wifi::BuildImprovWifiSettings(Bytes(ssid), Bytes(password), packet).ok()) {
    throw std::invalid_argument("the SSID (at most 32 bytes) or password is too long for Improv");
  }
  line_.Write(Str(packet.bytes()));
  const auto start = steady_clock::now();
  const auto deadline = start + timeout;
  ImprovOutcome outcome;
  while (steady_clock::now() < deadline) {
    const std::optional<Packet> p = Next(std::min(deadline, steady_clock::now() + kResendEvery));
    if (!p) {
      on_wait(std::chrono::duration_cast<std::chrono::seconds>(steady_clock::now() - start));
      continue;
    }
    if (p->data.empty()) continue;
    const uint8_t value = static_cast<uint8_t>(p->data[0]);
    if (p->type == ImprovType::kErrorState && value != 0) {
      outcome.error = value;
      return outcome;
    }
    if (p->type == ImprovType::kCurrentState) {
      on_state(value);
      outcome.provisioned = value == static_cast<uint8_t>(wifi::ImprovState::kProvisioned);
      // The URL result follows "provisioned"; wait a little for it, not for ever.
      if (outcome.provisioned) {
        const auto url_deadline = std::min(deadline, steady_clock::now() + kResendEvery);
        if (auto urls = NextResult(ImprovCommand::kWifiSettings, url_deadline)) {
          outcome.urls = *urls;
        }
        return outcome;
      }
    }
  }
  return outcome;
}

}  // namespace airlab::host
