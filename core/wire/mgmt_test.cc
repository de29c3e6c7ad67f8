#include "core/wire/mgmt.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "core/wire/dot11_testing.h"

namespace airlab::wire {
namespace {

using testing::Bytes;
using testing::FromHex;
using testing::Golden;
using testing::Hex;

const MacAddress kAp({0x02, 0, 0, 0, 0x01, 0});
const MacAddress kSta({0x02, 0, 0, 0, 0x02, 0});
const MacAddress kPeer({0x02, 0, 0, 0, 0x03, 0});
const MacAddress kEspressif({0x18, 0xfe, 0x34, 0xa1, 0xb2, 0xc3});
const MacAddress kBroadcast = MacAddress::Broadcast();

ByteSpan Text(const char* s) { return AsBytes(s, std::char_traits<char>::length(s)); }

Dot11View Frame(ByteSpan bytes) {
  auto view = Dot11View::Parse(bytes);
  EXPECT_TRUE(view.ok()) << view.status().str();
  return *view;
}

MgmtHeader Header(MacAddress addr1, MacAddress addr2, MacAddress addr3, uint16_t seq) {
  MgmtHeader h;
  h.addr1 = addr1;
  h.addr2 = addr2;
  h.addr3 = addr3;
  h.seq = SequenceControl::Make(seq);
  return h;
}

// ---------------------------------------------------------------------------------------
// Views over golden frames (scapy)

TEST(BeaconView, GoldenBeacon_FixedFields) {
  auto beacon = BeaconView::Parse(Frame(Golden("beacon_wpa2")));
  ASSERT_TRUE(beacon.ok());
  EXPECT_FALSE(beacon->is_probe_response());
  EXPECT_EQ(beacon->bssid(), kAp);
  EXPECT_EQ(beacon->timestamp_us(), 0x0102030405060708u);
  EXPECT_EQ(beacon->beacon_interval_tu(), 100);
  const CapabilityInfo cap = beacon->capability();
  EXPECT_EQ(cap.raw, 0x0431);
  EXPECT_TRUE(cap.ess());
  EXPECT_FALSE(cap.ibss());
  EXPECT_TRUE(cap.privacy());
  EXPECT_TRUE(cap.short_preamble());
  EXPECT_TRUE(cap.short_slot_time());
  EXPECT_EQ(beacon->frame().seq().sequence(), 100);
  EXPECT_EQ(beacon->elements().Get<DsParameterSet>()->channel(), 6);
  EXPECT_EQ(beacon->security()->mode, SecurityMode::kWpa2);
}

TEST(BeaconView, GoldenProbeResponse_SameLayout) {
  auto response = BeaconView::Parse(Frame(Golden("probe_response")));
  ASSERT_TRUE(response.ok());
  EXPECT_TRUE(response->is_probe_response());
  EXPECT_EQ(response->frame().addr1(), kSta);
  EXPECT_EQ(response->timestamp_us(), 99u);
  EXPECT_EQ(response->security()->mode, SecurityMode::kOpen);
}

TEST(BeaconView, Parse_OtherSubtype_ReturnsInvalidArgument) {
  EXPECT_EQ(BeaconView::Parse(Frame(Golden("probe_request"))).status(), Status::InvalidArgument());
  EXPECT_EQ(BeaconView::Parse(Frame(Golden("data_ibss"))).status(), Status::InvalidArgument());
}

TEST(BeaconView, Parse_ShortFixedFields_ReturnsOutOfRange) {
  const Bytes& b = Golden("beacon_open");
  for (size_t size = kMgmtHeaderSize; size < kMgmtHeaderSize + BeaconView::kFixedSize; ++size) {
    EXPECT_EQ(BeaconView::Parse(Frame(ByteSpan(b).first(size))).status(), Status::OutOfRange());
  }
  auto bare = BeaconView::Parse(Frame(ByteSpan(b).first(kMgmtHeaderSize + 12)));
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->elements().Find(ElementId::kSsid).status(), Status::NotFound());
}

TEST(ProbeRequestView, Golden_SsidAndRates) {
  auto probe = ProbeRequestView::Parse(Frame(Golden("probe_request")));
  ASSERT_TRUE(probe.ok());
  EXPECT_EQ(probe->source(), kSta);
  EXPECT_EQ(Hex(probe->elements().Get<Ssid>()->bytes()), Hex(Text("airlab-lab")));
  auto rates = RateList::Read(probe->elements());
  ASSERT_TRUE(rates.ok());
  EXPECT_EQ(rates->size(), 4u);
  EXPECT_FALSE((*rates)[0].basic());
  EXPECT_EQ(rates->max_units_500kbps(), 22);  // 11 Mb/s
  EXPECT_EQ(ProbeRequestView::Parse(Frame(Golden("beacon_open"))).status(),
            Status::InvalidArgument());
}

TEST(ActionView, GoldenEspNow_VendorSpecific) {
  auto action = ActionView::Parse(Frame(Golden("action_espnow")));
  ASSERT_TRUE(action.ok());
  EXPECT_EQ(action->category(), ActionCategory::kVendorSpecific);
  EXPECT_TRUE(action->is_vendor_specific());
  EXPECT_EQ(action->oui(), kOuiEspressif);
  EXPECT_EQ(Hex(action->vendor_content()),
            "11223344"
            "dd0718fe3404016869");
  EXPECT_EQ(action->frame().addr2(), kEspressif);
}

TEST(ActionView, GoldenSpectrum_NotVendor) {
  auto action = ActionView::Parse(Frame(Golden("action_spectrum")));
  ASSERT_TRUE(action.ok());
  EXPECT_EQ(action->category(), ActionCategory::kSpectrumManagement);
  EXPECT_FALSE(action->is_vendor_specific());
  EXPECT_EQ(action->oui(), 0u);
  EXPECT_TRUE(action->vendor_content().empty());
  EXPECT_EQ(Hex(action->body()), "04010203");
}

TEST(ActionView, Errors) {
  const Bytes& espnow = Golden("action_espnow");
  // No category; a vendor category with a cut OUI.
  for (size_t size : {24, 25, 26, 27}) {
    EXPECT_EQ(ActionView::Parse(Frame(ByteSpan(espnow).first(size))).status(), Status::OutOfRange())
        << size;
  }
  auto bare = ActionView::Parse(Frame(ByteSpan(espnow).first(28)));
  ASSERT_TRUE(bare.ok());
  EXPECT_TRUE(bare->vendor_content().empty());
  Bytes protected_frame = espnow;
  protected_frame[1] |= std::byte{0x40};
  EXPECT_EQ(ActionView::Parse(Frame(protected_frame)).status(), Status::Unimplemented());
  EXPECT_EQ(ActionView::Parse(Frame(Golden("deauth"))).status(), Status::InvalidArgument());
  // Action No Ack (subtype 14) has the same body.
  Bytes no_ack = espnow;
  no_ack[0] = std::byte{0xe0};
  EXPECT_EQ(ActionView::Parse(Frame(no_ack))->oui(), kOuiEspressif);
}

TEST(AuthenticationView, Golden_OpenAndSae) {
  auto open = AuthenticationView::Parse(Frame(Golden("auth")));
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->algorithm(), AuthenticationView::kOpenSystem);
  EXPECT_EQ(open->transaction_sequence(), 1);
  EXPECT_EQ(open->status_code(), 0);
  EXPECT_TRUE(open->rest().empty());
  auto sae = AuthenticationView::Parse(Frame(Golden("auth_sae")));
  ASSERT_TRUE(sae.ok());
  EXPECT_EQ(sae->algorithm(), AuthenticationView::kSae);
  EXPECT_EQ(Hex(sae->rest()), "1300");
}

