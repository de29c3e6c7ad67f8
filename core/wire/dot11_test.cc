#include "core/wire/dot11.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/base/bytes_testing.h"
#include "core/wire/dot11_testing.h"

namespace airlab::wire {
namespace {

using testing::Bytes;
using testing::Golden;
using testing::ToString;

const MacAddress kAp({0x02, 0, 0, 0, 0x01, 0});
const MacAddress kSta({0x02, 0, 0, 0, 0x02, 0});
const MacAddress kPeer({0x02, 0, 0, 0, 0x03, 0});
const MacAddress kDst({0x02, 0, 0, 0, 0x04, 0});

Dot11View MustParse(ByteSpan bytes) {
  auto view = Dot11View::Parse(bytes);
  EXPECT_TRUE(view.ok()) << view.status().str();
  return *view;
}

// A frame of `size` zero bytes after the frame control.
Bytes FrameWith(FrameControl fc, size_t size) {
  Bytes b(size);
  store_le16(b, 0, fc.raw);
  return b;
}

TEST(Crc32, CheckValue_MatchesPublishedVector) {
  // The CRC-32/ISO-HDLC check value: CRC of ASCII "123456789" is 0xcbf43926.
  const char* text = "123456789";
  EXPECT_EQ(Crc32(AsBytes(text, std::strlen(text))), 0xcbf43926u);
}

TEST(Dot11View, MgmtHeader_RoundTrip) {
  FrameBuffer<64> buf;
  MgmtHeader h;
  h.fc = FrameControl::Make(FrameType::kManagement, 13);
  h.duration = 314;
  h.addr1 = MacAddress({1, 2, 3, 4, 5, 6});
  h.addr2 = MacAddress({0x4c, 0x11, 0xae, 0x89, 0xbd, 0xd5});
  h.addr3 = MacAddress::Broadcast();
  h.seq = SequenceControl::Make(0x123, 0);
  WriteMgmtHeader(buf, h);
  AppendFcs(buf);
  ASSERT_TRUE(buf.ok());
  EXPECT_EQ(buf.size(), 28u);
  EXPECT_TRUE(CheckFcs(buf.bytes()));
  auto view = Dot11View::Parse(buf.bytes().first(24));
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->fc().raw, 0x00d0);
  EXPECT_TRUE(view->fc().Is(MgmtSubtype::kAction));
  EXPECT_FALSE(view->fc().Is(DataSubtype::kQosNull));  // same subtype number, other type
  EXPECT_EQ(view->duration(), 314);
  EXPECT_EQ(view->addr2(), h.addr2);
  EXPECT_EQ(view->addr3(), h.addr3);
  EXPECT_EQ(view->seq().sequence(), 0x123);
}

TEST(Dot11View, Parse_Truncated_ReturnsOutOfRange) {
  std::array<std::byte, 23> b{};
  b[0] = std::byte{0xd0};
  EXPECT_EQ(Dot11View::Parse(b).status(), Status::OutOfRange());
  EXPECT_EQ(Dot11View::Parse(ByteSpan(b).first(1)).status(), Status::OutOfRange());
  EXPECT_EQ(Dot11View::Parse(ByteSpan()).status(), Status::OutOfRange());
}

TEST(Dot11View, Parse_ProtocolVersion1_ReturnsInvalidArgument) {
  Bytes b = FrameWith(FrameControl{0x0081}, 24);
  EXPECT_EQ(Dot11View::Parse(b).status(), Status::InvalidArgument());
}

TEST(Dot11View, HeaderSize_FollowsFrameControl) {
  struct Case {
    FrameControl fc;
    size_t header;
  };
  constexpr uint16_t kOrder = 0x8000;
  constexpr uint16_t kWds = FrameControl::kToDsFlag | FrameControl::kFromDsFlag;
  const auto data = [](DataSubtype s, uint16_t flags = 0) {
    return FrameControl::Make(FrameType::kData, static_cast<uint8_t>(s), flags);
  };
  const auto control = [](ControlSubtype s) {
    return FrameControl::Make(FrameType::kControl, static_cast<uint8_t>(s));
  };
  const Case cases[] = {
      {FrameControl::Make(FrameType::kManagement, 8), 24},
      {FrameControl::Make(FrameType::kManagement, 13, kOrder), 28},  // + HT Control
      {data(DataSubtype::kData), 24},
      {data(DataSubtype::kData, kOrder), 24},  // Order without QoS: no HT Control
      {data(DataSubtype::kQosData), 26},
      {data(DataSubtype::kQosNull, kOrder), 30},
      {data(DataSubtype::kData, kWds), 30},
      {data(DataSubtype::kQosData, kWds), 32},
      {data(DataSubtype::kQosData, kWds | kOrder), 36},
      {control(ControlSubtype::kRts), 16},
      {control(ControlSubtype::kPsPoll), 16},
      {control(ControlSubtype::kBlockAck), 16},
      {control(ControlSubtype::kCts), 10},
      {control(ControlSubtype::kAck), 10},
      {control(ControlSubtype::kControlWrapper), 10},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.fc.raw);
    Bytes b = FrameWith(c.fc, c.header);
    auto view = Dot11View::Parse(b);
    ASSERT_TRUE(view.ok());
    EXPECT_EQ(view->header_size(), c.header);
    EXPECT_EQ(view->has_addr2(), c.header >= 16);
    EXPECT_EQ(Dot11View::Parse(ByteSpan(b).first(c.header - 1)).status(), Status::OutOfRange());
  }
}

