#include "apps/gateway/reading_intake.h"

#include <gtest/gtest.h>

#include "apps/gateway/gateway_parts_testing.h"
#include "apps/gateway/record_codec.h"

namespace airlab::apps {
namespace {

using namespace testing;

struct IntakeFixture : PartsFixture {
  ReadingIntake intake{nodes, queue, memory, config.accept_raw, stats, events};
  NodeSender sender{link};

  void Hear(const MacAddress& src, const Message& m, bool broadcast = false) {
    espnow::ReceivedInfo info;
    info.src = src;
    info.broadcast = broadcast;
    if (m.type == MessageType::kRaw) {  // a bare payload: nothing to encode
      intake.Take(info, m, 1'700'000'000'000, clock.now);
      return;
    }
    const Bytes bytes = MessageBytes(m);
    intake.Take(info, ParseMessage(bytes).value(), 1'700'000'000'000, clock.now);
  }
  // The replies sent, parsed.
  std::vector<Message> Replies() {
    intake.SendReplies(sender, 6);
    std::vector<Message> out;
    for (const FakeLink::Frame& frame : link.sent) {
      bytes_.push_back(frame.payload);
      out.push_back(ParseMessage(bytes_.back()).value());
    }
    link.sent.clear();
    return out;
  }
  std::deque<Bytes> bytes_;
};

TEST(ReadingIntake, Reading_IsStoredThenConfirmed) {
  IntakeFixture f;
  f.Hear(NodeMac(1), Reading(5, 1, "21.5"));
  EXPECT_TRUE(f.queue.records.empty());  // nothing before the commit
  f.intake.Commit(f.clock.now);
  ASSERT_EQ(f.queue.records.size(), 1u);
  RecordView r = ParseRecord(f.queue.records.begin()->second).value();
  EXPECT_EQ(r.field, 1);
  EXPECT_EQ(r.node, NodeMac(1));
  EXPECT_EQ(r.time_ms, 1'700'000'000'000);
  EXPECT_EQ(ToString(r.value), "21.5");
  EXPECT_EQ(f.queue.marks.at(SequenceMarkKey(NodeMac(1))), uint64_t{5} << 32 | 1);
  EXPECT_EQ(f.stats.stored, 1u);
  EXPECT_EQ(f.stats.queued, 1u);
  EXPECT_EQ(f.log.Count(GatewayEventKind::kStored), 1u);
  const std::vector<Message> replies = f.Replies();
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].type, MessageType::kAck);
  EXPECT_EQ(replies[0].sequence, 1u);
  EXPECT_EQ(replies[0].result, AckResult::kStored);
}

TEST(ReadingIntake, ReadingsOfABatch_OneTransaction_OneMarkPerNode) {
  IntakeFixture f;
  f.Hear(NodeMac(1), Reading(5, 1, "a"));
  f.Hear(NodeMac(1), Reading(5, 2, "b"));
  f.Hear(NodeMac(2), Reading(8, 1, "c"));
  f.intake.Commit(f.clock.now);
  EXPECT_EQ(f.queue.records.size(), 3u);
  EXPECT_EQ(f.queue.marks.at(SequenceMarkKey(NodeMac(1))), uint64_t{5} << 32 | 2);
  EXPECT_EQ(f.queue.commits, 3u);  // two node marks (fields), one transaction
}

TEST(ReadingIntake, HasRoom_UntilTheTransactionIsFull) {
  IntakeFixture f;  // 8 readings per transaction
  for (uint32_t i = 1; i <= 8; ++i) {
    ASSERT_TRUE(f.intake.HasRoom());
    f.Hear(NodeMac(1), Reading(5, i, "a"));
  }
  EXPECT_FALSE(f.intake.HasRoom());
  f.intake.Commit(f.clock.now);
  EXPECT_TRUE(f.intake.HasRoom());
  EXPECT_EQ(f.queue.records.size(), 8u);
}

TEST(ReadingIntake, Resend_IsConfirmedAgain_StoredOnce) {
  IntakeFixture f;
  f.Hear(NodeMac(1), Reading(5, 1, "21.5"));
  f.intake.Commit(f.clock.now);
  f.Replies();
  f.Hear(NodeMac(1), Reading(5, 1, "21.5"));  // the confirmation was lost
  f.intake.Commit(f.clock.now);
  EXPECT_EQ(f.queue.records.size(), 1u);
  EXPECT_EQ(f.stats.duplicates, 1u);
  EXPECT_EQ(f.log.Count(GatewayEventKind::kDuplicate), 1u);
  const std::vector<Message> replies = f.Replies();
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].sequence, 1u);
  // A new session (the node rebooted) starts again at 1 and is stored.
  f.Hear(NodeMac(1), Reading(6, 1, "22"));
  f.intake.Commit(f.clock.now);
  EXPECT_EQ(f.queue.records.size(), 2u);
}

