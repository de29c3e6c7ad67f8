// tshark as the oracle of a whole join built from airlab's own pieces: beacon, open
// authentication, association, the four EAPOL-Key messages of the real Authenticator and
// Supplicant, then DHCP in CCMP-protected data frames (unicast under the TK, broadcast under
// the GTK). Given only the passphrase and the SSID, Wireshark derives the PMK and the PTK
// from the captured handshake, unwraps the GTK, decrypts the data frames and dissects DHCP:
// that proves PBKDF2, the PRF, the nonces, the MICs, the key wrap and the CCMP at once.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/espnow/ccmp.h"
#include "core/port/rng.h"
#include "core/wifi/dhcp.h"
#include "core/wifi/eapol.h"
#include "core/wifi/handshake.h"
#include "core/wifi/keys.h"
#include "core/wire/dot11.h"
#include "core/wire/dot11_testing.h"
#include "core/wire/elements.h"
#include "core/wire/mgmt.h"
#include "platform/mbedtls/mbedtls_aes128.h"
#include "platform/mbedtls/mbedtls_sha1.h"

namespace airlab::wifi {
namespace {

using wire::testing::Bytes;
using wire::testing::Hex;

constexpr std::string_view kSsid = "airlab-lab";
constexpr std::string_view kPassphrase = "correct horse battery";
const MacAddress kAp({0x02, 0x00, 0x00, 0x00, 0x01, 0x00});
const MacAddress kStation({0x02, 0x00, 0x00, 0x00, 0x02, 0x00});
constexpr uint8_t kRates[] = {0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24};
constexpr Ipv4Address kApAddress = {192, 168, 1, 1};
constexpr Ipv4Address kLeased = {192, 168, 1, 2};
constexpr std::string_view kPortalUrl = "http://192.168.1.1/";

ByteSpan Text(std::string_view s) { return AsBytes(s.data(), s.size()); }

std::string DecryptOption(std::string_view passphrase) {
  return "-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o wlan.enable_decryption:TRUE -o "
         "\"uat:80211_keys:\\\"wpa-pwd\\\",\\\"" +
         std::string(passphrase) + ":" + std::string(kSsid) + "\\\"\"";
}

// Builds the transcript of one join, frame by frame, as a sniffer would capture it.
class Transcript {
 public:
  explicit Transcript(std::string_view station_passphrase) {
    wire::ElementWriter writer(rsn_);
    writer.AddRsn(wire::kWpa2Personal);
    EXPECT_TRUE(writer.ok());
    port::Ssid ssid;
    EXPECT_TRUE(ssid.Assign(Text(kSsid)));
    ap_pmk_ = *DerivePmk(sha1_, Text(kPassphrase), ssid);
    station_pmk_ = *DerivePmk(sha1_, Text(station_passphrase), ssid);
    gtk_.key_id = 1;
    gtk_.tx = true;
    for (size_t i = 0; i < gtk_.gtk.size(); ++i) gtk_.gtk[i] = std::byte(0x30 + i);
  }

  const std::vector<Bytes>& frames() const { return frames_; }
  Authenticator& authenticator() { return authenticator_; }
  Supplicant& supplicant() { return supplicant_; }
  const GtkKde& gtk() const { return gtk_; }

  void BeaconAuthAssociation() {
    FrameBuffer<256> f;
    wire::MgmtHeader beacon{.addr1 = MacAddress::Broadcast(), .addr2 = kAp, .addr3 = kAp};
    ASSERT_TRUE(
        wire::BuildBeacon(
            f, beacon,
            {.ssid = Text(kSsid), .rates = kRates, .channel = 6, .rsn = wire::kWpa2Personal})
            .ok());
    Add(f);
    ASSERT_TRUE(wire::BuildAuthentication(f, ToAp(), 0, 1, 0).ok());
    Add(f);
    ASSERT_TRUE(wire::BuildAuthentication(f, ToStation(), 0, 2, 0).ok());
    Add(f);
    ASSERT_TRUE(wire::BuildAssocRequest(
                    f, ToAp(), {.ssid = Text(kSsid), .rates = kRates, .rsn_element = rsn_.bytes()})
                    .ok());
    Add(f);
    ASSERT_TRUE(wire::BuildAssocResponse(f, ToStation(), {.aid = 1, .rates = kRates}).ok());
    Add(f);
  }

