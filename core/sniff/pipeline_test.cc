#include "core/sniff/pipeline.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "core/base/bytes_testing.h"
#include "core/port/rng.h"
#include "core/sniff/pcapng_sink.h"
#include "core/sniff/sniff_testing.h"
#include "core/wire/pcap.h"
#include "core/wire/pcapng.h"
#include "core/wire/radiotap.h"

namespace airlab::sniff {
namespace {

using testing::Bytes;

const MacAddress kA({0x02, 0, 0, 0, 0, 0x0a});
const MacAddress kB({0x02, 0, 0, 0, 0, 0x0b});

// A radio whose air is the test: Hear() delivers a frame as the hardware would.
class FakeRadio final : public port::Radio {
 public:
  void Hear(ByteSpan mpdu, const port::RxInfo& info) { Deliver(mpdu, info); }
  std::vector<uint8_t> channels;
  bool refuse_channel = false;

 protected:
  Status DoSetEnabled(bool) override { return Status::Ok(); }
  Status DoTransmit(ByteSpan, const port::TxOptions&) override { return Status::Ok(); }
  Status DoSetChannel(uint8_t channel) override {
    if (refuse_channel) return Status::Unavailable();
    channels.push_back(channel);
    return Status::Ok();
  }
  Status DoSetAddress(port::Interface, const MacAddress&) override { return Status::Ok(); }
  Status DoSetPromiscuous(bool) override { return Status::Ok(); }
};

struct CollectingSink final : PacketSink {
  Status Write(const Packet& packet, const FrameRecord& record) override {
    packets.emplace_back(packet.data.begin(), packet.data.end());
    link_types.push_back(packet.link_type);
    espnow.push_back(record.espnow);
    return Status::Ok();
  }
  std::vector<Bytes> packets;
  std::vector<uint32_t> link_types;
  std::vector<bool> espnow;
};

struct MemoryBytes final : ByteSink {
  Status Write(ByteSpan bytes) override {
    data.insert(data.end(), bytes.begin(), bytes.end());
    return Status::Ok();
  }
  Bytes data;
};

Packet RadiotapPacket(const Bytes& bytes, int64_t ts = 0) {
  return Packet{ts, wire::kLinkTypeIeee80211Radiotap, bytes, 0};
}

TEST(Pipeline, FileFrames_DecodedFilteredCountedWritten) {
  Filter filter;
  ASSERT_TRUE(filter.Compile("espnow").ok());
  TablesStorage<8, 8> storage;
  Tables tables(storage);
  CollectingSink sink;
  Pipeline pipeline(filter, &tables, &sink);

  const std::array<std::byte, 4> payload{};
  const Bytes espnow =
      testing::WithRadiotap(testing::EspNow(kA, kB, payload, espnow::Version::kV1, 1), {});
  const Bytes beacon = testing::WithRadiotap(testing::Beacon(kB, "x", 1, 1), {});
  Bytes cut = testing::Beacon(kB, "x", 1, 2);
  cut.resize(9);
  const Bytes malformed = testing::WithRadiotap(cut, {});
  testing::RadioFields bad;
  bad.bad_fcs = true;
  const Bytes corrupt =
      testing::WithRadiotap(testing::EspNow(kA, kB, payload, espnow::Version::kV1, 2), bad);

  EXPECT_TRUE(pipeline.AddPacket(RadiotapPacket(espnow, 5)).ok());
  EXPECT_TRUE(pipeline.AddPacket(RadiotapPacket(beacon)).ok());
  EXPECT_FALSE(pipeline.AddPacket(RadiotapPacket(malformed)).ok());
  EXPECT_TRUE(pipeline.AddPacket(RadiotapPacket(corrupt)).ok());
  EXPECT_EQ(pipeline.AddPacket(Packet{0, 1, beacon, 0}), Status::Unimplemented());

  const PipelineStats& stats = pipeline.stats();
  EXPECT_EQ(stats.packets, 5u);
  EXPECT_EQ(stats.malformed, 1u);
  EXPECT_EQ(stats.unsupported, 1u);
  EXPECT_EQ(stats.bad_fcs, 1u);
  EXPECT_EQ(stats.espnow, 2u);
  EXPECT_EQ(stats.filtered_out, 1u);
  EXPECT_EQ(stats.matched, 1u);
  ASSERT_EQ(sink.packets.size(), 1u);
  EXPECT_EQ(sink.packets[0], espnow);
  EXPECT_EQ(tables.links().size(), 1u);
  EXPECT_EQ(tables.stations().size(), 1u) << "the beacon was filtered out before the tables";
}

TEST(Pipeline, PayloadFilter_JoinsV2PayloadsOnlyWhenItTestsThem) {
  // A v2 payload over three elements of 250 bytes: "t=2" straddles the first two.
  Bytes payload(600, std::byte{'x'});
  payload[249] = std::byte{'t'};
  payload[250] = std::byte{'='};
  payload[251] = std::byte{'2'};
  const Bytes frame =
      testing::WithRadiotap(testing::EspNow(kA, kB, payload, espnow::Version::kV2, 1), {});
  for (const char* expr : {"espnow.payload contains \"t=2\"", "espnow.len == 600"}) {
    Filter filter;
    ASSERT_TRUE(filter.Compile(expr).ok());
    CollectingSink sink;
    Pipeline pipeline(filter, nullptr, &sink);
    ASSERT_TRUE(pipeline.AddPacket(RadiotapPacket(frame)).ok());
    EXPECT_EQ(pipeline.stats().matched, 1u) << expr;
  }
}

TEST(Pipeline, KeepBadFcs_WritesThemAndCountsOnlyAirtime) {
  Filter all;
  TablesStorage<8, 8> storage;
  Tables tables(storage);
  CollectingSink sink;
  PipelineConfig config;
  config.keep_bad_fcs = true;
  Pipeline pipeline(all, &tables, &sink, config);
  testing::RadioFields bad;
  bad.bad_fcs = true;
  const Bytes corrupt = testing::WithRadiotap(testing::Beacon(kA, "x", 1, 1), bad);
  EXPECT_TRUE(pipeline.AddPacket(RadiotapPacket(corrupt)).ok());
  EXPECT_EQ(sink.packets.size(), 1u);
  EXPECT_EQ(tables.stations().size(), 0u);
  ASSERT_EQ(tables.channels().channels().size(), 1u);
  EXPECT_GT(tables.channels().channels()[0].airtime_ns, 0);
}

TEST(Pipeline, RadioInPromiscuousMode_FramesGetRadiotapFromRxInfo) {
  Filter all;
  TablesStorage<8, 8> storage;
  Tables tables(storage);
  CollectingSink sink;
  PipelineConfig config;
  config.radio_time_offset_ns = 1'000'000'000;
  Pipeline pipeline(all, &tables, &sink, config);
  FakeRadio radio;
  radio.SetListener(&pipeline);
  ASSERT_TRUE(radio.SetPromiscuous(true).ok());

  const std::array<std::byte, 7> payload{};
  const Bytes frame = testing::EspNow(kA, kB, payload, espnow::Version::kV1, 1);
  port::RxInfo info;
  info.rssi_dbm = -58;
  info.noise_dbm = -94;
  info.channel = 11;
  info.rate = port::Rate::k1Mbps;
  info.timestamp = 500;
  radio.Hear(frame, info);
  radio.Hear(testing::Ack(kA), info);  // a control frame to someone else: promiscuous keeps it

  ASSERT_EQ(sink.packets.size(), 2u);
  EXPECT_EQ(sink.link_types[0], wire::kLinkTypeIeee80211Radiotap);
  auto radiotap = wire::RadiotapView::Parse(sink.packets[0]);
  ASSERT_TRUE(radiotap.ok());
  EXPECT_EQ(radiotap->header().size(), kRadioCaptureHeaderSize);
  EXPECT_EQ(radiotap->info().signal_dbm, -58);
  EXPECT_EQ(radiotap->info().noise_dbm, -94);
  EXPECT_EQ(radiotap->info().rate_500kbps, 2);
  ASSERT_TRUE(radiotap->info().channel.has_value());
  EXPECT_EQ(radiotap->info().channel->freq_mhz, 2462);
  AIRLAB_EXPECT_BYTES_EQ(radiotap->payload(), frame);
  const LinkStats* link = tables.links().Find(LinkKey{kA, kB});
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->first_seen_ns, 1'000'000'500);
  EXPECT_EQ(link->bytes, sink.packets[0].size());
  EXPECT_EQ(link->signal.last_dbm, -58);
  EXPECT_EQ(tables.frames_without_transmitter(), 1u);
}

TEST(Pipeline, EndlessLiveCapture_MemoryStaysBounded) {
  // Every frame from a new random (locally administered) sender, as phones that randomise
  // their MAC produce: the tables stay at their capacity and count what they evicted.
  Filter all;
  TablesStorage<32, 16> storage;
  Tables tables(storage);
  Pipeline pipeline(all, &tables, nullptr);
  FakeRadio radio;
  radio.SetListener(&pipeline);
  ASSERT_TRUE(radio.SetPromiscuous(true).ok());
  port::SplitMix64 rng(3);
  const std::array<std::byte, 3> payload{};
  port::RxInfo info;
  info.channel = 1;
  constexpr int kFrames = 100000;
  for (int i = 0; i < kFrames; ++i) {
    const MacAddress sender(
        {0x02, 0x11, static_cast<uint8_t>(rng.NextU32()), static_cast<uint8_t>(rng.NextU32()),
         static_cast<uint8_t>(rng.NextU32()), static_cast<uint8_t>(rng.NextU32())});
    info.timestamp = i * 1000;
    radio.Hear(testing::EspNow(sender, MacAddress::Broadcast(), payload, espnow::Version::kV1, 1),
               info);
    ASSERT_LE(tables.stations().size(), 32u);
    ASSERT_LE(tables.links().size(), 16u);
  }
  EXPECT_EQ(pipeline.stats().matched, static_cast<uint64_t>(kFrames));
  EXPECT_EQ(tables.stations().size(), 32u);
  EXPECT_GE(tables.stations().evictions(), kFrames - 32u - 10);  // a few senders repeat
  EXPECT_EQ(tables.stations().evictions() + tables.stations().size(),
            tables.links().evictions() + tables.links().size())
      << "every new sender is a new station and a new link";
}

TEST(PcapngSink, WritesInterfacesPacketsAndEspnowComments) {
  MemoryBytes bytes;
  std::vector<std::byte> scratch(kPcapngSinkScratchSize);
  PcapngSinkOptions options;
  options.espnow_comments = true;
  PcapngSink sink(bytes, scratch, options);
  Filter all;
  Pipeline pipeline(all, nullptr, &sink);
  const std::array<std::byte, 12> payload{};
  const Bytes espnow =
      testing::WithRadiotap(testing::EspNow(kA, kB, payload, espnow::Version::kV1, 1), {});
  const Bytes bare = testing::Beacon(kA, "x", 1, 1);

  EXPECT_EQ(sink.Write(RadiotapPacket(espnow), FrameRecord{}), Status::FailedPrecondition());
  ASSERT_TRUE(sink.Start().ok());
  ASSERT_TRUE(pipeline.AddPacket(RadiotapPacket(espnow, 1'700'000'000'123'456'789)).ok());
  ASSERT_TRUE(pipeline.AddPacket(Packet{7, wire::kLinkTypeIeee80211, bare, 0}).ok());
  EXPECT_EQ(pipeline.stats().sink_errors, 0u);

  std::array<wire::PcapngInterface, 4> interfaces;
  auto reader = wire::PcapngReader::Open(bytes.data, interfaces);
  ASSERT_TRUE(reader.ok());
  auto first = reader->Next();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->link_type, wire::kLinkTypeIeee80211Radiotap);
  EXPECT_EQ(first->ts_ns, 1'700'000'000'123'456'789);
  AIRLAB_EXPECT_BYTES_EQ(first->data, espnow);
  EXPECT_EQ(first->comment, "ESP-NOW v1 02:00:00:00:00:0a > 02:00:00:00:00:0b 12 B");
  auto second = reader->Next();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->link_type, wire::kLinkTypeIeee80211);
  EXPECT_EQ(second->comment, "");
  EXPECT_TRUE(reader->at_end());
  EXPECT_EQ(reader->interfaces().size(), 2u);
}

}  // namespace
}  // namespace airlab::sniff
