// Scenario files: what they say becomes the model, and what they get wrong becomes one
// message with the file, line, column and the fix.

#include "scenario/scenario.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace airlab::scenario {
namespace {

constexpr MacAddress kMaster({0x4c, 0x11, 0xae, 0x89, 0xbd, 0xd5});
constexpr MacAddress kSlave({0x4c, 0x11, 0xae, 0x89, 0xbc, 0x95});

// The message ParseScenario throws for `text`, or "" if it throws nothing.
std::string ErrorOf(const std::string& text) {
  try {
    ParseScenario(text, "t.toml");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

constexpr const char* kTwoBoards = R"(
description = "two boards"
seed = 7
duration = "90s"
pacing = "realtime"
speed = 2.5

[air]
path_loss_exponent = 2.5
reference_loss_db = 40.05
shadowing_sigma_db = 3

[[node]]
name = "master"
mac = "4c:11:ae:89:bd:d5"
position = [0, 0]
tx_power_dbm = 19.5
role = "gateway"
reply = "got {msg}"

[[node]]
name = "slave"
mac = "4c:11:ae:89:bc:95"
position = [12.5, 3, 1]
channel = 1
[[node.traffic]]
to = "master"
payload = "{seq}"
interval = "1s"
count = 5
start = "250ms"
)";

TEST(Scenario, Parse_EveryTopLevelAndNodeField_InTheModel) {
  const Scenario s = ParseScenario(kTwoBoards, "lab.toml");
  EXPECT_EQ(s.source, "lab.toml");
  EXPECT_EQ(s.description, "two boards");
  EXPECT_EQ(s.seed, 7u);
  EXPECT_EQ(s.duration, 90 * port::kSecond);
  EXPECT_DOUBLE_EQ(s.speed, 2.5);
  EXPECT_DOUBLE_EQ(s.air.path_loss_exponent, 2.5);
  EXPECT_DOUBLE_EQ(s.air.reference_loss_db, 40.05);
  EXPECT_DOUBLE_EQ(s.air.reference_distance_m, 1.0);  // not given: ns-3's default
  EXPECT_DOUBLE_EQ(s.air.shadowing_sigma_db, 3.0);
  ASSERT_EQ(s.nodes.size(), 2u);

  const NodeSpec& master = s.nodes[0];
  EXPECT_EQ(master.name, "master");
  EXPECT_EQ(master.mac, kMaster);
  EXPECT_EQ(master.role, Role::kResponder);
  EXPECT_EQ(master.reply, "got {msg}");
  EXPECT_DOUBLE_EQ(master.tx_power_dbm, 19.5);
  EXPECT_DOUBLE_EQ(master.noise_figure_db, 7.0);
  EXPECT_TRUE(master.peers.empty());  // plaintext needs no peer to be received

  const NodeSpec& slave = s.nodes[1];
  EXPECT_EQ(slave.mac, kSlave);
  EXPECT_DOUBLE_EQ(slave.position.x, 12.5);
  EXPECT_DOUBLE_EQ(slave.position.y, 3.0);
  EXPECT_DOUBLE_EQ(slave.position.z, 1.0);
  EXPECT_EQ(slave.role, Role::kNode);
  ASSERT_EQ(slave.traffic.size(), 1u);
  const TrafficSpec& t = slave.traffic[0];
  EXPECT_EQ(t.to, kMaster);
  EXPECT_EQ(t.payload, "{seq}");
  EXPECT_EQ(t.arrivals, Arrivals::kPeriodic);
  EXPECT_EQ(t.interval, port::kSecond);
  EXPECT_EQ(t.count, 5u);
  EXPECT_EQ(t.start, 250 * port::kMillisecond);
  // Traffic to a node makes it a peer (plain, v1).
  ASSERT_EQ(slave.peers.size(), 1u);
  EXPECT_EQ(slave.peers[0], (PeerSpec{.mac = kMaster}));
  EXPECT_EQ(s.FindNode("slave"), 1u);
  EXPECT_EQ(s.FindNode(kMaster), 0u);
  EXPECT_FALSE(s.FindNode("nobody").has_value());
}

TEST(Scenario, Defaults_WhenOnlyNamesAndPositions) {
  const Scenario s = ParseScenario("[[node]]\nname = \"a\"\nposition = [0, 0]\n", "t.toml");
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.duration, 10 * port::kSecond);
  EXPECT_EQ(s.speed, 0.0);  // fast
  ASSERT_EQ(s.nodes.size(), 1u);
  EXPECT_EQ(s.nodes[0].mac, DefaultMac(0));
  EXPECT_EQ(s.nodes[0].mac, MacAddress({0x02, 0, 0, 0, 0, 0}));
  EXPECT_EQ(s.nodes[0].channel, 1);
  EXPECT_DOUBLE_EQ(s.nodes[0].tx_power_dbm, 16.0206);
}

TEST(Scenario, ParseDuration_UnitsAndBareSeconds) {
  EXPECT_EQ(ParseDuration("250ms"), 250 * port::kMillisecond);
  EXPECT_EQ(ParseDuration("1.5s"), 1500 * port::kMillisecond);
  EXPECT_EQ(ParseDuration("2min"), 120 * port::kSecond);
  EXPECT_EQ(ParseDuration("100us"), 100 * port::kMicrosecond);
  EXPECT_EQ(ParseDuration("30"), 30 * port::kSecond);
  EXPECT_EQ(ParseDuration(" 0.5 s "), 500 * port::kMillisecond);
  EXPECT_FALSE(ParseDuration("").has_value());
  EXPECT_FALSE(ParseDuration("fast").has_value());
  EXPECT_FALSE(ParseDuration("10 parsecs").has_value());
  EXPECT_FALSE(ParseDuration("-1s").has_value());
}

TEST(Scenario, Traffic_PoissonRate_BroadcastAndPayloadSize) {
  const Scenario s = ParseScenario(R"(
[[node]]
name = "a"
position = [0, 0]
traffic = { to = "broadcast", payload_size = 200, rate = 4.0 }
)",
                                   "t.toml");
  const TrafficSpec& t = s.nodes[0].traffic.at(0);
  EXPECT_EQ(t.to, MacAddress::Broadcast());
  EXPECT_EQ(t.arrivals, Arrivals::kPoisson);
  EXPECT_EQ(t.interval, 250 * port::kMillisecond);
  EXPECT_EQ(t.payload_size, 200u);
  EXPECT_FALSE(t.start.has_value());
  EXPECT_EQ(s.nodes[0].peers.at(0).mac, MacAddress::Broadcast());
}

