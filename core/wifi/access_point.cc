#include "core/wifi/access_point.h"

#include <algorithm>

#include "core/wifi/dhcp.h"
#include "core/wifi/keys.h"

namespace airlab::wifi {
namespace {

using wire::ReasonCode;
using wire::StatusCode;

bool ValidConfig(const AccessPointConfig& c) {
  return !c.ssid.empty() && port::IsValidPassphrase(c.passphrase) && c.channel >= 1 &&
         c.channel <= 14 && c.max_stations >= 1 && c.max_stations <= AccessPoint::kMaxStations &&
         c.beacon_interval_tu > 0 && c.first_lease >= 1 &&
         c.captive_portal_url.size() <= kMaxPortalUrl;
}

}  // namespace

AccessPoint::AccessPoint(port::Radio& radio, port::Interface interface, const port::Clock& clock,
                         port::Timer& timer, port::Rng& rng, port::Aes128& aes, port::Sha1& sha1,
                         const AccessPointConfig& defaults)
    : radio_(radio),
      interface_(interface),
      clock_(clock),
      timer_(timer),
      rng_(rng),
      aes_(aes),
      sha1_(sha1),
      config_(defaults) {
  config_.passphrase = {};
  portal_url_size_ = std::min(defaults.captive_portal_url.size(), kMaxPortalUrl);
  for (size_t i = 0; i < portal_url_size_; ++i) portal_url_[i] = defaults.captive_portal_url[i];
  config_.captive_portal_url = {};
  radio_.SetListener(this);
  timer_.SetListener(this);
}

AccessPoint::~AccessPoint() {
  timer_.Cancel();
  timer_.SetListener(nullptr);
  radio_.SetListener(nullptr);
}

Status AccessPoint::Start(const AccessPointConfig& config) {
  if (!ValidConfig(config)) return Status::InvalidArgument();
  if (running_) AIRLAB_TRY(Stop());
  AIRLAB_TRY(radio_.SetEnabled(true));
  // A radio shared with a joined station stays on the station's channel (SoftAp's contract).
  if (Status moved = radio_.SetChannel(config.channel);
      !moved.ok() && moved.code() != Status::Code::kUnavailable) {
    return moved;
  }
  config_ = config;
  passphrase_size_ = config.passphrase.size();
  std::copy(config.passphrase.begin(), config.passphrase.end(), passphrase_.begin());
  config_.passphrase = {};
  portal_url_size_ = config.captive_portal_url.size();
  std::copy(config.captive_portal_url.begin(), config.captive_portal_url.end(),
            portal_url_.begin());
  config_.captive_portal_url = {};
  rsn_element_size_ = 0;
  if (secured()) {
    AIRLAB_TRY_ASSIGN(pmk_, DerivePmk(sha1_, passphrase(), config_.ssid));
    // One group key for the AP's life (no group rekeying), key id 1 as hostapd starts.
    gtk_ = GtkKde{.key_id = 1, .tx = true};
    for (std::byte& b : gtk_.gtk) b = static_cast<std::byte>(rng_.NextU32());
    ByteBuilder rsn(rsn_element_);
    wire::ElementWriter(rsn).AddRsn(wire::kWpa2Personal);
    AIRLAB_TRY(rsn.status());
    rsn_element_size_ = rsn.size();
  }
  running_ = true;
  down_until_ = -1;
  switch_to_ = 0;
  next_beacon_ = clock_.Now();
  Rearm();
  return Status::Ok();
}

Status AccessPoint::Start(const port::Ssid& ssid, ByteSpan passphrase, uint8_t channel) {
  AccessPointConfig config = config_;
  config.ssid = ssid;
  config.passphrase = passphrase;
  config.channel = channel;
  config.captive_portal_url = ByteSpan(portal_url_.data(), portal_url_size_);
  return Start(config);
}

Status AccessPoint::Stop() {
  if (!running_) return Status::Ok();
  if (!down()) Deauthenticate(nullptr, ReasonCode::kDeauthLeaving).IgnoreError();
  running_ = false;
  down_until_ = -1;
  timer_.Cancel();
  return Status::Ok();
}

size_t AccessPoint::station_count() const {
  size_t n = 0;
  for (const Peer& p : peers_) {
    if (p.state == PeerState::kAssociated || p.state == PeerState::kAuthorized) ++n;
  }
  return n;
}

size_t AccessPoint::Stations(std::span<AccessPointStation, kMaxStations> out) const {
  size_t n = 0;
  for (const Peer& p : peers_) {
    if (p.state == PeerState::kAssociated || p.state == PeerState::kAuthorized) {
      out[n++] = Describe(p);
    }
  }
  return n;
}

AccessPointStation AccessPoint::Describe(const Peer& peer) const {
  AccessPointStation s{.mac = peer.mac, .aid = peer.aid};
  s.authorized = peer.state == PeerState::kAuthorized;
  for (const Lease& lease : leases_) {
    if (lease.host != 0 && lease.mac == peer.mac) {
      s.ip = config_.address;
      s.ip[3] = lease.host;
    }
  }
  return s;
}

// ---------------------------------------------------------------------------------------
// Events

Status AccessPoint::Deauthenticate(const MacAddress* station, uint16_t reason) {
  if (station != nullptr && FindPeer(*station) == nullptr) return Status::NotFound();
  for (Peer& peer : peers_) {
    if (peer.state == PeerState::kFree || (station != nullptr && peer.mac != *station)) continue;
    SendDeauth(peer.mac, reason);
    const MacAddress mac = peer.mac;
    Forget(peer);
    if (listener_ != nullptr) listener_->OnStationLeft(mac, reason);
  }
  return Status::Ok();
}

void AccessPoint::Reboot(port::TimeNs down_for) {
  if (!running_) return;
  for (Peer& peer : peers_) Forget(peer);
  for (Lease& lease : leases_) lease = {};
  switch_to_ = 0;
  down_until_ = clock_.Now() + (down_for > 0 ? down_for : 0);
  Rearm();
}

Status AccessPoint::SwitchChannel(uint8_t channel) {
  if (channel < 1 || channel > 14) return Status::InvalidArgument();
  config_.channel = channel;
  if (!running_) return Status::Ok();
  if (down()) return radio_.SetChannel(channel);
  switch_to_ = channel;
  switch_count_ = kChannelSwitchBeacons;
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// Time

void AccessPoint::Rearm() {
  if (!running_) return timer_.Cancel();
  port::TimeNs next = down() ? down_until_ : next_beacon_;
  if (!down()) {
    for (const Peer& p : peers_) {
      if (p.state != PeerState::kFree && p.deadline >= 0 && p.deadline < next) next = p.deadline;
    }
  }
  timer_.ArmAt(next);
}

void AccessPoint::OnTimer() {
  const port::TimeNs now = clock_.Now();
  if (down()) {
    if (now < down_until_) return Rearm();
    down_until_ = -1;
    next_beacon_ = now;
  }
  if (now >= next_beacon_) {
    SendBeacon();
    const port::TimeNs interval = config_.beacon_interval_tu * kTimeUnit;
    next_beacon_ += interval;
    if (next_beacon_ <= now) next_beacon_ = now + interval;
  }
  for (Peer& p : peers_) {
    if (p.state == PeerState::kFree || p.deadline < 0 || p.deadline > now) continue;
    p.deadline = -1;
    OnHandshakeTimeout(p);
  }
  Rearm();
}

wire::BssFields AccessPoint::Bss(ByteSpan ssid) const {
  wire::BssFields bss{.timestamp_us = static_cast<uint64_t>(clock_.Now() / port::kMicrosecond),
                      .beacon_interval_tu = config_.beacon_interval_tu,
                      .ssid = ssid,
                      .rates = kDsssRates,
                      .channel = radio_.channel()};
  if (secured()) bss.rsn = wire::kWpa2Personal;
  return bss;
}

void AccessPoint::SendBeacon() {
  ByteBuilder out(frame_);
  const ByteSpan ssid = config_.hidden ? ByteSpan() : config_.ssid.bytes();
  const wire::MgmtHeader header = MgmtTo(MacAddress::Broadcast(), bssid(), bssid(), NextSequence());
  if (!wire::BuildBeacon(out, header, Bss(ssid)).ok()) return;
  if (switch_to_ != 0) {
    const std::byte csa[] = {std::byte{1}, std::byte{switch_to_}, std::byte{switch_count_}};
    wire::ElementWriter(out).Add(static_cast<wire::ElementId>(kElementChannelSwitch), csa);
  }
  Send(out.bytes());
  ++stats_.beacons;
  if (switch_to_ != 0 && --switch_count_ == 0) {
    radio_.SetChannel(switch_to_).IgnoreError();
    switch_to_ = 0;
  }
}

// ---------------------------------------------------------------------------------------
// Receiving

void AccessPoint::OnReceive(ByteSpan mpdu, const port::RxInfo&) {
  if (!running_ || down()) return;
  Result<wire::Dot11View> frame = wire::Dot11View::Parse(mpdu);
  if (!frame.ok()) return;
  const wire::FrameControl fc = frame->fc();
  const MacAddress from = frame->addr2();
  if (fc.Is(wire::MgmtSubtype::kProbeRequest)) return OnProbeRequest(from, frame->body());
  if (frame->addr1() != bssid()) return;
  if (fc.Is(wire::MgmtSubtype::kAuthentication)) return OnAuthentication(from, *frame);
  if (fc.Is(wire::MgmtSubtype::kAssocRequest) || fc.Is(wire::MgmtSubtype::kReassocRequest)) {
    Result<wire::AssocRequestView> request = wire::AssocRequestView::Parse(*frame);
    if (request.ok()) OnAssocRequest(from, *request);
    return;
  }
  if (fc.Is(wire::MgmtSubtype::kDeauthentication) || fc.Is(wire::MgmtSubtype::kDisassociation)) {
    Result<wire::DeauthView> deauth = wire::DeauthView::Parse(*frame);
    if (deauth.ok()) OnDeauth(from, deauth->reason_code());
    return;
  }
  if (fc.type() != wire::FrameType::kData || !fc.to_ds() || fc.from_ds()) return;
  Peer* peer = FindPeer(from);
  if (peer == nullptr || peer->state == PeerState::kAuthenticated) {
    // A class 3 frame from a station that is not associated (to a router that rebooted).
    return SendDeauth(from, ReasonCode::kClass3FromNonassoc);
  }
  OnData(*peer, mpdu);
}

void AccessPoint::OnProbeRequest(const MacAddress& from, ByteSpan body) {
  const wire::ElementList elements(body);
  Result<wire::Ssid> asked = elements.Get<wire::Ssid>();
  if (!asked.ok()) return;
  port::Ssid asked_ssid;
  const bool named = asked_ssid.Assign(asked->bytes()) && asked_ssid == config_.ssid;
  if (!named && (config_.hidden || !asked->bytes().empty())) return;
  if (Result<wire::DsParameterSet> ds = elements.Get<wire::DsParameterSet>();
      ds.ok() && ds->channel() != radio_.channel()) {
    return;  // heard from a neighbouring channel
  }
  ByteBuilder out(frame_);
  const wire::MgmtHeader header = MgmtTo(from, bssid(), bssid(), NextSequence());
  if (!wire::BuildProbeResponse(out, header, Bss(config_.ssid.bytes())).ok()) return;
  Send(out.bytes());
  ++stats_.probe_responses;
}

void AccessPoint::OnAuthentication(const MacAddress& from, const wire::Dot11View& frame) {
  Result<wire::AuthenticationView> auth = wire::AuthenticationView::Parse(frame);
  if (!auth.ok() || auth->transaction_sequence() != 1) return;
  uint16_t status = StatusCode::kSuccess;
  if (auth->algorithm() != wire::AuthenticationView::kOpenSystem) {
    status = StatusCode::kUnsupportedAuthAlgorithm;
  } else {
    if (Peer* known = FindPeer(from); known != nullptr) Forget(*known);  // starts over
    if (NewPeer(from) == nullptr) status = StatusCode::kApFull;
  }
  ByteBuilder out(frame_);
  const wire::MgmtHeader header = MgmtTo(from, bssid(), bssid(), NextSequence());
  if (!wire::BuildAuthentication(out, header, auth->algorithm(), 2, status).ok()) return;
  Send(out.bytes());
}

void AccessPoint::OnAssocRequest(const MacAddress& from, const wire::AssocRequestView& request) {
  Peer* peer = FindPeer(from);
  // A class 2 frame from a station that has not authenticated.
  if (peer == nullptr) return SendDeauth(from, ReasonCode::kClass2FromNonauth);
  uint16_t status = StatusCode::kSuccess;
  Result<wire::Ssid> ssid = request.elements().Get<wire::Ssid>();
  port::Ssid asked;
  if (!ssid.ok() || !asked.Assign(ssid->bytes()) || !(asked == config_.ssid)) {
    status = StatusCode::kUnspecifiedFailure;
  } else if (secured()) {
    Result<wire::Rsn> rsn = request.elements().Get<wire::Rsn>();
    if (!rsn.ok() || !rsn->has_akm(wire::Akm::kPsk) ||
        rsn->best_pairwise_cipher() != wire::CipherSuite::kCcmp128) {
      status = StatusCode::kInvalidRsnElement;
    }
  }
  ByteBuilder out(frame_);
  const wire::MgmtHeader header = MgmtTo(from, bssid(), bssid(), NextSequence());
  const wire::AssocResponseFields fields{
      .status_code = status,
      .aid = status == StatusCode::kSuccess ? peer->aid : uint16_t{0},
      .rates = kDsssRates};
  if (!wire::BuildAssocResponse(out, header, fields).ok()) return;
  Send(out.bytes());
  if (status != StatusCode::kSuccess) return Forget(*peer);
  ++stats_.associations;
  peer->state = PeerState::kAssociated;
  if (!secured()) return Joined(*peer);
  StartHandshake(*peer);
}

void AccessPoint::OnDeauth(const MacAddress& from, uint16_t reason) {
  Peer* peer = FindPeer(from);
  if (peer == nullptr) return;
  Forget(*peer);
  if (listener_ != nullptr) listener_->OnStationLeft(from, reason);
}

void AccessPoint::OnData(Peer& peer, ByteSpan mpdu) {
  ByteBuilder plain(rx_);
  const bool keyed = secured() && peer.state == PeerState::kAuthorized;
  Result<wire::LlcSnap> snap =
      OpenLinkData(mpdu, keyed ? &peer.tk.key : nullptr, peer.replay, aes_, plain);
  if (!snap.ok()) return;
  // Before its keys, a WPA2 station may send EAPOL only, and that in the clear.
  const bool clear = !wire::Dot11View::Parse(mpdu)->fc().protected_frame();
  if (snap->ethertype == kEapolEthertype && secured() && clear) return OnEapol(peer, snap->payload);
  if (peer.state != PeerState::kAuthorized || (secured() && clear)) return;
  if (snap->ethertype == kIpv4Ethertype) OnDhcp(peer, snap->payload);
}

// ---------------------------------------------------------------------------------------
// The 4-way handshake

void AccessPoint::StartHandshake(Peer& peer) {
  std::optional<Authenticator>& handshake = handshakes_[IndexOf(peer)];
  handshake.emplace(sha1_, aes_, rng_);
  ByteBuilder eapol(payload_);
  const AuthenticatorConfig config{
      .aa = bssid(), .spa = peer.mac, .pmk = pmk_, .gtk = gtk_, .rsn_element = rsn_element()};
  if (!handshake->Start(config, eapol).ok()) return;
  SendData(peer, kEapolEthertype, eapol.bytes());
  peer.deadline = clock_.Now() + kHandshakeRetry;
  Rearm();
}

void AccessPoint::OnEapol(Peer& peer, ByteSpan eapol) {
  std::optional<Authenticator>& handshake = handshakes_[IndexOf(peer)];
  if (!handshake || peer.state != PeerState::kAssociated) return;
  ByteBuilder reply(payload_);
  Result<HandshakeStep> step = handshake->OnEapol(eapol, reply);
  if (!step.ok()) return;
  switch (*step) {
    case HandshakeStep::kSend:  // message 3
      SendData(peer, kEapolEthertype, reply.bytes());
      peer.deadline = clock_.Now() + kHandshakeRetry;
      return Rearm();
    case HandshakeStep::kComplete:
      peer.tk = LinkKey{.key = handshake->ptk().tk};
      peer.replay.Reset();
      return Joined(peer);
    case HandshakeStep::kMicFailure: peer.mic_failed = true; return;
    case HandshakeStep::kIgnored:
    case HandshakeStep::kMalformed: return;
  }
}

void AccessPoint::OnHandshakeTimeout(Peer& peer) {
  std::optional<Authenticator>& handshake = handshakes_[IndexOf(peer)];
  if (!handshake || peer.state != PeerState::kAssociated) return;
  if (handshake->transmissions() < kHandshakeAttempts) {
    ByteBuilder eapol(payload_);
    if (handshake->Retransmit(eapol).ok()) SendData(peer, kEapolEthertype, eapol.bytes());
    peer.deadline = clock_.Now() + kHandshakeRetry;
    return;
  }
  // Given up: what a wrong passphrase looks like from here (reference/wifi-join.md).
  const MacAddress mac = peer.mac;
  const port::WifiFailure why =
      peer.mic_failed ? port::WifiFailure::kWrongPassword : port::WifiFailure::kHandshakeTimeout;
  SendDeauth(mac, ReasonCode::kFourWayHandshakeTimeout);
  ++stats_.handshake_failures;
  Forget(peer);
  if (listener_ != nullptr) listener_->OnJoinFailed(mac, why);
}

// ---------------------------------------------------------------------------------------
// DHCP server

const AccessPoint::Lease* AccessPoint::LeaseFor(const MacAddress& mac, bool allocate) {
  Lease* free = nullptr;
  uint8_t next_host = config_.first_lease;
  for (Lease& lease : leases_) {
    if (lease.host != 0 && lease.mac == mac) return &lease;
    if (lease.host == 0 && free == nullptr) free = &lease;
    if (lease.host >= next_host) next_host = static_cast<uint8_t>(lease.host + 1);
  }
  if (!allocate || free == nullptr || next_host == 0 || next_host == 255) return nullptr;
  *free = Lease{.mac = mac, .host = next_host};
  return free;
}

void AccessPoint::OnDhcp(Peer& peer, ByteSpan packet) {
  Result<UdpDatagram> udp = ParseIpv4Udp(packet);
  if (!udp.ok() || udp->destination_port != kDhcpServerPort) return;
  Result<DhcpView> request = DhcpView::Parse(udp->payload);
  if (!request.ok() || request->from_server() || request->chaddr() != peer.mac) return;
  DhcpFields reply{.xid = request->xid(), .chaddr = peer.mac};
  const Lease* lease = nullptr;
  if (request->type() == DhcpMessageType::kDiscover) {
    lease = LeaseFor(peer.mac, true);
    reply.type = DhcpMessageType::kOffer;
  } else if (request->type() == DhcpMessageType::kRequest) {
    lease = LeaseFor(peer.mac, false);
    Result<Ipv4Address> asked = request->requested_address();
    const Ipv4Address wanted = asked.ok() ? *asked : request->ciaddr();
    reply.type = lease != nullptr && wanted[3] == lease->host ? DhcpMessageType::kAck
                                                              : DhcpMessageType::kNak;
  } else {
    return;
  }
  if (lease == nullptr) return;  // the pool is full: no offer
  const Ipv4Address dns[] = {config_.address};
  reply.server_identifier = config_.address;
  if (reply.type != DhcpMessageType::kNak) {
    reply.yiaddr = config_.address;
    reply.yiaddr[3] = lease->host;
    reply.lease_time_s = config_.lease_seconds;
    reply.subnet_mask = config_.netmask;
    reply.router = config_.address;
    reply.dns_servers = dns;
    reply.captive_portal_url = ByteSpan(portal_url_.data(), portal_url_size_);
  }
  ByteBuilder dhcp(payload_);
  if (!BuildDhcp(dhcp, reply).ok()) return;
  const Ipv4Address to = reply.type == DhcpMessageType::kNak ? kIpv4Broadcast : reply.yiaddr;
  ByteBuilder ip(packet_);
  if (!BuildIpv4Udp(ip, config_.address, to, kDhcpServerPort, kDhcpClientPort, dhcp.bytes(),
                    ip_id_++)
           .ok()) {
    return;
  }
  SendData(peer, kIpv4Ethertype, ip.bytes());
  if (reply.type == DhcpMessageType::kAck) {
    ++stats_.leases;
    if (listener_ != nullptr) listener_->OnStationLeased(Describe(peer));
  }
}

// ---------------------------------------------------------------------------------------
// Stations

void AccessPoint::Joined(Peer& peer) {
  peer.state = PeerState::kAuthorized;
  peer.deadline = -1;
  ++stats_.joins;
  if (listener_ != nullptr) listener_->OnStationJoined(Describe(peer));
}

AccessPoint::Peer* AccessPoint::FindPeer(const MacAddress& mac) {
  for (Peer& p : peers_) {
    if (p.state != PeerState::kFree && p.mac == mac) return &p;
  }
  return nullptr;
}

AccessPoint::Peer* AccessPoint::NewPeer(const MacAddress& mac) {
  size_t used = 0;
  for (const Peer& p : peers_) used += p.state != PeerState::kFree ? 1 : 0;
  if (used >= config_.max_stations) return nullptr;
  for (size_t i = 0; i < peers_.size(); ++i) {
    if (peers_[i].state != PeerState::kFree) continue;
    peers_[i] = Peer{};
    peers_[i].mac = mac;
    peers_[i].state = PeerState::kAuthenticated;
    peers_[i].aid = static_cast<uint16_t>(i + 1);
    return &peers_[i];
  }
  return nullptr;
}

void AccessPoint::Forget(Peer& peer) {
  handshakes_[IndexOf(peer)].reset();
  peer = Peer{};
  Rearm();
}

// ---------------------------------------------------------------------------------------
// Sending

void AccessPoint::SendDeauth(const MacAddress& to, uint16_t reason) {
  ByteBuilder out(frame_);
  if (!wire::BuildDeauthentication(out, MgmtTo(to, bssid(), bssid(), NextSequence()), reason)
           .ok()) {
    return;
  }
  Send(out.bytes());
  ++stats_.deauthentications;
}

void AccessPoint::SendData(Peer& peer, uint16_t ethertype, ByteSpan payload) {
  Result<wire::MgmtHeader> header =
      wire::MakeDataHeader(wire::DsMode::kFromDs, peer.mac, bssid(), bssid(),
                           wire::SequenceControl::Make(NextSequence()));
  if (!header.ok()) return;
  // EAPOL goes in the clear until the keys are in (message 4 installs them).
  const bool protect = secured() && peer.state == PeerState::kAuthorized;
  ByteBuilder out(frame_);
  if (!BuildLinkData(out, plain_, *header, ethertype, payload, protect ? &peer.tk : nullptr, aes_)
           .ok()) {
    ++stats_.tx_errors;
    return;
  }
  Send(out.bytes());
}

void AccessPoint::Send(ByteSpan mpdu) {
  if (!radio_.Transmit(mpdu, {}).ok()) ++stats_.tx_errors;
}

}  // namespace airlab::wifi
