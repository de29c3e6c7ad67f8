#include "core/sniff/record.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

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

// A radiotap header as Linux writes one for a two-chain radio: three present words (the
// combined figures, then a radiotap namespace per chain), TSFT, flags (FCS at the end),
// rate, channel 6, signal -40 dBm and RX flags, then signal and antenna per chain.
// With `chain1_noise`, the last word says noise instead of antenna: the same first word and
// length, another layout.
Bytes LinuxRadiotap(const Bytes& mpdu_with_fcs, bool chain1_noise = false) {
  const Bytes header = {
      std::byte{0},    std::byte{0},    std::byte{38},   std::byte{0},  // version, pad, it_len
      std::byte{0x2f}, std::byte{0x40}, std::byte{0x00}, std::byte{0xa0},  // TSFT..signal, RX flags, ns, ext
      std::byte{0x20}, std::byte{0x08}, std::byte{0x00}, std::byte{0xa0},  // signal, antenna, ns, ext
      std::byte{0x20}, std::byte{0x08}, std::byte{0x00}, std::byte{0x00},  // signal, antenna
      std::byte{1},    std::byte{2},    std::byte{3},    std::byte{4},     // TSFT
      std::byte{5},    std::byte{6},    std::byte{7},    std::byte{8},    std::byte{0x10},
      std::byte{12},                                                       // flags, rate
      std::byte{0x85}, std::byte{0x09}, std::byte{0xc0}, std::byte{0x00},  // 2437 MHz, flags
      std::byte{0xd8}, std::byte{0},    std::byte{0},    std::byte{0},     // -40 dBm, pad, RX flags
      std::byte{0xd6}, std::byte{0},  // chain 0: -42 dBm, antenna 0
      std::byte{0xd4}, std::byte{1},  // chain 1: -44 dBm, antenna 1
  };
  Bytes packet = header;
  if (chain1_noise) {
    packet[12] = std::byte{0x60};
    packet[13] = std::byte{0};
  }
  packet.insert(packet.end(), mpdu_with_fcs.begin(), mpdu_with_fcs.end());
  return packet;
}

// A header whose fields sit in a vendor namespace after Flags: their places depend on its
// skip_length, not on the present words alone.
Bytes VendorRadiotap(const Bytes& mpdu_with_fcs, uint8_t skip) {
  Bytes packet = {
      std::byte{0},    std::byte{0},    std::byte{static_cast<uint8_t>(20 + skip)},
      std::byte{0},    std::byte{0x02}, std::byte{0x00},
      std::byte{0x00}, std::byte{0xc0},  // flags, vendor ns, ext
      std::byte{0x01}, std::byte{0x00}, std::byte{0x00},
      std::byte{0x00},                // a vendor field
      std::byte{0x10}, std::byte{0},  // flags, pad
      std::byte{0x00}, std::byte{0x11}, std::byte{0x22},
      std::byte{0},                   // OUI, sub namespace
      std::byte{skip}, std::byte{0},  // skip_length
  };
  packet.resize(packet.size() + skip, std::byte{0x5a});
  packet.insert(packet.end(), mpdu_with_fcs.begin(), mpdu_with_fcs.end());
  return packet;
}

// Flags, rate, channel and signal in the first word, then a second word continuing the
// radiotap namespace (field 32): no size is known for it, so the walk ends kUnimplemented
// after reading the first word's fields.
Bytes UnknownFieldRadiotap(const Bytes& mpdu) {
  Bytes packet = {
      std::byte{0},    std::byte{0},    std::byte{19},   std::byte{0},     // version, pad, it_len
      std::byte{0x2e}, std::byte{0x00}, std::byte{0x00}, std::byte{0x80},  // flags..signal, ext
      std::byte{0x01}, std::byte{0x00}, std::byte{0x00}, std::byte{0x00},  // field 32
      std::byte{0x02}, std::byte{22},                                      // short preamble, rate
      std::byte{0x6c}, std::byte{0x09}, std::byte{0xa0}, std::byte{0x00},  // 2412 MHz, flags
      std::byte{0xc4},                                                     // -60 dBm
  };
  packet.insert(packet.end(), mpdu.begin(), mpdu.end());
  return packet;
}

Bytes WithFcs(const Bytes& mpdu) {
  Bytes frame = mpdu;
  frame.resize(frame.size() + 4);
  store_le32(frame, mpdu.size(), wire::Crc32(mpdu));
  return frame;
}

void ExpectSameRecord(const FrameRecord& a, const FrameRecord& b) {
  EXPECT_EQ(a.frame_len, b.frame_len);
  EXPECT_EQ(a.psdu_len, b.psdu_len);
  EXPECT_EQ(a.channel, b.channel);
  EXPECT_EQ(a.has_rssi, b.has_rssi);
  EXPECT_EQ(a.rssi_dbm, b.rssi_dbm);
  EXPECT_EQ(a.has_noise, b.has_noise);
  EXPECT_EQ(a.noise_dbm, b.noise_dbm);
  EXPECT_EQ(a.rate_500kbps, b.rate_500kbps);
  EXPECT_EQ(a.mcs, b.mcs);
  EXPECT_EQ(a.mcs_40mhz, b.mcs_40mhz);
  EXPECT_EQ(a.mcs_short_gi, b.mcs_short_gi);
  EXPECT_EQ(a.short_preamble, b.short_preamble);
  EXPECT_EQ(a.bad_fcs, b.bad_fcs);
  EXPECT_EQ(a.fc.raw, b.fc.raw);
  EXPECT_EQ(a.mpdu.data(), b.mpdu.data());
  EXPECT_EQ(a.mpdu.size(), b.mpdu.size());
  EXPECT_EQ(a.espnow, b.espnow);
  EXPECT_EQ(a.espnow_payload_len, b.espnow_payload_len);
}