  // Runs the handshake until it completes or the AP sees a bad MIC `retries` + 1 times
  // (then it deauthenticates with reason 15, as real APs do).
  void Handshake(int retries) {
    ASSERT_TRUE(
        supplicant_
            .Start({.spa = kStation, .aa = kAp, .pmk = station_pmk_, .rsn_element = rsn_.bytes()})
            .ok());
    FrameBuffer<512> to_station, to_ap;
    ASSERT_TRUE(authenticator_
                    .Start({.aa = kAp,
                            .spa = kStation,
                            .pmk = ap_pmk_,
                            .gtk = gtk_,
                            .rsn_element = rsn_.bytes()},
                           to_station)
                    .ok());
    for (int failures = 0;;) {
      AddEapol(to_station, /*from_ap=*/true);
      to_ap.Truncate(0);
      ASSERT_TRUE(supplicant_.OnEapol(to_station.bytes(), to_ap).ok());
      AddEapol(to_ap, /*from_ap=*/false);
      to_station.Truncate(0);
      const Result<HandshakeStep> step = authenticator_.OnEapol(to_ap.bytes(), to_station);
      ASSERT_TRUE(step.ok());
      if (*step == HandshakeStep::kComplete) return;
      if (*step == HandshakeStep::kMicFailure) {
        if (failures++ == retries) {
          FrameBuffer<64> deauth;
          ASSERT_TRUE(wire::BuildDeauthentication(deauth, ToStation(),
                                                  wire::ReasonCode::kFourWayHandshakeTimeout)
                          .ok());
          Add(deauth);
          return;
        }
        ASSERT_TRUE(authenticator_.Retransmit(to_station).ok());
      }
    }
  }

  // DHCP: DISCOVER and REQUEST from the station (TK), OFFER broadcast (GTK, the client
  // asked for broadcast), ACK unicast (TK).
  void Dhcp() {
    const Ipv4Address dns[] = {kApAddress};
    const uint8_t wanted[] = {1, 3, 6, 114};
    DhcpFields discover{.type = DhcpMessageType::kDiscover,
                        .xid = 0x1234abcd,
                        .broadcast = true,
                        .chaddr = kStation,
                        .parameter_request_list = wanted};
    AddDhcp(discover, /*from_ap=*/false, /*group=*/false);
    DhcpFields offer{.type = DhcpMessageType::kOffer,
                     .xid = 0x1234abcd,
                     .broadcast = true,
                     .yiaddr = kLeased,
                     .chaddr = kStation,
                     .server_identifier = kApAddress,
                     .lease_time_s = 7200,
                     .subnet_mask = Ipv4Address{255, 255, 255, 0},
                     .router = kApAddress,
                     .dns_servers = dns,
                     .captive_portal_url = Text(kPortalUrl)};
    AddDhcp(offer, /*from_ap=*/true, /*group=*/true);
    DhcpFields request = discover;
    request.type = DhcpMessageType::kRequest;
    request.requested_address = kLeased;
    request.server_identifier = kApAddress;
    AddDhcp(request, /*from_ap=*/false, /*group=*/false);
    DhcpFields ack = offer;
    ack.type = DhcpMessageType::kAck;
    ack.broadcast = false;
    AddDhcp(ack, /*from_ap=*/true, /*group=*/false);
  }

 private:
  wire::MgmtHeader ToAp() { return {.addr1 = kAp, .addr2 = kStation, .addr3 = kAp, .seq = Seq()}; }
  wire::MgmtHeader ToStation() {
    return {.addr1 = kStation, .addr2 = kAp, .addr3 = kAp, .seq = Seq()};
  }
  wire::SequenceControl Seq() { return wire::SequenceControl::Make(sequence_++); }