TEST(Scenario, EncryptedTraffic_KeyAtBothEnds_ExplicitPeerKept) {
  const Scenario s = ParseScenario(R"(
[[node]]
name = "a"
position = [0, 0]
pmk = "00112233445566778899aabbccddeeff"
[[node.traffic]]
to = "b"
payload_size = 10
interval = 1
lmk = "0123456789abcdef"
version = 2

[[node]]
name = "b"
position = [5, 0]

[[node]]
name = "c"
position = [9, 0]
[[node.peer]]
to = "a"
lmk = "fedcba9876543210fedcba9876543210"
[[node.traffic]]
to = "a"
payload_size = 10
interval = 1
)",
                                   "t.toml");
  espnow::Key lmk;
  for (size_t i = 0; i < lmk.size(); ++i) lmk[i] = static_cast<std::byte>("0123456789abcdef"[i]);
  EXPECT_EQ(s.nodes[0].pmk[0], std::byte{0x00});
  EXPECT_EQ(s.nodes[0].pmk[15], std::byte{0xff});
  const PeerSpec& ab = s.nodes[0].peers.at(0);
  EXPECT_TRUE(ab.encrypt);  // an lmk implies encrypt
  EXPECT_EQ(ab.lmk, lmk);
  EXPECT_EQ(ab.version, espnow::Version::kV2);
  // b gets a as an encrypted peer with the same key, as a lab would set it up.
  ASSERT_EQ(s.nodes[1].peers.size(), 1u);
  EXPECT_EQ(
      s.nodes[1].peers[0],
      (PeerSpec{
          .mac = s.nodes[0].mac, .encrypt = true, .lmk = lmk, .version = espnow::Version::kV2}));
  // c declared a itself: nothing added, and a gets c mirrored with c's key.
  ASSERT_EQ(s.nodes[2].peers.size(), 1u);
  EXPECT_EQ(s.nodes[2].peers[0].lmk[0], std::byte{0xfe});
  ASSERT_EQ(s.nodes[0].peers.size(), 2u);
  EXPECT_EQ(s.nodes[0].peers[1].mac, s.nodes[2].mac);
  EXPECT_EQ(s.nodes[0].peers[1].lmk[0], std::byte{0xfe});
}