TEST(ReadingIntake, FailedCommit_ConfirmsNothing_AndTheResendIsStored) {
  IntakeFixture f;
  f.nodes.Take(NodeMac(1), 0);  // known already: its field mark is stored
  f.queue.fail = true;
  f.Hear(NodeMac(1), Reading(5, 1, "21.5"));
  f.intake.Commit(f.clock.now);
  EXPECT_EQ(f.stats.store_errors, 1u);
  EXPECT_EQ(f.log.Count(GatewayEventKind::kStoreError), 1u);
  EXPECT_TRUE(f.Replies().empty());
  f.queue.fail = false;
  f.Hear(NodeMac(1), Reading(5, 1, "21.5"));  // the node sends again
  f.intake.Commit(f.clock.now);
  EXPECT_EQ(f.queue.records.size(), 1u);
  EXPECT_EQ(f.stats.duplicates, 0u);
  EXPECT_EQ(f.Replies().size(), 1u);
}

TEST(ReadingIntake, ValueTheCloudRefuses_IsRejectedForGood) {
  IntakeFixture f;
  f.Hear(NodeMac(1), Reading(5, 1, "\xff"));
  f.intake.Commit(f.clock.now);
  EXPECT_TRUE(f.queue.records.empty());
  EXPECT_EQ(f.stats.rejected, 1u);
  ASSERT_NE(f.log.Last(GatewayEventKind::kRejected), nullptr);
  EXPECT_EQ(f.log.Last(GatewayEventKind::kRejected)->status, Status::InvalidArgument());
  const std::vector<Message> replies = f.Replies();
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].result, AckResult::kRejected);
  // The re-send gets the same answer.
  f.Hear(NodeMac(1), Reading(5, 1, "\xff"));
  EXPECT_EQ(f.Replies().at(0).result, AckResult::kRejected);
}

TEST(ReadingIntake, NodeWithoutField_IsRejectedAsNotFound) {
  IntakeFixture f;
  f.config.auto_fields = false;
  f.nodes.LearnFields(kAllFields, 0);
  f.Hear(NodeMac(1), Reading(5, 1, "1"));
  ASSERT_NE(f.log.Last(GatewayEventKind::kRejected), nullptr);
  EXPECT_EQ(f.log.Last(GatewayEventKind::kRejected)->status, Status::NotFound());
}

TEST(ReadingIntake, Discover_IsAnsweredWithHelloOnTheHomeChannel) {
  IntakeFixture f;
  Message discover;
  discover.type = MessageType::kDiscover;
  discover.session = 33;
  f.Hear(NodeMac(1), discover, /*broadcast=*/true);
  const std::vector<Message> replies = f.Replies();
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].type, MessageType::kHello);
  EXPECT_EQ(replies[0].session, 33u);
  EXPECT_EQ(replies[0].channel, 6);
  EXPECT_EQ(f.stats.hellos, 1u);
}

TEST(ReadingIntake, RawPayload_StoredUnlessBroadcast) {
  IntakeFixture f;
  Message raw;
  raw.type = MessageType::kRaw;
  raw.value = AsBytes("17", 2);
  f.Hear(NodeMac(1), raw, /*broadcast=*/true);
  f.Hear(NodeMac(2), raw);
  f.intake.Commit(f.clock.now);
  ASSERT_EQ(f.queue.records.size(), 1u);
  EXPECT_EQ(ParseRecord(f.queue.records.begin()->second)->node, NodeMac(2));
  EXPECT_TRUE(f.Replies().empty());  // a lab board gets no confirmation
}

TEST(ReadingIntake, FullLink_RepliesWaitForTheNextCall) {
  IntakeFixture f;
  f.Hear(NodeMac(1), Reading(5, 1, "a"));
  f.intake.Commit(f.clock.now);
  f.link.send_status = Status::ResourceExhausted();
  EXPECT_TRUE(f.Replies().empty());
  EXPECT_TRUE(f.sender.blocked());
  f.link.send_status = Status::Ok();
  f.sender.Unblock();
  EXPECT_EQ(f.Replies().size(), 1u);
}

}  // namespace
}  // namespace airlab::apps
