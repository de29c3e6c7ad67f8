// The frames of a join (802.11-2016 9.3.3): Authentication, (Re)Association Request and
// Response, Deauthentication / Disassociation, and data frames with LLC/SNAP. Round trips
// through the views, and tshark dissecting what the builders write.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/base/bytes_testing.h"
#include "core/wire/dot11.h"
#include "core/wire/dot11_testing.h"
#include "core/wire/elements.h"
#include "core/wire/mgmt.h"

namespace airlab::wire {
namespace {

using testing::Bytes;
using testing::FromHex;

const MacAddress kAp({0x02, 0, 0, 0, 0x01, 0});
const MacAddress kSta({0x02, 0, 0, 0, 0x02, 0});
constexpr uint8_t kRates[] = {0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24, 0x30, 0x48};

ByteSpan Text(const char* s) { return AsBytes(s, std::char_traits<char>::length(s)); }

MgmtHeader ToAp() { return {.addr1 = kAp, .addr2 = kSta, .addr3 = kAp}; }
MgmtHeader ToSta() { return {.addr1 = kSta, .addr2 = kAp, .addr3 = kAp}; }

Bytes RsnElement() {
  FrameBuffer<64> out;
  ElementWriter(out).AddRsn(kWpa2Personal);
  return Bytes(out.bytes().begin(), out.bytes().end());
}

Dot11View Frame(ByteSpan bytes) {
  Result<Dot11View> view = Dot11View::Parse(bytes);
  EXPECT_TRUE(view.ok());
  return *view;
}

TEST(JoinFrames, Authentication_RoundTrip) {
  FrameBuffer<64> out;
  ASSERT_TRUE(
      BuildAuthentication(out, ToSta(), AuthenticationView::kOpenSystem, 2, StatusCode::kSuccess)
          .ok());
  Result<AuthenticationView> auth = AuthenticationView::Parse(Frame(out.bytes()));
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(auth->algorithm(), 0);
  EXPECT_EQ(auth->transaction_sequence(), 2);
  EXPECT_EQ(auth->status_code(), 0);
  EXPECT_EQ(out.size(), kMgmtHeaderSize + 6);
}

TEST(JoinFrames, AssocRequest_RoundTrip_WithTheStationsRsnElement) {
  const Bytes rsn = RsnElement();
  FrameBuffer<128> out;
  ASSERT_TRUE(BuildAssocRequest(
                  out, ToAp(),
                  {.listen_interval = 3, .ssid = Text("lab"), .rates = kRates, .rsn_element = rsn})
                  .ok());
  Result<AssocRequestView> req = AssocRequestView::Parse(Frame(out.bytes()));
  ASSERT_TRUE(req.ok());
  EXPECT_FALSE(req->is_reassociation());
  EXPECT_EQ(req->station(), kSta);
  EXPECT_TRUE(req->capability().ess());
  EXPECT_TRUE(req->capability().privacy());
  EXPECT_EQ(req->listen_interval(), 3);
  EXPECT_EQ(req->current_ap(), MacAddress());
  Result<Ssid> ssid = req->elements().Get<Ssid>();
  ASSERT_TRUE(ssid.ok());
  AIRLAB_EXPECT_BYTES_EQ(ssid->bytes(), Text("lab"));
  // The element is there byte for byte, as message 2 will carry it.
  const ByteSpan body = req->frame().body();
  EXPECT_TRUE(std::search(body.begin(), body.end(), rsn.begin(), rsn.end()) != body.end());
  Result<Rsn> parsed = req->elements().Get<Rsn>();
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->has_akm(Akm::kPsk));
}

TEST(JoinFrames, AssocRequest_OpenNetwork_NoPrivacy_AndBadRsnElementRefused) {
  FrameBuffer<128> out;
  ASSERT_TRUE(BuildAssocRequest(out, ToAp(), {.ssid = Text("open"), .rates = kRates}).ok());
  Result<AssocRequestView> req = AssocRequestView::Parse(Frame(out.bytes()));
  ASSERT_TRUE(req.ok());
  EXPECT_FALSE(req->capability().privacy());
  EXPECT_EQ(req->elements().Get<Rsn>().status(), Status::NotFound());
  FrameBuffer<128> bad;
  const Bytes not_rsn = FromHex("dd0400000000");
  EXPECT_EQ(BuildAssocRequest(bad, ToAp(), {.rsn_element = not_rsn}), Status::InvalidArgument());
  const Bytes lying = FromHex("30160100");
  EXPECT_EQ(BuildAssocRequest(bad, ToAp(), {.rsn_element = lying}), Status::InvalidArgument());
}

TEST(JoinFrames, AssocResponse_AidCarriesTheTwoTopBits) {
  FrameBuffer<128> out;
  ASSERT_TRUE(BuildAssocResponse(out, ToSta(), {.aid = 5, .rates = kRates}).ok());
  EXPECT_EQ(load_le16(out.bytes(), kMgmtHeaderSize + 4), 0xc005);
  Result<AssocResponseView> resp = AssocResponseView::Parse(Frame(out.bytes()));
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(resp->status_code(), StatusCode::kSuccess);
  EXPECT_EQ(resp->aid(), 5);
  EXPECT_TRUE(resp->elements().Find(ElementId::kSupportedRates).ok());

  FrameBuffer<128> refusal;
  ASSERT_TRUE(
      BuildAssocResponse(refusal, ToSta(), {.status_code = StatusCode::kApFull, .aid = 0}).ok());
  EXPECT_EQ(AssocResponseView::Parse(Frame(refusal.bytes()))->status_code(), 17);
  EXPECT_EQ(load_le16(refusal.bytes(), kMgmtHeaderSize + 4), 0);
  EXPECT_EQ(BuildAssocResponse(refusal, ToSta(), {.aid = 2008}), Status::InvalidArgument());
}

TEST(JoinFrames, Views_RefuseOtherSubtypesAndShortBodies) {
  FrameBuffer<64> deauth;
  ASSERT_TRUE(BuildDeauthentication(deauth, ToSta(), ReasonCode::kFourWayHandshakeTimeout).ok());
  EXPECT_EQ(AssocRequestView::Parse(Frame(deauth.bytes())).status(), Status::InvalidArgument());
  EXPECT_EQ(AssocResponseView::Parse(Frame(deauth.bytes())).status(), Status::InvalidArgument());
  FrameBuffer<64> resp;
  ASSERT_TRUE(BuildAssocResponse(resp, ToSta(), {}).ok());
  EXPECT_EQ(AssocResponseView::Parse(Frame(resp.bytes().first(kMgmtHeaderSize + 5))).status(),
            Status::OutOfRange());
  // A Reassociation Request needs the current AP's address: 10 fixed bytes.
  Bytes reassoc(resp.bytes().begin(), resp.bytes().begin() + kMgmtHeaderSize);
  reassoc[0] = std::byte{0x20};
  reassoc.resize(kMgmtHeaderSize + 9);
  EXPECT_EQ(AssocRequestView::Parse(Frame(reassoc)).status(), Status::OutOfRange());
  reassoc.resize(kMgmtHeaderSize + 10);
  std::fill(reassoc.begin() + kMgmtHeaderSize + 4, reassoc.end(), std::byte{0xab});
  Result<AssocRequestView> view = AssocRequestView::Parse(Frame(reassoc));
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(view->is_reassociation());
  EXPECT_EQ(view->current_ap(), MacAddress({0xab, 0xab, 0xab, 0xab, 0xab, 0xab}));
}

TEST(JoinFrames, DeauthAndDisassoc_RoundTrip) {
  FrameBuffer<64> out;
  ASSERT_TRUE(BuildDisassociation(out, ToAp(), ReasonCode::kDisassocLeaving).ok());
  Result<DeauthView> view = DeauthView::Parse(Frame(out.bytes()));
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(view->is_disassociation());
  EXPECT_EQ(view->reason_code(), 8);
}

TEST(DataFrames, MakeDataHeader_AddressesByDirection) {
  const MacAddress dest({0x02, 0, 0, 0, 0x09, 0});
  struct Case {
    DsMode mode;
    MacAddress a1, a2, a3;
  };
  const Case cases[] = {{DsMode::kToDs, kAp, kSta, dest},
                        {DsMode::kFromDs, dest, kAp, kSta},
                        {DsMode::kNoDs, dest, kSta, kAp}};
  for (const Case& c : cases) {
    Result<MgmtHeader> h = MakeDataHeader(c.mode, dest, kSta, kAp, SequenceControl::Make(9));
    ASSERT_TRUE(h.ok());
    FrameBuffer<64> out;
    ASSERT_TRUE(BuildDataFrame(out, *h, 0x888e, Text("x")).ok());
    Result<DataView> data = DataView::Parse(Frame(out.bytes()));
    ASSERT_TRUE(data.ok());
    EXPECT_EQ(data->ds_mode(), c.mode);
    EXPECT_EQ(data->frame().addr1(), c.a1);
    EXPECT_EQ(data->frame().addr2(), c.a2);
    EXPECT_EQ(data->frame().addr3(), c.a3);
    EXPECT_EQ(*data->destination(), dest);
    EXPECT_EQ(*data->source(), kSta);
    EXPECT_EQ(*data->bssid(), kAp);
    EXPECT_EQ(data->frame().seq().sequence(), 9);
    Result<LlcSnap> llc = data->llc_snap();
    ASSERT_TRUE(llc.ok());
    EXPECT_EQ(llc->ethertype, 0x888e);
    AIRLAB_EXPECT_BYTES_EQ(llc->payload, Text("x"));
  }
  EXPECT_EQ(MakeDataHeader(DsMode::kWds, dest, kSta, kAp).status(), Status::InvalidArgument());
}

TEST(DataFrames, LlcSnap_Errors) {
  EXPECT_EQ(ParseLlcSnap(FromHex("aaaa030000")).status(), Status::OutOfRange());
  EXPECT_EQ(ParseLlcSnap(FromHex("aaaa030000f8888e")).status(), Status::Unimplemented());
  EXPECT_EQ(ParseLlcSnap(FromHex("424203000000888e")).status(), Status::Unimplemented());
  FrameBuffer<64> out;
  MgmtHeader h = *MakeDataHeader(DsMode::kToDs, kAp, kSta, kAp);
  h.fc.raw |= FrameControl::kProtectedFlag;
  ASSERT_TRUE(BuildDataFrame(out, h, 0x0800, Text("ciphertext")).ok());
  Result<DataView> data = DataView::Parse(Frame(out.bytes()));
  ASSERT_TRUE(data.ok());
  EXPECT_TRUE(data->protected_frame());
  EXPECT_EQ(data->llc_snap().status(), Status::FailedPrecondition());
}

// tshark reads every join frame we build (with the FCS, which it checks).
TEST(JoinFrames, Builders_MatchTshark) {
  const Bytes rsn = RsnElement();
  std::vector<Bytes> frames;
  auto add = [&](ByteBuilder& out, Status s) {
    ASSERT_TRUE(s.ok());
    frames.emplace_back(out.bytes().begin(), out.bytes().end());
    out.Truncate(0);
  };
  FrameBuffer<256> out;
  add(out, BuildAuthentication(out, ToAp(), 0, 1, 0, Fcs::kAppend));
  add(out, BuildAssocRequest(
               out, ToAp(),
               {.listen_interval = 3, .ssid = Text("lab"), .rates = kRates, .rsn_element = rsn},
               Fcs::kAppend));
  add(out, BuildAssocResponse(out, ToSta(), {.aid = 7, .rates = kRates}, Fcs::kAppend));
  add(out, BuildDeauthentication(out, ToSta(), ReasonCode::kFourWayHandshakeTimeout, Fcs::kAppend));
  add(out, BuildDisassociation(out, ToAp(), ReasonCode::kDisassocLeaving, Fcs::kAppend));
  add(out, BuildDataFrame(out, *MakeDataHeader(DsMode::kFromDs, kSta, kAp, kAp), 0x888e,
                          FromHex("0203005f"), Fcs::kAppend));
  const std::vector<std::string> lines = testing::Tshark(
      frames,
      {"wlan.fc.type_subtype", "wlan.fc.ds", "wlan.fixed.auth_seq", "wlan.fixed.status_code",
       "wlan.fixed.aid", "wlan.fixed.listen_ival", "wlan.ssid", "wlan.rsn.akms.type",
       "wlan.fixed.reason_code", "llc.type", "wlan.fcs.status"},
      /*fcs=*/true);
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0], "0x000b|0x00|0x0001|0x0000|||||||1");
  EXPECT_EQ(lines[1], "0x0000|0x00||||0x0003|6c6162|2|||1");  // SSID "lab" as hex
  EXPECT_EQ(lines[2], "0x0001|0x00||0x0000|0x0007||||||1");
  EXPECT_EQ(lines[3], "0x000c|0x00|||||||0x000f||1");
  EXPECT_EQ(lines[4], "0x000a|0x00|||||||0x0008||1");
  EXPECT_EQ(lines[5], "0x0020|0x02||||||||0x888e|1");
}

}  // namespace
}  // namespace airlab::wire
