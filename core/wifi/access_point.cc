#include "core/wifi/access_point.h"

#include <algorithm>

#include "core/wifi/link_frames.h"
#include "core/wire/mgmt.h"

namespace airlab::wifi {
namespace {

constexpr port::TimeNs kTimeUnit = 1024 * port::kMicrosecond;
constexpr uint8_t kElementChannelSwitch = 37;  // Channel Switch Announcement (9.4.2.19)

bool ValidConfig(const AccessPointConfig& c) {
  return !c.ssid.empty() && port::IsValidPassphrase(c.passphrase) && c.channel >= 1 &&
         c.channel <= 14 && c.max_stations >= 1 && c.max_stations <= AccessPoint::kMaxStations &&
         c.beacon_interval_tu > 0 && c.first_lease >= 1;
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
  for (size_t i = 0; i < passphrase_size_; ++i) passphrase_[i] = config.passphrase[i];
  config_.passphrase = {};
  portal_url_size_ = config.captive_portal_url.size();
  for (size_t i = 0; i < portal_url_size_; ++i) portal_url_[i] = config.captive_portal_url[i];
  config_.captive_portal_url = {};
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
  if (!down()) Deauthenticate(nullptr, kReasonLeaving).IgnoreError();
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
  if (station != nullptr) {
    Peer* peer = FindPeer(*station);
    if (peer == nullptr) return Status::NotFound();
    SendDeauth(peer->mac, reason);
    if (listener_ != nullptr) listener_->OnStationLeft(peer->mac, reason);
    Forget(*peer);
    return Status::Ok();
  }
  for (Peer& peer : peers_) {
    if (peer.state == PeerState::kFree) continue;
    SendDeauth(peer.mac, reason);
    if (listener_ != nullptr) listener_->OnStationLeft(peer.mac, reason);
    Forget(peer);
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
  if (!running_ || down()) {
    if (running_) return radio_.SetChannel(channel);
    return Status::Ok();
  }
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
    next_beacon_ += config_.beacon_interval_tu * kTimeUnit;
    if (next_beacon_ <= now) next_beacon_ = now + config_.beacon_interval_tu * kTimeUnit;
  }
  for (Peer& p : peers_) {
    if (p.state == PeerState::kFree || p.deadline < 0 || p.deadline > now) continue;
    p.deadline = -1;
    OnHandshakeTimeout(p);
  }
  Rearm();
}

void AccessPoint::SendBeacon() {
  ByteBuilder out(frame_);
  const ByteSpan ssid = config_.hidden ? ByteSpan() : config_.ssid.bytes();
  wire::BssFields bss{.timestamp_us = static_cast<uint64_t>(clock_.Now() / port::kMicrosecond),
                      .beacon_interval_tu = config_.beacon_interval_tu,
                      .ssid = ssid,
                      .rates = kDsssRates,
                      .channel = radio_.channel()};
  if (secured()) bss.rsn = wire::kWpa2Personal;
  const wire::MgmtHeader header = MgmtTo(MacAddress::Broadcast(), bssid(), bssid(), NextSequence());
  if (!wire::BuildBeacon(out, header, bss).ok()) return;
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
  if (fc.Is(wire::MgmtSubtype::kAuthentication)) return OnAuthentication(from, frame->body());
  if (fc.Is(wire::MgmtSubtype::kAssocRequest) || fc.Is(wire::MgmtSubtype::kReassocRequest)) {
    Result<AssocRequestView> request = AssocRequestView::Parse(*frame);
    if (request.ok()) OnAssocRequest(from, *request);
    return;
  }
  if (fc.Is(wire::MgmtSubtype::kDeauthentication) || fc.Is(wire::MgmtSubtype::kDisassociation)) {
    Result<wire::DeauthView> deauth = wire::DeauthView::Parse(*frame);
    if (deauth.ok()) OnDeauth(from, deauth->reason_code());
    return;
  }
  if (fc.type() != wire::FrameType::kData || !fc.to_ds()) return;
  Peer* peer = FindPeer(from);
  if (peer == nullptr || peer->state == PeerState::kAuthenticated) {
    // A class 3 frame from a station that is not associated (a router that rebooted).
    return SendDeauth(from, kReasonClass3FromNonassociated);
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
  wire::BssFields bss{.timestamp_us = static_cast<uint64_t>(clock_.Now() / port::kMicrosecond),
                      .beacon_interval_tu = config_.beacon_interval_tu,
                      .ssid = config_.ssid.bytes(),
                      .rates = kDsssRates,
                      .channel = radio_.channel()};
  if (secured()) bss.rsn = wire::kWpa2Personal;
  if (!wire::BuildProbeResponse(out, MgmtTo(from, bssid(), bssid(), NextSequence()), bss).ok()) {
    return;
  }
  Send(out.bytes());
  ++stats_.probe_responses;
}

void AccessPoint::OnAuthentication(const MacAddress& from, ByteSpan body) {
  if (body.size() < 6 || load_le16(body, 0) != 0 || load_le16(body, 2) != 1) return;
  Peer* peer = FindPeer(from);
  if (peer != nullptr) {
    Forget(*peer);  // authenticating again starts over
  }
  peer = NewPeer(from);
  ByteBuilder out(frame_);
  const wire::MgmtHeader header = MgmtTo(from, bssid(), bssid(), NextSequence());
  if (!BuildAuthentication(out, header, 2, peer ? kStatusSuccess : kStatusApFull).ok()) return;
  Send(out.bytes());
}

void AccessPoint::OnAssocRequest(const MacAddress& from, const AssocRequestView& request) {
  Peer* peer = FindPeer(from);
  // A class 2 frame from a station that has not authenticated (Table 9-45, reason 6).
  if (peer == nullptr) return SendDeauth(from, kReasonClass2FromNonauthenticated);
  uint16_t status = kStatusSuccess;
  Result<wire::Ssid> ssid = request.elements.Get<wire::Ssid>();
  port::Ssid asked;
  if (!ssid.ok() || !asked.Assign(ssid->bytes()) || !(asked == config_.ssid)) {
    status = kStatusUnspecified;
  }
  if (secured() && !request.elements.Find(wire::ElementId::kRsn).ok()) status = kStatusUnspecified;
  ByteBuilder out(frame_);
  const wire::MgmtHeader header = MgmtTo(from, bssid(), bssid(), NextSequence());
  if (!BuildAssocResponse(out, header, status, peer->aid).ok()) return;
  Send(out.bytes());
  if (status != kStatusSuccess) return Forget(*peer);
  ++stats_.associations;
  peer->state = PeerState::kAssociated;
  if (!secured()) return Joined(*peer);
  StartHandshake(*peer);
}

void AccessPoint::OnDeauth(const MacAddress& from, uint16_t reason) {
  Peer* peer = FindPeer(from);
  if (peer == nullptr) return;
  if (listener_ != nullptr) listener_->OnStationLeft(peer->mac, reason);
  Forget(*peer);
}

void AccessPoint::StartHandshake(Peer& peer) { Joined(peer); }

void AccessPoint::OnHandshakeTimeout(Peer&) {}

void AccessPoint::OnData(Peer&, ByteSpan) {}

void AccessPoint::Joined(Peer& peer) {
  peer.state = PeerState::kAuthorized;
  peer.deadline = -1;
  ++stats_.joins;
  if (listener_ != nullptr) listener_->OnStationJoined(Describe(peer));
}

// ---------------------------------------------------------------------------------------
// Stations

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
    peers_[i] =
        Peer{.mac = mac, .state = PeerState::kAuthenticated, .aid = static_cast<uint16_t>(i + 1)};
    return &peers_[i];
  }
  return nullptr;
}

void AccessPoint::Forget(Peer& peer) {
  peer = Peer{};
  Rearm();
}

void AccessPoint::SendDeauth(const MacAddress& to, uint16_t reason) {
  ByteBuilder out(frame_);
  if (!BuildDeauthentication(out, MgmtTo(to, bssid(), bssid(), NextSequence()), reason).ok()) {
    return;
  }
  Send(out.bytes());
  ++stats_.deauthentications;
}

void AccessPoint::Send(ByteSpan mpdu) {
  if (!radio_.Transmit(mpdu, {}).ok()) ++stats_.tx_errors;
}

}  // namespace airlab::wifi
