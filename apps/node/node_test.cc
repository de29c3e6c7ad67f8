#include "apps/node/node.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "apps/common/fake_ports_testing.h"

namespace airlab::apps {
namespace {

using namespace airlab::testing;

class FakeChannel final : public port::ChannelControl {
 public:
  uint8_t channel() const override { return channel_; }
  uint8_t channel_ = 1;

 private:
  Status DoSetChannel(uint8_t channel) override {
    channel_ = channel;
    return Status::Ok();
  }
};

class EventLog final : public NodeObserver {
 public:
  void OnNodeEvent(const NodeEvent& e) override {
    kinds.push_back(e.kind);
    values.push_back(ToString(e.value));
  }
  std::vector<NodeEventKind> kinds;
  std::vector<std::string> values;
};

const MacAddress kGateway({0x02, 0, 0, 0, 0, 0x99});

struct NodeFixture {
  void Run(port::TimeNs for_ns) {
    clock.now += for_ns;
    node.Poll();
  }
  void Hear(Message m) {
    std::array<std::byte, kMaxMessageSize> buffer;
    link.Hear(kGateway, WriteMessage(m, buffer).value());
    node.Poll();
  }
  Message Sent(size_t i) { return ParseMessage(link.sent.at(i).payload).value(); }
  // Scans until the discover goes, and answers it.
  void Link() {
    node.Poll();
    Run(config.dwell / 2);
    ASSERT_EQ(Sent(link.sent.size() - 1).type, MessageType::kDiscover);
    Message hello;
    hello.type = MessageType::kHello;
    hello.session = node.session();
    hello.channel = channel.channel();
    Hear(hello);
    ASSERT_TRUE(node.linked());
  }

  FakeClock clock;
  FakeTimer timer;
  FakeLink link;
  FakeChannel channel;
  port::SplitMix64 rng{3};
  EventLog log;
  NodeConfig config = [this] {  // before the node, which copies it
    NodeConfig c;
    c.observer = &log;
    c.channels = 1 << 1 | 1 << 6;
    c.max_failures = 2;
    return c;
  }();
  std::array<std::byte, 256> storage{};
  Node node{link, channel, clock, timer, rng, storage, config};
};

TEST(Node, ReadingIsSentAndForgottenOnlyOnceTheGatewayStoredIt) {
  NodeFixture f;
  ASSERT_TRUE(f.node.Start().ok());
  f.Link();
  ASSERT_EQ(f.node.Send(AsBytes("21", 2)).value(), 1u);
  f.node.Poll();
  const Message reading = f.Sent(f.link.sent.size() - 1);
  EXPECT_EQ(reading.type, MessageType::kReading);
  EXPECT_EQ(reading.sequence, 1u);
  f.link.Report(f.link.sent.back().id, espnow::Delivery::kAcked);
  EXPECT_EQ(f.node.queued(), 1u);  // the radio's ACK is not the gateway's confirmation
  Message ack;
  ack.type = MessageType::kAck;
  ack.session = f.node.session();
  ack.sequence = 1;
  f.Hear(ack);
  EXPECT_EQ(f.node.queued(), 0u);
  EXPECT_EQ(f.node.stats().delivered, 1u);
  ASSERT_FALSE(f.log.kinds.empty());
  EXPECT_EQ(f.log.kinds.back(), NodeEventKind::kDelivered);
  EXPECT_EQ(f.log.values.back(), "21");
}

TEST(Node, NoConfirmation_SendsAgain_ThenScansWithTheQueueIntact) {
  NodeFixture f;
  ASSERT_TRUE(f.node.Start().ok());
  f.Link();
  ASSERT_TRUE(f.node.Send(AsBytes("21", 2)).ok());
  f.node.Poll();
  const size_t first = f.link.sent.size();
  f.link.Report(f.link.sent.back().id, espnow::Delivery::kAcked);
  f.Run(f.config.ack_timeout);  // no confirmation: a failure, sent again after retry_delay
  f.Run(f.config.retry_delay);
  ASSERT_EQ(f.link.sent.size(), first + 1);
  EXPECT_EQ(f.Sent(first).sequence, 1u);                           // the same reading
  f.link.Report(f.link.sent.back().id, espnow::Delivery::kNoAck);  // second failure: lost
  EXPECT_FALSE(f.node.linked());
  EXPECT_EQ(f.node.queued(), 1u);
  EXPECT_NE(std::find(f.log.kinds.begin(), f.log.kinds.end(), NodeEventKind::kLost),
            f.log.kinds.end());
  ASSERT_FALSE(f.log.kinds.empty());
  EXPECT_EQ(f.log.kinds.back(), NodeEventKind::kScanning);
}

TEST(Node, Command_ReportedOnceEach) {
  NodeFixture f;
  ASSERT_TRUE(f.node.Start().ok());
  f.Link();
  Message command;
  command.type = MessageType::kCommand;
  command.command_id = 4;
  command.value = AsBytes("on", 2);
  f.Hear(command);
  f.Hear(command);
  EXPECT_EQ(f.node.stats().commands, 1u);
  ASSERT_FALSE(f.log.kinds.empty());
  EXPECT_EQ(f.log.kinds.back(), NodeEventKind::kCommand);
  EXPECT_EQ(f.log.values.back(), "on");
}

TEST(Node, Send_BadValueOrFullQueue_Refused) {
  NodeFixture f;
  EXPECT_EQ(f.node.Send(AsBytes("x", 1)).status(), Status::FailedPrecondition());
  ASSERT_TRUE(f.node.Start().ok());
  EXPECT_EQ(f.node.Send({}).status(), Status::InvalidArgument());
  std::array<std::byte, 100> value{};
  value.fill(std::byte{'7'});
  while (f.node.Send(value).ok()) {
  }
  EXPECT_EQ(f.node.Send(value).status(), Status::ResourceExhausted());
  EXPECT_GT(f.node.stats().refused, 0u);
}

}  // namespace
}  // namespace airlab::apps
