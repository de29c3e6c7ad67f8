#pragma once
// The sniffer's live tables, fed one FrameRecord at a time:
// - stations: every transmitter (802.11 TA) with frames, bytes, retries, signal, rate,
//   loss estimated from sequence-number gaps, channel, the SSID an access point beacons or
//   a station probes for, and the access point a station is associated with;
// - ESP-NOW links: sender -> peer (addr2 -> addr1) with the same counters plus encryption
//   and version;
// - channels: frames, bytes and airtime per channel, and the share of time the air was busy.
// Station and link tables have a fixed row capacity over caller storage; when full, the
// row seen least recently is evicted and counted, and rows can age out.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/base/mac_address.h"
#include "core/port/clock.h"
#include "core/sniff/lru_table.h"
#include "core/sniff/record.h"
#include "core/wire/elements.h"

namespace airlab::sniff {

// Received signal strength: minimum, maximum, mean and last.
struct SignalStats {
  uint32_t count = 0;
  int8_t min_dbm = 0;
  int8_t max_dbm = 0;
  int8_t last_dbm = 0;
  int64_t sum_dbm = 0;

  void Add(int8_t dbm);
  // Rounded to the nearest dBm; 0 when count is 0.
  int8_t mean_dbm() const;
};

// Follows one transmitter's 12-bit sequence numbers. A retransmission (retry bit, same
// number) is not new; a step forward of up to max_gap numbers means step - 1 frames were
// not heard; anything else (a step back, a long jump, a restart) resynchronises without
// counting loss.
struct SequenceTracker {
  bool valid = false;
  uint16_t last = 0;
  uint64_t new_frames = 0;  // frames that carried a sequence number not seen just before

  // Returns the frames missing before this one.
  uint32_t Update(wire::SequenceControl seq, uint16_t max_gap);
};

// What stations and links both count.
struct Traffic {
  uint64_t frames = 0;
  uint64_t bytes = 0;  // FrameRecord::frame_len, as Wireshark's statistics count them
  uint64_t retries = 0;
  uint64_t lost = 0;  // estimated from sequence gaps
  int64_t first_seen_ns = 0;
  int64_t last_seen_ns = 0;
  uint8_t channel = 0;  // where it was heard last (0: unknown)
  uint8_t last_rate_500kbps = 0;
  uint8_t last_mcs = kNoMcs;
  SignalStats signal;
  SequenceTracker seq;

  void Count(const FrameRecord& r);
};

struct StationStats : Traffic {
  uint64_t mgmt_frames = 0;
  uint64_t ctrl_frames = 0;
  uint64_t data_frames = 0;
  uint64_t beacons = 0;
  uint64_t probes = 0;          // probe requests sent
  uint64_t espnow_frames = 0;   // ESP-NOW frames sent
  uint64_t unclaimed_lost = 0;  // of `lost`, not yet attributed to an ESP-NOW link
  bool is_ap = false;           // sent beacons or probe responses
  bool has_bssid = false;       // the BSS it last sent a frame in (an AP: its own)
  MacAddress bssid;
  // Its association as the air showed it: an Association Response with status 0 from `ap`
  // (association ID `aid`), until a Deauthentication or Disassociation either way.
  bool associated = false;
  uint16_t aid = 0;
  MacAddress ap;
  // An AP's SSID (from its beacons), a station's last probed SSID; not text necessarily.
  uint8_t ssid_len = 0;
  std::array<uint8_t, wire::kMaxSsidSize> ssid{};
};

struct LinkKey {
  MacAddress sender;
  MacAddress peer;
  friend bool operator==(const LinkKey&, const LinkKey&) = default;
};

struct LinkStats : Traffic {
  uint64_t payload_bytes = 0;
  uint64_t encrypted_frames = 0;
  uint8_t version = 0;  // of the last unencrypted frame
  // The sender's SequenceTracker::new_frames when this link's last frame came, to tell
  // gaps filled by frames to other peers from frames lost (see README "Loss").
  uint64_t sender_frames_at_last = 0;
};

struct MacHash {
  uint64_t operator()(const MacAddress& mac) const;
};
struct LinkKeyHash {
  uint64_t operator()(const LinkKey& key) const;
};

struct ChannelStats {
  uint8_t channel = 0;  // 0: frames whose capture header gave no channel
  uint64_t frames = 0;
  uint64_t bytes = 0;
  port::TimeNs airtime_ns = 0;
  uint64_t frames_without_rate = 0;  // no airtime could be computed for these
  port::TimeNs listen_ns = 0;        // time a hopper spent on this channel
};

class ChannelUse {
 public:
  static constexpr size_t kMaxChannels = 32;

