#include "core/sniff/tables.h"

#include <algorithm>
#include <cstring>

#include "core/wire/airtime.h"
#include "core/wire/mgmt.h"

namespace airlab::sniff {
namespace {

using wire::FrameType;
using wire::MgmtSubtype;

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return x;
}

// The six octets as one number (in the host's byte order: only the hash reads it), loaded
// at once instead of octet by octet: every frame counted hashes two or three addresses.
uint64_t MacBits(const MacAddress& mac) {
  uint32_t low;
  uint16_t high;
  std::memcpy(&low, mac.octets().data(), 4);
  std::memcpy(&high, mac.octets().data() + 4, 2);
  return uint64_t{high} << 32 | low;
}

// Management frames and non-QoS data share a transmitter's one sequence counter; QoS data
// counts per TID and control frames have none, so they stay out of the loss estimate.
bool CountsSequence(const FrameRecord& r) {
  if (!r.has_seq || r.seq.fragment() != 0) return false;
  if (r.fc.type() == FrameType::kManagement) return true;
  return r.fc.type() == FrameType::kData && (r.fc.subtype() & 0x8) == 0;
}

port::TimeNs AirtimeOf(const FrameRecord& r) {
  if (r.mcs != kNoMcs) return wire::HtAirtime(r.mcs, r.mcs_40mhz, r.mcs_short_gi, r.psdu_len);
  return wire::LegacyAirtime(r.rate_500kbps, r.short_preamble, r.psdu_len);
}

void CopySsid(ByteSpan ssid, StationStats& s) {
  s.ssid_len = static_cast<uint8_t>(std::min(ssid.size(), s.ssid.size()));
  std::memcpy(s.ssid.data(), ssid.data(), s.ssid_len);
}

}  // namespace

uint64_t MacHash::operator()(const MacAddress& mac) const { return Mix(MacBits(mac)); }
uint64_t LinkKeyHash::operator()(const LinkKey& key) const {
  return Mix(MacBits(key.sender) * 0x9e3779b97f4a7c15ull ^ MacBits(key.peer));
}

void SignalStats::Add(int8_t dbm) {
  if (count == 0 || dbm < min_dbm) min_dbm = dbm;
  if (count == 0 || dbm > max_dbm) max_dbm = dbm;
  last_dbm = dbm;
  sum_dbm += dbm;
  ++count;
}

int8_t SignalStats::mean_dbm() const {
  if (count == 0) return 0;
  // Round half away from zero; signal levels are negative.
  const int64_t n = count;
  const int64_t q = sum_dbm >= 0 ? (sum_dbm + n / 2) / n : -((-sum_dbm + n / 2) / n);
  return static_cast<int8_t>(q);
}

uint32_t SequenceTracker::Update(wire::SequenceControl seq, uint16_t max_gap) {
  const uint16_t number = seq.sequence();
  if (!valid) {
    valid = true;
    last = number;
    ++new_frames;
    return 0;
  }
  const uint16_t step = (number - last) & 0xfff;
  if (step == 0) return 0;  // a retransmission or a duplicate
  ++new_frames;
  last = number;
  return step <= max_gap ? step - 1u : 0u;
}

void Traffic::Count(const FrameRecord& r) {
  if (frames == 0) first_seen_ns = r.ts_ns;
  ++frames;
  bytes += r.frame_len;
  if (r.fc.retry()) ++retries;
  last_seen_ns = r.ts_ns;
  if (r.channel != 0) channel = r.channel;
  if (r.rate_500kbps != 0 || r.mcs != kNoMcs) {
    last_rate_500kbps = r.rate_500kbps;
    last_mcs = r.mcs;
  }
  if (r.has_rssi) signal.Add(r.rssi_dbm);
}

ChannelStats* ChannelUse::Get(uint8_t channel) {
  for (size_t i = 0; i < count_; ++i) {
    if (channels_[i].channel == channel) return &channels_[i];
  }
  if (count_ == kMaxChannels) return nullptr;
  // Keep them sorted by channel number for display.
  size_t at = count_;
  while (at > 0 && channels_[at - 1].channel > channel) {
    channels_[at] = channels_[at - 1];
    --at;
  }
  channels_[at] = ChannelStats{};
  channels_[at].channel = channel;
  ++count_;
  return &channels_[at];
}

void ChannelUse::Add(const FrameRecord& r) {
  if (!seen_ || r.ts_ns < first_ns_) first_ns_ = r.ts_ns;
  if (!seen_ || r.ts_ns > last_ns_) last_ns_ = r.ts_ns;
  seen_ = true;
  ChannelStats* c = Get(r.channel);
  if (c == nullptr) {
    ++overflow_frames_;
    return;
  }
  ++c->frames;
  c->bytes += r.frame_len;
  const port::TimeNs airtime = AirtimeOf(r);
  if (airtime == 0) {
    ++c->frames_without_rate;
  } else {
    c->airtime_ns += airtime;
  }
}

void ChannelUse::AddListenTime(uint8_t channel, port::TimeNs duration) {
  if (ChannelStats* c = Get(channel); c != nullptr && duration > 0) c->listen_ns += duration;
}

uint32_t ChannelUse::UtilizationPermille(const ChannelStats& c) const {
  const port::TimeNs over = c.listen_ns > 0 ? c.listen_ns : span_ns();
  if (over <= 0) return 0;
  const uint64_t permille =
      static_cast<uint64_t>(c.airtime_ns) * 1000 / static_cast<uint64_t>(over);
  return static_cast<uint32_t>(std::min<uint64_t>(permille, 1000));
}

