// The hub protocol: every message survives encode -> frame -> decode, the layout matches
// the table in protocol.h byte for byte, and broken input is refused with a sentence.

#include "platform/air/protocol.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace airlab::air {
namespace {

using Bytes = std::vector<std::byte>;

Bytes Of(std::initializer_list<int> values) {
  Bytes out;
  for (int v : values) out.push_back(std::byte(v));
  return out;
}

constexpr MacAddress kMac({0x4c, 0x11, 0xae, 0x89, 0xbd, 0xd5});

// One of each message, with every field away from its default.
std::vector<Message> Samples() {
  Transmit tx{7, {}, Of({0xd0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8})};
  tx.options = {port::Rate::k11Mbps, true, true, 3, 0xdeadbeef};
  Received rx{123456789, 3, {}, Of({0x08, 1, 2, 3, 4, 5, 6, 7, 8, 9})};
  rx.info = {-61, -93, 6, port::Rate::k54Mbps, 120000, true, false};
  AirFrame air;
  air.start = 1000;
  air.end = 2000;
  air.transmitter = 2;
  air.channel = 11;
  air.rate = port::Rate::k2Mbps;
  air.short_preamble = true;
  air.retry = true;
  air.tx_power_dbm = 20.5;
  air.dropped = 9;
  air.receptions = {{0, -40.25, sim::RxOutcome::kReceived},
                    {5, -91.0, sim::RxOutcome::kHeaderError}};
  air.mpdu = Of({0xd4, 0, 0, 0, 0x4c, 0x11, 0xae, 0x89, 0xbd, 0xd5});
  const NodeSpec spec{"master", kMac, {1.5, -2, 3}, 6, 19.5};
  return {
      Hello{kProtocolVersion, "gateway"},
      AddNode{42, spec},
      RemoveNode{5},
      Control{43, 5, ControlOp::kSetAddress, 0, port::Interface::kAccessPoint, kMac},
      tx,
      Sniff{44, false},
      Welcome{kProtocolVersion, -5, 2.5, 32, "airlab air"},
      Reply{42, Status::AlreadyExists(), 17, "MAC in use"},
      Error{Status::OutOfRange(), "bad length"},
      Time{987654321012},
      rx,
      TxDone{55, 4, {0xabcdef01, port::TxResult::kNoAck, 7, 54}},
      NodeInfo{9, false, spec, "client3"},
      air,
  };
}

TEST(Protocol, EveryMessage_RoundTripsThroughTheFramer) {
  Bytes stream;
  for (const Message& m : Samples()) Encode(m, stream);
  // Fed one byte at a time, the framer still cuts the stream at the right places.
  Framer framer;
  std::vector<Message> decoded;
  Bytes body;
  for (std::byte b : stream) {
    framer.Append(ByteSpan(&b, 1));
    while (framer.Next(body).ok()) {
      std::string error;
      std::optional<Message> m = Decode(body, error);
      ASSERT_TRUE(m) << error;
      decoded.push_back(*m);
    }
  }
  EXPECT_EQ(framer.buffered(), 0u);
  EXPECT_EQ(decoded, Samples());
}

TEST(Protocol, Hello_MatchesTheDocumentedLayout) {
  Bytes out;
  Encode(Hello{1, "gw"}, out);
  // length 11 | type 0x01 | 'AIRH' | version 1 | name length 2 | "gw"
  EXPECT_EQ(out, Of({11, 0, 0, 0, 0x01, 'A', 'I', 'R', 'H', 1, 0, 2, 0, 'g', 'w'}));
}

TEST(Protocol, Transmit_MatchesTheDocumentedLayout) {
  Transmit tx{0x01020304, {}, Of({0xd0, 0, 0, 0, 9, 9, 9, 9, 9, 9})};
  tx.options = {port::Rate::k5_5Mbps, true, false, 6, 0x0a0b0c0d};
  Bytes out;
  Encode(tx, out);
  // length | type | node | tag | rate 11 | flags 1 (short preamble) | retries | mpdu
  EXPECT_EQ(out, Of({22, 0, 0, 0,    0x05, 4, 3, 2, 1, 0x0d, 0x0c, 0x0b, 0x0a,
                     11, 1, 6, 0xd0, 0,    0, 0, 9, 9, 9,    9,    9,    9}));
}

TEST(Protocol, TxDone_MatchesTheDocumentedLayout) {
  Bytes out;
  Encode(TxDone{0x0102, 3, {0x11223344, port::TxResult::kAcked, 2, 0x0506}}, out);
  EXPECT_EQ(out, Of({27, 0,    0,    0,    0x46, 2, 1, 0, 0, 0, 0, 0, 0, 3, 0, 0,
                     0,  0x44, 0x33, 0x22, 0x11, 0, 2, 6, 5, 0, 0, 0, 0, 0, 0}));
}

std::string DecodeError(const Bytes& body) {
  std::string error;
  EXPECT_FALSE(Decode(body, error).has_value());
  return error;
}

Bytes BodyOf(const Message& m) {
  Bytes framed;
  Encode(m, framed);
  return Bytes(framed.begin() + 4, framed.end());
}

TEST(Protocol, Decode_UnknownType_SaysWhich) {
  EXPECT_EQ(DecodeError(Of({0x7f, 1, 2})), "unknown message type 0x7f");
  EXPECT_EQ(DecodeError(Bytes{}), "empty message");
}

TEST(Protocol, Decode_Truncated_NamesTheMessage) {
  Bytes body = BodyOf(AddNode{1, {"n", kMac, {}, 1, 10}});
  body.pop_back();
  EXPECT_NE(DecodeError(body).find("AddNode message truncated"), std::string::npos);
}

TEST(Protocol, Decode_TrailingBytes_AreRefused) {
  Bytes body = BodyOf(RemoveNode{3});
  body.push_back(std::byte{0});
  EXPECT_EQ(DecodeError(body), "RemoveNode message with trailing bytes");
}

TEST(Protocol, Decode_ValuesOutOfRange_AreRefused) {
  Bytes control = BodyOf(Control{1, 2, ControlOp::kSetChannel, 6});
  control[9] = std::byte{9};  // after type, request and node: the operation
  EXPECT_EQ(DecodeError(control), "Control message with unknown operation 9");

  Transmit tx{1, {}, Of({0xd0, 0, 0, 0, 1, 2, 3, 4, 5, 6})};
  Bytes transmit = BodyOf(tx);
  transmit[9] = std::byte{3};  // the rate: 1.5 Mb/s does not exist
  EXPECT_EQ(DecodeError(transmit), "Transmit message with unknown rate 3");

  Bytes reply = BodyOf(Reply{1, Status::Ok(), 0, ""});
  reply[5] = std::byte{200};
  EXPECT_EQ(DecodeError(reply), "Reply message with unknown status 200");
}

TEST(Protocol, Decode_NameLongerThanTheLimit_IsRefused) {
  Bytes body = Of({0x01, 'A', 'I', 'R', 'H', 1, 0, kMaxNameSize + 1, 0});
  body.resize(body.size() + kMaxNameSize + 1, std::byte{'x'});
  EXPECT_NE(DecodeError(body).find("Hello message truncated or with a string over its limit"),
            std::string::npos);
}

TEST(Protocol, Decode_AirFrameWithALyingCount_FailsAsTruncated) {
  AirFrame f;
  f.receptions = {{1, -50, sim::RxOutcome::kReceived}};
  Bytes body = BodyOf(f);
  // The u16 count sits before the receptions: 1 + 8 + 8 + 4 + 1 + 1 + 1 + 8 + 4.
  store_le16(body, 36, 60000);
  EXPECT_NE(DecodeError(body).find("AirFrame message truncated"), std::string::npos);
}

TEST(Protocol, Encode_CutsOverlongStrings) {
  std::string error;
  std::optional<Message> m = Decode(BodyOf(Hello{1, std::string(100, 'n')}), error);
  ASSERT_TRUE(m) << error;
  EXPECT_EQ(std::get<Hello>(*m).name, std::string(kMaxNameSize, 'n'));
  // Sentences get more room than names.
  m = Decode(BodyOf(Error{Status::Internal(), std::string(2000, 'e')}), error);
  ASSERT_TRUE(m) << error;
  EXPECT_EQ(std::get<Error>(*m).message, std::string(kMaxTextSize, 'e'));
}

TEST(Framer, LengthZeroOrTooLarge_IsOutOfRange) {
  for (uint32_t length : {0u, static_cast<uint32_t>(kMaxMessageSize) + 1, 0xffffffffu}) {
    Framer framer;
    Bytes prefix(4);
    store_le32(prefix, 0, length);
    framer.Append(prefix);
    Bytes body;
    EXPECT_EQ(framer.Next(body), Status::OutOfRange());
    EXPECT_EQ(framer.bad_length(), length);
  }
}

TEST(Framer, PartialMessage_IsUnavailableUntilComplete) {
  Bytes stream;
  Encode(Time{5}, stream);
  Framer framer;
  Bytes body;
  framer.Append(ByteSpan(stream).first(stream.size() - 1));
  EXPECT_EQ(framer.Next(body), Status::Unavailable());
  framer.Append(ByteSpan(stream).last(1));
  ASSERT_EQ(framer.Next(body), Status::Ok());
  EXPECT_EQ(body.size(), 9u);
  EXPECT_EQ(framer.Next(body), Status::Unavailable());
}

TEST(Protocol, TapFrame_RoundTripsThroughAirFrame) {
  const AirFrame original = std::get<AirFrame>(Samples().back());
  AirFrame copy = FromTapFrame(ToTapFrame(original));
  copy.dropped = original.dropped;  // not part of a TapFrame
  EXPECT_EQ(copy, original);
}

}  // namespace
}  // namespace airlab::air
