#include "core/wifi/eapol.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/base/bytes_testing.h"
#include "core/wire/dot11_testing.h"
#include "platform/mbedtls/mbedtls_sha1.h"

namespace airlab::wifi {
namespace {

using wire::testing::Bytes;
using wire::testing::FromHex;

// A message 1 as hostapd sends it (key info 0x008a, key length 16, replay counter 1, an
// ANonce of 0x11s, no key data), written out field by field from 802.11-2016 12.7.2.
const Bytes kMessage1 = FromHex(
    "0203005f"          // version 2, type 3 (Key), body length 95
    "02008a0010"        // descriptor 2, key info, key length 16
    "0000000000000001"  // replay counter
    "1111111111111111111111111111111111111111111111111111111111111111"  // ANonce
    "00000000000000000000000000000000"                                  // key IV
    "0000000000000000"                                                  // key RSC
    "0000000000000000"                                                  // reserved
    "00000000000000000000000000000000"                                  // MIC
    "0000");                                                            // key data length

TEST(EapolKeyView, Parse_HandWrittenMessage1) {
  ASSERT_EQ(kMessage1.size(), kEapolKeyFixedSize);
  Result<EapolKeyView> key = EapolKeyView::Parse(kMessage1);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->protocol_version(), 2);
  EXPECT_EQ(key->key_info(), KeyInfo::kMessage1);
  EXPECT_TRUE(key->Has(KeyInfo::kPairwise | KeyInfo::kAck));
  EXPECT_FALSE(key->Has(KeyInfo::kMic));
  EXPECT_EQ(key->descriptor_version(), 2);
  EXPECT_EQ(key->key_length(), 16);
  EXPECT_EQ(key->replay_counter(), 1u);
  AIRLAB_EXPECT_BYTES_EQ(key->nonce(), Bytes(32, std::byte{0x11}));
  EXPECT_TRUE(key->key_data().empty());
}

TEST(EapolKeyView, Build_MatchesTheHandWrittenFrame) {
  const Bytes anonce(32, std::byte{0x11});
  FrameBuffer<256> out;
  ASSERT_TRUE(
      BuildEapolKey(
          out,
          {.key_info = KeyInfo::kMessage1, .key_length = 16, .replay_counter = 1, .nonce = anonce})
          .ok());
  AIRLAB_EXPECT_BYTES_EQ(out.bytes(), kMessage1);
}

TEST(EapolKeyView, RoundTrip_AllFields_AndPaddingAfterTheBodyIgnored) {
  const Bytes nonce(32, std::byte{0x42});
  const Bytes key_data = FromHex("30140100000fac040100000fac040100000fac020000");
  FrameBuffer<256> out;
  ASSERT_TRUE(BuildEapolKey(out, {.protocol_version = 1,
                                  .key_info = KeyInfo::kMessage3,
                                  .key_length = 16,
                                  .replay_counter = 0x0102030405060708,
                                  .nonce = nonce,
                                  .key_rsc = 0x1122,
                                  .key_data = key_data})
                  .ok());
  out.AppendZeros(6);  // link padding
  Result<EapolKeyView> key = EapolKeyView::Parse(out.bytes());
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->frame().size(), out.size() - 6);
  EXPECT_EQ(key->protocol_version(), 1);
  EXPECT_EQ(key->key_info(), 0x13ca);
  EXPECT_EQ(key->replay_counter(), 0x0102030405060708u);
  EXPECT_EQ(key->key_rsc(), 0x1122u);
  EXPECT_EQ(load_u8(key->frame(), 65), 0x22);  // the RSC is the PN, low byte first
  AIRLAB_EXPECT_BYTES_EQ(key->nonce(), nonce);
  AIRLAB_EXPECT_BYTES_EQ(key->key_data(), key_data);
}

TEST(EapolKeyView, Parse_RefusesLiesAndOtherPackets) {
  EXPECT_EQ(EapolKeyView::Parse(ByteSpan(kMessage1).first(3)).status(), Status::OutOfRange());
  Bytes frame = kMessage1;
  frame[3] = std::byte{96};  // body length one past the data
  EXPECT_EQ(EapolKeyView::Parse(frame).status(), Status::OutOfRange());
  frame = kMessage1;
  frame[2] = std::byte{0}, frame[3] = std::byte{10};  // a body too short for a key frame
  EXPECT_EQ(EapolKeyView::Parse(frame).status(), Status::OutOfRange());
  frame = kMessage1;
  frame[98] = std::byte{1};  // key data length 1 with no key data
  EXPECT_EQ(EapolKeyView::Parse(frame).status(), Status::OutOfRange());
  frame = kMessage1;
  frame[1] = std::byte{1};  // EAPOL-Start
  EXPECT_EQ(EapolKeyView::Parse(frame).status(), Status::InvalidArgument());
  frame = kMessage1;
  frame[4] = std::byte{254};  // WPA1 descriptor
  EXPECT_EQ(EapolKeyView::Parse(frame).status(), Status::Unimplemented());
}

