#include "apps/node/gateway_scan.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/port/rng.h"

namespace airlab::apps {
namespace {

class FakeChannel final : public port::ChannelControl {
 public:
  uint8_t channel() const override { return channel_; }
  std::vector<uint8_t> set;
  bool refuse = false;
  uint8_t channel_ = 1;

 private:
  Status DoSetChannel(uint8_t channel) override {
    if (refuse) return Status::Unavailable();
    set.push_back(channel);
    channel_ = channel;
    return Status::Ok();
  }
};

constexpr port::TimeNs kDwell = 100 * port::kMillisecond;
constexpr port::TimeNs kPause = port::kSecond;
constexpr uint16_t kChannels_1_6_11 = 1 << 1 | 1 << 6 | 1 << 11;

TEST(GatewayScan, VisitsEachChannel_FromTheCurrentOne_ThenPauses) {
  FakeChannel radio;
  radio.channel_ = 6;
  port::SplitMix64 rng(1);
  GatewayScan scan(radio, rng, kChannels_1_6_11, kDwell, kPause);
  EXPECT_EQ(scan.Start(0), 6);
  port::TimeNs now = 0;
  for (int i = 0; i < 3; ++i) {
    scan.Step(now);
    scan.DiscoverSent();
    now += kDwell;
  }
  EXPECT_EQ(radio.set, (std::vector<uint8_t>{6, 11, 1}));
  scan.Step(now);  // a whole round without an answer
  EXPECT_EQ(radio.set.size(), 3u);
  EXPECT_EQ(scan.NextDeadline(), now + kPause);
  EXPECT_EQ(scan.rounds(), 2u);
  scan.Step(now + kPause);
  EXPECT_EQ(radio.set.back(), 6);  // starts over
}

TEST(GatewayScan, OneDiscoverPerChannel_InTheFirstHalfOfTheDwell) {
  FakeChannel radio;
  port::SplitMix64 rng(7);
  GatewayScan scan(radio, rng, kChannels_1_6_11, kDwell, kPause);
  scan.Start(0);
  EXPECT_FALSE(scan.DiscoverDue(0));  // not before a channel is set
  scan.Step(0);
  const port::TimeNs at = scan.NextDeadline();
  EXPECT_LE(at, kDwell / 2);
  EXPECT_TRUE(scan.DiscoverDue(at));
  scan.DiscoverSent();
  EXPECT_FALSE(scan.DiscoverDue(kDwell));
  EXPECT_EQ(scan.NextDeadline(), kDwell);
}

TEST(GatewayScan, RadioRefusesTheChannel_NoDiscoverThere) {
  FakeChannel radio;
  radio.refuse = true;
  port::SplitMix64 rng(1);
  GatewayScan scan(radio, rng, kChannels_1_6_11, kDwell, kPause);
  scan.Start(0);
  scan.Step(0);
  EXPECT_FALSE(scan.DiscoverDue(kDwell));
}

TEST(GatewayScan, NextChannel_WrapsAround) {
  EXPECT_EQ(GatewayScan::NextChannel(kChannels_1_6_11, 11), 1);
  EXPECT_EQ(GatewayScan::NextChannel(kChannels_1_6_11, 1), 6);
  EXPECT_EQ(GatewayScan::NextChannel(1 << 14, 14), 14);
  EXPECT_EQ(GatewayScan::NextChannel(0, 3), 0);
}

}  // namespace
}  // namespace airlab::apps
