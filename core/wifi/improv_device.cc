#include "core/wifi/improv_device.h"

namespace airlab::wifi {
namespace {

// "-67": an RSSI as the scan result's decimal string.
std::string_view Decimal(int value, std::array<char, 8>& text) {
  size_t at = text.size();
  const bool negative = value < 0;
  unsigned magnitude = negative ? 0u - static_cast<unsigned>(value) : static_cast<unsigned>(value);
  do {
    text[--at] = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0 && at > 1);
  if (negative) text[--at] = '-';
  return {text.data() + at, text.size() - at};
}

}  // namespace

void ImprovDevice::HandlePacket(const ImprovPacket& packet) {
  if (packet.type != ImprovType::kRpcCommand) return;
  const Result<ImprovRpc> rpc = ParseImprovRpc(packet.data);
  if (!rpc.ok()) return SetError(ImprovError::kInvalidRpc);
  HandleRpc(*rpc);
}

void ImprovDevice::HandleRpc(const ImprovRpc& rpc) {
  switch (static_cast<ImprovCommand>(rpc.command)) {
    case ImprovCommand::kWifiSettings: return SendWifiSettings(rpc.data);
    case ImprovCommand::kGetCurrentState:
      SetError(ImprovError::kNone);
      SendState(state());
      if (state() == ImprovState::kProvisioned) SendProvisionedResult();
      return;
    case ImprovCommand::kGetDeviceInfo: SetError(ImprovError::kNone); return SendDeviceInfo();
    case ImprovCommand::kGetWifiNetworks: SetError(ImprovError::kNone); return SendNetworks();
  }
  SetError(ImprovError::kUnknownRpc);
}

void ImprovDevice::SendWifiSettings(ByteSpan data) {
  const Result<ImprovWifiSettings> settings = ParseImprovWifiSettings(data);
  if (!settings.ok()) return SetError(ImprovError::kInvalidRpc);
  SetError(ImprovError::kNone);
  // kInvalidArgument (a passphrase WPA2 cannot take) or a full store: this network cannot
  // be joined, which Improv says as "unable to connect".
  if (!backend_.SaveAndConnect(settings->ssid, settings->password).ok()) {
    return SetError(ImprovError::kUnableToConnect);
  }
  provisioning_ = true;
  joining_ = settings->ssid;
  SendState(ImprovState::kProvisioning);
  Poll();
}

void ImprovDevice::Poll() {
  if (!provisioning_) return;
  const PortalStatus status = backend_.status();
  if (!(status.ssid == joining_)) return;  // the backend has not taken the new join yet
  if (status.state == PortalLinkState::kConnected) {
    provisioning_ = false;
    SendState(ImprovState::kProvisioned);
    SendProvisionedResult();
  } else if (status.state == PortalLinkState::kFailed || status.state == PortalLinkState::kLost) {
    provisioning_ = false;
    SetError(ImprovError::kUnableToConnect);
    SendState(ImprovState::kReady);
  }
}

void ImprovDevice::Reset() {
  provisioning_ = false;
  joining_ = {};
  error_ = ImprovError::kNone;
}

ImprovState ImprovDevice::state() const {
  if (provisioning_) return ImprovState::kProvisioning;
  return backend_.status().state == PortalLinkState::kConnected ? ImprovState::kProvisioned
                                                                : ImprovState::kReady;
}

void ImprovDevice::SendNetworks() {
  for (const port::ScanEntry& network : backend_.networks()) {
    if (network.ssid.empty()) continue;  // a hidden network: nothing to pick
    std::array<char, 8> rssi;
    FrameBuffer<kImprovMaxPacketSize> packet;
    ImprovResultBuilder result(packet, ImprovCommand::kGetWifiNetworks);
    result.Add(network.ssid.bytes())
        .Add(Decimal(network.rssi_dbm, rssi))
        .Add(network.auth == port::WifiAuth::kOpen ? std::string_view("NO") : "YES");
    if (result.Finish().ok()) output_.SendImprov(packet.bytes());
  }
  FrameBuffer<kImprovMaxPacketSize> end;
  if (ImprovResultBuilder(end, ImprovCommand::kGetWifiNetworks).Finish().ok()) {
    output_.SendImprov(end.bytes());
  }
}

void ImprovDevice::SendDeviceInfo() {
  FrameBuffer<kImprovMaxPacketSize> packet;
  ImprovResultBuilder result(packet, ImprovCommand::kGetDeviceInfo);
  result.Add(info_.firmware).Add(info_.version).Add(info_.hardware).Add(backend_.device_name());
  if (result.Finish().ok()) output_.SendImprov(packet.bytes());
}

void ImprovDevice::SendProvisionedResult() {
  FrameBuffer<kImprovMaxPacketSize> packet;
  ImprovResultBuilder result(packet, ImprovCommand::kWifiSettings);
  if (!info_.redirect_url.empty()) result.Add(info_.redirect_url);
  if (result.Finish().ok()) output_.SendImprov(packet.bytes());
}

void ImprovDevice::SendState(ImprovState state) {
  FrameBuffer<kImprovMaxPacketSize> packet;
  if (BuildImprovState(state, packet).ok()) output_.SendImprov(packet.bytes());
}

void ImprovDevice::SetError(ImprovError error) {
  if (error == error_ && error == ImprovError::kNone) return;
  error_ = error;
  FrameBuffer<kImprovMaxPacketSize> packet;
  if (BuildImprovError(error, packet).ok()) output_.SendImprov(packet.bytes());
}

}  // namespace airlab::wifi