TEST(AuthenticationView, Errors) {
  const Bytes& auth = Golden("auth");
  EXPECT_EQ(AuthenticationView::Parse(Frame(ByteSpan(auth).first(29))).status(),
            Status::OutOfRange());
  Bytes shared_key_3 = auth;
  shared_key_3[1] |= std::byte{0x40};
  EXPECT_EQ(AuthenticationView::Parse(Frame(shared_key_3)).status(), Status::Unimplemented());
  EXPECT_EQ(AuthenticationView::Parse(Frame(Golden("deauth"))).status(), Status::InvalidArgument());
}

TEST(DeauthView, Golden_DeauthAndDisassoc) {
  auto deauth = DeauthView::Parse(Frame(Golden("deauth")));
  ASSERT_TRUE(deauth.ok());
  EXPECT_FALSE(deauth->is_disassociation());
  EXPECT_EQ(deauth->reason_code(), 7);
  EXPECT_EQ(deauth->elements().begin(), deauth->elements().end());
  auto disassoc = DeauthView::Parse(Frame(Golden("disassoc")));
  ASSERT_TRUE(disassoc.ok());
  EXPECT_TRUE(disassoc->is_disassociation());
  EXPECT_EQ(disassoc->reason_code(), 8);
}

TEST(DeauthView, Errors) {
  const Bytes& deauth = Golden("deauth");
  EXPECT_EQ(DeauthView::Parse(Frame(ByteSpan(deauth).first(25))).status(), Status::OutOfRange());
  Bytes protected_frame = deauth;
  protected_frame[1] |= std::byte{0x40};
  EXPECT_EQ(DeauthView::Parse(Frame(protected_frame)).status(), Status::Unimplemented());
  EXPECT_EQ(DeauthView::Parse(Frame(Golden("auth"))).status(), Status::InvalidArgument());
}

