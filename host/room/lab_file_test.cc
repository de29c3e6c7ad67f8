// Lab files: the examples read as the lab they describe, and what a file gets wrong becomes
// one message with the file, line, column and the fix, as scenario files do.

#include "host/room/lab_file.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace airlab::host::room {
namespace {

// The message ParseLabFile throws for `text`, or "" if it throws nothing.
std::string ErrorOf(const std::string& text) {
  try {
    ParseLabFile(text, "lab.toml", "/labs");
  } catch (const LabFileError& e) {
    return e.what();
  }
  return "";
}

std::string Mac(const MacAddress& mac) {
  char text[MacAddress::kStringSize + 1];
  mac.Format(text);
  return text;
}

TEST(LabFile, TheLabsExample_MasterSlaveRouterAndChannel179) {
  const LabFile lab = LoadLabFile("examples/lab/lab.toml");  // ctest runs in the source tree
  ASSERT_EQ(lab.boards.size(), 2u);
  EXPECT_EQ(lab.boards[0].name, "master");
  EXPECT_EQ(Mac(lab.boards[0].mac), "4c:11:ae:89:bd:d4");  // station; its AP is d5
  EXPECT_EQ(lab.boards[1].name, "slave");
  EXPECT_EQ(Mac(lab.boards[1].mac), "4c:11:ae:89:bc:94");
  EXPECT_EQ(lab.boards[1].x, 3);
  EXPECT_EQ(lab.boards[1].channel, 1);
  EXPECT_TRUE(lab.boards[1].fs.empty());
  ASSERT_EQ(lab.routers.size(), 1u);
  EXPECT_EQ(lab.routers[0].ssid, "lab");
  EXPECT_EQ(lab.routers[0].channel, 1);
  EXPECT_TRUE(lab.cloud.embedded());
  EXPECT_EQ(lab.cloud.rate_limit_s, 0);
  ASSERT_EQ(lab.cloud.channels.size(), 1u);
  EXPECT_EQ(lab.cloud.channels[0].id, 179);
  EXPECT_EQ(lab.cloud.channels[0].write_key, "E13BHXREJ6K0V1DQ");
  EXPECT_TRUE(lab.cloud.channels[0].public_flag);
  EXPECT_TRUE(lab.data.empty());
}

TEST(LabFile, TheClassExample_ThirtyBoardsWithTheirOwnNamesAndMacs) {
  const LabFile lab = LoadLabFile("examples/lab/class30.toml");
  ASSERT_EQ(lab.boards.size(), 30u);
  EXPECT_EQ(lab.boards[0].name, "student1");
  EXPECT_EQ(Mac(lab.boards[0].mac), "24:0a:c4:00:00:01");
  EXPECT_EQ(lab.boards[29].name, "student30");
  EXPECT_EQ(Mac(lab.boards[1].mac), "24:0a:c4:00:00:05");  // four MACs a chip, as ESP32s
  EXPECT_EQ(Mac(lab.boards[29].mac), "24:0a:c4:00:00:75");
  EXPECT_EQ(lab.boards[29].x, 8);  // the fifth column of the sixth row, 2 m apart
  EXPECT_EQ(lab.boards[29].y, 10);
}

TEST(LabFile, PathsAreRelativeToTheFile_CloudUrlReplacesTheServer) {
  const LabFile lab = ParseLabFile(R"(
data = "state"
hub_port = 4700
[cloud]
url = "https://api.thingspeak.com"
[[board]]
name = "a"
position = [1, 2]
channel = 6
fs = "flash/a"
)",
                                   "lab.toml", "/labs/x");
  EXPECT_EQ(lab.data, "/labs/x/state");
  EXPECT_EQ(lab.hub_port, 4700);
  EXPECT_FALSE(lab.cloud.embedded());
  EXPECT_EQ(lab.boards[0].fs, "/labs/x/flash/a");
  EXPECT_EQ(lab.boards[0].channel, 6);
}

TEST(LabFile, AnEmptyFile_IsAnEmptyRoom) {
  const LabFile lab = ParseLabFile("", "lab.toml", "/labs");
  EXPECT_TRUE(lab.boards.empty());
  EXPECT_TRUE(lab.cloud.embedded());
}

TEST(LabFileErrors, TyposGetDidYouMean_WithLineAndColumn) {
  EXPECT_EQ(ErrorOf("[[board]]\nname = \"m\"\nposition = [0, 0]\nmack = \"4c:11:ae:89:bd:d5\"\n"),
            "lab.toml:4:1: board 1: unknown key \"mack\"; did you mean \"mac\"?");
  EXPECT_EQ(ErrorOf("[[bord]]\nname = \"m\"\n"),
            "lab.toml:1:3: unknown key \"bord\"; did you mean \"board\"?");
  EXPECT_EQ(ErrorOf("[cloud]\n[[cloud.channel]]\nid = 179\nname = \"lab\"\nwrite_kye = \"K\"\n"),
            "lab.toml:5:1: [[cloud.channel]]: unknown key \"write_kye\"; did you mean "
            "\"write_key\"?");
  EXPECT_EQ(ErrorOf("[[router]]\nsid = \"lab\"\n"),
            "lab.toml:2:1: router 1: unknown key \"sid\"; did you mean \"ssid\"?");
}