TEST(Fcs, StripFcs_GoodFrame_ReturnsFrameWithout) {
  const Bytes& with_fcs = Golden("fcs_beacon");
  auto stripped = StripFcs(with_fcs);
  ASSERT_TRUE(stripped.ok());
  // scapy built the same beacon without an FCS as beacon_open.
  const Bytes& without = Golden("beacon_open");
  AIRLAB_EXPECT_BYTES_EQ(*stripped, without);
  EXPECT_TRUE(CheckFcs(with_fcs));
}

TEST(Fcs, StripFcs_CorruptFrame_ReturnsDataLoss) {
  EXPECT_FALSE(CheckFcs(Golden("fcs_beacon_corrupt")));
  EXPECT_EQ(StripFcs(Golden("fcs_beacon_corrupt")).status(), Status::DataLoss());
}

TEST(Fcs, StripFcs_ShorterThanFcs_ReturnsOutOfRange) {
  const Bytes& b = Golden("fcs_beacon");
  EXPECT_EQ(StripFcs(ByteSpan(b).first(3)).status(), Status::OutOfRange());
  EXPECT_FALSE(CheckFcs(ByteSpan(b).first(3)));
}

TEST(Fcs, AppendFcs_MatchesScapy) {
  const Bytes& golden = Golden("fcs_beacon");
  FrameBuffer<64> buf;
  buf.Append(ByteSpan(golden).first(golden.size() - kFcsSize));
  AppendFcs(buf);
  ASSERT_TRUE(buf.ok());
  AIRLAB_EXPECT_BYTES_EQ(buf.bytes(), golden);
}

DataView MustParseData(const std::string& name) {
  auto view = DataView::Parse(MustParse(Golden(name)));
  EXPECT_TRUE(view.ok()) << name;
  return *view;
}

TEST(DataView, NoDs_AddressesFromA1A2A3) {
  const DataView v = MustParseData("data_ibss");
  EXPECT_EQ(v.ds_mode(), DsMode::kNoDs);
  EXPECT_EQ(v.subtype(), DataSubtype::kData);
  EXPECT_TRUE(v.has_payload());
  EXPECT_FALSE(v.is_qos());
  EXPECT_EQ(v.destination().value(), kDst);
  EXPECT_EQ(v.source().value(), kSta);
  EXPECT_EQ(v.bssid().value(), kAp);
  EXPECT_EQ(v.receiver(), kDst);
  EXPECT_EQ(v.transmitter(), kSta);
  EXPECT_FALSE(v.has_addr4());
  EXPECT_EQ(v.payload().size(), 8u);
  EXPECT_EQ(v.frame().seq().sequence(), 13);
}

TEST(DataView, ToDs_BssidIsReceiver) {
  const DataView v = MustParseData("data_to_ap");
  EXPECT_EQ(v.ds_mode(), DsMode::kToDs);
  EXPECT_EQ(v.bssid().value(), kAp);
  EXPECT_EQ(v.source().value(), kSta);
  EXPECT_EQ(v.destination().value(), kDst);
}

TEST(DataView, FromDs_BssidIsTransmitter) {
  const DataView v = MustParseData("data_from_ap");
  EXPECT_EQ(v.ds_mode(), DsMode::kFromDs);
  EXPECT_EQ(v.bssid().value(), kAp);
  EXPECT_EQ(v.source().value(), kPeer);
  EXPECT_EQ(v.destination().value(), kSta);
}