  void Add(ByteBuilder& frame) {
    frames_.emplace_back(frame.bytes().begin(), frame.bytes().end());
    frame.Truncate(0);
  }

  Result<wire::MgmtHeader> DataHeader(bool from_ap, const MacAddress& destination) {
    return from_ap ? wire::MakeDataHeader(wire::DsMode::kFromDs, destination, kAp, kAp, Seq())
                   : wire::MakeDataHeader(wire::DsMode::kToDs, destination, kStation, kAp, Seq());
  }

  void AddEapol(const ByteBuilder& eapol, bool from_ap) {
    FrameBuffer<600> f;
    const MacAddress to = from_ap ? kStation : kAp;
    ASSERT_TRUE(
        wire::BuildDataFrame(f, *DataHeader(from_ap, to), kEapolEthertype, eapol.bytes()).ok());
    Add(f);
  }

  void AddDhcp(const DhcpFields& fields, bool from_ap, bool group) {
    FrameBuffer<600> dhcp, ip, plain, protected_frame;
    ASSERT_TRUE(BuildDhcp(dhcp, fields).ok());
    const Ipv4Address source = from_ap ? kApAddress : kIpv4Any;
    const Ipv4Address destination = group || !from_ap ? kIpv4Broadcast : kLeased;
    ASSERT_TRUE(BuildIpv4Udp(ip, source, destination, from_ap ? kDhcpServerPort : kDhcpClientPort,
                             from_ap ? kDhcpClientPort : kDhcpServerPort, dhcp.bytes())
                    .ok());
    const MacAddress to = group || !from_ap ? MacAddress::Broadcast() : kStation;
    ASSERT_TRUE(
        wire::BuildDataFrame(plain, *DataHeader(from_ap, to), kIpv4Ethertype, ip.bytes()).ok());
    const Ptk& ptk = from_ap ? authenticator_.ptk() : supplicant_.ptk();
    uint64_t& pn = group ? gtk_pn_ : (from_ap ? ap_pn_ : station_pn_);
    ASSERT_TRUE(espnow::CcmpEncrypt(aes_, group ? gtk_.gtk : ptk.tk, plain.bytes(), ++pn,
                                    group ? gtk_.key_id : 0, protected_frame)
                    .ok());
    Add(protected_frame);
  }

  mbedtls::MbedtlsSha1 sha1_;
  mbedtls::MbedtlsAes128 aes_;
  port::SplitMix64 ap_rng_{11};
  port::SplitMix64 station_rng_{22};
  Authenticator authenticator_{sha1_, aes_, ap_rng_};
  Supplicant supplicant_{sha1_, aes_, station_rng_};
  FrameBuffer<kMaxRsnElementSize> rsn_;
  Pmk ap_pmk_{}, station_pmk_{};
  GtkKde gtk_;
  uint16_t sequence_ = 0;
  uint64_t ap_pn_ = 0, station_pn_ = 0, gtk_pn_ = 0;
  std::vector<Bytes> frames_;
};

const std::vector<std::string> kFields = {"wlan.fc.type_subtype",
                                          "wlan.fixed.auth.alg",
                                          "wlan.fixed.status_code",
                                          "wlan.fixed.aid",
                                          "wlan.rsn.akms.type",
                                          "wlan_rsna_eapol.keydes.msgnr",
                                          "wlan_rsna_eapol.keydes.key_info",
                                          "dhcp.option.dhcp",
                                          "dhcp.ip.your",
                                          "dhcp.option.captive_portal",
                                          "wlan.fixed.reason_code",
                                          "udp.checksum.status",
                                          "ip.checksum.status",
                                          "wlan.analysis.tk",
                                          "wlan.analysis.gtk"};

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t bar; (bar = line.find('|', start)) != std::string::npos; start = bar + 1) {
    out.push_back(line.substr(start, bar - start));
  }
  out.push_back(line.substr(start));
  return out;
}

