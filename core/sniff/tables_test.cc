#include "core/sniff/tables.h"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "core/port/rng.h"
#include "core/sniff/sniff_testing.h"
#include "core/wire/airtime.h"
#include "core/wire/mgmt.h"
#include "core/wire/pcap.h"

namespace airlab::sniff {
namespace {

using testing::Bytes;

MacAddress Mac(uint32_t n) {
  return MacAddress({0x02, 0x00, static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
                     static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)});
}

// Decodes packets into records, keeping their bytes alive.
class Feeder {
 public:
  const FrameRecord& Decode(Bytes mpdu, int64_t ts_ns, testing::RadioFields radio = {}) {
    packets_.push_back(testing::WithRadiotap(mpdu, radio));
    EXPECT_TRUE(
        DecodePacket(wire::kLinkTypeIeee80211Radiotap, packets_.back(), 0, {}, scratch_, record_)
            .ok());
    record_.ts_ns = ts_ns;
    return record_;
  }

 private:
  std::vector<Bytes> packets_;
  std::array<std::byte, espnow::kMaxPayloadV2> scratch_;
  FrameRecord record_;
};

struct Small {
  TablesStorage<4, 4> storage;
  Tables tables{storage};
};

TEST(LruTable, Full_EvictsTheLeastRecentlySeen) {
  using Table = LruTable<MacAddress, int, MacHash>;
  std::array<Table::Slot, 3> slots;
  std::array<uint32_t, Table::BucketCountFor(3)> buckets;
  Table table(slots, buckets);
  bool inserted;
  for (uint32_t i = 0; i < 3; ++i) table.Upsert(Mac(i), &inserted) = static_cast<int>(i);
  table.Upsert(Mac(0), &inserted);  // 0 is now the most recent: 1 is the oldest
  EXPECT_FALSE(inserted);
  table.Upsert(Mac(3), &inserted) = 3;
  EXPECT_TRUE(inserted);
  EXPECT_EQ(table.size(), 3u);
  EXPECT_EQ(table.evictions(), 1u);
  EXPECT_EQ(table.Find(Mac(1)), nullptr);
  ASSERT_NE(table.Find(Mac(0)), nullptr);
  EXPECT_EQ(*table.Find(Mac(0)), 0);
  std::vector<int> order;
  table.ForEach([&](const MacAddress&, int v) { order.push_back(v); });
  EXPECT_EQ(order, (std::vector<int>{3, 0, 2}));
}

TEST(LruTable, RemoveOldestWhile_FreesSlotsForReuse) {
  using Table = LruTable<MacAddress, int, MacHash>;
  std::array<Table::Slot, 4> slots;
  std::array<uint32_t, Table::BucketCountFor(4)> buckets;
  Table table(slots, buckets);
  bool inserted;
  for (uint32_t i = 0; i < 4; ++i) table.Upsert(Mac(i), &inserted) = static_cast<int>(i);
  EXPECT_EQ(table.RemoveOldestWhile([](int v) { return v < 2; }), 2u);
  EXPECT_EQ(table.size(), 2u);
  table.Upsert(Mac(10), &inserted);
  table.Upsert(Mac(11), &inserted);
  EXPECT_EQ(table.size(), 4u);
  EXPECT_EQ(table.evictions(), 0u) << "freed slots are reused before anything is evicted";
}

TEST(LruTable, EndlessNewKeys_StayWithinCapacity) {
  // An endless live capture of ever new addresses (randomised MACs): the table is bounded
  // by its storage and says how many rows it dropped.
  using Table = LruTable<MacAddress, int, MacHash>;
  std::vector<Table::Slot> slots(64);
  std::vector<uint32_t> buckets(Table::BucketCountFor(64));
  Table table(slots, buckets);
  port::SplitMix64 rng(7);
  uint64_t inserts = 0;
  bool inserted;
  for (int i = 0; i < 200000; ++i) {
    // Every other frame from one of 8 regulars in turn, the rest from ever new addresses.
    const MacAddress mac = Mac(i % 2 ? (i / 2) % 8 : 1000 + rng.NextU32() % 100000000);
    table.Upsert(mac, &inserted);
    inserts += inserted;
    ASSERT_LE(table.size(), 64u);
  }
  EXPECT_EQ(table.size(), 64u);
  EXPECT_EQ(table.evictions(), inserts - 64);
  // The regulars are seen often enough to stay in the least-recently-used table.
  for (uint32_t r = 0; r < 8; ++r) EXPECT_NE(table.Find(Mac(r)), nullptr) << r;
}

TEST(SequenceTracker, GapsRetransmissionsWrapAndRestarts) {
  SequenceTracker t;
  auto seq = [](uint16_t n) { return wire::SequenceControl::Make(n); };
  EXPECT_EQ(t.Update(seq(4090), 256), 0u);
  EXPECT_EQ(t.Update(seq(4090), 256), 0u);  // retransmission
  EXPECT_EQ(t.Update(seq(4093), 256), 2u);  // 4091, 4092 missing
  EXPECT_EQ(t.Update(seq(1), 256), 3u);     // wraps: 4094, 4095, 0 missing
  EXPECT_EQ(t.Update(seq(2000), 256), 0u);  // a restart, not 1998 losses
  EXPECT_EQ(t.Update(seq(1990), 256), 0u);  // a step back
  EXPECT_EQ(t.new_frames, 5u);
}

TEST(Tables, Station_CountsFramesBytesRetriesSignalAndRate) {
  Small s;
  Feeder f;
  const MacAddress ap = Mac(1);
  testing::RadioFields r;
  r.channel = 6;
  r.rate_500kbps = 2;
  int64_t bytes = 0;
  const int8_t rssi[] = {-40, -50, -45, -61};
  for (uint16_t i = 0; i < 4; ++i) {
    r.rssi_dbm = rssi[i];
    const FrameRecord& rec =
        f.Decode(testing::Beacon(ap, "lab", 6, i == 3 ? 2 : i, i == 3), 1000 + i, r);
    bytes += rec.frame_len;
    s.tables.Add(rec);
  }
  const StationStats* st = s.tables.stations().Find(ap);
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(st->frames, 4u);
  EXPECT_EQ(st->bytes, static_cast<uint64_t>(bytes));
  EXPECT_EQ(st->retries, 1u);
  EXPECT_EQ(st->beacons, 4u);
  EXPECT_TRUE(st->is_ap);
  EXPECT_EQ(std::string(st->ssid.begin(), st->ssid.begin() + st->ssid_len), "lab");
  EXPECT_EQ(st->channel, 6);
  EXPECT_EQ(st->signal.min_dbm, -61);
  EXPECT_EQ(st->signal.max_dbm, -40);
  EXPECT_EQ(st->signal.mean_dbm(), -49);  // -196 / 4
  EXPECT_EQ(st->last_rate_500kbps, 2);
  EXPECT_EQ(st->first_seen_ns, 1000);
  EXPECT_EQ(st->last_seen_ns, 1003);
  EXPECT_EQ(st->lost, 0u);
  ASSERT_TRUE(st->has_bssid);
  EXPECT_EQ(st->bssid, ap);
}

// A management frame from `from` to `to` in the BSS `bssid`, built by core/wire.
template <typename Build>
Bytes Mgmt(const MacAddress& to, const MacAddress& from, const MacAddress& bssid, Build build) {
  Bytes bytes(128);
  ByteBuilder out(bytes);
  EXPECT_TRUE(build(out, wire::MgmtHeader{.addr1 = to, .addr2 = from, .addr3 = bssid}).ok());
  bytes.resize(out.size());
  return bytes;
}

TEST(Tables, Station_AssociationFromTheResponseUntilDeauthentication) {
  Small s;
  Feeder f;
  const MacAddress sta = Mac(2), ap = Mac(1), other = Mac(3);
  const auto response = [](uint16_t status, uint16_t aid) {
    return [=](ByteBuilder& out, const wire::MgmtHeader& h) {
      return wire::BuildAssocResponse(out, h, {.status_code = status, .aid = aid});
    };
  };
  s.tables.Add(f.Decode(testing::Data(1, ap, sta, ap, 10, 1), 1));
  ASSERT_NE(s.tables.stations().Find(sta), nullptr);
  EXPECT_FALSE(s.tables.stations().Find(sta)->associated);
  s.tables.Add(f.Decode(Mgmt(other, ap, ap, response(17, 0)), 2));  // refused: AP full
  EXPECT_EQ(s.tables.stations().Find(other), nullptr);
  s.tables.Add(f.Decode(Mgmt(sta, ap, ap, response(0, 3)), 3));
  const StationStats* st = s.tables.stations().Find(sta);
  ASSERT_NE(st, nullptr);
  EXPECT_TRUE(st->associated);
  EXPECT_EQ(st->ap, ap);
  EXPECT_EQ(st->aid, 3);
  // The station leaving ends it.
  s.tables.Add(f.Decode(Mgmt(ap, sta, ap,
                             [](ByteBuilder& out, const wire::MgmtHeader& h) {
                               return wire::BuildDeauthentication(out, h, 3);
                             }),
                        4));
  EXPECT_FALSE(s.tables.stations().Find(sta)->associated);
  // So does the AP's Disassociation to every station.
  s.tables.Add(f.Decode(Mgmt(sta, ap, ap, response(0, 1)), 5));
  EXPECT_TRUE(s.tables.stations().Find(sta)->associated);
  s.tables.Add(f.Decode(Mgmt(MacAddress::Broadcast(), ap, ap,
                             [](ByteBuilder& out, const wire::MgmtHeader& h) {
                               return wire::BuildDisassociation(out, h, 8);
                             }),
                        6));
  EXPECT_FALSE(s.tables.stations().Find(sta)->associated);
}

TEST(Tables, Station_LossFromSequenceGaps_IgnoresQosAndControl) {
  Small s;
  Feeder f;
  const MacAddress sta = Mac(2), ap = Mac(1), host = Mac(9);
  for (uint16_t seq : {10, 11, 14, 15, 15, 20})
    s.tables.Add(f.Decode(testing::Data(1, ap, sta, host, 10, seq), 1));
  // QoS data counts per TID, control frames have no sequence: neither adds loss.
  s.tables.Add(f.Decode(testing::Data(1, ap, sta, host, 10, 500, false, true), 2));
  s.tables.Add(f.Decode(testing::Rts(ap, sta), 3));
  const StationStats* st = s.tables.stations().Find(sta);
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(st->lost, 2u + 4u);
  EXPECT_EQ(st->frames, 8u);
  EXPECT_EQ(st->data_frames, 7u);
  EXPECT_EQ(st->ctrl_frames, 1u);
  EXPECT_FALSE(st->is_ap);
}

TEST(Tables, ProbeRequests_RememberTheProbedSsid) {
  Small s;
  Feeder f;
  s.tables.Add(f.Decode(testing::ProbeRequest(Mac(3), "home", 1), 1));
  s.tables.Add(f.Decode(testing::ProbeRequest(Mac(3), "", 2), 2));  // wildcard keeps "home"
  const StationStats* st = s.tables.stations().Find(Mac(3));
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(st->probes, 2u);
  EXPECT_EQ(std::string(st->ssid.begin(), st->ssid.begin() + st->ssid_len), "home");
}

TEST(Tables, EspnowLinks_PerSenderAndPeer_WithLossCorrectedForOtherPeers) {
  Small s;
  Feeder f;
  const MacAddress a = Mac(0xa), b = Mac(0xb), c = Mac(0xc);
  const std::array<std::byte, 20> payload{};
  uint16_t seq = 100;
  // a alternates between peers b and c with one counter: no loss on either link.
  for (int i = 0; i < 6; ++i) {
    const MacAddress& peer = i % 2 ? c : b;
    s.tables.Add(f.Decode(testing::EspNow(a, peer, payload, espnow::Version::kV1, seq++), i));
  }
  seq += 2;  // two frames never heard: whichever link they were for, that link gets them
  s.tables.Add(f.Decode(testing::EspNow(a, b, payload, espnow::Version::kV1, seq), 10));
  s.tables.Add(f.Decode(testing::EspNow(a, b, payload, espnow::Version::kV1, seq++, true), 11));
  s.tables.Add(
      f.Decode(testing::EspNow(a, c, payload, espnow::Version::kV1, seq++, false, true), 12));

  const LinkStats* ab = s.tables.links().Find(LinkKey{a, b});
  const LinkStats* ac = s.tables.links().Find(LinkKey{a, c});
  ASSERT_NE(ab, nullptr);
  ASSERT_NE(ac, nullptr);
  EXPECT_EQ(ab->frames, 5u);
  EXPECT_EQ(ab->retries, 1u);
  EXPECT_EQ(ab->payload_bytes, 5u * 20);
  EXPECT_EQ(ab->version, 1);
  EXPECT_EQ(ab->lost, 2u);
  EXPECT_EQ(ac->frames, 4u);
  EXPECT_EQ(ac->lost, 0u);
  EXPECT_EQ(ac->encrypted_frames, 1u);
  const StationStats* sender = s.tables.stations().Find(a);
  ASSERT_NE(sender, nullptr);
  EXPECT_EQ(sender->espnow_frames, 9u);
  EXPECT_EQ(sender->lost, 2u);
}

TEST(Tables, FullTables_EvictAndAgeOut) {
  TablesStorage<4, 2> storage;
  TablesConfig config;
  config.max_age_ns = 100;
  Tables tables(storage, config);
  Feeder f;
  for (uint32_t i = 0; i < 6; ++i) tables.Add(f.Decode(testing::Beacon(Mac(i), "x", 1, 1), 10 + i));
  EXPECT_EQ(tables.stations().size(), 4u);
  EXPECT_EQ(tables.stations().evictions(), 2u);
  EXPECT_EQ(tables.stations().Find(Mac(0)), nullptr);
  // 100 ns after the last one, everything older than ts - 100 goes.
  tables.Expire(115 + 100);
  EXPECT_EQ(tables.stations().size(), 0u);
  EXPECT_EQ(tables.expired(), 4u);
}

TEST(Tables, FramesWithoutTransmitter_CountOnTheChannelOnly) {
  Small s;
  Feeder f;
  s.tables.Add(f.Decode(testing::Ack(Mac(1)), 1));
  EXPECT_EQ(s.tables.stations().size(), 0u);
  EXPECT_EQ(s.tables.frames_without_transmitter(), 1u);
  ASSERT_EQ(s.tables.channels().channels().size(), 1u);
  EXPECT_EQ(s.tables.channels().channels()[0].frames, 1u);
}

TEST(ChannelUse, AirtimeOverSpanOrListenTime) {
  Small s;
  Feeder f;
  testing::RadioFields ch1, ch6;
  ch1.channel = 1;
  ch1.rate_500kbps = 2;
  ch6.channel = 6;
  ch6.rate_500kbps = 108;
  const FrameRecord& a = f.Decode(testing::Beacon(Mac(1), "a", 1, 1), 0, ch1);
  const port::TimeNs air1 = wire::LegacyAirtime(2, false, a.psdu_len);
  s.tables.Add(a);
  const FrameRecord& b = f.Decode(testing::Beacon(Mac(2), "b", 6, 1), 10 * air1, ch6);
  const port::TimeNs air6 = wire::LegacyAirtime(108, false, b.psdu_len);
  s.tables.Add(b);
  auto channels = s.tables.channels().channels();
  ASSERT_EQ(channels.size(), 2u);
  EXPECT_EQ(channels[0].channel, 1);
  EXPECT_EQ(channels[0].airtime_ns, air1);
  EXPECT_EQ(channels[1].airtime_ns, air6);
  // No hopper: over the capture's span (10 frames' worth of channel-1 airtime).
  EXPECT_EQ(s.tables.channels().UtilizationPermille(channels[0]), 100u);
  // A hopper's listen time takes over for that channel.
  s.tables.channels().AddListenTime(1, 2 * air1);
  EXPECT_EQ(s.tables.channels().UtilizationPermille(s.tables.channels().channels()[0]), 500u);
}

}  // namespace
}  // namespace airlab::sniff