TEST(DataView, Wds_FourAddressesNoBssid) {
  const DataView v = MustParseData("data_wds");
  EXPECT_EQ(v.ds_mode(), DsMode::kWds);
  EXPECT_TRUE(v.has_addr4());
  EXPECT_EQ(v.addr4(), kSta);
  EXPECT_EQ(v.source().value(), kSta);
  EXPECT_EQ(v.destination().value(), kDst);
  EXPECT_EQ(v.receiver(), kAp);
  EXPECT_EQ(v.transmitter(), kPeer);
  EXPECT_EQ(v.bssid().status(), Status::NotFound());
  EXPECT_EQ(v.payload().size(), 8u);
}

TEST(DataView, QosProtected_TidAndFlag) {
  const DataView v = MustParseData("qos_data_protected");
  EXPECT_TRUE(v.is_qos());
  EXPECT_TRUE(v.protected_frame());
  EXPECT_EQ(v.tid(), 5);
  EXPECT_FALSE(v.amsdu());
  EXPECT_EQ(v.payload().size(), 16u);
  EXPECT_EQ(v.frame().header_size(), 26u);
}

TEST(DataView, QosWds_QosControlAfterAddr4) {
  const DataView v = MustParseData("qos_data_wds");
  EXPECT_EQ(v.tid(), 6);
  EXPECT_EQ(v.addr4(), kSta);
  EXPECT_EQ(v.frame().header_size(), 32u);
}

TEST(DataView, NullKinds_HaveNoPayload) {
  const DataView null = MustParseData("null");
  EXPECT_EQ(null.subtype(), DataSubtype::kNull);
  EXPECT_FALSE(null.has_payload());
  EXPECT_TRUE(null.frame().fc().power_management());
  EXPECT_EQ(null.tid(), 0);
  const DataView qos_null = MustParseData("qos_null");
  EXPECT_TRUE(qos_null.frame().fc().Is(DataSubtype::kQosNull));
  EXPECT_FALSE(qos_null.has_payload());
  EXPECT_EQ(qos_null.tid(), 7);
}

TEST(DataView, Amsdu_SourceAndDestinationInSubframes) {
  // QoS data to the AP with the A-MSDU Present bit: DA is in the subframes, A3 is the BSSID.
  Bytes b = FrameWith(FrameControl::Make(FrameType::kData, 8, FrameControl::kToDsFlag), 26);
  std::memcpy(&b[4], kAp.octets().data(), 6);
  std::memcpy(&b[10], kSta.octets().data(), 6);
  std::memcpy(&b[16], kAp.octets().data(), 6);
  b[24] = std::byte{0x80 | 3};
  const DataView v = *DataView::Parse(MustParse(b));
  EXPECT_TRUE(v.amsdu());
  EXPECT_EQ(v.tid(), 3);
  EXPECT_EQ(v.destination().status(), Status::NotFound());
  EXPECT_EQ(v.source().value(), kSta);
  EXPECT_EQ(v.bssid().value(), kAp);
  // From the AP: SA is in the subframes.
  store_le16(b, 0, FrameControl::Make(FrameType::kData, 8, FrameControl::kFromDsFlag).raw);
  const DataView from = *DataView::Parse(MustParse(b));
  EXPECT_EQ(from.source().status(), Status::NotFound());
  EXPECT_EQ(from.destination().value(), kAp);
}

TEST(DataView, Parse_NotData_ReturnsInvalidArgument) {
  EXPECT_EQ(DataView::Parse(MustParse(Golden("beacon_open"))).status(), Status::InvalidArgument());
  EXPECT_EQ(DataView::Parse(MustParse(Golden("ack"))).status(), Status::InvalidArgument());
}

ControlView MustParseControl(const std::string& name) {
  auto view = ControlView::Parse(MustParse(Golden(name)));
  EXPECT_TRUE(view.ok()) << name;
  return *view;
}

TEST(ControlView, Rts_ReceiverAndTransmitter) {
  const ControlView v = MustParseControl("rts");
  EXPECT_EQ(v.subtype(), ControlSubtype::kRts);
  EXPECT_EQ(v.receiver(), kAp);
  EXPECT_EQ(v.transmitter().value(), kSta);
  EXPECT_FALSE(v.is_block_ack());
  EXPECT_EQ(v.block_ack_control(), 0);
  EXPECT_TRUE(v.bitmap().empty());
}

