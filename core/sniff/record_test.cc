#include "core/sniff/record.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "core/base/bytes_testing.h"
#include "core/sniff/sniff_testing.h"
#include "core/wire/pcap.h"

namespace airlab::sniff {
namespace {

using testing::Bytes;

const MacAddress kA({0x02, 0, 0, 0, 0, 0x0a});
const MacAddress kB({0x02, 0, 0, 0, 0, 0x0b});
const MacAddress kC({0x02, 0, 0, 0, 0, 0x0c});

std::array<std::byte, espnow::kMaxPayloadV2> scratch;

// The record points into `packet`: keep it alive while reading the record.
FrameRecord Decode(const Bytes& packet, uint32_t link_type = wire::kLinkTypeIeee80211Radiotap,
                   DecodeOptions options = {}, uint32_t origlen = 0) {
  FrameRecord r;
  EXPECT_TRUE(DecodePacket(link_type, packet, origlen, options, scratch, r).ok());
  return r;
}

TEST(DecodePacket, RadiotapBeacon_FillsRadioFieldsAndSsid) {
  testing::RadioFields radio;
  radio.channel = 6;
  radio.rssi_dbm = -42;
  radio.rate_500kbps = 2;
  const Bytes packet = testing::WithRadiotap(testing::Beacon(kA, "lab", 6, 77), radio);
  const FrameRecord r = Decode(packet);
  EXPECT_EQ(r.frame_len, packet.size());
  EXPECT_EQ(r.channel, 6);
  ASSERT_TRUE(r.has_rssi);
  EXPECT_EQ(r.rssi_dbm, -42);
  EXPECT_EQ(r.rate_500kbps, 2);
  EXPECT_FALSE(r.bad_fcs);
  EXPECT_TRUE(r.fc.Is(wire::MgmtSubtype::kBeacon));
  EXPECT_EQ(r.type_subtype(), 0x08);
  EXPECT_EQ(r.ta(), kA);
  EXPECT_EQ(r.seq.sequence(), 77);
  ASSERT_TRUE(r.has_ssid);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(r.ssid.data()), r.ssid.size()), "lab");
  EXPECT_EQ(r.ds_channel, 6);
  EXPECT_FALSE(r.espnow);
  // The FCS is on the air but not in the MPDU the record points at.
  EXPECT_EQ(r.psdu_len, r.mpdu.size() + 4);
}

TEST(DecodePacket, EspnowV2OverSeveralElements_JoinsThePayload) {
  Bytes payload(600);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::byte>(i % 251);
  const Bytes packet =
      testing::WithRadiotap(testing::EspNow(kA, kB, payload, espnow::Version::kV2, 9, true), {});
  const FrameRecord r = Decode(packet);
  ASSERT_TRUE(r.espnow);
  EXPECT_FALSE(r.espnow_encrypted);
  EXPECT_EQ(r.espnow_version, 2);
  EXPECT_EQ(r.espnow_elements, 3);
  EXPECT_EQ(r.espnow_payload_len, 600);
  AIRLAB_EXPECT_BYTES_EQ(r.espnow_payload, payload);
  EXPECT_TRUE(r.fc.retry());
}

TEST(DecodePacket, EncryptedEspnow_IsEspnowWithoutPayload) {
  const std::array<std::byte, 10> payload{};
  const FrameRecord r = Decode(testing::WithRadiotap(
      testing::EspNow(kA, kB, payload, espnow::Version::kV1, 1, false, true), {}));
  EXPECT_TRUE(r.espnow);
  EXPECT_TRUE(r.espnow_encrypted);
  EXPECT_EQ(r.espnow_payload_len, 0);
}

TEST(DecodePacket, EspnowCutShort_IsPlain80211MarkedMalformed) {
  Bytes frame = testing::EspNow(kA, kB, {}, espnow::Version::kV1, 1);
  frame.resize(wire::kMgmtHeaderSize + espnow::kActionHeaderSize + 2);
  const FrameRecord r = Decode(frame, wire::kLinkTypeIeee80211);
  EXPECT_FALSE(r.espnow);
  EXPECT_TRUE(r.espnow_malformed);
  EXPECT_EQ(r.ta(), kA);
}

TEST(DecodePacket, TruncatedHeader_ReturnsOutOfRange) {
  Bytes frame = testing::Beacon(kA, "x", 1, 1);
  frame.resize(15);
  FrameRecord r;
  EXPECT_EQ(DecodePacket(wire::kLinkTypeIeee80211, frame, 0, {}, scratch, r), Status::OutOfRange());
}

TEST(DecodePacket, RadiotapLengthPastPacket_IsAnError) {
  Bytes packet = testing::WithRadiotap(testing::Ack(kA), {});
  packet[2] = std::byte{0xff};  // it_len 0x..ff: longer than the packet
  FrameRecord r;
  EXPECT_FALSE(DecodePacket(wire::kLinkTypeIeee80211Radiotap, packet, 0, {}, scratch, r).ok());
}