TEST(Scenario, GridGroup_NamesPositionsAndMacs) {
  const Scenario s = ParseScenario(R"(
[[node]]
name = "sink"
position = [0, 0]

[[group]]
name = "s"
count = 5
layout = "grid"
spacing = 4
columns = 2
origin = [10, 20]
mac_base = "02:00:00:00:00:ff"
[[group.traffic]]
to = "sink"
payload_size = 50
interval = "100ms"

[[node]]
name = "last"
position = [1, 1]
)",
                                   "t.toml");
  ASSERT_EQ(s.nodes.size(), 7u);
  EXPECT_EQ(s.nodes[0].name, "sink");
  EXPECT_EQ(s.nodes[6].name, "last");  // in file order, after the group
  EXPECT_EQ(s.nodes[6].mac, DefaultMac(6));
  for (int i = 0; i < 5; ++i) {
    const NodeSpec& n = s.nodes[1 + i];
    EXPECT_EQ(n.name, "s" + std::to_string(i + 1));
    EXPECT_DOUBLE_EQ(n.position.x, 10 + 4 * (i % 2));
    EXPECT_DOUBLE_EQ(n.position.y, 20 + 4 * (i / 2));
    EXPECT_EQ(n.traffic.at(0).to, s.nodes[0].mac);
  }
  // The base counts up across the byte boundary.
  EXPECT_EQ(s.nodes[1].mac, MacAddress({0x02, 0, 0, 0, 0x00, 0xff}));
  EXPECT_EQ(s.nodes[2].mac, MacAddress({0x02, 0, 0, 0, 0x01, 0x00}));
}

TEST(Scenario, RingGroup_OnTheCircle) {
  const Scenario s = ParseScenario(R"(
[[group]]
name = "r"
count = 8
layout = "ring"
radius = 15
origin = [3, 4]
)",
                                   "t.toml");
  ASSERT_EQ(s.nodes.size(), 8u);
  for (const NodeSpec& n : s.nodes) {
    EXPECT_NEAR(std::hypot(n.position.x - 3, n.position.y - 4), 15.0, 1e-9) << n.name;
  }
  EXPECT_NEAR(s.nodes[2].position.x, 3.0, 1e-9);  // a quarter turn
  EXPECT_NEAR(s.nodes[2].position.y, 19.0, 1e-9);
}