Tables::Tables(std::span<StationTable::Slot> station_slots, std::span<uint32_t> station_buckets,
               std::span<LinkTable::Slot> link_slots, std::span<uint32_t> link_buckets,
               const TablesConfig& config)
    : config_(config),
      stations_(station_slots, station_buckets),
      links_(link_slots, link_buckets) {}

void Tables::Expire(port::TimeNs now) {
  if (config_.max_age_ns <= 0) return;
  const port::TimeNs oldest = now - config_.max_age_ns;
  auto stale = [oldest](const Traffic& t) { return t.last_seen_ns < oldest; };
  expired_ += stations_.RemoveOldestWhile(stale);
  expired_ += links_.RemoveOldestWhile(stale);
}

void Tables::TrackAssociation(const FrameRecord& r, StationStats& sender) {
  const bool response =
      r.fc.Is(MgmtSubtype::kAssocResponse) || r.fc.Is(MgmtSubtype::kReassocResponse);
  const bool leaving =
      r.fc.Is(MgmtSubtype::kDeauthentication) || r.fc.Is(MgmtSubtype::kDisassociation);
  if (!response && !leaving) return;
  const MacAddress to = r.addr1();
  if (leaving) {
    // Either side may end it; a group-addressed one from the AP ends every station's.
    if (sender.associated && sender.ap == to) sender.associated = false;
    if (to.is_multicast()) {
      stations_.ForEach([&](const MacAddress&, StationStats& s) {
        if (s.associated && s.ap == r.ta()) s.associated = false;
      });
    } else if (StationStats* station = stations_.Find(to);
               station != nullptr && station->associated && station->ap == r.ta()) {
      station->associated = false;
    }
    return;
  }
  Result<wire::Dot11View> frame = wire::Dot11View::Parse(r.mpdu);
  if (!frame.ok() || to.is_multicast()) return;
  Result<wire::AssocResponseView> answer = wire::AssocResponseView::Parse(*frame);
  if (!answer.ok() || answer->status_code() != wire::StatusCode::kSuccess) return;
  bool inserted;
  StationStats& station = stations_.Upsert(to, &inserted);
  station.associated = true;
  station.ap = r.ta();
  station.aid = answer->aid();
}

void Tables::Add(const FrameRecord& r) {
  channels_.Add(r);
  if (config_.max_age_ns > 0) Expire(r.ts_ns);
  if (!r.has_ta()) {
    ++no_transmitter_;
    return;
  }
  bool inserted;
  StationStats& s = stations_.Upsert(r.ta(), &inserted);
  s.Count(r);
  const uint16_t max_gap = config_.max_sequence_gap;
  if (CountsSequence(r)) {
    const uint32_t lost = s.seq.Update(r.seq, max_gap);
    s.lost += lost;
    s.unclaimed_lost += lost;
  }
  switch (r.fc.type()) {
    case FrameType::kManagement: ++s.mgmt_frames; break;
    case FrameType::kControl: ++s.ctrl_frames; break;
    case FrameType::kData: ++s.data_frames; break;
    default: break;
  }
  if (r.fc.Is(MgmtSubtype::kBeacon) || r.fc.Is(MgmtSubtype::kProbeResponse)) {
    s.is_ap = true;
    if (r.fc.Is(MgmtSubtype::kBeacon)) ++s.beacons;
    if (r.has_ssid) CopySsid(r.ssid, s);
  } else if (r.fc.Is(MgmtSubtype::kProbeRequest)) {
    ++s.probes;
    if (r.has_ssid && !r.ssid.empty()) CopySsid(r.ssid, s);
  }
  if (r.ds_channel != 0 && r.channel == 0) s.channel = r.ds_channel;
  TrackAssociation(r, s);
  MacAddress bssid;
  if (r.fc.type() != FrameType::kControl && r.bssid(&bssid) && !bssid.is_multicast()) {
    s.has_bssid = true;
    s.bssid = bssid;
  }
  if (!r.espnow) return;
  ++s.espnow_frames;

  LinkStats& link = links_.Upsert(LinkKey{r.addr2(), r.addr1()}, &inserted);
  link.Count(r);
  link.payload_bytes += r.espnow_payload_len;
  if (r.espnow_encrypted) {
    ++link.encrypted_frames;
  } else {
    link.version = r.espnow_version;
  }
  if (CountsSequence(r)) {
    // The sender numbers all its frames with one counter: numbers between two frames of
    // this link that went to other peers were heard and are not losses, and a number never
    // heard is claimed by the first link whose gap spans it, never by two.
    const uint64_t sender_frames = s.seq.new_frames;
    uint64_t gap = link.seq.Update(r.seq, max_gap);
    if (gap > 0 && link.sender_frames_at_last != 0 && sender_frames > link.sender_frames_at_last) {
      const uint64_t others = sender_frames - link.sender_frames_at_last - 1;
      gap = gap > others ? gap - others : 0;
    }
    const uint64_t claimed = std::min(gap, s.unclaimed_lost);
    link.lost += claimed;
    s.unclaimed_lost -= claimed;
    link.sender_frames_at_last = sender_frames;
  }
}

}  // namespace airlab::sniff
