#include "apps/gateway/command_forwarder.h"

#include <gtest/gtest.h>

#include <string>

#include "apps/gateway/gateway_parts_testing.h"
#include "apps/gateway/record_codec.h"

namespace airlab::apps {
namespace {

using namespace testing;

struct ForwarderFixture : PartsFixture {
  ForwarderFixture() {
    config.command_channel_id = 9;
    config.command_field = 1;
    config.command_retry_min = 100 * port::kMillisecond;
    config.command_retry_max = 400 * port::kMillisecond;
    forwarder.Start(clock.now);
  }
  // The command channel's newest entry, as the server answers.
  void Answer(int entry_id, std::string_view value) {
    uplink.Answer(200, R"({"created_at":"2024-05-01T12:00:00Z","entry_id":)" +
                           std::to_string(entry_id) + R"(,"field1":")" + std::string(value) +
                           R"("})");
    forwarder.TakeAnswer(clock.now);
  }
  void Round() {
    forwarder.Poll(clock.now);
    forwarder.Forward(clock.now);
  }

  FakeUplink uplink;
  NodeSender sender{link};
  std::array<std::byte, 512> request{};
  std::array<std::byte, 2048> answer{};
  CommandForwarder forwarder{uplink, clock, request, answer, nodes, sender, config, stats, events};
};

TEST(CommandForwarder, NewEntry_IsACommand_SentToEveryNodeUntilAcked) {
  ForwarderFixture f;
  f.nodes.Take(NodeMac(1), 0);
  f.nodes.Take(NodeMac(2), 0)->raw = true;  // a lab board
  f.Round();
  ASSERT_EQ(f.uplink.requests.size(), 1u);
  EXPECT_EQ(f.uplink.requests[0].target.rfind("/channels/9/fields/1/last.json", 0), 0u);
  f.Answer(12, "on");
  EXPECT_EQ(f.forwarder.command_id(), 12u);
  ASSERT_NE(f.log.Last(GatewayEventKind::kCommand), nullptr);
  EXPECT_EQ(f.log.values.back(), "on");
  f.forwarder.Forward(f.clock.now);
  ASSERT_EQ(f.link.sent.size(), 2u);
  Message command = ParseMessage(f.link.sent[0].payload).value();
  EXPECT_EQ(command.type, MessageType::kCommand);
  EXPECT_EQ(command.command_id, 12u);
  EXPECT_EQ(ToString(command.value), "on");
  EXPECT_EQ(ToString(f.link.sent[1].payload), "on");  // the bare value for the board
  f.forwarder.OnSendDone({.id = f.link.sent[0].id, .delivery = espnow::Delivery::kAcked},
                         f.clock.now);
  EXPECT_EQ(f.stats.forwarded, 1u);
  EXPECT_EQ(f.nodes.Find(NodeMac(1))->command.delivered, 12u);
  EXPECT_EQ(f.queue.marks.at(NodeMarkKey(NodeMac(1))), 1u | uint64_t{12} << 8);  // kept
  EXPECT_EQ(f.log.Count(GatewayEventKind::kForwarded), 1u);
}

TEST(CommandForwarder, NoAck_TriesAgainWithBackOff) {
  ForwarderFixture f;
  f.nodes.Take(NodeMac(1), 0);
  f.Round();
  f.Answer(3, "go");
  f.forwarder.Forward(f.clock.now);
  ASSERT_EQ(f.link.sent.size(), 1u);
  f.forwarder.OnSendDone({.id = f.link.sent[0].id, .delivery = espnow::Delivery::kNoAck},
                         f.clock.now);
  EXPECT_EQ(f.log.Count(GatewayEventKind::kForwardFailed), 1u);
  EXPECT_EQ(f.forwarder.NextDeadline(f.clock.now), f.clock.now + 100 * port::kMillisecond);
  f.forwarder.Forward(f.clock.now);
  EXPECT_EQ(f.link.sent.size(), 1u);  // not before its time
  f.clock.now += 100 * port::kMillisecond;
  f.forwarder.Forward(f.clock.now);
  ASSERT_EQ(f.link.sent.size(), 2u);
  f.forwarder.OnSendDone({.id = f.link.sent[1].id, .delivery = espnow::Delivery::kNoAck},
                         f.clock.now);
  EXPECT_EQ(f.forwarder.NextDeadline(f.clock.now),
            f.clock.now + 200 * port::kMillisecond);                   // doubled
  EXPECT_EQ(f.log.Last(GatewayEventKind::kForwardFailed)->count, 2u);  // attempts
}

TEST(CommandForwarder, SameEntryAgain_IsNoNewCommand) {
  ForwarderFixture f;
  f.nodes.Take(NodeMac(1), 0);
  f.Round();
  f.Answer(5, "x");
  f.clock.now += f.config.command_poll_interval;
  f.Round();
  ASSERT_EQ(f.uplink.requests.size(), 2u);
  f.Answer(5, "x");
  EXPECT_EQ(f.stats.commands, 1u);
  EXPECT_EQ(f.log.Count(GatewayEventKind::kCommand), 1u);
}

TEST(CommandForwarder, DeliveredBefore_IsNotSentAgain) {
  ForwarderFixture f;
  f.queue.marks[NodeMarkKey(NodeMac(1))] = 1 | uint64_t{5} << 8;  // command 5 delivered
  std::array<port::Mark, 4> scratch;
  ASSERT_TRUE(f.nodes.Load(scratch).ok());
  f.nodes.RegisterPeers();
  f.Round();
  f.Answer(5, "x");
  f.forwarder.Forward(f.clock.now);
  EXPECT_TRUE(f.link.sent.empty());
}

TEST(CommandForwarder, WithoutCommandChannel_ReadsNothing) {
  ForwarderFixture f;
  f.config.command_channel_id = 0;
  f.Round();
  EXPECT_TRUE(f.uplink.requests.empty());
  EXPECT_EQ(f.forwarder.NextDeadline(f.clock.now), port::kForever);
}

}  // namespace
}  // namespace airlab::apps