TEST(JoinTshark, WholeJoin_WiresharkDerivesOurKeysAndDecryptsDhcp) {
  Transcript t(kPassphrase);
  t.BeaconAuthAssociation();
  t.Handshake(/*retries=*/0);
  ASSERT_EQ(t.authenticator().state(), Authenticator::State::kComplete);
  t.Dhcp();
  const std::vector<std::string> lines =
      wire::testing::Tshark(t.frames(), kFields, false, DecryptOption(kPassphrase));
  ASSERT_EQ(lines.size(), 13u);
  std::vector<std::vector<std::string>> rows;
  for (const std::string& line : lines) rows.push_back(Split(line));
  // Beacon with the PSK AKM; open authentication both ways; association with AID 1.
  EXPECT_EQ(rows[0][0], "0x0008");
  EXPECT_EQ(rows[0][4], "2");
  EXPECT_EQ(rows[1][0], "0x000b");
  EXPECT_EQ(rows[1][1], "0");
  EXPECT_EQ(rows[2][2], "0x0000");
  EXPECT_EQ(rows[3][0], "0x0000");
  EXPECT_EQ(rows[3][4], "2");  // the station's RSN element in its request
  EXPECT_EQ(rows[4][0], "0x0001");
  EXPECT_EQ(rows[4][2], "0x0000");
  EXPECT_EQ(rows[4][3], "0x0001");  // shown without the two top bits we set
  // Four EAPOL-Key messages, numbered by Wireshark itself.
  const char* key_infos[] = {"0x008a", "0x010a", "0x13ca", "0x030a"};
  for (int m = 0; m < 4; ++m) {
    EXPECT_EQ(rows[5 + m][5], std::to_string(m + 1)) << lines[5 + m];
    EXPECT_EQ(rows[5 + m][6], key_infos[m]) << lines[5 + m];
  }
  // The TK Wireshark derived decrypts the unicast frames, the GTK it unwrapped the
  // broadcast one: both are ours.
  EXPECT_EQ(rows[9][13], Hex(t.authenticator().ptk().tk));
  EXPECT_EQ(rows[10][14], Hex(t.gtk().gtk));
  // DHCP decrypted: DISCOVER (TK), OFFER (GTK, broadcast), REQUEST (TK), ACK (TK).
  const char* types[] = {"1", "2", "3", "5"};
  for (int i = 0; i < 4; ++i) {
    const std::vector<std::string>& row = rows[9 + i];
    EXPECT_EQ(row[7], types[i]) << lines[9 + i];
    EXPECT_EQ(row[11], "1") << lines[9 + i];  // UDP checksum good
    EXPECT_EQ(row[12], "1") << lines[9 + i];  // IPv4 header checksum good
  }
  EXPECT_EQ(rows[10][8], "192.168.1.2");
  EXPECT_EQ(rows[10][9], kPortalUrl);
  EXPECT_EQ(rows[12][8], "192.168.1.2");
}

TEST(JoinTshark, WrongPassphrase_Message2Retried_ThenDeauth15_NothingDecrypts) {
  Transcript t("wrong horse battery");
  t.BeaconAuthAssociation();
  t.Handshake(/*retries=*/2);
  ASSERT_EQ(t.authenticator().state(), Authenticator::State::kAwaitingMessage2);
  const std::vector<std::string> lines =
      wire::testing::Tshark(t.frames(), kFields, false, DecryptOption(kPassphrase));
  ASSERT_EQ(lines.size(), 5u + 6u + 1u);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(Split(lines[5 + i])[5], i % 2 == 0 ? "1" : "2") << lines[5 + i];
    EXPECT_EQ(Split(lines[5 + i])[13], "") << "no PTK derived: " << lines[5 + i];
  }
  EXPECT_EQ(Split(lines[11])[0], "0x000c");
  EXPECT_EQ(Split(lines[11])[10], "0x000f");  // 15: 4-way handshake timeout
}

}  // namespace
}  // namespace airlab::wifi