TEST(PacketDecoder, KnownLayouts_GiveTheRecordsOfAFreshWalk) {
  const Bytes mpdu = testing::Beacon(kA, "lab", 6, 7);
  testing::RadioFields ht;
  ht.channel = 11;
  ht.rssi_dbm = -61;
  Bytes cut_short = LinuxRadiotap(WithFcs(mpdu));
  cut_short.resize(30);  // shorter than its it_len, with a known layout's present words
  Bytes unknown_bit = testing::WithRadiotap(mpdu, {});
  unknown_bit[7] |= std::byte{0x01};  // bit 24 (HE-MU) present but no such field: kOutOfRange
  const std::vector<Bytes> packets = {
      testing::WithRadiotap(mpdu, {}),
      LinuxRadiotap(WithFcs(mpdu)),
      LinuxRadiotap(WithFcs(mpdu), true),
      testing::WithRadiotap(testing::EspNow(kA, kB, {}, espnow::Version::kV1, 3), ht),
      VendorRadiotap(WithFcs(mpdu), 4),
      VendorRadiotap(WithFcs(mpdu), 8),  // same present words, fields elsewhere
      cut_short,
      unknown_bit,
      UnknownFieldRadiotap(mpdu),
      testing::WithRadiotap(testing::Ack(kB), {}),
  };
  for (bool radio : {true, false}) {
    DecodeOptions options;
    options.radio = radio;
    PacketDecoder decoder(options, scratch);
    std::array<std::byte, espnow::kMaxPayloadV2> fresh_scratch;
    // Every packet three times over, so each layout is walked once and then remembered.
    for (int round = 0; round < 3; ++round) {
      for (size_t i = 0; i < packets.size(); ++i) {
        SCOPED_TRACE("radio " + std::to_string(radio) + ", round " + std::to_string(round) +
                     ", packet " + std::to_string(i));
        FrameRecord remembered, fresh;
        const Status status = decoder.Decode(127, packets[i], 0, remembered);
        EXPECT_EQ(status, DecodePacket(127, packets[i], 0, options, fresh_scratch, fresh));
        if (status.ok()) ExpectSameRecord(remembered, fresh);
      }
    }
  }
}

TEST(PacketDecoder, LinuxMultiChainHeader_TheCombinedFiguresWin) {
  const Bytes mpdu = testing::Beacon(kA, "lab", 6, 7);
  const Bytes packet = LinuxRadiotap(WithFcs(mpdu));
  PacketDecoder decoder({}, scratch);
  for (int round = 0; round < 2; ++round) {  // walked, then remembered
    FrameRecord r;
    ASSERT_TRUE(decoder.Decode(127, packet, 0, r).ok());
    EXPECT_EQ(r.channel, 6);
    EXPECT_EQ(r.rate_500kbps, 12);
    ASSERT_TRUE(r.has_rssi);
    EXPECT_EQ(r.rssi_dbm, -40) << "the first namespace's signal, not a chain's";
    EXPECT_FALSE(r.bad_fcs);
    EXPECT_EQ(r.mpdu.size(), mpdu.size()) << "the FCS flag was read";
    EXPECT_EQ(r.ta(), kA);
  }
}

TEST(PacketDecoder, UnknownField_KeepsTheFieldsBeforeIt) {
  const Bytes mpdu = testing::Beacon(kA, "lab", 6, 7);
  const Bytes packet = UnknownFieldRadiotap(mpdu);  // the record points into it
  PacketDecoder decoder({}, scratch);
  for (int round = 0; round < 2; ++round) {  // walked, then remembered
    FrameRecord r;
    ASSERT_TRUE(decoder.Decode(127, packet, 0, r).ok());
    EXPECT_EQ(r.channel, 1);
    EXPECT_EQ(r.rate_500kbps, 22);
    EXPECT_TRUE(r.short_preamble);
    EXPECT_EQ(r.rssi_dbm, -60);
    EXPECT_EQ(r.ta(), kA);
  }
}

TEST(PacketDecoder, VendorNamespace_FieldsPlacedByItsSkipLength) {
  const Bytes mpdu = testing::Beacon(kA, "lab", 6, 7);
  PacketDecoder decoder({}, scratch);
  for (uint8_t skip : {4, 8, 4}) {
    const Bytes packet = VendorRadiotap(WithFcs(mpdu), skip);  // the record points into it
    FrameRecord r;
    ASSERT_TRUE(decoder.Decode(127, packet, 0, r).ok());
    EXPECT_EQ(r.mpdu.size(), mpdu.size());
    EXPECT_EQ(r.ta(), kA);
  }
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