TEST(LabFileErrors, WrongValues_SayWhatToWrite) {
  struct Case {
    std::string text;
    std::string message;
  };
  for (const Case& c : {
           Case{"[[board]]\nname = \"a b\"\nposition = [0, 0]\n",
                "lab.toml:2:8: board 1: name \"a b\" must be one word of letters, digits, '-' "
                "and '_' (at most 32), e.g. name = \"master\""},
           Case{"[[board]]\nname = \"m\"\n",
                "lab.toml:1:1: board \"m\": give it a position in metres, e.g. position = [0, 0]"},
           Case{"[[board]]\nname = \"m\"\nposition = [0, 0]\nmac = \"4c:11\"\n",
                "lab.toml:4:7: board \"m\": mac \"4c:11\" is not a MAC address; write six hex "
                "bytes, e.g. \"4c:11:ae:89:bd:d5\""},
           Case{"[[board]]\nname = \"m\"\nposition = [0, 0]\nchannel = 14\n",
                "lab.toml:4:11: board \"m\": channel must be a whole number from 1 to 13, e.g. "
                "channel = 6"},
           Case{"[[router]]\nssid = \"a:b\"\n",
                "lab.toml:2:8: router 1: give the network's name, 1 to 32 bytes without ':', "
                "e.g. ssid = \"lab\""},
           Case{"[[router]]\nssid = \"lab\"\npassword = \"short\"\n",
                "lab.toml:3:12: router \"lab\": a WPA2 password has 8 to 63 characters (leave "
                "password out for an open network)"},
           Case{"[cloud]\nurl = \"ftp://x\"\n",
                "lab.toml:2:7: [cloud]: url must start with http:// or https://, e.g. url = "
                "\"https://api.thingspeak.com\""},
           Case{"[cloud]\nurl = \"http://x\"\nport = 80\n",
                "lab.toml:3:8: [cloud]: port is for the embedded server; with url the lab uses "
                "that cloud: drop one of them"},
           Case{"[cloud]\n[[cloud.channel]]\nname = \"lab\"\n",
                "lab.toml:2:1: [[cloud.channel]]: give the channel's id, e.g. id = 179"},
           Case{"[cloud]\n[[cloud.channel]]\nid = 1\nname = \"a\"\nfields = \"x\"\n",
                "lab.toml:5:10: channel 1: fields must be a list of texts, e.g. fields = "
                "[\"temperature\", \"humidity\"]"},
           Case{"[[group]]\nname = \"s\"\ncount = 3\n",
                "lab.toml:1:1: group \"s\": give a layout: \"grid\", \"ring\" or \"random\", e.g. "
                "layout = \"grid\""},
           Case{"board = 3\n",
                "lab.toml:1:9: board must be tables: write [[....board]] sections, or board = "
                "{ ... }"},
           Case{"[[board\n", "lab.toml:1:8: not valid TOML: "},
       }) {
    const std::string error = ErrorOf(c.text);
    EXPECT_EQ(error.substr(0, c.message.size()), c.message) << c.text;
  }
}

TEST(LabFileErrors, NamesMacsAndChannelIdsTwice_PointAtTheSecond) {
  EXPECT_EQ(ErrorOf("[[board]]\nname = \"m\"\nposition = [0, 0]\n"
                    "[[board]]\nname = \"m\"\nposition = [1, 0]\n"),
            "lab.toml:5:8: board \"m\": the name \"m\" is taken already (by the board declared "
            "at line 2); rename one");
  EXPECT_EQ(ErrorOf("[[board]]\nname = \"a\"\nposition = [0, 0]\nmac = \"02:00:00:00:00:11\"\n"
                    "[[group]]\nname = \"s\"\ncount = 9\nlayout = \"grid\"\n"
                    "mac_base = \"02:00:00:00:00:01\"\n"),
            "lab.toml:9:12: group \"s\": board \"s5\" has the MAC 02:00:00:00:00:11 of board "
            "\"a\"; give one of them another mac (ESP32s are 4 apart)");
  // The lab's cells use the access point's MAC (station + 1) for ESP-NOW.
  EXPECT_EQ(ErrorOf("[[board]]\nname = \"a\"\nposition = [0, 0]\nmac = \"02:00:00:00:00:11\"\n"
                    "[[board]]\nname = \"b\"\nposition = [0, 0]\nmac = \"02:00:00:00:00:12\"\n"),
            "lab.toml:8:7: board \"b\": board \"b\" has the MAC 02:00:00:00:00:12 of board \"a\"'s "
            "access point; give one of them another mac (ESP32s are 4 apart)");
  EXPECT_EQ(ErrorOf("[cloud]\n[[cloud.channel]]\nid = 1\nname = \"a\"\n"
                    "[[cloud.channel]]\nid = 1\nname = \"b\"\n"),
            "lab.toml:5:1: [[cloud.channel]]: channel 1 is declared already (line 2); give each "
            "its own id");
  EXPECT_EQ(ErrorOf("[[board]]\nname = \"m\"\nposition = [0, 0]\nmac = \"01:00:5e:00:00:01\"\n"),
            "lab.toml:4:7: board \"m\": a board's mac must be a unicast address (first byte "
            "even), e.g. \"4c:11:ae:89:bd:d5\"");
}

TEST(LabFileErrors, UnreadableFile_NamesThePath) {
  try {
    LoadLabFile("/nonexistent/lab.toml");
    FAIL();
  } catch (const LabFileError& e) {
    EXPECT_EQ(std::string(e.what()),
              "/nonexistent/lab.toml: cannot read the lab file; check the path");
  }
}

}  // namespace
}  // namespace airlab::host::room
