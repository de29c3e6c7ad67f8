// Data frames of a joined station under CCMP (core/espnow/ccmp.h, checked there against the
// 802.11 J.6.4 data-frame vector): unicast with the TK and key id 0, group-addressed with
// the GTK and its key id. join_tshark_test.cc shows Wireshark decrypting both.

#include <gtest/gtest.h>

#include <string_view>

#include "core/base/bytes_testing.h"
#include "core/espnow/ccmp.h"
#include "core/wifi/dhcp.h"
#include "core/wire/dot11.h"
#include "platform/mbedtls/mbedtls_aes128.h"

namespace airlab::wifi {
namespace {

const MacAddress kAp({0x02, 0, 0, 0, 0x01, 0});
const MacAddress kSta({0x02, 0, 0, 0, 0x02, 0});

ByteSpan Text(std::string_view s) { return AsBytes(s.data(), s.size()); }

port::Aes128Key Key(uint8_t first) {
  port::Aes128Key k;
  for (size_t i = 0; i < k.size(); ++i) k[i] = std::byte(first + i);
  return k;
}

void BuildPlain(wire::DsMode mode, const MacAddress& destination, ByteBuilder& out) {
  const MacAddress source = mode == wire::DsMode::kToDs ? kSta : kAp;
  EXPECT_TRUE(wire::BuildDataFrame(out, *wire::MakeDataHeader(mode, destination, source, kAp),
                                   kIpv4Ethertype, Text("an IPv4 packet"))
                  .ok());
}

TEST(DataCcmp, Unicast_TkKeyId0_RoundTrip) {
  mbedtls::MbedtlsAes128 aes;
  const port::Aes128Key tk = Key(0x10);
  FrameBuffer<128> plain;
  BuildPlain(wire::DsMode::kToDs, kAp, plain);
  FrameBuffer<160> sealed;
  ASSERT_TRUE(espnow::CcmpEncrypt(aes, tk, plain.bytes(), 1, 0, sealed).ok());
  EXPECT_EQ(sealed.size(), plain.size() + espnow::kCcmpOverhead);
  EXPECT_EQ(load_u8(sealed.bytes(), wire::kMgmtHeaderSize + 3), 0x20);  // ExtIV, key id 0
  Result<wire::DataView> data = wire::DataView::Parse(*wire::Dot11View::Parse(sealed.bytes()));
  ASSERT_TRUE(data.ok());
  EXPECT_TRUE(data->protected_frame());
  EXPECT_EQ(data->llc_snap().status(), Status::FailedPrecondition());

  FrameBuffer<128> opened;
  Result<uint64_t> pn = espnow::CcmpDecrypt(aes, tk, sealed.bytes(), opened);
  ASSERT_TRUE(pn.ok());
  EXPECT_EQ(*pn, 1u);
  AIRLAB_EXPECT_BYTES_EQ(opened.bytes(), plain.bytes());
  Result<wire::LlcSnap> llc =
      wire::DataView::Parse(*wire::Dot11View::Parse(opened.bytes()))->llc_snap();
  ASSERT_TRUE(llc.ok());
  EXPECT_EQ(llc->ethertype, kIpv4Ethertype);
}

TEST(DataCcmp, Group_GtkKeyId1_OnlyTheGtkOpensIt_AndReplaysAreCaught) {
  mbedtls::MbedtlsAes128 aes;
  const port::Aes128Key gtk = Key(0x30);
  const port::Aes128Key tk = Key(0x10);
  FrameBuffer<128> plain;
  BuildPlain(wire::DsMode::kFromDs, MacAddress::Broadcast(), plain);
  FrameBuffer<160> sealed;
  ASSERT_TRUE(espnow::CcmpEncrypt(aes, gtk, plain.bytes(), 5, 1, sealed).ok());
  EXPECT_EQ(load_u8(sealed.bytes(), wire::kMgmtHeaderSize + 3), 0x60);  // ExtIV, key id 1
  FrameBuffer<128> opened;
  EXPECT_EQ(espnow::CcmpDecrypt(aes, tk, sealed.bytes(), opened).status(),
            Status::PermissionDenied());
  EXPECT_EQ(opened.size(), 0u);
  Result<uint64_t> pn = espnow::CcmpDecrypt(aes, gtk, sealed.bytes(), opened);
  ASSERT_TRUE(pn.ok());
  AIRLAB_EXPECT_BYTES_EQ(opened.bytes(), plain.bytes());
  // The station starts the GTK's guard at the RSC message 3 told it (here 5): a frame
  // with that PN again is a replay.
  espnow::ReplayGuard guard;
  ASSERT_TRUE(guard.Accept(*pn).ok());
  EXPECT_EQ(guard.Check(*espnow::CcmpPacketNumber(sealed.bytes())), Status::AlreadyExists());
}

}  // namespace
}  // namespace airlab::wifi
