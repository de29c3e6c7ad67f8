#include "apps/gateway/node_table.h"

#include <gtest/gtest.h>

#include "apps/gateway/gateway_parts_testing.h"
#include "apps/gateway/record_codec.h"

namespace airlab::apps {
namespace {

using namespace testing;

TEST(NodeTable, Take_GivesTheLowestFreeField_InTheOrderNodesAreHeard) {
  PartsFixture f;
  GatewayNode* a = f.nodes.Take(NodeMac(1), 10);
  GatewayNode* b = f.nodes.Take(NodeMac(2), 20);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->field, 1);
  EXPECT_EQ(b->field, 2);
  EXPECT_EQ(f.nodes.Take(NodeMac(1), 30), a);  // the same slot again
  EXPECT_EQ(f.nodes.count(), 2u);
  EXPECT_EQ(f.nodes.at(1).mac, NodeMac(2));
  // Announced once each, registered as peers, kept in the queue.
  EXPECT_EQ(f.log.Count(GatewayEventKind::kNodeJoined), 2u);
  EXPECT_EQ(f.link.peers.size(), 2u);
  EXPECT_EQ(f.queue.marks.at(NodeMarkKey(NodeMac(2))), 2u);
}

TEST(NodeTable, ConfiguredField_WinsAndIsNotGivenToOthers) {
  PartsFixture f;
  const FieldMapping mapping[] = {{NodeMac(9), 1}};
  f.config.fields = mapping;
  EXPECT_EQ(f.nodes.Take(NodeMac(1), 0)->field, 2);
  EXPECT_EQ(f.nodes.Take(NodeMac(9), 0)->field, 1);
}

TEST(NodeTable, FullTable_TakesNoMore) {
  PartsFixture f;
  for (uint8_t n = 1; n <= f.memory.nodes.size(); ++n)
    ASSERT_NE(f.nodes.Take(NodeMac(n), 0), nullptr);
  EXPECT_EQ(f.nodes.Take(NodeMac(99), 0), nullptr);
}

TEST(NodeTable, LearnFields_OnlyFieldsTheChannelHas) {
  PartsFixture f;
  f.config.auto_fields = true;
  f.nodes.LearnFields(uint16_t{1} << 3 | uint16_t{1} << 5, 0);  // fields 3 and 5
  EXPECT_EQ(f.queue.marks.at(FieldsMarkKey(7)), 0x28u);
  GatewayNode* a = f.nodes.Take(NodeMac(1), 0);
  GatewayNode* b = f.nodes.Take(NodeMac(2), 0);
  GatewayNode* c = f.nodes.Take(NodeMac(3), 0);
  EXPECT_EQ(a->field, 3);
  EXPECT_EQ(b->field, 5);
  EXPECT_EQ(c->field, 0);  // none left: announced without one, its readings refused
  EXPECT_TRUE(f.nodes.Accepts(*a));
  EXPECT_FALSE(f.nodes.Accepts(*c));
}

TEST(NodeTable, NodeHeardBeforeTheFieldsAreKnown_GetsOneWhenTheyAre) {
  PartsFixture f;
  const FieldMapping mapping[] = {{NodeMac(1), 4}};
  f.config.fields = mapping;
  f.config.auto_fields = false;
  GatewayNode* node = f.nodes.Take(NodeMac(2), 0);  // no mapping, no auto field: waits
  EXPECT_EQ(node->field, 0);
  EXPECT_EQ(f.log.Count(GatewayEventKind::kNodeJoined), 0u);
  f.nodes.LearnFields(kAllFields, 0);
  EXPECT_EQ(f.log.Count(GatewayEventKind::kNodeJoined), 1u);  // decided: no field for it
  // A configured field the channel lacks is not accepted.
  GatewayNode* mapped = f.nodes.Take(NodeMac(1), 0);
  EXPECT_EQ(mapped->field, 4);
  f.nodes.LearnFields(uint16_t{1} << 1, 0);
  EXPECT_FALSE(f.nodes.Accepts(*mapped));
}

TEST(NodeTable, Load_RestoresNodesFieldsCommandsAndSequences) {
  PartsFixture f;
  f.queue.marks[NodeMarkKey(NodeMac(5))] = 3 | uint64_t{12} << 8;
  f.queue.marks[SequenceMarkKey(NodeMac(5))] = uint64_t{77} << 32 | 9;
  f.queue.marks[FieldsMarkKey(7)] = 1u << 3;
  std::array<port::Mark, 1> scratch;  // one at a time: the paging is exercised too
  ASSERT_TRUE(f.nodes.Load(scratch).ok());
  ASSERT_EQ(f.nodes.count(), 1u);
  const GatewayNode& node = f.nodes.at(0);
  EXPECT_EQ(node.mac, NodeMac(5));
  EXPECT_EQ(node.field, 3);
  EXPECT_TRUE(node.announced);
  EXPECT_EQ(node.command.delivered, 12u);
  EXPECT_TRUE(node.sequence.committed.has_session);
  EXPECT_EQ(node.sequence.taken.session, 77u);
  EXPECT_EQ(node.sequence.taken.sequence, 9u);
  // The stored fields hold: field 1 is not the channel's, so a new node gets none.
  EXPECT_EQ(f.nodes.Take(NodeMac(6), 0)->field, 0);
}

TEST(NodeTable, Load_BrokenQueue_Unavailable) {
  PartsFixture f;
  f.queue.fail = true;
  std::array<port::Mark, 4> scratch;
  EXPECT_EQ(f.nodes.Load(scratch), Status::Unavailable());
}

TEST(NodeTable, Persist_BrokenQueue_IsAStoreError) {
  PartsFixture f;
  GatewayNode* node = f.nodes.Take(NodeMac(1), 0);
  f.queue.fail = true;
  f.nodes.Persist(*node);
  EXPECT_EQ(f.stats.store_errors, 1u);
  EXPECT_EQ(f.log.Count(GatewayEventKind::kStoreError), 1u);
}

}  // namespace
}  // namespace airlab::apps