// Every prefix of every golden frame: each view either parses or returns a precise Status;
// those shorter than the fixed fields get kOutOfRange. ASan checks no accessor overreads.
TEST(MgmtViews, EveryPrefixOfGoldenFrames_OkOrPreciseStatus) {
  for (const auto& [name, bytes] : testing::GoldenFrames()) {
    for (size_t size = 0; size <= bytes.size(); ++size) {
      const ByteSpan prefix = ByteSpan(bytes).first(size);
      auto frame = Dot11View::Parse(prefix);
      if (!frame.ok()) {
        EXPECT_EQ(frame.status(), Status::OutOfRange()) << name << " " << size;
        continue;
      }
      const Status statuses[] = {
          BeaconView::Parse(*frame).status(), ProbeRequestView::Parse(*frame).status(),
          ActionView::Parse(*frame).status(), AuthenticationView::Parse(*frame).status(),
          DeauthView::Parse(*frame).status(), DataView::Parse(*frame).status(),
          ControlView::Parse(*frame).status()};
      int ok = 0;
      for (Status s : statuses) {
        ok += s.ok() ? 1 : 0;
        EXPECT_TRUE(s.ok() || s == Status::InvalidArgument() || s == Status::OutOfRange() ||
                    s == Status::Unimplemented())
            << name << " " << size << " " << s.str();
      }
      EXPECT_LE(ok, 1) << name;  // one view per kind of frame
      if (auto beacon = BeaconView::Parse(*frame); beacon.ok()) {
        for (const Element& e : beacon->elements()) (void)e;
        beacon->security().IgnoreError();
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Builders against scapy's bytes

TEST(BuildBeacon, MatchesScapy) {
  FrameBuffer<128> buf;
  BssFields bss;
  bss.timestamp_us = 1;
  bss.ssid = Text("cafe");
  bss.channel = 3;
  ASSERT_TRUE(BuildBeacon(buf, Header(kBroadcast, kAp, kAp, 103), bss).ok());
  EXPECT_EQ(Hex(buf.bytes()), Hex(Golden("beacon_open")));

  FrameBuffer<128> with_fcs;
  ASSERT_TRUE(BuildBeacon(with_fcs, Header(kBroadcast, kAp, kAp, 103), bss, Fcs::kAppend).ok());
  EXPECT_EQ(Hex(with_fcs.bytes()), Hex(Golden("fcs_beacon")));
}

TEST(BuildProbeRequest, MatchesScapy) {
  FrameBuffer<128> buf;
  const uint8_t rates[] = {0x02, 0x04, 0x0b, 0x16};
  const ProbeRequestFields fields{.ssid = Text("airlab-lab"), .rates = rates};
  ASSERT_TRUE(BuildProbeRequest(buf, Header(kBroadcast, kSta, kBroadcast, 7), fields).ok());
  EXPECT_EQ(Hex(buf.bytes()), Hex(Golden("probe_request")));
}

TEST(BuildProbeResponse, MatchesScapy) {
  FrameBuffer<128> buf;
  BssFields bss;
  bss.timestamp_us = 99;
  bss.ssid = Text("airlab-lab");
  bss.channel = 6;
  ASSERT_TRUE(BuildProbeResponse(buf, Header(kSta, kAp, kAp, 8), bss).ok());
  EXPECT_EQ(Hex(buf.bytes()), Hex(Golden("probe_response")));
}

TEST(BuildAction, MatchesScapy) {
  FrameBuffer<128> vendor;
  const Bytes content = FromHex(
      "11223344"
      "dd0718fe3404016869");
  ASSERT_TRUE(
      BuildVendorAction(vendor, Header(kPeer, kEspressif, kBroadcast, 5), kOuiEspressif, content)
          .ok());
  EXPECT_EQ(Hex(vendor.bytes()), Hex(Golden("action_espnow")));

  FrameBuffer<128> spectrum;
  ASSERT_TRUE(BuildAction(spectrum, Header(kSta, kAp, kAp, 6), ActionCategory::kSpectrumManagement,
                          FromHex("04010203"))
                  .ok());
  EXPECT_EQ(Hex(spectrum.bytes()), Hex(Golden("action_spectrum")));
}

TEST(Builders, KeepFlagsAndSetSubtype) {
  FrameBuffer<128> buf;
  MgmtHeader h = Header(kPeer, kSta, kBroadcast, 1);
  h.fc = FrameControl::Make(FrameType::kData, 0, FrameControl::kRetryFlag);  // type replaced
  ASSERT_TRUE(BuildAction(buf, h, ActionCategory::kPublic, {}).ok());
  const Dot11View f = Frame(buf.bytes());
  EXPECT_TRUE(f.fc().Is(MgmtSubtype::kAction));
  EXPECT_TRUE(f.fc().retry());
}

TEST(Builders, Errors) {
  FrameBuffer<128> buf;
  BssFields bss;
  const Bytes long_ssid(33);
  bss.ssid = long_ssid;
  EXPECT_EQ(BuildBeacon(buf, Header(kBroadcast, kAp, kAp, 0), bss), Status::InvalidArgument());
  FrameBuffer<30> small;
  bss.ssid = Text("x");
  EXPECT_EQ(BuildBeacon(small, Header(kBroadcast, kAp, kAp, 0), bss), Status::ResourceExhausted());
  FrameBuffer<26> tiny;
  EXPECT_EQ(BuildVendorAction(tiny, Header(kPeer, kAp, kAp, 0), kOuiEspressif, {}),
            Status::ResourceExhausted());
}

TEST(BuildBeacon, WithRsnAndManyRates_RoundTrips) {
  FrameBuffer<256> buf;
  const uint8_t rates[] = {0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24, 0x30, 0x48, 0x60, 0x6c};
  BssFields bss{.timestamp_us = 123456789,
                .beacon_interval_tu = 102,
                .ssid = Text("lab"),
                .rates = rates,
                .channel = 11,
                .rsn = kWpa3Personal};
  ASSERT_TRUE(BuildBeacon(buf, Header(kBroadcast, kAp, kAp, 4095), bss, Fcs::kAppend).ok());
  auto mpdu = StripFcs(buf.bytes());
  ASSERT_TRUE(mpdu.ok());
  auto beacon = BeaconView::Parse(Frame(*mpdu));
  ASSERT_TRUE(beacon.ok());
  EXPECT_EQ(beacon->timestamp_us(), 123456789u);
  EXPECT_EQ(beacon->beacon_interval_tu(), 102);
  EXPECT_TRUE(beacon->capability().privacy());
  EXPECT_EQ(beacon->frame().seq().sequence(), 4095);
  EXPECT_EQ(RateList::Read(beacon->elements())->size(), 12u);
  EXPECT_EQ(beacon->security()->mode, SecurityMode::kWpa3);
  EXPECT_TRUE(beacon->elements().status().ok());
}

// ---------------------------------------------------------------------------------------
// tshark as the oracle

// The fields of a Beacon / Probe as tshark prints them.
std::string BssRow(const Dot11View& f) {
  const ElementList elements = f.fc().Is(MgmtSubtype::kProbeRequest)
                                   ? ProbeRequestView::Parse(f)->elements()
                                   : BeaconView::Parse(f)->elements();
  std::string row;
  if (auto beacon = BeaconView::Parse(f); beacon.ok()) {
    char fixed[64];
    std::snprintf(fixed, sizeof fixed, "%llu|%u|0x%04x",
                  static_cast<unsigned long long>(beacon->timestamp_us()),
                  beacon->beacon_interval_tu(), beacon->capability().raw);
    row = fixed;
  } else {
    row = "||";
  }
  std::string ids;
  for (const Element& e : elements) {
    ids += (ids.empty() ? "" : ",") + std::to_string(static_cast<int>(e.id));
  }
  auto ssid = elements.Get<Ssid>();
  // tshark prints an empty SSID as "<MISSING>".
  row += "|" + (ssid.ok() ? (ssid->bytes().empty() ? "<MISSING>" : Hex(ssid->bytes())) : "");
  auto ds = elements.Get<DsParameterSet>();
  row += "|" + (ds.ok() ? std::to_string(ds->channel()) : "");
  std::string akms, pairwise;
  if (auto rsn = elements.Get<Rsn>(); rsn.ok()) {
    for (size_t i = 0; i < rsn->akm_count(); ++i) {
      akms += (i ? "," : "") + std::to_string(rsn->akm(i));
    }
    for (size_t i = 0; i < rsn->pairwise_count(); ++i) {
      pairwise += (i ? "," : "") + std::to_string(static_cast<int>(rsn->pairwise_cipher(i)));
    }
  }
  auto tim = elements.Get<Tim>();
  auto country = elements.Get<Country>();
  auto erp = elements.Get<Erp>();
  return row + "|" + ids + "|" + akms + "|" + pairwise + "|" +
         (tim.ok() ? std::to_string(tim->dtim_period()) : "") + "|" +
         (country.ok() ? std::string(country->code().data(), 2) : "") + "|" +
         (erp.ok() ? std::to_string(erp->use_protection()) : "");
}

const std::vector<std::string> kBssFields = {
    "wlan.fixed.timestamp",        "wlan.fixed.beacon",
    "wlan.fixed.capabilities",     "wlan.ssid",
    "wlan.ds.current_channel",     "wlan.tag.number",
    "wlan.rsn.akms.type",          "wlan.rsn.pcs.type",
    "wlan.tim.dtim_period",        "wlan.country_info.code",
    "wlan.erp_info.use_protection"};

TEST(MgmtViews, GoldenBssFrames_MatchTshark) {
  const char* names[] = {"beacon_wpa2",     "beacon_wpa3_transition_hidden",
                         "beacon_wpa3_sae", "beacon_open",
                         "beacon_wpa1",     "probe_request",
                         "probe_response"};
  std::vector<Bytes> frames;
  for (const char* name : names) frames.push_back(Golden(name));
  const std::vector<std::string> theirs = testing::Tshark(frames, kBssFields);
  ASSERT_EQ(theirs.size(), frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(BssRow(Frame(frames[i])), theirs[i]) << names[i];
  }
}

TEST(MgmtViews, GoldenOtherFrames_MatchTshark) {
  const char* names[] = {"action_espnow", "action_spectrum", "auth",
                         "auth_sae",      "deauth",          "disassoc"};
  std::vector<Bytes> frames;
  std::vector<std::string> ours;
  for (const char* name : names) {
    frames.push_back(Golden(name));
    const Dot11View f = Frame(frames.back());
    char row[96] = "";
    if (auto action = ActionView::Parse(f); action.ok()) {
      std::snprintf(row, sizeof row, "%u||||", static_cast<unsigned>(action->category()));
    } else if (auto auth = AuthenticationView::Parse(f); auth.ok()) {
      std::snprintf(row, sizeof row, "|%u|0x%04x|0x%04x|", auth->algorithm(),
                    auth->transaction_sequence(), auth->status_code());
    } else if (auto deauth = DeauthView::Parse(f); deauth.ok()) {
      std::snprintf(row, sizeof row, "||||0x%04x", deauth->reason_code());
    }
    ours.push_back(row);
  }
  const std::vector<std::string> theirs = testing::Tshark(
      frames, {"wlan.fixed.category_code", "wlan.fixed.auth.alg", "wlan.fixed.auth_seq",
               "wlan.fixed.status_code", "wlan.fixed.reason_code"});
  ASSERT_EQ(theirs.size(), ours.size());
  for (size_t i = 0; i < ours.size(); ++i) EXPECT_EQ(ours[i], theirs[i]) << names[i];
}

// Frames built here, dissected by tshark with FCS checking on (the pcap carries the FCS).
TEST(Builders, BuiltFramesWithFcs_MatchTshark) {
  const uint8_t rates[] = {0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24, 0x30, 0x48};
  std::vector<Bytes> frames;
  const auto keep = [&frames](const ByteBuilder& b) {
    frames.emplace_back(b.bytes().begin(), b.bytes().end());
  };
  FrameBuffer<256> beacon;
  ASSERT_TRUE(
      BuildBeacon(beacon, Header(kBroadcast, kAp, kAp, 1),
                  {.ssid = Text("airlab"), .rates = rates, .channel = 6, .rsn = kWpa2Personal},
                  Fcs::kAppend)
          .ok());
  keep(beacon);
  FrameBuffer<256> probe;
  ASSERT_TRUE(BuildProbeRequest(probe, Header(kBroadcast, kSta, kBroadcast, 2),
                                {.rates = rates, .channel = 1}, Fcs::kAppend)
                  .ok());
  keep(probe);
  FrameBuffer<256> response;
  ASSERT_TRUE(BuildProbeResponse(response, Header(kSta, kAp, kAp, 3),
                                 {.ssid = Text("wpa3"), .channel = 13, .rsn = kWpa3Transition},
                                 Fcs::kAppend)
                  .ok());
  keep(response);
  FrameBuffer<256> action;
  ASSERT_TRUE(BuildVendorAction(action, Header(kPeer, kEspressif, kBroadcast, 4), kOuiEspressif,
                                FromHex("01020304"), Fcs::kAppend)
                  .ok());
  keep(action);
  Bytes corrupt = frames[0];
  corrupt[30] ^= std::byte{0x01};
  frames.push_back(corrupt);

  const std::vector<std::string> theirs =
      testing::Tshark(frames,
                      {"wlan.fc.type_subtype", "wlan.sa", "wlan.ssid", "wlan.ds.current_channel",
                       "wlan.fcs.status", "wlan.rsn.akms.type", "wlan.supported_rates",
                       "wlan.extended_supported_rates", "wlan.fixed.category_code"},
                      /*fcs=*/true);
  const std::string rates_text = "0x82,0x84,0x8b,0x96,0x0c,0x12,0x18,0x24";
  const std::vector<std::string> expected = {
      "0x0008|02:00:00:00:01:00|" + Hex(Text("airlab")) + "|6|1|2|" + rates_text + "|0x30,0x48|",
      "0x0004|02:00:00:00:02:00|<MISSING>|1|1||" + rates_text + "|0x30,0x48|",
      "0x0005|02:00:00:00:01:00|" + Hex(Text("wpa3")) + "|13|1|2,8|||",
      "0x000d|18:fe:34:a1:b2:c3|||1||||127",
      "0x0008|02:00:00:00:01:00|" + Hex(Text("airlab")) + "|6|0|2|" + rates_text + "|0x30,0x48|",
  };
  EXPECT_EQ(theirs, expected);
}

}  // namespace
}  // namespace airlab::wire