TEST(Scenario, RandomGroup_InsideTheRoom_SameLayoutEveryTime_LayoutSeedChangesIt) {
  const std::string text = R"(
[[group]]
name = "n"
count = 200
layout = "random"
room = [60, 40]
origin = [-30, -20]
)";
  const Scenario a = ParseScenario(text, "t.toml");
  const Scenario b = ParseScenario(text, "t.toml");
  const Scenario c = ParseScenario(text + "layout_seed = 9\n", "t.toml");
  // A node declared before the group shifts the numbers, not the positions.
  const Scenario d = ParseScenario("[[node]]\nname = \"gw\"\nposition = [0, 0]\n" + text, "t.toml");
  ASSERT_EQ(d.nodes.size(), 201u);
  EXPECT_EQ(d.nodes[1].position.x, a.nodes[0].position.x);
  EXPECT_EQ(d.nodes[200].position.y, a.nodes[199].position.y);
  ASSERT_EQ(a.nodes.size(), 200u);
  double min_x = 1e9, max_x = -1e9;
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    const sim::Position& p = a.nodes[i].position;
    EXPECT_GE(p.x, -30);
    EXPECT_LT(p.x, 30);
    EXPECT_GE(p.y, -20);
    EXPECT_LT(p.y, 20);
    EXPECT_EQ(p.z, 0.0);
    min_x = std::min(min_x, p.x);
    max_x = std::max(max_x, p.x);
    EXPECT_EQ(p.x, b.nodes[i].position.x);
  }
  EXPECT_GT(max_x - min_x, 50);  // spread over the room
  EXPECT_NE(a.nodes[0].position.x, c.nodes[0].position.x);
}

// ---------------------------------------------------------------------------------------
// Errors

TEST(ScenarioErrors, TomlSyntax_NamesLineAndColumn) {
  const std::string e = ErrorOf("seed = 1\n[[node]\nname = \"a\"\n");
  EXPECT_EQ(e.rfind("t.toml:2:", 0), 0u) << e;
  EXPECT_NE(e.find("not valid TOML"), std::string::npos) << e;
}

TEST(ScenarioErrors, TypoInRequiredTrafficKey_SuggestsIt) {
  // Without the check for typos first, this would say "give what to send".
  EXPECT_EQ(
      ErrorOf("[[node]]\nname = \"a\"\nposition = [0, 0]\n[[node.traffic]]\nto = \"broadcast\"\n"
              "paylod = \"x\"\ninterval = \"1s\"\n"),
      "t.toml:6:1: node \"a\" traffic 1: unknown key \"paylod\"; did you mean \"payload\"?");
  EXPECT_EQ(
      ErrorOf("[[node]]\nname = \"a\"\nposition = [0, 0]\n[[node.traffic]]\nto = \"broadcast\"\n"
              "payload = \"x\"\nintervall = \"1s\"\n"),
      "t.toml:7:1: node \"a\" traffic 1: unknown key \"intervall\"; did you mean \"interval\"?");
}

TEST(ScenarioErrors, UnknownKey_SuggestsTheClosest) {
  const std::string e = ErrorOf("[[node]]\nname = \"slave\"\nposition = [0, 0]\ntx_pwr_dbm = 3\n");
  EXPECT_EQ(
      e, "t.toml:4:1: node \"slave\": unknown key \"tx_pwr_dbm\"; did you mean \"tx_power_dbm\"?");
}

TEST(ScenarioErrors, UnknownKeyFarFromAll_ListsTheKeys) {
  const std::string e =
      ErrorOf("[air]\nweather = \"rain\"\n[[node]]\nname = \"a\"\nposition = [0, 0]\n");
  EXPECT_EQ(
      e.rfind("t.toml:2:1: [air]: unknown key \"weather\"; the keys here are path_loss_exponent",
              0),
      0u)
      << e;
}

TEST(ScenarioErrors, WrongTypeOrRange_SaysWhatToWrite) {
  EXPECT_EQ(
      ErrorOf("[[node]]\nname = \"a\"\nposition = [0, 0]\nchannel = 15\n"),
      "t.toml:4:11: node \"a\": channel must be a whole number from 1 to 14, e.g. channel = 6");
  EXPECT_EQ(ErrorOf("[[node]]\nname = \"a\"\nposition = \"here\"\n"),
            "t.toml:3:12: node \"a\": position must be [x, y] or [x, y, z] in metres, e.g. "
            "position = [10, 0]");
  EXPECT_EQ(
      ErrorOf("duration = \"soon\"\n[[node]]\nname = \"a\"\nposition = [0, 0]\n"),
      "t.toml:1:12: duration must be a duration: seconds, or text with a unit (us, ms, s, min), "
      "e.g. duration = \"60s\"");
  EXPECT_EQ(
      ErrorOf("[[node]]\nname = \"a\"\nmac = \"4c:11:ae\"\nposition = [0, 0]\n"),
      "t.toml:3:7: node \"a\": mac \"4c:11:ae\" is not a MAC address; write six hex bytes, e.g. "
      "\"4c:11:ae:89:bd:d5\"");
  EXPECT_NE(ErrorOf("[[node]]\nname = \"a\"\nposition = [0, 0]\npmk = \"short\"\n")
                .find("t.toml:4:7: node \"a\": pmk must be 16 characters or 32 hex digits"),
            std::string::npos);
}

