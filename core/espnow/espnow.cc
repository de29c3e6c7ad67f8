#include "core/espnow/espnow.h"

#include <algorithm>

namespace airlab::espnow {

int32_t OsErrorNumber(Status status, Operation operation) {
  switch (status.code()) {
    case Status::Code::kOk: return 0;
    case Status::Code::kFailedPrecondition: return kEspErrEspNowNotInit;
    case Status::Code::kInvalidArgument: return kEspErrEspNowArg;
    case Status::Code::kResourceExhausted:
      return operation == Operation::kPeer ? kEspErrEspNowFull : kEspErrEspNowNoMem;
    case Status::Code::kNotFound: return kEspErrEspNowNotFound;
    case Status::Code::kAlreadyExists: return kEspErrEspNowExist;
    case Status::Code::kUnavailable: return kEspErrEspNowIf;
    case Status::Code::kOutOfRange: return kEspErrEspNowChan;
    case Status::Code::kDeadlineExceeded: return kEtimedout;
    default: return kEspErrEspNowInternal;
  }
}

Result<PhyRate> FromWifiPhyRate(int value) {
  using port::Rate;
  switch (value) {
    case 0x00: return PhyRate{Rate::k1Mbps, false};    // WIFI_PHY_RATE_1M_L
    case 0x01: return PhyRate{Rate::k2Mbps, false};    // WIFI_PHY_RATE_2M_L
    case 0x02: return PhyRate{Rate::k5_5Mbps, false};  // WIFI_PHY_RATE_5M_L
    case 0x03: return PhyRate{Rate::k11Mbps, false};   // WIFI_PHY_RATE_11M_L
    case 0x05: return PhyRate{Rate::k2Mbps, true};     // WIFI_PHY_RATE_2M_S
    case 0x06: return PhyRate{Rate::k5_5Mbps, true};   // WIFI_PHY_RATE_5M_S
    case 0x07: return PhyRate{Rate::k11Mbps, true};    // WIFI_PHY_RATE_11M_S
    case 0x08: return PhyRate{Rate::k48Mbps, false};   // WIFI_PHY_RATE_48M
    case 0x09: return PhyRate{Rate::k24Mbps, false};   // WIFI_PHY_RATE_24M
    case 0x0a: return PhyRate{Rate::k12Mbps, false};   // WIFI_PHY_RATE_12M
    case 0x0b: return PhyRate{Rate::k6Mbps, false};    // WIFI_PHY_RATE_6M
    case 0x0c: return PhyRate{Rate::k54Mbps, false};   // WIFI_PHY_RATE_54M
    case 0x0d: return PhyRate{Rate::k36Mbps, false};   // WIFI_PHY_RATE_36M
    case 0x0e: return PhyRate{Rate::k18Mbps, false};   // WIFI_PHY_RATE_18M
    case 0x0f: return PhyRate{Rate::k9Mbps, false};    // WIFI_PHY_RATE_9M
    default: return Status::InvalidArgument();
  }
}

ESPNow::ESPNow(Link& link, const port::Clock& clock, port::Waiter& waiter)
    : link_(link), clock_(clock), waiter_(waiter) {
  link_.SetListener(this);
}

ESPNow::~ESPNow() { link_.SetListener(nullptr); }

// ---------------------------------------------------------------------------------------
// Configuration

Status ESPNow::active(bool flag) {
  if (flag && !link_.enabled()) AIRLAB_TRY(link_.SetReceiveLimit(rxbuf_));
  return link_.SetEnabled(flag);
}

Status ESPNow::config(const ConfigUpdate& update) {
  if (update.rxbuf && *update.rxbuf > link_.receive_capacity()) {
    return Status::InvalidArgument();
  }
  std::optional<PhyRate> rate;
  if (update.rate) {
    AIRLAB_TRY_ASSIGN(rate, FromWifiPhyRate(*update.rate));
  }
  if (rate) AIRLAB_TRY(link_.SetRate(rate->rate, rate->short_preamble));
  if (update.rxbuf) rxbuf_ = *update.rxbuf;
  if (update.timeout_ms) timeout_ms_ = *update.timeout_ms;
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// Waiting

port::TimeNs ESPNow::DeadlineAfter(int32_t timeout_ms) const {
  if (timeout_ms < 0) return port::kForever;
  return clock_.Now() + timeout_ms * port::kMillisecond;
}

template <typename Ready>
bool ESPNow::WaitFor(Ready ready, port::TimeNs deadline) {
  while (!ready()) {
    if (clock_.Now() >= deadline) return false;
    // kUnavailable: nothing will ever happen (a sim with no event left).
    if (waiter_.WaitUntil(deadline) == Status::Unavailable()) return ready();
  }
  return true;
}

Status ESPNow::WaitForResponses(port::TimeNs deadline) {
  const bool done =
      WaitFor([this] { return link_.stats().tx_responses >= link_.stats().tx_packets; }, deadline);
  return done ? Status::Ok() : Status::DeadlineExceeded();
}

void ESPNow::OnReceive(const ReceivedInfo&) {
  waiter_.Wake();
  if (irq_ != nullptr) irq_(*this, irq_context_);
}

void ESPNow::OnSendDone(const SendReport&) { waiter_.Wake(); }

// ---------------------------------------------------------------------------------------
// Sending

Result<bool> ESPNow::send(const std::optional<MacAddress>& mac, ByteSpan msg, bool sync) {
  AIRLAB_TRY(CheckActive());
  const port::TimeNs give_up = DeadlineAfter(kSendTimeoutMs);
  // Earlier sync=False sends may still be waiting for their reports: count only ours.
  if (sync) AIRLAB_TRY(WaitForResponses(give_up));
  const uint32_t failures_before = link_.stats().tx_failures;
  // A full queue empties as reports come: try again until the deadline, as MicroPython
  // retries ESP_ERR_ESPNOW_NO_MEM.
  Status status;
  const bool queued = WaitFor(
      [&] {
        status = mac ? link_.Send(*mac, msg).status() : link_.SendToAll(msg).status();
        return status != Status::ResourceExhausted();
      },
      give_up);
  if (!queued) return Status::ResourceExhausted();
  AIRLAB_TRY(status);
  if (!sync) return true;
  AIRLAB_TRY(WaitForResponses(DeadlineAfter(kSendTimeoutMs)));
  return link_.stats().tx_failures == failures_before;
}

// ---------------------------------------------------------------------------------------
// Receiving

Result<bool> ESPNow::recvinto(RecvBuffers& data, std::optional<int32_t> timeout_ms) {
  AIRLAB_TRY(CheckActive());
  WaitFor([this] { return link_.rx_available() || !link_.enabled(); },
          DeadlineAfter(timeout_ms.value_or(timeout_ms_)));
  Result<ReceivedInfo> got = link_.Receive(data.msg);
  if (got.status() == Status::NotFound()) return false;  // timed out
  AIRLAB_TRY(got.status());
  data.mac = got->src;
  data.size = got->size;
  data.rssi_dbm = got->rssi_dbm;
  data.time_ms = static_cast<uint32_t>(got->time / port::kMillisecond);
  data.broadcast = got->broadcast;
  data.encrypted = got->encrypted;
  return true;
}

Result<Message> ESPNow::irecv(std::optional<int32_t> timeout_ms) {
  RecvBuffers data{.msg = buffer_};
  AIRLAB_TRY_ASSIGN(const bool received, recvinto(data, timeout_ms));
  Message message;
  if (!received) return message;  // (None, None)
  message.mac = data.mac;
  message.msg = ByteSpan(buffer_).first(data.size);
  message.rssi_dbm = data.rssi_dbm;
  message.time_ms = data.time_ms;
  message.broadcast = data.broadcast;
  message.encrypted = data.encrypted;
  return message;
}

Result<bool> ESPNow::any() const {
  AIRLAB_TRY(CheckActive());
  return link_.rx_available();
}

Status ESPNow::clear(bool confirm) {
  AIRLAB_TRY(CheckActive());
  if (!confirm) return Status::InvalidArgument();
  link_.ClearReceived();
  return Status::Ok();
}

Stats ESPNow::stats() const {
  const LinkStats& s = link_.stats();
  return {s.tx_packets, s.tx_responses, s.tx_failures, s.rx_packets, s.rx_dropped};
}

void ESPNow::Next() {
  Result<Message> next = irecv();
  iteration_done_ = !next.ok();  // StopIteration once inactive
  current_ = next.ok() ? *next : Message{};
}

// ---------------------------------------------------------------------------------------
// Peers

Status ESPNow::SetPeer(const MacAddress& mac, const PeerOptions& options, bool add) {
  PeerInfo info;
  info.mac = mac;
  if (!add) {
    AIRLAB_TRY_ASSIGN(info, link_.GetPeer(mac));
  }
  if (options.lmk) {
    info.lmk = *options.lmk;
    info.encrypt = true;
  }
  if (options.channel) info.channel = *options.channel;
  if (options.ifidx) info.interface = *options.ifidx;
  if (options.encrypt) info.encrypt = *options.encrypt;
  if (options.version) info.version = *options.version;
  return add ? link_.AddPeer(info) : link_.ModifyPeer(info);
}

Status ESPNow::add_peer(const MacAddress& mac, const PeerOptions& options) {
  return SetPeer(mac, options, true);
}

Status ESPNow::mod_peer(const MacAddress& mac, const PeerOptions& options) {
  return SetPeer(mac, options, false);
}

StatusWithSize ESPNow::get_peers(std::span<PeerInfo> out) const {
  if (!active()) return StatusWithSize(Status::FailedPrecondition(), 0);
  size_t count = 0;
  for (Result<PeerInfo> peer = link_.PeerAt(0); peer.ok(); peer = link_.PeerAt(count)) {
    if (count == out.size()) return StatusWithSize(Status::ResourceExhausted(), count);
    out[count++] = *peer;
  }
  return StatusWithSize(count);
}

Result<PeerCount> ESPNow::peer_count() const {
  AIRLAB_TRY(CheckActive());
  return link_.peer_count();
}

PeersTableEntry ESPNow::PeersTable::operator[](size_t i) const {
  const HeardPeer heard = link_.heard(i);
  return {heard.mac, heard.rssi_dbm, static_cast<uint32_t>(heard.time / port::kMillisecond)};
}

std::optional<PeersTableEntry> ESPNow::PeersTable::find(const MacAddress& mac) const {
  for (size_t i = 0; i < size(); ++i) {
    if (link_.heard(i).mac == mac) return (*this)[i];
  }
  return std::nullopt;
}

}  // namespace airlab::espnow
