// Wireshark agrees: a join between wifi::Station and wifi::AccessPoint on the simulated air,
// captured with an AirTap to pcapng, dissected by tshark - beacons, the probe naming the
// network and its answer, open system authentication, association, the four EAPOL-Key
// messages - and, given the passphrase, the CCMP-protected DHCP after the handshake
// decrypted (Wireshark derives the PTK from the captured handshake: the PMK, the nonces,
// the PTK and CCMP are all checked at once). A wrong passphrase shows as message 2
// answered by message 1 again, then a Deauthentication with reason 15.

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "host/air_capture.h"
#include "platform/sim/simulation.h"
#include "tests/run_command.h"
#include "tests/temp_dir.h"
#include "tests/wifi_sim_tools.h"

namespace airlab {
namespace {

using testing_tools::RunCommand;
using testing_tools::TempDir;
using testing_wifi::Router;
using testing_wifi::SsidOf;
using testing_wifi::StationNode;
using testing_wifi::Text;

constexpr MacAddress kBssid({0x02, 0x52, 0x54, 0, 0, 0x01});
constexpr char kDecrypt[] =
    "-o wlan.enable_decryption:TRUE -o 'uat:80211_keys:\"wpa-pwd\",\"lab-secret:lab\"'";

// Joins the lab's WPA2 router with `passphrase`, capturing the air into `file`.
void CaptureJoin(const std::string& file, std::string_view passphrase) {
  sim::Simulation sim({.seed = 9});
  host::AirCapture capture(sim, file, {.interface_name = "air"});
  Router ap(sim, kBssid, {.ssid = SsidOf("lab"), .passphrase = Text("lab-secret"), .channel = 6},
            {0, 0, 0});
  StationNode sta(sim, {4, 0, 0});
  ASSERT_TRUE(sta.station().Connect(SsidOf("lab"), Text(passphrase), nullptr).ok());
  sim.RunFor(wifi::kJoinTimeout + port::kSecond);
  capture.Close();
}

// tshark's lines for `filter`, each the fields asked for, separated by ','.
std::vector<std::string> Tshark(const std::string& file, const std::string& filter,
                                const std::string& fields, const std::string& options = "") {
  const auto r = RunCommand("tshark " + options + " -r " + file + " -Y '" + filter +
                            "' -T fields -E separator=, " + fields);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

size_t Count(const std::string& file, const std::string& filter, const std::string& options = "") {
  return Tshark(file, filter, "-e frame.number", options).size();
}

TEST(WifiSimJoinTshark, ASimulatedJoinIsDissectedAndItsDhcpDecrypted) {
  const TempDir dir;
  const std::string file = dir.File("join.pcapng");
  CaptureJoin(file, "lab-secret");

  EXPECT_GT(
      Count(file,
            "wlan.fc.type_subtype == 0x0008 && wlan.ssid == \"lab\" && wlan.rsn.akms.type == 2"),
      3u);
  EXPECT_GE(Count(file, "wlan.fc.type_subtype == 0x0004 && wlan.ssid == \"lab\""), 1u);
  EXPECT_GE(Count(file, "wlan.fc.type_subtype == 0x0005 && wlan.ssid == \"lab\""), 1u);
  EXPECT_EQ(Tshark(file, "wlan.fc.type_subtype == 0x000b && wlan.fc.retry == 0",
                   "-e wlan.fixed.auth_seq -e wlan.fixed.status_code"),
            (std::vector<std::string>{"0x0001,0x0000", "0x0002,0x0000"}));
  EXPECT_EQ(Count(file,
                  "wlan.fc.type_subtype == 0x0000 && wlan.rsn.akms.type == 2 && "
                  "wlan.fc.retry == 0"),
            1u);
  // tshark shows the AID without the two top bits the field carries.
  EXPECT_EQ(Tshark(file, "wlan.fc.type_subtype == 0x0001 && wlan.fc.retry == 0",
                   "-e wlan.fixed.status_code -e wlan.fixed.aid"),
            (std::vector<std::string>{"0x0000,0x0001"}));
  EXPECT_EQ(Tshark(file, "eapol && wlan.fc.retry == 0", "-e wlan_rsna_eapol.keydes.msgnr"),
            (std::vector<std::string>{"1", "2", "3", "4"}));

  // Without the passphrase the DHCP is ciphertext; with it, a whole DORA exchange.
  EXPECT_EQ(Count(file, "dhcp"), 0u);
  EXPECT_GE(Count(file, "wlan.fc.protected == 1 && wlan.fc.type == 2"), 4u);
  EXPECT_EQ(
      Tshark(file, "dhcp && wlan.fc.retry == 0", "-e dhcp.option.dhcp -e dhcp.ip.your", kDecrypt),
      (std::vector<std::string>{"1,0.0.0.0", "2,192.168.4.2", "3,0.0.0.0", "5,192.168.4.2"}));
  // Nothing in the capture is malformed to Wireshark.
  EXPECT_EQ(Count(file, "_ws.malformed || _ws.expert.severity == error", kDecrypt), 0u);
}

TEST(WifiSimJoinTshark, AWrongPasswordShowsMessage2RetriedThenDeauthentication) {
  const TempDir dir;
  const std::string file = dir.File("wrong.pcapng");
  CaptureJoin(file, "not-the-one");

  const std::vector<std::string> messages =
      Tshark(file, "eapol && wlan.fc.retry == 0", "-e wlan_rsna_eapol.keydes.msgnr");
  // The AP sends message 1 four times; each gets a message 2 whose MIC it cannot verify.
  EXPECT_EQ(messages, (std::vector<std::string>{"1", "2", "1", "2", "1", "2", "1", "2"}));
  EXPECT_EQ(Tshark(file, "wlan.fc.type_subtype == 0x000c && wlan.fc.retry == 0",
                   "-e wlan.sa -e wlan.fixed.reason_code"),
            (std::vector<std::string>{"02:52:54:00:00:01,0x000f"}));
  EXPECT_EQ(Count(file, "dhcp", kDecrypt), 0u);
}

}  // namespace
}  // namespace airlab
