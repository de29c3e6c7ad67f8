#include "core/sniff/filter.h"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>

#include "core/sniff/sniff_testing.h"
#include "core/wire/pcap.h"

namespace airlab::sniff {
namespace {

using testing::Bytes;

const MacAddress kA({0x24, 0x0a, 0xc4, 0x00, 0x00, 0x0a});
const MacAddress kB({0x24, 0x0a, 0xc4, 0x00, 0x00, 0x0b});
const MacAddress kC({0x24, 0x0a, 0xc4, 0x00, 0x00, 0x0c});

// A record and the bytes it points into.
struct Frame {
  Bytes bytes;
  std::array<std::byte, espnow::kMaxPayloadV2> scratch;
  FrameRecord record;
};

std::unique_ptr<Frame> Make(Bytes packet, testing::RadioFields radio = {}) {
  auto f = std::make_unique<Frame>();
  f->bytes = testing::WithRadiotap(packet, radio);
  EXPECT_TRUE(
      DecodePacket(wire::kLinkTypeIeee80211Radiotap, f->bytes, 0, {}, f->scratch, f->record).ok());
  return f;
}

Bytes Text(const std::string& s) {
  Bytes b(s.size());
  for (size_t i = 0; i < s.size(); ++i) b[i] = static_cast<std::byte>(s[i]);
  return b;
}

bool Match(const std::string& expr, const Frame& f) {
  Filter filter;
  ParseError error;
  const Status status = filter.Compile(expr, &error);
  EXPECT_TRUE(status.ok()) << expr << ": at " << error.position << " expected " << error.expected;
  return filter.Matches(f.record);
}

ParseError CompileError(const std::string& expr, Status expected = Status::InvalidArgument()) {
  Filter filter;
  ParseError error;
  EXPECT_EQ(filter.Compile(expr, &error), expected) << expr;
  EXPECT_FALSE(filter.Matches(FrameRecord{})) << "a failed compile must match nothing";
  return error;
}

TEST(Filter, Empty_MatchesEverything) {
  auto beacon = Make(testing::Beacon(kA, "x", 1, 1));
  EXPECT_TRUE(Match("", *beacon));
  EXPECT_TRUE(Match("   ", *beacon));
}

TEST(Filter, FrameKinds) {
  auto beacon = Make(testing::Beacon(kA, "x", 1, 1));
  auto ack = Make(testing::Ack(kA));
  auto data = Make(testing::Data(1, kA, kB, kC, 10, 1, false, true));
  EXPECT_TRUE(Match("mgmt", *beacon));
  EXPECT_TRUE(Match("beacon", *beacon));
  EXPECT_FALSE(Match("probe-req", *beacon));
  EXPECT_TRUE(Match("ctrl and ack", *ack));
  EXPECT_FALSE(Match("rts", *ack));
  EXPECT_TRUE(Match("data and qos-data and to-ds and not from-ds", *data));
  EXPECT_TRUE(Match("BEACON", *beacon)) << "names are case-insensitive";
}

TEST(Filter, Addresses_AndMissingFieldsAreFalse) {
  auto data = Make(testing::Data(1, kA, kB, kC, 10, 1));  // to DS: bssid A, sa B, da C
  EXPECT_TRUE(Match("sa == 24:0a:c4:00:00:0b", *data));
  EXPECT_TRUE(Match("da == 24-0a-c4-00-00-0c and bssid == 240ac400000a", *data));
  EXPECT_TRUE(Match("ta == 24:0a:c4:00:00:0b and ra == 24:0a:c4:00:00:0a", *data));
  EXPECT_TRUE(Match("sa != 24:0a:c4:00:00:0a", *data));
  EXPECT_TRUE(Match("addr == 24:0a:c4:00:00:0c", *data));
  EXPECT_FALSE(Match("addr != 24:0a:c4:00:00:0c", *data));
  EXPECT_TRUE(Match("addr != 24:0a:c4:00:00:0d", *data));
  auto ack = Make(testing::Ack(kA));
  // An ACK has no TA and no SA: both == and != are false, as in Wireshark.
  EXPECT_FALSE(Match("ta == 24:0a:c4:00:00:0b", *ack));
  EXPECT_FALSE(Match("ta != 24:0a:c4:00:00:0b", *ack));
  EXPECT_FALSE(Match("sa != 24:0a:c4:00:00:0b", *ack));
  EXPECT_TRUE(Match("ra == 24:0a:c4:00:00:0a", *ack));
}

TEST(Filter, Numbers) {
  testing::RadioFields radio;
  radio.channel = 6;
  radio.rssi_dbm = -67;
  radio.rate_500kbps = 11;
  auto beacon = Make(testing::Beacon(kA, "x", 6, 321), radio);
  EXPECT_TRUE(Match("channel == 6", *beacon));
  EXPECT_TRUE(Match("rssi > -70 and rssi <= -67 and rssi != -66", *beacon));
  EXPECT_FALSE(Match("rssi >= -66", *beacon));
  EXPECT_TRUE(Match("rate == 5.5 and rate < 6", *beacon));
  EXPECT_TRUE(Match("seq == 321", *beacon));
  EXPECT_TRUE(Match("len == " + std::to_string(beacon->bytes.size()), *beacon));
  // No ESP-NOW: its numbers are absent, so every comparison is false.
  EXPECT_FALSE(Match("espnow.len >= 0", *beacon));
  EXPECT_FALSE(Match("espnow.version != 1", *beacon));
}

TEST(Filter, Precedence_AndBindsTighterThanOr) {
  auto beacon = Make(testing::Beacon(kA, "x", 1, 1));
  EXPECT_TRUE(Match("beacon or ack and data", *beacon));  // beacon or (ack and data)
  EXPECT_FALSE(Match("(beacon or ack) and data", *beacon));
  EXPECT_TRUE(Match("not ack and not data", *beacon));
  EXPECT_FALSE(Match("not (beacon or ack)", *beacon));
  EXPECT_TRUE(Match("!ack && (data || mgmt)", *beacon));
  EXPECT_TRUE(Match("not not beacon", *beacon));
  EXPECT_FALSE(Match("ack or data or rts or cts", *beacon));
  EXPECT_TRUE(Match("ack or data or rts or beacon", *beacon));
}

TEST(Filter, EspnowFields) {
  const Bytes hello = Text("hello, airlab");
  auto bcast = Make(testing::EspNow(kA, MacAddress::Broadcast(), hello, espnow::Version::kV1, 5));
  EXPECT_TRUE(Match("espnow and espnow.broadcast and not espnow.encrypted", *bcast));
  EXPECT_TRUE(Match("espnow.sender == 24:0a:c4:00:00:0a", *bcast));
  EXPECT_TRUE(Match("espnow.peer == broadcast", *bcast));
  EXPECT_TRUE(Match("espnow.version == 1 and espnow.len == 13", *bcast));
  EXPECT_TRUE(Match("espnow.payload starts-with \"hello\"", *bcast));
  EXPECT_FALSE(Match("espnow.payload starts-with \"airlab\"", *bcast));
  EXPECT_TRUE(Match("espnow.payload contains \"airlab\"", *bcast));
  EXPECT_TRUE(Match("espnow.payload contains 2c:20:61", *bcast));  // ", a"
  EXPECT_TRUE(Match("espnow.payload contains 6c6162", *bcast));    // "lab"
  EXPECT_FALSE(Match("espnow.payload contains \"labs\"", *bcast));
  EXPECT_TRUE(Match("espnow.payload contains \"\\x68el\"", *bcast));

  auto secret = Make(testing::EspNow(kA, kB, hello, espnow::Version::kV1, 6, false, true));
  EXPECT_TRUE(Match("espnow.encrypted and not espnow.broadcast", *secret));
  EXPECT_TRUE(Match("espnow.peer == 24:0a:c4:00:00:0b", *secret));
  EXPECT_FALSE(Match("espnow.payload contains \"hello\"", *secret));

  auto beacon = Make(testing::Beacon(kA, "hello", 1, 1));
  EXPECT_FALSE(Match("espnow.sender == 24:0a:c4:00:00:0a", *beacon));
  EXPECT_FALSE(Match("espnow.payload contains \"hello\"", *beacon));
}

TEST(Filter, PayloadContains_AcrossV2Elements) {
  Bytes payload(600, std::byte{'.'});
  const Bytes needle = Text("NEEDLE");
  std::copy(needle.begin(), needle.end(), payload.begin() + 247);  // spans elements 1 and 2
  auto v2 = Make(testing::EspNow(kA, kB, payload, espnow::Version::kV2, 1));
  EXPECT_TRUE(Match("espnow.payload contains \"NEEDLE\" and espnow.version == 2", *v2));
  EXPECT_TRUE(Match("espnow.len > 250", *v2));
}

TEST(Filter, Errors_SayWhereAndWhat) {
  ParseError e = CompileError("beacon and");
  EXPECT_EQ(e.position, 10u);
  EXPECT_NE(std::string(e.expected).find("field"), std::string::npos);

  e = CompileError("sa == 24:0a:zz:00:00:01");
  EXPECT_EQ(e.position, 6u);
  EXPECT_NE(std::string(e.expected).find("MAC"), std::string::npos);

  e = CompileError("(beacon or ack");
  EXPECT_EQ(e.position, 14u);
  EXPECT_STREQ(e.expected, "')'");

  e = CompileError("rssi > strong");
  EXPECT_EQ(e.position, 7u);
  EXPECT_NE(std::string(e.expected).find("number"), std::string::npos);

  e = CompileError("rssi -70");
  EXPECT_EQ(e.position, 5u);
  EXPECT_NE(std::string(e.expected).find("comparison"), std::string::npos);

  e = CompileError("sa < 24:0a:c4:00:00:01");
  EXPECT_STREQ(e.expected, "'==' or '!='");

  e = CompileError("beacon ack");
  EXPECT_EQ(e.position, 7u);
  EXPECT_NE(std::string(e.expected).find("'and'"), std::string::npos);

  e = CompileError("espnow.payload has 01");
  EXPECT_EQ(e.position, 15u);
  e = CompileError("espnow.payload contains 0g");
  EXPECT_EQ(e.position, 24u);
  e = CompileError("espnow.payload contains 012");
  EXPECT_NE(std::string(e.expected).find("hex"), std::string::npos);
  e = CompileError("espnow.payload contains \"open");
  EXPECT_EQ(e.position, 24u);

  e = CompileError("beacons");
  EXPECT_EQ(e.position, 0u);
  e = CompileError("beacon = 1");
  e = CompileError("rate == 5.25");
  EXPECT_NE(std::string(e.expected).find("Mb/s"), std::string::npos);
  e = CompileError(")");
  EXPECT_EQ(e.position, 0u);
}

TEST(Filter, Limits_ReturnResourceExhausted) {
  std::string deep;
  for (size_t i = 0; i <= Filter::kMaxDepth; ++i) deep += "(";
  deep += "beacon";
  for (size_t i = 0; i <= Filter::kMaxDepth; ++i) deep += ")";
  CompileError(deep, Status::ResourceExhausted());

  std::string nots;
  for (size_t i = 0; i <= Filter::kMaxDepth; ++i) nots += "not ";
  CompileError(nots + "beacon", Status::ResourceExhausted());

  std::string lng = "beacon";
  for (size_t i = 0; i < Filter::kMaxInstructions; ++i) lng += " or ack";
  CompileError(lng, Status::ResourceExhausted());

  std::string big = "espnow.payload contains " + std::string(2 * (Filter::kMaxPoolBytes + 1), 'a');
  CompileError(big, Status::ResourceExhausted());

  // Just inside the limits compiles.
  std::string ok;
  for (size_t i = 0; i < Filter::kMaxDepth - 1; ++i) ok += "(";
  ok += "beacon";
  for (size_t i = 0; i < Filter::kMaxDepth - 1; ++i) ok += ")";
  Filter filter;
  EXPECT_TRUE(filter.Compile(ok).ok());
}

TEST(Filter, NeedsRadio_OnlyForRadioFields) {
  Filter filter;
  ASSERT_TRUE(filter.Compile("espnow and sa == 24:0a:c4:00:00:0a and len > 10 and bad-fcs").ok());
  EXPECT_FALSE(filter.needs_radio());
  for (const char* expr : {"rssi > -70", "not channel == 6", "espnow or rate == 1"}) {
    ASSERT_TRUE(filter.Compile(expr).ok());
    EXPECT_TRUE(filter.needs_radio()) << expr;
  }
}

TEST(Filter, NeedsPayload_OnlyForPayloadTests) {
  Filter filter;
  ASSERT_TRUE(filter.Compile("espnow.payload contains \"t=2\" or beacon").ok());
  EXPECT_TRUE(filter.needs_payload());
  ASSERT_TRUE(filter.Compile("espnow and espnow.len > 4 and not espnow.encrypted").ok());
  EXPECT_FALSE(filter.needs_payload()) << "a recompiled filter forgets the payload";
}

TEST(Filter, RecompileAfterError_Works) {
  Filter filter;
  EXPECT_FALSE(filter.Compile("beacon and").ok());
  EXPECT_TRUE(filter.Compile("beacon").ok());
  auto beacon = Make(testing::Beacon(kA, "x", 1, 1));
  EXPECT_TRUE(filter.Matches(beacon->record));
}

}  // namespace
}  // namespace airlab::sniff