TEST(ControlView, CtsAndAck_HaveNoTransmitter) {
  for (const char* name : {"cts", "ack"}) {
    const ControlView v = MustParseControl(name);
    EXPECT_EQ(v.receiver(), kSta);
    EXPECT_EQ(v.transmitter().status(), Status::NotFound());
  }
  EXPECT_EQ(MustParseControl("cts").subtype(), ControlSubtype::kCts);
  EXPECT_EQ(MustParseControl("ack").subtype(), ControlSubtype::kAck);
}

TEST(ControlView, BlockAckRequest_TidAndStartingSequence) {
  const ControlView v = MustParseControl("block_ack_req");
  EXPECT_EQ(v.subtype(), ControlSubtype::kBlockAckRequest);
  EXPECT_TRUE(v.is_block_ack());
  EXPECT_EQ(v.block_ack_type(), 2);  // compressed
  EXPECT_EQ(v.tid(), 3);
  EXPECT_EQ(v.starting_sequence().sequence(), 100);
  EXPECT_TRUE(v.bitmap().empty());
  EXPECT_EQ(v.transmitter().value(), kSta);
}

TEST(ControlView, BlockAck_Bitmap) {
  const ControlView v = MustParseControl("block_ack");
  EXPECT_EQ(v.subtype(), ControlSubtype::kBlockAck);
  EXPECT_EQ(v.tid(), 3);
  EXPECT_EQ(v.starting_sequence().sequence(), 100);
  ASSERT_EQ(v.bitmap().size(), 8u);
  EXPECT_EQ(v.bitmap()[0], std::byte{0xff});
  EXPECT_EQ(v.bitmap()[1], std::byte{0x0f});
}

TEST(ControlView, BlockAck_Truncated_ReturnsOutOfRange) {
  const Bytes& b = Golden("block_ack");
  for (size_t size = 16; size < 20; ++size) {
    EXPECT_EQ(ControlView::Parse(MustParse(ByteSpan(b).first(size))).status(),
              Status::OutOfRange());
  }
  EXPECT_TRUE(ControlView::Parse(MustParse(ByteSpan(b).first(20))).ok());
}

TEST(ControlView, Parse_NotControl_ReturnsInvalidArgument) {
  EXPECT_EQ(ControlView::Parse(MustParse(Golden("null"))).status(), Status::InvalidArgument());
}

// Every golden frame's addressing as tshark dissects it, against ours: the frame kind
// (type << 4 | subtype), RA, TA, SA, DA, BSSID, the QoS TID and the Protected flag.
std::string OurAddressing(const Dot11View& f) {
  char kind[8];
  std::snprintf(
      kind, sizeof kind, "0x%04x",
      static_cast<unsigned>(static_cast<unsigned>(f.fc().type()) << 4 | f.fc().subtype()));
  std::string ra = ToString(f.addr1()), ta, sa, da, bssid, tid;
  const auto put = [](std::string& field, const Result<MacAddress>& mac) {
    if (mac.ok()) field = ToString(*mac);
  };
  switch (f.fc().type()) {
    case FrameType::kManagement:
      ta = sa = ToString(f.addr2());
      da = ra;
      bssid = ToString(f.addr3());
      break;
    case FrameType::kData: {
      const DataView d = *DataView::Parse(f);
      ta = ToString(d.transmitter());
      put(sa, d.source());
      put(da, d.destination());
      put(bssid, d.bssid());
      if (d.is_qos()) tid = std::to_string(d.tid());
      break;
    }
    case FrameType::kControl: put(ta, ControlView::Parse(f)->transmitter()); break;
    case FrameType::kExtension: break;
  }
  return std::string(kind) + "|" + ra + "|" + ta + "|" + sa + "|" + da + "|" + bssid + "|" + tid +
         "|" + (f.fc().protected_frame() ? "1" : "0");
}

TEST(Dot11View, GoldenFrames_AddressingMatchesTshark) {
  std::vector<Bytes> frames;
  std::vector<std::string> ours;
  for (const auto& [name, bytes] : testing::GoldenFrames()) {
    frames.push_back(bytes);
    ours.push_back(OurAddressing(MustParse(bytes)));
  }
  const std::vector<std::string> theirs =
      testing::Tshark(frames, {"wlan.fc.type_subtype", "wlan.ra", "wlan.ta", "wlan.sa", "wlan.da",
                               "wlan.bssid", "wlan.qos.tid", "wlan.fc.protected"});
  ASSERT_EQ(theirs.size(), ours.size());
  size_t i = 0;
  for (const auto& [name, bytes] : testing::GoldenFrames()) {
    EXPECT_EQ(ours[i], theirs[i]) << name;
    ++i;
  }
}

}  // namespace
}  // namespace airlab::wire