TEST(ScenarioErrors, MissingRequired_SaysWhatToAdd) {
  EXPECT_EQ(
      ErrorOf("seed = 3\n"),
      "t.toml:1:1: the scenario has no nodes; add a [[node]] section with a name and a position");
  EXPECT_EQ(ErrorOf("[[node]]\nname = \"a\"\n"),
            "t.toml:1:1: node \"a\": give it a position in metres, e.g. position = [0, 0]");
  EXPECT_EQ(ErrorOf("[[node]]\nposition = [0, 0]\n"),
            "t.toml:1:1: node 1: give it a name, e.g. name = \"master\"");
  EXPECT_EQ(ErrorOf("[[group]]\nname = \"g\"\ncount = 3\nlayout = \"ring\"\n"),
            "t.toml:1:1: group \"g\": a ring needs its radius in metres, e.g. radius = 15.0");
  const std::string e = ErrorOf(
      "[[node]]\nname = \"a\"\nposition = [0, 0]\n[[node.traffic]]\nto = \"broadcast\"\n"
      "payload_size = 3\n");
  EXPECT_EQ(e,
            "t.toml:4:1: node \"a\" traffic 1: give interval = \"1s\" (periodic) or rate = 10.0 "
            "(Poisson, messages per second), one of them");
}

TEST(ScenarioErrors, UnknownTarget_NamesTheNodesThereAre) {
  EXPECT_EQ(
      ErrorOf("[[node]]\nname = \"a\"\nposition = [0, 0]\n"
              "[[node.traffic]]\nto = \"mastr\"\npayload = \"x\"\ninterval = 1\n"
              "[[node]]\nname = \"master\"\nposition = [1, 0]\n"),
      "t.toml:5:6: node \"a\" traffic 1: no node is named \"mastr\"; name one of a, master, give "
      "a MAC, or \"broadcast\"");
  // A MAC outside the scenario is a fine destination (a board that is not there).
  EXPECT_EQ(
      ErrorOf("[[node]]\nname = \"a\"\nposition = [0, 0]\n"
              "[[node.traffic]]\nto = \"4c:11:ae:00:00:01\"\npayload = \"x\"\ninterval = 1\n"),
      "");
}

TEST(ScenarioErrors, DuplicateNameOrMac_PointsAtTheSecond) {
  EXPECT_EQ(
      ErrorOf(
          "[[node]]\nname = \"a\"\nposition = [0, 0]\n[[node]]\nname = \"a\"\nposition = [1, 0]\n"),
      "t.toml:5:8: node \"a\": the name \"a\" is taken already (by the node declared at line 2); "
      "rename one");
  // A group's generated default MACs meet a node that took one of them.
  const std::string e = ErrorOf(
      "[[group]]\nname = \"g\"\ncount = 2\nlayout = \"grid\"\n"
      "[[node]]\nname = \"x\"\nmac = \"02:00:00:00:00:01\"\nposition = [0, 0]\n");
  EXPECT_EQ(
      e,
      "t.toml:7:7: node \"x\": node \"x\" has the MAC 02:00:00:00:00:01 of node \"g2\"; give one "
      "of them another mac (or mac_base)");
}

