#include "core/wifi/station.h"

#include <algorithm>
#include <utility>

#include "core/wifi/dhcp.h"
#include "core/wifi/eapol.h"
#include "core/wifi/keys.h"
#include "core/wire/mgmt.h"

namespace airlab::wifi {
namespace {

using wire::ReasonCode;
using wire::StatusCode;

port::WifiAuth AuthOf(const wire::BeaconView& beacon) {
  Result<wire::Security> security = beacon.security();
  if (!security.ok()) return port::WifiAuth::kWpa2Psk;  // protected, but unreadable
  switch (security->mode) {
    case wire::SecurityMode::kOpen: return port::WifiAuth::kOpen;
    case wire::SecurityMode::kWep: return port::WifiAuth::kWep;
    case wire::SecurityMode::kWpa: return port::WifiAuth::kWpaPsk;
    default: return port::WifiAuth::kWpa2Psk;
  }
}

// What the station asks of the DHCP server: mask, router, DNS, the captive portal's URL.
constexpr uint8_t kParameterRequests[] = {1, 3, 6, 114};

}  // namespace

Station::Station(port::Radio& radio, const port::Clock& clock, port::Timer& timer, port::Rng& rng,
                 port::Aes128& aes, port::Sha1& sha1, const StationConfig& config)
    : radio_(radio),
      clock_(clock),
      timer_(timer),
      rng_(rng),
      aes_(aes),
      sha1_(sha1),
      config_(config) {
  radio_.SetListener(this);
  timer_.SetListener(this);
}

Station::~Station() {
  timer_.Cancel();
  timer_.SetListener(nullptr);
  radio_.SetListener(nullptr);
  if (config_.channel_hold != nullptr) config_.channel_hold->Hold(false);
}

// ---------------------------------------------------------------------------------------
// Scanning

Status Station::StartScan() {
  if (busy() || scan_while_connected_) return Status::FailedPrecondition();
  return BeginScan(false);
}

Status Station::BeginScan(bool join) {
  AIRLAB_TRY(radio_.SetEnabled(true));
  found_count_ = 0;
  scan_channel_ = 0;
  scan_home_ = false;
  if (state_ == State::kConnected) {
    scan_while_connected_ = true;
  } else {
    state_ = join ? State::kJoinScan : State::kScanning;
  }
  ++stats_.scans;
  ScanStep();
  return Status::Ok();
}

// One step of the scan: the next channel (with a probe), or, connected, back home first.
void Station::ScanStep() {
  if (scan_while_connected_ && !scan_home_ && scan_channel_ != 0) {
    scan_home_ = true;
    radio_.SetChannel(connection_.channel).IgnoreError();
    step_at_ = clock_.Now() + beacon_interval() + 5 * port::kMillisecond;
    return Rearm();
  }
  scan_home_ = false;
  if (scan_channel_ >= config_.last_channel) return ScanDone();
  ++scan_channel_;
  radio_.SetChannel(scan_channel_).IgnoreError();
  ByteBuilder out(frame_);
  const wire::ProbeRequestFields probe{
      .ssid = state_ == State::kJoinScan ? target_ssid_.bytes() : ByteSpan(),
      .rates = kDsssRates,
      .channel = scan_channel_};
  const wire::MgmtHeader header =
      MgmtTo(MacAddress::Broadcast(), address(), MacAddress::Broadcast(), NextSequence());
  if (wire::BuildProbeRequest(out, header, probe).ok()) {
    Send(out.bytes());
    ++stats_.probes;
  }
  step_at_ = clock_.Now() + config_.scan_dwell;
  Rearm();
}

void Station::Record(const Bss& bss) {
  for (size_t i = 0; i < found_count_; ++i) {
    Bss& known = found_[i];
    if (known.entry.bssid != bss.entry.bssid) continue;
    // A hidden network's beacons carry no SSID; its probe response does.
    if (known.entry.ssid.empty()) known.entry.ssid = bss.entry.ssid;
    known.entry.hidden = known.entry.hidden || bss.entry.hidden;
    known.entry.rssi_dbm = std::max(known.entry.rssi_dbm, bss.entry.rssi_dbm);
    return;
  }
  if (found_count_ < found_.size()) found_[found_count_++] = bss;
}

void Station::ScanDone() {
  step_at_ = -1;
  // Strongest first (insertion sort: at most kMaxScanResults).
  for (size_t i = 1; i < found_count_; ++i) {
    for (size_t j = i; j > 0 && found_[j].entry.rssi_dbm > found_[j - 1].entry.rssi_dbm; --j) {
      std::swap(found_[j], found_[j - 1]);
    }
  }
  if (scan_while_connected_) {
    scan_while_connected_ = false;
    radio_.SetChannel(connection_.channel).IgnoreError();
    last_beacon_ = clock_.Now();
  } else if (state_ == State::kJoinScan) {
    return JoinBest();
  } else {
    state_ = State::kIdle;
  }
  Rearm();
  for (size_t i = 0; i < found_count_; ++i) results_[i] = found_[i].entry;
  if (listener() != nullptr) listener()->OnScanDone(std::span(results_.data(), found_count_));
}

// ---------------------------------------------------------------------------------------
// Joining

Status Station::Connect(const port::Ssid& ssid, ByteSpan passphrase, const MacAddress* bssid) {
  if (ssid.empty() || !port::IsValidPassphrase(passphrase)) return Status::InvalidArgument();
  if (busy() || scan_while_connected_) return Status::FailedPrecondition();
  if (state_ == State::kConnected) Leave(ReasonCode::kDeauthLeaving);
  target_ssid_ = ssid;
  target_bssid_given_ = bssid != nullptr;
  target_bssid_ = bssid != nullptr ? *bssid : MacAddress();
  passphrase_size_ = passphrase.size();
  std::copy(passphrase.begin(), passphrase.end(), passphrase_.begin());
  if (!passphrase.empty()) {
    AIRLAB_TRY_ASSIGN(pmk_, DerivePmk(sha1_, passphrase, ssid));
  }
  join_deadline_ = clock_.Now() + config_.join_timeout;
  return BeginScan(true);
}

void Station::JoinBest() {
  const Bss* best = nullptr;
  for (size_t i = 0; i < found_count_; ++i) {
    const Bss& b = found_[i];
    const bool match =
        target_bssid_given_ ? b.entry.bssid == target_bssid_ : b.entry.ssid == target_ssid_;
    if (match && (best == nullptr || b.entry.rssi_dbm > best->entry.rssi_dbm)) best = &b;
  }
  if (best == nullptr) return Fail(port::WifiFailure::kNoApFound, 0);
  bss_ = *best;
  bss_.entry.ssid = target_ssid_;
  // A protected network without a passphrase: the handshake could only fail.
  if (bss_.entry.auth != port::WifiAuth::kOpen && passphrase_size_ == 0) {
    return Fail(port::WifiFailure::kWrongPassword, 0);
  }
  radio_.SetChannel(bss_.entry.channel).IgnoreError();
  state_ = State::kAuthenticating;
  attempts_ = 0;
  SendAuthentication();
}

void Station::SendAuthentication() {
  ByteBuilder out(frame_);
  const MacAddress& ap = bss_.entry.bssid;
  if (wire::BuildAuthentication(out, MgmtTo(ap, address(), ap, NextSequence()),
                                wire::AuthenticationView::kOpenSystem, 1, StatusCode::kSuccess)
          .ok()) {
    Send(out.bytes());
  }
  ++attempts_;
  step_at_ = clock_.Now() + config_.step_timeout;
  Rearm();
}

void Station::SendAssocRequest() {
  rsn_element_size_ = 0;
  if (bss_.entry.auth != port::WifiAuth::kOpen) {
    ByteBuilder rsn(rsn_element_);
    wire::ElementWriter(rsn).AddRsn(wire::kWpa2Personal);
    rsn_element_size_ = rsn.ok() ? rsn.size() : 0;
  }
  ByteBuilder out(frame_);
  const MacAddress& ap = bss_.entry.bssid;
  const wire::AssocRequestFields fields{
      .ssid = target_ssid_.bytes(),
      .rates = kDsssRates,
      .rsn_element = ByteSpan(rsn_element_.data(), rsn_element_size_)};
  if (wire::BuildAssocRequest(out, MgmtTo(ap, address(), ap, NextSequence()), fields).ok()) {
    Send(out.bytes());
  }
  ++attempts_;
  step_at_ = clock_.Now() + config_.step_timeout;
  Rearm();
}

void Station::StepTimeout() {
  step_at_ = -1;
  switch (state_) {
    case State::kScanning:
    case State::kJoinScan: return ScanStep();
    case State::kAuthenticating:
      if (attempts_ >= config_.step_attempts) return Fail(port::WifiFailure::kAssocFail, 0);
      return SendAuthentication();
    case State::kAssociating:
      if (attempts_ >= config_.step_attempts) return Fail(port::WifiFailure::kAssocFail, 0);
      return SendAssocRequest();
    case State::kDhcp:
      // No address: the join failed as a handshake that never ends does (wifi_station.h).
      if (attempts_ >= config_.dhcp_attempts) {
        Leave(ReasonCode::kDeauthLeaving);
        return Fail(port::WifiFailure::kHandshakeTimeout, 0);
      }
      return SendDhcp();
    default:
      if (scan_while_connected_) return ScanStep();
      return;
  }
}

void Station::Associated() {
  connection_ = port::Connection{.ssid = target_ssid_,
                                 .bssid = bss_.entry.bssid,
                                 .channel = bss_.entry.channel,
                                 .rssi_dbm = bss_.entry.rssi_dbm};
  last_beacon_ = clock_.Now();
  step_at_ = -1;
  keyed_ = false;
  replay_.Reset();
  if (config_.channel_hold != nullptr) config_.channel_hold->Hold(true);
  if (bss_.entry.auth == port::WifiAuth::kOpen) return StartDhcp();
  state_ = State::kHandshake;  // the AP sends message 1
  supplicant_.emplace(sha1_, aes_, rng_);
  const SupplicantConfig config{.spa = address(),
                                .aa = bss_.entry.bssid,
                                .pmk = pmk_,
                                .rsn_element = ByteSpan(rsn_element_.data(), rsn_element_size_)};
  if (!supplicant_->Start(config).ok()) return Fail(port::WifiFailure::kAssocFail, 0);
  Rearm();
}

void Station::OnEapol(ByteSpan eapol) {
  if (state_ != State::kHandshake && !(state_ == State::kDhcp && keyed_)) return;
  ByteBuilder reply(payload_);
  Result<HandshakeStep> step = supplicant_->OnEapol(eapol, reply);
  if (!step.ok()) return;
  if (*step == HandshakeStep::kSend) return SendData(kEapolEthertype, reply.bytes());
  if (*step != HandshakeStep::kComplete) return;
  SendData(kEapolEthertype, reply.bytes());  // message 4, in the clear
  tk_ = LinkKey{.key = supplicant_->ptk().tk};
  keyed_ = true;
  StartDhcp();
}

void Station::Connected() {
  state_ = State::kConnected;
  join_deadline_ = -1;
  step_at_ = -1;
  last_beacon_ = clock_.Now();
  ++stats_.joins;
  Rearm();
  if (listener() != nullptr) listener()->OnConnected(connection_);
}

port::WifiFailure Station::JoinFailureFor(uint16_t reason) const {
  // An AP gives up a handshake whose message 2 it cannot verify with reason 15; some
  // vendors say 2 or 23 (reference/wifi-join.md). Only after a message 2 went out is it
  // the passphrase rather than reachability.
  const bool handshake_reason = reason == ReasonCode::kFourWayHandshakeTimeout ||
                                reason == ReasonCode::kPreviousAuthNotValid ||
                                reason == ReasonCode::kIeee8021xAuthFailed;
  if (state_ == State::kHandshake && handshake_reason && supplicant_ &&
      supplicant_->sent_message2()) {
    return port::WifiFailure::kWrongPassword;
  }
  if (state_ == State::kHandshake || state_ == State::kDhcp) {
    return port::WifiFailure::kHandshakeTimeout;
  }
  return port::WifiFailure::kAssocFail;
}

void Station::Fail(port::WifiFailure why, uint16_t reason) {
  const bool was_joined =
      state_ == State::kConnected || state_ == State::kHandshake || state_ == State::kDhcp;
  state_ = State::kIdle;
  scan_while_connected_ = false;
  step_at_ = -1;
  join_deadline_ = -1;
  switch_to_ = 0;
  switch_at_ = -1;
  keyed_ = false;
  supplicant_.reset();
  if (was_joined && config_.channel_hold != nullptr) config_.channel_hold->Hold(false);
  if (why != port::WifiFailure::kLeft) ++stats_.failures;
  Rearm();
  if (listener() != nullptr) listener()->OnDisconnected(why, reason);
}

Status Station::Disconnect() {
  if (state_ == State::kIdle || state_ == State::kScanning) return Status::Ok();
  Leave(ReasonCode::kDeauthLeaving);
  Fail(port::WifiFailure::kLeft, 0);
  return Status::Ok();
}

void Station::Leave(uint16_t reason) {
  if (state_ != State::kIdle && state_ != State::kScanning && state_ != State::kJoinScan &&
      reason != 0) {
    SendDeauth(reason);
  }
  if (config_.channel_hold != nullptr) config_.channel_hold->Hold(false);
  state_ = State::kIdle;
}

// ---------------------------------------------------------------------------------------
// DHCP client

void Station::StartDhcp() {
  state_ = State::kDhcp;
  xid_ = rng_.NextU32();
  requesting_ = false;
  attempts_ = 0;
  SendDhcp();
}

void Station::SendDhcp() {
  DhcpFields fields{.type = requesting_ ? DhcpMessageType::kRequest : DhcpMessageType::kDiscover,
                    .xid = xid_,
                    .chaddr = address(),
                    .parameter_request_list = kParameterRequests};
  if (requesting_) {
    fields.requested_address = offered_;
    fields.server_identifier = server_;
  }
  ByteBuilder dhcp(payload_);
  ByteBuilder ip(packet_);
  if (BuildDhcp(dhcp, fields).ok() && BuildIpv4Udp(ip, kIpv4Any, kIpv4Broadcast, kDhcpClientPort,
                                                   kDhcpServerPort, dhcp.bytes(), ip_id_++)
                                          .ok()) {
    SendData(kIpv4Ethertype, ip.bytes());
  }
  ++attempts_;
  step_at_ = clock_.Now() + config_.dhcp_retry;
  Rearm();
}

void Station::OnDhcp(ByteSpan packet) {
  Result<UdpDatagram> udp = ParseIpv4Udp(packet);
  if (!udp.ok() || udp->destination_port != kDhcpClientPort) return;
  Result<DhcpView> reply = DhcpView::Parse(udp->payload);
  if (!reply.ok() || !reply->from_server() || reply->xid() != xid_ ||
      reply->chaddr() != address()) {
    return;
  }
  if (reply->type() == DhcpMessageType::kOffer && !requesting_) {
    Result<Ipv4Address> server = reply->server_identifier();
    if (!server.ok()) return;
    offered_ = reply->yiaddr();
    server_ = *server;
    requesting_ = true;
    attempts_ = 0;
    return SendDhcp();
  }
  if (reply->type() == DhcpMessageType::kNak && requesting_) return StartDhcp();
  if (reply->type() != DhcpMessageType::kAck || !requesting_) return;
  port::Ipv4Config& ip = connection_.ip;
  ip.address = reply->yiaddr();
  ip.netmask = reply->subnet_mask().ok() ? *reply->subnet_mask() : Ipv4Address{255, 255, 255, 0};
  ip.gateway = reply->router().ok() ? *reply->router() : server_;
  ip.dns = reply->dns_server_count() > 0 ? reply->dns_server(0) : ip.gateway;
  Connected();
}

// ---------------------------------------------------------------------------------------
// Time

port::TimeNs Station::beacon_interval() const { return bss_.beacon_interval_tu * kTimeUnit; }

void Station::Rearm() {
  port::TimeNs next = -1;
  auto consider = [&next](port::TimeNs t) {
    if (t >= 0 && (next < 0 || t < next)) next = t;
  };
  consider(step_at_);
  consider(join_deadline_);
  consider(switch_at_);
  if (state_ == State::kConnected) consider(last_beacon_ + config_.beacon_loss * beacon_interval());
  if (next < 0) return timer_.Cancel();
  timer_.ArmAt(next);
}

void Station::OnTimer() {
  const port::TimeNs now = clock_.Now();
  if (join_deadline_ >= 0 && now >= join_deadline_ && state_ != State::kConnected) {
    const bool scanning_for_it = state_ == State::kJoinScan;
    Leave(scanning_for_it ? 0 : ReasonCode::kDeauthLeaving);
    return Fail(
        scanning_for_it ? port::WifiFailure::kNoApFound : port::WifiFailure::kHandshakeTimeout, 0);
  }
  if (switch_at_ >= 0 && now >= switch_at_) {
    switch_at_ = -1;
    connection_.channel = std::exchange(switch_to_, 0);
    radio_.SetChannel(connection_.channel).IgnoreError();
    last_beacon_ = now;
    ++stats_.channel_switches;
  }
  if (state_ == State::kConnected && !scan_while_connected_ &&
      now >= last_beacon_ + config_.beacon_loss * beacon_interval()) {
    Leave(0);  // nobody to tell
    return Fail(port::WifiFailure::kBeaconTimeout, 0);
  }
  if (step_at_ >= 0 && now >= step_at_) return StepTimeout();
  Rearm();
}

// ---------------------------------------------------------------------------------------
// Receiving

void Station::OnReceive(ByteSpan mpdu, const port::RxInfo& info) {
  Result<wire::Dot11View> frame = wire::Dot11View::Parse(mpdu);
  if (!frame.ok()) return;
  const wire::FrameControl fc = frame->fc();
  if (fc.type() == wire::FrameType::kManagement) return OnManagement(*frame, info);
  const bool joined =
      state_ == State::kHandshake || state_ == State::kDhcp || state_ == State::kConnected;
  if (fc.type() == wire::FrameType::kData && fc.from_ds() && !fc.to_ds() && joined &&
      frame->addr1() == address() && frame->addr2() == bss_.entry.bssid) {
    OnData(mpdu);
  }
}

void Station::OnData(ByteSpan mpdu) {
  ByteBuilder plain(rx_);
  Result<wire::LlcSnap> snap =
      OpenLinkData(mpdu, keyed_ ? &tk_.key : nullptr, replay_, aes_, plain);
  if (!snap.ok()) return;
  const bool secured = bss_.entry.auth != port::WifiAuth::kOpen;
  const bool clear = !wire::Dot11View::Parse(mpdu)->fc().protected_frame();
  if (snap->ethertype == kEapolEthertype && secured) return OnEapol(snap->payload);
  if (secured && clear) return;  // nothing but EAPOL in the clear on a WPA2 network
  if (snap->ethertype == kIpv4Ethertype && state_ == State::kDhcp) OnDhcp(snap->payload);
}

void Station::OnBssFrame(const wire::Dot11View& frame, const port::RxInfo& info) {
  Result<wire::BeaconView> beacon = wire::BeaconView::Parse(frame);
  if (!beacon.ok()) return;
  if (state_ == State::kConnected && beacon->bssid() == connection_.bssid) {
    last_beacon_ = clock_.Now();
    connection_.rssi_dbm = info.rssi_dbm;
    OnBeaconFromBss(beacon->elements().bytes());
  }
  if (!scanning() && state_ != State::kJoinScan) return;
  Bss bss;
  Result<wire::Ssid> ssid = beacon->elements().Get<wire::Ssid>();
  if (!ssid.ok()) return;
  bss.entry.hidden = ssid->hidden();
  if (!bss.entry.hidden) bss.entry.ssid.Assign(ssid->bytes());
  bss.entry.bssid = beacon->bssid();
  Result<wire::DsParameterSet> ds = beacon->elements().Get<wire::DsParameterSet>();
  bss.entry.channel = ds.ok() ? ds->channel() : info.channel;
  bss.entry.rssi_dbm = info.rssi_dbm;
  bss.entry.auth = AuthOf(*beacon);
  bss.beacon_interval_tu = beacon->beacon_interval_tu() != 0 ? beacon->beacon_interval_tu() : 100;
  Record(bss);
}

void Station::OnBeaconFromBss(ByteSpan elements) {
  for (const wire::Element& e : wire::ElementList(elements)) {
    if (static_cast<uint8_t>(e.id) != kElementChannelSwitch || e.data.size() < 3) continue;
    const uint8_t channel = load_u8(e.data, 1);
    const uint8_t count = load_u8(e.data, 2);
    if (channel < 1 || channel > 14 || channel == connection_.channel) return;
    // The AP moves right after the beacon whose count is 1.
    switch_to_ = channel;
    switch_at_ =
        clock_.Now() + (count > 1 ? (count - 1) * beacon_interval() : 0) + port::kMillisecond;
    return Rearm();
  }
}

void Station::OnManagement(const wire::Dot11View& frame, const port::RxInfo& info) {
  const wire::FrameControl fc = frame.fc();
  if (fc.Is(wire::MgmtSubtype::kBeacon) || fc.Is(wire::MgmtSubtype::kProbeResponse)) {
    return OnBssFrame(frame, info);
  }
  if (frame.addr1() != address() || frame.addr2() != bss_.entry.bssid) return;
  if (fc.Is(wire::MgmtSubtype::kAuthentication) && state_ == State::kAuthenticating) {
    Result<wire::AuthenticationView> auth = wire::AuthenticationView::Parse(frame);
    if (!auth.ok() || auth->transaction_sequence() != 2) return;
    if (auth->status_code() != StatusCode::kSuccess) {
      return Fail(port::WifiFailure::kAssocFail, auth->status_code());
    }
    state_ = State::kAssociating;
    attempts_ = 0;
    return SendAssocRequest();
  }
  if (fc.Is(wire::MgmtSubtype::kAssocResponse) && state_ == State::kAssociating) {
    Result<wire::AssocResponseView> response = wire::AssocResponseView::Parse(frame);
    if (!response.ok()) return;
    if (response->status_code() != StatusCode::kSuccess) {
      return Fail(port::WifiFailure::kAssocFail, response->status_code());
    }
    return Associated();
  }
  if (fc.Is(wire::MgmtSubtype::kDeauthentication) || fc.Is(wire::MgmtSubtype::kDisassociation)) {
    Result<wire::DeauthView> deauth = wire::DeauthView::Parse(frame);
    if (!deauth.ok() || state_ == State::kIdle || state_ == State::kScanning ||
        state_ == State::kJoinScan) {
      return;
    }
    const uint16_t reason = deauth->reason_code();
    const port::WifiFailure why =
        state_ == State::kConnected ? port::WifiFailure::kDeauthenticated : JoinFailureFor(reason);
    Leave(0);  // the AP has forgotten the station already
    return Fail(why, reason);
  }
}

// ---------------------------------------------------------------------------------------
// Sending

void Station::SendDeauth(uint16_t reason) {
  ByteBuilder out(frame_);
  const MacAddress& ap = bss_.entry.bssid;
  if (wire::BuildDeauthentication(out, MgmtTo(ap, address(), ap, NextSequence()), reason).ok()) {
    Send(out.bytes());
  }
}

void Station::SendData(uint16_t ethertype, ByteSpan payload) {
  const MacAddress& ap = bss_.entry.bssid;
  // To the AP itself (EAPOL) or to everyone behind it (DHCP's broadcast).
  const MacAddress to = ethertype == kEapolEthertype ? ap : MacAddress::Broadcast();
  Result<wire::MgmtHeader> header = wire::MakeDataHeader(
      wire::DsMode::kToDs, to, address(), ap, wire::SequenceControl::Make(NextSequence()));
  if (!header.ok()) return;
  // Message 4 goes in the clear: the keys are installed once it is sent.
  const bool protect = keyed_ && ethertype != kEapolEthertype;
  ByteBuilder out(frame_);
  if (!BuildLinkData(out, plain_, *header, ethertype, payload, protect ? &tk_ : nullptr, aes_)
           .ok()) {
    ++stats_.tx_errors;
    return;
  }
  Send(out.bytes());
}

void Station::Send(ByteSpan mpdu) {
  if (!radio_.Transmit(mpdu, {}).ok()) ++stats_.tx_errors;
}

}  // namespace airlab::wifi