TEST(DecodePacket, WithoutRadio_StopsAfterFlagsButKeepsTheFcsFlags) {
  testing::RadioFields radio;
  radio.bad_fcs = true;
  radio.rssi_dbm = -30;
  DecodeOptions options;
  options.radio = false;
  const Bytes packet = testing::WithRadiotap(testing::Beacon(kA, "x", 1, 1), radio);
  const FrameRecord r = Decode(packet, wire::kLinkTypeIeee80211Radiotap, options);
  EXPECT_FALSE(r.has_rssi);
  EXPECT_EQ(r.channel, 0);
  EXPECT_TRUE(r.bad_fcs);
  EXPECT_EQ(r.psdu_len, r.mpdu.size() + 4) << "the FCS was found and stripped";
  EXPECT_EQ(r.ta(), kA);
}

TEST(DecodePacket, OtherLinkType_ReturnsUnimplemented) {
  FrameRecord r;
  EXPECT_EQ(DecodePacket(1, testing::Ack(kA), 0, {}, scratch, r), Status::Unimplemented());
}

TEST(DecodePacket, VerifyFcs_FindsACorruptFrameTheHeaderCalledGood) {
  Bytes packet = testing::WithRadiotap(testing::Ack(kA), {});
  packet.back() ^= std::byte{1};
  EXPECT_FALSE(Decode(packet).bad_fcs);
  DecodeOptions verify;
  verify.verify_fcs = true;
  EXPECT_TRUE(Decode(packet, wire::kLinkTypeIeee80211Radiotap, verify).bad_fcs);
}

TEST(DecodePacket, BadFcsFlag_MarksTheRecord) {
  testing::RadioFields radio;
  radio.bad_fcs = true;
  EXPECT_TRUE(Decode(testing::WithRadiotap(testing::Ack(kA), radio)).bad_fcs);
}

TEST(DecodePacket, CutBySnaplen_CountsTheOriginalLength) {
  const Bytes full = testing::WithRadiotap(testing::Data(1, kA, kB, kC, 500, 3), {});
  const Bytes cut(full.begin(), full.begin() + 100);
  const FrameRecord r =
      Decode(cut, wire::kLinkTypeIeee80211Radiotap, {}, static_cast<uint32_t>(full.size()));
  EXPECT_EQ(r.frame_len, full.size());
  EXPECT_EQ(r.psdu_len, Decode(full).psdu_len);
}

TEST(FrameRecord, Addresses_FollowTheDsBits) {
  MacAddress sa, da, bssid;
  // The record reads addresses from the frame's bytes: keep them alive.
  const Bytes to_ds = testing::Data(1, kA, kB, kC, 10, 1);
  const Bytes from_ds = testing::Data(2, kA, kB, kC, 10, 1);
  const Bytes wds = testing::Data(3, kA, kB, kC, 10, 1);
  const Bytes rts = testing::Rts(kA, kB);
  const Bytes ack = testing::Ack(kA);
  // To DS: A1 BSSID, A2 SA, A3 DA.
  FrameRecord r = Decode(to_ds, wire::kLinkTypeIeee80211);
  ASSERT_TRUE(r.sa(&sa) && r.da(&da) && r.bssid(&bssid));
  EXPECT_EQ(sa, kB);
  EXPECT_EQ(da, kC);
  EXPECT_EQ(bssid, kA);
  // From DS: A1 DA, A2 BSSID, A3 SA.
  r = Decode(from_ds, wire::kLinkTypeIeee80211);
  ASSERT_TRUE(r.sa(&sa) && r.da(&da) && r.bssid(&bssid));
  EXPECT_EQ(sa, kC);
  EXPECT_EQ(da, kA);
  EXPECT_EQ(bssid, kB);
  // WDS: four addresses, SA is A4, no BSSID.
  r = Decode(wds, wire::kLinkTypeIeee80211);
  EXPECT_EQ(r.addr_count, 4);
  EXPECT_FALSE(r.bssid(&bssid));
  ASSERT_TRUE(r.sa(&sa));
  EXPECT_EQ(sa, MacAddress::FromBytes(ByteSpan(wds).subspan(24, 6)));
  // Control frames have a TA (RTS) or not (ACK), never an SA.
  r = Decode(rts, wire::kLinkTypeIeee80211);
  EXPECT_TRUE(r.has_ta());
  EXPECT_EQ(r.ta(), kB);
  EXPECT_FALSE(r.sa(&sa));
  r = Decode(ack, wire::kLinkTypeIeee80211);
  EXPECT_FALSE(r.has_ta());
  EXPECT_EQ(r.ra(), kA);
  EXPECT_EQ(r.addr2(), MacAddress()) << "absent addresses read as zero";
}

TEST(DecodeRadioFrame, TakesTheRadiosFigures) {
  port::RxInfo info;
  info.rssi_dbm = -71;
  info.noise_dbm = -95;
  info.channel = 11;
  info.rate = port::Rate::k54Mbps;
  info.timestamp = 1234;
  info.fcs_ok = false;
  const Bytes frame = testing::Beacon(kA, "n", 11, 5);
  FrameRecord r;
  ASSERT_TRUE(DecodeRadioFrame(frame, info, 16, {}, scratch, r).ok());
  EXPECT_EQ(r.ts_ns, 1234);
  EXPECT_EQ(r.frame_len, frame.size() + 16);
  EXPECT_EQ(r.psdu_len, frame.size() + 4);
  EXPECT_EQ(r.channel, 11);
  EXPECT_EQ(r.rssi_dbm, -71);
  EXPECT_EQ(r.noise_dbm, -95);
  EXPECT_EQ(r.rate_500kbps, 108);
  EXPECT_TRUE(r.bad_fcs);
}

}  // namespace
}  // namespace airlab::sniff
