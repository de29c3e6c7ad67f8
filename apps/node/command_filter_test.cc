#include "apps/node/command_filter.h"

#include <gtest/gtest.h>

namespace airlab::apps {
namespace {

Message Command(uint64_t id) {
  Message m;
  m.type = MessageType::kCommand;
  m.command_id = id;
  return m;
}

TEST(CommandFilter, EachCommandOnce_NewerIdsOnly) {
  CommandFilter filter;
  EXPECT_TRUE(filter.Take(Command(5)));
  EXPECT_FALSE(filter.Take(Command(5)));  // sent again: its ACK was lost
  EXPECT_FALSE(filter.Take(Command(3)));  // older
  EXPECT_TRUE(filter.Take(Command(6)));
  EXPECT_EQ(filter.newest(), 6u);
}

TEST(CommandFilter, BarePayload_AlwaysNew) {
  CommandFilter filter;
  Message raw;
  raw.type = MessageType::kRaw;
  EXPECT_TRUE(filter.Take(raw));
  EXPECT_TRUE(filter.Take(raw));
  EXPECT_EQ(filter.newest(), 0u);
}

}  // namespace
}  // namespace airlab::apps
