#include "apps/node/reading_queue.h"

#include <gtest/gtest.h>

#include <array>

#include "apps/common/fake_ports_testing.h"

namespace airlab::apps {
namespace {

using testing::ToBytes;
using testing::ToString;

TEST(ReadingQueue, NumbersReadingsInOrder_OldestFirst) {
  std::array<std::byte, 64> storage{};
  ReadingQueue queue(storage);
  EXPECT_EQ(queue.Push(ToBytes("a")).value(), 1u);
  EXPECT_EQ(queue.Push(ToBytes("bc")).value(), 2u);
  EXPECT_EQ(queue.count(), 2u);
  EXPECT_EQ(queue.Front().sequence, 1u);
  EXPECT_EQ(ToString(queue.Front().value), "a");
  queue.Pop();
  EXPECT_EQ(queue.Front().sequence, 2u);
  EXPECT_EQ(ToString(queue.Front().value), "bc");
  queue.Pop();
  EXPECT_TRUE(queue.empty());
}

TEST(ReadingQueue, Full_RefusesWithoutUsingANumber) {
  std::array<std::byte, 2 * (ReadingQueue::kOverhead + 4)> storage{};
  ReadingQueue queue(storage);
  ASSERT_TRUE(queue.Push(ToBytes("1234")).ok());
  ASSERT_TRUE(queue.Push(ToBytes("5678")).ok());
  EXPECT_EQ(queue.Push(ToBytes("9")).status(), Status::ResourceExhausted());
  queue.Pop();
  EXPECT_EQ(queue.Push(ToBytes("9")).value(), 3u);  // the refused one took no number
}

}  // namespace
}  // namespace airlab::apps