TEST(ScenarioErrors, PayloadTooLongForV1_SuggestsV2) {
  const std::string e = ErrorOf(
      "[[node]]\nname = \"a\"\nposition = [0, 0]\n"
      "[[node.traffic]]\nto = \"broadcast\"\npayload_size = 300\ninterval = 1\n");
  EXPECT_EQ(
      e,
      "t.toml:4:1: node \"a\" traffic 1: the payload takes up to 300 bytes; ESP-NOW v1 carries "
      "250: shorten it, or use version = 2");
  EXPECT_EQ(
      ErrorOf(
          "[[node]]\nname = \"a\"\nposition = [0, 0]\n"
          "[[node.traffic]]\nto = \"broadcast\"\npayload_size = 300\ninterval = 1\nversion = 2\n"),
      "");
}

TEST(ScenarioErrors, TooManyPeers_EspNowLimit) {
  std::string text =
      "[[group]]\nname = \"g\"\ncount = 21\nlayout = \"grid\"\n"
      "[[node]]\nname = \"hub\"\nposition = [0, 0]\n";
  for (int i = 1; i <= 21; ++i) {
    text +=
        "[[node.traffic]]\nto = \"g" + std::to_string(i) + "\"\npayload = \"x\"\ninterval = 1\n";
  }
  EXPECT_EQ(
      ErrorOf(text).rfind("t.toml:5:1: node \"hub\": node \"hub\" has 21 peers (0 encrypted", 0),
      0u)
      << ErrorOf(text);
}

TEST(ScenarioErrors, InconsistentSettings_NameTheFix) {
  EXPECT_EQ(ErrorOf("speed = 2\n[[node]]\nname = \"a\"\nposition = [0, 0]\n"),
            "t.toml:1:9: speed applies to pacing = \"realtime\"; add that line or drop speed");
  EXPECT_EQ(
      ErrorOf("[[node]]\nname = \"a\"\nposition = [0, 0]\nrole = \"sniffer\"\n"
              "[[node.traffic]]\nto = \"broadcast\"\npayload = \"x\"\ninterval = 1\n"),
      "t.toml:1:1: node \"a\": a sniffer only listens: move its peers and traffic to another node, "
      "or make it role = \"node\"");
  EXPECT_EQ(
      ErrorOf(
          "[[node]]\nname = \"a\"\nposition = [0, 0]\n"
          "[[node.traffic]]\nto = \"broadcast\"\npayload = \"x\"\ninterval = 1\nencrypt = true\n"),
      "t.toml:5:6: node \"a\" traffic 1: ESP-NOW never encrypts broadcast or multicast; drop "
      "encrypt/lmk here");
  EXPECT_EQ(
      ErrorOf("[[node]]\nname = \"a\"\nposition = [0, 0]\n[[node.peer]]\nto = \"b\"\n"
              "[[node.traffic]]\nto = \"b\"\npayload = \"x\"\ninterval = 1\nversion = 2\n"
              "[[node]]\nname = \"b\"\nposition = [0, 1]\n"),
      "t.toml:6:1: node \"a\" traffic 1: \"b\" is declared as a peer: set version, encrypt and lmk "
      "there, not on its traffic");
  EXPECT_EQ(ErrorOf("[[node]]\nname = \"a\"\nposition = [0, 0]\n"
                    "[[node.traffic]]\nto = \"a\"\npayload = \"x\"\ninterval = 1\n"),
            "t.toml:5:6: node \"a\" traffic 1: a node cannot send to itself; name another node");
  EXPECT_EQ(
      ErrorOf("[[node]]\nname = \"a\"\nposition = [0, 0]\n"
              "[[node.traffic]]\nto = \"broadcast\"\npayload = \"x\"\npayload_size = 3\ninterval = "
              "1\n"),
      "t.toml:7:16: node \"a\" traffic 1: give payload (text) or payload_size (bytes), not both");
}

TEST(ScenarioErrors, UnreadableFile_NamesThePath) {
  try {
    LoadScenario("/nonexistent/lab.toml");
    FAIL();
  } catch (const ScenarioError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/lab.toml: cannot read the scenario file; check the path");
  }
}

}  // namespace
}  // namespace airlab::scenario
