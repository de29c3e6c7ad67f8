// The Improv serial codec against packets written out by hand from improv-wifi.com/serial
// (the checksums summed by hand, not by the code under test), and the stream parser's
// resynchronisation on the refusals a serial line can bring.
#include "core/wifi/improv.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace airlab::wifi {
namespace {

std::string Str(ByteSpan b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}
ByteSpan Bytes(const std::string& s) { return AsBytes(s.data(), s.size()); }

// The specification's example: SSID MyWirelessAP, password mysecurepassword, as an RPC
// command packet (data length 0x20 = 2 + 0x1E); 0xC1 is the low byte of the sum.
const std::string kSpecSettings = std::string("IMPROV\x01\x03\x20\x01\x1e\x0c", 12) +
                                  "MyWirelessAP" + "\x10" + "mysecurepassword" + "\xc1\n";
// Current state "ready": 'I'+'M'+'P'+'R'+'O'+'V' = 0x1DD, + 1 + 1 + 1 + 2 -> 0xE2.
const std::string kReadyState("IMPROV\x01\x01\x01\x02\xe2\n", 12);
// RPC "request device info" (0x03, no data): 0x1DD + 1 + 3 + 2 + 3 + 0 -> 0xE6.
const std::string kDeviceInfoRequest("IMPROV\x01\x03\x02\x03\x00\xe6\n", 13);

struct Collected final : ImprovStreamListener {
  void OnImprovText(ByteSpan b) override { text += Str(b); }
  void OnImprovPacket(const ImprovPacket& p) override {
    packets.push_back({static_cast<uint8_t>(p.type), Str(p.data)});
  }
  void OnImprovRefused(ImprovRefusal why) override { refusals.push_back(why); }
  std::string text;
  std::vector<std::pair<uint8_t, std::string>> packets;
  std::vector<ImprovRefusal> refusals;
};

Collected Parse(const std::string& stream, ImprovStreamParser& parser) {
  Collected c;
  parser.Feed(Bytes(stream), c);
  return c;
}

TEST(Improv, Build_SpecExample_MatchesHandWrittenBytes) {
  FrameBuffer<kImprovMaxPacketSize> out;
  ASSERT_TRUE(BuildImprovWifiSettings(Bytes("MyWirelessAP"), Bytes("mysecurepassword"), out).ok());
  EXPECT_EQ(Str(out.bytes()), kSpecSettings);
  FrameBuffer<kImprovMaxPacketSize> state;
  ASSERT_TRUE(BuildImprovState(ImprovState::kReady, state).ok());
  EXPECT_EQ(Str(state.bytes()), kReadyState);
  FrameBuffer<kImprovMaxPacketSize> info;
  ASSERT_TRUE(BuildImprovCommand(ImprovCommand::kGetDeviceInfo, {}, info).ok());
  EXPECT_EQ(Str(info.bytes()), kDeviceInfoRequest);
}

TEST(Improv, Parse_SpecExample_GivesTheCredentials) {
  ImprovStreamParser parser;
  const Collected c = Parse(kSpecSettings, parser);
  ASSERT_EQ(c.packets.size(), 1u);
  EXPECT_EQ(c.text, "");  // the trailing '\n' belongs to the packet
  EXPECT_EQ(c.packets[0].first, 0x03);
  const Result<ImprovRpc> rpc = ParseImprovRpc(Bytes(c.packets[0].second));
  ASSERT_TRUE(rpc.ok());
  EXPECT_EQ(rpc->command, 0x01);
  const Result<ImprovWifiSettings> settings = ParseImprovWifiSettings(rpc->data);
  ASSERT_TRUE(settings.ok());
  EXPECT_EQ(Str(settings->ssid.bytes()), "MyWirelessAP");
  EXPECT_EQ(Str(settings->password), "mysecurepassword");
}

TEST(Improv, ResultBuilder_DeviceInfo_HandWritten) {
  // Strings "a", "bc": data = 04 05 01 'a' 02 'b' 'c' (command, inner length 5).
  // Sum: 0x1DD + 1 + 4 + 7 + 4 + 5 + 1 + 0x61 + 2 + 0x62 + 0x63 = 0x31B -> 0x1B.
  FrameBuffer<kImprovMaxPacketSize> out;
  ImprovResultBuilder result(out, ImprovCommand::kGetWifiNetworks);
  result.Add("a").Add("bc");
  ASSERT_TRUE(result.Finish().ok());
  EXPECT_EQ(Str(out.bytes()), std::string("IMPROV\x01\x04\x07\x04\x05\x01"
                                          "a\x02"
                                          "bc\x1b\n",
                                          18));
  // Read back: the strings in order.
  ImprovStreamParser parser;
  const Collected c = Parse(Str(out.bytes()), parser);
  ASSERT_EQ(c.packets.size(), 1u);
  const Result<ImprovRpc> rpc = ParseImprovRpc(Bytes(c.packets[0].second));
  ASSERT_TRUE(rpc.ok());
  std::vector<std::string> strings;
  ImprovStrings s(rpc->data);
  while (s.Next()) strings.push_back(Str(s.current()));
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(strings, (std::vector<std::string>{"a", "bc"}));
}

TEST(Improv, ResultBuilder_TooLong_RefusedAndNothingWritten) {
  FrameBuffer<kImprovMaxPacketSize * 2> out;
  ImprovResultBuilder result(out, ImprovCommand::kGetWifiNetworks);
  const std::string big(200, 'x');
  result.Add(big).Add(big);
  EXPECT_EQ(result.Finish(), Status::InvalidArgument());
  EXPECT_EQ(out.size(), 0u);
}

TEST(Improv, Strings_LengthPastTheEnd_NotOk) {
  const std::string data(
      "\x02"
      "ab\x05"
      "cd",
      6);
  ImprovStrings s(Bytes(data));
  ASSERT_TRUE(s.Next());
  EXPECT_EQ(Str(s.current()), "ab");
  EXPECT_FALSE(s.Next());
  EXPECT_FALSE(s.ok());
}

TEST(Improv, WifiSettings_LengthsThatDoNotAddUp_Refused) {
  EXPECT_EQ(ParseImprovWifiSettings(Bytes(std::string("\x05"
                                                      "ab\x00",
                                                      4)))
                .status(),
            Status::DataLoss());
  EXPECT_EQ(ParseImprovWifiSettings(Bytes(std::string("\x02"
                                                      "ab\x01",
                                                      4)))
                .status(),
            Status::DataLoss());
  EXPECT_EQ(ParseImprovWifiSettings(Bytes(std::string("\x00\x00", 2))).status(),
            Status::InvalidArgument());
  EXPECT_EQ(ParseImprovRpc(Bytes(std::string("\x01\x05"
                                             "ab",
                                             4)))
                .status(),
            Status::DataLoss());
}

TEST(Improv, Stream_TextAroundPackets_PassesThroughUnchanged) {
  ImprovStreamParser parser;
  const Collected c = Parse("IMP is not IMPROVED >>> " + kReadyState + "\r\n>>> " +
                                kDeviceInfoRequest + "print('IMPROV')\r",
                            parser);
  EXPECT_EQ(c.text, "IMP is not IMPROVED >>> \r\n>>> print('IMPROV')\r");
  ASSERT_EQ(c.packets.size(), 2u);
  EXPECT_EQ(c.packets[0], (std::pair<uint8_t, std::string>{0x01, std::string("\x02", 1)}));
  EXPECT_EQ(c.packets[1], (std::pair<uint8_t, std::string>{0x03, std::string("\x03\x00", 2)}));
  EXPECT_EQ(parser.stats().packets, 2u);
  EXPECT_EQ(parser.stats().refused(), 0u);
  EXPECT_FALSE(parser.waiting());
}

TEST(Improv, Stream_WaitingForAMagicOrAPacket_Told) {
  ImprovStreamParser parser;
  Collected c = Parse("typed IMP", parser);
  EXPECT_TRUE(parser.waiting());
  EXPECT_FALSE(parser.in_packet());
  parser.Expire(c);
  EXPECT_EQ(c.text, "typed IMP");
  parser.Feed(Bytes(kReadyState.substr(0, 8)), c);
  EXPECT_TRUE(parser.in_packet());
  EXPECT_EQ(parser.stats().timed_out, 0u);
}

TEST(Improv, Stream_ByteByByte_SameAsWhole) {
  const std::string stream = "abc IMPR" + kSpecSettings + "x" + kReadyState + "IMPROV";
  ImprovStreamParser whole_parser;
  Collected whole = Parse(stream, whole_parser);
  whole_parser.Expire(whole);
  ImprovStreamParser split_parser;
  Collected split;
  for (char ch : stream) split_parser.Feed(Bytes(std::string(1, ch)), split);
  split_parser.Expire(split);
  EXPECT_EQ(split.text, whole.text);
  EXPECT_EQ(split.packets, whole.packets);
  EXPECT_EQ(whole.packets.size(), 2u);
  EXPECT_EQ(whole.text, "abc IMPRx");  // "IMPROV" at the end: a magic that timed out
}

TEST(Improv, Stream_BadChecksum_DroppedWithItsLine_TextAfterSurvives) {
  std::string bad = kDeviceInfoRequest;
  bad[11] = '\xe7';
  ImprovStreamParser parser;
  const Collected c = Parse(bad + "print(1)\r", parser);
  EXPECT_TRUE(c.packets.empty());
  EXPECT_EQ(c.text, "print(1)\r");  // no \x03 (Ctrl-C) nor \x02 reached the REPL
  EXPECT_EQ(parser.stats().bad_checksum, 1u);
  EXPECT_EQ(c.refusals, std::vector<ImprovRefusal>{ImprovRefusal::kBadChecksum});
}

TEST(Improv, Stream_BadChecksumThenGoodPacketOnTheSameLine_Resynchronises) {
  std::string bad = kReadyState.substr(0, 11);
  bad[10] = '\x00';
  ImprovStreamParser parser;
  const Collected c = Parse(bad + kDeviceInfoRequest + ">>> ", parser);
  ASSERT_EQ(c.packets.size(), 1u);
  EXPECT_EQ(c.packets[0].first, 0x03);
  EXPECT_EQ(c.text, ">>> ");
}

TEST(Improv, Stream_LyingLengths_RefusedAsSoonAsTheyShow) {
  ImprovStreamParser parser;
  // A state packet of 5 bytes; an RPC whose inner length (9) is not the packet's less 2.
  const Collected c = Parse(std::string("IMPROV\x01\x01\x05\x02\x00\x00\x00\x00\x00\n", 16) +
                                std::string("IMPROV\x01\x03\x02\x03\x09\x00\n", 13) + "ok\r",
                            parser);
  EXPECT_TRUE(c.packets.empty());
  EXPECT_EQ(parser.stats().bad_length, 2u);
  EXPECT_EQ(c.text, "ok\r");
}

TEST(Improv, Stream_LengthPromisingMore_RefusedOnExpire_PacketInsideRecovered) {
  // Claims 253 bytes of RPC data (both lengths agree), then stops; a good packet and text
  // came after it, swallowed while the parser waited.
  const std::string liar("IMPROV\x01\x03\xff\x01\xfd\x00\x00", 12);
  ImprovStreamParser parser;
  Collected c = Parse(liar + "\n" + kReadyState + "next\r", parser);
  EXPECT_TRUE(c.packets.empty());
  EXPECT_TRUE(parser.waiting());
  parser.Expire(c);
  EXPECT_FALSE(parser.waiting());
  EXPECT_EQ(parser.stats().timed_out, 1u);
  ASSERT_EQ(c.packets.size(), 1u);
  EXPECT_EQ(c.packets[0].first, 0x01);
  EXPECT_EQ(c.text, "next\r");
  // And the stream goes on as text.
  parser.Feed(Bytes(std::string("print(2)\r")), c);
  EXPECT_EQ(c.text, "next\rprint(2)\r");
}

TEST(Improv, Stream_BadVersionAndType_Refused) {
  ImprovStreamParser parser;
  const Collected c = Parse(std::string("IMPROV\x02\x01\x01\x02\x00\n", 12) +
                                std::string("IMPROV\x01\x07\x01\x02\x00\n", 12) + "a",
                            parser);
  EXPECT_TRUE(c.packets.empty());
  EXPECT_EQ(parser.stats().bad_version, 1u);
  EXPECT_EQ(parser.stats().bad_type, 1u);
  EXPECT_EQ(c.text, "a");
}

TEST(Improv, Stream_DiscardIsBounded) {
  // A refused packet followed by a flood without line ends: at most a packet's worth is
  // dropped, then text flows again.
  std::string bad = kReadyState.substr(0, 10) + "\x00";
  ImprovStreamParser parser;
  const Collected c = Parse(bad + std::string(1000, 'x'), parser);
  EXPECT_GE(c.text.size(), 1000 - kImprovMaxPacketSize);
  EXPECT_LT(c.text.size(), 1000u);
  EXPECT_EQ(c.text, std::string(c.text.size(), 'x'));
}

TEST(Improv, Names) {
  EXPECT_EQ(ImprovStateName(0x04), "provisioned");
  EXPECT_EQ(ImprovErrorName(0x03), "unable to connect");
  EXPECT_EQ(ImprovErrorName(0x42), "unknown error");
}

}  // namespace
}  // namespace airlab::wifi
