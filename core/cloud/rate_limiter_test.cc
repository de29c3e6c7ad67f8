#include "core/cloud/rate_limiter.h"

#include <gtest/gtest.h>

namespace airlab::cloud {
namespace {

using port::kSecond;

TEST(RateLimiter, FreeChannel_15SecondsAfterTheLastWrite) {
  RateLimiter limiter;
  EXPECT_EQ(limiter.NextWriteAt(9), RateLimiter::kNever);
  EXPECT_TRUE(limiter.MayWrite(9, 0));
  limiter.RecordWrite(9, 100 * kSecond);
  EXPECT_EQ(limiter.NextWriteAt(9), 115 * kSecond);
  EXPECT_FALSE(limiter.MayWrite(9, 115 * kSecond - 1));
  EXPECT_TRUE(limiter.MayWrite(9, 115 * kSecond));
  EXPECT_TRUE(limiter.MayWrite(10, 101 * kSecond));  // other channels are not held back
}

TEST(RateLimiter, OwnIntervals) {
  RateLimiter limiter;
  ASSERT_TRUE(limiter.SetInterval(9, kPaidInterval).ok());
  ASSERT_TRUE(limiter.SetInterval(10, 0).ok());
  limiter.RecordWrite(9, 50 * kSecond);
  limiter.RecordWrite(10, 50 * kSecond);
  limiter.RecordWrite(11, 50 * kSecond);
  EXPECT_EQ(limiter.NextWriteAt(9), 51 * kSecond);
  EXPECT_EQ(limiter.NextWriteAt(10), 50 * kSecond);
  EXPECT_EQ(limiter.NextWriteAt(11), 65 * kSecond);
  limiter.set_default_interval(20 * kSecond);
  EXPECT_EQ(limiter.NextWriteAt(11), 70 * kSecond);
  EXPECT_EQ(limiter.interval(9), kPaidInterval);
  EXPECT_EQ(limiter.SetInterval(0, kSecond), Status::InvalidArgument());
  EXPECT_EQ(limiter.SetInterval(9, -1), Status::InvalidArgument());
}

TEST(RateLimiter, RecordWrite_OlderTimesDoNotMoveItBack) {
  RateLimiter limiter;
  limiter.RecordWrite(9, 100 * kSecond);
  limiter.RecordWrite(9, 90 * kSecond);
  EXPECT_EQ(limiter.NextWriteAt(9), 115 * kSecond);
  limiter.RecordWrite(9, 101 * kSecond);
  EXPECT_EQ(limiter.NextWriteAt(9), 116 * kSecond);
}

TEST(RateLimiter, Full_ForgetsTheStalestChannelWithoutOwnInterval) {
  RateLimiter limiter;
  ASSERT_TRUE(limiter.SetInterval(1, kPaidInterval).ok());  // pinned, never written
  for (uint32_t c = 2; c <= RateLimiter::kCapacity; ++c) {
    limiter.RecordWrite(c, static_cast<port::TimeNs>(c) * kSecond);
  }
  limiter.RecordWrite(100, 200 * kSecond);  // evicts channel 2, the stalest
  EXPECT_EQ(limiter.NextWriteAt(2), RateLimiter::kNever);
  EXPECT_EQ(limiter.NextWriteAt(3), 18 * kSecond);
  EXPECT_EQ(limiter.NextWriteAt(100), 215 * kSecond);
  EXPECT_EQ(limiter.interval(1), kPaidInterval);  // kept

  RateLimiter pinned;
  for (uint32_t c = 1; c <= RateLimiter::kCapacity; ++c) {
    ASSERT_TRUE(pinned.SetInterval(c, kSecond).ok());
  }
  EXPECT_EQ(pinned.SetInterval(99, kSecond), Status::ResourceExhausted());
  pinned.RecordWrite(99, 5 * kSecond);  // no room: not tracked
  EXPECT_EQ(pinned.NextWriteAt(99), RateLimiter::kNever);
}

}  // namespace
}  // namespace airlab::cloud
