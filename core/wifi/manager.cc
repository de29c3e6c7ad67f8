#include "core/wifi/manager.h"

#include <algorithm>

#include "core/base/assert.h"

namespace airlab::wifi {
namespace {

ByteSpan TextBytes(std::string_view text) { return AsBytes(text.data(), text.size()); }

}  // namespace

const char* ToString(ManagerState state) {
  switch (state) {
    case ManagerState::kStopped: return "stopped";
    case ManagerState::kScanning: return "scanning";
    case ManagerState::kConnecting: return "connecting";
    case ManagerState::kConnected: return "connected";
    case ManagerState::kWaiting: return "waiting";
    case ManagerState::kPortal: return "portal";
    case ManagerState::kPortalConnecting: return "portal-connecting";
  }
  return "?";
}

const char* ToString(ManagerReason reason) {
  switch (reason) {
    case ManagerReason::kStart: return "start";
    case ManagerReason::kStop: return "stop";
    case ManagerReason::kStoreFailed: return "store failed";
    case ManagerReason::kNoStoredNetworks: return "no stored networks";
    case ManagerReason::kNoneInRange: return "no stored network in range";
    case ManagerReason::kScanFailed: return "scan failed";
    case ManagerReason::kTrying: return "trying";
    case ManagerReason::kJoined: return "joined";
    case ManagerReason::kJoinFailed: return "join failed";
    case ManagerReason::kJoinTimeout: return "join timed out";
    case ManagerReason::kLinkLost: return "link lost";
    case ManagerReason::kBackoff: return "backing off";
    case ManagerReason::kBackoffOver: return "retrying";
    case ManagerReason::kRoundsFailed: return "every round failed";
    case ManagerReason::kHotspotFailed: return "hotspot failed";
    case ManagerReason::kPortalCredentials: return "credentials from the portal";
    case ManagerReason::kPortalTimeout: return "portal timed out";
    case ManagerReason::kPortalExit: return "portal exited";
    case ManagerReason::kErased: return "erased";
    case ManagerReason::kHotspotClosed: return "hotspot closed";
  }
  return "?";
}

WifiManager::WifiManager(port::WifiStation& station, port::SoftAp& hotspot,
                         port::CredentialStore& store, port::Clock& clock, port::Timer& timer,
                         port::Rng& rng, const WifiManagerConfig& config)
    : station_(station),
      hotspot_(hotspot),
      store_(store),
      clock_(clock),
      timer_(timer),
      rng_(rng),
      config_(config) {
  AIRLAB_ASSERT(config_.parameters.size() <= port::Credentials::kMaxParameters);
  AIRLAB_ASSERT(config_.first_backoff > 0 && config_.max_backoff >= config_.first_backoff);
  const std::string_view name =
      config_.hotspot_ssid.empty() ? config_.device_name : config_.hotspot_ssid;
  hotspot_ssid_.Assign(TextBytes(name.substr(0, port::Ssid::kMaxSize)));
  station_.SetListener(this);
  timer_.SetListener(this);
  RefreshParameterViews();
}

WifiManager::~WifiManager() {
  timer_.Cancel();
  station_.SetListener(nullptr);
}

Status WifiManager::Start() {
  if (state_ != ManagerState::kStopped) return Status::FailedPrecondition();
  if (!record_loaded_) LoadRecord();
  failed_rounds_ = 0;
  backoff_exponent_ = 0;
  BeginRound(ManagerReason::kStart);
  return Status::Ok();
}

void WifiManager::Stop() {
  if (state_ == ManagerState::kStopped) return;
  deadlines_.fill(kNever);
  timer_.Cancel();
  if (station_op_ != StationOp::kScan) station_.Disconnect().IgnoreError();
  station_op_ = StationOp::kIdle;
  user_join_pending_ = false;
  user_join_ = false;
  hotspot_.Stop().IgnoreError();
  Report(ManagerState::kStopped, ManagerReason::kStop);
}

Status WifiManager::AddNetwork(const port::Ssid& ssid, ByteSpan passphrase) {
  if (!record_loaded_) LoadRecord();
  return StoreNetwork(ssid, passphrase);
}

std::string_view WifiManager::parameter(std::string_view id) const {
  for (size_t i = 0; i < config_.parameters.size(); ++i) {
    if (config_.parameters[i].id == id) return parameter_views_[i].value;
  }
  return {};
}

MacAddress WifiManager::ap_mac() const {
  if (config_.ap_mac != MacAddress()) return config_.ap_mac;
  std::array<uint8_t, MacAddress::kSize> octets = station_.address().octets();
  octets[5] = static_cast<uint8_t>(octets[5] + 1);
  return MacAddress(octets);
}

// --- rounds -----------------------------------------------------------------------------

void WifiManager::BeginRound(ManagerReason reason) {
  Report(ManagerState::kScanning, reason);
  SetDeadline(kStep, kNever);
  if (station_op_ == StationOp::kScan) {  // a portal's scan is under way: its result serves
    SetDeadline(kStep, clock_.Now() + config_.scan_timeout);
    return;
  }
  if (!StartScan()) RoundFailed(ManagerReason::kScanFailed);
}

bool WifiManager::StartScan() {
  if (!station_.StartScan().ok()) return false;
  station_op_ = StationOp::kScan;
  SetDeadline(kStep, clock_.Now() + config_.scan_timeout);
  return true;
}

void WifiManager::OnScanDone(std::span<const port::ScanEntry> results) {
  scan_count_ = std::min(results.size(), scan_.size());
  std::copy_n(results.begin(), scan_count_, scan_.begin());
  scanned_ = true;
  if (station_op_ != StationOp::kScan) return;
  station_op_ = StationOp::kIdle;
  if (user_join_pending_) {
    StartUserJoin();
    return;
  }
  if (state_ == ManagerState::kPortal || state_ == ManagerState::kConnected) {
    SetDeadline(kStep, kNever);  // a scan the portal asked for
    return;
  }
  if (state_ != ManagerState::kScanning) return;
  SetDeadline(kStep, kNever);
  if (record_.network_count == 0) {
    OpenPortal(ManagerReason::kNoStoredNetworks);
    return;
  }
  RankCandidates();
  if (candidate_count_ == 0) {
    RoundFailed(ManagerReason::kNoneInRange);
    return;
  }
  TryNextCandidate();
}

// The stored networks the scan saw, strongest first, ties to the most recently joined;
// when the scan heard a hidden network, the unseen stored ones after them (any of them may
// be that network, and only a probe naming it finds out).
void WifiManager::RankCandidates() {
  std::array<int, port::Credentials::kMaxNetworks> rssi{};
  bool hidden_heard = false;
  for (size_t s = 0; s < scan_count_; ++s) hidden_heard |= scan_[s].ssid.empty();
  candidate_count_ = 0;
  next_candidate_ = 0;
  user_join_ = false;
  for (size_t i = 0; i < record_.network_count; ++i) {
    rssi[i] = INT32_MIN;
    for (size_t s = 0; s < scan_count_; ++s) {
      if (scan_[s].ssid == record_.networks[i].ssid)
        rssi[i] = std::max<int>(rssi[i], scan_[s].rssi_dbm);
    }
    if (rssi[i] != INT32_MIN || hidden_heard)
      candidates_[candidate_count_++] = static_cast<uint8_t>(i);
  }
  std::stable_sort(candidates_.begin(), candidates_.begin() + candidate_count_,
                   [&](uint8_t a, uint8_t b) {
                     if (rssi[a] != rssi[b]) return rssi[a] > rssi[b];
                     return record_.networks[a].last_joined > record_.networks[b].last_joined;
                   });
}

const port::StoredNetwork* WifiManager::Candidate() const {
  if (next_candidate_ == 0 || next_candidate_ > candidate_count_) return nullptr;
  return &record_.networks[candidates_[next_candidate_ - 1]];
}

void WifiManager::TryNextCandidate() {
  // Bounded: each pass consumes a candidate, at most kMaxNetworks of them.
  while (next_candidate_ < candidate_count_) {
    const port::StoredNetwork& network = record_.networks[candidates_[next_candidate_++]];
    ManagerEvent event;
    event.ssid = network.ssid;
    const bool portal = hotspot_.running();
    Report(portal ? ManagerState::kPortalConnecting : ManagerState::kConnecting,
           user_join_ ? ManagerReason::kPortalCredentials : ManagerReason::kTrying, event);
    portal_status_.state = PortalLinkState::kConnecting;
    portal_status_.ssid = network.ssid;
    const Status connect = station_.Connect(network.ssid, network.passphrase.bytes(), nullptr);
    if (connect.ok()) {
      station_op_ = StationOp::kJoin;
      SetDeadline(kStep, clock_.Now() + config_.join_timeout);
      return;
    }
    event.failure = port::WifiFailure::kAssocFail;
    event.status = connect;
    Report(state_, ManagerReason::kJoinFailed, event);
  }
  // Nothing joined.
  const bool user_join = user_join_;
  user_join_ = false;
  if (user_join && hotspot_.running()) {
    Report(ManagerState::kPortal, ManagerReason::kJoinFailed);
    TouchPortal();
    return;
  }
  RoundFailed(ManagerReason::kJoinFailed);
}

void WifiManager::OnConnected(const port::Connection& connection) {
  if (station_op_ != StationOp::kJoin) return;  // a join given up on already
  station_op_ = StationOp::kIdle;
  SetDeadline(kStep, kNever);
  connection_ = connection;
  failed_rounds_ = 0;
  backoff_exponent_ = 0;
  const bool from_portal = hotspot_.running();
  user_join_ = false;
  portal_status_ = PortalStatus{};
  portal_status_.state = PortalLinkState::kConnected;
  portal_status_.ssid = connection.ssid;
  portal_status_.ip = connection.ip;
  RecordJoin(connection.ssid);
  if (from_portal) {
    SetDeadline(kPortalClose, kNever);
    SetDeadline(kHotspotClose, clock_.Now() + config_.hotspot_linger);
  }
  ManagerEvent event;
  event.ssid = connection.ssid;
  Report(ManagerState::kConnected, ManagerReason::kJoined, event);
  if (user_join_pending_) StartUserJoin();
}

void WifiManager::OnDisconnected(port::WifiFailure why, uint16_t reason_code) {
  if (why == port::WifiFailure::kLeft) return;  // our own Disconnect
  if (station_op_ == StationOp::kJoin) {
    station_op_ = StationOp::kIdle;
    SetDeadline(kStep, kNever);
    JoinFailed(ManagerReason::kJoinFailed, why, reason_code);
    return;
  }
  if (state_ != ManagerState::kConnected) return;
  portal_status_.state = PortalLinkState::kLost;
  portal_status_.failure = why;
  ManagerEvent event;
  event.ssid = connection_.ssid;
  event.failure = why;
  event.reason_code = reason_code;
  Report(ManagerState::kWaiting, ManagerReason::kLinkLost, event);
  WaitBeforeRound();
}

void WifiManager::JoinFailed(ManagerReason reason, port::WifiFailure failure,
                             uint16_t reason_code) {
  ManagerEvent event;
  if (const port::StoredNetwork* network = Candidate()) event.ssid = network->ssid;
  event.failure = failure;
  event.reason_code = reason_code;
  portal_status_.state = PortalLinkState::kFailed;
  portal_status_.failure = failure;
  Report(state_, reason, event);
  if (user_join_pending_) {
    StartUserJoin();
    return;
  }
  TryNextCandidate();
}

// `reason` kJoinFailed: each join's failure was reported already.
void WifiManager::RoundFailed(ManagerReason reason) {
  ++failed_rounds_;
  if (reason != ManagerReason::kJoinFailed) Report(state_, reason);
  if (failed_rounds_ >= config_.rounds_before_portal) {
    OpenPortal(ManagerReason::kRoundsFailed);
    return;
  }
  WaitBeforeRound();
}

// first_backoff * 2^n capped at max_backoff, then jittered into [wait/2, wait].
void WifiManager::WaitBeforeRound() {
  port::TimeNs wait = config_.first_backoff;
  for (uint32_t i = 0; i < backoff_exponent_ && wait < config_.max_backoff; ++i) wait *= 2;
  wait = std::min(wait, config_.max_backoff);
  if (wait < config_.max_backoff) ++backoff_exponent_;
  const auto half_ms = static_cast<uint32_t>(wait / 2 / port::kMillisecond);
  wait = wait - static_cast<port::TimeNs>(rng_.Uniform(half_ms + 1)) * port::kMillisecond;
  ManagerEvent event;
  event.wait = wait;
  Report(ManagerState::kWaiting, ManagerReason::kBackoff, event);
  SetDeadline(kStep, clock_.Now() + wait);
}

// --- the portal -------------------------------------------------------------------------

void WifiManager::OpenPortal(ManagerReason reason) {
  failed_rounds_ = 0;
  SetDeadline(kStep, kNever);
  SetDeadline(kHotspotClose, kNever);
  const Status started =
      hotspot_.Start(hotspot_ssid_, TextBytes(config_.hotspot_passphrase), config_.hotspot_channel);
  if (!started.ok()) {
    ManagerEvent event;
    event.status = started;
    Report(state_, ManagerReason::kHotspotFailed, event);
    WaitBeforeRound();
    return;
  }
  ManagerEvent event;
  event.ssid = hotspot_ssid_;
  Report(ManagerState::kPortal, reason, event);
  TouchPortal();
  if (!scanned_ && station_op_ == StationOp::kIdle) StartScan();
}

void WifiManager::ClosePortal() {
  SetDeadline(kPortalClose, kNever);
  SetDeadline(kHotspotClose, kNever);
  hotspot_.Stop().IgnoreError();
}

void WifiManager::TouchPortal() {
  if (state_ == ManagerState::kPortal && config_.portal_timeout > 0) {
    SetDeadline(kPortalClose, clock_.Now() + config_.portal_timeout);
  }
}

std::span<const port::ScanEntry> WifiManager::networks() {
  TouchPortal();
  if (!scanned_) RequestScan();
  return {scan_.data(), scan_count_};
}

void WifiManager::RequestScan() {
  TouchPortal();
  // During a round the round's own scan serves; in the portal and when connected the step
  // deadline is free to bound this one.
  if (state_ != ManagerState::kPortal && state_ != ManagerState::kConnected) return;
  if (station_op_ != StationOp::kIdle) return;
  StartScan();
}

Status WifiManager::SaveAndConnect(const port::Ssid& ssid, ByteSpan passphrase) {
  TouchPortal();
  if (state_ == ManagerState::kStopped) return Status::FailedPrecondition();
  AIRLAB_TRY(StoreNetwork(ssid, passphrase));
  for (size_t i = 0; i < record_.network_count; ++i) {
    if (record_.networks[i].ssid == ssid) user_network_ = i;
  }
  user_join_pending_ = true;
  portal_status_ = PortalStatus{};
  portal_status_.state = PortalLinkState::kConnecting;
  portal_status_.ssid = ssid;
  switch (station_op_) {
    case StationOp::kIdle: StartUserJoin(); break;
    case StationOp::kScan:  // joins when the scan ends (the station does one thing at a time)
      break;
    case StationOp::kJoin:  // abandons that join; the one asked for follows
      station_op_ = StationOp::kIdle;
      station_.Disconnect().IgnoreError();
      StartUserJoin();
      break;
  }
  return Status::Ok();
}

void WifiManager::StartUserJoin() {
  user_join_pending_ = false;
  user_join_ = true;
  SetDeadline(kPortalClose, kNever);
  SetDeadline(kHotspotClose, kNever);
  if (state_ == ManagerState::kConnected) station_.Disconnect().IgnoreError();
  candidates_[0] = static_cast<uint8_t>(user_network_);
  candidate_count_ = 1;
  next_candidate_ = 0;
  TryNextCandidate();
}

Status WifiManager::SetParameter(std::string_view id, std::string_view value) {
  TouchPortal();
  const ParameterSpec* spec = nullptr;
  for (const ParameterSpec& s : config_.parameters) {
    if (s.id == id) spec = &s;
  }
  if (spec == nullptr || value.size() > spec->max_length) return Status::InvalidArgument();
  if (!record_loaded_) LoadRecord();
  port::StoredParameter* slot = nullptr;
  for (port::StoredParameter& p : record_.stored_parameters()) {
    if (p.id.view() == id) slot = &p;
  }
  if (slot == nullptr) {
    if (record_.parameter_count == port::Credentials::kMaxParameters) {
      return Status::ResourceExhausted();
    }
    slot = &record_.parameters[record_.parameter_count++];
    if (!slot->id.Assign(id)) {
      --record_.parameter_count;
      return Status::InvalidArgument();
    }
  }
  if (!slot->value.Assign(value)) return Status::InvalidArgument();
  RefreshParameterViews();
  return SaveRecord();
}

void WifiManager::Erase() {
  const Status erased = store_.Erase();
  if (!erased.ok()) {
    ManagerEvent event;
    event.status = erased;
    Report(state_, ManagerReason::kStoreFailed, event);
  }
  record_ = port::Credentials{};
  record_loaded_ = true;
  RefreshParameterViews();
  if (state_ == ManagerState::kStopped) return;
  user_join_pending_ = false;
  user_join_ = false;
  if (station_op_ == StationOp::kJoin || state_ == ManagerState::kConnected) {
    station_op_ = StationOp::kIdle;
    station_.Disconnect().IgnoreError();
  }
  portal_status_ = PortalStatus{};
  portal_status_.state = PortalLinkState::kUserDisconnect;
  if (hotspot_.running()) {
    Report(ManagerState::kPortal, ManagerReason::kErased);
    SetDeadline(kStep, kNever);
    SetDeadline(kHotspotClose, kNever);
    TouchPortal();
    return;
  }
  OpenPortal(ManagerReason::kErased);
}

void WifiManager::Exit() {
  if (!hotspot_.running()) return;
  ClosePortal();
  if (state_ == ManagerState::kPortal) {
    failed_rounds_ = 0;
    BeginRound(ManagerReason::kPortalExit);
  }
}

// --- time -------------------------------------------------------------------------------

void WifiManager::OnTimer() {
  const port::TimeNs now = clock_.Now();
  if (deadlines_[kHotspotClose] != kNever && deadlines_[kHotspotClose] <= now) {
    deadlines_[kHotspotClose] = kNever;
    hotspot_.Stop().IgnoreError();
    Report(state_, ManagerReason::kHotspotClosed);
  }
  if (deadlines_[kPortalClose] != kNever && deadlines_[kPortalClose] <= now) {
    deadlines_[kPortalClose] = kNever;
    if (state_ == ManagerState::kPortal) {
      ClosePortal();
      failed_rounds_ = 0;
      BeginRound(ManagerReason::kPortalTimeout);
    }
  }
  if (deadlines_[kStep] != kNever && deadlines_[kStep] <= now) {
    deadlines_[kStep] = kNever;
    StepTimedOut();
  }
  ArmTimer();
}

void WifiManager::StepTimedOut() {
  if (station_op_ == StationOp::kScan) {
    // The station's scan never ended; the next StartScan will say whether it is stuck.
    station_op_ = StationOp::kIdle;
    if (state_ == ManagerState::kScanning) RoundFailed(ManagerReason::kScanFailed);
    return;
  }
  if (station_op_ == StationOp::kJoin) {
    station_op_ = StationOp::kIdle;
    station_.Disconnect().IgnoreError();
    JoinFailed(ManagerReason::kJoinTimeout, port::WifiFailure::kHandshakeTimeout, 0);
    return;
  }
  if (state_ == ManagerState::kWaiting) BeginRound(ManagerReason::kBackoffOver);
}

void WifiManager::SetDeadline(Deadline which, port::TimeNs at) {
  deadlines_[which] = at;
  ArmTimer();
}

void WifiManager::ArmTimer() {
  port::TimeNs earliest = kNever;
  for (port::TimeNs at : deadlines_) {
    if (at != kNever && (earliest == kNever || at < earliest)) earliest = at;
  }
  if (earliest == kNever) {
    timer_.Cancel();
  } else {
    timer_.ArmAt(earliest);
  }
}

// --- the record -------------------------------------------------------------------------

void WifiManager::LoadRecord() {
  const Status loaded = store_.Load(record_);
  record_loaded_ = true;
  RefreshParameterViews();
  if (!loaded.ok()) {
    ManagerEvent event;
    event.status = loaded;
    Report(state_, ManagerReason::kStoreFailed, event);
  }
}

Status WifiManager::SaveRecord() {
  const Status saved = store_.Save(record_);
  if (!saved.ok()) {
    ManagerEvent event;
    event.status = saved;
    Report(state_, ManagerReason::kStoreFailed, event);
  }
  return saved;
}

Status WifiManager::StoreNetwork(const port::Ssid& ssid, ByteSpan passphrase) {
  if (ssid.empty() || !port::IsValidPassphrase(passphrase)) return Status::InvalidArgument();
  port::StoredNetwork* slot = nullptr;
  for (port::StoredNetwork& n : record_.stored_networks()) {
    if (n.ssid == ssid) slot = &n;
  }
  if (slot == nullptr && record_.network_count < port::Credentials::kMaxNetworks) {
    slot = &record_.networks[record_.network_count++];
    *slot = port::StoredNetwork{};
  }
  if (slot == nullptr) {  // full: the network joined longest ago (or never) makes room
    slot = &*std::min_element(record_.networks.begin(), record_.networks.end(),
                              [](const port::StoredNetwork& a, const port::StoredNetwork& b) {
                                return a.last_joined < b.last_joined;
                              });
    *slot = port::StoredNetwork{};
  }
  slot->ssid = ssid;
  slot->passphrase.Assign(passphrase);
  return SaveRecord();
}

// Marks `ssid` as the most recently joined; the store is written only when that changes
// (a flash sector is not rewritten at every reconnect to the same router).
void WifiManager::RecordJoin(const port::Ssid& ssid) {
  for (port::StoredNetwork& n : record_.stored_networks()) {
    if (n.ssid == ssid && (n.last_joined == 0 || n.last_joined != record_.join_counter)) {
      n.last_joined = ++record_.join_counter;
      SaveRecord().IgnoreError();  // reported to the listener
    }
  }
}

void WifiManager::RefreshParameterViews() {
  for (size_t i = 0; i < config_.parameters.size(); ++i) {
    const ParameterSpec& spec = config_.parameters[i];
    PortalParameter& view = parameter_views_[i];
    view.id = spec.id;
    view.label = spec.label;
    view.max_length = spec.max_length;
    view.value = spec.default_value;
    for (const port::StoredParameter& p : record_.stored_parameters()) {
      if (p.id.view() == spec.id) view.value = p.value.view();
    }
  }
}

void WifiManager::Report(ManagerState to, ManagerReason reason, ManagerEvent event) {
  event.from = state_;
  event.to = to;
  event.reason = reason;
  event.failed_rounds = failed_rounds_;
  state_ = to;
  if (listener_ != nullptr) listener_->OnManagerEvent(event);
}

}  // namespace airlab::wifi