  void Add(const FrameRecord& r);
  // A hopper reports the time it listened on a channel.
  void AddListenTime(uint8_t channel, port::TimeNs duration);

  std::span<const ChannelStats> channels() const { return {channels_.data(), count_}; }
  // Frames on channels beyond kMaxChannels distinct ones (counted, not tabled).
  uint64_t overflow_frames() const { return overflow_frames_; }
  // Airtime over listen time in parts per thousand (capped at 1000). A channel without
  // listen time (no hopper: a fixed channel or a file) is measured over the capture's span,
  // from the first frame to the last; 0 while that span is empty.
  uint32_t UtilizationPermille(const ChannelStats& channel) const;
  port::TimeNs span_ns() const { return seen_ ? last_ns_ - first_ns_ : 0; }

 private:
  ChannelStats* Get(uint8_t channel);

  std::array<ChannelStats, kMaxChannels> channels_{};
  size_t count_ = 0;
  uint64_t overflow_frames_ = 0;
  bool seen_ = false;
  int64_t first_ns_ = 0;
  int64_t last_ns_ = 0;
};

struct TablesConfig {
  // Rows not seen for this long are dropped (airodump-ng: 120 s); 0 keeps them until
  // evicted for room.
  port::TimeNs max_age_ns = 0;
  // The longest sequence step counted as loss; longer ones are restarts.
  uint16_t max_sequence_gap = 256;
};

template <size_t kStations, size_t kLinks>
struct TablesStorage;

class Tables {
 public:
  using StationTable = LruTable<MacAddress, StationStats, MacHash>;
  using LinkTable = LruTable<LinkKey, LinkStats, LinkKeyHash>;

  Tables(std::span<StationTable::Slot> station_slots, std::span<uint32_t> station_buckets,
         std::span<LinkTable::Slot> link_slots, std::span<uint32_t> link_buckets,
         const TablesConfig& config = {});
  template <size_t kStations, size_t kLinks>
  explicit Tables(TablesStorage<kStations, kLinks>& storage, const TablesConfig& config = {})
      : Tables(storage.station_slots, storage.station_buckets, storage.link_slots,
               storage.link_buckets, config) {}

  // Counts one frame (bad-FCS frames should not come here: their addresses are unreliable).
  void Add(const FrameRecord& r);
  // Drops rows older than max_age_ns at `now` (a live display calls this between frames).
  void Expire(port::TimeNs now);

  const StationTable& stations() const { return stations_; }
  const LinkTable& links() const { return links_; }
  ChannelUse& channels() { return channels_; }
  const ChannelUse& channels() const { return channels_; }
  // Rows aged out (Expire and max_age_ns), apart from the tables' evictions for room.
  uint64_t expired() const { return expired_; }
  // Frames with no transmitter address (ACK, CTS): counted per channel only.
  uint64_t frames_without_transmitter() const { return no_transmitter_; }

 private:
  // Association Responses, Deauthentications and Disassociations: `sender` is the row of
  // the frame's transmitter.
  void TrackAssociation(const FrameRecord& r, StationStats& sender);

  TablesConfig config_;
  StationTable stations_;
  LinkTable links_;
  ChannelUse channels_;
  uint64_t expired_ = 0;
  uint64_t no_transmitter_ = 0;
};

// Inline storage for Tables with capacities fixed at compile time (a device); hosts that
// size tables at run time hold the same arrays in vectors.
template <size_t kStations, size_t kLinks>
struct TablesStorage {
  std::array<Tables::StationTable::Slot, kStations> station_slots;
  std::array<uint32_t, Tables::StationTable::BucketCountFor(kStations)> station_buckets;
  std::array<Tables::LinkTable::Slot, kLinks> link_slots;
  std::array<uint32_t, Tables::LinkTable::BucketCountFor(kLinks)> link_buckets;
};

}  // namespace airlab::sniff
