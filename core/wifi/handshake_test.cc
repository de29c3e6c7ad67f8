#include "core/wifi/handshake.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "core/base/bytes_testing.h"
#include "core/port/rng.h"
#include "core/wire/elements.h"
#include "platform/mbedtls/mbedtls_aes128.h"
#include "platform/mbedtls/mbedtls_sha1.h"

namespace airlab::wifi {
namespace {

using Bytes = std::vector<std::byte>;

ByteSpan Text(std::string_view s) { return AsBytes(s.data(), s.size()); }

const MacAddress kAp({0x02, 0x00, 0x00, 0x00, 0x01, 0x00});
const MacAddress kStation({0x02, 0x00, 0x00, 0x00, 0x02, 0x00});

// The station's and the AP's RSN elements, as ElementWriter writes them for WPA2-PSK.
struct RsnElement {
  RsnElement() {
    wire::ElementWriter writer(buffer);
    writer.AddRsn(wire::kWpa2Personal);
    EXPECT_TRUE(writer.ok());
  }
  ByteSpan bytes() const { return buffer.bytes(); }
  FrameBuffer<kMaxRsnElementSize> buffer;
};

Pmk PmkOf(std::string_view passphrase) {
  mbedtls::MbedtlsSha1 sha1;
  port::Ssid ssid;
  EXPECT_TRUE(ssid.Assign(Text("airlab")));
  Result<Pmk> pmk = DerivePmk(sha1, Text(passphrase), ssid);
  EXPECT_TRUE(pmk.ok());
  return *pmk;
}

class HandshakeTest : public ::testing::Test {
 protected:
  void StartBoth(const Pmk& station_pmk) {
    gtk_.key_id = 1;
    gtk_.tx = true;
    for (size_t i = 0; i < gtk_.gtk.size(); ++i) gtk_.gtk[i] = std::byte(0xc0 + i);
    ASSERT_TRUE(
        supplicant_
            .Start({.spa = kStation, .aa = kAp, .pmk = station_pmk, .rsn_element = rsn_.bytes()})
            .ok());
    ASSERT_TRUE(authenticator_
                    .Start({.aa = kAp,
                            .spa = kStation,
                            .pmk = ap_pmk_,
                            .gtk = gtk_,
                            .gtk_rsc = 7,
                            .rsn_element = rsn_.bytes()},
                           to_station_)
                    .ok());
  }
  // Hands the AP's last frame to the station; its reply lands in to_ap_.
  HandshakeStep ToStation() {
    to_ap_.Truncate(0);
    Result<HandshakeStep> step = supplicant_.OnEapol(to_station_.bytes(), to_ap_);
    EXPECT_TRUE(step.ok());
    return step.ok() ? *step : HandshakeStep::kMalformed;
  }
  HandshakeStep ToAp() {
    to_station_.Truncate(0);
    Result<HandshakeStep> step = authenticator_.OnEapol(to_ap_.bytes(), to_station_);
    EXPECT_TRUE(step.ok());
    return step.ok() ? *step : HandshakeStep::kMalformed;
  }
  static uint16_t KeyInfoOf(const ByteBuilder& frame) {
    Result<EapolKeyView> view = EapolKeyView::Parse(frame.bytes());
    EXPECT_TRUE(view.ok());
    return view.ok() ? view->key_info() : 0;
  }

