// The app messages: golden bytes for each type, round trips, and what a lab board's bare
// payload and broken messages decode to.

#include "apps/common/messages.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace airlab::apps {
namespace {

std::vector<uint8_t> Bytes(ByteSpan s) {
  std::vector<uint8_t> v;
  for (std::byte b : s) v.push_back(static_cast<uint8_t>(b));
  return v;
}
ByteSpan Span(const std::vector<uint8_t>& v) { return AsBytes(v.data(), v.size()); }
ByteSpan Span(const std::string& s) { return AsBytes(s.data(), s.size()); }

TEST(Messages, Write_Reading_GoldenBytes) {
  Message m;
  m.type = MessageType::kReading;
  m.session = 0x04030201;
  m.sequence = 7;
  const std::string value = "21.5";
  m.value = Span(value);
  std::array<std::byte, kMaxMessageSize> out;
  Result<ByteSpan> bytes = WriteMessage(m, out);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(Bytes(*bytes), (std::vector<uint8_t>{0xa1, 0x1b, 0x03, 0x01, 0x02, 0x03, 0x04, 0x07,
                                                 0x00, 0x00, 0x00, '2', '1', '.', '5'}));
}

TEST(Messages, Write_Ack_GoldenBytes) {
  Message m;
  m.type = MessageType::kAck;
  m.session = 1;
  m.sequence = 0x0100;
  m.result = AckResult::kRejected;
  std::array<std::byte, kMaxMessageSize> out;
  EXPECT_EQ(Bytes(WriteMessage(m, out).value()),
            (std::vector<uint8_t>{0xa1, 0x1b, 0x04, 1, 0, 0, 0, 0x00, 0x01, 0, 0, 1}));
}

TEST(Messages, RoundTrip_EveryType) {
  const std::string value = "led on";
  for (MessageType type : {MessageType::kDiscover, MessageType::kHello, MessageType::kReading,
                           MessageType::kAck, MessageType::kCommand, MessageType::kPing}) {
    Message m;
    m.type = type;
    m.session = 0xdeadbeef;
    m.sequence = 42;
    m.command_id = 0x1122334455667788ull;
    m.channel = 11;
    m.result = AckResult::kStored;
    if (type == MessageType::kReading || type == MessageType::kCommand) m.value = Span(value);
    std::array<std::byte, kMaxMessageSize> out;
    Result<ByteSpan> bytes = WriteMessage(m, out);
    ASSERT_TRUE(bytes.ok()) << static_cast<int>(type);
    Result<Message> back = ParseMessage(*bytes);
    ASSERT_TRUE(back.ok()) << static_cast<int>(type);
    EXPECT_EQ(back->type, type);
    switch (type) {
      case MessageType::kCommand:
        EXPECT_EQ(back->command_id, m.command_id);
        EXPECT_EQ(
            std::string(reinterpret_cast<const char*>(back->value.data()), back->value.size()),
            value);
        break;
      case MessageType::kHello:
        EXPECT_EQ(back->session, m.session);
        EXPECT_EQ(back->channel, 11);
        break;
      case MessageType::kReading:
        EXPECT_EQ(back->sequence, 42u);
        EXPECT_EQ(back->value.size(), value.size());
        [[fallthrough]];
      default: EXPECT_EQ(back->session, m.session);
    }
  }
}

TEST(Messages, Parse_LabBoardPayload_IsRaw) {
  // slave_send.py: e.send(peer, str(i), True)
  const std::string payload = "3";
  Result<Message> m = ParseMessage(Span(payload));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->type, MessageType::kRaw);
  EXPECT_EQ(m->value.size(), 1u);
}

TEST(Messages, Parse_Truncated_ReturnsOutOfRange) {
  const std::vector<uint8_t> reading = {0xa1, 0x1b, 0x03, 1, 2, 3, 4, 5, 6, 7};  // 7 of 8
  EXPECT_EQ(ParseMessage(Span(reading)).status(), Status::OutOfRange());
}

TEST(Messages, Parse_UnknownTypeOrResult_ReturnsDataLoss) {
  EXPECT_EQ(ParseMessage(Span(std::vector<uint8_t>{0xa1, 0x1b, 0x09, 0, 0, 0, 0})).status(),
            Status::DataLoss());
  EXPECT_EQ(ParseMessage(Span(std::vector<uint8_t>{0xa1, 0x1b, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 2}))
                .status(),
            Status::DataLoss());
}

TEST(Messages, Write_ValueTooLong_ReturnsInvalidArgument) {
  const std::string value(kMaxValueSize + 1, 'x');
  Message m;
  m.type = MessageType::kReading;
  m.value = Span(value);
  std::array<std::byte, kMaxMessageSize> out;
  EXPECT_EQ(WriteMessage(m, out).status(), Status::InvalidArgument());
  const std::string fits(kMaxValueSize, 'x');
  m.value = Span(fits);
  Result<ByteSpan> bytes = WriteMessage(m, out);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->size(), espnow::kMaxPayloadV1);  // one v1 frame, exactly
}

}  // namespace
}  // namespace airlab::apps
