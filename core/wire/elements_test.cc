#include "core/wire/elements.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

#include "core/wire/dot11.h"
#include "core/wire/dot11_testing.h"
#include "core/wire/mgmt.h"

namespace airlab::wire {
namespace {

using testing::Bytes;
using testing::FromHex;
using testing::Golden;
using testing::Hex;

// The elements of a golden Beacon / Probe Response (after the 24 + 12 fixed bytes).
ElementList ElementsOf(const std::string& name) {
  return ElementList(ByteSpan(Golden(name)).subspan(kMgmtHeaderSize + BeaconView::kFixedSize));
}

std::string Text(ByteSpan b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::vector<int> Ids(const ElementList& list) {
  std::vector<int> ids;
  for (const Element& e : list) ids.push_back(static_cast<int>(e.id));
  return ids;
}

static_assert(std::input_iterator<ElementList::Iterator>);
static_assert(std::sentinel_for<std::default_sentinel_t, ElementList::Iterator>);

TEST(ElementList, GoldenBeacon_YieldsEveryElementInOrder) {
  const ElementList list = ElementsOf("beacon_wpa2");
  // The order tshark lists as wlan.tag.number for this frame.
  EXPECT_EQ(Ids(list), (std::vector<int>{0, 1, 3, 5, 7, 42, 50, 48, 45, 221}));
  EXPECT_TRUE(list.status().ok());
  const Element first = *list.begin();
  EXPECT_EQ(first.id, ElementId::kSsid);
  EXPECT_EQ(Text(first.data), "airlab-lab");
}

TEST(ElementList, Empty_IsOkAndYieldsNothing) {
  const ElementList list;
  EXPECT_EQ(list.begin(), list.end());
  EXPECT_TRUE(list.status().ok());
  EXPECT_EQ(list.Find(ElementId::kSsid).status(), Status::NotFound());
}

TEST(ElementList, ExtensionElement_SplitsExtensionId) {
  const ElementList list = ElementsOf("beacon_wpa3_sae");
  auto ext = list.FindExtension(35);
  ASSERT_TRUE(ext.ok());
  EXPECT_EQ(ext->id, ElementId::kExtension);
  EXPECT_EQ(ext->extension_id, 35);
  EXPECT_EQ(Hex(ext->data), "aabb");
  EXPECT_EQ(list.FindExtension(36).status(), Status::NotFound());
  EXPECT_EQ(list.Find(ElementId::kExtension)->extension_id, 35);
}

TEST(ElementList, LyingLength_StopsWithOutOfRange) {
  // SSID "ab", then an element claiming 5 bytes with 2 present.
  const Bytes b = FromHex("0002616203050102");
  const ElementList list(b);
  ElementList::Iterator it = list.begin();
  ASSERT_NE(it, list.end());
  EXPECT_EQ(Text(it->data), "ab");
  EXPECT_TRUE(it.status().ok());
  ++it;
  EXPECT_EQ(it, list.end());
  EXPECT_EQ(it.status(), Status::OutOfRange());
  EXPECT_EQ(list.status(), Status::OutOfRange());
  // Found before the break: fine; looked for past it: the break is the answer.
  EXPECT_TRUE(list.Find(ElementId::kSsid).ok());
  EXPECT_EQ(list.Find(ElementId::kTim).status(), Status::OutOfRange());
}

TEST(ElementList, LoneIdByte_StopsWithOutOfRange) {
  const Bytes b = FromHex(
      "000161"
      "30");
  EXPECT_EQ(Ids(ElementList(b)), (std::vector<int>{0}));
  EXPECT_EQ(ElementList(b).status(), Status::OutOfRange());
}

TEST(ElementList, ExtensionWithoutExtensionId_StopsWithOutOfRange) {
  const Bytes b = FromHex("ff00");
  EXPECT_EQ(ElementList(b).begin(), ElementList(b).end());
  EXPECT_EQ(ElementList(b).status(), Status::OutOfRange());
  EXPECT_EQ(ElementList(b).FindExtension(0).status(), Status::OutOfRange());
}

TEST(ElementList, EveryTruncation_OfGoldenBeacon_IsCleanOrOutOfRange) {
  const ElementList full = ElementsOf("beacon_wpa2");
  // Where elements end, a cut is clean; anywhere else it is kOutOfRange.
  std::vector<size_t> boundaries{0};
  for (const Element& e : full) {
    boundaries.push_back(static_cast<size_t>(e.data.data() + e.data.size() - full.bytes().data()));
  }
  for (size_t size = 0; size <= full.bytes().size(); ++size) {
    const ElementList cut(full.bytes().first(size));
    const bool at_boundary =
        std::find(boundaries.begin(), boundaries.end(), size) != boundaries.end();
    EXPECT_EQ(cut.status(), at_boundary ? Status::Ok() : Status::OutOfRange()) << size;
    for (const Element& e : cut) {  // ASan checks these spans stay inside the cut
      EXPECT_LE(e.data.data() + e.data.size(), cut.bytes().data() + cut.bytes().size());
    }
  }
}

TEST(Ssid, Golden_ReadsAndHidden) {
  auto ssid = ElementsOf("beacon_wpa2").Get<Ssid>();
  ASSERT_TRUE(ssid.ok());
  EXPECT_EQ(Text(ssid->bytes()), "airlab-lab");
  EXPECT_FALSE(ssid->hidden());
  auto hidden = ElementsOf("beacon_wpa3_transition_hidden").Get<Ssid>();
  ASSERT_TRUE(hidden.ok());
  EXPECT_TRUE(hidden->hidden());
  const Bytes zeros(5);
  EXPECT_TRUE(Ssid::Parse(zeros)->hidden());
}

TEST(Ssid, LongerThan32_ReturnsInvalidArgument) {
  const Bytes b(33);
  EXPECT_EQ(Ssid::Parse(b).status(), Status::InvalidArgument());
  EXPECT_TRUE(Ssid::Parse(ByteSpan(b).first(32)).ok());
}

TEST(RateList, Golden_SupportedAndExtended) {
  auto rates = RateList::Read(ElementsOf("beacon_wpa2"));
  ASSERT_TRUE(rates.ok());
  ASSERT_EQ(rates->size(), 12u);
  EXPECT_TRUE((*rates)[0].basic());
  EXPECT_EQ((*rates)[0].units_500kbps(), 2);  // 1 Mb/s
  EXPECT_FALSE((*rates)[4].basic());
  EXPECT_EQ((*rates)[4].units_500kbps(), 12);    // 6 Mb/s
  EXPECT_EQ((*rates)[11].units_500kbps(), 108);  // 54 Mb/s, from Extended Supported Rates
  EXPECT_EQ(rates->max_units_500kbps(), 108);
}

TEST(RateList, OnlySupported_AndMembershipSelectorIgnored) {
  const Bytes b = FromHex(
      "0103"
      "8284ff");  // 1, 2 Mb/s basic, HT PHY selector
  auto rates = RateList::Read(ElementList(b));
  ASSERT_TRUE(rates.ok());
  EXPECT_EQ(rates->size(), 3u);
  EXPECT_TRUE((*rates)[2].membership_selector());
  EXPECT_EQ(rates->max_units_500kbps(), 4);
}

TEST(RateList, Errors) {
  EXPECT_EQ(RateList::Read(ElementsOf("beacon_open")).status(), Status::NotFound());
  EXPECT_EQ(RateList::Parse({}).status(), Status::OutOfRange());
  const Bytes empty_ext = FromHex(
      "010182"
      "3200");
  EXPECT_EQ(RateList::Read(ElementList(empty_ext)).status(), Status::OutOfRange());
  const Bytes broken_after = FromHex(
      "010182"
      "3205");
  EXPECT_EQ(RateList::Read(ElementList(broken_after)).status(), Status::OutOfRange());
}

TEST(DsParameterSet, Golden_Channel) {
  EXPECT_EQ(ElementsOf("beacon_wpa2").Get<DsParameterSet>()->channel(), 6);
  EXPECT_EQ(ElementsOf("beacon_wpa3_transition_hidden").Get<DsParameterSet>()->channel(), 11);
  EXPECT_EQ(DsParameterSet::Parse({}).status(), Status::OutOfRange());
}

TEST(Tim, Golden_FieldsAndTraffic) {
  auto tim = ElementsOf("beacon_wpa2").Get<Tim>();
  ASSERT_TRUE(tim.ok());
  EXPECT_EQ(tim->dtim_count(), 1);
  EXPECT_EQ(tim->dtim_period(), 3);
  EXPECT_TRUE(tim->multicast());
  EXPECT_EQ(tim->bitmap_offset(), 0u);
  // tshark lists AIDs 1 and 10 (wlan.tim.aid).
  for (uint16_t aid = 0; aid < 64; ++aid)
    EXPECT_EQ(tim->has_traffic(aid), aid == 1 || aid == 10) << aid;
  EXPECT_EQ(Tim::Parse(FromHex("000100")).status(), Status::OutOfRange());
}

TEST(Tim, BitmapOffset_ShiftsAids) {
  // Offset 2 bytes (bitmap control 0x02): the first bitmap byte covers AIDs 16..23.
  const Bytes b = FromHex("00010201");
  auto tim = Tim::Parse(b);
  ASSERT_TRUE(tim.ok());
  EXPECT_FALSE(tim->multicast());
  EXPECT_EQ(tim->bitmap_offset(), 2u);
  EXPECT_TRUE(tim->has_traffic(16));
  EXPECT_FALSE(tim->has_traffic(0));
  EXPECT_FALSE(tim->has_traffic(24));
  EXPECT_FALSE(tim->has_traffic(2007));
}

TEST(Country, Golden_CodeAndTriplet) {
  auto country = ElementsOf("beacon_wpa2").Get<Country>();
  ASSERT_TRUE(country.ok());
  EXPECT_EQ(std::string(country->code().data(), 3), "DE ");
  ASSERT_EQ(country->triplet_count(), 1u);
  const Country::Triplet t = country->triplet(0);
  EXPECT_EQ(t.first_channel, 1);
  EXPECT_EQ(t.num_channels, 13);
  EXPECT_EQ(t.max_tx_power_dbm, 20);
  EXPECT_FALSE(t.operating_extension());
  EXPECT_EQ(Country::Parse(FromHex("4445")).status(), Status::OutOfRange());
}

TEST(Erp, Golden_Bits) {
  auto erp = ElementsOf("beacon_wpa2").Get<Erp>();
  ASSERT_TRUE(erp.ok());
  EXPECT_FALSE(erp->non_erp_present());
  EXPECT_TRUE(erp->use_protection());
  EXPECT_TRUE(erp->barker_preamble_mode());
  EXPECT_EQ(Erp::Parse({}).status(), Status::OutOfRange());
}

TEST(HtCapabilities, Golden_PresentWithFields) {
  auto ht = ElementsOf("beacon_wpa2").Get<HtCapabilities>();
  ASSERT_TRUE(ht.ok());
  EXPECT_EQ(ht->info(), 0x0022);  // tshark: wlan.ht.capabilities 0x0022
  EXPECT_TRUE(ht->supports_40mhz());
  EXPECT_TRUE(ht->short_gi_20());
  EXPECT_FALSE(ht->short_gi_40());
  EXPECT_EQ(ElementsOf("beacon_open").Get<HtCapabilities>().status(), Status::NotFound());
  EXPECT_EQ(HtCapabilities::Parse(Bytes(25)).status(), Status::OutOfRange());
  Bytes two_streams(26);
  two_streams[3] = two_streams[4] = std::byte{0xff};
  EXPECT_EQ(HtCapabilities::Parse(two_streams)->spatial_streams(), 2);
}

TEST(VendorElement, Golden_WmmAndEspNow) {
  auto wmm = VendorElement::Find(ElementsOf("beacon_wpa2"), kOuiMicrosoft, 2);
  ASSERT_TRUE(wmm.ok());
  EXPECT_EQ(wmm->oui, 0x0050f2u);
  EXPECT_EQ(Hex(wmm->data), "010100");
  EXPECT_EQ(VendorElement::Find(ElementsOf("beacon_wpa2"), kOuiMicrosoft, 1).status(),
            Status::NotFound());
  // The ESP-NOW element inside the vendor action frame, after category, OUI and random.
  const ElementList espnow(ByteSpan(Golden("action_espnow")).subspan(kMgmtHeaderSize + 8));
  auto element = VendorElement::Find(espnow, kOuiEspressif, 4);
  ASSERT_TRUE(element.ok());
  EXPECT_EQ(Hex(element->data),
            "01"
            "6869");  // version 1, "hi"
  EXPECT_EQ(VendorElement::Parse(FromHex("18fe34")).status(), Status::OutOfRange());
}

TEST(Rsn, GoldenWpa2_Fields) {
  auto rsn = ElementsOf("beacon_wpa2").Get<Rsn>();
  ASSERT_TRUE(rsn.ok());
  EXPECT_FALSE(rsn->wpa());
  EXPECT_EQ(rsn->group_cipher(), CipherSuite::kCcmp128);
  ASSERT_EQ(rsn->pairwise_count(), 1u);
  EXPECT_EQ(rsn->pairwise_cipher(0), CipherSuite::kCcmp128);
  ASSERT_EQ(rsn->akm_count(), 1u);
  EXPECT_EQ(rsn->akm(0), static_cast<uint8_t>(Akm::kPsk));
  EXPECT_TRUE(rsn->has_akm(Akm::kPsk));
  EXPECT_FALSE(rsn->has_akm(Akm::kSae));
  EXPECT_FALSE(rsn->mfp_required());
}

TEST(Rsn, GoldenTransition_TwoAkms) {
  auto rsn = ElementsOf("beacon_wpa3_transition_hidden").Get<Rsn>();
  ASSERT_TRUE(rsn.ok());
  EXPECT_EQ(rsn->akm_count(), 2u);
  EXPECT_TRUE(rsn->has_akm(Akm::kPsk));
  EXPECT_TRUE(rsn->has_akm(Akm::kSae));
}

TEST(Rsn, VersionOnly_UsesDefaults) {
  const Bytes b = FromHex("0100");
  auto rsn = Rsn::Parse(b);
  ASSERT_TRUE(rsn.ok());
  EXPECT_EQ(rsn->group_cipher(), CipherSuite::kCcmp128);
  EXPECT_EQ(rsn->pairwise_cipher(0), CipherSuite::kCcmp128);
  EXPECT_TRUE(rsn->has_akm(Akm::kIeee8021x));
  EXPECT_EQ(rsn->capabilities(), 0);
}

TEST(Rsn, BestPairwise_AndVendorSuite) {
  // Group TKIP; pairwise TKIP, a vendor suite, GCMP-256; AKM SAE; capabilities MFPR|MFPC.
  const Bytes b = FromHex(
      "0100"
      "000fac02"
      "0300"
      "000fac02"
      "00102003"
      "000fac09"
      "0100"
      "000fac08"
      "c000");
  auto rsn = Rsn::Parse(b);
  ASSERT_TRUE(rsn.ok());
  EXPECT_EQ(rsn->group_cipher(), CipherSuite::kTkip);
  EXPECT_EQ(rsn->pairwise_cipher(1), CipherSuite::kVendor);
  EXPECT_EQ(rsn->best_pairwise_cipher(), CipherSuite::kGcmp256);
  EXPECT_TRUE(rsn->mfp_required());
  EXPECT_TRUE(rsn->mfp_capable());
}

TEST(Rsn, CutFieldsAndLyingCounts_ReturnOutOfRange) {
  const std::string full =
      "0100"
      "000fac04"
      "0100"
      "000fac04"
      "0100"
      "000fac02"
      "0000";
  // Cuts at field boundaries are valid (later fields default); cuts inside one are not.
  const std::vector<size_t> boundaries = {2, 6, 12, 18, 20};
  const Bytes bytes = FromHex(full);
  for (size_t size = 0; size < bytes.size(); ++size) {
    const bool ok = std::find(boundaries.begin(), boundaries.end(), size) != boundaries.end();
    EXPECT_EQ(Rsn::Parse(ByteSpan(bytes).first(size)).status(),
              ok ? Status::Ok() : Status::OutOfRange())
        << size;
  }
  // A pairwise count of 9 with one suite present.
  EXPECT_EQ(Rsn::Parse(FromHex("0100"
                               "000fac04"
                               "0900"
                               "000fac04"))
                .status(),
            Status::OutOfRange());
  // An AKM count of 0xffff.
  EXPECT_EQ(Rsn::Parse(FromHex("0100"
                               "000fac04"
                               "0000"
                               "ffff"
                               "000fac02"))
                .status(),
            Status::OutOfRange());
}

TEST(Rsn, Version2_ReturnsUnimplemented) {
  EXPECT_EQ(Rsn::Parse(FromHex("0200"
                               "000fac04"))
                .status(),
            Status::Unimplemented());
}

TEST(Rsn, GoldenWpa1_VendorElement) {
  auto wpa = VendorElement::Find(ElementsOf("beacon_wpa1"), kOuiMicrosoft, 1);
  ASSERT_TRUE(wpa.ok());
  auto rsn = Rsn::ParseWpa(wpa->data);
  ASSERT_TRUE(rsn.ok());
  EXPECT_TRUE(rsn->wpa());
  EXPECT_EQ(rsn->group_cipher(), CipherSuite::kTkip);
  EXPECT_EQ(rsn->pairwise_cipher(0), CipherSuite::kTkip);
  EXPECT_TRUE(rsn->has_akm(Akm::kPsk));
  // RSN's OUI inside a WPA element is another vendor's suite.
  const Bytes ieee_suites = FromHex(
      "0100"
      "000fac04"
      "0100"
      "000fac04"
      "0100"
      "000fac02");
  auto mixed = Rsn::ParseWpa(ieee_suites);
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(mixed->pairwise_cipher(0), CipherSuite::kVendor);
  EXPECT_EQ(mixed->akm(0), 0);
}

TEST(ClassifySecurity, GoldenBeacons) {
  struct Case {
    const char* name;
    SecurityMode mode;
    CipherSuite pairwise;
  };
  const Case cases[] = {
      {"beacon_wpa2", SecurityMode::kWpa2, CipherSuite::kCcmp128},
      {"beacon_wpa3_transition_hidden", SecurityMode::kWpa3Transition, CipherSuite::kCcmp128},
      {"beacon_wpa3_sae", SecurityMode::kWpa3, CipherSuite::kCcmp128},
      {"beacon_open", SecurityMode::kOpen, CipherSuite::kNone},
      {"beacon_wpa1", SecurityMode::kWpa, CipherSuite::kTkip},
  };
  for (const Case& c : cases) {
    auto security = BeaconView::Parse(*Dot11View::Parse(Golden(c.name)))->security();
    ASSERT_TRUE(security.ok()) << c.name;
    EXPECT_EQ(security->mode, c.mode) << c.name;
    EXPECT_EQ(security->pairwise, c.pairwise) << c.name;
    EXPECT_FALSE(security->enterprise) << c.name;
  }
}

TEST(ClassifySecurity, WepEnterpriseOwe) {
  EXPECT_EQ(ClassifySecurity(true, ElementList())->mode, SecurityMode::kWep);
  const Bytes enterprise = FromHex(
      "3014"
      "0100"
      "000fac04"
      "0100"
      "000fac04"
      "0100"
      "000fac01"
      "0000");
  auto e = ClassifySecurity(true, ElementList(enterprise));
  EXPECT_EQ(e->mode, SecurityMode::kWpa2);
  EXPECT_TRUE(e->enterprise);
  const Bytes wpa3e = FromHex(
      "3014"
      "0100"
      "000fac04"
      "0100"
      "000fac04"
      "0100"
      "000fac05"
      "c000");
  EXPECT_EQ(ClassifySecurity(true, ElementList(wpa3e))->mode, SecurityMode::kWpa3);
  const Bytes owe = FromHex(
      "3014"
      "0100"
      "000fac04"
      "0100"
      "000fac04"
      "0100"
      "000fac12"
      "c000");
  auto o = ClassifySecurity(true, ElementList(owe));
  EXPECT_EQ(o->mode, SecurityMode::kOwe);
  EXPECT_FALSE(o->enterprise);
}

TEST(ClassifySecurity, BrokenRsn_ReturnsItsError) {
  const Bytes cut = FromHex(
      "3003"
      "010000");
  EXPECT_EQ(ClassifySecurity(true, ElementList(cut)).status(), Status::OutOfRange());
  const Bytes broken_chain = FromHex(
      "0009"
      "00");
  EXPECT_EQ(ClassifySecurity(true, ElementList(broken_chain)).status(), Status::OutOfRange());
}

TEST(ElementWriter, EveryKind_RoundTrips) {
  FrameBuffer<512> buf;
  ElementWriter w(buf);
  const uint8_t rates[] = {0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24, 0x30, 0x48};
  const Country::Triplet triplets[] = {{1, 13, 20}};
  const std::byte bitmap[] = {std::byte{0x02}};
  const char ssid[] = "lab";
  w.AddSsid(AsBytes(ssid, 3))
      .AddRates(rates)
      .AddDsParameterSet(6)
      .AddTim(0, 2, true, bitmap)
      .AddCountry({'F', 'R', ' '}, triplets)
      .AddErp(true, true, false)
      .AddExtendedRates(rates)
      .AddRsn(kWpa3Transition)
      .AddVendor(kOuiEspressif, 4, AsBytes("\x01", 1))
      .AddExtension(35, AsBytes("\xaa", 1));
  ASSERT_TRUE(w.ok()) << w.status().str();
  const ElementList list(buf.bytes());
  EXPECT_TRUE(list.status().ok());
  EXPECT_EQ(Ids(list), (std::vector<int>{0, 1, 3, 5, 7, 42, 50, 48, 221, 255}));
  EXPECT_EQ(Text(list.Get<Ssid>()->bytes()), "lab");
  EXPECT_EQ(RateList::Read(list)->size(), 10u);
  EXPECT_EQ(list.Get<DsParameterSet>()->channel(), 6);
  EXPECT_TRUE(list.Get<Tim>()->has_traffic(1));
  EXPECT_EQ(list.Get<Tim>()->dtim_period(), 2);
  EXPECT_EQ(list.Find(ElementId::kCountry)->data.size(), 6u);  // even, no pad needed
  EXPECT_EQ(list.Get<Country>()->triplet(0).num_channels, 13);
  EXPECT_TRUE(list.Get<Erp>()->non_erp_present());
  EXPECT_EQ(ClassifySecurity(true, list)->mode, SecurityMode::kWpa3Transition);
  EXPECT_TRUE(list.Get<Rsn>()->mfp_capable());
  EXPECT_TRUE(VendorElement::Find(list, kOuiEspressif, 4).ok());
  EXPECT_EQ(list.FindExtension(35)->data.size(), 1u);
}

TEST(ElementWriter, CountryWithTwoTriplets_IsPadded) {
  FrameBuffer<32> buf;
  const Country::Triplet triplets[] = {{1, 11, 30}, {36, 4, 23}};
  ElementWriter(buf).AddCountry({'U', 'S', ' '}, triplets);
  ASSERT_TRUE(buf.ok());
  EXPECT_EQ(Hex(buf.bytes()),
            "070a"
            "555320"
            "010b1e"
            "240417"
            "00");
  EXPECT_EQ(Country::Parse(buf.bytes().subspan(2))->triplet_count(), 2u);
}

TEST(ElementWriter, OversizeData_ReturnsInvalidArgumentAndWritesNothing) {
  FrameBuffer<1024> buf;
  const Bytes big(256);
  ElementWriter w(buf);
  w.AddDsParameterSet(1).Add(ElementId::kSsid, big);
  EXPECT_EQ(w.status(), Status::InvalidArgument());
  EXPECT_EQ(buf.size(), 3u);  // the DS Parameter Set before it
  w.AddDsParameterSet(2);     // sticky: nothing more
  EXPECT_EQ(buf.size(), 3u);

  FrameBuffer<64> b2;
  EXPECT_EQ(ElementWriter(b2).AddSsid(Bytes(33)).status(), Status::InvalidArgument());
  FrameBuffer<300> b3;
  EXPECT_EQ(ElementWriter(b3).AddVendor(1, 2, Bytes(252)).status(), Status::InvalidArgument());
  EXPECT_TRUE(ElementWriter(b3).AddVendor(1, 2, Bytes(251)).ok());
  FrameBuffer<8> b4;
  EXPECT_EQ(ElementWriter(b4).AddRates({}).status(), Status::InvalidArgument());
  EXPECT_EQ(ElementWriter(b4).AddTim(0, 1, false, {}, 3).status(), Status::InvalidArgument());
}

TEST(ElementWriter, FullBuffer_ReturnsResourceExhausted) {
  FrameBuffer<4> buf;
  ElementWriter w(buf);
  w.AddSsid(AsBytes("abc", 3));
  EXPECT_EQ(w.status(), Status::ResourceExhausted());
}

}  // namespace
}  // namespace airlab::wire