  mbedtls::MbedtlsSha1 sha1_;
  mbedtls::MbedtlsAes128 aes_;
  port::SplitMix64 ap_rng_{1};
  port::SplitMix64 station_rng_{2};
  Authenticator authenticator_{sha1_, aes_, ap_rng_};
  Supplicant supplicant_{sha1_, aes_, station_rng_};
  RsnElement rsn_;
  Pmk ap_pmk_ = PmkOf("correct horse");
  GtkKde gtk_;
  FrameBuffer<512> to_station_;
  FrameBuffer<512> to_ap_;
};

TEST_F(HandshakeTest, FourMessages_BothSidesInstallTheSameKeys) {
  StartBoth(ap_pmk_);
  EXPECT_EQ(KeyInfoOf(to_station_), KeyInfo::kMessage1);
  EXPECT_EQ(ToStation(), HandshakeStep::kSend);
  EXPECT_EQ(KeyInfoOf(to_ap_), KeyInfo::kMessage2);
  EXPECT_EQ(supplicant_.state(), Supplicant::State::kAwaitingMessage3);
  EXPECT_EQ(ToAp(), HandshakeStep::kSend);
  EXPECT_EQ(KeyInfoOf(to_station_), KeyInfo::kMessage3);
  EXPECT_EQ(ToStation(), HandshakeStep::kComplete);
  EXPECT_EQ(KeyInfoOf(to_ap_), KeyInfo::kMessage4);
  EXPECT_EQ(ToAp(), HandshakeStep::kComplete);
  EXPECT_EQ(to_station_.size(), 0u);

  EXPECT_EQ(authenticator_.state(), Authenticator::State::kComplete);
  EXPECT_EQ(supplicant_.state(), Supplicant::State::kComplete);
  EXPECT_EQ(authenticator_.ptk().tk, supplicant_.ptk().tk);
  EXPECT_EQ(authenticator_.ptk().kck, supplicant_.ptk().kck);
  EXPECT_EQ(supplicant_.gtk().gtk, gtk_.gtk);
  EXPECT_EQ(supplicant_.gtk().key_id, 1);
  EXPECT_TRUE(supplicant_.gtk().tx);
  EXPECT_EQ(supplicant_.gtk_rsc(), 7u);
}

TEST_F(HandshakeTest, Messages_CarryTheFieldsOfTheStandard) {
  StartBoth(ap_pmk_);
  const Result<EapolKeyView> m1 = EapolKeyView::Parse(to_station_.bytes());
  ASSERT_TRUE(m1.ok());
  EXPECT_EQ(m1->key_length(), 16);
  EXPECT_EQ(m1->replay_counter(), 1u);
  EXPECT_TRUE(m1->key_data().empty());
  const Bytes anonce(m1->nonce().begin(), m1->nonce().end());
  ASSERT_EQ(ToStation(), HandshakeStep::kSend);
  const Result<EapolKeyView> m2 = EapolKeyView::Parse(to_ap_.bytes());
  ASSERT_TRUE(m2.ok());
  EXPECT_EQ(m2->replay_counter(), 1u);
  AIRLAB_EXPECT_BYTES_EQ(m2->key_data(), rsn_.bytes());
  EXPECT_TRUE(m2->VerifyMic(sha1_, supplicant_.ptk().kck).ok());
  ASSERT_EQ(ToAp(), HandshakeStep::kSend);
  const Result<EapolKeyView> m3 = EapolKeyView::Parse(to_station_.bytes());
  ASSERT_TRUE(m3.ok());
  EXPECT_EQ(m3->replay_counter(), 2u);
  EXPECT_EQ(m3->key_rsc(), 7u);
  AIRLAB_EXPECT_BYTES_EQ(m3->nonce(), anonce);
  EXPECT_EQ(m3->key_data().size() % 8, 0u);
  // The key data is wrapped: the AP's RSN element and the GTK under the KEK.
  FrameBuffer<256> plain;
  ASSERT_TRUE(AesKeyUnwrap(aes_, authenticator_.ptk().kek, m3->key_data(), plain).ok());
  Result<ByteSpan> rsn = FindRsnElement(plain.bytes());
  ASSERT_TRUE(rsn.ok());
  AIRLAB_EXPECT_BYTES_EQ(*rsn, rsn_.bytes());
  Result<GtkKde> gtk = FindGtkKde(plain.bytes());
  ASSERT_TRUE(gtk.ok());
  EXPECT_EQ(gtk->gtk, gtk_.gtk);
  ASSERT_EQ(ToStation(), HandshakeStep::kComplete);
  const Result<EapolKeyView> m4 = EapolKeyView::Parse(to_ap_.bytes());
  ASSERT_TRUE(m4.ok());
  EXPECT_EQ(m4->replay_counter(), 2u);
  EXPECT_TRUE(m4->key_data().empty());
}

TEST_F(HandshakeTest, WrongPassphrase_ApSeesMicFailure_RetriesMessage1_StationAnswersAgain) {
  StartBoth(PmkOf("wrong horse"));
  ASSERT_EQ(ToStation(), HandshakeStep::kSend);
  EXPECT_EQ(ToAp(), HandshakeStep::kMicFailure);
  EXPECT_EQ(to_station_.size(), 0u);
  EXPECT_EQ(authenticator_.state(), Authenticator::State::kAwaitingMessage2);
  EXPECT_TRUE(supplicant_.sent_message2());

  // The AP's retry timer: message 1 again, a higher replay counter, the same ANonce.
  const Bytes first_m2(to_ap_.bytes().begin(), to_ap_.bytes().end());
  ASSERT_TRUE(authenticator_.Retransmit(to_station_).ok());
  EXPECT_EQ(authenticator_.transmissions(), 2u);
  EXPECT_EQ(EapolKeyView::Parse(to_station_.bytes())->replay_counter(), 2u);
  ASSERT_EQ(ToStation(), HandshakeStep::kSend);
  const Result<EapolKeyView> second_m2 = EapolKeyView::Parse(to_ap_.bytes());
  ASSERT_TRUE(second_m2.ok());
  // Same SNonce for the same ANonce.
  AIRLAB_EXPECT_BYTES_EQ(second_m2->nonce(), EapolKeyView::Parse(first_m2)->nonce());
  EXPECT_EQ(ToAp(), HandshakeStep::kMicFailure);
  EXPECT_EQ(supplicant_.state(), Supplicant::State::kAwaitingMessage3);
}

TEST_F(HandshakeTest, LostMessage4_ApResendsMessage3_StationAnswersWithoutReinstalling) {
  StartBoth(ap_pmk_);
  ASSERT_EQ(ToStation(), HandshakeStep::kSend);
  ASSERT_EQ(ToAp(), HandshakeStep::kSend);
  ASSERT_EQ(ToStation(), HandshakeStep::kComplete);
  // Message 4 is lost; the AP's timer resends message 3.
  to_station_.Truncate(0);
  ASSERT_TRUE(authenticator_.Retransmit(to_station_).ok());
  EXPECT_EQ(ToStation(), HandshakeStep::kSend);
  EXPECT_EQ(KeyInfoOf(to_ap_), KeyInfo::kMessage4);
  EXPECT_EQ(ToAp(), HandshakeStep::kComplete);
  EXPECT_EQ(authenticator_.ptk().tk, supplicant_.ptk().tk);
  to_station_.Truncate(0);
  EXPECT_EQ(authenticator_.Retransmit(to_station_), Status::FailedPrecondition());
}

TEST_F(HandshakeTest, LostMessage2_RetriedMessage1CompletesTheHandshake) {
  StartBoth(ap_pmk_);
  ASSERT_EQ(ToStation(), HandshakeStep::kSend);  // message 2 lost on the air
  to_station_.Truncate(0);
  ASSERT_TRUE(authenticator_.Retransmit(to_station_).ok());
  ASSERT_EQ(ToStation(), HandshakeStep::kSend);
  ASSERT_EQ(ToAp(), HandshakeStep::kSend);
  ASSERT_EQ(ToStation(), HandshakeStep::kComplete);
  ASSERT_EQ(ToAp(), HandshakeStep::kComplete);
  EXPECT_EQ(authenticator_.ptk().tk, supplicant_.ptk().tk);
}

TEST_F(HandshakeTest, ReplayedMessage1_IgnoredByTheStation) {
  StartBoth(ap_pmk_);
  const Bytes m1(to_station_.bytes().begin(), to_station_.bytes().end());
  ASSERT_EQ(ToStation(), HandshakeStep::kSend);
  FrameBuffer<512> reply;
  EXPECT_EQ(*supplicant_.OnEapol(m1, reply), HandshakeStep::kIgnored);
  EXPECT_EQ(reply.size(), 0u);
}

TEST_F(HandshakeTest, AlteredMessage3_MicFailureAtTheStation) {
  StartBoth(ap_pmk_);
  ASSERT_EQ(ToStation(), HandshakeStep::kSend);
  ASSERT_EQ(ToAp(), HandshakeStep::kSend);
  MutableByteSpan m3 = to_station_.writable_bytes();
  m3[m3.size() - 1] ^= std::byte{1};
  EXPECT_EQ(ToStation(), HandshakeStep::kMicFailure);
  EXPECT_EQ(supplicant_.state(), Supplicant::State::kAwaitingMessage3);
}

TEST_F(HandshakeTest, Garbage_Malformed_AndNothingWritten) {
  StartBoth(ap_pmk_);
  FrameBuffer<512> reply;
  const Bytes garbage(40, std::byte{0x03});
  EXPECT_EQ(*supplicant_.OnEapol(garbage, reply), HandshakeStep::kMalformed);
  EXPECT_EQ(*authenticator_.OnEapol(garbage, reply), HandshakeStep::kMalformed);
  // The AP's own message 1 sent back to it (Ack set): not a station's message.
  EXPECT_EQ(*authenticator_.OnEapol(to_station_.bytes(), reply), HandshakeStep::kMalformed);
  EXPECT_EQ(reply.size(), 0u);
}

TEST_F(HandshakeTest, MessageBeforeStart_IgnoredByTheStation) {
  Supplicant idle(sha1_, aes_, station_rng_);
  StartBoth(ap_pmk_);
  FrameBuffer<512> reply;
  EXPECT_EQ(*idle.OnEapol(to_station_.bytes(), reply), HandshakeStep::kIgnored);
}

TEST_F(HandshakeTest, ReplyBufferTooSmall_ResourceExhausted) {
  StartBoth(ap_pmk_);
  FrameBuffer<64> small;
  EXPECT_EQ(supplicant_.OnEapol(to_station_.bytes(), small).status(), Status::ResourceExhausted());
  EXPECT_EQ(small.size(), 0u);
  EXPECT_FALSE(supplicant_.sent_message2());
}

TEST_F(HandshakeTest, Start_RsnElementThatLies_InvalidArgument) {
  const std::byte lying[] = {std::byte{48}, std::byte{20}, std::byte{1}, std::byte{0}};
  FrameBuffer<512> out;
  EXPECT_EQ(authenticator_.Start({.aa = kAp, .spa = kStation, .rsn_element = lying}, out),
            Status::InvalidArgument());
  EXPECT_EQ(supplicant_.Start({.spa = kStation, .aa = kAp, .rsn_element = lying}),
            Status::InvalidArgument());
  EXPECT_EQ(out.size(), 0u);
}

}  // namespace
}  // namespace airlab::wifi
