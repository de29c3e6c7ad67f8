#include "core/espnow/record_queue.h"

#include <gtest/gtest.h>

#include <array>
#include <deque>
#include <random>
#include <vector>

namespace airlab::espnow {
namespace {

using Bytes = std::vector<std::byte>;

Bytes Record(size_t size, uint8_t fill) { return Bytes(size, std::byte{fill}); }

Bytes ToBytes(ByteSpan span) { return Bytes(span.begin(), span.end()); }

TEST(RecordQueue, PushPop_Fifo) {
  std::array<std::byte, 64> storage{};
  RecordQueue queue(storage);
  EXPECT_TRUE(queue.empty());
  ASSERT_TRUE(queue.Push(Record(3, 1)).ok());
  ASSERT_TRUE(queue.Push(Record(0, 0)).ok());  // empty records are records too
  ASSERT_TRUE(queue.Push(Record(5, 2)).ok());
  EXPECT_EQ(queue.count(), 3u);
  EXPECT_EQ(queue.used_bytes(), 3u * RecordQueue::kLengthSize + 8);
  EXPECT_EQ(ToBytes(queue.Front()), Record(3, 1));
  queue.Pop();
  EXPECT_EQ(queue.Front().size(), 0u);
  queue.Pop();
  EXPECT_EQ(ToBytes(queue.Front()), Record(5, 2));
  queue.Pop();
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.used_bytes(), 0u);
}

TEST(RecordQueue, Push_Full_ReturnsResourceExhausted) {
  std::array<std::byte, 20> storage{};
  RecordQueue queue(storage);
  ASSERT_TRUE(queue.Push(Record(8, 1)).ok());  // 10 bytes
  ASSERT_TRUE(queue.Push(Record(8, 2)).ok());  // 20 bytes: exactly full
  EXPECT_EQ(queue.Push(Record(0, 3)), Status::ResourceExhausted());
  EXPECT_EQ(queue.count(), 2u);
}

TEST(RecordQueue, Push_WrapsToStartWhenTheEndIsTooShort) {
  std::array<std::byte, 30> storage{};
  RecordQueue queue(storage);
  ASSERT_TRUE(queue.Push(Record(10, 1)).ok());  // [0, 12)
  ASSERT_TRUE(queue.Push(Record(10, 2)).ok());  // [12, 24)
  queue.Pop();                                  // frees [0, 12)
  // 10 bytes do not fit in [24, 30); they go to [0, 12).
  ASSERT_TRUE(queue.Push(Record(10, 3)).ok());
  // No room anywhere now: [24, 30) is skipped and [12, 24) is in use.
  EXPECT_EQ(queue.Push(Record(1, 4)), Status::ResourceExhausted());
  EXPECT_EQ(ToBytes(queue.Front()), Record(10, 2));
  queue.Pop();
  EXPECT_EQ(ToBytes(queue.Front()), Record(10, 3));  // read back across the wrap
  queue.Pop();
  EXPECT_TRUE(queue.empty());
  // Empty again: the whole buffer is one piece.
  EXPECT_TRUE(queue.Push(Record(28, 5)).ok());
}

TEST(RecordQueue, Reserve_TooBigForEitherGap_Refused) {
  std::array<std::byte, 30> storage{};
  RecordQueue queue(storage);
  ASSERT_TRUE(queue.Push(Record(6, 1)).ok());   // [0, 8)
  ASSERT_TRUE(queue.Push(Record(10, 2)).ok());  // [8, 20)
  queue.Pop();                                  // free: [20, 30) and [0, 8)
  // 9 bytes free at the end and 8 at the start: 13 bytes (with prefix) fit in neither,
  // though 18 bytes are free in total.
  EXPECT_EQ(queue.Reserve(11).status(), Status::ResourceExhausted());
  EXPECT_TRUE(queue.Reserve(8).ok());
}

TEST(RecordQueue, Limit_RefusesBeyondIt) {
  std::array<std::byte, 100> storage{};
  RecordQueue queue(storage);
  queue.set_limit(25);
  ASSERT_TRUE(queue.Push(Record(10, 1)).ok());
  ASSERT_TRUE(queue.Push(Record(10, 2)).ok());
  EXPECT_EQ(queue.Push(Record(0, 3)), Status::ResourceExhausted());  // 24 + 2 > 25
  queue.set_limit(26);
  EXPECT_TRUE(queue.Push(Record(0, 3)).ok());
}

TEST(RecordQueue, ReserveCommit_ShorterThanReserved) {
  std::array<std::byte, 40> storage{};
  RecordQueue queue(storage);
  Result<MutableByteSpan> room = queue.Reserve(30);
  ASSERT_TRUE(room.ok());
  (*room)[0] = std::byte{7};
  queue.Commit(1);
  EXPECT_EQ(queue.used_bytes(), 3u);
  EXPECT_EQ(ToBytes(queue.Front()), Record(1, 7));
}

TEST(RecordQueue, Rollback_ForgetsThePushesSinceTheCheckpoint) {
  std::array<std::byte, 40> storage{};
  RecordQueue queue(storage);
  ASSERT_TRUE(queue.Push(Record(10, 1)).ok());
  ASSERT_TRUE(queue.Push(Record(10, 2)).ok());
  queue.Pop();
  const RecordQueue::Checkpoint before = queue.checkpoint();
  ASSERT_TRUE(queue.Push(Record(10, 3)).ok());  // wraps to the start
  ASSERT_TRUE(queue.Push(Record(1, 4)).ok());
  queue.Rollback(before);
  EXPECT_EQ(queue.count(), 1u);
  EXPECT_EQ(queue.used_bytes(), 12u);
  EXPECT_EQ(ToBytes(queue.Front()), Record(10, 2));
  // The space the rolled-back records took is free again: the end, and after a wrap the
  // start.
  ASSERT_TRUE(queue.Push(Record(14, 5)).ok());  // [24, 40)
  ASSERT_TRUE(queue.Push(Record(10, 6)).ok());  // [0, 12)
  queue.Pop();
  EXPECT_EQ(ToBytes(queue.Front()), Record(14, 5));
  queue.Pop();
  EXPECT_EQ(ToBytes(queue.Front()), Record(10, 6));
}

// Random pushes and pops against std::deque: contents, order and byte accounting agree,
// and a push is refused only when no gap could hold it.
TEST(RecordQueue, RandomOperations_MatchModel) {
  std::array<std::byte, 257> storage{};
  RecordQueue queue(storage);
  std::deque<Bytes> model;
  std::mt19937 rng(1234);
  size_t refused = 0;
  for (int step = 0; step < 20000; ++step) {
    if (rng() % 2 == 0) {
      Bytes record = Record(rng() % 60, static_cast<uint8_t>(step));
      size_t model_used = 0;
      for (const Bytes& r : model) model_used += r.size() + RecordQueue::kLengthSize;
      const bool fits_at_all = model_used + record.size() + 2 <= storage.size();
      Status status = queue.Push(record);
      if (status.ok()) {
        model.push_back(record);
      } else {
        ++refused;
        // With the queue empty, a record that fits the buffer is never refused.
        EXPECT_FALSE(model.empty() && fits_at_all);
      }
    } else if (!model.empty()) {
      ASSERT_EQ(ToBytes(queue.Front()), model.front());
      queue.Pop();
      model.pop_front();
    }
    ASSERT_EQ(queue.count(), model.size());
    size_t used = 0;
    for (const Bytes& r : model) used += r.size() + RecordQueue::kLengthSize;
    ASSERT_EQ(queue.used_bytes(), used);
  }
  EXPECT_GT(refused, 0u);  // the test did reach the full, wrapped states
}

}  // namespace
}  // namespace airlab::espnow