TEST(EapolKeyView, Build_BadNonceOrFullBuffer_LeavesTheBuilderAlone) {
  FrameBuffer<256> out;
  const Bytes short_nonce(31);
  EXPECT_EQ(BuildEapolKey(out, {.nonce = short_nonce}), Status::InvalidArgument());
  FrameBuffer<98> small;
  EXPECT_EQ(BuildEapolKey(small, {}), Status::ResourceExhausted());
  EXPECT_EQ(small.size(), 0u);
}

TEST(EapolKeyView, WriteMic_ThenVerify_AndAnyChangedByteFails) {
  mbedtls::MbedtlsSha1 sha1;
  Kck kck{};
  kck[3] = std::byte{9};
  FrameBuffer<256> out;
  ASSERT_TRUE(BuildEapolKey(out, {.key_info = KeyInfo::kMessage2, .replay_counter = 1}).ok());
  ASSERT_TRUE(WriteEapolMic(sha1, kck, out.writable_bytes()).ok());
  Result<EapolKeyView> key = EapolKeyView::Parse(out.bytes());
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(key->VerifyMic(sha1, kck).ok());
  Kck other = kck;
  other[0] ^= std::byte{1};
  EXPECT_EQ(key->VerifyMic(sha1, other), Status::PermissionDenied());
  out.writable_bytes()[20] ^= std::byte{1};
  EXPECT_EQ(EapolKeyView::Parse(out.bytes())->VerifyMic(sha1, kck), Status::PermissionDenied());
}

TEST(KeyData, GtkKde_RoundTripThroughPadding) {
  GtkKde kde{.key_id = 2, .tx = true};
  for (size_t i = 0; i < kde.gtk.size(); ++i) kde.gtk[i] = std::byte(i);
  FrameBuffer<128> data;
  data.Append(FromHex("30140100000fac040100000fac040100000fac020000"));  // RSN element
  ASSERT_TRUE(AppendGtkKde(data, kde).ok());
  ASSERT_TRUE(PadKeyData(data, 0).ok());
  EXPECT_EQ(data.size() % 8, 0u);
  // 22 + 24 = 46 bytes, padded with DD and a zero to 48.
  EXPECT_EQ(data.size(), 48u);
  EXPECT_EQ(load_u8(data.bytes(), 46), 0xdd);
  Result<GtkKde> found = FindGtkKde(data.bytes());
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->key_id, 2);
  EXPECT_TRUE(found->tx);
  EXPECT_EQ(found->gtk, kde.gtk);
  Result<ByteSpan> rsn = FindRsnElement(data.bytes());
  ASSERT_TRUE(rsn.ok());
  EXPECT_EQ(rsn->size(), 22u);
}

TEST(KeyData, ShortKeyDataPaddedToSixteen) {
  FrameBuffer<32> data;
  data.PutU8(48).PutU8(2).PutU8(1).PutU8(0);
  ASSERT_TRUE(PadKeyData(data, 0).ok());
  EXPECT_EQ(data.size(), 16u);
  EXPECT_EQ(FindGtkKde(data.bytes()).status(), Status::NotFound());
}

TEST(KeyData, BrokenElements_Refused) {
  // An element running past the data.
  EXPECT_EQ(FindGtkKde(FromHex("3010010000")).status(), Status::OutOfRange());
  EXPECT_EQ(FindRsnElement(FromHex("30")).status(), Status::OutOfRange());
  // A GTK KDE with a 5-byte key, and one with key id 0.
  EXPECT_EQ(FindGtkKde(FromHex("dd0b000fac0101000102030405")).status(), Status::InvalidArgument());
  EXPECT_EQ(FindGtkKde(FromHex("dd16000fac010000000102030405060708090a0b0c0d0e0f")).status(),
            Status::InvalidArgument());
  GtkKde bad{.key_id = 0};
  FrameBuffer<64> out;
  EXPECT_EQ(AppendGtkKde(out, bad), Status::InvalidArgument());
}

}  // namespace
}  // namespace airlab::wifi
